"""5. Lifecycle without waiting: a polling client that would wait 10 minutes on AWS
(Terraform's timeout) against the manual and instant clocks."""

from __future__ import annotations

import time

from smsvoice_sim.simulator import Simulator

from .common import Table, verdict

AWS_WAIT_S = 600.0
POLL_EVERY_S = 10.0


def wait_until_active(client, pool_id: str, wait, max_polls: int = 1000) -> int:
    """The client's polling loop; `wait` is its sleep (here, the test's clock)."""
    for polls in range(1, max_polls + 1):
        if client.describe_pools(PoolIds=[pool_id])["Pools"][0]["Status"] == "ACTIVE":
            return polls
        wait(POLL_EVERY_S)
    raise TimeoutError(pool_id)


def _run(clock: str) -> tuple[float, int]:
    sim = Simulator(clock=clock, durations={"pool:CREATING->ACTIVE": AWS_WAIT_S})
    client = sim.client()
    start = time.perf_counter()
    arn = client.request_sender_id(SenderId="WAIT", IsoCountryCode="US")["SenderIdArn"]
    pool = client.create_pool(OriginationIdentity=arn, MessageType="TRANSACTIONAL")["PoolId"]
    wait = sim.clock.advance if clock == "manual" else (lambda s: None)
    polls = wait_until_active(client, pool, wait)
    return (time.perf_counter() - start) * 1000, polls


def run(table: Table) -> None:
    for clock in ("manual", "instant"):
        ms, polls = _run(clock)
        table.add(f"5 poll a pool to ACTIVE that AWS-like timing makes wait 600 s ({clock} clock)",
                  f"{ms:.1f} ms ({polls} polls)", f"{AWS_WAIT_S * 1000:.0f} ms (real wait)",
                  f"{AWS_WAIT_S * 1000 / ms:.0f}× faster", verdict(ms < 100, "< 100 ms"))
