"""Live-audit benchmark: 500 resources in two regions of a moto server.

    python benchmarks/bench_live.py [--resources 500] [--repeat 3]

A moto server is started in its own process on 127.0.0.1 (so that it does not share
the interpreter lock with the audit) and populated with boto3, in each region, with
resources of every service an audit collects: VPC networking, volumes, launch templates
and configurations, auto scaling groups, KMS keys, SQS queues, SNS topics, RDS
instances and clusters, ElastiCache groups, DynamoDB tables, EFS file systems, Redshift
clusters, a trail, backup plans, S3 buckets, application and classic load balancers.
Printed, for the same resources:

- audit: the collection stackproof audit makes (every collector, read-only clients,
  adaptive retries, threads) and the transform into the model; its API calls;
- bare enumeration: the audit's own calls, recorded with their parameters during an
  audit, made again with plain boto3 clients and no stackproof code: once serially, and
  once with the audit's concurrency (as many services at once, as many calls in flight
  per service and region, each service's listings before its per-resource calls).
  That is the floor of any audit that reads these resources. Like the audit, each run
  starts from a new session and creates its clients as it needs them (botocore loads
  each service's model then, about 50 ms a service).

Two calls moto does not implement (it answers HTTP 500, which both sides would retry
with back-off for tens of seconds) are answered as AWS answers them for a table that is
not a legacy global table and a file system without replication, on both sides alike.

Target (issue 6): the audit within 1.5x of the bare enumeration with the same concurrency.
"""
from __future__ import annotations

import argparse
import copy
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REGIONS = ("eu-west-2", "eu-west-1")
ENV = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "eu-west-2",
       "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull, "AWS_EC2_METADATA_DISABLED": "true",
       "MOTO_EC2_LOAD_DEFAULT_AMIS": "false"}
# per region; 250 x 2 regions = 500 resources
MIX = {"vpc": 1, "internet_gateway": 1, "subnet": 12, "route_table": 6, "network_acl": 3, "security_group": 15,
       "vpc_endpoint": 1, "elastic_ip": 1, "nat_gateway": 1,
       "volume": 12, "launch_template": 6, "launch_configuration": 2, "autoscaling_group": 3,
       "kms_key": 10, "sqs_queue": 37, "sns_topic": 35,
       "db_subnet_group": 1, "db_instance": 8, "db_cluster": 2, "cache_subnet_group": 1, "cache_group": 2,
       "dynamodb_table": 20, "efs_file_system": 5, "efs_mount_target": 5, "redshift_cluster": 2,
       "trail": 1, "backup_vault": 1, "backup_plan": 5, "bucket": 25,
       "load_balancer": 2, "listener": 2, "target_group": 20, "classic_load_balancer": 2}
PASSWORD = "bench-Password-1"  # moto only


def aws_answers() -> Any:
    """AWS's answers to the two calls moto does not implement (see the module docstring)."""
    from tests.live.faults import Faults

    answers = Faults().error(400, "GlobalTableNotFoundException", "Global table not found", service="dynamodb",
                             operation="DescribeGlobalTable")
    return answers.error(404, "ReplicationNotFound", "No replications found", service="efs",
                         operation="DescribeReplicationConfigurations")


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
    def n(kind: str) -> int:
        return max(1, round(MIX[kind] * scale))

    for region in REGIONS:
        _network_and_compute(clients, region, n)
        _data_and_messaging(clients, region, n)
    return sum(n(kind) for kind in MIX) * len(REGIONS)


def _network_and_compute(clients: Callable[[str, str], Any], region: str, n: Callable[[str], int]) -> None:
    ec2 = clients("ec2", region)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc)
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"{region}{'abc'[i % 3]}")
               ["Subnet"]["SubnetId"] for i in range(n("subnet"))]
    tables = [ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"] for _ in range(n("route_table"))]
    ec2.create_route(RouteTableId=tables[0], DestinationCidrBlock="0.0.0.0/0", GatewayId=gateway)
    for _ in range(n("network_acl")):
        ec2.create_network_acl(VpcId=vpc)
    groups = []
    for i in range(n("security_group")):
        group = ec2.create_security_group(GroupName=f"g{i}", Description="bench", VpcId=vpc)["GroupId"]
        ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}])
        groups.append(group)
    ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=f"com.amazonaws.{region}.s3", RouteTableIds=tables[1:2])
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ec2.create_nat_gateway(SubnetId=subnets[0], AllocationId=allocation)
    for i in range(n("volume")):
        ec2.create_volume(AvailabilityZone=f"{region}a", Size=10, Encrypted=i % 2 == 0)
    templates = [ec2.create_launch_template(LaunchTemplateName=f"lt{i}", LaunchTemplateData={
        "ImageId": "ami-12345678", "InstanceType": "t3.micro", "SecurityGroupIds": [groups[0]]})
        ["LaunchTemplate"]["LaunchTemplateId"] for i in range(n("launch_template"))]
    autoscaling = clients("autoscaling", region)
    for i in range(n("launch_configuration")):
        autoscaling.create_launch_configuration(LaunchConfigurationName=f"lc{i}", ImageId="ami-12345678",
                                                InstanceType="t3.micro")
    for i in range(n("autoscaling_group")):  # no instances: they would add volumes outside the count
        autoscaling.create_auto_scaling_group(
            AutoScalingGroupName=f"asg{i}", MinSize=0, MaxSize=3, DesiredCapacity=0,
            LaunchTemplate={"LaunchTemplateId": templates[i % len(templates)], "Version": "$Latest"},
            VPCZoneIdentifier=",".join(subnets[:3]))
    elb = clients("elbv2", region)
    target_groups = [elb.create_target_group(Name=f"tg{i}", Protocol="HTTP", Port=80, VpcId=vpc)
                     ["TargetGroups"][0]["TargetGroupArn"] for i in range(n("target_group"))]
    for i in range(n("load_balancer")):
        balancer = elb.create_load_balancer(Name=f"lb{i}", Subnets=subnets[:2], SecurityGroups=[groups[0]])
        elb.create_listener(LoadBalancerArn=balancer["LoadBalancers"][0]["LoadBalancerArn"], Protocol="HTTP", Port=80,
                            DefaultActions=[{"Type": "forward", "TargetGroupArn": target_groups[i]}])
    for i in range(n("classic_load_balancer")):
        clients("elb", region).create_load_balancer(
            LoadBalancerName=f"classic{i}", Subnets=subnets[:2],
            Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80, "InstancePort": 8080}])
    rds = clients("rds", region)
    rds.create_db_subnet_group(DBSubnetGroupName="data", DBSubnetGroupDescription="d", SubnetIds=subnets[:3])
    for i in range(n("db_instance")):
        rds.create_db_instance(DBInstanceIdentifier=f"db{i}", Engine="postgres", DBInstanceClass="db.t3.micro",
                               AllocatedStorage=20, MasterUsername="app", MasterUserPassword=PASSWORD,
                               DBSubnetGroupName="data", VpcSecurityGroupIds=[groups[0]], StorageEncrypted=True)
    for i in range(n("db_cluster")):
        rds.create_db_cluster(DBClusterIdentifier=f"aurora{i}", Engine="aurora-postgresql", MasterUsername="app",
                              MasterUserPassword=PASSWORD, DBSubnetGroupName="data", StorageEncrypted=True)
    cache = clients("elasticache", region)
    cache.create_cache_subnet_group(CacheSubnetGroupName="data", CacheSubnetGroupDescription="d",
                                    SubnetIds=subnets[:3])
    for i in range(n("cache_group")):
        cache.create_replication_group(ReplicationGroupId=f"cache{i}", ReplicationGroupDescription="bench",
                                       Engine="redis", CacheNodeType="cache.t3.micro", NumCacheClusters=2,
                                       CacheSubnetGroupName="data", AtRestEncryptionEnabled=True)
    efs = clients("efs", region)
    for i in range(n("efs_file_system")):
        system = efs.create_file_system(CreationToken=f"fs{i}", Encrypted=True)["FileSystemId"]
        if i < n("efs_mount_target"):
            efs.create_mount_target(FileSystemId=system, SubnetId=subnets[i % len(subnets)], SecurityGroups=[groups[0]])
    for i in range(n("redshift_cluster")):
        clients("redshift", region).create_cluster(ClusterIdentifier=f"dw{i}", NodeType="ra3.xlplus",
                                                   MasterUsername="admin", MasterUserPassword=PASSWORD, Encrypted=True)


def _data_and_messaging(clients: Callable[[str, str], Any], region: str, n: Callable[[str], int]) -> None:
    kms = clients("kms", region)
    for i in range(n("kms_key")):
        kms.create_key(Description=f"k{i}", Tags=[{"TagKey": "Name", "TagValue": f"k{i}"}])
    sqs, sns = clients("sqs", region), clients("sns", region)
    for i in range(n("sqs_queue")):
        sqs.create_queue(QueueName=f"q{i}", tags={"Name": f"q{i}"})
    for i in range(n("sns_topic")):
        sns.create_topic(Name=f"t{i}", Tags=[{"Key": "Name", "Value": f"t{i}"}])
    dynamodb = clients("dynamodb", region)
    for i in range(n("dynamodb_table")):
        dynamodb.create_table(TableName=f"table{i}", BillingMode="PAY_PER_REQUEST",
                              KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                              Tags=[{"Key": "Name", "Value": f"table{i}"}])
    s3 = clients("s3", region)
    for i in range(n("bucket")):
        s3.create_bucket(Bucket=f"bench-{region}-{i}", CreateBucketConfiguration={"LocationConstraint": region})
    clients("cloudtrail", region).create_trail(Name=f"trail-{region}", S3BucketName=f"bench-{region}-0")
    backup = clients("backup", region)
    backup.create_backup_vault(BackupVaultName="bench")
    for i in range(n("backup_plan")):
        backup.create_backup_plan(BackupPlan={"BackupPlanName": f"plan{i}", "Rules": [
            {"RuleName": "daily", "TargetBackupVaultName": "bench"}]})


@dataclass
class Recorded:
    """The API calls an audit made, with their parameters, per (service, region), in order."""

    calls: dict[tuple[str, str], list[tuple[str, str, dict[str, Any]]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def install(self, client: Any) -> None:
        service, region = client.meta.service_model.service_name, client.meta.region_name
        methods = {operation: method for method, operation in client.meta.method_to_api_mapping.items()}

        def record(params: dict[str, Any], model: Any = None, **_: Any) -> None:
            with self.lock:
                self.calls.setdefault((service, region), []).append(
                    (methods[model.name], model.name, copy.deepcopy(params)))

        client.meta.events.register("provide-client-params", record)

    def total(self) -> int:
        return sum(len(calls) for calls in self.calls.values())


def replay(clients: Callable[[str, str], Any], recorded: Recorded, workers: int = 1, per_service: int = 1) -> None:
    """The recorded calls again, through plain boto3 clients. With workers > 1, as the audit
    runs them: ``workers`` (service, region) groups at once, each group's calls in recorded
    order ``per_service`` at a time. A per-resource call may then start before the listing
    it came from has finished, which no real script can do: a floor, not a rival."""
    def run(call: tuple[str, str, str, str, dict[str, Any]]) -> None:
        service, region, method, _, params = call
        try:
            getattr(clients(service, region), method)(**params)
        except Exception:  # noqa: BLE001 - "not configured" answers fail here as they did in the audit
            pass

    def group(key: tuple[str, str]) -> None:
        calls = [(*key, *call) for call in recorded.calls[key]]
        if per_service <= 1:
            for call in calls:
                run(call)
            return
        with ThreadPoolExecutor(max_workers=per_service) as pool:
            list(pool.map(run, calls))

    if workers <= 1:
        for key in recorded.calls:
            group(key)
        return
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(group, list(recorded.calls)))


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

    from fixtures.livebuilder import remove_default_vpc
    from stackproof.loaders.live import LiveOptions, collect, inventory_of
    from stackproof.loaders.live.calllog import CallLog

    server, url = start_moto()
    try:
        answers = aws_answers()
        options = LiveOptions(regions=list(REGIONS), endpoint_url=url)
        config = Config(retries={"mode": "standard"}, max_pool_connections=max(10, options.per_service + 2))

        def plain_clients() -> Callable[[str, str], Any]:
            """Plain boto3 clients of a new session, one per service and region, made when first needed."""
            session, cache, lock = boto3.Session(), {}, threading.Lock()

            def clients(service: str, region: str) -> Any:
                with lock:  # a botocore session must not create clients in parallel
                    if (service, region) not in cache:
                        client = session.client(service, region_name=region, endpoint_url=url, config=config)
                        answers.hook(client)
                        cache[(service, region)] = client
                    return cache[(service, region)]
            return clients

        setup = plain_clients()
        for region in REGIONS:  # the architecture only: moto's default VPC is not part of the count
            remove_default_vpc(setup("ec2", region))
        seconds, made = timed(lambda: populate(setup, args.resources / 500))
        print(f"populated {made} resources in {len(REGIONS)} regions in {seconds:.1f} s")

        recorded = Recorded()
        collect(LiveOptions(regions=list(REGIONS), endpoint_url=url, client_hooks=[answers.hook, recorded.install]))
        audits, serial, parallel = [], [], []
        audit_calls = resources = 0
        for _ in range(args.repeat):
            log = CallLog()
            options.client_hooks = [answers.hook, log.install]
            seconds, inventory = timed(lambda: inventory_of(collect(options)))
            audits.append(seconds)
            audit_calls, resources = log.total, len(inventory)
            serial.append(timed(lambda: replay(plain_clients(), recorded))[0])
            parallel.append(timed(lambda: replay(plain_clients(), recorded, options.max_workers,
                                                 options.per_service))[0])
        audit, bare_serial, bare_parallel = min(audits), min(serial), min(parallel)
        load = os.getloadavg()[0]
        print(f"audit:                       {audit:6.2f} s  {audit_calls:5d} API calls  "
              f"({resources} resources in the model)")
        print(f"bare enumeration, parallel:  {bare_parallel:6.2f} s  {recorded.total():5d} API calls  "
              f"({options.max_workers} services at once, {options.per_service} calls per service)")
        print(f"bare enumeration, serial:    {bare_serial:6.2f} s  {recorded.total():5d} API calls")
        print(f"audit / bare enumeration (same concurrency): {audit / bare_parallel:.2f}x (target 1.5x); "
              f"audit / serial: {audit / bare_serial:.2f}x; load average {load:.2f}")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
