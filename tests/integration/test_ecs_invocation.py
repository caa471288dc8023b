# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""ecs_invocation end to end: real ansible-playbook runs against the emulator."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from emulator.harness import ACCESS_KEY_SECRET, LINUX_INSTANCES, STOPPED_INSTANCE
from emulator.helpers import create_command, invoke, make_client

MUTATING = ('InvokeCommand', 'RunCommand', 'StopInvocation', 'CreateCommand', 'ModifyCommand', 'DeleteCommand')
A, B, C, D = LINUX_INSTANCES[:4]


@pytest.fixture
def sdk(emulator):
    return make_client(emulator)


def invocation_task(name='run', **args):
    return dict(name=name, register='r', **{'alicloud.ecs.ecs_invocation': args})


def mutating_calls(emu):
    return [line['action'] for line in emu.requests() if line['action'] in MUTATING]


def test_first_run_waits_for_output_then_rerun_is_converged(ansible, sdk):
    command_id = create_command(sdk, 'echo "hello from $ECS_EMULATOR_INSTANCE_ID"; pwd', name='hello')
    first = ansible.playbook([invocation_task(command_id=command_id, instance_ids=[A, B])])
    result = first.task('run')
    assert first.rc == 0, first.stdout
    assert result['changed'] is True
    assert result['status'] == 'Success'
    assert result['instance_ids'] == sorted([A, B])
    for item in result['instances']:
        assert item['exit_code'] == 0 and item['status'] == 'Success'
        assert item['output'].startswith('hello from %s\n' % item['instance_id'])
    assert ansible.emulator.count('InvokeCommand') == 1

    again = ansible.playbook([invocation_task(command_id=command_id, instance_ids=[B, A, B])])
    rerun = again.task('run')
    assert rerun['changed'] is False
    assert rerun['invoke_id'] == result['invoke_id']
    assert rerun['instances'][0]['output'] == result['instances'][0]['output']
    # A converged rerun is two reads made at once: the match with its output, and the command's current content.
    assert sorted(line['action'] for line in ansible.emulator.requests()) == ['DescribeCommands', 'DescribeInvocations']


def test_match_beyond_the_first_page(ansible, sdk):
    command_id = create_command(sdk, 'echo paged', name='paged')
    first = ansible.playbook([invocation_task(command_id=command_id, instance_ids=[A, C])])
    invoke_id = first.task('run')['invoke_id']
    for dummy in range(55):  # newer invocations of the same command on the first instance, alone
        invoke(sdk, command_id, [A])
    again = ansible.playbook([invocation_task(command_id=command_id, instance_ids=[C, A], include_output=False)])
    assert again.task('run')['changed'] is False
    assert again.task('run')['invoke_id'] == invoke_id
    pages = ansible.emulator.requests('DescribeInvocations')
    assert len(pages) == 2 and 'NextToken' in pages[1]['params']
    assert mutating_calls(ansible.emulator) == []


def test_check_mode_invokes_nothing(ansible, sdk):
    command_id = create_command(sdk, 'echo check', name='check')
    run = ansible.playbook([invocation_task(command_id=command_id, instance_ids=[A])], check=True, diff=True)
    result = run.task('run')
    assert result['changed'] is True
    assert result['invoke_id'] is None
    assert result['diff']['before'] == {} and result['diff']['after']['instance_ids'] == [A]
    assert mutating_calls(ansible.emulator) == []
    assert ansible.emulator.count('DescribeCloudAssistantStatus') == 0


def test_changed_parameters_replace(ansible, sdk):
    command_id = create_command(sdk, 'echo "v={{version}}"', name='params', enable_parameter=True)
    first = ansible.playbook([invocation_task(command_id=command_id, instance_ids=[A], parameters={'version': '1'})])
    assert first.task('run')['instances'][0]['output'] == 'v=1\n'
    same = ansible.playbook([invocation_task(command_id=command_id, instance_ids=[A], parameters={'version': '1'})])
    assert same.task('run')['changed'] is False
    second = ansible.playbook([invocation_task(command_id=command_id, instance_ids=[A], parameters={'version': 2})],
                              diff=True)
    result = second.task('run')
    assert result['changed'] is True
    assert result['invoke_id'] != first.task('run')['invoke_id']
    assert result['instances'][0]['output'] == 'v=2\n'
    assert result['diff']['before']['parameters'] == {'version': '1'}
    assert result['diff']['after']['parameters'] == {'version': '2'}
    # The old one had finished: nothing to stop.
    assert mutating_calls(ansible.emulator) == ['InvokeCommand']


def test_periodic_is_scheduled_then_absent_stops_it(ansible, sdk):
    command_id = create_command(sdk, 'date', name='periodic')
    args = dict(command_id=command_id, instance_ids=[A, B], repeat_mode='Period', frequency='rate(5m)')
    first = ansible.playbook([invocation_task(**args)])
    assert first.task('run')['status'] == 'Scheduled', first.stdout
    assert first.task('run')['frequency'] == 'rate(5m)'
    invoke_id = first.task('run')['invoke_id']

    again = ansible.playbook([invocation_task(**args)])
    assert again.task('run')['changed'] is False

    stop = ansible.playbook([invocation_task(state='absent', command_id=command_id, instance_ids=[B, A])], diff=True)
    result = stop.task('run')
    assert result['changed'] is True and result['stopped'] == [invoke_id]
    assert result['status'] in ('Stopping', 'Stopped')
    assert [line['params']['InvokeId'] for line in ansible.emulator.requests('StopInvocation')] == [invoke_id]

    stop_again = ansible.playbook([invocation_task(state='absent', command_id=command_id, instance_ids=[A, B])])
    assert stop_again.task('run')['changed'] is False
    assert mutating_calls(ansible.emulator) == []


def test_timed_means_period_and_changed_frequency_replaces_and_stops(ansible, sdk):
    command_id = create_command(sdk, 'date', name='timed')
    first = ansible.playbook([invocation_task(command_id=command_id, instance_ids=[C], timed=True, frequency='rate(10m)')])
    assert first.task('run')['repeat_mode'] == 'Period'
    second = ansible.playbook([invocation_task(command_id=command_id, instance_ids=[C], timed=True, frequency='rate(20m)')])
    assert second.task('run')['changed'] is True
    assert mutating_calls(ansible.emulator) == ['StopInvocation', 'InvokeCommand']
    assert ansible.emulator.requests('StopInvocation')[0]['params']['InvokeId'] == first.task('run')['invoke_id']
    ansible.playbook([invocation_task(state='absent', command_id=command_id, instance_ids=[C])])


def test_absent_on_a_finished_invocation_is_unchanged(ansible, sdk):
    command_id = create_command(sdk, 'true', name='finished')
    ansible.playbook([invocation_task(command_id=command_id, instance_ids=[A])])
    run = ansible.playbook([invocation_task(state='absent', command_id=command_id, instance_ids=[A])])
    assert run.task('run')['changed'] is False
    assert run.task('run')['status'] == 'Success'
    assert mutating_calls(ansible.emulator) == []


def test_failing_instance_fails_the_task_and_the_next_run_invokes_again(ansible, sdk):
    script = 'if [ "$ECS_EMULATOR_INSTANCE_ID" = "%s" ]; then echo broken >&2; exit 3; fi; echo fine' % B
    command_id = create_command(sdk, script, name='partial')
    first = ansible.playbook([invocation_task(command_id=command_id, instance_ids=[A, B])])
    result = first.task('run')
    assert first.rc != 0 and first.status('run') == 'failed'
    assert result['status'] == 'PartialFailed'
    assert B in result['msg'] and 'ExitCodeNonzero' in result['msg'] and 'exit code 3' in result['msg']
    assert A not in result['msg']
    assert result['invoke_id'] and result['changed'] is True
    failing = [item for item in result['instances'] if item['instance_id'] == B][0]
    assert failing['exit_code'] == 3 and 'broken' in failing['output']

    # The next run invokes only the instance that failed; the result still covers the whole set.
    second = ansible.playbook([invocation_task(command_id=command_id, instance_ids=[A, B])])
    rerun = second.task('run')
    assert rerun['invoke_id'] != result['invoke_id']
    assert rerun['invoke_ids'] == [rerun['invoke_id'], result['invoke_id']]
    assert rerun['instance_ids'] == sorted([A, B])
    assert mutating_calls(ansible.emulator) == ['InvokeCommand']
    invoked = ansible.emulator.requests('InvokeCommand')[0]['params']
    assert invoked['InstanceId.1'] == B and 'InstanceId.2' not in invoked
    by_id = dict((item['instance_id'], item['invoke_id']) for item in rerun['instances'])
    assert by_id == {A: result['invoke_id'], B: rerun['invoke_id']}

    # B still fails (the script did not change): the task fails again, and rerun=all runs both.
    assert rerun['status'] == 'PartialFailed'
    both = ansible.playbook([invocation_task(command_id=command_id, instance_ids=[A, B], rerun='all')])
    assert both.task('run')['instance_ids'] == sorted([A, B])
    invoked = ansible.emulator.requests('InvokeCommand')[0]['params']
    assert sorted([invoked['InstanceId.1'], invoked['InstanceId.2']]) == sorted([A, B])


def test_instance_that_is_not_running_is_named(ansible, sdk):
    command_id = create_command(sdk, 'echo hi', name='stopped-instance')
    run = ansible.playbook([invocation_task(command_id=command_id, instance_ids=[A, STOPPED_INSTANCE], preflight=False)])
    result = run.task('run')
    assert result['status'] == 'PartialFailed'
    assert STOPPED_INSTANCE in result['msg'] and 'InstanceNotRunning' in result['msg']


def test_preflight_names_an_offline_agent_and_invokes_nothing(ansible, sdk):
    command_id = create_command(sdk, 'echo hi', name='preflight')
    ansible.emulator.set_control({'offline_agents': [B]})
    try:
        run = ansible.playbook([invocation_task(command_id=command_id, instance_ids=[A, B])])
    finally:
        ansible.emulator.set_control({})
    result = run.task('run')
    assert run.status('run') == 'failed'
    assert 'pre-flight' in result['msg'] and B in result['msg'] and A not in result['msg']
    assert mutating_calls(ansible.emulator) == []


def test_wait_timeout_fails_clearly(ansible, sdk):
    command_id = create_command(sdk, 'sleep 20', name='slow', timeout=60)
    run = ansible.playbook([invocation_task(command_id=command_id, instance_ids=[D], wait_timeout=2)])
    result = run.task('run')
    assert run.status('run') == 'failed'
    assert result['msg'].startswith('timed out after 2 s waiting for invocation %s (Running)' % result['invoke_id'])
    assert '%s Running' % D in result['msg']
    sdk_stop = ansible.playbook([invocation_task(state='absent', invoke_id=result['invoke_id'])])
    assert sdk_stop.task('run')['changed'] is True


def test_wait_false_returns_at_once_and_adoption_waits(ansible, sdk):
    command_id = create_command(sdk, 'sleep 1; echo late', name='nowait')
    run = ansible.playbook([invocation_task(command_id=command_id, instance_ids=[A], wait=False)])
    result = run.task('run')
    assert result['changed'] is True and result['status'] in ('Pending', 'Running')
    adopt = ansible.playbook([invocation_task(invoke_id=result['invoke_id'])])
    adopted = adopt.task('run')
    assert adopted['changed'] is False
    assert adopted['status'] == 'Success' and adopted['instances'][0]['output'] == 'late\n'
    assert mutating_calls(ansible.emulator) == []


def test_throttling_and_a_lost_invoke_answer_make_exactly_one_invocation(ansible, sdk):
    command_id = create_command(sdk, 'echo once >> once.txt; wc -l < once.txt', name='exactly-once')
    ansible.emulator.set_control({'faults': [
        {'action': '*', 'kind': 'throttle', 'count': 3},
        {'action': 'InvokeCommand', 'kind': 'drop_after', 'count': 1}]})
    try:
        run = ansible.playbook([invocation_task(command_id=command_id, instance_ids=[C])])
    finally:
        ansible.emulator.set_control({})
    result = run.task('run')
    assert run.rc == 0, run.stdout
    assert result['status'] == 'Success'
    invokes = ansible.emulator.requests('InvokeCommand')
    assert len(invokes) >= 2
    assert len(set(line['params']['ClientToken'] for line in invokes)) == 1
    listing = ansible.playbook([dict(name='list', register='r', **{'alicloud.ecs.ecs_invocation_info': dict(
        command_id=command_id)})])
    assert len(listing.task('list')['invocations']) == 1


@pytest.mark.parametrize('args, message', [
    (dict(timed=True), 'frequency is required'),
    (dict(repeat_mode='Period'), 'frequency is required'),
    (dict(repeat_mode='Once', timed=True, frequency='rate(5m)'), 'contradicts repeat_mode Once'),
    (dict(parameters=dict(('p%d' % n, n) for n in range(11))), 'at most 10'),
    (dict(parameters={'k' * 65: 'v'}), 'limited to 64 characters'),
    (dict(instance_ids=[]), 'at least one instance'),
    (dict(instance_ids=None), 'instance_ids is required'),
    (dict(command_id=None), 'command_id is required'),
    (dict(repeat_mode='Sometimes'), 'value of repeat_mode must be one of'),
    (dict(timeout=5), 'at least 10 seconds'),
])
def test_bad_input_fails_before_any_call(ansible, args, message):
    task = dict(command_id='c-whatever', instance_ids=[A])
    task.update(args)
    task = dict((key, value) for key, value in task.items() if value is not None)
    run = ansible.playbook([invocation_task(**task)])
    assert message in run.task('run')['msg']
    assert ansible.emulator.requests() == []


def test_unknown_command_is_the_api_error(ansible):
    run = ansible.playbook([invocation_task(command_id='c-doesnotexist', instance_ids=[A], preflight=False)])
    result = run.task('run')
    assert result['msg'].startswith('InvokeCommand failed: InvalidCmdId.NotFound: ')
    assert result['error']['code'] == 'InvalidCmdId.NotFound'
    assert 'Traceback' not in run.stdout


def test_secret_never_in_verbose_output(ansible, sdk):
    command_id = create_command(sdk, 'echo quiet', name='secret')
    run = ansible.playbook([invocation_task(command_id=command_id, instance_ids=[A], secret_key=ACCESS_KEY_SECRET)],
                           args=['-vvv'])
    assert run.task('run')['status'] == 'Success'
    assert ACCESS_KEY_SECRET not in run.stdout + run.stderr
