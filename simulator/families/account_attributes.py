"""Account attributes (the tier, the default protect configuration) and monthly spend limits,
with the spend gate and the spend accounting on every send.

The tier is a simulator setting (`Simulator(account_tier=...)`, `sim.set_account_tier(...)`,
the control API): AWS moves an account out of the sandbox after a support case, which no API
call does. Limits, prices and months: `spend.py`.
"""

from __future__ import annotations

from decimal import Decimal

from ..gates import spend
from ..messaging.send import Send
from ..wire import errors
from ..wire.paging import page_result
from . import Family, operation


def _overrides(channel: str):
    """The two operations of one channel's override, named as the model names them
    (TEXT -> SetTextMessageSpendLimitOverride, RCS -> DeleteRcsMessageSpendLimitOverride)."""
    word = channel.capitalize()

    @operation(f"Set{word}MessageSpendLimitOverride")
    def set_override(self, params: dict) -> dict:
        return self._set(channel, params)

    @operation(f"Delete{word}MessageSpendLimitOverride")
    def delete_override(self, params: dict) -> dict:
        return self._delete(channel)

    return set_override, delete_override


class AccountAttributes(Family):
    name = "account_attributes"

    def __init__(self, region):
        super().__init__(region)
        self.limits = spend.SpendLimits(lambda: self.tier)

    # -- rules other families call -------------------------------------------
    @property
    def tier(self) -> str:
        return self.region.gate_settings.tiers.tier(self.region.account, self.region.region)

    def check_spend(self, channel: str, price: float) -> None:
        if self.limits.would_exceed(channel, spend.cost(price), self.region.now()):
            enforced = self.limits.enforced(channel)
            raise errors.quota_exceeded(
                spend.limit_reached(channel),
                f"The monthly {channel} spend limit of ${enforced} for account "
                f"{self.region.account} in {self.region.region} is reached; it resets when "
                "the month turns (or raise it with a spend limit override).")

    def add_spend(self, channel: str, price: float) -> None:
        self.limits.add(channel, spend.cost(price), self.region.now())

    def spent_this_month(self, channel: str) -> float:
        return float(self.limits.spent_in(channel, spend.month_of(self.region.now())))

    # -- operations ------------------------------------------------------------
    @operation("DescribeAccountAttributes")
    def describe_attributes(self, params: dict) -> dict:
        attributes = [{"Name": "ACCOUNT_TIER", "Value": self.tier}]
        default = self.region.protect_configurations.account_default()
        if default is not None:  # [inf] no attribute while there is no default
            attributes.append({"Name": "DEFAULT_PROTECT_CONFIGURATION_ID", "Value": default.id})
        return page_result("DescribeAccountAttributes", "AccountAttributes", attributes, params)[0]

    @operation("DescribeSpendLimits")
    def describe_spend_limits(self, params: dict) -> dict:
        return page_result("DescribeSpendLimits", "SpendLimits", self.limits.describe(), params)[0]

    def _set(self, channel: str, params: dict) -> dict:
        wanted, maximum = params["MonthlyLimit"], self.limits.max_limit(channel)
        if wanted > maximum:
            raise errors.validation(
                "REQUESTED_SPEND_LIMIT_HIGHER_THAN_SERVICE_LIMIT",
                f"The requested {channel} spend limit ${wanted} is higher than the account's "
                f"MaxLimit ${maximum}.", [{"Name": "MonthlyLimit", "Message": f"Max {maximum}"}])
        self.limits.overrides[channel] = wanted
        return {"MonthlyLimit": wanted}

    def _delete(self, channel: str) -> dict:
        """The enforced limit goes back to MaxLimit [model]; returns the removed override
        (or the limit in force when there was none) [inf]."""
        removed = self.limits.overrides.pop(channel, None)
        return {"MonthlyLimit": self.limits.max_limit(channel) if removed is None else removed}

    # Set/Delete<Channel>MessageSpendLimitOverride, one pair per channel (`_overrides`).
    set_text, delete_text = _overrides("TEXT")
    set_voice, delete_voice = _overrides("VOICE")
    set_media, delete_media = _overrides("MEDIA")
    set_notify, delete_notify = _overrides("NOTIFY")
    set_rcs, delete_rcs = _overrides("RCS")

    # -- the send path ---------------------------------------------------------------
    def check_send(self, send: Send) -> None:
        """The spend gate: a send that would take the month's spend past the enforced limit
        is refused. A dry run is checked too (it is "checked and validated") but never
        charged [model: DryRun]."""
        self.check_spend(send.channel, send.price)

    def after_send(self, message) -> None:
        self.add_spend(message.send.channel, message.send.price)

    # -- state view and --state ------------------------------------------------
    def view(self) -> dict[str, list]:
        return {"spend_limits": [
            {**limit, "SpentThisMonth": self.spent_this_month(channel)}
            for channel, limit in zip(spend.channels(), self.limits.describe(), strict=True)]}

    def saved_rest(self) -> dict:
        return {"overrides": dict(self.limits.overrides),
                "spent": [[c, m, str(v)] for (c, m), v in self.limits.spent.items()]}

    def restore(self, data: dict) -> None:
        self.limits.overrides = dict(data.get("overrides", {}))
        self.limits.spent = {(c, m): Decimal(v) for c, m, v in data.get("spent", ())}
