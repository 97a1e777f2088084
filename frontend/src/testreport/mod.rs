//! `gofront testreport`: the `go test -json` step's wrapper. It runs the
//! command, prints what `go test` without `-v` would (package lines and
//! each failed test's output), and writes the report beside the step's
//! output: the stream as Go wrote it (`test.json`), JUnit XML
//! (`junit.xml`), `go test`'s exit code (`exit-code`) and one sentence
//! (`summary.txt`). It exits 0 whenever the tests ran, passed or not: the
//! report of a failing run must be a result BuildKit keeps and exports;
//! `--target test` then fails on the recorded exit code (the gateway reads
//! it), so a failing test still fails the build.

pub mod report;

use std::fs::{self, File};
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};

use crate::cachetool::{TestReportArgs, ToolError, io_err, split_command};
use report::{Echo, Event, Run};

/// The report's files, in the report directory.
pub mod files {
    /// The `go test -json` stream, as Go wrote it.
    pub const JSON: &str = "test.json";
    /// JUnit XML.
    pub const JUNIT: &str = "junit.xml";
    /// `go test`'s exit code, a number and a newline.
    pub const EXIT_CODE: &str = "exit-code";
    /// One sentence: how the run went, naming each failed test.
    pub const SUMMARY: &str = "summary.txt";
    /// The merged coverage profile, when asked (`go test -coverprofile`
    /// writes it).
    pub const COVERAGE: &str = "coverage.out";
}

/// The longest line of the stream kept: test2json splits a test's long
/// output into events, so only a broken stream has longer ones.
const MAX_LINE: usize = 4 << 20;

/// Runs `go test -json`, records its report in `--out` and exits 0 if it
/// ran (the report says whether it passed).
pub fn run(args: &TestReportArgs) -> Result<ExitCode, ToolError> {
    let (program, rest) = split_command(&args.command)?;
    let out = Path::new(&args.out);
    fs::create_dir_all(out).map_err(io_err(out))?;
    if rest.iter().any(|a| a == "-race" || a == "-race=true") && !has_c_compiler() {
        let summary = "test.race needs a C compiler in the builder image and it has none (no gcc on its PATH, CC unset): build with a builder that has gcc, as the golang images do";
        return record(out, &Run::default(), 2, summary);
    }
    // A shard: the command runs its share of the packages the patterns
    // match (go list's, sorted), every N-th from the I-th.
    let sharded;
    let rest = match (&args.shard, &args.packages) {
        (Some(shard), Some(k)) => {
            let (i, n) = parse_shard(shard).ok_or_else(|| usage(format!("--shard {shard}")))?;
            let k: usize = k.parse().map_err(|_| usage(format!("--packages {k}")))?;
            let split = rest
                .len()
                .checked_sub(k)
                .ok_or_else(|| usage(format!("--packages {k}")))?;
            let (head, patterns) = rest.split_at(split);
            let all = match list_packages(program, head, patterns)? {
                Ok(all) => all,
                Err(code) => {
                    return record(
                        out,
                        &Run::default(),
                        code,
                        "go list could not list the packages to shard; its output above says why",
                    );
                }
            };
            let mine = shard_of(&all, i, n);
            if mine.is_empty() {
                let summary = format!(
                    "shard {i}/{n} has none of the {} packages the patterns match",
                    all.len()
                );
                return record(out, &Run::default(), 0, &summary);
            }
            let line = format!(
                "gofront testreport: shard {i}/{n}: {} of {} packages\n",
                mine.len(),
                all.len()
            );
            let _ = std::io::stderr().lock().write_all(line.as_bytes());
            sharded = head.iter().cloned().chain(mine).collect::<Vec<_>>();
            sharded.as_slice()
        }
        (None, None) => rest,
        _ => return Err(usage("--shard and --packages go together".into())),
    };
    let json_path = out.join(files::JSON);
    let mut json = BufWriter::new(File::create(&json_path).map_err(io_err(&json_path))?);
    let mut child = Command::new(program)
        .args(rest)
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|source| ToolError::Spawn {
            command: program.clone(),
            source,
        })?;
    // `-v` asked for every line, as go test -v prints them.
    let verbose = rest.iter().any(|a| {
        matches!(
            a.as_str(),
            "-v" | "-v=true" | "--v" | "--v=true" | "-test.v" | "-test.v=true"
        )
    });
    let mut run = Run {
        verbose,
        ..Run::default()
    };
    let stderr = std::io::stderr();
    if let Some(stdout) = child.stdout.take() {
        let mut reader = BufReader::new(stdout);
        let mut line = Vec::new();
        loop {
            line.clear();
            let n =
                read_line(&mut reader, &mut line).map_err(io_err(Path::new("go test's output")))?;
            if n == 0 {
                break;
            }
            if line.len() > MAX_LINE {
                let _ = writeln!(
                    stderr.lock(),
                    "gofront testreport: left out a line of {n} bytes of go test's output"
                );
                continue;
            }
            json.write_all(&line).map_err(io_err(&json_path))?;
            let echo = match serde_json::from_slice::<Event>(&line) {
                Ok(e) => run.add(e),
                // Not an event (a line Go printed as text): shown as is.
                Err(_) => Echo::Text(String::from_utf8_lossy(&line).into_owned()),
            };
            if let Echo::Text(t) = echo {
                // One write, so the text reaches BuildKit's log in one piece.
                let _ = stderr.lock().write_all(t.as_bytes());
            }
        }
    }
    json.flush().map_err(io_err(&json_path))?;
    let status = child.wait().map_err(|source| ToolError::Spawn {
        command: program.clone(),
        source,
    })?;
    let code = status.code().unwrap_or(1);
    record(out, &run, code, &run.summary(code))
}

fn usage(message: String) -> ToolError {
    ToolError::Usage(crate::cachetool::UsageError {
        tool: "testreport",
        message: format!("bad {message}"),
    })
}

/// `I/N` as numbers, 1 <= I <= N.
fn parse_shard(s: &str) -> Option<(usize, usize)> {
    let (i, n) = s.split_once('/')?;
    let (i, n) = (i.parse().ok()?, n.parse().ok()?);
    (1..=n).contains(&i).then_some((i, n))
}

/// The I-th of N shards of `all` (sorted): every N-th from the I-th, so
/// each holds as many packages as another, give or take one, and a
/// package stays in its shard while the ones before it stay.
fn shard_of(all: &[String], i: usize, n: usize) -> Vec<String> {
    let mut sorted = all.to_vec();
    sorted.sort();
    sorted.dedup();
    sorted
        .into_iter()
        .enumerate()
        .filter(|(k, _)| k % n == i - 1)
        .map(|(_, p)| p)
        .collect()
}

/// The packages `patterns` match, by `go list` with the command's build
/// tags; `Err(exit code)` when go list fails (its stderr is the step's).
fn list_packages(
    program: &str,
    head: &[String],
    patterns: &[String],
) -> Result<Result<Vec<String>, i32>, ToolError> {
    let mut tags = Vec::new();
    let mut it = head.iter();
    while let Some(a) = it.next() {
        if a.starts_with("-tags=") || a.starts_with("--tags=") {
            tags.push(a.clone());
        } else if (a == "-tags" || a == "--tags")
            && let Some(v) = it.next()
        {
            tags.push(format!("-tags={v}"));
        }
    }
    let output = Command::new(program)
        .args(["list", "-f", "{{.ImportPath}}"])
        .args(&tags)
        .args(patterns)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|source| ToolError::Spawn {
            command: program.to_string(),
            source,
        })?;
    if !output.status.success() {
        return Ok(Err(output.status.code().unwrap_or(1)));
    }
    Ok(Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()))
}

/// Writes the report's files besides the stream, says the summary, and
/// exits 0: the tests ran (or could not), and the report says how.
fn record(out: &Path, run: &Run, code: i32, summary: &str) -> Result<ExitCode, ToolError> {
    for (name, text) in [
        (files::JUNIT, run.junit()),
        (files::EXIT_CODE, format!("{code}\n")),
        (files::SUMMARY, format!("{summary}\n")),
    ] {
        let path = out.join(name);
        fs::write(&path, text).map_err(io_err(&path))?;
    }
    let line = format!("gofront testreport: {summary}\n");
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
    Ok(ExitCode::SUCCESS)
}

/// Whether the step has the C compiler `go test -race` needs: `CC` (its
/// first word) or `gcc`, Go's default on Linux, found as Go finds it.
fn has_c_compiler() -> bool {
    let cc = std::env::var("CC").ok().filter(|c| !c.trim().is_empty());
    let name = cc
        .as_deref()
        .and_then(|c| c.split_whitespace().next())
        .unwrap_or("gcc");
    if name.contains('/') {
        return Path::new(name).is_file();
    }
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(name).is_file()))
}

/// Reads one line (with its newline) into `line`, keeping at most
/// `MAX_LINE + 1` bytes of it and discarding the rest; returns the line's
/// whole length (0 at the end).
fn read_line(r: &mut impl BufRead, line: &mut Vec<u8>) -> std::io::Result<usize> {
    let mut total = 0;
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            return Ok(total);
        }
        let (chunk, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (&buf[..=i], true),
            None => (buf, false),
        };
        let room = (MAX_LINE + 1).saturating_sub(line.len());
        line.extend_from_slice(&chunk[..chunk.len().min(room)]);
        let used = chunk.len();
        total += used;
        r.consume(used);
        if done {
            return Ok(total);
        }
    }
}

/// The recorded exit code and summary of a report directory's files (the
/// gateway reads them from the step's output).
pub fn recorded(exit_code: &[u8], summary: &[u8]) -> (Option<i32>, String) {
    let code = std::str::from_utf8(exit_code)
        .ok()
        .and_then(|s| s.trim().parse().ok());
    (code, String::from_utf8_lossy(summary).trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("example.com/p{i:02}")).collect()
    }

    #[test]
    fn shards_cover_every_package_once_and_balance_by_count() {
        for (packages, n) in [(10, 4), (3, 4), (4, 4), (1, 1), (0, 3), (17, 5)] {
            let all = names(packages);
            let mut seen: Vec<String> = Vec::new();
            let mut sizes = Vec::new();
            for i in 1..=n {
                let mine = shard_of(&all, i, n);
                sizes.push(mine.len());
                seen.extend(mine);
            }
            seen.sort();
            assert_eq!(seen, all, "{packages} packages in {n} shards");
            let (min, max) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
            assert!(max - min <= 1, "{sizes:?}");
        }
        // Unsorted input, duplicates: the same shards.
        let mut all = names(6);
        all.reverse();
        all.push("example.com/p00".into());
        assert_eq!(
            shard_of(&all, 1, 2),
            ["example.com/p00", "example.com/p02", "example.com/p04"]
        );
    }

    #[test]
    fn shard_specs_are_checked() {
        assert_eq!(parse_shard("2/4"), Some((2, 4)));
        assert_eq!(parse_shard("4/4"), Some((4, 4)));
        for bad in ["0/4", "5/4", "x/4", "2", "2/0", ""] {
            assert_eq!(parse_shard(bad), None, "{bad}");
        }
    }
}
