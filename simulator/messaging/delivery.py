"""Delivering events to real destination services through boto3: SNS Publish,
Firehose PutRecord, CloudWatch Logs PutLogEvents (a configuration set's event destinations);
and what the service publishes on its own side: inbound messages to a number's two-way SNS
topic, registration status changes to EventBridge (PutEvents on the default bus), and its
CloudWatch metrics (PutMetricData, namespace AWS/SMSVoice).

Events go only where the user pointed: an endpoint given to the simulator
(`Simulator(events_endpoint_url=...)`, the CLI's `--events-endpoint-url`), or the
per-service variables boto3 itself honours (`AWS_ENDPOINT_URL_SNS`,
`AWS_ENDPOINT_URL_FIREHOSE`, `AWS_ENDPOINT_URL_CLOUDWATCH_LOGS`, `AWS_ENDPOINT_URL_EVENTBRIDGE`,
`AWS_ENDPOINT_URL_CLOUDWATCH`, `AWS_ENDPOINT_URL`).
With neither, or with an endpoint on amazonaws.com, nothing is sent unless the user
passed `allow_real_aws=True`: a simulator must not publish to someone's real topic by
accident. A destination that fails is logged and counted, never raised: the
simulator's own event log still has every event.

Each destination (one topic, delivery stream or log group) has its own queue and its
own thread, in the order its events were emitted: the simulator queues an event under
its lock and goes on, so a slow or dead destination delays only its own events, never
a request and never another destination. Each call is bounded (CALL_TIMEOUTS); a
throttled or failing (5xx, dropped connection) call is tried again, RETRY_ATTEMPTS in
all; a destination that does not answer (timeout, refused connection) fails its queued
events at once for COOL_DOWN seconds instead of making each wait its timeout. `flush`
lets a caller wait, outside the lock, for what it caused: never longer than FLUSH_LIMIT.

Simulated time may run far ahead of (or behind) wall time: a manual clock advanced by 30 days
is normal in a test. The records keep simulated time (an event's `eventTimestamp`, a payload,
a registration's `registrationStatusChangeTimestamp`); the timestamp a sink itself checks —
a CloudWatch Logs event's `timestamp`, a metric datum's `Timestamp` — is the delivery's wall
time, because CloudWatch refuses what lies more than 2 hours ahead of its own clock or 14 days
behind it [doc: PutLogEvents, PutMetricData]. On real AWS the two are the same moment.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlparse

log = logging.getLogger("smsvoice_sim.events")

# The boto3 service and the environment variable that names its endpoint.
SERVICES = {"sns": "SNS", "firehose": "FIREHOSE", "logs": "CLOUDWATCH_LOGS",
            "events": "EVENTBRIDGE", "cloudwatch": "CLOUDWATCH"}
# The member of a destination that names each service's target: the model's EventDestination
# members first (a configuration set's destinations), then the service's own deliveries, in
# the same shape: a two-way channel (an SNS topic), the default event bus, the metrics of a
# region (`arn:aws:cloudwatch:{region}:{account}:AWS/SMSVoice`, a key, not an AWS ARN).
TARGETS = (("SnsDestination", "sns", "TopicArn"),
           ("KinesisFirehoseDestination", "firehose", "DeliveryStreamArn"),
           ("CloudWatchLogsDestination", "logs", "LogGroupArn"),
           ("TwoWayChannel", "sns", "TopicArn"),
           ("EventBus", "events", "EventBusArn"),
           ("CloudWatchMetrics", "cloudwatch", "Target"))
# What each kind of delivery is counted as (`Deliverer.stats` holds the event destinations';
# `Deliverer.service_stats` the rest, so each can be read on its own).
KINDS = {"TwoWayChannel": "two-way", "EventBus": "eventbridge", "CloudWatchMetrics": "metrics"}
EVENT_DESTINATIONS = "event-destinations"
METRICS_NAMESPACE = "AWS/SMSVoice"  # [doc: monitoring-cloudwatch.html]
METRIC_DATA_LIMIT = 1000  # datums one PutMetricData call may carry [doc: PutMetricData]
# [inf] AWS does not document the log stream it writes to; one stream per simulator.
LOG_STREAM = "smsvoice-sim-events"
# Credentials for a local stand-in (moto, LocalStack) when the environment has none.
LOCAL_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
# [inf] One delivery call may take this long: a local stand-in answers in milliseconds, and a
# dead one must not hold its queue for minutes (boto3's defaults: 60 s each, with retries).
CALL_TIMEOUTS = {"connect_timeout": 2, "read_timeout": 5}
# The longest `flush` (so `sim.advance()`) waits for queued deliveries, whatever the
# destinations do: one call's whole timeout (a slow but working stand-in, e.g. moto's first SNS
# call on a loaded CI machine takes > 2 s) and a second to spare. The one bound the docs cite.
FLUSH_LIMIT = float(sum(CALL_TIMEOUTS.values())) + 1.0
RETRY_ATTEMPTS = 3  # calls for one event when the answer says "try again" (throttled, 5xx)
RETRY_BACKOFF = 0.2  # seconds before the 2nd call, doubled before each further one
COOL_DOWN = 10.0  # seconds a destination that did not answer fails its events at once
QUEUE_LIMIT = 10_000  # events waiting for delivery, all destinations; beyond it an event fails at once
LANE_LIMIT = 64  # destinations with a delivery thread at once; beyond it an event fails at once
# Events waiting for one destination; beyond it that destination's event fails at once, so a
# stalled destination holds an eighth of the shared queue at most, never all of it, while a
# burst to one healthy destination (a few hundred sends' events) still fits.
LANE_QUEUE_LIMIT = QUEUE_LIMIT // 8
IDLE_EXIT = 1.0  # seconds a destination's thread waits for work before it ends (restarted on demand)
THREAD_NAME = "smsvoice-sim delivery"
# Error codes that mean "the service is busy, call again" (botocore's standard retry mode's list).
THROTTLED = frozenset({"Throttling", "ThrottlingException", "ThrottledException",
                       "RequestThrottledException", "TooManyRequestsException",
                       "ProvisionedThroughputExceededException", "TransactionInProgressException",
                       "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException",
                       "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
                       "EC2ThrottledException"})


# What real AWS takes from AWS's own services only: an event whose source begins with `aws.`
# (PutEvents fails the entry with NotAuthorizedForSourceException [doc:
# https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html; obs:
# aws-samples/serverless-patterns PR #3089]) and a metric namespace beginning with `AWS/`
# [doc: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html].
# The service's registration events and metrics use them: they reach a local stand-in only.
AWS_ONLY = {"EventBus": "EventBridge accepts an event whose source begins with aws. (aws.sms-voice) "
                        "only from AWS's own services",
            "CloudWatchMetrics": f"CloudWatch accepts the namespace {METRICS_NAMESPACE} (AWS/...) only "
                                 "from AWS's own services"}


class DeliveryRefused(Exception):
    """The destination would be real AWS and the user did not allow it."""


@dataclass
class DeliveryStats:
    delivered: int = 0
    failed: int = 0
    refused: int = 0
    errors: list[str] = field(default_factory=list)  # the last few, for the event log view

    def as_dict(self) -> dict:
        return {"delivered": self.delivered, "failed": self.failed, "refused": self.refused,
                "lastErrors": list(self.errors)}


@dataclass
class _Lane:
    """One destination's queue: (destination, event, region, on_done) in emission order."""
    queue: deque = field(default_factory=deque)
    down_until: float = 0.0  # monotonic time before which calls are not tried
    down_why: str = ""
    thread: threading.Thread | None = None


def _region_of_arn(arn: str, default: str) -> str:
    parts = arn.split(":")
    return parts[3] if len(parts) > 3 and parts[3] else default


def _is_aws_host(url: str) -> bool:
    # A fully qualified name's trailing dot reaches the same host: strip it before comparing.
    host = (urlparse(url).hostname or "").lower().rstrip(".")
    return any(host == domain or host.endswith("." + domain)
               for domain in ("amazonaws.com", "amazonaws.com.cn", "api.aws"))


def lane_of(destination: dict) -> tuple[str, str]:
    """The destination an event goes to, as its queue's key: (service, target ARN)."""
    member = member_of(destination)
    for name, service, arn in TARGETS:
        if name == member:
            return service, str(destination[member].get(arn))
    return "", ""


def member_of(destination: dict) -> str:
    """Which kind of destination this is: the member of TARGETS it gives ("" for none)."""
    return next((member for member, _service, _arn in TARGETS if destination.get(member)), "")


def kind_of(destination: dict) -> str:
    return KINDS.get(member_of(destination), EVENT_DESTINATIONS)


def compact_json(value) -> str:
    """JSON as AWS's inbound payloads carry it: no spaces, keys in the order given [obs]."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def wall_clock_ms() -> int:
    """The delivery's own moment, for the timestamps a sink checks against its clock."""
    return int(time.time() * 1000)


def _unreachable(exc: Exception) -> bool:
    """Did the call get no answer at all (timeout, refused or unknown host)?"""
    from botocore.exceptions import ConnectTimeoutError, EndpointConnectionError, ReadTimeoutError
    return isinstance(exc, ConnectTimeoutError | EndpointConnectionError | ReadTimeoutError)


def _worth_retrying(exc: Exception) -> bool:
    """Did the service answer "call again" (throttled, 5xx) or drop the connection mid-call?"""
    from botocore.exceptions import ClientError, ConnectionClosedError
    if isinstance(exc, ConnectionClosedError):
        return True
    if isinstance(exc, ClientError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return status >= 500 or exc.response.get("Error", {}).get("Code") in THROTTLED
    return False


class Deliverer:
    """One per simulator: boto3 clients per (service, region), made on first use; one queue
    and thread per destination, while it has work."""

    def __init__(self, endpoint_url: str | None = None, allow_real_aws: bool = False):
        self.endpoint_url = endpoint_url
        self.allow_real_aws = allow_real_aws
        self.stats = DeliveryStats()  # a configuration set's event destinations
        # The service's own deliveries, by kind: two-way, eventbridge, metrics.
        self.service_stats: dict[str, DeliveryStats] = {k: DeliveryStats() for k in KINDS.values()}
        self._clients: dict[tuple[str, str], object] = {}
        self._streams: set[tuple[str, str]] = set()
        self._lock = threading.Lock()
        self._lanes: dict[tuple[str, str], _Lane] = {}
        self._waiting = threading.Condition()  # guards _lanes and _unfinished
        self._unfinished = 0  # queued or being delivered, all destinations

    def endpoint_for(self, service: str) -> str | None:
        return (self.endpoint_url or os.environ.get(f"AWS_ENDPOINT_URL_{SERVICES[service]}")
                or os.environ.get("AWS_ENDPOINT_URL"))

    def reaches_real_aws(self, service: str) -> bool:
        """Would a call to `service` go to real AWS: no endpoint (boto3's own), or one on an AWS
        domain? Decided from the configuration alone, before any network."""
        endpoint = self.endpoint_for(service)
        return endpoint is None or _is_aws_host(endpoint)

    def configured(self) -> bool:
        """Is any delivery possible (an endpoint, or real AWS explicitly allowed)?"""
        return self.allow_real_aws or any(self.endpoint_for(s) for s in SERVICES)

    def _client(self, service: str, region: str):
        endpoint = self.endpoint_for(service)
        if not self.allow_real_aws and (endpoint is None or _is_aws_host(endpoint)):
            raise DeliveryRefused(
                f"not delivering to {service} in {region}: "
                + ("no events endpoint is configured" if endpoint is None else f"{endpoint} is AWS")
                + " (give events_endpoint_url / --events-endpoint-url, or allow_real_aws=True)")
        key = (service, region)
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                import boto3
                from botocore.config import Config
                session = boto3.session.Session()
                creds = {} if session.get_credentials() is not None or endpoint is None \
                    else LOCAL_CREDENTIALS
                # botocore retries nothing: _call_with_retries is the one retry policy.
                client = session.client(service, region_name=region, endpoint_url=endpoint,
                                        config=Config(retries={"total_max_attempts": 1},
                                                      **CALL_TIMEOUTS),
                                        **creds)
                self._clients[key] = client
        return client

    def submit(self, destination: dict, event: dict, default_region: str, on_done=None) -> None:
        """Queue one event on its destination's queue and return at once; `on_done(why)` is
        called on that destination's thread with what `deliver` returned. A full queue (all
        destinations' or this one's), or too many destinations busy at once, fails the event
        now, recorded as a failed delivery."""
        if not self.configured():  # refused at once, no network: no thread needed
            self._finish(self.deliver(destination, event, default_region), on_done)
            return
        key = lane_of(destination)
        with self._waiting:
            lane = self._lanes.get(key)
            why = self._refusal(lane)
            if why is None:
                if lane is None:
                    lane = self._lanes[key] = _Lane()
                lane.queue.append((destination, event, default_region, on_done))
                self._unfinished += 1
                if lane.thread is None:
                    lane.thread = threading.Thread(target=self._drain, args=(key, lane),
                                                   name=THREAD_NAME, daemon=True)
                    lane.thread.start()
                self._waiting.notify_all()
                return
        self._failed(event, why, destination)
        self._finish(why, on_done)

    def _refusal(self, lane: _Lane | None) -> str | None:
        """Why an event for `lane` cannot be queued now (None: it can). Under _waiting."""
        if self._unfinished >= QUEUE_LIMIT:
            return f"not delivered: {QUEUE_LIMIT} events are already waiting for delivery"
        if lane is None and len(self._lanes) >= LANE_LIMIT:
            return f"not delivered: {LANE_LIMIT} other destinations are busy delivering"
        if lane is not None and len(lane.queue) >= LANE_QUEUE_LIMIT:
            return (f"not delivered: {LANE_QUEUE_LIMIT} events are already waiting for this "
                    "destination")
        return None

    def _drain(self, key: tuple[str, str], lane: _Lane) -> None:
        try:
            while (item := self._next_event(key, lane)) is not None:
                self._deliver_queued(lane, *item)
        finally:  # however this thread ends, the lane is not left with a thread that is gone
            with self._waiting:
                if lane.thread is threading.current_thread():
                    lane.thread = None  # the next submit starts another

    def _next_event(self, key: tuple[str, str], lane: _Lane) -> tuple | None:
        """The lane's next event; None once it had none for IDLE_EXIT seconds (the lane is
        then forgotten: submit makes another)."""
        with self._waiting:
            if not lane.queue and not self._waiting.wait_for(lambda: lane.queue, IDLE_EXIT):
                lane.thread = None
                if self._lanes.get(key) is lane:
                    del self._lanes[key]
                return None
            return lane.queue.popleft()

    def _deliver_queued(self, lane: _Lane, destination: dict, event: dict, region: str,
                        on_done) -> None:
        try:
            self._finish(self._deliver_on(lane, destination, event, region), on_done)
        except Exception:  # a bug in what records the outcome must not end the lane's thread
            log.exception("event %s for message %s: finishing its delivery to %s failed",
                          event.get("eventType"), event.get("messageId"),
                          destination.get("EventDestinationName"))
        finally:
            with self._waiting:
                self._unfinished -= 1
                self._waiting.notify_all()

    def _deliver_on(self, lane: _Lane, destination: dict, event: dict, region: str) -> str | None:
        """Deliver, unless this destination did not answer a moment ago: then fail at once."""
        if time.monotonic() < lane.down_until:
            down = f"not delivered: the destination did not answer a moment ago ({lane.down_why})"
            self._failed(event, down, destination)
            return down
        why, unreachable = self._deliver(destination, event, region)
        if unreachable:
            assert why is not None  # only a delivery that failed can have found no answer
            lane.down_until, lane.down_why = time.monotonic() + COOL_DOWN, why
        return why

    @staticmethod
    def _finish(why: str | None, on_done) -> None:
        if on_done is not None:
            on_done(why)

    def flush(self, limit: float = FLUSH_LIMIT) -> bool:
        """Wait until every queued event was delivered or failed, `limit` seconds at most
        (FLUSH_LIMIT: what `sim.advance()` waits). True when nothing is left. Call it
        without holding the simulator's lock."""
        deadline = time.monotonic() + limit
        with self._waiting:
            return self._waiting.wait_for(lambda: self._unfinished == 0,
                                          max(0.0, deadline - time.monotonic()))

    def stats_view(self) -> dict:
        """Every kind's counts: the event destinations', then the service's own deliveries."""
        return {EVENT_DESTINATIONS: self.stats.as_dict(),
                **{kind: stats.as_dict() for kind, stats in self.service_stats.items()}}

    def _count(self, outcome: str, why: str | None = None, destination: dict | None = None) -> None:
        kind = kind_of(destination or {})
        with self._lock:
            stats = self.stats if kind == EVENT_DESTINATIONS else self.service_stats[kind]
            setattr(stats, outcome, getattr(stats, outcome) + 1)
            if why is not None and outcome == "failed":
                stats.errors = [*stats.errors[-9:], why]

    def _failed(self, event: dict, why: str, destination: dict | None = None) -> None:
        self._count("failed", why, destination)
        log.warning("event %s for message %s not delivered to %s: %s", event.get("eventType"),
                    event.get("messageId"), (destination or {}).get("EventDestinationName"), why)

    def deliver(self, destination: dict, event: dict, default_region: str) -> str | None:
        """Send one event to one event destination (the model's EventDestination
        structure) now, in this thread, retrying as RETRY_ATTEMPTS says; returns None when
        delivered, else why not. Never raises."""
        return self._deliver(destination, event, default_region)[0]

    def _deliver(self, destination: dict, event: dict, region: str) -> tuple[str | None, bool]:
        """(why not delivered or None, whether the destination gave no answer at all)."""
        if not lane_of(destination)[0]:
            return "the destination has no target", False
        try:
            self._call_with_retries(destination, event, region)
        except DeliveryRefused as exc:
            self._count("refused", destination=destination)
            return str(exc), False
        except Exception as exc:  # noqa: BLE001 - a broken destination must not break sending
            why = f"{type(exc).__name__}: {exc}"
            self._failed(event, why, destination)
            return why, _unreachable(exc)
        self._count("delivered", destination=destination)
        return None, False

    def _call_with_retries(self, destination: dict, event: dict, region: str) -> None:
        for attempt in range(RETRY_ATTEMPTS):
            try:
                self._call(destination, event, region)
                return
            except Exception as exc:
                if attempt + 1 == RETRY_ATTEMPTS or not _worth_retrying(exc):
                    raise
            time.sleep(RETRY_BACKOFF * 2 ** attempt)  # backing off a busy service (a real wait)

    def _call(self, destination: dict, event: dict, region: str) -> None:
        service, arn = lane_of(destination)
        member = member_of(destination)
        if member in AWS_ONLY and self.allow_real_aws and self.reaches_real_aws(service):
            raise DeliveryRefused(f"not delivering to real AWS {service}: {AWS_ONLY[member]}; "
                                  "it reaches a local stand-in only (give events_endpoint_url / "
                                  "--events-endpoint-url)")
        {"SnsDestination": self._sns, "KinesisFirehoseDestination": self._firehose,
         "CloudWatchLogsDestination": self._logs, "TwoWayChannel": self._two_way,
         "EventBus": self._event_bus, "CloudWatchMetrics": self._metrics,
         }[member_of(destination)](arn, event, region)

    def _sns(self, topic_arn: str, event: dict, region: str) -> None:
        # SNS carries the event JSON as the message string (consumers JSON.parse(Sns.Message)).
        self._client("sns", _region_of_arn(topic_arn, region)).publish(
            TopicArn=topic_arn, Message=json.dumps(event))

    def _firehose(self, stream_arn: str, event: dict, region: str) -> None:
        name = stream_arn.rsplit("/", 1)[-1]
        self._client("firehose", _region_of_arn(stream_arn, region)).put_record(
            DeliveryStreamName=name, Record={"Data": (json.dumps(event) + "\n").encode()})

    def _logs(self, group_arn: str, event: dict, region: str) -> None:
        # arn:aws:logs:{region}:{account}:log-group:{name}[:*]
        group = group_arn.split(":log-group:", 1)[-1].removesuffix(":*")
        region = _region_of_arn(group_arn, region)
        client = self._client("logs", region)
        if (region, group) not in self._streams:
            try:
                client.create_log_stream(logGroupName=group, logStreamName=LOG_STREAM)
            except client.exceptions.ResourceAlreadyExistsException:
                pass
            self._streams.add((region, group))
        # The log event's own timestamp is the delivery's wall time (see the module's notes);
        # the record inside keeps its simulated eventTimestamp.
        answer = client.put_log_events(logGroupName=group, logStreamName=LOG_STREAM, logEvents=[
            {"timestamp": wall_clock_ms(), "message": json.dumps(event)}])
        if answer.get("rejectedLogEventsInfo"):
            raise ValueError(f"CloudWatch Logs rejected the event: {answer['rejectedLogEventsInfo']}")

    def _two_way(self, topic_arn: str, payload: dict, region: str) -> None:
        # One SNS message per inbound message, its Message the payload as a compact JSON
        # string, no message attributes [doc: two-way-sms-payload.html; obs].
        self._client("sns", _region_of_arn(topic_arn, region)).publish(
            TopicArn=topic_arn, Message=compact_json(payload))

    def _event_bus(self, bus_arn: str, event: dict, region: str) -> None:
        # EventBridge builds the envelope: no Time is passed, so `time` is when the bus received
        # it (wall time), and its `id` is the bus's own (an entry takes no id), not the log's.
        # The source, detail-type, resources and detail are the service's [doc: monitor-event-bridge].
        answer = self._client("events", _region_of_arn(bus_arn, region)).put_events(Entries=[{
            "Source": event["source"], "DetailType": event["detail-type"],
            "Resources": list(event.get("resources") or []), "Detail": json.dumps(event["detail"]),
            "EventBusName": bus_arn.rsplit("/", 1)[-1]}])
        if answer.get("FailedEntryCount"):
            raise ValueError(f"EventBridge refused the event: {answer.get('Entries')}")

    def _metrics(self, target: str, event: dict, region: str) -> None:
        # `take` hands over what accumulated since the last call: taken once, on the first
        # attempt (what accumulates meanwhile goes in the next delivery), and a retry sends only
        # the chunks an earlier attempt did not deliver. Each datum's Timestamp is now, the
        # delivery's wall time.
        if "MetricData" not in event:
            event["MetricData"] = event["take"]()
        data = event["MetricData"]
        if not data:
            return
        now = datetime.now(UTC)
        client = self._client("cloudwatch", _region_of_arn(target, region))
        for start in range(event.get("delivered_up_to", 0), len(data), METRIC_DATA_LIMIT):
            chunk = data[start:start + METRIC_DATA_LIMIT]
            client.put_metric_data(Namespace=METRICS_NAMESPACE, MetricData=[
                {**datum, "Timestamp": now} for datum in chunk])
            event["delivered_up_to"] = start + len(chunk)
