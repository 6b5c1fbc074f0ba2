"""One stack (and the stacks it nests) -> its resources, resolved, per scenario.

Keys: a resource's logical id; inside a nested stack, "Parent/Child" (the nested stack's
logical id, a slash, the resource's logical id in the nested template); inside a stack
set, "Parent[region]/Child".
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from ...errors import InputError
from ...model import KINDS, Gap, Unknown
from .. import input_path
from .conditions import condition_dependencies
from .decode import decode_template, is_exact, key_line
from .intrinsics import Resolver, Scope
from .parameters import SECRET_MIN_LENGTH, parameter_values, pseudo_parameters, refused_value, specs
from .scenarios import MAX_SCENARIOS, ResourceLabels, Scenario, phrase, scenarios, undecided_scenario
from .template import (
    NESTED_STACK,
    STACK_SET,
    Decl,
    Template,
    check_references,
    check_types,
    dependencies,
    read_template,
    references,
)
from .values import mappings
from .view import NAME_PROPERTIES, RawResource

MAX_DEPTH = 8
# Properties whose values are secrets wherever they appear; remembered so no report prints them.
SECRET_PROPERTIES = frozenset({"MasterUserPassword", "Password", "AuthToken", "SecretString", "PrivateKey"})


@dataclass
class Built:
    """One scenario of a stack: its resources, what could not be read, its outputs."""

    raws: list[RawResource]
    gaps: list[Gap]
    parts: tuple[str, ...]  # the scenario, as "IsProduction is false" phrases
    outputs: dict[str, Any] = field(default_factory=dict)
    # The value of each condition resources depend on: condition id -> "IsProduction is false"
    # (ids are unique across stacks and inputs: see Context.condition_id).
    conditions: dict[str, str] = field(default_factory=dict)


@dataclass
class Context:
    path: str
    prefix: str
    region: Any  # str or Unknown
    given: dict[str, Any]
    depth: int = 0
    seen: tuple[str, ...] = ()

    def condition_id(self, name: str) -> str:
        """A condition of this stack, told apart from those of other inputs and stacks."""
        return f"{(self.seen or (self.path,))[0]}#{self.prefix}{name}"


class StackLoader:
    """Loads templates (each file once) and expands stacks into scenario builds."""

    def __init__(self, resolved_types: frozenset[str], mapped: dict[str, Any]) -> None:
        self.resolved_types = resolved_types  # types whose properties mappers read
        self.mapped = mapped
        self.secrets: set[str] = set()
        self.files: list[tuple[str, str]] = []  # (path, sha256) of every template read
        self._templates: dict[tuple[Any, ...], tuple[Template, list[Gap]]] = {}

    def template(self, path: str, text: str | None, region: Any,
                 given: dict[str, Any] | None = None) -> tuple[Template, list[Gap]]:
        """The template at ``path``, read and checked once per region and parameter values
        (a transform may depend on both)."""
        region_name = region if isinstance(region, str) else None
        given = given or {}
        cache_key = (path, region_name, tuple(sorted((k, repr(v)) for k, v in given.items())))
        if cache_key in self._templates:
            return self._templates[cache_key]
        if text is None:
            text = _read_text(path)
        if not any(p == path for p, _ in self.files):
            self.files.append((path, hashlib.sha256(text.encode("utf-8")).hexdigest()))
        data = decode_template(text, path)
        try:
            template, gaps = self._read(path, data, region_name, given)
        except InputError:
            if not is_exact(data):  # decode again, to name the line of the mistake
                self._read(path, decode_template(text, path, exact=True), region_name, given)
            raise
        self._templates[cache_key] = (template, gaps)
        return template, gaps

    def _read(self, path: str, data: dict[str, Any], region: str | None,
              given: dict[str, Any]) -> tuple[Template, list[Gap]]:
        gaps: list[Gap] = []
        lines: dict[str, int] = {}
        if data.get("Transform") is not None and _has_transform(data):
            from .transforms import expand

            data, gaps, lines = expand(data, path, region, self.mapped, given)
        template = read_template(path, data)
        for logical_id, line in lines.items():
            if logical_id in template.resources:
                template.resources[logical_id].line = line
        check_types(template, self.resolved_types | frozenset(self.mapped), region)
        check_references(template)
        return template, gaps

    def build(self, template: Template, context: Context, gaps: list[Gap], single: bool = False) -> list[Built]:
        values = parameter_values(specs(template.parameters), context.given)
        self.secrets |= values.secrets
        pseudo = pseudo_parameters(context.region)
        relevant = self._relevant_conditions(template, context)
        depends = condition_dependencies(template)
        modelled = self.resolved_types | {NESTED_STACK, STACK_SET}
        links = [depends.get(d.logical_id, frozenset()) & relevant for d in template.resources.values()
                 if d.type in modelled]
        found = scenarios(template, values, pseudo, relevant, links)
        if single and len(found) > 1:
            why = (f"the scenarios of the nested stacks make more than {MAX_SCENARIOS} combinations; "
                   "pass --parameters to decide")
            found = [undecided_scenario(template, values, pseudo, why)]
        ordered = [c for c in template.conditions if c in relevant]
        labels = ResourceLabels(found, template, depends, ordered)
        ids = {name: context.condition_id(name) for name in ordered}
        shared: dict[tuple[str, ...], tuple[str, ...]] = {}  # most resources depend on the same conditions

        def describe(decl: Decl, raw: RawResource, index: int) -> None:
            """The scenario a resource is in: its label, and the conditions it depends on."""
            names = labels.names(decl.logical_id)
            raw.extra["parts"] = labels.parts(names, index)
            raw.extra["conditions"] = shared.setdefault(names, tuple(ids[n] for n in names))

        builds: list[Built] = []
        for index, scenario in enumerate(found):
            condition_values = {ids[n]: phrase(n, scenario.conditions[n]) for n in ordered
                                if scenario.conditions.get(n) is not None}
            builds.extend(self._build_scenario(template, context, scenario, pseudo, gaps, condition_values,
                                               lambda decl, raw, i=index: describe(decl, raw, i)))
        return builds

    def _build_scenario(self, template: Template, context: Context, scenario: Scenario, pseudo: dict[str, Any],
                        gaps: list[Gap], condition_values: dict[str, str], describe: Any) -> Iterator[Built]:
        present = [d for d in template.resources.values()
                   if d.condition is None or scenario.conditions.get(d.condition) is not False]
        children = _in_dependency_order(template, [d for d in present if d.type in (NESTED_STACK, STACK_SET)])
        single_children = len(children) > 1
        for child_builds, outputs in self._expand_children(template, context, scenario, pseudo, children, 0, {},
                                                           single_children):
            scope = Scope(template, context.prefix, scenario.params, pseudo, scenario.conditions,
                          scenario.undecided, outputs=_output_lookup(outputs))
            resolver = Resolver(scope)
            raws = []
            for decl in present:
                raw = self._raw(template, context, decl, resolver)
                describe(decl, raw)
                maybe = _maybe(decl, scenario)
                if maybe:
                    raw.extra["maybe"] = maybe
                raws.append(raw)
            built = Built(raws, list(gaps), scenario.parts, self._outputs(template, resolver), dict(condition_values))
            for decl, child in zip(children, child_builds):
                maybe = _maybe(decl, scenario)
                if maybe:  # a nested stack that may not exist: so may each of its resources
                    for raw in child.raws:
                        raw.extra.setdefault("maybe", maybe)
                built.raws.extend(child.raws)
                built.gaps.extend(child.gaps)
                built.parts += child.parts
                built.conditions.update(child.conditions)
            yield built

    def _raw(self, template: Template, context: Context, decl: Decl, resolver: Resolver) -> RawResource:
        properties: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        if decl.type in self.resolved_types:
            try:
                resolved = resolver.resolve(decl.properties)
            except (TypeError, ValueError, KeyError, AttributeError, IndexError, RecursionError) as exc:
                # Not guessed at: the resource is reported as not assessed (build.py).
                resolved, extra["error"] = {}, f"could not resolve its properties ({type(exc).__name__}: {exc})"
            properties = resolved if isinstance(resolved, dict) else {}
            self._remember_secrets(properties)
        elif decl.type in NAME_PROPERTIES and NAME_PROPERTIES[decl.type] in decl.properties:
            name = NAME_PROPERTIES[decl.type]
            properties = {name: resolver.resolve(decl.properties[name])}
        return RawResource(key=context.prefix + decl.logical_id, logical_id=decl.logical_id, type=decl.type,
                           properties=properties, file=template.path, line=decl.line, region=context.region,
                           extra=extra)

    def _remember_secrets(self, properties: dict[str, Any]) -> None:
        for name in SECRET_PROPERTIES & set(properties):
            value = properties[name]
            if isinstance(value, str) and len(value) >= SECRET_MIN_LENGTH:
                self.secrets.add(value)

    def _outputs(self, template: Template, resolver: Resolver) -> dict[str, Any]:
        found = {}
        for name, output in template.outputs.items():
            if isinstance(output, dict) and "Value" in output:
                condition = output.get("Condition")
                if isinstance(condition, str) and resolver.scope.conditions.get(condition) is False:
                    continue
                found[str(name)] = resolver.resolve(output["Value"])
        return found

    def _relevant_conditions(self, template: Template, context: Context) -> set[str]:
        """Conditions that decide something stackproof models: they split scenarios."""
        found: set[str] = set()
        modelled = self.resolved_types | {NESTED_STACK, STACK_SET}
        for decl in template.resources.values():
            if decl.type not in modelled:
                continue
            if decl.condition:
                found.add(decl.condition)
            found.update(r.target for r in decl.refs if r.kind == "condition")
        if context.depth:
            found.update(r.target for r in references(template.outputs) if r.kind == "condition")
        # A condition counts through the conditions that use it, too.
        for name in list(found):
            found.update(r.target for r in references(template.conditions.get(name)) if r.kind == "condition")
        return found

    # -- nested stacks and stack sets ----------------------------------------------------

    def _expand_children(self, template: Template, context: Context, scenario: Scenario, pseudo: dict[str, Any],
                         children: list[Decl], index: int, outputs: dict[str, Any],
                         single: bool) -> Iterator[tuple[list[Built], dict[str, Any]]]:
        if index == len(children):
            yield [], outputs
            return
        decl = children[index]
        scope = Scope(template, context.prefix, scenario.params, pseudo, scenario.conditions,
                      scenario.undecided, outputs=_output_lookup(outputs))
        properties = Resolver(scope).resolve(decl.properties)
        properties = properties if isinstance(properties, dict) else {}
        for build in self._child(template, context, decl, properties, single):
            combined = {**outputs, decl.logical_id: build.outputs}
            for rest, final in self._expand_children(template, context, scenario, pseudo, children, index + 1,
                                                     combined, single):
                yield [build, *rest], final

    def _child(self, template: Template, context: Context, decl: Decl, properties: dict[str, Any],
               single: bool) -> list[Built]:
        key = context.prefix + decl.logical_id
        if decl.type == NESTED_STACK:
            instances = [(f"{key}/", context.region, _nested_parameters(properties.get("Parameters")))]
        else:
            instances = _stack_set_instances(key, properties, context)
        source = _template_source(template, decl, properties)
        if isinstance(source, Unknown):
            line = key_line(decl.properties, "TemplateURL") or decl.line
            reason = f"the template of {decl.type} {decl.logical_id} is not local ({source.reason})"
            gap = Gap(tuple(sorted(KINDS)), reason, key, file=template.path, line=line)
            return [Built([], [gap], (), {"*": Unknown(f"an output of {decl.logical_id}: {source.reason}")})]
        if context.depth + 1 > MAX_DEPTH:
            raise InputError(template.path, f"stacks nested more than {MAX_DEPTH} deep", decl.line)
        combined: list[Built] = [Built([], [], ())]
        for prefix, region, given in instances:
            path, text = source
            if path in context.seen + (template.path,):
                raise InputError(template.path, f"nested stack {decl.logical_id} includes {path}, "
                                                "which includes this template: a circle", decl.line)
            child, gaps = self.template(path, text, region, given)
            refused = refused_value(specs(child.parameters), given, path)
            if refused:  # CloudFormation refuses the parent stack too
                raise InputError(template.path, f"nested stack {decl.logical_id}: {refused}", decl.line)
            child_context = Context(path, prefix, region, given, context.depth + 1, context.seen + (template.path,))
            builds = self.build(child, child_context, gaps, single=single)
            if len(combined) * len(builds) > MAX_SCENARIOS:
                builds = self.build(child, child_context, gaps, single=True)
            where = prefix[:-1]
            _place_parts(builds, where)
            combined = [Built(a.raws + b.raws, a.gaps + b.gaps, a.parts + tuple(f"{p} in {where}" for p in b.parts),
                              b.outputs, {**a.conditions, **{c: f"{p} in {where}" for c, p in b.conditions.items()}})
                        for a in combined for b in builds]
        return combined


def _maybe(decl: Decl, scenario: Scenario) -> tuple[str, str] | None:
    """(condition, why) when the resource exists under a condition the scenario cannot decide."""
    if decl.condition is None or scenario.conditions.get(decl.condition) is not None:
        return None
    return decl.condition, scenario.undecided.get(decl.condition, "")


def _place_parts(builds: list[Built], where: str) -> None:
    """A nested stack's resources name their scenario "IsPublic is true in Network"."""
    done: set[int] = set()
    for build in builds:
        for raw in build.raws:
            if id(raw) not in done:
                done.add(id(raw))
                raw.extra["parts"] = tuple(f"{p} in {where}" for p in raw.extra.get("parts", ()))


def _read_text(path: str) -> str:
    from ..tfplan.reader import decode, read_bytes

    return decode(read_bytes(path), path)


def _has_transform(data: dict[str, Any]) -> bool:
    value = data.get("Transform")
    names = value if isinstance(value, list) else [value]
    return any(n is not None for n in names)


def _in_dependency_order(template: Template, children: list[Decl]) -> list[Decl]:
    """Nested stacks whose parameters use another's outputs come after it."""
    names = {d.logical_id for d in children}
    ordered: list[Decl] = []
    placed: set[str] = set()
    pending = list(children)
    while pending:
        for decl in pending:
            if not (dependencies(template, decl) & names) - placed:
                ordered.append(decl)
                placed.add(decl.logical_id)
                pending.remove(decl)
                break
        else:  # cycles were refused by check_references
            ordered.extend(pending)
            break
    return ordered


def _output_lookup(outputs: dict[str, dict[str, Any]]) -> Any:
    def lookup(stack: str, name: str) -> Any:
        found = outputs.get(stack)
        if found is None:
            return Unknown(f"an output of {stack}, which is not a stack stackproof loaded")
        if name in found:
            return found[name]
        if "*" in found:
            return found["*"]
        return Unknown(f"{stack} has no output {name}")
    return lookup


def _nested_parameters(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        return {}
    return {str(k): _parameter_text(v) for k, v in value.items()}


def _parameter_text(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ",".join(value)
    return value


def _stack_set_instances(key: str, properties: dict[str, Any], context: Context) -> list[tuple[str, Any, dict]]:
    """(key prefix, region, parameters) of each stack instance, one per region."""
    given = _parameter_list(properties.get("Parameters"))
    instances: dict[str, tuple[str, Any, dict]] = {}
    groups = mappings(properties.get("StackInstancesGroup"))
    for group in groups if isinstance(groups, list) else []:
        overrides = {**given, **_parameter_list(group.get("ParameterOverrides"))}
        regions = group.get("Regions")
        for region in regions if isinstance(regions, list) else []:
            if isinstance(region, str):
                instances.setdefault(region, (f"{key}[{region}]/", region, overrides))
            else:
                instances.setdefault(repr(region), (f"{key}[unknown region]/",
                                                    Unknown(f"a region of stack set {key} is not known"), overrides))
    return list(instances.values())


def _parameter_list(value: Any) -> dict[str, Any]:
    found = mappings(value)
    if not isinstance(found, list):
        return {}
    return {item["ParameterKey"]: _parameter_text(item.get("ParameterValue"))
            for item in found if isinstance(item.get("ParameterKey"), str)}


def _template_source(template: Template, decl: Decl, properties: dict[str, Any]) -> Any:
    """(path, text or None) of a local template, or an Unknown saying why it is not local."""
    body = properties.get("TemplateBody")
    if isinstance(body, str):
        return f"{template.path}#{decl.logical_id}", body
    url = properties.get("TemplateURL")
    if isinstance(url, Unknown):
        return Unknown(f"its TemplateURL is not known: {url.reason}")
    if not isinstance(url, str) or not url:
        return Unknown("it has no TemplateURL")
    if "://" in url and not url.startswith("file://"):
        return Unknown(f"{url} is not a local file, and stackproof does not fetch templates")
    local = url[len("file://"):] if url.startswith("file://") else url
    path = Path(local) if Path(local).is_absolute() else Path(template.path).parent / local
    if not path.is_file():
        return Unknown(f"{url} is not a file next to {Path(template.path).name}")
    return input_path(path), None  # as reports show paths: "network.yaml", not "app/../network.yaml"
