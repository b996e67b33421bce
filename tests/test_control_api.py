"""The control API: who may call it (no cross-site browser requests, no DNS
rebinding), what it says when listening beyond loopback, its routes, and numbers
that must be finite and in range."""

from __future__ import annotations

import http.client
import json
import logging
import sqlite3

import pytest

from smsvoice_sim.proxy.control import guard
from smsvoice_sim.proxy.http_server import EndpointServer, simulator_answer
from smsvoice_sim.simulator import HttpRequest, Simulator
from smsvoice_sim.simulator.control.routes import HEALTH, MAX_ADVANCE_SECONDS, ROUTES

from helpers import ROOT, cli_server

JSON = {"Content-Type": "application/json"}


def call(server, method: str, path: str, body: bytes | str | None = None,
         headers: dict | None = None) -> tuple[int, dict]:
    """One raw HTTP request (headers exactly as given, Host included), JSON answer."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        headers = {"Host": f"127.0.0.1:{server.port}", **(headers or {})}
        payload = body.encode() if isinstance(body, str) else body
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.putheader("Content-Length", str(len(payload or b"")))
        conn.endheaders(payload)
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read() or b"{}")
    finally:
        conn.close()


@pytest.fixture
def open_server():
    sim = Simulator(clock="manual", seed=5)
    with EndpointServer(simulator_answer(sim)) as srv:
        srv.sim = sim
        yield srv


@pytest.fixture
def token_server():
    with EndpointServer(simulator_answer(Simulator(clock="manual"), control_token="s3cret")) as srv:
        yield srv


CROSS_SITE = [
    ("DNS rebinding Host", "GET", {"Host": "evil.example:4866"}, None),
    ("rebinding Host, no port", "GET", {"Host": "evil.example"}, None),
    ("another site's Origin", "GET", {"Origin": "http://evil.example"}, None),
    ("Origin null", "POST", {"Origin": "null", **JSON}, "{}"),
    ("Sec-Fetch-Site cross-site", "GET", {"Sec-Fetch-Site": "cross-site"}, None),
    ("text/plain POST", "POST", {"Content-Type": "text/plain"}, '{"seconds": 5}'),
    ("form POST", "POST", {"Content-Type": "application/x-www-form-urlencoded"}, '{"seconds": 5}'),
    ("multipart POST", "POST", {"Content-Type": "multipart/form-data; boundary=x"}, "--x--"),
]


@pytest.mark.parametrize(("why", "method", "headers", "body"), CROSS_SITE,
                         ids=[c[0] for c in CROSS_SITE])
def test_cross_site_requests_are_refused(open_server, why, method, headers, body):
    path = "/_smsvoice/state" if method == "GET" else "/_smsvoice/clock/advance"
    before = open_server.sim.clock.now()
    status, answer = call(open_server, method, path, body, headers)
    assert status == 403, answer
    assert "control API refused" in answer["error"]
    assert open_server.sim.clock.now() == before


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}",
                                  "[::1]:{port}", "api.localhost:{port}", "192.0.2.10:{port}", None])
def test_scripts_and_loopback_names_are_served(open_server, host):
    headers = {"Host": host.format(port=open_server.port)} if host else {}
    assert call(open_server, "GET", "/_smsvoice/state", None, headers)[0] == 200
    own = f"http://{headers.get('Host', f'127.0.0.1:{open_server.port}')}"
    assert call(open_server, "POST", "/_smsvoice/clock/advance", '{"seconds": 1}',
                {**headers, **JSON, "Origin": own, "Sec-Fetch-Site": "same-origin"})[0] == 200
    assert call(open_server, "POST", "/_smsvoice/reset", None, headers)[0] == 200  # curl -XPOST


def test_every_route_is_behind_the_guard(open_server):
    """Over the whole route table (a route added later is covered too): a web page on
    another site gets 403 for every path and method, before the route runs."""
    routes = [(path, method) for path, methods in ROUTES.items() for method in methods]
    routes.append((HEALTH, "GET"))
    hostile = [{"Host": "evil.example"}, {"Origin": "http://evil.example"},
               {"Sec-Fetch-Site": "cross-site"}]
    before = json.dumps(open_server.sim.state(), sort_keys=True, default=str)
    for path, method in routes:
        for headers in hostile:
            body = "{}" if method == "POST" else None
            status, answer = call(open_server, method, path, body, {**JSON, **headers})
            assert status == 403 and "control API refused" in answer["error"], (path, method, headers)
        if method == "POST":  # and the form a page may send without asking
            assert call(open_server, method, path, "{}", {"Content-Type": "text/plain"})[0] == 403, path
    assert json.dumps(open_server.sim.state(), sort_keys=True, default=str) == before


def test_a_token_given_lets_any_caller_through_and_none_without_it(token_server):
    hostile = {"Host": "evil.example:4866", "Origin": "http://evil.example",
               "Content-Type": "text/plain"}
    assert call(token_server, "POST", "/_smsvoice/reset", "{}", hostile)[0] == 403
    assert call(token_server, "POST", "/_smsvoice/reset", "{}",
                {**hostile, "X-SmsVoice-Sim-Token": "s3cret"})[0] == 200
    assert call(token_server, "GET", "/_smsvoice/state", None,
                {"X-SmsVoice-Sim-Token": "wrong"})[0] == 403


def test_guard_keeps_its_three_argument_form():
    request = HttpRequest("GET", "http://evil.example/_smsvoice/state",
                          {"Host": "evil.example"}, b"")
    assert guard(request, True, None) is None  # a door that rewrote Host cannot check it
    assert guard(request, True, None, check_host=True).status == 403
    assert guard(request, False, None).status == 404
    posted = HttpRequest("POST", "http://127.0.0.1/_smsvoice/reset",
                         {"Content-Type": "text/plain", "Origin": "http://evil.example"}, b"{}")
    assert guard(posted, True, None).status == 403


def test_the_mitmproxy_door_refuses_cross_site_requests(tmp_path):
    """Its Host check too: the door keeps the client's Host for the guard (DNS rebinding)."""
    import shutil
    shutil.copy(ROOT / "cassettes" / "pool_lifecycle.db", tmp_path / "c.db")
    with cli_server("replay", "--cassette", str(tmp_path / "c.db"), "--listen", "127.0.0.1:0",
                    "--confdir", str(tmp_path)) as (ready, _proc):
        server = type("S", (), {"port": int(ready.group(1).rsplit(":", 1)[1])})
        assert call(server, "GET", "/_smsvoice/health")[0] == 200
        assert call(server, "GET", "/_smsvoice/health", None, {"Host": "localhost"})[0] == 200
        status, answer = call(server, "GET", "/_smsvoice/state", None, {"Host": "evil.example:4866"})
        assert status == 403 and "DNS rebinding" in answer["error"], answer
        assert call(server, "GET", "/_smsvoice/health", None,
                    {"Origin": "https://evil.example"})[0] == 403
        assert call(server, "GET", "/_smsvoice/health", None,
                    {"Sec-Fetch-Site": "cross-site"})[0] == 403
        assert call(server, "POST", "/_smsvoice/reset", "{}", {"Content-Type": "text/plain"})[0] == 403


def test_listening_beyond_loopback_warns_what_is_exposed():
    said = []
    with EndpointServer(simulator_answer(Simulator()), host="0.0.0.0", warn=said.append):
        pass
    assert len(said) == 1 and "0.0.0.0" in said[0] and "control API" in said[0] \
        and "no token" in said[0]
    said.clear()
    with EndpointServer(simulator_answer(Simulator()), warn=said.append):
        pass
    assert said == []  # loopback: nothing to say
    with cli_server("simulate", "--listen", "0.0.0.0:0", ready=r"(http://0\.0\.0\.0:\d+)") \
            as (_ready, proc):
        warning = [line for line in proc.seen if "warning" in line]
    assert warning and "reachable from other machines" in warning[0], proc.seen


# -- routes -------------------------------------------------------------------------------
def test_routes_answer_404_for_unknown_paths_and_405_for_wrong_methods(open_server):
    assert call(open_server, "GET", "/_smsvoice/nope")[0] == 404
    status, body = call(open_server, "GET", "/_smsvoice/clock/advance")
    assert status == 405 and "POST" in body["error"]
    assert call(open_server, "PUT", "/_smsvoice/faults", "{}", JSON)[0] == 405
    assert call(open_server, "GET", "/_smsvoice/health/")[1]["status"] == "ok"


def test_what_a_route_raises_unexpectedly_is_a_500_naming_it_not_a_dropped_connection(
        tmp_path, caplog):
    """A real way: the --state file's write lock is held by another connection, so the
    reset cannot be written (sqlite3.OperationalError, none of the mapped errors)."""
    path = tmp_path / "s.db"
    sim = Simulator(clock="manual", seed=1, state_file=str(path))
    sim.state_file.conn.execute("PRAGMA busy_timeout = 50")
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with EndpointServer(simulator_answer(sim)) as server, caplog.at_level(logging.ERROR):
            status, body = call(server, "POST", "/_smsvoice/reset", "{}", JSON)
            assert call(server, "GET", "/_smsvoice/health")[0] == 200  # the server goes on
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
        sim.close()
    assert status == 500, body
    assert body["error"] == ("smsvoice-sim bug in /_smsvoice/reset: "
                             "OperationalError('database is locked')"), body
    assert any(r.exc_info and "/_smsvoice/reset" in r.getMessage() for r in caplog.records)


# -- numbers ------------------------------------------------------------------------------
BAD_SECONDS = ["NaN", "Infinity", "-Infinity", "1e400", "-1e400", "1e308", "-1",
               str(MAX_ADVANCE_SECONDS * 1.01), "10" + "0" * 400, "true", '"5"', "null"]


@pytest.mark.parametrize("value", BAD_SECONDS)
def test_clock_advance_refuses_non_finite_and_out_of_range(open_server, value):
    before = open_server.sim.clock.now()
    status, body = call(open_server, "POST", "/_smsvoice/clock/advance",
                        '{"seconds": ' + value + "}", JSON)
    assert status == 400, body
    assert open_server.sim.clock.now() == before
    conn = http.client.HTTPConnection("127.0.0.1", open_server.port, timeout=10)
    conn.request("GET", "/_smsvoice/state")
    json.loads(conn.getresponse().read(), parse_constant=pytest.fail)  # still strict JSON
    conn.close()


def test_clock_never_passes_the_year_9999(open_server):
    open_server.sim.advance(253402300799.0 - open_server.sim.clock.now() - 10)
    status, body = call(open_server, "POST", "/_smsvoice/clock/advance", '{"seconds": 11}', JSON)
    assert status == 400 and "9999" in body["error"]
    assert call(open_server, "POST", "/_smsvoice/clock/advance", '{"seconds": 10}', JSON)[0] == 200


@pytest.mark.parametrize("fault", [
    '{"operation": "DescribePools", "error": "ThrottlingException", "rate": NaN}',
    '{"operation": "DescribePools", "error": "ThrottlingException", "rate": Infinity}',
    '{"operation": "DescribePools", "error": "ThrottlingException", "rate": true}',
    '{"operation": "DescribePools", "latency_ms": NaN}',
    '{"operation": "DescribePools", "latency_ms": Infinity}',
    '{"operation": "DescribePools", "latency_ms": 1e400}',
    '{"operation": "DescribePools", "latency_ms": 1e12}',
    '{"operation": "DescribePools", "latency_ms": "5"}',
    '{"operation": "DescribePools", "error": "ThrottlingException", "count": true}',
    '{"operation": "DescribePools", "error": 5, "count": 1}',
    '{"operation": ["DescribePools"], "error": "ThrottlingException", "count": 1}',
])
def test_fault_numbers_must_be_finite_and_in_range(open_server, fault):
    status, body = call(open_server, "POST", "/_smsvoice/faults", fault, JSON)
    assert status == 400, body
    assert open_server.sim.faults.describe() == []


@pytest.mark.parametrize("body", ["[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000,
                                  "[1, 2]", "not json", '"text"'])
def test_bodies_that_are_not_an_object_get_400_not_500(open_server, body):
    status, answer = call(open_server, "POST", "/_smsvoice/clock/advance", body, JSON)
    assert status == 400 and answer["error"].startswith("bad JSON body"), answer


def test_the_warning_for_record_and_replay_listeners_says_what_is_at_stake():
    from smsvoice_sim.proxy.control import listen_warning, proxy_exposure
    record = listen_warning("0.0.0.0", 4000, proxy_exposure("record", True, None, True))
    assert "YOUR credentials" in record and "no token" in record
    replay = listen_warning("192.0.2.1", 4000, proxy_exposure("replay", False, None, True))
    assert "recorded responses" in replay and "control API" not in replay
    assert listen_warning("::1", 4000, "x") is None and listen_warning("localhost", 1, "x") is None


def test_the_simulator_names_no_file_of_the_proxy():
    """The simulator must not know the proxy: not in its imports, nor in what its modules say."""
    for path in (ROOT / "simulator").rglob("*.py"):
        text = path.read_text()
        assert "proxy/" not in text and "smsvoice_sim.proxy" not in text, path.relative_to(ROOT)
