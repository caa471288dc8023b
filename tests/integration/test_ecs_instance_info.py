# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""ecs_instance_info end to end, and the shared connection options that every module uses."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

from emulator.harness import (ACCESS_KEY_ID, ACCESS_KEY_SECRET, LINUX_INSTANCES, STOPPED_INSTANCE, STS_ID, STS_SECRET,
                              STS_TOKEN, WINDOWS_INSTANCE)


def info(**args):
    return [dict(name='info', **{'alicloud.ecs.ecs_instance_info': args}, register='r')]


def test_running_instances(ansible):
    run = ansible.playbook(info(status='Running'))
    result = run.task('info')
    assert run.rc == 0, run.stdout
    ids = sorted(item['instance_id'] for item in result['instances'])
    assert ids == sorted(LINUX_INSTANCES + [WINDOWS_INSTANCE])
    assert all(item['status'] == 'Running' for item in result['instances'])
    assert result['changed'] is False
    calls = ansible.emulator.requests('DescribeInstances')
    assert len(calls) == 1
    assert calls[0]['params']['Status'] == 'Running' and calls[0]['params']['RegionId'] == 'cn-hangzhou'


def test_by_ids_any_order_with_agent_status(ansible):
    ansible.emulator.set_control({'offline_agents': [LINUX_INSTANCES[1]]})
    try:
        wanted = [LINUX_INSTANCES[1], STOPPED_INSTANCE, LINUX_INSTANCES[0], LINUX_INSTANCES[1]]
        run = ansible.playbook(info(instance_ids=wanted, cloud_assistant_status=True))
    finally:
        ansible.emulator.set_control({})
    instances = {item['instance_id']: item for item in run.task('info')['instances']}
    assert sorted(instances) == sorted(set(wanted))
    assert instances[LINUX_INSTANCES[0]]['cloud_assistant_online'] is True
    assert instances[LINUX_INSTANCES[1]]['cloud_assistant_online'] is False
    assert instances[STOPPED_INSTANCE]['status'] == 'Stopped'
    sent = json.loads(ansible.emulator.requests('DescribeInstances')[0]['params']['InstanceIds'])
    assert sent == sorted(set(wanted))
    assert ansible.emulator.count('DescribeCloudAssistantStatus') == 1


def test_tags_filter_and_snake_case(ansible):
    run = ansible.playbook(info(tags={'env': 'test'}))
    instances = run.task('info')['instances']
    assert instances, run.stdout
    assert all(item['tags'].get('env') == 'test' for item in instances)
    assert {'instance_id', 'instance_name', 'os_type', 'region_id', 'zone_id'} <= set(instances[0])


def test_check_mode_and_empty_list(ansible):
    run = ansible.playbook(info(instance_ids=[]), check=True)
    assert run.task('info')['instances'] == []
    assert ansible.emulator.requests() == []


def test_sts_credentials_from_options(ansible):
    env = dict(ALIBABA_CLOUD_ACCESS_KEY_ID='', ALIBABA_CLOUD_ACCESS_KEY_SECRET='')
    run = ansible.playbook(info(access_key=STS_ID, secret_key=STS_SECRET, security_token=STS_TOKEN,
                                instance_ids=[LINUX_INSTANCES[0]]), env=env)
    assert run.rc == 0, run.stdout
    assert run.task('info')['instances'][0]['instance_id'] == LINUX_INSTANCES[0]


def test_profile_from_cli_config(ansible):
    aliyun = ansible.workdir / 'home' / '.aliyun'
    aliyun.mkdir(parents=True, exist_ok=True)
    (aliyun / 'config.json').write_text(json.dumps({'current': 'other', 'profiles': [
        {'name': 'emu', 'mode': 'AK', 'access_key_id': ACCESS_KEY_ID, 'access_key_secret': ACCESS_KEY_SECRET,
         'region_id': 'cn-hangzhou'},
        {'name': 'other', 'mode': 'AK', 'access_key_id': 'wrong', 'access_key_secret': 'wrong'}]}))
    env = dict(ALIBABA_CLOUD_ACCESS_KEY_ID='', ALIBABA_CLOUD_ACCESS_KEY_SECRET='')
    run = ansible.playbook(info(profile='emu', instance_ids=[LINUX_INSTANCES[0]]), env=env)
    assert run.rc == 0, run.stdout
    assert len(run.task('info')['instances']) == 1


def test_wrong_secret_is_a_clear_error_and_never_shown(ansible):
    secret = 'not-the-right-secret-4f1c'
    run = ansible.playbook(info(secret_key=secret), args=['-vvv'])
    result = run.task('info')
    assert run.rc != 0
    assert result['msg'].startswith('DescribeInstances failed: SignatureDoesNotMatch: ')
    assert result['error']['code'] == 'SignatureDoesNotMatch'
    assert result['error']['http_status'] == 400 and result['error']['request_id']
    assert 'Traceback' not in run.stdout
    assert secret not in run.stdout and secret not in run.stderr
    assert ACCESS_KEY_SECRET not in run.stdout + run.stderr


def test_unknown_access_key(ansible):
    run = ansible.playbook(info(access_key='LTAInobody'))
    assert run.task('info')['error']['code'] == 'InvalidAccessKeyId.NotFound'


def test_contradictory_credentials_fail_before_any_request(ansible):
    run = ansible.playbook(info(profile='someprofile'))
    result = run.task('info')
    assert 'choose one credential source' in result['msg']
    assert ansible.emulator.requests() == []


def test_region_is_required(ansible):
    run = ansible.playbook(info(), env=dict(ALIBABA_CLOUD_REGION_ID=''))
    assert 'region is required' in run.task('info')['msg']
    assert ansible.emulator.requests() == []


def test_bad_endpoint_is_a_clear_error(ansible):
    run = ansible.playbook(info(endpoint='ftp://127.0.0.1:1'))
    assert 'scheme must be http or https' in run.task('info')['msg']


def test_unreachable_endpoint_is_a_network_error_not_a_traceback(ansible):
    run = ansible.playbook(info(endpoint='http://127.0.0.1:1'))
    result = run.task('info')
    assert result['msg'].startswith('DescribeInstances failed: NetworkError: ')
    assert 'Traceback' not in run.stdout


def test_throttling_is_retried(ansible):
    ansible.emulator.set_control({'faults': [{'action': 'DescribeInstances', 'kind': 'throttle', 'count': 2}]})
    try:
        run = ansible.playbook(info(instance_ids=[LINUX_INSTANCES[0]]))
    finally:
        ansible.emulator.set_control({})
    assert run.rc == 0, run.stdout
    statuses = [line['status'] for line in ansible.emulator.requests('DescribeInstances')]
    assert statuses[-1] == 200 and len(statuses) == 3
