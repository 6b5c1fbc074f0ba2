"""CloudFormation benchmark: a generated template of 5,000 resources, scanned in full.

    python benchmarks/bench_template.py [SIZES...]

The template (YAML, short-form tags) repeats a 25-resource "cell": a VPC with three
subnets in zones picked by Fn::Select over Fn::GetAZs, a route table and associations,
an internet gateway, a security group with inline and separate rules, a KMS key, a DB
subnet group and a PostgreSQL instance, a bucket with encryption, versioning, public
access block and a bucket policy, a launch template and an auto scaling group, an
instance and a volume, a load balancer with a listener and target group, a queue;
values come from parameters (Ref), a mapping keyed by region (Fn::FindInMap), Fn::Sub
and Fn::Join. Each size is timed as YAML and as the same template in JSON. Printed per size:

- the wall time and peak memory of `stackproof scan template.yaml --region eu-west-2
  --format json` in a fresh process (start-up, imports, decode, check, resolve, map,
  evaluate the whole catalogue, write the report), best of 3;
- the same steps in-process, timed one by one: decoding (the fast reader a scan uses,
  and for comparison cfn-lint's decoder with its import, used only to name the line of
  a mistake), loading (decode, checks, resolving, mapping), evaluating.

The same template with one condition on an AllowedValues parameter (two scenarios,
each evaluated) is timed too. Target (issue 4): 5,000 resources in under 2 s.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 2.0
HEADER = """AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Environment: {{Type: String, Default: prod{allowed}}}
  DatabaseClass: {{Type: String, Default: db.m6g.large}}
  ImageId: {{Type: String, Default: ami-0abcdef1234567890}}
Mappings:
  RegionMap:
    eu-west-2: {{Cidr: 10.0.0.0/16, InstanceType: t3.small}}
    us-east-1: {{Cidr: 10.1.0.0/16, InstanceType: t3.micro}}
Conditions:
  IsProduction: !Equals [!Ref Environment, prod]
Resources:
"""


def cell(k: int) -> str:
    """25 resources that reference each other."""
    tags = f"[{{Key: Name, Value: cell-{k}}}, {{Key: Environment, Value: !Ref Environment}}]"
    subnets = "".join(f"""
  Subnet{k}x{i}:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc{k}
      CidrBlock: !Select [{i}, !Cidr [!GetAtt Vpc{k}.CidrBlock, 4, 8]]
      AvailabilityZone: !Select [{i}, !GetAZs ""]
      Tags: {tags}
  Assoc{k}x{i}:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties: {{SubnetId: !Ref Subnet{k}x{i}, RouteTableId: !Ref Routes{k}}}""" for i in range(3))
    return f"""
  Vpc{k}:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: !FindInMap [RegionMap, !Ref "AWS::Region", Cidr]
      Tags: {tags}{subnets}
  Routes{k}:
    Type: AWS::EC2::RouteTable
    Properties: {{VpcId: !Ref Vpc{k}, Tags: {tags}}}
  Gateway{k}:
    Type: AWS::EC2::InternetGateway
  Attach{k}:
    Type: AWS::EC2::VPCGatewayAttachment
    Properties: {{VpcId: !Ref Vpc{k}, InternetGatewayId: !Ref Gateway{k}}}
  Group{k}:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: !Sub "cell ${{AWS::Region}} {k}"
      VpcId: !Ref Vpc{k}
      SecurityGroupIngress: [{{IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/16}}]
      SecurityGroupEgress: [{{IpProtocol: "-1", CidrIp: 0.0.0.0/0}}]
      Tags: {tags}
  GroupRule{k}:
    Type: AWS::EC2::SecurityGroupIngress
    Properties: {{GroupId: !GetAtt Group{k}.GroupId, IpProtocol: tcp, FromPort: 5432, ToPort: 5432,
                 SourceSecurityGroupId: !GetAtt Group{k}.GroupId}}
  Key{k}:
    Type: AWS::KMS::Key
    Properties: {{EnableKeyRotation: true, Tags: {tags}}}
  DbSubnets{k}:
    Type: AWS::RDS::DBSubnetGroup
    Properties:
      DBSubnetGroupDescription: cell {k}
      SubnetIds: [!Ref Subnet{k}x0, !Ref Subnet{k}x1, !Ref Subnet{k}x2]
  Db{k}:
    Type: AWS::RDS::DBInstance
    Properties:
      DBInstanceIdentifier: !Join ["-", [db, "{k}"]]
      Engine: postgres
      DBInstanceClass: !Ref DatabaseClass
      AllocatedStorage: "100"
      StorageEncrypted: true
      KmsKeyId: !GetAtt Key{k}.Arn
      MultiAZ: !If [IsProduction, true, false]
      PubliclyAccessible: false
      BackupRetentionPeriod: 7
      DeletionProtection: true
      DBSubnetGroupName: !Ref DbSubnets{k}
      VPCSecurityGroups: [!GetAtt Group{k}.GroupId]
      Tags: {tags}
  Bucket{k}:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "cell-{k}-${{AWS::Region}}"
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault: {{SSEAlgorithm: "aws:kms", KMSMasterKeyID: !GetAtt Key{k}.Arn}}
      VersioningConfiguration: {{Status: Enabled}}
      PublicAccessBlockConfiguration: {{BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true,
                                       RestrictPublicBuckets: true}}
      Tags: {tags}
  BucketPolicy{k}:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Bucket{k}
      PolicyDocument:
        Statement: [{{Effect: Deny, Principal: "*", Action: "s3:*", Resource: !Sub "${{Bucket{k}.Arn}}/*",
                     Condition: {{Bool: {{"aws:SecureTransport": "false"}}}}}}]
  Template{k}:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        ImageId: !Ref ImageId
        InstanceType: !FindInMap [RegionMap, !Ref "AWS::Region", InstanceType]
        SecurityGroupIds: [!GetAtt Group{k}.GroupId]
        BlockDeviceMappings: [{{DeviceName: /dev/xvda, Ebs: {{Encrypted: true, VolumeSize: 30, VolumeType: gp3}}}}]
        MetadataOptions: {{HttpTokens: required}}
  Scaling{k}:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      MinSize: "2"
      MaxSize: "6"
      DesiredCapacity: "2"
      VPCZoneIdentifier: [!Ref Subnet{k}x0, !Ref Subnet{k}x1, !Ref Subnet{k}x2]
      LaunchTemplate: {{LaunchTemplateId: !Ref Template{k}, Version: !GetAtt Template{k}.LatestVersionNumber}}
      TargetGroupARNs: [!Ref Targets{k}]
  Server{k}:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: !Ref ImageId
      InstanceType: t3.small
      SubnetId: !Ref Subnet{k}x0
      SecurityGroupIds: [!GetAtt Group{k}.GroupId]
      BlockDeviceMappings: [{{DeviceName: /dev/xvda, Ebs: {{Encrypted: true, VolumeSize: 20}}}}]
      Tags: {tags}
  Volume{k}:
    Type: AWS::EC2::Volume
    Properties: {{AvailabilityZone: !GetAtt Server{k}.AvailabilityZone, Size: 100, Encrypted: true,
                 VolumeType: gp3, Tags: {tags}}}
  Balancer{k}:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Scheme: internal
      Subnets: [!Ref Subnet{k}x0, !Ref Subnet{k}x1, !Ref Subnet{k}x2]
      SecurityGroups: [!GetAtt Group{k}.GroupId]
      Tags: {tags}
  Targets{k}:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties: {{Port: 8080, Protocol: HTTP, VpcId: !Ref Vpc{k}}}
  Listener{k}:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Balancer{k}
      Port: 443
      Protocol: HTTPS
      SslPolicy: ELBSecurityPolicy-TLS13-1-2-2021-06
      Certificates: [{{CertificateArn: !Sub "arn:${{AWS::Partition}}:acm:${{AWS::Region}}:111122223333:certificate/c{k}"}}]
      DefaultActions: [{{Type: forward, TargetGroupArn: !Ref Targets{k}}}]
  Queue{k}:
    Type: AWS::SQS::Queue
    Properties: {{KmsMasterKeyId: !GetAtt Key{k}.Arn, Tags: {tags}}}"""


CELL_SIZE = 25


def template(resources: int, scenarios: bool = False) -> str:
    # A free parameter's condition varies too (prod, or anything else): one allowed value keeps one scenario.
    allowed = ", AllowedValues: [prod, staging]" if scenarios else ", AllowedValues: [prod]"
    return HEADER.format(allowed=allowed) + "".join(cell(k) for k in range(resources // CELL_SIZE)) + "\n"


def cli_run(path: Path, out: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak MB of a fresh `stackproof scan` process. On a
    busy machine the wall time includes waiting for a core; the CPU time does not."""
    code = ("import resource, sys\nfrom stackproof.cli import main\n"
            f"code = main(['scan', {str(path)!r}, '--region', 'eu-west-2', '--format', 'json', "
            f"'--output-dir', {str(out)!r}])\n"
            "usage = resource.getrusage(resource.RUSAGE_SELF)\n"
            "print(usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)\n"
            "sys.exit(0 if code in (0, 1) else code)\n")
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - start
    cpu, peak = done.stdout.split()[-2:]
    return wall, float(cpu), float(peak)


def steps(path: Path) -> dict[str, float]:
    """The scan's steps one by one, in this process (run it first, in a fresh interpreter)."""
    timings: dict[str, float] = {}
    from stackproof.catalogue import load_catalogue
    from stackproof.loaders import LoadOptions, load_inputs
    from stackproof.loaders.cloudformation.decode import decode_template
    from stackproof.run import RunOptions, run

    text = path.read_text()
    start = time.perf_counter()
    decode_template(text, str(path))
    timings["decode (fast reader)"] = time.perf_counter() - start
    start = time.perf_counter()
    decode_template(text, str(path), exact=True)
    timings["decode (cfn-lint, with its import)"] = time.perf_counter() - start
    start = time.perf_counter()
    inventory = load_inputs([path], LoadOptions(region="eu-west-2"))
    timings["load (decode, check, resolve, map)"] = time.perf_counter() - start
    catalogue = load_catalogue()
    start = time.perf_counter()
    report, _ = run(inventory, catalogue, RunOptions())
    timings["evaluate"] = time.perf_counter() - start
    timings["resources"] = len(inventory)
    timings["scenarios"] = len(inventory.scenarios) or 1
    timings["results"] = len(report.results)
    return timings


def as_json(text: str) -> str:
    """The same template as JSON (what generators such as the CDK write)."""
    import json

    from stackproof.loaders.cloudformation.decode import decode_template

    return json.dumps(decode_template(text, "template.yaml", exact=True), indent=1)


def main(sizes: list[int]) -> int:
    ok = True
    with tempfile.TemporaryDirectory() as folder:
        directory = Path(folder)
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        print(f"{'resources':>9} {'format':>6} {'scenarios':>9} {'wall s':>7} {'cpu s':>6} {'peak MB':>8} {'MB':>5}"
              f"  under {TARGET_SECONDS:.0f} s")
        paths = {}
        for size in sizes:
            for scenarios in (False, True):
                text = template(size, scenarios)
                for fmt, body in (("yaml", text), ("json", as_json(text))):
                    path = paths[size, fmt, scenarios] = directory / f"template-{size}-{int(scenarios)}.{fmt}"
                    path.write_text(body)
                    wall, cpu, peak = min(cli_run(path, directory / "out") for _ in range(3))
                    fits = wall < TARGET_SECONDS
                    if size == 5000 and not scenarios:
                        ok &= fits
                    print(f"{size:>9} {fmt:>6} {2 if scenarios else 1:>9} {wall:>7.2f} {cpu:>6.2f} {peak:>8.0f} "
                          f"{len(body) / 1e6:>5.1f}  {'yes' if fits else 'no'}")
        for fmt in ("yaml", "json"):
            path = paths.get((5000, fmt, False))
            if path is None:
                continue
            code = ("import json, runpy, sys\nsys.path.insert(0, '.')\n"
                    "steps = runpy.run_path('benchmarks/bench_template.py')['steps']\n"
                    f"print(json.dumps(steps(__import__('pathlib').Path({str(path)!r}))))\n")
            done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
            import json

            timings = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"steps of the 5,000-resource {fmt.upper()} scan, in-process:")
            for name, value in timings.items():
                shown = f"{value:.3f} s" if isinstance(value, float) else f"{value:,}"
                print(f"  {name:<30} {shown}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main([int(a) for a in sys.argv[1:]] or [1000, 5000]))
