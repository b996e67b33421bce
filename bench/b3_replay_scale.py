"""3. Replay at scale: per-request replay cost with a 100,000-interaction cassette
against a 10-interaction one, the time to open it, and VCR.py on the same interactions."""

from __future__ import annotations

import json
import random
import shutil
import tempfile
import time
from pathlib import Path

from smsvoice_sim.proxy.cassette import Cassette
from smsvoice_sim.proxy.inprocess import cassette_client
from smsvoice_sim.proxy.matching import canonical_body, match_key
from smsvoice_sim.proxy.session import CassetteSession
from smsvoice_sim.simulator import HttpRequest, HttpResponse

from .common import Table, per_call_us, verdict

BIG, SMALL = 100_000, 10
URL = "https://sms-voice.us-east-1.amazonaws.com/"
AUTH = ("AWS4-HMAC-SHA256 Credential=AKIABENCH00000000000/20260101/us-east-1/sms-voice/"
        "aws4_request, SignedHeaders=host, Signature=0")


def _pool_id(i: int) -> str:
    return f"pool-{i:032x}"


def _interaction(i: int) -> dict:
    body = json.dumps({"PoolIds": [_pool_id(i)]}).encode()
    request = HttpRequest("POST", URL, {"X-Amz-Target": "PinpointSMSVoiceV2.DescribePools",
                                        "Content-Type": "application/x-amz-json-1.0",
                                        "Authorization": AUTH}, body)
    key = match_key(request)
    answer = {"Pools": [{"PoolArn": f"arn:aws:sms-voice:us-east-1:123456789012:pool/{_pool_id(i)}",
                         "PoolId": _pool_id(i), "Status": "ACTIVE", "MessageType": "TRANSACTIONAL",
                         "TwoWayEnabled": False, "SelfManagedOptOutsEnabled": False,
                         "OptOutListName": "Default", "SharedRoutesEnabled": False,
                         "DeletionProtectionEnabled": False, "CreatedTimestamp": 1.7e9}]}
    raw = json.dumps(answer, separators=(",", ":")).encode()
    response = HttpResponse(200, {"Content-Type": "application/x-amz-json-1.0",
                                  "Content-Length": str(len(raw))}, raw)
    return {"operation": key.operation, "region": key.region, "match_key": key.digest,
            "match_body": canonical_body(key.operation, body), "request": request,
            "response": response, "recorded_at": 1.7e9 + i, "duration_ms": 1.0}


def build(path: Path, n: int) -> None:
    with Cassette(path) as cassette:
        cassette.append_many(_interaction(i) for i in range(n))


def _replay_cost(path: Path, n: int) -> float:
    cassette = Cassette(path, create=False)
    session = CassetteSession(cassette)
    client = cassette_client(session, short_circuit=True)
    rng = random.Random(1)
    try:
        return per_call_us(lambda: client.describe_pools(PoolIds=[_pool_id(rng.randrange(n))]),
                           calls=1000)
    finally:
        cassette.close()


def _open_ms(path: Path) -> float:
    samples = []
    for _ in range(5):
        start = time.perf_counter()
        cassette = Cassette(path, create=False)
        CassetteSession(cassette)
        samples.append((time.perf_counter() - start) * 1000)
        cassette.close()
    return sorted(samples)[len(samples) // 2]


def _vcr(folder: Path, n: int, lookups: int = 20) -> tuple[float, float]:
    """VCR.py loading a YAML cassette of the same interactions, then matching."""
    import yaml
    from vcr.cassette import Cassette as VcrCassette
    from vcr.request import Request
    path = folder / f"vcr-{n}.yaml"
    interactions = []
    for i in range(n):
        it = _interaction(i)
        interactions.append({
            "request": {"method": "POST", "uri": URL, "body": it["request"].body.decode(),
                        "headers": {"X-Amz-Target": ["PinpointSMSVoiceV2.DescribePools"]}},
            "response": {"status": {"code": 200, "message": "OK"},
                         "headers": {"Content-Type": ["application/x-amz-json-1.0"]},
                         "body": {"string": it["response"].body.decode()}}})
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    path.write_text(yaml.dump({"interactions": interactions, "version": 1}, Dumper=dumper))
    start = time.perf_counter()
    from vcr.matchers import body, method, uri
    cassette = VcrCassette.load(path=str(path), match_on=(method, uri, body),
                                allow_playback_repeats=True)
    load_ms = (time.perf_counter() - start) * 1000
    rng = random.Random(1)
    start = time.perf_counter()
    for _ in range(lookups):
        i = rng.randrange(n)
        cassette.play_response(Request("POST", URL, json.dumps({"PoolIds": [_pool_id(i)]}), {}))
    per_request_us = (time.perf_counter() - start) / lookups * 1e6
    return load_ms, per_request_us


def run(table: Table) -> None:
    folder = Path(tempfile.mkdtemp(prefix="smsvoice-bench-"))
    try:
        build(folder / "big.db", BIG)
        build(folder / "small.db", SMALL)
        big_us = _replay_cost(folder / "big.db", BIG)
        small_us = _replay_cost(folder / "small.db", SMALL)
        open_ms = _open_ms(folder / "big.db")
        vcr_load_ms, vcr_us = _vcr(folder, BIG)
        table.add("3a replay per request, 100k-interaction vs 10-interaction cassette",
                  f"{big_us:.0f} µs", f"{small_us:.0f} µs (10)", f"{big_us / small_us:.2f}×",
                  verdict(big_us <= 1.2 * small_us, "≤ 1.2×"))
        table.add("3b open a 100k-interaction cassette", f"{open_ms:.1f} ms",
                  f"{vcr_load_ms:.0f} ms (VCR.py load)", f"{vcr_load_ms / open_ms:.0f}× faster",
                  verdict(open_ms < 50, "< 50 ms"))
        table.add("3c match one request among 100k (VCR.py scans linearly)", f"{big_us:.0f} µs",
                  f"{vcr_us:.0f} µs (VCR.py, no boto3)", f"{vcr_us / big_us:.0f}× faster",
                  "(reported)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
