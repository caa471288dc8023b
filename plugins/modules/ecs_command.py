#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: ecs_command
short_description: Create, change or delete a Cloud Assistant command
version_added: 0.1.0
description:
  - Makes sure a Cloud Assistant command of the given O(name) exists with the given content and attributes, or that none does.
  - The name identifies the command. A task whose options match the existing command changes nothing and makes one API call.
  - A different O(command_content), O(description), O(timeout), O(working_dir) or O(launcher) is changed in place with
    C(ModifyCommand); the command keeps its ID.
  - A different O(type), O(enable_parameter) or O(tags) cannot be changed in place, so the command is replaced
    (a new one is created first, then the old one is deleted) and gets a new ID.
  - Options that are not set are not compared; a new command gets the API's defaults for them, a replacement keeps the old
    command's values.
  - A name that matches more than one command fails the task with the IDs of all of them.
  - The Ansible counterpart of Terraform's C(alicloud_ecs_command) resource. Run the command with M(alicloud.ecs.ecs_invocation).
author:
  - alicloud.ecs maintainers (@alicloud-ecs)
options:
  state:
    description:
      - V(present) makes sure the command exists as described; V(absent) deletes every command of that name.
    type: str
    choices: [present, absent]
    default: present
  name:
    description:
      - The command's name, at most 128 characters. It identifies the command, so it must be unique in the region.
      - Matched exactly; a C(*) in the name is an ordinary character here.
    type: str
    required: true
  command_content:
    description:
      - The script. Plain text unless O(content_encoding=Base64).
      - Required with O(state=present). At most 24 KB once Base64-encoded; larger content fails the task before any API call.
      - With O(enable_parameter=true), C({{name}}) placeholders are filled from the invocation's parameters. In a playbook,
        mark such content C(!unsafe) so that Ansible does not template it.
    type: str
  content_encoding:
    description:
      - How O(command_content) is given. V(PlainText) is the script as it is (the module encodes it);
        V(Base64) is already encoded, as in Terraform's C(command_content = "bHMK").
      - Invalid Base64 fails the task before any API call. Whitespace in Base64 content is ignored.
    type: str
    choices: [PlainText, Base64]
    default: PlainText
  type:
    description:
      - The kind of script. V(RunShellScript) runs on Linux, V(RunBatScript) and V(RunPowerShellScript) on Windows.
      - A change replaces the command.
    type: str
    choices: [RunShellScript, RunBatScript, RunPowerShellScript]
    default: RunShellScript
  description:
    description:
      - The command's description, at most 512 characters. Changed in place.
    type: str
  working_dir:
    description:
      - The directory the command runs in (the API's default is V(/root) on Linux). Changed in place.
    type: str
  timeout:
    description:
      - How long, in seconds, the command may run on an instance before it is stopped (10 to 86400; the API's default is 60).
      - Changed in place.
    type: int
  enable_parameter:
    description:
      - Whether the content has C({{name}}) parameters that invocations fill in (the API's default is V(false)).
      - A change replaces the command.
    type: bool
  launcher:
    description:
      - The launcher of the script, for example V(python3 {{ACS::ScriptFileName|Ext(.py)}}). Changed in place.
    type: str
  tags:
    description:
      - The command's tags. V({}) means no tags; unset means the tags are not compared.
      - A change replaces the command.
    type: dict
extends_documentation_fragment:
  - alicloud.ecs.alicloud
attributes:
  check_mode:
    support: full
    description: Makes no CreateCommand, ModifyCommand or DeleteCommand call and reports whether one would be made.
  diff_mode:
    support: full
    description: Shows the command's attributes (with decoded content) before and after.
notes:
  - CreateCommand carries no idempotency token, so a CreateCommand whose answer was lost is not sent again; the command it may
    have created is found by name on the next run.
  - A replacement creates the new command before deleting the old one. If the deletion fails, the task fails naming both IDs,
    and the next run reports the name as ambiguous until one of them is deleted.
seealso:
  - module: alicloud.ecs.ecs_command_info
  - module: alicloud.ecs.ecs_invocation
'''

EXAMPLES = r'''
- name: A shell command that lists /root
  alicloud.ecs.ecs_command:
    region: cn-hangzhou
    name: list-root
    command_content: ls -l
    working_dir: /root
    description: List the files of /root
  register: command

- name: Run it on an instance
  alicloud.ecs.ecs_invocation:
    region: cn-hangzhou
    command_id: "{{ command.command_id }}"
    instance_ids: [i-bp1abc****]

# From Terraform's alicloud_ecs_command:
#   resource "alicloud_ecs_command" "default" {
#     name            = "tf-testAcc"
#     command_content = "bHMK"
#     description     = "For Terraform Test"
#     type            = "RunShellScript"
#     working_dir     = "/root"
#   }
- name: The same command as an Ansible task, with the content already in Base64
  alicloud.ecs.ecs_command:
    region: cn-hangzhou
    name: tf-testAcc
    command_content: bHMK
    content_encoding: Base64
    description: For Terraform Test
    type: RunShellScript
    working_dir: /root

- name: A command with parameters (!unsafe keeps Ansible from templating the placeholders)
  alicloud.ecs.ecs_command:
    region: cn-hangzhou
    name: deploy
    command_content: !unsafe |
      #!/bin/bash
      echo "deploying version {{version}}"
    enable_parameter: true
    timeout: 600

- name: A PowerShell command from a file
  alicloud.ecs.ecs_command:
    region: cn-hangzhou
    name: windows-inventory
    type: RunPowerShellScript
    command_content: "{{ lookup('ansible.builtin.file', 'inventory.ps1') }}"

- name: Delete a command
  alicloud.ecs.ecs_command:
    region: cn-hangzhou
    name: list-root
    state: absent
'''

RETURN = r'''
command_id:
  description:
    - The command ID.
    - V(null) with O(state=absent), and in check mode when a command would be created or replaced.
  returned: always
  type: str
  sample: c-hz01272yr52****
command:
  description:
    - The command as the API describes it, with its content decoded. Empty with O(state=absent).
    - In check mode, the command as it would be.
  returned: always
  type: dict
  contains:
    command_id:
      description: The command ID.
      type: str
      sample: c-hz01272yr52****
    name:
      description: The command name.
      type: str
      sample: list-root
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
      sample: /root
    timeout:
      description: The timeout on each instance, in seconds.
      type: int
      sample: 60
    enable_parameter:
      description: Whether the content has parameters.
      type: bool
      sample: false
    parameter_names:
      description: The names of the content's parameters, when O(enable_parameter=true).
      type: list
      elements: str
      sample: [version]
    launcher:
      description: The launcher of the script.
      type: str
    tags:
      description: The command's tags.
      type: dict
      sample: {"team": "ops"}
    creation_time:
      description: When the command was created (UTC).
      type: str
      sample: "2026-12-01T10:00:00Z"
    invoke_times:
      description: How many times the command has been invoked.
      type: int
      sample: 3
deleted:
  description: The IDs of the commands that were deleted (or would be, in check mode), including a replaced one.
  returned: always
  type: list
  elements: str
  sample: [c-hz01272yr52****]
error:
  description: The API error that failed the task.
  returned: when an API call failed
  type: dict
  contains:
    code:
      description: The error code, such as V(CmdContent.ExceedLimit).
      type: str
    message:
      description: The service's message.
      type: str
    request_id:
      description: The request ID, for support.
      type: str
    http_status:
      description: The HTTP status of the answer.
      type: int
    recommend:
      description: The service's diagnosis link.
      type: str
'''

from ansible_collections.alicloud.ecs.plugins.module_utils.client import ApiError
from ansible_collections.alicloud.ecs.plugins.module_utils.commands import (
    COMMAND_TYPES,
    CONTENT_ENCODINGS,
    CommandError,
    desired_state,
    ensure_absent,
    ensure_present,
)
from ansible_collections.alicloud.ecs.plugins.module_utils.module import AlicloudModule


def main():
    module = AlicloudModule(
        argument_spec=dict(
            state=dict(type='str', choices=['present', 'absent'], default='present'),
            name=dict(type='str', required=True),
            command_content=dict(type='str'),
            content_encoding=dict(type='str', choices=list(CONTENT_ENCODINGS), default='PlainText'),
            type=dict(type='str', choices=list(COMMAND_TYPES), default='RunShellScript'),
            description=dict(type='str'),
            working_dir=dict(type='str'),
            timeout=dict(type='int'),
            enable_parameter=dict(type='bool'),
            launcher=dict(type='str'),
            tags=dict(type='dict'),
        ),
        supports_check_mode=True,
    )
    params = module.params
    try:
        desired = desired_state(params)
    except CommandError as error:
        module.fail_json(msg=str(error))

    client = module.client
    try:
        if params['state'] == 'absent':
            outcome = ensure_absent(client, desired['name'], module.check_mode)
        else:
            outcome = ensure_present(client, desired, module.check_mode)
    except CommandError as error:
        command = error.command or {}
        module.fail_json(msg=str(error), changed=error.changed, command_id=command.get('command_id'), command=command)
    except ApiError as error:
        module.fail_api(error)

    command = outcome.command or {}
    result = dict(changed=outcome.changed, command_id=command.get('command_id'), command=command,
                  deleted=outcome.deleted)
    if module._diff:
        result['diff'] = dict(before=outcome.before, after=outcome.after)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
