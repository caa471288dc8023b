# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Cloud Assistant commands: content encoding, the desired state, lookup by name, changes, result shape.

Shared by ecs_command and ecs_command_info. Nothing here knows about AnsibleModule: it takes
plain values and an EcsClient, and raises CommandError or ApiError.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import binascii

from ansible_collections.alicloud.ecs.plugins.module_utils.client import ApiError, api_int, base64_bytes, base64_text, snake_dict, tag_params

COMMAND_TYPES = ('RunShellScript', 'RunBatScript', 'RunPowerShellScript')
CONTENT_ENCODINGS = ('PlainText', 'Base64')
# CommandContent may be at most 24 KB once Base64-encoded.
CONTENT_LIMIT = 24 * 1024
MAX_NAME = 128
MAX_DESCRIPTION = 512
MAX_LAUNCHER = 1024
MIN_TIMEOUT = 10
MAX_TIMEOUT = 86400

# What ModifyCommand changes in place (the task's option name, the API's parameter name).
# The name is the lookup key, so it never differs from the command that was found.
MODIFIABLE = (('command_content', 'CommandContent'), ('description', 'Description'), ('timeout', 'Timeout'),
              ('working_dir', 'WorkingDir'), ('launcher', 'Launcher'))
# What only a new command can change: a difference here replaces the command.
REPLACING = ('type', 'enable_parameter', 'tags')
# What --diff shows, in this order.
VIEW = ('command_id', 'name', 'type', 'command_content', 'description', 'working_dir', 'timeout', 'enable_parameter',
        'launcher', 'tags')


class CommandError(Exception):
    """A problem the task must report (bad input, an ambiguous name); ``changed`` says if something was done."""

    def __init__(self, message, changed=False, command=None):
        super(CommandError, self).__init__(message)
        self.changed = changed
        self.command = command


def content_bytes(content, encoding='PlainText'):
    """The script as bytes, from plain text or from Base64 (whitespace ignored); raise CommandError when invalid."""
    if content is None or content == '':
        raise CommandError('command_content must not be empty')
    if encoding == 'Base64':
        compact = ''.join(content.split())
        try:
            return base64.b64decode(compact.encode('ascii'), validate=True)
        except (binascii.Error, ValueError, UnicodeEncodeError):
            raise CommandError('command_content is not valid Base64 (content_encoding=Base64); '
                               'give the script as it is with content_encoding=PlainText')
    return content.encode('utf-8')


def encode(data):
    """Base64 text of ``data`` (bytes), as the API takes CommandContent."""
    return base64.b64encode(data).decode('ascii')


def desired_state(params):
    """Normalise and check the task's options, before any API call; raise CommandError on bad input.

    Options left unset (None) are not compared with an existing command and are left to the API
    default when a command is created.
    """
    name = params.get('name')
    if not name or not name.strip():
        raise CommandError('name must not be empty')
    if len(name) > MAX_NAME:
        raise CommandError('name is limited to {0} characters'.format(MAX_NAME))
    desired = dict(name=name, type=params.get('type') or 'RunShellScript')
    if params.get('state', 'present') == 'absent':
        return desired
    if params.get('command_content') is None:
        raise CommandError('command_content is required with state=present')
    data = content_bytes(params['command_content'], params.get('content_encoding') or 'PlainText')
    encoded = encode(data)
    if len(encoded) > CONTENT_LIMIT:
        raise CommandError('command_content is {0} bytes once Base64-encoded; Cloud Assistant accepts at most {1} '
                           '(24 KB)'.format(len(encoded), CONTENT_LIMIT))
    description = params.get('description')
    if description is not None and len(description) > MAX_DESCRIPTION:
        raise CommandError('description is limited to {0} characters'.format(MAX_DESCRIPTION))
    launcher = params.get('launcher')
    if launcher is not None and len(launcher) > MAX_LAUNCHER:
        raise CommandError('launcher is limited to {0} characters'.format(MAX_LAUNCHER))
    timeout = params.get('timeout')
    if timeout is not None and not MIN_TIMEOUT <= timeout <= MAX_TIMEOUT:
        raise CommandError('timeout must be between {0} and {1} seconds'.format(MIN_TIMEOUT, MAX_TIMEOUT))
    tags = params.get('tags')
    if tags is not None:
        tags = dict((str(key), '' if value is None else str(value)) for key, value in tags.items())
    enable_parameter = params.get('enable_parameter')
    desired.update(
        content=data,
        command_content=data.decode('utf-8', 'replace'),
        encoded_content=encoded,
        description=description,
        working_dir=params.get('working_dir'),
        timeout=timeout,
        enable_parameter=None if enable_parameter is None else bool(enable_parameter),
        launcher=launcher,
        tags=tags,
    )
    return desired


def command_result(raw):
    """The command dict the modules return, from a DescribeCommands item: snake_case, content decoded."""
    result = snake_dict(raw)
    result['command_content'] = base64_text(raw.get('CommandContent'))
    result['timeout'] = api_int(raw.get('Timeout'))
    result['enable_parameter'] = str(raw.get('EnableParameter')).lower() == 'true'
    result.setdefault('tags', {})
    for key in ('description', 'working_dir', 'launcher'):
        result[key] = result.get(key) or ''
    result.setdefault('parameter_names', [])
    return result


def view(command):
    """What --diff shows of a command dict (or {} for none)."""
    if not command:
        return {}
    return dict((key, command.get(key)) for key in VIEW)


def find_by_name(client, name):
    """Every command whose name is exactly ``name``, as DescribeCommands items.

    The API's Name filter treats ``*`` as a wildcard, so what it answers is compared here.
    """
    return [raw for raw in client.paginate('DescribeCommands', {'Name': name}) if raw.get('Name') == name]


def describe(client, command_id):
    """The command ``command_id`` as a DescribeCommands item, or None."""
    found = list(client.paginate('DescribeCommands', {'CommandId': command_id}))
    return found[0] if found else None


INFO_FILTERS = (('command_id', 'CommandId'), ('name', 'Name'), ('type', 'Type'))


def list_commands(client, filters):
    """Every command matching ``filters`` (the info module's option names), as command dicts, newest first."""
    params = dict((api, filters[name]) for name, api in INFO_FILTERS if filters.get(name))
    return [command_result(raw) for raw in client.paginate('DescribeCommands', params)]


def changes(current, desired):
    """Split the differences between a command dict and the desired state: (in place, replacing)."""
    in_place = []
    for name, dummy in MODIFIABLE:
        wanted = desired.get(name)
        if wanted is None:
            continue
        if name == 'command_content':
            if base64_bytes(current.get('_encoded')) != desired['content']:
                in_place.append(name)
        elif current.get(name) != wanted:
            in_place.append(name)
    replacing = [name for name in REPLACING if desired.get(name) is not None and current.get(name) != desired[name]]
    return in_place, replacing


def planned(desired, current=None, command_id=None):
    """The diff view of the command a run makes (unset options keep the current or the API's default value)."""
    defaults = dict(description='', working_dir='', timeout=60, enable_parameter=False, launcher='', tags={})
    base = current or defaults
    result = dict(command_id=command_id, name=desired['name'], type=desired['type'],
                  command_content=desired['command_content'])
    for key in ('description', 'working_dir', 'timeout', 'enable_parameter', 'launcher', 'tags'):
        result[key] = desired[key] if desired.get(key) is not None else base.get(key)
    return result


def create(client, desired):
    """CreateCommand; return the new command id.

    CreateCommand carries no idempotency token, so the client does not resend it after a lost
    answer; a command that was created anyway is found by name on the next run.
    """
    params = {'Name': desired['name'], 'Type': desired['type'], 'CommandContent': desired['encoded_content'],
              'ContentEncoding': 'Base64'}
    optional = dict(Description=desired['description'], WorkingDir=desired['working_dir'], Timeout=desired['timeout'],
                    EnableParameter=desired['enable_parameter'], Launcher=desired['launcher'])
    params.update((key, value) for key, value in optional.items() if value is not None)
    if desired['tags']:
        params['Tag'] = tag_params(desired['tags'])
    return client.call('CreateCommand', params)['CommandId']


def modify(client, command_id, desired, names):
    """ModifyCommand with the attributes ``names`` (option names) set as the task wants them."""
    params = {'CommandId': command_id}
    for name, api in MODIFIABLE:
        if name in names:
            params[api] = desired['encoded_content'] if name == 'command_content' else desired[name]
    client.call('ModifyCommand', params)


def delete(client, command_id):
    client.call('DeleteCommand', {'CommandId': command_id})


class Outcome(object):
    """What a state change did: ``changed``, the command dict to return (or None), and the diff views."""

    def __init__(self, changed, command, before, after=None, action='none', deleted=None):
        self.changed = changed
        self.command = command
        self.before = before
        self.after = view(command) if after is None else after
        self.action = action
        self.deleted = deleted or []


def _current(raw):
    command = command_result(raw)
    command['_encoded'] = raw.get('CommandContent')
    return command


def _public(command):
    if command is None:
        return None
    return dict((key, value) for key, value in command.items() if not key.startswith('_'))


def _single(client, name):
    found = find_by_name(client, name)
    if len(found) > 1:
        ids = ', '.join(sorted(raw.get('CommandId') for raw in found))
        raise CommandError('name {0!r} matches {1} commands ({2}); the name must identify one command: delete or '
                           'rename the extra ones (state=absent deletes them all)'.format(name, len(found), ids))
    return _current(found[0]) if found else None


def ensure_present(client, desired, check_mode=False):
    """Make the command exist as desired: create it, change it in place, or replace it (create, then delete)."""
    current = _single(client, desired['name'])
    if current is None:
        if check_mode:
            return Outcome(True, planned(desired), {}, action='create')
        command_id = create(client, desired)
        return Outcome(True, _fetch(client, command_id, desired), {}, action='create')
    in_place, replacing = changes(current, desired)
    before = view(current)
    if not in_place and not replacing:
        return Outcome(False, _public(current), before, before)
    if replacing:
        if check_mode:
            return Outcome(True, planned(desired, current), before, action='replace')
        # Create first, then delete: a failure in between leaves the old command or both, never neither.
        # Options the task leaves unset keep the old command's values.
        command_id = create(client, _carried_over(desired, current))
        try:
            delete(client, current['command_id'])
        except ApiError as error:
            # The new command exists: say so, so that nothing is lost and the user can clean up.
            message = ('created command {0} to replace {1}, but deleting {1} failed: {2}; delete it, or the next run '
                       'finds two commands named {3!r}').format(command_id, current['command_id'], error, desired['name'])
            raise CommandError(message, changed=True, command=_fetch(client, command_id, desired))
        return Outcome(True, _fetch(client, command_id, desired), before, action='replace',
                       deleted=[current['command_id']])
    if check_mode:
        return Outcome(True, planned(desired, current, current['command_id']), before, action='modify')
    modify(client, current['command_id'], desired, in_place)
    return Outcome(True, _fetch(client, current['command_id'], desired), before, action='modify')


def _carried_over(desired, current):
    merged = dict(desired)
    for key in ('description', 'working_dir', 'timeout', 'enable_parameter', 'launcher', 'tags'):
        if merged.get(key) is None:
            merged[key] = current.get(key)
    return merged


def _fetch(client, command_id, desired):
    """The command as the API now has it (falls back to the planned view if the listing lags behind)."""
    raw = describe(client, command_id)
    if raw is None:
        return planned(desired, command_id=command_id)
    return _public(_current(raw))


def ensure_absent(client, name, check_mode=False):
    """Delete every command of that exact name; none means no change."""
    found = [_current(raw) for raw in find_by_name(client, name)]
    if not found:
        return Outcome(False, None, {}, {})
    before = view(found[0])
    ids = [command['command_id'] for command in found]
    if not check_mode:
        for command_id in ids:
            delete(client, command_id)
    return Outcome(True, None, before, {}, action='delete', deleted=ids)
