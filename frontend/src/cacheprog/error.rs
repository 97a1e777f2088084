//! Why the server stops, and why one request fails.

use std::io;
use std::path::Path;

/// A request line is about 200 bytes; refuse anything longer than this.
pub const MAX_REQUEST_LINE: usize = 64 * 1024;

use thiserror::Error;

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

pub(super) fn req_io(path: &Path) -> impl FnOnce(io::Error) -> RequestError + '_ {
    move |source| RequestError::Io {
        path: path.display().to_string(),
        source,
    }
}
