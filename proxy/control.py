"""The control API under /_smsvoice/, shared by every HTTP door.

    GET  /_smsvoice/health
    GET  /_smsvoice/state
    POST /_smsvoice/clock/advance     {"seconds": N}
    POST /_smsvoice/transitions/force {"ResourceId": "pool-..."}
    POST /_smsvoice/reset
    GET|POST|DELETE /_smsvoice/faults  {"operation": "CreatePool", "error": "ThrottlingException",
                                        "count": 2}  (or "rate": 0.3; "latency_ms": N)
    GET  /_smsvoice/messages          every message "sent"
    GET  /_smsvoice/verification-codes[?number=%2B1...]  codes sent to verified numbers
    POST /_smsvoice/account-tier      {"tier": "SANDBOX", "account": ..., "region": ...}
    POST /_smsvoice/protect-filters   {"destination": "+1206555*", "body": "(?i)prize"}
    POST /_smsvoice/registrations/review, GET|POST|DELETE /_smsvoice/registrations/rules,
    GET  /_smsvoice/registrations/events   the simulated reviewer (registration_control.py)

It can be turned off, or require a token in the X-SmsVoice-Sim-Token header.

Browsers must not reach it from another site: with no token, a request is
refused (403) when its `Host` is a name other than a loopback name (DNS
rebinding: evil.example resolving to 127.0.0.1; an IP address is fine), when
it carries an `Origin` (or `Sec-Fetch-Site`) of another site, or when it is a
POST a page can send without asking (`text/plain`, form data).
Scripts send JSON (`Content-Type: application/json`) or no body. A token, once
configured and given, is proof enough: a page elsewhere cannot know it.

Numbers are JSON numbers, finite and in range: `NaN`, `Infinity` and `1e400`
(which Python's json reads as infinity) are refused with 400, as are clock
moves of more than MAX_ADVANCE_SECONDS at once or past the year 9999, and
latencies above MAX_LATENCY_MS.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import math
from collections.abc import Callable
from urllib.parse import parse_qs

from smsvoice_sim.proxy import registration_control
from smsvoice_sim.proxy.gates_control import (
    account_tier_answer,
    protect_filter_answer,
    verification_codes_answer,
)
from smsvoice_sim.simulator import HttpRequest, HttpResponse, Simulator
from smsvoice_sim.simulator.messaging.hub import events_view, outcome_from_body
from smsvoice_sim.simulator.wire.http import json_response
from smsvoice_sim.simulator.wire.json_read import MAX_REQUEST_BYTES, JsonRefused, read_json

PREFIX = "/_smsvoice/"
TOKEN_HEADER = "X-SmsVoice-Sim-Token"

# One call may move the clock by up to ~31.7 years; the clock never passes the last
# second of year 9999 (what datetime and every SDK can still represent).
MAX_ADVANCE_SECONDS = 1e9
MAX_LATENCY_MS = 3_600_000.0  # an hour: longer is a hang, not a latency
# Bodies a browser page may POST to another site without a CORS preflight.
SIMPLE_CONTENT_TYPES = {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data"}


class BadRequest(ValueError):
    """A control call whose body cannot be used; its message goes back with a 400."""


def is_control(request: HttpRequest) -> bool:
    return request.path.startswith(PREFIX)


# -- who may call it ------------------------------------------------------------------
def is_loopback(host: str) -> bool:
    """A loopback address or a name that always resolves to one (RFC 6761)."""
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _hostname(host_header: str) -> str:
    if host_header.startswith("["):
        return host_header[1:].split("]", 1)[0]
    return host_header.rsplit(":", 1)[0] if host_header.count(":") == 1 else host_header


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


def cross_site(request: HttpRequest, check_host: bool = True) -> str | None:
    """Why this request looks like it came from a web page on another site, or None.

    An IP address in `Host` cannot be DNS rebinding (the page's own origin would be
    that address); a name must be a loopback name."""
    host = request.header("host") or ""
    name = _hostname(host).lower()
    if check_host and name and not (is_loopback(name) or _is_ip(name)):
        return (f"Host {host!r} is not this server's address (a web page may be reaching it "
                "through DNS rebinding); call it as 127.0.0.1 or localhost")
    origin = request.header("origin")
    if origin is not None and origin.lower() not in (f"http://{host}".lower(),
                                                     f"https://{host}".lower()):
        return f"Origin {origin!r} is another site"
    fetch_site = (request.header("sec-fetch-site") or "none").lower()
    if fetch_site not in ("none", "same-origin"):
        return f"Sec-Fetch-Site is {fetch_site!r}: a browser request from another site"
    media = (request.header("content-type") or "").split(";", 1)[0].strip().lower()
    if request.method.upper() != "GET" and media in SIMPLE_CONTENT_TYPES:
        return (f"a {media} {request.method.upper()} is what a web page can send anywhere; send "
                "Content-Type: application/json (curl: -H 'Content-Type: application/json')")
    return None


def guard(request: HttpRequest, enabled: bool, token: str | None, *,
          check_host: bool = False) -> HttpResponse | None:
    """Refuse the control API when it is turned off, when a token is set and not given,
    or (with no token) when the request looks like a browser's from another site.

    `check_host`: the door passes the Host header as the client sent it, so it can be
    checked (DNS rebinding). Every door of `smsvoice-sim` does; the addon run by a bare
    `mitmdump` without keep_host_header cannot (mitmproxy rewrites Host to the upstream's
    before any hook sees it), and leaves it off; the other checks hold in every door."""
    if not enabled:
        return _error(404, "the control API is turned off (--no-control)")
    if token:
        if not hmac.compare_digest((request.header(TOKEN_HEADER) or "").encode(), token.encode()):
            return _error(403, f"the control API needs the {TOKEN_HEADER} header")
        return None
    why = cross_site(request, check_host)
    if why:
        return _error(403, f"control API refused: {why}. (A --control-token, given in the "
                           f"{TOKEN_HEADER} header, allows any caller that has it.)")
    return None


CONTROL_EXPOSED = {
    "off": "",
    "token": "its control API (/_smsvoice/) to whoever has the token",
    "open": ("with no token, its control API (/_smsvoice/: every resource and sent message, "
             "reset, the clock, faults); add --control-token or --no-control"),
}


def _control_exposed(control: bool, token: str | None) -> str:
    return CONTROL_EXPOSED["off" if not control else "token" if token else "open"]


def exposure(control: bool, token: str | None) -> str:
    """What a simulate endpoint exposes, for the warning when it listens beyond loopback."""
    api = _control_exposed(control, token)
    return "the simulated service" + (f", and {api}" if api else " (the control API is off)")


def proxy_exposure(mode: str, control: bool, token: str | None, resign: bool) -> str:
    """What a record/replay listener exposes (for the CLI's mitmproxy doors)."""
    if mode == "record":
        what = ("a recorder that forwards requests to AWS"
                + (" re-signed with YOUR credentials (anyone can act as you)" if resign else "")
                + " and writes them to the cassette")
    else:
        what = "the recorded responses of the cassette"
    api = _control_exposed(control, token)
    return f"{what}; and {api}" if api else what


def listen_warning(host: str, port: int, exposes: str) -> str | None:
    """The warning for a listener other machines can reach, or None on loopback."""
    if is_loopback(host):
        return None
    where = "every interface" if host in ("", "0.0.0.0", "::") else host
    return (f"smsvoice-sim: warning: listening on {host or '0.0.0.0'}:{port} ({where}) is "
            f"reachable from other machines: anyone who can connect gets {exposes}. Listen on "
            f"127.0.0.1 unless that is what you want.")


# -- what it does -----------------------------------------------------------------------
def _error(status: int, message: str) -> HttpResponse:
    return json_response(status, {"error": message}, content_type="application/json")


def _ok(payload: dict) -> HttpResponse:
    return json_response(200, payload, content_type="application/json")


def parse_body(raw: bytes) -> dict:
    """The JSON object of a control call, read with explicit limits (size, depth, no
    NaN/Infinity nor out-of-range numbers: simulator/wire/json_read.py)."""
    try:
        body = read_json(raw or b"{}", max_bytes=MAX_REQUEST_BYTES)
    except JsonRefused as exc:
        raise BadRequest(f"bad JSON body: {exc}") from None
    if not isinstance(body, dict):
        raise BadRequest("bad JSON body: it must be a JSON object")
    return body


def finite_number(body: dict, key: str, low: float, high: float, *, required: bool = False,
                  low_open: bool = False) -> float | int | None:
    """body[key] as a finite number in [low, high] (or (low, high]), else BadRequest;
    None when it is absent (or null) and not required."""
    value = body.get(key)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or (
            isinstance(value, float) and not math.isfinite(value)):
        raise BadRequest(f'"{key}" must be a finite number, not {json.dumps(value)[:40]}')
    if value < low or (low_open and value == low) or value > high:
        bound = "(" if low_open else "["
        shown = json.dumps(value)
        raise BadRequest(f'"{key}" must be in {bound}{low:g}, {high:g}], not '
                         f'{shown if len(shown) < 40 else shown[:20] + "…"}')
    return value


def _optional_str(body: dict, key: str) -> str | None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise BadRequest(f'"{key}" must be a string')
    return value


def _state(sim: Simulator, request: HttpRequest, body: dict) -> HttpResponse:
    return _ok(sim.state())


def _reset(sim: Simulator, request: HttpRequest, body: dict) -> HttpResponse:
    sim.reset()
    return _ok({"reset": True})


def _advance(sim: Simulator, request: HttpRequest, body: dict) -> HttpResponse:
    seconds = finite_number(body, "seconds", 0, MAX_ADVANCE_SECONDS, required=True)
    try:
        now = sim.advance(seconds)
    except ValueError as exc:  # the clock's own limit: never past the year 9999
        raise BadRequest(str(exc)) from None
    return _ok({"now": now, "clock": sim.clock.mode})


def _messages(sim: Simulator, request: HttpRequest, body: dict) -> HttpResponse:
    return _ok({"messages": sim.sent_messages()})


def _force(sim: Simulator, request: HttpRequest, body: dict) -> HttpResponse:
    resource = body.get("ResourceId")
    if not isinstance(resource, str) or not resource:
        raise BadRequest('give {"ResourceId": "pool-..."}')
    try:
        return _ok({"ResourceId": resource, "Status": sim.force_transition(resource)})
    except KeyError as exc:
        return _error(404, str(exc.args[0]))


FAULT_KEYS = {"operation", "error", "count", "rate", "latency_ms", "reason", "message"}


def _faults_list(sim: Simulator, request: HttpRequest, body: dict) -> HttpResponse:
    return _ok({"faults": sim.faults.describe()})


def _faults_clear(sim: Simulator, request: HttpRequest, body: dict) -> HttpResponse:
    query = parse_qs(request.path.partition("?")[2])
    return _ok({"cleared": sim.faults.clear((query.get("operation") or [None])[0])})


def _faults_add(sim: Simulator, request: HttpRequest, body: dict) -> HttpResponse:
    unknown = set(body) - FAULT_KEYS
    if unknown or not isinstance(body.get("operation"), str):
        raise BadRequest(f"a fault needs \"operation\" and takes {sorted(FAULT_KEYS)}; "
                         f"unknown: {sorted(unknown)}")
    count = body.get("count")
    if count is not None and (isinstance(count, bool) or not isinstance(count, int)):
        raise BadRequest('"count" must be a whole number >= 1')
    rate = finite_number(body, "rate", 0, 1, low_open=True)
    latency = finite_number(body, "latency_ms", 0, MAX_LATENCY_MS)
    try:
        fault = sim.faults.add(body["operation"], _optional_str(body, "error"), count, rate,
                               latency or 0.0, _optional_str(body, "reason"),
                               _optional_str(body, "message"))
    except (ValueError, TypeError) as exc:
        raise BadRequest(str(exc)) from None
    return _ok({"fault": fault.describe(), "faults": sim.faults.describe()})


def _events(sim: Simulator, request: HttpRequest, body: dict) -> HttpResponse:
    return _ok(events_view(sim, parse_qs(request.path.partition("?")[2])))


def _outcomes(sim: Simulator, request: HttpRequest, body: dict) -> HttpResponse:
    try:
        return _ok(outcome_from_body(sim, body))
    except (ValueError, TypeError) as exc:
        raise BadRequest(str(exc)) from None


def _gates(answer, takes_query: bool = False):
    """A route of the send gates' control (proxy/gates_control.py): answer -> (status, JSON)."""
    def handle(sim: Simulator, request: HttpRequest, body: dict) -> HttpResponse:
        status, payload = answer(sim, request.path.partition("?")[2] if takes_query else body)
        return json_response(status, payload, content_type="application/json")
    return handle


Handler = Callable[[Simulator, HttpRequest, dict], HttpResponse]
ROUTES: dict[str, dict[str, Handler]] = {
    "/_smsvoice/state": {"GET": _state},
    "/_smsvoice/reset": {"POST": _reset},
    "/_smsvoice/clock/advance": {"POST": _advance},
    "/_smsvoice/transitions/force": {"POST": _force},
    "/_smsvoice/faults": {"GET": _faults_list, "POST": _faults_add, "DELETE": _faults_clear},
    "/_smsvoice/messages": {"GET": _messages},
    "/_smsvoice/events": {"GET": _events},
    "/_smsvoice/outcomes": {"POST": _outcomes},
    "/_smsvoice/verification-codes": {"GET": _gates(verification_codes_answer, takes_query=True)},
    "/_smsvoice/account-tier": {"POST": _gates(account_tier_answer)},
    "/_smsvoice/protect-filters": {"POST": _gates(protect_filter_answer)},
    **registration_control.ROUTES,  # the simulated reviewer
}
HEALTH = "/_smsvoice/health"


def handle_control(sim: Simulator | None, request: HttpRequest, mode: str,
                   extra_health: dict | None = None) -> HttpResponse:
    method, path = request.method.upper(), request.path.split("?", 1)[0].rstrip("/")
    if path == HEALTH:
        if method != "GET":
            return _error(405, f"{path} takes GET")
        return _ok({"status": "ok", "mode": mode, **(extra_health or {})})
    methods = ROUTES.get(path)
    if methods is None:
        return _error(404, f"no control endpoint {request.method} {path}")
    if sim is None:
        return _error(404, f"{path} needs a simulator; this server runs in {mode} mode")
    handler = methods.get(method)
    if handler is None:
        return _error(405, f"{path} takes {', '.join(methods)}")
    try:
        return handler(sim, request, parse_body(request.body) if method == "POST" else {})
    except BadRequest as exc:
        return _error(400, str(exc))
