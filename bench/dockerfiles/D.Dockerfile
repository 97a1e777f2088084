# D: what an expert writes by hand. The module cache is downloaded in a layer
# of its own keyed by go.mod and go.sum only; the Go build cache is a cache
# mount; the source is bind-mounted for the build instead of `COPY . .` (no
# source layer to snapshot); the binary goes to a path outside the source and
# is copied into the runtime image.
#
# Same testbed changes as A and B: builder golang:1.24, distroless runtime,
# --network=none, fixture proxy as a named context, `go.sum*`, gofront's Go
# flags. Own cache mount id.
FROM golang:1.24 AS build
WORKDIR /src
ENV CGO_ENABLED=0 GOCACHE=/root/.cache/go-build
COPY go.mod go.sum* ./
RUN --network=none --mount=type=bind,from=goproxy,target=/goproxy \
    GOPROXY=file:///goproxy GONOSUMDB=gofront.test go mod download
RUN --network=none \
    --mount=type=bind,target=. \
    --mount=type=cache,id=bench-d-gocache,target=/root/.cache/go-build \
    go build -v -trimpath -buildvcs=false -o /out/app .

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/app /usr/local/bin/app
ENTRYPOINT ["/usr/local/bin/app"]
