# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Signatures, credentials, regions and the protocol basics, through the official SDK."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import subprocess
import sys

import pytest
from alibabacloud_ecs20140526 import models
from alibabacloud_tea_openapi import utils as openapi_utils
from alibabacloud_tea_openapi.utils_models import Params, OpenApiRequest
from darabonba.runtime import RuntimeOptions
from Tea.exceptions import TeaException

from emulator.harness import REGION, SERVER, STS_ID, STS_SECRET, STS_TOKEN, Emulator
from emulator.helpers import make_client


def _describe_commands(client, **kwargs):
    kwargs.setdefault('region_id', REGION)
    return client.describe_commands(models.DescribeCommandsRequest(**kwargs))


def _error(call):
    with pytest.raises(TeaException) as info:
        call()
    return info.value


@pytest.mark.parametrize('algorithm', [None, 'v2'])
def test_correct_signature_accepted(client_factory, emulator, algorithm):
    emulator.clear_log()
    body = _describe_commands(client_factory(signature_algorithm=algorithm)).body
    assert body.request_id
    assert len(body.request_id) == 36
    entry = emulator.requests('DescribeCommands')[-1]
    assert entry['status'] == 200
    assert 'Signature' not in entry['params']


@pytest.mark.parametrize('algorithm', [None, 'v2'])
def test_wrong_secret_is_signature_does_not_match(client_factory, algorithm):
    err = _error(lambda: _describe_commands(client_factory(access_key_secret='not-the-secret', signature_algorithm=algorithm)))
    assert err.code == 'SignatureDoesNotMatch'
    assert err.status_code == 400
    assert err.data['HostId']
    assert err.data['RequestId']
    assert 'Recommend' in err.data


@pytest.mark.parametrize('algorithm', [None, 'v2'])
def test_unknown_access_key_id(client_factory, algorithm):
    err = _error(lambda: _describe_commands(client_factory(access_key_id='LTAIUNKNOWN', signature_algorithm=algorithm)))
    assert err.code == 'InvalidAccessKeyId.NotFound'
    assert err.status_code == 404


@pytest.mark.parametrize('algorithm', [None, 'v2'])
def test_sts_credentials(client_factory, emulator, algorithm):
    sts = client_factory(access_key_id=STS_ID, access_key_secret=STS_SECRET, security_token=STS_TOKEN,
                         signature_algorithm=algorithm)
    assert _describe_commands(sts).body.request_id
    for entry in emulator.requests():
        assert STS_TOKEN not in str(entry)
    wrong = client_factory(access_key_id=STS_ID, access_key_secret=STS_SECRET, security_token='forged',
                           signature_algorithm=algorithm)
    assert _error(lambda: _describe_commands(wrong)).code == 'InvalidSecurityToken.MismatchWithAccessKey'
    missing = client_factory(access_key_id=STS_ID, access_key_secret=STS_SECRET, signature_algorithm=algorithm)
    assert _error(lambda: _describe_commands(missing)).code == 'MissingSecurityToken'


def test_reused_nonce_is_refused(client, monkeypatch):
    monkeypatch.setattr(openapi_utils.Utils, 'get_nonce', staticmethod(lambda: 'the-same-nonce-every-time'))
    assert _describe_commands(client).body.request_id
    err = _error(lambda: _describe_commands(client))
    assert err.code == 'SignatureNonceUsed'


def test_stale_date_is_refused(client, monkeypatch):
    monkeypatch.setattr(openapi_utils.Utils, 'get_timestamp', staticmethod(lambda: '2020-01-01T00:00:00Z'))
    err = _error(lambda: _describe_commands(client))
    assert err.code == 'InvalidTimeStamp.Expired'
    assert err.status_code == 400


def test_region_required_and_known(client):
    err = _error(lambda: _describe_commands(client, region_id=None))
    assert (err.code, err.status_code) == ('MissingParameter.RegionId', 400)
    err = _error(lambda: _describe_commands(client, region_id='mars-north-1'))
    assert (err.code, err.status_code) == ('InvalidRegionId.NotFound', 404)
    # A known region without the fleet answers, empty.
    body = client.describe_instances(models.DescribeInstancesRequest(region_id='cn-shanghai')).body
    assert body.total_count == 0


def test_unknown_action(client):
    params = Params(action='NoSuchAction', version='2014-05-26', protocol='HTTP', pathname='/', method='POST',
                    auth_type='AK', style='RPC', req_body_type='formData', body_type='json')
    err = _error(lambda: client.call_api(params, OpenApiRequest(query={'RegionId': REGION}), RuntimeOptions()))
    assert (err.code, err.status_code) == ('InvalidAction.NotFound', 404)


def test_credentials_flag_replaces_defaults(tmp_path):
    with Emulator(tmp_path, extra_args=['--credentials', 'LTAICUSTOM:custom-secret', '--no-exec']) as emu:
        custom = make_client(emu, access_key_id='LTAICUSTOM', access_key_secret='custom-secret')
        assert _describe_commands(custom).body.request_id
        assert _error(lambda: _describe_commands(make_client(emu))).code == 'InvalidAccessKeyId.NotFound'


def test_refuses_non_loopback_host():
    result = subprocess.run([sys.executable, SERVER, '--host', '0.0.0.0', '--port', '0'],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30, check=False)
    assert result.returncode == 2
    assert b'loopback' in result.stderr
