"""In replay nothing leaves, whatever the host is called: the service's hosts spelled
another way (upper case, a trailing dot, FIPS, dual-stack `api.aws`, the China partition)
are mapped to local counting servers with `--resolve`, and a POST carrying a phone number
and a message body is sent through every door. Recording first proves the mapping
reaches the counters; replaying the same requests must reach them 0 times."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import ssl
import sys
from pathlib import Path

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from smsvoice_sim.proxy.cassette import Cassette
from smsvoice_sim.proxy.inprocess import cassette_answer
from smsvoice_sim.proxy.session import CassetteSession, is_service_host
from smsvoice_sim.simulator import HttpResponse
from smsvoice_sim.simulator.inprocess import inprocess_client

from helpers import ROOT, cli_server, self_signed_cert
from upstreams import TARGET, CountingUpstream, shipped_copy

SPELLINGS = (
    "SMS-VOICE.US-EAST-1.AMAZONAWS.COM",
    "sms-voice.us-east-1.amazonaws.com.",
    "sms-voice-fips.us-east-1.amazonaws.com",
    "sms-voice.us-east-1.api.aws",
    "sms-voice.cn-north-1.amazonaws.com.cn",
)
# What a hostile client would want delivered: a number and a message.
SEND = json.dumps({"DestinationPhoneNumber": "+14255550123",
                   "MessageBody": "your code is 123456"}).encode()
LISTENING = r"smsvoice-sim (?:record|replay) (endpoint|forward proxy) on (http://\S+)"


@pytest.fixture
def counters(tmp_path):
    """An HTTPS counter every spelling is resolved to, and a plain one (reached by
    address, with a spelled Host header)."""
    tls = CountingUpstream(tls=self_signed_cert(tmp_path, SPELLINGS[0].lower()))
    plain = CountingUpstream()
    yield tls, plain
    tls.close()
    plain.close()


def test_every_spelling_is_the_service():
    """Recording recognises them too (what it records, not what replay lets out)."""
    assert all(is_service_host(host) for host in SPELLINGS)
    assert not any(is_service_host(host) for host in (
        "sts.amazonaws.com", "sms-voice.example.com", "xsms-voice.us-east-1.amazonaws.com",
        "sms-voice.us-east-1.amazonaws.com.example.com"))


def _through_tunnel(proxy: str, host: str, target: str | None) -> int:
    """An HTTPS request to `host` through the forward proxy (CONNECT), as SDKs send it."""
    parts = proxy.rsplit(":", 1)
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE  # mitmproxy's CA
    conn = http.client.HTTPSConnection(parts[0].split("//")[1], int(parts[1]), timeout=30,
                                       context=context)
    conn.set_tunnel(host, 443)
    return _send(conn, "/", {"Host": host}, target)


def _absolute(proxy: str, url: str, host: str, target: str | None) -> int:
    """A plain-HTTP request through the forward proxy, Host header spelled as given."""
    parts = proxy.rsplit(":", 1)
    conn = http.client.HTTPConnection(parts[0].split("//")[1], int(parts[1]), timeout=30)
    return _send(conn, url, {"Host": host}, target)


def _direct(endpoint: str, host: str, target: str | None, method: str = "POST") -> int:
    parts = endpoint.rsplit(":", 1)
    conn = http.client.HTTPConnection(parts[0].split("//")[1], int(parts[1]), timeout=30)
    return _send(conn, "/", {"Host": host}, target, method)


def _send(conn, url: str, headers: dict, target: str | None, method: str = "POST") -> int:
    headers = {**headers, "Content-Type": "application/x-amz-json-1.0"}
    if target:
        headers["X-Amz-Target"] = TARGET + target
    try:
        conn.request(method, url, body=SEND, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def every_request(endpoint: str, proxy: str, plain: CountingUpstream) -> list[int]:
    """Through both listeners of one process: each spelling by CONNECT and by Host header,
    with and without the service's X-Amz-Target, and a host that is nobody's."""
    statuses = []
    for host in SPELLINGS:
        for target in ("SendTextMessage", None):
            statuses.append(_through_tunnel(proxy, host, target))
            statuses.append(_absolute(proxy, plain.url + "/", host, target))
            statuses.append(_direct(endpoint, host, target))
    statuses.append(_absolute(proxy, plain.url + "/sts-like", "127.0.0.1", None))
    statuses.append(_direct(endpoint, SPELLINGS[0], None, method="PUT"))
    return statuses


def _listeners(ready, proc) -> dict[str, str]:
    """{"endpoint": url, "forward proxy": url} from the lines the door printed."""
    found = {ready.group(1): ready.group(2)}
    while len(found) < 2:
        line = proc.lines.get(timeout=30)
        assert line is not None, "the door exited"
        match = re.search(LISTENING, line)
        if match:
            found[match.group(1)] = match.group(2)
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _door_command(door: str, mode: str, cassette: Path, upstream_host: str, rules: list[str],
                  confdir: Path) -> dict:
    """cli_server keywords that start `door` (the CLI, or mitmdump loading the addon)."""
    proxy_port = free_port()  # mitmproxy refuses two listeners both on port 0
    if door == "cli":
        args = [mode, "--cassette", str(cassette), "--listen", "127.0.0.1:0", "--proxy-listen",
                f"127.0.0.1:{proxy_port}", "--upstream", f"https://{upstream_host}",
                "--confdir", str(confdir), "--ssl-insecure", "--no-resign"]
        for rule in rules:
            args += ["--resolve", rule]
        return {"args": args}
    mitmdump = shutil.which("mitmdump", path=os.path.dirname(sys.executable))
    command = [mitmdump, "-s", str(ROOT / "proxy" / "addon.py"),
               "--mode", f"reverse:https://{upstream_host}@127.0.0.1:0",
               "--mode", f"regular@127.0.0.1:{proxy_port}",
               "--set", f"smsvoice_cassette={cassette}", "--set", f"smsvoice_mode={mode}",
               "--set", "smsvoice_resign=false", "--set", f"confdir={confdir}",
               "--set", "connection_strategy=lazy", "--set", "ssl_insecure=true",
               "--set", "upstream_cert=false"]
    for rule in rules:
        command += ["--set", f"smsvoice_resolve={rule}"]
    return {"args": (), "command": command}


@pytest.mark.parametrize("door", ["cli", "mitmdump"])
def test_replay_sends_nothing_whatever_the_host_is_called(door, tmp_path, counters):
    tls, plain = counters
    # By name, so the plain counter (dialled at 127.0.0.1) is no address the rules name.
    rules = [f"{host}=localhost:{tls.port}" for host in SPELLINGS]
    confdir = tmp_path / "conf"
    upstream_host = SPELLINGS[0] if door == "cli" else SPELLINGS[2]

    def run(mode: str, cassette: Path) -> list[int]:
        options = _door_command(door, mode, cassette, upstream_host, rules, confdir)
        with cli_server(*options["args"], command=options.get("command"), ready=LISTENING) \
                as (ready, proc):
            listeners = _listeners(ready, proc)
            return every_request(listeners["endpoint"], listeners["forward proxy"], plain)

    recorded = run("record", tmp_path / "recorded.db")
    # The mapping is live: recording reached the counters with every request that may go
    # upstream (all but the PUT, which runs no operation).
    assert recorded.count(200) == len(recorded) - 1
    assert tls.hits + plain.hits == len(recorded) - 1
    tls.hits = plain.hits = 0
    replayed = run("replay", shipped_copy(tmp_path))
    assert all(400 <= status < 500 for status in replayed), replayed
    assert (tls.hits, plain.hits) == (0, 0)


@pytest.mark.parametrize("host", SPELLINGS)
def test_the_in_process_door_sends_nothing_in_replay(host, tmp_path, counters):
    tls, plain = counters
    hits = []

    def send(request):  # the network, as far as this door knows: the counting server
        hits.append(request.url)
        conn = http.client.HTTPConnection("127.0.0.1", plain.port, timeout=30)
        return HttpResponse(200, {}, b"{}") if _send(conn, "/", {}, None) == 200 else \
            HttpResponse(500, {}, b"")

    def client(record_mode: str, cassette: Path):
        session = CassetteSession(Cassette(cassette), record_mode=record_mode)
        return inprocess_client(cassette_answer(session, send=send), endpoint_url=f"https://{host}",
                                config=Config(retries={"max_attempts": 1}))

    client("all", tmp_path / "recorded.db").send_text_message(
        DestinationPhoneNumber="+14255550123", MessageBody="your code is 123456")
    assert plain.hits == 1  # recording reaches it
    with pytest.raises(ClientError, match="SmsVoiceSimCassetteMiss"):
        client("none", shipped_copy(tmp_path)).send_text_message(
            DestinationPhoneNumber="+14255550123", MessageBody="your code is 123456")
    assert plain.hits == 1 and len(hits) == 1

