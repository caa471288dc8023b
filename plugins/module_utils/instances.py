# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the collection asks about instances: which there are, and their Cloud Assistant agent status."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

from ansible_collections.alicloud.ecs.plugins.module_utils.client import run_parallel, snake_dict, tag_params

# DescribeCloudAssistantStatus takes at most 50 instance ids per request, DescribeInstances 100.
IDS_PER_REQUEST = 50
IDS_PER_LISTING = 100


# The DescribeInstances filters that take one string, by their snake_case option names.
STRING_FILTERS = dict(status='Status', instance_name='InstanceName', zone_id='ZoneId', vpc_id='VpcId',
                      vswitch_id='VSwitchId', security_group_id='SecurityGroupId',
                      resource_group_id='ResourceGroupId', instance_type='InstanceType')
LISTING_FILTERS = tuple(sorted(set(STRING_FILTERS) | {'instance_ids', 'tags'}))


def list_instances(client, filters, with_agent_status=False):
    """The instances matching ``filters`` (LISTING_FILTERS names; others are ignored), as snake_case dicts, across pages.

    With ``with_agent_status``, each also gets ``cloud_assistant_online`` and ``cloud_assistant_version``.
    """
    params = dict((api_name, filters[name]) for name, api_name in STRING_FILTERS.items() if filters.get(name))
    if filters.get('tags'):
        params['Tag'] = tag_params(filters['tags'])
    if filters.get('instance_ids') is None:
        found = list(client.paginate('DescribeInstances', params))
    else:
        ids = sorted(set(filters['instance_ids']))
        chunks = [dict(params, InstanceIds=json.dumps(ids[start:start + IDS_PER_LISTING]))
                  for start in range(0, len(ids), IDS_PER_LISTING)]
        found = [item for listed in run_parallel(*[lambda chunk=chunk: list(client.paginate('DescribeInstances', chunk))
                                                   for chunk in chunks]) for item in listed] if chunks else []
    instances = [snake_dict(item) for item in found]
    if with_agent_status:
        add_agent_status(client, instances)
    return instances


def add_agent_status(client, instances):
    """Set ``cloud_assistant_online`` and ``cloud_assistant_version`` on each instance dict (one call per 50)."""
    if not instances:
        return
    statuses = agent_status(client, [item['instance_id'] for item in instances])
    for item in instances:
        status = statuses.get(item['instance_id'], {})
        item['cloud_assistant_online'] = status.get('online', False)
        item['cloud_assistant_version'] = status.get('version')


def agent_status(client, instance_ids):
    """Return ``{instance_id: {'online': bool, 'version': str or None}}`` for the instances the API knows.

    An id missing from the answer is an instance the API does not know.
    """
    ids = sorted(set(instance_ids))
    chunks = [ids[start:start + IDS_PER_REQUEST] for start in range(0, len(ids), IDS_PER_REQUEST)]
    answers = run_parallel(*[lambda chunk=chunk: list(client.paginate('DescribeCloudAssistantStatus', {'InstanceId': chunk}))
                             for chunk in chunks]) if chunks else []
    statuses = {}
    for item in (item for answer in answers for item in answer):
        # The API answers the status as the string "true" or "false".
        online = str(item.get('CloudAssistantStatus', '')).lower() == 'true'
        statuses[item.get('InstanceId')] = dict(online=online, version=item.get('CloudAssistantVersion') or None)
    return statuses


def resolve_targets(client, tags=None, resource_group_id=None):
    """The instances having all ``tags`` (in ``resource_group_id``): ``(running, skipped)``, both sorted by id.

    ``running`` are the instance dicts of the Running ones, the set a task targets; ``skipped``
    are ``{instance_id, status}`` of the others that match. Every page is read, so the set is
    the same whatever its size.
    """
    found = list_instances(client, dict(tags=tags, resource_group_id=resource_group_id))
    found.sort(key=lambda item: item['instance_id'])
    running = [item for item in found if item.get('status') == 'Running']
    skipped = [dict(instance_id=item['instance_id'], status=item.get('status')) for item in found
               if item.get('status') != 'Running']
    return running, skipped
