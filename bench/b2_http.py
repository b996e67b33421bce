"""2. HTTP endpoint: describe_pools against `smsvoice-sim simulate` against moto_server
(logs.describe_log_groups), keep-alive, same client settings; plus the mitmproxy door."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import boto3
from botocore.config import Config

from smsvoice_sim.proxy.processes import cli_server

from .common import Table, per_call_us, verdict

CREDS = {"aws_access_key_id": "AKIABENCH00000000000", "aws_secret_access_key": "bench"}
CONFIG = Config(retries={"max_attempts": 1}, max_pool_connections=1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _moto_server():
    port = _free_port()
    exe = shutil.which("moto_server", path=str(Path(sys.executable).parent)) or "moto_server"
    proc = subprocess.Popen([exe, "-p", str(port), "-H", "127.0.0.1"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):  # bounded: 30 s
        try:
            urllib.request.urlopen(url + "/moto-api/", timeout=1).close()
            return proc, url
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("moto_server did not start")


def run(table: Table) -> None:
    moto, moto_url = _moto_server()
    try:
        logs = boto3.client("logs", region_name="us-east-1", endpoint_url=moto_url,
                            config=CONFIG, **CREDS)
        for i in range(5):
            logs.create_log_group(logGroupName=f"bench-{i}")
        moto_us = per_call_us(logs.describe_log_groups, calls=300)
    finally:
        moto.terminate()
        moto.wait(timeout=10)
    with cli_server("simulate", "--listen", "127.0.0.1:0", "--clock", "manual") as (ready, _p):
        sms = boto3.client("pinpoint-sms-voice-v2", region_name="us-east-1",
                           endpoint_url=ready.group(1), config=CONFIG, **CREDS)
        arn = sms.request_sender_id(SenderId="BENCH", IsoCountryCode="US")["SenderIdArn"]
        for _ in range(5):
            sms.create_pool(OriginationIdentity=arn, MessageType="TRANSACTIONAL")
        sim_us = per_call_us(sms.describe_pools, calls=300)
    mitm_us = _mitmproxy_door()
    table.add("2a HTTP describe_pools (simulate) vs moto_server describe_log_groups",
              f"{sim_us:.0f} µs", f"{moto_us:.0f} µs", f"{sim_us / moto_us:.2f}×",
              verdict(sim_us <= 0.5 * moto_us, "≤ 0.5×"))
    table.add("2b same call answered by the mitmproxy door (replay)", f"{mitm_us:.0f} µs",
              f"{sim_us:.0f} µs (stdlib door)", f"{mitm_us / sim_us:.1f}×",
              "(why simulate does not run on mitmproxy)")


def _mitmproxy_door() -> float:
    """describe_pools replayed through mitmproxy, the door record/replay use."""
    from smsvoice_sim.proxy.http_server import EndpointServer, simulator_answer
    from smsvoice_sim.simulator import Simulator
    folder = tempfile.mkdtemp(prefix="smsvoice-bench-")
    cassette = os.path.join(folder, "c.db")
    env = {"AWS_ACCESS_KEY_ID": CREDS["aws_access_key_id"],
           "AWS_SECRET_ACCESS_KEY": CREDS["aws_secret_access_key"]}
    try:
        with EndpointServer(simulator_answer(Simulator())) as up, \
                cli_server("record", "--cassette", cassette, "--listen", "127.0.0.1:0",
                           "--upstream", up.url, "--confdir", folder, env=env) as (ready, _p):
            boto3.client("pinpoint-sms-voice-v2", region_name="us-east-1",
                         endpoint_url=ready.group(1), **CREDS).describe_pools()
        with cli_server("replay", "--cassette", cassette, "--listen", "127.0.0.1:0",
                        "--confdir", folder) as (ready, _p):
            sms = boto3.client("pinpoint-sms-voice-v2", region_name="us-east-1",
                               endpoint_url=ready.group(1), config=CONFIG, **CREDS)
            return per_call_us(sms.describe_pools, calls=300)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
