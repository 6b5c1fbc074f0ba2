"""DescribeInstances, DescribeLaunchTemplates(+Versions), DescribeVolumes -> Instance, LaunchTemplate, EbsVolume."""
from __future__ import annotations

from typing import Any, Iterator

from ....model import (
    BlockDevice,
    EbsVolume,
    Instance,
    LaunchTemplate,
    Resource,
    Unknown,
)
from .common import Where, as_bool, as_int, base, either, failed, tags_of

KINDS = (Instance.KIND, LaunchTemplate.KIND, EbsVolume.KIND)


def transform(data: dict[str, Any], where: Where) -> Iterator[Resource]:
    volumes = {v["VolumeId"]: v for v in data.get("volumes") or []}
    for instance in data.get("instances") or []:
        yield instance_of(instance, volumes, where)
    for template in data.get("launch_templates") or []:
        yield launch_template_of(template, where)
    for volume in volumes.values():
        tags = tags_of(volume.get("Tags"))
        yield EbsVolume(**base(where, where.ec2("volume", volume["VolumeId"]), tags, volume["VolumeId"]),
                        availability_zone=volume.get("AvailabilityZone"),
                        size=as_int(volume.get("Size")),
                        volume_type=volume.get("VolumeType"),
                        iops=as_int(volume.get("Iops")) or None,
                        throughput=as_int(volume.get("Throughput")) or None,
                        encrypted=bool(volume.get("Encrypted")),
                        kms_key_id=volume.get("KmsKeyId"),
                        snapshot_id=volume.get("SnapshotId") or None)


def _attached_device(mapping: dict[str, Any], volumes: dict[str, Any]) -> BlockDevice:
    volume_id = (mapping.get("Ebs") or {}).get("VolumeId")
    volume = volumes.get(volume_id)
    if volume is None:
        missing = Unknown(f"volume {volume_id} was not in the DescribeVolumes answer")
        return BlockDevice(device_name=mapping.get("DeviceName"), encrypted=missing, kms_key_id=missing)
    return BlockDevice(device_name=mapping.get("DeviceName"), encrypted=bool(volume.get("Encrypted")),
                       kms_key_id=volume.get("KmsKeyId"), volume_size=as_int(volume.get("Size")),
                       volume_type=volume.get("VolumeType"), iops=as_int(volume.get("Iops")) or None,
                       throughput=as_int(volume.get("Throughput")) or None,
                       snapshot_id=volume.get("SnapshotId") or None)


def instance_of(instance: dict[str, Any], volumes: dict[str, Any], where: Where) -> Instance:
    tags = tags_of(instance.get("Tags"))
    template = None
    if isinstance(tags, dict) and tags.get("aws:ec2launchtemplate:id"):
        template = where.ec2("launch-template", tags["aws:ec2launchtemplate:id"])
    devices = tuple(_attached_device(m, volumes) for m in instance.get("BlockDeviceMappings") or [] if m.get("Ebs"))
    public_ip = instance.get("PublicIpAddress")
    # The groups are the primary network interface's; the instance-level list repeats
    # them in AWS's answers, but not in every implementation of the API.
    primary = next((i for i in instance.get("NetworkInterfaces") or []
                    if (i.get("Attachment") or {}).get("DeviceIndex") == 0), {})
    groups = [g.get("GroupId") for g in [*(instance.get("SecurityGroups") or []), *(primary.get("Groups") or [])]]
    return Instance(**base(where, where.ec2("instance", instance["InstanceId"]), tags, instance["InstanceId"]),
                    subnet=where.ec2("subnet", instance.get("SubnetId") or primary.get("SubnetId")),
                    availability_zone=(instance.get("Placement") or {}).get("AvailabilityZone"),
                    instance_type=instance.get("InstanceType"),
                    security_groups=where.ec2_all("security-group", dict.fromkeys(g for g in groups if g)),
                    # What the account shows is the fact: the instance has a public address or not.
                    associate_public_ip_address=public_ip is not None,
                    public_ip=public_ip,
                    private_ip=instance.get("PrivateIpAddress"),
                    ipv6_address_count=_ipv6_count(primary),
                    block_devices=devices,
                    launch_template=template,
                    metadata_http_tokens=(instance.get("MetadataOptions") or {}).get("HttpTokens"))


def _ipv6_count(primary: dict[str, Any]) -> int | Unknown:
    """The IPv6 addresses the primary interface has (none is none: the subnet's setting
    decided at launch, and may have changed since)."""
    if not primary:
        return Unknown("DescribeInstances did not describe the primary network interface")
    return len(primary.get("Ipv6Addresses") or [])


def template_devices(mappings: Any) -> tuple[BlockDevice, ...]:
    devices = []
    for mapping in mappings or []:
        ebs = mapping.get("Ebs")
        if isinstance(ebs, dict):
            devices.append(BlockDevice(
                device_name=mapping.get("DeviceName"),
                encrypted=as_bool(ebs.get("Encrypted")),  # absent: not requested
                kms_key_id=ebs.get("KmsKeyId"),
                volume_size=as_int(ebs.get("VolumeSize")),
                volume_type=ebs.get("VolumeType"),
                iops=as_int(ebs.get("Iops")) or None,
                throughput=as_int(ebs.get("Throughput")) or None,
                snapshot_id=ebs.get("SnapshotId") or None))
        elif mapping.get("VirtualName"):
            devices.append(BlockDevice(device_name=mapping.get("DeviceName"), ephemeral=True))
    return tuple(devices)


def launch_template_of(template: dict[str, Any], where: Where) -> LaunchTemplate:
    tags = tags_of(template.get("Tags"))
    fields = base(where, where.ec2("launch-template", template["LaunchTemplateId"]), tags,
                  template.get("LaunchTemplateName"))
    version = template.get("LatestVersion")
    problem = failed(version)
    if problem is not None or not isinstance(version, dict):
        reason = either(problem, Unknown("the launch template has no readable version"))
        return LaunchTemplate(**fields, instance_type=reason, security_groups=reason,
                              associate_public_ip_address=reason, block_devices=reason, metadata_http_tokens=reason)
    data = version.get("LaunchTemplateData") or {}
    groups = list(data.get("SecurityGroupIds") or [])
    public = None
    for interface in data.get("NetworkInterfaces") or []:
        value = as_bool(interface.get("AssociatePublicIpAddress"))
        if value is not None:
            public = value
        groups.extend(interface.get("Groups") or [])
    return LaunchTemplate(**fields,
                          instance_type=data.get("InstanceType"),
                          security_groups=where.ec2_all("security-group", dict.fromkeys(groups)),
                          associate_public_ip_address=public,
                          block_devices=template_devices(data.get("BlockDeviceMappings")),
                          metadata_http_tokens=(data.get("MetadataOptions") or {}).get("HttpTokens"))
