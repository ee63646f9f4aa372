// Policies written in TypeScript, built with `standin-policy-build` and
// run by a real `standin` binary: the business-hours example passes the
// Rust example's suite case for case, through `standin test` and both
// upload paths (CLI and HTTP); the SDK reads every field of a request as
// the host packed it; and a hostile TypeScript policy is denied as a
// hostile Rust one is (rules SB1-SB4 of the sandbox, docs/rules.md).
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const sdk = dirname(dirname(fileURLToPath(import.meta.url)));
const repo = resolve(sdk, "..");
const bin = process.env.STANDIN_BIN ?? join(process.env.CARGO_TARGET_DIR ?? join(repo, "target"), "debug", "standin");
const dir = mkdtempSync(join(tmpdir(), "standin-ts-policy-"));
const suite = join(repo, "examples/policies/business-hours/suite.json");
const built = {};

/** Builds `entry` into a component with the SDK's build command; its path. */
async function build(name, entry) {
  const out = join(dir, `${name}.wasm`);
  await run(process.execPath, [join(sdk, "bin/standin-policy-build.mjs"), entry, "-o", out], { maxBuffer: 1 << 24 });
  return out;
}

/** `standin ARGS`: exit code and stdout (parsed when JSON). */
async function standin(args, env = {}) {
  try {
    const { stdout } = await run(bin, args, { env: { ...process.env, STANDIN_CACHE_DIR: join(dir, "cache"), ...env }, maxBuffer: 1 << 26 });
    return { code: 0, out: parse(stdout) };
  } catch (e) {
    if (typeof e.code !== "number") throw e;
    return { code: e.code, out: parse(e.stdout), err: e.stderr };
  }
}
const parse = (text) => {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

const principal = (id, extra = {}) => ({ id, active: true, has_logged_in: true, ...extra });
function startFile(reason, extra = {}) {
  const file = join(dir, `start-${reason}.json`);
  writeFileSync(file, JSON.stringify({ tenant: "acme", actor: principal("u-1"), target: principal("u-2"), reason, now: "2026-11-23T10:00:00Z", ...extra }));
  return file;
}

before(async () => {
  built.businessHours = await build("business-hours-ts", join(repo, "examples/policies/business-hours-ts/policy.ts"));
  built.mischief = await build("mischief-ts", join(sdk, "test/programs/mischief.ts"));
});

test("the SDK's WIT is the host's", () => {
  assert.equal(readFileSync(join(sdk, "wit/policy.wit"), "utf8"), readFileSync(join(repo, "wit/policy.wit"), "utf8"));
});

test("business-hours-ts passes the Rust business-hours suite, case for case", async () => {
  const { code, out } = await standin(["test", "--policy", built.businessHours, suite]);
  assert.equal(code, 0, out);
  const cases = JSON.parse(readFileSync(suite, "utf8")).cases.length;
  assert.match(out, new RegExp(`${cases} passed, 0 failed`));
});

test("a changed rule fails the suite: the suite reads the TypeScript policy", async () => {
  const source = readFileSync(join(repo, "examples/policies/business-hours-ts/policy.ts"), "utf8");
  const broken = join(dir, "broken.ts");
  writeFileSync(broken, source.replace('=== "true"', '=== "never"').replaceAll("../../../sdk-ts", sdk));
  const { code, out } = await standin(["test", "--policy", await build("broken", broken), suite]);
  assert.equal(code, 3, out);
  assert.match(out, /never a VIP/);
});

test("the CLI upload path checks, tests and stores a TypeScript policy", async () => {
  const db = join(dir, "upload.db");
  const up = await standin(["--db", db, "--now", "2026-11-23T09:00:00Z", "policy", "upload", "--tenant", "acme", built.businessHours, "--suite", suite, "--activate"]);
  assert.equal(up.code, 0, up.err);
  // The tenant's sessions now start under the TypeScript policy (Monday 10:00 UTC).
  const request = startFile("SUP-1", {
    actor: principal("u-1", { permissions: ["users.impersonate"] }),
    target: principal("u-2", { attributes: { business_hours: "09:00-17:00" } }),
  });
  const started = await standin(["--db", db, "--now", "2026-11-23T10:00:00Z", "session", "start", request]);
  assert.equal(started.code, 0, JSON.stringify(started.out));
  assert.equal(started.out.expires_at, "2026-11-23T10:30:00Z", JSON.stringify(started.out));
  const late = await standin(["--db", db, "--now", "2026-11-23T18:00:00Z", "session", "start", request]);
  assert.equal(late.code, 2, JSON.stringify(late.out));
  assert.deepEqual(late.out.reasons.map((r) => r.code), ["outside-business-hours"]);
});

test("the HTTP upload path takes a TypeScript policy of 12 MB", async () => {
  const db = join(dir, "http.db");
  const env = { STANDIN_DB: db, STANDIN_HOST_KEY_FILE: join(dir, "host.key") };
  const admin = (await standin(["key", "create", "--tenant", "acme", "--scope", "admin", "--name", "ts"], env)).out.key;
  const server = spawn(bin, ["serve", "--listen", "127.0.0.1:0"], { env: { ...process.env, ...env, RUST_LOG: "warn" }, stdio: ["ignore", "pipe", "inherit"] });
  try {
    const url = await new Promise((ok, fail) => {
      server.stdout.once("data", (line) => ok(`http://${JSON.parse(String(line).split("\n")[0]).listening}`));
      server.once("exit", (code) => fail(new Error(`standin serve exited ${code}`)));
    });
    const component = readFileSync(built.businessHours);
    const response = await fetch(`${url}/v1/tenants/acme/policies`, {
      method: "POST",
      headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
      body: JSON.stringify({
        component_base64: component.toString("base64"),
        suites: [JSON.parse(readFileSync(suite, "utf8"))],
        activate: true,
      }),
    });
    const body = await response.json();
    assert.equal(response.status, 201, JSON.stringify(body));
    assert.equal(body.version, 1, JSON.stringify(body));
    assert.equal(body.digest, `sha256:${createHash("sha256").update(component).digest("hex")}`);
  } finally {
    server.kill("SIGTERM");
  }
});

/** The deny `standin check` prints for a start of `reason` to the mischief policy. */
async function mischief(reason, extra = {}) {
  const { code, out } = await standin(["check", "--policy", built.mischief, "start", startFile(reason, extra)]);
  return { code, out };
}

test("sb1: a TypeScript policy that loops, hoards memory, throws or recurses is denied by the host", async () => {
  const expected = { loop: ["policy-timeout"], oom: ["policy-memory"], throw: ["policy-error"], recurse: ["policy-error"], silent: ["policy-error"] };
  for (const [reason, codes] of Object.entries(expected)) {
    const { code, out } = await mischief(reason);
    assert.equal(code, 2, `${reason}: ${JSON.stringify(out)}`);
    assert.deepEqual(out.reasons.map((r) => r.code), codes, `${reason}: ${JSON.stringify(out)}`);
    assert.equal(out.reasons[0].rule, "host");
  }
  const fine = await mischief("fine");
  assert.equal(fine.code, 0, JSON.stringify(fine.out));
});

test("sb2: a TypeScript policy's oversized answers are denied and not passed on", async () => {
  for (const reason of ["huge", "many"]) {
    const { code, out } = await mischief(reason);
    assert.equal(code, 2, `${reason}: ${JSON.stringify(out).slice(0, 300)}`);
    assert.ok(["policy-error", "policy-timeout"].includes(out.reasons[0].code), `${reason}: ${JSON.stringify(out).slice(0, 300)}`);
    assert.ok(JSON.stringify(out).length < 4096, `${reason}: the oversized answer is not passed on`);
  }
  // A grant the WIT cannot carry (a negative number of seconds) traps in the SDK.
  const { code, out } = await mischief("ttl");
  assert.equal(code, 2);
  assert.equal(out.reasons[0].code, "policy-error");
});

test("sb3: a policy built with the SDK imports nothing, and one with WASI imports is refused (its engine reads a clock the host denies)", async () => {
  // Date.now and Math.random are the snapshot's, not a clock or entropy of the host: the same answer twice.
  const [first, second] = [await mischief("clock"), await mischief("clock")];
  assert.deepEqual(first.out.obligations, second.out.obligations);
  // The same policy built with componentize-js's defaults (WASI clocks, random, stdio, http) does not upload:
  // the host links WASI 0.2 denied (engine/src/wasi.rs), and its engine reads the clock while it configures.
  const { componentize } = await import("@bytecodealliance/componentize-js");
  const source = join(dir, "wasi.js");
  const functions = ["configure", "prepare", "select", "release", "evaluateStart", "evaluateAction", "evaluateApproval", "evaluateActions", "evaluateQuestion", "settingsSchema", "search"];
  writeFileSync(
    source,
    `export const policy = { describe: () => ({ name: "wasi", version: "0", rules: [] }), ${functions.map((f) => `${f}() { throw new Error(String(Date.now())); }`).join(", ")} };`,
  );
  const { component } = await componentize({ sourcePath: source, witPath: join(sdk, "wit"), worldName: "policy-world" });
  const wasm = join(dir, "wasi.wasm");
  writeFileSync(wasm, component);
  const up = await standin(["--db", join(dir, "wasi.db"), "policy", "upload", "--tenant", "acme", wasm]);
  assert.equal(up.code, 1, JSON.stringify(up.out));
  assert.match(up.err, /`wasi:clocks\/[a-z-]+@0\.2\.\d+#now` is denied/);
});

test("sb4: the SDK reads every field of a start and an action as the host packed them", async () => {
  const actor = principal("u-1", {
    roles: ["support"], permissions: ["users.impersonate"], groups: ["g-1"], manages: ["g-2", "u-7"],
    domains: ["emea"], consents: ["tos"], attributes: { title: "Größe 漢字 🙂", vip: "no" },
  });
  const reason = "echo: é 漢字 🙂";
  const { code, out } = await mischief(reason, {
    actor, target: principal("u-2", { tenant: "acme" }), ttl_seconds: 900, domain: "emea", consent_on_behalf: true,
    actor_session: { id: "s-0", target: "u-9" }, scope: { actions: ["report.*", "ticket.comment"], resources: ["account:17"] },
  });
  assert.equal(code, 2, JSON.stringify(out));
  const seen = JSON.parse(out.reasons[0].message);
  assert.deepEqual(seen, {
    tenant: "acme",
    actor: {
      id: "u-1", tenant: "acme", roles: ["support"], permissions: ["users.impersonate"], groups: ["g-1"], manages: ["g-2", "u-7"],
      domains: ["emea"], consents: ["tos"], attributes: { title: "Größe 漢字 🙂", vip: "no" }, active: true, hasLoggedIn: true,
    },
    target: { id: "u-2", tenant: "acme", roles: [], permissions: [], groups: [], manages: [], domains: [], consents: [], attributes: {}, active: true, hasLoggedIn: true },
    consentOnBehalf: true,
    now: Date.parse("2026-11-23T10:00:00Z") / 1000,
    reason,
    ttlSeconds: 900,
    domain: "emea",
    actorSession: { id: "s-0", target: "u-9" },
    scope: { actions: ["report.*", "ticket.comment"], resources: ["account:17"] },
  });
  const file = join(dir, "action.json");
  writeFileSync(file, JSON.stringify({
    tenant: "acme",
    session: { id: "s-1", actor, target: principal("u-2"), started_at: "2026-11-23T10:00:00Z", expires_at: "2026-11-23T11:00:00Z", domain: null, reason: "SUP-1", read_only: true },
    action: "echo", resource: "course-17", now: "2026-11-23T10:05:00Z",
  }));
  const action = await standin(["check", "--policy", built.mischief, "action", file]);
  assert.equal(action.code, 2, JSON.stringify(action.out));
  const read = JSON.parse(action.out.reasons[0].message);
  assert.equal(read.action, "echo");
  assert.equal(read.resource, "course-17");
  assert.equal(read.session.reason, "SUP-1");
  assert.equal(read.session.domain, undefined);
  assert.equal(read.session.readOnly, true);
  assert.equal(read.session.actor.attributes.title, "Größe 漢字 🙂");
  assert.equal(read.session.expiresAt - read.session.startedAt, 3600);
  assert.equal(read.now, Date.parse("2026-11-23T10:05:00Z") / 1000);
});

test("standin policy new --lang ts makes a package that type-checks, builds and passes its suite", async () => {
  const made = await standin(["policy", "new", "my-ts-policy", "--lang", "ts", "--dir", dir]);
  assert.equal(made.code, 0, made.err);
  const root = made.out.created;
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const ours = JSON.parse(readFileSync(join(sdk, "package.json"), "utf8"));
  // The build tools at the versions this SDK is tested with; these tests
  // lend it this SDK's installed copies (npm install would fetch the same).
  assert.deepEqual(pkg.devDependencies, { ...ours.dependencies, typescript: ours.devDependencies.typescript });
  symlinkSync(join(sdk, "node_modules"), join(root, "node_modules"), "dir");
  await run(process.execPath, [join(sdk, "node_modules/typescript/bin/tsc"), "-p", root]);
  await run("npm", ["run", "--silent", "build"], { cwd: root });
  const { code, out } = await standin(["test", "--policy", join(root, "my-ts-policy.wasm"), join(root, "suite.json")]);
  assert.equal(code, 0, out);
  assert.match(out, /4 passed, 0 failed/);
});
