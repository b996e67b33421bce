"""Sending through a pool (or a number, or a sender ID): SendTextMessage,
SendVoiceMessage, SendMediaMessage. Nothing leaves the machine: every message
is kept (the newest `Messages.limit`, outside any snapshot), so a test can
assert what would have been sent."""

from __future__ import annotations

from collections import deque

from .. import errors
from . import Family, operation, register

# The capability each operation needs of an origination identity.
NEEDS = {"SendTextMessage": "SMS", "SendVoiceMessage": "VOICE", "SendMediaMessage": "MMS"}
DEFAULT_SENT_LOG = 10_000  # messages kept per account and region


@register
class Messages(Family):
    name = "messages"

    def __init__(self, region):
        super().__init__(region)
        self.sent: deque[dict] = deque(maxlen=region.sent_log_limit)

    def _send(self, params: dict, operation_name: str) -> dict:
        region = self.region
        origin = region.pools.origin(params["OriginationIdentity"]) \
            if params.get("OriginationIdentity") else None
        destination = params["DestinationPhoneNumber"]
        opt_out_list = "Default"
        if origin is not None:
            family = region.family_of(origin)
            family.check_can_send(origin)
            need = NEEDS[operation_name]
            if need not in family.capabilities(origin):
                reason = "VOICE_CAPABILITY_NOT_AVAILABLE" if need == "VOICE" else "CHANNEL_NOT_ENABLED"
                raise errors.validation(reason, f"{params['OriginationIdentity']} cannot send {need}.",
                                        [{"Name": "OriginationIdentity", "Message": f"No {need}"}])
            opt_out_list = getattr(origin, "opt_out_list_name", opt_out_list)
        if region.opt_out_lists.is_opted_out(opt_out_list, destination):
            raise errors.conflict("DESTINATION_PHONE_NUMBER_OPTED_OUT", "opted-out-number",
                                  destination, f"{destination} has opted out (list {opt_out_list}).")
        message_id = region.ids.message_id()
        self.sent.append({
            "MessageId": message_id, "Operation": operation_name, "Timestamp": region.now(),
            "OriginationIdentity": params.get("OriginationIdentity"),
            "PoolId": origin.pool_id if getattr(origin, "FAMILY", "") == "pools" else None,
            "DestinationPhoneNumber": destination, "MessageBody": params.get("MessageBody"),
            "MessageType": params.get("MessageType"), "MediaUrls": params.get("MediaUrls"),
            "Context": params.get("Context"), "DryRun": bool(params.get("DryRun", False)),
            "ConfigurationSetName": params.get("ConfigurationSetName"),
        })
        return {"MessageId": message_id}

    @operation("SendTextMessage")
    def send_text(self, params: dict) -> dict:
        return self._send(params, "SendTextMessage")

    @operation("SendVoiceMessage")
    def send_voice(self, params: dict) -> dict:
        return self._send(params, "SendVoiceMessage")

    @operation("SendMediaMessage")
    def send_media(self, params: dict) -> dict:
        return self._send(params, "SendMediaMessage")

    def view(self) -> dict[str, list]:
        return {"sent_messages": list(self.sent)}
