"""Bad input never breaks it: model-generated requests, valid and broken, against
every simulated operation, in-process and over HTTP."""

from __future__ import annotations

import http.client
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smsvoice_sim.simulator import HttpRequest, Simulator
from smsvoice_sim.simulator.wire.conformance import check_response
from smsvoice_sim.simulator.wire.model import operation

from strategies import GARBAGE_BODIES, broken, valid

SIMULATED = sorted(Simulator().handlers)
# Operations that take parameters: a body of unknown members is refused only by those.
WITH_INPUT = [op for op in SIMULATED if operation(op).input_shape.members]
AUTH = ("AWS4-HMAC-SHA256 Credential=AKIAFUZZFUZZFUZZ0000/20260101/us-east-1/sms-voice/"
        "aws4_request, SignedHeaders=host, Signature=" + "0" * 64)
FUZZ = settings(max_examples=25, deadline=None, derandomize=True,
                suppress_health_check=list(HealthCheck))
TRIED = {"requests": 0, "5xx": 0}


def send(op: str, body: bytes):
    """One request to a simulator of its own: no example depends on what another one left."""
    sim = Simulator(clock="instant", seed=5)
    response = sim.handle(HttpRequest(
        "POST", "https://sms-voice.us-east-1.amazonaws.com/",
        {"X-Amz-Target": f"PinpointSMSVoiceV2.{op}", "Authorization": AUTH,
         "Content-Type": "application/x-amz-json-1.0"}, body))
    TRIED["requests"] += 1
    TRIED["5xx"] += response.status >= 500
    return response


def assert_like_aws(op: str, response) -> None:
    assert response.status < 500, response.body[:500]
    payload = json.loads(response.body)
    assert check_response(op, response.status, payload) == []
    if response.status != 200:
        assert payload["__type"] and "Traceback" not in response.body.decode()


@pytest.mark.parametrize("op", SIMULATED)
@FUZZ
@given(data=st.data())
def test_valid_requests_by_the_model(op, data):
    params = data.draw(valid(operation(op).input_shape))
    assert_like_aws(op, send(op, json.dumps(params).encode()))


@pytest.mark.parametrize("op", SIMULATED)
@FUZZ
@given(data=st.data())
def test_broken_requests_by_the_model(op, data):
    params = data.draw(broken(op))
    response = send(op, json.dumps(params).encode())
    assert_like_aws(op, response)
    assert response.status == 400 or response.status == 200 and params == {}


@FUZZ
@given(op=st.sampled_from(WITH_INPUT), body=GARBAGE_BODIES)
def test_garbage_bodies(op, body):
    response = send(op, body)
    assert_like_aws(op, response)
    if _only_unknown_members(op, body):
        # e.g. {"PoolIds": [...]} to CreateProtectConfiguration, whose members are all
        # optional: members an operation lacks are ignored, so this one is a valid request.
        assert response.status == 200, response.body[:300]
        return
    assert response.status == 400
    assert json.loads(response.body)["__type"] in ("SerializationException", "ValidationException")


def _only_unknown_members(op: str, body: bytes) -> bool:
    """A JSON object naming none of the operation's members, which requires none."""
    try:
        value = json.loads(body)
    except (ValueError, RecursionError):
        return False
    shape = operation(op).input_shape
    return (isinstance(value, dict) and not shape.required_members
            and not set(value) & set(shape.members))


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(op=st.sampled_from(WITH_INPUT), data=st.data())
def test_over_http_the_server_keeps_serving(server, op, data):
    body = data.draw(st.one_of(GARBAGE_BODIES,
                               broken(op).map(lambda p: json.dumps(p).encode())))
    host, port = server.httpd.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=10)
    try:
        conn.request("POST", "/", body=body, headers={
            "X-Amz-Target": f"PinpointSMSVoiceV2.{op}", "Authorization": AUTH,
            "Content-Type": "application/x-amz-json-1.0"})
        resp = conn.getresponse()
        assert 400 <= resp.status < 500
        json.loads(resp.read())
        conn.request("GET", "/_smsvoice/health")  # same connection: still serving
        health = conn.getresponse()
        assert health.status == 200 and json.loads(health.read())["status"] == "ok"
    finally:
        conn.close()


@pytest.fixture(scope="module", autouse=True)
def report_counts():
    """Print how many requests the fuzzers sent (each one is asserted on as it goes)."""
    yield
    print(f"\nrobustness: {TRIED['requests']} requests tried in-process, {TRIED['5xx']} 5xx")
