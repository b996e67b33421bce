"""What sent messages share across accounts and regions: the outcome rules, the
schedule of their steps on the clock, the event log, the service's metrics, and delivery to
real event destinations — and to what AWS publishes on its own side: the two-way channel of
an inbound message, the default event bus, CloudWatch metrics. The Simulator holds one
`Messaging`; its control surface (control.py) offers `sim.events()`, `sim.set_outcome()`, ...
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Sequence
from typing import Protocol, cast

from . import events, metrics
from .delivery import Deliverer
from .lifecycle import NOT_FINAL, Message, MessageSchedule
from .metrics import Metrics
from .outcomes import Outcomes

_EVENT_IDS = uuid.UUID("6f1c1a52-5d7e-4c53-9f43-0a8f6d0c2b11")  # namespace of EventBridge ids


# What this module reads of the account-region a message was sent from. messaging/ does not
# import the families: Message.backend is typed object, and these say what it is (account.py's
# region, its configuration sets and their event destinations).
class _EventDestination(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    def target(self) -> dict: ...


class _ConfigurationSets(Protocol):
    def destinations_for(self, set_name: str | None, event_type: str) -> Sequence[_EventDestination]: ...


class _SentFrom(Protocol):
    @property
    def account(self) -> str: ...
    @property
    def region(self) -> str: ...
    @property
    def configuration_sets(self) -> _ConfigurationSets: ...


def _sent_from(message: Message) -> _SentFrom:
    # A sent message's backend is the account-region that sent it (families/messages.py and
    # families/inbound.py set it to their region, account.py's Region).
    return cast(_SentFrom, message.backend)


class Messaging:
    def __init__(self, seed: int | None = None, events_endpoint_url: str | None = None,
                 allow_real_aws_events: bool = False, event_log_limit: int = 100_000):
        self.outcomes = Outcomes(seed)
        self.deliverer = Deliverer(events_endpoint_url, allow_real_aws_events)
        self.log = events.EventLog(event_log_limit)
        self.metrics = Metrics(self._submit_metrics if self.deliverer.configured() else None)
        self.schedule: MessageSchedule | None = None

    def attach(self, lifecycles) -> None:
        """A fresh start (a new simulator, or reset): messages in flight and the event log
        are forgotten; outcome rules and the delivery settings stay, as faults do."""
        self.schedule = MessageSchedule(lifecycles, self.emit)
        self.log.clear()
        self.metrics.clear()

    def start(self, message: Message) -> None:
        assert self.schedule is not None, "the Simulator attaches its lifecycles before any send"
        self.schedule.start(message)

    def emit(self, message: Message, state: str, at: float) -> None:
        """A message entered `state` at `at`: its event goes to the log and to every enabled
        destination of its configuration set that matches."""
        event_type = events.PREFIX[message.channel] + state
        record = events.record(message, event_type, at, state not in NOT_FINAL)
        backend = _sent_from(message)
        deliveries = []
        for dest in backend.configuration_sets.destinations_for(message.configuration_set_name,
                                                                event_type):
            # "delivered" stays None until the delivery thread has tried (delivery.py).
            delivery = {"name": dest.name, "kind": dest.kind, "delivered": None}
            deliveries.append(delivery)
            self.deliverer.submit(dest.target(), record, backend.region, _noting(delivery))
        self.log.append({"id": str(uuid.uuid5(_EVENT_IDS, f"{message.message_id}/{event_type}")),
                         "event": record, "account": backend.account, "region": backend.region,
                         "channel": message.channel,
                         "configurationSetName": message.configuration_set_name,
                         "destinations": deliveries})
        self._count_delivery(message, event_type, at)

    def _count_delivery(self, message: Message, event_type: str, at: float) -> None:
        """What a delivery event adds to the service's metrics (metrics.BY_EVENT)."""
        found = metrics.BY_EVENT.get(event_type)
        if found is None:
            return
        name, in_parts = found
        backend = _sent_from(message)
        self.metrics.put(backend.account, backend.region, name,
                         float(message.parts if in_parts else 1), "Count", at,
                         metrics.dimension_sets(IsoCountryCode=message.iso_country_code))

    # -- what AWS publishes on its own side ------------------------------------------------
    def publish_inbound(self, topic_arn: str, payload: dict, region: str, on_done) -> None:
        """An inbound message's payload to its number's two-way SNS topic (delivery.py)."""
        self.deliverer.submit({"TwoWayChannel": {"TopicArn": topic_arn}}, payload, region, on_done)

    def publish_to_event_bus(self, event: dict, account: str, region: str, on_done=None) -> bool:
        """An EventBridge-shaped event (source aws.sms-voice) to the account's default bus in
        its region; False (nothing tried) when no events endpoint is configured."""
        if not self.deliverer.configured():
            return False
        bus = f"arn:aws:events:{region}:{account}:event-bus/default"
        self.deliverer.submit({"EventBus": {"EventBusArn": bus}}, event, region, on_done)
        return True

    def _submit_metrics(self, account: str, region: str, take) -> None:
        event: dict = {"eventType": "metrics", "take": take}

        def done(_why: str | None) -> None:
            if "MetricData" not in event:  # failed before a call: what waited goes with it
                event["MetricData"] = take()
        target = f"arn:aws:cloudwatch:{region}:{account}:{metrics.NAMESPACE}"
        self.deliverer.submit({"CloudWatchMetrics": {"Target": target}}, event, region, done)

    def flush(self) -> bool:
        """Wait (without the simulator's lock) for queued deliveries: FLUSH_LIMIT seconds at
        most, however many destinations are slow or dead (delivery.py)."""
        return self.deliverer.flush()


def _noting(delivery: dict):
    def done(why: str | None) -> None:
        delivery.update({"delivered": why is None, **({"error": why} if why else {})})
    return done


def entry_as(entry: dict, eventbridge: bool) -> dict:
    """An event log entry as AWS's event record, or as the EventBridge envelope."""
    if not eventbridge or entry["channel"] is None:  # None: EventBridge-shaped already
        return entry["event"]
    return events.eventbridge_envelope(entry["event"], entry["channel"], entry["account"],
                                       entry["region"], entry["id"])


class EventTicker:
    """Settles the simulator's scheduler every `interval` seconds of wall time, under its lock."""

    def __init__(self, lock, settle: Callable[[], object], interval: float):
        self.lock, self.settle, self.interval = lock, settle, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="smsvoice-sim events", daemon=True)

    def start(self) -> EventTicker:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            with self.lock:
                self.settle()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def __enter__(self) -> EventTicker:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
