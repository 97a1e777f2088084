//! `gofront sbom`: the in-step side of the SBOM. A build step runs it from
//! gofront's own image next to the binaries (never in the frontend
//! process): it runs `go version -m` on them, hashes them, and writes the
//! SPDX document to the step's output, which the gateway attaches to the
//! platform's result (docs/sbom.md).
//!
//! ```text
//! gofront sbom --out FILE --name NAME --created EPOCH
//!              [--base REF[@DIGEST]] [--main-version V] [--go-sum FILE] [--go GO]
//!              -- BIN[=PATH_IN_IMAGE]...
//! ```

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use sha2::{Digest, Sha256};
use thiserror::Error;

use super::buildinfo::{self, ParseError};
use super::sha1::Sha1;
use super::spdx::{self, BaseImage, BinaryFile, SbomInput};

/// Why the tool stopped.
#[derive(Debug, Error)]
pub enum SbomToolError {
    /// Bad arguments: a bug in the LLB gofront wrote.
    #[error("usage: {0}")]
    Usage(String),
    /// A file operation failed.
    #[error("{path}: {source}")]
    Io {
        /// The path at fault.
        path: String,
        /// What happened.
        source: io::Error,
    },
    /// `go` could not be started.
    #[error("cannot run {command}: {source}")]
    Spawn {
        /// argv\[0].
        command: String,
        /// What happened.
        source: io::Error,
    },
    /// `go version -m` failed; its stderr says why.
    #[error("{command} version -m exited with {status}: {stderr}")]
    GoVersion {
        /// argv\[0].
        command: String,
        /// Its exit status.
        status: String,
        /// What it printed on stderr.
        stderr: String,
    },
    /// Its output does not read as Go writes it.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// A binary `go version -m` said nothing about.
    #[error(
        "go version -m printed no build info for {file}; is it a Go binary built in module mode?{stderr}"
    )]
    NoBuildInfo {
        /// The binary.
        file: String,
        /// What go printed on stderr, if anything (as ` go said: ...`).
        stderr: String,
    },
    /// The document could not be serialized.
    #[error("cannot write the SPDX document: {0}")]
    Json(#[from] serde_json::Error),
}

/// The parsed command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Args {
    /// Where to write the document.
    pub out: PathBuf,
    /// The document's name.
    pub name: String,
    /// SOURCE_DATE_EPOCH.
    pub created: i64,
    /// The runtime base, `REF` or `REF@DIGEST`.
    pub base: Option<BaseImage>,
    /// `{{.Version}}`.
    pub main_version: Option<String>,
    /// go.sum, for a vendored build.
    pub go_sum: Option<PathBuf>,
    /// The `go` command.
    pub go: String,
    /// Each binary: its path here and its path in the image.
    pub binaries: Vec<(PathBuf, String)>,
}

impl Args {
    /// The command line for a build step: `program sbom FLAGS -- BINS`,
    /// what [`Args::parse`] reads back (as the cache tools' `to_argv`, so
    /// plan and tool share one declaration of the flags). A binary's step
    /// path must not hold `=`: the tool splits at the first one.
    pub fn to_argv(&self, program: &str) -> Vec<String> {
        let mut argv = vec![program.to_string(), "sbom".to_string()];
        let mut flag = |name: &str, value: String| argv.extend([name.to_string(), value]);
        flag("--out", self.out.display().to_string());
        flag("--name", self.name.clone());
        flag("--created", self.created.to_string());
        if let Some(b) = &self.base {
            let digest = b
                .digest
                .as_deref()
                .map_or_else(String::new, |d| format!("@{d}"));
            flag("--base", format!("{}{digest}", b.reference));
        }
        if let Some(v) = &self.main_version {
            flag("--main-version", v.clone());
        }
        if let Some(p) = &self.go_sum {
            flag("--go-sum", p.display().to_string());
        }
        if self.go != "go" {
            flag("--go", self.go.clone());
        }
        argv.push("--".to_string());
        for (here, there) in &self.binaries {
            argv.push(format!("{}={there}", here.display()));
        }
        argv
    }

    /// Reads `args` (after `sbom`).
    pub fn parse(args: &[String]) -> Result<Args, SbomToolError> {
        let usage = |m: String| SbomToolError::Usage(m);
        let split = args
            .iter()
            .position(|a| a == "--")
            .ok_or_else(|| usage("missing -- before the binaries".into()))?;
        let (mut out, mut name, mut created) = (None, None, None);
        let (mut base, mut main_version, mut go_sum, mut go) = (None, None, None, None);
        let mut it = args[..split].iter();
        while let Some(flag) = it.next() {
            let value = it
                .next()
                .ok_or_else(|| usage(format!("{flag} needs a value")))?
                .clone();
            match flag.as_str() {
                "--out" => out = Some(PathBuf::from(value)),
                "--name" => name = Some(value),
                "--created" => {
                    created = Some(value.parse::<i64>().map_err(|_| {
                        usage(format!(
                            "--created takes seconds since the epoch, not {value:?}"
                        ))
                    })?);
                }
                "--base" => {
                    let (reference, digest) = match value.rsplit_once('@') {
                        Some((r, d)) => (r.to_string(), Some(d.to_string())),
                        None => (value, None),
                    };
                    base = Some(BaseImage { reference, digest });
                }
                "--main-version" => main_version = Some(value),
                "--go-sum" => go_sum = Some(PathBuf::from(value)),
                "--go" => go = Some(value),
                other => return Err(usage(format!("unknown flag {other}"))),
            }
        }
        let binaries: Vec<(PathBuf, String)> = args[split + 1..]
            .iter()
            .map(|b| match b.split_once('=') {
                Some((here, there)) => (PathBuf::from(here), there.to_string()),
                None => (PathBuf::from(b), b.clone()),
            })
            .collect();
        if binaries.is_empty() {
            return Err(usage("no binaries after --".into()));
        }
        Ok(Args {
            out: out.ok_or_else(|| usage("--out is required".into()))?,
            name: name.ok_or_else(|| usage("--name is required".into()))?,
            created: created.ok_or_else(|| usage("--created is required".into()))?,
            base,
            main_version,
            go_sum,
            go: go.unwrap_or_else(|| "go".to_string()),
            binaries,
        })
    }
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> SbomToolError + '_ {
    move |source| SbomToolError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// A file's digests: SHA-256 and SHA-1, in one read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDigests {
    /// Lowercase hex SHA-256.
    pub sha256: String,
    /// Lowercase hex SHA-1.
    pub sha1: String,
}

fn digest_file(path: &Path) -> Result<FileDigests, SbomToolError> {
    let mut f = fs::File::open(path).map_err(io_err(path))?;
    let mut h256 = Sha256::new();
    let mut h1 = Sha1::default();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf).map_err(io_err(path))?;
        if n == 0 {
            break;
        }
        h256.update(&buf[..n]);
        h1.update(&buf[..n]);
    }
    Ok(FileDigests {
        sha256: h256.finalize().iter().map(|b| format!("{b:02x}")).collect(),
        sha1: h1.hex(),
    })
}

/// Builds the document's input from `go version -m`'s output and the
/// binaries' hashes (no process runs here, for tests).
pub fn input_from(
    args: &Args,
    go_version_m: &str,
    go_stderr: &str,
    digests: impl Fn(&Path) -> Result<FileDigests, SbomToolError>,
    go_sum: Option<String>,
) -> Result<SbomInput, SbomToolError> {
    let parsed = buildinfo::parse_go_version_m(go_version_m)?;
    let mut binaries = Vec::new();
    for (here, there) in &args.binaries {
        let shown = here.display().to_string();
        let info = parsed
            .iter()
            .find(|b| b.file == shown)
            .ok_or_else(|| SbomToolError::NoBuildInfo {
                file: shown.clone(),
                stderr: match go_stderr.trim() {
                    "" => String::new(),
                    said => format!(" go said: {said}"),
                },
            })?
            .info
            .clone();
        let d = digests(here)?;
        binaries.push(BinaryFile {
            path: there.clone(),
            sha256: d.sha256,
            sha1: d.sha1,
            info,
        });
    }
    Ok(SbomInput {
        name: args.name.clone(),
        created: args.created,
        tool: format!("gofront-{}", env!("CARGO_PKG_VERSION")),
        binaries,
        base: args.base.clone(),
        main_version: args.main_version.clone(),
        go_sum,
    })
}

fn run(args: &[String]) -> Result<(), SbomToolError> {
    let args = Args::parse(args)?;
    let output = Command::new(&args.go)
        .arg("version")
        .arg("-m")
        .args(args.binaries.iter().map(|(here, _)| here))
        .output()
        .map_err(|source| SbomToolError::Spawn {
            command: args.go.clone(),
            source,
        })?;
    if !output.status.success() {
        return Err(SbomToolError::GoVersion {
            command: args.go.clone(),
            status: output.status.to_string(),
            stderr: String::from_utf8_lossy(&output.stderr).trim().to_string(),
        });
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let go_sum = match &args.go_sum {
        Some(p) => match fs::read_to_string(p) {
            Ok(t) => Some(t),
            // A module without dependencies has no go.sum.
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(io_err(p)(e)),
        },
        None => None,
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    let input = input_from(&args, &text, &stderr, digest_file, go_sum)?;
    let bytes = spdx::document(&input)?;
    if let Some(dir) = args.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(io_err(dir))?;
    }
    fs::write(&args.out, bytes).map_err(io_err(&args.out))?;
    tracing::info!(
        out = %args.out.display(),
        binaries = input.binaries.len(),
        "wrote the SPDX document"
    );
    Ok(())
}

/// `gofront sbom ...`.
pub fn main(args: &[String]) -> ExitCode {
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gofront sbom: {e}");
            ExitCode::from(1)
        }
    }
}
