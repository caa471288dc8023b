# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The SendFile plumbing shared by ecs_send_file and the connection plugin: limits, modes, waiting, result shape."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64

import pytest

from ansible_collections.alicloud.ecs.plugins.module_utils import files


def test_content_up_to_one_sendfile_is_sent_as_base64():
    params = files.send_file_params(['i-1'], '/tmp', 'f', b'\x00\xff' * (files.MAX_CONTENT_BYTES // 2), mode='600')
    assert len(params['Content']) == files.MAX_CONTENT_BASE64 == 32 * 1024
    assert base64.b64decode(params['Content']) == b'\x00\xff' * (files.MAX_CONTENT_BYTES // 2)
    assert (params['ContentType'], params['FileMode'], params['Overwrite']) == ('Base64', '0600', False)
    with pytest.raises(files.ContentTooLarge, match='at most 24576 bytes'):
        files.send_file_params(['i-1'], '/tmp', 'f', b'x' * (files.MAX_CONTENT_BYTES + 1))


@pytest.mark.parametrize('mode', ['rw', '0999', '12', 644.0])
def test_bad_modes_are_refused(mode):
    with pytest.raises(ValueError, match='octal string'):
        files.check_mode_string(mode)


def test_wait_polls_until_every_delivery_settled():
    answers = {'f-1': [{'InvokeInstances': {'InvokeInstance': [{'InvocationStatus': 'Pending'}]}},
                       {'InvokeInstances': {'InvokeInstance': [{'InvocationStatus': 'Success', 'InstanceId': 'i-1'}]}}],
               'f-2': [{'InvokeInstances': {'InvokeInstance': [{'InvocationStatus': 'Failed', 'InstanceId': 'i-2'}]}}]}

    class Client(object):
        def call(self, action, params):
            assert action == 'DescribeSendFileResults'
            return {'Invocations': {'Invocation': [answers[params['InvokeId']].pop(0)]}}
    sleeps = []
    done = files.wait(Client(), ['f-1', 'f-2'], 10, sleep=sleeps.append, clock=lambda: 0)
    assert [files.records(raw)[0]['InstanceId'] for raw in done] == ['i-1', 'i-2']
    assert len(sleeps) == 1


def test_wait_gives_up_naming_what_is_still_under_way():
    class Client(object):
        def call(self, action, params):
            return {'Invocations': {'Invocation': [{'InvokeInstances': {'InvokeInstance': [
                {'InvocationStatus': 'Running'}]}}]}}
    times = iter([0, 5, 11])
    with pytest.raises(TimeoutError, match='f-9'):
        files.wait(Client(), ['f-9'], 10, sleep=lambda s: None, clock=lambda: next(times))


def test_result_shape_leaves_the_content_out_and_names_failures():
    raw = {'InvokeId': 'f-1', 'Content': 'c2VjcmV0', 'Name': 'a', 'InvocationStatus': 'PartialFailed',
           'InvokeInstances': {'InvokeInstance': [
               {'InstanceId': 'i-2', 'InvocationStatus': 'Failed', 'ErrorCode': 'FileAlreadyExists', 'ErrorInfo': 'exists'},
               {'InstanceId': 'i-1', 'InvocationStatus': 'Success', 'ErrorCode': '', 'ErrorInfo': ''}]}}
    result = files.send_result(raw)
    assert 'content' not in result and result['instance_ids'] == ['i-1', 'i-2']
    assert files.failures(result) == ['i-2 (FileAlreadyExists: exists)']
