//! The binaries' digests as `gofront keep` leaves them beside the binaries
//! in the go build's output (`.gofront-sums`), so `--sbom` reads a few
//! hundred bytes rather than every binary's bytes through the gateway.
//! The tool hashes a binary only when Go linked it: it keeps the same file
//! in the kept directory, and an entry there whose build ID is the
//! binary's still holds.
//!
//! One line per binary: `NAME BUILD-ID SHA256 SHA1`, separated by single
//! spaces, the build ID in lowercase hex (`-` when the binary has none).
//! Names are file names in one directory, so they hold no space.

use super::FileDigests;

/// The file's name, in the output and in the kept directory.
pub const FILE: &str = ".gofront-sums";

/// One binary's line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The binary's file name.
    pub name: String,
    /// Its Go build ID (raw bytes), when it has one.
    pub build_id: Option<Vec<u8>>,
    /// Its digests.
    pub digests: FileDigests,
}

/// A sums file gofront cannot read: what is wrong, and on which line.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{FILE} line {line}: {what}")]
pub struct SumsError {
    /// 1-based.
    pub line: usize,
    /// What is wrong there.
    pub what: &'static str,
}

/// The file's text for `entries`, in their order.
pub fn render(entries: &[Entry]) -> String {
    entries
        .iter()
        .map(|e| {
            let id = e
                .build_id
                .as_deref()
                .map_or_else(|| "-".to_string(), super::lower_hex);
            format!("{} {id} {} {}\n", e.name, e.digests.sha256, e.digests.sha1)
        })
        .collect()
}

/// The entries of a sums file.
pub fn parse(text: &str) -> Result<Vec<Entry>, SumsError> {
    text.lines()
        .enumerate()
        .map(|(i, l)| entry(l).map_err(|what| SumsError { line: i + 1, what }))
        .collect()
}

fn entry(line: &str) -> Result<Entry, &'static str> {
    let words: Vec<&str> = line.split(' ').collect();
    let [name, id, sha256, sha1] = words[..] else {
        return Err("not four words");
    };
    if name.is_empty() || name.contains('/') {
        return Err("not a file name");
    }
    let build_id = match id {
        "-" => None,
        hex => Some(from_hex(hex).ok_or("the build ID is not hex")?),
    };
    let digest = |s: &str, len: usize| {
        (s.len() == len && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
            .then(|| s.to_string())
    };
    Ok(Entry {
        name: name.to_string(),
        build_id,
        digests: FileDigests {
            sha256: digest(sha256, 64).ok_or("not a SHA-256 in lowercase hex")?,
            sha1: digest(sha1, 40).ok_or("not a SHA-1 in lowercase hex")?,
        },
    })
}

fn from_hex(s: &str) -> Option<Vec<u8>> {
    if s.is_empty() {
        return None;
    }
    hex::decode(s).ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn entry(name: &str, id: Option<&[u8]>) -> Entry {
        Entry {
            name: name.into(),
            build_id: id.map(<[u8]>::to_vec),
            digests: FileDigests {
                sha256: "ab".repeat(32),
                sha1: "0f".repeat(20),
            },
        }
    }

    #[test]
    fn entries_read_back_as_written() {
        let entries = vec![entry("api", Some(b"x/y\xff")), entry("worker", None)];
        let text = render(&entries);
        assert_eq!(
            text,
            format!(
                "api 782f79ff {} {}\nworker - {} {}\n",
                "ab".repeat(32),
                "0f".repeat(20),
                "ab".repeat(32),
                "0f".repeat(20)
            )
        );
        assert_eq!(parse(&text).unwrap(), entries);
        assert_eq!(parse("").unwrap(), []);
    }

    #[test]
    fn a_broken_line_is_named() {
        let good = render(&[entry("api", None)]);
        let cases = [
            ("api - x".to_string(), "not four words"),
            (good.replace("api", "a/b"), "not a file name"),
            (good.replace(" - ", " 7 "), "the build ID is not hex"),
            (good.replace(" - ", " zz "), "the build ID is not hex"),
            (good.replace(" - ", "  "), "the build ID is not hex"),
            (
                good.replacen("ab", "AB", 1),
                "not a SHA-256 in lowercase hex",
            ),
            (good.replacen("ab", "", 1), "not a SHA-256 in lowercase hex"),
            (good.replacen("0f", "0g", 1), "not a SHA-1 in lowercase hex"),
            (
                good.replacen("0f", "0f0", 1),
                "not a SHA-1 in lowercase hex",
            ),
        ];
        for (text, what) in cases {
            let text = format!("{good}{text}\n");
            assert_eq!(parse(&text), Err(SumsError { line: 2, what }), "{text}");
        }
        assert_eq!(
            parse("x - a b").unwrap_err().to_string(),
            ".gofront-sums line 1: not a SHA-256 in lowercase hex"
        );
    }
}
