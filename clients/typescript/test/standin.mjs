// Starts a real `standin serve` for the tests: a fresh SQLite database, a
// host key and a token-signing key in a temporary folder, tenant `acme`
// with the built-in policy and the settings below, one key per scope, and
// CONFIG as its `--config` (webhook receivers on loopback allowed).
// The binary: $STANDIN_BIN, else $CARGO_TARGET_DIR/debug/standin, else the
// repository's target/debug/standin (scripts/suites/clients-typescript.sh
// builds it first).
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("../../../", import.meta.url));

export const SETTINGS = {
  impersonator_roles: ["super_admin", "admin", "support"],
  role_levels: { super_admin: 100, admin: 50, support: 10 },
};

export const CONFIG = "[webhooks]\nallow_private = true\n";

export function standinBin() {
  const candidates = [
    process.env.STANDIN_BIN,
    process.env.CARGO_TARGET_DIR && join(process.env.CARGO_TARGET_DIR, "debug", "standin"),
    join(repo, "target", "debug", "standin"),
  ].filter(Boolean);
  const found = candidates.find((path) => existsSync(path));
  if (!found) throw new Error(`no standin binary (tried ${candidates.join(", ")}): run cargo build -p standin-cli or set STANDIN_BIN`);
  return found;
}

export async function startStandin({ tenant = "acme", settings = SETTINGS } = {}) {
  const bin = standinBin();
  const dir = mkdtempSync(join(tmpdir(), "standin-ts-"));
  const env = { ...process.env, STANDIN_DB: join(dir, "standin.db"), STANDIN_HOST_KEY_FILE: join(dir, "host.key"), RUST_LOG: "warn" };
  const run = (...args) => execFileSync(bin, args, { env, encoding: "utf8" });
  writeFileSync(join(dir, "settings.json"), JSON.stringify(settings));
  writeFileSync(join(dir, "standin.toml"), CONFIG);
  run("key", "gen-signing", "--out", join(dir, "token.key"));
  run("policy", "set", "--tenant", tenant, "--settings", join(dir, "settings.json"));
  const key = (scope) => JSON.parse(run("key", "create", "--tenant", tenant, "--scope", scope, "--name", `test-${scope}`)).key;
  const keys = { decide: key("decide"), audit: key("audit"), admin: key("admin") };
  const child = spawn(bin, ["--token-key", join(dir, "token.key"), "serve", "--listen", "127.0.0.1:0", "--config", join(dir, "standin.toml")], {
    env,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const line = await new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`standin serve exited ${code}`)));
  });
  const { listening } = JSON.parse(line);
  return {
    url: `http://${listening}`,
    tenant,
    keys,
    async stop() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A loopback server that misbehaves: `handler(req, res)` decides how. */
export async function fakeServer(handler) {
  const sockets = new Set();
  const server = createServer(handler);
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A loopback address where nothing listens (a port just freed). */
export async function deadUrl() {
  const fake = await fakeServer(() => {});
  await fake.close();
  return fake.url;
}

export const actor = (id, roles) => ({ id, roles, active: true, has_logged_in: true });
