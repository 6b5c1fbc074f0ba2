"""Nested stacks with a local TemplateURL are loaded ("Parent/Child" keys, parameters in,
outputs out); stack sets per region ("Parent[region]/Child"); any other template is not
assessed, with the reason."""
from __future__ import annotations

from stackproof.cli import main
from tests.cloudformation.helpers import by_resource, load, scan, write

NETWORK = """
Parameters:
  Cidr: {Type: String}
  Public: {Type: String, Default: "false", AllowedValues: ["true", "false"]}
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: !Ref Cidr}
  Subnet:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: !Select [0, !Cidr [!Ref Cidr, 2, 8]], MapPublicIpOnLaunch: !Ref Public}
Outputs:
  SubnetId: {Value: !Ref Subnet}
"""

PARENT = """
Resources:
  Network:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: network.yaml
      Parameters: {Cidr: 10.9.0.0/16, Public: "false"}
  Web:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-12345678
      SubnetId: !GetAtt Network.Outputs.SubnetId
      BlockDeviceMappings: [{DeviceName: /dev/xvda, Ebs: {Encrypted: true}}]
"""


def test_a_local_nested_stack_is_loaded_with_its_parameters_and_outputs(tmp_path):
    write(tmp_path, NETWORK, "network.yaml")
    inventory = load(tmp_path, PARENT)
    vpc, subnet, web = inventory.get("Network/Vpc"), inventory.get("Network/Subnet"), inventory.get("Web")
    assert vpc.cidr_blocks == ("10.9.0.0/16",)
    assert subnet.vpc == "Network/Vpc" and subnet.cidr_block == "10.9.0.0/24"
    assert subnet.map_public_ip_on_launch is False
    assert web.subnet == "Network/Subnet"  # through the nested stack's output
    line = (tmp_path / "network.yaml").read_text().splitlines().index("  Subnet:") + 1
    assert subnet.prov.file.endswith("network.yaml") and subnet.prov.line == line
    assert sorted(i.path.rsplit("/", 1)[-1] for i in inventory.inputs) == ["network.yaml", "template.yaml"]


def test_a_nested_stack_parameter_left_open_splits_scenarios(tmp_path, catalogue):
    network = NETWORK.replace("Resources:", 'Conditions:\n  IsPublic: !Equals [!Ref Public, "true"]\nResources:')
    write(tmp_path, network.replace("MapPublicIpOnLaunch: !Ref Public", "MapPublicIpOnLaunch: !If [IsPublic, true, false]"),
          "network.yaml")
    parent = PARENT.replace('Parameters: {Cidr: 10.9.0.0/16, Public: "false"}', "Parameters: {Cidr: 10.9.0.0/16}")
    results = by_resource(scan(tmp_path, parent, catalogue, "instance_no_public_ip"))
    subnet = results[("instance_no_public_ip", "Network/Subnet")]
    assert subnet.status == "FAIL" and subnet.scenario == "when IsPublic is true in Network"
    pinned = by_resource(scan(tmp_path, PARENT, catalogue, "instance_no_public_ip"))
    assert pinned[("instance_no_public_ip", "Network/Subnet")].status == "PASS"


def test_a_remote_template_is_not_assessed_with_the_reason(tmp_path, catalogue):
    parent = PARENT.replace("TemplateURL: network.yaml",
                            "TemplateURL: https://s3.amazonaws.com/templates/network.yaml")
    results = scan(tmp_path, parent, catalogue, "subnet_data_tier_private", "ebs_volume_encrypted")
    gaps = [r for r in results if r.resource == "Network"]
    assert gaps and all(r.status == "UNKNOWN" and "does not fetch templates" in r.message for r in gaps)
    written = (tmp_path / "template.yaml").read_text().splitlines()
    line = written.index("      TemplateURL: https://s3.amazonaws.com/templates/network.yaml") + 1
    # located where the URL is written, as every result is: by file and line, not in the text
    assert all(r.file.endswith("template.yaml") and r.line == line for r in gaps)
    assert all("template.yaml" not in r.message for r in gaps)
    web = by_resource(results)[("ebs_volume_encrypted", "Web")]
    assert web.status == "PASS"  # the rest of the template is still assessed


def test_a_resource_made_unknown_by_a_remote_template_names_where_it_is(tmp_path, catalogue):
    parent = PARENT.replace("TemplateURL: network.yaml", "TemplateURL: https://s3.amazonaws.com/templates/network.yaml")
    line = parent.splitlines().index("      TemplateURL: https://s3.amazonaws.com/templates/network.yaml")
    web = by_resource(scan(tmp_path, parent, catalogue, "instance_no_public_ip"))[("instance_no_public_ip", "Web")]
    # the instance's subnet may be in the stack stackproof could not read
    assert web.status == "UNKNOWN" and web.line != line
    assert f"(Network at {tmp_path / 'template.yaml'}:{line}: the template of AWS::CloudFormation::Stack Network " \
           "is not local" in web.message
    assert (web.evidence["gap"]["file"], web.evidence["gap"]["line"]) == (str(tmp_path / "template.yaml"), line)


def test_a_nested_template_path_is_shown_normalized(tmp_path, monkeypatch):
    # "app/../network.yaml" is the file network.yaml: reports show it so
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app").mkdir()
    write(tmp_path, NETWORK, "network.yaml")
    inventory = load(tmp_path / "app", PARENT.replace("TemplateURL: network.yaml", "TemplateURL: ../network.yaml"))
    assert inventory.get("Network/Subnet").prov.file == "network.yaml"
    assert sorted(i.path for i in inventory.inputs) == ["app/template.yaml", "network.yaml"]


def test_a_missing_local_template_is_not_assessed_either(tmp_path, catalogue):
    results = scan(tmp_path, PARENT, catalogue, "subnet_data_tier_private")
    assert [(r.resource, r.status) for r in results] == [("Network", "UNKNOWN")]
    assert "network.yaml is not a file" in results[0].message


def test_a_stack_set_deploys_its_template_per_region(tmp_path):
    write(tmp_path, """
    Resources:
      Replica:
        Type: AWS::S3::Bucket
        Properties: {BucketName: !Sub "replica-${AWS::Region}"}
    """, "replica.yaml")
    inventory = load(tmp_path, """
    Resources:
      Replicas:
        Type: AWS::CloudFormation::StackSet
        Properties:
          StackSetName: replicas
          PermissionModel: SELF_MANAGED
          TemplateURL: replica.yaml
          StackInstancesGroup:
            - {DeploymentTargets: {Accounts: ["111122223333"]}, Regions: [eu-west-1, us-east-1]}
    """)
    one, two = inventory.get("Replicas[eu-west-1]/Replica"), inventory.get("Replicas[us-east-1]/Replica")
    assert (one.region, one.bucket_name) == ("eu-west-1", "replica-eu-west-1")
    assert (two.region, two.bucket_name) == ("us-east-1", "replica-us-east-1")


def test_a_template_that_nests_itself_is_refused(tmp_path, capsys):
    path = write(tmp_path, """
    Resources:
      Again:
        Type: AWS::CloudFormation::Stack
        Properties: {TemplateURL: template.yaml}
    """)
    assert main(["scan", str(path), "--output-dir", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "a circle" in err and f"{path}:2:" in err


def test_a_parameter_the_nested_template_does_not_declare_is_refused(tmp_path, capsys):
    write(tmp_path, NETWORK, "network.yaml")
    parent = write(tmp_path, PARENT.replace('Public: "false"}', 'Public: "false", Size: "9"}'))
    assert main(["scan", str(parent), "--output-dir", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    line = parent.read_text().splitlines().index("  Network:") + 1
    assert len(err) == 1 and err[0].startswith(f"stackproof: error: {parent}:{line}: nested stack Network: ")
    assert "parameter Size is not declared by" in err[0] and "network.yaml" in err[0]
