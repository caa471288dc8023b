# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Test-only stdout callback: one JSON document with every task result, for the integration tests."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
name: json_results
type: stdout
short_description: Print every task result as one JSON document (integration tests only)
description:
  - Collects each task's result per host and prints them, with the play recap, as JSON when the run ends.
'''

import json
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'stdout'
    CALLBACK_NAME = 'json_results'

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self.results = []
        self.started = {}

    def v2_runner_on_start(self, host, task):
        self.started[(host.get_name(), task._uuid)] = time.monotonic()

    def _record(self, result, status):
        started = self.started.pop((result._host.get_name(), result._task._uuid), None)
        duration = None if started is None else time.monotonic() - started
        name = result.task_name or result._task.get_name()
        if result._task._role is not None:
            # Newer ansible-core (2.21) puts the role before a role task's name ("ns.name.role : task"); older does not.
            name = name.split(' : ', 1)[-1]
        self.results.append(dict(task=name, host=result._host.get_name(),
                                 status=status, result=self._convert(result._result), duration=duration))

    @staticmethod
    def _convert(value):
        # Results may hold Ansible's own string and dict types: go through JSON once to get plain ones.
        return json.loads(json.dumps(value, default=str))

    def v2_runner_on_ok(self, result):
        self._record(result, 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, 'ignored' if ignore_errors else 'failed')

    def v2_runner_on_skipped(self, result):
        self._record(result, 'skipped')

    def v2_runner_on_unreachable(self, result):
        self._record(result, 'unreachable')

    def v2_playbook_on_stats(self, stats):
        summary = dict((host, stats.summarize(host)) for host in sorted(stats.processed))
        self._display.display(json.dumps(dict(results=self.results, stats=summary)))
