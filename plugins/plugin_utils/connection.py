# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""How a controller-side plugin (inventory, connection) connects: the modules' options, read through its config.

The options are the modules' (module_utils.connection): a plugin documents them with the
``alicloud.ecs.alicloud`` doc fragment plus ``alicloud.ecs.alicloud.plugin`` (their environment
variables), and they are checked by the same functions before any request.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.errors import AnsibleError

from ansible_collections.alicloud.ecs.plugins.module_utils.connection import (
    ConnectionOptionsError,
    alicloud_argument_spec,
    parse_endpoint,
    resolve_credential_source,
)

OPTION_NAMES = tuple(alicloud_argument_spec())


class ConnectionSettings(object):
    """A plugin's validated connection options; makes an EcsClient for any region.

    Raises ConnectionOptionsError for contradictory or malformed options. Nothing here loads the SDK:
    a plugin that answers from its cache never pays for that import.
    """

    def __init__(self, params):
        self.params = dict(params)
        self.credential_source = resolve_credential_source(self.params)
        self.protocol, self.endpoint = parse_endpoint(self.params.get('endpoint'))

    @classmethod
    def from_plugin(cls, plugin):
        params = {}
        for name in OPTION_NAMES:
            value = plugin.get_option(name)
            # An AWX credential injects '' for an optional field left empty: that means "not set".
            params[name] = None if value == '' else value
        return cls(params)

    @property
    def region(self):
        return self.params.get('region')

    def identity(self):
        """What tells one account and endpoint from another, without any secret (for cache keys)."""
        source = dict((key, value) for key, value in self.credential_source.items()
                      if key not in ('access_key_secret', 'security_token'))
        return dict(source=source, endpoint=self.endpoint, protocol=self.protocol)

    def client(self, region):
        """An EcsClient for ``region``; raises AnsibleError when the SDK is missing, ApiError when setup fails."""
        from ansible_collections.alicloud.ecs.plugins.module_utils import client as client_utils
        if not client_utils.HAS_SDK:
            raise AnsibleError('the Python packages {0} are required on the controller (pip install -r requirements.txt '
                               'from the collection)'.format(client_utils.SDK_REQUIREMENT))
        try:
            return client_utils.EcsClient(region, self.credential_source, endpoint=self.endpoint, protocol=self.protocol)
        except Exception as exc:  # pylint: disable=broad-except
            raise client_utils.ApiError.from_exception('Client setup', exc)


__all__ = ['ConnectionOptionsError', 'ConnectionSettings', 'OPTION_NAMES']
