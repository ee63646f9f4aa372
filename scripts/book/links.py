#!/usr/bin/env python3
"""Offline link check: every internal link and anchor resolves.

    links.py --repo          every Markdown file git tracks (README.md,
                             docs/, examples/, clients/, ...): each relative
                             link names a file or folder that exists, and
                             each #anchor a heading of that file (GitHub's
                             anchors); the book's sources are checked built;
                             and every repository path the code map names
                             in code (`engine/src/checked.rs`) exists;
    links.py --html DIR      the built book: each relative href and src of
                             every page names a file of the book, and each
                             #fragment an id in that page.

Prints each broken link as FILE:LINE: TARGET: WHY and exits 1 when any is.
Links with a scheme (https:, mailto:) are not followed: this runs offline.
"""
import html.parser
import os
import re
import subprocess
import sys
from urllib.parse import unquote

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
INLINE = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFDEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)")
FENCE = re.compile(r"^\s*(```|~~~)")
CODE_SPAN = re.compile(r"(`+)(?:(?!\1)[^\n]|\n(?!\n))+?\1")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
HTML_ID = re.compile(r"""<a\s+(?:name|id)=["']([^"']+)["']""")


def slug(text):
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<[^>]+>", "", text)
    out = []
    for ch in text.strip().lower():
        if ch.isalnum() or ch in "-_":
            out.append(ch)
        elif ch == " ":
            out.append("-")
    return "".join(out)


def anchors_of(path, cache={}):
    if path in cache:
        return cache[path]
    found, seen, fenced = set(), {}, False
    with open(path, encoding="utf-8") as f:
        for line in f:
            if FENCE.match(line):
                fenced = not fenced
                continue
            if fenced:
                continue
            for m in HTML_ID.finditer(line):
                found.add(m.group(1))
            m = HEADING.match(line)
            if m:
                s = slug(m.group(2))
                n = seen.get(s, 0)
                seen[s] = n + 1
                found.add(s if n == 0 else f"{s}-{n}")
    cache[path] = found
    return found


def markdown_links(path):
    """(line, target) of each link outside code blocks and code spans; a
    link's text may run over several lines."""
    lines, fenced = [], False
    with open(path, encoding="utf-8") as f:
        for line in f:
            if FENCE.match(line):
                fenced = not fenced
                lines.append("\n")
            else:
                lines.append("\n" if fenced else line)
    text = CODE_SPAN.sub(lambda m: "\n" * m.group(0).count("\n"), "".join(lines))
    for m in INLINE.finditer(text):
        yield text.count("\n", 0, m.start(1)) + 1, m.group(1)
    for number, line in enumerate(text.split("\n"), 1):
        m = REFDEF.match(line)
        if m:
            yield number, m.group(1)


def check_repo():
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "*.md"],
                           cwd=ROOT, capture_output=True, text=True, check=True).stdout.split("\0")
    broken = 0
    checked = 0
    for rel in sorted(f for f in files if f):
        if rel.startswith("docs/book/src/") or "/node_modules/" in rel or not os.path.exists(os.path.join(ROOT, rel)):
            continue
        here = os.path.dirname(os.path.join(ROOT, rel))
        for number, target in markdown_links(os.path.join(ROOT, rel)):
            if SCHEME.match(target):
                continue
            checked += 1
            path, _, frag = target.partition("#")
            dest = os.path.normpath(os.path.join(here, unquote(path))) if path else os.path.join(ROOT, rel)
            why = None
            if not dest.startswith(ROOT + os.sep) and dest != ROOT:
                why = "points outside the repository"
            elif not os.path.exists(dest):
                why = "no such file"
            elif frag and dest.endswith(".md") and frag not in anchors_of(dest):
                why = f"no heading #{frag} in {os.path.relpath(dest, ROOT)}"
            if why:
                broken += 1
                print(f"{rel}:{number}: {target}: {why}")
    print(f"links.py --repo: {checked} relative links in Markdown files, {broken} broken", file=sys.stderr)
    return broken + check_code_map()


# The code map says where things happen in code spans, not links; a file
# renamed or moved must not leave it pointing at nothing. A span names a
# path when it starts with a top-level folder of the repository and holds
# a slash (`cli/src/open.rs`, `store-sqlite/`, `wit/archive/0.3.0/`).
CODE_MAP = "docs/book/src/reference/code-map.md"
PATH_SPAN = re.compile(r"`([A-Za-z0-9_.-]+/[A-Za-z0-9_./-]*)`")


def check_code_map():
    tops = {e for e in os.listdir(ROOT) if os.path.isdir(os.path.join(ROOT, e)) and not e.startswith(".")}
    broken = named = 0
    with open(os.path.join(ROOT, CODE_MAP), encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            for path in PATH_SPAN.findall(line):
                if path.split("/", 1)[0] not in tops:
                    continue
                named += 1
                if not os.path.exists(os.path.join(ROOT, path)):
                    broken += 1
                    print(f"{CODE_MAP}:{number}: `{path}`: no such file or folder")
    print(f"links.py --repo: {named} paths in the code map, {broken} missing", file=sys.stderr)
    return broken


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids = set()
        self.links = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("id", "name") and value:
                self.ids.add(value)
            if name in ("href", "src") and value:
                self.links.append((self.getpos()[0], value))


def check_html(out_dir):
    out_dir = os.path.abspath(out_dir)
    pages = {}
    for dirpath, _dirs, files in os.walk(out_dir):
        for f in files:
            if f.endswith(".html"):
                p = Page()
                with open(os.path.join(dirpath, f), encoding="utf-8") as fh:
                    p.feed(fh.read())
                pages[os.path.join(dirpath, f)] = p
    broken = 0
    checked = 0
    for path, page in sorted(pages.items()):
        rel = os.path.relpath(path, out_dir)
        if rel == "404.html":  # resolved against the site's root, not checked here
            continue
        for line, target in page.links:
            if SCHEME.match(target) or target.startswith("//"):
                continue
            checked += 1
            link, _, frag = target.partition("#")
            link = link.split("?", 1)[0]
            dest = os.path.normpath(os.path.join(os.path.dirname(path), unquote(link))) if link else path
            if os.path.isdir(dest):
                dest = os.path.join(dest, "index.html")
            why = None
            if not dest.startswith(out_dir + os.sep):
                why = "points outside the book"
            elif not os.path.exists(dest):
                why = "no such file in the book"
            elif frag and dest.endswith(".html") and unquote(frag) not in pages[dest].ids:
                why = f"no id #{frag} in {os.path.relpath(dest, out_dir)}"
            if why:
                broken += 1
                print(f"{rel}:{line}: {target}: {why}")
    print(f"links.py --html: {checked} links in {len(pages)} pages, {broken} broken", file=sys.stderr)
    return broken


def main():
    args = sys.argv[1:]
    if args[:1] == ["--repo"]:
        broken = check_repo()
    elif args[:1] == ["--html"] and len(args) == 2:
        broken = check_html(args[1])
    else:
        raise SystemExit(__doc__)
    sys.exit(1 if broken else 0)


if __name__ == "__main__":
    main()
