"""The code blocks of README.md and docs/, and how the docs tests run them, as a reader
would, page by page, in one folder per page:

- `sh` blocks: each command in turn (servers started and waited for, documented ports
  swapped for free ones, `export` kept for the rest of the page); every server is sent a
  real boto3 request before it is stopped, and `record` records against a local stand-in
  for AWS (never AWS itself);
- `python` blocks: run in order in one namespace per page (a page reads as one session);
  a block that defines `test_` functions is a test file, run by pytest (pytester);
- `mermaid` blocks are checked, not run (tests/test_docs_site.py).

A block that cannot run is marked `<!-- not-run: why -->` on the line before it; the site
test fails on a marker without a reason, and on any block of another language unmarked."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import boto3
from botocore.config import Config

from smsvoice_sim.proxy.http_server import EndpointServer, simulator_answer
from smsvoice_sim.proxy.processes import cli_server, drain
from smsvoice_sim.simulator import Simulator

ROOT = Path(__file__).resolve().parent.parent


def _import_every_module() -> None:
    """pytester puts sys.modules back as it was after each test: a module first imported by a
    docs example would be dropped, then imported afresh by the next test, and today's
    import-time registrations (send gates, families) would run twice. Imported here, once,
    they stay."""
    import importlib
    import pkgutil
    import warnings

    import smsvoice_sim.proxy
    import smsvoice_sim.simulator
    with warnings.catch_warnings():  # mitmproxy's dependencies warn about their own
        warnings.simplefilter("ignore", DeprecationWarning)
        for package in (smsvoice_sim.simulator, smsvoice_sim.proxy):
            for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
                importlib.import_module(module.name)


_import_every_module()
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
RUNNABLE = {"sh", "python", "mermaid"}
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\s*$", re.M | re.S)
MARKER = re.compile(r"<!--\s*not-run\s*:?(.*?)-->", re.S)
LONG_RUNNING = re.compile(r"^(\.venv/bin/smsvoice-sim (simulate|record|replay)|\.venv/bin/mitmdump)\b")
READY = r"smsvoice-sim (?:(record|replay) (endpoint|forward proxy)|(simulating)) on (http://\S+)"
SERVICE_HOST = "sms-voice.us-east-1.amazonaws.com"
RECORDED_POOL = "pool-9123d95385004a8c9338a3488cb5afe6"  # in cassettes/pool_lifecycle.db
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "example",
               "AWS_DEFAULT_REGION": "us-east-1"}
# Stands for the reader's own program in `python my_script.py`: one call, to wherever the
# environment points boto3 (an endpoint URL, or HTTPS_PROXY and a CA bundle).
MY_SCRIPT = """import boto3
client = boto3.client("pinpoint-sms-voice-v2", region_name="us-east-1")
print([limit["Name"] for limit in client.describe_account_limits()["AccountLimits"]][:3])
"""


@dataclass
class Block:
    page: Path
    line: int
    lang: str
    code: str
    not_run: str | None  # the marker's reason ("" when the marker gives none); None: no marker

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"

    @property
    def is_pytest(self) -> bool:
        return self.lang == "python" and re.search(r"^def test_", self.code, re.M) is not None


def blocks(page: Path) -> list[Block]:
    text = page.read_text(encoding="utf-8")
    found = []
    for match in FENCE.finditer(text):
        before = text[:match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        marker = MARKER.fullmatch(before.strip())
        found.append(Block(page, text.count("\n", 0, match.start()) + 1, match.group(1),
                           match.group(2), marker.group(1).strip() if marker else None))
    return found


def all_blocks() -> list[Block]:
    return [b for page in PAGES for b in blocks(page)]


def pages_to_run() -> list[Path]:
    return [p for p in PAGES if any(b.not_run is None and b.lang in ("sh", "python") for b in blocks(p))]


def cost(page: Path) -> float:
    """A rough run time in seconds: servers (mitmproxy starts slowly), pytest runs and
    commands (each a new process) dominate."""
    runnable = [b for b in blocks(page) if b.not_run is None]
    lines = [c for b in runnable if b.lang == "sh" for c in commands(b.code)]
    servers = sum(1 for c in lines if LONG_RUNNING.match(c))
    return 3 * servers + 3 * sum(b.is_pytest for b in runnable) + len(lines) + 0.5


def group(index: int, of: int) -> list[Path]:
    """A stable share of the pages to run, balanced by cost, so that several test files (one
    xdist worker each under --dist loadfile) split the work evenly."""
    shares: list[list[Path]] = [[] for _ in range(of)]
    loads = [0.0] * of
    for page in sorted(pages_to_run(), key=lambda p: (-cost(p), str(p))):
        lightest = loads.index(min(loads))
        shares[lightest].append(page)
        loads[lightest] += cost(page)
    return shares[index]


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


def make_sandbox(folder: Path) -> Path:
    """A reader's checkout: the shipped cassette, the installed .venv, their own script."""
    (folder / "cassettes").mkdir(parents=True, exist_ok=True)
    for name in ("pool_lifecycle.db", "pool_lifecycle.jsonl"):
        shutil.copy(ROOT / "cassettes" / name, folder / "cassettes" / name)
    os.symlink(ROOT / "proxy", folder / "proxy")
    os.symlink(sys.prefix, folder / ".venv")  # the environment running the tests: `make test`'s .venv
    (folder / "my_script.py").write_text(MY_SCRIPT)
    return folder


class Upstreams:
    """Local stand-ins for AWS that `record` records against: a plain HTTP one for the
    reverse proxy (--upstream) and a TLS one under the service's own host name for the
    forward proxy (--resolve), both answered by a simulator."""

    def __init__(self, folder: Path):
        from helpers import self_signed_cert
        self.sim = Simulator(clock="instant")
        self.plain = EndpointServer(simulator_answer(self.sim)).start()
        self.tls = EndpointServer(simulator_answer(self.sim),
                                  tls=self_signed_cert(folder, SERVICE_HOST)).start()

    def record_args(self, command: str) -> str:
        if "--proxy-listen" in command:
            return f" --resolve {SERVICE_HOST}=127.0.0.1:{self.tls.port} --ssl-insecure"
        return f" --upstream {self.plain.url}"

    def close(self):
        self.plain.close()
        self.tls.close()


def probe(ready: re.Match, sandbox: Path) -> str:
    """One real boto3 request through a server the docs started; returns the operation."""
    mode, kind, url = ready.group(1) or "simulate", ready.group(2) or "endpoint", ready.group(4)
    operation = "DescribePools" if mode == "replay" else "DescribeAccountLimits"
    options = {"region_name": "us-east-1", "aws_access_key_id": "AKIAEXAMPLE",
               "aws_secret_access_key": "example",
               "config": Config(retries={"max_attempts": 1}, read_timeout=30, connect_timeout=10)}
    if kind == "forward proxy":  # an unmodified client: HTTPS_PROXY and mitmproxy's CA
        options["config"] = options["config"].merge(Config(proxies={"https": url}))
        options["verify"] = str(sandbox / ".mitmproxy" / "mitmproxy-ca-cert.pem")
    else:
        options["endpoint_url"] = url
    client = boto3.client("pinpoint-sms-voice-v2", **options)
    if operation == "DescribePools":
        pools = client.describe_pools(PoolIds=[RECORDED_POOL])["Pools"]
        assert pools[0]["PoolId"] == RECORDED_POOL
    else:
        assert client.describe_account_limits()["AccountLimits"]
    return operation


class PageRun:
    """Runs one page's blocks in order, in `sandbox`; counts what it ran."""

    def __init__(self, page: Path, sandbox: Path, pytester=None):
        self.page, self.sandbox, self.pytester = page, sandbox, pytester
        self.env = {**os.environ, **CREDENTIALS, "HOME": str(sandbox), "AWS_PAGER": "",
                    "PATH": f"{sandbox / '.venv' / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"}
        for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2",
                     "HTTPS_PROXY", "https_proxy", "AWS_CA_BUNDLE"):
            self.env.pop(name, None)
        self.namespace: dict = {"__name__": "__docs__"}
        self.ran = {"sh": 0, "python": 0, "pytest": 0, "servers": 0}

    def run(self) -> dict:
        upstreams = Upstreams(self.sandbox)
        try:
            for block in blocks(self.page):
                if block.not_run is not None or block.lang not in ("sh", "python"):
                    continue
                if block.is_pytest:
                    self.pytest_block(block)
                elif block.lang == "python":
                    self.python_block(block)
                else:
                    self.shell_block(block, upstreams)
        finally:
            upstreams.close()
        return self.ran

    def python_block(self, block: Block) -> None:
        cwd = os.getcwd()
        os.chdir(self.sandbox)
        try:
            exec(compile(block.code, block.where, "exec"), self.namespace)
        finally:
            os.chdir(cwd)
        self.ran["python"] += 1

    def pytest_block(self, block: Block) -> None:
        test_file = self.sandbox / f"test_block_{block.line}.py"
        test_file.write_text(block.code, encoding="utf-8")
        result = self.pytester.runpytest_inprocess(str(test_file), "-p", "no:cacheprovider")
        tests = len(re.findall(r"^def test_", block.code, re.M))
        assert result.ret == 0 and result.parseoutcomes().get("passed") == tests, \
            f"{block.where}\n{result.stdout.str()}"
        self.ran["pytest"] += 1

    def shell_block(self, block: Block, upstreams: Upstreams) -> None:
        ports = {p: str(free_port()) for p in set(re.findall(r"127\.0\.0\.1:(48\d\d)", block.code))}
        with contextlib.ExitStack() as servers:
            started = []
            for command in commands(block.code):
                for documented, actual in ports.items():
                    command = command.replace(f"127.0.0.1:{documented}", f"127.0.0.1:{actual}")
                if command.startswith("export "):
                    for assignment in command[len("export "):].split():
                        key, _, value = assignment.partition("=")
                        self.env[key] = os.path.expandvars(value)
                elif LONG_RUNNING.match(command):
                    if command.startswith(".venv/bin/smsvoice-sim record"):
                        command += upstreams.record_args(command)
                    started.append(servers.enter_context(cli_server(
                        command=["bash", "-c", f"exec {command}"], ready=READY, env=self.env,
                        cwd=str(self.sandbox))))
                else:
                    self.shell_command(command, block)
            for ready, proc in started:  # every server answers a real request before it stops
                operation = probe(ready, self.sandbox)
                if ready.group(1) == "record":
                    proc.terminate()
                    proc.wait(timeout=30)
                    assert f"{operation} -> 200" in "".join(drain(proc)), f"{block.where}: not recorded"
        self.ran["servers"] += len(started)
        self.ran["sh"] += 1

    def shell_command(self, command: str, block: Block) -> None:
        if command.startswith("curl "):  # a refused call must fail the test, as it would a user
            command = "curl --fail-with-body " + command[len("curl "):]
        result = subprocess.run(["bash", "-c", command], cwd=self.sandbox, env=self.env,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, f"{block.where}: {command}\n{result.stdout}\n{result.stderr}"


def run_page(page: Path, pytester) -> dict:
    """Run one page in pytester's folder, set up as a reader's checkout."""
    return PageRun(page, make_sandbox(Path(pytester.path)), pytester).run()
