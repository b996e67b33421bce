"""Delivery events: AWS's event record format, which destinations an event matches,
the EventBridge envelope, and the simulator's own event log.

Sources: https://docs.aws.amazon.com/sms-voice/latest/userguide/configuration-sets-event-format.html,
https://docs.aws.amazon.com/sms-voice/latest/userguide/monitor-event-bridge.html. Event types
come from the model's `EventType` enum.
"""

from __future__ import annotations

import copy
import threading
from collections import deque
from collections.abc import Iterable
from datetime import UTC, datetime

from ..wire import model

EVENT_VERSION = "1.0"
GROUPS = {"ALL": "", "TEXT_ALL": "TEXT_", "VOICE_ALL": "VOICE_", "MEDIA_ALL": "MEDIA_", "RCS_ALL": "RCS_"}
PREFIX = {"TEXT": "TEXT_", "VOICE": "VOICE_", "MEDIA": "MEDIA_", "RCS": "RCS_"}

# messageStatusDescription: SUCCESSFUL, DELIVERED, BLOCKED and TTL_EXPIRED are the strings
# AWS examples and observed records show [doc + obs]; the others are [inf], worded after
# the event type's documented meaning (docs/reference/inference.md, "Delivery events").
DESCRIPTIONS = {
    "SUCCESSFUL": "Message has been accepted by phone carrier",
    "DELIVERED": "Message has been accepted by phone",
    "BLOCKED": "Phone has blocked SMS",
    "TTL_EXPIRED": "The delivery TTL has expired",
    "QUEUED": "Message is queued for delivery",
    "PENDING": "Message is in the process of being delivered",
    "INVALID": "The destination phone number is invalid",
    "INVALID_MESSAGE": "The message body is invalid",
    "UNREACHABLE": "The recipient's device is unavailable",
    "CARRIER_UNREACHABLE": "The carrier could not be reached",
    "CARRIER_BLOCKED": "The carrier blocked the message as unsolicited or malicious",
    "SPAM": "The carrier marked the message as spam",
    "UNKNOWN": "No final status was received from the carrier within 72 hours",
    "PROTECT_BLOCKED": "Message blocked by protect configuration",
    "INITIATED": "The call has been initiated",
    "RINGING": "The call is ringing",
    "ANSWERED": "The call has been answered",
    "COMPLETED": "The audio message was played to the recipient",
    "BUSY": "The line was busy",
    "NO_ANSWER": "The call was not answered",
    "FAILED": "The call failed",
    "FILE_INACCESSIBLE": "The media file could not be read",
    "FILE_TYPE_UNSUPPORTED": "The media file type is not supported",
    "FILE_SIZE_EXCEEDED": "The media file is too large",
    "READ": "Message has been read by recipient",  # [doc + obs] (RCS_READ)
    "SENT": "Message has been sent to the recipient's RCS platform",
    "FALLEN_BACK_TO_SMS": "RCS delivery failed; the fallback message was sent",
}
# Where one status means something else in another channel [inf].
CHANNEL_DESCRIPTIONS = {"RCS_FAILED": "The RCS message could not be delivered"}

DETAIL_TYPES = {"TEXT": "Text Message Delivery Status Updated",
                "MEDIA": "Media Message Delivery Status Updated",
                "VOICE": "Voice Message Delivery Status Updated",
                "RCS": "RCS Message Delivery Status Updated"}  # [inf] RCS's is not documented


def event_types() -> list[str]:
    return model.enum_values("EventType")


def matches(matching_event_types: Iterable[str], event_type: str) -> bool:
    """Does a destination's MatchingEventTypes take this event? `ALL` and the
    `<CHANNEL>_ALL` groups match every event of their channel."""
    for wanted in matching_event_types:
        if wanted == event_type:
            return True
        prefix = GROUPS.get(wanted)
        if prefix is not None and event_type.startswith(prefix):
            return True
    return False


def status_of(event_type: str) -> str:
    """`TEXT_TTL_EXPIRED` -> `TTL_EXPIRED`: messageStatus is the type without its channel."""
    return event_type.split("_", 1)[1]


def record(message, event_type: str, at: float, is_final: bool) -> dict:
    """The event JSON AWS sends to event destinations (§L.3) for `message` at `at`.

    Timestamps are Unix milliseconds. Optional members appear only when they apply:
    originationPhoneNumber when the message had an origination (the number, or the
    sender ID's text), context when the send gave one, protectConfiguration when one
    applied, prices on final events only ([inf]: AWS examples carry them on final
    events; a blocked or expired message costs 0), and what only the message's channel
    carries (RCS: agentIsoCountryCode, rcsMetadata)."""
    status = status_of(event_type)
    out: dict = {
        "eventType": event_type,
        "eventVersion": EVENT_VERSION,
        "eventTimestamp": int(round(at * 1000)),
        "isFinal": is_final,
    }
    if message.origination_number:
        out["originationPhoneNumber"] = message.origination_number
    out["destinationPhoneNumber"] = message.destination
    if message.iso_country_code:
        out["isoCountryCode"] = message.iso_country_code
        out["isInternationalSend"] = message.international
    out["messageId"] = message.message_id
    out["messageRequestTimestamp"] = int(round(message.requested_at * 1000))
    if message.channel != "VOICE":
        out["messageEncoding"] = message.encoding
    if message.message_type:
        out["messageType"] = message.message_type
    out.update(copy.deepcopy(getattr(message, "channel_fields", None) or {}))  # RCS fields
    out["messageStatus"] = status
    out["messageStatusDescription"] = CHANNEL_DESCRIPTIONS.get(event_type) or DESCRIPTIONS.get(
        status, status.replace("_", " ").capitalize())
    if message.context:
        out["context"] = dict(message.context)
    if is_final:
        charged = status in ("SUCCESSFUL", "DELIVERED", "READ", "COMPLETED", "UNKNOWN")
        if message.channel == "TEXT":
            out["totalMessageParts"] = message.parts
        out["totalMessagePrice"] = message.price if charged else 0.0
        out["totalCarrierFee"] = 0.0
    if message.protect_configuration_id:
        out["protectConfiguration"] = {"protectConfigurationId": message.protect_configuration_id,
                                       "protectStatus": "BLOCK" if status == "PROTECT_BLOCKED"
                                       else "ALLOW"}
    return out


def eventbridge_envelope(event: dict, channel: str, account: str, region: str, event_id: str) -> dict:
    """The same event as EventBridge delivers it (source aws.sms-voice, §L.1)."""
    when = datetime.fromtimestamp(event["eventTimestamp"] / 1000, tz=UTC)
    return {
        "version": "0", "id": event_id, "detail-type": DETAIL_TYPES[channel],
        "source": "aws.sms-voice", "account": account,
        "time": when.strftime("%Y-%m-%dT%H:%M:%SZ"), "region": region, "resources": [],
        "detail": event,
    }


class EventLog:
    """Every event the simulator emitted, oldest first, bounded (the oldest go first).

    Each entry: the event record plus where it came from and where it went:
    {"event", "account", "region", "channel", "configurationSetName",
     "destinations": [{"name", "kind", "delivered", "error"}], "id"}
    ("delivered" is None while the event waits for the delivery thread).
    An entry without a channel holds an event that is EventBridge-shaped already (a
    registration's status change, registration_desk.py)."""

    def __init__(self, limit: int = 100_000):
        self.entries: deque[dict] = deque(maxlen=limit)
        self._lock = threading.Lock()
        self.emitted = 0

    def append(self, entry: dict) -> None:
        with self._lock:
            self.entries.append(entry)
            self.emitted += 1

    def clear(self) -> None:
        with self._lock:
            self.entries.clear()

    def query(self, message_id: str | None = None, destination: str | None = None,
              event_type: str | None = None, configuration_set: str | None = None,
              account: str | None = None, region: str | None = None) -> list[dict]:
        """Entries that match every filter given; `destination` may end in `*` (a prefix)."""
        with self._lock:
            entries = list(self.entries)
        out = []
        for entry in entries:
            event = entry["event"]
            if "messageId" not in event and (message_id, destination, event_type,
                                             configuration_set) != (None, None, None, None):
                continue  # another event (a registration's status change): no message filter matches
            if message_id is not None and event["messageId"] != message_id:
                continue
            if destination is not None and not _number_matches(destination,
                                                               event.get("destinationPhoneNumber", "")):
                continue
            if event_type is not None and not matches([event_type], event["eventType"]):
                continue
            if configuration_set is not None and entry.get("configurationSetName") != configuration_set:
                continue
            if account is not None and entry["account"] != account:
                continue
            if region is not None and entry["region"] != region:
                continue
            out.append(entry)
        return out


def _number_matches(pattern: str, number: str) -> bool:
    if pattern.endswith("*"):
        return number.startswith(pattern[:-1])
    return number == pattern
