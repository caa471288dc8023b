# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import re

import pytest

from ansible_collections.alicloud.ecs.plugins.module_utils import connection
from ansible_collections.alicloud.ecs.plugins.module_utils.connection import (
    ConnectionOptionsError,
    alicloud_argument_spec,
    parse_endpoint,
    resolve_credential_source,
)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))


def params(**given):
    values = dict.fromkeys(alicloud_argument_spec())
    values.update(given)
    return values


class TestCredentialSource:
    def test_keys(self):
        source = resolve_credential_source(params(access_key='AK', secret_key='SK'))
        assert source == dict(type='access_key', access_key_id='AK', access_key_secret='SK', security_token=None)

    def test_sts_token(self):
        source = resolve_credential_source(params(access_key='STS.AK', secret_key='SK', security_token='TOK'))
        assert source['type'] == 'sts'
        assert source['security_token'] == 'TOK'

    def test_profile(self):
        assert resolve_credential_source(params(profile='work')) == dict(type='profile', profile='work')

    def test_ecs_role(self):
        assert resolve_credential_source(params(ecs_role_name='r')) == dict(type='ecs_ram_role', role_name='r')

    def test_nothing_given_is_the_default_chain(self):
        assert resolve_credential_source(params()) == dict(type='default')

    def test_assume_role_on_top_of_keys(self):
        source = resolve_credential_source(params(access_key='AK', secret_key='SK', assume_role_arn='acs:ram::1:role/x',
                                                  assume_role_session_expiration=1800))
        assert source['type'] == 'access_key'
        assert source['assume_role'] == dict(role_arn='acs:ram::1:role/x', role_session_name='ansible-alicloud-ecs',
                                             role_session_expiration=1800)

    @pytest.mark.parametrize('given, message', [
        (dict(access_key='AK'), 'secret_key is missing'),
        (dict(secret_key='SK'), 'access_key is missing'),
        (dict(security_token='T'), 'security_token needs access_key'),
        (dict(access_key='AK', secret_key='SK', profile='p'), 'access_key/secret_key and profile'),
        (dict(profile='p', ecs_role_name='r'), 'profile and ecs_role_name'),
        (dict(access_key='AK', secret_key='SK', ecs_role_name='r'), 'access_key/secret_key and ecs_role_name'),
        (dict(assume_role_session_name='s'), 'need assume_role_arn'),
        (dict(assume_role_arn='arn', assume_role_session_expiration=60), 'between 900 and 43200'),
    ])
    def test_contradictions_are_clear_errors(self, given, message):
        with pytest.raises(ConnectionOptionsError, match=re.escape(message)):
            resolve_credential_source(params(**given))

    def test_secrets_are_no_log(self):
        spec = alicloud_argument_spec()
        assert spec['secret_key']['no_log'] is True
        assert spec['security_token']['no_log'] is True
        assert spec['access_key']['no_log'] is False

    def test_env_fallbacks_first_set_wins(self, monkeypatch):
        from ansible.module_utils.basic import env_fallback
        spec = alicloud_argument_spec()
        names = spec['region']['fallback'][1]
        assert names == ['ALIBABA_CLOUD_REGION_ID', 'ALICLOUD_REGION']
        monkeypatch.setenv('ALICLOUD_REGION', 'cn-beijing')
        assert env_fallback(*names) == 'cn-beijing'
        monkeypatch.setenv('ALIBABA_CLOUD_REGION_ID', 'cn-hangzhou')
        assert env_fallback(*names) == 'cn-hangzhou'


class TestEndpoint:
    @pytest.mark.parametrize('value, expected', [
        (None, (None, None)),
        ('', (None, None)),
        ('ecs.cn-hangzhou.aliyuncs.com', ('https', 'ecs.cn-hangzhou.aliyuncs.com')),
        ('127.0.0.1:8080', ('https', '127.0.0.1:8080')),
        ('http://127.0.0.1:8080', ('http', '127.0.0.1:8080')),
        ('HTTPS://ecs.aliyuncs.com/', ('https', 'ecs.aliyuncs.com')),
        ('http://[::1]:9000', ('http', '[::1]:9000')),
        ('[::1]', ('https', '[::1]')),
    ])
    def test_valid(self, value, expected):
        assert parse_endpoint(value) == expected

    @pytest.mark.parametrize('value', ['ftp://host', 'http://', 'host:notaport', 'host:0', 'host:70000',
                                       'http://host/path', 'user@host'])
    def test_invalid(self, value):
        with pytest.raises(ConnectionOptionsError):
            parse_endpoint(value)


def test_version_matches_galaxy_yml():
    with open(os.path.join(ROOT, 'galaxy.yml')) as handle:
        version = re.search(r'^version:\s*(\S+)', handle.read(), re.M).group(1)
    assert connection.COLLECTION_VERSION == version
    assert connection.USER_AGENT.endswith('alicloud.ecs/' + version)
