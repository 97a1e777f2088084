//! The frontend options BuildKit hands us (`BUILDKIT_FRONTEND_OPT_*`), parsed
//! once into a typed [`Options`].
//!
//! Invariant: this is the only module that knows option key strings; options
//! it does not know are kept aside and never treated as errors, because
//! buildx and BuildKit add new ones all the time.

use std::collections::BTreeMap;
use std::fmt;

use crate::proto::pb;
use crate::sbom::SbomRequest;
use serde::Deserialize;
use thiserror::Error;

/// Local source names and option keys, as `frontend/dockerui` defines them.
mod keys {
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
}

/// The build arg that names the version `{{.Version}}` stamps.
pub const VERSION_ARG: &str = "GOFRONT_VERSION";

/// A build arg gofront reads that sets no spec key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OtherArg {
    /// Its name.
    pub name: &'static str,
    /// What it does.
    pub description: &'static str,
    /// Listed by `--call outline` even when unset.
    pub always: bool,
    /// The `--target`s it has an effect on.
    pub targets: &'static [Target],
}

/// The build arg that carries Go's module download cache along with the
/// Go build cache in `--target gocache` and its seed.
pub const GOCACHE_MODULES_ARG: &str = "GOFRONT_GOCACHE_MODULES";

/// The build arg that adds the test step's cache entries (compiled tests,
/// test results) to a seeded `--target gocache`.
pub const GOCACHE_TESTS_ARG: &str = "GOFRONT_GOCACHE_TESTS";

/// The build args gofront reads besides the `GOFRONT_<SECTION>_<KEY>` ones.
pub const OTHER_BUILD_ARGS: &[OtherArg] = &[
    OtherArg {
        name: GOCACHE_MODULES_ARG,
        description: "true: --target gocache also exports the module download cache (modules/), and a gocache seed fills it; default: false",
        always: false,
        targets: &Target::ALL,
    },
    OtherArg {
        name: GOCACHE_TESTS_ARG,
        description: "true: a seeded --target gocache also runs (or, after --target test with the same arguments, reuses) the test step and exports its entries: compiled tests and cached test results; default: false",
        always: false,
        targets: &[Target::Gocache],
    },
    OtherArg {
        name: VERSION_ARG,
        description: "the version {{.Version}} stamps and the image's org.opencontainers.image.version label; default: 0.0.0-dev+<ShortCommit>, else dev",
        always: true,
        targets: &Target::ALL,
    },
    OtherArg {
        name: keys::SOURCE_DATE_EPOCH,
        description: "seconds since 1970: the image's created time and {{.Date}}; default: the build's start",
        always: true,
        targets: &Target::ALL,
    },
    OtherArg {
        name: keys::CACHE_MOUNT_NS,
        description: "prefixes the ids of gofront's cache mounts; default: none",
        always: true,
        targets: &Target::ALL,
    },
    PROXY_ARGS[0].arg,
    PROXY_ARGS[1].arg,
    PROXY_ARGS[3].arg,
    PROXY_ARGS[2].arg,
    PROXY_ARGS[4].arg,
];

/// One standard proxy build arg (read in either case): what `--call
/// outline` says of it, and its slot in [`Proxies`].
struct ProxyArg {
    /// The build arg, by its upper-case name.
    arg: OtherArg,
    get: fn(&Proxies) -> &String,
    set: fn(&mut Proxies) -> &mut String,
}

/// What a proxy build arg does, for `--call outline`.
const PROXY_USE: &str = "proxy for go mod download, kept out of its cache key; default: none";

const fn proxy(
    name: &'static str,
    description: &'static str,
    always: bool,
    get: fn(&Proxies) -> &String,
    set: fn(&mut Proxies) -> &mut String,
) -> ProxyArg {
    ProxyArg {
        arg: OtherArg {
            name,
            description,
            always,
            targets: &Target::ALL,
        },
        get,
        set,
    }
}

/// The standard proxy build args, each declared once, in `ProxyEnv`'s
/// order.
const PROXY_ARGS: [ProxyArg; 5] = [
    proxy("HTTP_PROXY", PROXY_USE, true, |p| &p.http, |p| &mut p.http),
    proxy(
        "HTTPS_PROXY",
        PROXY_USE,
        true,
        |p| &p.https,
        |p| &mut p.https,
    ),
    proxy("FTP_PROXY", PROXY_USE, false, |p| &p.ftp, |p| &mut p.ftp),
    proxy(
        "NO_PROXY",
        "hosts go mod download reaches without the proxy; default: none",
        true,
        |p| &p.no,
        |p| &mut p.no,
    ),
    proxy("ALL_PROXY", PROXY_USE, false, |p| &p.all, |p| &mut p.all),
];

/// The proxy build arg `name` is, in either case (`https_proxy` too).
fn proxy_arg(name: &str) -> Option<&'static ProxyArg> {
    PROXY_ARGS
        .iter()
        .find(|p| p.arg.name == name || p.arg.name.to_ascii_lowercase() == name)
}

/// The named build context that seeds the Go build cache
/// (`--build-context gocache=...`).
pub const GOCACHE_CONTEXT: &str = "gocache";

/// What the build returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Target {
    /// The runtime image (the default).
    #[default]
    Image,
    /// Just the binaries, for `--output type=local`.
    Binaries,
    /// `go test` with the same caches.
    Test,
    /// The Go build cache entries the build uses, for a fresh runner to seed
    /// from (`--build-context gocache=...`).
    Gocache,
}

impl Target {
    /// Every target, the default first.
    pub const ALL: [Target; 4] = [
        Target::Image,
        Target::Binaries,
        Target::Test,
        Target::Gocache,
    ];

    /// What it builds, in one sentence (`--call targets`).
    pub fn description(self) -> &'static str {
        match self {
            Target::Image => "The runtime image: the base plus the binaries in /usr/local/bin",
            Target::Binaries => "Just the binaries, for --output type=local",
            Target::Test => "go test with the same caches; a failing test fails the build",
            Target::Gocache => {
                "The Go build cache entries the build uses, to seed a fresh builder with --build-context gocache=DIR"
            }
        }
    }

    /// The target a `--target` value names (empty: the default).
    fn parse(s: &str) -> Option<Self> {
        if s.is_empty() {
            return Some(Target::default());
        }
        Target::ALL.into_iter().find(|t| t.name() == s)
    }

    /// Every target name, the default first, for messages.
    pub fn names() -> String {
        Target::ALL.map(Target::name).join(", ")
    }

    /// The name a user passes to `--target`: the only place target names
    /// are spelled.
    pub const fn name(self) -> &'static str {
        match self {
            Target::Image => "image",
            Target::Binaries => "binaries",
            Target::Test => "test",
            Target::Gocache => "gocache",
        }
    }
}

/// Where a named build context (`--build-context NAME=...`) comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContextSource {
    /// A directory of the client, synced as the local of this name.
    Local(String),
    /// An image reference.
    Image(String),
    /// An image in an OCI layout the client holds: the store id and the
    /// reference (with digest) BuildKit loads from it.
    OciLayout {
        /// The client-side store (`oci.store`).
        store: String,
        /// `<store>@sha256:...`, as buildx sends it.
        reference: String,
    },
    /// Anything else (git, https, `input:`), kept as given.
    Other(String),
}

impl ContextSource {
    /// Reads a `context:NAME` value as buildx sends it.
    pub fn parse(value: &str) -> Self {
        if let Some(name) = value.strip_prefix(keys::LOCAL_PREFIX) {
            ContextSource::Local(name.to_string())
        } else if let Some(r) = value.strip_prefix(keys::IMAGE_PREFIX) {
            ContextSource::Image(r.to_string())
        } else if let Some(r) = value.strip_prefix(keys::OCI_LAYOUT_PREFIX) {
            // `<store>[:tag]@sha256:...`: the store id is the name part.
            let name = r.split('@').next().unwrap_or(r);
            let store = match name.rsplit_once(':') {
                Some((n, tag)) if !tag.contains('/') => n,
                _ => name,
            };
            ContextSource::OciLayout {
                store: store.to_string(),
                reference: r.to_string(),
            }
        } else {
            ContextSource::Other(value.to_string())
        }
    }
}

/// An OCI platform.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Platform {
    /// e.g. `linux`.
    pub os: String,
    /// e.g. `amd64`.
    pub architecture: String,
    /// e.g. `v7`, or empty.
    pub variant: String,
}

/// As LLB and the gateway write a platform (no OS version or features).
impl From<&Platform> for pb::Platform {
    fn from(p: &Platform) -> Self {
        pb::Platform {
            architecture: p.architecture.clone(),
            os: p.os.clone(),
            variant: p.variant.clone(),
            ..pb::Platform::default()
        }
    }
}

/// A platform BuildKit reports (a worker's); OS version and features are
/// not used.
impl From<&pb::Platform> for Platform {
    fn from(p: &pb::Platform) -> Self {
        Platform {
            os: p.os.clone(),
            architecture: p.architecture.clone(),
            variant: p.variant.clone(),
        }
    }
}

impl Platform {
    /// `linux/amd64`, the default when nothing else says otherwise.
    pub fn linux_amd64() -> Self {
        Platform {
            os: "linux".into(),
            architecture: "amd64".into(),
            variant: String::new(),
        }
    }

    /// Parses `os/arch[/variant]` and normalises the usual aliases.
    pub fn parse(s: &str) -> Option<Self> {
        let parts: Vec<&str> = s.trim().split('/').collect();
        let (os, arch, variant) = match parts.as_slice() {
            [os, arch] => (*os, *arch, ""),
            [os, arch, variant] => (*os, *arch, *variant),
            _ => return None,
        };
        if os.is_empty() || arch.is_empty() {
            return None;
        }
        let os = os.to_ascii_lowercase();
        // containerd's normalisation (BuildKit and buildx use it), so that
        // two spellings of one platform are one platform.
        let variant = variant.to_ascii_lowercase();
        let (arch, variant) = match (arch.to_ascii_lowercase().as_str(), variant.as_str()) {
            ("i386", _) => ("386", ""),
            ("x86_64" | "x86-64" | "amd64", "v1") => ("amd64", ""),
            ("x86_64" | "x86-64", v) => ("amd64", v),
            ("aarch64" | "arm64", "8" | "v8" | "v8.0") => ("arm64", ""),
            ("aarch64" | "arm64", "9" | "9.0" | "v9.0") => ("arm64", "v9"),
            ("aarch64", v) => ("arm64", v),
            ("armhf", _) => ("arm", "v7"),
            ("armel", _) => ("arm", "v6"),
            ("arm", "" | "7") => ("arm", "v7"),
            ("arm", "5") => ("arm", "v5"),
            ("arm", "6") => ("arm", "v6"),
            ("arm", "8") => ("arm", "v8"),
            (a, v) => {
                return Some(Platform {
                    os,
                    architecture: a.to_string(),
                    variant: v.to_string(),
                });
            }
        };
        let (arch, variant) = (arch.to_string(), variant.to_string());
        Some(Platform {
            os,
            architecture: arch,
            variant,
        })
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if !self.variant.is_empty() {
            write!(f, "/{}", self.variant)?;
        }
        Ok(())
    }
}

/// How image references are resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResolveMode {
    /// Use a local copy when there is one, else pull.
    #[default]
    Default,
    /// Always pull.
    Pull,
    /// Only local images.
    Local,
}

impl ResolveMode {
    /// The `image.resolvemode` attribute value.
    pub fn attr(self) -> &'static str {
        match self {
            ResolveMode::Default => "default",
            ResolveMode::Pull => "pull",
            ResolveMode::Local => "local",
        }
    }
}

/// One `--cache-from` entry, passed on to BuildKit untouched.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CacheImport {
    /// e.g. `local`, `registry`, `gha`.
    #[serde(rename = "Type")]
    pub kind: String,
    /// Its attributes.
    #[serde(rename = "Attrs", default)]
    pub attrs: BTreeMap<String, String>,
}

/// The build args of `args` that nobody reads, as warning sentences.
pub fn unused_build_args(args: &BTreeMap<String, String>) -> impl Iterator<Item = String> + '_ {
    args.keys()
        .filter(|name| !Options::is_known_build_arg(name))
        .map(|name| {
            format!(
                "build arg {name} is not used by gofront; spec keys are set with GOFRONT_* build args"
            )
        })
}

/// The proxy build args, which reach `go mod download` through BuildKit's
/// `ProxyEnv` and so stay out of its cache key (as the Dockerfile frontend
/// passes them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Proxies {
    /// `HTTP_PROXY`.
    pub http: String,
    /// `HTTPS_PROXY`.
    pub https: String,
    /// `FTP_PROXY`.
    pub ftp: String,
    /// `NO_PROXY`.
    pub no: String,
    /// `ALL_PROXY`.
    pub all: String,
}

impl Proxies {
    /// The names of the variables that are set, e.g. `["HTTPS_PROXY"]`.
    pub fn names(&self) -> Vec<&'static str> {
        PROXY_ARGS
            .iter()
            .filter(|p| !(p.get)(self).is_empty())
            .map(|p| p.arg.name)
            .collect()
    }
}

/// Go's strconv.ParseBool, which BuildKit uses for boolean options.
fn parse_bool(v: &str) -> Option<bool> {
    match v {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

/// Every option gofront understands, parsed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Options {
    /// The spec's file name inside the spec local.
    pub filename: String,
    /// Name of the local holding the build context.
    pub context_local: String,
    /// Name of the local holding the spec.
    pub spec_local: String,
    /// `--target`.
    pub target: Target,
    /// `--platform`: the target platforms (empty = the worker's).
    pub platforms: Vec<Platform>,
    /// `multi-platform` (or `BUILDKIT_MULTI_PLATFORM`): return a map of
    /// per-platform results even for one platform.
    pub multi_platform: Option<bool>,
    /// `--no-cache`.
    pub no_cache: bool,
    /// `--cache-from`.
    pub cache_imports: Vec<CacheImport>,
    /// `image-resolve-mode`.
    pub resolve_mode: ResolveMode,
    /// `--build-arg`s, every one of them (the spec reads `GOFRONT_*`).
    pub build_args: BTreeMap<String, String>,
    /// `--label`s.
    pub labels: BTreeMap<String, String>,
    /// `--build-context NAME=...`, as `context:NAME` values.
    pub named_contexts: BTreeMap<String, String>,
    /// `SOURCE_DATE_EPOCH`, in seconds.
    pub source_date_epoch: Option<i64>,
    /// `BUILDKIT_CACHE_MOUNT_NS`: prefixes every cache mount id.
    pub cache_namespace: String,
    /// `vcs:revision` from buildx.
    pub vcs_revision: Option<String>,
    /// `vcs:source` from buildx.
    pub vcs_source: Option<String>,
    /// A subrequest such as `frontend.outline`.
    pub request_id: Option<String>,
    /// The frontend image as the gateway was asked to run it (`source`).
    pub frontend_source: Option<String>,
    /// `BUILDKIT_CONTEXT_KEEP_GIT_DIR` asks to keep `.git` in the context.
    pub keep_git_dir: bool,
    /// `GOFRONT_GOCACHE_MODULES`: the module download cache travels with
    /// the Go build cache export and seed.
    pub gocache_modules: bool,
    /// `GOFRONT_GOCACHE_TESTS`: a seeded `--target gocache` exports the
    /// test step's entries too.
    pub gocache_tests: bool,
    /// `--sbom` (`attest:sbom`, or the build arg `BUILDKIT_ATTEST_SBOM`):
    /// what the user asked for, `None` when no SBOM is asked for.
    pub sbom: Option<SbomRequest>,
    /// Keys gofront does not use, kept for logging.
    pub ignored: Vec<String>,
}

/// An option whose value cannot be used.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum OptionsError {
    /// `--target` names no target.
    #[error("unknown target {0:?}; gofront builds {targets}", targets = Target::names())]
    Target(String),
    /// `--platform` cannot be parsed.
    #[error("invalid platform {0:?}; expected os/arch[/variant], e.g. linux/arm64")]
    Platform(String),
    /// `--platform` names a platform Go does not build for (the sentence
    /// of [`crate::PlanError::UnsupportedPlatform`]).
    #[error("{0}")]
    UnsupportedPlatform(String),
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

/// `--platform`'s list, each platform checked against the ports and
/// variants Go builds for; a platform listed twice (in any spelling
/// containerd takes for it) is built once, where it is first listed, as
/// buildx does.
fn parse_platforms(value: &str) -> Result<Vec<Platform>, OptionsError> {
    let mut out: Vec<Platform> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for raw in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let p = Platform::parse(raw).ok_or_else(|| OptionsError::Platform(raw.into()))?;
        crate::plan::platforms::check_port(&p)
            .map_err(|e| OptionsError::UnsupportedPlatform(e.to_string()))?;
        if seen.insert(p.clone()) {
            out.push(p);
        }
    }
    Ok(out)
}

/// What keeps `v` from being one word of printable characters, if
/// anything.
pub fn not_one_word(v: &str) -> Option<&'static str> {
    if v.contains(['\n', '\r']) {
        Some("holds a line break")
    } else if v.contains(char::is_control) {
        Some("holds a control character")
    } else if v.contains(char::is_whitespace) {
        Some("holds a blank")
    } else if v.len() > 1024 {
        Some("is longer than 1024 bytes")
    } else {
        None
    }
}

/// What is wrong with a label key, if anything: OCI keys are free text,
/// but `--label k=v`, `LABEL` and `docker inspect --format` read `=`,
/// blanks and control characters as separators.
pub fn bad_label_key(k: &str) -> Option<&'static str> {
    if k.is_empty() {
        Some("a label key cannot be empty")
    } else if k.contains('=') {
        Some("a label key cannot hold '=' (it would read as key=value)")
    } else if k.contains(|c: char| c.is_control() || c.is_whitespace()) {
        Some("a label key cannot hold blanks or control characters")
    } else if k.len() > 256 {
        Some("a label key is at most 256 bytes")
    } else {
        None
    }
}

/// A named context's value that BuildKit cannot load: an OCI layout is
/// loaded by digest (buildx adds `@sha256:...`; buildctl and raw options
/// must write it).
fn check_context(name: &str, value: &str) -> Result<(), OptionsError> {
    let Some(r) = value.strip_prefix(keys::OCI_LAYOUT_PREFIX) else {
        return Ok(());
    };
    let digest = r.rsplit_once('@').map(|(_, d)| d);
    if digest.is_some_and(is_digest) {
        Ok(())
    } else {
        Err(OptionsError::OciLayoutDigest {
            name: name.to_string(),
            value: value.to_string(),
        })
    }
}

/// An OCI digest: `sha256:` and 64, `sha384:` and 96 or `sha512:` and
/// 128 lowercase hex digits.
fn is_digest(d: &str) -> bool {
    let Some((algorithm, hex)) = d.split_once(':') else {
        return false;
    };
    let len = match algorithm {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => return false,
    };
    hex.len() == len && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The last second an RFC 3339 date (four-digit year) can name.
pub const MAX_EPOCH: i64 = 253_402_300_799;

impl Options {
    /// Parses `key=value` options as BuildKit sends them.
    pub fn parse<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, OptionsError> {
        let mut o = Options {
            filename: DEFAULT_SPEC_FILE.to_string(),
            context_local: keys::DEFAULT_CONTEXT_LOCAL.to_string(),
            spec_local: keys::DEFAULT_SPEC_LOCAL.to_string(),
            ..Options::default()
        };
        for (key, value) in pairs {
            if let Some(name) = key.strip_prefix(keys::BUILD_ARG) {
                if value.contains('\0') {
                    return Err(OptionsError::Nul(format!("build-arg {name}")));
                }
                o.build_args.insert(name.to_string(), value.to_string());
                continue;
            }
            if let Some(name) = key.strip_prefix(keys::LABEL) {
                if value.contains('\0') || name.contains('\0') {
                    return Err(OptionsError::Nul(format!("label {name:?}")));
                }
                if let Some(why) = bad_label_key(name) {
                    return Err(OptionsError::LabelKey(format!("label {name:?}: {why}")));
                }
                o.labels.insert(name.to_string(), value.to_string());
                continue;
            }
            if let Some(name) = key.strip_prefix(keys::CONTEXT) {
                check_context(name, value)?;
                o.named_contexts.insert(name.to_string(), value.to_string());
                continue;
            }
            match key {
                keys::FILENAME if !value.is_empty() => o.filename = value.to_string(),
                keys::CONTEXT_KEY if !value.is_empty() => o.context_local = value.to_string(),
                keys::DOCKERFILE_KEY if !value.is_empty() => o.spec_local = value.to_string(),
                keys::TARGET => {
                    o.target =
                        Target::parse(value).ok_or_else(|| OptionsError::Target(value.into()))?;
                }
                keys::PLATFORM => o.platforms = parse_platforms(value)?,
                keys::NO_CACHE => o.no_cache = true,
                keys::MULTI_PLATFORM if !value.is_empty() => {
                    o.multi_platform = Some(
                        parse_bool(value)
                            .ok_or_else(|| OptionsError::MultiPlatformValue(value.to_string()))?,
                    );
                }
                keys::CACHE_IMPORTS if !value.is_empty() => {
                    o.cache_imports = serde_json::from_str(value)
                        .map_err(|e| OptionsError::CacheImports(e.to_string()))?;
                }
                keys::IMAGE_RESOLVE_MODE => {
                    o.resolve_mode = match value {
                        "" | "default" => ResolveMode::Default,
                        "pull" => ResolveMode::Pull,
                        "local" => ResolveMode::Local,
                        other => return Err(OptionsError::ResolveMode(other.into())),
                    };
                }
                keys::REQUEST_ID if !value.is_empty() => o.request_id = Some(value.to_string()),
                keys::VCS_REVISION if !value.is_empty() => o.vcs_revision = Some(value.into()),
                keys::VCS_SOURCE if !value.is_empty() => o.vcs_source = Some(value.into()),
                keys::SOURCE if !value.is_empty() => o.frontend_source = Some(value.into()),
                keys::ATTEST_SBOM => o.sbom = Some(SbomRequest::parse(value)),
                _ => o.ignored.push(key.to_string()),
            }
        }
        // Stamped into -ldflags (which Go splits at blanks) and a label.
        if let Some(v) = o.build_args.get(VERSION_ARG)
            && let Some(why) = not_one_word(v)
        {
            return Err(OptionsError::Word(format!(
                "build-arg {VERSION_ARG} is {v:?}, which {why}; a version is one word of printable characters (it is stamped into -ldflags and the org.opencontainers.image.version label)"
            )));
        }
        if let Some(v) = &o.vcs_revision
            && let Some(why) = not_one_word(v)
        {
            return Err(OptionsError::Word(format!(
                "vcs:revision is {v:?}, which {why}; a revision is one word such as a git commit hash (it is stamped by {{{{.Commit}}}} and a label)"
            )));
        }
        if let Some(v) = o.build_args.get(keys::SOURCE_DATE_EPOCH)
            && !v.is_empty()
        {
            let secs: i64 = v
                .trim()
                .parse()
                .map_err(|_| OptionsError::SourceDateEpoch(v.clone()))?;
            if !(0..=MAX_EPOCH).contains(&secs) {
                return Err(OptionsError::SourceDateEpochRange(secs));
            }
            o.source_date_epoch = Some(secs);
        }
        if let Some(ns) = o.build_args.get(keys::CACHE_MOUNT_NS) {
            o.cache_namespace = ns.clone();
        }
        // As BuildKit reads it (Go's strconv.ParseBool): only a true value
        // keeps `.git`; `false`, `0`, empty or junk leave it out.
        o.keep_git_dir = o
            .build_args
            .get(keys::KEEP_GIT_DIR)
            .is_some_and(|v| parse_bool(v) == Some(true));
        if let Some(v) = o.build_args.get(GOCACHE_MODULES_ARG)
            && !v.is_empty()
        {
            o.gocache_modules =
                parse_bool(v).ok_or_else(|| OptionsError::GocacheModules(v.clone()))?;
        }
        if let Some(v) = o.build_args.get(GOCACHE_TESTS_ARG)
            && !v.is_empty()
        {
            o.gocache_tests = parse_bool(v).ok_or_else(|| OptionsError::GocacheTests(v.clone()))?;
        }
        // The option wins over BuildKit's build-arg alias (BuildKit reads
        // both into one map, in no set order; buildx sends only the option).
        if o.sbom.is_none()
            && let Some(v) = o.build_args.get(keys::ATTEST_SBOM_ARG)
        {
            o.sbom = Some(SbomRequest::parse(v));
        }
        // The build arg wins over the option, as in BuildKit's dockerui.
        if let Some(v) = o.build_args.get(keys::MULTI_PLATFORM_ARG)
            && !v.is_empty()
        {
            o.multi_platform =
                Some(parse_bool(v).ok_or_else(|| OptionsError::MultiPlatformValue(v.clone()))?);
        }
        if o.multi_platform == Some(false) && o.platforms.len() > 1 {
            return Err(OptionsError::MultiPlatformConflict(o.platform_list()));
        }
        Ok(o)
    }

    fn platform_list(&self) -> String {
        self.platforms
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The platforms to build: `--platform`'s list, else `default` (the
    /// worker's).
    pub fn target_platforms(&self, default: &Platform) -> Vec<Platform> {
        if self.platforms.is_empty() {
            vec![default.clone()]
        } else {
            // A platform listed twice is built once.
            let mut seen = std::collections::BTreeSet::new();
            self.platforms
                .iter()
                .filter(|p| seen.insert((*p).clone()))
                .cloned()
                .collect()
        }
    }

    /// Whether the result is a map of per-platform results (several
    /// platforms, or `multi-platform=true`).
    pub fn multi_platform_result(&self) -> bool {
        self.multi_platform.unwrap_or(self.platforms.len() > 1)
    }

    /// Where the named context `name` comes from, if one was passed.
    pub fn named_context(&self, name: &str) -> Option<ContextSource> {
        self.named_contexts
            .get(name)
            .map(|v| ContextSource::parse(v))
    }

    /// Build args nobody reads (not gofront's, not BuildKit's), each with
    /// the one sentence a build warns with and `--call check` reports.
    pub fn unused_build_args(&self) -> impl Iterator<Item = String> + '_ {
        unused_build_args(&self.build_args)
    }

    /// The standard proxy build args (`HTTP_PROXY`, ... in either case), for
    /// the download step; `None` when none is set.
    pub fn proxies(&self) -> Option<Proxies> {
        let mut p = Proxies::default();
        let mut any = false;
        for (k, v) in &self.build_args {
            let upper = k.to_ascii_uppercase();
            let Some(arg) = PROXY_ARGS.iter().find(|a| a.arg.name == upper) else {
                continue;
            };
            *(arg.set)(&mut p) = v.clone();
            any = true;
        }
        any.then_some(p)
    }

    /// Build args that gofront reads for itself or that BuildKit defines, as
    /// opposed to ones the user may have mistyped.
    pub fn is_known_build_arg(name: &str) -> bool {
        name.starts_with(crate::spec::BUILD_ARG_PREFIX)
            || name.starts_with("BUILDKIT_")
            || OTHER_BUILD_ARGS.iter().any(|a| a.name == name)
            // Proxy variables count in lower case too, as everywhere.
            || proxy_arg(name).is_some()
    }
}

/// The spec's file name when none is given.
pub const DEFAULT_SPEC_FILE: &str = "gofront.toml";

/// Options as the local commands (`gofront llb`, `gofront dockerfile`)
/// take them from their flags, written as buildx would send them, so that
/// one parser reads both.
#[derive(Debug, Clone, Default)]
pub struct LocalOptions {
    pairs: Vec<(String, String)>,
}

impl LocalOptions {
    /// `--target`.
    pub fn target(&mut self, value: String) {
        self.pairs.push((keys::TARGET.into(), value));
    }

    /// `--platform`.
    pub fn platform(&mut self, value: String) {
        self.pairs.push((keys::PLATFORM.into(), value));
    }

    /// `--build-context NAME=VALUE` as buildx passes it: a directory
    /// becomes the local of that name; `docker-image://` and
    /// `oci-layout://` values pass as they are.
    pub fn build_context(&mut self, name: &str, value: &str) {
        let value = if value.contains("://") {
            value.to_string()
        } else {
            format!("{}{name}", keys::LOCAL_PREFIX)
        };
        self.pairs.push((format!("{}{name}", keys::CONTEXT), value));
    }

    /// `--build-arg NAME=VALUE`.
    pub fn build_arg(&mut self, name: &str, value: &str) {
        self.pairs
            .push((format!("{}{name}", keys::BUILD_ARG), value.to_string()));
    }

    /// `--label NAME=VALUE`.
    pub fn label(&mut self, name: &str, value: &str) {
        self.pairs
            .push((format!("{}{name}", keys::LABEL), value.to_string()));
    }

    /// The spec's file name.
    pub fn filename(&mut self, name: String) {
        self.pairs.push((keys::FILENAME.into(), name));
    }

    /// Reads them as BuildKit's would be read.
    pub fn parse(&self) -> Result<Options, OptionsError> {
        Options::parse(self.pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_buildx_sends() {
        let o = Options::parse([
            ("filename", "gofront.toml"),
            ("target", "binaries"),
            ("platform", "linux/arm64"),
            ("no-cache", ""),
            (
                "cache-imports",
                r#"[{"Type":"local","Attrs":{"src":"/tmp/c"}}]"#,
            ),
            ("build-arg:SOURCE_DATE_EPOCH", "1700000000"),
            ("build-arg:GOFRONT_BUILD_TAGS", "netgo"),
            ("label:org.example", "x"),
            ("context:goproxy", "local:goproxy"),
            ("cmdline", "gofront:dev"),
            ("attest:provenance", "mode=min"),
            ("vcs:revision", "abc123"),
        ])
        .unwrap();
        assert_eq!(o.target, Target::Binaries);
        assert_eq!(
            o.target_platforms(&Platform::linux_amd64()),
            vec![Platform::parse("linux/arm64").unwrap()]
        );
        assert!(!o.multi_platform_result());
        assert!(o.no_cache);
        assert_eq!(o.cache_imports[0].attrs["src"], "/tmp/c");
        assert_eq!(o.source_date_epoch, Some(1_700_000_000));
        assert_eq!(o.labels["org.example"], "x");
        assert_eq!(o.named_contexts["goproxy"], "local:goproxy");
        assert_eq!(o.ignored, vec!["cmdline", "attest:provenance"]);
        assert_eq!(o.vcs_revision.as_deref(), Some("abc123"));
    }

    #[test]
    fn sbom_is_read_from_the_option_or_buildkits_build_arg() {
        let sbom = |pairs: &[(&str, &str)]| Options::parse(pairs.iter().copied()).unwrap().sbom;
        assert_eq!(sbom(&[]), None);
        assert_eq!(
            sbom(&[("attest:sbom", "type=sbom")]),
            Some(SbomRequest::Gofront)
        );
        assert_eq!(sbom(&[("attest:sbom", "")]), Some(SbomRequest::Gofront));
        assert_eq!(
            sbom(&[("build-arg:BUILDKIT_ATTEST_SBOM", "true")]),
            Some(SbomRequest::Gofront)
        );
        let generator = SbomRequest::Generator {
            image: "example/scanner".into(),
            params: BTreeMap::new(),
        };
        assert_eq!(
            sbom(&[("attest:sbom", "type=sbom,generator=example/scanner")]),
            Some(generator.clone())
        );
        // The option wins over the alias.
        assert_eq!(
            sbom(&[
                ("build-arg:BUILDKIT_ATTEST_SBOM", "type=sbom"),
                ("attest:sbom", "type=sbom,generator=example/scanner"),
            ]),
            Some(generator)
        );
        let o = Options::parse([("attest:sbom", "type=sbom")]).unwrap();
        assert!(o.ignored.is_empty(), "{:?}", o.ignored);
    }

    #[test]
    fn local_flags_read_as_buildx_sends_them() {
        let mut l = LocalOptions::default();
        l.target("binaries".into());
        l.platform("linux/arm64".into());
        l.build_context("goproxy", "./proxy");
        l.build_context("base", "docker-image://alpine:3");
        l.build_arg("GOFRONT_BUILD_TAGS", "netgo");
        l.label("org.example", "x");
        l.filename("app.toml".into());
        let o = l.parse().unwrap();
        assert_eq!(o.target, Target::Binaries);
        assert_eq!(o.platforms, [Platform::parse("linux/arm64").unwrap()]);
        assert_eq!(
            o.named_context("goproxy"),
            Some(ContextSource::Local("goproxy".into()))
        );
        assert_eq!(
            o.named_context("base"),
            Some(ContextSource::Image("alpine:3".into()))
        );
        assert_eq!(o.build_args["GOFRONT_BUILD_TAGS"], "netgo");
        assert_eq!(o.labels["org.example"], "x");
        assert_eq!(o.filename, "app.toml");
        assert!(o.ignored.is_empty(), "{:?}", o.ignored);
        assert_eq!(
            LocalOptions::default().parse().unwrap().filename,
            DEFAULT_SPEC_FILE
        );
    }

    #[test]
    fn every_target_is_chosen_by_its_name() {
        for t in Target::ALL {
            let o = Options::parse([("target", t.name())]).unwrap();
            assert_eq!(o.target, t);
        }
        assert_eq!(
            Options::parse([("target", "")]).unwrap().target,
            Target::Image
        );
        assert_eq!(Target::ALL[0], Target::default());
    }

    #[test]
    fn rejects_what_cannot_be_honoured() {
        assert_eq!(
            Options::parse([("target", "imgae")])
                .unwrap_err()
                .to_string(),
            "unknown target \"imgae\"; gofront builds image, binaries, test, gocache"
        );
        assert_eq!(
            Options::parse([
                ("platform", "linux/amd64,linux/arm64"),
                ("multi-platform", "false")
            ])
            .unwrap_err()
            .to_string(),
            "--platform lists linux/amd64,linux/arm64, but multi-platform=false asks for a single-platform result"
        );
        assert_eq!(
            Options::parse([("multi-platform", "yes")])
                .unwrap_err()
                .to_string(),
            "invalid multi-platform value \"yes\"; expected true or false"
        );
        assert!(Options::parse([("platform", "linux")]).is_err());
        assert!(Options::parse([("build-arg:SOURCE_DATE_EPOCH", "yesterday")]).is_err());
    }

    #[test]
    fn proxies_are_read_in_either_case() {
        assert_eq!(Options::parse([]).unwrap().proxies(), None);
        let o = Options::parse([
            ("build-arg:https_proxy", "http://p:3128"),
            ("build-arg:NO_PROXY", "localhost"),
            ("build-arg:PROXY", "not one"),
        ])
        .unwrap();
        let p = o.proxies().unwrap();
        assert_eq!(p.https, "http://p:3128");
        assert_eq!(p.no, "localhost");
        assert_eq!(p.http, "");
        assert_eq!(p.names(), ["HTTPS_PROXY", "NO_PROXY"]);
        // Each is a build arg gofront knows, in either case, and listed once.
        for a in &PROXY_ARGS {
            assert!(Options::is_known_build_arg(a.arg.name));
            assert!(Options::is_known_build_arg(
                &a.arg.name.to_ascii_lowercase()
            ));
            let listed = OTHER_BUILD_ARGS.iter().filter(|o| o.name == a.arg.name);
            assert_eq!(listed.count(), 1, "{}", a.arg.name);
        }
        assert!(!Options::is_known_build_arg("Https_Proxy"));
    }

    #[test]
    fn keep_git_dir_is_read_as_buildkit_reads_it() {
        let keep = |v: &str| {
            Options::parse([("build-arg:BUILDKIT_CONTEXT_KEEP_GIT_DIR", v)])
                .unwrap()
                .keep_git_dir
        };
        assert!(keep("1"));
        assert!(keep("true"));
        assert!(!keep("false"));
        assert!(!keep("0"));
        assert!(!keep(""));
        assert!(!keep("yes please"));
        assert!(!Options::parse([]).unwrap().keep_git_dir);
    }

    #[test]
    fn platform_lists_and_multi_platform_results() {
        let amd = Platform::linux_amd64();
        let many = Options::parse([("platform", "linux/amd64,linux/arm64,linux/amd64")]).unwrap();
        let names: Vec<String> = many
            .target_platforms(&amd)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(names, ["linux/amd64", "linux/arm64"]);
        assert!(many.multi_platform_result());
        let none = Options::parse([]).unwrap();
        assert_eq!(none.target_platforms(&amd), vec![amd.clone()]);
        assert!(!none.multi_platform_result());
        let forced = Options::parse([("multi-platform", "true")]).unwrap();
        assert!(forced.multi_platform_result());
        let by_arg = Options::parse([
            ("multi-platform", "false"),
            ("build-arg:BUILDKIT_MULTI_PLATFORM", "1"),
        ])
        .unwrap();
        assert!(by_arg.multi_platform_result());
    }

    #[test]
    fn normalises_platform_aliases() {
        let p = |s| Platform::parse(s).unwrap().to_string();
        assert_eq!(p("linux/x86_64"), "linux/amd64");
        assert_eq!(p("linux/aarch64"), "linux/arm64");
        assert_eq!(p("linux/arm64/v8"), "linux/arm64");
        assert_eq!(p("linux/arm"), "linux/arm/v7");
        assert_eq!(p("linux/amd64/v1"), "linux/amd64");
        assert_eq!(p("linux/arm64/v8.0"), "linux/arm64");
        assert_eq!(p("linux/arm64/9"), "linux/arm64/v9");
        assert_eq!(p("linux/ARM/6"), "linux/arm/v6");
        assert_eq!(p("linux/i386/sse2"), "linux/386");
    }

    #[test]
    fn a_platform_listed_twice_is_built_once_and_odd_variants_are_refused() {
        let o = Options::parse([(
            "platform",
            "linux/amd64,linux/arm64,linux/x86_64/v1,linux/aarch64/v8",
        )])
        .unwrap();
        let names: Vec<String> = o.platforms.iter().map(ToString::to_string).collect();
        assert_eq!(names, ["linux/amd64", "linux/arm64"]);
        let one = Options::parse([("platform", "linux/amd64,linux/amd64")]).unwrap();
        assert!(!one.multi_platform_result());
        assert_eq!(
            Options::parse([("platform", "linux/amd64,linux/amd64/v5")])
                .unwrap_err()
                .to_string(),
            "--platform linux/amd64/v5: Go does not build for linux/amd64/v5; it builds linux/amd64, linux/amd64/v2, linux/amd64/v3, linux/amd64/v4 (the variant sets GOAMD64; none keeps Go's default)"
        );
        assert_eq!(
            Options::parse([("platform", "linux/loong64/v2")])
                .unwrap_err()
                .to_string(),
            "--platform linux/loong64/v2: Go does not build for linux/loong64/v2; it builds linux/loong64 (Go has no variants of loong64)"
        );
    }
}
