# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""In-memory state of the ECS emulator: the fleet, commands, invocations, and the runner that
moves each instance's record through its statuses (running shell scripts for real)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import heapq
import itertools
import os
import posixpath
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import traceback

from emu_common import FLEET_REGION, KNOWN_REGIONS, OUTPUT_LIMIT, region_tag

# Instance-level statuses and how they roll up.
ACTIVE = ('Pending', 'Scheduled', 'Running', 'Stopping')
FAILED = ('Invalid', 'Aborted', 'Failed', 'Timeout', 'Error')
STOPPED = ('Cancelled', 'Terminated', 'Stopped')
PERIODIC_MODES = ('Period', 'NextRebootOnly', 'EveryReboot')

PARAM_RE = re.compile(r'\{\{\s*([A-Za-z0-9_\-]+)\s*\}\}')
BUILTIN_RE = re.compile(r'\{\{\s*(ACS::[A-Za-z]+)\s*\}\}')

REAL_UNAME = shutil.which('uname', path='/usr/bin:/bin') or '/bin/uname'
UNAME_SHIM = '''#!/bin/sh
case "$*" in
  -n|--nodename) echo %(id)s ;;
  *) exec %(uname)s "$@" ;;
esac
'''

# sudo and su as root on an instance: scripts run as the emulator's own user, so they run the
# command as that user; switching to any other user is refused (the emulator cannot).
SUDO_SHIM = '''#!/bin/sh
user=root
while [ $# -gt 0 ]; do
  case "$1" in
    -u) user=$2; shift 2 ;;
    -p) shift 2 ;;
    --) shift; break ;;
    -*) shift ;;
    *) break ;;
  esac
done
if [ "$user" != root ] && [ "$user" != "$(id -un)" ]; then
  echo "sudo: the emulator cannot switch to user $user" >&2; exit 1
fi
exec "$@"
'''
SU_SHIM = '''#!/bin/sh
user=root
command=
while [ $# -gt 0 ]; do
  case "$1" in
    -c) command=$2; shift 2 ;;
    -|-l|--login|-m|-p) shift ;;
    -s) shift 2 ;;
    -*) shift ;;
    *) user=$1; shift ;;
  esac
done
if [ "$user" != root ] && [ "$user" != "$(id -un)" ]; then
  echo "su: the emulator cannot switch to user $user" >&2; exit 1
fi
exec /bin/sh -c "$command"
'''

ERROR_INFO = {
    'InstanceNotRunning': 'the specified instance was not running during task execution',
    'CommandNotApplicable': 'the OS type of the instance does not support the specified command type',
    'DirectoryNotExists': 'the specified directory does not exist',
    'ClientNotRunning': 'the aliyun service is not running on the instance',
    'ClientNotResponse': 'the aliyun service in the instance does not response',
    'ExecutionTimeout': 'the command execution has been timeout',
    'ExecutionInterrupted': 'the command task was interrupted: the instance stopped during execution',
    'ExecutionException': 'the command execution got an exception',
    'ExitCodeNonzero': 'the command execution exit code is not zero',
}


def parameter_names(content):
    """Custom parameter names used in a command's content ({{name}}; built-in ACS:: ones excluded)."""
    names = []
    for name in PARAM_RE.findall(content):
        if name not in names:
            names.append(name)
    return names


def rollup(statuses):
    """The invocation-level InvocationStatus from the instance-level ones (the API's table)."""
    for status in ('Pending', 'Scheduled', 'Running', 'Stopping'):
        if status in statuses:
            return status
    if all(s in STOPPED for s in statuses):
        return 'Stopped'
    success = sum(1 for s in statuses if s == 'Success')
    if success and all(s == 'Success' or s in STOPPED for s in statuses):
        return 'Success'
    if success:
        return 'PartialFailed'
    return 'Failed'


LEGACY_INVOCATION = {
    'Pending': 'Running', 'Scheduled': 'Running', 'Running': 'Running', 'Stopping': 'Stopping',
    'Success': 'Finished', 'Failed': 'Failed', 'PartialFailed': 'PartialFailed', 'Stopped': 'Stopped',
}


def legacy_record_status(status):
    """The legacy per-instance status (InstanceInvokeStatus, InvokeRecordStatus)."""
    if status in ('Pending', 'Scheduled', 'Running'):
        return 'Running'
    if status == 'Stopping':
        return 'Stopping'
    if status in ('Success', 'Failed'):
        return 'Finished'
    if status in STOPPED:
        return 'Stopped'
    return 'Failed'


class Instance(object):
    """One ECS instance; `answer_fields` of emu_actions turns it into the DescribeInstances shape."""

    def __init__(self, instance_id, name, os_type, os_name, status, zone, instance_type, tags, created, **kwargs):
        self.instance_id = instance_id
        self.name = name
        self.os_type = os_type
        self.os_name = os_name
        self.status = status
        self.zone = zone
        self.instance_type = instance_type
        self.tags = tags
        self.created = created
        self.region = kwargs.get('region', FLEET_REGION)
        self.resource_group_id = kwargs.get('resource_group_id', '')
        self.private_ip = kwargs.get('private_ip', '')
        self.public_ips = kwargs.get('public_ips', [])
        self.eip = kwargs.get('eip')                  # None, or {AllocationId, IpAddress, Bandwidth, ...}
        self.vpc_id = kwargs.get('vpc_id', 'vpc-emu0000000000000001')
        self.vswitch_id = kwargs.get('vswitch_id', 'vsw-emu0000000000000001')
        self.security_group_ids = kwargs.get('security_group_ids', ['sg-emu0000000000000001'])
        self.lock_reasons = kwargs.get('lock_reasons', [])
        self.charge_type = kwargs.get('charge_type', 'PostPaid')
        self.expired = kwargs.get('expired')         # epoch of a PrePaid instance's expiry, else None
        self.serial = kwargs.get('serial', 0)
        self.scratch_ready = False
        self.invocation_count = 0
        self.last_invoked = None


class Command(object):
    def __init__(self, command_id, region, name, command_type, content, **kwargs):
        self.command_id = command_id
        self.region = region
        self.name = name
        self.command_type = command_type
        self.content = content                      # plain text
        self.description = kwargs.get('description', '')
        self.working_dir = kwargs.get('working_dir', '')
        self.timeout = kwargs.get('timeout', 60)
        self.enable_parameter = kwargs.get('enable_parameter', False)
        self.launcher = kwargs.get('launcher', '')
        self.tags = kwargs.get('tags', {})
        self.visible = kwargs.get('visible', True)   # RunCommand with KeepCommand false: hidden
        self.created = time.time()
        self.invoke_times = 0
        self.seq = 0


class Record(object):
    """The run of one invocation on one instance."""

    def __init__(self, instance_id, created):
        self.instance_id = instance_id
        self.status = 'Pending'
        self.exit_code = 0
        self.output = b''
        self.dropped = 0
        self.error_code = ''
        self.error_info = ''
        self.created = created
        self.updated = created
        self.start_time = None
        self.finish_time = None
        self.stop_time = None
        self.repeats = 0
        self.process = None
        self.simulated = False
        self.stop_requested = False


class Invocation(object):
    def __init__(self, invoke_id, region, command, options, instance_ids):
        self.invoke_id = invoke_id
        self.region = region
        self.command_id = command.command_id
        self.command_name = command.name
        self.command_type = command.command_type
        self.command_content = command.content
        self.command_description = command.description
        self.enable_parameter = command.enable_parameter
        self.parameters = options.get('parameters') or {}
        self.repeat_mode = options.get('repeat_mode', 'Once')
        self.frequency = options.get('frequency', '')
        self.timeout = options.get('timeout') or command.timeout
        self.username = options.get('username', '')
        self.working_dir = options.get('working_dir') or command.working_dir
        self.container_id = options.get('container_id', '')
        self.container_name = options.get('container_name', '')
        self.launcher = options.get('launcher') or command.launcher
        self.termination_mode = options.get('termination_mode', '')
        self.windows_password_name = options.get('windows_password_name', '')
        self.tags = options.get('tags', {})
        self.oss_output_delivery = options.get('oss_output_delivery', '')
        self.resource_group_id = options.get('resource_group_id', '')
        self.created = time.time()
        self.stopped = False
        self.seq = 0
        self.records = [Record(i, self.created) for i in instance_ids]

    @property
    def status(self):
        return rollup([r.status for r in self.records])

    @property
    def timed(self):
        return self.repeat_mode in PERIODIC_MODES and not self.stopped


def _default_fleet(linux_count, created):
    fleet = []
    zones = ('cn-hangzhou-h', 'cn-hangzhou-i', 'cn-hangzhou-j', 'cn-hangzhou-k')
    width = 3 if linux_count > 99 else 2
    for number in range(1, linux_count + 1):
        tags = {'env': 'test'}
        if number <= 3:
            tags['role'] = 'web'
        elif number <= 5:
            tags['role'] = 'db'
        suffix = str(number).zfill(width)
        fleet.append(Instance('i-emu-linux-%s' % suffix, 'emu-linux-%s' % suffix, 'linux',
                              'Alibaba Cloud Linux 3.2104 LTS 64 bit', 'Running', zones[(number - 1) % len(zones)],
                              'ecs.g7.large', tags, created))
    fleet.append(Instance('i-emu-win-01', 'emu-win-01', 'windows', 'Windows Server 2022 Datacenter 64 bit',
                          'Running', zones[0], 'ecs.g7.xlarge', {'env': 'windows-test'}, created))
    fleet.append(Instance('i-emu-stopped-01', 'emu-stopped-01', 'linux', 'Alibaba Cloud Linux 3.2104 LTS 64 bit',
                          'Stopped', zones[1], 'ecs.g7.large', {'env': 'stopped'}, created))
    # Private addresses and serial numbers follow the id order, 172.16.0.10 upwards.
    for index, instance in enumerate(sorted(fleet, key=lambda i: i.instance_id)):
        instance.private_ip = '172.16.0.%d' % (10 + index)
        instance.serial = index
    return fleet


# The generated fleets (--fleet-size, --region-instances): see "Large fleets" in README.md.
RESOURCE_GROUPS = ('rg-emu0000000000001', 'rg-emu0000000000002')
TIERS = ('web', 'app', 'db')                    # web: a public IP, app: an EIP, db: private only
TIER_TYPES = {'web': 'ecs.g7.large', 'app': 'ecs.c7.xlarge', 'db': 'ecs.r7.2xlarge'}


def zones_of(region):
    if region == FLEET_REGION:
        return ('cn-hangzhou-h', 'cn-hangzhou-i', 'cn-hangzhou-j', 'cn-hangzhou-k')
    if region.startswith('cn-'):
        return tuple('%s-%s' % (region, letter) for letter in 'abc')
    return tuple('%s%s' % (region, letter) for letter in 'ab')


def generated_fleet(region, region_index, count, created):
    """`count` Linux instances in `region`, spread over zones, resource groups, tiers and batches of 100."""
    tag = region_tag(region)
    zones = zones_of(region)
    fleet = []
    for number in range(1, count + 1):
        tier = TIERS[(number - 1) % len(TIERS)]
        zone = zones[(number - 1) % len(zones)]
        # Every 50th pair shares a name (n % 50 == 25 takes the name of n - 1).
        name_number = number - 1 if number % 50 == 25 else number
        octets = (region_index, number // 250, number % 250 + 1)
        extra = {}
        if tier == 'web':
            extra['public_ips'] = ['47.%d.%d.%d' % octets]
        elif tier == 'app':
            extra['eip'] = {'AllocationId': 'eip-emu%s%011d' % (tag, number), 'IpAddress': '39.%d.%d.%d' % octets,
                            'Bandwidth': 5, 'InternetChargeType': 'PayByTraffic', 'IsSupportUnassociate': True}
        security_groups = ['sg-emu%s00000000001' % tag]
        if tier == 'web':
            security_groups.append('sg-emu%s00000000web' % tag)
        stopped = number % 10 == 0
        prepaid = number % 7 == 0
        instance = Instance(
            'i-emu-%s-%05d' % (tag, number), 'emu-%s-%05d' % (tag, name_number), 'linux',
            'Alibaba Cloud Linux 3.2104 LTS 64 bit', 'Stopped' if stopped else 'Running', zone, TIER_TYPES[tier],
            {'fleet': tag, 'tier': tier, 'batch': 'b%d' % ((number - 1) // 100 + 1)}, created - number,
            region=region, resource_group_id=RESOURCE_GROUPS[(number - 1) % len(RESOURCE_GROUPS)],
            private_ip='10.%d.%d.%d' % octets, vpc_id='vpc-emu%s000000000001' % tag,
            vswitch_id='vsw-emu%s00000000000%s' % (tag, zone[-1]), security_group_ids=security_groups,
            lock_reasons=[{'LockReason': 'financial', 'LockMsg': ''}] if number % 100 == 0 else [],
            charge_type='PrePaid' if prepaid else 'PostPaid', expired=created + 365 * 86400 if prepaid else None,
            serial=region_index * 100000 + number, **extra)
        fleet.append(instance)
    return fleet


class State(object):
    """Everything the emulator knows; one lock guards it all."""

    def __init__(self, state_dir, linux_count=12, execute=True, pending_delay=0.2, min_timeout=10,
                 controls=None, region_instances=None, simulated_run_time=0.05):
        self.lock = threading.RLock()
        self.state_dir = state_dir
        self.execute = execute
        self.pending_delay = pending_delay
        self.min_timeout = min_timeout
        self.simulated_run_time = simulated_run_time
        self.controls = controls          # an object with offline(id), stops_mid_run(id), pending_delay()
        self._seq = itertools.count(1)
        created = time.time() - 86400
        self.instances = {}
        for instance in _default_fleet(linux_count, created):
            self.instances[instance.instance_id] = instance
            self.prepare_scratch(instance)
        for region, count in sorted((region_instances or {}).items()):
            for instance in generated_fleet(region, KNOWN_REGIONS.index(region), count, created):
                self.instances[instance.instance_id] = instance      # scratch roots made on first run
        # Instances never come or go: keep each region's list in id order once.
        self.by_region = {}
        for instance in sorted(self.instances.values(), key=lambda i: i.instance_id):
            self.by_region.setdefault(instance.region, []).append(instance)
        self.commands = {}
        self.invocations = {}
        self.file_sends = {}              # SendFile: invoke id -> emu_files.FileSend
        self.client_tokens = {}
        self.closing = False              # set at shutdown: a process started after kill_all is killed at once
        self.timeline = Timeline()

    def region_instances(self, region):
        return self.by_region.get(region, [])

    # -- scratch directories ------------------------------------------------------------
    def scratch(self, instance_id):
        return os.path.join(self.state_dir, instance_id)

    def prepare_scratch(self, instance):
        instance_id = instance.instance_id
        instance.scratch_ready = True
        root = self.scratch(instance_id)
        for sub in ('root', 'tmp', 'home', os.path.join('.emu', 'bin'), os.path.join('.emu', 'scripts')):
            os.makedirs(os.path.join(root, sub), exist_ok=True)
        # The instance's name is its id, for hostname and uname -n; other uname flags go to the real one.
        shims = {
            'hostname': '#!/bin/sh\necho %s\n' % instance_id,
            'uname': UNAME_SHIM % {'id': instance_id, 'uname': REAL_UNAME},
            'sudo': SUDO_SHIM,
            'su': SU_SHIM,
        }
        for name, text in shims.items():
            shim = os.path.join(root, '.emu', 'bin', name)
            with open(shim, 'w') as handle:
                handle.write(text)
            os.chmod(shim, 0o755)

    def map_dir(self, instance_id, path):
        """Map an instance path (/root, /tmp/x, /home/u) into the instance's scratch root."""
        base = os.path.realpath(self.scratch(instance_id))
        clean = posixpath.normpath('/' + (path or '/root')).lstrip('/')
        mapped = os.path.realpath(os.path.join(base, clean))
        if mapped != base and not mapped.startswith(base + os.sep):
            return None
        return mapped

    def next_seq(self):
        return next(self._seq)

    # -- commands -------------------------------------------------------------------------
    def add_command(self, command):
        with self.lock:
            command.seq = self.next_seq()
            self.commands[command.command_id] = command
        return command

    def find_command(self, region, command_id):
        command = self.commands.get(command_id)
        if command is None or command.region != region or not command.visible:
            return None
        return command

    # -- invocations ----------------------------------------------------------------------
    def add_invocation(self, invocation):
        with self.lock:
            invocation.seq = self.next_seq()
            self.invocations[invocation.invoke_id] = invocation
            for record in invocation.records:
                instance = self.instances.get(record.instance_id)
                if instance:
                    instance.invocation_count += 1
                    instance.last_invoked = invocation.created
        delay = self.pending_delay
        if self.controls is not None:
            delay = self.controls.pending_delay(delay)
        start = time.time() + max(0.0, delay)
        for record in invocation.records:
            self.timeline.at(start, self._start_record, invocation, record)
        return invocation

    def stop(self, invocation, instance_ids=None):
        """StopInvocation: Pending/Scheduled records stop at once, Running ones go through Stopping."""
        now = time.time()
        to_kill = []
        with self.lock:
            for record in invocation.records:
                if instance_ids and record.instance_id not in instance_ids:
                    continue
                if record.status in ('Pending', 'Scheduled'):
                    record.stop_requested = True
                    record.status = 'Stopped'
                    record.stop_time = record.updated = now
                elif record.status == 'Running':
                    record.stop_requested = True
                    record.status = 'Stopping'
                    record.stop_time = record.updated = now
                    if record.process is not None:
                        to_kill.append(record.process)
                    elif record.simulated:
                        self.timeline.at(now + 0.05, self._end_simulated, invocation, record)
            if not any(r.status in ACTIVE for r in invocation.records) or not instance_ids:
                invocation.stopped = True
        for process in to_kill:
            _kill_group(process)

    def kill_all(self):
        with self.lock:
            self.closing = True
            processes = [r.process for inv in self.invocations.values() for r in inv.records if r.process is not None]
        for process in processes:
            _kill_group(process)

    # -- the runner ---------------------------------------------------------------------------
    def _set(self, record, **changes):
        with self.lock:
            for key, value in changes.items():
                setattr(record, key, value)
            record.updated = time.time()

    def _fail(self, record, status, code, exit_code=0):
        now = time.time()
        self._set(record, status=status, error_code=code, error_info=ERROR_INFO.get(code, code),
                  exit_code=exit_code, finish_time=now)

    def _start_record(self, invocation, record):
        """On the timeline when the pending delay is over: fail, schedule, simulate or execute the run."""
        with self.lock:
            if record.stop_requested:
                return
            instance = self.instances.get(record.instance_id)
            problem = self._problem(invocation, instance)
            if problem is None and invocation.repeat_mode in PERIODIC_MODES:
                record.status = 'Scheduled'
                record.updated = time.time()
                return
            if problem is not None:
                self._fail(record, problem[0], problem[1])
                return
            record.status = 'Running'
            record.start_time = record.updated = time.time()
            record.repeats = 1
            record.simulated = self._simulated(invocation, instance)
        if record.simulated:
            run_time = self.simulated_run_time
            if self.controls is not None and self.controls.stops_mid_run(instance.instance_id):
                run_time = min(run_time, 0.1)
            self.timeline.at(record.start_time + run_time, self._end_simulated, invocation, record)
            return
        thread = threading.Thread(target=self._execute, args=(invocation, record, instance),
                                  name='run-%s-%s' % (invocation.invoke_id, record.instance_id))
        thread.daemon = True
        thread.start()

    def _problem(self, invocation, instance):
        """Why a record cannot run on this instance: (status, error code) or None."""
        if instance is None:
            return ('Invalid', 'InstanceNotExists')
        if instance.status != 'Running':
            return ('Aborted', 'InstanceNotRunning')
        if self.controls is not None and self.controls.offline(instance.instance_id):
            return ('Aborted', 'ClientNotRunning')
        if invocation.command_type == 'RunShellScript' and instance.os_type != 'linux':
            return ('Invalid', 'CommandNotApplicable')
        if invocation.command_type in ('RunBatScript', 'RunPowerShellScript') and instance.os_type != 'windows':
            return ('Invalid', 'CommandNotApplicable')
        if instance.os_type == 'linux' and not invocation.container_id and not invocation.container_name:
            if not instance.scratch_ready:
                self.prepare_scratch(instance)
            path = self.map_dir(instance.instance_id, self._working_dir(invocation))
            if path is not None and not invocation.working_dir and invocation.username not in ('', 'root'):
                os.makedirs(path, exist_ok=True)      # a user's home exists on a real instance
            if path is None or not os.path.isdir(path):
                return ('Invalid', 'DirectoryNotExists')
        return None

    def _working_dir(self, invocation):
        if invocation.working_dir:
            return invocation.working_dir
        user = invocation.username or 'root'
        return '/root' if user == 'root' else '/home/%s' % user

    def _simulated(self, invocation, instance):
        return (not self.execute or invocation.command_type != 'RunShellScript' or instance.os_type != 'linux'
                or bool(invocation.container_id or invocation.container_name))

    def _end_simulated(self, invocation, record):
        """On the timeline when a simulated run is over (or was stopped): its final status."""
        instance = self.instances.get(record.instance_id)
        if record.status == 'Running' and self._maybe_stop_mid_run(record, instance, None):
            return
        with self.lock:
            if record.status != 'Running':
                if record.status == 'Stopping':
                    record.status = 'Stopped'
                    record.updated = time.time()
                return
            record.output = ('simulated output of %s on %s\n' % (invocation.command_name, instance.instance_id)).encode('utf-8')
            record.exit_code = 0
            record.status = 'Success'
            record.finish_time = record.updated = time.time()

    def _script(self, invocation, instance):
        content = invocation.command_content
        if invocation.enable_parameter:
            values = invocation.parameters

            def replace(match):
                return str(values.get(match.group(1), ''))
            content = PARAM_RE.sub(replace, content)
        builtins = {
            'ACS::InstanceId': instance.instance_id, 'ACS::InstanceName': instance.name,
            'ACS::RegionId': instance.region, 'ACS::InvokeId': invocation.invoke_id,
            'ACS::CommandId': invocation.command_id, 'ACS::InvokeUser': invocation.username or 'root',
        }
        return BUILTIN_RE.sub(lambda m: builtins.get(m.group(1), m.group(0)), content)

    def _execute(self, invocation, record, instance):
        scratch = self.scratch(instance.instance_id)
        user = invocation.username or 'root'
        cwd = self.map_dir(instance.instance_id, self._working_dir(invocation))
        home = self.map_dir(instance.instance_id, '/root' if user == 'root' else '/home/%s' % user)
        script = self._script(invocation, instance)
        script_path = os.path.join(scratch, '.emu', 'scripts', '%s.sh' % invocation.invoke_id)
        with open(script_path, 'w') as handle:
            handle.write(script)
        shell = '/bin/sh'
        first = script.split('\n', 1)[0]
        if first.startswith('#!') and 'bash' in first and os.path.exists('/bin/bash'):
            shell = '/bin/bash'
        env = {
            'PATH': '%s:/usr/local/bin:/usr/bin:/bin' % os.path.join(scratch, '.emu', 'bin'),
            'HOME': home, 'USER': user, 'LOGNAME': user, 'SHELL': shell, 'LANG': 'C.UTF-8',
            'TMPDIR': os.path.join(scratch, 'tmp'), 'PWD': cwd, 'HOSTNAME': instance.instance_id,
            'ECS_EMULATOR_INSTANCE_ID': instance.instance_id, 'ECS_EMULATOR_ROOT': scratch,
        }
        try:
            process = subprocess.Popen([shell, script_path], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        except OSError as exc:
            self._set(record, output=str(exc).encode('utf-8'))
            self._fail(record, 'Error', 'ExecutionException')
            return
        chunks = {'kept': bytearray(), 'total': 0}
        reader = threading.Thread(target=_read_output, args=(process.stdout, chunks))
        reader.daemon = True
        reader.start()
        with self.lock:
            record.process = process
            stop_now = record.stop_requested or self.closing     # kill_all may have run meanwhile
        if stop_now:
            _kill_group(process)
        timed_out = False
        interrupted = self._maybe_stop_mid_run(record, instance, process)
        if not interrupted:
            try:
                process.wait(timeout=invocation.timeout)
            except subprocess.TimeoutExpired:
                timed_out = True
                _kill_group(process)
                process.wait()
        reader.join(2.0)
        if reader.is_alive():
            _kill_group(process)
            reader.join(2.0)
        now = time.time()
        with self.lock:
            record.process = None
            record.output = bytes(chunks['kept'])
            record.dropped = max(0, chunks['total'] - OUTPUT_LIMIT)
            record.finish_time = record.updated = now
            code = process.returncode
            if interrupted:
                record.status, record.error_code, record.exit_code = 'Error', 'ExecutionInterrupted', -1
            elif record.stop_requested:
                record.status, record.exit_code = 'Stopped', -1
                record.finish_time = None
            elif timed_out:
                record.status, record.error_code, record.exit_code = 'Timeout', 'ExecutionTimeout', -1
            elif code == 0:
                record.status, record.exit_code = 'Success', 0
            else:
                record.status, record.error_code, record.exit_code = 'Failed', 'ExitCodeNonzero', code
            record.error_info = ERROR_INFO.get(record.error_code, '') if record.error_code else ''
        try:
            os.remove(script_path)
        except OSError:
            pass

    def _maybe_stop_mid_run(self, record, instance, process):
        """The stop_mid_run fault: the instance stops shortly after the command started."""
        if self.controls is None or not self.controls.stops_mid_run(instance.instance_id):
            return False
        if process is not None:
            try:
                process.wait(timeout=0.1)
            except subprocess.TimeoutExpired:
                pass
            _kill_group(process)
            process.wait()
        with self.lock:
            instance.status = 'Stopped'
            if process is None:
                record.status, record.error_code, record.exit_code = 'Error', 'ExecutionInterrupted', -1
                record.error_info = ERROR_INFO['ExecutionInterrupted']
                record.finish_time = record.updated = time.time()
        return True


class Timeline(object):
    """One thread that runs short callbacks at given times: the pending delay and the simulated run of
    every record, so a fleet of thousands needs no thread per record."""

    def __init__(self):
        self._heap = []
        self._cond = threading.Condition()
        self._order = itertools.count()
        thread = threading.Thread(target=self._loop, name='timeline')
        thread.daemon = True
        thread.start()

    def at(self, when, func, *args):
        with self._cond:
            heapq.heappush(self._heap, (when, next(self._order), func, args))
            self._cond.notify()

    def _loop(self):
        while True:
            with self._cond:
                while not self._heap or self._heap[0][0] > time.time():
                    self._cond.wait(self._heap[0][0] - time.time() if self._heap else None)
                _when, _order, func, args = heapq.heappop(self._heap)
            try:
                func(*args)
            except Exception:  # pylint: disable=broad-except
                sys.stderr.write(traceback.format_exc())


def _read_output(stream, chunks):
    while True:
        data = stream.read1(65536) if hasattr(stream, 'read1') else stream.read(65536)
        if not data:
            break
        chunks['total'] += len(data)
        room = OUTPUT_LIMIT - len(chunks['kept'])
        if room > 0:
            chunks['kept'].extend(data[:room])
    stream.close()


def _kill_group(process):
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except OSError:
        pass
