"""Questions about an inventory that rules and the network engine share.

Each index is built once per inventory (``Inventory.derived``), so a rule never
scans all resources inside its per-resource call.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable

from .model import (
    Bucket,
    DbBackupReplication,
    DbCluster,
    DbInstance,
    DbSubnetGroup,
    EfsMountTarget,
    ElastiCacheReplicationGroup,
    ElastiCacheSubnetGroup,
    ElasticIp,
    Inventory,
    NetworkInterface,
    Resource,
    Route,
    RouteTable,
    Subnet,
    Unknown,
    Vpc,
    VpcEndpoint,
)


def subnets_of_group(inventory: Inventory, group_key: object) -> tuple[str, ...] | Unknown | None:
    """Subnets of a DB or cache subnet group; an Unknown when the group is unknown; None
    when the group is not in the inputs."""
    if isinstance(group_key, Unknown):
        return group_key
    group = inventory.get(group_key) if isinstance(group_key, str) else None
    if isinstance(group, (DbSubnetGroup, ElastiCacheSubnetGroup)):
        return group.subnets
    return None


def data_stores_by_subnet(inventory: Inventory) -> dict[str, list[Resource]]:
    """subnet key -> the databases, caches and file systems placed in it."""
    return inventory.derived("data_stores_by_subnet", _build_data_stores_by_subnet)


def _build_data_stores_by_subnet(inventory: Inventory) -> dict[str, list[Resource]]:
    found: dict[str, list[Resource]] = defaultdict(list)

    def place(resource: Resource, subnets: object) -> None:
        if isinstance(subnets, tuple):
            for subnet in subnets:
                if isinstance(subnet, str):
                    found[subnet].append(resource)

    for db in inventory.of_kind(DbInstance):
        place(db, subnets_of_group(inventory, db.db_subnet_group))
    for cluster in inventory.of_kind(DbCluster):
        place(cluster, subnets_of_group(inventory, cluster.db_subnet_group))
    for cache in inventory.of_kind(ElastiCacheReplicationGroup):
        place(cache, subnets_of_group(inventory, cache.subnet_group))
    for target in inventory.of_kind(EfsMountTarget):
        place(inventory.get(target.file_system) or target, (target.subnet,))
    return dict(found)


def unplaced_data_stores(inventory: Inventory) -> list[tuple[Resource, Unknown]]:
    """Data stores whose subnets cannot be known (their subnet group is unknown): any
    subnet might hold them."""
    return inventory.derived("unplaced_data_stores", _build_unplaced_data_stores)


def _build_unplaced_data_stores(inventory: Inventory) -> list[tuple[Resource, Unknown]]:
    found: list[tuple[Resource, Unknown]] = []
    stores: list[tuple[Resource, object]] = [
        *((db, db.db_subnet_group) for db in inventory.of_kind(DbInstance)),
        *((cluster, cluster.db_subnet_group) for cluster in inventory.of_kind(DbCluster)),
        *((cache, cache.subnet_group) for cache in inventory.of_kind(ElastiCacheReplicationGroup)),
    ]
    for store, group in stores:
        subnets = subnets_of_group(inventory, group)
        if isinstance(subnets, Unknown):
            found.append((store, subnets))
    for target in inventory.of_kind(EfsMountTarget):
        if isinstance(target.subnet, Unknown):
            found.append((inventory.get(target.file_system) or target, target.subnet))
    return found


def main_route_tables(inventory: Inventory) -> dict[str, str]:
    """VPC key -> key of its main route table, where the inputs say."""
    return inventory.derived("main_route_tables", _build_main_route_tables)


def _build_main_route_tables(inventory: Inventory) -> dict[str, str]:
    found: dict[str, str] = {}
    for table in inventory.of_kind(RouteTable):
        if table.is_main is True and isinstance(table.vpc, str):
            found.setdefault(table.vpc, table.key)
    for vpc in inventory.of_kind(Vpc):
        if isinstance(vpc.main_route_table, str):
            found[vpc.key] = vpc.main_route_table
    return found


def route_table_of(inventory: Inventory, subnet: Subnet) -> str | Unknown | None:
    """The key of the route table a subnet uses: its own, else its VPC's main table.

    None means the VPC's main table is the one AWS creates, which the inputs do not
    describe (subnet_routes says what is known of it).
    """
    if isinstance(subnet.route_table, (str, Unknown)):
        return subnet.route_table
    if isinstance(subnet.vpc, Unknown):
        return Unknown(f"the subnet's VPC is unknown ({subnet.vpc.reason}), so its main route table is too")
    return main_route_tables(inventory).get(subnet.vpc) if isinstance(subnet.vpc, str) else None


@dataclass(frozen=True)
class SubnetRoutes:
    """The route table a subnet's traffic follows, and its routes (local routes aside)."""

    table: str | None  # key of the table; None: the main table AWS created for the VPC
    label: str  # how a message names it: "its route table rtb-data", "the main route table of ..."
    routes: tuple[Route, ...] | Unknown


def subnet_routes(inventory: Inventory, subnet: Subnet) -> SubnetRoutes | Unknown:
    """The routes a subnet uses: its own table's, else its VPC's main table's.

    The main table AWS creates for a new VPC holds only the local routes, plus any route
    the inputs add to it; for a default VPC, or a VPC the inputs do not hold, it is unknown.
    """
    key = route_table_of(inventory, subnet)
    if isinstance(key, Unknown):
        return key
    if isinstance(key, str):
        own = subnet.route_table == key
        table = inventory.get(key)
        if not isinstance(table, RouteTable):
            return Unknown(f"{'its' if own else 'the VPC main'} route table {key} is not in the inputs")
        what = "its route table" if own else "the VPC's main route table"
        return SubnetRoutes(key, f"{what} {label(inventory, key)}", table.routes)
    vpc = inventory.get(subnet.vpc) if isinstance(subnet.vpc, str) else None
    if subnet.vpc is None:
        return Unknown("the subnet names no VPC, so its main route table is unknown")
    if not isinstance(vpc, Vpc):
        return Unknown(f"it uses the main route table of VPC {subnet.vpc}, which is not in the inputs")
    if vpc.is_default is not False:
        return Unknown(f"it uses the main route table of default VPC {label(inventory, vpc.key)}, which the inputs "
                       "do not describe (AWS creates it with a route 0.0.0.0/0 to the VPC's internet gateway)")
    if isinstance(vpc.main_routes, Unknown):
        return Unknown(f"routes added to the main route table of VPC {label(inventory, vpc.key)} are unknown: "
                       f"{vpc.main_routes.reason}")
    return SubnetRoutes(None, f"the main route table AWS created for VPC {label(inventory, vpc.key)}",
                        vpc.main_routes)


def endpoints_by_vpc(inventory: Inventory) -> dict[str, list[VpcEndpoint]]:
    return inventory.derived("endpoints_by_vpc", _build_endpoints_by_vpc)


def _build_endpoints_by_vpc(inventory: Inventory) -> dict[str, list[VpcEndpoint]]:
    found: dict[str, list[VpcEndpoint]] = defaultdict(list)
    for endpoint in inventory.of_kind(VpcEndpoint):
        if isinstance(endpoint.vpc, str):
            found[endpoint.vpc].append(endpoint)
    return dict(found)


def unplaced_endpoints(inventory: Inventory) -> list[VpcEndpoint]:
    """Endpoints whose VPC is unknown: they might belong to any VPC."""
    return [e for e in inventory.of_kind(VpcEndpoint) if isinstance(e.vpc, Unknown)]


def interfaces_by_instance(inventory: Inventory) -> dict[str, list[NetworkInterface]]:
    """Instance key -> the network interfaces attached to it, primary (device index 0) first."""
    return inventory.derived("interfaces_by_instance", _build_interfaces)


def _build_interfaces(inventory: Inventory) -> dict[str, list[NetworkInterface]]:
    found: dict[str, list[NetworkInterface]] = defaultdict(list)
    for interface in inventory.of_kind(NetworkInterface):
        if isinstance(interface.instance, str):
            found[interface.instance].append(interface)
    for interfaces in found.values():
        interfaces.sort(key=lambda i: i.device_index if isinstance(i.device_index, int) else 1 << 30)
    return dict(found)


def elastic_ips_by_instance(inventory: Inventory) -> dict[str, list[ElasticIp]]:
    """Instance key -> the Elastic IPs that name it and no interface of the inputs. One that
    also names an interface of the inputs is that interface's (elastic_ips_by_interface):
    EC2 and Terraform state name both for an address on a secondary interface."""
    return inventory.derived("elastic_ips_by_instance", _build_eips)


def _build_eips(inventory: Inventory) -> dict[str, list[ElasticIp]]:
    found: dict[str, list[ElasticIp]] = defaultdict(list)
    for eip in inventory.of_kind(ElasticIp):
        if isinstance(eip.instance, str) and inventory.get(eip.network_interface) is None:
            found[eip.instance].append(eip)
    return dict(found)


def elastic_ips_by_interface(inventory: Inventory) -> dict[str, list[ElasticIp]]:
    return inventory.derived("elastic_ips_by_interface", _build_eips_by_interface)


def _build_eips_by_interface(inventory: Inventory) -> dict[str, list[ElasticIp]]:
    found: dict[str, list[ElasticIp]] = defaultdict(list)
    for eip in inventory.of_kind(ElasticIp):
        if isinstance(eip.network_interface, str):
            found[eip.network_interface].append(eip)
    return dict(found)


def unplaced_elastic_ips(inventory: Inventory) -> list[tuple[ElasticIp, str]]:
    """Elastic IPs that may be on any instance: what they attach to is unknown (with why)."""
    return inventory.derived("unplaced_elastic_ips", _build_unplaced_eips)


def _build_unplaced_eips(inventory: Inventory) -> list[tuple[ElasticIp, str]]:
    found: list[tuple[ElasticIp, str]] = []
    for eip in inventory.of_kind(ElasticIp):
        if isinstance(eip.instance, str):
            continue
        interface = inventory.get(eip.network_interface) if isinstance(eip.network_interface, str) else None
        if isinstance(eip.instance, Unknown):
            found.append((eip, f"the instance of Elastic IP {label(inventory, eip.key)} is unknown: "
                               f"{eip.instance.reason}"))
        elif isinstance(eip.network_interface, Unknown):
            found.append((eip, f"the network interface of Elastic IP {label(inventory, eip.key)} is unknown: "
                               f"{eip.network_interface.reason}"))
        elif isinstance(interface, NetworkInterface) and isinstance(interface.instance, Unknown):
            found.append((eip, f"Elastic IP {label(inventory, eip.key)} is on network interface "
                               f"{label(inventory, interface.key)}, whose instance is unknown: "
                               f"{interface.instance.reason}"))
    return found


def label(inventory: Inventory, key: object) -> str:
    """A short human name for a referenced resource: its name and address, else its
    address (``Inventory.address``), else the reference as it is."""
    if isinstance(key, Unknown):
        return f"(unknown: {key.reason})"
    resource = inventory.get(key) if isinstance(key, str) else None
    address = inventory.address(key)
    if resource is not None and isinstance(resource.name, str) and resource.name \
            and resource.name != resource.prov.address:
        return f"{resource.name} ({address})"
    return address


def keys(values: Iterable[object]) -> list[str]:
    return [v for v in values if isinstance(v, str)]


# -- resilience: members, replicas and copies, indexed once ---------------------------


def instances_by_cluster(inventory: Inventory) -> dict[str, list[DbInstance]]:
    """DB cluster key -> the instances that belong to it (Aurora members)."""
    return inventory.derived("instances_by_cluster", _build_instances_by_cluster)


def _build_instances_by_cluster(inventory: Inventory) -> dict[str, list[DbInstance]]:
    found: dict[str, list[DbInstance]] = defaultdict(list)
    for db in inventory.of_kind(DbInstance):
        if isinstance(db.cluster, str):
            found[db.cluster].append(db)
    return dict(found)


def rds_arn_name(reference: object) -> str | None:
    """How an RDS ARN names a database, its account aside:
    "arn:aws:rds:eu-west-2:111122223333:db:orders" -> "db:eu-west-2:orders"."""
    parts = reference.split(":") if isinstance(reference, str) and reference.startswith("arn:") else []
    if len(parts) < 7 or parts[2] != "rds" or parts[5] not in ("db", "cluster"):
        return None
    return f"{parts[5]}:{parts[3]}:{parts[6].lower()}"


def reference_names(db: DbInstance | DbCluster) -> list[str]:
    """The strings another resource may use to name a database: its key, its identifier,
    and the name its ARN gives (rds_arn_name) where its region is known."""
    names = [name for name in (db.key, db.identifier) if isinstance(name, str) and name]
    if isinstance(db.identifier, str) and db.identifier and isinstance(db.region, str):
        kind = "cluster" if isinstance(db, DbCluster) else "db"
        names.append(f"{kind}:{db.region}:{db.identifier.lower()}")
    return names


def _source_of(copy: Resource) -> object:
    if isinstance(copy, DbBackupReplication):
        return copy.source_db
    if isinstance(copy, DbCluster):
        return copy.replication_source
    return copy.replicate_source_db if isinstance(copy, DbInstance) else None


def copies_by_source(inventory: Inventory) -> dict[str, list[Resource]]:
    """The key, identifier or ARN name a copy gives its source -> the copies: read
    replicas, replica clusters and automated-backup replications."""
    return inventory.derived("rds_copies_by_source", _build_copies)


def _build_copies(inventory: Inventory) -> dict[str, list[Resource]]:
    found: dict[str, list[Resource]] = defaultdict(list)
    copies = [*inventory.of_kind(DbInstance), *inventory.of_kind(DbCluster), *inventory.of_kind(DbBackupReplication)]
    for copy in copies:
        source = _source_of(copy)
        if isinstance(source, str):
            found[rds_arn_name(source) or source].append(copy)
    return dict(found)


def copies_of(inventory: Inventory, db: DbInstance | DbCluster) -> list[Resource]:
    """The copies that name `db` as their source, by key, identifier or ARN (region and
    identifier; an ARN's account must match the database's where both are known)."""
    index = copies_by_source(inventory)
    found: dict[str, Resource] = {}
    for name in reference_names(db):
        for copy in index.get(name, []):
            source = _source_of(copy)
            account = source.split(":")[4] if isinstance(source, str) and rds_arn_name(source) else None
            if account and db.prov.account and account != db.prov.account:
                continue  # the same identifier in another account
            found.setdefault(copy.key, copy)
    return list(found.values())


def clusters_by_global_cluster(inventory: Inventory) -> dict[str, list[DbCluster]]:
    """Global cluster key or id -> the regional clusters that are its members."""
    return inventory.derived("clusters_by_global_cluster", _build_global_members)


def _build_global_members(inventory: Inventory) -> dict[str, list[DbCluster]]:
    found: dict[str, list[DbCluster]] = defaultdict(list)
    for cluster in inventory.of_kind(DbCluster):
        if isinstance(cluster.global_cluster, str):
            found[cluster.global_cluster].append(cluster)
    return dict(found)


def bucket_named(inventory: Inventory, reference: object) -> Bucket | None:
    """The bucket a reference names (its key, its bucket name or its ARN), when in the inputs."""
    if not isinstance(reference, str):
        return None
    found = inventory.get(reference)
    if isinstance(found, Bucket):
        return found
    name = reference.split(":::", 1)[1] if reference.startswith("arn:") and ":::" in reference else reference
    return inventory.derived("buckets_by_name", _build_buckets_by_name).get(name)


def _build_buckets_by_name(inventory: Inventory) -> dict[str, Bucket]:
    return {b.bucket_name: b for b in inventory.of_kind(Bucket) if isinstance(b.bucket_name, str)}
