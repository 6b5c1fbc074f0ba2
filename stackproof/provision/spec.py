"""The reference stack as data: one frozen dataclass per part, every size a parameter.

The defaults are the compliant reference stack. Each knob that a policy of the
catalogue watches (encryption, AZ spread, replication, capacity) is a field too, so a
team can see what its choices cost and the mutation tests can break one at a time;
``validate`` refuses only what cannot be built at all, and leaves judging the rest to
the catalogue (scan the rendered template).
"""
from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field, fields, is_dataclass, replace
from typing import Any, Mapping

from ..errors import InputError

NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$")
# family.size, as AWS names them: t3.medium, m7g.2xlarge, u-6tb1.metal, c7i.metal-48xl
INSTANCE_TYPE = re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9][a-z0-9-]*$")
SIZES = {"app.instance_type": ("", "an instance type", "t3.medium"),
         "database.instance_class": ("db.", "a DB instance class", "db.m6g.large"),
         "cache.node_type": ("cache.", "a cache node type", "cache.m6g.large")}
PRIVATE_BLOCKS = tuple(ipaddress.IPv4Network(b) for b in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
# The VPC is cut into four tier blocks of four subnets each (prefix + 4); a load
# balancer subnet must be at least a /27, so the VPC at least a /23. AWS's largest VPC is a /16.
LARGEST_PREFIX, SMALLEST_PREFIX = 16, 23
DB_DR_MODES = ("backup-replication", "read-replica", "none")
TLS13_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
AL2023_AMI_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"


@dataclass(frozen=True)
class NetworkSpec:
    cidr: str = "10.0.0.0/16"
    az_count: int = 3  # the command line offers 2 or 3; 1 is accepted so the catalogue can be seen failing it
    nat_per_az: bool = True  # False: one NAT gateway for every AZ (one AZ's outage cuts them all off)
    data_internet_route: bool = False  # True gives the data subnets a route to the internet gateway
    data_acl_open: bool = False  # True: the data tier's network ACL lets all traffic in and out
    balancer_egress_open: bool = False  # True: the balancer's group may send anywhere (CloudFormation's default)


@dataclass(frozen=True)
class AppSpec:
    instance_type: str = "t3.medium"
    min_size: int | None = None  # None: one instance per AZ
    max_size: int | None = None  # None: three per AZ
    desired_capacity: int | None = None  # None: min_size
    port: int = 8080
    volume_gb: int = 30
    volume_encrypted: bool = True
    image_id: str | None = None  # None: the latest Amazon Linux 2023, from its public SSM parameter


@dataclass(frozen=True)
class DatabaseSpec:
    instance_class: str = "db.m6g.large"
    engine_version: str = "17.6"
    storage_gb: int = 100
    max_storage_gb: int | None = None  # storage autoscaling ceiling; None: twice storage_gb
    multi_az: bool = True
    encrypted: bool = True
    backup_retention_days: int = 14
    deletion_protection: bool = True
    # How the data gets to the DR region: RDS automated-backup replication, a
    # cross-region read replica (faster recovery, one more instance to pay for), or none.
    dr: str = "backup-replication"
    dr_region: str | None = None  # None: the stack's DR region
    port: int = 5432
    open_to: tuple[str, ...] = ()  # extra CIDRs admitted to the database port (never in the reference)


@dataclass(frozen=True)
class CacheSpec:
    node_type: str = "cache.m6g.large"
    nodes: int | None = None  # primary plus replicas; None: one per AZ
    multi_az: bool = True
    at_rest_encryption: bool = True
    transit_encryption: bool = True
    port: int = 6379


@dataclass(frozen=True)
class StorageSpec:
    buckets: tuple[str, ...] = ("assets",)  # data buckets; the trail's bucket is always there too
    kms_encryption: bool = True  # False: SSE-S3 only (S3 always encrypts, but with its own key)
    versioning: bool = True
    block_public_access: bool = True
    replicate: bool = True
    replica_region: str | None = None  # None: the stack's DR region


@dataclass(frozen=True)
class StackSpec:
    name: str = "reference"
    environment: str = "prod"
    region: str = "eu-west-2"
    dr_region: str = "eu-west-1"
    certificate_arn: str | None = None  # the HTTPS listener's ACM certificate (required to apply)
    tls_policy: str = TLS13_POLICY
    queue_encrypted: bool = True
    trail_encrypted: bool = True
    trail_multi_region: bool = True
    network: NetworkSpec = field(default_factory=NetworkSpec)
    app: AppSpec = field(default_factory=AppSpec)
    database: DatabaseSpec = field(default_factory=DatabaseSpec)
    cache: CacheSpec = field(default_factory=CacheSpec)
    storage: StorageSpec = field(default_factory=StorageSpec)

    # Derived values, so the blueprint and the renderer agree on them.

    @property
    def app_sizes(self) -> tuple[int, int, int]:
        """(min, max, desired) of the app tier's auto scaling group."""
        low = self.app.min_size if self.app.min_size is not None else self.network.az_count
        high = self.app.max_size if self.app.max_size is not None else 3 * self.network.az_count
        want = self.app.desired_capacity if self.app.desired_capacity is not None else low
        return low, high, want

    @property
    def db_max_storage_gb(self) -> int:
        db = self.database
        return db.max_storage_gb if db.max_storage_gb is not None else 2 * db.storage_gb

    @property
    def db_dr_region(self) -> str:
        return self.database.dr_region or self.dr_region

    @property
    def bucket_replica_region(self) -> str:
        return self.storage.replica_region or self.dr_region

    @property
    def cache_nodes(self) -> int:
        return self.cache.nodes if self.cache.nodes is not None else max(self.network.az_count, 2)

    def validate(self) -> "StackSpec":
        """The spec itself, or InputError naming the first field that cannot be built."""
        where = "stack spec"
        if not NAME.match(self.name) or not 3 <= len(self.name) <= 24:
            raise InputError(where, f"name {self.name!r} must be 3-24 lowercase letters, digits and single hyphens, "
                                    "starting with a letter (it prefixes bucket and database names)")
        if not NAME.match(self.environment):
            raise InputError(where, f"environment {self.environment!r} must be lowercase letters, digits and hyphens")
        for label, region in (("region", self.region), ("dr_region", self.dr_region),
                              ("database.dr_region", self.database.dr_region),
                              ("storage.replica_region", self.storage.replica_region)):
            if region is not None and not REGION.match(region):
                raise InputError(where, f"{label} {region!r} is not a region name such as eu-west-2")
        if self.dr_region == self.region:
            raise InputError(where, f"dr_region must differ from region ({self.region}): the DR copy has to "
                                    "survive the loss of the primary region")
        for label, region in (("database.dr_region", self.database.dr_region),
                              ("storage.replica_region", self.storage.replica_region)):
            if region is not None and region not in (self.region, self.dr_region):
                raise InputError(where, f"{label} {region!r} must be the stack's region or its dr_region "
                                        "(the stack has keys in those two only)")
        _validate_network(self.network, self.database.dr == "read-replica", where)
        for label, (prefix, noun, example) in SIZES.items():
            part, name = label.split(".")
            value = getattr(getattr(self, part), name)
            if not value.startswith(prefix) or not INSTANCE_TYPE.match(value[len(prefix):]):
                raise InputError(where, f"{label} {value!r} is not {noun} such as {example}")
        app = self.app
        low, high, want = self.app_sizes
        if min(low, high, want) < 0:
            raise InputError(where, "app sizes must not be negative")
        if not 1 <= app.port <= 65535:
            raise InputError(where, f"app.port {app.port} is not a TCP port")
        if app.volume_gb < 1:
            raise InputError(where, "app.volume_gb must be at least 1")
        db = self.database
        if db.dr not in DB_DR_MODES:
            raise InputError(where, f"database.dr {db.dr!r} is not one of {', '.join(DB_DR_MODES)}")
        if db.storage_gb < 20:
            raise InputError(where, f"database.storage_gb {db.storage_gb} is below the 20 GB RDS PostgreSQL minimum")
        if not 0 <= db.backup_retention_days <= 35:
            raise InputError(where, "database.backup_retention_days must be 0-35 (the RDS range)")
        for cidr in db.open_to:
            _network(cidr, "database.open_to", where)
        if self.cache_nodes < 1:
            raise InputError(where, "cache.nodes must be at least 1")
        storage = self.storage
        for bucket in storage.buckets:
            if not NAME.match(bucket) or bucket == "trail":
                raise InputError(where, f"storage bucket {bucket!r} must be lowercase letters, digits and hyphens "
                                        "and not 'trail' (the trail has its own bucket)")
        if len(set(storage.buckets)) != len(storage.buckets):
            raise InputError(where, "storage.buckets names a bucket twice")
        if self.certificate_arn is not None and not self.certificate_arn.startswith("arn:"):
            raise InputError(where, f"certificate_arn {self.certificate_arn!r} is not an ARN")
        return self


def _validate_network(network: NetworkSpec, dr_vpc: bool, where: str) -> None:
    block = _network(network.cidr, "network.cidr", where)
    if not LARGEST_PREFIX <= block.prefixlen <= SMALLEST_PREFIX:
        raise InputError(where, f"network.cidr {network.cidr} must be a /{LARGEST_PREFIX} to /{SMALLEST_PREFIX} block "
                                f"(it is cut into subnets of prefix + 4, and a load balancer subnet needs at least "
                                f"a /27)")
    if not any(block.subnet_of(private) for private in PRIVATE_BLOCKS):
        raise InputError(where, f"network.cidr {network.cidr} is not private address space (RFC 1918: 10.0.0.0/8, "
                                "172.16.0.0/12 or 192.168.0.0/16)")
    if dr_vpc:
        dr = dr_cidr(network.cidr)
        if dr is None or not any(dr.subnet_of(private) for private in PRIVATE_BLOCKS):
            raise InputError(where, f"network.cidr {network.cidr} leaves no private block for the DR VPC, which takes "
                                    f"the next block of the same size ({dr or 'none'}); choose a block that is not the "
                                    "last of its private range")
    if not 1 <= network.az_count <= 3:
        raise InputError(where, f"network.az_count {network.az_count} must be 1, 2 or 3")


def dr_cidr(cidr: str) -> ipaddress.IPv4Network | None:
    """The DR VPC's block: the primary's neighbour of the same size (10.0.0.0/16 -> 10.1.0.0/16),
    or None after the last block of the address space."""
    network = ipaddress.IPv4Network(cidr)
    if int(network.broadcast_address) == int(ipaddress.IPv4Address("255.255.255.255")):
        return None
    return ipaddress.IPv4Network(f"{network.broadcast_address + 1}/{network.prefixlen}")


def _network(text: str, label: str, where: str) -> ipaddress.IPv4Network:
    try:
        return ipaddress.IPv4Network(text)
    except ValueError as exc:
        raise InputError(where, f"{label} {text!r} is not an IPv4 CIDR block ({exc})") from None


# -- reading a spec from a mapping (a spec file) ---------------------------------------


def spec_from_mapping(data: Any, where: str, base: StackSpec | None = None) -> StackSpec:
    """A StackSpec from nested mappings (a YAML spec file), on top of ``base``.

    Unknown keys and values of the wrong type are refused with the key's path.
    """
    if not isinstance(data, Mapping):
        raise InputError(where, "a stack spec must be a mapping of field names to values")
    return _merge(base or StackSpec(), data, where, "")


def _merge(current: Any, data: Mapping[str, Any], where: str, prefix: str) -> Any:
    known = {f.name: f for f in fields(current)}
    changes: dict[str, Any] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if key not in known:
            raise InputError(where, f"unknown spec field {path!r} (known: {', '.join(sorted(known))})")
        old = getattr(current, key)
        if is_dataclass(old):
            if not isinstance(value, Mapping):
                raise InputError(where, f"spec field {path!r} must be a mapping")
            changes[key] = _merge(old, value, where, f"{path}.")
        else:
            changes[key] = _coerce(value, old, known[key].type, path, where)
    return replace(current, **changes)


def _coerce(value: Any, old: Any, annotation: Any, path: str, where: str) -> Any:
    text = str(annotation)
    if value is None:
        if "None" in text:
            return None
        raise InputError(where, f"spec field {path!r} cannot be empty")
    if text.startswith("tuple"):
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            raise InputError(where, f"spec field {path!r} must be a list of strings")
        return tuple(value)
    if text.startswith("bool"):
        if not isinstance(value, bool):
            raise InputError(where, f"spec field {path!r} must be true or false")
        return value
    if text.startswith("int"):
        if isinstance(value, bool) or not isinstance(value, int):
            raise InputError(where, f"spec field {path!r} must be a whole number")
        return value
    if not isinstance(value, str):
        raise InputError(where, f"spec field {path!r} must be a string")
    return value


def spec_as_mapping(spec: Any) -> dict[str, Any]:
    """The spec as plain nested data (what a spec file holds)."""
    out: dict[str, Any] = {}
    for f in fields(spec):
        value = getattr(spec, f.name)
        if is_dataclass(value):
            out[f.name] = spec_as_mapping(value)
        elif isinstance(value, tuple):
            out[f.name] = list(value)
        else:
            out[f.name] = value
    return out
