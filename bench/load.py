"""A light load generator: many keep-alive HTTP clients in a few processes, replaying
requests botocore prepared and signed once, so the server, not boto3, is what is measured.

Each client is a thread with its own connection. `closed` clients send their next request as
soon as the last is answered (throughput); `paced` clients send on a fixed schedule with a
random phase, and a latency counts from when the request was due, so a stalled server's
backlog is in the figures (no coordinated omission).
"""

from __future__ import annotations

import http.client
import multiprocessing
import random
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from botocore.exceptions import ClientError


@dataclass(frozen=True)
class Prepared:
    """One request as botocore sends it: replayed as it is (neither server checks signatures
    here; both read the operation and the parameters)."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes


class _Captured(Exception):
    def __init__(self, request):
        super().__init__("captured")
        self.request = request


def prepare(client, operation: str, **params) -> Prepared:
    """The request `client.<operation>(**params)` sends, signed, without sending it."""
    def capture(request, **_kwargs):
        raise _Captured(request)

    client.meta.events.register_first("before-send.*", capture)
    try:
        getattr(client, operation)(**params)
    except _Captured as captured:
        request = captured.request
    except ClientError as exc:  # pragma: no cover - a capture that did not happen
        raise RuntimeError(f"{operation} was answered instead of captured: {exc}") from exc
    finally:
        client.meta.events.unregister("before-send.*", capture)
    body = request.body or b""
    body = body.encode() if isinstance(body, str) else bytes(body)
    headers = tuple((k, v.decode() if isinstance(v, bytes) else str(v)) for k, v in request.headers.items())
    return Prepared(request.method, urlsplit(request.url).path or "/", headers, body)


@dataclass(frozen=True)
class Plan:
    """What one run asks: `cycles[i]` is client i's repeating list of requests."""

    url: str
    cycles: tuple[tuple[Prepared, ...], ...]
    seconds: float
    interval: float | None = None  # paced: seconds between one client's requests


def _client(plan: Plan, index: int, start: float, out: list, errors: list) -> None:
    parts = urlsplit(plan.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    cycle, step, failures = plan.cycles[index], 0, 0
    end = start + plan.seconds
    due = start + (random.Random(index).uniform(0, plan.interval) if plan.interval else 0.0)
    latencies = []
    time.sleep(max(0.0, start - time.perf_counter()))  # every client starts together, at `start`
    while True:
        if plan.interval:
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
        sent = due if plan.interval else time.perf_counter()
        if sent >= end:
            break
        request = cycle[step % len(cycle)]
        conn.request(request.method, request.path, request.body, dict(request.headers))
        response = conn.getresponse()
        response.read()
        latencies.append(time.perf_counter() - sent)
        failures += response.status != 200
        step += 1
        due += plan.interval or 0.0
    conn.close()
    out.extend(latencies)
    errors.append(failures)


def _process(plan: Plan, indices: list[int], start: float, results) -> None:
    latencies: list[float] = []
    errors: list[int] = []
    threads = [threading.Thread(target=_client, args=(plan, i, start, latencies, errors))
               for i in indices]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=plan.seconds + 60)
    results.put((latencies, sum(errors)))


@dataclass(frozen=True)
class Result:
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


def run(plan: Plan, processes: int = 4) -> Result:
    """Run the plan's clients, spread over up to `processes` processes; bounded waits."""
    clients = len(plan.cycles)
    processes = max(1, min(processes, clients))
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    start = time.perf_counter() + 0.5  # every process starts its clients together
    workers = [context.Process(target=_process, args=(plan, list(range(p, clients, processes)),
                                                      start, results)) for p in range(processes)]
    for worker in workers:
        worker.start()
    latencies: list[float] = []
    errors = 0
    for _ in workers:
        got, failed = results.get(timeout=plan.seconds + 120)
        latencies += got
        errors += failed
    for worker in workers:
        worker.join(timeout=30)
    latencies.sort()
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    return Result(len(latencies), errors, plan.seconds, p(0.50), p(0.99))
