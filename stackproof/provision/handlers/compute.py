"""The web and app tiers: load balancer, target group, listeners, launch template, auto scaling group."""
from __future__ import annotations

import time
from typing import Any, Callable

from ..aws import WAIT, error_code, paginate
from ..blueprint import ID_TAG, STACK_TAG
from .base import CannotUpdate, Found, Handler, Live, Op, Scope, found, stack_listing, tag_dict


def _elb_tags(op: Op, arn: str) -> dict[str, str]:
    described = op.client("elbv2").describe_tags(ResourceArns=[arn])["TagDescriptions"]
    return tag_dict(described[0]["Tags"]) if described else {}


def _elb_swept(handler: Handler, scope: Scope, operation: str, key: str, arn_key: str,
               live_of: Callable[[dict[str, Any]], Live]) -> list[Found]:
    """The stack's load balancers or target groups: those named '<stack>-...', asked for
    their tags twenty at a time (the most DescribeTags takes)."""
    elb = scope.client("elbv2")
    items = {i[arn_key]: i for i in paginate(elb, operation, key) if i.get(_NAME[key], "").startswith(scope.stack)}
    arns = sorted(items)
    swept = []
    for start in range(0, len(arns), 20):
        for described in elb.describe_tags(ResourceArns=arns[start:start + 20])["TagDescriptions"]:
            tags = tag_dict(described["Tags"])
            if scope.mine(tags):
                swept.append(found(handler.type, scope.region, tags, live_of(items[described["ResourceArn"]])))
    return swept


_NAME = {"LoadBalancers": "LoadBalancerName", "TargetGroups": "TargetGroupName"}


class LoadBalancer(Handler):
    type = "AWS::ElasticLoadBalancingV2::LoadBalancer"
    unordered = frozenset({"Subnets", "SecurityGroups"})
    immutable = frozenset({"Scheme", "Type"})
    reads = ("elbv2:DescribeLoadBalancers", "elbv2:DescribeTags", "elbv2:DescribeLoadBalancerAttributes")
    writes = ("elbv2:CreateLoadBalancer", "elbv2:ModifyLoadBalancerAttributes", "elbv2:SetSubnets",
              "elbv2:SetSecurityGroups", "elbv2:AddTags", "elbv2:DeleteLoadBalancer")
    implied = {"iam:CreateServiceLinkedRole": "Elastic Load Balancing creates its service-linked role on first use"}

    def tagged(self, scope: Scope) -> list[Found]:
        return _elb_swept(self, scope, "describe_load_balancers", "LoadBalancers", "LoadBalancerArn",
                          lambda lb: Live(lb["LoadBalancerArn"], _lb_attrs(lb)))

    def find(self, op: Op) -> Live | None:
        try:
            lb = op.client("elbv2").describe_load_balancers(Names=[op.props["Name"]])["LoadBalancers"][0]
        except Exception as exc:
            if error_code(exc) == "LoadBalancerNotFound":
                return None
            raise
        tags = _elb_tags(op, lb["LoadBalancerArn"])
        op.check_owner(tags, f"load balancer {op.props['Name']}")
        attributes = op.client("elbv2").describe_load_balancer_attributes(LoadBalancerArn=lb["LoadBalancerArn"])
        values = {a["Key"]: a["Value"] for a in attributes["Attributes"]}
        wanted = [a["Key"] for a in op.props.get("LoadBalancerAttributes", [])]
        return Live(lb["LoadBalancerArn"], _lb_attrs(lb), {
            "Scheme": lb["Scheme"], "Type": lb["Type"],
            "Subnets": [z["SubnetId"] for z in lb.get("AvailabilityZones", [])],
            "SecurityGroups": lb.get("SecurityGroups", []),
            "LoadBalancerAttributes": [{"Key": k, "Value": values.get(k)} for k in wanted],
            "Tags": tags})

    def create(self, op: Op) -> Live:
        p, elb = op.props, op.client("elbv2")
        lb = elb.create_load_balancer(Name=p["Name"], Subnets=p["Subnets"], SecurityGroups=p["SecurityGroups"],
                                      Scheme=p["Scheme"], Type=p["Type"], IpAddressType=p["IpAddressType"],
                                      Tags=op.tag_list())["LoadBalancers"][0]
        elb.get_waiter("load_balancer_available").wait(LoadBalancerArns=[lb["LoadBalancerArn"]], WaiterConfig=WAIT)
        elb.modify_load_balancer_attributes(LoadBalancerArn=lb["LoadBalancerArn"],
                                            Attributes=p["LoadBalancerAttributes"])
        return Live(lb["LoadBalancerArn"], _lb_attrs(lb))

    def update(self, op: Op, live: Live, changed: list[str]) -> Live:
        blocked = [f for f in changed if f in self.immutable]
        if blocked:
            raise CannotUpdate(blocked)
        p, elb = op.props, op.client("elbv2")
        if "Subnets" in changed:
            elb.set_subnets(LoadBalancerArn=live.id, Subnets=p["Subnets"])
        if "SecurityGroups" in changed:
            elb.set_security_groups(LoadBalancerArn=live.id, SecurityGroups=p["SecurityGroups"])
        if "LoadBalancerAttributes" in changed:
            elb.modify_load_balancer_attributes(LoadBalancerArn=live.id, Attributes=p["LoadBalancerAttributes"])
        if "Tags" in changed:
            elb.add_tags(ResourceArns=[live.id], Tags=op.tag_list())
        return live

    def delete(self, op: Op, live: Live) -> None:
        elb = op.client("elbv2")
        elb.delete_load_balancer(LoadBalancerArn=live.id)
        elb.get_waiter("load_balancers_deleted").wait(LoadBalancerArns=[live.id], WaiterConfig=WAIT)


def _lb_attrs(lb: dict[str, Any]) -> dict[str, Any]:
    return {"LoadBalancerArn": lb["LoadBalancerArn"], "DNSName": lb.get("DNSName"),
            "CanonicalHostedZoneID": lb.get("CanonicalHostedZoneId")}


class TargetGroup(Handler):
    type = "AWS::ElasticLoadBalancingV2::TargetGroup"
    immutable = frozenset({"Protocol", "Port", "VpcId", "TargetType"})
    reads = ("elbv2:DescribeTargetGroups", "elbv2:DescribeTags")
    writes = ("elbv2:CreateTargetGroup", "elbv2:ModifyTargetGroup", "elbv2:AddTags", "elbv2:DeleteTargetGroup")

    def tagged(self, scope: Scope) -> list[Found]:
        return _elb_swept(self, scope, "describe_target_groups", "TargetGroups", "TargetGroupArn",
                          lambda g: Live(g["TargetGroupArn"], {"TargetGroupArn": g["TargetGroupArn"]}))

    def find(self, op: Op) -> Live | None:
        try:
            group = op.client("elbv2").describe_target_groups(Names=[op.props["Name"]])["TargetGroups"][0]
        except Exception as exc:
            if error_code(exc) == "TargetGroupNotFound":
                return None
            raise
        tags = _elb_tags(op, group["TargetGroupArn"])
        op.check_owner(tags, f"target group {op.props['Name']}")
        return Live(group["TargetGroupArn"], {"TargetGroupArn": group["TargetGroupArn"]}, {
            "Protocol": group["Protocol"], "Port": group["Port"], "VpcId": group["VpcId"],
            "TargetType": group.get("TargetType", "instance"), "HealthCheckPath": group.get("HealthCheckPath"),
            "Tags": tags})

    def create(self, op: Op) -> Live:
        p = op.props
        group = op.client("elbv2").create_target_group(
            Name=p["Name"], Protocol=p["Protocol"], Port=p["Port"], VpcId=p["VpcId"], TargetType=p["TargetType"],
            HealthCheckPath=p["HealthCheckPath"], Tags=op.tag_list())["TargetGroups"][0]
        return Live(group["TargetGroupArn"], {"TargetGroupArn": group["TargetGroupArn"]})

    def update(self, op: Op, live: Live, changed: list[str]) -> Live:
        blocked = [f for f in changed if f in self.immutable]
        if blocked:
            raise CannotUpdate(blocked)
        elb = op.client("elbv2")
        if "HealthCheckPath" in changed:
            elb.modify_target_group(TargetGroupArn=live.id, HealthCheckPath=op.props["HealthCheckPath"])
        if "Tags" in changed:
            elb.add_tags(ResourceArns=[live.id], Tags=op.tag_list())
        return live

    def delete(self, op: Op, live: Live) -> None:
        op.client("elbv2").delete_target_group(TargetGroupArn=live.id)


def _actions(actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Listener actions as the blueprint writes them (AWS adds order and defaults)."""
    shaped = []
    for action in actions:
        item: dict[str, Any] = {"Type": action["Type"]}
        if action.get("TargetGroupArn"):
            item["TargetGroupArn"] = action["TargetGroupArn"]
        if action.get("RedirectConfig"):
            item["RedirectConfig"] = action["RedirectConfig"]
        shaped.append(item)
    return shaped


class Listener(Handler):
    type = "AWS::ElasticLoadBalancingV2::Listener"
    reads = ("elbv2:DescribeListeners",)
    writes = ("elbv2:CreateListener", "elbv2:ModifyListener", "elbv2:DeleteListener")

    def find(self, op: Op) -> Live | None:
        listeners = paginate(op.client("elbv2"), "describe_listeners", "Listeners",
                             LoadBalancerArn=op.props["LoadBalancerArn"])
        for listener in listeners:
            if listener["Port"] == op.props["Port"]:
                current: dict[str, Any] = {"Protocol": listener["Protocol"],
                                           "DefaultActions": _actions(listener.get("DefaultActions", []))}
                if "SslPolicy" in op.props:
                    current["SslPolicy"] = listener.get("SslPolicy")
                    current["Certificates"] = [{"CertificateArn": c["CertificateArn"]}
                                               for c in listener.get("Certificates", [])]
                return Live(listener["ListenerArn"], {"ListenerArn": listener["ListenerArn"]}, current)
        return None

    def _settings(self, op: Op) -> dict[str, Any]:
        p = op.props
        settings = {"Protocol": p["Protocol"], "Port": p["Port"], "DefaultActions": p["DefaultActions"]}
        if "SslPolicy" in p:
            settings.update(SslPolicy=p["SslPolicy"], Certificates=p["Certificates"])
        return settings

    def create(self, op: Op) -> Live:
        listener = op.client("elbv2").create_listener(LoadBalancerArn=op.props["LoadBalancerArn"],
                                                      **self._settings(op))["Listeners"][0]
        return Live(listener["ListenerArn"], {"ListenerArn": listener["ListenerArn"]})

    def update(self, op: Op, live: Live, changed: list[str]) -> Live:
        op.client("elbv2").modify_listener(ListenerArn=live.id, **self._settings(op))
        return live

    def delete(self, op: Op, live: Live) -> None:
        op.client("elbv2").delete_listener(ListenerArn=live.id)


class LaunchTemplate(Handler):
    type = "AWS::EC2::LaunchTemplate"
    reads = ("ec2:DescribeLaunchTemplates", "ec2:DescribeLaunchTemplateVersions")
    writes = ("ec2:CreateLaunchTemplate", "ec2:CreateLaunchTemplateVersion", "ec2:ModifyLaunchTemplate",
              "ec2:CreateTags", "ec2:DeleteLaunchTemplate")

    def tagged(self, scope: Scope) -> list[Found]:
        templates = stack_listing(scope, "describe_launch_templates", "LaunchTemplates")
        return [found(self.type, scope.region, tags, Live(t["LaunchTemplateId"], _lt_attrs(t)))
                for t in templates if scope.mine(tags := tag_dict(t.get("Tags")))]

    def find(self, op: Op) -> Live | None:
        ec2 = op.client("ec2")
        templates = stack_listing(op, "describe_launch_templates", "LaunchTemplates")
        template = next((t for t in templates if tag_dict(t.get("Tags")).get(ID_TAG) == op.node.logical_id
                         and tag_dict(t.get("Tags")).get(STACK_TAG) == op.stack), None)
        if template is None:
            return None
        version = ec2.describe_launch_template_versions(LaunchTemplateId=template["LaunchTemplateId"],
                                                        Versions=["$Latest"])["LaunchTemplateVersions"][0]
        data = dict(version["LaunchTemplateData"])
        # moto 5.2 files the template's own tags under its launch data; AWS does not.
        specs = [t for t in data.get("TagSpecifications", []) if t.get("ResourceType") != "launch-template"]
        data["TagSpecifications"] = specs
        own_tags = [{"Key": k, "Value": v} for k, v in tag_dict(template.get("Tags")).items()]
        return Live(template["LaunchTemplateId"], _lt_attrs(template), {
            "LaunchTemplateData": data,
            "TagSpecifications": [{"ResourceType": "launch-template", "Tags": own_tags}]})

    def create(self, op: Op) -> Live:
        p = op.props
        template = op.client("ec2").create_launch_template(
            LaunchTemplateName=p["LaunchTemplateName"], LaunchTemplateData=p["LaunchTemplateData"],
            TagSpecifications=p["TagSpecifications"])["LaunchTemplate"]
        return Live(template["LaunchTemplateId"], _lt_attrs(template))

    def update(self, op: Op, live: Live, changed: list[str]) -> Live:
        ec2 = op.client("ec2")
        if "LaunchTemplateData" in changed:
            version = ec2.create_launch_template_version(LaunchTemplateId=live.id,
                                                         LaunchTemplateData=op.props["LaunchTemplateData"])
            number = version["LaunchTemplateVersion"]["VersionNumber"]
            ec2.modify_launch_template(LaunchTemplateId=live.id, DefaultVersion=str(number))
            live.attrs["LatestVersionNumber"] = str(number)
        if "TagSpecifications" in changed:
            ec2.create_tags(Resources=[live.id], Tags=op.tag_list())
        return live

    def delete(self, op: Op, live: Live) -> None:
        op.client("ec2").delete_launch_template(LaunchTemplateId=live.id)


def _lt_attrs(template: dict[str, Any]) -> dict[str, Any]:
    return {"LaunchTemplateId": template["LaunchTemplateId"],
            "LatestVersionNumber": str(template["LatestVersionNumber"]),
            "DefaultVersionNumber": str(template["DefaultVersionNumber"])}


class AutoScalingGroup(Handler):
    type = "AWS::AutoScaling::AutoScalingGroup"
    unordered = frozenset({"VPCZoneIdentifier", "TargetGroupARNs"})
    reads = ("autoscaling:DescribeAutoScalingGroups", "ec2:DescribeInstances")
    writes = ("autoscaling:CreateAutoScalingGroup", "autoscaling:UpdateAutoScalingGroup",
              "autoscaling:AttachLoadBalancerTargetGroups", "autoscaling:DetachLoadBalancerTargetGroups",
              "autoscaling:CreateOrUpdateTags", "autoscaling:DeleteAutoScalingGroup")
    implied = {"ec2:RunInstances": "a group launches instances from the launch template with the caller's rights",
               "ec2:CreateTags": "the launched instances and volumes are tagged at launch"}

    def tagged(self, scope: Scope) -> list[Found]:
        filters = [{"Name": f"tag:{STACK_TAG}", "Values": [scope.stack]}]
        groups = paginate(scope.client("autoscaling"), "describe_auto_scaling_groups", "AutoScalingGroups",
                          Filters=filters)
        return [found(self.type, scope.region, tags, Live(g["AutoScalingGroupName"]))
                for g in groups if scope.mine(tags := tag_dict(g.get("Tags")))]

    def find(self, op: Op) -> Live | None:
        name = op.props["AutoScalingGroupName"]
        asg = op.client("autoscaling")
        groups = asg.describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"]
        if not groups:
            return None
        group = groups[0]
        tags = tag_dict(group.get("Tags"))
        op.check_owner(tags, f"auto scaling group {name}")
        spec = group.get("LaunchTemplate") or {}
        return Live(name, {}, {
            "MinSize": group["MinSize"], "MaxSize": group["MaxSize"], "DesiredCapacity": group["DesiredCapacity"],
            "VPCZoneIdentifier": [s for s in group.get("VPCZoneIdentifier", "").split(",") if s],
            "TargetGroupARNs": group.get("TargetGroupARNs", []),
            "LaunchTemplate": {"LaunchTemplateId": spec.get("LaunchTemplateId"), "Version": spec.get("Version")},
            "HealthCheckType": group.get("HealthCheckType"),
            "HealthCheckGracePeriod": group.get("HealthCheckGracePeriod"),
            "Tags": tags})

    def _settings(self, op: Op) -> dict[str, Any]:
        p = op.props
        return {"AutoScalingGroupName": p["AutoScalingGroupName"], "MinSize": int(p["MinSize"]),
                "MaxSize": int(p["MaxSize"]), "DesiredCapacity": int(p["DesiredCapacity"]),
                "LaunchTemplate": p["LaunchTemplate"], "VPCZoneIdentifier": ",".join(p["VPCZoneIdentifier"]),
                "HealthCheckType": p["HealthCheckType"], "HealthCheckGracePeriod": p["HealthCheckGracePeriod"]}

    def _tags(self, op: Op) -> list[dict[str, Any]]:
        name = op.props["AutoScalingGroupName"]
        return [{**t, "ResourceId": name, "ResourceType": "auto-scaling-group"} for t in op.props["Tags"]]

    def create(self, op: Op) -> Live:
        op.client("autoscaling").create_auto_scaling_group(
            **self._settings(op), TargetGroupARNs=op.props["TargetGroupARNs"], Tags=self._tags(op))
        return Live(op.props["AutoScalingGroupName"])

    def update(self, op: Op, live: Live, changed: list[str]) -> Live:
        asg = op.client("autoscaling")
        asg.update_auto_scaling_group(**self._settings(op))
        want, have = set(op.props["TargetGroupARNs"]), set(live.current.get("TargetGroupARNs", []))
        if want - have:
            asg.attach_load_balancer_target_groups(AutoScalingGroupName=live.id, TargetGroupARNs=sorted(want - have))
        if have - want:
            asg.detach_load_balancer_target_groups(AutoScalingGroupName=live.id, TargetGroupARNs=sorted(have - want))
        if "Tags" in changed:
            asg.create_or_update_tags(Tags=self._tags(op))
        return live

    def delete(self, op: Op, live: Live) -> None:
        asg, ec2 = op.client("autoscaling"), op.client("ec2")
        groups = asg.describe_auto_scaling_groups(AutoScalingGroupNames=[live.id])["AutoScalingGroups"]
        instances = [i["InstanceId"] for g in groups for i in g.get("Instances", [])]
        asg.delete_auto_scaling_group(AutoScalingGroupName=live.id, ForceDelete=True)
        # Auto Scaling has no waiter for a deleted group: poll, as its console does.
        for _ in range(WAIT["MaxAttempts"]):
            if not asg.describe_auto_scaling_groups(AutoScalingGroupNames=[live.id])["AutoScalingGroups"]:
                break
            time.sleep(WAIT["Delay"])
        if instances:
            ec2.get_waiter("instance_terminated").wait(InstanceIds=instances, WaiterConfig=WAIT)
