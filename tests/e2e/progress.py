#!/usr/bin/env python3
"""Reads `docker buildx build --progress=plain` output.

    progress.py LOG status NAME   -> CACHED | DONE | ERROR | CANCELED | MISSING
    progress.py LOG lines NAME    -> the log lines the step printed, one per line

NAME is the vertex name as buildx prints it, e.g. "[gofront] go mod download";
a prefix is enough. With several matching vertices the last one counts.
"""

import re
import sys


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


def main(argv):
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
