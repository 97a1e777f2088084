//! The text `go version -m BIN...` prints, read back into build info.
//!
//! The format is Go's, read from its source (golang/go):
//! - `cmd/go/internal/version`: for each binary one line `FILE: GOVERSION`,
//!   then, with `-m`, `runtime/debug.BuildInfo.String()` with its go line
//!   dropped and every line indented by one tab.
//! - `runtime/debug/mod.go` (`BuildInfo.String`, `ParseBuildInfo`): lines
//!   `path\tPKG`, `mod\tPATH\tVERSION\tSUM`, `dep\tPATH\tVERSION\tSUM`, a
//!   replaced module's line ends after its version and is followed by
//!   `=>\tPATH\tVERSION\tSUM`; `build\tKEY=VALUE`, where a key or value that
//!   holds a space, tab, CR, LF, `"` or `` ` `` (a key also `=`) is a Go
//!   quoted string (`strconv.Quote`).
//! - `cmd/go/internal/load/pkg.go` (`setBuildInfo`): a module without a
//!   version (the main module, a directory replacement) says `(devel)`; the
//!   sum is empty for the main module, a replaced module and every module
//!   of a `-mod=vendor` build.
//!
//! Pure: text in, data out.

use thiserror::Error;

/// One module line (`mod`, `dep` or `=>`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Module {
    /// Module path, or a directory for a directory replacement.
    pub path: String,
    /// Its version, `(devel)` when Go knows none.
    pub version: String,
    /// The go.sum hash (`h1:...`), when Go recorded one.
    pub sum: Option<String>,
    /// What a `replace` directive put in its place.
    pub replace: Option<Box<Module>>,
}

impl Module {
    /// The module whose code is linked: the replacement when there is one.
    pub fn effective(&self) -> &Module {
        self.replace.as_deref().unwrap_or(self)
    }

    /// Whether this is a directory (`replace x => ../x`), not a module
    /// version: Go's `modfile.IsDirectoryPath`.
    pub fn is_directory(&self) -> bool {
        let p = self.path.as_str();
        p == "."
            || p == ".."
            || p.starts_with("./")
            || p.starts_with("../")
            || p.starts_with('/')
            || p.starts_with(".\\")
            || p.starts_with("..\\")
            || p.starts_with('\\')
            || (p.len() >= 2 && p.as_bytes()[1] == b':' && p.as_bytes()[0].is_ascii_alphabetic())
    }
}

/// What one binary says about its build.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildInfo {
    /// The toolchain that built it (`go1.22.5`).
    pub go_version: String,
    /// The main package's import path.
    pub path: String,
    /// The main module (absent for a binary built outside module mode).
    pub main: Option<Module>,
    /// Every module that contributed packages, in Go's order (sorted).
    pub deps: Vec<Module>,
    /// The `build` settings, in Go's order, unquoted.
    pub settings: Vec<(String, String)>,
}

impl BuildInfo {
    /// The value of a build setting, if Go recorded it.
    #[cfg(test)]
    pub fn setting(&self, key: &str) -> Option<&str> {
        self.settings
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// One binary in the output of `go version -m`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binary {
    /// The file name as `go version` printed it.
    pub file: String,
    /// Its build info.
    pub info: BuildInfo,
}

/// A line of `go version -m` output that does not read as Go writes it.
#[derive(Debug, Error, PartialEq, Eq)]
#[error("go version -m output, line {line}: {problem}")]
pub struct ParseError {
    /// 1-based line number in the whole output.
    pub line: usize,
    /// What is wrong, as a sentence fragment.
    pub problem: String,
}

/// Reads the whole output of `go version -m FILE...`: one entry per binary,
/// in the order printed.
pub fn parse_go_version_m(text: &str) -> Result<Vec<Binary>, ParseError> {
    let mut binaries: Vec<Binary> = Vec::new();
    // Which module a `=>` line replaces: the main module or the last dep.
    #[derive(Clone, Copy)]
    enum Last {
        None,
        Main,
        Dep,
    }
    let mut last = Last::None;
    for (idx, raw) in text.lines().enumerate() {
        let line_no = idx + 1;
        let err = |problem: String| ParseError {
            line: line_no,
            problem,
        };
        if raw.trim().is_empty() {
            continue;
        }
        let Some(body) = raw.strip_prefix('\t') else {
            // `FILE: GOVERSION`; a file name may itself hold ": ".
            let (file, version) = raw.rsplit_once(": ").ok_or_else(|| {
                err(format!(
                    "expected \"FILE: GOVERSION\" or a tab-indented line, got {raw:?}"
                ))
            })?;
            binaries.push(Binary {
                file: file.to_string(),
                info: BuildInfo {
                    go_version: version.trim().to_string(),
                    ..BuildInfo::default()
                },
            });
            last = Last::None;
            continue;
        };
        let Some(binary) = binaries.last_mut() else {
            return Err(err(
                "an indented line comes before any \"FILE: GOVERSION\" line".to_string(),
            ));
        };
        let info = &mut binary.info;
        let (word, rest) = body.split_once('\t').unwrap_or((body, ""));
        match word {
            "path" => {
                info.path = rest.to_string();
                last = Last::None;
            }
            "mod" => {
                info.main = Some(module_line(rest).map_err(err)?);
                last = Last::Main;
            }
            "dep" => {
                info.deps.push(module_line(rest).map_err(err)?);
                last = Last::Dep;
            }
            "=>" => {
                let cols: Vec<&str> = rest.split('\t').collect();
                let [path, version, sum] = cols.as_slice() else {
                    return Err(err(format!(
                        "a replacement line needs 3 tab-separated columns, got {}",
                        cols.len()
                    )));
                };
                let target = match last {
                    Last::Main => info.main.as_mut(),
                    Last::Dep => info.deps.last_mut(),
                    Last::None => None,
                }
                .ok_or_else(|| {
                    err("a replacement line (=>) follows no mod or dep line".to_string())
                })?;
                target.replace = Some(Box::new(Module {
                    path: path.to_string(),
                    version: version.to_string(),
                    sum: non_empty(sum),
                    replace: None,
                }));
                last = Last::None;
            }
            "build" => {
                info.settings.push(setting_line(rest).map_err(err)?);
                last = Last::None;
            }
            // Go's own parser skips lines it does not know; so do we, so a
            // newer Go's additions do not break an older gofront.
            _ => {}
        }
    }
    Ok(binaries)
}

fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

fn module_line(rest: &str) -> Result<Module, String> {
    let cols: Vec<&str> = rest.split('\t').collect();
    let (path, version, sum) = match cols.as_slice() {
        [path, version] => (path, version, ""),
        [path, version, sum] => (path, version, *sum),
        _ => {
            return Err(format!(
                "a module line needs 2 or 3 tab-separated columns, got {}",
                cols.len()
            ));
        }
    };
    if path.is_empty() {
        return Err("a module line has an empty module path".to_string());
    }
    Ok(Module {
        path: path.to_string(),
        version: version.to_string(),
        sum: non_empty(sum),
        replace: None,
    })
}

fn setting_line(kv: &str) -> Result<(String, String), String> {
    let (key, raw_value) = match kv.as_bytes().first() {
        None => return Err("a build line has no KEY=VALUE".to_string()),
        Some(b'=') => return Err("a build line has an empty key".to_string()),
        Some(b'"' | b'`') => {
            let (key, used) = unquote_prefix(kv)?;
            match kv[used..].strip_prefix('=') {
                Some(value) => (key, value),
                None => return Err("a build line's quoted key is not followed by =".to_string()),
            }
        }
        Some(_) => {
            let (key, value) = kv
                .split_once('=')
                .ok_or_else(|| format!("a build line has no = in {kv:?}"))?;
            if key.contains([' ', '\t', '\r', '\n', '"', '`']) {
                return Err(format!("a build line's key {key:?} must be quoted"));
            }
            (key.to_string(), value)
        }
    };
    let value = match raw_value.as_bytes().first() {
        Some(b'"' | b'`') => {
            let (value, used) = unquote_prefix(raw_value)?;
            if used != raw_value.len() {
                return Err(format!(
                    "a build line's quoted value {raw_value:?} has text after its closing quote"
                ));
            }
            value
        }
        // Go quotes a value with any of these; bare, it is not Go's output.
        _ if raw_value.contains([' ', '\t', '\r', '\n', '"', '`']) => {
            return Err(format!("a build line's value {raw_value:?} must be quoted"));
        }
        _ => raw_value.to_string(),
    };
    Ok((key, value))
}

/// Reads one Go quoted string (`"..."` with Go's escapes, or `` `...` ``)
/// at the start of `s`: its value and how many bytes it took.
fn unquote_prefix(s: &str) -> Result<(String, usize), String> {
    let bad = || format!("{s:?} is not a valid Go quoted string");
    let mut chars = s.char_indices();
    let Some((_, quote)) = chars.next() else {
        return Err(bad());
    };
    if quote == '`' {
        let end = s[1..].find('`').ok_or_else(bad)?;
        // Raw strings drop carriage returns (the Go spec).
        return Ok((s[1..1 + end].replace('\r', ""), end + 2));
    }
    let mut out: Vec<u8> = Vec::new();
    let bytes = s.as_bytes();
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let value = String::from_utf8(out).map_err(|_| bad())?;
                return Ok((value, i + 1));
            }
            b'\n' => return Err(bad()),
            b'\\' => {
                let esc = *bytes.get(i + 1).ok_or_else(bad)?;
                i += 2;
                let simple = match esc {
                    b'a' => Some(0x07),
                    b'b' => Some(0x08),
                    b'f' => Some(0x0c),
                    b'n' => Some(b'\n'),
                    b'r' => Some(b'\r'),
                    b't' => Some(b'\t'),
                    b'v' => Some(0x0b),
                    b'\\' => Some(b'\\'),
                    b'"' => Some(b'"'),
                    _ => None,
                };
                if let Some(b) = simple {
                    out.push(b);
                    continue;
                }
                let digits = |at: usize, n: usize, radix: u32| -> Result<u32, String> {
                    let text = s.get(at..at + n).ok_or_else(bad)?;
                    u32::from_str_radix(text, radix).map_err(|_| bad())
                };
                match esc {
                    b'x' => {
                        let v = digits(i, 2, 16)?;
                        out.push(u8::try_from(v).map_err(|_| bad())?);
                        i += 2;
                    }
                    b'0'..=b'7' => {
                        // The escape's first digit is the byte after `\`.
                        let v = digits(i - 1, 3, 8)?;
                        out.push(u8::try_from(v).map_err(|_| bad())?);
                        i += 2;
                    }
                    b'u' | b'U' => {
                        let n = if esc == b'u' { 4 } else { 8 };
                        let c = char::from_u32(digits(i, n, 16)?).ok_or_else(bad)?;
                        let mut buf = [0u8; 4];
                        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                        i += n;
                    }
                    _ => return Err(bad()),
                }
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    Err(bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unquotes_go_strings() {
        let cases = [
            (r#""-X main.v=1 -s""#, "-X main.v=1 -s"),
            (r#""a\tb\n\\\"q\"""#, "a\tb\n\\\"q\""),
            (r#""\x41\101\u00e9\U0001F600""#, "AAé😀"),
            // Every one-letter escape of Go's.
            (r#""\a\b\f\n\r\t\v\\\"""#, "\u{7}\u{8}\u{c}\n\r\t\u{b}\\\""),
            ("`raw \\n`", "raw \\n"),
        ];
        for (quoted, want) in cases {
            let (got, used) = unquote_prefix(quoted).unwrap();
            assert_eq!(got, want, "{quoted}");
            assert_eq!(used, quoted.len(), "{quoted}");
        }
        for broken in [r#""open"#, r#""\q""#, r#""\x4""#, "`open"] {
            assert!(unquote_prefix(broken).is_err(), "{broken}");
        }
    }

    #[test]
    fn quoted_keys_and_values() {
        assert_eq!(
            setting_line(r#"-ldflags="-s -w""#).unwrap(),
            ("-ldflags".to_string(), "-s -w".to_string())
        );
        assert_eq!(
            setting_line(r#""odd key"=v"#).unwrap(),
            ("odd key".to_string(), "v".to_string())
        );
        assert_eq!(
            setting_line("CGO_CPPFLAGS=").unwrap(),
            ("CGO_CPPFLAGS".to_string(), String::new())
        );
        assert!(setting_line("=v").is_err());
        assert!(setting_line("novalue").is_err());
        assert!(setting_line(r#""k"v"#).is_err());
        assert!(setting_line(r#"k="v"x"#).is_err());
    }

    #[test]
    fn directory_replacements() {
        let m = |p: &str| Module {
            path: p.into(),
            version: "(devel)".into(),
            sum: None,
            replace: None,
        };
        for p in [
            "../lib", "./lib", "/abs/lib", ".", "..", "C:\\lib", "..\\lib",
        ] {
            assert!(m(p).is_directory(), "{p}");
        }
        for p in ["example.com/lib", "lib", ".hidden/x"] {
            assert!(!m(p).is_directory(), "{p}");
        }
    }
}
