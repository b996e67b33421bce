"""Notify and RCS sends take the send path every send takes: the send gates families
declare see them (and may refuse them, recording nothing), and the after-send hooks
see each accepted, really sent one with its price (spend), never a dry run."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from smsvoice_sim.simulator import Simulator
from smsvoice_sim.simulator.families import Family
from smsvoice_sim.simulator.messaging import prices
from smsvoice_sim.simulator.wire.errors import conflict

ACCOUNT, REGION = "123456789012", "us-east-1"
FR_MOBILE, US_NUMBER = "+33612345678", "+12065550100"
TEXT = {"Content": {"TextMessage": {"Body": "Your parcel is on its way"}}}


class Hooked(Family):
    """A gate refusing GB and recording every send it sees; a hook recording charges."""

    name = "hooked"
    seen: list = []
    charged: list = []

    def check_send(self, send) -> None:
        self.seen.append((send.channel, send.operation, send.destination, send.dry_run))
        if send.iso_country_code == "GB":
            raise conflict("DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION", "protect-configuration",
                           "protect-x", "blocked")

    def after_send(self, message) -> None:
        self.charged.append((message.message_id, message.channel, message.send.price))


@pytest.fixture
def sim():
    Hooked.seen, Hooked.charged = [], []
    return Simulator(clock="manual", seed=11, families=(Hooked,))


@pytest.fixture
def hooked():
    return Hooked.seen, Hooked.charged


def active_notify(sim, api) -> str:
    made = api.create_notify_configuration(DisplayName="Acme", UseCase="CODE_VERIFICATION",
                                           EnabledChannels=["SMS", "VOICE"])
    sim.advance(5)
    return made["NotifyConfigurationId"]


def launched_agent(sim, api, iso="US") -> dict:
    agent = api.create_rcs_agent()
    rcs = sim.region(ACCOUNT, REGION).rcs_agents
    rcs.submit_testing(agent["RcsAgentId"], "registration-testing")
    rcs.submit_country_launch(agent["RcsAgentId"], iso, "registration-launch")
    sim.advance(120)
    return agent


def test_notify_sends_pass_the_gates_and_are_charged(sim, hooked):
    seen, charged = hooked
    api = sim.client()
    cid = active_notify(sim, api)
    sent = api.send_notify_text_message(NotifyConfigurationId=cid, DestinationPhoneNumber=FR_MOBILE,
                                        TemplateVariables={"code": "1234"})
    api.send_notify_text_message(NotifyConfigurationId=cid, DestinationPhoneNumber=FR_MOBILE,
                                 TemplateVariables={"code": "1234"}, DryRun=True)
    with pytest.raises(ClientError) as exc:
        api.send_notify_voice_message(NotifyConfigurationId=cid, DestinationPhoneNumber="+447400123456",
                                      TemplateVariables={"code": "1234"})
    assert exc.value.response["Reason"] == "DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION"
    assert seen == [("NOTIFY", "SendNotifyTextMessage", FR_MOBILE, False),
                    ("NOTIFY", "SendNotifyTextMessage", FR_MOBILE, True),
                    ("NOTIFY", "SendNotifyVoiceMessage", "+447400123456", False)]
    price = prices.price_of("TEXT", "FR", sent["ResolvedMessageBody"])
    assert price > 0 and charged == [(sent["MessageId"], "NOTIFY", price)]
    assert [m["MessageId"] for m in sim.sent_messages() if not m["DryRun"]] == [sent["MessageId"]]


def test_rcs_sends_pass_the_gates_and_are_charged(sim, hooked):
    seen, charged = hooked
    api = sim.client()
    agent = launched_agent(sim, api, "US")
    sent = api.send_rcs_message(DestinationPhoneNumber=US_NUMBER, OriginationIdentity=agent["RcsAgentId"],
                                RcsMessageContent=TEXT)
    assert seen == [("RCS", "SendRcsMessage", US_NUMBER, False)]
    assert charged == [(sent["MessageId"], "RCS", prices.price_of("TEXT", "US", "Your parcel is on its way"))]
    gb = launched_agent(sim, api, "GB")
    with pytest.raises(ClientError) as exc:
        api.send_rcs_message(DestinationPhoneNumber="+447400123456", OriginationIdentity=gb["RcsAgentId"],
                             RcsMessageContent=TEXT)
    assert exc.value.response["Reason"] == "DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION"
    assert len(sim.sent_messages()) == 1 and len(charged) == 1


def test_an_rcs_send_dearer_than_its_max_price_is_refused_as_a_text_would_be(sim):
    api = sim.client()
    agent = launched_agent(sim, api, "US")
    price = prices.price_of("TEXT", "US", "Your parcel is on its way")
    with pytest.raises(ClientError) as exc:
        api.send_rcs_message(DestinationPhoneNumber=US_NUMBER, OriginationIdentity=agent["RcsAgentId"],
                             RcsMessageContent=TEXT, MaxPrice=f"{price / 2:.5f}")
    assert (exc.value.response["Error"]["Code"], exc.value.response["Reason"]) == (
        "ValidationException", "PRICE_OVER_THRESHOLD")
    assert exc.value.response["Fields"][0]["Name"] == "MaxPrice"
    assert sim.sent_messages() == []
    sent = api.send_rcs_message(DestinationPhoneNumber=US_NUMBER, OriginationIdentity=agent["RcsAgentId"],
                                RcsMessageContent=TEXT, MaxPrice=f"{price:.5f}")
    logged = [(m["MessageId"], m["MaxPrice"]) for m in sim.sent_messages()]
    assert logged == [(sent["MessageId"], f"{price:.5f}")]


def test_notify_sends_are_logged_only_no_events_no_feedback_record_while_rcs_sends_have_both(sim):
    api = sim.client()
    cid = active_notify(sim, api)
    agent = launched_agent(sim, api, "US")
    before = len(sim.events())
    notify = api.send_notify_text_message(NotifyConfigurationId=cid, DestinationPhoneNumber=FR_MOBILE,
                                          TemplateVariables={"code": "1234"}, MessageFeedbackEnabled=True)
    rcs = api.send_rcs_message(DestinationPhoneNumber=US_NUMBER, OriginationIdentity=agent["RcsAgentId"],
                               RcsMessageContent=TEXT, MessageFeedbackEnabled=True)
    sim.advance(3600)
    assert [m["MessageId"] for m in sim.sent_messages()] == [notify["MessageId"], rcs["MessageId"]]
    # README: no delivery events for Notify [inf]; an RCS message is a message machine (RCS_* events).
    assert [e["messageId"] for e in sim.events()[before:]] == [rcs["MessageId"]] * 2
    with pytest.raises(ClientError) as exc:
        api.put_message_feedback(MessageId=notify["MessageId"], MessageFeedbackStatus="RECEIVED")
    assert exc.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert api.put_message_feedback(MessageId=rcs["MessageId"], MessageFeedbackStatus="RECEIVED")[
        "MessageFeedbackStatus"] == "RECEIVED"
