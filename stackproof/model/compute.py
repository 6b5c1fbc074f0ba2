"""Compute and load balancing."""
from __future__ import annotations

from dataclasses import dataclass

from .base import Maybe, Resource


@dataclass(frozen=True, kw_only=True)
class BlockDevice:
    """An EBS block device of an instance, launch template or launch configuration."""

    device_name: Maybe[str | None] = None
    encrypted: Maybe[bool | None] = None  # None: not set (the account default applies)
    kms_key_id: Maybe[str | None] = None
    volume_size: Maybe[int | None] = None  # GiB
    volume_type: Maybe[str | None] = None
    iops: Maybe[int | None] = None
    throughput: Maybe[int | None] = None
    snapshot_id: Maybe[str | None] = None
    ephemeral: bool = False  # instance store: not EBS, encryption does not apply


@dataclass(frozen=True, kw_only=True)
class EbsVolume(Resource):
    KIND = "aws.ec2.volume"
    availability_zone: Maybe[str | None] = None
    size: Maybe[int | None] = None  # GiB
    volume_type: Maybe[str | None] = None
    iops: Maybe[int | None] = None
    throughput: Maybe[int | None] = None
    encrypted: Maybe[bool | None] = None
    kms_key_id: Maybe[str | None] = None
    snapshot_id: Maybe[str | None] = None


@dataclass(frozen=True, kw_only=True)
class Instance(Resource):
    KIND = "aws.ec2.instance"
    subnet: Maybe[str | None] = None
    availability_zone: Maybe[str | None] = None
    instance_type: Maybe[str | None] = None
    security_groups: Maybe[tuple[str, ...]] = ()
    # True / False when set; None: the subnet's map_public_ip_on_launch decides.
    associate_public_ip_address: Maybe[bool | None] = None
    public_ip: Maybe[str | None] = None
    private_ip: Maybe[str | None] = None
    # IPv6 addresses asked for (a count, or 1 for a list of addresses); None: the
    # subnet's assign_ipv6_address_on_creation decides.
    ipv6_address_count: Maybe[int | None] = None
    block_devices: Maybe[tuple[BlockDevice, ...]] = ()
    launch_template: Maybe[str | None] = None
    metadata_http_tokens: Maybe[str | None] = None  # required | optional


@dataclass(frozen=True, kw_only=True)
class LaunchTemplate(Resource):
    KIND = "aws.ec2.launch_template"
    instance_type: Maybe[str | None] = None
    security_groups: Maybe[tuple[str, ...]] = ()
    associate_public_ip_address: Maybe[bool | None] = None
    block_devices: Maybe[tuple[BlockDevice, ...]] = ()
    metadata_http_tokens: Maybe[str | None] = None


@dataclass(frozen=True, kw_only=True)
class LaunchConfiguration(Resource):
    KIND = "aws.autoscaling.launch_configuration"
    instance_type: Maybe[str | None] = None
    security_groups: Maybe[tuple[str, ...]] = ()
    associate_public_ip_address: Maybe[bool | None] = None
    block_devices: Maybe[tuple[BlockDevice, ...]] = ()
    metadata_http_tokens: Maybe[str | None] = None


@dataclass(frozen=True, kw_only=True)
class AutoScalingGroup(Resource):
    KIND = "aws.autoscaling.group"
    subnets: Maybe[tuple[str, ...]] = ()  # keys (vpc_zone_identifier)
    availability_zones: Maybe[tuple[str, ...]] = ()  # explicit AZ names, when given instead
    min_size: Maybe[int | None] = None
    max_size: Maybe[int | None] = None
    desired_capacity: Maybe[int | None] = None
    launch_template: Maybe[str | None] = None
    launch_configuration: Maybe[str | None] = None
    target_groups: Maybe[tuple[str, ...]] = ()
    load_balancers: Maybe[tuple[str, ...]] = ()  # classic ELBs


@dataclass(frozen=True, kw_only=True)
class LoadBalancer(Resource):
    KIND = "aws.elb.load_balancer"
    lb_type: Maybe[str] = "application"  # application | network | gateway | classic
    scheme: Maybe[str] = "internet-facing"  # internet-facing | internal
    subnets: Maybe[tuple[str, ...]] = ()
    availability_zones: Maybe[tuple[str, ...]] = ()  # classic ELBs may name AZs instead
    security_groups: Maybe[tuple[str, ...]] = ()
    instances: Maybe[tuple[str, ...]] = ()  # classic ELB registered instances
    ip_address_type: Maybe[str | None] = "ipv4"  # ipv4 | dualstack | dualstack-without-public-ipv4


@dataclass(frozen=True, kw_only=True)
class ListenerAction:
    action_type: Maybe[str]  # forward | redirect | fixed-response | authenticate-* | ...
    target_groups: Maybe[tuple[str, ...]] = ()
    redirect_protocol: Maybe[str | None] = None  # HTTPS, HTTP or "#{protocol}"
    redirect_port: Maybe[str | None] = None


@dataclass(frozen=True, kw_only=True)
class Listener(Resource):
    KIND = "aws.elb.listener"
    load_balancer: Maybe[str | None] = None
    port: Maybe[int | None] = None
    protocol: Maybe[str | None] = None  # HTTP, HTTPS, TCP, TLS, UDP, TCP_UDP, SSL, GENEVE
    ssl_policy: Maybe[str | None] = None
    certificate: Maybe[str | None] = None
    default_actions: Maybe[tuple[ListenerAction, ...]] = ()
    instance_port: Maybe[int | None] = None  # classic ELB: the port on the instances
    instance_protocol: Maybe[str | None] = None


@dataclass(frozen=True, kw_only=True)
class TargetGroup(Resource):
    KIND = "aws.elb.target_group"
    vpc: Maybe[str | None] = None
    port: Maybe[int | None] = None
    protocol: Maybe[str | None] = None
    target_type: Maybe[str] = "instance"
    targets: Maybe[tuple[str, ...]] = ()  # keys of registered instances (or IPs)
    # Network load balancers: targets see the client's address. None: AWS's default
    # (on for instance targets and for UDP / TCP_UDP, off for IP targets over TCP / TLS).
    preserve_client_ip: Maybe[bool | None] = None
