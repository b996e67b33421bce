// Resources per account and region: each with its state, its lifecycle machines drawn (the
// current state highlighted) and the time until its next clock-driven step; force that step,
// or advance the clock to it.

import {query} from "./api.js";
import {drawMachine} from "./diagram.js";
import {badge, duration, field, fill, h, json, select} from "./dom.js";

const view = {
  filters: {account: "", region: "", type: "", q: "", state: ""},
  offset: 0,
  limit: 100,
  selected: null, // "type/name/account/region"
  parts: null,
};

function keyOf(row) {
  return [row.type, row.id, row.account, row.region].join("/");
}

function options(select_, wanted, anyLabel) {
  const current = select_.value;
  const values = ["", ...wanted.map((w) => (Array.isArray(w) ? w : [w, w]))];
  const have = [...select_.options].map((o) => `${o.value}=${o.textContent}`).join("|");
  const next = values.map((v) => (v === "" ? `=${anyLabel}` : `${v[0]}=${v[1]}`)).join("|");
  if (have === next) return;
  fill(select_, values.map((v) => (v === "" ? h("option", {value: ""}, anyLabel) : h("option", {value: v[0]}, v[1]))));
  select_.value = current;
}

export const resourcesView = {
  name: "resources",
  title: "Resources",

  mount(root, ctx) {
    const changed = (key) => (event) => {
      view.filters[key] = event.target.value.trim();
      view.offset = 0;
      clearTimeout(view.debounce);
      view.debounce = setTimeout(ctx.refresh, event.type === "input" ? 250 : 0);
    };
    const parts = view.parts = {
      account: select({id: "resource-account", onchange: changed("account")}, [["", "every account"]], ""),
      region: select({id: "resource-region", onchange: changed("region")}, [["", "every region"]], ""),
      type: select({id: "resource-type", onchange: changed("type")}, [["", "every type"]], ""),
      state: select({id: "resource-state", onchange: changed("state")}, [["", "any"]], ""),
      count: h("p", {class: "count", id: "resource-count"}),
      rows: h("tbody", {id: "resource-rows"}),
      pager: h("div", {class: "pager"}),
      detail: h("section", {class: "detail", id: "resource-detail"}, h("p", {class: "hint"}, "Select a resource.")),
    };
    const bar = h("form", {class: "filters", onsubmit: (e) => e.preventDefault()},
      field("Account", parts.account), field("Region", parts.region), field("Type", parts.type),
      field("Name, id or number", h("input", {id: "resource-text", type: "search", oninput: changed("q")})),
      field("State", parts.state));
    const table = h("table", {class: "rows"},
      h("thead", null, h("tr", null, ["Type", "Name", "Account / region", "State", "Next step", ""].map((n) => h("th", null, n)))),
      parts.rows);
    root.append(h("div", {class: "split"},
      h("section", {class: "list"}, bar, parts.count, h("div", {class: "scroll"}, table), parts.pager), parts.detail));
  },

  paths() {
    return [`/_smsvoice/resources${query({...view.filters, offset: view.offset, limit: view.limit})}`];
  },

  render([page], ctx) {
    const summary = ctx.summary || {accounts: {}};
    options(view.parts.account, Object.keys(summary.accounts), "every account");
    options(view.parts.region, [...new Set(Object.values(summary.accounts).flat())].sort(), "every region");
    options(view.parts.type, page.kinds.map((k) => [k.key, `${k.label} (${page.counts[k.key] || 0})`]), "every type");
    options(view.parts.state, page.states, "any");
    const first = page.total ? page.offset + 1 : 0;
    fill(view.parts.count, `${first}–${page.offset + page.items.length} of ${page.total} resources`);
    fill(view.parts.rows, page.items.map((r) => row(r, ctx)));
    fill(view.parts.pager, pager(page, ctx));
    const chosen = page.items.find((r) => keyOf(r) === view.selected);
    if (chosen) renderDetail(chosen, ctx);
  },
};

function nextStep(row) {
  const pending = row.machines.filter((m) => m.next).sort((a, b) => a.next.at - b.next.at)[0];
  if (!pending) return "—";
  return `→ ${pending.next.to || pending.next.trigger} in ${duration(pending.next.in)}`;
}

function actions(row, ctx) {
  const pending = row.machines.filter((m) => m.next).sort((a, b) => a.next.at - b.next.at)[0];
  return h("span", {class: "actions"},
    row.forceable ? h("button", {type: "button", class: "force", onclick: (e) => {
      e.stopPropagation();
      ctx.act("POST", "/_smsvoice/transitions/force", {ResourceId: row.id});
    }}, "Force next step") : null,
    pending ? h("button", {type: "button", class: "advance-to", onclick: (e) => {
      e.stopPropagation();
      ctx.act("POST", "/_smsvoice/clock/advance", {seconds: pending.next.in});
    }}, `Advance ${duration(pending.next.in)}`) : null);
}

function row(r, ctx) {
  const choose = () => { view.selected = keyOf(r); ctx.refresh(); };
  return h("tr", {class: keyOf(r) === view.selected ? "selected" : null, tabindex: 0, dataset: {resource: r.id},
    onclick: choose, onkeydown: (e) => { if (e.key === "Enter") choose(); }},
  h("td", null, r.label), h("td", {class: "name"}, r.name, r.id !== r.name ? h("small", null, r.id) : null), h("td", null, `${r.account} / ${r.region}`),
  h("td", null, badge(r.state)), h("td", null, nextStep(r)), h("td", null, actions(r, ctx)));
}

function pager(page, ctx) {
  const go = (offset) => () => { view.offset = Math.max(0, offset); ctx.refresh(); };
  return [
    h("button", {type: "button", disabled: page.offset === 0, onclick: go(page.offset - page.limit)}, "‹ previous"),
    h("button", {type: "button", disabled: page.offset + page.limit >= page.total, onclick: go(page.offset + page.limit)}, "next ›"),
  ];
}

async function renderDetail(r, ctx) {
  const machines = h("div", {class: "machines"});
  fill(view.parts.detail,
    h("h3", null, `${r.label} ${r.name}`),
    h("p", null, badge(r.state), " ", nextStep(r), " ", actions(r, ctx)),
    r.members ? h("div", null, h("h4", null, "Members"),
      h("ul", {class: "members", id: "pool-members"}, r.members.map((m) => h("li", null, m.id, " ", m.state ? badge(m.state) : null)))) : null,
    machines,
    h("h4", null, "As the state view shows it"), json(r.view));
  if (!r.machines.length) {
    machines.append(h("p", {class: "hint"}, "No lifecycle: this resource has no status that changes on the clock."));
    return;
  }
  let drawn;
  try {
    drawn = await ctx.lifecycles();
  } catch (error) {
    ctx.showError(error.message);
    return;
  }
  for (const m of r.machines) {
    const data = drawn[m.kind];
    if (!data) continue;
    machines.append(h("figure", {class: "lifecycle", dataset: {kind: m.kind}},
      h("figcaption", null, `${m.label}: ${m.state}`, m.next ? ` → ${m.next.to || m.next.trigger} in ${duration(m.next.in)}` : ""),
      drawMachine(data, m.state, m.next),
      h("details", null, h("summary", null, "As Mermaid"), h("pre", null, data.mermaid))));
  }
}
