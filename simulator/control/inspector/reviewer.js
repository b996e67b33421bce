// The simulated reviewer: registrations awaiting review (approve, deny with reasons and field
// feedback, require authentication), approved ones it may still revoke, and its standing rules.

import {badge, clockTime, duration, field, fill, h, select} from "./dom.js";

const DECISIONS = ["approve", "deny", "require_authentication"];
const view = {parts: null, denying: null};

const REVIEW = "/_smsvoice/registrations/review";

export const reviewerView = {
  name: "reviewer",
  title: "Reviewer",

  mount(root, ctx) {
    const parts = view.parts = {
      awaiting: h("div", {id: "awaiting", class: "cards"}),
      revocable: h("div", {id: "revocable", class: "cards"}),
      rules: h("tbody", {id: "review-rules"}),
      dialog: denyDialog(ctx),
    };
    root.append(
      h("section", null, h("h2", null, "Awaiting review"), parts.awaiting),
      h("section", null, h("h2", null, "Approved (may be revoked)"), parts.revocable),
      h("section", null, h("h2", null, "Review rules"),
        h("p", {class: "hint"}, "Without a rule, every submission is approved once its review time has passed on the simulated clock. Earlier rules win."),
        h("table", {class: "rows"}, h("thead", null, h("tr", null, ["Registration type", "Decision", "Times left", "Reasons"].map((n) => h("th", null, n)))), parts.rules),
        ruleForm(ctx)),
      parts.dialog);
  },

  paths() {
    return ["/_smsvoice/registrations/queue"];
  },

  render([queue], ctx) {
    fill(view.parts.awaiting, queue.awaiting.length ? queue.awaiting.map((r) => card(r, ctx, true))
      : h("p", {class: "hint"}, "Nothing awaits review."));
    fill(view.parts.revocable, queue.revocable.length ? queue.revocable.map((r) => card(r, ctx, false))
      : h("p", {class: "hint"}, "No approved registration."));
    fill(view.parts.rules, queue.rules.map((rule) => h("tr", null,
      h("td", null, rule.RegistrationType), h("td", null, rule.Decision),
      h("td", null, rule.Times ?? "until cleared"), h("td", null, (rule.DeniedReasons || []).map((r) => r.Reason || "").join("; ")))));
  },
};

function card(r, ctx, awaiting) {
  const decide = (decision) => () => ctx.act("POST", REVIEW, {RegistrationId: r.id, Decision: decision});
  const buttons = awaiting
    ? [h("button", {type: "button", class: "approve", onclick: decide("approve")}, "Approve"),
      h("button", {type: "button", class: "deny", onclick: () => openDeny(r, "deny")}, "Deny…"),
      r.status === "REQUIRES_AUTHENTICATION"
        ? h("button", {type: "button", class: "authenticate", onclick: decide("authenticate")}, "Registrant authenticated")
        : h("button", {type: "button", class: "require-authentication", onclick: decide("require_authentication")}, "Require authentication")]
    : [h("button", {type: "button", class: "revoke", onclick: () => openDeny(r, "revoke")}, "Revoke…")];
  return h("article", {class: "card", dataset: {registrationId: r.id}},
    h("header", null, h("strong", null, r.id), " ", badge(r.status)),
    h("p", null, `${r.type} · version ${r.version} (${r.versionStatus}) · ${r.account} / ${r.region}`),
    r.next ? h("p", {class: "hint"}, `Next by the clock: ${r.next.trigger} in ${duration(r.next.in)} (at ${clockTime(r.next.at)})`) : null,
    r.fields.length ? h("details", null, h("summary", null, `${r.fields.length} fields`),
      h("dl", null, r.fields.map((f) => [h("dt", null, f.FieldPath), h("dd", null, fieldValue(f))]))) : null,
    h("div", {class: "actions"}, buttons));
}

function fieldValue(f) {
  const value = f.TextValue ?? f.SelectChoices ?? f.RegistrationAttachmentId ?? "";
  return Array.isArray(value) ? value.join(", ") : String(value);
}

// -- denying or revoking: reasons, version feedback, per-field feedback -------------------------
function denyDialog(ctx) {
  const reasons = h("textarea", {id: "deny-reasons", rows: 3, placeholder: "One reason a line"});
  const feedback = h("input", {id: "deny-feedback", type: "text"});
  const fields = h("div", {id: "deny-fields"});
  const title = h("h3");
  const dialog = h("dialog", {id: "deny-dialog"});
  const submit = async (event) => {
    event.preventDefault();
    const r = view.denying;
    const body = {RegistrationId: r.id, Decision: r.decision,
      DeniedReasons: reasons.value.split("\n").map((s) => s.trim()).filter(Boolean)};
    if (r.decision === "deny") {
      if (feedback.value.trim()) body.Feedback = feedback.value.trim();
      const perField = {};
      for (const line of fields.querySelectorAll(".field-feedback")) {
        const path = line.querySelector("select").value;
        const [reason, note] = [...line.querySelectorAll("input")].map((i) => i.value.trim());
        if (path && (reason || note)) perField[path] = {DeniedReason: reason || "Denied", Feedback: note};
      }
      if (Object.keys(perField).length) body.FieldFeedback = perField;
    }
    const done = await ctx.act("POST", REVIEW, body);
    if (done) dialog.close();
  };
  dialog.append(h("form", {onsubmit: submit}, title,
    field("Reasons", reasons), h("div", {class: "deny-only"}, field("Feedback on the version", feedback), fields),
    h("div", {class: "actions"},
      h("button", {type: "button", onclick: () => dialog.close()}, "Cancel"),
      h("button", {type: "submit", id: "deny-submit"}, "Send"))));
  view.dialogParts = {reasons, feedback, fields, title, dialog};
  return dialog;
}

function openDeny(r, decision) {
  const {reasons, feedback, fields, title, dialog} = view.dialogParts;
  view.denying = {id: r.id, decision};
  fill(title, `${decision === "deny" ? "Deny" : "Revoke"} ${r.id}`);
  reasons.value = "";
  feedback.value = "";
  dialog.classList.toggle("revoking", decision === "revoke");
  const paths = r.fields.map((f) => f.FieldPath);
  const addLine = () => fields.append(h("div", {class: "field-feedback"},
    select({"aria-label": "field"}, [["", "field…"], ...paths.map((p) => [p, p])], ""),
    h("input", {type: "text", placeholder: "denied reason", "aria-label": "denied reason"}),
    h("input", {type: "text", placeholder: "feedback", "aria-label": "feedback"})));
  fill(fields, h("h4", null, "Field feedback"), h("button", {type: "button", onclick: addLine}, "+ field"));
  if (paths.length) addLine();
  dialog.showModal();
}

function ruleForm(ctx) {
  const type = h("input", {id: "rule-type", type: "text", placeholder: "US_TEN_DLC_CAMPAIGN_REGISTRATION or *", required: true});
  const decision = select({id: "rule-decision"}, DECISIONS, "approve");
  const times = h("input", {id: "rule-times", type: "number", min: 1, placeholder: "every time"});
  const submit = async (event) => {
    event.preventDefault();
    const body = {RegistrationType: type.value.trim(), Decision: decision.value};
    if (times.value) body.Times = Number(times.value);
    await ctx.act("POST", "/_smsvoice/registrations/rules", body);
  };
  return h("form", {class: "filters", id: "rule-form", onsubmit: submit},
    field("Registration type", type), field("Decision", decision), field("Times", times),
    h("button", {type: "submit"}, "Add rule"),
    h("button", {type: "button", onclick: () => ctx.act("DELETE", "/_smsvoice/registrations/rules")}, "Clear rules"));
}
