//! The gofront spec: the user's `gofront.toml` (or JSON) turned into a typed
//! [`Spec`], with `--build-arg GOFRONT_*` overrides merged in.
//!
//! Invariants: no I/O; no defaults are applied here (that is `plan`'s job), so
//! every field is optional and remembers where it was written; validation
//! reports every problem it finds, not only the first.

mod build_args;
mod declare;
pub mod duration;
pub mod image_checks;
mod image_settings;
pub mod keys;
pub mod managed;
mod node;
mod schema;
pub(crate) mod suggest;

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

pub use keys::{KEYS, Kind, Setting, defaults};
pub use node::Origin;
use node::{Node, Value};

/// A value from the spec, with where it was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Field<T> {
    /// The value.
    pub value: T,
    /// Where it came from.
    #[serde(serialize_with = "origin")]
    pub origin: Origin,
}

/// An origin as data: `{"file": {"start": .., "end": ..}}` (byte offsets
/// of the spec's text), `{"build_arg": NAME}` or `"unknown"`.
fn origin<S: serde::Serializer>(o: &Origin, s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    match o {
        Origin::File(r) => {
            let mut m = s.serialize_map(Some(1))?;
            m.serialize_entry("file", r)?;
            m.end()
        }
        Origin::BuildArg(name) => {
            let mut m = s.serialize_map(Some(1))?;
            m.serialize_entry("build_arg", name)?;
            m.end()
        }
        Origin::Unknown => s.serialize_str("unknown"),
    }
}

/// The language a spec is written in, decided once from its text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// TOML (the default).
    #[default]
    Toml,
    /// JSON (a document that starts with `{`, or a JSON array).
    Json,
}

impl Language {
    /// The name BuildKit's `SourceInfo.language` carries.
    pub fn as_str(self) -> &'static str {
        match self {
            Language::Toml => "toml",
            Language::Json => "json",
        }
    }
}

/// The language of a spec's text: JSON when it is a JSON document, TOML
/// otherwise. `[` starts a TOML table header and a JSON array alike: a
/// text that is no TOML and reads as JSON is JSON.
pub fn language(text: &str) -> Language {
    let text = strip_bom(text);
    let trimmed = text.trim_start();
    if trimmed.starts_with('{')
        || (trimmed.starts_with('[')
            && looks_like_json_array(trimmed)
            && toml::de::DeTable::parse(text).is_err())
    {
        Language::Json
    } else {
        Language::Toml
    }
}

/// A map of names to values, each with its origin.
pub type FieldMap = BTreeMap<String, Field<String>>;

/// The whole spec.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Spec {
    /// `[build]`: how `go build` runs.
    pub build: BuildSpec,
    /// `[download]`: how `go mod download` runs.
    pub download: DownloadSpec,
    /// `[runtime]`: the image that is shipped.
    pub runtime: RuntimeSpec,
    /// `[test]`: what `--target test` runs.
    pub test: TestSpec,
    /// `[cache]`: which builds share the Go caches.
    pub cache: CacheSpec,
    /// `[images.NAME]`: what a binary's own image (`--target NAME`) sets
    /// over `[runtime]`, by target name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub images: BTreeMap<String, ImageSpec>,
    /// The language it is written in.
    pub language: Language,
    /// Where each section is written in the spec file (byte ranges), for
    /// the source map of the steps it shapes; empty for a section set only
    /// by build args or not at all.
    pub sections: BTreeMap<String, Vec<std::ops::Range<usize>>>,
}

/// `[cache]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CacheSpec {
    /// `builder` (every project on the builder shares the caches) or
    /// `project` (caches per module path).
    pub scope: Option<Field<CacheScope>>,
}

/// Which builds share the Go build cache and the module download cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CacheScope {
    /// Every build on the builder (with the same cache namespace).
    Builder,
    /// Builds of the same module path only.
    Project,
}

impl CacheScope {
    /// As the spec spells it.
    pub const fn as_str(self) -> &'static str {
        match self {
            CacheScope::Builder => "builder",
            CacheScope::Project => "project",
        }
    }
}

impl Spec {
    /// The byte ranges of the spec file where `section` is written.
    pub fn section_spans(&self, section: &str) -> &[std::ops::Range<usize>] {
        self.sections.get(section).map_or(&[], Vec::as_slice)
    }
}

/// `[build]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BuildSpec {
    /// Main packages to build, as `./dir` patterns.
    pub packages: Option<Field<Vec<String>>>,
    /// Output file name (only with a single package).
    pub output: Option<Field<String>>,
    /// Build tags.
    pub tags: Option<Field<Vec<String>>>,
    /// `-ldflags`, one string.
    pub ldflags: Option<Field<String>>,
    /// `CGO_ENABLED`.
    pub cgo: Option<Field<bool>>,
    /// `-trimpath`.
    pub trimpath: Option<Field<bool>>,
    /// `-ldflags=-s -w` (no symbol table, no DWARF; panics still print
    /// function names and lines).
    pub strip: Option<Field<bool>>,
    /// Extra environment for `go build` and `go test`.
    pub env: FieldMap,
    /// The builder image.
    pub builder: Option<Field<String>>,
}

/// Network mode of the download step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Network {
    /// BuildKit's default sandbox network.
    Sandbox,
    /// No network at all.
    None,
    /// The host's network (BuildKit's `network.host` entitlement:
    /// `--allow network.host`).
    Host,
}

impl Network {
    /// As the spec spells it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Network::Sandbox => "sandbox",
            Network::None => "none",
            Network::Host => "host",
        }
    }
}

/// `[download]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DownloadSpec {
    /// Network mode.
    pub network: Option<Field<Network>>,
    /// Extra environment (GOPROXY, GONOSUMDB, GOPRIVATE, ...).
    pub env: FieldMap,
    /// Named build contexts mounted read-only: context name → mount path.
    pub contexts: FieldMap,
    /// BuildKit secret ids (`--secret id=...`) mounted as files.
    pub secrets: Option<Field<Vec<String>>>,
    /// SSH agent ids (`--ssh id`) forwarded for git over ssh.
    pub ssh: Option<Field<Vec<String>>>,
}

/// `[runtime]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RuntimeSpec {
    /// Base image, or `scratch`.
    pub base: Option<Field<String>>,
    /// Entrypoint argv.
    pub entrypoint: Option<Field<Vec<String>>>,
    /// Cmd argv.
    pub cmd: Option<Field<Vec<String>>>,
    /// `user[:group]`.
    pub user: Option<Field<String>>,
    /// Working directory.
    pub workdir: Option<Field<String>>,
    /// Environment.
    pub env: FieldMap,
    /// Exposed ports, normalised to `port/proto`.
    pub expose: Option<Field<Vec<String>>>,
    /// Labels.
    pub labels: FieldMap,
    /// Files and directories of the build context copied into the image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub files: Option<Field<Vec<FileSpec>>>,
    /// Empty directories created in the image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dirs: Option<Field<Vec<DirSpec>>>,
    /// Volumes (absolute paths).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volumes: Option<Field<Vec<String>>>,
    /// The healthcheck.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub healthcheck: Option<Field<HealthcheckSpec>>,
    /// The stop signal, as Docker names it (`SIGTERM`) or a number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop_signal: Option<Field<String>>,
    /// The directory the binaries go to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bindir: Option<Field<String>>,
    /// A binary's own path in the image, by binary name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub binaries: FieldMap,
    /// Copy each main package's `kodata/` to `/var/run/ko` (ko's
    /// convention) and set `KO_DATA_PATH`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kodata: Option<Field<bool>>,
}

/// One entry of `runtime.files`: a path of the build context (a file, a
/// directory or a glob) copied into the image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileSpec {
    /// Where the entry is written.
    #[serde(serialize_with = "origin")]
    pub origin: Origin,
    /// The path in the build context, cleaned (no leading `./`, no
    /// trailing `/`), relative to its root.
    pub src: Field<String>,
    /// The absolute path in the image; a trailing `/` names a directory
    /// the source goes into.
    pub dest: Field<String>,
    /// The mode of every file (and directory) copied; `None` keeps the
    /// source's.
    pub mode: Option<Field<u32>>,
    /// `user[:group]`, numeric or names from the base's `/etc/passwd`;
    /// `None`: root.
    pub owner: Option<Field<String>>,
    /// The binary embeds it too (`//go:embed`): the go build keeps it in
    /// its source (else it does not see it, so editing it runs no Go step).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub embed: Option<Field<bool>>,
}

/// One entry of `runtime.dirs`: an empty directory created in the image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DirSpec {
    /// Where the entry is written.
    #[serde(serialize_with = "origin")]
    pub origin: Origin,
    /// Its absolute path.
    pub path: Field<String>,
    /// Its mode; `None`: 0755.
    pub mode: Option<Field<u32>>,
    /// `user[:group]`; `None`: root.
    pub owner: Option<Field<String>>,
}

/// `runtime.healthcheck`, as the image config's `Healthcheck` holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HealthcheckSpec {
    /// `["CMD", argv...]`, `["CMD-SHELL", command]` or `["NONE"]`.
    pub test: Field<Vec<String>>,
    /// Between checks, in nanoseconds.
    pub interval: Option<Field<u64>>,
    /// How long a check may take, in nanoseconds.
    pub timeout: Option<Field<u64>>,
    /// How long the container may take to start, in nanoseconds.
    pub start_period: Option<Field<u64>>,
    /// Between checks during the start period, in nanoseconds.
    pub start_interval: Option<Field<u64>>,
    /// Failures in a row that make the container unhealthy.
    pub retries: Option<Field<u32>>,
}

/// `[images.NAME]`: `[runtime]`'s keys for one binary's own image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImageSpec {
    /// Where `NAME` is written.
    #[serde(serialize_with = "origin")]
    pub origin: Origin,
    /// What it sets.
    pub runtime: RuntimeSpec,
}

impl Spec {
    /// The runtime settings of the image `binary_target` names (`None`:
    /// the `image` target): `[images.NAME]` over `[runtime]`, whose
    /// entrypoint and cmd are the `image` target's only (a binary's own
    /// image runs that binary unless its section says otherwise); env and
    /// labels are merged, a name set in both taking `[images.NAME]`'s.
    pub fn runtime_for(&self, binary_target: Option<&str>) -> RuntimeSpec {
        let Some(name) = binary_target else {
            return self.runtime.clone();
        };
        let own = self.images.get(name).map(|i| &i.runtime);
        let rt = &self.runtime;
        let pick = |get: fn(&RuntimeSpec) -> &Option<Field<String>>| {
            own.and_then(|o| get(o).clone()).or_else(|| get(rt).clone())
        };
        let merged = |get: fn(&RuntimeSpec) -> &FieldMap| {
            let mut m = get(rt).clone();
            if let Some(o) = own {
                m.extend(get(o).clone());
            }
            m
        };
        RuntimeSpec {
            base: pick(|r| &r.base),
            entrypoint: own.and_then(|o| o.entrypoint.clone()),
            cmd: own.and_then(|o| o.cmd.clone()),
            user: pick(|r| &r.user),
            workdir: pick(|r| &r.workdir),
            env: merged(|r| &r.env),
            expose: own
                .and_then(|o| o.expose.clone())
                .or_else(|| rt.expose.clone()),
            labels: merged(|r| &r.labels),
            // Files and directories: [runtime]'s, then the image's own.
            files: joined_lists(&rt.files, own.and_then(|o| o.files.as_ref())),
            dirs: joined_lists(&rt.dirs, own.and_then(|o| o.dirs.as_ref())),
            volumes: own
                .and_then(|o| o.volumes.clone())
                .or_else(|| rt.volumes.clone()),
            // A healthcheck runs a program, like the entrypoint: the
            // image target's, unless the binary's own image says.
            healthcheck: own.and_then(|o| o.healthcheck.clone()),
            stop_signal: pick(|r| &r.stop_signal),
            bindir: pick(|r| &r.bindir),
            binaries: merged(|r| &r.binaries),
            kodata: own
                .and_then(|o| o.kodata.clone())
                .or_else(|| rt.kodata.clone()),
        }
    }
}

/// `base`'s entries, then `own`'s (the origin of the list is `own`'s
/// when it has one).
fn joined_lists<T: Clone>(
    base: &Option<Field<Vec<T>>>,
    own: Option<&Field<Vec<T>>>,
) -> Option<Field<Vec<T>>> {
    match (base, own) {
        (None, None) => None,
        (Some(b), None) => Some(b.clone()),
        (None, Some(o)) => Some(o.clone()),
        (Some(b), Some(o)) => Some(Field {
            value: b.value.iter().chain(&o.value).cloned().collect(),
            origin: o.origin.clone(),
        }),
    }
}

/// `[test]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TestSpec {
    /// Packages to test.
    pub packages: Option<Field<Vec<String>>>,
    /// Extra `go test` flags.
    pub flags: Option<Field<Vec<String>>>,
    /// `-coverprofile` into the report.
    pub coverage: Option<Field<bool>>,
    /// `-coverpkg`.
    pub coverpkg: Option<Field<Vec<String>>>,
    /// `-race`.
    pub race: Option<Field<bool>>,
    /// `I/N`: which shard of the packages.
    pub shard: Option<Field<String>>,
}

/// One thing wrong with the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where the offending value or key is.
    pub origin: Origin,
    /// The dotted key, e.g. `build.tags`.
    pub key: String,
    /// What is wrong, and what to do.
    pub message: String,
}

/// Everything wrong with a spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    /// The spec's file name, as the user knows it.
    pub file: String,
    /// Its language.
    pub language: Language,
    /// The spec text, to turn byte offsets into lines.
    pub text: String,
    /// The problems, in document order; never empty.
    pub problems: Vec<Problem>,
}

/// A line/column position, both 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LineCol {
    /// Line, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub column: usize,
}

/// Turns a byte offset of `text` into a 1-based line and column.
pub fn line_col(text: &str, offset: usize) -> LineCol {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    LineCol { line, column }
}

impl SpecError {
    /// Renders one problem as one sentence that starts with its location,
    /// on one line: control characters from the input (a newline in a
    /// name, say) are escaped.
    pub fn render(&self, p: &Problem) -> String {
        let line = match &p.origin {
            Origin::File(range) => {
                let lc = line_col(&self.text, range.start);
                format!("{}:{}:{}: {}", self.file, lc.line, lc.column, p.message)
            }
            Origin::BuildArg(name) => format!("build-arg {name}: {}", p.message),
            Origin::Unknown => format!("{}: {}", self.file, p.message),
        };
        if line.contains(char::is_control) {
            line.chars()
                .map(|c| {
                    if c.is_control() {
                        c.escape_default().to_string()
                    } else {
                        c.to_string()
                    }
                })
                .collect()
        } else {
            line
        }
    }
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<String> = self.problems.iter().map(|p| self.render(p)).collect();
        f.write_str(&lines.join("\n"))
    }
}

impl std::error::Error for SpecError {}

/// Parses a spec file, merges `GOFRONT_*` build args over it and validates
/// the result. `build_args` holds every build arg the user passed; those not
/// starting with [`crate::options::BUILD_ARG_PREFIX`] are ignored here.
pub fn parse(
    file: &str,
    text: &str,
    build_args: &BTreeMap<String, String>,
) -> Result<Spec, SpecError> {
    // A byte order mark is no part of the spec (Docker drops it from a
    // Dockerfile too); callers that keep the text strip it the same way.
    let text = strip_bom(text);
    let language = language(text);
    let fail = |problems: Vec<Problem>| SpecError {
        file: file.to_string(),
        language,
        text: text.to_string(),
        problems,
    };
    let (mut root, mut problems) = parse_document(text, language).map_err(|p| fail(vec![p]))?;
    build_args::merge_build_args(&mut root, build_args, &mut problems);
    // A document past the size limits is answered with them alone: the
    // checks behind are not meant for a million keys.
    let oversized: Vec<Problem> = node::oversized(&root)
        .into_iter()
        .map(|o| Problem {
            origin: o.origin,
            key: o.path,
            message: o.message,
        })
        .collect();
    if !oversized.is_empty() {
        return Err(fail(capped(oversized)));
    }
    let mut spec = schema::convert(&root, &mut problems);
    spec.language = language;
    if problems.is_empty() {
        spec.sections = node::section_spans(&root);
        Ok(spec)
    } else {
        Err(fail(capped(problems)))
    }
}

/// The most problems one error lists; the rest are counted in a last line.
pub const MAX_PROBLEMS: usize = 20;

/// The first [`MAX_PROBLEMS`] problems, and a last one that counts the rest.
fn capped(mut problems: Vec<Problem>) -> Vec<Problem> {
    if problems.len() > MAX_PROBLEMS {
        let more = problems.len() - MAX_PROBLEMS;
        problems.truncate(MAX_PROBLEMS);
        problems.push(Problem {
            origin: Origin::Unknown,
            key: String::new(),
            message: format!("{more} more problems like these are not shown"),
        });
    }
    problems
}

/// The text without a leading UTF-8 byte order mark.
pub fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// Parses the text in its language; JSON keys written twice come back as
/// problems.
fn parse_document(text: &str, language: Language) -> Result<(Node, Vec<Problem>), Problem> {
    if language == Language::Json {
        return parse_json(text);
    }
    match toml::de::DeTable::parse(text) {
        Ok(table) => Ok((node::from_toml(&table), Vec::new())),
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            let said = e.message().trim_end();
            let mut message = if said.contains("recurs") {
                // toml's own words ("recursion limit", "cannot recurse
                // further") name neither the cause nor the bound.
                "invalid TOML: tables, arrays or dotted keys nested too deeply for the TOML reader; a spec nests at most 3 levels (a section, a table in it, a value)".to_string()
            } else {
                format!("invalid TOML: {said}")
            };
            // toml names no key in this one; the span holds it.
            if message.ends_with("duplicate key")
                && let Some(key) = text.get(span.clone()).filter(|k| !k.contains('\n'))
            {
                message = format!("{message} {}", key.trim());
            }
            Err(Problem {
                origin: Origin::File(span),
                key: String::new(),
                message,
            })
        }
    }
}

/// Whether a text starting with `[` is meant as JSON: valid JSON, or its
/// first element (after any nested `[`) starts as only JSON values do.
fn looks_like_json_array(text: &str) -> bool {
    if serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok() {
        return true;
    }
    let rest = text.trim_start_matches(|c: char| c == '[' || c.is_whitespace());
    matches!(
        rest.chars().next(),
        None | Some('{' | ']' | '"' | '-' | '0'..='9')
    )
}

fn parse_json(text: &str) -> Result<(Node, Vec<Problem>), Problem> {
    let invalid = |line: usize, column: usize, message: String| {
        let offset = offset_of(text, line, column);
        Problem {
            origin: Origin::File(offset..offset),
            key: String::new(),
            message: format!("invalid JSON: {message}"),
        }
    };
    if let Some(at) = node::too_deep_json(text) {
        return Err(Problem {
            origin: Origin::File(at..at),
            key: String::new(),
            message: format!(
                "invalid JSON: arrays and objects nested more than {} levels deep; a spec nests at most 3 (a section, a table in it, a value)",
                node::MAX_DEPTH
            ),
        });
    }
    serde_json::from_str::<serde::de::IgnoredAny>(text)
        .map_err(|e| invalid(e.line(), e.column(), json_message(text, &e)))?;
    let (root, duplicates) =
        node::from_json(text).ok_or_else(|| invalid(1, 1, "not a JSON document".to_string()))?;
    let problems = duplicates
        .into_iter()
        .map(|d| {
            let first = match &d.first {
                Origin::File(r) => format!(" (first set on line {})", line_col(text, r.start).line),
                _ => String::new(),
            };
            Problem {
                origin: d.origin,
                message: format!(
                    "duplicate key {:?}{first}; JSON keys must be unique",
                    d.path
                ),
                key: d.path,
            }
        })
        .collect();
    Ok((root, problems))
}

fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return offset + column.saturating_sub(1).min(l.len());
        }
        offset += l.len();
    }
    text.len()
}

/// serde_json's message, in words that say what was found: a comma before
/// a closing bracket is "key must be a string" or "expected value" to it.
fn json_message(text: &str, e: &serde_json::Error) -> String {
    // serde_json points at the byte it stopped on.
    let at = offset_of(text, e.line(), e.column());
    let closing = text
        .get(at..)
        .is_some_and(|rest| rest.starts_with([']', '}']));
    let after_comma = text
        .get(..at)
        .is_some_and(|before| before.trim_end().ends_with(','));
    if closing && after_comma {
        "a comma before a closing bracket (JSON allows no trailing comma); remove the comma"
            .to_string()
    } else {
        strip_position(&e.to_string()).to_string()
    }
}

fn strip_position(msg: &str) -> &str {
    msg.split(" at line ").next().unwrap_or(msg)
}

impl Problem {
    fn at(node_origin: &Origin, key: &str, message: String) -> Self {
        Problem {
            origin: node_origin.clone(),
            key: key.to_string(),
            message,
        }
    }
}

impl Value {
    fn as_table(&self) -> Option<&[(node::Key, Node)]> {
        match self {
            Value::Table(t) => Some(t),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests;

/// What to say about a `download.env` entry that looks like a credential
/// (a URL with a user or password, or a name such as `*_TOKEN`): its value
/// is written into the build definition, the cache key and provenance.
pub fn credential_in_env(name: &str, value: &str) -> Option<String> {
    const ADVICE: &str = "pass credentials as a BuildKit secret instead: download.secrets = [\"netrc\"] and --secret id=netrc,src=$HOME/.netrc";
    if has_userinfo(value) {
        Some(format!(
            "download.env.{name} holds a URL with a user name or password; they end up in the build definition, the cache and provenance attestations; {ADVICE}"
        ))
    } else if secret_name(name) {
        Some(format!(
            "download.env.{name} looks like a credential; its value ends up in the build definition, the cache and provenance attestations; {ADVICE}"
        ))
    } else {
        None
    }
}

/// A `scheme://user[:password]@host` anywhere in a (list of) URLs.
fn has_userinfo(value: &str) -> bool {
    value.split([',', '|']).any(|url| {
        url.split_once("://").is_some_and(|(_, rest)| {
            let authority = rest.split('/').next().unwrap_or(rest);
            authority.contains('@')
        })
    })
}

/// Names that say they hold a credential.
fn secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    [
        "TOKEN",
        "PASSWORD",
        "PASSWD",
        "SECRET",
        "CREDENTIAL",
        "APIKEY",
        "API_KEY",
    ]
    .iter()
    .any(|w| upper.contains(w))
}
