"""A hostile policy in Python (the Python twin of the Rust and TypeScript
``mischief`` programs): the start's reason says what to do wrong. The
sandbox must turn each into a deny, never an allow. ``echo`` answers a
deny whose message is the request as the SDK read it, so the test can
compare it with what was sent. The rest reach for the host: a file, a
socket, the clock, entropy, the environment, stdout.
"""

import json
import os
import socket
import sys
import time

from standin_policy import Allow, Deny, Grant, Reason, allow, allow_action, define_policy, refuse

calls = 0


def grant(obligations):
    return allow(Grant(ttl_seconds=600, max_ttl_seconds=600, obligations=obligations))


def plain(value):
    """The request as JSON-able values (principals are read lazily)."""
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if hasattr(value, "__dataclass_fields__"):
        return {k: plain(getattr(value, k)) for k in value.__dataclass_fields__ if getattr(value, k) is not None}
    return value


def recurse(n):
    return recurse(n + 1) + 1


def start(req, _settings):
    global calls
    calls += 1
    reason = req.reason or ""
    if reason.startswith("echo"):
        return refuse("echo", "T1", json.dumps(plain(req)))
    if reason == "loop":
        while True:
            calls += 1
    if reason == "oom":
        hoard = []
        while True:
            hoard.append(bytearray(8 << 20))
    if reason == "recurse":
        return recurse(0)
    if reason == "throw":
        raise RuntimeError("a policy bug")
    if reason == "huge":
        return refuse("huge", "X", "x" * (1 << 20))
    if reason == "many":
        return Deny([Reason(f"c{i}", "X", "") for i in range(10_000)])
    if reason == "silent":
        return Deny([])
    if reason == "ttl":
        return allow(Grant(ttl_seconds=-1, max_ttl_seconds=600))
    if reason == "wrong-type":
        return "allow"
    if reason == "file":
        with open("/etc/passwd") as f:
            return refuse("leak", "X", f.read())
    if reason == "listdir":
        return refuse("leak", "X", json.dumps(os.listdir("/")))
    if reason == "socket":
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.connect(("127.0.0.1", 80))
        return refuse("leak", "X", "connected")
    if reason == "clock":
        return grant([f"now:{time.time()}"])
    if reason == "monotonic":
        return grant([f"monotonic:{time.monotonic_ns()}"])
    if reason == "env":
        return grant([f"env:{sorted(os.environ)}"])
    if reason == "getenv":
        return grant([f"home:{os.getenv('HOME')}"])
    if reason == "random":
        return grant([f"random:{os.urandom(8).hex()}"])
    if reason == "print":
        print("hello from a policy")
        sys.stdout.flush()
        return grant(["printed"])
    if reason == "stdin":
        return grant([f"stdin:{sys.stdin.read(1)!r}"])
    if reason == "exit":
        sys.exit(0)
    return grant([f"calls:{calls}"])


def action(req, _settings):
    return refuse("echo", "T1", json.dumps(plain(req))) if req.action == "echo" else allow_action()


def approval(req, _settings):
    return refuse("echo", "T1", json.dumps(plain(req)))


policy = define_policy(
    name="mischief-py",
    version="0.1.0",
    rules=[],
    configure=lambda _settings: None,
    start=start,
    action=action,
    approval=approval,
)
