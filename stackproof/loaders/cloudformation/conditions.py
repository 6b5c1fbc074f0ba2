"""Conditions: what each depends on, which resources depend on which, and their values.

``condition_reads`` and ``condition_dependencies`` are read from the template once;
``Conditions`` evaluates every condition for one assignment of parameter values, and
says why a condition it cannot decide is undecided (an imported value, a cap).
"""
from __future__ import annotations

from typing import Any

from ...errors import InputError
from ...model import Unknown
from .decode import key_line, line_of
from .intrinsics import Other, Resolver
from .template import Template, references
from .values import is_function


def condition_reads(template: Template, names: set[str] | None = None) -> dict[str, frozenset[str]]:
    """The parameters (and pseudo parameters) each condition reads, through the
    conditions it uses; only those in ``names`` when given."""
    direct = {name: {r.target for r in references(e) if r.kind == "ref" and (names is None or r.target in names)}
              for name, e in template.conditions.items()}
    return {name: frozenset().union(*(direct.get(c, ()) for c in used))
            for name, used in _closures(template).items()}


def condition_dependencies(template: Template) -> dict[str, frozenset[str]]:
    """For each resource, the conditions its existence and values depend on: its own
    Condition and Fn::If conditions, those that read the parameters it uses, the same for
    every resource it refers to (directly or not), and the Conditions of the resources
    that refer to it (whose existence it may be judged by)."""
    if not template.conditions:
        return {}
    closure = _closures(template)
    reading: dict[str, set[str]] = {}
    for name, read in condition_reads(template).items():
        for variable in read:
            reading.setdefault(variable, set()).update(closure[name])
    own: dict[str, set[str]] = {}
    targets: dict[str, set[str]] = {}
    referrers: dict[str, set[str]] = {}
    for decl in template.resources.values():
        found: set[str] = set(closure[decl.condition]) if decl.condition in closure else set()
        targets[decl.logical_id] = set()
        for ref in decl.refs:
            if ref.kind == "condition" and ref.target in closure:
                found |= closure[ref.target]
            elif ref.kind == "ref" and ref.target in reading:
                found |= reading[ref.target]
            if ref.kind in ("ref", "getatt") and ref.target in template.resources and ref.target != decl.logical_id:
                targets[decl.logical_id].add(ref.target)
                if decl.condition in closure:
                    referrers.setdefault(ref.target, set()).update(closure[decl.condition])
        own[decl.logical_id] = found
    closed = _forward_closure(own, targets)
    return {name: closed[name] | referrers[name] if name in referrers else closed[name] for name in template.resources}


def _closures(template: Template) -> dict[str, frozenset[str]]:
    """Each condition with the conditions it uses, directly or not."""
    uses = {name: {r.target for r in references(e) if r.kind == "condition"} for name, e in template.conditions.items()}
    return {name: frozenset(_closure(name, uses)) for name in template.conditions}


def _closure(name: str, uses: dict[str, set[str]]) -> set[str]:
    found, stack = set(), [name]
    while stack:
        item = stack.pop()
        if item not in found:
            found.add(item)
            stack.extend(uses.get(item, ()))
    return found


def _forward_closure(own: dict[str, set[str]], targets: dict[str, set[str]]) -> dict[str, frozenset[str]]:
    """own[r] with own[t] for every t that r refers to, directly or not (iterative)."""
    closed: dict[str, frozenset[str]] = {}
    for start in own:
        stack = [(start, False)]
        while stack:
            node, ready = stack.pop()
            if node in closed:
                continue
            if ready:
                closed[node] = frozenset(own[node].union(*(closed.get(t, ()) for t in targets[node])))
                continue
            stack.append((node, True))
            stack.extend((t, False) for t in targets[node] if t not in closed)
    return closed


class Conditions:
    def __init__(self, template: Template, resolver: Resolver) -> None:
        self.template = template
        self.resolver = resolver
        self.memo: dict[str, bool | None] = {}
        self.why: dict[str, str] = {}  # condition -> why it is undecided
        self.active: list[str] = []

    def value(self, name: str) -> bool | None:
        if name in self.memo:
            return self.memo[name]
        if name in self.active:
            cycle = " -> ".join(self.active[self.active.index(name):] + [name])
            raise InputError(self.template.path, f"circular conditions: {cycle}", line_of(name) or
                             key_line(self.template.conditions, name))
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
                             line_of(node) or key_line(self.template.conditions, name))
        function, arg = next(iter(node.items()))
        if function == "Condition":
            if arg not in self.template.conditions:
                raise InputError(self.template.path, f"condition {name} uses condition {arg}, which is not defined",
                                 line_of(node))
            result = self.value(arg)
            if result is None:
                self.why.setdefault(name, self.why.get(arg, "it cannot be decided"))
            return result
        if function == "Fn::Equals" and isinstance(arg, list) and len(arg) == 2:
            left, right = self.resolver.resolve(arg[0]), self.resolver.resolve(arg[1])
            result = _equals(left, right)
            if result is None:
                self.why.setdefault(name, _why_undecided(left, right))
            return result
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
    return normal(left) == normal(right)


def _why_undecided(left: Any, right: Any) -> str:
    if isinstance(left, Other) and isinstance(right, Other):
        return f"it compares {left.name} and {right.name}, whose values are not known"
    for side in (left, right):
        if isinstance(side, Unknown) and not isinstance(side, Other):
            return side.reason
    return "it cannot be decided"


def normal(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return [normal(v) for v in value]
    return value
