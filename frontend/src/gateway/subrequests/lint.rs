//! `frontend.lint` (`docker buildx build --call check`): gofront's rules
//! over the spec, the project files and the build args, and what stops the
//! build, as BuildKit's `LintResults`.

use std::collections::BTreeMap;

use super::shapes::{
    BuildError, LintResults, Location, Position, Range, SourceInfo, Warning, base64,
};
use super::{Answer, SubrequestError, location, meta, names, shown};
use crate::driver::FrontendError;
use crate::spec::{KEYS, Origin, Setting, Spec};

/// What `--call check` looks at.
#[derive(Debug)]
pub struct LintInputs<'a> {
    /// The spec's file name.
    pub spec_file: &'a str,
    /// The spec's text.
    pub spec_text: &'a str,
    /// The parsed spec, when it parses.
    pub spec: Option<&'a Spec>,
    /// `.dockerignore`, if there is one.
    pub dockerignore: Option<&'a str>,
    /// Whether the project is vendored (`vendor/modules.txt`).
    pub vendored: bool,
    /// Whether the project is a workspace (`go.work`).
    pub workspace: bool,
    /// Whether the plan has a `go mod download` step (`None`: no plan).
    pub downloads: Option<bool>,
    /// Every build arg passed.
    pub build_args: &'a BTreeMap<String, String>,
    /// What stopped the build, if anything.
    pub error: Option<&'a FrontendError>,
}

/// The rules, as (name, description).
mod rules {
    pub const DOWNLOAD_KEY: (&str, &str) = (
        "DownloadKeyWithoutDownload",
        "A [download] key has no effect when there is no go mod download step",
    );
    pub const CGO_ON_SCRATCH: (&str, &str) = (
        "CgoOnScratch",
        "A cgo binary needs a C library that a scratch image does not have",
    );
    pub const DOCKERIGNORE: (&str, &str) = (
        "DockerignoreExcludesModuleFiles",
        ".dockerignore must not exclude the files Go needs to resolve modules",
    );
    pub const CREDENTIALS: (&str, &str) = (
        "CredentialsInDownloadEnv",
        "download.env values are written into the build definition, its cache and its provenance",
    );
    pub const UNKNOWN_ARG: (&str, &str) =
        ("UnknownBuildArg", "A build arg that gofront does not read");
}

/// `frontend.lint`: the rules' warnings, and what stops the build.
pub fn lint(inp: &LintInputs<'_>) -> Result<Answer, SubrequestError> {
    let mut sources = vec![SourceInfo {
        filename: inp.spec_file.to_string(),
        data: base64(inp.spec_text.as_bytes()),
        language: "toml".to_string(),
    }];
    let mut texts = vec![(inp.spec_file.to_string(), inp.spec_text.to_string())];
    let mut warnings = Vec::new();
    let warn = |rule: (&'static str, &'static str), detail: String, location: Location| Warning {
        rule_name: rule.0,
        description: rule.1,
        detail,
        location,
    };
    let nowhere = Location {
        source_index: -1,
        ranges: Vec::new(),
    };
    let at = |origin: &Origin| location(inp.spec_text, origin).unwrap_or_else(|| nowhere.clone());

    if let Some(spec) = inp.spec {
        // [download] keys without a download step.
        if inp.downloads == Some(false) {
            let why = if inp.vendored {
                "the project is vendored (vendor/modules.txt), so gofront runs no go mod download step"
            } else {
                "go.mod requires no modules, so gofront runs no go mod download step"
            };
            for key in KEYS
                .iter()
                .filter(|k| k.section == crate::spec::keys::section::DOWNLOAD)
            {
                let setting = key.setting(spec);
                if matches!(setting, Setting::Unset)
                    || matches!(setting, Setting::Map(m) if m.is_empty())
                {
                    continue;
                }
                let (_, loc) = shown(inp.spec_text, setting);
                warnings.push(warn(
                    rules::DOWNLOAD_KEY,
                    format!("{} has no effect: {why}", key.dotted()),
                    loc.unwrap_or_else(|| nowhere.clone()),
                ));
            }
        }
        // cgo on scratch.
        if let (Some(cgo), Some(base)) = (&spec.build.cgo, &spec.runtime.base)
            && cgo.value
            && base.value == "scratch"
        {
            warnings.push(warn(
                rules::CGO_ON_SCRATCH,
                format!("build.cgo = true links the binaries against the C library, which runtime.base = \"scratch\" does not have; use a base with libc (the default for cgo is {})", crate::spec::defaults::CGO_BASE),
                at(&base.origin),
            ));
        }
        // Credentials in download.env.
        for (name, field) in &spec.download.env {
            if let Some(detail) = crate::spec::credential_in_env(name, &field.value) {
                warnings.push(warn(rules::CREDENTIALS, detail, at(&field.origin)));
            }
        }
    }

    // .dockerignore excluding what Go needs.
    if let Some(ignore) = inp.dockerignore {
        let mut needed = vec![("go.mod", "go.mod"), ("go.sum", "go.sum")];
        if inp.workspace {
            needed.extend([("go.work", "go.work"), ("go.work.sum", "go.work.sum")]);
        }
        if inp.vendored {
            // The list and the vendored sources (any file stands for them).
            needed.extend([
                ("vendor/modules.txt", "vendor/"),
                ("vendor/example.com/module/module.go", "vendor/"),
            ]);
        }
        let mut found: Vec<(&str, usize)> = Vec::new();
        for (path, what) in needed {
            if let Some(line) = excluded_by(ignore, path)
                && !found.iter().any(|(w, _)| *w == what)
            {
                found.push((what, line));
            }
        }
        if !found.is_empty() {
            sources.push(SourceInfo {
                filename: ".dockerignore".to_string(),
                data: base64(ignore.as_bytes()),
                language: String::new(),
            });
            texts.push((".dockerignore".to_string(), ignore.to_string()));
            let index = sources.len() as i32 - 1;
            for (what, line) in found {
                warnings.push(warn(
                    rules::DOCKERIGNORE,
                    format!(
                        ".dockerignore excludes {what}, which the go steps need; remove the pattern on line {line} or add !{what}"
                    ),
                    Location {
                        source_index: index,
                        ranges: vec![Range {
                            start: Position {
                                line: line as i32,
                                character: 0,
                            },
                            end: Position {
                                line: line as i32,
                                character: 0,
                            },
                        }],
                    },
                ));
            }
        }
    }

    // Build args nobody reads.
    for message in crate::options::unused_build_args(inp.build_args) {
        warnings.push(warn(rules::UNKNOWN_ARG, message, nowhere.clone()));
    }

    // The line at fault, in the spec or in the project file it names.
    let build_error = inp.error.map(|e| {
        let location = match e.source_location() {
            Some(at) => {
                let source_index = if at.file == inp.spec_file {
                    0
                } else {
                    sources.push(SourceInfo {
                        filename: at.file.clone(),
                        data: base64(&at.data),
                        language: at.language.clone(),
                    });
                    sources.len() as i32 - 1
                };
                let line = |l: u32| Position {
                    line: l as i32,
                    character: 0,
                };
                Location {
                    source_index,
                    ranges: vec![Range {
                        start: line(at.range.start),
                        end: line(at.range.end),
                    }],
                }
            }
            None => Location {
                source_index: 0,
                ranges: Vec::new(),
            },
        };
        BuildError {
            message: e.to_string(),
            location,
        }
    });
    let failed = !warnings.is_empty() || build_error.is_some();
    let text = lint_text(&warnings, &texts);
    let results = LintResults {
        warnings,
        sources,
        build_error,
    };
    let mut answer = Answer::new(names::LINT, &results, text)?;
    answer.metadata.insert(
        meta::STATUS.to_string(),
        if failed { "1" } else { "0" }.as_bytes().to_vec(),
    );
    Ok(answer)
}

/// As BuildKit's `LintResults.PrintTo` prints them.
fn lint_text(warnings: &[Warning], texts: &[(String, String)]) -> String {
    let mut out = String::new();
    for w in warnings {
        out.push_str(&format!("\nWARNING: {}\n{}\n", w.rule_name, w.detail));
        let file = usize::try_from(w.location.source_index)
            .ok()
            .and_then(|i| texts.get(i));
        if let Some((name, text)) = file {
            out.push_str(&snippet(name, text, &w.location.ranges));
        }
    }
    out
}

/// The lines of `text` around `ranges`, as BuildKit's `errdefs.Source.Print`
/// shows them.
fn snippet(name: &str, text: &str, ranges: &[Range]) -> String {
    let lines: Vec<&str> = text.split('\n').collect();
    let (Some(first), Some(last)) = (
        ranges.iter().map(|r| r.start.line).min(),
        ranges.iter().map(|r| r.end.line.max(r.start.line)).max(),
    ) else {
        return String::new();
    };
    let (first, last) = (first.max(0) as usize, last.max(0) as usize);
    if first < 1 || first > lines.len() {
        return String::new();
    }
    let mut end = last.min(lines.len());
    let mut start = first;
    let pad = if end == start { 4 } else { 2 };
    let mut p = 0;
    while p < pad {
        if start > 1 {
            start -= 1;
            p += 1;
        }
        if end != lines.len() {
            end += 1;
            p += 1;
        }
        p += 1;
    }
    let mut out = format!("{name}:{first}\n--------------------\n");
    for i in start..=end {
        let marked = ranges
            .iter()
            .any(|r| r.start.line as usize <= i && r.end.line.max(r.start.line) as usize >= i);
        let pfx = if marked { ">>>" } else { "   " };
        let line = lines.get(i - 1).copied().unwrap_or("");
        out.push_str(&format!(" {i:>3} | {pfx} {line}\n"));
    }
    out.push_str("--------------------\n");
    out
}

/// The 1-based line of the `.dockerignore` pattern that leaves `path` out
/// of the context, if the patterns leave it out, as BuildKit decides it.
fn excluded_by(ignore: &str, path: &str) -> Option<usize> {
    crate::dockerignore::Matcher::new(&crate::dockerignore::read(ignore))
        .ok()?
        .excluded_by(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerignore_decisions_follow_the_last_matching_pattern() {
        assert_eq!(excluded_by("*\n", "go.mod"), Some(1));
        assert_eq!(excluded_by("*\n!go.mod\n", "go.mod"), None);
        assert_eq!(excluded_by("*.sum\n", "go.sum"), Some(1));
        assert_eq!(excluded_by("vendor\n", "vendor/modules.txt"), Some(1));
        assert_eq!(excluded_by("/vendor/\n", "vendor/modules.txt"), Some(1));
        assert_eq!(excluded_by("**/*.txt\n", "vendor/modules.txt"), Some(1));
        assert_eq!(excluded_by("secret.txt\n.git\n", "go.mod"), None);
        assert_eq!(excluded_by("go.mod.bak\n", "go.mod"), None);
    }

    #[test]
    fn credentials_are_recognised() {
        use crate::spec::credential_in_env as c;
        assert!(c("GOPROXY", "https://bob:pw@proxy.example,direct").is_some());
        assert!(c("GOPROXY", "off|https://tok@proxy.example/x").is_some());
        assert!(c("GOPROXY", "https://proxy.example/@v/list,direct").is_none());
        assert!(c("GITHUB_TOKEN", "x").is_some());
        assert!(c("GOPRIVATE", "example.com/*").is_none());
    }
}
