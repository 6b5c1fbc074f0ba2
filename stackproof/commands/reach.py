"""stackproof reach INPUT --from SOURCE --to ADDRESS: the witness path, or the hop that blocks.

Exit codes: 0 reachable, 1 not reachable (or only possibly, when values are unknown),
2 bad input or invocation.
"""
from __future__ import annotations

import argparse
import json

PROTOCOLS = ("tcp", "udp", "icmp", "icmpv6", "all")


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("reach", help="can SOURCE reach a resource? prints the witness path or the blocking hop")
    parser.add_argument("paths", nargs="+", metavar="INPUT", help="Terraform plan or state, CloudFormation template")
    parser.add_argument("--from", dest="source", required=True, metavar="SOURCE",
                        help="internet, a CIDR (203.0.113.0/24), a resource address or name, or a tier (tier:web, "
                             "tier:Layer=web)")
    parser.add_argument("--to", dest="destination", required=True, metavar="ADDRESS",
                        help="the resource address (or name) or tier to reach; or internet or a CIDR, from a resource")
    parser.add_argument("--port", type=int, metavar="N", help="destination port (default: every port)")
    parser.add_argument("--proto", choices=PROTOCOLS, help="protocol (default: tcp with --port, else all traffic)")
    parser.add_argument("--parameters", metavar="FILE", help="CloudFormation parameter values")
    parser.add_argument("--region", help="the region CloudFormation templates are deployed to")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..errors import InputError
    from ..loaders import LoadOptions, load_inputs
    from ..network import INTERNET, network_of
    from ..network.graph import is_tier
    from ..network.intervals import is_cidr

    if args.port is not None and not 0 <= args.port <= 65535:
        raise InputError(None, f"--port {args.port} is not a port (0-65535)")
    protocol = args.proto or ("tcp" if args.port is not None else None)
    if protocol == "all":
        protocol = "-1"
    if args.port is not None and protocol not in ("tcp", "udp"):
        raise InputError(None, f"--port applies to tcp and udp, not {args.proto}")
    for option, text in (("--from", args.source), ("--to", args.destination)):
        _check_address(option, text.strip())
    inventory = load_inputs(args.paths, LoadOptions(parameters=args.parameters, region=args.region))
    net = network_of(inventory)
    where = ", ".join(args.paths)

    def resource(option: str, text: str, role: str) -> str:
        """A tier with members, or the one resource the text names, that sends or receives traffic."""
        if is_tier(text):
            if not net.tier_members(text):
                raise InputError(where, f"{option} {text}: no resource that sends or receives traffic carries that tag")
            return text
        found = net.candidates(text)
        if not found:
            raise InputError(where, f"{option} {text}: no resource with that address or name"
                             + (" (and not 'internet' or a CIDR)" if option == "--from" else ""))
        if len(found) > 1:
            names = ", ".join(inventory.get(k).prov.address for k in found[:5]) + (", ..." if len(found) > 5 else "")
            raise InputError(where, f"{option} {text}: ambiguous, {len(found)} resources have that name ({names}); "
                                    "give the address")
        if not net.is_endpoint(found[0]):
            raise InputError(where, f"{option} {text}: a {inventory.get(found[0]).kind} does not {role} traffic "
                                    "(name an instance, group, load balancer or data store)")
        return found[0]

    source, destination = args.source.strip(), args.destination.strip()
    outward = destination.lower() == INTERNET or is_cidr(destination)
    if source.lower() == INTERNET or is_cidr(source):
        if outward:
            raise InputError(where, "--from must name a resource or a tier when --to is the internet or a CIDR")
        source = INTERNET if source.lower() == INTERNET else source
    else:
        source = resource("--from", source, "send")
    if outward:
        destination = INTERNET if destination.lower() == INTERNET else destination
        if destination != INTERNET:
            _check_outside(net, source, destination, where)
    else:
        destination = resource("--to", destination, "receive")
    answer = net.reachable(source, destination, protocol, args.port)
    if args.format == "json":
        print(json.dumps({"schema": "stackproof/reach@1", "inputs": [i.as_dict() for i in inventory.inputs],
                          **answer.as_dict()}, indent=2))
    else:
        print(answer.text())
    return 0 if answer.reachable else 1


def _check_address(option: str, text: str) -> None:
    """Text written as an address or CIDR must be a valid one (10.0.0.0/33 is not)."""
    import ipaddress
    import re

    from ..errors import InputError

    if re.fullmatch(r"[0-9a-fA-F:.]*[.:][0-9a-fA-F:.]*(/\d*)?", text) and any(c.isdigit() for c in text):
        try:
            ipaddress.ip_network(text, strict=False)
        except ValueError as exc:
            raise InputError(None, f"{option} {text}: not a valid CIDR ({exc})") from None


def _check_outside(net, source: str, cidr: str, where: str) -> None:
    """Inside its own VPC a resource reaches resources, not addresses: refuse a CIDR there."""
    from ..errors import InputError
    from ..network.graph import is_tier

    for member in net.tier_members(source) if is_tier(source) else [source]:
        vpc = net.vpc_holding(member, cidr)
        if vpc is not None:
            raise InputError(where, f"--to {cidr} overlaps VPC {net.label(vpc)} of {net.label(member)}: inside its "
                                    "VPC, name the resource to reach instead of its address")
