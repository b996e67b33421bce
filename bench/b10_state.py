"""10. --state: a write at 10k resources against the same write without --state; a reader's p99
while another client writes with --state; 32 clients writing and sending with --state against
one client alone; and where the time of a --state write goes."""

from __future__ import annotations

import contextlib
import cProfile
import itertools
import json
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import boto3
from botocore.config import Config

from smsvoice_sim.proxy.processes import cli_server
from smsvoice_sim.simulator import Simulator

from .common import Table, per_call_us, percentile, verdict

RESOURCES = 10_000
CREDS = {"aws_access_key_id": "AKIABENCH00000000000", "aws_secret_access_key": "bench"}
CLIENTS = 32


def run(table: Table) -> None:
    folder = Path(tempfile.mkdtemp(prefix="smsvoice-bench-state-"))
    try:
        _write_at_scale(table, folder)
        state = _prepared_state(folder / "served.db")
        _reader_while_writing(table, state)
        _many_clients(table, state)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# -- 8a: one write at 10k resources, with and without --state ----------------------------------
def _populate(sim: Simulator, count: int) -> None:
    """`count` resources: sender IDs (a row each), through the API like any client."""
    client = sim.client(short_circuit=True)
    for i in range(count):
        client.request_sender_id(SenderId=f"S{i:05d}", IsoCountryCode="US")


def _write_at_scale(table: Table, folder: Path) -> None:
    quotas = {"SENDER_IDS": RESOURCES + 10, "CONFIGURATION_SETS": RESOURCES}
    saving = Simulator(clock="manual", seed=1, quotas=quotas, state_file=str(folder / "s.db"))
    memory = Simulator(clock="manual", seed=1, quotas=quotas)
    for sim in (saving, memory):
        _populate(sim, RESOURCES)
    names = {id(sim): itertools.count() for sim in (saving, memory)}

    def writer(sim: Simulator):
        client, count = sim.client(), names[id(sim)]
        return lambda: client.create_configuration_set(ConfigurationSetName=f"c{next(count)}")

    with_state = per_call_us(writer(saving), calls=200, rounds=5)
    without = per_call_us(writer(memory), calls=200, rounds=5)
    table.add(f"10a create_configuration_set at {RESOURCES // 1000}k resources, --state vs without",
              f"{with_state:.0f} µs", f"{without:.0f} µs (no --state)",
              f"{with_state / without:.2f}×", verdict(with_state <= 2 * without, "≤ 2×"))
    _where_the_time_goes(table, saving, writer(saving))
    saving.close()


def _where_the_time_goes(table: Table, sim: Simulator, write) -> None:
    """A profile of 300 writes: the share of --state's parts (staging the changed rows under
    the lock, the transaction outside it) in a write's time."""
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(300):
        write()
    profile.disable()
    stats = pstats.Stats(profile)
    total = stats.total_tt  # type: ignore[attr-defined]
    parts = {"stage (lock held)": "stage_changes", "transaction (no lock)": "write"}
    shares = []
    for label, name in parts.items():
        cumulative = max((v[3] for (path, _line, fn), v in stats.stats.items()  # type: ignore[attr-defined]
                          if fn == name and ("snapshot" in path or "persistence" in path)),
                         default=0.0)
        shares.append(f"{label} {cumulative / 300 * 1e6:.0f} µs ({cumulative / total:.0%})")
    table.add("10a' where a --state write's time goes (cProfile, 300 writes)", "; ".join(shares),
              f"{total / 300 * 1e6:.0f} µs per write in all (profiled)", "-",
              "(the rest: botocore, the pipeline)")


# -- 8b, 8c: the HTTP server with --state ------------------------------------------------------
def _prepared_state(path: Path) -> Path:
    """A state file of RESOURCES resources and five pools, made in-process (the server then
    starts from it)."""
    sim = Simulator(clock="manual", seed=2, quotas={"SENDER_IDS": RESOURCES + 10},
                    state_file=str(path))
    _populate(sim, RESOURCES - 5)
    client = sim.client(short_circuit=True)
    arn = client.describe_sender_ids(MaxResults=1)["SenderIds"][0]["SenderIdArn"]
    for _ in range(5):
        client.create_pool(OriginationIdentity=arn, MessageType="TRANSACTIONAL")
    sim.advance(60)
    sim.close()
    return path


def _client(url: str):
    return boto3.client("pinpoint-sms-voice-v2", region_name="us-east-1", endpoint_url=url,
                        config=Config(retries={"max_attempts": 1}, max_pool_connections=1), **CREDS)


def _served(state: Path):
    copy = state.with_name(f"copy-{time.monotonic_ns()}.db")
    shutil.copy(state, copy)
    return cli_server("simulate", "--listen", "127.0.0.1:0", "--clock", "manual",
                      "--quota", f"CONFIGURATION_SETS={RESOURCES}", "--state", str(copy))


def _latencies(fn, calls: int, stop: threading.Event | None = None) -> list[float]:
    out = []
    for _ in range(calls):
        if stop is not None and stop.is_set():
            break
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1e3)
    return sorted(out)


def _reader_while_writing(table: Table, state: Path) -> None:
    """The reader in this process, the writer in a process of its own: neither waits for
    the other's client-side work (botocore, and one interpreter lock per process)."""
    with _served(state) as (ready, _proc):
        url = ready.group(1)
        reader = _client(url)
        for _ in range(30):
            reader.describe_pools()
        alone = _latencies(reader.describe_pools, 400)
        with _clients(url, "write", processes=1, threads=1, pause=0.0, calls=100_000) as writers:
            time.sleep(0.1)  # the writer is writing
            busy = _latencies(reader.describe_pools, 400)
            writes = _stop(writers)
    p99 = percentile(busy, 99)
    table.add("10b describe_pools p99 while another client writes (--state, HTTP)",
              f"p99 {p99:.1f} ms (p50 {percentile(busy, 50):.1f})",
              f"p99 {percentile(alone, 99):.1f} ms alone (p50 {percentile(alone, 50):.1f})",
              f"{p99 / percentile(alone, 99):.1f}× ({len(writes)} writes meanwhile)",
              verdict(p99 <= 5.0, "p99 ≤ 5 ms"))


@contextlib.contextmanager
def _clients(url: str, mode: str, processes: int, threads: int, pause: float, calls: int):
    """Client processes (`python -m bench.b10_state`), `threads` clients each: every client
    makes `calls` requests of `mode` (write, mix), `pause` seconds apart, and prints its
    latencies when done or told to stop (its standard input closed)."""
    procs = [subprocess.Popen([sys.executable, "-m", "bench.b10_state", url, mode, str(threads),
                               str(pause), str(calls), str(i)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                              cwd=Path(__file__).resolve().parent.parent)
             for i in range(processes)]
    try:
        for proc in procs:  # every client made its first request: none is still starting up
            line = proc.stdout.readline()
            if line.strip() != "ready":
                raise RuntimeError(f"a client process did not start: {line!r}")
        for proc in procs:
            proc.stdin.write("go\n")
            proc.stdin.flush()
        yield procs
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=30)


def _stop(procs, finish: bool = False, timeout: float = 600) -> list[float]:
    """Stop the client processes (closing their input), or let them `finish` their calls:
    every latency, ms."""
    out = []
    for proc in procs:
        if finish:
            stdout = proc.stdout.read()
            proc.wait(timeout=timeout)
        else:
            stdout, _ = proc.communicate(timeout=timeout)
        out += json.loads(stdout.strip().splitlines()[-1])
    return sorted(out)


def _client_main(url: str, mode: str, threads: int, pause: float, calls: int, seed: int) -> None:
    """One client process: `threads` clients; latencies (ms) as one JSON line at the end."""
    go, stop = threading.Event(), threading.Event()

    def listen():  # "go" starts the clients; the input closed stops them
        if sys.stdin.readline().strip() == "go":
            go.set()
        sys.stdin.read()
        stop.set()
        go.set()

    threading.Thread(target=listen, daemon=True).start()
    results: list[float] = []
    names = itertools.count()
    ready = threading.Barrier(threads + 1)

    def one(index: int):
        client = _client(url)
        pool = client.describe_pools()["Pools"][0]["PoolArn"]
        tag = f"{os.getpid()}-{seed}-{index}-"  # unique across the runs one server answers
        step = _mix(client, pool, names, tag) if mode == "mix" else (
            lambda: client.create_configuration_set(ConfigurationSetName=f"w{tag}{next(names)}"))
        step()
        ready.wait()
        go.wait()
        time.sleep(pause * (seed * threads + index) / max(1, CLIENTS))  # spread the starts
        for _ in range(calls):
            if stop.is_set():
                break
            start = time.perf_counter()
            step()
            results.append((time.perf_counter() - start) * 1e3)
            if pause:
                stop.wait(pause)

    workers = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(threads)]
    for worker in workers:
        worker.start()
    ready.wait()
    print("ready", flush=True)
    for worker in workers:
        worker.join()
    print(json.dumps(results), flush=True)


def _mix(client, arn: str, counter, prefix: str = "") -> Callable[[], None]:
    """Alternately a write (a configuration set) and a send from a pool."""
    steps = itertools.cycle(["write", "send"])

    def step():
        if next(steps) == "write":
            client.create_configuration_set(ConfigurationSetName=f"m{prefix}{next(counter)}")
        else:
            client.send_text_message(DestinationPhoneNumber="+12065550100", OriginationIdentity=arn,
                                     MessageBody="hello")
    return step


def _many_clients(table: Table, state: Path) -> None:
    """32 clients (8 processes of 4), each pausing between requests so that together they
    ask for about half of what one client alone is served: contention, not a queue."""
    with _served(state) as (ready, _proc):
        url = ready.group(1)
        with _clients(url, "mix", processes=1, threads=1, pause=0.0, calls=300) as one:
            alone = _stop(one, finish=True)
        pause = CLIENTS * statistics.mean(alone) * 2 / 1e3
        with _clients(url, "mix", processes=8, threads=CLIENTS // 8, pause=pause, calls=25) as many:
            together = _stop(many, finish=True)
    ratio = percentile(together, 99) / percentile(alone, 99)
    table.add(f"10c {CLIENTS} clients, writes and sends, p99 vs one client (--state, HTTP)",
              f"p99 {percentile(together, 99):.1f} ms ({len(together)} requests)",
              f"p99 {percentile(alone, 99):.1f} ms (one client alone)", f"{ratio:.1f}×",
              verdict(ratio <= 3.0, "≤ 3×"))


if __name__ == "__main__":
    if len(sys.argv) == 7:  # a client process of 8b/8c
        _client_main(sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]),
                     int(sys.argv[5]), int(sys.argv[6]))
    else:
        table = Table()
        run(table)
        print(table.render())
    os._exit(0)
