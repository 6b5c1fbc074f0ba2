"""Running the collectors: every service in every region of every account, in parallel.

Units (one collector, one region, one account) run on a bounded thread pool; within a
unit, per-resource calls run at most ``per_service`` at a time. A unit whose listing
fails becomes a gap with the reason; the audit goes on.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import nullcontext
from datetime import datetime, timezone
from typing import Any, Callable

from ...errors import InputError
from . import errors, services
from .accounts import Identity, Target, assume, enabled_regions, identify, organization_role_arns
from .api import Api
from .clients import ClientFactory
from .options import LiveOptions, check
from .snapshot import Snapshot, Unit

# A response that parses but lacks what every answer of that call has.
MALFORMED = (KeyError, TypeError, AttributeError, ValueError, IndexError)
DEFAULT_HOME_REGION = "us-east-1"


def selected_services(options: LiveOptions) -> list[str]:
    chosen = [s.strip().lower() for s in options.services if s.strip()]
    unknown = [s for s in chosen if s not in services.SERVICES]
    if unknown:
        raise InputError(None, f"--services: unknown service(s) {', '.join(unknown)} "
                               f"(known: {', '.join(services.SERVICES)})")
    return chosen or list(services.SERVICES)


def requested_regions(options: LiveOptions, factory: ClientFactory) -> list[str] | None:
    """The regions asked for, or None for every region enabled in each account."""
    regions = [r.strip() for r in options.regions if r.strip()]
    if not regions or regions == ["all"]:
        return None
    known = factory.known_regions()
    unknown = [r for r in regions if r not in known]
    if unknown:
        raise InputError(None, f"--regions: unknown region(s) {', '.join(unknown)}")
    partitions = sorted({known[r] for r in regions})
    if len(partitions) > 1:
        raise InputError(None, f"--regions: the regions are in different partitions ({', '.join(partitions)}); "
                               "one set of credentials reaches one partition")
    return list(dict.fromkeys(regions))


def collect(options: LiveOptions, factory: ClientFactory | None = None) -> Snapshot:
    check(options)
    factory = factory or ClientFactory(options)
    names = selected_services(options)
    requested = requested_regions(options, factory)
    # STS, Organizations and DescribeRegions are asked in a region of the caller's partition:
    # the first audited one, else the configured one (Organizations' global endpoint is
    # found from any region of the partition).
    home = requested[0] if requested else factory.configured_region() or DEFAULT_HOME_REGION
    me = identify(factory, home)
    targets, account_gaps = _targets(options, factory, home, me)
    plan, region_gaps = _regions_of(factory, targets, requested, home)
    units = [(target, name, region) for target in targets if target.account in plan for name in names
             for region in ([None] if services.collector(name).GLOBAL else plan[target.account])]
    results: list[Unit] = []
    with _progress(options.progress, len(units)) as advance:
        with ThreadPoolExecutor(max_workers=max(1, options.max_workers)) as pool:
            futures = [pool.submit(run_unit, factory, t, n, r, plan[t.account], options.per_service)
                       for t, n, r in units]
            for future in as_completed(futures):
                results.append(future.result())
                advance()
    order = {(t.account, n, r): i for i, (t, n, r) in enumerate(units)}
    results.sort(key=lambda u: order[(u.account, u.service, u.region)])
    regions = requested or sorted({r for found in plan.values() for r in found})
    return Snapshot(results, [t.account for t in targets], regions, me.partition,
                    datetime.now(timezone.utc).isoformat(timespec="seconds"), account_gaps + region_gaps)


def _regions_of(factory: ClientFactory, targets: list[Target], requested: list[str] | None,
                home: str) -> tuple[dict[str, list[str]], list[dict[str, str]]]:
    """Each account's regions: those asked for, or the ones enabled in that account. An
    account whose enabled regions cannot be listed is a gap; the others go on."""
    if requested is not None:
        return {t.account: requested for t in targets}, []
    plan: dict[str, list[str]] = {}
    gaps: list[dict[str, str]] = []
    with ThreadPoolExecutor(max_workers=max(1, min(8, len(targets)))) as pool:
        answers = list(pool.map(lambda t: _enabled_or_failure(factory, t, home), targets))
    for target, answer in zip(targets, answers):
        if isinstance(answer, list) and answer:
            plan[target.account] = answer
        else:
            answer = answer or "DescribeRegions listed none"
            gaps.append({"account": target.account, "where": f"account {target.account} (--regions all)",
                         "reason": f"cannot list the enabled regions: {answer}"})
    return plan, gaps


def _enabled_or_failure(factory: ClientFactory, target: Target, home: str) -> list[str] | str:
    try:
        return enabled_regions(factory, target, home)
    except MALFORMED as exc:
        return f"malformed response: could not read it ({type(exc).__name__}: {exc})"
    except Exception as exc:  # noqa: BLE001 - call failures become the account's gap
        if not errors.is_call_failure(exc):
            raise
        return errors.describe(exc)


def run_unit(factory: ClientFactory, target: Target, name: str, region: str | None, regions: list[str],
             per_service: int) -> Unit:
    module = services.collector(name)
    api = Api(lambda service, where: factory.client(service, where, target.credentials),
              module.SERVICE, region or regions[0], module.CALLS, regions, per_service)
    try:
        data = module.collect(api)
    except MALFORMED as exc:
        return Unit(target.account, region, name, gap=f"malformed response: could not read it "
                                                      f"({type(exc).__name__}: {exc})")
    except Exception as exc:  # noqa: BLE001 - call failures are gaps; anything else is a bug and propagates
        if not errors.is_call_failure(exc):
            raise
        return Unit(target.account, region, name, gap=errors.describe(exc))
    return Unit(target.account, region, name, data)


def _targets(options: LiveOptions, factory: ClientFactory, home: str,
             me: Identity) -> tuple[list[Target], list[dict[str, str]]]:
    roles = list(dict.fromkeys(options.role_arns))
    include_self = not roles
    if options.organization_role:
        roles += [r for r in organization_role_arns(factory, home, me, options.organization_role) if r not in roles]
        include_self = True  # the organization's own (management) account, with the caller's credentials
    targets = [Target(me.account, me.account)] if include_self else []
    gaps: list[dict[str, str]] = []
    for role in roles:
        account = role.split(":")[4]  # options.check made sure it is a role ARN
        try:
            targets.append(assume(factory, home, role, options.external_id))
        except Exception as exc:  # noqa: BLE001
            if not errors.is_call_failure(exc):
                raise
            gaps.append({"account": account, "where": role,
                         "reason": f"cannot assume the role: {errors.describe(exc)}"})
    return targets, gaps


def _progress(enabled: bool, total: int) -> Any:
    if not enabled:
        return nullcontext(lambda: None)
    return _RichProgress(total)


class _RichProgress:
    def __init__(self, total: int) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.progress = Progress(TextColumn("collecting"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                 transient=True)
        self.task = self.progress.add_task("collect", total=total)

    def __enter__(self) -> Callable[[], None]:
        self.progress.start()
        return lambda: self.progress.advance(self.task)

    def __exit__(self, *exc: Any) -> None:
        self.progress.stop()
