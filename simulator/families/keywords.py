"""Keywords of a phone number or pool (a pool starts with its first number's).

"Keywords are case insensitive" [doc: sms-voice/latest/userguide/keywords.html]: each
owner holds one entry per keyword, stored (and answered) upper-case, so `stop` and `STOP`
are the same keyword for PutKeyword, DescribeKeywords and DeleteKeyword alike.
"""

from __future__ import annotations

from ..wire import errors
from ..wire.paging import apply_filters, page_result
from . import Family, operation
from .parts import Keyword, default_keywords

# HELP and STOP are mandatory: "Keywords "HELP" and "STOP" can't be deleted or modified"
# [model: DeleteKeyword], and CloudFormation's MandatoryKeyword sets only their Message
# [doc]: their actions (STOP opts out, HELP answers) belong to AWS, their messages to you.
MANDATORY = {word: kw.action for word, kw in default_keywords().items()}
DEFAULT_ACTION = "AUTOMATIC_RESPONSE"  # [model: KeywordAction is optional] [inf: the default]


def folded(word: str) -> str:
    """A keyword upper-cased letter by letter, a letter whose capital is longer kept as given
    (`ß` -> `SS` would let a 30-letter keyword come back 60 long, past the model's max) [inf]."""
    return "".join(upper if len(upper := letter.upper()) == 1 else letter for letter in word)


def canonical(word: str) -> str:
    """The stored form of a keyword; one that starts or ends with a space is refused, as
    AWS documents ("can't start or end with a space" [doc]; the model's pattern allows it)."""
    if word != word.strip():
        raise errors.validation(
            "INVALID_PARAMETER", f"The keyword {word!r} cannot start or end with a space.",
            [{"Name": "Keyword", "Message": "Cannot start or end with a space"}])
    return folded(word)


def keywords_of(owner) -> dict[str, Keyword]:
    """The owner's keywords keyed upper-case. A table saved before keywords were
    case-insensitive may hold `stop` beside `STOP`: they fold into one entry, the upper-case
    one winning (it is the one AWS manages), so such a state reads the same as a new one."""
    table = owner.keywords
    if all(word == folded(word) == kw.keyword for word, kw in table.items()):
        return table
    merged: dict[str, Keyword] = {}
    for word, kw in table.items():
        key = folded(word)
        if key not in merged or word == key:
            merged[key] = Keyword(key, kw.message, kw.action)
    owner.keywords = merged
    return merged


def _action(word: str, asked: str | None, old: Keyword | None) -> str:
    """The action a PutKeyword stores: a mandatory keyword keeps its own (asking for
    another is refused, loudly, rather than dropped); another keyword takes the one asked
    for, else keeps the one it had, else AUTOMATIC_RESPONSE [inf]."""
    if word in MANDATORY:
        if asked is not None and asked != MANDATORY[word]:
            raise errors.conflict(
                "RESOURCE_MODIFICATION_NOT_ALLOWED", "keyword", word,
                f"{word} is a mandatory keyword: its action is {MANDATORY[word]} and cannot be "
                "changed; only its message can.")
        return MANDATORY[word]
    if asked is not None:
        return asked
    return old.action if old is not None else DEFAULT_ACTION


def _check_carrier_managed(owner, word: str, action: str) -> None:
    """"For US toll-free numbers, opt-outs are managed at the carrier level. The only
    supported opt-out keyword for a US toll-free number is STOP. You can't add additional
    opt-out keywords, or change the response message that your recipients get when they
    opt-out" [doc: keywords-required.html]. Refused like a mandatory keyword's action [inf]."""
    if getattr(owner, "number_type", None) != "TOLL_FREE" or owner.iso_country_code != "US":
        return
    if word == "STOP" or action == "OPT_OUT":
        raise errors.conflict(
            "RESOURCE_MODIFICATION_NOT_ALLOWED", "keyword", word,
            f"{owner.phone_number} is a US toll-free number: carriers manage its opt-outs, so STOP "
            "is its only opt-out keyword and its response cannot be changed.")


class Keywords(Family):
    """Keywords live on their owner (a number or a pool); this family holds the rules."""

    name = "keywords"

    @operation("PutKeyword")
    def put(self, params: dict) -> tuple:
        owner = self.region.pools.keyword_owner(params["OriginationIdentity"], "PutKeyword")
        word = canonical(params["Keyword"])
        table = keywords_of(owner)
        old = table.get(word)
        action = _action(word, params.get("KeywordAction"), old)
        _check_carrier_managed(owner, word, action)
        if old is None:
            quota = "KEYWORDS_PER_POOL" if owner.FAMILY == "pools" else "KEYWORDS_PER_PHONE_NUMBER"
            self.region.require_quota(quota, quota, used=len(table))
        kw = Keyword(word, params["KeywordMessage"], action)
        table[word] = kw
        return (owner, kw)

    @operation("DescribeKeywords")
    def describe(self, params: dict) -> tuple:
        owner = self.region.pools.keyword_owner(params["OriginationIdentity"], "DescribeKeywords")
        words = list(keywords_of(owner).values())
        if params.get("Keywords"):
            wanted = {folded(word) for word in params["Keywords"]}
            words = [k for k in words if k.keyword in wanted]
        words = apply_filters(words, params.get("Filters"), {"keyword-action": lambda k: k.action})
        return (page_result("DescribeKeywords", "Keywords", words, params)[0], owner)

    @operation("DeleteKeyword")
    def delete(self, params: dict) -> tuple:
        owner = self.region.pools.keyword_owner(params["OriginationIdentity"], "DeleteKeyword")
        word = folded(params["Keyword"])
        table = keywords_of(owner)
        kw = table.get(word)
        if kw is None:
            raise errors.not_found("keyword", params["Keyword"])
        if word in MANDATORY:
            raise errors.conflict("RESOURCE_DELETION_NOT_ALLOWED", "keyword", word,
                                  f"The keyword {word} is required and cannot be deleted.")
        del table[word]
        return (owner, kw)
