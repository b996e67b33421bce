"""Delivery events: their format, which destinations take them, outcomes, and delivery
to real destination services (moto's server standing in for SNS/SQS/Firehose/CloudWatch Logs)."""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest

from smsvoice_sim.simulator import Simulator
from smsvoice_sim.simulator.messaging import events
from smsvoice_sim.simulator.messaging.delivery import Deliverer
from smsvoice_sim.simulator.messaging.outcomes import SIMULATOR_NUMBERS, WITHHELD, Outcomes

from moto_stand_in import aws, moto_server_url, silent_endpoint_url, topic_into_queue

moto_url = pytest.fixture(moto_server_url)
silent_url = pytest.fixture(silent_endpoint_url)


# -- matching ------------------------------------------------------------------
@pytest.mark.parametrize("wanted,event_type,expected", [
    (["ALL"], "VOICE_BUSY", True), (["TEXT_ALL"], "TEXT_DELIVERED", True),
    (["TEXT_ALL"], "VOICE_COMPLETED", False), (["VOICE_ALL"], "VOICE_COMPLETED", True),
    (["MEDIA_ALL"], "MEDIA_SPAM", True), (["TEXT_DELIVERED"], "TEXT_SUCCESSFUL", False),
    (["TEXT_BLOCKED", "TEXT_SUCCESSFUL"], "TEXT_SUCCESSFUL", True),
])
def test_matching_event_types_take_groups_and_single_types(wanted, event_type, expected):
    assert events.matches(wanted, event_type) is expected


def test_every_group_name_is_an_event_type_of_the_model():
    assert set(events.GROUPS) <= set(events.event_types())


def test_every_status_description_is_a_status_of_the_model():
    statuses = {events.status_of(t) for t in events.event_types() if t not in events.GROUPS}
    assert set(events.DESCRIPTIONS) <= statuses


# -- outcomes --------------------------------------------------------------------
def test_aws_simulator_numbers_succeed_and_fail_as_aws_says():
    outcomes = Outcomes(seed=1)
    assert outcomes.choose("TEXT", "+14254147755") == "TEXT_DELIVERED"
    assert outcomes.choose("TEXT", "+14254147167") == "TEXT_BLOCKED"
    for success, failure in SIMULATOR_NUMBERS.values():
        assert outcomes.choose("TEXT", success) == "TEXT_DELIVERED"
        assert outcomes.choose("TEXT", failure) == "TEXT_BLOCKED"
    assert outcomes.choose("VOICE", "+14254147167") == "VOICE_FAILED"
    assert outcomes.choose("TEXT", "+12065550100") == "TEXT_DELIVERED"


def test_a_rule_for_a_pattern_wins_and_later_rules_win_over_earlier():
    outcomes = Outcomes(seed=1)
    outcomes.set("+1206555....", "TEXT_BLOCKED")
    assert outcomes.choose("TEXT", "+12065550100") == "TEXT_BLOCKED"
    assert outcomes.choose("TEXT", "+120655501000") == "TEXT_DELIVERED"  # one digit too many
    assert outcomes.choose("VOICE", "+12065550100") == "VOICE_COMPLETED"  # a text rule
    outcomes.set("+1206*", WITHHELD)
    assert outcomes.choose("VOICE", "+12065550100") == WITHHELD
    outcomes.set("+14254147167", "TEXT_DELIVERED")
    assert outcomes.choose("TEXT", "+14254147167") == "TEXT_DELIVERED"


def test_a_share_makes_that_share_of_messages_take_the_outcome_reproducibly():
    def draw(seed):
        outcomes = Outcomes(seed=seed)
        outcomes.set("*", "TEXT_CARRIER_UNREACHABLE", share=0.25)
        return [outcomes.choose("TEXT", "+12065550100") for _ in range(400)]

    first = draw(3)
    assert first == draw(3)
    failed = first.count("TEXT_CARRIER_UNREACHABLE")
    assert 60 < failed < 140 and set(first) == {"TEXT_CARRIER_UNREACHABLE", "TEXT_DELIVERED"}


@pytest.mark.parametrize("pattern,outcome,share", [
    ("not a number", "TEXT_BLOCKED", 1), ("+1206", "TEXT_NOPE", 1), ("+1206", "TEXT_BLOCKED", 0),
    ("+1206", "TEXT_BLOCKED", 2), ("+1206", "TEXT_BLOCKED", True), ("+1206", "TEXT_SENT", 1),
])
def test_a_rule_that_means_nothing_is_refused(pattern, outcome, share):
    with pytest.raises(ValueError):
        Outcomes().set(pattern, outcome, share)


# -- records -----------------------------------------------------------------------
class _Msg:
    message_id = "862a8790-60c0-4430-9b2b-658bdexample"
    channel = "TEXT"
    destination = "+14255550156"
    iso_country_code = "US"
    international = False
    origination_number = "+12065550152"
    requested_at = 1686975103.170
    encoding = "GSM"
    message_type = "PROMOTIONAL"
    context = {"account": "bar"}
    parts = 1
    price = 0.00883
    protect_configuration_id = None


def test_an_event_record_has_aws_fields_with_millisecond_timestamps():
    event = events.record(_Msg(), "TEXT_SUCCESSFUL", 1686975103.470, True)
    assert event == {
        "eventType": "TEXT_SUCCESSFUL", "eventVersion": "1.0", "eventTimestamp": 1686975103470,
        "isFinal": True, "originationPhoneNumber": "+12065550152",
        "destinationPhoneNumber": "+14255550156", "isoCountryCode": "US", "isInternationalSend": False,
        "messageId": "862a8790-60c0-4430-9b2b-658bdexample", "messageRequestTimestamp": 1686975103170,
        "messageEncoding": "GSM", "messageType": "PROMOTIONAL", "messageStatus": "SUCCESSFUL",
        "messageStatusDescription": "Message has been accepted by phone carrier",
        "context": {"account": "bar"}, "totalMessageParts": 1, "totalMessagePrice": 0.00883,
        "totalCarrierFee": 0.0,
    }


def test_a_blocked_message_costs_nothing_and_shows_its_protect_configuration():
    msg = _Msg()
    msg.protect_configuration_id = "protect-e06e5d722c31455286262a108e7d863d"
    msg.origination_number = None
    event = events.record(msg, "TEXT_BLOCKED", 1686975104.0, True)
    assert event["totalMessagePrice"] == 0.0 and "originationPhoneNumber" not in event
    assert event["protectConfiguration"] == {
        "protectConfigurationId": "protect-e06e5d722c31455286262a108e7d863d", "protectStatus": "ALLOW"}
    assert event["messageStatusDescription"] == "Phone has blocked SMS"


def test_the_eventbridge_envelope_carries_the_record_as_detail():
    event = events.record(_Msg(), "TEXT_DELIVERED", 1686975106.0, True)
    envelope = events.eventbridge_envelope(event, "TEXT", "123456789012", "us-east-1", "e-1")
    assert envelope["source"] == "aws.sms-voice"
    assert envelope["detail-type"] == "Text Message Delivery Status Updated"
    assert envelope["detail"] is event and envelope["resources"] == []
    assert envelope["time"] == "2023-06-17T04:11:46Z"


def test_the_event_log_filters_by_message_destination_and_type():
    log = events.EventLog(limit=3)
    for i, (number, kind) in enumerate([("+1", "TEXT_SUCCESSFUL"), ("+2", "TEXT_BLOCKED"),
                                        ("+12", "VOICE_BUSY"), ("+13", "TEXT_DELIVERED")]):
        log.append({"event": {"messageId": f"m{i}", "destinationPhoneNumber": number, "eventType": kind},
                    "account": "a", "region": "r"})
    assert [e["event"]["messageId"] for e in log.query()] == ["m1", "m2", "m3"]  # bounded
    assert [e["event"]["messageId"] for e in log.query(destination="+1*")] == ["m2", "m3"]
    assert [e["event"]["messageId"] for e in log.query(event_type="TEXT_ALL")] == ["m1", "m3"]
    assert [e["event"]["messageId"] for e in log.query(message_id="m2")] == ["m2"]
    assert log.emitted == 4


# -- delivery to real services -------------------------------------------------------
def test_delivery_without_an_endpoint_is_refused_not_sent_to_aws(monkeypatch):
    for var in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SNS"):
        monkeypatch.delenv(var, raising=False)
    deliverer = Deliverer()
    why = deliverer.deliver({"SnsDestination": {"TopicArn": "arn:aws:sns:us-east-1:1:t"}},
                            {"eventType": "TEXT_SUCCESSFUL"}, "us-east-1")
    assert "no events endpoint" in why and deliverer.stats.refused == 1
    aws_host = Deliverer("https://sns.us-east-1.amazonaws.com")
    assert "is AWS" in aws_host.deliver({"SnsDestination": {"TopicArn": "arn:aws:sns:us-east-1:1:t"}},
                                        {"eventType": "TEXT_SUCCESSFUL"}, "us-east-1")


@pytest.mark.parametrize("endpoint", [
    "https://sns.us-east-1.amazonaws.com.",  # the fully qualified name, trailing dot
    "HTTPS://SNS.US-EAST-1.AMAZONAWS.COM", "https://sns.us-east-1.api.aws",
    "https://sns.cn-north-1.amazonaws.com.cn", "https://amazonaws.com",
])
def test_every_spelling_of_an_aws_endpoint_is_refused(endpoint):
    deliverer = Deliverer(endpoint)
    why = deliverer.deliver({"SnsDestination": {"TopicArn": "arn:aws:sns:us-east-1:1:t"}},
                            {"eventType": "TEXT_SUCCESSFUL"}, "us-east-1")
    assert "is AWS" in why and deliverer.stats.refused == 1


def test_an_environment_endpoint_on_aws_is_refused_too(monkeypatch):
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SNS", "https://sns.us-east-1.amazonaws.com.")
    deliverer = Deliverer()
    why = deliverer.deliver({"SnsDestination": {"TopicArn": "arn:aws:sns:us-east-1:1:t"}},
                            {"eventType": "TEXT_SUCCESSFUL"}, "us-east-1")
    assert "is AWS" in why and deliverer.stats.refused == 1


def test_a_destination_that_never_answers_holds_up_no_request(silent_url):
    """A hung SNS stand-in: the advance that emits the event waits a bounded while, another
    request is answered meanwhile, and the delivery fails after its call timeout."""
    sim = Simulator(clock="manual", seed=5, events_endpoint_url=silent_url)
    client = sim.client(region_name="us-east-1")
    client.create_configuration_set(ConfigurationSetName="cs")
    client.create_event_destination(ConfigurationSetName="cs", EventDestinationName="hung",
                                    MatchingEventTypes=["TEXT_SUCCESSFUL"],
                                    SnsDestination={"TopicArn": "arn:aws:sns:us-east-1:123456789012:t"})
    client.send_text_message(DestinationPhoneNumber="+14254147755", MessageBody="x",
                             ConfigurationSetName="cs")
    took = {}

    def advance() -> None:
        start = time.perf_counter()
        sim.advance(1)
        took["advance"] = time.perf_counter() - start

    advancing = threading.Thread(target=advance)
    advancing.start()
    deadline = time.monotonic() + 10
    while not sim.messaging.log.emitted and time.monotonic() < deadline:
        time.sleep(0.01)  # until the event is emitted (a wall-clock wait for a thread, bounded)
    start = time.perf_counter()
    client.describe_configuration_sets()
    took["other request"] = time.perf_counter() - start
    advancing.join(timeout=60)
    assert took["other request"] < 1.0, took  # the simulator's lock is free while delivery hangs
    # waits for the one call's timeout (never abandons a slow but working call), not for 60 s
    assert took["advance"] < 15.0, took
    [entry] = sim.messaging.log.query()
    assert entry["event"]["eventType"] == "TEXT_SUCCESSFUL"
    assert sim.messaging.deliverer.flush(limit=30)  # bounded by the call's timeout
    assert entry["destinations"][0]["delivered"] is False
    assert "timeout" in entry["destinations"][0]["error"].lower()
    assert sim.messaging.deliverer.stats.failed == 1


def test_a_destination_that_is_down_fails_at_once_and_the_delivery_thread_ends():
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    deliverer = Deliverer(f"http://127.0.0.1:{port}")
    done = []
    deliverer.submit({"SnsDestination": {"TopicArn": "arn:aws:sns:us-east-1:123456789012:t"}},
                     {"eventType": "TEXT_SUCCESSFUL", "messageId": "m"}, "us-east-1", done.append)
    assert deliverer.flush(limit=30)
    assert deliverer.stats.failed == 1 and "Could not connect" in done[0]
    deadline = time.monotonic() + 10
    while delivery_threads() and time.monotonic() < deadline:
        time.sleep(0.05)  # the idle thread ends by itself (a wall-clock wait, bounded)
    assert delivery_threads() == []


def delivery_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "smsvoice-sim delivery"]


def test_a_broken_destination_is_counted_and_never_raises(moto_url):
    deliverer = Deliverer(moto_url)
    why = deliverer.deliver({"SnsDestination": {"TopicArn": "arn:aws:sns:us-east-1:123456789012:gone"}},
                            {"eventType": "TEXT_SUCCESSFUL", "messageId": "m"}, "us-east-1")
    assert why and deliverer.stats.failed == 1 and deliverer.stats.delivered == 0


def test_events_reach_sns_subscribers_firehose_and_cloudwatch_logs(moto_url):
    topic, queue_url = topic_into_queue(moto_url)
    logs = aws("logs", moto_url)
    logs.create_log_group(logGroupName="sms-events")
    group_arn = "arn:aws:logs:us-east-1:123456789012:log-group:sms-events:*"
    s3, firehose = aws("s3", moto_url), aws("firehose", moto_url)
    s3.create_bucket(Bucket="events")
    stream = firehose.create_delivery_stream(
        DeliveryStreamName="sms", S3DestinationConfiguration={
            "RoleARN": "arn:aws:iam::123456789012:role/f", "BucketARN": "arn:aws:s3:::events"},
    )["DeliveryStreamARN"]
    deliverer = Deliverer(moto_url)
    msg = _Msg()
    msg.requested_at = time.time()  # CloudWatch Logs refuses events older than 14 days
    event = events.record(msg, "TEXT_SUCCESSFUL", msg.requested_at + 0.3, True)
    for destination in ({"SnsDestination": {"TopicArn": topic}},
                        {"CloudWatchLogsDestination": {"IamRoleArn": "arn:aws:iam::1:role/r",
                                                       "LogGroupArn": group_arn}},
                        {"KinesisFirehoseDestination": {"IamRoleArn": "arn:aws:iam::1:role/r",
                                                        "DeliveryStreamArn": stream}}):
        assert deliverer.deliver(destination, event, "us-east-1") is None
    body = aws("sqs", moto_url).receive_message(QueueUrl=queue_url, WaitTimeSeconds=1)["Messages"][0]["Body"]
    assert json.loads(json.loads(body)["Message"]) == event
    logged = logs.get_log_events(logGroupName="sms-events", logStreamName="smsvoice-sim-events")["events"]
    assert [json.loads(e["message"]) for e in logged] == [event]
    assert deliverer.stats.delivered == 3


# -- end to end: simulator -> SNS topic -> SQS queue -> a receipt consumer --------------------
class ReceiptConsumer:
    """Written the way public receipt consumers are: long-poll SQS, unwrap the SNS
    envelope, JSON-parse the event, update the message's status, delete the receipt."""

    def __init__(self, sqs, queue_url: str):
        self.sqs, self.queue_url = sqs, queue_url
        self.status: dict[str, str] = {}
        self.events: list[dict] = []

    def poll(self) -> int:
        got = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10,
                                       WaitTimeSeconds=0).get("Messages", [])
        for received in got:
            envelope = json.loads(received["Body"])
            event = json.loads(envelope["Message"])
            self.events.append(event)
            final = event["isFinal"]
            self.status[event["messageId"]] = event["messageStatus"] if final else "SENDING"
            self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=received["ReceiptHandle"])
        return len(got)


@pytest.fixture
def pipeline(moto_url):
    """A simulator delivering to moto_server, a configuration set whose SNS destination feeds a
    queue, and the consumer of that queue."""
    topic, queue_url = topic_into_queue(moto_url)
    sim = Simulator(clock="manual", seed=11, events_endpoint_url=moto_url)
    client = sim.client(region_name="us-east-1")
    client.create_configuration_set(ConfigurationSetName="receipts")
    client.create_event_destination(ConfigurationSetName="receipts", EventDestinationName="to-sns",
                                    MatchingEventTypes=["TEXT_ALL"], SnsDestination={"TopicArn": topic})
    return sim, client, ReceiptConsumer(aws("sqs", moto_url), queue_url)


def test_a_receipt_consumer_sees_success_then_delivery_as_the_clock_moves(pipeline):
    sim, client, consumer = pipeline
    sent = client.send_text_message(DestinationPhoneNumber="+14254147755", MessageBody="Your code is 1234",
                                    ConfigurationSetName="receipts", Context={"order": "42"})
    assert consumer.poll() == 0  # nothing happens until the clock moves
    sim.advance(1)
    assert consumer.poll() == 1
    event = consumer.events[-1]
    assert (event["eventType"], event["messageId"], event["context"]) == (
        "TEXT_SUCCESSFUL", sent["MessageId"], {"order": "42"})
    assert consumer.status[sent["MessageId"]] == "SUCCESSFUL"
    sim.advance(5)
    assert consumer.poll() == 1 and consumer.status[sent["MessageId"]] == "DELIVERED"
    assert sim.messaging.deliverer.stats.delivered == 2


def test_the_failure_number_gives_the_consumer_a_failure_event(pipeline):
    sim, client, consumer = pipeline
    sent = client.send_text_message(DestinationPhoneNumber="+14254147167", MessageBody="hi",
                                    ConfigurationSetName="receipts")
    sim.advance(1)
    assert consumer.poll() == 1
    assert consumer.events[-1]["eventType"] == "TEXT_BLOCKED"
    assert consumer.status[sent["MessageId"]] == "BLOCKED"
    assert consumer.events[-1]["totalMessagePrice"] == 0.0
    sim.advance(3600)
    assert consumer.poll() == 0  # a failure is the message's last event


def test_withheld_delivery_expires_after_its_time_to_live(pipeline):
    sim, client, consumer = pipeline
    sim.set_outcome("+1206555*", "WITHHELD")
    sent = client.send_text_message(DestinationPhoneNumber="+12065550100", MessageBody="hi",
                                    ConfigurationSetName="receipts", TimeToLive=60)
    sim.advance(59.9)
    assert consumer.poll() == 0
    sim.advance(0.1)
    assert consumer.poll() == 1
    event = consumer.events[-1]
    assert (event["eventType"], event["messageStatus"], event["messageStatusDescription"]) == (
        "TEXT_TTL_EXPIRED", "TTL_EXPIRED", "The delivery TTL has expired")
    assert event["eventTimestamp"] - event["messageRequestTimestamp"] == 60_000
    assert consumer.status[sent["MessageId"]] == "TTL_EXPIRED"


def test_only_matching_enabled_destinations_receive_and_the_log_has_everything(pipeline, moto_url):
    sim, client, consumer = pipeline
    client.update_event_destination(ConfigurationSetName="receipts", EventDestinationName="to-sns",
                                    MatchingEventTypes=["TEXT_DELIVERED"])
    first = client.send_text_message(DestinationPhoneNumber="+14254147755", MessageBody="a",
                                     ConfigurationSetName="receipts")["MessageId"]
    sim.advance(5)
    assert consumer.poll() == 1 and consumer.events[-1]["eventType"] == "TEXT_DELIVERED"
    client.update_event_destination(ConfigurationSetName="receipts", EventDestinationName="to-sns",
                                    Enabled=False)
    second = client.send_text_message(DestinationPhoneNumber="+14254147755", MessageBody="b",
                                      ConfigurationSetName="receipts")["MessageId"]
    no_set = client.send_text_message(DestinationPhoneNumber="+14254147755", MessageBody="c")["MessageId"]
    sim.advance(5)
    assert consumer.poll() == 0
    assert [e["eventType"] for e in sim.events(message_id=second)] == ["TEXT_SUCCESSFUL", "TEXT_DELIVERED"]
    assert [e["eventType"] for e in sim.events(message_id=no_set)] == ["TEXT_SUCCESSFUL", "TEXT_DELIVERED"]
    assert len(sim.events(event_type="TEXT_DELIVERED")) == 3
    assert {e["messageId"] for e in sim.events(destination="+1425414*")} == {first, second, no_set}


def test_events_per_second_to_the_log_and_to_moto_server(pipeline, moto_url, capsys):
    """A report, not a speed assertion: events a second the simulator emits to its own log,
    and delivered through SNS to moto_server, beside boto3 publishing the same count to
    moto_server directly (the peer, measured in the same run)."""
    sim, _client, _consumer = pipeline
    rates = {}
    for label, simulator, kwargs, n in (("log", Simulator(clock="manual", seed=3), {}, 500),
                                        ("moto_server", sim, {"ConfigurationSetName": "receipts"}, 50)):
        client = simulator.client(region_name="us-east-1", short_circuit=True)
        for i in range(n):
            client.send_text_message(DestinationPhoneNumber=f"+1206555{i:04d}", MessageBody="x", **kwargs)
        start = time.perf_counter()
        simulator.advance(5)  # SUCCESSFUL and DELIVERED for each message
        assert simulator.messaging.deliverer.flush(limit=30)  # delivered, not only queued
        rates[label] = 2 * n / (time.perf_counter() - start)
        assert simulator.messaging.deliverer.stats.failed == 0
        assert len(simulator.events()) >= 2 * n
    sns = aws("sns", moto_url)
    topic = sns.create_topic(Name="peer")["TopicArn"]
    start = time.perf_counter()
    for _ in range(100):
        sns.publish(TopicArn=topic, Message="{}")
    rates["boto3 alone"] = 100 / (time.perf_counter() - start)
    with capsys.disabled():
        print("\nevents/s: " + ", ".join(f"{k} {v:.0f}" for k, v in rates.items()))


def test_with_a_clock_that_moves_itself_a_ticker_delivers_without_further_calls(moto_url):
    topic, queue_url = topic_into_queue(moto_url)
    sim = Simulator(clock="real", seed=4, events_endpoint_url=moto_url,
                    durations={"text-message:QUEUED->SUCCESSFUL": 0.0})
    client = sim.client()
    client.create_configuration_set(ConfigurationSetName="cs")
    client.create_event_destination(ConfigurationSetName="cs", EventDestinationName="sns",
                                    MatchingEventTypes=["TEXT_SUCCESSFUL"],
                                    SnsDestination={"TopicArn": topic})
    with sim.start_event_ticker(interval=0.01):
        client.send_text_message(DestinationPhoneNumber="+14254147755", MessageBody="x",
                                 ConfigurationSetName="cs")
        # Only the ticker settles now: no request, no events() call. The queue long-polls.
        got = aws("sqs", moto_url).receive_message(QueueUrl=queue_url, WaitTimeSeconds=10)
    assert json.loads(json.loads(got["Messages"][0]["Body"])["Message"])["eventType"] == "TEXT_SUCCESSFUL"
