# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""A local emulator of the Alibaba Cloud ECS API (2014-05-26), Cloud Assistant part.

It speaks the protocol exactly as the official Python SDK sends it, so the SDK talks to it
unchanged with ``Config(endpoint='127.0.0.1:PORT', protocol='http')``. See README.md next to
this file for the flags, the fleet, the test credentials and the control-file format.

Run: python tests/emulator/server.py [--port 0] [--port-file PATH] [--log PATH] ...
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import argparse
import ipaddress
import json
import os
import shlex
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

import emu_actions  # noqa: E402  pylint: disable=wrong-import-position
import emu_common  # noqa: E402  pylint: disable=wrong-import-position
import emu_faults  # noqa: E402  pylint: disable=wrong-import-position
import emu_signature  # noqa: E402  pylint: disable=wrong-import-position
import emu_state  # noqa: E402  pylint: disable=wrong-import-position


class RequestLog(object):
    """One JSON line per request, flushed at once (never secrets, tokens or headers)."""

    def __init__(self, path):
        self._lock = threading.Lock()
        self._handle = open(path, 'a') if path else None

    def write(self, action, params, status, code, fault):
        if self._handle is None:
            return
        line = json.dumps({'time': time.time(), 'action': action, 'params': params, 'status': status,
                           'code': code, 'fault': fault}, sort_keys=True)
        with self._lock:
            self._handle.write(line + '\n')
            self._handle.flush()

    def close(self):
        if self._handle is not None:
            self._handle.close()


class App(object):
    def __init__(self, state, controls, store, log, verbose=False):
        self.state = state
        self.controls = controls
        self.store = store
        self.nonces = emu_signature.NonceCache()
        self.log = log
        self.verbose = verbose


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'ECS-Emulator/1.0'

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        if self.server.app.verbose:
            sys.stderr.write('%s - %s\n' % (self.address_string(), format % args))

    def setup(self):
        BaseHTTPRequestHandler.setup(self)
        # Headers and body go out in two writes: without this, Nagle + delayed ACKs add 40 ms a request.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_POST(self):
        self._handle()

    def do_GET(self):
        self._handle()

    def _drop(self):
        """Close the connection without an answer."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _answer(self, status, body, headers=None):
        data = json.dumps(body).encode('utf-8')
        try:
            self.send_response(status)
            self.send_header('Content-Type', 'application/json;charset=utf-8')
            self.send_header('Content-Length', str(len(data)))
            self.send_header('x-acs-request-id', body.get('RequestId', ''))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True      # the client gave up waiting (a slow fault, say)

    def _handle(self):
        app = self.server.app
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length > 0 else b''
        split = urlsplit(self.path)
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        merged = dict(query)
        if body and (self.headers.get('Content-Type') or '').startswith('application/x-www-form-urlencoded'):
            merged.update(parse_qsl(body.decode('utf-8', 'replace'), keep_blank_values=True))
        action = self.headers.get('x-acs-action') or merged.get('Action') or ''
        logged = emu_signature.loggable(merged)
        rid = emu_common.request_id()

        drop_after = False
        fault_kind = None
        for fault in app.controls.faults_for(action):
            fault_kind = fault.kind
            if fault.kind == 'drop':
                app.log.write(action, logged, 0, None, 'drop')
                self._drop()
                return
            if fault.kind == 'slow':
                time.sleep(fault.delay)
            elif fault.kind == 'drop_after':
                drop_after = True
            else:
                err = fault.error()
                app.log.write(action, logged, err.status, err.code, fault.kind)
                self._answer(err.status, emu_common.error_body(err, rid), err.headers)
                return

        status, code, headers = 200, None, {}
        try:
            if split.path not in ('', '/'):
                raise emu_common.ApiError(404, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.')
            _key_id, style = emu_signature.authenticate(self.command, split.path or '/', query if 'Signature' not in merged else merged,
                                                        self.headers, body, app.store, app.nonces)
            version = self.headers.get('x-acs-version') if style == 'v3' else merged.get('Version')
            if version != emu_common.API_VERSION:
                raise emu_common.ApiError(400, 'InvalidVersion', 'Specified parameter Version is not valid.')
            answer = emu_actions.dispatch(app.state, action, emu_signature.action_params(merged, style))
            answer['RequestId'] = rid
        except emu_common.ApiError as err:
            status, code, headers = err.status, err.code, err.headers
            answer = emu_common.error_body(err, rid)
        except Exception:  # pylint: disable=broad-except
            sys.stderr.write(traceback.format_exc())
            err = emu_common.ApiError(500, 'InternalError', 'The request processing has failed due to some unknown error.')
            status, code = err.status, err.code
            answer = emu_common.error_body(err, rid)

        if drop_after:
            app.log.write(action, logged, 0, code, 'drop_after')
            self._drop()
            return
        app.log.write(action, logged, status, code, fault_kind)
        self._answer(status, answer, headers)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class Server6(Server):
    address_family = socket.AF_INET6


def _is_loopback(host):
    if host == 'localhost':
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _write_atomically(path, text):
    directory = os.path.dirname(os.path.abspath(path))
    handle, temp = tempfile.mkstemp(prefix='.port-', dir=directory)
    with os.fdopen(handle, 'w') as stream:
        stream.write(text)
    os.replace(temp, path)


def parse_args(argv):
    parser = argparse.ArgumentParser(description='Local emulator of the ECS API (Cloud Assistant).')
    parser.add_argument('--host', default='127.0.0.1', help='loopback address to bind (default 127.0.0.1)')
    parser.add_argument('--port', type=int, default=0, help='port to bind; 0 picks a free one')
    parser.add_argument('--port-file', help='write the chosen port to this file')
    parser.add_argument('--log', help='append one JSON line per request to this file')
    parser.add_argument('--credentials', action='append', default=[], metavar='ID:SECRET',
                        help='an accepted access key (repeatable); replaces the default one')
    parser.add_argument('--control-file', help='JSON file with faults, re-read whenever it changes')
    parser.add_argument('--no-exec', action='store_true', help='never run scripts; every run gets a simulated result')
    parser.add_argument('--linux-instances', type=int, default=12, help='running Linux instances in the fleet (default 12)')
    parser.add_argument('--fleet-size', type=int, default=0, metavar='N',
                        help='add N generated Linux instances to cn-hangzhou (same as --region-instances cn-hangzhou:N)')
    parser.add_argument('--region-instances', action='append', default=[], metavar='REGION:N',
                        help='add N generated Linux instances to REGION (repeatable)')
    parser.add_argument('--simulated-run-time', type=float, default=0.05, metavar='S',
                        help='seconds a simulated run stays Running (default 0.05)')
    parser.add_argument('--state-dir', help='directory for the instances\' scratch roots (default: a temporary one)')
    parser.add_argument('--pending-delay', type=float, default=0.2, help='seconds a record stays Pending (default 0.2)')
    parser.add_argument('--min-timeout', type=int, default=10, help='smallest accepted Timeout in seconds (default 10, as the service)')
    parser.add_argument('--throttle-rate', type=float, help='answer this share of all requests with Throttling.User')
    parser.add_argument('--server-error-rate', type=float, help='answer this share of all requests with ServiceUnavailable')
    parser.add_argument('--seed', type=int, default=1, help='random seed of the rate faults given by flags')
    parser.add_argument('--fault', action='append', default=[], metavar='JSON',
                        help='a fault rule as in the control file, e.g. \'{"action": "InvokeCommand", "kind": "drop", "count": 1}\'')
    parser.add_argument('--offline-agent', action='append', default=[], metavar='ID', help='instance whose agent is offline (repeatable)')
    parser.add_argument('--stop-mid-run', action='append', default=[], metavar='ID', help='instance that stops while a command runs (repeatable)')
    parser.add_argument('--verbose', action='store_true', help='log HTTP requests to stderr')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if not _is_loopback(args.host):
        sys.stderr.write('ECS emulator: refusing to bind %s: only loopback addresses are allowed\n' % args.host)
        return 2
    if args.linux_instances < 1:
        sys.stderr.write('ECS emulator: --linux-instances must be at least 1\n')
        return 2
    region_instances = {}
    if args.fleet_size:
        region_instances[emu_common.FLEET_REGION] = args.fleet_size
    for item in args.region_instances:
        region, _sep, count = item.partition(':')
        if region not in emu_common.KNOWN_REGIONS or not count.isdigit() or region in region_instances:
            sys.stderr.write('ECS emulator: --region-instances takes REGION:N, once per known region (%s)\n' % item)
            return 2
        region_instances[region] = int(count)
    if args.fleet_size < 0 or args.simulated_run_time < 0:
        sys.stderr.write('ECS emulator: --fleet-size and --simulated-run-time cannot be negative\n')
        return 2
    credentials = []
    for item in args.credentials:
        key_id, sep, secret = item.partition(':')
        if not sep or not key_id or not secret:
            sys.stderr.write('ECS emulator: --credentials takes ID:SECRET\n')
            return 2
        credentials.append((key_id, secret))
    flag_faults = []
    if args.throttle_rate:
        flag_faults.append({'action': '*', 'kind': 'throttle', 'rate': args.throttle_rate, 'seed': args.seed})
    if args.server_error_rate:
        flag_faults.append({'action': '*', 'kind': 'server_error', 'rate': args.server_error_rate, 'seed': args.seed + 1})
    try:
        for text in args.fault:
            flag_faults.append(json.loads(text))
        controls = emu_faults.Controls(args.control_file, flag_faults, args.offline_agent, args.stop_mid_run)
    except ValueError as exc:
        sys.stderr.write('ECS emulator: bad --fault: %s\n' % exc)
        return 2

    temp_state = None
    state_dir = args.state_dir
    if not state_dir:
        state_dir = temp_state = tempfile.mkdtemp(prefix='ecs-emulator-')
    os.makedirs(state_dir, exist_ok=True)
    state = emu_state.State(os.path.abspath(state_dir), linux_count=args.linux_instances, execute=not args.no_exec,
                            pending_delay=args.pending_delay, min_timeout=args.min_timeout, controls=controls,
                            region_instances=region_instances, simulated_run_time=args.simulated_run_time)
    controls.state = state

    server_class = Server6 if ':' in args.host else Server
    server = server_class((args.host, args.port), Handler)
    log = RequestLog(args.log)
    server.app = App(state, controls, emu_signature.CredentialStore(credentials), log, args.verbose)
    port = server.server_address[1]
    if args.port_file:
        _write_atomically(args.port_file, '%d\n' % port)
    host = '[%s]' % args.host if ':' in args.host else args.host
    url = 'http://%s:%d' % (host, port)
    print('ECS emulator listening on %s' % url)
    # What a user pastes to point the collection at this server (the first accepted plain key).
    key_id, secret = credentials[0] if credentials else (emu_signature.DEFAULT_ACCESS_KEY_ID,
                                                         emu_signature.DEFAULT_ACCESS_KEY_SECRET)
    for name, value in (('ALIBABA_CLOUD_ACCESS_KEY_ID', key_id), ('ALIBABA_CLOUD_ACCESS_KEY_SECRET', secret),
                        ('ALIBABA_CLOUD_REGION_ID', emu_common.FLEET_REGION), ('ALIBABA_CLOUD_ECS_ENDPOINT', url)):
        print('export %s=%s' % (name, shlex.quote(value)))
    sys.stdout.flush()

    stop = threading.Event()

    def _on_signal(_signum, _frame):
        stop.set()
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)

    thread = threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.2}, name='http')
    thread.daemon = True
    thread.start()
    while not stop.wait(0.5):
        pass
    server.shutdown()
    state.kill_all()
    server.server_close()
    log.close()
    if temp_state:
        shutil.rmtree(temp_state, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
