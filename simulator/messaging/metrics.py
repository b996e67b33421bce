"""The service's CloudWatch metrics: what AWS writes to the namespace AWS/SMSVoice about an
account's traffic [doc: https://docs.aws.amazon.com/sms-voice/latest/userguide/monitoring-cloudwatch.html,
https://docs.aws.amazon.com/sms-voice/latest/userguide/rcs-monitoring.html].

Every datum is kept here (`sim.metrics()`, GET /_smsvoice/metrics: the statistics per metric
and dimensions since the start or the last reset, timestamps in simulated time) and, where an
events endpoint is configured, put to CloudWatch (PutMetricData) through the delivery lanes
(delivery.py): what accumulates while a call is on its way goes in the next call, merged per
metric and dimensions as StatisticValues, so a burst of traffic makes a few calls, not one per
message.

Which dimensions each datum is published under is not documented per metric [inf]: every
datum goes out without dimensions (what a program graphing the account's totals reads) and
under the documented dimension set that fits it — `IsoCountryCode` (the destination's; for
NumberOfMessagesReceived the sender's, with `OriginationIdentityType` and `MessageType`, the
dimensions AWS names for it). The monthly spend metrics are "Account Metrics": no dimensions.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

NAMESPACE = "AWS/SMSVoice"
RECEIVED = "NumberOfMessagesReceived"
SENT_PARTS = {"TEXT": "NumberOfTextMessagePartsSent", "MEDIA": "NumberOfMediaMessagePartsSent"}
DELIVERED_PARTS = {"TEXT": "NumberOfTextMessagePartsDelivered",
                   "MEDIA": "NumberOfMediaMessagePartsDelivered"}
MONTHLY_SPEND = {"TEXT": "TextMessageMonthlySpend", "MEDIA": "MediaMessageMonthlySpend",
                 "VOICE": "VoiceMessageMonthlySpend"}
EXPECTING_FEEDBACK = {"TEXT": "NumberOfTextMessagesExpectingFeedback",
                      "MEDIA": "NumberOfMediaMessagesExpectingFeedback"}
BLOCKED_BY_PROTECT = {"TEXT": "TextMessagesBlockedByProtect", "MEDIA": "MediaMessagesBlockedByProtect"}
RCS_SENT, RCS_DELIVERED, RCS_FELL_BACK = "RCS.MessagesSent", "RCS.MessagesDelivered", \
    "RCS.MessagesFallenBackToSMS"
# What a delivery event adds: event type -> (metric, counted in message parts). Blocked by
# protect is 1 if blocked else 0 [doc]: the 1 here, the 0 at the send (families/inbound.py).
BY_EVENT = {"TEXT_DELIVERED": (DELIVERED_PARTS["TEXT"], True),
            "MEDIA_DELIVERED": (DELIVERED_PARTS["MEDIA"], True),
            "TEXT_PROTECT_BLOCKED": (BLOCKED_BY_PROTECT["TEXT"], False),
            "MEDIA_PROTECT_BLOCKED": (BLOCKED_BY_PROTECT["MEDIA"], False),
            "RCS_DELIVERED": (RCS_DELIVERED, False),
            "RCS_FALLEN_BACK_TO_SMS": (RCS_FELL_BACK, False)}
PENDING_LIMIT = 10_000  # metric/dimension series waiting for one account-region's next call

Dimensions = tuple[tuple[str, str], ...]  # sorted (name, value) pairs


@dataclass
class Statistic:
    """CloudWatch's StatisticValues of one series, and when (simulated time) it last moved."""

    unit: str
    sample_count: int = 0
    total: float = 0.0
    minimum: float = 0.0
    maximum: float = 0.0
    last_at: float = 0.0

    def add(self, value: float, at: float) -> None:
        first = self.sample_count == 0
        self.sample_count += 1
        self.total += value
        self.minimum = value if first else min(self.minimum, value)
        self.maximum = value if first else max(self.maximum, value)
        self.last_at = max(self.last_at, at)

    def values(self) -> dict:
        return {"SampleCount": float(self.sample_count), "Sum": self.total,
                "Minimum": self.minimum, "Maximum": self.maximum}


def dimension_sets(**dimensions: str | None) -> list[Dimensions]:
    """No dimensions, and the given ones together (those with a value)."""
    given = tuple(sorted((k, v) for k, v in dimensions.items() if v))
    return [()] + ([given] if given else [])


class Metrics:
    """One per simulator. `submit(account, region, take)` queues a delivery whose `take()`
    returns the datums accumulated for that account-region (it is called on the delivery
    thread); None: nothing is delivered (no events endpoint), the local view still counts."""

    def __init__(self, submit: Callable[[str, str, Callable[[], list[dict]]], None] | None = None):
        self.submit = submit
        self._lock = threading.Lock()
        self._totals: dict[tuple[str, str, str, Dimensions], Statistic] = {}
        self._pending: dict[tuple[str, str], dict[tuple[str, Dimensions], Statistic]] = {}
        self.dropped = 0  # datums not delivered because too many series were waiting

    def clear(self) -> None:
        with self._lock:
            self._totals.clear()

    def put(self, account: str, region: str, name: str, value: float, unit: str, at: float,
            sets: list[Dimensions] | None = None) -> None:
        """One datum of `name`, under each dimension set of `sets` (default: none)."""
        key = (account, region)
        with self._lock:
            for dims in sets or [()]:
                self._totals.setdefault((account, region, name, dims), Statistic(unit)).add(value, at)
            if self.submit is None:
                return
            pending = self._pending.get(key)
            first = pending is None
            if pending is None:
                pending = self._pending[key] = {}
            for dims in sets or [()]:
                if (name, dims) not in pending and len(pending) >= PENDING_LIMIT:
                    self.dropped += 1
                    continue
                pending.setdefault((name, dims), Statistic(unit)).add(value, at)
        if first:  # nothing was waiting for this account-region: its next call is queued now
            self.submit(account, region, lambda: self._take(key))

    def _take(self, key: tuple[str, str]) -> list[dict]:
        """What accumulated for one account-region, as MetricData (no Timestamp: delivery.py
        stamps the delivery's wall time); from now on a new datum queues a new call."""
        with self._lock:
            pending = self._pending.pop(key, {})
        return [{"MetricName": name, "Unit": stat.unit, "StatisticValues": stat.values(),
                 **({"Dimensions": [{"Name": k, "Value": v} for k, v in dims]} if dims else {})}
                for (name, dims), stat in pending.items()]

    def view(self, name: str | None = None, account: str | None = None,
             region: str | None = None) -> list[dict]:
        """Every series since the start (or reset), as GetMetricStatistics would sum it."""
        with self._lock:
            rows = list(self._totals.items())
        return [{"Namespace": NAMESPACE, "MetricName": metric, "account": acct, "region": reg,
                 "Dimensions": {k: v for k, v in dims}, "Unit": stat.unit, **stat.values(),
                 "Timestamp": stat.last_at}
                for (acct, reg, metric, dims), stat in rows
                if name in (None, metric) and account in (None, acct) and region in (None, reg)]
