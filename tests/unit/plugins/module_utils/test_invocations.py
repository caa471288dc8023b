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
    desired_state,
    differences,
    plan,
    Current,
)
from ansible_collections.alicloud.ecs.plugins.module_utils.results import (
    combined_result,
    failure_message,
    invocation_result,
    rollup,
)
from ansible_collections.alicloud.ecs.plugins.module_utils.waiting import Poller


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
    assert failure_message(result) == ('invocation t-1 finished PartialFailed: i-2 Failed (ExitCodeNonzero, exit code 3; '
                                       'output ends: boom)')


def _raw(invoke_id, records, status='PartialFailed', content='ZWNobyBhCg=='):
    return {'InvokeId': invoke_id, 'InvocationStatus': status, 'CommandId': 'c-1', 'RepeatMode': 'Once',
            'CommandContent': content, 'CommandType': 'RunShellScript',
            'InvokeInstances': {'InvokeInstance': [dict(InstanceId=i, InvocationStatus=s) for i, s in records]}}


def test_message_says_exit_code_only_for_commands_that_ran():
    raw = _raw('t-1', [('i-1', 'Invalid'), ('i-2', 'Aborted')], status='Failed')
    raw['InvokeInstances']['InvokeInstance'][0].update(ExitCode=0, ErrorCode='CommandNotApplicable',
                                                       ErrorInfo='the command type does not fit the OS')
    message = failure_message(invocation_result(raw))
    assert 'exit code' not in message
    assert 'i-1 Invalid (CommandNotApplicable: the command type does not fit the OS)' in message


def test_failure_message_names_at_most_twenty_instances():
    raw = _raw('t-1', [('i-%03d' % n, 'Failed') for n in range(25)], status='Failed')
    assert failure_message(invocation_result(raw)).endswith('and 5 more')


def test_rerun_part_covers_the_failed_instances_and_rolls_up():
    base = _raw('t-1', [('i-1', 'Success'), ('i-2', 'Failed')])
    rerun = _raw('t-2', [('i-2', 'Success')], status='Success')
    result = combined_result([rerun, base], ['i-1', 'i-2'])
    assert result['invoke_ids'] == ['t-2', 't-1'] and result['status'] == 'Success'
    assert [item['invoke_id'] for item in result['instances']] == ['t-1', 't-2']
    assert rollup(['Success', 'Failed']) == 'PartialFailed' and rollup(['Stopped']) == 'Stopped'


def test_plan_reruns_only_what_did_not_succeed_unless_told_all():
    desired = desired_state(params(instance_ids=['i-1', 'i-2', 'i-3']))
    current = Current([_raw('t-1', [('i-1', 'Success'), ('i-2', 'Failed'), ('i-3', 'Timeout')])], 'run-1', desired['instance_ids'])
    command = {'CommandContent': 'ZWNobyBhCg==', 'Type': 'RunShellScript'}
    rerun = plan(current, command, desired, dict(rerun='failed'))
    assert rerun.action == 'rerun' and rerun.instance_ids == ['i-2', 'i-3']
    assert plan(current, command, desired, dict(rerun='all')).instance_ids == ['i-1', 'i-2', 'i-3']


def test_plan_invokes_again_when_the_command_content_changed():
    desired = desired_state(params(instance_ids=['i-1']))
    current = Current([_raw('t-1', [('i-1', 'Success')], status='Success')], 'run-1', desired['instance_ids'])
    same = plan(current, {'CommandContent': 'ZWNobyBhCg==', 'Type': 'RunShellScript'}, desired, {})
    assert same.action == 'converged'
    changed = plan(current, {'CommandContent': 'ZWNobyBiCg==', 'Type': 'RunShellScript'}, desired, {})
    assert changed.action == 'invoke' and 'command content' in changed.reason
    assert plan(current, None, desired, {}).action == 'converged'  # a public command: nothing to compare


def test_secret_parameters_merge_and_must_not_repeat_a_name():
    desired = desired_state(params(parameters={'user': 'u'}, secret_parameters={'token': 's3'}))
    assert desired['parameters'] == {'user': 'u', 'token': 's3'} and desired['secret_keys'] == ['token']
    with pytest.raises(InvocationError, match='both'):
        desired_state(params(parameters={'token': 'a'}, secret_parameters={'token': 'b'}))


@pytest.mark.parametrize('given, words', [
    (dict(instance_tags={'env': 'prod'}), 'not both'),
    (dict(instance_ids=None, instance_tags={}), 'at least one tag'),
    (dict(instance_ids=None, instance_tags={'env': None}), "key and a value.*'env'"),
    (dict(instance_ids=None, instance_tags=dict(('k%d' % n, 'v') for n in range(21))), 'at most 20'),
    (dict(concurrency='ten'), 'percentage such as'),
    (dict(concurrency=0), 'at least 1'),
    (dict(concurrency='150%'), 'at most 100%'),
    (dict(concurrency=True), 'percentage such as'),
    (dict(max_failures=-1), 'percentage such as'),
    (dict(concurrency=5, wait=False), 'need wait=true'),
    (dict(max_failures=0, repeat_mode='Period', frequency='rate(5m)'), 'apply to repeat_mode Once'),
    (dict(oss_output_delivery='s3://x'), 'oss://'),
    (dict(tags={'ansible:alicloud.ecs:run': 'x'}), "collection's own")])
def test_more_bad_input(given, words):
    with pytest.raises(InvocationError, match=words):
        desired_state(params(**given))


def test_any_number_of_instances_and_the_rate_limits():
    desired = desired_state(params(instance_ids=['i-%04d' % n for n in range(1000)], concurrency='10%', max_failures='2'))
    assert len(desired['instance_ids']) == 1000
    assert desired['concurrency'].of(1000) == 100 and desired['max_failures'].of(1000) == 2
    assert desired_state(params(max_failures='0%'))['max_failures'].of(7) == 0
    chosen = desired_state(params(instance_ids=None, instance_tags={'tier': 'web', 'n': 1}, resource_group_id='rg-1'))
    assert chosen['instance_ids'] is None and chosen['instance_tags'] == {'tier': 'web', 'n': '1'}


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
