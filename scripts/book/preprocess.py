#!/usr/bin/env python3
"""mdBook preprocessor `standin-include` (docs/book/book.toml).

`{{#standin-include PATH}}` puts a Markdown file of the repository into a
book page, `{{#standin-include PATH#SLUG}}` only its section under the
heading whose GitHub anchor is SLUG (up to the next heading of the same or
a higher level). PATH is relative to the page, as with mdBook's
`{{#include}}`. The file stays where it is, the one copy (docs/contract.md,
docs/http.md, docs/rules.md, SECURITY.md, BENCHMARKS.md, ...), and its
links are made right for the page:

- a link to a file that the book shows (PAGES below) goes to that page,
  its anchor kept;
- a link to any other file of the repository becomes its path in code
  (the book is read without the repository; `scripts/book/links.py`
  checks every link of the built book and of the repository's documents);
- an anchor of the same file goes to the page that shows the whole file
  when only a section is included here.

mdBook calls it as `preprocess.py supports RENDERER` (exit 0: yes), then
with `[context, book]` as JSON on stdin, and reads the book from stdout.
"""
import json
import os
import re
import sys

# Repository file -> the book page (under docs/book/src) that shows it whole.
PAGES = {
    "docs/contract.md": "reference/contract.md",
    "docs/rules.md": "reference/rules.md",
    "docs/http.md": "reference/http.md",
    "docs/deploy.md": "guides/deploying.md",
    "docs/webhooks.md": "guides/webhooks.md",
    "docs/edge.md": "guides/edge.md",
    "docs/openapi.json": "reference/http-api.md",
    "SECURITY.md": "reference/security.md",
    "BENCHMARKS.md": "benchmarks.md",
    "docs/benchmarks-history.md": "benchmarks-history.md",
    "wit/policy.wit": "reference/wit.md",
}

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
SRC = os.path.join(ROOT, "docs", "book", "src")

INCLUDE = re.compile(r"\{\{#standin-include\s+([^}#\s]+)(?:#([^}\s]+))?\s*\}\}")
LINK = re.compile(r"(!?)\[((?:[^\[\]]|\[[^\]]*\])*)\]\(([^)\s]+)\)")
FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def slug(text):
    """GitHub's anchor of a heading (mdBook makes the same ids)."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # link text only
    text = text.strip().lower()
    out = []
    for ch in text:
        if ch.isalnum() or ch in "-_":
            out.append(ch)
        elif ch == " ":
            out.append("-")
    return "".join(out)


def headings(lines):
    """(line index, level, slug) of each heading outside code fences, with
    GitHub's -1, -2 suffixes for repeated anchors."""
    seen = {}
    found = []
    fenced = False
    for i, line in enumerate(lines):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if fenced:
            continue
        m = HEADING.match(line)
        if m:
            s = slug(m.group(2))
            n = seen.get(s, 0)
            seen[s] = n + 1
            found.append((i, len(m.group(1)), s if n == 0 else f"{s}-{n}"))
    return found


def section(text, anchor, origin):
    lines = text.split("\n")
    hs = headings(lines)
    for k, (i, level, s) in enumerate(hs):
        if s == anchor:
            end = len(lines)
            for j, lv, _ in hs[k + 1:]:
                if lv <= level:
                    end = j
                    break
            return "\n".join(lines[i:end])
    raise SystemExit(f"standin-include: no heading #{anchor} in {origin}")


def rewrite_links(text, file_rel, page_rel, whole):
    """Links of repository file `file_rel`, shown on book page `page_rel`."""
    file_dir = os.path.dirname(file_rel)
    page_dir = os.path.dirname(page_rel)

    def fix(m):
        bang, label, target = m.group(1), m.group(2), m.group(3)
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto:
            return m.group(0)
        path, _, anchor = target.partition("#")
        if not path:
            if whole:
                return m.group(0)
            dest = PAGES.get(file_rel)
            if dest is None:
                raise SystemExit(f"standin-include: {file_rel} links #{anchor} but the book has no page for it")
            return f"{bang}[{label}]({os.path.relpath(dest, page_dir)}#{anchor})"
        repo_path = os.path.normpath(os.path.join(file_dir, path))
        if repo_path.startswith("docs/book/src/"):  # a file of the book itself
            dest = os.path.relpath(repo_path[len("docs/book/src/"):], page_dir)
            return f"{bang}[{label}]({dest}{'#' + anchor if anchor else ''})"
        if repo_path in PAGES:
            dest = os.path.relpath(PAGES[repo_path], page_dir)
            return f"{bang}[{label}]({dest}{'#' + anchor if anchor else ''})"
        # A file the book does not show: name it.
        shown = repo_path + ("/" if path.endswith("/") else "")
        plain = label.strip("`")
        if bang:
            return f"({label}: `{shown}`)"
        if plain.rstrip("/") == shown.rstrip("/") or shown.rstrip("/").endswith(plain.rstrip("/")):
            return f"`{shown}`"
        return f"{label} (`{shown}`)"

    out = []
    fenced = False
    for line in text.split("\n"):
        if FENCE.match(line):
            fenced = not fenced
            out.append(line)
            continue
        out.append(line if fenced else LINK.sub(fix, line))
    return "\n".join(out)


def expand(content, page_rel):
    def include(m):
        path, anchor = m.group(1), m.group(2)
        full = os.path.normpath(os.path.join(SRC, os.path.dirname(page_rel), path))
        file_rel = os.path.relpath(full, ROOT)
        with open(full, encoding="utf-8") as f:
            text = f.read()
        if anchor:
            text = section(text, anchor, file_rel)
        return rewrite_links(text, file_rel, page_rel, whole=anchor is None)

    return INCLUDE.sub(include, content)


def walk(node):
    if isinstance(node, dict):
        chapter = node.get("Chapter")
        if isinstance(chapter, dict) and isinstance(chapter.get("content"), str):
            path = chapter.get("source_path") or chapter.get("path")
            if path:
                chapter["content"] = expand(chapter["content"], path)
        for v in node.values():
            walk(v)
    elif isinstance(node, list):
        for v in node:
            walk(v)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "supports":
        sys.exit(0)
    _context, book = json.load(sys.stdin)
    walk(book)
    json.dump(book, sys.stdout)


if __name__ == "__main__":
    main()
