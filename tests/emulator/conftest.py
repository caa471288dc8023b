# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fixtures of the emulator's own tests: a running emulator and clients of the official SDK."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from emulator.harness import Emulator  # noqa: E402  pylint: disable=wrong-import-position

from emulator.helpers import make_client  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture(scope='session')
def emulator(tmp_path_factory):
    """One emulator for the whole session: short pending delay, timeouts down to 1 s."""
    emu = Emulator(tmp_path_factory.mktemp('emulator'), extra_args=['--pending-delay', '0.05', '--min-timeout', '1'])
    emu.start()
    yield emu
    emu.stop()
    assert 'Traceback' not in emu.stderr(), emu.stderr()


@pytest.fixture(autouse=True)
def _no_faults(request):
    """Every test starts and ends without faults on the shared emulator."""
    if 'emulator' in request.fixturenames:
        emu = request.getfixturevalue('emulator')
        emu.set_control({})
        yield
        emu.set_control({})
    else:
        yield


@pytest.fixture
def client_factory(emulator):
    def factory(**overrides):
        return make_client(emulator, **overrides)
    return factory


@pytest.fixture
def client(emulator):
    return make_client(emulator)
