//! The cache tools' command lines, each declared once: the plan writes one
//! with `to_argv`, the tool reads it back with [`Invocation::parse`], so a
//! flag's name, order and whether it is required are stated in one place.
//!
//! Pure: no I/O, so `plan` may build these.

use std::collections::BTreeMap;

use thiserror::Error;

/// Ends a tool's flags; the command it runs follows.
const END: &str = "--";

/// A command line the tools cannot read: a bug in the LLB gofront wrote.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{message}")]
pub struct UsageError {
    /// The tool's first word (`gocache`, `modcache`), for the message.
    pub tool: &'static str,
    /// What is wrong, with the usage where that helps.
    pub message: String,
}

/// How a flag's value is written and read: `String` is required once,
/// `Option<String>` optional, `Vec<String>` repeatable.
trait FlagValue: Sized {
    fn write(&self, flag: &str, argv: &mut Vec<String>);
    fn read(flag: &str, values: Vec<String>) -> Result<Self, String>;
    fn usage(flag: &str) -> String;
}

impl FlagValue for String {
    fn write(&self, flag: &str, argv: &mut Vec<String>) {
        argv.extend([flag.to_string(), self.clone()]);
    }
    fn read(flag: &str, values: Vec<String>) -> Result<Self, String> {
        match <[String; 1]>::try_from(values) {
            Ok([v]) => Ok(v),
            Err(v) if v.is_empty() => Err(format!("{flag} is required")),
            Err(_) => Err(format!("{flag} is given twice")),
        }
    }
    fn usage(flag: &str) -> String {
        format!("{flag} PATH")
    }
}

impl FlagValue for Option<String> {
    fn write(&self, flag: &str, argv: &mut Vec<String>) {
        if let Some(v) = self {
            v.write(flag, argv);
        }
    }
    fn read(flag: &str, values: Vec<String>) -> Result<Self, String> {
        if values.is_empty() {
            Ok(None)
        } else {
            String::read(flag, values).map(Some)
        }
    }
    fn usage(flag: &str) -> String {
        format!("[{flag} PATH]")
    }
}

impl FlagValue for Vec<String> {
    fn write(&self, flag: &str, argv: &mut Vec<String>) {
        for v in self {
            v.write(flag, argv);
        }
    }
    fn read(_: &str, values: Vec<String>) -> Result<Self, String> {
        Ok(values)
    }
    fn usage(flag: &str) -> String {
        format!("[{flag} PATH]...")
    }
}

/// Each flag given, with its values in order.
type Flags = BTreeMap<String, Vec<String>>;

/// Reads `FLAG VALUE ... -- COMMAND...` against the flags one tool knows.
fn split(args: &[String], known: &[&str]) -> Result<(Flags, Vec<String>), String> {
    let mut flags = BTreeMap::new();
    let mut it = args.iter();
    loop {
        let Some(flag) = it.next() else {
            return Err(format!("missing {END} before the command"));
        };
        if flag == END {
            break;
        }
        if !known.contains(&flag.as_str()) {
            return Err(format!("unknown flag {flag}"));
        }
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        flags
            .entry(flag.clone())
            .or_insert_with(Vec::new)
            .push(value.clone());
    }
    let command: Vec<String> = it.cloned().collect();
    if command.is_empty() {
        return Err(format!("no command after {END}"));
    }
    Ok((flags, command))
}

/// Declares one tool's command line: the words after the program, then
/// each flag with its field (in argv order), then `-- COMMAND...`.
macro_rules! tool_args {
    (
        $(#[$doc:meta])*
        $name:ident = [$($word:literal),+] {
            $( $(#[$fdoc:meta])* $field:ident: $ty:ty = $flag:literal, )*
        }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name {
            $( $(#[$fdoc])* pub $field: $ty, )*
            /// The command it runs (after `--`).
            pub command: Vec<String>,
        }

        impl $name {
            /// The words after the program that name it.
            pub const WORDS: &'static [&'static str] = &[$($word),+];
            const FLAGS: &'static [&'static str] = &[$($flag),*];

            /// `program WORDS... FLAGS... -- COMMAND...`, as a step's argv.
            pub fn to_argv(&self, program: &str) -> Vec<String> {
                let mut argv = vec![program.to_string()];
                argv.extend(Self::WORDS.iter().map(|w| w.to_string()));
                $( FlagValue::write(&self.$field, $flag, &mut argv); )*
                argv.push(END.to_string());
                argv.extend(self.command.iter().cloned());
                argv
            }

            /// Reads what follows [`Self::WORDS`].
            fn parse(args: &[String]) -> Result<Self, String> {
                let (mut flags, command) = split(args, Self::FLAGS)?;
                Ok($name {
                    $( $field: <$ty as FlagValue>::read($flag, flags.remove($flag).unwrap_or_else(Vec::new))?, )*
                    command,
                })
            }

            /// `gofront WORDS... FLAGS... -- CMD...`.
            fn usage() -> String {
                let mut parts = vec!["gofront".to_string()];
                parts.extend(Self::WORDS.iter().map(|w| w.to_string()));
                $( parts.push(<$ty as FlagValue>::usage($flag)); )*
                parts.push(format!("{END} CMD..."));
                parts.join(" ")
            }
        }
    };
}

tool_args! {
    /// `gofront gocache seed`: merges an export into GOCACHE, then execs
    /// the command.
    SeedArgs = ["gocache", "seed"] {
        /// The seed (an export of `--target gocache`).
        from: String = "--from",
        /// GOCACHE.
        into: String = "--into",
        /// Where the command's Go records the cache entries it used: the
        /// tool runs it with `GOCACHEPROG` set to `gofront gocache prog
        /// --dir INTO --used FILE` (Go 1.24 and newer read it).
        used: Option<String> = "--used",
        /// A directory whose files and directories get times derived from
        /// their content first (`gofront gocache stamp`), so Go's test
        /// cache, which keys opened files by size and time, sees content.
        stamp: Option<String> = "--stamp",
    }
}

tool_args! {
    /// `gofront gocache export`: runs `go list -export -deps` and copies
    /// the cache entries the packages use.
    ExportArgs = ["gocache", "export"] {
        /// GOCACHE.
        cache: String = "--cache",
        /// Where the export is written.
        out: String = "--out",
        /// The module download cache to carry along (`modules/`).
        modules: Option<String> = "--modules",
        /// Used lists the Go steps wrote (`gofront gocache prog --used`);
        /// when one exists the export copies what they name and does not
        /// run the command.
        used: Vec<String> = "--used",
    }
}

tool_args! {
    /// `gofront modcache`: `go mod download` with the kept download cache
    /// as a `file://` proxy first.
    ModcacheArgs = ["modcache"] {
        /// The kept download cache (a cache mount).
        cache: String = "--cache",
        /// The step's GOMODCACHE.
        modcache: String = "--modcache",
        /// Module files an earlier export carried, merged first.
        seed: Option<String> = "--seed",
    }
}

tool_args! {
    /// `gofront keep`: runs a `go build` whose `-o` is a kept directory (a
    /// cache mount), then copies the binaries it names into the step's
    /// output. Go skips linking a binary that is already there with the
    /// build ID it would link, so an edit one binary does not link relinks
    /// none of the others.
    KeepArgs = ["keep"] {
        /// The kept directory the build writes.
        dir: String = "--dir",
        /// The step's output directory.
        out: String = "--out",
        /// The binaries to copy (file names in both).
        binary: Vec<String> = "--binary",
    }
}

tool_args! {
    /// `gofront testreport`: runs `go test -json` and writes its report
    /// (the stream, JUnit XML, the exit code and a summary) into a
    /// directory, exiting 0 whenever the tests ran.
    TestReportArgs = ["testreport"] {
        /// The report directory.
        out: String = "--out",
        /// `I/N`: run only the I-th of N shards of the packages, which
        /// are the command's last `--packages` words.
        shard: Option<String> = "--shard",
        /// How many of the command's last words are package patterns.
        packages: Option<String> = "--packages",
    }
}

/// One cache tool's command line, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invocation {
    /// `gofront gocache seed ...`.
    Seed(SeedArgs),
    /// `gofront gocache export ...`.
    Export(ExportArgs),
    /// `gofront modcache ...`.
    Modcache(ModcacheArgs),
    /// `gofront keep ...`.
    Keep(KeepArgs),
    /// `gofront testreport ...`.
    TestReport(TestReportArgs),
}

/// The words after the program that name one tool.
type Words = &'static [&'static str];

/// `args` after `words`, if they start with them.
fn after<'a>(args: &'a [String], words: &[&str]) -> Option<&'a [String]> {
    let head = args.get(..words.len())?;
    head.iter()
        .zip(words)
        .all(|(a, w)| a == w)
        .then(|| &args[words.len()..])
}

impl Invocation {
    /// Reads the words after the program: `None` when the first names no
    /// tool, an error when a tool's command line is wrong.
    pub fn parse(args: &[String]) -> Option<Result<Invocation, UsageError>> {
        let tool = args.first()?;
        let all: [(Words, fn() -> String); 5] = [
            (SeedArgs::WORDS, SeedArgs::usage),
            (ExportArgs::WORDS, ExportArgs::usage),
            (ModcacheArgs::WORDS, ModcacheArgs::usage),
            (KeepArgs::WORDS, KeepArgs::usage),
            (TestReportArgs::WORDS, TestReportArgs::usage),
        ];
        let (first, _) = all.iter().find(|(words, _)| words[0] == tool)?;
        let tool = first[0];
        let error = |message: String| UsageError { tool, message };
        let read = if let Some(rest) = after(args, SeedArgs::WORDS) {
            SeedArgs::parse(rest).map(Invocation::Seed)
        } else if let Some(rest) = after(args, ExportArgs::WORDS) {
            ExportArgs::parse(rest).map(Invocation::Export)
        } else if let Some(rest) = after(args, ModcacheArgs::WORDS) {
            ModcacheArgs::parse(rest).map(Invocation::Modcache)
        } else if let Some(rest) = after(args, KeepArgs::WORDS) {
            KeepArgs::parse(rest).map(Invocation::Keep)
        } else if let Some(rest) = after(args, TestReportArgs::WORDS) {
            TestReportArgs::parse(rest).map(Invocation::TestReport)
        } else {
            let usages: Vec<String> = all
                .iter()
                .filter(|(words, _)| words[0] == tool)
                .map(|(_, usage)| usage())
                .collect();
            return Some(Err(error(usages.join(" | "))));
        };
        Some(read.map_err(error))
    }

    /// The same tool running `command`.
    pub fn with_command(self, command: Vec<String>) -> Self {
        match self {
            Invocation::Seed(a) => Invocation::Seed(SeedArgs { command, ..a }),
            Invocation::Export(a) => Invocation::Export(ExportArgs { command, ..a }),
            Invocation::Modcache(a) => Invocation::Modcache(ModcacheArgs { command, ..a }),
            Invocation::Keep(a) => Invocation::Keep(KeepArgs { command, ..a }),
            Invocation::TestReport(a) => Invocation::TestReport(TestReportArgs { command, ..a }),
        }
    }

    /// `program WORDS... FLAGS... -- COMMAND...`, as a step's argv.
    pub fn to_argv(&self, program: &str) -> Vec<String> {
        match self {
            Invocation::Seed(a) => a.to_argv(program),
            Invocation::Export(a) => a.to_argv(program),
            Invocation::Modcache(a) => a.to_argv(program),
            Invocation::Keep(a) => a.to_argv(program),
            Invocation::TestReport(a) => a.to_argv(program),
        }
    }

    /// The tool's first word, for messages.
    pub fn tool(&self) -> &'static str {
        match self {
            Invocation::Seed(_) => SeedArgs::WORDS[0],
            Invocation::Export(_) => ExportArgs::WORDS[0],
            Invocation::Modcache(_) => ModcacheArgs::WORDS[0],
            Invocation::Keep(_) => KeepArgs::WORDS[0],
            Invocation::TestReport(_) => TestReportArgs::WORDS[0],
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    /// What `gofront` hands a tool: the argv without the program.
    fn read(argv: &[String]) -> Result<Invocation, UsageError> {
        Invocation::parse(&argv[1..]).unwrap()
    }

    #[test]
    fn every_tool_reads_back_what_it_writes() {
        let cmd = strings(&["go", "list", "--", "-f", "x"]);
        let cases = [
            Invocation::Seed(SeedArgs {
                from: "/seed".into(),
                into: "/cache".into(),
                used: None,
                stamp: None,
                command: cmd.clone(),
            }),
            Invocation::Export(ExportArgs {
                cache: "/cache".into(),
                out: "/out".into(),
                modules: None,
                used: vec![],
                command: cmd.clone(),
            }),
            Invocation::Export(ExportArgs {
                cache: "/cache".into(),
                out: "/out".into(),
                modules: Some("/moddl".into()),
                used: vec![],
                command: cmd.clone(),
            }),
            Invocation::Seed(SeedArgs {
                from: "/s".into(),
                into: "/c".into(),
                used: Some("/u/list".into()),
                stamp: Some("/src".into()),
                command: cmd.clone(),
            }),
            Invocation::Export(ExportArgs {
                cache: "/cache".into(),
                out: "/out".into(),
                modules: None,
                used: vec!["/u/build/list".into(), "/u/test/list".into()],
                command: cmd.clone(),
            }),
            Invocation::Modcache(ModcacheArgs {
                cache: "/moddl".into(),
                modcache: "/dl/mod".into(),
                seed: None,
                command: cmd.clone(),
            }),
            Invocation::Keep(KeepArgs {
                dir: "/keep".into(),
                out: "/out".into(),
                binary: vec!["api".into(), "worker.exe".into()],
                command: cmd.clone(),
            }),
            Invocation::TestReport(TestReportArgs {
                out: "/out/report".into(),
                shard: None,
                packages: None,
                command: cmd.clone(),
            }),
            Invocation::TestReport(TestReportArgs {
                out: "/out/report".into(),
                shard: Some("2/4".into()),
                packages: Some("3".into()),
                command: cmd.clone(),
            }),
            // A value that looks like the end of the flags is still a value.
            Invocation::Modcache(ModcacheArgs {
                cache: "--".into(),
                modcache: "--seed".into(),
                seed: Some("/s".into()),
                command: cmd.clone(),
            }),
        ];
        for want in cases {
            let argv = want.to_argv("/bin/gofront");
            assert_eq!(read(&argv), Ok(want.clone()), "{argv:?}");
            // The tool's first word, for its messages.
            assert_eq!(want.tool(), argv[1]);
        }
    }

    #[test]
    fn flags_are_written_in_declaration_order() {
        let a = ExportArgs {
            cache: "/c".into(),
            out: "/o".into(),
            modules: Some("/m".into()),
            used: vec![],
            command: strings(&["go"]),
        };
        assert_eq!(
            a.to_argv("/p"),
            strings(&[
                "/p",
                "gocache",
                "export",
                "--cache",
                "/c",
                "--out",
                "/o",
                "--modules",
                "/m",
                "--",
                "go"
            ])
        );
        let a = ExportArgs { modules: None, ..a };
        assert_eq!(
            a.to_argv("/p"),
            strings(&[
                "/p", "gocache", "export", "--cache", "/c", "--out", "/o", "--", "go"
            ])
        );
    }

    #[test]
    fn bad_command_lines_say_what_is_wrong() {
        let err = |args: &[&str]| match Invocation::parse(&strings(args)) {
            Some(Err(e)) => format!("{}: {e}", e.tool),
            other => panic!("{args:?}: {other:?}"),
        };
        assert_eq!(
            err(&["gocache", "seed", "--from", "/s", "--", "go"]),
            "gocache: --into is required"
        );
        assert_eq!(
            err(&["gocache", "seed", "--from", "/s", "--into", "/c"]),
            "gocache: missing -- before the command"
        );
        assert_eq!(
            err(&["gocache", "seed", "--from", "/s", "--into", "/c", "--"]),
            "gocache: no command after --"
        );
        assert_eq!(
            err(&["modcache", "--cache", "/a", "--cache", "/b", "--", "go"]),
            "modcache: --cache is given twice"
        );
        assert_eq!(
            err(&[
                "gocache", "seed", "--from", "/s", "--into", "/c", "--used", "/a", "--used", "/b",
                "--", "go"
            ]),
            "gocache: --used is given twice"
        );
        assert_eq!(
            err(&["modcache", "--out", "/a", "--", "go"]),
            "modcache: unknown flag --out"
        );
        assert_eq!(
            err(&["modcache", "--cache"]),
            "modcache: --cache needs a value"
        );
        assert_eq!(
            err(&["gocache", "trim"]),
            "gocache: gofront gocache seed --from PATH --into PATH [--used PATH] [--stamp PATH] -- CMD... | gofront gocache export --cache PATH --out PATH [--modules PATH] [--used PATH]... -- CMD..."
        );
        assert_eq!(
            err(&["keep", "--dir", "/k", "--binary", "a", "--", "go"]),
            "keep: --out is required"
        );
        assert_eq!(Invocation::parse(&strings(&["llb"])), None);
        assert_eq!(Invocation::parse(&[]), None);
    }
}
