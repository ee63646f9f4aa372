#!/usr/bin/env python3
"""What forward auth costs a request: nginx and Caddy, with and without Standin.

    bench.py [--seconds 5] [--rounds 3] [--connections 16]

Starts what edge.py starts (a real `standin serve --token-key`, nginx with
`auth_request`, Caddy with `forward_auth`, the same configurations), with
an upstream that is not the bottleneck: an nginx server block that
`return`s 200 (its body is the `X-Standin-Acting-As` it got, so a check
before the figures can tell an impersonated request from a passed one).
Through each gateway, with `wrk -t1 -cN -dSs --latency`:

1. plain:   the gateway -> upstream, no forward auth (a server block of
            its own, otherwise as the one with it);
2. token:   the gateway -> Standin -> upstream, `GET /reports` with an
            impersonation token whose session allows it (course.view,
            one `action.allowed` audited per request);
3. none:    the gateway -> Standin -> upstream with no token (passed).

Rows alternate (1,2,3,1,2,3,...) for `--rounds`; the median of each is
reported, with the ratio of 2 and 3 to 1 and the cost per request,
1/rate(row) - 1/rate(plain), in µs, and Standin's own CPU time per request.
A markdown table is printed last, on standard output.

The binary: STANDIN_BIN, else target/release/standin, else the musl
release build, else target/debug/standin (the table says which).
Standard library only, with `wrk`, `nginx` and (optionally) `caddy` on PATH.
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
CANDIDATES = ("target/release/standin", "target/x86_64-unknown-linux-musl/release/standin",
              "target/debug/standin")
if not os.environ.get("STANDIN_BIN"):
    for rel in CANDIDATES:
        if os.access(os.path.join(ROOT, rel), os.X_OK):
            os.environ["STANDIN_BIN"] = os.path.join(ROOT, rel)
            break

sys.path.insert(0, HERE)
import edge  # noqa: E402  (after STANDIN_BIN: standin_proc reads it on import)
from edge import Caddy, Nginx, Suite, free_port, request  # noqa: E402

ROWS = ("plain", "token", "none")


def upstream_block(port):
    # The body is the acting-as header the upstream got: "u-42" or "-".
    return f"""
    server {{
        listen 127.0.0.1:{port};
        access_log off;
        location / {{
            default_type text/plain;
            return 200 "acting-as=$http_x_standin_acting_as-\\n";
        }}
    }}
"""


class BenchNginx(Nginx):
    """edge.py's nginx, plus the upstream and a server block without auth_request."""

    def __init__(self, work, auth, upstream_port):
        super().__init__(work, auth, f"127.0.0.1:{upstream_port}")
        self.upstream_port = upstream_port
        self.plain_port = free_port()

    def config(self):
        text = super().config().rstrip()
        assert text.endswith("}")
        plain = f"""
    server {{
        listen 127.0.0.1:{self.plain_port};
        location / {{
            proxy_pass http://{self.upstream};
        }}
    }}
"""
        return text[:-1] + upstream_block(self.upstream_port) + plain + "}\n"


class BenchCaddy(Caddy):
    """edge.py's Caddy, plus a site without forward_auth (same upstream: nginx's)."""

    def __init__(self, work, auth, upstream_port):
        super().__init__(work, auth, f"127.0.0.1:{upstream_port}")
        self.plain_port = free_port()

    def config(self):
        return super().config() + f"""
http://:{self.plain_port} {{
    bind 127.0.0.1
    log {{
        output file {self.dir}/plain-access.log
    }}
    route {{
        reverse_proxy {self.upstream}
    }}
}}
"""


def cpu_seconds(pid):
    """utime + stime of a process and its children, alive ones included (seconds)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    pids = [pid]
    while pids:
        p = pids.pop()
        try:
            with open(f"/proc/{p}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    pids.extend(int(c) for c in fh.read().split())
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total / tick


UNITS = {"us": 1.0, "ms": 1000.0, "s": 1e6}


def micros(text):
    m = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    return float(m.group(1)) * UNITS[m.group(2)]


def wrk(url, seconds, connections, token=None):
    argv = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if token:
        argv += ["-H", f"Authorization: Bearer {token}"]
    done = subprocess.run([*argv, url], capture_output=True, text=True, timeout=seconds + 60)
    out = done.stdout
    if done.returncode != 0 or "Requests/sec" not in out:
        raise SystemExit(f"bench: wrk failed ({done.returncode}):\n{out}\n{done.stderr}")
    result = {
        "rate": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": micros(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)),
        "p99": micros(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "non2xx": int((re.search(r"Non-2xx or 3xx responses: (\d+)", out) or [0, 0])[1]),
        "errors": (re.search(r"Socket errors: (.*)", out) or [None, ""])[1],
    }
    return result


def loadavg():
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--no-caddy", action="store_true")
    args = ap.parse_args()
    for tool in ("wrk", "nginx"):
        if not shutil.which(tool):
            sys.exit(f"bench: no {tool} on PATH")
    kinds = [BenchNginx] + ([BenchCaddy] if shutil.which("caddy") and not args.no_caddy else [])
    binary = edge.BIN
    build = os.path.relpath(binary, ROOT)
    print(f"bench: binary {binary}", file=sys.stderr)
    before = loadavg()
    print(f"bench: before: {before}", file=sys.stderr)

    results = {}  # (gateway, row) -> [wrk result + standin cpu]
    with tempfile.TemporaryDirectory(prefix="standin-bench-") as work:
        suite = Suite(work)
        gateways = []
        try:
            suite.setup()
            auth = suite.server.base.removeprefix("http://")
            upstream_port = free_port()
            for kind in kinds:
                gw = kind(work, auth, upstream_port)
                done = gw.validate()
                if done.returncode != 0:
                    raise SystemExit(f"bench: {gw.name} configuration:\n{done.stdout}{done.stderr}")
                gw.run()
                gateways.append(gw)
            serve_pid = suite.server.process.pid

            # Each row once, by hand: what reaches the upstream is what it should be.
            for gw in gateways:
                for row, port, token, want in (("plain", gw.plain_port, None, b"acting-as=-\n"),
                                               ("token", gw.port, suite.token, b"acting-as=u-42-\n"),
                                               ("none", gw.port, None, b"acting-as=-\n")):
                    headers = {"Authorization": f"Bearer {token}"} if token else {}
                    status, body = request(port, "GET", "/reports", headers)
                    if status != 200 or body != want:
                        raise SystemExit(f"bench: {gw.name} {row}: {status} {body!r}, want 200 {want!r}")
            print("bench: each row answers as it should", file=sys.stderr)

            def target(gw, row):
                port = gw.plain_port if row == "plain" else gw.port
                return f"http://127.0.0.1:{port}/reports", (suite.token if row == "token" else None)

            for gw in gateways:
                for row in ROWS:  # warm-up, not counted
                    url, token = target(gw, row)
                    wrk(url, 1, args.connections, token)
                for rnd in range(args.rounds):
                    for row in ROWS:
                        url, token = target(gw, row)
                        cpu0 = cpu_seconds(serve_pid)
                        r = wrk(url, args.seconds, args.connections, token)
                        r["standin_cpu_us"] = (cpu_seconds(serve_pid) - cpu0) * 1e6 / max(r["requests"], 1)
                        results.setdefault((gw.name, row), []).append(r)
                        print(f"bench: {gw.name} round {rnd + 1} {row:5}: {r['rate']:9.0f} req/s  "
                              f"p50 {r['p50']:8.0f} µs  p99 {r['p99']:8.0f} µs  "
                              f"standin cpu {r['standin_cpu_us']:6.1f} µs/req  "
                              f"non-2xx {r['non2xx']}  {r['errors']}", file=sys.stderr)
            alive = suite.server.process.poll() is None
        except BaseException:
            for gw in gateways:
                print(gw.log(), file=sys.stderr)
            print(suite.server.log() if hasattr(suite, "server") else "", file=sys.stderr)
            raise
        finally:
            for gw in gateways:
                gw.stop()
            if hasattr(suite, "server") and suite.server.process.poll() is None:
                suite.server.stop()
    after = loadavg()
    print(f"bench: after: {after}", file=sys.stderr)

    odd = []
    if not alive:
        odd.append("standin serve exited during the run")
    lines = [f"Binary: `{build}`; wrk -t1 -c{args.connections} -d{args.seconds}s, "
             f"{args.rounds} rounds alternating, medians; {os.cpu_count()} CPUs.",
             "",
             "| gateway | row | req/s | p50 µs | p99 µs | vs plain | cost µs/req | standin CPU µs/req |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for gw in gateways:
        base = statistics.median(r["rate"] for r in results[(gw.name, "plain")])
        for row in ROWS:
            rs = results[(gw.name, row)]
            rate = statistics.median(r["rate"] for r in rs)
            p50 = statistics.median(r["p50"] for r in rs)
            p99 = statistics.median(r["p99"] for r in rs)
            cpu = statistics.median(r["standin_cpu_us"] for r in rs)
            bad = sum(r["non2xx"] for r in rs)
            errs = [r["errors"] for r in rs if r["errors"]]
            if bad or errs:
                odd.append(f"{gw.name} {row}: {bad} non-2xx, socket errors {errs}")
            ratio = "1.00" if row == "plain" else f"{rate / base:.2f}"
            cost = "-" if row == "plain" else f"{(1 / rate - 1 / base) * 1e6:.1f}"
            lines.append(f"| {gw.name} | {ROWS.index(row) + 1}. {row} | {rate:.0f} | {p50:.0f} | {p99:.0f} "
                         f"| {ratio} | {cost} | {cpu:.1f} |")
    lines += ["", f"Load before: `{before}`", f"Load after: `{after}`"]
    lines += [f"Odd: {o}" for o in odd]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
