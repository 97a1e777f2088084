#!/bin/sh
# Measurement script run once inside golang:1.24 (docs/test-cache.md), kept as run.
# shellcheck disable=SC2086,SC2162
# cover.sh SRC OUT LIST...: copy into OUT only the entries the used lists
# name (each -a and the -d it points at), then run the CI job on OUT with a
# plain GOCACHE and report what it compiled/ran.
set -e
src=$1 out=$2; shift 2
rm -rf $out; mkdir -p $out
for l in "$@"; do tail -n +2 $l; done | sort -u > /tmp/ids
while read a; do
  d=$(echo $a | cut -c1-2); e=$src/$d/$a-a
  [ -f $e ] || { echo "missing $e"; continue; }
  o=$(cut -d' ' -f3 $e); od=$(echo $o | cut -c1-2)
  mkdir -p $out/$d $out/$od
  cp $src/$od/$o-d $out/$od/; cp $e $out/$d/
done < /tmp/ids
echo "lists: $* -> $(wc -l < /tmp/ids) action ids"
echo "full cache: $(find $src -name '*-a' | wc -l) actions, $(find $src -name '*-d' | wc -l) outputs, $(du -sk $src | cut -f1) KiB"
echo "copied:     $(find $out -name '*-a' | wc -l) actions, $(find $out -name '*-d' | wc -l) outputs, $(du -sk $out | cut -f1) KiB"
cd /w/tc
GOCACHE=$out go test ./... > /tmp/t.out 2>&1 || cat /tmp/t.out
echo "go test on the copy: $(grep -c '(cached)' /tmp/t.out) of $(grep -c '^ok' /tmp/t.out) ok lines (cached); not cached: $(grep '^ok' /tmp/t.out | grep -vc '(cached)' || true)"
GOCACHE=$out go build -v -o /tmp/tc ./cmd/tc > /tmp/b.out 2>&1
echo "go build -v on the copy: $(wc -l < /tmp/b.out) lines: $(tr '\n' ' ' < /tmp/b.out)"
