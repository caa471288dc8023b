# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Commands and invocations: real execution, statuses over time, paging, limits."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import time
import uuid

import pytest
from alibabacloud_ecs20140526 import models
from Tea.exceptions import TeaException

from emulator.harness import LINUX_INSTANCES, REGION, STOPPED_INSTANCE, WINDOWS_INSTANCE
from emulator.helpers import b64, create_command, describe, invoke, run, unb64, wait_for

L1, L2, L3 = LINUX_INSTANCES[0], LINUX_INSTANCES[1], LINUX_INSTANCES[2]


def _error(call):
    with pytest.raises(TeaException) as info:
        call()
    return info.value


def _by_instance(invocation):
    return dict((i['InstanceId'], i) for i in invocation['InvokeInstances']['InvokeInstance'])


def test_shell_script_runs_for_real_on_two_instances(client):
    invoke_id = run(client, 'echo hello from $(hostname) ; pwd', [L1, L2])
    invocation = wait_for(client, invoke_id, include_output=True)
    assert invocation['InvocationStatus'] == 'Success'
    assert invocation['InvokeStatus'] == 'Finished'
    for instance_id, record in _by_instance(invocation).items():
        output = unb64(record['Output'])          # Base64 by default
        lines = output.splitlines()
        assert lines[0] == 'hello from %s' % instance_id
        assert lines[1].endswith('/%s/root' % instance_id)
        assert record['ExitCode'] == 0
        assert record['InvocationStatus'] == 'Success'
        assert record['InstanceInvokeStatus'] == 'Finished'
        assert record['ErrorCode'] == ''
        for field in ('StartTime', 'FinishTime', 'CreationTime', 'UpdateTime'):
            assert len(record[field]) == 20 and record[field].endswith('Z')
    plain = describe(client, invoke_id, include_output=True, content_encoding='PlainText')
    assert _by_instance(plain)[L1]['Output'].startswith('hello from %s\n' % L1)
    assert plain['CommandContent'] == 'echo hello from $(hostname) ; pwd'
    assert unb64(describe(client, invoke_id)['CommandContent']) == 'echo hello from $(hostname) ; pwd'
    assert 'Output' not in _by_instance(describe(client, invoke_id))[L1]


def test_working_dir_and_scratch_are_per_instance(client):
    run(client, 'echo mine > /dev/null; mkdir -p /tmp 2>/dev/null; echo $ECS_EMULATOR_INSTANCE_ID > marker', [L1], working_dir='/tmp')
    invoke_id = run(client, 'pwd; cat marker 2>/dev/null || echo none', [L1, L2], working_dir='/tmp')
    records = _by_instance(wait_for(client, invoke_id, include_output=True, content_encoding='PlainText'))
    assert records[L1]['Output'].splitlines()[0].endswith('/%s/tmp' % L1)
    assert records[L1]['Output'].splitlines()[1] in (L1, 'none')
    assert records[L2]['Output'].splitlines()[1] == 'none'
    missing = run(client, 'pwd', [L1], working_dir='/does/not/exist')
    record = _by_instance(wait_for(client, missing))[L1]
    assert record['ErrorCode'] == 'DirectoryNotExists'
    assert record['InvocationStatus'] == 'Invalid'


def test_failing_script_and_partial_failure(client):
    failed = run(client, 'echo oops >&2; exit 3', [L1])
    invocation = wait_for(client, failed, include_output=True, content_encoding='PlainText')
    record = _by_instance(invocation)[L1]
    assert invocation['InvocationStatus'] == 'Failed'
    assert (record['InvocationStatus'], record['ExitCode'], record['ErrorCode']) == ('Failed', 3, 'ExitCodeNonzero')
    assert record['Output'] == 'oops\n'
    mixed = run(client, 'test "$(hostname)" = %s' % L1, [L1, L2])
    invocation = wait_for(client, mixed)
    assert invocation['InvocationStatus'] == 'PartialFailed'
    assert invocation['InvokeStatus'] == 'PartialFailed'
    assert _by_instance(invocation)[L2]['ExitCode'] == 1


def test_timeout_kills_the_process(client):
    started = time.time()
    invoke_id = run(client, 'echo started; sleep 30; echo never', [L3], timeout=1)
    invocation = wait_for(client, invoke_id, include_output=True, content_encoding='PlainText')
    assert time.time() - started < 10
    record = _by_instance(invocation)[L3]
    assert invocation['InvocationStatus'] == 'Failed'
    assert (record['InvocationStatus'], record['ErrorCode']) == ('Timeout', 'ExecutionTimeout')
    assert record['Output'] == 'started\n'


def test_statuses_over_time(client, emulator):
    emulator.set_control({'pending_delay': 0.6})
    invoke_id = run(client, 'sleep 0.6', [L1])
    seen = []
    while True:
        status = describe(client, invoke_id)['InvocationStatus']
        if not seen or seen[-1] != status:
            seen.append(status)
        if status in ('Success', 'Failed'):
            break
        time.sleep(0.05)
    assert seen == ['Pending', 'Running', 'Success']


def test_output_is_cut_at_24_kb(client):
    invoke_id = run(client, 'head -c 30000 /dev/zero | tr "\\0" x', [L1])
    record = _by_instance(wait_for(client, invoke_id, include_output=True, content_encoding='PlainText'))[L1]
    assert len(record['Output']) == 24 * 1024
    assert record['Dropped'] == 30000 - 24 * 1024


def test_instance_problems(client):
    invoke_id = run(client, 'echo hi', [L1, STOPPED_INSTANCE, WINDOWS_INSTANCE])
    invocation = wait_for(client, invoke_id)
    records = _by_instance(invocation)
    assert invocation['InvocationStatus'] == 'PartialFailed'
    assert records[STOPPED_INSTANCE]['ErrorCode'] == 'InstanceNotRunning'
    assert records[STOPPED_INSTANCE]['InvocationStatus'] == 'Aborted'
    assert records[WINDOWS_INSTANCE]['ErrorCode'] == 'CommandNotApplicable'
    err = _error(lambda: run(client, 'echo hi', ['i-does-not-exist']))
    assert (err.code, err.status_code) == ('InvalidInstance.NotFound', 404)
    err = _error(lambda: run(client, 'echo hi', ['i-%03d' % n for n in range(101)]))
    assert (err.code, err.status_code) == ('InstanceIds.ExceedLimit', 403)


def test_windows_scripts_are_simulated(client):
    invoke_id = run(client, 'dir', [WINDOWS_INSTANCE], type='RunBatScript', name='list-dir')
    record = _by_instance(wait_for(client, invoke_id, include_output=True, content_encoding='PlainText'))[WINDOWS_INSTANCE]
    assert record['InvocationStatus'] == 'Success'
    assert record['Output'] == 'simulated output of list-dir on %s\n' % WINDOWS_INSTANCE


def test_client_token_gives_the_same_invocation(client, emulator):
    command_id = create_command(client, 'echo once')
    token = str(uuid.uuid4())
    first = invoke(client, command_id, [L1], client_token=token)
    second = invoke(client, command_id, [L1], client_token=token)
    assert first == second
    request = models.DescribeInvocationsRequest(region_id=REGION, command_id=command_id)
    assert client.describe_invocations(request).body.total_count == 1
    err = _error(lambda: invoke(client, command_id, [L2], client_token=token))
    assert err.code == 'IdempotentParameterMismatch'


def test_unknown_ids(client):
    err = _error(lambda: invoke(client, 'c-hz0000000000000000', [L1]))
    assert (err.code, err.status_code) == ('InvalidCmdId.NotFound', 404)
    err = _error(lambda: client.stop_invocation(models.StopInvocationRequest(region_id=REGION, invoke_id='t-hz0000')))
    assert (err.code, err.status_code) == ('InvalidInvokeId.NotFound', 404)
    err = _error(lambda: client.delete_command(models.DeleteCommandRequest(region_id=REGION, command_id='c-hz0000')))
    assert err.code == 'InvalidCmdId.NotFound'


def test_describe_invocations_limits(client):
    err = _error(lambda: client.describe_invocations(models.DescribeInvocationsRequest(region_id=REGION, max_results=51)))
    assert (err.code, err.status_code) == ('InvalidParameter.MaxResults', 400)
    body = client.describe_invocations(models.DescribeInvocationsRequest(region_id=REGION, max_results=50)).body
    assert body.request_id
    err = _error(lambda: client.describe_invocations(models.DescribeInvocationsRequest(region_id=REGION, include_output=True)))
    assert err.code == 'MissingParameter.InvokeIdOrInstanceId'
    assert client.describe_invocations(models.DescribeInvocationsRequest(region_id=REGION, include_output=True, instance_id=L1)).body


def test_next_token_paging_newest_first(client):
    command_id = create_command(client, 'echo page', type='RunBatScript', name='paging')
    created = [invoke(client, command_id, [WINDOWS_INSTANCE]) for _n in range(25)]
    pages, token = [], None
    while True:
        request = models.DescribeInvocationsRequest(region_id=REGION, command_id=command_id, max_results=10, next_token=token)
        body = client.describe_invocations(request).body
        pages.append([i.invoke_id for i in body.invocations.invocation])
        token = body.next_token
        if not token:
            break
    assert [len(p) for p in pages] == [10, 10, 5]
    seen = [i for page in pages for i in page]
    assert seen == list(reversed(created))
    # the older PageNumber/PageSize form
    request = models.DescribeInvocationsRequest(region_id=REGION, command_id=command_id, page_number=3, page_size=10)
    body = client.describe_invocations(request).body
    assert (body.total_count, body.page_number, body.page_size) == (25, 3, 10)
    assert [i.invoke_id for i in body.invocations.invocation] == seen[20:]


def test_describe_invocation_results_paging_inside_invocation(client):
    invoke_id = run(client, 'echo r-$(hostname)', LINUX_INSTANCES[:5])
    wait_for(client, invoke_id)
    seen, token = [], None
    while True:
        request = models.DescribeInvocationResultsRequest(region_id=REGION, invoke_id=invoke_id, max_results=2, next_token=token)
        raw = client.describe_invocation_results(request).body.to_map()
        assert set(['TotalCount', 'PageNumber', 'PageSize', 'NextToken']) <= set(raw['Invocation'])
        assert 'NextToken' not in raw
        for result in raw['Invocation']['InvocationResults']['InvocationResult']:
            assert result['InvokeId'] == invoke_id
            assert result['FinishedTime'].endswith('Z')
            assert 'FinishTime' not in result
            assert result['InvokeRecordStatus'] == 'Finished'
            assert unb64(result['Output']) == 'r-%s\n' % result['InstanceId']
            seen.append(result['InstanceId'])
        token = raw['Invocation']['NextToken']
        if not token:
            break
    assert seen == LINUX_INSTANCES[:5]
    request = models.DescribeInvocationResultsRequest(region_id=REGION, invoke_id=invoke_id, instance_id=L2, content_encoding='PlainText')
    results = client.describe_invocation_results(request).body.invocation.invocation_results.invocation_result
    assert [(r.instance_id, r.output) for r in results] == [(L2, 'r-%s\n' % L2)]


def test_parameters_substitution_and_limits(client):
    command_id = create_command(client, 'echo "{{greeting}}, {{name}} on {{ACS::InstanceId}}"', enable_parameter=True)
    raw = client.describe_commands(models.DescribeCommandsRequest(region_id=REGION, command_id=command_id)).body.to_map()
    assert raw['Commands']['Command'][0]['ParameterNames']['ParameterName'] == ['greeting', 'name']
    invoke_id = invoke(client, command_id, [L1], parameters={'greeting': 'hello', 'name': 'world'})
    invocation = wait_for(client, invoke_id, include_output=True, content_encoding='PlainText')
    assert _by_instance(invocation)[L1]['Output'] == 'hello, world on %s\n' % L1
    assert json.loads(invocation['Parameters']) == {'greeting': 'hello', 'name': 'world'}

    err = _error(lambda: invoke(client, command_id, [L1], parameters={'greeting': 'hi'}))
    assert err.code == 'Parameter.NotMatched'
    err = _error(lambda: invoke(client, command_id, [L1], parameters=dict(('k%d' % n, 'v') for n in range(11))))
    assert err.code == 'ParameterCount.ExceedLimit'
    err = _error(lambda: invoke(client, command_id, [L1], parameters={'k' * 65: 'v'}))
    assert err.code == 'ParameterKey.ExceedLimit'
    plain = create_command(client, 'echo {{x}}')
    err = _error(lambda: invoke(client, plain, [L1], parameters={'x': '1'}))
    assert err.code == 'Parameter.Disabled'


def test_period_needs_a_valid_frequency(client):
    command_id = create_command(client, 'date')
    err = _error(lambda: invoke(client, command_id, [L1], repeat_mode='Period'))
    assert err.code == 'MissingParam.Frequency'
    err = _error(lambda: invoke(client, command_id, [L1], repeat_mode='Period', frequency='every now and then'))
    assert err.code == 'InvalidParam.Frequency'
    err = _error(lambda: invoke(client, command_id, [L1], timed=True))
    assert err.code == 'MissingParam.Frequency'
    err = _error(lambda: invoke(client, command_id, [L1], repeat_mode='Sometimes'))
    assert err.code == 'InvalidRepeatMode.NotFound'
    for frequency in ('rate(5m)', 'at(2030-06-06 13:15:30 Asia/Shanghai)', '0 */20 * * * ?', '0 15 10 ? * * 2030 Asia/Shanghai'):
        invoke_id = invoke(client, command_id, [L1], repeat_mode='Period', frequency=frequency)
        assert wait_for(client, invoke_id)['Frequency'] == frequency
        client.stop_invocation(models.StopInvocationRequest(region_id=REGION, invoke_id=invoke_id))


def test_period_is_scheduled_until_stopped(client):
    command_id = create_command(client, 'date')
    invoke_id = invoke(client, command_id, [L1, L2], timed=True, frequency='rate(1h)')
    invocation = wait_for(client, invoke_id)
    assert (invocation['InvocationStatus'], invocation['RepeatMode'], invocation['Timed']) == ('Scheduled', 'Period', True)
    assert invocation['InvokeStatus'] == 'Running'
    reboot = invoke(client, command_id, [L3], repeat_mode='EveryReboot')
    assert wait_for(client, reboot)['InvocationStatus'] == 'Scheduled'
    client.stop_invocation(models.StopInvocationRequest(region_id=REGION, invoke_id=invoke_id, instance_id=[L1]))
    records = _by_instance(describe(client, invoke_id))
    assert (records[L1]['InvocationStatus'], records[L2]['InvocationStatus']) == ('Stopped', 'Scheduled')
    client.stop_invocation(models.StopInvocationRequest(region_id=REGION, invoke_id=invoke_id))
    invocation = describe(client, invoke_id)
    assert (invocation['InvocationStatus'], invocation['InvokeStatus'], invocation['Timed']) == ('Stopped', 'Stopped', False)
    assert all(r['StopTime'].endswith('Z') for r in invocation['InvokeInstances']['InvokeInstance'])
    client.stop_invocation(models.StopInvocationRequest(region_id=REGION, invoke_id=reboot))


def test_stop_a_running_script(client):
    invoke_id = run(client, 'echo started; sleep 30', [L1], timeout=60)
    wait_for(client, invoke_id, statuses=('Running',))
    time.sleep(0.1)
    started = time.time()
    client.stop_invocation(models.StopInvocationRequest(region_id=REGION, invoke_id=invoke_id))
    invocation = wait_for(client, invoke_id, statuses=('Stopped',), include_output=True, content_encoding='PlainText')
    assert time.time() - started < 3
    record = _by_instance(invocation)[L1]
    assert record['InvocationStatus'] == 'Stopped'
    assert record['Output'] == 'started\n'


def test_run_command_keep_command(client):
    body = client.run_command(models.RunCommandRequest(region_id=REGION, type='RunShellScript', command_content='echo kept',
                                                       name='kept-one', keep_command=True, instance_id=[L1])).body
    assert body.command_id.startswith('c-hz') and body.invoke_id.startswith('t-hz')
    listed = client.describe_commands(models.DescribeCommandsRequest(region_id=REGION, command_id=body.command_id)).body
    assert [c.name for c in listed.commands.command] == ['kept-one']
    body = client.run_command(models.RunCommandRequest(region_id=REGION, type='RunShellScript', command_content=b64('echo gone'),
                                                       content_encoding='Base64', instance_id=[L1])).body
    invocation = wait_for(client, body.invoke_id, include_output=True, content_encoding='PlainText')
    assert _by_instance(invocation)[L1]['Output'] == 'gone\n'
    listed = client.describe_commands(models.DescribeCommandsRequest(region_id=REGION, command_id=body.command_id)).body
    assert listed.total_count == 0


def test_create_modify_describe_delete_command(client):
    name = 'emu-cmd-%s' % uuid.uuid4().hex[:8]
    command_id = create_command(client, 'echo v1', name=name, description='first', timeout=30, working_dir='/tmp',
                                tag=[models.CreateCommandRequestTag(key='team', value='ops')])
    raw = client.describe_commands(models.DescribeCommandsRequest(region_id=REGION, name=name[:-3] + '*')).body.to_map()
    command = raw['Commands']['Command'][0]
    assert (command['CommandId'], command['Timeout'], command['WorkingDir'], command['Description']) == (command_id, 30, '/tmp', 'first')
    assert unb64(command['CommandContent']) == 'echo v1'
    assert command['Tags']['Tag'] == [{'TagKey': 'team', 'TagValue': 'ops'}]
    assert command['CreationTime'].endswith('Z')

    client.modify_command(models.ModifyCommandRequest(region_id=REGION, command_id=command_id, name=name + '-2',
                                                      command_content=b64('echo v2'), timeout=45, description='second'))
    request = models.DescribeCommandsRequest(region_id=REGION, command_id=command_id, content_encoding='PlainText')
    command = client.describe_commands(request).body.commands.command[0]
    assert (command.name, command.command_content, command.timeout, command.description) == (name + '-2', 'echo v2', 45, 'second')
    invoke_id = invoke(client, command_id, [L1])
    assert wait_for(client, invoke_id)['Timeout'] == 45
    assert client.describe_commands(request).body.commands.command[0].invoke_times == 1

    client.delete_command(models.DeleteCommandRequest(region_id=REGION, command_id=command_id))
    assert client.describe_commands(request).body.total_count == 0
    err = _error(lambda: invoke(client, command_id, [L1]))
    assert err.code == 'InvalidCmdId.NotFound'


def test_command_content_checks(client):
    err = _error(lambda: client.create_command(models.CreateCommandRequest(
        region_id=REGION, name='big', type='RunShellScript', command_content='x' * 20000, content_encoding='PlainText')))
    assert (err.code, err.status_code) == ('CmdContent.ExceedLimit', 403)
    err = _error(lambda: client.create_command(models.CreateCommandRequest(
        region_id=REGION, name='bad', type='RunShellScript', command_content='not base64!')))
    assert err.code == 'InvalidParameter.CommandContent'
    err = _error(lambda: client.create_command(models.CreateCommandRequest(
        region_id=REGION, name='bad', type='Shell', command_content=b64('ls'))))
    assert err.code == 'InvalidCmdType.NotFound'
    err = _error(lambda: client.create_command(models.CreateCommandRequest(region_id=REGION, type='RunShellScript', command_content=b64('ls'))))
    assert err.code == 'MissingParameter.Name'
    plain = client.create_command(models.CreateCommandRequest(region_id=REGION, name='plain', type='RunShellScript',
                                                              command_content='echo plain', content_encoding='PlainText')).body.command_id
    request = models.DescribeCommandsRequest(region_id=REGION, command_id=plain)
    assert unb64(client.describe_commands(request).body.commands.command[0].command_content) == 'echo plain'


def test_describe_commands_paging(client):
    prefix = 'pg-%s-' % uuid.uuid4().hex[:6]
    ids = [create_command(client, 'true', name=prefix + str(n)) for n in range(12)]
    request = models.DescribeCommandsRequest(region_id=REGION, name=prefix + '*')
    first = client.describe_commands(request).body
    assert (len(first.commands.command), first.total_count) == (10, 12)
    request.next_token = first.next_token
    second = client.describe_commands(request).body
    got = [c.command_id for c in first.commands.command + second.commands.command]
    assert got == list(reversed(ids))
    assert not second.next_token


def test_describe_invocations_filters(client):
    suite = uuid.uuid4().hex[:8]
    command_id = create_command(client, 'test "$(hostname)" = %s' % L1, name='filters-%s' % suite)
    tag = [models.InvokeCommandRequestTag(key='suite', value=suite)]
    ok = invoke(client, command_id, [L1], tag=tag)
    bad = invoke(client, command_id, [L2], tag=tag)
    wait_for(client, ok)
    wait_for(client, bad)

    def ids(**kwargs):
        request = models.DescribeInvocationsRequest(region_id=REGION, tag=[models.DescribeInvocationsRequestTag(key='suite', value=suite)], **kwargs)
        return [i.invoke_id for i in client.describe_invocations(request).body.invocations.invocation]
    assert ids() == [bad, ok]
    assert ids(invoke_status='Finished') == [ok]          # the legacy value
    assert ids(invoke_status='Success') == [ok]           # the current value
    assert ids(invoke_status='Failed') == [bad]
    assert ids(instance_id=L2) == [bad]
    assert ids(command_name='filters-%s' % suite, command_type='RunShellScript') == [bad, ok]
    assert ids(repeat_mode='Period') == []
    assert ids(timed=False) == [bad, ok]
    raw = client.describe_invocations(models.DescribeInvocationsRequest(region_id=REGION, invoke_id=ok)).body.to_map()
    assert raw['Invocations']['Invocation'][0]['Tags']['Tag'] == [{'TagKey': 'suite', 'TagValue': suite}]


def test_username_runs_in_its_home(client):
    invoke_id = run(client, 'echo $USER; pwd', [L1], username='deploy')
    record = _by_instance(wait_for(client, invoke_id, include_output=True, content_encoding='PlainText'))[L1]
    assert record['InvocationStatus'] == 'Success'
    user, cwd = record['Output'].splitlines()
    assert user == 'deploy'
    assert cwd.endswith('/%s/home/deploy' % L1)
    assert describe(client, invoke_id)['Username'] == 'deploy'
