"""8. Many clients on one server: 1, 8 and 32 concurrent keep-alive clients against
`smsvoice-sim simulate` and against moto_server, reads alone and a mix of reads, writes and
sends; requests/s and p99 (bench/load.py replays requests botocore signed once)."""

from __future__ import annotations

import gc
import json
import statistics
import time
import urllib.request

import boto3
from botocore.config import Config

from smsvoice_sim.proxy.processes import cli_server
from smsvoice_sim.simulator import HttpRequest, Simulator

from . import load
from .b2_http import _moto_server
from .common import Table, verdict

CREDS = {"aws_access_key_id": "AKIABENCH00000000000", "aws_secret_access_key": "bench"}
CONFIG = Config(retries={"max_attempts": 1})
LEVELS = (1, 8, 32)
SECONDS = 3.0
DESTINATION = "+447700900123"
PACED_SHARE = 0.5  # the paced runs offer this share of one closed-loop client's requests/s
PAIRS = 3  # (one client, 32 paced clients) runs, alternated
PAIR_SECONDS = 2.0


def _client(service: str, url: str):
    return boto3.client(service, region_name="us-east-1", endpoint_url=url, config=CONFIG, **CREDS)


def _control(url: str, path: str, body: dict) -> dict:
    request = urllib.request.Request(f"{url}/_smsvoice/{path}", json.dumps(body).encode(),
                                     {"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def _simulate_workloads(url: str) -> dict[str, tuple]:
    """Reads: DescribePools over six pools. Mixed, per client: that read, a TagResource
    (its own tag key, rewritten) and a SendTextMessage from an ACTIVE pool."""
    sms = _client("pinpoint-sms-voice-v2", url)
    _control(url, "account-tier", {"tier": "PRODUCTION"})
    sender = sms.request_sender_id(SenderId="BENCH", IsoCountryCode="GB")["SenderIdArn"]
    pools = [sms.create_pool(OriginationIdentity=sender, MessageType="TRANSACTIONAL")
             for _ in range(6)]
    for pool in pools:
        _control(url, "transitions/force", {"ResourceId": pool["PoolId"]})
    pool = pools[0]
    read = load.prepare(sms, "describe_pools")
    send = load.prepare(sms, "send_text_message", DestinationPhoneNumber=DESTINATION,
                        OriginationIdentity=pool["PoolId"], MessageBody="bench")
    mixed = tuple((read, load.prepare(sms, "tag_resource", ResourceArn=pool["PoolArn"],
                                      Tags=[{"Key": f"client-{i}", "Value": "v"}]), send)
                  for i in range(max(LEVELS)))
    return {"reads": tuple((read,) for _ in range(max(LEVELS))), "mixed": mixed}


def _moto_workloads(url: str) -> dict[str, tuple]:
    """The comparable calls moto answers: DescribeLogGroups over six groups; mixed adds a
    PutRetentionPolicy per client on its own group and an SNS Publish to a phone number."""
    logs, sns = _client("logs", url), _client("sns", url)
    for i in range(max(LEVELS)):
        logs.create_log_group(logGroupName=f"bench-{i}")
    read = load.prepare(logs, "describe_log_groups", limit=6)
    send = load.prepare(sns, "publish", PhoneNumber=DESTINATION, Message="bench")
    mixed = tuple((read, load.prepare(logs, "put_retention_policy", logGroupName=f"bench-{i}",
                                      retentionInDays=1), send) for i in range(max(LEVELS)))
    return {"reads": tuple((read,) for _ in range(max(LEVELS))), "mixed": mixed}


def _measure(url: str, workloads: dict[str, tuple]) -> dict:
    """Closed-loop runs at every level (each client sends as soon as it is answered: the
    server's throughput, and the queue 32 clients make), then the p99 pairs."""
    found: dict = {}
    for name, cycles in workloads.items():
        load.run(load.Plan(url, cycles[:4], 1.0))  # warm: connections, caches, first compiles
        for clients in LEVELS:
            found[name, clients] = load.run(load.Plan(url, cycles[:clients], SECONDS))
    found["pairs"] = _p99_pairs(url, workloads["mixed"])
    return found


def _p99_pairs(url: str, cycles: tuple) -> list[tuple[load.Result, load.Result]]:
    """One closed-loop client, then 32 paced clients offering together half what it managed:
    no more work than one client gives, so what their p99 adds to its p99 is the cost of
    concurrency itself (32 clients all sending at once make a queue of 32 by construction).
    Alternated, so the state a run leaves (and the garbage collector's pauses over it) and
    the machine's bursts fall on both sides."""
    pairs = []
    for _ in range(PAIRS):
        one = load.run(load.Plan(url, cycles[:1], PAIR_SECONDS))
        interval = len(cycles) / (one.per_second * PACED_SHARE)
        pairs.append((one, load.run(load.Plan(url, cycles, PAIR_SECONDS, interval))))
    return pairs


class _TimedLock:
    """The simulator's lock, timing (thread CPU) how long each request holds it."""

    def __init__(self, lock):
        self.lock, self.held, self._since = lock, [], 0.0

    def __enter__(self):
        self.lock.acquire()
        self._since = time.thread_time()

    def __exit__(self, *exc_info):
        self.held.append(time.thread_time() - self._since)
        self.lock.release()


def _time_under_the_lock() -> dict[str, tuple[float, float]]:
    """Per operation of the mixed workload, in-process: µs a request holds the lock, and µs
    it costs in all (both medians, thread CPU); what the lock serialises is the first."""
    sim = Simulator(clock="manual", seed=1)
    sim.set_account_tier("PRODUCTION")
    client = sim.client()
    arn = client.request_sender_id(SenderId="BENCH", IsoCountryCode="GB")["SenderIdArn"]
    pools = [client.create_pool(OriginationIdentity=arn, MessageType="TRANSACTIONAL") for _ in range(6)]
    for pool in pools:
        sim.force_transition(pool["PoolId"])
    requests = {"DescribePools": load.prepare(client, "describe_pools"),
                "TagResource": load.prepare(client, "tag_resource", ResourceArn=pools[0]["PoolArn"],
                                            Tags=[{"Key": "k", "Value": "v"}]),
                "SendTextMessage": load.prepare(client, "send_text_message", MessageBody="bench",
                                                DestinationPhoneNumber=DESTINATION,
                                                OriginationIdentity=pools[0]["PoolId"])}
    timed = sim.pipeline.lock = _TimedLock(sim.lock)
    found = {}
    for name, prepared in requests.items():
        request = HttpRequest(prepared.method, "http://127.0.0.1/", dict(prepared.headers), prepared.body)
        rounds = []
        for _ in range(8):
            timed.held.clear()
            gc.collect()
            start = time.thread_time()
            for _ in range(300):
                sim.handle(request)
            rounds.append((statistics.median(timed.held) * 1e6, (time.thread_time() - start) / 300 * 1e6))
        found[name] = min(rounds)
    return found


def run(table: Table) -> None:
    with cli_server("simulate", "--listen", "127.0.0.1:0", "--clock", "manual") as (ready, _p):
        ours = _measure(ready.group(1), _simulate_workloads(ready.group(1)))
    moto, moto_url = _moto_server()
    try:
        theirs = _measure(moto_url, _moto_workloads(moto_url))
    finally:
        moto.terminate()
        moto.wait(timeout=10)
    _report(table, ours, theirs)
    for name, (held, whole) in _time_under_the_lock().items():
        table.add(f"8 {name}: time under the simulator's lock (in-process, CPU)", f"{held:.0f} µs",
                  f"{whole:.0f} µs (the whole request)", f"{held / whole:.0%} serialised", "(reported)")


def _report(table: Table, ours: dict, theirs: dict) -> None:
    for name in ("reads", "mixed"):
        for clients in LEVELS:
            a, b = ours[name, clients], theirs[name, clients]
            table.add(f"8 {name}, {clients} client{'s' if clients > 1 else ''}: requests/s, p99",
                      f"{a.per_second:.0f}/s, p99 {a.p99_ms:.1f} ms{_errors(a)}",
                      f"{b.per_second:.0f}/s, p99 {b.p99_ms:.1f} ms{_errors(b)} (moto_server)",
                      f"{a.per_second / b.per_second:.1f}× the requests/s",
                      verdict(a.per_second >= 5 * b.per_second, "≥ 5×") if name == "reads"
                      and clients == max(LEVELS) else "(reported)")
    for label, found, goal in (("", ours, True), (" (moto_server)", theirs, False)):
        pairs = found["pairs"]
        ratios = sorted(many.p99_ms / one.p99_ms for one, many in pairs)
        one = statistics.median(o.p99_ms for o, _m in pairs)
        many = statistics.median(m.p99_ms for _o, m in pairs)
        rate = statistics.median(m.per_second for _o, m in pairs)
        errors = sum(o.errors + m.errors for o, m in pairs)
        ratio = statistics.median(ratios)
        table.add(f"8 mixed, {max(LEVELS)} clients paced to {rate:.0f}/s{label}: p99 vs one "
                  f"client's (median of {len(pairs)} pairs)",
                  f"{many:.1f} ms{f', {errors} non-200' if errors else ''}", f"{one:.1f} ms (1 client)",
                  f"{ratio:.2f}× ({ratios[0]:.1f}–{ratios[-1]:.1f})",
                  verdict(ratio <= 3, "≤ 3×") if goal else "(reported)")


def _errors(result: load.Result) -> str:
    return f", {result.errors} non-200" if result.errors else ""
