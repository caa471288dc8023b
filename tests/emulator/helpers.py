# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Helpers of the emulator's own tests, built on the official SDK."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import time

from alibabacloud_ecs20140526 import models
from alibabacloud_ecs20140526.client import Client
from alibabacloud_tea_openapi.models import Config

from emulator.harness import ACCESS_KEY_ID, ACCESS_KEY_SECRET, REGION

FINAL = ('Success', 'Failed', 'PartialFailed', 'Stopped', 'Scheduled')


def make_client(emu, **overrides):
    options = dict(access_key_id=ACCESS_KEY_ID, access_key_secret=ACCESS_KEY_SECRET,
                   endpoint=emu.endpoint, protocol='http', region_id=REGION)
    options.update(overrides)
    return Client(Config(**options))


def b64(text):
    return base64.b64encode(text.encode('utf-8')).decode('ascii')


def unb64(text):
    return base64.b64decode(text).decode('utf-8')


def describe(client, invoke_id, **kwargs):
    """The one invocation (as a dict) that DescribeInvocations answers for invoke_id."""
    request = models.DescribeInvocationsRequest(region_id=REGION, invoke_id=invoke_id, **kwargs)
    invocations = client.describe_invocations(request).body.to_map()['Invocations']['Invocation']
    assert len(invocations) == 1
    return invocations[0]


def wait_for(client, invoke_id, statuses=FINAL, timeout=15.0, **kwargs):
    """Poll until the invocation-level status is one of `statuses`; answer the invocation dict."""
    deadline = time.time() + timeout
    while True:
        invocation = describe(client, invoke_id, **kwargs)
        if invocation['InvocationStatus'] in statuses:
            return invocation
        if time.time() > deadline:
            raise AssertionError('invocation %s still %s' % (invoke_id, invocation['InvocationStatus']))
        time.sleep(0.03)


def run(client, script, instances, **kwargs):
    """RunCommand a shell script (plain text); answer the InvokeId."""
    request = models.RunCommandRequest(region_id=REGION, type=kwargs.pop('type', 'RunShellScript'),
                                       command_content=script, instance_id=list(instances), **kwargs)
    return client.run_command(request).body.invoke_id


def create_command(client, script, name='emu-test', **kwargs):
    request = models.CreateCommandRequest(region_id=REGION, name=name, type=kwargs.pop('type', 'RunShellScript'),
                                          command_content=b64(script), **kwargs)
    return client.create_command(request).body.command_id


def invoke(client, command_id, instances, **kwargs):
    request = models.InvokeCommandRequest(region_id=REGION, command_id=command_id, instance_id=list(instances), **kwargs)
    return client.invoke_command(request).body.invoke_id
