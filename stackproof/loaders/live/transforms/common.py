"""What every transform shares: where a response came from, ARNs, names, tags, Unknowns."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from ....model import Provenance, Unknown


@dataclass(frozen=True)
class Where:
    """The account and region a unit of responses was collected in."""

    account: str
    region: str | None
    partition: str = "aws"

    def arn(self, service: str, resource: str, region: str | None = None, account: str | None = None) -> str:
        region = self.region if region is None else region
        return f"arn:{self.partition}:{service}:{region or ''}:{account or self.account}:{resource}"

    def ec2(self, kind: str, resource_id: Any, account: str | None = None) -> str | None:
        """ARN of an EC2 resource from its id (vpc/vpc-1, subnet/subnet-1, ...)."""
        if not isinstance(resource_id, str) or not resource_id:
            return None
        if resource_id.startswith("arn:"):
            return resource_id
        return self.arn("ec2", f"{kind}/{resource_id}", account=account)

    def ec2_all(self, kind: str, ids: Iterable[Any] | None) -> tuple[str, ...]:
        return tuple(arn for arn in (self.ec2(kind, i) for i in ids or ()) if arn)


def failed(value: Any) -> Unknown | None:
    """The Unknown for a per-resource response the collector could not get, else None."""
    if isinstance(value, dict) and isinstance(value.get("error"), dict):
        error = value["error"]
        return Unknown(f"{error.get('operation')} failed: {error.get('reason')}")
    return None


def either(problem: Unknown | None, value: Any) -> Any:
    """The Unknown when there is one, else the value (``or`` cannot be used: an Unknown has no truth value)."""
    return problem if problem is not None else value


def tags_of(items: Any) -> dict[str, str] | Unknown:
    """Tags from [{Key, Value}] (or {TagKey, TagValue}, or a {key: value} map)."""
    problem = failed(items)
    if problem is not None:
        return Unknown(f"tags could not be read: {problem.reason}")
    if isinstance(items, dict):
        return {str(k): str(v) for k, v in items.items() if v is not None}
    found: dict[str, str] = {}
    for item in items or ():
        if isinstance(item, dict):
            key = item.get("Key", item.get("TagKey"))
            value = item.get("Value", item.get("TagValue"))
            if isinstance(key, str) and value is not None:
                found[key] = str(value)
    return found


def called_tags(value: Any) -> dict[str, str] | Unknown:
    """Tags a tag call returned (a list or map), the Unknown of the failed call, or, when
    the call was not made (the resource could not be described), an Unknown saying so.
    Unlike tags a Describe answer embeds, missing tags here are not "no tags"."""
    if value is None:
        return Unknown("the tags were not read")
    return tags_of(value)


def tags_from(answer: Any, key: str) -> dict[str, str] | Unknown:
    """Tags from a tag-listing answer ({key: [...]}); see called_tags."""
    if answer is None or failed(answer) is not None:
        return called_tags(answer)
    return tags_of(answer.get(key) or [])


def name_of(tags: Any, *fallbacks: Any) -> str | None:
    """The Name tag, else the resource's own name, as the plan loader names resources."""
    if isinstance(tags, dict) and isinstance(tags.get("Name"), str) and tags["Name"]:
        return tags["Name"]
    for value in fallbacks:
        if isinstance(value, str) and value:
            return value
    return None


def base(where: Where, arn: str, tags: Any, *names: Any, region: str | None = None) -> dict[str, Any]:
    """The fields every resource has: key = address = ARN, name, region, tags, provenance."""
    region = region if region is not None else where.region
    return {
        "key": arn,
        "prov": Provenance(source="live", address=arn, account=where.account, region=region),
        "name": name_of(tags, *names),
        "region": region,
        "tags": tags if isinstance(tags, (dict, Unknown)) else {},
    }


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def region_of_arn(arn: Any) -> str | None:
    if isinstance(arn, str) and arn.startswith("arn:"):
        parts = arn.split(":")
        if len(parts) > 3 and parts[3]:
            return parts[3]
    return None
