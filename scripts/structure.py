#!/usr/bin/env python3
"""Checks a reviewer would otherwise make by hand (issue 26), run by CI:

- no type has more than MAX_METHODS public methods (over all its `impl`
  blocks in its crate): a handle per subject, not one facade;
- no import circle between two files of one crate (`a` uses `b` and `b`
  uses `a`), but for the server's route modules and the state they share;
- the two store backends have the same file names.

Text-level, on purpose: it reads the sources as a reviewer does.
"""
import collections, pathlib, re, sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
CRATES = ["wire", "sdk", "default-policy", "engine", "standin", "store-sqlite", "store-postgres", "server", "cli"]
MAX_METHODS = 20
problems = []

def sources(crate):
    src = ROOT / crate / "src"
    return sorted(src.rglob("*.rs")) if src.is_dir() else []

# Public methods per type.
for crate in CRATES:
    count = collections.Counter()
    for f in sources(crate):
        typ = None
        for line in f.read_text().splitlines():
            m = re.match(r"^impl(?:<[^>]*>)? (?:[\w:]+ for )?([A-Z]\w*)", line)
            if m and " for " not in line:
                typ = m.group(1)
            elif line.startswith("impl"):
                typ = None
            elif line == "}":
                typ = None
            elif typ and re.match(r"^    pub (const |async )?fn ", line):
                count[typ] += 1
    for typ, n in count.items():
        if n > MAX_METHODS:
            problems.append(f"{crate}: `{typ}` has {n} public methods (at most {MAX_METHODS})")

# Import circles between files of one crate.
def module_of(crate, f):
    rel = f.relative_to(ROOT / crate / "src").with_suffix("")
    parts = list(rel.parts)
    if parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    return "::".join(parts)

for crate in CRATES:
    files = sources(crate)
    mods = {module_of(crate, f): f for f in files}
    uses = collections.defaultdict(set)
    for mod, f in mods.items():
        code = "\n".join(l for l in f.read_text().splitlines() if not l.lstrip().startswith("//"))
        for m in re.finditer(r"\b(?:crate|super)(?:::\w+)+", code):
            path = m.group(0).split("::")
            base = mod.split("::") if mod else []
            if path[0] == "super":
                parent = base[:-1] if f.stem != "mod" else base[:-1]
                while path and path[0] == "super":
                    path = path[1:]
                full = parent + path
            else:
                full = path[1:]
            # The longest prefix that is a module of this crate.
            for n in range(len(full), 0, -1):
                target = "::".join(full[:n])
                if target in mods and target != mod:
                    uses[mod].add(target)
                    break
    for a in uses:
        for b in uses[a]:
            if a < b and a in uses.get(b, ()):
                if crate == "server" and ({a, b} & {"app", "state", "routes"}):
                    continue
                # A folder's mod.rs and its own files are one module.
                if b.startswith(a + "::") or a.startswith(b + "::") or not a or not b:
                    continue
                problems.append(f"{crate}: `{a}` and `{b}` import each other")

# The backends' files.
# What only one database has lives under its `native/` (and `native.rs`
# says what); `tests.rs` holds a backend's own unit tests.
names = [
    {n for p in sources(c) if not (n := p.relative_to(ROOT / c / "src").as_posix()).startswith("native/")}
    for c in ("store-sqlite", "store-postgres")
]
shared = {"lib.rs", "tests.rs"}
for only, other in ((names[0] - names[1], "store-postgres"), (names[1] - names[0], "store-sqlite")):
    for name in sorted(only - shared):
        problems.append(f"store backends: `{name}` has no file of that name in {other}")

for p in problems:
    print(p, file=sys.stderr)
sys.exit(1 if problems else 0)
