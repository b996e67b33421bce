"""A cassette: one SQLite file, one row per interaction, written with sqlite-utils.

Each interaction is committed as it completes, in WAL mode, so a killed
recorder loses nothing it already answered and several readers (pytest-xdist
workers) can share a file. Only redacted data is ever handed to `append`.
"""

from __future__ import annotations

import json
import math
import os
import secrets
import shutil
import sqlite3
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from smsvoice_sim.simulator import HttpRequest, HttpResponse
from smsvoice_sim.simulator.wire.json_read import JsonRefused, read_json

FORMAT_VERSION = 1
TABLE = "interactions"


LFS_POINTER = b"version https://git-lfs.github.com/spec/"


class CassetteError(Exception):
    """A cassette that cannot be used, with a message that says what to do."""


class CassetteWriteError(Exception):
    """An interaction that could not be written (lock timeout, disk full, closed)."""


@dataclass
class Interaction:
    id: int
    seq: int
    operation: str
    region: str
    match_key: str
    match_body: str
    request: HttpRequest
    response: HttpResponse
    recorded_at: float
    duration_ms: float


def _row_to_interaction(row: dict) -> Interaction:
    return Interaction(
        id=row["id"], seq=row["seq"], operation=row["operation"], region=row["region"],
        match_key=row["match_key"], match_body=row["match_body"],
        request=HttpRequest(row["request_method"], row["request_url"],
                            json.loads(row["request_headers"]), row["request_body"]),
        response=HttpResponse(row["status"], json.loads(row["response_headers"]),
                              row["response_body"]),
        recorded_at=row["recorded_at"], duration_ms=row["duration_ms"],
    )


class Cassette:
    def __init__(self, path: str | Path, create: bool = True, readonly: bool = False):
        """`readonly`: for what only reads (replay with record mode none, show, list,
        export): the file is opened with SQLite's mode=ro, never switched to WAL, never
        created or written, so a read-only checkout replays."""
        self.path = Path(path)
        if self.path.is_dir():
            raise CassetteError(f"{self.path} is a folder, not a cassette file")
        exists = self.path.exists() and self.path.stat().st_size > 0
        if not exists and (readonly or not create):
            raise CassetteError(f"cassette {self.path} does not exist; record it first "
                                f"(smsvoice-sim record --cassette {self.path} ...)")
        if not exists:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        elif _starts_with(self.path, LFS_POINTER):
            raise CassetteError(f"{self.path} is a Git LFS pointer file, not the cassette itself: "
                                "fetch the real file with `git lfs pull` (or install Git LFS)")
        # Writes go through their own connection, so a write waiting for a lock held by
        # another program never holds up this connection's reads.
        self._writer: sqlite3.Connection | None = None
        self._write_lock = threading.Lock()
        self._closed = False
        self.readonly = readonly
        self._snapshot: tempfile.TemporaryDirectory | None = None  # see _open_readonly
        try:
            if readonly:
                self.db = sqlite_utils.Database(self._open_readonly())
                self.db.execute("PRAGMA query_only=ON")
            else:
                conn = sqlite3.connect(str(self.path), timeout=30, check_same_thread=False,
                                       isolation_level=None)
                self.db = sqlite_utils.Database(conn)
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA busy_timeout=30000")
            # Which file the path named when it was opened: a recording notices when the
            # file is deleted or replaced under it (its rows would go with the old one).
            self._identity = _identity(self.path)
            if exists:
                self._check_format()
            else:
                self._create()
        except sqlite3.DatabaseError as exc:
            if "malformed" in str(exc):
                raise CassetteError(f"cassette {self.path} is damaged (truncated or corrupt: {exc}); "
                                    "restore it from version control or re-record it") from None
            raise CassetteError(f"{self.path} is not a smsvoice-sim cassette ({exc})") from None

    def _open_readonly(self) -> sqlite3.Connection:
        """The file with mode=ro: as a plain file (immutable) when no writer has it open,
        since even mode=ro leaves -wal and -shm files beside a WAL cassette. A WAL in a
        folder this process cannot write (a crashed recorder's, in a read-only checkout)
        cannot be read in place, as SQLite must make a -shm beside it: then a private copy
        of the file and its WAL is read instead."""
        wal = Path(f"{self.path}-wal")
        in_use = wal.exists() or Path(f"{self.path}-journal").exists()
        uri = f"{self.path.resolve().as_uri()}?mode=ro" + ("" if in_use else "&immutable=1")
        conn = sqlite3.connect(uri, uri=True, timeout=30, check_same_thread=False,
                               isolation_level=None)
        try:
            conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()  # opens it for real
            return conn
        except sqlite3.OperationalError:
            conn.close()
            if not wal.exists():
                raise
        self._snapshot = tempfile.TemporaryDirectory(prefix="smsvoice-cassette-")
        copy = Path(self._snapshot.name) / self.path.name
        shutil.copyfile(self.path, copy)
        shutil.copyfile(wal, f"{copy}-wal")
        return sqlite3.connect(str(copy), timeout=30, check_same_thread=False,
                               isolation_level=None)

    def lost(self) -> str | None:
        """Why the file this cassette wrote to is no longer at its path, or None."""
        now = _identity(self.path)
        if now == self._identity:
            return None
        what = "deleted" if now is None else "replaced by another file"
        return (f"the cassette file {self.path} was {what} while it was open; the interactions "
                "written to it are NOT in any cassette at that path")

    def _check_in_place(self) -> None:
        reason = self.lost()
        if reason is not None:
            raise CassetteWriteError(reason)

    # -- layout -----------------------------------------------------------------
    def _create(self) -> None:
        with self.db.conn:
            self.db.table("meta").insert_all([
                {"key": "format_version", "value": str(FORMAT_VERSION)},
                {"key": "created_at", "value": str(time.time())},
                {"key": "pseudonym_salt", "value": secrets.token_hex(16)},
            ], pk="key", replace=True)
            self.db.table(TABLE).create({
                "id": int, "seq": int, "operation": str, "region": str, "match_key": str,
                "match_body": str, "request_method": str, "request_url": str,
                "request_headers": str, "request_body": bytes, "status": int,
                "response_headers": str, "response_body": bytes, "recorded_at": float,
                "duration_ms": float,
            }, pk="id", if_not_exists=True)
            self.db.table(TABLE).create_index(["match_key", "seq"], if_not_exists=True)

    def _check_format(self) -> None:
        if "meta" not in self.db.table_names() or TABLE not in self.db.table_names():
            raise CassetteError(f"{self.path} is a SQLite file but not a smsvoice-sim cassette")
        version = self.meta("format_version")
        if version != str(FORMAT_VERSION):
            raise CassetteError(
                f"{self.path} has cassette format {version}; this smsvoice-sim reads format "
                f"{FORMAT_VERSION}. Re-record it, or export it with the version that wrote it "
                f"and `smsvoice-sim cassette import` the JSON lines here.")

    def meta(self, key: str) -> str | None:
        rows = list(self.db.query("SELECT value FROM meta WHERE key = ?", [key]))
        return rows[0]["value"] if rows else None

    # -- writing ------------------------------------------------------------------
    def append(self, *, operation: str, region: str, match_key: str, match_body: str,
               request: HttpRequest, response: HttpResponse, recorded_at: float,
               duration_ms: float, timeout: float = 30.0, with_id: bool = False):
        """Commit one (already redacted) interaction; returns its sequence number (and, with
        `with_id`, its row id). Blocking: waits at most `timeout` seconds for a write lock
        held elsewhere; any failure is a CassetteWriteError saying why."""
        columns = {
            "operation": operation, "region": region, "match_key": match_key,
            "match_body": match_body, "request_method": request.method,
            "request_url": request.url, "request_headers": json.dumps(request.headers),
            "request_body": request.body, "status": response.status,
            "response_headers": json.dumps(response.headers), "response_body": response.body,
            "recorded_at": recorded_at, "duration_ms": duration_ms,
        }
        names = ", ".join(["seq", *columns])
        marks = ", ".join("?" * len(columns))
        deadline = time.monotonic() + timeout
        if not self._write_lock.acquire(timeout=max(timeout, 0)):
            raise CassetteWriteError(f"timed out after {timeout:g} s waiting for this recorder's "
                                     "earlier writes (the cassette is locked by another program?)")
        try:
            self._check_in_place()  # never write into a file nobody will find
            conn = self._writer_connection()
            remaining = max(deadline - time.monotonic(), 0.0)
            conn.execute(f"PRAGMA busy_timeout={int(remaining * 1000)}")
            # BEGIN IMMEDIATE takes the write lock before reading MAX(seq), so two
            # recorders sharing a cassette never hand out the same place in sequence.
            conn.execute("BEGIN IMMEDIATE")
            try:
                seq = conn.execute(f"SELECT COALESCE(MAX(seq), 0) + 1 FROM {TABLE}").fetchone()[0]
                cursor = conn.execute(f"INSERT INTO {TABLE} ({names}) VALUES (?, {marks})",
                                      [seq, *columns.values()])
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            self._check_in_place()  # deleted meanwhile: the row went with the old file
        except sqlite3.Error as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise CassetteWriteError(
                    f"the cassette is locked by another program (waited {timeout:g} s; "
                    f"--write-timeout): {exc}") from exc
            raise CassetteWriteError(f"{type(exc).__name__}: {exc}") from exc
        except OSError as exc:
            raise CassetteWriteError(f"{type(exc).__name__}: {exc}") from exc
        finally:
            self._write_lock.release()
        return (seq, cursor.lastrowid) if with_id else seq

    def _writer_connection(self) -> sqlite3.Connection:
        if self._closed:
            raise CassetteWriteError(f"the cassette {self.path} is already closed")
        if self.readonly:
            raise CassetteWriteError(f"the cassette {self.path} was opened read-only")
        if self._writer is None:
            self._writer = sqlite3.connect(str(self.path), timeout=0, check_same_thread=False,
                                           isolation_level=None)
            self._writer.execute("PRAGMA synchronous=NORMAL")
        return self._writer

    def append_many(self, rows) -> int:
        """Commit many (already redacted) interactions in one transaction; each row is a
        dict of `append`'s keyword arguments. Returns how many were written."""
        conn = self.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            seq = conn.execute(f"SELECT COALESCE(MAX(seq), 0) FROM {TABLE}").fetchone()[0]
            count = 0
            for row in rows:
                seq += 1
                count += 1
                conn.execute(
                    f"INSERT INTO {TABLE} (seq, operation, region, match_key, match_body, "
                    "request_method, request_url, request_headers, request_body, status, "
                    "response_headers, response_body, recorded_at, duration_ms) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [seq, row["operation"], row["region"], row["match_key"], row["match_body"],
                     row["request"].method, row["request"].url, json.dumps(row["request"].headers),
                     row["request"].body, row["response"].status,
                     json.dumps(row["response"].headers), row["response"].body,
                     row["recorded_at"], row["duration_ms"]])
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return count

    # -- reading ------------------------------------------------------------------
    def count(self) -> int:
        return self.db[TABLE].count

    def nth_match(self, key: str, index: int) -> Interaction | None:
        rows = list(self.db.query(
            f"SELECT * FROM {TABLE} WHERE match_key = ? ORDER BY seq LIMIT 1 OFFSET ?",
            [key, index]))
        return _row_to_interaction(rows[0]) if rows else None

    def by_id(self, interaction_id: int) -> Interaction | None:
        rows = list(self.db.query(f"SELECT * FROM {TABLE} WHERE id = ?", [interaction_id]))
        return _row_to_interaction(rows[0]) if rows else None

    def last_id(self) -> int:
        return next(self.db.query(f"SELECT MAX(id) AS n FROM {TABLE}"))["n"]

    def matches(self, key: str) -> int:
        row = next(self.db.query(f"SELECT COUNT(*) AS n FROM {TABLE} WHERE match_key = ?", [key]))
        return row["n"]

    def candidates(self, operation: str, limit: int = 200) -> list[Interaction]:
        rows = self.db.query(f"SELECT * FROM {TABLE} WHERE operation = ? ORDER BY seq LIMIT ?",
                             [operation, limit])
        return [_row_to_interaction(r) for r in rows]

    def interactions(self):
        for row in self.db.query(f"SELECT * FROM {TABLE} ORDER BY seq"):
            yield _row_to_interaction(row)

    def observations(self):
        """(recorded_at, response body) per interaction: what timings are learned from. A
        body that is not JSON this project reads (wire/json_read.py: too deep, NaN...) shows
        nothing and is skipped; a time that is not a finite number is a CassetteError."""
        query = f"SELECT seq, recorded_at, response_body FROM {TABLE} ORDER BY seq"
        for row in self.db.query(query):
            when = row["recorded_at"]
            if isinstance(when, bool) or not isinstance(when, int | float) or not math.isfinite(when):
                raise CassetteError(f"{self.path}: interaction {row['seq']} has recorded_at "
                                    f"{when!r}, not a time in seconds; re-record it or fix that row")
            try:
                yield when, read_json(row["response_body"] or b"{}")
            except JsonRefused:
                continue

    def integrity_ok(self) -> bool:
        return next(self.db.query("PRAGMA integrity_check"))["integrity_check"] == "ok"

    def close(self) -> None:
        """Close both connections; a write in progress finishes first (bounded by its own
        timeout)."""
        with self._write_lock:
            self._closed = True
            if self._writer is not None:
                self._writer.close()
        self.db.conn.close()
        if self._snapshot is not None:
            self._snapshot.cleanup()

    def __enter__(self) -> Cassette:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _identity(path: Path) -> tuple[int, int] | None:
    """(device, inode) of the file at `path`, or None when there is none."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


def _starts_with(path: Path, prefix: bytes) -> bool:
    with open(path, "rb") as fh:
        return fh.read(len(prefix)) == prefix
