# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Figures for ecs_invocation against the local emulator (make bench).

Prints: the API calls of a converged rerun; the polls and the time past a command's end for
commands of several lengths; and the median duration of a converged ecs_invocation task beside
an ansible.builtin.ping task, run alternately in one playbook; a 1,000-instance task (calls,
converged reruns, time beside ten 100-instance tasks); then the inventory figures of
bench_inventory.py. The task ratio, the 50-host load case and the listing figure are printed for
both paths: in the controller's process (the default) and as modules (ALICLOUD_ECS_IN_PROCESS=false).
Figures, not assertions.
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
import time

PATHS = (('in-process', 'true'), ('module', 'false'))

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'tests'))

from checkout import collections_path  # noqa: E402 pylint: disable=wrong-import-position
from emulator.harness import ACCESS_KEY_ID, ACCESS_KEY_SECRET, LINUX_INSTANCES, REGION, Emulator, fleet_id  # noqa: E402 pylint: disable=wrong-import-position
from emulator.helpers import create_command, invoke, make_client  # noqa: E402 pylint: disable=wrong-import-position
import bench_inventory  # noqa: E402 pylint: disable=wrong-import-position

BIN = os.path.dirname(sys.executable)
CALLBACKS = os.path.join(ROOT, 'tests', 'integration', 'callback_plugins')


class Runner(object):
    def __init__(self, work, emu):
        os.makedirs(work, exist_ok=True)
        self.work = work
        self.emu = emu
        self.count = 0
        self.env = dict(os.environ, HOME=work, ANSIBLE_COLLECTIONS_PATH=collections_path(os.path.join(work, 'collections')),
                        ANSIBLE_CALLBACK_PLUGINS=CALLBACKS, ANSIBLE_STDOUT_CALLBACK='json_results',
                        ANSIBLE_LOCALHOST_WARNING='0', ANSIBLE_PYTHON_INTERPRETER=sys.executable,
                        ALIBABA_CLOUD_ACCESS_KEY_ID=ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET=ACCESS_KEY_SECRET,
                        ALIBABA_CLOUD_REGION_ID=REGION, ALIBABA_CLOUD_ECS_ENDPOINT='http://' + emu.endpoint)

    def play(self, tasks, hosts='localhost', inventory='localhost,', forks=5, in_process='true'):
        """Run the tasks; ``in_process`` is ALICLOUD_ECS_IN_PROCESS for the run. Keeps the run's wall time."""
        self.count += 1
        path = os.path.join(self.work, 'play-%d.json' % self.count)
        with open(path, 'w') as handle:
            json.dump([dict(hosts=hosts, connection='local', gather_facts=False, tasks=tasks)], handle)
        started = time.monotonic()
        process = subprocess.run([os.path.join(BIN, 'ansible-playbook'), '-i', inventory, '--forks', str(forks), path],
                                 env=dict(self.env, ALICLOUD_ECS_IN_PROCESS=in_process), capture_output=True, text=True,
                                 check=False)
        self.wall = time.monotonic() - started
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


def task_ratio(runner, sdk, pairs, in_process='true'):
    command_id = create_command(sdk, 'echo ratio', name='bench-ratio-%s' % in_process)
    runner.play([invocation(command_id, LINUX_INSTANCES[2:4])])
    tasks = []
    for dummy in range(pairs):
        tasks.append({'name': 'ping', 'ansible.builtin.ping': {}})
        tasks.append(invocation(command_id, LINUX_INSTANCES[2:4]))
    results = runner.play(tasks, in_process=in_process)
    ping = [item['duration'] for item in results if item['task'] == 'ping']
    ecs = [item['duration'] for item in results if item['task'] == 'invocation']
    assert all(not item['result'].get('changed') for item in results if item['task'] == 'invocation')
    return ping, ecs


def load_figures(work, hosts=50, forks=10, rate=0.2):
    """Per-task durations of one invocation per host, without and then with throttling."""
    with Emulator(os.path.join(work, 'emulator-load'), extra_args=['--linux-instances', str(hosts)]) as emu:
        runner = Runner(os.path.join(work, 'load'), emu)
        sdk = make_client(emu)
        inventory = os.path.join(runner.work, 'inventory.json')
        inventory_hosts = dict(('host%02d' % n, dict(ansible_connection='local', instance_id='i-emu-linux-%02d' % n))
                               for n in range(1, hosts + 1))
        with open(inventory, 'w') as handle:
            json.dump({'all': {'hosts': inventory_hosts}}, handle)
        figures = []
        for path, in_process in PATHS:
            for label, control in (('unthrottled', {}),
                                   ('throttled', {'faults': [{'action': '*', 'kind': 'throttle', 'rate': rate, 'seed': 3}]})):
                command_id = create_command(sdk, 'echo %s' % label, name='bench-load-%s-%s' % (label, path))
                emu.set_control(control)
                results = runner.play([invocation(command_id, ['{{ instance_id }}'])], hosts='all', inventory=inventory,
                                      forks=forks, in_process=in_process)
                emu.set_control({})
                created = [line for line in emu.requests('InvokeCommand')
                           if line['status'] == 200 and line['params']['CommandId'] == command_id]
                figures.append((path, label, [item['duration'] for item in results],
                                sum(item['status'] == 'ok' for item in results), len(created), runner.wall))
        return figures


def info_figures(work, count=5000, repeat=3):
    """Seconds of ``repeat`` ecs_invocation_info tasks over ``count`` invocations, and of a plain SDK script paging them."""
    with Emulator(os.path.join(work, 'emulator-info'), extra_args=['--no-exec']) as emu:
        runner = Runner(os.path.join(work, 'info'), emu)
        sdk = make_client(emu)
        command_id = create_command(sdk, 'true', name='bench-info')
        for dummy in range(count):
            invoke(sdk, command_id, [LINUX_INSTANCES[0]])
        tasks = {}
        for path, in_process in PATHS:
            results = runner.play([{'name': 'info', 'alicloud.ecs.ecs_invocation_info': {'command_id': command_id}}] * repeat,
                                  in_process=in_process)
            tasks[path] = [item['duration'] for item in results]
            listed = len(results[-1]['result']['invocations'])
        script = PLAIN_SDK_SCRIPT % dict(key=ACCESS_KEY_ID, secret=ACCESS_KEY_SECRET, endpoint=emu.endpoint,
                                         region=REGION, command=command_id)
        plain = []
        for dummy in range(repeat):
            started = time.monotonic()
            found = subprocess.run([sys.executable, '-c', script], capture_output=True, text=True, check=True).stdout
            plain.append(time.monotonic() - started)
        return tasks, listed, plain, int(found)


PLAIN_SDK_SCRIPT = """
from alibabacloud_ecs20140526.client import Client
from alibabacloud_ecs20140526 import models
from alibabacloud_tea_openapi.models import Config
client = Client(Config(access_key_id=%(key)r, access_key_secret=%(secret)r, endpoint=%(endpoint)r, protocol='http',
                       region_id=%(region)r))
found, token = 0, None
while True:
    body = client.describe_invocations(models.DescribeInvocationsRequest(
        region_id=%(region)r, command_id=%(command)r, max_results=50, next_token=token)).body.to_map()
    found += len(body['Invocations']['Invocation'])
    token = body.get('NextToken')
    if not token:
        break
print(found)
"""


def calls_by_action(emu):
    tally = {}
    for line in emu.requests():
        tally[line['action']] = tally.get(line['action'], 0) + 1
    return '%d (%s)' % (sum(tally.values()), ', '.join('%s %d' % item for item in sorted(tally.items())))


def fleet_figures(work, size=1000):
    """One ecs_invocation task over ``size`` instances (waves of 100): calls to invoke and wait, calls of its converged
    reruns by id and by tag, and its time beside ``size / 100`` separate tasks of 100 instances."""
    generated = size
    while generated - generated // 10 < size:     # every tenth generated instance is Stopped
        generated += 1
    with Emulator(os.path.join(work, 'emulator-fleet'), extra_args=['--fleet-size', str(generated), '--no-exec']) as emu:
        runner = Runner(os.path.join(work, 'fleet'), emu)
        sdk = make_client(emu)
        running = [fleet_id(n) for n in range(1, generated + 1) if n % 10][:size]
        lines = []
        command_id = create_command(sdk, 'echo fleet', name='bench-fleet')
        emu.clear_log()
        whole = runner.play([invocation(command_id, running)])[-1]
        lines.append('%d instances, one task: %.2f s, %d invocations, API calls %s'
                     % (size, whole['duration'], len(whole['result']['invoke_ids']), calls_by_action(emu)))
        for label, extra in (('by id, include_output false', dict(include_output=False)), ('by id, with output', {})):
            emu.clear_log()
            runner.play([invocation(command_id, list(reversed(running)), **extra)])
            lines.append('converged rerun %-28s API calls %s' % (label + ':', calls_by_action(emu)))
        tagged = dict(command_id=command_id, instance_tags={'fleet': 'hz'}, include_output=False)
        if len(running) == generated - generated // 10:      # the tag selects exactly this set
            emu.clear_log()
            runner.play([{'name': 'invocation', 'alicloud.ecs.ecs_invocation': tagged}])
            lines.append('converged rerun %-28s API calls %s' % ('by tag, include_output false:', calls_by_action(emu)))
        command_id = create_command(sdk, 'echo fleet in parts', name='bench-fleet-parts')
        parts = runner.play([invocation(command_id, running[start:start + 100]) for start in range(0, size, 100)])
        lines.append('the same %d instances as %d tasks of 100: %.2f s in all (one task: %.2f s, ratio %.2f)'
                     % (size, len(parts), sum(item['duration'] for item in parts), whole['duration'],
                        whole['duration'] / sum(item['duration'] for item in parts)))
        return lines


def counts(values):
    return '/'.join(str(value) for value in values)


def spread(values):
    return 'min %.3f  median %.3f  max %.3f' % (min(values), statistics.median(values), max(values))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--pairs', type=int, default=15, help='ping/ecs_invocation task pairs (default 15)')
    parser.add_argument('--durations', default='1,3,30,120', help='command lengths in seconds (default 1,3,30,120)')
    parser.add_argument('--invocations', type=int, default=5000, help='invocations listed by the info figure (default 5000)')
    parser.add_argument('--repeat', type=int, default=2, help='runs of each poll and listing figure, for the spread (default 2)')
    parser.add_argument('--skip', default='', help='comma-separated figures to skip: polls, ratio, load, info, fleet, '
                        'inventory')
    parser.add_argument('--fleet', type=int, default=1000, help='instances of the fleet figure (default 1000)')
    args = parser.parse_args()
    skip = set(args.skip.split(','))
    with tempfile.TemporaryDirectory(prefix='alicloud-ecs-bench-') as work:
        with Emulator(os.path.join(work, 'emulator')) as emu:
            runner = Runner(os.path.join(work, 'main'), emu)
            sdk = make_client(emu)
            calls = converged_calls(runner, sdk)
            print('converged rerun: %d API call(s): %s' % (len(calls), ', '.join(calls)))
            for seconds in ([] if 'polls' in skip else args.durations.split(',')):
                runs = [poll_figures(runner, sdk, seconds) for dummy in range(args.repeat)]
                print('%5s s command: polls while it ran %s; in all %s; seen after it ended (s) %s'
                      % (seconds, counts([run[1] for run in runs]), counts([run[0] for run in runs]),
                         spread([run[2] for run in runs])))
            for path, in_process in ([] if 'ratio' in skip else PATHS):
                ping, ecs = task_ratio(runner, sdk, args.pairs, in_process)
                print('%s: ansible.builtin.ping task (s):       %s' % (path, spread(ping)))
                print('%s: converged ecs_invocation task (s):   %s' % (path, spread(ecs)))
                ratios = [e / p for p, e in zip(ping, ecs)]
                print('%s: ecs_invocation / ping: median of medians %.2f; per pair %s'
                      % (path, statistics.median(ecs) / statistics.median(ping), spread(ratios)))
        if 'load' not in skip:
            figures = load_figures(work)
            baselines = dict((path, statistics.median(durations)) for path, label, durations, ok, created, wall in figures
                             if label == 'unthrottled')
            for path, label, durations, ok, created, wall in figures:
                print('%s: 50 hosts, forks 10, %-11s: %d ok, %d invocations, playbook %.2f s, task (s) %s, '
                      'slowest / unthrottled median %.2f'
                      % (path, label, ok, created, wall, spread(durations), max(durations) / baselines[path]))
        if 'info' not in skip:
            tasks, listed, plain, found = info_figures(work, args.invocations, args.repeat)
            print('plain SDK script paging the same %d, run (s):     %s' % (found, spread(plain)))
            for path, durations in sorted(tasks.items()):
                print('%s: ecs_invocation_info over %d invocations, task (s): %s' % (path, listed, spread(durations)))
                print('%s: ecs_invocation_info / plain SDK script: ratio of medians %.2f'
                      % (path, statistics.median(durations) / statistics.median(plain)))
        if 'fleet' not in skip:
            for line in fleet_figures(work, args.fleet):
                print(line)
        if 'inventory' not in skip:
            bench_inventory.run(work, repeat=args.repeat)


if __name__ == '__main__':
    main()
