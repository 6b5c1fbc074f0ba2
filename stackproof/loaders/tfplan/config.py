"""The plan's `configuration`: expression references and provider regions.

At plan time most linking ids (vpc_id, subnet_id, bucket) are "known after apply".
The configuration still says which resource an expression refers to
(``"references": ["aws_vpc.main.id", "aws_vpc.main"]``); this module follows those
references, through module inputs and outputs, to resource instance addresses.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

from ...model import Unknown

_INDEX = r'\[(?:"(?:[^"\\]|\\.)*"|[0-9]+)\]'
_MODULE = re.compile(r'module\.([A-Za-z0-9_-]+)(' + _INDEX + r')?\.')
_RESOURCE = re.compile(r'(data\.)?([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)(' + _INDEX + r')?$')
_REF_RESOURCE = re.compile(r'([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)(' + _INDEX + r')?')


@dataclass(frozen=True)
class Address:
    module: str  # module instance path: "" or "module.a[0].module.b"
    module_config: str  # the same without instance keys: "module.a.module.b"
    mode: str  # managed | data
    type: str
    name: str
    index: str | None  # '0', '"key"' or None

    @property
    def resource(self) -> str:
        """type.name, the resource's address inside its module's configuration."""
        return f"{self.type}.{self.name}"


def parse_address(address: str) -> Address | None:
    pos, modules, configs = 0, [], []
    while True:
        match = _MODULE.match(address, pos)
        if not match:
            break
        modules.append(address[match.start():match.end() - 1])
        configs.append(f"module.{match.group(1)}")
        pos = match.end()
    match = _RESOURCE.match(address, pos)
    if not match:
        return None
    index = match.group(4)[1:-1] if match.group(4) else None
    return Address(".".join(modules), ".".join(configs), "data" if match.group(1) else "managed",
                   match.group(2), match.group(3), index)


def _parent_module(module: str) -> tuple[str, str, str | None] | None:
    """Split "module.a[0].module.b" into ("module.a[0]", "b", None)."""
    if not module:
        return None
    last = module.rfind("module.")
    head = module[:last].rstrip(".")
    tail = module[last + len("module."):]
    name, _, rest = tail.partition("[")
    return head, name, ("[" + rest) if rest else None


class Configuration:
    """Index over `configuration` plus the instance addresses the plan contains."""

    def __init__(self, data: dict[str, Any], addresses: Iterable[str], variables: dict[str, Any]) -> None:
        config = data.get("configuration") if isinstance(data.get("configuration"), dict) else {}
        self.provider_config: dict[str, Any] = config.get("provider_config") or {}
        self.variables = variables
        self.modules: dict[str, dict[str, Any]] = {}
        self.resources: dict[tuple[str, str], dict[str, Any]] = {}
        self._index_module("", config.get("root_module") or {})
        # (module instance, type.name) -> {index or None: address}
        self.instances: dict[tuple[str, str], dict[str | None, str]] = {}
        self.child_modules: dict[str, set[str]] = {}
        for address in addresses:
            parsed = parse_address(address)
            if parsed is None or parsed.mode != "managed":
                continue
            self.instances.setdefault((parsed.module, parsed.resource), {})[parsed.index] = address
            module = parsed.module
            while module:
                parent = _parent_module(module)
                if parent is None:
                    break
                self.child_modules.setdefault(parent[0], set()).add(module)
                module = parent[0]

    def _index_module(self, path: str, module: dict[str, Any]) -> None:
        self.modules[path] = module
        for resource in module.get("resources") or []:
            if isinstance(resource, dict) and resource.get("mode", "managed") == "managed":
                self.resources[(path, f"{resource.get('type')}.{resource.get('name')}")] = resource
        for name, call in (module.get("module_calls") or {}).items():
            child = call.get("module") if isinstance(call, dict) else None
            if isinstance(child, dict):
                self._index_module(f"{path}.module.{name}".lstrip("."), child)

    def resource_config(self, address: Address) -> dict[str, Any] | None:
        return self.resources.get((address.module_config, address.resource))

    # -- references -------------------------------------------------------------

    def references(self, address: Address, path: Iterable[str]) -> list[str] | None:
        """The raw references of the expression at ``path`` (None: no expression there)."""
        config = self.resource_config(address)
        if config is None:
            return None
        nodes: list[Any] = [config.get("expressions") or {}]
        for step in path:
            nxt: list[Any] = []
            for node in nodes:
                if isinstance(node, list):
                    node_items = node
                else:
                    node_items = [node]
                for item in node_items:
                    if isinstance(item, dict) and step in item:
                        nxt.append(item[step])
            nodes = [n for node in nxt for n in (node if isinstance(node, list) else [node])]
        refs: list[str] = []
        found = False
        for node in nodes:
            if isinstance(node, dict) and ("references" in node or "constant_value" in node):
                found = True
                refs.extend(node.get("references") or [])
        return refs if found else None

    def resolve(self, address: Address, path: Iterable[str], types: tuple[str, ...] = ()) -> list[str] | Unknown | None:
        """Addresses the expression at ``path`` refers to, keeping those of ``types``.

        None when there is no expression or it refers to no resource (a constant);
        an Unknown when a reference cannot be followed (a local value, say).
        """
        refs = self.references(address, path)
        if refs is None:
            return None
        return self._resolve_refs(refs, address.module, address.index, types, depth=0)

    def _resolve_refs(self, refs: list[str], module: str, index: str | None, types: tuple[str, ...],
                      depth: int) -> list[str] | Unknown | None:
        if depth > 8:
            return Unknown("reference chain too deep to follow")
        found: list[str] = []
        blocked: Unknown | None = None
        seen: set[str] = set()
        # X[count.index] is written as references ["X", "count.index"]; a splat X[*] as ["X"].
        indexed = any(ref.startswith(("count.index", "each.")) for ref in refs)
        # Terraform lists every prefix of a traversal (X[0].id, X[0], X): the bare X then
        # stands for the indexed instance, not for all of X's instances.
        pinned = {f"{m.group(1)}.{m.group(2)}" for m in map(_REF_RESOURCE.match, refs) if m and m.group(3)}
        for ref in refs:
            head = ref.split(".", 1)[0]
            if head in ("count", "each", "path", "terraform", "self", "data"):
                continue
            if ref in pinned:
                continue
            if head == "local":
                blocked = Unknown(f"the value comes from {ref}, which a plan does not record")
                continue
            if head == "var":
                result = self._through_variable(ref, module, types, depth)
            elif head == "module":
                result = self._through_output(ref, module, types, depth)
            else:
                result = self._resource_ref(ref, module, index if indexed else None, types)
            if isinstance(result, Unknown):
                blocked = result
            elif result:
                for item in result:
                    if item not in seen:
                        seen.add(item)
                        found.append(item)
        if found:
            return found
        return blocked

    def _resource_ref(self, ref: str, module: str, index: str | None, types: tuple[str, ...]) -> list[str] | None:
        match = _REF_RESOURCE.match(ref)
        if not match:
            return None
        rtype, name = match.group(1), match.group(2)
        if types and rtype not in types:
            return None
        instances = self.instances.get((module, f"{rtype}.{name}"))
        if not instances:
            return None
        if match.group(3):
            wanted = match.group(3)[1:-1]
            return [instances[wanted]] if wanted in instances else None
        if len(instances) == 1:
            return list(instances.values())
        if index is not None and index in instances:
            return [instances[index]]  # the count.index / each.key pattern
        return sorted(instances.values())  # a splat, or an index this plan cannot tell

    def _through_variable(self, ref: str, module: str, types: tuple[str, ...], depth: int) -> list[str] | Unknown | None:
        parent = _parent_module(module)
        if parent is None:
            return None  # a root variable holds a value, not a resource
        parent_module, call_name, call_index = parent
        parent_config = _strip_indexes(parent_module)
        variable = ref.split(".")[1]
        call = (self.modules.get(parent_config) or {}).get("module_calls", {}).get(call_name) or {}
        expression = (call.get("expressions") or {}).get(variable)
        if not isinstance(expression, dict):
            return None
        index = call_index[1:-1] if call_index else None
        return self._resolve_refs(expression.get("references") or [], parent_module, index, types, depth + 1)

    def _through_output(self, ref: str, module: str, types: tuple[str, ...], depth: int) -> list[str] | Unknown | None:
        parts = ref.split(".")
        if len(parts) < 3:
            return None
        call_name = parts[1].split("[")[0]
        output = parts[2]
        child_config = f"{_strip_indexes(module)}.module.{call_name}".lstrip(".")
        child = self.modules.get(child_config) or {}
        expression = ((child.get("outputs") or {}).get(output) or {}).get("expression")
        if not isinstance(expression, dict):
            return None
        prefix = f"{module}.module.{call_name}".lstrip(".")
        children = [m for m in self.child_modules.get(module, set())
                    if m == prefix or m.startswith(prefix + "[")] or [prefix]
        found: list[str] = []
        blocked: Unknown | None = None
        for child_module in sorted(children):
            result = self._resolve_refs(expression.get("references") or [], child_module, None, types, depth + 1)
            if isinstance(result, Unknown):
                blocked = result
            elif result:
                found.extend(result)
        return found or blocked

    # -- provider regions ----------------------------------------------------------

    def region(self, address: Address) -> str | Unknown:
        config = self.resource_config(address)
        key = (config or {}).get("provider_config_key") or "aws"
        provider = self._provider(key)
        if provider is None:
            return Unknown("no provider configuration for this resource in the plan")
        expression = (provider.get("expressions") or {}).get("region")
        if not isinstance(expression, dict):
            return Unknown(f"provider {key!r} sets no region (it comes from the environment at apply time)")
        if isinstance(expression.get("constant_value"), str):
            return expression["constant_value"]
        for ref in expression.get("references") or []:
            if ref.startswith("var.") and not provider.get("module_address"):
                value = (self.variables.get(ref.split(".")[1]) or {}).get("value")
                if isinstance(value, str):
                    return value
        return Unknown(f"the region of provider {key!r} is computed at apply time")

    def _provider(self, key: str) -> dict[str, Any] | None:
        while True:
            provider = self.provider_config.get(key)
            if isinstance(provider, dict):
                return provider
            if ":" not in key:
                return None
            module, _, local = key.rpartition(":")
            # "module.a.module.b:aws" inherits from "module.a:aws", then "aws"; the old
            # form "b:aws" names only the module, so go straight to the root provider.
            if module.startswith("module.") and ".module." in module:
                key = f"{module[:module.rfind('.module.')]}:{local}"
            else:
                key = local


def _strip_indexes(module: str) -> str:
    return re.sub(_INDEX, "", module)
