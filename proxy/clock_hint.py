"""A one-line hint for `smsvoice-sim simulate --clock manual` when time never moves.

A script written against real AWS sleeps between its calls and expects a pool or number to
become ACTIVE; on a manual clock nothing moves until someone advances it, so the script is
refused with RESOURCE_NOT_ACTIVE forever. The first such refusal, while the manual clock
still stands where it started, prints this hint once per process. The simulator knows
nothing of it: the hint is one of `Simulator.listeners`, which see every answer.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

HINT = ("smsvoice-sim: hint: a request was refused as RESOURCE_NOT_ACTIVE and the manual clock "
        "has never moved; advance it with POST /_smsvoice/clock/advance {\"seconds\": N}, or run "
        "scripts that wait with --clock real|instant (real with short --duration steps)")
REASON = "RESOURCE_NOT_ACTIVE"


def watch_manual_clock(sim, say: Callable[[str], None]) -> None:
    """Have `say(HINT)` called once, the first time `sim` refuses a request as
    RESOURCE_NOT_ACTIVE while its manual clock has not moved. Other clocks: nothing."""
    if sim.clock.mode != "manual":
        return
    started = sim.clock.now()  # a manual clock moves only when advanced
    said = threading.Event()
    lock = threading.Lock()

    def listener(operation: str, request, response) -> None:
        if said.is_set() or response.status < 400 or sim.clock.now() != started:
            return
        try:
            body = response.json()
        except ValueError:  # not JSON: not a service error
            return
        if not isinstance(body, dict) or body.get("Reason") != REASON:
            return
        with lock:
            if said.is_set():
                return
            said.set()
        say(HINT)

    sim.listeners.append(listener)
