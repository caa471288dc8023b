# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Figures for the inventory plugin against the local emulator (make bench; or run this file alone).

Prints, for a fleet spread over three regions: the time and API calls of a fresh ansible-inventory
--list, with and without the agent status; of a cached one; and of ansible-inventory over a static
YAML inventory with the same hosts, variables and groups. Figures, not assertions.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'tests'))

from ansible_output import plain  # noqa: E402 pylint: disable=wrong-import-position
from checkout import collections_path  # noqa: E402 pylint: disable=wrong-import-position
from emulator.harness import ACCESS_KEY_ID, ACCESS_KEY_SECRET, Emulator  # noqa: E402 pylint: disable=wrong-import-position

BIN = os.path.dirname(sys.executable)
REGIONS = ('cn-shanghai', 'cn-beijing', 'cn-shenzhen')
KEYED_GROUPS = [dict(key='ecs_tags.tier', prefix='tier'), dict(key='zone_id', prefix='zone'),
                dict(key='status', prefix='status')]


def split(total):
    """Instances per region: two fifths, two fifths and the rest (5,000: 2,000 + 2,000 + 1,000)."""
    first = total * 2 // 5
    return dict(zip(REGIONS, (first, first, total - 2 * first)))


class Bench(object):
    def __init__(self, work, emu):
        self.work = work
        self.emu = emu
        self.env = dict(os.environ, HOME=work, ANSIBLE_COLLECTIONS_PATH=collections_path(os.path.join(work, 'collections')),
                        ANSIBLE_INVENTORY_UNPARSED_FAILED='true',
                        ALIBABA_CLOUD_ACCESS_KEY_ID=ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET=ACCESS_KEY_SECRET,
                        ALIBABA_CLOUD_ECS_ENDPOINT='http://' + emu.endpoint)

    def source(self, name, **options):
        path = os.path.join(self.work, name)
        config = dict(plugin='alicloud.ecs.ecs', regions=list(REGIONS), keyed_groups=KEYED_GROUPS,
                      cache_plugin='ansible.builtin.jsonfile', cache_connection=os.path.join(self.work, 'cache'))
        config.update(options)
        with open(path, 'w') as handle:
            yaml.safe_dump(config, handle)
        return path

    def list(self, path, *args):
        """Seconds of one ansible-inventory --list, the API calls it made, and its output file."""
        output = os.path.join(self.work, 'listed.json')
        self.emu.clear_log()
        started = time.monotonic()
        subprocess.run([os.path.join(BIN, 'ansible-inventory'), '-i', path, '--list', '--output', output] + list(args),
                       env=self.env, check=True, capture_output=True, text=True)
        seconds = time.monotonic() - started
        calls = {}
        for line in self.emu.requests():
            calls[line['action']] = calls.get(line['action'], 0) + 1
        return seconds, calls, output


def static_inventory(listed, path):
    """A YAML inventory with the hosts, variables and groups of an ansible-inventory --list document."""
    with open(listed) as handle:
        data = plain(json.load(handle))
    hostvars = data.pop('_meta')['hostvars']
    children = {}
    for group, body in data.items():
        if group not in ('all', 'ungrouped') and body.get('hosts'):
            children[group] = dict(hosts=dict((host, None) for host in body['hosts']))
    with open(path, 'w') as handle:
        yaml.safe_dump(dict(all=dict(hosts=hostvars, children=children)), handle)
    return len(hostvars), len(children)


def spread(values):
    return 'min %.2f  median %.2f  max %.2f' % (min(values), statistics.median(values), max(values))


def calls_text(calls):
    return ', '.join('%s %d' % item for item in sorted(calls.items())) or 'none'


def figure(label, runs):
    print('%-27s %s; calls: %s' % (label + ' (s):', spread([one[0] for one in runs]), calls_text(runs[-1][1])))


def run(work, total=5000, repeat=3):
    counts = split(total)
    args = []
    for region, count in counts.items():
        args.extend(['--region-instances', '%s:%d' % (region, count)])
    with Emulator(os.path.join(work, 'emulator-inventory'), extra_args=args + ['--no-exec']) as emu:
        bench = Bench(os.path.join(work, 'inventory'), emu)
        os.makedirs(bench.work, exist_ok=True)
        pages = sum(math.ceil(count / 100.0) for count in counts.values())
        print('inventory: %d instances in %s; target %d DescribeInstances calls (ceil(instances/100) = %d), '
              '+%d DescribeCloudAssistantStatus with agent status'
              % (total, ', '.join('%s %d' % item for item in counts.items()), pages, math.ceil(total / 100.0),
                 sum(math.ceil(count / 50.0) for count in counts.values())))

        plain_source = bench.source('fresh.alicloud_ecs.yml')
        fresh = [bench.list(plain_source) for dummy in range(repeat)]
        figure('fresh listing', fresh)
        status_source = bench.source('status.alicloud_ecs.yml', cloud_assistant_status=True)
        figure('fresh with agent status', [bench.list(status_source) for dummy in range(repeat)])

        cached_source = bench.source('cached.alicloud_ecs.yml', cache=True)
        bench.list(cached_source)  # fills the cache
        cached = [bench.list(cached_source) for dummy in range(repeat)]
        figure('cached listing', cached)

        static = os.path.join(bench.work, 'static.yml')
        hosts, groups = static_inventory(cached[-1][2], static)
        same = [bench.list(static) for dummy in range(repeat)]
        print('static YAML, %d hosts, %d groups (s): %s' % (hosts, groups, spread([s[0] for s in same])))
        print('cached / static YAML: ratio of medians %.2f (target under 1.2)'
              % (statistics.median([c[0] for c in cached]) / statistics.median([s[0] for s in same])))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--instances', type=int, default=5000, help='instances over the three regions (default 5000)')
    parser.add_argument('--repeat', type=int, default=3, help='runs of each figure, for the spread (default 3)')
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix='alicloud-ecs-bench-inventory-') as work:
        run(work, args.instances, args.repeat)


if __name__ == '__main__':
    main()
