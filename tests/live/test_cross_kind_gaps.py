"""A gap in a kind a rule reads besides its own resources makes that rule's results
UNKNOWN (policies' ``needs``): a denied listing of instances, load balancers or another
region's databases must not let a network or recovery rule pass, or fail, on what it
could not see. Each case first shows the verdict with full access, then with the denial."""
from __future__ import annotations

from fixtures.livebuilder import remove_default_vpc, ssh_behind_network_balancer, subnet, tag_list, tag_spec
from stackproof.rules import FAIL, PASS, UNKNOWN
from tests.live.faults import Faults
from tests.live.server import audit, result_of

REGION, DR_REGION = "eu-west-2", "eu-west-1"


def verdict(moto, catalogue, policy, name, regions=(REGION,), faults=None, **options):
    snapshot, inventory = audit(moto, regions, hooks=[faults.hook] if faults else [], **options)
    return result_of(inventory, catalogue, policy, name)


def network(ec2):
    remove_default_vpc(ec2)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=tag_spec("vpc", {"Name": "vpc"}))["Vpc"]["VpcId"]
    return vpc


def test_denied_instances_make_a_database_tier_isolation_unknown(moto, catalogue):
    """An app instance reaches the database on every TCP port (not only 5432): FAIL; with
    DescribeInstances denied the source cannot be seen, which is not a PASS."""
    clients = moto.clients()
    ec2 = clients("ec2")
    vpc = network(ec2)
    app = subnet(ec2, vpc, "10.0.1.0/24", f"{REGION}a", {"Name": "app-a", "Tier": "app"})
    data = [subnet(ec2, vpc, f"10.0.{10 + i}.0/24", f"{REGION}{az}", {"Name": f"data-{az}", "Tier": "data"})
            for i, az in enumerate("ab")]
    app_group = ec2.create_security_group(GroupName="app", Description="app", VpcId=vpc)["GroupId"]
    db_group = ec2.create_security_group(GroupName="db", Description="db", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=db_group, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 0, "ToPort": 65535, "UserIdGroupPairs": [{"GroupId": app_group}]}])
    ec2.run_instances(ImageId="ami-12345678", InstanceType="t3.micro", MinCount=1, MaxCount=1, SubnetId=app,
                      SecurityGroupIds=[app_group], TagSpecifications=tag_spec("instance", {"Name": "app", "Tier": "app"}))
    rds = clients("rds")
    rds.create_db_subnet_group(DBSubnetGroupName="data", DBSubnetGroupDescription="data", SubnetIds=data)
    rds.create_db_instance(DBInstanceIdentifier="db", Engine="postgres", DBInstanceClass="db.t3.micro",
                           AllocatedStorage=20, MasterUsername="app", MasterUserPassword="not-a-real-secret-1",
                           DBSubnetGroupName="data", VpcSecurityGroupIds=[db_group],
                           Tags=tag_list({"Name": "db", "Tier": "data"}))
    options = {"services": ["vpc", "ec2", "rds"]}
    assert verdict(moto, catalogue, "network_tier_isolation", "db", **options).status == FAIL
    denied = Faults().error(403, "UnauthorizedOperation", "You are not authorized to perform this operation.",
                            service="ec2", operation="DescribeInstances")
    result = verdict(moto, catalogue, "network_tier_isolation", "db", faults=denied, **options)
    assert result.status == UNKNOWN and "UnauthorizedOperation" in result.message


def test_denied_load_balancers_make_admin_ports_behind_an_nlb_unknown(moto, catalogue):
    """SSH reaches a private instance through an internet-facing NLB: FAIL; with elbv2
    denied the NLB cannot be seen, which is not a PASS."""
    clients = moto.clients()
    ec2 = clients("ec2")
    vpc = network(ec2)
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc)
    public = [subnet(ec2, vpc, f"10.0.{i}.0/24", f"{REGION}{az}", {"Name": f"public-{az}"}) for i, az in enumerate("ab")]
    private = subnet(ec2, vpc, "10.0.10.0/24", f"{REGION}a", {"Name": "app-a"})
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=gateway)
    for subnet_id in public:
        ec2.associate_route_table(RouteTableId=table, SubnetId=subnet_id)
    # preserve_client_ip: AWS's default for instance targets, stated as AWS states it
    ssh_behind_network_balancer(clients, vpc, public, private, ssh_from="0.0.0.0/0", preserved=True)
    options = {"services": ["vpc", "ec2", "elbv2"]}
    assert verdict(moto, catalogue, "network_admin_ports_not_internet_reachable", "app", **options).status == FAIL
    denied = Faults().error(403, "AccessDenied", "not authorized", service="elbv2")
    result = verdict(moto, catalogue, "network_admin_ports_not_internet_reachable", "app", faults=denied, **options)
    assert result.status == UNKNOWN and "access denied" in result.message


def test_denied_databases_in_the_dr_region_make_cross_region_backup_unknown(moto, catalogue):
    """A read replica in eu-west-1 is the database's copy in another region: PASS; with RDS
    denied in eu-west-1 the copy cannot be seen, which is not a FAIL."""
    clients = moto.clients()
    db = clients("rds", REGION).create_db_instance(
        DBInstanceIdentifier="db", Engine="postgres", DBInstanceClass="db.t3.micro", AllocatedStorage=20,
        MasterUsername="app", MasterUserPassword="not-a-real-secret-1", StorageEncrypted=True,
        BackupRetentionPeriod=7, Tags=tag_list({"Name": "db"}))["DBInstance"]["DBInstanceArn"]
    clients("rds", DR_REGION).create_db_instance_read_replica(
        DBInstanceIdentifier="db-dr", SourceDBInstanceIdentifier=db, DBInstanceClass="db.t3.micro",
        Tags=tag_list({"Name": "db-dr"}))
    regions, options = (REGION, DR_REGION), {"services": ["rds"]}
    assert verdict(moto, catalogue, "rds_instance_cross_region_backup", "db", regions, **options).status == PASS
    denied = Faults().error(403, "AccessDenied", "not authorized", service="rds", region=DR_REGION)
    result = verdict(moto, catalogue, "rds_instance_cross_region_backup", "db", regions, faults=denied, **options)
    assert result.status == UNKNOWN and "access denied" in result.message


def test_unread_tags_of_a_prod_table_do_not_give_the_laxer_default(moto, catalogue):
    """A prod table (prod requires a customer managed key) on an AWS owned key: FAIL; with
    its tags unread, whether prod's stricter parameters apply is unknown: not a PASS."""
    moto.clients()("dynamodb").create_table(
        TableName="orders", BillingMode="PAY_PER_REQUEST", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        Tags=tag_list({"Name": "orders", "Environment": "prod"}))
    options = {"services": ["dynamodb"]}
    assert verdict(moto, catalogue, "dynamodb_table_encrypted", "orders", **options).status == FAIL
    denied = Faults().error(400, "AccessDeniedException", "not authorized", service="dynamodb",
                            operation="ListTagsOfResource")
    result = verdict(moto, catalogue, "dynamodb_table_encrypted", "orders", faults=denied, **options)
    assert result.status == UNKNOWN and "ListTagsOfResource failed: access denied" in result.message
