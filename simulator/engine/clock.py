"""Clocks that decide when a lifecycle transition is due. Nothing here sleeps.

- `manual`: time moves only when the test calls `advance(seconds)`.
- `real`: wall time (plus anything `advance` added).
- `instant`: every transition is due at once.
- `reads:N`: a transition is due once the resource was read N times in its
  state (moto's "manual, times=N"), for deterministic polling tests.

Timestamps the service returns (CreatedTimestamp) come from `now()`, in epoch
seconds, so a manual clock starts at the wall time it was made and moves from
there.
"""

from __future__ import annotations

import math
import threading
import time

# The latest time a clock may reach: the last second of year 9999, the last date
# Python's datetime (and so botocore's timestamp parser) and every SDK can represent.
LATEST_TIMESTAMP = 253402300799.0  # 9999-12-31T23:59:59Z


class Clock:
    mode = "abstract"

    def __init__(self, start: float | None = None):
        self._offset = 0.0
        self._start = time.time() if start is None else float(start)
        self._lock = threading.Lock()

    def now(self) -> float:
        raise NotImplementedError

    def advance(self, seconds: float) -> float:
        """Move time forward; lifecycle transitions that fall due happen on the next call."""
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            raise ValueError(f"a clock advances by a number of seconds, not {seconds!r}")
        if not math.isfinite(seconds):
            raise ValueError(f"a clock advances by a finite number of seconds, not {seconds!r}")
        if seconds < 0:
            raise ValueError("a clock only moves forward")
        with self._lock:
            if not self.now() + float(seconds) <= LATEST_TIMESTAMP:
                raise ValueError(f"advancing by {seconds:g} seconds would take the clock past the "
                                 "year 9999, the last date a timestamp can hold")
            self._offset += float(seconds)
        return self.now()

    def saved(self) -> dict:
        """What `restore` needs to carry on where this clock stopped."""
        return {"mode": self.mode, "now": self.now(), "offset": self._offset}

    def restore(self, saved: dict) -> None:
        """A manual clock resumes at the saved time; the others keep wall time and take
        back only what `advance` had added."""
        with self._lock:
            self._offset = float(saved["offset"])

    def due_at(self, entered_at: float, duration: float) -> float | None:
        """When a transition of `duration` from a state entered at `entered_at` falls due;
        None when time does not decide it (the reads clock)."""
        return entered_at + duration

    def due_after_reads(self, reads: int) -> bool:
        return False

    def describe(self) -> dict:
        return {"mode": self.mode, "now": self.now()}


class ManualClock(Clock):
    mode = "manual"

    def now(self) -> float:
        return self._start + self._offset

    def restore(self, saved: dict) -> None:
        with self._lock:
            self._start, self._offset = float(saved["now"]), 0.0


class RealClock(Clock):
    mode = "real"

    def __init__(self, start: float | None = None):
        super().__init__(start)
        self._wall_origin = time.time()

    def now(self) -> float:
        return self._start + (time.time() - self._wall_origin) + self._offset


class InstantClock(RealClock):
    mode = "instant"

    def due_at(self, entered_at: float, duration: float) -> float | None:
        return entered_at


class ReadsClock(RealClock):
    """Due after N reads of the resource in its current state."""

    mode = "reads"

    def __init__(self, reads: int, start: float | None = None):
        if reads < 1:
            raise ValueError("reads clock needs N >= 1")
        super().__init__(start)
        self.reads = reads

    def due_at(self, entered_at: float, duration: float) -> float | None:
        return None

    def due_after_reads(self, reads: int) -> bool:
        return reads >= self.reads

    def describe(self) -> dict:
        return {**super().describe(), "reads": self.reads}


def make_clock(spec: str | Clock) -> Clock:
    """`manual`, `real`, `instant` or `reads:N` (also accepts a Clock)."""
    if isinstance(spec, Clock):
        return spec
    name, _, arg = str(spec).partition(":")
    if name == "manual":
        return ManualClock()
    if name == "real":
        return RealClock()
    if name == "instant":
        return InstantClock()
    if name == "reads":
        try:
            return ReadsClock(int(arg or "1"))
        except ValueError as exc:
            raise ValueError(f"bad reads clock {spec!r}: use reads:N with N >= 1") from exc
    raise ValueError(f"unknown clock {spec!r}: use manual, real, instant or reads:N")
