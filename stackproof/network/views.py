"""One mode's compiled view of the inventory: subnets with their route table and ACL,
security groups, all compiled once and shared by every question asked in that mode."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .. import queries
from ..model import (
    InternetGateway,
    Inventory,
    NetworkAcl,
    PrefixList,
    SecurityGroup,
    Subnet,
    TransitGateway,
    TransitGatewayAttachment,
    Unknown,
    Vpc,
    VpcPeeringConnection,
)
from .compiled import (
    ALL_ADDRESSES,
    ANY_GROUP,
    CNacl,
    CSg,
    CSgRule,
    CTable,
    compile_nacl,
    compile_sg,
    compile_table,
    default_nacl,
)
from .intervals import EMPTY, IntervalSet, cidr_interval, is_cidr
from .paths import Hop
from .traffic import Traffic


@dataclass
class SubnetView:
    key: str | None  # None: a subnet that is unknown, resolved permissively ("could be anywhere")
    label: str
    vpc: Any
    v4: IntervalSet
    v6: IntervalSet
    table: CTable
    nacl: CNacl
    doubt: str | None = None  # why this subnet only possibly looks like this


@dataclass
class Indexes:
    """Mode-independent lookups, built once per inventory."""

    nacl_by_subnet: dict[str, str] = field(default_factory=dict)
    default_nacl_by_vpc: dict[str, str] = field(default_factory=dict)
    prefix_lists: dict[str, Any] = field(default_factory=dict)
    gateways: dict[str, str] = field(default_factory=dict)  # raw id or key -> key (for labels)
    # transit gateway key -> its VPC attachments
    attachments: dict[Any, list[TransitGatewayAttachment]] = field(default_factory=dict)

    @classmethod
    def build(cls, inventory: Inventory) -> "Indexes":
        found = cls()
        for nacl in inventory.of_kind(NetworkAcl):
            if isinstance(nacl.subnets, tuple):
                for subnet in nacl.subnets:
                    if isinstance(subnet, str):
                        found.nacl_by_subnet.setdefault(subnet, nacl.key)
            if nacl.is_default is True and isinstance(nacl.vpc, str):
                found.default_nacl_by_vpc.setdefault(nacl.vpc, nacl.key)
        for vpc in inventory.of_kind(Vpc):
            if isinstance(vpc.default_network_acl, str):
                found.default_nacl_by_vpc[vpc.key] = vpc.default_network_acl
        for attachment in inventory.of_kind(TransitGatewayAttachment):
            found.attachments.setdefault(attachment.transit_gateway, []).append(attachment)
        for plist in inventory.of_kind(PrefixList):
            found.prefix_lists[plist.key] = plist.entries
            if isinstance(plist.prefix_list_id, str):
                found.prefix_lists[plist.prefix_list_id] = plist.entries
        return found


def name_of(inventory: Inventory, key: Any) -> str:
    """The short name a path shows: the resource's name, else its address or id."""
    if isinstance(key, Unknown):
        return "(unknown)"
    resource = inventory.get(key) if isinstance(key, str) else None
    if resource is not None and isinstance(resource.name, str) and resource.name:
        return resource.name
    return inventory.address(key)


class ModeView:
    def __init__(self, inventory: Inventory, indexes: Indexes, permissive: bool) -> None:
        self.inventory = inventory
        self.indexes = indexes
        self.permissive = permissive
        self._subnets: dict[str, SubnetView | str] = {}
        self._sgs: dict[str, CSg] = {}
        self._tables: dict[Any, CTable] = {}
        self._nacls: dict[Any, CNacl] = {}

    def name(self, key: Any) -> str:
        return name_of(self.inventory, key)

    # -- subnets ---------------------------------------------------------------------

    def subnet(self, key: Any) -> SubnetView | str:
        """The subnet's view, or why it cannot be known (a reason string)."""
        if isinstance(key, Unknown):
            why = f"its subnet is unknown: {key.reason}"
            return self._anywhere(why) if self.permissive else why
        if not isinstance(key, str):
            why = "its subnet is not stated"
            return self._anywhere(why) if self.permissive else why
        if key not in self._subnets:
            self._subnets[key] = self._build_subnet(key)
        return self._subnets[key]

    def _anywhere(self, why: str) -> SubnetView:
        table = CTable(None, "(unknown route table)", [], [], [why], everything_unknown=why)
        nacl = default_nacl("(unknown network ACL)")
        nacl.unknowns.append(why)
        return SubnetView(None, "(unknown subnet)", None, ALL_ADDRESSES & IntervalSet.span(0, (1 << 32) - 1),
                          ALL_ADDRESSES - IntervalSet.span(0, (1 << 32) - 1), table, nacl, why)

    def _build_subnet(self, key: str) -> SubnetView | str:
        subnet = self.inventory.get(key)
        if not isinstance(subnet, Subnet):
            why = f"subnet {key} is not in the inputs"
            return self._anywhere(why) if self.permissive else why
        doubts = []
        v4, v6 = EMPTY, EMPTY
        for value, family in ((subnet.cidr_block, 4), (subnet.ipv6_cidr_block, 6)):
            if isinstance(value, Unknown):
                doubts.append(f"the {'IPv6 ' if family == 6 else ''}CIDR of {self.name(key)} is unknown: {value.reason}")
                if self.permissive:
                    whole = ALL_ADDRESSES & IntervalSet.span(0, (1 << 32) - 1)
                    part = whole if family == 4 else ALL_ADDRESSES - whole
                    v4, v6 = (part, v6) if family == 4 else (v4, part)
            elif is_cidr(value):
                if family == 4:
                    v4 = cidr_interval(value)
                else:
                    v6 = cidr_interval(value)
        return SubnetView(key, self.name(key), subnet.vpc, v4, v6, self.table_of(subnet), self.nacl_of(subnet),
                          "; ".join(doubts) or None)

    def vpc_blocks(self, vpc_key: Any) -> list[str]:
        vpc = self.inventory.get(vpc_key) if isinstance(vpc_key, str) else None
        if not isinstance(vpc, Vpc):
            return []
        blocks = []
        for field_name in ("cidr_blocks", "ipv6_cidr_blocks"):
            values = getattr(vpc, field_name)
            if isinstance(values, tuple):
                blocks.extend(v for v in values if isinstance(v, str))
        return blocks

    def table_of(self, subnet: Subnet) -> CTable:
        found = queries.subnet_routes(self.inventory, subnet)
        if isinstance(found, Unknown):
            why = f"the route table of {self.name(subnet.key)} is unknown: {found.reason}"
            cache_key: Any = ("unknown", why)
        else:
            cache_key = found.table or ("main", subnet.vpc)
        if cache_key in self._tables:
            return self._tables[cache_key]
        if isinstance(found, Unknown):
            table = CTable(None, "(unknown route table)", [], [], [why], everything_unknown=why)
        elif found.table is None:
            only_local = " (local routes only)" if found.routes == () else ""
            table = compile_table(None, f"main route table of {self.name(subnet.vpc)}{only_local}", found.routes,
                                  self.vpc_blocks(subnet.vpc), self.indexes.prefix_lists)
        else:
            table = compile_table(found.table, self.name(found.table), found.routes, self.vpc_blocks(subnet.vpc),
                                  self.indexes.prefix_lists)
        self._tables[cache_key] = table
        return table

    def nacl_of(self, subnet: Subnet) -> CNacl:
        key: Any = subnet.network_acl
        if key is None:
            key = self.indexes.nacl_by_subnet.get(subnet.key)
        if key is None and isinstance(subnet.vpc, str):
            key = self.indexes.default_nacl_by_vpc.get(subnet.vpc)
        if isinstance(subnet.vpc, Unknown) and key is None:
            key = Unknown(f"the subnet's VPC is unknown ({subnet.vpc.reason}), so its default network ACL is too")
        cache_key = key if not isinstance(key, Unknown) else ("unknown", key.reason)
        if cache_key in self._nacls:
            return self._nacls[cache_key]
        if key is None:
            nacl = default_nacl()
        elif isinstance(key, Unknown):
            nacl = compile_nacl("(unknown)", "(unknown network ACL)", key, self.permissive)
        else:
            found = self.inventory.get(key)
            if isinstance(found, NetworkAcl):
                nacl = compile_nacl(key, self.name(key), found.rules, self.permissive)
            else:
                nacl = compile_nacl(key, str(key), Unknown(f"network ACL {key} is not in the inputs"), self.permissive)
        self._nacls[cache_key] = nacl
        return nacl

    # -- security groups -----------------------------------------------------------------

    def sg(self, key: str) -> CSg:
        if key not in self._sgs:
            group = self.inventory.get(key)
            if isinstance(group, SecurityGroup):
                self._sgs[key] = compile_sg(key, self.name(key), group.rules, self.permissive,
                                            self.indexes.prefix_lists, self.name)
            else:
                self._sgs[key] = compile_sg(key, str(key), Unknown(f"security group {key} is not in the inputs"),
                                            self.permissive, self.indexes.prefix_lists)
        return self._sgs[key]

    def sg_rules(self, groups: Any, egress: bool) -> tuple[list[CSgRule] | None, str | None]:
        """The rules of a set of groups in one direction. None: no group filters at all."""
        if groups is None:
            return None, None
        if isinstance(groups, Unknown):
            why = f"its security groups are unknown: {groups.reason}"
            if self.permissive:
                return [CSgRule(ALL_ADDRESSES, frozenset({ANY_GROUP}), Traffic.all(),
                                Hop("(unknown security groups)", None, why))], why
            return [], why
        rules: list[CSgRule] = []
        doubt = None
        for key in groups:
            if isinstance(key, Unknown):
                doubt = f"one of its security groups is unknown: {key.reason}"
                if self.permissive:
                    rules.append(CSgRule(ALL_ADDRESSES, frozenset({ANY_GROUP}), Traffic.all(),
                                         Hop("(unknown security group)", None, doubt)))
                continue
            group = self.sg(key)
            rules.extend(group.egress if egress else group.ingress)
        return rules, doubt

    def groups_of(self, groups: Any) -> frozenset[str] | None:
        """The group keys a source carries, for matching references (ANY_GROUP when unknown)."""
        if groups is None:
            return frozenset()
        if isinstance(groups, Unknown):
            return frozenset({ANY_GROUP}) if self.permissive else frozenset()
        found = {g for g in groups if isinstance(g, str)}
        if any(isinstance(g, Unknown) for g in groups) and self.permissive:
            found.add(ANY_GROUP)
        return frozenset(found)

    # -- connections between VPCs ----------------------------------------------------------

    def connects(self, kind: str, target: Any, this: Any, other: Any) -> tuple[str | None, str | None]:
        """Does a peering connection or transit gateway join VPC `this` to VPC `other`?
        (why only possibly, why not)."""
        name = self.name(target)
        if kind == "vpc_peering_connection":
            pcx = self.inventory.get(target) if isinstance(target, str) else None
            if not isinstance(pcx, VpcPeeringConnection):
                return f"peering connection {name} is not in the inputs: which VPCs it joins is unknown", None
            joined = (pcx.vpc, pcx.peer_vpc)
            if any(isinstance(v, Unknown) for v in joined):
                return f"which VPCs peering connection {name} joins is unknown", None
            if {this, other} == set(joined):
                return None, None
            return None, (f"which joins {self.name(joined[0])} and {self.name(joined[1])}, not {self.name(this)} and "
                          f"{self.name(other)}")
        if kind == "transit_gateway":
            attached = self.indexes.attachments.get(target, [])
            if not attached:
                return f"the attachments of transit gateway {name} are not in the inputs", None
            vpcs = [a.vpc for a in attached]
            missing = [v for v in (this, other) if v not in vpcs]
            if not missing:
                return None, None
            if any(isinstance(v, Unknown) for v in vpcs):
                return f"the VPC of an attachment of transit gateway {name} is unknown", None
            return None, f"which has no attachment to VPC {self.name(missing[0])}"
        return f"traffic goes through {kind.replace('_', ' ')} {name}, which stackproof does not follow", None

    def references_across(self, kind: str, target: Any, this: Any, other: Any) -> tuple[bool, str | None]:
        """Do security group references match across this connection? (they do, why only possibly)"""
        if kind == "vpc_peering_connection":  # they do within one region
            regions = {getattr(self.inventory.get(v), "region", None) for v in (this, other) if isinstance(v, str)}
            return not (len(regions) > 1 and all(isinstance(r, str) for r in regions)), None
        gateway = self.inventory.get(target) if isinstance(target, str) else None
        name = self.name(target)
        if not isinstance(gateway, TransitGateway):
            return False, (f"transit gateway {name} is not in the inputs: whether it carries security group "
                           "references is unknown")
        switches = [gateway.security_group_referencing] + [
            a.security_group_referencing for a in self.indexes.attachments.get(target, []) if a.vpc in (this, other)]
        unknown = next((v for v in switches if isinstance(v, Unknown)), None)
        if unknown is not None:
            return False, f"whether transit gateway {name} carries security group references is unknown: {unknown.reason}"
        return all(v is True for v in switches), None

    def is_gateway(self, key: Any, cls: type) -> bool:
        return isinstance(self.inventory.get(key), cls) if isinstance(key, str) else False


__all__ = ["ModeView", "SubnetView", "Indexes", "name_of", "InternetGateway"]
