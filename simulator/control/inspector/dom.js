// Building the page: every value from the simulator becomes a text node (textContent), never
// HTML. Nothing here parses markup: a message body "<img src=x onerror=...>" stays text.

const SVG_NS = "http://www.w3.org/2000/svg";

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function setAttributes(node, attrs) {
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) {
      node.addEventListener(name.slice(2), value);
    } else if (name === "dataset") {
      Object.assign(node.dataset, value);
    } else {
      node.setAttribute(name, value === true ? "" : String(value));
    }
  }
  return node;
}

// h("td", {class: "x"}, "text", otherNode): an element, its attributes, its children (text).
export function h(tag, attrs, ...children) {
  return append(setAttributes(document.createElement(tag), attrs), children);
}

export function svg(tag, attrs, ...children) {
  return append(setAttributes(document.createElementNS(SVG_NS, tag), attrs), children);
}

export function clear(node) {
  node.replaceChildren();
  return node;
}

export function fill(node, ...children) {
  return append(clear(node), children);
}

// A simulated-clock moment (epoch seconds) as UTC, to the millisecond.
export function clockTime(seconds) {
  if (typeof seconds !== "number") return "—";
  return new Date(seconds * 1000).toISOString().replace("T", " ").replace("Z", " UTC");
}

// The same, short, for a table: month-day and time (the full moment is the cell's title).
export function clockShort(seconds) {
  if (typeof seconds !== "number") return "—";
  return new Date(seconds * 1000).toISOString().slice(5, 23).replace("T", " ");
}

export function duration(seconds) {
  if (typeof seconds !== "number") return "—";
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 120) return `${+seconds.toFixed(2)} s`;
  if (seconds < 7200) return `${+(seconds / 60).toFixed(1)} min`;
  if (seconds < 172800) return `${+(seconds / 3600).toFixed(1)} h`;
  return `${+(seconds / 86400).toFixed(1)} d`;
}

export function price(value) {
  return typeof value === "number" ? `$${value.toFixed(5)}` : "—";
}

export function json(value) {
  return h("pre", {class: "json"}, JSON.stringify(value, null, 2));
}

export function badge(state) {
  const kind = /DELIVERED|COMPLETE|ACTIVE|SUCCESSFUL|APPROVED|READ|COMPLETED/.test(state || "")
    ? "ok" : /QUEUED|PENDING|CREATED|CREATING|DRAFT|REVIEWING|SUBMITTED|PROVISIONING|ASSOCIATING|INITIATED|RINGING|SENT|PARTIAL|ACCEPTED/.test(state || "")
      ? "wait" : state ? "bad" : "none";
  if (!state) return h("span", {class: "badge none"}, "no status");
  return h("span", {class: `badge ${kind}`}, state || "—");
}

// A select whose options are [value, label] pairs (or plain values); "" is "any".
export function select(attrs, options, current) {
  const node = h("select", attrs);
  for (const option of options) {
    const [value, label] = Array.isArray(option) ? option : [option, option];
    const item = h("option", {value}, label);
    if (value === current) item.selected = true;
    node.append(item);
  }
  return node;
}

export function field(label, control) {
  return h("label", {class: "field"}, h("span", null, label), control);
}
