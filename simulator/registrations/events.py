"""Registration status changes as EventBridge delivers them.

[doc: monitor-event-bridge.html, "Registration Status Change"]: source `aws.sms-voice`,
detail-type "Registration Status Change", `resources: [registrationArn]`, and
`detail: {registrationDetails: {registrationId, registrationVersionNumber,
registrationType, registrationStatusChangeTimestamp (ms), currentStatus},
registrationArn}`. The statuses the page lists are the ones published; AWS_REVIEWING
is not among them, so a move into it publishes nothing.
"""

from __future__ import annotations

import threading
from collections import deque
from datetime import UTC, datetime

DETAIL_TYPE = "Registration Status Change"
SOURCE = "aws.sms-voice"
PUBLISHED = frozenset(
    {
        "CLOSED",
        "CREATED",
        "COMPLETE",
        "DELETED",
        "PROVISIONING",
        "REQUIRES_AUTHENTICATION",
        "REQUIRES_UPDATES",
        "REVIEWING",
        "SUBMITTED",
    }
)


def status_change(
    *,
    event_id: str,
    account: str,
    region: str,
    registration_arn: str,
    registration_id: str,
    registration_type: str,
    version_number: int,
    status: str,
    at: float,
) -> dict:
    when = datetime.fromtimestamp(at, tz=UTC)
    return {
        "version": "0",
        "id": event_id,
        "detail-type": DETAIL_TYPE,
        "source": SOURCE,
        "account": account,
        "time": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [registration_arn],
        "detail": {
            "registrationDetails": {
                "registrationId": registration_id,
                "registrationVersionNumber": version_number,
                "registrationType": registration_type,
                "registrationStatusChangeTimestamp": int(round(at * 1000)),
                "currentStatus": status,
            },
            "registrationArn": registration_arn,
        },
    }


class RegistrationEventLog:
    """Every registration status event, oldest first, bounded (the oldest go first)."""

    def __init__(self, limit: int = 100_000):
        self.entries: deque[dict] = deque(maxlen=limit)
        self._lock = threading.Lock()

    def append(self, event: dict) -> None:
        with self._lock:
            self.entries.append(event)

    def clear(self) -> None:
        with self._lock:
            self.entries.clear()

    def query(self, registration_id: str | None = None, status: str | None = None) -> list[dict]:
        with self._lock:
            events = list(self.entries)
        out = []
        for event in events:
            details = event["detail"]["registrationDetails"]
            if registration_id not in (None, details["registrationId"]):
                continue
            if status not in (None, details["currentStatus"]):
                continue
            out.append(event)
        return out
