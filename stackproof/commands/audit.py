"""stackproof audit: the catalogue against live AWS accounts, read-only."""
from __future__ import annotations

import argparse

from .common import add_run_options


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "audit", help="audit live AWS accounts (read-only) with the same catalogue",
        description="Collect the resources of running AWS accounts with read-only calls, evaluate the "
                    "catalogue, and write the same reports as scan. Credentials come from the usual AWS "
                    "chain (environment, --aws-profile, instance role).")
    parser.add_argument("--regions", default="all", metavar="LIST",
                        help="comma-separated regions, or 'all' for every region enabled in the account "
                             "(default: %(default)s)")
    parser.add_argument("--role-arn", action="append", default=[], metavar="ARN",
                        help="assume this role and audit its account (repeatable)")
    parser.add_argument("--external-id", metavar="ID", help="external id for --role-arn")
    parser.add_argument("--organization-role", metavar="NAME",
                        help="list the organization's accounts and assume this role name in each "
                             "(the management account is read with the caller's own credentials)")
    parser.add_argument("--services", default="", metavar="LIST",
                        help="comma-separated collectors to run (default: all; see --print-iam-policy)")
    parser.add_argument("--aws-profile", metavar="NAME", help="AWS CLI profile to read credentials from")
    parser.add_argument("--endpoint-url", metavar="URL",
                        help="send every call to this endpoint instead of AWS (a local emulator such as moto)")
    parser.add_argument("--snapshot", metavar="FILE",
                        help="also save what was collected (redacted) to FILE; `stackproof scan FILE` re-evaluates it")
    parser.add_argument("--print-iam-policy", action="store_true",
                        help="print the minimal read-only IAM policy the audit needs, and exit")
    parser.add_argument("--max-workers", type=int, default=16, metavar="N",
                        help="services collected at once (default: %(default)s)")
    parser.add_argument("--per-service", type=int, default=4, metavar="N",
                        help="calls in flight at once per service and region (default: %(default)s)")
    parser.add_argument("--max-attempts", type=int, default=8, metavar="N",
                        help="attempts per call with adaptive retries (default: %(default)s)")
    add_run_options(parser)
    parser.set_defaults(run=run, profile="audit")


def _list(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def run(args: argparse.Namespace) -> int:
    import json
    import sys

    from ..errors import InputError
    from ..loaders.live.options import LiveOptions, check
    from ..loaders.live.runner import selected_services

    for name in ("max_workers", "per_service", "max_attempts"):
        if getattr(args, name) < 1:
            raise InputError(None, f"--{name.replace('_', '-')} must be at least 1")
    live = LiveOptions(regions=args.regions.split(","), role_arns=args.role_arn, external_id=args.external_id,
                       organization_role=args.organization_role, services=_list(args.services),
                       aws_profile=args.aws_profile, endpoint_url=args.endpoint_url, max_workers=args.max_workers,
                       per_service=args.per_service, max_attempts=args.max_attempts)
    check(live)
    if args.print_iam_policy:
        from ..loaders.live.iam_policy import policy

        print(json.dumps(policy(selected_services(live), args.role_arn, args.organization_role), indent=2))
        return 0

    from ..catalogue import load_catalogue
    from ..loaders.live import collect, inventory_of
    from ..run import run as run_catalogue
    from .common import emit, exit_code, parse_formats, run_options

    formats = parse_formats(args.format)
    catalogue = load_catalogue(args.pack)
    options = run_options(args, catalogue)  # with --waivers, --baseline and --fail-on, checked before any call
    catalogue.select(options.policies, options.skip_policies)  # unknown ids fail before any call
    if args.snapshot:
        _check_writable(args.snapshot)  # before collecting: a long audit must not end in a refused write
    live.progress = "console" in formats and sys.stdout.isatty()
    snapshot = collect(live)
    inventory = inventory_of(snapshot)
    report, verdict = run_catalogue(inventory, catalogue, options, extra_run_info=inventory.run_info)
    if args.snapshot:
        _write_atomically(args.snapshot, snapshot.dumps())
    emit(report, verdict, formats, args.output_dir, args.quiet)
    if "console" in formats:
        print_not_assessed(inventory.run_info.get("not_assessed") or [])
        if args.snapshot:
            print(f"wrote snapshot {args.snapshot}")
    return exit_code(verdict)


def _check_writable(path: str) -> None:
    import os
    import tempfile
    from pathlib import Path

    from ..errors import InputError

    target = Path(path)
    if target.is_dir():
        raise InputError(path, "cannot write the snapshot: it is a folder")
    try:
        with tempfile.NamedTemporaryFile(prefix=f".{target.name}.", dir=target.parent if str(target.parent) else "."):
            pass
    except OSError as exc:
        raise InputError(path, f"cannot write the snapshot: {exc.strerror}") from None
    if target.exists() and not os.access(target, os.W_OK):
        raise InputError(path, "cannot write the snapshot: permission denied")


def _write_atomically(path: str, text: str) -> None:
    import os
    import tempfile
    from pathlib import Path

    from ..errors import InputError

    target = Path(path)
    try:
        handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent if str(target.parent) else ".")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(temp, 0o644)
        os.replace(temp, target)
    except OSError as exc:
        raise InputError(path, f"cannot write the snapshot: {exc.strerror}") from None


def print_not_assessed(entries: list[dict]) -> None:
    """The console summary of what an audit (or its snapshot) could not assess."""
    from rich.console import Console
    from rich.text import Text

    if not entries:
        return
    console = Console(highlight=False, soft_wrap=True)  # a long ARN or path stays on one line
    console.print(Text(f"Not assessed ({len(entries)}): what these cover is UNKNOWN", style="yellow"))
    for entry in entries:
        console.print(Text(f"  {entry['where']}: {entry['reason']}"))
