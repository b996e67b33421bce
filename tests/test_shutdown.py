"""Recording never loses an answered interaction: a 200 the recorder gave is a row in the
cassette, through SIGINT/SIGTERM mid-flight, a cassette write-locked by another
program, and a full disk. What cannot be written is answered with a not-recorded
error, and the summary counts it."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from smsvoice_sim.proxy.session import NOT_RECORDED_TYPE

from helpers import CLI, cli_server, control, drain
from upstreams import TARGET, CountingUpstream, post

pytest_plugins = ["upstreams"]  # its fixtures: upstream, confdir


def rows_in(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT COUNT(*) FROM interactions").fetchone()[0]


class Clients:
    """N threads posting until told to stop or until they get something other than 200;
    counts what each answer was."""

    def __init__(self, url: str, n: int, body: bytes = b"{}"):
        self.url, self.body = url, body
        self.ok = 0
        self.not_recorded = 0
        self.other: list[object] = []
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(n)]
        for t in self.threads:
            t.start()

    def _run(self):
        while not self.stop.is_set():
            try:
                status, _, payload = post(self.url, self.body, target=TARGET + "DescribePools")
            except OSError as exc:  # the recorder went away: this request was not answered
                with self._lock:
                    self.other.append(type(exc).__name__)
                return
            with self._lock:
                if status == 200:
                    self.ok += 1
                    continue
                if payload.get("__type") == NOT_RECORDED_TYPE:
                    self.not_recorded += 1
                    continue
                self.other.append((status, payload.get("__type")))
                return

    def wait_for(self, answered: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while self.ok + self.not_recorded < answered:
            assert time.monotonic() < deadline, f"only {self.ok} answered in {timeout}s"
            self.threads[0].join(0.02)

    def join(self, timeout: float = 30) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout)
            assert not t.is_alive()


@pytest.fixture
def slow_upstream():
    up = CountingUpstream(delay=0.3)
    yield up
    up.close()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_shutdown_mid_flight_keeps_every_answered_interaction(tmp_path, slow_upstream, confdir,
                                                              sig):
    upstream = slow_upstream
    cassette = tmp_path / "c.db"
    for _round in range(3):
        before = rows_in(cassette) if cassette.exists() else 0
        with cli_server("record", "--cassette", str(cassette), "--listen", "127.0.0.1:0",
                        "--upstream", upstream.url, "--confdir", confdir, "--no-resign") \
                as (ready, proc):
            clients = Clients(ready.group(1), 8)
            clients.wait_for(24)
            os.kill(proc.pid, sig)
            assert proc.wait(timeout=20) == 0
            clients.join()
            out = "".join(drain(proc))
        assert clients.not_recorded == 0
        assert rows_in(cassette) - before == clients.ok, out
        assert "0 not recorded" in out


def test_a_write_locked_cassette_answers_not_recorded_and_freezes_no_one(tmp_path, upstream,
                                                                           confdir):
    cassette = tmp_path / "c.db"
    with cli_server("record", "--cassette", str(cassette), "--listen", "127.0.0.1:0",
                    "--upstream", upstream.url, "--confdir", confdir, "--no-resign",
                    "--write-timeout", "2") as (ready, proc):
        url = ready.group(1)
        assert post(url)[0] == 200
        other = sqlite3.connect(cassette, timeout=0, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
        try:
            answers: list[tuple[int, dict, float]] = []
            started = time.monotonic()

            def call():
                status, _, payload = post(url)
                answers.append((status, payload, time.monotonic() - started))
            threads = [threading.Thread(target=call) for _ in range(3)]
            for t in threads:
                t.start()
            status, health = control(url, "/_smsvoice/health")
            health_after = time.monotonic() - started
            for t in threads:
                t.join(30)
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert status == 200 and health_after < 1.5  # the event loop was never held
        assert len(answers) == 3
        for status, payload, elapsed in answers:
            assert status == 400 and payload["__type"] == NOT_RECORDED_TYPE
            assert "locked" in payload["message"] and "NOT recorded" in payload["message"]
            assert elapsed < 10  # bounded (--write-timeout 2, one waiter after another)
        assert post(url)[0] == 200  # lock released: recording again
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
        out = "".join(drain(proc))
    assert rows_in(cassette) == 2
    assert "2 recorded" in out and "3 not recorded" in out


def _unshare_works() -> bool:
    if not shutil.which("unshare"):
        return False
    probe = subprocess.run(["unshare", "-Urm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"],
                           capture_output=True, timeout=30)
    return probe.returncode == 0


def _disk_full_recorder(folder: Path, args: list[str]):
    """The recorder writing onto a 192 KiB disk: a tmpfs in a user+mount namespace where
    the kernel allows it, else a file size limit (SIGXFSZ ignored, so writes fail with
    EFBIG instead of killing the process). Yields (ready match, process, rows counter)."""
    cassette = folder / "c.db"
    if _unshare_works():
        # The tmpfs lives as long as the namespace: count the rows inside it, after the
        # recorder stopped, and print them.
        count = (f"{sys.executable} -c \"import sqlite3; print('ROWS', sqlite3.connect('{cassette}')"
                 ".execute('SELECT COUNT(*) FROM interactions').fetchone()[0])\"")
        script = (f"mount -t tmpfs -o size=192k tmpfs {folder} && "
                  f"{' '.join(CLI)} record --cassette {cassette} {' '.join(args)} & "
                  f"child=$!; trap 'kill -TERM $child' TERM; wait $child; wait $child; {count}")
        return cli_server(command=["unshare", "-Urm", "sh", "-c", script]), "namespace"
    limit = ("import os, resource, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
             "resource.setrlimit(resource.RLIMIT_FSIZE, (196608, 196608)); "
             "os.execv(sys.executable, [sys.executable, *sys.argv[1:]])")
    return cli_server(command=[sys.executable, "-c", limit, *CLI[1:], "record", "--cassette",
                               str(cassette), *args]), "rlimit"


def test_a_full_disk_never_answers_200_for_what_is_not_in_the_cassette(tmp_path, upstream, confdir):
    folder = tmp_path / "disk"
    folder.mkdir()
    body = b'{"PoolIds": ["' + b"p" * 4000 + b'"]}'  # ~4 KB per row: the disk fills fast
    server, how = _disk_full_recorder(folder, ["--listen", "127.0.0.1:0", "--upstream",
                                               upstream.url, "--confdir", confdir, "--no-resign"])
    with server as (ready, proc):
        clients = Clients(ready.group(1), 2, body)
        deadline = time.monotonic() + 120
        while clients.not_recorded == 0 and not clients.other:
            assert time.monotonic() < deadline, "the disk never filled"
            clients.threads[0].join(0.05)
        clients.join()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        out = "".join(drain(proc))
    assert clients.other == [], out
    assert clients.ok > 0 and clients.not_recorded > 0
    if how == "namespace":
        rows = int(out.split("ROWS ")[1].split()[0])
    else:
        rows = rows_in(folder / "c.db")
    assert rows == clients.ok, out
    assert f"{clients.not_recorded} not recorded" in out


def test_in_process_door_never_answers_200_for_what_it_could_not_write(tmp_path, upstream):
    import boto3  # noqa: F401 - the in-process client is a real boto3 client
    from botocore.exceptions import ClientError

    from smsvoice_sim.proxy.cassette import Cassette
    from smsvoice_sim.proxy.inprocess import cassette_client
    from smsvoice_sim.proxy.session import CassetteSession

    cassette = Cassette(tmp_path / "c.db")
    session = CassetteSession(cassette, record_mode="all")
    client = cassette_client(session, endpoint_url=upstream.url,
                             aws_access_key_id="AKIATESTTESTTEST0000",
                             aws_secret_access_key="test-secret")
    client.describe_account_limits()
    cassette.close()  # e.g. a fixture torn down while a thread still records
    with pytest.raises(ClientError) as exc:
        client.describe_account_limits()
    assert exc.value.response["Error"]["Code"] == NOT_RECORDED_TYPE
    assert "already closed" in exc.value.response["Error"]["Message"]
    assert (session.recorded, session.unrecorded) == (1, 1)
    assert upstream.hits == 2  # it did reach the upstream, and the message says so
