// A lifecycle machine drawn as SVG from the machine's own data (GET /_smsvoice/lifecycles: the
// states and moves `transitions` runs, the same ones `smsvoice-sim diagram` prints as Mermaid).
// States stand in columns by their distance from the initial state; the current state is
// highlighted, the state its next clock-driven step leads to is outlined.

import {svg} from "./dom.js";

const BOX_W = 140;
const BOX_H = 26;
const COL_W = 180;
const ROW_H = 38;
const MARGIN = 16;

function depths(machine) {
  const depth = {[machine.initial]: 0};
  const queue = [machine.initial];
  while (queue.length) {
    const state = queue.shift();
    for (const move of machine.moves) {
      if (move.source === state && !(move.dest in depth)) {
        depth[move.dest] = depth[state] + 1;
        queue.push(move.dest);
      }
    }
  }
  const deepest = Math.max(0, ...Object.values(depth));
  for (const state of machine.states) if (!(state in depth)) depth[state] = deepest + 1;
  return depth;
}

function layout(machine) {
  const depth = depths(machine);
  const columns = [];
  const at = {};
  for (const state of machine.states) {
    const column = depth[state];
    columns[column] = columns[column] || [];
    at[state] = {x: MARGIN + column * COL_W, y: MARGIN + 14 + columns[column].length * ROW_H};
    columns[column].push(state);
  }
  const rows = Math.max(...columns.filter(Boolean).map((c) => c.length));
  return {at, width: MARGIN * 2 + (columns.length - 1) * COL_W + BOX_W, height: MARGIN * 2 + 14 + rows * ROW_H};
}

function edgePath(from, to) {
  const forward = to.x > from.x;
  if (forward) {
    const [x1, y1, x2, y2] = [from.x + BOX_W, from.y + BOX_H / 2, to.x, to.y + BOX_H / 2];
    const bend = (x2 - x1) / 2;
    return `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`;
  }
  // Back or within a column: a loop below the boxes.
  const [x1, y1, x2, y2] = [from.x + BOX_W / 2, from.y + BOX_H, to.x + BOX_W / 2 + 8, to.y + BOX_H];
  const sag = 22 + Math.abs(x1 - x2) / 6;
  return `M${x1},${y1} C${x1},${y1 + sag} ${x2},${y2 + sag} ${x2},${y2}`;
}

function edge(move, at, next) {
  const title = `${move.source} → ${move.dest}: ${move.trigger}` +
    (move.automatic ? ` (by the clock, ${move.seconds} s)` : "");
  const classes = ["move", move.automatic ? "auto" : "manual", next ? "next" : ""].join(" ");
  return svg("g", {class: classes},
    svg("title", null, title),
    svg("path", {d: edgePath(at[move.source], at[move.dest]), "marker-end": "url(#arrow)"}));
}

function node(state, position, current, nextState) {
  const classes = ["state", state === current ? "current" : "", state === nextState ? "next" : ""].join(" ");
  return svg("g", {class: classes, "data-state": state},
    svg("title", null, state === current ? `${state} (current)` : state),
    svg("rect", {x: position.x, y: position.y, width: BOX_W, height: BOX_H, rx: 5}),
    svg("text", {x: position.x + BOX_W / 2, y: position.y + BOX_H / 2 + 4, "text-anchor": "middle"}, state));
}

// `machine`: one entry of GET /_smsvoice/lifecycles; `current`: the state to highlight;
// `next`: {to, trigger} of the pending clock step, or null.
export function drawMachine(machine, current, next) {
  const {at, width, height} = layout(machine);
  const defs = svg("defs", null,
    svg("marker", {id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7,
      orient: "auto-start-reverse"}, svg("path", {d: "M0,0 L10,5 L0,10 z"})));
  const start = at[machine.initial];
  const entry = svg("circle", {class: "initial", cx: start.x - 8 + 4, cy: start.y - 8, r: 4});
  const edges = machine.moves.map((move) =>
    edge(move, at, next && move.source === current && move.dest === next.to && move.trigger === next.trigger));
  const nodes = machine.states.map((state) => node(state, at[state], current, next ? next.to : null));
  return svg("svg", {class: "machine", width, height, viewBox: `0 0 ${width} ${height}`, role: "img",
    "aria-label": `${machine.kind} lifecycle, now ${current}`}, defs, entry, ...edges, ...nodes);
}
