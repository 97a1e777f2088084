#!/bin/sh
# Measurement script run once inside golang:1.24 (docs/test-cache.md), kept as run.
# shellcheck disable=SC2012,SC2162
# mtime.sh: what Go's test cache keys a testdata read on, through the prog.
set -e
export GOCACHE=/w/c/prog GOCACHEPROG="/w/gofront gocache prog --dir /w/c/prog --used /w/c/prog/gofront-used/mtime.txt"
# Every file's and directory's mtime from its content: same bytes (names,
# for a directory) -> same time, between 2000 and 2008.
stamp_sh() {
  find "$1" -type f | while read f; do
    h=$(sha256sum "$f" | cut -c1-7); touch -d @$((946684800 + 0x$h)) "$f"; done
  find "$1" -depth -type d | while read d; do
    h=$(ls -A "$d" | sha256sum | cut -c1-7); touch -d @$((946684800 + 0x$h)) "$d"; done
}
stamp() { /w/gofront gocache stamp --dir "$1" 2>/dev/null; }
t() {
  (cd /w/tc && go test ./... 2>&1 | grep -v 'no test files' > /tmp/o) || cat /tmp/o
  echo "$1: $(grep -c '(cached)' /tmp/o)/$(grep -c '^ok' /tmp/o) cached; ran: $(grep -v '(cached)' /tmp/o | awk '{print $2}' | tr '\n' ' ')"
}
cd /w
rm -rf tc-orig tc-1 tc-2
t "0 the tree the cache was filled from"
mv tc tc-orig; cp -r tc-orig tc; sleep 3
t "1 fresh copy at the same path (new mtimes, >2 s old)"
t "1b the same copy again"
mv tc tc-1; cp -r tc-orig tc; stamp tc
t "2 fresh copy + content mtimes (first time)"
mv tc tc-2; cp -r tc-orig tc; s0=$(cut -d' ' -f1 /proc/uptime); stamp tc; s1=$(cut -d' ' -f1 /proc/uptime)
t "3 another fresh copy + content mtimes"
printf 'jello\n' > tc/p00/testdata/input.txt; stamp tc
t "4 same-size testdata edit (hello->jello) + content mtimes"
printf 'hello\n' > tc/p00/testdata/input.txt; stamp tc
t "5 edit reverted + content mtimes"
echo "stamping $(find tc | wc -l) paths with gofront gocache stamp: $(awk "BEGIN{print $s1-$s0}") s"
rm -rf tc tc-1 tc-2; mv tc-orig tc
