"""Keys and storage: KMS keys and aliases, S3 buckets and their policies, the replication role."""
from __future__ import annotations

import json
import time
from typing import Any

from ...errors import InputError
from ..aws import error_code, paginate
from ..blueprint import ID_TAG, RETAINED_TAG, STACK_TAG
from .base import CannotUpdate, Found, Handler, Live, Op, Scope, found, of_stack, retained_tags, tag_dict

DENIED = ("AccessDeniedException", "AccessDenied")
PRINCIPAL_PROPAGATION = (2, 4, 8, 16, None)  # seconds between attempts; None: the last one


def _kms_tags(kms: Any, key_id: str) -> dict[str, str]:
    return tag_dict(paginate(kms, "list_resource_tags", "Tags", KeyId=key_id), "TagKey", "TagValue")


def _tagged_keys(scope: Op | Scope, *id_tag: str) -> list[tuple[dict[str, Any], dict[str, str]]]:
    """(metadata, tags) of the region's keys tagged with the stack (and the logical id),
    found through the tagging API: never a look at every key of a shared account, and a
    key the caller may not describe is passed over. Keys pending deletion are gone."""
    filters = [{"Key": STACK_TAG, "Values": [scope.stack]}] + [{"Key": ID_TAG, "Values": [i]} for i in id_tag]
    mappings = paginate(scope.client("resourcegroupstaggingapi"), "get_resources", "ResourceTagMappingList",
                        TagFilters=filters, ResourceTypeFilters=["kms:key"])
    keys = []
    for mapping in mappings:
        try:
            meta = scope.client("kms").describe_key(KeyId=mapping["ResourceARN"])["KeyMetadata"]
        except Exception as exc:
            if error_code(exc) in DENIED:
                continue
            raise
        if meta["KeyState"] != "PendingDeletion":
            keys.append((meta, tag_dict(mapping.get("Tags"))))
    return keys


class KmsKey(Handler):
    """A customer managed key. Found by its alias, else (an apply interrupted before the
    alias) by the stack's tags; keys pending deletion are gone as far as the stack is
    concerned. destroy keeps a key while something kept (a bucket, a final snapshot)
    is encrypted with it."""

    type = "AWS::KMS::Key"
    immutable = frozenset({"KeySpec", "KeyUsage"})
    reads = ("kms:DescribeKey", "kms:ListResourceTags", "kms:GetKeyRotationStatus", "kms:GetKeyPolicy",
             "resourcegroupstaggingapi:GetResources")
    writes = ("kms:CreateKey", "kms:EnableKeyRotation", "kms:DisableKeyRotation", "kms:PutKeyPolicy",
              "kms:UpdateKeyDescription", "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion")

    def find(self, op: Op) -> Live | None:
        kms = op.client("kms")
        try:
            meta = kms.describe_key(KeyId=f"alias/{op.node.title}")["KeyMetadata"]
        except Exception as exc:
            if error_code(exc) != "NotFoundException":
                raise
        else:
            if meta["KeyState"] != "PendingDeletion":
                tags = _kms_tags(kms, meta["KeyId"])
                if op.owns(tags):
                    return self._live(op, meta, tags)
        for meta, tags in _tagged_keys(op, op.node.logical_id):
            return self._live(op, meta, tags)
        return None

    def tagged(self, scope: Scope) -> list[Found]:
        return [found(self.type, scope.region, tags, Live(meta["KeyId"], {"Arn": meta["Arn"], "KeyId": meta["KeyId"]},
                                                          {"Tags": tags}))
                for meta, tags in _tagged_keys(scope) if ID_TAG in tags]

    def _live(self, op: Op, meta: dict[str, Any], tags: dict[str, str]) -> Live:
        kms, key_id = op.client("kms"), meta["KeyId"]
        rotation = kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"]
        policy = json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])
        return Live(key_id, {"Arn": meta["Arn"], "KeyId": key_id}, {
            "Description": meta.get("Description"), "EnableKeyRotation": rotation,
            "KeySpec": meta.get("KeySpec"), "KeyUsage": meta.get("KeyUsage"), "KeyPolicy": policy, "Tags": tags})

    def create(self, op: Op) -> Live:
        p, kms = op.props, op.client("kms")
        settings = {"Description": p["Description"], "KeyUsage": p["KeyUsage"], "KeySpec": p["KeySpec"],
                    "Policy": json.dumps(p["KeyPolicy"]),
                    "Tags": [{"TagKey": k, "TagValue": v} for k, v in op.tags.items()]}
        for delay in PRINCIPAL_PROPAGATION:
            try:
                meta = kms.create_key(**settings)["KeyMetadata"]
                break
            except Exception as exc:
                # A principal the policy names (a service-linked role created a moment ago)
                # may not be visible to KMS yet: IAM changes take seconds to propagate.
                if error_code(exc) != "MalformedPolicyDocumentException" or delay is None:
                    raise
                time.sleep(delay)
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
            if RETAINED_TAG in live.current.get("Tags", {}):  # kept by a destroy, taken back
                kms.untag_resource(KeyId=live.id, TagKeys=[RETAINED_TAG])
        return live

    def delete(self, op: Op, live: Live) -> None:
        # KMS never deletes a key at once: the shortest wait is seven days.
        days = int(op.props.get("PendingWindowInDays", 7))
        op.client("kms").schedule_key_deletion(KeyId=live.id, PendingWindowInDays=days)
        op.notes.append(f"key {live.id} is scheduled for deletion in {days} days (KMS waits at least seven)")

    def retain(self, op: Op, live: Live) -> None:
        kms = op.client("kms")
        kms.tag_resource(KeyId=live.id, Tags=[{"TagKey": RETAINED_TAG, "TagValue": op.stack}])
        kms.untag_resource(KeyId=live.id, TagKeys=[STACK_TAG])


class KmsAlias(Handler):
    type = "AWS::KMS::Alias"
    reads = ("kms:ListAliases",)
    writes = ("kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias")

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
    replication and tags, each set by its own call. destroy keeps buckets (data) unless
    told to delete them."""

    type = "AWS::S3::Bucket"
    account_wide = True
    reads = ("s3:ListBuckets", "s3:HeadBucket", "s3:GetBucketLocation", "s3:GetBucketTagging",
             "s3:GetBucketEncryption", "s3:GetBucketVersioning", "s3:GetPublicAccessBlock",
             "s3:GetBucketOwnershipControls", "s3:GetBucketReplication", "s3:ListObjectVersions")
    writes = ("s3:CreateBucket", "s3:PutBucketTagging", "s3:PutBucketOwnershipControls", "s3:PutPublicAccessBlock",
              "s3:DeletePublicAccessBlock", "s3:PutBucketEncryption", "s3:PutBucketVersioning",
              "s3:PutBucketReplication", "s3:DeleteBucketReplication", "s3:DeleteObjects", "s3:DeleteBucket")
    implied = {"iam:PassRole": "S3 replication runs as the stack's replication role"}

    def tagged(self, scope: Scope) -> list[Found]:
        """The stack's buckets in every region; with --delete-buckets, those kept by an
        earlier removal of the stack too."""
        retained = scope.options.delete_buckets
        return [found(self.type, region, tags, Live(name, _bucket_attrs(name)))
                for name, tags, region in self._named(scope)
                if scope.mine(tags) or (retained and tags.get(RETAINED_TAG) == scope.stack and ID_TAG in tags)]

    def kept_before(self, scope: Scope) -> list[tuple[str, str]]:
        return [(key, f"bucket {name}") for name, tags, region in self._named(scope)
                if tags.get(RETAINED_TAG) == scope.stack for key in _bucket_keys(scope.client("s3", region), name)]

    def _named(self, scope: Scope) -> list[tuple[str, dict[str, str], str]]:
        """(name, tags, region) of the buckets named '<stack>-...' (the stack names its
        buckets after itself): only those are asked for their tags and region."""
        s3 = scope.client("s3")
        named = []
        for bucket in s3.list_buckets().get("Buckets", []):
            name = bucket["Name"]
            if name.startswith(f"{scope.stack}-"):
                tagging = _get(s3.get_bucket_tagging, ("NoSuchTagSet", "NoSuchBucket"), Bucket=name)
                tags = tag_dict(tagging["TagSet"]) if tagging else {}
                if of_stack(tags, scope.stack):
                    region = s3.get_bucket_location(Bucket=name).get("LocationConstraint") or "us-east-1"
                    named.append((name, tags, region))
        return named

    def kept(self, op: Op) -> str | None:
        return None if op.options.delete_buckets else "buckets are kept (--delete-buckets deletes them)"

    def retain(self, op: Op, live: Live) -> None:
        s3 = op.client("s3")
        tagging = _get(s3.get_bucket_tagging, ("NoSuchTagSet",), Bucket=live.id)
        tags = retained_tags(tag_dict(tagging["TagSet"]) if tagging else {}, op.stack)
        s3.put_bucket_tagging(Bucket=live.id, Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in tags.items()]})

    def keys_used(self, op: Op, live: Live) -> set[str]:
        return _bucket_keys(op.client("s3"), live.id)

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


def _bucket_keys(s3: Any, name: str) -> set[str]:
    """The KMS keys of a bucket's default encryption."""
    encryption = _get(s3.get_bucket_encryption, ("ServerSideEncryptionConfigurationNotFoundError",), Bucket=name)
    rules = encryption["ServerSideEncryptionConfiguration"]["Rules"] if encryption else []
    return {r["ApplyServerSideEncryptionByDefault"].get("KMSMasterKeyID") for r in rules} - {None}


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
    reads = ("s3:GetBucketPolicy",)
    writes = ("s3:PutBucketPolicy", "s3:DeleteBucketPolicy")

    def kept(self, op: Op) -> str | None:
        return Bucket().kept(op)  # kept with its bucket

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
    account_wide = True
    reads = ("iam:GetRole", "iam:ListRoles", "iam:ListRoleTags", "iam:ListRolePolicies", "iam:GetRolePolicy")
    writes = ("iam:CreateRole", "iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:DeleteRolePolicy",
              "iam:TagRole", "iam:DeleteRole")

    def tagged(self, scope: Scope) -> list[Found]:
        """The stack's roles: those named '<stack>-...', asked for their tags. IAM is global:
        they count as the stack's region's."""
        iam = scope.client("iam")
        swept = []
        for role in paginate(iam, "list_roles", "Roles"):
            name = role["RoleName"]
            if name.startswith(f"{scope.stack}-"):
                tags = tag_dict(paginate(iam, "list_role_tags", "Tags", RoleName=name))
                if scope.mine(tags):
                    swept.append(found(self.type, scope.region, tags, Live(name, {"Arn": role["Arn"]})))
        return swept

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


class ServiceLinkedRole(Handler):
    """A service-linked role the stack needs (blueprint.prerequisites): created when the
    account lacks it, never deleted, since other resources of the account use it too."""

    type = "AWS::IAM::ServiceLinkedRole"
    reads = ("iam:GetRole",)
    writes = ("iam:CreateServiceLinkedRole",)

    def find(self, op: Op) -> Live | None:
        try:
            role = op.client("iam").get_role(RoleName=op.node.logical_id)["Role"]
        except Exception as exc:
            if error_code(exc) == "NoSuchEntity":
                return None
            raise
        return Live(role["RoleName"], {"Arn": role["Arn"]})

    def create(self, op: Op) -> Live:
        role = op.client("iam").create_service_linked_role(AWSServiceName=op.props["AWSServiceName"])["Role"]
        op.notes.append(f"{role['RoleName']} belongs to the account: destroy leaves it")
        return Live(role["RoleName"], {"Arn": role["Arn"]})
