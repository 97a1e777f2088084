//! What a `go test -json` stream says, gathered per package and test, and
//! written as the files of a test report: JUnit XML and a one-line summary.
//! Pure: the tool (`mod.rs`) feeds it lines and writes what it returns.
//!
//! The events are cmd/test2json's (`go doc test2json`): `Action` is one of
//! start, run, pause, cont, pass, bench, fail, output, skip, plus
//! build-output and build-fail (Go 1.24) for a package that does not build;
//! `Package`, `Test` (absent on package events), `Elapsed` (seconds, on
//! pass, fail and skip), `Output`, `ImportPath` and `FailedBuild`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Deserialize;

/// One event of `go test -json`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct Event {
    /// What happened.
    #[serde(default)]
    pub action: String,
    /// The package under test.
    #[serde(default)]
    pub package: String,
    /// The test (with its subtests' path), absent on package events.
    #[serde(default)]
    pub test: Option<String>,
    /// Seconds it took (on pass, fail and skip).
    #[serde(default)]
    pub elapsed: Option<f64>,
    /// A line (or part of one) of output.
    #[serde(default)]
    pub output: Option<String>,
    /// The package a build-output or build-fail event is about.
    #[serde(default)]
    pub import_path: Option<String>,
    /// On a package's fail: the package whose build failed.
    #[serde(default)]
    pub failed_build: Option<String>,
}

/// How a test or a package ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Outcome {
    /// Still running when the stream ended (a crash or a timeout).
    #[default]
    Unfinished,
    /// Passed.
    Pass,
    /// Failed.
    Fail,
    /// Skipped.
    Skip,
}

impl Outcome {
    fn of(action: &str) -> Option<Outcome> {
        match action {
            "pass" => Some(Outcome::Pass),
            "fail" => Some(Outcome::Fail),
            "skip" => Some(Outcome::Skip),
            _ => None,
        }
    }
}

/// One test of a package.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TestCase {
    /// How it ended.
    pub outcome: Outcome,
    /// Seconds.
    pub elapsed: f64,
    /// Its output, in order.
    pub output: String,
}

/// One package of the run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Package {
    /// How it ended (skip: no test files).
    pub outcome: Outcome,
    /// Seconds.
    pub elapsed: f64,
    /// Output that belongs to no test (the summary line, a panic, `PASS`).
    pub output: String,
    /// Its tests by name, in the order they started.
    pub tests: Vec<(String, TestCase)>,
    /// The build output, when it did not build.
    pub build_output: String,
    /// Its result came from Go's test cache.
    pub cached: bool,
}

impl Package {
    fn test(&mut self, name: &str) -> &mut TestCase {
        let i = match self.tests.iter().position(|(n, _)| n == name) {
            Some(i) => i,
            None => {
                self.tests.push((name.to_string(), TestCase::default()));
                self.tests.len() - 1
            }
        };
        &mut self.tests[i].1
    }

    fn failed_tests(&self) -> Vec<&str> {
        self.tests
            .iter()
            .filter(|(_, t)| t.outcome == Outcome::Fail)
            .map(|(n, _)| n.as_str())
            // A failed subtest fails its parent: name the leaves only.
            .filter(|n| {
                !self
                    .tests
                    .iter()
                    .any(|(o, t)| t.outcome == Outcome::Fail && o.starts_with(&format!("{n}/")))
            })
            .collect()
    }
}

/// Everything the stream said, by package.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Run {
    /// Packages by import path.
    pub packages: BTreeMap<String, Package>,
    /// `go test -v`: every line is printed as it comes, as `-v` prints.
    pub verbose: bool,
    /// Build output by the import path Go names it with (`example.com/d
    /// [example.com/d.test]`), which a package's `FailedBuild` names.
    pub build_output: BTreeMap<String, String>,
}

/// What the tool prints for a line of the stream, so the step's log reads
/// like `go test` without `-v`: package lines, and a failed test's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Echo {
    /// Nothing.
    Nothing,
    /// This text.
    Text(String),
}

impl Run {
    /// Adds one event; returns what to print for it.
    pub fn add(&mut self, e: Event) -> Echo {
        if e.action == "build-output" {
            let out = e.output.unwrap_or_default();
            self.build_output
                .entry(e.import_path.unwrap_or_default())
                .or_default()
                .push_str(&out);
            return Echo::Text(out);
        }
        if e.action == "build-fail" || e.package.is_empty() {
            return Echo::Nothing;
        }
        let pkg = self.packages.entry(e.package.clone()).or_default();
        match &e.test {
            Some(name) => {
                let t = pkg.test(name);
                if let Some(out) = &e.output {
                    t.output.push_str(out);
                    if self.verbose {
                        return Echo::Text(out.clone());
                    }
                }
                if let Some(o) = Outcome::of(&e.action) {
                    t.outcome = o;
                    t.elapsed = e.elapsed.unwrap_or(0.0);
                    if o == Outcome::Fail && !self.verbose {
                        return Echo::Text(t.output.clone());
                    }
                }
                Echo::Nothing
            }
            None => {
                if let Some(o) = Outcome::of(&e.action) {
                    pkg.outcome = o;
                    pkg.elapsed = e.elapsed.unwrap_or(0.0);
                    if let Some(b) = &e.failed_build {
                        pkg.build_output = self.build_output.get(b).cloned().unwrap_or_default();
                    }
                }
                match e.output {
                    Some(out) => {
                        if out.contains("\t(cached)") {
                            pkg.cached = true;
                        }
                        pkg.output.push_str(&out);
                        // The bare PASS/FAIL lines are -v's; go test alone
                        // prints the package line after them.
                        if !self.verbose && (out == "PASS\n" || out == "FAIL\n") {
                            Echo::Nothing
                        } else {
                            Echo::Text(out)
                        }
                    }
                    None => Echo::Nothing,
                }
            }
        }
    }

    /// Counts over every package's tests: (tests, failed, skipped).
    pub fn counts(&self) -> (usize, usize, usize) {
        let mut c = (0, 0, 0);
        for p in self.packages.values() {
            for (_, t) in &p.tests {
                c.0 += 1;
                match t.outcome {
                    Outcome::Fail | Outcome::Unfinished => c.1 += 1,
                    Outcome::Skip => c.2 += 1,
                    Outcome::Pass => {}
                }
            }
        }
        c
    }

    /// One sentence that says how the run went, naming each failed test.
    pub fn summary(&self, exit_code: i32) -> String {
        let (tests, failed, skipped) = self.counts();
        let packages = self.packages.len();
        let mut failures = Vec::new();
        for (path, p) in &self.packages {
            let tests = p.failed_tests();
            if !p.build_output.is_empty() {
                failures.push(format!("{path} (build failed)"));
            } else if !tests.is_empty() {
                failures.push(format!("{path}: {}", tests.join(", ")));
            } else if p.outcome == Outcome::Fail || p.outcome == Outcome::Unfinished {
                failures.push(format!("{path} (the package failed outside any test)"));
            }
        }
        if exit_code == 0 && failures.is_empty() {
            return format!(
                "{tests} tests passed ({skipped} skipped) in {packages} packages",
                tests = tests - skipped
            );
        }
        if failures.is_empty() {
            // `example.com/d [example.com/d.test]`: the package itself.
            let dep: Vec<&str> = self
                .build_output
                .keys()
                .map(|k| k.split(' ').next().unwrap_or(k))
                .collect();
            return if dep.is_empty() {
                format!(
                    "go test exited with {exit_code} before any package failed; its output above says why"
                )
            } else {
                format!("go test could not build {}", dep.join(", "))
            };
        }
        format!(
            "{failed} of {tests} tests failed in {packages} packages: {}",
            failures.join("; ")
        )
    }

    /// The run as JUnit XML, in the shape CI readers accept (Jenkins,
    /// GitLab, the GitHub test-report actions): a `testsuite` per package,
    /// a `testcase` per test with its time, a `failure` with the test's
    /// output, a `skipped`; a package that does not build is one failed
    /// case. Times are the only clock in it.
    pub fn junit(&self) -> String {
        let (tests, failed, skipped) = self.counts();
        let build_failures = self
            .packages
            .values()
            .filter(|p| p.outcome == Outcome::Fail && p.tests.is_empty())
            .count();
        let total: f64 = self.packages.values().map(|p| p.elapsed).sum();
        let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            x,
            "<testsuites tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{skipped}\" time=\"{}\">",
            tests + build_failures,
            failed + build_failures,
            secs(total)
        );
        for (path, p) in &self.packages {
            let failed_here = p
                .tests
                .iter()
                .filter(|(_, t)| matches!(t.outcome, Outcome::Fail | Outcome::Unfinished))
                .count();
            let skipped_here = p
                .tests
                .iter()
                .filter(|(_, t)| t.outcome == Outcome::Skip)
                .count();
            let broken = p.outcome == Outcome::Fail && p.tests.is_empty();
            let _ = writeln!(
                x,
                "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{skipped_here}\" time=\"{}\">",
                escape(path),
                p.tests.len() + usize::from(broken),
                failed_here + usize::from(broken),
                secs(p.elapsed)
            );
            if p.cached {
                x.push_str("    <properties>\n      <property name=\"go.test.cached\" value=\"true\"></property>\n    </properties>\n");
            }
            for (name, t) in &p.tests {
                let _ = write!(
                    x,
                    "    <testcase classname=\"{}\" name=\"{}\" time=\"{}\"",
                    escape(path),
                    escape(name),
                    secs(t.elapsed)
                );
                match t.outcome {
                    Outcome::Pass => x.push_str("></testcase>\n"),
                    Outcome::Skip => {
                        let _ = writeln!(
                            x,
                            ">\n      <skipped message=\"Skipped\"><![CDATA[{}]]></skipped>\n    </testcase>",
                            cdata(&t.output)
                        );
                    }
                    Outcome::Fail | Outcome::Unfinished => {
                        let message = if t.outcome == Outcome::Fail {
                            "Failed"
                        } else {
                            "Did not finish (the test binary crashed or timed out)"
                        };
                        let _ = writeln!(
                            x,
                            ">\n      <failure message=\"{message}\" type=\"\"><![CDATA[{}]]></failure>\n    </testcase>",
                            cdata(&t.output)
                        );
                    }
                }
            }
            if broken {
                let out = if p.build_output.is_empty() {
                    &p.output
                } else {
                    &p.build_output
                };
                let name = if p.build_output.is_empty() {
                    "[package failed]"
                } else {
                    "[build failed]"
                };
                let _ = writeln!(
                    x,
                    "    <testcase classname=\"{0}\" name=\"{name}\" time=\"0.000\">\n      <failure message=\"Failed\" type=\"\"><![CDATA[{1}]]></failure>\n    </testcase>",
                    escape(path),
                    cdata(out)
                );
            }
            if !p.output.is_empty() {
                let _ = writeln!(
                    x,
                    "    <system-out><![CDATA[{}]]></system-out>",
                    cdata(&p.output)
                );
            }
            x.push_str("  </testsuite>\n");
        }
        x.push_str("</testsuites>\n");
        x
    }
}

/// Seconds with millisecond precision, as JUnit readers expect.
fn secs(s: f64) -> String {
    format!("{:.3}", if s.is_finite() && s > 0.0 { s } else { 0.0 })
}

/// A character XML 1.0 allows.
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Text for an attribute: markup escaped, characters XML cannot hold
/// (a terminal's escape codes) replaced.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            c if xml_char(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
    out
}

/// Text for a CDATA section: `]]>` split across two sections, characters
/// XML cannot hold replaced.
fn cdata(s: &str) -> String {
    s.chars()
        .map(|c| if xml_char(c) { c } else { '\u{FFFD}' })
        .collect::<String>()
        .replace("]]>", "]]]]><![CDATA[>")
}

#[cfg(test)]
mod tests;
