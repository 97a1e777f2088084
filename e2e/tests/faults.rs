//! Load and faults on the real engine: parallel builds sharing the cache, a
//! cancelled build, a restarted engine, a killed frontend, a huge context.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use gofront_e2e::{
    Scratch, Status, build, buildx, copy_example, enabled, fresh_namespace, goproxy, repo, run_id,
    run_image,
};

const GO_BUILD: &str = "[gofront] go build";
const DOWNLOAD: &str = "[gofront] go mod download";

/// Project `p<i>`: its own module, importing the fixture's greet module
/// (built from the withdep example's spec and go.sum). Its source is new
/// on every run, so no step of an earlier run answers from the layer cache
/// (cache mount ids are not part of a step's cache key).
fn project(root: &Path, i: usize) -> PathBuf {
    let run = run_id();
    let dir = root.join(format!("p{i}"));
    copy_example("withdep", &dir);
    fs::remove_dir_all(dir.join("internal")).unwrap();
    fs::write(
        dir.join("go.mod"),
        format!("module example.com/p{i}\n\ngo 1.24\n\nrequire gofront.test/greet v1.0.0\n"),
    )
    .unwrap();
    fs::write(
        dir.join("main.go"),
        format!(
            "package main\n\nimport (\n\t\"fmt\"\n\n\t\"gofront.test/greet\"\n)\n\n// {run}\nfunc main() {{\n\tfmt.Println(\"p{i}:\", greet.Hello(\"gofront\"))\n}}\n"
        ),
    )
    .unwrap();
    fs::remove_file(dir.join("main_test.go")).unwrap();
    dir
}

fn proxy_context() -> String {
    format!("goproxy={}", goproxy().display())
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn eight_parallel_builds_share_the_cache_and_a_shared_package_is_compiled_once() {
    if !enabled("eight_parallel_builds_share_the_cache_and_a_shared_package_is_compiled_once") {
        return;
    }
    let t = Scratch::new("parallel");
    let dirs: Vec<PathBuf> = (0..8).map(|i| project(&t.0, i)).collect();
    let proxy = proxy_context();

    // Eight different projects at once, one cache: every build succeeds
    // and every image is its own.
    let builds: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = dirs
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let proxy = &proxy;
                s.spawn(move || {
                    let tag = format!("e2e-par-{i}:1");
                    build(d, &["--build-context", proxy, "-t", &tag])
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (i, b) in builds.iter().enumerate() {
        b.assert_ok(&format!("parallel build p{i}"));
        assert_eq!(
            run_image(&format!("e2e-par-{i}:1")).trim(),
            format!("p{i}: Hello, gofront!")
        );
    }

    // One after another on empty caches: the second project finds the
    // package both import already compiled (`go build -v` lists what it
    // compiles).
    // Two projects no step of the above answers for.
    let ns = fresh_namespace("shared");
    let (a, b) = (project(&t.0, 8), project(&t.0, 9));
    let first = build(&a, &["--build-context", &proxy, "--build-arg", &ns]);
    first.assert_ok("p8 on an empty cache");
    let first_compiled = first.lines(GO_BUILD);
    assert!(
        first_compiled.iter().any(|l| l == "gofront.test/greet"),
        "{first_compiled:?}\n{}",
        first.log
    );
    let second = build(&b, &["--build-context", &proxy, "--build-arg", &ns]);
    second.assert_ok("p9 after p8");
    assert_eq!(second.lines(GO_BUILD), ["example.com/p9"]);
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn a_build_cancelled_mid_go_build_rebuilds_warm() {
    if !enabled("a_build_cancelled_mid_go_build_rebuilds_warm") {
        return;
    }
    let t = Scratch::new("cancel");
    let app = project(&t.0, 0);
    let proxy = proxy_context();
    let ns = fresh_namespace("cancel");
    let spec = app.join("gofront.toml");
    let mut child = buildx(
        "plain",
        &spec,
        &app,
        &["--build-context", &proxy, "--build-arg", &ns],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()
    .expect("docker buildx runs");
    // Wait until the go build step has compiled a few packages, then
    // interrupt buildx as a user's Ctrl-C would.
    let mut vertex = None;
    let mut compiled: Vec<String> = Vec::new();
    let mut log = String::new();
    let reader = BufReader::new(child.stderr.take().unwrap());
    let mut interrupted = false;
    for line in reader.lines() {
        let line = line.unwrap();
        log.push_str(&line);
        log.push('\n');
        let Some((num, text)) = line.strip_prefix('#').and_then(|r| r.split_once(' ')) else {
            continue;
        };
        if text.starts_with(GO_BUILD) {
            vertex = Some(num.to_string());
        } else if vertex.as_deref() == Some(num)
            && let Some((time, pkg)) = text.split_once(' ')
            && time.contains('.')
        {
            compiled.push(pkg.to_string());
            if compiled.len() == 5 && !interrupted {
                let sent = Command::new("kill")
                    .args(["-INT", &child.id().to_string()])
                    .status()
                    .unwrap();
                assert!(sent.success());
                interrupted = true;
            }
        }
    }
    let status = child.wait().unwrap();
    assert!(
        interrupted,
        "the go build step never printed 5 packages:\n{log}"
    );
    assert!(
        !status.success(),
        "the interrupted build reported success:\n{log}"
    );

    let again = build(
        &app,
        &[
            "--build-context",
            &proxy,
            "--build-arg",
            &ns,
            "-t",
            "e2e-cancel:1",
        ],
    );
    again.assert_ok("the rebuild after the cancel");
    assert_eq!(again.status(DOWNLOAD), Status::Cached);
    // The first package compiled before the interrupt was kept.
    let rebuilt = again.lines(GO_BUILD);
    assert!(
        !rebuilt.contains(&compiled[0]),
        "{} was compiled again: {rebuilt:?}",
        compiled[0]
    );
    assert_eq!(run_image("e2e-cancel:1").trim(), "p0: Hello, gofront!");
}

/// The engine this run's testbed started, to restart it; `None` when the
/// tests run against an engine the testbed only adopted.
fn testbed_engine() -> Option<(String, String)> {
    let engine = std::env::var("GOFRONT_TESTBED_ENGINE")
        .ok()
        .filter(|e| e == "current" || e == "26")?;
    let store = std::env::var("GOFRONT_TESTBED_STORE").unwrap_or_else(|_| "containerd".into());
    Some((engine, store))
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn the_next_build_after_an_engine_restart_succeeds() {
    if !enabled("the_next_build_after_an_engine_restart_succeeds") {
        return;
    }
    let Some((engine, store)) = testbed_engine() else {
        eprintln!("skipped: the engine was not started by scripts/testbed");
        return;
    };
    let t = Scratch::new("restart");
    let app = t.join("hello");
    copy_example("hello", &app);
    build(&app, &["-t", "e2e-restart:1"]).assert_ok("the build before the restart");
    let testbed = repo().join("scripts/testbed");
    let down = Command::new(&testbed)
        .args(["down", "--engine", &engine])
        .output()
        .unwrap();
    assert!(
        down.status.success(),
        "{}",
        String::from_utf8_lossy(&down.stderr)
    );
    let up = Command::new(&testbed)
        .args(["up", "--engine", &engine, "--store", &store])
        .output()
        .unwrap();
    assert!(
        up.status.success(),
        "{}",
        String::from_utf8_lossy(&up.stderr)
    );
    let b = build(&app, &["-t", "e2e-restart:2"]);
    b.assert_ok("the build after the restart");
    assert_eq!(
        run_image("e2e-restart:2").trim(),
        run_image("e2e-restart:1").trim()
    );
}

/// Pids of processes running exactly `/gofront` (the frontend; the cache
/// tools run as `/gofront/bin/gofront` with arguments).
fn frontend_pids() -> Vec<u32> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| {
            let e = e.ok()?;
            let pid: u32 = e.file_name().to_str()?.parse().ok()?;
            let cmdline = fs::read(e.path().join("cmdline")).ok()?;
            (cmdline == b"/gofront\0").then_some(pid)
        })
        .collect()
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn a_killed_frontend_fails_the_build_clearly_and_the_next_one_succeeds() {
    if !enabled("a_killed_frontend_fails_the_build_clearly_and_the_next_one_succeeds") {
        return;
    }
    let t = Scratch::new("kill");
    let app = t.join("hello");
    copy_example("hello", &app);
    // The frontend lives for tens of milliseconds: watch for it, kill it
    // the moment it appears; a build it finished first is tried again.
    let mut failed_log = None;
    for _ in 0..10 {
        let mut child = buildx("plain", &app.join("gofront.toml"), &app, &[])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let started = Instant::now();
        let mut killed = false;
        while started.elapsed() < Duration::from_secs(20) {
            if let Some(pid) = frontend_pids().first() {
                killed = Command::new("kill")
                    .args(["-KILL", &pid.to_string()])
                    .status()
                    .unwrap()
                    .success();
                break;
            }
            if child.try_wait().unwrap().is_some() {
                break;
            }
        }
        let out = child.wait_with_output().unwrap();
        let log = String::from_utf8_lossy(&out.stderr).into_owned();
        if killed && !out.status.success() {
            failed_log = Some(log);
            break;
        }
    }
    let log = failed_log.expect("the frontend was never caught running in 10 builds");
    let error = log
        .lines()
        .find(|l| l.starts_with("ERROR:"))
        .unwrap_or_default()
        .to_string();
    assert!(
        error.contains("frontend")
            || error.contains("exit code: 137")
            || error.contains("signal: killed"),
        "no clear error:\n{log}"
    );
    eprintln!("killed frontend: {error}");
    let b = build(&app, &["-t", "e2e-kill:1"]);
    b.assert_ok("the build after the killed frontend");
}

/// `VmHWM` the frontend logged with its last build, from the engine's log.
fn frontend_peak_rss_kb() -> Option<u64> {
    let host = std::env::var("DOCKER_HOST").ok()?;
    let sock = PathBuf::from(host.strip_prefix("unix://")?);
    // .../engines/<name>/run/docker.sock → .../engines/<name>/log/dockerd.log
    let log = sock.parent()?.parent()?.join("log/dockerd.log");
    let text = fs::read_to_string(log).ok()?;
    text.lines()
        .rev()
        .find(|l| l.contains("final solve requested"))?
        .split_whitespace()
        .find_map(|w| w.strip_prefix("peak_rss_kb="))?
        .parse()
        .ok()
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn a_context_of_20000_files_and_100_mb_builds_with_a_small_frontend() {
    if !enabled("a_context_of_20000_files_and_100_mb_builds_with_a_small_frontend") {
        return;
    }
    let t = Scratch::new("huge");
    let app = t.join("hello");
    copy_example("hello", &app);
    for d in 0..200 {
        let dir = app.join(format!("assets/d{d:03}"));
        fs::create_dir_all(&dir).unwrap();
        for f in 0..100 {
            fs::write(dir.join(format!("f{f:03}.txt")), format!("{d} {f}\n")).unwrap();
        }
    }
    let big: Vec<u8> = (0..100u32 * 1024 * 1024).map(|i| (i % 251) as u8).collect();
    fs::write(app.join("big.bin"), big).unwrap();

    let started = Instant::now();
    let b = build(&app, &["-t", "e2e-huge:1"]);
    let first = started.elapsed();
    b.assert_ok("the build of a huge context");
    let peak = frontend_peak_rss_kb();
    let started = Instant::now();
    build(&app, &["-t", "e2e-huge:1"]).assert_ok("the unchanged rebuild");
    let again = started.elapsed();
    eprintln!(
        "huge context (20000 files + 100 MB): first build {:.1} s, unchanged rebuild {:.1} s, frontend peak RSS {} kB",
        first.as_secs_f64(),
        again.as_secs_f64(),
        peak.map_or("unknown".to_string(), |p| p.to_string())
    );
    // The frontend reads only go.mod and friends, never the context.
    if let Some(kb) = peak {
        assert!(kb < 64 * 1024, "the frontend peaked at {kb} kB");
    }
    assert!(!run_image("e2e-huge:1").trim().is_empty());
}
