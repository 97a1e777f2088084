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
    /// Line of each local `replace` target, by its text.
    lines: Vec<(String, usize)>,
    /// Line of each `use`, in the order of `uses` (a directory may be
    /// written twice).
    use_lines: Vec<usize>,
}

impl GoFile {
    /// The line a local `replace` target was written on (0 if unknown).
    pub fn replace_line(&self, target: &str) -> usize {
        self.line_of(target)
    }

    /// Each `use` directory as written, with its line.
    pub fn uses_with_lines(&self) -> impl Iterator<Item = (&String, usize)> {
        self.uses.iter().zip(self.use_lines.iter().copied())
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

/// Which of the two files a text is: they share a syntax, not their
/// directives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// `go.mod`.
    Mod,
    /// `go.work`.
    Work,
}

impl FileKind {
    fn directives(self) -> &'static [&'static str] {
        match self {
            // Every directive Go's modfile accepts in a main module's go.mod.
            FileKind::Mod => &[
                "module",
                "go",
                "toolchain",
                "godebug",
                "require",
                "exclude",
                "replace",
                "retract",
                "tool",
                "ignore",
            ],
            FileKind::Work => &["go", "toolchain", "godebug", "use", "replace"],
        }
    }

    fn blocks(self) -> &'static [&'static str] {
        match self {
            FileKind::Mod => &[
                "module", "godebug", "require", "exclude", "replace", "retract", "tool", "ignore",
            ],
            FileKind::Work => &["godebug", "use", "replace"],
        }
    }
}

/// Parses a `go.mod` (or, with [`FileKind::Work`], a `go.work`) file with
/// Go's rules for a main module: an unknown directive or a malformed line
/// is an error naming the line, worded as Go words it.
pub fn parse_kind(kind: FileKind, text: &str) -> Result<GoFile, GoFileError> {
    let mut out = GoFile::default();
    let mut block: Option<(String, usize)> = None;
    let mut seen = Seen::default();
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
        if let Some((verb, _)) = &block {
            if line == ")" {
                block = None;
                continue;
            }
            let words = tokenize(line).map_err(err)?;
            apply(kind, &mut out, &mut seen, verb, &words, line_no).map_err(err)?;
            continue;
        }
        let words = tokenize(line).map_err(err)?;
        let Some((verb, rest)) = words.split_first() else {
            continue;
        };
        if words.last().is_some_and(|w| w == "(") {
            let head = words.get(..words.len() - 1).unwrap_or(&[]);
            match head {
                [verb] if kind.blocks().contains(&verb.as_str()) => {
                    block = Some((verb.clone(), line_no));
                    continue;
                }
                [verb] if !kind.directives().contains(&verb.as_str()) => {
                    return Err(err(format!("unknown directive: {verb}")));
                }
                _ => {
                    return Err(err(format!("unknown block type: {}", head.join(" "))));
                }
            }
        }
        apply(kind, &mut out, &mut seen, verb, rest, line_no).map_err(err)?;
    }
    if let Some((verb, line)) = block {
        return Err(GoFileError {
            line,
            message: format!("the {verb} ( block is never closed with )"),
        });
    }
    if kind == FileKind::Work && out.uses.is_empty() {
        // Go: "no modules were found in the current workspace".
        return Err(GoFileError {
            line: 1,
            message: "the workspace uses no module, and Go builds nothing in it (no modules were found in the current workspace); add a `use ./dir` line for each module, or remove go.work to build the go.mod".to_string(),
        });
    }
    Ok(out)
}

/// Parses a `go.mod` file; see [`parse_kind`].
#[cfg(test)]
pub fn parse(text: &str) -> Result<GoFile, GoFileError> {
    parse_kind(FileKind::Mod, text)
}

/// Directives that may appear once.
#[derive(Default)]
struct Seen {
    module: bool,
    go: bool,
    toolchain: bool,
}

fn apply(
    kind: FileKind,
    out: &mut GoFile,
    seen: &mut Seen,
    verb: &str,
    args: &[String],
    line: usize,
) -> Result<(), String> {
    if !kind.directives().contains(&verb) {
        return Err(format!("unknown directive: {verb}"));
    }
    match verb {
        "module" => {
            if std::mem::replace(&mut seen.module, true) {
                return Err("repeated module statement".to_string());
            }
            let [path] = args else {
                return Err("usage: module module/path".to_string());
            };
            out.module = Some(unquote(path)?);
        }
        "go" => {
            if std::mem::replace(&mut seen.go, true) {
                return Err("repeated go statement".to_string());
            }
            let [v] = args else {
                return Err("go directive expects exactly one argument".to_string());
            };
            let version = is_go_version(v)
                .then(|| GoVersion::parse(v))
                .flatten()
                .ok_or_else(|| format!("invalid go version '{v}': must match format 1.23.0"))?;
            out.go = Some(version);
        }
        "toolchain" => {
            if std::mem::replace(&mut seen.toolchain, true) {
                return Err("repeated toolchain statement".to_string());
            }
            let [v] = args else {
                return Err("toolchain directive expects exactly one argument".to_string());
            };
            // Go's rule: `default`, or a name starting with `go1` (a
            // custom suffix such as `go1.24.0-vendor` included).
            if !(v == "default" || v == "go1" || v.starts_with("go1.")) {
                return Err(format!(
                    "invalid toolchain version '{v}': must match format go1.23.0 or default"
                ));
            }
            out.toolchain = toolchain_version(v);
        }
        "godebug" => match args {
            [kv] if !kv.contains(['"', '`', '\'', ',']) && kv.contains('=') => {}
            _ => return Err("usage: godebug key=value".to_string()),
        },
        "require" | "exclude" => {
            if args.len() != 2 {
                return Err(format!("usage: {verb} module/path v1.2.3"));
            }
            if verb == "require" {
                out.requires += 1;
            }
        }
        "use" => {
            let [dir] = args else {
                return Err("usage: use local/dir".to_string());
            };
            let dir = unquote(dir)?;
            out.use_lines.push(line);
            out.uses.push(dir);
        }
        "replace" => {
            let arrow = if args.get(1).is_some_and(|a| a == "=>") {
                1
            } else {
                2
            };
            if args.len() < arrow + 2 || args.len() > arrow + 3 || args[arrow] != "=>" {
                return Err(format!(
                    "usage: {verb} module/path [v1.2.3] => other/module v1.4, or {verb} module/path [v1.2.3] => ../local/directory"
                ));
            }
            let target = unquote(&args[arrow + 1])?;
            let local = is_directory_path(&target);
            if args.len() == arrow + 2 {
                if !local {
                    return Err("replacement module without version must be directory path (rooted or starting with . or ..)".to_string());
                }
                out.lines.push((target.clone(), line));
                out.local_replaces.push(target);
            } else if local {
                return Err(format!(
                    "replacement module directory path {target:?} cannot have version"
                ));
            }
        }
        "tool" | "ignore" if args.len() != 1 => {
            return Err(format!("{verb} directive expects exactly one argument"));
        }
        // retract, tool, ignore: nothing to plan.
        _ => {}
    }
    Ok(())
}

/// Go's `GoVersionRE`: `1.N`, `1.N.P`, with an optional `rcN`/`betaN`.
fn is_go_version(v: &str) -> bool {
    fn number(s: &str) -> bool {
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'))
    }
    let split = v.find(|c: char| c.is_ascii_lowercase()).unwrap_or(v.len());
    let (nums, pre) = v.split_at(split);
    let parts: Vec<&str> = nums.split('.').collect();
    let nums_ok = matches!(parts.len(), 2 | 3)
        && parts.iter().all(|p| number(p))
        && parts.first().is_some_and(|p| *p != "0");
    let letters = pre.trim_end_matches(|c: char| c.is_ascii_digit());
    let pre_ok = pre.is_empty()
        || (!letters.is_empty()
            && letters.len() < pre.len()
            && letters.bytes().all(|b| b.is_ascii_lowercase()));
    nums_ok && pre_ok
}

/// The Go version a toolchain name stands for, as Go's `gover.FromToolchain`
/// reads it: `go1.24.0-vendor` is 1.24.0; `default` names none.
fn toolchain_version(name: &str) -> Option<GoVersion> {
    let v = name.strip_prefix("go")?;
    let v = v.split([' ', '\t', '-']).next().unwrap_or(v);
    is_go_version(v).then(|| GoVersion::parse(v)).flatten()
}

/// Go's `modfile.IsDirectoryPath` (Unix).
fn is_directory_path(p: &str) -> bool {
    p == "." || p == ".." || p.starts_with("./") || p.starts_with("../") || p.starts_with('/')
}

/// A token as written: a quoted one loses its quotes (and escapes).
fn unquote(token: &str) -> Result<String, String> {
    let Some(first) = token.chars().next() else {
        return Ok(String::new());
    };
    if first == '"' {
        return go_unquote(token).ok_or_else(|| format!("invalid quoted string: {token}"));
    }
    if first == '`' {
        return Ok(token.trim_matches('`').to_string());
    }
    Ok(token.to_string())
}

/// Go's `strconv.Unquote` for a double-quoted token.
fn go_unquote(token: &str) -> Option<String> {
    let inner = token.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::new();
    let mut chars = inner.chars();
    let hex = |chars: &mut std::str::Chars<'_>, n: usize| -> Option<u32> {
        let digits: String = chars.by_ref().take(n).collect();
        (digits.len() == n).then(|| u32::from_str_radix(&digits, 16).ok())?
    };
    while let Some(c) = chars.next() {
        if c == '"' || c == '\n' {
            return None;
        }
        if c != '\\' {
            out.push(c);
            continue;
        }
        let e = chars.next()?;
        let decoded = match e {
            'a' => '\u{7}',
            'b' => '\u{8}',
            'f' => '\u{c}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'v' => '\u{b}',
            '\\' | '"' => e,
            'x' => char::from_u32(hex(&mut chars, 2)?)?,
            'u' => char::from_u32(hex(&mut chars, 4)?)?,
            'U' => char::from_u32(hex(&mut chars, 8)?)?,
            '0'..='7' => {
                let rest: String = chars.by_ref().take(2).collect();
                let v = u32::from_str_radix(&format!("{e}{rest}"), 8).ok()?;
                (rest.len() == 2 && v <= 255).then_some(char::from_u32(v)?)?
            }
            _ => return None,
        };
        out.push(decoded);
    }
    Some(out)
}

fn strip_comment(line: &str) -> &str {
    // `//` starts a comment unless inside a quoted string.
    let mut in_quote = None;
    let mut escaped = false;
    for (i, b) in line.bytes().enumerate() {
        match (in_quote, b) {
            (Some(b'"'), b'\\') if !escaped => {
                escaped = true;
                continue;
            }
            (None, b'"') | (None, b'`') => in_quote = Some(b),
            (Some(q), c) if c == q && !escaped => in_quote = None,
            (None, b'/') if line.as_bytes().get(i + 1) == Some(&b'/') => {
                return line.get(..i).unwrap_or(line);
            }
            _ => {}
        }
        escaped = false;
    }
    line
}

/// Splits a line into tokens; quoted tokens keep their quotes.
fn tokenize(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut chars = line.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '"' || c == '`' {
            chars.next();
            let mut word = String::from(c);
            loop {
                match chars.next() {
                    Some(d) if d == c => {
                        word.push(d);
                        break;
                    }
                    Some('\\') if c == '"' => {
                        word.push('\\');
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
        let f = parse_kind(
            FileKind::Work,
            "go 1.24\n\nuse (\n\t./app\n\t\"./lib\"\n)\nuse ./tools\n",
        )
        .unwrap();
        assert_eq!(f.uses, vec!["./app", "./lib", "./tools"]);
        assert_eq!(f.go.unwrap().minor_line(), "1.24");
    }

    #[test]
    fn reports_the_bad_line() {
        assert_eq!(
            parse("module a\ngo one.two\n").unwrap_err(),
            GoFileError {
                line: 2,
                message: "invalid go version 'one.two': must match format 1.23.0".to_string()
            }
        );
        assert_eq!(parse("require (\n").unwrap_err().line, 1);
        assert!(parse("module \"unterminated\n").is_err());
        let e = |kind, t| parse_kind(kind, t).unwrap_err().to_string();
        assert_eq!(
            e(FileKind::Mod, "hello world\n"),
            "line 1: unknown directive: hello"
        );
        assert_eq!(
            e(FileKind::Mod, "module a\nuse ./x\n"),
            "line 2: unknown directive: use"
        );
        assert_eq!(
            e(FileKind::Work, "go 1.24\nrequire a v1\n"),
            "line 2: unknown directive: require"
        );
        assert_eq!(
            e(FileKind::Mod, "module a\nmodule b\n"),
            "line 2: repeated module statement"
        );
        assert_eq!(
            e(FileKind::Mod, "go 1.24 (\n"),
            "line 1: unknown block type: go 1.24"
        );
        assert_eq!(
            e(FileKind::Mod, "replace a => b\n"),
            "line 1: replacement module without version must be directory path (rooted or starting with . or ..)"
        );
        assert_eq!(
            e(FileKind::Mod, "toolchain local\n"),
            "line 1: invalid toolchain version 'local': must match format go1.23.0 or default"
        );
        assert_eq!(
            e(FileKind::Mod, "go 1.24.01\n"),
            "line 1: invalid go version '1.24.01': must match format 1.23.0"
        );
    }

    #[test]
    fn accepts_every_directive_go_does() {
        let f = parse(
            "module example.com/app\ngo 1.25rc1\ntoolchain go1.25.0-vendor\ngodebug default=go1.21\n\
             godebug (\n\tpanicnil=1\n)\ntool example.com/tool\ntool (\n\texample.com/t2\n)\n\
             ignore ./node_modules\nignore (\n\tfoo\n)\nexclude a v1.0.0\nretract v1.0.1\n\
             retract [v1.0.0, v1.0.5] // bad\nreplace a => ./a v1.0.0\n",
        );
        assert!(f.is_err(), "a directory replacement cannot have a version");
        let f = parse(
            "module example.com/app\ngo 1.25rc1\ntoolchain go1.25.0-vendor\ngodebug default=go1.21\n\
             godebug (\n\tpanicnil=1\n)\ntool example.com/tool\ntool (\n\texample.com/t2\n)\n\
             ignore ./node_modules\nignore (\n\tfoo\n)\nexclude a v1.0.0\nretract v1.0.1\n\
             retract [v1.0.0, v1.0.5] // bad\nreplace a v1.0.0 => .\n",
        )
        .unwrap();
        assert_eq!(f.toolchain.unwrap().to_string(), "1.25.0");
        assert_eq!(f.go.unwrap().to_string(), "1.25rc1");
        assert_eq!(f.local_replaces, ["."]);
        let w = parse_kind(
            FileKind::Work,
            "go 1.24\ntoolchain default\ngodebug x=1\nuse .\nreplace a => ./b\n",
        )
        .unwrap();
        assert_eq!(w.toolchain, None);
    }

    #[test]
    fn quoted_strings_are_read_as_go_reads_them() {
        assert_eq!(
            go_unquote(r#""a\x41\101\u00e9\t""#).as_deref(),
            Some("aAAé\t")
        );
        assert_eq!(go_unquote(r#""a\q""#), None);
        assert_eq!(go_unquote(r#""\x4""#), None);
        let f = parse_kind(FileKind::Work, "go 1.24\nuse \"./\x61pp\"\n").unwrap();
        assert_eq!(f.uses, ["./app"]);
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
