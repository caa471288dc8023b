# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Integration harness: the built collection, a running emulator, and real ansible-playbook runs."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import glob
import json
import os
import subprocess
import sys

import pytest
import yaml

from emulator.harness import ACCESS_KEY_ID, ACCESS_KEY_SECRET, REGION, Emulator

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
CALLBACKS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'callback_plugins')
# The opt-out of in-process execution (plugins/plugin_utils/in_process.py).
IN_PROCESS = 'ALICLOUD_ECS_IN_PROCESS'
PATHS = dict(in_process='true', module='false')


def _run(command, **kwargs):
    return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)


@pytest.fixture(scope='session')
def collections_path(tmp_path_factory):
    """Build the collection from this checkout and install it, as a user would."""
    work = tmp_path_factory.mktemp('collection')
    _run([os.path.join(BIN, 'ansible-galaxy'), 'collection', 'build', ROOT, '--output-path', str(work)])
    tarball = glob.glob(str(work / 'alicloud-ecs-*.tar.gz'))[0]
    installed = work / 'collections'
    _run([os.path.join(BIN, 'ansible-galaxy'), 'collection', 'install', tarball, '-p', str(installed)])
    return str(installed)


@pytest.fixture(scope='module')
def emulator(request, tmp_path_factory):
    """One emulator per test module; a module's EMULATOR_ARGS (a list of flags) configures it."""
    emu = Emulator(tmp_path_factory.mktemp('emulator'), extra_args=getattr(request.module, 'EMULATOR_ARGS', []))
    emu.start()
    yield emu
    emu.stop()


class PlaybookResult(object):
    def __init__(self, process):
        self.rc = process.returncode
        self.stdout = process.stdout
        self.stderr = process.stderr
        document = self._json_document(process.stdout)
        self.results = document.get('results', [])
        self.stats = document.get('stats', {})

    @staticmethod
    def _json_document(stdout):
        for line in reversed(stdout.splitlines()):
            if line.startswith('{'):
                return json.loads(line)
        return {}

    def task(self, name):
        """The result of the (last) task of that name."""
        found = [item for item in self.results if item['task'] == name]
        assert found, 'no task %r ran; rc=%s\nstdout:\n%s\nstderr:\n%s' % (name, self.rc, self.stdout, self.stderr)
        return found[-1]['result']

    def status(self, name):
        return [item for item in self.results if item['task'] == name][-1]['status']


class Ansible(object):
    """Runs playbooks and ad-hoc commands against the emulator with the installed collection."""

    def __init__(self, collections, emu, workdir):
        self.emulator = emu
        self.workdir = workdir
        home = workdir / 'home'
        home.mkdir(exist_ok=True)
        self.env = dict(
            PATH=BIN + os.pathsep + os.environ.get('PATH', ''),
            HOME=str(home),
            LANG='C.UTF-8',
            ANSIBLE_COLLECTIONS_PATH=collections,
            ANSIBLE_CALLBACK_PLUGINS=CALLBACKS,
            ANSIBLE_STDOUT_CALLBACK='json_results',
            ANSIBLE_LOAD_CALLBACK_PLUGINS='1',
            ANSIBLE_LOCALHOST_WARNING='0',
            ANSIBLE_INVENTORY_UNPARSED_WARNING='0',
            ANSIBLE_PYTHON_INTERPRETER=sys.executable,
            ANSIBLE_HOME=str(workdir / 'ansible-home'),
            ALIBABA_CLOUD_ACCESS_KEY_ID=ACCESS_KEY_ID,
            ALIBABA_CLOUD_ACCESS_KEY_SECRET=ACCESS_KEY_SECRET,
            ALIBABA_CLOUD_REGION_ID=REGION,
            ALIBABA_CLOUD_ECS_ENDPOINT='http://' + emu.endpoint,
        )
        # ALICLOUD_ECS_IN_PROCESS=false in pytest's environment runs the suite on the module path.
        if os.environ.get(IN_PROCESS):
            self.env[IN_PROCESS] = os.environ[IN_PROCESS]
        self.runs = 0

    def playbook(self, tasks, check=False, diff=False, extra_vars=None, env=None, args=(), clear_log=True,
                 inventory='localhost,'):
        """Run ``tasks`` (a list of task dicts, or a whole playbook as text) on localhost."""
        self.runs += 1
        path = self.workdir / ('playbook-%d.yml' % self.runs)
        if isinstance(tasks, str):
            path.write_text(tasks)
        else:
            play = [dict(name='integration test', hosts='localhost', connection='local', gather_facts=False, tasks=tasks)]
            path.write_text(yaml.safe_dump(play, sort_keys=False))
        command = [os.path.join(BIN, 'ansible-playbook'), '-i', str(inventory), str(path)]
        if check:
            command.append('--check')
        if diff:
            command.append('--diff')
        if extra_vars:
            command.extend(['-e', json.dumps(extra_vars)])
        command.extend(args)
        if clear_log:
            self.emulator.clear_log()
        run_env = dict(self.env)
        run_env.update(env or {})
        return PlaybookResult(subprocess.run(command, capture_output=True, text=True, env=run_env, cwd=str(self.workdir),
                                             check=False, timeout=600))


@pytest.fixture
def ansible(collections_path, emulator, tmp_path):
    return Ansible(collections_path, emulator, tmp_path)


@pytest.fixture(params=sorted(PATHS))
def ansible_on_each_path(request, collections_path, emulator, tmp_path):
    """An Ansible that runs the collection's tasks in the controller's process, then one that runs them as modules."""
    runner = Ansible(collections_path, emulator, tmp_path)
    runner.env[IN_PROCESS] = PATHS[request.param]
    runner.path = request.param
    return runner
