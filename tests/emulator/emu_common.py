# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Shared helpers of the ECS emulator: API errors, time stamps, ids, parameter parsing."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import json
import re
import secrets
import time
import uuid

API_VERSION = '2014-05-26'
HOST_ID = 'ecs.aliyuncs.com'

# A few real regions; the fleet lives in FLEET_REGION, the others are empty.
KNOWN_REGIONS = (
    'cn-hangzhou', 'cn-shanghai', 'cn-beijing', 'cn-shenzhen', 'cn-qingdao', 'cn-zhangjiakou',
    'cn-huhehaote', 'cn-chengdu', 'cn-hongkong', 'ap-southeast-1', 'ap-northeast-1',
    'us-west-1', 'us-east-1', 'eu-central-1', 'eu-west-1',
)
FLEET_REGION = 'cn-hangzhou'

# Short region tags used inside ids (c-hz..., t-hz...), as the real service does for Hangzhou.
_REGION_TAGS = {
    'cn-hangzhou': 'hz', 'cn-shanghai': 'sh', 'cn-beijing': 'bj', 'cn-shenzhen': 'sz',
    'cn-qingdao': 'qd', 'cn-zhangjiakou': 'zb', 'cn-huhehaote': 'hh', 'cn-chengdu': 'cd',
    'cn-hongkong': 'hk', 'ap-southeast-1': 'sg', 'ap-northeast-1': 'jp', 'us-west-1': 'us',
    'us-east-1': 'ue', 'eu-central-1': 'de', 'eu-west-1': 'uk',
}

OUTPUT_LIMIT = 24 * 1024          # Output is cut at 24 KB; Dropped says how much was cut
CONTENT_LIMIT = 24 * 1024         # CommandContent may be at most 24 KB once Base64-encoded
INVOKE_INSTANCE_LIMIT = 100       # InstanceId.N per InvokeCommand / RunCommand (InstanceIds.ExceedLimit above)
RESOURCE_TAG_LIMIT = 10           # ResourceTag.N per InvokeCommand / RunCommand
TAG_LIMIT = 20                    # Tag.N on any action


class ApiError(Exception):
    """An error answer of the API: HTTP status, Code and Message."""

    def __init__(self, status, code, message, headers=None):
        super(ApiError, self).__init__('%s: %s' % (code, message))
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def request_id():
    """A request id shaped like the real ones (an upper-case UUID)."""
    return str(uuid.uuid4()).upper()


def region_tag(region):
    """The short tag of a region used inside ids (hz for cn-hangzhou)."""
    return _REGION_TAGS.get(region, 'xx')


def new_id(prefix, region):
    """An id like the real service's: c-hz..., t-hz..."""
    return '%s-%s%s' % (prefix, region_tag(region), secrets.token_hex(9)[:16])


def iso_time(epoch):
    """UTC time as the API writes it: YYYY-MM-DDTHH:MM:SSZ (None stays None)."""
    if epoch is None:
        return None
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(epoch))


def error_body(err, rid):
    """The JSON body of an error answer."""
    return {
        'Code': err.code,
        'Message': err.message,
        'RequestId': rid,
        'HostId': HOST_ID,
        'Recommend': 'https://api.aliyun.com/troubleshoot?q=%s&product=Ecs&requestId=%s' % (err.code, rid),
    }


def missing(name):
    return ApiError(400, 'MissingParameter.%s' % name, 'The input parameter "%s" that is mandatory for processing this request is not supplied.' % name)


def invalid(name, detail=None):
    message = 'The specified parameter "%s" is not valid.' % name
    if detail:
        message = '%s %s' % (message, detail)
    return ApiError(400, 'InvalidParameter.%s' % name, message)


def parse_bool(params, name, default=None):
    """A boolean parameter; the SDK sends True/False, so the case does not matter."""
    value = params.get(name)
    if value is None or value == '':
        return default
    lowered = value.strip().lower()
    if lowered == 'true':
        return True
    if lowered == 'false':
        return False
    raise invalid(name, 'Expected true or false.')


def parse_int(params, name, default=None, minimum=None, maximum=None, code=None, status=400):
    """An integer parameter, optionally bounded; out of range raises `code` (default InvalidParameter.<name>)."""
    value = params.get(name)
    if value is None or value == '':
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise invalid(name, 'Expected an integer.')
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        if code:
            raise ApiError(status, code, 'The specified parameter "%s" is out of range: %s.' % (name, number))
        raise invalid(name, 'Out of range: %s.' % number)
    return number


def list_param(params, name):
    """Collect a repeated parameter sent as Name.1, Name.2, ... in index order."""
    pattern = re.compile(r'^%s\.(\d+)$' % re.escape(name))
    found = []
    for key, value in params.items():
        match = pattern.match(key)
        if match:
            found.append((int(match.group(1)), value))
    return [value for _index, value in sorted(found)]


def tag_param(params, name='Tag', limit=TAG_LIMIT):
    """Collect tags sent as Tag.N.Key / Tag.N.Value: a list of (key, value or None).

    The codes follow the name (Tag: MissingParameter.TagKey, Duplicate.TagKey, NumberExceed.Tags,
    InvalidTagKey.Malformed; ResourceTag: ...ResourceTagKey, NumberExceed.ResourceTags, ...).
    """
    pattern = re.compile(r'^%s\.(\d+)\.(Key|Value)$' % re.escape(name))
    found = {}
    for key, value in params.items():
        match = pattern.match(key)
        if match:
            found.setdefault(int(match.group(1)), {})[match.group(2)] = value
    tags = []
    for index in sorted(found):
        entry = found[index]
        if not entry.get('Key'):
            raise ApiError(400, 'MissingParameter.%sKey' % name, 'You must specify %s.N.Key.' % name)
        key, value = entry['Key'], entry.get('Value')
        if len(key) > 64 or key.startswith(('acs:', 'aliyun')) or 'http://' in key or 'https://' in key:
            raise ApiError(400, 'Invalid%sKey.Malformed' % name, 'The specified %s key is not valid.' % name)
        if value is not None and (len(value) > 128 or 'http://' in value or 'https://' in value):
            raise ApiError(400, 'Invalid%sValue.Malformed' % name, 'The specified %s value is not valid.' % name)
        tags.append((key, value))
    keys = [key for key, _value in tags]
    if len(set(keys)) != len(keys):
        raise ApiError(400, 'Duplicate.%sKey' % name, 'The %s contains duplicate keys.' % name)
    if len(tags) > limit:
        raise ApiError(400, 'NumberExceed.%ss' % name, 'The maximum number of %ss is exceeded.' % name)
    return tags


def json_list_param(params, name, limit=100):
    """A filter sent as a JSON array string (InstanceIds, PrivateIpAddresses, ...); None when absent."""
    raw = params.get(name)
    if not raw:
        return None
    try:
        values = json.loads(raw)
    except ValueError:
        values = None
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ApiError(400, 'Invalid%s.Malformed' % name, 'The specified parameter %s is not valid.' % name)
    if len(values) > limit:
        raise ApiError(400, 'Invalid%s.Malformed' % name, 'The specified parameter %s has more than %d items.' % (name, limit))
    return values


def tags_match(have, wanted):
    """True when every wanted (key, value) is among the tags `have` (a dict); value None matches any."""
    for key, value in wanted:
        if key not in have:
            return False
        if value is not None and have[key] != value:
            return False
    return True


def tags_answer(tags):
    """The Tags structure of an answer: {Tag: [{TagKey, TagValue}]}."""
    return {'Tag': [{'TagKey': key, 'TagValue': value} for key, value in sorted(tags.items())]}


def wildcard_match(pattern, value):
    """Name filters allow * wildcards; everything else matches literally."""
    if pattern is None:
        return True
    regex = '^' + '.*'.join(re.escape(part) for part in pattern.split('*')) + '$'
    return re.match(regex, value or '', re.DOTALL) is not None


def content_encoding(params, default):
    """ContentEncoding: PlainText or Base64 (case does not matter); answers the canonical spelling."""
    value = params.get('ContentEncoding')
    if not value:
        return default
    lowered = value.lower()
    if lowered == 'plaintext':
        return 'PlainText'
    if lowered == 'base64':
        return 'Base64'
    raise invalid('ContentEncoding', 'Valid values: PlainText, Base64.')


def encode_text(data, encoding):
    """Encode bytes or text for an answer in the requested ContentEncoding."""
    if isinstance(data, str):
        data = data.encode('utf-8')
    if encoding == 'Base64':
        return base64.b64encode(data).decode('ascii')
    return data.decode('utf-8', 'replace')


def _encode_token(key):
    raw = json.dumps(list(key), separators=(',', ':')).encode('utf-8')
    return 'AAAAA' + base64.urlsafe_b64encode(raw).decode('ascii').rstrip('=')


def _decode_token(token):
    if not token.startswith('AAAAA'):
        raise invalid('NextToken')
    body = token[5:]
    body += '=' * (-len(body) % 4)
    try:
        return tuple(json.loads(base64.urlsafe_b64decode(body.encode('ascii')).decode('utf-8')))
    except (ValueError, TypeError):
        raise invalid('NextToken')


def paginate(items, key, params, default_size=10, max_size=50):
    """Page `items` (already in answer order, `key(item)` ascending and unique).

    MaxResults + NextToken (a cursor: the key of the last item served, so items created between
    two calls never shift a page) or the older PageNumber + PageSize. MaxResults above `max_size`
    is refused with InvalidParameter.MaxResults, as the API reference lists; PageSize above it with
    InvalidParam.PageSize. Returns (page, paging) where paging has TotalCount, PageNumber,
    PageSize and NextToken ("" on the last page).
    """
    max_results = params.get('MaxResults')
    token = params.get('NextToken')
    total = len(items)
    if max_results or token or not (params.get('PageNumber') or params.get('PageSize')):
        size = parse_int(params, 'MaxResults', default_size, 1, max_size, code='InvalidParameter.MaxResults')
        start = 0
        if token:
            cursor = _decode_token(token)
            start = total
            for index, item in enumerate(items):
                if tuple(key(item)) > cursor:
                    start = index
                    break
        page = items[start:start + size]
        number = 1 + (start // size if size else 0)
    else:
        size = parse_int(params, 'PageSize', default_size, 1, max_size, code='InvalidParam.PageSize', status=403)
        number = parse_int(params, 'PageNumber', 1, 1, None, code='InvalidParam.PageNumber')
        start = (number - 1) * size
        page = items[start:start + size]
    next_token = ''
    if page and start + len(page) < total:
        next_token = _encode_token(key(page[-1]))
    return page, {'TotalCount': total, 'PageNumber': number, 'PageSize': size, 'NextToken': next_token}


def _client_token(params):
    token = params.get('ClientToken')
    if token is None or token == '':
        return None
    if len(token) > 64 or any(ord(ch) > 127 for ch in token):
        raise ApiError(400, 'InvalidClientToken.Malformed', 'The specified parameter clientToken is not valid.')
    return token


def _fingerprint(action, params):
    return json.dumps([action, sorted((k, v) for k, v in params.items() if k != 'ClientToken')])


def idempotent(ctx, action, params):
    """(key, previous answer or None) for this ClientToken; a token reused with other parameters is refused.

    The key is None without a token; pass it to `remember` with the new answer."""
    token = _client_token(params)
    if token is None:
        return None, None
    key = (ctx.region, action, token)
    known = ctx.state.client_tokens.get(key)
    if known is None:
        return key, None
    if known[0] != _fingerprint(action, params):
        raise ApiError(403, 'IdempotentParameterMismatch', 'The specified parameter has changed while using an already used clientToken.')
    return key, known[1]


def remember(ctx, key, action, params, answer):
    if key:
        ctx.state.client_tokens[key] = (_fingerprint(action, params), answer)


def resource_group(ctx, params):
    """ResourceGroupId: '' or a group some instance of the region belongs to (else InvalidResourceGroup.NotFound)."""
    group = params.get('ResourceGroupId', '')
    if group and not any(i.resource_group_id == group for i in ctx.state.region_instances(ctx.region)):
        raise ApiError(404, 'InvalidResourceGroup.NotFound', 'The ResourceGroup provided does not exist in our records.')
    return group
