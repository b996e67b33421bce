"""The short-circuit door answers with Python objects, as botocore's Stubber does: the same
values, types and time zones botocore's parser makes of the full door's bytes, the same
ClientError, and nothing the simulator keeps. (Every response of the suite is also compared
with botocore's parse of its bytes: tests/conftest.py.)"""

from __future__ import annotations

import base64
import datetime
import json
import os
import time

import pytest
from botocore.exceptions import ClientError
from botocore.model import ShapeResolver
from botocore.parsers import create_parser
from botocore.utils import parse_timestamp
from dateutil.tz import tzlocal

from smsvoice_sim.simulator import Simulator
from smsvoice_sim.simulator.engine.clock import ManualClock
from smsvoice_sim.simulator.wire.parsed import converter, parse_epoch, parsed_differences


def _without_transport(parsed: dict) -> dict:
    """A parsed answer less what only the transport says (when, how many bytes)."""
    meta = dict(parsed["ResponseMetadata"])
    meta["HTTPHeaders"] = {k: v for k, v in meta["HTTPHeaders"].items()
                           if k not in ("date", "content-length")}
    return {**parsed, "ResponseMetadata": meta}


def _walk(client, sim: Simulator) -> list:
    """A few calls, with timestamps, lists, tags and maps; each answer or error response."""
    answers = []
    sender = client.request_sender_id(SenderId="OBJECTS", IsoCountryCode="GB",
                                      Tags=[{"Key": "team", "Value": "sms"}])
    answers.append(sender)
    pool = client.create_pool(OriginationIdentity=sender["SenderIdArn"], MessageType="TRANSACTIONAL")
    answers.append(pool)
    sim.clock.advance(5)
    answers.append(client.describe_pools(PoolIds=[pool["PoolId"]]))
    answers.append(client.list_tags_for_resource(ResourceArn=sender["SenderIdArn"]))
    answers.append(client.describe_account_limits())
    for bad in ({"PoolId": "pool-00000000000000000000000000000000"},  # not found
                {"PoolId": pool["PoolId"], "OptOutListName": "nope"}):  # a ResourceNotFound too
        with pytest.raises(ClientError) as caught:
            client.update_pool(**bad)
        answers.append(caught.value.response)
    with pytest.raises(ClientError) as caught:
        client.request_sender_id(SenderId="OBJECTS", IsoCountryCode="GB")  # a conflict
    answers.append(caught.value.response)
    return answers


def test_short_circuit_answers_and_errors_are_the_full_doors():
    start = 1_700_000_000.123456  # both simulators' clocks, to the microsecond
    full_sim = Simulator(clock=ManualClock(start), seed=11)
    fast_sim = Simulator(clock=ManualClock(start), seed=11)
    full = _walk(full_sim.client(), full_sim)
    fast = _walk(fast_sim.client(short_circuit=True), fast_sim)
    assert len(full) == len(fast)
    for theirs, ours in zip(full, fast, strict=True):
        # Request ids, Reason, ResourceType, RetryAttempts: everything but date and length.
        assert parsed_differences(_without_transport(ours), _without_transport(theirs)) == []
    created = fast[1]["CreatedTimestamp"]
    assert isinstance(created, datetime.datetime) and isinstance(created.tzinfo, tzlocal)
    assert fast[5]["Error"]["Code"] == "ResourceNotFoundException" and fast[5]["ResourceType"]
    assert fast[7]["Reason"] and fast[7]["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_an_answer_shares_nothing_with_what_the_simulator_keeps():
    sim = Simulator(clock="manual", seed=12)
    client = sim.client(short_circuit=True)
    arn = client.request_sender_id(SenderId="KEEP", IsoCountryCode="GB")["SenderIdArn"]
    first = client.create_pool(OriginationIdentity=arn, MessageType="TRANSACTIONAL",
                               ClientToken="same-token", Tags=[{"Key": "k", "Value": "v"}])
    first["Tags"].append({"Key": "mine", "Value": "x"})
    first["PoolId"] = "changed"
    again = client.create_pool(OriginationIdentity=arn, MessageType="TRANSACTIONAL",
                               ClientToken="same-token", Tags=[{"Key": "k", "Value": "v"}])
    assert again["Tags"] == [{"Key": "k", "Value": "v"}] and again["PoolId"] != "changed"
    assert client.describe_pools()["Pools"][0]["PoolId"] == again["PoolId"]


@pytest.fixture
def zone():
    """Set the process's time zone for one test, and put it back."""
    before = os.environ.get("TZ")

    def use(name: str) -> None:
        os.environ["TZ"] = name
        time.tzset()
    yield use
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


INSTANTS = (0, 1.5, 1_700_000_000, 1_700_000_000.123456, 1_711_846_799.999999,  # EU clocks go forward
            1_730_595_600.25, 1_730_599_200, 4_102_444_800)  # US clocks go back; 2100


@pytest.mark.parametrize("name", ["UTC", "Asia/Kolkata", "America/New_York", "Europe/London",
                                  "Australia/Lord_Howe"])
def test_timestamps_are_botocores_in_every_zone(zone, name):
    zone(name)
    for value in INSTANTS:
        ours, theirs = parse_epoch(value), parse_timestamp(value)
        assert parsed_differences(ours, theirs) == [], (name, value)
        assert repr(ours) == repr(theirs)
    assert parsed_differences(parse_epoch("2024-01-02T03:04:05Z"),
                              parse_timestamp("2024-01-02T03:04:05Z")) == []


@pytest.mark.parametrize("name", ["America/New_York", "Europe/London", "UTC", "Asia/Kolkata"])
def test_durations_and_order_across_a_change_of_offset_are_botocores(zone, name):
    """01:30 EDT and 01:30 EST are an hour apart: datetimes that shared one tzinfo object
    would be compared by wall-clock time (equal, 0 s apart)."""
    zone(name)
    before, after = 1_730_611_800, 1_730_615_400  # 2024-11-03 05:30 and 06:30 UTC
    ours = parse_epoch(before), parse_epoch(after)
    theirs = parse_timestamp(before), parse_timestamp(after)
    assert (ours[1] - ours[0]).total_seconds() == (theirs[1] - theirs[0]).total_seconds() == 3600
    assert (ours[0] == ours[1]) is (theirs[0] == theirs[1]) is False
    assert ours[0] < ours[1]


def test_recursive_shapes_blobs_maps_and_nulls_convert_as_botocore_parses_them():
    """Shapes this service's model does not have today (a recursive structure, blobs, maps of
    structures, null list items) convert as botocore's JSON parser reads their bytes."""
    resolver = ShapeResolver({
        "SimTestNode": {"type": "structure", "members": {
            "When": {"shape": "SimTestTime"}, "Data": {"shape": "SimTestBlob"},
            "Children": {"shape": "SimTestNodes"}, "ByName": {"shape": "SimTestNodeMap"},
            "Renamed": {"shape": "SimTestTime", "locationName": "renamed_on_the_wire"}}},
        "SimTestNodes": {"type": "list", "member": {"shape": "SimTestNode"}},
        "SimTestNodeMap": {"type": "map", "key": {"shape": "SimTestName"},
                           "value": {"shape": "SimTestNode"}},
        "SimTestTime": {"type": "timestamp"}, "SimTestBlob": {"type": "blob"},
        "SimTestName": {"type": "string"}})
    shape = resolver.get_shape_by_name("SimTestNode")
    value = {"When": 1_700_000_000.5, "Data": base64.b64encode(b"\x00\xff").decode(),
             "renamed_on_the_wire": 5, "Renamed": 6, "Unknown": 1,
             "Children": [{"When": 1, "Children": [None, {"Data": ""}]}, None],
             "ByName": {"a": {"When": 2}, "b": None}}
    theirs = create_parser("json").parse({"status_code": 200, "headers": {},
                                          "body": json.dumps(value).encode()}, shape)
    theirs.pop("ResponseMetadata")
    ours = converter(shape)(value)
    assert parsed_differences(ours, theirs) == []
    assert ours["Children"][0]["Children"][1]["Data"] == b"" and ours["Renamed"].second == 5
