// The token exchange (RFC 8693) and the trusted issuers against a real
// `standin serve`. The identity provider is made up here: an Ed25519 key
// whose public half is the issuer's JWKS, and JWTs signed with it by hand.
import assert from "node:assert/strict";
import { generateKeyPairSync, sign } from "node:crypto";
import { after, before, test } from "node:test";
import { StandinApiError, StandinClient, StandinTokenExchangeError } from "../dist/index.js";
import { fakeServer, startStandin } from "./standin.mjs";

const ISSUER = "https://idp.example.test";
const AUDIENCE = "standin-ts";
const JWT = "urn:ietf:params:oauth:token-type:jwt";

const b64 = (data) => Buffer.from(data).toString("base64url");

function idp(issuer = ISSUER, kid = "k1") {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const jwks = { keys: [{ ...publicKey.export({ format: "jwk" }), kid, alg: "EdDSA", use: "sig" }] };
  return {
    jwks,
    // Roles where Keycloak puts realm roles: the claim map says so.
    issuer: () => ({ issuer, audience: AUDIENCE, jwks, claims: { roles: "/realm_access/roles" } }),
    token(sub, roles = []) {
      const now = Math.floor(Date.now() / 1000);
      const header = { alg: "EdDSA", kid, typ: "JWT" };
      const body = { iss: issuer, aud: AUDIENCE, sub, iat: now, exp: now + 300, realm_access: { roles } };
      const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(body))}`;
      return `${input}.${b64(sign(null, Buffer.from(input), privateKey))}`;
    },
  };
}

let server;
let client;
let admin;
const provider = idp();

before(async () => {
  server = await startStandin();
  const base = { baseUrl: server.url, tenant: server.tenant };
  client = new StandinClient({ ...base, apiKey: server.keys.decide });
  admin = new StandinClient({ ...base, apiKey: server.keys.admin });
  await admin.setTokenIssuers({ issuers: [provider.issuer()] });
});
after(async () => server?.stop());

test("token issuers are set and read back; a shared secret is refused", async () => {
  const { issuers } = await admin.getTokenIssuers();
  assert.deepEqual(issuers.map((i) => [i.issuer, i.audience, i.claims]), [[ISSUER, AUDIENCE, { roles: "/realm_access/roles" }]]);
  assert.equal(issuers[0].jwks.keys[0].x, provider.jwks.keys[0].x);
  const oct = { issuer: "https://hs.test", audience: AUDIENCE, jwks: { keys: [{ kty: "oct", k: "c2VjcmV0" }] } };
  const refused = await admin.setTokenIssuers({ issuers: [provider.issuer(), oct] }).catch((e) => e);
  assert.ok(refused instanceof StandinApiError);
  assert.deepEqual([refused.status, refused.code], [400, "invalid-request"]);
  assert.match(refused.message, /issuer 2/);
  assert.deepEqual((await admin.getTokenIssuers()).issuers.map((i) => i.issuer), [ISSUER]);
  const scope = await client.getTokenIssuers().catch((e) => e);
  assert.equal(scope.status, 403);
});

test("an allowed exchange issues an impersonation token", async () => {
  const exchanged = await client.exchangeToken({
    subject_token: provider.token("ts-x-user"),
    actor_token: provider.token("ts-x-admin", ["super_admin"]),
    reason: "ticket SUP-7",
    ttl_seconds: 600,
  });
  assert.equal(exchanged.outcome, "issued");
  const { token } = exchanged;
  assert.deepEqual([token.token_type, token.issued_token_type], ["Bearer", "urn:ietf:params:oauth:token-type:access_token"]);
  assert.ok(token.expires_in > 0 && token.expires_in <= 600);
  const session = await client.getSession(token.session_id);
  assert.deepEqual([session.actor, session.target, session.state], ["ts-x-admin", "ts-x-user", "active"]);
  const introspected = await client.introspectToken(token.access_token);
  assert.deepEqual([introspected.active, introspected.sid, introspected.sub, introspected.act?.sub], [true, token.session_id, "ts-x-user", "ts-x-admin"]);
  await client.endSession(token.session_id, { token: token.access_token }); // one session at a time (E7)
  const asJwt = await client.exchangeToken({
    subject_token: provider.token("ts-x-user2"),
    actor_token: provider.token("ts-x-admin", ["super_admin"]),
    reason: "ticket SUP-8",
    requested_token_type: JWT,
    audience: "acme",
  });
  assert.equal(asJwt.outcome, "issued");
  assert.equal(asJwt.token.issued_token_type, JWT);
});

test("a refused exchange is denied with the policy's reasons, not thrown", async () => {
  const denied = await client.exchangeToken({
    subject_token: provider.token("ts-x-user"),
    actor_token: provider.token("ts-x-nobody"),
    reason: "ticket SUP-9",
  });
  assert.equal(denied.outcome, "denied");
  assert.equal(denied.error.error, "invalid_grant");
  assert.ok(denied.error.error_description);
  assert.ok(denied.error.reasons.some((r) => r.code === "not-permitted"));
  assert.ok(denied.error.policy);
});

test("OAuth errors that are not about the grant throw StandinTokenExchangeError", async () => {
  const stranger = idp("https://stranger.test");
  const untrusted = await client
    .exchangeToken({ subject_token: provider.token("ts-x-user"), actor_token: stranger.token("ts-x-admin", ["super_admin"]), reason: "r" })
    .catch((e) => e);
  assert.ok(untrusted instanceof StandinTokenExchangeError && untrusted instanceof StandinApiError);
  assert.deepEqual([untrusted.status, untrusted.code, untrusted.error], [400, "invalid_request", "invalid_request"]);
  assert.match(untrusted.errorDescription, /`actor_token`.*not a trusted issuer/);
  assert.equal(untrusted.answer.error, "invalid_request");
  const target = await client
    .exchangeToken({ subject_token: provider.token("ts-x-user"), actor_token: provider.token("ts-x-admin", ["super_admin"]), audience: "globex" })
    .catch((e) => e);
  assert.equal(target.error, "invalid_target");
  const unknown = await client
    .exchangeToken({ subject_token: provider.token("ts-x-user"), actor_token: provider.token("ts-x-admin", ["super_admin"]), session_id: "s-0000000000000000" })
    .catch((e) => e);
  assert.equal(unknown.error, "invalid_request");
  // The key is checked first, in the house's error form.
  const nobody = new StandinClient({ baseUrl: server.url, tenant: "acme", apiKey: "stn_not-a-key" });
  const unauthorized = await nobody.exchangeToken({ subject_token: "a.b.c", actor_token: "a.b.c" }).catch((e) => e);
  assert.ok(unauthorized instanceof StandinApiError && !(unauthorized instanceof StandinTokenExchangeError));
  assert.equal(unauthorized.status, 401);
});

test("the exchange is sent form-encoded, once; a pending answer carries its session id", async () => {
  const seen = [];
  const fake = await fakeServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      seen.push([req.method, req.url, req.headers["content-type"], req.headers.authorization, body]);
      res.writeHead(400, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: "authorization_pending", error_description: "wait", session_id: "s-1", interval: 5 }));
    });
  });
  try {
    const c = new StandinClient({ baseUrl: fake.url, tenant: "acme", apiKey: "stn_api_key" });
    const pending = await c.exchangeToken({ subject_token: "sub.tok", actor_token: "act.tok", reason: "ticket 1&2", ttl_seconds: 60 });
    assert.deepEqual([pending.outcome, pending.sessionId, pending.error.interval], ["pending", "s-1", 5]);
  } finally {
    await fake.close();
  }
  assert.deepEqual(seen, [[
    "POST",
    "/v1/tenants/acme/oauth/token",
    "application/x-www-form-urlencoded",
    "Bearer stn_api_key",
    "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Ajwt" +
      "&actor_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Ajwt&subject_token=sub.tok&actor_token=act.tok&reason=ticket+1%262&ttl_seconds=60",
  ]]);
});
