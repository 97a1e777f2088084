//! The build args gofront reads besides the `GOFRONT_<SECTION>_<KEY>`
//! ones, the proxy build args among them, each declared once.

use super::keys;
use crate::target::Target;

/// Every build arg that overrides a spec key starts with this
/// (`GOFRONT_<SECTION>_<KEY>`, named in `spec::keys`).
pub const BUILD_ARG_PREFIX: &str = "GOFRONT_";

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
pub(super) struct ProxyArg {
    /// The build arg, by its upper-case name.
    pub(super) arg: OtherArg,
    pub(super) get: fn(&Proxies) -> &String,
    pub(super) set: fn(&mut Proxies) -> &mut String,
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
pub(super) const PROXY_ARGS: [ProxyArg; 5] = [
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
pub(super) fn proxy_arg(name: &str) -> Option<&'static ProxyArg> {
    PROXY_ARGS
        .iter()
        .find(|p| p.arg.name == name || p.arg.name.to_ascii_lowercase() == name)
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
