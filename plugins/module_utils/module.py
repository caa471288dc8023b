# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""AlicloudModule: an AnsibleModule that knows the shared options and how to fail on API errors."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.alicloud.ecs.plugins.module_utils.connection import (
    ConnectionOptionsError,
    alicloud_argument_spec,
    parse_endpoint,
    resolve_credential_source,
)
from ansible_collections.alicloud.ecs.plugins.module_utils import client as client_utils


class AlicloudModule(AnsibleModule):
    """Adds the shared options to ``argument_spec``; checks them before any request is made."""

    def __init__(self, argument_spec, **kwargs):
        spec = alicloud_argument_spec()
        spec.update(argument_spec)
        super(AlicloudModule, self).__init__(argument_spec=spec, **kwargs)
        self._client = None

    def connection_settings(self):
        """Validate the connection options; fail the task (no request made) when they are wrong."""
        if not self.params.get('region'):
            self.fail_json(msg='region is required: set the region option or ALIBABA_CLOUD_REGION_ID')
        try:
            source = resolve_credential_source(self.params)
            protocol, endpoint = parse_endpoint(self.params.get('endpoint'))
        except ConnectionOptionsError as exc:
            self.fail_json(msg=str(exc))
        return source, protocol, endpoint

    @property
    def client(self):
        """The EcsClient, built on first use."""
        if self._client is None:
            source, protocol, endpoint = self.connection_settings()
            if not client_utils.HAS_SDK:
                self.fail_json(msg=missing_required_lib(client_utils.SDK_REQUIREMENT),
                               exception=client_utils.SDK_IMPORT_ERROR)
            try:
                self._client = client_utils.EcsClient(self.params['region'], source, endpoint=endpoint, protocol=protocol)
            except Exception as exc:  # pylint: disable=broad-except
                self.fail_api(client_utils.ApiError.from_exception('Client setup', exc))
        return self._client

    def fail_api(self, error, **result):
        """Fail the task with an ApiError: ``msg`` says which call failed and why; ``error`` has the details."""
        result.pop('msg', None)
        self.fail_json(msg=str(error), error=error.to_dict(), **result)
