"""`--state FILE`: one process per file, and nothing but a state file is ever written."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys

import pytest

from smsvoice_sim.simulator import Simulator
from smsvoice_sim.simulator.engine.persistence import NotAStateFile, StateFile, StateFileInUse

from conftest import endpoint_client
from helpers import ROOT, cli_server, run_cli

SHIPPED = ROOT / "cassettes" / "pool_lifecycle.db"


def simulate(state) -> tuple[str, ...]:
    return ("simulate", "--listen", "127.0.0.1:0", "--clock", "manual", "--state", str(state))


def one_line_usage_error(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("smsvoice-sim: error:"), lines
    return lines[0]


def fingerprint(folder) -> dict[str, str]:
    """Every file in `folder` with a hash of its bytes."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_a_second_process_on_the_same_state_file_refuses(tmp_path):
    state = tmp_path / "state.db"
    with cli_server(*simulate(state)) as (ready, _proc):
        client = endpoint_client(ready.group(1))
        client.request_sender_id(SenderId="FIRST", IsoCountryCode="US")
        second = run_cli(*simulate(state), timeout=60)
        line = one_line_usage_error(second)
        assert "in use by process" in line and str(state) in line, line
        client.request_sender_id(SenderId="STILL", IsoCountryCode="US")  # the first one carries on
    # Once the first process is gone, the file is free again, with both writes in it.
    with cli_server(*simulate(state)) as (ready, _proc):
        senders = endpoint_client(ready.group(1)).describe_sender_ids()["SenderIds"]
        assert sorted(s["SenderId"] for s in senders) == ["FIRST", "STILL"]


def test_the_lock_belongs_to_the_process(tmp_path):
    # In one process a Simulator may reopen the file (restart from it); another process may not.
    state = tmp_path / "state.db"
    first = Simulator(state_file=str(state), seed=1)
    first.client().request_sender_id(SenderId="KEEP", IsoCountryCode="US")
    again = Simulator(state_file=str(state), seed=1)
    assert again.state()["accounts"] == first.state()["accounts"]
    probe = ("import sys\nfrom smsvoice_sim.simulator.engine.persistence import StateFile, StateFileInUse\n"
             "try:\n    StateFile(sys.argv[1])\nexcept StateFileInUse as exc:\n    print(exc)\n"
             "    sys.exit(3)\n")
    other = subprocess.run([sys.executable, "-c", probe, str(state)], capture_output=True, text=True,
                           timeout=60)
    assert other.returncode == 3 and "in use" in other.stdout, (other.stdout, other.stderr)
    first.close()
    still = subprocess.run([sys.executable, "-c", probe, str(state)], capture_output=True, text=True,
                           timeout=60)
    assert still.returncode == 3, "closing one of two users in a process must keep the lock"
    again.close()
    free = subprocess.run([sys.executable, "-c", probe, str(state)], capture_output=True, text=True,
                          timeout=60)
    assert free.returncode == 0, (free.stdout, free.stderr)


def test_a_closed_simulator_lets_the_file_go_and_keeps_answering(tmp_path):
    state = tmp_path / "state.db"
    with Simulator(state_file=str(state), seed=1) as sim:
        sim.client().request_sender_id(SenderId="SAVED", IsoCountryCode="US")
    sim.close()  # twice is harmless
    # After close: answers from memory, writes nothing, and another process may take the file.
    sim.client().request_sender_id(SenderId="MEMORY", IsoCountryCode="US")
    assert len(sim.client().describe_sender_ids()["SenderIds"]) == 2
    probe = ("import sys\nfrom smsvoice_sim.simulator.engine.persistence import StateFile\n"
             "print(len(StateFile(sys.argv[1]).load()['regions']))\n")
    other = subprocess.run([sys.executable, "-c", probe, str(state)], capture_output=True, text=True,
                           timeout=60)
    assert other.returncode == 0, (other.stdout, other.stderr)
    again = Simulator(state_file=str(state), seed=1)
    assert [s["SenderId"] for s in again.client().describe_sender_ids()["SenderIds"]] == ["SAVED"]
    again.close()


def _other_sqlite(path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE users (name TEXT)")
        conn.execute("INSERT INTO users VALUES ('ada')")
    conn.close()


def _json_export(path) -> None:
    path.write_text(json.dumps({"smsvoice_cassette": 1, "interactions": []}) + "\n")


def _lookalike(path) -> None:
    # A table called snapshot that is not ours.
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE snapshot (id INTEGER, blob BLOB)")
    conn.close()


@pytest.mark.parametrize("make", [
    pytest.param(lambda p: shutil.copy(SHIPPED, p), id="cassette"),
    pytest.param(_other_sqlite, id="other-sqlite"),
    pytest.param(_lookalike, id="sqlite-with-a-foreign-snapshot-table"),
    pytest.param(_json_export, id="json"),
    pytest.param(lambda p: p.write_bytes(b"\x00garbage" * 100), id="binary-junk"),
])
def test_a_file_that_is_not_a_state_file_is_refused_and_left_untouched(tmp_path, make):
    target = tmp_path / "given.db"
    make(target)
    before = fingerprint(tmp_path)
    line = one_line_usage_error(run_cli(*simulate(target)))
    assert "not a smsvoice-sim state file" in line, line
    assert fingerprint(tmp_path) == before  # same bytes, and no -wal, -shm or .lock beside it
    with pytest.raises(NotAStateFile):
        StateFile(target)
    assert fingerprint(tmp_path) == before


def test_a_new_or_empty_file_becomes_a_state_file(tmp_path):
    (tmp_path / "empty.db").write_bytes(b"")
    for name in ("empty.db", "new/dir/state.db"):
        sim = Simulator(state_file=str(tmp_path / name), seed=2)
        sim.client().request_sender_id(SenderId="NEW", IsoCountryCode="US")
        sim.state_file.close()
        reopened = StateFile(tmp_path / name)
        assert reopened.load() is not None
        reopened.close()


def test_the_error_types_are_value_errors():
    # The CLI (and any caller) turns ValueError from Simulator(...) into a usage error.
    assert issubclass(StateFileInUse, ValueError) and issubclass(NotAStateFile, ValueError)


def test_a_hard_link_or_another_spelling_of_the_path_is_the_same_locked_file(tmp_path):
    """The lock is on the file, not on its path: a hard link, a symlink and a path through
    `..` all reach the file the first process holds, and are refused."""
    state = tmp_path / "state.db"
    (tmp_path / "sub").mkdir()
    with cli_server(*simulate(state)) as (ready, _proc):
        client = endpoint_client(ready.group(1))
        client.create_configuration_set(ConfigurationSetName="first")
        (tmp_path / "hard.db").hardlink_to(state)
        (tmp_path / "soft.db").symlink_to(state)
        for other in (tmp_path / "hard.db", tmp_path / "soft.db", tmp_path / "sub" / ".." / "state.db"):
            line = one_line_usage_error(run_cli(*simulate(other), timeout=60))
            assert "in use by process" in line and str(other) in line, line
        client.create_configuration_set(ConfigurationSetName="second")
    assert not list(tmp_path.glob("*.lock"))  # no lock file exists that could be deleted
    again = Simulator(state_file=str(tmp_path / "hard.db"), seed=1)
    sets = again.client().describe_configuration_sets()["ConfigurationSets"]
    names = [c["ConfigurationSetName"] for c in sets]
    assert sorted(names) == ["first", "second"]
    again.close()


@pytest.mark.parametrize("target", ["/dev/null", "folder"])
def test_a_state_path_that_is_not_a_regular_file_is_refused_in_one_line(tmp_path, target):
    path = tmp_path / target if target == "folder" else target
    if target == "folder":
        path.mkdir()
    line = one_line_usage_error(run_cli(*simulate(path), timeout=60))
    assert str(path) in line and ("not a regular file" in line or "a folder" in line), line
    assert not os.path.exists(f"{path}.lock") and not os.path.exists(f"{path}-wal")
