"""Nothing blocks mitmproxy's event loop: injected latency holds one request, not the
proxy; a signal during a long fault stops the proxy at once."""

from __future__ import annotations

import signal
import threading
import time

import boto3
import pytest
from botocore.config import Config

from helpers import cli_server, control
from upstreams import CREDS, shipped_copy

pytest_plugins = ["upstreams"]  # its fixtures: upstream, confdir

ONE_TRY = Config(retries={"max_attempts": 1, "mode": "standard"}, read_timeout=60)


def simulating_replay(tmp_path, upstream, confdir):
    return cli_server("replay", "--cassette", str(shipped_copy(tmp_path)), "--listen",
                      "127.0.0.1:0", "--upstream", upstream.url, "--confdir", confdir,
                      "--on-miss", "simulate", "--clock", "manual")


def client_for(url: str):
    return boto3.client("pinpoint-sms-voice-v2", region_name="us-east-1", endpoint_url=url,
                        config=ONE_TRY, **CREDS)


def test_latency_holds_one_request_while_others_are_answered(tmp_path, upstream, confdir):
    with simulating_replay(tmp_path, upstream, confdir) as (ready, _proc):
        url = ready.group(1)
        status, _ = control(url, "/_smsvoice/faults", {"operation": "DescribeAccountLimits",
                                                       "latency_ms": 3000})
        assert status == 200
        clients = [client_for(url) for _ in range(4)]
        for c in clients[1:]:
            c.describe_opt_out_lists()  # warm: connections and botocore's loaders
        finished: dict[str, float] = {}
        started = time.monotonic()

        def held():
            clients[0].describe_account_limits()
            finished["held"] = time.monotonic() - started

        def other(i):
            for _ in range(5):
                clients[i].describe_opt_out_lists()
            finished[f"other{i}"] = time.monotonic() - started
        threads = [threading.Thread(target=held)]
        threads += [threading.Thread(target=other, args=(i,)) for i in (1, 2, 3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    assert finished["held"] >= 2.9
    for i in (1, 2, 3):  # generous bound: they did not wait for the held one
        assert finished[f"other{i}"] < finished["held"] - 1.5, finished
    assert upstream.hits == 0


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_during_a_20s_fault_stops_within_2s(tmp_path, upstream, confdir, sig):
    with simulating_replay(tmp_path, upstream, confdir) as (ready, proc):
        url = ready.group(1)
        control(url, "/_smsvoice/faults", {"operation": "DescribeAccountLimits",
                                           "latency_ms": 20000})
        held = threading.Thread(target=lambda: _ignore_errors(client_for(url).describe_account_limits),
                                daemon=True)
        held.start()
        deadline = time.monotonic() + 30
        while control(url, "/_smsvoice/health")[1]["simulated"] < 1:  # the fault is holding it
            assert time.monotonic() < deadline
            held.join(0.05)
        signalled = time.monotonic()
        proc.send_signal(sig)
        proc.wait(timeout=25)
        took = time.monotonic() - signalled
    assert took < 2.0, took


def _ignore_errors(call):
    try:
        call()
    except Exception:  # noqa: BLE001 - the proxy is going away; only its exit time matters
        pass
