"""`--state FILE`: the simulator's whole state in SQLite, so a restart continues
where the last process stopped. Each save is one transaction (WAL), so a
killed process leaves the last complete snapshot."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path


class StateFile:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.conn = sqlite3.connect(str(self.path), timeout=30, isolation_level=None,
                                        check_same_thread=False)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("CREATE TABLE IF NOT EXISTS snapshot (id INTEGER PRIMARY KEY "
                              "CHECK (id = 1), saved_at REAL, data TEXT)")
        except sqlite3.DatabaseError as exc:
            raise ValueError(f"{self.path} is not a smsvoice-sim state file ({exc})") from None

    def load(self) -> dict | None:
        row = self.conn.execute("SELECT data FROM snapshot WHERE id = 1").fetchone()
        return json.loads(row[0]) if row else None

    def save(self, data: dict) -> None:
        self.conn.execute("INSERT OR REPLACE INTO snapshot (id, saved_at, data) VALUES (1, ?, ?)",
                          [time.time(), json.dumps(data, separators=(",", ":"))])

    def close(self) -> None:
        self.conn.close()
