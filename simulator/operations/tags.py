"""Tags on any resource with an ARN."""

from __future__ import annotations

from ..region import AccountRegion
from ..resources import tag_list
from . import operation


@operation("TagResource")
def tag_resource(part: AccountRegion, params: dict) -> dict:
    resource = part.by_arn(params["ResourceArn"])
    merged = {**resource.tags, **{t["Key"]: t["Value"] for t in params["Tags"]}}
    part.require_quota("TAGS_PER_RESOURCE", "TAGS_PER_RESOURCE", used=len(merged), adding=0)
    resource.tags = merged
    return {}


@operation("UntagResource")
def untag_resource(part: AccountRegion, params: dict) -> dict:
    resource = part.by_arn(params["ResourceArn"])
    for key in params["TagKeys"]:
        resource.tags.pop(key, None)
    return {}


@operation("ListTagsForResource")
def list_tags_for_resource(part: AccountRegion, params: dict) -> dict:
    resource = part.by_arn(params["ResourceArn"])
    return {"ResourceArn": params["ResourceArn"], "Tags": tag_list(resource.tags)}
