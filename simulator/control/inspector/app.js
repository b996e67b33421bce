// The inspector's shell: the tabs, the header's simulated clock, the connection state, errors,
// the token prompt, and the poll that keeps the open tab live.
//
// Live by polling: every second the page asks for the summary and the open tab's data (a page
// of it) and re-renders only what changed. Polling works through every door the control API
// has (the simulate endpoint, the mitmproxy addon) and survives a server restart: when a poll
// fails the page says so, retries with a growing pause (at most MAX_PAUSE_MS) and picks up
// where it was once the server answers again.

import {ApiError, call, setToken, token} from "./api.js";
import {clockTime, fill, h} from "./dom.js";
import {clockView} from "./clock.js";
import {eventsView} from "./events.js";
import {messagesView} from "./messages.js";
import {resourcesView} from "./resources.js";
import {reviewerView} from "./reviewer.js";

const POLL_MS = 1000;
const MAX_PAUSE_MS = 5000;
const VIEWS = [messagesView, resourcesView, reviewerView, clockView, eventsView];

const ui = {
  nav: document.getElementById("tabs"),
  main: document.getElementById("view"),
  clock: document.getElementById("clock"),
  status: document.getElementById("connection"),
  errors: document.getElementById("errors"),
  tokenDialog: document.getElementById("token-dialog"),
  tokenForm: document.getElementById("token-form"),
  tokenInput: document.getElementById("token-input"),
  forget: document.getElementById("forget-token"),
};

const state = {view: null, lastText: null, timer: null, running: false, again: false, pause: POLL_MS,
  online: null, lifecycles: null};

const ctx = {
  summary: null,
  refresh,
  showError,
  go: (hash) => { location.hash = hash; },
  // An action: shows its error and changes nothing on the page if it fails; refreshes after.
  async act(method, path, body) {
    try {
      const {data} = await call(method, path, body);
      clearErrors();
      refresh();
      return data;
    } catch (error) {
      handle(error);
      return null;
    }
  },
  async get(path) {
    return (await call("GET", path)).data;
  },
  lifecycles() {
    if (!state.lifecycles) {
      state.lifecycles = call("GET", "/_smsvoice/lifecycles").then((r) => r.data.lifecycles)
        .catch((error) => { state.lifecycles = null; throw error; });
    }
    return state.lifecycles;
  },
};

function showError(message) {
  for (const shown of ui.errors.querySelectorAll(".error span")) {
    if (shown.textContent === message) return; // a poll that keeps failing says it once
  }
  const item = h("div", {class: "error", role: "alert"},
    h("span", null, message),
    h("button", {type: "button", class: "dismiss", "aria-label": "dismiss", onclick: () => item.remove()}, "×"));
  ui.errors.append(item);
  while (ui.errors.children.length > 3) ui.errors.firstChild.remove();
}

function clearErrors() {
  ui.errors.replaceChildren();
}

function setOnline(online, why) {
  if (state.online === online) return;
  state.online = online;
  ui.status.className = online ? "online" : "offline";
  fill(ui.status, online ? "connected" : `connection lost (${why}); retrying…`);
  document.body.classList.toggle("offline", !online);
}

function askToken() {
  if (!ui.tokenDialog.open) {
    ui.tokenInput.value = "";
    ui.tokenDialog.showModal();
  }
}

function handle(error) {
  if (!(error instanceof ApiError)) {
    showError(String(error));
  } else if (error.needsToken) {
    setToken(null);
    askToken();
  } else if (error.lost) {
    setOnline(false, error.message);
  } else {
    showError(error.message);
  }
}

function renderClock(summary) {
  const clock = summary.clock;
  fill(ui.clock, h("span", {class: "mode"}, `${clock.mode} clock`), " ",
    h("time", {id: "clock-now"}, clockTime(clock.now)));
}

async function poll() {
  const view = state.view;
  const {data: summary} = await call("GET", "/_smsvoice/summary");
  ctx.summary = summary;
  renderClock(summary);
  const answers = await Promise.all(view.paths().map((path) => call("GET", path)));
  const text = answers.map((a) => a.text).join("\n");
  if (view === state.view && text !== state.lastText) {
    state.lastText = text;
    performance.mark("render-start");
    view.render(answers.map((a) => a.data), ctx);
    performance.measure(`render ${view.name}`, "render-start"); // read by bench/inspector_render.py
  }
}

async function tick() {
  clearTimeout(state.timer);
  if (state.running) {
    state.again = true;
    return;
  }
  state.running = true;
  try {
    await poll();
    setOnline(true);
    state.pause = POLL_MS;
  } catch (error) {
    handle(error);
    state.pause = Math.min(state.pause * 2, MAX_PAUSE_MS);
  } finally {
    state.running = false;
  }
  if (state.again) {
    state.again = false;
    state.timer = setTimeout(tick, 0);
  } else {
    state.timer = setTimeout(tick, state.pause);
  }
}

function refresh() {
  state.lastText = null;
  tick();
}

function show() {
  const name = location.hash.replace(/^#/, "").split("/")[0] || VIEWS[0].name;
  const view = VIEWS.find((v) => v.name === name) || VIEWS[0];
  for (const link of ui.nav.querySelectorAll("a")) {
    link.classList.toggle("active", link.dataset.view === view.name);
  }
  if (state.view !== view) {
    state.view = view;
    fill(ui.main);
    view.mount(ui.main, ctx);
  }
  refresh();
}

function start() {
  for (const view of VIEWS) {
    ui.nav.append(h("a", {href: `#${view.name}`, dataset: {view: view.name}}, view.title));
  }
  ui.tokenForm.addEventListener("submit", () => {
    setToken(ui.tokenInput.value.trim());
    ui.forget.hidden = !token();
    refresh();
  });
  ui.forget.addEventListener("click", () => {
    setToken(null);
    ui.forget.hidden = true;
    refresh();
  });
  ui.forget.hidden = !token();
  window.addEventListener("hashchange", show);
  window.addEventListener("storage", () => { ui.forget.hidden = !token(); });
  show();
}

start();
