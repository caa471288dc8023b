# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The pre-flight check before an invocation: can each instance run this command now?

Asks DescribeInstances (does it exist in this region, is it Running, which OS) and
DescribeCloudAssistantStatus (is its agent online) at once, and says, per problem, which
instances, why, and what to do.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.alicloud.ecs.plugins.module_utils.client import run_parallel
from ansible_collections.alicloud.ecs.plugins.module_utils.instances import agent_status, list_instances
from ansible_collections.alicloud.ecs.plugins.module_utils.results import bounded

# The operating systems each command type runs on, and what to use instead.
COMMAND_OS = {
    'RunShellScript': ('linux', 'use RunBatScript or RunPowerShellScript on Windows instances'),
    'RunBatScript': ('windows', 'use RunShellScript on Linux instances'),
    'RunPowerShellScript': ('windows', 'use RunShellScript on Linux instances'),
}


def problems(client, instance_ids, command_type=None, instances=None):
    """What stops ``command_type`` from running on ``instance_ids`` now, as sentences (empty when nothing does).

    ``instances`` are the instance dicts when the caller has just listed them (a target by tags).
    """
    ids = sorted(set(instance_ids))
    if instances is None:
        instances, agents = run_parallel(lambda: list_instances(client, dict(instance_ids=ids)),
                                         lambda: agent_status(client, ids))
    else:
        agents = agent_status(client, ids)
    found = dict((item['instance_id'], item) for item in instances)
    found_ids = [i for i in ids if i in found]
    result = []
    missing = [i for i in ids if i not in found]
    if missing:
        result.append('{0} not found in region {1}: check the instance ids and the region option'.format(
            bounded(missing), client.region))
    not_running = [i for i in found_ids if found[i].get('status') != 'Running']
    if not_running:
        states = bounded('{0} is {1}'.format(i, found[i].get('status')) for i in not_running)
        result.append('{0}: start them, or leave them out of instance_ids'.format(states))
    wanted_os, instead = COMMAND_OS.get(command_type, (None, None))
    if wanted_os:
        wrong = [i for i in found_ids if (found[i].get('os_type') or '').lower() not in ('', wanted_os)]
        if wrong:
            result.append('{0} cannot run on {1}: {2}: {3}'.format(
                command_type, 'Windows' if wanted_os == 'linux' else 'Linux', bounded(wrong), instead))
    offline = [i for i in found_ids if i not in not_running and not agents.get(i, {}).get('online')]
    if offline:
        result.append('Cloud Assistant agent not online on {0}: start or install the agent '
                      '(it counts as online after a heartbeat in the last 2 minutes)'.format(bounded(offline)))
    return result
