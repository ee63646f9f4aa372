// The built-in default policy ported to TypeScript
// (examples/policies/default-ts), built with `standin-policy-build` and run
// by a real `standin` binary: it passes every shipped suite
// (examples/suites/*.json) case for case; its answers to those and to the
// parity suites beside it (examples/policies/default-ts/parity/*.json,
// every rule, reason and obligation) are the built-in policy's, messages
// included; it refuses the settings the built-in refuses, in the same
// words; and it publishes the built-in's settings schema.
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const sdk = dirname(dirname(fileURLToPath(import.meta.url)));
const repo = resolve(sdk, "..");
const bin = process.env.STANDIN_BIN ?? join(process.env.CARGO_TARGET_DIR ?? join(repo, "target"), "debug", "standin");
const dir = mkdtempSync(join(tmpdir(), "standin-default-ts-"));
const example = join(repo, "examples/policies/default-ts");
const files = (folder) =>
  readdirSync(folder)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => join(folder, f));
const shipped = files(join(repo, "examples/suites"));
const parity = files(join(example, "parity"));
let component;

/** `standin ARGS`: exit code, stdout (parsed when JSON, and as printed) and stderr. */
async function standin(args, env = {}) {
  try {
    const { stdout, stderr } = await run(bin, args, { env: { ...process.env, STANDIN_CACHE_DIR: join(dir, "cache"), ...env }, maxBuffer: 1 << 26 });
    return { code: 0, out: parse(stdout), text: stdout, err: stderr };
  } catch (e) {
    if (typeof e.code !== "number") throw e;
    return { code: e.code, out: parse(e.stdout), text: e.stdout, err: e.stderr };
  }
}
const parse = (text) => {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

/** `standin test --format json` of `suites`, with `policy` (none: the built-in one). */
async function suiteRun(suites, policy) {
  const { code, out, err } = await standin(["test", "--format", "json", ...(policy ? ["--policy", policy] : []), ...suites]);
  assert.equal(typeof out, "object", `standin test printed no JSON: ${err}`);
  return { code, out };
}

before(async () => {
  component = join(dir, "default-ts.wasm");
  await run(process.execPath, [join(sdk, "bin/standin-policy-build.mjs"), join(example, "policy.ts"), "-o", component], { maxBuffer: 1 << 24 });
});

test("default-ts passes every shipped suite, case for case", async () => {
  const { code, out } = await suiteRun(shipped, component);
  assert.equal(code, 0, JSON.stringify(out.suites.flatMap((s) => s.cases.filter((c) => !c.passed))));
  assert.equal(out.suites.length, shipped.length);
  let total = 0;
  for (const [i, file] of shipped.entries()) {
    const cases = JSON.parse(readFileSync(file, "utf8")).cases.length;
    total += cases;
    assert.equal(out.suites[i].cases.length, cases, file);
    assert.ok(out.suites[i].cases.every((c) => c.passed), file);
  }
  assert.equal(out.passed, total);
  assert.equal(out.failed, 0);
});

test("default-ts answers as the built-in policy does, messages included", async () => {
  const suites = [...shipped, ...parity];
  const [ours, builtIn] = [await suiteRun(suites, component), await suiteRun(suites)];
  assert.equal(builtIn.code, 0, "the parity suites pass with the built-in policy");
  assert.equal(ours.code, 0, "and with default-ts");
  // The host names the policy in its own refusals (a generic question no policy answers).
  const same = (answer) => JSON.parse(JSON.stringify(answer).replaceAll("standin-default-ts", "standin-default"));
  let compared = 0;
  for (const [i, suite] of builtIn.out.suites.entries()) {
    for (const [k, expected] of suite.cases.entries()) {
      assert.deepEqual(same(ours.out.suites[i].cases[k].actual), expected.actual, `${suite.file}: ${expected.name}`);
      compared++;
    }
  }
  assert.ok(compared >= 100, `${compared} answers compared`);
});

test("default-ts refuses the settings the built-in refuses, in the same words", async () => {
  const request = join(dir, "start.json");
  const who = (id) => ({ id, roles: ["super_admin"], active: true, has_logged_in: true });
  writeFileSync(request, JSON.stringify({ tenant: "acme", actor: who("u-1"), target: who("u-2"), now: "2026-11-21T10:00:00Z", reason: "SUP-1" }));
  const settings = [
    // Accepted: every field at once; the strict preset given as serde's map
    // form; seconds past 2^53, printed as given (compared as text below).
    JSON.stringify({
      preset: "permissive", impersonator_roles: ["super_admin", "hr_admin"], impersonate_permission: null, role_levels: { super_admin: 100, hr_admin: 50 },
      scoped_roles: ["hr_admin"], require_domain: true, domain_scoped_roles: ["hr_admin"], require_active: false, require_logged_in: false,
      required_consents: ["tos"], consent_on_behalf_roles: ["super_admin"], forbid_wider_access: true, allow_nested: true, require_reason: true,
      default_ttl_seconds: 600, max_ttl_seconds: 7200, notify_target: false, read_only: true, read_actions: ["*.view"], forbidden_actions: [],
      reserved_for_target: [], deliver_to_target: [], ephemeral_actions: [], notify_changes: ["course.*"], approval: "privileged",
      approval_min_target_level: 50, approver_roles: ["security"], target_approves: true, approval_ttl_seconds: 604800, require_scope: true,
      grantable_actions: ["report.*"], scope_beyond_grantable: "refuse", idle_timeout_seconds: 900, do_not_track: true, reason_pattern: "SUP-*",
      read_only_unless_scoped: true,
    }),
    '{"preset": {"strict": null}, "approval": "always", "target_approves": true, "idle_timeout_seconds": 18446744073709551615}',
    '{"idle_timeout_seconds": 9007199254740993, "notify_target": false}',
    // Refused: each problem named, in the built-in's order.
    '{"read_only": true, "read_only": false, "role_levels": {"a": 1, "a": 2}, "x": [{"k": 1, "k": 2}]}',
    '{"max_ttl_seconds": 1e3, "default_ttl_seconds": 18446744073709551615, "approval_min_target_level": 5000000000, "idle_timeout_seconds": -1, "approval_ttl_seconds": -0}',
    '{"max_ttl_seconds": 100000, "foo": 1, "read_only": "a\\"b\\\\\\u00e9\\u0007\\t\\u00a0x\\ud83d\\ude00", "default_ttl_seconds": 1.0, "approval": "always", "forbidden_actions": ["a b", "**"], "preset": "strict"}',
    '{"preset": 5, "approval": "x", "role_levels": [], "impersonator_roles": [1, " "], "impersonate_permission": ""}',
    '{"preset": {"strict": 1}, "scope_beyond_grantable": null, "reason_pattern": "\\u00a0", "read_actions": ["a\\tb", "\\u0001"], "grantable_actions": ["x\\u2028"], "require_scope": 0}',
    '{"preset": {}, "approval": {"always": null, "never": null}, "role_levels": {"": 1, "b": "x"}, "impersonator_roles": ["\\ufeff", "\\u3000"], "approver_roles": [""], "max_ttl_seconds": 0, "default_ttl_seconds": 0, "approval_ttl_seconds": 604801, "idle_timeout_seconds": 0}',
    '{"preset": "lax", "scope_beyond_grantable": {"narrow": null}, "notify_changes": [""], "reason_pattern": 1.5e300, "approval_min_target_level": 12345678901234567890123}',
    "[1]",
    '"settings"',
  ];
  for (const [i, text] of settings.entries()) {
    const file = join(dir, `settings-${i}.json`);
    writeFileSync(file, text);
    const [builtIn, ours] = [
      await standin(["check", "--settings", file, "start", request]),
      await standin(["check", "--policy", component, "--settings", file, "start", request]),
    ];
    const refusal = (r) => r.err.replace(/^error: cannot load (the built-in policy|policy `[^`]*`): /, "").trim();
    assert.equal(ours.code, builtIn.code, `${text}\n${builtIn.err}\n${ours.err}`);
    assert.equal(refusal(ours), refusal(builtIn), text);
    if (i < 3) {
      assert.notEqual(builtIn.code, 1, `${text} is accepted: ${builtIn.err}`);
      assert.equal(ours.text, builtIn.text, text);
    } else {
      assert.match(builtIn.err, /policy refused its settings/, text);
    }
  }
});

test("default-ts publishes the built-in policy's settings schema", async () => {
  const env = { STANDIN_DB: join(dir, "http.db"), STANDIN_HOST_KEY_FILE: join(dir, "host.key") };
  const admin = (await standin(["key", "create", "--tenant", "acme", "--scope", "admin", "--name", "ts"], env)).out.key;
  const server = spawn(bin, ["serve", "--listen", "127.0.0.1:0"], {
    env: { ...process.env, ...env, STANDIN_CACHE_DIR: join(dir, "cache"), RUST_LOG: "warn" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    const url = await new Promise((ok, fail) => {
      server.stdout.once("data", (line) => ok(`http://${JSON.parse(String(line).split("\n")[0]).listening}`));
      server.once("exit", (code) => fail(new Error(`standin serve exited ${code}`)));
    });
    const headers = { authorization: `Bearer ${admin}`, "content-type": "application/json" };
    const up = await fetch(`${url}/v1/tenants/acme/policies`, {
      method: "POST",
      headers,
      body: JSON.stringify({ component_base64: readFileSync(component).toString("base64"), settings: { preset: "strict" }, activate: true }),
    });
    assert.equal(up.status, 201, JSON.stringify(await up.json()));
    const schema = await fetch(`${url}/v1/tenants/acme/settings-schema`, { headers });
    assert.equal(schema.status, 200);
    assert.deepEqual(await schema.json(), JSON.parse(readFileSync(join(repo, "docs/settings.schema.json"), "utf8")));
  } finally {
    server.kill("SIGTERM");
  }
});
