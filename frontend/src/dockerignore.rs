//! `.dockerignore` as Docker and BuildKit read it: the file's lines turned
//! into patterns (a byte order mark dropped, `#` comments, `!` exceptions,
//! each pattern cleaned like a path), and the matcher that decides whether
//! a path of the context is left out (`*`, `?`, `[...]`, `\` escapes, `**`,
//! a pattern that matches a parent directory leaves its files out too, the
//! last matching pattern decides).
//!
//! Invariant: pure; never panics; matching time is bounded by the product
//! of the pattern's and the path's lengths.

/// One pattern of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// 1-based line of the file it is written on.
    pub line: usize,
    /// The pattern as BuildKit receives it (cleaned, `!` kept).
    pub pattern: String,
}

/// A pattern BuildKit would refuse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadPattern {
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// The patterns of a `.dockerignore`, as BuildKit's reader returns them.
pub fn read(text: &str) -> Vec<Entry> {
    let mut out = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let mut line = raw.strip_suffix('\r').unwrap_or(raw);
        if i == 0 {
            line = line.strip_prefix('\u{feff}').unwrap_or(line);
        }
        // A comment only when `#` is the line's very first character.
        if line.starts_with('#') {
            continue;
        }
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let (invert, pattern) = match line.strip_prefix('!') {
            Some(rest) => (true, rest.trim()),
            None => (false, line),
        };
        let mut pattern = if pattern.is_empty() {
            String::new()
        } else {
            clean(pattern)
        };
        if pattern.len() > 1 && pattern.starts_with('/') {
            pattern.remove(0);
        }
        if invert {
            pattern.insert(0, '!');
        }
        out.push(Entry {
            line: i + 1,
            pattern,
        });
    }
    out
}

/// The longest line BuildKit's reader takes (Go's `bufio.Scanner` limit,
/// 64 KiB with its newline).
pub const MAX_LINE: usize = 64 * 1024 - 1;

/// The 1-based number of the first line BuildKit cannot read, if any.
pub fn too_long_line(text: &str) -> Option<usize> {
    text.split('\n')
        .position(|l| l.len() > MAX_LINE)
        .map(|i| i + 1)
}

/// The patterns alone, for the context's exclude list.
pub fn patterns(text: &str) -> Vec<String> {
    read(text).into_iter().map(|e| e.pattern).collect()
}

/// Go's `path.Clean`: the shortest equivalent path, `..` kept where it
/// cannot be resolved (so `../x` stays `../x` and matches nothing inside
/// the context).
pub fn clean(p: &str) -> String {
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&last) if last != ".." => {
                    parts.pop();
                }
                _ if rooted => {}
                _ => parts.push(".."),
            },
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

/// The patterns of one file, compiled.
#[derive(Debug, Clone)]
pub struct Matcher {
    patterns: Vec<Compiled>,
}

#[derive(Debug, Clone)]
struct Compiled {
    line: usize,
    exclusion: bool,
    kind: Kind,
}

#[derive(Debug, Clone)]
enum Kind {
    /// No wildcard: the path must be equal.
    Exact(String),
    /// `prefix**`: the path starts with the prefix.
    Prefix(String),
    /// `**suffix`: the path ends with it (or is it, without its `/`).
    Suffix(String),
    /// Anything else, as tokens.
    Glob(Vec<Token>),
}

#[derive(Debug, Clone)]
enum Token {
    Char(char),
    /// `*`: any run of characters but `/`.
    Star,
    /// `?`: one character but `/`.
    Any,
    /// `**` followed by more: nothing, or anything ending in `/`.
    DirStar,
    /// `**` at the end: anything.
    Rest,
    /// `[...]`.
    Class {
        negated: bool,
        items: Vec<(char, char)>,
    },
}

impl Matcher {
    /// Compiles the entries, refusing those BuildKit refuses.
    pub fn new(entries: &[Entry]) -> Result<Self, BadPattern> {
        let mut patterns = Vec::new();
        for e in entries {
            let (exclusion, p) = match e.pattern.strip_prefix('!') {
                Some(rest) => (true, rest),
                None => (false, e.pattern.as_str()),
            };
            if exclusion && p.is_empty() {
                return Err(BadPattern {
                    line: e.line,
                    message: "\"!\" alone is not a pattern; write the path to keep after it, e.g. !go.mod".to_string(),
                });
            }
            let kind = compile(p).ok_or_else(|| BadPattern {
                line: e.line,
                message: format!(
                    "{p:?} is not a valid pattern (an unclosed '[' or a '\\' at its end)"
                ),
            })?;
            patterns.push(Compiled {
                line: e.line,
                exclusion,
                kind,
            });
        }
        Ok(Matcher { patterns })
    }

    /// The line of the pattern that leaves `path` (slash-separated, relative
    /// to the context) out, if one does: the last pattern that matches the
    /// path or one of its parent directories decides, `!` keeps it.
    pub fn excluded_by(&self, path: &str) -> Option<usize> {
        let dirs: Vec<&str> = path.split('/').collect();
        let parents: Vec<String> = (1..dirs.len())
            .map(|n| dirs.get(..n).unwrap_or(&[]).join("/"))
            .collect();
        let mut decision: Option<usize> = None;
        for p in &self.patterns {
            if p.exclusion != decision.is_some() {
                continue;
            }
            let matched = p.matches(path) || parents.iter().any(|d| p.matches(d));
            if matched {
                decision = (!p.exclusion).then_some(p.line);
            }
        }
        decision
    }
}

impl Compiled {
    fn matches(&self, path: &str) -> bool {
        match &self.kind {
            Kind::Exact(s) => path == s,
            Kind::Prefix(s) => path.starts_with(s.as_str()),
            Kind::Suffix(s) => {
                path.ends_with(s.as_str()) || s.strip_prefix('/').is_some_and(|rest| path == rest)
            }
            Kind::Glob(tokens) => glob(tokens, path),
        }
    }
}

/// Compiles a pattern as BuildKit's matcher does; `None` for a pattern
/// Go's `filepath.Match` calls malformed.
fn compile(p: &str) -> Option<Kind> {
    #[derive(PartialEq)]
    enum Detected {
        Exact,
        Prefix,
        Suffix,
        Glob,
    }
    let chars: Vec<char> = p.chars().collect();
    let mut tokens = Vec::new();
    let mut detected = Detected::Exact;
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let first = i == 0;
        i += 1;
        match c {
            '*' if chars.get(i) == Some(&'*') => {
                i += 1;
                if chars.get(i) == Some(&'/') {
                    i += 1;
                }
                if i >= chars.len() {
                    if detected == Detected::Exact {
                        detected = Detected::Prefix;
                    } else {
                        detected = Detected::Glob;
                    }
                    tokens.push(Token::Rest);
                } else {
                    detected = Detected::Glob;
                    tokens.push(Token::DirStar);
                }
                if first {
                    detected = Detected::Suffix;
                }
            }
            '*' => {
                detected = Detected::Glob;
                tokens.push(Token::Star);
            }
            '?' => {
                detected = Detected::Glob;
                tokens.push(Token::Any);
            }
            '\\' => match chars.get(i) {
                Some(&next) => {
                    i += 1;
                    detected = Detected::Glob;
                    tokens.push(Token::Char(next));
                }
                // Go's filepath.Match refuses a trailing backslash.
                None => return None,
            },
            '[' => {
                detected = Detected::Glob;
                let (token, next) = class(&chars, i)?;
                tokens.push(token);
                i = next;
            }
            c => tokens.push(Token::Char(c)),
        }
    }
    Some(match detected {
        Detected::Exact => Kind::Exact(p.to_string()),
        Detected::Prefix => Kind::Prefix(p.strip_suffix("**").unwrap_or(p).to_string()),
        Detected::Suffix => Kind::Suffix(p.strip_prefix("**").unwrap_or(p).to_string()),
        Detected::Glob => Kind::Glob(tokens),
    })
}

/// A `[...]` class starting after its `[` at `start`; the token and the
/// index after its `]`.
fn class(chars: &[char], start: usize) -> Option<(Token, usize)> {
    let mut i = start;
    let negated = matches!(chars.get(i), Some('^'));
    if negated {
        i += 1;
    }
    let mut items = Vec::new();
    let mut first = true;
    loop {
        let c = *chars.get(i)?;
        i += 1;
        if c == ']' && !first {
            break;
        }
        first = false;
        let lo = if c == '\\' {
            let e = *chars.get(i)?;
            i += 1;
            e
        } else {
            c
        };
        let hi = if chars.get(i) == Some(&'-') && chars.get(i + 1).is_some_and(|n| *n != ']') {
            let mut h = *chars.get(i + 1)?;
            i += 2;
            if h == '\\' {
                h = *chars.get(i)?;
                i += 1;
            }
            if h < lo {
                return None;
            }
            h
        } else {
            lo
        };
        items.push((lo, hi));
    }
    Some((Token::Class { negated, items }, i))
}

/// Whether `tokens` match all of `path`: dynamic programming over
/// (token, position), so no pattern backtracks exponentially.
fn glob(tokens: &[Token], path: &str) -> bool {
    let s: Vec<char> = path.chars().collect();
    let n = s.len();
    // reach[j]: the tokens so far can match exactly s[..j].
    let mut reach = vec![false; n + 1];
    reach[0] = true;
    for t in tokens {
        let mut next = vec![false; n + 1];
        for j in 0..=n {
            if !reach[j] {
                continue;
            }
            match t {
                Token::Char(c) => {
                    if s.get(j) == Some(c) {
                        next[j + 1] = true;
                    }
                }
                Token::Any => {
                    if s.get(j).is_some_and(|c| *c != '/') {
                        next[j + 1] = true;
                    }
                }
                Token::Class { negated, items } => {
                    if let Some(c) = s.get(j) {
                        let inside = items.iter().any(|(lo, hi)| lo <= c && c <= hi);
                        if inside != *negated {
                            next[j + 1] = true;
                        }
                    }
                }
                Token::Star => {
                    next[j] = true;
                    let mut k = j;
                    while k < n && s[k] != '/' {
                        k += 1;
                        next[k] = true;
                    }
                }
                Token::DirStar => {
                    next[j] = true;
                    for k in j..n {
                        if s[k] == '/' {
                            next[k + 1] = true;
                        }
                    }
                }
                Token::Rest => {
                    for slot in next.iter_mut().skip(j) {
                        *slot = true;
                    }
                }
            }
        }
        reach = next;
    }
    reach[n]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn excluded(text: &str, path: &str) -> Option<usize> {
        Matcher::new(&read(text)).ok()?.excluded_by(path)
    }

    #[test]
    fn reads_like_buildkit() {
        assert_eq!(
            patterns(
                "\u{feff}go.sum\n# c\n  # not a comment\n\n/secret.txt\n!keep/./me\n  build/  \n../up\na/../../b\n"
            ),
            vec![
                "go.sum",
                "# not a comment",
                "secret.txt",
                "!keep/me",
                "build",
                "../up",
                "../b"
            ]
        );
        assert_eq!(
            read("a\r\n\r\nb\n")[1],
            Entry {
                line: 3,
                pattern: "b".into()
            }
        );
    }

    #[test]
    fn decisions_follow_the_last_matching_pattern() {
        assert_eq!(excluded("*\n", "go.mod"), Some(1));
        assert_eq!(excluded("*\n!go.mod\n", "go.mod"), None);
        assert_eq!(excluded("*.sum\n", "go.sum"), Some(1));
        assert_eq!(excluded("vendor\n", "vendor/modules.txt"), Some(1));
        assert_eq!(excluded("/vendor/\n", "vendor/modules.txt"), Some(1));
        assert_eq!(excluded("**/*.txt\n", "vendor/modules.txt"), Some(1));
        assert_eq!(excluded("**/go.mod\n", "go.mod"), Some(1));
        assert_eq!(excluded("vendor/**\n", "vendor/modules.txt"), Some(1));
        assert_eq!(excluded("go.[ms]*\n", "go.mod"), Some(1));
        assert_eq!(excluded("go.[^m]*\n", "go.mod"), None);
        assert_eq!(excluded("go\\.mod\n", "go.mod"), Some(1));
        assert_eq!(excluded("secret.txt\n.git\n", "go.mod"), None);
        assert_eq!(excluded("go.mod.bak\n", "go.mod"), None);
        assert_eq!(excluded("../go.mod\n", "go.mod"), None);
        assert_eq!(excluded("\u{feff}go.mod\n", "go.mod"), Some(1));
        assert_eq!(
            excluded("vendor\n!vendor/modules.txt\n", "vendor/modules.txt"),
            None
        );
    }

    #[test]
    fn refuses_what_buildkit_refuses() {
        assert!(Matcher::new(&read("!\n")).is_err());
        assert!(Matcher::new(&read("go.[mod\n")).is_err());
        assert!(Matcher::new(&read("go.mod\\\n")).is_err());
        assert_eq!(clean(""), ".");
        assert_eq!(clean("/../a"), "/a");
        assert_eq!(clean("a/../.."), "..");
    }

    #[test]
    fn a_line_past_buildkits_limit_is_found() {
        let long = format!("a\n{}\n", "x".repeat(MAX_LINE + 1));
        assert_eq!(too_long_line(&long), Some(2));
        assert_eq!(too_long_line(&"x".repeat(MAX_LINE)), None);
    }

    #[test]
    fn long_patterns_stay_fast() {
        let p = format!("{}b\n", "*a".repeat(200));
        let path = "a".repeat(400);
        assert_eq!(excluded(&p, &path), None);
    }
}
