"""Conditions: every combination the parameters allow is a scenario.

A parameter that conditions read ranges over:

- the value given (--parameters, or the parent stack), when there is one;
- else its AllowedValues, when it declares them: a deployment may choose any of them;
- else each literal the conditions compare it with, and "something else"; its Default,
  when it has one, comes first (what a deployment gets unless someone overrides it).

Pseudo parameters are treated the same way (AWS::Region is fixed by --region).

Conditions that read different parameters, and that no resource depends on together
(conditions.py), are independent: they form separate groups, and each
group's parameter combinations are enumerated on their own. Groups then combine into
scenarios: every combination of their outcomes when that makes at most MAX_SCENARIOS,
else side by side (scenario i takes each group's i-th outcome, or its first), so every
outcome of every group is evaluated without the product of all groups. A group whose
parameters allow more than MAX_ASSIGNMENTS combinations, or whose conditions have more
than MAX_SCENARIOS outcomes, is left undecided and says so; what depends on it is
UNKNOWN. So is a condition nothing given can decide (it compares an imported value): a
resource under it may or may not exist.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any, Iterable

from ...model import Unknown
from .conditions import Conditions, condition_reads, normal
from .intrinsics import Other, Resolver, Scope
from .parameters import Values
from .template import Template, references
from .values import is_function

MAX_ASSIGNMENTS = 4096
MAX_SCENARIOS = 16
EXACT_LABEL_LIMIT = 8  # beyond this many conditions, labels are chosen greedily


@dataclass
class Scenario:
    conditions: dict[str, bool | None]
    params: dict[str, Any]  # what Ref gives in resource properties
    parts: tuple[str, ...] = field(default_factory=tuple)  # "IsProduction is false", ...
    undecided: dict[str, str] = field(default_factory=dict)  # condition -> why it cannot be decided


@dataclass
class _Outcome:
    """One outcome of a group: its conditions' values, and the assignments that give them."""

    values: tuple[bool | None, ...]
    members: list[dict[str, Any]]


@dataclass
class _Group:
    conditions: list[str]
    variables: list[str]
    outcomes: list[_Outcome]  # none when it is capped
    capped: str | None = None  # why the group is left undecided


def scenarios(template: Template, values: Values, pseudo: dict[str, Any], relevant: set[str],
              links: Iterable[frozenset[str]] = ()) -> list[Scenario]:
    """The scenarios of one template. ``relevant`` names the conditions that modelled
    resources use (conditions only other resources use do not split scenarios); each of
    ``links`` is a set of conditions some resource depends on together."""
    params = _params(values)
    if not template.conditions:
        return [Scenario({}, params)]
    domains = _variables(template, values, pseudo)
    reads = condition_reads(template, set(domains))
    ordered = [c for c in template.conditions if c in relevant]
    groups = [_group(template, values, pseudo, names, reads, domains) for names in _groups(ordered, reads, links)]
    # A group left undecided is undecided in every scenario (but for a parameter with one
    # possible value, given with --parameters: it keeps it); the others are combined.
    capped = {name: group.capped for group in groups if group.capped for name in group.variables
              if len(domains[name]) > 1}
    params.update({name: _several(name, why) for name, why in capped.items() if name in values.specs})
    groups = [group for group in groups if not group.capped]
    found = []
    for choice in _combine([g.outcomes for g in groups]):
        assignment: dict[str, Any] = {}
        scenario_params = dict(params)
        for group, outcome in zip(groups, choice):
            assignment.update(outcome.members[0])
            scenario_params.update(_pinned(group, outcome, values))
        conditions, why = _evaluate_all(template, values, pseudo, assignment, capped)
        found.append(Scenario(conditions, scenario_params, undecided=why))
    if len(found) > 1:
        for scenario, parts in zip(found, part_labels(found, ordered)):
            scenario.parts = parts
    return found


def undecided_scenario(template: Template, values: Values, pseudo: dict[str, Any], why: str) -> Scenario:
    """One scenario in which every condition that varies is undecided, for ``why``."""
    params = _params(values)
    domains = _variables(template, values, pseudo)
    fixed = {name: options[0] for name, options in domains.items() if len(options) == 1}
    varying = {name: why for name in domains if name not in fixed}
    params.update({name: _several(name, why) for name in varying if name in values.specs})
    conditions, reasons = _evaluate_all(template, values, pseudo, fixed, varying)
    return Scenario(conditions, params, undecided=reasons)


def _params(values: Values) -> dict[str, Any]:
    """What Ref gives for each parameter in resource properties, before a scenario pins any."""
    return {name: values.for_properties(name, value) for name, value in values.values.items()}


def _several(name: str, why: str) -> Unknown:
    return Unknown(f"parameter {name} may take several values: {why}")


# -- groups and their outcomes ---------------------------------------------------------


def _groups(ordered: list[str], reads: dict[str, frozenset[str]], links: Iterable[frozenset[str]]) -> list[list[str]]:
    """Conditions joined when they read a common parameter or a resource depends on both."""
    parent = {name: name for name in ordered}

    def root(name: str) -> str:
        while parent[name] != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    def join(a: str, b: str) -> None:
        parent[root(a)] = root(b)

    reader: dict[str, str] = {}
    for name in ordered:
        for variable in reads.get(name, ()):
            join(name, reader.setdefault(variable, name))
    for link in {frozenset(link) for link in links}:
        members = [c for c in link if c in parent]
        for other in members[1:]:
            join(members[0], other)
    groups: dict[str, list[str]] = {}
    for name in ordered:
        groups.setdefault(root(name), []).append(name)
    return list(groups.values())


def _group(template: Template, values: Values, pseudo: dict[str, Any], names: list[str],
           reads: dict[str, frozenset[str]], domains: dict[str, list[Any]]) -> _Group:
    variables = sorted(set().union(*(reads[n] for n in names)))
    total = math.prod(len(domains[v]) for v in variables)
    listed = ", ".join(variables)
    if total > MAX_ASSIGNMENTS:
        why = f"more than {MAX_ASSIGNMENTS} combinations of parameters {listed}; pass --parameters to decide"
        return _Group(names, variables, [], why)
    by_values: dict[tuple[bool | None, ...], list[dict[str, Any]]] = {}
    for combination in itertools.product(*(domains[v] for v in variables)):
        assignment = dict(zip(variables, combination))
        evaluator = Conditions(template, Resolver(_scope(template, values, pseudo, assignment, {})))
        by_values.setdefault(tuple(evaluator.value(n) for n in names), []).append(assignment)
    if len(by_values) > MAX_SCENARIOS:
        why = (f"more than {MAX_SCENARIOS} combinations of conditions {', '.join(names)} "
               f"(parameters {listed}); pass --parameters to decide")
        return _Group(names, variables, [], why)
    return _Group(names, variables, [_Outcome(key, members) for key, members in by_values.items()])


def _combine(groups: list[list[_Outcome]]) -> list[tuple[_Outcome, ...]]:
    """Every combination of the groups' outcomes when there are few; else side by side."""
    if math.prod(len(g) for g in groups) <= MAX_SCENARIOS:
        return list(itertools.product(*groups))
    width = max(len(g) for g in groups)
    return [tuple(g[i] if i < len(g) else g[0] for g in groups) for i in range(width)]


def _pinned(group: _Group, outcome: _Outcome, values: Values) -> dict[str, Any]:
    """Parameter values in one outcome: a parameter the outcome pins to one value has that
    value; one that still ranges over several is unknown."""
    found: dict[str, Any] = {}
    phrases = [phrase(n, v) for n, v in zip(group.conditions, outcome.values) if v is not None]
    where = f" {when(phrases)}" if phrases else ""
    for name in group.variables:
        if name not in values.specs:
            continue  # a pseudo parameter
        if values.specs[name].no_echo:
            found[name] = Unknown(f"parameter {name} is NoEcho; stackproof does not read its value")
            continue
        seen = list(dict.fromkeys(m[name] if isinstance(m[name], str) else "another value" for m in outcome.members))
        value = outcome.members[0][name]
        if len(seen) == 1 and not isinstance(value, Unknown):
            found[name] = values.for_properties(name, value)
        elif len(seen) == 1:
            found[name] = Unknown(f"{value.reason}{where}")
        else:
            found[name] = Unknown(f"parameter {name} may be any of {', '.join(seen)}{where}")
    return found


def _variables(template: Template, values: Values, pseudo: dict[str, Any]) -> dict[str, list[Any]]:
    """The values each parameter the conditions read may take, the default first."""
    used: set[str] = set()
    compared: dict[str, list[str]] = {}
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
                first = [value] if isinstance(value, str) and value in spec.allowed else []
                domains[name] = list(dict.fromkeys([*first, *spec.allowed]))
            else:
                domains[name] = _free(name, value, compared.get(name, []))
        elif name in pseudo:  # one with a value (--region) is that value
            value = pseudo[name]
            domains[name] = _free(name, value, compared.get(name, [])) if isinstance(value, Unknown) else [value]
    return domains


def _free(name: str, value: Any, literals: list[str]) -> list[Any]:
    """A value nothing constrains: each literal the conditions compare it with and
    something else, its default (when known) first."""
    if isinstance(value, Unknown):
        return [*literals, Other(name)]
    others = [literal for literal in literals if literal != normal(value)]
    return [value, *others] + ([Other(name)] if len(others) < len(literals) else [])


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


# -- labels ----------------------------------------------------------------------------


def part_labels(found: list[Scenario], names: list[str]) -> list[tuple[str, ...]]:
    """Per scenario, the fewest of ``names`` whose values tell it from the other
    scenarios (as far as those conditions go): "IsProduction is false"."""
    vectors = [tuple(s.conditions.get(n) for n in names) for s in found]
    distinct = list(dict.fromkeys(vectors))
    if len(distinct) < 2:
        return [()] * len(found)
    labels = {vector: _distinguishing(vector, distinct, names) for vector in distinct}
    return [labels[v] for v in vectors]


class ResourceLabels:
    """Each resource's scenario named by the conditions it depends on only, its own
    Condition and Fn::If conditions preferred (computed once per list of conditions:
    most resources share theirs)."""

    def __init__(self, found: list[Scenario], template: Template, depends: dict[str, frozenset[str]],
                 ordered: list[str]) -> None:
        self.found = found
        self.template = template
        self.depends = depends
        self.ordered = ordered
        self.memo: dict[tuple[str, ...], list[tuple[str, ...]]] = {}

    def names(self, logical_id: str) -> tuple[str, ...]:
        """The conditions a resource depends on when they vary: its own Condition and its
        Fn::If conditions first, then the others, each in template order."""
        conditions = self.depends.get(logical_id)
        if len(self.found) < 2 or not conditions:
            return ()
        decl = self.template.resources[logical_id]
        chosen = {r.target for r in decl.refs if r.kind == "condition"}
        own = [decl.condition] + [c for c in self.ordered if c in chosen]
        return tuple(dict.fromkeys([c for c in own if c in conditions and c in self.ordered]
                                   + [c for c in self.ordered if c in conditions]))

    def parts(self, names: tuple[str, ...], index: int) -> tuple[str, ...]:
        """Scenario ``index`` as told apart by a resource's conditions (its names())."""
        if not names:
            return ()
        labels = self.memo.get(names)
        if labels is None:
            labels = self.memo[names] = part_labels(self.found, list(names))
        return labels[index]


def _distinguishing(vector: tuple[Any, ...], vectors: list[tuple[Any, ...]], names: list[str]) -> tuple[str, ...]:
    decided = [i for i, value in enumerate(vector) if value is not None]
    others = [v for v in vectors if v != vector]

    def tells(chosen: Iterable[int]) -> bool:
        return all(any(other[i] != vector[i] for i in chosen) for other in others)

    chosen: tuple[int, ...] = tuple(decided)
    if len(decided) <= EXACT_LABEL_LIMIT:
        chosen = next((c for size in range(1, len(decided) + 1) for c in itertools.combinations(decided, size)
                       if tells(c)), chosen)
    else:  # greedily: the condition that tells it from most of the rest, until none is left
        left, picked = list(others), []
        while left:
            best = max(decided, key=lambda i: sum(other[i] != vector[i] for other in left))
            if all(other[best] == vector[best] for other in left):
                break
            picked.append(best)
            left = [other for other in left if other[best] == vector[best]]
        chosen = tuple(sorted(picked)) or chosen
    return tuple(phrase(names[i], vector[i]) for i in chosen)


def phrase(name: str, value: bool | None) -> str:
    """A condition's value as labels say it: "IsProduction is false"."""
    return f"{name} is {_word(value)}"


def when(parts: Iterable[str]) -> str:
    """A scenario as labels name it: "when IsProduction is false and IsLarge is true"."""
    return "when " + " and ".join(parts)


def _word(value: bool | None) -> str:
    return "true" if value else "false"


# -- evaluating conditions -------------------------------------------------------------


def _scope(template: Template, values: Values, pseudo: dict[str, Any], assignment: dict[str, Any],
           undecided: dict[str, str]) -> Scope:
    params = dict(values.values)
    pseudo = dict(pseudo)
    for name, value in assignment.items():
        (params if name in values.specs else pseudo)[name] = value
    for name, why in undecided.items():
        (params if name in values.specs else pseudo)[name] = Unknown(why)
    return Scope(template, "", params, pseudo)


def _evaluate_all(template: Template, values: Values, pseudo: dict[str, Any], assignment: dict[str, Any],
                  undecided: dict[str, str]) -> tuple[dict[str, bool | None], dict[str, str]]:
    """Every condition's value, and for each undecided one the reason."""
    evaluator = Conditions(template, Resolver(_scope(template, values, pseudo, assignment, undecided)))
    found = {name: evaluator.value(name) for name in template.conditions}
    return found, {name: evaluator.why.get(name, "it cannot be decided") for name, v in found.items() if v is None}
