//! A [`Host`] on the local disk, for `gofront llb`: the same pipeline as
//! inside BuildKit, with no engine. Images are not resolved (the plan falls
//! back to documented defaults), the build platform is linux/amd64, the
//! session id and the clock are fixed so that output is reproducible.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::driver::{Host, HostError, HostFacts, MAX_FILE_BYTES, Resolved};
use crate::options::{Options, Platform};
use crate::plan::{Heads, Scan};

/// The image `gofront llb` names for the cache tool: the one
/// `scripts/testbed gofront` builds.
pub const LOCAL_TOOL_IMAGE: &str = "gofront:dev";

/// Session id used for local sources in offline output.
pub const LOCAL_SESSION: &str = "gofront-local-session";

/// Reads the spec and the context from directories on disk.
#[derive(Debug, Default)]
pub struct LocalHost {
    /// The build context directory.
    pub context: PathBuf,
    /// The spec file.
    pub spec: PathBuf,
    /// Pretend the engine supports MergeOp.
    pub merge: bool,
}

impl LocalHost {
    /// The context directory must exist before anything is read from it:
    /// otherwise every file would look missing.
    fn check_context(&self) -> Result<(), String> {
        let dir = self.context.display();
        match std::fs::metadata(&self.context) {
            Ok(m) if m.is_dir() => Ok(()),
            Ok(_) => Err(format!("the build context {dir} is not a directory")),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Err(format!("the build context {dir} does not exist"))
            }
            Err(e) => Err(format!("cannot read the build context {dir}: {e}")),
        }
    }
}

/// What a path on disk is, in words, when it is not a regular file (also
/// for `gofront keep`, which copies only regular files).
pub(crate) fn not_a_file(meta: &std::fs::Metadata) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_file() {
        None
    } else if t.is_dir() {
        Some("a directory")
    } else if t.is_fifo() {
        Some("a named pipe")
    } else if t.is_socket() {
        Some("a socket")
    } else if t.is_block_device() || t.is_char_device() {
        Some("a device")
    } else {
        Some("not a regular file")
    }
}

/// Reads a regular file, at most [`MAX_FILE_BYTES`] + 1 bytes of it (the
/// driver refuses a longer one); `name` is the file as the user knows it.
/// The type is checked before opening, so a named pipe never blocks.
fn read_regular(path: &Path, name: &str) -> Result<Vec<u8>, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read {name}: {e}"))?;
    if let Some(what) = not_a_file(&meta) {
        return Err(format!(
            "{name} is {what}; gofront reads only regular files"
        ));
    }
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read {name}: {e}"))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {name}: {e}"))?;
    Ok(bytes)
}

/// `rel` inside `root` with every symbolic link resolved, as BuildKit
/// confines links to the context: `None` when it does not exist (a dangling
/// link included); an error when a link leads out of the context.
fn resolve_in(root: &Path, rel: &str) -> Result<Option<PathBuf>, String> {
    let root = std::fs::canonicalize(root)
        .map_err(|e| format!("cannot read the build context {}: {e}", root.display()))?;
    let joined = root.join(rel);
    match std::fs::canonicalize(&joined) {
        Ok(real) if real.starts_with(&root) => Ok(Some(real)),
        Ok(real) => Err(format!(
            "{rel} is a symbolic link to {}, outside the build context; gofront follows links only inside it, as BuildKit does",
            real.display()
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("cannot read {rel}: {e}")),
    }
}

impl Host for LocalHost {
    async fn read_spec(&self, _options: &Options) -> Result<Vec<u8>, HostError> {
        self.check_context().map_err(HostError::Refused)?;
        let name = self.spec.display().to_string();
        if !self.spec.exists() {
            return Err(HostError::Refused(format!(
                "the spec file {name} does not exist"
            )));
        }
        read_regular(&self.spec, &name).map_err(HostError::Refused)
    }

    async fn read_context(
        &self,
        _options: &Options,
        paths: &[String],
    ) -> Result<BTreeMap<String, Vec<u8>>, HostError> {
        self.check_context().map_err(HostError::Refused)?;
        let mut out = BTreeMap::new();
        for p in paths {
            if let Some(real) = resolve_in(&self.context, p).map_err(HostError::Refused)? {
                out.insert(
                    p.clone(),
                    read_regular(&real, p).map_err(HostError::Refused)?,
                );
            }
        }
        Ok(out)
    }

    async fn read_heads(&self, _options: &Options, scan: &Scan) -> Result<Heads, HostError> {
        self.check_context().map_err(HostError::Refused)?;
        let matcher = scan.matcher().map_err(HostError::Refused)?;
        let root = &self.context;
        let mut files = Vec::new();
        let mut truncated = false;
        let mut listed = 0;
        // As BuildKit sends its local source: only what the patterns
        // select, no symbolic link followed; level by level, as the
        // gateway lists it.
        let mut level = vec![String::new()];
        while !level.is_empty() {
            let room = scan.max_dirs.saturating_sub(listed);
            if level.len() > room {
                truncated = true;
                level.truncate(room);
            }
            listed += level.len();
            let mut next = Vec::new();
            for dir in level {
                let read = std::fs::read_dir(root.join(&dir)).map_err(|source| HostError::Io {
                    path: root.join(&dir),
                    source,
                })?;
                for entry in read {
                    let entry = entry.map_err(|source| HostError::Io {
                        path: root.join(&dir),
                        source,
                    })?;
                    let Some(name) = entry.file_name().to_str().map(str::to_string) else {
                        continue;
                    };
                    let path = if dir.is_empty() {
                        name
                    } else {
                        format!("{dir}/{name}")
                    };
                    let kind = entry.file_type().map_err(|source| HostError::Io {
                        path: entry.path(),
                        source,
                    })?;
                    if kind.is_dir() && matcher.may_hold(&path) {
                        next.push(path);
                    } else if kind.is_file() && matcher.selects(&path) {
                        files.push(path);
                    }
                }
            }
            next.sort();
            level = next;
        }
        let (picked, more) = scan.pick(files);
        let mut heads = Heads {
            files: BTreeMap::new(),
            truncated: truncated || more,
        };
        for path in picked {
            let full = root.join(&path);
            let file = std::fs::File::open(&full).map_err(|source| HostError::Io {
                path: full.clone(),
                source,
            })?;
            let mut head = Vec::new();
            file.take(scan.head_bytes as u64)
                .read_to_end(&mut head)
                .map_err(|source| HostError::Io { path: full, source })?;
            heads.files.insert(path, head);
        }
        Ok(heads)
    }

    async fn resolve_image(
        &self,
        _reference: &str,
        _platform: &Platform,
        _options: &Options,
    ) -> Result<Option<Resolved>, HostError> {
        Ok(None)
    }

    async fn facts(&self, _options: &Options) -> HostFacts {
        HostFacts {
            build_platform: Platform::linux_amd64(),
            runnable_platforms: vec![Platform::linux_amd64()],
            merge_supported: self.merge,
            session_id: LOCAL_SESSION.to_string(),
            now: 0,
            tool_image: Some(LOCAL_TOOL_IMAGE.to_string()),
        }
    }
}
