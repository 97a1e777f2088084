//! Helpers for gofront's end-to-end tests: real `docker buildx build` runs
//! with `# syntax=gofront:dev` on the testbed engine (`scripts/testbed`).
//!
//! Every test is `#[ignore]`d (a plain `cargo test` lists it as ignored);
//! `scripts/test` runs them with `--include-ignored` and `GOFRONT_E2E=1`,
//! and an engine that does not answer fails them.
//! They share one engine and some prune it: run them one at a time
//! (`--test-threads=1`).

// A test helper fails the test loudly: that is what expect is for here.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("e2e/ has a parent")
        .to_path_buf()
}

/// Whether the test runs: always `true` once an engine answers. Every
/// end-to-end test is `#[ignore]`d, so a plain `cargo test` lists them as
/// ignored (never as passed); `scripts/test` runs them with
/// `--include-ignored` and `GOFRONT_E2E=1` and the testbed's env loaded.
/// Run without `GOFRONT_E2E`, or with an engine that does not answer, a
/// test panics: it never passes without having run.
pub fn enabled(test: &str) -> bool {
    assert!(
        std::env::var("GOFRONT_E2E").is_ok_and(|v| !v.is_empty() && v != "0"),
        "{test} is an end-to-end test: run it with GOFRONT_E2E=1 and the testbed engine's env loaded (scripts/test does)"
    );
    static CHECKED: OnceLock<()> = OnceLock::new();
    CHECKED.get_or_init(|| {
        let out = docker(&["info", "--format", "{{.ServerVersion}}"]);
        assert!(
            out.status.success(),
            "GOFRONT_E2E is set but `docker info` fails: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    });
    true
}

/// Runs `docker ARGS`.
pub fn docker(args: &[&str]) -> Output {
    Command::new("docker")
        .args(args)
        .output()
        .expect("docker runs")
}

/// Runs `docker ARGS` and returns stdout; panics with stderr on failure.
pub fn docker_ok(args: &[&str]) -> String {
    let out = docker(args);
    assert!(
        out.status.success(),
        "docker {} failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A fresh directory for one test, removed on drop.
pub struct Scratch(pub PathBuf);

impl Scratch {
    /// A new empty directory named after `tag`.
    pub fn new(tag: &str) -> Scratch {
        let p = std::env::temp_dir().join(format!("gofront-e2e-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&p);
        fs::create_dir_all(&p).expect("scratch dir");
        Scratch(p)
    }

    /// A path inside it.
    pub fn join(&self, p: &str) -> PathBuf {
        self.0.join(p)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Copies `examples/<name>` to `dest` (a project the test may edit).
pub fn copy_example(name: &str, dest: &Path) {
    copy_dir(&repo().join("examples").join(name), dest);
}

/// Copies `examples/<name>` and makes its `main.go` new to the engine (a
/// comment naming this run), so that no step of an earlier run answers from
/// the layer cache and what a build compiles can be asserted.
pub fn copy_example_fresh(name: &str, dest: &Path) {
    copy_example(name, dest);
    let main = dest.join("main.go");
    let mut text = fs::read_to_string(&main).expect("main.go");
    text.push_str(&format!("\n// e2e run {}\n", run_id()));
    fs::write(&main, text).expect("write main.go");
}

/// A string no earlier run used (this process and the clock), for names
/// and contents a test needs new to the engine.
pub fn run_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_nanos();
    format!("{}-{nanos:x}", std::process::id())
}

/// `BUILDKIT_CACHE_MOUNT_NS=...` for a namespace no earlier build used:
/// its caches start empty, without pruning the engine. (Cache mount ids are
/// not part of a step's cache key: a step whose other inputs are unchanged
/// still comes from the layer cache.)
pub fn fresh_namespace(tag: &str) -> String {
    format!("BUILDKIT_CACHE_MOUNT_NS=e2e-{tag}-{}-", run_id())
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    for e in fs::read_dir(from).expect("read_dir") {
        let e = e.expect("dir entry");
        let target = to.join(e.file_name());
        if e.file_type().expect("file type").is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            fs::copy(e.path(), &target).expect("copy");
        }
    }
}

/// The fixture Go module proxy (`scripts/make-goproxy`), made once.
pub fn goproxy() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("gofront-e2e-goproxy-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let out = Command::new(repo().join("scripts/make-goproxy"))
            .arg(&dir)
            .output()
            .expect("make-goproxy runs");
        assert!(
            out.status.success(),
            "make-goproxy failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        dir
    })
    .clone()
}

/// One `docker buildx build` and what it printed.
#[derive(Debug)]
pub struct Build {
    /// Whether buildx exited 0.
    pub ok: bool,
    /// stdout and stderr (`--progress=plain` prints on stderr).
    pub log: String,
}

/// What became of a vertex in the progress output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Taken from the cache.
    Cached,
    /// Ran.
    Done,
    /// Failed.
    Error,
    /// Never shown.
    Missing,
    /// Shown, but never finished.
    Running,
}

struct Vertex {
    name: String,
    status: Status,
    lines: Vec<String>,
}

impl Build {
    fn vertices(&self) -> Vec<Vertex> {
        let mut order: Vec<String> = Vec::new();
        let mut by_num: BTreeMap<String, Vertex> = BTreeMap::new();
        for line in self.log.lines() {
            let Some(rest) = line.strip_prefix('#') else {
                continue;
            };
            let Some((num, text)) = rest.split_once(' ') else {
                continue;
            };
            if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit()) {
                continue;
            }
            let Some(v) = by_num.get_mut(num) else {
                order.push(num.to_string());
                by_num.insert(
                    num.to_string(),
                    Vertex {
                        name: text.to_string(),
                        status: Status::Running,
                        lines: Vec::new(),
                    },
                );
                continue;
            };
            if text == "CACHED" {
                v.status = Status::Cached;
            } else if text == "DONE" || text.starts_with("DONE ") {
                v.status = Status::Done;
            } else if text.starts_with("ERROR") {
                v.status = Status::Error;
            } else if text.starts_with("WARN: ") {
                // A warning BuildKit attached to this vertex.
                v.lines.push(text.to_string());
            } else if let Some((t, msg)) = text.split_once(' ')
                && t.contains('.')
                && t.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            {
                v.lines.push(msg.to_string());
            }
        }
        order
            .into_iter()
            .filter_map(|n| by_num.remove(&n))
            .collect()
    }

    fn last(&self, prefix: &str) -> Option<Vertex> {
        self.vertices()
            .into_iter()
            .rev()
            .find(|v| v.name.starts_with(prefix))
    }

    /// The status of the last vertex whose name starts with `prefix`.
    pub fn status(&self, prefix: &str) -> Status {
        self.last(prefix).map_or(Status::Missing, |v| v.status)
    }

    /// The lines the last vertex named `prefix...` printed, without the
    /// go build step's `gofront keep:` summary (see [`Build::links`]).
    pub fn lines(&self, prefix: &str) -> Vec<String> {
        self.last(prefix)
            .map(|v| v.lines)
            .unwrap_or_default()
            .into_iter()
            .filter(|l| !l.starts_with(KEEP_SUMMARY))
            .collect()
    }

    /// What `gofront keep` said it linked in the last vertex named
    /// `prefix...` (`linked 1 of 3 binaries (api), 2 already up to date`).
    pub fn links(&self, prefix: &str) -> Option<String> {
        self.last(prefix)?
            .lines
            .iter()
            .find_map(|l| l.strip_prefix(KEEP_SUMMARY))
            .map(str::to_string)
    }

    /// The error buildx ended with (its last `ERROR: ` line), without the
    /// client's own wrapping (`failed to build: `, `failed to solve: `), so
    /// that it reads the same on every buildx version.
    pub fn error(&self) -> Option<String> {
        let mut found = self
            .log
            .lines()
            .rev()
            .find_map(|l| l.strip_prefix("ERROR: "))?;
        while let Some(rest) = ["failed to build: ", "failed to solve: "]
            .iter()
            .find_map(|w| found.strip_prefix(w))
        {
            found = rest;
        }
        Some(found.to_string())
    }

    /// Panics with the log's tail unless the build succeeded.
    pub fn assert_ok(&self, what: &str) -> &Self {
        if !self.ok {
            let tail: Vec<&str> = self.log.lines().rev().take(30).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            panic!("{what} failed:\n{}", tail.join("\n"));
        }
        self
    }
}

/// `docker buildx build --progress=PROGRESS --provenance=false -f FILE ARGS
/// DIR`, to run or spawn.
pub fn buildx(progress: &str, file: &Path, dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new("docker");
    cmd.args(["buildx", "build"])
        .arg(format!("--progress={progress}"))
        .args(["--provenance=false", "-f"])
        .arg(file)
        .args(args)
        .arg(dir);
    cmd
}

/// How the go build step's `gofront keep` summary starts.
const KEEP_SUMMARY: &str = "gofront keep: ";

/// `docker buildx build --call METHOD ARGS -f FILE DIR`: a subrequest
/// (`targets`, `outline`, `check`). buildx 0.15 and later spell it
/// `--call`; buildx 0.13 (Docker 26's) only has the experimental `--print`,
/// which needs `BUILDX_EXPERIMENTAL=1`. Returns buildx's output.
pub fn call(method: &str, args: &[&str], file: &Path, dir: &Path) -> Output {
    static HAS_CALL: OnceLock<bool> = OnceLock::new();
    let has_call = *HAS_CALL.get_or_init(|| {
        let help = docker(&["buildx", "build", "--help"]);
        String::from_utf8_lossy(&help.stdout).contains("--call")
    });
    let mut cmd = Command::new("docker");
    cmd.args(["buildx", "build"]);
    if has_call {
        cmd.args(["--call", method]);
    } else {
        cmd.env("BUILDX_EXPERIMENTAL", "1")
            .args(["--print", method]);
    }
    cmd.args(args)
        .arg("-f")
        .arg(file)
        .arg(dir)
        .output()
        .expect("docker buildx runs")
}

/// The `&str`s of owned arguments.
pub fn as_refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// `docker buildx build --progress=plain --provenance=false -f DIR/gofront.toml ARGS DIR`.
pub fn build(dir: &Path, args: &[&str]) -> Build {
    build_file(&dir.join("gofront.toml"), dir, args)
}

/// `docker buildx build --progress=plain --provenance=false -f FILE ARGS DIR`:
/// a spec, or a Dockerfile for the engine's own frontend.
pub fn build_file(file: &Path, dir: &Path, args: &[&str]) -> Build {
    let out = buildx("plain", file, dir, args)
        .output()
        .expect("docker buildx runs");
    let mut log = String::from_utf8_lossy(&out.stdout).into_owned();
    log.push_str(&String::from_utf8_lossy(&out.stderr));
    Build {
        ok: out.status.success(),
        log,
    }
}

/// One `docker buildx build --progress=rawjson` and BuildKit's status
/// stream, as objects.
#[derive(Debug)]
pub struct RawBuild {
    /// Whether buildx exited 0.
    pub ok: bool,
    /// What buildx printed on stderr.
    pub raw: String,
    /// The status objects: one a line (buildx 0.29) or pretty-printed over
    /// several (buildx 0.13), read either way.
    pub objects: Vec<serde_json::Value>,
}

impl RawBuild {
    /// Every step's log output, decoded, in order.
    pub fn logs(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for v in &self.objects {
            for l in v["logs"].as_array().into_iter().flatten() {
                if let Some(d) = l["data"].as_str() {
                    out.extend(unbase64(d));
                }
            }
        }
        out
    }

    /// The name of each vertex, by digest.
    pub fn vertex_names(&self) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for v in &self.objects {
            for x in v["vertexes"].as_array().into_iter().flatten() {
                if let (Some(d), Some(n)) = (x["digest"].as_str(), x["name"].as_str()) {
                    out.insert(d.to_string(), n.to_string());
                }
            }
        }
        out
    }

    /// Each warning as (the name of the vertex it is on, its short text).
    pub fn warnings(&self) -> Vec<(String, String)> {
        let names = self.vertex_names();
        let mut out = Vec::new();
        for v in &self.objects {
            for w in v["warnings"].as_array().into_iter().flatten() {
                let vertex = w["vertex"].as_str().unwrap_or_default();
                let short = unbase64(w["short"].as_str().unwrap_or_default());
                out.push((
                    names.get(vertex).cloned().unwrap_or_default(),
                    String::from_utf8_lossy(&short).into_owned(),
                ));
            }
        }
        out
    }
}

/// `docker buildx build --progress=rawjson --provenance=false -f DIR/gofront.toml ARGS DIR`.
pub fn build_rawjson(dir: &Path, args: &[&str]) -> RawBuild {
    let out = buildx("rawjson", &dir.join("gofront.toml"), dir, args)
        .output()
        .expect("docker buildx runs");
    rawjson(&out)
}

/// A `--progress=rawjson` run's status objects (`docker buildx build` or
/// `docker buildx bake`).
pub fn rawjson(out: &Output) -> RawBuild {
    let raw = String::from_utf8_lossy(&out.stderr).into_owned();
    let mut objects = Vec::new();
    let mut buf: Option<String> = None;
    for line in raw.lines() {
        let text = match buf.take() {
            None if line.starts_with('{') => line.to_string(),
            None => continue,
            Some(b) => b + "\n" + line,
        };
        match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(v) => objects.push(v),
            Err(_) => buf = Some(text),
        }
    }
    RawBuild {
        ok: out.status.success(),
        raw,
        objects,
    }
}

/// Standard base64 (BuildKit's log data and warning texts in rawjson).
pub fn unbase64(s: &str) -> Vec<u8> {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes().filter(|&c| c != b'=') {
        let v = A.iter().position(|&a| a == c).expect("base64 digit") as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

/// Runs an image with no network and returns its stdout.
pub fn run_image(image: &str) -> String {
    docker_ok(&["run", "--rm", "--network", "none", image])
}

/// Files below `dir` (relative paths) with their sizes.
pub fn files(dir: &Path) -> BTreeMap<String, u64> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, u64>) {
        for e in fs::read_dir(dir).expect("read_dir") {
            let e = e.expect("entry");
            let ft = e.file_type().expect("file type");
            if ft.is_dir() {
                walk(root, &e.path(), out);
            } else {
                let rel = e
                    .path()
                    .strip_prefix(root)
                    .expect("below root")
                    .display()
                    .to_string();
                out.insert(rel, e.metadata().expect("metadata").len());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// sha256 of a file, hex.
pub fn sha256_file(path: &Path) -> String {
    use sha2::Digest;
    let bytes = fs::read(path).expect("read");
    sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `docker builder prune -af`, which empties every cache of the engine:
/// only on an engine scripts/testbed started. On one it adopted (someone's
/// own Docker, `GOFRONT_TESTBED_ENGINE=external` or unset) it panics rather
/// than wipe a developer's build cache.
pub fn prune_engine() {
    match std::env::var("GOFRONT_TESTBED_ENGINE").as_deref() {
        Ok("current" | "26") => {}
        other => panic!(
            "refusing to run `docker builder prune -af` on an engine scripts/testbed did not start (GOFRONT_TESTBED_ENGINE={other:?}); run the e2e tests on the testbed's engine"
        ),
    }
    docker_ok(&["builder", "prune", "-af"]);
}

/// Cache records of type `exec.cachemount` the engine holds.
pub fn cache_mount_records() -> usize {
    docker_ok(&["buildx", "du", "--verbose"])
        .lines()
        .filter(|l| l.trim_start().starts_with("Type:") && l.contains("exec.cachemount"))
        .count()
}

/// The `gofront` binary inside `gofront:dev`, the frontend under test,
/// copied out once (`docker create` + `docker cp`: nothing runs).
pub fn gofront_cli() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("gofront-e2e-cli-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("cli dir");
        let id = docker_ok(&["create", "gofront:dev"]).trim().to_string();
        let bin = dir.join("gofront");
        let copied = docker(&["cp", &format!("{id}:/gofront"), &bin.display().to_string()]);
        docker_ok(&["rm", &id]);
        assert!(
            copied.status.success(),
            "docker cp from gofront:dev failed: {}",
            String::from_utf8_lossy(&copied.stderr)
        );
        bin
    })
    .clone()
}

/// Runs the gofront CLI (`gofront_cli`) and returns stdout; panics with
/// stderr on failure.
pub fn gofront_ok(args: &[&str]) -> String {
    let out = Command::new(gofront_cli())
        .args(args)
        .output()
        .expect("gofront runs");
    assert!(
        out.status.success(),
        "gofront {} failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The testbed's cgo builder (`scripts/testbed images --cgo`).
pub const CGO_BUILDER: &str = "gofront-test/golang-cgo:1.24";
/// The glibc runtime base gofront defaults to with cgo (a testbed stand-in).
pub const CGO_BASE: &str = "gcr.io/distroless/base-debian12:nonroot";

/// Whether cgo end-to-end tests run: `enabled`, and the cgo images exist.
/// `GOFRONT_E2E_CGO=0` skips them (an engine made without `--cgo`, as
/// `scripts/test` does for Docker 26); otherwise missing images fail.
pub fn cgo_enabled(test: &str) -> bool {
    if !enabled(test) {
        return false;
    }
    if std::env::var("GOFRONT_E2E_CGO").is_ok_and(|v| v == "0") {
        eprintln!("skipping {test}: GOFRONT_E2E_CGO=0");
        return false;
    }
    for image in [CGO_BUILDER, CGO_BASE] {
        assert!(
            docker(&["image", "inspect", image]).status.success(),
            "{image} is missing: run scripts/testbed images --cgo (or set GOFRONT_E2E_CGO=0 to skip the cgo tests)"
        );
    }
    true
}

/// Whether the engine keeps images in Docker's classic store
/// (`GOFRONT_TESTBED_STORE=classic`, Docker 26 by default). There buildx's
/// docker driver has no OCI or multi-platform export, exports no build
/// cache and refuses attestations; tests of those skip after `why`.
pub fn classic_store(test: &str, why: &str) -> bool {
    let classic = std::env::var("GOFRONT_TESTBED_STORE").as_deref() == Ok("classic");
    if classic {
        eprintln!("skipping {test}: {why} on the classic image store");
    }
    classic
}

/// The testbed's loopback registry (`GOFRONT_TESTBED_REGISTRY`, written by
/// `scripts/testbed up`), as `127.0.0.1:PORT`. `None` (the caller skips,
/// after a message) on an engine the testbed did not start; on one it
/// started, a missing registry fails the test.
pub fn registry(test: &str) -> Option<String> {
    match std::env::var("GOFRONT_TESTBED_REGISTRY") {
        Ok(r) if !r.is_empty() => {
            assert!(
                r.starts_with("127.0.0.1:"),
                "GOFRONT_TESTBED_REGISTRY={r} is not on loopback: the e2e tests push only to the testbed's own registry"
            );
            Some(r)
        }
        _ => {
            assert!(
                !matches!(
                    std::env::var("GOFRONT_TESTBED_ENGINE").as_deref(),
                    Ok("current" | "26")
                ),
                "GOFRONT_TESTBED_REGISTRY is not set: run scripts/testbed up and load its env file again"
            );
            eprintln!("skipping {test}: no testbed registry (GOFRONT_TESTBED_REGISTRY)");
            None
        }
    }
}

/// One answer of the registry's HTTP API.
#[derive(Debug)]
pub struct Reply {
    /// The HTTP status code.
    pub status: u16,
    /// The header lines, names lower-cased.
    pub headers: BTreeMap<String, String>,
    /// The body.
    pub body: Vec<u8>,
}

impl Reply {
    /// The body as JSON; panics with the reply otherwise.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "registry answered {} with no JSON ({e}): {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }
}

/// The media types a manifest request accepts: indexes and image manifests,
/// OCI and Docker.
pub const MANIFEST_TYPES: &str = "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json";

/// `GET http://REGISTRY/v2/PATH` (plain HTTP/1.0 on loopback: the answer
/// ends with the connection, never chunked).
pub fn registry_get(registry: &str, path: &str) -> Reply {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(registry).expect("connect to the testbed registry");
    write!(
        s,
        "GET /v2/{path} HTTP/1.0\r\nHost: {registry}\r\nAccept: {MANIFEST_TYPES}\r\n\r\n"
    )
    .expect("send a request to the registry");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read the registry's answer");
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP answer");
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .expect("an HTTP status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Reply {
        status,
        headers,
        body: raw[end + 4..].to_vec(),
    }
}

/// The manifest of `REPO:REF` in the registry, and its digest; panics
/// unless the registry holds it.
pub fn registry_manifest(
    registry: &str,
    repo: &str,
    reference: &str,
) -> (serde_json::Value, String) {
    let r = registry_get(registry, &format!("{repo}/manifests/{reference}"));
    assert_eq!(
        r.status,
        200,
        "the registry holds no {repo}:{reference}: {}",
        String::from_utf8_lossy(&r.body)
    );
    let digest = r
        .headers
        .get("docker-content-digest")
        .cloned()
        .unwrap_or_default();
    (r.json(), digest)
}

/// The image config of `REPO:REF` for linux/amd64 (the manifest itself, or
/// the index's linux/amd64 member).
pub fn registry_config(registry: &str, repo: &str, reference: &str) -> serde_json::Value {
    let (mut m, _) = registry_manifest(registry, repo, reference);
    if let Some(list) = m["manifests"].as_array() {
        let amd = list
            .iter()
            .find(|d| d["platform"]["os"] == "linux" && d["platform"]["architecture"] == "amd64")
            .unwrap_or_else(|| panic!("{repo}:{reference} has no linux/amd64 member: {m}"))
            .clone();
        let digest = amd["digest"].as_str().expect("a digest").to_string();
        m = registry_manifest(registry, repo, &digest).0;
    }
    let config = m["config"]["digest"]
        .as_str()
        .unwrap_or_else(|| panic!("{repo}:{reference}: no config in {m}"));
    let r = registry_get(registry, &format!("{repo}/blobs/{config}"));
    assert_eq!(r.status, 200, "{repo}: no blob {config}");
    r.json()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each end-to-end test is `#[ignore]`d, so that `cargo test` without
    /// an engine reports it ignored rather than passed.
    #[test]
    fn every_end_to_end_test_is_ignored_without_an_engine() {
        let mut tests = 0;
        for entry in fs::read_dir(repo().join("e2e/tests")).unwrap() {
            let path = entry.unwrap().path();
            let text = fs::read_to_string(&path).unwrap();
            let lines: Vec<&str> = text.lines().collect();
            for (i, line) in lines.iter().enumerate() {
                if line.trim() == "#[test]" {
                    tests += 1;
                    assert!(
                        lines
                            .get(i + 1)
                            .is_some_and(|l| l.trim_start().starts_with("#[ignore")),
                        "{}:{}: an end-to-end test without #[ignore = \"end-to-end: ...\"]",
                        path.display(),
                        i + 1
                    );
                }
            }
        }
        assert!(tests >= 50, "{tests} tests found");
    }
}
