"""What removing the stack (or what the spec no longer has) deletes, in which order, and
what it keeps.

Order: by type, dependants first, so that resources the spec no longer names (found by
the stack's tag, without a node to order them) fall in place beside the others. Within
a type, those first, then the blueprint's nodes dependants first (a read replica before
its source, a bucket before the bucket it replicates into).

What is kept (data is kept by default, as the rendered template's DeletionPolicy says):
buckets and their policies unless --delete-buckets; a final snapshot of the database and
of the cache unless --skip-final-snapshot; a KMS key, and its alias, while anything kept
is encrypted with it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from .blueprint import Blueprint
from .handlers.base import Live, Op

REMOVAL_ORDER = (
    "AWS::AutoScaling::AutoScalingGroup",
    "AWS::ElasticLoadBalancingV2::Listener",
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::ElasticLoadBalancingV2::TargetGroup",
    "AWS::EC2::LaunchTemplate",
    "AWS::CloudTrail::Trail",
    "AWS::SQS::Queue",
    "AWS::RDS::DBInstance",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::RDS::DBSubnetGroup",
    "AWS::ElastiCache::SubnetGroup",
    "AWS::S3::BucketPolicy",
    "AWS::S3::Bucket",
    "AWS::IAM::Role",
    "AWS::EC2::Route",
    "AWS::EC2::SubnetRouteTableAssociation",
    "AWS::EC2::VPCEndpoint",
    "AWS::EC2::NetworkAclEntry",
    "AWS::EC2::SubnetNetworkAclAssociation",
    "AWS::EC2::NatGateway",
    "AWS::EC2::EIP",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::Subnet",
    "AWS::EC2::RouteTable",
    "AWS::EC2::NetworkAcl",
    "AWS::EC2::VPCGatewayAttachment",
    "AWS::EC2::InternetGateway",
    "AWS::EC2::VPC",
    "AWS::KMS::Alias",
    "AWS::KMS::Key",
)
RANK = {kind: i for i, kind in enumerate(REMOVAL_ORDER)}
KEY, ALIAS = "AWS::KMS::Key", "AWS::KMS::Alias"


@dataclass
class Removal:
    op: Op
    live: Live
    swept: bool = False  # found by the stack's tag (op has no properties)
    described: bool = True  # the spec describes it (by its logical id)


def ordered(removals: Iterable[Removal], blueprint: Blueprint) -> list[Removal]:
    position = {n.logical_id: i for i, n in enumerate(blueprint.ordered())}
    return sorted(removals, key=lambda r: (RANK[r.op.node.type], r.described, -position.get(r.op.node.logical_id, 0)))


class KeysInUse:
    """The KMS keys what is kept is encrypted with, as (ref, what uses it) pairs; a ref is
    a key id, key ARN, alias name or alias ARN."""

    def __init__(self, removals: list[Removal], kept_before: Callable[[], list[tuple[str, str]]]) -> None:
        self.users: list[tuple[str, str]] = []
        self._kept_before: Callable[[], list[tuple[str, str]]] | None = kept_before
        self.keys = {r.live.id: r for r in removals if r.op.node.type == KEY}
        self.aliases: dict[str, set[str]] = {}  # key id -> alias names
        for r in removals:
            if r.op.node.type == ALIAS and r.live.current.get("TargetKeyId"):
                self.aliases.setdefault(r.live.current["TargetKeyId"], set()).add(r.live.id)

    def add(self, refs: dict[str, str]) -> None:
        self.users += refs.items()

    def why_kept(self, removal: Removal) -> str | None:
        """Why a key (or its alias) is kept, or None."""
        key_id = removal.live.id if removal.op.node.type == KEY else removal.live.current.get("TargetKeyId")
        key = self.keys.get(key_id)
        if key is None:
            return None
        if self._kept_before is not None:  # once, when the keys' turn comes: after every deletion
            self.users += self._kept_before()
            self._kept_before = None
        names = self.aliases.get(key_id, set()) | {f"alias/{key.op.node.title}"}
        users = sorted({what for ref, what in self.users if _names(ref, key_id, names)})
        if not users:
            return None
        if removal.op.node.type == ALIAS:
            return "it names a key that is kept"
        return f"it encrypts what is kept: {', '.join(users)}"


def _names(ref: str, key_id: str, aliases: set[str]) -> bool:
    """The reference (a key id, key ARN, alias name or alias ARN) names this key."""
    tail = ref.split(":")[-1]
    return tail in (key_id, f"key/{key_id}") or tail in aliases
