"""Cassette tools that read never write; export -> import gives back every body's
exact bytes; a bad exported line is one line of error, never a traceback."""

from __future__ import annotations

import json
import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smsvoice_sim.proxy.cassette import Cassette
from smsvoice_sim.proxy.cassette_tools import export_lines, import_lines
from smsvoice_sim.proxy.cli import main
from smsvoice_sim.proxy.matching import match_key
from smsvoice_sim.proxy.session import CassetteSession
from smsvoice_sim.simulator import HttpRequest, HttpResponse

from helpers import ROOT, run_cli

TARGET = "PinpointSMSVoiceV2.DescribePools"
AUTH = ("AWS4-HMAC-SHA256 Credential=REDACTED/20260101/eu-west-1/sms-voice/aws4_request, "
        "SignedHeaders=host, Signature=REDACTED")


def folder_state(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def journal_mode(path: Path) -> str:
    """From the file header, without opening it with SQLite (which could change it)."""
    header = path.read_bytes()[:20]
    return {1: "rollback", 2: "wal"}[header[18]]


# -- readers never write ----------------------------------------------------------------
def test_show_list_export_change_no_byte_of_what_they_read(tmp_path):
    cassettes = tmp_path / "cassettes"
    cassettes.mkdir()
    real = cassettes / "real.db"
    with Cassette(real) as c:
        c.append(operation="DescribePools", region="us-east-1", match_key="k", match_body="{}",
                 request=HttpRequest("POST", "http://x/", {"X-Amz-Target": TARGET}, b"{}"),
                 response=HttpResponse(200, {}, b'{"Pools": []}'), recorded_at=1.0,
                 duration_ms=2.0)
    other = cassettes / "other.db"  # somebody's SQLite file, in rollback-journal mode
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (text TEXT)")
        conn.execute("INSERT INTO notes VALUES ('mine')")
    conn.close()
    before = folder_state(cassettes)
    assert journal_mode(real) == "wal" and journal_mode(other) == "rollback"

    shown = run_cli("cassette", "show", str(real))
    assert shown.returncode == 0 and "DescribePools" in shown.stdout
    refused = run_cli("cassette", "show", str(other))
    assert refused.returncode == 2 and "not a smsvoice-sim cassette" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    listed = run_cli("cassette", "list", str(cassettes))
    assert "real.db: 1 interactions" in listed.stdout and "other.db" in listed.stdout
    assert run_cli("cassette", "export", str(real)).returncode == 0
    assert run_cli("cassette", "export", str(other)).returncode == 2

    assert folder_state(cassettes) == before  # same files (no -wal, no -shm), same bytes
    assert journal_mode(real) == "wal" and journal_mode(other) == "rollback"


# -- export -> import, byte for byte ------------------------------------------------------
NASTY = [b"", b"null", b" null", b"{}", b"[]", b'"text"', b"NaN", b'{"a": NaN}', b"1e400",
         b'{"a":1e400}', b"[" * 5000 + b"]" * 5000, b"\xff\xfe\x00", b"\xc3\x28",
         b'{"a": 1.0}', b'{"b":1,"a":2}', b'{"a":"\\u00e9"}', "{\"a\":\"é\"}".encode(),
         b"9" * 5000, b'{"a":\n1}', b"\x00"]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12)
bodies = st.one_of(
    st.sampled_from(NASTY),
    st.binary(max_size=64),
    st.text(max_size=40).map(lambda t: t.encode("utf-8")),
    st.tuples(json_values, st.sampled_from([(",", ":"), (", ", ": ")]), st.booleans()).map(
        lambda v: json.dumps(v[0], separators=v[1], ensure_ascii=v[2]).encode()),
)


def _request(body: bytes) -> HttpRequest:
    return HttpRequest("POST", "https://sms-voice.eu-west-1.amazonaws.com/",
                       {"X-Amz-Target": TARGET, "Authorization": AUTH}, body)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(bodies, bodies), min_size=1, max_size=5))
def test_export_then_import_gives_back_every_body_and_the_same_matches(pairs):
    with tempfile.TemporaryDirectory() as folder:
        original = Cassette(Path(folder) / "a.db")
        for request_body, response_body in pairs:
            request = _request(request_body)
            key = match_key(request, region="eu-west-1")
            original.append(operation=key.operation, region=key.region, match_key=key.digest,
                            match_body=key.body, request=request,
                            response=HttpResponse(200, {"X": "y"}, response_body),
                            recorded_at=1795000000.25, duration_ms=1.5)
        lines = list(export_lines(original))
        for line in lines:  # strict JSON: no NaN/Infinity literals
            json.loads(line, parse_constant=pytest.fail)
        copy = Cassette(Path(folder) / "b.db")
        assert import_lines(lines, copy) == len(pairs)
        for was, now in zip(original.interactions(), copy.interactions(), strict=True):
            assert (now.request.body, now.response.body) == (was.request.body, was.response.body)
            assert (now.match_key, now.match_body, now.region, now.operation) == \
                (was.match_key, was.match_body, was.region, was.operation)
            assert now.request.headers == was.request.headers
        session = CassetteSession(copy, record_mode="none", on_exhausted="error")
        for request_body, response_body in pairs:  # the copy answers the same requests
            decision = session.decide(_request(request_body))
            assert decision.action == "replay" and decision.response.body == response_body
        original.close()
        copy.close()


def test_the_shipped_export_still_imports_to_the_same_cassette(tmp_path):
    lines = (ROOT / "cassettes" / "pool_lifecycle.jsonl").read_text().splitlines()
    with Cassette(tmp_path / "c.db") as copy:
        import_lines(lines, copy)
        assert list(export_lines(copy)) == lines


# -- bad lines -------------------------------------------------------------------------
GOOD = {"seq": 1, "operation": "DescribePools", "region": "us-east-1", "recorded_at": 1.0,
        "duration_ms": 1.0,
        "request": {"method": "POST", "url": "http://x/", "headers": {"X-Amz-Target": TARGET},
                    "body": {}},
        "response": {"status": 200, "headers": {}, "body": {"Pools": []}}}


def _with(path: str, value) -> str:
    entry = json.loads(json.dumps(GOOD))
    *parents, last = path.split(".")
    node = entry
    for name in parents:
        node = node[name]
    node[last] = value
    return json.dumps(entry)


BAD_LINES = {
    "not JSON": "{nope",
    "a list": "[1, 2]",
    "no request": json.dumps({"response": GOOD["response"]}),
    "NaN literal": _with("recorded_at", 0).replace('"recorded_at": 0', '"recorded_at": NaN'),
    "Infinity literal": _with("duration_ms", 0).replace('"duration_ms": 0', '"duration_ms": Infinity'),
    "1e400": _with("duration_ms", 0).replace('"duration_ms": 0', '"duration_ms": 1e400'),
    "NaN in a body": _with("response.body", 0).replace('"body": 0', '"body": {"a": NaN}'),
    "huge number": _with("recorded_at", 0).replace('"recorded_at": 0', '"recorded_at": 1e300'),
    "huge integer": _with("recorded_at", 0).replace('"recorded_at": 0', '"recorded_at": ' + "9" * 5000),
    "deep nesting": _with("response.body", 0).replace('"body": 0',
                                                      '"body": ' + "[" * 100_000 + "]" * 100_000),
    "header value a number": _with("request.headers", {"Content-Length": 5}),
    "header value null": _with("response.headers", {"X": None}),
    "headers a list": _with("request.headers", ["a"]),
    "status a string": _with("response.status", "200"),
    "status out of range": _with("response.status", 2 ** 70),
    "status a boolean": _with("response.status", True),
    "method a number": _with("request.method", 5),
    "url null": _with("request.url", None),
    "region a number": _with("region", 1),
    "body_raw a number": _with("request.body_raw", 5),
    "body_raw a lone surrogate": _with("request.body_raw", "\ud800"),
    "body_base64 not base64": _with("response.body_base64", "!!!"),
}


@pytest.mark.parametrize("name", list(BAD_LINES))
def test_a_bad_exported_line_is_one_line_of_error(name, tmp_path, capsys):
    source = tmp_path / "bad.jsonl"
    source.write_text(json.dumps(GOOD) + "\n" + BAD_LINES[name] + "\n", encoding="utf-8")
    assert main(["cassette", "import", str(source), str(tmp_path / "out.db")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("smsvoice-sim: error: line 2 ") and "\n" not in err, err
    assert len(err) < 400
    assert not (tmp_path / "out.db").exists()  # nothing half-imported left behind


def test_the_cli_says_so_in_one_line_too(tmp_path):
    source = tmp_path / "bad.jsonl"
    source.write_text(BAD_LINES["deep nesting"] + "\n", encoding="utf-8")
    result = run_cli("cassette", "import", str(source), str(tmp_path / "out.db"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0 and "nests deeper than" in result.stderr
    (tmp_path / "latin1.jsonl").write_bytes(b'{"a": "\xe9"}\n')
    result = run_cli("cassette", "import", str(tmp_path / "latin1.jsonl"), str(tmp_path / "o.db"))
    assert result.returncode == 2 and "not UTF-8" in result.stderr


def test_show_reads_a_recorded_body_nested_5000_deep(tmp_path):
    """`cassette show` read recorded bodies with json.loads: a 5,000-deep one was a
    RecursionError traceback; it is now read with the simulator's limits and shown bare."""
    deep = b"[" * 5000 + b"]" * 5000
    path = tmp_path / "deep.db"
    with Cassette(path) as c:
        for number, (request_body, response_body) in enumerate(
                [(deep, b'{"Pools": []}'), (b"{}", deep), (b"{}", b"[1]"),
                 (b"{}", b'{"PoolId": "pool-1", "Status": "ACTIVE"}')]):
            c.append(operation="DescribePools", region="us-east-1", match_key=f"k{number}",
                     match_body="{}", request=_request(request_body),
                     response=HttpResponse(200, {}, response_body),
                     recorded_at=1.0 + number, duration_ms=2.0)
    shown = run_cli("cassette", "show", str(path))
    assert (shown.returncode, shown.stderr) == (0, ""), shown.stderr
    assert shown.stdout.count("DescribePools") == 4 and "pool pool-1: ACTIVE" in shown.stdout
    exported = run_cli("cassette", "export", str(path))
    assert exported.returncode == 0 and exported.stdout.count('"body_raw": "[[[[') == 2
