"""The stdlib door closes keep-alive connections that stay silent, so clients that
connect and idle cannot take every file descriptor (and thread) it has."""

from __future__ import annotations

import http.client
import socket
import sys
import textwrap

import pytest

from smsvoice_sim.proxy.http_server import IDLE_TIMEOUT_SECONDS, EndpointServer
from smsvoice_sim.simulator import HttpResponse

from helpers import cli_server

IDLE = 0.5  # seconds, lowered from the default for the test
BOUND = 20  # seconds: every wait below is bounded by this


def ok(request):
    return HttpResponse(200, {"Content-Type": "text/plain"}, b"ok")


def served(port: int) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=BOUND)
    try:
        conn.request("GET", "/")
        return conn.getresponse().read() == b"ok"
    finally:
        conn.close()


def test_idle_keep_alive_connections_are_closed_and_others_served():
    assert IDLE_TIMEOUT_SECONDS == 60
    with EndpointServer(ok, idle_timeout=IDLE) as server:
        idle = [socket.create_connection(("127.0.0.1", server.port), timeout=BOUND)
                for _ in range(20)]
        kept_alive = http.client.HTTPConnection("127.0.0.1", server.port, timeout=BOUND)
        kept_alive.request("GET", "/")
        assert kept_alive.getresponse().read() == b"ok"  # then it says nothing more
        assert served(server.port)  # a new client is served while the others idle
        for sock in idle:  # the server hangs up on each: recv sees the end, not a timeout
            assert sock.recv(1) == b""
            sock.close()
        assert kept_alive.sock.recv(1) == b""
        kept_alive.close()
        assert served(server.port)


def test_idle_timeout_must_be_a_positive_finite_number():
    for bad in (0, -1, float("nan"), float("inf")):
        with pytest.raises(ValueError):
            EndpointServer(ok, idle_timeout=bad)


SERVER = textwrap.dedent("""
    import resource, threading
    resource.setrlimit(resource.RLIMIT_NOFILE, (48, 48))
    from smsvoice_sim.proxy.http_server import EndpointServer
    from smsvoice_sim.simulator import HttpResponse
    server = EndpointServer(lambda r: HttpResponse(200, {}, b"ok"), idle_timeout=%s).start()
    print(server.url, flush=True)
    threading.Event().wait()  # until the test stops this process
""")


def test_a_new_client_is_served_when_idle_clients_hold_every_descriptor():
    """The server may open 48 files; 80 idle clients connect first (the kernel queues
    those it cannot accept). Idle ones are closed after 1 s, so the new client, queued
    behind them, is answered within the bound; without the timeout it never is."""
    command = [sys.executable, "-c", SERVER % 1.0]
    with cli_server(command=command) as (ready, _proc):
        port = int(ready.group(1).rsplit(":", 1)[1])
        idle = [socket.create_connection(("127.0.0.1", port), timeout=BOUND) for _ in range(80)]
        try:
            assert served(port)
        finally:
            for sock in idle:
                sock.close()
