# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Rate control of ecs_invocation (concurrency, max_failures), checked from the emulator's own records.

Runs are simulated and last 2 s, so that the records' whole-second StartTime and FinishTime
show how many instances ran at once. Every tenth generated instance is Stopped: invoked with
preflight=false, it ends Aborted, a failure.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import calendar
import time

import pytest

from emulator.harness import fleet_id, peak_concurrency
from emulator.helpers import create_command, make_client

EMULATOR_ARGS = ['--fleet-size', '60', '--no-exec', '--simulated-run-time', '2']


def task(**args):
    return dict(name='run', register='r', ignore_errors=True, **{'alicloud.ecs.ecs_invocation': args})


def invoked_sets(emu):
    return [sorted(value for key, value in line['params'].items() if key.startswith('InstanceId.'))
            for line in emu.requests('InvokeCommand')]


def epoch(text):
    return calendar.timegm(time.strptime(text, '%Y-%m-%dT%H:%M:%SZ'))


@pytest.fixture(scope='module')
def sdk(emulator):
    return make_client(emulator)


def test_concurrency_10_never_runs_more_than_10_instances_at_once(ansible, sdk):
    command_id = create_command(sdk, 'echo ok', name='rate-concurrency')
    ids = [fleet_id(n) for n in range(1, 34) if n % 10]                       # 30 running instances
    run = ansible.playbook([task(command_id=command_id, instance_ids=ids, concurrency=10)])
    result = run.task('run')
    assert run.status('run') == 'ok' and result['status'] == 'Success', result.get('msg')
    assert invoked_sets(ansible.emulator) == [ids[:10], ids[10:20], ids[20:]]
    intervals = [(epoch(item['start_time']), epoch(item['finish_time'])) for item in result['instances']]
    assert len(intervals) == 30 and peak_concurrency(intervals) == 10


def test_max_failures_2_stops_starting_waves_after_the_third_failure(ansible, sdk):
    command_id = create_command(sdk, 'echo ok', name='rate-failures')
    ids = [fleet_id(n) for n in range(1, 61)]                                  # 10, 20, ... are Stopped
    run = ansible.playbook([task(command_id=command_id, instance_ids=ids, concurrency=10, max_failures=2,
                                 preflight=False)])
    result = run.task('run')
    assert run.status('run') == 'ignored'
    assert invoked_sets(ansible.emulator) == [ids[:10], ids[10:20], ids[20:30]]
    assert result['not_started_instances'] == ids[30:]
    assert result['summary'] == dict(total=30, status={'Success': 27, 'Aborted': 3}, exit_code={'0': 27},
                                     not_started=30, skipped=0)
    assert result['msg'].startswith('3 instances failed, more than max_failures 2 allows; no further wave was started: '
                                    '30 instances never started')
    assert all(fleet_id(n) in result['msg'] for n in (10, 20, 30))

    # The next run starts what never ran and what failed, in the same waves' way.
    rerun = ansible.playbook([task(command_id=command_id, instance_ids=ids, concurrency=10, max_failures='10%',
                                   preflight=False)])
    assert sorted(sum(invoked_sets(ansible.emulator), [])) == sorted(ids[30:] + [fleet_id(n) for n in (10, 20, 30)])
    assert rerun.status('run') == 'ok' and rerun.task('run')['summary']['status'] == {'Success': 54, 'Aborted': 6}
    assert '6 of 60 instances failed, within max_failures 10% (6 of 60)' in rerun.stderr + rerun.stdout
