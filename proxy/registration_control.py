"""The control API's registration routes: decide reviews over HTTP, from any language.

    POST   /_smsvoice/registrations/review  {"RegistrationId": "registration-...",
                                             "Decision": "approve" | "deny" | "require_authentication"
                                                         | "authenticate" | "revoke",
                                             "DeniedReasons": ["..." or {"Reason", "ShortDescription", ...}],
                                             "Feedback": "...",
                                             "FieldFeedback": {"<FieldPath>": {"DeniedReason": "...",
                                                                               "Feedback": "..."}}}
    GET    /_smsvoice/registrations/rules
    POST   /_smsvoice/registrations/rules   {"RegistrationType": "US_TOLL_FREE_REGISTRATION" | "*",
                                             "Decision": "approve" | "deny" | "require_authentication",
                                             "DeniedReasons": [...], "Feedback": "...",
                                             "FieldFeedback": {...}, "Times": 1}
    DELETE /_smsvoice/registrations/rules[?registrationType=...]
    GET    /_smsvoice/registrations/events[?registrationId=...]

`handle_registration_control(sim, request)` answers these paths and returns None for
any other, so the control API mounts it with one line before its own 404.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs

from smsvoice_sim.simulator import HttpRequest, HttpResponse
from smsvoice_sim.simulator.errors import ServiceError
from smsvoice_sim.simulator.wire import json_response

PREFIX = "/_smsvoice/registrations"
REVIEW_KEYS = {"RegistrationId", "Decision", "DeniedReasons", "Feedback", "FieldFeedback"}
RULE_KEYS = {"RegistrationType", "Decision", "DeniedReasons", "Feedback", "FieldFeedback", "Times"}


def _answer(status: int, payload: dict) -> HttpResponse:
    return json_response(status, payload, content_type="application/json")


def handle_registration_control(sim, request: HttpRequest) -> HttpResponse | None:
    path, _, query = request.path.partition("?")
    path = path.rstrip("/")
    if not path.startswith(PREFIX):
        return None
    method = request.method.upper()
    params = {k: v[-1] for k, v in parse_qs(query).items()}
    try:
        body = json.loads(request.body or b"{}")
        if not isinstance(body, dict):
            raise ValueError("body must be a JSON object")
    except ValueError as exc:
        return _answer(400, {"error": f"bad JSON body: {exc}"})
    try:
        if (method, path) == ("POST", PREFIX + "/review"):
            return _review(sim, body)
        if path == PREFIX + "/rules":
            return _rules(sim, method, body, params)
        if (method, path) == ("GET", PREFIX + "/events"):
            return _answer(
                200, {"events": sim.registrations.events(params.get("registrationId"), params.get("status"))}
            )
    except ValueError as exc:
        return _answer(400, {"error": str(exc)})
    except KeyError as exc:
        return _answer(404, {"error": str(exc.args[0])})
    except ServiceError as err:  # the registration's state does not allow it: 409 with AWS's error
        return _answer(409, {"error": err.message, **err.body()})
    return _answer(404, {"error": f"no control endpoint {method} {path}"})


def _review(sim, body: dict) -> HttpResponse:
    unknown = set(body) - REVIEW_KEYS
    if unknown or not isinstance(body.get("RegistrationId"), str) or "Decision" not in body:
        raise ValueError(
            f"a review needs RegistrationId and Decision and takes {sorted(REVIEW_KEYS)}; "
            f"unknown: {sorted(unknown)}"
        )
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
        raise ValueError(
            f"Decision is approve, deny, require_authentication, authenticate or revoke, not {decision!r}"
        )
    return _answer(200, {"RegistrationId": reg, "RegistrationStatus": status})


def _rules(sim, method: str, body: dict, params: dict) -> HttpResponse:
    desk = sim.registrations
    if method == "GET":
        return _answer(200, {"rules": desk.rules()})
    if method == "DELETE":
        return _answer(
            200, {"cleared": desk.clear_rules(params.get("registrationType")), "rules": desk.rules()}
        )
    if method != "POST":
        return _answer(405, {"error": "use GET, POST or DELETE"})
    unknown = set(body) - RULE_KEYS
    if unknown or not isinstance(body.get("RegistrationType"), str) or "Decision" not in body:
        raise ValueError(
            f"a rule needs RegistrationType and Decision and takes {sorted(RULE_KEYS)}; "
            f"unknown: {sorted(unknown)}"
        )
    rule = desk.rule(
        body["RegistrationType"],
        body["Decision"],
        body.get("DeniedReasons"),
        body.get("Feedback"),
        body.get("FieldFeedback"),
        body.get("Times"),
    )
    return _answer(200, {"rule": rule, "rules": desk.rules()})
