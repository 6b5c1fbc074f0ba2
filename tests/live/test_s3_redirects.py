"""S3 redirects during an audit. A bucket whose location could not be read is read from
the audit's first region; S3 answers a call for a bucket elsewhere with a redirect, and
when the error does not name the bucket's region, botocore HEADs the bucket to find it.
That HeadBucket goes through the same read-only clients: the guard lets it through (a
read of the bucket's region), it needs no IAM permission (S3 names the region even in a
denial), and if the guard refused a call botocore makes on its own, the read it was
completing becomes UNKNOWN with the reason, never a crash of the audit."""
from __future__ import annotations

import pytest

from stackproof.loaders.live import guard
from stackproof.loaders.live.calllog import CallLog
from stackproof.rules import PASS, UNKNOWN
from tests.live.faults import Faults
from tests.live.server import audit, evaluate

KEPT, AWAY = "arn:aws:s3:::kept-here", "arn:aws:s3:::kept-away"


@pytest.fixture
def buckets(moto):
    """Two KMS-encrypted buckets, one in the audited region, one in eu-west-1."""
    clients = moto.clients()
    for name, region in (("kept-here", "eu-west-2"), ("kept-away", "eu-west-1")):
        key = clients("kms", region).create_key()["KeyMetadata"]["Arn"]
        clients("s3", region).create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
        clients("s3", region).put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": [
            {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key}}]})
    return moto


def redirected(*more: Faults) -> Faults:
    """kept-away's location cannot be read, and its first GetBucketEncryption is answered with
    a redirect that does not say where the bucket is (as S3 may for opt-in regions)."""
    faults = Faults().error(403, "AccessDenied", "Access Denied", service="s3", operation="GetBucketLocation",
                            url_contains="/kept-away")
    return faults.error(301, "PermanentRedirect", "The bucket you are attempting to access must be addressed "
                        "using the specified endpoint.", service="s3", operation="GetBucketEncryption",
                        url_contains="/kept-away", times=1)


def encryption(inventory, catalogue):
    return {r.resource: r for r in evaluate(inventory, catalogue) if r.policy == "s3_bucket_encrypted"}


def test_a_redirect_that_does_not_name_the_region_is_followed(buckets, catalogue):
    log = CallLog()
    faults = redirected()
    _, inventory = audit(buckets, ["eu-west-2"], hooks=[faults.hook, log.install], services=["s3"])
    assert faults.count("GetBucketEncryption") == 1  # the redirect was answered
    assert log.calls[("s3", "HeadBucket")] == 1  # botocore found the region
    found = encryption(inventory, catalogue)
    assert found[AWAY].status == PASS and found[KEPT].status == PASS


def test_a_denied_head_bucket_still_names_the_region(buckets, catalogue):
    # S3 sends x-amz-bucket-region with a denial: the redirect needs no s3:ListBucket
    faults = redirected().error(403, "403", "Forbidden", service="s3", operation="HeadBucket",
                                headers={"x-amz-bucket-region": "eu-west-1"})
    _, inventory = audit(buckets, ["eu-west-2"], hooks=[faults.hook], services=["s3"])
    assert faults.count("HeadBucket") == 1
    assert encryption(inventory, catalogue)[AWAY].status == PASS


def test_a_call_the_guard_refuses_inside_a_read_makes_only_that_read_unknown(buckets, catalogue, monkeypatch):
    allowed = guard.is_allowed
    monkeypatch.setattr(guard, "is_allowed", lambda service, operation: (service, operation) != ("s3", "HeadBucket")
                        and allowed(service, operation))
    log = CallLog()
    _, inventory = audit(buckets, ["eu-west-2"], hooks=[redirected().hook, log.install], services=["s3"])
    assert log.calls[("s3", "HeadBucket")] == 0  # refused before it was sent
    found = encryption(inventory, catalogue)
    assert found[AWAY].status == UNKNOWN
    assert "GetBucketEncryption failed: refused s3:HeadBucket" in found[AWAY].message
    assert found[KEPT].status == PASS  # the audit went on
    (entry,) = [e for e in inventory.run_info["not_assessed"] if e["call"] == "GetBucketEncryption"]
    assert entry["count"] == 1 and entry["reason"].startswith("refused s3:HeadBucket")
