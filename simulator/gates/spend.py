"""Spend: monthly spend limits per channel, and each month's running spend.

What a send costs comes from `prices` (the one price table: MaxPrice, events and spend all
read it). Spend is summed as Decimal: floats would drift after a few hundred sends.

Limits [doc: sandbox.html, spend-limit.html; model: SpendLimit]: a sandbox account starts at
$1.00 a month for SMS and MMS; an override sets the enforced limit up to the account's
MaxLimit; deleting it puts the enforced limit back to MaxLimit. The month is the calendar
month (UTC) of the simulator's clock [inf].
"""

from __future__ import annotations

import functools
import time
from decimal import Decimal

from ..wire.model import enum_values
from .sandbox import PRODUCTION, SANDBOX


@functools.cache
def limit_names() -> dict[str, str]:
    """The channels are the model's SpendLimitName values (TEXT_MESSAGE_MONTHLY_SPEND_LIMIT ->
    TEXT), read when first asked: an older botocore has fewer."""
    return {name.removesuffix("_MESSAGE_MONTHLY_SPEND_LIMIT"): name
            for name in enum_values("SpendLimitName")}


def channels() -> tuple[str, ...]:
    return tuple(limit_names())


def limit_reached(channel: str) -> str:
    """The ServiceQuotaExceededException reason of a channel's limit."""
    return f"MONTHLY_SPEND_LIMIT_REACHED_FOR_{channel}"


# MaxLimit (whole USD a month) per account tier. Sandbox: $1 for SMS and MMS [doc]; voice,
# Notify and RCS have no documented sandbox dollar limit, $1 keeps the sandbox small [inf].
# Production: the limit AWS grants on request; 10,000 USD [inf] lets a test send over a million US
# texts a simulated month.
MAX_LIMITS = {SANDBOX: 1, PRODUCTION: 10_000}


@functools.lru_cache(maxsize=4096)
def cost(price: float) -> Decimal:
    """A price from `prices` (a float rounded to 5 decimals) as exact money."""
    return Decimal(str(price))


def month_of(timestamp: float) -> str:
    """The calendar month (UTC) a moment falls in: `2026-11`."""
    return _month_of_day(int(timestamp // 86_400))


@functools.lru_cache(maxsize=64)
def _month_of_day(day: int) -> str:  # every send asks; a day never changes month
    return time.strftime("%Y-%m", time.gmtime(day * 86_400))


class SpendLimits:
    """One account-and-region's limits and spend. The tier is read when asked, so changing an
    account's tier changes its MaxLimit at once."""

    def __init__(self, tier_of):
        self._tier_of = tier_of  # () -> the account's tier now
        self.overrides: dict[str, int] = {}  # channel -> MonthlyLimit
        self.spent: dict[tuple[str, str], Decimal] = {}  # (channel, month) -> USD

    def max_limit(self, channel: str) -> int:
        return MAX_LIMITS[self._tier_of()]

    def enforced(self, channel: str) -> int:
        """The override while it is within MaxLimit (a lower tier lowers it), else MaxLimit."""
        maximum = self.max_limit(channel)
        return min(self.overrides.get(channel, maximum), maximum)

    def describe(self) -> list[dict]:
        return [{"Name": limit_names()[c], "EnforcedLimit": self.enforced(c),
                 "MaxLimit": self.max_limit(c), "Overridden": c in self.overrides}
                for c in channels()]

    def spent_in(self, channel: str, month: str) -> Decimal:
        return self.spent.get((channel, month), Decimal(0))

    def would_exceed(self, channel: str, cost: Decimal, now: float) -> bool:
        return self.spent_in(channel, month_of(now)) + cost > self.enforced(channel)

    def add(self, channel: str, cost: Decimal, now: float) -> None:
        key = (channel, month_of(now))
        self.spent[key] = self.spent.get(key, Decimal(0)) + cost
