# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Cloud Assistant invocations: the desired state, what is there now, and how to converge.

Shared by ecs_invocation and ecs_invocation_info. Nothing here knows about AnsibleModule:
it takes plain values and an EcsClient, and raises InvocationError or ApiError.

How an instance set is tracked: every invocation this collection makes carries two tags,
``ansible:alicloud.ecs:target`` (a fingerprint of the command id and the sorted instance set:
the idempotency key) and ``ansible:alicloud.ecs:run`` (one value per full run of the set). A
rerun of the failed part of a run carries that run's value, so the newest run and its reruns
together say what each instance of the set last did. Invocations made elsewhere still match
when their instance set is exactly the task's.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import re
import uuid

from ansible_collections.alicloud.ecs.plugins.module_utils.client import (
    ApiError,
    base64_bytes,
    run_parallel,
    tag_params,
    tags_dict,
)
from ansible_collections.alicloud.ecs.plugins.module_utils.instances import resolve_targets
from ansible_collections.alicloud.ecs.plugins.module_utils.preflight import problems as preflight_problems
from ansible_collections.alicloud.ecs.plugins.module_utils.results import (
    INSTANCE_FAILED,
    INSTANCE_PRESENT,
    bounded,
    combined_result,
    dropped_warning,
    failure_message,
    invocation_result,
    output_groups,
    raw_instances,
    summary,
)
from ansible_collections.alicloud.ecs.plugins.module_utils.waiting import WaitTimeout, is_settled, wait_for
from ansible_collections.alicloud.ecs.plugins.module_utils.waves import MAX_WAVE, Interrupted, parse_limit, run_waves

REPEAT_MODES = ('Once', 'Period', 'NextRebootOnly', 'EveryReboot')
TERMINATION_MODES = ('Process', 'ProcessTree')
RERUN_CHOICES = ('failed', 'all')
# Invocation-level InvocationStatus values.
ACTIVE = ('Pending', 'Scheduled', 'Running')
FAILED = ('Failed', 'PartialFailed')

MAX_PARAMETERS = 10
MAX_PARAMETER_KEY = 64
MAX_LAUNCHER = 1024
# StopInvocation takes at most 50 instance ids per call; DescribeInstances at most 20 tags.
STOP_BATCH = 50
MAX_TARGET_TAGS = 20
# An invocation takes at most 20 tags; the collection uses two of them.
MAX_TAGS = 20
TARGET_TAG = 'ansible:alicloud.ecs:target'
RUN_TAG = 'ansible:alicloud.ecs:run'
OWN_TAGS = (TARGET_TAG, RUN_TAG)
# Attributes that make two invocations of one command on one instance set the same.
COMPARED = ('repeat_mode', 'frequency', 'parameters', 'username', 'working_dir', 'timeout',
            'container_id', 'container_name', 'launcher')
OSS_URI = re.compile(r'^oss://[a-z0-9][a-z0-9-]{1,61}[a-z0-9](/.*)?$')


class InvocationError(Exception):
    """A problem with the invocation that the task must report (bad input, failure, time-out)."""

    def __init__(self, message, invocation=None, changed=False, error=None):
        super(InvocationError, self).__init__(message)
        self.invocation = invocation
        self.changed = changed
        self.error = error


def _check_parameters(parameters, secret_parameters):
    parameters = dict(parameters or {})
    secret = dict(secret_parameters or {})
    both = sorted(set(parameters) & set(secret))
    if both:
        raise InvocationError('{0} given in both parameters and secret_parameters; give each name once'.format(
            ', '.join(both)))
    merged = dict(parameters, **secret)
    if len(merged) > MAX_PARAMETERS:
        raise InvocationError('parameters and secret_parameters have {0} names together; Cloud Assistant accepts at '
                              'most {1}'.format(len(merged), MAX_PARAMETERS))
    too_long = sorted(key for key in merged if len(key) > MAX_PARAMETER_KEY)
    if too_long:
        raise InvocationError('parameter names are limited to {0} characters: {1}'.format(
            MAX_PARAMETER_KEY, ', '.join(too_long)))
    return dict((key, '' if value is None else str(value)) for key, value in merged.items()), sorted(secret)


def _target_selector(params, instance_ids):
    """``instance_tags`` and ``resource_group_id``, checked: they choose the set instead of ``instance_ids``."""
    tags, group = params.get('instance_tags'), params.get('resource_group_id') or None
    if tags is None and group is None:
        return None, None
    if instance_ids is not None:
        raise InvocationError('give instance_ids, or instance_tags and/or resource_group_id, not both: the tags and the '
                              'resource group choose the instances')
    tags = dict(tags or {})
    if not tags and group is None:
        raise InvocationError('instance_tags must name at least one tag')
    if len(tags) > MAX_TARGET_TAGS:
        raise InvocationError('instance_tags has {0} tags; DescribeInstances filters by at most {1}'.format(
            len(tags), MAX_TARGET_TAGS))
    empty = sorted(key for key, value in tags.items() if not key or value is None)
    if empty:
        raise InvocationError('instance_tags needs a key and a value for each tag: {0}'.format(
            ', '.join(repr(key) for key in empty)))
    return dict((key, str(value)) for key, value in tags.items()), group


def desired_state(params):
    """Normalise and check the task's invocation options; raise InvocationError on bad input.

    Everything here is decided from the input alone, before any API call.
    """
    instance_ids = params.get('instance_ids')
    if instance_ids is not None:
        instance_ids = sorted(set(i.strip() for i in instance_ids if i and i.strip()))
        if not instance_ids:
            raise InvocationError('instance_ids must name at least one instance')
    instance_tags, resource_group_id = _target_selector(params, instance_ids)
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
    parameters, secret_keys = None, []
    if params.get('parameters') is not None or params.get('secret_parameters'):
        parameters, secret_keys = _check_parameters(params.get('parameters'), params.get('secret_parameters'))
    timeout = params.get('timeout')
    if timeout is not None and timeout < 10:
        raise InvocationError('timeout must be at least 10 seconds')
    launcher = params.get('launcher')
    if launcher is not None and len(launcher.encode('utf-8')) > MAX_LAUNCHER:
        raise InvocationError('launcher is limited to 1 KB')
    oss = params.get('oss_output_delivery')
    if oss and not OSS_URI.match(oss):
        raise InvocationError('oss_output_delivery must look like oss://bucket or oss://bucket/prefix, not {0!r}'.format(oss))
    tags = params.get('tags') or {}
    own = sorted(key for key in tags if key in OWN_TAGS)
    if own:
        raise InvocationError('the tag {0} is the collection\'s own; choose another name'.format(', '.join(own)))
    if len(tags) > MAX_TAGS - len(OWN_TAGS):
        raise InvocationError('tags has {0} tags; an invocation takes {1}, {2} of which the collection uses'.format(
            len(tags), MAX_TAGS, len(OWN_TAGS)))
    try:
        concurrency = parse_limit(params.get('concurrency'), 'concurrency', 1)
        max_failures = parse_limit(params.get('max_failures'), 'max_failures', 0)
    except ValueError as error:
        raise InvocationError(str(error))
    if concurrency or max_failures:
        if not params.get('wait', True):
            raise InvocationError('concurrency and max_failures need wait=true: the next wave starts when earlier ones '
                                  'finish')
        if (repeat_mode or 'Once') != 'Once':
            raise InvocationError('concurrency and max_failures apply to repeat_mode Once, not {0}: a scheduled '
                                  'invocation never finishes'.format(repeat_mode))
    return dict(
        command_id=params.get('command_id'),
        instance_ids=instance_ids,
        instance_tags=instance_tags,
        resource_group_id=resource_group_id,
        concurrency=concurrency,
        max_failures=max_failures,
        repeat_mode=repeat_mode or 'Once',
        frequency=frequency if (repeat_mode or 'Once') == 'Period' else None,
        parameters=parameters,
        secret_keys=secret_keys,
        username=params.get('username'),
        working_dir=params.get('working_dir'),
        timeout=timeout,
        container_id=params.get('container_id'),
        container_name=params.get('container_name'),
        launcher=launcher,
        termination_mode=params.get('termination_mode'),
        oss_output_delivery=oss or None,
        tags=tags,
    )


def target_fingerprint(command_id, instance_ids):
    """The idempotency key of a task as a tag value: the command id and the sorted instance set."""
    text = '{0}\n{1}'.format(command_id, ','.join(sorted(instance_ids)))
    return hashlib.sha256(text.encode('utf-8')).hexdigest()[:32]


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


def command_changes(raw, command, desired):
    """What of the command (content, type, launcher) an invocation ran differs from the command now.

    ``command`` is the DescribeCommands item, or None when it cannot be read (a public command):
    then nothing can be compared and nothing is reported.
    """
    if not command:
        return []
    changed = []
    if base64_bytes(raw.get('CommandContent')) != base64_bytes(command.get('CommandContent')):
        changed.append('command content')
    if raw.get('CommandType') and command.get('Type') and raw.get('CommandType') != command.get('Type'):
        changed.append('command type')
    if desired.get('launcher') is None and (raw.get('Launcher') or '') != (command.get('Launcher') or ''):
        changed.append('command launcher')
    return changed


def hide_secrets(result, secret_keys):
    """Drop the values of secret parameters from an invocation dict (they are never returned)."""
    if result and secret_keys and result.get('parameters'):
        result['parameters'] = dict((key, value) for key, value in result['parameters'].items()
                                    if key not in secret_keys)
    return result


def compared_view(invocation, secret_keys=()):
    """The attributes that --diff shows (secret parameters left out)."""
    if not invocation:
        return {}
    view = dict((name, invocation.get(name)) for name in ('invoke_id', 'command_id', 'instance_ids', 'status') + COMPARED)
    if view.get('parameters'):
        view['parameters'] = dict((key, value) for key, value in view['parameters'].items() if key not in secret_keys)
    return view


def planned(desired, current=None):
    """The diff view of the invocation a run would create."""
    view = dict(invoke_id=None, status=None, command_id=desired['command_id'], instance_ids=desired['instance_ids'])
    for name in COMPARED:
        value = desired.get(name)
        view[name] = value if value is not None else (current or {}).get(name)
    if view.get('parameters'):
        view['parameters'] = dict((key, value) for key, value in view['parameters'].items()
                                  if key not in desired.get('secret_keys', ()))
    return view


def _tags(raw):
    return tags_dict((raw.get('Tags') or {}).get('Tag') or [])


def _ids(raw):
    return sorted(set(item.get('InstanceId') for item in raw_instances(raw)))


def _fully_present(raw):
    return all(item.get('InvocationStatus') in INSTANCE_PRESENT for item in raw_instances(raw))


def describe(client, invoke_id, include_output=False):
    """The invocation ``invoke_id`` as a DescribeInvocations item, or None when it does not exist."""
    params = {'InvokeId': invoke_id}
    if include_output:
        params['IncludeOutput'] = True
    body = client.call('DescribeInvocations', params)
    found = (body.get('Invocations') or {}).get('Invocation') or []
    return found[0] if found else None


def describe_command(client, command_id):
    """The command as a DescribeCommands item, or None (public commands are not listed without a Provider)."""
    found = (client.call('DescribeCommands', {'CommandId': command_id}).get('Commands') or {}).get('Command') or []
    return found[0] if found else None


def find_exact(client, command_id, instance_ids, include_output=False):
    """Yield the invocations of ``command_id`` on exactly ``instance_ids`` (a sorted list), or tagged for that set.

    The API filters by command and by one instance; the set is compared here, so the order
    and duplicates of the task's list do not matter. Pages are fetched only as far as needed.
    """
    fingerprint = target_fingerprint(command_id, instance_ids)
    params = {'CommandId': command_id, 'InstanceId': instance_ids[0]}
    if include_output:
        params['IncludeOutput'] = True
    for raw in client.paginate('DescribeInvocations', params):
        if _ids(raw) == list(instance_ids) or _tags(raw).get(TARGET_TAG) == fingerprint:
            yield raw


def tagged(client, command_id, fingerprint, run=None):
    """Yield the invocations tagged for this target (and this run, when given), newest first, page by page."""
    tags = {TARGET_TAG: fingerprint}
    if run:
        tags[RUN_TAG] = run
    return client.paginate('DescribeInvocations', {'CommandId': command_id, 'Tag': tag_params(tags)})


def list_run(client, command_id, fingerprint, run=None):
    """Every invocation tagged for this target (and this run, when given), newest first."""
    return list(tagged(client, command_id, fingerprint, run))


def with_output(client, parts):
    """The items again, each with its output (a listing by tag has none): one call per item, at once."""
    fetched = run_parallel(*[lambda raw=raw: describe(client, raw['InvokeId'], True) or raw for raw in parts]) \
        if parts else []
    return list(fetched)


class Current(object):
    """What the set last did: ``parts`` (DescribeInvocations items, newest first), the ``run`` they belong to, and
    ``result``, the invocation dict they make together over the set."""

    def __init__(self, parts, run, instance_ids):
        self.parts = parts
        self.run = run
        self.result = combined_result(parts, instance_ids)


def find_current(client, desired, include_output=False):
    """The newest run of the task's command on its instance set, with the reruns of its failed parts; or None.

    A run whose instances all succeeded (or are under way) costs one call; only a run with a
    failed part asks for its reruns by tag (and for their output, one call each).
    """
    command_id, ids = desired['command_id'], desired['instance_ids']
    if len(ids) > MAX_WAVE:
        return _find_waved(client, command_id, ids, include_output)
    newest = next(find_exact(client, command_id, ids, include_output), None)
    if newest is None:
        return None
    tagged_run = _tags(newest).get(RUN_TAG)
    run = tagged_run or newest['InvokeId']  # a run made outside the collection is known by its invoke id
    if _ids(newest) == ids and _fully_present(newest):
        return Current([newest], run, ids)
    with_output = set([newest['InvokeId']]) if include_output else set()
    listed = list_run(client, command_id, target_fingerprint(command_id, ids), run)
    # The listing is newest first. ``newest`` is only the newest on the first instance: a rerun of
    # other instances may be newer. An untagged run is older than the reruns that carry its id.
    parts = [raw for raw in listed if raw['InvokeId'] != newest['InvokeId']]
    if tagged_run:
        # Keep the item of the first query: it has the output.
        parts = [newest if raw['InvokeId'] == newest['InvokeId'] else raw for raw in listed] \
            if len(parts) < len(listed) else [newest] + parts
    else:
        parts.append(newest)
    if run not in [raw['InvokeId'] for raw in parts] and run.startswith('t-'):
        base = describe(client, run, include_output)
        if base:
            parts.append(base)
            with_output.add(run)
    used = [raw for raw in parts if raw['InvokeId'] in combined_result(parts, ids)['invoke_ids']]
    if include_output:
        used = [raw if raw['InvokeId'] in with_output else (describe(client, raw['InvokeId'], True) or raw)
                for raw in used]
    return Current(used, run, ids)


def _find_waved(client, command_id, ids, include_output):
    """find_current for a set no single invocation covers: the newest run's waves and reruns, by tag.

    One listing (a page holds 50 waves) answers it: a run's items are all newer than those of
    earlier runs, so listing stops at the first item of another run.
    """
    parts, run = [], None
    for raw in tagged(client, command_id, target_fingerprint(command_id, ids)):
        this_run = _tags(raw).get(RUN_TAG)
        if run is not None and this_run != run:
            break
        run = this_run
        parts.append(raw)
    if not parts:
        return None
    used = [raw for raw in parts if raw['InvokeId'] in combined_result(parts, ids)['invoke_ids']]
    return Current(with_output(client, used) if include_output else used, run, ids)


def invoke(client, desired, instance_ids, run, windows_password_name=None):
    """Start an invocation on ``instance_ids`` as part of ``run``; return its invoke id.

    The client keeps one ClientToken across retries, so a lost answer never runs it twice.
    """
    params = {'CommandId': desired['command_id'], 'InstanceId': list(instance_ids),
              'RepeatMode': desired['repeat_mode']}
    optional = dict(Frequency=desired['frequency'], Username=desired['username'], WorkingDir=desired['working_dir'],
                    Timeout=desired['timeout'], ContainerId=desired['container_id'],
                    ContainerName=desired['container_name'], WindowsPasswordName=windows_password_name,
                    Launcher=desired.get('launcher'), TerminationMode=desired.get('termination_mode'),
                    OssOutputDelivery=desired.get('oss_output_delivery'))
    params.update((key, value) for key, value in optional.items() if value is not None)
    if desired['parameters']:
        params['Parameters'] = desired['parameters']
    tags = dict(desired.get('tags') or {})
    tags[TARGET_TAG] = target_fingerprint(desired['command_id'], desired['instance_ids'])
    tags[RUN_TAG] = run
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


class Outcome(object):
    """What a state change did: ``changed``, the invocation dict to return, the diff views and warnings."""

    def __init__(self, changed, invocation, before=None, after=None, stopped=None, warnings=None):
        self.changed = changed
        self.invocation = invocation or {}
        self.before = before if before is not None else compared_view(invocation)
        self.after = after if after is not None else compared_view(invocation)
        self.stopped = stopped or []
        self.warnings = warnings or []


class Plan(object):
    """What ensure_present will do: ``action`` is converged, rerun (the failed part) or invoke (a new run)."""

    def __init__(self, action, instance_ids=None, stop=None, reason=None):
        self.action = action
        self.instance_ids = instance_ids or []
        self.stop = stop or []
        self.reason = reason


def plan(current, command, desired, options):
    """Decide from what is there (``current``) and the command now what a run must do."""
    ids = desired['instance_ids']
    if current is None:
        return Plan('invoke', ids, reason='no matching invocation')
    result = current.result
    active = [raw['InvokeId'] for raw in current.parts if raw.get('InvocationStatus') in ACTIVE]
    changes = []
    for raw in current.parts:
        changes.extend(name for name in differences(invocation_result(raw), desired) + command_changes(raw, command, desired)
                       if name not in changes)
    if changes:
        return Plan('invoke', ids, stop=active, reason='changed: ' + ', '.join(changes))
    if options.get('force'):
        return Plan('invoke', ids, reason='force')
    if result['status'] in ACTIVE:
        return Plan('converged')  # under way: wait for it, do not start it again
    not_done = [item['instance_id'] for item in result['instances'] if item['status'] not in INSTANCE_PRESENT]
    not_done.extend(i for i in ids if i not in result['instance_ids'])
    if not not_done:
        return Plan('converged')
    if options.get('rerun', 'failed') == 'all' or len(not_done) == len(ids):
        return Plan('invoke', ids, reason='earlier run ended {0}'.format(result['status']))
    return Plan('rerun', sorted(not_done), reason='earlier run ended {0}'.format(result['status']))


def _settle(client, parts, instance_ids, options, desired, skipped=()):
    """Wait for the unsettled parts of an earlier run when asked; fail when the set failed (see _judge)."""
    settled = []
    secret_keys = desired.get('secret_keys', ())
    try:
        for raw in parts:
            if options['wait'] and not is_settled(raw.get('InvocationStatus'), raw.get('RepeatMode')):
                raw = wait_for(lambda invoke_id: describe(client, invoke_id, options['include_output']), raw['InvokeId'],
                               raw.get('RepeatMode'), options['wait_timeout'])
            settled.append(raw)
    except WaitTimeout as error:
        raise InvocationError(str(error), invocation=hide_secrets(error.invocation, secret_keys))
    except LookupError as error:
        raise InvocationError(str(error))
    result = fleet_result(hide_secrets(combined_result(settled, instance_ids), secret_keys), skipped)
    return result, _judge(result, desired, changed=False)


def fleet_result(result, skipped=(), not_started=()):
    """Add what reads at fleet size: ``summary`` and ``output_groups`` (when there are instances), and the
    ``skipped_instances`` and ``not_started_instances`` lists."""
    result = dict(result or {})
    if result.get('instances') is not None:
        result.update(summary=summary(result, not_started, skipped), output_groups=output_groups(result))
    result.update(skipped_instances=list(skipped), not_started_instances=list(not_started))
    return result


def _judge(result, desired, changed, not_started=()):
    """Raise InvocationError when the set failed beyond what ``max_failures`` allows; return the warnings.

    Without max_failures any failed instance fails the task. With it, failures within the limit
    are a warning: the next run invokes those instances again (rerun=failed).
    """
    warnings = _warnings(result)
    failed = [item for item in result['instances'] if item['status'] in INSTANCE_FAILED]
    limit = desired.get('max_failures')
    if limit is None:
        if result['status'] in FAILED:
            raise InvocationError(failure_message(result), invocation=result, changed=changed)
        return warnings
    total = len(desired['instance_ids'])
    allowed = limit.of(total)
    described = '{0}{1}'.format(limit, ' ({0} of {1})'.format(allowed, total) if limit.percent else '')
    if len(failed) > allowed:
        text = '{0} instances failed, more than max_failures {1} allows'.format(len(failed), described)
        if not_started:
            text += '; no further wave was started: {0} instances never started ({1})'.format(
                len(not_started), bounded(not_started))
        raise InvocationError('{0}. {1}'.format(text, failure_message(result)), invocation=result, changed=changed)
    if failed:
        warnings.append('{0} of {1} instances failed, within max_failures {2}; the next run invokes them again: '
                        '{3}'.format(len(failed), total, described, failure_message(result)))
    return warnings


def _warnings(result):
    warning = dropped_warning(result)
    return [warning] if warning else []


def _selector_text(desired):
    words = []
    if desired.get('instance_tags'):
        words.append('has the tags ' + ', '.join('{0}={1}'.format(key, value)
                                                 for key, value in sorted(desired['instance_tags'].items())))
    if desired.get('resource_group_id'):
        words.append('is in resource group ' + desired['resource_group_id'])
    return ' and '.join(words)


def resolve(client, desired):
    """Choose the set by ``instance_tags`` / ``resource_group_id`` (nothing to do with ``instance_ids``).

    Sets ``desired['instance_ids']`` to the Running instances that match; returns the skipped
    ones (matched, not Running) and the listed instance dicts (for the pre-flight check).
    """
    chosen = desired.get('instance_tags') is not None or desired.get('resource_group_id') is not None
    if desired['instance_ids'] is not None or not chosen:
        return [], None
    running, skipped = resolve_targets(client, desired['instance_tags'], desired['resource_group_id'])
    if not running:
        matched = bounded('{0} ({1})'.format(item['instance_id'], item['status']) for item in skipped)
        found = '; it matches {0}, none Running'.format(matched) if skipped else ''
        raise InvocationError('no instance in region {0} {1}{2}: check instance_tags, resource_group_id and the region '
                              'option'.format(client.region, _selector_text(desired) or 'matches', found))
    desired['instance_ids'] = [item['instance_id'] for item in running]
    return skipped, running


def _follow(client, desired, run, include_output):
    """How run_waves looks at started waves: one wave by its id (with output), several through one listing by tag.

    Returns ``look`` and the set of invoke ids whose last look carried output.
    """
    fingerprint = target_fingerprint(desired['command_id'], desired['instance_ids'])
    has_output = set()

    def by_id(invoke_id):
        if include_output:
            has_output.add(invoke_id)
        return describe(client, invoke_id, include_output)

    def look(invoke_ids):
        if len(invoke_ids) == 1:
            return {invoke_ids[0]: by_id(invoke_ids[0])}
        wanted, found = set(invoke_ids), {}
        for raw in tagged(client, desired['command_id'], fingerprint, run):
            if raw['InvokeId'] in wanted:
                found[raw['InvokeId']] = raw
                has_output.discard(raw['InvokeId'])
                if len(found) == len(wanted):
                    break
        # A wave not listed yet is asked for by its id.
        found.update((invoke_id, by_id(invoke_id)) for invoke_id in invoke_ids if invoke_id not in found)
        return found

    return look, has_output


def _invoke_set(client, desired, instance_ids, run, options, earlier, skipped):
    """Invoke ``instance_ids`` in waves as part of ``run``; return the result over the set and the warnings."""
    secret_keys = desired.get('secret_keys', ())
    look, has_output = _follow(client, desired, run, options['include_output'])
    try:
        ran = run_waves(instance_ids, lambda ids: invoke(client, desired, ids, run, options.get('windows_password_name')),
                        look, desired['repeat_mode'], desired['concurrency'], desired['max_failures'],
                        options['wait'], options['wait_timeout'], set_size=len(desired['instance_ids']))
    except Interrupted as error:
        started = [wave.invoke_id for wave in error.waves]
        if not started and isinstance(error.cause, ApiError):
            raise error.cause  # nothing was started: an API error like any other
        parts = [wave.raw for wave in reversed(error.waves) if wave.raw] + earlier
        result = fleet_result(hide_secrets(combined_result(parts, desired['instance_ids']), secret_keys) if parts
                              else dict(invoke_id=started[0], invoke_ids=started), skipped, error.not_started)
        result['invoke_ids'] = started + [i for i in result.get('invoke_ids') or [] if i not in started]
        message = str(error)
        if isinstance(error.cause, ApiError):
            message = '{0} (after invocation{1} {2} {3} started)'.format(
                error, 's' if len(started) > 1 else '', ', '.join(started), 'were' if len(started) > 1 else 'was')
        raise InvocationError(message, invocation=result, changed=True,
                              error=error.cause.to_dict() if isinstance(error.cause, ApiError) else None)
    new_parts = ran.parts()
    if options['include_output']:
        missing = [raw for raw in new_parts if raw['InvokeId'] not in has_output]
        refreshed = dict((raw['InvokeId'], raw) for raw in with_output(client, missing))
        new_parts = [refreshed.get(raw['InvokeId'], raw) for raw in new_parts]
    result = fleet_result(hide_secrets(combined_result(new_parts + earlier, desired['instance_ids']), secret_keys),
                          skipped, ran.not_started)
    return result, _judge(result, desired, changed=True, not_started=ran.not_started)


def ensure_present(client, desired, options, check_mode=False):
    """Make the invocation present (see DESIGN: idempotent on command id + instance set)."""
    if options.get('invoke_id'):
        return adopt(client, desired, options, check_mode)
    skipped, listed = resolve(client, desired)
    secret_keys = desired.get('secret_keys', ())
    if desired['command_id'] is None:
        # Only in check mode: the command does not exist yet (ecs_command would create it).
        after = planned(desired)
        return Outcome(True, fleet_result(after, skipped), before={}, after=after)
    current, command = run_parallel(lambda: find_current(client, desired, options['include_output']),
                                    lambda: describe_command(client, desired['command_id']))
    decision = plan(current, command, desired, options)
    before_result = hide_secrets(dict(current.result), secret_keys) if current else None
    if decision.action == 'converged':
        if check_mode:
            return Outcome(False, fleet_result(before_result, skipped), warnings=_warnings(before_result))
        result, warnings = _settle(client, current.parts, desired['instance_ids'], options, desired, skipped)
        return Outcome(False, result, warnings=warnings)
    after = planned(desired, before_result)
    before = compared_view(before_result, secret_keys)
    if check_mode:
        if decision.action == 'rerun':
            after['instance_ids'] = decision.instance_ids
        return Outcome(True, fleet_result(after, skipped), before=before, after=after)
    if options['preflight']:
        chosen = set(decision.instance_ids)
        known = [item for item in listed if item['instance_id'] in chosen] if listed else None
        found = preflight_problems(client, decision.instance_ids, (command or {}).get('Type'), known)
        if found:
            raise InvocationError('pre-flight check failed, nothing was invoked: {0}. Set preflight=false to skip this '
                                  'check'.format('; '.join(found)))
    for invoke_id in decision.stop:
        stop(client, invoke_id)
    run = current.run if decision.action == 'rerun' else uuid.uuid4().hex[:16]
    earlier = current.parts if decision.action == 'rerun' else []
    result, warnings = _invoke_set(client, desired, decision.instance_ids, run, options, earlier, skipped)
    return Outcome(True, result, before=before, after=compared_view(result, secret_keys), warnings=warnings)


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
    result, warnings = _settle(client, [raw], current['instance_ids'], options, dict(desired, instance_ids=current['instance_ids']))
    return Outcome(False, result, warnings=warnings)


def _matches_for_absent(client, desired, invoke_id):
    if invoke_id:
        found = describe(client, invoke_id)
        return [found] if found else []
    if desired['instance_ids'] is None:
        # Only the command: every invocation of it, on any instances.
        return list(client.paginate('DescribeInvocations', {'CommandId': desired['command_id']}))
    command_id, ids = desired['command_id'], desired['instance_ids']
    if len(ids) > MAX_WAVE:
        return list_run(client, command_id, target_fingerprint(command_id, ids))
    exact, by_tag = run_parallel(lambda: list(find_exact(client, command_id, ids)),
                                 lambda: list_run(client, command_id, target_fingerprint(command_id, ids)))
    seen = set(raw['InvokeId'] for raw in exact)
    return exact + [raw for raw in by_tag if raw['InvokeId'] not in seen]


def ensure_absent(client, desired, invoke_id=None, check_mode=False):
    """Stop the active matching invocations; nothing active means no change."""
    if not invoke_id:
        resolve(client, desired)
    matches = _matches_for_absent(client, desired, invoke_id)
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
                ('command_type', 'CommandType'), ('invoke_status', 'InvokeStatus'), ('repeat_mode', 'RepeatMode'))


def list_invocations(client, filters, include_output=False, max_results=None):
    """The invocations matching ``filters`` (the info module's option names), newest first, as invocation dicts.

    ``instance_ids`` matches invocations on any of those instances (the API filters by one: one
    listing each, merged). The API gives output only to a query by InvokeId or InstanceId; for
    other queries the output is fetched per invocation. ``max_results`` stops listing early.
    """
    params = dict((api, filters[name]) for name, api in INFO_FILTERS if filters.get(name))
    if filters.get('tags'):
        params['Tag'] = tag_params(filters['tags'])
    instance_ids = sorted(set(filters.get('instance_ids') or []))
    direct = bool(params.get('InvokeId') or instance_ids)
    if include_output and direct:
        params['IncludeOutput'] = True
    queries = [dict(params, InstanceId=instance_id) for instance_id in instance_ids] or [params]
    found, seen = [], set()
    for query in queries:
        for raw in client.paginate('DescribeInvocations', query):
            if raw['InvokeId'] in seen:
                continue
            seen.add(raw['InvokeId'])
            found.append(raw)
            if max_results and len(found) >= max_results and len(queries) == 1:
                break
    if len(queries) > 1:
        found.sort(key=lambda raw: raw.get('CreationTime') or '', reverse=True)
    if max_results:
        found = found[:max_results]
    if include_output and not direct:
        found = [describe(client, raw['InvokeId'], include_output=True) or raw for raw in found]
    return [invocation_result(raw) for raw in found]
