"""Lifecycle timings learned from what a recording observed.

An observation is (timestamp, response body). A resource's step, e.g. a pool's
CREATING->ACTIVE, lasted from the first response that showed the first state
to the first response that showed the next. A ResourceNotFoundException for a
pool counts as the pool being gone (DELETING->GONE).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping

from .lifecycle import GONE, SPECS

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


def observed_steps(observations: Iterable[Observation]) -> dict[str, dict[str, list[float]]]:
    """{kind: {"CREATING->ACTIVE": [seconds, ...]}} over every resource observed."""
    first_seen: dict[tuple[str, str], list[tuple[float, str]]] = {}
    for when, body in sorted(observations, key=lambda o: o[0]):
        for kind, rid, state in _sightings(body):
            states = first_seen.setdefault((kind, rid), [])
            if not states or states[-1][1] != state:
                states.append((when, state))
    steps: dict[str, dict[str, list[float]]] = {}
    for (kind, _rid), states in first_seen.items():
        for (t0, s0), (t1, s1) in zip(states, states[1:], strict=False):
            steps.setdefault(kind, {}).setdefault(f"{s0}->{s1}", []).append(round(t1 - t0, 6))
    return steps


def summarize(steps: dict[str, dict[str, list[float]]]) -> dict:
    return {kind: {step: {"count": len(v), "median": statistics.median(v), "min": min(v),
                          "max": max(v), "observed": v}
                   for step, v in by_step.items()}
            for kind, by_step in steps.items()}


def learn_durations(source) -> dict[str, float]:
    """Durations (median of what was observed) keyed like Simulator(durations=...).
    `source` is a mapping of such durations already, or an iterable of observations."""
    if isinstance(source, Mapping):
        return {str(k): float(v) for k, v in source.items()}
    learned = {}
    for kind, by_step in observed_steps(source).items():
        automatic = {f"{s}->{t['dest']}" for t in SPECS[kind].transitions
                     for s in ([t["source"]] if isinstance(t["source"], str) else t["source"])
                     if s in SPECS[kind].automatic and SPECS[kind].automatic[s] == t["trigger"]}
        for step, values in by_step.items():
            if step in automatic:  # only steps the clock drives can be learned
                learned[f"{kind}:{step}"] = statistics.median(values)
    return learned
