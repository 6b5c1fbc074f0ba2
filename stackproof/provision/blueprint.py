"""The reference stack spelled out: StackSpec -> every resource, as CloudFormation types
and properties, with references between them.

One blueprint feeds both the renderer (a CloudFormation template) and the applier
(boto3), so what is rendered is what is applied.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any, Iterator

from .spec import AL2023_AMI_PARAMETER, StackSpec, dr_cidr
from .values import GetAtt, Param, Ref, SsmParameter, Sub, Zone, references

STACK_TAG = "stackproof:stack"
ID_TAG = "stackproof:resource"  # the logical id: with the stack tag, it finds the resource again
OPT_OUT_TAG = "stackproof:no-replication"
# What destroy keeps (buckets, keys that encrypt kept data, final snapshots) trades the
# stack tag for this one, naming the stack: nothing is left tagged with the stack, what
# was kept says where it came from, and a later apply of the stack takes it back.
RETAINED_TAG = "stackproof:retained-from"
# Service-linked roles a key policy names: they must exist before the key (KMS refuses a
# policy naming a principal that does not exist). The account owns them, not the stack.
SERVICE_LINKED_ROLES = {"autoscaling.amazonaws.com": "AWSServiceRoleForAutoScaling"}
AZ_LETTERS = "ABC"
DB_USERNAME = "dbadmin"  # the password is managed by RDS in Secrets Manager; stackproof never sees it
# A security group with no egress at all: CloudFormation keeps the allow-all default
# unless some rule is given, so the usual idiom is one rule to the loopback address.
NO_EGRESS = [{"IpProtocol": "-1", "CidrIp": "127.0.0.1/32", "Description": "no egress"}]


@dataclass(frozen=True)
class Node:
    """One resource: a CloudFormation type and properties, in one region."""

    logical_id: str
    type: str
    region: str
    props: dict[str, Any]
    depends_on: tuple[str, ...] = ()
    # CloudFormation DeletionPolicy / UpdateReplacePolicy: what destroy does too (removal.py):
    # data is kept (buckets retained, final snapshots), and the keys that encrypt it.
    deletion_policy: str | None = None

    def dependencies(self) -> set[str]:
        return self.references() | set(self.depends_on)

    def references(self) -> set[str]:
        """Logical ids the properties refer to (Ref, GetAtt, Sub): CloudFormation can
        resolve these only within one template."""
        return set(references(self.props))

    @property
    def tags(self) -> dict[str, str]:
        """The node's tags as a dict, whatever the CloudFormation shape of its type."""
        if "TagSpecifications" in self.props:
            specs = self.props["TagSpecifications"]
            return {t["Key"]: t["Value"] for t in specs[0]["Tags"]} if specs else {}
        return {t["Key"]: t["Value"] for t in self.props.get("Tags", [])}

    @property
    def title(self) -> str:
        """How actions name the node: its Name tag, else its logical id."""
        return self.tags.get("Name") or self.logical_id


@dataclass
class Blueprint:
    spec: StackSpec
    nodes: list[Node] = field(default_factory=list)

    def __iter__(self) -> Iterator[Node]:
        return iter(self.nodes)

    def __len__(self) -> int:
        return len(self.nodes)

    @property
    def prerequisites(self) -> list[Node]:
        """What the account must have before the stack can be built: the service-linked
        roles its key policies name. apply creates them when missing; render leaves them
        to the deployer (the root template says so) and destroy leaves them alone."""
        return [Node(role, "AWS::IAM::ServiceLinkedRole", self.spec.region, {"AWSServiceName": service})
                for service, role in SERVICE_LINKED_ROLES.items()]

    def get(self, logical_id: str) -> Node:
        for node in self.nodes:
            if node.logical_id == logical_id:
                return node
        raise KeyError(logical_id)

    def ordered(self) -> list[Node]:
        """Nodes with every dependency before its dependants, otherwise in blueprint order."""
        by_id = {n.logical_id: n for n in self.nodes}
        done: set[str] = set()
        out: list[Node] = []

        def visit(node: Node, path: tuple[str, ...]) -> None:
            if node.logical_id in done:
                return
            if node.logical_id in path:
                raise ValueError(f"circular reference: {' -> '.join(path + (node.logical_id,))}")
            for dep in sorted(node.dependencies()):
                if dep not in by_id:
                    raise ValueError(f"{node.logical_id} refers to {dep}, which is not in the blueprint")
                visit(by_id[dep], path + (node.logical_id,))
            done.add(node.logical_id)
            out.append(node)

        for node in self.nodes:
            visit(node, ())
        return out


# -- addresses --------------------------------------------------------------------------


def tier_blocks(cidr: str) -> dict[str, ipaddress.IPv4Network]:
    """The VPC cut in four: public, app and data tiers, and one block spare."""
    blocks = list(ipaddress.IPv4Network(cidr).subnets(prefixlen_diff=2))
    return {"public": blocks[0], "app": blocks[1], "data": blocks[2]}


def subnet_cidrs(block: ipaddress.IPv4Network, count: int) -> list[str]:
    """One subnet per AZ out of a tier's block (room for four AZs)."""
    return [str(s) for s in list(block.subnets(prefixlen_diff=2))[:count]]


def bucket_name(spec: StackSpec, purpose: str, region: str) -> str:
    """Bucket names are global: the stack name, the purpose and the region keep them apart."""
    return f"{spec.name}-{purpose}-{region}"


# -- the builder ------------------------------------------------------------------------


class _Builder:
    def __init__(self, spec: StackSpec) -> None:
        self.spec = spec
        self.nodes: list[Node] = []

    def tags(self, logical_id: str, name: str, tier: str, **extra: str) -> list[dict[str, str]]:
        spec = self.spec
        values = {STACK_TAG: spec.name, ID_TAG: logical_id, "Name": name, "Tier": tier,
                  "Environment": spec.environment, **extra}
        return [{"Key": k, "Value": v} for k, v in values.items()]

    def add(self, logical_id: str, type_: str, props: dict[str, Any], *, region: str | None = None,
            name: str | None = None, tier: str | None = None, depends_on: tuple[str, ...] = (),
            deletion_policy: str | None = None, **extra_tags: str) -> str:
        if name is not None:
            assert tier is not None
            props = {**props, "Tags": self.tags(logical_id, name, tier, **extra_tags)}
        self.nodes.append(Node(logical_id, type_, region or self.spec.region, props, depends_on, deletion_policy))
        return logical_id


def build(spec: StackSpec) -> Blueprint:
    """Every resource of the reference stack described by ``spec``."""
    b = _Builder(spec.validate())
    _keys(b)
    network = _network(b)
    _security_groups(b, network)
    _web_and_app(b, network)
    _database(b, network)
    _cache(b, network)
    _storage(b)
    _trail_and_queue(b)
    return Blueprint(spec, b.nodes)


def _key_policy(statements: list[dict[str, Any]]) -> dict[str, Any]:
    root = {"Sid": "AccountAdministers", "Effect": "Allow",
            "Principal": {"AWS": Sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")},
            "Action": "kms:*", "Resource": "*"}
    return {"Version": "2012-10-17", "Statement": [root, *statements]}


def _keys(b: _Builder) -> None:
    spec = b.spec
    service = "autoscaling.amazonaws.com"
    autoscaling_role = Sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/aws-service-role/"
                           f"{service}/{SERVICE_LINKED_ROLES[service]}")
    data_statements = [
        {"Sid": "AutoScalingUsesKeyForVolumes", "Effect": "Allow", "Principal": {"AWS": autoscaling_role},
         "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
         "Resource": "*"},
        {"Sid": "AutoScalingGrantsForVolumes", "Effect": "Allow", "Principal": {"AWS": autoscaling_role},
         "Action": "kms:CreateGrant", "Resource": "*",
         "Condition": {"Bool": {"kms:GrantIsForAWSResource": True}}},
    ]
    logs_statements = [
        {"Sid": "CloudTrailEncryptsLogs", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "kms:GenerateDataKey*", "Resource": "*",
         "Condition": {"StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn":
                                      Sub("arn:${AWS::Partition}:cloudtrail:*:${AWS::AccountId}:trail/*")}}},
        {"Sid": "CloudTrailDescribesKey", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "kms:DescribeKey", "Resource": "*"},
    ]
    for logical_id, purpose, region, statements in (
            ("DataKey", "data", spec.region, data_statements),
            ("LogsKey", "logs", spec.region, logs_statements),
            ("DrKey", "dr", spec.dr_region, [])):
        # Retained: kept buckets and final snapshots are encrypted with them. destroy schedules
        # a key's deletion once nothing kept uses it; a template cannot tell, so it keeps them.
        b.add(logical_id, "AWS::KMS::Key", {
            "Description": f"{spec.name} {purpose} key",
            "EnableKeyRotation": True,
            "KeySpec": "SYMMETRIC_DEFAULT",
            "KeyUsage": "ENCRYPT_DECRYPT",
            "PendingWindowInDays": 7,
            "KeyPolicy": _key_policy(statements),
        }, region=region, name=f"{spec.name}-{purpose}", tier="shared", deletion_policy="Retain")
        b.add(f"{logical_id}Alias", "AWS::KMS::Alias", {
            "AliasName": f"alias/{spec.name}-{purpose}", "TargetKeyId": Ref(logical_id)}, region=region,
              deletion_policy="Retain")


@dataclass
class _Network:
    public: list[str]
    app: list[str]
    data: list[str]
    app_tables: list[str]
    data_table: str
    blocks: dict[str, ipaddress.IPv4Network]


def _network(b: _Builder) -> _Network:
    spec, n = b.spec, b.spec.network
    azs = range(n.az_count)
    blocks = tier_blocks(n.cidr)
    b.add("Vpc", "AWS::EC2::VPC", {"CidrBlock": n.cidr, "EnableDnsSupport": True, "EnableDnsHostnames": True},
          name=f"{spec.name}-vpc", tier="shared")
    b.add("InternetGateway", "AWS::EC2::InternetGateway", {}, name=f"{spec.name}-igw", tier="web")
    b.add("InternetGatewayAttachment", "AWS::EC2::VPCGatewayAttachment",
          {"VpcId": Ref("Vpc"), "InternetGatewayId": Ref("InternetGateway")})

    subnets: dict[str, list[str]] = {}
    for tier, label in (("public", "web"), ("app", "app"), ("data", "data")):
        cidrs = subnet_cidrs(blocks[tier], n.az_count)
        subnets[tier] = [b.add(f"{tier.capitalize()}Subnet{AZ_LETTERS[i]}", "AWS::EC2::Subnet", {
            "VpcId": Ref("Vpc"), "CidrBlock": cidrs[i], "AvailabilityZone": Zone(i),
            "MapPublicIpOnLaunch": False,
        }, name=f"{spec.name}-{tier}-{AZ_LETTERS[i].lower()}", tier=label) for i in azs]

    # NAT gateways: one per AZ, each in its AZ's public subnet (or one for all).
    nat_count = n.az_count if n.nat_per_az else 1
    nats = []
    for i in range(nat_count):
        letter = AZ_LETTERS[i]
        b.add(f"NatEip{letter}", "AWS::EC2::EIP", {"Domain": "vpc"}, name=f"{spec.name}-nat-{letter.lower()}",
              tier="web", depends_on=("InternetGatewayAttachment",))
        nats.append(b.add(f"NatGateway{letter}", "AWS::EC2::NatGateway", {
            "AllocationId": GetAtt(f"NatEip{letter}", "AllocationId"), "SubnetId": Ref(subnets["public"][i]),
            "ConnectivityType": "public"}, name=f"{spec.name}-nat-{letter.lower()}", tier="web"))

    # Route tables: public -> internet gateway; app (per AZ) -> its AZ's NAT; data: local only.
    b.add("PublicRouteTable", "AWS::EC2::RouteTable", {"VpcId": Ref("Vpc")},
          name=f"{spec.name}-public", tier="web")
    b.add("PublicDefaultRoute", "AWS::EC2::Route", {
        "RouteTableId": Ref("PublicRouteTable"), "DestinationCidrBlock": "0.0.0.0/0",
        "GatewayId": Ref("InternetGateway")}, depends_on=("InternetGatewayAttachment",))
    app_tables = []
    for i in azs:
        letter = AZ_LETTERS[i]
        app_tables.append(b.add(f"AppRouteTable{letter}", "AWS::EC2::RouteTable", {"VpcId": Ref("Vpc")},
                                name=f"{spec.name}-app-{letter.lower()}", tier="app"))
        b.add(f"AppDefaultRoute{letter}", "AWS::EC2::Route", {
            "RouteTableId": Ref(f"AppRouteTable{letter}"), "DestinationCidrBlock": "0.0.0.0/0",
            "NatGatewayId": Ref(nats[i] if n.nat_per_az else nats[0])})
    b.add("DataRouteTable", "AWS::EC2::RouteTable", {"VpcId": Ref("Vpc")}, name=f"{spec.name}-data", tier="data")
    if n.data_internet_route:
        b.add("DataInternetRoute", "AWS::EC2::Route", {
            "RouteTableId": Ref("DataRouteTable"), "DestinationCidrBlock": "0.0.0.0/0",
            "GatewayId": Ref("InternetGateway")}, depends_on=("InternetGatewayAttachment",))
    for tier, tables in (("public", ["PublicRouteTable"] * n.az_count), ("app", app_tables),
                         ("data", ["DataRouteTable"] * n.az_count)):
        for i in azs:
            b.add(f"{subnets[tier][i]}RouteTableAssociation", "AWS::EC2::SubnetRouteTableAssociation",
                  {"SubnetId": Ref(subnets[tier][i]), "RouteTableId": Ref(tables[i])})

    b.add("S3Endpoint", "AWS::EC2::VPCEndpoint", {
        "VpcId": Ref("Vpc"), "ServiceName": Sub("com.amazonaws.${AWS::Region}.s3"), "VpcEndpointType": "Gateway",
        "RouteTableIds": [Ref(t) for t in [*app_tables, "DataRouteTable"]]},
        name=f"{spec.name}-s3-endpoint", tier="shared")

    _network_acls(b, subnets, blocks)
    return _Network(subnets["public"], subnets["app"], subnets["data"], app_tables, "DataRouteTable", blocks)


def _network_acls(b: _Builder, subnets: dict[str, list[str]], blocks: dict[str, ipaddress.IPv4Network]) -> None:
    """Stateless ACLs as a second layer under the security groups: the internet may reach
    the public tier on 80/443 only, the app tier only from the public tier, the data tier
    only from the app tier and from itself on its ports. Return traffic comes back on
    ephemeral ports.

    The data tier admits itself because its stores span the AZs: Redis replicas in one
    data subnet replicate from the primary in another on the cache port, and a Multi-AZ
    database's standby sits in another data subnet. An ACL filters traffic between
    subnets of one VPC too, and AWS does not document that this replication bypasses
    the subnets' ACLs, so these rules make sure an ACL does not hold it up. They open the
    data ports and their replies within the data block only: nothing to another tier."""
    spec = b.spec
    anywhere, ephemeral = "0.0.0.0/0", (1024, 65535)
    web, app, data = str(blocks["public"]), str(blocks["app"]), str(blocks["data"])
    db_port, cache_port = spec.database.port, spec.cache.port
    rules = {
        "public": [(100, False, 443, 443, anywhere), (110, False, 80, 80, anywhere),
                   (120, False, *ephemeral, anywhere), (100, True, None, None, anywhere)],
        "app": [(100, False, spec.app.port, spec.app.port, web), (110, False, *ephemeral, anywhere),
                (100, True, None, None, anywhere)],
        "data": [(100, False, db_port, db_port, app), (110, False, cache_port, cache_port, app),
                 (120, False, db_port, db_port, data), (130, False, cache_port, cache_port, data),
                 (140, False, *ephemeral, data),
                 (100, True, *ephemeral, app), (110, True, db_port, db_port, data),
                 (120, True, cache_port, cache_port, data), (130, True, *ephemeral, data)],
    }
    if spec.database.open_to:  # the database port opened wider than the app tier
        rules["data"] += [(200 + i, False, spec.database.port, spec.database.port, cidr)
                          for i, cidr in enumerate(spec.database.open_to)]
    if spec.network.data_acl_open:  # never in the reference: the mutation tests break the ACL layer with it
        rules["data"] = [(100, False, None, None, anywhere), (100, True, None, None, anywhere)]
    for tier, label in (("public", "web"), ("app", "app"), ("data", "data")):
        acl = b.add(f"{tier.capitalize()}NetworkAcl", "AWS::EC2::NetworkAcl", {"VpcId": Ref("Vpc")},
                    name=f"{spec.name}-{tier}", tier=label)
        for number, egress, low, high, cidr in rules[tier]:
            entry: dict[str, Any] = {"NetworkAclId": Ref(acl), "RuleNumber": number, "Egress": egress,
                                     "RuleAction": "allow", "CidrBlock": cidr,
                                     "Protocol": -1 if low is None else 6}
            if low is not None:
                entry["PortRange"] = {"From": low, "To": high}
            b.add(f"{acl}{'Out' if egress else 'In'}{number}", "AWS::EC2::NetworkAclEntry", entry)
        for subnet in subnets[tier]:
            b.add(f"{subnet}NetworkAclAssociation", "AWS::EC2::SubnetNetworkAclAssociation",
                  {"SubnetId": Ref(subnet), "NetworkAclId": Ref(acl)})


def _tcp(port: int, **peer: Any) -> dict[str, Any]:
    return {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, **peer}


def _security_groups(b: _Builder, network: _Network) -> None:
    """internet -> balancer:443 (and :80, which only redirects) -> app -> database, cache.

    Ingress names the group it admits; egress names the tier's address block, so that
    no two groups refer to each other (CloudFormation could not order them)."""
    spec = b.spec
    app_block, data_block = str(network.blocks["app"]), str(network.blocks["data"])
    groups = {
        "LoadBalancerSecurityGroup": ("alb", "web", "internet to the load balancer",
                                      [_tcp(443, CidrIp="0.0.0.0/0", Description="HTTPS from the internet"),
                                       _tcp(80, CidrIp="0.0.0.0/0", Description="HTTP, redirected to HTTPS")],
                                      [{"IpProtocol": "-1", "CidrIp": "0.0.0.0/0", "Description": "anywhere"}]
                                      if spec.network.balancer_egress_open else
                                      [_tcp(spec.app.port, CidrIp=app_block, Description="to the app tier")]),
        "AppSecurityGroup": ("app", "app", "load balancer to the app instances",
                             [_tcp(spec.app.port, SourceSecurityGroupId=GetAtt("LoadBalancerSecurityGroup", "GroupId"),
                                   Description="from the load balancer")],
                             [_tcp(443, CidrIp="0.0.0.0/0", Description="HTTPS to AWS APIs and package mirrors"),
                              _tcp(spec.database.port, CidrIp=data_block, Description="to the database"),
                              _tcp(spec.cache.port, CidrIp=data_block, Description="to the cache")]),
        "DatabaseSecurityGroup": ("db", "data", "app instances to the database",
                                  [_tcp(spec.database.port, SourceSecurityGroupId=GetAtt("AppSecurityGroup", "GroupId"),
                                        Description="from the app tier"),
                                   *[_tcp(spec.database.port, CidrIp=cidr, Description="opened by the spec")
                                     for cidr in spec.database.open_to]],
                                  NO_EGRESS),
        "CacheSecurityGroup": ("cache", "data", "app instances to the cache",
                               [_tcp(spec.cache.port, SourceSecurityGroupId=GetAtt("AppSecurityGroup", "GroupId"),
                                     Description="from the app tier")],
                               NO_EGRESS),
    }
    for logical_id, (short, tier, description, ingress, egress) in groups.items():
        b.add(logical_id, "AWS::EC2::SecurityGroup", {
            "GroupName": f"{spec.name}-{short}", "GroupDescription": f"{spec.name}: {description}",
            "VpcId": Ref("Vpc"), "SecurityGroupIngress": ingress, "SecurityGroupEgress": egress,
        }, name=f"{spec.name}-{short}", tier=tier)


def _web_and_app(b: _Builder, network: _Network) -> None:
    spec = b.spec
    b.add("LoadBalancer", "AWS::ElasticLoadBalancingV2::LoadBalancer", {
        "Name": f"{spec.name}-alb", "Type": "application", "Scheme": "internet-facing", "IpAddressType": "ipv4",
        "Subnets": [Ref(s) for s in network.public],
        "SecurityGroups": [GetAtt("LoadBalancerSecurityGroup", "GroupId")],
        "LoadBalancerAttributes": [{"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"}],
    }, name=f"{spec.name}-alb", tier="web", depends_on=("InternetGatewayAttachment",))
    b.add("AppTargetGroup", "AWS::ElasticLoadBalancingV2::TargetGroup", {
        "Name": f"{spec.name}-app", "Protocol": "HTTP", "Port": spec.app.port, "TargetType": "instance",
        "VpcId": Ref("Vpc"), "HealthCheckPath": "/health",
    }, name=f"{spec.name}-app", tier="app")
    b.add("HttpsListener", "AWS::ElasticLoadBalancingV2::Listener", {
        "LoadBalancerArn": Ref("LoadBalancer"), "Protocol": "HTTPS", "Port": 443, "SslPolicy": spec.tls_policy,
        "Certificates": [{"CertificateArn": spec.certificate_arn or Param("CertificateArn")}],
        "DefaultActions": [{"Type": "forward", "TargetGroupArn": Ref("AppTargetGroup")}],
    })
    b.add("HttpListener", "AWS::ElasticLoadBalancingV2::Listener", {
        "LoadBalancerArn": Ref("LoadBalancer"), "Protocol": "HTTP", "Port": 80,
        "DefaultActions": [{"Type": "redirect", "RedirectConfig": {
            "Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}],
    })

    app = spec.app
    ebs: dict[str, Any] = {"VolumeSize": app.volume_gb, "VolumeType": "gp3", "DeleteOnTermination": True,
                           "Encrypted": app.volume_encrypted}
    if app.volume_encrypted:
        ebs["KmsKeyId"] = GetAtt("DataKey", "Arn")
    volume_tags = [t for t in b.tags("AppLaunchTemplate", f"{spec.name}-app", "app") if t["Key"] != ID_TAG]
    b.add("AppLaunchTemplate", "AWS::EC2::LaunchTemplate", {
        "LaunchTemplateName": f"{spec.name}-app",
        "LaunchTemplateData": {
            "ImageId": app.image_id or SsmParameter(AL2023_AMI_PARAMETER),
            "InstanceType": app.instance_type,
            "MetadataOptions": {"HttpTokens": "required", "HttpEndpoint": "enabled", "HttpPutResponseHopLimit": 1},
            "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": ebs}],
            "NetworkInterfaces": [{"DeviceIndex": 0, "AssociatePublicIpAddress": False,
                                   "Groups": [GetAtt("AppSecurityGroup", "GroupId")]}],
            "TagSpecifications": [{"ResourceType": "volume", "Tags": volume_tags}],
        },
        "TagSpecifications": [{"ResourceType": "launch-template",
                               "Tags": b.tags("AppLaunchTemplate", f"{spec.name}-app", "app")}],
    })
    low, high, want = spec.app_sizes
    group_tags = [{**t, "PropagateAtLaunch": t["Key"] != ID_TAG}
                  for t in b.tags("AppAutoScalingGroup", f"{spec.name}-app", "app")]
    b.nodes.append(Node("AppAutoScalingGroup", "AWS::AutoScaling::AutoScalingGroup", spec.region, {
        "AutoScalingGroupName": f"{spec.name}-app",
        "MinSize": low, "MaxSize": high, "DesiredCapacity": want,
        "LaunchTemplate": {"LaunchTemplateId": Ref("AppLaunchTemplate"),
                           "Version": GetAtt("AppLaunchTemplate", "LatestVersionNumber")},
        "VPCZoneIdentifier": [Ref(s) for s in network.app],
        "TargetGroupARNs": [Ref("AppTargetGroup")],
        "HealthCheckType": "ELB", "HealthCheckGracePeriod": 300,
        "Tags": group_tags,
    }, depends_on=tuple(f"AppDefaultRoute{AZ_LETTERS[i]}" for i in range(spec.network.az_count))))


def _database(b: _Builder, network: _Network) -> None:
    spec, db = b.spec, b.spec.database
    b.add("DatabaseSubnetGroup", "AWS::RDS::DBSubnetGroup", {
        "DBSubnetGroupName": f"{spec.name}-data", "DBSubnetGroupDescription": f"{spec.name} data subnets",
        "SubnetIds": [Ref(s) for s in network.data]}, name=f"{spec.name}-data", tier="data")
    props: dict[str, Any] = {
        "DBInstanceIdentifier": f"{spec.name}-db", "Engine": "postgres", "EngineVersion": db.engine_version,
        "DBInstanceClass": db.instance_class, "AllocatedStorage": db.storage_gb,
        "MaxAllocatedStorage": spec.db_max_storage_gb, "StorageType": "gp3",
        "StorageEncrypted": db.encrypted, "MultiAZ": db.multi_az, "PubliclyAccessible": False,
        "DBSubnetGroupName": Ref("DatabaseSubnetGroup"),
        "VPCSecurityGroups": [GetAtt("DatabaseSecurityGroup", "GroupId")], "Port": db.port,
        "MasterUsername": DB_USERNAME, "ManageMasterUserPassword": True,
        "BackupRetentionPeriod": db.backup_retention_days, "DeletionProtection": db.deletion_protection,
        "CopyTagsToSnapshot": True,
    }
    if db.encrypted:
        props["KmsKeyId"] = GetAtt("DataKey", "Arn")
    dr_key, key_deps = _key_in(spec, spec.db_dr_region)
    if db.dr == "backup-replication":
        props["AutomaticBackupReplicationRegion"] = spec.db_dr_region
        props["AutomaticBackupReplicationRetentionPeriod"] = db.backup_retention_days
        if db.encrypted:
            props["AutomaticBackupReplicationKmsKeyId"] = dr_key
    b.add("Database", "AWS::RDS::DBInstance", props, name=f"{spec.name}-db", tier="data",
          deletion_policy="Snapshot", depends_on=key_deps if db.dr == "backup-replication" else ())
    if db.dr == "read-replica":
        _dr_network(b)
        replica: dict[str, Any] = {
            "DBInstanceIdentifier": f"{spec.name}-db-dr",
            "SourceDBInstanceIdentifier": GetAtt("Database", "DBInstanceArn"),
            "SourceRegion": spec.region, "DBInstanceClass": db.instance_class,
            "AllocatedStorage": db.storage_gb, "MaxAllocatedStorage": spec.db_max_storage_gb,
            "MultiAZ": db.multi_az, "PubliclyAccessible": False,
            "DBSubnetGroupName": Ref("DrDatabaseSubnetGroup"),
            "VPCSecurityGroups": [GetAtt("DrDatabaseSecurityGroup", "GroupId")],
            "DeletionProtection": db.deletion_protection, "CopyTagsToSnapshot": True,
        }
        if db.encrypted:
            replica["KmsKeyId"] = dr_key
        # Delete: RDS takes no final snapshot of a read replica; its data is the primary's.
        b.add("DatabaseReplica", "AWS::RDS::DBInstance", replica, region=spec.db_dr_region,
              name=f"{spec.name}-db-dr", tier="data", deletion_policy="Delete", depends_on=key_deps)


def _key_in(spec: StackSpec, region: str) -> tuple[Any, tuple[str, ...]]:
    """(ARN, dependencies) of the stack's key in region: the data key at home, else the DR
    key, named by its alias ARN because the DR key lives in another template."""
    if region == spec.region:
        return GetAtt("DataKey", "Arn"), ()
    return Sub(f"arn:${{AWS::Partition}}:kms:{region}:${{AWS::AccountId}}:alias/{spec.name}-dr"), ("DrKeyAlias",)


def _dr_network(b: _Builder) -> None:
    """A private network in the DR region for the read replica: data subnets with no
    route out, an S3 endpoint, a subnet group and a group that admits nothing."""
    spec = b.spec
    region = spec.db_dr_region
    cidr = str(dr_cidr(spec.network.cidr))
    blocks = tier_blocks(cidr)
    b.add("DrVpc", "AWS::EC2::VPC", {"CidrBlock": cidr, "EnableDnsSupport": True, "EnableDnsHostnames": True},
          region=region, name=f"{spec.name}-dr-vpc", tier="shared")
    subnets = []
    count = max(spec.network.az_count, 2)  # an RDS subnet group needs two AZs
    for i, sub_cidr in enumerate(subnet_cidrs(blocks["data"], count)):
        letter = AZ_LETTERS[i]
        subnets.append(b.add(f"DrDataSubnet{letter}", "AWS::EC2::Subnet", {
            "VpcId": Ref("DrVpc"), "CidrBlock": sub_cidr, "AvailabilityZone": Zone(i), "MapPublicIpOnLaunch": False,
        }, region=region, name=f"{spec.name}-dr-data-{letter.lower()}", tier="data"))
    b.add("DrDataRouteTable", "AWS::EC2::RouteTable", {"VpcId": Ref("DrVpc")}, region=region,
          name=f"{spec.name}-dr-data", tier="data")
    for subnet in subnets:
        b.add(f"{subnet}RouteTableAssociation", "AWS::EC2::SubnetRouteTableAssociation",
              {"SubnetId": Ref(subnet), "RouteTableId": Ref("DrDataRouteTable")}, region=region)
    b.add("DrS3Endpoint", "AWS::EC2::VPCEndpoint", {
        "VpcId": Ref("DrVpc"), "ServiceName": Sub("com.amazonaws.${AWS::Region}.s3"), "VpcEndpointType": "Gateway",
        "RouteTableIds": [Ref("DrDataRouteTable")]}, region=region, name=f"{spec.name}-dr-s3-endpoint", tier="shared")
    # In another region, the same name as the primary's group (regions keep them apart):
    # moto 5.2 looks a cross-region replica's subnet group up in the source region, so a
    # different name could not be tested there.
    b.add("DrDatabaseSubnetGroup", "AWS::RDS::DBSubnetGroup", {
        "DBSubnetGroupName": f"{spec.name}-data" if region != spec.region else f"{spec.name}-dr-data",
        "DBSubnetGroupDescription": f"{spec.name} DR data subnets",
        "SubnetIds": [Ref(s) for s in subnets]}, region=region, name=f"{spec.name}-dr-data", tier="data")
    b.add("DrDatabaseSecurityGroup", "AWS::EC2::SecurityGroup", {
        "GroupName": f"{spec.name}-dr-db",
        "GroupDescription": f"{spec.name}: DR replica, admits nothing until failover",
        "VpcId": Ref("DrVpc"), "SecurityGroupIngress": [], "SecurityGroupEgress": NO_EGRESS,
    }, region=region, name=f"{spec.name}-dr-db", tier="data")


def _cache(b: _Builder, network: _Network) -> None:
    spec, cache = b.spec, b.spec.cache
    b.add("CacheSubnetGroup", "AWS::ElastiCache::SubnetGroup", {
        "CacheSubnetGroupName": f"{spec.name}-data", "Description": f"{spec.name} data subnets",
        "SubnetIds": [Ref(s) for s in network.data]}, name=f"{spec.name}-cache-data", tier="data")
    nodes = spec.cache_nodes
    props: dict[str, Any] = {
        "ReplicationGroupId": f"{spec.name}-cache", "ReplicationGroupDescription": f"{spec.name} sessions",
        "Engine": "redis", "EngineVersion": "7.1", "CacheNodeType": cache.node_type,
        # One shard of a primary and its replicas (cluster mode disabled).
        "NumNodeGroups": 1, "ReplicasPerNodeGroup": nodes - 1,
        "AutomaticFailoverEnabled": cache.multi_az and nodes > 1, "MultiAZEnabled": cache.multi_az and nodes > 1,
        "AtRestEncryptionEnabled": cache.at_rest_encryption, "TransitEncryptionEnabled": cache.transit_encryption,
        "CacheSubnetGroupName": Ref("CacheSubnetGroup"),
        "SecurityGroupIds": [GetAtt("CacheSecurityGroup", "GroupId")], "Port": cache.port,
        "SnapshotRetentionLimit": 7,
    }
    if cache.at_rest_encryption:
        props["KmsKeyId"] = GetAtt("DataKey", "Arn")
    b.add("Cache", "AWS::ElastiCache::ReplicationGroup", props, name=f"{spec.name}-cache", tier="data",
          deletion_policy="Snapshot")


def _deny_insecure_transport(bucket: str) -> dict[str, Any]:
    arn = f"arn:aws:s3:::{bucket}"
    return {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": [arn, f"{arn}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}


def _bucket(b: _Builder, logical_id: str, purpose: str, region: str, key: str, *,
            replicate_to: tuple[str, str] | None = None, opt_out: str | None = None,
            extra_statements: list[dict[str, Any]] = ()) -> str:
    spec, storage = b.spec, b.spec.storage
    name = bucket_name(spec, purpose, region)
    if storage.kms_encryption:
        default = {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": GetAtt(key, "Arn")}
    else:
        default = {"SSEAlgorithm": "AES256"}
    props: dict[str, Any] = {
        "BucketName": name,
        "BucketEncryption": {"ServerSideEncryptionConfiguration": [
            {"ServerSideEncryptionByDefault": default, "BucketKeyEnabled": storage.kms_encryption}]},
        "VersioningConfiguration": {"Status": "Enabled" if storage.versioning else "Suspended"},
        "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
    }
    if storage.block_public_access:
        props["PublicAccessBlockConfiguration"] = {
            "BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True, "RestrictPublicBuckets": True}
    depends_on: tuple[str, ...] = ()
    if replicate_to is not None:
        target_id, target_name = replicate_to
        # The replica is in another template: named by its ARN, ordered by DependsOn.
        destination: dict[str, Any] = {"Bucket": f"arn:aws:s3:::{target_name}"}
        depends_on = (target_id,)
        rule: dict[str, Any] = {"Id": "to-dr", "Status": "Enabled", "Priority": 1, "Filter": {"Prefix": ""},
                                "DeleteMarkerReplication": {"Status": "Enabled"}, "Destination": destination}
        if storage.kms_encryption:
            replica_key, key_deps = _key_in(spec, spec.bucket_replica_region)
            destination["EncryptionConfiguration"] = {"ReplicaKmsKeyID": replica_key}
            depends_on += key_deps
            rule["SourceSelectionCriteria"] = {"SseKmsEncryptedObjects": {"Status": "Enabled"}}
        props["ReplicationConfiguration"] = {"Role": GetAtt("ReplicationRole", "Arn"), "Rules": [rule]}
    extra = {OPT_OUT_TAG: opt_out} if opt_out else {}
    b.add(logical_id, "AWS::S3::Bucket", props, region=region, name=name, tier="data",
          deletion_policy="Retain", depends_on=depends_on, **extra)
    b.add(f"{logical_id}Policy", "AWS::S3::BucketPolicy", {
        "Bucket": Ref(logical_id),
        "PolicyDocument": {"Version": "2012-10-17",
                           "Statement": [_deny_insecure_transport(name), *extra_statements]}}, region=region,
          deletion_policy="Retain")  # a kept bucket keeps its policy
    return logical_id


def _storage(b: _Builder) -> None:
    """Data buckets and the trail's bucket, each replicated to a bucket in the DR region."""
    spec, storage = b.spec, b.spec.storage
    replica_region = spec.bucket_replica_region
    same_region = replica_region == spec.region
    trail_name = bucket_name(spec, "trail", spec.region)
    trail_arn = Sub(f"arn:${{AWS::Partition}}:cloudtrail:{spec.region}:${{AWS::AccountId}}:trail/{spec.name}")
    trail_statements = [
        {"Sid": "CloudTrailChecksAcl", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "s3:GetBucketAcl", "Resource": f"arn:aws:s3:::{trail_name}",
         "Condition": {"StringEquals": {"aws:SourceArn": trail_arn}}},
        {"Sid": "CloudTrailWrites", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "s3:PutObject", "Resource": Sub(f"arn:aws:s3:::{trail_name}/AWSLogs/${{AWS::AccountId}}/*"),
         "Condition": {"StringEquals": {"aws:SourceArn": trail_arn}}},
    ]
    sources = [(f"{_camel(p)}Bucket", p, "DataKey", []) for p in storage.buckets]
    sources.append(("TrailBucket", "trail", "LogsKey", trail_statements))
    replicas: list[tuple[str, str]] = []
    for logical_id, purpose, key, statements in sources:
        target = None
        if storage.replicate:
            replica_id = f"{logical_id}Replica"
            replica_purpose = f"{purpose}-replica" if same_region else purpose
            replica_key = "DataKey" if same_region else "DrKey"
            _bucket(b, replica_id, replica_purpose, replica_region, replica_key,
                    opt_out=f"DR replica of {bucket_name(spec, purpose, spec.region)}")
            target = (replica_id, bucket_name(spec, replica_purpose, replica_region))
            replicas.append(target)
        _bucket(b, logical_id, purpose, spec.region, key, replicate_to=target, extra_statements=statements)
    if replicas:
        _replication_role(b, [s[1] for s in sources], replicas)


def _camel(text: str) -> str:
    return "".join(part.capitalize() for part in text.split("-"))


def _replication_role(b: _Builder, purposes: list[str], replicas: list[tuple[str, str]]) -> None:
    spec = b.spec
    sources = [f"arn:aws:s3:::{bucket_name(spec, p, spec.region)}" for p in purposes]
    targets = [f"arn:aws:s3:::{name}" for _, name in replicas]
    statements: list[dict[str, Any]] = [
        {"Effect": "Allow", "Action": ["s3:GetReplicationConfiguration", "s3:ListBucket"], "Resource": sources},
        {"Effect": "Allow", "Action": ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl",
                                       "s3:GetObjectVersionTagging"], "Resource": [f"{s}/*" for s in sources]},
        {"Effect": "Allow", "Action": ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
         "Resource": [f"{t}/*" for t in targets]},
    ]
    if spec.storage.kms_encryption:
        statements.append({"Effect": "Allow", "Action": "kms:Decrypt",
                           "Resource": [GetAtt("DataKey", "Arn"), GetAtt("LogsKey", "Arn")]})
        region = spec.bucket_replica_region
        if region == spec.region:
            statements.append({"Effect": "Allow", "Action": "kms:Encrypt", "Resource": [GetAtt("DataKey", "Arn")]})
        else:  # the DR key's ARN is not known in this region's template: match it by its alias
            statements.append({"Effect": "Allow", "Action": "kms:Encrypt",
                               "Resource": Sub(f"arn:${{AWS::Partition}}:kms:{region}:${{AWS::AccountId}}:key/*"),
                               "Condition": {"ForAnyValue:StringEquals": {
                                   "kms:ResourceAliases": f"alias/{spec.name}-dr"}}})
    b.add("ReplicationRole", "AWS::IAM::Role", {
        "RoleName": f"{spec.name}-s3-replication",
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
        "Policies": [{"PolicyName": "replicate-to-dr", "PolicyDocument": {"Version": "2012-10-17",
                                                                          "Statement": statements}}],
    }, name=f"{spec.name}-s3-replication", tier="shared")


def _trail_and_queue(b: _Builder) -> None:
    spec = b.spec
    trail: dict[str, Any] = {
        "TrailName": spec.name, "S3BucketName": Ref("TrailBucket"), "IsLogging": True,
        "IsMultiRegionTrail": spec.trail_multi_region, "IncludeGlobalServiceEvents": True,
        "EnableLogFileValidation": True,
    }
    if spec.trail_encrypted:
        trail["KMSKeyId"] = GetAtt("LogsKey", "Arn")
    b.add("Trail", "AWS::CloudTrail::Trail", trail, name=f"{spec.name}-trail", tier="shared",
          depends_on=("TrailBucketPolicy",))
    queue: dict[str, Any] = {"QueueName": f"{spec.name}-jobs"}
    if spec.queue_encrypted:
        queue["KmsMasterKeyId"] = GetAtt("DataKey", "Arn")
        queue["KmsDataKeyReusePeriodSeconds"] = 300
    else:
        queue["SqsManagedSseEnabled"] = False
    b.add("JobsQueue", "AWS::SQS::Queue", queue, name=f"{spec.name}-jobs", tier="app")
