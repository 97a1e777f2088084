//! The module download cache tool: `gofront modcache --cache DIR
//! --modcache GOMODCACHE -- go mod download`, run in the download step
//! from gofront's own image (never inside the frontend process).
//!
//! The download step's module cache is a fresh layer on every go.mod
//! change. Go's download cache (`$GOMODCACHE/cache/download`: each
//! module's `.info`, `.mod`, `.zip` and `.ziphash`) is in the module proxy
//! layout, so a copy of it kept on a cache mount serves as a `file://`
//! proxy tried before the user's `GOPROXY`: the download then fetches only
//! modules that are new, and the tool copies those into the cache mount
//! afterwards. `GOPROXY=off` (vendored or offline builds) runs the command
//! as it is. Version lists (`@v/list`) and the checksum database's files
//! are never kept: a stale list served first would hide newer versions.

use std::collections::VecDeque;
use std::fs;
use std::io::{self, Read, Write};
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};

use crate::cachetool::{
    ModcacheArgs, SyncReport, ToolError, copy_kept, failed_exit, split_command,
};

/// Go's default when `GOPROXY` is unset.
const DEFAULT_GOPROXY: &str = "https://proxy.golang.org,direct";

/// The `GOPROXY` the download runs with: the cache first, then the user's.
/// `None` when the user's is `off`: nothing may be fetched, so nothing is
/// looked up either.
pub fn goproxy_with_cache(cache: &Path, user: Option<&str>) -> Option<String> {
    let user = user
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or(DEFAULT_GOPROXY);
    if user == "off" {
        return None;
    }
    Some(format!("file://{},{user}", cache.display()))
}

/// Copies the download cache files of `modcache` that `cache` lacks.
pub fn sync(modcache: &Path, cache: &Path) -> Result<SyncReport, ToolError> {
    copy_kept(&modcache.join("cache").join("download"), cache)
}

/// How many of Go's last stderr lines are kept to explain a failure.
const TAIL_LINES: usize = 200;
/// How much of one line is kept (the rest still goes through).
const TAIL_LINE_BYTES: usize = 4096;
/// How much of the child's stderr is read at a time.
const CHUNK_BYTES: usize = 8192;

/// The last [`TAIL_LINES`] lines of a stream, each cut at
/// [`TAIL_LINE_BYTES`]: bounded, whatever the stream holds.
#[derive(Debug, Default)]
struct Tail {
    lines: VecDeque<Vec<u8>>,
    /// The line being read, up to the cap.
    current: Vec<u8>,
}

impl Tail {
    fn push(&mut self, chunk: &[u8]) {
        for piece in chunk.split_inclusive(|&b| b == b'\n') {
            let (text, ended) = match piece.strip_suffix(b"\n") {
                Some(t) => (t, true),
                None => (piece, false),
            };
            let room = TAIL_LINE_BYTES.saturating_sub(self.current.len());
            self.current
                .extend_from_slice(&text[..text.len().min(room)]);
            if ended {
                self.end_line();
            }
        }
    }

    fn end_line(&mut self) {
        if self.lines.len() == TAIL_LINES {
            self.lines.pop_front();
        }
        self.lines.push_back(std::mem::take(&mut self.current));
    }

    /// The lines kept, a last one without a newline included, as text
    /// (bytes that are not UTF-8 replaced).
    fn lines(mut self) -> Vec<String> {
        if !self.current.is_empty() {
            self.end_line();
        }
        self.lines
            .iter()
            .map(|l| String::from_utf8_lossy(l).into_owned())
            .collect()
    }
}

/// Copies `from` to `to` in chunks of [`CHUNK_BYTES`] until it ends,
/// keeping its tail: bytes that are not UTF-8 and lines without a newline
/// are passed on as they are, never held whole. Reading goes on when
/// writing fails (the child must not die of a closed pipe); it stops only
/// at the end or when reading fails.
fn drain(mut from: impl Read, mut to: impl Write, tail: &mut Tail) {
    let mut buf = vec![0u8; CHUNK_BYTES];
    loop {
        match from.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                let _ = to.write_all(&buf[..n]);
                tail.push(&buf[..n]);
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    let _ = to.flush();
}

/// What the step has for credentials: `NETRC` (set by gofront when the spec
/// lists the `netrc` secret) and whether the file is there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Netrc {
    /// `NETRC` is unset: the spec does not mount a netrc secret.
    NotConfigured,
    /// `NETRC` names a file that is missing or empty: the build was not
    /// given the secret.
    Missing,
    /// A netrc file is there.
    Present,
}

fn netrc_state() -> Netrc {
    match std::env::var_os("NETRC") {
        None => Netrc::NotConfigured,
        Some(p) => match fs::metadata(&p) {
            Ok(m) if m.len() > 0 => Netrc::Present,
            _ => Netrc::Missing,
        },
    }
}

/// One sentence for a download that failed for want of credentials, from
/// Go's last stderr lines; `None` when the failure is something else.
pub fn diagnose(lines: &[String], netrc: &Netrc) -> Option<String> {
    let mut module: Option<&str> = None;
    for line in lines {
        // `go: example.com/m@v1.0.0: reading https://...: 401 Unauthorized`;
        // git's own lines follow, indented, for the same module.
        if let Some(rest) = line.strip_prefix("go: ")
            && let Some((m, _)) = rest.split_once(": ")
            && m.contains('@')
        {
            module = Some(m);
        }
        let http = ["401 Unauthorized", "403 Forbidden"]
            .into_iter()
            .find(|s| line.contains(s));
        let git_https =
            line.contains("terminal prompts disabled") || line.contains("could not read Username");
        let git_ssh = line.contains("Permission denied (publickey")
            || line.contains("Host key verification failed");
        if http.is_none() && !git_https && !git_ssh {
            continue;
        }
        let what = module.map_or_else(|| "a module".to_string(), |m| m.to_string());
        let advice = if git_ssh {
            "git over ssh was refused: forward an SSH agent with --ssh default and download.ssh = [\"default\"] in the spec (the host must also be in known_hosts, or set GIT_SSH_COMMAND in download.env)".to_string()
        } else {
            let refused = match http {
                Some(status) => format!("the server answered {status}"),
                None => "git asked for a password".to_string(),
            };
            match netrc {
                Netrc::NotConfigured => format!(
                    "{refused}: pass credentials as a BuildKit secret, --secret id=netrc,src=$HOME/.netrc with download.secrets = [\"netrc\"] in the spec (or --build-arg GOFRONT_DOWNLOAD_SECRETS=netrc)"
                ),
                Netrc::Missing => format!(
                    "{refused}: the spec mounts the netrc secret but the build was not given it; pass --secret id=netrc,src=$HOME/.netrc"
                ),
                Netrc::Present => format!(
                    "{refused} with the netrc secret given: check its machine line, which must name the host as GOPROXY does (with the port, if any), and its login (Go sends netrc credentials over https only)"
                ),
            }
        };
        return Some(format!("go mod download could not fetch {what}: {advice}"));
    }
    None
}

/// `gofront modcache`: the download, then what it fetched kept; Go's exit
/// code when it fails.
pub fn run(args: &ModcacheArgs) -> Result<ExitCode, ToolError> {
    let cache = Path::new(&args.cache);
    let modcache = Path::new(&args.modcache);
    let (program, rest) = split_command(&args.command)?;
    // Modules an earlier export carried (GOFRONT_GOCACHE_MODULES) join the
    // download cache first.
    if let Some(seed) = &args.seed {
        let r = copy_kept(Path::new(seed), cache)?;
        eprintln!(
            "gofront modcache: seeded {} module file(s), {:.1} MB",
            r.files,
            r.bytes as f64 / 1e6
        );
    }
    let mut cmd = Command::new(program);
    cmd.args(rest).stderr(Stdio::piped());
    let proxy = goproxy_with_cache(cache, std::env::var("GOPROXY").ok().as_deref());
    if let Some(proxy) = &proxy {
        cmd.env("GOPROXY", proxy);
    }
    let spawn_err = |source| ToolError::Spawn {
        command: program.clone(),
        source,
    };
    let mut child = cmd.spawn().map_err(spawn_err)?;
    // Go's messages go through as they come; the last ones are kept to
    // explain a failure.
    let mut tail = Tail::default();
    if let Some(err) = child.stderr.take() {
        drain(err, io::stderr().lock(), &mut tail);
    }
    let status = child.wait().map_err(spawn_err)?;
    if !status.success() {
        let lines = tail.lines();
        if let Some(sentence) = diagnose(&lines, &netrc_state()) {
            eprintln!("gofront: {sentence}");
        }
        return Ok(failed_exit(status));
    }
    if proxy.is_none() {
        return Ok(ExitCode::SUCCESS);
    }
    let r = sync(modcache, cache)?;
    let fetched: Vec<&str> = r.modules.iter().map(String::as_str).collect();
    eprintln!(
        "gofront modcache: fetched {} module(s) not in the download cache{}{}; kept {} file(s), {:.1} MB",
        fetched.len(),
        if fetched.is_empty() { "" } else { ": " },
        fetched.join(", "),
        r.files,
        r.bytes as f64 / 1e6
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_comes_first_and_off_stays_off() {
        let c = Path::new("/gofront/moddl");
        assert_eq!(
            goproxy_with_cache(c, None).as_deref(),
            Some("file:///gofront/moddl,https://proxy.golang.org,direct")
        );
        assert_eq!(
            goproxy_with_cache(c, Some("file:///goproxy")).as_deref(),
            Some("file:///gofront/moddl,file:///goproxy")
        );
        assert_eq!(goproxy_with_cache(c, Some("off")), None);
        assert_eq!(
            goproxy_with_cache(c, Some("")).as_deref(),
            Some("file:///gofront/moddl,https://proxy.golang.org,direct")
        );
    }

    #[test]
    fn a_refused_download_is_explained_in_one_sentence() {
        let lines = |s: &[&str]| s.iter().map(|l| l.to_string()).collect::<Vec<_>>();
        let proxy = lines(&[
            "go: downloading gofront.test/private v1.0.0",
            "go: gofront.test/private@v1.0.0: reading https://127.0.0.1:8443/gofront.test/private/@v/v1.0.0.info: 401 Unauthorized",
        ]);
        assert_eq!(
            diagnose(&proxy, &Netrc::NotConfigured).as_deref(),
            Some(
                "go mod download could not fetch gofront.test/private@v1.0.0: the server answered 401 Unauthorized: pass credentials as a BuildKit secret, --secret id=netrc,src=$HOME/.netrc with download.secrets = [\"netrc\"] in the spec (or --build-arg GOFRONT_DOWNLOAD_SECRETS=netrc)"
            )
        );
        assert_eq!(
            diagnose(&proxy, &Netrc::Missing).as_deref(),
            Some(
                "go mod download could not fetch gofront.test/private@v1.0.0: the server answered 401 Unauthorized: the spec mounts the netrc secret but the build was not given it; pass --secret id=netrc,src=$HOME/.netrc"
            )
        );
        assert_eq!(
            diagnose(&proxy, &Netrc::Present).as_deref(),
            Some(
                "go mod download could not fetch gofront.test/private@v1.0.0: the server answered 401 Unauthorized with the netrc secret given: check its machine line, which must name the host as GOPROXY does (with the port, if any), and its login (Go sends netrc credentials over https only)"
            )
        );
        let git = lines(&[
            "go: example.com/x@v1.2.0: git ls-remote -q origin in /go/pkg/mod/cache/vcs/abc: exit status 128:",
            "\tfatal: could not read Username for 'https://example.com': terminal prompts disabled",
        ]);
        assert!(
            diagnose(&git, &Netrc::NotConfigured)
                .is_some_and(|s| s.starts_with("go mod download could not fetch example.com/x@v1.2.0: git asked for a password: pass credentials"))
        );
        let ssh = lines(&[
            "go: example.com/y@v0.1.0: git ls-remote -q origin: exit status 128:",
            "\tgit@example.com: Permission denied (publickey).",
        ]);
        assert!(
            diagnose(&ssh, &Netrc::NotConfigured)
                .is_some_and(|s| s.contains("example.com/y@v0.1.0: git over ssh was refused: forward an SSH agent with --ssh default"))
        );
        // Anything else is Go's own message, left alone.
        let other = lines(&["go: example.com/z@v1.0.0: reading https://proxy/x: 404 Not Found"]);
        assert_eq!(diagnose(&other, &Netrc::NotConfigured), None);
    }

    /// A reader that hands out `data` a few bytes at a time, as a pipe may.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.0.len().min(buf.len()).min(7);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn stderr_is_drained_whole_and_its_tail_kept_bounded() {
        // A line that is not UTF-8 does not stop the reading.
        let mut data = b"go: downloading x v1.0.0\n\xff\xfe bad \xe9\n".to_vec();
        data.extend_from_slice(
            b"go: example.com/p@v1.0.0: reading https://p/x: 401 Unauthorized\n",
        );
        let mut out = Vec::new();
        let mut tail = Tail::default();
        drain(Trickle(&data), &mut out, &mut tail);
        assert_eq!(out, data, "every byte goes through as it came");
        let lines = tail.lines();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[1], "\u{fffd}\u{fffd} bad \u{fffd}");
        assert!(diagnose(&lines, &Netrc::NotConfigured).is_some());

        // A runaway line without a newline: passed on in chunks, its tail
        // cut at the cap; more lines than the tail keeps.
        let mut data = vec![b'x'; 3 * 1024 * 1024];
        data.push(b'\n');
        for i in 0..(TAIL_LINES + 10) {
            data.extend_from_slice(format!("line {i}\n").as_bytes());
        }
        data.extend_from_slice(&vec![b'y'; 100_000]);
        let mut out = Vec::new();
        let mut tail = Tail::default();
        drain(&data[..], &mut out, &mut tail);
        assert_eq!(out.len(), data.len());
        assert!(tail.current.len() <= TAIL_LINE_BYTES);
        let lines = tail.lines();
        assert_eq!(lines.len(), TAIL_LINES);
        assert_eq!(lines[0], "line 11");
        assert_eq!(lines[TAIL_LINES - 1], "y".repeat(TAIL_LINE_BYTES));
    }

    /// A writer that always fails, as stderr may once BuildKit closes it.
    struct Closed;

    impl Write for Closed {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::from(io::ErrorKind::BrokenPipe))
        }
        fn flush(&mut self) -> io::Result<()> {
            Err(io::Error::from(io::ErrorKind::BrokenPipe))
        }
    }

    #[test]
    fn stderr_is_read_to_its_end_when_it_cannot_be_written() {
        let data = b"a\nb\nc\n".repeat(10_000);
        let mut reader = &data[..];
        let mut tail = Tail::default();
        drain(&mut reader, Closed, &mut tail);
        assert!(reader.is_empty(), "the child's pipe was read to its end");
        assert_eq!(tail.lines().len(), TAIL_LINES);
    }

    #[test]
    fn a_line_that_is_not_utf8_does_not_kill_the_download() {
        let t = crate::testutil::TempDir::new("modcache-bytes");
        let args = ModcacheArgs {
            cache: t.0.join("cache").display().to_string(),
            modcache: t.0.join("mod").display().to_string(),
            seed: None,
            command: [
                "sh",
                "-c",
                "printf 'go: \\377\\n' >&2; sleep 0.2; echo after >&2",
            ]
            .map(String::from)
            .to_vec(),
        };
        // The reading stopped at the first such line, and Go died of SIGPIPE.
        assert_eq!(run(&args).unwrap(), ExitCode::SUCCESS);
    }

    #[test]
    fn sync_copies_what_the_cache_lacks() {
        let base = std::env::temp_dir().join(format!("gofront-modcache-{}", std::process::id()));
        let _ = fs::remove_dir_all(&base);
        let dl = base.join("mod/cache/download/gofront.test/greet/@v");
        fs::create_dir_all(&dl).unwrap();
        for (f, data) in [
            ("v1.0.0.zip", "zip"),
            ("v1.0.0.mod", "mod"),
            ("list", "v1.0.0\n"),
            ("v1.0.0.lock", ""),
        ] {
            fs::write(dl.join(f), data).unwrap();
        }
        let cache = base.join("cache");
        let kept = cache.join("gofront.test/greet/@v");
        fs::create_dir_all(&kept).unwrap();
        fs::write(kept.join("v1.0.0.mod"), "already").unwrap();
        let r = sync(&base.join("mod"), &cache).unwrap();
        assert_eq!(r.files, 1);
        assert_eq!(r.bytes, 3);
        assert_eq!(
            r.modules.into_iter().collect::<Vec<_>>(),
            ["gofront.test/greet@v1.0.0"]
        );
        assert_eq!(
            fs::read_to_string(kept.join("v1.0.0.mod")).unwrap(),
            "already"
        );
        assert!(!kept.join("list").exists());
        assert!(!kept.join("v1.0.0.lock").exists());
        let _ = fs::remove_dir_all(&base);
    }
}
