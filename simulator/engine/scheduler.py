"""The one queue of everything the clock moves: a resource's automatic lifecycle step, a sent
message's next event, a registration's next review step.

An action is `(due, sequence, callback)`: `settle(now)` runs every action due by `now`
oldest first (the sequence breaks ties in the order they were scheduled), each with the
moment it fell due, so a step that happened while nobody looked is played at its own time.
An action may schedule more; those that are already due run in the same settle. A timer that
no longer applies (the resource moved on, was deleted, the review was decided) is cancelled,
not searched for.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable

Action = Callable[[float], None]  # called with the moment the action fell due


class Timer:
    """One scheduled action; `cancel()` makes it a no-op."""

    __slots__ = ("due", "action", "cancelled")

    def __init__(self, due: float, action: Action):
        self.due = due
        self.action = action
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class Scheduler:
    def __init__(self) -> None:
        self._queue: list[tuple[float, int, Timer]] = []
        self._sequence = itertools.count()

    def at(self, due: float, action: Action) -> Timer:
        timer = Timer(due, action)
        heapq.heappush(self._queue, (due, next(self._sequence), timer))
        return timer

    def settle(self, now: float, limit: int = 1_000_000) -> int:
        """Run every action due by `now`, oldest first; returns how many ran. `limit` bounds
        one call (an action that keeps scheduling itself at once cannot hang a request)."""
        ran = 0
        while self._queue and self._queue[0][0] <= now and ran < limit:
            due, _sequence, timer = heapq.heappop(self._queue)
            if timer.cancelled:
                continue
            timer.cancelled = True  # a timer runs once
            timer.action(due)
            ran += 1
        return ran

    def next_due(self) -> float | None:
        """When the next live action falls due (None: nothing is scheduled)."""
        while self._queue and self._queue[0][2].cancelled:
            heapq.heappop(self._queue)
        return self._queue[0][0] if self._queue else None

    def __len__(self) -> int:
        return sum(1 for _due, _seq, timer in self._queue if not timer.cancelled)
