"""Valid-shaped but hostile input: null members, NaN/Infinity, numbers out of any range,
deep nesting. Every answer is a 4xx AWS would send, never a 500, and every answer is
JSON a strict parser reads (no NaN/Infinity ever leaves the simulator)."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smsvoice_sim.simulator import HttpRequest, Simulator
from smsvoice_sim.simulator.wire.http import json_response
from smsvoice_sim.simulator.wire.json_read import MAX_DEPTH, JsonRefused, nesting_depth, read_json
from smsvoice_sim.simulator.wire.model import operation

from strategies import valid

AUTH = ("AWS4-HMAC-SHA256 Credential=AKIAFUZZFUZZFUZZ0000/20260101/us-east-1/sms-voice/"
        "aws4_request, SignedHeaders=host, Signature=" + "0" * 64)
# Numbers as raw JSON tokens: a sentinel string in the document is replaced by the token.
HOSTILE_TOKENS = ["NaN", "Infinity", "-Infinity", "1e400", "-1e400", "1" + "0" * 400,
                  "1e20", "-1e20", "100000000000000000000", "-9223372036854775809",
                  "2147483648", "1e-400", "0.5", "-1"]
HOSTILE = st.sampled_from([None, *(f"\x00{token}\x00" for token in HOSTILE_TOKENS)])


def strict_json(body: bytes):
    """Parse as RFC 8259 JSON: NaN, Infinity and out-of-range numbers are refused."""
    def refuse(name):
        raise AssertionError(f"the answer holds {name}, which is not JSON")

    def finite(text):
        assert math.isfinite(float(text)), f"the answer holds {text}, out of range"
        return float(text)
    return json.loads(body, parse_constant=refuse, parse_float=finite)


def send(sim: Simulator, op: str, body: bytes | str):
    return sim.handle(HttpRequest(
        "POST", "https://sms-voice.us-east-1.amazonaws.com/",
        {"X-Amz-Target": f"PinpointSMSVoiceV2.{op}", "Authorization": AUTH,
         "Content-Type": "application/x-amz-json-1.0"},
        body.encode() if isinstance(body, str) else body))


def as_raw_json(params) -> str:
    text = json.dumps(params)
    for token in HOSTILE_TOKENS:
        text = text.replace(json.dumps(f"\x00{token}\x00"), token)
    return text


@st.composite
def poisoned(draw, shape, depth: int = 0):
    """A valid value of `shape` in which members, at any depth, are hostile values."""
    value = draw(valid(shape, depth))
    return draw(_poison(shape, value, depth))


@st.composite
def _poison(draw, shape, value, depth: int):
    if draw(st.integers(0, 3)) == 0:
        return draw(HOSTILE)
    if shape.type_name == "structure" and isinstance(value, dict) and depth < 6:
        out = {}
        for name, member in shape.members.items():
            if name in value:
                out[name] = draw(_poison(member, value[name], depth + 1))
            elif draw(st.integers(0, 4)) == 0:
                out[name] = draw(HOSTILE)
        return out
    if shape.type_name == "list" and isinstance(value, list) and depth < 6:
        return [draw(_poison(shape.member, item, depth + 1)) for item in value]
    return value


@pytest.mark.parametrize("op", sorted(Simulator().handlers))
@settings(max_examples=8, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_hostile_members_get_a_4xx_and_every_answer_is_strict_json(op, data):
    shape = operation(op).input_shape
    params = data.draw(poisoned(shape)) if shape is not None else {}
    response = send(SIMS.setdefault(op, Simulator(clock="instant", seed=5)), op, as_raw_json(params))
    assert response.status < 500, response.body[:400]
    strict_json(response.body)


SIMS: dict[str, Simulator] = {}


@pytest.fixture
def sim():
    return Simulator(clock="manual", seed=3)


@pytest.mark.parametrize("op, body", [
    ("CreateRcsAgent", {"OptOutListName": None}),
    ("RequestPhoneNumber", {"IsoCountryCode": "US", "MessageType": "TRANSACTIONAL",
                            "NumberCapabilities": ["SMS"], "NumberType": "TOLL_FREE",
                            "OptOutListName": None, "PoolId": None, "Tags": None}),
    ("CreateOptOutList", {"OptOutListName": "list", "Tags": None, "ClientToken": None}),
    ("DescribePools", {"PoolIds": None, "Filters": [{"Name": "status", "Values": ["ACTIVE"]}],
                       "NextToken": None, "MaxResults": None}),
])
def test_a_null_member_is_an_absent_one(sim, op, body):
    response = send(sim, op, json.dumps(body))
    assert response.status == 200, response.body


def test_a_null_required_member_is_missing_and_a_null_in_a_list_is_a_serialization_error(sim):
    missing = send(sim, "CreateOptOutList", '{"OptOutListName": null}')
    assert missing.status == 400
    assert "Member must not be null" in strict_json(missing.body)["Message"]
    in_list = send(sim, "DescribePools", '{"PoolIds": ["pool-1", null]}')
    assert in_list.status == 400 and strict_json(in_list.body)["__type"] == "SerializationException"


@pytest.fixture
def protect(sim):
    client = sim.client()
    pc = client.create_protect_configuration()["ProtectConfigurationId"]
    return client, pc


@pytest.mark.parametrize("token, error", [
    ("1" + "0" * 400, "ValidationException"), ("1e20", "ValidationException"),
    ("-1e20", "ValidationException"), ("NaN", "SerializationException"),
    ("Infinity", "SerializationException"), ("-Infinity", "SerializationException"),
    ("1e400", "SerializationException"),
])
def test_an_out_of_range_timestamp_is_refused_and_listing_still_works(sim, protect, token, error):
    client, pc = protect
    response = send(sim, "PutProtectConfigurationRuleSetNumberOverride",
                    f'{{"ProtectConfigurationId": "{pc}", "DestinationPhoneNumber": "+12065550100", '
                    f'"Action": "ALLOW", "ExpirationTimestamp": {token}}}')
    answer = strict_json(response.body)
    assert (response.status, answer["__type"]) == (400, error), answer
    if error == "ValidationException":
        assert answer["Fields"][0]["Name"] == "expirationTimestamp"
        assert len(answer["Message"]) < 1000
    listed = client.list_protect_configuration_rule_set_number_overrides(ProtectConfigurationId=pc)
    assert listed["RuleSetNumberOverrides"] == []


def test_the_first_and_last_representable_timestamps_are_taken(sim, protect):
    client, pc = protect
    for when, status in ((253402300799, 200), (-62135596800, 200), (253402300800, 400),
                         (-62135596801, 400)):
        response = send(sim, "PutProtectConfigurationRuleSetNumberOverride", json.dumps({
            "ProtectConfigurationId": pc, "DestinationPhoneNumber": "+12065550100",
            "Action": "ALLOW", "ExpirationTimestamp": when}))
        assert response.status == status, response.body
    client.list_protect_configuration_rule_set_number_overrides(ProtectConfigurationId=pc)


def test_an_answer_never_carries_nan_or_infinity():
    response = json_response(200, {"Value": float("nan")})
    assert response.status == 500
    assert strict_json(response.body)["__type"] == "InternalServerException"


@pytest.mark.parametrize("text, why", [
    ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), "nests deeper"),
    ("[" * 5000 + "]" * 5000, "nests deeper"),
    ("[" * 100_000, "nests deeper"),
    ('{"a": NaN}', "NaN"), ("[Infinity]", "Infinity"), ("[-Infinity]", "Infinity"),
    ("[1e400]", "out of range"), ("[" + "9" * 5000 + "]", "digits"),
    (b"\xff{}", "not UTF-8"), ("{", "Expecting"),
])
def test_read_json_refuses_with_a_reason(text, why):
    with pytest.raises(JsonRefused, match=why):
        read_json(text)


def test_read_json_reads_what_is_deep_only_inside_strings_and_refuses_what_is_too_large():
    text = json.dumps({"a": "[" * 10_000, "b": [[[1.5]]]})
    assert nesting_depth(text) == 4
    assert read_json(text)["b"] == [[[1.5]]]
    deepest = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert nesting_depth(deepest) == MAX_DEPTH and isinstance(read_json(deepest), list)
    with pytest.raises(JsonRefused, match="larger than 10 bytes"):
        read_json("[" + "1," * 10 + "1]", max_bytes=10)


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 5_000, 100_000])
def test_a_deep_request_body_is_a_serialization_error_on_every_python(sim, depth):
    response = send(sim, "DescribePools", '{"PoolIds": ' + "[" * depth + "]" * depth + "}")
    assert (response.status, strict_json(response.body)["__type"]) == (400, "SerializationException")


def test_a_deep_body_with_a_string_never_closed_is_refused_in_one_pass(sim):
    """An unclosed string full of escaped quotes: the depth scan used to retry the string at
    every quote (quadratic: 80 KB held a request 19 s, this 1 MiB body about an hour); the
    string now runs to the end of the text and the brackets before it still count."""
    text = "[" * (MAX_DEPTH + 1) + '"' + '\\"' * (512 * 1024)
    assert nesting_depth(text) == MAX_DEPTH + 1
    with pytest.raises(JsonRefused, match="deeper than"):
        read_json(text)
    response = send(sim, "DescribePools", text)
    assert (response.status, strict_json(response.body)["__type"]) == (400, "SerializationException")
    assert nesting_depth('["a\\\\", ["]"], "\\"[", ["b\\\\') == 2
