#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: ecs_invocation
short_description: Run a Cloud Assistant command on a set of ECS instances and report each instance's result
version_added: 0.1.0
description:
  - Invokes a Cloud Assistant command (C(InvokeCommand)) on a set of ECS instances, waits for it, and returns each
    instance's status, exit code and output.
  - Idempotent on the command ID and the instance B(set) (order and duplicates do not matter). A matching invocation
    with the same attributes (parameters, repeat mode, frequency, username, working directory, timeout, container,
    launcher) that ran the command's B(current) content, type and launcher, and whose instances succeeded or are still
    under way, means the invocation is present, and nothing is invoked.
  - A matching invocation with other attributes, or one that ran an older content of the command (after
    M(alicloud.ecs.ecs_command) changed it in place), is replaced; the old one is stopped first if it is still running or
    scheduled.
  - An invocation that finishes Failed or PartialFailed fails the task, naming each failing instance with its error code,
    error information, exit code and the last lines of its output; the result still carries the invocation. The next run
    invokes the command again on the instances that did not succeed (see O(rerun)).
  - With O(state=absent), stops the matching invocations that are still Pending, Scheduled or Running.
  - The Ansible counterpart of Terraform's C(alicloud_ecs_invocation) resource, with output, exit codes and a wait that fits long commands.
author:
  - alicloud.ecs maintainers (@alicloud-ecs)
options:
  state:
    description:
      - V(present) makes sure the command has run (or is scheduled) on the instances; V(absent) stops active invocations.
    type: str
    choices: [present, absent]
    default: present
  command_id:
    description:
      - The ID of the command to invoke (a public command name works too).
      - Required unless O(invoke_id) is given. In check mode it may be V(null), as M(alicloud.ecs.ecs_command) returns it
        in check mode for a command it would create; the task then reports that it would invoke, and makes no call.
        (ansible-core 2.16 renders that null as an empty string, which counts as null too.)
    type: str
  instance_ids:
    description:
      - The instances to run the command on, as a set (order and duplicates do not matter).
      - Required with O(state=present) unless O(invoke_id), O(instance_tags) or O(resource_group_id) is given.
      - Any number of instances. A set of more than 100 (the API's limit per invocation) runs as several invocations (waves)
        of at most 100, and the whole set stays the key that a rerun matches. See O(concurrency).
      - With O(state=absent) and no O(instance_ids), every active invocation of O(command_id) is stopped, on any instances.
    type: list
    elements: str
    aliases: [instance_id]
  instance_tags:
    description:
      - Choose the instances by tag instead of O(instance_ids) - every instance that has all these tags (key and value),
        in the region, read through C(DescribeInstances) (every page) when the task runs. At most 20 tags.
      - Only V(Running) instances are targeted; the others that match are returned in RV(skipped_instances). A selection
        that matches no Running instance fails, saying what was searched.
      - The resolved set is the key, as with O(instance_ids); when instances join or leave the selection, the set is a new
        one and the command runs on all of it.
      - Unlike the API's own C(ResourceTag), which the service resolves and caps at 100 instances, the module resolves the
        set itself, so that it is known, of any size, and the same on a rerun.
      - Cannot be combined with O(instance_ids); may be combined with O(resource_group_id).
    type: dict
  resource_group_id:
    description:
      - Choose the instances of this resource group (the Running ones), instead of O(instance_ids); with O(instance_tags),
        the instances of the group that have those tags.
    type: str
  concurrency:
    description:
      - How many instances may run the command at once, as a count (V(10)) or a percentage of the set (V(10%), rounded down,
        at least one). The set is cut, in instance-id order, into waves of at most that many instances (and at most 100);
        a wave starts when the instances still running and the wave fit within the limit.
      - Defaults to the whole set at once. Needs O(wait=true) and O(repeat_mode=Once).
    type: raw
  max_failures:
    description:
      - How many instances may fail before no further wave starts, as a count (V(0), V(2)) or a percentage of the set
        (V(5%), rounded down). Once more instances than this have failed, the waves under way finish, no new one starts,
        and the task fails, returning the failed, the succeeded and the never started instances
        (RV(not_started_instances)).
      - Failures within the limit do not fail the task; they are named in a warning, and the next run invokes those
        instances again (O(rerun=failed)).
      - Without it, no limit stops the waves, and any failed instance fails the task. Needs O(wait=true) and
        O(repeat_mode=Once).
    type: raw
  repeat_mode:
    description:
      - How the command runs. V(Once) runs it now; V(Period) on the O(frequency) schedule;
        V(NextRebootOnly) at the next reboot; V(EveryReboot) at every reboot.
      - Defaults to V(Once), or V(Period) when O(timed=true).
    type: str
    choices: [Once, Period, NextRebootOnly, EveryReboot]
  timed:
    description:
      - The older way to ask for a schedule, as in Terraform; V(true) with O(frequency) means O(repeat_mode=Period).
    type: bool
    default: false
  frequency:
    description:
      - The schedule of a V(Period) invocation, for example V(rate(5m\)), V(at(2026-12-24T20:00:00Z\)) or a cron
        expression such as V(0 */20 * * * ?) with an optional time zone.
      - Required when O(repeat_mode=Period) or O(timed=true).
    type: str
  parameters:
    description:
      - Values for the command's C({{name}}) parameters; at most 10, names at most 64 characters.
      - The command must have been created with parameters enabled.
      - The values show in the task's output, in the result and in the service's invocation record; use
        O(secret_parameters) for secrets.
    type: dict
  secret_parameters:
    description:
      - Values for the command's parameters that are secrets. They are merged into O(parameters) (a name may not be in
        both), compared like them for idempotency, and never shown in output, in the result or in the diff.
      - The service still keeps them in its invocation record, readable by anyone allowed to call C(DescribeInvocations).
        To keep a secret out of that record too, store it as an encrypted parameter of OOS (CloudOps Orchestration
        Service) and write C({{oos-secret:NAME}}) in the command's content; Cloud Assistant resolves it on the instance.
    type: dict
  username:
    description:
      - The user the command runs as on the instances (the API's default is root, or System on Windows).
    type: str
  windows_password_name:
    description:
      - The name of the encrypted parameter, in OOS (CloudOps Orchestration Service) parameter store, that holds the password
        of the Windows user given in O(username).
    type: str
  working_dir:
    description:
      - The directory the command runs in; overrides the command's own.
    type: str
  timeout:
    description:
      - How long, in seconds, the command may run on an instance before it is stopped; overrides the command's own.
      - At least 10.
    type: int
  container_id:
    description:
      - Run the command in this container of the instance.
    type: str
  container_name:
    description:
      - Run the command in the container of this name.
    type: str
  launcher:
    description:
      - The launcher that starts the script on the instance (at most 1 KB), overriding the command's own. Compared.
    type: str
  termination_mode:
    description:
      - What a stop or a time-out kills on the instance, V(Process) (the script's process) or V(ProcessTree) (it and
        every process it started). Not compared.
    type: str
    choices: [Process, ProcessTree]
  oss_output_delivery:
    description:
      - Deliver each instance's whole output to OSS, as V(oss://bucket) or V(oss://bucket/prefix), beside the 24 KB the
        service keeps. Not compared.
    type: str
  tags:
    description:
      - Tags to put on a new invocation (at most 18). They are not compared, so a present invocation is not replaced for its
        tags.
      - The collection adds two tags of its own, C(ansible:alicloud.ecs:target) and C(ansible:alicloud.ecs:run), by which it
        finds the reruns of a set.
    type: dict
  invoke_id:
    description:
      - With O(state=present), adopt this invocation instead of matching (like Terraform's import); it is returned as it is,
        and waited for when O(wait=true).
      - With O(state=absent), stop this invocation.
    type: str
  force:
    description:
      - Invoke anew, on the whole set, even when a matching invocation is present.
    type: bool
    default: false
  rerun:
    description:
      - What a run after a Failed, PartialFailed or Stopped one invokes. V(failed) runs the command again only on the instances
        that did not succeed, and the result covers the whole set (the new invocation for those, the earlier one for the
        rest); V(all) runs it again on the whole set.
    type: str
    choices: [failed, all]
    default: failed
  wait:
    description:
      - Wait until a V(Once) invocation has finished, or until a periodic or reboot-triggered one is V(Scheduled).
      - With V(false) the task returns as soon as the invocation exists, with its invoke ID.
    type: bool
    default: true
  wait_timeout:
    description:
      - How long, in seconds, to wait; for a set run in waves, how long each wave may take from its start. Polling starts
        at half a second and backs off to at most ten seconds; while several waves run, one listing call looks at all.
      - Defaults to the invocation's timeout (the command's own unless O(timeout) is set) plus 60 seconds.
      - When it passes, the task fails with a message naming the invoke ID and what each instance was doing.
    type: int
  include_output:
    description:
      - Return each instance's output (decoded text) in RV(instances[].output).
    type: bool
    default: true
  preflight:
    description:
      - Before a new invocation is made (never on a run that changes nothing), ask for the instances' Cloud Assistant agent status
        and fail, naming them, when an instance does not exist or its agent is not online.
      - Set to V(false) to invoke without asking.
    type: bool
    default: true
extends_documentation_fragment:
  - alicloud.ecs.alicloud
attributes:
  check_mode:
    support: full
    description: Makes no InvokeCommand or StopInvocation call and reports whether one would be made.
  diff_mode:
    support: full
    description: Shows the invocation's attributes before and after.
notes:
  - The result keys are at the top level (RV(invoke_id), RV(status), RV(instances)); Ansible itself owns the result key
    C(invocation), so this module does not use it.
  - A retried InvokeCommand carries the same client token, so a lost answer never runs the command twice.
  - A task whose command is already present makes two read calls at once (C(DescribeInvocations) and C(DescribeCommands),
    to compare the command's current content), so it costs one round trip.
  - A warning names the instances whose output the service cut at 24 KB, and how many bytes were lost.
seealso:
  - module: alicloud.ecs.ecs_invocation_info
'''

EXAMPLES = r'''
- name: Run a command on two instances and wait for it
  alicloud.ecs.ecs_invocation:
    region: cn-hangzhou
    command_id: c-hz01272yr52****
    instance_ids:
      - i-bp1abc****
      - i-bp1def****
  register: run

- name: Show what each instance printed
  ansible.builtin.debug:
    msg: "{{ item.instance_id }} exited {{ item.exit_code }}: {{ item.output }}"
  loop: "{{ run.instances }}"

- name: Same options for a whole play, through the action group
  module_defaults:
    group/alicloud.ecs.alicloud:
      region: cn-hangzhou
  block:
    - name: Run with parameters and a longer wait
      alicloud.ecs.ecs_invocation:
        command_id: c-hz01272yr52****
        instance_ids: "{{ web_instance_ids }}"
        parameters:
          version: "1.4.2"
        wait_timeout: 1800

- name: A whole fleet by tag, ten instances at a time, stopping after more than 2% fail
  alicloud.ecs.ecs_invocation:
    region: cn-hangzhou
    command_id: c-hz01272yr52****
    instance_tags:
      env: prod
      tier: web
    concurrency: 10
    max_failures: 2%
  register: rollout

- name: One line per group of identical answers, however many instances
  ansible.builtin.debug:
    msg: "{{ item.instance_ids | length }} x {{ item.status }} (exit {{ item.exit_code }}): {{ item.output | trim }}"
  loop: "{{ rollout.output_groups }}"

- name: Every instance of a resource group (the Stopped ones are listed in skipped_instances)
  alicloud.ecs.ecs_invocation:
    region: cn-hangzhou
    command_id: c-hz01272yr52****
    resource_group_id: rg-acfmzw2jz2z****
    include_output: false

- name: Every five minutes, until stopped
  alicloud.ecs.ecs_invocation:
    region: cn-hangzhou
    command_id: c-hz01272yr52****
    instance_ids: [i-bp1abc****]
    repeat_mode: Period
    frequency: rate(5m)

- name: Stop the schedule
  alicloud.ecs.ecs_invocation:
    region: cn-hangzhou
    command_id: c-hz01272yr52****
    instance_ids: [i-bp1abc****]
    state: absent

- name: Stop every active invocation of a command, on any instances
  alicloud.ecs.ecs_invocation:
    region: cn-hangzhou
    command_id: c-hz01272yr52****
    state: absent

- name: Pass a secret to the script without showing it in Ansible's output or the result
  alicloud.ecs.ecs_invocation:
    region: cn-hangzhou
    command_id: c-hz01272yr52****
    instance_ids: [i-bp1abc****]
    parameters:
      user: deploy
    secret_parameters:
      token: "{{ vault_deploy_token }}"

# Better still, keep the secret out of the invocation record: store it as an OOS encrypted
# parameter named deploy-token and write {{oos-secret:deploy-token}} in the command content.

# From Terraform's alicloud_ecs_invocation:
#   resource "alicloud_ecs_invocation" "default" {
#     command_id  = alicloud_ecs_command.default.id
#     instance_id = [data.alicloud_instances.default.ids.0]
#   }
- name: The same invocation as an Ansible task
  alicloud.ecs.ecs_invocation:
    region: cn-hangzhou
    command_id: "{{ command.command_id }}"
    instance_id:
      - "{{ running.instances[0].instance_id }}"

# Ad-hoc:
#   ansible localhost -m alicloud.ecs.ecs_invocation -a 'command_id=c-x instance_ids=i-1,i-2 region=cn-hangzhou'
'''

RETURN = r'''
invoke_id:
  description:
    - The invocation ID (the newest one when RV(invoke_ids) has several). V(null) in check mode when an invocation would be
      made.
  returned: when an invocation exists or would be made
  type: str
  sample: t-hz0jdfwd9f****
invoke_ids:
  description:
    - Every invocation the result covers, newest first; several after a rerun of the instances that failed earlier
      (O(rerun=failed)).
  returned: when an invocation exists
  type: list
  elements: str
  sample: [t-hz0jdfwd9f****]
status:
  description:
    - The invocation-level status (C(InvocationStatus)), rolled up from the instances' statuses (over every invocation of
      RV(invoke_ids)).
    - One of V(Pending), V(Scheduled), V(Running), V(Stopping), V(Success), V(PartialFailed), V(Failed) or V(Stopped).
  returned: when an invocation exists
  type: str
  sample: Success
command_id:
  description: The command ID.
  returned: when an invocation exists or would be made
  type: str
  sample: c-hz01272yr52****
command_name:
  description: The command name.
  returned: when an invocation exists
  type: str
  sample: ls
command_type:
  description: The command type.
  returned: when an invocation exists
  type: str
  sample: RunShellScript
repeat_mode:
  description: How the command runs.
  returned: when an invocation exists or would be made
  type: str
  sample: Once
frequency:
  description: The schedule of a periodic invocation.
  returned: when an invocation exists or would be made
  type: str
  sample: rate(5m)
timed:
  description: Whether the invocation is periodic (the API's legacy field).
  returned: when an invocation exists
  type: bool
  sample: false
parameters:
  description: The parameter values of the invocation, without those of O(secret_parameters).
  returned: when an invocation exists or would be made
  type: dict
  sample: {"version": "1.4.2"}
username:
  description: The user the command runs as.
  returned: when an invocation exists or would be made
  type: str
  sample: root
working_dir:
  description: The directory the command runs in.
  returned: when an invocation exists or would be made
  type: str
  sample: /root
timeout:
  description: The timeout of the command on each instance, in seconds.
  returned: when an invocation exists or would be made
  type: int
  sample: 60
container_id:
  description: The container the command runs in.
  returned: when an invocation exists or would be made
  type: str
container_name:
  description: The name of the container the command runs in.
  returned: when an invocation exists or would be made
  type: str
launcher:
  description: The launcher of the script.
  returned: when an invocation exists or would be made
  type: str
termination_mode:
  description: What a stop kills on the instance.
  returned: when an invocation exists
  type: str
creation_time:
  description: When the invocation was made (UTC).
  returned: when an invocation exists
  type: str
  sample: "2026-12-01T10:00:00Z"
oss_output_delivery:
  description: Where the invocation delivers each instance's whole output (O(oss_output_delivery)).
  returned: when an invocation exists
  type: str
  sample: oss://my-bucket/ansible
tags:
  description: The invocation's tags.
  returned: when an invocation exists
  type: dict
instance_ids:
  description: The instances of the invocation, sorted.
  returned: when an invocation exists or would be made
  type: list
  elements: str
  sample: [i-bp1abc****, i-bp1def****]
instances:
  description: Each instance's part of the invocation, sorted by instance ID.
  returned: when an invocation exists
  type: list
  elements: dict
  contains:
    instance_id:
      description: The instance ID.
      type: str
    invoke_id:
      description: The invocation this instance's record belongs to.
      type: str
    status:
      description:
        - The instance-level status, for example V(Pending), V(Running), V(Success), V(Failed) (non-zero exit code),
          V(Timeout), V(Invalid), V(Stopped) or V(Scheduled).
      type: str
    exit_code:
      description: The command's exit code on the instance, once it has one.
      type: int
    output:
      description:
        - What the command printed, decoded to text; empty with O(include_output=false).
        - The service keeps at most 24 KB; RV(instances[].dropped) says how many bytes were cut.
      type: str
    dropped:
      description: How many bytes of output the service cut.
      type: int
    error_code:
      description: Why the command failed on the instance, for example V(ExitCodeNonzero), V(InstanceNotRunning) or V(ExecutionTimeout).
      type: str
    error_info:
      description: The service's explanation of RV(instances[].error_code).
      type: str
    start_time:
      description: When the command started on the instance.
      type: str
    finish_time:
      description: When the command finished on the instance.
      type: str
    stop_time:
      description: When the command was stopped on the instance.
      type: str
    repeats:
      description: How many times the command has run on the instance.
      type: int
    oss_output:
      description:
        - Where the instance's whole output went with O(oss_output_delivery), as the API reports it; V(null) otherwise.
        - Keys C(status), C(uri), C(error_code), C(error_info) (C(OssOutputStatus), C(OssOutputUri), ...).
      type: dict
summary:
  description:
    - Counts that read at any size - C(total) (instances in RV(instances)), C(status) (instances by status),
      C(exit_code) (the instances that ran, by exit code, as text), C(not_started) and C(skipped) (the lengths of
      RV(not_started_instances) and RV(skipped_instances)).
  returned: when O(state=present) and an invocation exists
  type: dict
  sample: {total: 250, status: {Success: 248, Failed: 2}, exit_code: {'0': 248, '1': 2}, not_started: 0, skipped: 3}
output_groups:
  description:
    - The instances grouped by identical status, exit code and output, largest group first (as C(clush -b) folds identical
      output), so that 1,000 identical answers read as one.
  returned: when O(state=present) and an invocation exists
  type: list
  elements: dict
  contains:
    instance_ids:
      description: The instances of the group, sorted.
      type: list
      elements: str
    status:
      description: Their instance-level status.
      type: str
    exit_code:
      description: Their exit code.
      type: int
    output:
      description: What each of them printed (empty with O(include_output=false)).
      type: str
  sample: [{instance_ids: [i-bp1abc****, i-bp1abd****], status: Success, exit_code: 0, output: "ok\n"}]
skipped_instances:
  description:
    - The instances that O(instance_tags) or O(resource_group_id) matched but that are not V(Running), with their status;
      they were not targeted. Empty with O(instance_ids).
  returned: when O(state=present)
  type: list
  elements: dict
  sample: [{instance_id: i-bp1abe****, status: Stopped}]
not_started_instances:
  description:
    - The instances of the set on which no wave was started, because more instances failed than O(max_failures) allows.
  returned: when O(state=present)
  type: list
  elements: str
  sample: []
stopped:
  description: The invocations that were stopped (or would be, in check mode).
  returned: when O(state=absent)
  type: list
  elements: str
error:
  description: The API error that failed the task.
  returned: when an API call failed
  type: dict
  contains:
    code:
      description: The error code, such as V(InvalidCmdId.NotFound).
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
from ansible_collections.alicloud.ecs.plugins.module_utils.invocations import (
    REPEAT_MODES,
    RERUN_CHOICES,
    TERMINATION_MODES,
    InvocationError,
    desired_state,
    ensure_absent,
    ensure_present,
)
from ansible_collections.alicloud.ecs.plugins.module_utils.module import AlicloudModule


def main():
    module = AlicloudModule(
        argument_spec=dict(
            state=dict(type='str', choices=['present', 'absent'], default='present'),
            command_id=dict(type='str'),
            instance_ids=dict(type='list', elements='str', aliases=['instance_id']),
            instance_tags=dict(type='dict'),
            resource_group_id=dict(type='str'),
            concurrency=dict(type='raw'),
            max_failures=dict(type='raw'),
            repeat_mode=dict(type='str', choices=list(REPEAT_MODES)),
            timed=dict(type='bool', default=False),
            frequency=dict(type='str'),
            parameters=dict(type='dict'),
            secret_parameters=dict(type='dict', no_log=True),
            username=dict(type='str'),
            windows_password_name=dict(type='str', no_log=False),
            working_dir=dict(type='str'),
            timeout=dict(type='int'),
            container_id=dict(type='str'),
            container_name=dict(type='str'),
            launcher=dict(type='str'),
            termination_mode=dict(type='str', choices=list(TERMINATION_MODES)),
            oss_output_delivery=dict(type='str'),
            tags=dict(type='dict'),
            invoke_id=dict(type='str'),
            force=dict(type='bool', default=False),
            rerun=dict(type='str', choices=list(RERUN_CHOICES), default='failed'),
            wait=dict(type='bool', default=True),
            wait_timeout=dict(type='int'),
            include_output=dict(type='bool', default=True),
            preflight=dict(type='bool', default=True),
        ),
        supports_check_mode=True,
    )
    params = module.params
    if params['command_id'] == '':
        # ansible-core 2.16 renders a null (ecs_command's check-mode command_id) as ''.
        params['command_id'] = None
    if not params['invoke_id']:
        if params['state'] == 'absent':
            required = ('command_id',)
        elif module.check_mode:
            # In check mode a null command_id is a command that ecs_command would create: it would be invoked.
            required = ('instance_ids',)
        else:
            required = ('command_id', 'instance_ids')
        chosen = params['instance_tags'] is not None or params['resource_group_id']
        missing = [name for name in required if params[name] is None and not (name == 'instance_ids' and chosen)]
        if missing:
            module.fail_json(msg='{0} required unless invoke_id is given{1}'.format(
                ' and '.join(missing) + (' are' if len(missing) > 1 else ' is'),
                ' (instance_tags or resource_group_id may choose the instances instead)'
                if 'instance_ids' in missing else ''))
    if params['wait_timeout'] is not None and params['wait_timeout'] < 1:
        module.fail_json(msg='wait_timeout must be at least 1 second')
    try:
        desired = desired_state(params)
    except InvocationError as error:
        module.fail_json(msg=str(error))

    client = module.client
    try:
        if params['state'] == 'absent':
            outcome = ensure_absent(client, desired, params['invoke_id'], module.check_mode)
        else:
            outcome = ensure_present(client, desired, params, module.check_mode)
    except InvocationError as error:
        extra = dict(error=error.error) if error.error else {}
        module.fail_json(msg=str(error), changed=error.changed, **dict(error.invocation or {}, **extra))
    except ApiError as error:
        module.fail_api(error)

    for warning in outcome.warnings:
        module.warn(warning)
    result = dict(outcome.invocation, changed=outcome.changed)
    if params['state'] == 'absent':
        result['stopped'] = outcome.stopped
    if module._diff:
        result['diff'] = dict(before=outcome.before, after=outcome.after)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
