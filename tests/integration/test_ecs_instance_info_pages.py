# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""ecs_instance_info over a fleet larger than one DescribeInstances page (at most 100)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

LINUX = 120
EMULATOR_ARGS = ['--linux-instances', str(LINUX)]


def test_every_running_instance_across_pages(ansible):
    run = ansible.playbook([dict(name='info', register='r', **{'alicloud.ecs.ecs_instance_info': dict(status='Running')})])
    instances = run.task('info')['instances']
    assert run.rc == 0, run.stdout
    ids = [item['instance_id'] for item in instances]
    assert len(ids) == len(set(ids)) == LINUX + 1  # the Linux fleet and the Windows instance
    assert 'i-emu-linux-%03d' % LINUX in ids
    pages = ansible.emulator.requests('DescribeInstances')
    assert len(pages) == 2
    assert pages[0]['params']['MaxResults'] == '100' and pages[1]['params'].get('NextToken')
