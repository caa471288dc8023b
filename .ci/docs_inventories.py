"""Write the intersphinx inventories `make docs` needs, offline, into the docs build directory.

The Sphinx configuration that antsibull-docs generates links to the Ansible docs (and to
Python's and Jinja's) through intersphinx, which downloads each objects.inv from its site;
with no network, Sphinx warns and the labels that antsibull-docs' templates use stay
undefined. Sphinx reads a local inventory instead when one is given, so this writes one for
the Ansible docs with the labels those templates refer to (each pointing at its real page),
and empty ones for the others, which nothing here refers to. A new label that antsibull-docs
starts to use fails the build with "undefined label: NAME": add it to ANSIBLE_LABELS.
"""

import os
import sys
import zlib

# label: (page and anchor under https://docs.ansible.com/projects/ansible/devel/, title)
ANSIBLE_LABELS = {
    'action_plugins': ('plugins/action.html#action-plugins', 'Action plugins'),
    'ansible_configuration_settings': ('reference_appendices/config.html#ansible-configuration-settings',
                                       'Ansible Configuration Settings'),
    'callback_plugins': ('plugins/callback.html#callback-plugins', 'Callback plugins'),
    'collections_keyword': ('collections_guide/collections_using_playbooks.html#collections-keyword',
                            'Simplifying module names with the collections keyword'),
    'common_return_values': ('reference_appendices/common_return_values.html#common-return-values', 'Return Values'),
    'list_of_callback_plugins': ('collections/index_callback.html#list-of-callback-plugins',
                                 'Index of all Callback Plugins'),
    'list_of_collections': ('collections/index.html#list-of-collections', 'Collection Index'),
}
# Ansible's own environment variables that plugin pages refer to (the inventory cache options),
# each at its anchor in the configuration reference. A new one fails the build with
# "'envvar' reference target not found: NAME": add it here.
ANSIBLE_ENVVARS = ('ANSIBLE_CACHE_PLUGIN', 'ANSIBLE_CACHE_PLUGIN_CONNECTION', 'ANSIBLE_CACHE_PLUGIN_PREFIX',
                   'ANSIBLE_CACHE_PLUGIN_TIMEOUT')
# The file names the generated conf.py looks for beside the RST sources, and their projects.
INVENTORIES = {'ansible_devel.inv': 'Ansible', 'python2.inv': 'Python', 'python3.inv': 'Python',
               'jinja2.inv': 'Jinja'}


def inventory(project, labels, envvars=()):
    header = ('# Sphinx inventory version 2\n# Project: %s\n# Version: \n'
              '# The remainder of this file is compressed using zlib.\n' % project)
    body = ''.join('%s std:label -1 %s %s\n' % (name, uri, title) for name, (uri, title) in sorted(labels.items()))
    body += ''.join('%s std:envvar -1 reference_appendices/config.html#envvar-%s -\n' % (name, name)
                    for name in envvars)
    return header.encode() + zlib.compress(body.encode())


def main(argv):
    if len(argv) != 2:
        sys.stderr.write('usage: %s DIRECTORY\n' % argv[0])
        return 2
    for name, project in INVENTORIES.items():
        with open(os.path.join(argv[1], name), 'wb') as handle:
            ansible = name == 'ansible_devel.inv'
            handle.write(inventory(project, ANSIBLE_LABELS if ansible else {}, ANSIBLE_ENVVARS if ansible else ()))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
