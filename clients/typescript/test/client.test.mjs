// The client against a real `standin serve` over loopback: a whole
// session, refusals, the API's errors as typed errors, the request id,
// and which calls are retried (against a loopback server that answers 503).
import assert from "node:assert/strict";
import { createHmac, createPublicKey, verify } from "node:crypto";
import { after, before, test } from "node:test";
import {
  StandinApiError,
  StandinClient,
  StandinProtocolError,
  StandinUnreachableError,
  StandinUploadRefusedError,
} from "../dist/index.js";
import { actor, deadUrl, fakeServer, startStandin } from "./standin.mjs";

let server;
let client;
let admin;
let audit;

before(async () => {
  server = await startStandin();
  const base = { baseUrl: server.url, tenant: server.tenant };
  client = new StandinClient({ ...base, apiKey: server.keys.decide });
  admin = new StandinClient({ ...base, apiKey: server.keys.admin });
  audit = new StandinClient({ ...base, apiKey: server.keys.audit });
});
after(async () => server?.stop());

const start = (a, t, extra = {}) => ({ tenant: "acme", actor: a, target: t, reason: "ticket SUP-1", ...extra });

test("a whole session: check, start, banner, authorize, batch, AuthZEN, extend, end, audit", async () => {
  assert.equal((await client.healthz()).status, "ok");
  assert.equal((await client.readyz()).status, "ready");
  assert.equal((await client.openapi()).openapi, "3.1.0");
  assert.deepEqual(((await client.settingsSchema()).properties).approval.enum, ["never", "always", "privileged"]);
  assert.match(await client.metrics(), /standin_http_requests_total/);
  const jwks = await client.jwks();
  assert.equal(jwks.keys[0].alg, "EdDSA");
  assert.match((await client.authzenConfiguration()).access_evaluation_endpoint, /\/v1\/tenants\/acme\/access\/v1\/evaluation$/);

  const admin1 = actor("u-admin", ["admin"]);
  const user = actor("u-user", []);
  assert.equal((await client.checkStart(start(admin1, user))).decision, "allow");

  const started = await client.startSession(start(admin1, user), { returnTo: "/admin/users" });
  assert.equal(started.outcome, "started");
  const session = started.session;
  assert.equal(session.state, "active");
  assert.equal(session.return_to, "/admin/users");
  assert.ok(session.token, "the server signs tokens");
  // The token verifies against the JWKS (EdDSA over "header.claims").
  const [head, claims, signature] = session.token.split(".");
  const header = JSON.parse(Buffer.from(head, "base64url"));
  const jwk = jwks.keys.find((k) => k.kid === header.kid);
  const key = createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, format: "jwk" });
  assert.ok(verify(null, Buffer.from(`${head}.${claims}`), key, Buffer.from(signature, "base64url")));
  const payload = JSON.parse(Buffer.from(claims, "base64url"));
  assert.deepEqual([payload.sid, payload.sub, payload.act.sub], [session.id, "u-user", "u-admin"]);
  assert.equal((await client.getSession(session.id)).id, session.id);

  const banner = await client.getBanner(session.id, { token: session.token });
  assert.deepEqual([banner.actor, banner.target, banner.state], ["u-admin", "u-user", "active"]);
  const introspection = await client.introspectToken(session.token);
  assert.deepEqual([introspection.active, introspection.sid], [true, session.id]);

  const view = await client.authorize(session.id, "course.view", "course-17");
  assert.deepEqual([view.decision, view.acting_as, view.on_behalf_of], ["allow", "u-user", "u-admin"]);
  const report = await client.authorize(session.id, "report.generate");
  assert.deepEqual(report.obligations, ["deliver-to-target"]);
  const purchase = await client.authorize(session.id, "billing.purchase");
  assert.equal(purchase.decision, "deny");
  assert.equal(purchase.reasons[0].code, "forbidden-action");

  const batch = await client.authorizeBatch([
    { session: session.id, action: "course.view" },
    { session: session.id, action: "billing.purchase" },
    { session: "s-0000000000000000", action: "course.view" },
  ]);
  assert.deepEqual(batch.results.slice(0, 2).map((r) => r.decision), ["allow", "deny"]);
  assert.equal(batch.results[2].error.code, "not-found");

  const evaluation = await client.evaluation({
    subject: { type: "impersonation_session", id: session.id },
    action: { name: "billing.purchase" },
    resource: { type: "course", id: "course-17" },
  });
  assert.equal(evaluation.decision, false);
  const evaluations = await client.evaluations({
    subject: { type: "impersonation_session", id: session.id },
    resource: { type: "course", id: "course-17" },
    evaluations: [{ action: { name: "course.view" } }, { action: { name: "billing.purchase" } }],
  });
  assert.deepEqual(evaluations.evaluations.map((e) => e.decision), [true, false]);

  const extended = await client.extendSession(session.id, 600);
  assert.equal(extended.outcome, "session");
  assert.ok((await client.listSessions({ active: true })).sessions.some((s) => s.id === session.id));
  const stats = await audit.getStats();
  assert.ok(stats.active >= 1 && stats.days.reduce((t, d) => t + d.sessions_started, 0) >= 1);

  const ended = await client.endSession(session.id, { token: session.token });
  assert.deepEqual([ended.state, ended.end_reason], ["ended", "stopped"]);
  const again = await client.endSession(session.id).catch((e) => e);
  assert.ok(again instanceof StandinApiError);
  assert.deepEqual([again.status, again.code], [409, "session-ended"]);
  const late = await client.authorize(session.id, "course.view");
  assert.deepEqual([late.decision, late.reasons[0].code], ["deny", "session-ended"]);
  assert.equal((await client.introspectToken(session.token)).active, false);

  const events = await audit.queryAudit({ session: session.id });
  const kinds = events.map((e) => e.event);
  for (const kind of ["session.started", "action.allowed", "action.denied", "session.ended"]) {
    assert.ok(kinds.includes(kind), `${kind} in ${kinds}`);
  }
  assert.match(await audit.exportAuditCsv({ session: session.id }), /action\.denied/);
  assert.equal((await audit.verifyAudit()).broken, null);
});

test("a refused start is a decision with every reason, not an error", async () => {
  const support = actor("u-support", ["support"]);
  const root = actor("u-root", ["super_admin"]);
  const check = await client.checkStart(start(support, root));
  assert.equal(check.decision, "deny");
  const started = await client.startSession(start(support, root));
  assert.equal(started.outcome, "denied");
  assert.ok(started.decision.reasons.some((r) => r.code === "target-level-not-lower"));
});

test("admin routes: policies, notifications, outbox, principals, revoke", async () => {
  const versions = await admin.listPolicies();
  assert.ok(versions.versions.length >= 1);
  assert.equal((await admin.getPolicy(1)).version, 1);
  const refused = await admin.uploadPolicy({ component_base64: "AAAA" }).catch((e) => e);
  assert.ok(refused instanceof StandinUploadRefusedError, String(refused));
  assert.equal(refused.step, "component");
  const uploaded = await admin.uploadPolicy({ settings: { impersonator_roles: ["super_admin", "admin", "support"] }, note: "t" });
  assert.equal((await admin.activatePolicy(uploaded.version)).active, true);
  assert.equal((await admin.rollbackPolicy()).version, 1);
  assert.equal(typeof (await admin.diffPolicy(uploaded.version)), "object");
  assert.equal(typeof (await admin.getNotifications()).enabled, "boolean");
  assert.equal((await admin.setNotifications({ enabled: true })).enabled, true);

  const a = actor("u-admin2", ["admin"]);
  const started = await client.startSession(start(a, actor("u-user2", [])));
  assert.ok((await audit.listOutbox()).messages.some((m) => m.session === started.session.id));
  const claimed = await admin.claimOutbox({ limit: 10 });
  assert.equal((await admin.ackOutbox(claimed.messages.map((m) => m.id))).acked, claimed.messages.length);
  const changed = await admin.updatePrincipal({ id: "u-admin2", roles: [], active: true, has_logged_in: true });
  assert.deepEqual(changed.ended.map((s) => s.id), [started.session.id]);
  const other = await client.startSession(start(actor("u-admin3", ["admin"]), actor("u-user3", [])));
  assert.equal((await admin.revokeSession(other.session.id, "left the company")).end_reason, "revoked");
  assert.deepEqual((await admin.revokeActor("u-admin3", "again")).revoked, []);
});

test("webhook endpoints: add, list, get, rotate, deliveries, replay, test, remove", async () => {
  const url = `${await deadUrl()}/hook`;
  const added = await admin.addWebhook({ url, events: ["session.*", "action.denied"], description: "ts hook" });
  assert.deepEqual([added.tenant, added.url, added.events, added.description], ["acme", url, ["session.*", "action.denied"], "ts hook"]);
  assert.match(added.id, /^wh-/);
  assert.match(added.secret, /^whsec_/);
  assert.ok((await admin.listWebhooks()).webhooks.some((w) => w.id === added.id));
  const got = await admin.getWebhook(added.id);
  assert.deepEqual([got.url, got.cursor.seq, got.cursor.attempts, "secret" in got], [url, added.cursor.seq, 0, false]);

  const rotated = await admin.rotateWebhookSecret(added.id, { overlap_seconds: 60 });
  assert.equal(rotated.id, added.id);
  assert.match(rotated.secret, /^whsec_/);
  assert.notEqual(rotated.secret, added.secret);
  assert.ok(![added.secret, rotated.secret].includes((await admin.rotateWebhookSecret(added.id)).secret));
  assert.deepEqual((await admin.listWebhookDeliveries(added.id, { status: "dead", limit: 10 })).deliveries, []);
  assert.deepEqual((await admin.listWebhookDeliveries(added.id)).deliveries, []);
  assert.equal((await admin.replayWebhooks(added.id)).replaying, 0);
  const tested = await admin.testWebhook(added.id);
  assert.deepEqual([tested.delivered, tested.status], [false, null]);
  assert.ok(tested.message_id && tested.error, JSON.stringify(tested));

  assert.equal((await admin.removeWebhook(added.id)).id, added.id);
  assert.ok(!(await admin.listWebhooks()).webhooks.some((w) => w.id === added.id));
  for (const call of ["getWebhook", "removeWebhook", "testWebhook", "replayWebhooks", "listWebhookDeliveries", "rotateWebhookSecret"]) {
    const missing = await admin[call](added.id).catch((e) => e);
    assert.ok(missing instanceof StandinApiError, `${call}: ${missing}`);
    assert.deepEqual([missing.status, missing.code], [404, "not-found"], call);
  }
  const scope = await client.listWebhooks().catch((e) => e);
  assert.deepEqual([scope.status, scope.code], [403, "forbidden"]);
});

test("a webhook test message is signed with the endpoint's secret", async () => {
  const received = new Map();
  const receiver = await fakeServer((req, res) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => {
      received.set(req.headers["webhook-id"], { timestamp: req.headers["webhook-timestamp"], signature: req.headers["webhook-signature"], body: Buffer.concat(chunks) });
      res.writeHead(204);
      res.end();
    });
  });
  const signedBy = (message, secret) => {
    const { timestamp, signature, body } = received.get(message);
    const key = Buffer.from(secret.slice("whsec_".length), "base64");
    const mac = createHmac("sha256", key).update(`${message}.${timestamp}.`).update(body).digest("base64");
    return signature.split(" ").includes(`v1,${mac}`);
  };
  const added = await admin.addWebhook({ url: `${receiver.url}/hook` });
  try {
    const first = await admin.testWebhook(added.id);
    assert.deepEqual([first.delivered, first.status, first.error], [true, 204, null]);
    assert.ok(signedBy(first.message_id, added.secret));
    assert.equal(JSON.parse(received.get(first.message_id).body).type, "webhook.test");
    const rotated = await admin.rotateWebhookSecret(added.id);
    const second = await admin.testWebhook(added.id);
    assert.ok(signedBy(second.message_id, rotated.secret) && signedBy(second.message_id, added.secret));
  } finally {
    await admin.removeWebhook(added.id);
    await receiver.close();
  }
});

const POLL = "urn:ietf:rfc:8936";
const PUSH = "urn:ietf:rfc:8935";
const CAEP = "https://schemas.openid.net/secevent/caep/event-type/";
const VERIFICATION = "https://schemas.openid.net/secevent/ssf/event-type/verification";

// A SET's claims, once its EdDSA signature verifies against the JWKS.
async function setClaims(token) {
  const [head, claims, signature] = token.split(".");
  const header = JSON.parse(Buffer.from(head, "base64url"));
  assert.deepEqual([header.alg, header.typ], ["EdDSA", "secevent+jwt"]);
  const jwk = (await client.jwks()).keys.find((k) => k.kid === header.kid);
  const key = createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, format: "jwk" });
  assert.ok(verify(null, Buffer.from(`${head}.${claims}`), key, Buffer.from(signature, "base64url")));
  return JSON.parse(Buffer.from(claims, "base64url"));
}

async function sessionStartedAndEnded(name) {
  const started = await client.startSession(start(actor(`${name}-admin`, ["admin"]), actor(`${name}-user`, [])));
  assert.equal(started.outcome, "started");
  assert.equal((await client.endSession(started.session.id)).state, "ended");
  return started.session.id;
}

test("SSF poll stream: discovery, create, read, poll and ack, status, verify, update, replace, delete", async () => {
  const discovery = await new StandinClient({ baseUrl: server.url, tenant: "acme" }).ssfConfiguration();
  assert.match(discovery.issuer, /\/acme$/);
  assert.equal(discovery.spec_version, "1_0");
  assert.ok(discovery.delivery_methods_supported.includes(POLL));
  assert.match(discovery.configuration_endpoint, /\/v1\/tenants\/acme\/ssf\/streams$/);

  const stream = await admin.createSsfStream({ delivery: { method: POLL }, description: "ts stream" });
  const id = stream.stream_id;
  assert.deepEqual([stream.iss, stream.aud, stream.delivery.method, stream.description], [discovery.issuer, ["acme"], POLL, "ts stream"]);
  assert.ok(stream.delivery.endpoint_url.endsWith(`/v1/tenants/acme/ssf/poll/${id}`), stream.delivery.endpoint_url);
  assert.deepEqual(stream.events_delivered, [`${CAEP}session-established`, `${CAEP}session-revoked`]);
  const one = await admin.getSsfStreams(id);
  assert.ok(!Array.isArray(one) && one.stream_id === id);
  const every = await admin.getSsfStreams();
  assert.ok(Array.isArray(every) && every.some((s) => s.stream_id === id));

  const session = await sessionStartedAndEnded("u-ssf");
  const first = await audit.pollSsfStream(id, { returnImmediately: true });
  assert.deepEqual([Object.keys(first.sets).length, first.moreAvailable], [2, false]);
  const claims = await Promise.all(Object.values(first.sets).map(setClaims));
  assert.deepEqual(claims.flatMap((c) => Object.keys(c.events)).sort(), [`${CAEP}session-established`, `${CAEP}session-revoked`]);
  assert.deepEqual(claims.map((c) => c.jti), Object.keys(first.sets));
  assert.ok(claims.every((c) => c.iss === discovery.issuer && c.sub_id.session.id === session));
  assert.deepEqual(Object.keys((await audit.pollSsfStream(id, { returnImmediately: true })).sets), Object.keys(first.sets));
  assert.deepEqual((await audit.pollSsfStream(id, { returnImmediately: true, ack: Object.keys(first.sets) })).sets, {});

  const paused = await admin.setSsfStatus({ stream_id: id, status: "paused", reason: "maintenance" });
  assert.deepEqual([paused.stream_id, paused.status, paused.reason], [id, "paused", "maintenance"]);
  assert.equal((await admin.getSsfStatus(id)).status, "paused");
  await sessionStartedAndEnded("u-ssf2");
  assert.deepEqual((await audit.pollSsfStream(id, { returnImmediately: true })).sets, {});
  assert.equal((await admin.setSsfStatus({ stream_id: id, status: "enabled" })).status, "enabled");
  assert.deepEqual(await admin.getSsfStatus(id), { stream_id: id, status: "enabled" });
  let held = await audit.pollSsfStream(id, { returnImmediately: true, maxEvents: 1 });
  assert.deepEqual([Object.keys(held.sets).length, held.moreAvailable], [1, true]);
  held = await audit.pollSsfStream(id, { returnImmediately: true, ack: Object.keys(held.sets) });
  assert.deepEqual([Object.keys(held.sets).length, held.moreAvailable], [1, false]);
  assert.deepEqual((await audit.pollSsfStream(id, { returnImmediately: true, ack: Object.keys(held.sets) })).sets, {});

  assert.equal(await admin.verifySsfStream({ stream_id: id, state: "ts-state" }), undefined);
  const verified = Object.values((await audit.pollSsfStream(id, { returnImmediately: true })).sets);
  assert.equal(verified.length, 1);
  assert.deepEqual((await setClaims(verified[0])).events, { [VERIFICATION]: { state: "ts-state" } });
  assert.deepEqual((await audit.pollSsfStream(id, { returnImmediately: true })).sets, {});

  const updated = await admin.updateSsfStream({ stream_id: id, events_requested: [`${CAEP}session-revoked`] });
  assert.deepEqual([updated.events_requested, updated.events_delivered], [[`${CAEP}session-revoked`], [`${CAEP}session-revoked`]]);
  const replaced = await admin.replaceSsfStream({ stream_id: id, events_requested: [] });
  assert.deepEqual([replaced.events_requested, replaced.events_delivered.length], [[], 2]);
  const unsupported = await admin.updateSsfStream({ stream_id: id, events_requested: ["urn:nope"] }).catch((e) => e);
  assert.deepEqual([unsupported.status, unsupported.code], [400, "invalid-request"]);

  assert.equal(await admin.deleteSsfStream(id), undefined);
  for (const [who, call] of [[admin, "getSsfStreams"], [admin, "deleteSsfStream"], [admin, "getSsfStatus"], [audit, "pollSsfStream"]]) {
    const missing = await who[call](id).catch((e) => e);
    assert.ok(missing instanceof StandinApiError, `${call}: ${missing}`);
    assert.deepEqual([missing.status, missing.code], [404, "not-found"], call);
  }
  const gone = await admin.verifySsfStream({ stream_id: id }).catch((e) => e);
  assert.deepEqual([gone.status, gone.code], [404, "not-found"]);
  const scope = await client.getSsfStreams().catch((e) => e);
  assert.deepEqual([scope.status, scope.code], [403, "forbidden"]);
});

test("SSF push stream: a verification SET is pushed with the receiver's Authorization", async () => {
  const received = [];
  const receiver = await fakeServer((req, res) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => {
      received.push({ type: req.headers["content-type"], authorization: req.headers.authorization, body: Buffer.concat(chunks).toString() });
      res.writeHead(202);
      res.end();
    });
  });
  const url = `${receiver.url}/ssf`;
  const stream = await admin.createSsfStream({ delivery: { method: PUSH, endpoint_url: url, authorization_header: "Bearer rx-1" }, aud: "https://rx.example" });
  try {
    assert.deepEqual([stream.delivery.method, stream.delivery.endpoint_url, stream.aud], [PUSH, url, ["https://rx.example"]]);
    await admin.verifySsfStream({ stream_id: stream.stream_id, state: "ts-push" });
    assert.equal(received.length, 1);
    assert.deepEqual([received[0].type, received[0].authorization], ["application/secevent+jwt", "Bearer rx-1"]);
    const claims = await setClaims(received[0].body);
    assert.deepEqual([claims.aud, claims.events], [["https://rx.example"], { [VERIFICATION]: { state: "ts-push" } }]);
    const polled = await audit.pollSsfStream(stream.stream_id, { returnImmediately: true }).catch((e) => e);
    assert.deepEqual([polled.status, polled.code], [400, "invalid-request"]);
  } finally {
    await admin.deleteSsfStream(stream.stream_id);
    await receiver.close();
  }
});

const TABLE = "POST /billing/** -> billing.purchase\nGET /** -> course.view";

test("forward-auth: the route table names the action, the session's policy decides", async () => {
  const table = await admin.setRoutes({ text: TABLE });
  assert.deepEqual(table.routes, [
    { method: "POST", path: "/billing/**", action: "billing.purchase" },
    { method: "GET", path: "/**", action: "course.view" },
  ]);
  assert.deepEqual(await admin.getRoutes(), table);
  const started = await client.startSession(start(actor("ts-edge-admin", ["admin"]), actor("ts-edge-user", [])));
  assert.equal(started.outcome, "started");
  const { id, token } = started.session;
  assert.ok(token, "the server signs tokens");

  const gateway = new StandinClient({ baseUrl: server.url, tenant: "acme" }); // public: no API key
  assert.deepEqual(await gateway.forwardAuth({ method: "GET", uri: "/reports", token }), {
    status: 200, allowed: true, actingAs: "ts-edge-user", onBehalfOf: "ts-edge-admin", session: id,
  });
  const denied = await gateway.forwardAuthPost({ method: "POST", uri: "/billing/charge", token });
  assert.deepEqual([denied.status, denied.allowed, denied.actingAs, denied.decision.decision], [403, false, undefined, "deny"]);
  assert.equal(denied.decision.reasons[0].code, "forbidden-action");
  const noRoute = await gateway.forwardAuth({ method: "DELETE", uri: "/reports", token });
  assert.deepEqual([noRoute.status, noRoute.allowed, noRoute.decision.reasons[0].code], [403, false, "no-route"]);
  // No impersonation token: not an impersonation, passes untouched.
  assert.deepEqual(await admin.forwardAuth({ method: "GET", uri: "/reports" }), { status: 200, allowed: true });
  assert.ok((await audit.queryAudit({ session: id })).some((e) => e.event === "action.denied"));

  const bad = await admin.setRoutes({ text: "GET /** -> course.view\nGET reports -> report.generate" }).catch((e) => e);
  assert.ok(bad instanceof StandinApiError);
  assert.deepEqual([bad.status, bad.code], [400, "invalid-request"]);
  assert.match(bad.message, /line 2/);
  const both = await admin.setRoutes({ text: TABLE, routes: table.routes }).catch((e) => e);
  assert.equal(both.status, 400);
  assert.deepEqual(await admin.getRoutes(), table);
  const scope = await client.getRoutes().catch((e) => e);
  assert.deepEqual([scope.status, scope.code], [403, "forbidden"]);
  const rules = await admin.setRoutes({ routes: [{ method: "get", path: "/**", action: "course.view" }] });
  assert.deepEqual(rules.routes, [{ method: "GET", path: "/**", action: "course.view" }]);
  await admin.setRoutes({ text: TABLE });

  await client.endSession(id);
  assert.deepEqual(await gateway.forwardAuth({ method: "GET", uri: "/reports", token }), { status: 401, allowed: false });
});

test("forward-auth sends the original request and only the token; 503 is an error", async () => {
  const seen = [];
  const fake = await fakeServer((req, res) => {
    const h = req.headers;
    seen.push([req.method, req.url, h["x-original-method"], h["x-original-uri"], h.authorization]);
    if (h["x-original-uri"] === "/down") {
      res.writeHead(503, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { code: "unavailable", message: "refuse" } }));
      return;
    }
    res.writeHead(200, { "x-standin-acting-as": "u-42" });
    res.end();
  });
  try {
    const c = new StandinClient({ baseUrl: fake.url, tenant: "acme", apiKey: "stn_api_key", retries: 0 });
    assert.equal((await c.forwardAuth({ method: "GET", uri: "/a?b=1", token: "tok" })).actingAs, "u-42");
    assert.equal((await c.forwardAuthPost({ method: "PUT", uri: "/c" })).allowed, true);
    const down = await c.forwardAuth({ method: "GET", uri: "/down", token: "tok" }).catch((e) => e);
    assert.ok(down instanceof StandinApiError);
    assert.deepEqual([down.status, down.code], [503, "unavailable"]);
  } finally {
    await fake.close();
  }
  assert.deepEqual(seen, [
    ["GET", "/v1/forward-auth", "GET", "/a?b=1", "Bearer tok"],
    ["POST", "/v1/forward-auth", "PUT", "/c", undefined],
    ["GET", "/v1/forward-auth", "GET", "/down", "Bearer tok"],
  ]);
});

test("forward-auth's Envoy form sends the original request line and only the token", async () => {
  // A loopback server: the prebuilt test binary may predate this route.
  const seen = [];
  const fake = await fakeServer((req, res) => {
    seen.push([req.method, req.url, req.headers["x-original-uri"], req.headers.authorization]);
    if (req.method === "DELETE") {
      res.writeHead(403, { "content-type": "application/json" });
      res.end(JSON.stringify({ decision: "deny", reasons: [{ code: "no-route", message: "none" }] }));
      return;
    }
    res.writeHead(200, { "x-standin-acting-as": "u-42" });
    res.end();
  });
  try {
    const c = new StandinClient({ baseUrl: fake.url, tenant: "acme", apiKey: "stn_api_key", retries: 0 });
    assert.equal((await c.forwardAuthPrefix({ method: "get", uri: "/reports/7?full=1", token: "tok" })).actingAs, "u-42");
    const refused = await c.forwardAuthPrefix({ method: "DELETE", uri: "/reports/7", token: "tok" });
    assert.deepEqual([refused.status, refused.allowed, refused.decision.reasons[0].code], [403, false, "no-route"]);
    assert.equal((await c.forwardAuthPrefix({ method: "PATCH", uri: "/c" })).allowed, true);
    await assert.rejects(c.forwardAuthPrefix({ method: "GET", uri: "reports" }), TypeError);
  } finally {
    await fake.close();
  }
  assert.deepEqual(seen, [
    ["GET", "/v1/forward-auth/reports/7?full=1", undefined, "Bearer tok"],
    ["DELETE", "/v1/forward-auth/reports/7", undefined, "Bearer tok"],
    ["PATCH", "/v1/forward-auth/c", undefined, undefined],
  ]);
});

test("API errors are typed and carry the code and the caller's request id", async () => {
  const wrong = new StandinClient({ baseUrl: server.url, tenant: "acme", apiKey: "stn_nope" });
  const error = await wrong.getSession("s-1", { requestId: "req-from-caller-1", traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" }).catch((e) => e);
  assert.ok(error instanceof StandinApiError);
  assert.deepEqual([error.status, error.code, error.requestId], [401, "unauthenticated", "req-from-caller-1"]);
  const scope = await audit.authorize("s-1", "course.view").catch((e) => e);
  assert.deepEqual([scope.status, scope.code], [403, "forbidden"]);
  const missing = await client.getSession("s-0000000000000000").catch((e) => e);
  assert.deepEqual([missing.status, missing.code], [404, "not-found"]);
});

test("GET is retried after a 503, POST never is", async () => {
  let gets = 0;
  let posts = 0;
  const fake = await fakeServer((req, res) => {
    if (req.method === "GET") gets++;
    else posts++;
    res.writeHead(503, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: { code: "unavailable", message: "down" } }));
  });
  try {
    const c = new StandinClient({ baseUrl: fake.url, tenant: "acme", apiKey: "k", retries: 2, retryDelayMs: () => 1 });
    const get = await c.getSession("s-1").catch((e) => e);
    assert.deepEqual([get.status, get.code, gets], [503, "unavailable", 3]);
    const post = await c.authorize("s-1", "course.view").catch((e) => e);
    assert.deepEqual([post.status, posts], [503, 1]);
  } finally {
    await fake.close();
  }
});

test("down, slow and garbage servers are errors, never decisions", async () => {
  const down = new StandinClient({ baseUrl: await deadUrl(), tenant: "acme", apiKey: "k", retries: 0 });
  const d = await down.authorize("s-1", "course.view").catch((e) => e);
  assert.ok(d instanceof StandinUnreachableError);
  assert.equal(d.kind, "network");

  const slow = await fakeServer(() => {});
  const garbage = await fakeServer((req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(req.url.includes("authorize") ? '{"decision": "yes", "reasons": []}' : "<html>");
  });
  try {
    const s = new StandinClient({ baseUrl: slow.url, tenant: "acme", apiKey: "k", timeoutMs: 200 });
    const e = await s.authorize("s-1", "course.view").catch((x) => x);
    assert.ok(e instanceof StandinUnreachableError);
    assert.equal(e.kind, "timeout");
    const g = new StandinClient({ baseUrl: garbage.url, tenant: "acme", apiKey: "k" });
    assert.ok((await g.authorize("s-1", "course.view").catch((x) => x)) instanceof StandinProtocolError);
    assert.ok((await g.getSession("s-1").catch((x) => x)) instanceof StandinProtocolError);
  } finally {
    await slow.close();
    await garbage.close();
  }
});
