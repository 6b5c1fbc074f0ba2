"""DescribeLoadBalancers, DescribeListeners, DescribeTargetGroups (and attributes of network ones)
-> LoadBalancer, Listener, TargetGroup."""
from __future__ import annotations

from typing import Any, Iterator

from ....model import Listener, ListenerAction, LoadBalancer, Resource, TargetGroup, Unknown
from .common import Where, as_bool, as_int, base, called_tags, failed

KINDS = (LoadBalancer.KIND, Listener.KIND, TargetGroup.KIND)
# Target group protocols of network load balancers, whose targets may see the client's
# address (preserve_client_ip.enabled): the collector reads their attributes.
NETWORK_PROTOCOLS = frozenset({"TCP", "UDP", "TLS", "TCP_UDP", "QUIC", "TCP_QUIC"})


def transform(data: dict[str, Any], where: Where) -> Iterator[Resource]:
    tags = data.get("tags") or {}
    for balancer in data.get("load_balancers") or []:
        arn = balancer["LoadBalancerArn"]
        balancer_tags = called_tags(tags.get(arn))
        fields = base(where, arn, balancer_tags, balancer.get("LoadBalancerName"))
        zones = balancer.get("AvailabilityZones") or []
        yield LoadBalancer(**fields,
                           lb_type=balancer.get("Type") or "application",
                           scheme=balancer.get("Scheme") or "internet-facing",
                           subnets=where.ec2_all("subnet", [z.get("SubnetId") for z in zones]),
                           availability_zones=tuple(z["ZoneName"] for z in zones if z.get("ZoneName")),
                           security_groups=where.ec2_all("security-group", balancer.get("SecurityGroups")),
                           ip_address_type=balancer.get("IpAddressType")
                           or Unknown("DescribeLoadBalancers did not state IpAddressType"))
        for listener in balancer.get("Listeners") or []:
            yield listener_of(listener, arn, fields["name"], where)
    for group in data.get("target_groups") or []:
        arn = group["TargetGroupArn"]
        yield TargetGroup(**base(where, arn, called_tags(tags.get(arn)), group.get("TargetGroupName")),
                          vpc=where.ec2("vpc", group.get("VpcId")),
                          port=as_int(group.get("Port")),
                          protocol=group.get("Protocol"),
                          target_type=group.get("TargetType") or "instance",
                          targets=_targets(group, where),
                          preserve_client_ip=_preserve_client_ip(group))


def listener_of(listener: dict[str, Any], balancer_arn: str, balancer_name: str | None, where: Where) -> Listener:
    port = as_int(listener.get("Port"))
    fields = base(where, listener["ListenerArn"], {})
    if balancer_name and port is not None:
        fields["name"] = f"{balancer_name}:{port}"  # the same name in every source
    certificates = listener.get("Certificates") or []
    return Listener(**fields,
                    load_balancer=balancer_arn,
                    port=port,
                    protocol=listener.get("Protocol"),
                    ssl_policy=listener.get("SslPolicy"),
                    certificate=certificates[0].get("CertificateArn") if certificates else None,
                    default_actions=tuple(_action(a) for a in listener.get("DefaultActions") or []))


def _action(action: dict[str, Any]) -> ListenerAction:
    groups = [action["TargetGroupArn"]] if action.get("TargetGroupArn") else []
    for item in (action.get("ForwardConfig") or {}).get("TargetGroups") or []:
        if item.get("TargetGroupArn") and item["TargetGroupArn"] not in groups:
            groups.append(item["TargetGroupArn"])
    redirect = action.get("RedirectConfig") or {}
    return ListenerAction(action_type=action.get("Type"), target_groups=tuple(groups),
                          redirect_protocol=redirect.get("Protocol"), redirect_port=redirect.get("Port"))


def _targets(group: dict[str, Any], where: Where) -> Any:
    health = group.get("TargetHealth")
    problem = failed(health)
    if problem is not None:
        return problem
    targets = []
    for item in (health or {}).get("TargetHealthDescriptions") or []:
        ident = (item.get("Target") or {}).get("Id")
        if isinstance(ident, str):
            targets.append(where.ec2("instance", ident) if ident.startswith("i-") else ident)
    return tuple(targets)


def is_network(group: dict[str, Any]) -> bool:
    return str(group.get("Protocol") or "").upper() in NETWORK_PROTOCOLS


def _preserve_client_ip(group: dict[str, Any]) -> Any:
    """A network target group's preserve_client_ip.enabled as its attributes state it (None
    for other target groups, which have no such setting)."""
    if not is_network(group):
        return None
    if "Attributes" not in group:
        return Unknown("the target group's attributes were not read")
    problem = failed(group["Attributes"])
    if problem is not None:
        return problem
    values = {a.get("Key"): a.get("Value") for a in group["Attributes"] or []}
    value = as_bool(values.get("preserve_client_ip.enabled"))
    return value if value is not None else Unknown("DescribeTargetGroupAttributes did not state "
                                                   "preserve_client_ip.enabled")
