"""The collectors an audit runs, by name (the names --services accepts)."""
from __future__ import annotations

import importlib
from types import ModuleType

SERVICES = (
    "vpc", "ec2", "elbv2", "elb", "autoscaling", "rds", "elasticache", "s3", "dynamodb", "efs",
    "redshift", "sqs", "sns", "kms", "cloudtrail", "backup",
)


def collector(name: str) -> ModuleType:
    return importlib.import_module(f"{__package__}.collectors.{name}")


def declared_calls(names: tuple[str, ...] | list[str] = SERVICES) -> set[str]:
    """Every "service:Operation" the named collectors declare in CALLS."""
    return {call for name in names for call in collector(name).CALLS}


def transform(name: str) -> ModuleType:
    return importlib.import_module(f"{__package__}.transforms.{name}")


def kinds(name: str) -> tuple[str, ...]:
    return tuple(transform(name).KINDS)
