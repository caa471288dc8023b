# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The inventory plugin alicloud.ecs.ecs through real ansible-inventory and ansible runs against the emulator.

The emulator holds its default fleet in cn-hangzhou (14 instances, role tags on linux-01 to -05) and
generated fleets in cn-shanghai (250: three pages) and cn-beijing (30). Generated instances come in
tiers: web has a public IP, app an EIP, db only a private address; every 10th is Stopped; number 25
has the name of number 24.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import math
import os
import subprocess
import sys

import pytest
import yaml
from alibabacloud_ecs20140526 import models

from ansible_output import folded, plain
from emulator.harness import ACCESS_KEY_ID, ACCESS_KEY_SECRET, LINUX_INSTANCES, STOPPED_INSTANCE, WINDOWS_INSTANCE
from emulator.helpers import make_client

from ansible_collections.alicloud.ecs.plugins.module_utils.connection import alicloud_argument_spec

BIN = os.path.dirname(sys.executable)
EMULATOR_ARGS = ['--region-instances', 'cn-shanghai:250', '--region-instances', 'cn-beijing:30']
HANGZHOU = sorted(LINUX_INSTANCES + [WINDOWS_INSTANCE, STOPPED_INSTANCE])
BEIJING = ['i-emu-bj-%05d' % number for number in range(1, 31)]
SHANGHAI = ['i-emu-sh-%05d' % number for number in range(1, 251)]


class Run(object):
    def __init__(self, process):
        self.rc = process.returncode
        self.stdout = process.stdout
        self.stderr = folded(process.stderr)
        self.output = self.stdout + self.stderr
        self.data = None
        if self.rc == 0 and self.stdout.lstrip().startswith('{'):
            self.data = plain(json.loads(self.stdout))

    @property
    def hostvars(self):
        return self.data['_meta']['hostvars']

    def group(self, name):
        return sorted(self.data.get(name, {}).get('hosts', []))


def write_config(ansible, config, name='test.alicloud_ecs.yml'):
    path = ansible.workdir / name
    config = dict(dict(plugin='alicloud.ecs.ecs'), **config)
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return str(path)


def inventory(ansible, config, *args, **kwargs):
    """Run ansible-inventory (``--list`` unless other args) over an inventory file holding ``config``."""
    path = write_config(ansible, config, kwargs.pop('name', 'test.alicloud_ecs.yml'))
    env = dict(ansible.env)
    env.update(kwargs.pop('env', {}))
    if kwargs.pop('clear_log', True):
        ansible.emulator.clear_log()
    command = [os.path.join(BIN, 'ansible-inventory'), '-i', path] + list(args or ['--list'])
    return Run(subprocess.run(command, capture_output=True, text=True, env=env, cwd=str(ansible.workdir),
                              check=False, timeout=300))


def failing(ansible, config, *args, **kwargs):
    """An inventory run that must fail, as AWX runs inventory updates (an unparsed source is a failure)."""
    env = dict(kwargs.pop('env', {}), ANSIBLE_INVENTORY_UNPARSED_FAILED='true')
    run = inventory(ansible, config, *args, env=env, **kwargs)
    assert run.rc != 0, run.output
    assert 'Traceback' not in run.output and ACCESS_KEY_SECRET not in run.output
    return run


def listing_calls(emulator, action='DescribeInstances'):
    return [line['params'] for line in emulator.requests(action)]


def test_default_file_lists_the_region_of_the_environment_with_snake_case_hostvars(ansible, emulator):
    run = inventory(ansible, {})
    assert run.rc == 0, run.output
    assert sorted(run.hostvars) == HANGZHOU == run.group('alicloud_ecs')
    # One page of 100 covers the 14 instances: one call, in the region of ALIBABA_CLOUD_REGION_ID.
    calls = listing_calls(emulator)
    assert len(calls) == 1 and calls[0]['RegionId'] == 'cn-hangzhou' and calls[0]['MaxResults'] == '100'
    assert len(emulator.requests()) == 1

    request = models.DescribeInstancesRequest(region_id='cn-hangzhou', instance_ids=json.dumps([LINUX_INSTANCES[0]]))
    answer = make_client(emulator).describe_instances(request).body.to_map()['Instances']['Instance'][0]
    web = run.hostvars[LINUX_INSTANCES[0]]
    assert web['instance_id'] == answer['InstanceId'] and web['instance_name'] == answer['InstanceName']
    assert web['zone_id'] == answer['ZoneId'] and web['region_id'] == 'cn-hangzhou'
    assert web['instance_type'] == answer['InstanceType'] and web['status'] == 'Running'
    assert web['cpu'] == answer['Cpu'] and web['memory'] == answer['Memory'] and web['os_type'] == 'linux'
    assert web['private_ip_address'] == answer['VpcAttributes']['PrivateIpAddress']['IpAddress'][0]
    assert web['vpc_id'] == answer['VpcAttributes']['VpcId'] and web['vswitch_id'] == answer['VpcAttributes']['VSwitchId']
    assert web['security_group_ids'] == answer['SecurityGroupIds']['SecurityGroupId']
    assert web['ecs_tags'] == {'env': 'test', 'role': 'web'} and 'tags' not in web
    # No public address or EIP: ansible_host is the private address.
    assert web['public_ip_address'] is None and web['eip_address'] is None
    assert web['ansible_host'] == web['private_ip_address']
    assert run.hostvars[STOPPED_INSTANCE]['status'] == 'Stopped'


def test_graph_keyed_groups_and_an_ad_hoc_debug_of_ecs_tags(ansible, emulator):
    config = dict(keyed_groups=[dict(key="ecs_tags.role | default('none')", prefix='role'),
                                dict(key='zone_id', prefix='zone')])
    run = inventory(ansible, config, '--graph')
    assert run.rc == 0, run.output
    assert '@role_web:' in run.stdout and '@role_db:' in run.stdout and '@zone_cn_hangzhou_h:' in run.stdout
    graph = inventory(ansible, config).data
    assert sorted(graph['role_web']['hosts']) == LINUX_INSTANCES[:3]
    assert sorted(graph['role_db']['hosts']) == LINUX_INSTANCES[3:5]

    path = write_config(ansible, config)
    emulator.clear_log()
    adhoc = subprocess.run([os.path.join(BIN, 'ansible'), 'role_web', '-i', path, '-m', 'ansible.builtin.debug',
                            '-a', 'var=ecs_tags'], capture_output=True, text=True, check=False, timeout=300,
                           env=dict(ansible.env, ANSIBLE_STDOUT_CALLBACK='ansible.builtin.minimal'))
    assert adhoc.returncode == 0, adhoc.stdout + adhoc.stderr
    for host in LINUX_INSTANCES[:3]:
        assert '%s | SUCCESS =>' % host in adhoc.stdout
    assert adhoc.stdout.count('"role": "web"') == 3 and LINUX_INSTANCES[3] not in adhoc.stdout
    assert emulator.count('DescribeInstances') == 1


def test_hostnames_preferences_take_the_first_value_found(ansible):
    config = dict(regions=['cn-beijing'], hostnames=['tag:Name', 'public_ip_address', 'eip_address',
                                                     "instance_id ~ '.db'"])
    run = inventory(ansible, config)
    assert run.rc == 0, run.output
    assert len(run.hostvars) == 30
    for name, hostvars in run.hostvars.items():
        tier = hostvars['ecs_tags']['tier']
        expected = dict(web=hostvars['public_ip_address'], app=hostvars['eip_address'],
                        db=hostvars['instance_id'] + '.db')[tier]
        assert name == expected and expected
        # ansible_host: the public address, else the EIP, else the private one.
        assert hostvars['ansible_host'] == (hostvars['public_ip_address'] or hostvars['eip_address']
                                            or hostvars['private_ip_address'])
    assert {hostvars['ecs_tags']['tier'] for hostvars in run.hostvars.values()} == {'web', 'app', 'db'}


def test_duplicate_names_keep_the_first_instance_and_allow_duplicated_hosts_gives_every_name(ansible):
    run = inventory(ansible, dict(regions=['cn-beijing'], hostnames=['instance_name']))
    assert run.rc == 0, run.output
    # Numbers 24 and 25 share a name: one host, the first instance's, and a warning naming both.
    assert len(run.hostvars) == 29 and run.hostvars['emu-bj-00024']['instance_id'] == 'i-emu-bj-00024'
    assert 'i-emu-bj-00024 and i-emu-bj-00025 are both named emu-bj-00024' in run.stderr

    run = inventory(ansible, dict(regions=['cn-beijing'], hostnames=['instance_id', 'instance_name'],
                                  allow_duplicated_hosts=True))
    assert run.rc == 0, run.output
    assert set(run.hostvars) == set(BEIJING) | {'emu-bj-%05d' % n for n in range(1, 31) if n != 25}
    assert run.hostvars['emu-bj-00007']['instance_id'] == run.hostvars['i-emu-bj-00007']['instance_id'] == 'i-emu-bj-00007'


def test_filters_are_sent_to_the_service_and_include_exclude_combine(ansible, emulator):
    config = dict(filters=dict(tags=dict(role='web')),
                  include_filters=[dict(instance_ids=[WINDOWS_INSTANCE]), dict(tags=dict(role='db'))],
                  exclude_filters=[dict(instance_ids=[LINUX_INSTANCES[1], LINUX_INSTANCES[3]])])
    run = inventory(ansible, config)
    assert run.rc == 0, run.output
    assert sorted(run.hostvars) == sorted([LINUX_INSTANCES[0], LINUX_INSTANCES[2], LINUX_INSTANCES[4], WINDOWS_INSTANCE])
    calls = listing_calls(emulator)
    # The exclude listing first, then filters and each include entry: four listings, each one page.
    assert len(calls) == 4
    assert json.loads(calls[0]['InstanceIds']) == [LINUX_INSTANCES[1], LINUX_INSTANCES[3]]
    assert (calls[1]['Tag.1.Key'], calls[1]['Tag.1.Value']) == ('role', 'web')
    assert json.loads(calls[2]['InstanceIds']) == [WINDOWS_INSTANCE]
    assert (calls[3]['Tag.1.Key'], calls[3]['Tag.1.Value']) == ('role', 'db')

    # Exclusion wins over every include; the other filters go to the service as the API names them.
    run = inventory(ansible, dict(regions=['cn-beijing'],
                                  filters=dict(status='Running', instance_type='ecs.g7.large',
                                               resource_group_id='rg-emu0000000000001'),
                                  exclude_filters=[dict(instance_name='emu-bj-0000*')]))
    assert run.rc == 0, run.output
    # Web tier (every third from 1), first resource group (odd numbers), not 1 to 9.
    assert sorted(run.hostvars) == ['i-emu-bj-00013', 'i-emu-bj-00019', 'i-emu-bj-00025']
    for hostvars in run.hostvars.values():
        assert hostvars['status'] == 'Running' and hostvars['instance_type'] == 'ecs.g7.large'
        assert hostvars['resource_group_id'] == 'rg-emu0000000000001'
    sent = listing_calls(emulator)
    assert sent[0]['InstanceName'] == 'emu-bj-0000*'
    assert (sent[1]['Status'], sent[1]['InstanceType'], sent[1]['ResourceGroupId']) == (
        'Running', 'ecs.g7.large', 'rg-emu0000000000001')


def test_compose_groups_and_hostvars_prefix(ansible):
    config = dict(regions=['cn-beijing'], hostvars_prefix='ecs_', hostvars_suffix='_x',
                  compose=dict(ansible_host="ecs_instance_name_x ~ '.internal'", tier='ecs_ecs_tags_x.tier'),
                  groups=dict(stopped="ecs_status_x == 'Stopped'"),
                  keyed_groups=[dict(key='tier', prefix='tier'),
                                dict(key='ecs_zone_id_x', separator='', prefix='', leading_separator=False)])
    run = inventory(ansible, config)
    assert run.rc == 0, run.output
    first = run.hostvars['i-emu-bj-00001']
    assert first['ecs_instance_id_x'] == 'i-emu-bj-00001' and 'instance_id' not in first
    assert first['ansible_host'] == 'emu-bj-00001.internal' and first['tier'] == 'web'
    assert run.group('stopped') == ['i-emu-bj-%05d' % n for n in (10, 20, 30)]
    assert run.group('tier_web') == ['i-emu-bj-%05d' % n for n in range(1, 31, 3)]
    assert run.group('cn_beijing_a') == ['i-emu-bj-%05d' % n for n in range(1, 31, 3)]


def test_cache_second_run_makes_no_request(ansible, emulator, tmp_path):
    config = dict(regions=['cn-hangzhou', 'cn-beijing'], cache=True, cache_plugin='ansible.builtin.jsonfile',
                  cache_connection=str(tmp_path / 'cache'), cache_timeout=3600,
                  keyed_groups=[dict(key='status', prefix='status')])
    first = inventory(ansible, config)
    assert first.rc == 0, first.output
    assert emulator.count('DescribeInstances') == 2 and len(first.hostvars) == 44

    # Groups are built afresh from the cached listing: a new keyed group needs no request.
    config['keyed_groups'].append(dict(key='zone_id', prefix='zone'))
    second = inventory(ansible, config)
    assert second.rc == 0, second.output
    assert emulator.requests() == []
    assert second.hostvars == first.hostvars and second.group('status_Stopped') == first.group('status_Stopped')
    assert second.group('zone_cn_hangzhou_h')

    # ansible-playbook --flush-cache lists again (ansible-inventory has the flag only since 2.17).
    emulator.clear_log()
    play = ansible.workdir / 'empty-play.yml'
    play.write_text('- hosts: localhost\n  gather_facts: false\n  tasks: []\n')
    flushed = subprocess.run(
        [os.path.join(BIN, 'ansible-playbook'), '-i', write_config(ansible, config), '--flush-cache', str(play)],
        capture_output=True, text=True, env=ansible.env, cwd=str(ansible.workdir), check=False, timeout=300)
    assert flushed.returncode == 0 and emulator.count('DescribeInstances') == 2, flushed.stdout + flushed.stderr
    # Other filters are another listing: not answered from the cache.
    config['filters'] = dict(status='Running')
    filtered = inventory(ansible, config)
    assert filtered.rc == 0 and emulator.count('DescribeInstances') == 2
    assert STOPPED_INSTANCE not in filtered.hostvars


def test_regions_are_listed_in_parallel_in_pages_of_100(ansible, emulator):
    # The first request to arrive is held 3 s: listed one region after the other, nothing else could come first.
    emulator.set_control({'faults': [{'action': 'DescribeInstances', 'kind': 'slow', 'delay': 3, 'count': 1}]})
    try:
        run = inventory(ansible, dict(regions=['cn-hangzhou', 'cn-shanghai', 'cn-beijing']))
    finally:
        emulator.set_control({})
    assert run.rc == 0, run.output
    assert sorted(run.hostvars) == sorted(HANGZHOU + SHANGHAI + BEIJING)
    assert [run.hostvars[host]['region_id'] for host in (HANGZHOU[0], SHANGHAI[0], BEIJING[0])] == [
        'cn-hangzhou', 'cn-shanghai', 'cn-beijing']
    lines = emulator.requests('DescribeInstances')
    per_region = dict((region, [line['params'] for line in lines if line['params']['RegionId'] == region])
                      for region in ('cn-hangzhou', 'cn-shanghai', 'cn-beijing'))
    # ceil(instances / 100) calls per region, each asking for the largest page and following NextToken.
    assert [len(per_region[region]) for region in ('cn-hangzhou', 'cn-shanghai', 'cn-beijing')] == [
        math.ceil(14 / 100.0), math.ceil(250 / 100.0), math.ceil(30 / 100.0)]
    assert all(params['MaxResults'] == '100' for params in per_region['cn-shanghai'])
    assert ['NextToken' in params for params in per_region['cn-shanghai']] == [False, True, True]
    slowed = [index for index, line in enumerate(lines) if line['fault'] == 'slow']
    assert len(slowed) == 1 and slowed[0] > 0, [line['params']['RegionId'] for line in lines]


def test_cloud_assistant_status_is_one_call_per_50_hosts(ansible, emulator):
    emulator.set_control({'offline_agents': [LINUX_INSTANCES[2]]})
    try:
        run = inventory(ansible, dict(regions=['cn-hangzhou', 'cn-shanghai'], cloud_assistant_status=True,
                                      groups=dict(agent_offline='not cloud_assistant_online')))
    finally:
        emulator.set_control({})
    assert run.rc == 0, run.output
    assert run.hostvars[LINUX_INSTANCES[0]]['cloud_assistant_online'] is True
    assert run.hostvars[LINUX_INSTANCES[0]]['cloud_assistant_version']
    offline = set(run.group('agent_offline'))
    assert {LINUX_INSTANCES[2], STOPPED_INSTANCE, 'i-emu-sh-00010'} <= offline and LINUX_INSTANCES[0] not in offline
    calls = listing_calls(emulator, 'DescribeCloudAssistantStatus')
    assert sorted(len([key for key in params if key.startswith('InstanceId.')]) for params in calls) == [
        14, 50, 50, 50, 50, 50]
    assert len(calls) == math.ceil(14 / 50.0) + math.ceil(250 / 50.0)


def test_a_failed_region_is_a_warning_without_strict_and_an_error_with_it(ansible, emulator, tmp_path):
    config = dict(regions=['cn-beijing', 'xx-nowhere-1'], cache=True, cache_plugin='ansible.builtin.jsonfile',
                  cache_connection=str(tmp_path / 'cache'))
    run = inventory(ansible, config)
    assert run.rc == 0, run.output
    assert sorted(run.hostvars) == BEIJING
    assert 'region xx-nowhere-1: DescribeInstances failed: InvalidRegionId.NotFound' in run.stderr
    assert 'not cached' in run.stderr and 'Traceback' not in run.output
    # The partial listing was not cached: the next run asks again.
    again = inventory(ansible, config)
    assert again.rc == 0 and emulator.count('DescribeInstances') == 2

    config['strict'] = True
    run = failing(ansible, config)
    assert 'region xx-nowhere-1: DescribeInstances failed: InvalidRegionId.NotFound' in run.stderr
    assert 'region cn-beijing' not in run.stderr


def test_throttling_is_retried_and_a_refusal_names_region_and_code(ansible, emulator):
    emulator.set_control({'faults': [{'action': 'DescribeInstances', 'kind': 'throttle', 'count': 2}]})
    try:
        run = inventory(ansible, dict(regions=['cn-beijing']))
    finally:
        emulator.set_control({})
    assert run.rc == 0 and len(run.hostvars) == 30
    assert [line['code'] for line in emulator.requests()] == ['Throttling.User', 'Throttling.User', None]

    # A RAM user without the permission: the service refuses, nothing to retry.
    emulator.set_control({'faults': [{'action': 'DescribeInstances', 'kind': 'server_error', 'code': 'Forbidden.RAM',
                                      'status': 403}]})
    try:
        run = failing(ansible, dict(regions=['cn-beijing']))
    finally:
        emulator.set_control({})
    assert 'region cn-beijing: DescribeInstances failed: Forbidden.RAM' in run.stderr
    assert emulator.count('DescribeInstances') == 1


@pytest.mark.parametrize('config, env, message', [
    (dict(filters=dict(colour='red')), {}, "filters: unknown filter 'colour'; the filters are instance_ids"),
    (dict(include_filters=[dict(tags='role=web')]), {}, 'include_filters[0]: the filter tags takes a dict'),
    (dict(hostnames=['tag:']), {}, "hostnames entry 'tag:' is empty"),
    (dict(profile='prod'), {}, 'choose one credential source: access_key/secret_key and profile were given together'),
    (dict(endpoint='ftp://127.0.0.1'), {}, 'the scheme must be http or https'),
    (dict(), {'ALIBABA_CLOUD_REGION_ID': ''}, 'no region: set regions, region, or ALIBABA_CLOUD_REGION_ID'),
    (dict(regions=['cn-hangzhou']), {'ALIBABA_CLOUD_ACCESS_KEY_SECRET': 'not-the-secret'},
     'region cn-hangzhou: DescribeInstances failed: SignatureDoesNotMatch'),
    # Every region failing is an error even without strict.
    (dict(regions=['cn-hangzhou', 'cn-beijing'], access_key='LTAIUNKNOWN000000'), {},
     'region cn-hangzhou: DescribeInstances failed: InvalidAccessKeyId.NotFound'),
])
def test_bad_options_fail_clearly_without_traceback_or_secret(ansible, emulator, config, env, message):
    run = failing(ansible, config, '--list', '-vvv', env=env)
    assert message in run.stderr, run.stderr
    assert 'not-the-secret' not in run.output
    if 'failed:' not in message:
        assert emulator.requests() == []  # refused before any request


def test_environment_precedence_is_the_modules(ansible, emulator):
    # Both spellings set: ALIBABA_CLOUD_* wins, as the modules' env_fallback takes the first one listed.
    good_first = {'ALIBABA_CLOUD_ACCESS_KEY_SECRET': ACCESS_KEY_SECRET, 'ALICLOUD_SECRET_KEY': 'not-the-secret'}
    run = inventory(ansible, dict(), env=good_first)
    assert run.rc == 0 and sorted(run.hostvars) == HANGZHOU
    bad_first = {'ALIBABA_CLOUD_ACCESS_KEY_SECRET': 'not-the-secret', 'ALICLOUD_SECRET_KEY': ACCESS_KEY_SECRET}
    failed = failing(ansible, dict(), env=bad_first)
    assert 'SignatureDoesNotMatch' in failed.stderr
    module = ansible.playbook([{'name': 'info', 'alicloud.ecs.ecs_instance_info': {}, 'ignore_errors': True}],
                              env=bad_first)
    assert module.task('info')['error']['code'] == 'SignatureDoesNotMatch'
    assert ansible.playbook([{'name': 'info', 'alicloud.ecs.ecs_instance_info': {}}], env=good_first).rc == 0
    assert ACCESS_KEY_ID in ansible.env.values()


def test_ansible_doc_renders_the_plugin_with_examples_and_the_modules_options(ansible):
    process = subprocess.run([os.path.join(BIN, 'ansible-doc'), '-t', 'inventory', 'alicloud.ecs.ecs'],
                             capture_output=True, text=True, env=ansible.env, check=True)
    for needle in ('EXAMPLES', 'plugin: alicloud.ecs.ecs', 'include_filters', 'exclude_filters', 'hostnames',
                   'cloud_assistant_status', 'keyed_groups', 'cache_plugin', 'ecs_tags'):
        assert needle in process.stdout, needle
    rendered = json.loads(subprocess.run([os.path.join(BIN, 'ansible-doc'), '-j', '-t', 'inventory', 'alicloud.ecs.ecs'],
                                         capture_output=True, text=True, env=ansible.env, check=True).stdout)
    options = rendered['alicloud.ecs.ecs']['doc']['options']
    # Every connection option of the modules, with their aliases and (reversed, see the fragment) their variables.
    for name, spec in alicloud_argument_spec().items():
        assert options[name]['type'] == spec['type'] and options[name]['description']
        assert options[name].get('aliases', []) == spec.get('aliases', [])
        fallback = spec['fallback'][1] if spec.get('fallback') else []
        assert [entry['name'] for entry in options[name].get('env', [])] == list(reversed(fallback)), name
    assert 'regions' in options['region']['description'][0]
