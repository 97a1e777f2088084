//! Every example builds and does what its `e2e.json` says: what each run of
//! the image prints, the image config, and what `--target test` prints.
//! The expectations live beside each example, so a new example is tested
//! by adding its file.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::fs;

use gofront_e2e::{
    Scratch, Status, as_refs, build, call, cgo_enabled, copy_example, docker, docker_ok, enabled,
    goproxy, repo,
};
use serde_json::Value;

/// The strings of a JSON array (empty when absent).
fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .map(|s| s.as_str().expect("a string").to_string())
        .collect()
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn every_example_builds_and_runs_as_its_e2e_json_says() {
    if !enabled("every_example_builds_and_runs_as_its_e2e_json_says") {
        return;
    }
    let t = Scratch::new("examples");
    let mut names: Vec<String> = fs::read_dir(repo().join("examples"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| repo().join("examples").join(n).join("e2e.json").exists())
        .collect();
    names.sort();
    assert!(names.len() >= 5, "examples with an e2e.json: {names:?}");
    let mut tested = Vec::new();
    for name in &names {
        let want: Value = serde_json::from_str(
            &fs::read_to_string(repo().join("examples").join(name).join("e2e.json")).unwrap(),
        )
        .unwrap_or_else(|e| panic!("examples/{name}/e2e.json: {e}"));
        if want["cgo"].as_bool() == Some(true) && !cgo_enabled(name) {
            continue;
        }
        let dir = t.join(name);
        copy_example(name, &dir);
        let mut args: Vec<String> = Vec::new();
        for c in strings(&want["contexts"]) {
            assert_eq!(
                c, "goproxy",
                "examples/{name}/e2e.json: unknown context {c}"
            );
            args.push("--build-context".into());
            args.push(format!("goproxy={}", goproxy().display()));
        }
        let tag = format!("e2e-example-{name}:1");
        let mut image_args = args.clone();
        image_args.extend(["-t".to_string(), tag.clone()]);
        build(&dir, &as_refs(&image_args)).assert_ok(&format!("examples/{name}"));

        // Each run: the image's program (or `entrypoint`) with `args`; its
        // stdout (or how it starts, `stdout_prefix`), and whether it fails
        // (`"fails": true`).
        for run in want["runs"].as_array().expect("runs") {
            let mut cmd = vec!["run", "--rm", "--network", "none"];
            if let Some(e) = run["entrypoint"].as_str() {
                cmd.extend(["--entrypoint", e]);
            }
            cmd.push(&tag);
            let args = strings(&run["args"]);
            cmd.extend(args.iter().map(String::as_str));
            let out = docker(&cmd);
            let fails = run["fails"].as_bool() == Some(true);
            assert_eq!(
                out.status.success(),
                !fails,
                "examples/{name}: {cmd:?} exited {}: {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
            let stdout = String::from_utf8_lossy(&out.stdout);
            match run["stdout_prefix"].as_str() {
                Some(prefix) => assert!(
                    stdout.trim().starts_with(prefix),
                    "examples/{name}: {cmd:?} printed {stdout:?}, not {prefix:?}..."
                ),
                None => assert_eq!(
                    stdout.trim(),
                    run["stdout"].as_str().expect("stdout"),
                    "examples/{name}: {cmd:?}"
                ),
            }
        }
        // Each binary's own target: `--call targets` lists exactly these
        // binaries, and each image runs its binary.
        if let Some(targets) = want["targets"].as_array() {
            let spec = dir.join("gofront.toml");
            let out = call("targets", &as_refs(&args), &spec, &dir);
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success(),
                "examples/{name} --call targets: {text}"
            );
            let listed: Vec<&str> = text
                .lines()
                .filter(|l| l.contains("The runtime image with only the binary of"))
                .filter_map(|l| l.split_whitespace().next())
                .collect();
            let named: Vec<&str> = targets
                .iter()
                .map(|t| t["target"].as_str().expect("target"))
                .collect();
            assert_eq!(listed, named, "examples/{name}: --call targets\n{text}");
            for t in targets {
                let target = t["target"].as_str().expect("target");
                let target_tag = format!("e2e-example-{name}-{target}:1");
                let mut target_args = args.clone();
                target_args.extend([
                    "--target".to_string(),
                    target.to_string(),
                    "-t".to_string(),
                    target_tag.clone(),
                ]);
                build(&dir, &as_refs(&target_args))
                    .assert_ok(&format!("examples/{name} --target {target}"));
                assert_eq!(
                    docker_ok(&["run", "--rm", "--network", "none", &target_tag]).trim(),
                    t["stdout"].as_str().expect("stdout"),
                    "examples/{name} --target {target}"
                );
                docker(&["image", "rm", &target_tag]);
            }
        }
        let inspect = docker(&["image", "inspect", &tag]);
        let cfg: Value = serde_json::from_slice(&inspect.stdout).unwrap();
        let cfg = &cfg[0]["Config"];
        if let Some(user) = want["user"].as_str() {
            assert_eq!(cfg["User"], user, "examples/{name}: user");
        }
        if !want["entrypoint"].is_null() {
            assert_eq!(
                cfg["Entrypoint"], want["entrypoint"],
                "examples/{name}: entrypoint"
            );
        }
        for port in strings(&want["exposed_ports"]) {
            assert!(
                cfg["ExposedPorts"].get(&port).is_some(),
                "examples/{name}: {port} not exposed: {}",
                cfg["ExposedPorts"]
            );
        }
        let env = strings(&cfg["Env"]);
        for e in strings(&want["env"]) {
            assert!(env.contains(&e), "examples/{name}: {e} not in {env:?}");
        }
        // The image settings Docker reads from the config as they are.
        if !want["healthcheck"].is_null() {
            assert_eq!(
                cfg["Healthcheck"], want["healthcheck"],
                "examples/{name}: healthcheck"
            );
        }
        if let Some(signal) = want["stop_signal"].as_str() {
            assert_eq!(cfg["StopSignal"], signal, "examples/{name}: stop signal");
        }
        for v in strings(&want["volumes"]) {
            assert!(
                cfg["Volumes"].get(&v).is_some(),
                "examples/{name}: {v} is no volume: {}",
                cfg["Volumes"]
            );
        }
        if let Some(labels) = want["labels"].as_object() {
            for (k, v) in labels {
                assert_eq!(&cfg["Labels"][k], v, "examples/{name}: label {k}");
            }
        }
        if let Some(out) = want["test_output"].as_str() {
            let mut test_args = args.clone();
            test_args.extend(["--target".to_string(), "test".to_string()]);
            let b = build(&dir, &as_refs(&test_args));
            b.assert_ok(&format!("examples/{name} --target test"));
            // A test step taken from the cache passed with these inputs before.
            assert!(
                b.log.contains(out) || b.status("[gofront] go test") == Status::Cached,
                "examples/{name}: the tests did not print {out:?}"
            );
        }
        tested.push(name.clone());
    }
    eprintln!("examples tested: {}", tested.join(", "));
}

/// A module where gofront finds no main package (here `.dockerignore`
/// hides all of cmd/, so the scan's source is empty) fails with gofront's
/// sentence before any Go step, never Go's `no Go files`; its tests still
/// run, which need no binary.
#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn a_layout_without_a_main_package_fails_with_gofronts_sentence() {
    if !enabled("a_layout_without_a_main_package_fails_with_gofronts_sentence") {
        return;
    }
    let t = Scratch::new("no-main");
    let dir = t.join("layout");
    copy_example("layout", &dir);
    fs::write(dir.join(".dockerignore"), "cmd\n").unwrap();
    let b = build(&dir, &[]);
    assert!(!b.ok, "{}", b.log);
    assert_eq!(
        b.error().as_deref(),
        Some(
            "gofront.toml: no main package found: the module root has none and there is no cmd/<name> directory with package main; set build.packages to the main packages' directories (e.g. [\"./app\"])"
        ),
        "{}",
        b.log
    );
    assert!(!b.log.contains("no Go files"), "{}", b.log);
    build(&dir, &["--target", "test"]).assert_ok("examples/layout without cmd/ --target test");
}
