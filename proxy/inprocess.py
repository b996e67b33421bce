"""The cassette pipeline behind an in-process boto3 client (no proxy, no socket).

Replay answers from the cassette; a request the record mode lets through is
sent with botocore's own HTTP stack and recorded, exactly as the addon would.
"""

from __future__ import annotations

from collections.abc import Callable

from smsvoice_sim.simulator import HttpRequest, HttpResponse
from smsvoice_sim.simulator.inprocess import inprocess_client

from . import upstream
from .session import CassetteSession


def cassette_answer(session: CassetteSession,
                    send: Callable[[HttpRequest], HttpResponse] = upstream.send):
    def answer(request: HttpRequest) -> HttpResponse:
        decision = session.decide(request)
        if decision.action != "forward":
            return decision.response
        pending = session.start(request)
        response = send(request)
        session.record(pending, response)
        return response
    return answer


def cassette_client(session: CassetteSession, region_name: str = "us-east-1", **kwargs):
    return inprocess_client(cassette_answer(session), region_name=region_name, **kwargs)
