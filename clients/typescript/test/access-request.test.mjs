// The AuthZEN Access Request profile from TypeScript (AR1): a start that
// waits for approval is a requestable denial; the client submits it, reads
// its task, and a re-evaluation presenting the approval is a permit.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { StandinApiError, StandinClient } from "../dist/index.js";
import { SETTINGS, startStandin } from "./standin.mjs";

let server;
let client;

before(async () => {
  const settings = {
    ...SETTINGS,
    role_levels: { super_admin: 100, security_officer: 90 },
    approval: "always",
    approver_roles: ["security_officer"],
  };
  server = await startStandin({ settings });
  client = new StandinClient({ baseUrl: server.url, tenant: server.tenant, apiKey: server.keys.decide });
});
after(async () => server?.stop());

const ADMIN = { type: "user", id: "u-1", properties: { roles: ["super_admin"] } };
const TARGET = { type: "user", id: "u-42", properties: { active: true, has_logged_in: true } };
const question = (context = {}) => ({
  subject: ADMIN,
  action: { name: "impersonate" },
  resource: TARGET,
  context: { reason: "ticket SUP-9", ...context },
});
const submission = (offer, reason = "ticket SUP-9") => ({
  subject: ADMIN,
  action: { name: "impersonate" },
  resource: TARGET,
  context: { reason },
  denial: { binding_token: offer.binding_token, expires_at: offer.expires_at },
});

test("ar1: a requestable denial is submitted, approved and presented", async () => {
  const denied = await client.evaluation(question());
  assert.equal(denied.decision, false);
  assert.equal(denied.context.reason, "approval_required");
  const offer = denied.context.access_request;

  await assert.rejects(client.accessRequest(submission(offer, "ticket SUP-10")), (e) => {
    assert.ok(e instanceof StandinApiError);
    assert.equal(e.status, 400);
    assert.equal(e.code, "invalid_denial_binding");
    return true;
  });

  const task = await client.accessRequest(submission(offer));
  assert.equal(task.task.status, "pending");
  assert.equal(task.result, undefined);
  await client.approveSession(task.task.id, { id: "u-officer", roles: ["security_officer"], active: true });
  const approved = await client.accessRequestTask(task.task.id);
  assert.equal(approved.task.status, "approved");
  assert.equal(approved.result.approval.id, task.task.id);

  const permit = await client.evaluation(question({ approval: { id: task.task.id } }));
  assert.equal(permit.decision, true);
  assert.equal(permit.context.session, task.task.id);

  await assert.rejects(client.accessRequestTask("s-0000000000000000"), (e) => {
    assert.equal(e.code, "unknown_task");
    assert.equal(e.status, 404);
    return true;
  });
});
