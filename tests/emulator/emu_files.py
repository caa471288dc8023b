# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""SendFile and DescribeSendFileResults: files written into each instance's scratch root."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import binascii
import grp
import os
import pwd
import re
import time

import emu_common as common
from emu_common import ApiError, iso_time
from emu_state import Record, rollup

SEND_FILE_INSTANCE_LIMIT = 50     # InstanceId.N per SendFile
FILE_CONTENT_LIMIT = 32 * 1024    # Content at most 32 KB once Base64-encoded
FILE_MODE_RE = re.compile(r'^[0-7]{3,4}$')

FILE_ERROR_INFO = {
    'InstanceNotRunning': 'the specified instance was not running during task execution',
    'ClientNotRunning': 'the aliyun service is not running on the instance',
    'FileAlreadyExists': 'the file already exists on the instance and Overwrite is false',
    'UserOrGroupNotExist': 'the specified user or group does not exist on the instance',
    'FilePathInvalid': 'the target path is not valid',
}


class FileSend(object):
    """One SendFile call: what was sent and one record per instance."""

    def __init__(self, invoke_id, region, fields, instance_ids):
        self.invoke_id = invoke_id
        self.region = region
        self.fields = fields                # name, description, content (as sent), content_type, target_dir, ...
        self.created = time.time()
        self.seq = 0
        self.records = [Record(i, self.created) for i in instance_ids]

    @property
    def status(self):
        return rollup([r.status for r in self.records])


def _content(params):
    raw = params.get('Content')
    if raw is None or raw == '':
        raise common.missing('Content')
    content_type = params.get('ContentType') or 'PlainText'
    if content_type.lower() not in ('plaintext', 'base64'):
        raise common.invalid('ContentType', 'Valid values: PlainText, Base64.')
    content_type = 'Base64' if content_type.lower() == 'base64' else 'PlainText'
    if content_type == 'Base64':
        try:
            data = base64.b64decode(raw.encode('ascii'), validate=True)
        except (binascii.Error, ValueError, UnicodeEncodeError):
            raise common.invalid('Content', 'It is not valid Base64.')
        size = len(raw)
    else:
        data = raw.encode('utf-8')
        size = len(base64.b64encode(data))
    if size > FILE_CONTENT_LIMIT:
        raise ApiError(403, 'InvalidContent.ExceedLimit', 'The content exceeds 32 KB once Base64-encoded.')
    return raw, content_type, data


def _fields(ctx, params):
    raw, content_type, data = _content(params)
    name = params.get('Name')
    if not name:
        raise common.missing('Name')
    if '/' in name or name in ('.', '..') or len(name) > 255:
        raise common.invalid('Name')
    target_dir = params.get('TargetDir')
    if not target_dir:
        raise common.missing('TargetDir')
    if not target_dir.startswith('/') or len(target_dir) > 255:
        raise common.invalid('TargetDir', 'An absolute path is expected.')
    mode = params.get('FileMode') or '0644'
    if not FILE_MODE_RE.match(mode):
        raise common.invalid('FileMode', 'An octal mode such as 0644 is expected.')
    return {
        'name': name, 'description': params.get('Description', ''), 'content': raw, 'content_type': content_type,
        'data': data, 'target_dir': target_dir, 'file_mode': mode,
        'file_owner': params.get('FileOwner') or 'root', 'file_group': params.get('FileGroup') or 'root',
        'overwrite': bool(common.parse_bool(params, 'Overwrite', False)),
        'timeout': common.parse_int(params, 'Timeout', 60, ctx.state.min_timeout, 86400, code='InvalidParam.Timeout'),
        'tags': dict((k, v or '') for k, v in common.tag_param(params, 'Tag')),
        'resource_group_id': common.resource_group(ctx, params),
    }


def _instance_ids(ctx, params, group):
    ids = []
    for instance_id in common.list_param(params, 'InstanceId'):
        if instance_id not in ids:
            ids.append(instance_id)
    if not ids:
        raise ApiError(400, 'MissingParam.InstanceId', 'The parameter instanceId is missing or empty.')
    if len(ids) > SEND_FILE_INSTANCE_LIMIT:
        raise ApiError(403, 'InstanceIds.ExceedLimit', 'The number of instance IDs exceeds the upper limit.')
    for instance_id in ids:
        instance = ctx.state.instances.get(instance_id)
        if instance is None or instance.region != ctx.region or (group and instance.resource_group_id != group):
            raise ApiError(404, 'InvalidInstance.NotFound', 'The specified instance does not exist.')
    return ids


def send_file(ctx, params):
    state = ctx.state
    with state.lock:
        key, known = common.idempotent(ctx, 'SendFile', params)
        if known:
            return dict(known)
        fields = _fields(ctx, params)
        send = FileSend(common.new_id('f', ctx.region), ctx.region, fields,
                        _instance_ids(ctx, params, fields['resource_group_id']))
        send.seq = state.next_seq()
        state.file_sends[send.invoke_id] = send
        delay = state.pending_delay if state.controls is None else state.controls.pending_delay(state.pending_delay)
        start = time.time() + max(0.0, delay)
        for record in send.records:
            state.timeline.at(start, _deliver, state, send, record)
        answer = {'InvokeId': send.invoke_id}
        common.remember(ctx, key, 'SendFile', params, answer)
        return answer


def _deliver(state, send, record):
    """On the timeline: write the file on one instance (or end the record with its error)."""
    with state.lock:
        instance = state.instances.get(record.instance_id)
        now = time.time()
        record.start_time = now
        code = _write(state, send.fields, instance)
        record.status = 'Failed' if code else 'Success'
        if code in ('InstanceNotRunning', 'ClientNotRunning'):
            record.status = 'Aborted'
        record.error_code = code or ''
        record.error_info = FILE_ERROR_INFO.get(code, '') if code else ''
        record.finish_time = record.updated = time.time()


def _write(state, fields, instance):
    """Write the file into the instance's scratch root; answer an error code or None."""
    if instance.status != 'Running':
        return 'InstanceNotRunning'
    if state.controls is not None and state.controls.offline(instance.instance_id):
        return 'ClientNotRunning'
    if instance.os_type != 'linux':
        return None                           # Windows: accepted and reported, nothing is written
    owner, group = fields['file_owner'], fields['file_group']
    try:
        uid = pwd.getpwnam(owner).pw_uid
        gid = grp.getgrnam(group).gr_gid
    except KeyError:
        return 'UserOrGroupNotExist'
    if not instance.scratch_ready:
        state.prepare_scratch(instance)
    directory = state.map_dir(instance.instance_id, fields['target_dir'])
    if directory is None:
        return 'FilePathInvalid'
    path = os.path.join(directory, fields['name'])
    if os.path.lexists(path) and not fields['overwrite']:
        return 'FileAlreadyExists'
    try:
        os.makedirs(directory, exist_ok=True)
        if os.path.isdir(path):
            return 'FilePathInvalid'
        with open(path, 'wb') as handle:
            handle.write(fields['data'])
        os.chmod(path, int(fields['file_mode'], 8))
    except OSError:
        return 'FilePathInvalid'
    try:
        os.chown(path, uid, gid)
    except OSError:
        pass                                  # not allowed to the local user: the file stays the emulator's
    return None


def _send_answer(send):
    fields = send.fields
    return {
        'InvokeId': send.invoke_id,
        'Name': fields['name'],
        'Description': fields['description'],
        'Content': fields['content'],
        'ContentType': fields['content_type'],
        'TargetDir': fields['target_dir'],
        'FileMode': fields['file_mode'],
        'FileOwner': fields['file_owner'],
        'FileGroup': fields['file_group'],
        'Overwrite': fields['overwrite'],
        'CreationTime': iso_time(send.created),
        'InvocationStatus': send.status,
        'VmCount': len(send.records),
        'Tags': common.tags_answer(fields['tags']),
        'InvokeInstances': {'InvokeInstance': [_record_answer(r) for r in send.records]},
    }


def _record_answer(record):
    answer = {
        'InstanceId': record.instance_id,
        'InvocationStatus': record.status,
        'ErrorCode': record.error_code,
        'ErrorInfo': record.error_info,
        'CreationTime': iso_time(record.created),
        'UpdateTime': iso_time(record.updated),
    }
    for name, value in (('StartTime', record.start_time), ('FinishTime', record.finish_time)):
        if value is not None:
            answer[name] = iso_time(value)
    return answer


def describe_send_file_results(ctx, params):
    wanted_tags = common.tag_param(params, 'Tag')
    instance_id = params.get('InstanceId')
    status = (params.get('InvocationStatus') or '').lower()
    with ctx.state.lock:
        found = [s for s in ctx.state.file_sends.values()
                 if s.region == ctx.region
                 and params.get('InvokeId') in (None, '', s.invoke_id)
                 and params.get('Name') in (None, '', s.fields['name'])
                 and (not instance_id or instance_id in [r.instance_id for r in s.records])
                 and (not status or s.status.lower() == status)
                 and (not params.get('ResourceGroupId') or s.fields['resource_group_id'] == params['ResourceGroupId'])
                 and common.tags_match(s.fields['tags'], wanted_tags)]
        found.sort(key=lambda s: -s.seq)
        page, paging = common.paginate(found, lambda s: (-s.seq,), params, 10, 50)
        answer = dict(paging)
        answer['Invocations'] = {'Invocation': [_send_answer(s) for s in page]}
    return answer
