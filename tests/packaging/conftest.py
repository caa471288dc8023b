# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The artifact users install, built from this checkout by ansible-galaxy as Galaxy would get it."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import glob
import os
import tarfile

import pytest

from packaging_helpers import BIN, ROOT, run


@pytest.fixture(scope='session')
def artifact(tmp_path_factory):
    dist = tmp_path_factory.mktemp('dist')
    run([os.path.join(BIN, 'ansible-galaxy'), 'collection', 'build', ROOT, '--output-path', str(dist)])
    return glob.glob(str(dist / 'alicloud-ecs-*.tar.gz'))[0]


@pytest.fixture(scope='session')
def artifact_names(artifact):
    with tarfile.open(artifact) as tar:
        return set(tar.getnames())
