"""Reading `terraform show -json` output: encodings, JSON errors, plan or state, format version."""
from __future__ import annotations

import codecs
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...errors import InputError

# Terraform's JSON output formats whose major version this loader reads.
SUPPORTED_MAJOR_VERSIONS = ("0", "1")

_ADDRESS = re.compile(rb'"address"\s*:\s*"((?:[^"\\]|\\.)*)"')


@dataclass
class PlanDocument:
    path: str
    data: dict[str, Any]
    kind: str  # "tfplan" or "tfstate"
    sha256: str
    raw: bytes  # the file as read (UTF-8), for line numbers

    def lines(self) -> dict[str, int]:
        """Line of the first mention of each resource address in the file."""
        found: dict[str, int] = {}
        line, offset = 1, 0
        raw = self.raw
        for match in _ADDRESS.finditer(raw):
            line += raw.count(b"\n", offset, match.start())
            offset = match.start()
            raw_address = match.group(1)
            if b"\\" in raw_address:  # only escaped addresses (for_each keys) need decoding
                try:
                    address = json.loads(b'"' + raw_address + b'"')
                except ValueError:
                    continue
            else:
                address = raw_address.decode("utf-8", "replace")
            found.setdefault(address, line)
        return found


def decode(raw: bytes, where: str) -> str:
    """Bytes to text: UTF-8 (with or without BOM) or UTF-16 with a byte-order mark."""
    if raw.startswith(codecs.BOM_UTF16_LE) or raw.startswith(codecs.BOM_UTF16_BE):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputError(where, f"invalid UTF-16 text at byte {exc.start}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(where, f"not UTF-8 text (invalid byte at offset {exc.start})") from None


def read_bytes(path: str | Path) -> bytes:
    where = str(path)
    if Path(path).is_dir():
        raise InputError(where, "is a directory; pass the plan, template or snapshot file itself")
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise InputError(where, f"cannot read: {exc.strerror}") from None


def read_plan(path: str | Path) -> PlanDocument:
    raw = read_bytes(path)
    text = decode(raw, str(path))
    return plan_document(str(path), raw, text, parse_json(text, str(path)))


def plan_document(where: str, raw: bytes, text: str, data: Any) -> PlanDocument:
    kind = classify(data, where)
    return PlanDocument(where, data, kind, hashlib.sha256(raw).hexdigest(), text.encode("utf-8"))


def parse_json(text: str, where: str) -> Any:
    if not text.strip():
        raise InputError(where, "the file is empty")
    if text.lstrip().startswith("[command]"):
        raise InputError(where, "the file starts with the output of the setup-terraform wrapper "
                                "([command]...); write the plan with terraform_wrapper: false "
                                "or `terraform show -json plan.out > plan.json` outside the wrapper", 1)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        # json's messages end "... starting at" or name no place; the column completes them
        problem = f"{exc.msg.removesuffix(' at')} at column {exc.colno}"
        if exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string"):
            problem = f"the file ends before the JSON does (truncated?): {problem}"
        raise InputError(where, f"not valid JSON: {problem}", exc.lineno) from None
    except RecursionError:
        raise InputError(where, "not valid JSON: nested too deeply") from None


def json_kind(value: Any) -> str:
    """A JSON value's type as JSON names it, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


def classify(data: Any, where: str) -> str:
    """"tfplan" or "tfstate", or an InputError saying why it is neither."""
    if not isinstance(data, dict):
        raise InputError(where, f"not a Terraform plan or state: the top level is {json_kind(data)}, not an object")
    is_plan = "planned_values" in data or "resource_changes" in data
    is_state = "values" in data
    if not (is_plan or is_state):
        if "Resources" in data or "AWSTemplateFormatVersion" in data:
            raise InputError(where, "this is a CloudFormation template, not a Terraform plan")
        if "version" in data and "resources" in data and "terraform_version" in data:
            raise InputError(where, "this is a raw terraform.tfstate file; run `terraform show -json` to convert it")
        raise InputError(where, "not a Terraform plan or state: no planned_values, resource_changes or values "
                                "(expected the output of `terraform show -json`)")
    version = data.get("format_version")
    if version is None:
        raise InputError(where, "no format_version: not the output of `terraform show -json`")
    if isinstance(version, (int, float)) and not isinstance(version, bool):
        version = str(version)  # 1.0 written as a number reads as "1.0"
    if not isinstance(version, str) or version.split(".")[0] not in SUPPORTED_MAJOR_VERSIONS:
        raise InputError(where, f"format_version {version!r} is not supported "
                                f"(this loader reads format versions 0.x and 1.x)")
    kind = "tfplan" if is_plan else "tfstate"
    _check_shape(data, kind, where)
    return kind


def _check_shape(data: dict[str, Any], kind: str, where: str) -> None:
    """The module tree where the resources are is made of objects and lists as Terraform
    writes it; anything else is refused, naming its JSON path, rather than read as empty."""
    roots = ["planned_values", "prior_state"] if kind == "tfplan" else ["values"]
    for name in roots:
        if name not in data or data[name] is None:
            continue
        path = name
        values = data[name]
        if name == "prior_state":  # a state document: its tree is under values
            _expect(values, dict, path, where)
            path, values = f"{name}.values", values.get("values")
            if values is None:
                continue
        _expect(values, dict, path, where)
        if values.get("root_module") is not None:
            _check_module(values["root_module"], f"{path}.root_module", where)
    if kind == "tfplan" and data.get("resource_changes") is not None:
        _expect(data["resource_changes"], list, "resource_changes", where)


def _check_module(module: Any, path: str, where: str) -> None:
    _expect(module, dict, path, where)
    for field, item_kind in (("resources", dict), ("child_modules", dict)):
        items = module.get(field)
        if items is None:
            continue
        _expect(items, list, f"{path}.{field}", where)
        for index, item in enumerate(items):
            _expect(item, item_kind, f"{path}.{field}[{index}]", where)
            if field == "child_modules":
                _check_module(item, f"{path}.{field}[{index}]", where)


def _expect(value: Any, kind: type, path: str, where: str) -> None:
    if not isinstance(value, kind):
        wanted = "an object" if kind is dict else "a list"
        raise InputError(where, f"not a Terraform plan or state: {path} is {json_kind(value)}, not {wanted}")
