"""The four network policies, reached through the catalogue, on hand-built networks."""
from __future__ import annotations

import pytest

from stackproof.model import (
    DbInstance, DbSubnetGroup, Listener, ListenerAction, LoadBalancer, SecurityGroup, SgRule, TargetGroup, Unknown,
)
from stackproof.rules import Context

from .netbuild import Net, egress_all, ingress


def verdict(catalogue, policy_id, net: Net, key: str, **params):
    inventory = net.inventory()
    policy = catalogue.policy(policy_id)
    ctx = Context(inventory, {**policy.params_for(None), **params})
    return catalogue.check(policy_id)(inventory.get(key), ctx)


def _with_db(n: Net, public: bool, subnet: str = "private") -> Net:
    n.add(DbSubnetGroup, "dbsubnets", subnets=(subnet,))
    n.add(SecurityGroup, "sg-db", vpc="vpc", rules=(ingress(5432, "0.0.0.0/0"),))
    n.add(DbInstance, "db", db_subnet_group="dbsubnets", security_groups=("sg-db",), publicly_accessible=public)
    return n


# -- network_data_store_not_internet_reachable --------------------------------------------------------


def test_open_database_in_a_private_subnet_passes_with_the_blocking_hop(catalogue):
    v = verdict(catalogue, "network_data_store_not_internet_reachable", _with_db(Net(), public=True), "db")
    assert v.status == "PASS"
    assert any("rtb-private has no route to an internet gateway" in b for b in v.evidence["blocked"])


def test_public_database_in_a_public_subnet_fails_with_its_path(catalogue):
    v = verdict(catalogue, "network_data_store_not_internet_reachable", _with_db(Net(), True, "public"), "db")
    assert v.status == "FAIL" and "tcp/5432" in v.message
    assert "sg-db ingress tcp/5432 from 0.0.0.0/0" in v.evidence["paths"][0]["path"]


def test_database_whose_public_flag_is_unknown_is_unknown(catalogue):
    n = _with_db(Net(), True, "public").set("db", publicly_accessible=Unknown("known after apply"))
    v = verdict(catalogue, "network_data_store_not_internet_reachable", n, "db")
    assert v.status == "UNKNOWN" and "known after apply" in v.message


def test_trusted_cidrs_are_not_internet_exposure(catalogue):
    n = _with_db(Net(), True, "public").set("sg-db", rules=(ingress(5432, "198.51.100.0/24"),))
    assert verdict(catalogue, "network_data_store_not_internet_reachable", n, "db").status == "FAIL"
    v = verdict(catalogue, "network_data_store_not_internet_reachable", n, "db", trusted_cidrs=["198.51.100.0/24"])
    assert v.status == "PASS"


# -- network_admin_ports_not_internet_reachable ----------------------------------------------------------


def test_ssh_open_to_the_internet_fails(catalogue):
    n = Net().set("sg-web", rules=(ingress(22, "0.0.0.0/0"), egress_all()))
    v = verdict(catalogue, "network_admin_ports_not_internet_reachable", n, "web")
    assert v.status == "FAIL" and "tcp/22" in v.message


def test_port_range_covering_rdp_fails_and_https_only_passes(catalogue):
    n = Net().set("sg-web", rules=(ingress(3000, "0.0.0.0/0", to=4000),))
    assert verdict(catalogue, "network_admin_ports_not_internet_reachable", n, "web").status == "FAIL"
    assert verdict(catalogue, "network_admin_ports_not_internet_reachable", Net(), "web").status == "PASS"


def test_admin_ports_are_a_parameter(catalogue):
    n = Net().set("sg-web", rules=(ingress(5900, "0.0.0.0/0"),))
    assert verdict(catalogue, "network_admin_ports_not_internet_reachable", n, "web").status == "PASS"
    v = verdict(catalogue, "network_admin_ports_not_internet_reachable", n, "web", ports=["5900-5910"])
    assert v.status == "FAIL"


def test_unknown_group_rules_make_admin_ports_unknown(catalogue):
    n = Net().set("sg-web", rules=Unknown("known after apply"))
    assert verdict(catalogue, "network_admin_ports_not_internet_reachable", n, "web").status == "UNKNOWN"


# -- network_internet_exposure_allowlisted -----------------------------------------------------------------


def _balanced() -> Net:
    n = Net().drop("web")
    n.add(SecurityGroup, "sg-alb", vpc="vpc", rules=(ingress(443, "0.0.0.0/0"), SgRule(
        egress=True, protocol="tcp", from_port=8080, to_port=8080, cidr_blocks=("10.0.0.0/16",))))
    n.add(LoadBalancer, "alb", subnets=("public",), security_groups=("sg-alb",))
    n.add(Listener, "alb:443", load_balancer="alb", port=443, protocol="HTTPS",
          default_actions=(ListenerAction(action_type="forward", target_groups=("tg",)),))
    n.add(TargetGroup, "tg", vpc="vpc", port=8080, targets=("app",))
    n.add(SecurityGroup, "sg-app", vpc="vpc", rules=(ingress(8080, groups=("sg-alb",)),))
    from stackproof.model import Instance

    n.add(Instance, "app", subnet="private", security_groups=("sg-app",), associate_public_ip_address=False)
    return n


def test_load_balancer_is_an_allowed_kind_and_its_targets_pass_through_it(catalogue):
    n = _balanced()
    assert verdict(catalogue, "network_internet_exposure_allowlisted", n, "alb").status == "PASS"
    v = verdict(catalogue, "network_internet_exposure_allowlisted", n, "app")
    assert v.status == "PASS" and "only through load balancer alb" in v.message


def test_directly_exposed_instance_fails_unless_tagged_with_a_reason(catalogue):
    assert verdict(catalogue, "network_internet_exposure_allowlisted", Net(), "web").status == "FAIL"
    tagged = Net().set("web", tags={"stackproof:internet-facing": "bastion for on-call"})
    v = verdict(catalogue, "network_internet_exposure_allowlisted", tagged, "web")
    assert v.status == "PASS" and "bastion for on-call" in v.message
    empty = Net().set("web", tags={"stackproof:internet-facing": " "})
    assert verdict(catalogue, "network_internet_exposure_allowlisted", empty, "web").status == "FAIL"
    later = Net().set("web", tags={"stackproof:internet-facing": Unknown("known after apply")})
    v = verdict(catalogue, "network_internet_exposure_allowlisted", later, "web")
    assert v.status == "UNKNOWN" and "whether its stackproof:internet-facing tag allows it is unknown" in v.message


# -- network_tier_isolation --------------------------------------------------------------------------------------

ALLOWED = [{"from": "web", "to": "app", "ports": [8080]}]


def _tiers(n: Net) -> Net:
    n.set("alb", tags={"Tier": "web"}).set("app", tags={"Tier": "app"})
    return n


def test_allowed_flow_between_tiers_passes(catalogue):
    v = verdict(catalogue, "network_tier_isolation", _tiers(_balanced()), "app", allowed=ALLOWED)
    assert v.status == "PASS" and "tcp/8080" in v.message


def test_flow_on_a_port_not_allowed_fails_with_its_path(catalogue):
    n = _tiers(_balanced())
    n.set("sg-alb", rules=(ingress(443, "0.0.0.0/0"), SgRule(egress=True, protocol="-1", cidr_blocks=("0.0.0.0/0",))))
    n.set("sg-app", rules=(ingress(8080, groups=("sg-alb",)), ingress(22, "10.0.0.0/16")))
    v = verdict(catalogue, "network_tier_isolation", n, "app", allowed=ALLOWED)
    assert v.status == "FAIL" and "tcp/22" in v.message and "sg-app ingress tcp/22 from 10.0.0.0/16" in v.message


def test_resource_without_a_tier_is_not_applicable(catalogue):
    assert verdict(catalogue, "network_tier_isolation", _balanced(), "app").status == "NOT_APPLICABLE"


def test_resource_whose_tier_is_unknown_is_unknown(catalogue):
    n = _tiers(_balanced()).set("app", tags={"Tier": Unknown("known after apply")})
    v = verdict(catalogue, "network_tier_isolation", n, "app", allowed=ALLOWED)
    assert v.status == "UNKNOWN" and "Tier tag is unknown" in v.message


def test_flow_from_a_source_whose_tier_is_unknown_is_unknown(catalogue):
    n = _tiers(_balanced()).set("alb", tags={"Tier": Unknown("known after apply")})
    v = verdict(catalogue, "network_tier_isolation", n, "app", allowed=ALLOWED)
    assert v.status == "UNKNOWN" and "tcp/8080" in v.message and "its own Tier tag is unknown" in v.message
    known = verdict(catalogue, "network_tier_isolation", _tiers(_balanced()), "app", allowed=ALLOWED)
    assert known.status == "PASS"  # the same flow from a source known to be web is allowed


@pytest.mark.parametrize("policy,status", [
    ("network_data_store_not_internet_reachable", "FAIL"),   # public, in the public subnet, open on 5432
    ("network_admin_ports_not_internet_reachable", "PASS"),  # but only 5432 is open
    ("network_internet_exposure_allowlisted", "FAIL"),       # a database is not an allowed kind
])
def test_every_result_carries_its_path_or_the_blocking_hop(catalogue, policy, status):
    v = verdict(catalogue, policy, _with_db(Net(), True, "public"), "db")
    assert v.status == status
    assert v.evidence["paths"][0]["path"].startswith("internet") and "sg-db" in v.evidence["paths"][0]["path"]
    private = verdict(catalogue, policy, _with_db(Net(), True, "private"), "db")
    assert private.status == "PASS" and private.evidence["blocked"]


def _app_serving(n: Net, *ssh_peers: str) -> Net:
    """A web-tier instance and an app-tier one with a public IP whose group admits SSH from `ssh_peers`."""
    from stackproof.model import Instance

    n.set("web", tags={"Tier": "web"})
    n.add(SecurityGroup, "sg-app", vpc="vpc", rules=(*(ingress(22, peer) for peer in ssh_peers),
                                                     ingress(8080, "10.0.0.0/16")))
    n.add(Instance, "app", subnet="public", security_groups=("sg-app",), associate_public_ip_address=True,
          tags={"Tier": "app"})
    return n


def test_port_open_to_some_public_addresses_is_still_a_tier_boundary(catalogue):
    n = _app_serving(Net(), "10.0.0.0/16", "198.51.100.7/32")  # the VPC, and an office
    v = verdict(catalogue, "network_tier_isolation", n, "app", allowed=ALLOWED)
    assert v.status == "FAIL" and "tier web reaches tier app on tcp/22" in v.message


def test_port_open_to_the_whole_internet_is_left_to_the_exposure_policy(catalogue):
    n = _app_serving(Net(), "0.0.0.0/0")
    v = verdict(catalogue, "network_tier_isolation", n, "app", allowed=ALLOWED)
    assert v.status == "PASS"
    assert verdict(catalogue, "network_admin_ports_not_internet_reachable", n, "app").status == "FAIL"
