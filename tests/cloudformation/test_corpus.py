"""Every CloudFormation template in ../shared/corpus is evaluated, or refused with exit 2 and
one clear line; none crashes. Where MANIFEST.md states a verdict for something our
policies cover, our verdict agrees (differences of semantics are named per test)."""
from __future__ import annotations

import json
from dataclasses import replace

import pytest

from stackproof.cli import main
from tests.conftest import CORPUS, scan_paths

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")


def _corpus_templates():
    if not CORPUS.is_dir():
        return []
    manifest = json.loads((CORPUS / "manifest.json").read_text())
    return [e["file"] for e in manifest if e["kind"] in ("cfn", "cfn-parameters")
            or (e["kind"] == "unparseable" and e["file"].endswith((".yaml", ".yml", ".template")))]


# Files refused on purpose (CloudFormation refuses them too), and the words the refusal must contain.
REFUSED = {
    "cfn-lint/test/fixtures/templates/bad/generic.yaml": "unknown resource type AWS::EC2::Instance1",
    "cfn-lint/test/fixtures/templates/bad/functions_ref.yaml": "refers to pIops, which is neither",
    "cfn-lint/test/fixtures/templates/bad/resources_circular_dependency.yaml": "circular dependency between resources",
    "cloudformation-guard/guard/resources/validate/malformed-template.yaml": "invalid YAML",
    "cloudformation-guard/guard/resources/validate/db_resource.yaml": "refers to MasterUserPassword",
    "snyk-policy-engine/pkg/input/golden_test/cfn/params-01/main.yml": "unknown resource type Server",
    "snyk-policy-engine/pkg/input/golden_test/cfn/example-02/main.yaml": "refers to LoggingBucket",
    "snyk-policy-engine/pkg/input/golden_test/cfn/non-string-tags/main.json":
        "condition CreateSingleNatGateway is not a condition expression",
    "cfn_nag/spec/test_templates/yaml/security_group/bad_cidr.json": "CloudFormation parameters file",
    # a source for the rain tool, which replaces !Rain::Embed before deploying; CloudFormation refuses the tag
    "aws-cloudformation-templates/ElastiCache/Elasticache-snapshot.yaml":
        "uses Fn::Rain::Embed (or the tag !Rain::Embed), which is not a CloudFormation function",
}

@pytest.mark.parametrize("name", _corpus_templates())
def test_corpus_template_is_evaluated_or_refused_clearly(name, tmp_path, capsys):
    code = main(["scan", str(CORPUS / name), "--format", "json", "--output-dir", str(tmp_path)])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "internal error" not in captured.err
    if name in REFUSED:
        assert code == 2
        lines = captured.err.strip().splitlines()
        assert len(lines) == 1 and name in lines[0] and REFUSED[name] in lines[0], lines
        assert not list(tmp_path.iterdir()), "nothing may be written for refused input"
        return
    assert code in (0, 1), captured.err
    report = json.loads((tmp_path / "results.json").read_text())
    errors = [(r["policy"], r["resource"], r["message"]) for r in report["results"] if r["status"] == "ERROR"]
    assert errors == []


def verdicts(catalogue, name, policy, **options):
    results = scan_paths([CORPUS / name], catalogue, policies=[policy], **options)
    return {r.resource: r.status for r in results}


CHECKOV = "checkov/tests/cloudformation/checks/resource/aws/"


@pytest.mark.parametrize("folder,policy,files", [
    ("example_RDSEncryption", "rds_instance_storage_encrypted", {
        "RDSEncryption-FAIL.yaml": {"MyDB0": "FAIL", "MyDB1": "FAIL"},
        "RDSEncryption-PASSED.yaml": {"MyDB0": "PASS"},
        # Aurora-engine instances: the storage is the cluster's (checkov: not applicable)
        "RDSEncryption-UNKNOWN.yaml": {"MyDBAurora0": "UNKNOWN", "MyDBAurora1": "UNKNOWN", "MyDBAurora2": "UNKNOWN"}}),
    ("example_EBSEncryption", "ebs_volume_encrypted", {
        "EBSEncryption-FAILED.yaml": {"NewVolume": "FAIL"},
        "EBSEncryption-FAILED-2.yaml": {"NewVolume": "FAIL"},  # Encrypted not set
        "EBSEncryption-PASSED.yaml": {"NewVolume": "PASS"}}),
    ("example_EFSEncryption", "efs_file_system_encrypted", {
        "EFSEncrpytion-FAILED.yml": {"FileSystemResource": "FAIL"},
        "EFSEncrpytion-PASSED.yml": {"FileSystemResource": "PASS"}}),
    ("example_ElasticacheReplicationGroupEncryptionAtRest", "elasticache_replication_group_encrypted", {
        "ElasticacheReplicationGroupEncryptionAtRest-FAILED.yaml": {"ReplicationGroup": "FAIL"},
        "ElasticacheReplicationGroupEncryptionAtRest-FAILED-2.yaml": {"ReplicationGroup": "FAIL"},
        "ElasticacheReplicationGroupEncryptionAtRest-PASSED.yaml": {"ReplicationGroup": "PASS"}}),
    ("example_RDSMultiAZEnabled", "rds_instance_multi_az", {
        "RDSMultiAZEnabled-FAILED.yaml": {"MyDBDisabled": "FAIL"},
        "RDSMultiAZEnabled-FAILED-2.yaml": {"MyDBDefault": "FAIL"},
        "RDSMultiAZEnabled-PASSED.yaml": {"MyDBEnabled": "PASS"},
        "RDSMultiAZEnabled-UNKNOWN.yaml": {"MyDBAurora": "NOT_APPLICABLE"}}),  # Aurora: the cluster's
    ("example_AuroraEncryption", "rds_cluster_storage_encrypted", {
        "AuroraEncryption-FAIL.yaml": {"Aurora0": "FAIL", "Aurora1": "FAIL"},
        "AuroraEncryption-PASSED.yaml": {"Aurora0": "PASS"},
        # restored from a snapshot or another cluster: the encryption is inherited
        "AuroraEncryption-UNKNOWN.yaml": {"Aurora0": "UNKNOWN", "Aurora1": "UNKNOWN"}}),
], ids=lambda x: x if isinstance(x, str) and x.startswith("example_") else "")
def test_checkov_file_verdicts(catalogue, folder, policy, files):
    for name, expected in files.items():
        assert verdicts(catalogue, f"{CHECKOV}{folder}/{name}", policy) == expected, name


def test_checkov_launch_configurations_also_count_the_root_volume(catalogue):
    # checkov checks only the mappings a launch configuration declares. None of these
    # configures the AMI's root volume (/dev/xvda, /dev/sda1), which nothing asks to
    # encrypt, so our policy fails all five, as it fails a plan's launch configuration
    # without an encrypted root_block_device.
    folder = f"{CHECKOV}example_LaunchConfigurationEBSEncryption/"
    for name in ("FAILED-no-enc.yml", "PASSED-ephermal.yml", "PASSED.yml", "UNKNOWN.yml", "UNKNOWN_2.yml"):
        found = verdicts(catalogue, f"{folder}LaunchConfigurationEBSEncryption-{name}", "ebs_volume_encrypted")
        assert found == {"AutoScalingConfig": "FAIL"}, name


NAG = "cfn_nag/spec/test_templates/"


@pytest.mark.parametrize("name,policy,expected", [
    ("json/ec2_volume/ebs_volume_with_encryption.json", "ebs_volume_encrypted", {"NewVolume": "PASS"}),
    ("json/ec2_volume/ebs_volume_with_kms_key.json", "ebs_volume_encrypted", {"NewVolume": "PASS"}),
    ("json/ec2_volume/ebs_volume_without_encryption_string.json", "ebs_volume_encrypted", {"NewVolumeA": "FAIL"}),
    ("json/ec2_volume/two_ebs_volumes_with_no_encryption.json", "ebs_volume_encrypted",
     {"NewVolume1": "FAIL", "NewVolume2": "FAIL"}),
    ("json/efs/filesystem_with_encryption.json", "efs_file_system_encrypted", {"filesystem": "PASS"}),
    ("json/efs/filesystem_with_no_encryption.json", "efs_file_system_encrypted", {"filesystem": "FAIL"}),
    ("json/elasticache/replication_group_with_encryption.json", "elasticache_replication_group_encrypted",
     {"BasicReplicationGroup": "PASS"}),
    ("json/elasticache/replication_group_with_encryption_false.json", "elasticache_replication_group_encrypted",
     {"BasicReplicationGroup": "FAIL"}),
    ("json/elasticache/replication_group_with_no_encryption.json", "elasticache_replication_group_encrypted",
     {"BasicReplicationGroup": "FAIL"}),
    ("json/rds_instance/db_cluster_with_no_encryption.json", "rds_cluster_storage_encrypted", {"RDSCluster": "FAIL"}),
    # no offence: an Aurora member's encryption is its cluster's
    ("json/rds_instance/db_instance_with_clusterid_and_encryption_false.json", "rds_instance_storage_encrypted",
     {"MyDB": "NOT_APPLICABLE"}),
    ("json/rds_instance/db_instance_with_encryption.json", "rds_instance_storage_encrypted", {"MyDB": "PASS"}),
    ("json/rds_instance/db_instance_with_encryption_false.json", "rds_instance_storage_encrypted", {"MyDB": "FAIL"}),
    ("json/rds_instance/db_instance_with_encryption_false_boolean.json", "rds_instance_storage_encrypted",
     {"MyDB": "FAIL"}),
    ("json/rds_instance/db_instance_with_no_encryption.json", "rds_instance_storage_encrypted", {"MyDB": "FAIL"}),
    ("json/rds_instance/rds_instance_publicly_accessible.json", "rds_instance_not_public", {"PublicDB": "FAIL"}),
    # cfn_nag flags an instance that does not set PubliclyAccessible; AWS then decides by
    # the VPC's internet gateway (a read replica: by its source), which the template does not show
    ("json/rds_instance/rds_instance_without_publicly_accessible.json", "rds_instance_not_public",
     {"AmbiguousDb": "UNKNOWN"}),
    ("yaml/ec2_subnet/ec2_subnet_map_public_ip_on_launch_false_boolean.yml", "instance_no_public_ip",
     {"EC2Subnet": "PASS"}),
    ("yaml/ec2_subnet/ec2_subnet_map_public_ip_on_launch_true_boolean.yml", "instance_no_public_ip",
     {"EC2Subnet": "FAIL"}),
    ("yaml/ec2_subnet/ec2_subnet_map_public_ip_on_launch_true_string.yml", "instance_no_public_ip",
     {"EC2Subnet": "FAIL"}),
    ("yaml/ec2_subnet/ec2_subnet_no_map_public_ip_on_launch_specified.yml", "instance_no_public_ip",
     {"EC2Subnet": "PASS"}),
    ("yaml/elasticloadbalacingv2_listener/listener_with_http_protocol.yml", "lb_listener_tls",
     {"HTTPlistener": "FAIL"}),
], ids=lambda x: x.rsplit("/", 1)[-1] if isinstance(x, str) and "/" in x else "")
def test_cfn_nag_offenders(catalogue, name, policy, expected):
    assert verdicts(catalogue, NAG + name, policy) == expected


def test_cfn_nag_bad_cidr_comes_from_the_parameters_file(tmp_path):
    from stackproof.loaders import LoadOptions, load_inputs

    template = CORPUS / NAG / "yaml/security_group/bad_cidr_in_parameter.yml"
    parameters = CORPUS / NAG / "yaml/security_group/bad_cidr.json"
    group = load_inputs([template], LoadOptions(parameters=str(parameters))).get("InstanceSecurityGroup")
    assert any("::/0" in rule.ipv6_cidr_blocks or "::/0" in rule.cidr_blocks for rule in group.ingress)


def test_s3_encryption_with_and_without_a_kms_requirement(catalogue):
    # regula, cloudformation-guard and trivy accept SSE-S3 (AES256); our default requires
    # a KMS key. With require_kms: false our verdicts are theirs.
    from stackproof.engine import evaluate
    from stackproof.loaders import LoadOptions, load_inputs

    policy = catalogue.policy("s3_bucket_encrypted")
    relaxed = replace(policy, params={**policy.params, "require_kms": False})
    cases = {
        "regula/rego/tests/rules/cfn/s3/inputs/valid_encryption_infra.yaml": {"Bucket": "PASS"},
        "regula/rego/tests/rules/cfn/s3/inputs/invalid_encryption_with_valid_infra.yaml":
            {"Bucket": "PASS", "InvalidBucket": "PASS"},
        "cloudformation-guard/guard/resources/validate/data-dir/s3-server-side-encryption-template-compliant.yaml":
            {"MyBucket": "PASS"},
        "trivy-checks/checks/cloud/aws/s3/enable_bucket_encryption.cfn-good-1.yaml": {"GoodExample": "PASS"},
        "cfn_nag/spec/test_templates/json/s3_bucket/buckets_with_no_encryption.json":
            {"S3BucketEncryptionNotSet": "PASS", "Green_S3BucketEncryptionSet": "PASS"},
    }
    for name, expected in cases.items():
        inventory = load_inputs([CORPUS / name], LoadOptions())
        assert {r.resource: r.status for r in evaluate([relaxed], inventory)} == expected, name
    # Strict: only buckets with a KMS key pass. The tools that flag "no encryption" (regula's
    # InvalidBucket, guard's non-compliant, trivy's bad example, cfn_nag's
    # S3BucketEncryptionNotSet) fail with both settings, as their files state.
    assert verdicts(catalogue, "regula/rego/tests/rules/cfn/s3/inputs/invalid_encryption_with_valid_infra.yaml",
                    "s3_bucket_encrypted") == {"Bucket": "PASS", "InvalidBucket": "FAIL"}
    for name in ("cloudformation-guard/guard/resources/validate/data-dir/s3-server-side-encryption-template-non-compliant.yaml",
                 "cloudformation-guard/guard/resources/validate/s3-server-side-encryption-template-non-compliant-2.yaml",
                 "regula/rego/tests/rules/cfn/s3/inputs/invalid_encryption_missing_infra.yaml",
                 "trivy-checks/checks/cloud/aws/s3/enable_bucket_encryption.cfn-bad-1.yaml"):
        assert set(verdicts(catalogue, name, "s3_bucket_encrypted").values()) == {"FAIL"}, name


def test_guard_public_read_prohibited_by_the_public_access_block(catalogue):
    base = "cloudformation-guard/guard/resources/validate/data-dir/s3-public-read-prohibited-template-"
    assert verdicts(catalogue, base + "compliant.yaml", "s3_bucket_public_access_blocked") == {"MyBucket": "PASS"}
    assert verdicts(catalogue, base + "non-compliant.yaml", "s3_bucket_public_access_blocked") == {"MyBucket": "FAIL"}


def test_regula_ebs_volumes(catalogue):
    found = verdicts(catalogue, "regula/rego/tests/rules/cfn/ebs/inputs/volume_encryption_infra.yaml",
                     "ebs_volume_encrypted")
    assert found == {"ValidVolume01": "PASS", "InvalidVolume01": "FAIL", "InvalidVolume02": "FAIL"}


TRIVY = "trivy-checks/checks/cloud/aws/"


@pytest.mark.parametrize("check,policy,good", [
    ("ec2/enable_volume_encryption", "ebs_volume_encrypted", "PASS"),
    # trivy checks the declared /dev/sdm only; the instance's root volume comes from the
    # AMI with no encryption requested, which our policy fails (as it does in a plan)
    ("ec2/enable_at_rest_encryption", "ebs_volume_encrypted", "FAIL"),
    ("ec2/no_public_ip_subnet", "instance_no_public_ip", "PASS"),
    ("efs/enable_at_rest_encryption", "efs_file_system_encrypted", "PASS"),
    # one policy checks encryption at rest and in transit; each good example sets only one
    ("elasticache/enable_at_rest_encryption", "elasticache_replication_group_encrypted", "FAIL"),
    ("elasticache/enable_in_transit_encryption", "elasticache_replication_group_encrypted", "FAIL"),
    ("rds/disable_public_access", "rds_instance_not_public", "PASS"),
    ("rds/encrypt_cluster_storage_data", "rds_cluster_storage_encrypted", "PASS"),
    ("rds/encrypt_instance_storage_data", "rds_instance_storage_encrypted", "PASS"),
], ids=lambda x: x if isinstance(x, str) and "/" in x else "")
def test_trivy_examples(catalogue, check, policy, good):
    assert set(verdicts(catalogue, f"{TRIVY}{check}.cfn-bad-1.yaml", policy).values()) == {"FAIL"}
    assert set(verdicts(catalogue, f"{TRIVY}{check}.cfn-good-1.yaml", policy).values()) == {good}


def test_aws_compliant_bucket_samples_block_public_access(catalogue):
    # The samples state they pass typical scanning: public access blocked, SSE on. Their
    # SSE is SSE-S3 (our default wants KMS) and their replica buckets are in the same
    # stack, so in the same region: not a copy in another region.
    for name in ("aws-cloudformation-templates/S3/compliant-bucket.yaml",
                 "aws-cloudformation-templates/S3/compliant-static-website.yaml"):
        assert set(verdicts(catalogue, name, "s3_bucket_public_access_blocked").values()) == {"PASS"}
        found = verdicts(catalogue, name, "s3_bucket_cross_region_replication", region="us-east-1")
        assert "PASS" not in found.values() and "FAIL" in found.values()


def test_cfn_lint_good_fixtures_are_all_evaluated(tmp_path):
    # cfn-lint's "good" fixtures are valid templates: none is refused.
    good = [n for n in _corpus_templates() if "/fixtures/templates/good/" in n]
    assert good
    for name in good:
        assert main(["scan", str(CORPUS / name), "--format", "json", "--output-dir", str(tmp_path)]) in (0, 1), name


# Templates that hold only security groups (or network ACLs) and a VPC: checkov
# (SecurityGroupUnrestrictedIngress22/3389/80), regula (ingress_22, ingress_3389,
# nacl_ingress_22) and trivy (AWS-0107) judge a rule by itself, so 0.0.0.0/0 on port 22
# fails even when nothing uses the group. Our network policies judge what the internet
# can actually reach: a rule on a group attached to nothing exposes nothing, so they
# give no verdict at all here. This is deliberate; the same rule fails as soon as
# something reachable uses the group (test_an_open_group_fails_once_something_uses_it).
RULES_ONLY = sorted(
    [f"{CHECKOV}example_SecurityGroupUnrestrictedIngress{port}/{path.name}"
     for port in (22, 3389, 80)
     for path in (CORPUS / CHECKOV / f"example_SecurityGroupUnrestrictedIngress{port}").glob("*.yaml")]
    + [f"regula/rego/tests/rules/cfn/vpc/inputs/{name}_infra.yaml" for name in ("ingress_22", "ingress_3389",
                                                                                "nacl_ingress_22")]
    + [f"{TRIVY}ec2/no_public_ingress_sgr.cfn-{kind}-1.yaml" for kind in ("bad", "good")]
) if CORPUS.is_dir() else []
NETWORK_POLICIES = ["network_admin_ports_not_internet_reachable", "network_internet_exposure_allowlisted",
                    "network_data_store_not_internet_reachable", "network_tier_isolation"]


@pytest.mark.parametrize("name", RULES_ONLY, ids=lambda n: n.rsplit("/", 1)[-1])
def test_rules_that_nothing_uses_give_no_network_verdict(catalogue, name):
    from stackproof.loaders import LoadOptions, load_inputs

    inventory = load_inputs([CORPUS / name], LoadOptions())
    # nothing here can receive traffic: only the groups, ACLs and VPCs themselves
    assert inventory.kinds() <= {"aws.ec2.security_group", "aws.ec2.network_acl", "aws.ec2.vpc"}
    assert scan_paths([CORPUS / name], catalogue, policies=NETWORK_POLICIES) == []


def test_an_open_group_fails_once_something_uses_it(tmp_path, catalogue):
    # trivy's bad example, with an instance in a public subnet using the group
    bad = (CORPUS / TRIVY / "ec2/no_public_ingress_sgr.cfn-bad-1.yaml").read_text()
    path = tmp_path / "used.yaml"
    path.write_text(bad + """
  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}
  Gateway: {Type: AWS::EC2::InternetGateway}
  Attachment: {Type: AWS::EC2::VPCGatewayAttachment, Properties: {VpcId: !Ref Vpc, InternetGatewayId: !Ref Gateway}}
  Routes: {Type: AWS::EC2::RouteTable, Properties: {VpcId: !Ref Vpc}}
  Default: {Type: AWS::EC2::Route, Properties: {RouteTableId: !Ref Routes, DestinationCidrBlock: 0.0.0.0/0, GatewayId: !Ref Gateway}}
  Public: {Type: AWS::EC2::Subnet, Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.0.0/24, MapPublicIpOnLaunch: true}}
  Association: {Type: AWS::EC2::SubnetRouteTableAssociation, Properties: {SubnetId: !Ref Public, RouteTableId: !Ref Routes}}
  Bastion: {Type: AWS::EC2::Instance, Properties: {ImageId: ami-12345678, SubnetId: !Ref Public, SecurityGroupIds: [!Ref BadSecurityGroup]}}
""".replace("GroupDescription: Limits security group egress traffic",
            "GroupDescription: Limits security group egress traffic\n      VpcId: !Ref Vpc"))
    results = scan_paths([path], catalogue, policies=["network_admin_ports_not_internet_reachable"])
    assert [(r.resource, r.status) for r in results] == [("Bastion", "FAIL")]


GUARD = "cloudformation-guard/guard-examples/"


def guard_cases(name: str) -> list[dict]:
    import yaml

    return yaml.safe_load((CORPUS / GUARD / name).read_text())


def guard_verdicts(tmp_path, catalogue, case: dict, policy: str) -> dict[str, str] | str:
    """Our verdicts on one guard test case's input, or the refusal."""
    path = tmp_path / "input.json"
    path.write_text(json.dumps(case["input"]))
    code = main(["scan", str(path), "--policy", policy, "--format", "json", "--output-dir", str(tmp_path / "out")])
    if code == 2:
        return "refused"
    report = json.loads((tmp_path / "out" / "results.json").read_text())
    return {r["resource"]: r["status"] for r in report["results"]}


def test_guard_s3_bucket_sse_tests(tmp_path, catalogue, capsys):
    # s3_buckets_allowed_sse_algorithm: every default-encryption rule must be aws:kms or
    # AES256. The second case adds a rule with the algorithm 'sse', which S3 does not have:
    # both tools fail it, and pass the buckets that use aws:kms with a key.
    cases = guard_cases("encryption/s3-bucket-sse-tests.yaml")
    stated = [case["expectations"]["rules"]["s3_buckets_allowed_sse_algorithm"] for case in cases]
    assert stated == ["PASS", "FAIL", "PASS"]
    ours = [guard_verdicts(tmp_path, catalogue, case, "s3_bucket_encrypted")["s3Valid"] for case in cases]
    assert ours == stated


def test_guard_dynamodb_sse_tests(tmp_path, catalogue, capsys):
    cases = guard_cases("encryption/dynamodb-table-sse-tests.yaml")
    stated = [case["expectations"]["rules"]["dynamo_db_sse_on"] for case in cases]
    assert stated == ["SKIP", "PASS", "PASS", "PASS", "PASS", "SKIP"]
    ours = [guard_verdicts(tmp_path, catalogue, case, "dynamodb_table_encrypted") for case in cases]
    # The first case has no resource at all: guard skips its rule, CloudFormation and
    # stackproof refuse the template. Every table enables SSE, so each passes; guard skips
    # the last case only because its rule runs when every resource is tagged, which is a
    # tagging rule of that pack, not a property of encryption.
    assert ours[0] == "refused"
    assert all(set(found.values()) == {"PASS"} for found in ours[1:])


def test_guard_elb_listener_tests(tmp_path, catalogue, capsys):
    cases = guard_cases("security-policies/elb-listener-tests.yaml")
    stated = [case["expectations"]["rules"]["ensure_all_elbs_are_secure"] for case in cases]
    assert stated == ["SKIP", "PASS", "FAIL", "FAIL", "PASS", "PASS"]
    ours = [guard_verdicts(tmp_path, catalogue, case, "lb_listener_tls") for case in cases]
    assert ours[0] == "refused"  # no resource: CloudFormation refuses the template too
    # A listener that names no protocol fails with both tools (cases 2 and 3).
    assert ours[2] == {"ServiceLBPublicListener46709EAA": "FAIL"}
    assert ours[3]["ServiceLBPublicListener4670GGG"] == "FAIL"
    # guard passes any HTTPS listener; lb_listener_tls also judges the TLS versions, and an
    # HTTPS listener that names no SslPolicy gets its load balancer's default, which the
    # template does not show: UNKNOWN rather than PASS (cases 1, 4 and 5).
    for found in (ours[1], ours[4], ours[5]):
        assert set(found.values()) == {"UNKNOWN"}
    assert ours[3]["ServiceLBPublicListener46709EAA"] == "UNKNOWN"
