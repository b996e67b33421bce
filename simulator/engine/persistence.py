"""`--state FILE`: the simulator's whole state in SQLite, so a restart continues
where the last process stopped. Each save is one transaction (WAL), so a
killed process leaves the last complete snapshot.

One process at a time: the file itself is locked (see `_ProcessLock`), and a
second process on the same file, by whatever path or link, refuses to start
(`StateFileInUse`) instead of silently losing the first one's writes. A file that is not a state file (a
cassette, another program's SQLite database, a JSON export...) is refused
(`NotAStateFile`) before anything is written to it or beside it.
"""

from __future__ import annotations

import errno
import fcntl
import os
import sqlite3
import stat
import threading
import time
import urllib.parse
import weakref
from pathlib import Path

from ..wire.json_read import JsonRefused, dump_json, read_json

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


class BadStateFile(StateFileError):
    """A state file whose document cannot be loaded as it is: not JSON this project reads, a
    shape or a value this smsvoice-sim would not have written (a hand edit, another version)."""


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


def _lock_holder(st: os.stat_result) -> str:
    """Which process holds a lock on the file (Linux's /proc/locks names it), for the message."""
    wanted = f":{st.st_ino} "
    try:
        with open("/proc/locks", encoding="ascii", errors="replace") as fh:
            for line in fh:
                fields = line.split()
                if len(fields) > 5 and fields[1] == "FLOCK" and f"{fields[5]} ".endswith(wanted) \
                        and fields[4].isdigit() and int(fields[4]) != os.getpid():
                    return f"process {fields[4]}"
    except OSError:
        pass
    return "another process"


def _regular_file_or_absent(path: Path) -> None:
    """A state file is a regular file (or a link to one): /dev/null, a FIFO or a folder is
    refused before anything is opened or created beside it."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise NotAStateFile(f"{path}: cannot use it ({exc.strerror or exc})") from None
    if not stat.S_ISREG(st.st_mode):
        kind = "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file"
        raise NotAStateFile(f"{path} is {kind}; --state needs a file of its own")


class _ProcessLock:
    """An exclusive lock on the state file itself, held while this process uses it.

    The lock is on the file, not on a path: a hard link, a symlink or another spelling of
    the path reaches the same inode and is refused, and no lock file exists that could be
    deleted from under a running process. flock, not fcntl/lockf: a flock belongs to its
    open file description, so SQLite's own record locks on the file (and SQLite closing its
    descriptors, which drops a process's record locks) never touch it. In one process the
    inode's one descriptor is shared and counted, so two Simulators may reopen the same file
    (as a test restarting from it does), while any other process is refused.
    """

    _held: dict[tuple[int, int], list] = {}  # (device, inode) -> [fd, users]
    _guard = threading.Lock()

    def __init__(self, state_path: Path):
        with self._guard:
            key, entry = self._held_entry(state_path)
            if entry is None:
                fd = self._acquire(state_path)
                st = os.fstat(fd)
                key, entry = (st.st_dev, st.st_ino), [fd, 0]
                self._held[key] = entry
            entry[1] += 1
        self.key = key
        self._release = weakref.finalize(self, _ProcessLock._drop, key)

    @classmethod
    def _held_entry(cls, state_path: Path) -> tuple[tuple[int, int] | None, list | None]:
        try:
            st = os.stat(state_path)
        except FileNotFoundError:
            return None, None
        key = (st.st_dev, st.st_ino)
        return key, cls._held.get(key)

    @staticmethod
    def _acquire(state_path: Path) -> int:
        try:
            fd = os.open(state_path, os.O_RDWR | os.O_CREAT | os.O_NONBLOCK | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise StateFileError(f"{state_path}: cannot open it ({exc.strerror or exc})") from None
        st = os.fstat(fd)
        try:
            if not stat.S_ISREG(st.st_mode):  # swapped for something else since the check
                raise NotAStateFile(f"{state_path} is not a regular file; --state needs a file "
                                    "of its own")
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EACCES, errno.EAGAIN, errno.EWOULDBLOCK):
                raise StateFileInUse(
                    f"{state_path} is in use by {_lock_holder(st)}; one process per state file "
                    "(whatever path or link reaches it): stop the other one or give another "
                    "--state") from None
            raise StateFileError(f"{state_path}: cannot lock it ({exc.strerror or exc})") from None
        except BaseException:
            os.close(fd)
            raise
        return fd

    @classmethod
    def _drop(cls, key: tuple[int, int]) -> None:
        with cls._guard:
            entry = cls._held.get(key)
            if entry is None:
                return
            entry[1] -= 1
            if entry[1] <= 0:
                del cls._held[key]
                os.close(entry[0])  # releases the lock

    def release(self) -> None:
        self._release()


class StateFile:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        _regular_file_or_absent(self.path)
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
        """The saved document, read with explicit limits (wire/json_read.py); BadStateFile,
        naming the file, for anything else. Its content is checked by snapshot.import_state."""
        row = self.conn.execute(f"SELECT data FROM {TABLE} WHERE id = 1").fetchone()
        if row is None:
            return None
        if not isinstance(row[0], str | bytes):
            raise BadStateFile(f"{self.path}: the saved state is {type(row[0]).__name__}, not JSON text")
        try:
            return read_json(row[0])
        except JsonRefused as exc:
            raise BadStateFile(f"{self.path}: the saved state is not JSON this smsvoice-sim "
                               f"reads: {exc}") from None

    def save(self, data: dict) -> None:
        self.conn.execute(f"INSERT OR REPLACE INTO {TABLE} (id, saved_at, data) VALUES (1, ?, ?)",
                          [time.time(), dump_json(data, separators=(",", ":"))])

    def close(self) -> None:
        """Close the database and let another process have the file."""
        self.conn.close()
        self._lock.release()
