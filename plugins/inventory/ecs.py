# -*- coding: utf-8 -*-
# Copyright: alicloud.ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
name: ecs
short_description: Alibaba Cloud ECS instances as inventory hosts
version_added: 0.1.0
description:
  - Lists the ECS instances of one or more regions with C(DescribeInstances) and makes each one a host,
    with its attributes as host variables and groups built from them with O(keyed_groups), O(groups) and O(compose).
  - Regions are listed in parallel, 100 instances per request (the API's largest page).
  - Every host is in the group C(alicloud_ecs).
  - Reads a YAML configuration file whose name ends with C(alicloud_ecs.yml) or C(alicloud_ecs.yaml).
  - The connection options and their environment variables are the modules' own, so the collection's AWX credential
    type works for this inventory source unchanged.
  - "Host variables (before O(hostvars_prefix) and O(hostvars_suffix)): every attribute C(DescribeInstances) answers, in
    snake_case (such as C(instance_id), C(instance_name), C(hostname), C(description), C(status), C(region_id), C(zone_id),
    C(instance_type), C(instance_type_family), C(cpu), C(memory), C(os_type), C(os_name), C(image_id),
    C(resource_group_id), C(creation_time), C(expired_time), C(instance_charge_type), C(key_pair_name),
    C(security_group_ids), C(operation_locks)), with the nested addresses flattened: C(vpc_id), C(vswitch_id),
    C(private_ip_address) and C(private_ip_addresses), C(public_ip_address) and C(public_ip_addresses), C(eip_address),
    C(eip_allocation_id)."
  - The instance's tags are the dict C(ecs_tags) (not C(tags), an Ansible keyword).
  - C(ansible_host) is the public address, else the EIP, else the private address; O(compose) can override it.
author:
  - alicloud.ecs maintainers (@alicloud-ecs)
extends_documentation_fragment:
  - constructed
  - inventory_cache
  - alicloud.ecs.alicloud
  - alicloud.ecs.alicloud.plugin
options:
  plugin:
    description: The name of this plugin; it must be V(alicloud.ecs.ecs) for the file to be read by it.
    required: true
    type: str
    choices: [alicloud.ecs.ecs]
  region:
    description:
      - The region listed when O(regions) is not set, for example V(cn-hangzhou).
      - If not set, the value of the E(ALIBABA_CLOUD_REGION_ID) or E(ALICLOUD_REGION) environment variable is used.
  regions:
    description:
      - The regions to list, in parallel. Hosts are added region by region, in this order.
      - When empty, the single region of O(region).
      - With O(endpoint) set, every region is asked at that endpoint.
    type: list
    elements: str
    default: []
  filters:
    description:
      - Only instances that match every one of these C(DescribeInstances) filters.
      - "Keys: V(status) (such as V(Running)), V(instance_ids) (a list), V(instance_name) (C(*) is a wildcard), V(tags)
        (a dict; every tag must match), V(zone_id), V(vpc_id), V(vswitch_id), V(security_group_id),
        V(resource_group_id), V(instance_type)."
      - The service applies them, so only the matching instances are sent.
    type: dict
    default: {}
  include_filters:
    description:
      - More instances to add, as a list of filter dicts (the keys of O(filters)). An instance that matches O(filters)
        or any entry of this list is a host.
      - Each entry is one more listing of each region.
    type: list
    elements: dict
    default: []
  exclude_filters:
    description:
      - Instances to leave out, as a list of filter dicts (the keys of O(filters)), even when they match O(filters) or
        O(include_filters) (exclusion wins).
      - Each entry is one more listing of each region.
    type: list
    elements: dict
    default: []
  hostnames:
    description:
      - How a host is named, as an ordered list of preferences; the first one that gives a non-empty value wins.
      - "Each entry is one of V(instance_id), V(instance_name), V(hostname), V(private_ip_address), V(public_ip_address),
        V(eip_address), V(tag:KEY) (the value of the tag KEY), or a Jinja2 expression over the host variables, written as
        in O(compose), such as V(instance_name ~ '.' ~ zone_id)."
      - An instance for which no entry gives a name is left out, with a warning.
      - Two instances that get the same name make one host, the first one's; the second is left out with a warning.
    type: list
    elements: str
    default: [instance_id]
  allow_duplicated_hosts:
    description:
      - By default an instance is one host, named by the first entry of O(hostnames) that gives a value.
      - With V(true), every entry of O(hostnames) that gives a value names a host of its own for the instance,
        as the C(amazon.aws.aws_ec2) inventory does.
    type: bool
    default: false
  hostvars_prefix:
    description:
      - A prefix for the name of every instance attribute set as a host variable (not C(ansible_host)).
      - O(compose), O(groups) and O(keyed_groups) see the prefixed names; O(hostnames) sees the attributes' own names.
    type: str
    default: ''
  hostvars_suffix:
    description:
      - A suffix for the name of every instance attribute set as a host variable, as O(hostvars_prefix).
    type: str
    default: ''
  cloud_assistant_status:
    description:
      - Also ask C(DescribeCloudAssistantStatus), in one request per 50 hosts, and set C(cloud_assistant_online) (bool)
        and C(cloud_assistant_version) on every host.
    type: bool
    default: false
notes:
  - A region that fails (unknown region, wrong credentials, an API error after the retries) fails the whole inventory
    with O(strict=true). With O(strict=false) it is a warning naming the region and the API code, and the other regions
    are still listed; but when every region fails, the inventory fails. A listing with a failed region is not cached.
  - With the cache on, the cached listing is used when the regions, filters and account are the same; O(compose),
    O(groups), O(keyed_groups) and O(hostnames) are applied to it afresh on every run, and a cached run makes no API call.
'''

EXAMPLES = r'''
# prod.alicloud_ecs.yml: the running instances of two regions, grouped by tag, zone and type.
plugin: alicloud.ecs.ecs
regions:
  - cn-hangzhou
  - cn-shanghai
filters:
  status: Running
keyed_groups:
  - key: ecs_tags.env | default('untagged')
    prefix: env
  - key: zone_id
    prefix: zone
  - key: instance_type
    prefix: type

# Another file (each example is a file of its own):
# web.alicloud_ecs.yml: web servers of one VPC named by their Name tag, reached on their private address.
# plugin: alicloud.ecs.ecs
# region: cn-hangzhou
# filters:
#   vpc_id: vpc-bp1234567890abcdef
#   tags:
#     role: web
# exclude_filters:
#   - status: Stopped
# hostnames:
#   - tag:Name
#   - instance_name
#   - instance_id
# compose:
#   ansible_host: private_ip_address

# Another file (each example is a file of its own):
# ops.alicloud_ecs.yml: hosts with their Cloud Assistant agent status, cached for an hour.
# plugin: alicloud.ecs.ecs
# regions: [cn-hangzhou]
# cloud_assistant_status: true
# groups:
#   agent_offline: not cloud_assistant_online
# cache: true
# cache_plugin: ansible.builtin.jsonfile
# cache_connection: ~/.cache/alicloud_ecs_inventory
# cache_timeout: 3600
'''

import hashlib
import json
from concurrent.futures import ThreadPoolExecutor

from ansible.errors import AnsibleError, AnsibleParserError
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.alicloud.ecs.plugins.plugin_utils.connection import ConnectionOptionsError, ConnectionSettings

GROUP = 'alicloud_ecs'
# The filter keys and the type each takes (module_utils.instances.LISTING_FILTERS, checked by a unit test).
FILTER_TYPES = dict(status=str, instance_ids=list, instance_name=str, tags=dict, zone_id=str, vpc_id=str,
                    vswitch_id=str, security_group_id=str, resource_group_id=str, instance_type=str)
NAMED_HOSTNAMES = ('instance_id', 'instance_name', 'hostname', 'private_ip_address', 'public_ip_address', 'eip_address')
# Options whose change makes a cached listing stale (with the account; never a secret).
LISTING_OPTIONS = ('filters', 'include_filters', 'exclude_filters', 'cloud_assistant_status')
CACHE_FORMAT = 1
MAX_THREADS = 8


def check_filters(filters, where):
    """Raise AnsibleParserError unless ``filters`` is a dict of known filter keys with values of the right type."""
    if not isinstance(filters, dict):
        raise AnsibleParserError('{0} must be a dict of filters, not {1!r}'.format(where, filters))
    for key, value in filters.items():
        if key not in FILTER_TYPES:
            raise AnsibleParserError('{0}: unknown filter {1!r}; the filters are {2}'.format(
                where, key, ', '.join(sorted(FILTER_TYPES))))
        wanted = FILTER_TYPES[key]
        if value is not None and not isinstance(value, wanted):
            raise AnsibleParserError('{0}: the filter {1} takes a {2}, not {3!r}'.format(
                where, key, {str: 'string', list: 'list', dict: 'dict'}[wanted], value))
        if wanted is list and value and not all(isinstance(item, str) for item in value):
            raise AnsibleParserError('{0}: the filter {1} takes a list of strings'.format(where, key))


def instance_hostvars(instance):
    """One instance from list_instances (snake_case) as host variables: addresses flattened, tags as ecs_tags."""
    hostvars = dict(instance)
    vpc = hostvars.pop('vpc_attributes', None) or {}
    private = list(vpc.get('private_ip_address') or []) + list(hostvars.pop('inner_ip_address', None) or [])
    public = list(hostvars.pop('public_ip_address', None) or [])
    eip = hostvars.pop('eip_address', None) or {}
    hostvars.update(
        hostname=hostvars.pop('host_name', None),
        ecs_tags=hostvars.pop('tags', None) or {},
        vpc_id=vpc.get('vpc_id') or None,
        vswitch_id=vpc.get('v_switch_id') or None,
        nat_ip_address=vpc.get('nat_ip_address') or None,
        private_ip_addresses=private,
        private_ip_address=private[0] if private else None,
        public_ip_addresses=public,
        public_ip_address=public[0] if public else None,
        eip_address=eip.get('ip_address') or None,
        eip_allocation_id=eip.get('allocation_id') or None,
    )
    return hostvars


def list_region(client, includes, excludes, with_agent_status):
    """The host variables of a region's instances that match an entry of ``includes`` and no entry of ``excludes``."""
    from ansible_collections.alicloud.ecs.plugins.module_utils.instances import add_agent_status, list_instances
    excluded = set()
    for filters in excludes:
        excluded.update(item['instance_id'] for item in list_instances(client, filters))
    found = []
    for filters in includes:
        for item in list_instances(client, filters):
            if item['instance_id'] not in excluded:
                excluded.add(item['instance_id'])
                found.append(item)
    if with_agent_status:
        add_agent_status(client, found)
    return [instance_hostvars(item) for item in found]


def describe_failure(region, error):
    """What a user reads when a region fails: the region, the call, the API code and message, the request id."""
    text = 'region {0}: {1}'.format(region, to_native(error))
    request_id = getattr(error, 'request_id', None)
    return text + (' (request id {0})'.format(request_id) if request_id else '')


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):

    NAME = 'alicloud.ecs.ecs'

    def verify_file(self, path):
        return super(InventoryModule, self).verify_file(path) and path.endswith(('alicloud_ecs.yml', 'alicloud_ecs.yaml'))

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path, cache=cache)
        self._read_config_data(path)
        try:
            settings = ConnectionSettings.from_plugin(self)
        except ConnectionOptionsError as exc:
            raise AnsibleParserError('{0}: {1}'.format(self.NAME, to_native(exc)))
        regions = self._regions(settings)
        includes, excludes = self._queries()
        self._check_hostnames()

        cache_key = self._listing_cache_key(path, settings, regions)
        use_cache = cache and self.get_option('cache')
        listing = None
        if use_cache:
            try:
                cached = self._cache[cache_key]
                if cached.get('format') == CACHE_FORMAT:
                    listing = cached['regions']
            except KeyError:
                pass
        fetched, failures = listing is None, {}
        if fetched:
            listing, failures = self._fetch(settings, regions, includes, excludes)
            self._report(failures, regions)
        self._populate(regions, listing)
        # A fresh, complete listing refreshes the cache (also after --flush-cache); a partial one never does.
        if fetched and self.get_option('cache') and not failures:
            self._cache[cache_key] = dict(format=CACHE_FORMAT, regions=listing)

    # -- options ------------------------------------------------------------------------------

    def _regions(self, settings):
        regions = self.get_option('regions') or ([settings.region] if settings.region else [])
        if not regions:
            raise AnsibleParserError('{0}: no region: set regions, region, or ALIBABA_CLOUD_REGION_ID'.format(self.NAME))
        bad = [region for region in regions if not isinstance(region, str) or not region.strip()]
        if bad:
            raise AnsibleParserError('{0}: regions must be region ids such as cn-hangzhou, not {1!r}'.format(self.NAME, bad))
        return list(dict.fromkeys(region.strip() for region in regions))

    def _queries(self):
        """The listings to make in each region: (includes, excludes), as lists of filter dicts."""
        filters = self.get_option('filters') or {}
        check_filters(filters, '{0}: filters'.format(self.NAME))
        includes = self.get_option('include_filters')
        excludes = self.get_option('exclude_filters')
        for name, entries in (('include_filters', includes), ('exclude_filters', excludes)):
            for index, entry in enumerate(entries):
                check_filters(entry, '{0}: {1}[{2}]'.format(self.NAME, name, index))
        return ([filters] if filters or not includes else []) + includes, excludes

    def _check_hostnames(self):
        hostnames = self.get_option('hostnames')
        if not hostnames:
            raise AnsibleParserError('{0}: hostnames must name at least one preference'.format(self.NAME))
        for entry in hostnames:
            if not isinstance(entry, str) or not entry.strip() or entry.strip() == 'tag:':
                raise AnsibleParserError('{0}: hostnames entry {1!r} is empty'.format(self.NAME, entry))

    def _listing_cache_key(self, path, settings, regions):
        listing = dict((name, self.get_option(name)) for name in LISTING_OPTIONS)
        listing.update(regions=regions, account=settings.identity())
        digest = hashlib.sha256(json.dumps(listing, sort_keys=True, default=str).encode('utf-8')).hexdigest()[:12]
        return '{0}_{1}'.format(self.get_cache_key(path), digest)

    # -- listing ------------------------------------------------------------------------------

    def _fetch(self, settings, regions, includes, excludes):
        """List every region in parallel; return ({region: [hostvars]}, {region: error})."""
        # Import the client layer here, in this thread: the SDK reads its environment when imported.
        from ansible_collections.alicloud.ecs.plugins.module_utils.client import ApiError
        with_status = self.get_option('cloud_assistant_status')

        def one(region):
            return list_region(settings.client(region), includes, excludes, with_status)

        listing, failures = {}, {}
        with ThreadPoolExecutor(max_workers=min(len(regions), MAX_THREADS)) as pool:
            futures = [(region, pool.submit(one, region)) for region in regions]
            for region, future in futures:
                try:
                    listing[region] = future.result()
                except ApiError as error:
                    failures[region] = error
        return listing, failures

    def _report(self, failures, regions):
        if not failures:
            return
        lines = [describe_failure(region, failures[region]) for region in regions if region in failures]
        if self.get_option('strict') or len(failures) == len(regions):
            raise AnsibleError('{0}: {1}'.format(self.NAME, '; '.join(lines)))
        for line in lines:
            self.display.warning('{0}: {1}; its instances are left out and this listing is not cached'.format(
                self.NAME, line))

    # -- hosts --------------------------------------------------------------------------------

    def _host_names(self, hostvars):
        """The names of an instance's host(s), by the hostnames preferences."""
        names = []
        for entry in self.get_option('hostnames'):
            # The entry itself goes to the templar: a copy (strip()) would lose its trust as a template.
            name = entry.strip()
            if name in NAMED_HOSTNAMES:
                value = hostvars.get(name)
            elif name.startswith('tag:'):
                value = hostvars['ecs_tags'].get(name[4:])
            else:
                try:
                    value = self._compose(entry, hostvars)
                except Exception as exc:  # pylint: disable=broad-except
                    if self.get_option('strict'):
                        raise AnsibleError('{0}: hostnames entry {1!r} for instance {2}: {3}'.format(
                            self.NAME, entry, hostvars['instance_id'], to_native(exc)))
                    value = None
            value = '' if value is None else to_native(value).strip()
            if value and value not in names:
                names.append(value)
                if not self.get_option('allow_duplicated_hosts'):
                    break
        return names

    def _populate(self, regions, listing):
        prefix, suffix = self.get_option('hostvars_prefix'), self.get_option('hostvars_suffix')
        strict = self.get_option('strict')
        compose, groups, keyed_groups = (self.get_option(name) for name in ('compose', 'groups', 'keyed_groups'))
        self.inventory.add_group(GROUP)
        owners, unnamed = {}, []
        for region in regions:
            for hostvars in listing.get(region, []):
                names = self._host_names(hostvars)
                if not names:
                    unnamed.append(hostvars['instance_id'])
                for name in names:
                    if name in owners:
                        self.display.warning('{0}: instances {1} and {2} are both named {3}: keeping {1}'.format(
                            self.NAME, owners[name], hostvars['instance_id'], name))
                        continue
                    owners[name] = hostvars['instance_id']
                    self.inventory.add_host(name, group=GROUP)
                    address = hostvars['public_ip_address'] or hostvars['eip_address'] or hostvars['private_ip_address']
                    if address:
                        self.inventory.set_variable(name, 'ansible_host', address)
                    for key, value in hostvars.items():
                        self.inventory.set_variable(name, prefix + key + suffix, value)
                    variables = self.inventory.get_host(name).get_vars()
                    self._set_composite_vars(compose, variables, name, strict=strict)
                    self._add_host_to_composed_groups(groups, variables, name, strict=strict)
                    self._add_host_to_keyed_groups(keyed_groups, variables, name, strict=strict)
        if unnamed:
            self.display.warning('{0}: no hostnames entry gave a name to {1} instance(s), left out: {2}'.format(
                self.NAME, len(unnamed), ', '.join(unnamed)))
