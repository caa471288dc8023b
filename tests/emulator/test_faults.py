# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Faults on demand (control file and flags) and the request log."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import time

import pytest
from alibabacloud_ecs20140526 import models
from alibabacloud_tea_openapi.exceptions import ServerException, ThrottlingException
from darabonba.exceptions import UnretryableException
from Tea.exceptions import TeaException

from emulator.harness import ACCESS_KEY_SECRET, LINUX_INSTANCES, REGION, Emulator
from emulator.helpers import create_command, invoke, make_client, run, wait_for


def _commands(client):
    return client.describe_commands(models.DescribeCommandsRequest(region_id=REGION))


def _invocations_of(client, command_id):
    request = models.DescribeInvocationsRequest(region_id=REGION, command_id=command_id)
    return client.describe_invocations(request).body.total_count


def test_throttle_count(client, emulator):
    emulator.set_control({'faults': [{'action': 'DescribeCommands', 'kind': 'throttle', 'count': 2}]})
    for _attempt in range(2):
        with pytest.raises(TeaException) as info:
            _commands(client)
        assert (info.value.code, info.value.status_code) == ('Throttling.User', 400)
        assert info.value.data['Message'] == 'Request was denied due to user flow control.'
    assert _commands(client).body.request_id
    # other actions are not hit
    client.describe_instances(models.DescribeInstancesRequest(region_id=REGION))
    entries = emulator.requests('DescribeCommands')[-3:]
    assert [(e['status'], e['code'], e['fault']) for e in entries] == [
        (400, 'Throttling.User', 'throttle'), (400, 'Throttling.User', 'throttle'), (200, None, None)]


def test_throttle_retry_after(client, emulator):
    emulator.set_control({'faults': [{'action': '*', 'kind': 'throttle', 'count': 1, 'retry_after_ms': 1500}]})
    with pytest.raises(ThrottlingException) as info:
        _commands(client)
    assert info.value.retry_after == 1500


def test_throttle_rate_is_deterministic(client, emulator):
    outcomes = []
    for _round in range(2):
        emulator.set_control({'faults': [{'action': 'DescribeCommands', 'kind': 'throttle', 'rate': 0.5, 'seed': 7}]})
        results = []
        for _n in range(12):
            try:
                _commands(client)
                results.append(True)
            except TeaException:
                results.append(False)
        outcomes.append(results)
    assert outcomes[0] == outcomes[1]
    assert True in outcomes[0] and False in outcomes[0]


def test_server_errors(client, emulator):
    emulator.set_control({'faults': [{'action': 'DescribeInvocations', 'kind': 'server_error', 'count': 1},
                                     {'action': 'DescribeCommands', 'kind': 'server_error', 'code': 'InternalError', 'count': 1}]})
    with pytest.raises(ServerException) as info:
        client.describe_invocations(models.DescribeInvocationsRequest(region_id=REGION))
    assert (info.value.code, info.value.status_code) == ('ServiceUnavailable', 503)
    with pytest.raises(ServerException) as info:
        _commands(client)
    assert (info.value.code, info.value.status_code) == ('InternalError', 500)
    assert client.describe_invocations(models.DescribeInvocationsRequest(region_id=REGION)).body.request_id


def test_drop_after_creates_the_invocation_but_loses_the_answer(client, emulator):
    command_id = create_command(client, 'echo lost answer')
    emulator.set_control({'faults': [{'action': 'InvokeCommand', 'kind': 'drop_after', 'count': 1}]})
    with pytest.raises(UnretryableException):
        invoke(client, command_id, [LINUX_INSTANCES[0]])
    assert _invocations_of(client, command_id) == 1
    assert emulator.requests('InvokeCommand')[-1]['fault'] == 'drop_after'
    # the fault is spent: the next call answers
    assert invoke(client, command_id, [LINUX_INSTANCES[0]]).startswith('t-hz')
    assert _invocations_of(client, command_id) == 2


def test_drop_does_nothing(client, emulator):
    command_id = create_command(client, 'echo dropped')
    emulator.set_control({'faults': [{'action': '*', 'kind': 'drop', 'count': 1}]})
    with pytest.raises(UnretryableException):
        invoke(client, command_id, [LINUX_INSTANCES[0]])
    assert _invocations_of(client, command_id) == 0
    entry = emulator.requests('InvokeCommand')[-1]
    assert (entry['status'], entry['fault']) == (0, 'drop')


def test_slow_answer(emulator):
    emulator.set_control({'faults': [{'action': 'DescribeCommands', 'kind': 'slow', 'delay': 1.0, 'count': 2}]})
    impatient = make_client(emulator, read_timeout=300)
    with pytest.raises(UnretryableException):
        _commands(impatient)
    started = time.time()
    assert _commands(make_client(emulator)).body.request_id
    assert time.time() - started >= 0.9
    entry = emulator.requests('DescribeCommands')[-1]
    assert (entry['status'], entry['fault']) == (200, 'slow')


def test_offline_agent(client, emulator):
    offline = LINUX_INSTANCES[6]
    emulator.set_control({'offline_agents': [offline]})
    invoke_id = run(client, 'echo hi', [LINUX_INSTANCES[0], offline])
    invocation = wait_for(client, invoke_id)
    records = dict((r['InstanceId'], r) for r in invocation['InvokeInstances']['InvokeInstance'])
    assert invocation['InvocationStatus'] == 'PartialFailed'
    assert records[offline]['ErrorCode'] == 'ClientNotRunning'
    assert records[offline]['InvocationStatus'] == 'Aborted'


def test_stop_mid_run(client, emulator):
    victim = LINUX_INSTANCES[9]
    emulator.set_control({'stop_mid_run': [victim]})
    invoke_id = run(client, 'echo begin; sleep 20', [victim])
    invocation = wait_for(client, invoke_id, include_output=True, content_encoding='PlainText')
    record = invocation['InvokeInstances']['InvokeInstance'][0]
    assert invocation['InvocationStatus'] == 'Failed'
    assert (record['InvocationStatus'], record['ErrorCode']) == ('Error', 'ExecutionInterrupted')
    status = client.describe_instances(models.DescribeInstancesRequest(region_id=REGION, instance_ids='["%s"]' % victim)).body
    assert status.instances.instance[0].status == 'Stopped'
    # the instance stays stopped; the control file can start it again
    emulator.set_control({'instance_status': {victim: 'Running'}})
    status = client.describe_instances(models.DescribeInstancesRequest(region_id=REGION, instance_ids='["%s"]' % victim)).body
    assert status.instances.instance[0].status == 'Running'


def test_request_log_lines(client_factory, emulator):
    emulator.clear_log()
    assert emulator.requests() == []
    client = client_factory()
    invoke_id = run(client, 'echo logged', [LINUX_INSTANCES[0]])
    wait_for(client, invoke_id)
    with pytest.raises(TeaException):
        client_factory(access_key_secret='wrong').describe_instances(models.DescribeInstancesRequest(region_id=REGION))
    legacy = client_factory(signature_algorithm='v2')
    legacy.describe_instances(models.DescribeInstancesRequest(region_id=REGION))
    entries = emulator.requests()
    assert entries[0]['action'] == 'RunCommand'
    assert entries[0]['params']['CommandContent'] == 'echo logged'
    assert entries[0]['params']['InstanceId.1'] == LINUX_INSTANCES[0]
    assert emulator.count('DescribeInvocations') >= 1
    failed = [e for e in entries if e['status'] != 200]
    assert [(e['action'], e['status'], e['code']) for e in failed] == [('DescribeInstances', 400, 'SignatureDoesNotMatch')]
    for entry in entries:
        assert set(entry) == set(['time', 'action', 'params', 'status', 'code', 'fault'])
        assert isinstance(entry['time'], float)
        assert 'Signature' not in entry['params'] and 'SecurityToken' not in entry['params']
        assert ACCESS_KEY_SECRET not in str(entry)
    assert entries[-1]['params']['AccessKeyId']


def test_fault_and_agent_flags(tmp_path):
    args = ['--no-exec', '--offline-agent', 'i-emu-linux-02',
            '--fault', '{"action": "DescribeCommands", "kind": "throttle", "count": 1}']
    with Emulator(tmp_path, extra_args=args) as emu:
        client = make_client(emu)
        with pytest.raises(TeaException) as info:
            _commands(client)
        assert info.value.code == 'Throttling.User'
        assert _commands(client).body.request_id
        invoke_id = run(client, 'echo sim', ['i-emu-linux-01', 'i-emu-linux-02'])
        invocation = wait_for(client, invoke_id, include_output=True, content_encoding='PlainText')
        records = dict((r['InstanceId'], r) for r in invocation['InvokeInstances']['InvokeInstance'])
        assert records['i-emu-linux-01']['Output'].startswith('simulated output of ')
        assert records['i-emu-linux-02']['ErrorCode'] == 'ClientNotRunning'
