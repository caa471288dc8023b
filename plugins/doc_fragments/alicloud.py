# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    """The authentication, region and endpoint options shared by every module (DOCUMENTATION) and plugin."""

    DOCUMENTATION = r'''
options:
  access_key:
    description:
      - The Alibaba Cloud AccessKey ID.
      - Must be given together with O(secret_key).
      - If not set, the value of the E(ALIBABA_CLOUD_ACCESS_KEY_ID) or E(ALICLOUD_ACCESS_KEY) environment variable is used (the first one set).
    type: str
    aliases: [alicloud_access_key, access_key_id]
  secret_key:
    description:
      - The Alibaba Cloud AccessKey secret.
      - If not set, the value of the E(ALIBABA_CLOUD_ACCESS_KEY_SECRET) or E(ALICLOUD_SECRET_KEY) environment variable is used.
    type: str
    aliases: [alicloud_secret_key, access_key_secret]
  security_token:
    description:
      - The STS security token that goes with temporary O(access_key) and O(secret_key).
      - If not set, the value of the E(ALIBABA_CLOUD_SECURITY_TOKEN) or E(ALICLOUD_SECURITY_TOKEN) environment variable is used.
    type: str
    aliases: [alicloud_security_token]
  region:
    description:
      - The region of the ECS instances, for example V(cn-hangzhou). Every request carries it.
      - Required; if not set, the value of the E(ALIBABA_CLOUD_REGION_ID) or E(ALICLOUD_REGION) environment variable is used.
    type: str
    aliases: [alicloud_region, region_id]
  profile:
    description:
      - The name of a profile in the Alibaba Cloud CLI configuration file C(~/.aliyun/config.json).
      - Cannot be combined with O(access_key), O(secret_key) or O(ecs_role_name).
      - If not set, the value of the E(ALIBABA_CLOUD_PROFILE) or E(ALICLOUD_PROFILE) environment variable is used.
    type: str
    aliases: [alicloud_profile]
  assume_role_arn:
    description:
      - The ARN of a RAM role to assume, for example C(acs:ram::123456789012:role/ansible).
      - The role is assumed with the credentials that the other options (or the default chain) give.
      - If not set, the value of the E(ALICLOUD_ASSUME_ROLE_ARN) environment variable is used.
        E(ALIBABA_CLOUD_ROLE_ARN) is not read here, because the SDK's default chain uses it for OIDC.
    type: str
    aliases: [alicloud_assume_role_arn]
  assume_role_session_name:
    description:
      - The session name used when O(assume_role_arn) is assumed.
      - Only valid with O(assume_role_arn).
    type: str
  assume_role_session_expiration:
    description:
      - How long, in seconds, the assumed role's credentials are valid (900 to 43200).
      - Only valid with O(assume_role_arn).
    type: int
  ecs_role_name:
    description:
      - The name of the RAM role attached to the ECS instance that runs the task; its credentials come from the instance metadata service.
      - Cannot be combined with O(access_key), O(secret_key) or O(profile).
      - If not set, the value of the E(ALIBABA_CLOUD_ECS_METADATA) or E(ALICLOUD_ECS_ROLE_NAME) environment variable is used.
    type: str
    aliases: [role_name]
  endpoint:
    description:
      - The ECS API endpoint, as C(host[:port]) or C(scheme://host[:port]).
      - HTTPS is used unless C(http://) is written out.
      - When not set, the SDK derives the endpoint from O(region).
      - If not set, the value of the E(ALIBABA_CLOUD_ECS_ENDPOINT) or E(ALICLOUD_ECS_ENDPOINT) environment variable is used.
    type: str
notes:
  - With no keys, profile or role given, the Alibaba Cloud SDK's default credential chain is used
    (environment variables, OIDC, C(~/.aliyun/config.json), the instance metadata service).
  - Contradictory credential options, such as keys together with a profile, fail the task before any request is made.
  - API calls are retried with exponential backoff and jitter when the service throttles them, is unavailable, or the network fails.
    A call that changes something is retried after a lost answer only when it is idempotent.
requirements:
  - python >= 3.8
  - alibabacloud_tea_openapi >= 0.4
  - alibabacloud_credentials
'''

    # Controller-side plugins (the inventory, later the connection plugin) extend both alicloud.ecs.alicloud
    # (the options and their text) and alicloud.ecs.alicloud.plugin: the environment variables from which
    # Ansible's config manager fills them. They are the modules' fallbacks (a unit test compares them with
    # alicloud_argument_spec), listed in reverse: the config manager lets the last variable set win,
    # env_fallback the first, so with both set a plugin reads the same one as a module.
    PLUGIN = r'''
options:
  access_key:
    env:
      - name: ALICLOUD_ACCESS_KEY
      - name: ALIBABA_CLOUD_ACCESS_KEY_ID
  secret_key:
    env:
      - name: ALICLOUD_SECRET_KEY
      - name: ALIBABA_CLOUD_ACCESS_KEY_SECRET
  security_token:
    env:
      - name: ALICLOUD_SECURITY_TOKEN
      - name: ALIBABA_CLOUD_SECURITY_TOKEN
  region:
    env:
      - name: ALICLOUD_REGION
      - name: ALIBABA_CLOUD_REGION_ID
  profile:
    env:
      - name: ALICLOUD_PROFILE
      - name: ALIBABA_CLOUD_PROFILE
  assume_role_arn:
    env:
      - name: ALICLOUD_ASSUME_ROLE_ARN
  ecs_role_name:
    env:
      - name: ALICLOUD_ECS_ROLE_NAME
      - name: ALIBABA_CLOUD_ECS_METADATA
  endpoint:
    env:
      - name: ALICLOUD_ECS_ENDPOINT
      - name: ALIBABA_CLOUD_ECS_ENDPOINT
'''

    # The connection plugin also reads them from host and group variables (ansible_alicloud_<option>).
    CONNECTION = r'''
options:
  access_key:
    vars:
      - name: ansible_alicloud_access_key
  secret_key:
    vars:
      - name: ansible_alicloud_secret_key
  security_token:
    vars:
      - name: ansible_alicloud_security_token
  region:
    vars:
      - name: ansible_alicloud_region
  profile:
    vars:
      - name: ansible_alicloud_profile
  assume_role_arn:
    vars:
      - name: ansible_alicloud_assume_role_arn
  assume_role_session_name:
    vars:
      - name: ansible_alicloud_assume_role_session_name
  assume_role_session_expiration:
    vars:
      - name: ansible_alicloud_assume_role_session_expiration
  ecs_role_name:
    vars:
      - name: ansible_alicloud_ecs_role_name
  endpoint:
    vars:
      - name: ansible_alicloud_endpoint
'''
