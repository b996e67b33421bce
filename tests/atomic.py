""""Check every rule, then change": a client whose every error answer is checked to have
left the whole saved state as it was (every family, idempotency memory, clock), and whose
every 5xx is recorded. The seeded walks (test_atomicity.py, test_remaining_walk.py) use it:

    sim, failures = Simulator(clock="manual", seed=3), []
    client = checked_client(sim, failures)
    ...  # any requests, failing or not
    assert failures == []
"""

from __future__ import annotations

from botocore.config import Config

from smsvoice_sim.simulator import DEFAULT_ACCOUNT, Simulator
from smsvoice_sim.simulator.engine.snapshot import export_state
from smsvoice_sim.simulator.inprocess import inprocess_client

NO_RETRY = Config(retries={"max_attempts": 1}, parameter_validation=False)


def saved_state(sim: Simulator) -> dict:
    """What `--state` would save, less what every request or the wall clock moves."""
    state = export_state(sim)
    del state["ids"]  # every request draws its request id
    state["clock"] = state["clock"]["offset"]  # wall time moves by itself on a real clock
    return state


def checked_client(sim: Simulator, failures: list, region_name: str = "us-east-1"):
    """A boto3 client (no retries, no client-side validation) that appends to `failures` each
    5xx and each error answer after which `saved_state` differs."""
    sim.region(DEFAULT_ACCOUNT, region_name)  # an account's region exists from its first call

    def answer(request):
        with sim.lock:
            sim.lifecycles.settle()  # steps the clock made due are not the request's doing
            before = saved_state(sim)
        response = sim.handle(request)
        if response.status >= 500:
            failures.append(f"{response.status}: {response.body[:300]!r}")
        elif response.status != 200 and saved_state(sim) != before:
            failures.append(f"{response.json()['__type']} changed state: {response.body[:300]!r}")
        return response
    return inprocess_client(answer, region_name=region_name, short_circuit=True, config=NO_RETRY)
