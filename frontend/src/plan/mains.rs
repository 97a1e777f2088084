//! Which main packages a build without `build.packages` has: the module
//! root if it is a main package, else every `cmd/<name>` directory that is
//! one (in a go.work workspace, the same in each member), as Go developers
//! lay them out.
//!
//! The driver asks the host for the start of the Go files a [`Scan`]
//! selects (a directory listing through the build context, never the
//! whole context) and [`found`] decides from their package clauses.
//!
//! Invariant: pure; bounded by [`Scan`]'s limits.

use std::collections::{BTreeMap, BTreeSet};

use crate::dockerignore::{Entry, Matcher};

/// The most of each Go file gofront reads to find its package clause: a
/// licence header and a command's doc comment fit well inside.
pub const HEAD_BYTES: usize = 16 << 10;
/// The Go files read in each directory (the first by name, tests left out):
/// the files of a package all name it, so the first that is built decides.
pub const FILES_PER_DIR: usize = 4;
/// The most directories listed in the build context.
pub const MAX_DIRS: usize = 256;

/// The Go files to read the start of: BuildKit's local source patterns
/// (include, exclude) and how much to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scan {
    /// Each root's `*.go` and `cmd/*/*.go`.
    pub include: Vec<String>,
    /// `.dockerignore`'s patterns, then test files.
    pub exclude: Vec<String>,
    /// The bytes read of each file.
    pub head_bytes: usize,
    /// The files read in each directory.
    pub files_per_dir: usize,
    /// The directories listed.
    pub max_dirs: usize,
}

/// What a host read for a [`Scan`]: the start of each file, by path
/// (relative to the context), and whether it stopped at `max_dirs`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Heads {
    /// The first `head_bytes` of each file read.
    pub files: BTreeMap<String, Vec<u8>>,
    /// More directories were there than `max_dirs`.
    pub truncated: bool,
}

/// The directories gofront looks for main packages in: the module root, or
/// each `go.work` member (cleaned, `.` for the root).
pub fn scan(roots: &[String], dockerignore_patterns: &[String]) -> Scan {
    let mut include = Vec::new();
    for root in roots {
        let at = if root == "." {
            String::new()
        } else {
            format!("{}/", escape(root))
        };
        include.push(format!("{at}*.go"));
        include.push(format!("{at}cmd/*/*.go"));
    }
    include.sort();
    include.dedup();
    let mut exclude = dockerignore_patterns.to_vec();
    // After .dockerignore's own: no `!` there brings a test file back.
    exclude.push("**/*_test.go".to_string());
    Scan {
        include,
        exclude,
        head_bytes: HEAD_BYTES,
        files_per_dir: FILES_PER_DIR,
        max_dirs: MAX_DIRS,
    }
}

/// A directory name as a pattern that matches only it.
fn escape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A [`Scan`]'s patterns, compiled, for hosts that walk a directory tree
/// themselves (BuildKit applies the patterns to its local source).
#[derive(Debug)]
pub struct ScanMatcher {
    include: Matcher,
    exclude: Matcher,
    /// For a directory `n` levels deep, the includes' first `n` segments:
    /// a directory none of them matches holds nothing selected.
    prefixes: Vec<Matcher>,
}

fn matcher(patterns: impl IntoIterator<Item = String>) -> Result<Matcher, String> {
    let entries: Vec<Entry> = patterns
        .into_iter()
        .enumerate()
        .map(|(i, pattern)| Entry {
            line: i + 1,
            pattern,
        })
        .collect();
    Matcher::new(&entries).map_err(|bad| bad.message)
}

impl Scan {
    /// The patterns compiled; an error names a pattern BuildKit would refuse.
    pub fn matcher(&self) -> Result<ScanMatcher, String> {
        let depth = self
            .include
            .iter()
            .map(|p| p.split('/').count())
            .max()
            .unwrap_or(0);
        let prefixes = (1..depth)
            .map(|n| {
                matcher(
                    self.include
                        .iter()
                        .filter(|p| p.split('/').count() > n)
                        .map(|p| p.split('/').take(n).collect::<Vec<_>>().join("/")),
                )
            })
            .collect::<Result<_, _>>()?;
        Ok(ScanMatcher {
            include: matcher(self.include.iter().cloned())?,
            exclude: matcher(self.exclude.iter().cloned())?,
            prefixes,
        })
    }

    /// Of the files a host found (paths relative to the context), those
    /// whose start it reads: the first `files_per_dir` by name in each
    /// directory, in at most `max_dirs` directories; and whether some were
    /// left out for that.
    pub fn pick(&self, files: impl IntoIterator<Item = String>) -> (Vec<String>, bool) {
        let mut by_dir: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for f in files {
            let dir = f.rsplit_once('/').map_or(".", |(d, _)| d).to_string();
            by_dir.entry(dir).or_default().insert(f);
        }
        let truncated = by_dir.len() > self.max_dirs;
        let picked = by_dir
            .into_values()
            .take(self.max_dirs)
            .flat_map(|f| f.into_iter().take(self.files_per_dir))
            .collect();
        (picked, truncated)
    }
}

impl ScanMatcher {
    /// Whether the scan selects the file `path`.
    pub fn selects(&self, path: &str) -> bool {
        self.include.excluded_by(path).is_some() && self.exclude.excluded_by(path).is_none()
    }

    /// Whether the directory `dir` may hold a file the scan selects.
    pub fn may_hold(&self, dir: &str) -> bool {
        let depth = dir.split('/').count();
        depth
            .checked_sub(1)
            .and_then(|i| self.prefixes.get(i))
            .is_some_and(|m| m.excluded_by(dir).is_some())
    }
}

/// What a Go file's start says of its package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clause {
    /// `package NAME`.
    Package(String),
    /// A build constraint that no build satisfies (`//go:build ignore`):
    /// Go leaves the file out.
    Excluded,
    /// No package clause in what was read.
    Unknown,
}

/// The package clause of Go source `text` (its start): the first token
/// after comments is `package`, then the name. A `//go:build` line before
/// it that is false whatever the platform and tags (`ignore`, as Go's
/// generators use it) leaves the file out, as does `// +build ignore`.
pub fn package_clause(text: &str) -> Clause {
    let mut rest = text.trim_start_matches('\u{feff}');
    let mut excluded = false;
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("//") {
            let (line, next) = after.split_once('\n').unwrap_or((after, ""));
            excluded |= excludes(line);
            rest = next;
        } else if let Some(after) = rest.strip_prefix("/*") {
            match after.split_once("*/") {
                Some((_, r)) => rest = r,
                None => return Clause::Unknown,
            }
        } else {
            break;
        }
    }
    let mut words = rest
        .split(|c: char| c.is_whitespace() || c == ';' || c == '/')
        .filter(|w| !w.is_empty());
    match (words.next(), words.next()) {
        (Some("package"), Some(_)) if excluded => Clause::Excluded,
        (Some("package"), Some(name)) if is_identifier(name) => Clause::Package(name.to_string()),
        _ => Clause::Unknown,
    }
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

/// Whether a line comment's text (after `//`) is a build constraint that
/// leaves the file out of every build.
fn excludes(comment: &str) -> bool {
    let comment = comment.trim_end_matches('\r');
    if let Some(expr) = comment.strip_prefix("go:build") {
        return expr.starts_with(char::is_whitespace)
            && Constraint::new(expr).parse() == Some(Truth::False);
    }
    comment.trim() == "+build ignore"
}

/// A `//go:build` expression's value when only `ignore` is known (false:
/// no build sets it); every other tag may be either.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Truth {
    False,
    True,
    Either,
}

impl Truth {
    fn not(self) -> Truth {
        match self {
            Truth::False => Truth::True,
            Truth::True => Truth::False,
            Truth::Either => Truth::Either,
        }
    }

    fn and(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::False, _) | (_, Truth::False) => Truth::False,
            (Truth::True, Truth::True) => Truth::True,
            _ => Truth::Either,
        }
    }

    fn or(self, other: Truth) -> Truth {
        self.not().and(other.not()).not()
    }
}

/// A recursive-descent reader of a `//go:build` expression (Go's grammar:
/// `||`, `&&`, `!`, parentheses, tags); `None` when it does not parse.
struct Constraint<'a> {
    rest: &'a str,
    depth: usize,
}

impl<'a> Constraint<'a> {
    fn new(expr: &'a str) -> Self {
        Constraint {
            rest: expr,
            depth: 0,
        }
    }

    fn parse(mut self) -> Option<Truth> {
        let value = self.or()?;
        self.rest.trim().is_empty().then_some(value)
    }

    fn eat(&mut self, token: &str) -> bool {
        let trimmed = self.rest.trim_start();
        match trimmed.strip_prefix(token) {
            Some(after) => {
                self.rest = after;
                true
            }
            None => false,
        }
    }

    fn or(&mut self) -> Option<Truth> {
        let mut value = self.and()?;
        while self.eat("||") {
            value = value.or(self.and()?);
        }
        Some(value)
    }

    fn and(&mut self) -> Option<Truth> {
        let mut value = self.not()?;
        while self.eat("&&") {
            value = value.and(self.not()?);
        }
        Some(value)
    }

    fn not(&mut self) -> Option<Truth> {
        // Deep nesting is no build constraint anyone writes: give up.
        self.depth += 1;
        if self.depth > 64 {
            return None;
        }
        let value = if self.eat("!") {
            self.not()?.not()
        } else if self.eat("(") {
            let inner = self.or()?;
            self.eat(")").then_some(inner)?
        } else {
            let trimmed = self.rest.trim_start();
            let end = trimmed
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
                .unwrap_or(trimmed.len());
            if end == 0 {
                return None;
            }
            let (tag, after) = trimmed.split_at(end);
            self.rest = after;
            if tag == "ignore" {
                Truth::False
            } else {
                Truth::Either
            }
        };
        self.depth -= 1;
        Some(value)
    }
}

/// Whether a file name is one Go builds in its directory's package: a
/// `.go` file, no test, not hidden (`.` or `_` first).
fn built_by_go(name: &str) -> bool {
    name.ends_with(".go")
        && !name.ends_with("_test.go")
        && !name.starts_with('.')
        && !name.starts_with('_')
}

/// Whether a directory name is one Go's `./...` walks into.
fn walked_by_go(name: &str) -> bool {
    !name.starts_with('.') && !name.starts_with('_') && name != "testdata"
}

/// The directories (relative to the context, `.` for the root) where a
/// Go file gofront read declares `package main`.
pub fn main_dirs(heads: &BTreeMap<String, Vec<u8>>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (path, head) in heads {
        let (dir, name) = path.rsplit_once('/').unwrap_or((".", path.as_str()));
        let clause = package_clause(&String::from_utf8_lossy(head));
        if built_by_go(name) && clause == Clause::Package("main".into()) {
            out.insert(dir.to_string());
        }
    }
    out
}

/// What the scan found.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Found {
    /// The main packages, as `go build` takes them (`.`, `./cmd/api`),
    /// each root's in order.
    pub packages: Vec<String>,
    /// A root's `cmd/` had more directories than gofront lists, so the
    /// packages may be incomplete.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub incomplete: bool,
}

/// The main packages of `roots` (each the module root, `.`, or a go.work
/// member) by the start of their Go files: a root that is a main package,
/// else each of its `cmd/<name>` directories that is one, by name.
pub fn found(roots: &[String], heads: &Heads) -> Found {
    let mains = main_dirs(&heads.files);
    let mut packages = Vec::new();
    let mut incomplete = false;
    let package = |dir: &str| {
        if dir == "." {
            ".".to_string()
        } else {
            format!("./{dir}")
        }
    };
    for root in roots {
        if mains.contains(root) {
            packages.push(package(root));
            continue;
        }
        // A scan that stopped early may have missed some of them.
        incomplete |= heads.truncated;
        let cmd = if root == "." {
            "cmd".to_string()
        } else {
            format!("{root}/cmd")
        };
        let under_cmd = |dir: &&String| {
            dir.strip_prefix(cmd.as_str())
                .and_then(|r| r.strip_prefix('/'))
                .is_some_and(|name| !name.contains('/') && walked_by_go(name))
        };
        packages.extend(mains.iter().filter(under_cmd).map(|d| package(d)));
    }
    Found {
        packages,
        incomplete,
    }
}

#[cfg(test)]
mod tests;
