"""Live-audit benchmark: 500 resources in two regions of a moto server.

    python benchmarks/bench_live.py [--resources 500] [--repeat 3]

A moto server is started in its own process on 127.0.0.1 (so that it does not share
the interpreter lock with the audit) and populated with boto3: per region a VPC with
subnets, security groups, route tables and network ACLs, volumes, launch templates,
KMS keys, SQS queues, SNS topics, RDS instances, S3 buckets, load balancers and target
groups. Printed, for the same resources:

- audit: the collection stackproof audit makes (every collector, read-only clients,
  adaptive retries, threads) and the transform into the model; its API calls;
- bare enumeration: a plain serial boto3 script that lists the same resources and
  reads the same per-resource settings (the calls an audit cannot avoid), with no
  stackproof code in the way; its API calls;
- listing only: the bare script's list/describe calls alone, the floor of any audit.

Target (issue 6): the audit within 1.5x of the bare enumeration.
"""
from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REGIONS = ("eu-west-2", "eu-west-1")
ENV = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "eu-west-2",
       "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull, "AWS_EC2_METADATA_DISABLED": "true",
       "MOTO_EC2_LOAD_DEFAULT_AMIS": "false"}
# per region; 250 x 2 regions = 500 resources
MIX = {"vpc": 1, "subnet": 24, "security_group": 25, "route_table": 10, "network_acl": 5, "volume": 20,
       "launch_template": 10, "kms_key": 15, "sqs_queue": 40, "sns_topic": 40, "db_subnet_group": 1,
       "db_instance": 10, "bucket": 25, "load_balancer": 2, "listener": 2, "target_group": 20}


def start_moto() -> tuple[subprocess.Popen, str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                              env={**os.environ, **ENV}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(f"{url}/moto-api/", timeout=1)
            return server, url
        except OSError:
            time.sleep(0.05)
    server.kill()
    raise SystemExit("moto server did not start")


def populate(clients: Callable[[str, str], Any], scale: float) -> int:
    count = 0

    def n(kind: str) -> int:
        return max(1, round(MIX[kind] * scale))

    for region in REGIONS:
        ec2 = clients("ec2", region)
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"{region}{'abc'[i % 3]}")
                   ["Subnet"]["SubnetId"] for i in range(n("subnet"))]
        groups = []
        for i in range(n("security_group")):
            group = ec2.create_security_group(GroupName=f"g{i}", Description="bench", VpcId=vpc)["GroupId"]
            ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[
                {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}])
            groups.append(group)
        for i in range(n("route_table")):
            ec2.create_route_table(VpcId=vpc)
        for i in range(n("network_acl")):
            ec2.create_network_acl(VpcId=vpc)
        for i in range(n("volume")):
            ec2.create_volume(AvailabilityZone=f"{region}a", Size=10, Encrypted=i % 2 == 0)
        for i in range(n("launch_template")):
            ec2.create_launch_template(LaunchTemplateName=f"lt{i}", LaunchTemplateData={
                "ImageId": "ami-12345678", "InstanceType": "t3.micro", "SecurityGroupIds": [groups[0]]})
        kms = clients("kms", region)
        for i in range(n("kms_key")):
            kms.create_key(Description=f"k{i}", Tags=[{"TagKey": "Name", "TagValue": f"k{i}"}])
        sqs, sns = clients("sqs", region), clients("sns", region)
        for i in range(n("sqs_queue")):
            sqs.create_queue(QueueName=f"q{i}", tags={"Name": f"q{i}"})
        for i in range(n("sns_topic")):
            sns.create_topic(Name=f"t{i}", Tags=[{"Key": "Name", "Value": f"t{i}"}])
        rds = clients("rds", region)
        rds.create_db_subnet_group(DBSubnetGroupName="data", DBSubnetGroupDescription="d", SubnetIds=subnets[:3])
        for i in range(n("db_instance")):
            rds.create_db_instance(DBInstanceIdentifier=f"db{i}", Engine="postgres", DBInstanceClass="db.t3.micro",
                                   AllocatedStorage=20, MasterUsername="app", MasterUserPassword="bench-password-1",
                                   DBSubnetGroupName="data", VpcSecurityGroupIds=[groups[0]], StorageEncrypted=True)
        s3 = clients("s3", region)
        for i in range(n("bucket")):
            s3.create_bucket(Bucket=f"bench-{region}-{i}", CreateBucketConfiguration={"LocationConstraint": region})
        elb = clients("elbv2", region)
        target_groups = [elb.create_target_group(Name=f"tg{i}", Protocol="HTTP", Port=80, VpcId=vpc)
                         ["TargetGroups"][0]["TargetGroupArn"] for i in range(n("target_group"))]
        for i in range(n("load_balancer")):
            lb = elb.create_load_balancer(Name=f"lb{i}", Subnets=subnets[:2], SecurityGroups=[groups[0]])
            lb = lb["LoadBalancers"][0]["LoadBalancerArn"]
            elb.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=80,
                                DefaultActions=[{"Type": "forward", "TargetGroupArn": target_groups[i]}])
        count += sum(n(kind) for kind in MIX)
    return count


def bare_enumeration(clients: Callable[[str, str], Any], details: bool) -> Counter:
    """Plain serial boto3: list everything; with details, read the settings an audit reads."""
    calls: Counter = Counter()

    def call(client: Any, method: str, key: str | None = None, **params: Any) -> Any:
        calls[method] += 1
        if key and client.can_paginate(method):
            items = []
            for page in client.get_paginator(method).paginate(**params):
                items.extend(page.get(key) or [])
            return items
        answer = getattr(client, method)(**params)
        return answer.get(key) or [] if key else answer

    def attempt(client: Any, method: str, **params: Any) -> Any:
        try:
            return call(client, method, **params)
        except client.exceptions.ClientError:
            return None

    for region in REGIONS:
        ec2 = clients("ec2", region)
        for method, key in (("describe_vpcs", "Vpcs"), ("describe_subnets", "Subnets"),
                            ("describe_security_groups", "SecurityGroups"), ("describe_route_tables", "RouteTables"),
                            ("describe_network_acls", "NetworkAcls"), ("describe_volumes", "Volumes"),
                            ("describe_instances", "Reservations")):
            call(ec2, method, key)
        templates = call(ec2, "describe_launch_templates", "LaunchTemplates")
        kms, sqs, sns = clients("kms", region), clients("sqs", region), clients("sns", region)
        keys = call(kms, "list_keys", "Keys")
        queues = call(sqs, "list_queues", "QueueUrls")
        topics = call(sns, "list_topics", "Topics")
        rds, elb = clients("rds", region), clients("elbv2", region)
        call(rds, "describe_db_instances", "DBInstances")
        call(rds, "describe_db_subnet_groups", "DBSubnetGroups")
        balancers = call(elb, "describe_load_balancers", "LoadBalancers")
        groups = call(elb, "describe_target_groups", "TargetGroups")
        for lb in balancers:
            call(elb, "describe_listeners", "Listeners", LoadBalancerArn=lb["LoadBalancerArn"])
        if details:
            for template in templates:
                call(ec2, "describe_launch_template_versions", LaunchTemplateId=template["LaunchTemplateId"],
                     Versions=["$Latest"])
            for key in keys:
                call(kms, "describe_key", KeyId=key["KeyArn"])
                call(kms, "get_key_rotation_status", KeyId=key["KeyArn"])
                call(kms, "list_resource_tags", KeyId=key["KeyArn"])
            for url in queues:
                call(sqs, "get_queue_attributes", QueueUrl=url, AttributeNames=["All"])
                call(sqs, "list_queue_tags", QueueUrl=url)
            for topic in topics:
                call(sns, "get_topic_attributes", TopicArn=topic["TopicArn"])
                call(sns, "list_tags_for_resource", ResourceArn=topic["TopicArn"])
            for group in groups:
                call(elb, "describe_target_health", TargetGroupArn=group["TargetGroupArn"])
    s3 = clients("s3", REGIONS[0])
    buckets = call(s3, "list_buckets", "Buckets")
    if details:
        for bucket in buckets:
            name = bucket["Name"]
            call(s3, "get_bucket_location", Bucket=name)
            for method in ("get_bucket_encryption", "get_bucket_versioning", "get_public_access_block",
                           "get_bucket_replication", "get_bucket_tagging", "get_bucket_policy", "get_bucket_acl"):
                attempt(s3, method, Bucket=name)
    return calls


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--resources", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best is printed")
    args = parser.parse_args()
    os.environ.update(ENV)
    import boto3
    from botocore.config import Config

    from stackproof.loaders.live import LiveOptions, collect, inventory_of
    from stackproof.loaders.live.calllog import CallLog

    server, url = start_moto()
    try:
        session = boto3.Session()
        plain_config = Config(retries={"mode": "standard"}, max_pool_connections=10)
        cache: dict[tuple[str, str], Any] = {}

        def clients(service: str, region: str) -> Any:
            if (service, region) not in cache:
                cache[(service, region)] = session.client(service, region_name=region, endpoint_url=url,
                                                          config=plain_config)
            return cache[(service, region)]

        for region in REGIONS:  # the architecture only: moto's default VPC is not part of the count
            from fixtures.livebuilder import remove_default_vpc

            remove_default_vpc(clients("ec2", region))
        made, seconds = timed(lambda: populate(clients, args.resources / 500))[::-1]
        print(f"populated {made} resources in {len(REGIONS)} regions in {seconds:.1f} s")

        audits, bares, listings = [], [], []
        audit_calls = resources = 0
        for _ in range(args.repeat):
            log = CallLog()
            options = LiveOptions(regions=list(REGIONS), endpoint_url=url, client_hooks=[log.install])
            seconds, inventory = timed(lambda: inventory_of(collect(options)))
            audits.append(seconds)
            audit_calls, resources = log.total, len(inventory)
            seconds, bare_calls = timed(lambda: bare_enumeration(clients, details=True))
            bares.append(seconds)
            seconds, list_calls = timed(lambda: bare_enumeration(clients, details=False))
            listings.append(seconds)
        audit, bare, listing = min(audits), min(bares), min(listings)
        print(f"audit:            {audit:6.2f} s  {audit_calls:5d} API calls  ({resources} resources in the model,"
              f" moto's defaults included)")
        print(f"bare enumeration: {bare:6.2f} s  {sum(bare_calls.values()):5d} API calls  (serial boto3, same reads)")
        print(f"listing only:     {listing:6.2f} s  {sum(list_calls.values()):5d} API calls")
        print(f"audit / bare enumeration: {audit / bare:.2f}x (target 1.5x)")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
