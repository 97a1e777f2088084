//! What the build context tells us about the Go project: its go.mod or
//! go.work, the module directories `go mod download` needs, vendoring and
//! `.dockerignore`.

use std::collections::BTreeMap;

use super::error::PlanError;
use super::mains::{self, Found, Heads, Scan};
use crate::gomod::{self, FileKind, GoFile, GoVersion};

/// The files the gateway read from the build context, as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectFiles {
    /// `go.mod` at the context root.
    pub go_mod: Option<String>,
    /// `go.work` at the context root.
    pub go_work: Option<String>,
    /// `go.mod` of every `go.work` `use` directory, keyed by the clean
    /// relative directory (see [`module_dirs_to_read`]).
    pub member_go_mods: BTreeMap<String, String>,
    /// Whether `vendor/modules.txt` exists.
    pub vendored: bool,
    /// `.dockerignore` at the context root.
    pub dockerignore: Option<String>,
    /// The start of the Go files of the module root and its `cmd/*` (of
    /// each member's, in a workspace), when `build.packages` is unset
    /// ([`mains_scan`]).
    pub heads: Option<Heads>,
}

/// Where to look for main packages when `build.packages` is unset: the
/// module root, or each `go.work` member, with `.dockerignore`'s patterns
/// (checked first: BuildKit must never see a pattern it refuses).
pub fn mains_scan(files: &ProjectFiles) -> Result<Scan, PlanError> {
    let roots = match &files.go_work {
        Some(work) => module_dirs_to_read(work)?,
        None => vec![".".to_string()],
    };
    let patterns = match &files.dockerignore {
        Some(text) => checked_dockerignore(text)?.1,
        None => Vec::new(),
    };
    Ok(mains::scan(&roots, &patterns))
}

/// The project as gofront understands it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Project {
    /// Root module path, when there is a root go.mod.
    pub module: Option<String>,
    /// The `go` line that governs the build (go.work's in a workspace).
    #[serde(serialize_with = "version")]
    pub go: GoVersion,
    /// The `toolchain` line, if any.
    #[serde(serialize_with = "toolchain")]
    pub toolchain: Option<GoVersion>,
    /// Whether this is a go.work workspace.
    pub workspace: bool,
    /// Whether dependencies are vendored.
    pub vendored: bool,
    /// Whether any module requires anything (else there is nothing to download).
    pub has_requirements: bool,
    /// Relative directories of every module (`.` for the root), including
    /// local `replace` targets: their go.mod/go.sum feed `go mod download`.
    pub module_dirs: Vec<String>,
    /// Module path of each module directory, where known.
    pub module_paths: BTreeMap<String, String>,
    /// go.work `use` directories, cleaned (empty outside a workspace).
    pub workspace_members: Vec<String>,
    /// The main packages found in the module root and `cmd/*` (each
    /// member's, in a workspace): what a build without `build.packages`
    /// builds. `None` when gofront did not look (`build.packages` is set).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mains: Option<Found>,
    /// The newest go line of a workspace member, when it asks for more
    /// than go.work's: the builder must satisfy it too.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member_go: Option<MemberGo>,
}

/// A workspace member's go line.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MemberGo {
    /// Its go.mod, relative to the context (`app/go.mod`).
    pub file: String,
    /// The version it asks for.
    #[serde(serialize_with = "version")]
    pub go: GoVersion,
}

impl Project {
    /// The newest Go the build asks for, and the file that asks: go.mod's
    /// go line, or in a workspace the newest of go.work's and every
    /// member's (with GOTOOLCHAIN=local, Go refuses a module whose go line
    /// is newer than itself).
    pub fn needed_go(&self) -> (&str, &GoVersion) {
        match &self.member_go {
            Some(m) => (&m.file, &m.go),
            None if self.workspace => ("go.work", &self.go),
            None => ("go.mod", &self.go),
        }
    }

    /// The Go of gofront's default builder: the toolchain line, an exact
    /// release, when it satisfies [`Project::needed_go`]; else that go
    /// line, a minimum, which the newest patch of its release satisfies.
    pub fn default_go(&self) -> &GoVersion {
        let (_, needed) = self.needed_go();
        match &self.toolchain {
            Some(t) if t.satisfies(needed) => t,
            _ => needed,
        }
    }
}

fn version<S: serde::Serializer>(v: &GoVersion, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

fn toolchain<S: serde::Serializer>(v: &Option<GoVersion>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.collect_str(v),
        None => s.serialize_none(),
    }
}

/// Directories whose go.mod the gateway must read after go.work: the
/// `use` directories, cleaned. Directories outside the context are left out
/// here and reported by [`analyze`]; a go.work that does not parse is
/// reported here.
pub fn module_dirs_to_read(go_work: &str) -> Result<Vec<String>, PlanError> {
    let w = parse_file(FileKind::Work, "go.work", go_work)?;
    Ok(w.uses.iter().filter_map(|u| clean_rel("", u)).collect())
}

/// Parses and checks the project files: the module layout, then
/// `.dockerignore` against it (as the driver runs them).
#[cfg(test)]
pub fn analyze(files: &ProjectFiles) -> Result<Project, PlanError> {
    let project = layout(files)?;
    if let Some(text) = &files.dockerignore {
        check_dockerignore(text, &project)?;
    }
    Ok(project)
}

/// The module layout the project files describe.
pub fn layout(files: &ProjectFiles) -> Result<Project, PlanError> {
    // Each parsed file with its text, for located errors.
    let root = match &files.go_mod {
        Some(text) => Some((parse_module("go.mod", text)?, text.as_str())),
        None => None,
    };
    let work = match &files.go_work {
        Some(text) => Some((parse_file(FileKind::Work, "go.work", text)?, text.as_str())),
        None => None,
    };
    let mut module_dirs = Vec::new();
    let mut module_paths = BTreeMap::new();
    let mut has_requirements = false;
    let mut workspace_members = Vec::new();
    let mut member_go: Option<MemberGo> = None;
    // go.work itself is no module; its replaces still count.
    let mut visit = |dir: &str, file_name: &str, text: &str, f: &GoFile| -> Result<(), PlanError> {
        if file_name != "go.work" {
            module_dirs.push(dir.to_string());
        }
        if let Some(m) = &f.module {
            module_paths.insert(dir.to_string(), m.clone());
        }
        has_requirements |= f.requires > 0;
        for target in &f.local_replaces {
            let cleaned = clean_rel(dir, target).ok_or_else(|| PlanError::ReplaceOutside {
                file: file_name.to_string(),
                line: f.replace_line(target),
                target: target.clone(),
                text: text.to_string(),
            })?;
            module_dirs.push(cleaned);
            // A replaced module may have requirements of its own.
            has_requirements = true;
        }
        Ok(())
    };
    let (go, toolchain, workspace) = match (&work, &root) {
        (Some((w, work_text)), _) => {
            visit(".", "go.work", work_text, w)?;
            // Each member's module path and `use` as written, for Go's
            // refusals of a directory or module used twice.
            let mut used: Vec<(String, &str)> = Vec::new();
            for (u, line) in w.uses_with_lines() {
                let dir = clean_rel("", u).ok_or_else(|| PlanError::UseOutside {
                    line,
                    dir: u.clone(),
                    text: work_text.to_string(),
                })?;
                // In Go's words (modload.LoadWorkFile, NewMainModules).
                let twice = |message: String| PlanError::GoFile {
                    file: "go.work".into(),
                    line,
                    message,
                    text: work_text.to_string(),
                };
                if workspace_members.contains(&dir) {
                    return Err(twice(format!(
                        "path {u} appears multiple times in workspace"
                    )));
                }
                workspace_members.push(dir.clone());
                let name = format!("{dir}/go.mod");
                let text = files.member_go_mods.get(&dir).ok_or_else(|| {
                    PlanError::MissingMemberGoMod {
                        dir: u.clone(),
                        line,
                        text: work_text.to_string(),
                    }
                })?;
                let m = parse_module(&name, text)?;
                if let Some(path) = &m.module {
                    if let Some((_, first)) = used.iter().find(|(p, _)| p == path) {
                        return Err(twice(format!(
                            "module {path} appears multiple times in workspace (used by {first} and {u})"
                        )));
                    }
                    used.push((path.clone(), u));
                }
                // The newest go line above go.work's.
                if let Some(go) = &m.go {
                    let newest = member_go.as_ref().map(|n| &n.go).or(w.go.as_ref());
                    if !newest.is_some_and(|n| n.satisfies(go)) {
                        member_go = Some(MemberGo {
                            file: name.clone(),
                            go: go.clone(),
                        });
                    }
                }
                visit(&dir, &name, text, &m)?;
            }
            let go = w.go.clone().ok_or(PlanError::NoGoLine {
                file: "go.work".into(),
            })?;
            (go, w.toolchain.clone(), true)
        }
        (None, Some((m, text))) => {
            visit(".", "go.mod", text, m)?;
            let go = m.go.clone().ok_or(PlanError::NoGoLine {
                file: "go.mod".into(),
            })?;
            (go, m.toolchain.clone(), false)
        }
        (None, None) => return Err(PlanError::NoGoMod),
    };
    module_dirs.sort();
    module_dirs.dedup();
    let mains = files.heads.as_ref().map(|heads| {
        let roots = if workspace {
            workspace_members.clone()
        } else {
            vec![".".to_string()]
        };
        mains::found(&roots, heads)
    });
    let project = Project {
        module: root.and_then(|(r, _)| r.module),
        go,
        toolchain,
        workspace,
        vendored: files.vendored && !workspace,
        has_requirements,
        module_dirs,
        module_paths,
        workspace_members,
        mains,
        member_go,
    };
    Ok(project)
}

fn parse_file(kind: FileKind, name: &str, text: &str) -> Result<GoFile, PlanError> {
    gomod::parse_kind(kind, text).map_err(|e| PlanError::GoFile {
        file: name.to_string(),
        line: e.line,
        message: e.message,
        text: text.to_string(),
    })
}

/// A go.mod, which Go refuses without a `module` line.
fn parse_module(name: &str, text: &str) -> Result<GoFile, PlanError> {
    let f = parse_file(FileKind::Mod, name, text)?;
    if f.module.is_none() {
        return Err(PlanError::NoModuleLine {
            file: name.to_string(),
        });
    }
    Ok(f)
}

/// Joins `rel` onto `dir` (both relative to the context root) and cleans
/// the result; `None` when it leaves the context or is absolute.
pub fn clean_rel(dir: &str, rel: &str) -> Option<String> {
    if rel.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for seg in dir.split('/').chain(rel.split('/')) {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    })
}

/// A module's files `go mod download` reads, relative to its directory.
pub const MODULE_FILES: [&str; 2] = ["go.mod", GO_SUM];
/// go.sum at the context root (the `--sbom` document reads its hashes).
pub const GO_SUM: &str = "go.sum";

/// Files `go mod download` needs from the context, as include patterns.
/// For a single module at the context's root this is exactly
/// [`MODULE_FILES`], which the gateway reads go.mod through (the same source
/// op, so BuildKit transfers them once per build).
pub fn download_files(project: &Project) -> Vec<String> {
    let mut out = Vec::new();
    if project.workspace {
        out.push("go.work".to_string());
        out.push("go.work.sum".to_string());
    }
    for dir in &project.module_dirs {
        for f in MODULE_FILES {
            out.push(if dir == "." {
                f.to_string()
            } else {
                format!("{dir}/{f}")
            });
        }
    }
    out.sort();
    out.dedup();
    out
}

/// `.dockerignore` patterns as BuildKit's ignore-file reader returns them.
pub fn dockerignore_patterns(text: &str) -> Vec<String> {
    crate::dockerignore::patterns(text)
}

/// The files of the context the Go steps read that gofront planned with:
/// every module's go.mod (and go.sum when there is something to download),
/// go.work (and go.work.sum), the vendor directory when vendored.
fn files_go_needs(project: &Project) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let both = |name: &str| (name.to_string(), name.to_string());
    if project.workspace {
        out.push(both("go.work"));
        if project.has_requirements {
            out.push(both("go.work.sum"));
        }
    }
    for dir in &project.module_dirs {
        let at = |f: &str| {
            if dir == "." {
                f.to_string()
            } else {
                format!("{dir}/{f}")
            }
        };
        out.push(both(&at("go.mod")));
        if project.has_requirements && !project.vendored {
            out.push(both(&at("go.sum")));
        }
    }
    if project.vendored {
        // The list, and the vendored sources (any file stands for them).
        out.push(("vendor/modules.txt".into(), "vendor/".into()));
        out.push((
            "vendor/example.com/module/module.go".into(),
            "vendor/".into(),
        ));
    }
    out
}

/// What `.dockerignore` hides of the files the Go steps need: each as the
/// user would name it (`vendor/` for the vendored sources) with the line of
/// the pattern, once each; empty when it cannot be read (the plan says why).
pub fn dockerignore_hides(text: &str, project: &Project) -> Vec<(String, usize)> {
    let Ok(matcher) = crate::dockerignore::Matcher::new(&crate::dockerignore::read(text)) else {
        return Vec::new();
    };
    let mut out: Vec<(String, usize)> = Vec::new();
    for (path, what) in files_go_needs(project) {
        if let Some(line) = matcher.excluded_by(&path)
            && !out.iter().any(|(w, _)| *w == what)
        {
            out.push((what, line));
        }
    }
    out
}

/// `.dockerignore` compiled, and its patterns as BuildKit receives them;
/// an error for a line BuildKit cannot read or a pattern it refuses.
fn checked_dockerignore(
    text: &str,
) -> Result<(crate::dockerignore::Matcher, Vec<String>), PlanError> {
    let located = |line: usize, message: String| PlanError::Dockerignore {
        line,
        message,
        text: text.to_string(),
    };
    if let Some(line) = crate::dockerignore::too_long_line(text) {
        return Err(located(
            line,
            format!(
                "the line is longer than {} bytes, which BuildKit cannot read; split the pattern",
                crate::dockerignore::MAX_LINE
            ),
        ));
    }
    let entries = crate::dockerignore::read(text);
    let matcher = crate::dockerignore::Matcher::new(&entries)
        .map_err(|bad| located(bad.line, bad.message))?;
    Ok((matcher, entries.into_iter().map(|e| e.pattern).collect()))
}

/// `.dockerignore` must not hide from the Go steps a file the plan was
/// made from (they would then fail, or build something else).
pub fn check_dockerignore(text: &str, project: &Project) -> Result<(), PlanError> {
    let located = |line: usize, message: String| PlanError::Dockerignore {
        line,
        message,
        text: text.to_string(),
    };
    let (matcher, _) = checked_dockerignore(text)?;
    let entries = crate::dockerignore::read(text);
    for (path, what) in files_go_needs(project) {
        if let Some(line) = matcher.excluded_by(&path) {
            let pattern = entries
                .iter()
                .find(|e| e.line == line)
                .map_or("", |e| e.pattern.as_str());
            let keep = what.trim_end_matches('/');
            return Err(located(
                line,
                format!(
                    "the pattern {pattern:?} leaves {what} out of the build, which the go steps need; remove it or add !{keep} after it"
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerignore_hides_names_the_vendored_sources_once() {
        let project = Project {
            vendored: true,
            has_requirements: true,
            module_dirs: vec![".".into()],
            ..analyze(&files("module a\ngo 1.24\n")).unwrap()
        };
        assert_eq!(
            dockerignore_hides("# sources\nvendor\ngo.mod\n", &project),
            vec![("go.mod".to_string(), 3), ("vendor/".to_string(), 2)]
        );
    }

    fn files(go_mod: &str) -> ProjectFiles {
        ProjectFiles {
            go_mod: Some(go_mod.to_string()),
            ..ProjectFiles::default()
        }
    }

    #[test]
    fn module_with_local_replace() {
        let p = analyze(&files(
            "module example.com/a\ngo 1.24\nrequire x v1.0.0\nreplace x => ./third_party/x\n",
        ))
        .unwrap();
        assert_eq!(p.module_dirs, vec![".", "third_party/x"]);
        assert_eq!(
            download_files(&p),
            vec![
                "go.mod",
                "go.sum",
                "third_party/x/go.mod",
                "third_party/x/go.sum"
            ]
        );
        assert!(p.has_requirements);
    }

    #[test]
    fn replace_outside_the_context_is_an_error() {
        let e = analyze(&files("module a\ngo 1.24\n\nreplace x => ../x\n")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "go.mod:4: replace target \"../x\" is outside the build context; move it inside or build from a parent directory"
        );
    }

    #[test]
    fn workspace_reads_members() {
        let mut f = ProjectFiles {
            go_work: Some("go 1.24\nuse (\n ./app\n ./lib\n)\n".into()),
            ..ProjectFiles::default()
        };
        assert_eq!(
            module_dirs_to_read(f.go_work.as_deref().unwrap()).unwrap(),
            vec!["app", "lib"]
        );
        f.member_go_mods
            .insert("app".into(), "module example.com/app\ngo 1.24\n".into());
        let missing = analyze(&f).unwrap_err();
        assert_eq!(
            missing.to_string(),
            "go.work:4: use directory \"./lib\" has no go.mod in the build context"
        );
        f.member_go_mods
            .insert("lib".into(), "module example.com/lib\ngo 1.24\n".into());
        let p = analyze(&f).unwrap();
        assert!(p.workspace);
        assert!(!p.has_requirements);
        assert_eq!(p.module_paths["app"], "example.com/app");
        assert_eq!(
            download_files(&p),
            vec![
                "app/go.mod",
                "app/go.sum",
                "go.work",
                "go.work.sum",
                "lib/go.mod",
                "lib/go.sum"
            ]
        );
    }

    #[test]
    fn use_outside_the_context_is_named_as_such() {
        let f = ProjectFiles {
            go_work: Some("go 1.24\nuse ../elsewhere\n".into()),
            ..ProjectFiles::default()
        };
        assert_eq!(
            analyze(&f).unwrap_err().to_string(),
            "go.work:2: use directory \"../elsewhere\" is outside the build context; move it inside or build from a parent directory"
        );
    }

    #[test]
    fn missing_or_broken_go_mod() {
        assert_eq!(
            analyze(&ProjectFiles::default()).unwrap_err().to_string(),
            "no go.mod or go.work at the root of the build context; gofront builds Go modules (run `go mod init` first)"
        );
        assert_eq!(
            analyze(&files("module a\ngo banana\n"))
                .unwrap_err()
                .to_string(),
            "go.mod:2: invalid go version 'banana': must match format 1.23.0"
        );
        assert_eq!(
            analyze(&files("module a\n")).unwrap_err().to_string(),
            "go.mod has no go line; add one such as `go 1.24`"
        );
        assert_eq!(
            analyze(&files("go 1.24\n")).unwrap_err().to_string(),
            "go.mod has no module line; add one such as `module example.com/app` (go mod init writes it)"
        );
    }

    #[test]
    fn dockerignore_is_cleaned() {
        assert_eq!(
            dockerignore_patterns("# c\n\n/secret.txt\n!keep/./me\n  build/  \n"),
            vec!["secret.txt", "!keep/me", "build"]
        );
    }
}
