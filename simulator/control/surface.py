"""The control surface: clock, lifecycle steps, faults, outcomes, account tiers, verification
codes, protect filters, inbound messages and metrics, reset, adoption of recorded resources
and the state view. Python callers and the HTTP control API (`/_smsvoice/...`,
control/routes.py) use these same methods; each takes the simulator's lock, as requests do.

`ControlSurface` is one of Simulator's bases; the attributes it declares are the Simulator's.
"""

from __future__ import annotations

import base64
import itertools
import json
import threading
from typing import TYPE_CHECKING

from ..engine.arns import account_region_in
from ..engine.clock import Clock
from ..engine.faults import Fault, Faults, RateLimiter
from ..engine.lifecycle import Lifecycled, Lifecycles
from ..engine.state import State
from ..families.inbound import receiver_kind
from ..gates.protect_rules import FilterRule
from ..gates.settings import GateSettings
from ..messaging.hub import EventTicker, Messaging, entry_as
from ..messaging.inbound import InboundNotFound, check_body, check_handset
from ..wire import regions as served
from ..wire.errors import ServiceError

if TYPE_CHECKING:
    from ..account import AccountRegion
    from .reviews import Reviews
from ..wire.json_read import JsonRefused, read_json


class LockedFaults:
    """`sim.faults`: the injected faults, changed under the simulator's lock."""

    def __init__(self, faults: Faults, lock):
        self._faults = faults
        self._lock = lock

    @property
    def rules(self) -> list[Fault]:
        return self._faults.rules

    def add(self, operation_name: str, *args, **kwargs) -> Fault:
        with self._lock:
            return self._faults.add(operation_name, *args, **kwargs)

    def clear(self, operation_name: str | None = None) -> int:
        with self._lock:
            return self._faults.clear(operation_name)

    def describe(self) -> list[dict]:
        with self._lock:
            return self._faults.describe()

    def draw(self, operation_name: str):
        """Called by the pipeline, which already holds the lock."""
        return self._faults.draw(operation_name)


class ControlSurface:
    lock: threading.RLock
    clock: Clock
    state_registry: State[AccountRegion]
    faults: LockedFaults
    rate_limiter: RateLimiter
    messaging: Messaging
    gate_settings: GateSettings
    accounts: dict[str, str]
    default_account: str
    extra_regions: frozenset[str]
    _adopted_account: str | None

    registrations: Reviews

    # provided by the Simulator, read-only (its state registry holds them)
    @property
    def lifecycles(self) -> Lifecycles:
        raise NotImplementedError

    @property
    def regions(self) -> dict[tuple[str, str], AccountRegion]:
        raise NotImplementedError

    def region(self, account: str, region: str) -> AccountRegion:
        raise NotImplementedError

    def save(self) -> None:
        raise NotImplementedError

    def _forget_everything(self) -> None:
        raise NotImplementedError

    # -- the clock, lifecycles and reset ---------------------------------------------
    def reset(self) -> None:
        """Forget every resource, fault, outcome rule, sent message's event and rate-limit
        bucket; ids start again from the seed."""
        with self.lock:
            self._forget_everything()
            self.faults.clear()
            self.messaging.outcomes.clear()
            self.rate_limiter.reset()
            self.save()

    def advance(self, seconds: float) -> float:
        """Advance the clock and apply every transition that fell due. A number of seconds
        that is not finite, negative, or past any date is refused with ValueError. Returns
        once the delivery events it emitted were delivered, or delivery stopped progressing."""
        with self.lock:
            now = self.clock.advance(seconds)
            self.lifecycles.settle(now)
            self.save()
        self.messaging.flush()  # the events it emitted reach their destinations (bounded wait)
        return now

    def force_transition(self, resource_id: str) -> str:
        """Fire a resource's pending automatic step now (e.g. CREATING -> ACTIVE); returns
        the state it is in afterwards."""
        with self.lock:
            self.lifecycles.settle()
            resource = self._with_lifecycle(resource_id)
            self.lifecycles.force(resource)
            self.save()
            return resource.state

    def _with_lifecycle(self, resource_id: str) -> Lifecycled:
        """The pool or phone number (any resource with a lifecycle) of that id."""
        for region in self.regions.values():
            for family in region.families.values():
                found = family.by_id(resource_id)
                if isinstance(found, Lifecycled):
                    return found
        raise KeyError(f"no pool or phone number {resource_id}")

    # -- replay, then simulate --------------------------------------------------------
    def adopt(self, operation: str, request_body: bytes, status: int, response_body: bytes) -> None:
        """Take on the resources a recorded (replayed) response shows: replay, then simulate.
        Every family learns what it recognises (Family.learn_from). The first recorded account
        becomes the default account, unless accounts are mapped."""
        if status != 200 or not operation:
            return
        try:
            body = read_json(response_body or b"{}")  # a recording: read with explicit limits
            params = read_json(request_body or b"{}")
        except JsonRefused:
            return
        where = account_region_in(body)
        if where is None or not isinstance(body, dict):
            return
        with self.lock:
            if not self.accounts and not self._adopted_account:
                self.default_account = self._adopted_account = where[0]
            self.lifecycles.settle()
            region = self.region(*where)
            for family in region.families.values():
                family.learn_from(operation, params if isinstance(params, dict) else {}, body)
            self.state_registry.changes.mark_everything()  # what was learned: every row compared
            self.save()

    # -- what was sent, and the state ------------------------------------------------
    def sent_messages(self, account: str | None = None, region: str | None = None) -> list[dict]:
        """Every message the service 'sent' (nothing leaves the machine), oldest first; the
        newest `sent_log_limit` per account and region."""
        with self.lock:
            return [m for (acct, reg), found in self.regions.items()
                    if account in (None, acct) and region in (None, reg)
                    for m in found.sent_log.as_dicts()]

    def registration_events(self, registration_id: str | None = None) -> list[dict]:
        """Registration Status Change events, EventBridge-shaped, oldest first."""
        return self.registrations.events(registration_id)

    def state(self, max_results: int | None = None, next_token: str | None = None) -> dict:
        """A JSON view of every resource, per account and region: whole, in one hold of the
        lock. With `max_results`, one page of at most that many resources, in one short hold:
        each account-region and member it reached (concatenate the pages' lists for the whole
        view) and `NextToken` while more follow. Pages are not one snapshot: what changes
        between two pages shows as AWS's List calls show it (in one, both or neither)."""
        if max_results is not None and (isinstance(max_results, bool) or not isinstance(
                max_results, int) or max_results < 1):
            raise ValueError(f"max_results must be a whole number >= 1, not {max_results!r}")
        after = _state_cursor(next_token) if next_token is not None else None
        with self.lock:
            self.lifecycles.settle()
            return self._state_page(max_results, after)

    def _state_page(self, limit: int | None, after: tuple | None) -> dict:
        view: dict = {"clock": self.clock.describe(), "accounts": {}}
        left = limit
        for (account, name), region in sorted(self.regions.items()):
            for f_index, family in enumerate(region.families.values()):
                for m_index, (member, (items, row)) in enumerate(_view_members(family).items()):
                    place = (account, name, f_index, m_index)
                    if after is not None and place < after[0]:
                        continue
                    offset = after[1] if after is not None and place == after[0] else 0
                    taken = list(items) if left is None else list(
                        itertools.islice(items, offset, offset + left))
                    entries = [e for e in map(row, taken) if e is not None]
                    view["accounts"].setdefault(account, {}).setdefault(name, {}).setdefault(
                        member, []).extend(entries)
                    if left is not None:
                        left -= len(taken)
                        if left == 0:
                            view["NextToken"] = _state_token(place, offset + len(taken))
                            return view
        return view

    # -- the other direction: inbound messages, metrics ----------------------------------------
    def receive(self, from_: str, to: str, body: str, previous_published_message_id: str | None = None,
                account: str | None = None, region: str | None = None) -> dict:
        """A handset (`from_`, E.164) texts `to` (one of the account's numbers — E.164, id or
        ARN — or an RCS agent's id or ARN): its keyword acts (opt-out lists, the response sent
        back), and with two-way on its payload goes to the two-way SNS topic. Returns the
        inbound record once its deliveries landed (a bounded wait, as `advance`).

        The account and region are the ones that have `to` (give them when several do).
        ValueError (400) for what cannot be received (a malformed number, a sender ID, an empty
        or oversized body), KeyError (404) for a number no account here has, ServiceError
        (409) for one that cannot receive now (a PENDING number; an RCS agent not launched in
        the handset's country: ValidationException COUNTRY_NOT_ENABLED)."""
        check_handset(from_)
        kind = receiver_kind(to)
        check_body(body, "RCS" if kind == "rcs" else "SMS")
        with self.lock:
            self.lifecycles.settle()
            record = self._receiving_region(to, account, region).receive(
                from_, to, body, previous_published_message_id)
            self.save()
        self.messaging.flush()  # its publish and metrics reach their destinations (bounded)
        with self.lock:
            return record.as_dict()

    def _receiving_region(self, to: str, account: str | None, region: str | None) -> AccountRegion:
        found = [backend for (acct, reg), backend in self.regions.items()
                 if account in (None, acct) and region in (None, reg) and backend.inbound.owns(to)]
        if len(found) > 1:
            raise ValueError(f"{to} is in {len(found)} accounts or regions of this simulator: "
                             "give account and region")
        if not found:
            where = " ".join(filter(None, (f"account {account}" if account else None,
                                           f"region {region}" if region else None)))
            raise InboundNotFound(f"{to} is not a number or RCS agent of "
                                  f"{where or 'any account of this simulator'}")
        return found[0]

    def inbound(self, destination: str | None = None, origination: str | None = None,
                keyword: str | None = None, account: str | None = None,
                region: str | None = None) -> list[dict]:
        """Every inbound message received (the newest 1,000 per account and region, saved
        with `--state`), oldest first. `destination`: the number, agent or pool id;
        `origination`: the handset; `keyword`: the keyword matched (`NONE`: none)."""
        with self.lock:
            found = [record for (acct, reg), backend in self.regions.items()
                     if account in (None, acct) and region in (None, reg)
                     for record in backend.inbound.log.query(destination, origination, keyword)]
            return [r.as_dict() for r in sorted(found, key=lambda r: r.timestamp)]

    def metrics(self, name: str | None = None, account: str | None = None,
                region: str | None = None) -> list[dict]:
        """The service's CloudWatch metrics (namespace AWS/SMSVoice) since the start or the
        last reset: per metric and dimensions, SampleCount, Sum, Minimum, Maximum."""
        with self.lock:
            self.lifecycles.settle()
        return self.messaging.metrics.view(name, account, region)

    # -- sent messages: outcomes and events ----------------------------------------------
    def events(self, message_id: str | None = None, destination: str | None = None,
               event_type: str | None = None, configuration_set: str | None = None,
               eventbridge: bool = False) -> list[dict]:
        """Every delivery event emitted so far, oldest first, as AWS's event records (or as
        EventBridge envelopes). `destination` may end in `*`; `event_type` may be a group
        (`TEXT_ALL`)."""
        with self.lock:
            self.lifecycles.settle()
            found = self.messaging.log.query(message_id, destination, event_type, configuration_set)
        return [entry_as(e, eventbridge) for e in found]

    def set_outcome(self, destination: str, outcome: str, share: float = 1.0) -> dict:
        """Messages sent from now on to `destination` (an E.164 number; `*` any digits, `.`
        or `?` one digit) end in `outcome` (e.g. `TEXT_BLOCKED`, `VOICE_BUSY`, `WITHHELD`);
        with `share` < 1, that share of them (seeded). ValueError for a rule that means nothing."""
        with self.lock:
            return self.messaging.outcomes.set(destination, outcome, share).as_dict()

    def clear_outcomes(self) -> None:
        with self.lock:
            self.messaging.outcomes.clear()

    def start_event_ticker(self, interval: float = 0.05) -> EventTicker:
        """With a clock that moves by itself (real, instant), events fall due while nobody
        calls the simulator; a ticker settles every `interval` seconds so they reach their
        destinations on time. `stop()` it (or use it as a context manager)."""
        return EventTicker(self.lock, lambda: self.lifecycles.settle(), interval).start()

    # -- the send gates: account tiers, verification codes, protect filters -------------
    def set_account_tier(self, tier: str, account: str | None = None,
                         region: str | None = None) -> None:
        """`SANDBOX` or `PRODUCTION` for an account (default: the default account), in one
        region or (region=None) in every region."""
        self._check_place(account, region)
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
        self._check_place(account, region)
        rule = FilterRule(destination, body)
        with self.lock:
            backend = self.region(account or self.default_account, region)
            backend.protect_configurations.filters.append(rule)
            self.save()

    def _check_place(self, account: str | None, region: str | None) -> None:
        """ValueError for an account or region no request could reach: a control call must
        not make an account-region the service itself would refuse (wire/regions.py)."""
        if account and not (len(account) == 12 and account.isascii()
                                        and account.isdigit()):
            raise ValueError(f"account must be 12 digits (an AWS account id), not {account[:40]!r}")
        if region is not None:
            try:
                served.check_region(region, self.extra_regions)
            except ServiceError as refused:
                raise ValueError(f"region {region[:64]!r} is not one this simulator answers in "
                                 "(the regions botocore lists for the service; allow another "
                                 "with extra_regions= / --region-allow)") from refused

    def clear_protect_filters(self) -> None:
        with self.lock:
            for backend in self.regions.values():
                backend.protect_configurations.filters.clear()
            self.save()


# -- the paged state view ----------------------------------------------------------------------
def _view_members(family) -> dict:
    """A family's view member by member (Family.view_rows), or its whole view as one slice."""
    return family.view_rows() or {name: (rows, _same) for name, rows in family.view().items()}


def _same(entry):
    return entry


def _state_token(place: tuple, offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps([*place, offset]).encode()).decode()


def _state_cursor(token: str) -> tuple:
    """Where a page ends: ((account, region, family index, member index), offset)."""
    try:
        # The caller's text: read with explicit limits (3,000 `[` would be a RecursionError).
        account, region, f_index, m_index, offset = read_json(base64.urlsafe_b64decode(token))
        if not (isinstance(account, str) and isinstance(region, str) and all(
                isinstance(n, int) and not isinstance(n, bool) and n >= 0
                for n in (f_index, m_index, offset))):
            raise ValueError
    except (ValueError, TypeError):
        raise ValueError(f"next_token {token[:80]!r} is not one a page of the state gave") from None
    return (account, region, f_index, m_index), offset
