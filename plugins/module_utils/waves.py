# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Running one instance set as waves: at most 100 instances per InvokeCommand, at a controlled rate.

The set is cut, in id order, into waves of at most 100 instances (fewer when ``concurrency``
is smaller). A wave starts when the instances still running plus the wave fit within
``concurrency``; once more instances failed than ``max_failures`` allows, no wave starts.
This file only schedules: it is given how to start a wave and how to look at started ones,
so it knows nothing of tags or requests.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from ansible_collections.alicloud.ecs.plugins.module_utils.client import run_parallel
from ansible_collections.alicloud.ecs.plugins.module_utils.results import (
    INSTANCE_FAILED,
    instance_summary,
    invocation_result,
    raw_instances,
)
from ansible_collections.alicloud.ecs.plugins.module_utils.waiting import Poller, default_wait_timeout, is_settled

# InvokeCommand takes at most 100 instance ids.
MAX_WAVE = 100
# Instance-level statuses after which an instance no longer counts as running.
INSTANCE_DONE = ('Success', 'Failed', 'Error', 'Timeout', 'Invalid', 'Aborted', 'Cancelled', 'Terminated', 'Stopped')
_LIMIT = re.compile(r'^\s*(\d+)\s*(%?)\s*$')


class Limit(object):
    """A count of instances, or a percentage of the set (``"10%"``)."""

    def __init__(self, number, percent=False):
        self.number = number
        self.percent = percent

    def of(self, total, at_least=0):
        if not self.percent:
            return max(at_least, self.number)
        return max(at_least, total * self.number // 100)

    def __str__(self):
        return '{0}{1}'.format(self.number, '%' if self.percent else '')


def parse_limit(value, name, minimum):
    """``concurrency`` / ``max_failures`` as a Limit (None when not given); ValueError says what is wrong."""
    if value is None or value == '':
        return None
    match = _LIMIT.match(str(value)) if not isinstance(value, bool) else None
    if not match:
        raise ValueError('{0} must be a number of instances or a percentage such as "10%", not {1!r}'.format(name, value))
    number, percent = int(match.group(1)), bool(match.group(2))
    if number < minimum or (percent and number > 100):
        raise ValueError('{0} must be {1}{2}, not {3}'.format(
            name, 'at least {0}'.format(minimum), ' and at most 100%' if percent else '', value))
    return Limit(number, percent)


def wave_size(total, concurrency=None):
    """How many instances one wave takes: 100, or fewer when fewer may run at once."""
    if concurrency is None:
        return MAX_WAVE
    return max(1, min(MAX_WAVE, concurrency.of(total, at_least=1)))


def cut(instance_ids, size):
    ids = sorted(instance_ids)
    return [ids[start:start + size] for start in range(0, len(ids), size)]


class Wave(object):
    """One InvokeCommand of the set: its instances, its invoke id, when it started and what was last seen."""

    def __init__(self, instance_ids, invoke_id, started):
        self.instance_ids = instance_ids
        self.invoke_id = invoke_id
        self.started = started
        self.raw = None
        self.deadline = None

    def running(self):
        """Instances of the wave not done yet (all of them until it was first seen)."""
        if self.raw is None:
            return len(self.instance_ids)
        return sum(1 for item in raw_instances(self.raw) if item.get('InvocationStatus') not in INSTANCE_DONE)

    def failed(self):
        if self.raw is None:
            return 0
        return sum(1 for item in raw_instances(self.raw) if item.get('InvocationStatus') in INSTANCE_FAILED)


class Interrupted(Exception):
    """Waves stopped before all were settled (an API error, a time-out); says what had been started."""

    def __init__(self, message, waves, not_started, cause=None):
        super(Interrupted, self).__init__(message)
        self.waves = waves
        self.not_started = not_started
        self.cause = cause


class Outcome(object):
    """What ran: ``waves`` (started, oldest first), ``not_started`` ids, and whether max_failures stopped it."""

    def __init__(self, waves, not_started, stopped_early, failures):
        self.waves = waves
        self.not_started = not_started
        self.stopped_early = stopped_early
        self.failures = failures

    def parts(self):
        """The waves' last DescribeInvocations items, newest first (as combined_result reads them)."""
        return [wave.raw for wave in reversed(self.waves)]


def _start_all(start, batches, clock):
    """Start several waves at once; a failure of one does not hide the waves already started."""
    def attempt(ids):
        try:
            return start(ids), None
        except Exception as error:  # re-raised below, once the started waves are known
            return None, error

    answers = run_parallel(*[lambda ids=ids: attempt(ids) for ids in batches])
    now = clock()
    started = [Wave(ids, invoke_id, now) for ids, (invoke_id, error) in zip(batches, answers) if error is None]
    errors = [error for _invoke_id, error in answers if error is not None]
    return started, [ids for ids, (_invoke_id, error) in zip(batches, answers) if error is not None], errors


def run_waves(instance_ids, start, look, repeat_mode, concurrency=None, max_failures=None, wait=True,
              wait_timeout=None, poller=None, set_size=None):
    """Invoke ``instance_ids`` in waves and, with ``wait``, follow them until every started wave is settled.

    ``start(ids)`` makes one invocation and returns its invoke id; ``look(invoke_ids)`` returns
    ``{invoke_id: DescribeInvocations item}``. ``wait_timeout`` (default: the invocation's timeout
    plus a margin) bounds each wave from its start. Percentages are of ``set_size`` (the whole
    set, when only its failed part runs again; default: the instances given). Raises
    Interrupted, naming the started waves, when a call fails or a wave outlives its time-out.
    """
    poller = poller or Poller()
    total = set_size or len(instance_ids)
    pending = cut(instance_ids, wave_size(total, concurrency))
    allowed_running = concurrency.of(total, at_least=1) if concurrency else total
    allowed_failures = max_failures.of(total) if max_failures else None
    waves, stopped_early = [], False

    def not_started():
        return [i for batch in pending for i in batch]

    while True:
        batches = []
        running = sum(wave.running() for wave in waves)
        # The first wave always fits when nothing runs; others while they fit within the limit.
        while pending and not stopped_early and (
                (not batches and running == 0) or running + len(pending[0]) <= allowed_running):
            batches.append(pending.pop(0))
            running += len(batches[-1])
        if batches:
            started, failed_batches, errors = _start_all(start, batches, poller.clock)
            waves.extend(started)
            if errors:
                pending[:0] = failed_batches
                raise Interrupted(str(errors[0]), waves, not_started(), errors[0])
            if wait:
                poller.sleep(poller.first)  # a command just invoked cannot be done yet
        active = [wave for wave in waves
                  if wave.raw is None or (wait and not is_settled(wave.raw.get('InvocationStatus'), repeat_mode))]
        if not active or not wait and not pending:
            if active:
                _look(look, active, waves, not_started)
            failures = sum(wave.failed() for wave in waves)
            return Outcome(waves, not_started(), stopped_early, failures)
        if not batches:
            newest = max(wave.started for wave in active)
            elapsed = poller.clock() - newest
            deadline = min(wave.deadline for wave in active if wave.deadline is not None) \
                if any(wave.deadline is not None for wave in active) else None
            delay = poller.interval(elapsed)
            if deadline is not None:
                delay = min(delay, max(0.0, deadline - poller.clock()))
            poller.sleep(delay)
        _look(look, active, waves, not_started)
        now = poller.clock()
        for wave in active:
            if wave.deadline is None:
                wave.deadline = wave.started + (wait_timeout or default_wait_timeout(wave.raw))
            if now >= wave.deadline and not is_settled(wave.raw.get('InvocationStatus'), repeat_mode):
                result = invocation_result(wave.raw)
                raise Interrupted('timed out after {0} s waiting for invocation {1} ({2}): {3}'.format(
                    int(wave.deadline - wave.started), wave.invoke_id, result['status'], instance_summary(result)),
                    waves, not_started())
        if allowed_failures is not None and sum(wave.failed() for wave in waves) > allowed_failures:
            stopped_early = True


def _look(look, active, waves, not_started):
    try:
        seen = look([wave.invoke_id for wave in active])
    except Exception as error:  # an API error while following: say what was started
        raise Interrupted(str(error), waves, not_started(), error)
    for wave in active:
        if seen.get(wave.invoke_id) is None:
            raise Interrupted('invocation {0} no longer exists'.format(wave.invoke_id), waves, not_started())
        wave.raw = seen[wave.invoke_id]
