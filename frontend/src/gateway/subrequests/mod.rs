//! Answers to BuildKit's subrequests (`docker buildx build --call ...`):
//! `frontend.subrequests.describe`, `frontend.targets`, `frontend.outline`
//! and `frontend.lint` (`--call check`), in the JSON shapes of BuildKit's
//! `frontend/subrequests` packages, returned as result metadata
//! (`result.json`, `result.txt`, `version`, and for lint
//! `result.statuscode`) the way `frontend/dockerui/requests.go` does.
//!
//! Invariant: every key, build arg, default and description comes from the
//! spec's one declaration (`spec::KEYS`), the options' (`Target`,
//! `OTHER_BUILD_ARGS`) and the plan; the answers themselves are pure
//! functions of what [`answer`] gathers.

use std::collections::BTreeMap;

use serde::Serialize;
use thiserror::Error;

mod lint;
mod shapes;

pub use lint::lint;
use shapes::{
    Arg, Location, Named, Outline, Position, Range, Request, TargetInfo, TargetList, base64,
    columns,
};

use crate::driver::{self, FrontendError, Host};
use crate::options::{OTHER_BUILD_ARGS, Options};
use crate::proto::gateway as gw;
use crate::proto::google::rpc::Status;
use crate::report::{SourceMap, SpecReport};
use crate::spec::{self, KEYS, Kind, Origin, Setting};
use crate::target::Target;

/// `requestid` values gofront answers (BuildKit's request names).
pub mod names {
    /// `frontend/subrequests/describe.go`.
    pub const DESCRIBE: &str = "frontend.subrequests.describe";
    /// `frontend/subrequests/outline/outline.go`.
    pub const OUTLINE: &str = "frontend.outline";
    /// `frontend/subrequests/targets/targets.go`.
    pub const TARGETS: &str = "frontend.targets";
    /// `frontend/subrequests/lint/lint.go`.
    pub const LINT: &str = "frontend.lint";
}

/// Every answer's structure version, as BuildKit's definitions say it;
/// buildx prints `result.txt` instead of its own rendering when the
/// version is newer than the one it knows.
const VERSION: &str = "1.0.0";

/// The metadata keys of an answer (`frontend/subrequests/*`).
mod meta {
    pub const JSON: &str = "result.json";
    pub const TXT: &str = "result.txt";
    pub const VERSION: &str = "version";
    pub const STATUS: &str = "result.statuscode";
}

/// Why a subrequest got no answer.
#[derive(Debug, Error)]
pub enum SubrequestError {
    /// A request gofront does not know; BuildKit's words
    /// (`errdefs.UnsupportedSubrequestError`).
    #[error("unsupported request {0}")]
    Unsupported(String),
    /// Reading or parsing the spec failed.
    #[error(transparent)]
    Frontend(#[from] FrontendError),
    /// A bug: an answer could not be serialised.
    #[error("internal error in gofront: cannot serialise the answer to {request}: {message}")]
    Json {
        /// The request.
        request: &'static str,
        /// serde_json's message.
        message: String,
    },
}

impl SubrequestError {
    /// The status `Return` carries.
    pub fn status(&self) -> Status {
        match self {
            SubrequestError::Frontend(e) => super::error_status(e),
            SubrequestError::Unsupported(name) => Status {
                code: super::code::UNKNOWN,
                message: self.to_string(),
                // What BuildKit's grpcerrors attaches, so that clients can
                // tell an unsupported request from a failure.
                details: vec![prost_types::Any {
                    type_url: "github.com/moby/buildkit/errdefs.Subrequest+json".to_string(),
                    value: serde_json::json!({ "name": name }).to_string().into_bytes(),
                }],
            },
            SubrequestError::Json { .. } => Status {
                code: super::code::UNKNOWN,
                message: self.to_string(),
                details: Vec::new(),
            },
        }
    }
}

/// An answer: the result's metadata (no refs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// `result.json`, `result.txt`, `version` (and `result.statuscode`).
    pub metadata: BTreeMap<String, Vec<u8>>,
}

impl Answer {
    fn new(
        request: &'static str,
        json: &impl Serialize,
        text: String,
    ) -> Result<Self, SubrequestError> {
        let json = serde_json::to_vec_pretty(json).map_err(|e| SubrequestError::Json {
            request,
            message: e.to_string(),
        })?;
        let mut metadata = BTreeMap::new();
        metadata.insert(meta::JSON.to_string(), json);
        metadata.insert(meta::TXT.to_string(), text.into_bytes());
        metadata.insert(meta::VERSION.to_string(), VERSION.as_bytes().to_vec());
        Ok(Answer { metadata })
    }

    /// As the `Result` returned to BuildKit.
    pub fn into_result(self) -> gw::Result {
        gw::Result {
            result: None,
            metadata: self.metadata,
            ..gw::Result::default()
        }
    }
}

// ---------------------------------------------------------------------------
// The answers.

/// `frontend.subrequests.describe`: the requests gofront answers.
pub fn describe() -> Result<Answer, SubrequestError> {
    let results = || {
        Some(vec![
            Named {
                name: meta::JSON,
                description: "",
            },
            Named {
                name: meta::TXT,
                description: "",
            },
        ])
    };
    let mut lint_meta = results();
    if let Some(m) = lint_meta.as_mut() {
        m.push(Named {
            name: meta::STATUS,
            description: "",
        });
    }
    let all = vec![
        Request {
            name: names::OUTLINE,
            version: VERSION,
            kind: "rpc",
            description: "List all parameters current build target supports",
            opts: Some(vec![Named {
                name: "target",
                description: "Target build stage",
            }]),
            inputs: None,
            metadata: results(),
            refs: None,
        },
        Request {
            name: names::TARGETS,
            version: VERSION,
            kind: "rpc",
            description: "List all targets current build supports",
            opts: Some(Vec::new()),
            inputs: None,
            metadata: results(),
            refs: None,
        },
        Request {
            name: names::LINT,
            version: VERSION,
            kind: "rpc",
            description: "Check the gofront spec and the project for problems",
            opts: Some(Vec::new()),
            inputs: None,
            metadata: lint_meta,
            refs: None,
        },
        Request {
            name: names::DESCRIBE,
            version: VERSION,
            kind: "rpc",
            description: "List available subrequest types",
            opts: None,
            inputs: None,
            metadata: results(),
            refs: None,
        },
    ];
    let rows: Vec<Vec<String>> = std::iter::once(vec!["NAME", "VERSION", "DESCRIPTION"])
        .map(|r| r.into_iter().map(String::from).collect())
        .chain(all.iter().map(|r| {
            vec![
                r.name.trim_start_matches("frontend.").to_string(),
                r.version.to_string(),
                r.description.to_string(),
            ]
        }))
        .collect();
    Answer::new(names::DESCRIBE, &all, columns(&rows, 1))
}

/// What `--call outline` says of a target no binary has.
const UNKNOWN_BINARY_TARGET: &str =
    "No binary of the spec has this target (--call targets lists them); a build refuses it";

/// What `--call targets` and `--call outline` say of a binary's own image.
fn binary_description(package: &str) -> String {
    format!("The runtime image with only the binary of {package}, its entrypoint")
}

/// `frontend.targets`: gofront's `--target`s, the default marked, then
/// each binary's own image (`binaries`: its target and package).
pub fn targets(
    source: &SourceMap,
    binaries: &[(String, String)],
) -> Result<Answer, SubrequestError> {
    let list = TargetList {
        targets: Target::ALL
            .iter()
            .map(|t| TargetInfo {
                name: t.name().to_string(),
                default: *t == Target::default(),
                description: t.description().to_string(),
            })
            .chain(binaries.iter().map(|(name, package)| TargetInfo {
                name: name.clone(),
                default: false,
                description: binary_description(package),
            }))
            .collect(),
        sources: vec![base64(source.text.as_bytes())],
    };
    let mut rows = vec![vec!["TARGET".to_string(), "DESCRIPTION".to_string()]];
    for t in &list.targets {
        let name = if t.default {
            format!("{} (default)", t.name)
        } else {
            t.name.to_string()
        };
        rows.push(vec![name, t.description.to_string()]);
    }
    Answer::new(names::TARGETS, &list, columns(&rows, 1))
}

/// `frontend.outline`: every build arg the selected target reads, with
/// its value (from the spec or a build arg), a description that says its
/// default, and where the spec sets it.
///
/// `binary`: the binary target asked for and its description, when the
/// target is one (it reads what `image` reads). `found`: the main packages
/// gofront found, when the spec sets no `build.packages`: that key's value.
pub fn outline(
    target: Target,
    binary: Option<(&str, String)>,
    report: &SpecReport,
    build_args: &BTreeMap<String, String>,
    found: &[String],
) -> Result<Answer, SubrequestError> {
    let (source, spec) = (&report.source, &report.spec);
    let mut args = Vec::new();
    for key in KEYS.iter().filter(|k| k.affects(target)) {
        let description = plain(&format!("{}; default: {}", key.meaning, key.default));
        let arg = key.build_arg();
        match key.setting(spec) {
            Setting::Map(map) if key.kind() == Kind::EnvMap && !map.is_empty() => {
                for (name, field) in map {
                    args.push(Arg {
                        name: format!("{arg}{name}"),
                        description: description.clone(),
                        value: field.value.clone(),
                        location: location(source, &field.origin),
                    });
                }
            }
            Setting::Map(_) if key.kind() == Kind::EnvMap => args.push(Arg {
                name: format!("{arg}<NAME>"),
                description,
                value: String::new(),
                location: None,
            }),
            Setting::Unset
                if key.dotted() == spec::keys::BUILD_PACKAGES.dotted() && !found.is_empty() =>
            {
                args.push(Arg {
                    name: arg,
                    description,
                    value: found.join(","),
                    location: None,
                })
            }
            setting => {
                let (value, location) = shown(source, setting);
                args.push(Arg {
                    name: arg,
                    description,
                    value,
                    location,
                });
            }
        }
    }
    for other in OTHER_BUILD_ARGS
        .iter()
        .filter(|a| a.targets.contains(&target))
    {
        let value = build_args.get(other.name).cloned().or_else(|| {
            other
                .name
                .ends_with("_PROXY")
                .then(|| build_args.get(&other.name.to_ascii_lowercase()).cloned())
                .flatten()
        });
        let value = match value {
            Some(v) => v,
            None if other.always => String::new(),
            None => continue,
        };
        args.push(Arg {
            name: other.name.to_string(),
            description: other.description.to_string(),
            value,
            location: None,
        });
    }
    let (name, description) = match binary {
        Some((name, description)) => (name.to_string(), description),
        None => (target.name().to_string(), target.description().to_string()),
    };
    let o = Outline {
        name,
        description,
        args,
        sources: vec![base64(source.text.as_bytes())],
    };
    let mut text = columns(
        &[
            vec!["TARGET:".to_string(), o.name.clone()],
            vec!["DESCRIPTION:".to_string(), o.description.clone()],
        ],
        1,
    );
    text.push('\n');
    let mut rows = vec![vec![
        "BUILD ARG".to_string(),
        "VALUE".to_string(),
        "DESCRIPTION".to_string(),
    ]];
    for a in &o.args {
        rows.push(vec![a.name.clone(), a.value.clone(), a.description.clone()]);
    }
    text.push_str(&columns(&rows, 3));
    text.push('\n');
    Answer::new(names::OUTLINE, &o, text)
}

/// A value as the build arg would spell it, and where the spec sets it.
fn shown(source: &SourceMap, setting: Setting<'_>) -> (String, Option<Location>) {
    let (value, origin) = match setting {
        Setting::Unset => return (String::new(), None),
        Setting::Str(f) => (f.value.clone(), &f.origin),
        Setting::Bool(f) => (f.value.to_string(), &f.origin),
        Setting::Network(f) => (f.value.as_str().to_string(), &f.origin),
        Setting::Scope(f) => (f.value.as_str().to_string(), &f.origin),
        Setting::List(f) => {
            let value = if f.value.iter().any(|v| v.contains(',')) {
                serde_json::to_string(&f.value).unwrap_or_else(|_| f.value.join(","))
            } else {
                f.value.join(",")
            };
            (value, &f.origin)
        }
        Setting::Structured(v) => (v.to_json().to_string(), v.origin()),
        Setting::Map(m) => {
            let value = m
                .iter()
                .map(|(k, v)| format!("{k}={}", v.value))
                .collect::<Vec<_>>()
                .join(",");
            // The table's first entry stands for the table.
            let loc = m.values().find_map(|f| location(source, &f.origin));
            return (value, loc);
        }
    };
    (value, location(source, origin))
}

/// Where in the spec (source 0) a value was written; `None` for build args.
fn location(source: &SourceMap, origin: &Origin) -> Option<Location> {
    match origin {
        Origin::File(r) => Some(Location {
            source_index: 0,
            ranges: vec![range(
                source.line_col(r.start),
                source.line_col(r.end.max(r.start)),
            )],
        }),
        Origin::BuildArg(_) | Origin::Unknown => None,
    }
}

/// A span as BuildKit's `Range` (lines from 1, characters from 0).
fn range(start: spec::LineCol, end: spec::LineCol) -> Range {
    let pos = |lc: spec::LineCol| Position {
        line: lc.line as i32,
        character: lc.column as i32 - 1,
    };
    Range {
        start: pos(start),
        end: pos(end),
    }
}

/// Markdown from the schema, as plain text for a terminal.
fn plain(md: &str) -> String {
    md.replace('`', "")
}

// ---------------------------------------------------------------------------
// Gathering (the only async part).

/// Answers the subrequest `request` (the `requestid` option): outline and
/// targets from the spec alone (no image is resolved for them), check from
/// the whole [`Report`](crate::report::Report) or the failure's part of it.
pub async fn answer(
    host: &impl Host,
    options: &Options,
    request: &str,
) -> Result<Answer, SubrequestError> {
    match request {
        names::DESCRIBE => describe(),
        names::TARGETS => match driver::binary_targets(host, options).await {
            Ok((spec, binaries)) => targets(&spec.source, &binaries),
            // A project the build would refuse has only the built-in
            // targets to list; the build says what is wrong.
            Err(error) => {
                tracing::debug!(%error, "--call targets: no binary targets");
                let bytes = host.read_spec(options).await.map_err(FrontendError::Host)?;
                targets(&driver::source_map(&options.filename, bytes)?, &[])
            }
        },
        // The binaries from the project read with the spec: a binary's own
        // target has its package, and the main packages gofront finds are
        // build.packages' value. A project the build would refuse (or a
        // name no binary has) is outlined as asked, from the spec alone.
        names::OUTLINE => {
            let (spec, binaries) = match driver::binary_targets(host, options).await {
                Ok(found) => found,
                Err(error) => {
                    tracing::debug!(%error, "--call outline: no binary targets");
                    (driver::read_spec(host, options).await?, Vec::new())
                }
            };
            let binary = options.binary_target.as_deref().map(|name| {
                let description = binaries.iter().find(|(n, _)| n == name).map_or_else(
                    || UNKNOWN_BINARY_TARGET.to_string(),
                    |(_, package)| binary_description(package),
                );
                (name, description)
            });
            let found: Vec<String> = match spec.spec.build.packages {
                Some(_) => Vec::new(),
                None => binaries.into_iter().map(|(_, package)| package).collect(),
            };
            outline(options.target, binary, &spec, &options.build_args, &found)
        }
        names::LINT => match driver::generate(host, options).await {
            Ok(report) => lint(
                &report.spec.source,
                report.project.dockerignore.as_deref(),
                &report.warnings,
                None,
            ),
            Err(failure) => match &failure.source {
                Some(source) => lint(
                    source,
                    failure
                        .project
                        .as_ref()
                        .and_then(|p| p.dockerignore.as_deref()),
                    &failure.warnings,
                    Some(&failure.error),
                ),
                // Not even the spec could be read: nothing to check.
                None => Err(failure.error.into()),
            },
        },
        other => Err(SubrequestError::Unsupported(other.to_string())),
    }
}

#[cfg(test)]
mod tests;
