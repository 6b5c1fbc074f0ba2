"""Secrets never leave the collector: they are removed from every response before it is kept.

The audit reads configuration, not data, but configuration carries secrets and account
data an auditor does not need. Removed, so that neither the inventory, a snapshot nor a
report ever holds them:

- user data scripts and environment variables (SECRET_KEYS), whatever their content;
- any value whose field name says it is a secret (password, secret, token, credentials,
  private key, key material, API or access key), except the names in NOT_SECRET
  (paging and idempotency tokens, the IMDS HttpTokens setting), and except a true/false
  flag, which says a secret is set, not what it is;
- the value of a tag whose key says it is a secret (``api_token``, ``db_password``);
- in resource policies (S3, SQS, SNS ``Policy``), the values of conditions on
  aws:Referer and aws:UserAgent, which are used as shared secrets, and of condition keys
  whose name says they are secrets;
- master user names (ACCOUNT_DATA): not secret, but no rule uses them.
"""
from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any

SECRET_KEYS = frozenset({
    "UserData",  # instance, launch template and launch configuration scripts
    "Variables",  # environment variables (Lambda, container definitions)
})
SECRET_NAME = re.compile(r"passw(or)?d|passphrase|secret|token|credential|private_?key|key_?material|"
                         r"api_?key|access_?key", re.IGNORECASE)
NOT_SECRET = frozenset({"NextToken", "ContinuationToken", "NextContinuationToken", "ClientToken", "CreationToken",
                        "IdempotencyToken", "HttpTokens"})
ACCOUNT_DATA = frozenset({"MasterUsername"})
SHARED_SECRET_CONDITIONS = frozenset({"aws:referer", "aws:useragent"})
TAG_FIELDS = (("Key", "Value"), ("TagKey", "TagValue"))
REDACTED = "(redacted)"


def names_a_secret(name: str) -> bool:
    return name not in NOT_SECRET and SECRET_NAME.search(name) is not None


def clean(value: Any) -> Any:
    """A JSON-ready copy without secrets: datetimes become ISO strings, bytes are dropped."""
    if isinstance(value, dict):
        return {key: _clean_field(key, item) for key, item in _tag_redacted(value).items() if key != "ResponseMetadata"}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return REDACTED
    return value


def _clean_field(key: str, value: Any) -> Any:
    if key in SECRET_KEYS or key in ACCOUNT_DATA:
        return REDACTED
    if names_a_secret(key) and not isinstance(value, bool) and value is not None:
        return REDACTED
    if key == "Policy" and isinstance(value, str):
        return scrub_policy(value)
    return clean(value)


def _tag_redacted(value: dict[str, Any]) -> dict[str, Any]:
    """A {Key, Value} tag whose key names a secret, with its value redacted."""
    for key_field, value_field in TAG_FIELDS:
        key = value.get(key_field)
        if isinstance(key, str) and value_field in value and names_a_secret(key):
            return {**value, value_field: REDACTED}
    return value


def scrub_policy(text: str) -> str:
    """A resource policy (JSON text) with shared-secret condition values redacted."""
    try:
        document = json.loads(text)
    except ValueError:
        return REDACTED  # not a policy document: nothing to judge, nothing to keep
    statements = document.get("Statement") if isinstance(document, dict) else None
    for statement in statements if isinstance(statements, list) else [statements]:
        conditions = statement.get("Condition") if isinstance(statement, dict) else None
        for operator in (conditions or {}).values() if isinstance(conditions, dict) else ():
            if not isinstance(operator, dict):
                continue
            for name in operator:
                if name.lower() in SHARED_SECRET_CONDITIONS or names_a_secret(name):
                    operator[name] = REDACTED
    return json.dumps(document, sort_keys=True)
