// The overview, the console's first page: what is happening at a glance.
// Sessions active and pending now; sessions started per day and decisions
// per day (allowed and denied) over 30 days; denials by reason code; who
// impersonates most and who is impersonated most. Each chart is inline
// SVG drawn here (no chart library, nothing fetched), labelled for screen
// readers, with the same numbers as a table beside it. The numbers come
// from `GET .../stats` alone. Loaded after console.js, whose helpers ($,
// el, json, say) it uses.
"use strict";

const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  for (const c of children) node.append(c);
  return node;
}

/**
 * Bars per day: `series` is [{label, values: [n, ...]}] stacked in the
 * order of `keys` ({name, cls}); a title and a description for assistive
 * technology, the numbers being in the table beside it.
 */
function barChart(id, title, days, keys) {
  const width = 640;
  const height = 180;
  const pad = { left: 36, bottom: 22, top: 8 };
  const max = Math.max(1, ...days.map((d) => keys.reduce((t, k) => t + d[k.name], 0)));
  const step = (width - pad.left) / Math.max(1, days.length);
  const bar = Math.max(2, step * 0.7);
  const y = (n) => ((height - pad.bottom - pad.top) * n) / max;
  const total = days.reduce((t, d) => t + keys.reduce((s, k) => s + d[k.name], 0), 0);
  const chart = svg(
    "svg",
    { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": `${id}-t ${id}-d`, class: "chart" },
    svg("title", { id: `${id}-t` }, title),
    svg("desc", { id: `${id}-d` }, `${total} in ${days.length} days, at most ${max} on one day; the table below has each day.`),
  );
  chart.append(svg("line", { x1: pad.left, x2: width, y1: height - pad.bottom, y2: height - pad.bottom, class: "axis" }));
  chart.append(svg("text", { x: pad.left - 6, y: pad.top + 10, "text-anchor": "end", class: "tick" }, String(max)));
  chart.append(svg("text", { x: pad.left - 6, y: height - pad.bottom, "text-anchor": "end", class: "tick" }, "0"));
  days.forEach((d, i) => {
    let base = height - pad.bottom;
    for (const k of keys) {
      const h = y(d[k.name]);
      if (h > 0) {
        chart.append(
          svg("rect", { x: pad.left + i * step + (step - bar) / 2, y: base - h, width: bar, height: h, class: k.cls },
            svg("title", {}, `${d.day}: ${d[k.name]} ${k.label}`)),
        );
      }
      base -= h;
    }
    if (i === days.length - 1 || (i % 7 === 0 && days.length - 1 - i >= 3)) {
      chart.append(svg("text", { x: pad.left + i * step + step / 2, y: height - 6, "text-anchor": "middle", class: "tick" }, d.day.slice(5)));
    }
  });
  return chart;
}

/** Horizontal bars of `counts` ([{key, count}]). */
function rankChart(id, title, counts) {
  const width = 640;
  const row = 22;
  const left = 170;
  const height = Math.max(1, counts.length) * row + 6;
  const max = Math.max(1, ...counts.map((c) => c.count));
  const chart = svg(
    "svg",
    { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": `${id}-t ${id}-d`, class: "chart" },
    svg("title", { id: `${id}-t` }, title),
    svg("desc", { id: `${id}-d` }, counts.length ? counts.map((c) => `${c.key}: ${c.count}`).join("; ") : "none"),
  );
  counts.forEach((c, i) => {
    const w = ((width - left - 40) * c.count) / max;
    chart.append(
      svg("text", { x: left - 8, y: i * row + 16, "text-anchor": "end", class: "tick" }, c.key),
      svg("rect", { x: left, y: i * row + 4, width: Math.max(1, w), height: row - 8, class: "deny" }),
      svg("text", { x: left + w + 6, y: i * row + 16, class: "tick" }, String(c.count)),
    );
  });
  return chart;
}

function dataTable(caption, head, rows) {
  return el(
    "table",
    { tabindex: "0" },
    el("caption", { class: "sr-only" }, caption),
    el("thead", {}, el("tr", {}, ...head.map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, ...rows.map((r) => el("tr", {}, ...r.map((c, i) => (i === 0 ? el("th", { scope: "row" }, String(c)) : el("td", {}, String(c))))))),
  );
}

/** A chart with its table, folded under "As a table". */
function chartFigure(id, title, chart, tableNode) {
  return el(
    "figure",
    { id, class: "figure" },
    el("figcaption", {}, title),
    chart,
    el("details", {}, el("summary", {}, "As a table"), tableNode),
  );
}

async function loadOverview() {
  const s = await json("GET", "/stats");
  $("overview-active").textContent = String(s.active);
  $("overview-pending").textContent = String(s.pending);
  $("overview-range").textContent = `${s.first_day} to ${s.last_day} (UTC)`;
  const started = s.days.reduce((t, d) => t + d.sessions_started, 0);
  const allowed = s.days.reduce((t, d) => t + d.actions_allowed, 0);
  const denied = s.days.reduce((t, d) => t + d.actions_denied, 0);
  $("overview-started").textContent = String(started);
  $("overview-decisions").textContent = `${allowed} allowed, ${denied} denied`;
  const figures = [
    chartFigure(
      "fig-sessions",
      "Sessions started per day",
      barChart("chart-sessions", "Sessions started per day", s.days, [{ name: "sessions_started", cls: "allow", label: "started" }]),
      dataTable("Sessions started per day", ["Day", "Started", "Refused"], s.days.map((d) => [d.day, d.sessions_started, d.starts_denied])),
    ),
    chartFigure(
      "fig-decisions",
      "Decisions per day: allowed and denied",
      barChart("chart-decisions", "Actions allowed and denied per day", s.days, [
        { name: "actions_allowed", cls: "allow", label: "allowed" },
        { name: "actions_denied", cls: "deny", label: "denied" },
      ]),
      dataTable("Decisions per day", ["Day", "Allowed", "Denied"], s.days.map((d) => [d.day, d.actions_allowed, d.actions_denied])),
    ),
    chartFigure(
      "fig-denials",
      "Denials by reason",
      rankChart("chart-denials", "Denials by reason code", s.denials),
      dataTable("Denials by reason", ["Code", "Denials"], s.denials.map((c) => [c.key, c.count])),
    ),
    chartFigure(
      "fig-actors",
      "Who impersonates most",
      rankChart("chart-actors", "Sessions started by actor", s.top_actors),
      dataTable("Sessions started by actor", ["Actor", "Sessions"], s.top_actors.map((c) => [c.key, c.count])),
    ),
    chartFigure(
      "fig-targets",
      "Who is impersonated most",
      rankChart("chart-targets", "Sessions started by target", s.top_targets),
      dataTable("Sessions started by target", ["Target", "Sessions"], s.top_targets.map((c) => [c.key, c.count])),
    ),
  ];
  $("overview-figures").replaceChildren(...figures);
  say(`Activity ${s.first_day} to ${s.last_day}`);
}
