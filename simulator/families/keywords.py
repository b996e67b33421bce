"""Keywords of a phone number or pool (a pool starts with its first number's), and how an
inbound message matches one (`matching`).

"Keywords are case insensitive" [doc: sms-voice/latest/userguide/keywords.html]: each
owner holds one entry per keyword, stored (and answered) upper-case, so `stop` and `STOP`
are the same keyword for PutKeyword, DescribeKeywords and DeleteKeyword alike.
"""

from __future__ import annotations

from ..wire import errors
from ..wire.paging import apply_filters, page_result
from . import Family, operation
from .parts import Keyword, default_keywords, is_us_toll_free

# HELP and STOP are mandatory: "Keywords "HELP" and "STOP" can't be deleted or modified"
# [model: DeleteKeyword], and CloudFormation's MandatoryKeyword sets only their Message
# [doc]: their actions (STOP opts out, HELP answers) belong to AWS, their messages to you.
MANDATORY = {word: kw.action for word, kw in default_keywords().items()}
DEFAULT_ACTION = "AUTOMATIC_RESPONSE"  # [model: KeywordAction is optional] [inf: the default]
# The opt-out words AWS honours where the law requires them (the US and Canada), configured
# or not; STOPALL is not one [doc: keywords-required.html, opt-out-list-keywords.html].
OPT_OUT_WORDS = ("ARRET", "CANCEL", "END", "OPT-OUT", "OPTOUT", "QUIT", "REMOVE", "STOP", "TD",
                 "UNSUBSCRIBE")
OPT_OUT_COUNTRIES = frozenset({"US", "CA"})
# [inf] Punctuation a handset may put after the keyword ("STOP.", "Help!"); AWS documents
# only "begins with" and "case insensitive".
TRAILING_PUNCTUATION = ".,!?;:"


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


def matching(table: dict[str, Keyword], body: str, opt_out_words: bool) -> Keyword | None:
    """The keyword an inbound message begins with, or None.

    [doc: keywords.html] a keyword is triggered when the message begins with it, case
    insensitively ("HELP me understand" gets HELP's response [doc-v1]). [inf] The message is
    read as words (any whitespace between them, none before the first); a keyword matches when
    the message's first words are its words, the last one maybe followed by punctuation
    (TRAILING_PUNCTUATION); of several, the one with the most words (then letters) wins, so a
    configured `STOP ALL` beats `STOP`. `opt_out_words`: the ten opt-out words act as OPT_OUT
    keywords with STOP's message where none of that name is configured (US and Canada)."""
    words = folded(body).split()
    if not words:
        return None
    candidates = list(table.values())
    if opt_out_words:
        stop = table.get("STOP") or default_keywords()["STOP"]
        candidates += [Keyword(word, stop.message, "OPT_OUT") for word in OPT_OUT_WORDS
                       if word not in table]
    best: Keyword | None = None
    for kw in candidates:
        wanted = kw.keyword.split()
        head = words[:len(wanted)]
        if len(head) < len(wanted) or head[:-1] != wanted[:-1]:
            continue
        if head[-1] != wanted[-1] and head[-1].rstrip(TRAILING_PUNCTUATION) != wanted[-1]:
            continue
        if best is None or (len(wanted), len(kw.keyword)) > (len(best.keyword.split()), len(best.keyword)):
            best = kw
    return best


def inbound_table(owner) -> dict[str, Keyword]:
    """The keywords an inbound message to `owner` (a number, a pool, or None: an RCS agent
    outside a pool) is matched against: the owner's, HELP and STOP always among them [model:
    DeleteKeyword; inf for a pool learned from a recording, which shows none]."""
    own = keywords_of(owner) if owner is not None else {}
    return {**default_keywords(), **own} if "HELP" not in own or "STOP" not in own else own


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
    if not is_us_toll_free(owner):
        return
    if word == "STOP" or action == "OPT_OUT":
        raise errors.conflict(
            "RESOURCE_MODIFICATION_NOT_ALLOWED", "keyword", word,
            f"{owner.phone_number} is a US toll-free number: carriers manage its opt-outs, so STOP "
            "is its only opt-out keyword and its response cannot be changed.")


class Keywords(Family):
    """Keywords live on their owner (a number or a pool); this family holds the rules."""

    name = "keywords"

    # -- inbound messages (the inbound family asks) -------------------------------------------
    def answering(self, owner, body: str, country: str | None, carrier_managed: bool) -> Keyword | None:
        """The keyword an inbound message to `owner` begins with (`matching`): the owner is a
        number, a pool, or None (an RCS agent outside a pool); the opt-out words count where
        `country` is the US or Canada, except on a number whose carrier manages opt-outs."""
        return matching(inbound_table(owner), body,
                        country in OPT_OUT_COUNTRIES and not carrier_managed)

    @staticmethod
    def is_mandatory(word: str) -> bool:
        return word in MANDATORY

    @staticmethod
    def carrier_managed(identity) -> bool:
        """A US toll-free number: its carrier manages opt-outs [doc: keywords-required.html]."""
        return is_us_toll_free(identity)

    def _owner(self, params: dict, action: str) -> tuple:
        """The pool or phone number a keyword operation names, and its keywords."""
        owner = self.region.pools.keyword_owner(params["OriginationIdentity"], action)
        return owner, keywords_of(owner)

    @operation("PutKeyword")
    def put(self, params: dict) -> tuple:
        owner, table = self._owner(params, "PutKeyword")
        word = canonical(params["Keyword"])
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
        owner, table = self._owner(params, "DescribeKeywords")
        words = list(table.values())
        if params.get("Keywords"):
            wanted = {folded(word) for word in params["Keywords"]}
            words = [k for k in words if k.keyword in wanted]
        words = apply_filters(words, params.get("Filters"), {"keyword-action": lambda k: k.action})
        return (page_result("DescribeKeywords", "Keywords", words, params)[0], owner)

    @operation("DeleteKeyword")
    def delete(self, params: dict) -> tuple:
        owner, table = self._owner(params, "DeleteKeyword")
        word = folded(params["Keyword"])
        kw = table.get(word)
        if kw is None:
            raise errors.not_found("keyword", params["Keyword"])
        if word in MANDATORY:
            raise errors.conflict("RESOURCE_DELETION_NOT_ALLOWED", "keyword", word,
                                  f"The keyword {word} is required and cannot be deleted.")
        del table[word]
        return (owner, kw)
