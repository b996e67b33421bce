"""The request pipeline, one small step each: parse → authenticate → validate →
faults and rate limits → dispatch → project → audit.

Every door hands `Pipeline.handle` an HttpRequest and gets back the HTTP response
AWS would send. A request runs under the simulator's lock, so requests and the
control surface (clock, faults, reset) never interleave.
"""

from __future__ import annotations

import email.utils
import functools
import json
import logging
import time
from dataclasses import dataclass

from .engine.region import AccountRegion
from .wire import errors, model, regions, sigv4, validation
from .wire.auth import SigV4Authorization, caller_of
from .wire.coverage import COVERED_OPERATIONS
from .wire.errors import ServiceError
from .wire.http import HttpRequest, HttpResponse, json_response, operation_from_target
from .wire.json_read import MAX_REQUEST_BYTES, JsonRefused, read_json
from .wire.projection import project_output

log = logging.getLogger("smsvoice_sim.simulator")

# Operations that only read; any other that succeeds is saved to --state.
READ_PREFIXES = ("Describe", "List", "Get")


@dataclass
class Call:
    """One request on its way through the pipeline."""

    request: HttpRequest
    request_id: str
    operation: str | None
    caller: SigV4Authorization | None = None
    params: dict | None = None
    region: AccountRegion | None = None
    delay: float = 0.0  # injected latency, seconds

    @property
    def writes(self) -> bool:
        return bool(self.operation) and not self.operation.startswith(READ_PREFIXES)


class Pipeline:
    def __init__(self, sim):
        self.sim = sim

    def handle(self, request: HttpRequest) -> HttpResponse:
        sim = self.sim
        with sim.lock:
            state = sim.state_registry
            call = Call(request, state.ids.request_id(),
                        operation_from_target(request.header("x-amz-target"), model.target_prefix()))
            moves = state.lifecycles.moves
            try:
                status, payload = 200, self.answer(call)
            except ServiceError as err:
                status, payload = err.status, err.body()
            except Exception as exc:  # noqa: BLE001 - a bug must still answer like AWS, and be seen
                log.exception("smsvoice-sim bug in %s", call.operation or "an unknown operation")
                err = ServiceError("InternalServerException",
                                   f"smsvoice-sim bug in {call.operation or 'an unknown operation'}: "
                                   f"{exc!r}", RequestId=call.request_id)
                status, payload = err.status, err.body()
            response = self.respond(call, status, payload)
            if (status == 200 and call.writes) or state.lifecycles.moves != moves:
                sim.save()
            self.audit(call, response)
            return response

    # -- the steps -------------------------------------------------------------
    def answer(self, call: Call) -> dict:
        self.authenticate(call)
        self.parse(call)
        validation.validate(call.operation, call.params)
        handler = self.sim.handlers.get(call.operation)
        if handler is None:
            newer = "" if call.operation in COVERED_OPERATIONS else (
                f" (it is newer than the {len(COVERED_OPERATIONS)} operations smsvoice-sim covers)")
            raise errors.validation(
                "UNKNOWN_OPERATION",
                f"{call.operation} exists in AWS End User Messaging SMS and Voice v2 but "
                f"smsvoice-sim does not simulate it{newer}.")
        state = self.sim.state_registry
        call.region = account_region_of(self.sim, call)
        state.lifecycles.settle()
        self.inject(call)
        return self.dispatch(call, handler)

    def authenticate(self, call: Call) -> None:
        call.caller = caller_of(call.request.header("authorization"))
        if self.sim.verify_sigv4:
            sigv4.verify(call.request, call.caller, self.sim.credentials,
                         now=sigv4.reference_time(self.sim.clock))
        regions.check_region(call.caller.region, self.sim.extra_regions)

    def parse(self, call: Call) -> None:
        if call.operation is None or call.operation not in model.operation_names():
            raise ServiceError("UnknownOperationException",
                               f"Unknown operation {call.request.header('x-amz-target')!r}")
        call.params = parse_body(call.request.body)

    def inject(self, call: Call) -> None:
        """Faults the user asked for, then AWS's rate limits."""
        fault, call.delay = self.sim.faults.draw(call.operation)
        if fault is not None:
            raise fault
        self.sim.rate_limiter.check(call.region.account, call.region.region, call.operation,
                                    self.sim.clock.now())

    def dispatch(self, call: Call, handler) -> dict:
        """Run the operation (or repeat what an idempotency token already got) and project
        its result onto the output shape."""
        region, params, operation = call.region, call.params, call.operation
        region.operation = operation
        tokens = model.idempotency_token_members(operation)
        token = next((params[t] for t in tokens if t in params), None)
        if token is None:
            result = project_output(operation, handler(region, params))
            self.sim.lifecycles.after_read()  # the reads clock's steps, once the read is answered
            return result
        fingerprint = json.dumps({k: v for k, v in params.items() if k not in tokens}, sort_keys=True)
        seen = region.remembered(operation, token)
        if seen is not None:
            if seen[0] != fingerprint:
                raise ServiceError("ConflictException",
                                   f"ClientToken {token} was already used with different parameters.")
            return seen[1]
        result = project_output(operation, handler(region, params))
        region.remember(operation, token, fingerprint, result)
        return result

    def respond(self, call: Call, status: int, payload: dict) -> HttpResponse:
        headers = {"x-amzn-RequestId": call.request_id, "Date": _http_date()}
        if status != 200:
            headers["x-amzn-ErrorType"] = payload["__type"]
        response = json_response(status, payload, headers)
        response.delay = call.delay
        return response

    def audit(self, call: Call, response: HttpResponse) -> None:
        """Tell the listeners and the audit log. The request was answered (and the state
        changed): a listener that raises, or an audit file that cannot be written (a full
        disk, a closed stderr behind a hint), is logged and must not turn it into an error."""
        for listener in self.sim.listeners:
            try:
                listener(call.operation or "", call.request, response)
            except Exception:  # noqa: BLE001 - a bystander's bug; logged with its traceback
                log.exception("smsvoice-sim listener %r failed on %s", listener, call.operation)
        if self.sim.audit_log:
            line = json.dumps({"operation": call.operation or "", "status": response.status,
                               "body": response.json()})
            try:
                with open(self.sim.audit_log, "a", encoding="utf-8") as fh:
                    fh.write(line + "\n")
            except OSError as exc:
                log.warning("smsvoice-sim could not append to the audit log %s: %s",
                            self.sim.audit_log, exc)


def account_region_of(sim, call: Call) -> AccountRegion:
    """The caller's account-region; for a read, one that holds nothing yet is an empty view
    that is not stored (State.region_view): only writes create account-regions."""
    account = sim.account_of(call.caller.access_key_id)
    state = sim.state_registry
    if call.writes:
        return state.region(account, call.caller.region)
    return state.region_view(account, call.caller.region)


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
        params = read_json(body, max_bytes=MAX_REQUEST_BYTES)
    except JsonRefused as exc:
        raise errors.serialization(f"The request body is not valid JSON: {exc}") from None
    if not isinstance(params, dict):
        raise errors.serialization("The request body must be a JSON object.")
    return params
