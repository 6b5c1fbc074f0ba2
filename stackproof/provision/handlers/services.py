"""The audit trail and the job queue."""
from __future__ import annotations

from typing import Any

from ..aws import error_code
from .base import Found, Handler, Live, Op, Scope, found, tag_dict


class Trail(Handler):
    type = "AWS::CloudTrail::Trail"
    reads = ("cloudtrail:DescribeTrails", "cloudtrail:ListTags", "cloudtrail:GetTrailStatus")
    writes = ("cloudtrail:CreateTrail", "cloudtrail:StartLogging", "cloudtrail:StopLogging", "cloudtrail:UpdateTrail",
              "cloudtrail:AddTags", "cloudtrail:DeleteTrail")

    def tagged(self, scope: Scope) -> list[Found]:
        """The stack's trails (named after it) whose home is this region."""
        trails = scope.client("cloudtrail")
        swept = []
        for trail in trails.describe_trails(includeShadowTrails=False)["trailList"]:
            if trail["Name"].startswith(scope.stack) and trail.get("HomeRegion", scope.region) == scope.region:
                tag_lists = trails.list_tags(ResourceIdList=[trail["TrailARN"]])["ResourceTagList"]
                tags = tag_dict(tag_lists[0].get("TagsList")) if tag_lists else {}
                if scope.mine(tags):
                    swept.append(found(self.type, scope.region, tags, Live(trail["Name"], {"Arn": trail["TrailARN"]})))
        return swept

    def find(self, op: Op) -> Live | None:
        trail_client, name = op.client("cloudtrail"), op.props["TrailName"]
        trails = trail_client.describe_trails(trailNameList=[name], includeShadowTrails=False)["trailList"]
        trail = next((t for t in trails if t["Name"] == name), None)
        if trail is None:
            return None
        tag_lists = trail_client.list_tags(ResourceIdList=[trail["TrailARN"]])["ResourceTagList"]
        tags = tag_dict(tag_lists[0].get("TagsList")) if tag_lists else {}
        op.check_owner(tags, f"trail {name}")
        status = trail_client.get_trail_status(Name=name)
        return Live(name, {"Arn": trail["TrailARN"]}, {
            "S3BucketName": trail.get("S3BucketName"), "IsMultiRegionTrail": trail.get("IsMultiRegionTrail"),
            "IncludeGlobalServiceEvents": trail.get("IncludeGlobalServiceEvents"),
            "EnableLogFileValidation": trail.get("LogFileValidationEnabled"), "KMSKeyId": trail.get("KmsKeyId"),
            "IsLogging": status.get("IsLogging"), "Tags": tags})

    def _settings(self, op: Op) -> dict[str, Any]:
        p = op.props
        settings = {"Name": p["TrailName"], "S3BucketName": p["S3BucketName"],
                    "IsMultiRegionTrail": p["IsMultiRegionTrail"],
                    "IncludeGlobalServiceEvents": p["IncludeGlobalServiceEvents"],
                    "EnableLogFileValidation": p["EnableLogFileValidation"]}
        if "KMSKeyId" in p:
            settings["KmsKeyId"] = p["KMSKeyId"]
        return settings

    def create(self, op: Op) -> Live:
        trail_client = op.client("cloudtrail")
        trail = trail_client.create_trail(**self._settings(op), TagsList=op.tag_list())
        if op.props["IsLogging"]:
            trail_client.start_logging(Name=op.props["TrailName"])
        return Live(op.props["TrailName"], {"Arn": trail["TrailARN"]})

    def update(self, op: Op, live: Live, changed: list[str]) -> Live:
        trail_client = op.client("cloudtrail")
        settings = self._settings(op)
        if "KMSKeyId" not in op.props and live.current.get("KMSKeyId"):
            settings["KmsKeyId"] = ""  # an empty key id turns log encryption off
        if set(changed) - {"IsLogging", "Tags"}:
            trail_client.update_trail(**settings)
        if "IsLogging" in changed:
            toggle = trail_client.start_logging if op.props["IsLogging"] else trail_client.stop_logging
            toggle(Name=live.id)
        if "Tags" in changed:
            trail_client.add_tags(ResourceId=live.attrs["Arn"], TagsList=op.tag_list())
        return live

    def changes(self, op: Op, live: Live) -> list[str]:
        changed = super().changes(op, live)
        if "KMSKeyId" not in op.props and live.current.get("KMSKeyId"):
            changed.append("KMSKeyId")
        return changed

    def delete(self, op: Op, live: Live) -> None:
        op.client("cloudtrail").delete_trail(Name=live.id)  # by name: moto 5.2 ignores an ARN here


QUEUE_ATTRIBUTES = ("KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds", "SqsManagedSseEnabled")


class Queue(Handler):
    type = "AWS::SQS::Queue"
    reads = ("sqs:GetQueueUrl", "sqs:ListQueues", "sqs:ListQueueTags", "sqs:GetQueueAttributes")
    writes = ("sqs:CreateQueue", "sqs:SetQueueAttributes", "sqs:TagQueue", "sqs:DeleteQueue")

    def tagged(self, scope: Scope) -> list[Found]:
        sqs = scope.client("sqs")
        swept = []
        for url in sqs.list_queues(QueueNamePrefix=f"{scope.stack}-").get("QueueUrls", []):
            tags = sqs.list_queue_tags(QueueUrl=url).get("Tags", {})
            if scope.mine(tags):
                swept.append(found(self.type, scope.region, tags, Live(url)))
        return swept

    def find(self, op: Op) -> Live | None:
        sqs, name = op.client("sqs"), op.props["QueueName"]
        try:
            url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
        except Exception as exc:
            if error_code(exc) in ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"):
                return None
            raise
        tags = sqs.list_queue_tags(QueueUrl=url).get("Tags", {})
        op.check_owner(tags, f"queue {name}")
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        current: dict[str, Any] = {k: attributes.get(k) for k in QUEUE_ATTRIBUTES}
        current["Tags"] = tags
        return Live(url, {"Arn": attributes["QueueArn"], "QueueName": name, "QueueUrl": url}, current)

    def _attributes(self, op: Op) -> dict[str, str]:
        attributes = {k: str(op.props[k]).lower() if isinstance(op.props[k], bool) else str(op.props[k])
                      for k in QUEUE_ATTRIBUTES if k in op.props}
        return attributes

    def create(self, op: Op) -> Live:
        sqs = op.client("sqs")
        url = sqs.create_queue(QueueName=op.props["QueueName"], Attributes=self._attributes(op),
                               tags=op.tags)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return Live(url, {"Arn": arn, "QueueName": op.props["QueueName"], "QueueUrl": url})

    def update(self, op: Op, live: Live, changed: list[str]) -> Live:
        sqs = op.client("sqs")
        attributes = {k: v for k, v in self._attributes(op).items() if k in changed}
        if attributes:
            sqs.set_queue_attributes(QueueUrl=live.id, Attributes=attributes)
        if "Tags" in changed:
            sqs.tag_queue(QueueUrl=live.id, Tags=op.tags)
        return live

    def delete(self, op: Op, live: Live) -> None:
        op.client("sqs").delete_queue(QueueUrl=live.id)
