//! The Go build cache tool: `gofront gocache seed|export`, run inside build
//! steps from gofront's own image (never inside the frontend process).
//!
//! - `seed --from SEED --into GOCACHE -- CMD...` copies the entries of an
//!   earlier export into GOCACHE without replacing any entry already there,
//!   then runs CMD in its place (exec). Copied files get the time of the
//!   copy as mtime: Go trims entries unused for five days by mtime, so an
//!   old stamp would throw the seed away on the first build.
//! - `export --cache GOCACHE --out DIR -- go list -export -deps ...` runs
//!   the `go list`, whose `Export` paths are the compiled packages the build
//!   uses, and copies exactly those entries: each output file (`<id>-d`),
//!   the action entries (`<id>-a`) that point at it, and their compiler
//!   output (`stdout`) entries. File times cannot tell what a build used
//!   (Go refreshes an entry's mtime at most once an hour); `go list` can.
//!
//! Go's cache layout (cmd/go/internal/cache): 256 directories `00`..`ff`;
//! an action entry `<action>-a` is one line `v1 <action> <output> <size>
//! <time>`; an output `<output>-d` holds the bytes. Both names are the
//! lowercase hex of a SHA-256, and the directory is the name's first two
//! characters. Nothing else in a seed is ever copied.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use sha2::{Digest, Sha256};

use crate::cachetool::{
    ExportArgs, SeedArgs, ToolError, copy_entry, copy_kept, io_err, mb, split_command,
};

/// The file an export writes beside the entries, and a seed must hold.
pub const MANIFEST: &str = "gofront-gocache.json";
/// Where an export keeps the module download cache (`GOFRONT_GOCACHE_MODULES`).
pub const MODULES_DIR: &str = "modules";
/// What the manifest's `format` says.
pub const FORMAT: &str = "gofront-gocache/1";
/// Action entries are about 175 bytes; read no more than this of one.
const MAX_ACTION_ENTRY: u64 = 1024;

/// Whether `name` is a Go cache entry: 64 lowercase hex digits, then `-a`
/// (an action) or `-d` (an output).
pub fn is_entry_name(name: &str) -> bool {
    match name.split_once('-') {
        Some((hex, "a" | "d")) => is_hash(hex),
        _ => false,
    }
}

fn is_hash(hex: &str) -> bool {
    crate::cacheprog::unhex(hex).is_some()
}

/// The action and output ids of an action entry's text, if it is one.
pub fn parse_action_entry(text: &str) -> Option<(&str, &str)> {
    let mut fields = text.split_ascii_whitespace();
    match (fields.next(), fields.next(), fields.next()) {
        (Some("v1"), Some(action), Some(output)) if is_hash(action) && is_hash(output) => {
            Some((action, output))
        }
        _ => None,
    }
}

/// The action id Go files a compile's printed output under
/// (`cache.Subkey(action, "stdout")`).
pub fn stdout_subkey(action: &str) -> Option<String> {
    let bytes = crate::cacheprog::unhex(action)?;
    let mut h = Sha256::new();
    h.update(b"subkey:");
    h.update(bytes);
    h.update(b"stdout");
    Some(hex::encode(h.finalize()))
}

/// The entry file names an export keeps: for every used output, the
/// output and each action entry pointing at it, and those actions'
/// `stdout` entries with their outputs. `actions` maps action id to output
/// id for every action entry in the cache.
pub fn select(used: &BTreeSet<String>, actions: &BTreeMap<String, String>) -> BTreeSet<String> {
    let mut keep = BTreeSet::new();
    for (action, output) in actions {
        if !used.contains(output) {
            continue;
        }
        keep.insert(format!("{action}-a"));
        keep.insert(format!("{output}-d"));
        if let Some(sub) = stdout_subkey(action)
            && let Some(sub_out) = actions.get(&sub)
        {
            keep.insert(format!("{sub}-a"));
            keep.insert(format!("{sub_out}-d"));
        }
    }
    keep
}

/// Where an entry lives below a cache root.
fn entry_path(root: &Path, name: &str) -> PathBuf {
    root.join(&name[..2]).join(name)
}

/// Entry file names of a cache (or seed) directory, sorted, outputs first
/// so that a copy never leaves an action pointing at a missing output.
fn list_entries(root: &Path) -> Result<Vec<String>, ToolError> {
    let mut names = Vec::new();
    let dirs = match fs::read_dir(root) {
        Ok(d) => d,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(names),
        Err(e) => return Err(io_err(root)(e)),
    };
    for dir in dirs {
        let dir = dir.map_err(io_err(root))?;
        let dname = dir.file_name();
        let Some(dname) = dname.to_str() else {
            continue;
        };
        if dname.len() != 2 || !dir.file_type().map_err(io_err(&dir.path()))?.is_dir() {
            continue;
        }
        for f in fs::read_dir(dir.path()).map_err(io_err(&dir.path()))? {
            let f = f.map_err(io_err(&dir.path()))?;
            let name = f.file_name();
            let Some(name) = name.to_str() else { continue };
            // Regular files only: a symlink in a seed is never followed.
            if is_entry_name(name)
                && name.starts_with(dname)
                && f.file_type().map_err(io_err(&f.path()))?.is_file()
            {
                names.push(name.to_string());
            }
        }
    }
    names.sort_by(|a, b| (a.ends_with("-a"), a).cmp(&(b.ends_with("-a"), b)));
    Ok(names)
}

/// What a seed added.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SeedReport {
    /// Entries in the seed.
    pub offered: usize,
    /// Entries copied (the others were already in the cache).
    pub copied: usize,
    /// Bytes copied.
    pub bytes: u64,
}

/// Merges the entries of `from` into the cache at `into`, never replacing
/// an entry that is there.
pub fn seed(from: &Path, into: &Path) -> Result<SeedReport, ToolError> {
    let names = list_entries(from)?;
    let has_files = match fs::read_dir(from) {
        Ok(mut d) => d.next().is_some(),
        Err(_) => false,
    };
    if has_files && !from.join(MANIFEST).is_file() {
        return Err(ToolError::NotAnExport(MANIFEST));
    }
    let mut report = SeedReport {
        offered: names.len(),
        ..SeedReport::default()
    };
    for name in &names {
        let dest = entry_path(into, name);
        if fs::symlink_metadata(&dest).is_ok() {
            continue;
        }
        report.bytes += copy_entry(&entry_path(from, name), &dest)?;
        report.copied += 1;
    }
    Ok(report)
}

/// What an export wrote.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ExportReport {
    /// Compiled packages `go list` named.
    pub packages: usize,
    /// Entries in the cache.
    pub in_cache: usize,
    /// Entries written.
    pub written: usize,
    /// Bytes written.
    pub bytes: u64,
    /// Module download cache files and bytes written below `modules/`,
    /// when asked for.
    pub module_files: Option<(usize, u64)>,
}

/// Copies the entries that the outputs named by `export_paths` (lines of
/// `go list -export`) need from the cache at `cache` to `out`, with a
/// manifest.
pub fn export(
    cache: &Path,
    out: &Path,
    export_paths: &str,
    modules: Option<&Path>,
) -> Result<ExportReport, ToolError> {
    let mut used = BTreeSet::new();
    for line in export_paths
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        let p = Path::new(line);
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let output = name.strip_suffix("-d").filter(|h| is_hash(h));
        match output {
            Some(h) if p.starts_with(cache) => {
                used.insert(h.to_string());
            }
            _ => return Err(ToolError::NotInCache(line.to_string())),
        }
    }
    let names = list_entries(cache)?;
    let mut actions = BTreeMap::new();
    for name in names.iter().filter(|n| n.ends_with("-a")) {
        let path = entry_path(cache, name);
        let mut text = String::new();
        fs::File::open(&path)
            .and_then(|f| f.take(MAX_ACTION_ENTRY).read_to_string(&mut text))
            .map_err(io_err(&path))?;
        if let Some((action, output)) = parse_action_entry(&text)
            && name.starts_with(action)
        {
            actions.insert(action.to_string(), output.to_string());
        }
    }
    let keep = select(&used, &actions);
    write_export(cache, out, &names, &keep, used.len(), modules)
}

/// Copies the entries named in `keep` (those of them in the cache) from
/// `cache` to `out`, outputs first, then `modules` and the manifest.
/// `cached` is the cache's entry names; `packages` goes in the report.
fn write_export(
    cache: &Path,
    out: &Path,
    cached: &[String],
    keep: &BTreeSet<String>,
    packages: usize,
    modules: Option<&Path>,
) -> Result<ExportReport, ToolError> {
    let present: BTreeSet<&String> = cached.iter().collect();
    let mut report = ExportReport {
        packages,
        in_cache: cached.len(),
        ..ExportReport::default()
    };
    // Outputs first, as in a seed.
    let mut ordered: Vec<&String> = keep.iter().filter(|n| present.contains(n)).collect();
    ordered.sort_by(|a, b| (a.ends_with("-a"), a).cmp(&(b.ends_with("-a"), b)));
    for name in ordered {
        report.bytes += copy_entry(&entry_path(cache, name), &entry_path(out, name))?;
        report.written += 1;
    }
    if let Some(dir) = modules {
        let m = copy_kept(dir, &out.join(MODULES_DIR))?;
        report.module_files = Some((m.files, m.bytes));
    }
    let mut manifest = serde_json::json!({
        "format": FORMAT,
        "entries": report.written,
        "bytes": report.bytes,
    });
    if let Some((files, bytes)) = report.module_files {
        manifest["modules"] = serde_json::json!({ "files": files, "bytes": bytes });
    }
    let path = out.join(MANIFEST);
    fs::write(&path, format!("{manifest}\n")).map_err(io_err(&path))?;
    Ok(report)
}

/// Copies the entries the used lists at `lists` name (those that exist)
/// from `cache` to `out`, as [`export`] does for `go list`'s. `None` when
/// no list exists (the steps' Go did not run the cache program).
pub fn export_used(
    cache: &Path,
    out: &Path,
    lists: &[PathBuf],
    modules: Option<&Path>,
) -> Result<Option<ExportReport>, ToolError> {
    if !lists.iter().any(|l| l.is_file()) {
        return Ok(None);
    }
    let keep = crate::cacheprog::select_used(cache, lists)
        .map_err(|e| ToolError::UsedList(e.to_string()))?;
    let names = list_entries(cache)?;
    let actions = keep.iter().filter(|n| n.ends_with("-a")).count();
    write_export(cache, out, &names, &keep, actions, modules).map(Some)
}

/// The `GOCACHEPROG` value that runs this very program as the cache
/// program over `cache`, recording what Go used in `used`.
fn cacheprog_command(cache: &str, used: &str, context: Option<&str>) -> Result<String, ToolError> {
    let exe = std::env::current_exe().map_err(|source| ToolError::Spawn {
        command: "gofront gocache prog".into(),
        source,
    })?;
    let exe = exe.display().to_string();
    // Go splits GOCACHEPROG on spaces (cmd/internal/quoted); gofront's own
    // paths have none.
    let context = context.unwrap_or("");
    if [exe.as_str(), cache, used, context]
        .iter()
        .any(|p| p.contains(char::is_whitespace))
    {
        return Err(ToolError::UsedList(format!(
            "cannot run the Go cache program: a path has a space ({exe}, {cache}, {used}, {context})"
        )));
    }
    Ok(if context.is_empty() {
        format!("{exe} gocache prog --dir {cache} --used {used}")
    } else {
        format!("{exe} gocache prog --dir {cache} --used {used} --context {context}")
    })
}

/// `gofront gocache seed`: merges the seed, stamps the source's times from
/// its content (`--stamp`), then execs the command, through the Go cache
/// program when `--used` asks; returns only if it cannot.
pub fn run_seed(args: &SeedArgs) -> Result<(), ToolError> {
    let start = Instant::now();
    let r = seed(Path::new(&args.from), Path::new(&args.into))?;
    eprintln!(
        "gofront gocache: seeded {} new entries ({}) of {} in the seed, in {} ms",
        r.copied,
        mb(r.bytes),
        r.offered,
        start.elapsed().as_millis()
    );
    if let Some(dir) = &args.stamp {
        let start = Instant::now();
        // Never fatal: a file left with its own time is keyed by it, as Go
        // keys every file, so a result is at worst not reused, never stale.
        // (A builder that does not own the context's files cannot set their
        // times.)
        match crate::mtimes::stamp(Path::new(dir)) {
            Ok(s) => eprintln!(
                "gofront gocache: gave {} files and {} directories below {dir} times from their content (kept {} Go files' own), in {} ms",
                s.files,
                s.dirs,
                s.kept,
                start.elapsed().as_millis()
            ),
            Err(e) => eprintln!(
                "gofront gocache: test inputs stay keyed by their file times: {}",
                ToolError::Stamp {
                    dir: dir.clone(),
                    message: e.to_string(),
                }
            ),
        }
    }
    let (program, rest) = split_command(&args.command)?;
    let mut command = Command::new(program);
    command.args(rest);
    if let Some(used) = &args.used {
        // The stamped directory is the build context the test reads.
        command.env(
            "GOCACHEPROG",
            cacheprog_command(&args.into, used, args.stamp.as_deref())?,
        );
    }
    let err = std::os::unix::process::CommandExt::exec(&mut command);
    Err(ToolError::Spawn {
        command: program.clone(),
        source: err,
    })
}

/// `gofront gocache export`: runs the `go list`, then copies what it names.
pub fn run_export(args: &ExportArgs) -> Result<(), ToolError> {
    let start = Instant::now();
    let lists: Vec<PathBuf> = args.used.iter().map(PathBuf::from).collect();
    if let Some(r) = export_used(
        Path::new(&args.cache),
        Path::new(&args.out),
        &lists,
        args.modules.as_deref().map(Path::new),
    )? {
        say_exported(&r, "the steps used", "actions", start);
        return Ok(());
    }
    let (program, rest) = split_command(&args.command)?;
    let output = Command::new(program)
        .args(rest)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|source| ToolError::Spawn {
            command: program.clone(),
            source,
        })?;
    if !output.status.success() {
        return Err(ToolError::Command {
            command: program.clone(),
            status: output.status.to_string(),
        });
    }
    let listed = String::from_utf8_lossy(&output.stdout);
    let r = export(
        Path::new(&args.cache),
        Path::new(&args.out),
        &listed,
        args.modules.as_deref().map(Path::new),
    )?;
    say_exported(&r, "for", "compiled packages", start);
    Ok(())
}

/// The export's line in the step's log: `exported N of M cache entries
/// (SIZE) WHAT COUNT UNIT[, and module files], in MS ms`.
fn say_exported(r: &ExportReport, what: &str, unit: &str, start: Instant) {
    eprintln!(
        "gofront gocache: exported {} of {} cache entries ({}) {what} {} {unit}{}, in {} ms",
        r.written,
        r.in_cache,
        mb(r.bytes),
        r.packages,
        match r.module_files {
            Some((files, bytes)) => format!(", and {files} module file(s) ({})", mb(bytes)),
            None => String::new(),
        },
        start.elapsed().as_millis()
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::TempDir;

    const A: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9";
    const O: &str = "f9e8d7c6b5a4938271605f4e3d2c1b0af9e8d7c6b5a4938271605f4e3d2c1b0a";

    #[test]
    fn entry_names_are_exactly_gos() {
        assert!(is_entry_name(&format!("{A}-a")));
        assert!(is_entry_name(&format!("{O}-d")));
        assert!(!is_entry_name(&format!("{A}-x")));
        assert!(!is_entry_name(&format!("{}-a", &A[1..])));
        assert!(!is_entry_name(&format!("{}-a", A.to_uppercase())));
        assert!(!is_entry_name("README"));
        assert!(!is_entry_name("trim.txt"));
        assert!(!is_entry_name(&format!("../{}-a", &A[3..])));
    }

    #[test]
    fn action_entries_parse_as_go_writes_them() {
        let text = format!("v1 {A} {O}                 1234  1700000000000000000\n");
        assert_eq!(parse_action_entry(&text), Some((A, O)));
        assert_eq!(parse_action_entry(&format!("v2 {A} {O} 1 1\n")), None);
        assert_eq!(parse_action_entry("v1 short short 1 1"), None);
        assert_eq!(parse_action_entry(""), None);
    }

    #[test]
    fn stdout_subkey_hashes_the_raw_id() {
        // cmd/go/internal/cache.Subkey: sha256 of "subkey:", the parent id's
        // 32 raw bytes (not its hex), then the description.
        let zero = "0".repeat(64);
        let mut h = Sha256::new();
        h.update(b"subkey:");
        h.update([0u8; 32]);
        h.update(b"stdout");
        let want: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(stdout_subkey(&zero), Some(want));
        assert_eq!(stdout_subkey("xyz"), None);
    }

    #[test]
    fn select_keeps_used_outputs_their_actions_and_stdout() {
        let other_a = "1".repeat(64);
        let other_o = "2".repeat(64);
        let sub = stdout_subkey(A).unwrap_or_default();
        let empty_o = "3".repeat(64);
        let actions = BTreeMap::from([
            (A.to_string(), O.to_string()),
            (other_a.clone(), other_o.clone()),
            (sub.clone(), empty_o.clone()),
        ]);
        let used = BTreeSet::from([O.to_string()]);
        let keep = select(&used, &actions);
        let want = BTreeSet::from([
            format!("{A}-a"),
            format!("{O}-d"),
            format!("{sub}-a"),
            format!("{empty_o}-d"),
        ]);
        assert_eq!(keep, want);
        assert!(select(&BTreeSet::new(), &actions).is_empty());
    }

    fn put(root: &Path, name: &str, data: &str) {
        let p = entry_path(root, name);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, data).unwrap();
    }

    fn tree(root: &Path) -> BTreeMap<String, String> {
        list_entries(root)
            .unwrap()
            .into_iter()
            .map(|n| {
                let data = fs::read_to_string(entry_path(root, &n)).unwrap();
                (n, data)
            })
            .collect()
    }

    #[test]
    fn seed_adds_missing_entries_and_never_replaces_one() {
        let seed_dir = TempDir::new("seed");
        let cache = TempDir::new("cache");
        fs::write(seed_dir.0.join(MANIFEST), "{}").unwrap();
        put(&seed_dir.0, &format!("{O}-d"), "seeded output");
        put(&seed_dir.0, &format!("{A}-a"), "seeded action");
        // Not entries: never copied.
        fs::write(seed_dir.0.join("README"), "x").unwrap();
        fs::create_dir_all(seed_dir.0.join("zz")).unwrap();
        fs::write(seed_dir.0.join("zz").join(format!("{O}-d")), "wrong dir").unwrap();
        std::os::unix::fs::symlink(
            "/etc/passwd",
            seed_dir
                .0
                .join(&O[..2])
                .join(format!("{}-d", "e".repeat(64))),
        )
        .unwrap();
        // Already in the cache: kept as it is.
        put(&cache.0, &format!("{A}-a"), "newer action");

        let r = seed(&seed_dir.0, &cache.0).unwrap();
        assert_eq!(
            r,
            SeedReport {
                offered: 2,
                copied: 1,
                bytes: 13
            }
        );
        assert_eq!(
            tree(&cache.0),
            BTreeMap::from([
                (format!("{A}-a"), "newer action".to_string()),
                (format!("{O}-d"), "seeded output".to_string()),
            ])
        );
        assert!(!cache.0.join("README").exists());
        let mode = fs::metadata(entry_path(&cache.0, &format!("{O}-d"))).unwrap();
        assert_eq!(
            std::os::unix::fs::PermissionsExt::mode(&mode.permissions()) & 0o777,
            0o644
        );
        // Again: nothing left to copy.
        assert_eq!(seed(&seed_dir.0, &cache.0).unwrap().copied, 0);
    }

    #[test]
    fn seed_accepts_nothing_and_refuses_a_foreign_directory() {
        let cache = TempDir::new("cache2");
        let empty = TempDir::new("empty");
        assert_eq!(seed(&empty.0, &cache.0).unwrap(), SeedReport::default());
        assert_eq!(
            seed(&empty.0.join("missing"), &cache.0).unwrap(),
            SeedReport::default()
        );
        fs::write(empty.0.join("main.go"), "package main").unwrap();
        assert_eq!(
            seed(&empty.0, &cache.0).unwrap_err().to_string(),
            "the gocache build context has files but no gofront-gocache.json: it is not a Go build cache written by `--target gocache`; pass the directory or image that export produced"
        );
    }

    #[test]
    fn export_copies_what_go_list_names_and_nothing_else() {
        let cache = TempDir::new("cache3");
        let out = TempDir::new("out");
        let sub = stdout_subkey(A).unwrap();
        let empty_out = "e".repeat(64);
        let other_a = "1".repeat(64);
        let other_o = "2".repeat(64);
        put(&cache.0, &format!("{A}-a"), &format!("v1 {A} {O} 3 1\n"));
        put(&cache.0, &format!("{O}-d"), "pkg");
        put(
            &cache.0,
            &format!("{sub}-a"),
            &format!("v1 {sub} {empty_out} 0 1\n"),
        );
        put(&cache.0, &format!("{empty_out}-d"), "");
        put(
            &cache.0,
            &format!("{other_a}-a"),
            &format!("v1 {other_a} {other_o} 5 1\n"),
        );
        put(&cache.0, &format!("{other_o}-d"), "other");
        fs::write(cache.0.join("trim.txt"), "1").unwrap();

        let listed = format!("{}\n\n", entry_path(&cache.0, &format!("{O}-d")).display());
        let r = export(&cache.0, &out.0, &listed, None).unwrap();
        let action_bytes =
            format!("v1 {A} {O} 3 1\n").len() + format!("v1 {sub} {empty_out} 0 1\n").len();
        assert_eq!(
            r,
            ExportReport {
                packages: 1,
                in_cache: 6,
                written: 4,
                bytes: 3 + action_bytes as u64,
                module_files: None,
            }
        );
        let got: BTreeSet<String> = tree(&out.0).into_keys().collect();
        assert_eq!(
            got,
            BTreeSet::from([
                format!("{A}-a"),
                format!("{O}-d"),
                format!("{sub}-a"),
                format!("{empty_out}-d"),
            ])
        );
        let manifest: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(out.0.join(MANIFEST)).unwrap()).unwrap();
        assert_eq!(manifest["format"], FORMAT);
        assert_eq!(manifest["entries"], 4);
        assert!(!out.0.join("trim.txt").exists());

        let err = export(&cache.0, &out.0, "/etc/passwd\n", None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "go list named /etc/passwd, which is not a file of the Go build cache"
        );
    }
}
