// A webhook receiver in Node for scripts/events/webhooks.py: it verifies
// every delivery with the official Standard Webhooks library (npm
// `standardwebhooks`, pinned by package-lock.json), the way a platform's
// Node service would, and tells the driver what it got.
//
//   node receiver.mjs [PORT]      (default: a free port of 127.0.0.1)
//
// Its first line on stdout is `{"listening": "127.0.0.1:PORT"}`. Then:
//
// - POST /hook/NAME: a delivery. Each secret the driver gave NAME gets its
//   own `new Webhook(secret).verify(body, headers)`; the delivery is
//   recorded (id, timestamp, signature, body, type, seq, one result per
//   secret). The answer is the next status of NAME's script, else its
//   default (200 unless told), else 401 when a secret refused it (a
//   refusal, recorded too).
// - PUT /control/hooks/NAME {"secrets", "script", "default", "delay_ms"}:
//   sets NAME up (what is not given is kept; `script` replaces the rest
//   of the script).
// - GET /control/hooks/NAME: {"got": [...], "refused": n}.
// - POST /control/verify {"secret", "id", "timestamp", "signature",
//   "body"}: {"ok", "error"}: one message checked against one secret by
//   the library, outside any delivery (a wrong secret must fail).
//
// Nothing here signs: only the library's verify decides.

import http from "node:http";
import { Webhook } from "standardwebhooks";

const hooks = new Map();

function hook(name) {
  if (!hooks.has(name)) {
    hooks.set(name, { secrets: [], script: [], fallback: 200, delayMs: 0, got: [] });
  }
  return hooks.get(name);
}

function verify(secret, body, headers) {
  try {
    new Webhook(secret).verify(body, headers);
    return { ok: true, error: null };
  } catch (e) {
    return { ok: false, error: String(e && e.message ? e.message : e) };
  }
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function answer(res, status, value) {
  const text = JSON.stringify(value);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

async function delivery(name, req, res) {
  const body = await readBody(req);
  const h = hook(name);
  const headers = {
    "webhook-id": req.headers["webhook-id"] ?? "",
    "webhook-timestamp": req.headers["webhook-timestamp"] ?? "",
    "webhook-signature": req.headers["webhook-signature"] ?? "",
  };
  const results = h.secrets.map((secret) => verify(secret, body, headers));
  let parsed = null;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    parsed = null;
  }
  const refused = results.some((r) => !r.ok);
  let status = h.script.length > 0 ? h.script.shift() : h.fallback;
  if (refused && status >= 200 && status < 300) {
    status = 401;
  }
  h.got.push({
    id: headers["webhook-id"],
    timestamp: headers["webhook-timestamp"],
    signature: headers["webhook-signature"],
    body: body.toString("utf8"),
    type: parsed?.type ?? null,
    seq: parsed?.data?.seq ?? null,
    verified: results.map((r) => r.ok),
    errors: results.map((r) => r.error).filter((e) => e),
    refused,
    status,
  });
  if (h.delayMs > 0) {
    await new Promise((resolve) => setTimeout(resolve, h.delayMs));
  }
  res.writeHead(status, { "content-type": "text/plain" });
  res.end(status < 300 ? "ok" : "not now");
}

async function control(req, res, path) {
  const parts = path.split("/").filter((p) => p);
  if (req.method === "POST" && parts[1] === "verify") {
    const m = JSON.parse((await readBody(req)).toString("utf8"));
    const headers = { "webhook-id": m.id, "webhook-timestamp": String(m.timestamp), "webhook-signature": m.signature };
    return answer(res, 200, verify(m.secret, Buffer.from(m.body, "utf8"), headers));
  }
  if (parts[1] === "hooks" && parts[2]) {
    const h = hook(decodeURIComponent(parts[2]));
    if (req.method === "PUT") {
      const c = JSON.parse((await readBody(req)).toString("utf8") || "{}");
      if (c.secrets) h.secrets = c.secrets;
      if (c.script) h.script = [...c.script];
      if (c.default) h.fallback = c.default;
      if (c.delay_ms !== undefined) h.delayMs = c.delay_ms;
      return answer(res, 200, { ok: true });
    }
    if (req.method === "GET") {
      return answer(res, 200, { got: h.got, refused: h.got.filter((g) => g.refused).length });
    }
  }
  return answer(res, 404, { error: `no ${req.method} ${path}` });
}

const server = http.createServer((req, res) => {
  const path = new URL(req.url, "http://receiver").pathname;
  const done = (e) => {
    if (!res.headersSent) answer(res, 500, { error: String(e) });
  };
  if (req.method === "POST" && path.startsWith("/hook/")) {
    delivery(decodeURIComponent(path.slice("/hook/".length)), req, res).catch(done);
  } else if (path.startsWith("/control/")) {
    control(req, res, path).catch(done);
  } else {
    answer(res, 404, { error: `no ${req.method} ${path}` });
  }
});
server.keepAliveTimeout = 1000;

const port = Number(process.argv[2] ?? 0);
server.listen(port, "127.0.0.1", () => {
  const { address, port: bound } = server.address();
  process.stdout.write(`${JSON.stringify({ listening: `${address}:${bound}` })}\n`);
});
// The driver ends it with SIGTERM (or closes its stdin).
process.on("SIGTERM", () => process.exit(0));
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
