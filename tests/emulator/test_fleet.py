# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fleet scale: generated fleets, resource groups, ResourceTag targets, invocation options and tags."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import calendar
import json
import time

import pytest
from alibabacloud_ecs20140526 import models
from Tea.exceptions import TeaException

from emulator.harness import FLEET_RESOURCE_GROUPS, Emulator, LINUX_INSTANCES, REGION, fleet_id, peak_concurrency
from emulator.helpers import make_client, wait_for

FLEET = 1000
RG1, RG2 = FLEET_RESOURCE_GROUPS


@pytest.fixture(scope='module')
def fleet(tmp_path_factory):
    args = ['--no-exec', '--fleet-size', str(FLEET), '--region-instances', 'cn-shanghai:30',
            '--pending-delay', '0.01', '--simulated-run-time', '0.05']
    with Emulator(tmp_path_factory.mktemp('fleet'), extra_args=args) as emu:
        yield emu
        assert 'Traceback' not in emu.stderr(), emu.stderr()


@pytest.fixture
def client(fleet):
    return make_client(fleet)


def _error(call):
    with pytest.raises(TeaException) as info:
        call()
    return info.value


def _all_instances(client, region=REGION, **filters):
    seen, token = [], None
    while True:
        body = client.describe_instances(models.DescribeInstancesRequest(
            region_id=region, max_results=100, next_token=token, **filters)).body.to_map()
        seen += body['Instances']['Instance']
        token = body['NextToken']
        if not token:
            return seen


def _run(client, **kwargs):
    request = models.RunCommandRequest(region_id=REGION, type='RunShellScript', command_content='echo hi', **kwargs)
    return client.run_command(request).body.invoke_id


def _tags(cls, pairs):
    return [cls(key=k, value=v) for k, v in pairs]


def test_generated_fleet_shapes(client):
    instances = _all_instances(client)
    assert len(instances) == FLEET + 14
    by_id = dict((i['InstanceId'], i) for i in instances)
    assert set(LINUX_INSTANCES) <= set(by_id)                      # the default fleet is still there
    web, app, db, stopped = by_id[fleet_id(1)], by_id[fleet_id(2)], by_id[fleet_id(3)], by_id[fleet_id(10)]
    assert web['PublicIpAddress']['IpAddress'] and not web['EipAddress']['IpAddress']
    assert app['EipAddress']['IpAddress'] and app['EipAddress']['AllocationId'].startswith('eip-')
    assert not app['PublicIpAddress']['IpAddress']
    assert not db['PublicIpAddress']['IpAddress'] and not db['EipAddress']['IpAddress']
    for inst in (web, app, db):
        assert inst['VpcAttributes']['PrivateIpAddress']['IpAddress'][0].startswith('10.')
        assert inst['NetworkInterfaces']['NetworkInterface'][0]['PrimaryIpAddress'] == \
            inst['VpcAttributes']['PrivateIpAddress']['IpAddress'][0]
    assert (web['ResourceGroupId'], app['ResourceGroupId']) == (RG1, RG2)
    assert stopped['Status'] == 'Stopped'
    assert by_id[fleet_id(100)]['OperationLocks']['LockReason'] == [{'LockReason': 'financial', 'LockMsg': ''}]
    assert by_id[fleet_id(7)]['InstanceChargeType'] == 'PrePaid'
    assert by_id[fleet_id(25)]['InstanceName'] == by_id[fleet_id(24)]['InstanceName']     # a shared name
    assert {'TagKey': 'batch', 'TagValue': 'b1'} in web['Tags']['Tag']
    assert sum(1 for i in instances if i['Status'] == 'Stopped') == FLEET // 10 + 1
    zones = set(i['ZoneId'] for i in instances)
    assert zones == {'cn-hangzhou-h', 'cn-hangzhou-i', 'cn-hangzhou-j', 'cn-hangzhou-k'}
    shanghai = _all_instances(client, 'cn-shanghai')
    assert [i['InstanceId'] for i in shanghai] == [fleet_id(n, 'cn-shanghai') for n in range(1, 31)]
    assert set(i['ZoneId'] for i in shanghai) == {'cn-shanghai-a', 'cn-shanghai-b', 'cn-shanghai-c'}
    assert _all_instances(client, 'cn-beijing') == []


def test_describe_instances_filters(client):
    def ids(**filters):
        return [i['InstanceId'] for i in _all_instances(client, **filters)]
    in_rg1 = ids(resource_group_id=RG1)
    assert len(in_rg1) == FLEET // 2 and fleet_id(1) in in_rg1 and fleet_id(2) not in in_rg1
    web_b2 = ids(tag=_tags(models.DescribeInstancesRequestTag, [('tier', 'web'), ('batch', 'b2')]))
    assert web_b2 == [fleet_id(n) for n in range(101, 201) if (n - 1) % 3 == 0]
    assert ids(tag=_tags(models.DescribeInstancesRequestTag, [('tier', None)]))[:2] == [fleet_id(1), fleet_id(2)]
    assert ids(instance_name='emu-hz-0002*') == [fleet_id(n) for n in range(20, 30)]
    assert ids(instance_name='emu-hz-00024') == [fleet_id(24), fleet_id(25)]
    one = _all_instances(client, instance_ids=json.dumps([fleet_id(2)]))[0]
    assert ids(private_ip_addresses=json.dumps(one['VpcAttributes']['PrivateIpAddress']['IpAddress'])) == [fleet_id(2)]
    assert ids(eip_addresses=json.dumps([one['EipAddress']['IpAddress']])) == [fleet_id(2)]
    web = _all_instances(client, instance_ids=json.dumps([fleet_id(1)]))[0]
    assert ids(public_ip_addresses=json.dumps(web['PublicIpAddress']['IpAddress'])) == [fleet_id(1)]
    assert ids(zone_id='cn-hangzhou-h', instance_type='ecs.g7.large', status='Running')[:1] == [fleet_id(1)]
    assert set(ids(v_switch_id=web['VpcAttributes']['VSwitchId'])) >= {fleet_id(1), fleet_id(5)}
    assert len(ids(vpc_id=web['VpcAttributes']['VpcId'])) == FLEET
    assert ids(security_group_id=web['SecurityGroupIds']['SecurityGroupId'][1]) == \
        [fleet_id(n) for n in range(1, FLEET + 1) if (n - 1) % 3 == 0]
    assert ids(lock_reason='financial') == [fleet_id(n) for n in range(100, FLEET + 1, 100)]
    assert ids(instance_charge_type='PrePaid') == [fleet_id(n) for n in range(7, FLEET + 1, 7)]


def test_more_than_100_instances_is_refused(client):
    ids = [fleet_id(n) for n in range(1, 102)]
    assert _error(lambda: _run(client, instance_id=ids)).code == 'InstanceIds.ExceedLimit'
    request = models.CreateCommandRequest(region_id=REGION, name='big', type='RunShellScript', command_content='ZWNobw==')
    command_id = client.create_command(request).body.command_id
    err = _error(lambda: client.invoke_command(models.InvokeCommandRequest(region_id=REGION, command_id=command_id, instance_id=ids)))
    assert (err.code, err.status_code) == ('InstanceIds.ExceedLimit', 403)


def test_resource_tag_selects_instances(client):
    tags = _tags(models.RunCommandRequestResourceTag, [('batch', 'b3'), ('tier', 'db')])
    invoke_id = _run(client, resource_tag=tags)
    invocation = wait_for(client, invoke_id)
    got = sorted(i['InstanceId'] for i in invocation['InvokeInstances']['InvokeInstance'])
    assert got == [fleet_id(n) for n in range(201, 301) if (n - 1) % 3 == 2]
    statuses = dict((i['InstanceId'], i['InvocationStatus']) for i in invocation['InvokeInstances']['InvokeInstance'])
    assert statuses[fleet_id(210)] == 'Aborted' and statuses[fleet_id(201)] == 'Success'     # 210 is Stopped
    assert invocation['InvocationStatus'] == 'PartialFailed'
    # with a resource group: only its instances
    invoke_id = _run(client, resource_tag=tags, resource_group_id=RG1)
    got = sorted(i['InstanceId'] for i in wait_for(client, invoke_id)['InvokeInstances']['InvokeInstance'])
    assert got == [fleet_id(n) for n in range(201, 301) if (n - 1) % 3 == 2 and n % 2 == 1]


def test_resource_tag_errors(client):
    def run_tags(pairs, **kwargs):
        return _error(lambda: _run(client, resource_tag=_tags(models.RunCommandRequestResourceTag, pairs), **kwargs)).code
    assert run_tags([('tier', 'web')]) == 'InstanceIds.ExceedLimit'                       # 334 instances
    assert run_tags([('tier', 'nothing')]) == 'InvalidResourceTag.InstanceNotFound'
    assert run_tags([('k%d' % n, 'v') for n in range(11)]) == 'NumberExceed.ResourceTags'
    assert run_tags([('batch', 'b1'), ('batch', 'b2')]) == 'Duplicate.ResourceTagKey'
    assert run_tags([('acs:x', 'v')]) == 'InvalidResourceTagKey.Malformed'
    assert run_tags([('batch', 'b1')], instance_id=[fleet_id(1)]) == 'InvalidResourceTag.ConflictWithInstanceIds'


def test_resource_group_must_hold_the_instances(client):
    assert _error(lambda: _run(client, instance_id=[fleet_id(2)], resource_group_id=RG1)).code == 'InvalidInstance.NotFound'
    assert _error(lambda: _run(client, instance_id=[fleet_id(1)], resource_group_id='rg-nope')).code == \
        'InvalidResourceGroup.NotFound'
    invoke_id = _run(client, instance_id=[fleet_id(1), fleet_id(3)], resource_group_id=RG1)
    assert wait_for(client, invoke_id)['InvocationStatus'] == 'Success'
    listed = client.describe_invocations(models.DescribeInvocationsRequest(
        region_id=REGION, resource_group_id=RG1, max_results=50)).body.invocations.invocation
    assert invoke_id in [i.invoke_id for i in listed]
    other = client.describe_invocations(models.DescribeInvocationsRequest(
        region_id=REGION, resource_group_id=RG2, max_results=50)).body.invocations.invocation
    assert invoke_id not in [i.invoke_id for i in other]


def test_invocation_options_are_checked_and_kept(client):
    ids = [fleet_id(1)]
    assert _error(lambda: _run(client, instance_id=ids, termination_mode='Kill')).code == 'InvalidTerminationMode.NotFound'
    assert _error(lambda: _run(client, instance_id=ids, launcher='x' * 1025)).code == 'InvalidLauncher.LengthLimitExceeded'
    for bad in ('s3://bucket/x', 'oss://', 'oss://a/x', 'https://bucket.oss.aliyuncs.com/x'):
        assert _error(lambda: _run(client, instance_id=ids, oss_output_delivery=bad)).code == \
            'InvalidParameter.OssOutputDelivery', bad
    tags = _tags(models.RunCommandRequestTag, [('k%02d' % n, 'v%d' % n) for n in range(20)])
    invoke_id = _run(client, instance_id=[fleet_id(1), fleet_id(4)], termination_mode='ProcessTree', launcher='sh {{ACS::ScriptFileName}}',
                     oss_output_delivery='oss://emu-bucket/runs', tag=tags)
    invocation = wait_for(client, invoke_id)
    assert (invocation['TerminationMode'], invocation['Launcher'], invocation['OssOutputDelivery']) == \
        ('ProcessTree', 'sh {{ACS::ScriptFileName}}', 'oss://emu-bucket/runs')
    assert len(invocation['Tags']['Tag']) == 20
    for record in invocation['InvokeInstances']['InvokeInstance']:
        assert record['OssOutputStatus'] == 'Finished'
        assert record['OssOutputUri'] == 'oss://emu-bucket/runs/%s/%s' % (invoke_id, record['InstanceId'])
    results = client.describe_invocation_results(models.DescribeInvocationResultsRequest(
        region_id=REGION, invoke_id=invoke_id)).body.to_map()['Invocation']['InvocationResults']['InvocationResult']
    assert all(r['OssOutputDelivery'] == 'oss://emu-bucket/runs' and r['OssOutputStatus'] == 'Finished' for r in results)
    too_many = _tags(models.RunCommandRequestTag, [('k%02d' % n, 'v') for n in range(21)])
    assert _error(lambda: _run(client, instance_id=ids, tag=too_many)).code == 'NumberExceed.Tags'


def test_tag_filters_on_describe_invocations(client):
    first = _run(client, instance_id=[fleet_id(1)], tag=_tags(models.RunCommandRequestTag, [('wave', 'w1'), ('job', 'deploy')]))
    second = _run(client, instance_id=[fleet_id(4)], tag=_tags(models.RunCommandRequestTag, [('wave', 'w2'), ('job', 'deploy')]))

    def listed(pairs):
        request = models.DescribeInvocationsRequest(region_id=REGION, max_results=50,
                                                    tag=_tags(models.DescribeInvocationsRequestTag, pairs))
        return [i.invoke_id for i in client.describe_invocations(request).body.invocations.invocation]
    assert listed([('job', 'deploy')]) == [second, first]
    assert listed([('job', 'deploy'), ('wave', 'w1')]) == [first]
    assert listed([('job', 'deploy'), ('wave', 'w3')]) == []


def _epoch(text):
    return calendar.timegm(time.strptime(text, '%Y-%m-%dT%H:%M:%SZ'))


def test_simulated_runs_take_the_configured_time_and_report_it(tmp_path):
    """StartTime / FinishTime tell how many ran at once; a simulated run lasts --simulated-run-time."""
    args = ['--no-exec', '--fleet-size', '20', '--pending-delay', '0', '--simulated-run-time', '2']
    with Emulator(tmp_path, extra_args=args) as emu:
        client = make_client(emu)
        first = _run(client, instance_id=[fleet_id(n) for n in range(1, 6)])
        running = wait_for(client, first, statuses=('Running',))
        assert all(r['InvocationStatus'] == 'Running' for r in running['InvokeInstances']['InvokeInstance'])
        done = wait_for(client, first, statuses=('Success',), timeout=10)
        second = _run(client, instance_id=[fleet_id(n) for n in range(11, 16) if n != 10])
        later = wait_for(client, second, statuses=('Success',), timeout=10)
        intervals = [(_epoch(r['StartTime']), _epoch(r['FinishTime']))
                     for inv in (done, later) for r in inv['InvokeInstances']['InvokeInstance']]
        for start, finish in intervals:
            assert finish - start in (1, 2, 3)          # 2 s, seen through whole-second times
        assert peak_concurrency(intervals + [(intervals[0][0], intervals[0][1])]) == 6   # the check can fail
        # Read as half-open intervals, the two waves never overlap: at most 5 at once.
        assert peak_concurrency(intervals) == 5
