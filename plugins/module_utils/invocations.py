# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Cloud Assistant invocations: the desired state, matching, waiting, and the result shape.

Shared by ecs_invocation and ecs_invocation_info. Nothing here knows about AnsibleModule:
it takes plain values and an EcsClient, and raises InvocationError or ApiError.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import random
import time

from ansible_collections.alicloud.ecs.plugins.module_utils.client import ApiError, api_int, base64_text, tag_params, tags_dict
from ansible_collections.alicloud.ecs.plugins.module_utils.instances import agent_status

REPEAT_MODES = ('Once', 'Period', 'NextRebootOnly', 'EveryReboot')
PERIODIC_MODES = ('Period', 'NextRebootOnly', 'EveryReboot')
# Invocation-level InvocationStatus values.
ACTIVE = ('Pending', 'Scheduled', 'Running')
# A match in one of these does not count as present: the next run invokes again.
NOT_PRESENT = ('Failed', 'PartialFailed', 'Stopped', 'Stopping')
FAILED = ('Failed', 'PartialFailed')
# When a Once invocation is done; periodic ones are settled once Scheduled.
FINISHED = ('Success', 'Failed', 'PartialFailed', 'Stopped')

MAX_PARAMETERS = 10
MAX_PARAMETER_KEY = 64
# StopInvocation takes at most 50 instance ids per call.
STOP_BATCH = 50
# Attributes that make two invocations of one command on one instance set the same.
COMPARED = ('repeat_mode', 'frequency', 'parameters', 'username', 'working_dir', 'timeout',
            'container_id', 'container_name')
# Margin over the command's own timeout for delivery and start-up, when waiting.
WAIT_MARGIN = 60
DEFAULT_COMMAND_TIMEOUT = 60


class InvocationError(Exception):
    """A problem with the invocation that the task must report (bad input, failure, time-out)."""

    def __init__(self, message, invocation=None, changed=False, error=None):
        super(InvocationError, self).__init__(message)
        self.invocation = invocation
        self.changed = changed
        self.error = error


def desired_state(params):
    """Normalise and check the task's invocation options; raise InvocationError on bad input.

    Everything here is decided from the input alone, before any API call.
    """
    instance_ids = params.get('instance_ids')
    if instance_ids is not None:
        instance_ids = sorted(set(i.strip() for i in instance_ids if i and i.strip()))
        if not instance_ids:
            raise InvocationError('instance_ids must name at least one instance')
    timed = params.get('timed')
    frequency = params.get('frequency') or None
    repeat_mode = params.get('repeat_mode')
    if timed and repeat_mode and repeat_mode != 'Period':
        raise InvocationError('timed=true means repeat_mode Period; it contradicts repeat_mode {0}'.format(repeat_mode))
    if timed and not repeat_mode:
        repeat_mode = 'Period'
    if repeat_mode == 'Period' and not frequency:
        raise InvocationError('frequency is required when repeat_mode is Period or timed is true')
    if frequency and repeat_mode not in (None, 'Period', 'Once'):
        raise InvocationError('frequency only applies to repeat_mode Period, not {0}'.format(repeat_mode))
    if frequency and repeat_mode is None:
        # The API schedules a frequency only in Period mode; saying so avoids a silent Once.
        raise InvocationError('frequency needs repeat_mode Period (or timed=true)')
    parameters = params.get('parameters')
    if parameters is not None:
        if len(parameters) > MAX_PARAMETERS:
            raise InvocationError('parameters has {0} keys; Cloud Assistant accepts at most {1}'.format(
                len(parameters), MAX_PARAMETERS))
        too_long = sorted(key for key in parameters if len(key) > MAX_PARAMETER_KEY)
        if too_long:
            raise InvocationError('parameter names are limited to {0} characters: {1}'.format(
                MAX_PARAMETER_KEY, ', '.join(too_long)))
        parameters = dict((key, '' if value is None else str(value)) for key, value in parameters.items())
    timeout = params.get('timeout')
    if timeout is not None and timeout < 10:
        raise InvocationError('timeout must be at least 10 seconds')
    return dict(
        command_id=params.get('command_id'),
        instance_ids=instance_ids,
        repeat_mode=repeat_mode or 'Once',
        frequency=frequency if (repeat_mode or 'Once') == 'Period' else None,
        parameters=parameters,
        username=params.get('username'),
        working_dir=params.get('working_dir'),
        timeout=timeout,
        container_id=params.get('container_id'),
        container_name=params.get('container_name'),
    )


def _parameters(raw):
    if isinstance(raw, dict):
        return dict((key, str(value)) for key, value in raw.items())
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return dict((key, str(item)) for key, item in value.items()) if isinstance(value, dict) else {}


def _instances(raw):
    instances = raw.get('InvokeInstances') or {}
    if isinstance(instances, dict):
        instances = instances.get('InvokeInstance') or []
    return instances


def instance_result(raw):
    """One instance's part of an invocation, as the modules return it (output decoded from Base64)."""
    return dict(
        instance_id=raw.get('InstanceId'),
        status=raw.get('InvocationStatus'),
        exit_code=api_int(raw.get('ExitCode')),
        output=base64_text(raw.get('Output')),
        dropped=api_int(raw.get('Dropped')) or 0,
        error_code=raw.get('ErrorCode') or None,
        error_info=raw.get('ErrorInfo') or None,
        start_time=raw.get('StartTime') or None,
        finish_time=raw.get('FinishTime') or raw.get('FinishedTime') or None,
        stop_time=raw.get('StopTime') or None,
        repeats=api_int(raw.get('Repeats')),
    )


def invocation_result(raw):
    """The invocation dict every module returns, from a DescribeInvocations item."""
    instances = sorted((instance_result(item) for item in _instances(raw)), key=lambda item: item['instance_id'])
    return dict(
        invoke_id=raw.get('InvokeId'),
        status=raw.get('InvocationStatus'),
        command_id=raw.get('CommandId'),
        command_name=raw.get('CommandName'),
        command_type=raw.get('CommandType'),
        repeat_mode=raw.get('RepeatMode'),
        frequency=raw.get('Frequency') or None,
        timed=bool(raw.get('Timed')),
        parameters=_parameters(raw.get('Parameters')),
        username=raw.get('Username') or None,
        working_dir=raw.get('WorkingDir') or None,
        timeout=api_int(raw.get('Timeout')),
        container_id=raw.get('ContainerId') or None,
        container_name=raw.get('ContainerName') or None,
        creation_time=raw.get('CreationTime'),
        tags=tags_dict((raw.get('Tags') or {}).get('Tag') or []),
        instance_ids=[item['instance_id'] for item in instances],
        instances=instances,
    )


def differences(current, desired):
    """The compared attributes the task sets to something other than what ``current`` has."""
    changed = []
    for name in COMPARED:
        wanted = desired.get(name)
        if wanted is None:
            continue  # the task leaves it to the command or the API default
        have = current.get(name)
        if name == 'parameters':
            have = have or {}
        if have != wanted:
            changed.append(name)
    return changed


def compared_view(invocation):
    """The attributes that --diff shows."""
    if not invocation:
        return {}
    view = dict((name, invocation.get(name)) for name in ('invoke_id', 'command_id', 'instance_ids', 'status') + COMPARED)
    return view


def find_matches(client, command_id, instance_ids, include_output=False):
    """Yield the invocations of ``command_id`` on exactly ``instance_ids`` (a sorted list), newest first.

    The API filters by command and by one instance; the set is compared here, so the order
    and duplicates of the task's list do not matter. Pages are fetched only as far as needed.
    """
    wanted = list(instance_ids)
    params = {'CommandId': command_id, 'InstanceId': wanted[0]}
    if include_output:
        params['IncludeOutput'] = True
    for raw in client.paginate('DescribeInvocations', params):
        if sorted(set(item.get('InstanceId') for item in _instances(raw))) == wanted:
            yield raw


def describe(client, invoke_id, include_output=False):
    """The invocation ``invoke_id`` as a DescribeInvocations item, or None when it does not exist."""
    params = {'InvokeId': invoke_id}
    if include_output:
        params['IncludeOutput'] = True
    body = client.call('DescribeInvocations', params)
    found = (body.get('Invocations') or {}).get('Invocation') or []
    return found[0] if found else None


def invoke(client, desired, windows_password_name=None, tags=None):
    """Start a new invocation; return its invoke id. The client keeps one ClientToken across retries."""
    params = {'CommandId': desired['command_id'], 'InstanceId': desired['instance_ids'],
              'RepeatMode': desired['repeat_mode']}
    optional = dict(Frequency=desired['frequency'], Username=desired['username'], WorkingDir=desired['working_dir'],
                    Timeout=desired['timeout'], ContainerId=desired['container_id'],
                    ContainerName=desired['container_name'], WindowsPasswordName=windows_password_name)
    params.update((key, value) for key, value in optional.items() if value is not None)
    if desired['parameters']:
        params['Parameters'] = desired['parameters']
    if tags:
        params['Tag'] = tag_params(tags)
    return client.call('InvokeCommand', params)['InvokeId']


def stop(client, invoke_id, instance_ids=None):
    """Stop an invocation, on the given instances or on all of them."""
    if not instance_ids:
        client.call('StopInvocation', {'InvokeId': invoke_id})
        return
    ids = sorted(instance_ids)
    for start in range(0, len(ids), STOP_BATCH):
        client.call('StopInvocation', {'InvokeId': invoke_id, 'InstanceId': ids[start:start + STOP_BATCH]})


def is_settled(status, repeat_mode):
    if repeat_mode in PERIODIC_MODES:
        return status not in ('Pending', 'Running') and status is not None
    return status in FINISHED


class Poller(object):
    """When to look again: soon at first, then at a fraction of the time already spent, capped.

    Checking at about a quarter of the elapsed time keeps the delay after a command ends within
    about 25 % of its run time, while a long command costs only a logarithmic number of calls.
    """

    def __init__(self, first=0.5, fraction=0.25, cap=10.0, jitter=0.1, clock=time.monotonic, sleep=time.sleep,
                 rand=random.random):
        self.first = first
        self.fraction = fraction
        self.cap = cap
        self.jitter = jitter
        self.clock = clock
        self.sleep = sleep
        self.rand = rand

    def interval(self, elapsed):
        base = min(self.cap, max(self.first, self.fraction * elapsed))
        # Jitter only shortens the wait, so the bound on lateness holds.
        return base * (1.0 - self.jitter * self.rand())


def wait_for(client, invoke_id, repeat_mode, wait_timeout=None, include_output=False, poller=None, first_delay=None):
    """Poll until the invocation is settled; return the last DescribeInvocations item.

    ``first_delay`` waits before the first look (a command just invoked cannot be done yet).
    Without ``wait_timeout``, the invocation's own timeout plus a margin is used. Raises
    InvocationError naming each instance's state when the time-out passes first.
    """
    poller = poller or Poller()
    started = poller.clock()
    if first_delay:
        poller.sleep(first_delay)
    while True:
        raw = describe(client, invoke_id, include_output=include_output)
        if raw is None:
            raise InvocationError('invocation {0} no longer exists'.format(invoke_id))
        if is_settled(raw.get('InvocationStatus'), repeat_mode):
            return raw
        if wait_timeout is None:
            wait_timeout = default_wait_timeout(raw)
        elapsed = poller.clock() - started
        if elapsed >= wait_timeout:
            result = invocation_result(raw)
            raise InvocationError('timed out after {0} s waiting for invocation {1} ({2}): {3}'.format(
                int(wait_timeout), invoke_id, result['status'], instance_summary(result)), invocation=result)
        poller.sleep(min(poller.interval(elapsed), max(0.0, wait_timeout - elapsed)))


def default_wait_timeout(raw):
    """The invocation's own timeout (the command's, unless the task overrode it) plus a margin."""
    return (api_int(raw.get('Timeout')) or DEFAULT_COMMAND_TIMEOUT) + WAIT_MARGIN


def instance_summary(result, only_failed=False):
    """``i-1 Failed (ExitCodeNonzero, exit code 1); i-2 Running`` for messages."""
    parts = []
    for item in result['instances']:
        if only_failed and item['status'] in ('Success', 'Stopped', 'Scheduled'):
            continue
        details = [detail for detail in (item['error_code'],) if detail]
        if item['exit_code'] is not None and item['status'] not in ('Pending', 'Running', 'Scheduled'):
            details.append('exit code {0}'.format(item['exit_code']))
        parts.append('{0} {1}{2}'.format(item['instance_id'], item['status'],
                                         ' ({0})'.format(', '.join(details)) if details else ''))
    return '; '.join(parts)


def failure_message(result):
    """The message for a Failed or PartialFailed invocation, naming each failing instance."""
    return 'invocation {0} finished {1}: {2}'.format(result['invoke_id'], result['status'],
                                                     instance_summary(result, only_failed=True))


class Outcome(object):
    """What a state change did: ``changed``, the invocation dict to return, and the diff views."""

    def __init__(self, changed, invocation, before=None, after=None, stopped=None):
        self.changed = changed
        self.invocation = invocation or {}
        self.before = before if before is not None else compared_view(invocation)
        self.after = after if after is not None else compared_view(invocation)
        self.stopped = stopped or []


def check_agents(client, instance_ids):
    """Pre-flight: fail, naming them, when an instance does not exist or its agent is not online."""
    statuses = agent_status(client, instance_ids)
    missing = [i for i in instance_ids if i not in statuses]
    offline = [i for i in instance_ids if i in statuses and not statuses[i]['online']]
    problems = []
    if missing:
        problems.append('not found: {0}'.format(', '.join(missing)))
    if offline:
        problems.append('Cloud Assistant agent not online: {0}'.format(', '.join(offline)))
    if problems:
        raise InvocationError('pre-flight check failed, nothing was invoked ({0}); set preflight=false to skip '
                              'this check'.format('; '.join(problems)))


def _settle(client, raw, repeat_mode, options, changed, first_delay=None):
    """Wait when asked; fail when the invocation ended Failed or PartialFailed."""
    if options['wait'] and not is_settled(raw.get('InvocationStatus'), repeat_mode):
        try:
            raw = wait_for(client, raw['InvokeId'], repeat_mode, options['wait_timeout'],
                           include_output=options['include_output'], first_delay=first_delay)
        except InvocationError as error:
            error.changed = changed
            raise
    result = invocation_result(raw)
    if result['status'] in FAILED:
        raise InvocationError(failure_message(result), invocation=result, changed=changed)
    return result


def planned(desired, current=None):
    """The diff view of the invocation a run would create."""
    view = dict(invoke_id=None, status=None, command_id=desired['command_id'], instance_ids=desired['instance_ids'])
    for name in COMPARED:
        value = desired.get(name)
        view[name] = value if value is not None else (current or {}).get(name)
    return view


def ensure_present(client, desired, options, check_mode=False):
    """Make the invocation present (see DESIGN: idempotent on command id + instance set)."""
    if options.get('invoke_id'):
        return adopt(client, desired, options, check_mode)
    match = next(find_matches(client, desired['command_id'], desired['instance_ids'],
                              include_output=options['include_output']), None)
    current = invocation_result(match) if match else None
    present = bool(current) and current['status'] not in NOT_PRESENT
    replace = present and bool(differences(current, desired))
    if present and not replace and not options['force']:
        if check_mode:
            return Outcome(False, current)
        return Outcome(False, _settle(client, match, current['repeat_mode'], options, changed=False))
    after = planned(desired, current)
    if check_mode:
        return Outcome(True, after, before=compared_view(current), after=after)
    if options['preflight']:
        check_agents(client, desired['instance_ids'])
    if replace and current['status'] in ACTIVE:
        stop(client, current['invoke_id'])
    invoke_id = invoke(client, desired, options.get('windows_password_name'), options.get('tags'))
    try:
        raw = describe(client, invoke_id, include_output=options['include_output']) if not options['wait'] else \
            dict(InvokeId=invoke_id, InvocationStatus='Pending')
        result = _settle(client, raw, desired['repeat_mode'], options, changed=True, first_delay=Poller().first)
    except ApiError as error:
        # The command was started: say which invocation, so nothing is left unaccounted for.
        raise InvocationError('{0} (after invocation {1} was started)'.format(error, invoke_id),
                              invocation=dict(invoke_id=invoke_id), changed=True, error=error.to_dict())
    return Outcome(True, result, before=compared_view(current), after=compared_view(result))


def adopt(client, desired, options, check_mode):
    """``invoke_id`` with state present: take that invocation as it is (Terraform's import)."""
    raw = describe(client, options['invoke_id'], include_output=options['include_output'])
    if raw is None:
        raise InvocationError('invocation {0} does not exist'.format(options['invoke_id']))
    current = invocation_result(raw)
    if desired['command_id'] and desired['command_id'] != current['command_id']:
        raise InvocationError('invocation {0} runs command {1}, not {2}'.format(
            current['invoke_id'], current['command_id'], desired['command_id']), invocation=current)
    if desired['instance_ids'] and desired['instance_ids'] != current['instance_ids']:
        raise InvocationError('invocation {0} runs on {1}, not on {2}'.format(
            current['invoke_id'], ', '.join(current['instance_ids']), ', '.join(desired['instance_ids'])),
            invocation=current)
    if check_mode:
        return Outcome(False, current)
    return Outcome(False, _settle(client, raw, current['repeat_mode'], options, changed=False))


def ensure_absent(client, desired, invoke_id=None, check_mode=False):
    """Stop the active matching invocations; nothing active means no change."""
    if invoke_id:
        found = describe(client, invoke_id)
        matches = [found] if found else []
    else:
        matches = list(find_matches(client, desired['command_id'], desired['instance_ids']))
    active = [raw for raw in matches if raw.get('InvocationStatus') in ACTIVE]
    newest = invocation_result(matches[0]) if matches else None
    if not active:
        return Outcome(False, newest)
    stopped_ids = [raw['InvokeId'] for raw in active]
    if check_mode:
        after = dict(compared_view(newest), status='Stopped') if newest['invoke_id'] in stopped_ids else None
        return Outcome(True, newest, after=after, stopped=stopped_ids)
    for invocation_id in stopped_ids:
        stop(client, invocation_id)
    result = invocation_result(describe(client, matches[0]['InvokeId']))
    return Outcome(True, result, before=compared_view(newest), after=compared_view(result), stopped=stopped_ids)


INFO_FILTERS = (('invoke_id', 'InvokeId'), ('command_id', 'CommandId'), ('command_name', 'CommandName'),
                ('command_type', 'CommandType'), ('instance_id', 'InstanceId'), ('invoke_status', 'InvokeStatus'),
                ('repeat_mode', 'RepeatMode'))


def list_invocations(client, filters, include_output=False):
    """Every invocation matching ``filters`` (the info module's option names), as invocation dicts.

    The API gives output only to a query by InvokeId or InstanceId; for other queries the output
    is fetched per invocation.
    """
    params = dict((api, filters[name]) for name, api in INFO_FILTERS if filters.get(name))
    if filters.get('tags'):
        params['Tag'] = tag_params(filters['tags'])
    direct = bool(params.get('InvokeId') or params.get('InstanceId'))
    if include_output and direct:
        params['IncludeOutput'] = True
    found = list(client.paginate('DescribeInvocations', params))
    if include_output and not direct:
        found = [describe(client, raw['InvokeId'], include_output=True) or raw for raw in found]
    return [invocation_result(raw) for raw in found]
