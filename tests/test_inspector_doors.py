"""The inspector behind every door: the simulate endpoint, the mitmproxy addon (replay), and an
in-process Simulator opened with open_inspector. Its files need no token (they hold no data)
but pass the same cross-site checks as the control API; its data needs the token; --no-control
removes both."""

from __future__ import annotations

import http.client
import json
import shutil
import threading
import urllib.error
import urllib.request

import boto3
import pytest
from botocore.config import Config

from smsvoice_sim.proxy.http_server import EndpointServer, simulator_answer
from smsvoice_sim.proxy.inspector import UI_PATH, Inspector, open_inspector
from smsvoice_sim.simulator import Simulator
from smsvoice_sim.simulator.control import assets

from helpers import ROOT, cli_server

TOKEN = "s3cret"


def raw(port: int, path: str, headers: dict | None = None, method: str = "GET") -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, headers={"Host": f"127.0.0.1:{port}", **(headers or {})})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def port_of(url: str) -> int:
    return int(url.rstrip("/").rsplit(":", 1)[1].split("/", 1)[0])


@pytest.fixture
def token_server():
    with EndpointServer(simulator_answer(Simulator(clock="manual"), control_token=TOKEN)) as srv:
        yield srv


def test_with_a_token_the_page_loads_but_its_data_needs_the_token(token_server):
    status, headers, body = raw(token_server.port, "/_smsvoice/ui/")
    assert status == 200 and b"<title>smsvoice-sim inspector</title>" in body
    assert "script-src 'self'" in headers["content-security-policy"]
    status, _, body = raw(token_server.port, "/_smsvoice/summary")
    assert status == 403 and json.loads(body)["token"] == "required"
    status, _, body = raw(token_server.port, "/_smsvoice/summary", {"X-SmsVoice-Sim-Token": TOKEN})
    assert status == 200 and json.loads(body)["clock"]["mode"] == "manual"


@pytest.mark.parametrize("headers", [{"Sec-Fetch-Site": "cross-site"}, {"Host": "evil.example"},
                                     {"Origin": "http://evil.example"}])
@pytest.mark.parametrize("token", [None, TOKEN])
def test_the_page_is_not_served_to_another_site(headers, token):
    with EndpointServer(simulator_answer(Simulator(clock="manual"), control_token=token)) as srv:
        assert raw(srv.port, "/_smsvoice/ui/app.js", headers)[0] == 403


def test_no_control_removes_the_inspector_too():
    with EndpointServer(simulator_answer(Simulator(clock="manual"), control=False)) as srv:
        assert raw(srv.port, "/_smsvoice/ui/")[0] == 404
        assert raw(srv.port, "/_smsvoice/summary")[0] == 404


@pytest.mark.slow
def test_simulate_announces_the_inspector_and_serves_it():
    with cli_server("simulate", "--listen", "127.0.0.1:0", "--control-token", TOKEN) as (ready, proc):
        url = ready.group(1)
        assert f"inspector at {url}/_smsvoice/ui/" in proc.seen[-1]
        status, headers, _ = raw(port_of(url), "/_smsvoice/ui/")
        assert status == 200 and headers["content-type"].startswith("text/html")
    with cli_server("simulate", "--listen", "127.0.0.1:0", "--no-control") as (ready, proc):
        assert "the control API is off" in proc.seen[-1] and "inspector" not in proc.seen[-1]
        assert raw(port_of(ready.group(1)), "/_smsvoice/ui/")[0] == 404


@pytest.mark.slow
def test_the_mitmproxy_door_serves_the_inspector_behind_its_guard(tmp_path):
    shutil.copy(ROOT / "cassettes" / "pool_lifecycle.db", tmp_path / "c.db")
    with cli_server("replay", "--cassette", str(tmp_path / "c.db"), "--listen", "127.0.0.1:0",
                    "--confdir", str(tmp_path), "--control-token", TOKEN,
                    "--on-miss", "simulate") as (ready, _proc):
        port = port_of(ready.group(1))
        status, headers, body = raw(port, "/_smsvoice/ui/")
        assert status == 200 and b"app.js" in body
        assert headers["x-frame-options"] == "DENY"
        assert raw(port, "/_smsvoice/ui/", {"Sec-Fetch-Site": "cross-site"})[0] == 403
        assert raw(port, "/_smsvoice/summary")[0] == 403
        status, _, body = raw(port, "/_smsvoice/summary", {"X-SmsVoice-Sim-Token": TOKEN})
        assert status == 200 and "clock" in json.loads(body)


def test_open_inspector_serves_an_in_process_simulator_until_closed():
    sim = Simulator(clock="manual")
    with open_inspector(sim) as inspector:
        assert inspector.url == f"{inspector.endpoint_url}/_smsvoice/ui/"
        assert inspector.url.startswith("http://127.0.0.1:")
        client = boto3.client("pinpoint-sms-voice-v2", region_name="us-east-1",
                              endpoint_url=inspector.endpoint_url, aws_access_key_id="AKIAEXAMPLE",
                              aws_secret_access_key="example", config=Config(retries={"max_attempts": 0}))
        client.send_text_message(DestinationPhoneNumber="+14254147755", MessageBody="hello")
        assert len(sim.sent_messages()) == 1  # the same simulator the test holds
        with urllib.request.urlopen(inspector.url, timeout=10) as page:
            assert page.status == 200
        with urllib.request.urlopen(inspector.endpoint_url + "/_smsvoice/summary", timeout=10) as resp:
            assert json.loads(resp.read())["messages"] == 1
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(inspector.url, timeout=2)



def test_with_inspector_starts_and_stops_it_as_open_inspector_does():
    sim = Simulator(clock="manual")
    seen: dict = {}

    def use() -> None:
        with Inspector(sim) as inspector:
            seen["url"] = inspector.url
            with urllib.request.urlopen(inspector.endpoint_url + "/_smsvoice/summary",
                                        timeout=10) as resp:
                seen["summary"] = json.loads(resp.read())
        Inspector(sim).close()  # never started: closing it returns
        seen["closed"] = True

    user = threading.Thread(target=use, daemon=True)  # a server never started hung its close
    user.start()
    user.join(timeout=30)
    assert seen.get("closed") and seen["summary"]["messages"] == 0, seen
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(seen["url"], timeout=2)
    assert UI_PATH == assets.UI_PREFIX + "/"


PLUGIN_TEST = """
import json, urllib.request

def summary(url):
    with urllib.request.urlopen(url + "/_smsvoice/summary", timeout=10) as answer:
        return json.loads(answer.read())

def test_with_the_fixture(smsvoice_sim, smsvoice_inspector):
    smsvoice_sim.client().send_text_message(DestinationPhoneNumber="+14254147755", MessageBody="hi")
    assert summary(smsvoice_inspector.endpoint_url)["messages"] == 1
    assert smsvoice_inspector.url.endswith("/_smsvoice/ui/")

def test_without_it(smsvoice_sim):
    pass
"""


def test_the_pytest_plugin_opens_the_inspector_on_a_tests_simulator(pytester):
    pytester.makepyfile(PLUGIN_TEST)
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*smsvoice-sim inspector for test_with_the_fixture at "
                                 "http://127.0.0.1:*/_smsvoice/ui/*"])
    assert "inspector for test_without_it" not in result.stdout.str()
    flagged = pytester.runpytest_subprocess("--smsvoice-inspector")
    flagged.assert_outcomes(passed=2)
    flagged.stdout.fnmatch_lines(["*inspector for test_with_the_fixture at http://127.0.0.1:*",
                                  "*inspector for test_without_it at http://127.0.0.1:*"])
    assert flagged.stdout.str().count("inspector for test_with_the_fixture") == 1  # one, reused
