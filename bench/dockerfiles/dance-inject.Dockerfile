# The hand-written "cache dance" around D (what
# reproducible-containers/buildkit-cache-dance does): copy a directory the CI
# cache step restored into D's GOCACHE cache mount before D's build.
# Context: none needed; the restored directory comes in as the named context
# `dancecache`. BUST changes every run so the copy is never taken from cache.
FROM busybox:testbed
ARG BUST
RUN --network=none \
    --mount=type=cache,id=bench-d-gocache,target=/root/.cache/go-build \
    --mount=type=bind,from=dancecache,target=/var/dance-cache \
    echo "inject $BUST" && cp -p -R /var/dance-cache/. /root/.cache/go-build/
