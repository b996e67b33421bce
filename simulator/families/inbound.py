"""Inbound messages: what a handset's message to one of the account's numbers or RCS agents
does. This family resolves it — which identity receives, whose settings apply, the keyword it
begins with, the reply — and messaging/inbound.py takes it down the receive path (opt-out
list, reply down the one send path, record, two-way channel, metric). It keeps the
account-region's inbound log, and, as an after-send hook, what the receive path and the
service's metrics need of every send: the newest message each identity sent each handset
(previousPublishedMessageId) and the sent-message metrics (messaging/metrics.py).

Rules, and where they come from (docs/reference/inference.md, "Two-way"):
- only dedicated numbers receive; a sender ID never does [doc: two-way-sms.html]; a number
  receives text while it can send (ACTIVE, or moving in or out of a pool) [inf]; an
  MMS-capable number still receives SMS [doc], a voice-only one none [inf];
- a number in a pool answers with the pool's keywords and two-way channel, and its opt-outs go
  to the pool's list (which its own must match) [inf from doc: phone-pool.html, "must match";
  keywords-pool.html]; an RCS agent uses its own settings, and its pool's keywords when it is
  in one, HELP and STOP otherwise [inf: PutKeyword names a number or a pool];
- keywords act whether two-way is on or not (every long and short code answers HELP and
  STOP [doc: keywords.html]); only publishing needs two-way;
- with SelfManagedOptOutsEnabled, OPT_OUT and OPT_IN keywords and HELP neither change the list
  nor get a response: the program does it [model: SelfManagedOptOutsEnabled; doc-v1:
  "HELP and STOP ... routed to the SNS topic rather than responding"]; a custom
  AUTOMATIC_RESPONSE keyword still answers [inf];
- a US toll-free number's STOP is the carrier's: the carrier confirms it, the service sends
  nothing, the number is still opted out; its only opt-out word is STOP [doc:
  keywords-required.html; doc-v1];
- the response is an outbound message from the number (or agent) that received, down the one
  send path: priced, charged, its own message events, gated like any send (spend limit,
  sandbox, protect), but not refused for the opt-out it confirms [inf: a STOP must be
  confirmed to the number that just opted out, doc: keywords-required.html].
"""

from __future__ import annotations

import heapq
import re
from dataclasses import dataclass

from ..engine import arns
from ..messaging import metrics
from ..messaging.inbound import (
    LIST_ACTIONS,
    Inbound,
    InboundLog,
    InboundNotFound,
    InboundRecord,
    InboundRefused,
    TwoWay,
    check_body,
    check_handset,
    receive_message,
)
from ..messaging.lifecycle import UNKNOWN_AFTER, Message
from ..messaging.outcomes import WITHHELD
from ..messaging.send import Outbound, SentMessage
from ..wire import errors
from . import Family
from .parts import Keyword

LAST_SENT_LIMIT = 100_000  # (identity, handset) pairs remembered for previousPublishedMessageId
# Past the limit, the least recently sent-to pairs are forgotten this many at once (1%): one
# scan for many sends, not one per send.
LAST_SENT_PRUNE_SHARE = 100
TEXT_CAPABILITIES = frozenset({"SMS", "MMS"})  # an MMS number receives SMS replies [doc]
E164 = re.compile(r"^\+[1-9][0-9]{1,14}$")
SENDER_ID = re.compile(r"^[A-Za-z0-9 _.-]{1,11}$")
SPENT_CHANNELS = ("TEXT", "MEDIA", "VOICE")  # the channels with a monthly spend metric [doc]


@dataclass
class LastSent:
    """The newest message an identity (or its pool) sent a handset: a row of --state."""

    key: tuple[str, str]  # (the identity shown as origin, or the pool id; the handset)
    message_id: str
    stamp: int = 0  # which send it was, counted per account-region: higher is newer


def receiver_kind(to: object) -> str:
    """What `to` names: `number` (E.164), `phone` (a number's id or ARN) or `rcs` (an agent's
    id or ARN); InboundRefused for what cannot receive or is no address at all."""
    if not isinstance(to, str) or not to:
        raise InboundRefused('"to" must name the account\'s number (E.164), its id or ARN, or an '
                             "RCS agent's id or ARN")
    if E164.match(to):
        return "number"
    if to.startswith("rcs-") or ":rcs-agent/" in to:
        return "rcs"
    if to.startswith("phone-") or ":phone-number/" in to:
        return "phone"
    if arns.is_pool_reference(to):
        raise InboundRefused(f"{to} is a pool: a pool has no number of its own; a handset texts one "
                             "of its numbers")
    if ":sender-id/" in to or (SENDER_ID.match(to) and any(c.isalpha() for c in to)):
        raise InboundRefused(f"{to} is a sender ID: sender IDs cannot receive messages, only "
                             "dedicated phone numbers can (AWS: two-way-sms.html)")
    raise InboundRefused(f'"to" {to[:40]!r} is not an E.164 number (+ and digits), a phone '
                         "number's id or ARN, or an RCS agent's id or ARN")


class InboundMessages(Family):
    name = "inbound"

    def __init__(self, region):
        super().__init__(region)
        self.log = InboundLog(forget=region.changed)  # a dropped record's row goes (--state)
        # (identity shown as origin, or pool id; handset) -> the newest message sent; the
        # pairs least recently sent to are forgotten first, past last_sent_limit
        self.last_sent: dict[tuple[str, str], LastSent] = {}
        self.last_sent_limit = LAST_SENT_LIMIT
        self._sends = 0  # the newest LastSent.stamp

    # -- what receives -----------------------------------------------------------------
    def receiver(self, to: str):
        """The number or RCS agent `to` names, in this account-region (InboundNotFound)."""
        kind = receiver_kind(to)
        try:
            if kind == "rcs":
                return self.region.rcs_agents.get(to)
            if kind == "phone":
                return self.region.phone_numbers.get(to)
            return self.region.phone_numbers.by_e164(to)
        except errors.ServiceError:
            raise InboundNotFound(f"{to} is not a number or RCS agent of account "
                                  f"{self.region.account} in {self.region.region}") from None

    def owns(self, to: str) -> bool:
        try:
            self.receiver(to)
        except InboundNotFound:
            return False
        return True

    def receive(self, handset: str, to: str, body: str,
                previous: str | None = None) -> InboundRecord:
        """A handset's message to `to`, down the receive path (messaging/inbound.py)."""
        return receive_message(self.region, self.resolve(handset, to, body, previous))

    # -- resolving -----------------------------------------------------------------------
    def resolve(self, handset: str, to: str, body: str, previous: str | None) -> Inbound:
        """Every check first (nothing changes before the receive path runs)."""
        iso = check_handset(handset)
        identity = self.receiver(to)
        is_agent = identity.FAMILY == "rcs_agents"
        check_body(body, "RCS" if is_agent else "SMS")
        self._check_can_receive(identity, handset, iso)
        pool = self.region.pools.by_id(identity.pool_id) if identity.pool_id else None
        settings = identity if is_agent or pool is None else pool
        keywords = self.region.keywords
        carrier_stop = not is_agent and keywords.carrier_managed(identity)
        keyword = keywords.answering(pool if pool is not None else (None if is_agent else identity), body,
                                     iso if is_agent else identity.iso_country_code, carrier_stop)
        action = keyword.action if keyword is not None else None
        self_managed = settings.self_managed_opt_outs_enabled
        answered = keyword is not None and not (
            self_managed and (action in LIST_ACTIONS or keyword.keyword == "HELP"))
        origin = identity.id if is_agent else identity.phone_number
        previous = self._previous(origin, identity.pool_id, handset, previous)
        inbound_id = self.region.ids.message_id()  # every check passed: the seed moves now
        return Inbound(
            inbound_message_id=inbound_id, channel="RCS" if is_agent else "SMS",
            origination_number=handset, destination_number=origin, body=body, iso_country_code=iso,
            identity_id=identity.identity, identity_type="RCS_AGENT" if is_agent else "PHONE_NUMBER",
            pool_id=identity.pool_id, keyword=keyword.keyword if keyword else None, action=action,
            # [inf] the matched keyword, else the account's registered keyword KEYWORD_<account>
            # (captured payloads show it for free text) [obs]
            message_keyword=keyword.keyword if keyword else f"KEYWORD_{self.region.account}",
            opt_out_list=None if self_managed else settings.opt_out_list_name,
            reply=self._reply(identity, handset, iso, keyword, inbound_id) if answered and keyword else None,
            reply_by_carrier=answered and carrier_stop and keyword is not None and keyword.keyword == "STOP",
            two_way=TwoWay(settings.two_way_enabled, settings.two_way_channel_arn,
                           pool.pool_id if settings is pool else identity.identity),
            forward=self.region.shared.publish_answered_keywords or not answered
            or (keyword is not None and not keywords.is_mandatory(keyword.keyword)
                and action not in LIST_ACTIONS),
            previous_published_message_id=previous)

    def _check_can_receive(self, identity, handset: str, iso: str) -> None:
        if identity.FAMILY == "rcs_agents":
            self.region.rcs_agents.check_can_reach(identity, handset, iso)
            return
        self.region.phone_numbers.check_can_send(identity)  # RESOURCE_NOT_ACTIVE while PENDING
        if not TEXT_CAPABILITIES & set(identity.number_capabilities):
            raise InboundRefused(f"{identity.phone_number} is a voice-only number "
                                 f"({', '.join(identity.number_capabilities)}): it receives no text")

    def _previous(self, origin: str, pool_id: str | None, handset: str, given: str | None) -> str | None:
        """previousPublishedMessageId: the one the caller names (a message sent to this
        handset), else [inf] the newest message this number or agent (or its pool) sent the
        handset, keyword responses included; None when nothing was sent to it."""
        if given is not None:
            if not isinstance(given, str) or not given:
                raise InboundRefused('"previousPublishedMessageId" must be a message id')
            known = given in (self._last_sent_to(origin, handset),
                              self._last_sent_to(pool_id or "", handset)) or any(
                r.message_id == given and r.destination_phone_number == handset
                for r in self.region.sent_log.records)
            if not known:
                raise InboundRefused(f"previousPublishedMessageId {given} names no message this "
                                     f"account sent to {handset}")
            return given
        return self._last_sent_to(origin, handset) or (
            self._last_sent_to(pool_id, handset) if pool_id else None)

    def _last_sent_to(self, origin: str, handset: str) -> str | None:
        found = self.last_sent.get((origin, handset))
        return found.message_id if found is not None else None

    # -- the response -------------------------------------------------------------------
    def _reply(self, identity, handset: str, iso: str, keyword: Keyword, inbound_id: str) -> Outbound:
        """The keyword's response: an Outbound from the identity that received, not checked
        against the opt-out list (see the module's notes)."""
        answers = {"InboundMessageId": inbound_id, "Keyword": keyword.keyword}
        if identity.FAMILY == "rcs_agents":
            agents = self.region.rcs_agents
            return Outbound(
                operation="SendRcsMessage", channel="RCS", priced_as="TEXT", destination=handset,
                iso_country_code=iso, body=keyword.message,
                params={"RcsMessageContent": {"Content": {"TextMessage": {"Body": keyword.message}}}},
                origination=identity, origination_ref=identity.id, shown_origin=identity.id,
                pool_id=identity.pool_id, opt_out_list=None,
                details={"RcsAgentId": identity.id, "KeywordResponse": answers},
                machine=lambda sent: agents.reply_message(sent, identity))
        return Outbound(
            operation="SendTextMessage", channel="TEXT", priced_as="TEXT", destination=handset,
            iso_country_code=iso, body=keyword.message, params={}, origination=identity,
            origination_ref=identity.phone_number_id, shown_origin=identity.phone_number,
            pool_id=identity.pool_id, opt_out_list=None, message_type=identity.message_type,
            details={"KeywordResponse": answers}, machine=lambda sent: self._text(sent, identity))

    def _text(self, sent: SentMessage, phone) -> Message:
        """The response's text message machine: its events go to the event log (no
        configuration set: no event destination [inf])."""
        send, iso = sent.send, sent.iso_country_code
        assert send is not None
        return Message(
            message_id=sent.message_id, channel="TEXT", destination=send.destination,
            iso_country_code=iso, international=bool(iso and phone.iso_country_code != iso),
            origination_number=phone.phone_number, message_type=sent.message_type,
            encoding=send.encoding, parts=send.parts, price=send.price,
            protect_configuration_id=sent.protect_configuration_id, requested_at=sent.timestamp,
            time_to_live=UNKNOWN_AFTER, outcome=sent.outcome or WITHHELD, send=send,
            backend=self.region)

    # -- every send: what the receive path and the metrics keep -------------------------------
    def after_send(self, message) -> None:
        sent: SentMessage = message
        for origin in (sent.origination_phone_number, sent.pool_id):
            if origin:
                self._remember_sent((origin, sent.destination_phone_number), sent.message_id)
        self._count_sent(sent)

    def _count_sent(self, sent: SentMessage) -> None:
        """The sent-message metrics [doc: monitoring-cloudwatch.html]; this family comes after
        account attributes, so the month's spend already holds this message. A message protect
        blocks (it ends in *_PROTECT_BLOCKED) is not counted as sent [doc: "Messages blocked by
        Protect or service limits are excluded", rcs-monitoring.html]."""
        region, at = self.region, sent.timestamp
        channel = sent.channel if sent.channel in ("TEXT", "MEDIA", "VOICE", "RCS") else (
            "VOICE" if "Voice" in sent.operation else "TEXT")  # Notify, verification codes
        put = region.messaging.metrics.put
        where = metrics.dimension_sets(IsoCountryCode=sent.iso_country_code)
        blocked = (sent.outcome or "").endswith("_PROTECT_BLOCKED")
        if channel in metrics.SENT_PARTS and not blocked:
            put(region.account, region.region, metrics.SENT_PARTS[channel], float(sent.parts),
                "Count", at, where)
        if channel == "RCS" and not blocked:
            put(region.account, region.region, metrics.RCS_SENT, 1.0, "Count", at, where)
        if channel in metrics.BLOCKED_BY_PROTECT and not blocked and \
                sent.send is not None and sent.send.protect is not None:
            # 1 if blocked else 0 [doc]: a send a protect configuration let through is a 0; the
            # 1 is written when the message is blocked (its *_PROTECT_BLOCKED event, hub.py).
            put(region.account, region.region, metrics.BLOCKED_BY_PROTECT[channel], 0.0, "Count",
                at, where)
        if sent.message_feedback_enabled and channel in metrics.EXPECTING_FEEDBACK:
            put(region.account, region.region, metrics.EXPECTING_FEEDBACK[channel], 1.0, "Count", at,
                where)
        if channel in SPENT_CHANNELS:
            put(region.account, region.region, metrics.MONTHLY_SPEND[channel],
                region.account_attributes.spent_this_month(channel), "None", at)

    def _remember_sent(self, key: tuple[str, str], message_id: str) -> None:
        """The newest message sent on `key`, changed in place (its row keeps its place in
        --state, so the dict's order is first-seen, not recency: the stamp says recency)."""
        self._sends += 1
        known = self.last_sent.get(key)
        if known is None:
            known = self.last_sent[key] = LastSent(key, message_id, self._sends)
            if len(self.last_sent) > self.last_sent_limit:
                self._forget_least_recent()
        known.message_id, known.stamp = message_id, self._sends
        self.region.changed(known)

    def _forget_least_recent(self) -> None:
        """Back under last_sent_limit, and 1% below it: the pairs sent to least recently go."""
        excess = len(self.last_sent) - self.last_sent_limit
        count = excess + self.last_sent_limit // LAST_SENT_PRUNE_SHARE
        for oldest in heapq.nsmallest(count, self.last_sent.values(), key=lambda e: e.stamp):
            self.region.changed(oldest)  # its row goes (--state)
            del self.last_sent[oldest.key]

    # -- state view and --state -----------------------------------------------------------
    def view_rows(self) -> dict[str, tuple]:
        return {"inbound_messages": (self.log.records.values(), InboundRecord.as_dict)}

    # one row per inbound message and per (identity, handset) pair
    saved_by = {"records": "inbound_message_id", "last_sent": "key"}

    @property
    def records(self) -> dict[str, InboundRecord]:
        return self.log.records

    def saved_row(self, part: str, resource) -> object:
        if part == "records":
            return resource.as_dict()
        return [*resource.key, resource.message_id, resource.stamp]

    def restore(self, data: dict) -> None:
        self.log.restore(data["records"])
        # A row saved before stamps existed has none: its place in the file stands for it.
        self.last_sent = {(row[0], row[1]): LastSent((row[0], row[1]), row[2],
                                                     row[3] if len(row) > 3 else place)
                          for place, row in enumerate(data["last_sent"])}
        self._sends = max((e.stamp for e in self.last_sent.values()), default=0)
