"""Blueprint -> CloudFormation templates, one per region and deployment step.

A CloudFormation stack lives in one region, and the reference stack spans two whose
resources refer to each other in both directions (primary buckets replicate into DR
buckets; a DR read replica copies the primary database). So the blueprint is cut into
steps: each node goes into the latest step its dependants allow, and the steps are
deployed in order. References across steps are written as ARNs built from names, never
as Ref or GetAtt, which CloudFormation cannot resolve across regions.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import yaml

from .blueprint import Blueprint, Node
from .values import GetAtt, Param, Ref, SsmParameter, Sub, Zone, transform

PARAMETERS = {
    "CertificateArn": {"Type": "String", "AllowedPattern": "^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/.+$",
                       "Description": "ACM certificate of the HTTPS listener, in the stack's region"},
}


@dataclass
class Template:
    step: int  # 1-based deployment order
    region: str
    stack_name: str
    body: dict[str, Any]

    @property
    def filename(self) -> str:
        return f"{self.step}-{self.stack_name.rsplit('-', 1)[0]}.yaml"

    def text(self, fmt: str = "yaml") -> str:
        if fmt == "json":
            return json.dumps(self.body, indent=2) + "\n"
        return yaml.safe_dump(self.body, sort_keys=False, default_flow_style=False, width=120)


def steps(blueprint: Blueprint) -> dict[str, int]:
    """logical id -> deployment step (0-based).

    Nodes that refer to each other (Ref, GetAtt) must share a template, so they are
    grouped first; an explicit dependency in another region must come at least one step
    earlier, one in the same region may share the step. Each group then takes the
    latest step its dependants allow, so each region gets as few templates as possible."""
    ordered = blueprint.ordered()
    group = _groups(blueprint)
    members: dict[str, list[Node]] = {}
    for node in ordered:
        members.setdefault(group[node.logical_id], []).append(node)
    # edges between groups: (before, after, gap)
    edges = {(group[d], group[n.logical_id], int(blueprint.get(d).region != n.region))
             for n in ordered for d in n.dependencies() if group[d] != group[n.logical_id]}
    order = _group_order(list(members), edges)
    earliest = {g: 0 for g in order}
    for g in order:
        for before, after, gap in edges:
            if after == g:
                earliest[g] = max(earliest[g], earliest[before] + gap)
    region_of = {g: nodes[0].region for g, nodes in members.items()}
    last = {}
    for g in order:
        last[region_of[g]] = max(last.get(region_of[g], 0), earliest[g])
    latest: dict[str, int] = {}
    for g in reversed(order):
        bounds = [latest[after] - gap for before, after, gap in edges if before == g]
        latest[g] = min(bounds, default=last[region_of[g]])
    return {n.logical_id: latest[group[n.logical_id]] for n in ordered}


def _groups(blueprint: Blueprint) -> dict[str, str]:
    """logical id -> a representative of the nodes it must share a template with."""
    parent = {n.logical_id: n.logical_id for n in blueprint}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for node in blueprint:
        for ref in node.references():
            if blueprint.get(ref).region != node.region:
                raise ValueError(f"{node.logical_id} refers to {ref} in another region; name it by ARN")
            parent[root(ref)] = root(node.logical_id)
    return {n.logical_id: root(n.logical_id) for n in blueprint}


def _group_order(groups: list[str], edges: set[tuple[str, str, int]]) -> list[str]:
    """Groups in an order that puts every group after those it depends on."""
    done: list[str] = []
    seen: set[str] = set()

    def visit(g: str, path: tuple[str, ...]) -> None:
        if g in seen:
            return
        if g in path:
            raise ValueError(f"the templates would depend on each other in a circle: {' -> '.join(path + (g,))}")
        for before, after, _ in sorted(edges):
            if after == g:
                visit(before, path + (g,))
        seen.add(g)
        done.append(g)

    for g in groups:
        visit(g, ())
    return done


def render(blueprint: Blueprint) -> list[Template]:
    """The templates of the stack, in deployment order."""
    spec = blueprint.spec
    step_of = steps(blueprint)
    groups: dict[tuple[int, str], list[Node]] = {}
    for node in blueprint.ordered():
        groups.setdefault((step_of[node.logical_id], node.region), []).append(node)
    keys = sorted(groups)
    templates = []
    for index, key in enumerate(keys, start=1):
        step, region = key
        nodes = groups[key]
        here = {n.logical_id for n in nodes}
        earlier = [_stack_name(spec.name, k[1], i) for i, k in enumerate(keys, start=1) if k[0] < step]
        body: dict[str, Any] = {
            "AWSTemplateFormatVersion": "2010-09-09",
            "Description": (f"stackproof reference stack {spec.name} ({spec.environment}), step {index} of "
                            f"{len(keys)}, region {region}"
                            + (f"; deploy after {', '.join(earlier)}" if earlier else "")),
        }
        params = sorted({p.name for n in nodes for p in _params(n.props)})
        if params:
            body["Parameters"] = {name: dict(PARAMETERS[name]) for name in params}
        body["Resources"] = {n.logical_id: _resource(n, here) for n in nodes}
        templates.append(Template(index, region, _stack_name(spec.name, region, index), body))
    return templates


def _stack_name(name: str, region: str, step: int) -> str:
    return f"{name}-{region}-{step}"


def _params(value: Any) -> list[Param]:
    found: list[Param] = []

    def visit(marker: Any) -> Any:
        if isinstance(marker, Param):
            found.append(marker)
        return marker

    transform(value, visit)
    return found


def _resource(node: Node, here: set[str]) -> dict[str, Any]:
    def convert(marker: Any) -> Any:
        if isinstance(marker, (Ref, GetAtt)) and marker.logical_id not in here:
            raise ValueError(f"{node.logical_id} refers to {marker.logical_id} in another template; "
                             "the blueprint must name it by ARN")
        if isinstance(marker, Ref):
            return {"Ref": marker.logical_id}
        if isinstance(marker, GetAtt):
            return {"Fn::GetAtt": [marker.logical_id, marker.attribute]}
        if isinstance(marker, Zone):
            return {"Fn::Select": [marker.index, {"Fn::GetAZs": ""}]}
        if isinstance(marker, Sub):
            return {"Fn::Sub": marker.text}
        if isinstance(marker, SsmParameter):
            return f"{{{{resolve:ssm:{marker.name}}}}}"
        if isinstance(marker, Param):
            return {"Ref": marker.name}
        raise TypeError(marker)

    resource: dict[str, Any] = {"Type": node.type}
    depends = sorted(d for d in node.depends_on if d in here)
    if depends:
        resource["DependsOn"] = depends
    if node.deletion_policy:
        resource["DeletionPolicy"] = node.deletion_policy
        resource["UpdateReplacePolicy"] = node.deletion_policy
    resource["Properties"] = transform(node.props, convert)
    return resource
