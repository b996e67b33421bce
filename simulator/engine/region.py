"""Everything one account holds in one region: one store per operation family.

(AWS and moto call `aws`/`aws-cn`/`aws-us-gov` partitions; this is one account
in one region, moto's backend for an account and region.) Requests may name a
resource by id or by ARN; ARNs of another account or region name nothing here,
exactly as on AWS.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..families import Family, families
from ..families.messages import DEFAULT_SENT_LOG
from ..families.notify import BASIC_DAILY_MESSAGES
from ..gates import sandbox
from ..wire import errors
from . import arns
from .ids import IdFactory
from .lifecycle import Lifecycles

if TYPE_CHECKING:
    from ..control.gates import GateSettings
    from ..messaging.hub import Messaging
    from ..registrations.desk import RegistrationDesk

# Every quota the simulator enforces, in one table. `Simulator(quotas={NAME: n})` and
# `smsvoice-sim simulate --quota NAME=N` change any of them; DescribeAccountLimits reports the
# AccountLimitName ones from here, so the Max it shows is the limit applied.
# AWS documents few resource counts (quotas.html lists request rates only). A documented
# default is used as documented; an undocumented one is set where no real program trips it:
# a public program that requests a sender ID in each of 142 countries stopped at an inferred
# 100. A test that wants the error sets a small value (`quotas={"SENDER_IDS": 100}`).
GENEROUS = 10_000  # [inf] every resource count AWS does not document

DEFAULT_QUOTAS: dict[str, int] = {
    # DescribeAccountLimits' names (the model's AccountLimitName enum).
    "PHONE_NUMBERS": GENEROUS, "POOLS": GENEROUS, "CONFIGURATION_SETS": GENEROUS,
    "OPT_OUT_LISTS": GENEROUS, "SENDER_IDS": GENEROUS, "REGISTRATIONS": GENEROUS,
    "REGISTRATION_ATTACHMENTS": GENEROUS,
    # "You can add up to 10 verified destination numbers" [doc: verify-destination-phone-number.html]
    "VERIFIED_DESTINATION_NUMBERS": 10,
    # Enforced with a ServiceQuotaExceededException reason; not in DescribeAccountLimits.
    # "up to five event destinations" [doc: configuration-sets-event-destinations.html; model:
    # CreateEventDestination]
    "EVENT_DESTINATIONS_PER_CONFIGURATION_SET": 5,
    "KEYWORDS_PER_PHONE_NUMBER": GENEROUS, "KEYWORDS_PER_POOL": GENEROUS,
    "ORIGINATION_IDENTITIES_PER_POOL": GENEROUS,
    "PROTECT_CONFIGURATIONS": GENEROUS, "RCS_AGENTS": GENEROUS,
    "NOTIFY_CONFIGURATIONS": 25,  # "Notify configurations per account 25" [doc: notify-quotas.html]
    # [inf from the model] one TagResource takes up to 200 tags (older docs said 50 per resource;
    # today's do not)
    "TAGS_PER_RESOURCE": 200,
    # Per-day rates, owned by their families: Notify's BASIC tier cap [doc: notify tiers] and
    # verification codes per number [inf] (an anti-abuse limit the model names).
    "NOTIFY_BASIC_DAILY_MESSAGES": BASIC_DAILY_MESSAGES,
    # "For a given destination phone number, the limit is 10 messages per day per notify
    # configuration and 10 messages per day per account" [doc: notify-quotas.html]
    "NOTIFY_MESSAGES_PER_DESTINATION_PER_DAY": 10,
    "VERIFICATION_ATTEMPTS_PER_DAY": sandbox.ATTEMPTS_PER_DAY,
}


def quota_table(overrides: dict[str, int] | None = None) -> dict[str, int]:
    """The defaults with `overrides` applied. A name the table does not hold or a value that
    is not a whole number >= 0 is refused: a misspelt quota would silently change nothing."""
    table = dict(DEFAULT_QUOTAS)
    for name, value in (overrides or {}).items():
        if name not in DEFAULT_QUOTAS:
            raise ValueError(f"unknown quota {name!r}: use one of {', '.join(DEFAULT_QUOTAS)}")
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"quota {name} must be a whole number >= 0, not {value!r}")
        table[name] = value
    return table


IDEMPOTENCY_MEMORY = 10_000  # tokens remembered per account and region


@dataclass
class Shared:
    """What every account and region of one simulator shares and a reset keeps: settings,
    logs and desks that are the simulator's, not one account's. The Simulator makes one;
    every AccountRegion reads it as `region.shared`. A family that needs such a part adds a
    field here (and sets it in Simulator.__init__) instead of threading its own object
    through Simulator, State and AccountRegion. None: a region made outside a Simulator."""

    # Outcome rules, their schedule, the event log, delivery to event destinations.
    messaging: Messaging | None = None
    gate_settings: GateSettings | None = None  # what the send gates read: tiers, code lifetime
    registrations: RegistrationDesk | None = None  # catalogue, reviewer, status events
    sent_log_limit: int = DEFAULT_SENT_LOG  # sent messages kept per account and region (not state)

    def __post_init__(self):
        limit = self.sent_log_limit
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
            raise ValueError(f"sent_log_limit must be a whole number >= 0, not {limit!r}")


class AccountRegion:
    def __init__(self, account: str, region: str, ids: IdFactory, lifecycles: Lifecycles,
                 quotas: dict[str, int], created: float, shared: Shared | None = None):
        self.account = account
        self.region = region
        self.ids = ids
        self.lifecycles = lifecycles
        self.quotas = quotas
        self.created = created
        self.shared = shared if shared is not None else Shared()
        self.messaging = self.shared.messaging
        self.gate_settings = self.shared.gate_settings
        self.sent_log_limit = self.shared.sent_log_limit
        self._arn_prefix = arns.build(region, account, "")
        self._quota_owner: dict[str, Family | None] = {}
        self.operation: str | None = None  # the operation running (shared resources' actions)
        # Every account's stores by (account, region), State's: resources shared by policy.
        self.peers: dict[tuple[str, str], AccountRegion] = {(account, region): self}
        self.idempotency: OrderedDict[tuple[str, str], tuple[str, dict]] = OrderedDict()
        self.families: dict[str, Family] = {}
        for cls in families():
            self.families[cls.name] = family = cls(self)
            setattr(self, cls.name, family)
        if self.shared.registrations is not None:
            self.registrations.desk = self.shared.registrations  # else the seed catalogue's desk

    def now(self) -> float:
        return self.lifecycles.clock.now()

    # -- names ----------------------------------------------------------------
    def arn(self, resource: str) -> str:
        return arns.build(self.region, self.account, resource)

    def local_resource(self, ref: str) -> str | None:
        """`arn:aws:sms-voice:{region}:{account}:pool/x` -> `pool/x` when it is ours."""
        if ref.startswith(self._arn_prefix) and len(ref) > len(self._arn_prefix):
            return ref[len(self._arn_prefix):]
        return None

    def local_id(self, ref: str, kind: str) -> str:
        """The id a reference names: itself, or an ARN's id when the ARN is ours and of `kind`;
        "" (names nothing) otherwise."""
        if not arns.is_arn(ref):
            return ref
        local = self.local_resource(ref) or ""
        return local.removeprefix(f"{kind}/") if local.startswith(f"{kind}/") else ""

    def find(self, table: dict, ref: str, kind: str):
        """A resource by id or ARN; `kind` is the ARN's resource type and the error's ResourceType."""
        found = table.get(self.local_id(ref, kind))
        if found is None:
            if arns.is_arn(ref) and self.local_resource(ref) is None:
                # Another account's full ARN: its resource when shared with this account
                # for the operation running (resource policies) [model: Send* docs].
                return self.resource_policies.resolve_shared(ref, kind, self.operation)
            raise errors.not_found(kind, ref)
        return found

    def by_arn(self, resource_arn: str):
        """Any taggable resource by ARN, from the family that owns its resource type."""
        local = self.local_resource(resource_arn)
        if local is None:
            if arns.parse(resource_arn) is None:
                raise errors.validation("INVALID_ARN", f"{resource_arn} is not a valid ARN.",
                                        [{"Name": "ResourceArn", "Message": "Invalid ARN"}])
            raise errors.not_found("account", resource_arn)
        kind = local.split("/", 1)[0]
        for family in self.families.values():
            if kind in family.arn_types:
                return getattr(family, family.arn_types[kind])(resource_arn)
        raise errors.not_found(kind, resource_arn)

    def family_of(self, resource) -> Family:
        """The family a resource belongs to (its class names it: `FAMILY`)."""
        return self.families[resource.FAMILY]

    # -- quotas ----------------------------------------------------------------
    def used(self, quota: str) -> int:
        """How much of an account quota is used, from the family that counts it."""
        if quota not in self._quota_owner:
            self._quota_owner[quota] = next(
                (f for f in self.families.values() if f.used(quota) is not None), None)
        owner = self._quota_owner[quota]
        return 0 if owner is None else owner.used(quota)

    def require_quota(self, name: str, reason: str, used: int | None = None,
                      adding: int = 1) -> None:
        limit = self.quotas[name]
        if used is None:
            used = self.used(name)
        if used + adding > limit:
            raise errors.quota_exceeded(
                reason, f"The quota {name} ({limit}) for account {self.account} in "
                        f"{self.region} would be exceeded.")

    # -- idempotency ---------------------------------------------------------
    def remembered(self, operation: str, token: str) -> tuple[str, dict] | None:
        return self.idempotency.get((operation, token))

    def remember(self, operation: str, token: str, fingerprint: str, result: dict) -> None:
        self.idempotency[(operation, token)] = (fingerprint, result)
        while len(self.idempotency) > IDEMPOTENCY_MEMORY:
            self.idempotency.popitem(last=False)
