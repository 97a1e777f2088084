#!/bin/sh
set -e
U=/w/c/prog/gofront-used
echo "== used lists"; wc -l $U/*.txt
echo "== warm lists (the seeded CI job: every get a hit)"
sh /w/cover.sh /w/c/prog /w/fresh-warm $U/warm3-test.txt $U/warm3-build.txt
echo "== cold lists (the job that filled the cache)"
sh /w/cover.sh /w/c/prog /w/fresh-cold $U/cold3-test.txt $U/cold3-build.txt
echo "== test list only"
sh /w/cover.sh /w/c/prog /w/fresh-t $U/warm3-test.txt
echo "== today's export: go list -export -deps ./cmd/tc, from the plain cache"
rm -rf /w/golist
cd /w/tc && GOCACHE=/w/c/plain /w/gofront gocache export --cache /w/c/plain --out /w/golist -- go list -export -deps -f '{{if .Export}}{{.Export}}{{end}}' ./cmd/tc 2>&1 | tail -2
echo "golist export: $(find /w/golist -name '*-a' | wc -l) actions, $(find /w/golist -name '*-d' | wc -l) outputs, $(du -sk /w/golist | cut -f1) KiB"
mkdir -p /w/golist-c; rm -rf /w/golist-c/*; cp -r /w/golist/?? /w/golist-c/
GOCACHE=/w/golist-c go test ./... > /tmp/t.out 2>&1 || true
echo "go test on it: $(grep -c '(cached)' /tmp/t.out) of $(grep -c '^ok' /tmp/t.out) cached"
GOCACHE=/w/golist-c go build -v -o /tmp/tc ./cmd/tc > /tmp/b.out 2>&1
echo "go build -v on it: $(wc -l < /tmp/b.out) lines"
echo "== plain warm go build -v (control)"
GOCACHE=/w/c/plain go build -v -o /tmp/tc ./cmd/tc 2>&1 | wc -l
echo "== go build -v on an empty cache (control)"
GOCACHE=/tmp/empty go build -v -o /tmp/tc ./cmd/tc 2>&1 | wc -l
