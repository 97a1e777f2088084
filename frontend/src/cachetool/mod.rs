//! What the two cache tools (`gocache.rs`, `modcache.rs`) share: their
//! command lines (`args.rs`, pure: the plan writes them, the tools read
//! them), their error, the atomic copy of one file, and the module
//! download cache's files, which the export carries and `modcache` keeps.
//! Neither tool imports the other.

pub mod args;

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::Path;

use thiserror::Error;

pub use args::{
    ExportArgs, Invocation, KeepArgs, ModcacheArgs, SeedArgs, TestReportArgs, UsageError,
};

/// Why a tool stopped.
#[derive(Debug, Error)]
pub enum ToolError {
    /// Bad arguments: a bug in the LLB gofront wrote.
    #[error("usage: {0}")]
    Usage(#[from] UsageError),
    /// The seed is not an export of `--target gocache`.
    #[error(
        "the gocache build context has files but no {0}: it is not a Go build cache written by `--target gocache`; pass the directory or image that export produced"
    )]
    NotAnExport(&'static str),
    /// A command line with nothing to run after `--`.
    #[error("usage: no command to run")]
    NoCommand,
    /// A file operation failed.
    #[error("{path}: {source}")]
    Io {
        /// The path at fault.
        path: String,
        /// What happened.
        source: io::Error,
    },
    /// The command could not be started.
    #[error("cannot run {command}: {source}")]
    Spawn {
        /// argv\[0].
        command: String,
        /// What happened.
        source: io::Error,
    },
    /// The command failed; its own output says why.
    #[error("{command} exited with {status}")]
    Command {
        /// argv\[0].
        command: String,
        /// Its exit status.
        status: String,
    },
    /// `go list` named an export file outside GOCACHE.
    #[error("go list named {0}, which is not a file of the Go build cache")]
    NotInCache(String),
    /// Giving the source content-derived times failed.
    #[error("cannot stamp {dir}: {message}")]
    Stamp {
        /// The directory.
        dir: String,
        /// What happened.
        message: String,
    },
    /// A used list (`gofront gocache prog --used`) could not be read.
    #[error("{0}")]
    UsedList(String),
    /// A name that would leave the directory it names a file in.
    #[error(
        "{flag} {value:?} is not a file name (it must not be empty, \".\" or \"..\", nor hold '/'), so it would leave {dir}"
    )]
    NotAFileName {
        /// The flag (`--binary`).
        flag: &'static str,
        /// Its value.
        value: String,
        /// The directory it names a file in (`--out`).
        dir: &'static str,
    },
    /// A name the tool writes a file of its own under.
    #[error("{flag} {value:?} is the name of the file {what}")]
    Reserved {
        /// The flag (`--binary`).
        flag: &'static str,
        /// Its value.
        value: String,
        /// What the tool writes there.
        what: &'static str,
    },
    /// Two directories that must differ are one.
    #[error("{first} and {second} are the same directory ({path}), so {why}")]
    SameDirectory {
        /// The first flag.
        first: &'static str,
        /// The second.
        second: &'static str,
        /// The directory.
        path: String,
        /// What would happen.
        why: &'static str,
    },
    /// Something other than a regular file where one is expected; it is
    /// never opened (a named pipe would block the tool).
    #[error("{path} is {what}, not a regular file; {why}")]
    NotRegular {
        /// The path.
        path: String,
        /// What it is instead.
        what: &'static str,
        /// What the tool expected there.
        why: &'static str,
    },
}

/// A file operation's error, naming `path`.
pub(crate) fn io_err(path: &Path) -> impl FnOnce(io::Error) -> ToolError + '_ {
    move |source| ToolError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Copies `from` to `to` through a temporary name, so a concurrent Go
/// never sees half a file. Returns the bytes copied.
pub(crate) fn copy_entry(from: &Path, to: &Path) -> Result<u64, ToolError> {
    let dir = to.parent().unwrap_or(Path::new("/"));
    fs::create_dir_all(dir).map_err(io_err(dir))?;
    let name = to
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.gofront-{}", std::process::id()));
    let n = fs::copy(from, &tmp).map_err(io_err(from))?;
    fs::set_permissions(&tmp, std::os::unix::fs::PermissionsExt::from_mode(0o644))
        .map_err(io_err(&tmp))?;
    fs::rename(&tmp, to).map_err(io_err(to))?;
    Ok(n)
}

/// A command's program and its arguments.
pub(crate) fn split_command(command: &[String]) -> Result<(&String, &[String]), ToolError> {
    command.split_first().ok_or(ToolError::NoCommand)
}

/// The exit code a tool ends with when the command it ran failed: the
/// command's own (1 when a signal ended it).
pub(crate) fn failed_exit(status: std::process::ExitStatus) -> std::process::ExitCode {
    std::process::ExitCode::from(status.code().unwrap_or(1).clamp(1, 255) as u8)
}

/// Megabytes, for the tools' one-line reports.
pub(crate) fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
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

/// What a copy of module files kept.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SyncReport {
    /// Files copied.
    pub files: usize,
    /// Their bytes.
    pub bytes: u64,
    /// The modules they belong to (`module@version`), sorted.
    pub modules: BTreeSet<String>,
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
