# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""This checkout as the collection alicloud.ecs, without building it (tests, bench, demo)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def collections_path(directory):
    """Make ``directory`` a collections path whose ansible_collections/alicloud/ecs is this checkout; return it."""
    link = os.path.join(directory, 'ansible_collections', 'alicloud', 'ecs')
    if not os.path.islink(link):
        os.makedirs(os.path.dirname(link), exist_ok=True)
        os.symlink(ROOT, link)
    return directory
