"""The Simulator: a thin facade over the state (accounts × regions × families),
the request pipeline and the control surface.

It knows nothing of proxies or cassettes. Every door (in-process botocore,
the HTTP endpoint, the mitmproxy addon) hands `handle` an HttpRequest. It is built
from one `Settings` value, and hands each part what that part uses.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import sqlite3
import threading

from .account import (
    SHIPPED_FAMILIES,
    AccountRegion,
    Handler,
    Shared,
    families_of,
    lifecycle_specs,
    operation_table,
)
from .control.reviews import Reviews
from .control.surface import ControlSurface, LockedFaults
from .engine.clock import make_clock
from .engine.faults import AWS_RATE_LIMITS, Faults, RateLimiter
from .engine.lifecycle import Lifecycled
from .engine.persistence import StateFile, StateWriter
from .engine.quotas import quota_table
from .engine.snapshot import SavedRows, import_state, row_resolver, stage_changes
from .engine.state import State
from .engine.timings import learn_durations
from .gates.settings import GateSettings
from .messaging.hub import Messaging
from .pipeline import READ_PREFIXES, Answer, Audit, Authenticator, Pipeline
from .registrations.desk import RegistrationDesk
from .settings import DEFAULT_ACCOUNT, Settings
from .wire import regions
from .wire.errors import ServiceError
from .wire.http import HttpRequest, HttpResponse

AUDIT_ENV = "SMSVOICE_SIM_AUDIT_LOG"
log = logging.getLogger("smsvoice_sim.simulator")
__all__ = ["AUDIT_ENV", "DEFAULT_ACCOUNT", "Settings", "Simulator"]


class Simulator(ControlSurface):
    """AWS End User Messaging SMS and Voice v2, simulated in memory.

    >>> sim = Simulator(clock="manual", seed=7)
    >>> client = sim.client(region_name="us-east-1")
    >>> sim.clock.advance(10)
    """

    def __init__(self, settings: Settings | None = None, /, **options):
        settings = dataclasses.replace(settings or Settings(), **options)
        self.settings = settings
        self.clock = make_clock(settings.clock)
        self.seed = settings.seed
        self.accounts = dict(settings.accounts)
        self.default_account = settings.default_account
        # Regions answered beside the ones botocore lists for the service (wire/regions.py).
        self.extra_regions = regions.extra_regions(settings.extra_regions)
        self._adopted_account: str | None = None
        self.lock = threading.RLock()
        self.faults = LockedFaults(Faults(settings.seed), self.lock)
        rates = AWS_RATE_LIMITS if settings.rate_limits is True else dict(settings.rate_limits or {})
        self.rate_limiter = RateLimiter(rates)
        # Outcome rules, the event log and delivery to event destinations: shared by every
        # account and region, kept across reset as faults' settings are.
        self.messaging = Messaging(settings.seed, settings.events_endpoint_url,
                                   settings.allow_real_aws_events)
        self.gate_settings = GateSettings(settings.account_tier)  # kept on reset
        families = families_of(settings.families)
        handlers = operation_table(families)
        specs = lifecycle_specs(families)
        desk = RegistrationDesk(settings.registration_catalogue, self.messaging.log,
                                event_bus=self.messaging.publish_to_event_bus,
                                strict_submit=settings.strict_registration_submit,
                                inherit_values=settings.registration_versions_inherit)
        self.shared = Shared(messaging=self.messaging, gate_settings=self.gate_settings,
                             registrations=desk, sent_log_limit=settings.sent_log_limit,
                             publish_answered_keywords=settings.publish_answered_keywords,
                             save_change=self._save_change,
                             extra_families=families[len(SHIPPED_FAMILIES):])
        durations = dict(settings.durations)
        if settings.timings_from is not None:
            # Durations learned from a recording, e.g. how long a pool stayed CREATING;
            # explicit `durations` still win.
            durations = {**learn_durations(settings.timings_from, specs), **durations}
        self.state_registry: State[AccountRegion] = State(
            self.clock, settings.seed, durations, quota_table(dict(settings.quotas)), specs,
            self._new_region, self._gone)
        self.handlers = {op: self._marking(op, handler) for op, handler in handlers.items()}
        self.messaging.attach(self.lifecycles)
        self.registrations = Reviews(desk, self.lock, lambda: self.lifecycles.settle(),
                                     lambda: list(self.regions.values()), self.clock.now, self.save)
        self.audit = Audit(settings.audit_log or os.environ.get(AUDIT_ENV))
        auth = Authenticator(self.clock, settings.verify_sigv4, dict(settings.credentials),
                             self.account_of, self.extra_regions)
        self.pipeline = Pipeline(lock=self.lock, state=self.state_registry, handlers=self.handlers,
                                 auth=auth, faults=self.faults, rate_limiter=self.rate_limiter,
                                 save=self._stage_request, audit=self.audit)
        self._staged_here = threading.local()  # the batch this thread's request staged
        self.state_file = StateFile(settings.state_file) if settings.state_file else None
        if self.state_file is not None:
            self._open_state(self.state_file)

    def _open_state(self, state_file: StateFile) -> None:
        """Load what the file holds and write from now on; a file that cannot be used is let
        go (its lock released, so another process may open it) before the error is raised."""
        try:
            saved = state_file.load()
            if saved is not None:
                import_state(self, saved)
            self._start_saving()
        except BaseException:
            state_file.close()
            self.state_file = None
            raise

    # -- how the state is made ---------------------------------------------------------
    def _new_region(self, account: str, region: str, state: State) -> AccountRegion:
        return AccountRegion(account, region, state.ids, state.lifecycles, state.quotas,
                             created=self.clock.now(), shared=self.shared, peers=state.regions,
                             changes=state.changes)

    def _gone(self, resource: Lifecycled) -> None:
        """A resource's lifecycle reached GONE: its family drops it."""
        for region in self.regions.values():
            region.family_of(resource).forget(resource)

    def _forget_everything(self) -> None:
        """Every resource, message in flight, event and registration machine gone."""
        self.state_registry.forget_everything()
        self.messaging.attach(self.lifecycles)
        self.shared.registrations.reset()

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

    @property
    def listeners(self):
        """Called with (operation, request, response) after every answered request."""
        return self.audit.listeners

    @property
    def verify_sigv4(self) -> bool:
        return self.settings.verify_sigv4

    def region(self, account: str, region: str) -> AccountRegion:
        return self.state_registry.region(account, region)

    def account_of(self, access_key_id: str) -> str:
        return self.accounts.get(access_key_id, self.default_account)

    # -- --state: what changed, written per change ---------------------------------------
    def _start_saving(self) -> None:
        """Mark what changes from now on (engine/changes.py) and write every row once: a
        new file gets its first rows, a file of the previous layout is rewritten as rows."""
        assert self.state_file is not None
        changes = self.state_registry.changes
        changes.resolve = row_resolver(self)
        changes.enabled = True
        changes.mark_everything()
        self._saved_rows = SavedRows(self.state_file.index)
        self._state_writer = StateWriter(self.state_file)
        self.save()

    def _marking(self, operation: str, handler: Handler) -> Handler:
        """A write operation's handler, marking what it looks up and returns for --state."""
        if operation.startswith(READ_PREFIXES):
            return handler
        changes = self.state_registry.changes

        def handle(region: AccountRegion, params: dict):
            changes.writing = True
            try:
                result = handler(region, params)
            finally:
                changes.writing = False
            changes.mark_result(result)  # found where its ARN says: it may be shared
            return result
        return handle

    def _stage(self) -> int:
        """Queue the rows that changed (under the lock); the batch's number, 0 for none."""
        if self.state_file is None:
            return 0
        return self._state_writer.stage(stage_changes(self, self._saved_rows))

    def _stage_request(self) -> None:
        """The pipeline's save, under the lock: the rows are written once the lock is
        released, before the request is answered (`answer`). A row a family cannot make (a
        bug) is logged; the answer says the change is not on disk (it is written with the
        next save, which compares every row)."""
        try:
            self._staged_here.ticket = self._stage()
        except Exception as exc:  # noqa: BLE001 - a family's bug: told, logged, not a crash
            log.exception("smsvoice-sim bug: could not make the --state rows of a change")
            self._staged_here.ticket, self._staged_here.failed = 0, exc

    def _save_change(self, change) -> None:
        """A change from outside any request (a delivery thread's outcome), under the lock,
        saved."""
        with self.lock:
            change()
            self.save()

    def save(self) -> None:
        """Write what changed to `--state` (after a change, never after a read): the rows of
        the resources that changed, in one transaction."""
        ticket = self._stage()
        if ticket:
            self._state_writer.flush(ticket)

    def close(self) -> None:
        """Let go of the `--state` file: close it and release its lock, so another process
        may use it. Every change was saved as it happened; from now on the simulator
        still answers, from memory only. Closing twice is harmless."""
        with self.lock:
            if self.state_file is not None:
                try:
                    # What changed outside a write (the clock, moves it settled on a read, counted
                    # reads) is marked but not yet queued: queued now, then everything written.
                    self._stage()
                    self._state_writer.flush()
                finally:
                    self.state_registry.changes.enabled = False
                    self.state_file.close()
                    self.state_file = None

    def __enter__(self) -> Simulator:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # -- doors ------------------------------------------------------------------
    def handle(self, request: HttpRequest) -> HttpResponse:
        return self.answer(request).wire()

    def answer(self, request: HttpRequest) -> Answer:
        """The answer to `request` before it is bytes (the short-circuit door hands its
        payload to botocore as Python objects); what it changed is on disk when it returns."""
        answer = self.pipeline.run(request)
        ticket, self._staged_here.ticket = getattr(self._staged_here, "ticket", 0), 0
        failed, self._staged_here.failed = getattr(self._staged_here, "failed", None), None
        if failed is not None:
            return self._not_saved(answer, failed)
        if ticket:
            try:
                self._state_writer.flush(ticket)  # outside the lock: reads go on meanwhile
            except (sqlite3.Error, OSError) as exc:
                return self._not_saved(answer, exc)
        return answer

    def _not_saved(self, answer: Answer, exc: Exception) -> Answer:
        """The change is made in memory but not on disk (a full disk): the client is told,
        never 200; the rows stay queued and are written with the next change that can be."""
        log.error("smsvoice-sim could not write --state %s: %s", self.settings.state_file, exc)
        err = ServiceError("InternalServerException",
                           f"smsvoice-sim made the change but could not write it to --state "
                           f"{self.settings.state_file} ({exc}); it is written with the next "
                           "change that can be")
        return Answer(answer.operation, err.status, err.body(), {
            "x-amzn-RequestId": answer.headers.get("x-amzn-RequestId", ""),
            "x-amzn-ErrorType": err.code}, answer.delay)

    def client(self, region_name: str = "us-east-1", short_circuit: bool = False, **kwargs):
        """A real boto3 `pinpoint-sms-voice-v2` client answered in-process.

        `short_circuit=True` answers where botocore's Stubber does (no signing, no
        retries: several times cheaper); it is ignored when signatures are verified."""
        from .inprocess import inprocess_client
        return inprocess_client(self.handle, region_name=region_name,
                                short_circuit=short_circuit and not self.verify_sigv4,
                                answer_objects=self.answer, **kwargs)
