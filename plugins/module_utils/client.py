# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one place that talks to the ECS API through the official SDK.

Callers name an action and pass its parameters with the API's own names
(``{'CommandId': 'c-1', 'InstanceId': ['i-1']}``); answers come back as plain dicts with
the API's names. This layer adds the region, retries what is safe to retry, maps every
failure to :class:`ApiError`, and follows pages.

Requests go through tea-openapi's generic ``call_api``, which signs and sends them exactly
as the typed ``alibabacloud_ecs20140526`` client does for these RPC actions (a unit test
compares the two request by request) without importing the typed client's 1,152 model
files on every task.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import concurrent.futures
import random
import re
import time
import traceback
import uuid

from ansible_collections.alicloud.ecs.plugins.module_utils.connection import USER_AGENT

SDK_IMPORT_ERROR = None
try:
    from alibabacloud_credentials.client import Client as CredentialClient
    from alibabacloud_credentials.provider import (
        CLIProfileCredentialsProvider,
        DefaultCredentialsProvider,
        EcsRamRoleCredentialsProvider,
        RamRoleArnCredentialsProvider,
        StaticAKCredentialsProvider,
        StaticSTSCredentialsProvider,
    )
    from alibabacloud_tea_openapi.client import Client as OpenApiClient
    from alibabacloud_tea_openapi.utils import Utils as OpenApiUtils
    from alibabacloud_tea_openapi.utils_models import Config, OpenApiRequest, Params
    from darabonba.runtime import RuntimeOptions
    HAS_SDK = True
except ImportError:
    HAS_SDK = False
    SDK_IMPORT_ERROR = traceback.format_exc()

SDK_REQUIREMENT = 'alibabacloud_tea_openapi and alibabacloud_credentials'
API_VERSION = '2014-05-26'
# Serialised as one JSON string, as the typed client does for InvokeCommand and RunCommand.
JSON_PARAMETERS = ('Parameters',)

# How an action may be retried when its answer is lost (the request may have been applied):
READ = 'read'              # changes nothing
IDEMPOTENT = 'idempotent'  # applying it twice is the same as once
TOKEN = 'token'            # made idempotent by one ClientToken kept across all attempts
UNSAFE = 'unsafe'          # never resent unless the service refused it untouched

ACTION_SAFETY = {
    'DescribeInvocations': READ,
    'DescribeInvocationResults': READ,
    'DescribeCommands': READ,
    'DescribeInstances': READ,
    'DescribeCloudAssistantStatus': READ,
    'DescribeSendFileResults': READ,
    'InvokeCommand': TOKEN,
    'SendFile': TOKEN,
    'RunCommand': TOKEN,
    'StopInvocation': IDEMPOTENT,
    'ModifyCommand': IDEMPOTENT,
    'DeleteCommand': IDEMPOTENT,
    'CreateCommand': UNSAFE,
}

# How many calls run_parallel makes at once.
MAX_PARALLEL = 8

# Where each paged action keeps its items and its NextToken, and its largest page.
# DescribeInvocationResults nests its paging fields inside ``Invocation``.
PAGING = {
    'DescribeInvocations': dict(items=('Invocations', 'Invocation'), container=(), max_results=50),
    'DescribeInvocationResults': dict(items=('Invocation', 'InvocationResults', 'InvocationResult'),
                                      container=('Invocation',), max_results=50),
    'DescribeCommands': dict(items=('Commands', 'Command'), container=(), max_results=50),
    'DescribeInstances': dict(items=('Instances', 'Instance'), container=(), max_results=100),
    'DescribeCloudAssistantStatus': dict(items=('InstanceCloudAssistantStatusSet', 'InstanceCloudAssistantStatus'),
                                         container=(), max_results=50),
    'DescribeSendFileResults': dict(items=('Invocations', 'Invocation'), container=(), max_results=50),
}

# Network failures that happen before the request left this machine: nothing was applied.
_NOT_SENT = re.compile(r'NewConnectionError|ConnectTimeout|Connection refused|Name or service not known|'
                       r'Temporary failure in name resolution|No route to host')
# What a user reads instead of urllib3's text, first match wins.
_NETWORK_REASONS = (
    (re.compile(r'Connection refused'), 'connection refused'),
    (re.compile(r'Name or service not known|Temporary failure in name resolution|nodename nor servname|'
                r'getaddrinfo failed'), 'the host name does not resolve'),
    (re.compile(r'No route to host|Network is unreachable'), 'no route to the host'),
    (re.compile(r'ConnectTimeout|connect timeout', re.I), 'the connection timed out'),
    (re.compile(r'ReadTimeout|Read timed out', re.I), 'no answer in time (read timeout)'),
    (re.compile(r'SSLError|CERTIFICATE_VERIFY_FAILED|certificate', re.I), 'TLS handshake failed'),
    (re.compile(r'RemoteDisconnected|Connection aborted|Connection reset|BadStatusLine|IncompleteRead'),
     'the connection was closed before an answer came'),
)
# Query strings may carry a signature or (legacy signing) a security token: never show them.
_URL_QUERY = re.compile(r'(/?\?)[^\s\'")]*')

NO_CREDENTIALS = 'NoCredentials'
NO_CREDENTIALS_MESSAGE = (
    'no Alibaba Cloud credentials were found. Give them in one of these ways: the options access_key and '
    'secret_key (and security_token for STS); the environment variables ALIBABA_CLOUD_ACCESS_KEY_ID and '
    'ALIBABA_CLOUD_ACCESS_KEY_SECRET (or ALICLOUD_ACCESS_KEY and ALICLOUD_SECRET_KEY); a profile of '
    '~/.aliyun/config.json (option profile or ALIBABA_CLOUD_PROFILE); an instance RAM role (option ecs_role_name '
    'or ALIBABA_CLOUD_ECS_METADATA); see docs/authentication.md')

# What to do about the API errors a new user meets most; the code and request id stay in ``error``.
HINTS = {
    'SignatureDoesNotMatch': 'the secret does not match the access key: check secret_key (or '
                             'ALIBABA_CLOUD_ACCESS_KEY_SECRET / ALICLOUD_SECRET_KEY)',
    'InvalidAccessKeyId.NotFound': 'the access key is unknown: check access_key (or ALIBABA_CLOUD_ACCESS_KEY_ID / '
                                   'ALICLOUD_ACCESS_KEY)',
    'Parameter.Disabled': 'the command was created without parameters: create it with enable_parameter=true '
                          '(alicloud.ecs.ecs_command) to pass parameters',
}


def scrub(text):
    """Remove URL query strings from an error text (they can carry signatures or tokens)."""
    return _URL_QUERY.sub(r'\1<redacted>', text or '')


def network_reason(detail):
    """A short, stable reason for a network failure's text (urllib3's own wording is left out)."""
    for pattern, reason in _NETWORK_REASONS:
        if pattern.search(detail):
            return reason
    return 'network error'


class ApiError(Exception):
    """A failed API call, with what a user needs to act on it.

    ``outcome`` says whether the service may have applied the request:
    ``refused`` (throttled, unavailable, never sent), ``unknown`` (the answer was lost or was a
    5xx) or ``final`` (the service answered with an error, or no request could be signed:
    retrying will not help).
    """

    def __init__(self, action, code, message, request_id=None, http_status=None, recommend=None,
                 retry_after=None, outcome='final'):
        hint = HINTS.get(code)
        text = '{0} failed: {1}: {2}'.format(action, code, message)
        super(ApiError, self).__init__(text + ('; ' + hint if hint else ''))
        self.action = action
        self.code = code
        self.message = message
        self.request_id = request_id
        self.http_status = http_status
        self.recommend = recommend
        self.retry_after = retry_after
        self.outcome = outcome

    @property
    def retryable(self):
        return self.outcome in ('refused', 'unknown')

    def to_dict(self):
        return dict(code=self.code, message=self.message, request_id=self.request_id,
                    http_status=self.http_status, recommend=self.recommend)

    @classmethod
    def from_exception(cls, action, exc, url=None):
        """Map an SDK (or network) exception to an ApiError; ``url`` is the endpoint, named in network errors."""
        if isinstance(exc, ApiError):
            return exc
        inner = getattr(exc, 'inner_exception', None)
        if 'CredentialException' in (type(exc).__name__, type(inner).__name__) or \
                getattr(exc, 'code', None) == 'InvalidCredentials':
            # Nothing was sent and nothing will change by sending again.
            return cls(action, NO_CREDENTIALS, NO_CREDENTIALS_MESSAGE)
        data = getattr(exc, 'data', None)
        if isinstance(data, dict) and (data.get('Code') or data.get('code')):
            status = data.get('statusCode') or getattr(exc, 'status_code', None) or getattr(exc, 'statusCode', None)
            code = data.get('Code') or data.get('code')
            message = data.get('Message') or data.get('message') or getattr(exc, 'message', '') or ''
            retry_after = getattr(exc, 'retry_after', None)
            if code.startswith('Throttling') or code == 'ServiceUnavailable':
                outcome = 'refused'
            elif status is not None and int(status) >= 500:
                outcome = 'unknown'
            else:
                outcome = 'final'
            return cls(action, code, scrub(message), request_id=data.get('RequestId') or getattr(exc, 'request_id', None),
                       http_status=int(status) if status is not None else None, recommend=data.get('Recommend'),
                       retry_after=retry_after, outcome=outcome)
        if inner is not None or type(exc).__name__ in ('UnretryableException', 'ConnectionError', 'Timeout'):
            detail = repr(inner if inner is not None else exc)
            outcome = 'refused' if _NOT_SENT.search(detail) else 'unknown'
            where = 'cannot connect to {0}'.format(url) if url else 'cannot connect to the endpoint'
            return cls(action, 'NetworkError', '{0} ({1})'.format(where, network_reason(detail)), outcome=outcome)
        code = getattr(exc, 'code', None) or type(exc).__name__
        return cls(action, code, scrub(getattr(exc, 'message', None) or str(exc)))


class RetryPolicy(object):
    """Exponential backoff with full jitter, bounded in attempts and in total time.

    The service's retry-after hint is a floor for the next delay.
    """

    def __init__(self, max_attempts=6, base_delay=0.5, max_delay=8.0, total_timeout=60.0,
                 sleep=time.sleep, clock=time.monotonic, rand=random.random):
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.total_timeout = total_timeout
        self.sleep = sleep
        self.clock = clock
        self.rand = rand

    def delay(self, attempt, retry_after_ms=None):
        """Seconds to wait before attempt number ``attempt + 1`` (``attempt`` counts from 1)."""
        backoff = self.rand() * min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        if retry_after_ms:
            backoff = max(backoff, retry_after_ms / 1000.0)
        return backoff

    def should_retry(self, error, safety, attempt):
        """Whether to send again after ``error`` on attempt ``attempt``."""
        if not error.retryable or attempt >= self.max_attempts:
            return False
        if error.outcome == 'unknown' and safety == UNSAFE:
            return False
        return True

    def run(self, send, action, safety, url=None):
        """Call ``send()`` until it succeeds or retrying is no longer allowed; ``url`` names the endpoint in errors."""
        started = self.clock()
        attempt = 0
        while True:
            attempt += 1
            try:
                return send()
            except Exception as exc:  # pylint: disable=broad-except
                error = ApiError.from_exception(action, exc, url)
                if not self.should_retry(error, safety, attempt):
                    raise error
                wait = self.delay(attempt, error.retry_after)
                if self.clock() - started + wait > self.total_timeout:
                    raise error
                self.sleep(wait)


def _snake(name):
    return re.sub(r'(?<=[a-z0-9])([A-Z])|(?<=[A-Z])([A-Z][a-z])', r'_\1\2', name).lower()


def _dig(body, path):
    for key in path:
        if not isinstance(body, dict):
            return None
        body = body.get(key)
    return body


def new_client_token():
    return uuid.uuid4().hex


def default_endpoint(region):
    """The ECS endpoint of a region when none is given, as the SDK resolves it for public regions."""
    if region == 'cn-hangzhou':
        return 'ecs-cn-hangzhou.aliyuncs.com'
    return 'ecs.{0}.aliyuncs.com'.format(region)


def build_query(params):
    """Flatten API parameters into the query the SDK sends (``InstanceId.1``, ``Tag.1.Key``, JSON ``Parameters``)."""
    flat = {}
    for key, value in params.items():
        if value is None:
            continue
        if key in JSON_PARAMETERS and not isinstance(value, str):
            flat[key] = OpenApiUtils.array_to_string_with_specified_style(value, key, 'json')
        else:
            flat[key] = value
    return OpenApiUtils.query(flat)


class EcsClient(object):
    """The ECS API for one region, one credential source and one endpoint."""

    def __init__(self, region, credential_source, endpoint=None, protocol=None, retry_policy=None,
                 connect_timeout_ms=5000, read_timeout_ms=20000):
        self.region = region
        self.retry_policy = retry_policy or RetryPolicy()
        config = Config(
            credential=build_credential(credential_source),
            region_id=region,
            endpoint=endpoint or default_endpoint(region),
            user_agent=USER_AGENT,
            connect_timeout=connect_timeout_ms,
            read_timeout=read_timeout_ms,
        )
        if protocol:
            config.protocol = protocol
        self.url = '{0}://{1}'.format(protocol or 'https', config.endpoint)
        self._sdk = OpenApiClient(config)
        self._runtime = RuntimeOptions(autoretry=False, connect_timeout=connect_timeout_ms,
                                       read_timeout=read_timeout_ms)

    def call(self, action, params=None):
        """Call ``action`` with ``params`` (API names); return the answer body as a dict.

        The region is added to every request. A TOKEN action gets one ClientToken for all its
        attempts, so a lost answer never runs it twice. Raises ApiError.
        """
        request_params = dict(params or {})
        request_params.setdefault('RegionId', self.region)
        safety = ACTION_SAFETY.get(action, UNSAFE)
        if safety == TOKEN:
            request_params.setdefault('ClientToken', new_client_token())
        query = build_query(request_params)
        api = Params(action=action, version=API_VERSION, protocol='HTTPS', pathname='/', method='POST',
                     auth_type='AK', style='RPC', req_body_type='formData', body_type='json')

        def send():
            return self._sdk.call_api(api, OpenApiRequest(query=dict(query)), self._runtime).get('body') or {}

        return self.retry_policy.run(send, action, safety, self.url)

    def paginate(self, action, params=None, page_size=None):
        """Yield every item of a paged Describe* action, page by page (NextToken/MaxResults)."""
        paging = PAGING[action]
        request_params = dict(params or {})
        request_params['MaxResults'] = min(page_size or paging['max_results'], paging['max_results'])
        while True:
            body = self.call(action, request_params)
            yield from _dig(body, paging['items']) or []
            token = _dig(body, paging['container'] + ('NextToken',))
            if not token:
                return
            request_params['NextToken'] = token


def build_credential(source):
    """Turn a credential source (see connection.resolve_credential_source) into an SDK credential client."""
    kind = source['type']
    if kind == 'access_key':
        provider = StaticAKCredentialsProvider(access_key_id=source['access_key_id'],
                                               access_key_secret=source['access_key_secret'])
    elif kind == 'sts':
        provider = StaticSTSCredentialsProvider(access_key_id=source['access_key_id'],
                                                access_key_secret=source['access_key_secret'],
                                                security_token=source['security_token'])
    elif kind == 'profile':
        provider = CLIProfileCredentialsProvider(profile_name=source['profile'])
    elif kind == 'ecs_ram_role':
        provider = EcsRamRoleCredentialsProvider(role_name=source['role_name'])
    else:
        provider = DefaultCredentialsProvider()
    role = source.get('assume_role')
    if role:
        provider = RamRoleArnCredentialsProvider(credentials_provider=provider, role_arn=role['role_arn'],
                                                 role_session_name=role['role_session_name'],
                                                 duration_seconds=role['role_session_expiration'])
    return CredentialClient(provider=provider)


def api_int(value):
    """An integer field of an answer (the API sends some as strings), or None."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def base64_bytes(text):
    """The bytes of a Base64 field (command content, output); text that is not Base64 is taken as it is."""
    if not text:
        return b''
    try:
        return base64.b64decode(text)
    except (TypeError, ValueError):
        return text.encode('utf-8')


def base64_text(text):
    """A Base64 field decoded to text (undecodable bytes replaced)."""
    return base64_bytes(text).decode('utf-8', 'replace')


def tag_params(tags):
    """A ``{key: value}`` tags dict as the API's ``Tag`` list (``Tag.N.Key``/``Tag.N.Value``), in key order."""
    return [dict(Key=key, Value='' if value is None else str(value)) for key, value in sorted(tags.items())]


def tags_dict(tags):
    """The API's tag list (``TagKey``/``TagValue`` or ``Key``/``Value``) as a ``{key: value}`` dict."""
    result = {}
    for tag in tags:
        key = tag.get('TagKey', tag.get('Key'))
        if key is not None:
            result[key] = tag.get('TagValue', tag.get('Value', ''))
    return result


def snake_dict(value):
    """Convert an API answer to snake_case, the way modules return it.

    The API wraps lists in a one-key dict (``{'Tags': {'Tag': [...]}}``): those become plain
    lists, and tag lists become a ``{key: value}`` dict.
    """
    if isinstance(value, list):
        return [snake_dict(item) for item in value]
    if not isinstance(value, dict):
        return value
    result = {}
    for key, item in value.items():
        if isinstance(item, dict) and len(item) == 1 and isinstance(list(item.values())[0], list):
            item = list(item.values())[0]
        if key in ('Tags', 'Tag') and isinstance(item, list):
            result['tags'] = tags_dict(item)
            continue
        result[_snake(key)] = snake_dict(item)
    return result


def run_parallel(*calls):
    """Run the zero-argument ``calls`` at once (each is one or a few API calls); return their results in order.

    Independent reads cost one round trip of latency instead of one each; at most MAX_PARALLEL
    run at a time, so a long list of chunks does not become a burst that the API throttles.
    The first error is raised.
    """
    if len(calls) == 1:
        return [calls[0]()]
    with concurrent.futures.ThreadPoolExecutor(max_workers=min(len(calls), MAX_PARALLEL)) as pool:
        futures = [pool.submit(call) for call in calls]
        return [future.result() for future in futures]
