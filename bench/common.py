"""Timing helpers: medians of several rounds, ratios against a peer in the same run.

In-process comparisons (`paired_ratio`) count the thread's CPU time, not wall time, and
alternate ours and the peer in short rounds: on a shared machine another process's burst
then lands in neither figure, or in both, instead of in one side's only."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable


def per_call_us(fn: Callable[[], object], calls: int = 1000, rounds: int = 5,
                warmup: int = 20, clock: Callable[[], float] = time.perf_counter) -> float:
    """Median over `rounds` of the mean wall time of one call, in microseconds. Each round
    starts from a collected heap: a round must not pay for the garbage an earlier benchmark
    (or the peer's rounds) left, which skewed ratios by up to 1.6x between runs."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(rounds):
        gc.collect()
        start = clock()
        for _ in range(calls):
            fn()
        samples.append((clock() - start) / calls * 1e6)
    return statistics.median(samples)


def paired_ratio(ours: Callable[[], object], peer: Callable[[], object], calls: int = 200,
                 pairs: int = 25, warmup: int = 20) -> tuple[float, float, float]:
    """(ours µs per call, peer µs per call, ours / peer): medians over `pairs` rounds that
    alternate the two (who goes first alternates too), each round `calls` calls long, timed
    in thread CPU time from a collected heap."""
    for _ in range(warmup):
        ours()
        peer()
    mine, theirs, ratios = [], [], []
    for i in range(pairs):
        order = ((ours, mine), (peer, theirs)) if i % 2 == 0 else ((peer, theirs), (ours, mine))
        for fn, out in order:
            gc.collect()
            start = time.thread_time()
            for _ in range(calls):
                fn()
            out.append((time.thread_time() - start) / calls * 1e6)
        ratios.append(mine[-1] / theirs[-1])
    return statistics.median(mine), statistics.median(theirs), statistics.median(ratios)


def latencies_us(fn: Callable[[], object], calls: int) -> list[float]:
    out = []
    for _ in range(calls):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1e6)
    return sorted(out)


def percentile(sorted_values: list[float], p: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(p / 100 * (len(sorted_values) - 1))))
    return sorted_values[index]


def rss_kib(pid: int | str = "self") -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Table:
    def __init__(self):
        self.rows: list[tuple[str, str, str, str, str]] = []

    def add(self, benchmark: str, ours: str, peer: str, ratio: str, verdict: str) -> None:
        self.rows.append((benchmark, ours, peer, ratio, verdict))
        print(f"  {benchmark}: ours {ours} | peer {peer} | {ratio} | {verdict}", flush=True)

    def render(self) -> str:
        head = ("benchmark", "ours", "peer (same run)", "ratio", "goal")
        widths = [max(len(r[i]) for r in [head, *self.rows]) for i in range(5)]
        line = lambda r: "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |"  # noqa: E731
        return "\n".join([line(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|",
                          *map(line, self.rows)])


def verdict(ok: bool, goal: str) -> str:
    return f"{'met' if ok else 'MISSED'} ({goal})"
