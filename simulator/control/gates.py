"""The control surface of the send gates: account tiers, verification codes, protect filter
rules. `Simulator` offers these as methods (GatesControl is one of its bases); the HTTP control
API under `/_smsvoice/` reaches them through proxy/gates_control.py.
"""

from __future__ import annotations

from ..gates import sandbox
from ..gates.protect_rules import FilterRule


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


def settings_of(backend) -> GateSettings:
    """A backend's gate settings (defaults for a backend made outside a Simulator)."""
    return getattr(backend, "gate_settings", None) or GateSettings()


class GatesControl:
    """Simulator methods for the sandbox, spend and protect gates. Expects `self.lock`,
    `self.regions` ((account, region) -> AccountRegion), `self.region(account, region)`,
    `self.default_account` and `self.gate_settings` (a GateSettings)."""

    def set_account_tier(self, tier: str, account: str | None = None,
                         region: str | None = None) -> None:
        """`SANDBOX` or `PRODUCTION` for an account (default: the default account), in one
        region or (region=None) in every region."""
        with self.lock:
            self.gate_settings.tiers.set(tier, account or self.default_account, region)

    def account_tier(self, account: str | None = None, region: str = "us-east-1") -> str:
        return self.gate_settings.tiers.tier(account or self.default_account, region)

    def set_verification_code_lifetime(self, seconds: float) -> None:
        """How long a verification code can be used ([inf] 24 hours by default)."""
        if not seconds > 0:
            raise ValueError("a verification code lives a positive number of seconds")
        with self.lock:
            self.gate_settings.code_lifetime = float(seconds)

    def verification_code(self, number: str, account: str | None = None,
                          region: str | None = None) -> str | None:
        """The last verification code AWS would have texted or read to `number`."""
        with self.lock:
            codes = [(v.code_sent_at or 0, v.code)
                     for (acct, reg), backend in self.regions.items()
                     if account in (None, acct) and region in (None, reg)
                     for v in backend.verified_numbers.with_codes() if v.number == number]
            return max(codes)[1] if codes else None

    def verification_codes(self) -> list[dict]:
        """Every code not yet used, newest first: what `/_smsvoice/verification-codes` shows."""
        with self.lock:
            rows = [{"account": acct, "region": reg, "VerifiedDestinationNumberId": v.id,
                     "DestinationPhoneNumber": v.number, "VerificationCode": v.code,
                     "SentTimestamp": v.code_sent_at}
                    for (acct, reg), backend in self.regions.items()
                    for v in backend.verified_numbers.with_codes()]
            return sorted(rows, key=lambda r: r["SentTimestamp"] or 0, reverse=True)

    def add_protect_filter(self, destination: str | None = None, body: str | None = None,
                           account: str | None = None, region: str = "us-east-1") -> None:
        """Make sends that match count as suspicious (AIT) under a FILTER country rule: they
        are accepted, then end in TEXT_PROTECT_BLOCKED. `destination` is a glob (`+1206555*`),
        `body` a regular expression."""
        rule = FilterRule(destination, body)
        with self.lock:
            backend = self.region(account or self.default_account, region)
            backend.protect_configurations.filters.append(rule)
            self.save()

    def clear_protect_filters(self) -> None:
        with self.lock:
            for backend in self.regions.values():
                backend.protect_configurations.filters.clear()
            self.save()
