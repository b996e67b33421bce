"""Every CLI mistake is one line on stderr that says what is wrong, and exit code 2 —
never "smsvoice_cassette is required", "Error logged during startup" or a traceback."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys

import pytest

from helpers import CLI, ROOT, run_cli

SHIPPED = ROOT / "cassettes" / "pool_lifecycle.db"


def one_line_error(result: subprocess.CompletedProcess, *words: str) -> str:
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("smsvoice-sim")
    assert "smsvoice_cassette is required" not in line and "Error logged" not in line
    for word in words:
        assert word in line, line
    return line


def replay(cassette, *extra: str) -> subprocess.CompletedProcess:
    return run_cli("replay", "--cassette", str(cassette), "--listen", "127.0.0.1:0", *extra)


def test_wrong_format_version(tmp_path):
    path = tmp_path / "c.db"
    shutil.copy(SHIPPED, path)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = '99' WHERE key = 'format_version'")
    one_line_error(replay(path), "format 99", "reads format 1")


def test_git_lfs_pointer_given_as_cassette(tmp_path):
    path = tmp_path / "c.db"
    path.write_text("version https://git-lfs.github.com/spec/v1\n"
                    "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
                    "size 36864\n")
    one_line_error(replay(path), "Git LFS pointer", "git lfs pull")


@pytest.mark.parametrize("keep", [0.5, 0.9])
def test_truncated_cassette(tmp_path, keep):
    path = tmp_path / "c.db"
    shutil.copy(SHIPPED, path)
    with open(path, "r+b") as fh:
        fh.truncate(int(path.stat().st_size * keep))
    one_line_error(replay(path), "damaged", "truncated or corrupt")


def test_bogus_clock(tmp_path):
    one_line_error(replay(SHIPPED, "--on-miss", "simulate", "--clock", "bogus"), "--clock",
                   "unknown clock 'bogus'")


def test_bad_redact_regex(tmp_path):
    result = run_cli("record", "--cassette", str(tmp_path / "c.db"), "--listen", "127.0.0.1:0",
                     "--redact", "MYBRAND(")
    one_line_error(result, "--redact", "bad regular expression 'MYBRAND('")
    assert not (tmp_path / "c.db").exists()


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e400"])
def test_non_finite_numbers_in_options(value):
    one_line_error(run_cli("simulate", "--listen", "127.0.0.1:0", "--duration",
                           f"pool:CREATING->ACTIVE={value}"), "--duration", "finite")
    one_line_error(replay(SHIPPED, f"--write-timeout={value}"), "--write-timeout", "finite")


@pytest.mark.parametrize("value", ["notaurl", "ftp://127.0.0.1:21", "http://", "http://h:99999"])
def test_a_bad_events_endpoint_url(value):
    one_line_error(run_cli("simulate", "--listen", "127.0.0.1:0", "--events-endpoint-url", value),
                   "--events-endpoint-url", "http:// or https:// URL")


@pytest.mark.parametrize("value", ["bogus", "host=127.0.0.1", "host=127.0.0.1:0", "=127.0.0.1:80"])
def test_a_resolve_rule_that_cannot_be_read(value):
    """Ignored, it would have sent the request to the real host."""
    one_line_error(replay(SHIPPED, "--resolve", value), "--resolve", "HOST=ADDRESS:PORT")


def test_a_confdir_that_cannot_be_made(tmp_path):
    (tmp_path / "a-file").write_text("")
    one_line_error(replay(SHIPPED, "--confdir", str(tmp_path / "a-file" / "conf")), "--confdir",
                   "cannot make")


def _read_only_folder(tmp_path):
    """A folder this process cannot write: chmod for a normal user; for root (which
    ignores modes) a read-only tmpfs in a user+mount namespace."""
    folder = tmp_path / "checkout"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return folder, []
    if not shutil.which("unshare") or subprocess.run(
            ["unshare", "-Urm", "mount", "-t", "tmpfs", "-o", "ro", "tmpfs", str(folder)],
            capture_output=True, timeout=30).returncode != 0:
        pytest.skip("running as root without user namespaces: no way to make a folder read-only")
    return folder, ["unshare", "-Urm", "sh", "-c", f'mount -t tmpfs -o ro tmpfs {folder} && '
                                                   'exec "$0" "$@"']


def test_read_only_checkout_in_record_mode(tmp_path):
    folder, wrap = _read_only_folder(tmp_path)
    command = [*wrap, *CLI, "record", "--cassette", str(folder / "cassettes" / "c.db"),
               "--listen", "127.0.0.1:0"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=ROOT)
    one_line_error(result, "cannot record into", "not writable", "read-only checkout")


def test_python_sees_the_same_refusals():
    """The same declarations refuse the same values outside argparse."""
    from smsvoice_sim.proxy.settings import SessionSettings
    with pytest.raises(ValueError, match="record_mode 'sometimes'"):
        SessionSettings.from_values({"record_mode": "sometimes"})
    assert sys.executable  # the CLI above ran with this interpreter


@pytest.mark.parametrize("args, said", [
    (("simulate", "--listen", "127.0.0.1:0", "--colck", "manual"),
     "smsvoice-sim simulate: error: unrecognized arguments: --colck manual (did you mean --clock?)"),
    (("replay", "--cassette", str(SHIPPED), "--listen", "127.0.0.1:0", "--bogus"),
     "smsvoice-sim replay: error: unrecognized arguments: --bogus"),
    (("cassette", "list", "cassettes", "extra"),
     "smsvoice-sim cassette list: error: unrecognized arguments: extra"),
    (("diagram", "--knid", "pool"),
     "smsvoice-sim diagram: error: unrecognized arguments: --knid pool (did you mean --kind?)"),
])
def test_an_unknown_argument_is_named_by_its_subcommand(args, said):
    """argparse leaves a subcommand's unknown arguments to the top parser, whose error
    (`smsvoice-sim: error:`) does not say which subcommand's help to read."""
    line = one_line_error(run_cli(*args))
    assert line.startswith(said), line
    assert line.endswith(f"(see {said.split(': error')[0]} --help)"), line


def test_an_unknown_argument_before_any_subcommand_is_the_top_parsers():
    line = one_line_error(run_cli("--bogus", "simulate"))
    assert line.startswith("smsvoice-sim: error: unrecognized arguments: --bogus"), line


@pytest.mark.parametrize("url", ["foo", "http://[::1", "ftp://127.0.0.1:4866", "http://127.0.0.1:99999"])
def test_inbound_endpoint_url_that_is_no_url_is_one_line(url):
    result = run_cli("inbound", "--endpoint-url", url, "--from", "+12065550100",
                     "--to", "+12065550101", "--body", "STOP")
    one_line_error(result, "--endpoint-url", "give an http:// or https:// URL")
