# The gofront frontend image: one static binary in an empty image.
#
#   docker buildx build --platform linux/amd64,linux/arm64 .
#                                      release: cross-compiles in rust:1-bookworm
#                                      on the build platform, one binary per
#                                      target platform (.github/workflows/release.yml)
#   scripts/testbed gofront            from-host: packs a binary built on the host
#                                      (docker build --target from-host, with a
#                                      context that holds only ./gofront)
#
# No `# syntax=` line on purpose: the engine's built-in Dockerfile frontend
# handles everything used here, so the build never pulls a frontend image.

# Labels BuildKit reads from the frontend image, identical in both final
# stages. network.none="true": run the frontend without a network (an engine
# started with --bridge=none has no default network to give it). caps: the
# frontend caps it supports; a client that requires a cap missing here fails
# the build. Only what gofront implements: named contexts (--build-context)
# and subrequests (--call outline|targets|check; buildx asks for
# moby.buildkit.frontend.subrequests and BuildKit refuses before starting the
# frontend when the label lacks it).
ARG FRONTEND_CAPS="moby.buildkit.frontend.contexts,moby.buildkit.frontend.subrequests"

# Runs on the build platform for every target platform: rustc cross-compiles,
# so no step ever runs under emulation (docs/design.md).
FROM --platform=$BUILDPLATFORM rust:1-bookworm AS builder
ARG TARGETARCH
ARG BUILDARCH
# Debian names its gcc for a triplet <triplet>-gcc, native or cross, so these
# two cover every pair of build and target platform. Build scripts and
# proc-macros are compiled for the build platform with its own gcc.
ENV CARGO_TERM_COLOR=never \
    CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER=x86_64-linux-gnu-gcc \
    CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc \
    CC_x86_64_unknown_linux_gnu=x86_64-linux-gnu-gcc \
    CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu-gcc

# The Rust target of TARGETARCH (the gnu target with crt-static, the same
# static-pie scripts/test builds on the host), its standard library, and for
# another architecture than the build platform's, Debian's cross gcc (the
# linker) and static glibc. /rust-target names the target for the steps below.
RUN set -eu; \
    case "$TARGETARCH" in \
    amd64) triple=x86_64-unknown-linux-gnu gcc=gcc-x86-64-linux-gnu libc=libc6-dev-amd64-cross ;; \
    arm64) triple=aarch64-unknown-linux-gnu gcc=gcc-aarch64-linux-gnu libc=libc6-dev-arm64-cross ;; \
    *) echo "the gofront image is built for linux/amd64 and linux/arm64, not $TARGETARCH" >&2; exit 1 ;; \
    esac; \
    rustup target add "$triple"; \
    if [ "$TARGETARCH" != "$BUILDARCH" ]; then \
        apt-get update -q; \
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$gcc" "$libc"; \
        rm -rf /var/lib/apt/lists/*; \
    fi; \
    echo "$triple" >/rust-target

# Dependencies next, keyed only by the manifests and the lockfile: a source
# change does not re-run this step. The crates land in the registry cache
# mount, shared with the build below and between the platforms (locked:
# cargo's own lock file is outside the mount, so one platform's cargo at a
# time; each uses every core anyway). Stub sources live in /deps so they can
# never leak into the real build. A new workspace member needs a COPY here.
WORKDIR /deps
COPY Cargo.toml Cargo.lock ./
COPY frontend/Cargo.toml frontend/
COPY e2e/Cargo.toml e2e/
RUN mkdir -p frontend/src e2e/src && echo 'fn main() {}' >frontend/src/main.rs && : >e2e/src/lib.rs
RUN --mount=type=cache,id=gofront-cargo-registry,sharing=locked,target=/usr/local/cargo/registry \
    --mount=type=cache,id=gofront-cargo-git,sharing=locked,target=/usr/local/cargo/git \
    cargo fetch --locked

# The binary: static (crt-static on the gnu target gives a static-pie that
# runs FROM scratch). target/ is a cache mount, one per build and target
# architecture, so the binary is copied out of it in the same step. Only the
# paths named here are sent from the context.
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY proto proto
COPY frontend frontend
COPY e2e/Cargo.toml e2e/
RUN mkdir -p e2e/src && : >e2e/src/lib.rs
RUN --mount=type=cache,id=gofront-cargo-registry,sharing=locked,target=/usr/local/cargo/registry \
    --mount=type=cache,id=gofront-cargo-git,sharing=locked,target=/usr/local/cargo/git \
    --mount=type=cache,id=gofront-target-${BUILDARCH}-${TARGETARCH},sharing=locked,target=/src/target \
    set -eu; \
    triple=$(cat /rust-target); \
    RUSTFLAGS='-C target-feature=+crt-static' \
        cargo build --release --locked -p gofront --target "$triple"; \
    install -D -m 0755 "target/$triple/release/gofront" /out/gofront

# A binary built on the host (scripts/testbed gofront). Same labels and
# entrypoint as release.
FROM scratch AS from-host
ARG FRONTEND_CAPS
COPY --chmod=0755 gofront /gofront
LABEL moby.buildkit.frontend.network.none="true" \
      moby.buildkit.frontend.caps="${FRONTEND_CAPS}"
ENTRYPOINT ["/gofront"]

# Last, so a plain `docker build .` gives it (for the engine's platform).
FROM scratch AS release
ARG FRONTEND_CAPS
COPY --from=builder /out/gofront /gofront
LABEL moby.buildkit.frontend.network.none="true" \
      moby.buildkit.frontend.caps="${FRONTEND_CAPS}"
ENTRYPOINT ["/gofront"]
