# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Print how fast the emulator answers for large fleets (a figure printer, not a test).

    .venv/bin/python tests/emulator/bench_fleet.py [--fleet 1000] [--regions cn-shanghai:2000,cn-beijing:2000]
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import argparse
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from alibabacloud_ecs20140526 import models  # noqa: E402  pylint: disable=wrong-import-position

from emulator.harness import REGION, Emulator  # noqa: E402  pylint: disable=wrong-import-position
from emulator.helpers import make_client, wait_for  # noqa: E402  pylint: disable=wrong-import-position


def _timed(label, call):
    started = time.perf_counter()
    result = call()
    print('%-62s %8.3f s' % (label, time.perf_counter() - started))
    return result


def _list(client, region):
    count, token, pages = 0, None, 0
    while True:
        body = client.describe_instances(models.DescribeInstancesRequest(
            region_id=region, max_results=100, next_token=token)).body
        count += len(body.instances.instance)
        pages += 1
        token = body.next_token
        if not token:
            return count, pages


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--fleet', type=int, default=1000)
    parser.add_argument('--regions', default='cn-shanghai:2000,cn-beijing:2000')
    parser.add_argument('--invocations', type=int, default=20)
    args = parser.parse_args()
    extra = ['--no-exec', '--fleet-size', str(args.fleet), '--pending-delay', '0.05', '--simulated-run-time', '0.5']
    regions = [REGION]
    for item in filter(None, args.regions.split(',')):
        extra += ['--region-instances', item]
        regions.append(item.split(':')[0])
    with tempfile.TemporaryDirectory(prefix='ecs-emulator-bench-') as work:
        emu = Emulator(work, extra_args=extra, start_timeout=60)
        _timed('start with %d + %s instances' % (args.fleet, args.regions), emu.start)
        try:
            client = make_client(emu)
            total = 0
            for region in regions:
                count, pages = _timed('list %s (pages of 100)' % region, lambda r=region: _list(client, r))
                print('    %d instances, %d pages' % (count, pages))
                total += count
            print('    %d instances in all' % total)
            ids = ['i-emu-hz-%05d' % n for n in range(1, args.fleet + 1)]
            # Waves of 100 instances, going round the fleet again when it has fewer than 100 x invocations.
            waves = [[ids[(w * 100 + k) % len(ids)] for k in range(100)] for w in range(args.invocations)]

            def invoke_all():
                return [client.run_command(models.RunCommandRequest(
                    region_id=REGION, type='RunShellScript', command_content='echo hi', instance_id=wave)).body.invoke_id
                    for wave in waves]
            invoke_ids = _timed('%d RunCommand of 100 instances' % len(waves), invoke_all)
            _timed('wait until all are final', lambda: [wait_for(client, i, timeout=60) for i in invoke_ids])
            _timed('DescribeInvocations, all %d (MaxResults 50)' % len(invoke_ids), lambda: client.describe_invocations(
                models.DescribeInvocationsRequest(region_id=REGION, max_results=50)))
            _timed('DescribeInvocations with output, one per invocation', lambda: [client.describe_invocations(
                models.DescribeInvocationsRequest(region_id=REGION, invoke_id=i, include_output=True)) for i in invoke_ids])

            def results():
                pages, token = 0, None
                while True:
                    body = client.describe_invocation_results(models.DescribeInvocationResultsRequest(
                        region_id=REGION, max_results=50, next_token=token)).body
                    pages += 1
                    token = body.invocation.next_token
                    if not token:
                        return pages
            pages = _timed('DescribeInvocationResults, every record', results)
            print('    %d pages' % pages)
            _timed('DescribeCloudAssistantStatus for %d ids (50 a call)' % len(ids), lambda: [
                client.describe_cloud_assistant_status(models.DescribeCloudAssistantStatusRequest(
                    region_id=REGION, instance_id=ids[i:i + 50])) for i in range(0, len(ids), 50)])
        finally:
            _timed('stop', emu.stop)


if __name__ == '__main__':
    main()
