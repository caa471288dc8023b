# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Waiting for invocations: when one is settled, and when to look again."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import random
import time

from ansible_collections.alicloud.ecs.plugins.module_utils.client import api_int
from ansible_collections.alicloud.ecs.plugins.module_utils.results import instance_summary, invocation_result

PERIODIC_MODES = ('Period', 'NextRebootOnly', 'EveryReboot')
# When a Once invocation is done; periodic ones are settled once Scheduled.
FINISHED = ('Success', 'Failed', 'PartialFailed', 'Stopped')
# Margin over the command's own timeout for delivery and start-up, when waiting.
WAIT_MARGIN = 60
DEFAULT_COMMAND_TIMEOUT = 60


class WaitTimeout(Exception):
    """The wait ended before the invocation was settled; ``invocation`` is its last known state."""

    def __init__(self, message, invocation):
        super(WaitTimeout, self).__init__(message)
        self.invocation = invocation


def is_settled(status, repeat_mode):
    if repeat_mode in PERIODIC_MODES:
        return status not in ('Pending', 'Running') and status is not None
    return status in FINISHED


class Poller(object):
    """When to look again: soon at first, then at a fraction of the time already spent, capped.

    Checking at about a quarter of the elapsed time keeps the delay after a command ends within
    about 25 % of its run time, while a long command costs only a logarithmic number of calls.
    """

    def __init__(self, first=0.5, fraction=0.25, cap=10.0, jitter=0.1, clock=time.monotonic, sleep=time.sleep,
                 rand=random.random):
        self.first = first
        self.fraction = fraction
        self.cap = cap
        self.jitter = jitter
        self.clock = clock
        self.sleep = sleep
        self.rand = rand

    def interval(self, elapsed):
        base = min(self.cap, max(self.first, self.fraction * elapsed))
        # Jitter only shortens the wait, so the bound on lateness holds.
        return base * (1.0 - self.jitter * self.rand())


def default_wait_timeout(raw):
    """The invocation's own timeout (the command's, unless the task overrode it) plus a margin."""
    return (api_int(raw.get('Timeout')) or DEFAULT_COMMAND_TIMEOUT) + WAIT_MARGIN


def wait_for(describe, invoke_id, repeat_mode, wait_timeout=None, poller=None, first_delay=None):
    """Poll ``describe(invoke_id)`` until the invocation is settled; return the last DescribeInvocations item.

    ``first_delay`` waits before the first look (a command just invoked cannot be done yet).
    Without ``wait_timeout``, the invocation's own timeout plus a margin is used. Raises
    WaitTimeout naming each instance's state when the time-out passes first, and LookupError
    when the invocation no longer exists.
    """
    poller = poller or Poller()
    started = poller.clock()
    if first_delay:
        poller.sleep(first_delay)
    while True:
        raw = describe(invoke_id)
        if raw is None:
            raise LookupError('invocation {0} no longer exists'.format(invoke_id))
        if is_settled(raw.get('InvocationStatus'), repeat_mode):
            return raw
        if wait_timeout is None:
            wait_timeout = default_wait_timeout(raw)
        elapsed = poller.clock() - started
        if elapsed >= wait_timeout:
            result = invocation_result(raw)
            raise WaitTimeout('timed out after {0} s waiting for invocation {1} ({2}): {3}'.format(
                int(wait_timeout), invoke_id, result['status'], instance_summary(result)), result)
        poller.sleep(min(poller.interval(elapsed), max(0.0, wait_timeout - elapsed)))
