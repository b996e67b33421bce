"""Injected faults and AWS's published rate limits.

A fault makes the next calls of an operation fail with a modeled error (right
status and shape, so botocore's retry logic behaves as it does with AWS), or
answer late. Rate limits are token buckets on the simulator's clock: with a
manual clock, time only moves when the test moves it, so throttling is
deterministic.
"""

from __future__ import annotations

import math
import random
from dataclasses import asdict, dataclass

from ..wire.errors import ServiceError
from ..wire.model import error_shape, operation, operation_names

# AWS's published default: 1 request per second per account and region. [doc]
AWS_RATE_LIMITS = {"CreatePool": 1.0, "DeletePool": 1.0, "DescribePools": 1.0,
                   "AssociateOriginationIdentity": 1.0}

# An injected latency longer than this is a typo, not a test: an hour.
MAX_LATENCY_MS = 3_600_000.0


def _finite_number(name: str, value: object, low: float, high: float,
                   low_open: bool = False) -> float:
    """`value` as a float within [low, high] ((low, high] with low_open), else ValueError
    naming `name`. Booleans, NaN and infinities are refused: JSON and Python both let
    them in, and a NaN compares false with every bound."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f'"{name}" must be a number, not {value!r}')
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f'"{name}" must be a finite number, not {value!r}')
    if number < low or (low_open and number == low) or number > high:
        bounds = f"({low:g}, {high:g}]" if low_open else f"[{low:g}, {high:g}]"
        raise ValueError(f'"{name}" must be in {bounds}, not {value!r}')
    return number


@dataclass
class Fault:
    operation: str
    error: str | None = None
    count: int | None = None  # calls still to fail; None with rate
    rate: float | None = None  # probability each call fails
    latency_ms: float = 0.0
    reason: str | None = None
    message: str | None = None

    def describe(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}


class Faults:
    def __init__(self, seed: int | None = None):
        self._rng = random.Random(seed)
        self.rules: list[Fault] = []

    def add(self, operation_name: str, error: str | None = None, count: int | None = None,
            rate: float | None = None, latency_ms: float = 0.0, reason: str | None = None,
            message: str | None = None) -> Fault:
        """Raises ValueError (with a message for the user) for a fault AWS could not give."""
        if operation_name not in operation_names():
            raise ValueError(f"{operation_name!r} is not an operation of this service")
        if error is not None:
            allowed = {e.name for e in operation(operation_name).error_shapes}
            if error not in allowed or error_shape(error) is None:
                raise ValueError(f"{operation_name} cannot return {error!r}; the model allows "
                                 f"{', '.join(sorted(allowed))}")
        latency_alone = error is None and count is None and rate is None
        if not latency_alone and (count is None) == (rate is None):
            raise ValueError('give exactly one of "count" and "rate"')
        if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 1):
            raise ValueError('"count" must be a whole number >= 1')
        if rate is not None:
            rate = _finite_number("rate", rate, 0.0, 1.0, low_open=True)
        latency_ms = _finite_number("latency_ms", latency_ms, 0.0, MAX_LATENCY_MS)
        if error is None and not latency_ms:
            raise ValueError('give an "error", a "latency_ms", or both')
        fault = Fault(operation_name, error, count, rate, float(latency_ms), reason, message)
        self.rules.append(fault)
        return fault

    def clear(self, operation_name: str | None = None) -> int:
        """Remove the faults of one operation (every fault with None); returns how many."""
        before = len(self.rules)
        self.rules = [f for f in self.rules if operation_name not in (None, f.operation)]
        return before - len(self.rules)

    def draw(self, operation_name: str) -> tuple[ServiceError | None, float]:
        """The injected error (or None) and the delay in seconds for this call."""
        error, delay = None, 0.0
        for fault in list(self.rules):
            if fault.operation != operation_name:
                continue
            hit = fault.count is not None or fault.rate is None or self._rng.random() < fault.rate
            if not hit:
                continue
            if fault.count is not None:
                fault.count -= 1
                if fault.count <= 0:
                    self.rules.remove(fault)
            delay += fault.latency_ms / 1000
            if fault.error and error is None:
                error = ServiceError(fault.error, fault.message or
                                     f"Injected by smsvoice-sim: {fault.error} on {operation_name}",
                                     Reason=fault.reason)
        return error, delay

    def describe(self) -> list[dict]:
        return [f.describe() for f in self.rules]


class RateLimiter:
    """Token buckets per (account, region, operation), refilled on the simulator's clock."""

    def __init__(self, limits: dict[str, float], burst: float = 1.0):
        self.limits = dict(limits)
        self.burst = burst
        self._buckets: dict[tuple[str, str, str], tuple[float, float]] = {}

    def reset(self) -> None:
        """Every bucket full again, as on a fresh simulator (the limits stay)."""
        self._buckets.clear()

    def check(self, account: str, region: str, operation_name: str, now: float) -> None:
        rate = self.limits.get(operation_name)
        if not rate:
            return
        key = (account, region, operation_name)
        tokens, last = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * rate)
        if tokens < 1:
            self._buckets[key] = (tokens, now)
            raise ServiceError("ThrottlingException", "Rate exceeded")
        self._buckets[key] = (tokens - 1, now)
