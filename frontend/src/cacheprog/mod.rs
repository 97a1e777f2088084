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

mod entry;
mod error;
mod protocol;
mod server;
mod testlog;
mod used;
pub(crate) use used::select_used;

use std::io;
use std::path::PathBuf;
use std::process::ExitCode;

pub(crate) use entry::unhex;
use error::ProgError;
use server::{Limits, Server};

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
    let mut context = None;
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let slot = match flag.as_str() {
            "--dir" => &mut dir,
            "--used" => &mut used,
            "--context" => &mut context,
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
    if let Some(c) = context {
        server = server.with_context(c);
    }
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
