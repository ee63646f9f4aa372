// A session's story: what the admin did while acting as the user, in
// order (the start with its reason, policy version and decision, every
// action allowed or denied with its codes, extensions, approval, the end
// and why), read from the session's own audit events; the banner the
// impersonating admin sees while it runs; and the session's events to
// download (JSON Lines or CSV). Loaded after console.js, whose helpers
// ($, el, call, json, say, state, when) it uses.
"use strict";

const timeline = { id: null, events: [] };

/** One line of the story for an audit event. */
function storyOf(e) {
  const codes = (e.codes || []).length ? ` (${e.codes.join(", ")})` : "";
  const on = e.resource ? ` on ${e.resource}` : "";
  switch (e.event) {
    case "session.requested":
      return `${e.actor} asked to act as ${e.target}${e.reason ? `: "${e.reason}"` : ""}; waiting for approval`;
    case "session.started":
      return `${e.actor} started acting as ${e.target}${e.reason ? `: "${e.reason}"` : ""}` +
        `${e.policy ? `, policy version ${e.policy.version}` : ""}`;
    case "session.denied":
      return `${e.actor} was refused acting as ${e.target}${codes}`;
    case "action.allowed":
      return `allowed ${e.action}${on}${(e.obligations || []).length ? ` [${e.obligations.join(", ")}]` : ""}`;
    case "action.denied":
      return `denied ${e.action}${on}${codes}`;
    case "session.extended":
      return `extended${e.expires_at ? ` to ${when(e.expires_at)}` : ""}`;
    case "session.approved":
      return `approved${e.note ? ` (${e.note})` : ""}`;
    case "session.ended":
      return `ended (${e.end_reason || "ended"})${e.end_reason === "revoked" && e.note ? `: "${e.note}"` : ""}`;
    default:
      return `${e.event}${codes}`;
  }
}

async function openTimeline(id) {
  const path = `/sessions/${encodeURIComponent(id)}`;
  const [session, text] = await Promise.all([json("GET", path), call("GET", `/audit?session=${encodeURIComponent(id)}`)]);
  timeline.id = id;
  timeline.events = text.split("\n").filter(Boolean).map((line) => JSON.parse(line));
  $("timeline-title").textContent = `Session ${id}: ${session.actor} as ${session.target}`;
  $("timeline-facts").textContent =
    `${session.state === "ended" ? `Ended (${session.end_reason})` : session.state}; started ${when(session.started_at)}` +
    `, ${session.state === "ended" ? "ended" : "expires"} ${when(session.ended_at || session.expires_at)}` +
    `${session.reason ? `; reason "${session.reason}"` : ""}` +
    // A scoped session (SC1) and its idle timeout (IT1).
    `${session.scope ? `; only ${session.scope.actions.join(", ")}` : ""}` +
    `${session.scope && session.scope.resources ? ` on ${session.scope.resources.join(", ")}` : ""}` +
    `${session.idle_timeout_seconds ? `; ends after ${session.idle_timeout_seconds} s without an action` : ""}.`;
  const items = timeline.events.map((e) =>
    el(
      "li",
      { "data-seq": String(e.seq), class: e.event.replace(".", "-") },
      el("time", { datetime: e.at }, when(e.at)),
      " ",
      storyOf(e),
    ),
  );
  $("timeline-events").replaceChildren(...items);
  // The banner, live, as the impersonating admin sees it on the platform's pages.
  const banner = $("timeline-banner");
  banner.replaceChildren();
  if (session.state === "active") {
    banner.append(
      el("p", { class: "muted" }, "The banner the impersonating admin sees now:"),
      el("standin-banner", { tenant: state.tenant, session: id, token: state.key }),
    );
  }
  $("timeline").hidden = false;
  $("timeline-title").focus();
  say(`${items.length} event${items.length === 1 ? "" : "s"} in session ${id}`);
}

function closeTimeline() {
  $("timeline").hidden = true;
  $("timeline-banner").replaceChildren();
  timeline.id = null;
}

/** The session's events as a file: JSON Lines as exported, or CSV. */
function exportTimeline(format) {
  const columns = ["seq", "at", "event", "actor", "target", "action", "resource", "codes", "reason", "end_reason"];
  const cell = (v) => {
    let s = Array.isArray(v) ? v.join(" ") : v === undefined || v === null ? "" : String(v);
    // A spreadsheet would run a cell that starts like a formula.
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  const body =
    format === "csv"
      ? [columns.join(","), ...timeline.events.map((e) => columns.map((c) => cell(e[c])).join(","))].join("\r\n")
      : timeline.events.map((e) => JSON.stringify(e)).join("\n");
  const link = el("a", {
    id: "timeline-link",
    href: URL.createObjectURL(new Blob([body], { type: format === "csv" ? "text/csv" : "application/jsonl" })),
    download: `session-${timeline.id}.${format === "csv" ? "csv" : "jsonl"}`,
    hidden: "",
  });
  $("timeline-link")?.remove();
  document.body.append(link);
  link.click();
  say(`Session ${timeline.id} downloaded as ${format === "csv" ? "CSV" : "JSON Lines"}.`);
}

document.addEventListener("DOMContentLoaded", () => {
  $("timeline-close").addEventListener("click", closeTimeline);
  $("timeline-jsonl").addEventListener("click", () => exportTimeline("jsonl"));
  $("timeline-csv").addEventListener("click", () => exportTimeline("csv"));
});
