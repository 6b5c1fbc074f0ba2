"""Classic load balancers -> LoadBalancer (lb_type classic) with one Listener per port."""
from __future__ import annotations

from typing import Any, Iterator

from ....model import Listener, ListenerAction, LoadBalancer, Resource
from .common import Where, as_int, base, called_tags

KINDS = (LoadBalancer.KIND, Listener.KIND)


def transform(data: dict[str, Any], where: Where) -> Iterator[Resource]:
    tags = data.get("tags") or {}
    for balancer in data.get("load_balancers") or []:
        name = balancer["LoadBalancerName"]
        arn = where.arn("elasticloadbalancing", f"loadbalancer/{name}")
        fields = base(where, arn, called_tags(tags.get(name)), name)
        yield LoadBalancer(**fields,
                           lb_type="classic",
                           scheme=balancer.get("Scheme") or "internet-facing",
                           subnets=where.ec2_all("subnet", balancer.get("Subnets")),
                           availability_zones=tuple(balancer.get("AvailabilityZones") or ()),
                           security_groups=where.ec2_all("security-group", balancer.get("SecurityGroups")),
                           instances=where.ec2_all("instance", [i.get("InstanceId") for i in balancer.get("Instances") or []]))
        for description in balancer.get("ListenerDescriptions") or []:
            listener = description.get("Listener") or {}
            port = as_int(listener.get("LoadBalancerPort"))
            listener_fields = base(where, f"{arn}/listener/{port}", {})
            if fields["name"] and port is not None:
                listener_fields["name"] = f"{fields['name']}:{port}"
            yield Listener(**listener_fields,
                           load_balancer=arn, port=port,
                           protocol=_upper(listener.get("Protocol")),
                           certificate=listener.get("SSLCertificateId"),
                           instance_port=as_int(listener.get("InstancePort")),
                           instance_protocol=_upper(listener.get("InstanceProtocol")),
                           default_actions=(ListenerAction(action_type="forward"),))


def _upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value
