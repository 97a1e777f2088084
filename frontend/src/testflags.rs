//! Which `test.flags` keep `go test` from reusing a cached test result.
//!
//! gofront runs `go test <its build flags> <test.flags> <packages>`. cmd/go
//! (src/cmd/go/internal/test) reads that command line in `testFlags`
//! (testflag.go): every flag it forwards to the test binary (`passFlagToTest`)
//! becomes `-test.NAME=VALUE`, whichever of `-NAME`, `-test.NAME`, `--NAME`,
//! `-NAME=VALUE` or `-NAME VALUE` was written; its own flags (build flags,
//! `-c`, `-o`, `-exec`, `-json`, `-vet`, `-cover...`) are kept; a flag it
//! does not know goes to the binary as written; `-args`, `--args` and `--`
//! pass everything after them, the package list included, to the binary.
//! `runCache.tryCacheWithID` (test.go) then caches a run only in package
//! list mode and only when every argument for the binary is `-test.NAME=...`
//! with NAME in a fixed set, which Go 1.25 widened by `skip`,
//! `coverprofile` and `outputdir` (Go 1.24.4's test.go lacks them, Go
//! 1.26.10's and 1.27.3's have them). `-exec` passes that check, but
//! `builderRunTest` writes no test log for a binary run through another
//! program, and `saveOutput` never saves a result without one.
//!
//! Invariant: pure; the same rule as cmd/go, for the versions above.

use crate::gomod::GoVersion;

/// Why one entry of `test.flags` makes every test run again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Uncacheable {
    /// A test flag outside the cacheable set: `name` without `test.`, as
    /// written (its value included, when it was the next entry).
    Flag { written: String, name: String },
    /// Not a flag `go test` knows: it goes to the test binary as written.
    Unknown { written: String },
    /// Not a flag at all (`-`, `---x`, `-=x`): `go test` reads it as a
    /// package, or, after an unknown flag, passes it to the test binary.
    NotAFlag { written: String },
    /// `-args`, `--args` or `--`: the packages after it go to the test
    /// binary, so `go test` tests the current directory, never cached.
    Args { written: String },
    /// `-exec`: no result of such a run is saved.
    Exec { written: String },
}

impl Uncacheable {
    /// The entry as the user wrote it.
    pub fn written(&self) -> &str {
        match self {
            Uncacheable::Flag { written, .. }
            | Uncacheable::Unknown { written }
            | Uncacheable::NotAFlag { written }
            | Uncacheable::Args { written }
            | Uncacheable::Exec { written } => written,
        }
    }
}

/// The flags `go test` forwards to the test binary as `-test.NAME`
/// (`passFlagToTest`, flagdefs.go; `artifacts` is new in Go 1.26, and
/// unknown before, which caches no better), and whether each is boolean
/// (a boolean flag never takes the next argument as its value).
const FORWARDED: &[(&str, bool)] = &[
    ("artifacts", true),
    ("bench", false),
    ("benchmem", true),
    ("benchtime", false),
    ("blockprofile", false),
    ("blockprofilerate", false),
    ("count", false),
    ("coverprofile", false),
    ("cpu", false),
    ("cpuprofile", false),
    ("failfast", true),
    ("fullpath", true),
    ("fuzz", false),
    ("fuzzminimizetime", false),
    ("fuzztime", false),
    ("list", false),
    ("memprofile", false),
    ("memprofilerate", false),
    ("mutexprofile", false),
    ("mutexprofilefraction", false),
    ("outputdir", false),
    ("parallel", false),
    ("run", false),
    ("short", true),
    ("shuffle", false),
    ("skip", false),
    ("timeout", false),
    ("trace", false),
    ("v", true),
];

/// The flags `go test` reads itself and does not forward (testflag.go's
/// `init`, `work.AddBuildFlags` without `-v` and `-json`, and
/// `work.AddCoverFlags` but `-coverprofile`), and whether each is boolean.
const OWN: &[(&str, bool)] = &[
    ("C", false),
    ("a", true),
    ("asan", true),
    ("asmflags", false),
    ("buildmode", false),
    ("buildvcs", true),
    ("c", true),
    ("compiler", false),
    ("cover", true),
    ("covermode", false),
    ("coverpkg", false),
    ("debug-actiongraph", false),
    ("debug-runtime-trace", false),
    ("debug-trace", false),
    ("exec", false),
    ("gccgoflags", false),
    ("gcflags", false),
    ("installsuffix", false),
    ("json", true),
    ("ldflags", false),
    ("linkshared", true),
    ("mod", false),
    ("modcacherw", true),
    ("modfile", false),
    ("msan", true),
    ("n", true),
    ("o", false),
    ("overlay", false),
    ("p", false),
    ("pgo", false),
    ("pkgdir", false),
    ("race", true),
    ("tags", false),
    ("toolexec", false),
    ("trimpath", true),
    ("vet", false),
    ("work", true),
    ("x", true),
];

/// The forwarded flags a cached result may have been run with, in every Go
/// version (`tryCacheWithID`).
const CACHEABLE: &[&str] = &[
    "benchtime",
    "cpu",
    "failfast",
    "fullpath",
    "list",
    "parallel",
    "run",
    "short",
    "timeout",
    "v",
];

/// The ones Go 1.25 added.
const CACHEABLE_SINCE_1_25: &[&str] = &["coverprofile", "outputdir", "skip"];

/// Whether `go` (the newest rule when not known) has the wider set.
fn has_1_25_set(go: Option<&GoVersion>) -> bool {
    go.is_none_or(|v| (v.parts.0, v.parts.1) >= (1, 25))
}

/// The cacheable flags for `go`, sorted, each as `-NAME`.
pub fn cacheable_flags(go: Option<&GoVersion>) -> Vec<String> {
    let mut names: Vec<&str> = CACHEABLE.to_vec();
    if has_1_25_set(go) {
        names.extend_from_slice(CACHEABLE_SINCE_1_25);
    }
    names.sort_unstable();
    names.iter().map(|n| format!("-{n}")).collect()
}

fn cacheable(name: &str, go: Option<&GoVersion>) -> bool {
    CACHEABLE.contains(&name) || (has_1_25_set(go) && CACHEABLE_SINCE_1_25.contains(&name))
}

fn lookup(table: &[(&str, bool)], name: &str) -> Option<bool> {
    table.iter().find(|(n, _)| *n == name).map(|(_, b)| *b)
}

/// What one entry of `test.flags` is to `go test`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind<'a> {
    /// `-args`, `--args` or `--`: everything after it goes to the binary.
    Args,
    /// `-h`, `-help`, `-?`: go test prints its usage and fails.
    Help,
    /// Not a flag: a word, or `-`, `---x`, `-=x`. `after_unknown`: a flag
    /// go test does not know came before, so it is no package (`testFlags`
    /// makes the package list complete at an unknown flag).
    NotAFlag { after_unknown: bool },
    /// A flag go test forwards to the binary, by its name without `test.`.
    Forwarded(&'a str),
    /// One of go test's own flags.
    Own(&'a str),
    /// A flag go test does not know: it goes to the binary as written.
    Unknown,
}

/// One entry of `test.flags` as `go test` reads it (`testFlags`, with
/// `cmdflag.ParseOne`): a flag that takes a value and has no `=VALUE`
/// takes the next entry, whatever it looks like.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Read<'a> {
    raw: &'a str,
    kind: Kind<'a>,
    /// The next entry, taken as this flag's value.
    value: Option<&'a str>,
    /// A flag that takes a value, with none written and nothing after it:
    /// go test takes the first package for it.
    value_missing: bool,
}

impl Read<'_> {
    /// As written, with its value when it took the next entry.
    fn written(&self) -> String {
        match self.value {
            Some(v) => format!("{} {v}", self.raw),
            None => self.raw.to_string(),
        }
    }
}

/// Reads `flags` as `go test` does, up to `-args`/`--args`/`--` (which
/// ends the list: the rest is the binary's).
fn read(flags: &[String]) -> Vec<Read<'_>> {
    let mut out = Vec::new();
    let mut after_unknown = false;
    let mut rest = flags.iter();
    while let Some(raw) = rest.next() {
        let raw = raw.as_str();
        let entry = |kind| Read {
            raw,
            kind,
            value: None,
            value_missing: false,
        };
        // cmdflag.ParseOne: `--` ends the flags; `--x` is `-x`.
        let mut arg = raw;
        if let Some(one) = arg.strip_prefix('-').filter(|a| a.starts_with('-')) {
            if arg == "--" {
                out.push(entry(Kind::Args));
                break;
            }
            arg = one;
        }
        if matches!(arg, "-?" | "-h" | "-help") {
            out.push(entry(Kind::Help));
            continue;
        }
        let b = arg.as_bytes();
        if b.len() < 2 || b[0] != b'-' || b[1] == b'-' || b[1] == b'=' {
            // Not a flag: a package name or an argument for the binary.
            out.push(entry(Kind::NotAFlag { after_unknown }));
            continue;
        }
        let (name, has_value) = match arg[1..].split_once('=') {
            Some((n, _)) => (n, true),
            None => (&arg[1..], false),
        };
        let short = name.strip_prefix("test.");
        let known = short
            .and_then(|s| lookup(FORWARDED, s).map(|b| (Kind::Forwarded(s), b)))
            .or_else(|| lookup(FORWARDED, name).map(|b| (Kind::Forwarded(name), b)))
            .or_else(|| lookup(OWN, name).map(|b| (Kind::Own(name), b)));
        if let Some((kind, boolean)) = known {
            let mut read = entry(kind);
            if !has_value && !boolean {
                read.value = rest.next().map(String::as_str);
                read.value_missing = read.value.is_none();
            }
            out.push(read);
            continue;
        }
        if raw == "-args" || raw == "--args" {
            out.push(entry(Kind::Args));
            break;
        }
        after_unknown = true;
        out.push(entry(Kind::Unknown));
    }
    out
}

/// Every entry of `flags` that makes `go test` (version `go`; the newest
/// rule when not known) run the tests instead of reusing a cached result,
/// in order. Empty when Go may cache the run.
pub fn uncacheable(flags: &[String], go: Option<&GoVersion>) -> Vec<Uncacheable> {
    let mut out = Vec::new();
    for r in read(flags) {
        let written = r.written();
        match r.kind {
            Kind::Args => out.push(Uncacheable::Args { written }),
            Kind::Help | Kind::Own(_) => {}
            Kind::NotAFlag { .. } => out.push(Uncacheable::NotAFlag { written }),
            Kind::Forwarded(short) if !cacheable(short, go) => out.push(Uncacheable::Flag {
                written,
                name: short.to_string(),
            }),
            Kind::Forwarded(_) => {}
            Kind::Unknown => out.push(Uncacheable::Unknown { written }),
        }
        if let Kind::Own("exec") = r.kind {
            out.push(Uncacheable::Exec {
                written: r.written(),
            });
        }
    }
    out
}

/// An entry of `test.flags` that `go test` would not read as a flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Misplaced<'a> {
    /// A word go test takes for a package to test (not a flag's value,
    /// and no unknown flag before it).
    Package(&'a str),
    /// The last entry, a flag that takes a value with none after it: go
    /// test would take the first package for its value.
    NoValue(&'a str),
}

/// The first entry of `flags` that `go test` would misread: a word it
/// takes for a package (`-run TestX` is a flag and its value, as go test
/// spells it; `-v TestX` is a flag and a package), or a flag left without
/// its value. Dashed non-flags (`-`, `-=x`) are left to the warnings.
pub fn misplaced(flags: &[String]) -> Option<Misplaced<'_>> {
    read(flags).into_iter().find_map(|r| match r.kind {
        Kind::NotAFlag {
            after_unknown: false,
        } if !r.raw.starts_with('-') => Some(Misplaced::Package(r.raw)),
        _ if r.value_missing => Some(Misplaced::NoValue(r.raw)),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn go(v: &str) -> GoVersion {
        GoVersion::parse(v).unwrap()
    }

    fn check(flags: &[&str], v: &str) -> Vec<Uncacheable> {
        let flags: Vec<String> = flags.iter().map(|s| s.to_string()).collect();
        uncacheable(&flags, Some(&go(v)))
    }

    fn flag(written: &str, name: &str) -> Uncacheable {
        Uncacheable::Flag {
            written: written.into(),
            name: name.into(),
        }
    }

    #[test]
    fn every_cacheable_flag_in_every_spelling_keeps_the_cache() {
        let values = [
            ("benchtime", "2s"),
            ("cpu", "1,2"),
            ("list", "."),
            ("parallel", "4"),
            ("run", "TestX"),
            ("timeout", "30s"),
        ];
        for (name, value) in values {
            for prefix in ["-", "--", "-test.", "--test."] {
                let eq = format!("{prefix}{name}={value}");
                assert_eq!(check(&[&eq], "1.24"), [], "{eq}");
                let sep = format!("{prefix}{name}");
                // A value of its own starts with `-` in a spec (its schema).
                assert_eq!(check(&[&sep, "-x"], "1.24"), [], "{sep} -x");
            }
        }
        for name in ["failfast", "fullpath", "short", "v"] {
            for prefix in ["-", "--", "-test.", "--test."] {
                for suffix in ["", "=true", "=false"] {
                    let f = format!("{prefix}{name}{suffix}");
                    assert_eq!(check(&[&f], "1.24"), [], "{f}");
                }
            }
        }
        assert_eq!(check(&["-v=test2json"], "1.24"), []);
    }

    #[test]
    fn go_test_s_own_flags_keep_the_cache() {
        let own = [
            "-race",
            "-json",
            "--json",
            "-cover",
            "-covermode=atomic",
            "-coverpkg=./...",
            "-vet=off",
            "-tags=integration",
            "-trimpath",
            "-buildvcs=false",
            "-x",
            "-p=2",
            "-gcflags=all=-N",
            "-ldflags=-s",
            "-c",
            "-o=/tmp/t",
        ];
        for f in own {
            assert_eq!(check(&[f], "1.24"), [], "{f}");
        }
        // A value of its own is consumed, even one that looks like a flag.
        assert_eq!(check(&["-covermode", "-count=1"], "1.24"), []);
    }

    #[test]
    fn count_disables_the_cache_whatever_its_value_and_spelling() {
        for f in [
            "-count=1",
            "-count=2",
            "-count=0",
            "--count=1",
            "-test.count=1",
            "--test.count=1",
        ] {
            assert_eq!(check(&[f], "1.27"), [flag(f, "count")], "{f}");
        }
        assert_eq!(
            check(&["-count", "-1"], "1.27"),
            [flag("-count -1", "count")]
        );
    }

    #[test]
    fn every_other_forwarded_flag_disables_the_cache() {
        let others = [
            ("-bench=.", "bench"),
            ("-benchmem", "benchmem"),
            ("-blockprofile=b.out", "blockprofile"),
            ("-blockprofilerate=1", "blockprofilerate"),
            ("-cpuprofile=c.out", "cpuprofile"),
            ("-fuzz=FuzzX", "fuzz"),
            ("-fuzzminimizetime=1s", "fuzzminimizetime"),
            ("-fuzztime=1s", "fuzztime"),
            ("-memprofile=m.out", "memprofile"),
            ("-memprofilerate=1", "memprofilerate"),
            ("-mutexprofile=m.out", "mutexprofile"),
            ("-mutexprofilefraction=1", "mutexprofilefraction"),
            ("-shuffle=on", "shuffle"),
            ("-trace=t.out", "trace"),
            ("-artifacts", "artifacts"),
            ("-test.benchmem=true", "benchmem"),
        ];
        for (f, name) in others {
            assert_eq!(check(&[f], "1.27"), [flag(f, name)], "{f}");
        }
    }

    #[test]
    fn skip_coverprofile_and_outputdir_are_cacheable_from_go_1_25() {
        for f in ["-skip=TestX", "-coverprofile=c.out", "-test.outputdir=out"] {
            let name = f.trim_start_matches('-').trim_start_matches("test.");
            let name = name.split('=').next().unwrap();
            assert_eq!(check(&[f], "1.24.4"), [flag(f, name)], "{f} on 1.24");
            assert_eq!(check(&[f], "1.25"), [], "{f} on 1.25");
            assert_eq!(check(&[f], "1.27.3"), [], "{f} on 1.27");
            assert_eq!(uncacheable(&[f.to_string()], None), [], "{f} unknown Go");
        }
        assert_eq!(
            cacheable_flags(Some(&go("1.24"))).join(" "),
            "-benchtime -cpu -failfast -fullpath -list -parallel -run -short -timeout -v"
        );
        assert_eq!(
            cacheable_flags(Some(&go("1.26"))).join(" "),
            "-benchtime -coverprofile -cpu -failfast -fullpath -list -outputdir -parallel -run -short -skip -timeout -v"
        );
    }

    #[test]
    fn a_flag_go_test_does_not_know_goes_to_the_binary_and_disables_the_cache() {
        for f in [
            "-myflag",
            "-myflag=1",
            "-test.paniconexit0",
            "-test.json=x",
            "-args=1",
        ] {
            assert_eq!(
                check(&[f], "1.27"),
                [Uncacheable::Unknown { written: f.into() }],
                "{f}"
            );
        }
        // Not flags at all (`-`, `---x`, `-=x`): a package or a binary argument.
        for f in ["-", "---x", "-=x"] {
            assert_eq!(
                check(&[f], "1.27"),
                [Uncacheable::NotAFlag { written: f.into() }],
                "{f}"
            );
        }
    }

    #[test]
    fn args_and_the_terminator_swallow_the_packages() {
        for f in ["-args", "--args", "--"] {
            // Whatever follows goes to the binary: reported once.
            assert_eq!(
                check(&["-v", f, "-count=1"], "1.27"),
                [Uncacheable::Args { written: f.into() }],
                "{f}"
            );
        }
    }

    #[test]
    fn exec_saves_no_result() {
        assert_eq!(
            check(&["-exec=qemu-arm"], "1.27"),
            [Uncacheable::Exec {
                written: "-exec=qemu-arm".into()
            }]
        );
        assert_eq!(
            check(&["-exec", "-wrapper"], "1.27"),
            [Uncacheable::Exec {
                written: "-exec -wrapper".into()
            }]
        );
    }

    #[test]
    fn a_word_is_a_package_unless_a_flag_takes_it_or_an_unknown_flag_came_first() {
        let of = |flags: &[&str]| {
            let flags: Vec<String> = flags.iter().map(|s| s.to_string()).collect();
            misplaced(&flags).map(|m| match m {
                Misplaced::Package(p) => format!("package {p}"),
                Misplaced::NoValue(f) => format!("no value {f}"),
            })
        };
        // go test's own spelling: a flag, then its value.
        assert_eq!(of(&["-run", "TestX"]), None);
        assert_eq!(of(&["-run", "TestX", "-v", "-timeout", "30s"]), None);
        assert_eq!(of(&["--test.run", "X", "-tags", "integration"]), None);
        assert_eq!(of(&["-run=TestX", "-count", "1"]), None);
        // A boolean flag takes no value: the word is a package.
        assert_eq!(of(&["-v", "TestX"]).as_deref(), Some("package TestX"));
        assert_eq!(of(&["-run=X", "./pkg"]).as_deref(), Some("package ./pkg"));
        assert_eq!(of(&["x"]).as_deref(), Some("package x"));
        // After a flag go test does not know, words go to the binary.
        assert_eq!(of(&["-myflag", "value"]), None);
        // After -args, everything does.
        assert_eq!(of(&["-args", "word"]), None);
        // Dashed non-flags are the warnings' (UncacheableTestFlags).
        assert_eq!(of(&["-", "-=x"]), None);
        // A flag left without its value would take the first package.
        assert_eq!(of(&["-v", "-run"]).as_deref(), Some("no value -run"));
        assert_eq!(of(&["-timeout"]).as_deref(), Some("no value -timeout"));
        assert_eq!(of(&["-v"]), None);
    }

    #[test]
    fn help_is_no_run_and_every_offender_is_listed_in_order() {
        assert_eq!(check(&["-h", "--help", "-?"], "1.27"), []);
        assert_eq!(
            check(
                &["-v", "-count=1", "-race", "-shuffle=on", "-run=X"],
                "1.27"
            ),
            [flag("-count=1", "count"), flag("-shuffle=on", "shuffle")]
        );
    }
}
