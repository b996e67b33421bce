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

`ROUTES` maps these paths to handlers with the control API's signature; control.py mounts
them in its own table, so one router, one body parser and one cross-site guard serve every
route. A handler's errors become statuses here: a bad body 400, an unknown registration 404,
a state that forbids the decision 409 with AWS's error.
"""

from __future__ import annotations

import functools
from urllib.parse import parse_qs

from smsvoice_sim.simulator import HttpRequest, HttpResponse
from smsvoice_sim.simulator.wire.errors import ServiceError
from smsvoice_sim.simulator.wire.http import json_response

REVIEW_KEYS = {"RegistrationId", "Decision", "DeniedReasons", "Feedback", "FieldFeedback"}
RULE_KEYS = {"RegistrationType", "Decision", "DeniedReasons", "Feedback", "FieldFeedback", "Times"}


def _answer(status: int, payload: dict) -> HttpResponse:
    return json_response(status, payload, content_type="application/json")


def _query(request: HttpRequest) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(request.path.partition("?")[2]).items()}


def _answering(handler):
    """The reviewer's refusals as statuses: ValueError 400, KeyError 404, ServiceError 409."""
    @functools.wraps(handler)
    def answer(sim, request: HttpRequest, body: dict) -> HttpResponse:
        try:
            return handler(sim, request, body)
        except ValueError as exc:
            return _answer(400, {"error": str(exc)})
        except KeyError as exc:
            return _answer(404, {"error": str(exc.args[0])})
        except ServiceError as err:  # the registration's state does not allow it: AWS's error
            return _answer(409, {"error": err.message, **err.body()})
    return answer


@_answering
def _review(sim, request: HttpRequest, body: dict) -> HttpResponse:
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


@_answering
def _rules(sim, request: HttpRequest, body: dict) -> HttpResponse:
    return _answer(200, {"rules": sim.registrations.rules()})


@_answering
def _clear_rules(sim, request: HttpRequest, body: dict) -> HttpResponse:
    desk = sim.registrations
    return _answer(200, {"cleared": desk.clear_rules(_query(request).get("registrationType")),
                         "rules": desk.rules()})


@_answering
def _add_rule(sim, request: HttpRequest, body: dict) -> HttpResponse:
    desk = sim.registrations
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


@_answering
def _events(sim, request: HttpRequest, body: dict) -> HttpResponse:
    query = _query(request)
    return _answer(200, {"events": sim.registrations.events(query.get("registrationId"),
                                                            query.get("status"))})


ROUTES = {
    "/_smsvoice/registrations/review": {"POST": _review},
    "/_smsvoice/registrations/rules": {"GET": _rules, "POST": _add_rule, "DELETE": _clear_rules},
    "/_smsvoice/registrations/events": {"GET": _events},
}


def handle_registration_control(sim, request: HttpRequest) -> HttpResponse | None:
    """The paths under /_smsvoice/registrations, as the control API answers them; None
    for any other path (kept for callers that mount only the reviewer)."""
    from smsvoice_sim.proxy.control import handle_control  # control.py mounts ROUTES

    if not request.path.startswith("/_smsvoice/registrations"):
        return None
    return handle_control(sim, request, "simulate")
