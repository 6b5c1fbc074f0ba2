"""Conditions: every combination the parameters allow is a scenario.

A parameter that conditions depend on ranges over:

- the value given (--parameters, or the parent stack), when there is one;
- else its AllowedValues, when it declares them: the template itself says a deployment
  may choose any of them;
- else its Default: what a deployment gets unless someone overrides it;
- else (no default, nothing given) every outcome of the comparisons the conditions make:
  each literal it is compared with, and "something else".

Pseudo parameters are treated the same way (AWS::Region is fixed by --region). Each
assignment decides every condition (True, False, or None when it cannot be decided, for
example a comparison with an imported value); assignments that decide the conditions the
modelled resources use in the same way form one scenario. Beyond MAX_SCENARIOS the
conditions that vary are left undecided, so what depends on them is UNKNOWN.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any, Iterable

from ...errors import InputError
from ...model import Unknown
from .decode import line_of
from .intrinsics import Other, Resolver, Scope
from .parameters import Values
from .template import Template, references
from .values import is_function

MAX_ASSIGNMENTS = 4096
MAX_SCENARIOS = 16


@dataclass
class Scenario:
    label: str | None  # "when IsProduction is false"; None when the template has one scenario
    conditions: dict[str, bool | None]
    params: dict[str, Any]  # what Ref gives in resource properties
    parts: tuple[str, ...] = field(default_factory=tuple)  # "IsProduction is false", ...


def scenarios(template: Template, values: Values, pseudo: dict[str, Any], relevant: set[str]) -> list[Scenario]:
    """The scenarios of one template. ``relevant`` names the conditions that modelled
    resources use; conditions only other resources use do not split scenarios."""
    params = {name: values.for_properties(name, value) for name, value in values.values.items()}
    if not template.conditions:
        return [Scenario(None, {}, params)]
    variables = _variables(template, values, pseudo)
    names = sorted(variables)
    assignments = itertools.product(*(variables[n] for n in names))
    total = 1
    for name in names:
        total *= len(variables[name])
    if total > MAX_ASSIGNMENTS:
        return [_undecided(template, values, pseudo, params, relevant, f"{total} combinations of parameter values")]

    by_vector: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    decided_by: dict[tuple[Any, ...], dict[str, bool | None]] = {}
    ordered = sorted(relevant & set(template.conditions))
    for combination in assignments:
        assignment = dict(zip(names, combination))
        conditions = _evaluate_all(template, values, pseudo, assignment)
        vector = tuple(conditions[c] for c in ordered)
        by_vector.setdefault(vector, []).append(assignment)
        decided_by.setdefault(vector, conditions)
    if len(by_vector) > MAX_SCENARIOS:
        return [_undecided(template, values, pseudo, params, relevant, f"{len(by_vector)} scenarios")]
    vectors = list(by_vector)
    in_template_order = [c for c in template.conditions if c in ordered]
    found = []
    for vector, members in by_vector.items():
        conditions = decided_by[vector]
        parts = _distinguishing(vector, vectors, ordered, in_template_order) if len(vectors) > 1 else ()
        label = ("when " + " and ".join(parts)) if parts else None
        found.append(Scenario(label, conditions, _scenario_params(params, members, values, label), parts))
    return found


def _distinguishing(vector: tuple[Any, ...], vectors: list[tuple[Any, ...]], ordered: list[str],
                    names: list[str]) -> tuple[str, ...]:
    """The fewest conditions whose values tell this scenario from every other one, in the
    template's order: "IsProduction is false" rather than every condition's value."""
    position = {name: i for i, name in enumerate(ordered)}
    decided = [n for n in names if vector[position[n]] is not None]
    others = [v for v in vectors if v != vector]
    for size in range(1, len(decided) + 1):
        for chosen in itertools.combinations(decided, size):
            if all(any(other[position[n]] != vector[position[n]] for n in chosen) for other in others):
                return tuple(f"{n} is {_word(vector[position[n]])}" for n in chosen)
    return tuple(f"{n} is {_word(vector[position[n]])}" for n in decided)


def _word(value: bool | None) -> str:
    return "true" if value else "false"


def _scenario_params(params: dict[str, Any], members: list[dict[str, Any]], values: Values,
                     label: str | None) -> dict[str, Any]:
    """Parameter values in one scenario: a parameter the scenario pins to one value has
    that value; one that still ranges over several is unknown."""
    found = dict(params)
    for name in members[0]:
        if name not in values.specs:
            continue  # a pseudo parameter
        seen = {repr(m[name]) for m in members}
        value = members[0][name]
        if len(seen) == 1 and not isinstance(value, Other):
            found[name] = values.for_properties(name, value)
        else:
            options = sorted({m[name] for m in members if isinstance(m[name], str)})
            where = f" {label}" if label else ""
            found[name] = Unknown(f"parameter {name} may be any of {', '.join(options) or 'several values'}{where}")
    return found


def _undecided(template: Template, values: Values, pseudo: dict[str, Any], params: dict[str, Any],
               relevant: set[str], why: str) -> Scenario:
    """One scenario in which conditions that depend on varying parameters are undecided."""
    variables = _variables(template, values, pseudo)
    fixed = {name: options[0] for name, options in variables.items() if len(options) == 1}
    conditions = _evaluate_all(template, values, pseudo, fixed, undecided=set(variables) - set(fixed))
    return Scenario(None, conditions, params)


def _variables(template: Template, values: Values, pseudo: dict[str, Any]) -> dict[str, list[Any]]:
    """The values each parameter the conditions read may take."""
    used: set[str] = set()
    compared: dict[str, list[Any]] = {}
    for expression in template.conditions.values():
        for ref in references(expression):
            if ref.kind == "ref":
                used.add(ref.target)
        for name, literal in _comparisons(expression):
            compared.setdefault(name, [])
            if literal not in compared[name]:
                compared[name].append(literal)
    domains: dict[str, list[Any]] = {}
    for name in sorted(used):
        spec = values.specs.get(name)
        if spec is not None:
            value = values.values.get(name)
            if name in values.given and not isinstance(value, Unknown):
                domains[name] = [value]
            elif name not in values.given and spec.allowed:
                # The default first: the first scenario is what a plain deployment gets.
                first = [value] if isinstance(value, str) and value in spec.allowed else []
                domains[name] = list(dict.fromkeys([*first, *spec.allowed]))
            elif not isinstance(value, Unknown):
                domains[name] = [value]
            else:
                domains[name] = [*compared.get(name, []), Other(name)]
        elif name in pseudo:
            value = pseudo[name]
            domains[name] = [value] if not isinstance(value, Unknown) else [*compared.get(name, []), Other(name)]
    return domains


def _comparisons(expression: Any) -> Iterable[tuple[str, str]]:
    """(parameter, literal) for each Fn::Equals that compares a Ref with a literal."""
    stack = [expression]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            if is_function(node) and "Fn::Equals" in node and isinstance(node["Fn::Equals"], list):
                sides = node["Fn::Equals"]
                if len(sides) == 2:
                    for this, other in (sides, sides[::-1]):
                        if is_function(this) and isinstance(this.get("Ref"), str) and _literal(other) is not None:
                            yield this["Ref"], _literal(other)
            stack.extend(node.values())


def _literal(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


def _evaluate_all(template: Template, values: Values, pseudo: dict[str, Any], assignment: dict[str, Any],
                  undecided: set[str] = frozenset()) -> dict[str, bool | None]:  # type: ignore[assignment]
    params = dict(values.values)
    pseudo = dict(pseudo)
    for name, value in assignment.items():
        (params if name in values.specs else pseudo)[name] = value
    for name in undecided:
        (params if name in values.specs else pseudo)[name] = Unknown(f"{name} varies across too many scenarios")
    resolver = Resolver(Scope(template, "", params, pseudo))
    evaluator = _Conditions(template, resolver)
    return {name: evaluator.value(name) for name in template.conditions}


class _Conditions:
    def __init__(self, template: Template, resolver: Resolver) -> None:
        self.template = template
        self.resolver = resolver
        self.memo: dict[str, bool | None] = {}
        self.active: list[str] = []

    def value(self, name: str) -> bool | None:
        if name in self.memo:
            return self.memo[name]
        if name in self.active:
            cycle = " -> ".join(self.active[self.active.index(name):] + [name])
            raise InputError(self.template.path, f"circular conditions: {cycle}", line_of(name) or
                             _line_of_condition(self.template, name))
        self.active.append(name)
        result = self.evaluate(self.template.conditions[name], name)
        self.active.pop()
        self.memo[name] = result
        return result

    def evaluate(self, node: Any, name: str) -> bool | None:
        if isinstance(node, bool):
            return node
        if isinstance(node, str) and node.lower() in ("true", "false"):
            return node.lower() == "true"
        if not is_function(node):
            raise InputError(self.template.path, f"condition {name} is not a condition expression",
                             line_of(node) or _line_of_condition(self.template, name))
        function, arg = next(iter(node.items()))
        if function == "Condition":
            if arg not in self.template.conditions:
                raise InputError(self.template.path, f"condition {name} uses condition {arg}, which is not defined",
                                 line_of(node))
            return self.value(arg)
        if function == "Fn::Equals" and isinstance(arg, list) and len(arg) == 2:
            return _equals(self.resolver.resolve(arg[0]), self.resolver.resolve(arg[1]))
        if function == "Fn::Not" and isinstance(arg, list) and len(arg) == 1:
            inner = self.evaluate(arg[0], name)
            return None if inner is None else not inner
        if function in ("Fn::And", "Fn::Or") and isinstance(arg, list) and arg:
            found = [self.evaluate(item, name) for item in arg]
            decisive = function == "Fn::Or"  # True decides an Or, False decides an And
            if decisive in found:
                return decisive
            return None if None in found else not decisive
        raise InputError(self.template.path, f"condition {name}: {function} is not a condition function",
                         line_of(node))


def _equals(left: Any, right: Any) -> bool | None:
    if isinstance(left, Other) or isinstance(right, Other):
        if isinstance(left, Other) and isinstance(right, Other):
            return True if left.name == right.name else None
        other = right if isinstance(left, Other) else left
        return False if not isinstance(other, Unknown) else None
    if isinstance(left, Unknown) or isinstance(right, Unknown):
        return None
    return _normal(left) == _normal(right)


def _normal(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return [_normal(v) for v in value]
    return value


def _line_of_condition(template: Template, name: str) -> int | None:
    for key in template.conditions:
        if key == name:
            return line_of(key)
    return None
