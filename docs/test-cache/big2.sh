#!/bin/sh
# Measurement script run once inside golang:1.24 (docs/test-cache.md), kept as run.
# shellcheck disable=SC2034
# 20,000 files (39 MB) made by stamp.go, then gofront gocache stamp on them, 3 times.
cd /w/stampgo && rm -rf /w/big && GOCACHE=/w/c/plain go build -o /tmp/stamp . && /tmp/stamp /w/big | tail -1
now() { cut -d' ' -f1 /proc/uptime; }
for i in 1 2 3; do t0=$(now); GOFRONT_LOG=info /w/gofront gocache stamp --dir /w/big 2>&1 | tail -1; t1=$(now); echo "gofront gocache stamp on $(find /w/big | wc -l) paths: $(awk "BEGIN{print $t1-$t0}") s"; done
rm -rf /w/big
