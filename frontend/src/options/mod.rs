//! The frontend options BuildKit hands us (`BUILDKIT_FRONTEND_OPT_*`), parsed
//! once into a typed [`Options`].
//!
//! Invariant: this is the only module that knows option key strings; options
//! it does not know are kept aside and never treated as errors, because
//! buildx and BuildKit add new ones all the time.

use std::collections::BTreeMap;

use crate::sbom::SbomRequest;
use serde::Deserialize;

mod args;
mod context;
mod error;
mod keys;
mod platform;
pub mod reference;

pub use crate::platform::{Platform, ResolveMode};
use crate::target::Target;
pub use args::*;
use args::{PROXY_ARGS, proxy_arg};
use context::check_context;
pub use context::*;
pub use error::{MAX_EPOCH, OptionsError};
use platform::parse_platforms;

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
    /// `--target`: the kind of target (`image` for a binary's own image).
    pub target: Target,
    /// `--target NAME` naming no built-in target: the image that holds only
    /// the binary whose target is NAME ([`crate::target::binary_target`]);
    /// plan refuses a name no binary has.
    pub binary_target: Option<String>,
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
                keys::TARGET => match Target::parse(value) {
                    Some(t) => {
                        o.target = t;
                        o.binary_target = None;
                    }
                    None => {
                        o.target = Target::Image;
                        o.binary_target = Some(value.to_string());
                    }
                },
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
        name.starts_with(BUILD_ARG_PREFIX)
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
mod tests;
