# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The inventory file as an AWX inventory source: ansible-runner, credentials only from the credential type.

As in test_awx_runner.py, the shipped credential type's env injectors are rendered from the emulator's
credentials and are the only Alibaba Cloud settings of the run (the test's own variables are removed).
AWX updates an inventory source with ansible-inventory and fails the update when the source does not parse.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import sys

import ansible_runner
import pytest
import yaml

from emulator.harness import ACCESS_KEY_ID, ACCESS_KEY_SECRET, LINUX_INSTANCES, REGION, STS_ID, STS_SECRET, STS_TOKEN
from ansible_output import folded, plain
from test_awx_runner import clean_environment, injected_env

BIN = os.path.dirname(sys.executable)
SOURCE = dict(plugin='alicloud.ecs.ecs', keyed_groups=[dict(key="ecs_tags.role | default('none')", prefix='role')])


@pytest.fixture
def awx(collections_path, emulator, tmp_path, monkeypatch):
    """Run an inventory update (and a job on its inventory) with the injected environment of a credential."""
    clean_environment(monkeypatch)
    home = tmp_path / 'home'
    home.mkdir()
    source = tmp_path / 'prod.alicloud_ecs.yml'

    class Awx(object):
        def envvars(self, inputs):
            env = injected_env(inputs)
            env.update(HOME=str(home), PATH=os.environ['PATH'], ANSIBLE_COLLECTIONS_PATH=collections_path,
                       ANSIBLE_PYTHON_INTERPRETER=sys.executable, ANSIBLE_INVENTORY_UNPARSED_FAILED='true')
            return env

        def update(self, inputs, config=None):
            source.write_text(yaml.safe_dump(config or SOURCE))
            emulator.clear_log()
            out, err = ansible_runner.get_inventory('list', [str(source)], envvars=self.envvars(inputs), quiet=True,
                                                    private_data_dir=str(tmp_path / 'update'))
            return out, err

        def job(self, inputs, tasks, hosts):
            private = tmp_path / 'job'
            (private / 'project').mkdir(parents=True, exist_ok=True)
            play = [dict(name='an AWX job on the ECS inventory', hosts=hosts, gather_facts=False, tasks=tasks)]
            (private / 'project' / 'job.yml').write_text(yaml.safe_dump(play, sort_keys=False))
            emulator.clear_log()
            result = ansible_runner.run(private_data_dir=str(private), playbook='job.yml', inventory=str(source),
                                        envvars=self.envvars(inputs), quiet=True)
            return result, [event['event_data'] for event in result.events if event.get('event') == 'runner_on_ok']

    return Awx()


def test_inventory_update_with_the_injected_access_key_and_a_job_on_its_groups(awx, emulator):
    inputs = dict(access_key=ACCESS_KEY_ID, secret_key=ACCESS_KEY_SECRET, region=REGION, endpoint=emulator.url)
    out, err = awx.update(inputs)
    data = plain(json.loads(out))
    assert sorted(data['role_web']['hosts']) == LINUX_INSTANCES[:3], err
    assert data['_meta']['hostvars'][LINUX_INSTANCES[0]]['ecs_tags']['role'] == 'web'
    assert [line['params']['RegionId'] for line in emulator.requests()] == [REGION]
    assert ACCESS_KEY_SECRET not in out + err

    result, events = awx.job(inputs, [{'name': 'tags', 'ansible.builtin.debug': {'var': 'ecs_tags'}}], 'role_db')
    assert result.status == 'successful', result.stdout.read()
    assert sorted(event['host'] for event in events) == LINUX_INSTANCES[3:5]
    assert all(event['res']['ecs_tags']['role'] == 'db' for event in events)


def test_sts_credential_without_region_uses_the_files_regions_and_a_wrong_secret_fails_the_update(awx, emulator):
    sts = dict(access_key=STS_ID, secret_key=STS_SECRET, security_token=STS_TOKEN, endpoint=emulator.url)
    out, err = awx.update(sts, dict(SOURCE, regions=[REGION]))
    assert len(plain(json.loads(out))['_meta']['hostvars']) == 14, err

    wrong = dict(access_key=ACCESS_KEY_ID, secret_key='not-the-secret', region=REGION, endpoint=emulator.url)
    out, err = awx.update(wrong)
    assert 'region cn-hangzhou: DescribeInstances failed: SignatureDoesNotMatch' in folded(err)
    assert 'not-the-secret' not in out + err and 'Traceback' not in err
    assert not out.strip().startswith('{')
