"""Exposure: what is public, and where data tiers sit."""
from __future__ import annotations

from stackproof import queries
from stackproof.model import (
    Bucket,
    CloudTrail,
    DbInstance,
    Instance,
    LaunchConfiguration,
    LaunchTemplate,
    Resource,
    Subnet,
    Unknown,
    Vpc,
)
from stackproof.rules import (
    Context,
    Verdict,
    failed,
    is_unknown,
    not_applicable,
    passed,
    unknown,
    unknown_field,
)

PUBLIC_ACCESS_SETTINGS = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")


def rds_instance_not_public(db: DbInstance, ctx: Context) -> Verdict:
    """Database instances are not publicly accessible."""
    if is_unknown(db.publicly_accessible):
        return unknown_field("publicly_accessible", db.publicly_accessible)
    if db.publicly_accessible:
        return failed("publicly_accessible is true: the instance gets a public DNS name and address")
    return passed("not publicly accessible")


def s3_bucket_public_access_blocked(bucket: Bucket, ctx: Context) -> Verdict:
    """All four S3 Block Public Access settings are on for the bucket."""
    block = bucket.public_access_block
    if is_unknown(block):
        return unknown_field("public access block", block)
    if block is None:
        return failed("no public access block is configured on the bucket")
    undecided = [name for name in PUBLIC_ACCESS_SETTINGS if is_unknown(getattr(block, name))]
    off = [name for name in PUBLIC_ACCESS_SETTINGS if getattr(block, name) is not True and name not in undecided]
    if off:
        return failed(f"public access block leaves {', '.join(off)} off")
    if undecided:
        return unknown(f"{', '.join(undecided)} not known until apply")
    return passed("all four public access block settings are on")


def subnet_data_tier_private(subnet: Subnet, ctx: Context) -> Verdict:
    """A subnet that holds a database, cache or file system has no route to an internet gateway."""
    stores = queries.data_stores_by_subnet(ctx.inventory).get(subnet.key, [])
    if not stores:
        unplaced = queries.unplaced_data_stores(ctx.inventory)
        if unplaced:
            store, why = unplaced[0]
            return unknown(f"{store.prov.address} may sit in this subnet: its subnets are unknown ({why.reason})")
        return not_applicable("holds no database, cache or file system")
    holds = ", ".join(sorted({s.prov.address for s in stores}))
    table = queries.subnet_routes(ctx.inventory, subnet)
    if is_unknown(table):
        return unknown(f"holds {holds}, but its route table is unknown: {table.reason}")
    if is_unknown(table.routes):
        return unknown(f"holds {holds}, but the routes of {table.label} are unknown: {table.routes.reason}")
    for route in table.routes:
        if route.target_type == "internet_gateway" and not route.blackhole:
            return failed(f"holds {holds}, and {table.label} routes {_text(route.destination)} to internet gateway "
                          f"{queries.label(ctx.inventory, route.target)}", route_table=table.table,
                          destination=_text(route.destination), target=_text(route.target))
    for route in table.routes:
        if route.target_type == "unknown":
            return unknown(f"holds {holds}; the target of route {_text(route.destination)} in {table.label} "
                           "is unknown")
    if table.table is None and not table.routes:
        return passed(f"holds {holds}; {table.label} has only the local route")
    return passed(f"holds {holds}; {table.label} has no route to an internet gateway")


def _text(value: object) -> str:
    return value.reason if isinstance(value, Unknown) else str(value)


def _allowed(resource: Resource, ctx: Context) -> str | Unknown | None:
    """Why the policy parameters allow this resource a public IP, None when they do not,
    or an Unknown when the allow tag cannot be read."""
    allowed = set(ctx.params.get("allowed_resources") or [])
    if resource.prov.address in allowed or (isinstance(resource.name, str) and resource.name in allowed):
        return "listed in the policy's allowed_resources"
    tag = ctx.params.get("allow_tag")
    value = resource.tag(tag) if tag else None
    if isinstance(value, Unknown):
        return Unknown(f"whether its {tag} tag allows it is unknown ({value.reason})")
    return f"allowed by tag {tag}: {value}" if value else None


def _public_unless_allowed(reason: str, allowed: str | Unknown | None) -> Verdict:
    if isinstance(allowed, Unknown):
        return unknown(f"{reason}; {allowed.reason}")
    return passed(f"{reason}, {allowed}") if allowed else failed(reason)


def instance_no_public_ip(resource: Resource, ctx: Context) -> Verdict:
    """Instances, launch templates and subnets do not hand out public IP addresses."""
    allowed = _allowed(resource, ctx)
    if isinstance(resource, Subnet):
        value = resource.map_public_ip_on_launch
        if is_unknown(value):
            return unknown_field("map_public_ip_on_launch", value)
        if value:
            return _public_unless_allowed(
                "map_public_ip_on_launch is true: every instance launched here gets a public IP", allowed)
        return passed("does not assign public IPs on launch")
    if isinstance(resource, Instance):
        return _instance_public_ip(resource, ctx, allowed)
    assert isinstance(resource, (LaunchTemplate, LaunchConfiguration))
    value = resource.associate_public_ip_address
    if is_unknown(value):
        return unknown_field("associate_public_ip_address", value)
    if value is True:
        return _public_unless_allowed("associate_public_ip_address is true", allowed)
    return passed("gets no public IP address")


def _instance_public_ip(instance: Instance, ctx: Context, allowed: str | Unknown | None) -> Verdict:
    """Where the instance sits decides (its own settings, its subnet's, its network
    interfaces and Elastic IPs): the network engine's placements say it once for all rules."""
    placements = ctx.network.endpoints[instance.key].placements
    public = [p for p in placements if p.public_v4 is True]
    if public:
        return _public_unless_allowed(f"it gets a public IPv4 address: {public[0].public_why}", allowed)
    undecided = [p.public_v4 for p in placements if is_unknown(p.public_v4)]
    if undecided:
        return unknown(f"whether it gets a public IPv4 address is unknown: {undecided[0].reason}")
    return passed("gets no public IP address")


def vpc_s3_gateway_endpoint(vpc: Vpc, ctx: Context) -> Verdict:
    """The VPC reaches S3 through a gateway endpoint associated with its route tables."""
    endpoints = queries.endpoints_by_vpc(ctx.inventory).get(vpc.key, [])
    undecided = None
    for endpoint in endpoints:
        name = endpoint.service_name
        if is_unknown(name) or is_unknown(endpoint.endpoint_type):
            undecided = endpoint
            continue
        if isinstance(name, str) and name.endswith(".s3") and endpoint.endpoint_type == "Gateway":
            if is_unknown(endpoint.route_tables):
                return unknown(f"S3 gateway endpoint {endpoint.prov.address}: route tables unknown")
            if not endpoint.route_tables:
                return failed(f"S3 gateway endpoint {endpoint.prov.address} is associated with no route table")
            return passed(f"S3 gateway endpoint {endpoint.prov.address} on {len(endpoint.route_tables)} route table(s)")
    if undecided is not None:
        return unknown(f"the service of endpoint {undecided.prov.address} is not known")
    orphans = queries.unplaced_endpoints(ctx.inventory)
    if orphans:
        return unknown(f"endpoint {orphans[0].prov.address} may belong to this VPC: its VPC is unknown")
    return failed("no S3 gateway endpoint: traffic to S3 leaves through NAT or the internet gateway")


def cloudtrail_multi_region_enabled(trail: CloudTrail, ctx: Context) -> Verdict:
    """The trail records events in every region."""
    if is_unknown(trail.is_multi_region_trail):
        return unknown_field("is_multi_region_trail", trail.is_multi_region_trail)
    if not trail.is_multi_region_trail:
        return failed("the trail records only its home region (is_multi_region_trail is false)")
    if trail.is_logging is False:
        return failed("the trail is multi-region but logging is stopped")
    return passed("multi-region trail")
