"""Intrinsic functions, resolved for one stack in one scenario.

What CloudFormation decides before it creates anything (parameters, mappings,
conditions, Select, Split, Join, Sub, Cidr...) is computed. What it learns only while
creating resources (ids, ARNs) becomes a ``Pending`` that remembers which resources it
names. What stackproof cannot know (an import, an account id, a region not given)
becomes an ``Unknown`` with the reason.
"""
from __future__ import annotations

import base64
import ipaddress
import itertools
import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable

from ...model import Unknown
from .template import PSEUDO_PARAMETERS, SUB_VARIABLE, Template
from .values import NO_VALUE, AzList, Pending, Target, Zone, combine_unknowns, pending

# GetAtt attributes that only echo a property the template sets.
ECHOED_ATTRIBUTES = {
    ("AWS::EC2::VPC", "CidrBlock"): "CidrBlock",
    ("AWS::EC2::Subnet", "AvailabilityZone"): "AvailabilityZone",
    ("AWS::EC2::Subnet", "CidrBlock"): "CidrBlock",
    ("AWS::RDS::DBInstance", "Endpoint.Port"): "Port",
    ("AWS::S3::Bucket", "BucketName"): "BucketName",
}


class Other(Unknown):
    """A parameter's value in a scenario where it differs from every value the
    template's conditions compare it with (used only to decide conditions)."""

    def __init__(self, name: str) -> None:
        super().__init__(f"{name} has a value other than those the template's conditions compare it with")
        self.name = name


@dataclass
class Scope:
    """What names mean inside one stack in one scenario."""

    template: Template
    prefix: str  # key prefix of this stack's resources: "" at the top, "Network/" in a nested stack
    params: dict[str, Any]
    pseudo: dict[str, Any]
    conditions: dict[str, bool | None] = field(default_factory=dict)
    undecided: dict[str, str] = field(default_factory=dict)  # condition -> why it cannot be decided
    # (nested stack logical id, output name) -> value, for GetAtt Child.Outputs.Name
    outputs: Callable[[str, str], Any] | None = None

    def key(self, logical_id: str) -> str:
        return self.prefix + logical_id


class Resolver:
    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.template = scope.template

    def resolve(self, value: Any) -> Any:
        if isinstance(value, dict):
            if len(value) == 1:
                name = next(iter(value))
                handler = _FUNCTIONS.get(name) if isinstance(name, str) else None
                if handler is not None:
                    return handler(self, value[name])
                if isinstance(name, str) and name.startswith("Fn::"):
                    return Unknown(f"{name} is not a function stackproof evaluates")
            resolved = {}
            for key, item in value.items():
                item = self.resolve(item)
                if item is not NO_VALUE:
                    resolved[str(key)] = item
            return resolved
        if isinstance(value, list):
            return [item for item in map(self.resolve, value) if item is not NO_VALUE]
        if isinstance(value, str):
            if "{{resolve:" in value:
                service = value.split("{{resolve:", 1)[1].split(":", 1)[0]
                return Unknown(f"a dynamic reference ({{{{resolve:{service}:...}}}}) resolved at deploy time")
            return str(value)
        if isinstance(value, bool):
            return bool(value)
        if isinstance(value, int):
            return int(value)
        if isinstance(value, float):
            return float(value)
        return value

    # -- Ref and GetAtt --------------------------------------------------------------

    def ref(self, name: Any) -> Any:
        if not isinstance(name, str):
            return Unknown("Ref needs a name")
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.scope.params:
            return self.scope.params[name]
        if name in PSEUDO_PARAMETERS:
            return self.scope.pseudo.get(name, Unknown(f"{name} is not known"))
        decl = self.template.resources.get(name)
        if decl is not None:
            return pending((Target(self.scope.key(name), decl.type, "Ref"),), f"the id of {name}")
        return Unknown(f"Ref to {name}, which the template does not declare")

    def get_att(self, arg: Any) -> Any:
        if isinstance(arg, str):
            arg = arg.split(".", 1)
        if not isinstance(arg, list) or len(arg) != 2:
            return Unknown("Fn::GetAtt needs a resource and an attribute")
        name, attribute = arg[0], self.resolve(arg[1])
        if not isinstance(name, str) or not isinstance(attribute, str):
            return attribute if isinstance(attribute, Unknown) else Unknown("Fn::GetAtt needs names")
        decl = self.template.resources.get(name)
        if decl is None:
            return Unknown(f"Fn::GetAtt on {name}, which the template does not declare")
        if attribute.startswith("Outputs.") and self.scope.outputs is not None:
            return self.scope.outputs(name, attribute[len("Outputs."):])
        echoed = ECHOED_ATTRIBUTES.get((decl.type, attribute))
        if echoed is not None and echoed in decl.properties:
            return self.resolve(decl.properties[echoed])
        return pending((Target(self.scope.key(name), decl.type, attribute),), f"{name}.{attribute}")

    # -- strings and lists -----------------------------------------------------------

    def sub(self, arg: Any) -> Any:
        if isinstance(arg, list) and arg:
            text, variables = arg[0], (arg[1] if len(arg) > 1 else {})
        else:
            text, variables = arg, {}
        if not isinstance(text, str) or not isinstance(variables, dict):
            return Unknown("Fn::Sub needs a string and a map of variables")
        parts: list[Any] = []
        position = 0
        for match in SUB_VARIABLE.finditer(text):
            parts.append(text[position:match.start()])
            position = match.end()
            name = match.group(1).strip()
            if name.startswith("!"):
                parts.append("${" + match.group(1)[1:] + "}")
            elif name in variables:
                parts.append(self.resolve(variables[name]))
            elif "." in name and name not in PSEUDO_PARAMETERS:
                parts.append(self.get_att(name.split(".", 1)))
            else:
                parts.append(self.ref(name))
        parts.append(text[position:])
        return self._concatenate(parts, "Fn::Sub")

    def join(self, arg: Any) -> Any:
        if not isinstance(arg, list) or len(arg) != 2:
            return Unknown("Fn::Join needs a delimiter and a list")
        delimiter, values = self.resolve(arg[0]), self.resolve(arg[1])
        if isinstance(delimiter, Unknown):
            return delimiter
        if isinstance(values, Unknown):
            return values
        if not isinstance(values, list) or not isinstance(delimiter, str):
            return Unknown("Fn::Join needs a delimiter and a list")
        parts: list[Any] = []
        for index, value in enumerate(values):
            if index:
                parts.append(delimiter)
            parts.append(value)
        return self._concatenate(parts, "Fn::Join")

    def _concatenate(self, parts: list[Any], function: str) -> Any:
        missing = combine_unknowns(parts, f"a string ({function})")
        if missing is not None:
            return missing
        texts = []
        for part in parts:
            if part is NO_VALUE:
                continue
            if isinstance(part, bool):
                part = "true" if part else "false"
            if isinstance(part, (int, float)):
                part = str(part)
            if not isinstance(part, str):
                return Unknown(f"{function} of a {type(part).__name__}, which is not a string")
            texts.append(part)
        return "".join(texts)

    def select(self, arg: Any) -> Any:
        if not isinstance(arg, list) or len(arg) != 2:
            return Unknown("Fn::Select needs an index and a list")
        index, values = self.resolve(arg[0]), self.resolve(arg[1])
        if isinstance(index, Unknown):
            return index
        try:
            position = int(index)
        except (TypeError, ValueError):
            return Unknown(f"Fn::Select index {index!r} is not a number")
        if isinstance(values, AzList) and position >= 0:
            return Zone(values.region, position)  # distinct zones, unnamed until deploy
        if isinstance(values, Unknown):
            return values
        if not isinstance(values, list):
            return Unknown("Fn::Select needs a list")
        if not 0 <= position < len(values):
            return Unknown(f"Fn::Select index {position} is outside a list of {len(values)}")
        return values[position]

    def split(self, arg: Any) -> Any:
        if not isinstance(arg, list) or len(arg) != 2:
            return Unknown("Fn::Split needs a delimiter and a string")
        delimiter, text = self.resolve(arg[0]), self.resolve(arg[1])
        if isinstance(delimiter, Unknown):
            return delimiter
        if isinstance(text, Unknown):
            return text
        if not isinstance(delimiter, str) or not isinstance(text, str):
            return Unknown("Fn::Split needs a delimiter and a string")
        return text.split(delimiter)

    def get_azs(self, arg: Any) -> Any:
        region = self.resolve(arg)
        if region in ("", None):
            region = self.scope.pseudo.get("AWS::Region")
        return AzList(region)

    def find_in_map(self, arg: Any) -> Any:
        if not isinstance(arg, list) or len(arg) not in (3, 4):
            return Unknown("Fn::FindInMap needs a map and two keys")
        default = NO_VALUE
        if len(arg) == 4 and isinstance(arg[3], dict) and "DefaultValue" in arg[3]:
            default = self.resolve(arg[3]["DefaultValue"])
        name, first, second = (self.resolve(item) for item in arg[:3])
        mapping = self.template.mappings.get(name) if isinstance(name, str) else None
        if not isinstance(mapping, dict):
            return Unknown(f"mapping {name!r} is not defined") if default is NO_VALUE else default
        return self._lookup(mapping, [first, second], f"mapping {name}", default)

    def _lookup(self, level: Any, keys: list[Any], where: str, default: Any) -> Any:
        if not keys:
            return self.resolve(level)
        key, rest = keys[0], keys[1:]
        if isinstance(key, Unknown):
            # Every entry may be the one: known only if they all agree.
            if not isinstance(level, dict) or not level:
                return key
            found = [self._lookup(entry, rest, where, default) for entry in level.values()]
            if all(not isinstance(f, Unknown) for f in found) and all(f == found[0] for f in found):
                return found[0]
            return Unknown(f"a value of {where} that depends on {key.reason}")
        if not isinstance(level, dict):
            return Unknown(f"{where} is not a map at key {key}")
        if isinstance(key, (int, float, bool)):
            key = str(key).lower() if isinstance(key, bool) else str(key)
        for candidate, entry in level.items():
            if str(candidate) == key:
                return self._lookup(entry, rest, where, default)
        if default is not NO_VALUE:
            return default
        return Unknown(f"{where} has no entry {key!r}")

    def if_(self, arg: Any) -> Any:
        if not isinstance(arg, list) or len(arg) != 3 or not isinstance(arg[0], str):
            return Unknown("Fn::If needs a condition and two values")
        decided = self.scope.conditions.get(arg[0])
        if decided is True:
            return self.resolve(arg[1])
        if decided is False:
            return self.resolve(arg[2])
        when_true, when_false = self.resolve(arg[1]), self.resolve(arg[2])
        if not _has_unknown(when_true) and when_true == when_false:
            return when_true
        if isinstance(when_true, Pending) and isinstance(when_false, Pending):
            return pending(when_true.targets + when_false.targets, f"one of two values (condition {arg[0]})")
        why = self.scope.undecided.get(arg[0], "not from the parameters given")
        return Unknown(f"depends on condition {arg[0]}, which cannot be decided: {why}")

    def import_value(self, arg: Any) -> Any:
        name = self.resolve(arg)
        label = name if isinstance(name, str) else "an export"
        return Unknown(f"imported from another stack's export {label} (Fn::ImportValue)")

    def base64(self, arg: Any) -> Any:
        value = self.resolve(arg)
        if isinstance(value, str):
            return base64.b64encode(value.encode("utf-8")).decode("ascii")
        return value if isinstance(value, Unknown) else Unknown("Fn::Base64 needs a string")

    def cidr(self, arg: Any) -> Any:
        if not isinstance(arg, list) or len(arg) != 3:
            return Unknown("Fn::Cidr needs a block, a count and a size")
        block, count, bits = (self.resolve(item) for item in arg)
        for value in (block, count, bits):
            if isinstance(value, Unknown):
                return value
        try:
            return list(_cidr(str(block), int(count), int(bits)))
        except (ValueError, TypeError) as exc:
            return Unknown(f"Fn::Cidr cannot split {block!r}: {exc}")

    def length(self, arg: Any) -> Any:
        value = self.resolve(arg)
        if isinstance(value, list):
            return len(value)
        return value if isinstance(value, Unknown) else Unknown("Fn::Length needs a list")

    def to_json_string(self, arg: Any) -> Any:
        value = self.resolve(arg)
        unknown = _first_unknown(value)
        if unknown is not None:
            return unknown
        return json.dumps(value, separators=(",", ":"))

    def transform(self, arg: Any) -> Any:
        name = arg.get("Name") if isinstance(arg, dict) else None
        return Unknown(f"produced by the macro {name or '(unnamed)'} (Fn::Transform), which stackproof cannot run")


@lru_cache(maxsize=256)
def _cidr(block: str, count: int, bits: int) -> tuple[str, ...]:
    """Fn::Cidr: the first ``count`` blocks of ``bits`` host bits (templates repeat them)."""
    network = ipaddress.ip_network(block, strict=False)
    return tuple(str(subnet) for subnet in itertools.islice(network.subnets(new_prefix=network.max_prefixlen - bits),
                                                            count))


def _has_unknown(value: Any) -> bool:
    return _first_unknown(value) is not None


def _first_unknown(value: Any) -> Unknown | None:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Unknown):
            return item
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


_FUNCTIONS: dict[str, Callable[[Resolver, Any], Any]] = {
    "Ref": Resolver.ref,
    "Fn::GetAtt": Resolver.get_att,
    "Fn::Sub": Resolver.sub,
    "Fn::Join": Resolver.join,
    "Fn::Select": Resolver.select,
    "Fn::Split": Resolver.split,
    "Fn::GetAZs": Resolver.get_azs,
    "Fn::FindInMap": Resolver.find_in_map,
    "Fn::If": Resolver.if_,
    "Fn::ImportValue": Resolver.import_value,
    "Fn::Base64": Resolver.base64,
    "Fn::Cidr": Resolver.cidr,
    "Fn::Length": Resolver.length,
    "Fn::ToJsonString": Resolver.to_json_string,
    "Fn::Transform": Resolver.transform,
}

__all__ = ["Other", "Pending", "Resolver", "Scope"]
