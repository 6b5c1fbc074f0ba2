"""Terraform compute and load-balancing types -> model fields."""
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
from .coerce import as_bool, as_int, first, nonzero, opt
from .map_network import ENI, SG, SUBNET
from .view import Attachment, View

LB = ("aws_lb", "aws_alb", "aws_elb")
TG = ("aws_lb_target_group", "aws_alb_target_group")
ASG = ("aws_autoscaling_group",)


def _not_configured_is_none(v: View, value: Any, *path: str) -> Any:
    """A computed value the configuration does not set means "not set": None."""
    if isinstance(value, Unknown) and v.linker.address is not None:
        refs = v.linker.config.references(v.linker.address, path)
        config = v.linker.config.resource_config(v.linker.address)
        if config is not None and refs is None:
            return None
    return value


def _ebs(v: View, item: Any, path: tuple[str, ...], ephemeral: bool = False) -> BlockDevice:
    def field(name: str) -> Any:
        return _not_configured_is_none(v, item.get(name), *path, name)

    return BlockDevice(
        device_name=item.get("device_name"),
        encrypted=as_bool(field("encrypted")),
        kms_key_id=opt(field("kms_key_id")),
        volume_size=as_int(field("volume_size")),
        volume_type=opt(field("volume_type")),
        iops=nonzero(as_int(field("iops"))),
        throughput=nonzero(as_int(field("throughput"))),
        snapshot_id=opt(field("snapshot_id")),
        ephemeral=ephemeral,
    )


def _instance_devices(v: View) -> tuple[BlockDevice, ...] | Unknown:
    devices: list[BlockDevice] = []
    for name in ("root_block_device", "ebs_block_device"):
        items = v.blocks(name)
        if isinstance(items, Unknown):
            if v.configured(name) is False:
                items = []
            else:
                return items
        if name == "root_block_device" and not items and v.configured("launch_template") is not True:
            # Every instance has a root volume; unconfigured, nothing asks for encryption.
            devices.append(BlockDevice(device_name="root", encrypted=None))
        for item in items:
            if isinstance(item, dict):
                if name == "root_block_device" and not isinstance(item.get("device_name"), str):
                    item = {**item, "device_name": "root"}  # AWS names the root device at launch
                devices.append(_ebs(v, item, (name,)))
    ephemeral = v.blocks("ephemeral_block_device")
    if isinstance(ephemeral, list):
        devices.extend(BlockDevice(device_name=item.get("device_name"), ephemeral=True)
                       for item in ephemeral if isinstance(item, dict))
    return tuple(devices)


def _public_ip(v: View, value: Any, *path: str) -> Any:
    return as_bool(_not_configured_is_none(v, value, *path))


def _security_groups(v: View) -> tuple[str, ...] | Unknown:
    ids = v.refs("vpc_security_group_ids", *SG)
    names = v.refs("security_groups", *SG)
    if isinstance(ids, Unknown):
        return ids if v.configured("vpc_security_group_ids") is not False else names
    if isinstance(names, Unknown):
        return ids if ids or v.configured("security_groups") is False else names
    return tuple(dict.fromkeys([*ids, *names]))


def instance(v: View) -> dict[str, Any]:
    options = v.block("metadata_options")
    return {
        "subnet": v.ref("subnet_id", *SUBNET),
        "availability_zone": v.get("availability_zone"),
        "instance_type": v.get("instance_type"),
        "security_groups": _security_groups(v),
        "associate_public_ip_address": _public_ip(v, v.get("associate_public_ip_address"),
                                                  "associate_public_ip_address"),
        "public_ip": opt(v.get("public_ip")),
        "private_ip": opt(v.get("private_ip")),
        "ipv6_address_count": _ipv6_count(v),
        "block_devices": _instance_devices(v),
        "launch_template": first(v.ref(("launch_template", "id"), "aws_launch_template"),
                                 v.ref(("launch_template", "name"), "aws_launch_template")),
        "metadata_http_tokens": _not_configured_is_none(v, options.get("http_tokens"), "metadata_options", "http_tokens")
        if isinstance(options, dict) else None,
    }


def _ipv6_count(v: View) -> Any:
    count = as_int(v.setting("ipv6_address_count", None))
    addresses = v.setting("ipv6_addresses", None)
    if isinstance(addresses, list) and addresses and not count:
        return len(addresses)
    return count


def attach_instance_interfaces(v: View) -> list[Attachment]:
    """Network interfaces created on their own and attached at launch (device index 0 is
    the primary: it places the instance)."""
    found = []
    for block, default_index in (("network_interface", None), ("primary_network_interface", 0)):
        items = v.collection(block)
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict):
                interface = v.ref_in(item, block, "network_interface_id", *ENI)
                index = as_int(item.get("device_index", default_index))
                found.append(Attachment(ENI, interface, set={"instance": v.address, "device_index": index}))
    return found


def launch_template(v: View) -> dict[str, Any]:
    devices: list[BlockDevice] = []
    mappings = v.blocks("block_device_mappings")
    for item in mappings if isinstance(mappings, list) else []:
        ebs = (item.get("ebs") or [None])[0] if isinstance(item.get("ebs"), list) else None
        if isinstance(ebs, dict):
            device = _ebs(v, {**ebs, "device_name": item.get("device_name")}, ("block_device_mappings", "ebs"))
            devices.append(device)
        elif isinstance(item.get("virtual_name"), str) and item["virtual_name"]:
            devices.append(BlockDevice(device_name=item.get("device_name"), ephemeral=True))
    interfaces = v.blocks("network_interfaces")
    public: Any = None
    groups: Any = v.refs("vpc_security_group_ids", *SG)
    for item in interfaces if isinstance(interfaces, list) else []:
        value = _public_ip(v, item.get("associate_public_ip_address"),
                           "network_interfaces", "associate_public_ip_address")
        if value is not None:
            public = value
        if opt(item.get("security_groups")) is not None and groups == ():
            groups = v.refs(("network_interfaces", "security_groups"), *SG)
    options = v.block("metadata_options")
    return {
        "instance_type": v.get("instance_type"),
        "security_groups": groups,
        "associate_public_ip_address": public if not isinstance(interfaces, Unknown) else interfaces,
        "block_devices": mappings if isinstance(mappings, Unknown) else tuple(devices),
        "metadata_http_tokens": _not_configured_is_none(v, options.get("http_tokens"), "metadata_options", "http_tokens")
        if isinstance(options, dict) else None,
    }


def launch_configuration(v: View) -> dict[str, Any]:
    options = v.block("metadata_options")
    return {
        "instance_type": v.get("instance_type"),
        "security_groups": v.refs("security_groups", *SG),
        "associate_public_ip_address": _public_ip(v, v.get("associate_public_ip_address"),
                                                  "associate_public_ip_address"),
        "block_devices": _instance_devices(v),
        "metadata_http_tokens": _not_configured_is_none(v, options.get("http_tokens"), "metadata_options", "http_tokens")
        if isinstance(options, dict) else None,
    }


def _group_placement(v: View) -> tuple[Any, Any]:
    """(subnets, AZs) of a group: both are computed, so the one the configuration leaves
    out is empty; with neither set, where the group launches is not known."""
    if v.configured("vpc_zone_identifier") is False and v.configured("availability_zones") is False:
        unset = Unknown("neither vpc_zone_identifier nor availability_zones is set, so where the group launches "
                        "is decided at apply")
        return unset, unset
    zones = opt(_not_configured_is_none(v, v.get("availability_zones"), "availability_zones"), ())
    return v.computed_refs("vpc_zone_identifier", *SUBNET), zones


def autoscaling_group(v: View) -> dict[str, Any]:
    template = first(
        v.ref(("launch_template", "id"), "aws_launch_template"),
        v.ref(("launch_template", "name"), "aws_launch_template"),
        v.ref(("mixed_instances_policy", "launch_template", "launch_template_specification", "launch_template_id"),
              "aws_launch_template"),
    )
    subnets, zones = _group_placement(v)
    return {
        "subnets": subnets,
        "availability_zones": zones if isinstance(zones, Unknown) else tuple(z for z in zones if isinstance(z, str)),
        "min_size": as_int(v.get("min_size")),
        "max_size": as_int(v.get("max_size")),
        "desired_capacity": as_int(_not_configured_is_none(v, v.get("desired_capacity"), "desired_capacity")),
        "launch_template": template,
        "launch_configuration": v.ref("launch_configuration", "aws_launch_configuration"),
        # computed when not configured: attachment resources add to them, merged later
        "target_groups": v.computed_refs("target_group_arns", *TG),
        "load_balancers": v.computed_refs("load_balancers", "aws_elb"),
    }


def attach_autoscaling_attachment(v: View) -> list[Attachment]:
    target_group = first(v.ref("lb_target_group_arn", *TG), v.ref("alb_target_group_arn", *TG))
    elb = v.ref("elb", "aws_elb")
    append: dict[str, tuple[Any, ...]] = {}
    if target_group is not None:
        append["target_groups"] = (target_group,)
    if elb is not None:
        append["load_balancers"] = (elb,)
    return [Attachment(ASG, v.ref("autoscaling_group_name", *ASG), append=append)]


def load_balancer(v: View) -> dict[str, Any]:
    subnets = v.refs("subnets", *SUBNET)
    mapped = v.refs(("subnet_mapping", "subnet_id"), *SUBNET)
    if not isinstance(subnets, Unknown) and not isinstance(mapped, Unknown):
        subnets = tuple(dict.fromkeys([*subnets, *mapped]))
    elif isinstance(subnets, Unknown) and v.configured("subnets") is False:
        subnets = mapped
    internal = as_bool(v.setting("internal", False))
    return {
        "lb_type": opt(v.get("load_balancer_type"), "application"),
        "scheme": internal if isinstance(internal, Unknown) else ("internal" if internal else "internet-facing"),
        "subnets": subnets,
        "security_groups": v.refs("security_groups", *SG),
    }


def classic_load_balancer(v: View) -> dict[str, Any]:
    internal = as_bool(v.setting("internal", False))
    zones = opt(v.get("availability_zones"), ())
    children = []
    listeners = v.blocks("listener")
    for item in listeners if isinstance(listeners, list) else []:
        port = as_int(item.get("lb_port"))
        children.append((Listener, f"listener[{port}]", {
            "load_balancer": v.address,
            "port": port,
            "protocol": _upper(item.get("lb_protocol")),
            "certificate": opt(item.get("ssl_certificate_id")),
            "instance_port": as_int(item.get("instance_port")),
            "instance_protocol": _upper(item.get("instance_protocol")),
            "default_actions": (ListenerAction(action_type="forward"),),
        }))
    return {
        "lb_type": "classic",
        "scheme": internal if isinstance(internal, Unknown) else ("internal" if internal else "internet-facing"),
        "subnets": v.refs("subnets", *SUBNET),
        "availability_zones": zones if isinstance(zones, Unknown) else tuple(zones),
        "security_groups": v.refs("security_groups", *SG),
        "instances": v.refs("instances", "aws_instance"),
        "_children": children,
    }


def _listener_action(v: View, item: Any) -> ListenerAction:
    groups: Any = ()
    target = v.ref_in(item, "default_action", "target_group_arn", *TG)
    if target is not None:
        groups = (target,)
    forward = item.get("forward")
    if isinstance(forward, list) and forward and not groups:
        found = v.linker._from_config(("default_action", "forward", "target_group", "arn"), TG)
        groups = tuple(found) if isinstance(found, list) else (found if isinstance(found, Unknown) else ())
    redirect = item.get("redirect")
    redirect = redirect[0] if isinstance(redirect, list) and redirect else None
    return ListenerAction(
        action_type=item.get("type"),
        target_groups=groups,
        redirect_protocol=redirect.get("protocol") if isinstance(redirect, dict) else None,
        redirect_port=redirect.get("port") if isinstance(redirect, dict) else None,
    )


def listener(v: View) -> dict[str, Any]:
    actions = v.blocks("default_action")
    return {
        "load_balancer": v.ref("load_balancer_arn", *LB),
        "port": as_int(v.get("port")),
        "protocol": _upper(v.get("protocol")),
        "ssl_policy": opt(v.get("ssl_policy")),
        "certificate": opt(v.get("certificate_arn")),
        "default_actions": actions if isinstance(actions, Unknown)
        else tuple(_listener_action(v, item) for item in actions),
    }


def _upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) and value else opt(value)


def target_group(v: View) -> dict[str, Any]:
    return {
        "vpc": v.ref("vpc_id", "aws_vpc", "aws_default_vpc"),
        "port": as_int(v.get("port")),
        "protocol": _upper(v.get("protocol")),
        "target_type": opt(v.get("target_type"), "instance"),
    }


def attach_target_group_attachment(v: View) -> list[Attachment]:
    target = v.ref("target_id", "aws_instance")
    return [Attachment(TG, v.ref("target_group_arn", *TG), append={"targets": (target,)})]


def ebs_volume(v: View) -> dict[str, Any]:
    return {
        "availability_zone": v.get("availability_zone"),
        # Computed when not configured: the snapshot's size, EC2's default type (gp2) and the
        # type's baseline IOPS and throughput, none of them set by the configuration.
        "size": as_int(_not_configured_is_none(v, v.get("size"), "size")),
        "volume_type": _not_configured_is_none(v, v.get("type"), "type"),
        "iops": nonzero(as_int(_not_configured_is_none(v, v.get("iops"), "iops"))),
        "throughput": nonzero(as_int(_not_configured_is_none(v, v.get("throughput"), "throughput"))),
        "encrypted": as_bool(_not_configured_is_none(v, v.get("encrypted"), "encrypted")),
        "kms_key_id": opt(_not_configured_is_none(v, v.get("kms_key_id"), "kms_key_id")),
        "snapshot_id": opt(_not_configured_is_none(v, v.get("snapshot_id"), "snapshot_id")),
    }


MAIN = {
    "aws_instance": (Instance, instance),
    "aws_launch_template": (LaunchTemplate, launch_template),
    "aws_launch_configuration": (LaunchConfiguration, launch_configuration),
    "aws_autoscaling_group": (AutoScalingGroup, autoscaling_group),
    "aws_lb": (LoadBalancer, load_balancer),
    "aws_alb": (LoadBalancer, load_balancer),
    "aws_elb": (LoadBalancer, classic_load_balancer),
    "aws_lb_listener": (Listener, listener),
    "aws_alb_listener": (Listener, listener),
    "aws_lb_target_group": (TargetGroup, target_group),
    "aws_alb_target_group": (TargetGroup, target_group),
    "aws_ebs_volume": (EbsVolume, ebs_volume),
}

ATTACH = {
    "aws_instance": attach_instance_interfaces,
    "aws_autoscaling_attachment": attach_autoscaling_attachment,
    "aws_lb_target_group_attachment": attach_target_group_attachment,
    "aws_alb_target_group_attachment": attach_target_group_attachment,
}
