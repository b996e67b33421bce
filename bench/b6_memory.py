"""6. Memory: resident memory of the simulator after 100,000 pools created and deleted,
and of replay serving a 100,000-interaction cassette: flat once warm."""

from __future__ import annotations

import random
import shutil
import tempfile
from pathlib import Path

from smsvoice_sim.proxy.cassette import Cassette
from smsvoice_sim.proxy.inprocess import cassette_client
from smsvoice_sim.proxy.session import CassetteSession
from smsvoice_sim.simulator import Simulator

from .b3_replay_scale import BIG, _pool_id, build
from .common import Table, rss_kib, verdict

N = 100_000
CHECKPOINTS = (20_000, 60_000, 100_000)


def _simulate_growth() -> list[int]:
    sim = Simulator(clock="instant", seed=3)
    client = sim.client(short_circuit=True)
    arn = client.request_sender_id(SenderId="MEM", IsoCountryCode="US")["SenderIdArn"]
    marks = []
    for i in range(1, N + 1):
        pool = client.create_pool(OriginationIdentity=arn, MessageType="TRANSACTIONAL")["PoolId"]
        client.describe_pools(PoolIds=[pool])  # instant clock: now ACTIVE
        client.delete_pool(PoolId=pool)
        if i in CHECKPOINTS:
            marks.append(rss_kib())
    return marks


def _replay_growth(folder: Path) -> list[int]:
    build(folder / "big.db", BIG)
    cassette = Cassette(folder / "big.db", create=False)
    client = cassette_client(CassetteSession(cassette), short_circuit=True)
    for i in range(BIG):  # warm: every key seen once (replay keeps a cursor per key)
        client.describe_pools(PoolIds=[_pool_id(i)])
    rng = random.Random(2)
    marks = []
    for i in range(1, N + 1):
        client.describe_pools(PoolIds=[_pool_id(rng.randrange(BIG))])
        if i in CHECKPOINTS:
            marks.append(rss_kib())
    cassette.close()
    return marks


def run(table: Table) -> None:
    sim = _simulate_growth()
    folder = Path(tempfile.mkdtemp(prefix="smsvoice-bench-"))
    try:
        rep = _replay_growth(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    for name, marks in (("simulate: 100k pools created and deleted", sim),
                        ("replay: 100k more requests from a 100k cassette, warm", rep)):
        growth = (marks[-1] - marks[0]) / ((CHECKPOINTS[-1] - CHECKPOINTS[0]) / 10_000)
        table.add(f"6 RSS, {name}", " → ".join(f"{m / 1024:.0f} MiB" for m in marks),
                  "at 20k → 60k → 100k", f"{growth:+.0f} KiB per 10k requests",
                  verdict(growth < 256, "flat once warm"))
