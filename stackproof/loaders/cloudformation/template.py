"""One decoded template: its sections, checked the way CloudFormation checks them.

A template CloudFormation would refuse (an unknown resource type, a Ref to nothing, a
circular dependency) is refused here too, with the file and line of the culprit.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

from ...errors import InputError
from .decode import key_line, line_of
from .values import is_function

PSEUDO_PARAMETERS = frozenset({
    "AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition", "AWS::Region",
    "AWS::StackId", "AWS::StackName", "AWS::URLSuffix",
})
SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")
NESTED_STACK = "AWS::CloudFormation::Stack"
STACK_SET = "AWS::CloudFormation::StackSet"
SAM = "AWS::Serverless-2016-10-31"
# The intrinsic functions CloudFormation knows (Fn::ForEach::<name> aside); any other
# Fn:: key in a one-key mapping is refused, as CloudFormation refuses it.
FUNCTIONS = frozenset({
    "Fn::And", "Fn::Base64", "Fn::Cidr", "Fn::Contains", "Fn::EachMemberEquals", "Fn::EachMemberIn", "Fn::Equals",
    "Fn::FindInMap", "Fn::GetAtt", "Fn::GetAZs", "Fn::GetStackOutput", "Fn::If", "Fn::ImportValue", "Fn::Join",
    "Fn::Length", "Fn::Not", "Fn::Or", "Fn::RefAll", "Fn::Select", "Fn::Split", "Fn::Sub", "Fn::ToJsonString",
    "Fn::Transform", "Fn::ValueOf", "Fn::ValueOfAll",
})
LANGUAGE_EXTENSIONS = "AWS::LanguageExtensions"


@dataclass
class Decl:
    """One resource as the template declares it (values not yet resolved)."""

    logical_id: str
    type: str
    properties: dict[str, Any]
    condition: str | None
    line: int | None
    body: dict[str, Any]

    @property
    def refs(self) -> list["Reference"]:
        """Every reference its properties make (computed once: templates can be large)."""
        found = self.__dict__.get("_refs")
        if found is None:
            found = self.__dict__["_refs"] = list(references(self.properties))
        return found


@dataclass
class Template:
    path: str
    data: dict[str, Any]
    parameters: dict[str, dict[str, Any]] = field(default_factory=dict)
    mappings: dict[str, Any] = field(default_factory=dict)
    conditions: dict[str, Any] = field(default_factory=dict)
    resources: dict[str, Decl] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    transforms: list[str] = field(default_factory=list)

    def line(self, node: Any) -> int | None:
        return line_of(node)


def read_template(path: str, data: dict[str, Any]) -> Template:
    """The sections of a decoded template, with the shape of each checked."""
    template = Template(path, data)
    template.transforms = _transforms(data.get("Transform"))
    for section in ("Parameters", "Mappings", "Conditions", "Outputs"):
        value = data.get(section)
        if value is not None and not isinstance(value, dict):
            line = line_of(value) or key_line(data, section)
            raise InputError(path, f"the {section} section is not a mapping", line)
    template.parameters = {str(k): v if isinstance(v, dict) else {} for k, v in (data.get("Parameters") or {}).items()}
    template.mappings = dict(data.get("Mappings") or {})
    template.conditions = dict(data.get("Conditions") or {})
    template.outputs = dict(data.get("Outputs") or {})
    resources = data.get("Resources")
    if not isinstance(resources, dict):
        raise InputError(path, "the Resources section is not a mapping", key_line(data, "Resources"))
    for logical_id, body in resources.items():
        if isinstance(logical_id, str) and logical_id.startswith("Fn::ForEach::"):
            continue  # a loop of the language extensions, expanded (or reported) by transforms.py
        line = line_of(logical_id) or line_of(body)
        if not isinstance(body, dict):
            raise InputError(path, f"resource {logical_id} is not a mapping", line)
        rtype = body.get("Type")
        if not isinstance(rtype, str) or not rtype:
            raise InputError(path, f"resource {logical_id} has no Type", line)
        properties = body.get("Properties")
        if properties is None:
            properties = {}
        if not isinstance(properties, dict):
            raise InputError(path, f"the Properties of {logical_id} are not a mapping", line_of(properties) or line)
        condition = body.get("Condition")
        if condition is not None and not isinstance(condition, str):
            raise InputError(path, f"the Condition of {logical_id} is not a condition name", line)
        template.resources[str(logical_id)] = Decl(str(logical_id), str(rtype), properties, condition, line, body)
    return template


def _transforms(value: Any) -> list[str]:
    found = []
    for item in value if isinstance(value, list) else ([] if value is None else [value]):
        if isinstance(item, str):
            found.append(str(item))
        elif isinstance(item, dict) and isinstance(item.get("Name"), str):
            found.append(str(item["Name"]))
        else:
            found.append(repr(item))
    return found


# -- references ------------------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    kind: str  # ref | getatt | condition | mapping | function (one CloudFormation does not have)
    target: str
    node: Any  # for the line


def references(value: Any) -> Iterator[Reference]:
    """Every Ref, GetAtt, Sub variable, condition and mapping name an expression uses."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        if is_function(node):
            name, arg = next(iter(node.items()))
            yield from _function_references(name, arg, node)
            stack.extend(_function_arguments(name, arg))
            continue
        stack.extend(node.values())


def _function_references(name: str, arg: Any, node: Any) -> Iterator[Reference]:
    if name.startswith("Fn::") and name not in FUNCTIONS and not name.startswith("Fn::ForEach::"):
        yield Reference("function", name, node)
    elif name == "Ref" and isinstance(arg, str):
        yield Reference("ref", arg, node)
    elif name == "Fn::GetAtt":
        target = arg.split(".", 1)[0] if isinstance(arg, str) else (arg[0] if isinstance(arg, list) and arg else None)
        if isinstance(target, str):
            yield Reference("getatt", target, node)
    elif name == "Fn::Sub":
        text, variables = (arg[0], arg[1] if len(arg) > 1 else {}) if isinstance(arg, list) and arg else (arg, {})
        if isinstance(text, str):
            local = set(variables) if isinstance(variables, dict) else set()
            for match in SUB_VARIABLE.finditer(text):
                variable = match.group(1).strip()
                if variable.startswith("!") or variable in local:
                    continue
                head = variable if variable in PSEUDO_PARAMETERS else variable.split(".", 1)[0]
                kind = "getatt" if "." in variable and variable not in PSEUDO_PARAMETERS else "ref"
                yield Reference(kind, head, node)
    elif name in ("Fn::If",) and isinstance(arg, list) and arg and isinstance(arg[0], str):
        yield Reference("condition", arg[0], node)
    elif name == "Condition" and isinstance(arg, str):
        yield Reference("condition", arg, node)
    elif name == "Fn::FindInMap" and isinstance(arg, list) and arg and isinstance(arg[0], str):
        yield Reference("mapping", arg[0], node)


def _function_arguments(name: str, arg: Any) -> list[Any]:
    if name == "Fn::Sub" and isinstance(arg, list) and len(arg) > 1:
        return [arg[1]]
    if name in ("Ref", "Fn::Sub", "Condition"):
        return []
    return [arg]


def check_references(template: Template) -> None:
    """Refuse a template whose expressions name things it does not declare, or whose
    resources depend on each other in a circle: CloudFormation refuses both. Of several
    problems, the one on the earliest line is reported."""
    names = set(template.parameters) | set(template.resources) | PSEUDO_PARAMETERS
    problems: list[tuple[int, str]] = []

    def check(expression: Any, scope: str) -> None:
        for ref in references(expression):
            message = _problem(ref, template, names, scope)
            if message:
                problems.append((line_of(ref.node) or 0, message))

    for name, expression in template.conditions.items():
        check(expression, f"condition {name}")
    for decl in template.resources.values():
        scope = f"resource {decl.logical_id}"
        if decl.condition is not None and decl.condition not in template.conditions:
            problems.append((key_line(decl.body, "Condition") or decl.line or 0,
                             f"{scope} has Condition {decl.condition}, which the template does not define"))
        for ref in decl.refs:
            message = _problem(ref, template, names, scope)
            if message:
                problems.append((line_of(ref.node) or 0, message))
        for dependency in _depends_on(decl):
            if dependency not in template.resources:
                problems.append((line_of(dependency) or decl.line or 0,
                                 f"{scope} DependsOn {dependency}, which is not a resource of the template"))
    for name, output in template.outputs.items():
        check(output, f"output {name}")
    if problems:
        line, message = min(problems, key=lambda p: p[0] or float("inf"))
        raise InputError(template.path, message, line or None)
    _check_cycles(template)


def _problem(ref: Reference, template: Template, names: set[str], scope: str) -> str | None:
    if ref.kind == "ref" and ref.target not in names:
        return f"{scope} refers to {ref.target}, which is neither a parameter nor a resource"
    if ref.kind == "getatt" and ref.target not in template.resources:
        return f"{scope} uses Fn::GetAtt on {ref.target}, which is not a resource of the template"
    if ref.kind == "condition" and ref.target not in template.conditions:
        return f"{scope} uses condition {ref.target}, which the template does not define"
    if ref.kind == "mapping" and ref.target not in template.mappings:
        return f"{scope} uses mapping {ref.target}, which the template does not define"
    if ref.kind == "function":
        tag = ref.target[len("Fn::"):]
        return f"{scope} uses {ref.target} (or the tag !{tag}), which is not a CloudFormation function"
    return None


def _depends_on(decl: Decl) -> list[str]:
    value = decl.body.get("DependsOn")
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def dependencies(template: Template, decl: Decl) -> set[str]:
    """The resources one resource needs before it can be created."""
    found = {ref.target for ref in decl.refs if ref.kind in ("ref", "getatt") and ref.target in template.resources}
    found.update(d for d in _depends_on(decl) if d in template.resources)
    return found


def _check_cycles(template: Template) -> None:
    graph = {logical_id: dependencies(template, decl) for logical_id, decl in template.resources.items()}
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in graph:
        if state.get(start):
            continue
        path = [start]
        iterators = [iter(sorted(graph[start]))]
        state[start] = 1
        while iterators:
            step = next(iterators[-1], None)
            if step is None:
                state[path.pop()] = 2
                iterators.pop()
                continue
            if state.get(step) == 1:
                cycle = path[path.index(step):] + [step]
                decl = template.resources[cycle[0]]
                raise InputError(template.path, f"circular dependency between resources: {' -> '.join(cycle)}",
                                 decl.line)
            if not state.get(step):
                state[step] = 1
                path.append(step)
                iterators.append(iter(sorted(graph[step])))


# -- resource types ----------------------------------------------------------------------


def check_types(template: Template, known: frozenset[str], region: str | None) -> None:
    """Refuse AWS types that CloudFormation does not have (per cfn-lint's resource schemas)."""
    unknown_types: dict[str, Decl] = {}
    for decl in template.resources.values():
        if decl.type not in known and decl.type not in unknown_types:
            unknown_types[decl.type] = decl
    for rtype, decl in unknown_types.items():
        if not _type_exists(rtype, region):
            raise InputError(template.path, f"resource {decl.logical_id} has unknown resource type {rtype}", decl.line)


def _type_exists(rtype: str, region: str | None) -> bool:
    if rtype.startswith("Custom::") or rtype.startswith("AWS::Serverless::") or rtype.endswith("::MODULE"):
        return True
    parts = rtype.split("::")
    if len(parts) != 3 or not all(parts):
        return False
    if parts[0] not in ("AWS", "Alexa"):
        return True  # a registry (third-party or private) type: CloudFormation checks it at deploy
    for where in dict.fromkeys([region or "us-east-1", "us-east-1"]):
        known = _provider_types(where)
        if known is not None and rtype in known:
            return True
    if _provider_types("us-east-1") is not None:
        return False
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER
    from cfnlint.schema._exceptions import ResourceNotFoundError

    for where in dict.fromkeys([region or "us-east-1", "us-east-1"]):
        try:
            PROVIDER_SCHEMA_MANAGER.get_resource_schema(where, rtype)
            return True
        except ResourceNotFoundError:
            continue
        except Exception:  # noqa: BLE001 - a region cfn-lint has no schemas for
            continue
    return False


@lru_cache(maxsize=None)
def _provider_types(region: str) -> frozenset[str] | None:
    """The resource types cfn-lint's schemas list for a region, read from its data module
    without importing cfn-lint (whose import alone takes most of a second); None when the
    module is not where this version of cfn-lint keeps it."""
    import importlib.util

    package = importlib.util.find_spec("cfnlint")  # finds, does not import
    if package is None or not package.submodule_search_locations:
        return None
    for location in package.submodule_search_locations:
        path = Path(location) / "data" / "schemas" / "providers" / f"{region.replace('-', '_')}.py"
        if path.is_file():
            spec = importlib.util.spec_from_file_location(f"_stackproof_cfn_types_{region.replace('-', '_')}", path)
            if spec is None or spec.loader is None:
                return None
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            types = getattr(module, "types", None)
            return frozenset(types) if isinstance(types, dict) else None
    return None
