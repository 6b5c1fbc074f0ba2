"""One run: inventory + catalogue + options -> Report, and the report files written out."""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
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


def run(inventory: Inventory, catalogue: Catalogue, options: RunOptions,
        extra_run_info: dict[str, Any] | None = None) -> tuple[Report, GateVerdict]:
    started = datetime.now(timezone.utc)
    selected = catalogue.select(options.policies, options.skip_policies)
    results = evaluate(selected, inventory, options.environment)
    results.sort(key=lambda r: (r.policy, r.resource, r.account or "", r.region or "", r.scenario or ""))
    profile = PROFILES[options.profile]
    verdict = gate(results, profile, options.severity_floor)
    run_info: dict[str, Any] = {
        "started_at": started.isoformat(timespec="seconds"),
        "profile": profile.name,
        "severity_floor": options.severity_floor,
        "environment": options.environment,
        "inputs": [{"kind": i.kind, "path": i.path, "sha256": i.sha256} for i in inventory.inputs],
        "policies_evaluated": len(selected),
        "resources": len(inventory),
        "gate": {"holds": verdict.holds, "blocking": len(verdict.blocking)},
        **(extra_run_info or {}),
    }
    return Report(results, policy_infos(selected), run_info), verdict


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
