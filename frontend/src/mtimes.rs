//! `gofront gocache stamp --dir DIR`: gives every file and directory below
//! DIR an mtime derived from its content, so Go's test cache, which keys a
//! file a test opened by its size and mtime (cmd/go `hashOpen`), keys it by
//! content instead: a fresh checkout of the same bytes hits, a same-size
//! change misses.
//!
//! - A regular file's time comes from the SHA-256 of its bytes: 28 bits of
//!   seconds after 2000-01-01 (so always years old, past Go's "changed less
//!   than 2 s ago" cutoff) and 30 bits of nanoseconds (Go hashes those too).
//! - A directory's time comes from its sorted entry names and kinds (Go
//!   hashes an opened directory's own stat and its entries' stats).
//! - Go source files (`*.go` outside any `testdata` directory) keep their
//!   time: Go keys them by content, and on the test step's copy-on-write
//!   view of the context each stamp copies the file up (most of what the
//!   stamp cost on the bench monolith). A test that opens one, or lists a
//!   directory holding one, misses on a fresh checkout and runs: slower,
//!   never wrong.
//! - Symbolic links are neither followed nor changed.

use std::fs::{self, File, FileTimes};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};
use thiserror::Error;

/// 2000-01-01T00:00:00Z.
const EPOCH_SECS: u64 = 946_684_800;
/// Deeper than this is not a source tree; refuse rather than recurse on.
const MAX_DEPTH: usize = 256;

/// Why stamping stopped.
#[derive(Debug, Error)]
pub enum StampError {
    /// Bad arguments.
    #[error("usage: {0}")]
    Usage(String),
    /// A file or directory could not be read or stamped.
    #[error("{path}: {source}")]
    Io {
        /// The path at fault.
        path: String,
        /// What happened.
        source: io::Error,
    },
    /// A tree deeper than [`MAX_DEPTH`].
    #[error("{0}: more than {MAX_DEPTH} directories deep")]
    TooDeep(String),
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> StampError + '_ {
    move |source| StampError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// What a stamp did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stamped {
    /// Regular files stamped.
    pub files: u64,
    /// Directories stamped (DIR included).
    pub dirs: u64,
    /// Bytes hashed.
    pub bytes: u64,
    /// Go source files left with their own time.
    pub kept: u64,
}

/// The time a digest maps to.
pub fn time_of(digest: &[u8; 32]) -> SystemTime {
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    let v = u64::from_be_bytes(first);
    let secs = EPOCH_SECS + (v >> 36);
    let nanos = ((v >> 6) & 0x3fff_ffff) % 1_000_000_000;
    UNIX_EPOCH + Duration::new(secs, nanos as u32)
}

/// Stamps every file and directory below `dir`, `dir` included.
pub fn stamp(dir: &Path) -> Result<Stamped, StampError> {
    let mut done = Stamped::default();
    let mut buf = vec![0u8; 64 * 1024];
    stamp_dir(dir, 0, false, &mut buf, &mut done)?;
    Ok(done)
}

/// Whether a regular file named `name` keeps its time: Go source outside
/// `testdata` (see the module's doc).
fn keeps_time(name: &[u8], in_testdata: bool) -> bool {
    !in_testdata && name.ends_with(b".go")
}

fn stamp_dir(
    dir: &Path,
    depth: usize,
    in_testdata: bool,
    buf: &mut [u8],
    done: &mut Stamped,
) -> Result<(), StampError> {
    if depth > MAX_DEPTH {
        return Err(StampError::TooDeep(dir.display().to_string()));
    }
    let mut entries: Vec<(Vec<u8>, char, PathBuf)> = Vec::new();
    for e in fs::read_dir(dir).map_err(io_err(dir))? {
        let e = e.map_err(io_err(dir))?;
        let kind = e.file_type().map_err(io_err(&e.path()))?;
        let tag = if kind.is_dir() {
            'd'
        } else if kind.is_file() {
            'f'
        } else if kind.is_symlink() {
            'l'
        } else {
            'o'
        };
        entries.push((e.file_name().into_encoded_bytes(), tag, e.path()));
    }
    entries.sort();
    let mut listing = Sha256::new();
    for (name, tag, path) in &entries {
        listing.update([*tag as u8]);
        listing.update(name);
        listing.update([0]);
        match tag {
            'd' => stamp_dir(
                path,
                depth + 1,
                in_testdata || name.as_slice() == b"testdata",
                buf,
                done,
            )?,
            'f' if keeps_time(name, in_testdata) => done.kept += 1,
            'f' => {
                let mut f = File::open(path).map_err(io_err(path))?;
                let mut h = Sha256::new();
                loop {
                    match f.read(buf) {
                        Ok(0) => break,
                        Ok(n) => {
                            h.update(&buf[..n]);
                            done.bytes += n as u64;
                        }
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => return Err(io_err(path)(e)),
                    }
                }
                set_time(&f, path, time_of(&h.finalize().into()))?;
                done.files += 1;
            }
            _ => {}
        }
    }
    // After its entries: stamping them does not change a directory's mtime
    // (only adding, removing or renaming entries does).
    let d = File::open(dir).map_err(io_err(dir))?;
    set_time(&d, dir, time_of(&listing.finalize().into()))?;
    done.dirs += 1;
    Ok(())
}

fn set_time(f: &File, path: &Path, t: SystemTime) -> Result<(), StampError> {
    f.set_times(FileTimes::new().set_modified(t).set_accessed(t))
        .map_err(io_err(path))
}

/// `gofront gocache stamp --dir DIR`.
pub fn main(args: &[String]) -> ExitCode {
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gofront gocache stamp: {e}");
            ExitCode::from(1)
        }
    }
}

fn run(args: &[String]) -> Result<(), StampError> {
    let dir = match args {
        [flag, dir] if flag == "--dir" => PathBuf::from(dir),
        _ => return Err(StampError::Usage("gofront gocache stamp --dir DIR".into())),
    };
    let started = std::time::Instant::now();
    let s = stamp(&dir)?;
    tracing::info!(
        files = s.files,
        dirs = s.dirs,
        kept = s.kept,
        bytes = s.bytes,
        ms = started.elapsed().as_millis() as u64,
        "gocache stamp: mtimes set from content"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::TempDir;

    fn mtime(p: &Path) -> SystemTime {
        fs::symlink_metadata(p).unwrap().modified().unwrap()
    }

    fn tree(root: &Path, input: &str) {
        fs::create_dir_all(root.join("p/testdata")).unwrap();
        fs::write(root.join("p/testdata/input.txt"), input).unwrap();
        fs::write(root.join("p/testdata/gen.go"), "package gen\n").unwrap();
        fs::write(root.join("p/lib.go"), "package p\n").unwrap();
        fs::write(root.join("go.mod"), "module x\n").unwrap();
    }

    #[test]
    fn the_same_bytes_get_the_same_time_and_a_same_size_edit_another() {
        let (a, b) = (TempDir::new("a"), TempDir::new("b"));
        tree(&a.0, "hello\n");
        tree(&b.0, "hello\n");
        let lib_before = mtime(&a.0.join("p/lib.go"));
        let s = stamp(&a.0).unwrap();
        assert_eq!(
            s,
            Stamped {
                files: 3,
                dirs: 3,
                bytes: 27,
                kept: 1
            }
        );
        stamp(&b.0).unwrap();
        for rel in [
            "p/testdata/input.txt",
            "p/testdata/gen.go",
            "go.mod",
            "p/testdata",
            "p",
        ] {
            assert_eq!(mtime(&a.0.join(rel)), mtime(&b.0.join(rel)), "{rel}");
        }
        // Go source outside testdata keeps its own time.
        assert_eq!(mtime(&a.0.join("p/lib.go")), lib_before);
        assert_ne!(mtime(&a.0.join("p/lib.go")), mtime(&a.0.join("go.mod")));
        let t = mtime(&a.0.join("p/testdata/input.txt"));
        // In the past, well over Go's 2 s, and within the 2000s..2009.
        assert!(t < SystemTime::now() - Duration::from_secs(3600 * 24 * 365));
        assert!(t >= UNIX_EPOCH + Duration::from_secs(EPOCH_SECS));
        // Same size, other bytes: another time; the directories keep theirs.
        fs::write(b.0.join("p/testdata/input.txt"), "jello\n").unwrap();
        stamp(&b.0).unwrap();
        assert_ne!(t, mtime(&b.0.join("p/testdata/input.txt")));
        assert_eq!(
            mtime(&a.0.join("p/testdata")),
            mtime(&b.0.join("p/testdata"))
        );
        // A new entry changes its directory's time.
        fs::write(b.0.join("p/testdata/more.txt"), "x").unwrap();
        stamp(&b.0).unwrap();
        assert_ne!(
            mtime(&a.0.join("p/testdata")),
            mtime(&b.0.join("p/testdata"))
        );
    }

    #[test]
    fn times_use_seconds_and_nanoseconds_of_the_digest() {
        let t = time_of(&[0xff; 32]);
        let d = t.duration_since(UNIX_EPOCH).unwrap();
        assert_eq!(d.as_secs(), EPOCH_SECS + (1 << 28) - 1);
        assert_eq!(d.subsec_nanos(), 0x3fff_ffff % 1_000_000_000);
        assert_eq!(
            time_of(&[0; 32]),
            UNIX_EPOCH + Duration::from_secs(EPOCH_SECS)
        );
    }

    #[test]
    fn a_missing_directory_and_bad_arguments_are_errors() {
        let e = stamp(Path::new("/nonexistent/gofront-stamp")).unwrap_err();
        assert!(
            e.to_string().starts_with("/nonexistent/gofront-stamp: "),
            "{e}"
        );
        let e = run(&["--dir".to_string()]).unwrap_err();
        assert!(e.to_string().contains("stamp --dir DIR"), "{e}");
    }
}
