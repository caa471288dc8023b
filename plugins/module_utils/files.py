# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""SendFile: the request, the wait for DescribeSendFileResults, and the result shape.

Shared by the ecs_send_file module and the cloud_assistant connection plugin, so that the
limits and the statuses are read in one place.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import re
import time

from ansible_collections.alicloud.ecs.plugins.module_utils.client import snake_dict

# SendFile takes at most 32 KB of Base64 content: 24 KiB of bytes.
MAX_CONTENT_BASE64 = 32 * 1024
MAX_CONTENT_BYTES = MAX_CONTENT_BASE64 // 4 * 3
MAX_INSTANCES = 50
FILE_MODE = re.compile(r'^[0-7]{3,4}$')
# Per-instance statuses of a delivery that is still under way.
ACTIVE = ('Pending', 'Scheduled', 'Running', 'Stopping')


class ContentTooLarge(ValueError):
    """The content does not fit in one SendFile call."""


def check_mode_string(mode):
    """An octal file mode as SendFile takes it (``0644``); raises ValueError otherwise."""
    text = str(mode)
    if not FILE_MODE.match(text):
        raise ValueError('mode must be an octal string such as 0644, not {0!r}'.format(mode))
    return text if len(text) == 4 else '0' + text


def send_file_params(instance_ids, target_dir, name, content, mode=None, owner=None, group=None,
                     overwrite=False, timeout=None, description=None):
    """The SendFile parameters for ``content`` (bytes), always sent as Base64 so any bytes arrive intact."""
    encoded = base64.b64encode(content).decode('ascii')
    if len(encoded) > MAX_CONTENT_BASE64:
        raise ContentTooLarge('the content is {0} bytes; one SendFile carries at most {1} bytes ({2} KB of Base64)'.format(
            len(content), MAX_CONTENT_BYTES, MAX_CONTENT_BASE64 // 1024))
    if len(instance_ids) > MAX_INSTANCES:
        raise ValueError('SendFile takes at most {0} instances per call'.format(MAX_INSTANCES))
    params = {
        'InstanceId': list(instance_ids),
        'TargetDir': target_dir,
        'Name': name,
        'Content': encoded,
        'ContentType': 'Base64',
        'Overwrite': bool(overwrite),
    }
    for key, value in (('FileMode', mode and check_mode_string(mode)), ('FileOwner', owner), ('FileGroup', group),
                       ('Timeout', timeout), ('Description', description)):
        if value is not None:
            params[key] = value
    return params


def send(client, params):
    """Send one file; returns the InvokeId (a lost answer is not sent twice: SendFile keeps one ClientToken)."""
    return client.call('SendFile', params)['InvokeId']


def describe(client, invoke_id):
    """The DescribeSendFileResults item of one delivery, or None."""
    body = client.call('DescribeSendFileResults', {'InvokeId': invoke_id})
    found = (body.get('Invocations') or {}).get('Invocation') or []
    return found[0] if found else None


def records(raw):
    return ((raw or {}).get('InvokeInstances') or {}).get('InvokeInstance') or []


def is_settled(raw):
    found = records(raw)
    return bool(found) and all(item.get('InvocationStatus') not in ACTIVE for item in found)


def wait(client, invoke_ids, timeout, first=0.1, cap=2.0, clock=time.monotonic, sleep=time.sleep):
    """Wait until every delivery in ``invoke_ids`` has settled; returns their items in order.

    Raises TimeoutError naming the deliveries still under way when ``timeout`` seconds pass.
    """
    started = clock()
    done = {}
    delay = first
    while True:
        for invoke_id in invoke_ids:
            if invoke_id not in done:
                raw = describe(client, invoke_id)
                if is_settled(raw):
                    done[invoke_id] = raw
        if len(done) == len(invoke_ids):
            return [done[i] for i in invoke_ids]
        if clock() - started >= timeout:
            raise TimeoutError('timed out after {0} s waiting for SendFile {1}'.format(
                int(timeout), ', '.join(i for i in invoke_ids if i not in done)))
        sleep(delay)
        delay = min(cap, delay * 1.5)


def send_result(raw):
    """A delivery as modules return it: snake_case, without the content (it may be large or secret)."""
    result = snake_dict(dict((key, value) for key, value in raw.items() if key not in ('Content', 'InvokeInstances')))
    result['instances'] = sorted((snake_dict(item) for item in records(raw)), key=lambda item: item['instance_id'])
    result['instance_ids'] = [item['instance_id'] for item in result['instances']]
    return result


def failures(result):
    """The instances whose delivery did not succeed, as ``id (ErrorCode: info)`` texts."""
    return ['{0} ({1}: {2})'.format(item['instance_id'], item.get('error_code') or item.get('invocation_status'),
                                    item.get('error_info') or 'no detail')
            for item in result['instances'] if item.get('invocation_status') != 'Success']
