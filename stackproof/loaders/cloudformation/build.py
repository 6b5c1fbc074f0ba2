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
from .values import Ambiguous, as_str
from .view import NAME_PROPERTIES, NameIndex, RawResource, View

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
    attachments: list[Attachment] = []
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
                attachments.extend(ATTACH[raw.type](view))
        except (KeyError, TypeError, AttributeError, ValueError, IndexError) as exc:
            # Values of a shape this loader does not expect are not guessed at: the kind
            # is reported as not assessed for this resource, and the scan goes on.
            builders.pop(raw.key, None)
            kinds = (MAIN[raw.type][0].KIND,) if raw.type in MAIN else ()
            inventory.gaps.append(Gap(kinds, f"could not read the properties of this {raw.type}: {exc}", raw.key))
    _apply_attachments(builders, attachments)
    _replication_regions(builders, regions)
    _public_by_network(builders, attachments)
    _name_listeners(builders)
    for builder in builders.values():
        for resource in _resources_of(builder, source, scenario):
            inventory.add(resource)
    return inventory


def _apply_attachments(builders: dict[str, Builder], attachments: list[Attachment]) -> None:
    ambiguous: list[Attachment] = []
    for attachment in attachments:
        if isinstance(attachment.parent, Ambiguous):
            ambiguous.append(attachment)
            continue
        builder = builders.get(attachment.parent) if isinstance(attachment.parent, str) else None
        if builder is None or builder.raw.type not in attachment.parent_types:
            continue  # the parent is outside the template: nothing here to change
        builder.fields.update(attachment.set)
        builder.set_by_attachment.update(attachment.set)
        for name, items in attachment.append.items():
            current = builder.fields.get(name, ())
            if not isinstance(current, Unknown):
                builder.fields[name] = tuple(current) + tuple(items)
    # A separate resource that may configure any of several parents makes what it
    # configures unknown on each of them, rather than silently absent.
    for attachment in ambiguous:
        assert isinstance(attachment.parent, Ambiguous)
        reason = Unknown(f"a separate resource may set this, but its parent {attachment.parent.reason}")
        for key in attachment.parent.candidates:
            builder = builders.get(key)
            if builder is None:
                continue
            for name in [*attachment.set, *attachment.append]:
                if name not in builder.set_by_attachment:
                    builder.fields[name] = reason


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


def _public_by_network(builders: dict[str, Builder], attachments: list[Attachment]) -> None:
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
    return Provenance(source=source, address=address, file=raw.file, line=raw.line,
                      region=region if isinstance(region, str) else None, action=raw.action,
                      account=raw.extra.get("account"), scenario=scenario)


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
    if isinstance(value, Unknown):
        return value
    if isinstance(value, dict):
        return {str(k): v for k, v in value.items() if isinstance(v, str)}
    found: dict[str, str] = {}
    for item in value if isinstance(value, list) else []:
        if isinstance(item, dict) and isinstance(item.get("Key"), str):
            text = as_str(item.get("Value"))
            if isinstance(text, str):
                found[item["Key"]] = text
    return found


def name_of(raw: RawResource, tags: Any) -> str | None:
    """The Name tag, else the resource's own name property."""
    if isinstance(tags, dict) and isinstance(tags.get("Name"), str):
        return tags["Name"]
    value = raw.properties.get(NAME_PROPERTIES.get(raw.type, ""))
    return value if isinstance(value, str) and value else None
