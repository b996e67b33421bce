// The simulated clock (advance by N seconds, reset everything), the injected faults (add,
// remove) and the outcome rules that decide where messages end.

import {clockTime, field, fill, h, json} from "./dom.js";

const STEPS = [["1 s", 1], ["5 s", 5], ["1 min", 60], ["1 h", 3600], ["1 day", 86400]];
const view = {parts: null};

export const clockView = {
  name: "clock",
  title: "Clock & faults",

  mount(root, ctx) {
    const parts = view.parts = {
      now: h("p", {id: "clock-detail", class: "big"}),
      faults: h("tbody", {id: "fault-rows"}),
      outcomes: h("tbody", {id: "outcome-rows"}),
    };
    root.append(
      h("section", null, h("h2", null, "Simulated clock"), parts.now, advanceForm(ctx),
        h("p", null, h("button", {type: "button", id: "reset", class: "danger", onclick: () => reset(ctx)},
          "Reset: forget every resource and message"))),
      h("section", null, h("h2", null, "Injected faults"),
        h("table", {class: "rows"}, h("thead", null, h("tr", null, ["Operation", "Error", "Left / rate", "Latency", ""].map((n) => h("th", null, n)))), parts.faults),
        faultForm(ctx)),
      h("section", null, h("h2", null, "Outcome rules"),
        h("table", {class: "rows"}, h("thead", null, h("tr", null, ["Destination", "Outcome", "Share"].map((n) => h("th", null, n)))), parts.outcomes),
        outcomeForm(ctx)));
  },

  paths() {
    return ["/_smsvoice/faults", "/_smsvoice/events/page?limit=1"];
  },

  render([faults, events], ctx) {
    const clock = ctx.summary.clock;
    fill(view.parts.now, `${clockTime(clock.now)} (${clock.mode} clock)`);
    if (!faults.faults.length) {
      fill(view.parts.faults, h("tr", null, h("td", {colspan: 5, class: "hint"}, "No fault injected: every call is answered.")));
    } else fill(view.parts.faults, faults.faults.map((f) => h("tr", {dataset: {operation: f.operation}},
      h("td", null, f.operation), h("td", null, f.error || "—"),
      h("td", null, f.remaining ?? f.count ?? (f.rate !== undefined ? `rate ${f.rate}` : "every call")),
      h("td", null, f.latency_ms ? `${f.latency_ms} ms` : "—"),
      h("td", null, h("button", {type: "button", class: "remove-fault",
        onclick: () => ctx.act("DELETE", `/_smsvoice/faults?operation=${encodeURIComponent(f.operation)}`)}, "Remove")))));
    fill(view.parts.outcomes, events.outcomes.map((r) => h("tr", null,
      h("td", null, r.destination), h("td", null, r.outcome), h("td", null, String(r.share)))));
  },
};

function advanceForm(ctx) {
  const seconds = h("input", {id: "advance-seconds", type: "number", min: 0, step: "any", value: 5, required: true});
  const advance = (value) => ctx.act("POST", "/_smsvoice/clock/advance", {seconds: value});
  return h("form", {class: "filters", id: "advance-form", onsubmit: (e) => { e.preventDefault(); advance(Number(seconds.value)); }},
    field("Advance by (seconds)", seconds), h("button", {type: "submit", id: "advance"}, "Advance"),
    STEPS.map(([label, value]) => h("button", {type: "button", class: "quick", onclick: () => advance(value)}, `+${label}`)));
}

function reset(ctx) {
  if (window.confirm("Forget every resource, message, event and fault?")) ctx.act("POST", "/_smsvoice/reset");
}

function faultForm(ctx) {
  const operation = h("input", {id: "fault-operation", type: "text", placeholder: "SendTextMessage or *", required: true});
  const error = h("input", {id: "fault-error", type: "text", placeholder: "ThrottlingException"});
  const count = h("input", {id: "fault-count", type: "number", min: 1, placeholder: "every call"});
  const rate = h("input", {id: "fault-rate", type: "number", min: 0, max: 1, step: "any", placeholder: "1"});
  const latency = h("input", {id: "fault-latency", type: "number", min: 0, placeholder: "0"});
  const submit = (event) => {
    event.preventDefault();
    const body = {operation: operation.value.trim()};
    if (error.value.trim()) body.error = error.value.trim();
    if (count.value) body.count = Number(count.value);
    if (rate.value) body.rate = Number(rate.value);
    if (latency.value) body.latency_ms = Number(latency.value);
    ctx.act("POST", "/_smsvoice/faults", body);
  };
  return h("form", {class: "filters", id: "fault-form", onsubmit: submit},
    field("Operation", operation), field("Error", error), field("Count", count), field("Rate", rate),
    field("Latency (ms)", latency), h("button", {type: "submit", id: "add-fault"}, "Add fault"),
    h("button", {type: "button", onclick: () => ctx.act("DELETE", "/_smsvoice/faults")}, "Remove all"));
}

function outcomeForm(ctx) {
  const destination = h("input", {id: "outcome-destination", type: "text", placeholder: "+1206555*", required: true});
  const outcome = h("input", {id: "outcome-outcome", type: "text", placeholder: "TEXT_BLOCKED", required: true});
  const share = h("input", {id: "outcome-share", type: "number", min: 0, max: 1, step: "any", placeholder: "1"});
  const submit = (event) => {
    event.preventDefault();
    const body = {destination: destination.value.trim(), outcome: outcome.value.trim()};
    if (share.value) body.share = Number(share.value);
    ctx.act("POST", "/_smsvoice/outcomes", body);
  };
  return h("form", {class: "filters", id: "outcome-form", onsubmit: submit},
    field("Destination", destination), field("Outcome", outcome), field("Share", share),
    h("button", {type: "submit"}, "Set rule"),
    h("button", {type: "button", onclick: () => ctx.act("POST", "/_smsvoice/outcomes", {clear: true})}, "Clear rules"),
    h("details", null, h("summary", null, "How rules decide"), json({
      "later rules win": "the newest rule whose pattern matches the destination decides",
      "then": "AWS's simulator numbers (one success, one failure per country)",
      "otherwise": "the message succeeds"})));
}
