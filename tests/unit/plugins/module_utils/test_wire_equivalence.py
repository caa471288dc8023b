# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The generic call path sends what the typed alibabacloud_ecs20140526 client sends, action by action.

The typed client is the source of truth for the wire format: for each action the collection
uses, both clients get the same parameters and the queries and call descriptions they hand to
tea-openapi's call_api must be identical.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest
from alibabacloud_ecs20140526 import models
from alibabacloud_ecs20140526.client import Client as TypedClient
from alibabacloud_tea_openapi.utils_models import Config
from darabonba.runtime import RuntimeOptions

from ansible_collections.alicloud.ecs.plugins.module_utils import client as client_utils
from ansible_collections.alicloud.ecs.plugins.module_utils.client import EcsClient, RetryPolicy, default_endpoint

CASES = {
    'InvokeCommand': {'CommandId': 'c-1', 'InstanceId': ['i-2', 'i-1'], 'RepeatMode': 'Period', 'Frequency': 'rate(5m)',
                      'Parameters': {'name': 'x y', 'n': 3}, 'Timeout': 120, 'Username': 'admin', 'WorkingDir': '/root',
                      'ContainerId': 'cid', 'ContainerName': 'cn', 'WindowsPasswordName': 'pw',
                      'Tag': [{'Key': 'env', 'Value': 'prod'}, {'Key': 'team', 'Value': 'a&b'}], 'ClientToken': 'tok'},
    'RunCommand': {'Type': 'RunShellScript', 'CommandContent': 'echo "{{a}}" && ls -l /', 'ContentEncoding': 'PlainText',
                   'InstanceId': ['i-1'], 'Parameters': {'a': 'b'}, 'KeepCommand': False, 'EnableParameter': True,
                   'ClientToken': 'tok', 'Name': 'n'},
    'StopInvocation': {'InvokeId': 't-1', 'InstanceId': ['i-1', 'i-2']},
    'DescribeInvocations': {'CommandId': 'c-1', 'InstanceId': 'i-1', 'IncludeOutput': True, 'MaxResults': 50,
                            'NextToken': 'abc', 'InvokeStatus': 'Running', 'RepeatMode': 'Once', 'CommandName': 'x',
                            'CommandType': 'RunShellScript', 'Tag': [{'Key': 'k', 'Value': 'v'}], 'Timed': False},
    'DescribeInvocationResults': {'InvokeId': 't-1', 'InstanceId': 'i-1', 'MaxResults': 50, 'NextToken': 'n',
                                  'IncludeHistory': True, 'ContentEncoding': 'PlainText'},
    'CreateCommand': {'Name': 'seed', 'Type': 'RunShellScript', 'CommandContent': 'bHMK', 'WorkingDir': '/root',
                      'Timeout': 60, 'Description': 'd', 'EnableParameter': False, 'Launcher': 'l',
                      'Tag': [{'Key': 'k', 'Value': 'v'}]},
    'ModifyCommand': {'CommandId': 'c-1', 'Name': 'n', 'Description': 'new', 'CommandContent': 'bHMK', 'Timeout': 30,
                      'WorkingDir': '/tmp', 'Launcher': 'l'},
    'DeleteCommand': {'CommandId': 'c-1'},
    'DescribeCommands': {'CommandId': 'c-1', 'Name': 'seed*', 'Type': 'RunShellScript', 'MaxResults': 50,
                         'NextToken': 't', 'ContentEncoding': 'PlainText'},
    'DescribeInstances': {'InstanceIds': '["i-1", "i-2"]', 'Status': 'Running', 'InstanceName': 'web-*',
                          'Tag': [{'Key': 'role', 'Value': 'web'}], 'MaxResults': 100, 'NextToken': 'x'},
    'DescribeCloudAssistantStatus': {'InstanceId': ['i-1', 'i-2'], 'MaxResults': 50, 'OSType': 'Linux'},
    'SendFile': {'InstanceId': ['i-1', 'i-2'], 'Name': 'a b.txt', 'TargetDir': '/tmp/x', 'Content': 'line 1\nk=v&x',
                 'ContentType': 'PlainText', 'FileMode': '0600', 'FileOwner': 'root', 'FileGroup': 'root',
                 'Overwrite': True, 'Timeout': 60, 'Description': 'd', 'ClientToken': 'tok',
                 'Tag': [{'Key': 'k', 'Value': 'v'}]},
    'DescribeSendFileResults': {'InvokeId': 'f-1', 'InstanceId': 'i-1', 'Name': 'a', 'InvocationStatus': 'Success',
                                'MaxResults': 50, 'NextToken': 'n', 'Tag': [{'Key': 'k', 'Value': 'v'}]},
}


def snake(action):
    return client_utils._snake(action)


def typed_call(action, params):
    """What the typed client hands to call_api for these parameters."""
    seen = {}
    typed = TypedClient(Config(access_key_id='AK', access_key_secret='SK', region_id='cn-hangzhou',
                               endpoint='127.0.0.1:9', protocol='http'))

    def capture(api, request, runtime):
        seen.update(api=api.to_map(), query=dict(request.query))
        return {'body': {}, 'headers': {}, 'statusCode': 200}

    typed.call_api = capture
    request = getattr(models, action + 'Request')().from_map(dict(params, RegionId='cn-hangzhou'))
    getattr(typed, snake(action) + '_with_options')(request, RuntimeOptions())
    return seen


def generic_call(action, params):
    seen = {}
    source = dict(type='access_key', access_key_id='AK', access_key_secret='SK')
    ours = EcsClient('cn-hangzhou', source, endpoint='127.0.0.1:9', protocol='http', retry_policy=RetryPolicy())

    def capture(api, request, runtime):
        seen.update(api=api.to_map(), query=dict(request.query))
        return {'body': {}, 'headers': {}, 'statusCode': 200}

    ours._sdk.call_api = capture
    ours.call(action, params)
    return seen


@pytest.mark.parametrize('action', sorted(CASES))
def test_same_request_as_the_typed_client(action):
    typed = typed_call(action, CASES[action])
    ours = generic_call(action, CASES[action])
    assert ours['query'] == typed['query']
    assert ours['api'] == typed['api']


def test_every_action_the_collection_uses_is_compared():
    assert set(CASES) == set(client_utils.ACTION_SAFETY)


@pytest.mark.parametrize('region', ['cn-hangzhou', 'cn-shanghai', 'cn-beijing', 'cn-shenzhen', 'cn-qingdao',
                                    'cn-zhangjiakou', 'cn-huhehaote', 'cn-chengdu', 'cn-hongkong', 'ap-southeast-1',
                                    'ap-southeast-3', 'ap-southeast-5', 'ap-northeast-1', 'ap-northeast-2',
                                    'us-west-1', 'us-east-1', 'eu-central-1', 'eu-west-1', 'me-east-1'])
def test_default_endpoint_matches_the_sdk(region):
    typed = TypedClient(Config(access_key_id='AK', access_key_secret='SK', region_id=region))
    assert default_endpoint(region) == typed._endpoint
