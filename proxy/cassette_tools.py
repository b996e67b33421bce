"""`smsvoice-sim cassette list|show|export|import`: cassettes people can read and review."""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from smsvoice_sim.simulator import HttpRequest, HttpResponse
from smsvoice_sim.simulator.wire.json_read import MAX_DEPTH, JsonRefused, read_json

from .cassette import Cassette, CassetteError, Interaction
from .matching import canonical_body, match_key

KEY_FIELDS = ("PoolId", "PhoneNumberId", "PhoneNumber", "SenderId", "OriginationIdentity",
              "Status", "MessageType")


# An exported line holds each body two levels down (line -> request -> body): a body read
# within the limit is exported parsed, so its line may nest that much deeper.
MAX_LINE_DEPTH = MAX_DEPTH + 2


def _parsed(body: bytes | None):
    """A recorded body as JSON (empty: {}), or None when it is not JSON this project reads
    (too deep, NaN...): read with the simulator's limits, never recursing out of the stack."""
    try:
        return read_json(body) if body else {}
    except JsonRefused:
        return None


def _raw_or_parsed(raw: bytes | None) -> dict:
    """Bodies are exported parsed (readable in a diff); the exact bytes ride along
    whenever re-serialising would not give them back: as text (`body_raw`), or as
    base64 (`body_base64`) when they are not UTF-8."""
    if not raw:
        return {"body": None}
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return {"body_base64": base64.b64encode(raw).decode("ascii")}
    try:
        parsed = read_json(text)
    except JsonRefused:
        return {"body_raw": text}
    if parsed is not None and json.dumps(parsed, separators=(",", ":")).encode() == raw:
        return {"body": parsed}
    return {"body": parsed, "body_raw": text}


def export_lines(cassette: Cassette) -> Iterator[str]:
    for it in cassette.interactions():
        line = {
            "seq": it.seq, "operation": it.operation, "region": it.region,
            "recorded_at": it.recorded_at, "duration_ms": round(it.duration_ms, 3),
            "request": {"method": it.request.method, "url": it.request.url,
                        "headers": it.request.headers, **_raw_or_parsed(it.request.body)},
            "response": {"status": it.response.status, "headers": it.response.headers,
                         **_raw_or_parsed(it.response.body)},
        }
        yield json.dumps(line, allow_nan=False)  # body key order is kept: it is what was sent


MAX_LINE_CHARS = 64 * 1024 * 1024


def _expect(condition: bool, what: str) -> None:
    if not condition:
        raise ValueError(what)


def _body_bytes(part: dict, where: str) -> bytes:
    if "body_base64" in part:
        _expect(isinstance(part["body_base64"], str), f"{where}.body_base64 must be a string")
        try:
            return base64.b64decode(part["body_base64"], validate=True)
        except binascii.Error:
            raise ValueError(f"{where}.body_base64 is not base64") from None
    if "body_raw" in part:
        _expect(isinstance(part["body_raw"], str), f"{where}.body_raw must be a string")
        try:
            return part["body_raw"].encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(f"{where}.body_raw holds a lone surrogate, not text") from None
    if part.get("body") is None:
        return b""
    return json.dumps(part["body"], separators=(",", ":"), allow_nan=False).encode()


def _headers(part: dict, where: str) -> dict[str, str]:
    headers = part.get("headers", {})
    _expect(isinstance(headers, dict) and all(isinstance(v, str) for v in headers.values()),
            f"{where}.headers must be an object of strings")
    return headers


def _number(entry: dict, key: str) -> float:
    value = entry.get(key, 0.0)
    _expect(isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value) and abs(value) <= 1e15,
            f"{key} must be a finite number of reasonable size")
    return float(value)


def _parse_line(number: int, line: str) -> dict:
    try:
        _expect(len(line) <= MAX_LINE_CHARS, f"longer than {MAX_LINE_CHARS} characters")
        entry = read_json(line, max_depth=MAX_LINE_DEPTH)  # a JsonRefused is a ValueError
        _expect(isinstance(entry, dict), "not a JSON object")
        req, resp = entry.get("request"), entry.get("response")
        _expect(isinstance(req, dict) and isinstance(resp, dict),
                "needs \"request\" and \"response\" objects")
        _expect(isinstance(req.get("method"), str) and bool(req["method"]),
                "request.method must be a string")
        _expect(isinstance(req.get("url"), str), "request.url must be a string")
        status = resp.get("status")
        _expect(isinstance(status, int) and not isinstance(status, bool) and 100 <= status <= 599,
                "response.status must be a whole number from 100 to 599")
        region = entry.get("region", "")
        _expect(isinstance(region, str), "region must be a string")
        request = HttpRequest(req["method"], req["url"], _headers(req, "request"),
                              _body_bytes(req, "request"))
        response = HttpResponse(status, _headers(resp, "response"), _body_bytes(resp, "response"))
        recorded_at, duration_ms = _number(entry, "recorded_at"), _number(entry, "duration_ms")
    except (ValueError, TypeError) as exc:
        detail = " ".join(str(exc).split())[:200]
        raise CassetteError(f"line {number} is not an exported interaction: {detail}") from None
    key = match_key(request, region=region)
    return {"operation": key.operation, "region": key.region, "match_key": key.digest,
            "match_body": canonical_body(key.operation, request.body), "request": request,
            "response": response, "recorded_at": recorded_at, "duration_ms": duration_ms}


def import_lines(lines: Iterable[str], cassette: Cassette, progress=None,
                 batch: int = 2000) -> int:
    """Append exported lines, a transaction per batch (a large file imports in seconds)."""
    count, pending = 0, []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            pending.append(_parse_line(number, line))
        if progress:
            progress(len(line) + 1)
        if len(pending) >= batch:
            count += cassette.append_many(pending)
            pending = []
    if pending:
        count += cassette.append_many(pending)
    return count


def _key_fields(it: Interaction) -> str:
    body, request = _parsed(it.response.body), _parsed(it.request.body)
    if not isinstance(body, dict):
        return ""
    if not isinstance(request, dict):
        request = {}
    if it.response.status >= 400:
        code = str(body.get("__type", "")).rsplit("#", 1)[-1]
        extra = [body[k] for k in ("Reason", "ResourceType") if body.get(k)]
        return " ".join([code, *map(str, extra)])
    # Describe* answers hold a list; show the first item's key fields.
    for value in body.values():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            body = {**value[0], "count": len(value)}
            break
    fields = [f"{k}={body[k]}" for k in (*KEY_FIELDS, "count") if k in body]
    if not fields:
        fields = [f"{k}={request[k]}" for k in KEY_FIELDS if k in request]
    return " ".join(fields)


def timeline(cassette: Cassette) -> list[str]:
    rows = list(cassette.interactions())
    if not rows:
        return [f"{cassette.path}: empty cassette"]
    start = rows[0].recorded_at
    lines = [f"{cassette.path}: {len(rows)} interactions over "
             f"{rows[-1].recorded_at - start:.1f}s"]
    if cassette.meta("note"):  # how it was made, where the cassette says (the shipped one does)
        lines.append(f"  note: {cassette.meta('note')}")
    for it in rows:
        lines.append(f"  +{it.recorded_at - start:8.2f}s  #{it.seq:<4} {it.operation:<32} "
                     f"{it.response.status}  {_key_fields(it)}")
    lines += pool_timelines(rows, start)
    return lines


def pool_timelines(rows: list[Interaction], start: float) -> list[str]:
    """Each recorded pool's states over time: CREATING ──2.1s──▶ ACTIVE ──▶ DELETING."""
    seen: dict[str, list[tuple[float, str]]] = {}
    for it in rows:
        body = _parsed(it.response.body)
        if not isinstance(body, dict):
            continue
        pools: list = body["Pools"] if isinstance(body.get("Pools"), list) else [body]
        for pool in pools:
            if isinstance(pool, dict) and pool.get("PoolId") and pool.get("Status"):
                states = seen.setdefault(pool["PoolId"], [])
                if not states or states[-1][1] != pool["Status"]:
                    states.append((it.recorded_at, pool["Status"]))
    lines = []
    for pool_id, states in seen.items():
        parts = [f"{states[0][1]}"]
        for (t0, _), (t1, state) in zip(states, states[1:], strict=False):
            gap = t1 - t0
            parts.append(f" ──{gap:.1f}s──▶ {state}" if gap >= 1 else
                         f" ──{gap * 1000:.0f}ms──▶ {state}")
        lines.append(f"  pool {pool_id}: " + "".join(parts))
    return (["timeline of recorded pools:"] + lines) if lines else []


def summary(path: Path) -> str:
    try:
        with Cassette(path, readonly=True) as cassette:
            ops = Counter(it.operation for it in cassette.interactions())
            total = sum(ops.values())
    except CassetteError as exc:
        return f"{path}: {exc}"
    top = ", ".join(f"{op}×{n}" for op, n in ops.most_common(4))
    return f"{path}: {total} interactions ({top})"
