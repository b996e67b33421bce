"""A door stopped and started again on the same port while a client still holds a
keep-alive connection to the old one: both `replay` and `simulate` start (as a listener
does, the port check ignores connections left from the last run; a live listener still
makes it refuse)."""

from __future__ import annotations

import http.client
import socket

import pytest

from helpers import cli_server
from upstreams import TARGET, shipped_copy

pytest_plugins = ["upstreams"]  # its fixtures: confdir


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def ask(conn: http.client.HTTPConnection) -> int:
    conn.request("POST", "/", body=b"{}", headers={"X-Amz-Target": TARGET + "DescribePools",
                                                   "Content-Type": "application/x-amz-json-1.0"})
    response = conn.getresponse()
    response.read()
    return response.status


@pytest.mark.parametrize("command", ["replay", "simulate"])
def test_a_door_restarts_on_its_port_while_a_client_holds_a_connection(command, tmp_path,
                                                                        confdir):
    port = free_port()
    args = ["simulate", "--listen", f"127.0.0.1:{port}"] if command == "simulate" else \
        ["replay", "--cassette", str(shipped_copy(tmp_path)), "--listen", f"127.0.0.1:{port}",
         "--confdir", confdir]
    held = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        with cli_server(*args):
            assert ask(held) in (200, 400)  # answered; the connection stays open
        with cli_server(*args):  # the same port, the old connection still held
            assert ask(http.client.HTTPConnection("127.0.0.1", port, timeout=30)) in (200, 400)
    finally:
        held.close()


def test_a_port_with_a_live_listener_is_still_refused(tmp_path, confdir):
    with socket.socket() as taken:
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        from helpers import run_cli
        result = run_cli("replay", "--cassette", str(shipped_copy(tmp_path)), "--listen",
                         f"127.0.0.1:{port}", "--confdir", confdir)
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
