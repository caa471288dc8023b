# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The cloud_assistant connection's pieces without a network: sealing, the instance helper, cut points, errors."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import hashlib
import os
import subprocess
import sys

import pytest
from ansible.errors import AnsibleError

from ansible_collections.alicloud.ecs.plugins.plugin_utils import ca_helper, ca_session

KEYS = ca_helper.derive_keys(b'\x07' * 32)


def test_a_sealed_message_opens_on_the_other_side_only():
    controller, instance = ca_helper.Codec(KEYS, 'controller'), ca_helper.Codec(KEYS, 'instance')
    blob = controller.seal(b'module arguments')
    assert b'module arguments' not in blob
    assert instance.open(blob) == b'module arguments'
    with pytest.raises(ca_helper.SealError):
        controller.open(blob)                      # a request cannot be played back as a result
    assert controller.seal(b'same') != controller.seal(b'same')   # a fresh nonce each time


@pytest.mark.parametrize('position', [0, 16, -1])
def test_any_changed_byte_is_refused(position):
    blob = bytearray(ca_helper.Codec(KEYS, 'controller').seal(b'x' * 100))
    blob[position] ^= 1
    with pytest.raises(ca_helper.SealError):
        ca_helper.Codec(KEYS, 'instance').open(bytes(blob))


def test_another_key_is_refused_and_names_do_not_show_plain_hashes():
    other = ca_helper.Codec(ca_helper.derive_keys(b'\x08' * 32), 'instance')
    with pytest.raises(ca_helper.SealError):
        other.open(ca_helper.Codec(KEYS, 'controller').seal(b'data'))
    piece_id = ca_helper.Codec(KEYS, 'controller').piece_id(b'data')
    assert piece_id not in hashlib.sha256(b'data').hexdigest()


def run_helper(tmp_path, request, codec_keys=None):
    (tmp_path / 'shared').write_bytes(b'\x07' * 32)
    text = ca_helper.b64(ca_helper.Codec(codec_keys or KEYS, 'controller').seal(ca_helper.pack(request)))
    process = subprocess.run([sys.executable, ca_helper.__file__, 'rtest'], input=text, capture_output=True, text=True,
                             cwd=str(tmp_path), check=False)
    return process.stdout


def open_reply(tmp_path, output):
    header, body = output.split('\n', 1)
    mark, total, name = header.split()
    text = body.strip()
    while len(text) < int(total):
        text += subprocess.run([sys.executable, ca_helper.__file__, 'read', name, str(len(text))], capture_output=True,
                               text=True, cwd=str(tmp_path), check=True).stdout.split('\n', 1)[1].strip()
    return ca_helper.unpack(ca_helper.Codec(KEYS, 'controller').open(base64.b64decode(text)))


def test_the_helper_keeps_streams_and_exit_code_apart_and_slices_large_results(tmp_path):
    data = b'payload on stdin\n'
    codec = ca_helper.Codec(KEYS, 'controller')
    piece = codec.piece_id(data)
    request = dict(op='exec', cmd='cat; echo to-stderr >&2; head -c 70000 /dev/urandom | base64; exit 7',
                   stdin=dict(pieces=[piece], inline={piece: ca_helper.b64(codec.seal(ca_helper.piece_body(data)))},
                              keep=True))
    answer = open_reply(tmp_path, run_helper(tmp_path, request))
    stdout = base64.b64decode(answer['stdout'])
    assert answer['rc'] == 7 and stdout.startswith(data) and len(stdout) > 90000
    assert base64.b64decode(answer['stderr']) == b'to-stderr\n'
    assert (tmp_path / ('p' + piece)).exists()     # kept for the next task
    assert (tmp_path / 'rtest').exists()           # kept until the next request drops it
    open_reply(tmp_path, run_helper(tmp_path, dict(op='exec', cmd='true', drop=['rtest'])))
    assert not (tmp_path / 'rtest').exists()


def test_the_helper_names_missing_pieces_and_refuses_unsealed_requests(tmp_path):
    answer = open_reply(tmp_path, run_helper(tmp_path, dict(op='exec', cmd='true', stdin=dict(pieces=['ab' * 16]))))
    assert answer == dict(error='missing', pieces=['ab' * 16])
    output = run_helper(tmp_path, dict(op='exec', cmd='true'), codec_keys=ca_helper.derive_keys(b'\x09' * 32))
    assert output.startswith('CAERR message authentication failed')


def test_content_cuts_are_stable_when_bytes_before_them_change():
    body = os.urandom(150000)
    before = ca_session.content_cuts(b'params=1;' + body)
    after = ca_session.content_cuts(b'params=12345;' + body)
    assert b''.join(before) == b'params=1;' + body
    assert all(len(piece) <= ca_session.CUT_MAX for piece in before)
    assert len(set(before) & set(after)) >= len(before) - 2


def test_fixed_cuts_cover_the_data():
    assert ca_session.fixed_cuts(b'', 10) == [b'']
    assert ca_session.fixed_cuts(b'a' * 25, 10) == [b'a' * 10, b'a' * 10, b'a' * 5]


@pytest.fixture
def connection(monkeypatch):
    from ansible.playbook.play_context import PlayContext
    from ansible_collections.alicloud.ecs.plugins.connection.cloud_assistant import Connection
    conn = Connection(PlayContext())
    options = dict(encrypt=True, remote_tmp='/tmp', command_timeout=60, max_parallel=4)
    monkeypatch.setattr(conn, 'get_option', options.__getitem__)
    conn._instance_id = 'i-test'
    return conn


def test_missing_tools_name_them_and_the_opt_out(connection, monkeypatch):
    monkeypatch.setattr(connection, '_run_script', lambda script, working_dir: 'CAMISSING python3 openssl\n')
    with pytest.raises(AnsibleError) as info:
        connection._handshake()
    message = str(info.value)
    assert 'i-test lacks python3 and openssl' in message
    assert 'encrypt: false' in message and 'read the invocation records' in message


def test_the_handshake_script_carries_no_secret(connection, monkeypatch):
    scripts = []
    monkeypatch.setattr(connection, '_run_script', lambda script, working_dir: scripts.append(script) or 'CAMISSING x')
    with pytest.raises(AnsibleError):
        connection._handshake()
    assert 'BEGIN PUBLIC KEY' in scripts[0] and 'PRIVATE' not in scripts[0]
