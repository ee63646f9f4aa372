// The settings form of the Policies page: made from the default policy's
// settings schema (GET /v1/settings-schema, generated from the code that
// reads the settings), so a tenant admin edits labelled fields with their
// descriptions, defaults and rule ids instead of JSON key names. Checked
// here before anything is sent (the field is named); stored as a new,
// inactive version, replayed against the trail ("what would change"),
// and activated only when the admin says so. Only the fields that differ
// from their defaults are stored. Loaded after console.js, whose helpers
// ($, el, json, say, state, diff, activate, loadPolicies) it uses.
"use strict";

const settingsForm = { schema: null, digest: null, fields: [], stored: null };

/**
 * The schema of the active policy's settings, once per active component:
 * the built-in policy's, or what a custom component publishes; null when
 * it publishes none (its settings are then edited as JSON).
 */
async function settingsSchema(digest) {
  if (settingsForm.digest !== digest) {
    try {
      settingsForm.schema = await json("GET", "/settings-schema");
    } catch (e) {
      if (e.status !== 404) throw e;
      settingsForm.schema = null;
    }
    settingsForm.digest = digest;
  }
  return settingsForm.schema;
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const fieldId = (name) => `set-${name.replaceAll("_", "-")}`;

/** The editor of one field; `read()` gives its value or throws a message. */
function editor(name, p, value) {
  const id = fieldId(name);
  const types = [].concat(p.type);
  let input;
  let read;
  if (p.enum) {
    input = el("select", { id }, ...p.enum.map((v) => el("option", { value: v }, v)));
    input.value = value;
    read = () => input.value;
  } else if (types.includes("boolean")) {
    input = el("input", { id, type: "checkbox" });
    input.checked = Boolean(value);
    read = () => input.checked;
  } else if (types.includes("integer")) {
    input = el("input", { id, type: "number", step: "1", min: p.minimum, max: p.maximum, inputmode: "numeric" });
    input.value = value === null || value === undefined ? "" : String(value);
    read = () => {
      // Empty means none, for a field that may be null (an idle timeout).
      if (input.value.trim() === "" && types.includes("null")) return null;
      const n = Number(input.value);
      if (input.value.trim() === "" || !Number.isInteger(n)) throw "must be a whole number";
      if (p.minimum !== undefined && n < p.minimum) throw `must be at least ${p.minimum}`;
      if (p.maximum !== undefined && n > p.maximum) throw `must be at most ${p.maximum}`;
      return n;
    };
  } else if (types.includes("array")) {
    const items = Array.isArray(value) ? value : [];
    input = el("textarea", { id, rows: String(Math.max(2, Math.min(6, items.length + 1))), spellcheck: "false" });
    input.value = items.join("\n");
    read = () => {
      const items = input.value.split("\n").map((s) => s.trim()).filter(Boolean);
      const twice = items.find((x, i) => items.indexOf(x) !== i);
      if (twice) throw `lists \`${twice}\` twice`;
      return items;
    };
  } else if (types.includes("object")) {
    return levels(name, p, value);
  } else {
    input = el("input", { id, spellcheck: "false" });
    input.value = value ?? "";
    read = () => (input.value.trim() === "" && types.includes("null") ? null : input.value.trim());
  }
  return { name, focus: input, node: input, read };
}

/** `role_levels`: a table of roles and levels, rows added and removed. */
function levels(name, p, value) {
  const id = fieldId(name);
  const body = el("tbody", { id: `${id}-rows` });
  const row = (role = "", level = "") => {
    const r = el("input", { "aria-label": "Role", value: role, spellcheck: "false" });
    const l = el("input", { "aria-label": "Level", type: "number", min: "0", step: "1", value: String(level) });
    const tr = el("tr", {}, el("td", {}, r), el("td", {}, l));
    tr.append(el("td", {}, el("button", { type: "button", onclick: () => tr.remove() }, "Remove")));
    body.append(tr);
    return r;
  };
  for (const [role, level] of Object.entries(value || {})) row(role, level);
  const add = el("button", { type: "button", id: `${id}-add`, onclick: () => row().focus() }, "Add a role");
  const table = el(
    "table",
    { id, class: "levels" },
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Role"), el("th", { scope: "col" }, "Level"), el("td", {}))),
    body,
  );
  const read = () => {
    const out = {};
    for (const tr of body.querySelectorAll("tr")) {
      const [r, l] = tr.querySelectorAll("input");
      const role = r.value.trim();
      if (!role) throw "every row needs a role";
      if (role in out) throw `lists role \`${role}\` twice`;
      const n = Number(l.value);
      if (l.value.trim() === "" || !Number.isInteger(n) || n < 0) throw `role \`${role}\`: a level is a whole number, 0 or more`;
      out[role] = n;
    }
    return out;
  };
  return { name, focus: add, node: el("div", {}, table, add), read };
}

/** Builds the form from the schema and the active version's settings. */
async function loadSettingsForm() {
  const active = state.versions.find((v) => v.active);
  const schema = await settingsSchema(active ? active.digest : null);
  // A custom component's form is its own schema's; one without a schema
  // is edited as JSON (the upload form).
  $("settings-custom").hidden = Boolean(schema);
  $("settings-form").hidden = !schema;
  if (!schema) return;
  settingsForm.component = active && active.policy && active.policy.name !== "standin-default" ? active.digest : null;
  let current = {};
  try {
    current = active ? JSON.parse(active.settings) : {};
  } catch (_) {
    current = {};
  }
  const fields = $("settings-fields");
  settingsForm.fields = [];
  const rows = [];
  const order = schema["x-standin-order"] || Object.keys(schema.properties);
  for (const name of order) {
    const p = schema.properties[name];
    if (!p) continue;
    const value = name in current ? current[name] : p.default;
    const f = editor(name, p, value);
    f.default = p.default;
    settingsForm.fields.push(f);
    const help = el(
      "small",
      { id: `${fieldId(name)}-help`, class: "muted" },
      `${p.description || ""}` +
        ("default" in p ? ` Default: ${JSON.stringify(p.default)}.` : "") +
        (p["x-standin-rules"] ? ` Rules: ${p["x-standin-rules"].join(", ")}.` : "") +
        ([].concat(p.type).includes("array") ? " One per line." : ""),
    );
    const error = el("small", { id: `${fieldId(name)}-error`, class: "bad field-error" });
    f.focus.setAttribute("aria-describedby", `${fieldId(name)}-help ${fieldId(name)}-error`);
    const label = f.node.tagName === "DIV"
      ? el("span", { class: "label", id: `${fieldId(name)}-label` }, name)
      : el("label", { for: fieldId(name) }, name);
    if (f.node.tagName === "DIV") f.node.querySelector("table").setAttribute("aria-labelledby", `${fieldId(name)}-label`);
    rows.push(el("div", { class: "field", "data-field": name }, label, f.node, help, error));
  }
  fields.replaceChildren(...rows);
  $("settings-json").textContent = JSON.stringify(current, null, 2);
  $("settings-result").textContent = "";
  $("settings-activate").hidden = true;
}

/** The settings the form says, or null after marking what is wrong. */
function readSettingsForm() {
  const out = {};
  let first = null;
  for (const f of settingsForm.fields) {
    const error = $(`${fieldId(f.name)}-error`);
    error.textContent = "";
    f.focus.removeAttribute("aria-invalid");
    try {
      const value = f.read();
      if (!same(value, f.default)) out[f.name] = value;
    } catch (message) {
      error.textContent = `${f.name} ${message}`;
      f.focus.setAttribute("aria-invalid", "true");
      first = first || f;
    }
  }
  const ttl = (n) => out[n] ?? settingsForm.fields.find((f) => f.name === n)?.default;
  if (!first && ttl("default_ttl_seconds") > ttl("max_ttl_seconds")) {
    const f = settingsForm.fields.find((x) => x.name === "default_ttl_seconds");
    $(`${fieldId(f.name)}-error`).textContent = "default_ttl_seconds must not be above max_ttl_seconds";
    f.focus.setAttribute("aria-invalid", "true");
    first = f;
  }
  if (first) {
    say(`Not sent: ${$(`${fieldId(first.name)}-error`).textContent}.`, true);
    first.focus.focus();
    return null;
  }
  return out;
}

/** Stores the form's settings as an inactive version and replays it. */
async function previewSettings() {
  const settings = readSettingsForm();
  if (!settings) return;
  $("settings-json").textContent = JSON.stringify(settings, null, 2);
  const result = $("settings-result");
  try {
    const body = { settings, activate: false, note: "settings form" };
    if (settingsForm.component) body.component_digest = settingsForm.component;
    settingsForm.stored = await json("POST", "/policies", body);
  } catch (e) {
    result.textContent = e.step ? `Refused at step "${e.step}": ${e.message}` : e.message;
    result.className = "bad";
    return;
  }
  result.textContent = `Stored as version ${settingsForm.stored.version} (not active yet). What would change is below.`;
  result.className = "";
  await loadPolicies();
  await diff(settingsForm.stored);
  $("settings-activate").hidden = false;
  $("settings-activate").textContent = `Activate version ${settingsForm.stored.version}`;
  $("settings-activate").focus();
}

async function activateSettings() {
  if (!settingsForm.stored) return;
  await activate(settingsForm.stored);
  settingsForm.stored = null;
  $("settings-activate").hidden = true;
}

document.addEventListener("DOMContentLoaded", () => {
  $("settings-form").addEventListener("submit", (e) => {
    e.preventDefault();
    guarded(previewSettings);
  });
  $("settings-activate").addEventListener("click", () => guarded(activateSettings));
});
