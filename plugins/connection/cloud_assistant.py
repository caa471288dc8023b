# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
name: cloud_assistant
author:
  - alicloud.ecs maintainers (@alicloud-ecs)
short_description: Run Ansible on ECS instances through Cloud Assistant, without SSH
version_added: 0.1.0
description:
  - Runs every task on a Linux ECS instance through Cloud Assistant (C(RunCommand) and C(SendFile)), with no SSH, no open
    port, no key pair, no bastion and no bucket. Only the ECS API is used.
  - Commands return their exit code, standard output and standard error separately, whatever their size; files of
    any size are copied both ways and checked by SHA-256 at both ends.
  - By default every command, payload, file and result is encrypted and authenticated with a key agreed per
    instance and per C(ansible-playbook) run (X25519), so the invocation records that Cloud Assistant keeps
    (C(DescribeInvocations), C(DescribeSendFileResults)) show no module argument, file content or result.
  - The instance needs C(python3) (3.6 or later) and, with O(encrypt=true), C(openssl). Windows instances are not
    supported yet.
  - See the collection's C(docs/connection.md) for what each task costs in Cloud Assistant calls.
extends_documentation_fragment:
  - alicloud.ecs.alicloud
  - alicloud.ecs.alicloud.plugin
  - alicloud.ecs.alicloud.connection
options:
  instance_id:
    description:
      - The ECS instance to run on.
      - Defaults to C(ansible_host), else the inventory host name, so a static inventory can name instances by
        their ids; the C(alicloud.ecs.ecs) inventory sets the C(instance_id) host variable.
    type: str
    vars:
      - name: ansible_alicloud_instance_id
      - name: instance_id
  encrypt:
    description:
      - Encrypt and authenticate everything sent to and received from the instance.
      - V(false) sends commands, module arguments (C(no_log) ones included), files and results in the clear, so
        anyone who may read the account's invocation records can read them. It only removes the need for
        C(openssl) on the instance.
    type: bool
    default: true
    vars:
      - name: ansible_alicloud_encrypt
    env:
      - name: ALICLOUD_ECS_ENCRYPT
  command_timeout:
    description:
      - How long one command may run on the instance, in seconds (the Cloud Assistant C(Timeout)); a command
        that outlives it is stopped and the task fails.
      - Ansible's own C(timeout) (C(ansible_timeout), C(-T)) is the time to connect, which Cloud Assistant does
        not have; it is not used.
    type: int
    default: 3600
    vars:
      - name: ansible_alicloud_command_timeout
    env:
      - name: ALICLOUD_ECS_COMMAND_TIMEOUT
  remote_tmp:
    description:
      - An existing directory on the instance in which the connection makes its private session directory (the
        helper, the agreed key and the pieces sent). It is removed when the C(ansible-playbook) run ends.
    type: str
    default: /tmp
    vars:
      - name: ansible_alicloud_remote_tmp
  pipelining:
    description:
      - Send module payloads with the command that runs them instead of writing them to a file first; fewer
        Cloud Assistant calls per task.
    type: bool
    default: true
    vars:
      - name: ansible_pipelining
      - name: ansible_alicloud_pipelining
  max_parallel:
    description:
      - How many Cloud Assistant calls one task may make at once when it sends or reads pieces.
    type: int
    default: 8
    vars:
      - name: ansible_alicloud_max_parallel
notes:
  - Each C(RunCommand) or C(SendFile) is one Cloud Assistant invocation, which the agent picks up with its own
    latency. The first task on an instance agrees a key and installs a helper (one call); later tasks reuse
    what was already sent in the same run, so a module used before costs one or two calls.
  - Become works with C(sudo) or C(su) without a password (Cloud Assistant runs commands as root); become passwords
    are refused.
seealso:
  - name: Cloud Assistant RunCommand
    description: The API action that runs each command.
    link: https://www.alibabacloud.com/help/en/ecs/developer-reference/api-ecs-2014-05-26-runcommand
'''

EXAMPLES = r'''
# inventory.yml: instances named by their ids
# all:
#   hosts:
#     i-bp1example0000001:
#     web1:
#       ansible_host: i-bp1example0000002
#   vars:
#     ansible_connection: alicloud.ecs.cloud_assistant
#     ansible_alicloud_region: cn-hangzhou

- name: Configure instances without SSH
  hosts: all
  tasks:
    - name: Install nginx
      ansible.builtin.package:
        name: nginx
        state: present
    - name: Upload the site
      ansible.builtin.copy:
        src: site/
        dest: /usr/share/nginx/html/
        mode: '0644'
'''

import base64
import concurrent.futures
import hashlib
import os
import re
import secrets
import time
import uuid

from ansible.errors import AnsibleConnectionFailure, AnsibleError, AnsibleFileNotFound
from ansible.module_utils.common.text.converters import to_bytes, to_native, to_text
from ansible.plugins.connection import ConnectionBase
from ansible.utils.display import Display

from ansible_collections.alicloud.ecs.plugins.module_utils import files
from ansible_collections.alicloud.ecs.plugins.plugin_utils import ca_helper, ca_session
from ansible_collections.alicloud.ecs.plugins.plugin_utils.connection import ConnectionOptionsError, ConnectionSettings

display = Display()

# CommandContent is at most 24 KB once Base64-encoded: what the wrapped request may take of it.
REQUEST_LIMIT = 17000
# A piece is sent as one SendFile: sealed, it must fit in 24 KiB.
PIECE_LIMIT = files.MAX_CONTENT_BYTES
# A longer command line travels as pieces, like a payload.
COMMAND_INLINE = 4000
PUT_PIECE = PIECE_LIMIT - ca_helper.NONCE_SIZE - ca_helper.TAG_SIZE - 1
ACTIVE = ('Pending', 'Scheduled', 'Running', 'Stopping')
# What to do when the agent or the instance cannot take commands.
UNREACHABLE_HINTS = {
    'InstanceNotRunning': 'the instance is not running: start it, or leave it out of the play',
    'ClientNotRunning': 'the Cloud Assistant agent on the instance is offline: check that the agent '
                        '(aliyun-service) runs and reaches the service (DescribeCloudAssistantStatus)',
    'InstanceNotExists': 'the instance does not exist in this region: check instance_id and region',
}


class Connection(ConnectionBase):
    """Ansible over Cloud Assistant: RunCommand for commands, SendFile for payload pieces."""

    transport = 'alicloud.ecs.cloud_assistant'
    has_pipelining = True
    has_tty = False
    module_implementation_preferences = ('.py', '')
    allow_executable = False

    def __init__(self, *args, **kwargs):
        super(Connection, self).__init__(*args, **kwargs)
        self._client = None
        self._state = None
        self._codec = None
        self._instance_id = None

    # -- setting up --------------------------------------------------------------------------------

    def _settings(self):
        try:
            return ConnectionSettings.from_plugin(self)
        except ConnectionOptionsError as exc:
            raise AnsibleError('alicloud.ecs.cloud_assistant: {0}'.format(exc))

    def _connect(self):
        if self._connected:
            return self
        settings = self._settings()
        if not settings.region:
            raise AnsibleError('alicloud.ecs.cloud_assistant: the region is not set (ansible_alicloud_region, or '
                               'ALIBABA_CLOUD_REGION_ID)')
        self._instance_id = self.get_option('instance_id') or self._play_context.remote_addr
        _own_http_connections()
        self._client = settings.client(settings.region)
        key = '{0}-{1}'.format(settings.region, self._instance_id)
        self._state_key = key
        self._state = ca_session.load(key)
        if self._state is None or self._state.get('encrypt') != self.get_option('encrypt'):
            self._check_instance()
            # Listed first: a session that fails half-way is removed at the end of the run too.
            ca_session.register(settings, settings.region, self._instance_id, self.get_option('remote_tmp'))
            self._state = self._handshake()
            ca_session.save(key, self._state)
        keys = self._state.get('keys')
        self._codec = ca_helper.Codec(dict((k, base64.b64decode(v)) for k, v in keys.items()) if keys else None,
                                      'controller')
        self._connected = True
        return self

    def _check_instance(self):
        """Stopped, missing and Windows instances fail before any invocation, with what to do."""
        found = self._api('DescribeInstances', {'InstanceIds': '["{0}"]'.format(self._instance_id)})
        items = (found.get('Instances') or {}).get('Instance') or []
        if not items:
            raise AnsibleConnectionFailure('instance {0}: {1}'.format(
                self._instance_id, UNREACHABLE_HINTS['InstanceNotExists']))
        instance = items[0]
        if (instance.get('OSType') or '').lower() == 'windows':
            raise AnsibleError('instance {0} runs Windows: alicloud.ecs.cloud_assistant does not support Windows '
                               'instances yet'.format(self._instance_id))
        if instance.get('Status') != 'Running':
            raise AnsibleConnectionFailure('instance {0} is {1}: {2}'.format(
                self._instance_id, instance.get('Status'), UNREACHABLE_HINTS['InstanceNotRunning']))

    def _api(self, action, params):
        from ansible_collections.alicloud.ecs.plugins.module_utils.client import ApiError
        try:
            return self._client.call(action, params)
        except ApiError as exc:
            if exc.code in ('InvalidInstance.NotFound', 'InvalidInstanceId.NotFound'):
                raise AnsibleConnectionFailure('instance {0}: {1}'.format(
                    self._instance_id, UNREACHABLE_HINTS['InstanceNotExists']))
            if exc.code == 'NetworkError' or exc.retryable:
                raise AnsibleConnectionFailure('{0} ({1})'.format(exc, self._instance_id))
            raise AnsibleError(to_native(exc))

    def _handshake(self):
        """One call: make the session directory, install the helper and agree the key (X25519)."""
        encrypt = self.get_option('encrypt')
        name = ca_session.session_prefix() + uuid.uuid4().hex[:12]
        helper = base64.b64encode(zlib_compress(_helper_source())).decode('ascii')
        lines = ['umask 077', 'missing=""', 'py=""',
                 'for c in python3 /usr/libexec/platform-python /usr/bin/python3; do',
                 '  if p=$(command -v "$c" 2>/dev/null) && "$p" -c "import sys; assert sys.version_info >= (3, 6)" '
                 '2>/dev/null; then py=$p; break; fi',
                 'done',
                 '[ -n "$py" ] || missing="$missing python3"']
        if encrypt:
            lines.append('command -v openssl >/dev/null 2>&1 || missing="$missing openssl"')
        lines += ['if [ -n "$missing" ]; then echo "CAMISSING$missing"; exit 0; fi',
                  # Sessions of runs that died without their last call are removed a day later.
                  'find . -maxdepth 1 -name ".ansible-ca-*" -mmin +1440 -exec rm -rf {} + 2>/dev/null',
                  'mkdir {0} && cd {0} || {{ echo "CAERR cannot create $(pwd)/{0}"; exit 0; }}'.format(name),
                  '"$py" -c "import base64,sys,zlib; open(\'h.py\',\'wb\').write(zlib.decompress('
                  'base64.b64decode(sys.stdin.read())))" <<\'CAEOF\'', helper, 'CAEOF',
                  'echo "CAPY $py"']
        private = None
        if encrypt:
            from cryptography.hazmat.primitives import serialization
            from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
            private = X25519PrivateKey.generate()
            public_pem = private.public_key().public_bytes(serialization.Encoding.PEM,
                                                           serialization.PublicFormat.SubjectPublicKeyInfo)
            lines += ["cat > peer.pem <<'CAEOF'", to_text(public_pem).strip(), 'CAEOF',
                      'if openssl genpkey -algorithm X25519 -out k.pem 2>err && '
                      'openssl pkeyutl -derive -inkey k.pem -peerkey peer.pem -out shared 2>>err && '
                      'openssl pkey -in k.pem -pubout 2>>err; then :; else echo "CAERR openssl: $(cat err)"; fi',
                      'rm -f k.pem peer.pem err']
        output = self._run_script('\n'.join(lines) + '\n', self.get_option('remote_tmp'))
        if 'CAMISSING' in output:
            missing = output.split('CAMISSING', 1)[1].split('\n', 1)[0].split()
            hint = ('install them, or set encrypt: false (ansible_alicloud_encrypt), which exposes commands, module '
                    'arguments, files and results to anyone who may read the invocation records'
                    if 'openssl' in missing else 'install it')
            raise AnsibleError('instance {0} lacks {1}, which alicloud.ecs.cloud_assistant needs: {2}'.format(
                self._instance_id, ' and '.join(missing), hint))
        if 'CAERR' in output:
            raise AnsibleError('instance {0}: {1}'.format(self._instance_id, output.split('CAERR', 1)[1].strip()))
        match = re.search(r'CAPY (\S+)', output)
        if not match:
            raise AnsibleError('instance {0}: unexpected answer while setting up the session: {1}'.format(
                self._instance_id, output[-500:]))
        state = dict(dir=self.get_option('remote_tmp').rstrip('/') + '/' + name, python=match.group(1),
                     encrypt=encrypt, pieces=[], drop=[])
        if encrypt:
            from cryptography.hazmat.primitives import serialization
            pem = re.search(r'-----BEGIN PUBLIC KEY-----.*?-----END PUBLIC KEY-----', output, re.S)
            if not pem:
                raise AnsibleError('instance {0}: no public key in the session answer'.format(self._instance_id))
            peer = serialization.load_pem_public_key(to_bytes(pem.group(0)))
            keys = ca_helper.derive_keys(private.exchange(peer))
            state['keys'] = dict((k, base64.b64encode(v).decode('ascii')) for k, v in keys.items())
        return state

    # -- Cloud Assistant calls ---------------------------------------------------------------------

    def _run_script(self, script, working_dir):
        """RunCommand one shell script on the instance; returns its output (text) once it has finished."""
        params = {'InstanceId': [self._instance_id], 'Type': 'RunShellScript', 'CommandContent': script,
                  'ContentEncoding': 'PlainText', 'KeepCommand': False, 'WorkingDir': working_dir,
                  'Timeout': self.get_option('command_timeout')}
        invoke_id = self._api('RunCommand', params)['InvokeId']
        record = self._wait_command(invoke_id)
        status = record.get('InvocationStatus')
        code = record.get('ErrorCode') or ''
        output = to_text(base64.b64decode(record.get('Output') or ''), errors='surrogate_or_replace')
        if code in UNREACHABLE_HINTS:
            raise AnsibleConnectionFailure('instance {0}: {1} ({2}, invocation {3})'.format(
                self._instance_id, UNREACHABLE_HINTS[code], code, invoke_id))
        if status == 'Timeout' or code == 'ExecutionTimeout':
            raise AnsibleError('instance {0}: the command outlived its timeout of {1} s and was stopped (invocation {2}); '
                               'raise ansible_alicloud_command_timeout for longer tasks'.format(
                                   self._instance_id, self.get_option('command_timeout'), invoke_id))
        if status != 'Success':
            raise AnsibleConnectionFailure('instance {0}: invocation {1} ended {2} {3}: {4}'.format(
                self._instance_id, invoke_id, status, code, output.strip()[-500:] or record.get('ErrorInfo')))
        return output

    def _wait_command(self, invoke_id):
        deadline = time.monotonic() + self.get_option('command_timeout') + 120
        delay = 0.05
        time.sleep(0.1)
        while True:
            body = self._api('DescribeInvocationResults', {'InvokeId': invoke_id})
            found = ((body.get('Invocation') or {}).get('InvocationResults') or {}).get('InvocationResult') or []
            if found and found[0].get('InvocationStatus') not in ACTIVE:
                return found[0]
            if time.monotonic() > deadline:
                raise AnsibleConnectionFailure('instance {0}: no result for invocation {1} in time'.format(
                    self._instance_id, invoke_id))
            time.sleep(delay)
            delay = min(1.0, delay * 1.5)

    def _parallel(self, calls):
        if len(calls) <= 1:
            return [call() for call in calls]
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, self.get_option('max_parallel'))) as pool:
            futures = [pool.submit(call) for call in calls]
            return [future.result() for future in futures]

    def _send_pieces(self, sealed):
        """SendFile each ``{id: sealed bytes}`` piece into the session directory, at once, and wait for all."""
        if not sealed:
            return
        client = self._client

        def one(piece, blob):
            return lambda: files.send(client, files.send_file_params(
                [self._instance_id], self._state['dir'], 'p' + piece, blob, mode='0600', overwrite=True))
        invoke_ids = self._parallel([one(piece, blob) for piece, blob in sealed.items()])
        try:
            results = files.wait(client, invoke_ids, self.get_option('command_timeout'))
        except TimeoutError as exc:
            raise AnsibleConnectionFailure('instance {0}: {1}'.format(self._instance_id, exc))
        for raw in results:
            for record in files.records(raw):
                if record.get('InvocationStatus') != 'Success':
                    code = record.get('ErrorCode') or ''
                    if code in UNREACHABLE_HINTS:
                        raise AnsibleConnectionFailure('instance {0}: {1}'.format(
                            self._instance_id, UNREACHABLE_HINTS[code]))
                    raise AnsibleError('instance {0}: sending a piece failed: {1} {2}'.format(
                        self._instance_id, code, record.get('ErrorInfo')))

    def _request(self, request, parts=None, keep=True):
        """Send the pieces the instance lacks, run the helper with ``request``, and return its answer.

        ``parts`` maps a request field (``stdin``, ``data``, ``cmd``) to a list of (id, sealed bytes);
        pieces that fit go inside the request itself, the others are sent first, at once.
        """
        request = dict(request)
        known = set(self._state['pieces'])
        room = REQUEST_LIMIT - 2000 - len(request.get('cmd') or '') * 2
        to_send = {}
        inline = {}
        listed = set()
        for field, pieces in sorted((parts or {}).items()):
            request[field] = dict(pieces=[piece for piece, blob in pieces], inline=inline, keep=keep)
            for piece, blob in pieces:
                listed.add(piece)
                if piece in known or piece in to_send or piece in inline:
                    continue
                size = len(blob) * 4 // 3 + 64
                if size < room:
                    inline[piece] = ca_helper.b64(blob)
                    room -= size
                else:
                    to_send[piece] = blob
        request['drop'] = self._state.get('drop', [])
        if not keep:
            request['drop_after'] = ['p' + piece for piece in to_send]
        self._send_pieces(to_send)
        answer = self._call_helper(request)
        self._state['drop'] = []
        if keep:
            self._state['pieces'] = sorted(known | listed)
        ca_session.save(self._state_key, self._state)
        if answer.get('error') == 'missing':
            raise AnsibleConnectionFailure('instance {0}: pieces sent earlier in this run are gone from {1}; '
                                           'run the play again'.format(self._instance_id, self._state['dir']))
        if answer.get('error'):
            raise AnsibleError('instance {0}: {1}'.format(self._instance_id, answer.get('message')))
        return answer

    def _call_helper(self, request):
        text = ca_helper.b64(self._codec.seal(ca_helper.pack(request)))
        name = 'r' + secrets.token_hex(6)
        script = "exec '{0}' ./h.py {1} <<'CAEOF'\n{2}\nCAEOF\n".format(self._state['python'], name, text)
        if len(script) > REQUEST_LIMIT:
            raise AnsibleError('internal error: a request of {0} bytes does not fit in one command'.format(len(script)))
        output = self._run_script(script, self._state['dir'])
        header, body = self._slice(output)
        total, kept = header
        parts = [body]
        if total > len(body):
            offsets = range(len(body), total, ca_helper.SLICE)
            reads = [self._reader(kept, offset) for offset in offsets]
            parts.extend(self._parallel(reads))
            self._state['drop'].append(kept)
        blob = base64.b64decode(''.join(parts))
        try:
            return ca_helper.unpack(self._codec.open(blob))
        except ca_helper.SealError as exc:
            raise AnsibleError('instance {0}: the result does not authenticate ({1}); it was not produced by this '
                               'session'.format(self._instance_id, exc))

    def _reader(self, kept, offset):
        script = "exec '{0}' ./h.py read {1} {2}\n".format(self._state['python'], kept, offset)
        return lambda: self._slice(self._run_script(script, self._state['dir']))[1]

    def _slice(self, output):
        if output.startswith('CAERR'):
            raise AnsibleError('instance {0}: {1}'.format(self._instance_id, output[5:].strip()))
        match = re.match(r'CA1 (\d+) (\S+)\n([A-Za-z0-9+/=]*)', output)
        if not match:
            raise AnsibleError('instance {0}: unexpected helper output: {1!r}'.format(self._instance_id, output[-300:]))
        return (int(match.group(1)), match.group(2)), match.group(3)

    def _seal_pieces(self, chunks):
        pieces = []
        for data in chunks:
            body = ca_helper.piece_body(data)
            blob = self._codec.seal(body)
            if len(blob) > PIECE_LIMIT:
                half = len(data) // 2
                pieces.extend(self._seal_pieces([data[:half], data[half:]]))
                continue
            pieces.append((self._codec.piece_id(data), blob))
        return pieces

    # -- what Ansible calls ------------------------------------------------------------------------

    def exec_command(self, cmd, in_data=None, sudoable=True):
        super(Connection, self).exec_command(cmd, in_data=in_data, sudoable=sudoable)
        if self.become and self.become.expect_prompt() and sudoable:
            raise AnsibleError('alicloud.ecs.cloud_assistant does not take become passwords: Cloud Assistant runs '
                               'commands as root, so sudo and su need none')
        display.vvv(u'EXEC {0}'.format(cmd), host=self._instance_id)
        parts = dict(stdin=self._seal_pieces(ca_session.content_cuts(to_bytes(in_data)))) if in_data else {}
        request = dict(op='exec', cmd=to_text(cmd))
        if len(request['cmd']) > COMMAND_INLINE:
            parts['cmd'] = self._seal_pieces(ca_session.content_cuts(to_bytes(cmd)))
            del request['cmd']
        answer = self._request(request, parts)
        stdout = base64.b64decode(answer['stdout'])
        stderr = base64.b64decode(answer['stderr'])
        if self.become and sudoable and self.become.success:
            marker = to_bytes(self.become.success)
            stdout = b'\n'.join(line for line in stdout.split(b'\n') if line.strip() != marker) \
                if marker in stdout else stdout
        return answer['rc'], stdout, stderr

    def put_file(self, in_path, out_path):
        super(Connection, self).put_file(in_path, out_path)
        display.vvv(u'PUT {0} TO {1}'.format(in_path, out_path), host=self._instance_id)
        if not os.path.isfile(to_bytes(in_path)):
            raise AnsibleFileNotFound('file or module does not exist: {0}'.format(in_path))
        with open(to_bytes(in_path), 'rb') as handle:
            data = handle.read()
        digest = hashlib.sha256(data).hexdigest()
        pieces = self._seal_pieces(ca_session.fixed_cuts(data, PUT_PIECE)) if data else []
        answer = self._request(dict(op='put', path=to_text(out_path)), dict(data=pieces), keep=False)
        if answer.get('sha256') != digest:
            raise AnsibleError('instance {0}: {1} arrived with SHA-256 {2}, not {3}'.format(
                self._instance_id, out_path, answer.get('sha256'), digest))

    def fetch_file(self, in_path, out_path):
        super(Connection, self).fetch_file(in_path, out_path)
        display.vvv(u'FETCH {0} TO {1}'.format(in_path, out_path), host=self._instance_id)
        answer = self._request(dict(op='fetch', path=to_text(in_path)))
        data = zlib_decompress(base64.b64decode(answer['data']))
        if hashlib.sha256(data).hexdigest() != answer['sha256']:
            raise AnsibleError('instance {0}: {1} arrived damaged (SHA-256 mismatch)'.format(self._instance_id, in_path))
        with open(to_bytes(out_path), 'wb') as handle:
            handle.write(data)

    def reset(self):
        """Forget this run's session with the instance (the next task agrees a new one)."""
        if self._state_key_known():
            ca_session.forget(self._state_key)
        self.close()

    def _state_key_known(self):
        return getattr(self, '_state_key', None) is not None

    def close(self):
        self._connected = False


def _own_http_connections():
    """Drop the SDK's pooled HTTP connections inherited from the process this worker was forked from.

    The inventory plugin runs in ansible-playbook itself; its keep-alive connections, shared by
    workers forked afterwards, would carry several processes' requests and mix up their answers.
    """
    try:
        from darabonba.core import DaraCore
    except ImportError:
        return
    if getattr(DaraCore, '_alicloud_ecs_pid', None) != os.getpid():
        DaraCore._sessions = {}
        DaraCore._alicloud_ecs_pid = os.getpid()


def _helper_source():
    with open(ca_helper.__file__.replace('.pyc', '.py'), 'rb') as handle:
        return handle.read()


def zlib_compress(data):
    import zlib
    return zlib.compress(data, 9)


def zlib_decompress(data):
    import zlib
    return zlib.decompress(data)
