#!/usr/bin/env python3
"""Reads `docker buildx build` output, whatever the buildx version.

    progress.py LOG status NAME   -> CACHED | DONE | ERROR | CANCELED | MISSING
    progress.py LOG lines NAME    -> the log lines the step printed, one per line
    progress.py LOG error         -> the error the build failed with, without
                                     the client's wrapping ("failed to build: ",
                                     "failed to solve: "); nothing if none
    progress.py LOG warnings      -> the build's warnings, one per line
                                     (needs --progress=rawjson)

status and lines read --progress=plain output. NAME is the vertex name as
buildx prints it, e.g. "[gofront] go mod download"; a prefix is enough. With
several matching vertices the last one counts.

error reads the last line that starts with "ERROR: ", in any progress mode:
buildx 0.13 prints "ERROR: failed to solve: MSG", buildx 0.29 "ERROR: failed
to build: failed to solve: MSG"; both give MSG, the frontend's own sentence.
warnings decodes the "warnings" of BuildKit's status stream, which
--progress=rawjson prints as JSON (one status a line in buildx 0.29,
pretty-printed in 0.13), so no client's rendering of them is involved.
"""

import base64
import json
import re
import sys

# What clients put in front of the error a build failed with.
CLIENT_WRAPPING = ("failed to build: ", "failed to solve: ")


def vertices(text):
    names = {}
    status = {}
    lines = {}
    for line in text.splitlines():
        m = re.match(r"^#(\d+) (.*)$", line)
        if not m:
            continue
        num, rest = m.group(1), m.group(2)
        if num not in names:
            names[num] = rest
            lines[num] = []
            continue
        if rest in ("CACHED", "DONE") or rest.startswith("DONE "):
            status[num] = rest.split()[0]
        elif rest.startswith("ERROR") or rest == "CANCELED":
            status[num] = rest.split(":")[0]
        else:
            t = re.match(r"^\d+\.\d+ (.*)$", rest)
            if t:
                lines[num].append(t.group(1))
    return names, status, lines


def error(text):
    found = None
    for line in text.splitlines():
        if line.startswith("ERROR: "):
            found = line[len("ERROR: "):]
    if found is None:
        return None
    stripped = True
    while stripped:
        stripped = False
        for w in CLIENT_WRAPPING:
            if found.startswith(w):
                found = found[len(w):]
                stripped = True
    return found


def statuses(text):
    """The JSON objects of a rawjson stream: one a line (buildx 0.29) or
    pretty-printed over several (buildx 0.13), mixed with plain lines."""
    buf = None
    for line in text.splitlines():
        if buf is None:
            if not line.startswith("{"):
                continue
            buf = line
        else:
            buf += "\n" + line
        try:
            yield json.loads(buf)
            buf = None
        except ValueError:
            if line == "}":  # a top-level object ended and still does not parse
                buf = None


def warnings(text):
    out = []
    for status in statuses(text):
        for w in status.get("warnings") or []:
            short = base64.b64decode(w.get("short") or "").decode("utf-8", "replace")
            out.append(short)
    return out


def main(argv):
    if len(argv) == 3 and argv[2] in ("error", "warnings"):
        with open(argv[1], encoding="utf-8", errors="replace") as f:
            text = f.read()
        if argv[2] == "error":
            e = error(text)
            if e is not None:
                print(e)
        else:
            for w in warnings(text):
                print(w)
        return 0
    if len(argv) != 4 or argv[2] not in ("status", "lines"):
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8", errors="replace") as f:
        names, status, lines = vertices(f.read())
    wanted = argv[3]
    found = [n for n, name in names.items() if name.startswith(wanted)]
    if not found:
        print("MISSING")
        return 0
    num = found[-1]
    if argv[2] == "status":
        print(status.get(num, "RUNNING"))
    else:
        for l in lines[num]:
            print(l)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
