"""What a per-type mapping function sees of one plan resource."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...model import Unknown
from .config import Address
from .link import Linker, Path, value_at
from .values import block, blocks


@dataclass
class Attachment:
    """A split resource's contribution to its parent (a bucket's encryption, a group's rule).

    ``parent`` is the parent's key, or an Unknown/None when the plan cannot tell
    which parent it belongs to; ``set`` replaces fields, ``append`` extends tuples.
    """

    parent_types: tuple[str, ...]
    parent: str | Unknown | None
    set: dict[str, Any] = field(default_factory=dict)
    append: dict[str, tuple[Any, ...]] = field(default_factory=dict)


@dataclass
class View:
    address: str
    type: str
    values: dict[str, Any]
    region: str | Unknown
    linker: Linker
    regions: dict[str, Any] = field(default_factory=dict)  # address -> region, every resource

    def get(self, name: Path, default: Any = None) -> Any:
        value = value_at(self.values, name)
        return default if value is None else value

    def setting(self, name: str, default: Any) -> Any:
        """An optional argument whose value, when the configuration does not set it,
        is the provider's default even though the plan shows it as computed."""
        value = self.values.get(name)
        if value is None or (isinstance(value, Unknown) and self.configured(name) is False):
            return default
        return value

    def block(self, name: str) -> Any:
        return block(self.values, name)

    def blocks(self, name: str) -> Any:
        return blocks(self.values, name)

    def ref(self, name: Path, *types: str) -> str | Unknown | None:
        return self.linker.ref(self.values, name, types)

    def refs(self, name: Path, *types: str) -> tuple[str, ...] | Unknown:
        return self.linker.refs(self.values, name, types)

    def computed_ref(self, name: str, *types: str) -> str | Unknown | None:
        """A reference the provider computes when the configuration leaves it out (a DB
        instance's subnet group: AWS's default one): None then, not "known after apply"."""
        return None if self._computed_unset(name) else self.ref(name, *types)

    def computed_refs(self, name: str, *types: str) -> tuple[str, ...] | Unknown:
        """The same for a list of references: () when the configuration leaves it out."""
        return () if self._computed_unset(name) else self.refs(name, *types)

    def _computed_unset(self, name: str) -> bool:
        return isinstance(self.values.get(name), Unknown) and self.configured(name) is False

    def ref_in(self, item: Any, path: Path, name: str, *types: str) -> str | Unknown | None:
        """Resolve an attribute of one element of a nested block (a route, a rule).

        The configuration cannot tell blocks of a set apart, so an unknown value is
        resolved only when every block's expression names the same resource.
        """
        value = value_at(item, name)
        if isinstance(value, str):
            return self.linker.ref({name: value}, name, types)
        if isinstance(value, list) and any(isinstance(x, Unknown) for x in value):
            value = next(x for x in value if isinstance(x, Unknown))
        if isinstance(value, Unknown):
            steps = ((path,) if isinstance(path, str) else path) + (name,)
            found = self.linker._from_config(steps, types)
            if isinstance(found, list) and len(found) == 1:
                return found[0]
            if isinstance(found, list) and found:
                return Unknown(f"{name} may refer to any of {', '.join(found)}")
            return found if isinstance(found, Unknown) else value
        return None

    def configured(self, name: str) -> bool | None:
        """Whether the configuration sets this attribute (None: the plan has no configuration)."""
        address = self.linker.address
        if address is None:
            return None
        config = self.linker.config.resource_config(address)
        if config is None:
            return None
        return name in (config.get("expressions") or {})

    def collection(self, name: str) -> Any:
        """A computed list attribute such as a route table's routes or a group's rules.

        Unknown in the plan because Terraform computes it; when the configuration does
        not set it inline, its members come only from separate resources, merged later.
        """
        value = self.values.get(name)
        if isinstance(value, Unknown):
            if self.configured(name) is False:
                return []
            return value
        return value or []

    def tags(self) -> dict[str, str] | Unknown:
        """The tags / tags_all maps, or an auto scaling group's `tag` blocks ({key, value,
        propagate_at_launch}; providers before v5 also took a `tags` list of them)."""
        tags = self.values.get("tags_all")
        if not isinstance(tags, dict):
            tags = self.values.get("tags")
        if isinstance(tags, list) or (tags is None and isinstance(self.values.get("tag"), (list, Unknown))):
            return _tag_blocks(tags if isinstance(tags, list) else self.values.get("tag"))
        if isinstance(tags, Unknown):
            return tags
        if not isinstance(tags, dict):
            return {}
        # A tag whose value is known after apply (or sensitive) stays, as an Unknown: the
        # resource has the tag, and what it says cannot be known.
        return {str(k): v for k, v in tags.items() if isinstance(v, (str, Unknown))}


def _tag_blocks(entries: list[Any] | Unknown) -> dict[str, Any] | Unknown:
    if isinstance(entries, Unknown):
        return entries
    found: dict[str, Any] = {}
    for entry in entries:
        if isinstance(entry, Unknown):
            return entry  # a block whose key may be anything
        key = entry.get("key") if isinstance(entry, dict) else None
        if isinstance(key, Unknown):
            return Unknown(f"a tag's key is unknown: {key.reason}")
        if isinstance(key, str) and isinstance(entry.get("value"), (str, Unknown)):
            found[key] = entry["value"]
    return found


def address_type(address: Any) -> str | None:
    """The resource type of an address ("module.a.aws_vpc.main" -> "aws_vpc")."""
    if not isinstance(address, str):
        return None
    from .config import parse_address

    parsed = parse_address(address)
    return parsed.type if parsed else None


__all__ = ["Address", "Attachment", "View", "address_type"]
