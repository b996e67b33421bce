"""4. Recording overhead: latency added by `smsvoice-sim record` (mitmproxy, reverse,
re-signing, a SQLite commit per interaction) over calling the upstream directly."""

from __future__ import annotations

import shutil
import tempfile

import boto3
from botocore.config import Config

from smsvoice_sim.proxy.processes import cli_server

from .common import Table, latencies_us, percentile

CREDS = {"aws_access_key_id": "AKIABENCH00000000000", "aws_secret_access_key": "bench"}
CONFIG = Config(retries={"max_attempts": 1})
CALLS = 500


def _client(url: str):
    return boto3.client("pinpoint-sms-voice-v2", region_name="us-east-1", endpoint_url=url,
                        config=CONFIG, **CREDS)


def run(table: Table) -> None:
    folder = tempfile.mkdtemp(prefix="smsvoice-bench-")
    env = {"AWS_ACCESS_KEY_ID": CREDS["aws_access_key_id"],
           "AWS_SECRET_ACCESS_KEY": CREDS["aws_secret_access_key"]}
    try:
        with cli_server("simulate", "--listen", "127.0.0.1:0", "--clock", "manual") as (up, _p):
            direct = _client(up.group(1))
            direct.describe_pools()
            direct_lat = latencies_us(direct.describe_pools, CALLS)
            with cli_server("record", "--cassette", f"{folder}/rec.db", "--listen",
                            "127.0.0.1:0", "--upstream", up.group(1), "--confdir", folder,
                            env=env) as (rec, _r):
                recorded = _client(rec.group(1))
                recorded.describe_pools()
                rec_lat = latencies_us(recorded.describe_pools, CALLS)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    for p in (50, 99):
        added = percentile(rec_lat, p) - percentile(direct_lat, p)
        table.add(f"4{'a' if p == 50 else 'b'} recording overhead p{p}",
                  f"{percentile(rec_lat, p) / 1000:.2f} ms",
                  f"{percentile(direct_lat, p) / 1000:.2f} ms (direct)",
                  f"+{added / 1000:.2f} ms", "(reported)")
