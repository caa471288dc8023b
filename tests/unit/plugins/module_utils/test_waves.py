# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The wave scheduler against a simulated service on a simulated clock (no threads of time, no network)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.alicloud.ecs.plugins.module_utils.results import output_groups, summary
from ansible_collections.alicloud.ecs.plugins.module_utils.waiting import Poller
from ansible_collections.alicloud.ecs.plugins.module_utils.waves import Interrupted, parse_limit, run_waves, wave_size


class FakeService(object):
    """Instances run for ``duration`` seconds from their wave's start; ``failing`` ones end Failed."""

    def __init__(self, duration=3.0, failing=(), timeout=60):
        self.now = 0.0
        self.duration = duration
        self.failing = set(failing)
        self.timeout = timeout
        self.waves = {}
        self.peak = 0
        self.looks = 0
        self.fail_start_after = None

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds
        self.peak = max(self.peak, self.running())

    def running(self):
        return sum(len(ids) for ids, started in self.waves.values() if started <= self.now < started + self.duration)

    def start(self, ids):
        if self.fail_start_after is not None and len(self.waves) >= self.fail_start_after:
            raise RuntimeError('Throttling: too many requests')
        invoke_id = 't-%d' % (len(self.waves) + 1)
        self.waves[invoke_id] = (list(ids), self.now)
        self.peak = max(self.peak, self.running())
        return invoke_id

    def raw(self, invoke_id):
        ids, started = self.waves[invoke_id]
        done = self.now >= started + self.duration
        records = [dict(InstanceId=i, InvocationStatus=('Failed' if i in self.failing else 'Success') if done else 'Running')
                   for i in ids]
        failed = sum(1 for record in records if record['InvocationStatus'] == 'Failed')
        status = 'Running' if not done else 'Success' if not failed else 'Failed' if failed == len(ids) else 'PartialFailed'
        return dict(InvokeId=invoke_id, InvocationStatus=status, RepeatMode='Once', Timeout=self.timeout,
                    InvokeInstances=dict(InvokeInstance=records))

    def look(self, invoke_ids):
        self.looks += 1
        return dict((invoke_id, self.raw(invoke_id)) for invoke_id in invoke_ids)

    def run(self, ids, **kwargs):
        poller = Poller(clock=self.clock, sleep=self.sleep, rand=lambda: 0.0)
        return run_waves(ids, self.start, self.look, 'Once', poller=poller, **kwargs)


IDS = ['i-%03d' % n for n in range(1, 251)]


def test_a_set_above_100_starts_as_waves_of_at_most_100_at_once():
    service = FakeService()
    ran = service.run(IDS)
    assert [len(ids) for ids, _started in service.waves.values()] == [100, 100, 50]
    assert set(started for _ids, started in service.waves.values()) == {0.0}
    assert ran.not_started == [] and not ran.stopped_early and ran.failures == 0
    assert [raw['InvokeId'] for raw in ran.parts()] == ['t-3', 't-2', 't-1']       # newest first
    assert service.looks <= 8        # a 3 s run, followed by one look at all waves per round


def test_concurrency_bounds_the_instances_running_at_once():
    service = FakeService()
    ran = service.run(IDS[:35], concurrency=parse_limit(10, 'concurrency', 1))
    assert [len(ids) for ids, _started in service.waves.values()] == [10, 10, 10, 5]
    assert service.peak == 10 and ran.not_started == []
    starts = [started for _ids, started in service.waves.values()]
    assert all(later >= earlier + service.duration for earlier, later in zip(starts, starts[1:]))


def test_a_percentage_above_100_instances_runs_several_waves_at_once_within_the_limit():
    service = FakeService()
    service.run(IDS, concurrency=parse_limit('80%', 'concurrency', 1))      # 200 of 250
    assert service.peak == 200
    assert [len(ids) for ids, _started in service.waves.values()] == [100, 100, 50]


def test_max_failures_stops_starting_waves_after_one_more_failure():
    failing = ['i-003', 'i-007', 'i-012', 'i-018']      # waves of 5: the third failure is in wave 3
    service = FakeService(failing=failing)
    ran = service.run(IDS[:40], concurrency=parse_limit(5, 'concurrency', 1),
                      max_failures=parse_limit(2, 'max_failures', 0))
    assert len(service.waves) == 3 and ran.stopped_early and ran.failures == 3
    assert ran.not_started == IDS[15:40]


def test_failures_within_the_limit_let_every_wave_start():
    service = FakeService(failing=['i-003'])
    ran = service.run(IDS[:20], concurrency=parse_limit(5, 'concurrency', 1), max_failures=parse_limit(1, 'max_failures', 0))
    assert len(service.waves) == 4 and not ran.stopped_early and ran.not_started == []


def test_without_wait_every_wave_starts_and_is_looked_at_once():
    service = FakeService()
    ran = service.run(IDS, wait=False)
    assert len(service.waves) == 3 and service.looks == 1 and service.now == 0.0
    assert all(raw['InvocationStatus'] == 'Running' for raw in ran.parts())


def test_a_failed_start_names_the_waves_already_started():
    service = FakeService()
    service.fail_start_after = 2
    with pytest.raises(Interrupted) as caught:
        service.run(IDS)
    assert [wave.invoke_id for wave in caught.value.waves] == ['t-1', 't-2']
    assert caught.value.not_started == IDS[200:] and 'Throttling' in str(caught.value)


def test_a_wave_that_outlives_its_time_out_interrupts():
    service = FakeService(duration=1000)
    with pytest.raises(Interrupted, match=r'timed out after 30 s waiting for invocation t-1 \(Running\)'):
        service.run(IDS[:10], wait_timeout=30)
    assert service.now == pytest.approx(30, abs=0.01)


def test_wave_size_follows_concurrency():
    assert wave_size(1000) == 100
    assert wave_size(1000, parse_limit('5%', 'concurrency', 1)) == 50
    assert wave_size(10, parse_limit('1%', 'concurrency', 1)) == 1        # never zero


def test_summary_and_output_groups_fold_identical_answers():
    result = dict(instances=[dict(instance_id='i-%d' % n, status='Success', exit_code=0, output='ok\n') for n in range(5)]
                  + [dict(instance_id='i-9', status='Failed', exit_code=2, output='no disk\n')])
    assert summary(result, not_started=['i-x'], skipped=[]) == dict(
        total=6, status={'Success': 5, 'Failed': 1}, exit_code={'0': 5, '2': 1}, not_started=1, skipped=0)
    groups = output_groups(result)
    assert [len(group['instance_ids']) for group in groups] == [5, 1]
    assert groups[1] == dict(instance_ids=['i-9'], status='Failed', exit_code=2, output='no disk\n')
