# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Request authentication of the ECS emulator.

Two signatures, both as the official SDK computes them:

* ACS3-HMAC-SHA256 (the SDK default): an ``Authorization`` header over a canonical request made
  of the method, the path, the sorted query, the signed headers and the SHA-256 of the body.
* the legacy RPC signature (``Config(signature_algorithm='v2')``): HMAC-SHA1 over the sorted query,
  sent as the ``Signature`` query parameter.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import calendar
import hashlib
import hmac
import threading
import time
from urllib.parse import quote

from emu_common import ApiError

DEFAULT_ACCESS_KEY_ID = 'LTAIEMULATOR0000TEST'
DEFAULT_ACCESS_KEY_SECRET = 'emulator-test-secret'
DEFAULT_STS_ID = 'STS.EMULATOR0000TEST'
DEFAULT_STS_SECRET = 'emulator-sts-secret'
DEFAULT_STS_TOKEN = 'emulator-sts-token'

MAX_SKEW = 15 * 60                 # seconds of clock skew the service accepts
V1_FIELDS = ('Signature', 'SignatureMethod', 'SignatureVersion', 'SignatureNonce', 'SignatureType',
             'Timestamp', 'AccessKeyId', 'SecurityToken', 'Format', 'Version', 'Action', 'BearerToken')
SECRET_FIELDS = ('Signature', 'SecurityToken', 'BearerToken')


class CredentialStore(object):
    """Known access keys: id -> (secret, security token or None)."""

    def __init__(self, pairs=None):
        self._keys = {}
        if pairs:
            for key_id, secret in pairs:
                self._keys[key_id] = (secret, None)
        else:
            self._keys[DEFAULT_ACCESS_KEY_ID] = (DEFAULT_ACCESS_KEY_SECRET, None)
        self._keys[DEFAULT_STS_ID] = (DEFAULT_STS_SECRET, DEFAULT_STS_TOKEN)

    def lookup(self, key_id):
        if key_id not in self._keys:
            raise ApiError(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.')
        return self._keys[key_id]


class NonceCache(object):
    """Signature nonces seen within the skew window; a reused one is refused."""

    def __init__(self):
        self._seen = {}
        self._lock = threading.Lock()

    def use(self, nonce):
        now = time.time()
        with self._lock:
            if len(self._seen) > 10000:
                self._seen = dict((k, t) for k, t in self._seen.items() if now - t < 2 * MAX_SKEW)
            if nonce in self._seen:
                raise ApiError(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.')
            self._seen[nonce] = now


def _check_time(value):
    try:
        stamp = calendar.timegm(time.strptime(value, '%Y-%m-%dT%H:%M:%SZ'))
    except (TypeError, ValueError):
        raise ApiError(400, 'InvalidTimeStamp.Format', 'Specified time stamp or date value is not well formatted.')
    if abs(time.time() - stamp) > MAX_SKEW:
        raise ApiError(400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.')


def _check_token(expected, given):
    if expected is None:
        if given:
            raise ApiError(400, 'InvalidSecurityToken.MismatchWithAccessKey', 'Specified SecurityToken mismatch with the AccessKey.')
        return
    if not given:
        raise ApiError(400, 'MissingSecurityToken', 'SecurityToken is mandatory for this action.')
    if not hmac.compare_digest(expected, given):
        raise ApiError(400, 'InvalidSecurityToken.MismatchWithAccessKey', 'Specified SecurityToken mismatch with the AccessKey.')


def _mismatch():
    return ApiError(400, 'SignatureDoesNotMatch', 'Specified signature is not matched with our calculation.')


def _header_value(headers, name):
    values = headers.get_all(name) or []
    return ','.join(sorted(str(v).strip() for v in values))


def canonical_query(params):
    return '&'.join('%s=%s' % (key, quote(params[key], safe='~')) for key in sorted(params))


def verify_v3(method, path, params, headers, body, store, nonces):
    """Check an ACS3-HMAC-SHA256 request; answer the access key id."""
    auth = headers.get('Authorization', '')
    algorithm, _sep, rest = auth.partition(' ')
    if algorithm != 'ACS3-HMAC-SHA256':
        raise ApiError(400, 'InvalidSignatureMethod', 'Specified signature method is not supported.')
    fields = {}
    for part in rest.split(','):
        name, _eq, value = part.strip().partition('=')
        fields[name] = value
    key_id = fields.get('Credential', '')
    signed = [h for h in fields.get('SignedHeaders', '').split(';') if h]
    signature = fields.get('Signature', '')
    if not key_id:
        raise ApiError(400, 'MissingAccessKeyId', 'AccessKeyId is mandatory for this action.')
    secret, token = store.lookup(key_id)
    _check_token(token, headers.get('x-acs-security-token'))
    if token is not None and 'x-acs-security-token' not in signed:
        raise _mismatch()
    if headers.get('x-acs-accesskey-id') not in (None, key_id):
        raise _mismatch()

    body_hash = hashlib.sha256(body).hexdigest()
    if headers.get('x-acs-content-sha256', '') != body_hash:
        raise ApiError(400, 'ContentSHA256NotMatched', 'The x-acs-content-sha256 header does not match the request body.')
    date = headers.get('x-acs-date')
    if not date:
        raise ApiError(400, 'MissingParameter.x-acs-date', 'The x-acs-date header is mandatory.')
    _check_time(date)
    nonce = headers.get('x-acs-signature-nonce')
    if not nonce:
        raise ApiError(400, 'MissingSignatureNonce', 'The x-acs-signature-nonce header is mandatory.')
    for required in ('host', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256', 'x-acs-action', 'x-acs-version'):
        if required not in signed:
            raise _mismatch()

    lines = []
    for name in signed:
        if headers.get(name) is None:
            raise _mismatch()
        lines.append('%s:%s\n' % (name, _header_value(headers, name)))
    canonical = '\n'.join([method, path or '/', canonical_query(params), ''.join(lines), ';'.join(signed), body_hash])
    string_to_sign = 'ACS3-HMAC-SHA256\n' + hashlib.sha256(canonical.encode('utf-8')).hexdigest()
    expected = hmac.new(secret.encode('utf-8'), string_to_sign.encode('utf-8'), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        raise _mismatch()
    nonces.use(nonce)
    return key_id


def verify_v1(method, params, store, nonces):
    """Check a legacy RPC request (HMAC-SHA1, Signature in the query); answer the access key id."""
    key_id = params.get('AccessKeyId')
    if not key_id:
        raise ApiError(400, 'MissingAccessKeyId', 'AccessKeyId is mandatory for this action.')
    if params.get('SignatureMethod') != 'HMAC-SHA1':
        raise ApiError(400, 'InvalidSignatureMethod', 'Specified signature method is not supported.')
    if params.get('SignatureVersion') != '1.0':
        raise ApiError(400, 'InvalidSignatureVersion', 'Specified signature version is not supported.')
    secret, token = store.lookup(key_id)
    _check_token(token, params.get('SecurityToken'))
    _check_time(params.get('Timestamp'))
    nonce = params.get('SignatureNonce')
    if not nonce:
        raise ApiError(400, 'MissingSignatureNonce', 'SignatureNonce is mandatory for this action.')
    signed = dict((k, v) for k, v in params.items() if k != 'Signature')
    canonical = '&'.join('%s=%s' % (quote(k, safe='~'), quote(signed[k], safe='~')) for k in sorted(signed))
    string_to_sign = '%s&%s&%s' % (method, quote('/', safe='~'), quote(canonical, safe='~'))
    digest = hmac.new((secret + '&').encode('utf-8'), string_to_sign.encode('utf-8'), hashlib.sha1).digest()
    expected = base64.b64encode(digest).decode('ascii')
    if not hmac.compare_digest(expected, params.get('Signature', '')):
        raise _mismatch()
    nonces.use(nonce)
    return key_id


def authenticate(method, path, params, headers, body, store, nonces):
    """Verify whichever signature the request carries; answer (access key id, style)."""
    if 'Signature' in params:
        return verify_v1(method, params, store, nonces), 'v1'
    if headers.get('Authorization'):
        return verify_v3(method, path, params, headers, body, store, nonces), 'v3'
    raise ApiError(400, 'MissingAccessKeyId', 'AccessKeyId is mandatory for this action.')


def action_params(params, style):
    """The parameters of the action itself (the common RPC fields of a v1 request removed)."""
    if style != 'v1':
        return dict(params)
    return dict((k, v) for k, v in params.items() if k not in V1_FIELDS)


def loggable(params):
    """Query parameters safe to log: no signature, no security token."""
    return dict((k, v) for k, v in params.items() if k not in SECRET_FIELDS)
