#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: ecs_command_info
short_description: Find Cloud Assistant commands, with their content decoded
version_added: 0.1.0
description:
  - Lists the Cloud Assistant commands of a region that match every given filter, newest first, following every page of
    C(DescribeCommands).
  - Each command has the same shape as RV(alicloud.ecs.ecs_command#module:command) and its content is decoded to text.
  - Never changes anything.
author:
  - alicloud.ecs maintainers (@alicloud-ecs)
options:
  command_id:
    description: Only this command.
    type: str
  name:
    description:
      - Only commands of this name; C(*) is a wildcard, as in V(deploy-*).
    type: str
  type:
    description: Only commands of this type.
    type: str
    choices: [RunShellScript, RunBatScript, RunPowerShellScript]
extends_documentation_fragment:
  - alicloud.ecs.alicloud
  - alicloud.ecs.attributes.info_module
seealso:
  - module: alicloud.ecs.ecs_command
'''

EXAMPLES = r'''
- name: Every shell command whose name starts with deploy-
  alicloud.ecs.ecs_command_info:
    region: cn-hangzhou
    name: deploy-*
    type: RunShellScript
  register: found

- name: Show their names and scripts
  ansible.builtin.debug:
    msg: "{{ item.name }} ({{ item.command_id }}): {{ item.command_content }}"
  loop: "{{ found.commands }}"

- name: One command by ID
  alicloud.ecs.ecs_command_info:
    region: cn-hangzhou
    command_id: c-hz01272yr52****
'''

RETURN = r'''
commands:
  description: The matching commands, newest first; empty when nothing matches.
  returned: always
  type: list
  elements: dict
  contains:
    command_id:
      description: The command ID.
      type: str
      sample: c-hz01272yr52****
    name:
      description: The command name.
      type: str
      sample: deploy-web
    type:
      description: The command type.
      type: str
      sample: RunShellScript
    command_content:
      description: The script, decoded to text.
      type: str
      sample: ls -l
    description:
      description: The description.
      type: str
    working_dir:
      description: The directory the command runs in; empty for the API's default.
      type: str
    timeout:
      description: The timeout on each instance, in seconds.
      type: int
      sample: 60
    enable_parameter:
      description: Whether the content has parameters.
      type: bool
    parameter_names:
      description: The names of the content's parameters.
      type: list
      elements: str
    launcher:
      description: The launcher of the script.
      type: str
    tags:
      description: The command's tags.
      type: dict
    creation_time:
      description: When the command was created (UTC).
      type: str
    invoke_times:
      description: How many times the command has been invoked.
      type: int
'''

from ansible_collections.alicloud.ecs.plugins.module_utils.client import ApiError
from ansible_collections.alicloud.ecs.plugins.module_utils.commands import COMMAND_TYPES, list_commands
from ansible_collections.alicloud.ecs.plugins.module_utils.module import AlicloudModule


def main():
    module = AlicloudModule(
        argument_spec=dict(
            command_id=dict(type='str'),
            name=dict(type='str'),
            type=dict(type='str', choices=list(COMMAND_TYPES)),
        ),
        supports_check_mode=True,
    )
    client = module.client
    try:
        commands = list_commands(client, module.params)
    except ApiError as error:
        module.fail_api(error)
    module.exit_json(changed=False, commands=commands)


if __name__ == '__main__':
    main()
