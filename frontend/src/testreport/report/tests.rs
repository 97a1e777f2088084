//! The report from `go test -json` streams shaped as Go writes them.

use super::*;

/// A stream: one package with a passing, a failing (with a subtest) and a
/// skipped test, a package without test files, one cached package, and one
/// that does not build, as `go test -json` (Go 1.24) prints them.
const STREAM: &str = r##"{"Action":"start","Package":"example.com/a"}
{"Action":"run","Package":"example.com/a","Test":"TestOK"}
{"Action":"output","Package":"example.com/a","Test":"TestOK","Output":"=== RUN   TestOK\n"}
{"Action":"output","Package":"example.com/a","Test":"TestOK","Output":"--- PASS: TestOK (0.01s)\n"}
{"Action":"pass","Package":"example.com/a","Test":"TestOK","Elapsed":0.01}
{"Action":"run","Package":"example.com/a","Test":"TestBad"}
{"Action":"output","Package":"example.com/a","Test":"TestBad","Output":"=== RUN   TestBad\n"}
{"Action":"run","Package":"example.com/a","Test":"TestBad/sub"}
{"Action":"output","Package":"example.com/a","Test":"TestBad/sub","Output":"    a_test.go:9: want 2 <got> 3 & \u001b[31mred\u001b[0m ]]>\n"}
{"Action":"fail","Package":"example.com/a","Test":"TestBad/sub","Elapsed":0}
{"Action":"output","Package":"example.com/a","Test":"TestBad","Output":"--- FAIL: TestBad (0.00s)\n"}
{"Action":"fail","Package":"example.com/a","Test":"TestBad","Elapsed":0.002}
{"Action":"run","Package":"example.com/a","Test":"TestSkip"}
{"Action":"output","Package":"example.com/a","Test":"TestSkip","Output":"    a_test.go:14: not today\n"}
{"Action":"skip","Package":"example.com/a","Test":"TestSkip","Elapsed":0}
{"Action":"output","Package":"example.com/a","Output":"FAIL\n"}
{"Action":"output","Package":"example.com/a","Output":"FAIL\texample.com/a\t0.015s\n"}
{"Action":"fail","Package":"example.com/a","Elapsed":0.015}
{"Action":"start","Package":"example.com/b"}
{"Action":"output","Package":"example.com/b","Output":"?   \texample.com/b\t[no test files]\n"}
{"Action":"skip","Package":"example.com/b","Elapsed":0}
{"Action":"start","Package":"example.com/c"}
{"Action":"run","Package":"example.com/c","Test":"TestC"}
{"Action":"output","Package":"example.com/c","Test":"TestC","Output":"=== RUN   TestC\n"}
{"Action":"pass","Package":"example.com/c","Test":"TestC","Elapsed":0}
{"Action":"output","Package":"example.com/c","Output":"ok  \texample.com/c\t(cached)\n"}
{"Action":"pass","Package":"example.com/c","Elapsed":0}
{"ImportPath":"example.com/d [example.com/d.test]","Action":"build-output","Output":"# example.com/d [example.com/d.test]\n"}
{"ImportPath":"example.com/d [example.com/d.test]","Action":"build-output","Output":"d/d_test.go:3:1: syntax error\n"}
{"ImportPath":"example.com/d [example.com/d.test]","Action":"build-fail"}
{"Action":"start","Package":"example.com/d"}
{"Action":"output","Package":"example.com/d","Output":"FAIL\texample.com/d [build failed]\n"}
{"Action":"fail","Package":"example.com/d","Elapsed":0,"FailedBuild":"example.com/d [example.com/d.test]"}
"##;

fn read(stream: &str) -> (Run, String) {
    let mut run = Run::default();
    let mut echoed = String::new();
    for line in stream.lines() {
        let e: Event = serde_json::from_str(line).unwrap();
        if let Echo::Text(t) = run.add(e) {
            echoed.push_str(&t);
        }
    }
    (run, echoed)
}

#[test]
fn every_test_gets_its_outcome_time_and_output() {
    let (run, _) = read(STREAM);
    let a = &run.packages["example.com/a"];
    let names: Vec<(&str, Outcome)> = a
        .tests
        .iter()
        .map(|(n, t)| (n.as_str(), t.outcome))
        .collect();
    assert_eq!(
        names,
        [
            ("TestOK", Outcome::Pass),
            ("TestBad", Outcome::Fail),
            ("TestBad/sub", Outcome::Fail),
            ("TestSkip", Outcome::Skip),
        ]
    );
    assert_eq!(a.tests[0].1.elapsed, 0.01);
    assert!(a.tests[2].1.output.contains("want 2"));
    assert_eq!(a.outcome, Outcome::Fail);
    assert!(run.packages["example.com/c"].cached);
    assert!(!a.cached);
    assert_eq!(run.packages["example.com/b"].outcome, Outcome::Skip);
    assert!(
        run.packages["example.com/d"]
            .build_output
            .contains("syntax error")
    );
    assert_eq!(run.counts(), (5, 2, 1));
}

#[test]
fn the_log_reads_like_go_test_without_v() {
    let (_, echoed) = read(STREAM);
    assert_eq!(
        echoed,
        "=== RUN   TestBad/sub\n    a_test.go:9: want 2 <got> 3 & \u{1b}[31mred\u{1b}[0m ]]>\n=== RUN   TestBad\n--- FAIL: TestBad (0.00s)\nFAIL\texample.com/a\t0.015s\n?   \texample.com/b\t[no test files]\nok  \texample.com/c\t(cached)\n# example.com/d [example.com/d.test]\nd/d_test.go:3:1: syntax error\nFAIL\texample.com/d [build failed]\n"
            .replace("=== RUN   TestBad/sub\n", "")
    );
}

#[test]
fn with_v_every_line_is_printed_as_it_comes() {
    let mut run = Run {
        verbose: true,
        ..Run::default()
    };
    let mut echoed = String::new();
    for line in STREAM.lines().take(18) {
        if let Echo::Text(t) = run.add(serde_json::from_str(line).unwrap()) {
            echoed.push_str(&t);
        }
    }
    assert!(echoed.starts_with("=== RUN   TestOK\n--- PASS: TestOK (0.01s)\n=== RUN   TestBad\n"));
    assert!(echoed.ends_with("FAIL\nFAIL\texample.com/a\t0.015s\n"));
    assert_eq!(echoed.matches("want 2").count(), 1);
}

#[test]
fn the_summary_names_each_failed_test_and_package() {
    let (run, _) = read(STREAM);
    assert_eq!(
        run.summary(1),
        "2 of 5 tests failed in 4 packages: example.com/a: TestBad/sub; example.com/d (build failed)"
    );
    let (ok, _) = read(
        &STREAM
            .lines()
            .filter(|l| l.contains("example.com/c"))
            .collect::<Vec<_>>()
            .join("\n"),
    );
    assert_eq!(ok.summary(0), "1 tests passed (0 skipped) in 1 packages");
    assert_eq!(
        Run::default().summary(2),
        "go test exited with 2 before any package failed; its output above says why"
    );
}

#[test]
fn junit_has_a_suite_per_package_and_a_case_per_test() {
    let (run, _) = read(STREAM);
    let x = run.junit();
    assert!(x.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites tests=\"6\" failures=\"3\" errors=\"0\" skipped=\"1\" time=\"0.015\">\n"));
    assert!(x.contains("  <testsuite name=\"example.com/a\" tests=\"4\" failures=\"2\" errors=\"0\" skipped=\"1\" time=\"0.015\">\n"));
    assert!(x.contains(
        "    <testcase classname=\"example.com/a\" name=\"TestOK\" time=\"0.010\"></testcase>\n"
    ));
    // Markup in output is CDATA, `]]>` split, terminal escapes replaced.
    assert!(
        x.contains("<failure message=\"Failed\" type=\"\"><![CDATA[=== RUN   TestBad/sub\n")
            || x.contains("want 2 <got> 3 & \u{FFFD}[31mred\u{FFFD}[0m ]]]]><![CDATA[>\n")
    );
    assert!(!x.contains('\u{1b}'));
    assert!(x.contains(
        "<skipped message=\"Skipped\"><![CDATA[    a_test.go:14: not today\n]]></skipped>"
    ));
    assert!(x.contains("<property name=\"go.test.cached\" value=\"true\"></property>"));
    assert!(x.contains("name=\"[build failed]\""));
    assert!(x.contains("d/d_test.go:3:1: syntax error"));
    assert!(x.ends_with("</testsuites>\n"));
    // The same stream gives the same bytes.
    assert_eq!(read(STREAM).0.junit(), x);
}

#[test]
fn attributes_escape_markup_and_odd_characters() {
    assert_eq!(
        escape("a<b>&\"c'\n\u{1}"),
        "a&lt;b&gt;&amp;&quot;c&apos;&#10;\u{FFFD}"
    );
    assert_eq!(cdata("x]]>y\u{0}"), "x]]]]><![CDATA[>y\u{FFFD}");
    assert_eq!(secs(f64::NAN), "0.000");
    assert_eq!(secs(1.23456), "1.235");
}

#[test]
fn a_long_line_is_cut_and_the_rest_skipped() {
    let mut data = vec![b'x'; super::super::MAX_LINE + 10];
    data.extend_from_slice(b"\nnext\n");
    let mut r = std::io::BufReader::with_capacity(1024, &data[..]);
    let mut line = Vec::new();
    assert_eq!(
        super::super::read_line(&mut r, &mut line).unwrap(),
        super::super::MAX_LINE + 11
    );
    assert_eq!(line.len(), super::super::MAX_LINE + 1);
    line.clear();
    assert_eq!(super::super::read_line(&mut r, &mut line).unwrap(), 5);
    assert_eq!(line, b"next\n");
    line.clear();
    assert_eq!(super::super::read_line(&mut r, &mut line).unwrap(), 0);
}
