//! The server: requests served from and stored into the cache directory,
//! the used set recorded, the directory trimmed as Go trims it.

use std::collections::BTreeSet;
use std::fs::{self, File};
use std::io::{self, BufRead, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

use super::entry::{
    ENTRY_LEN, Entry, Hash, REFRESH_AFTER, file_sha256, format_entry, now_nanos, parse_entry,
    refresh, unhex,
};
use super::error::{ProgError, RequestError, req_io};
use super::protocol::{Body, Request, Response, Wire, b64_encode, decode_id, reply};
use crate::rfc3339::rfc3339_nanos;

/// The first line of a used list (`used.rs` reads it).
pub const USED_FORMAT: &str = "gofront-used/1";

/// The largest body a `put` may store (Go's largest entries are linked
/// executables of `go run`/`go tool`, well below this).
pub const MAX_BODY: u64 = 1 << 30;
/// The most action ids one used list holds (a large monolith's
/// `go test ./...` uses tens of thousands).
pub const MAX_USED: usize = 1 << 20;
/// Go trims its cache at most once a day ...
pub(super) const TRIM_EVERY: Duration = Duration::from_secs(24 * 3600);
/// ... removing entries unused for five days (plus the refresh slack).
pub(super) const TRIM_UNUSED: Duration = Duration::from_secs(5 * 24 * 3600 + 3600);
/// Where Go records the last trim (Unix seconds), in the cache directory.
pub(super) const TRIM_FILE: &str = "trim.txt";

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
    /// The build context: test logs naming files outside it are reported.
    context: Option<PathBuf>,
    /// Files already reported.
    reported: BTreeSet<String>,
}

/// The largest test log read for files outside the context.
const MAX_TEST_LOG: u64 = 1 << 20;

impl Server {
    /// A server that only reads `dir`: nothing created, no used file.
    pub(super) fn reading(dir: &Path) -> Self {
        Self::over(dir.to_path_buf(), Limits::default())
    }

    fn over(dir: PathBuf, limits: Limits) -> Self {
        Server {
            dir,
            limits,
            used_file: None,
            used: BTreeSet::new(),
            used_overflow: false,
            seq: 0,
            stats: Stats::default(),
            context: None,
            reported: BTreeSet::new(),
        }
    }

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
        Ok(Self::over(dir, limits))
    }

    /// Writes the used list to `path` when the session ends: before the
    /// reply to `close` (go exits right after that reply, and a build step
    /// ends with it, taking this process along), or at the end of input.
    pub fn with_used_file(mut self, path: PathBuf) -> Self {
        self.used_file = Some(path);
        self
    }

    /// Reports, on stderr, files that tests read outside `context`.
    pub fn with_context(mut self, context: PathBuf) -> Self {
        self.context = Some(context);
        self
    }

    /// The files reported so far, sorted.
    #[cfg(test)]
    pub fn reported(&self) -> impl Iterator<Item = &String> {
        self.reported.iter()
    }

    /// If the output just stored at `dpath` is a test log, says which files
    /// the test read outside the context (each once per server): Go does
    /// not key a cached result by them.
    fn report_outside_reads(&mut self, dpath: &Path) {
        let Some(context) = &self.context else {
            return;
        };
        let mut head = [0u8; super::testlog::HEADER.len()];
        let is_log = File::open(dpath)
            .and_then(|mut f| f.read_exact(&mut head))
            .is_ok()
            && head == *super::testlog::HEADER.as_bytes();
        if !is_log {
            return;
        }
        let Ok(text) = fs::read_to_string(dpath) else {
            return;
        };
        // Go's own trees and scratch space are no inputs worth keying.
        let env_dirs: Vec<PathBuf> = ["GOROOT", "GOPATH", "GOMODCACHE", "TMPDIR"]
            .iter()
            .filter_map(std::env::var_os)
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .chain([PathBuf::from("/usr/local/go"), self.dir.clone()])
            .collect();
        let ignored: Vec<&Path> = env_dirs.iter().map(PathBuf::as_path).collect();
        let Some(outside) = super::testlog::outside_reads(&text, context, &ignored) else {
            return;
        };
        for path in outside {
            if self.reported.insert(path.clone()) {
                eprintln!(
                    "gofront: a test read {path}, outside the build context: Go does not key its cached result by that file, so a change to it alone will not run the test again"
                );
            }
        }
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

    pub(super) fn path(&self, id: &Hash, kind: char) -> PathBuf {
        let name = hex::encode(id);
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
    pub(super) fn lookup(&self, action: &Hash) -> Result<Option<(Entry, PathBuf)>, RequestError> {
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
                if size <= MAX_TEST_LOG {
                    self.report_outside_reads(&dpath);
                }
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
            let sub = self.dir.join(hex::encode([i]));
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
            text.push_str(&hex::encode(a));
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
