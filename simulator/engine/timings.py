"""Lifecycle timings learned from what a recording observed.

An observation is (timestamp, response body). A resource's step, e.g. a pool's
CREATING->ACTIVE, was observed to last from the first response that showed the
first state to the first response that showed the next. A ResourceNotFoundException
for a pool counts as the pool being gone (DELETING->GONE).

A polling client sees a step end late by up to one polling interval, so what
the simulator learns is the midpoint between the last sighting of the old
state and the first sighting of the new one (the step ended somewhere in that
gap): with 5 s polls, a 42 s step is observed as 45 s and learned as 42.5 s.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping

from .lifecycle import GONE, LifecycleSpec

Observation = tuple[float, dict]


def _sightings(body: dict):
    """(kind, id, state) for every resource a response body shows."""
    if not isinstance(body, dict):
        return
    if str(body.get("__type", "")).endswith("ResourceNotFoundException") and \
            body.get("ResourceType") == "pool" and body.get("ResourceId"):
        yield "pool", body["ResourceId"], GONE
        return
    items = [body]
    for key in ("Pools", "PhoneNumbers"):
        if isinstance(body.get(key), list):
            items += [i for i in body[key] if isinstance(i, dict)]
    for item in items:
        status = item.get("Status")
        if not isinstance(status, str):
            continue
        if item.get("PhoneNumberId") and "PhoneNumber" in item:
            yield "phone-number", item["PhoneNumberId"], status
        elif item.get("PoolId") and "PoolArn" in item:
            yield "pool", item["PoolId"], status


def observed_steps(observations: Iterable[Observation]) -> dict[str, dict[str, list[tuple]]]:
    """{kind: {"CREATING->ACTIVE": [(observed, estimate), ...]}} over every resource seen."""
    runs: dict[tuple[str, str], list[list]] = {}  # per resource: [state, first seen, last seen]
    for when, body in sorted(observations, key=lambda o: o[0]):
        for kind, rid, state in _sightings(body):
            states = runs.setdefault((kind, rid), [])
            if states and states[-1][0] == state:
                states[-1][2] = when
            else:
                states.append([state, when, when])
    steps: dict[str, dict[str, list[tuple]]] = {}
    for (kind, _rid), states in runs.items():
        for (s0, first0, last0), (s1, first1, _last1) in zip(states, states[1:], strict=False):
            observed = first1 - first0
            estimate = (last0 - first0 + observed) / 2
            steps.setdefault(kind, {}).setdefault(f"{s0}->{s1}", []).append(
                (round(observed, 6), round(estimate, 6)))
    return steps


def summarize(steps: dict[str, dict[str, list[tuple]]]) -> dict:
    out: dict[str, dict] = {}
    for kind, by_step in steps.items():
        for step, pairs in by_step.items():
            observed = [o for o, _ in pairs]
            out.setdefault(kind, {})[step] = {
                "count": len(pairs), "median": statistics.median(observed),
                "min": min(observed), "max": max(observed), "observed": observed,
                "estimate": statistics.median(e for _, e in pairs)}
    return out


def learn_durations(source, specs: Iterable[LifecycleSpec]) -> dict[str, float]:
    """Durations (median of what was observed) keyed like Simulator(durations=...), for the
    automatic steps of `specs`. `source` is a mapping of such durations already, or an
    iterable of observations."""
    if isinstance(source, Mapping):
        return {str(k): float(v) for k, v in source.items()}
    by_kind = {spec.kind: spec for spec in specs}
    learned = {}
    for kind, by_step in observed_steps(source).items():
        spec = by_kind.get(kind)
        if spec is None:
            continue
        automatic = {f"{s}->{t['dest']}" for t in spec.transitions
                     for s in ([t["source"]] if isinstance(t["source"], str) else t["source"])
                     if s in spec.automatic and spec.automatic[s] == t["trigger"]}
        for step, pairs in by_step.items():
            if step in automatic:  # only steps the clock drives can be learned
                learned[f"{kind}:{step}"] = statistics.median(e for _, e in pairs)
    return learned
