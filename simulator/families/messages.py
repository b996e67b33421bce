"""Sending: SendTextMessage, SendVoiceMessage, SendMediaMessage, and PutMessageFeedback.

A send is checked (origination identity, configuration set, opt-out, MaxPrice, then
every registered send gate: sending.py), recorded, and — unless DryRun — becomes a
message machine on the simulator's clock (message_lifecycle.py) whose events go to
the event log and the configuration set's destinations (messaging.py). Every send is
kept in the sent log (`sent`, the newest `sent_log_limit`, outside any snapshot), so
a test can assert what would have been sent; nothing leaves the machine except
events, and only to an endpoint the user gave.

Other families hang rules on the send path with `register_send_gate(fn)` and
`register_after_send(fn)`, importable from here.
"""

from __future__ import annotations

from collections import OrderedDict, deque

from ..engine.lifecycle import LifecycleSpec
from ..messaging import prices
from ..messaging.lifecycle import UNKNOWN_AFTER, Message, media_message, text_message, voice_message
from ..messaging.outcomes import OUTCOMES, WITHHELD
from ..messaging.prices import check_max_price
from ..messaging.send import (  # noqa: F401 - deprecated names, importable from here for one release
    CHANNELS,
    Send,
    register_after_send,
    register_send_gate,
)
from ..wire import errors
from . import Family, operation

# The capability each operation needs of an origination identity.
NEEDS = {"SendTextMessage": "SMS", "SendVoiceMessage": "VOICE", "SendMediaMessage": "MMS"}
MESSAGES_KEPT = 100_000  # messages kept per account and region, for PutMessageFeedback


def _is_pool(origin) -> bool:
    return getattr(origin, "FAMILY", "") == "pools"


def _reaches(identity, iso: str | None) -> bool:
    """[inf] An identity reaches the destinations of its own country: a US 10DLC number or
    short code does not reach Canada [obs: VA notification-api PR #2633]."""
    return getattr(identity, "iso_country_code", None) == iso


class Messages(Family):
    name = "messages"

    @classmethod
    def lifecycles(cls) -> tuple[LifecycleSpec, ...]:
        return (text_message(), voice_message(), media_message())

    def __init__(self, region):
        super().__init__(region)
        self.sent: deque[dict] = deque(maxlen=region.sent_log_limit)
        self.messages: OrderedDict[str, Message] = OrderedDict()

    # -- rules other families call -------------------------------------------
    def log_sent(self, entry: dict) -> None:
        """Put a message another family sends for the account (a verification code) in the
        sent log, where tests read every sent message."""
        self.sent.append(entry)

    # -- what a send is sent from ----------------------------------------------
    def _capabilities(self, origin) -> set[str]:
        return self.region.family_of(origin).capabilities(origin)

    def _check_origin(self, origin, ref: str, operation_name: str, iso: str | None) -> None:
        self.region.family_of(origin).check_can_send(origin)
        need = NEEDS[operation_name]
        if need not in self._capabilities(origin):
            reason = "VOICE_CAPABILITY_NOT_AVAILABLE" if need == "VOICE" else "CHANNEL_NOT_ENABLED"
            raise errors.validation(reason, f"{ref} cannot send {need}.",
                                    [{"Name": "OriginationIdentity", "Message": f"No {need}"}])
        if _is_pool(origin) and iso is not None and not origin.shared_routes_enabled and not any(
                _reaches(m, iso) and need in self._capabilities(m) for m in origin.members):
            raise errors.conflict(
                "NO_ORIGINATION_IDENTITIES_FOUND", "pool", origin.pool_id,
                f"Pool {origin.pool_id} has no origination identity that can send {need} to {iso}.")

    def shown_origin(self, origin, iso: str | None, need: str) -> str | None:
        """What events show as originationPhoneNumber: the number, or the sender ID's text;
        for a pool, the member that would send ([inf] the first that reaches the country)."""
        if _is_pool(origin):
            members = [m for m in origin.members if need in self._capabilities(m)]
            members.sort(key=lambda m: not _reaches(m, iso))
            origin = members[0] if members else None
        family = getattr(origin, "FAMILY", "")
        if family == "phone_numbers":
            return origin.phone_number
        if family == "sender_ids":
            return origin.sender_id
        return None

    # -- sending -----------------------------------------------------------------
    def send(self, params: dict, operation_name: str) -> dict:
        region = self.region
        channel = CHANNELS[operation_name]
        destination = params["DestinationPhoneNumber"]
        iso = prices.iso_country_of(destination)
        ref = params.get("OriginationIdentity")
        origin = region.pools.origin(ref, iso) if ref else None
        if origin is not None:
            self._check_origin(origin, ref, operation_name, iso)
        cs = region.configuration_sets.get(params["ConfigurationSetName"]) \
            if params.get("ConfigurationSetName") else None
        # A sender ID has no opt-out list of its own: the account's Default applies.
        opt_out_list = getattr(origin, "opt_out_list_name", "Default")
        if region.opt_out_lists.is_opted_out(opt_out_list, destination):
            raise errors.conflict("DESTINATION_PHONE_NUMBER_OPTED_OUT", "opted-out-number",
                                  destination, f"{destination} has opted out (list {opt_out_list}).")
        body = params.get("MessageBody")
        price = prices.price_of(channel, iso, body)
        if channel == "VOICE":
            check_max_price(params, "MaxPricePerMinute", prices.country_price(iso).voice_per_minute)
        else:
            check_max_price(params, "MaxPrice", price)
        # The configuration set's defaults fill what the send leaves out [model; inf for
        # the precedence]: message type, feedback, protect configuration, sender ID.
        message_type = params.get("MessageType") or (cs.default_message_type if cs else None) \
            or getattr(origin, "message_type", None)
        feedback = self.feedback_enabled(params, cs)
        protect = params.get("ProtectConfigurationId") or (cs.protect_configuration_id if cs else None)
        shown = self.shown_origin(origin, iso, NEEDS[operation_name]) if origin is not None \
            else (cs.default_sender_id if cs and channel == "TEXT" else None)
        send = Send(channel=channel, operation=operation_name, destination=destination,
                    iso_country_code=iso, origination=origin, configuration_set=cs,
                    protect_configuration_id=protect, body=body,
                    dry_run=bool(params.get("DryRun", False)), price=price,
                    parts=prices.parts_of(body or "") if channel == "TEXT" else 1,
                    encoding=prices.encoding_of(body or ""), message_type=message_type,
                    origination_ref=ref, params=params)
        region.run_send_gates(send)
        # -- nothing above changed anything; from here the send is accepted ----------
        message_id = region.ids.message_id()
        outcome, protect = self.outcome_of(send, protect)
        self.sent.append({
            "MessageId": message_id, "Operation": operation_name, "Timestamp": region.now(),
            "OriginationIdentity": ref, "PoolId": origin.pool_id if _is_pool(origin) else None,
            "OriginationPhoneNumber": shown, "DestinationPhoneNumber": destination,
            "IsoCountryCode": iso, "MessageBody": body, "MessageType": message_type,
            "MediaUrls": params.get("MediaUrls"), "Context": params.get("Context"),
            "DryRun": send.dry_run, "ConfigurationSetName": cs.name if cs else None,
            "TimeToLive": params.get("TimeToLive"), "MaxPrice": params.get("MaxPrice"),
            "MaxPricePerMinute": params.get("MaxPricePerMinute"), "Keyword": params.get("Keyword"),
            "DestinationCountryParameters": params.get("DestinationCountryParameters"),
            "VoiceId": params.get("VoiceId"), "MessageBodyTextType": params.get("MessageBodyTextType"),
            "ProtectConfigurationId": protect, "MessageFeedbackEnabled": feedback,
            "Price": price, "Parts": send.parts, "Encoding": send.encoding, "Outcome": outcome,
        })
        if send.dry_run:
            # [inf] a dry run is validated and answered with a MessageId, but nothing is
            # delivered: no lifecycle, no events, no charge (no after-send hooks).
            return {"MessageId": message_id}
        message = Message(
            message_id=message_id, channel=channel, destination=destination, iso_country_code=iso,
            international=bool(iso and getattr(origin, "iso_country_code", iso) != iso),
            origination_number=shown, configuration_set_name=cs.name if cs else None,
            message_type=message_type, encoding=send.encoding, parts=send.parts, price=price,
            context=params.get("Context"), protect_configuration_id=protect,
            requested_at=region.now(), time_to_live=float(params.get("TimeToLive") or UNKNOWN_AFTER),
            outcome=outcome or WITHHELD, feedback_enabled=feedback,
            send=send, backend=region)
        self.start(message)
        return {"MessageId": message_id}

    # -- what every accepted send shares (SendRcsMessage too) ---------------------------
    def outcome_of(self, send: Send, protect: str | None) -> tuple[str | None, str | None]:
        """The outcome an accepted send gets (None for a dry run) and the protect configuration
        its events show: the one that decided (maybe the account default). FILTER lets a
        suspicious message through, then blocks it [doc: filter-and-monitor] — in channels
        whose events have a PROTECT_BLOCKED (text, and RCS, which the SMS rule set decides)."""
        outcome = None if send.dry_run else self.region.messaging.outcomes.choose(send.channel,
                                                                                  send.destination)
        verdict = send.protect  # the protect gate's Verdict; None when no configuration applies
        if verdict is not None:
            protect = verdict.protect_configuration_id
            blocked = f"{send.channel}_PROTECT_BLOCKED"
            if outcome is not None and verdict.blocked_by == "filter" and blocked in OUTCOMES[send.channel]:
                outcome = blocked
        return outcome, protect

    @staticmethod
    def feedback_enabled(params: dict, cs) -> bool:
        """MessageFeedbackEnabled as the send gives it, else its configuration set's default."""
        given = params.get("MessageFeedbackEnabled")
        return given if given is not None else bool(cs and cs.default_message_feedback_enabled)

    def start(self, message: Message) -> None:
        """An accepted, really sent message: kept for PutMessageFeedback, put on the clock
        (its events follow), and shown to the after-send hooks (spend)."""
        self.messages[message.message_id] = message
        while len(self.messages) > MESSAGES_KEPT:
            self.messages.popitem(last=False)
        self.region.messaging.start(message)
        self.region.run_after_send(message)

    @operation("SendTextMessage")
    def send_text_message(self, params: dict) -> dict:
        return self.send(params, "SendTextMessage")

    @operation("SendVoiceMessage")
    def send_voice_message(self, params: dict) -> dict:
        return self.send(params, "SendVoiceMessage")

    @operation("SendMediaMessage")
    def send_media_message(self, params: dict) -> dict:
        return self.send(params, "SendMediaMessage")

    @operation("PutMessageFeedback")
    def put_message_feedback(self, params: dict) -> dict:
        # [inf] only a message sent with feedback enabled has a feedback record to set.
        message = self.messages.get(params["MessageId"])
        if message is None or not message.feedback_enabled:
            raise errors.not_found("message", params["MessageId"],
                                   f"No message {params['MessageId']} with message feedback enabled.")
        message.feedback_status = params["MessageFeedbackStatus"]
        return {"MessageId": message.message_id, "MessageFeedbackStatus": message.feedback_status}

    def view(self) -> dict[str, list]:
        return {"sent_messages": list(self.sent)}
