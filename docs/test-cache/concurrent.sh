#!/bin/sh
# Measurement script run once inside golang:1.24 (docs/test-cache.md), kept as run.
# shellcheck disable=SC2044,SC2046,SC2086,SC2164
# Two go test ./... through two progs on one empty shared directory at once,
# then a third: all cached? Any temporary file left? Any entry Go rejects?
rm -rf /w/c/shared; mkdir -p /w/c/shared
run() { GOCACHE=/w/c/shared GOCACHEPROG="/w/gofront gocache prog --dir /w/c/shared --used /w/c/shared/gofront-used/$1.txt" go test ./... > /tmp/$1.out 2>&1; echo "$1 exit $? ok=$(grep -c '^ok' /tmp/$1.out) cached=$(grep -c '(cached)' /tmp/$1.out)"; }
cd /w/tc
run a & run b & wait
run c
echo "temporary files left: $(find /w/c/shared -name '.gofront-tmp-*' | wc -l)"
echo "entries: $(find /w/c/shared -name '*-a' | wc -l) actions, $(find /w/c/shared -name '*-d' | wc -l) outputs"
bad=0; for e in $(find /w/c/shared -name '*-a'); do [ $(wc -c < $e) -eq 175 ] || bad=$((bad+1)); done; echo "action entries not 175 bytes: $bad"
GOCACHE=/w/c/shared go test ./... 2>&1 | grep -c '(cached)' | sed 's/^/plain GOCACHE on the shared dir, cached: /'
