#!/bin/sh
# Measurement script run once inside golang:1.24 (docs/test-cache.md), kept as run.
# shellcheck disable=SC2086,SC2164
# step.sh MODE CACHE TAG: one CI "job" (go test ./... then go build) in /w/tc,
# with plain GOCACHE or through the prog; prints "MODE TAG test=S build=S".
mode=$1 cache=$2 tag=$3
export GOCACHE=$cache
now() { cut -d' ' -f1 /proc/uptime; }
prog() { [ "$mode" = prog ] && export GOCACHEPROG="/w/gofront gocache prog --dir $cache --used $cache/gofront-used/$tag-$1.txt"; }
cd /w/tc
prog test; t0=$(now)
go test ./... > /tmp/test.out 2>&1 || { cat /tmp/test.out; exit 1; }
t1=$(now)
prog build
go build -v -o /tmp/tc ./cmd/tc > /tmp/build.out 2>&1 || { cat /tmp/build.out; exit 1; }
t2=$(now)
echo "$mode $tag test=$(echo "$t1 - $t0" | bc 2>/dev/null || awk "BEGIN{print $t1-$t0}") build=$(awk "BEGIN{print $t2-$t1}") cached=$(grep -c '(cached)' /tmp/test.out) ok=$(grep -c '^ok' /tmp/test.out) built=$(wc -l < /tmp/build.out)"
