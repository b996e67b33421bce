"""CLI flags that reach the doors: the stdlib door's idle timeout, and the warning a
record/replay listener prints when other machines can reach it."""

from __future__ import annotations

import socket
import time
from urllib.parse import urlparse

from helpers import ROOT, cli_server, run_cli


def test_idle_timeout_must_be_positive():
    result = run_cli("simulate", "--listen", "127.0.0.1:0", "--idle-timeout", "0")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "idle_timeout" in result.stderr


def test_idle_timeout_closes_a_silent_connection():
    with cli_server("simulate", "--listen", "127.0.0.1:0", "--idle-timeout", "0.3") as (ready, _):
        url = urlparse(ready.group(1))
        with socket.create_connection((url.hostname, url.port), timeout=10) as idle:
            started = time.monotonic()
            assert idle.recv(1) == b""  # the server hung up on the silent client
            assert time.monotonic() - started < 9


def test_a_replay_listener_on_every_interface_warns_what_it_exposes():
    cassette = ROOT / "cassettes" / "pool_lifecycle.db"
    with cli_server("replay", "--cassette", str(cassette), "--listen", "0.0.0.0:0",
                    "--control-token", "t0ken", ready=r"(http://0\.0\.0\.0:\d+)") as (_, proc):
        said = "".join(proc.seen)
    assert "reachable from other machines" in said and "recorded responses" in said, said
    assert "no token" not in said  # the control API is behind the token


def test_a_loopback_listener_says_nothing_of_exposure():
    cassette = ROOT / "cassettes" / "pool_lifecycle.db"
    with cli_server("replay", "--cassette", str(cassette), "--listen", "127.0.0.1:0") as (_, proc):
        said = "".join(proc.seen)
    assert "reachable from other machines" not in said
