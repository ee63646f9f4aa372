#!/usr/bin/env python3
"""The Kubernetes manifests (deploy/kubernetes) against the real binary.

    check.py MANIFEST_DIR      (STANDIN_BIN names the binary)

kubernetes-validate checks the manifests' shape against the Kubernetes
schemas; this checks what the schemas cannot know:

- every `STANDIN_*` variable a container sets is one its command reads
  (`[env: NAME=]` in `standin COMMAND --help`), and every `--flag` in its
  args is one of that command's options;
- the ConfigMap's `standin.toml` is a settings file `standin serve`
  accepts: the server starts with it (its paths replaced by a scratch
  folder's), and every path the Deployment's probes and Prometheus
  annotations name answers 200 on it; SIGTERM then drains and exits 0;
- the port the config listens on is the container's port, and the drain
  deadline plus the preStop pause fit in terminationGracePeriodSeconds.

Exits 1 naming each problem.
"""
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import urllib.request

import yaml

problems = []


def problem(text):
    problems.append(text)
    print(f"deploy: {text}", file=sys.stderr)


def documents(folder):
    for name in sorted(os.listdir(folder)):
        if name.endswith((".yaml", ".yml")):
            with open(os.path.join(folder, name), encoding="utf-8") as fh:
                for doc in yaml.safe_load_all(fh):
                    if doc:
                        yield name, doc


def pod_specs(docs):
    for name, doc in docs:
        spec = doc.get("spec", {})
        if doc["kind"] == "Deployment":
            yield name, doc, spec["template"]["spec"]
        elif doc["kind"] == "Job":
            yield name, doc, spec["template"]["spec"]


def help_of(binary, command):
    out = subprocess.run([binary, command, "--help"], capture_output=True, text=True, check=True).stdout
    env = set(re.findall(r"\[env: ([A-Z_]+)=", out))
    flags = set(re.findall(r"(--[a-z][a-z0-9-]*)", out))
    return env, flags


def check_commands(binary, docs):
    for name, _doc, spec in pod_specs(docs):
        for c in spec["containers"]:
            args = c.get("args") or []
            if not args:
                problem(f"{name}: container {c['name']} names no command")
                continue
            env, flags = help_of(binary, args[0])
            for var in c.get("env", []):
                if var["name"].startswith("STANDIN_") and var["name"] not in env:
                    problem(f"{name}: {var['name']} is not read by `standin {args[0]}`")
            for arg in args[1:]:
                if arg.startswith("--") and arg.split("=", 1)[0] not in flags:
                    problem(f"{name}: `{arg}` is not an option of `standin {args[0]}`")


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def check_server(binary, docs):
    config = next(doc for _, doc in docs if doc["kind"] == "ConfigMap")["data"]["standin.toml"]
    deployment = next(doc for _, doc in docs if doc["kind"] == "Deployment")
    pod = deployment["spec"]["template"]
    container = pod["spec"]["containers"][0]

    listen_port = int(re.search(r'^listen = "[^"]*:(\d+)"', config, re.M).group(1))
    ports = {p["containerPort"] for p in container["ports"]}
    if listen_port not in ports:
        problem(f"the config listens on {listen_port}, the container exposes {sorted(ports)}")
    drain_ms = int(re.search(r"^drain_timeout_ms = (\d+)", config, re.M).group(1))
    pause = container.get("lifecycle", {}).get("preStop", {}).get("sleep", {}).get("seconds", 0)
    grace = pod["spec"].get("terminationGracePeriodSeconds", 30)
    if drain_ms / 1000 + pause >= grace:
        problem(f"drain ({drain_ms} ms) + preStop ({pause} s) do not fit in the grace period ({grace} s)")

    paths = {container[p]["httpGet"]["path"] for p in ("startupProbe", "readinessProbe", "livenessProbe")}
    paths.add(pod["metadata"]["annotations"]["prometheus.io/path"])

    with tempfile.TemporaryDirectory(prefix="standin-deploy-") as work:
        # The file as shipped, but the paths that are volumes in the pod
        # are this scratch folder's; flags win over the file for the rest.
        local = re.sub(r'^host_key = "[^"]*"', f'host_key = "{work}/host.key"', config, flags=re.M)
        path = os.path.join(work, "standin.toml")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(local)
        env = {k: v for k, v in os.environ.items() if not k.startswith("STANDIN_")}
        env["XDG_CACHE_HOME"] = os.path.join(work, "cache")
        server = subprocess.Popen(
            [binary, "serve", "--config", path, "--listen", "127.0.0.1:0", "--db", os.path.join(work, "standin.db")],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        try:
            line = server.stdout.readline()
            if not line:
                problem(f"`standin serve` refused the ConfigMap's settings: {server.stderr.read().strip()}")
                return
            address = json.loads(line)["listening"]
            for p in sorted(paths):
                status = get(f"http://{address}{p}")
                if status != 200:
                    problem(f"{p} (a probe or the scrape path) answered {status}")
                else:
                    print(f"  ok    GET {p} -> 200", file=sys.stderr)
            server.send_signal(signal.SIGTERM)
            code = server.wait(timeout=drain_ms / 1000 + 10)
            if code != 0:
                problem(f"SIGTERM: `standin serve` exited {code}")
        finally:
            if server.poll() is None:
                server.kill()
                server.wait()


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else "deploy/kubernetes"
    binary = os.environ.get("STANDIN_BIN", "standin")
    docs = list(documents(folder))
    check_commands(binary, docs)
    check_server(binary, docs)
    print(f"deploy: {len(docs)} manifests, {len(problems)} problems", file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
