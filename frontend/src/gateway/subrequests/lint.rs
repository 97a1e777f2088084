//! `frontend.lint` (`docker buildx build --call check`): gofront's rules
//! over the spec, the project files and the build args, and what stops the
//! build, as BuildKit's `LintResults`.

use super::shapes::{
    BuildError, LintResults, Location, Position, Range, SourceInfo, Warning, base64,
};
use super::{Answer, SubrequestError, meta, names, range};
use crate::driver::FrontendError;
use crate::report::{self, SourceMap};

/// `frontend.lint`: the report's warnings, and what stops the build.
pub fn lint(
    source: &SourceMap,
    dockerignore: Option<&str>,
    found: &[report::Warning],
    error: Option<&FrontendError>,
) -> Result<Answer, SubrequestError> {
    let mut sources = vec![SourceInfo {
        filename: source.file.clone(),
        data: base64(source.text.as_bytes()),
        language: source.language.as_str().to_string(),
    }];
    let mut texts = vec![(source.file.clone(), source.text.clone())];
    let mut warnings = Vec::new();
    for w in found {
        let location = match &w.location {
            None => Location {
                source_index: -1,
                ranges: Vec::new(),
            },
            Some(at) => {
                let index = match texts.iter().position(|(name, _)| *name == at.file) {
                    Some(i) => i,
                    None => {
                        // Only .dockerignore is located outside the spec.
                        let text = dockerignore.unwrap_or_default();
                        sources.push(SourceInfo {
                            filename: at.file.clone(),
                            data: base64(text.as_bytes()),
                            language: String::new(),
                        });
                        texts.push((at.file.clone(), text.to_string()));
                        texts.len() - 1
                    }
                };
                Location {
                    source_index: index as i32,
                    ranges: vec![range(at.start, at.end)],
                }
            }
        };
        warnings.push(Warning {
            rule_name: w.rule.name(),
            description: w.rule.description(),
            detail: w.detail.clone(),
            location,
        });
    }

    // The line at fault, in the spec or in the project file it names.
    let build_error = error.map(|e| {
        let location = match e.source_location() {
            Some(at) => {
                let source_index = if at.file == source.file {
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

#[cfg(test)]
mod tests {
    use super::{Position, Range, snippet};

    /// The snippet of `text` for a range over the lines `first..=last`.
    fn lines(text: &str, first: i32, last: i32) -> String {
        let at = |line| Position { line, character: 0 };
        snippet(
            "gofront.toml",
            text,
            &[Range {
                start: at(first),
                end: at(last),
            }],
        )
    }

    #[test]
    fn a_snippet_shows_the_first_and_the_last_line_with_their_context() {
        let text = "one\ntwo\nthree\nfour\nfive\nsix";
        let bar = "--------------------";
        assert_eq!(
            lines(text, 1, 1),
            format!(
                "gofront.toml:1\n{bar}\n   1 | >>> one\n   2 |     two\n   3 |     three\n{bar}\n"
            )
        );
        assert_eq!(
            lines(text, 6, 6),
            format!(
                "gofront.toml:6\n{bar}\n   4 |     four\n   5 |     five\n   6 | >>> six\n{bar}\n"
            )
        );
        // Lines are counted from 1; a range outside the text shows nothing.
        assert_eq!(lines(text, 0, 1), "");
        assert_eq!(lines(text, 7, 7), "");
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
