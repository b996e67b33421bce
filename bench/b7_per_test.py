"""7. What a test suite pays per test: a fresh Simulator + client + one call, against a
bare boto3 client + Stubber + one call and moto's mock_aws + client + one call."""

from __future__ import annotations

import boto3
from botocore.stub import Stubber

from smsvoice_sim.simulator import Simulator

from .common import Table, per_call_us, verdict

CREDS = {"aws_access_key_id": "AKIABENCH00000000000", "aws_secret_access_key": "bench"}


def _ours() -> None:
    client = Simulator(clock="manual").client(region_name="us-east-1", **CREDS)
    client.describe_pools()


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
    ours = per_call_us(_ours, calls=20, rounds=5, warmup=3) / 1000
    stub = per_call_us(_stubbed, calls=20, rounds=5, warmup=3) / 1000
    moto = per_call_us(_moto, calls=5, rounds=3, warmup=1) / 1000
    table.add("7a per test: fresh Simulator + client + one call vs boto3 client + Stubber",
              f"{ours:.1f} ms", f"{stub:.1f} ms", f"{ours / stub:.2f}×",
              verdict(ours <= 1.5 * stub, "≤ 1.5×"))
    table.add("7b per test: fresh Simulator + client + one call vs moto mock_aws + client",
              f"{ours:.1f} ms", f"{moto:.1f} ms", f"{moto / ours:.1f}× faster", "(reported)")
