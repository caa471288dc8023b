# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Every answer round-trips through the SDK's typed response model with no field left over.

The typed client turns each answer body into its model with ``from_map``; a key the model does
not know is silently dropped there, so an invented or misspelt field would go unnoticed. These
tests keep the raw body the server sent and compare it with ``Model().from_map(body).to_map()``.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import sys
import time

import pytest
from alibabacloud_ecs20140526 import models
from alibabacloud_ecs20140526.client import Client
from alibabacloud_tea_openapi.models import Config

from emulator.harness import ACCESS_KEY_ID, ACCESS_KEY_SECRET, LINUX_INSTANCES, REGION, WINDOWS_INSTANCE, Emulator
from emulator.helpers import b64, wait_for

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import emu_actions  # noqa: E402  pylint: disable=wrong-import-position


class RecordingClient(Client):
    """The official typed client, keeping the raw answer body of every call."""

    def __init__(self, config):
        super(RecordingClient, self).__init__(config)
        self.raw = []

    def call_api(self, params, request, runtime):
        result = super(RecordingClient, self).call_api(params, request, runtime)
        self.raw.append((params.action, result.get('body')))
        return result


def left_over(raw, mapped, path='body'):
    """Paths of every key (or value) in `raw` that `mapped` lost or changed."""
    problems = []
    if isinstance(raw, dict):
        if not isinstance(mapped, dict):
            return ['%s (a dict became %r)' % (path, type(mapped).__name__)]
        for key, value in raw.items():
            where = '%s.%s' % (path, key)
            if key not in mapped:
                problems.append(where)
            else:
                problems.extend(left_over(value, mapped[key], where))
    elif isinstance(raw, list):
        if not isinstance(mapped, list) or len(mapped) != len(raw):
            return ['%s (list of %d became %r)' % (path, len(raw), mapped)]
        for index, (item, other) in enumerate(zip(raw, mapped)):
            problems.extend(left_over(item, other, '%s[%d]' % (path, index)))
    elif raw != mapped:
        problems.append('%s (%r became %r)' % (path, raw, mapped))
    return problems


def test_left_over_reports_every_path():
    raw = {'A': 1, 'B': {'C': [{'D': 1, 'E': 2}]}, 'F': [1, 2]}
    mapped = {'A': 1, 'B': {'C': [{'D': 1}]}, 'F': [1]}
    assert left_over(raw, mapped) == ['body.B.C[0].E', 'body.F (list of 2 became [1])']
    assert left_over(raw, raw) == []


@pytest.fixture(scope='module')
def recorded(tmp_path_factory):
    """Drive every action the emulator implements through the typed client; answer (action, raw body, model class)."""
    workdir = tmp_path_factory.mktemp('models')
    args = ['--pending-delay', '0.02', '--min-timeout', '1', '--fleet-size', '100']
    with Emulator(workdir, extra_args=args) as emu:
        client = RecordingClient(Config(access_key_id=ACCESS_KEY_ID, access_key_secret=ACCESS_KEY_SECRET,
                                        endpoint=emu.endpoint, protocol='http', region_id=REGION))
        calls = []

        def call(method, request):
            response = getattr(client, method)(request)
            action, body = client.raw[-1]
            calls.append((action, body, type(response.body)))
            return response.body

        tag = models.CreateCommandRequestTag(key='team', value='ops')
        command_id = call('create_command', models.CreateCommandRequest(
            region_id=REGION, name='models-cmd', type='RunShellScript', command_content=b64('echo {{who}}; hostname'),
            enable_parameter=True, description='d', working_dir='/tmp', timeout=30, launcher='', tag=[tag])).command_id
        call('modify_command', models.ModifyCommandRequest(region_id=REGION, command_id=command_id, description='d2'))
        call('describe_commands', models.DescribeCommandsRequest(region_id=REGION, max_results=1))
        invoke_tags = [models.InvokeCommandRequestTag(key='batch', value='b1')]
        invoke_id = call('invoke_command', models.InvokeCommandRequest(
            region_id=REGION, command_id=command_id, instance_id=LINUX_INSTANCES[:3], parameters={'who': 'me'},
            tag=invoke_tags, termination_mode='ProcessTree', username='root',
            oss_output_delivery='oss://emu-bucket/out')).invoke_id
        run = call('run_command', models.RunCommandRequest(
            region_id=REGION, type='RunShellScript', command_content='echo ran; exit 2', instance_id=[LINUX_INSTANCES[0]],
            keep_command=True, tag=[models.RunCommandRequestTag(key='batch', value='b2')]))
        sleeper = call('run_command', models.RunCommandRequest(
            region_id=REGION, type='RunShellScript', command_content='sleep 30', instance_id=[LINUX_INSTANCES[1]], timeout=60))
        win = call('run_command', models.RunCommandRequest(
            region_id=REGION, type='RunShellScript', command_content='echo no', instance_id=[WINDOWS_INSTANCE]))
        probe = Client(Config(access_key_id=ACCESS_KEY_ID, access_key_secret=ACCESS_KEY_SECRET,
                              endpoint=emu.endpoint, protocol='http', region_id=REGION))
        for some_id in (invoke_id, run.invoke_id, win.invoke_id):
            wait_for(probe, some_id)
        wait_for(probe, sleeper.invoke_id, statuses=('Running',))
        call('stop_invocation', models.StopInvocationRequest(region_id=REGION, invoke_id=sleeper.invoke_id))
        wait_for(probe, sleeper.invoke_id, statuses=('Stopped',))
        for output in (True, False):
            call('describe_invocations', models.DescribeInvocationsRequest(
                region_id=REGION, invoke_id=invoke_id, include_output=output))
        call('describe_invocations', models.DescribeInvocationsRequest(region_id=REGION, max_results=2))
        call('describe_invocations', models.DescribeInvocationsRequest(
            region_id=REGION, instance_id=LINUX_INSTANCES[1], include_output=True, content_encoding='PlainText'))
        call('describe_invocation_results', models.DescribeInvocationResultsRequest(region_id=REGION, max_results=2))
        call('describe_invocation_results', models.DescribeInvocationResultsRequest(region_id=REGION, invoke_id=invoke_id))
        first = call('describe_instances', models.DescribeInstancesRequest(region_id=REGION, max_results=100))
        call('describe_instances', models.DescribeInstancesRequest(region_id=REGION, max_results=7, next_token=first.next_token or None))
        call('describe_instances', models.DescribeInstancesRequest(region_id=REGION, page_number=2, page_size=5))
        call('describe_instances', models.DescribeInstancesRequest(
            region_id=REGION, instance_ids=json.dumps([LINUX_INSTANCES[0], WINDOWS_INSTANCE])))
        call('describe_cloud_assistant_status', models.DescribeCloudAssistantStatusRequest(region_id=REGION))
        call('describe_cloud_assistant_status', models.DescribeCloudAssistantStatusRequest(
            region_id=REGION, instance_id=LINUX_INSTANCES[:2]))
        sent = call('send_file', models.SendFileRequest(
            region_id=REGION, instance_id=LINUX_INSTANCES[:2] + [WINDOWS_INSTANCE], name='models.txt', target_dir='/tmp',
            content='x', tag=[models.SendFileRequestTag(key='team', value='ops')]))
        for _n in range(2):
            call('send_file', models.SendFileRequest(region_id=REGION, instance_id=LINUX_INSTANCES[:1], name='models.txt',
                                                     target_dir='/tmp', content='eA==', content_type='Base64'))
        time.sleep(0.2)
        call('describe_send_file_results', models.DescribeSendFileResultsRequest(region_id=REGION, invoke_id=sent.invoke_id))
        call('describe_send_file_results', models.DescribeSendFileResultsRequest(region_id=REGION, max_results=2))
        call('delete_command', models.DeleteCommandRequest(region_id=REGION, command_id=command_id))
        yield calls
        assert 'Traceback' not in emu.stderr(), emu.stderr()


def test_every_action_is_covered(recorded):
    assert set(action for action, _body, _model in recorded) == set(emu_actions.ACTIONS)


def test_answers_round_trip_through_the_typed_models(recorded):
    problems = []
    for action, body, model in recorded:
        for path in left_over(body, model().from_map(body).to_map()):
            problems.append('%s: %s' % (action, path))
    assert problems == []


def test_the_answers_carry_what_the_round_trip_is_about(recorded):
    """Output, tags, paging tokens and full instances are in the recorded answers (so the round trip checks them)."""
    text = json.dumps([body for _action, body, _model in recorded])
    for field in ('"Output"', '"TagKey"', '"NextToken": "AAAAA', '"PublicIpAddress"', '"EipAddress"',
                  '"FinishedTime"', '"StopTime"', '"LastInvokedTime"',
                  '"OssOutputUri": "oss://', '"ResourceGroupId": "rg-', '"LockReason": "financial"', '"NetworkInterfaceId"',
                  '"FileAlreadyExists"', '"VmCount"'):
        assert field in text, field
