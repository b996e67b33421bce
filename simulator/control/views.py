"""What the inspector (simulator/control/inspector/) reads: sent messages a page at a time with
their event timelines, a conversation with one handset, the event feed with each delivery's
result, the registrations a reviewer has to decide on, and a summary to poll.

Each view is one function of the simulator, read under its lock after settling the clock, and
returns JSON. Pages are newest first and bounded (`limit`), so 10,000 messages never travel or
render at once; the filtering happens here, where the records are.
"""

from __future__ import annotations

import heapq
import itertools
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..messaging import outcomes as outcome_rules
from ..messaging.hub import entry_as
from ..messaging.send import SentMessage
from ..registrations.lifecycle import UNDER_REVIEW

if TYPE_CHECKING:
    from ..service import Simulator

NO_EVENTS = "ACCEPTED"  # the status of a message this channel simulates no events for
DRY_RUN = "DRY_RUN"


@dataclass(frozen=True)
class Page:
    offset: int = 0
    limit: int = 100

    def of(self, rows: list) -> dict:
        return {"total": len(rows), "offset": self.offset, "limit": self.limit,
                "items": rows[self.offset:self.offset + self.limit]}


@dataclass(frozen=True)
class MessageFilter:
    """Every filter given must match: `number` is a part of the destination or the origin,
    the rest are exact."""

    number: str | None = None
    configuration_set: str | None = None
    status: str | None = None
    channel: str | None = None
    account: str | None = None
    region: str | None = None

    @property
    def unfiltered(self) -> bool:
        """Only the account and region are chosen (they pick sent logs, not messages)."""
        return not (self.number or self.configuration_set or self.status or self.channel)

    def matches(self, sent: SentMessage) -> bool:
        if self.number and not any(self.number in (value or "") for value in (
                sent.destination_phone_number, sent.origination_phone_number,
                sent.origination_identity)):
            return False
        return ((self.configuration_set is None or sent.configuration_set_name == self.configuration_set)
                and (self.status is None or status_of(sent) == self.status)
                and (self.channel is None or sent.channel == self.channel))


def status_of(sent: SentMessage) -> str:
    """Where the message is now: its machine's state, or why it has none."""
    if sent.dry_run:
        return DRY_RUN
    return sent.message.state if sent.message is not None else NO_EVENTS


# -- sent messages ---------------------------------------------------------------------------
def _newest_first(sim: Simulator, account: str | None, region: str | None
                  ) -> Iterator[tuple[str, str, SentMessage]]:
    """Every kept message of the account-regions asked for, newest first: each sent log is in
    the order sent, so their reversed logs merge lazily (no sort of 10,000 records)."""
    logs = [((acct, reg), part.sent_log.records) for (acct, reg), part in sorted(sim.regions.items())
            if account in (None, acct) and region in (None, reg)]
    tagged = [((where[0], where[1], sent) for sent in reversed(records)) for where, records in logs]
    if len(tagged) == 1:
        return tagged[0]
    return heapq.merge(*tagged, key=lambda row: row[2].timestamp, reverse=True)


def _total(sim: Simulator, account: str | None, region: str | None) -> int:
    return sum(len(part.sent_log.records) for (acct, reg), part in sim.regions.items()
               if account in (None, acct) and region in (None, reg))


def message_statuses(sim: Simulator) -> list[str]:
    """Every status a message can be in: the message machines' states, and why one has none."""
    kinds = [spec for kind, spec in sim.lifecycles.specs.items() if kind.endswith("-message")]
    return sorted({state for spec in kinds for state in spec.states} | {DRY_RUN, NO_EVENTS})


def messages_page(sim: Simulator, where: MessageFilter, page: Page) -> dict:
    """Sent messages newest first, filtered, one page of them with their timelines. Without
    a filter only the page is read; with one, every message is tested once."""
    with sim.lock:
        sim.lifecycles.settle()
        now = sim.clock.now()
        rows = _newest_first(sim, where.account, where.region)
        if where.unfiltered:
            total = _total(sim, where.account, where.region)
            shown = list(itertools.islice(rows, page.offset, page.offset + page.limit))
        else:
            matching = [row for row in rows if where.matches(row[2])]
            total, shown = len(matching), matching[page.offset:page.offset + page.limit]
        timelines = _timelines(sim, [sent for _a, _r, sent in shown])
        return {"total": total, "offset": page.offset, "limit": page.limit, "now": now,
                "items": [message_row(sim, acct, reg, sent, timelines, now)
                          for acct, reg, sent in shown],
                "statuses": message_statuses(sim)}


def conversation(sim: Simulator, handset: str, limit: int = 200) -> dict:
    """Everything between the simulated service and one handset, oldest first: the messages
    sent to it, and what it sent back."""
    with sim.lock:
        sim.lifecycles.settle()
        now = sim.clock.now()
        sent = [(acct, reg, m) for acct, reg, m in _newest_first(sim, None, None)
                if m.destination_phone_number == handset][:limit]
        timelines = _timelines(sim, [m for _a, _r, m in sent])
        rows = [{"direction": "outbound", **message_row(sim, acct, reg, m, timelines, now)}
                for acct, reg, m in reversed(sent)]  # oldest first, as sent
        rows += [{"direction": "inbound", **row} for row in inbound_records(sim, handset)]
        rows.sort(key=lambda row: row["at"])
        return {"handset": handset, "now": now, "items": rows[-limit:]}


def inbound_records(sim: Simulator, handset: str) -> Iterable[dict]:
    """The inbound messages `handset` sent (sim.receive, POST /_smsvoice/inbound), as
    conversation rows beside the outbound ones. Called under the simulator's lock."""
    for (account, region), backend in sorted(sim.regions.items()):
        for record in backend.inbound.log.query(origination=handset):
            yield {"at": record.timestamp, "id": record.inbound_message_id, "account": account,
                   "region": region, "origin": record.origination_number,
                   "destination": record.destination_number, "body": record.message_body,
                   "channel": record.channel, "replyTo": record.previous_published_message_id,
                   "keyword": record.keyword}


def message_row(sim: Simulator, account: str, region: str, sent: SentMessage,
                timelines: dict[str, list[dict]], now: float) -> dict:
    """One sent message as the inspector shows it."""
    details = dict(sent.details)
    machine = sent.message
    planned = [{"status": state, "at": at} for at, state in (machine.steps if machine else ())]
    return {
        "id": sent.message_id, "at": sent.timestamp, "account": account, "region": region,
        "operation": sent.operation, "channel": sent.channel,
        "origin": sent.origination_phone_number or sent.origination_identity or sent.pool_id,
        "destination": sent.destination_phone_number, "body": sent.message_body,
        "bodyType": details.get("MessageBodyTextType"), "mediaUrls": details.get("MediaUrls"),
        "parts": sent.parts, "encoding": sent.encoding, "price": sent.price,
        "configurationSet": sent.configuration_set_name, "messageType": sent.message_type,
        "status": status_of(sent), "outcome": sent.outcome,
        "decidedBy": decided_by(sim, sent), "dryRun": sent.dry_run,
        "timeline": timelines.get(sent.message_id, []), "planned": planned,
        "details": details, "context": sent.context,
    }


def decided_by(sim: Simulator, sent: SentMessage) -> str | None:
    """Which outcome rule explains the message's outcome, read from the rules in force now
    (messaging/outcomes.py: later rules win, then AWS's simulator numbers, then success)."""
    outcome, channel, number = sent.outcome, sent.channel, sent.destination_phone_number
    if outcome is None or sent.dry_run:
        return None
    for rule in reversed(sim.messaging.outcomes.rules):
        if rule.outcome == outcome and rule.regex.match(number) and \
                outcome_rules.channel_of(outcome) in (None, channel):
            share = "" if rule.share >= 1 else f" for a share of {rule.share:g}"
            return f"outcome rule {rule.pattern} → {rule.outcome}{share}"
    for iso, (success, failure) in outcome_rules.SIMULATOR_NUMBERS.items():
        if number in (success, failure):
            which = "failure" if number == failure else "success"
            return f"AWS's {iso} simulator {which} number"
    if outcome.endswith("PROTECT_BLOCKED"):
        return f"protect configuration {sent.protect_configuration_id or '(account default)'}"
    if outcome == outcome_rules.SUCCESS.get(channel):
        return "no rule matches: the message succeeds"
    return "an outcome rule no longer in force"


# The event log indexed by message id, rebuilt only when the log has changed (`emitted` counts
# every event logged; `len` sees a reset): a poll that finds nothing new costs nothing.
_INDEXES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _events_by_message(sim: Simulator) -> dict[str, list[dict]]:
    """Called under the simulator's lock, which every emit holds."""
    log = sim.messaging.log
    stamp = (log.emitted, len(log.entries))
    cached = _INDEXES.get(log)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    index: dict[str, list[dict]] = {}
    for entry in log.entries:
        message_id = entry["event"].get("messageId")
        if message_id is not None:  # not a registration's status change
            index.setdefault(message_id, []).append(entry)
    _INDEXES[log] = (stamp, index)
    return index


def _timelines(sim: Simulator, messages: list[SentMessage]) -> dict[str, list[dict]]:
    """The events each of `messages` emitted so far, oldest first, with their deliveries."""
    index = _events_by_message(sim) if messages else {}
    return {m.message_id: [_timeline_step(entry) for entry in index.get(m.message_id, ())]
            for m in messages}


def _timeline_step(entry: dict) -> dict:
    event = entry["event"]
    return {"eventType": event["eventType"], "status": event.get("messageStatus"),
            "at": event["eventTimestamp"] / 1000.0,
            "description": event.get("messageStatusDescription"),
            "deliveries": [dict(d) for d in entry["destinations"]]}


# -- the event feed ----------------------------------------------------------------------------
def events_page(sim: Simulator, page: Page, event_type: str | None = None,
                message_id: str | None = None) -> dict:
    """The event log newest first, EventBridge-shaped, with each delivery's result."""
    with sim.lock:
        sim.lifecycles.settle()
        entries = sim.messaging.log.query(message_id=message_id, event_type=event_type)
    entries.reverse()
    answer = page.of(entries)
    answer["items"] = [{"id": entry["id"], "account": entry.get("account"),
                        "region": entry.get("region"), "channel": entry.get("channel"),
                        "eventType": entry["event"].get("eventType") or entry["event"].get(
                            "detail-type"),
                        "envelope": entry_as(entry, eventbridge=True),
                        "deliveries": [dict(d) for d in entry.get("destinations", ())]}
                       for entry in answer["items"]]
    deliverer = sim.messaging.deliverer
    answer["delivery"] = deliverer.stats_view()  # as every route shows it
    answer["deliveryConfigured"] = deliverer.configured()
    answer["outcomes"] = sim.messaging.outcomes.view()["rules"]
    return answer


# -- the reviewer --------------------------------------------------------------------------------
def review_queue(sim: Simulator) -> dict:
    """Registrations awaiting the simulated reviewer, those it may still revoke, its rules."""
    with sim.lock:
        sim.lifecycles.settle()
        now = sim.clock.now()
        awaiting, decided = [], []
        for (account, region), part in sorted(sim.regions.items()):
            for registration in part.registrations.registrations.values():
                row = _registration_row(account, region, registration, now)
                if registration.state in UNDER_REVIEW:
                    awaiting.append(row)
                elif registration.approved_version is not None:
                    decided.append(row)
        return {"now": now, "awaiting": awaiting, "revocable": decided,
                "rules": sim.registrations.rules()}


def _registration_row(account: str, region: str, registration, now: float) -> dict:
    step = registration.next_step
    version = registration.current
    return {"id": registration.id, "account": account, "region": region,
            "type": registration.registration_type, "status": registration.state,
            "version": version.number, "versionStatus": version.state,
            "fields": version.value_rows(),
            "next": None if step is None else {"trigger": step.trigger, "at": step.due,
                                               "in": max(0.0, step.due - now)}}


# -- what the page polls -------------------------------------------------------------------------
def summary(sim: Simulator) -> dict:
    """The clock and counts the page's header shows on every poll: cheap."""
    with sim.lock:
        sim.lifecycles.settle()
        accounts: dict[str, list[str]] = {}
        for account, region in sorted(sim.regions):
            accounts.setdefault(account, []).append(region)
        return {"clock": sim.clock.describe(),
                "messages": sum(len(p.sent_log.records) for p in sim.regions.values()),
                "events": sim.messaging.log.emitted, "faults": len(sim.faults.describe()),
                "accounts": accounts, "defaultAccount": sim.default_account}
