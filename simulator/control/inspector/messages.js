// Messages: every message the simulator "sent", newest first, a page at a time (the server
// filters: 10,000 messages never travel at once), and the conversation with one handset: the
// selected message in full (body, parts, price, configuration set, its event timeline on the
// simulated clock, the outcome rule that decided it), beside the rest of the conversation.

import {query} from "./api.js";
import {badge, clockShort, clockTime, duration, field, fill, h, json, price, select} from "./dom.js";

const CHANNELS = ["", "TEXT", "VOICE", "MEDIA", "RCS", "NOTIFY"];
const PAGE_SIZES = [50, 100, 200, 500];

const view = {
  filters: {number: "", configurationSet: "", status: "", channel: ""},
  offset: 0,
  limit: 100,
  selected: null, // {id, handset}
  parts: null,
};

function controls(ctx) {
  const changed = (key) => (event) => {
    view.filters[key] = event.target.value.trim();
    view.offset = 0;
    clearTimeout(view.debounce);
    view.debounce = setTimeout(ctx.refresh, event.type === "input" ? 250 : 0);
  };
  const status = select({id: "filter-status", onchange: changed("status")}, [["", "any"]], "");
  const bar = h("form", {class: "filters", onsubmit: (e) => e.preventDefault()},
    field("Number", h("input", {id: "filter-number", type: "search", placeholder: "+1206555…", oninput: changed("number")})),
    field("Configuration set", h("input", {id: "filter-configuration-set", type: "search", oninput: changed("configurationSet")})),
    field("Status", status),
    field("Channel", select({id: "filter-channel", onchange: changed("channel")}, CHANNELS.map((c) => [c, c || "any"]), "")),
    field("Per page", select({id: "page-size", onchange: (e) => { view.limit = +e.target.value; view.offset = 0; ctx.refresh(); }},
      PAGE_SIZES.map((n) => [String(n), String(n)]), String(view.limit))));
  return {bar, status};
}

export const messagesView = {
  name: "messages",
  title: "Messages",

  mount(root, ctx) {
    const {bar, status} = controls(ctx);
    view.parts = {
      status,
      count: h("p", {class: "count", id: "message-count"}),
      table: h("tbody", {id: "message-rows"}),
      pager: h("div", {class: "pager"}),
      detail: h("section", {class: "detail", id: "message-detail"}, h("p", {class: "hint"}, "Select a message.")),
    };
    const table = h("table", {class: "rows"},
      h("thead", null, h("tr", null, ["Sent (UTC, simulated)", "Channel", "From", "To", "Body", "Status", "Price", "Configuration set"]
        .map((name) => h("th", null, name)))),
      view.parts.table);
    root.append(h("div", {class: "split"},
      h("section", {class: "list"}, bar, view.parts.count, h("div", {class: "scroll"}, table), view.parts.pager),
      view.parts.detail));
  },

  paths() {
    const page = `/_smsvoice/messages/page${query({...view.filters, offset: view.offset, limit: view.limit})}`;
    return view.selected ? [page, `/_smsvoice/conversation${query({number: view.selected.handset})}`] : [page];
  },

  render([page, conversation], ctx) {
    updateStatuses(page.statuses);
    const first = page.total ? page.offset + 1 : 0;
    fill(view.parts.count, `${first}–${page.offset + page.items.length} of ${page.total} messages`);
    fill(view.parts.table, page.items.map((m) => row(m, ctx)));
    fill(view.parts.pager, pager(page, ctx));
    if (conversation) renderConversation(conversation, ctx);
  },
};

function updateStatuses(statuses) {
  const current = view.filters.status;
  const wanted = ["", ...new Set([...statuses, ...(current ? [current] : [])])];
  const have = [...view.parts.status.options].map((o) => o.value);
  if (have.join("|") === wanted.join("|")) return;
  fill(view.parts.status, wanted.map((s) => h("option", {value: s}, s || "any")));
  view.parts.status.value = current;
}

function row(message, ctx) {
  const choose = () => {
    view.selected = {id: message.id, handset: message.destination};
    ctx.refresh();
  };
  const selected = view.selected && view.selected.id === message.id;
  return h("tr", {class: selected ? "selected" : null, tabindex: 0, dataset: {messageId: message.id},
    onclick: choose, onkeydown: (e) => { if (e.key === "Enter") choose(); }},
  h("td", {class: "time", title: clockTime(message.at)}, clockShort(message.at)),
  h("td", null, message.channel),
  h("td", null, message.origin || "(AWS picks)"),
  h("td", null, message.destination),
  h("td", {class: "body"}, h("div", {title: bodyPreview(message)}, bodyPreview(message))),
  h("td", null, badge(message.status)),
  h("td", {class: "num"}, price(message.price)),
  h("td", null, message.configurationSet || ""));
}

function bodyPreview(message) {
  const text = message.body || (message.mediaUrls || []).join(" ") || "";
  return text.length > 80 ? text.slice(0, 79) + "…" : text;
}

function pager(page, ctx) {
  const go = (offset) => () => { view.offset = Math.max(0, offset); ctx.refresh(); };
  const last = Math.max(0, Math.floor((page.total - 1) / page.limit) * page.limit);
  return [
    h("button", {type: "button", id: "page-first", disabled: page.offset === 0, onclick: go(0)}, "« newest"),
    h("button", {type: "button", id: "page-previous", disabled: page.offset === 0, onclick: go(page.offset - page.limit)}, "‹ newer"),
    h("button", {type: "button", id: "page-next", disabled: page.offset + page.limit >= page.total, onclick: go(page.offset + page.limit)}, "older ›"),
    h("button", {type: "button", id: "page-last", disabled: page.offset >= last, onclick: go(last)}, "oldest »"),
  ];
}

// -- the selected message and its conversation ------------------------------------------------
function renderConversation(conversation, ctx) {
  const selected = conversation.items.find((m) => m.id === view.selected.id);
  fill(view.parts.detail,
    selected ? messageDetail(selected) : h("p", {class: "hint"}, "That message is no longer kept."),
    h("h3", null, `Conversation with ${conversation.handset}`),
    h("ol", {class: "conversation", id: "conversation"}, conversation.items.map((item) => bubble(item))),
    replyBox(conversation, ctx));
}

function bubble(item) {
  const inbound = item.direction === "inbound";
  return h("li", {class: `bubble ${inbound ? "inbound" : "outbound"}`, dataset: {messageId: item.id}},
    h("div", {class: "meta"}, `${inbound ? item.origin : item.origin || "(AWS picks)"} · ${clockTime(item.at)}`),
    h("div", {class: "text"}, item.body || (item.mediaUrls || []).join("\n") || "(no body)"),
    inbound ? null : h("div", {class: "meta"}, badge(item.status)));
}

// The reply box: the handset answers the newest number that wrote to it, through
// POST /_smsvoice/inbound (keywords act, the two-way channel receives).
function replyBox(conversation, ctx) {
  const ours = [...conversation.items].reverse().find((m) => m.direction === "outbound" && m.origin);
  const text = h("textarea", {id: "reply-text", rows: 2, placeholder: `Reply as ${conversation.handset}`});
  const send = async (event) => {
    event.preventDefault();
    const done = await ctx.act("POST", "/_smsvoice/inbound", {
      from: conversation.handset, to: ours ? ours.origin : "", body: text.value,
    });
    if (done) text.value = "";
  };
  return h("form", {class: "reply", id: "reply-form", onsubmit: send}, text, h("button", {type: "submit"}, "Reply as the handset"));
}

function messageDetail(m) {
  const rows = [
    ["Message ID", m.id], ["Operation", m.operation], ["Channel", m.channel],
    ["From", m.origin || "(AWS picks)"], ["To", m.destination],
    ["Account / region", `${m.account} / ${m.region}`],
    ["Parts", `${m.parts} (${m.encoding})`], ["Price", price(m.price)],
    ["Configuration set", m.configurationSet || "—"], ["Message type", m.messageType || "—"],
    ["Status", badge(m.status)], ["Outcome", m.outcome || "—"], ["Decided by", m.decidedBy || "—"],
  ];
  if (m.mediaUrls) rows.push(["Media URLs", h("ul", null, m.mediaUrls.map((u) => h("li", null, u)))]);
  return h("div", {class: "message", id: "selected-message"},
    h("h3", null, "Message"),
    h("dl", null, rows.map(([k, v]) => [h("dt", null, k), h("dd", null, v)])),
    h("h4", null, m.bodyType === "SSML" ? "Body (SSML)" : "Body"),
    h("pre", {class: "message-body", id: "message-body"}, m.body ?? "(none)"),
    h("h4", null, "Timeline (simulated clock)"),
    timeline(m),
    h("details", null, h("summary", null, "Channel fields and context"), json({details: m.details, context: m.context})));
}

function timeline(m) {
  const since = (at) => `+${duration(Math.max(0, at - m.at))}`;
  const steps = [h("li", {class: "step done"}, h("span", {class: "when"}, since(m.at)), badge("QUEUED"), " request accepted")];
  for (const event of m.timeline) {
    steps.push(h("li", {class: "step done", dataset: {eventType: event.eventType}},
      h("span", {class: "when"}, since(event.at)), badge(event.status), ` ${event.eventType} — ${event.description || ""}`,
      event.deliveries.length ? h("ul", {class: "deliveries"}, event.deliveries.map(delivery)) : null));
  }
  for (const step of m.planned) {
    steps.push(h("li", {class: "step planned"}, h("span", {class: "when"}, since(step.at)), badge(step.status), " planned"));
  }
  return h("ol", {class: "timeline", id: "timeline"}, steps);
}

export function delivery(d) {
  const result = d.delivered === null || d.delivered === undefined ? "pending" : d.delivered ? "delivered" : "failed";
  return h("li", {class: `delivery ${result}`}, `${d.kind} ${d.name}: ${result}`, d.error ? ` — ${d.error}` : "");
}
