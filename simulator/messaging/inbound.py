"""The other direction: a handset's message to one of the account's numbers or RCS agents,
taken down one receive path, as every send takes the one send path (send.py):

    the families resolve it (messaging knows none of them) into an `Inbound`: the identity
    that receives, whose settings apply (a pooled number's pool's), the keyword the message
    begins with and what it does, the reply it gets
    -> the opt-out list changes: OPT_OUT adds the handset, OPT_IN takes it off (not when
       opt-outs are self-managed: then the program does it)
    -> the reply, an Outbound from the receiving identity, down the one send path
    -> one InboundRecord in the account-region's inbound log (`sim.inbound()`)
    -> its payload published to the two-way channel (an SNS topic) when two-way is on;
       dropped, and the record says so, when it is off
    -> NumberOfMessagesReceived (metrics.py)

The payload is AWS's [doc: https://docs.aws.amazon.com/sms-voice/latest/userguide/two-way-sms-payload.html]:
six keys, in the order a captured message shows them [obs], as a compact JSON string.
Nothing AWS documents lets a test make AWS generate an inbound message
[doc: https://docs.aws.amazon.com/sms-voice/latest/userguide/test-phone-numbers.html]: the
injector (`sim.receive`, POST /_smsvoice/inbound, `smsvoice-sim inbound`) is the simulator's own.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, Protocol

from ..engine.ids import IdFactory
from ..engine.numbering import country_of
from ..wire import errors
from ..wire.model import service_model
from . import metrics
from .send import Outbound, SentMessage

if TYPE_CHECKING:
    from .hub import Messaging

INBOUND_LOG_LIMIT = 1_000  # inbound messages kept (and saved in --state) per account and region
LIST_ACTIONS = ("OPT_OUT", "OPT_IN")
E164 = re.compile(r"^\+[1-9][0-9]{1,14}$")


class InboundRefused(ValueError):
    """An inbound message that cannot be: a malformed number, a sender ID, an empty body...
    (400 over HTTP). Nothing changed."""


class InboundNotFound(KeyError):
    """The message goes to a number or agent no account of this simulator has (404)."""

    def __str__(self) -> str:
        return str(self.args[0])


def body_limit(channel: str) -> int:
    """The longest inbound body [inf: what the same channel may send — the model's
    TextMessageBody for SMS, an RCS text's Body for RCS; AWS documents no inbound limit]."""
    shape = "TextMessageBody" if channel == "SMS" else "RcsTextMessage"
    found = service_model().shape_for(shape)
    if channel != "SMS":
        found = found.members["Body"]
    return int(found.metadata["max"])


def check_handset(number: object, what: str = "from") -> str:
    """The handset's number: E.164 with a country; its ISO country code back."""
    if not isinstance(number, str) or not E164.match(number):
        raise InboundRefused(f'"{what}" must be the handset\'s E.164 number (+ and up to 15 '
                             f"digits), not {str(number)[:40]!r}")
    iso = country_of(number)
    if iso is None:
        raise InboundRefused(f"{number} belongs to no country: no handset sends from it")
    return iso


def check_body(body: object, channel: str) -> str:
    if not isinstance(body, str):
        raise InboundRefused('"body" must be a string, the text the handset sent, not '
                             f"{'null' if body is None else type(body).__name__}")
    if not body.strip():
        raise InboundRefused('"body" must be the text the handset sent: it is empty')
    limit = body_limit(channel)
    if len(body) > limit:
        raise InboundRefused(f'"body" is {len(body)} characters; an inbound {channel} message '
                             f"holds at most {limit}")
    return body


@dataclass
class TwoWay:
    """The two-way configuration that decides where the payload goes."""

    enabled: bool
    channel_arn: str | None
    owner: str  # the number, pool or agent whose configuration this is


@dataclass
class Inbound:
    """An inbound message as the families resolved it: everything the path needs."""

    inbound_message_id: str
    channel: str  # SMS | RCS
    origination_number: str  # the handset
    destination_number: str  # the account's number (E.164), or the RCS agent's id
    body: str
    iso_country_code: str  # the handset's
    identity_id: str  # phone-... | rcs-...
    identity_type: str  # PHONE_NUMBER | RCS_AGENT (the metric's OriginationIdentityType)
    pool_id: str | None
    keyword: str | None  # the keyword matched, upper-case, or None
    action: str | None  # its action: AUTOMATIC_RESPONSE | OPT_OUT | OPT_IN
    message_keyword: str  # what the payload's messageKeyword shows
    opt_out_list: str | None  # the list an OPT_OUT/OPT_IN changes; None: self-managed
    reply: Outbound | None  # the response the service sends, if any
    reply_by_carrier: bool  # US toll-free STOP: the carrier answers, not the service
    two_way: TwoWay
    forward: bool  # False: a keyword the service answered is not published (a setting)
    previous_published_message_id: str | None


@dataclass
class InboundRecord:
    """The one record every inbound message leaves (`sim.inbound()`, GET /_smsvoice/inbound)."""

    inbound_message_id: str
    timestamp: float
    account: str
    region: str
    channel: str
    origination_number: str
    destination_number: str
    message_body: str
    message_keyword: str
    previous_published_message_id: str | None
    origination_identity: str
    pool_id: str | None
    keyword: str | None
    keyword_action: str | None
    opt_out: dict | None  # {"optOutListName", "change"} when the keyword changed (or would) a list
    reply: dict | None  # the response: {"messageId", ...}, {"refused": ...} or {"by": "carrier"}
    two_way: dict = field(default_factory=dict)  # where the payload went, or why it did not

    def payload(self) -> dict:
        """What the two-way channel receives [doc: two-way-sms-payload.html]; key order as
        captured [obs]; previousPublishedMessageId only when the message answers one [inf]."""
        out = {"originationNumber": self.origination_number,
               "destinationNumber": self.destination_number,
               "messageKeyword": self.message_keyword, "messageBody": self.message_body}
        if self.previous_published_message_id:
            out["previousPublishedMessageId"] = self.previous_published_message_id
        out["inboundMessageId"] = self.inbound_message_id
        return out

    def as_dict(self) -> dict:
        out = {_WIRE[f.name]: getattr(self, f.name) for f in fields(self)}
        out["twoWay"] = dict(self.two_way)
        out["payload"] = self.payload()
        return out

    @classmethod
    def from_dict(cls, row: dict) -> InboundRecord:
        return cls(**{f.name: row[_WIRE[f.name]] for f in fields(cls)})


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


_WIRE = {f.name: _camel(f.name) for f in fields(InboundRecord)}


class InboundLog:
    """An account-region's inbound messages by id, oldest first, the newest INBOUND_LOG_LIMIT.
    `forget(record)` is told of a record about to be dropped (--state deletes its row)."""

    def __init__(self, limit: int = INBOUND_LOG_LIMIT,
                 forget: Callable[[InboundRecord], None] = lambda record: None):
        self.limit = limit
        self.forget = forget
        self.records: dict[str, InboundRecord] = {}

    def append(self, record: InboundRecord) -> None:
        self.records[record.inbound_message_id] = record
        while len(self.records) > self.limit:
            oldest = next(iter(self.records.values()))
            self.forget(oldest)
            del self.records[oldest.inbound_message_id]

    def query(self, destination: str | None = None, origination: str | None = None,
              keyword: str | None = None) -> list[InboundRecord]:
        """Records matching every filter given: `destination` the number or agent id (or the
        receiving identity's id), `origination` the handset, `keyword` the keyword matched
        (any case; `NONE` for messages that matched none)."""
        wanted = keyword.upper() if keyword is not None else None
        return [r for r in self.records.values()
                if destination in (None, r.destination_number, r.origination_identity, r.pool_id)
                and origination in (None, r.origination_number)
                and (wanted is None or (r.keyword or "NONE").upper() == wanted)]

    def export(self) -> list[dict]:
        return [record.as_dict() for record in self.records.values()]

    def restore(self, rows: list[dict]) -> None:
        self.records = {}
        for row in rows[-self.limit:] if self.limit else ():
            record = InboundRecord.from_dict(row)
            self.records[record.inbound_message_id] = record


class Inbox(Protocol):
    """What the receive path needs of the account-region that receives."""

    ids: IdFactory
    account: str
    region: str
    messaging: Messaging

    def now(self) -> float: ...
    def send(self, outbound: Outbound) -> SentMessage: ...
    def change_opt_out(self, list_name: str, number: str, action: str) -> str: ...
    def keep_inbound(self, record: InboundRecord) -> None: ...
    def update_inbound(self, record: InboundRecord, update: Callable[[], None]) -> None: ...


def receive_message(inbox: Inbox, inbound: Inbound) -> InboundRecord:
    """Take `inbound` down the receive path; returns its record."""
    opt_out = None
    if inbound.action in LIST_ACTIONS:
        change = "SELF_MANAGED" if inbound.opt_out_list is None else inbox.change_opt_out(
            inbound.opt_out_list, inbound.origination_number, inbound.action)
        opt_out = {"optOutListName": inbound.opt_out_list, "change": change}
    now = inbox.now()
    record = InboundRecord(
        inbound_message_id=inbound.inbound_message_id, timestamp=now, account=inbox.account,
        region=inbox.region, channel=inbound.channel,
        origination_number=inbound.origination_number,
        destination_number=inbound.destination_number, message_body=inbound.body,
        message_keyword=inbound.message_keyword,
        previous_published_message_id=inbound.previous_published_message_id,
        origination_identity=inbound.identity_id, pool_id=inbound.pool_id,
        keyword=inbound.keyword, keyword_action=inbound.action, opt_out=opt_out,
        reply=_reply(inbox, inbound))
    inbox.keep_inbound(record)
    _publish(inbox, inbound, record)
    inbox.messaging.metrics.put(
        inbox.account, inbox.region, metrics.RECEIVED, 1.0, "Count", now,
        metrics.dimension_sets(OriginationIdentityType=inbound.identity_type,
                               IsoCountryCode=inbound.iso_country_code, MessageType="TEXT"))
    return record


def _reply(inbox: Inbox, inbound: Inbound) -> dict | None:
    """The keyword's response down the one send path; a refusal (a send gate: spend limit,
    sandbox, protect) is recorded, not raised: the inbound message itself was received."""
    if inbound.reply_by_carrier:
        return {"by": "carrier", "messageBody": inbound.reply.body if inbound.reply else None}
    if inbound.reply is None:
        return None
    try:
        sent = inbox.send(inbound.reply)
    except errors.ServiceError as err:
        return {"refused": err.body(), "messageBody": inbound.reply.body}
    return {"messageId": sent.message_id, "messageBody": sent.message_body,
            "originationNumber": sent.origination_phone_number, "price": sent.price}


def _publish(inbox: Inbox, inbound: Inbound, record: InboundRecord) -> None:
    """The payload to the two-way channel; the record's `twoWay` says where it went."""
    two_way = inbound.two_way
    channel = two_way.channel_arn or ""
    note: dict[str, Any] = {"enabled": two_way.enabled, "channelArn": two_way.channel_arn,
                            "configuredOn": two_way.owner, "published": False}
    record.two_way = note
    if not two_way.enabled:
        note["dropped"] = (f"two-way is off on {two_way.owner}: AWS publishes the message "
                           "nowhere [doc: two-way-sms.html]")
    elif not inbound.forward:
        note["dropped"] = ("a keyword the service answered itself, not published "
                           "(publish_answered_keywords=False)")
    elif channel.startswith("connect."):
        note["dropped"] = ("Amazon Connect receives it as a chat contact; smsvoice-sim does not "
                           "simulate Connect")
    elif not channel.startswith("arn:aws:sns:"):
        note["dropped"] = f"{two_way.channel_arn} is not an SNS topic ARN"
    else:
        note["published"] = None  # until the delivery lane has tried

        def done(why: str | None) -> None:
            # On the delivery thread, after the request: the outcome reaches --state too.
            inbox.update_inbound(record, lambda: note.update(
                {"published": why is None, **({"error": why} if why else {})}))
        inbox.messaging.publish_inbound(channel, record.payload(), inbox.region, done)
