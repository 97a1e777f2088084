# D3: the expert Dockerfile (D) for a repository of three services, as
# teams write it for `docker buildx bake`: one build stage and one image
# stage per service, the build stages sharing the module layer and one Go
# build cache mount. bench/run's "services" scenario bakes the targets api,
# worker and migrate of it.
FROM golang:1.24 AS build
WORKDIR /src
ENV CGO_ENABLED=0 GOCACHE=/root/.cache/go-build
COPY go.mod go.sum* ./
RUN --network=none --mount=type=bind,from=goproxy,target=/goproxy \
    GOPROXY=file:///goproxy GONOSUMDB=gofront.test go mod download

FROM build AS build-api
RUN --network=none \
    --mount=type=bind,target=. \
    --mount=type=cache,id=bench-d3-gocache,target=/root/.cache/go-build \
    go build -v -trimpath -buildvcs=false -o /out/api ./cmd/api

FROM build AS build-worker
RUN --network=none \
    --mount=type=bind,target=. \
    --mount=type=cache,id=bench-d3-gocache,target=/root/.cache/go-build \
    go build -v -trimpath -buildvcs=false -o /out/worker ./cmd/worker

FROM build AS build-migrate
RUN --network=none \
    --mount=type=bind,target=. \
    --mount=type=cache,id=bench-d3-gocache,target=/root/.cache/go-build \
    go build -v -trimpath -buildvcs=false -o /out/migrate ./cmd/migrate

FROM gcr.io/distroless/static-debian12:nonroot AS api
COPY --from=build-api /out/api /usr/local/bin/api
ENTRYPOINT ["/usr/local/bin/api"]

FROM gcr.io/distroless/static-debian12:nonroot AS worker
COPY --from=build-worker /out/worker /usr/local/bin/worker
ENTRYPOINT ["/usr/local/bin/worker"]

FROM gcr.io/distroless/static-debian12:nonroot AS migrate
COPY --from=build-migrate /out/migrate /usr/local/bin/migrate
ENTRYPOINT ["/usr/local/bin/migrate"]
