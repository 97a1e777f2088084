//! Why an option's value cannot be used.

use thiserror::Error;

/// The last second an RFC 3339 date (four-digit year) can name.
pub const MAX_EPOCH: i64 = 253_402_300_799;

/// An option whose value cannot be used.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum OptionsError {
    /// `--platform` cannot be parsed.
    #[error("invalid platform {0:?}; expected os/arch[/variant], e.g. linux/arm64")]
    Platform(String),
    /// `--platform` names a platform Go does not build for.
    #[error(transparent)]
    UnsupportedPlatform(#[from] crate::platform::PlatformError),
    /// An `oci-layout://` named context without a valid digest.
    #[error(
        "build context {name:?} is {value:?}, an OCI layout reference without a valid digest; BuildKit loads a layout by digest: pass {name}=oci-layout://STORE[:TAG]@sha256:<64 hex digits> (buildx adds it for --build-context {name}=oci-layout:///DIR)"
    )]
    OciLayoutDigest {
        /// The context's name.
        name: String,
        /// The value given.
        value: String,
    },
    /// A `docker-image://` named context whose reference BuildKit's
    /// grammar refuses.
    #[error(
        "build context {name:?} is {value:?}, which is not an image reference ({reason}); pass {name}=docker-image://REF with REF such as registry.example.com/team/image:tag"
    )]
    ImageReference {
        /// The context's name.
        name: String,
        /// The value given.
        value: String,
        /// What the grammar says.
        reason: String,
    },
    /// A build arg or option that must be one printable word.
    #[error("{0}")]
    Word(String),
    /// A `--label` key that `=`, a blank or a control character breaks.
    #[error("{0}")]
    LabelKey(String),
    /// `multi-platform` is not a boolean.
    #[error("invalid multi-platform value {0:?}; expected true or false")]
    MultiPlatformValue(String),
    /// `multi-platform=false` with several platforms.
    #[error("--platform lists {0}, but multi-platform=false asks for a single-platform result")]
    MultiPlatformConflict(String),
    /// `cache-imports` is not the JSON buildx sends.
    #[error("invalid cache-imports option: {0}")]
    CacheImports(String),
    /// `image-resolve-mode` is unknown.
    #[error("invalid image-resolve-mode {0:?}; expected default, pull or local")]
    ResolveMode(String),
    /// `SOURCE_DATE_EPOCH` is not a number of seconds.
    #[error("build-arg SOURCE_DATE_EPOCH must be a number of seconds since 1970, not {0:?}")]
    SourceDateEpoch(String),
    /// `SOURCE_DATE_EPOCH` is outside what an RFC 3339 date can say.
    #[error(
        "build-arg SOURCE_DATE_EPOCH must be between 0 and {MAX_EPOCH} (9999-12-31T23:59:59Z), not {0}"
    )]
    SourceDateEpochRange(i64),
    /// A build arg or label holds a NUL byte.
    #[error(
        "{0} contains a NUL byte, which no program argument, environment variable or label can hold"
    )]
    Nul(String),
    /// `GOFRONT_GOCACHE_MODULES` is not a boolean.
    #[error("build-arg GOFRONT_GOCACHE_MODULES must be true or false, not {0:?}")]
    GocacheModules(String),
    /// `GOFRONT_GOCACHE_TESTS` is not a boolean.
    #[error("build-arg GOFRONT_GOCACHE_TESTS must be true or false, not {0:?}")]
    GocacheTests(String),
}
