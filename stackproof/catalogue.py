"""The catalogue: policies read from packs (policies/*.yaml + checks/*.py), checks resolved lazily.

The built-in pack and a team's own pack (``--pack DIR``) are read by the same code,
by path. A policy file (``.yaml`` or ``.yml``) has the fields of REQUIRED_FIELDS and
optionally:

- ``params``: a mapping of parameter names to values; ``environments``: a mapping of
  environment names (case-insensitive) to overrides of those parameters.
- ``frameworks``: a mapping of FRAMEWORKS keys to lists of control ids.
- ``sources``: the inputs the policy claims to assess (SOURCES; default all).
- ``needs``: resource kinds the rule reads besides its own resources (a subnet's route
  table, the instances behind a load balancer). Where the inputs could not read one of
  them (a Gap), the policy's results there are UNKNOWN rather than a verdict on partial
  data. ``needs_scope``: ``region`` (default) when only gaps in the resource's own
  region matter, ``account`` when the rule looks across regions.
"""
from __future__ import annotations

import hashlib
import importlib
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, NoReturn

from .errors import InputError
from .model import KINDS
from .yamlload import load_yaml_file

SEVERITIES = ("info", "low", "medium", "high", "critical")
REQUIRED_FIELDS = ("id", "title", "resource", "check", "severity", "area", "rationale", "remediation")
KNOWN_FIELDS = set(REQUIRED_FIELDS) | {"params", "environments", "frameworks", "sources", "needs", "needs_scope"}
SOURCES = ("tfplan", "cloudformation", "live")
NEEDS_SCOPES = ("region", "account")
POLICY_SUFFIXES = (".yaml", ".yml")
# Framework keys a policy may map to, with the edition the control ids refer to.
FRAMEWORKS = {
    "iso-27001-2022": "ISO/IEC 27001:2022 Annex A",
    "soc2": "SOC 2 Trust Services Criteria (2017, revised points of focus 2022)",
    "cis-aws-3.0": "CIS Amazon Web Services Foundations Benchmark v3.0.0",
    "nist-800-53-r5": "NIST SP 800-53 Rev. 5",
}


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity)


def environment_name(text: str) -> str:
    """Environment names compare without case or surrounding spaces: Staging = staging."""
    return text.strip().lower()


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
    sources: tuple[str, ...] = SOURCES
    needs: tuple[str, ...] = ()
    needs_scope: str = "region"
    path: str = ""
    pack: "Pack | None" = field(default=None, compare=False, repr=False)

    def params_for(self, environment: str | None) -> dict[str, Any]:
        """The policy's parameters with the environment's overrides applied (environment
        names as environment_name gives them)."""
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
        module = self._import(module_name, policy_path)
        fn = getattr(module, function_name, None)
        if not callable(fn):
            raise InputError(policy_path, f"check {ref!r}: no function {function_name!r} in {module.__file__}")
        return fn

    def _import(self, module_name: str, policy_path: str) -> types.ModuleType:
        """The check module; a module that cannot be imported is a mistake in the pack (exit 2)."""
        full_name = f"{self.package_name}.{module_name}"
        source = self.check_dir / f"{module_name}.py"
        try:
            return importlib.import_module(full_name)
        except ModuleNotFoundError as exc:
            if exc.name == full_name:
                raise InputError(policy_path, f"check module {module_name!r} not found in {self.check_dir}") from None
            raise InputError(str(source), f"the check module imports {exc.name!r}, which is not installed "
                                          f"(needed by {policy_path})") from None
        except SyntaxError as exc:
            raise InputError(exc.filename or str(source), f"the check module is not valid Python: {exc.msg} "
                                                          f"(needed by {policy_path})", exc.lineno) from None
        except Exception as exc:  # noqa: BLE001 - whatever a team's module raises on import
            raise InputError(str(source), f"the check module fails on import: {type(exc).__name__}: {exc} "
                                          f"(needed by {policy_path})") from None

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
        if not chosen:
            why = "--skip-policy removes every policy selected" if skip else "the catalogue has no policy"
            raise InputError(None, f"no policy left to evaluate: {why}")
        return chosen

    def environments(self) -> set[str]:
        return {name for policy in self.policies.values() for name in policy.environments}

    def environment(self, name: str | None) -> str | None:
        """The environment --env names, as policies spell it; refused when no policy defines it."""
        if name is None:
            return None
        wanted = environment_name(name)
        known = self.environments()
        if wanted not in known:
            listed = ", ".join(sorted(known)) or "none"
            raise InputError(None, f"--env {name!r}: no policy defines this environment (known: {listed})")
        return wanted


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
        for path in sorted(p for p in pack.policy_dir.rglob("*") if p.suffix in POLICY_SUFFIXES and p.is_file()):
            policy = parse_policy(path, pack)
            if policy.id in policies:
                raise InputError(str(path), f"policy id {policy.id!r} is already defined in {policies[policy.id].path}")
            policies[policy.id] = policy
    return Catalogue(policies.values(), packs)


def parse_policy(path: Path, pack: Pack | None) -> Policy:
    data = load_yaml_file(path)
    fields = _PolicyFields(path, data)
    missing = [name for name in REQUIRED_FIELDS if name not in data]
    if missing:
        raise InputError(fields.where, f"policy is missing {', '.join(missing)}")
    unknown_fields = sorted(set(data) - KNOWN_FIELDS, key=str)
    if unknown_fields:
        fields.fail(unknown_fields[0], f"unknown policy field(s): {', '.join(map(str, unknown_fields))}")
    policy_id = fields.text("id")
    if policy_id != path.stem:
        fields.fail("id", f"policy id {policy_id!r} must equal the file name {path.stem!r}")
    severity = fields.text("severity")
    if severity not in SEVERITIES:
        fields.fail("severity", f"severity {severity!r} is not one of {', '.join(SEVERITIES)}")
    kinds = fields.kinds("resource", required=True)
    check = fields.text("check")
    module_name, _, function_name = check.partition(":")
    if not (module_name.isidentifier() and function_name.isidentifier()):
        fields.fail("check", f"check {check!r} must be written module:function")
    params = fields.mapping("params")
    environments = fields.mapping("environments")
    overrides: dict[str, dict[str, Any]] = {}
    for env, values in environments.items():
        name = environment_name(str(env))
        if values is not None and not isinstance(values, dict):
            fields.fail("environments", f"environment {env!r} must map parameter names to values, "
                                        f"not {_kind_of(values)}")
        extra = set(values or {}) - set(params)
        if extra:
            fields.fail("environments", f"environment {env!r} overrides unknown parameter(s) "
                                        f"{', '.join(sorted(map(str, extra)))}")
        if name in overrides:
            fields.fail("environments", f"environment {env!r} is defined twice (names ignore case)")
        overrides[name] = dict(values or {})
    frameworks: dict[str, tuple[str, ...]] = {}
    for name, controls in fields.mapping("frameworks").items():
        if name not in FRAMEWORKS:
            fields.fail("frameworks", f"unknown framework {name!r} (known: {', '.join(FRAMEWORKS)})")
        if not isinstance(controls, list):
            fields.fail("frameworks", f"framework {name!r} must list control ids, not {_kind_of(controls)}")
        frameworks[name] = tuple(str(c) for c in controls)
    remediation = fields.mapping("remediation")
    for tool, text in remediation.items():
        if not isinstance(text, str):
            fields.fail("remediation", f"remediation {tool!r} must be text, not {_kind_of(text)}")
    sources = fields.names("sources", SOURCES) or SOURCES
    needs_scope = fields.text("needs_scope") if "needs_scope" in data else "region"
    if needs_scope not in NEEDS_SCOPES:
        fields.fail("needs_scope", f"needs_scope {needs_scope!r} is not one of {', '.join(NEEDS_SCOPES)}")
    return Policy(
        id=policy_id,
        title=fields.text("title"),
        kinds=kinds,
        check=check,
        severity=severity,
        area=fields.text("area"),
        rationale=fields.text("rationale"),
        remediation={str(k): v for k, v in remediation.items()},
        params=params,
        environments=overrides,
        frameworks=frameworks,
        sources=sources,
        needs=fields.kinds("needs"),
        needs_scope=needs_scope,
        path=fields.where,
        pack=pack,
    )


class _PolicyFields:
    """Typed reads of a policy file's fields; a mistake names the file and the field's line."""

    def __init__(self, path: Path, data: Any) -> None:
        self.path = path
        self.where = str(path)
        if not isinstance(data, dict):
            raise InputError(self.where, "a policy file must be a YAML mapping")
        self.data = data

    def fail(self, name: str, message: str) -> NoReturn:
        raise InputError(self.where, message, _line_of(self.path, name))

    def text(self, name: str) -> str:
        value = self.data.get(name)
        if not isinstance(value, str) or not value.strip():
            self.fail(name, f"{name} must be non-empty text, not {_kind_of(value)}")
        return value.strip()

    def mapping(self, name: str) -> dict[Any, Any]:
        value = self.data.get(name)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.fail(name, f"{name} must be a mapping, not {_kind_of(value)}")
        return value

    def names(self, name: str, known: Iterable[str]) -> tuple[str, ...]:
        value = self.data.get(name)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(name, f"{name} must be a list of names, not {_kind_of(value)}")
        unknown = [v for v in value if v not in known]
        if unknown:
            self.fail(name, f"unknown {name} value(s) {', '.join(unknown)} (known: {', '.join(known)})")
        return tuple(value)

    def kinds(self, name: str, required: bool = False) -> tuple[str, ...]:
        value = self.data.get(name)
        if isinstance(value, str):
            value = [value]
        if value is None and not required:
            return ()
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            self.fail(name, f"{name} must be a resource kind or a list of them, not {_kind_of(value)}")
        for kind in value:
            if kind not in KINDS:
                self.fail(name, f"unknown resource kind {kind!r} in {name}")
        return tuple(value)


def _kind_of(value: Any) -> str:
    """How a YAML value reads to the person who wrote it."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "empty text" if not value.strip() else "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "a date" if hasattr(value, "isoformat") else "another kind of value"


def _line_of(path: Path, name: str) -> int | None:
    """The line of a top-level key in a YAML file (only looked up for an error message)."""
    import yaml

    try:
        node = yaml.compose(path.read_text(encoding="utf-8-sig"), Loader=yaml.SafeLoader)
    except (OSError, ValueError, yaml.YAMLError):
        return None
    if isinstance(node, yaml.MappingNode):
        for key, _ in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == name:
                return key.start_mark.line + 1
    return None
