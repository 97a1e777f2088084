//! The wire (cmd/go/internal/cacheprog): request and reply lines, bodies
//! as base64 JSON strings, ids decoded and checked.

use std::io::{self, BufRead, Write};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::entry::Hash;
pub use super::error::MAX_REQUEST_LINE;
use super::error::{ProgError, RequestError};

/// One request line. Unknown fields are ignored, as Go's decoder does.
#[derive(Debug, Deserialize)]
pub(super) struct Request {
    #[serde(rename = "ID")]
    pub(super) id: i64,
    #[serde(rename = "Command")]
    pub(super) command: String,
    #[serde(rename = "ActionID", default)]
    pub(super) action_id: Option<String>,
    #[serde(rename = "OutputID", default)]
    pub(super) output_id: Option<String>,
    /// The name of `OutputID` before Go 1.24; 1.24 sends both.
    #[serde(rename = "ObjectID", default)]
    pub(super) object_id: Option<String>,
    #[serde(rename = "BodySize", default)]
    pub(super) body_size: i64,
}

/// One reply line.
#[derive(Debug, Default, Serialize)]
pub(super) struct Response {
    #[serde(rename = "ID")]
    pub(super) id: i64,
    #[serde(rename = "Err", skip_serializing_if = "Option::is_none")]
    pub(super) err: Option<String>,
    #[serde(rename = "KnownCommands", skip_serializing_if = "Option::is_none")]
    pub(super) known_commands: Option<[&'static str; 3]>,
    #[serde(rename = "Miss", skip_serializing_if = "std::ops::Not::not")]
    pub(super) miss: bool,
    #[serde(rename = "OutputID", skip_serializing_if = "Option::is_none")]
    pub(super) output_id: Option<String>,
    #[serde(rename = "Size", skip_serializing_if = "Option::is_none")]
    pub(super) size: Option<u64>,
    #[serde(rename = "Time", skip_serializing_if = "Option::is_none")]
    pub(super) time: Option<String>,
    #[serde(rename = "DiskPath", skip_serializing_if = "Option::is_none")]
    pub(super) disk_path: Option<String>,
}

impl Response {
    pub(super) fn error(id: i64, e: &RequestError) -> Self {
        Response {
            id,
            err: Some(e.to_string()),
            ..Response::default()
        }
    }
}

/// Standard base64 with padding, as Go's encoding/json writes `[]byte`.
pub fn b64_encode(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// A character of the standard base64 alphabet (padding aside).
fn b64_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'+' || c == b'/'
}

/// A whole base64 string (an id field).
pub(super) fn b64_decode(text: &str) -> Option<Vec<u8>> {
    STANDARD.decode(text).ok()
}

pub(super) fn decode_id(field: &'static str, value: Option<&str>) -> Result<Hash, RequestError> {
    let bad = |reason| RequestError::BadId { field, reason };
    let text = value.ok_or(bad("is missing"))?;
    let bytes = b64_decode(text).ok_or(bad("is not base64"))?;
    bytes.try_into().map_err(|_| bad("is not 32 bytes"))
}

/// The request stream: lines, counted for messages, and bodies.
pub(super) struct Wire<R> {
    pub(super) input: R,
    pub(super) line: u64,
}

impl<R: BufRead> Wire<R> {
    /// The next line without its newline, or None at the end of input.
    pub(super) fn read_line(&mut self) -> Result<Option<Vec<u8>>, ProgError> {
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
    pub(super) fn read_request(&mut self) -> Result<Option<Request>, ProgError> {
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

    pub(super) fn next_byte(&mut self, id: i64) -> Result<u8, ProgError> {
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
    pub(super) fn read_body(
        &mut self,
        id: i64,
        limit: u64,
        sink: &mut dyn Write,
    ) -> Result<Body, ProgError> {
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
                if c != b'=' && !b64_char(c) {
                    return Err(bad(self.line + 1, "is not base64"));
                }
                quad[filled] = c;
                filled += 1;
                if filled == 4 {
                    filled = 0;
                    let mut three = [0u8; 3];
                    let n = STANDARD
                        .decode_slice(quad, &mut three)
                        .map_err(|_| bad(self.line + 1, "has padding inside it"))?;
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
pub(super) struct Body {
    pub(super) len: u64,
    pub(super) hasher: Sha256,
    pub(super) sink_error: Option<io::Error>,
}

impl Body {
    pub(super) fn take(&mut self, chunk: &mut Vec<u8>, limit: u64, sink: &mut dyn Write) {
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

pub(super) fn reply<W: Write>(out: &mut W, response: &Response) -> Result<(), ProgError> {
    let mut line = serde_json::to_vec(response).map_err(|e| ProgError::Channel(e.into()))?;
    line.push(b'\n');
    out.write_all(&line)
        .and_then(|()| out.flush())
        .map_err(ProgError::Channel)
}
