# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The alicloud.ecs.run_command role end to end."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from emulator.harness import LINUX_INSTANCES

A, B, C = LINUX_INSTANCES[:3]
SHOW = 'Show what each instance printed'
RECORD = 'Record the result'


def role(**variables):
    return [
        {'name': 'run the role', 'ansible.builtin.include_role': {'name': 'alicloud.ecs.run_command'}, 'vars': variables},
        {'name': 'after the role', 'ansible.builtin.debug': {'msg': '{{ run_command_result.status }}'}},
    ]


def shown(run):
    """What the role's debug task printed, per instance."""
    return dict((item['item']['instance_id'], item['msg']) for item in run.task(SHOW)['results'])


def test_runs_a_script_on_two_instances_and_shows_their_output(ansible):
    script = 'echo "hello from $(hostname)"; echo second line'
    run = ansible.playbook(role(run_command_content=script, run_command_instance_ids=[B, A]))
    assert run.rc == 0, run.stdout
    printed = shown(run)
    assert printed[A] == ['%s: Success, exit code 0' % A, 'hello from %s' % A, 'second line']
    assert printed[B] == ['%s: Success, exit code 0' % B, 'hello from %s' % B, 'second line']
    result = run.task(RECORD)['ansible_facts']['run_command_result']
    assert result['status'] == 'Success' and result['instance_ids'] == sorted([A, B])
    assert run.task('after the role')['msg'] == 'Success'
    create = ansible.emulator.requests('CreateCommand')
    assert len(create) == 1 and create[0]['params']['Name'].startswith('ansible-run-')
    assert ansible.emulator.count('InvokeCommand') == 1
    assert ansible.emulator.count('DeleteCommand') == 0  # kept by default

    # Kept: the same script on the same instances is the same command and the same, finished run.
    again = ansible.playbook(role(run_command_content=script, run_command_instance_ids=[A, B]))
    assert again.rc == 0
    assert again.task(RECORD)['ansible_facts']['run_command_result']['invoke_id'] == result['invoke_id']
    assert ansible.emulator.count('CreateCommand') == 0 and ansible.emulator.count('InvokeCommand') == 0


def test_failing_instance_is_named_and_the_command_is_deleted_anyway(ansible):
    script = 'if [ "$(hostname)" = "%s" ]; then echo "disk full" >&2; exit 4; fi; echo ok' % C
    run = ansible.playbook(role(run_command_content=script, run_command_instance_ids=[A, C], run_command_name='flaky',
                                run_command_keep_command=False))
    assert run.rc != 0
    failure = run.task('Run it on the instances and wait')
    assert run.status('Run it on the instances and wait') == 'failed'
    assert C in failure['msg'] and 'exit code 4' in failure['msg'] and A not in failure['msg']
    printed = shown(run)
    assert printed[C] == ['%s: Failed, exit code 4 (ExitCodeNonzero)' % C, 'disk full']
    assert printed[A][1:] == ['ok']
    assert run.task(RECORD)['ansible_facts']['run_command_result']['status'] == 'PartialFailed'
    created = ansible.emulator.requests('CreateCommand')
    assert [line['params']['Name'] for line in created] == ['flaky']
    deleted = ansible.emulator.requests('DeleteCommand')
    assert len(deleted) == 1
    assert 'after the role' not in [item['task'] for item in run.results]  # the play stopped there


def test_parameters_and_a_missing_input(ansible):
    run = ansible.playbook(role(run_command_content="{% raw %}echo \"v={{version}}\"{% endraw %}",
                                run_command_instance_ids=[A], run_command_parameters={'version': '1.2'},
                                run_command_timeout=30))
    assert run.rc == 0, run.stdout
    assert shown(run)[A][1:] == ['v=1.2']
    create = ansible.emulator.requests('CreateCommand')[0]['params']
    assert create['EnableParameter'].lower() == 'true' and create['Timeout'] == '30'

    missing = ansible.playbook(role(run_command_content='true'))
    assert missing.rc != 0
    assert 'run_command_instance_ids' in missing.stdout
    assert ansible.emulator.requests() == []


def test_new_options_reach_the_invocation(ansible):
    run = ansible.playbook(role(run_command_content='pwd; whoami', run_command_instance_ids=[C],
                                run_command_working_dir='/tmp', run_command_timeout=30,
                                run_command_tags={'team': 'ops'}))
    assert run.rc == 0, run.stdout
    invoked = ansible.emulator.requests('InvokeCommand')[0]['params']
    assert invoked['WorkingDir'] == '/tmp' and invoked['Timeout'] == '30'
    assert {'Key': 'team', 'Value': 'ops'} in [dict(Key=invoked['Tag.%d.Key' % n], Value=invoked['Tag.%d.Value' % n])
                                               for n in range(1, 4) if 'Tag.%d.Key' % n in invoked]


def test_a_templated_away_placeholder_says_to_mark_the_script_unsafe(ansible):
    # Without !unsafe, Ansible renders {{ service }} from the play's variables before the role sees it.
    run = ansible.playbook(role(run_command_content='systemctl restart {{ service }}', service='nginx',
                                run_command_instance_ids=[C], run_command_parameters={'service': 'nginx'}))
    assert run.rc != 0
    message = run.task('Check that each parameter has its placeholder in the script')['msg']
    assert 'service' in message and '!unsafe' in message
    assert ansible.emulator.requests('CreateCommand') == []


def test_chooses_the_instances_by_tag_one_at_a_time(ansible):
    web = LINUX_INSTANCES[:3]                  # the default fleet's role=web instances
    run = ansible.playbook(role(run_command_content='hostname', run_command_instance_tags={'role': 'web'},
                                run_command_concurrency=1))
    assert run.rc == 0, run.stdout
    assert sorted(shown(run)) == web
    assert [line['params']['InstanceId.1'] for line in ansible.emulator.requests('InvokeCommand')] == web
    assert all('InstanceId.2' not in line['params'] for line in ansible.emulator.requests('InvokeCommand'))
