//! `gofront gocache prog --dir DIR --used FILE`: a GOCACHEPROG server for
//! the go command (Go >= 1.24), run inside build steps as
//! `GOCACHEPROG="/gofront gocache prog --dir $GOCACHE --used ..."`.
//!
//! It keeps the entries in DIR in exactly the layout of Go's own cache
//! directory (cmd/go/internal/cache): `xx/<action>-a` is the 175-byte line
//! `v1 <action> <output> <size> <time>` (size and time right-aligned in 20
//! columns, time in Unix nanoseconds), `xx/<output>-d` holds the bytes, and
//! `xx` is the first two hex digits of the name. So a seed written by
//! `gocache export`, a directory a plain `GOCACHE=DIR` go wrote, and this
//! server's directory are one and the same thing.
//!
//! What it adds over Go's own cache is the record of what the step used:
//! every action id it served (a `get` hit) or stored (a `put`) goes into
//! the used list, written before the reply to `close` (go exits right
//! after it, and a build step's processes end with it) or when stdin
//! ends, to FILE through a temporary name and a rename, so a later export in another build reads a
//! whole list or the previous one, never half of one. The list is the line
//! [`USED_FORMAT`], then one action id per line, sorted.
//!
//! The protocol (cmd/go/internal/cacheprog): the server first writes
//! `{"ID":0,"KnownCommands":["get","put","close"]}`; then each request is
//! one JSON line `{"ID":n,"Command":"get"|"put"|"close","ActionID":b64,
//! "OutputID":b64,"BodySize":n}` (Go 1.24 also sends the old name
//! `ObjectID`), and a `put` with `BodySize > 0` is followed by the body as
//! one base64 JSON string on its own line. Each reply is one JSON line with
//! the request's `ID` and, as fitting, `Err`, `Miss`, `OutputID`, `Size`,
//! `Time` (RFC 3339) and `DiskPath` (an absolute path to the body).
//!
//! Concurrent steps may share DIR (a shared cache mount): every file is
//! written under a temporary name in its own `xx` directory and renamed
//! into place, outputs before the action entries that point at them, so
//! no reader ever sees a partial entry. Every input is checked: ids are 32
//! bytes, bodies are bounded and must hash to their `OutputID`, request
//! lines are bounded, and nothing a client sends can make it panic.

use crate::plan::image::rfc3339_nanos;
use std::collections::BTreeSet;
use std::fs::{self, File};
use std::io::{self, BufRead, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use thiserror::Error;

/// The first line of a used list.
pub const USED_FORMAT: &str = "gofront-used/1";
/// A request line is about 200 bytes; refuse anything longer than this.
pub const MAX_REQUEST_LINE: usize = 64 * 1024;
/// The largest body a `put` may store (Go's largest entries are linked
/// executables of `go run`/`go tool`, well below this).
pub const MAX_BODY: u64 = 1 << 30;
/// The most action ids one used list holds (a large monolith's
/// `go test ./...` uses tens of thousands).
pub const MAX_USED: usize = 1 << 20;
/// Go's action entry: `v1 ` + 64 + ` ` + 64 + ` ` + 20 + ` ` + 20 + `\n`.
const ENTRY_LEN: usize = 175;
/// Go refreshes an entry's mtime when it is used and older than this, so
/// its trim (by mtime) keeps what builds use.
const REFRESH_AFTER: Duration = Duration::from_secs(3600);
/// Go trims its cache at most once a day ...
const TRIM_EVERY: Duration = Duration::from_secs(24 * 3600);
/// ... removing entries unused for five days (plus the refresh slack).
const TRIM_UNUSED: Duration = Duration::from_secs(5 * 24 * 3600 + 3600);
/// Where Go records the last trim (Unix seconds), in the cache directory.
const TRIM_FILE: &str = "trim.txt";

/// A SHA-256: an action id or an output id.
pub type Hash = [u8; 32];

/// Why the server stopped (the go command then fails the step, which is
/// right: the stream can no longer be trusted).
#[derive(Debug, Error)]
pub enum ProgError {
    /// Bad arguments: a bug in the LLB gofront wrote.
    #[error("usage: {0}")]
    Usage(String),
    /// A request line too long to be one.
    #[error("GOCACHEPROG input line {line}: longer than {MAX_REQUEST_LINE} bytes")]
    LineTooLong {
        /// 1-based line of the server's stdin.
        line: u64,
    },
    /// A request line that is not a request.
    #[error("GOCACHEPROG input line {line}: not a request ({source})")]
    BadRequest {
        /// 1-based line of the server's stdin.
        line: u64,
        /// What serde said.
        source: serde_json::Error,
    },
    /// A put body that is not one base64 JSON string.
    #[error("GOCACHEPROG input line {line}: the body of request {id} {reason}")]
    BadBody {
        /// 1-based line of the server's stdin.
        line: u64,
        /// The request's ID.
        id: i64,
        /// What is wrong.
        reason: &'static str,
    },
    /// Reading requests or writing replies failed.
    #[error("GOCACHEPROG channel: {0}")]
    Channel(io::Error),
    /// A file of the cache or the used list could not be written.
    #[error("{path}: {source}")]
    Io {
        /// The path at fault.
        path: String,
        /// What happened.
        source: io::Error,
    },
}

/// Why one request failed; the reply's `Err` says this and the server goes
/// on (the go command treats a failed get as a miss, a failed put as not
/// cached).
#[derive(Debug, Error)]
pub enum RequestError {
    /// An id field is missing, not base64 or not 32 bytes.
    #[error("{field} {reason}")]
    BadId {
        /// `ActionID` or `OutputID`.
        field: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
    /// `OutputID` and `ObjectID` both given and different.
    #[error("OutputID and ObjectID differ")]
    IdsDiffer,
    /// A negative `BodySize`.
    #[error("BodySize {0} is negative")]
    NegativeSize(i64),
    /// A body over the bound.
    #[error("BodySize {size} is over the {max}-byte limit")]
    TooLarge {
        /// What the request said.
        size: i64,
        /// The bound.
        max: u64,
    },
    /// The body's length is not `BodySize`.
    #[error("the body has {got} bytes, BodySize says {want}")]
    SizeMismatch {
        /// Bytes decoded.
        got: u64,
        /// `BodySize`.
        want: u64,
    },
    /// The body's SHA-256 is not `OutputID`: never stored.
    #[error("the body's SHA-256 is not its OutputID")]
    HashMismatch,
    /// A command the server did not announce.
    #[error("unknown command {0:?}")]
    UnknownCommand(String),
    /// A cache file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The path at fault.
        path: String,
        /// What happened.
        source: io::Error,
    },
}

fn req_io(path: &Path) -> impl FnOnce(io::Error) -> RequestError + '_ {
    move |source| RequestError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Bounds, fixed in the binary and smaller in tests.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The largest body a put stores.
    pub max_body: u64,
    /// The most action ids a used list records.
    pub max_used: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body: MAX_BODY,
            max_used: MAX_USED,
        }
    }
}

/// What one step did, for the log.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    /// `get` requests.
    pub gets: u64,
    /// Of them, hits.
    pub hits: u64,
    /// `put` requests stored.
    pub puts: u64,
    /// Body bytes written to new output files.
    pub bytes_written: u64,
}

/// One request line. Unknown fields are ignored, as Go's decoder does.
#[derive(Debug, Deserialize)]
struct Request {
    #[serde(rename = "ID")]
    id: i64,
    #[serde(rename = "Command")]
    command: String,
    #[serde(rename = "ActionID", default)]
    action_id: Option<String>,
    #[serde(rename = "OutputID", default)]
    output_id: Option<String>,
    /// The name of `OutputID` before Go 1.24; 1.24 sends both.
    #[serde(rename = "ObjectID", default)]
    object_id: Option<String>,
    #[serde(rename = "BodySize", default)]
    body_size: i64,
}

/// One reply line.
#[derive(Debug, Default, Serialize)]
struct Response {
    #[serde(rename = "ID")]
    id: i64,
    #[serde(rename = "Err", skip_serializing_if = "Option::is_none")]
    err: Option<String>,
    #[serde(rename = "KnownCommands", skip_serializing_if = "Option::is_none")]
    known_commands: Option<[&'static str; 3]>,
    #[serde(rename = "Miss", skip_serializing_if = "std::ops::Not::not")]
    miss: bool,
    #[serde(rename = "OutputID", skip_serializing_if = "Option::is_none")]
    output_id: Option<String>,
    #[serde(rename = "Size", skip_serializing_if = "Option::is_none")]
    size: Option<u64>,
    #[serde(rename = "Time", skip_serializing_if = "Option::is_none")]
    time: Option<String>,
    #[serde(rename = "DiskPath", skip_serializing_if = "Option::is_none")]
    disk_path: Option<String>,
}

impl Response {
    fn error(id: i64, e: &RequestError) -> Self {
        Response {
            id,
            err: Some(e.to_string()),
            ..Response::default()
        }
    }
}

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
        hex(action),
        hex(&entry.output),
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

/// Lowercase hex, as Go names entries.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    s
}

/// 64 lowercase hex digits to a hash.
pub fn unhex(text: &str) -> Option<Hash> {
    let bytes = text.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    let mut out = [0u8; 32];
    for (i, pair) in bytes.chunks_exact(2).enumerate() {
        out[i] = (digit(pair[0])? << 4) | digit(pair[1])?;
    }
    Some(out)
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding, as Go's encoding/json writes `[]byte`.
pub fn b64_encode(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                s.push(char::from(B64[((n >> shift) & 63) as usize]));
            } else {
                s.push('=');
            }
        }
    }
    s
}

fn b64_value(c: u8) -> Option<u32> {
    match c {
        b'A'..=b'Z' => Some(u32::from(c - b'A')),
        b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
        b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// Decodes one group of four base64 characters into `out`; returns how
/// many bytes it held (3, or 2 or 1 for a final padded group).
fn b64_quad(q: [u8; 4], out: &mut [u8; 3]) -> Option<usize> {
    let pads = match (q[2], q[3]) {
        (b'=', b'=') => 2,
        (_, b'=') => 1,
        _ => 0,
    };
    let mut n = 0u32;
    for (i, &c) in q.iter().enumerate() {
        let v = if i >= 4 - pads { 0 } else { b64_value(c)? };
        n = (n << 6) | v;
    }
    *out = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
    Some(3 - pads)
}

/// A whole base64 string (an id field).
fn b64_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    let quads = bytes.len() / 4;
    for (i, q) in bytes.chunks_exact(4).enumerate() {
        let mut three = [0u8; 3];
        let n = b64_quad([q[0], q[1], q[2], q[3]], &mut three)?;
        if n < 3 && i + 1 != quads {
            return None;
        }
        out.extend_from_slice(&three[..n]);
    }
    Some(out)
}

fn decode_id(field: &'static str, value: Option<&str>) -> Result<Hash, RequestError> {
    let bad = |reason| RequestError::BadId { field, reason };
    let text = value.ok_or(bad("is missing"))?;
    let bytes = b64_decode(text).ok_or(bad("is not base64"))?;
    bytes.try_into().map_err(|_| bad("is not 32 bytes"))
}

fn now_nanos() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The request stream: lines, counted for messages, and bodies.
struct Wire<R> {
    input: R,
    line: u64,
}

impl<R: BufRead> Wire<R> {
    /// The next line without its newline, or None at the end of input.
    fn read_line(&mut self) -> Result<Option<Vec<u8>>, ProgError> {
        let mut line = Vec::new();
        loop {
            let buf = self.input.fill_buf().map_err(ProgError::Channel)?;
            if buf.is_empty() {
                return Ok((!line.is_empty()).then_some(line));
            }
            let (take, done) = match buf.iter().position(|&b| b == b'\n') {
                Some(i) => (i, true),
                None => (buf.len(), false),
            };
            if line.len() + take > MAX_REQUEST_LINE {
                return Err(ProgError::LineTooLong {
                    line: self.line + 1,
                });
            }
            line.extend_from_slice(&buf[..take]);
            self.input.consume(take + usize::from(done));
            if done {
                self.line += 1;
                return Ok(Some(line));
            }
        }
    }

    /// The next request, skipping blank lines (Go writes one after each
    /// request), or None at the end of input.
    fn read_request(&mut self) -> Result<Option<Request>, ProgError> {
        loop {
            let Some(line) = self.read_line()? else {
                return Ok(None);
            };
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return serde_json::from_slice(&line).map(Some).map_err(|source| {
                ProgError::BadRequest {
                    line: self.line,
                    source,
                }
            });
        }
    }

    fn next_byte(&mut self, id: i64) -> Result<u8, ProgError> {
        let mut b = [0u8; 1];
        match self.input.read(&mut b) {
            Ok(1) => Ok(b[0]),
            Ok(_) => Err(ProgError::BadBody {
                line: self.line + 1,
                id,
                reason: "is cut off by the end of input",
            }),
            Err(e) => Err(ProgError::Channel(e)),
        }
    }

    /// Reads a body (`"<base64>"`), hashing every byte and writing at most
    /// `limit` bytes to `sink`. A sink error stops the writing, not the
    /// reading, so the stream stays in step.
    fn read_body(&mut self, id: i64, limit: u64, sink: &mut dyn Write) -> Result<Body, ProgError> {
        let bad = |line, reason| ProgError::BadBody { line, id, reason };
        // Skip the blank line Go writes between the request and its body.
        let open = loop {
            let b = self.next_byte(id)?;
            if b == b'\n' {
                self.line += 1;
            } else if !b.is_ascii_whitespace() {
                break b;
            }
        };
        if open != b'"' {
            return Err(bad(self.line + 1, "is not a JSON string"));
        }
        let mut body = Body {
            len: 0,
            hasher: Sha256::new(),
            sink_error: None,
        };
        let mut quad = [0u8; 4];
        let mut filled = 0;
        let mut ended = false;
        let mut chunk: Vec<u8> = Vec::with_capacity(64 * 1024);
        loop {
            let buf = self.input.fill_buf().map_err(ProgError::Channel)?;
            if buf.is_empty() {
                return Err(bad(self.line + 1, "is cut off by the end of input"));
            }
            let mut used = 0;
            let mut closed = false;
            for &c in buf {
                used += 1;
                if c == b'"' {
                    closed = true;
                    break;
                }
                if ended {
                    return Err(bad(self.line + 1, "goes on after its padding"));
                }
                if c != b'=' && b64_value(c).is_none() {
                    return Err(bad(self.line + 1, "is not base64"));
                }
                quad[filled] = c;
                filled += 1;
                if filled == 4 {
                    filled = 0;
                    let mut three = [0u8; 3];
                    let n = b64_quad(quad, &mut three)
                        .ok_or(bad(self.line + 1, "has padding inside it"))?;
                    ended = n < 3;
                    chunk.extend_from_slice(&three[..n]);
                }
            }
            self.input.consume(used);
            body.take(&mut chunk, limit, sink);
            if closed {
                if filled != 0 {
                    return Err(bad(self.line + 1, "is not a whole number of base64 groups"));
                }
                return Ok(body);
            }
        }
    }
}

/// A body read off the wire.
struct Body {
    len: u64,
    hasher: Sha256,
    sink_error: Option<io::Error>,
}

impl Body {
    fn take(&mut self, chunk: &mut Vec<u8>, limit: u64, sink: &mut dyn Write) {
        self.hasher.update(&chunk[..]);
        let before = self.len;
        self.len += chunk.len() as u64;
        if self.sink_error.is_none() && self.len <= limit {
            if let Err(e) = sink.write_all(chunk) {
                self.sink_error = Some(e);
            }
        } else if before <= limit && self.len > limit {
            // Past the bound: nothing more reaches the disk.
            self.sink_error = Some(io::Error::other("body over its bound"));
        }
        chunk.clear();
    }
}

/// The server: the cache directory, the used set and the counters.
pub struct Server {
    dir: PathBuf,
    limits: Limits,
    /// Where the used list goes, written before the reply to `close`.
    used_file: Option<PathBuf>,
    used: BTreeSet<Hash>,
    used_overflow: bool,
    seq: u64,
    stats: Stats,
}

impl Server {
    /// A server over `dir` (created if missing). `dir` is made absolute:
    /// replies carry absolute paths.
    pub fn new(dir: &Path, limits: Limits) -> Result<Self, ProgError> {
        let io = |source| ProgError::Io {
            path: dir.display().to_string(),
            source,
        };
        fs::create_dir_all(dir).map_err(io)?;
        let dir = std::path::absolute(dir).map_err(io)?;
        if dir.to_str().is_none() {
            return Err(ProgError::Usage(format!(
                "--dir {} is not UTF-8",
                dir.display()
            )));
        }
        Ok(Server {
            dir,
            limits,
            used_file: None,
            used: BTreeSet::new(),
            used_overflow: false,
            seq: 0,
            stats: Stats::default(),
        })
    }

    /// Writes the used list to `path` when the session ends: before the
    /// reply to `close` (go exits right after that reply, and a build step
    /// ends with it, taking this process along), or at the end of input.
    pub fn with_used_file(mut self, path: PathBuf) -> Self {
        self.used_file = Some(path);
        self
    }

    /// Writes the used list, if there is a file for it, after trimming the
    /// cache (with a prog, go never trims it itself).
    pub fn finish(&self) -> Result<(), ProgError> {
        self.trim(SystemTime::now());
        match &self.used_file {
            Some(path) => self.write_used(path),
            None => Ok(()),
        }
    }

    /// What the step did so far.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// The action ids used so far, sorted.
    pub fn used(&self) -> impl Iterator<Item = &Hash> {
        self.used.iter()
    }

    /// Serves requests until `close` or the end of input.
    pub fn serve<R: BufRead, W: Write>(&mut self, input: R, output: W) -> Result<(), ProgError> {
        let mut out = BufWriter::new(output);
        let mut wire = Wire { input, line: 0 };
        reply(
            &mut out,
            &Response {
                known_commands: Some(["get", "put", "close"]),
                ..Response::default()
            },
        )?;
        while let Some(req) = wire.read_request()? {
            let id = req.id;
            let response = match req.command.as_str() {
                "get" => self.get(&req),
                "put" => self.put(&mut wire, &req)?,
                "close" => {
                    let listed = self.finish();
                    let response = Response {
                        id,
                        err: listed.as_ref().err().map(ToString::to_string),
                        ..Response::default()
                    };
                    reply(&mut out, &response)?;
                    return listed;
                }
                other => {
                    // Go sends no body with a command it was not told of.
                    Response::error(id, &RequestError::UnknownCommand(other.to_string()))
                }
            };
            reply(&mut out, &response)?;
        }
        self.finish()
    }

    fn note_used(&mut self, action: Hash) {
        if self.used.len() < self.limits.max_used || self.used.contains(&action) {
            self.used.insert(action);
        } else if !self.used_overflow {
            self.used_overflow = true;
            tracing::warn!(
                max = self.limits.max_used,
                "gocache prog: the used list is full; later entries are not recorded"
            );
        }
    }

    fn path(&self, id: &Hash, kind: char) -> PathBuf {
        let name = hex(id);
        self.dir.join(&name[..2]).join(format!("{name}-{kind}"))
    }

    fn get(&mut self, req: &Request) -> Response {
        self.stats.gets += 1;
        let action = match decode_id("ActionID", req.action_id.as_deref()) {
            Ok(a) => a,
            Err(e) => return Response::error(req.id, &e),
        };
        match self.lookup(&action) {
            Ok(Some((entry, path))) => {
                self.stats.hits += 1;
                self.note_used(action);
                Response {
                    id: req.id,
                    output_id: Some(b64_encode(&entry.output)),
                    size: Some(entry.size),
                    time: (entry.time_nanos >= 0).then(|| rfc3339_nanos(entry.time_nanos)),
                    disk_path: Some(path.to_string_lossy().into_owned()),
                    ..Response::default()
                }
            }
            Ok(None) => Response {
                id: req.id,
                miss: true,
                ..Response::default()
            },
            Err(e) => Response::error(req.id, &e),
        }
    }

    /// The entry of `action` and the path of its output, if both are
    /// there and agree (Go's own checks: entry shape, id, output size).
    fn lookup(&self, action: &Hash) -> Result<Option<(Entry, PathBuf)>, RequestError> {
        let apath = self.path(action, 'a');
        let mut text = Vec::with_capacity(ENTRY_LEN);
        match File::open(&apath) {
            Ok(f) => {
                f.take(ENTRY_LEN as u64 + 1)
                    .read_to_end(&mut text)
                    .map_err(req_io(&apath))?;
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(req_io(&apath)(e)),
        }
        let Some(entry) = parse_entry(&text, action) else {
            return Ok(None);
        };
        let dpath = self.path(&entry.output, 'd');
        match fs::symlink_metadata(&dpath) {
            Ok(m) if m.is_file() && m.len() == entry.size => {}
            Ok(_) => return Ok(None),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(req_io(&dpath)(e)),
        }
        refresh(&apath);
        refresh(&dpath);
        Ok(Some((entry, dpath)))
    }

    fn put<R: BufRead>(
        &mut self,
        wire: &mut Wire<R>,
        req: &Request,
    ) -> Result<Response, ProgError> {
        let (action, output, size) = match self.check_put(req) {
            Ok(ok) => ok,
            Err(e) => {
                if req.body_size > 0 {
                    wire.read_body(req.id, 0, &mut io::sink())?;
                }
                return Ok(Response::error(req.id, &e));
            }
        };
        let dpath = self.path(&output, 'd');
        let result = self.store_output(wire, req.id, &output, size, &dpath)?;
        let result = result.and_then(|()| {
            let entry = Entry {
                output,
                size,
                time_nanos: now_nanos(),
            };
            let apath = self.path(&action, 'a');
            self.write_atomically(&apath, format_entry(&action, &entry).as_bytes())
        });
        Ok(match result {
            Ok(()) => {
                self.stats.puts += 1;
                self.note_used(action);
                Response {
                    id: req.id,
                    disk_path: Some(dpath.to_string_lossy().into_owned()),
                    ..Response::default()
                }
            }
            Err(e) => Response::error(req.id, &e),
        })
    }

    fn check_put(&self, req: &Request) -> Result<(Hash, Hash, u64), RequestError> {
        let action = decode_id("ActionID", req.action_id.as_deref())?;
        let output = match (req.output_id.as_deref(), req.object_id.as_deref()) {
            (Some(o), Some(legacy)) => {
                let o = decode_id("OutputID", Some(o))?;
                if decode_id("ObjectID", Some(legacy))? != o {
                    return Err(RequestError::IdsDiffer);
                }
                o
            }
            (Some(o), None) | (None, Some(o)) => decode_id("OutputID", Some(o))?,
            (None, None) => decode_id("OutputID", None)?,
        };
        let size =
            u64::try_from(req.body_size).map_err(|_| RequestError::NegativeSize(req.body_size))?;
        if size > self.limits.max_body {
            return Err(RequestError::TooLarge {
                size: req.body_size,
                max: self.limits.max_body,
            });
        }
        Ok((action, output, size))
    }

    /// Reads the body (if any) and makes `dpath` hold it. The outer error
    /// ends the server; the inner one fails only this request.
    fn store_output<R: BufRead>(
        &mut self,
        wire: &mut Wire<R>,
        id: i64,
        output: &Hash,
        size: u64,
        dpath: &Path,
    ) -> Result<Result<(), RequestError>, ProgError> {
        // As Go's own cache does: an output already there is kept only if
        // its bytes still hash to its name; a damaged one is rewritten.
        let present = matches!(fs::symlink_metadata(dpath), Ok(m) if m.is_file() && m.len() == size)
            && file_sha256(dpath).is_some_and(|h| h == *output);
        let verify = |body: &Body| -> Result<(), RequestError> {
            if body.len != size {
                return Err(RequestError::SizeMismatch {
                    got: body.len,
                    want: size,
                });
            }
            if body.hasher.clone().finalize().as_slice() != output.as_slice() {
                return Err(RequestError::HashMismatch);
            }
            Ok(())
        };
        let read = |wire: &mut Wire<R>, sink: &mut dyn Write| -> Result<Body, ProgError> {
            if size == 0 {
                Ok(Body {
                    len: 0,
                    hasher: Sha256::new(),
                    sink_error: None,
                })
            } else {
                wire.read_body(id, size, sink)
            }
        };
        if present {
            // The same bytes are there: read the body only to check it
            // and keep the stream in step.
            let body = read(wire, &mut io::sink())?;
            if let Err(e) = verify(&body) {
                return Ok(Err(e));
            }
            refresh(dpath);
            return Ok(Ok(()));
        }
        let tmp = match self.temp_file(dpath) {
            Ok(t) => t,
            Err(e) => {
                let _ = read(wire, &mut io::sink())?;
                return Ok(Err(e));
            }
        };
        let (tpath, file) = tmp;
        let mut writer = BufWriter::with_capacity(64 * 1024, file);
        let body = read(wire, &mut writer);
        let flushed = writer.flush();
        drop(writer);
        let body = match body {
            Ok(b) => b,
            Err(e) => {
                let _ = fs::remove_file(&tpath);
                return Err(e);
            }
        };
        let outcome = verify(&body)
            .and_then(|()| match body.sink_error {
                Some(e) => Err(req_io(&tpath)(e)),
                None => flushed.map_err(req_io(&tpath)),
            })
            .and_then(|()| fs::rename(&tpath, dpath).map_err(req_io(dpath)));
        if outcome.is_err() {
            let _ = fs::remove_file(&tpath);
        } else {
            self.stats.bytes_written += size;
        }
        Ok(outcome)
    }

    /// A new file beside `target` (same directory, so a rename is atomic),
    /// named so that Go's trim (which removes only `-a` and `-d` names)
    /// and the export never take it for an entry.
    fn temp_file(&mut self, target: &Path) -> Result<(PathBuf, File), RequestError> {
        let parent = target.parent().unwrap_or(&self.dir);
        fs::create_dir_all(parent).map_err(req_io(parent))?;
        loop {
            self.seq += 1;
            let tpath = parent.join(format!(".gofront-tmp-{}-{}", std::process::id(), self.seq));
            match File::options().write(true).create_new(true).open(&tpath) {
                Ok(f) => return Ok((tpath, f)),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(req_io(&tpath)(e)),
            }
        }
    }

    fn write_atomically(&mut self, target: &Path, bytes: &[u8]) -> Result<(), RequestError> {
        let (tpath, mut file) = self.temp_file(target)?;
        let written = file
            .write_all(bytes)
            .map_err(req_io(&tpath))
            .and_then(|()| fs::rename(&tpath, target).map_err(req_io(target)));
        if written.is_err() {
            let _ = fs::remove_file(&tpath);
        }
        written
    }

    /// Go's trim, which go skips when a prog serves the cache: at most once
    /// a day (by `trim.txt`), remove the entries not used for five days,
    /// and temporary files a killed writer left. Best effort: a file that
    /// cannot be removed stays, and a trim cut short runs again next time.
    /// Returns how many files it removed.
    pub fn trim(&self, now: SystemTime) -> usize {
        let stamp = self.dir.join(TRIM_FILE);
        let secs = |t: SystemTime| t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        if let Ok(text) = fs::read_to_string(&stamp)
            && let Ok(last) = text.trim().parse::<u64>()
        {
            let now_s = secs(now);
            // Go's test: recent, and not more than the slack in the future.
            if now_s < last + TRIM_EVERY.as_secs() && last < now_s + REFRESH_AFTER.as_secs() {
                return 0;
            }
        }
        let cutoff = now.checked_sub(TRIM_UNUSED).unwrap_or(UNIX_EPOCH);
        let mut removed = 0;
        for i in 0..=255u8 {
            let sub = self.dir.join(hex(&[i]));
            let Ok(names) = fs::read_dir(&sub) else {
                continue;
            };
            for e in names.flatten() {
                let name = e.file_name();
                let Some(name) = name.to_str() else { continue };
                let ours = name.starts_with(".gofront-tmp-")
                    || name
                        .strip_suffix("-a")
                        .or_else(|| name.strip_suffix("-d"))
                        .is_some_and(|h| unhex(h).is_some());
                let old = e
                    .metadata()
                    .and_then(|m| m.modified())
                    .is_ok_and(|t| t < cutoff);
                if ours && old && fs::remove_file(e.path()).is_ok() {
                    removed += 1;
                }
            }
        }
        let _ = self.write_atomically_plain(&stamp, secs(now).to_string().as_bytes());
        removed
    }

    fn write_atomically_plain(&self, target: &Path, bytes: &[u8]) -> io::Result<()> {
        let tpath = self
            .dir
            .join(format!(".gofront-tmp-trim-{}", std::process::id()));
        fs::write(&tpath, bytes).and_then(|()| fs::rename(&tpath, target))
    }

    /// Writes the used list to `path` through a temporary name beside it.
    pub fn write_used(&self, path: &Path) -> Result<(), ProgError> {
        let io = |p: &Path| {
            let p = p.display().to_string();
            move |source| ProgError::Io { path: p, source }
        };
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent).map_err(io(&parent))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tpath = parent.join(format!(".{name}.tmp-{}", std::process::id()));
        let mut text = String::with_capacity(USED_FORMAT.len() + 1 + self.used.len() * 65);
        text.push_str(USED_FORMAT);
        text.push('\n');
        for a in &self.used {
            text.push_str(&hex(a));
            text.push('\n');
        }
        let written = fs::write(&tpath, text)
            .map_err(io(&tpath))
            .and_then(|()| fs::rename(&tpath, path).map_err(io(path)));
        if written.is_err() {
            let _ = fs::remove_file(&tpath);
        }
        written
    }
}

fn file_sha256(path: &Path) -> Option<Hash> {
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

fn reply<W: Write>(out: &mut W, response: &Response) -> Result<(), ProgError> {
    let mut line = serde_json::to_vec(response).map_err(|e| ProgError::Channel(e.into()))?;
    line.push(b'\n');
    out.write_all(&line)
        .and_then(|()| out.flush())
        .map_err(ProgError::Channel)
}

/// Marks a used entry as recent, as Go does (at most once an hour), so
/// mtime-based trimming keeps it. Best effort.
fn refresh(path: &Path) {
    let old = fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| SystemTime::now().duration_since(t).ok())
        .is_some_and(|age| age > REFRESH_AFTER);
    if old && let Ok(f) = File::options().write(true).open(path) {
        let _ = f.set_modified(SystemTime::now());
    }
}

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
    let server = Server {
        dir: cache.to_path_buf(),
        limits: Limits::default(),
        used_file: None,
        used: BTreeSet::new(),
        used_overflow: false,
        seq: 0,
        stats: Stats::default(),
    };
    let mut names = BTreeSet::new();
    for a in &ids {
        if let Ok(Some((entry, _))) = server.lookup(a) {
            names.insert(format!("{}-a", hex(a)));
            names.insert(format!("{}-d", hex(&entry.output)));
        }
    }
    Ok(names)
}

/// `gofront gocache prog --dir DIR --used FILE`, and `gofront gocache
/// stamp --dir DIR` (see mtimes.rs); `args` starts at `prog` or `stamp`.
pub fn main(args: &[String]) -> ExitCode {
    match args.split_first() {
        Some((sub, rest)) if sub == "stamp" => crate::mtimes::main(rest),
        Some((sub, rest)) if sub == "prog" => prog_main(rest),
        _ => {
            eprintln!("gofront gocache: expected prog or stamp");
            ExitCode::from(2)
        }
    }
}

fn prog_main(args: &[String]) -> ExitCode {
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gofront gocache prog: {e}");
            ExitCode::from(1)
        }
    }
}

fn run(args: &[String]) -> Result<(), ProgError> {
    let mut dir = None;
    let mut used = None;
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let slot = match flag.as_str() {
            "--dir" => &mut dir,
            "--used" => &mut used,
            other => return Err(ProgError::Usage(format!("unknown flag {other}"))),
        };
        let value = it
            .next()
            .ok_or_else(|| ProgError::Usage(format!("{flag} needs a value")))?;
        *slot = Some(PathBuf::from(value));
    }
    let dir = dir.ok_or_else(|| ProgError::Usage("--dir is required".into()))?;
    let used = used.ok_or_else(|| ProgError::Usage("--used is required".into()))?;
    let mut server = Server::new(&dir, Limits::default())?.with_used_file(used);
    let served = server.serve(io::stdin().lock(), io::stdout().lock());
    // A broken stream still leaves its list: what was served was served.
    let listed = if served.is_err() {
        server.finish()
    } else {
        Ok(())
    };
    let s = server.stats();
    tracing::debug!(
        gets = s.gets,
        hits = s.hits,
        puts = s.puts,
        bytes = s.bytes_written,
        used = server.used().count(),
        "gocache prog done"
    );
    served.and(listed)
}

#[cfg(test)]
mod tests;
