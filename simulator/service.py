"""The Simulator: a thin facade over the state (accounts × regions × families),
the request pipeline and the control surface.

It knows nothing of proxies or cassettes. Every door (in-process botocore,
the HTTP endpoint, the mitmproxy addon) hands `handle` an HttpRequest.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable

from .control.gates import GatesControl, GateSettings
from .control.surface import ControlSurface, LockedFaults
from .engine.clock import Clock, make_clock
from .engine.faults import AWS_RATE_LIMITS, Faults, RateLimiter
from .engine.persistence import StateFile
from .engine.region import AccountRegion, Shared, quota_table
from .engine.snapshot import export_state, import_state
from .engine.state import State
from .engine.timings import learn_durations
from .families import load_all
from .families.messages import DEFAULT_SENT_LOG
from .gates.sandbox import DEFAULT_TIER
from .messaging.hub import Messaging
from .pipeline import Pipeline
from .registrations.desk import RegistrationDesk
from .wire import regions
from .wire.http import HttpRequest, HttpResponse

DEFAULT_ACCOUNT = "123456789012"
AUDIT_ENV = "SMSVOICE_SIM_AUDIT_LOG"


class Simulator(ControlSurface, GatesControl):
    """AWS End User Messaging SMS and Voice v2, simulated in memory.

    >>> sim = Simulator(clock="manual", seed=7)
    >>> client = sim.client(region_name="us-east-1")
    >>> sim.clock.advance(10)
    """

    def __init__(self, clock: str | Clock = "manual", seed: int | None = None,
                 accounts: dict[str, str] | None = None, default_account: str = DEFAULT_ACCOUNT,
                 durations: dict[str, float] | None = None, quotas: dict[str, int] | None = None,
                 audit_log: str | None = None, credentials: dict[str, str] | None = None,
                 verify_sigv4: bool = False, rate_limits: bool | dict[str, float] = False,
                 timings_from=None, state_file: str | None = None,
                 sent_log_limit: int = DEFAULT_SENT_LOG,
                 events_endpoint_url: str | None = None, allow_real_aws_events: bool = False,
                 account_tier: str = DEFAULT_TIER, registration_catalogue=None,
                 extra_regions: Iterable[str] = ()):
        self.clock = make_clock(clock)
        # Regions answered beside the ones botocore lists for the service (wire/regions.py).
        self.extra_regions = regions.extra_regions(extra_regions)
        self.handlers = load_all()  # first: the families register their lifecycles
        self.seed = seed
        self.accounts = dict(accounts or {})
        # With verify_sigv4, only these access keys (id -> secret) are accepted.
        self.credentials = dict(credentials or {})
        self.verify_sigv4 = verify_sigv4
        self.default_account = default_account
        self._adopted_account: str | None = None
        durations = dict(durations or {})
        if timings_from is not None:
            # Durations learned from a recording, e.g. how long a pool stayed CREATING;
            # explicit `durations` still win.
            durations = {**learn_durations(timings_from), **durations}
        self.lock = threading.RLock()
        self.faults = LockedFaults(Faults(seed), self.lock)
        self._rate_limits = AWS_RATE_LIMITS if rate_limits is True else (rate_limits or {})
        self.rate_limiter = self.make_rate_limiter()
        # Outcome rules, the event log and delivery to event destinations (messaging.py):
        # shared by every account and region, kept across reset as faults' settings are.
        self.messaging = Messaging(seed, events_endpoint_url, allow_real_aws_events)
        self.gate_settings = GateSettings(account_tier)  # account tiers, code lifetime (kept on reset)
        self.audit_log = audit_log or os.environ.get(AUDIT_ENV)
        self.listeners: list[Callable[[str, HttpRequest, HttpResponse], None]] = []
        # Registration forms (the seed catalogue plus `registration_catalogue`: a JSON path,
        # document or list of them), the simulated reviewer and its status events.
        self.registrations = RegistrationDesk(self, registration_catalogue)
        shared = Shared(messaging=self.messaging, gate_settings=self.gate_settings,
                        registrations=self.registrations, sent_log_limit=sent_log_limit)
        self.state_registry = State(self.clock, seed, durations, quota_table(quotas),
                                    shared)
        self.pipeline = Pipeline(self)
        self.state_file = StateFile(state_file) if state_file else None
        saved = self.state_file.load() if self.state_file is not None else None
        if saved is not None:
            import_state(self, saved)

    # -- what the state holds ------------------------------------------------------
    @property
    def ids(self):
        return self.state_registry.ids

    @property
    def lifecycles(self):
        return self.state_registry.lifecycles

    @property
    def quotas(self) -> dict[str, int]:
        return self.state_registry.quotas

    @property
    def durations(self) -> dict[str, float]:
        return self.state_registry.durations

    @property
    def regions(self) -> dict[tuple[str, str], AccountRegion]:
        return self.state_registry.regions

    def region(self, account: str, region: str) -> AccountRegion:
        return self.state_registry.region(account, region)

    def account_of(self, access_key_id: str) -> str:
        return self.accounts.get(access_key_id, self.default_account)

    def make_rate_limiter(self) -> RateLimiter:
        return RateLimiter(self._rate_limits)

    def save(self) -> None:
        """Write the whole state to `--state` (after a change, never after a read)."""
        if self.state_file is not None:
            self.state_file.save(export_state(self))

    def close(self) -> None:
        """Let go of the `--state` file: close it and release its lock, so another process
        may use it. Every change was saved as it happened; from now on the simulator
        still answers, from memory only. Closing twice is harmless."""
        with self.lock:
            if self.state_file is not None:
                self.state_file.close()
                self.state_file = None

    def __enter__(self) -> Simulator:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # -- doors ------------------------------------------------------------------
    def handle(self, request: HttpRequest) -> HttpResponse:
        return self.pipeline.handle(request)

    def client(self, region_name: str = "us-east-1", short_circuit: bool = False, **kwargs):
        """A real boto3 `pinpoint-sms-voice-v2` client answered in-process.

        `short_circuit=True` answers where botocore's Stubber does (no signing, no
        retries: several times cheaper); it is ignored when signatures are verified."""
        from .inprocess import inprocess_client
        return inprocess_client(self.handle, region_name=region_name,
                                short_circuit=short_circuit and not self.verify_sigv4, **kwargs)
