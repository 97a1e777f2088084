//! Version stamping: GoReleaser-style templates in `build.ldflags`
//! (`-X main.version={{.Version}}`), resolved here into plain flags, so
//! `lower` and `llb` never see a template.

use std::collections::BTreeMap;

/// What the templates can name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    /// `GOFRONT_VERSION`, else `0.0.0-dev+<ShortCommit>`, else `dev`.
    pub version: String,
    /// buildx's `vcs:revision` (empty when not in a git checkout).
    pub commit: String,
    /// The commit's first 7 characters.
    pub short_commit: String,
    /// RFC 3339: SOURCE_DATE_EPOCH, else the build's start.
    pub date: String,
}

impl Stamp {
    /// The values for a build.
    pub fn new(version: Option<&str>, commit: Option<&str>, date: String) -> Stamp {
        let commit = commit.unwrap_or_default().to_string();
        let short_commit: String = commit.chars().take(7).collect();
        let version = match version.filter(|v| !v.is_empty()) {
            Some(v) => v.to_string(),
            None if !short_commit.is_empty() => format!("0.0.0-dev+{short_commit}"),
            None => "dev".to_string(),
        };
        Stamp {
            version,
            commit,
            short_commit,
            date,
        }
    }
}

/// The keys a template may use, for messages.
pub const KEYS: &str = "{{.Version}}, {{.Commit}}, {{.ShortCommit}}, {{.Date}}, {{.Env.NAME}}";

/// Expands every `{{.Key}}` in `text`; `env` holds the build args
/// `{{.Env.NAME}}` reads. The error is a sentence about the first bad one.
pub fn expand(text: &str, stamp: &Stamp, env: &BTreeMap<String, String>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let close = after.find("}}").ok_or_else(|| {
            format!("a template opened with {{{{ is never closed; templates are {KEYS}")
        })?;
        let key = after[..close].trim();
        let value = match key {
            ".Version" => stamp.version.clone(),
            ".Commit" => stamp.commit.clone(),
            ".ShortCommit" => stamp.short_commit.clone(),
            ".Date" => stamp.date.clone(),
            k => match k.strip_prefix(".Env.") {
                Some(name) if !name.is_empty() => {
                    let v = env.get(name).cloned().ok_or_else(|| {
                        format!("{{{{{key}}}}} names build arg {name}, which is not set; pass --build-arg {name}=...")
                    })?;
                    // Blanks split flags, as the user may mean; a line
                    // break or another control character is no flag text.
                    if v.contains(|c: char| c.is_control() && c != '\t') {
                        return Err(format!(
                            "{{{{{key}}}}} is build arg {name}, {v:?}, which holds a control character; -ldflags takes printable text"
                        ));
                    }
                    v
                }
                _ => {
                    return Err(format!(
                        "unknown template {{{{{key}}}}}; templates are {KEYS}"
                    ));
                }
            },
        };
        out.push_str(&value);
        rest = &after[close + 2..];
        if out.len() > MAX_EXPANDED {
            break;
        }
    }
    out.push_str(rest);
    // One program argument of Linux holds at most 128 KiB: refused here,
    // not by the kernel inside the build.
    if out.len() > MAX_EXPANDED {
        return Err(format!(
            "the templates expand to more than {MAX_EXPANDED} bytes; -ldflags takes at most that"
        ));
    }
    Ok(out)
}

/// The longest `-ldflags` value after expansion, in bytes (the spec's
/// longest string).
pub const MAX_EXPANDED: usize = 32 * 1024;

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp() -> Stamp {
        Stamp::new(
            Some("1.2.3"),
            Some("0123456789abcdef"),
            "2023-11-14T22:13:20Z".into(),
        )
    }

    #[test]
    fn versions_fall_back_to_the_commit_then_dev() {
        assert_eq!(stamp().version, "1.2.3");
        assert_eq!(stamp().short_commit, "0123456");
        let s = Stamp::new(None, Some("0123456789abcdef"), String::new());
        assert_eq!(s.version, "0.0.0-dev+0123456");
        assert_eq!(Stamp::new(Some(""), None, String::new()).version, "dev");
    }

    #[test]
    fn expands_goreleaser_style_templates() {
        let env = BTreeMap::from([("BUILT_BY".to_string(), "ci".to_string())]);
        assert_eq!(
            expand(
                "-X main.version={{.Version}} -X main.commit={{ .Commit }} -X main.short={{.ShortCommit}} -X main.date={{.Date}} -X main.builtBy={{.Env.BUILT_BY}}",
                &stamp(),
                &env
            )
            .unwrap(),
            "-X main.version=1.2.3 -X main.commit=0123456789abcdef -X main.short=0123456 -X main.date=2023-11-14T22:13:20Z -X main.builtBy=ci"
        );
        assert_eq!(expand("-X a=b", &stamp(), &env).unwrap(), "-X a=b");
    }

    #[test]
    fn bad_templates_are_named() {
        let env = BTreeMap::new();
        assert_eq!(
            expand("-X main.v={{.Tag}}", &stamp(), &env).unwrap_err(),
            "unknown template {{.Tag}}; templates are {{.Version}}, {{.Commit}}, {{.ShortCommit}}, {{.Date}}, {{.Env.NAME}}"
        );
        assert_eq!(
            expand("-X main.v={{.Env.NOPE}}", &stamp(), &env).unwrap_err(),
            "{{.Env.NOPE}} names build arg NOPE, which is not set; pass --build-arg NOPE=..."
        );
        assert!(
            expand("-X main.v={{.Version", &stamp(), &env)
                .unwrap_err()
                .starts_with("a template opened with {{ is never closed")
        );
    }

    #[test]
    fn build_arg_values_stay_printable_and_bounded() {
        let env: BTreeMap<String, String> = [
            ("FLAGS".to_string(), "-s -w\t-X a=b".to_string()),
            ("NL".to_string(), "a\nb".to_string()),
            ("BIG".to_string(), "x".repeat(MAX_EXPANDED)),
        ]
        .into();
        // Blanks split flags, as a user may mean them to.
        assert_eq!(
            expand("{{.Env.FLAGS}}", &stamp(), &env).unwrap(),
            "-s -w\t-X a=b"
        );
        assert_eq!(
            expand("-X m.v={{.Env.NL}}", &stamp(), &env).unwrap_err(),
            "{{.Env.NL}} is build arg NL, \"a\\nb\", which holds a control character; -ldflags takes printable text"
        );
        assert!(expand("{{.Env.BIG}}", &stamp(), &env).is_ok());
        assert_eq!(
            expand("-X a={{.Env.BIG}}", &stamp(), &env).unwrap_err(),
            "the templates expand to more than 32768 bytes; -ldflags takes at most that"
        );
    }

    #[test]
    fn templates_after_exactly_the_longest_text_still_expand() {
        let env: BTreeMap<String, String> = [
            ("BIG".to_string(), "x".repeat(MAX_EXPANDED)),
            ("NONE".to_string(), String::new()),
        ]
        .into();
        // At the limit, the templates behind are still read: an empty one
        // adds nothing, an unknown one is named.
        assert_eq!(
            expand("{{.Env.BIG}}{{.Env.NONE}}", &stamp(), &env).map(|s| s.len()),
            Ok(MAX_EXPANDED)
        );
        assert_eq!(
            expand("{{.Env.BIG}}{{.Tag}}", &stamp(), &env).unwrap_err(),
            "unknown template {{.Tag}}; templates are {{.Version}}, {{.Commit}}, {{.ShortCommit}}, {{.Date}}, {{.Env.NAME}}"
        );
        // Past it, the length is the answer, not a template further on.
        assert_eq!(
            expand("-{{.Env.BIG}}{{.Tag}}", &stamp(), &env).unwrap_err(),
            "the templates expand to more than 32768 bytes; -ldflags takes at most that"
        );
    }
}
