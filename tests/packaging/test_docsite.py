# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The docs site's guide page names every Markdown guide of docs/, so that none is left off the site."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

import yaml

from packaging_helpers import ROOT

DOCSITE = os.path.join(ROOT, 'docs', 'docsite')


def test_every_guide_is_on_the_docs_site():
    with open(os.path.join(DOCSITE, 'rst', 'guides.rst')) as handle:
        page = handle.read()
    guides = sorted(name for name in os.listdir(os.path.join(ROOT, 'docs')) if name.endswith('.md'))
    assert guides
    for name in guides:
        assert '/docs/%s>`__' % name in page, name


def test_every_extra_docs_entry_is_a_page():
    with open(os.path.join(DOCSITE, 'extra-docs.yml')) as handle:
        sections = yaml.safe_load(handle)['sections']
    entries = [entry for section in sections for entry in section['toctree']]
    pages = sorted(name[:-4] for name in os.listdir(os.path.join(DOCSITE, 'rst')) if name.endswith('.rst'))
    assert sorted(entries) == pages
