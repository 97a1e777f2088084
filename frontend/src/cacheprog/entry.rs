//! Go's cache layout: action entries byte for byte, hex names, and the
//! file helpers the server reads and refreshes entries with.

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

/// A SHA-256: an action id or an output id.
pub type Hash = [u8; 32];

/// Go's action entry: `v1 ` + 64 + ` ` + 64 + ` ` + 20 + ` ` + 20 + `\n`.
pub(super) const ENTRY_LEN: usize = 175;
/// Go refreshes an entry's mtime when it is used and older than this, so
/// its trim (by mtime) keeps what builds use.
pub(super) const REFRESH_AFTER: Duration = Duration::from_secs(3600);

/// An action entry read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The output id.
    pub output: Hash,
    /// The output's size.
    pub size: u64,
    /// When it was put, in Unix nanoseconds.
    pub time_nanos: i64,
}

/// The text of an action entry, byte for byte as Go writes it.
pub fn format_entry(action: &Hash, entry: &Entry) -> String {
    format!(
        "v1 {} {} {:20} {:20}\n",
        hex::encode(action),
        hex::encode(entry.output),
        entry.size,
        entry.time_nanos
    )
}

/// Parses an action entry as Go's cache reads it: exactly 175 bytes, for
/// `action`, with a non-negative size. Anything else is a miss.
pub fn parse_entry(text: &[u8], action: &Hash) -> Option<Entry> {
    if text.len() != ENTRY_LEN
        || !text.starts_with(b"v1 ")
        || text[67] != b' '
        || text[132] != b' '
        || text[153] != b' '
        || text[174] != b'\n'
    {
        return None;
    }
    let text = std::str::from_utf8(text).ok()?;
    if unhex(&text[3..67])? != *action {
        return None;
    }
    let output = unhex(&text[68..132])?;
    let size = text[133..153].trim_start_matches(' ').parse::<u64>().ok()?;
    let time_nanos = text[154..174].trim_start_matches(' ').parse::<i64>().ok()?;
    Some(Entry {
        output,
        size,
        time_nanos,
    })
}

/// 64 lowercase hex digits (as Go names entries) to a hash.
pub fn unhex(text: &str) -> Option<Hash> {
    if !text
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return None;
    }
    let mut out = [0u8; 32];
    hex::decode_to_slice(text, &mut out).ok()?;
    Some(out)
}

pub(super) fn file_sha256(path: &Path) -> Option<Hash> {
    let mut f = File::open(path).ok()?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match f.read(&mut buf) {
            Ok(0) => return Some(h.finalize().into()),
            Ok(n) => h.update(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
}

/// Marks a used entry as recent, as Go does (at most once an hour), so
/// mtime-based trimming keeps it. Best effort.
pub(super) fn refresh(path: &Path) {
    let old = fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| SystemTime::now().duration_since(t).ok())
        .is_some_and(|age| age > REFRESH_AFTER);
    if old && let Ok(f) = File::options().write(true).open(path) {
        let _ = f.set_modified(SystemTime::now());
    }
}

pub(super) fn now_nanos() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
