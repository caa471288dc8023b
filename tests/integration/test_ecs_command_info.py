# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""ecs_command_info end to end."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from emulator.helpers import create_command, make_client


def info(**args):
    return [dict(name='info', register='r', **{'alicloud.ecs.ecs_command_info': args})]


@pytest.fixture(scope='module')
def seeded(emulator):
    """55 shell commands named bulk-NN, and one PowerShell command."""
    sdk = make_client(emulator)
    bulk = [create_command(sdk, 'echo "bulk %d"\n' % number, name='bulk-%02d' % number) for number in range(55)]
    windows = create_command(sdk, 'Get-Date', name='win-date', type='RunPowerShellScript', description='the date')
    return dict(bulk=bulk, windows=windows)


def test_every_page_with_decoded_content(ansible, seeded):
    run = ansible.playbook(info(name='bulk-*'))
    found = run.task('info')['commands']
    assert run.task('info')['changed'] is False
    assert [item['command_id'] for item in found] == list(reversed(seeded['bulk']))  # newest first
    by_name = dict((item['name'], item) for item in found)
    assert by_name['bulk-07']['command_content'] == 'echo "bulk 7"\n'
    assert by_name['bulk-07']['type'] == 'RunShellScript' and by_name['bulk-07']['timeout'] == 60
    calls = ansible.emulator.requests('DescribeCommands')
    assert len(calls) == 2 and 'NextToken' in calls[1]['params']
    assert all(call['params']['MaxResults'] == '50' and call['params']['Name'] == 'bulk-*' for call in calls)


def test_by_id_and_by_type(ansible, seeded):
    by_id = ansible.playbook(info(command_id=seeded['windows'])).task('info')['commands']
    assert len(by_id) == 1
    assert by_id[0]['name'] == 'win-date' and by_id[0]['command_content'] == 'Get-Date'
    assert by_id[0]['description'] == 'the date' and by_id[0]['tags'] == {}
    by_type = ansible.playbook(info(type='RunPowerShellScript')).task('info')['commands']
    assert [item['command_id'] for item in by_type] == [seeded['windows']]
    assert ansible.emulator.requests('DescribeCommands')[0]['params']['Type'] == 'RunPowerShellScript'


def test_nothing_matches_is_an_empty_list(ansible, seeded):
    run = ansible.playbook(info(name='no-such-command'), check=True)
    assert run.rc == 0
    assert run.task('info')['commands'] == []
