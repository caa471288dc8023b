# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the modules return about invocations, and the messages and warnings about them.

API answers (DescribeInvocations items) become the invocation dict of DESIGN.md; several
invocations that together cover one instance set (an earlier run and the rerun of its failed
part) become one such dict over the whole set.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

from ansible_collections.alicloud.ecs.plugins.module_utils.client import api_int, base64_text, tags_dict

# Instance-level statuses of a command that has not run, or did not run to an exit code.
NEVER_RAN = ('Invalid', 'Aborted', 'Pending', 'Scheduled')
# Instance-level statuses that count as done or under way: the instance needs no new run.
INSTANCE_PRESENT = ('Success', 'Pending', 'Running', 'Scheduled')
INSTANCE_ACTIVE = ('Pending', 'Running', 'Scheduled', 'Stopping')
INSTANCE_STOPPED = ('Stopped', 'Cancelled', 'Terminated')
# Instance-level statuses that count against max_failures: the command did not succeed there.
INSTANCE_FAILED = ('Failed', 'Error', 'Timeout', 'Invalid', 'Aborted')
# How many lines of a failing instance's output a message quotes, and how many characters at most.
TAIL_LINES = 5
TAIL_CHARS = 400
# A message names at most this many instances.
MESSAGE_INSTANCES = 20


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


def raw_instances(raw):
    """The per-instance records of a DescribeInvocations item."""
    instances = raw.get('InvokeInstances') or {}
    if isinstance(instances, dict):
        instances = instances.get('InvokeInstance') or []
    return instances


def instance_result(raw, invoke_id=None):
    """One instance's part of an invocation, as the modules return it (output decoded from Base64)."""
    return dict(
        instance_id=raw.get('InstanceId'),
        invoke_id=invoke_id,
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
        oss_output=_oss_output(raw),
    )


def _oss_output(raw):
    """Where the instance's output was delivered (OssOutputDelivery), as the API reports it; None when not asked."""
    if not (raw.get('OssOutputStatus') or raw.get('OssOutputUri')):
        return None
    return dict(status=raw.get('OssOutputStatus') or None, uri=raw.get('OssOutputUri') or None,
                error_code=raw.get('OssOutputErrorCode') or None, error_info=raw.get('OssOutputErrorInfo') or None)


def invocation_result(raw):
    """The invocation dict every module returns, from a DescribeInvocations item."""
    instances = sorted((instance_result(item, raw.get('InvokeId')) for item in raw_instances(raw)),
                       key=lambda item: item['instance_id'])
    return dict(
        invoke_id=raw.get('InvokeId'),
        invoke_ids=[raw.get('InvokeId')],
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
        launcher=raw.get('Launcher') or None,
        termination_mode=raw.get('TerminationMode') or None,
        oss_output_delivery=raw.get('OssOutputDelivery') or None,
        creation_time=raw.get('CreationTime'),
        tags=tags_dict((raw.get('Tags') or {}).get('Tag') or []),
        instance_ids=[item['instance_id'] for item in instances],
        instances=instances,
    )


def rollup(statuses):
    """The invocation-level status of a set of instance-level statuses, as the API's table rolls it up."""
    statuses = list(statuses)
    for active in ('Pending', 'Scheduled', 'Running', 'Stopping'):
        if active in statuses:
            return active
    succeeded = statuses.count('Success')
    stopped = sum(1 for status in statuses if status in INSTANCE_STOPPED)
    if succeeded and succeeded + stopped == len(statuses):
        return 'Success'
    if succeeded:
        return 'PartialFailed'
    if statuses and stopped == len(statuses):
        return 'Stopped'
    return 'Failed'


def combined_result(parts, instance_ids):
    """One invocation dict over ``instance_ids`` from several DescribeInvocations items, newest first.

    Each instance is reported from the newest item that covers it. The top-level attributes
    are the newest item's; ``invoke_ids`` lists every item that contributed, newest first.
    """
    results = [invocation_result(raw) for raw in parts]
    if len(results) == 1 and results[0]['instance_ids'] == sorted(instance_ids):
        return results[0]
    chosen = {}
    used = []
    for result in results:
        taken = False
        for item in result['instances']:
            if item['instance_id'] in instance_ids and item['instance_id'] not in chosen:
                chosen[item['instance_id']] = item
                taken = True
        if taken:
            used.append(result['invoke_id'])
    instances = [chosen[i] for i in sorted(chosen)]
    combined = dict(results[0]) if results else {}
    combined.update(invoke_ids=used, status=rollup(item['status'] for item in instances),
                    instance_ids=[item['instance_id'] for item in instances], instances=instances)
    return combined


def _tail(output):
    lines = [line for line in (output or '').rstrip('\n').splitlines() if line.strip()]
    text = ' | '.join(lines[-TAIL_LINES:])
    return text if len(text) <= TAIL_CHARS else '...' + text[-TAIL_CHARS:]


def describe_instance(item, with_output=False):
    """``i-1 Failed (ExitCodeNonzero, exit code 1: no such file)`` for messages."""
    details = [item['error_code']] if item['error_code'] else []
    ran = item['status'] not in NEVER_RAN and item['status'] not in INSTANCE_ACTIVE
    if item['exit_code'] is not None and ran:
        details.append('exit code {0}'.format(item['exit_code']))
    text = ', '.join(details)
    if item.get('error_info'):
        text += (': ' if text else '') + item['error_info']
    if with_output and item.get('output'):
        text += '; output ends: ' + _tail(item['output'])
    return '{0} {1}{2}'.format(item['instance_id'], item['status'], ' ({0})'.format(text) if text else '')


def bounded(phrases, separator=', ', limit=MESSAGE_INSTANCES):
    """Join at most ``limit`` phrases and say how many more there are: ``a, b and 3 more``."""
    phrases = list(phrases)
    text = separator.join(phrases[:limit])
    if len(phrases) > limit:
        text += ' and {0} more'.format(len(phrases) - limit)
    return text


def instance_summary(result, only_failed=False, with_output=False):
    """``i-1 Failed (...); i-2 Running`` for messages, naming at most MESSAGE_INSTANCES instances."""
    items = [item for item in result['instances']
             if not (only_failed and item['status'] in ('Success', 'Stopped', 'Scheduled'))]
    return bounded((describe_instance(item, with_output) for item in items), separator='; ')


def failure_message(result):
    """The message for a Failed or PartialFailed run, naming each failing instance and what it printed last."""
    invoke = result['invoke_id'] if len(result.get('invoke_ids') or []) <= 1 else ', '.join(result['invoke_ids'])
    label = 'invocation' if len(result.get('invoke_ids') or []) <= 1 else 'invocations'
    return '{0} {1} finished {2}: {3}'.format(label, invoke, result['status'],
                                              instance_summary(result, only_failed=True, with_output=True))


def dropped_warning(result):
    """A warning when the service cut output (Dropped > 0), or None."""
    cut = [item for item in result.get('instances') or [] if item.get('dropped')]
    if not cut:
        return None
    named = bounded('{0} ({1} bytes)'.format(item['instance_id'], item['dropped']) for item in cut)
    return ('Cloud Assistant keeps at most 24 KB of output per instance; output was cut on {0}. Write large output '
            'to a file on the instance, or deliver it to OSS with oss_output_delivery.'.format(named))


def summary(result, not_started=(), skipped=()):
    """Counts that read at fleet size: instances by status, and those that ran by exit code (as text: JSON keys
    are strings)."""
    by_status, by_exit_code = {}, {}
    for item in result.get('instances') or []:
        by_status[item['status']] = by_status.get(item['status'], 0) + 1
        if item['exit_code'] is not None and item['status'] not in NEVER_RAN:
            code = str(item['exit_code'])
            by_exit_code[code] = by_exit_code.get(code, 0) + 1
    return dict(total=len(result.get('instances') or []), status=by_status, exit_code=by_exit_code,
                not_started=len(not_started), skipped=len(skipped))


def output_groups(result):
    """The instances grouped by identical (status, exit code, output), largest group first, as clush -b folds them."""
    groups = {}
    for item in result.get('instances') or []:
        key = (item['status'], item['exit_code'], item['output'])
        groups.setdefault(key, []).append(item['instance_id'])
    ordered = sorted(groups.items(), key=lambda entry: (-len(entry[1]), min(entry[1])))
    return [dict(instance_ids=sorted(ids), status=status, exit_code=exit_code, output=output)
            for (status, exit_code, output), ids in ordered]
