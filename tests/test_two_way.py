"""Two-way messaging end to end (issue 22): a handset answers an outbound text; its keyword acts
(opt-out list, the response sent back, priced, with its own events), and the inbound payload
reaches the number's two-way SNS topic, read here from an SQS queue subscribed to it on
moto_server — for STOP, HELP, a custom AUTOMATIC_RESPONSE keyword, OPT_IN, self-managed
opt-outs, a pool with two-way and an RCS agent with two-way."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from smsvoice_sim.simulator import Simulator
from smsvoice_sim.simulator.families.parts import default_keywords

from moto_stand_in import TopicReader, aws, moto_server_url, topic_into_queue

moto_url = pytest.fixture(moto_server_url)

HANDSET = "+14254147755"  # a US simulator destination: a SIMULATOR number sends only to those
STOP_TEXT = default_keywords()["STOP"].message
HELP_TEXT = default_keywords()["HELP"].message
PAYLOAD_KEYS = ["originationNumber", "destinationNumber", "messageKeyword", "messageBody",
                "previousPublishedMessageId", "inboundMessageId"]


@pytest.fixture
def stand(moto_url):
    """A simulator delivering to moto_server, and the program's side: a topic and its queue."""
    topic, queue_url = topic_into_queue(moto_url, "two-way")
    sim = Simulator(clock="manual", seed=22, events_endpoint_url=moto_url)
    return sim, sim.client(region_name="us-east-1"), topic, TopicReader(aws("sqs", moto_url), queue_url)


def two_way_number(client, topic: str, **settings) -> dict:
    """A US number (a SIMULATOR one: ACTIVE at once) with two-way on `topic`."""
    phone = client.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                        NumberCapabilities=["SMS"], NumberType="SIMULATOR")
    client.update_phone_number(PhoneNumberId=phone["PhoneNumberId"], TwoWayEnabled=True,
                               TwoWayChannelArn=topic, **settings)
    return phone


def send(client, origin: str, body: str = "Your code is 1234") -> str:
    return client.send_text_message(OriginationIdentity=origin, DestinationPhoneNumber=HANDSET,
                                    MessageBody=body)["MessageId"]


def opted_out(client, list_name: str = "Default") -> dict[str, bool]:
    found = client.describe_opted_out_numbers(OptOutListName=list_name)["OptedOutNumbers"]
    return {e["OptedOutNumber"]: e["EndUserOptedOut"] for e in found}


def refused_reason(call) -> str:
    with pytest.raises(ClientError) as err:
        call()
    return err.value.response.get("Reason", err.value.response["Error"]["Code"])


def sent_record(sim, message_id: str) -> dict:
    (found,) = [m for m in sim.sent_messages() if m["MessageId"] == message_id]
    return found


def test_stop_opts_out_answers_priced_and_reaches_the_topic(stand):
    sim, client, topic, reader = stand
    phone = two_way_number(client, topic)
    outbound = send(client, phone["PhoneNumberId"])
    record = sim.receive(from_=HANDSET, to=phone["PhoneNumber"], body="stop")
    assert opted_out(client) == {HANDSET: True}
    assert refused_reason(lambda: send(client, phone["PhoneNumberId"])) == \
        "DESTINATION_PHONE_NUMBER_OPTED_OUT"
    reply = sent_record(sim, record["reply"]["messageId"])
    assert (reply["MessageBody"], reply["DestinationPhoneNumber"], reply["OriginationPhoneNumber"]) == \
        (STOP_TEXT, HANDSET, phone["PhoneNumber"])
    assert reply["Price"] > 0 and reply["Operation"] == "SendTextMessage"
    assert reply["Details"]["KeywordResponse"]["Keyword"] == "STOP"
    sim.advance(5)  # the response has its own message events
    assert [e["eventType"] for e in sim.events(message_id=reply["MessageId"])] == \
        ["TEXT_SUCCESSFUL", "TEXT_DELIVERED"]
    (raw,) = reader.raw_messages()
    payload = json.loads(raw)
    assert list(payload) == PAYLOAD_KEYS and ", " not in raw and '": ' not in raw  # compact, ordered
    assert payload == {"originationNumber": HANDSET, "destinationNumber": phone["PhoneNumber"],
                       "messageKeyword": "STOP", "messageBody": "stop",
                       "previousPublishedMessageId": outbound,
                       "inboundMessageId": record["inboundMessageId"]}
    assert record["twoWay"]["published"] is True
    assert sim.metrics("NumberOfMessagesReceived")[0]["Sum"] == 1


def test_help_answers_and_leaves_the_list_alone(stand):
    sim, client, topic, reader = stand
    phone = two_way_number(client, topic)
    outbound = send(client, phone["PhoneNumberId"])
    record = sim.receive(from_=HANDSET, to=phone["PhoneNumberArn"], body="  Help me understand")
    assert record["keyword"] == "HELP" and record["optOut"] is None
    assert sent_record(sim, record["reply"]["messageId"])["MessageBody"] == HELP_TEXT
    assert opted_out(client) == {}
    send(client, phone["PhoneNumberId"])  # still subscribed
    (payload,) = reader.payloads()
    assert (payload["messageKeyword"], payload["previousPublishedMessageId"]) == ("HELP", outbound)


def test_a_custom_automatic_response_keyword_answers_with_its_message(stand):
    sim, client, topic, reader = stand
    phone = two_way_number(client, topic)
    client.put_keyword(OriginationIdentity=phone["PhoneNumberId"], Keyword="hours",
                       KeywordMessage="We are open 9 to 5.", KeywordAction="AUTOMATIC_RESPONSE")
    outbound = send(client, phone["PhoneNumberId"])
    record = sim.receive(from_=HANDSET, to=phone["PhoneNumber"], body="Hours?")
    reply = sent_record(sim, record["reply"]["messageId"])
    assert (record["keyword"], reply["MessageBody"]) == ("HOURS", "We are open 9 to 5.")
    plain = sim.receive(from_=HANDSET, to=phone["PhoneNumber"], body="what are your hours")
    assert plain["keyword"] is None and plain["reply"] is None
    payloads = reader.payloads()
    assert [p["messageKeyword"] for p in payloads] == ["HOURS", f"KEYWORD_{sim.default_account}"]
    # the response is the newest message sent to the handset: the next message answers it
    assert payloads[0]["previousPublishedMessageId"] == outbound
    assert payloads[1]["previousPublishedMessageId"] == reply["MessageId"]


def test_opt_in_resubscribes(stand):
    sim, client, topic, reader = stand
    phone = two_way_number(client, topic)
    client.put_keyword(OriginationIdentity=phone["PhoneNumberId"], Keyword="START",
                       KeywordMessage="Welcome back.", KeywordAction="OPT_IN")
    send(client, phone["PhoneNumberId"])
    sim.receive(from_=HANDSET, to=phone["PhoneNumber"], body="STOP")
    assert opted_out(client) == {HANDSET: True}
    record = sim.receive(from_=HANDSET, to=phone["PhoneNumber"], body="start")
    assert record["optOut"] == {"optOutListName": "Default", "change": "OPTED_IN"}
    assert opted_out(client) == {}
    assert sent_record(sim, record["reply"]["messageId"])["MessageBody"] == "Welcome back."
    send(client, phone["PhoneNumberId"])  # subscribed again
    assert [p["messageKeyword"] for p in reader.payloads()] == ["STOP", "START"]


def test_self_managed_opt_outs_leave_the_list_and_the_reply_to_the_program(stand):
    sim, client, topic, reader = stand
    phone = two_way_number(client, topic, SelfManagedOptOutsEnabled=True)
    outbound = send(client, phone["PhoneNumberId"])
    record = sim.receive(from_=HANDSET, to=phone["PhoneNumber"], body="STOP")
    assert record["reply"] is None and record["optOut"]["change"] == "SELF_MANAGED"
    assert opted_out(client) == {} and len(sim.sent_messages()) == 1
    (payload,) = reader.payloads()  # the program hears it, and does what AWS would have done
    assert (payload["messageKeyword"], payload["previousPublishedMessageId"]) == ("STOP", outbound)
    client.put_opted_out_number(OptOutListName="Default", OptedOutNumber=payload["originationNumber"])
    assert refused_reason(lambda: send(client, phone["PhoneNumberId"])) == \
        "DESTINATION_PHONE_NUMBER_OPTED_OUT"


def test_a_pooled_number_answers_with_the_pools_keywords_list_and_topic(stand):
    sim, client, topic, reader = stand
    client.create_opt_out_list(OptOutListName="marketing")
    phone = two_way_number(client, topic, OptOutListName="marketing")
    pool = client.create_pool(OriginationIdentity=phone["PhoneNumberId"], MessageType="TRANSACTIONAL")
    sim.advance(5)
    assert client.describe_pools(PoolIds=[pool["PoolId"]])["Pools"][0]["TwoWayEnabled"] is True
    client.put_keyword(OriginationIdentity=pool["PoolId"], Keyword="QUIT NOW",
                       KeywordMessage="Pool: you are out.", KeywordAction="OPT_OUT")
    outbound = send(client, pool["PoolId"])
    record = sim.receive(from_=HANDSET, to=phone["PhoneNumber"], body="quit now please")
    assert (record["keyword"], record["poolId"]) == ("QUIT NOW", pool["PoolId"])
    assert opted_out(client, "marketing") == {HANDSET: True} and opted_out(client) == {}
    assert sent_record(sim, record["reply"]["messageId"])["MessageBody"] == "Pool: you are out."
    assert refused_reason(lambda: send(client, pool["PoolId"])) == "DESTINATION_PHONE_NUMBER_OPTED_OUT"
    (payload,) = reader.payloads()
    assert (payload["messageKeyword"], payload["previousPublishedMessageId"]) == ("QUIT NOW", outbound)


def test_an_rcs_agent_with_two_way_opts_out_and_answers_over_rcs(stand):
    sim, client, topic, reader = stand
    rcs = sim.region(sim.default_account, "us-east-1").rcs_agents
    agent = client.create_rcs_agent()
    rcs.submit_testing(agent["RcsAgentId"], "registration-testing")
    rcs.submit_country_launch(agent["RcsAgentId"], "US", "registration-launch")
    sim.advance(120)
    client.update_rcs_agent(RcsAgentId=agent["RcsAgentId"], TwoWayEnabled=True, TwoWayChannelArn=topic)
    text = {"Content": {"TextMessage": {"Body": "Your parcel is on its way"}}}

    def send_rcs():
        return client.send_rcs_message(OriginationIdentity=agent["RcsAgentId"],
                                       DestinationPhoneNumber=HANDSET, RcsMessageContent=text)
    outbound = send_rcs()["MessageId"]
    record = sim.receive(from_=HANDSET, to=agent["RcsAgentId"], body="Stop.")
    assert record["channel"] == "RCS" and opted_out(client) == {HANDSET: True}
    assert refused_reason(send_rcs) == "DESTINATION_PHONE_NUMBER_OPTED_OUT"
    reply = sent_record(sim, record["reply"]["messageId"])
    assert (reply["Channel"], reply["MessageBody"], reply["Details"]["RcsAgentId"]) == \
        ("RCS", STOP_TEXT, agent["RcsAgentId"])
    assert reply["Price"] > 0
    sim.advance(2)
    assert "RCS_DELIVERED" in [e["eventType"] for e in sim.events(message_id=reply["MessageId"])]
    (payload,) = reader.payloads()
    assert payload["destinationNumber"] == agent["RcsAgentId"]
    assert (payload["messageKeyword"], payload["previousPublishedMessageId"]) == ("STOP", outbound)


def test_without_two_way_the_keyword_acts_but_nothing_is_published(stand):
    """A number that had the topic, then two-way turned off: its queue would get a payload if
    the switch were ignored."""
    sim, client, topic, reader = stand
    phone = two_way_number(client, topic)
    client.update_phone_number(PhoneNumberId=phone["PhoneNumberId"], TwoWayEnabled=False)
    record = sim.receive(from_=HANDSET, to=phone["PhoneNumber"], body="STOP")
    assert opted_out(client) == {HANDSET: True} and record["reply"]["messageId"]
    assert record["twoWay"]["enabled"] is False and record["twoWay"]["published"] is False
    assert record["twoWay"]["channelArn"] == topic  # the topic is still configured
    assert f"two-way is off on {phone['PhoneNumberId']}" in record["twoWay"]["dropped"]
    assert reader.payloads() == []


def test_answered_keywords_can_stay_off_the_topic(moto_url):
    topic, queue_url = topic_into_queue(moto_url, "quiet")
    sim = Simulator(clock="manual", events_endpoint_url=moto_url, publish_answered_keywords=False)
    client = sim.client()
    phone = two_way_number(client, topic)
    client.put_keyword(OriginationIdentity=phone["PhoneNumberId"], Keyword="HOURS",
                       KeywordMessage="9 to 5.")
    for body in ("STOP", "HELP", "HOURS", "hello"):
        sim.receive(from_=HANDSET, to=phone["PhoneNumber"], body=body)
    payloads = TopicReader(aws("sqs", moto_url), queue_url).payloads()
    assert [p["messageBody"] for p in payloads] == ["HOURS", "hello"]


def test_the_published_outcome_is_saved_with_state_and_survives_a_restart(moto_url, tmp_path):
    """The record is saved when received, before its publish finished on the delivery thread;
    the publish's outcome is saved too, so a restarted simulator shows it."""
    topic, _queue_url = topic_into_queue(moto_url, "kept")
    path = str(tmp_path / "state.db")
    with Simulator(clock="manual", events_endpoint_url=moto_url, state_file=path) as sim:
        phone = two_way_number(sim.client(), topic)
        record = sim.receive(from_=HANDSET, to=phone["PhoneNumber"], body="hello")
        assert record["twoWay"]["published"] is True
    with Simulator(clock="manual", state_file=path) as again:
        (kept,) = again.inbound()
        assert kept["twoWay"]["published"] is True and "error" not in kept["twoWay"]


def test_a_publish_that_fails_is_recorded_with_its_error(stand):
    """The two-way topic does not exist (on moto_server): the message is still received, its
    keyword acts, and the record says the publish failed and why."""
    sim, client, _topic, reader = stand
    missing = "arn:aws:sns:us-east-1:123456789012:no-such-topic"
    phone = two_way_number(client, missing)
    record = sim.receive(from_=HANDSET, to=phone["PhoneNumber"], body="STOP")
    assert opted_out(client) == {HANDSET: True}
    assert (record["twoWay"]["published"], record["twoWay"]["channelArn"]) == (False, missing)
    assert "NotFound" in record["twoWay"]["error"]
    assert sim.messaging.deliverer.stats_view()["two-way"]["failed"] == 1
    assert reader.payloads() == []


def test_answered_opt_out_words_and_opt_in_keywords_can_stay_off_the_topic(moto_url):
    """publish_answered_keywords=False: END (an opt-out word AWS answers for a US number) and a
    custom OPT_IN keyword act and are answered, but only the free text is published."""
    topic, queue_url = topic_into_queue(moto_url, "quiet-lists")
    sim = Simulator(clock="manual", events_endpoint_url=moto_url, publish_answered_keywords=False)
    client = sim.client()
    phone = two_way_number(client, topic)
    client.put_keyword(OriginationIdentity=phone["PhoneNumberId"], Keyword="START",
                       KeywordMessage="Welcome back.", KeywordAction="OPT_IN")
    end = sim.receive(from_=HANDSET, to=phone["PhoneNumber"], body="END")
    assert (end["keyword"], end["keywordAction"]) == ("END", "OPT_OUT")
    assert opted_out(client) == {HANDSET: True}
    start = sim.receive(from_=HANDSET, to=phone["PhoneNumber"], body="start")
    assert start["optOut"]["change"] == "OPTED_IN" and opted_out(client) == {}
    assert sent_record(sim, start["reply"]["messageId"])["MessageBody"] == "Welcome back."
    sim.receive(from_=HANDSET, to=phone["PhoneNumber"], body="hello")
    for record in (end, start):
        assert record["twoWay"]["published"] is False
        assert "publish_answered_keywords=False" in record["twoWay"]["dropped"]
    payloads = TopicReader(aws("sqs", moto_url), queue_url).payloads()
    assert [p["messageBody"] for p in payloads] == ["hello"]
