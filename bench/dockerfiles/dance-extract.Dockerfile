# The other half of the cache dance: copy D's GOCACHE cache mount out, to be
# written with --output type=local for the CI cache step to save. BUST
# changes every run: the copy's key would not change when the cache mount's
# contents do, and BuildKit would hand back a stale copy.
FROM busybox:testbed AS dance
ARG BUST
RUN --network=none \
    --mount=type=cache,id=bench-d-gocache,target=/root/.cache/go-build \
    echo "extract $BUST" && mkdir -p /var/dance-cache \
    && cp -p -R /root/.cache/go-build/. /var/dance-cache/

FROM scratch
COPY --from=dance /var/dance-cache /
