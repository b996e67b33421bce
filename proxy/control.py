"""The control API under /_smsvoice/, shared by every HTTP door.

    GET  /_smsvoice/health
    GET  /_smsvoice/state
    POST /_smsvoice/clock/advance     {"seconds": N}
    POST /_smsvoice/transitions/force {"ResourceId": "pool-..."}
    POST /_smsvoice/reset
    GET|POST|DELETE /_smsvoice/faults  {"operation": "CreatePool", "error": "ThrottlingException",
                                        "count": 2}  (or "rate": 0.3; "latency_ms": N)
    GET  /_smsvoice/messages          every message "sent"

It can be turned off, or require a token in the X-SmsVoice-Sim-Token header.
"""

from __future__ import annotations

import hmac
import json

from smsvoice_sim.simulator import HttpRequest, HttpResponse, Simulator
from smsvoice_sim.simulator.wire import json_response

PREFIX = "/_smsvoice/"


TOKEN_HEADER = "X-SmsVoice-Sim-Token"


def is_control(request: HttpRequest) -> bool:
    return request.path.startswith(PREFIX)


def guard(request: HttpRequest, enabled: bool, token: str | None) -> HttpResponse | None:
    """Refuse the control API when it is turned off, or when a token is set and not given."""
    if not enabled:
        return _error(404, "the control API is turned off (--no-control)")
    if token and not hmac.compare_digest(request.header(TOKEN_HEADER) or "", token):
        return _error(403, f"the control API needs the {TOKEN_HEADER} header")
    return None


def _error(status: int, message: str) -> HttpResponse:
    return json_response(status, {"error": message}, content_type="application/json")


def _ok(payload: dict) -> HttpResponse:
    return json_response(200, payload, content_type="application/json")


def handle_control(sim: Simulator | None, request: HttpRequest, mode: str,
                   extra_health: dict | None = None) -> HttpResponse:
    route = (request.method.upper(), request.path.split("?", 1)[0].rstrip("/"))
    if route == ("GET", "/_smsvoice/health"):
        return _ok({"status": "ok", "mode": mode, **(extra_health or {})})
    if sim is None:
        return _error(404, f"{route[1]} needs a simulator; this server runs in {mode} mode")
    try:
        body = json.loads(request.body or b"{}")
        if not isinstance(body, dict):
            raise ValueError("body must be a JSON object")
    except ValueError as exc:
        return _error(400, f"bad JSON body: {exc}")
    if route == ("GET", "/_smsvoice/state"):
        return _ok(sim.state())
    if route == ("POST", "/_smsvoice/reset"):
        sim.reset()
        return _ok({"reset": True})
    if route == ("POST", "/_smsvoice/clock/advance"):
        seconds = body.get("seconds")
        if not isinstance(seconds, int | float) or isinstance(seconds, bool) or seconds < 0:
            return _error(400, 'give {"seconds": N} with N >= 0')
        return _ok({"now": sim.advance(seconds), "clock": sim.clock.mode})
    if route[1] == "/_smsvoice/faults":
        return _faults(sim, request, body)
    if route == ("GET", "/_smsvoice/messages"):
        return _ok({"messages": sim.sent_messages()})
    if route == ("POST", "/_smsvoice/transitions/force"):
        try:
            return _ok({"ResourceId": body.get("ResourceId"),
                        "Status": sim.force_transition(str(body.get("ResourceId")))})
        except KeyError as exc:
            return _error(404, str(exc.args[0]))
    return _error(404, f"no control endpoint {request.method} {route[1]}")


FAULT_KEYS = {"operation", "error", "count", "rate", "latency_ms", "reason", "message"}


def _faults(sim: Simulator, request: HttpRequest, body: dict) -> HttpResponse:
    method = request.method.upper()
    if method == "GET":
        return _ok({"faults": sim.faults.describe()})
    if method == "DELETE":
        query = request.path.partition("?")[2]
        operation = dict(p.split("=", 1) for p in query.split("&") if "=" in p).get("operation")
        return _ok({"cleared": sim.faults.clear(operation)})
    if method != "POST":
        return _error(405, "use GET, POST or DELETE")
    unknown = set(body) - FAULT_KEYS
    if unknown or "operation" not in body:
        return _error(400, f"a fault needs \"operation\" and takes {sorted(FAULT_KEYS)}; "
                           f"unknown: {sorted(unknown)}")
    try:
        fault = sim.faults.add(body["operation"], body.get("error"), body.get("count"),
                               body.get("rate"), body.get("latency_ms") or 0.0,
                               body.get("reason"), body.get("message"))
    except (ValueError, TypeError) as exc:
        return _error(400, str(exc))
    return _ok({"fault": fault.describe(), "faults": sim.faults.describe()})
