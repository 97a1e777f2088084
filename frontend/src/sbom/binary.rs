//! A Go binary's build info read from its bytes, as `go version -m` reads
//! it (golang/go `src/debug/buildinfo/buildinfo.go`), for the ELF binaries
//! of a Linux image: the `.go.buildinfo` section's blob holds the toolchain
//! version and the module info text.
//!
//! The blob: 14 bytes of magic `"\xff Go buildinf:"` at a 16-byte aligned
//! offset, a pointer size byte, a flags byte; with flag bit 2 (Go 1.18 and
//! newer) the 32-byte header is followed by two uvarint-prefixed strings,
//! the version and the module info, whose 16-byte sentinels at each end are
//! stripped. The module info is `runtime/debug.BuildInfo.String()`, the
//! text `go version -m` indents by one tab.
//!
//! Pure: the caller reads the byte ranges [`Elf`] asks for.

use thiserror::Error;

use super::buildinfo::{self, BuildInfo};

/// Why a binary's build info could not be read.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum BinaryError {
    /// Not an ELF file, or one whose headers do not read.
    #[error("{path} is not an ELF binary gofront can read: {why}")]
    NotElf {
        /// The binary's path in the image.
        path: String,
        /// What is wrong.
        why: String,
    },
    /// An ELF file without Go build info.
    #[error("{path} has no Go build info ({why}); is it a Go binary built in module mode?")]
    NoBuildInfo {
        /// The binary's path in the image.
        path: String,
        /// What is missing.
        why: String,
    },
    /// Build info longer than gofront reads of a `.go.buildinfo` section.
    #[error(
        "{path} holds a {what} of {len} bytes, more than the {limit} MiB of its .go.buildinfo section gofront reads, so gofront cannot write its SBOM; use --sbom=generator=IMAGE for BuildKit's scanner"
    )]
    TooLarge {
        /// The binary's path in the image.
        path: String,
        /// `module info` or `toolchain version`.
        what: &'static str,
        /// The length its build info gives.
        len: u64,
        /// The most gofront reads, in MiB.
        limit: u64,
    },
    /// A string of the build info whose length runs past its section.
    #[error(
        "{path} has Go build info that does not read: its {what} of {len} bytes runs past the end of .go.buildinfo ({left} bytes there)"
    )]
    CutShort {
        /// The binary's path in the image.
        path: String,
        /// `module info` or `toolchain version`.
        what: &'static str,
        /// The length its build info gives.
        len: u64,
        /// What the section holds after it.
        left: usize,
    },
    /// Build info in a form older than Go 1.18.
    #[error("{path} was built by a Go older than 1.18, whose build info gofront does not read")]
    TooOld {
        /// The binary's path in the image.
        path: String,
    },
    /// The module info text does not read as Go writes it.
    #[error("{path}: {source}")]
    Parse {
        /// The binary's path in the image.
        path: String,
        /// The parser's sentence.
        source: buildinfo::ParseError,
    },
}

/// The ELF header bytes gofront reads first: enough for both classes.
pub const HEADER_BYTES: u64 = 64;
/// The most of a `.go.buildinfo` section gofront reads (Go itself reads
/// 64 KiB from the section's start; the module info of a large graph can
/// be longer, and it is inline in the section).
pub const MAX_SECTION_BYTES: u64 = 4 << 20;
/// The most section headers gofront reads (Go binaries have about 25).
const MAX_SECTIONS: u64 = 4096;
const MAGIC: &[u8; 14] = b"\xff Go buildinf:";
const ALIGN: usize = 16;
const BLOB_HEADER: usize = 32;
const FLAG_INLINE: u8 = 2;
const SECTION: &[u8] = b".go.buildinfo";

/// Endianness and word size of an ELF file, with where its section
/// headers are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elf {
    wide: bool,
    big: bool,
    shoff: u64,
    shentsize: u64,
    shnum: u64,
    shstrndx: u64,
}

/// A range of the file to read: offset and length.
pub type Range = (u64, u64);

/// One section header, as far as gofront needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Section {
    name: u32,
    offset: u64,
    size: u64,
}

impl Section {
    /// Where its bytes are, at most `cap` of them.
    pub fn range(&self, cap: u64) -> Range {
        (self.offset, self.size.min(cap))
    }
}

impl Elf {
    /// Reads the ELF header (the file's first [`HEADER_BYTES`] or fewer).
    pub fn parse(path: &str, b: &[u8]) -> Result<Elf, BinaryError> {
        let bad = |why: &str| BinaryError::NotElf {
            path: path.to_string(),
            why: why.to_string(),
        };
        if b.len() < 16 || &b[..4] != b"\x7fELF" {
            return Err(bad("it does not start with the ELF magic"));
        }
        let wide = match b[4] {
            1 => false,
            2 => true,
            _ => return Err(bad("unknown ELF class")),
        };
        let big = match b[5] {
            1 => false,
            2 => true,
            _ => return Err(bad("unknown byte order")),
        };
        let need = if wide { 64 } else { 52 };
        if b.len() < need {
            return Err(bad("the ELF header is cut short"));
        }
        let r = Reader { b, big };
        let (shoff, at) = if wide {
            (r.u64(0x28), 0x3a)
        } else {
            (u64::from(r.u32(0x20)), 0x2e)
        };
        let elf = Elf {
            wide,
            big,
            shoff,
            shentsize: u64::from(r.u16(at)),
            shnum: u64::from(r.u16(at + 2)),
            shstrndx: u64::from(r.u16(at + 4)),
        };
        let entry = if wide { 64 } else { 40 };
        if elf.shoff == 0 || elf.shnum == 0 {
            return Err(bad("it has no section headers"));
        }
        if elf.shentsize != entry {
            return Err(bad("its section header size is not the standard one"));
        }
        if elf.shnum > MAX_SECTIONS || elf.shstrndx >= elf.shnum {
            return Err(bad("its section table is out of range"));
        }
        Ok(elf)
    }

    /// Where the section headers are.
    pub fn section_table(&self) -> Range {
        (self.shoff, self.shentsize * self.shnum)
    }

    /// The section headers, from the bytes of [`Elf::section_table`].
    pub fn sections(&self, path: &str, b: &[u8]) -> Result<Vec<Section>, BinaryError> {
        if (b.len() as u64) < self.shentsize * self.shnum {
            return Err(BinaryError::NotElf {
                path: path.to_string(),
                why: "its section table is cut short".to_string(),
            });
        }
        let r = Reader { b, big: self.big };
        Ok((0..self.shnum as usize)
            .map(|i| {
                let at = i * self.shentsize as usize;
                if self.wide {
                    Section {
                        name: r.u32(at),
                        offset: r.u64(at + 24),
                        size: r.u64(at + 32),
                    }
                } else {
                    Section {
                        name: r.u32(at),
                        offset: u64::from(r.u32(at + 16)),
                        size: u64::from(r.u32(at + 20)),
                    }
                }
            })
            .collect())
    }

    /// The section that holds the section names.
    pub fn names_section(&self, path: &str, sections: &[Section]) -> Result<Section, BinaryError> {
        sections
            .get(self.shstrndx as usize)
            .copied()
            .ok_or_else(|| BinaryError::NotElf {
                path: path.to_string(),
                why: "its section names index is out of range".to_string(),
            })
    }
}

/// The `.go.buildinfo` section, given the section headers and the bytes
/// of the names section.
pub fn buildinfo_section(
    path: &str,
    sections: &[Section],
    names: &[u8],
) -> Result<Section, BinaryError> {
    sections
        .iter()
        .find(|s| {
            let start = s.name as usize;
            names.get(start..).is_some_and(|rest| {
                rest.split(|&c| c == 0)
                    .next()
                    .is_some_and(|name| name == SECTION)
            })
        })
        .copied()
        .ok_or_else(|| BinaryError::NoBuildInfo {
            path: path.to_string(),
            why: "no .go.buildinfo section".to_string(),
        })
}

/// The toolchain version and module info in the bytes of the
/// `.go.buildinfo` section, parsed as `go version -m` prints them.
pub fn decode(path: &str, section: &[u8]) -> Result<BuildInfo, BinaryError> {
    let missing = |why: &str| BinaryError::NoBuildInfo {
        path: path.to_string(),
        why: why.to_string(),
    };
    let blob = (0..section.len())
        .step_by(ALIGN)
        .map(|i| &section[i..])
        .find(|rest| rest.len() >= BLOB_HEADER && rest.starts_with(MAGIC))
        .ok_or_else(|| missing("no build info blob in .go.buildinfo"))?;
    if blob[15] & FLAG_INLINE == 0 {
        return Err(BinaryError::TooOld {
            path: path.to_string(),
        });
    }
    // A length past the bytes read: more than gofront reads when the
    // section was cut at the cap, else a section that does not read.
    let past = |what: &'static str, len: Option<u64>, left: usize| match len {
        None => missing(&format!("no {what}")),
        Some(len) if section.len() as u64 >= MAX_SECTION_BYTES => BinaryError::TooLarge {
            path: path.to_string(),
            what,
            len,
            limit: MAX_SECTION_BYTES >> 20,
        },
        Some(len) => BinaryError::CutShort {
            path: path.to_string(),
            what,
            len,
            left,
        },
    };
    let after_header = &blob[BLOB_HEADER..];
    let (version, rest) =
        uvarint_string(after_header).map_err(|(len, left)| past("toolchain version", len, left))?;
    let (module_info, _) =
        uvarint_string(rest).map_err(|(len, left)| past("module info", len, left))?;
    if version.is_empty() {
        return Err(missing("no toolchain version"));
    }
    // Go keeps the text only when both 16-byte sentinels frame it.
    let text = match module_info.len() {
        n if n >= 33 && module_info[n - 17] == b'\n' => &module_info[16..n - 16],
        _ => return Err(missing("no module info (built outside module mode?)")),
    };
    let version = String::from_utf8_lossy(version);
    let text = String::from_utf8_lossy(text);
    // As `go version -m` prints it: `FILE: VERSION`, then each line of the
    // module info after a tab (its `go` line, if any, is the version again).
    let mut printed = format!("{path}: {version}\n");
    for line in text.lines().filter(|l| !l.starts_with("go\t")) {
        printed.push('\t');
        printed.push_str(line);
        printed.push('\n');
    }
    let parse = |source| BinaryError::Parse {
        path: path.to_string(),
        source,
    };
    buildinfo::parse_go_version_m(&printed)
        .map_err(parse)?
        .into_iter()
        .next()
        .map(|b| b.info)
        .ok_or_else(|| missing("empty module info"))
}

/// A string of the build info that does not fit what is left: its length
/// (`None`: no length at all) and the bytes left after that.
type Overrun = (Option<u64>, usize);

/// A uvarint length and that many bytes, as Go's `decodeString`.
fn uvarint_string(b: &[u8]) -> Result<(&[u8], &[u8]), Overrun> {
    let mut len: u64 = 0;
    for (i, &c) in b.iter().enumerate().take(10) {
        len |= u64::from(c & 0x7f) << (7 * i);
        if c & 0x80 == 0 {
            let rest = &b[i + 1..];
            return match usize::try_from(len).ok().filter(|&n| n < rest.len()) {
                Some(n) => Ok(rest.split_at(n)),
                None => Err((Some(len), rest.len())),
            };
        }
    }
    Err((None, b.len()))
}

struct Reader<'a> {
    b: &'a [u8],
    big: bool,
}

impl Reader<'_> {
    fn bytes<const N: usize>(&self, at: usize) -> [u8; N] {
        let mut out = [0u8; N];
        if let Some(s) = self.b.get(at..at + N) {
            out.copy_from_slice(s);
        }
        out
    }
    fn u16(&self, at: usize) -> u16 {
        let b = self.bytes::<2>(at);
        if self.big {
            u16::from_be_bytes(b)
        } else {
            u16::from_le_bytes(b)
        }
    }
    fn u32(&self, at: usize) -> u32 {
        let b = self.bytes::<4>(at);
        if self.big {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        }
    }
    fn u64(&self, at: usize) -> u64 {
        let b = self.bytes::<8>(at);
        if self.big {
            u64::from_be_bytes(b)
        } else {
            u64::from_le_bytes(b)
        }
    }
}

/// Module info `text` between the 16-byte sentinels Go frames it with.
pub(super) fn synthetic_framed(text: &[u8]) -> Vec<u8> {
    [&[0x30u8; 16][..], text, &[0x31u8; 16][..]].concat()
}

/// The build info blob Go 1.18+ writes: its header, then `version` and
/// `module_info` as uvarint-prefixed strings, and nothing after them.
pub(super) fn synthetic_blob(version: &[u8], module_info: &[u8]) -> Vec<u8> {
    fn uvarint(out: &mut Vec<u8>, mut n: usize) {
        while n >= 0x80 {
            out.push((n as u8) | 0x80);
            n >>= 7;
        }
        out.push(n as u8);
    }
    let mut blob = MAGIC.to_vec();
    blob.extend_from_slice(&[8, FLAG_INLINE]);
    blob.extend_from_slice(&[0u8; 16]);
    for s in [version, module_info] {
        uvarint(&mut blob, s.len());
        blob.extend_from_slice(s);
    }
    blob
}

/// A minimal 64-bit little-endian ELF file whose `.go.buildinfo` section
/// holds `version` and the module info `text` as Go 1.18+ writes them:
/// for tests of the reader, here and in the gateway's, which have no Go
/// toolchain to build a real binary.
#[doc(hidden)]
pub fn synthetic_elf(version: &str, text: &str) -> Vec<u8> {
    let names = b"\0.shstrtab\0.go.buildinfo\0";
    let mut file = vec![0u8; 64];
    let names_at = file.len();
    file.extend_from_slice(names);
    // The section holds the blob from its start: on Go's 16-byte grid.
    let mut blob = synthetic_blob(version.as_bytes(), &synthetic_framed(text.as_bytes()));
    blob.push(0);
    let (blob_at, blob_len) = (file.len(), blob.len());
    file.extend(blob);
    let table_at = file.len();
    let section = |name: u32, offset: usize, size: usize| {
        let mut s = vec![0u8; 64];
        s[..4].copy_from_slice(&name.to_le_bytes());
        s[24..32].copy_from_slice(&(offset as u64).to_le_bytes());
        s[32..40].copy_from_slice(&(size as u64).to_le_bytes());
        s
    };
    file.extend(section(0, 0, 0));
    file.extend(section(1, names_at, names.len()));
    file.extend(section(11, blob_at, blob_len));
    file[..6].copy_from_slice(b"\x7fELF\x02\x01");
    file[6] = 1;
    file[0x28..0x30].copy_from_slice(&(table_at as u64).to_le_bytes());
    file[0x3a..0x3c].copy_from_slice(&64u16.to_le_bytes());
    file[0x3c..0x3e].copy_from_slice(&3u16.to_le_bytes());
    file[0x3e..0x40].copy_from_slice(&1u16.to_le_bytes());
    file
}

/// Reads a whole binary held in memory through the steps a host takes
/// over ranges: for tests.
#[cfg(test)]
pub fn read_in_memory(path: &str, file: &[u8]) -> Result<BuildInfo, BinaryError> {
    let range = |(offset, len): Range| {
        let start = (offset as usize).min(file.len());
        let end = start.saturating_add(len as usize).min(file.len());
        &file[start..end]
    };
    let elf = Elf::parse(path, range((0, HEADER_BYTES)))?;
    let sections = elf.sections(path, range(elf.section_table()))?;
    let names = range(elf.names_section(path, &sections)?.range(MAX_SECTION_BYTES));
    let section = buildinfo_section(path, &sections, names)?;
    decode(path, range(section.range(MAX_SECTION_BYTES)))
}
