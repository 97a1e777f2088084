# A: the article's plain multi-stage Dockerfile (no Go build cache).
#
# Changed from the article only where the offline testbed forces it, the same
# way in A, B and D (see bench/README.md):
#   - FROM golang:1.24 (the testbed's builder) instead of golang:1.25-trixie;
#   - runtime gcr.io/distroless/static-debian12:nonroot for all four variants
#     (the testbed's ubuntu:24.04 is only a busybox stand-in), so the runtime
#     stage's `RUN mkdir /app` is dropped: WORKDIR creates /app, and
#     distroless has no shell;
#   - every RUN has --network=none; modules come from the fixture proxy, a
#     named build context bind-mounted in the download step;
#   - `COPY go.sum* .`: hello has no go.sum (an empty wildcard is allowed);
#   - the same Go flags as gofront: CGO_ENABLED=0, -v -trimpath -buildvcs=false.
FROM golang:1.24 AS builder
WORKDIR /app
ENV CGO_ENABLED=0
COPY go.mod .
COPY go.sum* .
RUN --network=none --mount=type=bind,from=goproxy,target=/goproxy \
    GOPROXY=file:///goproxy GONOSUMDB=gofront.test go mod download
COPY . .
RUN --network=none go build -v -trimpath -buildvcs=false -o app

FROM gcr.io/distroless/static-debian12:nonroot
WORKDIR /app
COPY --from=builder /app/app .
ENTRYPOINT ["./app"]
