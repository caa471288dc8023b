# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""docs/execution-environment.yml makes a build context that carries the collection and its requirements.

No container runtime here: the image itself is not built. What the build would do with the
collection is run here instead: the context's own introspect script (the one its Containerfile
runs on the installed collections) must find requirements.txt and bindep.txt through
meta/execution-environment.yml.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import shutil

import pytest
import yaml

from packaging_helpers import BIN, ROOT, requirement_lines, run


@pytest.fixture(scope='module')
def context(artifact, tmp_path_factory):
    work = tmp_path_factory.mktemp('ee')
    shutil.copy(os.path.join(ROOT, 'docs', 'execution-environment.yml'), str(work))
    shutil.copy(artifact, str(work))
    run([os.path.join(BIN, 'ansible-builder'), 'create', '-f', 'execution-environment.yml', '--context', 'context'],
        cwd=str(work))
    return work / 'context'


def introspect(context, collections):
    """What the image build would install for the collections under ``collections``."""
    output = run([os.path.join(BIN, 'python'), str(context / '_build' / 'scripts' / 'introspect.py'), 'introspect',
                  str(collections)]).stdout
    return yaml.safe_load(output)


def strip_origin(entries):
    return [entry.split('#', 1)[0].strip() for entry in entries]


def test_the_context_installs_the_collection_artifact(context, artifact):
    containerfile = next(context / name for name in ('Containerfile', 'Dockerfile') if (context / name).exists())
    steps = containerfile.read_text()
    assert 'ansible-galaxy collection install' in steps and 'introspect' in steps
    with open(str(context / '_build' / 'requirements.yml')) as handle:
        collections = yaml.safe_load(handle)['collections']
    assert [os.path.basename(item['name']) for item in collections] == [os.path.basename(artifact)]
    # The artifact sits where that requirement points, relative to the build's working directory.
    assert (context / '_build' / collections[0]['name']).is_file()


def test_the_build_finds_the_collections_python_and_system_requirements(context, artifact, tmp_path):
    collections = tmp_path / 'collections'
    run([os.path.join(BIN, 'ansible-galaxy'), 'collection', 'install', artifact, '-p', str(collections)])
    found = introspect(context, collections)
    assert strip_origin(found['python']) == requirement_lines(os.path.join(ROOT, 'requirements.txt'))
    assert strip_origin(found['system']) == requirement_lines(os.path.join(ROOT, 'bindep.txt'))
    assert all(entry.endswith('# from collection alicloud.ecs') for entry in found['python'] + found['system'])

    # bindep.txt has no entry yet; one added to the installed copy must show up as well.
    installed = collections / 'ansible_collections' / 'alicloud' / 'ecs'
    with open(str(installed / 'bindep.txt'), 'a') as handle:
        handle.write('probe-package [platform:rpm]\n')
    assert strip_origin(introspect(context, collections)['system']) == (
        requirement_lines(os.path.join(ROOT, 'bindep.txt')) + ['probe-package [platform:rpm]'])
