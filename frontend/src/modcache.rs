//! The module download cache tool: `gofront modcache --cache DIR
//! --modcache GOMODCACHE -- go mod download`, run in the download step
//! from gofront's own image (never inside the frontend process).
//!
//! The download step's module cache is a fresh layer on every go.mod
//! change. Go's download cache (`$GOMODCACHE/cache/download`: each
//! module's `.info`, `.mod`, `.zip` and `.ziphash`) is in the module proxy
//! layout, so a copy of it kept on a cache mount serves as a `file://`
//! proxy tried before the user's `GOPROXY`: the download then fetches only
//! modules that are new, and the tool copies those into the cache mount
//! afterwards. `GOPROXY=off` (vendored or offline builds) runs the command
//! as it is. Version lists (`@v/list`) and the checksum database's files
//! are never kept: a stale list served first would hide newer versions.

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::Path;
use std::process::{Command, ExitCode};

use crate::gocache::{ToolError, copy_entry, io_err};

/// Go's default when `GOPROXY` is unset.
const DEFAULT_GOPROXY: &str = "https://proxy.golang.org,direct";

/// The `GOPROXY` the download runs with: the cache first, then the user's.
/// `None` when the user's is `off`: nothing may be fetched, so nothing is
/// looked up either.
pub fn goproxy_with_cache(cache: &Path, user: Option<&str>) -> Option<String> {
    let user = user
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or(DEFAULT_GOPROXY);
    if user == "off" {
        return None;
    }
    Some(format!("file://{},{user}", cache.display()))
}

/// Whether a file below `cache/download` is worth keeping: a module's
/// `.info`, `.mod`, `.zip` or `.ziphash`, never `list`, lock or partial
/// files, nor the checksum database's.
pub fn keep(rel: &str) -> bool {
    if rel.starts_with("sumdb/") || !rel.contains("/@v/") {
        return false;
    }
    let name = rel.rsplit('/').next().unwrap_or(rel);
    [".info", ".mod", ".zip", ".ziphash"]
        .iter()
        .any(|ext| name.ends_with(ext) && name.len() > ext.len())
}

/// `module@version` for a kept `.zip` (`golang.org/x/text/@v/v0.3.0.zip`
/// gives `golang.org/x/text@v0.3.0`; paths stay in Go's escaped form).
pub fn module_of(rel: &str) -> Option<String> {
    let (module, file) = rel.split_once("/@v/")?;
    let version = file.strip_suffix(".zip")?;
    Some(format!("{module}@{version}"))
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) -> Result<(), ToolError> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_err(dir)(e)),
    };
    for e in entries {
        let e = e.map_err(io_err(dir))?;
        let ft = e.file_type().map_err(io_err(&e.path()))?;
        let path = e.path();
        if ft.is_dir() {
            walk(root, &path, out)?;
        } else if ft.is_file()
            && let Ok(rel) = path.strip_prefix(root)
            && let Some(rel) = rel.to_str()
            && keep(rel)
        {
            out.push(rel.to_string());
        }
    }
    Ok(())
}

/// What a sync kept.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SyncReport {
    /// Files copied into the cache.
    pub files: usize,
    /// Their bytes.
    pub bytes: u64,
    /// The modules they belong to (`module@version`), sorted.
    pub modules: BTreeSet<String>,
}

/// Copies the download cache files of `modcache` that `cache` lacks.
pub fn sync(modcache: &Path, cache: &Path) -> Result<SyncReport, ToolError> {
    copy_kept(&modcache.join("cache").join("download"), cache)
}

/// Copies the module files below `from` (in the proxy layout) that `to`
/// lacks, in a stable order, never replacing a file.
pub fn copy_kept(from: &Path, to: &Path) -> Result<SyncReport, ToolError> {
    let mut files = Vec::new();
    walk(from, from, &mut files)?;
    files.sort();
    let mut report = SyncReport::default();
    for rel in files {
        let dest = to.join(&rel);
        if fs::symlink_metadata(&dest).is_ok() {
            continue;
        }
        report.bytes += copy_entry(&from.join(&rel), &dest)?;
        report.files += 1;
        if let Some(m) = module_of(&rel) {
            report.modules.insert(m);
        }
    }
    Ok(report)
}

/// `gofront modcache ...`.
pub fn main(args: &[String]) -> ExitCode {
    match run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("gofront modcache: {e}");
            ExitCode::from(1)
        }
    }
}

fn run(args: &[String]) -> Result<ExitCode, ToolError> {
    let p = crate::gocache::parse(args, &["--cache", "--modcache"], &["--seed"])?;
    let cache = Path::new(p.flags["--cache"]);
    let modcache = Path::new(p.flags["--modcache"]);
    // Modules an earlier export carried (GOFRONT_GOCACHE_MODULES) join the
    // download cache first.
    if let Some(seed) = p.flags.get("--seed") {
        let r = copy_kept(Path::new(seed), cache)?;
        eprintln!(
            "gofront modcache: seeded {} module file(s), {:.1} MB",
            r.files,
            r.bytes as f64 / 1e6
        );
    }
    let mut cmd = Command::new(&p.command[0]);
    cmd.args(&p.command[1..]);
    let proxy = goproxy_with_cache(cache, std::env::var("GOPROXY").ok().as_deref());
    if let Some(proxy) = &proxy {
        cmd.env("GOPROXY", proxy);
    }
    let status = cmd.status().map_err(|source| ToolError::Spawn {
        command: p.command[0].clone(),
        source,
    })?;
    if !status.success() {
        return Ok(ExitCode::from(
            status.code().unwrap_or(1).clamp(1, 255) as u8
        ));
    }
    if proxy.is_none() {
        return Ok(ExitCode::SUCCESS);
    }
    let r = sync(modcache, cache)?;
    let fetched: Vec<&str> = r.modules.iter().map(String::as_str).collect();
    eprintln!(
        "gofront modcache: fetched {} module(s) not in the download cache{}{}; kept {} file(s), {:.1} MB",
        fetched.len(),
        if fetched.is_empty() { "" } else { ": " },
        fetched.join(", "),
        r.files,
        r.bytes as f64 / 1e6
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_comes_first_and_off_stays_off() {
        let c = Path::new("/gofront/moddl");
        assert_eq!(
            goproxy_with_cache(c, None).as_deref(),
            Some("file:///gofront/moddl,https://proxy.golang.org,direct")
        );
        assert_eq!(
            goproxy_with_cache(c, Some("file:///goproxy")).as_deref(),
            Some("file:///gofront/moddl,file:///goproxy")
        );
        assert_eq!(goproxy_with_cache(c, Some("off")), None);
        assert_eq!(
            goproxy_with_cache(c, Some("")).as_deref(),
            Some("file:///gofront/moddl,https://proxy.golang.org,direct")
        );
    }

    #[test]
    fn keeps_module_files_only() {
        assert!(keep("gofront.test/greet/@v/v1.0.0.zip"));
        assert!(keep("gofront.test/greet/@v/v1.0.0.mod"));
        assert!(keep("gofront.test/greet/@v/v1.0.0.info"));
        assert!(keep("gofront.test/greet/@v/v1.0.0.ziphash"));
        assert!(!keep("gofront.test/greet/@v/list"));
        assert!(!keep("gofront.test/greet/@v/v1.0.0.lock"));
        assert!(!keep("gofront.test/greet/@v/v1.0.0.partial"));
        assert!(!keep("sumdb/sum.golang.org/lookup/x@v1.0.0"));
        assert!(!keep("gofront.test/greet/@v/.zip"));
        assert_eq!(
            module_of("golang.org/x/text/@v/v0.3.0.zip").as_deref(),
            Some("golang.org/x/text@v0.3.0")
        );
        assert_eq!(module_of("golang.org/x/text/@v/v0.3.0.mod"), None);
    }

    #[test]
    fn sync_copies_what_the_cache_lacks() {
        let base = std::env::temp_dir().join(format!("gofront-modcache-{}", std::process::id()));
        let _ = fs::remove_dir_all(&base);
        let dl = base.join("mod/cache/download/gofront.test/greet/@v");
        fs::create_dir_all(&dl).unwrap();
        for (f, data) in [
            ("v1.0.0.zip", "zip"),
            ("v1.0.0.mod", "mod"),
            ("list", "v1.0.0\n"),
            ("v1.0.0.lock", ""),
        ] {
            fs::write(dl.join(f), data).unwrap();
        }
        let cache = base.join("cache");
        let kept = cache.join("gofront.test/greet/@v");
        fs::create_dir_all(&kept).unwrap();
        fs::write(kept.join("v1.0.0.mod"), "already").unwrap();
        let r = sync(&base.join("mod"), &cache).unwrap();
        assert_eq!(r.files, 1);
        assert_eq!(r.bytes, 3);
        assert_eq!(
            r.modules.into_iter().collect::<Vec<_>>(),
            ["gofront.test/greet@v1.0.0"]
        );
        assert_eq!(
            fs::read_to_string(kept.join("v1.0.0.mod")).unwrap(),
            "already"
        );
        assert!(!kept.join("list").exists());
        assert!(!kept.join("v1.0.0.lock").exists());
        let _ = fs::remove_dir_all(&base);
    }
}
