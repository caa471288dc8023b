# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""A job run the way AWX runs it: ansible-runner, with the environment that the shipped credential type injects.

The credential type's env injectors are rendered with Jinja, as AWX renders them, from the
emulator's credentials; the rendered variables are the runner's only Alibaba Cloud settings
(the test's own ALIBABA_CLOUD_* and ALICLOUD_* variables are removed, HOME is a scratch folder).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import sys

import ansible_runner
import jinja2
import pytest
import yaml

from emulator.harness import ACCESS_KEY_ID, ACCESS_KEY_SECRET, LINUX_INSTANCES, REGION, STS_ID, STS_SECRET, STS_TOKEN

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CREDENTIAL_TYPE = os.path.join(ROOT, 'docs', 'awx', 'credential_type.yml')
BIN = os.path.dirname(sys.executable)

JOB = [dict(
    name='an AWX job template',
    hosts='localhost',
    gather_facts=False,
    tasks=[
        {'name': 'command', 'register': 'command',
         'alicloud.ecs.ecs_command': {'name': 'awx-job', 'command_content': 'echo "from AWX on $(hostname)"'}},
        {'name': 'instances', 'register': 'running', 'alicloud.ecs.ecs_instance_info': {'status': 'Running'}},
        {'name': 'run', 'register': 'run', 'alicloud.ecs.ecs_invocation': {
            'command_id': '{{ command.command_id }}', 'instance_ids': ['{{ running.instances[0].instance_id }}']}},
    ],
)]


def credential_type():
    with open(CREDENTIAL_TYPE) as stream:
        return yaml.safe_load(stream)


def injected_env(inputs):
    """The environment AWX injects for a credential with these inputs (unset optional fields left out)."""
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined)
    return dict((name, environment.from_string(template).render(**inputs))
                for name, template in credential_type()['injectors']['env'].items())


def test_credential_type_file_is_a_valid_credential_type():
    data = credential_type()
    assert set(data) >= {'name', 'kind', 'inputs', 'injectors'} and data['kind'] == 'cloud'
    fields = dict((field['id'], field) for field in data['inputs']['fields'])
    assert {'access_key', 'secret_key', 'security_token', 'region'} <= set(fields)
    assert all(field['type'] == 'string' and field.get('label') for field in fields.values())
    assert fields['secret_key'].get('secret') is True and fields['security_token'].get('secret') is True
    assert not fields['access_key'].get('secret') and not fields['region'].get('secret')
    assert set(data['inputs']['required']) == {'access_key', 'secret_key'}
    env = data['injectors']['env']
    assert not [name for name in env if name.startswith('ANSIBLE_')]
    assert env['ALIBABA_CLOUD_ACCESS_KEY_ID'] == '{{ access_key }}'
    assert env['ALIBABA_CLOUD_ACCESS_KEY_SECRET'] == '{{ secret_key }}'
    # Every injector uses only declared fields, and renders with just the required ones.
    rendered = injected_env(dict(access_key='id', secret_key='secret'))
    assert rendered['ALIBABA_CLOUD_SECURITY_TOKEN'] == '' and rendered['ALIBABA_CLOUD_REGION_ID'] == ''


def clean_environment(monkeypatch):
    """Only what AWX injects: no credential variable of this shell; the project's ansible first on PATH."""
    for name in list(os.environ):
        if name.startswith(('ALIBABA_CLOUD_', 'ALICLOUD_')):
            monkeypatch.delenv(name)
    # ansible-runner looks for ansible-playbook on this process's PATH.
    monkeypatch.setenv('PATH', BIN + os.pathsep + os.environ.get('PATH', ''))


@pytest.fixture
def runner(collections_path, emulator, tmp_path, monkeypatch):
    """Run JOB through ansible-runner with the injected environment of a credential with ``inputs``."""
    clean_environment(monkeypatch)
    home = tmp_path / 'home'
    home.mkdir()

    def run(inputs, name='job'):
        private = tmp_path / name
        (private / 'project').mkdir(parents=True)
        (private / 'project' / 'job.yml').write_text(yaml.safe_dump(JOB, sort_keys=False))
        envvars = injected_env(inputs)
        envvars.update(
            HOME=str(home),
            PATH=os.environ['PATH'],
            ANSIBLE_COLLECTIONS_PATH=collections_path,
            ANSIBLE_PYTHON_INTERPRETER=sys.executable,
            ANSIBLE_LOCALHOST_WARNING='0',
        )
        emulator.clear_log()
        result = ansible_runner.run(private_data_dir=str(private), playbook='job.yml', envvars=envvars, quiet=True,
                                    inventory={'all': {'hosts': {'localhost': {'ansible_connection': 'local'}}}})
        outcomes = {}
        for event in result.events:
            data = event.get('event_data') or {}
            if event.get('event') in ('runner_on_ok', 'runner_on_failed') and data.get('task'):
                outcomes[data['task']] = (event['event'], data.get('res') or {})
        return result, outcomes

    return run


def test_job_authenticates_from_the_injected_access_key(runner, emulator):
    inputs = dict(access_key=ACCESS_KEY_ID, secret_key=ACCESS_KEY_SECRET, region=REGION, endpoint=emulator.url)
    result, outcomes = runner(inputs)
    assert result.status == 'successful' and result.rc == 0, result.stdout.read()
    event, run = outcomes['run']
    assert event == 'runner_on_ok' and run['status'] == 'Success'
    assert run['instances'][0]['output'] == 'from AWX on %s\n' % LINUX_INSTANCES[0]
    assert emulator.count('CreateCommand') == 1 and emulator.count('InvokeCommand') == 1
    # The secret is never shown in the job's output.
    assert ACCESS_KEY_SECRET not in result.stdout.read()


def test_job_authenticates_from_an_injected_sts_token_and_fails_on_a_wrong_secret(runner, emulator):
    sts = dict(access_key=STS_ID, secret_key=STS_SECRET, security_token=STS_TOKEN, region=REGION,
               endpoint=emulator.url)
    result, outcomes = runner(sts, name='sts')
    assert result.status == 'successful', result.stdout.read()
    assert outcomes['instances'][1]['instances']

    wrong = dict(access_key=ACCESS_KEY_ID, secret_key='not-the-secret', region=REGION, endpoint=emulator.url)
    result, outcomes = runner(wrong, name='wrong')
    assert result.status == 'failed' and result.rc != 0
    event, command = outcomes['command']
    assert event == 'runner_on_failed' and command['error']['code'] == 'SignatureDoesNotMatch'
    assert [line['code'] for line in emulator.requests()] == ['SignatureDoesNotMatch']
