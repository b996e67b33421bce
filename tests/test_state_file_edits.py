"""A `--state` file that was hand-edited, truncated or written by something else is refused
on load with one line naming the file and the problem, never a traceback, never loaded
half-right (a number in a pool that does not exist, a resource saved twice)."""

from __future__ import annotations

import copy
import json
import shutil
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Callable

import pytest
from test_state_file import one_line_usage_error, simulate

from smsvoice_sim.simulator import Simulator
from smsvoice_sim.simulator.engine.persistence import BadStateFile, StateFile, StateFileError

from helpers import ROOT, run_cli

SHIPPED = ROOT / "cassettes" / "pool_lifecycle.db"


@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> dict:
    """The document of a state with a pool holding a number, a number of its own and a
    configuration set."""
    path = tmp_path_factory.mktemp("base") / "state.db"
    sim = Simulator(state_file=str(path), seed=1)
    client = sim.client()
    number = client.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                         NumberCapabilities=["SMS"], NumberType="SIMULATOR")
    client.create_pool(OriginationIdentity=number["PhoneNumberId"], IsoCountryCode="US",
                       MessageType="TRANSACTIONAL")
    client.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                NumberCapabilities=["SMS"], NumberType="SIMULATOR")
    client.create_configuration_set(ConfigurationSetName="cs")
    sim.close()
    state_file = StateFile(path)
    try:
        return state_file.load()
    finally:
        state_file.close()


def write_state(path, text: str) -> None:
    """The document in a file of the previous layout (one row holding it all), which
    loads as ever (and is migrated to rows): every edit below is refused on that way in."""
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE snapshot (id INTEGER PRIMARY KEY CHECK (id = 1), "
                     "saved_at REAL, data TEXT)")
        conn.execute("INSERT INTO snapshot VALUES (1, 0, ?)", [text])
    conn.close()


def family(doc: dict, name: str) -> dict:
    return doc["regions"][0]["families"][name]


def _pools(doc):
    return family(doc, "pools")["pools"]


def _numbers(doc):
    return family(doc, "phone_numbers")["numbers"]


def _set(target: list, index: int, value) -> None:
    target[index] = value


EDITS = {
    "a JSON list": (lambda d: [1, 2], "not an object"),
    "format 2 with members missing": (lambda d: {"format": 2}, "lacks clock, ids, regions"),
    "an unknown top-level member": (lambda d: {**d, "colour": 1}, "has unknown colour"),
    "100k-deep nesting": (lambda d: "RAW" + '{"format": 2, "clock": ' + "[" * 100_000
                          + "]" * 100_000 + "}", "nests deeper"),
    "NaN in the clock": (lambda d: "RAW" + json.dumps(d).replace(
        '"offset": 0.0', '"offset": NaN').replace('"offset": 0', '"offset": NaN'), "NaN"),
    "an unknown lifecycle kind": (lambda d: _set(_pools(d)[0]["lifecycle"], 0, "bogus") or d,
                                  "'bogus'"),
    "an unknown lifecycle state": (lambda d: _set(_pools(d)[0]["lifecycle"], 1, "BOGUS") or d,
                                   "BOGUS"),
    "an extra field": (lambda d: _pools(d)[0].update(colour="red") or d, "colour"),
    "a DELETED number in a pool": (lambda d: _set(_numbers(d)[0]["lifecycle"], 1, "DELETED") or d,
                                   "not found"),
    "a number in a missing pool": (
        lambda d: _numbers(d)[1].update(pool_id="pool-" + "0" * 32) or d, "not saved"),
    "a pool saved twice": (lambda d: _pools(d).append(copy.deepcopy(_pools(d)[0])) or d,
                           "saved twice"),
    "a pool without its id": (lambda d: _pools(d)[0].update(pool_id=None) or d,
                              "does not hold the id"),
    "tags as a list": (lambda d: _pools(d)[0].update(tags=[1]) or d, "as loaded"),
    "a family this version lacks": (
        lambda d: d["regions"][0]["families"].update(bogus={}) or d, "bogus"),
    "a member that does not exist": (
        lambda d: _pools(d)[0].update(members=["arn:nothing"]) or d, "not found"),
    "a clock without its time": (lambda d: d.update(clock={"mode": "manual"}) or d, "'now'"),
    "ids that are not": (lambda d: d.update(ids="x") or d, "ids"),
    "a region that is a number": (lambda d: d["regions"][0].update(region=5) or d, "wrong type"),
    "a region twice": (lambda d: d["regions"].append(copy.deepcopy(d["regions"][0])) or d,
                       "appears twice"),
    "a broken idempotency entry": (lambda d: d["regions"][0].update(idempotency=[[1]]) or d,
                                   "idempotency"),
}


@pytest.mark.parametrize("name", sorted(EDITS))
def test_a_hand_edited_state_is_refused_in_one_line_naming_the_file(tmp_path, saved, name):
    edit, expected = EDITS[name]
    doc = edit(copy.deepcopy(saved))
    path = tmp_path / "edited.db"
    write_state(path, doc[3:] if isinstance(doc, str) else json.dumps(doc))
    with pytest.raises(BadStateFile) as refused:
        Simulator(state_file=str(path), seed=1)
    message = str(refused.value)
    assert message.startswith(str(path)) and "\n" not in message and expected in message, message
    assert len(message) < 600


def test_a_refused_file_is_let_go_for_another_process(tmp_path, saved):
    """The Simulator that refused the file holds no lock on it: another process may open it
    (to mend it, or to start afresh)."""
    path = tmp_path / "edited.db"
    write_state(path, json.dumps({**saved, "format": 99}))
    with pytest.raises(BadStateFile):
        Simulator(state_file=str(path), seed=1)
    probe = ("import sys\nfrom smsvoice_sim.simulator.engine.persistence import StateFile\n"
             "StateFile(sys.argv[1]).close()\n")
    other = subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True, text=True,
                           timeout=60)
    assert other.returncode == 0, other.stderr


def test_the_untouched_document_loads(tmp_path, saved):
    path = tmp_path / "same.db"
    write_state(path, json.dumps(saved))
    sim = Simulator(state_file=str(path), seed=1)
    assert len(sim.client().describe_phone_numbers()["PhoneNumbers"]) == 2
    sim.close()


@pytest.mark.parametrize("name", ["a JSON list", "100k-deep nesting", "tags as a list"])
def test_the_cli_refuses_a_hand_edited_state_in_one_line(tmp_path, saved, name):
    doc = EDITS[name][0](copy.deepcopy(saved))
    path = tmp_path / "edited.db"
    write_state(path, doc[3:] if isinstance(doc, str) else json.dumps(doc))
    line = one_line_usage_error(run_cli(*simulate(path), timeout=60))
    assert str(path) in line, line


def test_a_symlink_into_a_missing_folder_is_one_line(tmp_path):
    link = tmp_path / "state.db"
    link.symlink_to(tmp_path / "gone" / "state.db")
    line = one_line_usage_error(run_cli(*simulate(link), timeout=60))
    assert str(link) in line, line
    with pytest.raises(StateFileError):
        Simulator(state_file=str(link))


def _cassette(tmp_path, sql: str, args=()) -> str:
    path = tmp_path / "c.db"
    shutil.copy(SHIPPED, path)
    with sqlite3.connect(path) as conn:
        conn.execute(sql, args)
    conn.close()
    return str(path)


@pytest.mark.parametrize("case, expected", [
    ("deep body", None), ("NaN recorded_at", "recorded_at None"),
    ("infinite recorded_at", "recorded_at inf"), ("text recorded_at", "recorded_at 'NaN'"),
    ("a folder", "is a folder"),
])
@pytest.mark.parametrize("command", ["cassette timings", "simulate --timings-from"])
def test_timings_from_a_bad_cassette_are_one_line_or_skip_the_bad_body(tmp_path, case, expected,
                                                                       command):
    first = "WHERE id = (SELECT MIN(id) FROM interactions)"
    path = {
        "deep body": lambda: _cassette(tmp_path, f"UPDATE interactions SET response_body = ? {first}",
                                       [b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"]),
        "NaN recorded_at": lambda: _cassette(tmp_path, "UPDATE interactions SET recorded_at = ?",
                                             [float("nan")]),
        "infinite recorded_at": lambda: _cassette(
            tmp_path, f"UPDATE interactions SET recorded_at = 9e999 {first}"),
        "text recorded_at": lambda: _cassette(
            tmp_path, f"UPDATE interactions SET recorded_at = 'NaN' {first}"),
        "a folder": lambda: str((tmp_path / "folder.db").mkdir() or tmp_path / "folder.db"),
    }[case]()
    if command == "cassette timings":
        result = run_cli("cassette", "timings", path, timeout=60)
    else:  # a port in use stops it right after the timings were read: nothing keeps running
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            result = run_cli("simulate", "--listen", f"127.0.0.1:{taken.getsockname()[1]}",
                             "--timings-from", path, timeout=60)
    assert "Traceback" not in result.stderr, result.stderr
    if expected is None:  # the deep body shows nothing and is skipped
        assert result.returncode == 0 if command == "cassette timings" else (
            "cannot listen" in one_line_usage_error(result)), result.stderr
    else:
        line = one_line_usage_error(result)
        assert expected in line and path in line, line


@pytest.fixture
def rows_file(tmp_path):
    """A state file of the current layout (rows), three configuration sets in it."""
    path = tmp_path / "rows.db"
    sim = Simulator(state_file=str(path), seed=1)
    for n in range(3):
        sim.client().create_configuration_set(ConfigurationSetName=f"cs{n}")
    sim.close()
    return path


def _damage_page_two(path) -> None:
    """0xFF over the second page (the rows table's root: the first, the schema, still reads)."""
    with sqlite3.connect(path) as conn:
        page = conn.execute("PRAGMA page_size").fetchone()[0]
        assert conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?",
                            ["state_rows"]).fetchone()[0] == 2
    conn.close()
    data = bytearray(path.read_bytes())
    data[page:2 * page] = b"\xff" * page
    path.write_bytes(bytes(data))


def _edit(sql: str) -> Callable:
    def edit(path) -> None:
        with sqlite3.connect(path) as conn:
            assert conn.execute(sql).rowcount > 0
        conn.close()
    return edit


DAMAGE = {
    "page 2 overwritten with 0xFF": (_damage_page_two, "damaged (database disk image is malformed)"),
    "a key that is a blob": (_edit("UPDATE state_rows SET key = CAST(key AS BLOB) WHERE key != ''"),
                             "has a bytes where smsvoice-sim writes text"),
    "a clock that is a number": (_edit("UPDATE state_meta SET data = '5' WHERE name = 'clock'"),
                                 "the saved clock is int, not an object"),
    "a clock that is a list": (_edit("UPDATE state_meta SET data = '[1]' WHERE name = 'clock'"),
                               "the saved clock is list, not an object"),
}


@pytest.mark.parametrize("name", sorted(DAMAGE))
def test_a_damaged_rows_file_is_refused_in_one_line_naming_the_file(rows_file, name):
    damage, expected = DAMAGE[name]
    damage(rows_file)
    with pytest.raises(BadStateFile) as refused:
        Simulator(state_file=str(rows_file), seed=1)
    message = str(refused.value)
    assert message.startswith(f"{rows_file}: ") and "\n" not in message and expected in message, \
        message


def test_the_cli_refuses_a_damaged_page_in_one_line(rows_file):
    _damage_page_two(rows_file)
    line = one_line_usage_error(run_cli(*simulate(rows_file), timeout=60))
    assert str(rows_file) in line and "damaged" in line, line
