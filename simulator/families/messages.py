"""Sending: SendTextMessage, SendVoiceMessage, SendMediaMessage, and PutMessageFeedback.

This family resolves a send (origination identity, configuration set and its defaults) and
takes it down the one send path (messaging/send.py: opt-out, MaxPrice, the send gates, the
record) with a hook that makes, unless DryRun, its message machine on the simulator's clock
(messaging/lifecycle.py), whose events go to the event log and the configuration set's
destinations. Every send is kept in the account's sent log, so a test can assert what would
have been sent; nothing leaves the machine except events, and only to an endpoint the user
gave.
"""

from __future__ import annotations

from ..engine.lifecycle import LifecycleSpec
from ..messaging import prices
from ..messaging.lifecycle import UNKNOWN_AFTER, Message, media_message, text_message, voice_message
from ..messaging.outcomes import WITHHELD
from ..messaging.send import (  # noqa: F401 - deprecated names, importable from here for one release
    CHANNELS,
    Outbound,
    SentMessage,
    register_after_send,
    register_send_gate,
)
from ..wire import errors
from . import Family, operation

# The capability each operation needs of an origination identity.
NEEDS = {"SendTextMessage": "SMS", "SendVoiceMessage": "VOICE", "SendMediaMessage": "MMS"}
# What a send's record shows in its Details: the members only its operation has.
DETAILS = {
    "SendTextMessage": ("Keyword", "DestinationCountryParameters"),
    "SendVoiceMessage": ("VoiceId", "MessageBodyTextType", "MaxPricePerMinute"),
    "SendMediaMessage": ("MediaUrls",),
}


def _is_pool(origin) -> bool:
    return getattr(origin, "FAMILY", "") == "pools"


def _is_phone(origin) -> bool:
    return getattr(origin, "FAMILY", "") == "phone_numbers"


class Messages(Family):
    name = "messages"

    @classmethod
    def lifecycles(cls) -> tuple[LifecycleSpec, ...]:
        return (text_message(), voice_message(), media_message())

    # -- what a send is sent from ----------------------------------------------
    def _capabilities(self, origin) -> set[str]:
        return self.region.origin_family(origin).capabilities(origin)

    def reaches(self, identity, iso: str | None) -> bool:
        """[inf] An identity reaches the destinations of its own country: a US 10DLC number or
        short code does not reach Canada [obs: VA notification-api PR #2633]; a US toll-free
        number with international sending reaches every country (PhoneNumbers.reaches)."""
        if _is_phone(identity):
            return self.region.phone_numbers.reaches(identity, iso)
        return getattr(identity, "iso_country_code", None) == iso

    def _routes(self, identity, destination: str | None, iso: str | None) -> bool:
        """May `identity` send to `destination` (the simulator-number and international-sending
        rules of PhoneNumbers.route_problem)? A sender ID has no such rule."""
        return destination is None or not _is_phone(identity) or \
            self.region.phone_numbers.route_problem(identity, destination, iso) is None

    def _check_origin(self, origin, ref: str, operation_name: str, destination: str,
                      iso: str | None) -> None:
        self.region.origin_family(origin).check_can_send(origin)
        need = NEEDS[operation_name]
        if need not in self._capabilities(origin):
            reason = "VOICE_CAPABILITY_NOT_AVAILABLE" if need == "VOICE" else "CHANNEL_NOT_ENABLED"
            raise errors.validation(reason, f"{ref} cannot send {need}.",
                                    [{"Name": "OriginationIdentity", "Message": f"No {need}"}])
        if _is_pool(origin) and iso is not None and not origin.shared_routes_enabled and not any(
                self.reaches(m, iso) and need in self._capabilities(m) for m in origin.members):
            raise errors.conflict(
                "NO_ORIGINATION_IDENTITIES_FOUND", "pool", origin.pool_id,
                f"Pool {origin.pool_id} has no origination identity that can send {need} to {iso}.")
        # The number that would send (a pool's chosen member) may only send where its kind
        # allows: a SIMULATOR number to its country's simulator numbers, a US toll-free number
        # abroad only with InternationalSendingEnabled.
        sender = self.sending_member(origin, iso, need, destination) if _is_pool(origin) else origin
        self.region.phone_numbers.check_route(sender, destination, iso)

    def sending_member(self, pool, iso: str | None, need: str, destination: str | None = None):
        """The pool member that would send `need` to `destination` (of country `iso`), or None:
        [inf] the first, in joining order, that may send there, of the destination's country
        first (AWS does not document its choice)."""
        members = [m for m in pool.members if need in self._capabilities(m)]
        members.sort(key=lambda m: (not self._routes(m, destination, iso), not self.reaches(m, iso)))
        return members[0] if members else None

    def shown_origin(self, origin, iso: str | None, need: str, destination: str | None = None) -> str | None:
        """What events show as originationPhoneNumber: the number, or the sender ID's text;
        for a pool, the member that would send (`sending_member`)."""
        if _is_pool(origin):
            origin = self.sending_member(origin, iso, need, destination)
        family = getattr(origin, "FAMILY", "")
        if family == "phone_numbers":
            return origin.phone_number
        if family == "sender_ids":
            return origin.sender_id
        return None

    # -- sending -----------------------------------------------------------------
    def send(self, params: dict, operation_name: str) -> dict:
        """A text, voice or media message down the one send path (messaging/send.py)."""
        region = self.region
        channel = CHANNELS[operation_name]
        destination = params["DestinationPhoneNumber"]
        iso = prices.iso_country_of(destination)
        ref = params.get("OriginationIdentity")
        origin = None
        if ref:
            origin = region.pools.origin(ref, iso, operation_name)
            self._check_origin(origin, ref, operation_name, destination, iso)
        cs = region.configuration_sets.get(params["ConfigurationSetName"]) \
            if params.get("ConfigurationSetName") else None
        # The configuration set's defaults fill what the send leaves out [model; inf for
        # the precedence]: message type, feedback, protect configuration, sender ID.
        message_type = params.get("MessageType") or (cs.default_message_type if cs else None) \
            or getattr(origin, "message_type", None)
        shown = self.shown_origin(origin, iso, NEEDS[operation_name], destination) if origin is not None \
            else (cs.default_sender_id if cs and channel == "TEXT" else None)
        sent = region.send(Outbound(
            operation=operation_name, channel=channel, priced_as=channel, destination=destination,
            iso_country_code=iso, body=params.get("MessageBody"), params=params,
            origination=origin, origination_ref=ref, shown_origin=shown,
            pool_id=origin.pool_id if origin is not None and _is_pool(origin) else None,
            # A sender ID has no opt-out list of its own: the account's Default applies.
            opt_out_list=getattr(origin, "opt_out_list_name", "Default"),
            configuration_set=cs, message_type=message_type,
            details={member: params.get(member) for member in DETAILS[operation_name]},
            machine=lambda sent: self._machine(sent, origin)))
        return {"MessageId": sent.message_id}

    def _machine(self, sent: SentMessage, origin) -> Message:
        """An accepted text, voice or media message on the clock: its events follow."""
        send, iso = sent.send, sent.iso_country_code
        assert send is not None
        return Message(
            message_id=sent.message_id, channel=sent.channel, destination=send.destination,
            iso_country_code=iso,
            international=bool(iso and getattr(origin, "iso_country_code", iso) != iso),
            origination_number=sent.origination_phone_number,
            configuration_set_name=sent.configuration_set_name, message_type=sent.message_type,
            encoding=send.encoding, parts=send.parts, price=send.price, context=sent.context,
            protect_configuration_id=sent.protect_configuration_id, requested_at=sent.timestamp,
            time_to_live=float(sent.time_to_live or UNKNOWN_AFTER),
            outcome=sent.outcome or WITHHELD, feedback_enabled=bool(sent.message_feedback_enabled),
            send=send, backend=self.region)

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
        message = self.region.sent_log.message(params["MessageId"])
        if message is None or not message.feedback_enabled:
            raise errors.not_found("message", params["MessageId"],
                                   f"No message {params['MessageId']} with message feedback enabled.")
        message.feedback_status = params["MessageFeedbackStatus"]
        return {"MessageId": message.message_id, "MessageFeedbackStatus": message.feedback_status}

    def view(self) -> dict[str, list]:
        return {"sent_messages": self.region.sent_log.as_dicts()}
