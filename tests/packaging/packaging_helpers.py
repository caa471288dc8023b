# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Paths and helpers of the packaging tests (a name of its own: every tests/ folder has a conftest)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)


def run(command, **kwargs):
    return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)


def requirement_lines(path):
    """The entries of a requirements.txt or bindep.txt: no comments, no blank lines."""
    with open(path) as handle:
        lines = (line.split('#', 1)[0].strip() for line in handle)
        return [line for line in lines if line]
