//! Local source names and option keys, as `frontend/dockerui` defines them.

pub const FILENAME: &str = "filename";
pub const TARGET: &str = "target";
pub const PLATFORM: &str = "platform";
pub const NO_CACHE: &str = "no-cache";
pub const MULTI_PLATFORM: &str = "multi-platform";
pub const MULTI_PLATFORM_ARG: &str = "BUILDKIT_MULTI_PLATFORM";
pub const CACHE_IMPORTS: &str = "cache-imports";
pub const IMAGE_RESOLVE_MODE: &str = "image-resolve-mode";
pub const CONTEXT_KEY: &str = "contextkey";
pub const DOCKERFILE_KEY: &str = "dockerfilekey";
pub const REQUEST_ID: &str = "requestid";
pub const VCS_REVISION: &str = "vcs:revision";
pub const VCS_SOURCE: &str = "vcs:source";
pub const BUILD_ARG: &str = "build-arg:";
pub const LABEL: &str = "label:";
pub const CONTEXT: &str = "context:";
pub const DEFAULT_CONTEXT_LOCAL: &str = "context";
pub const DEFAULT_SPEC_LOCAL: &str = "dockerfile";
pub const SOURCE_DATE_EPOCH: &str = "SOURCE_DATE_EPOCH";
pub const CACHE_MOUNT_NS: &str = "BUILDKIT_CACHE_MOUNT_NS";
pub const KEEP_GIT_DIR: &str = "BUILDKIT_CONTEXT_KEEP_GIT_DIR";
/// `--sbom` as buildx sends it (frontend/attestations/parse.go).
pub const ATTEST_SBOM: &str = "attest:sbom";
/// BuildKit's build-arg alias of `attest:sbom` (parse.go reads
/// `build-arg:BUILDKIT_ATTEST_<TYPE>` too).
pub const ATTEST_SBOM_ARG: &str = "BUILDKIT_ATTEST_SBOM";
/// The frontend image itself, as the gateway was asked to run it.
pub const SOURCE: &str = "source";
/// Named-context value prefixes (`context:NAME=<prefix>...`).
pub const LOCAL_PREFIX: &str = "local:";
pub const IMAGE_PREFIX: &str = "docker-image://";
pub const OCI_LAYOUT_PREFIX: &str = "oci-layout://";
