"""Resolved resources of one scenario -> model resources in an Inventory.

The same steps as the plan loader: each type's mapper gives the fields, separate
resources (routes, rules, associations) are merged into their parents, then what needs
several resources at once (listener names, replication regions) is filled in.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields as dataclass_fields
from functools import lru_cache
from typing import Any, Iterator

from ...model import (
    Bucket,
    DbInstance,
    DbSubnetGroup,
    Gap,
    InputFile,
    InternetGateway,
    Inventory,
    Listener,
    Provenance,
    ReplicationRule,
    Resource,
    Subnet,
    Unknown,
)
from . import map_compute, map_data, map_network
from .map_data import PUBLIC_BY_NETWORK, local_replica
from .map_network import Attachment
from .scenarios import when
from .values import Ambiguous, as_str
from .view import NAME_PROPERTIES, NameIndex, RawResource, View
from .zones import comparable_zones

MAIN: dict[str, tuple[type[Resource], Any]] = {**map_network.MAIN, **map_compute.MAIN, **map_data.MAIN}
ATTACH: dict[str, Any] = {**map_network.ATTACH, **map_compute.ATTACH, **map_data.ATTACH}
# Types whose properties are resolved: the mapped ones, and vaults (a copy action's region).
RESOLVED_TYPES = frozenset(MAIN) | frozenset(ATTACH) | {"AWS::Backup::BackupVault"}

# Where a type keeps its tags, when not in Tags.
TAG_PROPERTIES = {
    "AWS::EFS::FileSystem": "FileSystemTags",
    "AWS::Backup::BackupPlan": "BackupPlanTags",
    "AWS::Backup::BackupVault": "BackupVaultTags",
}


@dataclass
class Builder:
    cls: type[Resource]
    raw: RawResource
    fields: dict[str, Any]
    before: Resource | None = None
    set_by_attachment: set[str] = field(default_factory=set)


def inventory_of(raws: list[RawResource], gaps: list[Gap], scenario: str | None, source: str,
                 inputs: list[InputFile], secrets: set[str]) -> Inventory:
    index = NameIndex(raws)
    regions = {raw.key: raw.region for raw in raws}
    types = {raw.key: raw.type for raw in raws}
    inventory = Inventory(inputs=list(inputs), gaps=list(gaps))
    inventory.secrets |= secrets
    builders: dict[str, Builder] = {}
    attachments: list[tuple[Attachment, RawResource]] = []
    for raw in raws:
        view = View(raw, index, regions, types)
        try:
            if "error" in raw.extra:
                raise ValueError(raw.extra["error"])
            if raw.type in MAIN:
                cls, mapper = MAIN[raw.type]
                builders[raw.key] = Builder(cls, raw, mapper(view))
                if raw.before is not None:
                    before_view = View(raw.before, index, regions, types)
                    builders[raw.key].before = _construct(cls, raw.before, mapper(before_view), source, scenario)
            if raw.type in ATTACH:
                attachments.extend((attachment, raw) for attachment in ATTACH[raw.type](view))
        except (KeyError, TypeError, AttributeError, ValueError, IndexError) as exc:
            # Values of a shape this loader does not expect are not guessed at: the kind
            # is reported as not assessed for this resource, and the scan goes on.
            builders.pop(raw.key, None)
            kinds = (MAIN[raw.type][0].KIND,) if raw.type in MAIN else ()
            inventory.gaps.append(Gap(kinds, f"could not read the properties of this {raw.type}: {exc}", raw.key))
    _apply_attachments(builders, attachments)
    _replication_regions(builders, regions)
    _public_by_network(builders)
    _name_listeners(builders)
    _detach_maybe(builders)
    comparable_zones((b.fields, ("vpc", repr(b.fields.get("vpc"))) if b.cls is Subnet else "placed")
                     for b in builders.values())
    for builder in builders.values():
        for resource in _resources_of(builder, source, scenario):
            inventory.add(resource)
    return inventory


def _apply_attachments(builders: dict[str, Builder], attachments: list[tuple[Attachment, RawResource]]) -> None:
    later: list[tuple[Attachment, RawResource]] = []
    for attachment, raw in attachments:
        builder = builders.get(attachment.parent) if isinstance(attachment.parent, str) else None
        if isinstance(attachment.parent, Ambiguous) or not _exist_together(raw, builder):
            later.append((attachment, raw))
            continue
        if builder is None or builder.raw.type not in attachment.parent_types:
            continue  # the parent is outside the template: nothing here to change
        builder.fields.update(attachment.set)
        builder.set_by_attachment.update(attachment.set)
        for name, items in attachment.append.items():
            current = builder.fields.get(name, ())
            if not isinstance(current, Unknown):
                builder.fields[name] = tuple(current) + tuple(items)
    # A separate resource that may configure any of several parents, or that may not
    # exist at all, makes what it configures unknown, rather than silently set or absent.
    for attachment, raw in later:
        if isinstance(attachment.parent, Ambiguous):
            reason = Unknown(f"a separate resource may set this, but its parent {attachment.parent.reason}")
            candidates: tuple[str, ...] = attachment.parent.candidates
        else:
            reason = _maybe_reason(raw)
            candidates = (attachment.parent,) if isinstance(attachment.parent, str) else ()
        for key in candidates:
            builder = builders.get(key)
            if builder is None or builder.raw.type not in attachment.parent_types:
                continue
            for name in [*attachment.set, *attachment.append]:
                if name not in builder.set_by_attachment:
                    builder.fields[name] = reason


def _exist_together(raw: RawResource, parent: Builder | None) -> bool:
    """Whether a separate resource exists exactly when its parent does (as far as known)."""
    condition = _maybe_condition(raw)
    return condition is None or (parent is not None and _maybe_condition(parent.raw) == condition)


def _maybe_condition(raw: RawResource) -> str | None:
    """The undecidable condition a resource exists under, if any (stack.py marks it)."""
    maybe = raw.extra.get("maybe")
    return maybe[0] if maybe else None


def _maybe_reason(raw: RawResource) -> Unknown:
    condition, why = raw.extra["maybe"]
    return Unknown(f"{raw.key} exists only if condition {condition} is true, which cannot be decided"
                   + (f": {why}" if why else ""))


def _detach_maybe(builders: dict[str, Builder]) -> None:
    """A resource that may not exist keeps its own values, but its references to resources
    that exist without it become unknown: what finds it through them (the endpoints of a
    VPC, the data stores of a subnet) cannot count on it."""
    for builder in builders.values():
        condition = _maybe_condition(builder.raw)
        if condition is None:
            continue
        for name, value in list(builder.fields.items()):
            if name != "name" and _refers_apart(value, condition, builders, builder.raw.key):
                builder.fields[name] = _maybe_reason(builder.raw)


def _refers_apart(value: Any, condition: str, builders: dict[str, Builder], own: str) -> bool:
    """Whether a field names a resource of the template that exists without ``condition``."""
    keys = [value] if isinstance(value, str) else list(value) if isinstance(value, tuple) else []
    for key in keys:
        target = builders.get(key) if isinstance(key, str) and key != own else None
        if target is not None and _maybe_condition(target.raw) != condition:
            return True
    return False


def _replication_regions(builders: dict[str, Builder], regions: dict[str, Any]) -> None:
    """A replication rule's destination region: the destination bucket's, when it is in the inputs."""
    for builder in builders.values():
        rules = builder.fields.get("replication_rules") if builder.cls is Bucket else None
        if not isinstance(rules, tuple):
            continue
        updated = []
        for rule in rules:
            destination = rule.destination_bucket
            if isinstance(destination, Unknown):
                region: Any = destination
            elif isinstance(destination, str) and destination in builders:
                region = regions.get(destination)
            else:
                region = rule.destination_region
            updated.append(ReplicationRule(rule_id=rule.rule_id, enabled=rule.enabled,
                                           destination_bucket=destination, destination_region=region))
        builder.fields["replication_rules"] = tuple(updated)


def _public_by_network(builders: dict[str, Builder]) -> None:
    """An RDS instance that does not set PubliclyAccessible is public exactly when its
    subnets' VPC has an internet gateway; decide it when the template shows that VPC."""
    vpcs_with_gateway = {b.fields.get("vpc") for b in builders.values() if b.cls is InternetGateway}
    for builder in builders.values():
        if builder.cls is not DbInstance or not builder.fields.pop(PUBLIC_BY_NETWORK, False):
            continue
        group = builders.get(builder.fields.get("db_subnet_group"))  # type: ignore[arg-type]
        if group is None or group.cls is not DbSubnetGroup or not isinstance(group.fields.get("subnets"), tuple):
            continue
        vpcs = set()
        for key in group.fields["subnets"]:
            subnet = builders.get(key)
            if subnet is None or subnet.cls is not Subnet or not isinstance(subnet.fields.get("vpc"), str):
                vpcs = set()
                break
            vpcs.add(subnet.fields["vpc"])
        if len(vpcs) == 1 and next(iter(vpcs)) in builders:
            has_gateway = next(iter(vpcs)) in vpcs_with_gateway
            builder.fields["publicly_accessible"] = has_gateway


def _name_listeners(builders: dict[str, Builder]) -> None:
    """A listener is named "<load balancer name>:<port>" in every source."""
    for builder in builders.values():
        if builder.cls is not Listener:
            continue
        balancer = builders.get(builder.fields.get("load_balancer"))  # type: ignore[arg-type]
        balancer_name = name_of(balancer.raw, tags_of(balancer.raw)) if balancer else None
        port = builder.fields.get("port")
        if balancer_name and isinstance(port, int):
            builder.fields["name"] = f"{balancer_name}:{port}"


def _resources_of(builder: Builder, source: str, scenario: str | None) -> Iterator[Resource]:
    fields = dict(builder.fields)
    children = fields.pop("_children", [])
    resource = _construct(builder.cls, builder.raw, fields, source, scenario, builder.before)
    yield resource
    for cls, suffix, child_fields in children:
        child_fields = dict(child_fields)
        region = child_fields.pop("_region", builder.raw.region)
        if cls is Listener and isinstance(resource.name, str) and isinstance(child_fields.get("port"), int):
            child_fields["name"] = f"{resource.name}:{child_fields['port']}"
        key = f"{builder.raw.key}.{suffix}"
        yield cls(key=key, prov=_provenance(builder.raw, source, scenario, key, region),
                  region=region, tags=resource.tags, **child_fields)


_COMMON = {"key", "prov", "name", "region", "tags", "before"}


@lru_cache(maxsize=None)
def _fields_of(cls: type[Resource]) -> frozenset[str]:
    return frozenset(({f.name for f in dataclass_fields(cls)} - _COMMON) | {"name"})


def _construct(cls: type[Resource], raw: RawResource, fields: dict[str, Any], source: str, scenario: str | None,
               before: Resource | None = None) -> Resource:
    fields = {k: v for k, v in fields.items() if not k.startswith("_")}
    extra = set(fields) - _fields_of(cls)
    if extra:
        raise TypeError(f"{cls.__name__} has no field(s) {', '.join(sorted(extra))}")
    name = fields.pop("name", None)
    tags = tags_of(raw)
    return cls(key=raw.key, prov=_provenance(raw, source, scenario, raw.key, raw.region),
               name=name or name_of(raw, tags), region=raw.region, tags=tags, before=before, **fields)


def _provenance(raw: RawResource, source: str, scenario: str | None, address: str, region: Any) -> Provenance:
    maybe = raw.extra.get("maybe")
    return Provenance(source=source, address=address, file=raw.file, line=raw.line,
                      region=region if isinstance(region, str) else None, action=raw.action,
                      account=raw.extra.get("account"), scenario=scenario_label(raw, scenario),
                      conditions=raw.extra.get("conditions", ()),
                      maybe=f"if it exists (its condition {maybe[0]} cannot be decided)" if maybe else None)


def scenario_label(raw: RawResource, scenario: str | None) -> str | None:
    """The scenario a resource is in: the conditions it depends on that tell it from the
    others, when it has any, else the whole scenario."""
    parts = raw.extra.get("parts")
    return when(parts) if parts else scenario


def tags_of(raw: RawResource) -> Any:
    if raw.type == "AWS::EC2::LaunchTemplate":
        value: Any = _launch_template_tags(raw.properties.get("TagSpecifications"))
    elif raw.type == "AWS::DynamoDB::GlobalTable":
        replica = local_replica(View(raw, NameIndex([])))
        value = replica if isinstance(replica, Unknown) else replica.get("Tags")
    else:
        value = raw.properties.get(TAG_PROPERTIES.get(raw.type, "Tags"))
    return _tag_dict(value)


def _launch_template_tags(specifications: Any) -> Any:
    if isinstance(specifications, Unknown):
        return specifications
    for item in specifications if isinstance(specifications, list) else []:
        if isinstance(item, dict) and item.get("ResourceType") == "launch-template":
            return item.get("Tags")
    return None


def _tag_dict(value: Any) -> Any:
    """Tags by key; a value that is not known stays an Unknown (an Environment tag from
    a parameter left open must not read as "no environment")."""
    if isinstance(value, Unknown):
        return value
    if isinstance(value, dict):
        return {str(k): text for k, text in ((k, as_str(v)) for k, v in value.items()) if text is not None}
    found: dict[str, Any] = {}
    for item in value if isinstance(value, list) else []:
        if isinstance(item, Unknown):
            return item  # a tag whose key may be anything: none of the keys can be trusted
        if isinstance(item, dict) and isinstance(item.get("Key"), str):
            text = as_str(item.get("Value"))
            if text is not None:
                found[item["Key"]] = text
    return found


def name_of(raw: RawResource, tags: Any) -> str | None:
    """The Name tag, else the resource's own name property."""
    if isinstance(tags, dict) and isinstance(tags.get("Name"), str):
        return tags["Name"]
    value = raw.properties.get(NAME_PROPERTIES.get(raw.type, ""))
    return value if isinstance(value, str) and value else None
