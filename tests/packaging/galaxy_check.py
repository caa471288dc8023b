# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""``make galaxy-check``: galaxy-importer on a built artifact; any warning or error fails.

galaxy-importer itself exits 0 on warnings (a flake8 finding, a missing changelog, a lint
message), which Galaxy then shows on the collection's page; here they fail the check instead.
Its settings come from GALAXY_IMPORTER_CONFIG (tests/packaging/galaxy-importer.cfg).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import subprocess
import sys

PROBLEMS = ('WARNING:', 'ERROR:', 'CRITICAL:')


def main(argv):
    if len(argv) != 2:
        sys.stderr.write('usage: %s ARTIFACT.tar.gz\n' % argv[0])
        return 2
    process = subprocess.run([sys.executable, '-m', 'galaxy_importer.main', argv[1]],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, check=False)
    sys.stdout.write(process.stdout)
    problems = [line for line in process.stdout.splitlines() if line.startswith(PROBLEMS)]
    if process.returncode or problems or 'Importer processing completed successfully' not in process.stdout:
        sys.stderr.write('galaxy-check: galaxy-importer did not pass cleanly (exit code %d, %d warning or error lines)\n'
                         % (process.returncode, len(problems)))
        return 1
    print('galaxy-check: galaxy-importer passed with no warning')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
