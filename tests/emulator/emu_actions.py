# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The ECS actions the emulator answers: parameter checks and answer shapes as the real API."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import binascii
import json
import re
import time

import emu_common as common
import emu_files
from emu_common import ApiError, iso_time
from emu_state import ACTIVE, Command, Invocation, LEGACY_INVOCATION, legacy_record_status, parameter_names

COMMAND_TYPES = ('RunShellScript', 'RunBatScript', 'RunPowerShellScript')
REPEAT_MODES = ('Once', 'Period', 'NextRebootOnly', 'EveryReboot')
RATE_RE = re.compile(r'^rate\(\s*(\d+)\s*([smhd])\s*\)$')
AT_RE = re.compile(r'^at\(\s*(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(Z|[+-]\d{2}:?\d{2})?(\s+\S+)?\s*\)$')
CRON_FIELD_RE = re.compile(r'^[0-9A-Za-z*?/,\-#]+$')
# oss://<bucket>/<prefix>: a bucket name of 3-63 letters, digits and hyphens, then an optional prefix.
OSS_RE = re.compile(r'^oss://[A-Za-z0-9][A-Za-z0-9-]{1,61}[A-Za-z0-9](/[^\s]*)?$')
TZ_RE = re.compile(r'^(UTC|GMT[+-]\d{1,2}:\d{2}|[A-Za-z_]+(/[A-Za-z_\-]+)+)$')


class Context(object):
    def __init__(self, state, region):
        self.state = state
        self.region = region


# -- helpers ---------------------------------------------------------------------------------

def _command_content(params, default_encoding):
    """Decode CommandContent per ContentEncoding; check Base64 validity and the 24 KB limit."""
    raw = params.get('CommandContent')
    if raw is None or raw == '':
        raise common.missing('CommandContent')
    encoding = common.content_encoding(params, default_encoding)
    if encoding == 'Base64':
        try:
            data = base64.b64decode(raw.encode('ascii'), validate=True)
        except (binascii.Error, ValueError, UnicodeEncodeError):
            raise ApiError(400, 'InvalidParameter.CommandContent', 'The specified parameter CommandContent is not valid Base64.')
        encoded_size = len(raw)
    else:
        data = raw.encode('utf-8')
        encoded_size = len(base64.b64encode(data))
    if encoded_size > common.CONTENT_LIMIT:
        raise ApiError(403, 'CmdContent.ExceedLimit', 'The maximum length of a command is exceeded.')
    return data.decode('utf-8', 'replace')


def _timeout(params, state, default=None):
    return common.parse_int(params, 'Timeout', default, state.min_timeout, 86400, code='InvalidParam.Timeout')


def _tags(params):
    return dict((k, v or '') for k, v in common.tag_param(params, 'Tag'))


def _check_type(value):
    if not value:
        raise common.missing('Type')
    if value not in COMMAND_TYPES:
        raise ApiError(404, 'InvalidCmdType.NotFound', 'The specified command type does not exist.')
    return value


def _command_from_params(ctx, params, default_encoding, visible=True, default_name=None):
    name = params.get('Name') or default_name
    if not name:
        raise common.missing('Name')
    if len(name) > 128:
        raise ApiError(400, 'InvalidCmdName.Malformed', 'The specified command name is not valid.')
    command_type = _check_type(params.get('Type'))
    content = _command_content(params, default_encoding)
    launcher = _launcher(params)
    return Command(common.new_id('c', ctx.region), ctx.region, name, command_type, content,
                   description=params.get('Description', ''), working_dir=params.get('WorkingDir', ''),
                   timeout=_timeout(params, ctx.state, 60),
                   enable_parameter=bool(common.parse_bool(params, 'EnableParameter', False)),
                   launcher=launcher, tags=_tags(params), visible=visible)


def _check_frequency(value):
    """rate(<n><s|m|h|d>), at(<date> <time> [zone]) or a cron expression (6 fields, optional year, optional zone)."""
    match = RATE_RE.match(value)
    if match:
        if int(match.group(1)) <= 0:
            raise _bad_frequency()
        return
    if AT_RE.match(value):
        return
    fields = value.split()
    if len(fields) in (7, 8) and TZ_RE.match(fields[-1]):
        fields = fields[:-1]
    if len(fields) not in (6, 7) or not all(CRON_FIELD_RE.match(f) for f in fields):
        raise _bad_frequency()


def _bad_frequency():
    return ApiError(403, 'InvalidParam.Frequency', 'The specified frequency is invalid.')


def _parameters(params, command):
    raw = params.get('Parameters')
    if raw is None or raw.strip() in ('', '{}'):
        values = {}
    else:
        try:
            values = json.loads(raw)
        except ValueError:
            raise ApiError(400, 'InvalidParameter.Parameters', 'The specified parameter Parameters is not valid.')
        if not isinstance(values, dict):
            raise ApiError(400, 'InvalidParameter.Parameters', 'The specified parameter Parameters is not valid.')
    if values and not command.enable_parameter:
        raise ApiError(404, 'Parameter.Disabled', 'Parameters cannot be passed in when the command customization function is disabled.')
    if len(values) > 10:
        raise ApiError(403, 'ParameterCount.ExceedLimit', 'The maximum number of parameters is exceeded.')
    for key, value in values.items():
        if not key:
            raise ApiError(400, 'InvalidParameter.Parameters', 'The specified parameter Parameters is not valid.')
        if len(key) > 64:
            raise ApiError(403, 'ParameterKey.ExceedLimit', 'The maximum length of a parameter name is exceeded.')
        if isinstance(value, (dict, list)):
            raise ApiError(403, 'ParameterType.NotSupported', 'The type of parameter value is not supported.')
    if command.enable_parameter:
        names = parameter_names(command.content)
        if set(names) - set(values) or set(values) - set(names):
            raise ApiError(403, 'Parameter.NotMatched', 'The passed-in parameters do not match the parameters defined when you created the command.')
    return dict((k, v if isinstance(v, str) else json.dumps(v)) for k, v in values.items())


def _instances_for_invoke(ctx, params):
    """The instance ids of an InvokeCommand / RunCommand: InstanceId.N, or those ResourceTag.N selects."""
    ids = common.list_param(params, 'InstanceId')
    resource_tags = common.tag_param(params, 'ResourceTag', common.RESOURCE_TAG_LIMIT)
    group = common.resource_group(ctx, params)
    state = ctx.state
    if ids and resource_tags:
        raise ApiError(400, 'InvalidResourceTag.ConflictWithInstanceIds', 'The specified param ResourceTag conflicts with InstanceId.')
    if resource_tags:
        ids = [i.instance_id for i in state.region_instances(ctx.region)
               if common.tags_match(i.tags, resource_tags) and (not group or i.resource_group_id == group)]
        if not ids:
            raise ApiError(400, 'InvalidResourceTag.InstanceNotFound', 'InstanceIds are not found by the specified ResourceTag.')
    if not ids:
        raise ApiError(400, 'MissingParam.InstanceId', 'The parameter instanceId is missing or empty.')
    unique = []
    for instance_id in ids:
        if instance_id not in unique:
            unique.append(instance_id)
    # The same limit holds for the instances a ResourceTag selects ("cannot exceed 100", says the reference).
    if len(unique) > common.INVOKE_INSTANCE_LIMIT:
        raise ApiError(403, 'InstanceIds.ExceedLimit', 'The number of instance IDs exceeds the upper limit.')
    for instance_id in unique:
        instance = state.instances.get(instance_id)
        if instance is None or instance.region != ctx.region or (group and instance.resource_group_id != group):
            raise ApiError(404, 'InvalidInstance.NotFound', 'The specified instance does not exist.')
    return unique


def _oss_output_delivery(params):
    value = params.get('OssOutputDelivery', '')
    if value and not OSS_RE.match(value):
        raise ApiError(400, 'InvalidParameter.OssOutputDelivery', 'The specified parameter OssOutputDelivery is not valid: oss://<bucket>/<prefix> expected.')
    return value


def _launcher(params):
    launcher = params.get('Launcher', '')
    if len(launcher.encode('utf-8')) > 1024:
        raise ApiError(403, 'InvalidLauncher.LengthLimitExceeded', 'The length of the parameter Launcher exceeds the limit of 1 KB characters.')
    return launcher


def _invoke_options(ctx, params, command):
    repeat_mode = params.get('RepeatMode')
    frequency = params.get('Frequency', '')
    timed = common.parse_bool(params, 'Timed', None)
    if repeat_mode and repeat_mode not in REPEAT_MODES:
        raise ApiError(404, 'InvalidRepeatMode.NotFound', 'The specified repeat mode does not exist.')
    if not repeat_mode:
        if timed and not frequency:
            raise ApiError(403, 'MissingParam.Frequency', 'The frequency must be specified when you create a timed task.')
        repeat_mode = 'Period' if (frequency and timed is not False) else 'Once'
    if repeat_mode == 'Period':
        if not frequency:
            raise ApiError(403, 'MissingParam.Frequency', 'The frequency must be specified when you create a timed task.')
        _check_frequency(frequency)
    elif repeat_mode != 'Once':
        frequency = ''
    username = params.get('Username', '')
    if len(username) > 255:
        raise ApiError(403, 'Username.ExceedLimit', 'The length of the username exceeds the upper limit.')
    password_name = params.get('WindowsPasswordName', '')
    if len(password_name) > 255:
        raise ApiError(403, 'WindowsPasswordName.ExceedLimit', 'The length of the WindowsPasswordName exceeds the upper limit.')
    termination = params.get('TerminationMode', '')
    if termination and termination not in ('Process', 'ProcessTree'):
        raise ApiError(404, 'InvalidTerminationMode.NotFound', 'The specified parameter TerminationMode does not exist.')
    working_dir = params.get('WorkingDir', '')
    if len(working_dir) > 200:
        raise ApiError(400, 'InvalidParameter.WorkingDir', 'The specified parameter WorkingDir is not valid.')
    return {
        'parameters': _parameters(params, command),
        'repeat_mode': repeat_mode,
        'frequency': frequency if repeat_mode == 'Period' else '',
        'timeout': _timeout(params, ctx.state),
        'username': username,
        'working_dir': working_dir,
        'windows_password_name': password_name,
        'container_id': params.get('ContainerId', ''),
        'container_name': params.get('ContainerName', ''),
        'launcher': _launcher(params),
        'termination_mode': termination,
        'tags': _tags(params),
        'oss_output_delivery': _oss_output_delivery(params),
        'resource_group_id': common.resource_group(ctx, params),
    }


def _invoke(ctx, params, command):
    instance_ids = _instances_for_invoke(ctx, params)
    options = _invoke_options(ctx, params, command)
    invocation = Invocation(common.new_id('t', ctx.region), ctx.region, command, options, instance_ids)
    command.invoke_times += 1
    ctx.state.add_invocation(invocation)
    return invocation


# -- commands --------------------------------------------------------------------------------

def create_command(ctx, params):
    with ctx.state.lock:
        key, known = common.idempotent(ctx, 'CreateCommand', params)
        if known:
            return dict(known)
        command = ctx.state.add_command(_command_from_params(ctx, params, 'Base64'))
        answer = {'CommandId': command.command_id}
        common.remember(ctx, key, 'CreateCommand', params, answer)
        return answer


def _existing_command(ctx, params):
    command_id = params.get('CommandId')
    if not command_id:
        raise common.missing('CommandId')
    command = ctx.state.find_command(ctx.region, command_id)
    if command is None:
        raise ApiError(404, 'InvalidCmdId.NotFound', 'The specified command ID does not exist.')
    return command


def modify_command(ctx, params):
    with ctx.state.lock:
        command = _existing_command(ctx, params)
        changes = {}
        if params.get('Name'):
            changes['name'] = params['Name']
        if 'Description' in params:
            changes['description'] = params['Description']
        if params.get('CommandContent'):
            changes['content'] = _command_content(params, 'Base64')
        if params.get('Timeout'):
            changes['timeout'] = _timeout(params, ctx.state)
        if 'WorkingDir' in params:
            changes['working_dir'] = params['WorkingDir']
        if 'Launcher' in params:
            changes['launcher'] = _launcher(params)
        for attribute, value in changes.items():
            setattr(command, attribute, value)
    return {}


def delete_command(ctx, params):
    with ctx.state.lock:
        command = _existing_command(ctx, params)
        del ctx.state.commands[command.command_id]
    return {}


def _command_answer(command, encoding):
    names = parameter_names(command.content) if command.enable_parameter else []
    return {
        'CommandId': command.command_id,
        'Name': command.name,
        'Type': command.command_type,
        'Description': command.description,
        'CommandContent': common.encode_text(command.content, encoding),
        'WorkingDir': command.working_dir,
        'Timeout': command.timeout,
        'EnableParameter': command.enable_parameter,
        'ParameterNames': {'ParameterName': names},
        'ParameterDefinitions': {'ParameterDefinition': [
            {'ParameterName': n, 'Required': True, 'DefaultValue': '', 'Description': '',
             'PossibleValues': {'PossibleValue': []}, 'PatternRegex': ''} for n in names]},
        'Launcher': command.launcher,
        'CreationTime': iso_time(command.created),
        'InvokeTimes': command.invoke_times,
        'Latest': True,
        'Version': 1,
        'Category': '',
        'ResourceGroupId': '',
        'Tags': common.tags_answer(command.tags),
    }


def describe_commands(ctx, params):
    encoding = common.content_encoding(params, 'Base64')
    wanted_tags = common.tag_param(params, 'Tag')
    command_type = params.get('Type')
    provider = params.get('Provider')
    with ctx.state.lock:
        found = [c for c in ctx.state.commands.values()
                 if c.region == ctx.region and c.visible and not provider
                 and params.get('CommandId') in (None, '', c.command_id)
                 and (not command_type or c.command_type == command_type)
                 and common.wildcard_match(params.get('Name') or None, c.name)
                 and common.wildcard_match(params.get('Description') or None, c.description)
                 and common.tags_match(c.tags, wanted_tags)]
        found.sort(key=lambda c: -c.seq)
        page, paging = common.paginate(found, lambda c: (-c.seq,), params, 10, 50)
        answer = dict(paging)
        answer['Commands'] = {'Command': [_command_answer(c, encoding) for c in page]}
    return answer


# -- invocations -----------------------------------------------------------------------------

def invoke_command(ctx, params):
    with ctx.state.lock:
        key, known = common.idempotent(ctx, 'InvokeCommand', params)
        if known:
            return dict(known)
        command = _existing_command(ctx, params)
        invocation = _invoke(ctx, params, command)
        answer = {'InvokeId': invocation.invoke_id}
        common.remember(ctx, key, 'InvokeCommand', params, answer)
        return answer


def run_command(ctx, params):
    with ctx.state.lock:
        key, known = common.idempotent(ctx, 'RunCommand', params)
        if known:
            return dict(known)
        keep = bool(common.parse_bool(params, 'KeepCommand', False))
        command = _command_from_params(ctx, params, 'PlainText', visible=keep,
                                       default_name='RunCommand-%s' % common.request_id()[:8].lower())
        # Validate the invocation before the command is kept, so a refused call leaves nothing behind.
        _instances_for_invoke(ctx, params)
        _invoke_options(ctx, params, command)
        ctx.state.add_command(command)
        invocation = _invoke(ctx, params, command)
        answer = {'CommandId': command.command_id, 'InvokeId': invocation.invoke_id}
        common.remember(ctx, key, 'RunCommand', params, answer)
        return answer


def _existing_invocation(ctx, params):
    invoke_id = params.get('InvokeId')
    if not invoke_id:
        raise common.missing('InvokeId')
    invocation = ctx.state.invocations.get(invoke_id)
    if invocation is None or invocation.region != ctx.region:
        raise ApiError(404, 'InvalidInvokeId.NotFound', 'The specified invoke ID does not exist.')
    return invocation


def stop_invocation(ctx, params):
    with ctx.state.lock:
        invocation = _existing_invocation(ctx, params)
        ids = common.list_param(params, 'InstanceId')
        if len(ids) > 50:
            raise ApiError(403, 'InstanceIds.ExceedLimit', 'The number of instance IDs exceeds the upper limit.')
        known = set(r.instance_id for r in invocation.records)
        for instance_id in ids:
            if instance_id not in known:
                raise ApiError(404, 'InvalidInstance.NotFound', 'The specified instance does not exist.')
    ctx.state.stop(invocation, set(ids) if ids else None)
    return {}


def _oss_fields(invocation, record):
    """Where the output went when OssOutputDelivery was asked (the emulator keeps no bucket: see README)."""
    if not invocation.oss_output_delivery:
        return {}
    done = record.status not in ACTIVE
    return {
        'OssOutputStatus': 'Finished' if done else 'Pending',
        'OssOutputUri': '%s/%s/%s' % (invocation.oss_output_delivery.rstrip('/'), invocation.invoke_id, record.instance_id) if done else '',
        'OssOutputErrorCode': '',
        'OssOutputErrorInfo': '',
    }


def _record_answer(invocation, record, encoding, include_output):
    answer = {
        'InstanceId': record.instance_id,
        'InvocationStatus': record.status,
        'InstanceInvokeStatus': legacy_record_status(record.status),
        'ExitCode': record.exit_code,
        'Dropped': record.dropped,
        'ErrorCode': record.error_code,
        'ErrorInfo': record.error_info,
        'CreationTime': iso_time(record.created),
        'UpdateTime': iso_time(record.updated),
        'Repeats': record.repeats,
        'Timed': invocation.timed,
    }
    if include_output:
        answer['Output'] = common.encode_text(record.output, encoding)
    answer.update(_oss_fields(invocation, record))
    for name, value in (('StartTime', record.start_time), ('FinishTime', record.finish_time), ('StopTime', record.stop_time)):
        if value is not None:
            answer[name] = iso_time(value)
    return answer


def _invocation_answer(invocation, encoding, include_output):
    status = invocation.status
    return {
        'InvokeId': invocation.invoke_id,
        'CommandId': invocation.command_id,
        'CommandName': invocation.command_name,
        'CommandType': invocation.command_type,
        'CommandContent': common.encode_text(invocation.command_content, encoding),
        'CommandDescription': invocation.command_description,
        'Parameters': json.dumps(invocation.parameters, separators=(',', ':'), sort_keys=True),
        'InvocationStatus': status,
        'InvokeStatus': LEGACY_INVOCATION[status],
        'RepeatMode': invocation.repeat_mode,
        'Frequency': invocation.frequency,
        'Timed': invocation.timed,
        'Timeout': invocation.timeout,
        'Username': invocation.username,
        'WorkingDir': invocation.working_dir,
        'CreationTime': iso_time(invocation.created),
        'ContainerId': invocation.container_id,
        'ContainerName': invocation.container_name,
        'Launcher': invocation.launcher,
        'TerminationMode': invocation.termination_mode,
        'OssOutputDelivery': invocation.oss_output_delivery,
        'Tags': common.tags_answer(invocation.tags),
        'InvokeInstances': {'InvokeInstance': [_record_answer(invocation, r, encoding, include_output) for r in invocation.records]},
    }


def _status_matches(wanted, current, legacy):
    return not wanted or wanted.lower() in (current.lower(), legacy.lower())


def describe_invocations(ctx, params):
    encoding = common.content_encoding(params, 'Base64')
    include_output = bool(common.parse_bool(params, 'IncludeOutput', False))
    invoke_id = params.get('InvokeId')
    instance_id = params.get('InstanceId')
    if include_output and not invoke_id and not instance_id:
        raise ApiError(400, 'MissingParameter.InvokeIdOrInstanceId', 'IncludeOutput needs InvokeId or InstanceId to be specified.')
    timed = common.parse_bool(params, 'Timed', None)
    wanted_tags = common.tag_param(params, 'Tag')
    with ctx.state.lock:
        found = []
        for inv in ctx.state.invocations.values():
            if inv.region != ctx.region:
                continue
            if invoke_id and inv.invoke_id != invoke_id:
                continue
            if params.get('CommandId') and inv.command_id != params['CommandId']:
                continue
            if params.get('CommandName') and inv.command_name != params['CommandName']:
                continue
            if params.get('CommandType') and inv.command_type != params['CommandType']:
                continue
            if instance_id and instance_id not in [r.instance_id for r in inv.records]:
                continue
            status = inv.status
            if not _status_matches(params.get('InvokeStatus'), status, LEGACY_INVOCATION[status]):
                continue
            if params.get('RepeatMode') and inv.repeat_mode != params['RepeatMode']:
                continue
            if timed is not None and inv.timed != timed:
                continue
            if not common.tags_match(inv.tags, wanted_tags):
                continue
            if params.get('ResourceGroupId') and inv.resource_group_id != params['ResourceGroupId']:
                continue
            found.append(inv)
        found.sort(key=lambda i: -i.seq)
        page, paging = common.paginate(found, lambda i: (-i.seq,), params, 10, 50)
        answer = dict(paging)
        answer['Invocations'] = {'Invocation': [_invocation_answer(i, encoding, include_output) for i in page]}
    return answer


def _result_answer(invocation, record, encoding):
    answer = {
        'InvokeId': invocation.invoke_id,
        'InstanceId': record.instance_id,
        'CommandId': invocation.command_id,
        'InvocationStatus': record.status,
        'InvokeRecordStatus': legacy_record_status(record.status),
        'ExitCode': record.exit_code,
        'Output': common.encode_text(record.output, encoding),
        'Dropped': record.dropped,
        'ErrorCode': record.error_code,
        'ErrorInfo': record.error_info,
        'Repeats': record.repeats,
        'Username': invocation.username,
        'ContainerId': invocation.container_id,
        'ContainerName': invocation.container_name,
        'Launcher': invocation.launcher,
        'TerminationMode': invocation.termination_mode,
        'OssOutputDelivery': invocation.oss_output_delivery,
        'Tags': common.tags_answer(invocation.tags),
    }
    answer.update(_oss_fields(invocation, record))
    for name, value in (('StartTime', record.start_time), ('FinishedTime', record.finish_time), ('StopTime', record.stop_time)):
        if value is not None:
            answer[name] = iso_time(value)
    return answer


def describe_invocation_results(ctx, params):
    encoding = common.content_encoding(params, 'Base64')
    common.parse_bool(params, 'IncludeHistory', False)
    wanted_tags = common.tag_param(params, 'Tag')
    instance_id = params.get('InstanceId')
    with ctx.state.lock:
        rows = []
        for inv in ctx.state.invocations.values():
            if inv.region != ctx.region:
                continue
            if params.get('InvokeId') and inv.invoke_id != params['InvokeId']:
                continue
            if params.get('CommandId') and inv.command_id != params['CommandId']:
                continue
            if not common.tags_match(inv.tags, wanted_tags):
                continue
            if params.get('ResourceGroupId') and inv.resource_group_id != params['ResourceGroupId']:
                continue
            for index, record in enumerate(inv.records):
                if instance_id and record.instance_id != instance_id:
                    continue
                if not _status_matches(params.get('InvokeRecordStatus'), record.status, legacy_record_status(record.status)):
                    continue
                rows.append((inv, index, record))
        rows.sort(key=lambda row: (-row[0].seq, row[1]))
        page, paging = common.paginate(rows, lambda row: (-row[0].seq, row[1]), params, 10, 50)
        invocation = dict(paging)
        invocation['InvocationResults'] = {'InvocationResult': [_result_answer(inv, rec, encoding) for inv, _i, rec in page]}
    return {'Invocation': invocation}


# -- instances -------------------------------------------------------------------------------

INSTANCE_TYPES = {          # InstanceType: (Cpu, Memory in MiB)
    'ecs.g7.large': (2, 8192), 'ecs.g7.xlarge': (4, 16384), 'ecs.c7.xlarge': (4, 8192), 'ecs.r7.2xlarge': (8, 65536),
}


def _minute_time(epoch):
    """DescribeInstances writes its times to the minute: 2024-01-01T00:00Z."""
    return time.strftime('%Y-%m-%dT%H:%MZ', time.gmtime(epoch))


def _instance_answer(instance):
    cpu, memory = INSTANCE_TYPES.get(instance.instance_type, (2, 8192))
    eip = instance.eip or {'AllocationId': '', 'IpAddress': '', 'InternetChargeType': ''}
    tag = common.region_tag(instance.region)
    return {
        'InstanceId': instance.instance_id,
        'InstanceName': instance.name,
        'HostName': instance.instance_id,
        'Description': '',
        'Status': instance.status,
        'OSType': instance.os_type,
        'OSName': instance.os_name,
        'OSNameEn': instance.os_name,
        'RegionId': instance.region,
        'ZoneId': instance.zone,
        'InstanceType': instance.instance_type,
        'InstanceTypeFamily': instance.instance_type.rsplit('.', 1)[0],
        'Cpu': cpu,
        'Memory': memory,
        'ImageId': 'win2022_21H2_x64_dtc_en-us_40G_alibase_20240101.vhd' if instance.os_type == 'windows'
        else 'aliyun_3_x64_20G_alibase_20240101.vhd',
        'CreationTime': _minute_time(instance.created),
        'StartTime': _minute_time(instance.created),
        'ExpiredTime': _minute_time(instance.expired) if instance.expired else '2099-12-31T15:59Z',
        'InstanceChargeType': instance.charge_type,
        'InternetChargeType': 'PayByTraffic',
        'InternetMaxBandwidthOut': 5 if instance.public_ips else 0,
        'InstanceNetworkType': 'vpc',
        'IoOptimized': True,
        'DeletionProtection': False,
        'StoppedMode': 'KeepCharging' if instance.status == 'Stopped' else 'Not-applicable',
        'SerialNumber': 'emu-%08d-0000-4000-8000-000000000000' % instance.serial,
        'ResourceGroupId': instance.resource_group_id,
        'KeyPairName': '',
        'VpcAttributes': {
            'VpcId': instance.vpc_id,
            'VSwitchId': instance.vswitch_id,
            'NatIpAddress': '',
            'PrivateIpAddress': {'IpAddress': [instance.private_ip]},
        },
        'PublicIpAddress': {'IpAddress': list(instance.public_ips)},
        'InnerIpAddress': {'IpAddress': []},
        'EipAddress': dict(eip),
        'SecurityGroupIds': {'SecurityGroupId': list(instance.security_group_ids)},
        'NetworkInterfaces': {'NetworkInterface': [{
            'NetworkInterfaceId': 'eni-emu%s%011d' % (tag, instance.serial),
            'Type': 'Primary',
            'MacAddress': '00:16:3e:%02x:%02x:%02x' % ((instance.serial >> 16) & 255, (instance.serial >> 8) & 255,
                                                       instance.serial & 255),
            'PrimaryIpAddress': instance.private_ip,
            'PrivateIpSets': {'PrivateIpSet': [{'PrivateIpAddress': instance.private_ip, 'Primary': True}]},
        }]},
        'OperationLocks': {'LockReason': [dict(lock) for lock in instance.lock_reasons]},
        'Tags': common.tags_answer(instance.tags),
    }


def _instance_filter(params):
    """A predicate for the DescribeInstances filters that were given (all of them must hold)."""
    ids = common.json_list_param(params, 'InstanceIds')
    ids = set(ids) if ids is not None else None
    addresses = {}
    for name in ('PrivateIpAddresses', 'PublicIpAddresses', 'EipAddresses', 'InnerIpAddresses'):
        values = common.json_list_param(params, name)
        if values is not None:
            addresses[name] = set(values)
    wanted_tags = common.tag_param(params, 'Tag')
    plain = dict((attribute, params[name]) for name, attribute in (
        ('Status', 'status'), ('ZoneId', 'zone'), ('InstanceType', 'instance_type'), ('VpcId', 'vpc_id'),
        ('VSwitchId', 'vswitch_id'), ('ResourceGroupId', 'resource_group_id'),
        ('InstanceChargeType', 'charge_type')) if params.get(name))
    name_pattern = params.get('InstanceName') or None
    family = params.get('InstanceTypeFamily')
    group = params.get('SecurityGroupId')
    lock = params.get('LockReason')

    def matches(inst):
        if ids is not None and inst.instance_id not in ids:
            return False
        if any(getattr(inst, attribute) != value for attribute, value in plain.items()):
            return False
        if family and inst.instance_type.rsplit('.', 1)[0] != family:
            return False
        if group and group not in inst.security_group_ids:
            return False
        if lock and lock not in [entry['LockReason'] for entry in inst.lock_reasons]:
            return False
        have = {'PrivateIpAddresses': [inst.private_ip], 'PublicIpAddresses': inst.public_ips,
                'EipAddresses': [inst.eip['IpAddress']] if inst.eip else [], 'InnerIpAddresses': []}
        if any(not wanted.intersection(have[name]) for name, wanted in addresses.items()):
            return False
        return common.wildcard_match(name_pattern, inst.name) and common.tags_match(inst.tags, wanted_tags)
    return matches


def describe_instances(ctx, params):
    matches = _instance_filter(params)
    with ctx.state.lock:
        found = [inst for inst in ctx.state.region_instances(ctx.region) if matches(inst)]
        page, paging = common.paginate(found, lambda inst: (inst.instance_id,), params, 10, 100)
        answer = dict(paging)
        answer['Instances'] = {'Instance': [_instance_answer(inst) for inst in page]}
    return answer


def describe_cloud_assistant_status(ctx, params):
    ids = common.list_param(params, 'InstanceId')
    if len(ids) > 50:
        raise ApiError(403, 'InstanceIds.ExceedLimit', 'The number of instance IDs exceeds the upper limit.')
    os_type = (params.get('OSType') or '').lower()
    if os_type and os_type not in ('linux', 'windows'):
        raise ApiError(400, 'InvalidParameter.OSType', 'The specified parameter OSType is not valid.')
    now = time.time()
    controls = ctx.state.controls
    wanted = set(ids)
    with ctx.state.lock:
        found = [i for i in ctx.state.region_instances(ctx.region)
                 if (not ids or i.instance_id in wanted) and (not os_type or i.os_type == os_type)]
        page, paging = common.paginate(found, lambda i: (i.instance_id,), params, 50, 50)
        on_page = set(inst.instance_id for inst in page)
        active_counts = {}
        for inv in ctx.state.invocations.values():
            for record in inv.records:
                if record.instance_id in on_page and record.status in ('Pending', 'Running', 'Stopping'):
                    active_counts[record.instance_id] = active_counts.get(record.instance_id, 0) + 1
        rows = []
        for inst in page:
            online = inst.status == 'Running' and not (controls is not None and controls.offline(inst.instance_id))
            active = active_counts.get(inst.instance_id, 0)
            row = {
                'InstanceId': inst.instance_id,
                'CloudAssistantStatus': 'true' if online else 'false',
                'CloudAssistantVersion': '2.2.3.857' if inst.os_type == 'linux' else '2.1.3.857',
                'LastHeartbeatTime': iso_time(now if online else inst.created),
                'OSType': 'Linux' if inst.os_type == 'linux' else 'Windows',
                'InvocationCount': inst.invocation_count,
                'ActiveTaskCount': active,
                'SupportSessionManager': online,
            }
            if inst.last_invoked:
                row['LastInvokedTime'] = iso_time(inst.last_invoked)
            rows.append(row)
        answer = dict(paging)
        answer['InstanceCloudAssistantStatusSet'] = {'InstanceCloudAssistantStatus': rows}
    return answer


ACTIONS = {
    'CreateCommand': create_command,
    'ModifyCommand': modify_command,
    'DeleteCommand': delete_command,
    'DescribeCommands': describe_commands,
    'InvokeCommand': invoke_command,
    'RunCommand': run_command,
    'StopInvocation': stop_invocation,
    'DescribeInvocations': describe_invocations,
    'DescribeInvocationResults': describe_invocation_results,
    'DescribeInstances': describe_instances,
    'DescribeCloudAssistantStatus': describe_cloud_assistant_status,
    'SendFile': emu_files.send_file,
    'DescribeSendFileResults': emu_files.describe_send_file_results,
}


def dispatch(state, action, params):
    """Run one action; answers the body without RequestId, or raises ApiError."""
    handler = ACTIONS.get(action)
    if handler is None:
        raise ApiError(404, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.')
    region = params.get('RegionId')
    if not region:
        raise common.missing('RegionId')
    if region not in common.KNOWN_REGIONS:
        raise ApiError(404, 'InvalidRegionId.NotFound', 'The RegionId provided does not exist in our records.')
    return handler(Context(state, region), params)
