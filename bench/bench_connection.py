# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Figures for the cloud_assistant connection plugin against the local emulator (make bench; or run this file alone).

Prints the Cloud Assistant invocations (RunCommand + SendFile) of the first ansible.builtin.ping on
an instance, of a later ping, and of put_file for a few sizes beside the issue's bound
ceil(N / 24 KiB) + 2; then the wall time of setup + 5 tasks over the plugin beside the same play
over ansible.builtin.local. The emulator's agent picks a command up after its pending delay
(--pending-delay, 0.2 s by default), as a real agent does after its own latency. Figures, not assertions.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'tests'))

from checkout import collections_path  # noqa: E402 pylint: disable=wrong-import-position
from emulator.harness import ACCESS_KEY_ID, ACCESS_KEY_SECRET, LINUX_INSTANCES, REGION, Emulator  # noqa: E402 pylint: disable=wrong-import-position

BIN = os.path.dirname(sys.executable)
INVOCATIONS = ('RunCommand', 'SendFile')
MARK = dict(name='mark', **{'ansible.builtin.set_fact': {'mark': "{{ lookup('pipe', 'date +%s.%N') }}"}})


def five_tasks(workdir):
    return [
        dict(name='command', **{'ansible.builtin.command': 'uname -a'}),
        dict(name='shell', **{'ansible.builtin.shell': 'ls / | wc -l'}),
        dict(name='copy', **{'ansible.builtin.copy': dict(content='bench\n', dest=workdir + '/bench.txt', mode='0644')}),
        dict(name='file', **{'ansible.builtin.file': dict(path=workdir + '/bench.txt', mode='0600')}),
        dict(name='stat', **{'ansible.builtin.stat': dict(path=workdir + '/bench.txt')}),
    ]


class Bench(object):
    def __init__(self, work, emu):
        self.work = work
        self.emu = emu
        self.collections = collections_path(os.path.join(work, 'collections'))
        self.env = dict(os.environ, HOME=work, ANSIBLE_COLLECTIONS_PATH=self.collections,
                        ANSIBLE_PYTHON_INTERPRETER=sys.executable, ANSIBLE_HOST_KEY_CHECKING='false',
                        ALIBABA_CLOUD_ACCESS_KEY_ID=ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET=ACCESS_KEY_SECRET,
                        ALIBABA_CLOUD_REGION_ID=REGION, ALIBABA_CLOUD_ECS_ENDPOINT='http://' + emu.endpoint)
        self.runs = 0

    def playbook(self, plays, hosts):
        self.runs += 1
        inventory = os.path.join(self.work, 'inventory-%d.yml' % self.runs)
        with open(inventory, 'w') as handle:
            yaml.safe_dump({'all': {'hosts': hosts}}, handle)
        path = os.path.join(self.work, 'play-%d.yml' % self.runs)
        with open(path, 'w') as handle:
            yaml.safe_dump(plays, handle, sort_keys=False)
        self.emu.clear_log()
        started = time.monotonic()
        process = subprocess.run([os.path.join(BIN, 'ansible-playbook'), '-i', inventory, path], env=self.env,
                                 capture_output=True, text=True, check=False)
        seconds = time.monotonic() - started
        if process.returncode != 0:
            raise SystemExit('bench play failed:\n%s\n%s' % (process.stdout[-3000:], process.stderr[-3000:]))
        return seconds, process.stdout

    def invocations(self, since=0.0, until=float('inf')):
        return [line for line in self.emu.requests() if line['action'] in INVOCATIONS and line['status'] == 200
                and since < line['time'] < until]

    def ping_counts(self, instance_id):
        """Invocations of the first ping on an instance and of a later one, split by marks taken on the controller."""
        plays = []
        for name in ('first ping', 'later ping'):
            plays.append(dict(name=name, hosts=instance_id, gather_facts=False,
                              tasks=[dict(name=name, **{'ansible.builtin.ping': {'data': name}})]))
            plays.append(dict(name='mark', hosts='localhost', gather_facts=False,
                              tasks=[dict(MARK, register='m'),
                                     dict(name='show', **{'ansible.builtin.debug': {'msg': 'MARK={{ mark }}'}})]))
        hosts = {instance_id: {'ansible_connection': 'alicloud.ecs.cloud_assistant'},
                 'localhost': {'ansible_connection': 'local'}}
        dummy, stdout = self.playbook(plays, hosts)
        marks = [float(line.split('MARK=')[1].strip('" ')) for line in stdout.splitlines() if 'MARK=' in line]
        return len(self.invocations(until=marks[0])), len(self.invocations(marks[0], marks[1]))

    def put_file_counts(self, instance_id, sizes):
        """Invocations of put_file alone, for each size, in one session (the connection driven in-process)."""
        script = os.path.join(ROOT, 'bench', 'bench_connection.py')
        process = subprocess.run([sys.executable, script, '--put-file-child', instance_id] + [str(s) for s in sizes],
                                 env=self.env, capture_output=True, text=True, check=False)
        if process.returncode != 0:
            raise SystemExit('put_file bench failed:\n%s' % process.stderr[-3000:])
        return json.loads(process.stdout.strip().splitlines()[-1])

    def play_time(self, connection, host, workdir, repeats):
        tasks = five_tasks(workdir)
        plays = [dict(name='setup and five tasks', hosts=host, gather_facts=True, tasks=tasks)]
        hosts = {host: {'ansible_connection': connection}}
        times = []
        calls = 0
        for dummy in range(repeats):
            seconds, dummy_out = self.playbook(plays, hosts)
            times.append(seconds)
            calls = len(self.invocations())
        return min(times), calls


def put_file_child(instance_id, sizes):
    """In a process of its own: load the plugin as Ansible does, and put files of the given sizes."""
    from ansible.playbook.play_context import PlayContext
    from ansible.plugins.loader import connection_loader, init_plugin_loader
    init_plugin_loader(os.environ['ANSIBLE_COLLECTIONS_PATH'].split(os.pathsep))
    context = PlayContext()
    context.remote_addr = instance_id
    connection = connection_loader.get('alicloud.ecs.cloud_assistant', context)
    connection.set_options(var_options={})
    sys.path.insert(0, os.path.join(ROOT, 'tests'))
    log = os.path.join(os.environ['BENCH_EMULATOR_LOG'])

    def count():
        with open(log) as handle:
            return sum(1 for line in handle if json.loads(line)['action'] in INVOCATIONS and json.loads(line)['status'] == 200)
    connection._connect()
    results = []
    work = tempfile.mkdtemp()
    for size in sizes:
        source = os.path.join(work, 'blob-%d' % size)
        with open(source, 'wb') as handle:
            handle.write(os.urandom(size))
        before = count()
        started = time.monotonic()
        connection.put_file(source, os.path.join(work, 'remote-%d' % size))
        results.append(dict(size=size, invocations=count() - before, seconds=time.monotonic() - started))
    connection.reset()
    print(json.dumps(results))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--repeats', type=int, default=2, help='play runs per connection; the fastest is shown')
    parser.add_argument('--pending-delay', type=float, default=0.2, help="the emulated agent's pick-up latency (s)")
    parser.add_argument('--put-file-child', nargs='+', help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.put_file_child:
        put_file_child(args.put_file_child[0], [int(s) for s in args.put_file_child[1:]])
        return
    with tempfile.TemporaryDirectory() as work:
        emu = Emulator(work, extra_args=['--pending-delay', str(args.pending_delay)])
        emu.start()
        try:
            bench = Bench(work, emu)
            bench.env['BENCH_EMULATOR_LOG'] = os.path.join(work, 'emulator-requests.jsonl')
            first, later = bench.ping_counts(LINUX_INSTANCES[0])
            print('cloud_assistant: Cloud Assistant invocations (RunCommand + SendFile), emulator pending delay %.2f s'
                  % args.pending_delay)
            print('  first ansible.builtin.ping on an instance: %d (target <= 8)' % first)
            print('  later ping (module already used):           %d (target <= 2)' % later)
            emu.clear_log()
            for item in bench.put_file_counts(LINUX_INSTANCES[1], [0, 1000, 24 * 1024, 100 * 1024, 1024 * 1024]):
                bound = math.ceil(item['size'] / 24576.0) + 2
                print('  put_file %8d bytes: %3d invocations (target <= %d), %.1f s' % (
                    item['size'], item['invocations'], bound, item['seconds']))
            workdir = os.path.join(str(emu.state_dir), LINUX_INSTANCES[2], 'tmp')
            remote, calls = bench.play_time('alicloud.ecs.cloud_assistant', LINUX_INSTANCES[2], workdir, args.repeats)
            local_dir = os.path.join(work, 'local')
            os.makedirs(local_dir)
            local, dummy = bench.play_time('ansible.builtin.local', 'localhost', local_dir, args.repeats)
            print('setup + 5 tasks (command, shell, copy, file, stat), fastest of %d runs:' % args.repeats)
            print('  over alicloud.ecs.cloud_assistant: %.1f s (%d invocations)' % (remote, calls))
            print('  over ansible.builtin.local:        %.1f s' % local)
        finally:
            emu.stop()


if __name__ == '__main__':
    main()
