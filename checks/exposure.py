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
    RouteTable,
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
    table_key = queries.route_table_of(ctx.inventory, subnet)
    if is_unknown(table_key):
        return unknown(f"holds {holds}, but its route table is unknown: {table_key.reason}")
    if table_key is None:
        return passed(f"holds {holds}; uses the VPC's default main route table, which has only the local route")
    table = ctx.get(table_key)
    if not isinstance(table, RouteTable):
        return unknown(f"holds {holds}, but its route table {table_key} is not in the inputs")
    routes = table.routes
    if is_unknown(routes):
        return unknown(f"holds {holds}, but the routes of {table_key} are unknown: {routes.reason}")
    which = "its route table" if subnet.route_table == table_key else "the VPC's main route table"
    for route in routes:
        if route.target_type == "internet_gateway" and not route.blackhole:
            return failed(f"holds {holds}, and {which} {queries.label(ctx.inventory, table_key)} routes "
                          f"{_text(route.destination)} to internet gateway {queries.label(ctx.inventory, route.target)}",
                          route_table=table_key, destination=_text(route.destination), target=_text(route.target))
    for route in routes:
        if route.target_type == "unknown":
            return unknown(f"holds {holds}; the target of route {_text(route.destination)} in {table_key} is unknown")
    return passed(f"holds {holds}; {which} {table_key} has no route to an internet gateway")


def _text(value: object) -> str:
    return value.reason if isinstance(value, Unknown) else str(value)


def _allowed(resource: Resource, ctx: Context) -> str | None:
    """Why the policy parameters allow this resource a public IP, or None."""
    tag = ctx.params.get("allow_tag")
    if tag and isinstance(resource.tags, dict) and resource.tags.get(tag):
        return f"allowed by tag {tag}: {resource.tags[tag]}"
    allowed = set(ctx.params.get("allowed_resources") or [])
    if resource.prov.address in allowed or (isinstance(resource.name, str) and resource.name in allowed):
        return "listed in the policy's allowed_resources"
    return None


def instance_no_public_ip(resource: Resource, ctx: Context) -> Verdict:
    """Instances, launch templates and subnets do not hand out public IP addresses."""
    allowed = _allowed(resource, ctx)
    if isinstance(resource, Subnet):
        value = resource.map_public_ip_on_launch
        if is_unknown(value):
            return unknown_field("map_public_ip_on_launch", value)
        if value:
            return passed(f"assigns public IPs on launch, {allowed}") if allowed else failed(
                "map_public_ip_on_launch is true: every instance launched here gets a public IP")
        return passed("does not assign public IPs on launch")
    assert isinstance(resource, (Instance, LaunchTemplate, LaunchConfiguration))
    value = resource.associate_public_ip_address
    if is_unknown(value):
        return unknown_field("associate_public_ip_address", value)
    reason = None
    if value is True:
        reason = "associate_public_ip_address is true"
    elif isinstance(resource, Instance):
        eips = queries.elastic_ips_by_instance(ctx.inventory).get(resource.key, [])
        if eips:
            reason = f"elastic IP {eips[0].prov.address} is attached"
        elif value is None:
            subnet = ctx.get(resource.subnet)
            if isinstance(subnet, Subnet):
                if is_unknown(subnet.map_public_ip_on_launch):
                    return unknown(f"its subnet's map_public_ip_on_launch is unknown: "
                                   f"{subnet.map_public_ip_on_launch.reason}")
                if subnet.map_public_ip_on_launch:
                    reason = f"its subnet {queries.label(ctx.inventory, subnet.key)} assigns public IPs on launch"
            elif is_unknown(resource.subnet):
                return unknown(f"its subnet is unknown ({resource.subnet.reason}), and the subnet decides")
            elif resource.subnet is not None:
                return unknown(f"its subnet {resource.subnet} is not in the inputs, and the subnet decides")
    if reason:
        return passed(f"{reason}, {allowed}") if allowed else failed(reason)
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
