# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the built artifact holds: what users need, the emulator included, and no scratch."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

from packaging_helpers import ROOT


def test_the_emulator_and_the_guides_that_rely_on_it_are_shipped(artifact_names):
    # docs/offline-testing.md tells users to start tests/emulator/server.py from the installed collection.
    emulator = set(name for name in os.listdir(os.path.join(ROOT, 'tests', 'emulator')) if name.endswith('.py'))
    assert emulator and emulator <= set(os.path.basename(name) for name in artifact_names
                                        if name.startswith('tests/emulator/'))
    for name in ('docs/offline-testing.md', 'requirements.txt', 'bindep.txt', 'meta/execution-environment.yml',
                 'meta/runtime.yml', 'docs/docsite/extra-docs.yml', 'docs/docsite/links.yml',
                 'docs/execution-environment.yml', 'README.md', 'LICENSE'):
        assert name in artifact_names, name


def test_scratch_and_developer_files_are_left_out(artifact_names):
    for name in artifact_names:
        parts = name.split('/')
        assert parts[0] not in ('bench', '.build', '.venv', '.ci', '.git', '.ansible', '.pytest_cache'), name
        assert '__pycache__' not in parts and '.pytest_cache' not in parts, name
        assert not name.endswith(('.pyc', '.tar.gz')), name
        assert not (parts[0].startswith('requirements-') and parts[0].endswith('.txt')), name
        assert parts[0] not in ('Makefile', 'pytest.ini'), name
