"""The send path: the gate extension point other families hang rules on, prices,
and every Send* parameter acting as AWS says."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from smsvoice_sim.simulator import Simulator
from smsvoice_sim.simulator.families.messages import register_after_send, register_send_gate
from smsvoice_sim.simulator.messaging import prices
from smsvoice_sim.simulator.messaging.send import unregister
from smsvoice_sim.simulator.wire.errors import conflict


@pytest.fixture
def sim():
    return Simulator(clock="manual", seed=5)


@pytest.fixture
def client(sim):
    return sim.client(region_name="us-east-1")


def _error(excinfo) -> dict:
    return excinfo.value.response["Error"]


def test_a_registered_gate_refuses_a_send_with_its_error_and_nothing_is_recorded(sim, client):
    seen = []

    def blocked_country(backend, send):
        seen.append((send.channel, send.destination, send.iso_country_code, send.dry_run))
        if send.iso_country_code == "GB":
            raise conflict("DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION", "protect-configuration",
                           "protect-x", "blocked")

    register_send_gate(blocked_country)
    try:
        with pytest.raises(ClientError) as excinfo:
            client.send_text_message(DestinationPhoneNumber="+447700900123", MessageBody="hi")
        assert _error(excinfo)["Code"] == "ConflictException"
        assert excinfo.value.response["Reason"] == "DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION"
        assert sim.sent_messages() == []
        client.send_text_message(DestinationPhoneNumber="+12065550100", MessageBody="hi")
        assert len(sim.sent_messages()) == 1
        assert seen == [("TEXT", "+447700900123", "GB", False), ("TEXT", "+12065550100", "US", False)]
    finally:
        unregister(blocked_country)


def test_after_send_hooks_see_each_real_send_with_its_price_but_not_dry_runs(sim, client):
    charged = []

    @register_after_send
    def account(backend, message):
        charged.append((message.message_id, message.send.price))

    try:
        sent = client.send_text_message(DestinationPhoneNumber="+12065550100", MessageBody="hi")
        client.send_text_message(DestinationPhoneNumber="+12065550100", MessageBody="hi", DryRun=True)
        assert charged == [(sent["MessageId"], prices.price_of("TEXT", "US", "hi"))]
    finally:
        unregister(account)


def test_registering_twice_keeps_one_registration():
    def gate(backend, send):
        pass

    register_send_gate(gate)
    register_send_gate(gate)
    try:
        from smsvoice_sim.simulator.messaging.send import SEND_GATES
        assert SEND_GATES.count(gate) == 1
    finally:
        unregister(gate)


@pytest.mark.parametrize("number,iso", [
    ("+12065550100", "US"), ("+14165550100", "CA"), ("+17875550100", "PR"),
    ("+447700900123", "GB"), ("+61455944038", "AU"), ("+3584573979110", "FI"),
    ("+85257048426", "HK"), ("+420790542286", "CZ"), ("+999123", None), ("12065550100", None),
])
def test_the_destination_country_comes_from_the_number(number, iso):
    assert prices.iso_country_of(number) == iso


def test_parts_and_encoding_follow_gsm_and_unicode_limits():
    assert (prices.encoding_of("hello"), prices.parts_of("a" * 160)) == ("GSM", 1)
    assert prices.parts_of("a" * 161) == 2
    assert prices.parts_of("€" * 80) == 1 and prices.parts_of("€" * 81) == 2  # extension: 2 septets
    assert (prices.encoding_of("こんにちは"), prices.parts_of("あ" * 70)) == ("UNICODE", 1)
    assert prices.parts_of("あ" * 71) == 2
    assert prices.price_of("TEXT", "US", "a" * 161) == round(2 * prices.PRICES["US"].text_per_part, 5)
    assert prices.price_of("TEXT", "ZZ", "a") == prices.DEFAULT_PRICE.text_per_part


# -- every Send* parameter acts ---------------------------------------------------------------
def _phone(sim, client, iso="US", capabilities=("SMS", "VOICE", "MMS")):
    phone = client.request_phone_number(IsoCountryCode=iso, MessageType="TRANSACTIONAL",
                                        NumberCapabilities=list(capabilities), NumberType="LONG_CODE")
    sim.force_transition(phone["PhoneNumberId"])
    return phone


def _pool(sim, client, phone):
    pool = client.create_pool(OriginationIdentity=phone["PhoneNumberId"], MessageType="TRANSACTIONAL")
    sim.force_transition(pool["PoolId"])
    return pool


def test_the_configuration_sets_defaults_fill_what_the_send_leaves_out(sim, client):
    client.create_configuration_set(ConfigurationSetName="cs")
    client.set_default_message_type(ConfigurationSetName="cs", MessageType="PROMOTIONAL")
    client.set_default_sender_id(ConfigurationSetName="cs", SenderId="ACME")
    client.set_default_message_feedback_enabled(ConfigurationSetName="cs", MessageFeedbackEnabled=True)
    by_default = client.send_text_message(DestinationPhoneNumber="+12065550100", MessageBody="a",
                                          ConfigurationSetName="cs")["MessageId"]
    overridden = client.send_text_message(DestinationPhoneNumber="+12065550100", MessageBody="b",
                                          ConfigurationSetName="cs", MessageType="TRANSACTIONAL",
                                          MessageFeedbackEnabled=False)["MessageId"]
    sent = {m["MessageId"]: m for m in sim.sent_messages()}
    assert (sent[by_default]["MessageType"], sent[by_default]["MessageFeedbackEnabled"]) == (
        "PROMOTIONAL", True)
    assert (sent[overridden]["MessageType"], sent[overridden]["MessageFeedbackEnabled"]) == (
        "TRANSACTIONAL", False)
    sim.advance(1)
    event = sim.events(message_id=by_default)[0]
    assert (event["originationPhoneNumber"], event["messageType"]) == ("ACME", "PROMOTIONAL")
    assert client.put_message_feedback(MessageId=by_default, MessageFeedbackStatus="RECEIVED")[
        "MessageFeedbackStatus"] == "RECEIVED"
    for unknown in (overridden, "no-such-message"):
        with pytest.raises(ClientError) as excinfo:
            client.put_message_feedback(MessageId=unknown, MessageFeedbackStatus="FAILED")
        assert (_error(excinfo)["Code"], excinfo.value.response["ResourceType"]) == (
            "ResourceNotFoundException", "message")


def test_dry_run_is_validated_answered_and_never_delivered(sim, client):
    with pytest.raises(ClientError) as excinfo:
        client.send_text_message(DestinationPhoneNumber="+12065550100", MessageBody="x", DryRun=True,
                                 ConfigurationSetName="missing")
    assert (_error(excinfo)["Code"], excinfo.value.response["ResourceType"]) == (
        "ResourceNotFoundException", "configuration-set")
    sent = client.send_text_message(DestinationPhoneNumber="+12065550100", MessageBody="x", DryRun=True)
    assert len(sent["MessageId"]) == 36
    sim.advance(3600)
    assert sim.events() == [] and sim.sent_messages()[0]["DryRun"] is True


def test_max_price_over_the_estimate_is_refused(sim, client):
    us = prices.price_of("TEXT", "US", "x")
    client.send_text_message(DestinationPhoneNumber="+12065550100", MessageBody="x", MaxPrice=f"{us:.5f}")
    with pytest.raises(ClientError) as excinfo:
        client.send_text_message(DestinationPhoneNumber="+12065550100", MessageBody="x" * 200,
                                 MaxPrice=f"{us:.5f}")  # two parts
    assert excinfo.value.response["Reason"] == "PRICE_OVER_THRESHOLD"
    assert excinfo.value.response["Fields"][0]["Name"] == "MaxPrice"
    phone = _phone(sim, client)
    with pytest.raises(ClientError) as excinfo:
        client.send_voice_message(OriginationIdentity=phone["PhoneNumberId"],
                                  DestinationPhoneNumber="+12065550100", MessageBody="hi",
                                  MaxPricePerMinute="0.001")
    assert excinfo.value.response["Reason"] == "PRICE_OVER_THRESHOLD"
    assert len(sim.sent_messages()) == 1


def test_a_pool_without_an_identity_for_the_destinations_country_finds_none(sim, client):
    pool = _pool(sim, client, _phone(sim, client, "US"))
    client.send_text_message(OriginationIdentity=pool["PoolId"], DestinationPhoneNumber="+12065550100",
                             MessageBody="ok")
    with pytest.raises(ClientError) as excinfo:  # [obs: VA notification-api PR #2633] US pool -> Canada
        client.send_text_message(OriginationIdentity=pool["PoolId"], DestinationPhoneNumber="+14165550100",
                                 MessageBody="no")
    assert (excinfo.value.response["Reason"], excinfo.value.response["ResourceType"]) == (
        "NO_ORIGINATION_IDENTITIES_FOUND", "pool")
    client.update_pool(PoolId=pool["PoolId"], SharedRoutesEnabled=True)
    client.send_text_message(OriginationIdentity=pool["PoolId"], DestinationPhoneNumber="+14165550100",
                             MessageBody="shared routes reach it")


def test_every_parameter_is_kept_with_the_sent_message(sim, client):
    phone = _phone(sim, client)
    protect = client.create_protect_configuration()["ProtectConfigurationId"]  # an unknown one is refused
    client.send_text_message(
        OriginationIdentity=phone["PhoneNumber"], DestinationPhoneNumber="+12065550100", MessageBody="hi",
        Keyword="HELP", TimeToLive=300, MaxPrice="0.50", Context={"k": "v"},
        DestinationCountryParameters={"IN_ENTITY_ID": "1", "IN_TEMPLATE_ID": "2"},
        ProtectConfigurationId=protect)
    sent = sim.sent_messages()[-1]
    assert (sent["Keyword"], sent["TimeToLive"], sent["MaxPrice"], sent["Context"]) == ("HELP", 300, "0.50",
                                                                                       {"k": "v"})
    assert sent["DestinationCountryParameters"] == {"IN_ENTITY_ID": "1", "IN_TEMPLATE_ID": "2"}
    assert (sent["OriginationPhoneNumber"], sent["IsoCountryCode"], sent["Outcome"]) == (
        phone["PhoneNumber"], "US", "TEXT_DELIVERED")
    sim.advance(1)
    event = sim.events()[0]
    assert event["protectConfiguration"]["protectConfigurationId"] == protect
    assert event["originationPhoneNumber"] == phone["PhoneNumber"]
    client.send_voice_message(OriginationIdentity=phone["PhoneNumberId"],
                              DestinationPhoneNumber="+12065550100", MessageBody="<speak>hi</speak>",
                              MessageBodyTextType="SSML", VoiceId="JOANNA")
    voice = sim.sent_messages()[-1]
    assert (voice["MessageBodyTextType"], voice["VoiceId"]) == ("SSML", "JOANNA")
    client.send_media_message(OriginationIdentity=phone["PhoneNumberId"],
                              DestinationPhoneNumber="+12065550100", MediaUrls=["s3://bucket/cat.jpg"])
    assert sim.sent_messages()[-1]["MediaUrls"] == ["s3://bucket/cat.jpg"]


def test_voice_calls_ring_and_complete_or_end_busy(sim, client):
    phone = _phone(sim, client)
    sim.set_outcome("+12065550199", "VOICE_BUSY")
    done = client.send_voice_message(OriginationIdentity=phone["PhoneNumberId"],
                                     DestinationPhoneNumber="+12065550100", MessageBody="hi")["MessageId"]
    busy = client.send_voice_message(OriginationIdentity=phone["PhoneNumberId"],
                                     DestinationPhoneNumber="+12065550199", MessageBody="hi")["MessageId"]
    sim.advance(1)
    assert [(e["eventType"], e["isFinal"]) for e in sim.events(message_id=done)] == [
        ("VOICE_INITIATED", False)]
    sim.advance(60)
    assert [e["eventType"] for e in sim.events(message_id=done)] == [
        "VOICE_INITIATED", "VOICE_RINGING", "VOICE_ANSWERED", "VOICE_COMPLETED"]
    assert [e["eventType"] for e in sim.events(message_id=busy)] == [
        "VOICE_INITIATED", "VOICE_RINGING", "VOICE_BUSY"]
    assert "messageEncoding" not in sim.events(message_id=done)[0]


def test_media_messages_deliver_and_unknown_comes_after_72_hours(sim, client):
    phone = _phone(sim, client)
    media = client.send_media_message(OriginationIdentity=phone["PhoneNumberId"],
                                      DestinationPhoneNumber="+12065550100",
                                      MediaUrls=["s3://bucket/cat.jpg"])["MessageId"]
    sim.set_outcome("+12065550142", "TEXT_UNKNOWN")
    silent = client.send_text_message(DestinationPhoneNumber="+12065550142", MessageBody="?")["MessageId"]
    sim.advance(10)
    assert [e["eventType"] for e in sim.events(message_id=media)] == ["MEDIA_SUCCESSFUL", "MEDIA_DELIVERED"]
    assert [(e["eventType"], e["isFinal"]) for e in sim.events(message_id=silent)] == [
        ("TEXT_PENDING", False)]
    sim.advance(72 * 3600 - 11)
    assert len(sim.events(message_id=silent)) == 1
    sim.advance(2)
    assert [e["eventType"] for e in sim.events(message_id=silent)][-1] == "TEXT_UNKNOWN"


def test_message_durations_are_configurable_like_the_pools():
    sim = Simulator(clock="manual", durations={"text-message:QUEUED->SUCCESSFUL": 30,
                                               "text-message:SUCCESSFUL->DELIVERED": 60})
    client = sim.client()
    client.send_text_message(DestinationPhoneNumber="+12065550100", MessageBody="x")
    sim.advance(29)
    assert sim.events() == []
    sim.advance(1)
    assert [e["eventType"] for e in sim.events()] == ["TEXT_SUCCESSFUL"]
    sim.advance(60)
    assert [e["eventType"] for e in sim.events()] == ["TEXT_SUCCESSFUL", "TEXT_DELIVERED"]
    with pytest.raises(ValueError):
        Simulator(durations={"text-message:QUEUED->NOWHERE": 1})


def test_an_instant_clock_delivers_at_once_and_reset_forgets_the_log():
    sim = Simulator(clock="instant")
    sim.client().send_text_message(DestinationPhoneNumber="+14254147755", MessageBody="x")
    assert [e["eventType"] for e in sim.events()] == ["TEXT_SUCCESSFUL", "TEXT_DELIVERED"]
    sim.reset()
    assert sim.events() == []


def test_after_send_hooks_receive_the_message_with_its_send(sim, client):
    seen = []

    def hook(backend, message):
        seen.append((message.message_id, message.send.channel, message.send.iso_country_code,
                     backend.account, message.state))

    register_after_send(hook)
    try:
        sent = client.send_text_message(DestinationPhoneNumber="+447700900123", MessageBody="x")
    finally:
        unregister(hook)
    assert seen == [(sent["MessageId"], "TEXT", "GB", "123456789012", "QUEUED")]


def test_the_events_view_filters_and_outcome_bodies_are_checked(sim, client):
    from smsvoice_sim.simulator.messaging.hub import events_view, outcome_from_body
    assert outcome_from_body(sim, {"destination": "+1206555....", "outcome": "TEXT_BLOCKED"})["rule"] == {
        "destination": "+1206555....", "outcome": "TEXT_BLOCKED", "share": 1.0}
    for bad in ({"destination": "+1"}, {"destination": "x", "outcome": "TEXT_BLOCKED"}, [1]):
        with pytest.raises(ValueError):
            outcome_from_body(sim, bad)
    blocked = client.send_text_message(DestinationPhoneNumber="+12065550100", MessageBody="x")["MessageId"]
    client.send_text_message(DestinationPhoneNumber="+14254147755", MessageBody="x")
    sim.advance(5)
    view = events_view(sim, {"type": ["TEXT_BLOCKED"]})
    assert [e["messageId"] for e in view["events"]] == [blocked]
    assert view["outcomes"]["rules"][0]["outcome"] == "TEXT_BLOCKED"
    assert len(events_view(sim, {"destination": "+14254147755"})["events"]) == 2
    bridged = events_view(sim, {"messageId": blocked, "format": "eventbridge"})["events"][0]
    assert bridged["detail"]["eventType"] == "TEXT_BLOCKED" and bridged["source"] == "aws.sms-voice"
    outcome_from_body(sim, {"clear": True})
    assert sim.messaging.outcomes.rules == []


def test_replay_then_simulate_adopts_configuration_sets_and_destinations(sim, client):
    import json
    arn = "arn:aws:sms-voice:us-east-1:123456789012:configuration-set/recorded"
    sim.adopt("CreateConfigurationSet", b'{"ConfigurationSetName": "recorded"}', 200, json.dumps(
        {"ConfigurationSetArn": arn, "ConfigurationSetName": "recorded", "CreatedTimestamp": 1.7e9}).encode())
    sim.adopt("CreateEventDestination", b"{}", 200, json.dumps(
        {"ConfigurationSetArn": arn, "ConfigurationSetName": "recorded", "EventDestination": {
            "EventDestinationName": "sns", "Enabled": True, "MatchingEventTypes": ["ALL"],
            "SnsDestination": {"TopicArn": "arn:aws:sns:us-east-1:123456789012:t"}}}).encode())
    info = client.describe_configuration_sets()["ConfigurationSets"][0]
    assert (info["ConfigurationSetArn"], info["EventDestinations"][0]["EventDestinationName"]) == (arn, "sns")
    client.send_text_message(DestinationPhoneNumber="+14254147755", MessageBody="x",
                             ConfigurationSetName="recorded")
    sim.advance(1)
    assert sim.events()[0]["eventType"] == "TEXT_SUCCESSFUL"
    sim.adopt("DeleteConfigurationSet", b"{}", 200, json.dumps(
        {"ConfigurationSetArn": arn, "ConfigurationSetName": "recorded"}).encode())
    assert client.describe_configuration_sets()["ConfigurationSets"] == []
