FROM golang:1.24
COPY gofront /gofront
COPY tc /src
WORKDIR /src
ARG RUNID
RUN --network=none --mount=type=cache,id=cacheprog-bk,target=/cache \
    echo $RUNID && GOCACHE=/cache GOCACHEPROG="/gofront gocache prog --dir /cache --used /cache/gofront-used/test.txt" go test ./...
RUN --network=none --mount=type=cache,id=cacheprog-bk,target=/cache \
    echo $RUNID && head -1 /cache/gofront-used/test.txt && echo "ids: $(($(wc -l < /cache/gofront-used/test.txt) - 1))" && ls -la /cache/gofront-used/
