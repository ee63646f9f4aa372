#!/usr/bin/env python3
"""The image (deploy/image) as a runtime would start it, without a runtime.

    image.py

Containers cannot start on the machines CI runs on (the OCI runtime's
setrlimit is refused), so this builds the image (deploy/image/build.sh),
exports its filesystem (`podman create` + `podman export`, nothing run),
and starts its entrypoint itself the way a runtime does: chroot into the
exported tree, the image's working directory, its environment and its
user (uid 65532), with a host key placed where a Secret would mount it.
Then: a key made and a policy set by the exported binary, `serve` (the
image's command, on a free port) answering /readyz, a session started
with that key over HTTP, an action forbidden (F1) and one allowed, and
SIGTERM exiting 0. It also checks the image's labels, user and size
(under 40 MB), and prints the size.

Needs podman, musl-tools, the x86_64-unknown-linux-musl target and root
(for chroot). Without them it skips with a note, or fails when
STANDIN_REQUIRE_IMAGE=1 (as .ci/run sets it).
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from standin_proc import ROOT, call  # noqa: E402
MAX_BYTES = 40 * 1000 * 1000


def missing():
    why = []
    if os.geteuid() != 0:
        why.append("not root (chroot)")
    for tool in ("podman", "musl-gcc"):
        if not shutil.which(tool):
            why.append(f"no {tool}")
    targets = subprocess.run(["rustup", "target", "list", "--installed"], cwd=ROOT,
                             capture_output=True, text=True).stdout.split()
    if "x86_64-unknown-linux-musl" not in targets:
        why.append("no rustup target x86_64-unknown-linux-musl")
    return why


def podman(*args):
    return subprocess.run(["podman", *args], check=True, capture_output=True, text=True).stdout


def main():
    why = missing()
    if why:
        if os.environ.get("STANDIN_REQUIRE_IMAGE") == "1":
            sys.exit(f"image: cannot test the image: {', '.join(why)} (source .ci/install.d/image.sh)")
        print(f"image: skipped: {', '.join(why)}", file=sys.stderr)
        return
    tag = subprocess.run([os.path.join(ROOT, "deploy/image/build.sh"), "standin:test"], cwd=ROOT,
                         check=True, stdout=subprocess.PIPE, text=True).stdout.strip()
    config = json.loads(podman("image", "inspect", tag))[0]
    size = int(config["Size"])
    print(f"image: {tag}: {size / 1e6:.1f} MB uncompressed", file=sys.stderr)
    image = config["Config"]
    problems = []
    if size >= MAX_BYTES:
        problems.append(f"the image is {size} bytes, over {MAX_BYTES}")
    if image.get("User") != "65532:65532":
        problems.append(f"the image runs as {image.get('User')!r}, not 65532:65532")
    labels = image.get("Labels") or {}
    revision = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    for label in ("source", "version", "revision"):
        if not labels.get(f"org.opencontainers.image.{label}") or labels.get(f"org.opencontainers.image.{label}") == "unknown":
            problems.append(f"no org.opencontainers.image.{label} label")
    if revision and labels.get("org.opencontainers.image.revision") != revision:
        problems.append("the revision label is not this commit")

    with tempfile.TemporaryDirectory(prefix="standin-image-") as work:
        rootfs = os.path.join(work, "rootfs")
        container = podman("create", tag).strip()
        try:
            podman("export", container, "-o", os.path.join(work, "rootfs.tar"))
        finally:
            podman("rm", container)
        with tarfile.open(os.path.join(work, "rootfs.tar")) as tar:
            tar.extractall(rootfs, filter="tar", numeric_owner=True)
        # Where a Secret would mount the host key (the image's
        # XDG_CONFIG_HOME/standin/host.key), readable by the image's user only.
        os.makedirs(os.path.join(rootfs, "etc/standin"), exist_ok=True)
        key_path = os.path.join(rootfs, "etc/standin/host.key")
        with open(key_path, "wb") as fh:
            fh.write(os.urandom(32))
        os.chown(key_path, 65532, 65532)
        os.chmod(key_path, 0o400)

        env = dict(item.split("=", 1) for item in image.get("Env", []))
        workdir = image.get("WorkingDir") or "/"
        if ":" not in image.get("User", ""):
            raise SystemExit(f"image: no user:group to run as (User {image.get('User')!r})")
        uid, gid = (int(x) for x in image["User"].split(":"))
        entrypoint = image.get("Entrypoint") or []

        def enter():
            os.chroot(rootfs)
            os.chdir(workdir)
            os.setgroups([])
            os.setgid(gid)
            os.setuid(uid)

        def start(argv, **kwargs):
            try:
                return kwargs.pop("how")(argv, preexec_fn=enter, env=env, text=True, **kwargs)
            except subprocess.SubprocessError as e:
                raise SystemExit(f"image: cannot start `{' '.join(argv)}` in {workdir} as {uid}:{gid}: {e}")

        def run(*args):
            done = start([*entrypoint, *args], how=subprocess.run, capture_output=True)
            if done.returncode != 0:
                raise SystemExit(f"image: `standin {' '.join(args)}` exited {done.returncode}: {done.stderr.strip()}")
            return done.stdout

        key = json.loads(run("key", "create", "--tenant", "acme", "--scope", "decide", "--name", "image-test"))["key"]
        run("policy", "set", "--tenant", "acme")
        command = list(image.get("Cmd") or [])
        command[command.index("--listen") + 1] = "127.0.0.1:0"
        server = start([*entrypoint, *command], how=subprocess.Popen,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            line = server.stdout.readline()
            if not line:
                raise SystemExit(f"image: serve did not start: {server.stderr.read().strip()}")
            base = f"http://{json.loads(line)['listening']}"
            with open(os.path.join(ROOT, "examples/requests/start-allow.json"), encoding="utf-8") as fh:
                start = json.load(fh)
            steps = [
                ("GET /readyz", call("GET", f"{base}/readyz"), 200, None),
            ]
            status, session = call("POST", f"{base}/v1/tenants/acme/sessions", key, start)
            steps.append(("POST sessions", (status, session), 201, None))
            sid = (session or {}).get("id", "none")
            steps.append(("authorize billing.purchase",
                          call("POST", f"{base}/v1/tenants/acme/sessions/{sid}/authorize", key,
                               {"action": "billing.purchase"}), 200, "deny"))
            steps.append(("authorize course.view",
                          call("POST", f"{base}/v1/tenants/acme/sessions/{sid}/authorize", key,
                               {"action": "course.view"}), 200, "allow"))
            for name, (status, body), want, decision in steps:
                got = (body or {}).get("decision") if isinstance(body, dict) else None
                if status != want or (decision and got != decision):
                    problems.append(f"{name}: {status} {body}")
                else:
                    print(f"  ok    {name} -> {status}{' ' + got if decision else ''}", file=sys.stderr)
            server.send_signal(signal.SIGTERM)
            code = server.wait(timeout=30)
            if code != 0:
                problems.append(f"SIGTERM: serve exited {code}")
            else:
                print("  ok    SIGTERM -> exit 0", file=sys.stderr)
        finally:
            if server.poll() is None:
                server.kill()
                server.wait()
        db = os.path.join(rootfs, workdir.lstrip("/"), "standin.db")
        if not os.path.exists(db) or os.stat(db).st_uid != uid:
            problems.append(f"no database of uid {uid} in the working directory {workdir}")
    for p in problems:
        print(f"image: {p}", file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
