"""Turning the ids, ARNs and names a resource mentions into inventory keys (addresses)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from ...model import Unknown
from .config import Address, Configuration, parse_address

# Attributes, besides id and arn, by which other resources refer to a resource.
NAME_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "aws_vpc": ("main_route_table_id",),  # an aws_route may name a VPC's main table by its id
    "aws_default_vpc": ("main_route_table_id",),
    "aws_instance": ("primary_network_interface_id",),  # an Elastic IP may name the instance's interface
    "aws_s3_bucket": ("bucket",),
    "aws_db_subnet_group": ("name",),
    "aws_elasticache_subnet_group": ("name",),
    "aws_security_group": ("name",),
    "aws_launch_template": ("name",),
    "aws_launch_configuration": ("name",),
    "aws_db_instance": ("identifier",),
    "aws_rds_cluster": ("cluster_identifier",),
    "aws_kms_key": ("key_id",),
    "aws_backup_vault": ("name",),
    "aws_lb": ("name",),
    "aws_alb": ("name",),
    "aws_elb": ("name",),
    "aws_lb_target_group": ("name",),
    "aws_alb_target_group": ("name",),
    "aws_efs_file_system": ("creation_token",),
    "aws_autoscaling_group": ("name",),
    "aws_dynamodb_table": ("name",),
}

Path = str | tuple[str, ...]


class IdIndex:
    """(resource type, id / ARN / name) -> addresses, built once per plan."""

    def __init__(self) -> None:
        self._index: dict[tuple[str, str], list[str]] = {}

    def add(self, rtype: str, address: str, values: Any) -> None:
        if not isinstance(values, dict):
            return
        for attribute in ("id", "arn", *NAME_ATTRIBUTES.get(rtype, ())):
            value = values.get(attribute)
            if isinstance(value, str) and value:
                found = self._index.setdefault((rtype, value), [])
                if address not in found:
                    found.append(address)

    def find(self, types: Iterable[str], value: str, module: str | None = None) -> str | None:
        """The resource with this id, ARN or name; when several share a name (the same
        module instantiated twice), the one in the referring resource's module."""
        for rtype in types:
            hits = self._index.get((rtype, value))
            if hits:
                if len(hits) > 1 and module is not None:
                    for hit in hits:
                        parsed = parse_address(hit)
                        if parsed is not None and parsed.module == module:
                            return hit
                return hits[0]
        return None


def value_at(values: Any, path: Path) -> Any:
    """The value at a path of attribute names, stepping into the first block of lists."""
    steps = (path,) if isinstance(path, str) else path
    current = values
    for step in steps:
        if isinstance(current, Unknown):
            return current
        if isinstance(current, list):
            current = current[0] if current else None
        if not isinstance(current, dict):
            return None
        current = current.get(step)
    return current


@dataclass
class Linker:
    """Resolves references for one resource: known values by the id index, unknown
    values by following the configuration's expression references."""

    index: IdIndex
    config: Configuration
    address: Address | None

    def ref(self, values: Any, path: Path, types: tuple[str, ...]) -> str | None | Unknown:
        value = value_at(values, path)
        if isinstance(value, str):
            if not value:
                return None
            return self.index.find(types, value, self.module) or _outside(value)
        if isinstance(value, Unknown):
            found = self._from_config(path, types)
            if isinstance(found, list):
                if len(found) == 1:
                    return found[0]
                return Unknown(f"{_name(path)} may refer to any of {', '.join(found)}")
            if isinstance(found, Unknown):
                return found
            return Unknown(f"{_name(path)} is {value.reason} and its expression names no resource in the plan")
        return None

    def refs(self, values: Any, path: Path, types: tuple[str, ...]) -> tuple[str, ...] | Unknown:
        value = value_at(values, path)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if isinstance(value, Unknown) or any(isinstance(item, Unknown) for item in value):
            found = self._from_config(path, types)
            known = [self.index.find(types, v, self.module) or _outside(v) for v in ([] if isinstance(value, Unknown) else value)
                     if isinstance(v, str) and v]
            if isinstance(found, list):
                return tuple(dict.fromkeys([*known, *found]))
            if isinstance(found, Unknown):
                return found
            reason = value.reason if isinstance(value, Unknown) else "known after apply"
            return Unknown(f"{_name(path)} is {reason} and its expression names no resource in the plan")
        if not isinstance(value, list):
            return ()
        return tuple(self.index.find(types, v, self.module) or _outside(v) for v in value if isinstance(v, str) and v)

    @property
    def module(self) -> str | None:
        return self.address.module if self.address is not None else None

    def _from_config(self, path: Path, types: tuple[str, ...]) -> list[str] | Unknown | None:
        if self.address is None:
            return None
        steps = (path,) if isinstance(path, str) else path
        return self.config.resolve(self.address, steps, types)


def _outside(value: str) -> str:
    """A reference to something that is not in the plan keeps its raw id or ARN as key."""
    return value


def _name(path: Path) -> str:
    return path if isinstance(path, str) else ".".join(path)
