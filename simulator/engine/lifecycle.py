"""Resource lifecycles as `transitions` state machines, moved on the simulator's one
scheduler (scheduler.py) when the clock says a step is due.

Only the moves a spec lists exist; any other is a MachineError, so an invalid move is
impossible by construction. Automatic steps (CREATING -> ACTIVE, ...) are timed from the
moment the resource entered its state, so a late read sees every step that fell due since,
not one step per read.

Every kind's spec compiles into one `transitions` Machine, once a process. The one rule for
how a kind uses it:
- a kind whose moves carry no conditions (pools, numbers, messages, agents, ...) is moved by
  the machine's event table: where each trigger leads from each state, read from the compiled
  machine. No resource is added to it as a model (`add_model` costs ~0.4 ms a resource), the
  table is never written after it is built, so simulators in other threads share it without
  a lock;
- a kind whose moves depend on the resource (transition conditions that read it: a
  registration and its versions) makes each resource a model of a machine of its own
  (registrations/lifecycle.py), so that `transitions` evaluates the conditions on it.

Nothing here is registered at import time: each family declares the specs of its kinds, and
a Simulator hands the specs of its families to its `Lifecycles`.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from transitions import Machine, MachineError

from .clock import Clock
from .scheduler import Scheduler, Timer

GONE = "GONE"  # internal: the resource no longer exists


@dataclass(frozen=True)
class LifecycleSpec:
    """A kind's lifecycle: its states, the moves between them, and which moves the clock
    makes by itself. `durations` are the automatic steps' default seconds, keyed by step
    (`"CREATING->ACTIVE"`); users override them as `"kind:step"`."""

    kind: str
    states: tuple[str, ...]
    initial: str
    transitions: tuple[dict, ...]
    automatic: dict[str, str]  # state -> trigger fired when its time is due
    durations: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for step, seconds in self.durations.items():
            check_seconds(f"{self.kind}:{step}", seconds)

    @functools.cached_property
    def _step_names(self) -> dict[tuple[str, str], str]:
        return {(t["trigger"], source): f"{source}->{t['dest']}"
                for t in reversed(self.transitions) for source in _as_list(t["source"])}

    def step_name(self, trigger: str, source: str) -> str:
        return self._step_names[(trigger, source)]


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def check_seconds(step: str, seconds) -> None:
    try:
        finite = not isinstance(seconds, bool) and math.isfinite(float(seconds))
    except (TypeError, ValueError):
        finite = False
    if not finite:
        raise ValueError(f"lifecycle step {step} needs a finite number of seconds, not {seconds!r}")
    if float(seconds) < 0:
        raise ValueError(f"lifecycle step {step}: a lifecycle step cannot take negative time")


def default_durations(specs: Iterable[LifecycleSpec]) -> dict[str, float]:
    """Seconds each automatic step takes by default, "kind:step" -> seconds."""
    return {f"{spec.kind}:{step}": float(seconds) for spec in specs
            for step, seconds in spec.durations.items()}


def make_machine(spec: LifecycleSpec, model=None) -> Machine:
    return Machine(model=model, states=list(spec.states),
                   transitions=[dict(t) for t in spec.transitions], initial=spec.initial,
                   auto_transitions=False, send_event=False)


@dataclass(frozen=True)
class Compiled:
    """A spec's machine and the event table moves read: trigger -> {source: dest}. A spec with
    conditional moves has no table: its resources are models of machines of their own."""

    machine: Machine
    moves: dict[str, dict[str, str]]
    conditional: bool


# Built once a process per spec (~0.2 ms each): specs are made once by their families'
# cached spec functions, so identity says "the same spec".
_COMPILED: dict[str, tuple[LifecycleSpec, Compiled]] = {}


def compiled(spec: LifecycleSpec) -> Compiled:
    cached = _COMPILED.get(spec.kind)
    if cached is None or cached[0] is not spec:
        machine = make_machine(spec)
        moves: dict[str, dict[str, str]] = {}
        conditional = False
        for trigger, event in machine.events.items():
            for source, candidates in event.transitions.items():
                conditional = conditional or any(t.conditions for t in candidates)
                dest = candidates[0].dest
                if dest is not None:  # an internal move (no dest) changes no state
                    moves.setdefault(trigger, {})[source] = dest
        cached = _COMPILED[spec.kind] = (spec, Compiled(machine, {} if conditional else moves,
                                                        conditional))
    return cached[1]


@dataclass(eq=False)
class Lifecycled:
    """Base for resources with a status. `state` is owned by the lifecycles."""

    kind: str = field(default="", init=False)
    state: str = field(default="", init=False)
    entered_at: float = field(default=0.0, init=False)
    reads: int = field(default=0, init=False)
    timer: Timer | None = field(default=None, init=False, repr=False)  # its automatic step

    def cancel_timer(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None


LIFECYCLE_FIELDS = ("kind", "state", "entered_at", "reads", "timer")  # not the resource's own data


class Lifecycles:
    """The specs a simulator runs, their machines, and the automatic steps on its scheduler."""

    def __init__(self, clock: Clock, specs: Iterable[LifecycleSpec],
                 durations: dict[str, float] | None = None, scheduler: Scheduler | None = None):
        self.clock = clock
        self.specs: dict[str, LifecycleSpec] = {spec.kind: spec for spec in specs}
        self.scheduler = scheduler if scheduler is not None else Scheduler()
        defaults = default_durations(self.specs.values())
        unknown = set(durations or {}) - set(defaults)
        if unknown:
            raise ValueError(f"no lifecycle step {', '.join(sorted(unknown))}; the steps a clock "
                             f"drives are {', '.join(defaults)}")
        for step, seconds in (durations or {}).items():
            check_seconds(step, seconds)
        self.durations = {**defaults, **(durations or {})}
        self.on_gone: Callable[[Lifecycled], None] | None = None  # set by the owner
        self.moves = 0  # every placement and move, so a caller can tell state changed
        self._read_due: list[Lifecycled] = []  # steps reads made due, fired by after_read

    @property
    def machines(self) -> dict[str, Machine]:
        """Every kind's machine, in the order the families declared them (diagrams)."""
        return {kind: compiled(spec).machine for kind, spec in self.specs.items()}

    def duration(self, kind: str, step: str) -> float:
        return float(self.durations.get(f"{kind}:{step}", 0.0))

    def due(self, entered: float, duration: float) -> float | None:
        """When a step of `duration` seconds from `entered` falls due on this clock (None:
        only reads make it due)."""
        return entered if duration <= 0 else self.clock.due_at(entered, duration)

    def place(self, resource: Lifecycled, kind: str, at: float, state: str | None = None) -> None:
        """Put a resource in its machine: new (the initial state), restored or learned from
        a recording (`state`, entered at `at`)."""
        spec = self.specs[kind]
        state = state or spec.initial
        if state not in spec.states and state != GONE:
            raise ValueError(f"{kind} has no state {state!r}")
        resource.kind, resource.state = kind, state
        self._entered(resource, at)

    def move(self, resource: Lifecycled, trigger: str, at: float) -> None:
        table = compiled(self.specs[resource.kind])
        if table.conditional:
            raise TypeError(f"{resource.kind} has conditional moves: its resources are models of "
                            "machines of their own (see the rule in lifecycle.py)")
        moves = table.moves
        if trigger not in moves:
            raise AttributeError(f"{resource.kind} has no move {trigger!r}")
        dest = moves[trigger].get(resource.state)
        if dest is None:
            raise MachineError(f"Can't trigger event {trigger} from state {resource.state}!")
        resource.state = dest
        self._entered(resource, at)

    def can(self, resource: Lifecycled, trigger: str) -> bool:
        """Whether `trigger` is a move the resource's spec has from the state it is in."""
        return resource.state in compiled(self.specs[resource.kind]).moves.get(trigger, {})

    def _entered(self, resource: Lifecycled, at: float) -> None:
        self.moves += 1
        resource.cancel_timer()
        resource.entered_at = at
        resource.reads = 0
        if resource.state == GONE:
            if self.on_gone:
                self.on_gone(resource)
            return
        spec = self.specs[resource.kind]
        trigger = spec.automatic.get(resource.state)
        if trigger is None:
            return
        due = self.due(at, self.duration(resource.kind, spec.step_name(trigger, resource.state)))
        if due is not None:
            resource.timer = self.scheduler.at(due, lambda when: self._fire(resource, when))

    def forget(self, resource: Lifecycled) -> None:
        """A resource removed outside its machine (released, deleted by its family): its
        pending step goes with it."""
        resource.cancel_timer()

    def settle(self, now: float | None = None, limit: int = 1_000_000) -> int:
        """Run everything on the scheduler due by `now` (lifecycle steps, message events,
        review steps); returns how many ran."""
        return self.scheduler.settle(self.clock.now() if now is None else now, limit)

    def observed(self, resource: Lifecycled) -> None:
        """A read returns this resource; the reads clock counts these. A step it makes due
        fires once the read's response is built (`after_read`), so the read itself still
        shows the state it counted."""
        resource.reads += 1
        automatic = self.specs[resource.kind].automatic
        if self.clock.due_after_reads(resource.reads) and resource.state in automatic:
            self._read_due.append(resource)

    def after_read(self) -> None:
        due, self._read_due = self._read_due, []
        for resource in due:
            if resource.state in self.specs[resource.kind].automatic:
                self._fire(resource, at=self.clock.now())

    def force(self, resource: Lifecycled) -> bool:
        """Fire the resource's pending automatic step now, whatever the clock says."""
        if resource.state not in self.specs[resource.kind].automatic:
            return False
        self._fire(resource, at=self.clock.now())
        return True

    def _fire(self, resource: Lifecycled, at: float) -> None:
        self.move(resource, self.specs[resource.kind].automatic[resource.state], at)
