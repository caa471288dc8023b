# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reading what ansible-inventory and ansible-playbook print, the same way on every ansible-core release."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type


def plain(value):
    """ansible-inventory --list marks strings from an inventory plugin as unsafe: {"__ansible_unsafe": text}."""
    if isinstance(value, dict):
        if set(value) == {'__ansible_unsafe'}:
            return value['__ansible_unsafe']
        return dict((key, plain(item)) for key, item in value.items())
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def folded(text):
    """``text`` with its whitespace folded: ansible-core 2.16 wraps warnings at 80 columns."""
    return ' '.join(text.split())
