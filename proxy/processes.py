"""Run `smsvoice-sim` subcommands as child processes: bounded waits, always stopped."""

from __future__ import annotations

import contextlib
import os
import queue
import re
import subprocess
import sys
import threading

CLI = [sys.executable, "-m", "smsvoice_sim.proxy.cli"]
READY = r"(http://127\.0\.0\.1:\d+)"


@contextlib.contextmanager
def cli_server(*args: str, ready: str = READY, timeout: float = 60, env: dict | None = None,
               cwd: str | None = None, command: list[str] | None = None):
    """Start `smsvoice-sim ARGS` (or `command`); wait, bounded, for a line matching
    `ready`; yield (match, process). The process is terminated (then killed) on
    exit; its later output lines are on `process.lines` (a queue ending with None)."""
    proc = subprocess.Popen(command or [*CLI, *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, cwd=cwd, env={**os.environ, **(env or {})})
    lines: queue.Queue[str | None] = queue.Queue()

    def pump():
        assert proc.stdout is not None  # stdout=PIPE
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    seen: list[str] = []
    try:
        while True:
            try:
                line = lines.get(timeout=timeout)
            except queue.Empty:
                raise TimeoutError(f"smsvoice-sim {' '.join(args)} said nothing ready in "
                                   f"{timeout}s: {''.join(seen)}") from None
            if line is None:
                raise RuntimeError(f"smsvoice-sim {' '.join(args)} exited {proc.wait()}: "
                                   f"{''.join(seen)}")
            seen.append(line)
            match = re.search(ready, line)
            if match:
                break
        proc.seen = seen  # type: ignore[attr-defined]
        proc.lines = lines  # type: ignore[attr-defined]
        yield match, proc
    finally:
        stop(proc)


def stop(proc: subprocess.Popen, timeout: float = 15) -> None:
    """Terminate `proc` and wait for it, bounded: killed when it is not gone in `timeout`
    seconds. Any child process a test or tool starts can be stopped with it."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def drain(proc, timeout: float = 5) -> list[str]:
    """The lines a stopped process printed after it was ready."""
    out: list[str] = []
    while True:
        try:
            line = proc.lines.get(timeout=timeout)
        except queue.Empty:
            return out
        if line is None:
            return out
        out.append(line)
