# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Start and drive the ECS emulator from test code (stdlib only).

    from emulator.harness import Emulator, ACCESS_KEY_ID, ACCESS_KEY_SECRET, REGION

    with Emulator(tmp_path) as emu:
        emu.endpoint            # "127.0.0.1:PORT", for Config(endpoint=..., protocol='http')
        emu.set_control({'faults': [{'action': 'InvokeCommand', 'kind': 'throttle', 'count': 1}]})
        emu.count('InvokeCommand')
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import pathlib
import signal
import subprocess
import sys
import tempfile
import time

SERVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'server.py')

ACCESS_KEY_ID = 'LTAIEMULATOR0000TEST'
ACCESS_KEY_SECRET = 'emulator-test-secret'
STS_ID = 'STS.EMULATOR0000TEST'
STS_SECRET = 'emulator-sts-secret'
STS_TOKEN = 'emulator-sts-token'
REGION = 'cn-hangzhou'

LINUX_INSTANCES = ['i-emu-linux-%02d' % n for n in range(1, 13)]
WINDOWS_INSTANCE = 'i-emu-win-01'
STOPPED_INSTANCE = 'i-emu-stopped-01'


# Generated fleets (--fleet-size N, --region-instances REGION:N): instance n of a region, 1-based.
FLEET_RESOURCE_GROUPS = ('rg-emu0000000000001', 'rg-emu0000000000002')     # odd n, even n
_REGION_TAGS = {'cn-hangzhou': 'hz', 'cn-shanghai': 'sh', 'cn-beijing': 'bj', 'cn-shenzhen': 'sz'}


def fleet_id(number, region=REGION):
    """The id of generated instance `number` in `region` (i-emu-hz-00001 ...)."""
    return 'i-emu-%s-%05d' % (_REGION_TAGS[region], number)


def peak_concurrency(intervals):
    """How many (start, finish) intervals overlap at most, read as half-open [start, finish).

    Feed it the StartTime / FinishTime of an invocation's records (as epoch seconds) to check a rate
    limit: the API writes whole seconds, so start runs with --simulated-run-time 2 or more.
    """
    events = sorted([(start, 1) for start, _finish in intervals] + [(finish, -1) for _start, finish in intervals])
    peak = current = 0
    for _when, step in events:
        current += step
        peak = max(peak, current)
    return peak


class EmulatorError(RuntimeError):
    pass


class Emulator(object):
    """One emulator process with its port file, request log and control file in `workdir`."""

    def __init__(self, workdir, extra_args=None, start_timeout=15.0, python=None):
        self.workdir = pathlib.Path(workdir)
        self.extra_args = list(extra_args or [])
        self.start_timeout = start_timeout
        self.python = python or sys.executable
        self.port_file = self.workdir / 'emulator.port'
        self.log_file = self.workdir / 'emulator-requests.jsonl'
        self.control_file = self.workdir / 'emulator-control.json'
        self.stdout_file = self.workdir / 'emulator.stdout'
        self.stderr_file = self.workdir / 'emulator.stderr'
        self.state_dir = self.workdir / 'emulator-state'
        self.port = None
        self.process = None
        self._streams = []

    # -- life cycle -----------------------------------------------------------------------------
    def start(self):
        """Start the server and wait until it has written its port (raises with its stderr if it dies)."""
        if self.process is not None:
            raise EmulatorError('the emulator is already running')
        self.workdir.mkdir(parents=True, exist_ok=True)
        for path in (self.port_file,):
            if path.exists():
                path.unlink()
        self.set_control({})
        self.log_file.write_text('')
        command = [self.python, SERVER, '--port', '0', '--port-file', str(self.port_file),
                   '--log', str(self.log_file), '--control-file', str(self.control_file)]
        if '--state-dir' not in self.extra_args:
            command += ['--state-dir', str(self.state_dir)]
        command += self.extra_args
        stdout = open(str(self.stdout_file), 'w')
        stderr = open(str(self.stderr_file), 'w')
        self._streams = [stdout, stderr]
        self.process = subprocess.Popen(command, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL,
                                        close_fds=True)
        deadline = time.time() + self.start_timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                self._close_streams()
                self.process = None
                raise EmulatorError('the emulator exited with %s before listening:\n%s' % (code, self._stderr()))
            if self.port_file.exists():
                text = self.port_file.read_text().strip()
                if text:
                    self.port = int(text)
                    return self
            time.sleep(0.05)
        self.stop()
        raise EmulatorError('the emulator did not listen within %.0f s:\n%s' % (self.start_timeout, self._stderr()))

    def stop(self, timeout=10.0):
        """Stop the server (SIGTERM, then SIGKILL if it lingers)."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        self._close_streams()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    def _close_streams(self):
        for stream in self._streams:
            stream.close()
        self._streams = []

    def _stderr(self):
        try:
            return self.stderr_file.read_text()
        except OSError:
            return ''

    def stderr(self):
        """What the server wrote to stderr so far (tracebacks of unexpected errors end up here)."""
        return self._stderr()

    # -- where it listens -----------------------------------------------------------------------
    @property
    def endpoint(self):
        return '127.0.0.1:%d' % self.port

    @property
    def url(self):
        return 'http://%s' % self.endpoint

    def env(self):
        """Environment variables pointing the collection's modules at this emulator."""
        return {
            'ALIBABA_CLOUD_ACCESS_KEY_ID': ACCESS_KEY_ID,
            'ALIBABA_CLOUD_ACCESS_KEY_SECRET': ACCESS_KEY_SECRET,
            'ALIBABA_CLOUD_REGION_ID': REGION,
            'ALIBABA_CLOUD_ECS_ENDPOINT': self.url,
        }

    # -- request log ----------------------------------------------------------------------------
    def requests(self, action=None):
        """The request log as a list of dicts (re-read on every call), optionally of one action."""
        entries = []
        if not self.log_file.exists():
            return entries
        for line in self.log_file.read_text().splitlines():
            line = line.strip()
            if not line:
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                continue            # a line being written right now
            if action is None or entry.get('action') == action:
                entries.append(entry)
        return entries

    def count(self, action):
        return len(self.requests(action))

    def clear_log(self):
        with open(str(self.log_file), 'w'):
            pass

    # -- faults -----------------------------------------------------------------------------------
    def set_control(self, data):
        """Write the control file atomically; the next request sees the new faults."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(prefix='.control-', dir=str(self.workdir))
        with os.fdopen(handle, 'w') as stream:
            json.dump(data, stream)
        os.replace(temp, str(self.control_file))

    def clear_faults(self):
        self.set_control({})
