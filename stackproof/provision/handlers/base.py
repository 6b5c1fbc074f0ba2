"""What every resource handler shares: the live record, the operation context, tags."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ...errors import InputError
from ..aws import Aws
from ..blueprint import ID_TAG, RETAINED_TAG, STACK_TAG, Node


@dataclass
class Live:
    """A resource as found in the account.

    ``id`` is what CloudFormation's Ref returns for the type; ``attrs`` what GetAtt
    returns; ``current`` the managed properties as AWS reports them, in the
    blueprint's (CloudFormation) shape, so the applier can compare them.
    """

    id: str
    attrs: dict[str, Any] = field(default_factory=dict)
    current: dict[str, Any] = field(default_factory=dict)


@dataclass
class Options:
    """How destroy (and apply, for what the spec no longer has) removes data."""

    skip_final_snapshot: bool = False  # delete the database and the cache without a final snapshot
    delete_buckets: bool = False  # empty and delete buckets instead of keeping them


@dataclass
class Op:
    """One handler call: the node, its properties with references resolved, the clients."""

    node: Node
    props: dict[str, Any]
    aws: Aws
    stack: str
    options: Options = field(default_factory=Options)
    notes: list[str] = field(default_factory=list)  # lines the applier prints after the action
    # KMS keys (id, ARN or alias) encrypting what a delete left behind -> what (a final snapshot)
    kept_keys: dict[str, str] = field(default_factory=dict)

    @property
    def region(self) -> str:
        return self.node.region

    def client(self, service: str, region: str | None = None) -> Any:
        return self.aws.client(service, region or self.node.region)

    @property
    def tags(self) -> dict[str, str]:
        return dict(self.node.tags)

    def tag_list(self) -> list[dict[str, str]]:
        return [{"Key": k, "Value": v} for k, v in self.tags.items()]

    def ec2_tag_spec(self, resource_type: str) -> list[dict[str, Any]]:
        return [{"ResourceType": resource_type, "Tags": self.tag_list()}]

    def where(self) -> str:
        return f"{self.node.type} {self.node.title} ({self.node.logical_id}) in {self.region}"

    def owns(self, tags: dict[str, str]) -> bool:
        """The tags are this node's: the stack's, or kept by a destroy of the stack (taken back)."""
        return of_stack(tags, self.stack) and tags.get(ID_TAG) == self.node.logical_id

    def check_owner(self, tags: dict[str, str], what: str) -> None:
        """A resource found by name must carry this stack's tags: never adopt or delete another's."""
        if not self.owns(tags):
            owner = tags.get(STACK_TAG)
            whose = f"stack {owner!r}" if owner else "no stackproof stack"
            raise InputError(self.where(), f"{what} already exists and belongs to {whose}; choose another "
                                           f"stack name, or remove it if it is a leftover")


@dataclass
class Scope:
    """What a sweep for the stack's resources of one type needs: clients, stack, region."""

    aws: Aws
    stack: str
    region: str
    options: Options = field(default_factory=Options)

    def client(self, service: str, region: str | None = None) -> Any:
        return self.aws.client(service, region or self.region)

    def mine(self, tags: dict[str, str]) -> bool:
        """Tagged with the stack and a logical id (instances the group launches carry no id)."""
        return tags.get(STACK_TAG) == self.stack and ID_TAG in tags


@dataclass
class Found:
    """A resource a sweep found tagged with the stack."""

    type: str
    region: str
    logical_id: str
    live: Live
    title: str

    @property
    def node(self) -> Node:
        """A node standing for it, to remove it with its handler (no properties)."""
        return Node(self.logical_id, self.type, self.region, {"Tags": [{"Key": "Name", "Value": self.title}]})


def found(handler_type: str, region: str, tags: dict[str, str], live: Live) -> Found:
    logical_id = tags[ID_TAG]
    return Found(handler_type, region, logical_id, live, tags.get("Name") or logical_id)


def stack_listing(ctx: Op | Scope, call: str, key: str, *extra: dict[str, Any],
                  parameter: str = "Filters") -> list[dict[str, Any]]:
    """The items of an EC2 listing in the region tagged with the stack: asked once a run
    (until it writes), shared by every find of the type and by the sweep."""
    filters = [{"Name": f"tag:{STACK_TAG}", "Values": [ctx.stack]}, *extra]
    return ctx.aws.listing("ec2", ctx.region, call, key, **{parameter: filters})


def of_stack(tags: dict[str, str], stack: str) -> bool:
    """Tagged with the stack, or kept by a removal of it (retained_tags)."""
    return stack in (tags.get(STACK_TAG), tags.get(RETAINED_TAG))


def retained_tags(tags: dict[str, str], stack: str) -> dict[str, str]:
    """The tags of something kept: the stack tag traded for RETAINED_TAG."""
    kept = {k: v for k, v in tags.items() if k != STACK_TAG}
    return {**kept, RETAINED_TAG: stack}


class CannotUpdate(Exception):
    """The change needs the resource replaced; stackproof does not replace resources."""

    def __init__(self, fields: list[str]) -> None:
        super().__init__(", ".join(fields))
        self.fields = fields


class Handler:
    """Find, create, update and delete one CloudFormation type with boto3.

    ``reads`` and ``writes`` declare every operation the handler calls ("service:Operation",
    waiters' polls included): plan may make only the reads, and the IAM policy that
    ``stackproof provision --print-iam-policy`` prints is made of them. ``implied`` are
    permissions AWS checks on the caller beyond the call itself, with the reason.
    """

    type: ClassVar[str]
    reads: ClassVar[tuple[str, ...]] = ()
    writes: ClassVar[tuple[str, ...]] = ()
    implied: ClassVar[dict[str, str]] = {}
    # Swept once for the account, not per region (S3 buckets and IAM roles are global).
    account_wide: ClassVar[bool] = False
    # Properties compared without regard to order (lists of ids, rule sets).
    unordered: ClassVar[frozenset[str]] = frozenset()
    # Properties AWS cannot change in place.
    immutable: ClassVar[frozenset[str]] = frozenset()

    def find(self, op: Op) -> Live | None:
        raise NotImplementedError

    def create(self, op: Op) -> Live:
        raise NotImplementedError

    def update(self, op: Op, live: Live, changed: list[str]) -> Live:
        raise CannotUpdate(changed)

    def delete(self, op: Op, live: Live) -> None:
        raise NotImplementedError

    def tagged(self, scope: Scope) -> list[Found]:
        """Every resource of this type tagged with the stack (in scope.region), whatever
        the spec says: what the stack once created. Types that cannot be tagged are found
        through their parents and return nothing here."""
        return []

    def kept(self, op: Op) -> str | None:
        """Why destroy keeps this resource rather than deleting it, or None."""
        return None

    def retain(self, op: Op, live: Live) -> None:
        """Mark a kept resource as kept (retained_tags); untaggable ones need nothing."""

    def keys_used(self, op: Op, live: Live) -> set[str]:
        """KMS keys (ids, ARNs or aliases) the resource's data is encrypted with."""
        return set()

    def kept_before(self, scope: Scope) -> list[tuple[str, str]]:
        """(KMS key, what) of what earlier removals of the stack kept of this type (final
        snapshots, buckets), still there: a key that encrypts them is kept too."""
        return []

    def comparable(self, key: str, value: Any) -> Any:
        """The part of a property value that is compared (both sides go through this)."""
        return value

    def changes(self, op: Op, live: Live) -> list[str]:
        """Managed properties whose live value differs from the blueprint's."""
        changed = []
        for key, current in live.current.items():
            if key not in op.props:
                continue  # not managed by the blueprint
            want = op.props[key]
            if key == "Tags":
                have = current if isinstance(current, dict) else {}
                if any(have.get(k) != v for k, v in op.tags.items()):
                    changed.append(key)
                continue
            want, current = self.comparable(key, want), self.comparable(key, current)
            if key in self.unordered:
                want, current = _sorted(want), _sorted(current)
            if canonical(project(current, want)) != canonical(want):
                changed.append(key)
        return changed


def project(current: Any, desired: Any) -> Any:
    """current restricted to the keys desired sets (AWS reports defaults we never set)."""
    if isinstance(current, dict) and isinstance(desired, dict):
        return {k: project(current[k], desired[k]) for k in desired if k in current}
    if isinstance(current, list) and isinstance(desired, list) and len(current) == len(desired):
        return [project(c, d) for c, d in zip(current, desired)]
    return current


def canonical(value: Any) -> str:
    """One spelling for comparison: numbers and booleans written as strings become values."""
    return json.dumps(_normal(value), sort_keys=True)


def _normal(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normal(v) for v in value]
    if isinstance(value, str):
        if value in ("true", "false"):
            return value == "true"
        if value.isdigit():
            return int(value)
    return value


def _sorted(value: Any) -> Any:
    if isinstance(value, list):
        return sorted(value, key=canonical)
    return value


def tag_dict(tags: Any, key: str = "Key", value: str = "Value") -> dict[str, str]:
    return {t[key]: t[value] for t in tags or []}
