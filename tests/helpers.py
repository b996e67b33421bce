"""Running the CLI as users do: a real subprocess, bounded in time, always stopped."""

from __future__ import annotations

import contextlib
import os
import queue
import re
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "proxy.cli"]


def run_cli(*args: str, timeout: float = 60, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=timeout,
                          cwd=ROOT, env={**os.environ, **(env or {})})


@contextlib.contextmanager
def cli_server(*args: str, ready: str = r"(http://127\.0\.0\.1:\d+)", timeout: float = 30,
               env: dict | None = None):
    """Start `smsvoice-sim ARGS`, wait for its first line matching `ready`, yield the match."""
    proc = subprocess.Popen([*CLI, *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, cwd=ROOT, env={**os.environ, **(env or {})})
    lines: queue.Queue[str | None] = queue.Queue()

    def pump():
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    seen = []
    try:
        while True:
            try:
                line = lines.get(timeout=timeout)
            except queue.Empty:
                raise TimeoutError(f"no ready line from {args}: {''.join(seen)}") from None
            if line is None:
                raise RuntimeError(f"exited {proc.wait()}: {''.join(seen)}")
            seen.append(line)
            match = re.search(ready, line)
            if match:
                break
        proc.output = seen  # type: ignore[attr-defined]
        proc.lines = lines  # type: ignore[attr-defined]
        yield match, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
