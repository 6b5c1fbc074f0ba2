"""CloudFormation compute and load-balancing types -> model fields."""
from __future__ import annotations

from typing import Any

from ...model import (
    AutoScalingGroup,
    BlockDevice,
    EbsVolume,
    Instance,
    LaunchConfiguration,
    LaunchTemplate,
    Listener,
    ListenerAction,
    LoadBalancer,
    TargetGroup,
    Unknown,
)
from .map_network import ENI, SG, SUBNET, Attachment, ipv6_count
from .values import as_bool, as_int, as_str, mappings, opt, upper
from .view import View, ref_of, refs_of

LB = ("AWS::ElasticLoadBalancingV2::LoadBalancer",)
CLASSIC_LB = ("AWS::ElasticLoadBalancing::LoadBalancer",)
TG = ("AWS::ElasticLoadBalancingV2::TargetGroup",)
LT = ("AWS::EC2::LaunchTemplate",)
INSTANCE = ("AWS::EC2::Instance",)
# Device names AMIs use for their root volume; a mapping under one of them configures it.
ROOT_DEVICES = frozenset({"/dev/xvda", "/dev/sda1", "/dev/sda", "xvda", "sda1"})


def _devices(v: View, path: str, add_root: bool) -> Any:
    """Block devices from BlockDeviceMappings; when ``add_root`` and no mapping
    configures the root volume, the AMI's root volume with no encryption requested."""
    found = mappings(v.get(path))
    if isinstance(found, Unknown):
        return found
    devices: list[BlockDevice] = []
    for item in found:
        name = as_str(item.get("DeviceName"))
        ebs = item.get("Ebs")
        if isinstance(ebs, Unknown):
            return ebs
        if isinstance(ebs, dict):
            devices.append(BlockDevice(
                device_name=name,
                encrypted=as_bool(ebs.get("Encrypted")),
                kms_key_id=opt(ref_of(ebs.get("KmsKeyId"), ("AWS::KMS::Key",), v.index)),
                volume_size=as_int(ebs.get("VolumeSize")),
                volume_type=opt(as_str(ebs.get("VolumeType"))),
                iops=as_int(ebs.get("Iops")),
                throughput=as_int(ebs.get("Throughput")),
                snapshot_id=opt(as_str(ebs.get("SnapshotId"))),
            ))
        elif item.get("VirtualName") is not None:
            devices.append(BlockDevice(device_name=name, ephemeral=True))
    if add_root and not any(d.device_name in ROOT_DEVICES for d in devices):
        # Every instance has a root volume; unconfigured, nothing asks for encryption.
        devices.insert(0, BlockDevice(device_name="root", encrypted=None))
    return tuple(devices)


def _primary_interface(v: View, path: str = "NetworkInterfaces") -> Any:
    found = mappings(v.get(path))
    if isinstance(found, Unknown):
        return found
    for item in found:
        if str(item.get("DeviceIndex", "0")) == "0":
            return item
    return found[0] if found else None


def _metadata_tokens(v: View, path: str) -> Any:
    options = v.get(path)
    if isinstance(options, Unknown):
        return options
    return opt(as_str(options.get("HttpTokens"))) if isinstance(options, dict) else None


def _launch_template_ref(v: View, spec: Any) -> Any:
    if isinstance(spec, Unknown):
        return spec
    if not isinstance(spec, dict):
        return None
    for name in ("LaunchTemplateId", "LaunchTemplateName"):
        if spec.get(name) is not None:
            return ref_of(spec.get(name), LT, v.index)
    return None


def instance(v: View) -> dict[str, Any]:
    interface = _primary_interface(v)
    groups = _union(v.refs("SecurityGroupIds", *SG), v.refs("SecurityGroups", *SG))
    subnet = v.ref("SubnetId", *SUBNET)
    public: Any = None
    ipv6 = ipv6_count(v.raw.properties)
    if isinstance(interface, Unknown):
        public = interface
    elif isinstance(interface, dict):
        # an existing interface (NetworkInterfaceId) places the instance itself: see attach_instance_interfaces
        public = as_bool(interface.get("AssociatePublicIpAddress"))
        if subnet is None:
            subnet = ref_of(interface.get("SubnetId"), SUBNET, v.index)
        groups = _union(groups, refs_of(interface.get("GroupSet"), SG, v.index))
        if ipv6 is None:
            ipv6 = ipv6_count(interface)
    template = _launch_template_ref(v, v.get("LaunchTemplate"))
    return {
        "subnet": subnet,
        "availability_zone": v.str("AvailabilityZone"),
        "instance_type": v.str("InstanceType"),
        "security_groups": groups,
        "associate_public_ip_address": public,
        "private_ip": v.str("PrivateIpAddress"),
        "ipv6_address_count": ipv6,
        "block_devices": _devices(v, "BlockDeviceMappings", add_root=template is None),
        "launch_template": template,
        "metadata_http_tokens": _metadata_tokens(v, "MetadataOptions"),
    }


def attach_instance_interfaces(v: View) -> list[Attachment]:
    """Network interfaces created on their own and attached at launch (device index 0 is
    the primary: it places the instance)."""
    found = mappings(v.get("NetworkInterfaces"))
    return [Attachment(ENI, ref_of(item.get("NetworkInterfaceId"), ENI, v.index),
                       set={"instance": v.key, "device_index": as_int(item.get("DeviceIndex"))})
            for item in found if isinstance(found, list) and item.get("NetworkInterfaceId") is not None]


def _union(first: Any, second: Any) -> Any:
    if isinstance(first, Unknown):
        return first
    if isinstance(second, Unknown):
        return second
    return tuple(dict.fromkeys([*first, *second]))


def launch_template(v: View) -> dict[str, Any]:
    data = "LaunchTemplateData"
    interface = _primary_interface(v, f"{data}.NetworkInterfaces")
    groups = _union(v.refs(f"{data}.SecurityGroupIds", *SG), v.refs(f"{data}.SecurityGroups", *SG))
    public: Any = None
    if isinstance(interface, Unknown):
        public = interface
    elif isinstance(interface, dict):
        public = as_bool(interface.get("AssociatePublicIpAddress"))
        groups = _union(groups, refs_of(interface.get("Groups"), SG, v.index))
    return {
        "instance_type": v.str(f"{data}.InstanceType"),
        "security_groups": groups,
        "associate_public_ip_address": public,
        "block_devices": _devices(v, f"{data}.BlockDeviceMappings", add_root=False),
        "metadata_http_tokens": _metadata_tokens(v, f"{data}.MetadataOptions"),
    }


def launch_configuration(v: View) -> dict[str, Any]:
    return {
        "instance_type": v.str("InstanceType"),
        "security_groups": v.refs("SecurityGroups", *SG),
        "associate_public_ip_address": v.bool("AssociatePublicIpAddress"),
        "block_devices": _devices(v, "BlockDeviceMappings", add_root=True),
        "metadata_http_tokens": _metadata_tokens(v, "MetadataOptions"),
    }


def autoscaling_group(v: View) -> dict[str, Any]:
    template = _launch_template_ref(v, v.get("LaunchTemplate"))
    if template is None:
        template = _launch_template_ref(v, v.get("MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification"))
    zones = v.get("AvailabilityZones")
    return {
        "subnets": v.refs("VPCZoneIdentifier", *SUBNET),
        "availability_zones": zones if isinstance(zones, Unknown)
        else tuple(z for z in (zones or []) if isinstance(z, str)),
        "min_size": v.int("MinSize"),
        "max_size": v.int("MaxSize"),
        "desired_capacity": v.int("DesiredCapacity"),
        "launch_template": template,
        "launch_configuration": v.ref("LaunchConfigurationName", "AWS::AutoScaling::LaunchConfiguration"),
        "target_groups": v.refs("TargetGroupARNs", *TG),
        "load_balancers": v.refs("LoadBalancerNames", *CLASSIC_LB),
    }


def load_balancer(v: View) -> dict[str, Any]:
    subnets = v.refs("Subnets", *SUBNET)
    mapped = mappings(v.get("SubnetMappings"))
    if isinstance(mapped, Unknown):
        subnets = mapped
    elif not isinstance(subnets, Unknown):
        extra = refs_of([m.get("SubnetId") for m in mapped], SUBNET, v.index)
        subnets = _union(subnets, extra)
    return {
        "lb_type": v.str("Type", "application"),
        "scheme": v.str("Scheme", "internet-facing"),
        "subnets": subnets,
        "security_groups": v.refs("SecurityGroups", *SG),
        "ip_address_type": v.str("IpAddressType", "ipv4"),
    }


def classic_load_balancer(v: View) -> dict[str, Any]:
    zones = v.get("AvailabilityZones")
    children = []
    listeners = mappings(v.get("Listeners"))
    for item in listeners if isinstance(listeners, list) else []:
        port = as_int(item.get("LoadBalancerPort"))
        children.append((Listener, f"listener[{port}]", {
            "load_balancer": v.key,
            "port": port,
            "protocol": upper(item.get("Protocol")),
            "certificate": opt(as_str(item.get("SSLCertificateId"))),
            "instance_port": as_int(item.get("InstancePort")),
            "instance_protocol": upper(item.get("InstanceProtocol")),
            "default_actions": (ListenerAction(action_type="forward"),),
        }))
    return {
        "lb_type": "classic",
        "scheme": v.str("Scheme", "internet-facing"),
        "subnets": v.refs("Subnets", *SUBNET),
        "availability_zones": zones if isinstance(zones, Unknown)
        else tuple(z for z in (zones or []) if isinstance(z, str)),
        "security_groups": v.refs("SecurityGroups", *SG),
        "instances": v.refs("Instances", *INSTANCE),
        "_children": children,
    }


def _listener_action(v: View, item: dict[str, Any]) -> ListenerAction:
    groups: Any = ()
    if item.get("TargetGroupArn") is not None:
        groups = refs_of([item.get("TargetGroupArn")], TG, v.index)
    forward = item.get("ForwardConfig")
    if isinstance(forward, dict) and groups == ():
        targets = mappings(forward.get("TargetGroups"))
        groups = targets if isinstance(targets, Unknown) else refs_of(
            [t.get("TargetGroupArn") for t in targets], TG, v.index)
    redirect = item.get("RedirectConfig") if isinstance(item.get("RedirectConfig"), dict) else None
    return ListenerAction(
        action_type=as_str(item.get("Type")),
        target_groups=groups,
        redirect_protocol=as_str(redirect.get("Protocol")) if redirect else None,
        redirect_port=as_str(redirect.get("Port")) if redirect else None,
    )


def listener(v: View) -> dict[str, Any]:
    actions = mappings(v.get("DefaultActions"))
    certificates = mappings(v.get("Certificates"))
    certificate = certificates if isinstance(certificates, Unknown) else (
        opt(as_str(certificates[0].get("CertificateArn"))) if certificates else None)
    return {
        "load_balancer": v.ref("LoadBalancerArn", *LB),
        "port": v.int("Port"),
        "protocol": upper(v.get("Protocol")),
        "ssl_policy": v.str("SslPolicy"),
        "certificate": certificate,
        "default_actions": actions if isinstance(actions, Unknown)
        else tuple(_listener_action(v, item) for item in actions),
    }


def target_group(v: View) -> dict[str, Any]:
    targets = mappings(v.get("Targets"))
    return {
        "vpc": v.ref("VpcId", "AWS::EC2::VPC"),
        "port": v.int("Port"),
        "protocol": upper(v.get("Protocol")),
        "target_type": v.str("TargetType", "instance"),
        "targets": targets if isinstance(targets, Unknown)
        else refs_of([t.get("Id") for t in targets], INSTANCE, v.index),
        "preserve_client_ip": _attribute(v, "TargetGroupAttributes", "preserve_client_ip.enabled"),
    }


def _attribute(v: View, path: str, key: str) -> Any:
    """A boolean from a Key/Value attribute list; None when the list does not set it."""
    found = mappings(v.get(path))
    if isinstance(found, Unknown):
        return found
    for item in found:
        if item.get("Key") == key:
            return as_bool(item.get("Value"))
    return None


def ebs_volume(v: View) -> dict[str, Any]:
    return {
        "availability_zone": v.str("AvailabilityZone"),
        "size": v.int("Size"),
        "volume_type": v.str("VolumeType"),
        "iops": v.int("Iops"),
        "throughput": v.int("Throughput"),
        "encrypted": v.bool("Encrypted"),
        "kms_key_id": v.ref("KmsKeyId", "AWS::KMS::Key"),
        "snapshot_id": v.str("SnapshotId"),
    }


MAIN = {
    "AWS::EC2::Instance": (Instance, instance),
    "AWS::EC2::LaunchTemplate": (LaunchTemplate, launch_template),
    "AWS::AutoScaling::LaunchConfiguration": (LaunchConfiguration, launch_configuration),
    "AWS::AutoScaling::AutoScalingGroup": (AutoScalingGroup, autoscaling_group),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": (LoadBalancer, load_balancer),
    "AWS::ElasticLoadBalancing::LoadBalancer": (LoadBalancer, classic_load_balancer),
    "AWS::ElasticLoadBalancingV2::Listener": (Listener, listener),
    "AWS::ElasticLoadBalancingV2::TargetGroup": (TargetGroup, target_group),
    "AWS::EC2::Volume": (EbsVolume, ebs_volume),
}

ATTACH: dict[str, Any] = {"AWS::EC2::Instance": attach_instance_interfaces}
