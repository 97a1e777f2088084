//! The frontend's whole job, written once against a [`Host`]: read the spec
//! and the project files, parse, plan, lower and marshal. The gateway is one
//! host (BuildKit over gRPC); `gofront llb` is another (the local disk).
//!
//! Invariant: no I/O of its own; everything outside comes through `Host`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use thiserror::Error;

use crate::llb::SourceRange;
use crate::options::{Options, Platform};
use crate::plan::{self, Heads, ImageConfig, PlanError, PlanInputs, ProjectFiles, Scan};
use crate::proto::pb;
use crate::report::{self, ProjectReport, Report, SourceMap, SpecReport, Warning};
use crate::spec::{self, Origin, SpecError};

/// The most gofront reads of any one file (the spec, go.mod, go.work,
/// .dockerignore, ...): hosts read at most one byte more, and a file
/// longer than this is refused.
pub const MAX_FILE_BYTES: usize = 4 << 20;

/// Files read from the build context before planning.
pub const PROJECT_FILES: [&str; 4] = ["go.mod", "go.work", "vendor/modules.txt", ".dockerignore"];

/// What the frontend needs from its environment.
#[allow(async_fn_in_trait)] // used with concrete hosts only, never as dyn
pub trait Host {
    /// The spec file's bytes.
    async fn read_spec(&self, options: &Options) -> Result<Vec<u8>, HostError>;
    /// Reads files of the build context; missing files are left out.
    async fn read_context(
        &self,
        options: &Options,
        paths: &[String],
    ) -> Result<BTreeMap<String, Vec<u8>>, HostError>;
    /// The start (`scan.head_bytes`) of the regular files of the build
    /// context `scan` selects, those [`Scan::pick`] picks, listing at most
    /// `scan.max_dirs` directories: never the whole context.
    async fn read_heads(&self, options: &Options, scan: &Scan) -> Result<Heads, HostError>;
    /// An image's digest and config JSON, or `None` when the host cannot
    /// resolve images.
    async fn resolve_image(
        &self,
        reference: &str,
        platform: &Platform,
        options: &Options,
    ) -> Result<Option<Resolved>, HostError>;
    /// The facts of this host and build, handed over once.
    async fn facts(&self, options: &Options) -> HostFacts;
}

/// What a host knows before anything is read: plain facts, no I/O.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostFacts {
    /// The platform builder steps run on.
    pub build_platform: Platform,
    /// The platforms the builder can execute (emulated ones included);
    /// empty when unknown.
    pub runnable_platforms: Vec<Platform>,
    /// Whether the engine supports MergeOp.
    pub merge_supported: bool,
    /// The session id local sources use.
    pub session_id: String,
    /// Now, in seconds since the epoch.
    pub now: i64,
    /// gofront's own image (a reference BuildKit can load), which holds the
    /// Go build cache tool; `None` when the host cannot tell.
    pub tool_image: Option<String>,
}

/// An image as the engine resolved it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// Manifest digest (`sha256:...`), empty when the engine has none.
    pub digest: String,
    /// The image config JSON.
    pub config: Vec<u8>,
}

/// Why a [`Host`] (or the gateway around it) failed. Errors from BuildKit
/// keep the gRPC status code beside its message, for logs and tests; what
/// the user reads is the message with what gofront was doing.
#[derive(Debug, Error)]
pub enum HostError {
    /// A file the build needs is not in the build context.
    #[error("{path} not found in the build context")]
    NotFound {
        /// The path inside the context.
        path: String,
    },
    /// BuildKit could not read a file of a solved ref.
    #[error("cannot read {path} from BuildKit: {message}")]
    ReadFile {
        /// The path inside the ref.
        path: String,
        /// The gRPC status code.
        code: tonic::Code,
        /// BuildKit's message.
        message: String,
    },
    /// BuildKit could not list a directory of a solved ref.
    #[error("cannot list {path} from BuildKit: {message}")]
    ReadDir {
        /// The directory inside the ref.
        path: String,
        /// The gRPC status code.
        code: tonic::Code,
        /// BuildKit's message.
        message: String,
    },
    /// BuildKit could not resolve an image's config.
    #[error("cannot resolve image {reference}: {message}")]
    ResolveImage {
        /// The image reference.
        reference: String,
        /// The gRPC status code.
        code: tonic::Code,
        /// BuildKit's message.
        message: String,
    },
    /// A solve failed: BuildKit's own sentence says what.
    #[error("{message}")]
    Solve {
        /// The gRPC status code.
        code: tonic::Code,
        /// BuildKit's message.
        message: String,
    },
    /// BuildKit did not answer `Ping`.
    #[error("BuildKit did not answer Ping: {message}")]
    Ping {
        /// The gRPC status code.
        code: tonic::Code,
        /// BuildKit's message.
        message: String,
    },
    /// The engine lacks capabilities gofront's requests use.
    #[error(
        "this BuildKit lacks {kind} capabilities {}; gofront needs BuildKit 0.12 or newer (Docker 24+)",
        .missing.join(", ")
    )]
    MissingCaps {
        /// `gateway` or `LLB`.
        kind: &'static str,
        /// The capability ids, sorted.
        missing: Vec<String>,
    },
    /// A task reading files in parallel did not finish.
    #[error("reading project files failed: {0}")]
    Task(#[from] tokio::task::JoinError),
    /// The local disk refuses a file (`gofront llb`): a missing context, a
    /// special file, a link that leaves the context; the sentence says which.
    #[error("{0}")]
    Refused(String),
    /// The local disk (`gofront llb`).
    #[error("cannot read {}: {source}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// Why the frontend could not produce a definition.
#[derive(Debug, Error)]
pub enum FrontendError {
    /// Planning failed (spec, go.mod, options, images).
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// The spec file is not UTF-8.
    #[error("{0} is not UTF-8 text")]
    NotText(String),
    /// A file is longer than gofront reads.
    #[error("{0} is larger than {max} MiB, the most gofront reads of a spec or project file", max = MAX_FILE_BYTES >> 20)]
    TooLarge(String),
    /// The host failed (BuildKit or the disk).
    #[error(transparent)]
    Host(#[from] HostError),
    /// A bug in gofront: a plan broke an invariant.
    #[error(transparent)]
    Lower(#[from] crate::lower::LowerError),
    /// The image config could not be serialised.
    #[error("internal error in gofront: cannot serialise the image config: {0}")]
    ImageConfigJson(String),
    /// A binary of the image could not be read for its SBOM (`--sbom`).
    #[error("cannot write the SBOM: {0}")]
    Sbom(#[from] crate::sbom::binary::BinaryError),
    /// The digests `gofront keep` wrote beside the binaries are unreadable.
    #[error("cannot write the SBOM: {0} (written by gofront keep in the go build's output)")]
    SbomSums(#[from] crate::sbom::sums::SumsError),
    /// Those digests lack a binary of the image.
    #[error(
        "cannot write the SBOM: gofront keep wrote no digests of {name} in the go build's output"
    )]
    SbomNoSums { name: String },
    /// The SBOM document could not be serialised.
    #[error("internal error in gofront: cannot serialise the SBOM: {0}")]
    SbomJson(String),
    /// `go test` failed: the summary its report recorded.
    #[error("go test failed{platform}: {summary} (--target test-report exports the report)")]
    TestsFailed {
        /// ` for linux/arm64` in a multi-platform build, else empty.
        platform: String,
        /// The report's one sentence.
        summary: String,
    },
    /// The test step left no report where the plan says it writes one.
    #[error("internal error in gofront: the test step wrote no report at {0}")]
    NoTestReport(String),
}

impl From<SpecError> for FrontendError {
    fn from(e: SpecError) -> Self {
        FrontendError::Plan(PlanError::Spec(e))
    }
}

impl FrontendError {
    /// The spec location at fault, if the error has one: lines for
    /// BuildKit's source-location error detail.
    pub fn spec_location(&self) -> Option<(&SpecError, SourceRange)> {
        let FrontendError::Plan(PlanError::Spec(e)) = self else {
            return None;
        };
        e.problems.iter().find_map(|p| match &p.origin {
            Origin::File(r) => {
                let start = spec::line_col(&e.text, r.start).line as u32;
                let end = spec::line_col(&e.text, r.end.max(r.start)).line as u32;
                Some((e, SourceRange { start, end }))
            }
            _ => None,
        })
    }
}

/// A file and the lines of it an error is about, for BuildKit's
/// source-location detail (`errdefs.Source`): buildx prints those lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceLocation {
    /// The file's name as the user knows it.
    pub file: String,
    /// Its text.
    pub data: Vec<u8>,
    /// Its language, for BuildKit's `SourceInfo`.
    pub language: String,
    /// The lines at fault.
    pub range: SourceRange,
}

impl FrontendError {
    /// The spec or project file line at fault, if the error has one.
    pub fn source_location(&self) -> Option<SourceLocation> {
        if let Some((e, range)) = self.spec_location() {
            return Some(SourceLocation {
                file: e.file.clone(),
                data: e.text.clone().into_bytes(),
                language: e.language.as_str().to_string(),
                range,
            });
        }
        let FrontendError::Plan(p) = self else {
            return None;
        };
        let (file, text, line) = p.file_line()?;
        let line = u32::try_from(line).ok().filter(|l| *l > 0)?;
        let language = if file.ends_with("go.work") {
            "go.work"
        } else if file.ends_with("go.mod") {
            "go.mod"
        } else {
            ""
        };
        Some(SourceLocation {
            file: file.to_string(),
            data: text.as_bytes().to_vec(),
            language: language.to_string(),
            range: SourceRange {
                start: line,
                end: line,
            },
        })
    }
}

/// What the frontend hands back to BuildKit: one build per target
/// platform, each planned and lowered on its own (the core stays
/// single-platform; BuildKit shares every identical vertex).
#[derive(Debug, Clone)]
pub struct Generated {
    /// In `--platform` order.
    pub builds: Vec<PlatformBuild>,
    /// Return a map of per-platform results (several platforms, or
    /// `multi-platform=true`), rather than one result.
    pub multi_platform: bool,
}

/// One target platform's build.
#[derive(Debug, Clone)]
pub struct PlatformBuild {
    /// The target platform.
    pub platform: Platform,
    /// The LLB.
    pub definition: pb::Definition,
    /// `containerimage.config`, for the image and gocache targets.
    pub image_config: Option<Vec<u8>>,
    /// The go build's output, for `--sbom` to read the binaries from.
    pub built: Option<pb::Definition>,
    /// The plan it came from.
    pub plan: plan::Plan,
}

/// A file as text: refused when too long or not UTF-8.
fn text(name: &str, bytes: Vec<u8>) -> Result<String, FrontendError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(FrontendError::TooLarge(name.to_string()));
    }
    String::from_utf8(bytes).map_err(|_| FrontendError::NotText(name.to_string()))
}

/// The spec file as read: refused when too long or not UTF-8.
pub fn source_map(file: &str, bytes: Vec<u8>) -> Result<SourceMap, FrontendError> {
    Ok(SourceMap::new(file, &text(file, bytes)?))
}

fn config(
    reference: &str,
    resolved: Option<Resolved>,
) -> Result<Option<ImageConfig>, FrontendError> {
    resolved
        .map(|r| {
            let mut cfg = ImageConfig::from_json(&r.config).map_err(|e| {
                FrontendError::Plan(PlanError::ImageConfig {
                    image: reference.to_string(),
                    message: e.to_string(),
                })
            })?;
            cfg.digest = (!r.digest.is_empty()).then_some(r.digest);
            Ok(cfg)
        })
        .transpose()
}

/// Why [`generate`] stopped, and what it knew by then (for `--call
/// check`, which reports the warnings beside the error).
#[derive(Debug)]
pub struct Failure {
    /// What stopped it.
    pub error: FrontendError,
    /// The spec file, when it could be read.
    pub source: Option<SourceMap>,
    /// The project, when it could be read.
    pub project: Option<ProjectReport>,
    /// The warnings of what was known.
    pub warnings: Vec<Warning>,
}

/// What a run knew when it stopped.
#[derive(Default)]
struct Known {
    source: Option<SourceMap>,
    spec: Option<spec::Spec>,
    project: Option<ProjectReport>,
}

/// Reads the spec file: what `--call outline|targets` need, and the
/// first part of every [`Report`].
pub async fn read_spec(host: &impl Host, options: &Options) -> Result<SpecReport, FrontendError> {
    let source = source_map(&options.filename, host.read_spec(options).await?)?;
    let spec = spec::parse(&source.file, &source.text, &options.build_args)?;
    Ok(SpecReport { source, spec })
}

/// Runs the whole frontend against `host`: the [`Report`], or why not.
pub async fn generate(host: &impl Host, options: &Options) -> Result<Report, Box<Failure>> {
    let mut known = Known::default();
    match run(host, options, &mut known).await {
        Ok(report) => Ok(report),
        Err(error) => {
            let warnings = match &known.source {
                Some(source) => report::warnings(
                    options,
                    source,
                    known.spec.as_ref(),
                    known.project.as_ref(),
                    None,
                    None,
                ),
                None => Vec::new(),
            };
            Err(Box::new(Failure {
                error,
                source: known.source,
                project: known.project,
                warnings,
            }))
        }
    }
}

/// The spec and the binary targets of the spec and project `host` holds,
/// each with its package (`--call targets`, `--call outline` of one): the
/// spec and the project files are read, no image is resolved.
pub async fn binary_targets(
    host: &impl Host,
    options: &Options,
) -> Result<(SpecReport, Vec<(String, String)>), FrontendError> {
    let read = read_inputs(host, options, &mut Known::default()).await?;
    let targets = plan::binary_targets(&read.spec, &read.project.layout);
    Ok((
        SpecReport {
            source: read.source,
            spec: read.spec,
        },
        targets,
    ))
}

/// What [`read_inputs`] reads.
struct Inputs {
    source: SourceMap,
    spec: spec::Spec,
    project: ProjectReport,
    facts: HostFacts,
}

/// Reads the spec and the project files (each also kept in `known` as soon
/// as it is known, for the warnings of a build that stops later), and the
/// host's facts.
async fn read_inputs(
    host: &impl Host,
    options: &Options,
    known: &mut Known,
) -> Result<Inputs, FrontendError> {
    // The spec and the project files come from different locals: fetch
    // both at once (each is a round trip to the client's session).
    let first: Vec<String> = PROJECT_FILES.iter().map(|s| s.to_string()).collect();
    let (spec_bytes, found, facts) = tokio::join!(
        host.read_spec(options),
        host.read_context(options, &first),
        host.facts(options)
    );
    // What is known is kept as it becomes known (a copy), for the
    // warnings of a build that stops later.
    let source = source_map(&options.filename, spec_bytes?)?;
    known.source = Some(source.clone());
    let spec = spec::parse(&source.file, &source.text, &options.build_args)?;
    known.spec = Some(spec.clone());

    let mut found = found?;
    // Only its presence counts, whatever its length.
    let mut files = ProjectFiles {
        vendored: found.contains_key("vendor/modules.txt"),
        ..ProjectFiles::default()
    };
    if let Some(b) = found.remove("go.mod") {
        files.go_mod = Some(text("go.mod", b)?);
    }
    if let Some(b) = found.remove("go.work") {
        files.go_work = Some(text("go.work", b)?);
    }
    if let Some(b) = found.remove(".dockerignore") {
        files.dockerignore = Some(text(".dockerignore", b)?);
    }
    // Each workspace member's go.mod; and without build.packages, the start
    // of the Go files where main packages are (the module root and cmd/*,
    // each member's): both at once.
    let dirs = match &files.go_work {
        Some(work) => plan::module_dirs_to_read(work)?,
        None => Vec::new(),
    };
    let paths: Vec<String> = dirs.iter().map(|d| format!("{d}/go.mod")).collect();
    // The test target builds no binary.
    let scan = match (&spec.build.packages, options.target) {
        (Some(_), _) => None,
        (None, t) if t.runs_tests() => None,
        (None, _) => Some(plan::mains_scan(&files)?),
    };
    let (members, heads) = tokio::join!(host.read_context(options, &paths), async {
        match &scan {
            Some(scan) => host.read_heads(options, scan).await.map(Some),
            None => Ok(None),
        }
    });
    let members = members?;
    for dir in dirs {
        let name = format!("{dir}/go.mod");
        if let Some(b) = members.get(&name) {
            files.member_go_mods.insert(dir, text(&name, b.clone())?);
        }
    }
    files.heads = heads?;
    let project = ProjectReport {
        layout: plan::layout(&files)?,
        dockerignore: files.dockerignore.clone(),
    };
    known.project = Some(project.clone());
    if let Some(ignore) = &project.dockerignore {
        plan::check_dockerignore(ignore, &project.layout)?;
    }
    Ok(Inputs {
        source,
        spec,
        project,
        facts,
    })
}

async fn run(
    host: &impl Host,
    options: &Options,
    known: &mut Known,
) -> Result<Report, FrontendError> {
    let Inputs {
        source,
        spec,
        project,
        facts,
    } = read_inputs(host, options, known).await?;

    // Only the images the target needs: `--target binaries` for windows
    // never touches a (Linux) runtime base.
    let refs = plan::image_refs(&spec, &project.layout, options.binary_target.as_deref());
    let build_platform = facts.build_platform.clone();
    let targets = options.target_platforms(&build_platform);
    // Before any image is resolved for it: a platform Go cannot build for
    // (or an image for Windows) gets gofront's sentence, not a registry's.
    let runnable = &facts.runnable_platforms;
    for p in &targets {
        plan::platforms::check(p, options.target, runnable)?;
    }
    // The builder once (it runs on the build platform), the runtime base
    // once per target platform: all at once, each is a round trip.
    let runtime_ref = refs.runtime_for(options.target);
    let runtime_resolves = targets.iter().map(|p| async move {
        match runtime_ref {
            Some(r) => host.resolve_image(r, p, options).await,
            None => Ok(None),
        }
    });
    let (builder_bytes, runtime_bytes) = tokio::join!(
        host.resolve_image(&refs.builder, &build_platform, options),
        futures_util::future::join_all(runtime_resolves)
    );
    let builder_config = config(&refs.builder, builder_bytes?)?;

    let mut plans = Vec::with_capacity(targets.len());
    for (target_platform, runtime_bytes) in targets.into_iter().zip(runtime_bytes) {
        let runtime_config = match runtime_ref {
            Some(r) => config(r, runtime_bytes?)?,
            None => None,
        };
        plans.push(plan::resolve(&PlanInputs {
            spec: &spec,
            spec_file: &source.file,
            spec_text: &source.text,
            project: &project.layout,
            dockerignore: project.dockerignore.as_deref(),
            options,
            build_platform: build_platform.clone(),
            target_platform,
            runnable_platforms: runnable,
            builder_config: builder_config.as_ref(),
            runtime_config: runtime_config.as_ref(),
            session_id: &facts.session_id,
            merge_supported: facts.merge_supported,
            now: facts.now,
            tool_image: facts.tool_image.as_deref(),
        })?);
    }
    let downloads = plans.first().map(|p| p.download.is_some());
    let builder_go = builder_config
        .as_ref()
        .and_then(|c| c.env_var("GOLANG_VERSION"))
        .and_then(|v| crate::gomod::GoVersion::parse(&v));
    let warnings = report::warnings(
        options,
        &source,
        Some(&spec),
        Some(&project),
        downloads,
        builder_go.as_ref(),
    );
    Ok(Report {
        spec: SpecReport { source, spec },
        project,
        warnings,
        plans,
        multi_platform: options.multi_platform_result(),
    })
}

/// The LLB of every plan of `report`: what the gateway solves.
pub fn lower_all(report: &Report) -> Result<Generated, FrontendError> {
    let source = report.spec.source.to_llb();
    let mut builds = Vec::with_capacity(report.plans.len());
    for plan in &report.plans {
        let lowered = crate::lower::lower(plan)?;
        builds.push(PlatformBuild {
            platform: plan.target_platform.clone(),
            definition: lowered.state.marshal(Some(&source)),
            image_config: lowered
                .image_config
                .map(|c| serde_json::to_vec(&c))
                .transpose()
                .map_err(|e| FrontendError::ImageConfigJson(e.to_string()))?,
            built: lowered.built.map(|s| s.marshal(Some(&source))),
            plan: plan.clone(),
        });
    }
    Ok(Generated {
        builds,
        multi_platform: report.multi_platform,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_of_exactly_the_limit_is_read_and_one_byte_more_is_refused() {
        let at_limit = text("go.mod", vec![b'a'; MAX_FILE_BYTES]);
        assert_eq!(at_limit.map(|t| t.len()).ok(), Some(MAX_FILE_BYTES));
        let over = text("go.mod", vec![b'a'; MAX_FILE_BYTES + 1]);
        assert!(matches!(over, Err(FrontendError::TooLarge(name)) if name == "go.mod"));
    }

    fn go_file_error(line: usize) -> FrontendError {
        FrontendError::Plan(PlanError::GoFile {
            file: "go.mod".to_string(),
            line,
            message: "bad".to_string(),
            text: "module x\n".to_string(),
        })
    }

    #[test]
    fn a_project_file_error_points_at_its_line_and_line_zero_at_none() {
        let at = go_file_error(1).source_location();
        let range = at.as_ref().map(|l| (l.range.start, l.range.end));
        assert_eq!(range, Some((1, 1)));
        assert_eq!(at.map(|l| l.language), Some("go.mod".to_string()));
        assert!(go_file_error(0).source_location().is_none());
    }
}
