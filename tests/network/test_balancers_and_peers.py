"""Load balancers (unknown listeners and targets, network load balancers that keep the
client's address) and connections between VPCs (peering, transit gateways)."""
from __future__ import annotations

from stackproof.model import (
    Instance, Listener, ListenerAction, LoadBalancer, RouteTable, SecurityGroup, Subnet, TargetGroup,
    TransitGateway, TransitGatewayAttachment, Unknown, Vpc, VpcPeeringConnection,
)

from .netbuild import Net, egress_all, ingress, reach, route
from .test_semantics import _app_tier, _balanced, blocked_reasons

LATER = Unknown("known after apply")


# -- unknown listener port, targets, actions: possibly, never "not reachable" ------------------------


def _app_exposure(n: Net):
    found = n.network().exposures("app")
    return [(e.traffic.text(), e.certain) for e in found], found


def test_known_listener_and_targets_reach_the_target_for_certain():
    assert _app_exposure(_balanced())[0] == [("tcp/8080", True)]


def test_unknown_listener_port_makes_the_target_possibly_reachable():
    seen, found = _app_exposure(_balanced().set("alb:443", port=LATER))
    assert seen == [("tcp/8080", False)] and "known after apply" in found[0].unknowns


def test_unknown_targets_make_every_instance_the_balancer_may_reach_possibly_reachable():
    n = _balanced().set("tg", targets=LATER)
    seen, found = _app_exposure(n)
    assert seen == [("tcp/8080", False)] and any("it may be a target" in u for u in found[0].unknowns)
    # an instance whose groups do not admit the balancer stays unreachable
    n.add(SecurityGroup, "sg-other", vpc="vpc", rules=(ingress(8080, "192.168.0.0/16"),))
    n.add(Instance, "other", subnet="private", security_groups=("sg-other",), associate_public_ip_address=False)
    assert n.network().exposures("other") == []


def test_unknown_listener_actions_make_the_target_possibly_reachable():
    seen, _ = _app_exposure(_balanced().set("alb:443", default_actions=LATER))
    assert seen and all(not certain for _, certain in seen)


def test_target_group_not_in_the_inputs_makes_targets_possibly_reachable():
    n = _balanced().set("alb:443", default_actions=(ListenerAction(action_type="forward",
                                                                   target_groups=("arn:aws:tg/outside",)),))
    seen, _ = _app_exposure(n)
    assert seen and all(not certain for _, certain in seen)


# -- network load balancers keep the client's address ---------------------------------------------------------


def _nlb(*peers: str, target_type: str = "instance", preserve=None) -> Net:
    n = Net().drop("web")
    n.add(LoadBalancer, "nlb", lb_type="network", subnets=("public",), security_groups=())
    n.add(Listener, "nlb:443", load_balancer="nlb", port=443, protocol="TCP",
          default_actions=(ListenerAction(action_type="forward", target_groups=("tg",)),))
    n.add(TargetGroup, "tg", vpc="vpc", port=8443, protocol="TCP", targets=("app",), target_type=target_type,
          preserve_client_ip=preserve)
    n.add(SecurityGroup, "sg-app", vpc="vpc", rules=(ingress(8443, *peers), egress_all()))
    n.add(Instance, "app", subnet="private", security_groups=("sg-app",), associate_public_ip_address=False)
    return n


def test_instance_target_of_a_network_load_balancer_sees_the_client():
    net = _nlb("198.51.100.0/24").network()
    assert reach(net, "198.51.100.5/32", "app", "tcp", 8443).reachable
    answer = reach(net, "203.0.113.5/32", "app", "tcp", 8443)
    assert not answer.reachable and "which nlb keeps" in blocked_reasons(answer)
    assert {e.source_text for e in net.exposures("app")} == {"198.51.100.0/24"}


def test_instance_target_admitting_only_the_vpc_is_not_reachable_through_the_nlb():
    assert _nlb("10.0.0.0/16").network().exposures("app") == []


def test_ip_target_over_tcp_sees_the_balancer_by_default():
    net = _nlb("10.0.0.0/16", target_type="ip").network()
    assert [e.traffic.text() for e in net.exposures("app")] == ["tcp/8443"]
    assert _nlb("198.51.100.0/24", target_type="ip").network().exposures("app") == []


def test_client_ip_preservation_unknown_makes_it_possibly_reachable():
    found = _nlb("198.51.100.0/24", preserve=LATER).network().exposures("app")
    assert found and not any(e.certain for e in found)


# -- peering: a route reaches the VPCs its connection joins -----------------------------------------------------


def _peered(connection: str = "pcx", joins: str = "vpc-b", refs: bool = True) -> Net:
    n = _app_tier(Net()).set("sg-app", rules=(ingress(8080, groups=("sg-b",)) if refs else ingress(8080, "172.16.0.0/16"),))
    target_type = "transit_gateway" if connection == "tgw" else "vpc_peering_connection"
    n.set("rtb-private", routes=(route("0.0.0.0/0", "nat_gateway", "nat"), route("172.16.0.0/16", target_type, connection)))
    n.add(Vpc, "vpc-b", cidr_blocks=("172.16.0.0/16",))
    n.add(Vpc, "vpc-c", cidr_blocks=("192.168.0.0/16",))
    n.add(RouteTable, "rtb-b", vpc="vpc-b", routes=(route("10.0.0.0/16", target_type, connection),))
    n.add(Subnet, "subnet-b", vpc="vpc-b", cidr_block="172.16.1.0/24", route_table="rtb-b")
    n.add(SecurityGroup, "sg-b", vpc="vpc-b", rules=(egress_all(),))
    n.add(Instance, "client", subnet="subnet-b", security_groups=("sg-b",), associate_public_ip_address=False,
          private_ip="172.16.1.10")
    if connection == "pcx":
        n.add(VpcPeeringConnection, "pcx", vpc="vpc", peer_vpc=joins)
    return n


def test_peering_that_joins_the_two_vpcs_carries_traffic_and_group_references():
    answer = reach(_peered().network(), "client", "app", "tcp", 8080)
    assert answer.reachable and "sg-app ingress tcp/8080 from sg-b" in answer.paths[0].path()


def test_peering_that_joins_other_vpcs_carries_nothing():
    answer = reach(_peered(joins="vpc-c").network(), "client", "app", "tcp", 8080)
    assert not answer.reachable and not answer.possibly
    assert "which joins vpc and vpc-c, not vpc-b and vpc" in blocked_reasons(answer)


def test_peering_connection_outside_the_inputs_is_possibly_the_right_one():
    n = _peered().drop("pcx")
    answer = reach(n.network(), "client", "app", "tcp", 8080)
    assert answer.possibly and not answer.reachable


def _transit(gateway_refs=None, attached=("vpc", "vpc-b"), refs: bool = True) -> Net:
    n = _peered("tgw", refs=refs)
    for vpc in attached:
        n.add(TransitGatewayAttachment, f"att-{vpc}", transit_gateway="tgw", vpc=vpc)
    if gateway_refs is not None:
        n.add(TransitGateway, "tgw", security_group_referencing=gateway_refs)
    return n


def test_transit_gateway_carries_traffic_between_its_attached_vpcs_by_address():
    assert reach(_transit(refs=False).network(), "client", "app", "tcp", 8080).reachable
    answer = reach(_transit(attached=("vpc",), refs=False).network(), "client", "app", "tcp", 8080)
    assert not answer.reachable and "has no attachment to VPC vpc-b" in blocked_reasons(answer)


def test_group_references_across_a_transit_gateway_need_it_to_enable_them():
    assert reach(_transit(gateway_refs=True).network(), "client", "app", "tcp", 8080).reachable
    answer = reach(_transit(gateway_refs=False).network(), "client", "app", "tcp", 8080)
    assert not answer.reachable and not answer.possibly
    unknown = reach(_transit().network(), "client", "app", "tcp", 8080)  # the gateway is not in the inputs
    assert unknown.possibly and not unknown.reachable
