//! A target per binary: `docker buildx bake` of the multi example's two
//! services builds one image each, holding only its binary and running it,
//! from one `go build` run shared by both builds.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::process::Command;

use gofront_e2e::{Scratch, call, copy_example, docker, docker_ok, enabled, rawjson, run_id};

/// The files in `/usr/local/bin` of `image`, read from a container that
/// never starts (the base has no shell).
fn bin_files(image: &str) -> BTreeSet<String> {
    let id = docker_ok(&["create", image]).trim().to_string();
    let tar = docker(&["cp", &format!("{id}:/usr/local/bin"), "-"]);
    docker_ok(&["rm", &id]);
    assert!(tar.status.success(), "docker cp from {image}");
    let dir = Scratch::new("services-bin");
    let file = dir.join("bin.tar");
    fs::write(&file, &tar.stdout).unwrap();
    let list = Command::new("tar").arg("-tf").arg(&file).output().unwrap();
    String::from_utf8_lossy(&list.stdout)
        .lines()
        .filter_map(|l| l.strip_prefix("bin/"))
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn a_bake_of_two_binary_targets_builds_an_image_each_from_one_go_build() {
    if !enabled("a_bake_of_two_binary_targets_builds_an_image_each_from_one_go_build") {
        return;
    }
    let t = Scratch::new("services");
    let dir = t.join("multi");
    copy_example("multi", &dir);
    // New sources, so that the go build runs (and is seen to run once).
    let main = dir.join("cmd/server/main.go");
    let text = fs::read_to_string(&main).unwrap();
    fs::write(&main, format!("{text}\n// e2e run {}\n", run_id())).unwrap();
    // The cli's own image settings over [runtime].
    let spec = dir.join("gofront.toml");
    let text = fs::read_to_string(&spec).unwrap();
    fs::write(
        &spec,
        format!(
            "{text}\n[images.cli]\nenv = {{ CLI_MODE = \"e2e\" }}\nlabels = {{ \"org.opencontainers.image.title\" = \"multi-cli\" }}\n"
        ),
    )
    .unwrap();
    let id = run_id();
    let tag = |name: &str| format!("e2e-services-{name}:{id}");
    fs::write(
        dir.join("docker-bake.hcl"),
        format!(
            r#"group "default" {{
  targets = ["server", "cli"]
}}

target "_gofront" {{
  context    = "."
  dockerfile = "gofront.toml"
}}

target "server" {{
  inherits = ["_gofront"]
  target   = "server"
  tags     = ["{server}"]
}}

target "cli" {{
  inherits = ["_gofront"]
  target   = "cli"
  tags     = ["{cli}"]
}}
"#,
            server = tag("server"),
            cli = tag("cli"),
        ),
    )
    .unwrap();
    let out = Command::new("docker")
        .args(["buildx", "bake", "--progress=rawjson", "--provenance=false"])
        .current_dir(&dir)
        .output()
        .expect("docker buildx bake runs");
    let bake = rawjson(&out);
    assert!(bake.ok, "bake failed:\n{}", bake.raw);

    // Both targets' plans have the same go build step. Its vertex digests
    // differ only through the build context's source (each bake target has
    // a session of its own), and BuildKit keys that by content: the step
    // runs once, the other target's is a cache hit.
    let builds: BTreeSet<String> = bake
        .vertex_names()
        .into_iter()
        .filter(|(_, name)| name.contains("gofront] go build ./cmd/server ./cmd/cli"))
        .map(|(digest, _)| digest)
        .collect();
    assert!(!builds.is_empty(), "no go build vertex:\n{}", bake.raw);
    let mut ran = BTreeSet::new();
    for o in &bake.objects {
        for v in o["vertexes"].as_array().into_iter().flatten() {
            let digest = v["digest"].as_str().unwrap_or_default();
            if builds.contains(digest) && v["completed"].is_string() && v["cached"] != true {
                ran.insert(digest.to_string());
            }
        }
    }
    assert_eq!(
        ran.len(),
        1,
        "go build vertices {builds:?}, run (not cached): {ran:?}\n{}",
        bake.raw
    );

    // Each image holds only its binary and runs it as its entrypoint; the
    // rest of [runtime] (env) applies to both.
    assert_eq!(
        docker_ok(&["run", "--rm", "--network", "none", &tag("server")]).trim(),
        "server: would listen on :8080"
    );
    assert_eq!(
        docker_ok(&["run", "--rm", "--network", "none", &tag("cli")]).trim(),
        "cli: ok"
    );
    assert_eq!(bin_files(&tag("server")), BTreeSet::from(["server".into()]));
    assert_eq!(bin_files(&tag("cli")), BTreeSet::from(["cli".into()]));
    let config = |name: &str| -> serde_json::Value {
        let v: serde_json::Value =
            serde_json::from_slice(&docker(&["image", "inspect", &tag(name)]).stdout).unwrap();
        v[0]["Config"].clone()
    };
    let (cli, server) = (config("cli"), config("server"));
    assert_eq!(cli["Entrypoint"], serde_json::json!(["/usr/local/bin/cli"]));
    assert_eq!(
        server["Entrypoint"],
        serde_json::json!(["/usr/local/bin/server"])
    );
    let env = |c: &serde_json::Value| -> Vec<String> {
        c["Env"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e.as_str().unwrap().to_string())
            .collect()
    };
    assert!(env(&cli).contains(&"PORT=8080".to_string()), "{cli}");
    assert!(env(&cli).contains(&"CLI_MODE=e2e".to_string()), "{cli}");
    assert!(
        !env(&server).contains(&"CLI_MODE=e2e".to_string()),
        "{server}"
    );
    assert_eq!(cli["Labels"]["org.opencontainers.image.title"], "multi-cli");
    assert_eq!(server["Labels"]["org.opencontainers.image.title"], "multi");
    for name in ["server", "cli"] {
        docker(&["image", "rm", &tag(name)]);
    }
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn an_unknown_target_names_the_binary_targets() {
    if !enabled("an_unknown_target_names_the_binary_targets") {
        return;
    }
    let t = Scratch::new("services-unknown");
    let dir = t.join("multi");
    copy_example("multi", &dir);
    let b = gofront_e2e::build(&dir, &["--target", "sever"]);
    assert!(!b.ok, "{}", b.log);
    assert!(
        b.log.contains(
            "unknown target \"sever\" (did you mean \"server\"?); gofront builds image, binaries, test, gocache, test-report, and an image per binary: server, cli"
        ),
        "{}",
        b.log
    );
    let spec = dir.join("gofront.toml");
    call_says(
        "targets",
        &[],
        &spec,
        &[
            "server",
            "The runtime image with only the binary of ./cmd/server, its entrypoint",
            "The runtime image with only the binary of ./cmd/cli, its entrypoint",
        ],
    );
    // One binary's outline: its name and package, image's build args.
    call_says(
        "outline",
        &["--target", "cli"],
        &spec,
        &[
            "cli",
            "The runtime image with only the binary of ./cmd/cli, its entrypoint",
            "GOFRONT_RUNTIME_BASE",
        ],
    );
}

/// `docker buildx build --call METHOD ARGS` of the spec's directory
/// succeeds and prints each of `lines`.
fn call_says(method: &str, args: &[&str], spec: &std::path::Path, lines: &[&str]) {
    let dir = spec.parent().expect("the spec's directory");
    let out = call(method, args, spec, dir);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for line in lines {
        assert!(
            text.contains(line),
            "--call {method} {args:?} lacks {line:?}:\n{text}"
        );
    }
}

/// The packages the go build steps that ran compiled (`go build -v`).
fn compiled(bake: &gofront_e2e::RawBuild) -> Vec<String> {
    let mut out: Vec<String> = build_lines(bake)
        .into_iter()
        .filter(|l| l.starts_with("example.com/"))
        .collect();
    out.sort();
    out
}

/// What `gofront keep` said of the links in the go build steps that ran.
fn links(bake: &gofront_e2e::RawBuild) -> Vec<String> {
    build_lines(bake)
        .into_iter()
        .filter(|l| l.starts_with("gofront keep:"))
        .collect()
}

/// The lines the go build steps that ran printed, each step's log once
/// however many of the bake's builds report it.
fn build_lines(bake: &gofront_e2e::RawBuild) -> Vec<String> {
    let names = bake.vertex_names();
    let mut seen = BTreeSet::new();
    // Each step's output in the order it came: a chunk may end inside a
    // line, which the next chunk of the same step finishes.
    let mut streams: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for o in &bake.objects {
        for l in o["logs"].as_array().into_iter().flatten() {
            let vertex = l["vertex"].as_str().unwrap_or_default();
            let is_build = names
                .get(vertex)
                .is_some_and(|n| n.contains("gofront] go build"));
            let key = (
                vertex.to_string(),
                l["timestamp"].as_str().unwrap_or_default().to_string(),
                l["data"].as_str().unwrap_or_default().to_string(),
            );
            if is_build && seen.insert(key) {
                let data = gofront_e2e::unbase64(l["data"].as_str().unwrap_or_default());
                streams
                    .entry(vertex.to_string())
                    .or_default()
                    .extend_from_slice(&data);
            }
        }
    }
    streams
        .values()
        .flat_map(|data| {
            String::from_utf8_lossy(data)
                .lines()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

fn bake(dir: &std::path::Path, tag: &str) -> gofront_e2e::RawBuild {
    let out = Command::new("docker")
        .args([
            "buildx",
            "bake",
            "--progress=rawjson",
            "--provenance=false",
            "--set",
            "*.args.SOURCE_DATE_EPOCH=0",
        ])
        .env("TAG", tag)
        .current_dir(dir)
        .output()
        .expect("docker buildx bake runs");
    let b = rawjson(&out);
    assert!(b.ok, "bake failed:\n{}", b.raw);
    b
}

fn image_id(image: &str) -> String {
    docker_ok(&["image", "inspect", "--format", "{{.Id}}", image])
        .trim()
        .to_string()
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn a_bake_of_a_workspaces_three_services_compiles_the_shared_package_once() {
    if !enabled("a_bake_of_a_workspaces_three_services_compiles_the_shared_package_once") {
        return;
    }
    let t = Scratch::new("services-ws");
    let dir = t.join("services");
    copy_example("services", &dir);
    // A new API for the shared package (an exported name, so its export
    // data changes), so that the bake compiles it and every service that
    // imports it, and links them all, whatever an earlier run left on the
    // engine.
    let shared = dir.join("shared/greet/greet.go");
    let text = fs::read_to_string(&shared).unwrap();
    fs::write(
        &shared,
        format!(
            "{text}\n// Run is the e2e run.\nconst Run = \"{}\"\n",
            run_id()
        ),
    )
    .unwrap();
    let tag = run_id();
    let image = |s: &str| format!("services-{s}:{tag}");

    let first = bake(&dir, &tag);
    // The shared package and each service compiled once across the bake.
    assert_eq!(
        compiled(&first),
        [
            "example.com/shared/greet",
            "example.com/svc/cmd/api",
            "example.com/svc/cmd/migrate",
            "example.com/svc/cmd/worker",
        ],
        "{}",
        first.raw
    );
    let linked = links(&first);
    assert!(
        linked.len() == 1 && linked[0].starts_with("gofront keep: linked 3 of 3 binaries"),
        "{linked:?}"
    );
    for (s, out) in [
        ("api", "api: serving"),
        ("worker", "worker: working"),
        ("migrate", "migrate: migrated"),
    ] {
        assert_eq!(
            docker_ok(&["run", "--rm", "--network", "none", &image(s)]).trim(),
            out
        );
        assert_eq!(bin_files(&image(s)), BTreeSet::from([s.to_string()]));
    }
    let worker_env = docker_ok(&[
        "image",
        "inspect",
        "--format",
        "{{json .Config.Env}}",
        &image("worker"),
    ]);
    assert!(worker_env.contains("QUEUE=jobs"), "{worker_env}");
    let before: Vec<String> = ["worker", "migrate"].map(|s| image_id(&image(s))).to_vec();

    // One service's main package changes: only it is compiled again, and
    // only its binary linked: the step links into a kept directory (a
    // cache mount), where Go finds the other two up to date (without it
    // all three were linked again: Go caches compiled packages, not the
    // executables go build writes, and the step's output starts empty).
    // The other two images stay byte for byte the same.
    let api = dir.join("svc/cmd/api/main.go");
    let text = fs::read_to_string(&api).unwrap();
    fs::write(&api, text.replace("\"serving\"", "\"serving v2\"")).unwrap();
    let second = bake(&dir, &tag);
    assert_eq!(
        compiled(&second),
        ["example.com/svc/cmd/api"],
        "{}",
        second.raw
    );
    assert_eq!(
        links(&second),
        ["gofront keep: linked 1 of 3 binaries (api), 2 already up to date"]
    );
    assert_eq!(
        docker_ok(&["run", "--rm", "--network", "none", &image("api")]).trim(),
        "api: serving v2"
    );
    let after: Vec<String> = ["worker", "migrate"].map(|s| image_id(&image(s))).to_vec();
    assert_eq!(before, after, "worker and migrate images changed");
    for s in ["api", "worker", "migrate"] {
        docker(&["image", "rm", &image(s)]);
    }
}
