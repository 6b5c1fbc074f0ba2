"""Parameter values: the --parameters file, defaults, NoEcho, and the pseudo parameters."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import InputError
from ...model import Unknown

SECRET_MIN_LENGTH = 4  # shorter values would scrub ordinary words from every report


def read_parameter_file(path: str) -> dict[str, Any]:
    """Values from a parameters file, in any of the common formats:

    - the CLI's list: ``[{"ParameterKey": "Env", "ParameterValue": "prod"}, ...]``
    - a plain map: ``{"Env": "prod"}`` (JSON or YAML)
    - a CodePipeline template configuration: ``{"Parameters": {"Env": "prod"}}``
    """
    from ...yamlload import load_yaml_file

    if Path(path).is_dir():
        raise InputError(path, "is a directory; pass the parameters file itself")
    data = load_yaml_file(path)
    if isinstance(data, dict) and set(data) >= {"Parameters"} and isinstance(data["Parameters"], (dict, list)) \
            and set(data) <= {"Parameters", "Tags", "StackPolicy"}:
        data = data["Parameters"]
    if isinstance(data, list):
        found: dict[str, Any] = {}
        for number, item in enumerate(data, 1):
            if not isinstance(item, dict) or not isinstance(item.get("ParameterKey"), str):
                raise InputError(path, f"entry {number} of the parameter list has no ParameterKey")
            if item.get("UsePreviousValue") is True:
                found[item["ParameterKey"]] = Unknown(f"parameter {item['ParameterKey']} keeps the stack's "
                                                      "previous value, which the file does not show")
            elif "ParameterValue" in item:
                found[item["ParameterKey"]] = _text(item["ParameterValue"], path, item["ParameterKey"])
            else:
                raise InputError(path, f"parameter {item['ParameterKey']} has no ParameterValue")
        return found
    if isinstance(data, dict):
        return {str(k): _text(v, path, str(k)) for k, v in data.items()}
    raise InputError(path, "not a parameters file: expected a list of ParameterKey/ParameterValue "
                           "or a map of names to values")


def _text(value: Any, path: str, name: str) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return ",".join(str(v) for v in value)
    raise InputError(path, f"the value of parameter {name} is not a string, number or list")


@dataclass
class ParameterSpec:
    name: str
    type: str
    default: Any
    allowed: list[str] | None
    no_echo: bool
    body: dict[str, Any] = field(default_factory=dict)  # the declaration, for the other constraints

    @property
    def is_list(self) -> bool:
        return self.type.startswith("List<") or self.type == "CommaDelimitedList"

    @property
    def from_ssm(self) -> bool:
        return self.type.startswith("AWS::SSM::Parameter::Value<")


def specs(parameters: dict[str, dict[str, Any]]) -> dict[str, ParameterSpec]:
    found = {}
    for name, body in parameters.items():
        allowed = body.get("AllowedValues")
        no_echo = body.get("NoEcho")
        default = body.get("Default")
        found[name] = ParameterSpec(
            name=name,
            type=str(body.get("Type") or "String"),
            default=_text(default, "", name) if isinstance(default, (bool, int, float, str, list)) else None,
            allowed=[_text(v, "", name) for v in allowed] if isinstance(allowed, list)
            and all(isinstance(v, (bool, int, float, str)) for v in allowed) else None,
            no_echo=no_echo is True or (isinstance(no_echo, str) and no_echo.lower() == "true"),
            body=body,
        )
    return found


def refused_value(specs_: dict[str, ParameterSpec], given: dict[str, Any], template: str) -> str | None:
    """Why CloudFormation would refuse the first given value it refuses: a parameter the
    template does not declare, or a value its constraints do not allow; None when it
    accepts them all. A NoEcho value is never quoted."""
    for name, value in given.items():
        spec = specs_.get(name)
        if spec is None:
            return f"parameter {name} is not declared by {template}"
        why = _violation(spec, value) if isinstance(value, str) else None
        if why:
            shown = "the value given" if spec.no_echo else repr(value)
            return f"parameter {name} of {template}: {shown} {why}"
    return None


def _violation(spec: ParameterSpec, value: str) -> str | None:
    if spec.is_list or spec.from_ssm:
        return None
    if spec.allowed is not None and value not in spec.allowed:
        return f"is not one of its AllowedValues ({', '.join(spec.allowed)})"
    body = spec.body
    if spec.type == "Number":
        try:
            number = float(value)
        except ValueError:
            return "is not a number (its Type is Number)"
        for key, ok in (("MinValue", lambda bound: number >= bound), ("MaxValue", lambda bound: number <= bound)):
            bound = _number(body.get(key))
            if bound is not None and not ok(bound):
                return f"is outside its {key} {body.get(key)}"
        return None
    for key, ok in (("MinLength", lambda bound: len(value) >= bound), ("MaxLength", lambda bound: len(value) <= bound)):
        bound = _number(body.get(key))
        if bound is not None and not ok(bound):
            return f"breaks its {key} {body.get(key)}"
    pattern = body.get("AllowedPattern")
    if isinstance(pattern, str):
        try:
            matched = re.fullmatch(pattern, value) is not None
        except re.error:
            return None  # a pattern Python's re does not read: CloudFormation decides
        if not matched:
            return f"does not match its AllowedPattern {pattern}"
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


@dataclass
class Values:
    """Every parameter's value: given (--parameters or a parent stack), else its default,
    else Unknown. ``given`` names those a caller fixed; ``secrets`` holds NoEcho values."""

    values: dict[str, Any]
    given: set[str]
    specs: dict[str, ParameterSpec]
    secrets: set[str] = field(default_factory=set)

    def for_properties(self, name: str, value: Any) -> Any:
        """What a Ref to the parameter gives inside resource properties."""
        spec = self.specs.get(name)
        if spec is None:
            return value
        if spec.no_echo and not isinstance(value, Unknown):
            return Unknown(f"parameter {name} is NoEcho; stackproof does not read its value")
        if spec.from_ssm:
            return Unknown(f"parameter {name} is read from SSM Parameter Store at deploy time")
        if spec.is_list and isinstance(value, str):
            return [part.strip() for part in value.split(",")] if value else []
        return value


def parameter_values(specs_: dict[str, ParameterSpec], given: dict[str, Any]) -> Values:
    values: dict[str, Any] = {}
    secrets: set[str] = set()
    for name, spec in specs_.items():
        if name in given:
            value = given[name]
        elif spec.default is not None:
            value = spec.default
        else:
            value = Unknown(f"parameter {name} has no default and no value was given (--parameters)")
        if spec.no_echo and isinstance(value, str) and len(value) >= SECRET_MIN_LENGTH:
            secrets.add(value)
        values[name] = value
    return Values(values, {n for n in given if n in specs_}, specs_, secrets)


def pseudo_parameters(region: Any) -> dict[str, Any]:
    """AWS::Region from --region (else unknown), AWS::Partition from the region."""
    partition = "aws"
    if isinstance(region, str):
        partition = "aws-cn" if region.startswith("cn-") else "aws-us-gov" if region.startswith("us-gov-") else "aws"
    return {
        "AWS::Region": region,
        "AWS::Partition": partition,
        "AWS::URLSuffix": "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com",
        "AWS::AccountId": Unknown("AWS::AccountId: the account the stack is deployed to"),
        "AWS::StackName": Unknown("AWS::StackName: the name the stack is given at deploy time"),
        "AWS::StackId": Unknown("AWS::StackId: known only once the stack is created"),
        "AWS::NotificationARNs": Unknown("AWS::NotificationARNs: given at deploy time"),
    }


def unknown_region() -> Unknown:
    return Unknown("the region the template is deployed to (AWS::Region) is not known; pass --region")
