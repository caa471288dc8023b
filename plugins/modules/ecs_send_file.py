#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: ecs_send_file
short_description: Push a small file to ECS instances through Cloud Assistant (SendFile)
version_added: 0.1.0
description:
  - Writes a file, from O(src) or O(content), into a directory of each instance through Cloud Assistant's C(SendFile),
    with no SSH, then waits for every instance's result (C(DescribeSendFileResults)) and returns them.
  - One C(SendFile) carries at most 24 KiB (32 KB once Base64-encoded); larger content is refused. Copy larger files
    with C(ansible.builtin.copy) over the C(alicloud.ecs.cloud_assistant) connection plugin.
  - The content is visible to anyone who may read the account's C(SendFile) records. For secrets, use
    C(ansible.builtin.copy) over the C(alicloud.ecs.cloud_assistant) connection plugin, which encrypts it.
author:
  - alicloud.ecs maintainers (@alicloud-ecs)
options:
  instance_ids:
    description: The instances to write the file on (at most 50).
    type: list
    elements: str
    required: true
    aliases: [instance_id]
  target_dir:
    description: The absolute directory on each instance; it is made when missing.
    type: str
    required: true
  name:
    description:
      - The file name in O(target_dir).
      - Defaults to the base name of O(src).
    type: str
  src:
    description: A file on the machine where the task runs, sent as it is (any bytes).
    type: path
  content:
    description: The text to write (UTF-8).
    type: str
  mode:
    description: The file mode on the instances, an octal string.
    type: str
    default: '0644'
  owner:
    description: The owner of the file on the instances.
    type: str
    default: root
  group:
    description: The group of the file on the instances.
    type: str
    default: root
  overwrite:
    description:
      - Replace a file of that name.
      - With V(false), an instance that already has the file keeps it and counts as unchanged (C(FileAlreadyExists));
        Cloud Assistant cannot compare contents, so a changed file needs V(true).
    type: bool
    default: false
  description:
    description: A description kept with the delivery.
    type: str
  timeout:
    description: Seconds Cloud Assistant gives each instance to write the file.
    type: int
    default: 60
  wait:
    description: Wait for every instance's result.
    type: bool
    default: true
  wait_timeout:
    description: How long to wait for the results, in seconds.
    type: int
    default: 120
extends_documentation_fragment:
  - alicloud.ecs.alicloud
attributes:
  check_mode:
    support: full
    description: Checks the options and the size, sends nothing, and reports that the file would be sent.
  diff_mode:
    support: none
    description: The instances' current files cannot be read through SendFile.
notes:
  - A retried C(SendFile) carries the same client token, so a lost answer never sends the file twice.
  - The result keys are at the top level, as M(alicloud.ecs.ecs_invocation) returns them.
seealso:
  - module: alicloud.ecs.ecs_invocation
'''

EXAMPLES = r'''
- name: Write a small configuration file on two instances
  alicloud.ecs.ecs_send_file:
    region: cn-hangzhou
    instance_ids: [i-bp1example0000001, i-bp1example0000002]
    target_dir: /etc/myapp
    name: myapp.conf
    content: |
      listen = 8080
    mode: '0640'
    overwrite: true

- name: Send a local file once (left alone where it already exists)
  alicloud.ecs.ecs_send_file:
    region: cn-hangzhou
    instance_ids: [i-bp1example0000001]
    target_dir: /opt/tools
    src: files/check.sh
    mode: '0755'
  register: sent
'''

RETURN = r'''
invoke_id:
  description: The id of the delivery (C(f-...)).
  returned: when sent
  type: str
  sample: f-hz0jdfwd9f****
invocation_status:
  description: The delivery's overall status (V(Success), V(Failed), V(PartialFailed), ...).
  returned: when sent
  type: str
  sample: Success
name:
  description: The file name.
  returned: when sent
  type: str
target_dir:
  description: The directory on the instances.
  returned: when sent
  type: str
file_mode:
  description: The file mode.
  returned: when sent
  type: str
  sample: '0644'
instance_ids:
  description: The instances, sorted.
  returned: when sent
  type: list
  elements: str
instances:
  description: One result per instance, sorted by instance id.
  returned: when sent
  type: list
  elements: dict
  contains:
    instance_id:
      description: The instance.
      type: str
    invocation_status:
      description: V(Success), V(Failed), V(Aborted), V(Pending), ...
      type: str
    error_code:
      description: Why it failed (V(FileAlreadyExists), V(InstanceNotRunning), V(ClientNotRunning), ...), else empty.
      type: str
    error_info:
      description: The service's explanation of RV(instances[].error_code).
      type: str
    unchanged:
      description: The file already existed and O(overwrite) was V(false), so it was left alone.
      type: bool
'''

import os

from ansible.module_utils.common.text.converters import to_bytes

from ansible_collections.alicloud.ecs.plugins.module_utils import files
from ansible_collections.alicloud.ecs.plugins.module_utils.client import ApiError
from ansible_collections.alicloud.ecs.plugins.module_utils.module import AlicloudModule

TOO_LARGE_HINT = ('; copy larger files with ansible.builtin.copy over the alicloud.ecs.cloud_assistant connection '
                  'plugin, which sends them in pieces')


def read_content(module):
    params = module.params
    if params['src'] is not None:
        if not os.path.isfile(params['src']):
            module.fail_json(msg='src {0} is not a file'.format(params['src']))
        with open(params['src'], 'rb') as handle:
            return handle.read()
    return to_bytes(params['content'], errors='surrogate_or_strict')


def main():
    module = AlicloudModule(
        argument_spec=dict(
            instance_ids=dict(type='list', elements='str', required=True, aliases=['instance_id']),
            target_dir=dict(type='str', required=True),
            name=dict(type='str'),
            src=dict(type='path'),
            content=dict(type='str'),
            mode=dict(type='str', default='0644'),
            owner=dict(type='str', default='root'),
            group=dict(type='str', default='root'),
            overwrite=dict(type='bool', default=False),
            description=dict(type='str'),
            timeout=dict(type='int', default=60),
            wait=dict(type='bool', default=True),
            wait_timeout=dict(type='int', default=120),
        ),
        required_one_of=[('src', 'content')],
        mutually_exclusive=[('src', 'content')],
        supports_check_mode=True,
    )
    params = module.params
    name = params['name'] or (os.path.basename(params['src']) if params['src'] else None)
    if not name:
        module.fail_json(msg='name is required with content')
    if not params['target_dir'].startswith('/'):
        module.fail_json(msg='target_dir must be an absolute path, not {0!r}'.format(params['target_dir']))
    instance_ids = sorted(set(params['instance_ids']))
    try:
        request = files.send_file_params(instance_ids, params['target_dir'], name, read_content(module),
                                         mode=params['mode'], owner=params['owner'], group=params['group'],
                                         overwrite=params['overwrite'], timeout=params['timeout'],
                                         description=params['description'])
    except files.ContentTooLarge as exc:
        module.fail_json(msg=str(exc) + TOO_LARGE_HINT)
    except ValueError as exc:
        module.fail_json(msg=str(exc))
    if module.check_mode:
        module.exit_json(changed=True, instance_ids=instance_ids, name=name, target_dir=params['target_dir'])
    client = module.client
    try:
        invoke_id = files.send(client, request)
        if not params['wait']:
            module.exit_json(changed=True, invoke_id=invoke_id, instance_ids=instance_ids, name=name,
                             target_dir=params['target_dir'])
        raw = files.wait(client, [invoke_id], params['wait_timeout'])[0]
    except ApiError as error:
        module.fail_api(error)
    except TimeoutError as exc:
        module.fail_json(msg=str(exc), invoke_id=invoke_id)
    result = files.send_result(raw)
    for item in result['instances']:
        item['unchanged'] = item.get('error_code') == 'FileAlreadyExists' and not params['overwrite']
    failed = [item for item in result['instances'] if item.get('invocation_status') != 'Success' and not item['unchanged']]
    changed = any(item.get('invocation_status') == 'Success' for item in result['instances'])
    if failed:
        module.fail_json(msg='SendFile {0} failed on {1}'.format(invoke_id, '; '.join(
            files.failures(dict(instances=failed)))), changed=changed, **result)
    module.exit_json(changed=changed, **result)


if __name__ == '__main__':
    main()
