#!/usr/bin/env python3
"""One request's trace, checked end to end by a real OTLP/HTTP receiver.

A receiver decodes what `standin serve --otlp-endpoint` exports with the
official protobuf definitions (`opentelemetry-proto` from PyPI), the way a
collector would. Against a real server on loopback, with a `traceparent`
and `tracestate` from "the platform":

- a start and an authorize each give one SERVER span, child of the
  caller's span in the caller's trace, with its method, route and status;
- under it: the key check, the policy's resolution, the policy call
  (question, version, digest, decision), the audit commit (group size),
  each inside its parent's time; an authorize's span says its wait for a
  batch and the batch's size;
- no attribute (nor any byte the receiver got) holds the API key, the
  impersonation token or the reason text;
- every JSON log line of the request names the trace id;
- with `sample_ratio = 0.0` a request without `traceparent` exports
  nothing, one whose caller sampled it still does, and after the file says
  1.0 and a SIGHUP a new trace is exported; with no endpoint at all nothing
  is sent;
- SIGTERM exports what is queued and exits 0.

Run by scripts/suites/tracing.sh with deploy/.venv (which has
opentelemetry-proto); STANDIN_BIN names the binary.
"""

import http.server
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time

from opentelemetry.proto.collector.trace.v1 import trace_service_pb2
from opentelemetry.proto.trace.v1 import trace_pb2

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from standin_proc import BIN, ROOT, Server, call  # noqa: E402
REASON = "ticket SUP-4242: the learner cannot see her course"


class Receiver(http.server.ThreadingHTTPServer):
    """An OTLP/HTTP (protobuf) traces endpoint that keeps what it gets."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.lock = threading.Lock()
        self.spans = []  # (resource attributes, span)
        self.raw = b""
        self.posts = 0
        self.headers = []  # the headers of each post

    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (the standard library's name)
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        ok = self.path == "/v1/traces" and self.headers.get("Content-Type") == "application/x-protobuf"
        if ok:
            request = trace_service_pb2.ExportTraceServiceRequest()
            request.ParseFromString(body)
            with self.server.lock:
                self.server.raw += body
                self.server.posts += 1
                self.server.headers.append({k.lower(): v for k, v in self.headers.items()})
                for rs in request.resource_spans:
                    resource = attributes(rs.resource.attributes)
                    for ss in rs.scope_spans:
                        for span in ss.spans:
                            self.server.spans.append((resource, span))
        answer = trace_service_pb2.ExportTraceServiceResponse().SerializeToString()
        self.send_response(200 if ok else 400)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


class Hook(http.server.BaseHTTPRequestHandler):
    """A webhook receiver that takes everything (204)."""

    def do_POST(self):  # noqa: N802 (the standard library's name)
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def attributes(kvs):
    out = {}
    for kv in kvs:
        v = kv.value
        out[kv.key] = getattr(v, v.WhichOneof("value")) if v.WhichOneof("value") else None
    return out


def session(server, key, headers=None):
    with open(os.path.join(ROOT, "examples/requests/start-allow.json"), encoding="utf-8") as fh:
        start = json.load(fh)
    start["reason"] = REASON
    status, body = call("POST", f"{server.base}/v1/tenants/acme/sessions", key, start, headers)
    if status != 201:
        raise SystemExit(f"tracing: POST sessions -> {status} {body}")
    return body


def traceparent():
    trace_id, span_id = secrets.token_hex(16), secrets.token_hex(8)
    return trace_id, span_id, {"traceparent": f"00-{trace_id}-{span_id}-01", "tracestate": "platform=t61rcWkgMzE"}


def wait_for(receiver, predicate, seconds=10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with receiver.lock:
            if predicate(receiver.spans):
                return True
        time.sleep(0.05)
    return False


def main():
    problems = []

    def check(ok, what):
        if ok:
            print(f"  ok    {what}", file=sys.stderr)
        else:
            problems.append(what)
            print(f"  FAIL  {what}", file=sys.stderr)

    receiver = Receiver()
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    env["OTEL_BSP_SCHEDULE_DELAY"] = "50"
    with tempfile.TemporaryDirectory(prefix="standin-tracing-") as work:
        env["XDG_CONFIG_HOME"] = os.path.join(work, "config")

        def cli(*args):
            done = subprocess.run([BIN, "--db", os.path.join(work, "standin.db"), *args], cwd=work,
                                  capture_output=True, text=True, env=env)
            if done.returncode != 0:
                raise SystemExit(f"tracing: `standin {' '.join(args)}` exited {done.returncode}: {done.stderr}")
            return done.stdout

        key = json.loads(cli("key", "create", "--tenant", "acme", "--scope", "decide", "--name", "tracing"))["key"]
        cli("policy", "set", "--tenant", "acme")

        # A webhook receiver on loopback: each delivery attempt is a span.
        hooks = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
        threading.Thread(target=hooks.serve_forever, daemon=True).start()
        hook = json.loads(cli("webhook", "add", "--tenant", "acme", "--url",
                              f"http://127.0.0.1:{hooks.server_address[1]}/hook"))
        hook_settings = os.path.join(work, "hooks.toml")
        with open(hook_settings, "w", encoding="utf-8") as fh:
            fh.write("[webhooks]\nallow_private = true\npoll_ms = 50\n")

        # 1. Tracing on, every trace kept.
        # Every request's access line (at debug), to see its trace id.
        server = Server(work, "--otlp-endpoint", receiver.url(), "--config", hook_settings,
                        env={**env, "RUST_LOG": "info,standin_server=debug"})
        start_trace, start_parent, headers = traceparent()
        started = session(server, key, headers)
        sid, token = started["id"], (started.get("token") or {}).get("token", "no-token-issued")
        act_trace, act_parent, headers = traceparent()
        status, answer = call("POST", f"{server.base}/v1/tenants/acme/sessions/{sid}/authorize", key,
                              {"action": "course.view"}, headers)
        check(status == 200 and answer.get("decision") == "allow", f"authorize course.view -> {status} {answer}")
        # A generic AuthZEN question: answered (a deny from the built-in
        # policy, audited) by the same batching threads as an authorize.
        gen_trace, _, headers = traceparent()
        question = {"subject": {"type": "user", "id": "alice"}, "action": {"name": "read"},
                    "resource": {"type": "record", "id": "record-1"}}
        status, answer = call("POST", f"{server.base}/v1/tenants/acme/access/v1/evaluation", key, question, headers)
        check(status == 200 and answer.get("decision") is False, f"generic question -> {status} {answer}")
        wanted = {"auth.key", "policy.resolve", "policy.call", "audit.commit"}

        def arrived(spans):
            names = {s.name for _, s in spans if s.trace_id.hex() == act_trace}
            return wanted <= names
        check(wait_for(receiver, arrived), "the authorize's spans arrive while the server runs")

        def delivered(spans):
            return [s for _, s in spans if s.name == "webhook.deliver"
                    and attributes(s.attributes).get("standin.webhook.outcome") == "delivered"]
        check(wait_for(receiver, lambda spans: len(delivered(spans)) >= 2),
              "each webhook delivery is a span (the start's and the authorize's events)")
        with receiver.lock:
            deliveries = delivered(list(receiver.spans))
        first = attributes(deliveries[0].attributes) if deliveries else {}
        check(bool(deliveries) and all(d.kind == trace_pb2.Span.SPAN_KIND_CLIENT and d.parent_span_id == b""
                                       for d in deliveries)
              and first.get("standin.tenant") == "acme" and first.get("standin.webhook.endpoint") == hook["id"]
              and first.get("standin.audit.seq", 0) >= 1 and first.get("http.response.status_code") == 204,
              f"webhook.deliver: a CLIENT root span naming tenant, endpoint, seq, status ({first})")
        code = server.stop()
        check(code == 0, f"SIGTERM -> exit {code}")
        log = server.log()

        with receiver.lock:
            spans = list(receiver.spans)
            raw = receiver.raw
        check(all(r.get("service.name") == "standin" for r, _ in spans), "resource service.name is standin")
        for label, trace_id, parent_id, question, extra in (
            ("start", start_trace, start_parent, "start", set()),
            ("authorize", act_trace, act_parent, "action", set()),
        ):
            mine = [s for _, s in spans if s.trace_id.hex() == trace_id]
            servers = [s for s in mine if s.kind == trace_pb2.Span.SPAN_KIND_SERVER]
            check(len(servers) == 1, f"{label}: one SERVER span in the caller's trace (got {len(servers)})")
            if len(servers) != 1:
                continue
            root = servers[0]
            a = attributes(root.attributes)
            check(root.parent_span_id.hex() == parent_id, f"{label}: its parent is the caller's span")
            check(root.trace_state == "platform=t61rcWkgMzE", f"{label}: the caller's tracestate is kept")
            check(a.get("http.request.method") == "POST" and a.get("http.route", "").startswith("/v1/tenants/{t}/sessions"),
                  f"{label}: method and route {a.get('http.request.method')} {a.get('http.route')}")
            check(a.get("http.response.status_code") == (201 if label == "start" else 200),
                  f"{label}: status {a.get('http.response.status_code')}")
            if label == "authorize":
                check(a.get("standin.queue.wait_us", -1) >= 0 and a.get("standin.batch.size", 0) >= 1,
                      f"authorize: its wait for a batch and the batch's size ({a})")
            children = {s.name: s for s in mine if s.parent_span_id == root.span_id}
            need = {"auth.key", "policy.resolve", "policy.call", "audit.commit"} | extra
            check(need <= set(children), f"{label}: children {sorted(need)} (got {sorted(children)})")
            inside = all(root.start_time_unix_nano <= c.start_time_unix_nano <= c.end_time_unix_nano
                         <= root.end_time_unix_nano for c in children.values())
            check(inside, f"{label}: every child lies within the request's span")
            call_attrs = attributes(children["policy.call"].attributes) if "policy.call" in children else {}
            check(call_attrs.get("standin.question") == question
                  and call_attrs.get("standin.decision") == "allow"
                  and call_attrs.get("standin.policy.version", -1) >= 0
                  and len(call_attrs.get("standin.policy.digest", "")) > 10,
                  f"{label}: policy.call says question, version, digest, decision ({call_attrs})")
            resolve = attributes(children["policy.resolve"].attributes) if "policy.resolve" in children else {}
            check(resolve.get("standin.tenant") == "acme", f"{label}: policy.resolve names the tenant")
            commit = attributes(children["audit.commit"].attributes) if "audit.commit" in children else {}
            if label == "authorize":
                check(commit.get("standin.audit.group_size", 0) >= 1, f"authorize: audit.commit has a group size ({commit})")
        generic = [s for _, s in spans if s.trace_id.hex() == gen_trace and s.kind == trace_pb2.Span.SPAN_KIND_SERVER]
        g = attributes(generic[0].attributes) if generic else {}
        check(len(generic) == 1 and g.get("standin.queue.wait_us", -1) >= 0 and g.get("standin.batch.size", 0) >= 1,
              f"generic question: one SERVER span, answered in a batch ({g})")
        for secret, what in ((key, "the API key"), (token, "the impersonation token"), (REASON, "the reason text"),
                             (hook["secret"], "the webhook secret"),
                             (key.removeprefix("stn_")[:16], "part of the API key")):
            check(secret.encode() not in raw, f"no span holds {what}")
        lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
        request_lines = [line for line in lines if (line.get("span") or {}).get("name") == "request"
                         or "request_id" in (line.get("span") or {})]
        check(len(request_lines) >= 2 and all("trace_id" in (line.get("span") or {}) for line in request_lines),
              f"every request's log line names its trace ({len(request_lines)} lines)")
        check(any((line.get("span") or {}).get("trace_id") == act_trace for line in request_lines),
              "the authorize's log line carries the caller's trace id")

        # 2. Sampling 0 (from the settings file): new traces are dropped, a
        # caller's sampled trace is kept; SIGHUP with 1.0 keeps new ones.
        before = len(spans)
        settings = os.path.join(work, "standin.toml")
        with open(settings, "w", encoding="utf-8") as fh:
            fh.write(f'[tracing]\notlp_endpoint = "{receiver.url()}"\nsample_ratio = 0.0\n')
        # The SDK's variables: the service's name, a header for the collector.
        server = Server(work, "--config", settings, env={**env, "OTEL_SERVICE_NAME": "standin-eu-1",
                                                          "OTEL_EXPORTER_OTLP_HEADERS": "x-collector-key=k-123"})
        call("GET", f"{server.base}/v1/tenants/acme/sessions/{sid}", key)
        kept_trace, _, headers = traceparent()
        call("GET", f"{server.base}/v1/tenants/acme/sessions/{sid}", key, headers=headers)
        check(wait_for(receiver, lambda s: any(x.trace_id.hex() == kept_trace for _, x in s)),
              "sampling 0: a request its caller sampled is still traced")
        with receiver.lock:
            new = [s for _, s in receiver.spans[before:] if s.trace_id.hex() != kept_trace]
        check(not new, f"sampling 0: a request without traceparent exports nothing ({len(new)} spans)")
        with receiver.lock:
            kept = [r for r, x in receiver.spans if x.trace_id.hex() == kept_trace]
            last_headers = receiver.headers[-1]
        check(bool(kept) and all(r.get("service.name") == "standin-eu-1" for r in kept),
              "OTEL_SERVICE_NAME names the service")
        check(last_headers.get("x-collector-key") == "k-123", "OTEL_EXPORTER_OTLP_HEADERS reaches the collector")
        with open(settings, "w", encoding="utf-8") as fh:
            fh.write(f'[tracing]\notlp_endpoint = "{receiver.url()}"\nsample_ratio = 1.0\n')
        server.process.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while "settings reloaded" not in server.log() and time.monotonic() < deadline:
            time.sleep(0.05)
        with receiver.lock:
            before = len(receiver.spans)
        call("GET", f"{server.base}/v1/tenants/acme/sessions/{sid}", key)
        check(wait_for(receiver, lambda s: any(x.kind == trace_pb2.Span.SPAN_KIND_SERVER
                                               and x.parent_span_id == b"" for _, x in s[before:])),
              "SIGHUP with sample_ratio 1.0: a new trace is exported")
        check(server.stop() == 0, "SIGTERM -> exit 0 (sampling 0, then 1)")

        # 3. No endpoint: nothing is sent.
        with receiver.lock:
            posts = receiver.posts
        server = Server(work, env=env)
        _, _, headers = traceparent()
        call("GET", f"{server.base}/v1/tenants/acme/sessions/{sid}", key, headers=headers)
        check(server.stop() == 0, "SIGTERM -> exit 0 (tracing off)")
        time.sleep(0.3)
        with receiver.lock:
            check(receiver.posts == posts, "tracing off: nothing is sent")

        hooks.shutdown()
    receiver.shutdown()
    if problems:
        print(f"tracing: {len(problems)} problem(s)", file=sys.stderr)
        sys.exit(1)
    print("tracing: one request's trace checked end to end", file=sys.stderr)


if __name__ == "__main__":
    main()
