# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Command logic that needs no API: input checks, the content limit, and in-place versus replacing changes."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64

import pytest

from ansible_collections.alicloud.ecs.plugins.module_utils.commands import (
    CONTENT_LIMIT,
    CommandError,
    changes,
    command_result,
    desired_state,
)


def params(**given):
    values = dict(state='present', name='deploy', command_content='ls', content_encoding='PlainText',
                  type='RunShellScript')
    values.update(given)
    return values


def test_plain_text_is_encoded_and_base64_is_taken_as_it_is():
    plain = desired_state(params())
    given = desired_state(params(command_content='bHMK', content_encoding='Base64'))
    assert plain['encoded_content'] == 'bHM='
    assert given['encoded_content'] == 'bHMK' and given['content'] == b'ls\n'


@pytest.mark.parametrize('given, message', [
    (dict(command_content='not base64!', content_encoding='Base64'), 'not valid Base64'),
    (dict(command_content=None), 'command_content is required'),
    (dict(name=' '), 'name must not be empty'),
    (dict(timeout=5), 'timeout must be between'),
])
def test_bad_input(given, message):
    with pytest.raises(CommandError, match=message):
        desired_state(params(**given))


def test_content_limit_is_counted_after_encoding():
    # 18 KB of text is 24 KB of Base64: the largest accepted; one more 3-byte group is too much.
    assert len(desired_state(params(command_content='x' * (CONTENT_LIMIT // 4 * 3)))['encoded_content']) == CONTENT_LIMIT
    with pytest.raises(CommandError, match='at most 24576'):
        desired_state(params(command_content='x' * (CONTENT_LIMIT // 4 * 3 + 3)))


def test_changes_split_in_place_from_replacing():
    raw = {'CommandId': 'c-1', 'Name': 'deploy', 'Type': 'RunShellScript', 'CommandContent': base64.b64encode(b'ls').decode(),
           'Description': 'old', 'Timeout': '60', 'EnableParameter': False, 'WorkingDir': '', 'Launcher': ''}
    current = command_result(raw)
    current['_encoded'] = raw['CommandContent']
    assert changes(current, desired_state(params())) == ([], [])
    assert changes(current, desired_state(params(description='new', command_content='pwd'))) == (
        ['command_content', 'description'], [])
    assert changes(current, desired_state(params(type='RunPowerShellScript', timeout=60))) == ([], ['type'])
