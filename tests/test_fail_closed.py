"""The mitmproxy doors fail closed: whatever goes wrong with an sms-voice request, it is
answered locally with a non-retried 4xx naming the cause, logged, and nothing reaches
the upstream (a counting stand-in on 127.0.0.1 sees 0 hits)."""

from __future__ import annotations

import gzip
import json
import shutil
import sqlite3
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from smsvoice_sim.simulator.wire.json_read import max_request_bytes

from helpers import ROOT, cli_server, drain
from upstreams import CREDS, TARGET, CountingUpstream, post, shipped_copy

pytest_plugins = ["upstreams"]  # its fixtures: upstream, confdir

ONE_TRY = Config(retries={"max_attempts": 1, "mode": "standard"})


def replay_endpoint(cassette: Path, upstream: CountingUpstream, confdir: str, *extra: str):
    return cli_server("replay", "--cassette", str(cassette), "--listen", "127.0.0.1:0",
                      "--upstream", upstream.url, "--confdir", confdir, *extra)


def assert_local_error(status: int, payload: dict, *words: str) -> None:
    assert 400 <= status < 500, (status, payload)  # never a 5xx: botocore would retry it
    message = payload.get("message") or payload.get("Message") or ""
    for word in words:
        assert word.lower() in message.lower() or word == payload.get("__type"), (word, payload)


@pytest.mark.parametrize("mode", ["replay", "record"])
def test_gzip_header_with_a_body_that_is_not_gzip(tmp_path, upstream, confdir, mode):
    cassette = shipped_copy(tmp_path)
    with cli_server(mode, "--cassette", str(cassette), "--listen", "127.0.0.1:0", "--upstream",
                    upstream.url, "--confdir", confdir, "--no-resign") as (ready, _proc):
        status, _, payload = post(ready.group(1), b'{"PoolIds": []}',
                                  headers={"Content-Encoding": "gzip"})
        assert_local_error(status, payload, "SerializationException", "gzip")
        # A real gzip body is decoded, then matched like any other.
        status, _, payload = post(ready.group(1), gzip.compress(b"{}"),
                                  target=TARGET + "DescribeAccountLimits",
                                  headers={"Content-Encoding": "gzip"})
    if mode == "replay":
        assert_local_error(status, payload, "SmsVoiceSimCassetteMiss")
        assert upstream.hits == 0
    else:
        assert status == 200 and upstream.hits == 1  # only the decodable one went up


def test_json_nested_100000_deep_is_answered_locally(tmp_path, upstream, confdir):
    deep = b'{"PoolIds": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    with replay_endpoint(shipped_copy(tmp_path), upstream, confdir) as (ready, proc):
        status, _, payload = post(ready.group(1), deep)
    # Matching reads it without recursion now, so it is a plain miss; either way it is
    # answered here and nothing goes upstream.
    assert_local_error(status, payload, "nothing was sent upstream")
    assert upstream.hits == 0


def test_imported_header_values_that_are_not_strings(tmp_path, upstream, confdir):
    cassette = shipped_copy(tmp_path)
    with sqlite3.connect(cassette) as db:  # as a hand-edited or imported cassette might hold
        db.execute("UPDATE interactions SET response_headers = json_set(response_headers, "
                   "'$.x-count', 5, '$.x-none', json('null'))")
    with replay_endpoint(cassette, upstream, confdir) as (ready, proc):
        client = boto3.client("pinpoint-sms-voice-v2", region_name="us-east-1",
                              endpoint_url=ready.group(1), config=ONE_TRY, **CREDS)
        with pytest.raises(ClientError) as exc:
            client.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                        NumberCapabilities=["SMS"], NumberType="LONG_CODE")
    err = exc.value.response
    assert err["Error"]["Code"] == "SmsVoiceSimError"
    assert "AttributeError" in err["Error"]["Message"]
    assert err["ResponseMetadata"]["RetryAttempts"] == 0
    assert upstream.hits == 0
    assert "request hook failed" in "".join(drain(proc))


def _first_call_against(cassette: Path, upstream, confdir, *extra: str):
    with replay_endpoint(cassette, upstream, confdir, *extra) as (ready, proc):
        client = boto3.client("pinpoint-sms-voice-v2", region_name="us-east-1",
                              endpoint_url=ready.group(1), config=ONE_TRY, **CREDS)
        try:
            phone = client.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                                NumberCapabilities=["SMS"], NumberType="LONG_CODE")
            return phone["ResponseMetadata"]["HTTPStatusCode"], phone
        except ClientError as exc:
            return exc.response["ResponseMetadata"]["HTTPStatusCode"], exc.response


def test_recorded_http_status_that_is_not_one(tmp_path, upstream, confdir):
    cassette = shipped_copy(tmp_path)
    with sqlite3.connect(cassette) as db:
        db.execute("UPDATE interactions SET status = 1000")
    status, answer = _first_call_against(cassette, upstream, confdir, "--on-miss", "simulate",
                                         "--clock", "manual")
    assert status == 400 and answer["Error"]["Code"] == "SmsVoiceSimError"
    assert "not an HTTP status" in answer["Error"]["Message"]
    assert upstream.hits == 0


def test_recorded_resource_status_the_simulator_does_not_know(tmp_path, upstream, confdir):
    cassette = shipped_copy(tmp_path)
    with sqlite3.connect(cassette) as db:
        db.execute("UPDATE interactions SET response_body = "
                   "CAST(replace(CAST(response_body AS TEXT), '\"PENDING\"', '\"WEIRD\"') AS BLOB)")
    status, _answer = _first_call_against(cassette, upstream, confdir, "--on-miss", "simulate",
                                          "--clock", "manual")
    # The simulator may take it on or refuse it; either way the answer is local.
    assert status in (200, 400)
    assert upstream.hits == 0


def test_request_without_a_target_on_an_endpoint_is_never_forwarded(tmp_path, upstream, confdir):
    with replay_endpoint(shipped_copy(tmp_path), upstream, confdir) as (ready, _proc):
        status, _, payload = post(ready.group(1), b"{}", target=None)
        assert_local_error(status, payload, "SmsVoiceSimCassetteMiss", "Nothing was sent upstream")
        status, _, payload = post(ready.group(1), b"{}", target="SomethingElse.Op")
        assert_local_error(status, payload, "SmsVoiceSimCassetteMiss")
    assert upstream.hits == 0


@pytest.mark.parametrize("method", ["GET", "PUT", "HEAD", "DELETE"])
def test_only_post_runs_an_operation(tmp_path, upstream, confdir, method):
    with replay_endpoint(shipped_copy(tmp_path), upstream, confdir) as (ready, _proc):
        status, headers, payload = post(ready.group(1), b"", method=method)
    assert status == 400
    assert headers.get("x-amzn-ErrorType") == "UnknownOperationException"
    if method != "HEAD":
        assert payload["__type"] == "UnknownOperationException"
    assert upstream.hits == 0


@pytest.mark.parametrize("mode", ["replay", "record"])
def test_bodies_over_the_limit_are_refused_with_413(tmp_path, upstream, confdir, mode):
    big = b'{"PoolIds": ["' + b"x" * max_request_bytes() + b'"]}'
    bomb = gzip.compress(b'{"PoolIds": ["' + b"x" * (4 * max_request_bytes()) + b'"]}')
    with cli_server(mode, "--cassette", str(shipped_copy(tmp_path)), "--listen", "127.0.0.1:0",
                    "--upstream", upstream.url, "--confdir", confdir, "--no-resign") as (ready, _):
        status, _, payload = post(ready.group(1), big)
        assert status == 413 and payload["__type"] == "SerializationException"
        assert f"exceeds the {max_request_bytes()}-byte limit" in payload["message"]
        status, _, payload = post(ready.group(1), bomb, headers={"Content-Encoding": "gzip"})
        assert status == 413  # a small body that inflates past the limit, too
    assert upstream.hits == 0


def test_forward_proxy_passes_other_traffic_only_while_recording(tmp_path, upstream, confdir):
    """Recording passes an STS-like request on (a client's credential calls); replay sends
    nothing upstream, to any host, and says so."""
    import urllib.error
    import urllib.request
    for mode in ("record", "replay"):
        with cli_server(mode, "--cassette", str(shipped_copy(tmp_path)), "--proxy-listen",
                        "127.0.0.1:0", "--confdir", confdir) as (ready, _proc):
            opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": ready.group(1)}))
            try:
                with opener.open(upstream.url + "/sts-like", timeout=10) as resp:
                    status, payload = resp.status, {}
            except urllib.error.HTTPError as err:
                status, payload = err.code, json.loads(err.read())
        if mode == "record":
            assert status == 200 and upstream.hits == 1
        else:
            assert_local_error(status, payload, "SmsVoiceSimError", "sends nothing upstream")
            assert upstream.hits == 1


def test_server_connect_guard_refuses_what_bypasses_the_request_hooks(tmp_path, upstream):
    """Belt and braces: with `ignore_hosts` mitmproxy passes the connection through as raw
    TCP, so no request hook ever sees it; the server_connect guard still refuses to dial
    the service while the session may not record."""
    import os
    import sys
    mitmdump = shutil.which("mitmdump", path=os.path.dirname(sys.executable))
    command = [mitmdump, "-s", str(ROOT / "proxy" / "addon.py"),
               "--mode", f"reverse:{upstream.url}@127.0.0.1:0",
               "--set", f"smsvoice_cassette={shipped_copy(tmp_path)}", "--set", "smsvoice_mode=replay",
               "--set", f"confdir={tmp_path / 'conf'}", "--set", "connection_strategy=lazy",
               "--set", "ignore_hosts=.*"]
    with cli_server(command=command, ready=r"smsvoice-sim replay endpoint on (http://\S+)") \
            as (ready, proc):
        with pytest.raises(OSError):  # mitmproxy drops the connection it may not make
            post(ready.group(1))
        proc.terminate()
        proc.wait(timeout=15)
        out = "".join(drain(proc))
    assert "refused a connection to the service upstream" in out
    assert upstream.hits == 0
