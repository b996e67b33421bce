"""Injected faults and rate limits: only values a test could mean get in."""

from __future__ import annotations

import math

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from smsvoice_sim.simulator import Simulator
from smsvoice_sim.simulator.engine.faults import MAX_LATENCY_MS, Faults, RateLimiter

from helpers import control

NO_RETRY = Config(retries={"total_max_attempts": 1})


@pytest.mark.parametrize("rate", [math.nan, math.inf, -math.inf, float("1e400"), 0, 0.0, -0.5, 1.0001,
                                  "0.5", True])
def test_a_rate_that_is_not_a_probability_is_refused(rate):
    faults = Faults(seed=1)
    with pytest.raises(ValueError, match='"rate" must be'):
        faults.add("DescribePools", "ThrottlingException", rate=rate)
    assert faults.rules == []


@pytest.mark.parametrize("latency", [math.nan, math.inf, float("1e400"), -1, -0.001,
                                     MAX_LATENCY_MS + 1, 1e308, "150", False])
def test_a_latency_that_is_not_a_duration_is_refused(latency):
    faults = Faults(seed=1)
    with pytest.raises(ValueError, match='"latency_ms" must be'):
        faults.add("DescribePools", latency_ms=latency)
    with pytest.raises(ValueError, match='"latency_ms" must be'):
        faults.add("DescribePools", "ThrottlingException", count=1, latency_ms=latency)
    assert faults.rules == []


@pytest.mark.parametrize("count", [0, -1, 1.5, True, "2"])
def test_a_count_that_is_not_a_whole_number_is_refused(count):
    with pytest.raises(ValueError, match='"count" must be a whole number'):
        Faults().add("DescribePools", "ThrottlingException", count=count)


def test_what_each_kind_of_fault_needs():
    faults = Faults(seed=1)
    assert faults.add("DescribePools", latency_ms=5).describe() == {
        "operation": "DescribePools", "latency_ms": 5.0}  # latency alone: every call
    assert faults.add("DescribePools", "ThrottlingException", rate=1).rate == 1.0
    for bad in ({"error": "ThrottlingException"},  # an error needs count or rate
                {"error": "ThrottlingException", "count": 1, "rate": 0.5},
                {"count": 1, "rate": 0.5, "latency_ms": 1},
                {}):  # nothing to inject
        with pytest.raises(ValueError):
            faults.add("DescribePools", **bad)
    assert len(faults.rules) == 2


def test_clear_and_reset_forget_faults_and_buckets():
    faults = Faults(seed=1)
    faults.add("DescribePools", latency_ms=5)
    faults.add("CreatePool", "ThrottlingException", count=3)
    assert faults.clear("CreatePool") == 1 and len(faults.rules) == 1
    assert faults.clear() == 1 and faults.rules == []

    limiter = RateLimiter({"DescribePools": 1.0})
    limiter.check("123456789012", "us-east-1", "DescribePools", now=100.0)
    with pytest.raises(Exception, match="Rate exceeded"):
        limiter.check("123456789012", "us-east-1", "DescribePools", now=100.0)
    limiter.reset()
    limiter.check("123456789012", "us-east-1", "DescribePools", now=100.0)  # a full bucket again
    assert limiter.limits == {"DescribePools": 1.0}


def test_non_finite_values_over_the_control_api_are_a_400(server):
    # json.dumps writes NaN and Infinity as bare words, which Python's json reads back.
    for payload in ({"operation": "DescribePools", "latency_ms": math.inf},
                    {"operation": "DescribePools", "latency_ms": math.nan},
                    {"operation": "DescribePools", "error": "ThrottlingException", "rate": math.nan},
                    {"operation": "DescribePools", "error": "ThrottlingException", "rate": 2},
                    {"operation": "DescribePools", "error": "ThrottlingException", "rate": "often"}):
        status, answer = control(server.url, "/_smsvoice/faults", payload)
        # Refused where it comes in: the control API's JSON reader (NaN, Infinity) or its
        # range check, each naming the number.
        assert status == 400 and ("finite" in answer["error"] or "must be" in answer["error"]), \
            (payload, answer)
    status, listed = control(server.url, "/_smsvoice/faults")
    assert status == 200 and listed["faults"] == []


def test_a_throttling_fault_still_answers_like_aws():
    sim = Simulator(clock="manual", seed=3)
    sim.faults.add("DescribePools", "ThrottlingException", rate=1.0)
    with pytest.raises(ClientError) as exc:
        sim.client(config=NO_RETRY).describe_pools()
    assert exc.value.response["Error"]["Code"] == "ThrottlingException"
