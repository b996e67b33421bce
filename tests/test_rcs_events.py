"""RCS messages as message machines (issue 15, "RCS events through #10's event machinery"):
an accepted SendRcsMessage emits RCS_* events on the simulator's clock, to the event log and
to the configuration set's destinations (moto's server standing in for SNS and SQS), and a
failing one falls back to SMS when the send says so."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from test_events import ReceiptConsumer
from test_rcs import launched

from smsvoice_sim.proxy.http_server import EndpointServer, simulator_answer
from smsvoice_sim.simulator import Simulator
from smsvoice_sim.simulator.messaging import prices

from conftest import active_phone, active_pool
from helpers import control
from moto_stand_in import aws, moto_server_url, topic_into_queue

moto_url = pytest.fixture(moto_server_url)

ACCOUNT, REGION = "123456789012", "us-east-1"
US_NUMBER, OTHER_US, FR_MOBILE = "+12065550100", "+12065550111", "+33612345678"
BODY = "Your parcel is on its way"
TEXT = {"Content": {"TextMessage": {"Body": BODY}}}


def launched_agent(sim, api) -> str:
    return launched(sim, api)["RcsAgentId"]  # testing agent and US launch ACTIVE (test_rcs.py)


def receipts(api, matching: list[str], topic: str = "arn:aws:sns:us-east-1:123456789012:rcs") -> None:
    api.create_configuration_set(ConfigurationSetName="receipts")
    api.create_event_destination(ConfigurationSetName="receipts", EventDestinationName="to-sns",
                                 MatchingEventTypes=matching, SnsDestination={"TopicArn": topic})


def types_of(sim, message_id: str) -> list[str]:
    return [e["eventType"] for e in sim.events(message_id=message_id)]


@pytest.fixture
def sim():
    return Simulator(clock="manual", seed=15)


@pytest.fixture
def pipeline(moto_url):
    """A simulator delivering to moto_server, a launched agent, and a consumer of the SQS queue
    the set's SNS destination feeds; `wire(matching)` makes the set."""
    topic, queue_url = topic_into_queue(moto_url)
    sim = Simulator(clock="manual", seed=15, events_endpoint_url=moto_url)
    api = sim.client(region_name=REGION)
    agent_id = launched_agent(sim, api)
    return sim, api, agent_id, ReceiptConsumer(aws("sqs", moto_url), queue_url), topic


def test_an_rcs_message_reaches_an_rcs_all_destination_sent_then_delivered_as_the_clock_moves(pipeline):
    sim, api, agent_id, consumer, topic = pipeline
    receipts(api, ["RCS_ALL"], topic)
    sent = api.send_rcs_message(DestinationPhoneNumber=US_NUMBER, OriginationIdentity=agent_id,
                                RcsMessageContent=TEXT, ConfigurationSetName="receipts",
                                Context={"order": "42"})["MessageId"]
    api.send_text_message(DestinationPhoneNumber=US_NUMBER, MessageBody="hi", ConfigurationSetName="receipts")
    assert consumer.poll() == 0  # nothing happens until the clock moves
    sim.advance(0.3)
    assert consumer.poll() == 1
    event = consumer.events[-1]
    assert {k: v for k, v in event.items() if k not in ("eventTimestamp", "messageRequestTimestamp")} == {
        "eventType": "RCS_SENT", "eventVersion": "1.0", "isFinal": False,
        "originationPhoneNumber": agent_id, "destinationPhoneNumber": US_NUMBER, "isoCountryCode": "US",
        "isInternationalSend": False, "messageId": sent, "messageEncoding": "UNICODE",
        "agentIsoCountryCode": "US", "rcsMetadata": {"billingEventType": "BASIC"},
        "messageStatus": "SENT",
        "messageStatusDescription": "Message has been sent to the recipient's RCS platform",
        "context": {"order": "42"}}
    assert event["eventTimestamp"] - event["messageRequestTimestamp"] == 300
    assert consumer.status[sent] == "SENDING"
    sim.advance(1)
    assert consumer.poll() == 1  # the text's events are not RCS_ALL's
    delivered = consumer.events[-1]
    assert (delivered["eventType"], delivered["isFinal"], delivered["messageStatus"]) == (
        "RCS_DELIVERED", True, "DELIVERED")
    assert delivered["totalMessagePrice"] == prices.price_of("TEXT", "US", BODY)
    assert consumer.status[sent] == "DELIVERED"
    sim.advance(3600)
    assert consumer.poll() == 0  # DELIVERED is the default last event: nobody read it
    assert types_of(sim, sent) == ["RCS_SENT", "RCS_DELIVERED"]


def test_a_destination_matching_one_rcs_type_receives_only_that_type(pipeline):
    sim, api, agent_id, consumer, topic = pipeline
    receipts(api, ["RCS_READ"], topic)
    sim.set_outcome("+1206555*", "RCS_READ")
    sent = api.send_rcs_message(DestinationPhoneNumber=US_NUMBER, OriginationIdentity=agent_id,
                                RcsMessageContent=TEXT, ConfigurationSetName="receipts")["MessageId"]
    sim.advance(6)
    assert consumer.poll() == 0  # SENT at 0.3 s, DELIVERED at 1.3 s: not RCS_READ
    sim.advance(1)
    assert consumer.poll() == 1
    read = consumer.events[-1]
    assert (read["eventType"], read["messageStatusDescription"], read["isFinal"]) == (
        "RCS_READ", "Message has been read by recipient", True)
    assert types_of(sim, sent) == ["RCS_SENT", "RCS_DELIVERED", "RCS_READ"]


def test_an_outcome_rule_over_http_makes_an_rcs_message_fail_and_the_log_shows_it(sim):
    api = sim.client(region_name=REGION)
    agent_id = launched_agent(sim, api)
    with EndpointServer(simulator_answer(sim)) as server:
        status, body = control(server.url, "/_smsvoice/outcomes",
                               {"destination": "+1206555*", "outcome": "RCS_FAILED"})
        assert status == 200 and body["rule"]["outcome"] == "RCS_FAILED"
        failing = api.send_rcs_message(DestinationPhoneNumber=US_NUMBER, OriginationIdentity=agent_id,
                                       RcsMessageContent=TEXT)["MessageId"]
        text = api.send_text_message(DestinationPhoneNumber=US_NUMBER, MessageBody="hi")["MessageId"]
        sim.advance(0.3)
        status, view = control(server.url, "/_smsvoice/events?type=RCS_ALL&format=eventbridge")
    assert status == 200 and len(view["events"]) == 1
    envelope = view["events"][0]
    assert (envelope["source"], envelope["detail-type"]) == (
        "aws.sms-voice", "RCS Message Delivery Status Updated")
    failed = envelope["detail"]
    assert (failed["eventType"], failed["messageId"], failed["isFinal"], failed["totalMessagePrice"]) == (
        "RCS_FAILED", failing, True, 0.0)
    assert failed["messageStatusDescription"] == "The RCS message could not be delivered"
    sim.advance(3600)
    assert types_of(sim, failing) == ["RCS_FAILED"]  # no fallback configured: nothing follows
    assert types_of(sim, text) == ["TEXT_SUCCESSFUL", "TEXT_DELIVERED"]  # an RCS rule leaves texts alone


def test_a_failing_rcs_message_with_a_fallback_falls_back_and_its_text_follows(sim):
    api = sim.client(region_name=REGION)
    agent_id = launched_agent(sim, api)
    # A long code (ACTIVE after the hour): a simulator number sends only to simulator numbers.
    number = api.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                      NumberCapabilities=["SMS"], NumberType="LONG_CODE")
    sim.advance(3600)
    receipts(api, ["RCS_ALL", "TEXT_ALL"])
    sim.set_outcome(OTHER_US, "RCS_FAILED")
    sent = api.send_rcs_message(
        DestinationPhoneNumber=OTHER_US, OriginationIdentity=agent_id, RcsMessageContent=TEXT,
        ConfigurationSetName="receipts", Context={"order": "7"},
        FallbackConfiguration={"Channel": "SMS", "MessageBody": "Parcel on its way (SMS)",
                               "OriginationIdentity": number["PhoneNumberId"]})["MessageId"]
    sim.advance(10)
    found = sim.events(message_id=sent)
    assert [e["eventType"] for e in found] == ["RCS_FALLEN_BACK_TO_SMS", "TEXT_SUCCESSFUL", "TEXT_DELIVERED"]
    fallen, text = found[0], found[1]
    assert (fallen["isFinal"], fallen["originationPhoneNumber"], fallen["totalMessagePrice"]) == (
        True, agent_id, 0.0)
    assert text["originationPhoneNumber"] == number["PhoneNumber"]
    assert (text["messageEncoding"], text["totalMessageParts"], text["context"]) == ("GSM", 1, {"order": "7"})
    assert text["messageRequestTimestamp"] == fallen["eventTimestamp"]  # sent when RCS gave up
    assert text["totalMessagePrice"] == prices.price_of("TEXT", "US", "Parcel on its way (SMS)")
    # The set's destination (RCS_ALL and TEXT_ALL) took both channels' events of the one messageId.
    entries = sim.messaging.log.query(message_id=sent)
    assert [[d["name"] for d in entry["destinations"]] for entry in entries] == [["to-sns"]] * 3
    media = api.send_rcs_message(
        DestinationPhoneNumber=OTHER_US, OriginationIdentity=agent_id, RcsMessageContent=TEXT,
        FallbackConfiguration={"Channel": "MMS", "MediaUrls": ["s3://media-bucket/parcel.png"]})["MessageId"]
    sim.advance(10)  # an MMS fallback is a media message
    assert types_of(sim, media) == ["RCS_FALLEN_BACK_TO_SMS", "MEDIA_SUCCESSFUL", "MEDIA_DELIVERED"]


def test_a_fallback_from_a_pool_send_is_sent_from_the_pools_number(sim):
    api = sim.client(region_name=REGION)
    pool = active_pool(sim, api, active_phone(sim, api))
    agent_id = launched_agent(sim, api)
    api.associate_origination_identity(PoolId=pool["PoolId"], OriginationIdentity=agent_id)
    sim.set_outcome(OTHER_US, "RCS_FALLEN_BACK_TO_SMS")  # the same as RCS_FAILED: the send decides
    with_fallback = api.send_rcs_message(
        DestinationPhoneNumber=OTHER_US, OriginationIdentity=pool["PoolId"], RcsMessageContent=TEXT,
        FallbackConfiguration={"Channel": "SMS", "MessageBody": "by SMS"})["MessageId"]
    without = api.send_rcs_message(DestinationPhoneNumber=OTHER_US, OriginationIdentity=pool["PoolId"],
                                   RcsMessageContent=TEXT)["MessageId"]
    sim.advance(10)
    found = sim.events(message_id=with_fallback)
    assert [e["eventType"] for e in found] == ["RCS_FALLEN_BACK_TO_SMS", "TEXT_SUCCESSFUL", "TEXT_DELIVERED"]
    assert found[0]["originationPhoneNumber"] == agent_id
    assert found[1]["originationPhoneNumber"] == pool_number(api, pool["PoolId"])
    assert types_of(sim, without) == ["RCS_FAILED"]


def pool_number(api, pool_id: str) -> str:
    listed = api.list_pool_origination_identities(PoolId=pool_id)["OriginationIdentities"]
    return next(i["PhoneNumber"] for i in listed if i.get("PhoneNumber"))


def test_the_time_to_live_expires_an_undelivered_rcs_message_or_falls_back(sim):
    api = sim.client(region_name=REGION)
    agent_id = launched_agent(sim, api)
    sim.set_outcome("+1206555*", "WITHHELD")
    expired = api.send_rcs_message(DestinationPhoneNumber=US_NUMBER, OriginationIdentity=agent_id,
                                   RcsMessageContent=TEXT, TimeToLive=60)["MessageId"]
    fallback = api.send_rcs_message(DestinationPhoneNumber=OTHER_US, OriginationIdentity=agent_id,
                                    RcsMessageContent=TEXT, TimeToLive=60,
                                    FallbackConfiguration={"Channel": "SMS", "MessageBody": "by SMS"},
                                    )["MessageId"]
    sim.advance(59.9)
    assert types_of(sim, expired) == types_of(sim, fallback) == []
    sim.advance(0.1)
    last = sim.events(message_id=expired)[-1]
    assert (last["eventType"], last["messageStatus"], last["isFinal"]) == (
        "RCS_TTL_EXPIRED", "TTL_EXPIRED", True)
    assert last["eventTimestamp"] - last["messageRequestTimestamp"] == 60_000
    # [model] "the fallback is triggered when the duration expires without delivery confirmation";
    # the fallback text has no rule of its own (WITHHELD names a channel-less outcome: it expires too).
    assert types_of(sim, fallback) == ["RCS_FALLEN_BACK_TO_SMS"]
    slow = Simulator(clock="manual", seed=15, durations={"rcs-message:SENT->DELIVERED": 120})
    slow_api = slow.client(region_name=REGION)
    slow_agent = launched_agent(slow, slow_api)
    sent = slow_api.send_rcs_message(DestinationPhoneNumber=US_NUMBER, OriginationIdentity=slow_agent,
                                     RcsMessageContent=TEXT, TimeToLive=60)["MessageId"]
    slow.advance(3600)  # handed to the RCS platform, never confirmed delivered within the TTL
    assert types_of(slow, sent) == ["RCS_SENT", "RCS_TTL_EXPIRED"]


def test_durations_are_configurable_like_other_messages():
    sim = Simulator(clock="manual", seed=15, durations={"rcs-message:QUEUED->SENT": 30,
                                                         "rcs-message:SENT->DELIVERED": 60})
    api = sim.client(region_name=REGION)
    agent_id = launched_agent(sim, api)
    sent = api.send_rcs_message(DestinationPhoneNumber=US_NUMBER, OriginationIdentity=agent_id,
                                RcsMessageContent=TEXT)["MessageId"]
    sim.advance(29.9)
    assert types_of(sim, sent) == []
    sim.advance(0.1)
    assert types_of(sim, sent) == ["RCS_SENT"]
    sim.advance(60)
    assert types_of(sim, sent) == ["RCS_SENT", "RCS_DELIVERED"]
    with pytest.raises(ValueError):
        Simulator(durations={"rcs-message:QUEUED->NOWHERE": 1})


def test_a_dry_run_rcs_send_emits_nothing_and_is_not_charged(sim):
    api = sim.client(region_name=REGION)
    agent_id = launched_agent(sim, api)
    receipts(api, ["ALL"])
    api.send_rcs_message(DestinationPhoneNumber=US_NUMBER, OriginationIdentity=agent_id,
                         RcsMessageContent=TEXT, ConfigurationSetName="receipts", DryRun=True,
                         FallbackConfiguration={"Channel": "SMS", "MessageBody": "by SMS"})
    sim.advance(3600)
    assert sim.events() == []
    assert [m["DryRun"] for m in sim.sent_messages()] == [True]


def test_a_protect_filter_blocks_an_rcs_message_as_it_blocks_a_text(sim):
    api = sim.client(region_name=REGION)
    agent_id = launched_agent(sim, api)
    pid = api.create_protect_configuration()["ProtectConfigurationId"]
    api.set_account_default_protect_configuration(ProtectConfigurationId=pid)
    api.update_protect_configuration_country_rule_set(
        ProtectConfigurationId=pid, NumberCapability="SMS",
        CountryRuleSetUpdates={"US": {"ProtectStatus": "FILTER"}})
    sim.add_protect_filter(destination="+1206555*", body="(?i)prize")
    prize = {"Content": {"TextMessage": {"Body": "You won a PRIZE"}}}
    blocked = api.send_rcs_message(DestinationPhoneNumber=US_NUMBER, OriginationIdentity=agent_id,
                                   RcsMessageContent=prize,
                                   FallbackConfiguration={"Channel": "SMS", "MessageBody": "PRIZE"},
                                   )["MessageId"]
    fine = api.send_rcs_message(DestinationPhoneNumber=US_NUMBER, OriginationIdentity=agent_id,
                                RcsMessageContent=TEXT)["MessageId"]
    sim.advance(3600)
    last = sim.events(message_id=blocked)[-1]
    assert types_of(sim, blocked) == ["RCS_PROTECT_BLOCKED"]  # blocked, not failed: no fallback
    assert last["protectConfiguration"] == {"protectConfigurationId": pid, "protectStatus": "BLOCK"}
    assert types_of(sim, fine) == ["RCS_SENT", "RCS_DELIVERED"]
    assert {e["protectConfiguration"]["protectStatus"] for e in sim.events(message_id=fine)} == {"ALLOW"}


def test_rich_content_is_billed_rich_and_a_testing_agent_shows_no_launch_country(sim):
    api = sim.client(region_name=REGION)
    agent_id = api.create_rcs_agent()["RcsAgentId"]
    sim.region(ACCOUNT, REGION).rcs_agents.submit_testing(agent_id, "registration-testing")
    sim.advance(60)
    active_phone(sim, api, iso="FR")  # what sends the verification code
    vid = api.create_verified_destination_number(
        DestinationPhoneNumber=FR_MOBILE)["VerifiedDestinationNumberId"]
    api.send_destination_number_verification_code(VerifiedDestinationNumberId=vid, VerificationChannel="TEXT")
    api.verify_destination_number(VerifiedDestinationNumberId=vid,
                                  VerificationCode=sim.verification_code(FR_MOBILE))
    card = {"Content": {"RichCard": {"CardOrientation": "VERTICAL", "CardContent": {"Title": "Hi"}}}}
    contents = {"card": card, "text": TEXT, "long": {"Content": {"TextMessage": {"Body": "x" * 161}}}}
    sent = {name: api.send_rcs_message(DestinationPhoneNumber=FR_MOBILE, OriginationIdentity=agent_id,
                                       RcsMessageContent=content, MessageFeedbackEnabled=True)["MessageId"]
            for name, content in contents.items()}
    sim.advance(1)
    billed = {name: sim.events(message_id=mid)[0]["rcsMetadata"]["billingEventType"]
              for name, mid in sent.items()}
    assert billed == {"card": "RICH", "text": "BASIC", "long": "RICH"}
    first = sim.events(message_id=sent["text"])[0]
    assert first["isoCountryCode"] == "FR" and "agentIsoCountryCode" not in first  # no launch in FR
    # MessageFeedbackEnabled on an RCS send makes PutMessageFeedback accept the message, as for a text.
    answer = api.put_message_feedback(MessageId=sent["text"], MessageFeedbackStatus="RECEIVED")
    assert answer == {"MessageId": sent["text"], "MessageFeedbackStatus": "RECEIVED",
                      "ResponseMetadata": answer["ResponseMetadata"]}


def test_an_rcs_send_takes_its_configuration_sets_feedback_default_as_a_text_does(sim):
    api = sim.client(region_name=REGION)
    agent_id = launched_agent(sim, api)
    api.create_configuration_set(ConfigurationSetName="feedback")
    api.set_default_message_feedback_enabled(ConfigurationSetName="feedback", MessageFeedbackEnabled=True)
    by_default, refused = (
        api.send_rcs_message(DestinationPhoneNumber=US_NUMBER, OriginationIdentity=agent_id,
                             RcsMessageContent=TEXT, ConfigurationSetName="feedback", **given)["MessageId"]
        for given in ({}, {"MessageFeedbackEnabled": False}))
    assert api.put_message_feedback(MessageId=by_default, MessageFeedbackStatus="RECEIVED")[
        "MessageFeedbackStatus"] == "RECEIVED"
    with pytest.raises(ClientError) as exc:  # the send's own False wins over the set's default
        api.put_message_feedback(MessageId=refused, MessageFeedbackStatus="RECEIVED")
    assert exc.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_an_sms_fallback_needs_a_body_as_the_model_says(sim):
    api = sim.client(region_name=REGION)
    agent_id = launched_agent(sim, api)
    for fallback in ({"Channel": "SMS"}, {"Channel": "MMS"}):
        with pytest.raises(ClientError) as exc:
            api.send_rcs_message(DestinationPhoneNumber=US_NUMBER, OriginationIdentity=agent_id,
                                 RcsMessageContent=TEXT, FallbackConfiguration=fallback)
        assert (exc.value.response["Error"]["Code"], exc.value.response["Reason"]) == (
            "ValidationException", "MISSING_PARAMETER")
    assert sim.sent_messages() == []

