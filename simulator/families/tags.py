"""Tags on any resource with an ARN (each family names the ARN types it answers for)."""

from __future__ import annotations

from ..wire.projection import tag_dict
from . import Family, operation


class Tags(Family):
    name = "tags"

    @operation("TagResource")
    def tag(self, params: dict) -> None:
        resource = self.region.by_arn(params["ResourceArn"])
        merged = {**resource.tags, **tag_dict(params["Tags"])}
        self.region.require_quota("TAGS_PER_RESOURCE", "TAGS_PER_RESOURCE", used=len(merged),
                                  adding=0)
        resource.tags = merged

    @operation("UntagResource")
    def untag(self, params: dict) -> None:
        resource = self.region.by_arn(params["ResourceArn"])
        for key in params["TagKeys"]:
            resource.tags.pop(key, None)

    @operation("ListTagsForResource")
    def list(self, params: dict) -> dict:
        return {"ResourceArn": params["ResourceArn"],
                "Tags": self.region.by_arn(params["ResourceArn"]).tags}
