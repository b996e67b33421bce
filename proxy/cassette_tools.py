"""`smsvoice-sim cassette list|show|export|import`: cassettes people can read and review."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from smsvoice_sim.simulator import HttpRequest, HttpResponse

from .cassette import Cassette, CassetteError, Interaction
from .matching import canonical_body, match_key

KEY_FIELDS = ("PoolId", "PhoneNumberId", "PhoneNumber", "SenderId", "OriginationIdentity",
              "Status", "MessageType")


def _raw_or_parsed(raw: bytes) -> dict:
    """Bodies are exported parsed (readable in a diff); the raw bytes ride along only
    when re-serialising would not give them back exactly."""
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        return {"body_raw": raw.decode("utf-8", "replace")}
    if parsed is None or json.dumps(parsed, separators=(",", ":")).encode() == raw:
        return {"body": parsed}
    return {"body": parsed, "body_raw": raw.decode("utf-8")}


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
        yield json.dumps(line)  # body key order is kept: it is what was sent


def _body_bytes(part: dict) -> bytes:
    if "body_raw" in part:
        return part["body_raw"].encode("utf-8")
    if part.get("body") is None:
        return b""
    return json.dumps(part["body"], separators=(",", ":")).encode()


def _parse_line(number: int, line: str) -> dict:
    try:
        entry = json.loads(line)
        req, resp = entry["request"], entry["response"]
        request = HttpRequest(req["method"], req["url"], req["headers"], _body_bytes(req))
        response = HttpResponse(resp["status"], resp["headers"], _body_bytes(resp))
    except (ValueError, KeyError, TypeError) as exc:
        raise CassetteError(f"line {number} is not an exported interaction: {exc}") from None
    key = match_key(request, region=entry.get("region", ""))
    return {"operation": key.operation, "region": key.region, "match_key": key.digest,
            "match_body": canonical_body(key.operation, request.body), "request": request,
            "response": response, "recorded_at": float(entry.get("recorded_at", 0.0)),
            "duration_ms": float(entry.get("duration_ms", 0.0))}


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
    try:
        body = json.loads(it.response.body) if it.response.body else {}
        request = json.loads(it.request.body) if it.request.body else {}
    except ValueError:
        return ""
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
    for it in rows:
        lines.append(f"  +{it.recorded_at - start:8.2f}s  #{it.seq:<4} {it.operation:<32} "
                     f"{it.response.status}  {_key_fields(it)}")
    lines += pool_timelines(rows, start)
    return lines


def pool_timelines(rows: list[Interaction], start: float) -> list[str]:
    """Each recorded pool's states over time: CREATING ──2.1s──▶ ACTIVE ──▶ DELETING."""
    seen: dict[str, list[tuple[float, str]]] = {}
    for it in rows:
        try:
            body = json.loads(it.response.body) if it.response.body else {}
        except ValueError:
            continue
        pools = body.get("Pools") if isinstance(body.get("Pools"), list) else [body]
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
        with Cassette(path, create=False) as cassette:
            ops = Counter(it.operation for it in cassette.interactions())
            total = sum(ops.values())
    except CassetteError as exc:
        return f"{path}: {exc}"
    top = ", ".join(f"{op}×{n}" for op, n in ops.most_common(4))
    return f"{path}: {total} interactions ({top})"
