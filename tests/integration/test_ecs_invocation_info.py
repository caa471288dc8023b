# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""ecs_invocation_info end to end."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from emulator.harness import LINUX_INSTANCES
from emulator.helpers import create_command, invoke, make_client, wait_for

A, B, E = LINUX_INSTANCES[0], LINUX_INSTANCES[1], LINUX_INSTANCES[4]


def info(**args):
    return [dict(name='info', register='r', **{'alicloud.ecs.ecs_invocation_info': args})]


@pytest.fixture(scope='module')
def seeded(emulator):
    """One command invoked 60 times on instance E alone, and once on A and B with output."""
    sdk = make_client(emulator)
    many = create_command(sdk, 'echo many', name='info-many')
    ids = [invoke(sdk, many, [E]) for dummy in range(60)]
    pair_command = create_command(sdk, 'echo "pair on $ECS_EMULATOR_INSTANCE_ID"', name='info-pair')
    pair = invoke(sdk, pair_command, [B, A])
    for invoke_id in ids[-3:] + [pair]:
        wait_for(sdk, invoke_id)
    return dict(many=many, many_ids=ids, pair_command=pair_command, pair=pair)


def test_by_invoke_id_with_output(ansible, seeded):
    run = ansible.playbook(info(invoke_id=seeded['pair'], include_output=True))
    found = run.task('info')['invocations']
    assert len(found) == 1 and found[0]['invoke_id'] == seeded['pair']
    assert found[0]['instance_ids'] == sorted([A, B])
    assert [item['output'] for item in found[0]['instances']] == ['pair on %s\n' % A, 'pair on %s\n' % B]
    assert found[0]['status'] == 'Success' and found[0]['command_name'] == 'info-pair'
    assert ansible.emulator.count('DescribeInvocations') == 1


def test_by_command_id_across_pages(ansible, seeded):
    run = ansible.playbook(info(command_id=seeded['many']))
    found = run.task('info')['invocations']
    assert sorted(item['invoke_id'] for item in found) == sorted(seeded['many_ids'])
    assert [item['invoke_id'] for item in found] == list(reversed(seeded['many_ids']))  # newest first
    assert all(item['instances'][0]['output'] == '' for item in found)
    calls = ansible.emulator.requests('DescribeInvocations')
    assert len(calls) == 2 and all(call['params']['MaxResults'] == '50' for call in calls)


def test_by_instance_with_output(ansible, seeded):
    run = ansible.playbook(info(instance_id=A, command_id=seeded['pair_command'], include_output=True))
    found = run.task('info')['invocations']
    assert [item['invoke_id'] for item in found] == [seeded['pair']]
    assert found[0]['instances'][0]['output'] == 'pair on %s\n' % A
    assert ansible.emulator.count('DescribeInvocations') == 1


def test_output_without_invoke_or_instance_id_is_fetched_per_invocation(ansible, seeded):
    run = ansible.playbook(info(command_name='info-pair', include_output=True))
    found = run.task('info')['invocations']
    assert run.rc == 0, run.stdout
    assert [item['invoke_id'] for item in found] == [seeded['pair']]
    assert found[0]['instances'][1]['output'] == 'pair on %s\n' % B
    calls = ansible.emulator.requests('DescribeInvocations')
    assert 'IncludeOutput' not in calls[0]['params']
    assert calls[1]['params']['InvokeId'] == seeded['pair'] and calls[1]['params']['IncludeOutput'].lower() == 'true'


def test_nothing_matches_in_check_mode(ansible, seeded):
    run = ansible.playbook(info(command_id='c-nothing-here', invoke_status='Running'), check=True)
    assert run.task('info')['invocations'] == []
    assert run.task('info')['changed'] is False
    assert ansible.emulator.requests('DescribeInvocations')[0]['params']['InvokeStatus'] == 'Running'
