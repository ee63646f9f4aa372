// withStandin (Next.js route handlers, fetch-style handlers) with web
// Request objects, in front of a real `standin serve`, a dead port and a
// server answering garbage. The handler counts its runs.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { StandinClient } from "../dist/index.js";
import { withStandin } from "../dist/fetch.js";
import { actor, deadUrl, fakeServer, startStandin } from "./standin.mjs";

let server;
let decide;
before(async () => {
  server = await startStandin();
  decide = new StandinClient({ baseUrl: server.url, tenant: "acme", apiKey: server.keys.decide });
});
after(async () => server?.stop());

function route(client, action, runs) {
  return withStandin({ client, action, session: (req) => req.headers.get("x-standin-session") }, async (req, { standin }) => {
    runs.push(action);
    return Response.json({ obligations: standin?.obligations ?? null });
  });
}

const request = (id) => new Request("http://app.example/api", { method: "POST", headers: id ? { "x-standin-session": id } : {} });

test("allowed, denied and not impersonating", async () => {
  const runs = [];
  const started = await decide.startSession({ tenant: "acme", actor: actor("u-fetch-admin", ["admin"]), target: actor("u-fetch-user", []) });
  const id = started.session.id;
  const report = await route(decide, "report.generate", runs)(request(id));
  assert.deepEqual([report.status, (await report.json()).obligations], [200, ["deliver-to-target"]]);
  const purchase = await route(decide, "billing.purchase", runs)(request(id));
  assert.equal(purchase.status, 403);
  assert.equal((await purchase.json()).error.reasons[0].code, "forbidden-action");
  const plain = await route(decide, "billing.purchase", runs)(request(undefined));
  assert.equal(plain.status, 200);
  assert.deepEqual(runs, ["report.generate", "billing.purchase"]);
});

test("Standin down or answering garbage: 503, the handler never runs", async () => {
  const runs = [];
  const garbage = await fakeServer((req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end('{"decision": "allow"}');
  });
  try {
    for (const url of [await deadUrl(), garbage.url]) {
      const client = new StandinClient({ baseUrl: url, tenant: "acme", apiKey: "k", timeoutMs: 300 });
      const answer = await route(client, "course.view", runs)(request("s-1"));
      assert.deepEqual([answer.status, (await answer.json()).error.code], [503, "standin-unavailable"]);
    }
    assert.deepEqual(runs, []);
  } finally {
    await garbage.close();
  }
});
