# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Many hosts at once under throttling: every task succeeds and each command runs exactly once."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

from emulator.helpers import create_command, make_client

HOSTS = 50
# A fleet of 50 Linux instances, one per inventory host.
EMULATOR_ARGS = ['--linux-instances', str(HOSTS)]


def test_fifty_hosts_forks_ten_twenty_percent_throttled(ansible):
    sdk = make_client(ansible.emulator)
    command_id = create_command(sdk, 'echo once >> ran.txt; wc -l < ran.txt', name='load')
    inventory = ansible.workdir / 'inventory.json'
    hosts = dict(('host%02d' % n, dict(ansible_connection='local', instance_id='i-emu-linux-%02d' % n))
                 for n in range(1, HOSTS + 1))
    inventory.write_text(json.dumps({'all': {'hosts': hosts}}))
    playbook = [dict(name='load', hosts='all', gather_facts=False, tasks=[dict(
        name='run', register='r', **{'alicloud.ecs.ecs_invocation': dict(
            command_id=command_id, instance_ids=['{{ instance_id }}'])})])]
    ansible.emulator.set_control({'faults': [{'action': '*', 'kind': 'throttle', 'rate': 0.2, 'seed': 7}]})
    try:
        run = ansible.playbook(json.dumps(playbook), inventory=inventory, args=['--forks', '10'])
    finally:
        ansible.emulator.set_control({})
    assert run.rc == 0, run.stdout[-3000:]
    results = [item for item in run.results if item['task'] == 'run']
    assert len(results) == HOSTS and all(item['status'] == 'ok' for item in results)
    # Each instance ran the command once: its counter file has one line.
    assert all(item['result']['instances'][0]['output'] == '1\n' for item in results)
    throttled = [line for line in ansible.emulator.requests() if line.get('fault') == 'throttle']
    assert throttled, 'the fault injection did not throttle anything'
    created = [line for line in ansible.emulator.requests('InvokeCommand') if line['status'] == 200]
    assert len(created) == HOSTS
    assert len(set(line['params']['ClientToken'] for line in created)) == HOSTS
