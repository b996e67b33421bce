"""`--state FILE`: the simulator's whole state in SQLite, so a restart continues
where the last process stopped. Each save is one transaction (WAL), so a
killed process leaves the last complete snapshot.

One process at a time: the file is locked (see `_ProcessLock`), and a second
process on the same file refuses to start (`StateFileInUse`) instead of
silently losing the first one's writes. A file that is not a state file (a
cassette, another program's SQLite database, a JSON export...) is refused
(`NotAStateFile`) before anything is written to it or beside it.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import sqlite3
import threading
import time
import urllib.parse
import weakref
from pathlib import Path

SQLITE_HEADER = b"SQLite format 3\x00"
TABLE = "snapshot"
COLUMNS = ["id", "saved_at", "data"]


class StateFileError(ValueError):
    """A `--state` file that cannot be used; the message is one line for the user.
    A ValueError, so every caller that turns bad options into usage errors does so."""


class NotAStateFile(StateFileError):
    """The file exists and is something else (a cassette, other SQLite, JSON...)."""


class StateFileInUse(StateFileError):
    """Another process has the state file open."""


def _check_is_state_file(path: Path) -> None:
    """Raise NotAStateFile unless `path` is absent, empty, or a state file. Reads only:
    the SQLite file is opened immutable (no -wal/-shm files created beside it) unless a
    -wal file shows a writer is at work, when a plain read-only open is safe."""
    try:
        with open(path, "rb") as fh:
            header = fh.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return
    except OSError as exc:
        raise NotAStateFile(f"{path}: cannot read it ({exc.strerror or exc})") from None
    if not header:
        return  # an empty file becomes a new state file
    if header != SQLITE_HEADER:
        raise NotAStateFile(f"{path} is not a smsvoice-sim state file (not an SQLite database); "
                            "refusing to overwrite it: give --state a file of its own")
    query = "mode=ro" if Path(f"{path}-wal").exists() else "mode=ro&immutable=1"
    uri = f"file:{urllib.parse.quote(str(path.resolve()))}?{query}"
    try:
        conn = sqlite3.connect(uri, uri=True)
        try:
            tables = [r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info({TABLE})")]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise NotAStateFile(f"{path} is not a smsvoice-sim state file ({exc})") from None
    if tables and (tables != [TABLE] or columns != COLUMNS):
        raise NotAStateFile(
            f"{path} is an SQLite database but not a smsvoice-sim state file (it has "
            f"{', '.join(sorted(tables))}; a cassette?); refusing to modify it: give --state "
            "a file of its own")


class _ProcessLock:
    """An exclusive lock on `<state file>.lock`, held while this process uses the file.

    POSIX record locks (fcntl.lockf), not flock: they belong to the process, so two
    Simulators in one process may reopen the same file (as a test restarting from
    it does), while any other process is refused. A separate lock file, because
    SQLite takes record locks on the database file itself, and closing any descriptor
    of a file drops the process's record locks on it. One descriptor per path per
    process (reference-counted) for the same reason.
    """

    _held: dict[str, list] = {}  # resolved path -> [fd, users]
    _guard = threading.Lock()

    def __init__(self, state_path: Path):
        self.path = str(state_path.resolve()) + ".lock"
        with self._guard:
            entry = self._held.get(self.path)
            if entry is None:
                entry = [self._acquire(self.path, state_path), 0]
                self._held[self.path] = entry
            entry[1] += 1
        self._release = weakref.finalize(self, _ProcessLock._drop, self.path)

    @staticmethod
    def _acquire(lock_path: str, state_path: Path) -> int:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            os.close(fd)
            if exc.errno in (errno.EACCES, errno.EAGAIN):
                who = f"process {holder}" if holder.isdigit() else "another process"
                raise StateFileInUse(
                    f"{state_path} is in use by {who} (locked through {lock_path}); one "
                    "process per state file: stop the other one or give another --state") from None
            raise StateFileError(f"{state_path}: cannot lock {lock_path} "
                                 f"({exc.strerror or exc})") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        return fd

    @classmethod
    def _drop(cls, path: str) -> None:
        with cls._guard:
            entry = cls._held.get(path)
            if entry is None:
                return
            entry[1] -= 1
            if entry[1] <= 0:
                del cls._held[path]
                os.close(entry[0])  # releases the lock

    def release(self) -> None:
        self._release()


class StateFile:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        _check_is_state_file(self.path)  # before anything is created beside it
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = _ProcessLock(self.path)
        try:
            _check_is_state_file(self.path)  # again: it may have changed before the lock
            self.conn = sqlite3.connect(str(self.path), timeout=30, isolation_level=None,
                                        check_same_thread=False)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (id INTEGER PRIMARY KEY "
                              "CHECK (id = 1), saved_at REAL, data TEXT)")
        except sqlite3.DatabaseError as exc:
            self._lock.release()
            raise NotAStateFile(f"{self.path} is not a smsvoice-sim state file ({exc})") from None
        except BaseException:
            self._lock.release()
            raise

    def load(self) -> dict | None:
        row = self.conn.execute(f"SELECT data FROM {TABLE} WHERE id = 1").fetchone()
        return json.loads(row[0]) if row else None

    def save(self, data: dict) -> None:
        self.conn.execute(f"INSERT OR REPLACE INTO {TABLE} (id, saved_at, data) VALUES (1, ?, ?)",
                          [time.time(), json.dumps(data, separators=(",", ":"))])

    def close(self) -> None:
        """Close the database and let another process have the file."""
        self.conn.close()
        self._lock.release()
