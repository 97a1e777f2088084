//! `--target test-report`: the report of a `go test` run (the JSON
//! stream, JUnit XML, coverage, the exit code and a summary) leaves the
//! build whether the tests pass or fail, and `--target test` still fails
//! the build on a failing test; cached packages are in the report too;
//! `test.race` finds a planted data race.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::fs;
use std::path::Path;
use std::process::Command;

use gofront_e2e::{Scratch, Status, build, cgo_enabled, enabled};

const GO_MOD: &str = "module example.com/rep\n\ngo 1.24\n";

/// A module of two packages: `a` with a passing, a failing and a skipped
/// test; `b` with one passing test.
fn project(dir: &Path, spec: &str) {
    for (path, text) in [
        ("gofront.toml", spec),
        ("go.mod", GO_MOD),
        (
            "a/a.go",
            "package a\n\n// Sum adds.\nfunc Sum(x, y int) int {\n\tif x < 0 {\n\t\treturn -1\n\t}\n\treturn x + y\n}\n",
        ),
        (
            "a/a_test.go",
            "package a\n\nimport \"testing\"\n\nfunc TestSum(t *testing.T) {\n\tif Sum(1, 2) != 3 {\n\t\tt.Fatal(\"bad sum\")\n\t}\n}\n\nfunc TestBroken(t *testing.T) {\n\tt.Run(\"inner\", func(t *testing.T) { t.Fatal(\"fails <on> purpose & loudly\") })\n}\n\nfunc TestLater(t *testing.T) {\n\tt.Skip(\"not today\")\n}\n",
        ),
        (
            "b/b.go",
            "package b\n\n// Twice doubles.\nfunc Twice(x int) int { return 2 * x }\n",
        ),
        (
            "b/b_test.go",
            "package b\n\nimport \"testing\"\n\nfunc TestTwice(t *testing.T) {\n\tif Twice(2) != 4 {\n\t\tt.Fatal(\"bad\")\n\t}\n}\n",
        ),
    ] {
        let p = dir.join(path);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }
}

fn read(dir: &Path, name: &str) -> String {
    fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The JUnit file parses as XML (Python's parser, which refuses what is
/// not well-formed) and has the shape CI readers take: `testsuites` of
/// `testsuite` (name, tests, failures, errors, skipped, time) of
/// `testcase` (classname, name, time) with `failure`/`skipped`.
fn check_junit(path: &Path) -> String {
    let script = r#"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites", root.tag
out = []
for s in root:
    assert s.tag == "testsuite", s.tag
    for a in ("name", "tests", "failures", "errors", "skipped", "time"):
        assert a in s.attrib, (s.attrib, a)
    cases = [c for c in s if c.tag == "testcase"]
    assert int(s.attrib["tests"]) == len(cases), s.attrib
    assert int(s.attrib["failures"]) == sum(1 for c in cases if c.find("failure") is not None)
    assert int(s.attrib["skipped"]) == sum(1 for c in cases if c.find("skipped") is not None)
    for c in cases:
        for a in ("classname", "name", "time"):
            assert a in c.attrib, (c.attrib, a)
        float(c.attrib["time"])
        state = "fail" if c.find("failure") is not None else "skip" if c.find("skipped") is not None else "pass"
        out.append("%s %s %s" % (c.attrib["classname"], c.attrib["name"], state))
print("\n".join(out))
"#;
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(path)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "junit.xml: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn a_failing_run_exports_its_report_and_still_fails_the_test_target() {
    if !enabled("a_failing_run_exports_its_report_and_still_fails_the_test_target") {
        return;
    }
    let t = Scratch::new("reports");
    let app = t.join("rep");
    project(&app, "# syntax=gofront:dev\n");
    let out = t.join("out1");
    let dest = format!("type=local,dest={}", out.display());
    build(&app, &["--target", "test-report", "--output", &dest])
        .assert_ok("the report of a failing run");
    assert_eq!(read(&out, "exit-code"), "1\n");
    assert_eq!(
        read(&out, "summary.txt"),
        "2 of 5 tests failed in 2 packages: example.com/rep/a: TestBroken/inner\n"
    );
    assert_eq!(
        check_junit(&out.join("junit.xml")),
        "example.com/rep/a TestSum pass\nexample.com/rep/a TestBroken fail\nexample.com/rep/a TestBroken/inner fail\nexample.com/rep/a TestLater skip\nexample.com/rep/b TestTwice pass\n"
    );
    // A failure's output as CDATA, markup and all.
    assert!(read(&out, "junit.xml").contains(
        "<![CDATA[=== RUN   TestBroken/inner\n    a_test.go:12: fails <on> purpose & loudly\n"
    ));
    // The stream as Go wrote it: one JSON event a line.
    let json = read(&out, "test.json");
    assert!(
        json.lines()
            .all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok())
    );
    assert!(json.contains("\"Test\":\"TestLater\""));

    // --target test: the same step, from the cache (no test runs twice),
    // and the build fails with the summary.
    let b = build(&app, &["--target", "test"]);
    assert!(!b.ok, "a failing test did not fail the build");
    assert_eq!(
        b.error().as_deref(),
        Some(
            "go test failed: 2 of 5 tests failed in 2 packages: example.com/rep/a: TestBroken/inner (--target test-report exports the report)"
        )
    );
    assert_eq!(b.status("[gofront] go test"), Status::Cached);

    // Fixed: b's result comes from Go's test cache, and the report says so.
    fs::write(
        app.join("a/a_test.go"),
        "package a\n\nimport \"testing\"\n\nfunc TestSum(t *testing.T) {\n\tif Sum(1, 2) != 3 {\n\t\tt.Fatal(\"bad sum\")\n\t}\n}\n\nfunc TestLater(t *testing.T) {\n\tt.Skip(\"not today\")\n}\n",
    )
    .unwrap();
    let out = t.join("out2");
    let dest = format!("type=local,dest={}", out.display());
    let b = build(&app, &["--target", "test-report", "--output", &dest]);
    b.assert_ok("the report of a passing run");
    assert!(
        b.log.contains("ok  \texample.com/rep/b\t(cached)"),
        "{}",
        b.log
    );
    assert_eq!(read(&out, "exit-code"), "0\n");
    assert_eq!(
        read(&out, "summary.txt"),
        "2 tests passed (1 skipped) in 2 packages\n"
    );
    let junit = read(&out, "junit.xml");
    assert!(junit.contains("<property name=\"go.test.cached\" value=\"true\"></property>"));
    assert_eq!(
        check_junit(&out.join("junit.xml")),
        "example.com/rep/a TestSum pass\nexample.com/rep/a TestLater skip\nexample.com/rep/b TestTwice pass\n"
    );
    build(&app, &["--target", "test"]).assert_ok("the passing tests");
}

/// `test.coverage`: the merged profile in the report, whose totals are
/// what `go test -coverprofile` gives on the same code.
#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn the_coverage_profile_equals_go_tests_own() {
    if !enabled("the_coverage_profile_equals_go_tests_own") {
        return;
    }
    let t = Scratch::new("coverage");
    let app = t.join("rep");
    project(
        &app,
        "# syntax=gofront:dev\n[test]\ncoverage = true\npackages = [\"./b/...\", \"./a/...\"]\nflags = [\"-run=TestSum|TestTwice\"]\n",
    );
    let out = t.join("out");
    let dest = format!("type=local,dest={}", out.display());
    build(&app, &["--target", "test-report", "--output", &dest]).assert_ok("the covered run");
    assert_eq!(read(&out, "exit-code"), "0\n");
    let host = t.join("host.out");
    let go = |args: &[&str]| {
        let o = Command::new("go")
            .args(args)
            .current_dir(&app)
            .env("GOTOOLCHAIN", "local")
            .env("GOFLAGS", "-mod=mod")
            .output()
            .expect("go runs");
        assert!(
            o.status.success(),
            "go {args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8(o.stdout).unwrap()
    };
    go(&[
        "test",
        "-run",
        "TestSum|TestTwice",
        &format!("-coverprofile={}", host.display()),
        "./b/...",
        "./a/...",
    ]);
    let total = |profile: &Path| {
        go(&["tool", "cover", &format!("-func={}", profile.display())])
            .lines()
            .find(|l| l.starts_with("total:"))
            .map(|l| l.split_whitespace().last().unwrap().to_string())
            .expect("a total line")
    };
    assert_eq!(total(&out.join("coverage.out")), total(&host));
    // Sum's three statements, two run; Twice's one.
    assert_eq!(total(&host), "75.0%");
}

/// `test.race`: go test -race on a builder with a C compiler finds a
/// planted data race; on one without, the build says what is missing.
#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn race_finds_a_planted_data_race() {
    if !enabled("race_finds_a_planted_data_race") {
        return;
    }
    let t = Scratch::new("race");
    let app = t.join("rep");
    project(
        &app,
        "# syntax=gofront:dev\n[test]\nrace = true\npackages = [\"./c/...\"]\n",
    );
    fs::create_dir_all(app.join("c")).unwrap();
    fs::write(
        app.join("c/c_test.go"),
        "package c\n\nimport (\n\t\"sync\"\n\t\"testing\"\n)\n\nfunc TestRace(t *testing.T) {\n\tn := 0\n\tvar wg sync.WaitGroup\n\tfor i := 0; i < 2; i++ {\n\t\twg.Add(1)\n\t\tgo func() { defer wg.Done(); n++ }()\n\t}\n\twg.Wait()\n\t_ = n\n}\n",
    )
    .unwrap();
    // The testbed's golang stand-in has no C compiler.
    let b = build(&app, &["--target", "test"]);
    assert!(!b.ok);
    assert_eq!(
        b.error().as_deref(),
        Some(
            "go test failed: test.race needs a C compiler in the builder image and it has none (no gcc on its PATH, CC unset): build with a builder that has gcc, as the golang images do (--target test-report exports the report)"
        )
    );
    if !cgo_enabled("race_finds_a_planted_data_race") {
        return;
    }
    let b = build(
        &app,
        &[
            "--target",
            "test",
            "--build-arg",
            "GOFRONT_BUILD_BUILDER=gofront-test/golang-cgo:1.24",
        ],
    );
    assert!(!b.ok, "the race was not found");
    assert!(b.log.contains("WARNING: DATA RACE"), "{}", b.log);
    assert_eq!(
        b.error().as_deref(),
        Some(
            "go test failed: 1 of 1 tests failed in 1 packages: example.com/rep/c: TestRace (--target test-report exports the report)"
        )
    );
}

/// `test.shard`: four shards run every package exactly once between them.
#[test]
#[ignore = "end-to-end: needs the testbed engine (scripts/test runs it)"]
fn four_shards_cover_every_package_once() {
    if !enabled("four_shards_cover_every_package_once") {
        return;
    }
    let t = Scratch::new("shards");
    let app = t.join("rep");
    project(
        &app,
        "# syntax=gofront:dev\n[test]\nflags = [\"-run=TestSum|TestTwice|TestP\"]\n",
    );
    for p in ["p1", "p2", "p3", "p4", "p5"] {
        fs::create_dir_all(app.join(p)).unwrap();
        fs::write(
            app.join(format!("{p}/{p}_test.go")),
            format!("package {p}\n\nimport \"testing\"\n\nfunc TestP(t *testing.T) {{}}\n"),
        )
        .unwrap();
    }
    let mut seen: Vec<String> = Vec::new();
    for i in 1..=4 {
        let out = t.join(&format!("shard{i}"));
        let dest = format!("type=local,dest={}", out.display());
        let shard = format!("GOFRONT_TEST_SHARD={i}/4");
        let b = build(
            &app,
            &[
                "--target",
                "test-report",
                "--output",
                &dest,
                "--build-arg",
                &shard,
            ],
        );
        b.assert_ok(&format!("shard {i}/4"));
        assert!(
            b.log
                .contains(&format!("gofront testreport: shard {i}/4: ")),
            "{}",
            b.log
        );
        for line in read(&out, "test.json").lines() {
            let e: serde_json::Value = serde_json::from_str(line).unwrap();
            if e["Action"] == "start" {
                seen.push(e["Package"].as_str().unwrap().to_string());
            }
        }
        assert_eq!(read(&out, "exit-code"), "0\n");
    }
    seen.sort();
    assert_eq!(
        seen,
        ["a", "b", "p1", "p2", "p3", "p4", "p5"].map(|p| format!("example.com/rep/{p}"))
    );
}
