"""Running the CLI as users do: a real subprocess, bounded in time, always stopped."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from proxy.processes import CLI, cli_server, drain  # noqa: F401 - re-exported for tests

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args: str, timeout: float = 60, env: dict | None = None,
            stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=timeout,
                          cwd=ROOT, env={**os.environ, **(env or {})}, input=stdin)
