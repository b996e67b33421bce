"""7. What a test suite pays per test: a fresh Simulator + client + one call, against a
bare boto3 client + Stubber + one call and moto's mock_aws + client + one call."""

from __future__ import annotations

import time

import boto3
from botocore.stub import Stubber

from smsvoice_sim.simulator import Simulator

from .common import Table, paired_ratio, per_call_us, verdict

CREDS = {"aws_access_key_id": "AKIABENCH00000000000", "aws_secret_access_key": "bench"}


def _ours(short_circuit: bool):
    def one_test() -> None:
        client = Simulator(clock="manual").client(region_name="us-east-1",
                                                  short_circuit=short_circuit, **CREDS)
        client.describe_pools()
    return one_test


def _stubbed() -> None:
    client = boto3.client("pinpoint-sms-voice-v2", region_name="us-east-1", **CREDS)
    with Stubber(client) as stubber:
        stubber.add_response("describe_pools", {"Pools": []})
        client.describe_pools()


def _moto() -> None:
    from moto import mock_aws
    with mock_aws():
        boto3.client("logs", region_name="us-east-1", **CREDS).describe_log_groups()


def run(table: Table) -> None:
    fast, stub, fast_ratio = paired_ratio(_ours(True), _stubbed, calls=10, pairs=15, warmup=3)
    full, _stub, full_ratio = paired_ratio(_ours(False), _stubbed, calls=10, pairs=15, warmup=3)
    moto = per_call_us(_moto, calls=5, rounds=3, warmup=1, clock=time.thread_time)
    table.add("7a per test: fresh Simulator + short-circuit client + one call vs boto3 client + "
              "Stubber", f"{fast / 1000:.2f} ms", f"{stub / 1000:.2f} ms", f"{fast_ratio:.2f}×",
              verdict(fast_ratio <= 1.2, "≤ 1.2×"))
    table.add("7a' the same with the full in-process door (signing, retry loop)",
              f"{full / 1000:.2f} ms", f"{_stub / 1000:.2f} ms", f"{full_ratio:.2f}×", "(reported)")
    table.add("7b per test: fresh Simulator + client + one call vs moto mock_aws + client",
              f"{fast / 1000:.2f} ms", f"{moto / 1000:.1f} ms", f"{moto / fast:.1f}× faster",
              "(reported)")
