"""Keywords of a phone number or pool (a pool starts with its first number's)."""

from __future__ import annotations

from .. import errors
from ..paging import apply_filters, page_result
from ..resources import Keyword
from . import Family, operation, register

PROTECTED = {"HELP", "STOP"}  # [inf] the mandatory keywords cannot be removed


@register
class Keywords(Family):
    """Keywords live on their owner (a number or a pool); this family holds the rules."""

    name = "keywords"

    @operation("PutKeyword")
    def put(self, params: dict) -> tuple:
        owner = self.region.pools.keyword_owner(params["OriginationIdentity"])
        word = params["Keyword"]
        if word.upper() not in {k.upper() for k in owner.keywords}:
            quota = "KEYWORDS_PER_POOL" if owner.FAMILY == "pools" else "KEYWORDS_PER_PHONE_NUMBER"
            self.region.require_quota(quota, quota, used=len(owner.keywords))
        kw = Keyword(word, params["KeywordMessage"], params.get("KeywordAction", "AUTOMATIC_RESPONSE"))
        owner.keywords[word] = kw
        return (owner, kw)

    @operation("DescribeKeywords")
    def describe(self, params: dict) -> tuple:
        owner = self.region.pools.keyword_owner(params["OriginationIdentity"])
        words = list(owner.keywords.values())
        if params.get("Keywords"):
            wanted = set(params["Keywords"])
            words = [k for k in words if k.keyword in wanted]
        words = apply_filters(words, params.get("Filters"), {"keyword-action": lambda k: k.action})
        return (page_result("DescribeKeywords", "Keywords", words, params)[0], owner)

    @operation("DeleteKeyword")
    def delete(self, params: dict) -> tuple:
        owner = self.region.pools.keyword_owner(params["OriginationIdentity"])
        word = params["Keyword"]
        kw = owner.keywords.get(word)
        if kw is None:
            raise errors.not_found("keyword", word)
        if word.upper() in PROTECTED:
            raise errors.conflict("RESOURCE_DELETION_NOT_ALLOWED", "keyword", word,
                                  f"The keyword {word} is required and cannot be deleted.")
        del owner.keywords[word]
        return (owner, kw)
