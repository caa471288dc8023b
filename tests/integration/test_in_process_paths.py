# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Each module and the role on both paths: in the controller's process and as ordinary modules (issue 13).

The whole suite runs on the module path with ALICLOUD_ECS_IN_PROCESS=false in pytest's environment;
this file runs a subset on both paths in every run, and checks that they answer alike.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from conftest import IN_PROCESS
from emulator.harness import LINUX_INSTANCES

A, B = LINUX_INSTANCES[6:8]
MARKERS = dict(in_process='runs in the controller process', module='runs as a module')


def ran_on(run, path, tasks):
    """Every one of ``tasks`` collection tasks ran on ``path``, none on the other."""
    other = [name for name in MARKERS if name != path][0]
    assert run.stdout.count(MARKERS[path]) == tasks, run.stdout[-3000:]
    assert MARKERS[other] not in run.stdout


def task(module, title, **args):
    return {'name': title, 'alicloud.ecs.%s' % module: args}


def test_every_module_on_each_path(ansible_on_each_path):
    ansible = ansible_on_each_path
    name = 'paths-%s' % ansible.path
    tasks = [
        dict(task('ecs_command', 'command', name=name, command_content='echo "on $ECS_EMULATOR_INSTANCE_ID"'),
             register='command'),
        task('ecs_command_info', 'command info', name=name),
        task('ecs_instance_info', 'instance info', instance_ids=[B, A]),
        task('ecs_invocation', 'invocation', command_id='{{ command.command_id }}', instance_ids=[A, B]),
        task('ecs_invocation', 'converged', command_id='{{ command.command_id }}', instance_ids=[B, A]),
        task('ecs_invocation_info', 'invocation info', command_id='{{ command.command_id }}', include_output=True),
        task('ecs_invocation', 'absent', state='absent', command_id='{{ command.command_id }}', instance_ids=[A, B]),
        task('ecs_command', 'command absent', name=name, state='absent'),
        task('ecs_send_file', 'send file', instance_ids=[A], target_dir='/tmp/' + name, name='hello.txt',
             content='hello\n'),
    ]
    run = ansible.playbook(tasks, args=['-vvv'])
    assert run.rc == 0, run.stdout
    ran_on(run, ansible.path, len(tasks))
    command = run.task('command')
    assert command['changed'] is True and command['command']['name'] == name
    assert [item['command_id'] for item in run.task('command info')['commands']] == [command['command_id']]
    assert sorted(run.task('instance info')['ids']) == sorted([A, B])
    invocation = run.task('invocation')
    assert invocation['changed'] is True and invocation['status'] == 'Success'
    assert [item['output'] for item in invocation['instances']] == ['on %s\n' % A, 'on %s\n' % B]
    converged = run.task('converged')
    assert converged['changed'] is False and converged['invoke_id'] == invocation['invoke_id']
    listed = run.task('invocation info')['invocations']
    assert [item['invoke_id'] for item in listed] == [invocation['invoke_id']]
    assert listed[0]['instances'][0]['output'] == 'on %s\n' % A
    assert run.task('absent')['changed'] is False      # finished: nothing to stop
    assert run.task('command absent')['changed'] is True
    assert ansible.emulator.count('InvokeCommand') == 1 and ansible.emulator.count('DeleteCommand') == 1
    sent = run.task('send file')
    assert sent['changed'] is True and [item['instance_id'] for item in sent['instances']] == [A]
    assert ansible.emulator.count('SendFile') == 1


def test_check_mode_and_diff_on_each_path(ansible_on_each_path):
    ansible = ansible_on_each_path
    run = ansible.playbook([task('ecs_command', 'command', name='check-%s' % ansible.path, command_content='true')],
                           check=True, diff=True, args=['-vvv'])
    assert run.rc == 0, run.stdout
    ran_on(run, ansible.path, 1)
    result = run.task('command')
    assert result['changed'] is True and not result['command_id']
    assert not result['diff']['before'] and result['diff']['after']['name'] == 'check-%s' % ansible.path
    assert ansible.emulator.count('CreateCommand') == 0


def test_warnings_on_each_path(ansible_on_each_path):
    ansible = ansible_on_each_path
    tasks = [dict(task('ecs_command', 'command', name='big-%s' % ansible.path,
                       command_content='head -c 30000 /dev/zero | tr "\\0" x'), register='command'),
             task('ecs_invocation', 'run', command_id='{{ command.command_id }}', instance_ids=[A])]
    run = ansible.playbook(tasks, args=['-vvv'])
    assert run.rc == 0, run.stdout
    ran_on(run, ansible.path, 2)
    result = run.task('run')
    dropped = result['instances'][0]['dropped']
    assert dropped > 0
    assert any(A in warning and '%d bytes' % dropped in warning for warning in result.get('warnings', [])), result


def test_the_role_on_each_path(ansible_on_each_path):
    ansible = ansible_on_each_path
    role = [{'name': 'run the role', 'ansible.builtin.include_role': {'name': 'alicloud.ecs.run_command'},
             'vars': dict(run_command_content='echo role on %s' % ansible.path, run_command_instance_ids=[B, A])}]
    run = ansible.playbook(role, args=['-vvv'])
    assert run.rc == 0, run.stdout
    assert MARKERS[ansible.path] in run.stdout
    assert MARKERS['module' if ansible.path == 'in_process' else 'in_process'] not in run.stdout
    result = run.task('Record the result')['ansible_facts']['run_command_result']
    assert result['status'] == 'Success' and result['instance_ids'] == sorted([A, B])
    assert [item['output'] for item in result['instances']] == ['role on %s\n' % ansible.path] * 2


BAD_INPUT = [
    task('ecs_invocation', 'unknown option', command_id='c-x', instance_ids=[A], colour='red'),
    task('ecs_invocation', 'bad choice', command_id='c-x', instance_ids=[A], repeat_mode='Sometimes'),
    task('ecs_command', 'missing name', command_content='true'),
    task('ecs_instance_info', 'bad type', instance_ids=[A], tags='not a dict'),
    task('ecs_command_info', 'no region', region=''),
]


def test_bad_input_fails_alike_on_both_paths(ansible):
    """The same messages word for word: both paths use AnsibleModule's own validation."""
    tasks = [dict(item, ignore_errors=True) for item in BAD_INPUT]
    messages = {}
    for value in ('true', 'false'):
        run = ansible.playbook(tasks, env={IN_PROCESS: value, 'ALIBABA_CLOUD_REGION_ID': ''})
        assert [run.status(item['name']) for item in BAD_INPUT] == ['ignored'] * len(BAD_INPUT), run.stdout
        messages[value] = [run.task(item['name'])['msg'] for item in BAD_INPUT]
        assert ansible.emulator.requests() == []
    assert messages['true'] == messages['false']
    assert 'colour' in messages['true'][0] and 'Sometimes' in messages['true'][1]
    assert messages['true'][4].startswith('region is required')
