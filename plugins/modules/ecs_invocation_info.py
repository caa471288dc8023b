#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: ecs_invocation_info
short_description: Find Cloud Assistant invocations and, optionally, their output
version_added: 0.1.0
description:
  - Lists the Cloud Assistant invocations that match every given filter, newest first, following every page of C(DescribeInvocations).
  - Each invocation has the same shape as the result of M(alicloud.ecs.ecs_invocation).
  - Never changes anything.
author:
  - alicloud.ecs maintainers (@alicloud-ecs)
options:
  invoke_id:
    description: Only this invocation.
    type: str
  command_id:
    description: Only invocations of this command.
    type: str
  command_name:
    description: Only invocations of commands of this name.
    type: str
  command_type:
    description: Only invocations of commands of this type.
    type: str
    choices: [RunShellScript, RunBatScript, RunPowerShellScript]
  instance_ids:
    description:
      - Only invocations that run on at least one of these instances.
      - The API filters by one instance at a time, so this makes one listing per instance (merged, newest first).
    type: list
    elements: str
    aliases: [instance_id]
  invoke_status:
    description:
      - Only invocations in this overall status.
      - V(Finished) is the API's legacy name for an invocation that has ended.
    type: str
    choices: [Pending, Scheduled, Running, Stopping, Success, Failed, PartialFailed, Stopped, Finished]
  repeat_mode:
    description: Only invocations of this repeat mode.
    type: str
    choices: [Once, Period, NextRebootOnly, EveryReboot]
  tags:
    description: Only invocations that carry all of these tags.
    type: dict
  include_output:
    description:
      - Return each instance's output, decoded to text.
      - The API returns output only to a query by O(invoke_id) or O(instance_ids); for other queries the module asks for each
        invocation's output separately, one call per invocation.
    type: bool
    default: false
  max_results:
    description:
      - Return at most this many invocations, the newest first; listing stops as soon as it has them.
      - By default every page is followed.
    type: int
extends_documentation_fragment:
  - alicloud.ecs.alicloud
  - alicloud.ecs.attributes.info_module
seealso:
  - module: alicloud.ecs.ecs_invocation
'''

EXAMPLES = r'''
- name: One invocation with its output
  alicloud.ecs.ecs_invocation_info:
    region: cn-hangzhou
    invoke_id: t-hz0jdfwd9f****
    include_output: true
  register: found

- name: Print each instance's output
  ansible.builtin.debug:
    msg: "{{ item.instance_id }}: {{ item.output }}"
  loop: "{{ found.invocations[0].instances }}"

- name: Failed runs of a command on one instance
  alicloud.ecs.ecs_invocation_info:
    region: cn-hangzhou
    command_id: c-hz01272yr52****
    instance_id: i-bp1abc****
    invoke_status: Failed
'''

RETURN = r'''
invocations:
  description:
    - The matching invocations, newest first; empty when nothing matches.
    - Each has the keys that M(alicloud.ecs.ecs_invocation) returns at the top of its result.
  returned: always
  type: list
  elements: dict
  contains:
    invoke_id:
      description: The invocation ID.
      type: str
      sample: t-hz0jdfwd9f****
    status:
      description: The invocation-level status (C(InvocationStatus)).
      type: str
      sample: Success
    command_id:
      description: The command ID.
      type: str
    command_name:
      description: The command name.
      type: str
    command_type:
      description: The command type.
      type: str
    repeat_mode:
      description: How the command runs.
      type: str
    frequency:
      description: The schedule of a periodic invocation.
      type: str
    timed:
      description: Whether the invocation is periodic (the API's legacy field).
      type: bool
    parameters:
      description: The parameter values.
      type: dict
    username:
      description: The user the command runs as.
      type: str
    working_dir:
      description: The directory the command runs in.
      type: str
    timeout:
      description: The timeout on each instance, in seconds.
      type: int
    container_id:
      description: The container the command runs in.
      type: str
    container_name:
      description: The name of the container the command runs in.
      type: str
    launcher:
      description: The launcher that starts the script, when one was set.
      type: str
    termination_mode:
      description: What a stop kills on the instance (V(Process) or V(ProcessTree)), when set.
      type: str
    oss_output_delivery:
      description: Where each instance's whole output is delivered, when set.
      type: str
    invoke_ids:
      description: This invocation's ID, as a list (the shape M(alicloud.ecs.ecs_invocation) returns).
      type: list
      elements: str
    creation_time:
      description: When the invocation was made (UTC).
      type: str
    tags:
      description: The invocation's tags.
      type: dict
    instance_ids:
      description: The instances, sorted.
      type: list
      elements: str
    instances:
      description:
        - Each instance's part, sorted by instance ID, with the keys C(instance_id), C(invoke_id), C(status), C(exit_code),
          C(output) (empty unless O(include_output=true)), C(dropped), C(error_code), C(error_info), C(start_time),
          C(finish_time), C(stop_time), C(repeats) and C(oss_output), as M(alicloud.ecs.ecs_invocation) returns them.
      type: list
      elements: dict
'''

from ansible_collections.alicloud.ecs.plugins.module_utils.client import ApiError
from ansible_collections.alicloud.ecs.plugins.module_utils.invocations import REPEAT_MODES, list_invocations
from ansible_collections.alicloud.ecs.plugins.module_utils.module import AlicloudModule


def main():
    module = AlicloudModule(
        argument_spec=dict(
            invoke_id=dict(type='str'),
            command_id=dict(type='str'),
            command_name=dict(type='str'),
            command_type=dict(type='str', choices=['RunShellScript', 'RunBatScript', 'RunPowerShellScript']),
            instance_ids=dict(type='list', elements='str', aliases=['instance_id']),
            invoke_status=dict(type='str', choices=['Pending', 'Scheduled', 'Running', 'Stopping', 'Success', 'Failed',
                                                    'PartialFailed', 'Stopped', 'Finished']),
            repeat_mode=dict(type='str', choices=list(REPEAT_MODES)),
            tags=dict(type='dict'),
            include_output=dict(type='bool', default=False),
            max_results=dict(type='int'),
        ),
        supports_check_mode=True,
    )
    if module.params['max_results'] is not None and module.params['max_results'] < 1:
        module.fail_json(msg='max_results must be at least 1')
    client = module.client
    try:
        invocations = list_invocations(client, module.params, include_output=module.params['include_output'],
                                       max_results=module.params['max_results'])
    except ApiError as error:
        module.fail_api(error)
    module.exit_json(changed=False, invocations=invocations)


if __name__ == '__main__':
    main()
