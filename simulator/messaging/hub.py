"""What sent messages share across accounts and regions: the outcome rules, the
schedule of their steps on the clock, the event log, and delivery to real event
destinations. The Simulator holds one `Messaging`; its control surface (control.py)
offers `sim.events()`, `sim.set_outcome()`, ..., and `events_view` / `outcome_from_body`
are what the HTTP control API mounts.
"""

from __future__ import annotations

import threading
import uuid

from . import events
from .delivery import Deliverer
from .lifecycle import NOT_FINAL, Message, MessageSchedule
from .outcomes import Outcomes

_EVENT_IDS = uuid.UUID("6f1c1a52-5d7e-4c53-9f43-0a8f6d0c2b11")  # namespace of EventBridge ids


class Messaging:
    def __init__(self, seed: int | None = None, events_endpoint_url: str | None = None,
                 allow_real_aws_events: bool = False, event_log_limit: int = 100_000):
        self.outcomes = Outcomes(seed)
        self.deliverer = Deliverer(events_endpoint_url, allow_real_aws_events)
        self.log = events.EventLog(event_log_limit)
        self.schedule: MessageSchedule | None = None

    def attach(self, lifecycles) -> None:
        """A fresh start (a new simulator, or reset): messages in flight and the event log
        are forgotten; outcome rules and the delivery settings stay, as faults do."""
        self.schedule = MessageSchedule(lifecycles)
        lifecycles.followers.append(self._settle)
        self.log.clear()

    def _settle(self, now: float) -> int:
        return self.schedule.settle(now, self.emit)

    def start(self, message: Message) -> None:
        self.schedule.start(message)

    def emit(self, message: Message, state: str, at: float) -> None:
        """A message entered `state` at `at`: its event goes to the log and to every enabled
        destination of its configuration set that matches."""
        event_type = events.PREFIX[message.channel] + state
        record = events.record(message, event_type, at, state not in NOT_FINAL)
        backend = message.backend
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
    def __init__(self, sim, interval: float):
        self.sim, self.interval = sim, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="smsvoice-sim events", daemon=True)

    def start(self) -> EventTicker:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            with self.sim.lock:
                self.sim.lifecycles.settle()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def __enter__(self) -> EventTicker:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def _one(query: dict, name: str) -> str | None:
    value = query.get(name)
    if isinstance(value, list):
        value = value[-1] if value else None
    return value or None


def events_view(sim, query: dict) -> dict:
    """`GET /_smsvoice/events?messageId=&destination=&type=&configurationSet=&format=eventbridge`:
    the event log (values may be strings or lists, as parse_qs gives them), plus delivery
    counts and the outcome rules in force."""
    eventbridge = _one(query, "format") == "eventbridge"
    found = sim.events(message_id=_one(query, "messageId"), destination=_one(query, "destination"),
                       event_type=_one(query, "type"), configuration_set=_one(query, "configurationSet"),
                       eventbridge=eventbridge)
    return {"events": found, "delivery": sim.messaging.deliverer.stats.as_dict(),
            "outcomes": sim.messaging.outcomes.view()}


def outcome_from_body(sim, body: dict) -> dict:
    """`POST /_smsvoice/outcomes` with `{"destination": "+1206555....", "outcome": "TEXT_BLOCKED",
    "share": 0.5}` (share optional): the rule set; ValueError (answer 400) for a bad body.
    `{"clear": true}` removes every rule."""
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    if body.get("clear") is True:
        sim.clear_outcomes()
        return {"outcomes": sim.messaging.outcomes.view()}
    if "destination" not in body or "outcome" not in body:
        raise ValueError('give {"destination": "+E164 or pattern", "outcome": "TEXT_BLOCKED"}')
    rule = sim.set_outcome(body["destination"], body["outcome"], body.get("share", 1.0))
    return {"rule": rule, "outcomes": sim.messaging.outcomes.view()}
