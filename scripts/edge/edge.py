#!/usr/bin/env python3
"""Forward auth through real gateways: nginx and Caddy ask `standin serve`.

    edge.py

Two gateways on loopback put a real `standin serve` (`/v1/forward-auth`)
in front of an upstream (a Python HTTP server answering, as JSON, the
method, path and `X-Standin-*` headers it got, and keeping every request):

- nginx: `auth_request` to an internal location proxying to Standin with
  `X-Original-Method` / `X-Original-URI`, the answer's `X-Standin-*`
  headers set on the upstream request with `auth_request_set`;
- Caddy: `forward_auth` (`X-Forwarded-Method` / `X-Forwarded-Uri`) with
  `copy_headers`, then `reverse_proxy`.

Through each gateway: an impersonated `GET /reports` reaches the upstream
with whom it acts as, on whose behalf and in which session, and a
client's own `X-Standin-*` headers never do; `POST /billing/charge` is
403, never reaches the upstream, and is an `action.denied` of
`billing.purchase` in the audit trail; a method with no rule is 403; the
token of an ended session, a token with a changed signature, one with
changed claims and one signed by another key are 401; a request with no
token, or with a bearer token Standin did not issue, passes with no
`X-Standin-*` header and is not audited. Directly: a request with no rule
is 403 `no-route`. Last, with `serve` stopped (SIGTERM), each gateway
refuses (5xx) and passes nothing.

Standard library only; STANDIN_BIN names the binary. Without nginx or
Caddy a gateway is skipped with a note, or the run fails when
STANDIN_REQUIRE_EDGE=1 (as .ci/install.d/edge.sh sets it).
"""

import base64
import grp
import http.client
import http.server
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from standin_proc import BIN, ROOT, Server, call  # noqa: E402

TENANT = "acme"
# No rule for any other method than GET and POST: a DELETE is `no-route`.
ROUTES = """# edge.py's route table
POST /billing/** -> billing.purchase
GET /** -> course.view
"""
STANDIN_HEADERS = ("X-Standin-Acting-As", "X-Standin-On-Behalf-Of", "X-Standin-Session")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port, method, path, headers=None, body=None, timeout=10):
    """One plain HTTP request to a gateway: (status, body bytes)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


class Upstream(http.server.ThreadingHTTPServer):
    """The application behind the gateways: answers and keeps what it got."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), UpstreamHandler)
        self.lock = threading.Lock()
        self.seen = []

    @property
    def port(self):
        return self.server_address[1]

    def got(self, probe):
        """The requests that carried `X-Probe: probe`."""
        with self.lock:
            return [r for r in self.seen if r["probe"] == probe]


class UpstreamHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)
        seen = {
            "method": self.command,
            "path": self.path,
            "probe": self.headers.get("X-Probe"),
            # Every value of every X-Standin-* header, by its name as sent.
            "standin": {k.lower(): self.headers.get_all(k) for k in set(self.headers.keys())
                        if k.lower().startswith("x-standin-")},
        }
        with self.server.lock:
            self.server.seen.append(seen)
        data = json.dumps(seen).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = answer

    def log_message(self, *args):
        pass


class Gateway:
    """A gateway process on a free loopback port, its output kept in a file."""

    name = "?"

    def __init__(self, work, auth, upstream):
        self.dir = os.path.join(work, self.name)
        os.makedirs(self.dir)
        self.auth, self.upstream = auth, upstream  # host:port each
        self.port = free_port()
        self.process = None
        self.output = os.path.join(self.dir, "output.log")

    def log(self):
        text = []
        for name in sorted(os.listdir(self.dir)):
            if name.endswith(".log"):
                with open(os.path.join(self.dir, name), encoding="utf-8", errors="replace") as fh:
                    text.append(f"--- {name}\n{fh.read()[-4000:]}")
        return "\n".join(text)

    def start(self, argv, env=None):
        with open(self.output, "w", encoding="utf-8") as out:
            self.process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env,
                                            stdin=subprocess.DEVNULL, cwd=self.dir)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"edge: {self.name} exited {self.process.returncode}:\n{self.log()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise SystemExit(f"edge: {self.name} does not listen on {self.port}:\n{self.log()}")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Nginx(Gateway):
    """nginx `auth_request`, as its documentation and Standin's set it up."""

    name = "nginx"

    def config(self):
        d = self.dir
        # As root the workers would run as `nobody`, who cannot enter the
        # temporary directory: they run as whoever runs the suite.
        user = ""
        if os.geteuid() == 0:
            user = f"user {pwd.getpwuid(os.geteuid()).pw_name} {grp.getgrgid(os.getegid()).gr_name};"
        temp = "\n".join(f"    {kind}_temp_path {d}/{kind}_temp;"
                         for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        return f"""{user}
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log {d}/access.log;
{temp}
    # Kept-alive connections to Standin: a new one per subrequest costs
    # more than the question.
    upstream standin {{
        server {self.auth};
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{self.port};
        location / {{
            auth_request /_standin;
            auth_request_set $acting $upstream_http_x_standin_acting_as;
            auth_request_set $behalf $upstream_http_x_standin_on_behalf_of;
            auth_request_set $session $upstream_http_x_standin_session;
            proxy_set_header X-Standin-Acting-As $acting;
            proxy_set_header X-Standin-On-Behalf-Of $behalf;
            proxy_set_header X-Standin-Session $session;
            proxy_pass http://{self.upstream};
        }}
        location = /_standin {{
            internal;
            proxy_pass http://standin/v1/forward-auth;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
            proxy_set_header X-Original-URI $request_uri;
            proxy_set_header X-Original-Method $request_method;
        }}
    }}
}}
"""

    def argv(self, *extra):
        conf = os.path.join(self.dir, "nginx.conf")
        return ["nginx", "-c", conf, "-p", self.dir + "/", "-e", os.path.join(self.dir, "error.log"),
                "-g", "daemon off;", *extra]

    def validate(self):
        with open(os.path.join(self.dir, "nginx.conf"), "w", encoding="utf-8") as fh:
            fh.write(self.config())
        return subprocess.run(self.argv("-t"), capture_output=True, text=True)

    def run(self):
        self.start(self.argv())


class Caddy(Gateway):
    """Caddy `forward_auth` with `copy_headers`, then `reverse_proxy`."""

    name = "caddy"

    def __init__(self, *args):
        super().__init__(*args)
        home = os.path.join(self.dir, "home")
        self.env = {**os.environ, "HOME": home, "XDG_DATA_HOME": os.path.join(home, "data"),
                    "XDG_CONFIG_HOME": os.path.join(home, "config")}
        self.file = os.path.join(self.dir, "Caddyfile")

    def config(self):
        # Two lines more than `forward_auth` + `copy_headers` per header,
        # for what Caddy's copy does not: the client's own X-Standin-*
        # headers are dropped first (a request Standin passes without
        # impersonation must not reach the upstream with what the client
        # claimed; Caddy strips them itself only since GHSA-7r4p-vjf4-gxv4),
        # and a header Standin's answer lacks is dropped after (Caddy before
        # 2.9, as Debian 12's 2.6.2, sets it to its placeholder's own text,
        # `{http.reverse_proxy.header.X-Standin-Acting-As}`: caddy#6610).
        strip = "\n".join(f"        request_header -{h}" for h in STANDIN_HEADERS)
        unset = "\n".join(f"    @unset-{i} header_regexp {h} ^[{{]http\\.reverse_proxy\\.header\\."
                          for i, h in enumerate(STANDIN_HEADERS))
        drop = "\n".join(f"        request_header @unset-{i} -{h}" for i, h in enumerate(STANDIN_HEADERS))
        return f"""{{
    admin off
    auto_https off
}}
http://:{self.port} {{
    bind 127.0.0.1
    log {{
        output file {self.dir}/access.log
    }}
{unset}
    route {{
{strip}
        forward_auth {self.auth} {{
            uri /v1/forward-auth
            copy_headers {" ".join(STANDIN_HEADERS)}
        }}
{drop}
        reverse_proxy {self.upstream}
    }}
}}
"""

    def validate(self):
        with open(self.file, "w", encoding="utf-8") as fh:
            fh.write(self.config())
        return subprocess.run(["caddy", "validate", "--config", self.file, "--adapter", "caddyfile"],
                              capture_output=True, text=True, env=self.env, cwd=self.dir)

    def run(self):
        self.start(["caddy", "run", "--config", self.file, "--adapter", "caddyfile"], env=self.env)


GATEWAYS = (Nginx, Caddy)


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def forged(token):
    """The token with one character in the middle of its signature changed
    (not the last: its low bits may be padding a decoder ignores)."""
    head, claims, sig = token.split(".")
    i = len(sig) // 2
    return f"{head}.{claims}.{sig[:i]}{'B' if sig[i] == 'A' else 'A'}{sig[i + 1:]}"


def reclaimed(token, **changes):
    """The token with its claims changed and its signature kept."""
    head, claims, sig = token.split(".")
    body = {**json.loads(unb64(claims)), **changes}
    return f"{head}.{b64(json.dumps(body, separators=(',', ':')).encode())}.{sig}"


class Suite:
    def __init__(self, work):
        self.work = work
        self.problems = []
        self.probes = 0
        # Nothing of the caller's Standin settings (a clock, a database, a
        # key) reaches the processes started here.
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("STANDIN_", "OTEL_"))}
        self.env["XDG_CONFIG_HOME"] = os.path.join(work, "config")
        self.env["XDG_CACHE_HOME"] = os.path.join(work, "cache")
        self.db = os.path.join(work, "standin.db")

    def check(self, ok, what, detail=""):
        if ok:
            print(f"  ok    {what}", file=sys.stderr)
        else:
            self.problems.append(what)
            print(f"  FAIL  {what}{': ' + detail if detail else ''}", file=sys.stderr)
        return ok

    def cli(self, *args, db=None):
        done = subprocess.run([BIN, "--db", db or self.db, *args], cwd=self.work, capture_output=True,
                              text=True, env=self.env)
        if done.returncode != 0:
            raise SystemExit(f"edge: `standin {' '.join(args)}` exited {done.returncode}: {done.stderr}")
        return done.stdout

    def key(self, scope):
        out = self.cli("key", "create", "--tenant", TENANT, "--scope", scope, "--name", f"edge-{scope}")
        return json.loads(out)["key"]

    def trail(self, **query):
        """The tenant's audit events (JSON lines, with the audit key)."""
        url = f"{self.server.base}/v1/tenants/{TENANT}/audit?{urllib.parse.urlencode(query)}"
        r = urllib.request.Request(url, headers={"Authorization": f"Bearer {self.audit}"})
        with urllib.request.urlopen(r, timeout=10) as answer:
            return [json.loads(line) for line in answer.read().decode().splitlines() if line.strip()]

    def session(self, actor):
        with open(os.path.join(ROOT, "examples/requests/start-allow.json"), encoding="utf-8") as fh:
            start = json.load(fh)
        start.pop("now", None)
        start["actor"]["id"] = actor
        status, body = call("POST", f"{self.server.base}/v1/tenants/{TENANT}/sessions", self.decide, start)
        if status != 201 or not (body or {}).get("token"):
            raise SystemExit(f"edge: starting a session for {actor} -> {status} {body}")
        return body["id"], body["token"]

    def setup(self):
        self.token_key = os.path.join(self.work, "token.key")
        other_key = os.path.join(self.work, "other.key")
        self.cli("key", "gen-signing", "--out", self.token_key)
        self.cli("key", "gen-signing", "--out", other_key)
        self.cli("policy", "set", "--tenant", TENANT)
        routes = os.path.join(self.work, "routes.txt")
        with open(routes, "w", encoding="utf-8") as fh:
            fh.write(ROUTES)
        self.cli("routes", "set", "--tenant", TENANT, routes)
        self.decide, self.audit = self.key("decide"), self.key("audit")
        self.server = Server(self.work, "--token-key", self.token_key, env=self.env, db=["--db", self.db])
        self.sid, self.token = self.session("u-1")
        ended_sid, self.ended = self.session("u-2")
        status, body = call("POST", f"{self.server.base}/v1/tenants/{TENANT}/sessions/{ended_sid}/end", self.decide)
        if status != 200:
            raise SystemExit(f"edge: ending session {ended_sid} -> {status} {body}")
        # The same tenant's session in another database, signed by another key.
        other_db = os.path.join(self.work, "other.db")
        self.cli("policy", "set", "--tenant", TENANT, db=other_db)
        out = self.cli("--token-key", other_key, "session", "start",
                       os.path.join(ROOT, "examples/requests/start-allow.json"), db=other_db)
        self.other = json.loads(out)["token"]

    def through(self, gw, method, path, token=None, headers=None):
        """A request through a gateway with a fresh probe: (status, body, what the upstream got)."""
        self.probes += 1
        probe = f"{gw.name}-{self.probes}"
        h = {"X-Probe": probe, **(headers or {})}
        if token:
            h["Authorization"] = f"Bearer {token}"
        body = b"{}" if method in ("POST", "PUT") else None
        if body is not None:
            h["Content-Type"] = "application/json"
        status, answer = request(gw.port, method, path, h, body)
        return status, answer, self.upstream.got(probe)

    def standin_headers(self, seen):
        return seen[0]["standin"] if seen else None

    def gateway_cases(self, gw):
        n = gw.name
        impersonated = {"x-standin-acting-as": ["u-42"], "x-standin-on-behalf-of": ["u-1"],
                        "x-standin-session": [self.sid]}

        before = self.decided("action.allowed", "course.view")
        status, _, seen = self.through(gw, "GET", "/reports", self.token)
        after = self.decided("action.allowed", "course.view")
        self.check(status == 200 and len(seen) == 1 and seen[0]["method"] == "GET"
                   and seen[0]["path"] == "/reports" and seen[0]["standin"] == impersonated,
                   f"{n}: GET /reports, impersonated -> 200, the upstream gets acting-as u-42 "
                   f"on behalf of u-1 in {self.sid}", f"{status} {seen}")
        self.check(after == before + 1,
                   f"{n}: ... and it is one more action.allowed of course.view in the trail ({after})",
                   f"action.allowed {before} -> {after}")

        spoof = {"X-Standin-Acting-As": "u-666", "X-Standin-On-Behalf-Of": "u-667", "X-Standin-Session": "s-forged"}
        status, _, seen = self.through(gw, "GET", "/reports", self.token, spoof)
        self.check(status == 200 and self.standin_headers(seen) == impersonated,
                   f"{n}: the client's own X-Standin-* headers are replaced by Standin's", f"{status} {seen}")

        before = self.decided("action.denied", "billing.purchase")
        status, _, seen = self.through(gw, "POST", "/billing/charge", self.token)
        after = self.decided("action.denied", "billing.purchase")
        self.check(status == 403 and not seen and after == before + 1,
                   f"{n}: POST /billing/charge -> 403, not at the upstream, one more action.denied "
                   f"of billing.purchase in the trail ({after})",
                   f"{status}, upstream got {seen}, action.denied {before} -> {after}")

        status, _, seen = self.through(gw, "DELETE", "/reports", self.token)
        self.check(status == 403 and not seen, f"{n}: DELETE /reports (no rule) -> 403, not at the upstream",
                   f"{status} {seen}")

        for what, token in (("an ended session's token", self.ended),
                            ("a token with a changed signature", forged(self.token)),
                            ("a token with changed claims (sub u-7)", reclaimed(self.token, sub="u-7")),
                            ("a token signed by another key", self.other)):
            status, _, seen = self.through(gw, "GET", "/reports", token)
            self.check(status == 401 and not seen, f"{n}: {what} -> 401, not at the upstream", f"{status} {seen}")

        events = len(self.trail())
        status, _, seen = self.through(gw, "GET", "/reports")
        self.check(status == 200 and len(seen) == 1 and seen[0]["standin"] == {},
                   f"{n}: no token -> 200 at the upstream with no X-Standin-* header", f"{status} {seen}")
        status, _, seen = self.through(gw, "GET", "/reports", None, spoof)
        self.check(status == 200 and len(seen) == 1 and seen[0]["standin"] == {},
                   f"{n}: no token, the client's own X-Standin-* headers -> none at the upstream",
                   f"{status} {seen}")
        status, _, seen = self.through(gw, "GET", "/reports", "app-session-0f3c")
        self.check(status == 200 and len(seen) == 1 and seen[0]["standin"] == {},
                   f"{n}: a bearer token Standin did not issue -> 200 at the upstream with no X-Standin-* header",
                   f"{status} {seen}")
        now = len(self.trail())
        self.check(now == events, f"{n}: requests without a Standin token are not audited",
                   f"{now - events} new event(s)")

    def decided(self, event, action):
        """How many `event`s of `action` the active session has in the trail."""
        return sum(1 for e in self.trail(session=self.sid, event=event) if e.get("action") == action)

    def direct_cases(self):
        url = f"{self.server.base}/v1/forward-auth"
        status, body = call("GET", url, self.token,
                            headers={"X-Original-Method": "DELETE", "X-Original-URI": "/reports"})
        self.check(status == 403 and "no-route" in json.dumps(body),
                   "forward-auth directly: DELETE /reports (no rule) -> 403 no-route", f"{status} {body}")
        status, body = call("POST", url, self.token,
                            headers={"X-Forwarded-Method": "POST", "X-Forwarded-Uri": "/billing/charge",
                                     "X-Forwarded-Host": "shop.example"})
        self.check(status == 403 and (body or {}).get("decision") == "deny"
                   and "forbidden-action" in json.dumps(body.get("reasons")),
                   "forward-auth directly: POST /billing/charge -> 403 deny forbidden-action", f"{status} {body}")

    def down_cases(self, gateways):
        code = self.server.stop()
        self.check(code == 0, "serve: SIGTERM -> exit 0", f"exit {code}")
        for gw in gateways:
            for what, token in (("an impersonated GET /reports", self.token), ("a GET /reports with no token", None)):
                status, _, seen = self.through(gw, "GET", "/reports", token)
                self.check(500 <= status < 600 and not seen,
                           f"{gw.name}: Standin stopped, {what} -> {status}, not at the upstream",
                           f"{status} {seen}")


def available():
    ready, missing = [], []
    for gw in GATEWAYS:
        (ready if shutil.which(gw.name) else missing).append(gw)
    return ready, missing


def main():
    ready, missing = available()
    if missing:
        names = ", ".join(gw.name for gw in missing)
        if os.environ.get("STANDIN_REQUIRE_EDGE") == "1":
            sys.exit(f"edge: no {names} (source .ci/install.d/edge.sh)")
        print(f"edge: skipped {names}: not installed (source .ci/install.d/edge.sh)", file=sys.stderr)
        if not ready:
            return
    started = time.monotonic()
    upstream = Upstream()
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory(prefix="standin-edge-") as work:
        suite = Suite(work)
        suite.upstream = upstream
        gateways = []
        try:
            suite.setup()
            auth = suite.server.base.removeprefix("http://")
            for kind in ready:
                gw = kind(work, auth, f"127.0.0.1:{upstream.port}")
                done = gw.validate()
                suite.check(done.returncode == 0, f"{gw.name}: the configuration is valid",
                            (done.stdout + done.stderr).strip())
                gateways.append(gw)
                gw.run()
            for gw in gateways:
                suite.gateway_cases(gw)
            suite.direct_cases()
            suite.down_cases(gateways)
        except BaseException:
            for gw in gateways:
                print(gw.log(), file=sys.stderr)
            print(suite.server.log() if hasattr(suite, "server") else "", file=sys.stderr)
            raise
        finally:
            for gw in gateways:
                gw.stop()
            if hasattr(suite, "server") and suite.server.process.poll() is None:
                suite.server.process.kill()
                suite.server.process.wait()
            upstream.shutdown()
        if suite.problems:
            for gw in gateways:
                print(gw.log(), file=sys.stderr)
            print(f"--- serve\n{suite.server.log()[-4000:]}", file=sys.stderr)
    elapsed = time.monotonic() - started
    for p in suite.problems:
        print(f"edge: {p}", file=sys.stderr)
    print(f"edge: {'FAILED' if suite.problems else 'passed'} in {elapsed:.1f} s", file=sys.stderr)
    sys.exit(1 if suite.problems else 0)


if __name__ == "__main__":
    main()
