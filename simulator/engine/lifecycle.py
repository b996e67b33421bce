"""Resource lifecycles as `transitions` state machines, and the schedule that
fires their automatic steps when the clock says they are due.

Only the moves listed here exist; any other is a MachineError, so an invalid
move is impossible by construction. Automatic steps (CREATING -> ACTIVE, ...)
are scheduled from the moment the resource entered its state, so a late read
sees every step that fell due since, not one step per read.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import math
import threading
from dataclasses import dataclass, field

from transitions import Machine

from .clock import Clock

GONE = "GONE"  # internal: the resource no longer exists


@dataclass(frozen=True)
class LifecycleSpec:
    """A family's lifecycle: its states, the moves between them, and which moves the
    clock makes by itself. `durations` are the automatic steps' default seconds,
    keyed by step (`"CREATING->ACTIVE"`); users override them as `"kind:step"`."""

    kind: str
    states: tuple[str, ...]
    initial: str
    transitions: tuple[dict, ...]
    automatic: dict[str, str]  # state -> trigger fired when its time is due
    durations: dict[str, float] = field(default_factory=dict)

    def step_name(self, trigger: str, source: str) -> str:
        return _step_name(self.kind, trigger, source)


@functools.cache
def _step_name(kind: str, trigger: str, source: str) -> str:
    for t in SPECS[kind].transitions:
        if t["trigger"] == trigger and source in _as_list(t["source"]):
            return f"{source}->{t['dest']}"
    raise KeyError((trigger, source))


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


# The specs the families registered (`register_lifecycle`), by kind.
SPECS: dict[str, LifecycleSpec] = {}
# Seconds each automatic step takes by default, "kind:step" -> seconds, from the specs.
DEFAULT_DURATIONS: dict[str, float] = {}


def register_lifecycle(spec: LifecycleSpec) -> LifecycleSpec:
    """Make a lifecycle known (families.register does this for a family's `lifecycle`): its
    machine runs in every Simulator made from now on."""
    for step, seconds in spec.durations.items():
        _check_seconds(f"{spec.kind}:{step}", seconds)
    SPECS[spec.kind] = spec
    DEFAULT_DURATIONS.update({f"{spec.kind}:{step}": float(s) for step, s in spec.durations.items()})
    _step_name.cache_clear()
    return spec


def unregister_lifecycle(spec: LifecycleSpec) -> None:
    if SPECS.get(spec.kind) is spec:
        del SPECS[spec.kind]
        for step in spec.durations:
            DEFAULT_DURATIONS.pop(f"{spec.kind}:{step}", None)
        _step_name.cache_clear()


def _check_seconds(step: str, seconds) -> None:
    try:
        finite = not isinstance(seconds, bool) and math.isfinite(float(seconds))
    except (TypeError, ValueError):
        finite = False
    if not finite:
        raise ValueError(f"lifecycle step {step} needs a finite number of seconds, not {seconds!r}")
    if float(seconds) < 0:
        raise ValueError(f"lifecycle step {step}: a lifecycle step cannot take negative time")


class _Cursor:
    """The one model each machine drives. A resource's move is played on it: the
    cursor takes the resource's state, the machine fires the trigger (or raises
    MachineError for a move the spec lacks), the resource takes the new state.
    Registering every resource as a model of its own would cost ~0.4 ms per
    resource in `add_model`; this costs one machine per kind."""

    state: str


def make_machine(spec: LifecycleSpec, model=None) -> Machine:
    return Machine(model=model if model is not None else _Cursor(), states=list(spec.states),
                   transitions=[dict(t) for t in spec.transitions], initial=spec.initial,
                   auto_transitions=False, send_event=False)


# One machine per spec for the whole process: building one costs ~0.2 ms (every Simulator
# and every reset used to build all of them), and its only state is its cursor, which
# `Lifecycles.move` sets before each trigger under _MOVING (simulators in other threads
# share the machine).
_COMPILED: dict[str, tuple[LifecycleSpec, Machine]] = {}
_MOVING = threading.RLock()  # re-entrant: a transition's callbacks may move again in its thread


def compiled_machine(spec: LifecycleSpec) -> Machine:
    with _MOVING:
        cached = _COMPILED.get(spec.kind)
        if cached is None or cached[0] is not spec:  # a spec registered again under its kind
            cached = _COMPILED[spec.kind] = (spec, make_machine(spec))
        return cached[1]


@dataclass(eq=False)
class Lifecycled:
    """Base for resources with a status. `state` is owned by the machine."""

    kind: str = field(default="", init=False)
    state: str = field(default="", init=False)
    entered_at: float = field(default=0.0, init=False)
    reads: int = field(default=0, init=False)
    generation: int = field(default=0, init=False)


class Lifecycles:
    """Machines (one per kind, shared by that kind's resources) plus the schedule."""

    def __init__(self, clock: Clock, durations: dict[str, float] | None = None):
        from ..families import families
        # The families register their lifecycles; machines follow the families' order.
        kinds = [cls.lifecycle.kind for cls in families() if cls.lifecycle is not None]
        self.clock = clock
        unknown = set(durations or {}) - set(DEFAULT_DURATIONS)
        if unknown:
            raise ValueError(f"no lifecycle step {', '.join(sorted(unknown))}; the steps a clock "
                             f"drives are {', '.join(DEFAULT_DURATIONS)}")
        for step, seconds in (durations or {}).items():
            _check_seconds(step, seconds)
        self.durations = {**DEFAULT_DURATIONS, **(durations or {})}
        kinds += [kind for kind in SPECS if kind not in kinds]
        self.machines = {kind: compiled_machine(SPECS[kind]) for kind in kinds}
        self._heap: list[tuple[float, int, int, Lifecycled]] = []
        self._seq = itertools.count()
        self.on_gone = None  # callable(resource) set by the owner
        self.moves = 0  # every placement and move, so a caller can tell state changed
        self._read_due: list[Lifecycled] = []  # steps reads made due, fired by after_read
        # Other schedules on this clock, settled with it: fn(now) -> steps fired. Sent
        # messages use one: their path depends on their outcome, not on their state alone.
        self.followers: list = []

    def duration(self, kind: str, step: str) -> float:
        return float(self.durations.get(f"{kind}:{step}", 0.0))

    def place(self, resource: Lifecycled, kind: str, at: float, state: str | None = None) -> None:
        """Put a resource in its machine: new (the initial state), restored or learned from
        a recording (`state`, entered at `at`)."""
        machine = self.machines[kind]
        resource.kind = kind
        resource.state = machine.get_state(state or SPECS[kind].initial).name  # ValueError if unknown
        self._entered(resource, at)

    def move(self, resource: Lifecycled, trigger: str, at: float) -> None:
        machine = self.machines[resource.kind]
        if trigger not in machine.events:
            raise AttributeError(f"{resource.kind} has no move {trigger!r}")
        with _MOVING:
            cursor = machine.model
            machine.set_state(resource.state, model=cursor)
            cursor.trigger(trigger)  # raises MachineError for a move the spec lacks
            resource.state = cursor.state
        self._entered(resource, at)

    def can(self, resource: Lifecycled, trigger: str) -> bool:
        """Whether `trigger` is a move the resource's spec has from the state it is in."""
        event = self.machines[resource.kind].events.get(trigger)
        return event is not None and resource.state in event.transitions

    def _entered(self, resource: Lifecycled, at: float) -> None:
        self.moves += 1
        resource.entered_at = at
        resource.reads = 0
        resource.generation += 1
        if resource.state == GONE:
            if self.on_gone:
                self.on_gone(resource)
            return
        trigger = SPECS[resource.kind].automatic.get(resource.state)
        if trigger is None:
            return
        step = SPECS[resource.kind].step_name(trigger, resource.state)
        duration = self.duration(resource.kind, step)
        due = at if duration <= 0 else self.clock.due_at(at, duration)
        if due is not None:
            heapq.heappush(self._heap, (due, next(self._seq), resource.generation, resource))

    def settle(self, now: float | None = None, limit: int = 1_000_000) -> int:
        """Fire every automatic step due by `now`; returns how many fired."""
        now = self.clock.now() if now is None else now
        fired = 0
        while self._heap and self._heap[0][0] <= now and fired < limit:
            due, _seq, generation, resource = heapq.heappop(self._heap)
            if generation != resource.generation:
                continue  # stale: the resource moved on since this was scheduled
            self._fire(resource, at=due)
            fired += 1
        for follow in self.followers:
            fired += follow(now)
        return fired

    def observed(self, resource: Lifecycled) -> None:
        """A read returns this resource; the reads clock counts these. A step it makes due
        fires once the read's response is built (`after_read`), so the read itself still
        shows the state it counted."""
        resource.reads += 1
        if self.clock.due_after_reads(resource.reads) and resource.state in SPECS[resource.kind].automatic:
            self._read_due.append(resource)

    def after_read(self) -> None:
        due, self._read_due = self._read_due, []
        for resource in due:
            if resource.state in SPECS[resource.kind].automatic:
                self._fire(resource, at=self.clock.now())

    def force(self, resource: Lifecycled) -> bool:
        """Fire the resource's pending automatic step now, whatever the clock says."""
        if resource.state not in SPECS[resource.kind].automatic:
            return False
        self._fire(resource, at=self.clock.now())
        return True

    def _fire(self, resource: Lifecycled, at: float) -> None:
        self.move(resource, SPECS[resource.kind].automatic[resource.state], at)


register = register_lifecycle  # the name the first families commit used
