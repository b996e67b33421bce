"""110 of 110: every operation of the installed botocore model is simulated. Each gets
model-valid requests built from the model and answers like AWS (never UNKNOWN_OPERATION,
never a 5xx). An operation a newer botocore adds is reported by name, not failed on; an
operation of the recorded list that stops working fails."""

from __future__ import annotations

import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from test_validation import call

from smsvoice_sim.simulator import Simulator
from smsvoice_sim.simulator.wire.coverage import COVERED_OPERATIONS
from smsvoice_sim.simulator.wire.model import operation, operation_names

from strategies import valid

MODEL = sorted(operation_names())
NEWER = sorted(set(MODEL) - COVERED_OPERATIONS)


def test_every_recorded_operation_is_simulated():
    assert sorted(COVERED_OPERATIONS - set(Simulator().handlers)) == []


def test_operations_newer_than_the_record_are_reported_not_failed():
    if NEWER:
        warnings.warn(f"botocore's model has operations newer than smsvoice-sim covers: "
                      f"{', '.join(NEWER)}", stacklevel=1)
    assert set(MODEL) - set(NEWER) <= COVERED_OPERATIONS


@pytest.mark.parametrize("op", [op for op in MODEL if op in COVERED_OPERATIONS])
def test_model_valid_requests_are_answered(op):
    @settings(max_examples=3, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(params=valid(operation(op).input_shape))
    def check(params):
        status, body = call(op, params)
        assert status < 500, body
        assert body.get("Reason") != "UNKNOWN_OPERATION", body

    check()


def test_a_newer_operation_says_it_is_newer(monkeypatch):
    import smsvoice_sim.simulator.pipeline as pipeline
    sim = Simulator()
    del sim.handlers["DescribePools"]
    status, body = call("DescribePools", {}, sim=sim)
    assert body["Reason"] == "UNKNOWN_OPERATION" and "newer" not in body["Message"]
    monkeypatch.setattr(pipeline, "COVERED_OPERATIONS", COVERED_OPERATIONS - {"DescribePools"})
    status, body = call("DescribePools", {}, sim=sim)
    assert status == 400 and body["Reason"] == "UNKNOWN_OPERATION"
    assert "newer than the 109 operations smsvoice-sim covers" in body["Message"]
