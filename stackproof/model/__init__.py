"""The typed, source-neutral resource model: one frozen dataclass per AWS noun."""
from .base import Maybe, Provenance, Resource, Unknown, first_unknown, is_unknown
from .compute import (
    AutoScalingGroup,
    BlockDevice,
    EbsVolume,
    Instance,
    LaunchConfiguration,
    LaunchTemplate,
    Listener,
    ListenerAction,
    LoadBalancer,
    TargetGroup,
)
from .data import (
    BackupCopyAction,
    BackupPlan,
    BackupRule,
    Bucket,
    CloudTrail,
    DbBackupReplication,
    DbCluster,
    DbInstance,
    DbSubnetGroup,
    DynamoDbTable,
    EfsFileSystem,
    EfsMountTarget,
    ElastiCacheReplicationGroup,
    ElastiCacheSubnetGroup,
    KmsKey,
    PublicAccessBlock,
    RedshiftCluster,
    ReplicationRule,
    SnsTopic,
    SqsQueue,
    region_of_arn,
)
from .inventory import Gap, InputFile, Inventory
from .network import (
    ElasticIp,
    EgressOnlyInternetGateway,
    InternetGateway,
    NaclRule,
    NatGateway,
    NetworkAcl,
    NetworkInterface,
    PrefixList,
    Route,
    RouteTable,
    SecurityGroup,
    SgRule,
    Subnet,
    TransitGateway,
    TransitGatewayAttachment,
    Vpc,
    VpcEndpoint,
    VpcPeeringConnection,
    normalize_protocol,
)

RESOURCE_CLASSES: tuple[type[Resource], ...] = (
    Vpc, Subnet, RouteTable, InternetGateway, EgressOnlyInternetGateway, NatGateway,
    ElasticIp, NetworkInterface, NetworkAcl, SecurityGroup, VpcEndpoint, VpcPeeringConnection,
    TransitGateway, TransitGatewayAttachment, PrefixList,
    Instance, LaunchTemplate, LaunchConfiguration, AutoScalingGroup, LoadBalancer,
    Listener, TargetGroup, EbsVolume,
    DbInstance, DbCluster, DbSubnetGroup, DbBackupReplication,
    ElastiCacheReplicationGroup, ElastiCacheSubnetGroup, Bucket, DynamoDbTable,
    EfsFileSystem, EfsMountTarget, RedshiftCluster, SqsQueue, SnsTopic, KmsKey,
    CloudTrail, BackupPlan,
)
KINDS: dict[str, type[Resource]] = {cls.KIND: cls for cls in RESOURCE_CLASSES}

__all__ = [name for name in dir() if not name.startswith("_")]
