//! The runtime image's files on a real engine: an edit to a copied file
//! copies that layer again and runs no Go step; a glob that matches
//! nothing fails on its spec line; ko's `kodata/` may be missing; the
//! Dockerfile `gofront dockerfile` prints makes the same files.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::fs;

use gofront_e2e::{
    Scratch, Status, build, build_file, classic_store, copy_example, copy_example_fresh, docker,
    docker_ok, enabled, gofront_ok, run_id,
};

/// The image's layers (diff ids), bottom first.
fn layers(image: &str) -> Vec<String> {
    let out = docker_ok(&[
        "image",
        "inspect",
        "--format",
        "{{json .RootFS.Layers}}",
        image,
    ]);
    serde_json::from_str(out.trim()).unwrap()
}

/// What `dataserver -ARGS` prints in `image` (its stdout, trimmed).
fn dataserver(image: &str, args: &[&str]) -> String {
    let mut cmd = vec!["run", "--rm", "--network", "none", image];
    cmd.extend(args);
    docker_ok(&cmd).trim().to_string()
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn editing_a_copied_file_copies_its_layer_alone() {
    if !enabled("editing_a_copied_file_copies_its_layer_alone") {
        return;
    }
    let t = Scratch::new("runtime-files-edit");
    let app = t.join("dataserver");
    copy_example_fresh("dataserver", &app);
    build(&app, &["-t", "e2e-dataserver:1"]).assert_ok("dataserver");
    let before = layers("e2e-dataserver:1");

    // An edit no earlier run made (the engine's cache outlives a run).
    let edited = format!("ALTER TABLE notes ADD COLUMN tags TEXT; -- {}", run_id());
    fs::write(app.join("migrations/0002_tags.sql"), format!("{edited}\n")).unwrap();
    let b = build(&app, &["-t", "e2e-dataserver:2"]);
    b.assert_ok("dataserver after a migration edit");
    // Only the layer of the edited file is made again: no Go step, no
    // other copy.
    assert_eq!(b.status("[gofront] go build ."), Status::Cached);
    // go test sees the whole context; the go build does not see the files.
    assert_ne!(
        b.status("[gofront] load build context without the runtime files"),
        Status::Missing
    );
    assert_eq!(b.status("[gofront] copy migrations to "), Status::Done);
    assert_eq!(b.status("[gofront] copy config/*.yaml to "), Status::Cached);
    assert_eq!(b.status("[gofront] copy kodata "), Status::Cached);
    assert_eq!(
        b.status("[gofront] directory /var/lib/dataserver"),
        Status::Cached
    );
    assert_eq!(b.status("[gofront] copy dataserver to "), Status::Cached);
    assert_eq!(
        dataserver(
            "e2e-dataserver:2",
            &["-cat", "/usr/share/dataserver/migrations/0002_tags.sql"]
        ),
        edited
    );
    let after = layers("e2e-dataserver:2");
    if classic_store(
        "editing_a_copied_file_copies_its_layer_alone",
        "the layers of their own (MergeOp)",
    ) {
        return;
    }
    // Each file entry is a layer of its own over the base: one differs.
    assert_eq!(before.len(), after.len(), "{before:?}\n{after:?}");
    let changed = before.iter().zip(&after).filter(|(a, b)| a != b).count();
    assert_eq!(changed, 1, "{before:?}\n{after:?}");
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn a_glob_that_matches_nothing_fails_on_its_line() {
    if !enabled("a_glob_that_matches_nothing_fails_on_its_line") {
        return;
    }
    let t = Scratch::new("runtime-files-missing");
    let app = t.join("hello");
    copy_example("hello", &app);
    let spec = app.join("gofront.toml");
    let mut text = fs::read_to_string(&spec).unwrap();
    text.push_str("\n[[runtime.files]]\nsrc = \"conf/*.yaml\"\ndest = \"/etc/hello/\"\n");
    fs::write(&spec, text).unwrap();
    let b = build(&app, &["-t", "e2e-hello-missing:1"]);
    assert!(!b.ok, "a glob that matches nothing must fail the build");
    // BuildKit's words: the directory is missing (`lstat /conf: no such
    // file or directory`), or the glob matches nothing (`/conf/*.yaml not
    // found`).
    let error = b.error().unwrap_or_default();
    assert!(error.contains("/conf"), "{}", b.log);
    assert_eq!(b.status("[gofront] copy conf/*.yaml to "), Status::Error);
    // buildx shows the spec line the entry is written on.
    assert!(b.log.contains("src = \"conf/*.yaml\""), "{}", b.log);
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn kodata_may_be_missing_and_binaries_go_to_their_own_paths() {
    if !enabled("kodata_may_be_missing_and_binaries_go_to_their_own_paths") {
        return;
    }
    let t = Scratch::new("runtime-files-kodata");
    let app = t.join("operator");
    copy_example("operator", &app);
    build(
        &app,
        &[
            "-t",
            "e2e-operator-ko:1",
            "--build-arg",
            "GOFRONT_RUNTIME_KODATA=true",
            "--build-arg",
            "GOFRONT_RUNTIME_STOP_SIGNAL=term",
            "--build-arg",
            r#"GOFRONT_RUNTIME_HEALTHCHECK={"test": "NONE"}"#,
        ],
    )
    .assert_ok("operator with kodata and no kodata/");
    let cfg = docker_ok(&[
        "image",
        "inspect",
        "--format",
        "{{json .Config.Env}}|{{.Config.StopSignal}}|{{json .Config.Healthcheck}}|{{json .Config.Entrypoint}}",
        "e2e-operator-ko:1",
    ]);
    assert!(cfg.contains("\"KO_DATA_PATH=/var/run/ko\""), "{cfg}");
    assert!(
        cfg.trim()
            .ends_with("|SIGTERM|{\"Test\":[\"NONE\"]}|[\"/manager\"]"),
        "{cfg}"
    );
    let out = docker(&["run", "--rm", "--network", "none", "e2e-operator-ko:1"]);
    assert!(out.status.success());
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn the_dockerfile_of_dataserver_makes_the_same_files() {
    if !enabled("the_dockerfile_of_dataserver_makes_the_same_files") {
        return;
    }
    let t = Scratch::new("runtime-files-explain");
    let app = t.join("dataserver");
    copy_example("dataserver", &app);
    let spec = app.join("gofront.toml").display().to_string();
    let context = app.display().to_string();
    let text = gofront_ok(&["dockerfile", "--context", &context, "-f", &spec]);
    let dockerfile = t.join("Dockerfile");
    fs::write(&dockerfile, &text).unwrap();
    build(&app, &["-t", "e2e-dataserver-ours:1"]).assert_ok("gofront build of dataserver");
    build_file(&dockerfile, &app, &["-t", "e2e-dataserver-theirs:1"])
        .assert_ok(&format!("Dockerfile build of dataserver:\n{text}"));
    for path in [
        "/etc",
        "/etc/dataserver",
        "/etc/dataserver/app.yaml",
        "/usr/share/dataserver/migrations",
        "/usr/share/dataserver/migrations/0001_init.sql",
        "/var",
        "/var/lib",
        "/var/lib/dataserver",
        "/var/run/ko/banner.txt",
    ] {
        assert_eq!(
            dataserver("e2e-dataserver-theirs:1", &["-stat", path]),
            dataserver("e2e-dataserver-ours:1", &["-stat", path]),
            "{path}: the Dockerfile made it otherwise:\n{text}"
        );
    }
    let config = |image: &str| {
        docker_ok(&[
            "image",
            "inspect",
            "--format",
            "{{json .Config.Healthcheck}}|{{.Config.StopSignal}}|{{json .Config.Volumes}}|{{json .Config.Env}}",
            image,
        ])
    };
    assert_eq!(
        config("e2e-dataserver-theirs:1"),
        config("e2e-dataserver-ours:1")
    );
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn the_healthcheck_runs_without_a_shell_and_stop_sends_the_stop_signal() {
    if !enabled("the_healthcheck_runs_without_a_shell_and_stop_sends_the_stop_signal") {
        return;
    }
    let t = Scratch::new("runtime-files-health");
    let app = t.join("dataserver");
    copy_example("dataserver", &app);
    build(&app, &["-t", "e2e-dataserver-health:1"]).assert_ok("dataserver");
    let name = format!("e2e-dataserver-health-{}", std::process::id());
    let _ = docker(&["rm", "-f", &name]);
    // The image's healthcheck command, checked every second here (the
    // image says 30s).
    docker_ok(&[
        "run",
        "-d",
        "--name",
        &name,
        "--network",
        "none",
        "--health-interval=1s",
        "--health-start-period=0s",
        "--workdir=/",
        "e2e-dataserver-health:1",
        "-serve",
    ]);
    let mut status = String::new();
    for _ in 0..60 {
        status = docker_ok(&["inspect", "--format", "{{.State.Health.Status}}", &name])
            .trim()
            .to_string();
        if status != "starting" {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    let health = docker_ok(&["inspect", "--format", "{{json .State.Health}}", &name]);
    // The working directory the check runs in (the image's, owned by
    // nonroot), for the record.
    eprintln!(
        "{}",
        dataserver("e2e-dataserver-health:1", &["-stat", "/var/lib/dataserver"])
    );
    let home = docker(&[
        "run",
        "--rm",
        "--network",
        "none",
        "e2e-dataserver-health:1",
        "-stat",
        "/home/nonroot",
    ]);
    eprintln!(
        "the base's home: {}{}",
        String::from_utf8_lossy(&home.stdout),
        String::from_utf8_lossy(&home.stderr)
    );
    // docker stop sends the image's stop signal (SIGINT), which the
    // program reports.
    docker_ok(&["stop", "--time", "20", &name]);
    let logs = docker_ok(&["logs", &name]);
    let code = docker_ok(&["inspect", "--format", "{{.State.ExitCode}}", &name]);
    let _ = docker(&["rm", "-f", &name]);
    // An engine that cannot exec into a container (one whose daemon runs
    // in a mount namespace of its own, as a testbed's may) fails every
    // check before the program starts: say so rather than blame gofront.
    if health.contains("OCI runtime exec failed") {
        eprintln!("the engine runs no exec in a container, so no healthcheck: {health}");
    } else {
        assert_eq!(status, "healthy", "{health}");
        assert!(health.contains("healthy\\n"), "{health}");
    }
    assert_eq!(
        logs.trim(),
        "dataserver: serving\ndataserver: stopped by interrupt"
    );
    assert_eq!(code.trim(), "0");
}
