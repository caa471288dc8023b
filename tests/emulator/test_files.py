# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""SendFile and DescribeSendFileResults through the official SDK."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import os
import stat
import time
import uuid

import pytest
from alibabacloud_ecs20140526 import models
from Tea.exceptions import TeaException

from emulator.harness import LINUX_INSTANCES, REGION, STOPPED_INSTANCE, WINDOWS_INSTANCE

L1, L2 = LINUX_INSTANCES[6], LINUX_INSTANCES[7]


def _send(client, instances, **kwargs):
    kwargs.setdefault('name', 'f-%s.txt' % uuid.uuid4().hex[:8])
    kwargs.setdefault('target_dir', '/tmp/sent')
    kwargs.setdefault('content', 'hello\n')
    request = models.SendFileRequest(region_id=REGION, instance_id=list(instances), **kwargs)
    return client.send_file(request).body.invoke_id, kwargs['name']


def _results(client, **kwargs):
    request = models.DescribeSendFileResultsRequest(region_id=REGION, **kwargs)
    return client.describe_send_file_results(request).body.to_map()


def _wait(client, invoke_id):
    deadline = time.time() + 10
    while True:
        invocation = _results(client, invoke_id=invoke_id)['Invocations']['Invocation'][0]
        if invocation['InvocationStatus'] not in ('Pending', 'Running'):
            return invocation
        assert time.time() < deadline, invocation
        time.sleep(0.03)


def _by_instance(invocation):
    return dict((i['InstanceId'], i) for i in invocation['InvokeInstances']['InvokeInstance'])


def _error(call):
    with pytest.raises(TeaException) as info:
        call()
    return info.value


def _scratch(emulator, instance_id, *parts):
    return os.path.join(str(emulator.state_dir), instance_id, *parts)


def test_send_file_writes_into_each_scratch_root(client, emulator):
    invoke_id, name = _send(client, [L1, L2], content='line one\nzwei\n', file_mode='0600', target_dir='/tmp/new/dir')
    assert invoke_id.startswith('f-hz')
    invocation = _wait(client, invoke_id)
    assert invocation['InvocationStatus'] == 'Success'
    assert (invocation['Name'], invocation['TargetDir'], invocation['FileMode']) == (name, '/tmp/new/dir', '0600')
    assert (invocation['ContentType'], invocation['Content'], invocation['Overwrite']) == ('PlainText', 'line one\nzwei\n', False)
    assert (invocation['FileOwner'], invocation['FileGroup'], invocation['VmCount']) == ('root', 'root', 2)
    for instance_id in (L1, L2):
        record = _by_instance(invocation)[instance_id]
        assert (record['InvocationStatus'], record['ErrorCode']) == ('Success', '')
        assert record['FinishTime'].endswith('Z')
        path = _scratch(emulator, instance_id, 'tmp', 'new', 'dir', name)
        with open(path) as handle:
            assert handle.read() == 'line one\nzwei\n'
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_base64_content_is_kept_as_sent_and_written_decoded(client, emulator):
    data = b'\x00\xffbinary\n'
    encoded = base64.b64encode(data).decode('ascii')
    invoke_id, name = _send(client, [L1], content=encoded, content_type='Base64')
    invocation = _wait(client, invoke_id)
    assert (invocation['Content'], invocation['ContentType']) == (encoded, 'Base64')
    with open(_scratch(emulator, L1, 'tmp', 'sent', name), 'rb') as handle:
        assert handle.read() == data
    assert stat.S_IMODE(os.stat(_scratch(emulator, L1, 'tmp', 'sent', name)).st_mode) == 0o644


def test_overwrite_false_gives_file_already_exists(client, emulator):
    name = 'exists-%s' % uuid.uuid4().hex[:6]
    _wait(client, _send(client, [L1], name=name, content='first')[0])
    invocation = _wait(client, _send(client, [L1, L2], name=name, content='second')[0])
    records = _by_instance(invocation)
    assert (records[L1]['InvocationStatus'], records[L1]['ErrorCode']) == ('Failed', 'FileAlreadyExists')
    assert records[L2]['InvocationStatus'] == 'Success'
    assert invocation['InvocationStatus'] == 'PartialFailed'
    with open(_scratch(emulator, L1, 'tmp', 'sent', name)) as handle:
        assert handle.read() == 'first'
    invocation = _wait(client, _send(client, [L1], name=name, content='third', overwrite=True)[0])
    assert invocation['InvocationStatus'] == 'Success'
    with open(_scratch(emulator, L1, 'tmp', 'sent', name)) as handle:
        assert handle.read() == 'third'


def test_per_instance_problems(client, emulator):
    emulator.set_control({'offline_agents': [L2]})
    invocation = _wait(client, _send(client, [L1, L2, STOPPED_INSTANCE, WINDOWS_INSTANCE])[0])
    records = _by_instance(invocation)
    assert records[L1]['InvocationStatus'] == 'Success'
    assert (records[L2]['InvocationStatus'], records[L2]['ErrorCode']) == ('Aborted', 'ClientNotRunning')
    assert (records[STOPPED_INSTANCE]['InvocationStatus'], records[STOPPED_INSTANCE]['ErrorCode']) == \
        ('Aborted', 'InstanceNotRunning')
    assert records[WINDOWS_INSTANCE]['InvocationStatus'] == 'Success'
    invocation = _wait(client, _send(client, [L1], file_owner='no-such-user-emu')[0])
    assert _by_instance(invocation)[L1]['ErrorCode'] == 'UserOrGroupNotExist'


def test_send_file_limits(client):
    too_big = 'x' * (24 * 1024 + 1)                 # 32 KB + 4 bytes once Base64-encoded
    assert _error(lambda: _send(client, [L1], content=too_big)).code == 'InvalidContent.ExceedLimit'
    _send(client, [L1], content='x' * (24 * 1024))  # exactly 32 KB once encoded: accepted
    assert _error(lambda: _send(client, ['i-x%02d' % n for n in range(51)])).code == 'InstanceIds.ExceedLimit'
    assert _error(lambda: _send(client, ['i-nope'])).code == 'InvalidInstance.NotFound'
    assert _error(lambda: _send(client, [L1], content_type='Zip')).code == 'InvalidParameter.ContentType'
    assert _error(lambda: _send(client, [L1], content='not base64!', content_type='Base64')).code == 'InvalidParameter.Content'
    assert _error(lambda: _send(client, [L1], file_mode='rw-r--r--')).code == 'InvalidParameter.FileMode'
    assert _error(lambda: _send(client, [L1], target_dir='relative')).code == 'InvalidParameter.TargetDir'
    assert _error(lambda: _send(client, [L1], name='a/b')).code == 'InvalidParameter.Name'
    assert _error(lambda: _send(client, [L1], content='')).code == 'MissingParameter.Content'


def test_client_token_and_results_paging(client):
    token = uuid.uuid4().hex
    first, name = _send(client, [L1], client_token=token, name='tok-%s' % token[:6], overwrite=True,
                        tag=[models.SendFileRequestTag(key='suite', value=token[:8])])
    again, _name = _send(client, [L1], client_token=token, name=name, overwrite=True,
                         tag=[models.SendFileRequestTag(key='suite', value=token[:8])])
    assert again == first
    assert _error(lambda: _send(client, [L1], client_token=token, name=name + 'x')).code == 'IdempotentParameterMismatch'
    sent = [first] + [_send(client, [L2], tag=[models.SendFileRequestTag(key='suite', value=token[:8])])[0] for _n in range(3)]
    seen, next_token = [], None
    while True:
        body = _results(client, max_results=2, next_token=next_token,
                        tag=[models.DescribeSendFileResultsRequestTag(key='suite', value=token[:8])])
        assert body['TotalCount'] == 4
        seen += [i['InvokeId'] for i in body['Invocations']['Invocation']]
        next_token = body['NextToken']
        if not next_token:
            break
    assert seen == list(reversed(sent))
    assert [i['InvokeId'] for i in _results(client, name=name)['Invocations']['Invocation']] == [first]
