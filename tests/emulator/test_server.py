# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The server process: what it prints at start, how fast it stops, the instance's name."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import shlex
import signal
import threading
import time

from alibabacloud_ecs20140526 import models
from alibabacloud_ecs20140526.client import Client
from alibabacloud_tea_openapi.models import Config
from Tea.exceptions import TeaException

from emulator.harness import ACCESS_KEY_ID, ACCESS_KEY_SECRET, LINUX_INSTANCES, REGION, Emulator
from emulator.helpers import make_client, run, wait_for


def _printed(emu):
    """The lines the server printed, and its export lines as a dict."""
    lines = emu.stdout_file.read_text().splitlines()
    exports = {}
    for line in lines[1:]:
        words = shlex.split(line)
        assert words[0] == 'export'
        name, _sep, value = words[1].partition('=')
        exports[name] = value
    return lines, exports


def _client_from(exports):
    """An SDK client built only from the printed variables, as a user would."""
    scheme, _sep, endpoint = exports['ALIBABA_CLOUD_ECS_ENDPOINT'].partition('://')
    return Client(Config(access_key_id=exports['ALIBABA_CLOUD_ACCESS_KEY_ID'],
                         access_key_secret=exports['ALIBABA_CLOUD_ACCESS_KEY_SECRET'],
                         endpoint=endpoint, protocol=scheme))


def _instances(client, region):
    return client.describe_instances(models.DescribeInstancesRequest(region_id=region)).body.total_count


def test_prints_the_listening_line_then_four_exports(tmp_path):
    with Emulator(tmp_path, extra_args=['--no-exec']) as emu:
        lines, exports = _printed(emu)
        assert lines[0] == 'ECS emulator listening on http://127.0.0.1:%d' % emu.port
        assert len(lines) == 5
        assert exports == {
            'ALIBABA_CLOUD_ACCESS_KEY_ID': ACCESS_KEY_ID,
            'ALIBABA_CLOUD_ACCESS_KEY_SECRET': ACCESS_KEY_SECRET,
            'ALIBABA_CLOUD_REGION_ID': 'cn-hangzhou',
            'ALIBABA_CLOUD_ECS_ENDPOINT': 'http://127.0.0.1:%d' % emu.port,
        }
        assert _instances(_client_from(exports), exports['ALIBABA_CLOUD_REGION_ID']) == 14


def test_exports_name_the_first_credentials_given(tmp_path):
    args = ['--no-exec', '--credentials', 'LTAIMINE0001:first secret', '--credentials', 'LTAIMINE0002:second']
    with Emulator(tmp_path, extra_args=args) as emu:
        _lines, exports = _printed(emu)
        assert exports['ALIBABA_CLOUD_ACCESS_KEY_ID'] == 'LTAIMINE0001'
        assert exports['ALIBABA_CLOUD_ACCESS_KEY_SECRET'] == 'first secret'     # quoted for the shell
        assert _instances(_client_from(exports), REGION) == 14
        try:
            _instances(make_client(emu), REGION)                                 # the default key is gone
            raise AssertionError('the default key still works')
        except TeaException as err:
            assert err.code == 'InvalidAccessKeyId.NotFound'


def _gone(pid, patience=5.0):
    deadline = time.time() + patience
    while time.time() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.02)
    return False


def test_sigterm_stops_within_a_second_while_scripts_run_and_requests_are_open(tmp_path):
    emu = Emulator(tmp_path, extra_args=['--pending-delay', '0.01'])
    emu.start()
    try:
        client = make_client(emu)
        invoke_id = run(client, 'echo $$ > pid; sleep 60', LINUX_INSTANCES[:3], timeout=120)
        wait_for(client, invoke_id, statuses=('Running',))
        pid_files = [emu.state_dir / i / 'root' / 'pid' for i in LINUX_INSTANCES[:3]]
        while not all(p.exists() and p.read_text().strip() for p in pid_files):
            time.sleep(0.02)
        pids = [int(p.read_text()) for p in pid_files]
        # An open request: the server sleeps 30 s before it answers.
        emu.set_control({'faults': [{'action': 'DescribeInstances', 'kind': 'slow', 'delay': 30}]})
        slow = make_client(emu, read_timeout=60000)
        threading.Thread(target=lambda: _swallow(lambda: _instances(slow, REGION)), daemon=True).start()
        time.sleep(0.3)
        started = time.time()
        emu.process.send_signal(signal.SIGTERM)
        code = emu.process.wait(5)
        elapsed = time.time() - started
        print('emulator exit after SIGTERM: %.3f s' % elapsed)
        assert code == 0
        assert all(_gone(pid) for pid in pids), 'a script outlived the emulator'
    finally:
        emu.stop()


def _swallow(call):
    try:
        call()
    except Exception:  # pylint: disable=broad-except
        pass        # the server went away under the open request: that is the point


def test_uname_n_and_hostname_print_the_instance_id(client):
    script = 'uname -n; uname --nodename; hostname; uname -s; uname'
    invoke_id = run(client, script, LINUX_INSTANCES[:2])
    invocation = wait_for(client, invoke_id, include_output=True, content_encoding='PlainText')
    real = os.uname().sysname
    for record in invocation['InvokeInstances']['InvokeInstance']:
        lines = record['Output'].splitlines()
        assert lines == [record['InstanceId']] * 3 + [real, real]
