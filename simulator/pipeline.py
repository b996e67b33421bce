"""The request pipeline, one small step each: parse → authenticate → validate →
faults and rate limits → dispatch → project → audit.

Every door hands `Pipeline.handle` an HttpRequest and gets back the HTTP response
AWS would send; the short-circuit door takes the `Answer` itself (`Pipeline.run`), whose
payload it hands botocore as Python objects. What touches the state runs under the
simulator's lock, so requests and the control surface (clock, faults, reset) never
interleave; what does not (who calls, reading and validating the body, the answer's bytes,
the audit) runs outside it, so concurrent requests queue for the lock only as long as the
state needs. The pipeline is handed the parts it uses; it does not know the Simulator.
"""

from __future__ import annotations

import email.utils
import functools
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .account import AccountRegion, Handler
from .engine.clock import Clock
from .engine.faults import RateLimiter
from .engine.state import State
from .wire import errors, model, regions, sigv4, validation
from .wire.auth import SigV4Authorization, caller_of
from .wire.coverage import COVERED_OPERATIONS
from .wire.errors import ServiceError
from .wire.http import HttpRequest, HttpResponse, json_response, operation_from_target
from .wire.json_read import JsonRefused, max_request_bytes, read_json
from .wire.parsed import check_parsed
from .wire.projection import project_output

log = logging.getLogger("smsvoice_sim.simulator")

# Operations that only read; any other that succeeds is saved to --state.
READ_PREFIXES = ("Describe", "List", "Get")


# A fingerprint of an idempotent request's parameters: json.dumps(sort_keys=True)'s very
# text (saved with the state), without building an encoder per request.
_fingerprint = json.JSONEncoder(sort_keys=True).encode


@functools.cache
def _target_prefix() -> str:
    return model.target_prefix()


@dataclass
class Call:
    """One request on its way through the pipeline."""

    request: HttpRequest
    operation: str | None
    request_id: str = ""  # drawn under the lock, as every id is
    caller: SigV4Authorization | None = None
    params: dict | None = None
    handler: Handler | None = None
    failed: Exception | None = None  # what the steps before the lock raised
    region: AccountRegion | None = None
    delay: float = 0.0  # injected latency, seconds

    @property
    def writes(self) -> bool:
        if not self.operation:
            return False
        return not self.operation.startswith(READ_PREFIXES)


@dataclass
class Answer:
    """A request's answer before it is bytes. The short-circuit door hands botocore the
    payload as Python objects (wire/parsed.py); every other door sends `wire()`, serialised
    once, when first asked."""

    operation: str | None
    status: int
    payload: dict
    headers: dict[str, str]
    delay: float = 0.0  # injected latency, seconds
    _wire: HttpResponse | None = field(default=None, repr=False)

    def wire(self) -> HttpResponse:
        if self._wire is None:
            response = json_response(self.status, self.payload, self.headers)
            response.delay = self.delay
            self._wire = response
        return self._wire


class Authenticator:
    """Who calls: the SigV4 Authorization header, the account its access key maps to, and
    (with `verify`) the signature itself, checked against the known secrets."""

    def __init__(self, clock: Clock, verify: bool, credentials: dict[str, str],
                 account_of: Callable[[str], str], extra_regions: frozenset[str] = frozenset()):
        self.clock = clock
        self.verify = verify
        self.credentials = credentials  # access key id -> secret, with verify
        self.account_of = account_of
        self.extra_regions = extra_regions  # answered beside the ones botocore lists (wire/regions.py)
        self._last: tuple[str | None, SigV4Authorization | None] = (None, None)

    def caller(self, request: HttpRequest) -> SigV4Authorization:
        header = request.header("authorization")
        last_header, caller = self._last  # one tuple, swapped whole: threads share it
        if header != last_header or caller is None:
            # An in-process client sends one header all day; a signing client a new one
            # per request, parsed as before.
            caller = caller_of(header)
            self._last = (header, caller)
        if self.verify:
            sigv4.verify(request, caller, self.credentials, now=sigv4.reference_time(self.clock))
        regions.check_region(caller.region, self.extra_regions)
        return caller


class Audit:
    """Who hears of every answered request: listeners (the CLI's clock hint, tests) and the
    audit log file (SMSVOICE_SIM_AUDIT_LOG: every response, for the conformance walk)."""

    def __init__(self, path: str | None):
        self.path = path
        self.listeners: list[Callable[[str, HttpRequest, HttpResponse], None]] = []
        self._file_lock = threading.Lock()  # one line at a time: requests end concurrently

    def tell(self, operation: str | None, request: HttpRequest, answer: Answer) -> None:
        """The request was answered (and the state changed): a listener that raises, or an
        audit file that cannot be written (a full disk, a closed stderr behind a hint), is
        logged and must not turn it into an error. Runs after the lock is let go."""
        if not self.listeners and not self.path:
            return  # nobody asked: the answer need not become bytes here
        response = answer.wire()
        for listener in self.listeners:
            try:
                listener(operation or "", request, response)
            except Exception:  # noqa: BLE001 - a bystander's bug; logged with its traceback
                log.exception("smsvoice-sim listener %r failed on %s", listener, operation)
        if self.path:
            self._append(self.path, operation, answer, response)

    def _append(self, path: str, operation: str | None, answer: Answer, response: HttpResponse) -> None:
        """The audit line; a 200's carries where the short-circuit door's Python objects
        differ from botocore's parse of these bytes (none, unless a bug), for the walk."""
        entry = {"operation": operation or "", "status": response.status, "body": response.json()}
        if response.status == 200 and operation:
            entry["parsed"] = check_parsed(operation, answer.payload, response.status,
                                           response.headers, response.body)
        line = json.dumps(entry)
        try:
            with self._file_lock, open(path, "a", encoding="utf-8") as fh:
                fh.write(line + "\n")
        except OSError as exc:
            log.warning("smsvoice-sim could not append to the audit log %s: %s", path, exc)


@dataclass(kw_only=True)
class Pipeline:
    """The steps, handed what they use: the lock every request and control call takes, the
    state, the operation table, who calls, the injected faults and rate limits, `save` (the
    `--state` file) and the audit."""

    lock: Any
    state: State[AccountRegion]
    handlers: dict[str, Handler]
    auth: Authenticator
    faults: Any  # LockedFaults: draw(operation) -> (fault or None, latency)
    rate_limiter: RateLimiter
    save: Callable[[], None]
    audit: Audit

    def handle(self, request: HttpRequest) -> HttpResponse:
        return self.run(request).wire()

    def run(self, request: HttpRequest) -> Answer:
        """The answer to `request`. Who calls and what it asks are read and checked before
        the lock; an error found there is answered under it like any other (it draws its
        request id in the same order as before)."""
        call = Call(request, operation_from_target(request.header("x-amz-target"), _target_prefix()))
        try:
            self.prepare(call)
        except Exception as exc:  # noqa: BLE001 - answered (or logged as a bug) under the lock
            call.failed = exc
        with self.lock:
            state = self.state
            call.request_id = state.ids.request_id()
            moves = state.lifecycles.moves
            status, payload = self.outcome(call)
            answer = self.respond(call, status, payload)
            if (status == 200 and call.writes) or state.lifecycles.moves != moves:
                self.save()
        self.audit.tell(call.operation, request, answer)
        return answer

    def outcome(self, call: Call) -> tuple[int, dict]:
        try:
            failed, call.failed = call.failed, None  # no cycle through its traceback
            if failed is not None:
                raise failed
            return 200, self.answer(call)
        except ServiceError as err:
            return err.status, err.body()
        except Exception as exc:  # noqa: BLE001 - a bug must still answer like AWS, and be seen
            log.exception("smsvoice-sim bug in %s", call.operation or "an unknown operation")
            bug = ServiceError("InternalServerException",
                               f"smsvoice-sim bug in {call.operation or 'an unknown operation'}: "
                               f"{exc!r}", RequestId=call.request_id)
            return bug.status, bug.body()

    # -- the steps -------------------------------------------------------------
    def prepare(self, call: Call) -> None:
        """Before the lock: who calls, the body, its validation, the operation's handler.
        None of it reads or changes the state."""
        call.caller = self.auth.caller(call.request)
        operation = self.parse(call)
        validation.validate(operation, call.params)
        call.handler = self.handlers.get(operation)
        if call.handler is None:
            newer = "" if operation in COVERED_OPERATIONS else (
                f" (it is newer than the {len(COVERED_OPERATIONS)} operations smsvoice-sim covers)")
            raise errors.validation(
                "UNKNOWN_OPERATION",
                f"{operation} exists in AWS End User Messaging SMS and Voice v2 but "
                f"smsvoice-sim does not simulate it{newer}.")

    def answer(self, call: Call) -> dict:
        """Under the lock: the account's region, the clock's due steps, faults, the operation."""
        assert call.operation is not None and call.handler is not None
        region = call.region = self.account_region_of(call)
        self.state.lifecycles.settle()
        self.inject(call, call.operation, region)
        return self.dispatch(call.operation, region, call.params or {}, call.handler)

    def account_region_of(self, call: Call) -> AccountRegion:
        """The caller's account-region; for a read, one that holds nothing yet is an empty
        view that is not stored (State.region_view): only writes create account-regions."""
        assert call.caller is not None
        account = self.auth.account_of(call.caller.access_key_id)
        if call.writes:
            return self.state.region(account, call.caller.region)
        return self.state.region_view(account, call.caller.region)

    def parse(self, call: Call) -> str:
        if call.operation is None or call.operation not in model.operation_names():
            raise ServiceError("UnknownOperationException",
                               f"Unknown operation {call.request.header('x-amz-target')!r}")
        call.params = parse_body(call.request.body)
        return call.operation

    def inject(self, call: Call, operation: str, region: AccountRegion) -> None:
        """Faults the user asked for, then AWS's rate limits."""
        fault, call.delay = self.faults.draw(operation)
        if fault is not None:
            raise fault
        self.rate_limiter.check(region.account, region.region, operation,
                                self.state.clock.now())

    def dispatch(self, operation: str, region: AccountRegion, params: dict, handler: Handler) -> dict:
        """Run the operation (or repeat what an idempotency token already got) and project
        its result onto the output shape."""
        tokens = model.idempotency_token_members(operation)
        token = next((params[t] for t in tokens if t in params), None)
        if token is None:
            result = project_output(operation, handler(region, params))
            self.state.lifecycles.after_read()  # the reads clock's steps, once the read is answered
            return result
        fingerprint = _fingerprint({k: v for k, v in params.items() if k not in tokens})
        seen = region.remembered(operation, token)
        if seen is not None:
            if seen[0] != fingerprint:
                raise ServiceError("ConflictException",
                                   f"ClientToken {token} was already used with different parameters.")
            return seen[1]
        result = project_output(operation, handler(region, params))
        region.remember(operation, token, fingerprint, result)
        return result

    def respond(self, call: Call, status: int, payload: dict) -> Answer:
        headers = {"x-amzn-RequestId": call.request_id, "Date": _http_date()}
        if status != 200:
            headers["x-amzn-ErrorType"] = payload["__type"]
        return Answer(call.operation, status, payload, headers, call.delay)


@functools.lru_cache(maxsize=2)
def _http_date_at(second: int) -> str:
    return email.utils.formatdate(second, usegmt=True)


def _http_date() -> str:
    return _http_date_at(int(time.time()))


def parse_body(body: bytes) -> dict:
    """The request's JSON object, read with explicit limits (wire/json_read.py): a body that
    is too large, nests too deep, is not JSON or holds NaN/Infinity/an out-of-range number
    is a SerializationException, on every Python."""
    if not body:
        return {}
    try:
        params = read_json(body, max_bytes=max_request_bytes())
    except JsonRefused as exc:
        raise errors.serialization(f"The request body is not valid JSON: {exc}") from None
    if not isinstance(params, dict):
        raise errors.serialization("The request body must be a JSON object.")
    return params
