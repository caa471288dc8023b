# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""`make demo`: its script end to end, and the seed example playbook against the test emulator."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import re
import socket
import subprocess
import sys

from emulator.harness import LINUX_INSTANCES

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, 'playbooks', 'run_demo.py')
PLAYBOOK = os.path.join(ROOT, 'playbooks', 'seed_example.yml')


def test_demo_script_runs_the_seed_example_and_stops_the_emulator(tmp_path):
    env = dict(os.environ, HOME=str(tmp_path))
    # Settings of the caller's own must not reach the demo's playbook.
    env.update(ALIBABA_CLOUD_PROFILE='someone-elses-profile', ALIBABA_CLOUD_ACCESS_KEY_SECRET='wrong')
    process = subprocess.run([sys.executable, SCRIPT], capture_output=True, text=True, env=env, timeout=300,
                             check=False, cwd=str(tmp_path))
    output = process.stdout
    assert process.returncode == 0, output + process.stderr
    assert '%s: Success, exit code 0' % LINUX_INSTANCES[0] in output
    assert '"notes.txt"' in output  # what `ls` printed in the instance's /root
    assert re.search(r'Invocation t-\S+ of command c-\S+: Success', output)
    assert output.rstrip().endswith('the seed example ran end to end: Success')
    port = int(re.search(r'listening on http://127\.0\.0\.1:(\d+)', output).group(1))
    with socket.socket() as probe:
        assert probe.connect_ex(('127.0.0.1', port)) != 0  # the emulator is gone


def test_seed_playbook_converges_and_stops_on_an_api_error(ansible):
    with open(PLAYBOOK) as stream:
        text = stream.read()
    first = ansible.playbook(text)
    assert first.rc == 0, first.stdout
    run = first.task('Run the command on the first running instance (alicloud_ecs_invocation)')
    assert run['status'] == 'Success' and run['instance_ids'] == [LINUX_INSTANCES[0]]
    create = ansible.emulator.requests('CreateCommand')
    assert len(create) == 1 and create[0]['params']['CommandContent'] == 'bHMK'
    assert create[0]['params']['WorkingDir'] == '/root'
    assert ansible.emulator.requests('DescribeInstances')[0]['params']['Status'] == 'Running'

    again = ansible.playbook(text)
    assert again.rc == 0
    assert again.task('Make sure the command exists (alicloud_ecs_command)')['changed'] is False
    assert ansible.emulator.count('CreateCommand') == 0 and ansible.emulator.count('InvokeCommand') == 0

    # A refusal that is final (no retry): the play must stop with a non-zero exit code.
    ansible.emulator.set_control({'faults': [{'action': 'DescribeInvocations', 'kind': 'server_error',
                                              'code': 'Forbidden.RAM', 'status': 403}]})
    try:
        broken = ansible.playbook(text)
    finally:
        ansible.emulator.set_control({})
    assert broken.rc != 0
    failed = broken.task('Run the command on the first running instance (alicloud_ecs_invocation)')
    assert failed['msg'].startswith('DescribeInvocations failed: Forbidden.RAM')
