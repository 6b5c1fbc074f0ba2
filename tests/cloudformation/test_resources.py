"""Resources land on the same model kinds and fields as the plan loader's: security group
rules inline or separate, subnet groups, launch templates behind groups, replication
destinations, names, keys and the lines results point at."""
from __future__ import annotations

from stackproof.model import SecurityGroup, is_unknown
from tests.cloudformation.helpers import by_resource, load, scan

NETWORK = """
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
  Gateway:
    Type: AWS::EC2::InternetGateway
  Attachment:
    Type: AWS::EC2::VPCGatewayAttachment
    Properties: {VpcId: !Ref Vpc, InternetGatewayId: !Ref Gateway}
  Public:
    Type: AWS::EC2::RouteTable
    Properties: {VpcId: !Ref Vpc}
  ToInternet:
    Type: AWS::EC2::Route
    Properties: {RouteTableId: !Ref Public, DestinationCidrBlock: 0.0.0.0/0, GatewayId: !Ref Gateway}
  SubnetA:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.1.0/24, AvailabilityZone: !Select [0, !GetAZs ""]}
  SubnetB:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.2.0/24, AvailabilityZone: !Select [1, !GetAZs ""]}
  SubnetARoutes:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties: {SubnetId: !Ref SubnetA, RouteTableId: !Ref Public}
  Acl:
    Type: AWS::EC2::NetworkAcl
    Properties: {VpcId: !Ref Vpc}
  DenySsh:
    Type: AWS::EC2::NetworkAclEntry
    Properties: {NetworkAclId: !Ref Acl, RuleNumber: 90, Protocol: 6, RuleAction: DENY, CidrBlock: 0.0.0.0/0,
                 PortRange: {From: 22, To: 22}}
  SubnetAAcl:
    Type: AWS::EC2::SubnetNetworkAclAssociation
    Properties: {SubnetId: !Ref SubnetA, NetworkAclId: !Ref Acl}
  Web:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupName: web
      GroupDescription: web
      VpcId: !Ref Vpc
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 0.0.0.0/0}
  App:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: app
      VpcId: !Ref Vpc
      SecurityGroupEgress:
        - {IpProtocol: tcp, FromPort: 5432, ToPort: 5432, CidrIp: 10.0.0.0/16}
  AppFromWeb:
    Type: AWS::EC2::SecurityGroupIngress
    Properties: {GroupId: !GetAtt App.GroupId, IpProtocol: tcp, FromPort: 8080, ToPort: 8080,
                 SourceSecurityGroupId: !GetAtt Web.GroupId}
  AppToAnywhere:
    Type: AWS::EC2::SecurityGroupEgress
    Properties: {GroupId: !Ref App, IpProtocol: "-1", CidrIpv6: "::/0"}
"""


def test_security_group_rules_inline_separate_and_the_default_egress(tmp_path):
    inventory = load(tmp_path, NETWORK)
    web, app = inventory.get("Web"), inventory.get("App")
    assert isinstance(web, SecurityGroup) and web.group_name == "web"
    assert [(r.protocol, r.from_port, r.cidr_blocks) for r in web.ingress] == [("tcp", 443, ("0.0.0.0/0",))]
    # no egress declared inline: AWS's allow-all rule
    assert [(r.protocol, r.cidr_blocks) for r in web.egress] == [("-1", ("0.0.0.0/0",))]
    assert [(r.from_port, r.security_groups, r.source) for r in app.ingress] == [(8080, ("Web",), "AppFromWeb")]
    # egress declared inline replaces the default; a separate egress resource adds to it
    assert sorted((r.protocol, r.cidr_blocks, r.ipv6_cidr_blocks) for r in app.egress) == [
        ("-1", (), ("::/0",)), ("tcp", ("10.0.0.0/16",), ())]


def test_routes_associations_gateways_and_acls(tmp_path):
    inventory = load(tmp_path, NETWORK)
    assert inventory.get("Gateway").vpc == "Vpc"
    route, = inventory.get("Public").routes
    assert (route.destination, route.target_type, route.target, route.source) == (
        "0.0.0.0/0", "internet_gateway", "Gateway", "ToInternet")
    a, b = inventory.get("SubnetA"), inventory.get("SubnetB")
    assert (a.route_table, b.route_table) == ("Public", None)
    assert a.network_acl == "Acl" and b.network_acl is None
    rule, = inventory.get("Acl").rules
    assert (rule.rule_number, rule.protocol, rule.action, rule.from_port, rule.to_port, rule.egress) == (
        90, "tcp", "deny", 22, 22, False)


PREFIX_LIST = """
Resources:
  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}
  Gateway: {Type: AWS::EC2::InternetGateway}
  Attachment:
    Type: AWS::EC2::VPCGatewayAttachment
    Properties: {VpcId: !Ref Vpc, InternetGatewayId: !Ref Gateway}
  Public: {Type: AWS::EC2::RouteTable, Properties: {VpcId: !Ref Vpc}}
  ToInternet:
    Type: AWS::EC2::Route
    Properties: {RouteTableId: !Ref Public, DestinationCidrBlock: 0.0.0.0/0, GatewayId: !Ref Gateway}
  ToPartners:
    Type: AWS::EC2::Route
    Properties: {RouteTableId: !Ref Public, DestinationPrefixListId: !Ref Admins, GatewayId: !Ref Gateway}
  Subnet:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.1.0/24, MapPublicIpOnLaunch: true}
  Routes:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties: {SubnetId: !Ref Subnet, RouteTableId: !Ref Public}
  Admins:
    Type: AWS::EC2::PrefixList
    Properties: {PrefixListName: admins, AddressFamily: IPv4, MaxEntries: 2, Entries: [{Cidr: ADMINS}]}
  Ssh:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: ssh from the admins list
      VpcId: !Ref Vpc
      SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 22, ToPort: 22, SourcePrefixListId: !Ref Admins}]
  Box:
    Type: AWS::EC2::Instance
    Properties: {ImageId: ami-123, SubnetId: !Ref Subnet, SecurityGroupIds: [!Ref Ssh]}
"""


def test_prefix_lists_of_the_template_are_resolved_in_rules_and_routes(tmp_path, catalogue):
    """The same prefix list the plan loader maps: group rules and routes that name it get its entries."""
    inventory = load(tmp_path, PREFIX_LIST.replace("ADMINS", "0.0.0.0/0"))
    admins = inventory.get("Admins")
    assert admins.kind == "aws.ec2.managed_prefix_list" and admins.entries == ("0.0.0.0/0",)
    assert inventory.get("Ssh").ingress[0].prefix_lists == ("Admins",)
    assert [r.destination for r in inventory.get("Public").routes] == ["0.0.0.0/0", "Admins"]
    policy = "network_admin_ports_not_internet_reachable"
    open_list = by_resource(scan(tmp_path, PREFIX_LIST.replace("ADMINS", "0.0.0.0/0"), catalogue, policy))
    assert open_list[(policy, "Box")].status == "FAIL" and "prefix list Admins" in open_list[(policy, "Box")].message
    private = by_resource(scan(tmp_path, PREFIX_LIST.replace("ADMINS", "10.0.0.0/8"), catalogue, policy))
    assert private[(policy, "Box")].status == "PASS"


DATA = """
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
  SubnetA:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.1.0/24}
  SubnetB:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.2.0/24}
  Subnets:
    Type: AWS::RDS::DBSubnetGroup
    Properties: {DBSubnetGroupDescription: data, SubnetIds: [!Ref SubnetA, !Ref SubnetB]}
  Db:
    Type: AWS::RDS::DBInstance
    Properties: {Engine: postgres, DBInstanceClass: db.t3.micro, DBSubnetGroupName: !Ref Subnets,
                 StorageEncrypted: true}
  DefaultVpcDb:
    Type: AWS::RDS::DBInstance
    Properties: {Engine: postgres, DBInstanceClass: db.t3.micro}
  Template:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateName: app
      LaunchTemplateData:
        InstanceType: t3.small
        NetworkInterfaces: [{DeviceIndex: 0, AssociatePublicIpAddress: "true", Groups: ["sg-0123"]}]
        BlockDeviceMappings:
          - {DeviceName: /dev/xvda, Ebs: {Encrypted: false, VolumeSize: 30, VolumeType: gp3}}
          - {DeviceName: /dev/sdb, VirtualName: ephemeral0}
  Group:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      MinSize: "1"
      MaxSize: "3"
      VPCZoneIdentifier: [!Ref SubnetA, !Ref SubnetB]
      LaunchTemplate: {LaunchTemplateName: app, Version: "1"}
      Tags: [{Key: Name, Value: app-asg, PropagateAtLaunch: true}]
"""


def test_db_subnet_group_and_publicly_accessible_decided_by_the_network(tmp_path):
    inventory = load(tmp_path, DATA)
    db = inventory.get("Db")
    assert db.db_subnet_group == "Subnets" and inventory.get("Subnets").subnets == ("SubnetA", "SubnetB")
    # not set, and its VPC has no internet gateway: AWS makes it private
    assert db.publicly_accessible is False
    with_gateway = DATA + """
  Gateway:
    Type: AWS::EC2::InternetGateway
  Attachment:
    Type: AWS::EC2::VPCGatewayAttachment
    Properties: {VpcId: !Ref Vpc, InternetGatewayId: !Ref Gateway}
"""
    assert load(tmp_path, with_gateway).get("Db").publicly_accessible is True
    # no subnet group: the default VPC, which this template does not show
    assert is_unknown(inventory.get("DefaultVpcDb").publicly_accessible)


def test_launch_template_behind_an_auto_scaling_group(tmp_path, catalogue):
    inventory = load(tmp_path, DATA)
    group, template = inventory.get("Group"), inventory.get("Template")
    assert group.launch_template == "Template"  # found by its name, as AWS finds it
    assert (group.min_size, group.max_size, group.subnets) == (1, 3, ("SubnetA", "SubnetB"))
    assert group.name == "app-asg" and template.name == "app"
    assert template.associate_public_ip_address is True and template.security_groups == ("sg-0123",)
    root, scratch = template.block_devices
    assert (root.device_name, root.encrypted, root.volume_size, scratch.ephemeral) == ("/dev/xvda", False, 30, True)
    results = by_resource(scan(tmp_path, DATA, catalogue, "ebs_volume_encrypted", "instance_no_public_ip"))
    assert results[("ebs_volume_encrypted", "Template")].status == "FAIL"
    assert results[("instance_no_public_ip", "Template")].status == "FAIL"


REPLICATION = """
Resources:
  Source:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: source-bucket
      VersioningConfiguration: {Status: Enabled}
      ReplicationConfiguration:
        Role: arn:aws:iam::111122223333:role/replication
        Rules:
          - {Id: in-template, Status: Enabled, Destination: {Bucket: !GetAtt Replica.Arn}}
          - {Id: by-arn, Status: Enabled, Destination: {Bucket: "arn:aws:s3:::replica-bucket"}}
          - {Id: elsewhere, Status: Disabled, Destination: {Bucket: "arn:aws:s3:::somebody-elses"}}
  Replica:
    Type: AWS::S3::Bucket
    Properties: {BucketName: replica-bucket, VersioningConfiguration: {Status: Enabled}}
  Policy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Source
      PolicyDocument:
        Statement: [{Effect: Deny, Principal: "*", Action: "s3:*", Resource: !Sub "${Source.Arn}/*",
                     Condition: {Bool: {"aws:SecureTransport": "false"}}}]
"""


def test_replication_destination_region_from_the_template(tmp_path):
    source = load(tmp_path, REPLICATION).get("Source")
    in_template, by_arn, elsewhere = source.replication_rules
    assert (in_template.destination_bucket, in_template.destination_region) == ("Replica", "eu-west-2")
    assert (by_arn.destination_bucket, by_arn.destination_region) == ("Replica", "eu-west-2")
    assert elsewhere.destination_bucket == "arn:aws:s3:::somebody-elses" and elsewhere.enabled is False
    assert is_unknown(elsewhere.destination_region)
    assert '"aws:SecureTransport"' in source.policy and "${Source.Arn}/*" in source.policy


def test_names_listeners_keys_and_lines(tmp_path):
    template = """
    Resources:
      Balancer:
        Type: AWS::ElasticLoadBalancingV2::LoadBalancer
        Properties:
          Name: front
          Subnets: [subnet-1, subnet-2]
      Https:
        Type: AWS::ElasticLoadBalancingV2::Listener
        Properties:
          LoadBalancerArn: !Ref Balancer
          Port: 443
          Protocol: HTTPS
          Certificates: [{CertificateArn: arn:aws:acm:eu-west-2:111122223333:certificate/x}]
          DefaultActions: [{Type: fixed-response}]
      Classic:
        Type: AWS::ElasticLoadBalancing::LoadBalancer
        Properties:
          Listeners: [{LoadBalancerPort: "80", InstancePort: "8080", Protocol: http}]
          Tags: [{Key: Name, Value: legacy}]
    """
    inventory = load(tmp_path, template)
    https = inventory.get("Https")
    assert https.name == "front:443" and https.load_balancer == "Balancer"
    line = (tmp_path / "template.yaml").read_text().splitlines().index("  Https:") + 1
    assert (https.prov.source, https.prov.address, https.prov.line) == ("cloudformation", "Https", line)
    assert https.prov.file.endswith("template.yaml") and https.prov.region == "eu-west-2"
    classic = inventory.get("Classic.listener[80]")
    assert classic.name == "legacy:80" and classic.protocol == "HTTP" and classic.instance_port == 8080
    assert inventory.get("Classic").lb_type == "classic"


def test_json_templates_give_the_same_resources_and_lines(tmp_path):
    import json

    from stackproof.loaders import LoadOptions, load_inputs
    from stackproof.loaders.cloudformation.decode import decode_template

    yaml_path = tmp_path / "template.yaml"
    yaml_path.write_text(NETWORK.lstrip())
    as_json = json.dumps(decode_template(yaml_path.read_text(), "x", exact=True), indent=2)
    json_path = tmp_path / "template.json"
    json_path.write_text(as_json)
    from_yaml = load_inputs([yaml_path], LoadOptions(region="eu-west-2"))
    from_json = load_inputs([json_path], LoadOptions(region="eu-west-2"))
    assert [r.key for r in from_json] == [r.key for r in from_yaml]
    for resource in from_json:
        twin = from_yaml.get(resource.key)
        assert resource == twin.__class__(**{**twin.__dict__, "prov": resource.prov}), resource.key
        assert as_json.splitlines()[resource.prov.line - 1].strip().startswith(f'"{resource.key.split(".")[0]}"')
