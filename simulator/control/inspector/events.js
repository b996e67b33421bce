// Events: the feed as EventBridge would carry it, newest first, and what became of each
// delivery to the configuration set's event destinations (delivered, failed and why, pending).

import {query} from "./api.js";
import {clockShort, clockTime, field, fill, h, json} from "./dom.js";
import {delivery} from "./messages.js";

const view = {filters: {type: ""}, offset: 0, limit: 100, selected: null, parts: null};

export const eventsView = {
  name: "events",
  title: "Events",

  mount(root, ctx) {
    const parts = view.parts = {
      stats: h("p", {id: "delivery-stats", class: "count"}),
      rows: h("tbody", {id: "event-rows"}),
      pager: h("div", {class: "pager"}),
      detail: h("section", {class: "detail", id: "event-detail"}, h("p", {class: "hint"}, "Select an event.")),
    };
    const type = h("input", {id: "event-type", type: "search", placeholder: "TEXT_DELIVERED or TEXT_ALL", oninput: (e) => {
      view.filters.type = e.target.value.trim();
      view.offset = 0;
      clearTimeout(view.debounce);
      view.debounce = setTimeout(ctx.refresh, 300);
    }});
    const table = h("table", {class: "rows"},
      h("thead", null, h("tr", null, ["Time (UTC, simulated)", "Event", "About", "Account / region", "Deliveries"].map((n) => h("th", null, n)))),
      parts.rows);
    root.append(h("div", {class: "split"},
      h("section", {class: "list"}, h("form", {class: "filters", onsubmit: (e) => e.preventDefault()}, field("Event type", type)),
        parts.stats, h("div", {class: "scroll"}, table), parts.pager),
      parts.detail));
  },

  paths() {
    return [`/_smsvoice/events/page${query({...view.filters, offset: view.offset, limit: view.limit})}`];
  },

  render([page], ctx) {
    const d = page.delivery["event-destinations"];
    fill(view.parts.stats, `${page.total} events · deliveries: ${d.delivered} delivered, ${d.failed} failed, ` +
      `${d.refused} refused` + (page.deliveryConfigured ? "" : " · no event destination endpoint is configured"));
    fill(view.parts.rows, page.items.map((e) => row(e, ctx)));
    const go = (offset) => () => { view.offset = Math.max(0, offset); ctx.refresh(); };
    fill(view.parts.pager,
      h("button", {type: "button", disabled: page.offset === 0, onclick: go(page.offset - page.limit)}, "‹ newer"),
      h("button", {type: "button", disabled: page.offset + page.limit >= page.total, onclick: go(page.offset + page.limit)}, "older ›"));
    const chosen = page.items.find((e) => e.id === view.selected);
    if (chosen) {
      fill(view.parts.detail, h("h3", null, chosen.eventType),
        h("h4", null, "Deliveries"), chosen.deliveries.length ? h("ul", {class: "deliveries"}, chosen.deliveries.map(delivery))
          : h("p", {class: "hint"}, "No event destination of its configuration set takes this event."),
        h("h4", null, "EventBridge envelope"), json(chosen.envelope));
    }
  },
};

function about(e) {
  const detail = e.envelope.detail || {};
  return detail.messageId || (detail.registrationDetails || {}).registrationId || "";
}

// Message events carry milliseconds; registration events only the envelope's whole seconds.
function when(e) {
  const ms = (e.envelope.detail || {}).eventTimestamp;
  return typeof ms === "number" ? ms / 1000 : Date.parse(e.envelope.time) / 1000;
}

function row(e, ctx) {
  const choose = () => { view.selected = e.id; ctx.refresh(); };
  const results = e.deliveries.map((d) => (d.delivered === null ? "pending" : d.delivered ? "delivered" : "failed"));
  return h("tr", {class: e.id === view.selected ? "selected" : null, tabindex: 0, dataset: {eventType: e.eventType || ""},
    onclick: choose, onkeydown: (k) => { if (k.key === "Enter") choose(); }},
  h("td", {class: "time", title: clockTime(when(e))}, clockShort(when(e))),
  h("td", null, e.eventType), h("td", {class: "name"}, about(e)), h("td", null, `${e.account} / ${e.region}`),
  h("td", null, results.length ? results.join(", ") : "—"));
}
