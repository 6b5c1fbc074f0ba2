"""DescribeAutoScalingGroups, DescribeLaunchConfigurations -> AutoScalingGroup, LaunchConfiguration."""
from __future__ import annotations

from typing import Any, Iterator

from ....model import AutoScalingGroup, LaunchConfiguration, Resource
from .common import Where, as_int, base, tags_of
from .ec2 import template_devices

KINDS = (AutoScalingGroup.KIND, LaunchConfiguration.KIND)


def transform(data: dict[str, Any], where: Where) -> Iterator[Resource]:
    configurations = {c["LaunchConfigurationName"]: c.get("LaunchConfigurationARN")
                      or _configuration_arn(where, c["LaunchConfigurationName"])
                      for c in data.get("launch_configurations") or []}
    for group in data.get("groups") or []:
        tags = tags_of(group.get("Tags"))
        spec = group.get("LaunchTemplate") or (
            ((group.get("MixedInstancesPolicy") or {}).get("LaunchTemplate") or {}).get("LaunchTemplateSpecification")
            or {})
        configuration = group.get("LaunchConfigurationName")
        subnets = [s.strip() for s in (group.get("VPCZoneIdentifier") or "").split(",") if s.strip()]
        arn = group.get("AutoScalingGroupARN") or where.arn(
            "autoscaling", f"autoScalingGroup:*:autoScalingGroupName/{group['AutoScalingGroupName']}")
        yield AutoScalingGroup(
            **base(where, arn, tags, group.get("AutoScalingGroupName")),
            subnets=where.ec2_all("subnet", subnets),
            availability_zones=tuple(group.get("AvailabilityZones") or ()),
            min_size=as_int(group.get("MinSize")),
            max_size=as_int(group.get("MaxSize")),
            desired_capacity=as_int(group.get("DesiredCapacity")),
            launch_template=where.ec2("launch-template", spec.get("LaunchTemplateId")),
            launch_configuration=(configurations.get(configuration) or _configuration_arn(where, configuration))
            if configuration else None,
            target_groups=tuple(group.get("TargetGroupARNs") or ()),
            load_balancers=tuple(where.arn("elasticloadbalancing", f"loadbalancer/{name}")
                                 for name in group.get("LoadBalancerNames") or ()))
    for configuration in data.get("launch_configurations") or []:
        name = configuration["LaunchConfigurationName"]
        public = configuration.get("AssociatePublicIpAddress")
        yield LaunchConfiguration(
            **base(where, configurations[name], {}, name),
            instance_type=configuration.get("InstanceType"),
            security_groups=where.ec2_all("security-group", configuration.get("SecurityGroups")),
            associate_public_ip_address=public if isinstance(public, bool) else None,
            block_devices=template_devices(configuration.get("BlockDeviceMappings")),
            metadata_http_tokens=(configuration.get("MetadataOptions") or {}).get("HttpTokens"))


def _configuration_arn(where: Where, name: str) -> str:
    return where.arn("autoscaling", f"launchConfiguration:*:launchConfigurationName/{name}")
