"""Re-make the shipped cassette `pool_lifecycle.db` (and its JSON-lines export).

It is recorded the way users record: through `smsvoice-sim record` (mitmproxy,
reverse mode, re-signing) in front of an upstream — here the simulator's
endpoint standing in for AWS, so no account is needed.

    .venv/bin/python cassettes/record_pool_lifecycle.py
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import boto3

from smsvoice_sim.proxy.http_server import EndpointServer, simulator_answer
from smsvoice_sim.proxy.processes import CLI, cli_server
from smsvoice_sim.simulator import Simulator

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))  # the workflow the tests replay lives there
from workflows import pool_workflow  # noqa: E402

CREDS = {"aws_access_key_id": "AKIAEXAMPLERECORDING", "aws_secret_access_key": "example"}
# Kept in the cassette's meta table; `smsvoice-sim cassette show` prints it.
NOTE = ("recorded against smsvoice-sim's own simulator, not AWS: "
        "cassettes/record_pool_lifecycle.py ran tests/workflows.py's pool_workflow through "
        "`smsvoice-sim record` in front of `Simulator(clock='reads:2', seed=2022)`")


def label(db: Path) -> None:
    """Say in the cassette itself how it was made."""
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('note', ?)", (NOTE,))
    conn.close()


def main() -> None:
    db, export = HERE / "pool_lifecycle.db", HERE / "pool_lifecycle.jsonl"
    for stale in HERE.glob("pool_lifecycle.db*"):
        stale.unlink()
    env = {"AWS_ACCESS_KEY_ID": CREDS["aws_access_key_id"],
           "AWS_SECRET_ACCESS_KEY": CREDS["aws_secret_access_key"]}
    with EndpointServer(simulator_answer(Simulator(clock="reads:2", seed=2022))) as upstream:
        with cli_server("record", "--cassette", str(db), "--listen", "127.0.0.1:0",
                        "--upstream", upstream.url, env=env) as (ready, _proc):
            client = boto3.client("pinpoint-sms-voice-v2", region_name="us-east-1",
                                  endpoint_url=ready.group(1), **CREDS)
            pool_workflow(client)
    label(db)
    subprocess.run([*CLI, "cassette", "export", str(db), "-o", str(export)], check=True)
    print(f"wrote {db.name} and {export.name}")


if __name__ == "__main__":
    main()
