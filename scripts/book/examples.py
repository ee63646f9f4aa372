#!/usr/bin/env python3
"""The book's examples, run against the real binary.

    examples.py --check     run every examples/guides/*.sh and compare what
                            it printed with its transcript NAME.out; check
                            that every shell and JSON example of the guides
                            comes from a file under examples/ (below)
    examples.py --update    run them and write the transcripts

A script is run from the repository root by bash, one command at a time
(a command may go on over lines ending in `\\`), with `standin` on PATH
($STANDIN_BIN), a fresh TMPDIR, XDG_CONFIG_HOME and XDG_CACHE_HOME (so the
host key and the compile cache are the run's own), and CARGO_TARGET_DIR
unset (commands build where the reader's would). Its transcript is each
command as `$ COMMAND`, then what it printed (stdout and stderr), then
`(exit N)` when it did not exit 0. What differs from run to run is shown
as a placeholder: session ids `s-<1>`, API keys, key ids, hashes, digests,
signatures, tokens and temporary paths, numbered in order of appearance.
A server a script starts in the background on 127.0.0.1:8080 is moved to a
free port (STANDIN_LISTEN, and 8080 in its commands; the transcript says
8080) and stopped at the end. A script gets 300 seconds.

The guides (docs/book/src/getting-started.md and guides/, concepts/)
must take their examples from files: a ```sh, ```bash, ```console or
```json block there holds only `{{#include PATH}}` lines naming a file
under examples/, and each such file is run here (a script) or named by a
script that is (a request, settings or suite file). Transcripts, outputs
and commands that cannot run here (a PostgreSQL server, a browser) are
```text blocks.
"""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
GUIDES = os.path.join(ROOT, "examples", "guides")
BOOK = os.path.join(ROOT, "docs", "book", "src")
GUIDE_PAGES = ["getting-started.md", "concepts", "guides"]

PLACEHOLDERS = [
    # (pattern, name); each distinct match gets <name-N>, N by first appearance.
    (re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+"), "token"),
    (re.compile(r"stn_[A-Za-z0-9_-]{20,}"), "api-key"),
    (re.compile(r"\bs-[0-9a-f]{16}\b"), "s"),
    (re.compile(r"\bk-[0-9a-f]{16}\b"), "k"),
    (re.compile(r"\bt-[0-9a-f]{16}\b"), "t"),
    (re.compile(r"sha256:[0-9a-f]{64}"), "digest"),
    (re.compile(r"\b[0-9a-f]{64}\b"), "hash"),
    (re.compile(r'(?<="signature":")[A-Za-z0-9_-]{40,}'), "signature"),
    (re.compile(r'(?<="public_key":")[A-Za-z0-9_-]{40,}'), "public-key"),
    (re.compile(r'(?<="x":")[A-Za-z0-9_-]{40,}'), "public-key"),
    (re.compile(r'(?<="key_id":")[0-9a-f]{16}'), "key-id"),
    (re.compile(r'(?<="kid":")[0-9a-f]{16}'), "key-id"),
    (re.compile(r"(?<=--public-key )[A-Za-z0-9_-]{40,}"), "public-key"),
]


def commands(script):
    """The script's commands: logical lines, comments and blank lines left out."""
    out, current = [], ""
    for line in open(script, encoding="utf-8").read().splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.endswith("\\"):
            current += line + "\n"
            continue
        out.append(current + line)
        current = ""
    if current:
        out.append(current.rstrip("\\\n"))
    return out


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(script, binary):
    work = tempfile.mkdtemp(prefix="standin-book-")
    try:
        bindir = os.path.join(work, "bin")
        os.makedirs(bindir)
        os.symlink(os.path.abspath(binary), os.path.join(bindir, "standin"))
        for d in ("tmp", "config", "cache"):
            os.makedirs(os.path.join(work, d))
        port = str(free_port())
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("STANDIN_") and k not in ("CARGO_TARGET_DIR", "XDG_CONFIG_HOME", "XDG_CACHE_HOME")}
        env.update(PATH=bindir + os.pathsep + os.environ["PATH"], TMPDIR=os.path.join(work, "tmp"),
                   XDG_CONFIG_HOME=os.path.join(work, "config"), XDG_CACHE_HOME=os.path.join(work, "cache"),
                   # `standin serve` with no --listen binds STANDIN_LISTEN: the free port.
                   STANDIN_LISTEN=f"127.0.0.1:{port}")
        program = ["set +e", "trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null' EXIT"]
        for cmd in commands(script):
            shown = cmd.replace("'", "'\\''")
            program.append(f"printf '%s\\n' '$ {shown}'")
            program.append(cmd.replace("8080", port))
            program.append('__rc=$?; [ "$__rc" = 0 ] || echo "(exit $__rc)"')
        done = subprocess.run(["bash", "-c", "\n".join(program) + "\n"], cwd=ROOT, env=env,
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, timeout=300)
        text = done.stdout.replace(port, "8080").replace(os.path.join(work, "tmp"), "$TMPDIR")
        text = re.sub(r"\$TMPDIR/tmp\.[A-Za-z0-9]+", "$TMPDIR/tmp.<dir>", text)
        return normalize(text)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def normalize(text):
    for pattern, name in PLACEHOLDERS:
        seen = {}

        def sub(m):
            if name == "s":
                return f"s-<{seen.setdefault(m.group(0), len(seen) + 1)}>"
            return f"<{name}-{seen.setdefault(m.group(0), len(seen) + 1)}>"

        text = pattern.sub(sub, text)
    return text


FENCE = re.compile(r"^(```+|~~~+)\s*([\w-]*)")
INCLUDE = re.compile(r"^\{\{#include\s+([^}:\s]+)(?::[^}]*)?\s*\}\}$")


def guide_pages():
    for entry in GUIDE_PAGES:
        path = os.path.join(BOOK, entry)
        if os.path.isdir(path):
            for f in sorted(os.listdir(path)):
                if f.endswith(".md"):
                    yield os.path.join(path, f)
        else:
            yield path


def check_blocks(scripts):
    """Every runnable block of the guides comes from an exercised file."""
    named = "\n".join(open(s, encoding="utf-8").read() for s in scripts)
    problems = []
    for page in guide_pages():
        rel = os.path.relpath(page, ROOT)
        lines = open(page, encoding="utf-8").read().splitlines()
        i = 0
        while i < len(lines):
            m = FENCE.match(lines[i])
            if not m:
                i += 1
                continue
            fence, lang, start = m.group(1), m.group(2), i + 1
            i += 1
            body = []
            while i < len(lines) and not lines[i].startswith(fence):
                body.append(lines[i])
                i += 1
            i += 1
            if lang not in ("sh", "bash", "console", "shell", "json"):
                continue
            where = f"{rel}:{start}"
            if not body or not all(INCLUDE.match(b.strip()) for b in body if b.strip()):
                problems.append(f"{where}: a ```{lang} example pasted in the page: put it in a file "
                                "under examples/ and {{#include}} it (or make it ```text)")
                continue
            for b in body:
                if not b.strip():
                    continue
                target = os.path.normpath(os.path.join(os.path.dirname(page), INCLUDE.match(b.strip()).group(1)))
                trel = os.path.relpath(target, ROOT)
                if not trel.startswith("examples/") or not os.path.exists(target):
                    problems.append(f"{where}: includes {trel}, not a file under examples/")
                elif target.endswith(".sh") and target not in scripts:
                    problems.append(f"{where}: includes {trel}, which is not one of examples/guides/*.sh")
                elif not target.endswith(".sh") and trel not in named and os.path.relpath(target, GUIDES) not in named:
                    problems.append(f"{where}: includes {trel}, which no script of examples/guides/ uses")
    return problems


def check_readme():
    """README.md's HTTP example is examples/guides/http-quickstart.sh, verbatim."""
    text = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    script = open(os.path.join(GUIDES, "http-quickstart.sh"), encoding="utf-8").read()
    m = re.search(r"^## Over HTTP\n.*?^```sh\n(.*?)^```", text, re.S | re.M)
    if not m:
        return ["README.md: no ```sh block under `## Over HTTP`"]
    if m.group(1) != script:
        return ["README.md: the HTTP example under `## Over HTTP` is not examples/guides/http-quickstart.sh"]
    return []


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode not in ("--check", "--update"):
        raise SystemExit(__doc__)
    binary = os.environ.get("STANDIN_BIN")
    if not binary:
        raise SystemExit("examples.py: set STANDIN_BIN to the `standin` binary")
    only = sys.argv[2:]
    scripts = sorted(os.path.join(GUIDES, f) for f in os.listdir(GUIDES) if f.endswith(".sh"))
    failed = check_blocks(scripts) + check_readme() if mode == "--check" and not only else []
    for p in failed:
        print(p, file=sys.stderr)
    passed = 0
    for script in scripts:
        name = os.path.basename(script)
        if only and name not in only:
            continue
        expected_path = script[:-3] + ".out"
        got = run(script, binary)
        if mode == "--update":
            with open(expected_path, "w", encoding="utf-8") as f:
                f.write(got)
            print(f"wrote {os.path.relpath(expected_path, ROOT)}", file=sys.stderr)
            continue
        expected = open(expected_path, encoding="utf-8").read() if os.path.exists(expected_path) else ""
        if got == expected:
            passed += 1
            print(f"  ok    {name}", file=sys.stderr)
        else:
            import difflib
            failed.append(name)
            print(f"  FAIL  {name}: its output is not {os.path.relpath(expected_path, ROOT)}", file=sys.stderr)
            sys.stderr.writelines(list(difflib.unified_diff(expected.splitlines(True), got.splitlines(True),
                                                            "expected", "got"))[:60])
    if mode == "--check":
        print(f"{passed} passed, {len(failed)} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
