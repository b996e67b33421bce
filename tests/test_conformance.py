"""The walkers that check every response of the suite must themselves be able to fail."""

from __future__ import annotations

import datetime
import json

from smsvoice_sim.simulator.wire.conformance import check_response
from smsvoice_sim.simulator.wire.parsed import check_parsed, parse_epoch, parsed_differences

from conftest import audited_violations

GOOD_POOL = {"PoolArn": "arn:aws:sms-voice:us-east-1:123456789012:pool/pool-1", "PoolId": "pool-1",
             "Status": "ACTIVE", "MessageType": "TRANSACTIONAL", "TwoWayEnabled": False,
             "SelfManagedOptOutsEnabled": False, "OptOutListName": "Default",
             "SharedRoutesEnabled": False, "DeletionProtectionEnabled": False,
             "CreatedTimestamp": 1.7e9}


def test_a_conforming_response_passes():
    assert check_response("DescribePools", 200, {"Pools": [GOOD_POOL]}) == []


def test_every_kind_of_violation_is_caught():
    bad = {**GOOD_POOL, "Status": "PAUSED", "Extra": 1, "CreatedTimestamp": "yesterday",
           "TwoWayEnabled": "no"}
    del bad["PoolArn"]
    found = check_response("DescribePools", 200, {"Pools": [bad]})
    assert "$.Pools[0].PoolArn: required member missing" in found
    assert "$.Pools[0].Extra: not a member of PoolInformation" in found
    assert "$.Pools[0].Status: 'PAUSED' is not in PoolStatus's enum" in found
    assert "$.Pools[0].CreatedTimestamp: expected timestamp, got str" in found
    assert "$.Pools[0].TwoWayEnabled: expected boolean, got str" in found
    assert check_response("DescribePools", 200, {"Pools": {}}) == [
        "$.Pools: expected list, got dict"]


def test_errors_are_held_to_their_own_shape_and_operation():
    assert check_response("CreatePool", 400, {"__type": "ConflictException", "Message": "m",
                                              "Reason": "LAST_PHONE_NUMBER"}) == []
    assert check_response("CreatePool", 400, {"__type": "ConflictException", "Message": "m",
                                              "Reason": "NOT_A_REASON"})
    assert check_response("CreatePool", 400, {"__type": "ConflictException", "Bogus": 1})
    # RequestSenderId's model does not list ResourceNotFoundException.
    assert check_response("RequestSenderId", 400, {"__type": "ResourceNotFoundException",
                                                   "Message": "m"})
    assert check_response("CreatePool", 200 - 1, {"__type": "ConflictException", "Message": "m"})
    assert check_response("", 400, {"__type": "UnknownOperationException", "message": "m"}) == []
    assert check_response("", 400, {"__type": "MissingAuthenticationTokenException",
                                    "message": "m", "Leak": "x"})


def test_the_session_audit_reports_a_bad_line(tmp_path):
    log = tmp_path / "audit.jsonl"
    log.write_text("\n".join(json.dumps(e) for e in [
        {"operation": "DescribePools", "status": 200, "body": {"Pools": [GOOD_POOL]}},
        {"operation": "DescribePools", "status": 200, "body": {"Pools": [{"PoolId": 1}]}},
    ]) + "\n")
    count, found = audited_violations(str(log))
    assert count == 2 and found and all(f.startswith("DescribePools 200:") for f in found)


def test_the_audit_reports_short_circuit_objects_botocore_would_not_make(tmp_path):
    log = tmp_path / "audit.jsonl"
    body = {"Pools": [GOOD_POOL]}
    log.write_text("\n".join(json.dumps(e) for e in [
        {"operation": "DescribePools", "status": 200, "body": body, "parsed": []},
        {"operation": "DescribePools", "status": 200, "body": body,
         "parsed": ["$.Pools[0].PoolId: Named here, str from botocore"]},
        {"operation": "DescribePools", "status": 200, "body": body},  # never compared
    ]) + "\n")
    operations: set[str] = set()
    count, found = audited_violations(str(log), operations)
    assert count == 3 and operations == {"DescribePools"}
    assert found == ["DescribePools 200 short-circuit objects: $.Pools[0].PoolId: Named here, "
                     "str from botocore", "DescribePools 200: not compared with botocore's parse"]


class Named(str):
    """A str subclass: equal to its text, but not the type botocore's parser gives."""


def test_the_comparison_sees_types_members_and_zones_that_equality_does_not():
    wire = json.dumps({"Pools": [GOOD_POOL]}).encode()
    headers = {"x-amzn-RequestId": "r", "Content-Type": "application/x-amz-json-1.0"}
    assert check_parsed("DescribePools", {"Pools": [GOOD_POOL]}, 200, headers, wire) == []
    odd = {**GOOD_POOL, "PoolId": Named("pool-1"), "Extra": 1}
    found = check_parsed("DescribePools", {"Pools": [odd]}, 200, headers, wire)
    assert found == ["$.Pools[0].PoolId: Named here, str from botocore"]  # Extra is not a member
    utc = datetime.datetime.fromtimestamp(1.7e9, datetime.UTC)
    local = parse_epoch(1.7e9)
    assert utc == local and parsed_differences(utc, local)  # same instant, other zone type
    assert parsed_differences({"A": 1}, {"A": 1, "B": 2}) == ["$.B: missing here"]
    assert parsed_differences([1], [1.0]) == ["$[0]: int here, float from botocore"]
