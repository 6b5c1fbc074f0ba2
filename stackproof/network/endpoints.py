"""Where each reachable resource sits: its subnets, security groups and addresses.

An endpoint is a resource traffic can be sent to (an instance, an auto scaling group's
instances, a load balancer, a database, a cache, a file system's mount targets, a
data warehouse). It has one placement per subnet it may be in. Values stay as the
model has them, Unknown included; the evaluator resolves them.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from .. import queries
from ..model import (
    AutoScalingGroup,
    DbCluster,
    DbInstance,
    EfsFileSystem,
    EfsMountTarget,
    ElasticIp,
    ElastiCacheReplicationGroup,
    Instance,
    Inventory,
    LaunchConfiguration,
    LaunchTemplate,
    Listener,
    LoadBalancer,
    NetworkInterface,
    RedshiftCluster,
    Resource,
    Subnet,
    TargetGroup,
    Unknown,
)

ENDPOINT_KINDS = (Instance, AutoScalingGroup, LoadBalancer, DbInstance, DbCluster, ElastiCacheReplicationGroup,
                  EfsFileSystem, RedshiftCluster)
DATA_STORE_KINDS = (DbInstance, DbCluster, ElastiCacheReplicationGroup, EfsFileSystem, RedshiftCluster)


@dataclass(frozen=True)
class Placement:
    """One subnet a resource may sit in, with what guards and addresses it there."""

    subnet: Any  # subnet key, Unknown, or None (not stated)
    security_groups: Any  # tuple of keys, Unknown, or None: no security group filters (NLB without groups)
    public_v4: Any  # True / False / Unknown: has a public IPv4 address
    public_why: str  # what gives (or would give) it that address
    ipv6: Any = False  # True / False / Unknown: has an IPv6 address (reachable without NAT)
    private_ip: str | None = None


@dataclass(frozen=True)
class Forward:
    """A load balancer listener that forwards to a target group's targets."""

    listener: str  # key
    label: str
    protocol: str  # tcp or udp (TCP_UDP gives two)
    port: Any  # int or Unknown
    target_port: Any  # int, Unknown or None (each target's own port)
    target_group: str | None
    targets: tuple[str, ...]  # keys of the targets known to be registered
    unknown_targets: str | None = None  # why other targets may be registered (any instance or group may be one)
    client_ip: Any = False  # True / False / Unknown: the target sees the client's address (NLB)


@dataclass
class Endpoint:
    resource: Resource
    placements: list[Placement]
    listeners: Any = None  # for load balancers: tuple of (protocol, port, listener key), or Unknown
    forwards: list[Forward] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.resource.key


def build_endpoints(inventory: Inventory) -> dict[str, Endpoint]:
    found: dict[str, Endpoint] = {}
    for instance in inventory.of_kind(Instance):
        found[instance.key] = Endpoint(instance, _instance_placements(inventory, instance))
    for group in inventory.of_kind(AutoScalingGroup):
        found[group.key] = Endpoint(group, _asg_placements(inventory, group))
    for db in inventory.of_kind(DbInstance):
        groups = db.security_groups
        cluster = inventory.get(db.cluster)
        if groups == () and isinstance(cluster, DbCluster):
            groups = cluster.security_groups  # Aurora instances use their cluster's groups
        found[db.key] = Endpoint(db, _group_placements(inventory, db.db_subnet_group, groups, db.publicly_accessible,
                                                        "publicly_accessible", "DB subnet group"))
    for cluster in inventory.of_kind(DbCluster):
        found[cluster.key] = Endpoint(cluster, _group_placements(
            inventory, cluster.db_subnet_group, cluster.security_groups, cluster.publicly_accessible,
            "publicly_accessible", "DB subnet group"))
    for cache in inventory.of_kind(ElastiCacheReplicationGroup):
        found[cache.key] = Endpoint(cache, _group_placements(
            inventory, cache.subnet_group, cache.security_groups, False,
            "ElastiCache nodes have no public address", "cache subnet group"))
    for warehouse in inventory.of_kind(RedshiftCluster):
        subnets = Unknown(f"the subnets of Redshift subnet group {warehouse.subnet_group} are not in the model") \
            if warehouse.subnet_group is not None else Unknown("no subnet group: Redshift picks the default VPC")
        found[warehouse.key] = Endpoint(warehouse, [Placement(subnets, warehouse.security_groups,
                                                              warehouse.publicly_accessible, "publicly_accessible")])
    mounts: dict[str, list[EfsMountTarget]] = defaultdict(list)
    for target in inventory.of_kind(EfsMountTarget):
        if isinstance(target.file_system, str):
            mounts[target.file_system].append(target)
    for fs in inventory.of_kind(EfsFileSystem):
        placements = [Placement(t.subnet, t.security_groups, False, "EFS mount targets have no public address")
                      for t in mounts.get(fs.key, [])]
        found[fs.key] = Endpoint(fs, placements)
    _add_load_balancers(inventory, found)
    return found


def _subnet(inventory: Inventory, key: Any) -> Subnet | None:
    found = inventory.get(key) if isinstance(key, str) else None
    return found if isinstance(found, Subnet) else None


def _ipv6(inventory: Inventory, subnet_key: Any, count: Any = None) -> Any:
    """Whether a resource gets an IPv6 address: asked for (a count), else the subnet's setting."""
    subnet = _subnet(inventory, subnet_key)
    if subnet is None or count == 0:
        return False
    if isinstance(count, Unknown):
        return count if subnet.ipv6_cidr_block else False
    if isinstance(subnet.ipv6_cidr_block, Unknown):
        return subnet.ipv6_cidr_block if count or subnet.assign_ipv6_address_on_creation is not False else False
    if not subnet.ipv6_cidr_block:
        return False
    return True if count else subnet.assign_ipv6_address_on_creation


def _public_from_subnet(inventory: Inventory, subnet_key: Any) -> tuple[Any, str]:
    """An instance that does not say gets a public IP when its subnet assigns one on launch."""
    subnet = _subnet(inventory, subnet_key)
    if subnet is None:
        why = subnet_key.reason if isinstance(subnet_key, Unknown) else f"subnet {subnet_key} is not in the inputs" \
            if subnet_key is not None else "its subnet is not stated"
        return Unknown(f"the subnet decides whether it gets a public IP, and {why}"), "its subnet's public IP setting"
    label = queries.label(inventory, subnet.key)
    return subnet.map_public_ip_on_launch, f"public IP (subnet {label} assigns public IPs on launch)"


def _instance_placements(inventory: Inventory, instance: Instance) -> list[Placement]:
    """The primary placement (the instance's own settings, or its primary interface's),
    then one per other interface attached to it."""
    interfaces = queries.interfaces_by_instance(inventory).get(instance.key, [])
    primary = interfaces[0] if interfaces and interfaces[0].device_index == 0 else None
    direct = queries.elastic_ips_by_instance(inventory).get(instance.key, [])
    placements = [_instance_placement(inventory, instance, direct) if primary is None
                  else _interface_placement(inventory, primary, direct)]
    placements.extend(_interface_placement(inventory, i, []) for i in interfaces if i is not primary)
    return placements


def _maybe_elastic_ip(inventory: Inventory, public: Any, why: str) -> tuple[Any, str]:
    """No public address of its own, but an Elastic IP whose attachment is unknown may be on it."""
    unplaced = queries.unplaced_elastic_ips(inventory)
    if public is False and unplaced:
        return Unknown(unplaced[0][1]), f"Elastic IP {queries.label(inventory, unplaced[0][0].key)}"
    return public, why


def _instance_placement(inventory: Inventory, instance: Instance, eips: list[ElasticIp]) -> Placement:
    groups = instance.security_groups
    template = inventory.get(instance.launch_template)
    if groups == () and isinstance(template, LaunchTemplate):
        groups = template.security_groups
    public: Any
    if eips:
        public, why = True, f"Elastic IP {queries.label(inventory, eips[0].key)}"
    elif isinstance(instance.public_ip, str) and instance.public_ip:
        public, why = True, "public IP"
    elif instance.associate_public_ip_address is None:
        public, why = _public_from_subnet(inventory, instance.subnet)
    else:
        public, why = instance.associate_public_ip_address, "public IP (associate_public_ip_address)"
    public, why = _maybe_elastic_ip(inventory, public, why)
    private = instance.private_ip if isinstance(instance.private_ip, str) and instance.private_ip else None
    return Placement(instance.subnet, groups, public, why, _ipv6(inventory, instance.subnet, instance.ipv6_address_count),
                     private)


def _interface_placement(inventory: Inventory, interface: NetworkInterface, eips: list[ElasticIp]) -> Placement:
    """An interface created on its own: AWS gives it no public IP at launch, only an Elastic IP."""
    eips = eips + queries.elastic_ips_by_interface(inventory).get(interface.key, [])
    label = queries.label(inventory, interface.key)
    if eips:
        public, why = True, f"Elastic IP {queries.label(inventory, eips[0].key)} on interface {label}"
    elif isinstance(interface.public_ip, str) and interface.public_ip:
        public, why = True, f"public IP of interface {label}"
    else:
        public, why = _maybe_elastic_ip(inventory, False, f"public IP (interface {label} has none)")
    private = interface.private_ip if isinstance(interface.private_ip, str) and interface.private_ip else None
    return Placement(interface.subnet, interface.security_groups, public, why,
                     _ipv6(inventory, interface.subnet, interface.ipv6_address_count), private)


def _asg_placements(inventory: Inventory, group: AutoScalingGroup) -> list[Placement]:
    source = inventory.get(group.launch_template) or inventory.get(group.launch_configuration)
    if isinstance(source, (LaunchTemplate, LaunchConfiguration)):
        groups, public = source.security_groups, source.associate_public_ip_address
    else:
        named = group.launch_template or group.launch_configuration
        why = named.reason if isinstance(named, Unknown) else f"launch template {named} is not in the inputs"
        groups = public = Unknown(f"the instances' settings come from a launch template: {why}")
    subnets = group.subnets
    if isinstance(subnets, Unknown):
        return [Placement(subnets, groups, public if public is not None else subnets, "public IP", False)]
    placements = []
    for subnet in subnets:
        if public is None:
            value, why = _public_from_subnet(inventory, subnet)
        else:
            value, why = public, "public IP (launch template associate_public_ip_address)"
        placements.append(Placement(subnet, groups, value, why, _ipv6(inventory, subnet)))
    return placements


def _group_placements(inventory: Inventory, subnet_group: Any, groups: Any, public: Any, why: str,
                      group_kind: str) -> list[Placement]:
    subnets = queries.subnets_of_group(inventory, subnet_group)
    if subnets is None:
        reason = (subnet_group.reason if isinstance(subnet_group, Unknown)
                  else f"{group_kind} {subnet_group} is not in the inputs" if subnet_group
                  else f"no {group_kind}: AWS uses the default VPC's subnets")
        subnets = Unknown(reason)
    if isinstance(subnets, Unknown):
        return [Placement(subnets, groups, public, why)]
    return [Placement(s, groups, public, why) for s in subnets]


# -- load balancers ------------------------------------------------------------------------

_PROTOCOLS = {"HTTP": ("tcp",), "HTTPS": ("tcp",), "TCP": ("tcp",), "TLS": ("tcp",), "SSL": ("tcp",),
              "UDP": ("udp",), "TCP_UDP": ("tcp", "udp")}


def _add_load_balancers(inventory: Inventory, found: dict[str, Endpoint]) -> None:
    listeners: dict[str, list[Listener]] = defaultdict(list)
    for listener in inventory.of_kind(Listener):
        if isinstance(listener.load_balancer, str):
            listeners[listener.load_balancer].append(listener)
    asgs_by_target_group: dict[str, list[str]] = defaultdict(list)
    asgs_by_classic: dict[str, list[str]] = defaultdict(list)
    for group in inventory.of_kind(AutoScalingGroup):
        for key in group.target_groups if isinstance(group.target_groups, tuple) else ():
            asgs_by_target_group[key].append(group.key)
        for key in group.load_balancers if isinstance(group.load_balancers, tuple) else ():
            asgs_by_classic[key].append(group.key)
    for lb in inventory.of_kind(LoadBalancer):
        groups: Any = lb.security_groups
        if groups == () and lb.lb_type in ("network", "gateway"):
            groups = None  # a network load balancer without groups filters nothing
        public = lb.scheme if isinstance(lb.scheme, Unknown) else lb.scheme == "internet-facing"
        subnets = lb.subnets
        zones = lb.availability_zones
        if subnets == () and (isinstance(zones, Unknown) or zones):
            subnets = Unknown("the load balancer names availability zones, not subnets"
                              + (f" ({zones.reason})" if isinstance(zones, Unknown) else ""))
        public_v4, ipv6 = _lb_addresses(lb, public)
        why = f"internet-facing load balancer {lb.name if isinstance(lb.name, str) and lb.name else lb.key}"
        if isinstance(subnets, Unknown):
            placements = [Placement(subnets, groups, public_v4, why, ipv6)]
        else:
            placements = [Placement(s, groups, public_v4, why, ipv6) for s in subnets]
        endpoint = Endpoint(lb, placements, listeners=[], forwards=[])
        for listener in listeners.get(lb.key, []):
            _add_listener(inventory, endpoint, listener, asgs_by_target_group, asgs_by_classic)
        found[lb.key] = endpoint


def _lb_addresses(lb: LoadBalancer, public: Any) -> tuple[Any, Any]:
    """(public IPv4, IPv6) of an internet-facing (`public`) balancer, by its address type."""
    kind = lb.ip_address_type
    if isinstance(kind, Unknown):
        return (kind if public is not False else False), (kind if public is not False else False)
    if kind == "dualstack-without-public-ipv4":
        return False, public
    return public, (public if kind == "dualstack" else False)


def _add_listener(inventory: Inventory, endpoint: Endpoint, listener: Listener,
                  asgs_by_target_group: dict[str, list[str]], asgs_by_classic: dict[str, list[str]]) -> None:
    lb = endpoint.resource
    assert isinstance(lb, LoadBalancer)
    name = listener.name if isinstance(listener.name, str) else listener.key
    protocol = listener.protocol
    if isinstance(protocol, Unknown) or protocol is None:
        protocols: tuple[str, ...] = ("tcp",) if protocol is None else ("tcp", "udp")
    else:
        protocols = _PROTOCOLS.get(str(protocol).upper(), ("tcp",))
    for proto in protocols:
        endpoint.listeners.append((proto, listener.port, listener.key, name))

    def forward(target_port: Any, group: str | None, targets: Any, client_ip: Any = False) -> None:
        known, why = _known_targets(targets)
        for proto in protocols:
            endpoint.forwards.append(Forward(listener.key, name, proto, listener.port, target_port, group, known, why,
                                             client_ip))

    if lb.lb_type == "classic":
        targets = lb.instances
        if isinstance(targets, tuple):
            targets = targets + tuple(asgs_by_classic.get(lb.key, []))
        forward(listener.instance_port, None, targets)
        return
    actions = listener.default_actions
    if isinstance(actions, Unknown):
        forward(actions, None, actions)
        return
    for action in actions:
        if action.action_type != "forward" and not isinstance(action.action_type, Unknown):
            continue
        groups = action.target_groups
        if isinstance(groups, Unknown):
            forward(groups, None, groups)
            continue
        for key in groups:
            group = inventory.get(key)
            if not isinstance(group, TargetGroup):
                why = Unknown(key.reason if isinstance(key, Unknown) else f"target group {key} is not in the inputs")
                forward(why, None, why)
                continue
            if group.target_type in ("lambda", "alb"):
                continue  # a function or another balancer: no instance behind it to reach
            targets = group.targets
            if isinstance(targets, tuple):
                targets = targets + tuple(asgs_by_target_group.get(key, []))
            port = group.port if group.port is not None else Unknown(f"target group {key} has no port")
            forward(port, group.key, targets, _client_ip(lb, group))


def _known_targets(targets: Any) -> tuple[tuple[str, ...], str | None]:
    """The registered targets that are known, and why others may be registered."""
    if isinstance(targets, Unknown):
        return (), targets.reason
    unknown = next((t for t in targets if isinstance(t, Unknown)), None)
    return tuple(t for t in targets if isinstance(t, str)), (unknown.reason if unknown else None)


def _client_ip(lb: LoadBalancer, group: TargetGroup) -> Any:
    """Whether a target sees the client's address: only behind a network load balancer,
    by the target group's preserve_client_ip, else AWS's default for its type and protocol."""
    if lb.lb_type != "network":
        return lb.lb_type if isinstance(lb.lb_type, Unknown) else False
    if group.preserve_client_ip is not None:
        return group.preserve_client_ip
    if isinstance(group.target_type, Unknown):
        return group.target_type
    if group.target_type == "instance":
        return True
    if isinstance(group.protocol, Unknown):
        return group.protocol
    return str(group.protocol).upper() in ("UDP", "TCP_UDP", "QUIC", "TCP_QUIC")
