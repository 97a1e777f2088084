# E: the expert Dockerfile D, cross-compiling for a platform list the way
# experts write it by hand: the build stage runs on $BUILDPLATFORM and
# `go build` gets GOOS/GOARCH of each target (no emulation), one GOCACHE
# shared by every platform. Built with --platform linux/amd64,linux/arm64.
FROM --platform=$BUILDPLATFORM golang:1.24 AS build
ARG TARGETOS TARGETARCH
WORKDIR /src
ENV CGO_ENABLED=0 GOCACHE=/root/.cache/go-build
COPY go.mod go.sum* ./
RUN --network=none --mount=type=bind,from=goproxy,target=/goproxy \
    GOPROXY=file:///goproxy GONOSUMDB=gofront.test go mod download
RUN --network=none \
    --mount=type=bind,target=. \
    --mount=type=cache,id=bench-e-gocache,target=/root/.cache/go-build \
    GOOS=$TARGETOS GOARCH=$TARGETARCH go build -v -trimpath -buildvcs=false -o /out/app .

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/app /usr/local/bin/app
ENTRYPOINT ["/usr/local/bin/app"]
