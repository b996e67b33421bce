"""Protect configurations: country rule sets per capability, number overrides, and the
verdict on one send. Pure rules; the protect family stores them and answers the operations.

Sources [doc: filter-and-monitor-messages.html, protect-rule-override.html,
protect-configuration-edit-association.html; model: CreateProtectConfiguration]:
- every country of every capability is ALLOW until changed; BLOCK refuses the send; MONITOR
  lets it through and marks its events; FILTER lets it through but blocks what AWS judges to
  be artificially inflated traffic (here: what the user's filter rules say, see FilterRule);
- a number override (ALLOW/BLOCK) wins over its country's rule, until it expires;
- RCS sends follow the SMS rule set [obs: RCS runbook]; a Notify send follows its medium's
  (SendNotifyVoiceMessage the VOICE rule set, SendNotifyTextMessage the SMS one) [inf].
Expired overrides are treated as gone (not listed, never applied) [inf: undocumented].
A rule set lists every region libphonenumber has a numbering plan for [inf: AWS does not
publish its list; the model allows 1-300 entries], the data a number's country comes from.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from typing import ClassVar

import phonenumbers

from ..engine.numbering import country_of
from .linear_regex import LinearRegex

ALLOW, BLOCK, MONITOR, FILTER = "ALLOW", "BLOCK", "MONITOR", "FILTER"
COUNTRIES: tuple[str, ...] = tuple(sorted(phonenumbers.SUPPORTED_REGIONS))
CAPABILITY_OF_CHANNEL = {"TEXT": "SMS", "VOICE": "VOICE", "MEDIA": "MMS", "RCS": "SMS", "NOTIFY": "SMS"}


def capability_of(channel: str, operation: str) -> str:
    """The rule set a send is decided by: its channel's, a Notify voice send's VOICE."""
    return "VOICE" if operation == "SendNotifyVoiceMessage" else CAPABILITY_OF_CHANNEL[channel]


@dataclass(eq=False)
class NumberOverride:
    WIRE: ClassVar[dict[str, str]] = {"DestinationPhoneNumber": "number",
                                      "CreatedTimestamp": "created",
                                      "ExpirationTimestamp": "expires"}
    number: str
    action: str
    created: float
    expires: float | None = None

    @property
    def iso_country_code(self) -> str | None:
        return country_of(self.number)

    def active(self, now: float) -> bool:
        return self.expires is None or now < self.expires


@dataclass(eq=False)
class ProtectConfiguration:
    WIRE: ClassVar[dict[str, str]] = {"ProtectConfigurationArn": "arn",
                                      "ProtectConfigurationId": "id",
                                      "CreatedTimestamp": "created"}
    id: str
    arn: str
    created: float
    deletion_protection_enabled: bool = False
    account_default: bool = False
    tags: dict[str, str] = field(default_factory=dict)
    # capability -> {iso: status}, only the countries that are not ALLOW
    rules: dict[str, dict[str, str]] = field(default_factory=dict)
    overrides: dict[str, NumberOverride] = field(default_factory=dict)

    def country_rule_set(self, capability: str) -> dict[str, dict]:
        changed = self.rules.get(capability, {})
        return {iso: {"ProtectStatus": changed.get(iso, ALLOW)} for iso in COUNTRIES}

    def update_rules(self, capability: str, updates: dict[str, dict]) -> None:
        changed = self.rules.setdefault(capability, {})
        for iso, rule in updates.items():
            if rule["ProtectStatus"] == ALLOW:
                changed.pop(iso, None)
            else:
                changed[iso] = rule["ProtectStatus"]

    def status_for(self, capability: str, iso: str | None) -> str:
        return self.rules.get(capability, {}).get(iso or "", ALLOW)

    def live_overrides(self, now: float) -> list[NumberOverride]:
        return [o for o in self.overrides.values() if o.active(now)]

    def override_for(self, number: str, now: float) -> NumberOverride | None:
        found = self.overrides.get(number)
        return found if found is not None and found.active(now) else None


@dataclass
class FilterRule:
    """What the simulator treats as suspicious (AIT) under FILTER: a destination glob
    (`+1206555*`) and/or a body regex; a rule with both needs both to match.

    The body regex is the caller's, matched on every send under the simulator's lock: it is
    searched in linear time (linear_regex.py), never by Python's backtracking `re`, so no
    pattern can stall the simulator (`(a+)+$` took seconds on 30 characters). A pattern that
    needs backtracking (backreferences, lookaround) is refused when the rule is made."""

    destination: str | None = None
    body: str | None = None
    _body_regex: LinearRegex | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self):
        if not self.destination and not self.body:
            raise ValueError("a filter rule needs a destination pattern, a body pattern, or both")
        if self.body:  # fail at once on a bad pattern, not on a send
            self._body_regex = LinearRegex(self.body)

    def matches(self, destination: str, body: str | None) -> bool:
        if self.destination and not fnmatch.fnmatchcase(destination, self.destination):
            return False
        return self._body_regex is None or self._body_regex.search(body or "")


@dataclass(frozen=True)
class Verdict:
    """What a protect configuration says about one send."""

    protect_configuration_id: str
    status: str  # the country's ProtectStatus, or the override's action
    blocked_by: str | None = None  # "country" | "override" | "filter"

    @property
    def refused(self) -> bool:
        """Refused at once (BLOCK); a FILTER block lets the send through and fails it later."""
        return self.blocked_by in ("country", "override")


def decide(config: ProtectConfiguration, capability: str, destination: str, iso: str | None,
           body: str | None, now: float, filters: list[FilterRule]) -> Verdict:
    override = config.override_for(destination, now)
    if override is not None:
        return Verdict(config.id, override.action, "override" if override.action == BLOCK else None)
    status = config.status_for(capability, iso)
    if status == BLOCK:
        return Verdict(config.id, status, "country")
    if status == FILTER and any(rule.matches(destination, body) for rule in filters):
        return Verdict(config.id, status, "filter")
    return Verdict(config.id, status)
