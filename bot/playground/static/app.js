// The playground page: draws what the server says Slack holds, and turns clicks into /play/* calls.
// No build step and nothing from the network: plain DOM code.
"use strict";

const $ = (id) => document.getElementById(id);
const STATEFUL = new Set([
  "static_select", "multi_static_select", "external_select", "multi_external_select", "users_select",
  "multi_users_select", "conversations_select", "multi_conversations_select", "channels_select",
  "multi_channels_select", "datepicker", "timepicker", "checkboxes", "radio_buttons", "plain_text_input",
  "number_input", "email_text_input", "url_text_input",
]);

const ui = {
  user: localStorage.getItem("pg.user") || "",
  view: localStorage.getItem("pg.view") || "channel",
  version: -1,
  data: null,
  shown: { pane: null, modal: null, log: null, users: null },
  seen: JSON.parse(localStorage.getItem("pg.seen") || "{}"),
  inflight: 0,
};

// ---- talking to the server ----------------------------------------------------------------------

async function post(path, body) {
  ui.inflight += 1;
  document.body.classList.add("busy");
  try {
    const response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Playground": "1" },
      body: JSON.stringify(body),
    });
    let data = {};
    try { data = await response.json(); } catch (e) { data = {}; }
    if (!response.ok && !data.message) data.message = `HTTP ${response.status}`;
    if (!response.ok) data.ok = false;
    return data;
  } catch (error) {
    return { ok: false, message: `The playground is not answering (${error})` };
  } finally {
    ui.inflight -= 1;
    if (!ui.inflight) document.body.classList.remove("busy");
  }
}

async function refresh(force) {
  const since = force ? "" : String(ui.version);
  let data;
  try {
    const response = await fetch(`/play/state?user=${encodeURIComponent(ui.user)}&since=${since}`);
    data = await response.json();
  } catch (error) {
    status("Lost the playground: is it still running?", "error");
    return;
  }
  if (data.unchanged) return;
  ui.version = data.version;
  ui.data = data;
  if (ui.user !== data.user) setUser(data.user, false);
  render();
}

function status(text, kind) {
  const el = $("status");
  el.textContent = text || "";
  el.className = "status" + (kind ? ` status-${kind}` : "");
}

function report(result, okText) {
  if (result.ok === false) status(result.message || "That did not work.", "error");
  else if (result.message || okText) status(result.message || okText, "ok");
}

// ---- drawing ------------------------------------------------------------------------------------

function render() {
  const d = ui.data;
  if (!d) return;
  renderUsers(d);
  $("clock-now").textContent = d.now.utc;
  $("clock-local").textContent = `· ${d.now.local}`;
  const inApp = ui.view === "home" || ui.view === "messages";
  $("nav-channel").classList.toggle("active", ui.view === "channel");
  $("nav-app").classList.toggle("active", inApp);
  $("app-tabs").hidden = !inApp;
  $("tab-home").classList.toggle("active", ui.view === "home");
  $("tab-messages").classList.toggle("active", ui.view === "messages");
  $("conv-title").textContent = inApp ? "Invite Hygiene" : `# ${d.channel.name}`;
  $("composer").hidden = ui.view === "home";
  $("attach").hidden = ui.view !== "messages";
  document.querySelector(".hints").hidden = ui.view === "home";
  renderBadge(d);
  renderPane(d);
  renderModal(d);
  renderLog(d);
}

function renderUsers(d) {
  const key = JSON.stringify(d.teammates.map((t) => [t.id, t.local]));
  const select = $("user-select");
  if (ui.shown.users !== key) {
    select.innerHTML = "";
    for (const t of d.teammates) {
      const option = document.createElement("option");
      option.value = t.id;
      option.textContent = `${t.name}${t.admin ? " (admin)" : ""} · ${t.local}`;
      select.appendChild(option);
    }
    ui.shown.users = key;
  }
  select.value = d.user;
  const me = d.teammates.find((t) => t.id === d.user);
  $("user-info").textContent = me ? `${me.title} · ${me.tz}` : "";
}

function renderBadge(d) {
  const me = d.teammates.find((t) => t.id === d.user);
  const count = me ? me.dm_count : 0;
  if (ui.view === "messages") {
    ui.seen[d.user] = count;
    localStorage.setItem("pg.seen", JSON.stringify(ui.seen));
  }
  const unread = count - (ui.seen[d.user] || 0);
  const badge = $("dm-badge");
  badge.hidden = unread <= 0;
  badge.textContent = String(unread);
}

function paneHtml(d) {
  if (ui.view === "channel") return d.channel.html;
  if (ui.view === "messages") return d.dm.html;
  if (!d.home) {
    return '<div class="empty">The app has not published a Home tab for you yet. ' +
      "(It publishes one when it hears <code>app_home_opened</code>, which this tab just sent.)</div>";
  }
  return `<div class="home" data-view-id="${d.home.view_id}">${d.home.html}</div>`;
}

function renderPane(d) {
  const html = paneHtml(d);
  const key = `${ui.view}|${html}`;
  if (ui.shown.pane === key) return;
  const pane = $("pane");
  const sameView = ui.shown.pane && ui.shown.pane.startsWith(`${ui.view}|`);
  const nearBottom = pane.scrollHeight - pane.scrollTop - pane.clientHeight < 80;
  pane.innerHTML = html;
  pane.dataset.view = ui.view;
  ui.shown.pane = key;
  if (ui.view !== "home" && (!sameView || nearBottom)) pane.scrollTop = pane.scrollHeight;
}

function renderModal(d) {
  const layer = $("modal-layer");
  if (!d.modal) {
    layer.hidden = true;
    layer.innerHTML = "";
    ui.shown.modal = null;
    return;
  }
  if (ui.shown.modal === d.modal.html) return;
  const old = layer.querySelector("form.modal");
  const keep = old && old.dataset.viewId === d.modal.view_id ? collectValues(old) : [];
  layer.innerHTML = d.modal.html;
  layer.hidden = false;
  restoreValues(layer, keep);
  ui.shown.modal = d.modal.html;
  const first = layer.querySelector("input, textarea, select");
  if (first && !old) first.focus();
}

function renderLog(d) {
  const key = d.log.length ? `${d.log.length}|${d.log[d.log.length - 1].at}|${d.log[d.log.length - 1].text}` : "";
  if (ui.shown.log === key) return;
  ui.shown.log = key;
  const list = $("log");
  list.innerHTML = "";
  for (const entry of d.log.slice().reverse()) {
    const item = document.createElement("li");
    item.className = entry.dir.startsWith("→") ? "log-to-app" : entry.dir.endsWith("→") ? "log-from-app" : `log-${entry.dir}`;
    item.textContent = `${entry.at} ${entry.dir} ${entry.text}`;
    list.appendChild(item);
  }
}

// ---- values of Block Kit controls ----------------------------------------------------------------

function valueOf(el) {
  if (el.tagName === "SELECT") {
    if (el.multiple) return Array.from(el.selectedOptions).map((o) => o.value);
    return el.value || null;
  }
  if (el.classList.contains("bk-choices")) {
    const checked = Array.from(el.querySelectorAll("input:checked")).map((i) => i.value);
    return el.dataset.type === "checkboxes" ? checked : (checked[0] || null);
  }
  if (el.tagName === "BUTTON") return el.value;
  return el.value === "" ? null : el.value;
}

function collectValues(container) {
  const out = [];
  for (const el of container.querySelectorAll("[data-action-id]")) {
    if (!STATEFUL.has(el.dataset.type)) continue;
    out.push({ block_id: el.dataset.blockId, action_id: el.dataset.actionId, type: el.dataset.type, value: valueOf(el) });
  }
  return out;
}

function restoreValues(container, values) {
  for (const v of values) {
    const el = Array.from(container.querySelectorAll("[data-action-id]"))
      .find((e) => e.dataset.blockId === v.block_id && e.dataset.actionId === v.action_id);
    if (!el || v.value === null) continue;
    if (el.classList.contains("bk-choices")) {
      const wanted = new Set([].concat(v.value));
      for (const input of el.querySelectorAll("input")) input.checked = wanted.has(input.value);
    } else if (el.tagName === "SELECT" && el.multiple) {
      const wanted = new Set(v.value);
      for (const option of el.options) option.selected = wanted.has(option.value);
    } else {
      el.value = v.value;
    }
  }
}

// ---- interactions -------------------------------------------------------------------------------

async function fire(el) {
  const modal = el.closest("form.modal");
  const home = el.closest(".home");
  const message = el.closest(".msg");
  const surface = modal || home || message;
  if (!surface) return;
  if (el.dataset.confirm && !window.confirm(el.dataset.confirm)) return;
  if (el.dataset.url) window.open(el.dataset.url, "_blank", "noopener");
  const body = {
    user: ui.user,
    block_id: el.dataset.blockId,
    action_id: el.dataset.actionId,
    value: valueOf(el),
    values: collectValues(surface),
  };
  if (modal || home) body.view_id = (modal || home).dataset.viewId;
  else Object.assign(body, { channel: message.dataset.channel, ts: message.dataset.ts });
  if (el.classList.contains("bk-overflow")) el.value = "";
  el.disabled = true;
  const result = await post("/play/action", body);
  el.disabled = false;
  report(result);
  await refresh(true);
}

async function go(view) {
  ui.view = view;
  localStorage.setItem("pg.view", view);
  ui.shown.pane = null;
  render();
  if (view === "home" || view === "messages") {
    const result = await post("/play/open", { user: ui.user, tab: view });
    if (result.ok === false) report(result);
  }
  await refresh(true);
}

function setUser(user, announce) {
  ui.user = user;
  localStorage.setItem("pg.user", user);
  ui.shown.pane = null;
  ui.shown.modal = null;
  if (announce) go(ui.view);
}

async function send(text) {
  const channel = ui.view === "messages" ? ui.data.dm.id : ui.data.channel.id;
  status("");
  const result = await post("/play/command", { user: ui.user, channel, text });
  report(result);
  await refresh(true);
}

async function upload(file) {
  status(`Sending ${file.name} to the app…`);
  ui.inflight += 1;
  try {
    const response = await fetch(`/play/upload?user=${encodeURIComponent(ui.user)}&name=${encodeURIComponent(file.name)}`, {
      method: "POST", headers: { "X-Playground": "1", "Content-Type": "application/octet-stream" }, body: file,
    });
    const result = await response.json();
    report(result, `Sent ${file.name}: the app heard file_shared.`);
  } finally {
    ui.inflight -= 1;
  }
  await refresh(true);
}

function wire() {
  document.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-fire]");
    if (button) { event.preventDefault(); fire(button); return; }
    const nav = event.target.closest("[data-go]");
    if (nav) { go(nav.dataset.go === "home" && nav.id === "nav-app" && ui.view === "messages" ? "messages" : nav.dataset.go); return; }
    const close = event.target.closest("[data-modal-close]");
    if (close) {
      const form = close.closest("form.modal");
      post("/play/close", { user: ui.user, view_id: form.dataset.viewId, values: collectValues(form) }).then(() => refresh(true));
      return;
    }
    const shortcut = event.target.closest("[data-message-shortcut]");
    if (shortcut) {
      const message = shortcut.closest(".msg");
      post("/play/message_shortcut", {
        user: ui.user, channel: message.dataset.channel, ts: message.dataset.ts,
        callback_id: shortcut.dataset.messageShortcut,
      }).then((result) => { report(result); return refresh(true); });
      return;
    }
    const fill = event.target.closest("[data-fill]");
    if (fill) { $("composer-input").value = fill.dataset.fill; $("composer-input").focus(); }
  });
  document.addEventListener("change", (event) => {
    const target = event.target;
    const el = target.closest("[data-fire]");
    if (!el || el.tagName === "BUTTON") return;
    if (el.classList.contains("bk-overflow") && !el.value) return;
    fire(el);
  });
  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!form.matches("form.modal")) return;
    event.preventDefault();
    const result = await post("/play/submit", { user: ui.user, view_id: form.dataset.viewId, values: collectValues(form) });
    report(result);
    await refresh(true);
  });
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const box = $("composer-input");
    const text = box.value.trim();
    if (!text) return;
    box.value = "";
    send(text);
  });
  $("composer-input").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      $("composer").requestSubmit();
    }
  });
  $("user-select").addEventListener("change", (event) => setUser(event.target.value, true));
  for (const button of document.querySelectorAll("[data-step]")) {
    button.addEventListener("click", async () => {
      button.disabled = true;
      status("Moving the clock and running a nudge cycle…");
      const result = await post("/play/clock", { user: ui.user, step: button.dataset.step });
      button.disabled = false;
      report(result);
      await refresh(true);
    });
  }
  $("seed").addEventListener("click", async () => {
    $("seed").disabled = true;
    status("Seeding three months of team history…");
    const result = await post("/play/seed", {});
    $("seed").disabled = false;
    report(result);
    await refresh(true);
  });
  $("shortcut").addEventListener("click", async () => {
    const result = await post("/play/shortcut", { user: ui.user, callback_id: $("shortcut").dataset.callback });
    report(result);
    await refresh(true);
  });
  $("workflow-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const inputs = {
      profile_url: $("wf-url").value.trim(),
      priority: $("wf-priority").value,
      with_note: $("wf-note").checked,
      comment: $("wf-comment").value.trim(),
    };
    $("wf-run").disabled = true;
    status("Running the workflow step…");
    const result = await post("/play/workflow", { user: ui.user, inputs });
    $("wf-run").disabled = false;
    report(result);
    if (ui.view !== "channel") await go("channel");
    await refresh(true);
  });
  $("file-input").addEventListener("change", (event) => {
    for (const file of event.target.files) upload(file);
    event.target.value = "";
  });
  const pane = $("pane");
  pane.addEventListener("dragover", (event) => {
    if (ui.view !== "messages") return;
    event.preventDefault();
    $("drop-hint").hidden = false;
  });
  pane.addEventListener("dragleave", () => { $("drop-hint").hidden = true; });
  pane.addEventListener("drop", (event) => {
    if (ui.view !== "messages") return;
    event.preventDefault();
    $("drop-hint").hidden = true;
    for (const file of event.dataTransfer.files) upload(file);
  });
}

wire();
refresh(true).then(() => { if (ui.view !== "channel") go(ui.view); });
setInterval(() => { if (!ui.inflight) refresh(false); }, 1000);
