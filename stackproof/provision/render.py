"""Blueprint -> CloudFormation: a root template for the primary region, and one
template per part in another region, which the root deploys as a stack set.

A CloudFormation stack lives in one region, and the reference stack spans two whose
resources refer to each other in both directions (primary buckets replicate into DR
buckets; a DR read replica copies the primary database). So the DR resources are cut
into parts: each node goes into the latest part its dependants allow. The root template
holds the primary region's resources and one AWS::CloudFormation::StackSet per DR
part, ordered by DependsOn. References across templates are written as ARNs built from
names, never as Ref or GetAtt, which CloudFormation cannot resolve across stacks.
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
TEMPLATES_LOCATION = {
    "Type": "String", "Default": ".",
    "Description": "Where the stack set templates are: '.' (next to this file, as `stackproof scan` reads them) "
                   "or the https:// address of the S3 folder they were uploaded to (to deploy)",
}


@dataclass
class Template:
    filename: str
    region: str
    body: dict[str, Any]
    stack_set: str | None = None  # the root's StackSet resource that deploys it; None: the root

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

    home = blueprint.spec.region
    for node in blueprint:
        for ref in node.references():
            target = blueprint.get(ref)
            if target.region == node.region:
                parent[root(ref)] = root(node.logical_id)
            elif node.region == home or target.region != home:
                # A stack set takes values from the root as parameters; nothing else crosses.
                raise ValueError(f"{node.logical_id} refers to {ref} in another region; name it by ARN")
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
    """The root template first, then the stack set templates it deploys."""
    spec = blueprint.spec
    step_of = steps(blueprint)
    root_nodes = [n for n in blueprint.ordered() if n.region == spec.region]
    parts: dict[tuple[int, str], list[Node]] = {}
    for node in blueprint.ordered():
        if node.region != spec.region:
            parts.setdefault((step_of[node.logical_id], node.region), []).append(node)
    part_of: dict[str, str] = {}  # logical id -> the StackSet resource that deploys it
    names: dict[str, tuple[str, str]] = {}  # StackSet id -> (file name, region)
    for index, key in enumerate(sorted(parts), start=1):
        region = key[1]
        stack_set = f"{_camel(region)}Part{index}"
        names[stack_set] = (f"{spec.name}-{region}-{index}.yaml", region)
        for node in parts[key]:
            part_of[node.logical_id] = stack_set

    templates = []
    here = {n.logical_id for n in root_nodes}
    resources: dict[str, Any] = {}
    for node in root_nodes:
        after_parts = {part_of[d] for d in node.dependencies() if d in part_of}
        resources[node.logical_id] = _resource(node, here, after=after_parts)
    for stack_set, (filename, region) in names.items():
        members = [n for n in blueprint.ordered() if part_of.get(n.logical_id) == stack_set]
        inside = {n.logical_id for n in members}
        # values of the root's resources reach the part as stack set parameters
        passed = {m: f"{m.logical_id}{getattr(m, 'attribute', '')}".replace(".", "")
                  for n in members for m in _markers(n.props) if m.logical_id in here}
        needs = {d for n in members for d in n.dependencies() if d not in inside}
        needs -= {m.logical_id for m in passed}  # the parameter's GetAtt already orders them
        depends = sorted({part_of.get(d, d) for d in needs})
        resources[stack_set] = _stack_set(spec.name, filename, region, depends, passed)
        body: dict[str, Any] = {
            "AWSTemplateFormatVersion": "2010-09-09",
            "Description": f"stackproof reference stack {spec.name} ({spec.environment}): its part in {region}, "
                           f"deployed by the stack set {stack_set} of {spec.name}.yaml"}
        if passed:
            body["Parameters"] = {name: {"Type": "String", "Description": f"passed by {spec.name}.yaml"}
                                  for name in sorted(set(passed.values()))}
        body["Resources"] = {n.logical_id: _resource(n, inside, passed) for n in members}
        templates.append(Template(filename, region, body, stack_set))
    roles = ", ".join(f"{n.logical_id} (aws iam create-service-linked-role --aws-service-name "
                      f"{n.props['AWSServiceName']})" for n in blueprint.prerequisites)
    root: dict[str, Any] = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": (f"stackproof reference stack {spec.name} ({spec.environment}) in {spec.region}; its parts in "
                        f"other regions are stack sets of the templates next to this one. Before deploying, the "
                        f"account needs the service-linked role {roles}: the data key's policy names it."),
    }
    params = {name: dict(PARAMETERS[name]) for name in sorted({p.name for n in root_nodes for p in _params(n.props)})}
    if names:
        params["TemplatesLocation"] = dict(TEMPLATES_LOCATION)
    if params:
        root["Parameters"] = params
    root["Resources"] = resources
    return [Template(f"{spec.name}.yaml", spec.region, root), *templates]


def _markers(value: Any) -> list[Any]:
    """The Ref and GetAtt markers in a value."""
    found: list[Any] = []

    def visit(marker: Any) -> Any:
        if isinstance(marker, (Ref, GetAtt)):
            found.append(marker)
        return marker

    transform(value, visit)
    return found


def _stack_set(stack: str, filename: str, region: str, depends: list[str], passed: dict[Any, str]) -> dict[str, Any]:
    resource: dict[str, Any] = {"Type": "AWS::CloudFormation::StackSet"}
    if depends:
        resource["DependsOn"] = depends
    resource["Properties"] = {
        "StackSetName": filename.rsplit(".", 1)[0],
        "Description": f"{stack}: resources in {region}",
        "PermissionModel": "SELF_MANAGED",
        "Capabilities": ["CAPABILITY_NAMED_IAM"],
        "TemplateURL": {"Fn::Sub": f"${{TemplatesLocation}}/{filename}"},
        "StackInstancesGroup": [{"DeploymentTargets": {"Accounts": [{"Ref": "AWS::AccountId"}]},
                                 "Regions": [region]}],
        "OperationPreferences": {"FailureToleranceCount": 0, "MaxConcurrentCount": 1},
    }
    if passed:
        resource["Properties"]["Parameters"] = [
            {"ParameterKey": name, "ParameterValue": _resource_value(marker)}
            for marker, name in sorted(passed.items(), key=lambda item: item[1])]
    return resource


def _resource_value(marker: Any) -> Any:
    if isinstance(marker, Ref):
        return {"Ref": marker.logical_id}
    return {"Fn::GetAtt": [marker.logical_id, marker.attribute]}


def _camel(text: str) -> str:
    return "".join(part.capitalize() for part in text.split("-"))


def _params(value: Any) -> list[Param]:
    found: list[Param] = []

    def visit(marker: Any) -> Any:
        if isinstance(marker, Param):
            found.append(marker)
        return marker

    transform(value, visit)
    return found


def _resource(node: Node, here: set[str], passed: dict[Any, str] | None = None,
              after: set[str] = frozenset()) -> dict[str, Any]:
    """The template resource of a node; ``passed`` maps references to the root's resources
    to the stack set parameters that carry their values; ``after`` are stack sets it
    must wait for."""
    passed = passed if passed is not None else {}

    def convert(marker: Any) -> Any:
        if isinstance(marker, (Ref, GetAtt)) and marker.logical_id not in here:
            if marker in passed:
                return {"Ref": passed[marker]}
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
    depends = sorted({d for d in node.depends_on if d in here} | set(after))
    if depends:
        resource["DependsOn"] = depends
    if node.deletion_policy:
        resource["DeletionPolicy"] = node.deletion_policy
        resource["UpdateReplacePolicy"] = node.deletion_policy
    resource["Properties"] = transform(node.props, convert)
    return resource
