#!/usr/bin/env python3
"""Removes each rule of the Cedar and the Rego policy in turn and runs the
equivalence test: every removal that matters must make it fail.

A rule is a block of `policies/standin.cedar` or `policies/standin.rego`
(its comment and text, between blank lines). Prints, for each, whether the
test failed on a disagreement (caught), failed otherwise (the policy no
longer loads: caught, trivially) or passed (not caught). Restores each file
after each run. `nice -n 10 python3 mutations.py [cedar|rego]`.
"""
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
HEAD = {
    "cedar": re.compile(r"^(permit|forbid) \("),
    "rego": re.compile(r"^[a-z_]+(\(.*\))? *(contains|if|:=)"),
}
SKIP_REGO = re.compile(r"^(package|import|settings :=)")


def blocks(text):
    return text.split("\n\n")


def rule_of(block, lang):
    lines = [l for l in block.splitlines() if l.strip() and not l.lstrip().startswith(("//", "#", "@"))]
    if not lines or not HEAD[lang].match(lines[0]) or (lang == "rego" and SKIP_REGO.match(lines[0])):
        return None
    annotations = " ".join(l for l in block.splitlines() if l.startswith("@"))
    return (annotations + " " + lines[0]).strip()


def run(lang):
    path = HERE / "policies" / f"standin.{lang}"
    original = path.read_text()
    parts = blocks(original)
    results = []
    try:
        for i, block in enumerate(parts):
            rule = rule_of(block, lang)
            if rule is None:
                continue
            path.write_text("\n\n".join(parts[:i] + parts[i + 1 :]))
            test = subprocess.run(
                ["cargo", "test", "-q", "--test", "equivalence"],
                cwd=HERE, capture_output=True, text=True,
            )
            out = test.stdout + test.stderr
            if test.returncode == 0:
                verdict = "NOT CAUGHT"
            elif "disagreements" in out:
                cases = re.findall(r"disagreements in (\d+) of \d+ (start|action) cases", out)
                verdict = "caught: " + ", ".join(f"{n} {kind} cases" for n, kind in cases)
            else:
                verdict = "caught: the policy no longer loads"
            results.append((rule, verdict))
            print(f"{lang}: {rule[:90]:<90} {verdict}", flush=True)
    finally:
        path.write_text(original)
    return results


if __name__ == "__main__":
    for lang in sys.argv[1:] or ["cedar", "rego"]:
        run(lang)
