# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Figures for ecs_invocation against the local emulator (make bench).

Prints: the API calls of a converged rerun; the polls and the time past a command's end for
commands of several lengths; and the median duration of a converged ecs_invocation task beside
an ansible.builtin.ping task, run alternately in one playbook. Figures, not assertions.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'tests'))

from emulator.harness import ACCESS_KEY_ID, ACCESS_KEY_SECRET, LINUX_INSTANCES, REGION, Emulator  # noqa: E402 pylint: disable=wrong-import-position
from emulator.helpers import create_command, make_client  # noqa: E402 pylint: disable=wrong-import-position

BIN = os.path.dirname(sys.executable)
CALLBACKS = os.path.join(ROOT, 'tests', 'integration', 'callback_plugins')


def collections_path(work):
    """A collections path whose alicloud/ecs is this checkout."""
    path = os.path.join(work, 'collections')
    os.makedirs(os.path.join(path, 'ansible_collections', 'alicloud'))
    os.symlink(ROOT, os.path.join(path, 'ansible_collections', 'alicloud', 'ecs'))
    return path


class Runner(object):
    def __init__(self, work, emu):
        self.work = work
        self.emu = emu
        self.count = 0
        self.env = dict(os.environ, HOME=work, ANSIBLE_COLLECTIONS_PATH=collections_path(work),
                        ANSIBLE_CALLBACK_PLUGINS=CALLBACKS, ANSIBLE_STDOUT_CALLBACK='json_results',
                        ANSIBLE_LOCALHOST_WARNING='0', ANSIBLE_PYTHON_INTERPRETER=sys.executable,
                        ALIBABA_CLOUD_ACCESS_KEY_ID=ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET=ACCESS_KEY_SECRET,
                        ALIBABA_CLOUD_REGION_ID=REGION, ALIBABA_CLOUD_ECS_ENDPOINT='http://' + emu.endpoint)

    def play(self, tasks):
        self.count += 1
        path = os.path.join(self.work, 'play-%d.json' % self.count)
        with open(path, 'w') as handle:
            json.dump([dict(hosts='localhost', connection='local', gather_facts=False, tasks=tasks)], handle)
        process = subprocess.run([os.path.join(BIN, 'ansible-playbook'), '-i', 'localhost,', path], env=self.env,
                                 capture_output=True, text=True, check=False)
        lines = [line for line in process.stdout.splitlines() if line.startswith('{')]
        if not lines:
            raise RuntimeError('ansible-playbook printed no results:\n%s\n%s' % (process.stdout, process.stderr))
        return json.loads(lines[-1])['results']


def invocation(command_id, instances, **extra):
    args = dict(command_id=command_id, instance_ids=instances)
    args.update(extra)
    return {'name': 'invocation', 'alicloud.ecs.ecs_invocation': args}


def converged_calls(runner, sdk):
    command_id = create_command(sdk, 'echo converged', name='bench-converged')
    runner.play([invocation(command_id, LINUX_INSTANCES[:2])])
    runner.emu.clear_log()
    runner.play([invocation(command_id, list(reversed(LINUX_INSTANCES[:2])))])
    return [line['action'] for line in runner.emu.requests()]


def poll_figures(runner, sdk, seconds):
    """Polls made while the command ran, and the seconds between its end and the module's last look."""
    command_id = create_command(sdk, 'sleep %s; date +%%s.%%N' % seconds, name='bench-sleep-%s' % seconds,
                                timeout=int(seconds) + 60)
    runner.emu.clear_log()
    result = runner.play([invocation(command_id, [LINUX_INSTANCES[5]])])[-1]['result']
    ended = float(result['instances'][0]['output'].split()[-1])
    looks = [line for line in runner.emu.requests('DescribeInvocations')
             if line['params'].get('InvokeId') == result['invoke_id']]
    during = [line for line in looks if line['time'] <= ended]
    return len(looks), len(during), looks[-1]['time'] - ended


def task_ratio(runner, sdk, pairs):
    command_id = create_command(sdk, 'echo ratio', name='bench-ratio')
    runner.play([invocation(command_id, LINUX_INSTANCES[2:4])])
    tasks = []
    for dummy in range(pairs):
        tasks.append({'name': 'ping', 'ansible.builtin.ping': {}})
        tasks.append(invocation(command_id, LINUX_INSTANCES[2:4]))
    results = runner.play(tasks)
    ping = [item['duration'] for item in results if item['task'] == 'ping']
    ecs = [item['duration'] for item in results if item['task'] == 'invocation']
    assert all(not item['result'].get('changed') for item in results if item['task'] == 'invocation')
    return ping, ecs


def spread(values):
    return 'min %.3f  median %.3f  max %.3f' % (min(values), statistics.median(values), max(values))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--pairs', type=int, default=15, help='ping/ecs_invocation task pairs (default 15)')
    parser.add_argument('--durations', default='1,3,5,30', help='command lengths in seconds (default 1,3,5,30)')
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix='alicloud-ecs-bench-') as work:
        with Emulator(os.path.join(work, 'emulator')) as emu:
            runner = Runner(work, emu)
            sdk = make_client(emu)
            calls = converged_calls(runner, sdk)
            print('converged rerun: %d API call(s): %s' % (len(calls), ', '.join(calls)))
            for seconds in args.durations.split(','):
                looks, during, late = poll_figures(runner, sdk, seconds)
                print('%5s s command: %2d polls while it ran, %2d in all, seen %.2f s after it ended'
                      % (seconds, during, looks, late))
            ping, ecs = task_ratio(runner, sdk, args.pairs)
            print('ansible.builtin.ping task (s):       %s' % spread(ping))
            print('converged ecs_invocation task (s):   %s' % spread(ecs))
            ratios = [e / p for p, e in zip(ping, ecs)]
            print('ecs_invocation / ping: median of medians %.2f; per pair %s'
                  % (statistics.median(ecs) / statistics.median(ping), spread(ratios)))


if __name__ == '__main__':
    main()
