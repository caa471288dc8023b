# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""In-process execution (issue 13): when the modules run in the controller's process, and when they fall back.

Which path ran is read from -vvv output: the action plugin says which, and only the module path
makes Ansible print "Using module file".
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import subprocess

import pytest
import yaml

from conftest import IN_PROCESS
from emulator.harness import ACCESS_KEY_ID, ACCESS_KEY_SECRET, LINUX_INSTANCES, REGION

A, B, C = LINUX_INSTANCES[:3]
IN_PROCESS_LINE = 'runs in the controller process'
MODULE_LINE = 'runs as a module'
CONNECTION_ENV = ('ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALIBABA_CLOUD_REGION_ID',
                  'ALIBABA_CLOUD_ECS_ENDPOINT')

# A connection plugin that is not "local" by name, and runs commands locally: the task runs "on another host".
OTHER_CONNECTION = '''
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = """
name: elsewhere
short_description: the local connection under another name (test only)
description: [Runs commands on the controller, but is not the local connection.]
author: [alicloud.ecs maintainers]
"""

from ansible.plugins.connection.local import Connection as LocalConnection


class Connection(LocalConnection):
    transport = 'elsewhere'
'''


def info_task(name='info', **extra):
    task = {'name': name, 'alicloud.ecs.ecs_instance_info': dict(instance_ids=[A])}
    task.update(extra)
    return task


def path_of(run):
    """'in_process' or 'module', from the -vvv lines; fails when both or neither show."""
    in_process = IN_PROCESS_LINE in run.stdout
    module = MODULE_LINE in run.stdout and 'Using module file' in run.stdout
    assert in_process != module, run.stdout[-3000:]
    return 'in_process' if in_process else 'module'


def without_connection_env(ansible):
    for name in CONNECTION_ENV:
        ansible.env.pop(name)


@pytest.fixture(autouse=True)
def default_path(ansible):
    """Each test here starts from the default, whatever the suite's opt-out (conftest.py)."""
    ansible.env.pop(IN_PROCESS, None)


def test_in_process_by_default(ansible):
    run = ansible.playbook([info_task()], args=['-vvv'])
    assert run.rc == 0, run.stdout
    assert path_of(run) == 'in_process'
    assert 'Using module file' not in run.stdout
    assert [item['instance_id'] for item in run.task('info')['instances']] == [A]
    assert ansible.emulator.count('DescribeInstances') == 1


@pytest.mark.parametrize('where', ['controller environment', 'task environment', 'ansible.cfg'])
def test_opt_out_runs_the_module(ansible, where):
    task = info_task()
    env = {}
    if where == 'controller environment':
        env[IN_PROCESS] = 'false'
    elif where == 'task environment':
        task['environment'] = {IN_PROCESS: 'no'}
    else:
        config = ansible.workdir / 'ansible.cfg'
        config.write_text('[defaults]\nforks = 5\n\n[alicloud_ecs]\nin_process = False\n')
        env['ANSIBLE_CONFIG'] = str(config)
    run = ansible.playbook([task], args=['-vvv'], env=env)
    assert run.rc == 0, run.stdout
    assert path_of(run) == 'module'
    assert 'in-process execution is turned off' in run.stdout
    assert [item['instance_id'] for item in run.task('info')['instances']] == [A]


def test_opt_in_setting_of_the_task_wins_over_the_controller(ansible):
    task = info_task(environment={IN_PROCESS: 'true'})
    run = ansible.playbook([task], args=['-vvv'], env={IN_PROCESS: 'false'})
    assert run.rc == 0, run.stdout
    assert path_of(run) == 'in_process'


def test_opt_out_that_is_not_a_boolean_fails_clearly(ansible):
    run = ansible.playbook([info_task()], env={IN_PROCESS: 'sometimes'})
    result = run.task('info')
    assert run.status('info') == 'failed'
    assert result['msg'] == "%s in the environment must be true or false, not 'sometimes'" % IN_PROCESS
    assert ansible.emulator.requests() == []


def test_a_connection_that_is_not_local_runs_the_module(ansible):
    plugins = ansible.workdir / 'connection_plugins'
    plugins.mkdir()
    (plugins / 'elsewhere.py').write_text(OTHER_CONNECTION)
    inventory = ansible.workdir / 'hosts.ini'
    inventory.write_text('remote ansible_connection=elsewhere\n')
    playbook = '''
- hosts: remote
  gather_facts: false
  tasks:
    - name: info
      alicloud.ecs.ecs_instance_info:
        instance_ids: [%s]
    - name: delegated to the controller
      delegate_to: localhost
      alicloud.ecs.ecs_instance_info:
        instance_ids: [%s]
''' % (A, B)
    run = ansible.playbook(playbook, args=['-vvv'], env={'ANSIBLE_CONNECTION_PLUGINS': str(plugins)},
                           inventory=inventory)
    assert run.rc == 0, run.stdout
    assert 'the connection is elsewhere, not local' in run.stdout
    assert [item['instance_id'] for item in run.task('info')['instances']] == [A]
    # delegate_to localhost uses the local connection again: that task ran in-process.
    assert IN_PROCESS_LINE in run.stdout
    assert [item['instance_id'] for item in run.task('delegated to the controller')['instances']] == [B]


def test_async_runs_the_module(ansible):
    # An absolute async dir: HOME is the test's own, and '~' would mean two places to async_wrapper and async_status.
    task = info_task(**{'async': 60, 'poll': 1, 'vars': {'ansible_async_dir': str(ansible.workdir / 'async')}})
    run = ansible.playbook([task], args=['-vvv'])
    assert run.rc == 0, run.stdout
    assert path_of(run) == 'module'
    assert 'the task is async' in run.stdout
    assert [item['instance_id'] for item in run.task('info')['instances']] == [A]


def test_a_task_timeout_runs_the_module(ansible):
    run = ansible.playbook([info_task(timeout=120)], args=['-vvv'])
    assert run.rc == 0, run.stdout
    assert path_of(run) == 'module'
    assert 'the task has a timeout' in run.stdout
    assert [item['instance_id'] for item in run.task('info')['instances']] == [A]


def test_task_environment_reaches_the_fallbacks_on_both_paths(ansible):
    without_connection_env(ansible)
    environment = dict(ALIBABA_CLOUD_ACCESS_KEY_ID=ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET=ACCESS_KEY_SECRET,
                       ALIBABA_CLOUD_REGION_ID=REGION, ALIBABA_CLOUD_ECS_ENDPOINT='http://' + ansible.emulator.endpoint)
    tasks = [info_task('with the environment', environment=environment),
             info_task('without it', ignore_errors=True)]
    for value in ('true', 'false'):
        run = ansible.playbook(tasks, env={IN_PROCESS: value})
        assert run.status('with the environment') == 'ok', run.stdout
        assert [item['instance_id'] for item in run.task('with the environment')['instances']] == [A]
        assert run.task('without it')['msg'].startswith('region is required')
        assert ansible.emulator.count('DescribeInstances') == 1


def test_module_defaults_of_the_action_group_apply_in_process(ansible):
    without_connection_env(ansible)
    play = [dict(name='defaults', hosts='localhost', connection='local', gather_facts=False,
                 module_defaults={'group/alicloud.ecs.alicloud': dict(
                     access_key=ACCESS_KEY_ID, secret_key=ACCESS_KEY_SECRET, region=REGION,
                     endpoint='http://' + ansible.emulator.endpoint)},
                 tasks=[info_task()])]
    run = ansible.playbook(yaml.safe_dump(play), args=['-vvv'])
    assert run.rc == 0, run.stdout
    assert path_of(run) == 'in_process'
    assert [item['instance_id'] for item in run.task('info')['instances']] == [A]
    assert ACCESS_KEY_SECRET not in run.stdout and ACCESS_KEY_SECRET not in run.stderr


def test_each_item_of_a_loop_gets_its_own_arguments(ansible):
    """A loop runs every item in one worker: nothing of one item's module run may leak into the next."""
    task = {'name': 'loop', 'alicloud.ecs.ecs_instance_info': {'instance_ids': ['{{ item }}']}, 'loop': [A, B, C]}
    failing_first = {'name': 'failing first', 'ignore_errors': True, 'loop': ['Bogus', 'Running'],
                     'alicloud.ecs.ecs_instance_info': {'instance_ids': [A], 'status': '{{ item }}'}}
    run = ansible.playbook([task, failing_first], args=['-vvv'])
    results = run.task('loop')['results']
    assert [[item['instance_id'] for item in result['instances']] for result in results] == [[A], [B], [C]]
    bogus, running = run.task('failing first')['results']
    assert bogus['msg'].startswith('value of status must be one of') and 'instances' not in bogus
    assert 'msg' not in running
    assert [item['instance_id'] for item in running['instances']] == [A]
    assert IN_PROCESS_LINE in run.stdout and 'Using module file' not in run.stdout


def test_secrets_are_masked_in_the_result_and_never_printed(ansible):
    without_connection_env(ansible)
    task = info_task(**{'alicloud.ecs.ecs_instance_info': dict(
        instance_ids=[A], access_key=ACCESS_KEY_ID, secret_key=ACCESS_KEY_SECRET, security_token='', region=REGION,
        endpoint='http://' + ansible.emulator.endpoint)})
    results = {}
    for value in ('true', 'false'):
        # 2.21 returns invocation.module_args only when asked; older releases always do.
        run = ansible.playbook([task], args=['-vvv'], env={IN_PROCESS: value, 'ANSIBLE_INJECT_INVOCATION': 'true'})
        assert run.rc == 0, run.stdout
        assert ACCESS_KEY_SECRET not in run.stdout and ACCESS_KEY_SECRET not in run.stderr
        results[value] = run.task('info')
    for result in results.values():
        assert result['invocation']['module_args']['secret_key'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
    assert results['true']['invocation'] == results['false']['invocation']


def test_ad_hoc_runs_in_process(ansible):
    binary = os.path.join(ansible.env['PATH'].split(os.pathsep)[0], 'ansible')
    env = dict(ansible.env, ANSIBLE_STDOUT_CALLBACK='minimal', ANSIBLE_LOAD_CALLBACK_PLUGINS='0')
    process = subprocess.run([binary, 'localhost', '-i', 'localhost,', '-c', 'local', '-vvv', '-m',
                              'alicloud.ecs.ecs_instance_info', '-a', 'instance_ids=%s' % A],
                             capture_output=True, text=True, env=env, cwd=str(ansible.workdir), check=False, timeout=300)
    assert process.returncode == 0, process.stdout + process.stderr
    assert IN_PROCESS_LINE in process.stdout and 'Using module file' not in process.stdout
    assert '"instance_id": "%s"' % A in process.stdout
