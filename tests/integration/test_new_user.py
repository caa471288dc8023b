# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What a new user meets: a changed script runs again, reruns of a failed part, and failures that say what to do."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

import pytest

from emulator.harness import LINUX_INSTANCES, STOPPED_INSTANCE, WINDOWS_INSTANCE
from emulator.helpers import create_command, invoke, make_client

MUTATING = ('InvokeCommand', 'RunCommand', 'StopInvocation', 'CreateCommand', 'ModifyCommand', 'DeleteCommand')
A, B, C = LINUX_INSTANCES[4:7]


@pytest.fixture
def sdk(emulator):
    return make_client(emulator)


def task(module='ecs_invocation', label='run', **args):
    return dict(name=label, register='r', **{'alicloud.ecs.' + module: args})


def mutating(emu):
    return [line['action'] for line in emu.requests() if line['action'] in MUTATING]


def test_changed_script_runs_again_and_then_converges(ansible):
    def play(script):
        return ansible.playbook([
            task('ecs_command', label='command', name='changing', command_content=script),
            task(label='run', command_id='{{ r.command_id }}', instance_ids=[A]),
        ])
    first = play('echo one')
    assert first.task('run')['instances'][0]['output'] == 'one\n'
    second = play('echo two')
    assert second.task('command')['changed'] is True
    assert second.task('command')['command_id'] == first.task('command')['command_id']  # changed in place
    assert second.task('run')['changed'] is True and second.task('run')['instances'][0]['output'] == 'two\n'
    again = ansible.playbook([task(command_id=first.task('command')['command_id'], instance_ids=[A])])
    assert again.task('run')['changed'] is False and again.task('run')['instances'][0]['output'] == 'two\n'
    assert mutating(ansible.emulator) == []


def test_absent_with_only_the_command_stops_every_active_invocation(ansible, sdk):
    command_id = create_command(sdk, 'sleep 30', name='long-running', timeout=60)
    first = invoke(sdk, command_id, [A])
    second = invoke(sdk, command_id, [B, C])
    run = ansible.playbook([task(state='absent', command_id=command_id)])
    result = run.task('run')
    assert run.rc == 0, run.stdout
    assert result['changed'] is True and sorted(result['stopped']) == sorted([first, second])
    assert sorted(line['params']['InvokeId'] for line in ansible.emulator.requests('StopInvocation')) == \
        sorted([first, second])
    again = ansible.playbook([task(state='absent', command_id=command_id)])
    assert again.task('run')['changed'] is False and mutating(ansible.emulator) == []


def test_check_mode_on_a_fresh_account_reports_it_would_invoke(ansible):
    run = ansible.playbook([
        task('ecs_command', label='command', name='not-yet', command_content='echo hi'),
        task(label='run', command_id='{{ r.command_id }}', instance_ids=[A]),
    ], check=True)
    assert run.rc == 0, run.stdout
    assert run.task('command')['command_id'] is None
    assert run.task('run')['changed'] is True and run.task('run')['invoke_id'] is None
    assert mutating(ansible.emulator) == []
    assert 'DescribeInvocations' not in [line['action'] for line in ansible.emulator.requests()]


@pytest.mark.parametrize('targets, command_type, words', [
    ([A, STOPPED_INSTANCE], 'RunShellScript', ['%s is Stopped' % STOPPED_INSTANCE, 'start them']),
    ([A, 'i-not-here'], 'RunShellScript', ['i-not-here not found in region cn-hangzhou', 'region option']),
    ([A, WINDOWS_INSTANCE], 'RunShellScript', ['RunShellScript cannot run on Windows: %s' % WINDOWS_INSTANCE,
                                               'RunPowerShellScript']),
    ([A], 'RunPowerShellScript', ['RunPowerShellScript cannot run on Linux: %s' % A, 'use RunShellScript']),
])
def test_preflight_finds_what_cannot_run(ansible, sdk, targets, command_type, words):
    command_id = create_command(sdk, 'echo hi', name='preflight-' + command_type, type=command_type)
    run = ansible.playbook([task(command_id=command_id, instance_ids=targets)])
    result = run.task('run')
    assert run.status('run') == 'failed'
    assert result['msg'].startswith('pre-flight check failed, nothing was invoked')
    for word in words:
        assert word in result['msg']
    assert mutating(ansible.emulator) == []


def test_failure_message_quotes_the_output_and_error(ansible, sdk):
    command_id = create_command(sdk, 'echo step one; echo "disk full" >&2; exit 4', name='fails')
    run = ansible.playbook([task(command_id=command_id, instance_ids=[A])])
    message = run.task('run')['msg']
    assert '%s Failed (ExitCodeNonzero, exit code 4' % A in message
    assert 'output ends: step one | disk full' in message


def test_cut_output_warns_with_the_bytes_lost(ansible, sdk):
    command_id = create_command(sdk, 'head -c 30000 /dev/zero | tr "\\0" x', name='big-output')
    run = ansible.playbook([task(command_id=command_id, instance_ids=[A])])
    result = run.task('run')
    dropped = result['instances'][0]['dropped']
    assert dropped > 0
    warning = ' '.join(result.get('warnings', []))
    assert A in warning and '%d bytes' % dropped in warning and 'oss_output_delivery' in warning


def test_secret_parameters_are_used_and_never_shown(ansible, sdk):
    command_id = create_command(sdk, 'echo "user={{user}} len=$(printf %s "{{token}}" | wc -c)"', name='secret',
                                enable_parameter=True)
    secret = 'S3cr3t-value-42'
    run = ansible.playbook([task(command_id=command_id, instance_ids=[A], parameters={'user': 'deploy'},
                                 secret_parameters={'token': secret})], diff=True, args=['-vvv'])
    result = run.task('run')
    assert run.rc == 0, run.stdout
    assert result['instances'][0]['output'] == 'user=deploy len=%d\n' % len(secret)
    assert result['parameters'] == {'user': 'deploy'}
    assert secret not in run.stdout and secret not in run.stderr
    again = ansible.playbook([task(command_id=command_id, instance_ids=[A], parameters={'user': 'deploy'},
                                   secret_parameters={'token': secret})])
    assert again.task('run')['changed'] is False
    changed = ansible.playbook([task(command_id=command_id, instance_ids=[A], parameters={'user': 'deploy'},
                                     secret_parameters={'token': 'other'})])
    assert changed.task('run')['changed'] is True


def test_parameter_disabled_hints_at_enable_parameter(ansible, sdk):
    command_id = create_command(sdk, 'echo hi', name='no-params')
    run = ansible.playbook([task(command_id=command_id, instance_ids=[A], parameters={'x': '1'}, preflight=False)])
    result = run.task('run')
    assert 'Parameter.Disabled' in result['msg'] and 'enable_parameter' in result['msg']
    assert result['error']['code'] == 'Parameter.Disabled' and result['error']['request_id']


def test_wrong_secret_hints_at_secret_key(ansible):
    run = ansible.playbook([task('ecs_instance_info', label='run')],
                           env={'ALIBABA_CLOUD_ACCESS_KEY_SECRET': 'wrong'})
    result = run.task('run')
    assert 'SignatureDoesNotMatch' in result['msg'] and 'secret_key' in result['msg']
    assert 'wrong' not in result['msg']
    assert result['error']['code'] == 'SignatureDoesNotMatch'


def test_unreachable_endpoint_names_it_without_urllib3(ansible):
    run = ansible.playbook([task('ecs_instance_info', label='run')], env={'ALIBABA_CLOUD_ECS_ENDPOINT': 'http://127.0.0.1:1'})
    result = run.task('run')
    assert 'cannot connect to http://127.0.0.1:1 (connection refused)' in result['msg']
    assert 'HTTPConnection' not in result['msg'] and 'Max retries' not in result['msg']


def test_missing_credentials_say_how_to_give_them(ansible, tmp_path):
    env = dict((name, '') for name in ('ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET'))
    # No metadata service on the way: the credential chain's last step fails at once.
    env.update(ALIBABA_CLOUD_ECS_METADATA_DISABLED='true', ALIBABA_CLOUD_IMDSV1_DISABLED='true')
    run = ansible.playbook([task('ecs_instance_info', label='run')], env=env)
    result = run.task('run')
    assert result['error']['code'] == 'NoCredentials', result['msg']
    assert 'no Alibaba Cloud credentials were found' in result['msg']
    for way in ('access_key', 'ALIBABA_CLOUD_ACCESS_KEY_ID', 'profile', 'ecs_role_name'):
        assert way in result['msg']
    assert ansible.emulator.requests() == []
    assert os.path.isdir(str(tmp_path))


def test_info_takes_instance_ids_and_max_results_and_instance_info_gives_ids(ansible, sdk):
    command_id = create_command(sdk, 'echo listed', name='listed')
    on_a = invoke(sdk, command_id, [A])
    on_b = invoke(sdk, command_id, [B])
    invoke(sdk, command_id, [C])
    run = ansible.playbook([
        task('ecs_invocation_info', label='both', command_id=command_id, instance_ids=[A, B]),
        task('ecs_invocation_info', label='newest', command_id=command_id, max_results=1),
        task('ecs_instance_info', label='instances', instance_ids=[B, A]),
    ])
    assert run.rc == 0, run.stdout
    assert sorted(item['invoke_id'] for item in run.task('both')['invocations']) == sorted([on_a, on_b])
    assert len(run.task('newest')['invocations']) == 1
    assert sorted(run.task('instances')['ids']) == sorted([A, B])
    assert run.task('instances')['ids'] == [item['instance_id'] for item in run.task('instances')['instances']]


def test_rerun_of_the_failed_part_then_converges(ansible, sdk):
    # B fails once (no marker yet in its working directory), then succeeds.
    script = ('if [ "$ECS_EMULATOR_INSTANCE_ID" = "%s" ] && [ ! -f marker ]; then touch marker; exit 3; fi; '
              'echo fine' % B)
    command_id = create_command(sdk, script, name='fails-once')
    first = ansible.playbook([task(command_id=command_id, instance_ids=[A, B])])
    assert first.task('run')['status'] == 'PartialFailed'
    second = ansible.playbook([task(command_id=command_id, instance_ids=[B, A])])
    rerun = second.task('run')
    assert second.rc == 0, second.stdout
    assert rerun['changed'] is True and rerun['status'] == 'Success'
    assert [line['params']['InstanceId.1'] for line in ansible.emulator.requests('InvokeCommand')] == [B]
    assert [item['output'] for item in rerun['instances']] == ['fine\n', 'fine\n']
    third = ansible.playbook([task(command_id=command_id, instance_ids=[A, B])])
    converged = third.task('run')
    assert converged["changed"] is False and converged["status"] == "Success", (converged, [(l["action"], l["params"]) for l in ansible.emulator.requests()])
    assert converged['invoke_ids'] == rerun['invoke_ids']
    assert mutating(ansible.emulator) == []
