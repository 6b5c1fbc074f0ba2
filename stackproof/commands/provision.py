"""stackproof provision plan|apply|destroy|render: the compliant reference stack."""
from __future__ import annotations

import argparse
from typing import Any

ACTIONS = ("plan", "apply", "destroy", "render")


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "provision", help="build the compliant reference stack (plan, apply, destroy) or render it as CloudFormation",
        description="The reference stack: a three-tier architecture over two regions that passes the catalogue. "
                    "plan shows what apply would do (read-only calls only); apply creates or updates it and may be "
                    "run again at any time (it changes nothing when nothing differs, continues an interrupted "
                    "run, and removes what the spec no longer describes); destroy removes everything tagged with "
                    "the stack, keeping its data unless told otherwise; render writes it as CloudFormation "
                    "templates.")
    parser.add_argument("action", nargs="?", choices=ACTIONS)
    parser.add_argument("--print-iam-policy", action="store_true",
                        help="print the IAM policy plan (its Read statement), apply and destroy need, and exit")
    spec = parser.add_argument_group("the stack (defaults: the reference stack; a --spec file, then these options)")
    spec.add_argument("--spec", metavar="FILE", help="YAML spec file: the fields of StackSpec, nested (see README)")
    spec.add_argument("--name", help="stack name: tags every resource, prefixes names (default: reference)")
    spec.add_argument("--environment", help="Environment tag; decides which policy bounds apply (default: prod)")
    spec.add_argument("--region", help="primary region (default: eu-west-2)")
    spec.add_argument("--dr-region", help="disaster-recovery region (default: eu-west-1)")
    spec.add_argument("--azs", type=int, choices=(2, 3), help="Availability Zones (default: 3)")
    spec.add_argument("--cidr", help="VPC CIDR block: private (RFC 1918), /16 to /23 (default: 10.0.0.0/16)")
    spec.add_argument("--instance-type", help="app instances (default: t3.medium)")
    spec.add_argument("--db-instance-class", help="PostgreSQL instance class (default: db.m6g.large)")
    spec.add_argument("--db-storage", type=int, metavar="GB", help="PostgreSQL storage in GB (default: 100)")
    spec.add_argument("--db-dr", choices=("backup-replication", "read-replica"),
                      help="how the database reaches the DR region (default: backup-replication)")
    spec.add_argument("--cache-node-type", help="Redis node type (default: cache.m6g.large)")
    spec.add_argument("--certificate-arn", help="ACM certificate of the HTTPS listener (required by apply)")
    aws = parser.add_argument_group("AWS (plan, apply, destroy)")
    aws.add_argument("--aws-profile", metavar="NAME", help="AWS CLI profile to read credentials from")
    aws.add_argument("--endpoint-url", metavar="URL",
                     help="send every call to this endpoint instead of AWS (a local emulator such as moto)")
    aws.add_argument("--max-attempts", type=int, default=10, metavar="N",
                     help="attempts per call with adaptive retries (default: %(default)s)")
    parser.add_argument("--yes", action="store_true", help="destroy: confirm deleting the stack")
    parser.add_argument("--skip-final-snapshot", action="store_true",
                        help="destroy (and apply, for what the spec no longer has): delete the database and the "
                             "cache without keeping a final snapshot")
    parser.add_argument("--delete-buckets", action="store_true",
                        help="destroy (and apply, for what the spec no longer has): empty and delete the buckets "
                             "instead of keeping them")
    parser.add_argument("--format", default="cloudformation", choices=("cloudformation",),
                        help="render: output format (default: %(default)s)")
    parser.add_argument("--template-format", default="yaml", choices=("yaml", "json"),
                        help="render: YAML or JSON templates (default: %(default)s)")
    parser.add_argument("--output-dir", default="cloudformation", metavar="DIR",
                        help="render: folder for the templates (default: %(default)s)")
    parser.set_defaults(run=run)


def build_spec(args: argparse.Namespace) -> Any:
    """The StackSpec: defaults, then the --spec file, then the options given."""
    from dataclasses import replace

    from ..errors import InputError
    from ..provision.spec import StackSpec, spec_from_mapping
    from ..yamlload import load_yaml_file

    spec = StackSpec()
    if args.spec:
        spec = spec_from_mapping(load_yaml_file(args.spec), args.spec, spec)
    top = {k: v for k, v in (("name", args.name), ("environment", args.environment), ("region", args.region),
                             ("dr_region", args.dr_region), ("certificate_arn", args.certificate_arn)) if v is not None}
    spec = replace(spec, **top)
    nested = {
        "network": {"az_count": args.azs, "cidr": args.cidr},
        "app": {"instance_type": args.instance_type},
        "database": {"instance_class": args.db_instance_class, "storage_gb": args.db_storage, "dr": args.db_dr},
        "cache": {"node_type": args.cache_node_type},
    }
    for part, values in nested.items():
        given = {k: v for k, v in values.items() if v is not None}
        if given:
            spec = replace(spec, **{part: replace(getattr(spec, part), **given)})
    spec.validate()
    if spec.network.az_count < 2:  # a spec accepts one AZ so the catalogue can be seen failing it
        raise InputError(args.spec or "stack spec", f"network.az_count {spec.network.az_count}: the command line "
                                                    "builds the stack over 2 or 3 Availability Zones")
    return spec


def run(args: argparse.Namespace) -> int:
    from ..errors import InputError
    from ..provision.blueprint import build

    spec = build_spec(args)
    if args.print_iam_policy:
        import json

        from ..provision.iam_policy import policy

        print(json.dumps(policy(spec), indent=2))
        return 0
    if args.action is None:
        raise InputError(None, f"provision needs an action: {', '.join(ACTIONS)} (or --print-iam-policy)")
    blueprint = build(spec)
    if args.action == "render":
        return _render(blueprint, args)
    if args.action == "destroy" and not args.yes:
        raise InputError(None, f"destroy deletes every resource tagged with stack {spec.name} in {spec.region} and "
                               f"{spec.dr_region} (keeping buckets and final snapshots unless told otherwise); run it "
                               "again with --yes to confirm")
    if args.max_attempts < 1:
        raise InputError(None, "--max-attempts must be at least 1")
    applier = _applier(blueprint, args)
    summary = getattr(applier, args.action)()
    print(summary.text(), flush=True)
    return 0


def _applier(blueprint: Any, args: argparse.Namespace) -> Any:
    import boto3
    from botocore.exceptions import ProfileNotFound

    from ..errors import InputError
    from ..provision.applier import Applier
    from ..provision.aws import Aws
    from ..provision.handlers.base import Options

    try:
        session = boto3.Session(profile_name=args.aws_profile) if args.aws_profile else None
    except ProfileNotFound:
        raise InputError(None, f"AWS profile {args.aws_profile!r} is not in the AWS config files") from None
    aws = Aws(session, args.endpoint_url, home_region=blueprint.spec.region, max_attempts=args.max_attempts)
    return Applier(blueprint, aws, out=lambda line: print(line, flush=True),
                   options=Options(skip_final_snapshot=args.skip_final_snapshot, delete_buckets=args.delete_buckets))


def _render(blueprint: Any, args: argparse.Namespace) -> int:
    from ..provision.render import render
    from ..run import write_files

    templates = render(blueprint)
    suffix = ".json" if args.template_format == "json" else ".yaml"
    files = {t.filename.rsplit(".", 1)[0] + suffix: t.text(args.template_format) for t in templates}
    written = write_files(args.output_dir, files)
    root, parts = written[0], written[1:]
    print(f"wrote {root} (the stack in {blueprint.spec.region})")
    for template, path in zip(templates[1:], parts):
        print(f"wrote {path} (its part in {template.region}, deployed by the stack set {template.stack_set})")
    print(f"check it: stackproof scan {root} --region {blueprint.spec.region}")
    return 0
