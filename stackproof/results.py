"""Results of a scan and the run they belong to."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Mapping


@dataclass
class Result:
    policy: str
    status: str
    severity: str
    resource: str  # Terraform address, logical id, or ARN
    kind: str
    source: str
    message: str
    name: str | None = None  # the resource's Name tag or name, shown beside the address
    file: str | None = None
    line: int | None = None
    account: str | None = None
    region: str | None = None
    environment: str | None = None
    scenario: str | None = None
    evidence: Mapping[str, Any] = field(default_factory=dict)
    waiver: Mapping[str, Any] | None = None  # the waiver that matched, when one did

    @property
    def fingerprint(self) -> str:
        """Stable across runs for the same policy and resource, so runs can be diffed.

        A resource of a file is told apart by its file too (two plans may both hold
        ``aws_s3_bucket.this``); the loaders give the same path however it was typed. A
        live resource is told apart by account and region, whichever snapshot held it.
        """
        file = self.file if self.source != "live" else None
        identity = "|".join([self.policy, self.kind, self.resource, self.account or "", self.region or "", file or ""])
        return hashlib.sha256(identity.encode()).hexdigest()[:32]

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "policy": self.policy,
            "status": self.status,
            "severity": self.severity,
            "resource": self.resource,
            "name": self.name,
            "kind": self.kind,
            "source": self.source,
            "location": {"file": self.file, "line": self.line, "account": self.account, "region": self.region},
            "message": self.message,
            "evidence": dict(self.evidence),
            "fingerprint": self.fingerprint,
            "environment": self.environment,
        }
        if self.scenario:
            data["scenario"] = self.scenario
        if self.waiver:
            data["waiver"] = dict(self.waiver)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Result":
        location = data.get("location") or {}
        return cls(
            policy=data["policy"],
            status=data["status"],
            severity=data["severity"],
            resource=data["resource"],
            kind=data["kind"],
            source=data["source"],
            message=data["message"],
            name=data.get("name"),
            file=location.get("file"),
            line=location.get("line"),
            account=location.get("account"),
            region=location.get("region"),
            environment=data.get("environment"),
            scenario=data.get("scenario"),
            evidence=data.get("evidence") or {},
            waiver=data.get("waiver"),
        )
