#!/usr/bin/env python3
"""Webhook deliveries of a real `standin serve`, verified by the official
Standard Webhooks libraries: `standardwebhooks` from PyPI (a receiver in
this process, http.server in a thread) and from npm (scripts/events/
receiver.mjs, a Node process). Neither library is told anything Standin
signs with; each gets the endpoint's secret and the raw delivery.

a. Two endpoints of one tenant, one per receiver: every event of a session
   (start, an action allowed, one denied, end) and of an approval
   (requested, approved, end) verifies, arrives in `seq` order, and its
   `webhook-id` is `msg_` + the event's chain hash in the audit trail,
   its `data` the trail's event.
b. A receiver answering 500 three times, then 200: the first message
   arrives four times with one id, every other one once.
c. A real delivery checked against a wrong secret, or with its body
   changed, is refused by both libraries (and the right one passes).
d. Receivers down for the whole run (always 503; a closed port) with
   `horizon_seconds = 1`: dead letters in `/deliveries?status=dead`; once
   the receivers are back, `replay` delivers them, with the same ids.
e. `standin serve` killed (SIGKILL) while it delivers 200 authorizations,
   then started again on the same database: every event of the audit
   trail after the restart arrives at least once; a message sent twice
   has the same id.
f. A rotation with overlap: every delivery verifies with the old secret
   and with the new one (one `Webhook` per secret, in both libraries);
   after one without overlap the old secrets no longer verify.
g. Shared Signals (SSF 1.0, CAEP): `serve --token-key` is a transmitter.
   Its discovery and JWKS; a push stream (RFC 8935) to a receiver here
   gets session-established, then session-revoked (`initiating_entity`
   admin, `reason_admin`) for a revoked session, and `user` for one its
   actor ended; every SET verifies with PyJWT (EdDSA, the key from
   `jwks_uri`, audience and issuer); one re-signed with another key,
   changed, for another audience or signed HS256 is refused. A poll
   stream (RFC 8936): two SETs, the same again without an ack, none after
   acknowledging the later one.
h. Two `serve` replicas on one throwaway PostgreSQL (the system's
   initdb/pg_ctl, as tests/postgres.rs) with one host key: 200
   authorizations through both, the replica holding the endpoint's lease
   SIGKILLed mid-way, the rest through the survivor; every committed event
   of the trail arrives at least once, a repeat with the same id. Without
   PostgreSQL a skip line, a failure if STANDIN_REQUIRE_POSTGRES=1.
i. The documented receivers, examples/webhooks/receiver.py and
   receiver.mjs, run as they are with a real endpoint secret: one JSON
   line per event of a session, its type, seq, id and session, no
   duplicate; a repeated webhook-id is answered 2xx and not printed, a
   wrong signature is refused.

Run by scripts/suites/webhooks.sh with scripts/events/.venv (which has
standardwebhooks, PyJWT and cryptography) and scripts/events/node_modules;
STANDIN_BIN names the binary.
"""

import base64
import datetime
import glob
import http.server
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from standardwebhooks import Webhook, WebhookVerificationError

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from standin_proc import BIN, ROOT, Server, call  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))

# The server's deliverer, fast: first retry after 50 ms, at most 1 s apart.
FAST = {"allow_private": "true", "retry_first_ms": 50, "retry_max_seconds": 1, "poll_ms": 20, "timeout_ms": 2000}

# The approval flow of the built-in policy: a target of level 40 or more
# (power_user) waits for a second super_admin.
APPROVAL = {"approval": "privileged", "approval_min_target_level": 40,
            "role_levels": {"super_admin": 100, "power_user": 40}, "approver_roles": ["super_admin"]}
APPROVER = {"id": "u-2", "roles": ["super_admin"], "active": True, "has_logged_in": True}


def py_verify(secret, message):
    """(ok, error) of PyPI's `Webhook(secret).verify` on one recorded message."""
    headers = {"webhook-id": message["id"], "webhook-timestamp": str(message["timestamp"]),
               "webhook-signature": message["signature"]}
    try:
        Webhook(secret).verify(message["body"].encode(), headers)
        return True, None
    except WebhookVerificationError as e:
        return False, str(e)


class Hook:
    """One receiving path: its secrets, the statuses it answers, what it got."""

    def __init__(self):
        self.secrets = []
        self.script = []
        self.default = 200
        self.delay_ms = 0
        self.got = []


class PyReceiver(http.server.ThreadingHTTPServer):
    """Receives on /hook/NAME and verifies with PyPI's standardwebhooks."""

    daemon_threads = True
    label = "Python"

    def __init__(self):
        super().__init__(("127.0.0.1", 0), PyHandler)
        self.lock = threading.Lock()
        self.hooks = {}
        self.set_got = {}
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def hook(self, name):
        return self.hooks.setdefault(name, Hook())

    def url(self, name):
        return f"http://127.0.0.1:{self.server_address[1]}/hook/{name}"

    def set_url(self, name):
        """Where an SSF push stream (RFC 8935) delivers: /set/NAME."""
        return f"http://127.0.0.1:{self.server_address[1]}/set/{name}"

    def sets(self, name):
        """The SETs pushed to /set/NAME: {at (monotonic), content_type, authorization, token}."""
        with self.lock:
            return [dict(g) for g in self.set_got.get(name, [])]

    def configure(self, name, secrets=None, script=None, default=None, delay_ms=None):
        with self.lock:
            h = self.hook(name)
            if secrets is not None:
                h.secrets = list(secrets)
            if script is not None:
                h.script = list(script)
            if default is not None:
                h.default = default
            if delay_ms is not None:
                h.delay_ms = delay_ms

    def got(self, name):
        with self.lock:
            return [dict(g) for g in self.hook(name).got]

    def verify(self, secret, message):
        return py_verify(secret, message)

    def stop(self):
        self.shutdown()
        self.server_close()


class PyHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (the standard library's name)
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path.startswith("/set/"):
            # RFC 8935: a SET, recorded as it came; 202 Accepted.
            got = {"at": time.monotonic(), "content_type": self.headers.get("Content-Type", ""),
                   "authorization": self.headers.get("Authorization"), "token": body.decode("ascii", "replace")}
            with self.server.lock:
                self.server.set_got.setdefault(self.path[len("/set/"):], []).append(got)
            self.send_response(202)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if not self.path.startswith("/hook/"):
            self.send_response(404)
            self.end_headers()
            return
        name = self.path[len("/hook/"):]
        message = {"id": self.headers.get("webhook-id", ""), "timestamp": self.headers.get("webhook-timestamp", ""),
                   "signature": self.headers.get("webhook-signature", ""), "body": body.decode("utf-8", "replace")}
        with self.server.lock:
            h = self.server.hook(name)
            secrets_now, delay = list(h.secrets), h.delay_ms
            status = h.script.pop(0) if h.script else h.default
        results = [py_verify(s, message) for s in secrets_now]
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = {}
        refused = any(not ok for ok, _ in results)
        if refused and 200 <= status < 300:
            status = 401
        message.update(type=parsed.get("type"), seq=(parsed.get("data") or {}).get("seq"),
                       verified=[ok for ok, _ in results], errors=[e for _, e in results if e],
                       refused=refused, status=status)
        with self.server.lock:
            h.got.append(message)
        if delay:
            time.sleep(delay / 1000)
        answer = b"ok" if status < 300 else b"not now"
        try:
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server was killed while it waited (case e): it sends this one again

    def log_message(self, *args):
        pass


class NodeReceiver:
    """scripts/events/receiver.mjs: receives and verifies with npm's standardwebhooks."""

    label = "Node"

    def __init__(self, work, port=0):
        self.errors = open(os.path.join(work, f"receiver-{time.monotonic_ns()}.log"), "w+", encoding="utf-8")
        self.process = subprocess.Popen(["node", os.path.join(HERE, "receiver.mjs"), str(port)], cwd=HERE,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.errors, text=True)
        line = self.process.stdout.readline()
        if not line:
            self.errors.seek(0)
            raise SystemExit(f"webhooks: the Node receiver did not start: {self.errors.read()}")
        self.base = f"http://{json.loads(line)['listening']}"

    def url(self, name):
        return f"{self.base}/hook/{name}"

    def configure(self, name, secrets=None, script=None, default=None, delay_ms=None):
        body = {k: v for k, v in (("secrets", secrets), ("script", script), ("default", default),
                                  ("delay_ms", delay_ms)) if v is not None}
        status, _ = call("PUT", f"{self.base}/control/hooks/{name}", body=body)
        assert status == 200, status

    def got(self, name):
        return call("GET", f"{self.base}/control/hooks/{name}")[1]["got"]

    def verify(self, secret, message):
        _, answer = call("POST", f"{self.base}/control/verify", body={"secret": secret, **{
            k: message[k] for k in ("id", "timestamp", "signature", "body")}})
        return answer["ok"], answer["error"]

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def wait(predicate, seconds=15.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def free_port():
    """A port of loopback nobody listens on (bound, then closed)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Deployment:
    """A database with its tenants, keys and settings, and its server."""

    def __init__(self, work, name, env, database_url=None, host_key=None, **webhooks):
        self.work, self.env = work, env
        self.db = os.path.join(work, f"{name}.db")
        # SQLite in `work`, or a PostgreSQL database with the host key every replica shares.
        self.store = ["--database-url", database_url, "--host-key", host_key] if database_url else ["--db", self.db]
        self.config = os.path.join(work, f"{name}.toml")
        with open(self.config, "w", encoding="utf-8") as fh:
            fh.write("[webhooks]\n" + "".join(f"{k} = {v}\n" for k, v in {**FAST, **webhooks}.items()))
        self.keys = {}
        self.server = None
        self.started = []

    def cli(self, *args):
        done = subprocess.run([BIN, *self.store, *args], cwd=self.work, capture_output=True, text=True,
                              env=self.env)
        if done.returncode != 0:
            raise SystemExit(f"webhooks: `standin {' '.join(args)}` exited {done.returncode}: {done.stderr}")
        return done.stdout

    def tenant(self, tenant, settings=None):
        if settings is None:
            self.cli("policy", "set", "--tenant", tenant)
        else:
            path = os.path.join(self.work, f"{tenant}-settings.json")
            with open(path, "w", encoding="utf-8") as fh:
                json.dump(settings, fh)
            self.cli("policy", "set", "--tenant", tenant, "--settings", path)
        for scope in ("admin", "audit"):
            self.keys[(tenant, scope)] = json.loads(self.cli("key", "create", "--tenant", tenant, "--scope", scope,
                                                             "--name", f"webhooks-{scope}"))["key"]

    def start(self, *flags):
        """Starts `serve` on this database; the latest started is the one calls go to by default."""
        self.server = Server(self.work, "--config", self.config, *flags, env=self.env, db=self.store)
        self.started.append(self.server)
        return self.server

    def api(self, method, tenant, path, body=None, via=None):
        base = (via or self.server).base
        return call(method, f"{base}/v1/tenants/{tenant}{path}", self.keys[(tenant, "admin")], body)

    def add(self, tenant, url, events=("*",)):
        status, endpoint = self.api("POST", tenant, "/webhooks", {"url": url, "events": list(events)})
        if status != 201:
            raise SystemExit(f"webhooks: POST webhooks -> {status} {endpoint}")
        return endpoint

    def trail(self, tenant, via=None):
        """The tenant's audit trail (JSON lines, read with an audit key)."""
        request = urllib.request.Request(f"{(via or self.server).base}/v1/tenants/{tenant}/audit")
        request.add_header("Authorization", f"Bearer {self.keys[(tenant, 'audit')]}")
        with urllib.request.urlopen(request, timeout=10) as r:
            return [json.loads(line) for line in r.read().decode().splitlines() if line.strip()]

    def dead(self, tenant, endpoint):
        _, log = self.api("GET", tenant, f"/webhooks/{endpoint}/deliveries?status=dead")
        return (log or {}).get("deliveries") or []

    def session(self, tenant, target=None, via=None):
        with open(os.path.join(ROOT, "examples/requests/start-allow.json"), encoding="utf-8") as fh:
            start = json.load(fh)
        start["tenant"] = tenant
        start.pop("now", None)
        if target:
            start["target"] = target
        status, body = self.api("POST", tenant, "/sessions", start, via=via)
        if status not in (201, 202):
            raise SystemExit(f"webhooks: POST sessions -> {status} {body}")
        return status, body["id"]

    def authorize(self, tenant, sid, action, via=None):
        status, body = self.api("POST", tenant, f"/sessions/{sid}/authorize", {"action": action}, via=via)
        return status, (body or {}).get("decision")

    def end(self, tenant, sid, via=None):
        return self.api("POST", tenant, f"/sessions/{sid}/end", via=via)[0]


def after(trail, seq):
    return [e for e in trail if e["seq"] > seq]


def without_request(event):
    return {k: v for k, v in event.items() if k != "request"}


def main():
    started = time.monotonic()
    problems, passed = [], []

    def check(ok, what):
        if ok:
            passed.append(what)
            print(f"  ok    {what}", file=sys.stderr)
        else:
            problems.append(what)
            print(f"  FAIL  {what}", file=sys.stderr)
        return ok

    # Nothing of the caller's Standin or OpenTelemetry settings (a clock, a
    # database, a collector) reaches the processes started here.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STANDIN_", "OTEL_"))}
    with tempfile.TemporaryDirectory(prefix="standin-webhooks-") as work:
        env["XDG_CONFIG_HOME"] = os.path.join(work, "config")
        py = PyReceiver()
        node = NodeReceiver(work)
        receivers = (py, node)
        servers = []
        try:
            main_cases(work, env, py, node, receivers, servers, check)
        finally:
            for d in servers:
                for s in d.started:
                    if s.process.poll() is None:
                        s.stop()
            py.stop()
            node.stop()

    took = time.monotonic() - started
    skipped = f", {len(SKIPPED)} skipped" if SKIPPED else ""
    print(f"webhooks: {len(passed)} passed, {len(problems)} failed{skipped} ({took:.1f} s)", file=sys.stderr)
    if problems:
        sys.exit(1)


def main_cases(work, env, py, node, receivers, servers, check):
    one = Deployment(work, "one", env)
    servers.append(one)
    one.tenant("acme", APPROVAL)
    one.tenant("beta")
    one.tenant("gamma")
    one.start()

    # a. A whole session and an approval, to both receivers.
    secret = {}
    cursor = {}
    for r in receivers:
        endpoint = one.add("acme", r.url("a"))
        secret[r.label], cursor[r.label] = endpoint["secret"], endpoint["cursor"]["seq"]
        r.configure("a", secrets=[endpoint["secret"]])
        check(endpoint["secret"].startswith("whsec_") and base64.b64decode(endpoint["secret"][6:]),
              f"a. {r.label} endpoint added, secret whsec_ + base64")
    status, sid = one.session("acme")
    check(status == 201, f"a. session started ({status})")
    check(one.authorize("acme", sid, "course.view") == (200, "allow"), "a. course.view allowed")
    check(one.authorize("acme", sid, "billing.purchase") == (200, "deny"), "a. billing.purchase denied")
    check(one.end("acme", sid) == 200, "a. session ended")
    status, pending = one.session("acme", {"id": "u-43", "roles": ["power_user"], "active": True,
                                           "has_logged_in": True})
    check(status == 202, f"a. a start waiting for approval -> {status}")
    status, approved = one.api("POST", "acme", f"/sessions/{pending}/approve", {"approver": APPROVER})
    check(status == 200 and (approved or {}).get("state") == "active", f"a. approved by u-2 -> {status}")
    check(one.end("acme", pending) == 200, "a. approved session ended")
    kinds = ["session.started", "action.allowed", "action.denied", "session.ended",
             "session.requested", "session.approved", "session.ended"]
    for r in receivers:
        wait(lambda r=r: len(r.got("a")) >= len(kinds))
    time.sleep(0.3)  # anything more (a repeat) arrives too
    trail = one.trail("acme")
    ids = {}
    for r in receivers:
        got = r.got("a")
        mine = after(trail, cursor[r.label])
        check([g["type"] for g in got] == kinds == [e["event"] for e in mine],
              f"a. {r.label}: every event once, as the trail has them ({[g['type'] for g in got]})")
        check(all(g["verified"] == [True] and not g["refused"] for g in got),
              f"a. {r.label}: standardwebhooks verifies all {len(got)} deliveries"
              + "".join(f" ({e})" for e in sorted({e for g in got for e in g["errors"]})))
        seqs = [g["seq"] for g in got]
        check(seqs == sorted(seqs) and len(set(seqs)) == len(seqs), f"a. {r.label}: in seq order {seqs}")
        by_seq = {e["seq"]: e for e in trail}
        check(all(g["seq"] in by_seq and g["id"] == f"msg_{by_seq[g['seq']]['hash']}" for g in got),
              f"a. {r.label}: webhook-id is msg_ + the trail's chain hash")
        bodies = [json.loads(g["body"]) for g in got]
        check(all(b["data"] == without_request(by_seq[b["data"]["seq"]]) and b["type"] == b["data"]["event"]
                  and "request" not in b["data"] for b in bodies),
              f"a. {r.label}: data is the trail's event (its prev_hash and hash too), without the policy's request")
        ids[r.label] = [g["id"] for g in got]
    check(ids["Python"] == ids["Node"], "a. both endpoints got the same ids")
    for r in receivers:
        _, listed = one.api("GET", "acme", "/webhooks")
        endpoint = next(w for w in listed["webhooks"] if w["url"] == r.url("a"))
        _, log = one.api("GET", "acme", f"/webhooks/{endpoint['id']}/deliveries?status=delivered")
        check(len(log["deliveries"]) == len(kinds) and "secret" not in endpoint,
              f"a. {r.label}: the delivery log has {len(log['deliveries'])} delivered, the list no secret")

    # c. The verification is real: a wrong secret or a changed body fails.
    real = py.got("a")[0]
    other = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    changed = dict(real, body=real["body"].replace('"acme"', '"acmf"', 1))
    for r in receivers:
        check(r.verify(secret["Python"], real)[0], f"c. {r.label} library: the right secret verifies the delivery")
        for wrong, what in ((secret["Node"], "the other endpoint's secret"), (other, "a random secret")):
            ok, error = r.verify(wrong, real)
            check(not ok and "signature" in (error or "").lower(), f"c. {r.label} library: {what} is refused ({error})")
        ok, error = r.verify(secret["Python"], changed)
        check(not ok, f"c. {r.label} library: a changed body is refused ({error})")

    # b. 500 three times, then 200.
    for r in receivers:
        endpoint = one.add("beta", r.url("b"))
        r.configure("b", secrets=[endpoint["secret"]], script=[500, 500, 500])
    status, sid = one.session("beta")
    one.authorize("beta", sid, "course.view")
    one.end("beta", sid)
    for r in receivers:
        wait(lambda r=r: len(r.got("b")) >= 6)
    time.sleep(0.5)
    for r in receivers:
        got = r.got("b")
        ids = [g["id"] for g in got]
        check(len(ids) == 6 and len(set(ids[:4])) == 1 and len(set(ids[3:])) == 3,
              f"b. {r.label}: the first message 4 times with one id, the others once ({len(ids)} deliveries)")
        check([g["status"] for g in got] == [500, 500, 500, 200, 200, 200]
              and [g["type"] for g in got[3:]] == ["session.started", "action.allowed", "session.ended"],
              f"b. {r.label}: answers {[g['status'] for g in got]}, then the rest in order")
        check(all(g["verified"] == [True] for g in got), f"b. {r.label}: every attempt verifies")

    # f. Rotation: the old and the new secret both verify while they overlap.
    endpoints = {}
    for r in receivers:
        endpoint = one.add("gamma", r.url("f"))
        old = endpoint["secret"]
        r.configure("f", secrets=[old])
        status, rotated = one.api("POST", "gamma", f"/webhooks/{endpoint['id']}/rotate", {"overlap_seconds": 3600})
        new = (rotated or {}).get("secret")
        check(status == 200 and new and new != old, f"f. {r.label}: rotated with an hour's overlap ({status})")
        r.configure("f", secrets=[old, new])
        endpoints[r.label] = (endpoint["id"], old, new)
    status, sid = one.session("gamma")
    one.end("gamma", sid)
    for r in receivers:
        status, tested = one.api("POST", "gamma", f"/webhooks/{endpoints[r.label][0]}/test")
        check(status == 200 and tested.get("delivered") is True, f"f. {r.label}: test message delivered ({tested})")
    for r in receivers:
        wait(lambda r=r: len(r.got("f")) >= 3)
    for r in receivers:
        got = r.got("f")
        _, old, new = endpoints[r.label]
        check(len(got) == 3 and all(g["verified"] == [True, True] for g in got)
              and all(len(g["signature"].split(" ")) == 2 for g in got),
              f"f. {r.label} library: {len(got)} deliveries verify with the old secret and with the new one")
        others = [x for x in receivers if x is not r]
        for x in others:
            check(all(x.verify(old, g)[0] and x.verify(new, g)[0] for g in got),
                  f"f. {x.label} library, one secret at a time: the {r.label} receiver's deliveries verify with both")
    for r in receivers:
        eid, old, new = endpoints[r.label]
        status, rotated = one.api("POST", "gamma", f"/webhooks/{eid}/rotate", {"overlap_seconds": 0})
        newest = rotated["secret"]
        r.configure("f", secrets=[newest])
        one.api("POST", "gamma", f"/webhooks/{eid}/test")
        wait(lambda r=r: len(r.got("f")) >= 4)
        last = r.got("f")[-1]
        check(last["verified"] == [True] and len(last["signature"].split(" ")) == 1,
              f"f. {r.label}: after a rotation without overlap the newest secret alone signs")
        check(not any(x.verify(s, last)[0] for x in receivers for s in (old, new)),
              f"f. {r.label}: both libraries refuse the earlier secrets then")

    check(one.server.stop() == 0, "SIGTERM -> exit 0")

    # d. Receivers down for the whole run; dead letters; replay.
    down = Deployment(work, "down", env, horizon_seconds=1)
    servers.append(down)
    down.tenant("acme")
    down.start()
    closed = free_port()
    late = f"http://127.0.0.1:{closed}/hook/d"
    py.configure("d", default=503)
    endpoint_py = down.add("acme", py.url("d"), ["session.*"])
    endpoint_closed = down.add("acme", late, ["session.*"])
    py.configure("d", secrets=[endpoint_py["secret"]])
    status, sid = down.session("acme")
    down.authorize("acme", sid, "course.view")
    down.end("acme", sid)
    dead = {}
    for label, endpoint in (("Python, 503", endpoint_py), ("closed port", endpoint_closed)):
        check(wait(lambda e=endpoint: len(down.dead("acme", e["id"])) == 2, 20),
              f"d. {label}: two dead letters after horizon_seconds = 1")
        dead[label] = down.dead("acme", endpoint["id"])
    trail = after(down.trail("acme"), endpoint_py["cursor"]["seq"])
    sessions = [f"msg_{e['hash']}" for e in trail if e["event"].startswith("session.")]
    check(all(d["response_status"] == 503 for d in dead["Python, 503"]), "d. the 503s are in the dead letters")
    check(all(d["response_status"] is None and "connect" in (d.get("error") or "") for d in dead["closed port"]),
          f"d. the refused connections are in the dead letters ({dead['closed port'][0].get('error')})")
    check(all([d["message_id"] for d in reversed(rows)] == sessions for rows in dead.values()),
          "d. the dead letters are session.started and session.ended, with their ids")
    before = len(py.got("d"))
    py.configure("d", default=200)
    back = NodeReceiver(work, closed)
    try:
        back.configure("d", secrets=[endpoint_closed["secret"]])
        for label, endpoint, r in (("Python", endpoint_py, py), ("Node, on the closed port", endpoint_closed, back)):
            status, replay = down.api("POST", "acme", f"/webhooks/{endpoint['id']}/replay")
            check((status, (replay or {}).get("replaying")) == (200, 2), f"d. {label}: replay -> {status} {replay}")
            skip = before if r is py else 0
            wait(lambda r=r, skip=skip: len([g for g in r.got("d")[skip:] if g["status"] == 200]) >= 2)
            time.sleep(0.2)
            replayed = r.got("d")[skip:]
            check([g["id"] for g in replayed] == sessions and all(g["verified"] == [True] for g in replayed),
                  f"d. {label}: the dead letters delivered once each, in order, same ids, verified")
            check(wait(lambda e=endpoint: not down.dead("acme", e["id"]), 5), f"d. {label}: no dead letter left")
    finally:
        back.stop()
    check(down.server.stop() == 0, "SIGTERM -> exit 0 (dead letters)")

    # e. SIGKILL while delivering; a restart on the same database.
    crash = Deployment(work, "crash", env, timeout_ms=500)
    servers.append(crash)
    crash.tenant("acme")
    crash.start()
    cursors = {}
    for r in receivers:
        endpoint = crash.add("acme", r.url("e"))
        cursors[r.label] = endpoint["cursor"]["seq"]
        r.configure("e", secrets=[endpoint["secret"]], delay_ms=3)
    status, sid = crash.session("acme")
    calls = {"ok": 0, "error": None}
    halfway = threading.Event()

    def authorize_many():
        for i in range(200):
            if i == 100:
                # Mid-way, once the deliverer is under way: the kill comes now.
                wait(lambda: all(r.got("e") for r in receivers), 10)
                halfway.set()
            try:
                crash.authorize("acme", sid, "course.view" if i % 2 == 0 else "billing.purchase")
                calls["ok"] += 1
            except Exception as e:  # noqa: BLE001 (the server is killed under it)
                calls["error"] = repr(e)
                return

    worker = threading.Thread(target=authorize_many)
    worker.start()
    halfway.wait(30)
    delivered_then = {r.label: len(r.got("e")) for r in receivers}
    crash.server.stop(signal.SIGKILL)
    worker.join(30)
    check(calls["error"] is not None and 0 < min(delivered_then.values()),
          f"e. SIGKILL after {calls['ok']} of 200 authorizations, {delivered_then} deliveries made by then")
    crash.start()
    check(crash.end("acme", sid) == 200, "e. restarted on the same database; the session ends")
    trail = crash.trail("acme")
    for r in receivers:
        want = {e["seq"]: f"msg_{e['hash']}" for e in after(trail, cursors[r.label])}
        arrived = wait(lambda r=r, want=want: want.keys() <= {g["seq"] for g in r.got("e")}, 30)
        got = r.got("e")
        missing = sorted(want.keys() - {g["seq"] for g in got})
        check(arrived and not missing,
              f"e. {r.label}: all {len(want)} committed events arrived at least once (missing {missing[:5]})")
        check(all(g["seq"] in want and g["id"] == want[g["seq"]] for g in got),
              f"e. {r.label}: every delivery is of a committed event, with its msg_ id "
              f"({len(got) - len({g['seq'] for g in got})} sent twice, the same id each time)")
        first = []
        for g in got:
            if g["seq"] not in first:
                first.append(g["seq"])
        check(first == sorted(first), f"e. {r.label}: first arrivals in seq order")
        check(all(g["verified"] == [True] for g in got), f"e. {r.label}: all {len(got)} deliveries verify")
    check(crash.server.stop() == 0, "SIGTERM -> exit 0 (after the restart)")

    ssf_case(work, env, py, servers, check)
    replicas_case(work, env, py, servers, check)
    examples_case(work, env, servers, check)


# g. Shared Signals.
PUSH, POLL = "urn:ietf:rfc:8935", "urn:ietf:rfc:8936"
CAEP = "https://schemas.openid.net/secevent/caep/event-type/"
ESTABLISHED, REVOKED = CAEP + "session-established", CAEP + "session-revoked"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unverified(token):
    """A JWT's header and claims, read without checking anything (to forge from)."""
    return jwt.get_unverified_header(token), jwt.decode(token, options={"verify_signature": False})


def refused(decode, token):
    """The PyJWT error that refuses `token`, or None when it verifies."""
    try:
        decode(token)
    except jwt.InvalidTokenError as e:
        return e
    return None


def ssf_case(work, env, py, servers, check):
    d = Deployment(work, "ssf", env)
    servers.append(d)
    token_key = os.path.join(work, "token.key")
    d.cli("key", "gen-signing", "--out", token_key)
    d.tenant("acme")
    d.start("--token-key", token_key)
    base = d.server.base
    with open(os.path.join(ROOT, "examples/requests/start-allow.json"), encoding="utf-8") as fh:
        target = json.load(fh)["target"]["id"]

    status, conf = call("GET", f"{base}/.well-known/ssf-configuration/acme")
    conf = conf or {}
    check(status == 200 and conf.get("issuer") == f"{base}/acme"
          and conf.get("jwks_uri") == f"{base}/.well-known/jwks.json"
          and {PUSH, POLL} <= set(conf.get("delivery_methods_supported") or []),
          f"g. SSF discovery -> {status}: issuer BASE/acme, jwks_uri BASE/.well-known/jwks.json, push and poll")
    issuer = conf.get("issuer")
    status, jwks = call("GET", conf.get("jwks_uri") or f"{base}/.well-known/jwks.json")
    keys = (jwks or {}).get("keys") or []
    check(status == 200 and keys and all(k.get("kty") == "OKP" and k.get("crv") == "Ed25519" and k.get("alg") == "EdDSA"
                                         and k.get("kid") and k.get("x") for k in keys),
          f"g. the JWKS has {len(keys)} Ed25519 key(s) (OKP, EdDSA, kid, x)")
    # PyJWT fetches the JWKS from jwks_uri itself and picks the key by `kid`.
    client = jwt.PyJWKClient(conf.get("jwks_uri"), cache_keys=True)

    def decode(token, audience):
        key = client.get_signing_key_from_jwt(token)
        return jwt.decode(token, key.key, algorithms=["EdDSA"], audience=audience, issuer=issuer,
                          options={"require": ["iss", "jti", "iat", "aud"]})

    def verified_all(tokens, audience):
        """(claims of each token, errors) with PyJWT."""
        claims, errors = [], []
        for t in tokens:
            try:
                claims.append(decode(t, audience))
            except jwt.InvalidTokenError as e:
                errors.append(repr(e))
        return claims, errors

    def subject_ok(c, sid):
        sub = c.get("sub_id") or {}
        return (sub.get("format") == "complex" and (sub.get("user") or {}).get("id") == target
                and (sub.get("session") or {}).get("id") == sid)

    def jti_ok(c, trail):
        by_hash = {e["hash"]: e for e in trail}
        e = by_hash.get(c.get("txn"))
        return e is not None and c.get("jti") == f"{e['seq']}-{e['hash'][:16]}"

    # Push: a receiver here, with its Authorization.
    audience_push = "https://rp.example/push"
    status, stream = d.api("POST", "acme", "/ssf/streams", {
        "delivery": {"method": PUSH, "endpoint_url": py.set_url("g"), "authorization_header": "Bearer x"},
        "events_requested": [ESTABLISHED, REVOKED], "aud": audience_push})
    stream = stream or {}
    check(status == 201 and (stream.get("delivery") or {}).get("method") == PUSH
          and stream.get("aud") == [audience_push] and stream.get("iss") == issuer
          and set(stream.get("events_delivered") or []) == {ESTABLISHED, REVOKED},
          f"g. push stream created -> {status} ({stream.get('stream_id')})")
    status, sid = d.session("acme")
    check(status == 201 and wait(lambda: len(py.sets("g")) >= 1, 10), "g. push: a session started, its SET arrived")
    revoking = time.monotonic()
    status, revoked = d.api("POST", "acme", f"/sessions/{sid}/revoke", {"reason": "suspicious activity"})
    check(status == 200 and (revoked or {}).get("state") in ("ended", "revoked"),
          f"g. POST sessions/{{id}}/revoke -> {status} {(revoked or {}).get('state')}")
    wait(lambda: len(py.sets("g")) >= 2, 10)
    time.sleep(0.2)
    pushed = py.sets("g")
    claims, errors = verified_all([p["token"] for p in pushed], audience_push)
    trail = d.trail("acme")
    check(len(pushed) == 2 and not errors,
          f"g. push: {len(pushed)} SETs, all verified by PyJWT (EdDSA, key from jwks_uri, aud, iss)"
          + "".join(f" ({e})" for e in errors))
    kinds = [list(c.get("events") or {}) for c in claims]
    check(kinds == [[ESTABLISHED], [REVOKED]], "g. push: session-established, then session-revoked "
          f"({[k.rsplit('/', 1)[-1] for kind in kinds for k in kind]})")
    revoked_event = (claims[1]["events"].get(REVOKED) or {}) if len(claims) == 2 else {}
    check(revoked_event.get("initiating_entity") == "admin"
          and "suspicious activity" in json.dumps(revoked_event.get("reason_admin")),
          f"g. push: session-revoked with initiating_entity admin and reason_admin "
          f"({revoked_event.get('initiating_entity')}, {revoked_event.get('reason_admin')})")
    check(len(claims) == 2 and all(subject_ok(c, sid) and c["iss"] == issuer
                                   and c["aud"] in ([audience_push], audience_push)
                                   and isinstance(c["iat"], int) and jti_ok(c, trail) for c in claims),
          "g. push: iss, aud, iat, sub_id complex (user = the target, session = the session), "
          "jti = seq-hash and txn = the trail's event")
    check(all(p["content_type"] == "application/secevent+jwt" and p["authorization"] == "Bearer x" for p in pushed)
          and all(jwt.get_unverified_header(p["token"]).get("typ") == "secevent+jwt" for p in pushed),
          "g. push: Content-Type application/secevent+jwt, the stream's Authorization, typ secevent+jwt")
    at = next((p["at"] for p, c in zip(pushed, claims) if REVOKED in (c.get("events") or {})), None)
    took_ms = (at - revoking) * 1000 if at is not None else float("inf")
    check(took_ms <= 5000, f"g. push: the session-revoked SET arrived {took_ms:.0f} ms after the revoke call")

    # Forgeries: PyJWT refuses each.
    token = pushed[0]["token"] if pushed else ""
    header, body = unverified(token) if token else ({}, {})
    other = Ed25519PrivateKey.generate()
    resigned = jwt.encode(body, other, algorithm="EdDSA", headers={"kid": header.get("kid"), "typ": "secevent+jwt"})
    changed_body = dict(body, sub_id=dict(body.get("sub_id") or {}, user={"format": "opaque", "id": "u-1"}))
    parts = token.split(".") + ["", ""]
    changed = ".".join([parts[0], b64url(json.dumps(changed_body, separators=(",", ":")).encode()), parts[2]])
    hmac = jwt.encode(body, "not-a-key-of-this-issuer-but-long-enough", algorithm="HS256",
                      headers={"kid": header.get("kid"), "typ": "secevent+jwt"})
    check(refused(lambda t: decode(t, audience_push), token) is None, "g. the untouched SET verifies")
    for forged, what, kind in ((resigned, "re-signed with another Ed25519 key (same kid)", jwt.InvalidSignatureError),
                               (changed, "with sub_id changed, the signature kept", jwt.InvalidSignatureError),
                               (hmac, "signed HS256 instead", jwt.InvalidAlgorithmError)):
        error = refused(lambda t: decode(t, audience_push), forged)
        check(isinstance(error, kind), f"g. a SET {what} is refused by PyJWT ({error!r})")
    error = refused(lambda t: decode(t, "https://rp.example/other"), token)
    check(isinstance(error, jwt.InvalidAudienceError), f"g. a SET for another audience is refused ({error!r})")
    error = refused(lambda t: jwt.decode(t, client.get_signing_key_from_jwt(t).key, algorithms=["EdDSA"],
                                         audience=audience_push, issuer=f"{base}/beta"), token)
    check(isinstance(error, jwt.InvalidIssuerError), f"g. a SET of another tenant's issuer is refused ({error!r})")

    # Poll: RFC 8936 with an audit key.
    audience_poll = "https://rp.example/poll"
    status, stream = d.api("POST", "acme", "/ssf/streams", {
        "delivery": {"method": POLL}, "events_requested": [ESTABLISHED, REVOKED], "aud": audience_poll})
    poll_url = ((stream or {}).get("delivery") or {}).get("endpoint_url") or ""
    check(status == 201 and poll_url.startswith(f"{base}/v1/tenants/acme/ssf/poll/"),
          f"g. poll stream created -> {status}, its endpoint_url {poll_url}")
    status, sid2 = d.session("acme")
    check(d.end("acme", sid2) == 200, "g. a second session, ended by its actor")

    def poll(ack=()):
        status, answer = call("POST", poll_url, d.keys[("acme", "audit")],
                              {"returnImmediately": True, "ack": list(ack)})
        return status, (answer or {}).get("sets") or {}, (answer or {}).get("moreAvailable")

    status, first, more = poll()
    # In seq order (the jti's first part), whatever order the JSON object has.
    first = dict(sorted(first.items(), key=lambda item: int(item[0].split("-")[0])))
    claims, errors = verified_all(list(first.values()), audience_poll)
    kinds = [list(c.get("events") or {}) for c in claims]
    check(status == 200 and len(first) == 2 and more is False and not errors,
          f"g. poll: two SETs, moreAvailable false, verified by PyJWT -> {status} {len(first)}"
          + "".join(f" ({e})" for e in errors))
    ended_event = (claims[1]["events"].get(REVOKED) or {}) if len(claims) == 2 else {}
    check(kinds == [[ESTABLISHED], [REVOKED]] and ended_event.get("initiating_entity") == "user"
          and all(subject_ok(c, sid2) and c["jti"] in first for c in claims),
          "g. poll: session-established, then session-revoked with initiating_entity user "
          f"({ended_event.get('initiating_entity')})")
    _, again, _ = poll()
    check(sorted(again) == sorted(first), f"g. poll without ack: the same jtis again ({sorted(again)})")
    later = max(first, key=lambda j: int(j.split("-")[0])) if first else ""
    status, after_ack, more = poll([later])
    _, after_that, _ = poll()
    check(status == 200 and after_ack == {} and after_that == {} and more is False,
          f"g. poll acking the later jti only ({later}): none left, the earlier one acknowledged too")
    # The push stream got the second session too.
    wait(lambda: len(py.sets("g")) >= 4, 10)
    claims, errors = verified_all([p["token"] for p in py.sets("g")], audience_push)
    check(len(claims) == 4 and not errors and list(claims[3]["events"]) == [REVOKED]
          and claims[3]["events"][REVOKED].get("initiating_entity") == "user",
          f"g. push: the second session's session-revoked too, initiating_entity user ({len(claims)} SETs)")
    check(d.server.stop() == 0, "SIGTERM -> exit 0 (SSF)")


# h. Two replicas on one PostgreSQL.
SKIPPED = []  # cases skipped for want of a tool (PostgreSQL)


def pg_bin():
    """The folder of the newest PostgreSQL's initdb and pg_ctl (STANDIN_PG_BIN, else /usr/lib/postgresql/*/bin)."""
    if os.environ.get("STANDIN_PG_BIN"):
        given = os.environ["STANDIN_PG_BIN"]
        return given if os.path.exists(os.path.join(given, "initdb")) else None
    found = [os.path.dirname(p) for p in glob.glob("/usr/lib/postgresql/*/bin/initdb")]

    def version(path):
        name = os.path.basename(os.path.dirname(path))
        return [int(x) if x.isdigit() else 0 for x in name.split(".")]
    return max(found, key=version) if found else None


class Postgres:
    """A throwaway cluster, the way tests/postgres.rs makes one: initdb (trust,
    user `standin`) in a temporary folder, pg_ctl start on a free port of
    127.0.0.1 with its socket in that folder; as root, both run as `postgres`
    (runuser), the folder given to it. `stop` kills it (immediate) and
    deletes the folder."""

    def __init__(self, bin_dir):
        self.bin = bin_dir
        self.dir = tempfile.mkdtemp(prefix="standin-pg-")
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            subprocess.run(["chown", "-R", "postgres:postgres", self.dir], check=True)
        self.port = free_port()
        self.data = os.path.join(self.dir, "data")
        self.run("initdb", "-D", self.data, "-U", "standin", "-A", "trust", "--no-sync", "-E", "UTF8",
                 "--no-instructions")
        options = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=200 "
                   "-c fsync=off -c synchronous_commit=off")
        self.run("pg_ctl", "-D", self.data, "-o", options, "-l", os.path.join(self.dir, "server.log"),
                 "-w", "-t", "60", "start")

    def command(self, tool, *args):
        path = os.path.join(self.bin, tool)
        return (["runuser", "-u", "postgres", "--", path] if self.as_postgres else [path]) + list(args)

    def run(self, tool, *args):
        done = subprocess.run(self.command(tool, *args), cwd=self.dir, capture_output=True, text=True)
        if done.returncode != 0:
            try:
                with open(os.path.join(self.dir, "server.log"), encoding="utf-8") as fh:
                    log = fh.read()
            except OSError:
                log = ""
            raise SystemExit(f"webhooks: {tool} exited {done.returncode}: {done.stdout}{done.stderr}{log}")
        return done.stdout

    def sql(self, db, sql):
        return self.run("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "standin", "-d", db, "-q", "-A",
                        "-t", "-v", "ON_ERROR_STOP=1", "-c", sql)

    def create_database(self, name):
        self.sql("postgres", f'CREATE DATABASE "{name}"')
        return f"postgres://standin@127.0.0.1:{self.port}/{name}"

    def stop(self):
        subprocess.run(self.command("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop"), cwd=self.dir,
                       capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)


def replicas_case(work, env, py, servers, check):
    bin_dir = pg_bin()
    if not bin_dir:
        if os.environ.get("STANDIN_REQUIRE_POSTGRES") == "1":
            check(False, "h. STANDIN_REQUIRE_POSTGRES=1 but no PostgreSQL under /usr/lib/postgresql/*/bin")
        else:
            SKIPPED.append("h")
            print("  skip  h. two PostgreSQL replicas: no initdb under /usr/lib/postgresql/*/bin "
                  "(apt-get install postgresql; STANDIN_REQUIRE_POSTGRES=1 makes this a failure)", file=sys.stderr)
        return
    pg = Postgres(bin_dir)
    try:
        replicas_with(pg, work, env, py, servers, check)
    finally:
        pg.stop()


def replicas_with(pg, work, env, py, servers, check):
    db = "standin_webhooks"
    url = pg.create_database(db)
    host_key = os.path.join(work, "replicas-host.key")
    d = Deployment(work, "replicas", env, database_url=url, host_key=host_key, timeout_ms=500)
    servers.append(d)
    d.tenant("acme")
    replicas = [d.start(), d.start()]
    check(os.path.exists(host_key) and all(r.process.poll() is None for r in replicas),
          f"h. two replicas on PostgreSQL {os.path.basename(os.path.dirname(pg.bin))} ({url}), one --host-key file")
    endpoint = d.add("acme", py.url("h"))
    cursor = endpoint["cursor"]["seq"]
    py.configure("h", secrets=[endpoint["secret"]], delay_ms=10)
    status, sid = d.session("acme", via=replicas[0])
    state = {"ok": 0, "resent": 0, "victim": None, "per": [0, 0], "errors": []}
    halfway, killed = threading.Event(), threading.Event()

    def drive():
        for i in range(200):
            if i == 100:
                halfway.set()
                killed.wait(30)
            which = i % 2
            if replicas[which] is state["victim"]:
                which = 1 - which
            try:
                got = d.authorize("acme", sid, "course.view" if i % 2 == 0 else "billing.purchase", via=replicas[which])
            except Exception as e:  # noqa: BLE001 (the replica was killed under it)
                if replicas[which] is not state["victim"]:
                    state["errors"].append(repr(e))
                    continue
                state["resent"] += 1
                which = 1 - which
                got = d.authorize("acme", sid, "course.view" if i % 2 == 0 else "billing.purchase", via=replicas[which])
            if got[0] == 200:
                state["ok"] += 1
                state["per"][which] += 1

    worker = threading.Thread(target=drive)
    worker.start()
    halfway.wait(60)
    # The victim: the replica holding the endpoint's lease now (a round under way), if one is seen.
    wait(lambda: py.got("h"), 10)
    pids = {str(r.process.pid): r for r in replicas}
    holder = {"name": None}

    def leased():
        name = pg.sql(db, f"SELECT lease_holder FROM webhooks WHERE id = '{endpoint['id']}'").strip()
        holder["name"] = name
        return name.split("-")[0] in pids

    holding = wait(leased, 5)
    victim = pids[holder["name"].split("-")[0]] if holding else replicas[1]
    survivor = replicas[1 - replicas.index(victim)]
    delivered_then = len(py.got("h"))
    victim.stop(signal.SIGKILL)
    state["victim"] = victim
    killed.set()
    worker.join(120)
    check(victim.process.returncode == -signal.SIGKILL and survivor.process.poll() is None,
          f"h. SIGKILL of replica {replicas.index(victim) + 1} mid-way (holding the endpoint's lease: "
          f"{'yes' if holding else 'not seen'}), {delivered_then} deliveries by then")
    check(state["ok"] == 200 and not state["errors"] and min(state["per"]) >= 50,
          f"h. 200 authorizations, alternating until the kill, then through the survivor: {state['per'][0]} "
          f"through replica 1, {state['per'][1]} through replica 2"
          + (f" ({state['resent']} refused by the killed one, sent again)" if state["resent"] else "")
          + "".join(f" {e}" for e in state["errors"][:3]))
    check(d.end("acme", sid, via=survivor) == 200, "h. the survivor ends the session")
    trail = d.trail("acme", via=survivor)
    want = {e["seq"]: f"msg_{e['hash']}" for e in after(trail, cursor)}
    arrived = wait(lambda: want.keys() <= {g["seq"] for g in py.got("h")}, 40)
    got = py.got("h")
    missing = sorted(want.keys() - {g["seq"] for g in got})
    check(arrived and not missing and len(want) >= 202,
          f"h. all {len(want)} committed events of the survivor's trail arrived at least once (missing {missing[:5]})")
    seen = {}
    for g in got:
        seen.setdefault(g["seq"], set()).add(g["id"])
    twice = len(got) - len(seen)
    check(all(g["seq"] in want and ids == {want[g["seq"]]} for g in got for ids in [seen[g["seq"]]]),
          f"h. every delivery is of a committed event with its msg_ id; {twice} sent more than once, "
          f"the same webhook-id each time")
    check(all(g["verified"] == [True] for g in got), f"h. all {len(got)} deliveries verify")
    check(survivor.stop() == 0, "SIGTERM -> exit 0 (the surviving replica)")


# i. The documented receivers.
class Example:
    """One of examples/webhooks/, run as documented, its stdout lines collected."""

    def __init__(self, work, label, argv, env, cwd):
        self.label = label
        self.port = int(argv[-1])
        self.errors = open(os.path.join(work, f"example-{label}.log"), "w+", encoding="utf-8")
        self.process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=self.errors, text=True)
        self.lines = []
        self.lock = threading.Lock()
        threading.Thread(target=self.read, daemon=True).start()

    def read(self):
        for line in self.process.stdout:
            with self.lock:
                self.lines.append(line.rstrip("\n"))

    def printed(self):
        with self.lock:
            return list(self.lines)

    def listening(self):
        with socket.socket() as s:
            s.settimeout(0.2)
            return s.connect_ex(("127.0.0.1", self.port)) == 0

    def log(self):
        self.errors.flush()
        self.errors.seek(0)
        return self.errors.read()

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def examples_case(work, env, servers, check):
    d = Deployment(work, "examples", env)
    servers.append(d)
    d.tenant("acme")
    d.start()
    examples_dir = os.path.join(ROOT, "examples", "webhooks")
    # ESM resolves `standardwebhooks` from the module's own folder (NODE_PATH and
    # the cwd do not count): receiver.mjs runs through a link in a folder whose
    # node_modules is scripts/events/node_modules, with --preserve-symlinks-main.
    node_dir = os.path.join(work, "example-node")
    os.makedirs(node_dir)
    os.symlink(os.path.join(HERE, "node_modules"), os.path.join(node_dir, "node_modules"))
    os.symlink(os.path.join(examples_dir, "receiver.mjs"), os.path.join(node_dir, "receiver.mjs"))
    runs = {"Python": lambda port: [sys.executable, os.path.join(examples_dir, "receiver.py"), str(port)],
            "Node": lambda port: ["node", "--preserve-symlinks", "--preserve-symlinks-main",
                                  os.path.join(node_dir, "receiver.mjs"), str(port)]}
    examples, endpoints = [], {}
    try:
        for label, argv in runs.items():
            port = free_port()
            endpoint = d.add("acme", f"http://127.0.0.1:{port}/standin")
            endpoints[label] = endpoint
            example = Example(work, label, argv(port), dict(env, STANDIN_WEBHOOK_SECRET=endpoint["secret"]), work)
            examples.append(example)
            up = wait(lambda e=example: e.listening() or e.process.poll() is not None, 10) and example.listening()
            check(up, f"i. examples/webhooks/receiver.{'py' if label == 'Python' else 'mjs'} listens "
                      f"(STANDIN_WEBHOOK_SECRET = its endpoint's secret){'' if up else ': ' + example.log()}")
            if not up:
                return
        status, sid = d.session("acme")
        d.authorize("acme", sid, "course.view")
        d.authorize("acme", sid, "billing.purchase")
        d.end("acme", sid)
        trail = d.trail("acme")
        for example in examples:
            want = after(trail, endpoints[example.label]["cursor"]["seq"])
            wait(lambda e=example, n=len(want): len(e.printed()) >= n, 15)
        time.sleep(0.3)
        trail = d.trail("acme")
        for example in examples:
            secret = endpoints[example.label]["secret"]
            want = after(trail, endpoints[example.label]["cursor"]["seq"])
            lines = example.printed()
            try:
                printed = [json.loads(line) for line in lines]
            except ValueError:
                printed = []
            expect = [{"id": f"msg_{e['hash']}", "type": e["event"], "seq": e["seq"], "session": e.get("session")}
                      for e in want]
            check(printed == expect and len(want) == 4,
                  f"i. {example.label} example: one JSON line per event ({len(lines)} for {len(want)}: "
                  f"{[p.get('type') for p in printed]}), type, seq, id and session as the trail has them"
                  + ("" if printed == expect else f"; printed {lines[:6]}, stderr {example.log()[-400:]}"))
            check(len({p.get("id") for p in printed}) == len(printed), f"i. {example.label} example: no duplicate")
            # The same webhook-id again (signed by the library with the endpoint's secret): 2xx, nothing printed.
            first = want[0]
            body = json.dumps({"type": first["event"], "timestamp": first["at"], "event": first["event"],
                               "session": first.get("session"), "data": without_request(first)})
            now = datetime.datetime.now(datetime.timezone.utc)
            headers = {"webhook-id": f"msg_{first['hash']}", "webhook-timestamp": str(int(now.timestamp())),
                       "webhook-signature": Webhook(secret).sign(f"msg_{first['hash']}", now, body)}
            again = post_raw(example.port, body, headers)
            wrong = post_raw(example.port, body, dict(headers, **{
                "webhook-id": "msg_other", "webhook-signature": Webhook(
                    "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()).sign("msg_other", now, body)}))
            time.sleep(0.2)
            check(again // 100 == 2 and wrong == 400 and len(example.printed()) == len(lines),
                  f"i. {example.label} example: a repeated webhook-id -> {again}, not printed; "
                  f"a wrong signature -> {wrong}")
    finally:
        for example in examples:
            example.stop()
    check(d.server.stop() == 0, "SIGTERM -> exit 0 (examples)")


def post_raw(port, body, headers):
    request = urllib.request.Request(f"http://127.0.0.1:{port}/standin", data=body.encode(), method="POST",
                                     headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


if __name__ == "__main__":
    main()
