# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The client layer without a network: retry policy, error mapping, tokens, paging, shapes."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest
import requests
from alibabacloud_tea_openapi.exceptions import ClientException, ServerException, ThrottlingException
from darabonba.exceptions import UnretryableException
from darabonba.policy.retry import RetryPolicyContext

from ansible_collections.alicloud.ecs.plugins.module_utils import client as client_utils
from ansible_collections.alicloud.ecs.plugins.module_utils.client import ApiError, EcsClient, RetryPolicy, snake_dict


def api_exception(cls, status, code, message='boom', **extra):
    data = dict(Code=code, Message=message, RequestId='REQ-1', Recommend='https://api.example/diagnose')
    return cls(status_code=status, code=code, message='code: %d, %s request id: REQ-1' % (status, message),
               data=data, request_id='REQ-1', **extra)


def lost_answer():
    """What the SDK raises when the connection drops after the request was sent."""
    inner = requests.exceptions.ConnectionError("('Connection aborted.', RemoteDisconnected('closed'))")
    return UnretryableException(RetryPolicyContext(retries_attempted=1, exception=inner))


def refused_connection():
    inner = requests.exceptions.ConnectionError(
        "HTTPConnectionPool(host='127.0.0.1', port=9): Max retries exceeded with url: /?Signature=SECRETSIG&SecurityToken=TOK "
        "(Caused by NewConnectionError('Failed to establish a new connection: [Errno 111] Connection refused'))")
    return UnretryableException(RetryPolicyContext(retries_attempted=1, exception=inner))


class Clock:
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def time(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def policy(clock, **kwargs):
    return RetryPolicy(sleep=clock.sleep, clock=clock.time, rand=lambda: 1.0, **kwargs)


class Flaky:
    """A send() that raises the given exceptions in turn, then answers."""

    def __init__(self, *failures):
        self.failures = list(failures)
        self.calls = 0

    def __call__(self):
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return {'RequestId': 'ok'}


class TestErrorMapping:
    def test_api_error_message_and_dict(self):
        error = ApiError.from_exception('InvokeCommand', api_exception(ClientException, 404, 'InvalidCmdId.NotFound',
                                                                       'The specified command does not exist.'))
        assert str(error) == 'InvokeCommand failed: InvalidCmdId.NotFound: The specified command does not exist.'
        assert error.to_dict() == dict(code='InvalidCmdId.NotFound', message='The specified command does not exist.',
                                       request_id='REQ-1', http_status=404, recommend='https://api.example/diagnose')
        assert error.outcome == 'final' and not error.retryable

    def test_throttling_is_refused(self):
        error = ApiError.from_exception('DescribeInvocations', api_exception(ThrottlingException, 400, 'Throttling.User',
                                                                             retry_after=1500))
        assert error.outcome == 'refused' and error.retry_after == 1500

    def test_service_unavailable_is_refused_and_5xx_unknown(self):
        assert ApiError.from_exception('X', api_exception(ServerException, 503, 'ServiceUnavailable')).outcome == 'refused'
        assert ApiError.from_exception('X', api_exception(ServerException, 500, 'InternalError')).outcome == 'unknown'

    def test_network_errors(self):
        lost = ApiError.from_exception('InvokeCommand', lost_answer())
        assert lost.code == 'NetworkError' and lost.outcome == 'unknown'
        refused = ApiError.from_exception('InvokeCommand', refused_connection())
        assert refused.outcome == 'refused'

    def test_network_errors_name_the_endpoint_not_urllib3(self):
        error = ApiError.from_exception('InvokeCommand', refused_connection(), url='http://127.0.0.1:1')
        assert str(error) == 'InvokeCommand failed: NetworkError: cannot connect to http://127.0.0.1:1 (connection refused)'
        assert 'SECRETSIG' not in str(error) and 'TOK' not in str(error)
        assert 'HTTPConnection' not in str(error) and 'Max retries' not in str(error)

    def test_urls_in_service_messages_lose_their_query(self):
        error = ApiError.from_exception('X', api_exception(ClientException, 400, 'Bad', 'see /?Signature=SECRETSIG&x=1'))
        assert 'SECRETSIG' not in str(error) and '<redacted>' in str(error)

    def test_missing_credentials_are_final_and_say_how_to_give_them(self):
        class CredentialException(Exception):
            pass
        error = ApiError.from_exception('DescribeInstances', CredentialException('unable to load credentials from any'))
        assert error.code == 'NoCredentials' and error.outcome == 'final'
        for way in ('access_key', 'ALIBABA_CLOUD_ACCESS_KEY_ID', 'profile', 'ecs_role_name'):
            assert way in str(error)
        send = Flaky(CredentialException('none'))
        with pytest.raises(ApiError):
            policy(Clock()).run(send, 'DescribeInstances', client_utils.READ)
        assert send.calls == 1

    @pytest.mark.parametrize('code, words', [('SignatureDoesNotMatch', 'secret_key'),
                                             ('Parameter.Disabled', 'enable_parameter')])
    def test_hints_keep_code_and_request_id(self, code, words):
        error = ApiError.from_exception('InvokeCommand', api_exception(ClientException, 400, code, 'text'))
        assert str(error).startswith('InvokeCommand failed: %s: text; ' % code) and words in str(error)
        assert error.to_dict()['code'] == code and error.to_dict()['request_id'] == 'REQ-1'


class TestRetryPolicy:
    def test_throttled_call_is_retried_and_succeeds(self):
        clock = Clock()
        send = Flaky(api_exception(ThrottlingException, 400, 'Throttling.User'),
                     api_exception(ClientException, 400, 'Throttling'))
        assert policy(clock).run(send, 'DescribeInvocations', client_utils.READ) == {'RequestId': 'ok'}
        assert send.calls == 3
        assert clock.sleeps == [0.5, 1.0]

    def test_retry_after_hint_is_a_floor(self):
        clock = Clock()
        send = Flaky(api_exception(ThrottlingException, 400, 'Throttling.Api', retry_after=3000))
        policy(clock).run(send, 'DescribeInvocations', client_utils.READ)
        assert clock.sleeps == [3.0]

    def test_backoff_is_capped_and_jittered(self):
        rp = RetryPolicy(base_delay=0.5, max_delay=4.0, rand=lambda: 0.5)
        assert [rp.delay(n) for n in range(1, 7)] == [0.25, 0.5, 1.0, 2.0, 2.0, 2.0]

    def test_attempts_are_bounded(self):
        clock = Clock()
        send = Flaky(*[api_exception(ServerException, 503, 'ServiceUnavailable') for dummy in range(10)])
        with pytest.raises(ApiError) as raised:
            policy(clock, max_attempts=4).run(send, 'DescribeInstances', client_utils.READ)
        assert send.calls == 4
        assert raised.value.code == 'ServiceUnavailable'

    def test_total_time_is_bounded(self):
        clock = Clock()
        send = Flaky(*[api_exception(ThrottlingException, 400, 'Throttling', retry_after=20000) for dummy in range(10)])
        with pytest.raises(ApiError):
            policy(clock, total_timeout=30).run(send, 'DescribeInstances', client_utils.READ)
        assert send.calls == 2  # a third attempt would start after 40 s
        assert sum(clock.sleeps) <= 30

    def test_final_errors_are_not_retried(self):
        send = Flaky(api_exception(ClientException, 404, 'InvalidCmdId.NotFound'))
        with pytest.raises(ApiError):
            policy(Clock()).run(send, 'InvokeCommand', client_utils.TOKEN)
        assert send.calls == 1

    def test_mutating_call_without_token_is_not_retried_after_a_lost_answer(self):
        send = Flaky(lost_answer())
        with pytest.raises(ApiError) as raised:
            policy(Clock()).run(send, 'CreateCommand', client_utils.UNSAFE)
        assert send.calls == 1
        assert raised.value.code == 'NetworkError'

    def test_mutating_call_without_token_is_retried_when_refused_untouched(self):
        send = Flaky(api_exception(ThrottlingException, 400, 'Throttling.User'), refused_connection())
        policy(Clock()).run(send, 'CreateCommand', client_utils.UNSAFE)
        assert send.calls == 3

    @pytest.mark.parametrize('safety', [client_utils.READ, client_utils.IDEMPOTENT, client_utils.TOKEN])
    def test_safe_calls_are_retried_after_a_lost_answer(self, safety):
        send = Flaky(lost_answer(), api_exception(ServerException, 500, 'InternalError'))
        policy(Clock()).run(send, 'X', safety)
        assert send.calls == 3


class FakeSdk:
    """Stands in for tea-openapi's client: records each request, answers from ``answer(action, query)``."""

    def __init__(self, answer):
        self.answer = answer
        self.requests = []

    def call_api(self, params, request, runtime):
        self.requests.append((params.action, dict(request.query)))
        return {'body': self.answer(params.action, request.query), 'headers': {}, 'statusCode': 200}


@pytest.fixture
def ecs_client():
    source = dict(type='access_key', access_key_id='AK', access_key_secret='SK')
    return EcsClient('cn-hangzhou', source, endpoint='127.0.0.1:9', protocol='http',
                     retry_policy=RetryPolicy(sleep=lambda s: None, rand=lambda: 0.0))


class TestEcsClient:
    def test_region_and_one_client_token_across_retries(self, ecs_client):
        def answer(action, query):
            if len(sdk.requests) < 3:
                raise lost_answer()
            return {'InvokeId': 't-1'}

        sdk = ecs_client._sdk = FakeSdk(answer)
        assert ecs_client.call('InvokeCommand', {'CommandId': 'c-1', 'InstanceId': ['i-1']}) == {'InvokeId': 't-1'}
        assert len(sdk.requests) == 3
        queries = [query for action, query in sdk.requests]
        assert len(set(query['ClientToken'] for query in queries)) == 1
        assert queries[0]['RegionId'] == 'cn-hangzhou' and queries[0]['InstanceId.1'] == 'i-1'

    def test_create_command_is_sent_once_after_a_lost_answer(self, ecs_client):
        def answer(action, query):
            raise lost_answer()

        sdk = ecs_client._sdk = FakeSdk(answer)
        with pytest.raises(ApiError, match='CreateCommand failed: NetworkError'):
            ecs_client.call('CreateCommand', {'Name': 'x'})
        assert len(sdk.requests) == 1 and 'ClientToken' not in sdk.requests[0][1]

    def test_paginate_follows_next_token(self, ecs_client):
        pages = {None: (['a', 'b'], 'p2'), 'p2': (['c'], 'p3'), 'p3': ([], '')}

        def answer(action, query):
            items, token = pages[query.get('NextToken')]
            return {'Commands': {'Command': [{'CommandId': i} for i in items]}, 'NextToken': token}

        sdk = ecs_client._sdk = FakeSdk(answer)
        ids = [item['CommandId'] for item in ecs_client.paginate('DescribeCommands', {'Name': 'x'})]
        assert ids == ['a', 'b', 'c']
        assert [(query.get('NextToken'), query['MaxResults']) for action, query in sdk.requests] == [
            (None, '50'), ('p2', '50'), ('p3', '50')]

    def test_paginate_reads_the_nested_token_of_invocation_results(self, ecs_client):
        def answer(action, query):
            token = 'next' if 'NextToken' not in query else None
            return {'Invocation': {'NextToken': token, 'InvocationResults': {
                'InvocationResult': [{'InstanceId': 'i-%d' % len(sdk.requests)}]}}}

        sdk = ecs_client._sdk = FakeSdk(answer)
        found = list(ecs_client.paginate('DescribeInvocationResults', {'InvokeId': 't-1'}, page_size=500))
        assert [item['InstanceId'] for item in found] == ['i-1', 'i-2']
        assert sdk.requests[0][1]['MaxResults'] == '50'

    def test_paginate_stops_when_the_caller_stops(self, ecs_client):
        sdk = ecs_client._sdk = FakeSdk(lambda action, query: {'Invocations': {'Invocation': [{'InvokeId': 't'}]},
                                                               'NextToken': 'more'})
        assert next(iter(ecs_client.paginate('DescribeInvocations'))) == {'InvokeId': 't'}
        assert len(sdk.requests) == 1


def test_snake_dict_unwraps_lists_and_tags():
    body = {'InvokeId': 't-1', 'OSType': 'linux', 'Tags': {'Tag': [{'TagKey': 'env', 'TagValue': 'prod'}]},
            'InvokeInstances': {'InvokeInstance': [{'InstanceId': 'i-1', 'ExitCode': 0}]},
            'VpcAttributes': {'VpcId': 'v', 'PrivateIpAddress': {'IpAddress': ['10.0.0.1']}}}
    assert snake_dict(body) == {'invoke_id': 't-1', 'os_type': 'linux', 'tags': {'env': 'prod'},
                                'invoke_instances': [{'instance_id': 'i-1', 'exit_code': 0}],
                                'vpc_attributes': {'vpc_id': 'v', 'private_ip_address': ['10.0.0.1']}}


@pytest.mark.parametrize('source, provider', [
    (dict(type='access_key', access_key_id='AK', access_key_secret='SK'), 'StaticAKCredentialsProvider'),
    (dict(type='sts', access_key_id='AK', access_key_secret='SK', security_token='T'), 'StaticSTSCredentialsProvider'),
    (dict(type='profile', profile='work'), 'CLIProfileCredentialsProvider'),
    (dict(type='ecs_ram_role', role_name='r'), 'EcsRamRoleCredentialsProvider'),
    (dict(type='default'), 'DefaultCredentialsProvider'),
    (dict(type='access_key', access_key_id='AK', access_key_secret='SK',
          assume_role=dict(role_arn='acs:ram::1:role/x', role_session_name='s', role_session_expiration=900)),
     'RamRoleArnCredentialsProvider'),
])
def test_each_credential_source_gets_its_sdk_provider(source, provider):
    credential = client_utils.build_credential(source)
    assert type(credential.cloud_credential.provider).__name__ == provider


def test_user_agent_names_the_collection(ecs_client):
    assert ecs_client._sdk._user_agent == client_utils.USER_AGENT
