"""`--state FILE`: the simulator's state in SQLite, so a restart continues where the last
process stopped.

One row per resource (engine/snapshot.py names them): a request writes only the rows of what
it changed, in one transaction (WAL), so a killed process leaves the last complete state. The
rows are made under the simulator's lock (only what changed); the transaction runs outside
it (`StateWriter`): a request waits for its own rows to be on disk before it is answered, a
read never waits for a writer's disk, and requests that wait together share one transaction.

A file of the previous format (one row holding the whole document, table `snapshot`) loads as
before and is rewritten as rows when it is opened (`StateFile.write` migrates it in the same
transaction that writes the rows, so a process killed meanwhile leaves it as it was).

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
# The layout: one row per resource, and the clock, the id generator and the layout's number.
ROWS, META = "state_rows", "state_meta"
LAYOUT = {ROWS: ["account", "region", "family", "part", "key", "seq", "data"],
          META: ["name", "data"]}
ROWS_FORMAT = "3"  # the file's layout; the document it holds is snapshot.FORMAT
# The previous layout: the whole document in one row (migrated when opened).
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
            tables = {r[0]: [c[1] for c in conn.execute(f"PRAGMA table_info('{r[0]}')")]
                      for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                            "AND name NOT LIKE 'sqlite_%'").fetchall()}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise NotAStateFile(f"{path} is not a smsvoice-sim state file ({exc})") from None
    if tables and tables != LAYOUT and tables != {TABLE: COLUMNS}:
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

    _held: dict[tuple[int, int], list[int]] = {}  # (device, inode) -> [fd, users]
    _guard = threading.Lock()

    def __init__(self, state_path: Path):
        with self._guard:
            key, entry = self._held_entry(state_path) or self._hold(state_path)
            entry[1] += 1
        self.key = key
        self._release = weakref.finalize(self, _ProcessLock._drop, key)

    @classmethod
    def _held_entry(cls, state_path: Path) -> tuple[tuple[int, int], list[int]] | None:
        """The file's entry where this process holds it already; None where it does not."""
        try:
            st = os.stat(state_path)
        except FileNotFoundError:
            return None
        key = (st.st_dev, st.st_ino)
        entry = cls._held.get(key)
        return None if entry is None else (key, entry)

    @classmethod
    def _hold(cls, state_path: Path) -> tuple[tuple[int, int], list[int]]:
        """Lock the file and enter it, with no users yet (under `_guard`)."""
        fd = cls._acquire(state_path)
        st = os.fstat(fd)
        key, entry = (st.st_dev, st.st_ino), [fd, 0]
        cls._held[key] = entry
        return key, entry

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
        self.index: dict = {}  # row -> (seq, hash of its text), as load() read them
        self.formatted = False  # the layout's number is written
        try:
            _check_is_state_file(self.path)  # again: it may have changed before the lock
            self.conn = sqlite3.connect(str(self.path), timeout=30, isolation_level=None,
                                        check_same_thread=False)
            self.conn.execute("PRAGMA journal_mode=WAL")
            # A commit is in the WAL, in the OS's hands, before it returns: a killed process
            # loses nothing committed; only a power cut may lose the last commits (never
            # consistency), which a simulator's state can afford for not syncing per request.
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.legacy = self._has_table(TABLE)
            if not self.legacy:
                self._create_layout()
        except sqlite3.DatabaseError as exc:
            self._lock.release()
            raise NotAStateFile(f"{self.path} is not a smsvoice-sim state file ({exc})") from None
        except BaseException:
            self._lock.release()
            raise

    def _has_table(self, name: str) -> bool:
        return self.conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                                 [name]).fetchone() is not None

    def _create_layout(self) -> None:
        """Both tables in one transaction: a process killed meanwhile leaves a file with
        neither (opened again as new), never one with a table only (refused as foreign). A
        migration runs it inside its own transaction."""
        if self.conn.in_transaction:
            self._create_tables()
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            self._create_tables()
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def _create_tables(self) -> None:
        self.conn.execute(f"CREATE TABLE IF NOT EXISTS {ROWS} (account TEXT NOT NULL, region TEXT "
                          "NOT NULL, family TEXT NOT NULL, part TEXT NOT NULL, key TEXT NOT NULL, "
                          "seq INTEGER NOT NULL, data TEXT NOT NULL, "
                          "PRIMARY KEY (account, region, family, part, key)) WITHOUT ROWID")
        self.conn.execute(f"CREATE TABLE IF NOT EXISTS {META} (name TEXT PRIMARY KEY, data TEXT NOT NULL)")

    def load(self) -> dict | None:
        """The saved document, each value read with explicit limits (wire/json_read.py);
        BadStateFile, naming the file, for anything else (a damaged page included: SQLite
        reads the pages only now). Its content is checked by snapshot.import_state."""
        try:
            document = self._load_legacy() if self.legacy else self._load_rows()
        except sqlite3.DatabaseError as exc:
            raise BadStateFile(f"{self.path}: SQLite cannot read the saved state, the file is "
                               f"damaged ({exc})") from None
        if isinstance(document, dict) and not isinstance(document.get("clock"), dict | None):
            raise BadStateFile(f"{self.path}: the saved clock is "
                               f"{type(document['clock']).__name__}, not an object")
        return document

    def _load_rows(self) -> dict | None:
        meta = {self._text(name, "a meta row's name"): self._read(value, f"the saved {name!r}")
                for name, value in self.conn.execute(f"SELECT name, data FROM {META}")}
        if not meta:
            return None
        self.formatted = True
        if meta.get("format") != ROWS_FORMAT:
            raise BadStateFile(f"{self.path}: state layout {meta.get('format')!r} is not "
                               f"{ROWS_FORMAT}")
        rows = []
        for *where, seq, data in self.conn.execute(
                f"SELECT account, region, family, part, key, seq, data FROM {ROWS} ORDER BY seq"):
            account, region, family, part, key = where
            what = f"the row {account}/{region} {family or '-'} {part or '-'} {key!r}"
            for value in where:  # a blob key is another row than the text key SQLite compares
                self._text(value, what)
            self.index[(account, region, family, part, key)] = (seq, hash(data))
            rows.append((account, region, family, part, key, self._read(data, what)))
        from .snapshot import document_from_rows  # the document's shape is snapshot.py's
        try:
            return document_from_rows(meta, rows)
        except ValueError as exc:
            raise BadStateFile(f"{self.path}: {exc}") from None

    def _text(self, value, what: str) -> str:
        """A name or key column's value, which smsvoice-sim always writes as text."""
        if not isinstance(value, str):
            raise BadStateFile(f"{self.path}: {what} has a {type(value).__name__} where "
                               "smsvoice-sim writes text")
        return value

    def _read(self, text, what: str):
        if not isinstance(text, str | bytes):
            raise BadStateFile(f"{self.path}: {what} is {type(text).__name__}, not JSON text")
        try:
            return read_json(text)
        except JsonRefused as exc:
            raise BadStateFile(f"{self.path}: {what} is not JSON this smsvoice-sim reads: "
                               f"{exc}") from None

    def _load_legacy(self) -> dict | None:
        row = self.conn.execute(f"SELECT data FROM {TABLE} WHERE id = 1").fetchone()
        return None if row is None else self._read(row[0], "the saved state")

    def write(self, batches: list) -> None:
        """Apply staged batches (snapshot.Batch), in order, in one transaction. A file of
        the previous layout is migrated in it: the rows are made, the old table dropped."""
        final: dict = {}  # row -> (seq, text), or None: deleted
        meta: dict[str, object] = {}
        for batch in batches:
            final.update((key, None) for key in batch.deleted)
            final.update((key, (seq, text)) for key, seq, text in batch.put)
            meta.update(batch.meta)
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            if self.legacy:
                self._create_layout()
                conn.execute(f"DROP TABLE {TABLE}")
            if not self.formatted:
                conn.execute(f"INSERT OR REPLACE INTO {META} VALUES ('format', ?)",
                             [dump_json(ROWS_FORMAT)])
            conn.executemany(f"DELETE FROM {ROWS} WHERE account = ? AND region = ? AND family = ? "
                             "AND part = ? AND key = ?", [k for k, v in final.items() if v is None])
            conn.executemany(f"INSERT OR REPLACE INTO {ROWS} VALUES (?, ?, ?, ?, ?, ?, ?)",
                             [(*k, *v) for k, v in final.items() if v is not None])
            conn.executemany(f"INSERT OR REPLACE INTO {META} VALUES (?, ?)",
                             [("saved_at", dump_json(time.time()))]
                             + [(n, v() if callable(v) else v) for n, v in meta.items()])
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        self.legacy = False
        self.formatted = True

    def close(self) -> None:
        """Close the database and let another process have the file."""
        self.conn.close()
        self._lock.release()


class StateWriter:
    """Writes the batches a simulator stages, in the order they were staged, outside its lock.

    `stage` (under the simulator's lock: the order of the changes) queues a batch and returns
    its number; `flush(n)` returns once batch n is on disk: whoever flushes first writes every
    batch queued so far in one transaction, so requests that wait together share one commit
    (group commit), and a request whose batch another one wrote returns at once. A write that
    fails (a full disk) leaves its batches queued, first in line: the next flush writes them.
    """

    def __init__(self, state_file: StateFile):
        self.file = state_file
        self._queue_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._queue: list = []
        self._staged = self._written = 0

    def stage(self, batch) -> int:
        with self._queue_lock:
            self._queue.append(batch)
            self._staged += 1
            return self._staged

    def flush(self, upto: int | None = None) -> None:
        with self._queue_lock:
            upto = self._staged if upto is None else upto
            if self._written >= upto:
                return
        with self._write_lock:
            with self._queue_lock:
                if self._written >= upto:
                    return
                batches, self._queue = self._queue, []
                last = self._staged
            try:
                self.file.write(batches)
            except BaseException:
                with self._queue_lock:
                    self._queue[:0] = batches
                raise
            with self._queue_lock:
                self._written = last
