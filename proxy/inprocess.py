"""The cassette pipeline behind an in-process boto3 client (no proxy, no socket).

Replay answers from the cassette; a request the record mode lets through is
sent with botocore's own HTTP stack and recorded, exactly as the addon would.
"""

from __future__ import annotations

from collections.abc import Callable

from smsvoice_sim.simulator import HttpRequest, HttpResponse
from smsvoice_sim.simulator.inprocess import credentials_of, inprocess_client
from smsvoice_sim.simulator.wire.http import json_response

from . import upstream
from .redaction import credential_secrets
from .session import Action, CassetteSession, NotRecorded


def cassette_answer(session: CassetteSession,
                    send: Callable[[HttpRequest], HttpResponse] = upstream.send):
    def answer(request: HttpRequest) -> HttpResponse:
        decision = session.decide(request)
        if decision.action is not Action.FORWARD:
            assert decision.response is not None  # every answer but FORWARD carries one
            return decision.response
        if not session.may_record:  # belt and braces: a decision bug still cannot send
            return json_response(400, {"__type": "SmsVoiceSimError", "message": (
                "smsvoice-sim replay: this session sends nothing upstream; the request was "
                "not sent.")}, {"x-amzn-ErrorType": "SmsVoiceSimError"})
        pending = session.start(request)
        response = send(request)
        try:
            session.record(pending, response)
        except NotRecorded as exc:  # never a 200 for an interaction that is not in the cassette
            return session.not_recorded_response(response.status, str(exc))
        return response
    return answer


def cassette_client(session: CassetteSession, region_name: str = "us-east-1", **kwargs):
    client = inprocess_client(cassette_answer(session), region_name=region_name, **kwargs)
    if session.may_record:  # the caller's own keys (its secret key too) are never written
        credentials = credentials_of(client)
        if credentials is not None:
            session.redactor.add_secrets(*credential_secrets(credentials))
    return client
