# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the collection asks about instances: their Cloud Assistant agent status."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

# DescribeCloudAssistantStatus takes at most 50 instance ids per request.
IDS_PER_REQUEST = 50


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
            statuses[item.get('InstanceId')] = dict(online=online, version=item.get('ClientVersion') or None)
    return statuses
