"""One small network per semantic: one case that lets traffic through, one that blocks it."""
from __future__ import annotations

from stackproof.model import (
    DbInstance, DbSubnetGroup, EgressOnlyInternetGateway, ElasticIp, Listener, ListenerAction, LoadBalancer,
    NetworkAcl, PrefixList, SecurityGroup, TargetGroup, Unknown, Vpc, VpcPeeringConnection, Instance, Subnet,
    RouteTable,
)

from .netbuild import Net, egress_all, ingress, nacl_rule, reach, route


def blocked_reasons(answer) -> str:
    return " | ".join(b.reason for b in answer.blocked)


# -- public web server: the baseline ----------------------------------------------------------


def test_public_instance_is_reachable_on_its_open_port_with_the_whole_path():
    answer = reach(Net().network(), "internet", "web", "tcp", 443)
    assert answer.reachable
    path = answer.paths[0].path()
    for part in ("igw", "public IP", "rtb-public (0.0.0.0/0 -> igw)", "default network ACL of subnet public (allows all)",
                 "sg-web ingress tcp/443 from 0.0.0.0/0", "web"):
        assert part in path


def test_public_instance_is_not_reachable_on_a_port_no_rule_admits():
    answer = reach(Net().network(), "internet", "web", "tcp", 22)
    assert not answer.reachable and not answer.possibly
    assert "no rule of sg-web admits tcp/22" in blocked_reasons(answer)


# -- route tables: explicit, main, longest prefix, blackhole --------------------------------------


def test_subnet_without_a_table_inherits_a_public_main_table():
    n = Net().set("public", route_table=None).set("vpc", main_route_table="rtb-public")
    assert reach(n.network(), "internet", "web", "tcp", 443).reachable


def test_subnet_without_a_table_and_no_main_table_in_the_inputs_has_only_the_local_route():
    n = Net().set("public", route_table=None)
    answer = reach(n.network(), "internet", "web", "tcp", 443)
    assert not answer.reachable and "has no IPv4 route back to the internet" in blocked_reasons(answer)


def test_main_table_of_a_vpc_outside_the_inputs_is_unknown():
    n = Net().set("public", route_table=None).drop("vpc")
    answer = reach(n.network(), "internet", "web", "tcp", 443)
    assert answer.possibly and not answer.reachable
    assert "main route table of VPC vpc, which is not in the inputs" in answer.paths[0].unknowns[0]


def test_main_table_named_by_is_main_flag_counts_too():
    n = Net().set("public", route_table=None).set("rtb-public", is_main=True)
    assert reach(n.network(), "internet", "web", "tcp", 443).reachable


def test_longest_prefix_wins_over_the_default_route():
    n = Net().set("rtb-public", routes=(route("0.0.0.0/0", "internet_gateway", "igw"),
                                        route("203.0.113.0/24", "nat_gateway", "nat")))
    net = n.network()
    assert reach(net, "198.51.100.7/32", "web", "tcp", 443).reachable
    answer = reach(net, "203.0.113.9/32", "web", "tcp", 443)
    assert not answer.reachable and "NAT gateway" in blocked_reasons(answer)


def test_blackhole_default_route_blocks():
    n = Net().set("rtb-public", routes=(route("0.0.0.0/0", "internet_gateway", "igw", blackhole=True),))
    answer = reach(n.network(), "internet", "web", "tcp", 443)
    assert not answer.reachable and "blackhole" in blocked_reasons(answer)


def test_private_subnet_routing_through_nat_admits_no_inbound_connection():
    n = Net().set("web", subnet="private")
    answer = reach(n.network(), "internet", "web", "tcp", 443)
    assert not answer.reachable and "admits no inbound connection" in blocked_reasons(answer)


def test_private_instance_reaches_the_internet_through_a_nat_gateway_in_a_public_subnet():
    n = _app_tier(Net())
    answer = reach(n.network(), "app", "internet", "tcp", 443)
    assert answer.reachable
    assert ("rtb-private (0.0.0.0/0 -> nat) -> NAT gateway nat -> default network ACL of subnet public (allows all) "
            "-> rtb-public (0.0.0.0/0 -> igw) -> igw") in answer.paths[0].path()


def test_nat_gateway_in_a_subnet_without_internet_route_leads_nowhere():
    n = _app_tier(Net()).set("nat", subnet="private")
    answer = reach(n.network(), "app", "internet", "tcp", 443)
    assert not answer.reachable and "does not route" in blocked_reasons(answer)


# -- public addresses -------------------------------------------------------------------------------


def test_instance_without_public_address_is_not_reachable_even_behind_an_open_group():
    answer = reach(Net().set("web", associate_public_ip_address=False).network(), "internet", "web", "tcp", 443)
    assert not answer.reachable and "no public IPv4 address" in blocked_reasons(answer)


def test_elastic_ip_gives_a_public_address():
    n = Net().set("web", associate_public_ip_address=False).add(ElasticIp, "eip-web", instance="web")
    answer = reach(n.network(), "internet", "web", "tcp", 443)
    assert answer.reachable and "Elastic IP eip-web" in answer.paths[0].path()


def test_subnet_public_ip_setting_decides_when_the_instance_does_not_say():
    n = Net().set("web", associate_public_ip_address=None)
    assert not reach(n.network(), "internet", "web", "tcp", 443).reachable
    n.set("public", map_public_ip_on_launch=True)
    assert reach(n.network(), "internet", "web", "tcp", 443).reachable


def test_database_needs_publicly_accessible():
    n = Net().add(DbSubnetGroup, "dbsubnets", subnets=("public",)).add(
        SecurityGroup, "sg-db", vpc="vpc", rules=(ingress(5432, "0.0.0.0/0"),)).add(
        DbInstance, "db", db_subnet_group="dbsubnets", security_groups=("sg-db",), publicly_accessible=False)
    assert not reach(n.network(), "internet", "db", "tcp", 5432).reachable
    n.set("db", publicly_accessible=True)
    assert reach(n.network(), "internet", "db", "tcp", 5432).reachable


# -- IPv6 and the egress-only gateway ------------------------------------------------------------------


def test_ipv6_reaches_an_instance_with_an_ipv6_address_without_a_public_ipv4():
    n = Net().set("sg-web", rules=(ingress(443, v6=("::/0",)),)).set("web", associate_public_ip_address=False)
    n.set("public", assign_ipv6_address_on_creation=True)
    net = n.network()
    assert reach(net, "internet", "web", "tcp", 443).reachable
    assert not reach(net, "198.51.100.7/32", "web", "tcp", 443).reachable  # IPv4 is not admitted
    assert reach(net, "2a00:1450::1/128", "web", "tcp", 443).reachable


def test_egress_only_gateway_admits_no_inbound_ipv6():
    n = Net().set("sg-web", rules=(ingress(443, v6=("::/0",)),)).set("public", assign_ipv6_address_on_creation=True)
    n.add(EgressOnlyInternetGateway, "eigw", vpc="vpc")
    n.set("rtb-public", routes=(route("0.0.0.0/0", "internet_gateway", "igw"),
                                route("::/0", "egress_only_internet_gateway", "eigw")))
    answer = reach(n.network(), "2a00:1450::1/128", "web", "tcp", 443)
    assert not answer.reachable and "egress-only" in blocked_reasons(answer)


def test_egress_only_gateway_lets_ipv6_out():
    n = Net().set("public", assign_ipv6_address_on_creation=True).set("web", associate_public_ip_address=False)
    n.add(EgressOnlyInternetGateway, "eigw", vpc="vpc")
    n.set("rtb-public", routes=(route("::/0", "egress_only_internet_gateway", "eigw"),))
    net = n.network()
    assert reach(net, "web", "2a00:1450::1/128", "tcp", 443).reachable
    answer = reach(net, "web", "198.51.100.7/32", "tcp", 443)  # IPv4 has no route out at all
    assert not answer.reachable and "has no route" in blocked_reasons(answer)


# -- network ACLs: rule order, both directions ------------------------------------------------------------


def _with_nacl(*rules):
    return Net().add(NetworkAcl, "nacl-public", vpc="vpc", subnets=("public",), rules=tuple(rules)).set(
        "public", network_acl="nacl-public")


def test_nacl_rules_apply_in_number_order():
    deny_first = _with_nacl(nacl_rule(100, "deny", protocol="tcp", ports=(443, 443)), nacl_rule(200, "allow"),
                            nacl_rule(100, "allow", egress=True))
    answer = reach(deny_first.network(), "internet", "web", "tcp", 443)
    assert not answer.reachable and "nacl-public inbound rule 100 denies" in blocked_reasons(answer)
    allow_first = _with_nacl(nacl_rule(300, "deny", protocol="tcp", ports=(443, 443)), nacl_rule(200, "allow"),
                             nacl_rule(100, "allow", egress=True))
    answer = reach(allow_first.network(), "internet", "web", "tcp", 443)
    assert answer.reachable
    assert "nacl-public of subnet public: inbound rule 200, return outbound rule 100" in answer.paths[0].path()


def test_nacl_is_stateless_the_return_traffic_needs_ephemeral_ports_out():
    no_return = _with_nacl(nacl_rule(100, "allow"), nacl_rule(100, "allow", protocol="tcp", ports=(443, 443), egress=True))
    answer = reach(no_return.network(), "internet", "web", "tcp", 443)
    assert not answer.reachable and "outbound denies the return traffic" in blocked_reasons(answer)
    ephemeral = _with_nacl(nacl_rule(100, "allow"), nacl_rule(100, "allow", protocol="tcp", ports=(1024, 65535), egress=True))
    assert reach(ephemeral.network(), "internet", "web", "tcp", 443).reachable


def test_vpc_default_acl_described_in_the_inputs_applies_to_subnets_without_one():
    n = Net().add(NetworkAcl, "nacl-default", vpc="vpc", is_default=True, rules=(nacl_rule(100, "allow", egress=True),))
    answer = reach(n.network(), "internet", "web", "tcp", 443)
    assert not answer.reachable and "nacl-default inbound: no rule allows it" in blocked_reasons(answer)


# -- security groups: CIDRs, prefix lists, references, statefulness -----------------------------------------


def test_group_admitting_only_private_ranges_keeps_the_internet_out():
    n = Net().set("sg-web", rules=(ingress(443, "10.0.0.0/8"),))
    assert not reach(n.network(), "internet", "web", "tcp", 443).reachable
    assert reach(Net().network(), "internet", "web", "tcp", 443).reachable


def test_group_is_stateful_its_egress_rules_do_not_limit_replies():
    n = Net().set("sg-web", rules=(ingress(443, "0.0.0.0/0"),))  # no egress rule at all
    assert reach(n.network(), "internet", "web", "tcp", 443).reachable


def test_prefix_list_entries_are_peers():
    n = Net().set("sg-web", rules=(ingress(443, prefix_lists=("pl-office",)),))
    n.add(PrefixList, "pl-office", entries=("198.51.100.0/24",))
    net = n.network()
    assert reach(net, "198.51.100.20/32", "web", "tcp", 443).reachable
    assert not reach(net, "203.0.113.20/32", "web", "tcp", 443).reachable


def test_prefix_list_not_in_the_inputs_makes_it_possibly_reachable():
    n = Net().set("sg-web", rules=(ingress(443, prefix_lists=("pl-0123",)),))
    answer = reach(n.network(), "internet", "web", "tcp", 443)
    assert not answer.reachable and answer.possibly
    assert "pl-0123" in " ".join(answer.paths[0].unknowns)


def test_a_route_to_a_prefix_list_routes_its_entries():
    """The public table sends only the office's addresses (a prefix list) to the internet
    gateway: the office reaches web; anywhere else has no route back."""
    n = Net().set("rtb-public", routes=(route("pl-office", "internet_gateway", "igw"),))
    n.add(PrefixList, "pl-office", entries=("198.51.100.0/24",))
    net = n.network()
    assert reach(net, "198.51.100.20/32", "web", "tcp", 443).reachable
    answer = reach(net, "203.0.113.20/32", "web", "tcp", 443)
    assert not answer.reachable and not answer.possibly


def test_a_cidr_route_wins_over_a_prefix_list_entry_of_the_same_length():
    n = Net().set("rtb-public", routes=(route("pl-office", "internet_gateway", "igw"),
                                        route("198.51.100.0/24", "nat_gateway", "nat")))
    n.add(PrefixList, "pl-office", entries=("198.51.100.0/24",))
    answer = reach(n.network(), "198.51.100.20/32", "web", "tcp", 443)
    assert not answer.reachable and "NAT gateway" in blocked_reasons(answer)


def test_a_route_to_a_prefix_list_whose_entries_are_unknown_makes_it_possibly_reachable():
    n = Net().set("rtb-public", routes=(route("pl-office", "internet_gateway", "igw"),))
    n.add(PrefixList, "pl-office", entries=Unknown("GetManagedPrefixListEntries failed: access denied"))
    answer = reach(n.network(), "203.0.113.20/32", "web", "tcp", 443)
    assert not answer.reachable and answer.possibly
    assert "GetManagedPrefixListEntries failed: access denied" in " ".join(answer.paths[0].unknowns)


def _app_tier(n: Net) -> Net:
    n.add(SecurityGroup, "sg-app", vpc="vpc", rules=(ingress(8080, groups=("sg-web",)), egress_all()))
    n.add(Instance, "app", subnet="private", security_groups=("sg-app",), associate_public_ip_address=False)
    return n


def test_group_reference_admits_members_of_the_referenced_group():
    net = _app_tier(Net()).network()
    answer = reach(net, "web", "app", "tcp", 8080)
    assert answer.reachable and "sg-app ingress tcp/8080 from sg-web" in answer.paths[0].path()


def test_group_reference_does_not_admit_others():
    n = _app_tier(Net()).add(SecurityGroup, "sg-other", vpc="vpc", rules=(egress_all(),))
    n.add(Instance, "other", subnet="public", security_groups=("sg-other",), associate_public_ip_address=False)
    answer = reach(n.network(), "other", "app", "tcp", 8080)
    assert not answer.reachable and "no rule of sg-app admits tcp/8080" in blocked_reasons(answer)


def test_source_group_egress_limits_what_it_can_send():
    n = _app_tier(Net()).set("sg-web", rules=(ingress(443, "0.0.0.0/0"),))  # no egress rule
    answer = reach(n.network(), "web", "app", "tcp", 8080)
    assert not answer.reachable and "no egress rule" in blocked_reasons(answer)


def test_traffic_inside_one_subnet_skips_the_network_acl():
    n = _app_tier(Net()).add(NetworkAcl, "nacl-private", vpc="vpc", subnets=("private",), rules=())
    n.set("private", network_acl="nacl-private")
    n.add(Instance, "worker", subnet="private", security_groups=("sg-web",), associate_public_ip_address=False)
    net = n.network()
    assert reach(net, "worker", "app", "tcp", 8080).reachable  # same subnet: the ACL is not crossed
    answer = reach(net, "web", "app", "tcp", 8080)  # from the public subnet: the empty ACL denies
    assert not answer.reachable and "nacl-private" in blocked_reasons(answer)


# -- transit gateway and peering ----------------------------------------------------------------------------


def test_address_behind_a_transit_gateway_reaches_when_the_route_back_goes_there():
    n = Net().set("sg-web", rules=(ingress(443, "192.168.0.0/16"),))
    assert not reach(n.network(), "192.168.4.4/32", "web", "tcp", 443).reachable
    n.set("rtb-public", routes=(route("0.0.0.0/0", "internet_gateway", "igw"),
                                route("192.168.0.0/16", "transit_gateway", "tgw-1")))
    answer = reach(n.network(), "192.168.4.4/32", "web", "tcp", 443)
    assert answer.reachable and "transit gateway tgw-1" in answer.paths[0].path()


def test_peered_vpcs_need_routes_on_both_sides():
    n = _app_tier(Net()).set("sg-app", rules=(ingress(8080, "172.16.0.0/16"),))
    n.add(Vpc, "vpc-b", cidr_blocks=("172.16.0.0/16",))
    n.add(VpcPeeringConnection, "pcx", vpc="vpc", peer_vpc="vpc-b")
    n.add(RouteTable, "rtb-b", vpc="vpc-b", routes=(route("10.0.0.0/16", "vpc_peering_connection", "pcx"),))
    n.add(Subnet, "subnet-b", vpc="vpc-b", cidr_block="172.16.1.0/24", route_table="rtb-b")
    n.add(SecurityGroup, "sg-b", vpc="vpc-b", rules=(egress_all(),))
    n.add(Instance, "client", subnet="subnet-b", security_groups=("sg-b",), associate_public_ip_address=False)
    answer = reach(n.network(), "client", "app", "tcp", 8080)
    # app's side sends the reply to the NAT gateway, not back over the peering
    assert not answer.reachable
    assert "rtb-private sends 172.16.1.0/24 (route 0.0.0.0/0) to NAT gateway nat" in blocked_reasons(answer)
    n.set("rtb-private", routes=(route("0.0.0.0/0", "nat_gateway", "nat"),
                                 route("172.16.0.0/16", "vpc_peering_connection", "pcx")))
    answer = reach(n.network(), "client", "app", "tcp", 8080)
    assert answer.reachable and "peering connection pcx" in answer.paths[0].path()


# -- load balancers --------------------------------------------------------------------------------------------


def _balanced(scheme: str = "internet-facing", app_admits: tuple = ("sg-alb",)) -> Net:
    n = Net().drop("web")
    n.add(SecurityGroup, "sg-alb", vpc="vpc", rules=(ingress(443, "0.0.0.0/0"),
                                                     SgRule_egress(8080, "10.0.0.0/16")))
    n.add(LoadBalancer, "alb", scheme=scheme, subnets=("public",), security_groups=("sg-alb",))
    n.add(Listener, "alb:443", load_balancer="alb", port=443, protocol="HTTPS",
          default_actions=(ListenerAction(action_type="forward", target_groups=("tg",)),))
    n.add(TargetGroup, "tg", vpc="vpc", port=8080, protocol="HTTP", targets=("app",))
    n.add(SecurityGroup, "sg-app", vpc="vpc", rules=(ingress(8080, groups=app_admits), egress_all()))
    n.add(Instance, "app", subnet="private", security_groups=("sg-app",), associate_public_ip_address=False)
    return n


def SgRule_egress(port: int, cidr: str):
    from stackproof.model import SgRule

    return SgRule(egress=True, protocol="tcp", from_port=port, to_port=port, cidr_blocks=(cidr,))


def test_internet_facing_load_balancer_forwards_its_listener_to_targets_that_admit_it():
    net = _balanced().network()
    lb = {e.traffic.text() for e in net.exposures("alb")}
    assert lb == {"tcp/443"}  # only the listener port, though the group would admit more
    target = net.exposures("app")
    assert target and target[0].via == "alb" and target[0].traffic.text() == "tcp/8080"
    assert "listener alb:443 -> target group tg" in target[0].path()


def test_target_whose_group_does_not_admit_the_balancer_is_not_reached():
    n = _balanced(app_admits=("sg-web",))
    assert n.network().exposures("app") == []


def test_internal_load_balancer_is_not_reachable_from_the_internet():
    net = _balanced(scheme="internal").network()
    assert net.exposures("alb") == [] and net.exposures("app") == []


# -- unknown values --------------------------------------------------------------------------------------------


def test_unknown_security_group_rules_make_it_possibly_reachable():
    n = Net().set("sg-web", rules=Unknown("known after apply"))
    answer = reach(n.network(), "internet", "web", "tcp", 22)
    assert answer.possibly and not answer.reachable
    assert any("known after apply" in u for u in answer.paths[0].unknowns)


def test_unknown_public_address_makes_it_possibly_reachable():
    n = Net().set("web", associate_public_ip_address=Unknown("depends on a variable"))
    answer = reach(n.network(), "internet", "web", "tcp", 443)
    assert answer.possibly and not answer.reachable


def test_unknown_value_that_cannot_open_a_path_changes_nothing():
    n = Net().set("web", associate_public_ip_address=Unknown("depends on a variable"))
    n.set("sg-web", rules=(ingress(443, "10.0.0.0/8"),))  # nothing public is admitted anyway
    answer = reach(n.network(), "internet", "web", "tcp", 443)
    assert not answer.possibly


# -- the client's ephemeral ports: all of them let back, or only possibly ---------------------------------------


def test_nacl_letting_back_only_part_of_the_ephemeral_range_is_possibly_reachable():
    n = _with_nacl(nacl_rule(100, "allow"), nacl_rule(100, "allow", protocol="tcp", ports=(32768, 65535), egress=True))
    answer = reach(n.network(), "internet", "web", "tcp", 443)
    assert answer.possibly and not answer.reachable
    assert "only on tcp/32768-65535 of the client's ephemeral ports 1024-65535" in answer.paths[0].unknowns[0]


def test_nacl_letting_back_the_range_in_two_rules_is_reachable():
    n = _with_nacl(nacl_rule(100, "allow"), nacl_rule(100, "allow", protocol="tcp", ports=(1024, 30000), egress=True),
                   nacl_rule(110, "allow", protocol="tcp", ports=(30001, 65535), egress=True))
    assert reach(n.network(), "internet", "web", "tcp", 443).reachable


# -- a private address that is not known ----------------------------------------------------------------------


def test_unknown_private_ip_admitted_for_part_of_its_subnet_is_possibly_reachable():
    n = _app_tier(Net()).set("sg-app", rules=(ingress(8080, "10.0.1.128/25"),))
    answer = reach(n.network(), "web", "app", "tcp", 8080)
    assert answer.possibly and not answer.reachable
    assert "web may have any address of public" in answer.paths[0].unknowns[0]


def test_known_private_ip_decides_for_certain():
    n = _app_tier(Net()).set("sg-app", rules=(ingress(8080, "10.0.1.128/25"),))
    assert reach(n.set("web", private_ip="10.0.1.200").network(), "web", "app", "tcp", 8080).reachable
    answer = reach(n.set("web", private_ip="10.0.1.5").network(), "web", "app", "tcp", 8080)
    assert not answer.reachable and not answer.possibly


# -- reach() and the exposure map agree: no public address, no internet ------------------------------------------


def test_no_public_address_is_not_reachable_whatever_the_unknown_routes():
    for unknown in ({"subnet": Unknown("known after apply")}, {}):
        n = Net().set("web", associate_public_ip_address=False, **unknown)
        if not unknown:
            n.set("public", route_table=Unknown("known after apply"))
        net = n.network()
        answer = reach(net, "internet", "web", "tcp", 443)
        assert not answer.possibly and net.exposures("web") == []
        assert "it has no public IPv4 address" in blocked_reasons(answer)


def test_unknown_route_table_with_a_public_address_is_possibly_reachable_in_both():
    net = Net().set("public", route_table=Unknown("known after apply")).network()
    assert reach(net, "internet", "web", "tcp", 443).possibly
    assert [e.certain for e in net.exposures("web")] == [False]


# -- dual-stack load balancers ------------------------------------------------------------------------------------


def test_dualstack_internet_facing_balancer_is_reachable_over_ipv6():
    n = _balanced().set("sg-alb", rules=(ingress(443, "0.0.0.0/0", v6=("::/0",)), SgRule_egress(8080, "10.0.0.0/16")))
    assert not reach(n.network(), "2a00:1450::1/128", "alb", "tcp", 443).possibly
    n.set("alb", ip_address_type="dualstack")
    assert reach(n.network(), "2a00:1450::1/128", "alb", "tcp", 443).reachable


# -- witness paths name what they pass ----------------------------------------------------------------------------


def test_witness_names_the_balancer_the_acl_subnet_and_the_range_a_route_sends():
    path = _balanced().network().exposures("app")[0].path()
    assert "internet-facing load balancer alb" in path and "default network ACL of subnet private" in path
    n = Net().set("web", subnet="private")
    assert "rtb-private sends internet (IPv4) (route 0.0.0.0/0) to NAT gateway nat" in blocked_reasons(
        reach(n.network(), "internet", "web", "tcp", 443))
