"""Loaders: each knows its input format and the model, nothing else.

``load_inputs`` reads every path a scan is given, tells the formats apart by
content, and merges them into one Inventory.

Inputs are independent: each keeps its own resources even where two use the same keys
(two plans with ``aws_s3_bucket.this``, two templates with a ``Vpc``): the later one is
re-keyed with its path as a prefix (``Inventory.rekeyed``). A file given twice is read once.
"""
from __future__ import annotations

import gc
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from ..errors import InputError
from ..model import Inventory
from .tfplan.reader import decode, json_kind, parse_json, read_bytes

TEMPLATE_SUFFIXES = (".yaml", ".yml", ".template", ".cfn")
# Top-level keys that make a JSON object a CloudFormation template (or a broken one), and
# keys of `terraform show -json` output (or of a raw state the plan loader names as such).
TEMPLATE_KEYS = frozenset({"AWSTemplateFormatVersion", "Resources", "Description", "Parameters", "Outputs",
                           "Conditions", "Mappings", "Transform", "Metadata", "Rules"})
TERRAFORM_KEYS = frozenset({"format_version", "terraform_version", "planned_values", "resource_changes", "values",
                            "prior_state", "configuration"})
UNRECOGNISED = ("neither a Terraform plan or state, a CloudFormation template or change set, "
                "nor a stackproof audit snapshot")


@dataclass
class LoadOptions:
    """Options some loaders need (CloudFormation parameters and region)."""

    parameters: str | None = None
    region: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def load_inputs(paths: Iterable[str | Path], options: LoadOptions | None = None) -> Inventory:
    options = options or LoadOptions()
    inventory = Inventory()
    keys: set[str] = set()
    seen: set[str] = set()
    with _collector_paused():
        for path in paths:
            same_file = os.path.realpath(path)
            if same_file in seen:
                continue  # the same file twice: read once, counted once
            seen.add(same_file)
            loaded = load_one(path, options)
            loaded.locate_gaps(input_path(path))
            loaded_keys = loaded.keys()
            if loaded_keys & keys:
                loaded = loaded.rekeyed(f"{input_path(path)}#")
                loaded_keys = loaded.keys()
            keys |= loaded_keys
            inventory.merge(loaded)
    if options.parameters and not any(i.kind == "parameters" for i in inventory.inputs):
        raise InputError(options.parameters, "--parameters: no CloudFormation template among the inputs takes "
                                             "parameter values")
    return inventory


def input_path(path: str | Path) -> str:
    """The path reports show and fingerprints use, the same however it was typed: relative
    to the current folder (with / separators) when the file is under it, else absolute."""
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(os.path.abspath(os.getcwd())).as_posix()
    except ValueError:
        return absolute.as_posix()


@contextmanager
def _collector_paused():
    """Loading allocates millions of small objects and no cycles worth collecting; the
    cyclic garbage collector would rescan them again and again (2x the load time at
    50,000 resources). Reference counting still frees everything as usual."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load_one(path: str | Path, options: LoadOptions) -> Inventory:
    where = input_path(path)
    raw = read_bytes(where)
    text = decode(raw, where)
    if not text.strip():
        raise InputError(where, "the file is empty")
    suffix = Path(where).suffix.lower()
    if suffix in TEMPLATE_SUFFIXES or (suffix != ".json" and not text.lstrip().startswith(("{", "["))):
        return _cloudformation(where, raw, text, None, options)
    data = parse_json(text, where)
    if _is_parameters_file(data):
        raise InputError(where, "this is a CloudFormation parameters file: pass it with --parameters "
                                "together with its template")
    if isinstance(data, dict):
        if "ChangeSetId" in data or ("Changes" in data and "StackName" in data):
            return _changeset(where, raw, data, options)  # before templates: it has Parameters too
        if TEMPLATE_KEYS & data.keys():  # the template loader names what such a template lacks
            return _cloudformation(where, raw, text, data, options)
        if str(data.get("schema", "")).startswith("stackproof/live-snapshot@"):
            from .live.snapshot import load_snapshot  # an audit snapshot (no boto3 needed)

            return load_snapshot(where, raw, data)
    if not isinstance(data, dict) or not TERRAFORM_KEYS & data.keys():
        raise InputError(where, f"{UNRECOGNISED}: {_top_level(data)}")
    from .tfplan import build_inventory
    from .tfplan.reader import plan_document

    return build_inventory(plan_document(where, raw, text, data))


def _is_parameters_file(data: Any) -> bool:
    if isinstance(data, dict):
        return "Parameters" in data and data.keys() <= {"Parameters", "Tags", "StackPolicy"}
    return isinstance(data, list) and bool(data) and all(isinstance(i, dict) and "ParameterKey" in i for i in data)


def _top_level(data: Any) -> str:
    if not isinstance(data, dict):
        return f"the top level is {json_kind(data)}, not an object"
    if not data:
        return "the top level is an empty object"
    keys = [str(k) for k in data]
    return "its top-level keys are " + ", ".join(keys[:5]) + (f" and {len(keys) - 5} more" if len(keys) > 5 else "")


def _cloudformation(where: str, raw: bytes, text: str, data: Any, options: LoadOptions) -> Inventory:
    try:
        from .cloudformation import load_template
    except ImportError:
        raise InputError(where, "CloudFormation templates are not supported by this build") from None
    return load_template(where, raw, text, options)


def _changeset(where: str, raw: bytes, data: Any, options: LoadOptions) -> Inventory:
    try:
        from .cloudformation import load_changeset
    except ImportError:
        raise InputError(where, "CloudFormation change sets are not supported by this build") from None
    return load_changeset(where, raw, data, options)
