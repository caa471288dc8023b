# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The cloud_assistant connection plugin: real plays against emulator instances, over RunCommand and SendFile."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import hashlib
import os
import re
import time
import zlib

import pytest
import yaml

from emulator.harness import LINUX_INSTANCES, STOPPED_INSTANCE, WINDOWS_INSTANCE

A, B = LINUX_INSTANCES[0], LINUX_INSTANCES[1]
INVOCATIONS = ('RunCommand', 'SendFile')


def inventory(tmp_path, hosts, **variables):
    """A static inventory: each host is an instance id, or a name with ansible_host set to one."""
    data = {'all': {'hosts': hosts, 'vars': dict(ansible_connection='alicloud.ecs.cloud_assistant', **variables)}}
    path = tmp_path / 'inventory.yml'
    path.write_text(yaml.safe_dump(data))
    return path


def play(tasks, hosts='all', gather_facts=False):
    return yaml.safe_dump([dict(name='over cloud assistant', hosts=hosts, gather_facts=gather_facts, tasks=tasks)],
                          sort_keys=False)


def problems(run):
    """What went wrong, for assertion messages: each failed or unreachable task with its message."""
    return [(item['task'], item['host'], item['status'], item['result'].get('msg'))
            for item in run.results if item['status'] in ('failed', 'unreachable')] or run.stdout[-3000:]


def host_result(run, task, host):
    found = [item for item in run.results if item['task'] == task and item['host'] == host]
    assert found, 'no task %r on %s; rc=%s\n%s\n%s' % (task, host, run.rc, run.stdout[-3000:], run.stderr[-3000:])
    return found[-1]


def scratch(emulator, instance_id, *parts):
    return os.path.join(str(emulator.state_dir), instance_id, *parts)


def sha256(path):
    with open(path, 'rb') as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def invocations(emulator):
    return [line for line in emulator.requests() if line['action'] in INVOCATIONS and line['status'] == 200]


def sessions_left(emulator, instance_id):
    return [name for name in os.listdir(scratch(emulator, instance_id, 'tmp')) if name.startswith('.ansible-ca-')]


def wait_for_cleanup(emulator, instance_ids, limit=60):
    """The session directory goes in one last call made right after ansible-playbook ends: wait for it."""
    deadline = time.monotonic() + limit
    while any(sessions_left(emulator, i) for i in instance_ids) and time.monotonic() < deadline:
        time.sleep(0.2)


@pytest.fixture(autouse=True)
def settled(emulator):
    """Each run removes its sessions in a last call right after it ends: let that happen before the next test."""
    yield
    wait_for_cleanup(emulator, LINUX_INSTANCES)


def test_modules_run_over_cloud_assistant(ansible, emulator, tmp_path):
    payload = os.urandom(1024 * 1024)
    (tmp_path / 'payload.bin').write_bytes(payload)
    (tmp_path / 'greeting.j2').write_text('hello {{ inventory_hostname }} from a template\n')
    remote = scratch(emulator, B, 'tmp', 'files')
    os.makedirs(remote, exist_ok=True)
    tasks = [
        dict(name='hostname', register='r', **{'ansible.builtin.command': 'uname -n'}),
        dict(name='streams', register='r', ignore_errors=True,
             **{'ansible.builtin.shell': 'echo to-stdout; echo to-stderr >&2; exit 3'}),
        dict(name='copy', **{'ansible.builtin.copy': dict(
            src=str(tmp_path / 'payload.bin'), dest=remote + '/payload.bin', mode='0640')}),
        dict(name='fetch', **{'ansible.builtin.fetch': dict(
            src=remote + '/payload.bin', dest=str(tmp_path / 'back.bin'), flat=True)}),
        dict(name='template', **{'ansible.builtin.template': dict(
            src=str(tmp_path / 'greeting.j2'), dest=remote + '/greeting.txt', mode='0644')}),
        dict(name='file', **{'ansible.builtin.file': dict(path=remote + '/greeting.txt', mode='0600')}),
        dict(name='stat', register='r', **{'ansible.builtin.stat': dict(
            path=remote + '/greeting.txt', checksum_algorithm='sha256')}),
        dict(name='become', register='r', become=True, **{'ansible.builtin.command': 'id -un'}),
        dict(name='become with su', register='r', become=True, become_method='su',
             **{'ansible.builtin.command': 'id -un'}),
        dict(name='long command line', register='r', **{'ansible.builtin.raw': 'echo %s | wc -c' % ('y' * 9000)}),
        dict(name='large result', register='r',
             **{'ansible.builtin.shell': "head -c 100000 /dev/zero | tr '\\0' 'x'; echo; seq 1 20000 >&2"}),
    ]
    run = ansible.playbook(play(tasks, gather_facts=True), inventory=inventory(tmp_path, {'web': {'ansible_host': B}}))
    assert run.rc == 0, problems(run)
    facts = host_result(run, 'Gathering Facts', 'web')['result']['ansible_facts']
    assert facts['ansible_system'] == 'Linux' and facts['ansible_env']['ECS_EMULATOR_INSTANCE_ID'] == B

    assert host_result(run, 'hostname', 'web')['result']['stdout'] == B
    streams = host_result(run, 'streams', 'web')
    assert streams['status'] == 'ignored'
    assert (streams['result']['rc'], streams['result']['stdout'], streams['result']['stderr']) == (3, 'to-stdout',
                                                                                                   'to-stderr')

    assert sha256(remote + '/payload.bin') == hashlib.sha256(payload).hexdigest()
    assert oct(os.stat(remote + '/payload.bin').st_mode & 0o777) == '0o640'
    assert (tmp_path / 'back.bin').read_bytes() == payload
    with open(remote + '/greeting.txt') as handle:
        assert handle.read() == 'hello web from a template\n'
    stat = host_result(run, 'stat', 'web')['result']['stat']
    assert stat['mode'] == '0600' and stat['checksum'] == sha256(remote + '/greeting.txt')
    assert host_result(run, 'become', 'web')['result']['stdout'] == 'root'
    assert host_result(run, 'become with su', 'web')['result']['stdout'] == 'root'   # su does not pipeline

    assert host_result(run, 'long command line', 'web')['result']['stdout'].strip() == '9001'
    large = host_result(run, 'large result', 'web')['result']
    assert large['stdout'] == 'x' * 100000
    assert large['stderr'].split('\n') == [str(n) for n in range(1, 20001)]

    # Nothing but Cloud Assistant: every command went through RunCommand without keeping a command.
    actions = set(line['action'] for line in emulator.requests())
    assert actions <= {'RunCommand', 'SendFile', 'DescribeInvocationResults', 'DescribeSendFileResults',
                       'DescribeInstances'}, actions
    assert all(line['params'].get('KeepCommand', '').lower() == 'false' for line in emulator.requests('RunCommand'))


def test_nothing_is_left_behind_even_when_a_task_fails(ansible, emulator, tmp_path):
    other = LINUX_INSTANCES[7]
    tasks = [
        dict(name='works', **{'ansible.builtin.copy': dict(content='kept\n', dest='{{ ansible_env.TMPDIR }}/kept.txt')}),
        dict(name='fails', **{'ansible.builtin.command': 'false'}),
    ]
    run = ansible.playbook(play(tasks, gather_facts=True), inventory=inventory(tmp_path, {A: {}, other: {}}))
    assert host_result(run, 'fails', A)['status'] == 'failed' and host_result(run, 'fails', other)['status'] == 'failed'
    wait_for_cleanup(emulator, [A, other])
    for instance_id in (A, other):
        assert sessions_left(emulator, instance_id) == []
        ansible_tmp = scratch(emulator, instance_id, 'root', '.ansible', 'tmp')
        assert not os.path.exists(ansible_tmp) or os.listdir(ansible_tmp) == []
        with open(scratch(emulator, instance_id, 'tmp', 'kept.txt')) as handle:
            assert handle.read() == 'kept\n'
    # One last call (one ClientToken, however often it was sent) removed both instances' session directories.
    cleanups = [line for line in emulator.requests('RunCommand')
                if line['params']['CommandContent'].startswith('rm -rf ./.ansible-ca-')
                and line['params'].get('InstanceId.1') in (A, other)]
    assert len(set(line['params']['ClientToken'] for line in cleanups)) == 1
    assert sorted(v for k, v in cleanups[0]['params'].items() if k.startswith('InstanceId.')) == sorted([A, other])


def test_round_trips_per_task(ansible, emulator, tmp_path):
    """The first ping on an instance costs at most 8 invocations, a later task of the same module at most 2."""
    mark = dict(name='mark', **{'ansible.builtin.set_fact': {'mark': "{{ lookup('pipe', 'date +%s.%N') }}"}})
    plays = []
    for name in ('first ping', 'second ping'):
        plays.append(dict(name=name, hosts=A, gather_facts=False,
                          tasks=[dict(name=name, **{'ansible.builtin.ping': {'data': name}})]))
        plays.append(dict(name='mark', hosts='localhost', gather_facts=False, tasks=[mark]))
    hosts = {A: {}, 'localhost': {'ansible_connection': 'local'}}
    run = ansible.playbook(yaml.safe_dump(plays, sort_keys=False), inventory=inventory(tmp_path, hosts))
    assert run.rc == 0, problems(run)
    marks = [float(item['result']['ansible_facts']['mark']) for item in run.results if item['task'] == 'mark']
    calls = invocations(emulator)
    first = [line['action'] for line in calls if line['time'] < marks[0]]
    second = [line['action'] for line in calls if marks[0] < line['time'] < marks[1]]
    assert 'RunCommand' in first and len(first) <= 8, first
    assert 'RunCommand' in second and len(second) <= 2, second


def test_stopped_missing_and_windows_instances(ansible, emulator, tmp_path):
    hosts = {'stopped': {'ansible_host': STOPPED_INSTANCE}, 'missing': {'ansible_host': 'i-emu-nosuch-01'},
             'windows': {'ansible_host': WINDOWS_INSTANCE}}
    run = ansible.playbook(play([dict(name='ping', **{'ansible.builtin.ping': {}})]),
                           inventory=inventory(tmp_path, hosts))
    stopped = host_result(run, 'ping', 'stopped')
    assert stopped['status'] == 'unreachable'
    assert 'is Stopped' in stopped['result']['msg'] and 'start it' in stopped['result']['msg']
    missing = host_result(run, 'ping', 'missing')
    assert missing['status'] == 'unreachable' and 'does not exist in this region' in missing['result']['msg']
    windows = host_result(run, 'ping', 'windows')
    assert windows['status'] == 'failed' and 'does not support Windows instances yet' in windows['result']['msg']
    mine = (STOPPED_INSTANCE, 'i-emu-nosuch-01', WINDOWS_INSTANCE)
    # Each was found out before any command was sent.
    assert [line for line in invocations(emulator) if line['params'].get('InstanceId.1') in mine] == []


def test_offline_agent_is_unreachable(ansible, emulator, tmp_path):
    emulator.set_control({'offline_agents': [LINUX_INSTANCES[2]]})
    try:
        run = ansible.playbook(play([dict(name='ping', **{'ansible.builtin.ping': {}})]),
                               inventory=inventory(tmp_path, {LINUX_INSTANCES[2]: {}}))
    finally:
        emulator.clear_faults()
    result = host_result(run, 'ping', LINUX_INSTANCES[2])
    assert result['status'] == 'unreachable'
    assert 'agent on the instance is offline' in result['result']['msg']
    assert 'ClientNotRunning' in result['result']['msg']


def test_throttled_and_lost_answers_run_each_command_once(ansible, emulator, tmp_path):
    counter = scratch(emulator, LINUX_INSTANCES[3], 'tmp', 'ran.txt')
    emulator.set_control({'faults': [{'action': 'RunCommand', 'kind': 'throttle', 'count': 2},
                                     {'action': 'RunCommand', 'kind': 'drop_after', 'count': 3}]})
    try:
        tasks = [dict(name='append', **{'ansible.builtin.shell': 'echo once >> %s' % counter})]
        run = ansible.playbook(play(tasks), inventory=inventory(tmp_path, {LINUX_INSTANCES[3]: {}}))
    finally:
        emulator.clear_faults()
    assert host_result(run, 'append', LINUX_INSTANCES[3])['result']['changed'] is True, run.stdout[-3000:]
    with open(counter) as handle:
        assert handle.read() == 'once\n'
    faults = [line['fault'] for line in emulator.requests('RunCommand')]
    assert faults.count('throttle') == 2 and faults.count('drop_after') == 3
    # Every attempt of one call carried that call's ClientToken; the service made one invocation per token.
    mine = [line for line in emulator.requests('RunCommand') if line['params'].get('InstanceId.1') == LINUX_INSTANCES[3]]
    tokens = [line['params']['ClientToken'] for line in mine]
    answered = [line for line in mine if line['status'] == 200]
    assert len(set(tokens)) == len(answered)


def test_a_command_that_outlives_the_timeout_fails_the_task(ansible, emulator, tmp_path):
    tasks = [dict(name='slow', **{'ansible.builtin.command': 'sleep 30'}),
             dict(name='next', **{'ansible.builtin.ping': {}})]
    hosts = {LINUX_INSTANCES[4]: {}}
    run = ansible.playbook(play(tasks), inventory=inventory(tmp_path, hosts, ansible_alicloud_command_timeout=10))
    slow = host_result(run, 'slow', LINUX_INSTANCES[4])
    assert slow['status'] == 'failed'
    assert 'outlived its timeout of 10 s' in slow['result']['msg'] and 'ansible_alicloud_command_timeout' in slow['result']['msg']


def strings(value):
    """Every string in an answer (keys and values), unescaped."""
    if isinstance(value, dict):
        return [text for key, item in value.items() for text in [key] + strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in strings(item)]
    return [value] if isinstance(value, str) else []


def read_every_record(emulator):
    """Everything the service keeps, read through the API as anyone allowed to read it would."""
    from emulator.helpers import make_client
    from alibabacloud_ecs20140526 import models
    from emulator.harness import REGION
    client = make_client(emulator)
    texts = []
    token = None
    while True:
        body = client.describe_invocations(models.DescribeInvocationsRequest(
            region_id=REGION, content_encoding='PlainText', max_results=50, next_token=token)).body.to_map()
        for item in body.get('Invocations', {}).get('Invocation', []):
            texts.extend(strings(item))
            detail = client.describe_invocations(models.DescribeInvocationsRequest(
                region_id=REGION, invoke_id=item['InvokeId'], include_output=True,
                content_encoding='PlainText')).body.to_map()
            texts.extend(strings(detail))
        token = body.get('NextToken')
        if not token:
            break
    token = None
    while True:
        body = client.describe_send_file_results(models.DescribeSendFileResultsRequest(
            region_id=REGION, max_results=50, next_token=token)).body.to_map()
        for item in body.get('Invocations', {}).get('Invocation', []):
            texts.extend(strings(item))
        token = body.get('NextToken')
        if not token:
            break
    return '\n'.join(texts)


BASE64_RUN = re.compile(r'[A-Za-z0-9+/]{24,}={0,2}')


def decoded(text, depth=4):
    """``text`` and whatever Base64, zlib and JSON layers in it decode to: what a reader of the records can recover."""
    found = [text]
    if depth == 0:
        return found
    for run in BASE64_RUN.findall(text):
        try:
            raw = base64.b64decode(run + '=' * (-len(run) % 4))
        except ValueError:
            continue
        for candidate in (raw, raw[1:]):
            try:
                candidate = zlib.decompress(candidate)
            except zlib.error:
                pass
            found.extend(decoded(candidate.decode('latin-1'), depth - 1))
    return found


def security_play(tmp_path, emulator, instance_id, secret, marker):
    (tmp_path / 'marked.txt').write_text('the file says %s\n' % marker)
    return play([
        dict(name='secret argument', no_log=True,
             **{'ansible.builtin.user': dict(name='nobody', password=secret, update_password='on_create')},
             check_mode=True),
        dict(name='secret in a command', no_log=True, register='r',
             **{'ansible.builtin.shell': 'echo %s | sha256sum' % secret}),
        dict(name='marked file', **{'ansible.builtin.copy': dict(src=str(tmp_path / 'marked.txt'),
                                                                 dest=scratch(emulator, instance_id, 'tmp', 'marked.txt'))}),
        dict(name='read it back', register='r', **{'ansible.builtin.command': 'cat %s' % scratch(
            emulator, instance_id, 'tmp', 'marked.txt')}),
    ])


def test_records_show_no_secret_and_no_file_content(ansible, emulator, tmp_path):
    secret, marker = 'S3cret-%s' % os.urandom(6).hex(), 'MARKER-%s' % os.urandom(6).hex()
    instance_id = LINUX_INSTANCES[5]
    emulator.clear_log()
    run = ansible.playbook(security_play(tmp_path, emulator, instance_id, secret, marker),
                           inventory=inventory(tmp_path, {instance_id: {}}), clear_log=False)
    assert run.rc == 0, problems(run)
    assert host_result(run, 'read it back', instance_id)['result']['stdout'] == 'the file says %s' % marker
    records = '\n'.join(decoded(read_every_record(emulator)))
    assert instance_id in records and 'ANSIBLE_MODULE_ARGS' not in records
    assert secret not in records and marker not in records
    # Nor in the API calls themselves (the request log holds every parameter sent).
    with open(str(emulator.workdir / 'emulator-requests.jsonl')) as handle:
        log = handle.read()
    assert secret not in log and marker not in log


def test_without_encryption_the_records_show_everything(ansible, emulator, tmp_path):
    """The opt-out does what its documentation warns about (and proves the check above can fail)."""
    secret, marker = 'S3cret-%s' % os.urandom(6).hex(), 'MARKER-%s' % os.urandom(6).hex()
    instance_id = LINUX_INSTANCES[6]
    run = ansible.playbook(security_play(tmp_path, emulator, instance_id, secret, marker),
                           inventory=inventory(tmp_path, {instance_id: {}}, ansible_alicloud_encrypt=False))
    assert run.rc == 0, problems(run)
    records = '\n'.join(decoded(read_every_record(emulator)))
    assert marker in records and secret in records and 'ANSIBLE_MODULE_ARGS' in records


def test_with_the_inventory_plugin_every_host_answers_as_itself(ansible, emulator, tmp_path):
    """The documented pairing: hosts from alicloud.ecs.ecs, run over the connection, many forks at once.

    The inventory plugin uses the SDK inside ansible-playbook before the workers are forked: each worker
    must use connections of its own, or answers reach the wrong process.
    """
    source = tmp_path / 'fleet.alicloud_ecs.yml'
    source.write_text(yaml.safe_dump(dict(
        plugin='alicloud.ecs.ecs', regions=['cn-hangzhou'], filters={'status': 'Running'},
        keyed_groups=[dict(key="ecs_tags.env | default('none')", prefix='env')],
        compose={'ansible_connection': "'alicloud.ecs.cloud_assistant'", 'ansible_alicloud_region': 'region_id'})))
    run = ansible.playbook(play([dict(name='who', register='r', **{'ansible.builtin.command': 'uname -n'})],
                                hosts='env_test'), inventory=source, args=('--forks', '12'))
    assert run.rc == 0, problems(run)
    answers = dict((item['host'], item['result']['stdout']) for item in run.results if item['task'] == 'who')
    assert answers == dict((instance_id, instance_id) for instance_id in LINUX_INSTANCES)
