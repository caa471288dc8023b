# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fault injection of the ECS emulator: faults from flags plus a JSON control file that is
re-read whenever it changes, so a test can switch faults while the server runs."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import random
import sys
import threading

from emu_common import ApiError

KINDS = ('throttle', 'server_error', 'drop', 'drop_after', 'slow')


class Fault(object):
    """One fault rule; `count` and `rate` are tracked per rule."""

    def __init__(self, spec):
        if not isinstance(spec, dict):
            raise ValueError('a fault must be a JSON object: %r' % (spec,))
        self.kind = spec.get('kind')
        if self.kind not in KINDS:
            raise ValueError('unknown fault kind %r (known: %s)' % (self.kind, ', '.join(KINDS)))
        action = spec.get('action', '*')
        self.actions = set(action) if isinstance(action, list) else set([action])
        self.count = spec.get('count')
        self.rate = spec.get('rate')
        self.delay = float(spec.get('delay', 1.0))
        self.code = spec.get('code')
        self.status = spec.get('status')
        self.message = spec.get('message')
        self.retry_after_ms = spec.get('retry_after_ms')
        self.hits = 0
        self._random = random.Random(spec.get('seed'))

    def matches(self, action):
        return '*' in self.actions or action in self.actions

    def fire(self):
        """Decide whether this matching request is hit (and count it)."""
        if self.count is not None and self.hits >= int(self.count):
            return False
        if self.rate is not None and self._random.random() >= float(self.rate):
            return False
        self.hits += 1
        return True

    def error(self):
        """The error answer of a throttle or server_error fault."""
        if self.kind == 'throttle':
            headers = {}
            if self.retry_after_ms is not None:
                headers['x-acs-retry-after'] = str(int(self.retry_after_ms))
            return ApiError(int(self.status or 400), self.code or 'Throttling.User',
                            self.message or 'Request was denied due to user flow control.', headers)
        code = self.code or 'ServiceUnavailable'
        status = self.status
        if status is None:
            status = 503 if code == 'ServiceUnavailable' else 500
        return ApiError(int(status), code, self.message or 'The request has failed due to a temporary failure of the server.')


class Controls(object):
    """Faults and instance conditions from the flags and the control file."""

    def __init__(self, control_file=None, flag_faults=None, offline=None, stop_mid_run=None, state=None):
        self.control_file = control_file
        self.flag_faults = [Fault(spec) for spec in (flag_faults or [])]
        self.flag_offline = set(offline or [])
        self.flag_stop_mid_run = set(stop_mid_run or [])
        self.state = state
        self._lock = threading.RLock()
        self._stamp = None
        self._faults = []
        self._offline = set()
        self._stop_mid_run = set()
        self._pending_delay = None

    def reload(self):
        """Re-read the control file if it changed (inode, mtime or size)."""
        if not self.control_file:
            return
        try:
            info = os.stat(self.control_file)
            stamp = (info.st_ino, info.st_mtime_ns, info.st_size)
        except OSError:
            stamp = None
        with self._lock:
            if stamp == self._stamp:
                return
            self._stamp = stamp
            data = {}
            if stamp is not None:
                try:
                    with open(self.control_file) as handle:
                        text = handle.read()
                    data = json.loads(text) if text.strip() else {}
                    if not isinstance(data, dict):
                        raise ValueError('the control file must hold a JSON object')
                    statuses = self._apply(data)
                except (OSError, ValueError) as exc:
                    sys.stderr.write('ECS emulator: ignoring control file: %s\n' % exc)
                    statuses = self._apply({})
            else:
                statuses = self._apply({})
        # Outside our lock: callers may hold the state lock while they ask us something.
        if self.state is not None and statuses:
            with self.state.lock:
                for instance_id, status in statuses.items():
                    instance = self.state.instances.get(instance_id)
                    if instance is not None and status in ('Running', 'Stopped'):
                        instance.status = status

    def _apply(self, data):
        """Take the faults and conditions of the control file; answer its instance_status map."""
        self._faults = [Fault(spec) for spec in data.get('faults', [])]
        self._offline = set(data.get('offline_agents', []))
        self._stop_mid_run = set(data.get('stop_mid_run', []))
        delay = data.get('pending_delay')
        self._pending_delay = float(delay) if delay is not None else None
        return data.get('instance_status') or {}

    def faults_for(self, action):
        """The faults hit by this request, in order (each hit is counted)."""
        self.reload()
        hit = []
        with self._lock:
            for fault in self.flag_faults + self._faults:
                if fault.matches(action) and fault.fire():
                    hit.append(fault)
                    if fault.kind in ('drop', 'throttle', 'server_error'):
                        break
        return hit

    def offline(self, instance_id):
        self.reload()
        with self._lock:
            return instance_id in self.flag_offline or instance_id in self._offline

    def stops_mid_run(self, instance_id):
        self.reload()
        with self._lock:
            return instance_id in self.flag_stop_mid_run or instance_id in self._stop_mid_run

    def pending_delay(self, default):
        self.reload()
        with self._lock:
            return default if self._pending_delay is None else self._pending_delay
