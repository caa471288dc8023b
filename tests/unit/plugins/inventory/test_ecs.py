# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The inventory plugin's pieces without a network: shared options, filters, hostvars, listing logic."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest
import yaml
from ansible.errors import AnsibleParserError

from ansible_collections.alicloud.ecs.plugins.doc_fragments.alicloud import ModuleDocFragment
from ansible_collections.alicloud.ecs.plugins.inventory import ecs
from ansible_collections.alicloud.ecs.plugins.module_utils.client import snake_dict
from ansible_collections.alicloud.ecs.plugins.module_utils.connection import (
    ConnectionOptionsError,
    alicloud_argument_spec,
)
from ansible_collections.alicloud.ecs.plugins.module_utils.instances import LISTING_FILTERS
from ansible_collections.alicloud.ecs.plugins.plugin_utils.connection import ConnectionSettings, OPTION_NAMES


def test_plugin_fragment_env_entries_are_the_modules_fallbacks_reversed():
    modules = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)['options']
    plugins = yaml.safe_load(ModuleDocFragment.PLUGIN)['options']
    spec = alicloud_argument_spec()
    assert set(modules) == set(spec) == set(OPTION_NAMES)
    # The plugin fragment adds env entries only (the text is the modules' fragment), for every option with a fallback.
    assert set(plugins) == set(name for name, option in spec.items() if option.get('fallback'))
    for name, entries in plugins.items():
        assert set(entries) == {'env'}
        # The config manager takes the last variable set, env_fallback the first: reversed, they agree.
        assert [entry['name'] for entry in entries['env']] == list(reversed(spec[name]['fallback'][1]))
    assert 'env' not in modules['access_key']


def test_filter_keys_are_the_listing_filters():
    assert sorted(ecs.FILTER_TYPES) == sorted(LISTING_FILTERS)


@pytest.mark.parametrize('filters, message', [
    ({'colour': 'red'}, "unknown filter 'colour'; the filters are instance_ids, instance_name"),
    ({'tags': 'env=prod'}, 'the filter tags takes a dict'),
    ({'instance_ids': 'i-1'}, 'the filter instance_ids takes a list'),
    ({'instance_ids': ['i-1', 2]}, 'takes a list of strings'),
    ({'zone_id': ['a']}, 'the filter zone_id takes a string'),
    (['status'], 'must be a dict of filters'),
])
def test_bad_filters_are_named(filters, message):
    with pytest.raises(AnsibleParserError) as caught:
        ecs.check_filters(filters, 'filters')
    assert message in str(caught.value)


def test_good_filters_pass():
    ecs.check_filters(dict(status='Running', instance_ids=['i-1'], tags={'env': 'prod'}, vpc_id='vpc-1'), 'filters')


# One instance as the API reference shows DescribeInstances answering it (VPC, public IP, EIP, a lock).
API_INSTANCE = {
    'InstanceId': 'i-bp1', 'InstanceName': 'web-01', 'HostName': 'iZbp1Z', 'Status': 'Running',
    'RegionId': 'cn-hangzhou', 'ZoneId': 'cn-hangzhou-h', 'InstanceType': 'ecs.g7.large', 'Cpu': 2, 'Memory': 8192,
    'OSType': 'linux', 'OSName': 'Alibaba Cloud Linux 3', 'ImageId': 'aliyun_3_x64', 'ResourceGroupId': 'rg-1',
    'CreationTime': '2026-01-01T00:00Z', 'ExpiredTime': '2099-12-31T15:59Z',
    'VpcAttributes': {'VpcId': 'vpc-1', 'VSwitchId': 'vsw-1', 'NatIpAddress': '',
                      'PrivateIpAddress': {'IpAddress': ['172.16.0.5', '172.16.0.6']}},
    'PublicIpAddress': {'IpAddress': ['47.1.2.3']},
    'InnerIpAddress': {'IpAddress': []},
    'EipAddress': {'AllocationId': 'eip-1', 'IpAddress': '47.9.9.9', 'InternetChargeType': 'PayByTraffic'},
    'SecurityGroupIds': {'SecurityGroupId': ['sg-1', 'sg-2']},
    'OperationLocks': {'LockReason': [{'LockReason': 'financial'}]},
    'Tags': {'Tag': [{'TagKey': 'env', 'TagValue': 'prod'}, {'TagKey': 'Name', 'TagValue': 'web'}]},
}


def test_hostvars_flatten_the_nested_answer():
    hostvars = ecs.instance_hostvars(snake_dict(API_INSTANCE))
    assert hostvars['instance_id'] == 'i-bp1' and hostvars['hostname'] == 'iZbp1Z'
    assert hostvars['ecs_tags'] == {'env': 'prod', 'Name': 'web'} and 'tags' not in hostvars
    assert hostvars['vpc_id'] == 'vpc-1' and hostvars['vswitch_id'] == 'vsw-1' and hostvars['nat_ip_address'] is None
    assert hostvars['private_ip_address'] == '172.16.0.5'
    assert hostvars['private_ip_addresses'] == ['172.16.0.5', '172.16.0.6']
    assert hostvars['public_ip_address'] == '47.1.2.3' and hostvars['public_ip_addresses'] == ['47.1.2.3']
    assert hostvars['eip_address'] == '47.9.9.9' and hostvars['eip_allocation_id'] == 'eip-1'
    assert hostvars['security_group_ids'] == ['sg-1', 'sg-2']
    assert hostvars['operation_locks'] == [{'lock_reason': 'financial'}]
    assert hostvars['region_id'] == 'cn-hangzhou' and hostvars['zone_id'] == 'cn-hangzhou-h'
    assert hostvars['cpu'] == 2 and hostvars['resource_group_id'] == 'rg-1'
    assert not {'vpc_attributes', 'inner_ip_address', 'host_name'} & set(hostvars)
    json.dumps(hostvars)  # plain data: it goes to the cache as JSON


def test_hostvars_of_a_classic_instance_without_public_address():
    classic = dict(API_INSTANCE, VpcAttributes={'VpcId': '', 'VSwitchId': '', 'PrivateIpAddress': {'IpAddress': []}},
                   PublicIpAddress={'IpAddress': []}, InnerIpAddress={'IpAddress': ['10.0.0.7']},
                   EipAddress={'AllocationId': '', 'IpAddress': ''}, Tags={'Tag': []})
    hostvars = ecs.instance_hostvars(snake_dict(classic))
    assert hostvars['private_ip_address'] == '10.0.0.7' and hostvars['vpc_id'] is None
    assert hostvars['public_ip_address'] is None and hostvars['eip_address'] is None
    assert hostvars['ecs_tags'] == {}


class FakeClient(object):
    """Answers DescribeInstances and DescribeCloudAssistantStatus from a list of instances, as the API filters them."""

    def __init__(self, instances):
        self.instances = instances
        self.requests = []

    def paginate(self, action, params=None):
        self.requests.append((action, dict(params or {})))
        if action == 'DescribeInstances':
            ids = json.loads(params['InstanceIds']) if 'InstanceIds' in params else None
            for item in self.instances:
                if params.get('Status') not in (None, item['Status']):
                    continue
                if ids is not None and item['InstanceId'] not in ids:
                    continue
                yield item
        else:
            for instance_id in params['InstanceId']:
                yield {'InstanceId': instance_id, 'CloudAssistantStatus': 'true', 'CloudAssistantVersion': '2.2'}


def fleet(count):
    return [dict(API_INSTANCE, InstanceId='i-%03d' % n, Status='Running' if n % 3 else 'Stopped') for n in range(count)]


def test_listing_is_the_union_of_includes_minus_the_excludes():
    client = FakeClient(fleet(9))
    found = ecs.list_region(client, [{'status': 'Stopped'}, {'instance_ids': ['i-001', 'i-003', 'i-004']}],
                            [{'instance_ids': ['i-004', 'i-006']}], False)
    # Stopped: 0, 3, 6; ids 1, 3, 4; excluded 4 and 6 (exclusion wins); 3 only once.
    assert [item['instance_id'] for item in found] == ['i-000', 'i-003', 'i-001']
    assert [action for action, params in client.requests] == ['DescribeInstances'] * 3
    assert client.requests[0][1] == {'InstanceIds': '["i-004", "i-006"]'}
    assert 'cloud_assistant_online' not in found[0]


def test_agent_status_is_one_call_per_50_listed_hosts():
    client = FakeClient(fleet(120))
    found = ecs.list_region(client, [{}], [], True)
    assert len(found) == 120 and all(item['cloud_assistant_online'] is True for item in found)
    assert found[0]['cloud_assistant_version'] == '2.2'
    status_calls = [params for action, params in client.requests if action == 'DescribeCloudAssistantStatus']
    assert [len(params['InstanceId']) for params in status_calls] == [50, 50, 20]


def test_connection_settings_treat_empty_awx_fields_as_unset_and_keep_secrets_out_of_the_identity():
    class Plugin(object):
        options = dict(access_key='AKID', secret_key='SECRET', security_token='', region='', endpoint='http://127.0.0.1:9')

        def get_option(self, name):
            return self.options.get(name)

    settings = ConnectionSettings.from_plugin(Plugin())
    assert settings.region is None and settings.credential_source['type'] == 'access_key'
    assert (settings.protocol, settings.endpoint) == ('http', '127.0.0.1:9')
    identity = json.dumps(settings.identity())
    assert 'AKID' in identity and 'SECRET' not in identity


def test_connection_settings_refuse_contradictions():
    with pytest.raises(ConnectionOptionsError, match='choose one credential source'):
        ConnectionSettings(dict(access_key='a', secret_key='b', profile='p'))
    with pytest.raises(ConnectionOptionsError, match='invalid port'):
        ConnectionSettings(dict(endpoint='127.0.0.1:notaport'))


def test_region_failure_names_region_code_and_request_id():
    from ansible_collections.alicloud.ecs.plugins.module_utils.client import ApiError
    error = ApiError('DescribeInstances', 'InvalidRegionId.NotFound', 'no such region', request_id='REQ-9')
    assert ecs.describe_failure('xx-1', error) == (
        'region xx-1: DescribeInstances failed: InvalidRegionId.NotFound: no such region (request id REQ-9)')
