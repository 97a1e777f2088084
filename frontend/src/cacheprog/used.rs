//! Used lists: what a step served or stored, and the entries an export
//! copies for them.

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::entry::{Hash, unhex};
use super::error::ProgError;
use super::server::Server;

pub use super::server::USED_FORMAT;

/// Reads a used list: the action ids, or None if `text` is not one.
pub fn parse_used(text: &str) -> Option<Vec<Hash>> {
    let mut lines = text.lines();
    if lines.next()? != USED_FORMAT {
        return None;
    }
    lines.map(unhex).collect()
}

/// The entry names an export copies for the steps whose used lists are
/// `lists`: for each listed action whose entry in `cache` is whole and
/// whose output is there with its size, `<action>-a` and `<output>-d`. An
/// action listed but gone (trimmed, or overwritten by a corrupt entry) is
/// left out: a seed missing an entry only costs a recompile. Lists that are
/// missing are skipped (a step that did not run); one that is not a used
/// list is an error.
pub fn select_used(cache: &Path, lists: &[PathBuf]) -> Result<BTreeSet<String>, ProgError> {
    let mut ids = BTreeSet::new();
    for list in lists {
        let text = match fs::read_to_string(list) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(source) => {
                return Err(ProgError::Io {
                    path: list.display().to_string(),
                    source,
                });
            }
        };
        let listed = parse_used(&text).ok_or_else(|| ProgError::Io {
            path: list.display().to_string(),
            source: io::Error::new(
                io::ErrorKind::InvalidData,
                format!("not a used list (first line {USED_FORMAT:?}, then one action id a line)"),
            ),
        })?;
        ids.extend(listed);
    }
    let server = Server::reading(cache);
    let mut names = BTreeSet::new();
    for a in &ids {
        if let Ok(Some((entry, _))) = server.lookup(a) {
            names.insert(format!("{}-a", hex::encode(a)));
            names.insert(format!("{}-d", hex::encode(entry.output)));
        }
    }
    Ok(names)
}
