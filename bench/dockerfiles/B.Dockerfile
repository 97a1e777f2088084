# B: the article's Dockerfile with the GOCACHE cache mount.
#
# Same testbed changes as A.Dockerfile (builder golang:1.24, distroless
# runtime without `RUN mkdir`, --network=none, fixture proxy as a named
# context, `COPY go.sum* .`, gofront's Go flags). The cache mount gets its own
# id so no other variant shares it.
FROM golang:1.24 AS builder
WORKDIR /app
ENV CGO_ENABLED=0
# 1. Dependencies first (better Docker layer caching)
COPY go.mod .
COPY go.sum* .
RUN --network=none --mount=type=bind,from=goproxy,target=/goproxy \
    GOPROXY=file:///goproxy GONOSUMDB=gofront.test go mod download
# 2. Copy the rest of the source
COPY . .
# 3. Explicit Go build cache location
ENV GOCACHE=/root/.cache/go-build
# 4. Use Docker cache mount for Go build cache
RUN --network=none --mount=type=cache,id=bench-b-gocache,target="/root/.cache/go-build" \
    go build -v -trimpath -buildvcs=false -o app

FROM gcr.io/distroless/static-debian12:nonroot
WORKDIR /app
COPY --from=builder /app/app .
ENTRYPOINT ["./app"]
