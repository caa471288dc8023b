# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The two ends of the cloud_assistant connection: sealed messages, and the helper that runs on the instance.

This one file is imported by the connection plugin on the controller and sent, as it is, to the
instance, where the plugin runs it with the instance's Python 3 (3.6 or later, standard library
only). Both ends therefore seal and open messages with the same code.

Sealing: keys come from the X25519 secret through HKDF-SHA256 (one key pair per direction);
the keystream is HMAC-SHA256 in counter mode over a random 16-byte nonce (the counter-mode
construction of NIST SP 800-108), and the nonce and ciphertext are authenticated with
HMAC-SHA256 (encrypt-then-MAC). Only the standard library is needed on the instance.

On the instance the helper reads one sealed request (Base64) on standard input, does what it
asks (run a command, write or read a file), and prints one sealed result. A result larger than
one Cloud Assistant output is kept in the session directory and read back in slices.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import hashlib
import hmac
import json
import os
import subprocess
import sys
import zlib

PROTOCOL = b'alicloud.ecs cloud_assistant 1'
NONCE_SIZE = 16
TAG_SIZE = 32
# What the helper prints of a result in one run; Cloud Assistant keeps 24 KB of output.
SLICE = 24000
MARK = 'CA1'


class SealError(Exception):
    """A message that does not open: wrong key, tampered or cut."""


def _hmac(key, data):
    return hmac.new(key, data, hashlib.sha256).digest()


def derive_keys(shared, salt=b''):
    """HKDF-SHA256 (RFC 5869) of the X25519 secret: enc and mac keys per direction, and the piece-naming key."""
    prk = _hmac(salt or PROTOCOL, shared)
    names = ('c2i-enc', 'c2i-mac', 'i2c-enc', 'i2c-mac', 'piece-id')
    keys = {}
    for name in names:
        keys[name] = _hmac(prk, PROTOCOL + b' ' + name.encode('ascii') + b'\x01')
    return keys


def _keystream(key, nonce, size):
    base = hmac.new(key, None, hashlib.sha256)
    blocks = []
    for counter in range((size + 31) // 32):
        block = base.copy()
        block.update(nonce + counter.to_bytes(8, 'big'))
        blocks.append(block.digest())
    return b''.join(blocks)[:size]


def _xor(data, stream):
    if not data:
        return b''
    return (int.from_bytes(data, 'big') ^ int.from_bytes(stream, 'big')).to_bytes(len(data), 'big')


class Codec(object):
    """Seals what one side sends and opens what it receives; ``keys`` None means no encryption."""

    def __init__(self, keys, side):
        self.keys = keys
        out, into = ('c2i', 'i2c') if side == 'controller' else ('i2c', 'c2i')
        if keys:
            self.seal_keys = (keys[out + '-enc'], keys[out + '-mac'])
            self.open_keys = (keys[into + '-enc'], keys[into + '-mac'])

    def seal(self, data, nonce=None):
        if not self.keys:
            return data
        enc, mac = self.seal_keys
        nonce = nonce or os.urandom(NONCE_SIZE)
        body = nonce + _xor(data, _keystream(enc, nonce, len(data)))
        return body + _hmac(mac, body)

    def open(self, blob):
        if not self.keys:
            return blob
        enc, mac = self.open_keys
        if len(blob) < NONCE_SIZE + TAG_SIZE:
            raise SealError('message too short')
        body, tag = blob[:-TAG_SIZE], blob[-TAG_SIZE:]
        if not hmac.compare_digest(_hmac(mac, body), tag):
            raise SealError('message authentication failed')
        nonce, data = body[:NONCE_SIZE], body[NONCE_SIZE:]
        return _xor(data, _keystream(enc, nonce, len(data)))

    def piece_id(self, data):
        """A piece's name: keyed, so the records never show a plain hash of what was sent."""
        if self.keys:
            return _hmac(self.keys['piece-id'], data)[:16].hex()
        return hashlib.sha256(data).hexdigest()[:32]


def pack(obj):
    """A request or result: JSON, compressed."""
    return zlib.compress(json.dumps(obj, separators=(',', ':')).encode('utf-8'), 6)


def unpack(data):
    return json.loads(zlib.decompress(data).decode('utf-8'))


def b64(data):
    return base64.b64encode(data).decode('ascii')


def unb64(text):
    return base64.b64decode(text)


def piece_body(data):
    """A piece as stored: one flag byte (0 raw, 1 zlib) and the data, whichever is shorter."""
    packed = zlib.compress(data, 6)
    return b'\x01' + packed if len(packed) < len(data) else b'\x00' + data


def piece_data(body):
    return zlib.decompress(body[1:]) if body[:1] == b'\x01' else body[1:]


# -- the instance side -----------------------------------------------------------------------------

def _codec():
    if os.path.exists('shared'):
        with open('shared', 'rb') as handle:
            return Codec(derive_keys(handle.read()), 'instance')
    return Codec(None, 'instance')


def _gather(codec, spec):
    """The bytes named by ``spec``: pieces kept in this directory, and pieces carried in the request."""
    inline = spec.get('inline') or {}
    missing = [p for p in spec.get('pieces', []) if p not in inline and not os.path.exists('p' + p)]
    if missing:
        raise LookupError(' '.join(missing))
    parts = []
    for piece in spec.get('pieces', []):
        if piece in inline:
            sealed = unb64(inline[piece])
            if spec.get('keep') and not os.path.exists('p' + piece):
                with open('p' + piece, 'wb') as handle:
                    handle.write(sealed)
        else:
            with open('p' + piece, 'rb') as handle:
                sealed = handle.read()
        data = piece_data(codec.open(sealed))
        if codec.piece_id(data) != piece:
            raise ValueError('piece %s does not match its name' % piece)
        parts.append(data)
    data = b''.join(parts)
    if spec.get('sha256') and hashlib.sha256(data).hexdigest() != spec['sha256']:
        raise ValueError('the SHA-256 of the assembled data does not match')
    return data


def _home():
    """Commands start in the user's home, as over SSH (Cloud Assistant may not set HOME)."""
    home = os.environ.get('HOME')
    if not home:
        import pwd
        home = pwd.getpwuid(os.getuid()).pw_dir
    return home if os.path.isdir(home) else '/'


def _run(command, data):
    env = dict(os.environ)
    process = subprocess.Popen(['/bin/sh', '-c', command], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, cwd=_home(),
                               env=env)
    stdout, stderr = process.communicate(data)
    return dict(rc=process.returncode, stdout=b64(stdout), stderr=b64(stderr))


def _handle(codec, request):
    op = request['op']
    if op == 'exec':
        command = request.get('cmd')
        if isinstance(command, dict):
            command = _gather(codec, command).decode('utf-8', 'surrogateescape')
        return _run(command, _gather(codec, request['stdin']) if request.get('stdin') else b'')
    if op == 'put':
        data = _gather(codec, request['data'])
        path = request['path']
        temp = '%s.ca-%d' % (path, os.getpid())
        with open(temp, 'wb') as handle:
            handle.write(data)
        os.rename(temp, path)
        with open(path, 'rb') as handle:
            return dict(sha256=hashlib.sha256(handle.read()).hexdigest())
    if op == 'fetch':
        with open(request['path'], 'rb') as handle:
            data = handle.read()
        return dict(sha256=hashlib.sha256(data).hexdigest(), data=b64(zlib.compress(data, 6)))
    raise ValueError('unknown operation %r' % op)


def _reply(blob, name):
    """Print the sealed result; what does not fit in one output is kept as ``name`` for later slices."""
    text = b64(blob)
    if len(text) > SLICE:
        with open(name, 'w') as handle:
            handle.write(text)
    sys.stdout.write('%s %d %s\n%s\n' % (MARK, len(text), name, text[:SLICE]))


def main(argv):
    os.umask(0o077)
    if len(argv) == 4 and argv[1] == 'read':
        # A slice of a kept result (already sealed). Slices are read at once, in any order: the
        # controller's next request removes the result (``drop``).
        name, offset = argv[2], int(argv[3])
        with open(name) as handle:
            text = handle.read()
        sys.stdout.write('%s %d %s\n%s\n' % (MARK, len(text), name, text[offset:offset + SLICE]))
        return 0
    codec = _codec()
    name = argv[1] if len(argv) > 1 else 'result'
    try:
        request = unpack(codec.open(unb64(sys.stdin.read().strip())))
        for path in request.get('drop', []):
            _remove(path)
        answer = _handle(codec, request)
        for path in request.get('drop_after', []):
            _remove(path)
    except LookupError as exc:
        answer = dict(error='missing', pieces=str(exc).strip("'").split())
    except SealError as exc:
        sys.stdout.write('CAERR %s\n' % exc)
        return 3
    except Exception as exc:  # pylint: disable=broad-except
        answer = dict(error='failed', message='%s: %s' % (type(exc).__name__, exc))
    _reply(codec.seal(pack(answer)), name)
    return 0


def _remove(path):
    if os.path.isdir(path) and not os.path.islink(path):
        for root, dirs, files in os.walk(path, topdown=False):
            for entry in files:
                os.remove(os.path.join(root, entry))
            for entry in dirs:
                full = os.path.join(root, entry)
                if os.path.islink(full):
                    os.remove(full)
                else:
                    os.rmdir(full)
        os.rmdir(path)
    elif os.path.lexists(path):
        os.remove(path)


if __name__ == '__main__':
    sys.exit(main(sys.argv))
