"""The README cannot rot: every shell command in it is run here, as a new user
would type it (servers are started, waited for, and stopped; documented ports
are swapped for free ones), the self-contained Python examples are executed,
and the Mermaid diagrams must equal what `smsvoice-sim diagram` draws.

Not run here: `make demo` / `make test` (CI runs `make test`; test_endpoint runs
the demo) and lines that run the user's own `my_script.py`."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess

import pytest

from smsvoice_sim.proxy.processes import cli_server

from helpers import ROOT, run_cli

README = (ROOT / "README.md").read_text(encoding="utf-8")
LONG_RUNNING = re.compile(r"^(\.venv/bin/smsvoice-sim (simulate|record|replay)|\.venv/bin/mitmdump)\b")


def blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.DOTALL)


def commands(block: str) -> list[str]:
    joined = re.sub(r"\\\n\s*", " ", block)
    out = []
    for line in joined.splitlines():
        line = re.sub(r"\s{2,}#.*$", "", line).strip()  # trailing comments
        if line and not line.startswith("#"):
            out.append(line)
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def sandbox(tmp_path):
    (tmp_path / "cassettes").mkdir()
    for name in ("pool_lifecycle.db", "pool_lifecycle.jsonl"):
        shutil.copy(ROOT / "cassettes" / name, tmp_path / "cassettes" / name)
    os.symlink(ROOT / "proxy", tmp_path / "proxy")
    os.symlink(ROOT / ".venv", tmp_path / ".venv")
    return tmp_path


SHELL_BLOCKS = [b for b in blocks("sh")]


def test_the_readme_names_its_two_commands_first():
    first = SHELL_BLOCKS[0]
    assert "make demo" in first and "make test" in first


@pytest.mark.parametrize("index", range(len(SHELL_BLOCKS)))
def test_shell_block_runs(index, sandbox):
    block = SHELL_BLOCKS[index]
    ports = {p: str(free_port()) for p in set(re.findall(r"127\.0\.0\.1:(48\d\d)", block))}
    env = {**os.environ, "HOME": str(sandbox), "AWS_PAGER": ""}
    env.pop("AWS_PROFILE", None)
    with contextlib.ExitStack() as servers:
        for command in commands(block):
            for documented, actual in ports.items():
                command = command.replace(f"127.0.0.1:{documented}", f"127.0.0.1:{actual}")
            if command.startswith("make ") or "my_script.py" in command:
                continue
            if command.startswith("export "):
                for assignment in command[len("export "):].split():
                    key, _, value = assignment.partition("=")
                    env[key] = os.path.expandvars(value)
                continue
            if LONG_RUNNING.match(command):
                ready = r"smsvoice-sim \w+ (?:endpoint|forward proxy) on (http://\S+)|simulating on"
                servers.enter_context(cli_server(command=["bash", "-c", f"exec {command}"],
                                                 ready=ready, env=env, cwd=str(sandbox)))
                continue
            if command.startswith("curl "):  # a refused call must fail the test, as it would a user
                command = "curl --fail-with-body " + command[len("curl "):]
            result = subprocess.run(["bash", "-c", command], cwd=sandbox, env=env,
                                    capture_output=True, text=True, timeout=120)
            assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"


@pytest.mark.parametrize("index", [i for i, b in enumerate(blocks("python"))
                                   if b.lstrip().startswith(("from ", "import "))
                                   and "@pytest" not in b])
def test_python_example_runs(index, sandbox, monkeypatch):
    monkeypatch.chdir(sandbox)
    exec(compile(blocks("python")[index], f"README.md python block {index}", "exec"), {})


def test_mermaid_diagrams_are_the_running_machines():
    """Each machine is drawn once, in the section of its family: the README's diagrams are
    exactly the running machines, in whatever order the sections put them."""
    drawn = re.findall(r"```mermaid\n(.*?)```", run_cli("diagram").stdout, flags=re.DOTALL)
    embedded = blocks("mermaid")
    assert sorted(b.rstrip() for b in embedded) == sorted(b.rstrip() for b in drawn), \
        "regenerate with `.venv/bin/smsvoice-sim diagram` (or `diagram KIND` for one machine)"
