# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Runs the ecs_send_file module in the worker process when its task runs on the controller (plugin_utils/in_process.py)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.alicloud.ecs.plugins.plugin_utils.in_process import InProcessModuleAction


class ActionModule(InProcessModuleAction):
    pass
