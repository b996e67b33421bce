"""The service: one entry point from an HTTP request to the HTTP response AWS would send.

It knows nothing of proxies or cassettes. Every door (in-process botocore,
the HTTP endpoint, the mitmproxy addon) hands it an HttpRequest.
"""

from __future__ import annotations

import email.utils
import functools
import json
import os
import threading
import time
from collections.abc import Callable

from . import errors, model, sigv4, validation
from .adoption import adopt as adopt_into
from .arns import account_region_in
from .auth import caller_of
from .clock import Clock, make_clock
from .errors import ServiceError
from .faults import AWS_RATE_LIMITS, Faults, RateLimiter
from .ids import IdFactory
from .lifecycle import Lifecycles
from .operations import load_all
from .persistence import StateFile
from .projection import project_output
from .region import DEFAULT_QUOTAS, AccountRegion
from .registration_desk import RegistrationDesk
from .snapshot import export_state, import_state
from .timings import learn_durations
from .wire import HttpRequest, HttpResponse, json_response, operation_from_target

DEFAULT_ACCOUNT = "123456789012"
AUDIT_ENV = "SMSVOICE_SIM_AUDIT_LOG"


class Simulator:
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
                 timings_from=None, state_file: str | None = None, registration_catalogue=None):
        self.clock = make_clock(clock)
        self.seed = seed
        self.accounts = dict(accounts or {})
        # With verify_sigv4, only these access keys (id -> secret) are accepted.
        self.credentials = dict(credentials or {})
        self.verify_sigv4 = verify_sigv4
        self.default_account = default_account
        self._adopted_account: str | None = None
        self.durations = dict(durations or {})
        if timings_from is not None:
            # Durations learned from a recording, e.g. how long a pool stayed CREATING;
            # explicit `durations` still win.
            self.durations = {**learn_durations(timings_from), **self.durations}
        self.faults = Faults(seed)
        limits = AWS_RATE_LIMITS if rate_limits is True else (rate_limits or {})
        self.rate_limiter = RateLimiter(limits)
        self.quotas = {**DEFAULT_QUOTAS, **(quotas or {})}
        self.audit_log = audit_log or os.environ.get(AUDIT_ENV)
        self.handlers = load_all()
        self.listeners: list[Callable[[str, HttpRequest, HttpResponse], None]] = []
        self._lock = threading.RLock()
        self.state_file = StateFile(state_file) if state_file else None
        # Registration forms (the seed catalogue plus `registration_catalogue`: a JSON path,
        # document or list of them), the simulated reviewer and its status events.
        self.registrations = RegistrationDesk(self, registration_catalogue)
        self._forget_everything()
        saved = self.state_file.load() if self.state_file is not None else None
        if saved is not None:
            import_state(self, saved)

    # -- state ------------------------------------------------------------------
    def reset(self) -> None:
        """Forget every resource; ids start again from the seed."""
        with self._lock:
            self._forget_everything()
            self._save()

    def _forget_everything(self) -> None:
        self.ids = IdFactory(self.seed)
        self.lifecycles = Lifecycles(self.clock, self.durations)
        self.lifecycles.on_gone = self._forget
        self.partitions: dict[tuple[str, str], AccountRegion] = {}
        self.registrations.reset()

    def _save(self) -> None:
        if self.state_file is not None:
            self.state_file.save(export_state(self))

    def _forget(self, resource) -> None:
        for part in self.partitions.values():
            if part.pools.get(getattr(resource, "pool_id", None)) is resource:
                del part.pools[resource.pool_id]

    def account_of(self, access_key_id: str) -> str:
        return self.accounts.get(access_key_id, self.default_account)

    def partition(self, account: str, region: str) -> AccountRegion:
        key = (account, region)
        part = self.partitions.get(key)
        if part is None:
            part = AccountRegion(account, region, self.ids, self.lifecycles, self.quotas,
                             created=self.clock.now())
            part.registrations.desk = self.registrations
            self.partitions[key] = part
        return part

    def advance(self, seconds: float) -> float:
        """Advance the clock and apply every transition that fell due."""
        with self._lock:
            now = self.clock.advance(seconds)
            self.lifecycles.settle(now)
            self._save()
            return now

    def force_transition(self, resource_id: str) -> str:
        """Fire a resource's pending automatic step now (e.g. CREATING -> ACTIVE); returns
        the state it is in afterwards."""
        with self._lock:
            self.lifecycles.settle()
            for part in self.partitions.values():
                resource = part.pools.get(resource_id) or part.phones.get(resource_id)
                if resource is not None:
                    self.lifecycles.force(resource)
                    self._save()
                    return resource.state
        raise KeyError(f"no pool or phone number {resource_id}")

    def adopt(self, operation: str, request_body: bytes, status: int, response_body: bytes) -> None:
        """Take on the resources a recorded (replayed) response shows: replay, then simulate.
        The first recorded account becomes the default account, unless accounts are mapped."""
        if status != 200 or not operation:
            return
        try:
            body = json.loads(response_body or b"{}")
            params = json.loads(request_body or b"{}")
        except ValueError:
            return
        where = account_region_in(body)
        if where is None or not isinstance(body, dict):
            return
        with self._lock:
            if not self.accounts and not self._adopted_account:
                self.default_account = self._adopted_account = where[0]
            self.lifecycles.settle()
            adopt_into(self.partition(*where), operation, params if isinstance(params, dict) else {},
                       body)
            self._save()

    def sent_messages(self, account: str | None = None, region: str | None = None) -> list[dict]:
        """Every message the service 'sent' (nothing leaves the machine), oldest first."""
        with self._lock:
            return [dict(m) for (acct, reg), part in self.partitions.items()
                    if account in (None, acct) and region in (None, reg)
                    for m in part.sent_messages]

    def registration_events(self, registration_id: str | None = None) -> list[dict]:
        """Registration Status Change events, EventBridge-shaped, oldest first."""
        return self.registrations.events(registration_id)

    def state(self) -> dict:
        """A JSON view of every resource, per account and region."""
        with self._lock:
            self.lifecycles.settle()
            view = {"clock": self.clock.describe(), "accounts": {}}
            for (account, region), part in sorted(self.partitions.items()):
                view["accounts"].setdefault(account, {})[region] = {
                    "pools": [{**p.info(), "OriginationIdentities": [m.identity for m in p.members],
                               "Tags": dict(p.tags)} for p in part.pools.values()],
                    "phone_numbers": [p.info() for p in part.phones.values()],
                    "sender_ids": [{**s.info(), "PoolIds": sorted(s.pool_ids)}
                                   for s in part.sender_ids.values()],
                    **{k: v for family in part.families.values() for k, v in family.view().items()},
                    "sent_messages": list(part.sent_messages),
                }
            return view

    # -- the wire ---------------------------------------------------------------
    def handle(self, request: HttpRequest) -> HttpResponse:
        with self._lock:
            request_id = self.ids.request_id()
            self._delay = 0.0
            operation = operation_from_target(request.header("x-amz-target"), model.target_prefix())
            try:
                status, payload = 200, self._dispatch(request, operation)
            except ServiceError as err:
                status, payload = err.status, err.body()
            except Exception as exc:  # noqa: BLE001 - a bug must still answer like AWS
                err = ServiceError("InternalServerException", f"smsvoice-sim bug: {exc!r}",
                                   RequestId=request_id)
                status, payload = err.status, err.body()
            headers = {"x-amzn-RequestId": request_id, "Date": _http_date()}
            if status != 200:
                headers["x-amzn-ErrorType"] = payload["__type"]
            response = json_response(status, payload, headers)
            response.delay = self._delay
            self._save()
            self._observe(operation or "", request, response)
            return response

    def _dispatch(self, request: HttpRequest, operation: str | None) -> dict:
        caller = caller_of(request.header("authorization"))
        if self.verify_sigv4:
            sigv4.verify(request, caller, self.credentials)
        if operation is None or operation not in model.operation_names():
            raise ServiceError("UnknownOperationException",
                               f"Unknown operation {request.header('x-amz-target')!r}")
        params = _parse_body(request.body)
        validation.validate(operation, params)
        handler = self.handlers.get(operation)
        if handler is None:
            raise errors.validation(
                "UNKNOWN_OPERATION",
                f"{operation} exists in AWS End User Messaging SMS and Voice v2 but "
                "smsvoice-sim does not simulate it.")
        part = self.partition(self.account_of(caller.access_key_id), caller.region)
        self.lifecycles.settle()
        fault, self._delay = self.faults.draw(operation)
        if fault is not None:
            raise fault
        self.rate_limiter.check(part.account, part.region, operation, self.clock.now())
        tokens = model.idempotency_token_members(operation)
        token = next((params[t] for t in tokens if t in params), None)
        fingerprint = ""
        if token is not None:
            fingerprint = json.dumps({k: v for k, v in params.items() if k not in tokens},
                                     sort_keys=True)
            seen = part.remembered(operation, token)
            if seen is not None:
                if seen[0] != fingerprint:
                    raise ServiceError(
                        "ConflictException",
                        f"ClientToken {token} was already used with different parameters.")
                return seen[1]
        result = project_output(operation, handler(part, params))
        if token is not None:
            part.remember(operation, token, fingerprint, result)
        return result

    def _observe(self, operation: str, request: HttpRequest, response: HttpResponse) -> None:
        for listener in self.listeners:
            listener(operation, request, response)
        if self.audit_log:
            line = json.dumps({"operation": operation, "status": response.status,
                               "body": response.json()})
            with open(self.audit_log, "a", encoding="utf-8") as fh:
                fh.write(line + "\n")

    # -- doors ------------------------------------------------------------------
    def client(self, region_name: str = "us-east-1", short_circuit: bool = False, **kwargs):
        """A real boto3 `pinpoint-sms-voice-v2` client answered in-process.

        `short_circuit=True` answers where botocore's Stubber does (no signing, no
        retries: several times cheaper); it is ignored when signatures are verified."""
        from .inprocess import inprocess_client
        return inprocess_client(self.handle, region_name=region_name,
                                short_circuit=short_circuit and not self.verify_sigv4, **kwargs)


@functools.lru_cache(maxsize=2)
def _http_date_at(second: int) -> str:
    return email.utils.formatdate(second, usegmt=True)


def _http_date() -> str:
    return _http_date_at(int(time.time()))


def _parse_body(body: bytes) -> dict:
    if not body:
        return {}
    try:
        params = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise errors.serialization(f"The request body is not valid JSON: {exc}") from None
    except RecursionError:
        raise errors.serialization("The request body nests too deeply.") from None
    if not isinstance(params, dict):
        raise errors.serialization("The request body must be a JSON object.")
    return params
