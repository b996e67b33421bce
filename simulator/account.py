"""Everything one account holds in one region: one typed attribute per family, built in the
one order every list of families follows (state views, saved state, lifecycle diagrams, send
gates) — the way moto composes a backend from its parts.

This is where the families are wired: `SHIPPED_FAMILIES` is the list, `AccountRegion` gives
each an attribute a type checker and go-to-definition follow, and `operation_table` /
`lifecycle_specs` are the tables a Simulator builds from the list. Nothing registers itself at
import time; importing any module first changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from .engine import arns
from .engine.changes import Changes
from .engine.ids import IdFactory
from .engine.lifecycle import Lifecycles, LifecycleSpec
from .engine.region import Region
from .families import EXTRA_FAMILIES, Family, OperationMethod
from .families.account_attributes import AccountAttributes
from .families.account_limits import AccountLimits
from .families.configuration_sets import ConfigurationSets
from .families.inbound import InboundMessages
from .families.keywords import Keywords
from .families.lookups import Lookups
from .families.messages import Messages
from .families.notify import Notify
from .families.opt_out_lists import OptOutLists
from .families.phone_numbers import PhoneNumbers
from .families.pools import Pools
from .families.protect_configurations import ProtectConfigurations
from .families.rcs_agents import RcsAgents
from .families.registration_attachments import RegistrationAttachments
from .families.registration_definitions import RegistrationDefinitions
from .families.registrations import Registrations
from .families.resource_policies import ResourcePolicies
from .families.sender_ids import SenderIds
from .families.tags import Tags
from .families.verified_numbers import VerifiedNumbers
from .gates.settings import GateSettings
from .messaging.hub import Messaging
from .messaging.inbound import InboundRecord
from .messaging.outcomes import Outcomes
from .messaging.send import (
    AfterSend,
    Outbound,
    SendGate,
    SentMessage,
    legacy_after_send,
    legacy_send_gates,
    send_message,
)
from .messaging.sent_log import DEFAULT_SENT_LOG, SentLog
from .registrations.desk import RegistrationDesk
from .wire import errors, model

# The families smsvoice-sim ships, in their one order. Replay-then-simulate adoption follows it
# (a pool's memberships need its numbers and sender IDs learned first), and so do the send
# gates:
# registration (registrations), sandbox (verified_numbers), protect (protect_configurations),
# spend (account_attributes) — a send two gates refuse gets the first one's error. Inbound
# messages come last: its after-send hook reads the month's spend the others accounted.
SHIPPED_FAMILIES: tuple[type[Family], ...] = (
    AccountLimits, OptOutLists, ConfigurationSets, PhoneNumbers, SenderIds, Pools,
    RegistrationAttachments, Registrations, RegistrationDefinitions, Keywords, Tags, Messages,
    VerifiedNumbers, ProtectConfigurations, AccountAttributes, Lookups, ResourcePolicies, Notify,
    RcsAgents, InboundMessages,
)


@dataclass
class Shared:
    """What every account and region of one simulator shares and a reset keeps: settings,
    logs and desks that are the simulator's, not one account's."""

    messaging: Messaging  # outcome rules, the message schedule, the event log, delivery
    gate_settings: GateSettings  # what the send gates read: tiers, code lifetime
    registrations: RegistrationDesk  # catalogue, reviewer, status events
    sent_log_limit: int = DEFAULT_SENT_LOG  # sent messages kept per account and region (not state)
    extra_families: tuple[type[Family], ...] = ()  # a user's own families, after the shipped ones
    # Publish to the two-way channel the keywords the service answered itself (HELP, STOP and
    # the opt-out words while AWS manages opt-outs); AWS does not say whether it does [inf].
    publish_answered_keywords: bool = True
    # Runs a change that happens outside any request (a delivery thread's outcome) under the
    # simulator's lock, then saves it to --state; the Simulator gives its own.
    save_change: Callable[[Callable[[], None]], None] = lambda change: change()

    def __post_init__(self):
        limit = self.sent_log_limit
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
            raise ValueError(f"sent_log_limit must be a whole number >= 0, not {limit!r}")


class AccountRegion(Region):
    def __init__(self, account: str, region: str, ids: IdFactory, lifecycles: Lifecycles,
                 quotas: dict[str, int], created: float, shared: Shared,
                 peers: dict[tuple[str, str], AccountRegion] | None = None,
                 changes: Changes | None = None):
        super().__init__(account, region, ids, lifecycles, quotas, created)
        self.changes = changes if changes is not None else Changes()  # for --state (State's)
        self.shared = shared
        self.messaging = shared.messaging
        self.gate_settings = shared.gate_settings
        # Every account's stores by (account, region), State's: resources shared by policy.
        self.peers: dict[tuple[str, str], AccountRegion] = peers if peers is not None else {}
        self.sent_log = SentLog(shared.sent_log_limit)  # what this account sent (not state)
        self.account_limits = AccountLimits(self)
        self.opt_out_lists = OptOutLists(self)
        self.configuration_sets = ConfigurationSets(self)
        self.phone_numbers = PhoneNumbers(self)
        self.sender_ids = SenderIds(self)
        self.pools = Pools(self)
        self.registration_attachments = RegistrationAttachments(self)
        self.registrations = Registrations(self)
        self.registration_definitions = RegistrationDefinitions(self)
        self.keywords = Keywords(self)
        self.tags = Tags(self)
        self.messages = Messages(self)
        self.verified_numbers = VerifiedNumbers(self)
        self.protect_configurations = ProtectConfigurations(self)
        self.account_attributes = AccountAttributes(self)
        self.lookups = Lookups(self)
        self.resource_policies = ResourcePolicies(self)
        self.notify = Notify(self)
        self.rcs_agents = RcsAgents(self)
        self.inbound = InboundMessages(self)
        shipped: list[Family] = [
            self.account_limits, self.opt_out_lists, self.configuration_sets, self.phone_numbers,
            self.sender_ids, self.pools, self.registration_attachments, self.registrations,
            self.registration_definitions, self.keywords, self.tags, self.messages,
            self.verified_numbers, self.protect_configurations, self.account_attributes,
            self.lookups, self.resource_policies, self.notify, self.rcs_agents, self.inbound]
        self.families: dict[str, Family] = {f.name: f for f in shipped}
        for cls in shared.extra_families:
            self.families.setdefault(cls.name, cls(self))
        # What the families declared on the send path, in the family list's order.
        self.send_gates: list[SendGate] = [
            f.check_send for f in self.families.values() if _declares(f, "check_send")]
        self.after_send_hooks: list[AfterSend] = [
            f.after_send for f in self.families.values() if _declares(f, "after_send")]
        self._quota_owner: dict[str, Family | None] = {}

    # -- lookups across families -------------------------------------------------
    def find(self, table: dict, ref: str, kind: str, action: str | None = None):
        """A resource by id or ARN; `kind` is the ARN's resource type and the error's
        ResourceType. `action` is the operation looking it up when that operation accepts
        another account's resource: that account's full ARN then names its resource if it is
        shared with this account for `action` (resource policies) [model: "If you are using a
        shared ... resource then you must use the full ARN"]; without one it names nothing."""
        found = table.get(self.local_id(ref, kind))
        if found is None:
            if action is not None and arns.is_arn(ref) and self.local_resource(ref) is None:
                return self.resource_policies.resolve_shared(ref, kind, action)
            raise errors.not_found(kind, ref)
        self.changes.mark_found(found, self)  # a write operation may change what it looks up
        return found

    def changed(self, resource) -> None:
        """`resource` (this account-region's, of any family) changed in a way no lookup or
        lifecycle move shows (through a reference): `--state` rewrites its row. Call it
        before the resource leaves its family's dict."""
        self.changes.mark(resource)  # found where its ARN says: it may be another account's

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
                return family.by_arn(resource_arn)
        raise errors.not_found(kind, resource_arn)

    def family_of(self, resource) -> Family:
        """The family a resource belongs to (its class names it: `FAMILY`)."""
        return self.families[resource.FAMILY]

    def member_family(self, identity) -> PhoneNumbers | SenderIds:
        """The family of a pool member: a phone number's or a sender ID's."""
        return self.phone_numbers if identity.FAMILY == "phone_numbers" else self.sender_ids

    def origin_family(self, origin) -> PhoneNumbers | SenderIds | Pools:
        """The family of what a message is sent from: a number, a sender ID or a pool."""
        return self.pools if origin.FAMILY == "pools" else self.member_family(origin)

    # -- the send path (messaging/send.py's Outbox) -------------------------------------
    def send(self, outbound: Outbound) -> SentMessage:
        """Take a send down the one send path."""
        return send_message(self, outbound)

    # -- the receive path (messaging/inbound.py's Inbox) -----------------------------------
    def receive(self, handset: str, to: str, body: str,
                previous_published_message_id: str | None = None) -> InboundRecord:
        """A handset's message to one of this account-region's numbers or RCS agents, down
        the receive path."""
        return self.inbound.receive(handset, to, body, previous_published_message_id)

    def change_opt_out(self, list_name: str, number: str, action: str) -> str:
        return self.opt_out_lists.end_user_change(list_name, number, action)

    def keep_inbound(self, record: InboundRecord) -> None:
        self.inbound.log.append(record)
        self.changed(record)  # its row (--state)

    def update_inbound(self, record: InboundRecord, update: Callable[[], None]) -> None:
        """A kept record changes after its request (its two-way publish finished, on a
        delivery thread): `update` runs under the simulator's lock and the row is saved."""
        def change() -> None:
            update()
            self.changed(record)
        self.shared.save_change(change)

    @property
    def outcomes(self) -> Outcomes:
        return self.messaging.outcomes

    def is_opted_out(self, list_name: str, number: str) -> bool:
        return self.opt_out_lists.is_opted_out(list_name, number)

    def record_sent(self, sent: SentMessage) -> None:
        self.sent_log.append(sent)

    def start_message(self, message) -> None:
        """An accepted, really sent message: kept for PutMessageFeedback, put on the clock."""
        self.sent_log.keep(message)
        self.messaging.start(message)

    def run_send_gates(self, send) -> None:
        for gate in self.send_gates:
            gate(send)
        for legacy in legacy_send_gates():  # deprecated, registered at run time
            legacy(self, send)

    def run_after_send(self, message) -> None:
        for hook in self.after_send_hooks:
            hook(message)
        for legacy in legacy_after_send():
            legacy(self, message)

    # -- quotas ----------------------------------------------------------------
    def used(self, quota: str) -> int:
        """How much of an account quota is used, from the family that counts it."""
        if quota not in self._quota_owner:  # a user's own family (listed last) counts first
            self._quota_owner[quota] = next(
                (f for f in reversed(self.families.values()) if f.used(quota) is not None), None)
        owner = self._quota_owner[quota]
        return 0 if owner is None else owner.used(quota) or 0

    def require_quota(self, name: str, reason: str, used: int | None = None,
                      adding: int = 1) -> None:
        limit = self.quotas[name]
        if used is None:
            used = self.used(name)
        if used + adding > limit:
            raise errors.quota_exceeded(
                reason, f"The quota {name} ({limit}) for account {self.account} in "
                        f"{self.region} would be exceeded.")


def _declares(family: Family, method: str) -> bool:
    """Whether the family's class overrides `method` of Family (declares a gate or hook)."""
    return getattr(type(family), method) is not getattr(Family, method)


# -- the tables a Simulator builds from its families ----------------------------------------
def families_of(extra: Sequence[type[Family]] = ()) -> tuple[type[Family], ...]:
    """The shipped families, then the user's own (Simulator(families=...)), then any that the
    deprecated `families.register` added."""
    found = list(SHIPPED_FAMILIES)
    shipped_names = {cls.name: cls for cls in SHIPPED_FAMILIES}
    for cls in (*extra, *EXTRA_FAMILIES):
        if cls in found:
            continue
        if cls.name in shipped_names:  # it would be set aside for the shipped one, silently
            raise ValueError(
                f"the family {cls.__qualname__} is named {cls.name!r}, as the shipped "
                f"{shipped_names[cls.name].__qualname__}: give it a name of its own "
                f"(name = \"my_{cls.name}\"); its operations take over the shipped ones")
        found.append(cls)
    return tuple(found)


def served(cls: type[Family]) -> dict[str, OperationMethod]:
    """The family's operations the installed botocore model has: an older botocore (the
    floor pyproject declares) lacks newer operations, which are then simply not served."""
    names = model.operation_names()
    return {op: fn for op, fn in cls.operations.items() if op in names}


Handler = Callable[[AccountRegion, dict], object]


def operation_table(family_classes: Iterable[type[Family]]) -> dict[str, Handler]:
    """Operation name -> handler(region, params), for every operation the families serve. A
    family of the user's own takes over an operation a shipped family simulates (to change how
    it behaves); two of the user's own that simulate one operation are refused."""
    table: dict[str, Handler] = {}
    owner: dict[str, type[Family]] = {}
    for cls in family_classes:
        for op, method in served(cls).items():
            taken = owner.get(op)
            if taken is not None and taken not in SHIPPED_FAMILIES:
                raise ValueError(f"{cls.__name__} and {taken.__name__} both simulate {op}")
            owner[op] = cls
            table[op] = _handler(cls.name, method)
    return table


def _handler(family_name: str, method: OperationMethod) -> Handler:
    def handle(region: AccountRegion, params: dict):
        return method(region.families[family_name], params)
    return handle


def lifecycle_specs(family_classes: Iterable[type[Family]]) -> list[LifecycleSpec]:
    """The lifecycles of every family that serves an operation with the installed model,
    in the families' order (a family the model lacks may not even be able to build its
    specs: they read its enums)."""
    return [spec for cls in family_classes if served(cls) for spec in cls.lifecycles()]
