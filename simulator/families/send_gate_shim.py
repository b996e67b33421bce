"""TEMPORARY, until branch `sending` (issue 12) lands: runs the send gates and after-send hooks
of `sending.py` around today's send handlers, so the sandbox, protect and spend gates act on
every SendTextMessage / SendVoiceMessage / SendMediaMessage.

At merge, the messages family runs the gates itself: delete this module and its entry in
FAMILY_MODULES (a second family simulating the send operations would fail loudly).
"""

from __future__ import annotations

from .. import prices
from ..operations import messages as legacy
from ..sending import CHANNELS, Send, run_after_send, run_send_gates
from . import Family, operation, register


class Accepted:
    """What after-send hooks receive: the message id and its Send."""

    def __init__(self, message_id: str, send: Send):
        self.message_id = message_id
        self.send = send


@register
class SendGateShim(Family):
    name = "send_gate_shim"

    def _send(self, params: dict, operation_name: str, handler) -> dict:
        channel = CHANNELS[operation_name]
        body = params.get("MessageBody")
        iso = prices.iso_country_of(params["DestinationPhoneNumber"])
        send = Send(channel=channel, operation=operation_name,
                    destination=params["DestinationPhoneNumber"], iso_country_code=iso,
                    origination=None, configuration_set=None,
                    protect_configuration_id=params.get("ProtectConfigurationId"), body=body,
                    dry_run=bool(params.get("DryRun", False)),
                    price=prices.price_of(channel, iso, body),
                    origination_ref=params.get("OriginationIdentity"), params=params)
        run_send_gates(self.region, send)
        result = handler(self.region, params)
        if not send.dry_run:
            run_after_send(self.region, Accepted(result["MessageId"], send))
        return result

    @operation("SendTextMessage")
    def send_text(self, params: dict) -> dict:
        return self._send(params, "SendTextMessage", legacy.send_text_message)

    @operation("SendVoiceMessage")
    def send_voice(self, params: dict) -> dict:
        return self._send(params, "SendVoiceMessage", legacy.send_voice_message)

    @operation("SendMediaMessage")
    def send_media(self, params: dict) -> dict:
        return self._send(params, "SendMediaMessage", legacy.send_media_message)
