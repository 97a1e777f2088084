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
use std::io::{self, BufRead, Write};
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
    let mut tail: VecDeque<String> = VecDeque::new();
    if let Some(err) = child.stderr.take() {
        let mut out = io::stderr().lock();
        for line in io::BufReader::new(err).lines() {
            let Ok(line) = line else { break };
            let _ = writeln!(out, "{line}");
            if tail.len() == TAIL_LINES {
                tail.pop_front();
            }
            tail.push_back(line);
        }
    }
    let status = child.wait().map_err(spawn_err)?;
    if !status.success() {
        let lines: Vec<String> = tail.into_iter().collect();
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
