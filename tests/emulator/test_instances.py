# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The fleet: DescribeInstances and DescribeCloudAssistantStatus."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest
from alibabacloud_ecs20140526 import models
from Tea.exceptions import TeaException

from emulator.harness import LINUX_INSTANCES, REGION, STOPPED_INSTANCE, WINDOWS_INSTANCE, Emulator
from emulator.helpers import make_client

ALL = sorted(LINUX_INSTANCES + [WINDOWS_INSTANCE, STOPPED_INSTANCE])


def _instances(client, **kwargs):
    return client.describe_instances(models.DescribeInstancesRequest(region_id=REGION, **kwargs)).body


def test_fleet_and_next_token_paging(client):
    seen, token, pages = [], None, 0
    while True:
        body = _instances(client, max_results=5, next_token=token)
        pages += 1
        seen += [i.instance_id for i in body.instances.instance]
        token = body.next_token
        if not token:
            break
    assert pages == 3
    assert seen == ALL
    body = _instances(client)
    assert (body.total_count, body.page_size, len(body.instances.instance)) == (14, 10, 10)
    body = _instances(client, page_number=2, page_size=10)
    assert [i.instance_id for i in body.instances.instance] == ALL[10:]


def test_instance_fields(client):
    raw = _instances(client, instance_ids=json.dumps([LINUX_INSTANCES[0], WINDOWS_INSTANCE])).to_map()
    instances = dict((i['InstanceId'], i) for i in raw['Instances']['Instance'])
    linux, windows = instances[LINUX_INSTANCES[0]], instances[WINDOWS_INSTANCE]
    assert (linux['Status'], linux['OSType'], linux['RegionId']) == ('Running', 'linux', REGION)
    assert linux['ZoneId'].startswith(REGION)
    assert {'TagKey': 'env', 'TagValue': 'test'} in linux['Tags']['Tag']
    assert {'TagKey': 'role', 'TagValue': 'web'} in linux['Tags']['Tag']
    assert windows['OSType'] == 'windows'
    for field in ('InstanceName', 'OSName', 'InstanceType', 'CreationTime', 'VpcAttributes'):
        assert linux[field]


def test_filters(client):
    assert [i.instance_id for i in _instances(client, status='Stopped').instances.instance] == [STOPPED_INSTANCE]
    web = _instances(client, tag=[models.DescribeInstancesRequestTag(key='role', value='web')])
    assert [i.instance_id for i in web.instances.instance] == LINUX_INSTANCES[:3]
    env = _instances(client, tag=[models.DescribeInstancesRequestTag(key='env', value='test')], max_results=100)
    assert env.total_count == len(LINUX_INSTANCES)
    named = _instances(client, instance_name='emu-win-*')
    assert [i.instance_id for i in named.instances.instance] == [WINDOWS_INSTANCE]
    assert _instances(client, instance_ids=json.dumps(['i-nope'])).total_count == 0
    with pytest.raises(TeaException) as info:
        _instances(client, max_results=101)
    assert info.value.code == 'InvalidParameter.MaxResults'
    with pytest.raises(TeaException) as info:
        _instances(client, instance_ids='not json')
    assert info.value.code == 'InvalidInstanceIds.Malformed'


def test_cloud_assistant_status_strings(client, emulator):
    emulator.set_control({'offline_agents': [LINUX_INSTANCES[5]]})
    ids = [LINUX_INSTANCES[0], LINUX_INSTANCES[5], STOPPED_INSTANCE, WINDOWS_INSTANCE]
    request = models.DescribeCloudAssistantStatusRequest(region_id=REGION, instance_id=ids)
    raw = client.describe_cloud_assistant_status(request).body.to_map()
    rows = dict((r['InstanceId'], r) for r in raw['InstanceCloudAssistantStatusSet']['InstanceCloudAssistantStatus'])
    assert rows[LINUX_INSTANCES[0]]['CloudAssistantStatus'] == 'true'
    assert rows[LINUX_INSTANCES[5]]['CloudAssistantStatus'] == 'false'
    assert rows[STOPPED_INSTANCE]['CloudAssistantStatus'] == 'false'
    assert rows[WINDOWS_INSTANCE]['OSType'] == 'Windows'
    for row in rows.values():
        assert isinstance(row['CloudAssistantStatus'], str)
        assert row['CloudAssistantVersion'] and row['LastHeartbeatTime'].endswith('Z')
    request = models.DescribeCloudAssistantStatusRequest(region_id=REGION, ostype='Windows')
    body = client.describe_cloud_assistant_status(request).body
    assert [s.instance_id for s in body.instance_cloud_assistant_status_set.instance_cloud_assistant_status] == [WINDOWS_INSTANCE]


def test_fleet_size_flag(tmp_path):
    with Emulator(tmp_path, extra_args=['--linux-instances', '3', '--no-exec']) as emu:
        body = _instances(make_client(emu), max_results=100)
        assert [i.instance_id for i in body.instances.instance] == sorted(
            ['i-emu-linux-01', 'i-emu-linux-02', 'i-emu-linux-03', WINDOWS_INSTANCE, STOPPED_INSTANCE])
