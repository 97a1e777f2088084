# T: D (the expert's Dockerfile) with a test stage: `go test ./...` on the
# same GOCACHE cache mount as D's build (so the cache dance around D carries
# compiled tests and test results too). `--target test` runs it; the default
# target is D's image.
FROM golang:1.24 AS deps
WORKDIR /src
ENV CGO_ENABLED=0 GOCACHE=/root/.cache/go-build
COPY go.mod go.sum* ./
RUN --network=none --mount=type=bind,from=goproxy,target=/goproxy \
    GOPROXY=file:///goproxy GONOSUMDB=gofront.test go mod download

FROM deps AS test
RUN --network=none \
    --mount=type=bind,target=. \
    --mount=type=cache,id=bench-d-gocache,target=/root/.cache/go-build \
    go test -trimpath -buildvcs=false ./... && mkdir -p /out && touch /out/tested

FROM deps AS build
RUN --network=none \
    --mount=type=bind,target=. \
    --mount=type=cache,id=bench-d-gocache,target=/root/.cache/go-build \
    go build -v -trimpath -buildvcs=false -o /out/app .

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/app /usr/local/bin/app
ENTRYPOINT ["/usr/local/bin/app"]
