"""One handler per CloudFormation type the blueprint uses, listed here explicitly."""
from __future__ import annotations

from ..aws import ACCOUNT_READS
from .base import Handler
from .compute import AutoScalingGroup, LaunchTemplate, Listener, LoadBalancer, TargetGroup
from .databases import CacheSubnetGroup, DbInstance, DbSubnetGroup, ReplicationGroup
from .network import (
    ElasticIp,
    GatewayAttachment,
    InternetGateway,
    NatGateway,
    NetworkAcl,
    NetworkAclAssociation,
    NetworkAclEntry,
    Route,
    RouteTable,
    RouteTableAssociation,
    SecurityGroup,
    Subnet,
    Vpc,
    VpcEndpoint,
)
from .services import Queue, Trail
from .storage import Bucket, BucketPolicy, IamRole, KmsAlias, KmsKey, ServiceLinkedRole

HANDLERS: dict[str, Handler] = {handler.type: handler for handler in (
    Vpc(), Subnet(), InternetGateway(), GatewayAttachment(), ElasticIp(), NatGateway(), RouteTable(), Route(),
    RouteTableAssociation(), VpcEndpoint(), NetworkAcl(), NetworkAclEntry(), NetworkAclAssociation(),
    SecurityGroup(), LoadBalancer(), TargetGroup(), Listener(), LaunchTemplate(), AutoScalingGroup(),
    DbSubnetGroup(), DbInstance(), CacheSubnetGroup(), ReplicationGroup(), KmsKey(), KmsAlias(), Bucket(),
    BucketPolicy(), IamRole(), Trail(), Queue(), ServiceLinkedRole(),
)}


def declared(kind: str) -> frozenset[str]:
    """Every "service:Operation" the handlers declare as ``reads`` or ``writes``
    (reads include those the run makes for itself)."""
    calls = {call for handler in HANDLERS.values() for call in getattr(handler, kind)}
    return frozenset(calls | set(ACCOUNT_READS)) if kind == "reads" else frozenset(calls)
