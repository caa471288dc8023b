# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Prepare ansible-test's pip bootstrap from PyPI alone, for whichever ansible-test runs this.

Run it with the Python of the virtual environment that holds ansible-test (``make sanity`` and
``make matrix`` do), giving the cache directory (``$HOME/.ansible/test/cache`` of the HOME that
ansible-test will see). It asks the installed ansible-test which pip it bootstraps into its
virtual environments on this Python, downloads that pip wheel into the cache and places
get_pip_offline.py there as ``get_pip_<version>.py``, the name ansible-test looks for before
it would download its own script from a host these machines cannot reach.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import glob
import os
import shutil
import subprocess
import sys
import types


def wanted_pip(python_version):
    """The pip version the installed ansible-test bootstraps on ``python_version`` (``'3.12'``)."""
    # ansible-test keeps it in get_venv_packages() (2.16 to 2.21 at least); failing loudly beats guessing.
    from ansible_test._internal.python_requirements import get_venv_packages  # pylint: disable=import-outside-toplevel
    return get_venv_packages(types.SimpleNamespace(version=python_version))['pip']


def controller_pythons():
    from ansible_test._util.target.common.constants import CONTROLLER_PYTHON_VERSIONS  # pylint: disable=import-outside-toplevel
    return CONTROLLER_PYTHON_VERSIONS


def main(argv):
    if len(argv) != 2:
        sys.stderr.write('usage: %s CACHE_DIR\n' % argv[0])
        return 2
    cache = argv[1]
    python_version = '%d.%d' % sys.version_info[:2]
    from ansible.release import __version__ as core_version  # pylint: disable=import-outside-toplevel
    if python_version not in controller_pythons():
        sys.stderr.write('ansible-core %s does not support Python %s on the controller (it supports %s)\n'
                         % (core_version, python_version, ', '.join(controller_pythons())))
        return 1
    pip_version = wanted_pip(python_version)
    os.makedirs(cache, exist_ok=True)
    if not glob.glob(os.path.join(cache, 'pip-%s-*.whl' % pip_version)):
        subprocess.check_call([sys.executable, '-m', 'pip', 'download', '--quiet', '--disable-pip-version-check',
                               '--no-deps', '--only-binary', ':all:', '--dest', cache, 'pip==%s' % pip_version])
    shim = os.path.join(cache, 'get_pip_%s.py' % pip_version.replace('.', '_'))
    shutil.copyfile(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'get_pip_offline.py'), shim)
    print('ansible-test %s on Python %s bootstraps pip %s: %s'
          % (core_version, python_version, pip_version, os.path.basename(shim)))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
