# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Run a module of this collection in the worker process when its task runs on the controller.

A module process pays for importing the SDK on every task (docs/performance.md). This file
imports the SDK once, in the main ``ansible-playbook`` process (the strategy loads action
plugins there and forks its workers from it). An action plugin built on
:class:`InProcessModuleAction` then runs the module's own ``main()`` in the worker, with the
arguments Ansible would send it and its printed result parsed as Ansible parses a module's, so
the argument spec, validation, messages, check mode, diff, no_log masking and warnings stay
AnsibleModule's. When in-process could differ from a module run, the ordinary module path runs.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import configparser
import contextlib
import importlib
import io
import json
import locale
import logging
import os
import sys
import traceback

from ansible import constants as C
from ansible.module_utils import basic
from ansible.module_utils.common import warnings as module_warnings
from ansible.module_utils.parsing.convert_bool import BOOLEANS_FALSE, BOOLEANS_TRUE
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible.utils.vars import merge_hash

# The release differences, all here. 2.19 and later send arguments through a serialization
# profile and mark which side of the wire the code runs on; 2.21 parses into a task result object.
try:
    from ansible.module_utils.common.json import Direction, get_module_encoder
    from ansible.module_utils import _internal as module_utils_internal
    AnsibleJSONEncoder = None
except ImportError:  # ansible-core 2.16 to 2.18
    from ansible.module_utils.common.json import AnsibleJSONEncoder
    Direction = get_module_encoder = module_utils_internal = None
try:
    from ansible.vars.clean import remove_internal_keys
except ImportError:  # pragma: no cover - kept in every supported release; the 2.21 result object has its own
    remove_internal_keys = None

# The SDK and the client layer, imported once per playbook in the main process; forked workers inherit them.
IMPORT_ERROR = None
try:
    from ansible_collections.alicloud.ecs.plugins.module_utils import client as client_utils
    from ansible_collections.alicloud.ecs.plugins.module_utils import module as module_utils_module  # noqa: F401 pylint: disable=unused-import
    from ansible_collections.alicloud.ecs.plugins.module_utils.connection import alicloud_argument_spec
    if not client_utils.HAS_SDK:
        IMPORT_ERROR = client_utils.SDK_IMPORT_ERROR.strip().splitlines()[-1]
except Exception as exc:  # pylint: disable=broad-except
    IMPORT_ERROR = '%s: %s' % (type(exc).__name__, exc)
    alicloud_argument_spec = None

display = Display()

OPT_OUT_VARIABLE = 'ALICLOUD_ECS_IN_PROCESS'
CONFIG_SECTION = 'alicloud_ecs'
CONFIG_KEY = 'in_process'
PROFILE = 'legacy'
MODULES_PACKAGE = 'ansible_collections.alicloud.ecs.plugins.modules'


class InProcessSettingError(ValueError):
    """The opt-out is set to something that is not a boolean."""


def _boolean(value, where):
    text = str(value).strip().lower()
    if text in [str(item).lower() for item in BOOLEANS_TRUE]:
        return True
    if text in [str(item).lower() for item in BOOLEANS_FALSE]:
        return False
    raise InProcessSettingError('%s must be true or false, not %r' % (where, value))


def config_setting(path=None):
    """``in_process`` of the ``[alicloud_ecs]`` section of the ansible.cfg in use (action plugins have no config of their own)."""
    path = C.CONFIG_FILE if path is None else path
    if not path or not os.path.isfile(path):
        return None
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path)
    except configparser.Error:
        return None     # Ansible itself reports a broken ansible.cfg
    if not parser.has_option(CONFIG_SECTION, CONFIG_KEY):
        return None
    return _boolean(parser.get(CONFIG_SECTION, CONFIG_KEY), '%s in [%s] of %s' % (CONFIG_KEY, CONFIG_SECTION, path))


def in_process_enabled(task_environment, config_path=None):
    """The opt-out: the task's environment first, then the controller's, then ansible.cfg; on by default."""
    for where, environment in (('the task environment', task_environment), ('the environment', os.environ)):
        if environment.get(OPT_OUT_VARIABLE) not in (None, ''):
            return _boolean(environment[OPT_OUT_VARIABLE], '%s in %s' % (OPT_OUT_VARIABLE, where))
    setting = config_setting(config_path)
    return True if setting is None else setting


def secret_values(args, environment):
    """The values of the no_log options, given as arguments or through their environment fallbacks."""
    found = set()
    for name, spec in (alicloud_argument_spec() if alicloud_argument_spec else {}).items():
        if not spec.get('no_log'):
            continue
        for key in [name] + list(spec.get('aliases', [])):
            if args.get(key):
                found.add(str(args[key]))
        for variable in spec.get('fallback', (None, []))[1]:
            for source in (environment, os.environ):
                if source.get(variable):
                    found.add(str(source[variable]))
    return found


def scrub(text, secrets):
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, '********')
    return text


def encode_module_args(module_args):
    """The bytes a module reads as its arguments, encoded as module_common encodes them."""
    params = dict(ANSIBLE_MODULE_ARGS=module_args)
    if get_module_encoder is not None:
        return json.dumps(params, cls=get_module_encoder(PROFILE, Direction.CONTROLLER_TO_MODULE)).encode('utf-8')
    return json.dumps(params, cls=AnsibleJSONEncoder, vault_to_text=True).encode('utf-8')


@contextlib.contextmanager
def module_context(args_bytes, environment):
    """What a module process would have: its arguments, the task's environment, its own stdout.

    Restores afterwards what AnsibleModule leaves behind in a process (a worker runs every item
    of a loop): the parsed arguments, collected warnings and deprecations, the environment,
    the working directory, the locale, stdout and logging handlers.
    """
    saved_env = dict(os.environ)
    saved_cwd = os.getcwd()
    saved_locale = locale.setlocale(locale.LC_ALL)
    saved_stdout = sys.stdout
    saved_handlers = list(logging.getLogger().handlers)
    saved_globals = dict((name, getattr(basic, name)) for name in ('_ANSIBLE_ARGS', '_ANSIBLE_PROFILE', '_PARSED_MODULE_ARGS')
                         if hasattr(basic, name))
    saved_controller = getattr(module_utils_internal, 'is_controller', None)
    captured = io.StringIO()
    try:
        os.environ.update(dict((str(key), str(value)) for key, value in environment.items()))
        _clear_messages()
        basic._ANSIBLE_ARGS = args_bytes
        if hasattr(basic, '_ANSIBLE_PROFILE'):
            basic._ANSIBLE_PROFILE = PROFILE
        if saved_controller is not None:
            # Module-side code: warnings go into the result and arguments decode as in a module process.
            module_utils_internal.is_controller = False
        sys.stdout = captured
        yield captured
    finally:
        sys.stdout = saved_stdout
        if saved_controller is not None:
            module_utils_internal.is_controller = saved_controller
        for name, value in saved_globals.items():
            setattr(basic, name, value)
        _clear_messages()
        logging.getLogger().handlers[:] = saved_handlers
        os.environ.clear()
        os.environ.update(saved_env)
        try:
            os.chdir(saved_cwd)
            locale.setlocale(locale.LC_ALL, saved_locale)
        except (OSError, locale.Error):
            pass


def _clear_messages():
    for name in ('_global_warnings', '_global_deprecations'):
        collected = getattr(module_warnings, name, None)
        if collected is not None:
            collected.clear()


def run_module_main(import_path, args_bytes, environment):
    """Run ``main()`` of the module at ``import_path``; returns what a module run returns (rc, stdout, stderr)."""
    with module_context(args_bytes, environment) as captured:
        rc = 0
        try:
            importlib.import_module(import_path).main()
        except SystemExit as exit_:
            rc = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
        return dict(rc=rc, stdout=captured.getvalue(), stderr='')


def failure_result(action, exc, secrets):
    """A failed task for an exception out of the in-process run (a bug, not a module failure), secrets masked.

    Reported like a module failure (``msg`` and an ``error`` dict), never as a traceback of the action plugin;
    the traceback is shown at -vvv.
    """
    display.vvv(scrub(''.join(traceback.format_exception(type(exc), exc, exc.__traceback__)), secrets))
    message = scrub('%s: %s' % (type(exc).__name__, exc), secrets)
    return dict(failed=True, msg='%s failed in the controller process: %s' % (action, message),
                error=dict(code='InProcessFailure', message=message))


class InProcessModuleAction(ActionBase):
    """The action plugin of a module of this collection: in the worker process on the controller, else the module.

    A subclass is named like its module (plugins/action/<module>.py) and needs no body.
    """

    _supports_check_mode = True
    _supports_async = True

    @property
    def module_import_path(self):
        return '%s.%s' % (MODULES_PACKAGE, type(self).__module__.rsplit('.', 1)[-1])

    def run(self, tmp=None, task_vars=None):
        result = super(InProcessModuleAction, self).run(tmp, task_vars)
        del tmp
        task_vars = {} if task_vars is None else task_vars
        environment = {}
        self._compute_environment_string(raw_environment_out=environment)
        try:
            reason = self.fallback_reason(environment)
        except InProcessSettingError as exc:
            result.update(failed=True, msg=str(exc))
            return result
        if reason:
            display.vvv('alicloud.ecs: %s runs as a module: %s' % (self._task.action, reason))
            return merge_hash(result, self._run_as_module(task_vars))
        display.vvv('alicloud.ecs: %s runs in the controller process' % self._task.action)
        return merge_hash(result, self._run_in_process(task_vars, environment))

    def fallback_reason(self, environment):
        """Why this task must run as an ordinary module, or None when it can run in this process."""
        if not in_process_enabled(environment):
            return 'in-process execution is turned off (%s or [%s] %s)' % (OPT_OUT_VARIABLE, CONFIG_SECTION, CONFIG_KEY)
        if IMPORT_ERROR:
            return "the controller's Python cannot import what the module needs (%s)" % IMPORT_ERROR
        # The transport, not the plugin's load name: that one changes between the items of a loop.
        connection = getattr(self._connection, 'transport', None)
        if connection != 'local':
            return 'the connection is %s, not local' % connection
        if self._task.async_val:
            return 'the task is async'
        if getattr(self._task, 'timeout', None):
            # The timeout interrupts with an exception that code run in-process could catch as its own failure.
            return 'the task has a timeout'
        if self._play_context.become:
            return 'the task uses become'
        return None

    def _run_as_module(self, task_vars):
        wrap_async = self._task.async_val and not getattr(self._connection, 'has_native_async', False)
        result = self._execute_module(task_vars=task_vars, wrap_async=wrap_async)
        if not wrap_async:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result

    def _run_in_process(self, task_vars, environment):
        module_args = dict(self._task.args)
        self._update_module_args(self._task.action, module_args, task_vars)
        try:
            res = run_module_main(self.module_import_path, encode_module_args(module_args), environment)
        except Exception as exc:  # pylint: disable=broad-except
            return failure_result(self._task.action, exc, secret_values(self._task.args, environment))
        return self._parse_module_result(res)

    def _parse_module_result(self, res):
        """Parse what the module printed as ``_execute_module`` of the running release does."""
        if get_module_encoder is None:
            data = self._parse_returned_data(res)
        else:
            data = self._parse_returned_data(res, PROFILE)
        if hasattr(data, 'as_result_dict'):     # 2.21 and later: a task result object
            data.remove_internal_keys()
            return data.as_result_dict(for_round_trip=True)
        data.pop('_ansible_suppress_tmpdir_delete', None)
        remove_internal_keys(data)
        return data
