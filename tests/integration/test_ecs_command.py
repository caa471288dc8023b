# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""ecs_command end to end: real ansible-playbook runs against the emulator."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64

from alibabacloud_ecs20140526 import models

from emulator.harness import REGION
from emulator.helpers import create_command, make_client

MUTATING = ('CreateCommand', 'ModifyCommand', 'DeleteCommand', 'InvokeCommand', 'RunCommand', 'StopInvocation')


def command_task(**args):
    """One ecs_command task named "command" (``name`` here is the module's option)."""
    return dict(name='command', register='r', **{'alicloud.ecs.ecs_command': args})


def mutating_calls(emu):
    return [line['action'] for line in emu.requests() if line['action'] in MUTATING]


def listed(ansible, name):
    """The ids of the commands of exactly that name, asked straight from the emulator through the SDK."""
    request = models.DescribeCommandsRequest(region_id=REGION, name=name, max_results=50)
    body = make_client(ansible.emulator).describe_commands(request).body.to_map()
    return [item['CommandId'] for item in body['Commands']['Command'] if item['Name'] == name]


def test_create_rerun_modify_in_place_then_delete(ansible):
    args = dict(name='lifecycle', command_content='echo "one"\n', working_dir='/root', description='first')
    created = ansible.playbook([command_task(**args)])
    result = created.task('command')
    assert created.rc == 0, created.stdout
    assert result['changed'] is True
    command_id = result['command_id']
    assert command_id.startswith('c-') and result['command']['command_id'] == command_id
    assert result['command']['command_content'] == 'echo "one"\n'
    assert result['command']['working_dir'] == '/root' and result['command']['description'] == 'first'
    assert result['command']['type'] == 'RunShellScript'
    create = ansible.emulator.requests('CreateCommand')
    assert len(create) == 1
    # The module encodes plain text itself and says so.
    assert create[0]['params']['ContentEncoding'] == 'Base64'
    assert base64.b64decode(create[0]['params']['CommandContent']) == b'echo "one"\n'
    assert create[0]['params']['Name'] == 'lifecycle'

    again = ansible.playbook([command_task(**args)])
    assert again.task('command')['changed'] is False
    assert again.task('command')['command_id'] == command_id
    assert mutating_calls(ansible.emulator) == []
    assert [line['action'] for line in ansible.emulator.requests()] == ['DescribeCommands']

    args.update(description='second')
    modified = ansible.playbook([command_task(**args)], diff=True)
    result = modified.task('command')
    assert result['changed'] is True
    assert result['command_id'] == command_id
    assert result['command']['description'] == 'second'
    assert result['diff']['before']['description'] == 'first'
    assert result['diff']['after']['description'] == 'second'
    assert mutating_calls(ansible.emulator) == ['ModifyCommand']
    modify = ansible.emulator.requests('ModifyCommand')[0]['params']
    assert modify['CommandId'] == command_id and modify['Description'] == 'second'
    assert 'CommandContent' not in modify and 'WorkingDir' not in modify

    args.update(command_content='echo "two"\n')
    content = ansible.playbook([command_task(**args)])
    assert content.task('command')['command_id'] == command_id
    assert content.task('command')['command']['command_content'] == 'echo "two"\n'
    assert mutating_calls(ansible.emulator) == ['ModifyCommand']

    deleted = ansible.playbook([command_task(name='lifecycle', state='absent')])
    assert deleted.task('command')['changed'] is True
    assert deleted.task('command')['deleted'] == [command_id]
    assert [line['params']['CommandId'] for line in ansible.emulator.requests('DeleteCommand')] == [command_id]
    assert listed(ansible, 'lifecycle') == []

    gone = ansible.playbook([command_task(name='lifecycle', state='absent')])
    assert gone.task('command')['changed'] is False
    assert mutating_calls(ansible.emulator) == []


def test_type_change_replaces_create_first_then_delete(ansible):
    first = ansible.playbook([command_task(name='replace-me', command_content='echo a', description='kept',
                                           timeout=120)])
    old_id = first.task('command')['command_id']
    second = ansible.playbook([command_task(name='replace-me', command_content='echo a', type='RunPowerShellScript')],
                              diff=True)
    result = second.task('command')
    assert result['changed'] is True
    assert result['command_id'] != old_id
    assert result['command']['type'] == 'RunPowerShellScript'
    # What the task leaves unset is carried over from the old command.
    assert result['command']['description'] == 'kept' and result['command']['timeout'] == 120
    assert result['deleted'] == [old_id]
    assert result['diff']['before']['type'] == 'RunShellScript'
    assert result['diff']['after']['type'] == 'RunPowerShellScript'
    assert mutating_calls(ansible.emulator) == ['CreateCommand', 'DeleteCommand']
    assert ansible.emulator.requests('DeleteCommand')[0]['params']['CommandId'] == old_id
    assert listed(ansible, 'replace-me') == [result['command_id']]


def test_a_failed_delete_after_a_replacement_loses_nothing(ansible):
    first = ansible.playbook([command_task(name='half-replaced', command_content='echo a')])
    old_id = first.task('command')['command_id']
    ansible.emulator.set_control({'faults': [{'action': 'DeleteCommand', 'kind': 'server_error', 'code': 'Forbidden',
                                              'status': 403, 'count': 1}]})
    try:
        run = ansible.playbook([command_task(name='half-replaced', command_content='echo a', type='RunBatScript')])
    finally:
        ansible.emulator.set_control({})
    result = run.task('command')
    assert run.status('command') == 'failed' and result['changed'] is True
    new_id = result['command_id']
    assert new_id and new_id != old_id
    assert new_id in result['msg'] and old_id in result['msg'] and 'Forbidden' in result['msg']
    assert sorted(listed(ansible, 'half-replaced')) == sorted([old_id, new_id])
    # Both exist now: the next run says so instead of guessing.
    again = ansible.playbook([command_task(name='half-replaced', command_content='echo a', type='RunBatScript')])
    assert 'matches 2 commands' in again.task('command')['msg']
    assert mutating_calls(ansible.emulator) == []


def test_tags_and_enable_parameter_replace(ansible):
    script = '{% raw %}echo {{x}}{% endraw %}'  # kept from Ansible's templating
    first = ansible.playbook([command_task(name='tagged', command_content=script, tags={'team': 'ops'})])
    assert first.task('command')['command']['tags'] == {'team': 'ops'}
    same = ansible.playbook([command_task(name='tagged', command_content=script, tags={'team': 'ops'})])
    assert same.task('command')['changed'] is False
    retag = ansible.playbook([command_task(name='tagged', command_content=script, tags={'team': 'dev'},
                                           enable_parameter=True)])
    result = retag.task('command')
    assert result['command_id'] != first.task('command')['command_id']
    assert result['command']['tags'] == {'team': 'dev'} and result['command']['enable_parameter'] is True
    assert result['command']['parameter_names'] == ['x']
    assert mutating_calls(ansible.emulator) == ['CreateCommand', 'DeleteCommand']


def test_base64_content_as_in_terraform(ansible):
    run = ansible.playbook([command_task(name='tf-testAcc', command_content='bHMK', content_encoding='Base64',
                                         working_dir='/root')])
    result = run.task('command')
    assert result['command']['command_content'] == 'ls\n'
    assert ansible.emulator.requests('CreateCommand')[0]['params']['CommandContent'] == 'bHMK'
    # The same script given as plain text is the same command.
    again = ansible.playbook([command_task(name='tf-testAcc', command_content='ls\n', working_dir='/root')])
    assert again.task('command')['changed'] is False
    assert mutating_calls(ansible.emulator) == []


def test_check_mode_and_diff_make_no_mutating_call(ansible):
    args = dict(name='dry-run', command_content='uptime', description='d')
    create = ansible.playbook([command_task(**args)], check=True, diff=True)
    result = create.task('command')
    assert result['changed'] is True and result['command_id'] is None
    assert result['diff']['before'] == {}
    assert result['diff']['after']['command_content'] == 'uptime'
    assert result['diff']['after']['name'] == 'dry-run'
    assert mutating_calls(ansible.emulator) == []
    assert listed(ansible, 'dry-run') == []

    made = ansible.playbook([command_task(**args)])
    command_id = made.task('command')['command_id']
    for changed_args, key in ((dict(description='e'), 'description'), (dict(type='RunBatScript'), 'type')):
        task_args = dict(args, **changed_args)
        run = ansible.playbook([command_task(**task_args)], check=True, diff=True)
        result = run.task('command')
        assert result['changed'] is True
        assert result['diff']['before'][key] == args.get(key, 'RunShellScript')
        assert result['diff']['after'][key] == changed_args[key]
        assert mutating_calls(ansible.emulator) == []
    absent = ansible.playbook([command_task(name='dry-run', state='absent')], check=True,
                              diff=True)
    assert absent.task('command')['changed'] is True
    assert absent.task('command')['deleted'] == [command_id]
    assert absent.task('command')['diff']['after'] == {}
    assert mutating_calls(ansible.emulator) == []
    assert listed(ansible, 'dry-run') == [command_id]


def test_name_is_matched_exactly_and_a_duplicate_is_a_clear_error(ansible, emulator):
    sdk = make_client(emulator)
    star = create_command(sdk, 'echo star', name='dup*')
    create_command(sdk, 'echo other', name='dup-other')
    # "dup*" is a wildcard for the API; the module must still find only the command named exactly "dup*".
    run = ansible.playbook([command_task(name='dup*', command_content='echo star')])
    assert run.task('command')['changed'] is False
    assert run.task('command')['command_id'] == star

    first = create_command(sdk, 'echo 1', name='twice')
    second = create_command(sdk, 'echo 2', name='twice')
    run = ansible.playbook([command_task(name='twice', command_content='echo 1')])
    assert run.status('command') == 'failed'
    message = run.task('command')['msg']
    assert "'twice' matches 2 commands" in message and first in message and second in message
    assert mutating_calls(ansible.emulator) == []
    # state=absent deletes every command of that name.
    removed = ansible.playbook([command_task(name='twice', state='absent')])
    assert sorted(removed.task('command')['deleted']) == sorted([first, second])


BAD_INPUT = [
    (dict(command_content='x' * (18 * 1024 + 1)), 'Cloud Assistant accepts at most 24576'),
    (dict(command_content='not base64!', content_encoding='Base64'), 'not valid Base64'),
    (dict(command_content='bHM', content_encoding='Base64'), 'not valid Base64'),
    (dict(command_content=None), 'command_content is required'),
    (dict(command_content=''), 'must not be empty'),
    (dict(timeout=5), 'between 10 and 86400'),
    (dict(name='n' * 129), 'limited to 128 characters'),
    (dict(type='RunPython'), 'value of type must be one of'),
]


def test_bad_input_fails_before_any_call(ansible):
    tasks = []
    for number, (args, dummy) in enumerate(BAD_INPUT):
        task = dict(name='bad-input', command_content='echo fine')
        task.update(args)
        task = dict((key, value) for key, value in task.items() if value is not None)
        tasks.append({'name': 'bad-%d' % number, 'ignore_errors': True, 'alicloud.ecs.ecs_command': task})
    run = ansible.playbook(tasks)
    for number, (dummy, message) in enumerate(BAD_INPUT):
        assert run.status('bad-%d' % number) == 'ignored'
        assert message in run.task('bad-%d' % number)['msg']
    assert ansible.emulator.requests() == []


def test_content_just_under_the_limit_is_accepted(ansible):
    # 18 KiB of text is exactly 24 KiB of Base64.
    run = ansible.playbook([command_task(name='big', command_content='x' * (18 * 1024))])
    assert run.rc == 0, run.stdout
    assert len(run.task('command')['command']['command_content']) == 18 * 1024
