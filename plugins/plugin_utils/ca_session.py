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

import hashlib
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


def run_id():
    """The same short id in every worker of one ansible-playbook run (named after its local temporary directory)."""
    return hashlib.sha256(os.path.realpath(state_dir()).encode('utf-8')).hexdigest()[:12]


def session_prefix():
    """Session directories of this run start with this name: one command removes them all."""
    return '.ansible-ca-%s-' % run_id()


def _registry():
    """Where this run's sessions are listed for the watchers; outside Ansible's local tmp, which goes first."""
    path = os.path.join(tempfile.gettempdir(), 'alicloud-ecs-ca-%d-%s' % (os.getuid(), run_id()))
    os.makedirs(path, mode=0o700, exist_ok=True)
    return path


def register(settings, region, instance_id, workdir):
    """List a new session for removal when the run ends; start this run's watcher for these credentials if need be.

    One watcher per run and credentials removes every session of the run in one RunCommand per region
    and working directory (up to 100 instances each). The settings reach it on a pipe, never on its
    command line or in its environment.
    """
    identity = hashlib.sha256(json.dumps(settings.identity(), sort_keys=True).encode('utf-8')).hexdigest()[:12]
    registry = _registry()
    entry = dict(identity=identity, region=region, instance_id=instance_id, workdir=workdir)
    name = os.path.join(registry, 'session-%s.json' % hashlib.sha256(
        ('%s/%s' % (region, instance_id)).encode('utf-8')).hexdigest()[:16])
    with open(name + '.tmp', 'w') as handle:
        json.dump(entry, handle)
    os.rename(name + '.tmp', name)
    try:
        os.close(os.open(os.path.join(registry, 'watcher-' + identity), os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except OSError:
        return                                 # this run already has a watcher for these credentials
    # <root>/ansible_collections/alicloud/ecs/plugins/plugin_utils/ca_session.py
    root = os.path.abspath(__file__)
    for dummy in range(6):
        root = os.path.dirname(root)
    code = ('import sys; sys.path.insert(0, %r); '
            'from ansible_collections.alicloud.ecs.plugins.plugin_utils.ca_session import watch; watch()' % root)
    job = dict(params=settings.params, identity=identity, registry=registry, prefix=session_prefix(),
               run_pid=os.getppid())
    process = subprocess.Popen([sys.executable, '-c', code], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, close_fds=True, start_new_session=True)
    process.stdin.write(json.dumps(job).encode('utf-8'))
    process.stdin.close()


def cleanup_script(prefix):
    """Remove this run's session directories, named relative to the working directory (their parent)."""
    return "rm -rf ./%s*\n" % re.sub(r'[^A-Za-z0-9._-]', '', prefix)


def _alive(pid):
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def _entries(job):
    found = []
    for name in sorted(os.listdir(job['registry'])):
        if name.startswith('session-') and name.endswith('.json'):
            path = os.path.join(job['registry'], name)
            try:
                with open(path) as handle:
                    entry = json.load(handle)
            except (OSError, ValueError):
                continue
            if entry.get('identity') == job['identity']:
                found.append((path, entry))
    return found


def watch():
    """The watcher: wait for the ansible-playbook run to end, then remove its session directories."""
    job = json.loads(sys.stdin.read())
    sys.stdin.close()
    while _alive(job['run_pid']):
        time.sleep(0.2)
    from ansible_collections.alicloud.ecs.plugins.plugin_utils.connection import ConnectionSettings
    settings = ConnectionSettings(job['params'])
    groups = {}
    entries = _entries(job)
    for path, entry in entries:
        groups.setdefault((entry['region'], entry['workdir']), []).append(entry['instance_id'])
    pending = []
    for (region, workdir), instance_ids in sorted(groups.items()):
        client = settings.client(region)
        for start in range(0, len(instance_ids), 100):
            try:
                answer = client.call('RunCommand', {
                    'InstanceId': instance_ids[start:start + 100], 'Type': 'RunShellScript',
                    'CommandContent': cleanup_script(job['prefix']), 'KeepCommand': False, 'WorkingDir': workdir,
                    'Timeout': 60})
                pending.append((client, answer['InvokeId']))
            except Exception:  # pylint: disable=broad-except
                continue                      # the next run's sweep removes what could not be removed now
    deadline = time.time() + 120
    while pending and time.time() < deadline:
        client, invoke_id = pending[0]
        try:
            body = client.call('DescribeInvocations', {'InvokeId': invoke_id})
            found = (body.get('Invocations') or {}).get('Invocation') or []
            status = found[0].get('InvocationStatus') if found else None
        except Exception:  # pylint: disable=broad-except
            status = None
        if status in (None, 'Success', 'Failed', 'PartialFailed', 'Stopped'):
            pending.pop(0)
        else:
            time.sleep(0.3)
    for path, entry in entries:
        os.remove(path)
    os.remove(os.path.join(job['registry'], 'watcher-' + job['identity']))
    try:
        os.rmdir(job['registry'])
    except OSError:
        pass                                  # other credentials' watchers still have sessions there
