#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: ecs_instance_info
short_description: List ECS instances, optionally with their Cloud Assistant agent status
version_added: 0.1.0
description:
  - Lists the ECS instances of a region that match every given filter, following every page of C(DescribeInstances).
  - With O(cloud_assistant_status=true), also asks C(DescribeCloudAssistantStatus) whether each instance's Cloud Assistant agent is online,
    so that a playbook can pick the instances that can run commands.
  - Never changes anything.
author:
  - alicloud.ecs maintainers (@alicloud-ecs)
options:
  instance_ids:
    description:
      - Only these instances.
    type: list
    elements: str
    aliases: [instance_id]
  status:
    description:
      - Only instances in this state.
    type: str
    choices: [Pending, Running, Starting, Stopping, Stopped]
  instance_name:
    description:
      - Only instances with this name; C(*) is a wildcard, as in V(web-*).
    type: str
  tags:
    description:
      - Only instances that carry all of these tags.
    type: dict
  cloud_assistant_status:
    description:
      - Add RV(instances[].cloud_assistant_online) and RV(instances[].cloud_assistant_version) to each instance.
    type: bool
    default: false
extends_documentation_fragment:
  - alicloud.ecs.alicloud
  - alicloud.ecs.attributes.info_module
'''

EXAMPLES = r'''
- name: Find the running instances, as the Terraform example does with data "alicloud_instances"
  alicloud.ecs.ecs_instance_info:
    region: cn-hangzhou
    status: Running
  register: running

- name: Invoke a command on the first running instance
  alicloud.ecs.ecs_invocation:
    region: cn-hangzhou
    command_id: "{{ command_id }}"
    instance_ids:
      - "{{ running.instances[0].instance_id }}"

- name: Web servers whose Cloud Assistant agent is online
  alicloud.ecs.ecs_instance_info:
    region: cn-hangzhou
    tags:
      role: web
    cloud_assistant_status: true
  register: web

- name: Show them
  ansible.builtin.debug:
    msg: "{{ web.instances | selectattr('cloud_assistant_online') | map(attribute='instance_id') | list }}"
'''

RETURN = r'''
instances:
  description: The matching instances, in the order the API lists them; empty when nothing matches.
  returned: always
  type: list
  elements: dict
  contains:
    instance_id:
      description: The instance ID.
      type: str
      sample: i-bp1234567890abcdef
    instance_name:
      description: The instance name.
      type: str
      sample: web-01
    status:
      description: The instance state.
      type: str
      sample: Running
    os_type:
      description: V(linux) or V(windows).
      type: str
      sample: linux
    region_id:
      description: The region.
      type: str
      sample: cn-hangzhou
    zone_id:
      description: The zone.
      type: str
      sample: cn-hangzhou-h
    instance_type:
      description: The instance type.
      type: str
      sample: ecs.g7.large
    tags:
      description: The instance's tags.
      type: dict
      sample: {"env": "prod"}
    cloud_assistant_online:
      description: Whether the Cloud Assistant agent is online.
      returned: when O(cloud_assistant_status=true)
      type: bool
      sample: true
    cloud_assistant_version:
      description: The agent's version, when known.
      returned: when O(cloud_assistant_status=true)
      type: str
      sample: 2.2.3.398
ids:
  description: The IDs of RV(instances), in the same order (as Terraform's C(alicloud_instances) data source gives them).
  returned: always
  type: list
  elements: str
  sample: [i-bp1abc****, i-bp1def****]
'''

from ansible_collections.alicloud.ecs.plugins.module_utils.client import ApiError
from ansible_collections.alicloud.ecs.plugins.module_utils.instances import list_instances
from ansible_collections.alicloud.ecs.plugins.module_utils.module import AlicloudModule


def main():
    module = AlicloudModule(
        argument_spec=dict(
            instance_ids=dict(type='list', elements='str', aliases=['instance_id']),
            status=dict(type='str', choices=['Pending', 'Running', 'Starting', 'Stopping', 'Stopped']),
            instance_name=dict(type='str'),
            tags=dict(type='dict'),
            cloud_assistant_status=dict(type='bool', default=False),
        ),
        supports_check_mode=True,
    )
    params = module.params
    if params['instance_ids'] is not None and not params['instance_ids']:
        module.exit_json(changed=False, instances=[], ids=[])
    try:
        instances = list_instances(module.client, params, with_agent_status=params['cloud_assistant_status'])
    except ApiError as error:
        module.fail_api(error)
    module.exit_json(changed=False, instances=instances, ids=[item['instance_id'] for item in instances])


if __name__ == '__main__':
    main()
