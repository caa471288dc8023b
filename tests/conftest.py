# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Make this checkout importable as ansible_collections.alicloud.ecs for the Python tests."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import sys

from checkout import ROOT, collections_path

COLLECTIONS = collections_path(os.path.join(ROOT, '.build', 'collections'))
if COLLECTIONS not in sys.path:
    sys.path.insert(0, COLLECTIONS)
