# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Stand-in for ansible-test's downloaded get-pip script, for machines that reach PyPI only.

tests/sanity/pip_bootstrap.py copies it into ansible-test's cache as get_pip_<version>.py, beside
the pip wheel of that version downloaded from PyPI; ansible-test then bootstraps its virtual
environments from that wheel. The version comes from this file's own name, so that one cache can
hold the wheels of several ansible-test releases.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import glob
import os
import sys


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    version = os.path.basename(__file__)[len('get_pip_'):-len('.py')].replace('_', '.')
    wheels = sorted(glob.glob(os.path.join(here, 'pip-%s-*.whl' % version)))
    if not wheels:
        sys.stderr.write('no pip %s wheel beside %s\n' % (version, __file__))
        return 1
    wheel = wheels[-1]
    sys.path.insert(0, wheel)
    from pip._internal.cli.main import main as pip_main  # pylint: disable=import-outside-toplevel
    args = [arg for arg in sys.argv[1:] if arg not in ('--no-setuptools', '--no-wheel') and not arg.startswith('pip==')]
    return pip_main(['install', wheel] + args)


if __name__ == '__main__':
    sys.exit(main())
