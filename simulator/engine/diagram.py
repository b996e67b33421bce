"""The lifecycle machines as Mermaid state diagrams, drawn by transitions' own
diagram support from the machines a Simulator runs (not a hand-drawn copy)."""

from __future__ import annotations

from transitions.extensions.diagrams import GraphMachine

from .lifecycle import Lifecycles


class _Drawing:
    pass


def mermaid(lifecycles: Lifecycles, kind: str) -> str:
    machine = lifecycles.machines[kind]
    transitions = [{"trigger": trigger, "source": source, "dest": t.dest}
                   for trigger, event in machine.events.items()
                   for source, ts in event.transitions.items() for t in ts]
    graph = GraphMachine(model=_Drawing(), states=list(machine.states), transitions=transitions,
                         initial=machine.initial, auto_transitions=False, graph_engine="mermaid",
                         show_state_attributes=False)
    source = graph.model.get_graph().draw(None)  # type: ignore[attr-defined]  # added by transitions
    lines = [line.rstrip() for line in source.splitlines()]
    if lines and lines[0] == "---":  # drop the untitled front matter transitions writes
        lines = lines[lines.index("---", 1) + 1:]
    # The current-state highlight means nothing in documentation.
    lines = [line for line in lines if not line.strip().startswith("Class ")
             and "classDef" not in line]
    lines = [line for line in lines if line.strip()]
    return "\n".join([lines[0], f"  %% {kind} lifecycle, drawn from smsvoice-sim's running machine",
                      *lines[1:]])


def all_diagrams(lifecycles: Lifecycles) -> str:
    return "\n\n".join(f"```mermaid\n{mermaid(lifecycles, kind)}\n```"
                       for kind in lifecycles.machines)
