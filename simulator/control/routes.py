"""The HTTP control API under /_smsvoice/: the control surface's methods as routes, one table,
one handler signature, one error mapping. Every door mounts it the same way, after the door's
guard (which refuses cross-site and tokenless callers).

    GET  /_smsvoice/health
    GET  /_smsvoice/state[?max_results=N&next_token=T]  whole, or one page (NextToken: more)
    POST /_smsvoice/clock/advance     {"seconds": N}
    POST /_smsvoice/transitions/force {"ResourceId": "pool-..."}
    POST /_smsvoice/reset
    GET|POST|DELETE /_smsvoice/faults  {"operation": "CreatePool", "error": "ThrottlingException",
                                        "count": 2}  (or "rate": 0.3; "latency_ms": N)
    GET  /_smsvoice/messages          every message "sent"
    GET  /_smsvoice/events[?messageId=&destination=&type=&configurationSet=&format=eventbridge]
    POST /_smsvoice/outcomes          {"destination": "+1206555....", "outcome": "TEXT_BLOCKED"}
    GET  /_smsvoice/verification-codes[?number=%2B1...]  codes sent to verified numbers
    POST /_smsvoice/account-tier      {"tier": "SANDBOX", "account": ..., "region": ...}
    POST /_smsvoice/protect-filters   {"destination": "+1206555*", "body": "(?i)prize"}
    POST /_smsvoice/registrations/review  {"RegistrationId": ..., "Decision": "approve" | "deny" |
                                           "require_authentication" | "authenticate" | "revoke",
                                           "DeniedReasons": [...], "Feedback": ..., "FieldFeedback": {...}}
    GET|POST|DELETE /_smsvoice/registrations/rules  {"RegistrationType": ..., "Decision": ..., "Times": 1}
    GET  /_smsvoice/registrations/events[?registrationId=&status=]
    POST /_smsvoice/inbound           {"from": "+1206...", "to": "+1713...", "body": "STOP",
                                       "previousPublishedMessageId": ..., "account": ..., "region": ...}
    GET  /_smsvoice/inbound[?destination=&origination=&keyword=&account=&region=]
    GET  /_smsvoice/metrics[?name=&account=&region=]   the service's CloudWatch metrics

What the inspector (GET /_smsvoice/ui/, simulator/control/assets.py) reads, a page at a time
(`offset`, `limit` up to MAX_PAGE), newest first:

    GET  /_smsvoice/summary           the clock, counts, accounts and regions (polled)
    GET  /_smsvoice/messages/page[?number=&configurationSet=&status=&channel=&account=&region=]
                                      sent messages with their event timelines and outcome rule
    GET  /_smsvoice/conversation?number=%2B1...   everything between the service and a handset
    GET  /_smsvoice/events/page[?type=&messageId=] events, EventBridge-shaped, with deliveries
    GET  /_smsvoice/resources[?account=&region=&type=&q=&state=]
                                      resources with their machines and next transitions
    GET  /_smsvoice/lifecycles[?kind=pool]   lifecycle machines as data (and as Mermaid)
    GET  /_smsvoice/registrations/queue      registrations awaiting review, revocable ones, rules

A handler takes the simulator and the call (method, query, JSON body) and returns the JSON
answer; what it raises is answered by one mapping: a body that cannot be used 400 (BadRequest,
ValueError, TypeError), something that does not exist 404 (NotFound, KeyError), a state that
forbids it 409 with AWS's error (ServiceError); anything else is a bug of ours, answered 500
with what was raised (and its traceback logged) rather than a dropped connection.

Numbers are JSON numbers, finite and in range: `NaN`, `Infinity` and `1e400` (which Python's
json reads as infinity) are refused with 400, as are clock moves of more than
MAX_ADVANCE_SECONDS at once or past the year 9999, and latencies above MAX_LATENCY_MS.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from ..gates import sandbox
from ..wire.errors import ServiceError
from ..wire.http import HttpRequest, HttpResponse, json_response
from ..wire.json_read import JsonRefused, max_request_bytes, read_json
from . import assets, resources, views

if TYPE_CHECKING:
    from ..service import Simulator

log = logging.getLogger(__name__)

PREFIX = "/_smsvoice/"
HEALTH = "/_smsvoice/health"
# One call may move the clock by up to ~31.7 years; the clock never passes the last
# second of year 9999 (what datetime and every SDK can still represent).
MAX_ADVANCE_SECONDS = 1e9
MAX_LATENCY_MS = 3_600_000.0  # an hour: longer is a hang, not a latency
MAX_PAGE = 500  # rows one inspector page may ask for
MAX_STATE_PAGE = 1_000_000  # resources one page of the state may ask for (the whole: no max_results)
FAULT_KEYS = {"operation", "error", "count", "rate", "latency_ms", "reason", "message"}
REVIEW_KEYS = {"RegistrationId", "Decision", "DeniedReasons", "Feedback", "FieldFeedback"}
RULE_KEYS = {"RegistrationType", "Decision", "DeniedReasons", "Feedback", "FieldFeedback", "Times"}
OUTCOME_KEYS = {"destination", "outcome", "share"}
TIER_KEYS = {"tier", "account", "region"}
PROTECT_FILTER_KEYS = {"destination", "body", "account", "region"}


class BadRequest(ValueError):
    """A control call whose body or query cannot be used: 400."""


class NotFound(LookupError):
    """What the call names does not exist: 404."""


@dataclass
class ControlCall:
    method: str
    path: str
    query: dict[str, str] = field(default_factory=dict)  # the last value of each parameter
    body: dict = field(default_factory=dict)


Handler = Callable[["Simulator", ControlCall], dict]


def is_control(request: HttpRequest) -> bool:
    return request.path.startswith(PREFIX)


# -- reading a call ----------------------------------------------------------------------
def parse_body(raw: bytes) -> dict:
    """The JSON object of a control call, read with explicit limits (size, depth, no
    NaN/Infinity nor out-of-range numbers: simulator/wire/json_read.py)."""
    try:
        body = read_json(raw or b"{}", max_bytes=max_request_bytes())
    except JsonRefused as exc:
        raise BadRequest(f"bad JSON body: {exc}") from None
    if not isinstance(body, dict):
        raise BadRequest("bad JSON body: it must be a JSON object")
    return body


def _query(path: str) -> dict[str, str]:
    """Each query parameter's last value; an unescaped `+` in a phone number reads as a space."""
    found = {k: v[-1] for k, v in parse_qs(path.partition("?")[2]).items()}
    return {k: "+" + v[1:] if v.startswith(" ") else v for k, v in found.items()}


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


def _whole(query: dict[str, str], key: str, default: int, low: int, high: int) -> int:
    """query[key] as a whole number in [low, high] written in ASCII digits (str.isdigit
    takes `²`, which int() does not), else BadRequest; `default` when absent."""
    text = query.get(key)
    if text is None or text == "":
        return default
    # The length first: int() of thousands of digits is slow, then refused by Python itself.
    if not (text.isascii() and text.isdigit() and len(text) <= len(str(high))
            and low <= int(text) <= high):
        raise BadRequest(f'"{key}" must be a whole number in [{low}, {high}], not {text[:20]!r}')
    return int(text)


def _page(call: ControlCall) -> views.Page:
    return views.Page(_whole(call.query, "offset", 0, 0, 10**9),
                      _whole(call.query, "limit", 100, 1, MAX_PAGE))


def _strings(body: dict, *keys: str) -> None:
    """BadRequest when one of `keys` is present but not a string."""
    wrong = [k for k in keys if body.get(k) is not None and not isinstance(body[k], str)]
    if wrong:
        raise BadRequest(f"{', '.join(wrong)} must be strings")


def _only(body: dict, allowed: set[str], required: tuple[str, ...], what: str) -> None:
    """BadRequest when `body` has a key not `allowed` (a misspelt one would be silently
    ignored) or lacks one `required`."""
    unknown = set(body) - allowed
    missing = [k for k in required if k not in body]
    if unknown or missing:
        needs = f"needs {' and '.join(required)} and " if required else ""
        raise BadRequest(f"{what} {needs}takes {sorted(allowed)}; unknown: {sorted(unknown)}")


# -- the clock, state and reset ---------------------------------------------------------------
def _state(sim: Simulator, call: ControlCall) -> dict:
    """The whole view, in one hold of the lock (one consistent view, as `sim.state()`), or
    one page (`max_results`, `next_token`), for a state too large to read in one go."""
    token = call.query.get("next_token")
    if "max_results" in call.query:
        return sim.state(_whole(call.query, "max_results", 1, 1, MAX_STATE_PAGE), token)
    if token is not None:
        raise BadRequest("next_token goes with max_results")
    return sim.state()


def _reset(sim: Simulator, call: ControlCall) -> dict:
    sim.reset()
    return {"reset": True}


def _advance(sim: Simulator, call: ControlCall) -> dict:
    seconds = finite_number(call.body, "seconds", 0, MAX_ADVANCE_SECONDS, required=True)
    assert seconds is not None
    now = sim.advance(seconds)  # ValueError past the year 9999: 400
    return {"now": now, "clock": sim.clock.mode}


def _force(sim: Simulator, call: ControlCall) -> dict:
    resource = call.body.get("ResourceId")
    if not isinstance(resource, str) or not resource:
        raise BadRequest('give {"ResourceId": "pool-..."}')
    return {"ResourceId": resource, "Status": sim.force_transition(resource)}


# -- faults ----------------------------------------------------------------------------------
def _faults_list(sim: Simulator, call: ControlCall) -> dict:
    return {"faults": sim.faults.describe()}


def _faults_clear(sim: Simulator, call: ControlCall) -> dict:
    return {"cleared": sim.faults.clear(call.query.get("operation"))}


def _faults_add(sim: Simulator, call: ControlCall) -> dict:
    body = call.body
    _only(body, FAULT_KEYS, ("operation",), "a fault")
    _strings(body, "operation", "error", "reason", "message")
    count = body.get("count")
    if count is not None and (isinstance(count, bool) or not isinstance(count, int)):
        raise BadRequest('"count" must be a whole number >= 1')
    rate = finite_number(body, "rate", 0, 1, low_open=True)
    latency = finite_number(body, "latency_ms", 0, MAX_LATENCY_MS)
    fault = sim.faults.add(body["operation"], body.get("error"), count, rate, latency or 0.0,
                           body.get("reason"), body.get("message"))
    return {"fault": fault.describe(), "faults": sim.faults.describe()}


# -- messages, events, outcomes --------------------------------------------------------------
def _messages(sim: Simulator, call: ControlCall) -> dict:
    return {"messages": sim.sent_messages()}


def _events(sim: Simulator, call: ControlCall) -> dict:
    """The event log (filtered), delivery counts and the outcome rules in force."""
    query = call.query
    found = sim.events(message_id=query.get("messageId"), destination=query.get("destination"),
                       event_type=query.get("type"), configuration_set=query.get("configurationSet"),
                       eventbridge=query.get("format") == "eventbridge")
    return {"events": found, "delivery": sim.messaging.deliverer.stats_view(),
            "outcomes": sim.messaging.outcomes.view()}


def _outcomes(sim: Simulator, call: ControlCall) -> dict:
    """`{"destination": ..., "outcome": ..., "share": 0.5}` sets a rule; `{"clear": true}`
    removes every rule."""
    body = call.body
    if "clear" in body:
        _only(body, {"clear"}, ("clear",), "clearing the outcome rules")
        if body["clear"] is not True:
            raise BadRequest('give {"clear": true} to clear the outcome rules')
        sim.clear_outcomes()
        return {"outcomes": sim.messaging.outcomes.view()}
    _only(body, OUTCOME_KEYS, ("destination", "outcome"), "an outcome rule")
    rule = sim.set_outcome(body["destination"], body["outcome"], body.get("share", 1.0))
    return {"rule": rule, "outcomes": sim.messaging.outcomes.view()}


# -- the send gates -------------------------------------------------------------------------
def _verification_codes(sim: Simulator, call: ControlCall) -> dict:
    number = call.query.get("number")
    rows = sim.verification_codes()
    if number is not None:
        rows = [r for r in rows if r["DestinationPhoneNumber"] == number]
    return {"verification_codes": rows}


def _account_tier(sim: Simulator, call: ControlCall) -> dict:
    body = call.body
    _only(body, TIER_KEYS, ("tier",), "an account tier")
    if body.get("tier") not in sandbox.TIERS:
        raise BadRequest(f"tier must be one of {', '.join(sandbox.TIERS)}")
    _strings(body, "account", "region")
    sim.set_account_tier(body["tier"], body.get("account"), body.get("region"))
    return {"tier": body["tier"], "account": body.get("account") or sim.default_account,
            "region": body.get("region")}


def _protect_filters(sim: Simulator, call: ControlCall) -> dict:
    body = call.body
    _only(body, PROTECT_FILTER_KEYS, (), "a protect filter")
    _strings(body, "destination", "body", "account", "region")
    sim.add_protect_filter(body.get("destination"), body.get("body"), body.get("account"),
                           body.get("region") or "us-east-1")  # re.error is a ValueError: 400
    return {"destination": body.get("destination"), "body": body.get("body")}


# -- the simulated reviewer ------------------------------------------------------------------
DECISIONS = ("approve", "deny", "require_authentication", "authenticate", "revoke")


def _review(sim: Simulator, call: ControlCall) -> dict:
    body = call.body
    _only(body, REVIEW_KEYS, ("RegistrationId", "Decision"), "a review")
    _strings(body, "RegistrationId")
    desk, reg, decision = sim.registrations, body["RegistrationId"], body["Decision"]
    if decision == "approve":
        status = desk.approve(reg)
    elif decision == "deny":
        status = desk.deny(reg, body.get("DeniedReasons"), body.get("Feedback"), body.get("FieldFeedback"))
    elif decision == "require_authentication":
        status = desk.require_authentication(reg)
    elif decision == "authenticate":
        status = desk.authenticate(reg)
    elif decision == "revoke":
        status = desk.revoke(reg, body.get("DeniedReasons"))
    else:
        raise BadRequest(f"Decision is {', '.join(DECISIONS)}, not {decision!r}")
    return {"RegistrationId": reg, "RegistrationStatus": status}


def _rules(sim: Simulator, call: ControlCall) -> dict:
    return {"rules": sim.registrations.rules()}


def _clear_rules(sim: Simulator, call: ControlCall) -> dict:
    desk = sim.registrations
    return {"cleared": desk.clear_rules(call.query.get("registrationType")), "rules": desk.rules()}


def _add_rule(sim: Simulator, call: ControlCall) -> dict:
    body = call.body
    _only(body, RULE_KEYS, ("RegistrationType", "Decision"), "a rule")
    _strings(body, "RegistrationType")
    desk = sim.registrations
    rule = desk.rule(body["RegistrationType"], body["Decision"], body.get("DeniedReasons"),
                     body.get("Feedback"), body.get("FieldFeedback"), body.get("Times"))
    return {"rule": rule, "rules": desk.rules()}


def _registration_events(sim: Simulator, call: ControlCall) -> dict:
    return {"events": sim.registrations.events(call.query.get("registrationId"),
                                               call.query.get("status"))}


# -- what the inspector reads ------------------------------------------------------------------
def _summary(sim: Simulator, call: ControlCall) -> dict:
    return views.summary(sim)


def _messages_page(sim: Simulator, call: ControlCall) -> dict:
    q = call.query
    where = views.MessageFilter(q.get("number") or None, q.get("configurationSet") or None,
                                q.get("status") or None, q.get("channel") or None,
                                q.get("account") or None, q.get("region") or None)
    return views.messages_page(sim, where, _page(call))


def _conversation(sim: Simulator, call: ControlCall) -> dict:
    number = call.query.get("number")
    if not number:
        raise BadRequest("give ?number=%2B1206... (the handset's number)")
    return views.conversation(sim, number)


def _events_page(sim: Simulator, call: ControlCall) -> dict:
    return views.events_page(sim, _page(call), call.query.get("type") or None,
                             call.query.get("messageId") or None)


def _resources(sim: Simulator, call: ControlCall) -> dict:
    q = call.query
    kind = q.get("type") or None
    if kind is not None and kind not in resources.KIND_KEYS:
        raise BadRequest(f"type is one of {', '.join(resources.KIND_KEYS)}, not {kind[:40]!r}")
    page = _page(call)
    where = resources.ResourceFilter(q.get("account") or None, q.get("region") or None, kind,
                                     q.get("q") or None, q.get("state") or None)
    return resources.resources_page(sim, where, page.offset, page.limit)


def _lifecycles(sim: Simulator, call: ControlCall) -> dict:
    return resources.lifecycles(sim, call.query.get("kind") or None)


def _review_queue(sim: Simulator, call: ControlCall) -> dict:
    return views.review_queue(sim)

# -- the other direction: inbound messages, and the service's metrics --------------------------
INBOUND_KEYS = {"from", "to", "body", "previousPublishedMessageId", "account", "region"}


def _receive(sim: Simulator, call: ControlCall) -> dict:
    """`{"from": "+1206...", "to": "+1713..." | "phone-..." | "rcs-...", "body": "STOP"}`
    (optionally previousPublishedMessageId, account, region): the inbound record."""
    body = call.body
    _only(body, INBOUND_KEYS, ("from", "to", "body"), "an inbound message")
    _strings(body, "previousPublishedMessageId", "account", "region")
    return {"inbound": sim.receive(body["from"], body["to"], body["body"],
                                   body.get("previousPublishedMessageId"), body.get("account"),
                                   body.get("region"))}


def _inbound_log(sim: Simulator, call: ControlCall) -> dict:
    query = call.query
    return {"inbound": sim.inbound(destination=query.get("destination"),
                                   origination=query.get("origination"),
                                   keyword=query.get("keyword"), account=query.get("account"),
                                   region=query.get("region")),
            "delivery": sim.messaging.deliverer.stats_view()}


def _metrics(sim: Simulator, call: ControlCall) -> dict:
    query = call.query
    return {"metrics": sim.metrics(name=query.get("name"), account=query.get("account"),
                                   region=query.get("region")),
            "delivery": sim.messaging.deliverer.stats_view()}


ROUTES: dict[str, dict[str, Handler]] = {
    "/_smsvoice/state": {"GET": _state},
    "/_smsvoice/reset": {"POST": _reset},
    "/_smsvoice/clock/advance": {"POST": _advance},
    "/_smsvoice/transitions/force": {"POST": _force},
    "/_smsvoice/faults": {"GET": _faults_list, "POST": _faults_add, "DELETE": _faults_clear},
    "/_smsvoice/messages": {"GET": _messages},
    "/_smsvoice/events": {"GET": _events},
    "/_smsvoice/outcomes": {"POST": _outcomes},
    "/_smsvoice/verification-codes": {"GET": _verification_codes},
    "/_smsvoice/account-tier": {"POST": _account_tier},
    "/_smsvoice/protect-filters": {"POST": _protect_filters},
    "/_smsvoice/registrations/review": {"POST": _review},
    "/_smsvoice/registrations/rules": {"GET": _rules, "POST": _add_rule, "DELETE": _clear_rules},
    "/_smsvoice/registrations/events": {"GET": _registration_events},
    "/_smsvoice/summary": {"GET": _summary},
    "/_smsvoice/messages/page": {"GET": _messages_page},
    "/_smsvoice/conversation": {"GET": _conversation},
    "/_smsvoice/events/page": {"GET": _events_page},
    "/_smsvoice/resources": {"GET": _resources},
    "/_smsvoice/lifecycles": {"GET": _lifecycles},
    "/_smsvoice/registrations/queue": {"GET": _review_queue},
    # the other direction
    "/_smsvoice/inbound": {"GET": _inbound_log, "POST": _receive},
    "/_smsvoice/metrics": {"GET": _metrics},
}


# -- answering ---------------------------------------------------------------------------------
def _json(status: int, payload: dict) -> HttpResponse:
    return json_response(status, payload, content_type="application/json")


def error(status: int, message: str, **extra) -> HttpResponse:
    return _json(status, {"error": message, **extra})


def answer(sim: Simulator | None, request: HttpRequest, mode: str,
           extra_health: dict | None = None) -> HttpResponse:
    """The control API's answer to `request` (a path under /_smsvoice/): the inspector's
    files under /_smsvoice/ui/, the routes' JSON otherwise."""
    if assets.is_ui(request.path):
        return assets.serve(request.method, request.path)
    method, path = request.method.upper(), request.path.split("?", 1)[0].rstrip("/")
    if path == HEALTH:
        if method != "GET":
            return error(405, f"{path} takes GET")
        return _json(200, {"status": "ok", "mode": mode, **(extra_health or {})})
    methods = ROUTES.get(path)
    if methods is None:
        return error(404, f"no control endpoint {request.method} {path}")
    if sim is None:
        return error(404, f"{path} needs a simulator; this server runs in {mode} mode")
    handler = methods.get(method)
    if handler is None:
        return error(405, f"{path} takes {', '.join(methods)}")
    try:
        body = parse_body(request.body) if method == "POST" else {}
        return _json(200, handler(sim, ControlCall(method, path, _query(request.path), body)))
    except (NotFound, KeyError) as exc:
        return error(404, str(exc.args[0]) if exc.args else "not found")
    except ServiceError as err:  # the resource's state does not allow it: AWS's error
        return _json(409, {"error": err.message, **err.body()})
    except (ValueError, TypeError) as exc:  # BadRequest too
        return error(400, str(exc))
    except Exception as exc:  # anything else is ours to fix: say so, never drop the connection
        log.exception("control call %s %s failed", method, path)
        return error(500, f"smsvoice-sim bug in {path}: {exc!r}")

