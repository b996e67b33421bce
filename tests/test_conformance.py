"""The walker that checks every response of the suite must itself be able to fail."""

from __future__ import annotations

import json

from smsvoice_sim.simulator.wire.conformance import check_response

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
