// The Express middleware in a real Express 5 app, in front of a real
// `standin serve` (and, for failures, a dead port, a server that never
// answers and one that answers garbage). The route handlers count their
// runs: a request that is not allowed must never reach one.
import assert from "node:assert/strict";
import { after, before, beforeEach, test } from "node:test";
import express from "express";
import { StandinClient } from "../dist/index.js";
import { standinGuard } from "../dist/express.js";
import { SETTINGS, actor, deadUrl, fakeServer, startStandin } from "./standin.mjs";

let server;
let decide;
let runs;

before(async () => {
  server = await startStandin();
  decide = new StandinClient({ baseUrl: server.url, tenant: "acme", apiKey: server.keys.decide });
});
after(async () => server?.stop());
beforeEach(() => {
  runs = 0;
});

/** An app whose impersonation session travels in the `x-standin-session` header. */
async function app(client, ended = []) {
  const guard = standinGuard({
    client,
    session: (req) => req.get("x-standin-session"),
    resource: (req) => req.params.id,
    onSessionEnded: (req) => ended.push(req.get("x-standin-session")),
  });
  const a = express();
  a.get("/courses/:id", guard("course.view"), (req, res) => {
    runs++;
    res.json({ ok: true, standin: req.standin ?? null });
  });
  a.post("/billing/purchase", guard("billing.purchase"), (req, res) => {
    runs++;
    res.json({ bought: true });
  });
  a.get("/reports/:id", guard("report.generate"), (req, res) => {
    runs++;
    res.json({ obligations: req.standin.obligations });
  });
  a.get("/unmapped", guard(() => undefined), (req, res) => {
    runs++;
    res.json({});
  });
  const listener = await new Promise((resolve) => {
    const l = a.listen(0, "127.0.0.1", () => resolve(l));
  });
  return {
    url: `http://127.0.0.1:${listener.address().port}`,
    close: () => new Promise((resolve) => listener.close(resolve)),
  };
}

async function session() {
  const started = await decide.startSession({
    tenant: "acme",
    reason: "ticket SUP-2",
    actor: actor(`u-admin-${Math.random().toString(36).slice(2)}`, ["admin"]),
    target: actor("u-user", []),
  });
  assert.equal(started.outcome, "started");
  return started.session.id;
}

const get = (url, id, init = {}) =>
  fetch(url, { ...init, headers: id ? { "x-standin-session": id } : {} }).then(async (r) => ({ status: r.status, body: await r.json() }));

test("not impersonating: the route runs without asking Standin", async () => {
  const a = await app(decide);
  try {
    const r = await get(`${a.url}/billing/purchase`, undefined, { method: "POST" });
    assert.deepEqual([r.status, r.body.bought, runs], [200, true, 1]);
  } finally {
    await a.close();
  }
});

test("allowed: the route runs with req.standin and its obligations", async () => {
  const a = await app(decide);
  try {
    const id = await session();
    const r = await get(`${a.url}/courses/course-17`, id);
    assert.equal(r.status, 200);
    assert.deepEqual([r.body.standin.session, r.body.standin.actingAs, r.body.standin.action], [id, "u-user", "course.view"]);
    const report = await get(`${a.url}/reports/goals`, id);
    assert.deepEqual(report.body.obligations, ["deliver-to-target"]);
    assert.equal(r.body.standin.doNotTrack, false);
    assert.equal(runs, 2);
    const trail = await new StandinClient({ baseUrl: server.url, tenant: "acme", apiKey: server.keys.audit }).queryAudit({ session: id });
    assert.ok(trail.some((e) => e.event === "action.allowed" && e.resource === "course-17"));
  } finally {
    await a.close();
  }
});

test("denied: 403 with the reasons, the route does not run", async () => {
  const a = await app(decide);
  try {
    const r = await get(`${a.url}/billing/purchase`, await session(), { method: "POST" });
    assert.equal(r.status, 403);
    assert.equal(r.body.error.code, "impersonation-denied");
    assert.equal(r.body.error.reasons[0].code, "forbidden-action");
    const unmapped = await get(`${a.url}/unmapped`, await session());
    assert.deepEqual([unmapped.status, unmapped.body.error.reasons[0].code], [403, "action-unmapped"]);
    assert.equal(runs, 0);
  } finally {
    await a.close();
  }
});

test("ended session: 403 session-ended, onSessionEnded told, the route does not run", async () => {
  const ended = [];
  const a = await app(decide, ended);
  try {
    const id = await session();
    await decide.endSession(id);
    const r = await get(`${a.url}/courses/course-17`, id);
    assert.deepEqual([r.status, r.body.error.reasons[0].code, runs], [403, "session-ended", 0]);
    assert.deepEqual(ended, [id]);
  } finally {
    await a.close();
  }
});

test("Standin down, slow or answering garbage: 503, never an allow", async () => {
  const slow = await fakeServer(() => {});
  const garbage = await fakeServer((req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end('{"decision": "allow"}');
  });
  const html = await fakeServer((req, res) => {
    res.writeHead(200, { "content-type": "text/html" });
    res.end("<html>allow</html>");
  });
  try {
    for (const [name, url] of [["down", await deadUrl()], ["slow", slow.url], ["garbage", garbage.url], ["html", html.url]]) {
      const a = await app(new StandinClient({ baseUrl: url, tenant: "acme", apiKey: "k", timeoutMs: 300 }));
      try {
        for (const path of ["/courses/course-17", "/reports/r"]) {
          const r = await get(`${a.url}${path}`, "s-1");
          assert.deepEqual([name, r.status, r.body.error.code], [name, 503, "standin-unavailable"]);
        }
      } finally {
        await a.close();
      }
    }
    assert.equal(runs, 0);
  } finally {
    await slow.close();
    await garbage.close();
    await html.close();
  }
});

test("dt1: a do-not-track tenant's requests say so (req.standin.doNotTrack)", async () => {
  const dnt = await startStandin({ settings: { ...SETTINGS, do_not_track: true } });
  const client = new StandinClient({ baseUrl: dnt.url, tenant: "acme", apiKey: dnt.keys.decide });
  const a = await app(client);
  try {
    const started = await client.startSession({
      tenant: "acme",
      reason: "ticket SUP-3",
      actor: actor("u-admin-dnt", ["admin"]),
      target: actor("u-user", []),
    });
    assert.equal(started.outcome, "started");
    const r = await get(`${a.url}/courses/course-17`, started.session.id);
    assert.equal(r.status, 200);
    assert.equal(r.body.standin.doNotTrack, true);
    assert.ok(r.body.standin.obligations.includes("do-not-track"), JSON.stringify(r.body));
  } finally {
    await a.close();
    dnt.stop();
  }
});

