# The gofront frontend image: one static binary in an empty image.
#
#   docker build -t gofront:dev .      release: compiles in rust:1-bookworm
#   scripts/testbed gofront            from-host: packs a binary built on the host
#                                      (docker build --target from-host, with a
#                                      context that holds only ./gofront)
#
# No `# syntax=` line on purpose: the engine's built-in Dockerfile frontend
# handles everything used here, so the build never pulls a frontend image.

ARG RUST_TARGET=x86_64-unknown-linux-gnu
# Labels BuildKit reads from the frontend image, identical in both final
# stages. network.none="true": run the frontend without a network (an engine
# started with --bridge=none has no default network to give it). caps: the
# frontend caps it supports; a client that requires a cap missing here fails
# the build. Only what gofront implements: named contexts (--build-context)
# and subrequests (--call outline|targets|check; buildx asks for
# moby.buildkit.frontend.subrequests and BuildKit refuses before starting the
# frontend when the label lacks it).
ARG FRONTEND_CAPS="moby.buildkit.frontend.contexts,moby.buildkit.frontend.subrequests"

FROM rust:1-bookworm AS builder
ARG RUST_TARGET
ENV CARGO_TERM_COLOR=never

# Dependencies first, keyed only by the manifests and the lockfile: a source
# change does not re-run this step. The crates land in the registry cache
# mount, shared with the build below. Stub sources live in /deps so they can
# never leak into the real build. A new workspace member needs a COPY here.
WORKDIR /deps
COPY Cargo.toml Cargo.lock ./
COPY frontend/Cargo.toml frontend/
COPY e2e/Cargo.toml e2e/
RUN mkdir -p frontend/src e2e/src && echo 'fn main() {}' >frontend/src/main.rs && : >e2e/src/lib.rs
RUN --mount=type=cache,id=gofront-cargo-registry,target=/usr/local/cargo/registry \
    --mount=type=cache,id=gofront-cargo-git,target=/usr/local/cargo/git \
    cargo fetch --locked

# The binary: static (crt-static on the gnu target gives a static-pie that
# runs FROM scratch). target/ is a cache mount, so the binary is copied out
# of it in the same step. Only the paths named here are sent from the
# context.
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY proto proto
COPY frontend frontend
COPY e2e/Cargo.toml e2e/
RUN mkdir -p e2e/src && : >e2e/src/lib.rs
RUN --mount=type=cache,id=gofront-cargo-registry,target=/usr/local/cargo/registry \
    --mount=type=cache,id=gofront-cargo-git,target=/usr/local/cargo/git \
    --mount=type=cache,id=gofront-target-${RUST_TARGET},target=/src/target \
    RUSTFLAGS='-C target-feature=+crt-static' \
    cargo build --release --locked -p gofront --target "${RUST_TARGET}" \
 && install -D -m 0755 "target/${RUST_TARGET}/release/gofront" /out/gofront

# A binary built on the host (scripts/testbed gofront). Same labels and
# entrypoint as release.
FROM scratch AS from-host
ARG FRONTEND_CAPS
COPY --chmod=0755 gofront /gofront
LABEL moby.buildkit.frontend.network.none="true" \
      moby.buildkit.frontend.caps="${FRONTEND_CAPS}"
ENTRYPOINT ["/gofront"]

# Last, so a plain `docker build .` gives it.
FROM scratch AS release
ARG FRONTEND_CAPS
COPY --from=builder /out/gofront /gofront
LABEL moby.buildkit.frontend.network.none="true" \
      moby.buildkit.frontend.caps="${FRONTEND_CAPS}"
ENTRYPOINT ["/gofront"]
