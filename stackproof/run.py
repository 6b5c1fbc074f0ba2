"""One run: inventory + catalogue + options -> Report, and the report files written out."""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from .catalogue import Catalogue
from .engine import evaluate
from .errors import InputError
from .model import Inventory
from .profiles import PROFILES, GateVerdict, gate
from .report import Report, policy_infos


@dataclass
class RunOptions:
    policies: list[str] = field(default_factory=list)
    skip_policies: list[str] = field(default_factory=list)
    severity_floor: str = "low"
    profile: str = "ci"
    environment: str | None = None
    waivers: str | None = None  # a waivers YAML file (see waivers.py)
    baseline: str | None = None  # a previous JSON report (see baseline.py)
    fail_on: str = "all"  # "new": only results new since the baseline fail the gate
    today: date | None = None  # the day waivers expire against (default: today, UTC)


def run(inventory: Inventory, catalogue: Catalogue, options: RunOptions,
        extra_run_info: dict[str, Any] | None = None) -> tuple[Report, GateVerdict]:
    started = datetime.now(timezone.utc)
    selected = catalogue.select(options.policies, options.skip_policies)
    environment = catalogue.environment(options.environment)
    waivers, baseline = read_waivers_and_baseline(options, catalogue)
    results = evaluate(selected, inventory, environment)
    results.sort(key=lambda r: (r.policy, r.resource, r.account or "", r.region or "", r.scenario or ""))
    register, changes = [], None
    if waivers is not None:
        from .waivers import apply_waivers, tags_lookup

        register = apply_waivers(results, waivers, tags_lookup(inventory), [p.id for p in selected], options.today)
    if baseline is not None:
        from .baseline import Scope, compare

        extra = extra_run_info or {}
        scope = Scope.of([p.id for p in selected], [i.path for i in inventory.inputs], extra.get("accounts"),
                         extra.get("regions"))
        changes = compare(results, *baseline, scope)
    profile = PROFILES[options.profile]
    new_only = set(changes["new"]) if changes is not None and options.fail_on == "new" else None
    verdict = gate(results, profile, options.severity_floor, new_only)
    run_info: dict[str, Any] = {
        "started_at": started.isoformat(timespec="seconds"),
        "profile": profile.name,
        "severity_floor": options.severity_floor,
        "environment": environment,
        "inputs": [i.as_dict() for i in inventory.inputs],
        "policies_evaluated": len(selected),
        "resources": len(inventory),
        "gate": {"holds": verdict.holds, "blocking": len(verdict.blocking), "fail_on": verdict.fail_on,
                 "expired_waivers": verdict.expired_waivers},
        **(extra_run_info or {}),
    }
    if options.waivers:
        run_info["waivers_file"] = options.waivers
        run_info["waivers_sha256"] = waivers.sha256
    return Report(results, policy_infos(selected), run_info, waivers=register, changes=changes), verdict


def read_waivers_and_baseline(options: RunOptions, catalogue: Catalogue) -> tuple[Any, Any]:
    """Both files are read and checked before any evaluation, so bad ones fail early."""
    waivers = baseline = None
    if options.waivers:
        from .waivers import load_waivers

        waivers = load_waivers(options.waivers, catalogue.policies)
    if options.baseline:
        from .baseline import load_baseline

        report, sha256 = load_baseline(options.baseline)
        baseline = (report, options.baseline, sha256)
    if options.fail_on == "new" and baseline is None:
        raise InputError(None, "--fail-on new needs --baseline PREVIOUS.json (the run to compare with)")
    return waivers, baseline


def write_files(output_dir: str | Path, files: dict[str, str]) -> list[Path]:
    """Write every report or none: each goes to a temporary file first, then all are renamed."""
    directory = Path(output_dir)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(str(directory), f"cannot create the output folder: {exc.strerror}") from None
    staged: list[tuple[str, Path]] = []
    try:
        for name, text in files.items():
            handle, temp = tempfile.mkstemp(prefix=f".{name}.", dir=directory)
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
            os.chmod(temp, 0o644)
            staged.append((temp, directory / name))
    except OSError as exc:
        for temp, _ in staged:
            Path(temp).unlink(missing_ok=True)
        raise InputError(str(directory), f"cannot write reports: {exc.strerror}") from None
    for temp, final in staged:
        os.replace(temp, final)
    return [final for _, final in staged]
