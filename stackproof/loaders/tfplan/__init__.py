"""Terraform plan and state loader: `terraform show -json` output -> Inventory."""
from __future__ import annotations

from dataclasses import dataclass, field, fields as dataclass_fields
from pathlib import Path
from typing import Any, Iterator

from ...errors import InputError
from ...model import Gap, InputFile, Inventory, Listener, NetworkAcl, Provenance, Resource, Subnet, Unknown
from . import map_compute, map_data, map_network
from .config import Address, Configuration, parse_address
from .link import IdIndex, Linker
from .reader import PlanDocument, read_plan
from .values import fold
from .view import Attachment, View

MAIN: dict[str, tuple[type[Resource], Any]] = {**map_network.MAIN, **map_compute.MAIN, **map_data.MAIN}
ATTACH: dict[str, Any] = {**map_network.ATTACH, **map_compute.ATTACH, **map_data.ATTACH}
SUPPORTED_TYPES = frozenset(MAIN) | frozenset(ATTACH)

_ACTIONS = {
    ("create",): "create",
    ("update",): "update",
    ("delete", "create"): "replace",
    ("create", "delete"): "replace",
    ("delete",): "delete",
    ("no-op",): "no-op",
    ("read",): "read",
    ("forget",): "delete",
}


@dataclass
class RawResource:
    address: str
    parsed: Address | None
    type: str
    values: dict[str, Any]
    before: dict[str, Any] | None = None
    action: str | None = None
    region: Any = None
    line: int | None = None


@dataclass
class Builder:
    cls: type[Resource]
    raw: RawResource
    fields: dict[str, Any]
    before: Resource | None = None
    set_by_attachment: set[str] = field(default_factory=set)


def load_plan(path: str | Path) -> Inventory:
    return build_inventory(read_plan(path))


def build_inventory(doc: PlanDocument) -> Inventory:
    secrets: set[str] = set()
    raws = list(_raw_resources(doc, secrets))
    lines = doc.lines()
    index = IdIndex()
    for raw in raws:
        index.add(raw.type, raw.address, raw.values)
        index.add(raw.type, raw.address, raw.before)
    for rtype, address, values in _prior_state(doc.data):
        index.add(rtype, address, values)
    variables = doc.data.get("variables") if isinstance(doc.data.get("variables"), dict) else {}
    config = Configuration(doc.data, (r.address for r in raws), variables)
    for raw in raws:
        raw.line = lines.get(raw.address)
        raw.region = _region(raw, config)
    regions = {raw.address: raw.region for raw in raws}

    inventory = Inventory(inputs=[InputFile(doc.kind, doc.path, doc.sha256)])
    inventory.secrets |= secrets
    builders: dict[str, Builder] = {}
    attachments: list[Attachment] = []
    for raw in raws:
        view = View(raw.address, raw.type, raw.values, raw.region, Linker(index, config, raw.parsed), regions)
        try:
            if raw.type in MAIN:
                cls, mapper = MAIN[raw.type]
                builders[raw.address] = Builder(cls, raw, mapper(view))
                if raw.before is not None and raw.action in ("update", "replace"):
                    before_view = View(raw.address, raw.type, raw.before, raw.region,
                                       Linker(index, config, raw.parsed), regions)
                    builders[raw.address].before = _construct(cls, raw, mapper(before_view), doc)
            if raw.type in ATTACH:
                attachments.extend(ATTACH[raw.type](view))
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            # A resource whose values have a shape this loader does not expect is not
            # guessed at: its kind is reported as not assessed, and the scan goes on.
            builders.pop(raw.address, None)
            kinds = (MAIN[raw.type][0].KIND,) if raw.type in MAIN else ()
            inventory.gaps.append(Gap(kinds, f"could not read {raw.type} values ({type(exc).__name__}: {exc})",
                                      raw.address))
    _apply_attachments(builders, attachments)
    _propagate_nacl_subnets(builders)
    _name_listeners(builders)
    for builder in builders.values():
        for resource in _resources_of(builder, doc):
            inventory.add(resource)
    return inventory


def _raw_resources(doc: PlanDocument, secrets: set[str]) -> Iterator[RawResource]:
    data = doc.data
    seen: set[str] = set()
    if doc.kind == "tfplan":
        changes = data.get("resource_changes") or []
        if not isinstance(changes, list):
            raise InputError(doc.path, "resource_changes is not a list")
        for change in changes:
            if not isinstance(change, dict) or not isinstance(change.get("change"), dict):
                raise InputError(doc.path, f"malformed resource_changes entry {_address_of(change)}")
            if change.get("mode", "managed") != "managed" or change.get("deposed"):
                continue
            address = change.get("address")
            if not isinstance(address, str):
                raise InputError(doc.path, "a resource_changes entry has no address")
            body = change["change"]
            actions = body.get("actions") or []
            action = _ACTIONS.get(tuple(actions)) if isinstance(actions, list) else None
            if action == "delete":
                seen.add(address)  # not in the end state
                continue
            after = fold(body.get("after"), body.get("after_unknown"), body.get("after_sensitive"), secrets)
            before = body.get("before")
            if isinstance(before, dict):
                before = fold(before, None, body.get("before_sensitive"), secrets)
            seen.add(address)
            yield RawResource(address, parse_address(address), str(change.get("type")),
                              after if isinstance(after, dict) else {},
                              before if isinstance(before, dict) else None, action)
        root = (data.get("planned_values") or {}).get("root_module") if isinstance(data.get("planned_values"), dict) else None
    else:
        root = (data.get("values") or {}).get("root_module") if isinstance(data.get("values"), dict) else None
    for resource in _walk_module(root):
        address = resource.get("address")
        if not isinstance(address, str) or address in seen or resource.get("mode", "managed") != "managed":
            continue
        values = fold(resource.get("values"), None, resource.get("sensitive_values"), secrets)
        yield RawResource(address, parse_address(address), str(resource.get("type")),
                          values if isinstance(values, dict) else {}, None,
                          None if doc.kind == "tfplan" else "no-op")


def _walk_module(module: Any) -> Iterator[dict[str, Any]]:
    if not isinstance(module, dict):
        return
    for resource in module.get("resources") or []:
        if isinstance(resource, dict):
            yield resource
    for child in module.get("child_modules") or []:
        yield from _walk_module(child)


def _prior_state(data: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    prior = data.get("prior_state")
    if not isinstance(prior, dict) or not isinstance(prior.get("values"), dict):
        return
    for resource in _walk_module(prior["values"].get("root_module")):
        if isinstance(resource.get("address"), str):
            yield str(resource.get("type")), resource["address"], resource.get("values")


def _address_of(change: Any) -> str:
    if isinstance(change, dict) and isinstance(change.get("address"), str):
        return change["address"]
    return "(no address)"


def _region(raw: RawResource, config: Configuration) -> Any:
    own = raw.values.get("region")  # AWS provider v6 resources carry their own region
    if isinstance(own, str) and own:
        return own
    if raw.parsed is None:
        return Unknown("the resource address could not be parsed")
    return config.region(raw.parsed)


def _apply_attachments(builders: dict[str, Builder], attachments: list[Attachment]) -> None:
    unlinked: list[Attachment] = []
    for attachment in attachments:
        builder = builders.get(attachment.parent) if isinstance(attachment.parent, str) else None
        if builder is None or builder.raw.type not in attachment.parent_types:
            if not isinstance(attachment.parent, str) or attachment.parent not in builders:
                unlinked.append(attachment)
            continue
        builder.fields.update(attachment.set)
        builder.set_by_attachment.update(attachment.set)
        for name, items in attachment.append.items():
            current = builder.fields.get(name, ())
            if not isinstance(current, Unknown):
                builder.fields[name] = tuple(current) + tuple(items)
    # A split resource whose parent cannot be told (its linking id is unknown and its
    # expression names no resource) may configure any parent of its type: those fields
    # become unknown rather than silently default.
    for attachment in unlinked:
        if not isinstance(attachment.parent, Unknown) and attachment.parent is not None:
            continue  # the parent is outside this plan: nothing here to change
        reason = Unknown(f"a separate resource may set this, but its parent cannot be determined"
                         f"{': ' + attachment.parent.reason if isinstance(attachment.parent, Unknown) else ''}")
        for builder in builders.values():
            if builder.raw.type not in attachment.parent_types:
                continue
            for name in [*attachment.set, *attachment.append]:
                if name not in builder.set_by_attachment:
                    builder.fields[name] = reason


def _propagate_nacl_subnets(builders: dict[str, Builder]) -> None:
    """A network ACL's subnet_ids associate those subnets with it."""
    for builder in builders.values():
        if builder.cls is not NetworkAcl:
            continue
        subnets = builder.fields.get("subnets")
        if isinstance(subnets, Unknown):
            continue
        for key in subnets or ():
            subnet = builders.get(key)
            if subnet is not None and subnet.cls is Subnet and subnet.fields.get("network_acl") is None:
                subnet.fields["network_acl"] = builder.raw.address


def _name_listeners(builders: dict[str, Builder]) -> None:
    """A listener is named "<load balancer name>:<port>" in every source, so that the
    same listener has the same name in a plan, a template and an account."""
    for builder in builders.values():
        if builder.cls is not Listener:
            continue
        balancer = builders.get(builder.fields.get("load_balancer"))  # type: ignore[arg-type]
        balancer_name = _name(balancer.raw.values, _tags(balancer.raw)) if balancer else None
        port = builder.fields.get("port")
        if balancer_name and isinstance(port, int):
            builder.fields["name"] = f"{balancer_name}:{port}"


def _resources_of(builder: Builder, doc: PlanDocument) -> Iterator[Resource]:
    fields = dict(builder.fields)
    children = fields.pop("_children", [])
    resource = _construct(builder.cls, builder.raw, fields, doc, builder.before)
    yield resource
    for cls, suffix, child_fields in children:
        yield cls(key=f"{builder.raw.address}.{suffix}", prov=_provenance(builder.raw, doc, f".{suffix}"),
                  region=builder.raw.region, tags=resource.tags, **child_fields)


_COMMON = {"key", "prov", "name", "region", "tags", "before"}


def _construct(cls: type[Resource], raw: RawResource, fields: dict[str, Any], doc: PlanDocument,
               before: Resource | None = None) -> Resource:
    fields = {k: v for k, v in fields.items() if k != "_children"}
    allowed = ({f.name for f in dataclass_fields(cls)} - _COMMON) | {"name"}
    extra = set(fields) - allowed
    if extra:
        raise TypeError(f"{cls.__name__} has no field(s) {', '.join(sorted(extra))}")
    name = fields.pop("name", None)
    tags = _tags(raw)
    return cls(key=raw.address, prov=_provenance(raw, doc), name=name or _name(raw.values, tags),
               region=raw.region, tags=tags, before=before, **fields)


def _provenance(raw: RawResource, doc: PlanDocument, suffix: str = "") -> Provenance:
    return Provenance(source=doc.kind, address=raw.address + suffix, file=doc.path, line=raw.line,
                      region=raw.region if isinstance(raw.region, str) else None, action=raw.action)


def _tags(raw: RawResource) -> Any:
    return View(raw.address, raw.type, raw.values, raw.region, None).tags()  # type: ignore[arg-type]


def _name(values: dict[str, Any], tags: Any) -> str | None:
    """The Name tag, else the resource's own name attribute."""
    if isinstance(tags, dict) and isinstance(tags.get("Name"), str):
        return tags["Name"]
    for attribute in ("name", "bucket", "identifier", "cluster_identifier", "replication_group_id"):
        value = values.get(attribute)
        if isinstance(value, str) and value:
            return value
    return None
