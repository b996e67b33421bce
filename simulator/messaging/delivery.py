"""Delivering events to real destination services through boto3: SNS Publish,
Firehose PutRecord, CloudWatch Logs PutLogEvents.

Events go only where the user pointed: an endpoint given to the simulator
(`Simulator(events_endpoint_url=...)`, the CLI's `--events-endpoint-url`), or the
per-service variables boto3 itself honours (`AWS_ENDPOINT_URL_SNS`,
`AWS_ENDPOINT_URL_FIREHOSE`, `AWS_ENDPOINT_URL_CLOUDWATCH_LOGS`, `AWS_ENDPOINT_URL`).
With neither, or with an endpoint on amazonaws.com, nothing is sent unless the user
passed `allow_real_aws=True`: a simulator must not publish to someone's real topic by
accident. A destination that fails is logged and counted, never raised: the
simulator's own event log still has every event.

Delivery runs on its own thread, in the order events were emitted: the simulator
queues an event under its lock and goes on, so a slow or dead destination delays
only its own events, never a request. Each call is bounded (CALL_TIMEOUTS, no
retry); `flush` lets a caller wait, outside the lock, for what it caused.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import urlparse

log = logging.getLogger("smsvoice_sim.events")

# The boto3 service and the environment variable that names its endpoint.
SERVICES = {"sns": "SNS", "firehose": "FIREHOSE", "logs": "CLOUDWATCH_LOGS"}
# [inf] AWS does not document the log stream it writes to; one stream per simulator.
LOG_STREAM = "smsvoice-sim-events"
# Credentials for a local stand-in (moto, LocalStack) when the environment has none.
LOCAL_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
# [inf] One delivery call may take this long, without retry: a local stand-in answers in
# milliseconds, and a dead one must not hold its queue for minutes (boto3: 60 s each, with retries).
CALL_TIMEOUTS = {"connect_timeout": 2, "read_timeout": 5}
# A flush waits while deliveries progress: one call may take its whole timeout on a slow but
# working stand-in (moto's first SNS call on a loaded CI machine: > 2 s), so a stall is
# judged only after that long.
FLUSH_STALL = float(sum(CALL_TIMEOUTS.values())) + 1.0
QUEUE_LIMIT = 10_000  # events waiting for delivery; beyond it an event fails at once
IDLE_EXIT = 1.0  # seconds the delivery thread waits for work before it ends (restarted on demand)


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


def _region_of_arn(arn: str, default: str) -> str:
    parts = arn.split(":")
    return parts[3] if len(parts) > 3 and parts[3] else default


def _is_aws_host(url: str) -> bool:
    # A fully qualified name's trailing dot reaches the same host: strip it before comparing.
    host = (urlparse(url).hostname or "").lower().rstrip(".")
    return any(host == domain or host.endswith("." + domain)
               for domain in ("amazonaws.com", "amazonaws.com.cn", "api.aws"))


class Deliverer:
    """One per simulator: boto3 clients per (service, region), made on first use."""

    def __init__(self, endpoint_url: str | None = None, allow_real_aws: bool = False):
        self.endpoint_url = endpoint_url
        self.allow_real_aws = allow_real_aws
        self.stats = DeliveryStats()
        self._clients: dict[tuple[str, str], object] = {}
        self._streams: set[tuple[str, str]] = set()
        self._lock = threading.Lock()
        # The queue the delivery thread drains: (destination, event, region, on_done).
        self._queue: deque[tuple] = deque()
        self._waiting = threading.Condition()
        self._unfinished = 0  # queued or being delivered
        self._worker: threading.Thread | None = None

    def endpoint_for(self, service: str) -> str | None:
        return (self.endpoint_url or os.environ.get(f"AWS_ENDPOINT_URL_{SERVICES[service]}")
                or os.environ.get("AWS_ENDPOINT_URL"))

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
                client = session.client(service, region_name=region, endpoint_url=endpoint,
                                        config=Config(retries={"total_max_attempts": 1},
                                                      **CALL_TIMEOUTS),
                                        **creds)
                self._clients[key] = client
        return client

    def submit(self, destination: dict, event: dict, default_region: str, on_done=None) -> None:
        """Queue one event for the delivery thread and return at once; `on_done(why)`
        is called there with what `deliver` returned. A full queue fails the event now."""
        if not self.configured():  # refused at once, no network: no thread needed
            why = self.deliver(destination, event, default_region)
            if on_done is not None:
                on_done(why)
            return
        with self._waiting:
            if len(self._queue) >= QUEUE_LIMIT:
                why = f"not delivered: {QUEUE_LIMIT} events are already waiting for delivery"
                self._count("failed", why)
                log.warning("event %s for message %s: %s", event.get("eventType"), event.get("messageId"),
                            why)
                if on_done is not None:
                    on_done(why)
                return
            self._queue.append((destination, event, default_region, on_done))
            self._unfinished += 1
            if self._worker is None:
                self._worker = threading.Thread(target=self._drain, name="smsvoice-sim delivery",
                                                daemon=True)
                self._worker.start()
            self._waiting.notify_all()

    def _drain(self) -> None:
        while True:
            with self._waiting:
                if not self._queue and not self._waiting.wait_for(lambda: self._queue, IDLE_EXIT):
                    self._worker = None  # idle: end; submit starts another
                    return
                destination, event, region, on_done = self._queue.popleft()
            why = self.deliver(destination, event, region)
            try:
                if on_done is not None:
                    on_done(why)
            finally:
                with self._waiting:
                    self._unfinished -= 1
                    self._waiting.notify_all()

    def flush(self, stall: float = FLUSH_STALL, limit: float = 60.0) -> bool:
        """Wait until every queued event was delivered or failed, for as long as deliveries
        progress (none finishing for `stall` seconds, or `limit` in all, ends the wait).
        True when nothing is left. Call it without holding the simulator's lock."""
        deadline = time.monotonic() + limit
        with self._waiting:
            while self._unfinished:
                before = self._unfinished
                left = deadline - time.monotonic()
                if left <= 0 or not self._waiting.wait_for(
                        lambda before=before: self._unfinished < before, min(stall, left)):
                    return False
            return True

    def _count(self, outcome: str, why: str | None = None) -> None:
        with self._lock:
            setattr(self.stats, outcome, getattr(self.stats, outcome) + 1)
            if why is not None and outcome == "failed":
                self.stats.errors = [*self.stats.errors[-9:], why]

    def deliver(self, destination: dict, event: dict, default_region: str) -> str | None:
        """Send one event to one event destination (the model's EventDestination
        structure) now, in this thread; returns None when delivered, else why not.
        Never raises."""
        try:
            if destination.get("SnsDestination"):
                self._sns(destination["SnsDestination"]["TopicArn"], event, default_region)
            elif destination.get("KinesisFirehoseDestination"):
                self._firehose(destination["KinesisFirehoseDestination"]["DeliveryStreamArn"], event,
                               default_region)
            elif destination.get("CloudWatchLogsDestination"):
                self._logs(destination["CloudWatchLogsDestination"]["LogGroupArn"], event,
                           default_region)
            else:
                return "the destination has no target"
        except DeliveryRefused as exc:
            self._count("refused")
            return str(exc)
        except Exception as exc:  # noqa: BLE001 - a broken destination must not break sending
            why = f"{type(exc).__name__}: {exc}"
            self._count("failed", why)
            log.warning("event %s for message %s not delivered to %s: %s", event.get("eventType"),
                        event.get("messageId"), destination.get("EventDestinationName"), why)
            return why
        self._count("delivered")
        return None

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
        answer = client.put_log_events(logGroupName=group, logStreamName=LOG_STREAM, logEvents=[
            {"timestamp": event["eventTimestamp"], "message": json.dumps(event)}])
        if answer.get("rejectedLogEventsInfo"):
            # e.g. a clock started far in the past: CloudWatch Logs keeps 14 days back, 2 h ahead
            raise ValueError(f"CloudWatch Logs rejected the event: {answer['rejectedLogEventsInfo']}")
