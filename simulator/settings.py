"""Everything a Simulator is built from, in one value.

    Simulator(Settings(clock="manual", seed=7))   # or, the same:
    Simulator(clock="manual", seed=7)

Every field has the default a test wants; the CLI, the mitmproxy addon and the pytest plugin
build one from their own options.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .engine.clock import Clock
from .families import Family
from .gates.sandbox import DEFAULT_TIER
from .messaging.sent_log import DEFAULT_SENT_LOG

DEFAULT_ACCOUNT = "123456789012"


@dataclass(frozen=True)
class Settings:
    # Time: "manual" (moves when a test advances it), "real", "instant", "reads:N", or a Clock.
    clock: str | Clock = "manual"
    seed: int | None = None  # ids, outcome shares and faults drawn from it: a rerun is the same
    # Accounts: access key id -> account id; any other key calls as `default_account`.
    accounts: Mapping[str, str] = field(default_factory=dict)
    default_account: str = DEFAULT_ACCOUNT
    # Lifecycle step durations, "kind:STATE->STATE" -> seconds (`smsvoice-sim diagram` lists them),
    # and durations learned from a recording (a cassette's observations or such a mapping).
    durations: Mapping[str, float] = field(default_factory=dict)
    timings_from: Any = None
    quotas: Mapping[str, int] = field(default_factory=dict)  # engine/quotas.py's names
    account_tier: str = DEFAULT_TIER  # SANDBOX or PRODUCTION, for every account at first
    # Signatures: with verify_sigv4, only these access keys (id -> secret) are accepted.
    verify_sigv4: bool = False
    credentials: Mapping[str, str] = field(default_factory=dict)
    rate_limits: bool | Mapping[str, float] = False  # True: AWS's documented rates
    state_file: str | None = None  # `--state`: the whole state in SQLite, saved per change
    audit_log: str | None = None  # every response appended as JSON lines
    sent_log_limit: int = DEFAULT_SENT_LOG  # sent messages kept per account and region
    # Delivery events leave the machine only for this endpoint (a local AWS stand-in).
    events_endpoint_url: str | None = None
    allow_real_aws_events: bool = False
    registration_catalogue: Any = None  # extra registration forms: a JSON path, document or list
    # Registrations where AWS and its model disagree (docs/reference/inference.md): AWS accepts a
    # submit with missing or disallowed fields and its review denies it; True refuses the submit
    # (ValidationException), as the model's text reads. AWS starts a new version empty; True
    # starts it from the previous version's answers.
    strict_registration_submit: bool = False
    registration_versions_inherit: bool = False
    # Inbound messages: also publish to the two-way channel the keywords the service answered
    # itself (HELP, STOP, the opt-out words, while AWS manages opt-outs). AWS does not say
    # whether it does; True keeps every inbound message visible to the program [inf].
    publish_answered_keywords: bool = True
    families: tuple[type[Family], ...] = ()  # families of your own, after the shipped ones
    # Regions answered beside the ones botocore lists for the service (wire/regions.py): any
    # other region's request is refused as AWS refuses a bad credential scope.
    extra_regions: tuple[str, ...] = ()
