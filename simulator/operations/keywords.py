"""Keywords of a phone number or pool (a pool starts with its first number's)."""

from __future__ import annotations

from .. import errors
from ..paging import apply_filters, page_result
from ..region import AccountRegion
from ..resources import Keyword, Pool
from . import operation

PROTECTED = {"HELP", "STOP"}  # [inf] the mandatory keywords cannot be removed


def _owner(part: AccountRegion, ref: str):
    owner = part.phone_or_pool(ref)
    ident = owner.pool_id if isinstance(owner, Pool) else owner.phone_number_id
    return owner, {"OriginationIdentityArn": owner.arn, "OriginationIdentity": ident}


@operation("PutKeyword")
def put_keyword(part: AccountRegion, params: dict) -> dict:
    owner, head = _owner(part, params["OriginationIdentity"])
    word = params["Keyword"]
    if word.upper() not in {k.upper() for k in owner.keywords}:
        quota = "KEYWORDS_PER_POOL" if isinstance(owner, Pool) else "KEYWORDS_PER_PHONE_NUMBER"
        part.require_quota(quota, quota, used=len(owner.keywords))
    kw = Keyword(word, params["KeywordMessage"], params.get("KeywordAction", "AUTOMATIC_RESPONSE"))
    owner.keywords[word] = kw
    return {**head, **kw.info()}


@operation("DescribeKeywords")
def describe_keywords(part: AccountRegion, params: dict) -> dict:
    owner, head = _owner(part, params["OriginationIdentity"])
    words = list(owner.keywords.values())
    if params.get("Keywords"):
        wanted = set(params["Keywords"])
        words = [k for k in words if k.keyword in wanted]
    words = apply_filters(words, params.get("Filters"), {"keyword-action": lambda k: k.action})
    result, _ = page_result("DescribeKeywords", "Keywords", words, params, Keyword.info)
    return {**head, **result}


@operation("DeleteKeyword")
def delete_keyword(part: AccountRegion, params: dict) -> dict:
    owner, head = _owner(part, params["OriginationIdentity"])
    word = params["Keyword"]
    kw = owner.keywords.get(word)
    if kw is None:
        raise errors.not_found("keyword", word)
    if word.upper() in PROTECTED:
        raise errors.conflict("RESOURCE_DELETION_NOT_ALLOWED", "keyword", word,
                              f"The keyword {word} is required and cannot be deleted.")
    del owner.keywords[word]
    return {**head, **kw.info()}
