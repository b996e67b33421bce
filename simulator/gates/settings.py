"""The simulator's settings the send gates read, shared by every account and region: account
tiers and the verification codes' lifetime."""

from __future__ import annotations

from . import sandbox


class AccountTiers:
    """Each account-and-region's tier: a default, then per-account and per-region settings
    (AWS moves an account out of the sandbox region by region)."""

    def __init__(self, default: str = sandbox.DEFAULT_TIER):
        self.default = sandbox.check_tier(default)
        self.settings: dict[tuple[str | None, str | None], str] = {}

    def set(self, tier: str, account: str | None = None, region: str | None = None) -> None:
        self.settings[(account, region)] = sandbox.check_tier(tier)

    def tier(self, account: str, region: str) -> str:
        for key in ((account, region), (account, None), (None, region), (None, None)):
            if key in self.settings:
                return self.settings[key]
        return self.default


class GateSettings:
    """The simulator's settings the gates read, shared by every account-and-region backend
    (as `backend.gate_settings`): account tiers and the verification codes' lifetime."""

    def __init__(self, account_tier: str = sandbox.DEFAULT_TIER):
        self.tiers = AccountTiers(account_tier)
        self.code_lifetime = sandbox.CODE_LIFETIME_SECONDS

