"""The cassette file under hostile conditions: read-only (a read-only checkout, a WAL left
beside it in a folder nobody may write), and deleted while a recorder writes to it.

Read-only is checked as a user who cannot write the file: when the tests run as root
(who can write anything), the door runs as `nobody`."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from smsvoice_sim.proxy.cassette import Cassette, CassetteWriteError
from smsvoice_sim.proxy.session import CassetteSession
from smsvoice_sim.simulator import HttpRequest, HttpResponse

from helpers import CLI, cli_server, drain
from upstreams import SHIPPED, TARGET, CountingUpstream

pytest_plugins = ["upstreams"]  # its fixtures: upstream, confdir

NOBODY = 65534
POOL = "pool-9123d95385004a8c9338a3488cb5afe6"  # in the shipped cassette


def as_reader() -> list[str]:
    """A command prefix that runs a child as a user who cannot write what root owns
    (nothing when the tests do not run as root)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv (util-linux): no user to read as")
    return [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]


@pytest.fixture
def shelf():
    """(read-only folder, a folder the door may write): outside pytest's private tmp
    (which `nobody` cannot enter); put back and removed afterwards."""
    top = Path(tempfile.mkdtemp(prefix="smsvoice-ro-"))
    top.chmod(0o755)
    folder, scratch = top / "checkout", top / "scratch"
    folder.mkdir()
    scratch.mkdir()
    scratch.chmod(0o777)
    yield folder, scratch
    for path in (folder, *folder.iterdir()):
        path.chmod(stat.S_IRWXU)
    shutil.rmtree(top)


def freeze(folder: Path) -> None:
    for path in folder.iterdir():
        path.chmod(0o444)
    folder.chmod(0o555)


def describe_pools(url: str) -> tuple[int, bytes]:
    host, port = url.rsplit("/", 1)[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.request("POST", "/", body=json.dumps({"PoolIds": [POOL]}), headers={
            "X-Amz-Target": TARGET + "DescribePools", "Content-Type": "application/x-amz-json-1.0",
            "Authorization": "AWS4-HMAC-SHA256 Credential=AKIATESTTESTTEST0000/20260101/"
                             "us-east-1/sms-voice/aws4_request, SignedHeaders=host, Signature=00"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def replay_as_reader(cassette: Path, scratch: Path):
    return cli_server(command=[*as_reader(), *CLI, "replay", "--cassette", str(cassette),
                               "--listen", "127.0.0.1:0", "--confdir", str(scratch)],
                      cwd=str(scratch), env={"HOME": str(scratch)})


def test_replay_reads_a_read_only_cassette(shelf):
    folder, scratch = shelf
    shutil.copyfile(SHIPPED, folder / "c.db")
    freeze(folder)
    with replay_as_reader(folder / "c.db", scratch) as (ready, _proc):
        status, body = describe_pools(ready.group(1))
    assert status == 200 and POOL.encode() in body
    assert sorted(p.name for p in folder.iterdir()) == ["c.db"]  # nothing left beside it


def with_rows_in_its_wal(folder: Path) -> int:
    """A cassette whose last interactions are still in its -wal (a recorder killed before
    it checkpointed): copied while the recorder holds it open. Returns the row count."""
    live = folder.parent / "live.db"
    shutil.copyfile(SHIPPED, live)
    cassette = Cassette(live)
    session = CassetteSession(cassette, record_mode="all")
    request = HttpRequest("POST", "https://sms-voice.us-east-1.amazonaws.com/", {
        "X-Amz-Target": TARGET + "DescribeAccountLimits"}, b"{}")
    session.record(session.start(request), HttpResponse(200, {}, b'{"AccountLimits": []}'))
    assert Path(f"{live}-wal").stat().st_size > 0
    shutil.copyfile(live, folder / "c.db")
    shutil.copyfile(f"{live}-wal", folder / "c.db-wal")
    count = cassette.count()
    cassette.close()
    return count


def test_replay_reads_a_wal_left_in_a_read_only_folder(shelf):
    folder, scratch = shelf
    count = with_rows_in_its_wal(folder)
    freeze(folder)
    with replay_as_reader(folder / "c.db", scratch) as (ready, _proc):
        status, _ = describe_pools(ready.group(1))
        host, port = ready.group(1).rsplit("/", 1)[1].split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        conn.request("POST", "/", body=b"{}", headers={
            "X-Amz-Target": TARGET + "DescribeAccountLimits",
            "Content-Type": "application/x-amz-json-1.0"})
        limits = conn.getresponse()
        answered = (limits.status, limits.read())
        conn.close()
    assert status == 200
    assert answered == (200, b'{"AccountLimits": []}')  # the row that lives in the WAL
    assert count == 11
    assert sorted(p.name for p in folder.iterdir()) == ["c.db", "c.db-wal"]


def test_the_pytest_plugin_replays_a_read_only_cassette(shelf):
    folder, scratch = shelf
    shutil.copyfile(SHIPPED, folder / "c.db")
    freeze(folder)
    (scratch / "test_ro.py").write_text(
        "import pytest\n\n"
        f"@pytest.mark.smsvoice_cassette({str(folder / 'c.db')!r})\n"
        "def test_replays(smsvoice_client):\n"
        f"    assert smsvoice_client.describe_pools(PoolIds=[{POOL!r}])['Pools']\n")
    result = subprocess.run([*as_reader(), sys.executable, "-m", "pytest", "-q", "-p",
                             "no:cacheprovider", "-p", "no:xdist", "test_ro.py"], cwd=scratch,
                            capture_output=True, text=True, timeout=120,
                            env={**os.environ, "HOME": str(scratch)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


def test_a_cassette_deleted_while_recording_is_an_error_not_a_success(tmp_path, confdir):
    """Its rows go with the file: the next request is answered with a not-recorded error
    (it did reach the upstream), and the recorder's last word names the loss instead of
    'holds N interactions'."""
    cassette = tmp_path / "rec.db"
    upstream = CountingUpstream()
    try:
        with cli_server("record", "--cassette", str(cassette), "--listen", "127.0.0.1:0",
                        "--upstream", upstream.url, "--confdir", confdir, "--no-resign") \
                as (ready, proc):
            assert describe_pools(ready.group(1))[0] == 200
            for path in tmp_path.glob("rec.db*"):
                path.unlink()
            status, body = describe_pools(ready.group(1))
            proc.terminate()
            proc.wait(timeout=15)
            log = "".join(drain(proc))
    finally:
        upstream.close()
    assert status == 400 and b"SmsVoiceSimNotRecorded" in body and b"deleted" in body
    assert upstream.hits == 2
    assert f"the cassette file {cassette} was deleted" in log
    assert "holds" not in log
    assert not cassette.exists()


def test_a_cassette_replaced_while_recording_refuses_to_write(tmp_path):
    cassette = Cassette(tmp_path / "c.db")
    try:
        for path in tmp_path.glob("c.db*"):
            path.unlink()
        shutil.copyfile(SHIPPED, tmp_path / "c.db")  # another file at the path
        request = HttpRequest("POST", "https://h/", {}, b"{}")
        with pytest.raises(CassetteWriteError, match="replaced by another file"):
            cassette.append(operation="X", region="r", match_key="k", match_body="{}",
                            request=request, response=HttpResponse(200, {}, b"{}"),
                            recorded_at=0.0, duration_ms=0.0)
    finally:
        cassette.close()
    with sqlite3.connect(tmp_path / "c.db") as untouched:
        assert untouched.execute("SELECT COUNT(*) FROM interactions").fetchone()[0] == 10


def test_the_plugin_fails_a_test_whose_recording_lost_its_cassette(tmp_path):
    (tmp_path / "test_lost.py").write_text(
        "import pytest\nfrom pathlib import Path\n"
        "from smsvoice_sim.simulator import HttpRequest, HttpResponse\n\n"
        "@pytest.mark.smsvoice_cassette('lost.db')\n"
        "def test_records(smsvoice_session):\n"
        "    request = HttpRequest('POST', 'https://h/', "
        "{'X-Amz-Target': 'PinpointSMSVoiceV2.DescribePools'}, b'{}')\n"
        "    smsvoice_session.record(smsvoice_session.start(request), HttpResponse(200, {}, b'{}'))\n"
        "    Path(__file__).with_name('lost.db').unlink()\n")
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             "-p", "no:xdist", "--smsvoice-record-mode=all", "test_lost.py"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stdout
    assert "lost.db was deleted while it was open" in result.stdout
