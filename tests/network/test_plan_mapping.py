"""What the network engine needs from the plan loader: blackhole routes, prefix lists."""
from __future__ import annotations

from fixtures.planbuilder import PlanBuilder, ref
from stackproof.loaders import load_inputs
from stackproof.model import PrefixList, RouteTable
from stackproof.network import network_of


def _load(tmp_path, builder):
    path = tmp_path / "plan.json"
    path.write_text(builder.dumps())
    return load_inputs([str(path)])


def test_a_route_in_state_blackhole_is_a_blackhole(tmp_path):
    b = PlanBuilder()
    b.add("aws_route_table.t", {"id": "rtb-01", "vpc_id": "vpc-01", "route": []}, action="no-op")
    for name, state in (("gone", "blackhole"), ("live", "active")):
        b.add(f"aws_route.{name}", {"id": f"r-{name}", "route_table_id": "rtb-01", "gateway_id": "igw-01",
                                    "destination_cidr_block": "0.0.0.0/0" if name == "gone" else "10.9.0.0/16",
                                    "state": state}, action="no-op")
    table = _load(tmp_path, b).of_kind(RouteTable)[0]
    assert {r.destination: r.blackhole for r in table.routes} == {"0.0.0.0/0": True, "10.9.0.0/16": False}


def test_managed_prefix_list_entries_are_mapped_and_match_group_rules(tmp_path):
    b = PlanBuilder()
    b.add("aws_ec2_managed_prefix_list.office", {"id": "pl-0office", "name": "office", "address_family": "IPv4",
                                                 "max_entries": 5,
                                                 "entry": [{"cidr": "198.51.100.0/24", "description": "hq"}]},
          action="no-op")
    b.add("aws_ec2_managed_prefix_list_entry.vpn", {"prefix_list_id": ref("aws_ec2_managed_prefix_list.office"),
                                                    "cidr": "203.0.113.0/28"})
    inventory = _load(tmp_path, b)
    plist = inventory.of_kind(PrefixList)[0]
    assert plist.prefix_list_id == "pl-0office" and plist.entries == ("198.51.100.0/24", "203.0.113.0/28")
    assert network_of(inventory).indexes.prefix_lists["pl-0office"] == plist.entries
