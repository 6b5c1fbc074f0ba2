"""No secret reaches a snapshot or a report: secret-looking values are planted everywhere
the collectors read (user data, passwords, tags named like secrets, resource policies
with shared-secret conditions, master user names) and searched for in everything an
audit writes."""
from __future__ import annotations

import base64
import json

from fixtures.livebuilder import tag_list, tag_spec
from stackproof.cli import main
from stackproof.loaders.live.redact import REDACTED, clean, scrub_policy

MARK = "s3cr3t"  # every planted secret contains it
SECRET_TAGS = {"api_token": f"tok-{MARK}-1", "db_password": f"pw-{MARK}-2", "Secret": f"{MARK}-3",
               "aws_access_key": f"AKIA{MARK}"}
USER = f"admin{MARK}"  # master user names: not secret, but account data no rule needs


def tags(name: str) -> dict[str, str]:
    return {"Name": name, "Environment": "prod", **SECRET_TAGS}


def referer_policy(resource: str, action: str, principal: str = "*") -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": principal, "Action": action, "Resource": resource,
        "Condition": {"StringLike": {"aws:Referer": [f"https://example.com/{MARK}-referer"]},
                      "StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}}]})


def planted_estate(clients) -> None:
    region = "eu-west-2"
    ec2 = clients("ec2", region)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=tag_spec("vpc", tags("vpc")))["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"{region}{az}",
                                 TagSpecifications=tag_spec("subnet", tags(f"data-{az}")))["Subnet"]["SubnetId"]
               for i, az in enumerate("ab")]
    group = ec2.create_security_group(GroupName="app", Description="app", VpcId=vpc,
                                      TagSpecifications=tag_spec("security-group", tags("sg-app")))["GroupId"]
    user_data = base64.b64encode(f"#!/bin/sh\nexport DB_PASSWORD={MARK}-userdata\n".encode()).decode()
    instance = ec2.run_instances(
        ImageId="ami-12345678", MinCount=1, MaxCount=1, InstanceType="t3.micro", SubnetId=subnets[0],
        UserData=user_data, SecurityGroupIds=[group],
        TagSpecifications=tag_spec("instance", tags("web")) + tag_spec("volume", tags("web-root")))
    second = ec2.create_network_interface(SubnetId=subnets[0], Groups=[group],
                                          TagSpecifications=tag_spec("network-interface", tags("web-eth1")))
    ec2.attach_network_interface(NetworkInterfaceId=second["NetworkInterface"]["NetworkInterfaceId"],
                                 InstanceId=instance["Instances"][0]["InstanceId"], DeviceIndex=1)
    ec2.create_transit_gateway(TagSpecifications=tag_spec("transit-gateway", tags("hub")))
    ec2.create_launch_template(LaunchTemplateName="app", LaunchTemplateData={
        "ImageId": "ami-12345678", "InstanceType": "t3.micro", "UserData": user_data,
        "MetadataOptions": {"HttpTokens": "required"}},
        TagSpecifications=tag_spec("launch-template", tags("lt-app")))
    autoscaling = clients("autoscaling", region)
    autoscaling.create_launch_configuration(LaunchConfigurationName="legacy", ImageId="ami-12345678",
                                            InstanceType="t3.micro", UserData=user_data)
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName="legacy", LaunchConfigurationName="legacy", MinSize=0, MaxSize=1, DesiredCapacity=0,
        VPCZoneIdentifier=subnets[0], Tags=[{"Key": k, "Value": v, "PropagateAtLaunch": False}
                                            for k, v in tags("asg").items()])
    rds = clients("rds", region)
    rds.create_db_subnet_group(DBSubnetGroupName="data", DBSubnetGroupDescription="data", SubnetIds=subnets,
                               Tags=tag_list(tags("dbsubnets")))
    rds.create_db_instance(DBInstanceIdentifier="db", Engine="postgres", DBInstanceClass="db.t3.micro",
                           AllocatedStorage=20, MasterUsername=USER, MasterUserPassword=f"pw{MARK}rds",
                           DBSubnetGroupName="data", Tags=tag_list(tags("db")))
    rds.create_db_cluster(DBClusterIdentifier="aurora", Engine="aurora-postgresql", MasterUsername=USER,
                          MasterUserPassword=f"pw{MARK}aurora", DBSubnetGroupName="data", Tags=tag_list(tags("aurora")))
    clients("redshift", region).create_cluster(
        ClusterIdentifier="warehouse", NodeType="ra3.xlplus", MasterUsername=USER,
        MasterUserPassword=f"Pw{MARK}Redshift1", Encrypted=True, Tags=tag_list(tags("warehouse")))
    cache = clients("elasticache", region)
    cache.create_cache_subnet_group(CacheSubnetGroupName="data", CacheSubnetGroupDescription="data",
                                    SubnetIds=subnets, Tags=tag_list(tags("cachesubnets")))
    cache.create_replication_group(
        ReplicationGroupId="cache", ReplicationGroupDescription="cache", Engine="redis", CacheNodeType="cache.t3.micro",
        NumCacheClusters=2, CacheSubnetGroupName="data", TransitEncryptionEnabled=True,
        AuthToken=f"auth-{MARK}-token-0123456789", Tags=tag_list(tags("cache")))
    s3 = clients("s3", region)
    s3.create_bucket(Bucket="evidence", CreateBucketConfiguration={"LocationConstraint": region})
    s3.put_bucket_tagging(Bucket="evidence", Tagging={"TagSet": tag_list(tags("evidence"))})
    s3.put_bucket_policy(Bucket="evidence", Policy=referer_policy("arn:aws:s3:::evidence/*", "s3:GetObject"))
    clients("dynamodb", region).create_table(
        TableName="orders", BillingMode="PAY_PER_REQUEST", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], Tags=tag_list(tags("orders")))
    clients("kms", region).create_key(Tags=[{"TagKey": k, "TagValue": v} for k, v in tags("kms").items()])
    sqs = clients("sqs", region)
    queue = sqs.create_queue(QueueName="jobs", tags=tags("jobs"))["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=queue, Attributes={"Policy": referer_policy(
        "arn:aws:sqs:eu-west-2:123456789012:jobs", "sqs:SendMessage")})
    sns = clients("sns", region)
    topic = sns.create_topic(Name="alerts", Tags=tag_list(tags("alerts")))["TopicArn"]
    sns.set_topic_attributes(TopicArn=topic, AttributeName="Policy", AttributeValue=referer_policy(topic, "sns:Publish"))
    clients("efs", region).create_file_system(CreationToken="shared", Encrypted=True, Tags=tag_list(tags("efs")))
    s3.create_bucket(Bucket="trail-logs-1", CreateBucketConfiguration={"LocationConstraint": region})
    clients("cloudtrail", region).create_trail(Name="main", S3BucketName="trail-logs-1", TagsList=tag_list(tags("trail")))
    clients("backup", region).create_backup_plan(
        BackupPlan={"BackupPlanName": "daily", "Rules": [{"RuleName": "r", "TargetBackupVaultName": "Default"}]},
        BackupPlanTags=tags("plan"))
    elb = clients("elbv2", region)
    elb.create_load_balancer(Name="web", Subnets=subnets, Tags=tag_list(tags("alb")))
    elb.create_target_group(Name="app", Protocol="HTTP", Port=80, VpcId=vpc, Tags=tag_list(tags("tg")))
    elb.create_target_group(Name="ssh", Protocol="TCP", Port=22, VpcId=vpc, Tags=tag_list(tags("tg-ssh")))
    clients("elb", region).create_load_balancer(
        LoadBalancerName="classic", Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80, "InstancePort": 80}],
        Subnets=subnets, Tags=tag_list(tags("classic")))


def test_no_planted_secret_reaches_the_snapshot_or_any_report(moto, tmp_path, capsys):
    planted_estate(moto.clients())
    snapshot = tmp_path / "snapshot.json"
    code = main(["audit", "--endpoint-url", moto.url, "--regions", "eu-west-2", "--max-attempts", "2",
                 "--output-dir", str(tmp_path / "out"), "--snapshot", str(snapshot),
                 "--format", "console,json,junit,sarif,markdown,html"])
    printed = capsys.readouterr().out
    assert code in (0, 1)
    written = {p.name: p.read_text() for p in (tmp_path / "out").iterdir()}
    assert set(written) >= {"results.json", "results.junit.xml", "results.sarif", "results.md", "results.html"}, set(written)
    for name, text in {"console": printed, "snapshot": snapshot.read_text(), **written}.items():
        assert MARK not in text, (name, text[max(0, text.find(MARK) - 300):text.find(MARK) + 100])
        assert MARK.encode().hex() not in text  # nor encoded

    data = json.loads(snapshot.read_text())
    units = {u["service"]: u.get("data") for u in data["units"]}
    assert all(units.values()), {s: u for s, u in data["units"] if not u.get("data")}  # everything was read
    # what the rules need is still there: names, environments, the IMDS setting, the EFS name
    report = json.loads(written["results.json"])
    names = {r["name"] for r in report["results"]}
    assert {"db", "orders", "jobs", "alerts", "evidence", "cache", "alb", "trail", "efs", "kms"} <= names
    assert "prod" in {r["environment"] for r in report["results"] if r["name"] == "db"}  # the Environment tag
    (hub,) = units["vpc"]["transit_gateways"]
    assert {"Key": "db_password", "Value": REDACTED} in hub["Tags"]
    (db,) = units["rds"]["instances"]
    assert {"Key": "Environment", "Value": "prod"} in db["TagList"]
    assert {"Key": "api_token", "Value": REDACTED} in db["TagList"] and db["MasterUsername"] == REDACTED
    template = units["ec2"]["launch_templates"][0]["LatestVersion"]["LaunchTemplateData"]
    assert template["MetadataOptions"]["HttpTokens"] == "required" and template["UserData"] == REDACTED
    bucket = next(b for b in units["s3"]["buckets"] if b["Name"] == "evidence")
    assert json.loads(bucket["GetBucketPolicy"])["Statement"][0]["Condition"]["StringEquals"] == {
        "aws:SourceVpce": "vpce-1a2b3c4d"}  # what is not a secret is kept


def test_redaction_rules():
    answer = {"DBInstances": [{"MasterUsername": "admin", "MasterUserPassword": "x", "ManageMasterUserPassword": True,
                               "MasterUserSecret": {"SecretArn": "arn:secret"}, "IAMDatabaseAuthenticationEnabled": False,
                               "TagList": [{"Key": "api_token", "Value": "t"}, {"Key": "Name", "Value": "db"}]}],
              "Tags": {"db_password": "p", "Environment": "prod"},
              "KmsTags": [{"TagKey": "PrivateKey", "TagValue": "k"}],
              "MetadataOptions": {"HttpTokens": "required"}, "CreationToken": "shared", "NextToken": "n",
              "AuthTokenEnabled": True, "ResponseMetadata": {"RequestId": "r"}}
    cleaned = clean(answer)
    db = cleaned["DBInstances"][0]
    assert db["MasterUsername"] == db["MasterUserPassword"] == db["MasterUserSecret"] == REDACTED
    assert db["ManageMasterUserPassword"] is True and db["IAMDatabaseAuthenticationEnabled"] is False  # flags kept
    assert db["TagList"] == [{"Key": "api_token", "Value": REDACTED}, {"Key": "Name", "Value": "db"}]
    assert cleaned["Tags"] == {"db_password": REDACTED, "Environment": "prod"}
    assert cleaned["KmsTags"] == [{"TagKey": "PrivateKey", "TagValue": REDACTED}]
    assert cleaned["MetadataOptions"] == {"HttpTokens": "required"}
    assert (cleaned["CreationToken"], cleaned["NextToken"], cleaned["AuthTokenEnabled"]) == ("shared", "n", True)
    assert "ResponseMetadata" not in cleaned
    assert scrub_policy("not json") == REDACTED
    policy = json.loads(scrub_policy(json.dumps({"Statement": {"Effect": "Deny", "Condition": {
        "StringNotLike": {"aws:UserAgent": "x"}, "Bool": {"aws:SecureTransport": "false"}}}})))
    assert policy["Statement"]["Condition"] == {"StringNotLike": {"aws:UserAgent": REDACTED},
                                                "Bool": {"aws:SecureTransport": "false"}}
