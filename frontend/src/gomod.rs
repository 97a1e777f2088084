//! Just enough of `go.mod` and `go.work` to plan a build: the module path,
//! the `go` and `toolchain` lines, local `replace` targets and `use`
//! directories.
//!
//! Invariant: pure text in, data out; never panics on any input.

use thiserror::Error;

/// What gofront needs from a `go.mod` or `go.work` file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoFile {
    /// `module` path (go.mod only).
    pub module: Option<String>,
    /// `go` directive, e.g. `1.24` or `1.24.3`.
    pub go: Option<GoVersion>,
    /// `toolchain` directive without the `go` prefix, e.g. `1.24.4`.
    pub toolchain: Option<GoVersion>,
    /// `use` directories (go.work only), as written.
    pub uses: Vec<String>,
    /// Local directories that `replace` directives point at, as written.
    pub local_replaces: Vec<String>,
    /// How many `require` entries there are.
    pub requires: usize,
    /// Line of each `use` and local `replace` target, by its text.
    lines: Vec<(String, usize)>,
}

impl GoFile {
    /// The line a local `replace` target was written on (0 if unknown).
    pub fn replace_line(&self, target: &str) -> usize {
        self.line_of(target)
    }

    /// The line a `use` directory was written on (0 if unknown).
    pub fn use_line(&self, dir: &str) -> usize {
        self.line_of(dir)
    }

    fn line_of(&self, text: &str) -> usize {
        self.lines
            .iter()
            .find(|(t, _)| t == text)
            .map_or(0, |(_, l)| *l)
    }
}

/// A Go version `major.minor[.patch]` (pre-releases keep their suffix apart).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct GoVersion {
    /// Major, minor and optional patch.
    pub parts: (u32, u32, Option<u32>),
    /// A pre-release suffix such as `rc1`, kept for display.
    pub pre: String,
}

impl GoVersion {
    /// Parses `1.24`, `1.24.3`, `1.25rc1`, with or without a `go` prefix.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.strip_prefix("go").unwrap_or(s);
        let split = s
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(s.len());
        let (nums, pre) = s.split_at(split);
        let mut it = nums.split('.');
        let major = it.next()?.parse().ok()?;
        let minor = it.next()?.parse().ok()?;
        let patch = match it.next() {
            Some(p) => Some(p.parse().ok()?),
            None => None,
        };
        if it.next().is_some() || !pre.chars().all(|c| c.is_ascii_alphanumeric()) {
            return None;
        }
        Some(GoVersion {
            parts: (major, minor, patch),
            pre: pre.to_string(),
        })
    }

    /// `major.minor`, the tag of a Go release line (`golang:1.24`).
    pub fn minor_line(&self) -> String {
        format!("{}.{}", self.parts.0, self.parts.1)
    }

    /// Whether a toolchain of version `self` can build code that asks for `wanted`.
    pub fn satisfies(&self, wanted: &GoVersion) -> bool {
        let have = (self.parts.0, self.parts.1, self.parts.2.unwrap_or(0));
        let want = (wanted.parts.0, wanted.parts.1, wanted.parts.2.unwrap_or(0));
        have >= want
    }
}

impl std::fmt::Display for GoVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (major, minor, patch) = self.parts;
        write!(f, "{major}.{minor}")?;
        if let Some(p) = patch {
            write!(f, ".{p}")?;
        }
        f.write_str(&self.pre)
    }
}

/// A line of a go.mod or go.work file that could not be understood.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
#[error("line {line}: {message}")]
pub struct GoFileError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Parses a `go.mod` or `go.work` file.
pub fn parse(text: &str) -> Result<GoFile, GoFileError> {
    let mut out = GoFile::default();
    let mut block: Option<String> = None;
    for (idx, raw) in text.lines().enumerate() {
        let line_no = idx + 1;
        let err = |message: String| GoFileError {
            line: line_no,
            message,
        };
        let line = strip_comment(raw).trim();
        if line.is_empty() {
            continue;
        }
        if let Some(verb) = &block {
            if line == ")" {
                block = None;
                continue;
            }
            let words = tokenize(line).map_err(err)?;
            apply(&mut out, verb, &words, line_no).map_err(err)?;
            continue;
        }
        let words = tokenize(line).map_err(err)?;
        let Some((verb, rest)) = words.split_first() else {
            continue;
        };
        if rest.len() == 1 && rest[0] == "(" {
            block = Some(verb.clone());
            continue;
        }
        apply(&mut out, verb, rest, line_no).map_err(err)?;
    }
    if block.is_some() {
        return Err(GoFileError {
            line: text.lines().count(),
            message: "a '(' block is never closed".to_string(),
        });
    }
    Ok(out)
}

fn apply(out: &mut GoFile, verb: &str, args: &[String], line: usize) -> Result<(), String> {
    match verb {
        "module" => {
            let [path] = args else {
                return Err("module takes exactly one path".to_string());
            };
            out.module = Some(path.clone());
        }
        "go" => {
            let [v] = args else {
                return Err("go takes exactly one version".to_string());
            };
            out.go = Some(GoVersion::parse(v).ok_or_else(|| format!("invalid go version {v:?}"))?);
        }
        "toolchain" => {
            let [v] = args else {
                return Err("toolchain takes exactly one name".to_string());
            };
            // "default" and "local" name no version; ignore them.
            if v != "default" && v != "local" {
                out.toolchain =
                    Some(GoVersion::parse(v).ok_or_else(|| format!("invalid toolchain {v:?}"))?);
            }
        }
        "use" => {
            let [dir] = args else {
                return Err("use takes exactly one directory".to_string());
            };
            out.uses.push(dir.clone());
            out.lines.push((dir.clone(), line));
        }
        "replace" => {
            let arrow = args
                .iter()
                .position(|a| a == "=>")
                .ok_or_else(|| "replace needs '=>'".to_string())?;
            let target = args
                .get(arrow + 1)
                .ok_or_else(|| "replace needs a target after '=>'".to_string())?;
            // A local target is a path: it starts with ./ or ../ or / (Go's rule).
            if target.starts_with("./") || target.starts_with("../") || target.starts_with('/') {
                out.local_replaces.push(target.clone());
                out.lines.push((target.clone(), line));
            }
        }
        "require" => out.requires += 1,
        // exclude, retract, godebug, ignore, tool: nothing to plan.
        _ => {}
    }
    Ok(())
}

fn strip_comment(line: &str) -> &str {
    // `//` starts a comment unless inside a quoted string.
    let mut in_quote = None;
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match (in_quote, b) {
            (None, b'"') | (None, b'`') => in_quote = Some(b),
            (Some(q), c) if c == q => in_quote = None,
            (None, b'/') if bytes.get(i + 1) == Some(&b'/') => return &line[..i],
            _ => {}
        }
    }
    line
}

fn tokenize(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut chars = line.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '"' || c == '`' {
            chars.next();
            let mut word = String::new();
            loop {
                match chars.next() {
                    Some(d) if d == c => break,
                    Some('\\') if c == '"' => {
                        if let Some(e) = chars.next() {
                            word.push(e);
                        }
                    }
                    Some(d) => word.push(d),
                    None => return Err("unterminated quoted string".to_string()),
                }
            }
            words.push(word);
        } else {
            let mut word = String::new();
            while let Some(&d) = chars.peek() {
                if d.is_whitespace() {
                    break;
                }
                word.push(d);
                chars.next();
            }
            words.push(word);
        }
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_realistic_go_mod() {
        let f = parse(
            "// comment\nmodule example.com/app // trailing\n\ngo 1.24.3\ntoolchain go1.24.4\n\
             require (\n\tgofront.test/greet v1.0.0\n)\nreplace example.com/lib => ../lib\n\
             replace (\n  example.com/x v1.0.0 => example.com/y v1.1.0\n  example.com/z => ./z\n)\n",
        )
        .unwrap();
        assert_eq!(f.module.as_deref(), Some("example.com/app"));
        assert_eq!(f.go.unwrap().to_string(), "1.24.3");
        assert_eq!(f.toolchain.unwrap().to_string(), "1.24.4");
        assert_eq!(f.local_replaces, vec!["../lib", "./z"]);
    }

    #[test]
    fn parses_go_work_uses() {
        let f = parse("go 1.24\n\nuse (\n\t./app\n\t\"./lib\"\n)\nuse ./tools\n").unwrap();
        assert_eq!(f.uses, vec!["./app", "./lib", "./tools"]);
        assert_eq!(f.go.unwrap().minor_line(), "1.24");
    }

    #[test]
    fn reports_the_bad_line() {
        assert_eq!(
            parse("module a\ngo one.two\n").unwrap_err(),
            GoFileError {
                line: 2,
                message: "invalid go version \"one.two\"".to_string()
            }
        );
        assert_eq!(parse("require (\n").unwrap_err().line, 1);
        assert!(parse("module \"unterminated\n").is_err());
    }

    #[test]
    fn versions_compare_like_go() {
        let v = |s| GoVersion::parse(s).unwrap();
        assert!(v("1.24.4").satisfies(&v("1.24")));
        assert!(v("1.24.4").satisfies(&v("1.24.4")));
        assert!(!v("1.24.4").satisfies(&v("1.24.5")));
        assert!(!v("1.24.4").satisfies(&v("1.25")));
        assert!(v("go1.25rc1").pre == "rc1");
        assert!(GoVersion::parse("1").is_none());
    }
}
