"""The catalogue: policies read from packs (policies/*.yaml + checks/*.py), checks resolved lazily.

The built-in pack and a team's own pack (``--pack DIR``) are read by the same code,
by path.
"""
from __future__ import annotations

import hashlib
import importlib
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from .errors import InputError
from .model import KINDS
from .yamlload import load_yaml_file

SEVERITIES = ("info", "low", "medium", "high", "critical")
REQUIRED_FIELDS = ("id", "title", "resource", "check", "severity", "area", "rationale", "remediation")
KNOWN_FIELDS = set(REQUIRED_FIELDS) | {"params", "environments", "frameworks", "sources"}
# Framework keys a policy may map to, with the edition the control ids refer to.
FRAMEWORKS = {
    "iso-27001-2022": "ISO/IEC 27001:2022 Annex A",
    "soc2": "SOC 2 Trust Services Criteria (2017, revised points of focus 2022)",
    "cis-aws-3.0": "CIS Amazon Web Services Foundations Benchmark v3.0.0",
    "nist-800-53-r5": "NIST SP 800-53 Rev. 5",
}


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity)


@dataclass(frozen=True)
class Policy:
    id: str
    title: str
    kinds: tuple[str, ...]
    check: str  # "module:function" inside the pack's checks/ folder
    severity: str
    area: str
    rationale: str
    remediation: Mapping[str, str]
    params: Mapping[str, Any] = field(default_factory=dict)
    environments: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    frameworks: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    sources: tuple[str, ...] = ("tfplan", "cloudformation", "live")
    path: str = ""
    pack: "Pack | None" = field(default=None, compare=False, repr=False)

    def params_for(self, environment: str | None) -> dict[str, Any]:
        """The policy's parameters with the environment's overrides applied."""
        params = dict(self.params)
        if environment and environment in self.environments:
            params.update(self.environments[environment])
        return params

    def function(self) -> Callable[..., Any]:
        assert self.pack is not None
        return self.pack.function(self.check, self.path)


class Pack:
    """A folder with policies/ and checks/; check modules are imported on first use."""

    def __init__(self, root: Path, package_name: str) -> None:
        self.root = root
        self.package_name = package_name
        self._package: types.ModuleType | None = None

    @property
    def policy_dir(self) -> Path:
        return self.root / "policies"

    @property
    def check_dir(self) -> Path:
        return self.root / "checks"

    def _ensure_package(self) -> None:
        # A synthetic package whose path is the pack's checks/ folder, so check modules
        # are imported by path and may import each other relatively.
        if self._package is None:
            package = types.ModuleType(self.package_name)
            package.__path__ = [str(self.check_dir)]  # type: ignore[attr-defined]
            sys.modules[self.package_name] = package
            self._package = package

    def function(self, ref: str, policy_path: str) -> Callable[..., Any]:
        module_name, _, function_name = ref.partition(":")
        self._ensure_package()
        try:
            module = importlib.import_module(f"{self.package_name}.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{self.package_name}.{module_name}":
                raise InputError(policy_path, f"check module {module_name!r} not found in {self.check_dir}") from None
            raise
        fn = getattr(module, function_name, None)
        if not callable(fn):
            raise InputError(policy_path, f"check {ref!r}: no function {function_name!r} in {module.__file__}")
        return fn

    def module_names(self) -> list[str]:
        return sorted(p.stem for p in self.check_dir.glob("*.py") if not p.stem.startswith("_"))

    def import_module(self, name: str) -> types.ModuleType:
        self._ensure_package()
        return importlib.import_module(f"{self.package_name}.{name}")


def builtin_pack_root() -> Path:
    installed = Path(__file__).parent / "_pack"
    if installed.is_dir():
        return installed
    # A source checkout or an editable install: the pack sits at the repository top.
    return Path(__file__).resolve().parent.parent


class Catalogue:
    def __init__(self, policies: Iterable[Policy], packs: list[Pack]) -> None:
        self.policies: dict[str, Policy] = {}
        for policy in policies:
            self.policies[policy.id] = policy
        self.packs = packs

    def __iter__(self):
        return iter(sorted(self.policies.values(), key=lambda p: (p.area, p.id)))

    def __len__(self) -> int:
        return len(self.policies)

    def __contains__(self, policy_id: str) -> bool:
        return policy_id in self.policies

    def policy(self, policy_id: str) -> Policy:
        try:
            return self.policies[policy_id]
        except KeyError:
            raise InputError(None, f"no policy named {policy_id!r} (see `stackproof policies`)") from None

    def check(self, policy_id: str) -> Callable[..., Any]:
        """The rule function of a policy, reached the way the engine reaches it."""
        return self.policy(policy_id).function()

    def select(self, only: Iterable[str] = (), skip: Iterable[str] = ()) -> list[Policy]:
        only, skip = list(only), list(skip)
        for policy_id in [*only, *skip]:
            self.policy(policy_id)  # unknown ids are an invocation error
        chosen = [p for p in self if (not only or p.id in only) and p.id not in skip]
        return chosen


def load_catalogue(extra_packs: Iterable[str | Path] = (), include_builtin: bool = True) -> Catalogue:
    roots: list[tuple[Path, str]] = []
    if include_builtin:
        roots.append((builtin_pack_root(), "stackproof_builtin_checks"))
    for extra in extra_packs:
        root = Path(extra)
        if not (root / "policies").is_dir():
            raise InputError(str(root), "a pack must contain a policies/ folder (and a checks/ folder for its rules)")
        digest = hashlib.sha1(str(root.resolve()).encode()).hexdigest()[:10]
        roots.append((root, f"stackproof_pack_{digest}"))

    packs: list[Pack] = []
    policies: dict[str, Policy] = {}
    for root, package_name in roots:
        pack = Pack(root, package_name)
        packs.append(pack)
        for path in sorted(pack.policy_dir.rglob("*.yaml")):
            policy = parse_policy(path, pack)
            if policy.id in policies:
                raise InputError(str(path), f"policy id {policy.id!r} is already defined in {policies[policy.id].path}")
            policies[policy.id] = policy
    return Catalogue(policies.values(), packs)


def parse_policy(path: Path, pack: Pack | None) -> Policy:
    data = load_yaml_file(path)
    where = str(path)
    if not isinstance(data, dict):
        raise InputError(where, "a policy file must be a YAML mapping")
    missing = [name for name in REQUIRED_FIELDS if name not in data]
    if missing:
        raise InputError(where, f"policy is missing {', '.join(missing)}")
    unknown_fields = sorted(set(data) - KNOWN_FIELDS)
    if unknown_fields:
        raise InputError(where, f"unknown policy field(s): {', '.join(unknown_fields)}")
    if data["id"] != path.stem:
        raise InputError(where, f"policy id {data['id']!r} must equal the file name {path.stem!r}")
    if data["severity"] not in SEVERITIES:
        raise InputError(where, f"severity {data['severity']!r} is not one of {', '.join(SEVERITIES)}")
    kinds = data["resource"] if isinstance(data["resource"], list) else [data["resource"]]
    for kind in kinds:
        if kind not in KINDS:
            raise InputError(where, f"unknown resource kind {kind!r}")
    check = str(data["check"])
    if ":" not in check:
        raise InputError(where, f"check {check!r} must be written module:function")
    params = data.get("params") or {}
    environments = data.get("environments") or {}
    for env, overrides in environments.items():
        extra = set(overrides or {}) - set(params)
        if extra:
            raise InputError(where, f"environment {env!r} overrides unknown parameter(s) {', '.join(sorted(extra))}")
    frameworks = {name: tuple(str(c) for c in controls) for name, controls in (data.get("frameworks") or {}).items()}
    for name in frameworks:
        if name not in FRAMEWORKS:
            raise InputError(where, f"unknown framework {name!r} (known: {', '.join(FRAMEWORKS)})")
    return Policy(
        id=data["id"],
        title=str(data["title"]).strip(),
        kinds=tuple(kinds),
        check=check,
        severity=data["severity"],
        area=str(data["area"]),
        rationale=str(data["rationale"]).strip(),
        remediation={k: str(v) for k, v in (data["remediation"] or {}).items()},
        params=params,
        environments={k: dict(v or {}) for k, v in environments.items()},
        frameworks=frameworks,
        sources=tuple(data.get("sources") or ("tfplan", "cloudformation", "live")),
        path=where,
        pack=pack,
    )
