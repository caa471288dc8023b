# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Invocation domain logic that needs no API: input checks, result shape, messages, polling schedule."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64

import pytest

from ansible_collections.alicloud.ecs.plugins.module_utils.invocations import (
    InvocationError,
    Poller,
    desired_state,
    differences,
    failure_message,
    invocation_result,
)


def params(**given):
    values = dict(command_id='c-1', instance_ids=['i-2', 'i-1', 'i-2'], timed=False)
    values.update(given)
    return values


def test_instance_set_is_sorted_and_deduplicated():
    assert desired_state(params())['instance_ids'] == ['i-1', 'i-2']


def test_timed_with_frequency_means_period():
    desired = desired_state(params(timed=True, frequency='rate(5m)'))
    assert desired['repeat_mode'] == 'Period' and desired['frequency'] == 'rate(5m)'


@pytest.mark.parametrize('given', [dict(frequency='rate(5m)'), dict(repeat_mode='EveryReboot', frequency='rate(5m)'),
                                   dict(instance_ids=[' ', '']), dict(timeout=9)])
def test_contradictions(given):
    with pytest.raises(InvocationError):
        desired_state(params(**given))


def test_parameters_become_strings_and_unset_attributes_are_not_compared():
    desired = desired_state(params(parameters={'n': 3}))
    current = dict(parameters={'n': '3'}, repeat_mode='Once', username='root', working_dir='/root', timeout=60)
    assert differences(current, desired) == []
    assert differences(dict(current, parameters={}), desired) == ['parameters']


def test_result_shape_and_failure_message():
    raw = {'InvokeId': 't-1', 'InvocationStatus': 'PartialFailed', 'CommandId': 'c-1', 'RepeatMode': 'Once',
           'Parameters': '{"a": "b"}', 'Timeout': 60,
           'InvokeInstances': {'InvokeInstance': [
               {'InstanceId': 'i-2', 'InvocationStatus': 'Failed', 'ExitCode': 3, 'ErrorCode': 'ExitCodeNonzero',
                'Output': base64.b64encode(b'boom\n').decode()},
               {'InstanceId': 'i-1', 'InvocationStatus': 'Success', 'ExitCode': 0, 'Output': ''}]}}
    result = invocation_result(raw)
    assert result['instance_ids'] == ['i-1', 'i-2']
    assert result['parameters'] == {'a': 'b'}
    assert result['instances'][1]['output'] == 'boom\n' and result['instances'][1]['exit_code'] == 3
    assert failure_message(result) == 'invocation t-1 finished PartialFailed: i-2 Failed (ExitCodeNonzero, exit code 3)'


def test_poller_backs_off_from_half_a_second_to_ten():
    poller = Poller(rand=lambda: 0.0)
    assert [poller.interval(t) for t in (0, 1, 2, 4, 20, 100)] == [0.5, 0.5, 0.5, 1.0, 5.0, 10.0]
    jittered = Poller(rand=lambda: 1.0)
    assert jittered.interval(20) == pytest.approx(4.5)  # jitter only shortens the wait


def test_poll_count_for_a_command_grows_slowly():
    poller = Poller(rand=lambda: 0.0)

    def polls(duration):
        elapsed, count = poller.first, 1
        while elapsed < duration:
            elapsed += poller.interval(elapsed)
            count += 1
        return count

    assert polls(3) <= 7
    assert polls(120) <= 30
