# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""``make demo``: run playbooks/seed_example.yml end to end against a local ECS API emulator.

It starts the emulator on a free loopback port in a temporary directory, makes this checkout
visible to Ansible as the collection alicloud.ecs (a link in a scratch collections path),
runs the playbook with the emulator's test credentials in the environment, and stops the
emulator. The exit code is the playbook's: 0 when the invocation ended Success.

Run it with the Python of the project's virtual environment (``make demo`` does).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PLAYBOOK = os.path.join(ROOT, 'playbooks', 'seed_example.yml')
sys.path.insert(0, os.path.join(ROOT, 'tests'))

from checkout import collections_path  # noqa: E402  pylint: disable=wrong-import-position
from emulator.harness import LINUX_INSTANCES, Emulator  # noqa: E402  pylint: disable=wrong-import-position

# Files put in each emulated Linux instance's /root, so that `ls` has something to list.
SAMPLE_FILES = ('backup.tar.gz', 'deploy.log', 'notes.txt')


def playbook_env(emulator, collections, work):
    """The caller's environment without any Alibaba Cloud setting of its own, plus the emulator's."""
    env = dict((key, value) for key, value in os.environ.items()
               if not key.startswith(('ALIBABA_CLOUD_', 'ALICLOUD_', 'ANSIBLE_')))
    env.update(emulator.env())
    bindir = os.path.dirname(sys.executable)
    env.update(
        PATH=bindir + os.pathsep + os.environ.get('PATH', ''),
        ANSIBLE_COLLECTIONS_PATH=collections,
        ANSIBLE_HOME=os.path.join(work, 'ansible-home'),
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        ANSIBLE_LOCALHOST_WARNING='0',
        ANSIBLE_INVENTORY_UNPARSED_WARNING='0',
        ANSIBLE_NOCOLOR='1',
        ANSIBLE_FORCE_COLOR='0',
    )
    return env


def seed_instances(emulator):
    for instance_id in LINUX_INSTANCES:
        root = os.path.join(str(emulator.state_dir), instance_id, 'root')
        if os.path.isdir(root):
            for name in SAMPLE_FILES:
                with open(os.path.join(root, name), 'w') as handle:
                    handle.write('sample file of %s\n' % instance_id)


def main():
    ansible_playbook = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')
    with tempfile.TemporaryDirectory(prefix='alicloud-ecs-demo-') as work:
        collections = collections_path(os.path.join(work, 'collections'))
        emulator = Emulator(os.path.join(work, 'emulator'))
        print('make demo: starting the ECS API emulator', flush=True)
        emulator.start()
        try:
            print('make demo: emulator listening on %s (region cn-hangzhou, test credentials)' % emulator.url, flush=True)
            seed_instances(emulator)
            command = [ansible_playbook, '-i', 'localhost,', PLAYBOOK]
            print('make demo: %s' % ' '.join(['ansible-playbook'] + command[1:-1] + ['playbooks/seed_example.yml']),
                  flush=True)
            returncode = subprocess.call(command, env=playbook_env(emulator, collections, work), cwd=work)
        finally:
            emulator.stop()
            print('make demo: emulator stopped', flush=True)
    if returncode == 0:
        print('make demo: the seed example ran end to end: Success')
    else:
        print('make demo: the seed example failed (ansible-playbook exit code %d)' % returncode, file=sys.stderr)
    return returncode


if __name__ == '__main__':
    sys.exit(main())
