# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the cloud_assistant connection keeps between tasks, and how a play's session ends.

Ansible runs every task in a new worker process, so one connection object lives for one task
only. The key agreed with an instance, the pieces already sent to it and the helper's path are
kept for the whole ``ansible-playbook`` run in a private file under Ansible's per-run local
temporary directory (removed when the run ends). When the run ends, a small watcher started
with the session removes the session directory on the instance in one last Cloud Assistant call.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import re
import subprocess
import sys
import tempfile
import time

# Content-defined cut points keep the pieces of a module payload the same from task to task
# (AnsiballZ puts the changing arguments before the unchanging zipped code). Pieces of about
# 26-31 KB of payload text compress to at most one SendFile each.
CUT_MIN = 26000
CUT_MAX = 31000
CUT_MASK = (1 << 12) - 1
_GEAR = None


def _gear():
    global _GEAR  # pylint: disable=global-statement
    if _GEAR is None:
        import random
        generator = random.Random(0x5EED)
        _GEAR = [generator.getrandbits(32) for dummy in range(256)]
    return _GEAR


def content_cuts(data):
    """Split ``data`` at content-defined points; the same bytes give the same pieces wherever they sit."""
    gear = _gear()
    pieces = []
    start = 0
    size = len(data)
    while size - start > CUT_MAX:
        end = start + CUT_MAX
        value = 0
        cut = end
        for index in range(start + CUT_MIN - 32, end):
            value = ((value << 1) + gear[data[index]]) & 0xFFFFFFFF
            if index >= start + CUT_MIN and not value & CUT_MASK:
                cut = index + 1
                break
        pieces.append(data[start:cut])
        start = cut
    if start < size or not pieces:
        pieces.append(data[start:])
    return pieces


def fixed_cuts(data, size):
    return [data[offset:offset + size] for offset in range(0, len(data), size)] or [b'']


def state_dir():
    """Private to this ansible-playbook run (Ansible's local tmp), else a private temporary directory."""
    try:
        from ansible import constants
        base = constants.DEFAULT_LOCAL_TMP
    except Exception:  # pylint: disable=broad-except
        base = None
    if not base:
        base = os.path.join(tempfile.gettempdir(), 'alicloud-ecs-ca-%d-%d' % (os.getuid(), os.getppid()))
    path = os.path.join(base, 'alicloud_ecs_cloud_assistant')
    os.makedirs(path, mode=0o700, exist_ok=True)
    return path


def _file(key):
    return os.path.join(state_dir(), re.sub(r'[^A-Za-z0-9_.-]', '_', key) + '.json')


def load(key):
    try:
        with open(_file(key)) as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def save(key, state):
    path = _file(key)
    temp = '%s.%d' % (path, os.getpid())
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, 'w') as handle:
        json.dump(state, handle)
    os.rename(temp, path)


def forget(key):
    try:
        os.remove(_file(key))
    except OSError:
        pass


def start_watcher(params, region, instance_id, remote_dir, workdir, timeout):
    """Start the process that removes ``remote_dir`` on the instance once this ansible-playbook run has ended.

    The settings reach it on a pipe, never on its command line or in its environment.
    """
    # <root>/ansible_collections/alicloud/ecs/plugins/plugin_utils/ca_session.py
    root = os.path.abspath(__file__)
    for dummy in range(6):
        root = os.path.dirname(root)
    code = ('import sys; sys.path.insert(0, %r); '
            'from ansible_collections.alicloud.ecs.plugins.plugin_utils.ca_session import watch; watch()' % root)
    job = dict(params=params, region=region, instance_id=instance_id, remote_dir=remote_dir, workdir=workdir,
               run_pid=os.getppid(), timeout=timeout)
    process = subprocess.Popen([sys.executable, '-c', code], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, close_fds=True, start_new_session=True)
    process.stdin.write(json.dumps(job).encode('utf-8'))
    process.stdin.close()
    return process.pid


def cleanup_script(remote_dir):
    """Remove the session directory, named relative to the working directory (its parent)."""
    name = remote_dir.rstrip('/').rsplit('/', 1)[-1]
    return "rm -rf './%s'\n" % name.replace("'", "")


def _alive(pid):
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def watch():
    """The watcher: wait for the ansible-playbook run to end, then remove the session directory."""
    job = json.loads(sys.stdin.read())
    sys.stdin.close()
    while _alive(job['run_pid']):
        time.sleep(0.2)
    from ansible_collections.alicloud.ecs.plugins.plugin_utils.connection import ConnectionSettings
    client = ConnectionSettings(job['params']).client(job['region'])
    answer = client.call('RunCommand', {'InstanceId': [job['instance_id']], 'Type': 'RunShellScript',
                                        'CommandContent': cleanup_script(job['remote_dir']), 'KeepCommand': False,
                                        'WorkingDir': job['workdir'], 'Timeout': 60})
    deadline = time.time() + 120
    while time.time() < deadline:
        body = client.call('DescribeInvocationResults', {'InvokeId': answer['InvokeId']})
        found = ((body.get('Invocation') or {}).get('InvocationResults') or {}).get('InvocationResult') or []
        if found and found[0].get('InvocationStatus') not in ('Pending', 'Running', 'Scheduled', 'Stopping'):
            return
        time.sleep(0.3)
