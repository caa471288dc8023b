# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""ecs_invocation on a fleet: sets above 100 as waves, targets by tag and resource group, results that read at size.

The emulator runs each script for real on 300 generated instances (every tenth one Stopped).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from emulator.harness import FLEET_RESOURCE_GROUPS, fleet_id
from emulator.helpers import create_command, make_client

EMULATOR_ARGS = ['--fleet-size', '300']
MUTATING = ('InvokeCommand', 'RunCommand', 'StopInvocation', 'CreateCommand', 'ModifyCommand', 'DeleteCommand')
RUNNING = [fleet_id(n) for n in range(1, 301) if n % 10]
SET = RUNNING[:250]


def task(label='run', **args):
    return dict(name=label, register='r', ignore_errors=True, **{'alicloud.ecs.ecs_invocation': args})


def mutating(emu):
    return [line['action'] for line in emu.requests() if line['action'] in MUTATING]


def invoked_sets(emu):
    """The instance ids of each InvokeCommand, in the order they were made."""
    return [sorted(value for key, value in line['params'].items() if key.startswith('InstanceId.'))
            for line in emu.requests('InvokeCommand')]


@pytest.fixture(scope='module')
def sdk(emulator):
    return make_client(emulator)


def test_250_instances_run_as_3_invocations_and_a_rerun_in_another_order_invokes_nothing(ansible, sdk):
    command_id = create_command(sdk, 'echo ok', name='fleet-ok')
    first = ansible.playbook([task(command_id=command_id, instance_ids=SET)])
    result = first.task('run')
    assert result['changed'] is True and result['status'] == 'Success', result.get('msg')
    sets = invoked_sets(ansible.emulator)
    assert sorted(len(ids) for ids in sets) == [50, 100, 100] and sorted(sum(sets, [])) == SET   # started at once
    assert len(result['invoke_ids']) == 3 and len(result['instances']) == 250
    assert result['summary'] == dict(total=250, status={'Success': 250}, exit_code={'0': 250}, not_started=0, skipped=0)
    assert result['output_groups'] == [dict(instance_ids=SET, status='Success', exit_code=0, output='ok\n')]
    assert result['not_started_instances'] == [] and result['skipped_instances'] == []

    again = ansible.playbook([task(command_id=command_id, instance_ids=list(reversed(SET)), include_output=False)])
    assert again.task('run')['changed'] is False and again.task('run')['status'] == 'Success'
    assert mutating(ansible.emulator) == []
    # The waves are found by their target tag in one listing, beside the command's own read.
    assert sorted(line['action'] for line in ansible.emulator.requests()) == ['DescribeCommands', 'DescribeInvocations']

    with_output = ansible.playbook([task(command_id=command_id, instance_ids=SET)])
    assert with_output.task('run')['changed'] is False
    assert ansible.emulator.count('DescribeInvocations') == 1 + 3      # and each wave's output

    checked = ansible.playbook([task(command_id=command_id, instance_ids=RUNNING)], check=True)
    assert checked.task('run')['changed'] is True and mutating(ansible.emulator) == []


def test_a_failing_part_of_one_wave_is_invoked_again_alone(ansible, sdk, tmp_path):
    broken = tmp_path / 'broken-instances'
    failing = [SET[130], SET[170]]           # both in the second wave
    broken.write_text('\n'.join(failing) + '\n')
    script = 'if grep -qx "$(hostname)" {0}; then echo "disk full" >&2; exit 3; fi; echo ok'.format(broken)
    command_id = create_command(sdk, script, name='fleet-partly-broken')

    first = ansible.playbook([task(command_id=command_id, instance_ids=SET)])
    result = first.task('run')
    assert first.status('run') == 'ignored' and result['status'] == 'PartialFailed'
    assert result['summary']['status'] == {'Success': 248, 'Failed': 2}
    assert result['output_groups'][1] == dict(instance_ids=sorted(failing), status='Failed', exit_code=3,
                                              output='disk full\n')
    assert all(instance_id in result['msg'] for instance_id in failing) and 'exit code 3' in result['msg']

    broken.write_text('')
    rerun = ansible.playbook([task(command_id=command_id, instance_ids=SET)])
    assert rerun.task('run')['changed'] is True and rerun.task('run')['status'] == 'Success'
    assert invoked_sets(ansible.emulator) == [sorted(failing)]
    assert len(rerun.task('run')['instances']) == 250 and len(rerun.task('run')['invoke_ids']) == 4

    converged = ansible.playbook([task(command_id=command_id, instance_ids=SET)])
    assert converged.task('run')['changed'] is False and mutating(ansible.emulator) == []


def test_instance_tags_and_resource_group_target_the_running_instances_and_list_the_skipped(ansible, sdk):
    command_id = create_command(sdk, 'hostname', name='fleet-by-tag')
    web_b2 = [n for n in range(101, 201) if (n - 1) % 3 == 0]          # tier web, batch b2
    run = ansible.playbook([task(command_id=command_id, instance_tags={'tier': 'web', 'batch': 'b2'})])
    result = run.task('run')
    assert result['status'] == 'Success', result.get('msg')
    assert result['instance_ids'] == [fleet_id(n) for n in web_b2 if n % 10]
    assert result['skipped_instances'] == [dict(instance_id=fleet_id(n), status='Stopped') for n in web_b2 if n % 10 == 0]
    assert result['summary']['skipped'] == len(result['skipped_instances']) > 0
    # Every instance printed its own name: one group each.
    assert len(result['output_groups']) == len(result['instance_ids'])
    listing = ansible.emulator.requests('DescribeInstances')
    assert len(listing) == 1 and listing[0]['params']['Tag.1.Key'] == 'batch'      # the pre-flight check listed nothing more

    group = FLEET_RESOURCE_GROUPS[0]                                   # the odd-numbered instances
    both = ansible.playbook([task(command_id=command_id, resource_group_id=group, instance_tags={'batch': 'b1'},
                                  include_output=False)])
    assert both.task('run')['instance_ids'] == [fleet_id(n) for n in range(1, 101, 2)]
    assert [line['params']['ResourceGroupId'] for line in ansible.emulator.requests('DescribeInstances')] == [group]

    nothing = ansible.playbook([task(command_id=command_id, instance_tags={'tier': 'nowhere'})])
    assert nothing.status('run') == 'ignored' and mutating(ansible.emulator) == []
    assert 'no instance in region cn-hangzhou has the tags tier=nowhere' in nothing.task('run')['msg']


def test_absent_stops_every_wave_of_a_large_set(ansible, sdk):
    command_id = create_command(sdk, 'sleep 30', name='fleet-long', timeout=60)
    started = ansible.playbook([task(command_id=command_id, instance_ids=SET, wait=False)])
    assert started.task('run')['changed'] is True and len(started.task('run')['invoke_ids']) == 3
    stopped = ansible.playbook([task(command_id=command_id, instance_ids=SET, state='absent')])
    assert sorted(stopped.task('run')['stopped']) == sorted(started.task('run')['invoke_ids'])
    assert [line['action'] for line in ansible.emulator.requests() if line['action'] in MUTATING] == ['StopInvocation'] * 3


@pytest.mark.parametrize('args, words', [
    (dict(instance_ids=SET[:2], instance_tags={'tier': 'web'}), 'not both'),
    (dict(instance_tags={}), 'at least one tag'),
    (dict(instance_ids=SET[:2], concurrency='many'), 'percentage such as "10%"'),
    (dict(instance_ids=SET[:2], max_failures='120%'), 'at most 100%'),
    (dict(instance_ids=SET[:2], concurrency=5, wait=False), 'need wait=true'),
    (dict(instance_ids=SET[:2], max_failures=1, repeat_mode='Period', frequency='rate(5m)'), 'repeat_mode Once'),
    (dict(instance_ids=SET[:2], termination_mode='Everything'), 'termination_mode'),
    (dict(instance_ids=SET[:2], oss_output_delivery='bucket/prefix'), 'oss://bucket'),
    (dict(), 'instance_tags or resource_group_id may choose the instances instead'),
])
def test_bad_fleet_input_fails_before_any_call(ansible, args, words):
    run = ansible.playbook([task(command_id='c-anything', **args)])
    assert run.status('run') == 'ignored' and words in run.task('run')['msg']
    assert ansible.emulator.requests() == []
