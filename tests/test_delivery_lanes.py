"""A dead event destination delays only its own events: each destination has its own
queue, and `sim.advance()` waits for delivery FLUSH_LIMIT seconds at most. The dead one is
a TCP endpoint that accepts and never answers; the healthy one is moto_server."""

from __future__ import annotations

import gzip
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from smsvoice_sim.simulator import Simulator
from smsvoice_sim.simulator.messaging.delivery import (
    FLUSH_LIMIT,
    LANE_QUEUE_LIMIT,
    METRIC_DATA_LIMIT,
    RETRY_ATTEMPTS,
    Deliverer,
)
from smsvoice_sim.simulator.messaging.hub import Messaging

from moto_stand_in import aws, moto_server_url, silent_endpoint_url

moto_url = pytest.fixture(moto_server_url)
silent_url = pytest.fixture(silent_endpoint_url)
GROUP = "sms-events"


@pytest.fixture
def silent_sns_beside_moto_logs(monkeypatch, silent_url, moto_url):
    """A simulator whose SNS endpoint never answers and whose CloudWatch Logs endpoint is
    moto_server, with one configuration set sending every event to both."""
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SNS", silent_url)
    monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", moto_url)
    aws("logs", moto_url).create_log_group(logGroupName=GROUP)
    sim = Simulator(clock="manual", seed=7)  # a manual clock starts at the wall time: Logs takes it
    client = sim.client(region_name="us-east-1")
    client.create_configuration_set(ConfigurationSetName="cs")
    # SNS first: with one queue for all, the Logs event would wait behind it
    client.create_event_destination(
        ConfigurationSetName="cs", EventDestinationName="dead-sns", MatchingEventTypes=["TEXT_ALL"],
        SnsDestination={"TopicArn": "arn:aws:sns:us-east-1:123456789012:t"})
    client.create_event_destination(
        ConfigurationSetName="cs", EventDestinationName="logs", MatchingEventTypes=["TEXT_ALL"],
        CloudWatchLogsDestination={"IamRoleArn": "arn:aws:iam::123456789012:role/r",
                                   "LogGroupArn": f"arn:aws:logs:us-east-1:123456789012:log-group:{GROUP}"})
    return sim, client, moto_url


def _deliveries(sim, name: str) -> list:
    return [d["delivered"] for entry in sim.messaging.log.query()
            for d in entry["destinations"] if d["name"] == name]


def test_a_healthy_destination_gets_its_events_while_a_dead_one_still_hangs(silent_sns_beside_moto_logs):
    sim, client, moto_url = silent_sns_beside_moto_logs
    client.send_text_message(DestinationPhoneNumber="+14254147755", MessageBody="x",
                             ConfigurationSetName="cs")
    advancing = threading.Thread(target=sim.advance, args=(1,))
    advancing.start()
    deadline = time.monotonic() + 30
    while _deliveries(sim, "logs") != [True] and time.monotonic() < deadline:
        time.sleep(0.01)  # until the Logs delivery finished (a wall-clock wait for a thread, bounded)
    # The Logs event arrived while the SNS call is still waiting for its answer.
    assert _deliveries(sim, "logs") == [True]
    assert _deliveries(sim, "dead-sns") == [None]
    logged = aws("logs", moto_url).get_log_events(logGroupName=GROUP,
                                                  logStreamName="smsvoice-sim-events")["events"]
    assert len(logged) == 1 and '"TEXT_SUCCESSFUL"' in logged[0]["message"]
    advancing.join(timeout=60)
    assert not advancing.is_alive()
    assert sim.messaging.deliverer.flush(limit=30)
    assert _deliveries(sim, "dead-sns") == [False]


def test_advances_wait_for_a_dead_destination_no_longer_than_the_documented_bound(
        silent_sns_beside_moto_logs):
    """Six events for the dead SNS topic, two advances at once: each returns within the one
    bound (the first SNS call's timeout; the queued ones fail at once after it), and every
    Logs event is delivered."""
    sim, client, _moto_url = silent_sns_beside_moto_logs
    for i in range(6):
        client.send_text_message(DestinationPhoneNumber=f"+1425414{7750 + i}", MessageBody="x",
                                 ConfigurationSetName="cs")
    took: list[float] = []

    def advance(seconds: float) -> None:
        start = time.perf_counter()
        sim.advance(seconds)
        took.append(time.perf_counter() - start)

    advances = [threading.Thread(target=advance, args=(s,)) for s in (1, 4)]
    for thread in advances:
        thread.start()
    for thread in advances:
        thread.join(timeout=120)
    assert len(took) == 2
    assert max(took) < FLUSH_LIMIT + 2.0, took  # one bound, not 60 s each
    assert sim.messaging.deliverer.flush(limit=30)
    sns = _deliveries(sim, "dead-sns")
    assert len(sns) == 12 and not any(sns)
    assert _deliveries(sim, "logs") == [True] * 12
    assert "did not answer a moment ago" in sim.messaging.deliverer.stats.errors[-1]


@pytest.fixture
def throttling_sns():
    """An SNS stand-in on 127.0.0.1 that answers every call with a Throttling error (or, for
    a topic named "gone", NotFound), counting the calls it gets."""
    calls: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            calls.append(body)
            code, status = (b"NotFound", 404) if b"%3Agone" in body else (b"Throttling", 400)
            answer = (b"<ErrorResponse><Error><Type>Sender</Type><Code>" + code
                      + b"</Code><Message>no</Message></Error><RequestId>r</RequestId></ErrorResponse>")
            self.send_response(status)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *_args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", calls
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_a_throttled_call_is_tried_again_and_a_refused_one_is_not(throttling_sns):
    """The retry policy: an answer that says "call again" (throttled) is retried, RETRY_ATTEMPTS
    calls in all; a plain client error (a topic that does not exist) is not."""
    url, calls = throttling_sns
    deliverer = Deliverer(url)
    why = deliverer.deliver({"SnsDestination": {"TopicArn": "arn:aws:sns:us-east-1:123456789012:t"}},
                            {"eventType": "TEXT_SUCCESSFUL"}, "us-east-1")
    assert "Throttling" in why and len(calls) == RETRY_ATTEMPTS
    calls.clear()
    why = deliverer.deliver({"SnsDestination": {"TopicArn": "arn:aws:sns:us-east-1:123456789012:gone"}},
                            {"eventType": "TEXT_SUCCESSFUL"}, "us-east-1")
    assert "NotFound" in why and len(calls) == 1
    assert deliverer.stats.failed == 2


class FlakyCloudWatch:
    """A CloudWatch stand-in on 127.0.0.1 (botocore speaks its JSON protocol to it): it answers the
    calls numbered in `fail` with a 500, every other one with success, and keeps the metric
    names of each call it accepted. `on_call(n)` runs before call n is answered."""

    def __init__(self, fail: set[int], on_call=lambda n: None):
        self.accepted: list[list[str]] = []
        self.calls = 0
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.headers.get("Content-Encoding") == "gzip":  # botocore compresses big ones
                    body = gzip.decompress(body)
                request = json.loads(body)
                stand_in.calls += 1
                on_call(stand_in.calls)
                failing = stand_in.calls in fail
                if not failing:
                    stand_in.accepted.append([d["MetricName"] for d in request["MetricData"]])
                self.send_response(500 if failing else 200)
                self.send_header("Content-Type", "application/x-amz-json-1.0")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *_args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FlakyCloudWatch:
        self.thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


def test_a_metrics_retry_does_not_take_and_lose_what_was_queued_meanwhile():
    """The first PutMetricData gets a 500; while it is on its way another datum is put. The
    retry sends the first datum again, and the second goes in the next call, not lost."""
    messaging: Messaging | None = None

    def meanwhile(call: int) -> None:
        if call == 1:
            assert messaging is not None
            messaging.metrics.put("123456789012", "us-east-1", "Second", 1.0, "Count", 0.0)

    with FlakyCloudWatch(fail={1}, on_call=meanwhile) as cloudwatch:
        messaging = Messaging(events_endpoint_url=cloudwatch.url)
        messaging.metrics.put("123456789012", "us-east-1", "First", 1.0, "Count", 0.0)
        assert messaging.flush()
        assert cloudwatch.accepted == [["First"], ["Second"]]
        assert messaging.deliverer.service_stats["metrics"].delivered == 2


def test_a_metrics_retry_sends_only_the_chunks_not_yet_delivered():
    """METRIC_DATA_LIMIT + 1 series, put while the lane may already be sending (how they are
    split between calls depends on that): the second call gets a 500 and is tried again;
    every series arrives exactly once, no call carries more than the limit."""
    with FlakyCloudWatch(fail={2}) as cloudwatch:
        messaging = Messaging(events_endpoint_url=cloudwatch.url)
        for n in range(METRIC_DATA_LIMIT + 1):
            messaging.metrics.put("123456789012", "us-east-1", f"M{n}", 1.0, "Count", 0.0)
        assert messaging.flush()
        assert all(len(names) <= METRIC_DATA_LIMIT for names in cloudwatch.accepted)
        assert cloudwatch.calls == len(cloudwatch.accepted) + 1  # the one failure, tried again
        assert sorted(sum(cloudwatch.accepted, [])) == sorted(f"M{n}" for n in range(METRIC_DATA_LIMIT + 1))


def test_real_aws_is_decided_from_the_configuration_alone(monkeypatch):
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_EVENTBRIDGE", "AWS_ENDPOINT_URL_CLOUDWATCH"):
        monkeypatch.delenv(name, raising=False)
    assert Deliverer(None, allow_real_aws=True).reaches_real_aws("events")  # boto3's own endpoint
    assert Deliverer("https://events.us-east-1.amazonaws.com.", True).reaches_real_aws("events")
    assert not Deliverer("http://127.0.0.1:4566", True).reaches_real_aws("cloudwatch")
    monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDWATCH", "http://127.0.0.1:4566")
    assert not Deliverer(None, True).reaches_real_aws("cloudwatch")
    assert Deliverer(None, True).reaches_real_aws("events")


def test_real_aws_takes_no_aws_source_nor_aws_namespace_so_neither_is_tried(monkeypatch):
    """allow_real_aws_events=True and no endpoint: the registration event (source aws.sms-voice)
    and the metrics (namespace AWS/SMSVoice) are refused before any client is made, once
    each, not retried into failures."""
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_EVENTBRIDGE", "AWS_ENDPOINT_URL_CLOUDWATCH"):
        monkeypatch.delenv(name, raising=False)
    messaging = Messaging(allow_real_aws_events=True)
    outcomes: list[str | None] = []
    event = {"source": "aws.sms-voice", "detail-type": "Registration Status Change",
             "resources": [], "detail": {}}
    assert messaging.publish_to_event_bus(event, "123456789012", "us-east-1", outcomes.append)
    messaging.metrics.put("123456789012", "us-east-1", "NumberOfMessagesReceived", 1.0, "Count", 0.0)
    assert messaging.flush(), "nothing waited for a network"
    (why,) = outcomes
    assert "aws." in why and "local stand-in only" in why
    stats = messaging.deliverer.stats_view()
    assert (stats["eventbridge"]["refused"], stats["eventbridge"]["failed"]) == (1, 0)
    assert (stats["metrics"]["refused"], stats["metrics"]["failed"]) == (1, 0)
    assert messaging.deliverer._clients == {}  # no boto3 client, so no connection, was made


def _refused_port_url() -> str:
    """A local URL nothing listens on: a call fails at once (connection refused)."""
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def _sns(topic: str) -> dict:
    return {"EventDestinationName": topic,
            "SnsDestination": {"TopicArn": f"arn:aws:sns:us-east-1:123456789012:{topic}"}}


EVENT = {"eventType": "TEXT_SENT", "messageId": "m-1"}


def test_a_lane_whose_on_done_raised_still_delivers_what_comes_next(caplog):
    """on_done raising ended the lane's thread with `lane.thread` still set: nothing drained
    that destination again and every later flush waited its whole limit."""
    deliverer = Deliverer(endpoint_url=_refused_port_url())

    def broken(_why) -> None:
        raise RuntimeError("a bug in what records the outcome")
    deliverer.submit(_sns("t"), EVENT, "us-east-1", on_done=broken)
    assert deliverer.flush()
    outcomes: list = []
    deliverer.submit(_sns("t"), EVENT, "us-east-1", on_done=outcomes.append)
    assert deliverer.flush(), "the destination's next event was never delivered"
    assert len(outcomes) == 1 and outcomes[0].startswith("not delivered")
    assert "finishing its delivery" in caplog.text and "a bug in what records" in caplog.text


def test_one_stalled_destination_takes_its_own_share_of_the_queue_only():
    """QUEUE_LIMIT was shared by every destination: one that stalls could fill it and every
    other destination's events failed. Its own events beyond LANE_QUEUE_LIMIT fail now,
    counted and recorded as a full queue's are; another destination's still queue."""
    deliverer = Deliverer(endpoint_url=_refused_port_url())
    started, release = threading.Event(), threading.Event()
    outcomes: list = []

    def stall(_why) -> None:  # holds the stalled lane's thread, as a hanging call would
        started.set()
        release.wait(30)
    deliverer.submit(_sns("stalled"), EVENT, "us-east-1", on_done=stall)
    assert started.wait(30)
    try:
        for _ in range(LANE_QUEUE_LIMIT):
            deliverer.submit(_sns("stalled"), EVENT, "us-east-1", on_done=outcomes.append)
        assert outcomes == []  # all queued
        deliverer.submit(_sns("stalled"), EVENT, "us-east-1", on_done=outcomes.append)
        assert outcomes == [f"not delivered: {LANE_QUEUE_LIMIT} events are already waiting "
                            "for this destination"]
        # counted as failed, beside the first event's refused connection
        assert deliverer.stats.failed == 2 and deliverer.stats.errors[-1] == outcomes[0]
        other: list = []
        deliverer.submit(_sns("other"), EVENT, "us-east-1", on_done=other.append)
    finally:
        release.set()
    assert deliverer.flush()
    assert len(other) == 1 and "events are already waiting" not in other[0]
    assert len(outcomes) == LANE_QUEUE_LIMIT + 1
