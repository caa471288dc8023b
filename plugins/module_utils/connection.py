# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""How a module connects: the shared options, the credential source they select, and the endpoint.

Everything here is pure (no SDK import), so it can be checked before any request is made.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.module_utils.basic import env_fallback

COLLECTION_NAME = 'alicloud.ecs'
# Keep in step with galaxy.yml (a unit test checks it).
COLLECTION_VERSION = '0.1.0'
USER_AGENT = 'AlibabaCloud-Ansible-Collection/{0}/{1}'.format(COLLECTION_NAME, COLLECTION_VERSION)


def _env(*names):
    return (env_fallback, list(names))


def alicloud_argument_spec():
    """The options every module shares (documented once in the alicloud doc fragment)."""
    return dict(
        access_key=dict(type='str', aliases=['alicloud_access_key', 'access_key_id'], no_log=False,
                        fallback=_env('ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALICLOUD_ACCESS_KEY')),
        secret_key=dict(type='str', aliases=['alicloud_secret_key', 'access_key_secret'], no_log=True,
                        fallback=_env('ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALICLOUD_SECRET_KEY')),
        security_token=dict(type='str', aliases=['alicloud_security_token'], no_log=True,
                            fallback=_env('ALIBABA_CLOUD_SECURITY_TOKEN', 'ALICLOUD_SECURITY_TOKEN')),
        region=dict(type='str', aliases=['alicloud_region', 'region_id'],
                    fallback=_env('ALIBABA_CLOUD_REGION_ID', 'ALICLOUD_REGION')),
        profile=dict(type='str', aliases=['alicloud_profile'],
                     fallback=_env('ALIBABA_CLOUD_PROFILE', 'ALICLOUD_PROFILE')),
        assume_role_arn=dict(type='str', aliases=['alicloud_assume_role_arn'],
                             fallback=_env('ALICLOUD_ASSUME_ROLE_ARN')),
        assume_role_session_name=dict(type='str'),
        assume_role_session_expiration=dict(type='int', no_log=False),
        ecs_role_name=dict(type='str', aliases=['role_name'],
                           fallback=_env('ALIBABA_CLOUD_ECS_METADATA', 'ALICLOUD_ECS_ROLE_NAME')),
        endpoint=dict(type='str', fallback=_env('ALIBABA_CLOUD_ECS_ENDPOINT', 'ALICLOUD_ECS_ENDPOINT')),
    )


class ConnectionOptionsError(ValueError):
    """The connection options contradict each other or are malformed."""


def resolve_credential_source(params):
    """Decide, from the module parameters alone, which credentials to use.

    Returns a dict with a ``type`` of ``access_key``, ``sts``, ``profile``, ``ecs_ram_role`` or
    ``default`` (the SDK's chain), plus the fields that type needs, and an optional ``assume_role``
    dict layered on top. Raises ConnectionOptionsError for contradictory input.
    """
    access_key = params.get('access_key')
    secret_key = params.get('secret_key')
    token = params.get('security_token')
    profile = params.get('profile')
    role_name = params.get('ecs_role_name')

    if bool(access_key) != bool(secret_key):
        missing = 'secret_key' if access_key else 'access_key'
        raise ConnectionOptionsError(
            'access_key and secret_key must be given together; {0} is missing'.format(missing))
    if token and not access_key:
        raise ConnectionOptionsError('security_token needs access_key and secret_key')

    chosen = [name for name, value in (('access_key/secret_key', access_key), ('profile', profile),
                                       ('ecs_role_name', role_name)) if value]
    if len(chosen) > 1:
        raise ConnectionOptionsError(
            'choose one credential source: {0} were given together'.format(' and '.join(chosen)))

    if access_key:
        source = dict(type='sts' if token else 'access_key', access_key_id=access_key,
                      access_key_secret=secret_key, security_token=token)
    elif profile:
        source = dict(type='profile', profile=profile)
    elif role_name:
        source = dict(type='ecs_ram_role', role_name=role_name)
    else:
        source = dict(type='default')

    role_arn = params.get('assume_role_arn')
    session_name = params.get('assume_role_session_name')
    expiration = params.get('assume_role_session_expiration')
    if role_arn:
        if expiration is not None and not 900 <= expiration <= 43200:
            raise ConnectionOptionsError('assume_role_session_expiration must be between 900 and 43200 seconds')
        source['assume_role'] = dict(role_arn=role_arn, role_session_name=session_name or 'ansible-alicloud-ecs',
                                     role_session_expiration=expiration or 3600)
    elif session_name or expiration is not None:
        raise ConnectionOptionsError('assume_role_session_name and assume_role_session_expiration need assume_role_arn')
    return source


def parse_endpoint(value):
    """Split ``host[:port]`` or ``scheme://host[:port]`` into (protocol, host[:port]).

    The SDK wants the scheme as its ``protocol`` and a bare host in ``endpoint``. HTTPS is the
    default; plain HTTP only when the user writes ``http://``. Returns (None, None) when unset.
    """
    if value is None or value.strip() == '':
        return None, None
    text = value.strip()
    protocol = 'https'
    if '://' in text:
        scheme, text = text.split('://', 1)
        protocol = scheme.lower()
        if protocol not in ('http', 'https'):
            raise ConnectionOptionsError(
                'endpoint {0!r}: the scheme must be http or https, not {1!r}'.format(value, scheme))
    text = text.rstrip('/')
    if not text or '/' in text or '?' in text or '@' in text:
        raise ConnectionOptionsError(
            'endpoint {0!r} must be host[:port] or scheme://host[:port], with no path'.format(value))
    # A bracketed IPv6 address carries colons of its own: only a colon after the bracket is a port.
    host_end = text.rfind(']') + 1 if text.startswith('[') else 0
    host, sep, port = text[host_end:].rpartition(':')
    host = text[:host_end] + host
    if sep and (not host or not port.isdigit() or not 0 < int(port) < 65536):
        raise ConnectionOptionsError('endpoint {0!r} has an invalid port'.format(value))
    return protocol, text
