"""The reference stack in a moto account: the spec the tests provision, what a moto 5.2
server cannot represent (named, with what the tests do instead), and an inventory of
everything tagged with a stack, read service by service."""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import Any, Callable, Iterable

from fixtures.livebuilder import register_cache_members, remove_default_vpc
from stackproof.provision.applier import Applier
from stackproof.provision.aws import Aws
from stackproof.provision.blueprint import STACK_TAG
from stackproof.provision.handlers.base import Options
from stackproof.provision.spec import DatabaseSpec, StackSpec
from tests.live.server import DUMMY_ENV, Moto, local_only

REGION, DR_REGION = "eu-west-2", "eu-west-1"
REGIONS = (REGION, DR_REGION)
STACK = "ref"

# What moto 5.2 cannot represent, and what the tests do about it.
NO_BACKUP_REPLICATION = (
    "RDS automated-backup replication: moto does not implement StartDBInstanceAutomatedBackupsReplication, so "
    "the stacks under test take the database to the DR region with a cross-region read replica (database.dr)")
FORGOTTEN_CACHE_MEMBERS = (
    "moto does not record the member clusters of a replication group, so DescribeCacheClusters does not answer "
    "for them; the tests register them, as AWS shows them (fixtures/livebuilder.register_cache_members)")
DEFAULT_ROOT_VOLUME = (
    "moto gives every instance an unencrypted 8 GiB root volume at /dev/sda1 of its own making, besides the "
    "volumes of the launch template (moto/ec2/models/instances.py, setup_defaults)")
NO_CACHE_SUBNET_GROUP_DELETION = "moto does not implement DeleteCacheSubnetGroup"
NO_CACHE_SUBNET_GROUP_CHANGE = ("moto does not implement ModifyCacheSubnetGroup, so a stack cannot be applied over "
                                "fewer AZs there (the tests plan it, and destroy it)")
CACHE_NEVER_DELETED = "moto leaves a deleted replication group in status 'deleting' for ever"
NO_CACHE_FINAL_SNAPSHOT = ("moto accepts DeleteReplicationGroup's FinalSnapshotIdentifier and takes no snapshot: the "
                           "tests check that it was asked for")
KMS_WAITS = "KMS deletes a key no sooner than seven days after it is scheduled (PendingDeletion)"
KEY_POLICY_PRINCIPALS_UNCHECKED = ("moto does not check that the principals a key policy names exist (KMS refuses "
                                   "the policy with MalformedPolicyDocumentException): the tests check that the "
                                   "service-linked role is there before the key is created")

READ_PREFIXES = ("Describe", "List", "Get", "Head")


def spec(certificate: str, **changes: Any) -> StackSpec:
    """The reference stack as the tests provision it (see NO_BACKUP_REPLICATION)."""
    base = StackSpec(name=STACK, region=REGION, dr_region=DR_REGION, certificate_arn=certificate,
                     database=DatabaseSpec(dr="read-replica"))
    return replace(base, **changes)


def fresh_account(moto: Moto) -> str:
    """An emptied server with no default VPCs (as a landing zone sets accounts up); returns
    the ARN of an ACM certificate for the HTTPS listener."""
    moto.reset()
    clients = moto.clients()
    for region in REGIONS:
        remove_default_vpc(clients("ec2", region))
    return clients("acm", REGION).request_certificate(DomainName="app.example.com")["CertificateArn"]


def aws(moto: Moto, hooks: Iterable[Callable[[Any], None]] = ()) -> Aws:
    """Fresh clients, as a new process would have, each checked to point at the server."""
    return Aws(endpoint_url=moto.url, on_client=[local_only(moto.url), *hooks], home_region=REGION, max_attempts=2)


def applier(moto: Moto, stack: StackSpec, hooks: Iterable[Callable[[Any], None]] = (), lines: list | None = None,
            on_action: Any = None, skip_final_snapshot: bool = True, delete_buckets: bool = False) -> Applier:
    from stackproof.provision.blueprint import build

    out = lines.append if lines is not None else (lambda line: None)
    return Applier(build(stack), aws(moto, hooks), out=out, on_action=on_action,
                   options=Options(skip_final_snapshot=skip_final_snapshot, delete_buckets=delete_buckets))


def resources(stack: StackSpec) -> int:
    """How many resources the stack has (the account's service-linked role is not one)."""
    from stackproof.provision.blueprint import build

    return len(build(stack))


def represent_cache_members(moto: Moto, stack: StackSpec) -> None:
    """See FORGOTTEN_CACHE_MEMBERS."""
    clients = moto.clients()
    group = clients("ec2", stack.region).describe_security_groups(
        Filters=[{"Name": "group-name", "Values": [f"{stack.name}-cache"]}])["SecurityGroups"][0]["GroupId"]
    register_cache_members(clients("elasticache", stack.region), f"{stack.name}-cache", f"{stack.name}-data", [group])


def cli_env() -> dict[str, str]:
    """The environment of a stackproof subprocess: dummy credentials, no AWS config."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return {**env, **DUMMY_ENV}


class Calls:
    """(service, operation) of every call made through the clients it is installed on."""

    def __init__(self) -> None:
        self.made: list[tuple[str, str]] = []

    def install(self, client: Any) -> None:
        client.meta.events.register("before-call", self._record)

    def _record(self, model: Any = None, **_: Any) -> None:
        self.made.append((model.service_model.service_name, model.name))

    def writes(self) -> list[tuple[str, str]]:
        return [(s, op) for s, op in self.made
                if not op.startswith(READ_PREFIXES) and (s, op) != ("sts", "GetCallerIdentity")]

    def index(self, service: str, operation: str) -> int:
        return self.made.index((service, operation))


@dataclass(frozen=True)
class Tagged:
    what: str  # service and kind, e.g. "ec2 vpc"
    id: str
    region: str
    state: str | None = None  # where a resource lingers in a state (terminated, PendingDeletion, deleting)


def tagged(moto: Moto, stack: str, regions: Iterable[str] = REGIONS) -> list[Tagged]:
    """Everything in the account carrying the stack's tag, read service by service."""
    clients = moto.clients()
    found: list[Tagged] = []

    def mine(tags: Iterable[dict[str, str]], key: str = "Key", value: str = "Value") -> bool:
        return any(t[key] == STACK_TAG and t[value] == stack for t in tags or [])

    for region in regions:
        ec2 = clients("ec2", region)
        # Each type is listed itself: moto's DescribeTags still answers for deleted resources.
        for what, (call, key, id_key, state_key) in EC2_LISTINGS.items():
            for item in _ec2_items(ec2, call, key):
                if mine(item.get("Tags")):
                    state = item.get(state_key) if state_key else None
                    found.append(Tagged(f"ec2 {what}", item[id_key], region,
                                        state.get("Name") if isinstance(state, dict) else state))
        for group in clients("autoscaling", region).describe_auto_scaling_groups()["AutoScalingGroups"]:
            if mine(group.get("Tags")):
                found.append(Tagged("autoscaling group", group["AutoScalingGroupName"], region))
        elb = clients("elbv2", region)
        arns = [lb["LoadBalancerArn"] for lb in elb.describe_load_balancers()["LoadBalancers"]]
        arns += [tg["TargetGroupArn"] for tg in elb.describe_target_groups()["TargetGroups"]]
        for described in (elb.describe_tags(ResourceArns=arns)["TagDescriptions"] if arns else []):
            if mine(described["Tags"]):
                found.append(Tagged("elbv2", described["ResourceArn"], region))
        rds = clients("rds", region)
        for db in rds.describe_db_instances()["DBInstances"]:
            if mine(db.get("TagList")):
                found.append(Tagged("rds instance", db["DBInstanceIdentifier"], region))
        for group in rds.describe_db_subnet_groups()["DBSubnetGroups"]:
            if mine(rds.list_tags_for_resource(ResourceName=group["DBSubnetGroupArn"])["TagList"]):
                found.append(Tagged("rds subnet group", group["DBSubnetGroupName"], region))
        for snapshot in rds.describe_db_snapshots()["DBSnapshots"]:
            if mine(rds.list_tags_for_resource(ResourceName=snapshot["DBSnapshotArn"])["TagList"]):
                found.append(Tagged("rds snapshot", snapshot["DBSnapshotIdentifier"], region))
        cache = clients("elasticache", region)
        for group in cache.describe_replication_groups()["ReplicationGroups"]:
            if mine(cache.list_tags_for_resource(ResourceName=group["ARN"])["TagList"]):
                found.append(Tagged("elasticache replication group", group["ReplicationGroupId"], region,
                                    group.get("Status")))
        for group in cache.describe_cache_subnet_groups()["CacheSubnetGroups"]:
            if mine(cache.list_tags_for_resource(ResourceName=group["ARN"])["TagList"]):
                found.append(Tagged("elasticache subnet group", group["CacheSubnetGroupName"], region))
        kms = clients("kms", region)
        for key in kms.list_keys()["Keys"]:
            if mine(kms.list_resource_tags(KeyId=key["KeyId"])["Tags"], "TagKey", "TagValue"):
                state = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"]
                found.append(Tagged("kms key", key["KeyId"], region, state))
        trails = clients("cloudtrail", region)
        for trail in trails.describe_trails(includeShadowTrails=False)["trailList"]:
            tag_lists = trails.list_tags(ResourceIdList=[trail["TrailARN"]])["ResourceTagList"]
            if tag_lists and mine(tag_lists[0].get("TagsList")):
                found.append(Tagged("cloudtrail trail", trail["Name"], region))
        sqs = clients("sqs", region)
        for url in sqs.list_queues().get("QueueUrls", []):
            if sqs.list_queue_tags(QueueUrl=url).get("Tags", {}).get(STACK_TAG) == stack:
                found.append(Tagged("sqs queue", url, region))
    s3 = clients("s3", REGION)
    for bucket in s3.list_buckets()["Buckets"]:
        try:
            tags = s3.get_bucket_tagging(Bucket=bucket["Name"])["TagSet"]
        except s3.exceptions.ClientError:
            continue
        if mine(tags):
            found.append(Tagged("s3 bucket", bucket["Name"], "global"))
    iam = clients("iam", REGION)
    for role in iam.list_roles()["Roles"]:
        if mine(iam.list_role_tags(RoleName=role["RoleName"])["Tags"]):
            found.append(Tagged("iam role", role["RoleName"], "global"))
    return found


# kind -> (describe call, result key, id key, state key)
EC2_LISTINGS = {
    "vpc": ("describe_vpcs", "Vpcs", "VpcId", None),
    "subnet": ("describe_subnets", "Subnets", "SubnetId", None),
    "internet-gateway": ("describe_internet_gateways", "InternetGateways", "InternetGatewayId", None),
    "elastic-ip": ("describe_addresses", "Addresses", "AllocationId", None),
    "natgateway": ("describe_nat_gateways", "NatGateways", "NatGatewayId", "State"),
    "route-table": ("describe_route_tables", "RouteTables", "RouteTableId", None),
    "network-acl": ("describe_network_acls", "NetworkAcls", "NetworkAclId", None),
    "security-group": ("describe_security_groups", "SecurityGroups", "GroupId", None),
    "vpc-endpoint": ("describe_vpc_endpoints", "VpcEndpoints", "VpcEndpointId", "State"),
    "launch-template": ("describe_launch_templates", "LaunchTemplates", "LaunchTemplateId", None),
    "instance": ("describe_instances", "Reservations", "InstanceId", "State"),
    "volume": ("describe_volumes", "Volumes", "VolumeId", "State"),
}


def _ec2_items(ec2: Any, call: str, key: str) -> list[dict[str, Any]]:
    items = getattr(ec2, call)()[key]
    if key == "Reservations":
        return [i for r in items for i in r["Instances"]]
    return items


def lingering(items: Iterable[Tagged]) -> list[Tagged]:
    """What is still tagged after a destroy, less what AWS or moto keep by design,
    each named: terminated instances and deleted NAT gateways and endpoints (AWS shows
    them for a while), keys pending deletion (KMS_WAITS), the replication group moto
    never finishes deleting (CACHE_NEVER_DELETED) and the cache subnet group moto cannot
    delete (NO_CACHE_SUBNET_GROUP_DELETION). What destroy keeps on purpose is no longer
    tagged with the stack (see kept_from)."""
    kept = []
    for item in items:
        if item.what == "ec2 instance" and item.state == "terminated":
            continue
        if item.what in ("ec2 natgateway", "ec2 vpc-endpoint") and item.state in ("deleted", "deleting"):
            continue
        if item.what == "kms key" and item.state == "PendingDeletion":
            continue
        if item.what == "elasticache replication group" and item.state == "deleting":
            continue
        if item.what == "elasticache subnet group":
            continue
        kept.append(item)
    return kept


def kept_from(moto: Moto, stack: str, regions: Iterable[str] = REGIONS) -> dict[str, set[str]]:
    """What a destroy kept, by kind: buckets, keys and database snapshots carrying
    RETAINED_TAG with the stack's name (and no longer the stack tag)."""
    from stackproof.provision.blueprint import RETAINED_TAG

    clients = moto.clients()
    kept: dict[str, set[str]] = {}

    def retained(tags: dict[str, str]) -> bool:
        return tags.get(RETAINED_TAG) == stack and STACK_TAG not in tags

    s3 = clients("s3", REGION)
    for bucket in s3.list_buckets()["Buckets"]:
        try:
            tags = {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=bucket["Name"])["TagSet"]}
        except s3.exceptions.ClientError:
            continue
        if retained(tags):
            kept.setdefault("bucket", set()).add(bucket["Name"])
    for region in regions:
        kms = clients("kms", region)
        for key in kms.list_keys()["Keys"]:
            tags = {t["TagKey"]: t["TagValue"] for t in kms.list_resource_tags(KeyId=key["KeyId"])["Tags"]}
            state = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"]
            if retained(tags) and state == "Enabled":
                kept.setdefault("key", set()).add(tags.get("Name", key["KeyId"]))
        for snapshot in clients("rds", region).describe_db_snapshots(SnapshotType="manual")["DBSnapshots"]:
            if retained({t["Key"]: t["Value"] for t in snapshot.get("TagList", [])}):
                kept.setdefault("db snapshot", set()).add(snapshot["DBInstanceIdentifier"])
    return kept
