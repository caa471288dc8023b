# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""ecs_send_file end to end: real ansible-playbook runs against the emulator."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

from emulator.harness import LINUX_INSTANCES, STOPPED_INSTANCE

A, B = LINUX_INSTANCES[8], LINUX_INSTANCES[9]


def send_task(task='send', **args):
    """A task named ``task``; ``args`` are the module's (``name`` is the file name)."""
    args.setdefault('instance_ids', [B, A])
    args.setdefault('target_dir', '/tmp/sent')
    return dict(name=task, register='r', **{'alicloud.ecs.ecs_send_file': args})


def on_instance(emulator, instance_id, *parts):
    return os.path.join(str(emulator.state_dir), instance_id, *parts)


def read(path, mode='r'):
    with open(path, mode) as handle:
        return handle.read()


def test_send_then_rerun_then_overwrite(ansible, emulator):
    first = ansible.playbook([send_task(instance_ids=[B, A, B], name='app.conf', content='port = 1\n', mode='0640')])
    result = first.task('send')
    assert first.rc == 0, first.stdout[-3000:]
    assert result['changed'] is True and result['invocation_status'] == 'Success'
    assert result['instance_ids'] == sorted([A, B])
    assert [item['invocation_status'] for item in result['instances']] == ['Success', 'Success']
    assert 'content' not in result
    for instance_id in (A, B):
        path = on_instance(emulator, instance_id, 'tmp', 'sent', 'app.conf')
        assert read(path) == 'port = 1\n'
        assert oct(os.stat(path).st_mode & 0o777) == '0o640'
    assert emulator.count('SendFile') == 1

    task = dict(instance_ids=[A, B], name='app.conf', content='port = 2\n')
    rerun = ansible.playbook([send_task(**task)])
    again = rerun.task('send')
    assert rerun.rc == 0, rerun.stdout[-3000:]
    assert again['changed'] is False
    assert [(item['error_code'], item['unchanged']) for item in again['instances']] == [('FileAlreadyExists', True)] * 2
    assert read(on_instance(emulator, A, 'tmp', 'sent', 'app.conf')) == 'port = 1\n'

    task['overwrite'] = True
    replaced = ansible.playbook([send_task(**task)])
    assert replaced.task('send')['changed'] is True
    assert read(on_instance(emulator, B, 'tmp', 'sent', 'app.conf')) == 'port = 2\n'


def test_binary_src_arrives_intact(ansible, emulator, tmp_path):
    data = bytes(range(256)) * 90          # 23,040 bytes: fits one SendFile
    (tmp_path / 'tool.bin').write_bytes(data)
    run = ansible.playbook([send_task(src=str(tmp_path / 'tool.bin'), instance_ids=[A], mode='0755', overwrite=True)])
    assert run.rc == 0, run.stdout[-3000:]
    assert run.task('send')['name'] == 'tool.bin'
    assert read(on_instance(emulator, A, 'tmp', 'sent', 'tool.bin'), 'rb') == data


def test_too_large_content_is_refused_before_any_call(ansible, emulator):
    run = ansible.playbook([send_task(task='big', name='big.txt', content='x' * (24 * 1024 + 1))])
    result = run.task('big')
    assert run.status('big') == 'failed'
    assert 'at most 24576 bytes' in result['msg'] and 'alicloud.ecs.cloud_assistant' in result['msg']
    assert 'ansible.builtin.copy' in result['msg']
    assert emulator.count('SendFile') == 0


def test_bad_mode_is_refused(ansible, emulator):
    run = ansible.playbook([send_task(task='mode', name='m.txt', content='x', mode='rwx')])
    assert run.status('mode') == 'failed'
    assert "mode must be an octal string such as 0644, not 'rwx'" in run.task('mode')['msg']
    assert emulator.count('SendFile') == 0


def test_check_mode_sends_nothing(ansible, emulator):
    run = ansible.playbook([send_task(task='check', instance_ids=[A], target_dir='/tmp/check', name='never.txt',
                                      content='x')], check=True)
    assert run.task('check')['changed'] is True
    assert emulator.count('SendFile') == 0
    assert not os.path.exists(on_instance(emulator, A, 'tmp', 'check', 'never.txt'))


def test_a_stopped_instance_fails_the_task_by_name(ansible, emulator):
    run = ansible.playbook([send_task(task='stopped', instance_ids=[A, STOPPED_INSTANCE], name='s.txt', content='x',
                                      overwrite=True)])
    result = run.task('stopped')
    assert run.status('stopped') == 'failed'
    assert STOPPED_INSTANCE in result['msg'] and 'InstanceNotRunning' in result['msg'] and A not in result['msg']
    assert result['changed'] is True
