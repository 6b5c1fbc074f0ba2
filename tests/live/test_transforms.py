"""The pure transforms: service responses (as the collectors keep them) -> the model.

Each case is a small response in the shape AWS documents, and the fields a user would
check: references as ARNs, names from Name tags, what "not configured" means, and
Unknown (never a default) where a per-resource call failed.
"""
from __future__ import annotations

import pytest

from stackproof.loaders.live.transforms import (
    autoscaling,
    backup,
    cloudtrail,
    dynamodb,
    ec2,
    elasticache,
    elb,
    elbv2,
    kms,
    rds,
    s3,
    sns,
    sqs,
    vpc,
)
from stackproof.loaders.live.transforms.common import Where
from stackproof.model import (
    Bucket,
    DbBackupReplication,
    DbInstance,
    DynamoDbTable,
    EbsVolume,
    ElastiCacheReplicationGroup,
    ElasticIp,
    Instance,
    KmsKey,
    LaunchTemplate,
    Listener,
    NetworkAcl,
    NetworkInterface,
    RouteTable,
    SecurityGroup,
    SqsQueue,
    Subnet,
    TargetGroup,
    TransitGateway,
    TransitGatewayAttachment,
    Unknown,
    Vpc,
)

W = Where("111122223333", "eu-west-2")
P = "arn:aws:ec2:eu-west-2:111122223333"
DENIED = {"error": {"operation": "GetBucketEncryption", "code": "AccessDenied", "reason": "access denied (AccessDenied)"}}


def by_kind(resources, cls):
    return {r.key: r for r in resources if isinstance(r, cls)}


def tags(**values):
    return [{"Key": k, "Value": v} for k, v in values.items()]


# -- VPC ------------------------------------------------------------------------------

NETWORK = {
    "vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16", "Tags": tags(Name="main"),
              "CidrBlockAssociationSet": [{"CidrBlock": "10.0.0.0/16", "CidrBlockState": {"State": "associated"}},
                                          {"CidrBlock": "10.1.0.0/16", "CidrBlockState": {"State": "associated"}}]}],
    "subnets": [
        {"SubnetId": "subnet-pub", "VpcId": "vpc-1", "CidrBlock": "10.0.0.0/24", "AvailabilityZone": "eu-west-2a",
         "MapPublicIpOnLaunch": True, "Tags": tags(Name="public-a"),
         "SubnetArn": f"{P}:subnet/subnet-pub"},
        {"SubnetId": "subnet-data", "VpcId": "vpc-1", "CidrBlock": "10.0.20.0/24", "AvailabilityZone": "eu-west-2b",
         "MapPublicIpOnLaunch": False, "Tags": tags(Name="data-b")},
    ],
    "route_tables": [
        {"RouteTableId": "rtb-main", "VpcId": "vpc-1", "Associations": [{"Main": True}],
         "Routes": [{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active"}]},
        {"RouteTableId": "rtb-pub", "VpcId": "vpc-1", "Tags": tags(Name="rtb-public"),
         "Associations": [{"Main": False, "SubnetId": "subnet-pub"}],
         "Routes": [{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local"},
                    {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-1", "State": "active"},
                    {"DestinationCidrBlock": "192.168.0.0/16", "NatGatewayId": "nat-gone", "State": "blackhole"},
                    {"DestinationPrefixListId": "pl-123", "GatewayId": "vpce-9"},
                    {"DestinationCidrBlock": "172.16.0.0/12", "GatewayId": "igw-deleted", "State": "active"},
                    {"DestinationCidrBlock": "100.64.0.0/10", "NatGatewayId": "nat-1", "State": "active"}]},
    ],
    "internet_gateways": [{"InternetGatewayId": "igw-1", "Attachments": [{"VpcId": "vpc-1", "State": "available"}]}],
    "egress_only_internet_gateways": [],
    "nat_gateways": [{"NatGatewayId": "nat-1", "SubnetId": "subnet-pub", "State": "available",
                      "NatGatewayAddresses": [{"AllocationId": "eipalloc-1"}]},
                     {"NatGatewayId": "nat-old", "SubnetId": "subnet-pub", "State": "deleted"}],
    "addresses": [{"AllocationId": "eipalloc-1", "PublicIp": "203.0.113.7", "NetworkInterfaceId": "eni-1"}],
    "network_acls": [
        {"NetworkAclId": "acl-default", "VpcId": "vpc-1", "IsDefault": True,
         "Associations": [{"SubnetId": "subnet-pub"}],
         "Entries": [{"RuleNumber": 100, "Protocol": "-1", "RuleAction": "allow", "Egress": False,
                      "CidrBlock": "0.0.0.0/0"},
                     {"RuleNumber": 32767, "Protocol": "-1", "RuleAction": "deny", "Egress": False,
                      "CidrBlock": "0.0.0.0/0"}]},
        {"NetworkAclId": "acl-data", "VpcId": "vpc-1", "IsDefault": False,
         "Associations": [{"SubnetId": "subnet-data"}],
         "Entries": [{"RuleNumber": 110, "Protocol": "6", "RuleAction": "allow", "Egress": True,
                      "CidrBlock": "10.0.0.0/16", "PortRange": {"From": 1024, "To": 65535}}]},
    ],
    "security_groups": [
        {"GroupId": "sg-app", "GroupName": "app", "VpcId": "vpc-1", "Description": "app",
         "IpPermissions": [
             {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080,
              "UserIdGroupPairs": [{"GroupId": "sg-alb", "UserId": "111122223333", "Description": "from alb"},
                                   {"GroupId": "sg-app", "UserId": "111122223333"},
                                   {"GroupId": "sg-peer", "UserId": "999988887777"}],
              "IpRanges": [], "Ipv6Ranges": [], "PrefixListIds": []}],
         "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                                  "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}]},
    ],
    "vpc_endpoints": [{"VpcEndpointId": "vpce-9", "VpcId": "vpc-1", "ServiceName": "com.amazonaws.eu-west-2.s3",
                       "VpcEndpointType": "Gateway", "RouteTableIds": ["rtb-pub"], "State": "available"}],
    "vpc_peering_connections": [{"VpcPeeringConnectionId": "pcx-1", "Status": {"Code": "active"},
                                 "RequesterVpcInfo": {"VpcId": "vpc-1", "OwnerId": "111122223333",
                                                      "Region": "eu-west-2"},
                                 "AccepterVpcInfo": {"VpcId": "vpc-9", "OwnerId": "999988887777",
                                                     "Region": "eu-west-1"}}],
    "transit_gateway_vpc_attachments": [],
}


def test_network_references_are_arns_and_associations_are_resolved():
    resources = list(vpc.transform(NETWORK, W))
    vpcs, subnets = by_kind(resources, Vpc), by_kind(resources, Subnet)
    main = vpcs[f"{P}:vpc/vpc-1"]
    assert main.name == "main" and main.cidr_blocks == ("10.0.0.0/16", "10.1.0.0/16")
    assert main.main_route_table == f"{P}:route-table/rtb-main"
    assert main.default_network_acl == f"{P}:network-acl/acl-default"
    public = subnets[f"{P}:subnet/subnet-pub"]
    assert (public.name, public.vpc, public.availability_zone) == ("public-a", f"{P}:vpc/vpc-1", "eu-west-2a")
    assert public.map_public_ip_on_launch is True
    assert public.route_table == f"{P}:route-table/rtb-pub"
    assert public.network_acl == f"{P}:network-acl/acl-default"  # the default ACL's association is explicit live
    data = subnets[f"{P}:subnet/subnet-data"]
    assert data.route_table is None  # no association: the VPC's main table
    assert data.network_acl == f"{P}:network-acl/acl-data"
    assert public.prov.source == "live" and public.prov.account == "111122223333" and public.prov.region == "eu-west-2"


def test_routes_name_their_targets_and_blackholes():
    tables = by_kind(vpc.transform(NETWORK, W), RouteTable)
    main, public = tables[f"{P}:route-table/rtb-main"], tables[f"{P}:route-table/rtb-pub"]
    assert main.is_main is True and public.is_main is False
    routes = {r.destination: r for r in public.routes}
    assert (routes["10.0.0.0/16"].target_type, routes["10.0.0.0/16"].target) == ("local", "local")
    assert (routes["0.0.0.0/0"].target_type, routes["0.0.0.0/0"].target) == (
        "internet_gateway", f"{P}:internet-gateway/igw-1")
    assert routes["192.168.0.0/16"].target_type == "nat_gateway" and routes["192.168.0.0/16"].blackhole is True
    assert routes["pl-123"].target_type == "vpc_endpoint"
    # a gateway DescribeInternetGateways does not show attached to the VPC is gone: a blackhole
    assert routes["172.16.0.0/12"].blackhole is True and routes["0.0.0.0/0"].blackhole is False
    assert routes["100.64.0.0/10"].blackhole is False  # nat-1 is available


def test_security_group_rules_keep_peers_together_and_mark_self():
    group = by_kind(vpc.transform(NETWORK, W), SecurityGroup)[f"{P}:security-group/sg-app"]
    ingress, egress = group.ingress, group.egress
    assert len(ingress) == 1 and len(egress) == 1
    rule = ingress[0]
    assert (rule.protocol, rule.from_port, rule.to_port) == ("tcp", 8080, 8080)
    assert rule.self_reference is True
    assert rule.security_groups == (f"{P}:security-group/sg-alb",
                                    "arn:aws:ec2:eu-west-2:999988887777:security-group/sg-peer")
    assert rule.description == "from alb"
    assert (egress[0].protocol, egress[0].from_port, egress[0].to_port) == ("-1", None, None)
    assert egress[0].cidr_blocks == ("0.0.0.0/0",) and egress[0].ipv6_cidr_blocks == ("::/0",)


def test_nacl_rules_and_other_network_nouns():
    resources = list(vpc.transform(NETWORK, W))
    acl = by_kind(resources, NetworkAcl)[f"{P}:network-acl/acl-data"]
    assert acl.subnets == (f"{P}:subnet/subnet-data",)
    (rule,) = acl.rules
    assert (rule.rule_number, rule.egress, rule.action, rule.protocol, rule.from_port, rule.to_port) == (
        110, True, "allow", "tcp", 1024, 65535)
    keys = {r.key for r in resources}
    assert f"{P}:natgateway/nat-1" in keys and f"{P}:natgateway/nat-old" not in keys  # deleted gateways are gone
    nat = next(r for r in resources if r.key == f"{P}:natgateway/nat-1")
    assert nat.elastic_ip == f"{P}:elastic-ip/eipalloc-1" and nat.subnet == f"{P}:subnet/subnet-pub"
    peering = next(r for r in resources if r.key == f"{P}:vpc-peering-connection/pcx-1")
    assert peering.peer_vpc == "arn:aws:ec2:eu-west-1:999988887777:vpc/vpc-9"


def interface(ident, instance=None, index=None, **fields):
    """A DescribeNetworkInterfaces item; ``instance`` attaches it at device ``index``."""
    found = {"NetworkInterfaceId": ident, "SubnetId": "subnet-pub", "Groups": [{"GroupId": "sg-app"}],
             "PrivateIpAddress": "10.0.0.10", "Ipv6Addresses": [], "TagSet": [], **fields}
    if instance:
        found["Attachment"] = {"InstanceId": instance, "InstanceOwnerId": "111122223333", "DeviceIndex": index,
                               "Status": "attached"}
    return found


def test_network_interfaces_of_instances_and_the_elastic_ips_on_them():
    data = {**NETWORK, "network_interfaces": [
        interface("eni-primary", "i-1", 0, TagSet=tags(Name="web-eth0"),
                  Ipv6Addresses=[{"Ipv6Address": "2001:db8::1"}, {"Ipv6Address": "2001:db8::2"}]),
        interface("eni-second", "i-1", 1, SubnetId="subnet-data", Groups=[{"GroupId": "sg-admin"}],
                  PrivateIpAddress="10.0.20.5",
                  Association={"PublicIp": "203.0.113.20", "AllocationId": "eipalloc-2"}),
        # a load balancer's interface (no instance) and one that is being detached place nothing
        {**interface("eni-elb"),
         "Attachment": {"InstanceOwnerId": "amazon-elb", "DeviceIndex": 1, "Status": "attached"}},
        {**interface("eni-leaving"),
         "Attachment": {"InstanceId": "i-1", "DeviceIndex": 2, "Status": "detaching"}},
    ], "addresses": [
        # DescribeAddresses names the instance of an address on its second interface as well
        {"AllocationId": "eipalloc-2", "PublicIp": "203.0.113.20", "NetworkInterfaceId": "eni-second",
         "NetworkInterfaceOwnerId": "111122223333", "InstanceId": "i-1", "AssociationId": "eipassoc-2"},
        {"AllocationId": "eipalloc-3", "PublicIp": "203.0.113.30", "InstanceId": "i-9"},
        {"AllocationId": "eipalloc-4", "PublicIp": "203.0.113.40"},
    ]}
    resources = list(vpc.transform(data, W))
    interfaces = by_kind(resources, NetworkInterface)
    assert set(interfaces) == {f"{P}:network-interface/eni-primary", f"{P}:network-interface/eni-second"}
    primary, second = interfaces[f"{P}:network-interface/eni-primary"], interfaces[f"{P}:network-interface/eni-second"]
    assert (primary.name, primary.instance, primary.device_index) == ("web-eth0", f"{P}:instance/i-1", 0)
    assert (primary.subnet, primary.security_groups) == (f"{P}:subnet/subnet-pub", (f"{P}:security-group/sg-app",))
    assert (primary.private_ip, primary.public_ip, primary.ipv6_address_count) == ("10.0.0.10", None, 2)
    assert (second.device_index, second.subnet, second.public_ip) == (1, f"{P}:subnet/subnet-data", "203.0.113.20")
    assert second.security_groups == (f"{P}:security-group/sg-admin",) and second.ipv6_address_count == 0
    eips = by_kind(resources, ElasticIp)
    # on an interface, the address is on that interface only (not the instance's primary placement)
    on_second = eips[f"{P}:elastic-ip/eipalloc-2"]
    assert (on_second.network_interface, on_second.instance) == (f"{P}:network-interface/eni-second", None)
    assert eips[f"{P}:elastic-ip/eipalloc-3"].instance == f"{P}:instance/i-9"
    assert (eips[f"{P}:elastic-ip/eipalloc-4"].instance, eips[f"{P}:elastic-ip/eipalloc-4"].network_interface) == (
        None, None)


SHARED = "arn:aws:ec2:eu-west-2:999988887777:transit-gateway/tgw-shared"


def transit(ident, referencing=None, **fields):
    options = {"SecurityGroupReferencingSupport": referencing} if referencing else {}
    return {"TransitGatewayId": ident, "TransitGatewayArn": f"{P}:transit-gateway/{ident}", "OwnerId": "111122223333",
            "State": "available", "Options": {"DnsSupport": "enable", **options}, **fields}


def attachment(ident, gateway, referencing="enable", **fields):
    return {"TransitGatewayAttachmentId": ident, "TransitGatewayId": gateway, "TransitGatewayOwnerId": "111122223333",
            "VpcId": "vpc-1", "VpcOwnerId": "111122223333", "State": "available", "SubnetIds": ["subnet-data"],
            "Options": {"SecurityGroupReferencingSupport": referencing}, **fields}


def test_transit_gateways_their_attachments_and_group_referencing():
    route = {"DestinationCidrBlock": "10.9.0.0/16", "TransitGatewayId": "tgw-shared", "State": "active"}
    data = {**NETWORK,
            "route_tables": [{**NETWORK["route_tables"][0], "Routes": [*NETWORK["route_tables"][0]["Routes"], route]}],
            "transit_gateways": [
                transit("tgw-on", "enable", Tags=tags(Name="hub")),
                transit("tgw-old"),  # an answer without the option says nothing about it
                transit("tgw-gone", "enable", State="deleted"),
                {**transit("tgw-shared", "enable"), "OwnerId": "999988887777", "TransitGatewayArn": SHARED}],
            "transit_gateway_vpc_attachments": [
                attachment("tgw-attach-1", "tgw-on", "disable"),
                attachment("tgw-attach-2", "tgw-shared", TransitGatewayOwnerId="999988887777"),
                attachment("tgw-attach-3", "tgw-on", Options={}),
                attachment("tgw-attach-4", "tgw-on", State="deleted")]}
    resources = list(vpc.transform(data, W))
    gateways = by_kind(resources, TransitGateway)
    assert set(gateways) == {f"{P}:transit-gateway/tgw-on", f"{P}:transit-gateway/tgw-old", SHARED}
    hub = gateways[f"{P}:transit-gateway/tgw-on"]
    assert hub.name == "hub" and hub.security_group_referencing is True
    old = gateways[f"{P}:transit-gateway/tgw-old"].security_group_referencing
    assert isinstance(old, Unknown) and "did not state SecurityGroupReferencingSupport" in old.reason
    attachments = by_kind(resources, TransitGatewayAttachment)
    assert set(attachments) == {f"{P}:transit-gateway-attachment/tgw-attach-{i}" for i in (1, 2, 3)}
    first = attachments[f"{P}:transit-gateway-attachment/tgw-attach-1"]
    assert (first.transit_gateway, first.vpc, first.security_group_referencing) == (
        f"{P}:transit-gateway/tgw-on", f"{P}:vpc/vpc-1", False)
    # a gateway another account shares: its key is its owner's ARN, for the attachment and the route alike
    assert attachments[f"{P}:transit-gateway-attachment/tgw-attach-2"].transit_gateway == SHARED
    (table,) = by_kind(resources, RouteTable).values()
    assert next(r for r in table.routes if r.destination == "10.9.0.0/16").target == SHARED
    assert isinstance(attachments[f"{P}:transit-gateway-attachment/tgw-attach-3"].security_group_referencing, Unknown)


def test_transit_gateways_that_could_not_be_listed_have_unknown_group_referencing():
    failed_listing = {"error": {"operation": "DescribeTransitGateways", "code": "UnauthorizedOperation",
                                "reason": "access denied (UnauthorizedOperation)"}}
    data = {**NETWORK, "transit_gateways": failed_listing,
            "transit_gateway_vpc_attachments": [attachment("tgw-attach-1", "tgw-on"),
                                                attachment("tgw-attach-2", "tgw-on")]}
    (gateway,) = by_kind(vpc.transform(data, W), TransitGateway).values()
    assert gateway.key == f"{P}:transit-gateway/tgw-on"
    assert isinstance(gateway.security_group_referencing, Unknown)
    assert gateway.security_group_referencing.reason == ("DescribeTransitGateways failed: "
                                                         "access denied (UnauthorizedOperation)")


# -- EC2 compute ----------------------------------------------------------------------


def test_instances_take_encryption_from_their_volumes_and_public_ip_from_the_account():
    data = {
        "instances": [{"InstanceId": "i-1", "SubnetId": "subnet-pub", "InstanceType": "t3.micro",
                       "PublicIpAddress": "203.0.113.9", "Placement": {"AvailabilityZone": "eu-west-2a"},
                       "SecurityGroups": [{"GroupId": "sg-app"}], "MetadataOptions": {"HttpTokens": "optional"},
                       "Tags": tags(Name="web-1", **{"aws:ec2launchtemplate:id": "lt-1"}),
                       "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeId": "vol-1"}},
                                               {"DeviceName": "/dev/xvdb", "Ebs": {"VolumeId": "vol-gone"}}]},
                      {"InstanceId": "i-2", "BlockDeviceMappings": [], "SecurityGroups": [],
                       "NetworkInterfaces": [{"SubnetId": "subnet-data", "Attachment": {"DeviceIndex": 0},
                                              "Groups": [{"GroupId": "sg-db"}]},
                                             {"SubnetId": "subnet-other", "Attachment": {"DeviceIndex": 1},
                                              "Groups": [{"GroupId": "sg-other"}]}]}],
        "launch_templates": [],
        "volumes": [{"VolumeId": "vol-1", "Encrypted": False, "Size": 8, "VolumeType": "gp3", "Iops": 3000,
                     "AvailabilityZone": "eu-west-2a"}],
    }
    resources = list(ec2.transform(data, W))
    instances = by_kind(resources, Instance)
    web = instances[f"{P}:instance/i-1"]
    assert web.name == "web-1" and web.associate_public_ip_address is True and web.public_ip == "203.0.113.9"
    assert web.launch_template == f"{P}:launch-template/lt-1"
    assert web.security_groups == (f"{P}:security-group/sg-app",) and web.metadata_http_tokens == "optional"
    first, second = web.block_devices
    assert first.encrypted is False and first.volume_size == 8
    assert isinstance(second.encrypted, Unknown) and "vol-gone" in second.encrypted.reason
    assert isinstance(web.ipv6_address_count, Unknown)  # no interface described: not "the subnet decides"
    second_instance = instances[f"{P}:instance/i-2"]
    assert second_instance.associate_public_ip_address is False
    assert second_instance.ipv6_address_count == 0  # its primary interface has no IPv6 address
    # groups and subnet from the primary network interface when the instance does not list them
    assert second_instance.security_groups == (f"{P}:security-group/sg-db",)
    assert second_instance.subnet == f"{P}:subnet/subnet-data"
    volume = by_kind(resources, EbsVolume)[f"{P}:volume/vol-1"]
    assert (volume.encrypted, volume.size, volume.iops) == (False, 8, 3000)


def test_launch_templates_read_the_latest_version_or_say_unknown():
    data = {"instances": [], "volumes": [], "launch_templates": [
        {"LaunchTemplateId": "lt-1", "LaunchTemplateName": "app", "Tags": tags(Name="lt-app"),
         "LatestVersion": {"LaunchTemplateData": {
             "InstanceType": "t3.medium", "SecurityGroupIds": ["sg-app"],
             "NetworkInterfaces": [{"AssociatePublicIpAddress": False, "Groups": ["sg-extra"]}],
             "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 30, "VolumeType": "gp3"}},
                                     {"DeviceName": "/dev/sdb", "VirtualName": "ephemeral0"}],
             "MetadataOptions": {"HttpTokens": "required"}}}},
        {"LaunchTemplateId": "lt-2", "LaunchTemplateName": "denied",
         "LatestVersion": {"error": {"operation": "DescribeLaunchTemplateVersions", "code": "UnauthorizedOperation",
                                     "reason": "access denied (UnauthorizedOperation)"}}},
    ]}
    templates = by_kind(ec2.transform(data, W), LaunchTemplate)
    app = templates[f"{P}:launch-template/lt-1"]
    assert app.name == "lt-app" and app.associate_public_ip_address is False
    assert app.security_groups == (f"{P}:security-group/sg-app", f"{P}:security-group/sg-extra")
    root, ephemeral = app.block_devices
    assert root.encrypted is None  # not requested: the account default decides, as in a plan
    assert ephemeral.ephemeral is True
    denied = templates[f"{P}:launch-template/lt-2"]
    assert isinstance(denied.block_devices, Unknown) and "UnauthorizedOperation" in denied.block_devices.reason


def test_auto_scaling_groups_reference_subnets_templates_and_configurations():
    data = {"groups": [{"AutoScalingGroupName": "app", "AutoScalingGroupARN": "arn:aws:autoscaling:x:asg/app",
                        "VPCZoneIdentifier": "subnet-a, subnet-b", "MinSize": 2, "MaxSize": 6, "DesiredCapacity": 3,
                        "LaunchTemplate": {"LaunchTemplateId": "lt-1", "Version": "$Latest"},
                        "TargetGroupARNs": ["arn:tg"], "Tags": tags(Name="asg-app")},
                       {"AutoScalingGroupName": "old", "LaunchConfigurationName": "lc-old", "MinSize": 1,
                        "MaxSize": 1, "DesiredCapacity": 1, "AvailabilityZones": ["eu-west-2a"]}],
            "launch_configurations": [{"LaunchConfigurationName": "lc-old", "LaunchConfigurationARN": "arn:lc-old",
                                       "InstanceType": "t2.micro", "AssociatePublicIpAddress": True,
                                       "SecurityGroups": ["sg-1"]}]}
    found = {r.name: r for r in autoscaling.transform(data, W)}
    app = found["asg-app"]
    assert app.subnets == (f"{P}:subnet/subnet-a", f"{P}:subnet/subnet-b")
    assert (app.min_size, app.desired_capacity, app.max_size) == (2, 3, 6)
    assert app.launch_template == f"{P}:launch-template/lt-1" and app.target_groups == ("arn:tg",)
    assert found["old"].launch_configuration == "arn:lc-old"
    assert found["lc-old"].associate_public_ip_address is True


# -- Load balancers -------------------------------------------------------------------


def test_listeners_are_named_after_their_load_balancer_name_tag_and_port():
    lb_arn = "arn:aws:elasticloadbalancing:eu-west-2:111122223333:loadbalancer/app/web/1"
    data = {"load_balancers": [{
        "LoadBalancerArn": lb_arn, "LoadBalancerName": "three-tier-web", "Type": "application",
        "Scheme": "internet-facing", "SecurityGroups": ["sg-alb"],
        "AvailabilityZones": [{"ZoneName": "eu-west-2a", "SubnetId": "subnet-a"},
                              {"ZoneName": "eu-west-2b", "SubnetId": "subnet-b"}],
        "Listeners": [{"ListenerArn": "arn:l80", "Port": 80, "Protocol": "HTTP",
                       "DefaultActions": [{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443"}}]},
                      {"ListenerArn": "arn:l443", "Port": 443, "Protocol": "HTTPS", "SslPolicy": "TLS13",
                       "Certificates": [{"CertificateArn": "arn:cert"}],
                       "DefaultActions": [{"Type": "forward", "ForwardConfig": {"TargetGroups": [
                           {"TargetGroupArn": "arn:tg1"}, {"TargetGroupArn": "arn:tg2"}]}}]}]}],
        "target_groups": [{"TargetGroupArn": "arn:tg1", "TargetGroupName": "app", "Port": 8080, "Protocol": "HTTP",
                           "VpcId": "vpc-1", "TargetType": "instance",
                           "TargetHealth": {"TargetHealthDescriptions": [{"Target": {"Id": "i-1", "Port": 8080}}]}},
                          {"TargetGroupArn": "arn:tg2", "TargetGroupName": "other",
                           "TargetHealth": {"error": {"operation": "DescribeTargetHealth", "code": "AccessDenied",
                                                      "reason": "access denied"}}}],
        "tags": {lb_arn: tags(Name="alb")}}
    resources = list(elbv2.transform(data, W))
    listeners = {r.name: r for r in resources if isinstance(r, Listener)}
    assert set(listeners) == {"alb:80", "alb:443"}
    assert listeners["alb:80"].default_actions[0].redirect_protocol == "HTTPS"
    assert listeners["alb:443"].default_actions[0].target_groups == ("arn:tg1", "arn:tg2")
    assert listeners["alb:443"].load_balancer == lb_arn and listeners["alb:443"].certificate == "arn:cert"
    balancer = next(r for r in resources if r.key == lb_arn)
    assert balancer.subnets == (f"{P}:subnet/subnet-a", f"{P}:subnet/subnet-b")
    assert balancer.availability_zones == ("eu-west-2a", "eu-west-2b")
    groups = {r.key: r for r in resources if r.KIND == "aws.elb.target_group"}
    assert groups["arn:tg1"].targets == (f"{P}:instance/i-1",)
    assert isinstance(groups["arn:tg2"].targets, Unknown)


def test_network_balancers_address_types_and_whether_targets_see_the_client():
    def group(name, protocol, attributes="absent", target_type="instance"):
        found = {"TargetGroupArn": f"arn:{name}", "TargetGroupName": name, "Protocol": protocol, "Port": 22,
                 "TargetType": target_type, "TargetHealth": {"TargetHealthDescriptions": []}}
        return found if attributes == "absent" else {**found, "Attributes": attributes}

    def attribute(value):
        return [{"Key": "deregistration_delay.timeout_seconds", "Value": "300"},
                {"Key": "preserve_client_ip.enabled", "Value": value}]

    denied = {"error": {"operation": "DescribeTargetGroupAttributes", "code": "AccessDenied",
                        "reason": "access denied (AccessDenied)"}}
    data = {"load_balancers": [
        {"LoadBalancerArn": "arn:nlb", "LoadBalancerName": "nlb", "Type": "network", "IpAddressType": "dualstack"},
        {"LoadBalancerArn": "arn:old", "LoadBalancerName": "old", "Type": "network"}],
        "target_groups": [group("on", "TCP", attribute("true")), group("off", "UDP", attribute("false"), "ip"),
                          group("unstated", "TLS", attribute("true")[:1]), group("denied", "TCP", denied),
                          group("unread", "TCP"), group("web", "HTTP")],
        "tags": {}}
    resources = list(elbv2.transform(data, W))
    balancers = {r.key: r for r in resources if r.KIND == "aws.elb.load_balancer"}
    assert balancers["arn:nlb"].ip_address_type == "dualstack"
    assert isinstance(balancers["arn:old"].ip_address_type, Unknown)  # not AWS's default, unstated
    client_ip = {r.name: r.preserve_client_ip for r in resources if isinstance(r, TargetGroup)}
    assert (client_ip["on"], client_ip["off"], client_ip["web"]) == (True, False, None)  # HTTP: no such setting
    assert "did not state preserve_client_ip.enabled" in client_ip["unstated"].reason
    assert client_ip["denied"].reason == "DescribeTargetGroupAttributes failed: access denied (AccessDenied)"
    assert "were not read" in client_ip["unread"].reason


# -- S3 -------------------------------------------------------------------------------


def bucket(name, **settings):
    found = {"Name": name, "Region": "eu-west-2", "GetBucketEncryption": None, "GetBucketVersioning": {},
             "GetPublicAccessBlock": None, "GetBucketReplication": None, "GetBucketTagging": None,
             "GetBucketPolicy": None, "GetBucketAcl": []}
    found.update(settings)
    return found


def test_bucket_settings_absent_mean_not_configured_and_failures_mean_unknown():
    data = {"locations": {"dr-copy": "eu-west-1", "same-region": "eu-west-2",
                          "lost": {"error": {"operation": "GetBucketLocation", "code": "AccessDenied",
                                             "reason": "access denied"}}},
            "buckets": [
                bucket("plain"),
                bucket("denied", GetBucketEncryption=DENIED),
                bucket("kms", GetBucketEncryption={"Rules": [{"ApplyServerSideEncryptionByDefault": {
                    "SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "arn:key"}}]},
                       GetBucketVersioning={"Status": "Enabled"},
                       GetPublicAccessBlock={"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                             "IgnorePublicAcls": True, "RestrictPublicBuckets": False},
                       GetBucketTagging=tags(Name="assets", Environment="prod"),
                       GetBucketAcl=[{"Grantee": {"Type": "Group",
                                                  "URI": "http://acs.amazonaws.com/groups/global/AllUsers"},
                                      "Permission": "READ"}],
                       GetBucketReplication={"Rules": [
                           {"ID": "dr", "Status": "Enabled", "Destination": {"Bucket": "arn:aws:s3:::dr-copy"}},
                           {"ID": "local", "Status": "Disabled", "Destination": {"Bucket": "arn:aws:s3:::same-region"}},
                           {"ID": "lost", "Status": "Enabled", "Destination": {"Bucket": "arn:aws:s3:::lost"}},
                           {"ID": "never", "Status": "Enabled", "Destination": {"Bucket": "arn:aws:s3:::unlocated"}}]}),
            ]}
    buckets = by_kind(s3.transform(data, Where("111122223333", None)), Bucket)
    plain = buckets["arn:aws:s3:::plain"]
    assert plain.region == "eu-west-2" and plain.prov.region == "eu-west-2"
    assert (plain.sse_algorithm, plain.versioning, plain.public_access_block, plain.acl) == (None, False, None, "private")
    assert plain.replication_rules == ()
    denied = buckets["arn:aws:s3:::denied"]
    assert isinstance(denied.sse_algorithm, Unknown) and "access denied" in denied.sse_algorithm.reason
    kms_bucket = buckets["arn:aws:s3:::kms"]
    assert kms_bucket.name == "assets" and kms_bucket.tags["Environment"] == "prod"
    assert (kms_bucket.sse_algorithm, kms_bucket.kms_key_id, kms_bucket.versioning) == ("aws:kms", "arn:key", True)
    assert kms_bucket.public_access_block.restrict_public_buckets is False
    assert kms_bucket.acl == "public-read"
    dr, local, lost, never = kms_bucket.replication_rules
    assert (dr.enabled, dr.destination_bucket, dr.destination_region) == (True, "arn:aws:s3:::dr-copy", "eu-west-1")
    assert (local.enabled, local.destination_region) == (False, "eu-west-2")
    assert isinstance(lost.destination_region, Unknown) and isinstance(never.destination_region, Unknown)


# -- RDS ------------------------------------------------------------------------------


def test_rds_instances_link_groups_clusters_replicas_and_backup_replications():
    data = {
        "subnet_groups": [{"DBSubnetGroupName": "data", "DBSubnetGroupArn": "arn:aws:rds:eu-west-2:111122223333:subgrp:data",
                           "Subnets": [{"SubnetIdentifier": "subnet-a"}, {"SubnetIdentifier": "subnet-b"}],
                           "TagList": tags(Name="dbsubnets-data")}],
        "clusters": [],
        "global_clusters": {"GlobalClusters": []},
        "instances": [
            {"DBInstanceIdentifier": "db", "DBInstanceArn": "arn:aws:rds:eu-west-2:111122223333:db:db",
             "Engine": "postgres", "AllocatedStorage": 100, "MaxAllocatedStorage": 200, "StorageEncrypted": True,
             "KmsKeyId": "arn:key", "MultiAZ": True, "PubliclyAccessible": False, "BackupRetentionPeriod": 14,
             "DeletionProtection": True, "DBSubnetGroup": {"DBSubnetGroupName": "data"},
             "VpcSecurityGroups": [{"VpcSecurityGroupId": "sg-db"}], "Endpoint": {"Port": 5432},
             "TagList": tags(Name="db"),
             "DBInstanceAutomatedBackupsReplications": [
                 {"DBInstanceAutomatedBackupsArn": "arn:aws:rds:eu-west-1:111122223333:auto-backup:ab-1"}]},
            {"DBInstanceIdentifier": "local-replica", "DBInstanceArn": "arn:aws:rds:eu-west-2:111122223333:db:local-replica",
             "ReadReplicaSourceDBInstanceIdentifier": "db", "StorageEncrypted": False},
        ]}
    resources = list(rds.transform(data, W))
    dbs = by_kind(resources, DbInstance)
    db = dbs["arn:aws:rds:eu-west-2:111122223333:db:db"]
    assert db.name == "db" and db.db_subnet_group == "arn:aws:rds:eu-west-2:111122223333:subgrp:data"
    assert (db.multi_az, db.storage_encrypted, db.backup_retention_period, db.port) == (True, True, 14, 5432)
    assert db.security_groups == (f"{P}:security-group/sg-db",)
    replica = dbs["arn:aws:rds:eu-west-2:111122223333:db:local-replica"]
    assert replica.replicate_source_db == db.key and replica.kms_key_id is None
    (replication,) = by_kind(resources, DbBackupReplication).values()
    assert replication.source_db == db.key and replication.region == "eu-west-1"
    group = next(r for r in resources if r.KIND == "aws.rds.db_subnet_group")
    assert group.name == "dbsubnets-data" and group.subnets == (f"{P}:subnet/subnet-a", f"{P}:subnet/subnet-b")


# -- ElastiCache ----------------------------------------------------------------------


def test_a_replication_group_whose_members_are_not_described_has_unknown_placement():
    group = {"ReplicationGroupId": "cache", "ARN": "arn:rg", "AutomaticFailover": "enabled", "MultiAZ": "enabled",
             "AtRestEncryptionEnabled": True, "TransitEncryptionEnabled": False, "ClusterEnabled": False,
             "MemberClusters": ["cache-001", "cache-002"], "CacheNodeType": "cache.t3.micro",
             "NodeGroups": [{"PrimaryEndpoint": {"Port": 6379}, "NodeGroupMembers": [{}, {}]}]}
    member = {"CacheClusterId": "cache-001", "CacheSubnetGroupName": "data", "PreferredAvailabilityZone": "eu-west-2a",
              "SecurityGroups": [{"SecurityGroupId": "sg-cache"}]}
    complete = dict(member, CacheClusterId="cache-002", PreferredAvailabilityZone="eu-west-2b")
    read = by_kind(elasticache.transform({"replication_groups": [group], "cache_clusters": [member, complete],
                                          "subnet_groups": []}, W), ElastiCacheReplicationGroup)["arn:rg"]
    assert (read.automatic_failover, read.multi_az, read.num_cache_clusters, read.port) == (True, True, 2, 6379)
    assert read.availability_zones == ("eu-west-2a", "eu-west-2b")
    assert read.security_groups == (f"{P}:security-group/sg-cache",)
    assert read.subnet_group == "arn:aws:elasticache:eu-west-2:111122223333:subnetgroup:data"
    partial = by_kind(elasticache.transform({"replication_groups": [group], "cache_clusters": [member],
                                             "subnet_groups": []}, W), ElastiCacheReplicationGroup)["arn:rg"]
    assert isinstance(partial.security_groups, Unknown) and "cache-002" in partial.security_groups.reason
    assert partial.num_cache_clusters == 2  # the group itself states its members


# -- DynamoDB, KMS, SQS, CloudTrail, Backup --------------------------------------------


def test_dynamodb_replicas_keys_and_recovery():
    table = {"TableArn": "arn:aws:dynamodb:eu-west-2:111122223333:table/t", "SSEDescription": {
        "Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": "arn:aws:kms:eu-west-2:111122223333:key/aws-managed"}}
    pitr = {"ContinuousBackupsDescription": {"PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "ENABLED"}}}
    data = {"tables": [
        {"TableName": "global", "Table": {**table, "Replicas": [{"RegionName": "eu-west-1"}, {"RegionName": "eu-west-2"}]},
         "ContinuousBackups": pitr, "KmsKey": {"KeyMetadata": {"KeyManager": "AWS"}}, "Tags": {"Tags": tags(Name="s")}},
        {"TableName": "legacy-unknown", "Table": table, "ContinuousBackups": pitr,
         "GlobalTable": {"error": {"operation": "DescribeGlobalTable", "code": "500", "reason": "the service failed"}},
         "KmsKey": {"KeyMetadata": {"KeyManager": "CUSTOMER"}}},
        {"TableName": "single", "Table": {"TableArn": "arn:single"}, "GlobalTable": None,
         "ContinuousBackups": {"ContinuousBackupsDescription": {}}},
    ]}
    tables = {t.table_name: t for t in dynamodb.transform(data, W) if isinstance(t, DynamoDbTable)}
    assert tables["global"].replica_regions == ("eu-west-1",) and tables["global"].name == "s"
    assert tables["global"].kms_key_arn is None  # the AWS managed key, not a customer's
    assert tables["global"].point_in_time_recovery is True
    assert isinstance(tables["legacy-unknown"].replica_regions, Unknown)
    assert tables["legacy-unknown"].kms_key_arn == table["SSEDescription"]["KMSMasterKeyArn"]
    single = tables["single"]
    assert (single.replica_regions, single.sse_enabled, single.kms_key_arn, single.point_in_time_recovery) == (
        (), None, None, False)


def test_kms_keys_rotation_and_denials():
    data = {"keys": [
        {"KeyArn": "arn:k1", "KeyId": "k1", "Describe": {"KeyMetadata": {"KeySpec": "SYMMETRIC_DEFAULT",
                                                                        "KeyUsage": "ENCRYPT_DECRYPT",
                                                                        "KeyState": "Enabled"}},
         "Rotation": {"KeyRotationEnabled": True}, "Tags": {"Tags": [{"TagKey": "Name", "TagValue": "kms-data"}]}},
        {"KeyArn": "arn:k2", "KeyId": "k2", "Describe": {"KeyMetadata": {"KeyState": "Disabled"}},
         "Rotation": {"error": {"operation": "GetKeyRotationStatus", "code": "AccessDeniedException",
                                "reason": "access denied"}}, "Tags": {"Tags": []}},
    ]}
    keys = by_kind(kms.transform(data, W), KmsKey)
    assert keys["arn:k1"].name == "kms-data" and keys["arn:k1"].enable_key_rotation is True
    assert isinstance(keys["arn:k2"].enable_key_rotation, Unknown) and keys["arn:k2"].enabled is False


def test_sqs_encryption_attributes():
    data = {"queues": [
        {"QueueUrl": "https://sqs/111122223333/jobs", "Attributes": {"Attributes": {
            "QueueArn": "arn:aws:sqs:eu-west-2:111122223333:jobs", "KmsMasterKeyId": "alias/jobs",
            "SqsManagedSseEnabled": "false"}}, "Tags": {"Tags": {"Name": "queue-jobs"}}},
        {"QueueUrl": "https://sqs/111122223333/plain", "Attributes": {"Attributes": {"SqsManagedSseEnabled": "true"}},
         "Tags": {}},
        {"QueueUrl": "https://sqs/111122223333/silent", "Attributes": {"Attributes": {}}, "Tags": {}},
    ]}
    queues = {q.name: q for q in sqs.transform(data, W) if isinstance(q, SqsQueue)}
    assert queues["queue-jobs"].kms_master_key_id == "alias/jobs"
    assert queues["plain"].kms_master_key_id is None and queues["plain"].sqs_managed_sse_enabled is True
    assert isinstance(queues["silent"].sqs_managed_sse_enabled, Unknown)


def test_cloudtrail_and_backup_plans():
    trails = list(cloudtrail.transform({"trails": [
        {"TrailARN": "arn:trail", "Name": "t", "HomeRegion": "eu-west-2", "IsMultiRegionTrail": True,
         "KmsKeyId": "arn:key", "LogFileValidationEnabled": True, "S3BucketName": "logs",
         "Status": {"error": {"operation": "GetTrailStatus", "code": "AccessDenied", "reason": "denied"}}}],
        "tags": {"arn:trail": tags(Name="trail")}}, W))
    (trail,) = trails
    assert trail.name == "trail" and trail.s3_bucket == "arn:aws:s3:::logs" and isinstance(trail.is_logging, Unknown)
    plans = list(backup.transform({"plans": [{"BackupPlanArn": "arn:plan", "BackupPlanName": "p", "Tags": {"Tags": {}},
                                              "Plan": {"BackupPlan": {"Rules": [{"RuleName": "daily", "CopyActions": [
                                                  {"DestinationBackupVaultArn":
                                                   "arn:aws:backup:eu-west-1:111122223333:backup-vault:dr"}]}]}}}]}, W))
    (action,) = plans[0].rules[0].copy_actions
    assert action.destination_region == "eu-west-1"


# -- Tags a tag call could not read ------------------------------------------------------

TAGS_DENIED = {"error": {"operation": "ListTags", "code": "AccessDeniedException",
                         "reason": "access denied (AccessDeniedException)"}}
LB = "arn:aws:elasticloadbalancing:eu-west-2:111122223333:loadbalancer/app/web/1"
TG = "arn:aws:elasticloadbalancing:eu-west-2:111122223333:targetgroup/app/1"
# service transform, its data with the tag answer in place, the resource whose tags it is
TAG_CASES = {
    "dynamodb": (dynamodb, lambda t: {"tables": [{"TableName": "orders", "Table": {"TableArn": "arn:table"},
                                                  "Tags": t}]}, "arn:table"),
    "kms": (kms, lambda t: {"keys": [{"KeyArn": "arn:key", "KeyId": "k", "Describe": {"KeyMetadata": {}},
                                      "Tags": t}]}, "arn:key"),
    "sqs": (sqs, lambda t: {"queues": [{"QueueUrl": "https://sqs/111122223333/jobs", "Attributes": {"Attributes": {
        "QueueArn": "arn:queue", "SqsManagedSseEnabled": "true"}}, "Tags": t}]}, "arn:queue"),
    "sns": (sns, lambda t: {"topics": [{"TopicArn": "arn:aws:sns:eu-west-2:111122223333:alerts",
                                        "Attributes": {"Attributes": {}}, "Tags": t}]},
            "arn:aws:sns:eu-west-2:111122223333:alerts"),
    "backup": (backup, lambda t: {"plans": [{"BackupPlanArn": "arn:plan", "Plan": {"BackupPlan": {}}, "Tags": t}]},
               "arn:plan"),
    "cloudtrail": (cloudtrail, lambda t: {"trails": [{"TrailARN": "arn:trail", "Status": {}}],
                                          **({"tags": {"arn:trail": t}} if t is not None else {})}, "arn:trail"),
    "elb": (elb, lambda t: {"load_balancers": [{"LoadBalancerName": "classic"}],
                            **({"tags": {"classic": t}} if t is not None else {})},
            "arn:aws:elasticloadbalancing:eu-west-2:111122223333:loadbalancer/classic"),
    "elbv2 balancer": (elbv2, lambda t: {"load_balancers": [{"LoadBalancerArn": LB}],
                                         **({"tags": {LB: t}} if t is not None else {})}, LB),
    "elbv2 target group": (elbv2, lambda t: {"target_groups": [{"TargetGroupArn": TG, "TargetHealth": {}}],
                                             **({"tags": {TG: t}} if t is not None else {})}, TG),
    "elasticache": (elasticache, lambda t: {"subnet_groups": [{"CacheSubnetGroupName": "data", "ARN": "arn:csg",
                                                               "TagList": t}]}, "arn:csg"),
    "rds subnet group": (rds, lambda t: {"subnet_groups": [{"DBSubnetGroupName": "data", "DBSubnetGroupArn": "arn:dsg",
                                                            "TagList": t}]}, "arn:dsg"),
}


def _tags_of(case, answer):
    module, data, key = TAG_CASES[case]
    (resource,) = [r for r in module.transform(data(answer), W) if r.key == key]
    return resource.tags


@pytest.mark.parametrize("case", sorted(TAG_CASES))
def test_tags_a_tag_call_could_not_read_are_unknown_not_empty(case):
    denied = _tags_of(case, TAGS_DENIED)
    assert isinstance(denied, Unknown) and "ListTags failed: access denied (AccessDeniedException)" in denied.reason
    # a call that was never made (the resource could not be described) is not "no tags" either
    assert isinstance(_tags_of(case, None), Unknown)


def test_a_resource_a_batch_tag_answer_left_out_has_unknown_tags():
    left_out = {"error": {"operation": "DescribeTags", "code": None, "reason": "the answer left this resource out"}}
    tags_ = _tags_of("elbv2 balancer", left_out)
    assert isinstance(tags_, Unknown) and "left this resource out" in tags_.reason


def test_a_table_that_could_not_be_described_has_unknown_tags_and_settings():
    data = {"tables": [{"TableName": "orders", "Table": DENIED}]}
    (table,) = dynamodb.transform(data, W)
    assert isinstance(table.tags, Unknown) and isinstance(table.sse_enabled, Unknown)


def test_a_table_key_whose_manager_could_not_be_read_is_unknown_with_the_reason():
    key = "arn:aws:kms:eu-west-2:111122223333:key/k-1"
    table = {"TableArn": "arn:table", "SSEDescription": {"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": key}}
    denied = {"error": {"operation": "DescribeKey", "code": "AccessDeniedException",
                        "reason": "access denied (AccessDeniedException)"}}
    for described, reason in ((denied, "DescribeKey failed: access denied"), (None, "kms:DescribeKey was not called")):
        item = {"TableName": "orders", "Table": table, "Tags": {"Tags": []}, **({"KmsKey": described} if described else {})}
        (read,) = dynamodb.transform({"tables": [item]}, W)
        assert read.sse_enabled is True
        assert isinstance(read.kms_key_arn, Unknown), described
        assert f"whether key {key} is customer managed could not be read: {reason}" in read.kms_key_arn.reason
