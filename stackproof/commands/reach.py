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
                        help="internet, a CIDR (203.0.113.0/24), or a resource address or name")
    parser.add_argument("--to", dest="destination", required=True, metavar="ADDRESS",
                        help="the resource address (or name) to reach; or internet or a CIDR, from a resource")
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
    from ..network.intervals import is_cidr

    if args.port is not None and not 0 <= args.port <= 65535:
        raise InputError(None, f"--port {args.port} is not a port (0-65535)")
    protocol = args.proto or ("tcp" if args.port is not None else None)
    if protocol == "all":
        protocol = "-1"
    if args.port is not None and protocol not in ("tcp", "udp"):
        raise InputError(None, f"--port applies to tcp and udp, not {args.proto}")
    inventory = load_inputs(args.paths, LoadOptions(parameters=args.parameters, region=args.region))
    net = network_of(inventory)
    where = ", ".join(args.paths)
    outward = args.destination.strip().lower() == INTERNET or is_cidr(args.destination)
    destination = (INTERNET if args.destination.strip().lower() == INTERNET else args.destination.strip()) \
        if outward else net.find(args.destination)
    if destination is None:
        raise InputError(where, f"--to {args.destination}: no resource with that address or name")
    if outward and (args.source.strip().lower() == INTERNET or is_cidr(args.source)):
        raise InputError(where, "--from must name a resource when --to is the internet or a CIDR")
    if not outward and not net.is_endpoint(destination):
        raise InputError(where, f"--to {args.destination}: a {inventory.get(destination).kind} "
                                "does not receive traffic (name an instance, group, load balancer or data store)")
    source = args.source.strip()
    if source.lower() == INTERNET:
        source = INTERNET
    elif not is_cidr(source):
        found = net.find(source)
        if found is None:
            raise InputError(where, f"--from {args.source}: not 'internet', a CIDR, or a resource address or name")
        if not net.is_endpoint(found):
            raise InputError(where, f"--from {args.source}: a {inventory.get(found).kind} does not send traffic")
        source = found
    answer = net.reachable(source, destination, protocol, args.port)
    if args.format == "json":
        print(json.dumps(answer.as_dict(), indent=2))
    else:
        print(answer.text())
    return 0 if answer.reachable else 1
