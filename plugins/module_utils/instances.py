# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the collection asks about instances: which there are, and their Cloud Assistant agent status."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

from ansible_collections.alicloud.ecs.plugins.module_utils.client import snake_dict, tag_params

# DescribeCloudAssistantStatus takes at most 50 instance ids per request, DescribeInstances 100.
IDS_PER_REQUEST = 50
IDS_PER_LISTING = 100


def list_instances(client, filters, with_agent_status=False):
    """The instances matching ``filters`` (ecs_instance_info's option names), as snake_case dicts, across pages.

    With ``with_agent_status``, each also gets ``cloud_assistant_online`` and ``cloud_assistant_version``.
    """
    params = {}
    if filters.get('status'):
        params['Status'] = filters['status']
    if filters.get('instance_name'):
        params['InstanceName'] = filters['instance_name']
    if filters.get('tags'):
        params['Tag'] = tag_params(filters['tags'])
    if filters.get('instance_ids') is None:
        found = list(client.paginate('DescribeInstances', params))
    else:
        ids = sorted(set(filters['instance_ids']))
        found = []
        for start in range(0, len(ids), IDS_PER_LISTING):
            chunk = dict(params, InstanceIds=json.dumps(ids[start:start + IDS_PER_LISTING]))
            found.extend(client.paginate('DescribeInstances', chunk))
    instances = [snake_dict(item) for item in found]
    if with_agent_status and instances:
        statuses = agent_status(client, [item['instance_id'] for item in instances])
        for item in instances:
            status = statuses.get(item['instance_id'], {})
            item['cloud_assistant_online'] = status.get('online', False)
            item['cloud_assistant_version'] = status.get('version')
    return instances


def agent_status(client, instance_ids):
    """Return ``{instance_id: {'online': bool, 'version': str or None}}`` for the instances the API knows.

    An id missing from the answer is an instance the API does not know.
    """
    ids = sorted(set(instance_ids))
    statuses = {}
    for start in range(0, len(ids), IDS_PER_REQUEST):
        params = {'InstanceId': ids[start:start + IDS_PER_REQUEST]}
        for item in client.paginate('DescribeCloudAssistantStatus', params):
            # The API answers the status as the string "true" or "false".
            online = str(item.get('CloudAssistantStatus', '')).lower() == 'true'
            statuses[item.get('InstanceId')] = dict(online=online, version=item.get('CloudAssistantVersion') or None)
    return statuses
