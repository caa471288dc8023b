# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The in-process runner's pieces: safe to import before a fork, the opt-out, what it restores, how it fails."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import subprocess
import sys

import pytest

from ansible.module_utils import basic
from ansible.module_utils.common import warnings as module_warnings

from ansible_collections.alicloud.ecs.plugins.plugin_utils import in_process

# Run in a fresh interpreter: what importing the action plugin's base does to the main ansible-playbook process.
IMPORT_PROBE = '''
import json, os, sys, threading
sys.path.insert(0, sys.argv[1])
before = set(os.listdir('/proc/self/fd'))
from ansible_collections.alicloud.ecs.plugins.plugin_utils import in_process
from ansible_collections.alicloud.ecs.plugins.module_utils import client
import alibabacloud_tea_openapi.client, alibabacloud_credentials.client
opened = [os.readlink('/proc/self/fd/' + fd) for fd in set(os.listdir('/proc/self/fd')) - before
          if os.path.exists('/proc/self/fd/' + fd)]
print(json.dumps(dict(threads=[thread.name for thread in threading.enumerate()], opened=opened,
                      import_error=in_process.IMPORT_ERROR, has_sdk=client.HAS_SDK)))
'''


def test_importing_the_base_and_the_sdk_starts_no_thread_and_opens_no_socket():
    collections = [path for path in sys.path if path.endswith(os.path.join('.build', 'collections'))][0]
    probe = subprocess.run([sys.executable, '-c', IMPORT_PROBE, collections], capture_output=True, text=True, check=True)
    found = json.loads(probe.stdout.strip().splitlines()[-1])
    assert found['has_sdk'] is True and found['import_error'] is None
    assert found['threads'] == ['MainThread']
    assert [item for item in found['opened'] if item.startswith('socket:')] == []


@pytest.mark.parametrize('value, expected', [('false', False), ('No', False), ('0', False), ('true', True),
                                             ('yes', True), ('1', True)])
def test_opt_out_from_the_task_environment(value, expected, monkeypatch):
    monkeypatch.delenv(in_process.OPT_OUT_VARIABLE, raising=False)
    assert in_process.in_process_enabled({in_process.OPT_OUT_VARIABLE: value}, config_path='') is expected


def test_the_task_environment_wins_over_the_controller_and_the_controller_over_ansible_cfg(monkeypatch, tmp_path):
    config = tmp_path / 'ansible.cfg'
    config.write_text('[alicloud_ecs]\nin_process = true\n')
    monkeypatch.setenv(in_process.OPT_OUT_VARIABLE, 'false')
    assert in_process.in_process_enabled({}, config_path=str(config)) is False
    assert in_process.in_process_enabled({in_process.OPT_OUT_VARIABLE: 'true'}, config_path=str(config)) is True
    monkeypatch.setenv(in_process.OPT_OUT_VARIABLE, '')
    config.write_text('[alicloud_ecs]\nin_process = off\n')
    assert in_process.in_process_enabled({}, config_path=str(config)) is False


def test_on_by_default(monkeypatch, tmp_path):
    monkeypatch.delenv(in_process.OPT_OUT_VARIABLE, raising=False)
    assert in_process.in_process_enabled({}, config_path=str(tmp_path / 'missing.cfg')) is True
    config = tmp_path / 'ansible.cfg'
    config.write_text('[defaults]\nforks = 3\n')
    assert in_process.in_process_enabled({}, config_path=str(config)) is True


def test_a_value_that_is_not_a_boolean_is_an_error_naming_where_it_is(monkeypatch, tmp_path):
    monkeypatch.delenv(in_process.OPT_OUT_VARIABLE, raising=False)
    config = tmp_path / 'ansible.cfg'
    config.write_text('[alicloud_ecs]\nin_process = sometimes\n')
    with pytest.raises(in_process.InProcessSettingError, match=r"in_process in \[alicloud_ecs\] of .*ansible.cfg must be"):
        in_process.in_process_enabled({}, config_path=str(config))


def test_module_context_restores_what_a_module_run_changes(tmp_path, monkeypatch):
    monkeypatch.setenv('ALICLOUD_ECS_TEST_KEPT', 'kept')
    monkeypatch.delenv('ALICLOUD_ECS_TEST_ADDED', raising=False)
    cwd = os.getcwd()
    saved_args = basic._ANSIBLE_ARGS
    stdout = sys.stdout
    with in_process.module_context(b'{"ANSIBLE_MODULE_ARGS": {}}', {'ALICLOUD_ECS_TEST_ADDED': 'task'}) as captured:
        assert os.environ['ALICLOUD_ECS_TEST_ADDED'] == 'task'
        assert basic._ANSIBLE_ARGS == b'{"ANSIBLE_MODULE_ARGS": {}}'
        os.environ['ALICLOUD_ECS_TEST_KEPT'] = 'changed by the module'
        os.chdir(str(tmp_path))
        module_warnings.warn('left behind')
        print('printed by the module')
    assert captured.getvalue() == 'printed by the module\n'
    assert sys.stdout is stdout
    assert os.environ['ALICLOUD_ECS_TEST_KEPT'] == 'kept' and 'ALICLOUD_ECS_TEST_ADDED' not in os.environ
    assert os.getcwd() == cwd
    assert basic._ANSIBLE_ARGS is saved_args
    assert not module_warnings.get_warning_messages()


def test_a_real_module_run_in_process_validates_its_arguments():
    import_path = in_process.MODULES_PACKAGE + '.ecs_instance_info'
    args = in_process.encode_module_args(dict(instance_ids=['i-1'], status='Bogus', region='cn-hangzhou',
                                              _ansible_check_mode=False, _ansible_no_log=False))
    res = in_process.run_module_main(import_path, args, {})
    assert res['rc'] == 1
    result = json.loads(res['stdout'].strip().splitlines()[-1])
    assert result['failed'] is True
    assert result['msg'].startswith('value of status must be one of: Pending, Running')


def test_a_failure_is_a_failed_result_with_the_secrets_masked():
    secrets = in_process.secret_values({'secret_key': 'hush-1', 'access_key': 'id-1'},
                                       {'ALIBABA_CLOUD_SECURITY_TOKEN': 'hush-2'})
    assert secrets == {'hush-1', 'hush-2'}
    result = in_process.failure_result('alicloud.ecs.ecs_invocation', RuntimeError('could not use hush-1 with hush-2'),
                                       secrets)
    assert result == dict(failed=True, msg='alicloud.ecs.ecs_invocation failed in the controller process: '
                          'RuntimeError: could not use ******** with ********',
                          error=dict(code='InProcessFailure', message='RuntimeError: could not use ******** with ********'))
