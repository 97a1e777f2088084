//! The checks of the files and directories the runtime image gets
//! (`runtime.files`, `runtime.dirs`): paths in the build context and in
//! the image, octal modes, owners; and the table entries and paths the
//! image's settings (`image_settings`) check with them. The keys' setters
//! (in `keys`) call them.

use super::node::{Key, Node, Origin, Value};
use super::schema::{Checker, suggestion};
use super::{DirSpec, Field, FileSpec, Problem};

/// The keys of a `runtime.files` entry.
const FILE_KEYS: &[&str] = &["src", "dest", "mode", "owner", "embed"];
/// The keys of a `runtime.dirs` entry.
const DIR_KEYS: &[&str] = &["path", "mode", "owner"];
/// The largest mode a file op takes (permissions, setuid, setgid, sticky).
const MAX_MODE: u32 = 0o7777;

/// Whether a path of the build context is a glob (as BuildKit's copy
/// reads it: `*`, `?` and `[`).
pub fn is_glob(path: &str) -> bool {
    path.contains(['*', '?', '['])
}

/// The fields of one table entry, each key once and known.
pub(super) struct Entry<'n> {
    pub(super) fields: Vec<(&'n Key, &'n Node)>,
    /// Some key was unknown (a missing key is then not reported again).
    unknown: bool,
}

impl<'n> Entry<'n> {
    pub(super) fn get(&self, name: &str) -> Option<&'n Node> {
        self.fields
            .iter()
            .find(|(k, _)| k.name == name)
            .map(|(_, v)| *v)
    }
}

impl Checker<'_> {
    pub(super) fn problem_at(&mut self, origin: &Origin, key: &str, message: String) {
        self.problems.push(Problem {
            origin: origin.clone(),
            key: key.to_string(),
            message,
        });
    }

    /// A table whose keys are all `allowed`; the others are problems.
    pub(super) fn entry<'n>(
        &mut self,
        node: &'n Node,
        at: &str,
        allowed: &[&str],
    ) -> Option<Entry<'n>> {
        let Value::Table(t) = &node.value else {
            let message = format!("{at} must be a table, not {}", node.value.type_name());
            self.problem_at(&node.origin, at, message);
            return None;
        };
        let mut fields = Vec::new();
        let mut unknown = false;
        for (k, v) in t {
            if allowed.contains(&k.name.as_str()) {
                fields.push((k, v));
            } else {
                unknown = true;
                let hint = suggestion(&k.name, allowed.iter().copied());
                let message = format!(
                    "unknown key \"{}\" in {at} (it takes {}){hint}",
                    k.name,
                    allowed.join(", ")
                );
                self.problem_at(&k.origin, &format!("{at}.{}", k.name), message);
            }
        }
        Some(Entry { fields, unknown })
    }

    /// The entries of an array of tables, each with its dotted name.
    fn entries<'n>(&mut self, node: &'n Node) -> Option<Vec<(String, &'n Node)>> {
        match &node.value {
            Value::Array(items) => Some(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, n)| (format!("{}[{i}]", self.key), n))
                    .collect(),
            ),
            _ => {
                self.wrong_type(node, "an array of tables");
                None
            }
        }
    }

    /// A string of an entry, with its origin.
    pub(super) fn entry_string(&mut self, node: &Node, at: &str) -> Option<Field<String>> {
        match &node.value {
            Value::Str(s) if s.contains('\0') => {
                let message = format!("{at} contains a NUL byte, which no path or name can hold");
                self.problem_at(&node.origin, at, message);
                None
            }
            Value::Str(s) => Some(Field {
                value: s.clone(),
                origin: node.origin.clone(),
            }),
            other => {
                let message = format!("{at} must be a string, not {}", other.type_name());
                self.problem_at(&node.origin, at, message);
                None
            }
        }
    }

    /// A required string of an entry.
    fn required(
        &mut self,
        e: &Entry<'_>,
        node: &Node,
        at: &str,
        name: &str,
    ) -> Option<Field<String>> {
        match e.get(name) {
            Some(v) => self.entry_string(v, &format!("{at}.{name}")),
            None if e.unknown => None,
            None => {
                let message = format!("{at} needs {name}");
                self.problem_at(&node.origin, at, message);
                None
            }
        }
    }

    /// An octal mode written as a string (`"0644"`, `"644"`, `"0o644"`),
    /// at most `max`.
    fn mode(&mut self, node: &Node, at: &str, max: u32, why: &str) -> Option<Field<u32>> {
        let text = match &node.value {
            Value::Str(s) => s.as_str(),
            Value::Int(_) => {
                let message = format!(
                    "{at} must be an octal string such as \"0644\", not an integer (TOML reads 644 as a decimal number)"
                );
                self.problem_at(&node.origin, at, message);
                return None;
            }
            other => {
                let message = format!(
                    "{at} must be an octal string such as \"0644\", not {}",
                    other.type_name()
                );
                self.problem_at(&node.origin, at, message);
                return None;
            }
        };
        let digits = text.strip_prefix("0o").unwrap_or(text);
        let value = (!digits.is_empty()
            && digits.len() <= 5
            && digits.bytes().all(|b| (b'0'..=b'7').contains(&b)))
        .then(|| u32::from_str_radix(digits, 8).ok())
        .flatten();
        match value {
            Some(v) if v <= max => Some(Field {
                value: v,
                origin: node.origin.clone(),
            }),
            Some(_) => {
                let message = format!("{at} {text:?} is more than 0{max:o}{why}");
                self.problem_at(&node.origin, at, message);
                None
            }
            None => {
                let message = format!(
                    "{at} must be an octal mode such as \"0644\" or \"0755\", not {text:?}"
                );
                self.problem_at(&node.origin, at, message);
                None
            }
        }
    }

    /// `user[:group]`: numbers, or names the base's `/etc/passwd` and
    /// `/etc/group` hold.
    fn owner(&mut self, node: &Node, at: &str) -> Option<Field<String>> {
        let f = self.entry_string(node, at)?;
        let part_ok = |p: &str| {
            if p.bytes().all(|b| b.is_ascii_digit()) {
                !p.is_empty() && p.parse::<u32>().is_ok()
            } else {
                p.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                    && p.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
            }
        };
        let parts: Vec<&str> = f.value.split(':').collect();
        if parts.len() > 2 || !parts.iter().all(|p| part_ok(p)) {
            let message = format!(
                "{at} must be \"user\" or \"user:group\", each a number or a name such as \"nonroot\", not {:?}",
                f.value
            );
            self.problem_at(&f.origin, at, message);
            return None;
        }
        Some(f)
    }

    /// A path of the build context, cleaned: no leading `./`, no trailing
    /// `/`, `.` for the context's root. Absolute paths and `..` are refused.
    fn context_path(&mut self, f: Field<String>, at: &str) -> Option<Field<String>> {
        let v = &f.value;
        let leaves = v.split('/').any(|seg| seg == "..");
        let message = if v.is_empty() {
            Some(format!(
                "{at} is empty; name a file, a directory or a glob of the build context"
            ))
        } else if v.starts_with('/') {
            Some(format!(
                "{at} {v:?} is absolute; name the path relative to the build context's root, such as \"config/app.yaml\""
            ))
        } else if leaves {
            Some(format!(
                "{at} {v:?} leaves the build context; only files inside it can be copied"
            ))
        } else if v.contains(char::is_control) {
            Some(format!("{at} {v:?} holds a control character"))
        } else {
            None
        };
        if let Some(message) = message {
            self.problem_at(&f.origin, at, message);
            return None;
        }
        let segs: Vec<&str> = v
            .split('/')
            .filter(|seg| !seg.is_empty() && *seg != ".")
            .collect();
        let cleaned = if segs.is_empty() {
            ".".to_string()
        } else {
            segs.join("/")
        };
        Some(Field {
            value: cleaned,
            origin: f.origin,
        })
    }

    /// An absolute path in the image without `.` or `..`; repeated
    /// slashes are one. A trailing `/` is kept when `dir_slash`, else
    /// refused (the path names a file or directory itself).
    pub(super) fn image_path(
        &mut self,
        f: Field<String>,
        at: &str,
        dir_slash: bool,
        example: &str,
    ) -> Option<Field<String>> {
        let v = &f.value;
        let bad_seg = v.split('/').any(|seg| seg == "." || seg == "..");
        let message = if !v.starts_with('/') {
            Some(format!(
                "{at} must be an absolute path in the image such as {example:?}, not {v:?}"
            ))
        } else if bad_seg {
            Some(format!(
                "{at} {v:?} holds . or ..; write the path without them"
            ))
        } else if v.contains(char::is_control) {
            Some(format!("{at} {v:?} holds a control character"))
        } else if !dir_slash && v.len() > 1 && v.ends_with('/') {
            Some(format!(
                "{at} {v:?} ends with '/'; name the path itself, without the trailing '/'"
            ))
        } else {
            None
        };
        if let Some(message) = message {
            self.problem_at(&f.origin, at, message);
            return None;
        }
        let segs: Vec<&str> = v.split('/').filter(|s| !s.is_empty()).collect();
        let mut cleaned = format!("/{}", segs.join("/"));
        if dir_slash && v.ends_with('/') && cleaned != "/" {
            cleaned.push('/');
        }
        Some(Field {
            value: cleaned,
            origin: f.origin,
        })
    }

    /// `runtime.files`: an array of `{ src, dest, mode, owner }`.
    pub(super) fn files(&mut self, node: &Node) -> Option<Field<Vec<FileSpec>>> {
        let mut out = Vec::new();
        let mut ok = true;
        for (at, item) in self.entries(node)? {
            let Some(e) = self.entry(item, &at, FILE_KEYS) else {
                ok = false;
                continue;
            };
            let src = self
                .required(&e, item, &at, "src")
                .and_then(|s| self.context_path(s, &format!("{at}.src")));
            let dest = self
                .required(&e, item, &at, "dest")
                .and_then(|d| self.image_path(d, &format!("{at}.dest"), true, "/etc/app/"));
            let mode = match e.get("mode") {
                Some(m) => self
                    .mode(
                        m,
                        &format!("{at}.mode"),
                        MAX_MODE,
                        ", the most a mode holds (the permissions, setuid, setgid and sticky bits)",
                    )
                    .map(Some),
                None => Some(None),
            };
            let owner = match e.get("owner") {
                Some(o) => self.owner(o, &format!("{at}.owner")).map(Some),
                None => Some(None),
            };
            let embed = match e.get("embed") {
                Some(b) => {
                    let at = format!("{at}.embed");
                    match &b.value {
                        Value::Bool(v) => Some(Some(Field {
                            value: *v,
                            origin: b.origin.clone(),
                        })),
                        other => {
                            let message = format!(
                                "{at} must be a boolean (true or false), not {}",
                                other.type_name()
                            );
                            self.problem_at(&b.origin, &at, message);
                            None
                        }
                    }
                }
                None => Some(None),
            };
            let (Some(src), Some(dest), Some(mode), Some(owner), Some(embed)) =
                (src, dest, mode, owner, embed)
            else {
                ok = false;
                continue;
            };
            if is_glob(&src.value) && !dest.value.ends_with('/') {
                let message = format!(
                    "{at}.dest {:?} must end with '/' for the glob {:?}: the files it matches go into that directory",
                    dest.value, src.value
                );
                self.problem_at(&dest.origin, &format!("{at}.dest"), message);
                ok = false;
                continue;
            }
            if dest.value == "/" && !is_glob(&src.value) && src.value == "." {
                let message = format!(
                    "{at} copies the whole build context over the image's root; name the files to copy"
                );
                self.problem_at(&item.origin, &at, message);
                ok = false;
                continue;
            }
            out.push(FileSpec {
                origin: item.origin.clone(),
                src,
                dest,
                mode,
                owner,
                embed,
            });
        }
        ok.then(|| Field {
            value: out,
            origin: node.origin.clone(),
        })
    }

    /// `runtime.dirs`: an array of `{ path, mode, owner }`.
    pub(super) fn dirs(&mut self, node: &Node) -> Option<Field<Vec<DirSpec>>> {
        let mut out: Vec<DirSpec> = Vec::new();
        let mut seen: Vec<(String, String)> = Vec::new();
        let mut ok = true;
        for (at, item) in self.entries(node)? {
            let Some(e) = self.entry(item, &at, DIR_KEYS) else {
                ok = false;
                continue;
            };
            let path = self
                .required(&e, item, &at, "path")
                .map(|p| Field {
                    value: without_slash(&p.value),
                    origin: p.origin,
                })
                .and_then(|p| self.image_path(p, &format!("{at}.path"), false, "/var/lib/app"));
            // BuildKit's mkdir keeps the permission bits only (it masks
            // the mode with 0777).
            let mode = match e.get("mode") {
                Some(m) => self
                    .mode(
                        m,
                        &format!("{at}.mode"),
                        0o777,
                        ": a directory gofront creates takes permission bits only (no setuid, setgid or sticky bit)",
                    )
                    .map(Some),
                None => Some(None),
            };
            let owner = match e.get("owner") {
                Some(o) => self.owner(o, &format!("{at}.owner")).map(Some),
                None => Some(None),
            };
            let (Some(path), Some(mode), Some(owner)) = (path, mode, owner) else {
                ok = false;
                continue;
            };
            if path.value == "/" {
                let message = format!("{at}.path is the image's root, which always exists");
                self.problem_at(&path.origin, &format!("{at}.path"), message);
                ok = false;
                continue;
            }
            if let Some(first) = seen.iter().find(|(_, p)| *p == path.value) {
                let message = format!(
                    "{at}.path {:?} is listed twice (also at {}.path)",
                    path.value, first.0
                );
                self.problem_at(&path.origin, &format!("{at}.path"), message);
                ok = false;
                continue;
            }
            seen.push((at.clone(), path.value.clone()));
            out.push(DirSpec {
                origin: item.origin.clone(),
                path,
                mode,
                owner,
            });
        }
        ok.then(|| Field {
            value: out,
            origin: node.origin.clone(),
        })
    }
}

/// A path without its trailing slashes (`/` stays `/`).
pub(super) fn without_slash(p: &str) -> String {
    match p.trim_end_matches('/') {
        "" if p.starts_with('/') => "/".to_string(),
        t => t.to_string(),
    }
}

#[cfg(test)]
mod tests;
