#!/usr/bin/env python3
"""Lines of every axum handler in crates/web/src, longest first.

A handler is an `async fn` whose parameters take an axum extractor
(State, Path, Query, Form, Json, Multipart, headers, body, the session and
API callers, a middleware's Request/Next), taken by value: helpers that
borrow them (`&CurrentUser`) are not handlers. The count runs from the `fn`
line to its closing brace, doc comments excluded. Usage:
    tools/handler-lengths.py [LIMIT] [--all]   # exit 1 when one is longer than LIMIT
"""
import pathlib
import re
import sys

EXTRACTORS = re.compile(
    r"(?<![&\w])(State|Path|Query|RawQuery|CsrfForm|Form|Json|Multipart|HeaderMap|Bytes|"
    r"CurrentUser|Caller|ClientAddr|OriginalUri|Request|Next|Pagination|CommentPagination)\b"
)
START = re.compile(r"^(\s*)(pub(\([^)]*\))?\s+)?async fn (\w+)")


def handlers(path):
    lines = path.read_text().splitlines()
    i = 0
    while i < len(lines):
        m = START.match(lines[i])
        if not m:
            i += 1
            continue
        # The signature runs to the line that opens the body.
        j = i
        while j < len(lines) and not lines[j].rstrip().endswith("{"):
            j += 1
        signature = " ".join(lines[i : j + 1])
        params = signature[signature.find("(") : signature.rfind("->") if "->" in signature else len(signature)]
        depth = 0
        k = i
        for k in range(i, len(lines)):
            depth += lines[k].count("{") - lines[k].count("}")
            if k >= j and depth == 0:
                break
        if EXTRACTORS.search(params):
            yield m.group(4), k - i + 1, i + 1
        i = k + 1


def main():
    numbers = [a for a in sys.argv[1:] if a.isdigit()]
    limit = int(numbers[0]) if numbers else None
    root = pathlib.Path(__file__).resolve().parent.parent / "crates/web/src"
    found = []
    for path in sorted(root.rglob("*.rs")):
        for name, count, line in handlers(path):
            found.append((count, f"{path.relative_to(root.parent.parent.parent)}:{line}", name))
    found.sort(reverse=True)
    shown = found if "--all" in sys.argv else found[:25]
    for count, where, name in shown:
        print(f"{count:5}  {name}  {where}")
    if limit is not None and found and found[0][0] > limit:
        sys.exit(1)


main()
