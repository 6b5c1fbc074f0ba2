"""Keys and storage: KMS keys and aliases, S3 buckets and their policies, the replication role."""
from __future__ import annotations

import json
from typing import Any

from ...errors import InputError
from ..aws import error_code, paginate
from ..blueprint import ID_TAG, STACK_TAG
from .base import CannotUpdate, Handler, Live, Op, tag_dict


def _kms_tags(kms: Any, key_id: str) -> dict[str, str]:
    return tag_dict(paginate(kms, "list_resource_tags", "Tags", KeyId=key_id), "TagKey", "TagValue")


class KmsKey(Handler):
    """A customer managed key. Found by its alias, else (an apply interrupted before the
    alias) by scanning the account's keys for the stack's tags; keys pending deletion
    are gone as far as the stack is concerned."""

    type = "AWS::KMS::Key"
    immutable = frozenset({"KeySpec", "KeyUsage"})

    def find(self, op: Op) -> Live | None:
        kms = op.client("kms")
        alias = f"alias/{op.node.title}"
        try:
            meta = kms.describe_key(KeyId=alias)["KeyMetadata"]
            candidates = [meta] if meta["KeyState"] != "PendingDeletion" else []
        except Exception as exc:
            if error_code(exc) != "NotFoundException":
                raise
            candidates = []
        if not candidates:
            candidates = self._scan(op)
        for meta in candidates:
            tags = _kms_tags(kms, meta["KeyId"])
            if tags.get(STACK_TAG) == op.stack and tags.get(ID_TAG) == op.node.logical_id:
                return self._live(op, meta, tags)
        return None

    def _scan(self, op: Op) -> list[dict[str, Any]]:
        kms = op.client("kms")
        found = []
        for key in paginate(kms, "list_keys", "Keys"):
            meta = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
            if meta.get("KeyManager") == "CUSTOMER" and meta["KeyState"] != "PendingDeletion":
                found.append(meta)
        return found

    def _live(self, op: Op, meta: dict[str, Any], tags: dict[str, str]) -> Live:
        kms, key_id = op.client("kms"), meta["KeyId"]
        rotation = kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"]
        policy = json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])
        return Live(key_id, {"Arn": meta["Arn"], "KeyId": key_id}, {
            "Description": meta.get("Description"), "EnableKeyRotation": rotation,
            "KeySpec": meta.get("KeySpec"), "KeyUsage": meta.get("KeyUsage"), "KeyPolicy": policy, "Tags": tags})

    def create(self, op: Op) -> Live:
        p, kms = op.props, op.client("kms")
        meta = kms.create_key(Description=p["Description"], KeyUsage=p["KeyUsage"], KeySpec=p["KeySpec"],
                              Policy=json.dumps(p["KeyPolicy"]),
                              Tags=[{"TagKey": k, "TagValue": v} for k, v in op.tags.items()])["KeyMetadata"]
        if p["EnableKeyRotation"]:
            kms.enable_key_rotation(KeyId=meta["KeyId"])
        return Live(meta["KeyId"], {"Arn": meta["Arn"], "KeyId": meta["KeyId"]})

    def update(self, op: Op, live: Live, changed: list[str]) -> Live:
        blocked = [f for f in changed if f in self.immutable]
        if blocked:
            raise CannotUpdate(blocked)
        p, kms = op.props, op.client("kms")
        if "EnableKeyRotation" in changed:
            (kms.enable_key_rotation if p["EnableKeyRotation"] else kms.disable_key_rotation)(KeyId=live.id)
        if "KeyPolicy" in changed:
            kms.put_key_policy(KeyId=live.id, PolicyName="default", Policy=json.dumps(p["KeyPolicy"]))
        if "Description" in changed:
            kms.update_key_description(KeyId=live.id, Description=p["Description"])
        if "Tags" in changed:
            kms.tag_resource(KeyId=live.id, Tags=[{"TagKey": k, "TagValue": v} for k, v in op.tags.items()])
        return live

    def delete(self, op: Op, live: Live) -> None:
        # KMS never deletes a key at once: the shortest wait is seven days.
        op.client("kms").schedule_key_deletion(KeyId=live.id, PendingWindowInDays=int(op.props["PendingWindowInDays"]))
        op.notes.append(f"key {live.id} is scheduled for deletion in {op.props['PendingWindowInDays']} days "
                        "(KMS waits at least seven)")


class KmsAlias(Handler):
    type = "AWS::KMS::Alias"

    def find(self, op: Op) -> Live | None:
        name = op.props["AliasName"]
        for alias in paginate(op.client("kms"), "list_aliases", "Aliases"):
            if alias["AliasName"] == name:
                return Live(name, {}, {"TargetKeyId": alias.get("TargetKeyId")})
        return None

    def create(self, op: Op) -> Live:
        op.client("kms").create_alias(AliasName=op.props["AliasName"], TargetKeyId=op.props["TargetKeyId"])
        return Live(op.props["AliasName"])

    def update(self, op: Op, live: Live, changed: list[str]) -> Live:
        op.client("kms").update_alias(AliasName=live.id, TargetKeyId=op.props["TargetKeyId"])
        return live

    def delete(self, op: Op, live: Live) -> None:
        op.client("kms").delete_alias(AliasName=live.id)


def _get(call: Any, missing: tuple[str, ...], **kwargs: Any) -> dict[str, Any] | None:
    """A bucket configuration, or None when the bucket has none."""
    try:
        return call(**kwargs)
    except Exception as exc:
        if error_code(exc) in missing:
            return None
        raise


class Bucket(Handler):
    """An S3 bucket with its encryption, versioning, public access block, ownership,
    replication and tags, each set by its own call."""

    type = "AWS::S3::Bucket"

    def find(self, op: Op) -> Live | None:
        s3, name = op.client("s3"), op.props["BucketName"]
        try:
            s3.head_bucket(Bucket=name)
        except Exception as exc:
            code = error_code(exc)
            if code in ("404", "NoSuchBucket", "NotFound"):
                return None
            if code in ("403", "Forbidden", "AccessDenied"):
                raise InputError(op.where(), f"bucket name {name} is taken by another account; bucket names are "
                                             "global, so choose another stack name") from None
            raise
        location = s3.get_bucket_location(Bucket=name).get("LocationConstraint") or "us-east-1"
        if location != op.region:
            raise InputError(op.where(), f"bucket {name} already exists in {location}, not {op.region}")
        tagging = _get(s3.get_bucket_tagging, ("NoSuchTagSet",), Bucket=name)
        tags = tag_dict(tagging["TagSet"]) if tagging else {}
        if tags:  # an untagged bucket of this exact name is ours, from an apply interrupted after create_bucket
            op.check_owner(tags, f"bucket {name}")
        return Live(name, _bucket_attrs(name), self._current(op, name, tags))

    def _current(self, op: Op, name: str, tags: dict[str, str]) -> dict[str, Any]:
        s3 = op.client("s3")
        current: dict[str, Any] = {"Tags": tags}
        encryption = _get(s3.get_bucket_encryption, ("ServerSideEncryptionConfigurationNotFoundError",), Bucket=name)
        current["BucketEncryption"] = {"ServerSideEncryptionConfiguration": [
            {"ServerSideEncryptionByDefault": r.get("ApplyServerSideEncryptionByDefault"),
             "BucketKeyEnabled": r.get("BucketKeyEnabled", False)}
            for r in encryption["ServerSideEncryptionConfiguration"]["Rules"]]} if encryption else None
        versioning = s3.get_bucket_versioning(Bucket=name)
        current["VersioningConfiguration"] = {"Status": versioning["Status"]} if versioning.get("Status") else None
        block = _get(s3.get_public_access_block, ("NoSuchPublicAccessBlockConfiguration",), Bucket=name)
        current["PublicAccessBlockConfiguration"] = block["PublicAccessBlockConfiguration"] if block else None
        ownership = _get(s3.get_bucket_ownership_controls, ("OwnershipControlsNotFoundError",), Bucket=name)
        current["OwnershipControls"] = ({"Rules": ownership["OwnershipControls"]["Rules"]} if ownership else None)
        replication = _get(s3.get_bucket_replication, ("ReplicationConfigurationNotFoundError",), Bucket=name)
        current["ReplicationConfiguration"] = _replication_cfn(replication["ReplicationConfiguration"]) \
            if replication else None
        return current

    def changes(self, op: Op, live: Live) -> list[str]:
        changed = super().changes(op, live)
        # Configurations the blueprint leaves out must be absent too.
        for key in ("PublicAccessBlockConfiguration", "ReplicationConfiguration"):
            if key not in op.props and live.current.get(key) is not None:
                changed.append(key)
        return changed

    def comparable(self, key: str, value: Any) -> Any:
        if key == "ReplicationConfiguration" and isinstance(value, dict):
            # moto 5.2 does not report DeleteMarkerReplication and SourceSelectionCriteria
            # back as written, so only what decides where data goes is compared.
            return {"Role": value.get("Role"), "Rules": [
                {"Id": r.get("Id"), "Status": r.get("Status"), "Destination": r.get("Destination")}
                for r in value.get("Rules", [])]}
        return value

    def create(self, op: Op) -> Live:
        s3, name = op.client("s3"), op.props["BucketName"]
        settings: dict[str, Any] = {"Bucket": name}
        if op.region != "us-east-1":
            settings["CreateBucketConfiguration"] = {"LocationConstraint": op.region}
        s3.create_bucket(**settings)
        live = Live(name, _bucket_attrs(name), {})
        keys = ["Tags", "OwnershipControls", "PublicAccessBlockConfiguration", "BucketEncryption",
                "VersioningConfiguration", "ReplicationConfiguration"]
        return self.update(op, live, [k for k in keys if k in op.props or k == "Tags"])

    def update(self, op: Op, live: Live, changed: list[str]) -> Live:
        s3, name, p = op.client("s3"), live.id, op.props
        if "Tags" in changed:
            s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": op.tag_list()})
        if "OwnershipControls" in changed:
            s3.put_bucket_ownership_controls(Bucket=name, OwnershipControls=p["OwnershipControls"])
        if "PublicAccessBlockConfiguration" in changed:
            if "PublicAccessBlockConfiguration" in p:
                s3.put_public_access_block(Bucket=name,
                                           PublicAccessBlockConfiguration=p["PublicAccessBlockConfiguration"])
            else:
                s3.delete_public_access_block(Bucket=name)
        if "BucketEncryption" in changed:
            rules = [{"ApplyServerSideEncryptionByDefault": r["ServerSideEncryptionByDefault"],
                      "BucketKeyEnabled": r["BucketKeyEnabled"]}
                     for r in p["BucketEncryption"]["ServerSideEncryptionConfiguration"]]
            s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": rules})
        if "VersioningConfiguration" in changed:
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration=p["VersioningConfiguration"])
        if "ReplicationConfiguration" in changed:
            if "ReplicationConfiguration" in p:
                s3.put_bucket_replication(Bucket=name,
                                          ReplicationConfiguration=_replication_api(p["ReplicationConfiguration"]))
            else:
                s3.delete_bucket_replication(Bucket=name)
        return live

    def delete(self, op: Op, live: Live) -> None:
        s3 = op.client("s3")
        versions = paginate(s3, "list_object_versions", "Versions", Bucket=live.id)
        markers = paginate(s3, "list_object_versions", "DeleteMarkers", Bucket=live.id)
        objects = [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in versions + markers]
        for start in range(0, len(objects), 1000):  # the most DeleteObjects takes at once
            s3.delete_objects(Bucket=live.id, Delete={"Objects": objects[start:start + 1000], "Quiet": True})
        if objects:
            op.notes.append(f"emptied bucket {live.id} ({len(objects)} object versions)")
        s3.delete_bucket(Bucket=live.id)


def _bucket_attrs(name: str) -> dict[str, Any]:
    return {"Arn": f"arn:aws:s3:::{name}", "DomainName": f"{name}.s3.amazonaws.com"}


def _replication_cfn(config: dict[str, Any]) -> dict[str, Any]:
    """S3's replication configuration in CloudFormation's shape (ID -> Id)."""
    rules = []
    for rule in config.get("Rules", []):
        shaped = {("Id" if k == "ID" else k): v for k, v in rule.items()}
        rules.append(shaped)
    return {"Role": config.get("Role"), "Rules": rules}


def _replication_api(config: dict[str, Any]) -> dict[str, Any]:
    rules = [{("ID" if k == "Id" else k): v for k, v in rule.items()} for rule in config["Rules"]]
    return {"Role": config["Role"], "Rules": rules}


class BucketPolicy(Handler):
    type = "AWS::S3::BucketPolicy"

    def find(self, op: Op) -> Live | None:
        bucket = op.props["Bucket"]
        found = _get(op.client("s3").get_bucket_policy, ("NoSuchBucketPolicy",), Bucket=bucket)
        if found is None:
            return None
        return Live(bucket, {}, {"PolicyDocument": json.loads(found["Policy"])})

    def create(self, op: Op) -> Live:
        op.client("s3").put_bucket_policy(Bucket=op.props["Bucket"], Policy=json.dumps(op.props["PolicyDocument"]))
        return Live(op.props["Bucket"])

    def update(self, op: Op, live: Live, changed: list[str]) -> Live:
        return self.create(op)

    def delete(self, op: Op, live: Live) -> None:
        op.client("s3").delete_bucket_policy(Bucket=live.id)


class IamRole(Handler):
    type = "AWS::IAM::Role"

    def find(self, op: Op) -> Live | None:
        iam, name = op.client("iam"), op.props["RoleName"]
        try:
            role = iam.get_role(RoleName=name)["Role"]
        except Exception as exc:
            if error_code(exc) == "NoSuchEntity":
                return None
            raise
        tags = tag_dict(paginate(iam, "list_role_tags", "Tags", RoleName=name))
        op.check_owner(tags, f"IAM role {name}")
        policies = []
        for policy in paginate(iam, "list_role_policies", "PolicyNames", RoleName=name):
            document = iam.get_role_policy(RoleName=name, PolicyName=policy)["PolicyDocument"]
            policies.append({"PolicyName": policy, "PolicyDocument": _document(document)})
        return Live(name, {"Arn": role["Arn"], "RoleId": role["RoleId"]}, {
            "AssumeRolePolicyDocument": _document(role["AssumeRolePolicyDocument"]), "Policies": policies,
            "Tags": tags})

    def create(self, op: Op) -> Live:
        p, iam = op.props, op.client("iam")
        role = iam.create_role(RoleName=p["RoleName"], Tags=op.tag_list(),
                               AssumeRolePolicyDocument=json.dumps(p["AssumeRolePolicyDocument"]))["Role"]
        for policy in p["Policies"]:
            iam.put_role_policy(RoleName=p["RoleName"], PolicyName=policy["PolicyName"],
                                PolicyDocument=json.dumps(policy["PolicyDocument"]))
        return Live(p["RoleName"], {"Arn": role["Arn"], "RoleId": role["RoleId"]})

    def update(self, op: Op, live: Live, changed: list[str]) -> Live:
        p, iam = op.props, op.client("iam")
        if "AssumeRolePolicyDocument" in changed:
            iam.update_assume_role_policy(RoleName=live.id, PolicyDocument=json.dumps(p["AssumeRolePolicyDocument"]))
        if "Policies" in changed:
            wanted = {policy["PolicyName"] for policy in p["Policies"]}
            for policy in live.current.get("Policies", []):
                if policy["PolicyName"] not in wanted:
                    iam.delete_role_policy(RoleName=live.id, PolicyName=policy["PolicyName"])
            for policy in p["Policies"]:
                iam.put_role_policy(RoleName=live.id, PolicyName=policy["PolicyName"],
                                    PolicyDocument=json.dumps(policy["PolicyDocument"]))
        if "Tags" in changed:
            iam.tag_role(RoleName=live.id, Tags=op.tag_list())
        return live

    def delete(self, op: Op, live: Live) -> None:
        iam = op.client("iam")
        for policy in paginate(iam, "list_role_policies", "PolicyNames", RoleName=live.id):
            iam.delete_role_policy(RoleName=live.id, PolicyName=policy)
        iam.delete_role(RoleName=live.id)


def _document(value: Any) -> Any:
    """IAM returns policy documents decoded (boto3) or URL-encoded JSON (some endpoints)."""
    if isinstance(value, str):
        from urllib.parse import unquote

        return json.loads(unquote(value))
    return value
