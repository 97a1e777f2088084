//! What a user sees on every build: the image and its config, caching and
//! what a rebuild compiles, the targets, other builders and bases, and the
//! sentences gofront fails with. Assertions are on gofront's own sentences
//! and BuildKit's status stream, not on how a buildx version words things,
//! so they hold on every engine the testbed has.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::fs;
use std::path::Path;

use gofront_e2e::{
    Build, Scratch, Status, build, copy_example, copy_example_fresh, docker, docker_ok, enabled,
    goproxy, run_id, run_image,
};

const GO_BUILD: &str = "[gofront] go build .";
const DOWNLOAD: &str = "[gofront] go mod download";

/// Replaces `from` with `to` in a file, which must contain it.
fn edit(path: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} lacks {from:?}", path.display());
    fs::write(path, text.replace(from, to)).unwrap();
}

fn inspect(image: &str, format: &str) -> String {
    docker_ok(&["image", "inspect", image, "--format", format])
        .trim()
        .to_string()
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn hello_image_runs_with_its_config() {
    if !enabled("hello_image_runs_with_its_config") {
        return;
    }
    let t = Scratch::new("hello-config");
    let app = t.join("hello");
    copy_example("hello", &app);
    let b = build(
        &app,
        &[
            "-t",
            "e2e-hello:1",
            "--build-arg",
            "SOURCE_DATE_EPOCH=1700000000",
            "--label",
            "org.example.team=e2e",
        ],
    );
    b.assert_ok("hello");
    assert_ne!(b.status(GO_BUILD), Status::Missing);
    assert_eq!(run_image("e2e-hello:1").trim(), "Hello from gofront!");
    assert_eq!(
        inspect(
            "e2e-hello:1",
            "{{json .Config.Entrypoint}}|{{.Config.User}}|{{index .Config.Labels \"org.opencontainers.image.title\"}}|{{index .Config.Labels \"org.example.team\"}}|{{.Created}}"
        ),
        "[\"/usr/local/bin/hello\"]|65532:65532|hello|e2e|2023-11-14T22:13:20Z"
    );
    assert!(inspect("e2e-hello:1", "{{json .Config.Env}}").contains("\"PATH="));
    let history = docker_ok(&[
        "history",
        "--no-trunc",
        "--format",
        "{{.CreatedBy}}",
        "e2e-hello:1",
    ]);
    assert!(
        history
            .lines()
            .next()
            .is_some_and(|l| l.contains("gofront: COPY hello /usr/local/bin/")),
        "history: {history}"
    );
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn hello_rebuild_is_fully_cached() {
    if !enabled("hello_rebuild_is_fully_cached") {
        return;
    }
    let t = Scratch::new("hello-cached");
    let app = t.join("hello");
    copy_example("hello", &app);
    build(&app, &["-t", "e2e-hello:2"]).assert_ok("hello");
    let again = build(&app, &["-t", "e2e-hello:2"]);
    again.assert_ok("hello again");
    assert_eq!(again.status(GO_BUILD), Status::Cached);
    assert_eq!(again.status("[gofront] copy hello"), Status::Cached);
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn withdep_edits_rebuild_only_what_changed() {
    if !enabled("withdep_edits_rebuild_only_what_changed") {
        return;
    }
    let t = Scratch::new("withdep-edits");
    let app = t.join("withdep");
    copy_example_fresh("withdep", &app);
    let proxy = format!("goproxy={}", goproxy().display());
    let b = build(&app, &["-t", "e2e-withdep:1", "--build-context", &proxy]);
    b.assert_ok("withdep");
    assert_eq!(run_image("e2e-withdep:1").trim(), "Hello, gofront!");

    // A change in the main package: modules stay cached, only main compiles.
    edit(
        &app.join("main.go"),
        "fmt.Println(message())",
        "fmt.Println(message(), \"(edited)\")",
    );
    let b = build(&app, &["-t", "e2e-withdep:2", "--build-context", &proxy]);
    b.assert_ok("withdep after a main edit");
    assert_eq!(b.status(DOWNLOAD), Status::Cached);
    assert_eq!(b.lines(GO_BUILD), ["example.com/withdep"]);
    assert_eq!(
        run_image("e2e-withdep:2").trim(),
        "Hello, gofront! (edited)"
    );

    // A change in a package main imports (new to Go's cache on every run):
    // still no download.
    let lib = app.join("internal/text/text.go");
    edit(
        &lib,
        "return strings.TrimSpace(s)",
        "return strings.TrimSpace(strings.TrimSuffix(s, \"\\n\"))",
    );
    let main = fs::read_to_string(app.join("main.go")).unwrap();
    let run = main.lines().last().unwrap_or_default().to_string();
    fs::write(&lib, fs::read_to_string(&lib).unwrap() + &run + "\n").unwrap();
    let b = build(&app, &["-t", "e2e-withdep:3", "--build-context", &proxy]);
    b.assert_ok("withdep after a library edit");
    assert_eq!(b.status(DOWNLOAD), Status::Cached);
    let mut compiled = b.lines(GO_BUILD);
    compiled.sort();
    assert_eq!(
        compiled,
        ["example.com/withdep", "example.com/withdep/internal/text"]
    );
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn binaries_target_leaves_a_runnable_binary() {
    if !enabled("binaries_target_leaves_a_runnable_binary") {
        return;
    }
    let t = Scratch::new("binaries");
    let app = t.join("hello");
    copy_example("hello", &app);
    let out = t.join("out");
    let dest = format!("type=local,dest={}", out.display());
    build(&app, &["--target", "binaries", "--output", &dest]).assert_ok("binaries");
    let names: Vec<String> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["hello"]);
    let ran = std::process::Command::new(out.join("hello"))
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&ran.stdout).trim(),
        "Hello from gofront!"
    );
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn test_target_runs_tests_sees_no_ignored_file_and_fails_on_failure() {
    if !enabled("test_target_runs_tests_sees_no_ignored_file_and_fails_on_failure") {
        return;
    }
    let t = Scratch::new("test-target");
    let app = t.join("hello");
    copy_example_fresh("hello", &app);
    let flags = [
        "--target",
        "test",
        "--build-arg",
        "GOFRONT_TEST_FLAGS=-v,-count=1",
    ];
    let b = build(&app, &flags);
    b.assert_ok("the tests");
    assert!(b.log.contains("--- PASS: TestGreeting"));

    // .dockerignore'd files are not in the context the steps see.
    fs::write(
        app.join("ignored_test.go"),
        "package main\n\nimport (\n\t\"os\"\n\t\"testing\"\n)\n\nfunc TestIgnoredFileIsNotInTheContext(t *testing.T) {\n\tif _, err := os.Stat(\"secret.txt\"); err == nil {\n\t\tt.Fatal(\"secret.txt is listed in .dockerignore but the build can see it\")\n\t}\n}\n",
    )
    .unwrap();
    let b = build(&app, &flags);
    b.assert_ok("the tests with the .dockerignore check");
    assert!(b.log.contains("--- PASS: TestIgnoredFileIsNotInTheContext"));

    fs::write(
        app.join("broken_test.go"),
        "package main\n\nimport \"testing\"\n\nfunc TestBroken(t *testing.T) { t.Fatal(\"this test fails on purpose\") }\n",
    )
    .unwrap();
    let b = build(&app, &["--target", "test"]);
    assert!(!b.ok, "a failing test did not fail the build");
    assert!(b.log.contains("this test fails on purpose"));
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn a_uid_1000_builder_builds_and_rebuilds_warm() {
    if !enabled("a_uid_1000_builder_builds_and_rebuilds_warm") {
        return;
    }
    let t = Scratch::new("uid1000");
    let app = t.join("hello");
    copy_example_fresh("hello", &app);
    let builder = "GOFRONT_BUILD_BUILDER=gofront-test/golang-uid1000:1.24";
    let b = build(&app, &["-t", "e2e-uid:1", "--build-arg", builder]);
    b.assert_ok("as uid 1000");
    assert_ne!(
        b.status("[gofront] cache directory owned by 1000:1000"),
        Status::Missing
    );
    edit(
        &app.join("main.go"),
        "\"Hello from \" + who + \"!\"",
        "\"Hello again from \" + who + \"!\"",
    );
    let b = build(&app, &["-t", "e2e-uid:2", "--build-arg", builder]);
    b.assert_ok("as uid 1000 again");
    assert_eq!(b.lines(GO_BUILD), ["example.com/hello"]);
    assert_eq!(
        b.links(GO_BUILD).as_deref(),
        Some("linked 1 of 1 binary (hello)")
    );
    assert_eq!(run_image("e2e-uid:2").trim(), "Hello again from gofront!");
    // A file no package embeds: the go build step runs again (its source
    // changed) but links nothing, its binary up to date in the kept
    // directory the builder's user owns.
    fs::write(app.join("NOTES.txt"), run_id()).unwrap();
    let b = build(&app, &["-t", "e2e-uid:3", "--build-arg", builder]);
    b.assert_ok("as uid 1000, a new text file");
    assert_eq!(b.status(GO_BUILD), Status::Done);
    assert!(b.lines(GO_BUILD).is_empty(), "{:?}", b.lines(GO_BUILD));
    assert_eq!(
        b.links(GO_BUILD).as_deref(),
        Some("linked 0 of 1 binary, 1 already up to date")
    );
    assert_eq!(run_image("e2e-uid:3").trim(), "Hello again from gofront!");
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn scratch_and_ubuntu_runtime_bases() {
    if !enabled("scratch_and_ubuntu_runtime_bases") {
        return;
    }
    let t = Scratch::new("bases");
    let app = t.join("hello");
    copy_example("hello", &app);
    build(
        &app,
        &[
            "-t",
            "e2e-scratch:1",
            "--build-arg",
            "GOFRONT_RUNTIME_BASE=scratch",
            "--build-arg",
            "GOFRONT_RUNTIME_USER=1234:1234",
        ],
    )
    .assert_ok("on scratch");
    assert_eq!(run_image("e2e-scratch:1").trim(), "Hello from gofront!");
    assert_eq!(inspect("e2e-scratch:1", "{{.Config.User}}"), "1234:1234");
    build(
        &app,
        &[
            "-t",
            "e2e-ubuntu:1",
            "--build-arg",
            "GOFRONT_RUNTIME_BASE=ubuntu:24.04",
        ],
    )
    .assert_ok("on ubuntu");
    assert_eq!(run_image("e2e-ubuntu:1").trim(), "Hello from gofront!");
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn newer_go_lines_pick_their_builder() {
    if !enabled("newer_go_lines_pick_their_builder") {
        return;
    }
    let t = Scratch::new("go-lines");
    for v in ["1.26", "1.27"] {
        let image = format!("golang:{v}");
        if !docker(&["image", "inspect", &image]).status.success() {
            // Docker 26's testbed has only golang:1.24.
            assert_eq!(
                std::env::var("GOFRONT_TESTBED_ENGINE").as_deref(),
                Ok("26"),
                "no {image} on this engine (scripts/testbed images --go {v})"
            );
            continue;
        }
        let app = t.join(&format!("hello-{v}"));
        copy_example("hello", &app);
        edit(&app.join("go.mod"), "\ngo 1.24\n", &format!("\ngo {v}\n"));
        fs::write(
            app.join("version.go"),
            "package main\n\nimport (\n\t\"fmt\"\n\t\"runtime\"\n)\n\nfunc init() { fmt.Println(runtime.Version()) }\n",
        )
        .unwrap();
        let tag = format!("e2e-go:{v}");
        build(&app, &["-t", &tag]).assert_ok(&format!("go {v}"));
        let out = run_image(&tag);
        let lines: Vec<&str> = out.lines().collect();
        assert!(
            lines.len() == 2
                && lines[0].starts_with(&format!("go{v}."))
                && lines[1] == "Hello from gofront!",
            "go {v}: the image printed {out:?}"
        );
    }
}

/// The build fails with an error that starts with `want` (gofront's
/// sentence, whatever the client wraps around it) and, when given, shows
/// `highlight` (the spec line buildx marks).
fn fails_with(b: &Build, want: &str, highlight: Option<&str>) {
    assert!(!b.ok, "the build succeeded; expected: {want}");
    let got = b.error().unwrap_or_default();
    assert!(
        got.starts_with(want),
        "got {got:?}, expected {want:?}\n{}",
        b.log
    );
    if let Some(h) = highlight {
        assert!(b.log.contains(h), "{h:?} not highlighted:\n{}", b.log);
    }
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn bad_inputs_fail_with_gofronts_sentence() {
    if !enabled("bad_inputs_fail_with_gofronts_sentence") {
        return;
    }
    let t = Scratch::new("bad");
    let app = t.join("bad");
    copy_example("hello", &app);
    let spec = app.join("gofront.toml");
    fs::write(&spec, "# syntax=gofront:dev\n[build]\ntgas = [\"netgo\"]\n").unwrap();
    fails_with(
        &build(&app, &[]),
        "gofront.toml:3:1: unknown key \"tgas\" in [build]; did you mean \"tags\"?",
        Some("   3 | >>> tgas = [\"netgo\"]"),
    );
    fs::write(
        &spec,
        "# syntax=gofront:dev\n[runtime]\nexpose = [\"http\"]\n",
    )
    .unwrap();
    fails_with(
        &build(&app, &[]),
        "gofront.toml:3:10: runtime.expose: \"http\" is not a port",
        Some("   3 | >>> expose = [\"http\"]"),
    );
    fs::write(&spec, "# syntax=gofront:dev\n").unwrap();
    fails_with(
        &build(&app, &["--build-arg", "GOFRONT_BUILD_TAG=netgo"]),
        "build-arg GOFRONT_BUILD_TAG: gofront has no build arg named GOFRONT_BUILD_TAG; did you mean GOFRONT_BUILD_TAGS?",
        None,
    );
    fails_with(
        &build(&app, &["--platform", "linux/sparc"]),
        "--platform linux/sparc: Go does not build for linux/sparc; it builds linux/386, linux/amd64,",
        None,
    );
    fails_with(
        &build(&app, &["--platform", "windows/amd64"]),
        "--platform windows/amd64: gofront's image target builds Linux images only; build windows binaries with --target binaries",
        None,
    );
    edit(&app.join("go.mod"), "\ngo 1.24\n", "\ngo 1.99\n");
    fails_with(
        &build(&app, &["--build-arg", "GOFRONT_BUILD_BUILDER=golang:1.24"]),
        "go.mod asks for go 1.99, but the builder image golang:1.24 has Go 1.24.4",
        None,
    );
    fs::write(
        app.join("go.mod"),
        "module example.com/hello\n\ngo 1.24\n\nreplace example.com/x => ../x\n",
    )
    .unwrap();
    fails_with(
        &build(&app, &[]),
        "go.mod:5: replace target \"../x\" is outside the build context",
        // buildx shows go.mod's line, as it shows the spec's.
        Some("   5 | >>> replace example.com/x => ../x"),
    );
    fs::remove_file(app.join("go.mod")).unwrap();
    fails_with(
        &build(&app, &[]),
        "no go.mod or go.work at the root of the build context",
        None,
    );
}
