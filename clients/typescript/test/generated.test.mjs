// The types are generated from docs/openapi.json: fail when the document
// changed and `npm run generate` was not run again. And the banner that
// bundlers import is the server's.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { test } from "node:test";
import { OUTPUT, generate } from "../scripts/generate.mjs";

test("src/openapi.ts is what docs/openapi.json generates (run `npm run generate`)", async () => {
  assert.equal(await readFile(OUTPUT, "utf8"), await generate());
});

test("@standin/client/banner is the server's <standin-banner>", async () => {
  const shipped = await readFile(new URL("../dist/banner.js", import.meta.url), "utf8");
  const server = await readFile(new URL("../../../server/console/banner.js", import.meta.url), "utf8");
  assert.equal(shipped, server);
});

// Every operation of the document has a method (operationId -> method).
const METHODS = {
  authzenConfiguration: "authzenConfiguration", jwks: "jwks", healthz: "healthz", metrics: "metrics", openapi: "openapi", settingsSchema: "settingsSchema", getStats: "getStats", getTenantSettingsSchema: "getTenantSettingsSchema",
  readyz: "readyz", authzenEvaluation: "evaluation", authzenEvaluations: "evaluations",
  // AuthZEN's routes are served under the PDP identifier too: the same methods.
  authzenEvaluationAtPdp: "evaluation", authzenEvaluationsAtPdp: "evaluations", authzenSearchSubject: "search",
  authzenSearchResource: "search", authzenSearchAction: "search", authzenSearchSubjectAtPdp: "search",
  authzenSearchResourceAtPdp: "search", authzenSearchActionAtPdp: "search",
  authzenAccessRequest: "accessRequest", authzenAccessRequestAtPdp: "accessRequest",
  authzenAccessRequestTask: "accessRequestTask", authzenAccessRequestTaskAtPdp: "accessRequestTask", queryAudit: "queryAudit",
  verifyAudit: "verifyAudit", authorizeBatch: "authorizeBatch", checkAction: "checkAction", checkStart: "checkStart",
  getNotifications: "getNotifications", setNotifications: "setNotifications", listOutbox: "listOutbox",
  ackOutbox: "ackOutbox", claimOutbox: "claimOutbox", listPolicies: "listPolicies", uploadPolicy: "uploadPolicy",
  rollbackPolicy: "rollbackPolicy", getPolicy: "getPolicy", activatePolicy: "activatePolicy", diffPolicy: "diffPolicy",
  updatePrincipal: "updatePrincipal", listSessions: "listSessions", startSession: "startSession", revokeActor: "revokeActor",
  getSession: "getSession", approveSession: "approveSession", authorize: "authorize", getBanner: "getBanner",
  endSession: "endSession", extendSession: "extendSession", rejectSession: "rejectSession", revokeSession: "revokeSession",
  introspectToken: "introspectToken", addWebhook: "addWebhook", listWebhooks: "listWebhooks", getWebhook: "getWebhook",
  removeWebhook: "removeWebhook", rotateWebhookSecret: "rotateWebhookSecret", testWebhook: "testWebhook",
  listWebhookDeliveries: "listWebhookDeliveries", replayWebhooks: "replayWebhooks",
  ssfConfiguration: "ssfConfiguration", createSsfStream: "createSsfStream", getSsfStreams: "getSsfStreams",
  updateSsfStream: "updateSsfStream", replaceSsfStream: "replaceSsfStream", deleteSsfStream: "deleteSsfStream",
  getSsfStatus: "getSsfStatus", setSsfStatus: "setSsfStatus", verifySsfStream: "verifySsfStream",
  pollSsfStream: "pollSsfStream", forwardAuth: "forwardAuth", forwardAuthPost: "forwardAuthPost", getRoutes: "getRoutes",
  setRoutes: "setRoutes", exchangeToken: "exchangeToken", getTokenIssuers: "getTokenIssuers",
  setTokenIssuers: "setTokenIssuers", forwardAuthPrefix: "forwardAuthPrefix",
};

test("every route of docs/openapi.json has a method of StandinClient", async () => {
  const { StandinClient } = await import("../dist/index.js");
  const document = JSON.parse(await readFile(new URL("../../../docs/openapi.json", import.meta.url), "utf8"));
  const operations = Object.values(document.paths).flatMap((item) => Object.values(item).map((op) => op.operationId)).filter(Boolean);
  assert.deepEqual(operations.filter((op) => !(op in METHODS)), [], "operations without a method: add them to the client and here");
  for (const op of operations) assert.equal(typeof StandinClient.prototype[METHODS[op]], "function", op);
});
