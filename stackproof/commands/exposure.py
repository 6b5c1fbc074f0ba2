"""stackproof exposure INPUT: every resource the internet can reach, from where, on which
ports, and the path that proves it."""
from __future__ import annotations

import argparse
import json


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("exposure", help="the exposure map: what the internet reaches, on which ports, by which path")
    parser.add_argument("paths", nargs="+", metavar="INPUT", help="Terraform plan or state, CloudFormation template")
    parser.add_argument("--parameters", metavar="FILE", help="CloudFormation parameter values")
    parser.add_argument("--region", help="the region CloudFormation templates are deployed to")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..loaders import LoadOptions, load_inputs
    from ..network import network_of

    inventory = load_inputs(args.paths, LoadOptions(parameters=args.parameters, region=args.region))
    net = network_of(inventory)
    exposed = net.exposure_map()
    entries = []
    for key, exposures in exposed.items():
        resource = inventory.get(key)
        entries.append({
            "resource": resource.prov.address, "name": resource.name if isinstance(resource.name, str) else None,
            "kind": resource.kind, "file": resource.prov.file, "exposures": [e.as_dict() for e in exposures],
        })
    if args.format == "json":
        print(json.dumps({"schema": "stackproof/exposure@1", "inputs": [i.as_dict() for i in inventory.inputs],
                          "endpoints": len(net.endpoints), "exposed": entries}, indent=2))
        return 0
    if not entries:
        print(f"nothing is reachable from the internet ({len(net.endpoints)} resources that receive traffic checked)")
        return 0
    for key, entry in zip(exposed, entries):
        print(inventory.address(key) + (f" ({entry['name']})" if entry["name"] else "") + f"  [{entry['kind']}]")
        for exposure in entry["exposures"]:
            mark = "" if exposure["certain"] else f"  [possibly: {'; '.join(exposure.get('unknowns', []))}]"
            print(f"  {exposure['traffic']} from {exposure['from']}{mark}")
            print(f"    {exposure['path']}")
    print(f"{len(entries)} of {len(net.endpoints)} resources that receive traffic are reachable from the internet")
    return 0
