// The Standin console: plain JavaScript over the public HTTP API, nothing
// else. Every action here is a call a platform could make with the same
// key (docs/http.md); the console has no route of its own beyond its files.
// Data is put in the page as text nodes, never as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
const state = {
  tenant: sessionStorage.getItem("standin.tenant"),
  key: sessionStorage.getItem("standin.key"),
  sessions: [],
  versions: [],
  /** The endpoint whose dead letters are shown. */
  deadFor: null,
};

/** An element with attributes and children (strings become text). */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "onclick") node.addEventListener("click", value);
    else if (value !== undefined && value !== null) node.setAttribute(name, value);
  }
  for (const child of children) {
    if (child !== undefined && child !== null) node.append(child);
  }
  return node;
}

function say(text, bad = false) {
  const status = $("status");
  status.textContent = text;
  status.className = bad ? "bad" : "";
}

class ApiError extends Error {
  constructor(status, body) {
    super(body.message || `HTTP ${status}`);
    this.status = status;
    this.code = body.code;
    this.step = body.step;
  }
}

/** Calls the tenant's API; the body's text, or an ApiError. */
async function call(method, path, body) {
  const headers = { Authorization: `Bearer ${state.key}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(`/v1/tenants/${encodeURIComponent(state.tenant)}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) {
    let error = {};
    try {
      error = JSON.parse(text).error || {};
    } catch (_) {
      error = { message: text };
    }
    throw new ApiError(response.status, error);
  }
  return text;
}

const json = async (method, path, body) => JSON.parse(await call(method, path, body));

/** Runs `f`, showing its error instead of throwing. */
async function guarded(f) {
  try {
    await f();
  } catch (e) {
    say(e.status === 403 ? `Not allowed with this key: ${e.message}` : e.message, true);
  }
}

function when(t) {
  return t ? new Date(t).toISOString().replace("T", " ").replace(".000Z", "Z") : "";
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : "";
}

/** Asks for confirmation (and a reason when `reason` is set); the reason, "" or null. */
function confirmDialog(title, text, reason) {
  const dialog = $("confirm");
  $("confirm-title").textContent = title;
  $("confirm-text").textContent = text;
  $("confirm-reason-row").hidden = !reason;
  $("confirm-reason").value = "";
  $("confirm-reason").required = Boolean(reason);
  return new Promise((resolve) => {
    dialog.addEventListener(
      "close",
      () => resolve(dialog.returnValue === "ok" ? $("confirm-reason").value : null),
      { once: true },
    );
    dialog.showModal();
    (reason ? $("confirm-reason") : $("confirm-ok")).focus();
  });
}

// --- Sign-in ---------------------------------------------------------------

async function signIn(tenant, key) {
  state.tenant = tenant;
  state.key = key;
  try {
    await call("GET", "/sessions?limit=1");
  } catch (e) {
    state.key = null;
    say(e.status === 401 || e.status === 403 ? "That key does not open this tenant." : e.message, true);
    return;
  }
  sessionStorage.setItem("standin.tenant", tenant);
  sessionStorage.setItem("standin.key", key);
  show();
}

function show() {
  const signedIn = Boolean(state.key);
  $("sign-in").hidden = signedIn;
  $("app").hidden = !signedIn;
  $("sign-out").hidden = !signedIn;
  $("who").textContent = signedIn ? `Tenant ${state.tenant}` : "";
  if (signedIn) openPage("overview");
}

function openPage(page) {
  for (const button of document.querySelectorAll("nav button")) {
    if (button.dataset.page === page) button.setAttribute("aria-current", "page");
    else button.removeAttribute("aria-current");
  }
  for (const section of document.querySelectorAll(".page")) section.hidden = section.id !== page;
  say("");
  const loads = {
    overview: loadOverview,
    sessions: loadSessions,
    audit: loadAudit,
    policies: loadPolicies,
    notifications: loadNotifications,
    webhooks: loadWebhooks,
  };
  guarded(loads[page]);
}

// --- Sessions ----------------------------------------------------------------

async function loadSessions() {
  const openOnly = $("sessions-open").checked;
  const answer = await json("GET", `/sessions${query({ active: openOnly ? "true" : "", limit: "500" })}`);
  const who = $("sessions-who").value.trim();
  state.sessions = answer.sessions.filter((s) => !who || s.actor === who || s.target === who);
  const rows = state.sessions.map((s) => {
    const actions = el("td", { class: "actions" });
    if (s.state !== "ended") {
      actions.append(
        el("button", { type: "button", onclick: () => guarded(() => endSession(s)) }, "End"),
        " ",
        el("button", { type: "button", onclick: () => guarded(() => revokeSession(s)) }, "Revoke"),
        " ",
      );
    }
    actions.append(
      el("button", { type: "button", class: "story", onclick: () => guarded(() => openTimeline(s.id)) }, "Story"),
    );
    const state_ = s.state === "ended" ? `ended (${s.end_reason})` : s.state;
    return el(
      "tr",
      { "data-session": s.id },
      el("td", {}, el("code", {}, s.id)),
      el("td", {}, s.actor),
      el("td", {}, s.target),
      el("td", { class: `state ${s.state}` }, state_),
      el("td", {}, when(s.started_at)),
      el("td", { class: "left", "data-expires": s.expires_at, "data-state": s.state }),
      el("td", {}, s.reason || ""),
      actions,
    );
  });
  $("sessions-rows").replaceChildren(...rows);
  tick();
  say(`${rows.length} session${rows.length === 1 ? "" : "s"}`);
}

/** The time left of every shown session, once a second (S3: the last five minutes warn). */
function tick() {
  const now = Date.now();
  for (const cell of document.querySelectorAll("td.left")) {
    const left = Math.max(0, Math.floor((Date.parse(cell.dataset.expires) - now) / 1000));
    const pending = cell.dataset.state === "pending";
    const m = Math.floor(left / 60);
    const text = `${m}:${String(left % 60).padStart(2, "0")}`;
    if (cell.dataset.state === "ended") cell.textContent = "";
    else cell.textContent = pending ? `${text} to approve` : text;
    cell.classList.toggle("soon", !pending && cell.dataset.state === "active" && left <= 300);
  }
}

async function endSession(s) {
  if ((await confirmDialog("End session", `End ${s.actor}'s session as ${s.target}?`, false)) === null) return;
  await json("POST", `/sessions/${encodeURIComponent(s.id)}/end`);
  await loadSessions();
  say(`Session ${s.id} ended.`);
}

async function revokeSession(s) {
  const reason = await confirmDialog("Revoke session", `Revoke ${s.actor}'s session as ${s.target}?`, true);
  if (reason === null) return;
  await json("POST", `/sessions/${encodeURIComponent(s.id)}/revoke`, { reason });
  await loadSessions();
  say(`Session ${s.id} revoked.`);
}

// --- Audit -------------------------------------------------------------------

function auditQuery(format) {
  const time = (id) => ($(id).value ? new Date($(id).value).toISOString() : "");
  return query({
    actor: $("audit-actor").value.trim(),
    target: $("audit-target").value.trim(),
    event: $("audit-event").value,
    since: time("audit-since"),
    until: time("audit-until"),
    view: format ? "" : $("audit-view").value,
    format,
  });
}

async function loadAudit() {
  const text = await call("GET", `/audit${auditQuery("")}`);
  const events = text.split("\n").filter(Boolean).map((line) => JSON.parse(line));
  const byActor = $("audit-view").value === "impersonator";
  $("audit-user-col").textContent = byActor ? "Impersonator" : "Impersonated user";
  $("audit-detail-col").textContent = byActor ? "Acting as" : "By";
  const rows = events.map((e) =>
    el(
      "tr",
      {},
      el("td", {}, String(e.seq)),
      el("td", {}, when(e.at)),
      el("td", {}, e.user ?? (byActor ? e.actor : e.target)),
      el("td", {}, e.detail ?? (byActor ? e.target : e.actor)),
      el("td", {}, e.event),
      el("td", {}, e.action || ""),
      el("td", {}, (e.codes || []).join(", ")),
      el("td", {}, e.reason || e.end_reason || ""),
    ),
  );
  $("audit-rows").replaceChildren(...rows);
  const verify = await json("GET", "/audit/verify");
  $("audit-verify").textContent = verify.broken
    ? `Chain broken at event ${verify.broken.seq}: ${verify.broken.problem}`
    : `Chain intact: ${verify.events} events, head ${String(verify.head || "").slice(0, 16)}…`;
  $("audit-verify").className = verify.broken ? "bad" : "muted";
  say(`${rows.length} event${rows.length === 1 ? "" : "s"}`);
}

async function downloadCsv() {
  const csv = await call("GET", `/audit${auditQuery("csv")}`);
  const link = el("a", {
    id: "audit-csv-link",
    href: URL.createObjectURL(new Blob([csv], { type: "text/csv" })),
    download: `audit-${state.tenant}.csv`,
    hidden: "",
  });
  $("audit-csv-link")?.remove();
  document.body.append(link);
  link.click();
  say("CSV downloaded.");
}

// --- Policies ----------------------------------------------------------------

async function loadPolicies() {
  state.versions = (await json("GET", "/policies")).versions;
  const rows = state.versions.map((v) =>
    el(
      "tr",
      { "data-version": String(v.version) },
      el("td", {}, String(v.version)),
      el("td", {}, v.active ? "active" : ""),
      el("td", {}, when(v.created_at)),
      el("td", {}, v.uploaded_by || ""),
      el("td", {}, v.note || ""),
      el("td", {}, el("code", {}, String(v.digest).slice(0, 19))),
      el(
        "td",
        { class: "actions" },
        el("button", { type: "button", onclick: () => compare(v) }, "Compare"),
        " ",
        el("button", { type: "button", onclick: () => guarded(() => diff(v)) }, "What would change"),
        " ",
        v.active ? "" : el("button", { type: "button", onclick: () => guarded(() => activate(v)) }, "Activate"),
      ),
    ),
  );
  $("policies-rows").replaceChildren(...rows);
  await loadSettingsForm();
}

const pretty = (settings) => {
  try {
    return JSON.stringify(JSON.parse(settings), null, 2);
  } catch (_) {
    return settings;
  }
};

function compare(v) {
  const active = state.versions.find((x) => x.active);
  $("compare-active").textContent = active ? pretty(active.settings) : "(none)";
  $("compare-other-title").textContent = `Version ${v.version}`;
  $("compare-other").textContent = pretty(v.settings);
  $("policies-compare").hidden = false;
}

async function diff(v) {
  const report = await json("GET", `/policies/${v.version}/diff`);
  $("policies-diff").hidden = false;
  $("diff-summary").textContent =
    `Version ${v.version} against ${report.replayed} recorded decisions: ${report.changed} would change ` +
    `(${report.allow_to_deny} allow to deny, ${report.deny_to_allow} deny to allow, ` +
    `${report.codes_changed} other codes), ${report.skipped} skipped.`;
  const outcome = (o) => `${o.decision}${o.codes.length ? ` (${o.codes.join(", ")})` : ""}`;
  $("diff-rows").replaceChildren(
    ...report.changes.map((c) =>
      el(
        "tr",
        {},
        el("td", {}, String(c.seq)),
        el("td", {}, when(c.at)),
        el("td", {}, c.event),
        el("td", {}, c.actor),
        el("td", {}, c.target),
        el("td", {}, c.action || ""),
        el("td", {}, c.change),
        el("td", {}, outcome(c.before)),
        el("td", {}, outcome(c.after)),
      ),
    ),
  );
}

async function activate(v) {
  if ((await confirmDialog("Activate", `Make version ${v.version} the tenant's policy?`, false)) === null) return;
  await json("POST", `/policies/${v.version}/activate`);
  await loadPolicies();
  say(`Version ${v.version} is active.`);
}

async function rollback() {
  if ((await confirmDialog("Roll back", "Undo the last activation?", false)) === null) return;
  const v = await json("POST", "/policies/rollback");
  await loadPolicies();
  say(`Version ${v.version} is active again.`);
}

async function upload() {
  const result = $("upload-result");
  let settings;
  try {
    settings = JSON.parse($("upload-settings").value || "{}");
  } catch (e) {
    result.textContent = `The settings are not JSON: ${e.message}`;
    result.className = "bad";
    return;
  }
  const body = { settings, activate: $("upload-activate").checked, note: $("upload-note").value || undefined };
  const file = $("upload-component").files[0];
  if (file) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    let binary = "";
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    body.component_base64 = btoa(binary);
  }
  try {
    const stored = await json("POST", "/policies", body);
    result.textContent = `Stored version ${stored.version}${stored.active ? ", active" : ""}.`;
    result.className = "";
    await loadPolicies();
  } catch (e) {
    result.textContent = e.step ? `Refused at step "${e.step}": ${e.message}` : e.message;
    result.className = "bad";
  }
}

// --- Notifications -----------------------------------------------------------

async function loadNotifications() {
  const n = await json("GET", "/notifications");
  $("notifications-enabled").checked = n.enabled;
  $("started-template").value = n.started_template;
  $("ended-template").value = n.ended_template;
  preview();
}

/** The templates with an example session, as the host renders them. */
function preview() {
  const sample = {
    actor: "u-1",
    target: "u-42",
    reason: "ticket SUP-1234",
    session: "s-0123456789abcdef",
    expires_at: "2026-11-21T11:00:00Z",
    end_reason: "stopped",
  };
  const render = (t) => t.replace(/\{([a-z_]{1,14})\}/g, (all, name) => sample[name] ?? all);
  $("preview-started").textContent = render($("started-template").value);
  $("preview-ended").textContent = render($("ended-template").value);
}

async function saveNotifications() {
  await json("PUT", "/notifications", {
    enabled: $("notifications-enabled").checked,
    started_template: $("started-template").value,
    ended_template: $("ended-template").value,
  });
  $("notifications-result").textContent = "Saved.";
}

// --- Webhooks ----------------------------------------------------------------

const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const hook = (w) => `/webhooks/${encodeURIComponent(w.id)}`;

async function loadWebhooks() {
  const { webhooks } = await json("GET", "/webhooks");
  const rows = webhooks.map((w) => {
    const c = w.cursor || {};
    const failing = c.attempts > 0;
    const url = el("th", { scope: "row" }, el("span", { class: "url" }, w.url));
    if (w.stream) {
      const method = w.stream.method === "urn:ietf:rfc:8936" ? "poll" : "push";
      url.append(el("br"), el("span", { class: "muted" }, `Shared Signals stream (${method})`));
    }
    if (w.description) url.append(el("br"), el("span", { class: "muted" }, w.description));
    return el(
      "tr",
      { "data-webhook": w.id },
      url,
      el("td", {}, w.events.join(", ")),
      el("td", { class: "cursor" }, c.seq ? `up to #${c.seq}` : "nothing yet"),
      el(
        "td",
        { class: failing ? "failing bad" : "failing" },
        failing
          ? `${plural(c.attempts, "failed attempt")} since ${when(c.failing_since)}: ${c.last_error || "no answer"}`
          : "no",
      ),
      el("td", { class: "next" }, failing ? when(c.next_at) : ""),
      el("td", {}, when(w.created_at)),
      el(
        "td",
        { class: "actions" },
        el("button", { type: "button", onclick: () => guarded(() => openDead(w)) }, "Dead letters"),
        " ",
        el("button", { type: "button", onclick: () => guarded(() => sendTest(w)) }, "Send test"),
        " ",
        el("button", { type: "button", onclick: () => guarded(() => removeWebhook(w)) }, "Remove"),
      ),
    );
  });
  $("webhooks-rows").replaceChildren(...rows);
  if (state.deadFor && !webhooks.some((w) => w.id === state.deadFor.id)) closeDead();
  say(plural(rows.length, "endpoint"));
}

/** The dead letters of `w`, replayable. */
async function showDead(w) {
  const { deliveries } = await json("GET", `${hook(w)}/deliveries?status=dead`);
  state.deadFor = w;
  $("dead").hidden = false;
  $("dead-title").textContent = `Dead letters of ${w.url}`;
  $("dead-summary").textContent = deliveries.length
    ? `${plural(deliveries.length, "message")} given up on, newest first.`
    : "None: nothing was given up on.";
  $("dead-replay").disabled = deliveries.length === 0;
  $("dead-rows").replaceChildren(
    ...deliveries.map((d) =>
      el(
        "tr",
        { "data-seq": String(d.seq) },
        el("td", {}, String(d.seq)),
        el("td", {}, d.event),
        el("td", {}, String(d.attempts)),
        el("td", {}, d.response_status ? `HTTP ${d.response_status}` : "none"),
        el("td", {}, d.error || ""),
        el("td", {}, when(d.at)),
        el("td", {}, el("code", {}, d.message_id)),
      ),
    ),
  );
}

/** The dead letters of `w`, and where every endpoint stands now. */
async function openDead(w) {
  await showDead(w);
  await loadWebhooks();
  $("dead").scrollIntoView({ block: "nearest" });
}

function closeDead() {
  state.deadFor = null;
  $("dead").hidden = true;
  $("dead-rows").replaceChildren();
}

async function replay() {
  const w = state.deadFor;
  if (!w) return;
  const { replaying } = await json("POST", `${hook(w)}/replay`);
  await showDead(w);
  await loadWebhooks();
  say(
    replaying
      ? `Replaying ${plural(replaying, "dead letter")} to ${w.url}, before new events.`
      : `No dead letters to replay to ${w.url}.`,
  );
}

async function sendTest(w) {
  say(`Sending a test message to ${w.url}…`);
  const t = await json("POST", `${hook(w)}/test`);
  if (t.delivered) {
    say(`Test message delivered to ${w.url} (HTTP ${t.status}).`);
    return;
  }
  // The error is the answer's body, or "answered 503" when it had none.
  const body = t.error && t.error !== `answered ${t.status}` ? `: ${t.error}` : "";
  const why = t.status ? `the receiver answered HTTP ${t.status}${body}` : t.error || "no answer";
  say(`Test message not delivered to ${w.url}: ${why}.`, true);
}

async function removeWebhook(w) {
  const text = `Remove ${w.url}? It receives nothing more, and its delivery log and dead letters go with it.`;
  if ((await confirmDialog("Remove endpoint", text, false)) === null) return;
  await json("DELETE", hook(w));
  if (state.deadFor?.id === w.id) closeDead();
  await loadWebhooks();
  say(`Endpoint ${w.url} removed.`);
}

async function addWebhook() {
  const result = $("webhook-add-result");
  const events = $("webhook-events")
    .value.split(",")
    .map((e) => e.trim())
    .filter(Boolean);
  const body = { url: $("webhook-url").value.trim(), events: events.length ? events : ["*"] };
  let added;
  try {
    added = await json("POST", "/webhooks", body);
  } catch (e) {
    result.textContent = e.status === 403 ? `Not allowed with this key: ${e.message}` : `Refused: ${e.message}`;
    result.className = "bad";
    return;
  }
  result.textContent = `Added ${added.id} for ${added.events.join(", ")}.`;
  result.className = "";
  $("webhook-url").value = "";
  $("webhook-secret-for").textContent = `The secret that signs what ${added.url} receives:`;
  $("webhook-secret-value").textContent = added.secret;
  $("webhook-secret").hidden = false;
  $("webhook-secret").focus();
  await loadWebhooks();
}

/** Forgets the secret: it is on the page once, until dismissed. */
function hideSecret() {
  $("webhook-secret-value").textContent = "";
  $("webhook-secret").hidden = true;
}

// --- Wiring ------------------------------------------------------------------

document.addEventListener("DOMContentLoaded", () => {
  $("sign-in-form").addEventListener("submit", (e) => {
    e.preventDefault();
    signIn($("tenant").value.trim(), $("key").value.trim());
  });
  $("sign-out").addEventListener("click", () => {
    sessionStorage.clear();
    state.key = null;
    location.reload();
  });
  for (const button of document.querySelectorAll("nav button")) {
    button.addEventListener("click", () => openPage(button.dataset.page));
  }
  const submit = (id, f) =>
    $(id).addEventListener("submit", (e) => {
      e.preventDefault();
      guarded(f);
    });
  submit("sessions-filter", loadSessions);
  submit("audit-filter", loadAudit);
  submit("upload-form", upload);
  submit("notifications-form", saveNotifications);
  submit("webhook-add-form", addWebhook);
  $("audit-csv").addEventListener("click", () => guarded(downloadCsv));
  $("policies-rollback").addEventListener("click", () => guarded(rollback));
  $("webhooks-refresh").addEventListener("click", () => guarded(loadWebhooks));
  $("dead-replay").addEventListener("click", () => guarded(replay));
  $("dead-close").addEventListener("click", closeDead);
  $("webhook-secret-done").addEventListener("click", hideSecret);
  $("started-template").addEventListener("input", preview);
  $("ended-template").addEventListener("input", preview);
  setInterval(tick, 1000);
  show();
});
