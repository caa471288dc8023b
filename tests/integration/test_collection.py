# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The built and installed collection: every module documented with the shared options and in the action group."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import subprocess

import yaml

from conftest import BIN, ROOT

MODULES = sorted(name[:-3] for name in os.listdir(os.path.join(ROOT, 'plugins', 'modules')) if name.endswith('.py'))
SHARED = {'access_key', 'secret_key', 'security_token', 'region', 'profile', 'assume_role_arn', 'ecs_role_name', 'endpoint'}


def test_ansible_doc_renders_the_shared_options(collections_path):
    names = ['alicloud.ecs.' + name for name in MODULES]
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_path)
    docs = json.loads(subprocess.run([os.path.join(BIN, 'ansible-doc'), '-j', '-t', 'module'] + names, env=env,
                                     capture_output=True, text=True, check=True).stdout)
    assert sorted(docs) == names
    for name in names:
        options = docs[name]['doc']['options']
        assert SHARED <= set(options), name
        assert options['access_key']['aliases'] == ['alicloud_access_key', 'access_key_id']


def test_every_module_is_in_the_action_group():
    with open(os.path.join(ROOT, 'meta', 'runtime.yml')) as handle:
        runtime = yaml.safe_load(handle)
    assert sorted(runtime['action_groups']['alicloud']) == MODULES
