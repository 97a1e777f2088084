//! The plan: everything needed to emit LLB, decided, as plain data
//! (serialisable, for the report).

use serde::Serialize;

use super::image::{ImageConfig, RuntimeConfig};
use super::project::Project;
use crate::cachetool::{Invocation, KeepArgs};
use crate::llb::SourceRange;
use crate::platform::{Platform, ResolveMode};
use crate::target::Target;

/// Fixed paths inside the build containers.
pub mod paths {
    /// Where the build context is mounted.
    pub const SRC: &str = "/src";
    /// GOCACHE (a cache mount).
    pub const GOCACHE: &str = "/gofront/cache/go-build";
    /// Where `go mod download` writes its layer.
    pub const DOWNLOAD: &str = "/gofront/dl";
    /// The module cache inside the download layer.
    pub const DOWNLOAD_MODCACHE: &str = "/gofront/dl/mod";
    /// Path of the module cache inside the download step's output.
    pub const MODCACHE_SELECTOR: &str = "/dir/mod";
    /// Where the build step sees the module cache (read-only).
    pub const MODCACHE: &str = "/gofront/mod";
    /// Where binaries are written.
    pub const OUT: &str = "/gofront/out";
    /// Where `go build` links them first (`gofront keep`, a cache mount),
    /// so a binary already linked there is not linked again.
    pub const KEEP: &str = "/gofront/keep";
    /// Where ko's convention puts a main package's `kodata/` in the image
    /// (`KO_DATA_PATH`).
    pub const KODATA: &str = "/var/run/ko";
    /// The directory of a main package whose files ko copies.
    pub const KODATA_DIR: &str = "kodata";
    /// Directory of the cache-ownership base, selected into cache mounts.
    pub const OWNED_DIR: &str = "/dir";
    /// Where gofront's own image is mounted in steps that run its cache tool.
    pub const TOOL_DIR: &str = "/gofront/bin";
    /// The gofront binary inside that mount.
    pub const TOOL: &str = "/gofront/bin/gofront";
    /// Where the Go build cache seed (`--build-context gocache=...`) is mounted.
    pub const SEED: &str = "/gofront/seed";
    /// The module download cache inside a seed (`GOFRONT_GOCACHE_MODULES`).
    pub const SEED_MODULES: &str = "/gofront/seed/modules";
    /// Where the build's output is mounted in the export step, which must
    /// run after the build (and again whenever its output changes).
    pub const BUILT: &str = "/gofront/built";
    /// Where the export step writes the cache entries.
    pub const EXPORT: &str = "/gofront/export";
    /// The list of the Go cache entries a seeded Go step used (`gofront
    /// gocache prog --used`), in its own output beside the binaries:
    /// BuildKit caches only the output a build asks for, so a list in an
    /// output of its own would make the export run the step again.
    pub const USED_LIST: &str = "/gofront/out/.gofront-used";
    /// The used list's file name in a Go step's output directory.
    pub const USED_FILE: &str = ".gofront-used";
    /// Where the export step sees the test step's output.
    pub const TESTED: &str = "/gofront/tested";
    /// Where `gofront testreport` writes the test step's report, in its
    /// output.
    pub const REPORT: &str = "/gofront/out/report";
    /// The report directory in the test step's output state.
    pub const REPORT_IN_OUTPUT: &str = "/dir/report";
    /// Go's module download cache (`$GOMODCACHE/cache/download`) kept
    /// across go.mod changes: a cache mount the download step reads as a
    /// `file://` proxy before the real one.
    pub const MODDL: &str = "/gofront/moddl";
    /// Where secrets are mounted, one file per id (as a Dockerfile's
    /// `RUN --mount=type=secret` does).
    pub const SECRETS: &str = "/run/secrets";
    /// SSH agent sockets, `.0`, `.1`, ... (as a Dockerfile's
    /// `RUN --mount=type=ssh` does).
    pub const SSH_AGENT: &str = "/run/buildkit/ssh_agent";
    /// The secret id whose file Go reads credentials from (`NETRC`).
    pub const NETRC_SECRET: &str = "netrc";
}

/// Everything a plan is made from.
#[derive(Debug, Clone)]
pub struct PlanInputs<'a> {
    /// The parsed spec.
    pub spec: &'a crate::spec::Spec,
    /// The spec's file name and text, for located errors and source maps.
    pub spec_file: &'a str,
    /// The spec's text.
    pub spec_text: &'a str,
    /// The analysed project.
    pub project: &'a Project,
    /// `.dockerignore` text, if any.
    pub dockerignore: Option<&'a str>,
    /// The options.
    pub options: &'a crate::options::Options,
    /// The platform the builder runs on (the worker's).
    pub build_platform: Platform,
    /// The platform this plan builds for (one of `--platform`'s list).
    pub target_platform: Platform,
    /// The platforms the builder can execute (the worker's, emulated ones
    /// included); empty when unknown.
    pub runnable_platforms: &'a [Platform],
    /// The builder image's config, if it could be resolved.
    pub builder_config: Option<&'a ImageConfig>,
    /// The runtime base image's config (`None` for scratch or unresolved).
    pub runtime_config: Option<&'a ImageConfig>,
    /// The build session id, for local sources.
    pub session_id: &'a str,
    /// Whether the engine supports `MergeOp`.
    pub merge_supported: bool,
    /// Seconds since the epoch for `created` when SOURCE_DATE_EPOCH is unset.
    pub now: i64,
    /// gofront's own image, which holds the Go build cache tool.
    pub tool_image: Option<&'a str>,
}

/// Who owns the cache directories: the builder image's user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Owner {
    /// Numeric uid and gid.
    Ids(u32, u32),
    /// A user name (and optional group name) from the builder's /etc/passwd.
    Names(String, Option<String>),
}

/// A secret or an SSH agent socket mounted into the download step, owned
/// by the step's user: a user known only by name gets modes anyone in the
/// step may use (BuildKit needs numbers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IdMount {
    /// The id the client passed (`--secret id=...`, `--ssh id`).
    pub id: String,
    /// Where it is mounted.
    pub dest: String,
    /// Owner uid.
    pub uid: u32,
    /// Owner gid.
    pub gid: u32,
    /// File mode.
    pub mode: u32,
}

/// An image a step runs from or builds on, decided: the reference the LLB
/// names (pinned to the digest the frontend resolved, so BuildKit need not
/// resolve it again) and how the engine finds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImageSource {
    /// The image as named (for progress names).
    pub name: String,
    /// What the source op names: `name@digest` when resolved.
    pub reference: String,
    /// How the engine finds it.
    #[serde(serialize_with = "ser::resolve_mode")]
    pub resolve_mode: ResolveMode,
}

/// A named build context as a source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ContextState {
    /// A directory of the client, synced as the local of this name.
    Local(String),
    /// An image.
    Image(ImageSource),
    /// An image in an OCI layout the client holds.
    OciLayout {
        /// The client-side store (`oci.store`).
        store: String,
        /// The layout's manifest digest.
        digest: String,
    },
}

/// A directory of another build context mounted into the download step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContextMount {
    /// The context's name (`--build-context NAME=...`).
    pub name: String,
    /// Where it is mounted.
    pub dest: String,
    /// What it is.
    pub source: ContextState,
}

/// The module download cache the download step keeps (gofront's tool runs
/// the download against it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModuleCache {
    /// The cache mount id.
    pub id: String,
    /// gofront's own image, mounted at `paths::TOOL_DIR`.
    pub tool: ImageSource,
    /// The Go build cache seed, mounted at `paths::SEED`, whose modules
    /// the tool merges first (`GOFRONT_GOCACHE_MODULES` with a seed).
    pub seed: Option<ContextState>,
}

/// The `go mod download` step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DownloadPlan {
    /// go.mod/go.sum/go.work paths to transfer (include patterns).
    pub files: Vec<String>,
    /// argv.
    pub args: Vec<String>,
    /// Full environment.
    pub env: Vec<String>,
    /// Its network.
    #[serde(serialize_with = "ser::network")]
    pub network: crate::spec::Network,
    /// BuildKit secrets mounted as files.
    pub secrets: Vec<IdMount>,
    /// SSH agent sockets forwarded.
    pub ssh: Vec<IdMount>,
    /// Proxy settings from the standard proxy build args (the names set).
    #[serde(serialize_with = "ser::proxies")]
    pub proxy: Option<crate::options::Proxies>,
    /// Extra read-only mounts of named contexts.
    pub contexts: Vec<ContextMount>,
    /// The module download cache, when the download step keeps one.
    pub module_cache: Option<ModuleCache>,
    /// Spec lines of `[download]`.
    pub location: Option<Vec<SourceRange>>,
}

/// A Go step (`go build`, `go test`, the Go build cache export): its
/// command, environment and every mount, decided. `lower` maps each mount
/// to an LLB mount and `explain` to a `RUN --mount` flag or a comment, one
/// to one: neither decides what a step sees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GoStep {
    /// What it runs: Go's argv inside gofront's tool wrappers.
    #[serde(rename = "args", serialize_with = "ser::command")]
    pub command: Command,
    /// Full environment.
    pub env: Vec<String>,
    /// Progress name.
    pub name: String,
    /// Spec lines of the section.
    pub location: Option<Vec<SourceRange>>,
    /// Every mount, in the order `explain` writes them (LLB sorts them).
    pub mounts: Vec<StepMount>,
}

impl GoStep {
    /// The mount the step's result is read from.
    pub fn output(&self) -> Option<&StepMount> {
        self.mounts
            .iter()
            .find(|m| matches!(m.source, MountSource::Output(_)))
    }

    /// The step's `gofront keep` wrapper, when the build links into a kept
    /// directory.
    pub fn keep(&self) -> Option<&KeepArgs> {
        self.command.tools.iter().find_map(|t| match t {
            Invocation::Keep(k) => Some(k),
            _ => None,
        })
    }
}

/// A step's command: Go's argv, run by gofront's tools, outermost first.
/// A tool's own `command` is left empty here: [`Command::argv`] fills it
/// with the command it wraps, so the argv is written in one place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// gofront's tools the command runs through, outermost first.
    pub tools: Vec<Invocation>,
    /// Go's own argv (`go build ...`).
    pub go: Vec<String>,
}

impl Command {
    /// Go's argv, run through no tool.
    pub fn go(argv: Vec<String>) -> Self {
        Command {
            tools: Vec::new(),
            go: argv,
        }
    }

    /// The command, run by `tool` first.
    pub fn through(mut self, tool: Invocation) -> Self {
        self.tools.insert(0, tool);
        self
    }

    /// The step's argv: each tool wraps the command inside it.
    pub fn argv(&self) -> Vec<String> {
        self.tools
            .iter()
            .rev()
            .fold(self.go.clone(), |inner, tool| {
                tool.clone().with_command(inner).to_argv(paths::TOOL)
            })
    }
}

/// One mount of a Go step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepMount {
    /// Where it is mounted.
    pub target: String,
    /// What it holds.
    pub source: MountSource,
}

/// How a cache mount is shared between steps that run at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sharing {
    /// Any number at once (Go's build cache is safe for that).
    Shared,
    /// One step at a time.
    Locked,
}

/// What a Go step's output directory starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputBase {
    /// The directory owned by the builder's user (`paths::OWNED_DIR` of the
    /// cache-ownership base), which a non-root builder can write.
    Owned,
    /// An empty layer (a root builder writes anywhere).
    Empty,
}

/// Another step of the same plan whose output a step reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StepRef {
    /// The target's `go build` step.
    Build,
    /// The target's `go test` step.
    Test,
}

/// What a mount of a Go step holds, and how the step may change it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MountSource {
    /// The builder image, read-only: the step's root.
    Builder,
    /// A tmpfs (scratch space on a read-only root).
    Tmpfs,
    /// The build context, read-only, or writable with its changes thrown
    /// away (`throwaway`: a step that changes file times).
    Context {
        /// Writable, the changes thrown away.
        throwaway: bool,
        /// Patterns of the context the step does not see, besides
        /// `.dockerignore`'s: the files only the runtime image copies (their
        /// edits then run no Go step), Go's own files excepted.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        exclude: Vec<String>,
    },
    /// The module cache in the download step's layer, read-only.
    Modules,
    /// A cache mount based on the owned directory (so owned by the
    /// builder's user).
    Cache {
        /// Its id.
        id: String,
        /// How it is shared.
        sharing: Sharing,
    },
    /// gofront's own image, read-only, for its tools.
    Tool(ImageSource),
    /// The Go build cache seed (`--build-context gocache=...`), read-only.
    Seed(ContextState),
    /// Another step's output, read-only.
    Step(StepRef),
    /// The step's output.
    Output(OutputBase),
}

/// How a binaries target takes its files from the go build's output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Collect {
    /// The whole output directory (it holds only the binaries).
    Whole,
    /// These files by name (the output also holds gofront's own files).
    Named(Vec<String>),
}

/// The Go build cache seed (`--build-context gocache=...`), merged into
/// GOCACHE by gofront's tool before each Go step (whose argv it wraps).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Seed {
    /// The seed, mounted at `paths::SEED`.
    pub source: ContextState,
    /// gofront's own image, mounted at `paths::TOOL_DIR`.
    pub tool: ImageSource,
}

/// The export step of `--target gocache`: the tool runs `go list -export
/// -deps` for the build's packages and copies the cache entries they use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportPlan {
    /// The step (its output is the export).
    pub step: GoStep,
    /// The image config of the `gocache` target, for `--output type=image`.
    pub image_config: serde_json::Value,
}

/// One binary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Binary {
    /// Package pattern, e.g. `./cmd/server`.
    pub package: String,
    /// File name.
    pub name: String,
}

/// A binary in the runtime image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImageBinary {
    /// The binary.
    #[serde(flatten)]
    pub binary: Binary,
    /// Its absolute path in the image (`runtime.bindir`, `runtime.binaries`).
    pub path: String,
}

/// The directory every binary is in under its own name, when they
/// share one (`/usr/local/bin/`, with its slash).
pub fn binaries_dir(binaries: &[ImageBinary]) -> Option<&str> {
    let first = binaries.first()?;
    let dir = first.path.strip_suffix(&first.binary.name)?;
    binaries
        .iter()
        .all(|b| b.path.strip_suffix(&b.binary.name) == Some(dir))
        .then_some(dir)
}

/// A user or a group of the runtime image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum IdOrName {
    /// A number.
    Id(u32),
    /// A name, looked up in the base's `/etc/passwd` or `/etc/group`.
    Name(String),
}

/// Who owns a file or directory gofront puts in the runtime image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileOwner {
    /// The user.
    pub user: IdOrName,
    /// The group; `None`: the user's (its primary group for a name, the
    /// same number for a number), as BuildKit resolves it.
    pub group: Option<IdOrName>,
}

impl FileOwner {
    /// Root, as the binaries are owned.
    pub fn root() -> FileOwner {
        FileOwner {
            user: IdOrName::Id(0),
            group: Some(IdOrName::Id(0)),
        }
    }

    /// Whether a name must be looked up in the base.
    pub fn has_names(&self) -> bool {
        matches!(self.user, IdOrName::Name(_)) || matches!(self.group, Some(IdOrName::Name(_)))
    }
}

/// `user[:group]` as `--chown` writes it.
impl std::fmt::Display for FileOwner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let part = |p: &IdOrName| match p {
            IdOrName::Id(n) => n.to_string(),
            IdOrName::Name(s) => s.clone(),
        };
        f.write_str(&part(&self.user))?;
        if let Some(g) = &self.group {
            write!(f, ":{}", part(g))?;
        }
        Ok(())
    }
}

/// Files of the build context copied into the runtime image: a local
/// source that transfers only them, so the layer's cache key is theirs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CopyLayer {
    /// The context's path (a file, a directory or a glob) relative to
    /// its root; `.` is the whole context.
    pub src: String,
    /// Where it goes: a trailing `/` copies the source into that
    /// directory (a directory's contents), else the source becomes the
    /// path itself.
    pub dest: String,
    /// `src` is a glob.
    pub wildcard: bool,
    /// A source that matches nothing copies nothing (ko's `kodata/`),
    /// rather than failing the build.
    pub optional: bool,
    /// The mode of every file and directory copied; `None` keeps the
    /// source's.
    pub mode: Option<u32>,
    /// Who owns them.
    pub owner: FileOwner,
}

impl CopyLayer {
    /// The path the copy names in its source: `/src`. For an optional
    /// source, the last letter of its first name becomes a one-letter
    /// class (`/cm[d]/kodata`, `/kodat[a]`): a glob, which BuildKit
    /// resolves by listing the source's root, so a missing path (and a
    /// missing parent) copies nothing.
    pub fn source_pattern(&self) -> String {
        if self.src == "." {
            return "/".to_string();
        }
        if !self.optional {
            return format!("/{}", self.src);
        }
        let (first, rest) = match self.src.split_once('/') {
            Some((f, r)) => (f, Some(r)),
            None => (self.src.as_str(), None),
        };
        let mut head = first.to_string();
        let Some(last) = head.pop() else {
            return format!("/{}", self.src);
        };
        match rest {
            Some(r) => format!("/{head}[{last}]/{r}"),
            None => format!("/{head}[{last}]"),
        }
    }
}

/// A directory a layer of the runtime image creates, unless the image
/// has it already (then it is left as it is).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MadeDir {
    /// Its absolute path.
    pub path: String,
    /// Its mode (permission bits).
    pub mode: u32,
    /// Who owns it.
    pub owner: FileOwner,
}

/// A layer of the runtime image besides the binaries': its own op, merged
/// onto the base with MergeOp when the engine has it (so an edit to a
/// copied file changes that layer alone and nothing else runs), else
/// applied onto the image in order.
///
/// It creates its directories one by one, outermost first: the parents of
/// what it copies (root, 0755, unless `runtime.dirs` declares one: then
/// as declared, the same in every layer), and a directory it copies into
/// (with the copy's owner). A MergeOp layer holds each directory above
/// its files, and the layer's own metadata is what the image gets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuntimeLayer {
    /// The directories it creates, outermost first.
    pub dirs: Vec<MadeDir>,
    /// What it copies from the build context, after them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub copy: Option<CopyLayer>,
    /// Progress name.
    pub name: String,
    /// Its line in the image history.
    pub created_by: String,
    /// Spec lines of its entry.
    pub location: Option<Vec<SourceRange>>,
}

/// The runtime image.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuntimePlan {
    /// Base image (`None`: scratch).
    pub base: Option<ImageSource>,
    /// The binaries copied into it, root-owned, each at its path.
    pub binaries: Vec<ImageBinary>,
    /// Files and directories, each a layer of its own under the binaries'.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub layers: Vec<RuntimeLayer>,
    /// The time of the directories gofront creates, in nanoseconds since
    /// the epoch (SOURCE_DATE_EPOCH; `None`: the build's, as BuildKit
    /// sets it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dir_time: Option<i64>,
    /// The binaries become a layer of their own, merged onto the base
    /// (MergeOp), rather than a copy onto it.
    pub merge: bool,
    /// The image config JSON returned as `containerimage.config`.
    pub config: serde_json::Value,
    /// What gofront sets in that config over the base's.
    pub settings: RuntimeConfig,
    /// The base's environment (PATH added when it has none), which
    /// `settings.env` starts from.
    pub base_env: Vec<String>,
    /// Spec lines of `[runtime]`.
    pub location: Option<Vec<SourceRange>>,
}

/// The SBOM of the image target (`--sbom`): after the image is solved,
/// the gateway reads each binary's hashes and build info from it, writes
/// the SPDX document with a file op of its own and attaches that to the
/// platform's result. Nothing is added to the image's LLB, so `--sbom`
/// never changes the image's cache keys, and no container runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SbomPlan {
    /// What goes in the document besides what the binaries say.
    pub document: crate::sbom::DocumentPlan,
    /// Each binary's path in the go build's output, in the order of
    /// `document.binaries`: the gateway reads them there, so that reading
    /// overlaps the runtime image's assembly.
    pub read_from: Vec<String>,
    /// Where `gofront keep` left the binaries' digests in that output
    /// (`sbom::sums`), when the build runs through it: then only their
    /// build info is read from the binaries, not every byte.
    pub sums: Option<String>,
    /// Progress name of the file op.
    pub name: String,
}

/// The report of a test step run through `gofront testreport`: the step
/// exits 0 whenever the tests ran, and the report says how they went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportPlan {
    /// The report directory in the step's output.
    pub dir: String,
    /// `--target test-report`: the report is the result, whatever it says.
    /// Otherwise (`--target test`) the gateway reads the recorded exit
    /// code and fails the build with the summary when the tests failed.
    pub export: bool,
}

/// What the plan returns, with everything that target needs.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
// One plan a target and platform: boxing the large variant saves nothing.
#[allow(clippy::large_enum_variant)]
pub enum TargetPlan {
    /// The runtime image with the binaries.
    Image {
        /// `go build`.
        build: GoStep,
        /// The runtime image.
        runtime: RuntimePlan,
        /// The SBOM step, when gofront writes the SBOM (`--sbom`).
        #[serde(skip_serializing_if = "Option::is_none")]
        sbom: Option<Box<SbomPlan>>,
        /// A binary's own target (`--target api`): its name; the runtime
        /// then holds that binary alone.
        #[serde(skip_serializing_if = "Option::is_none")]
        binary_target: Option<String>,
    },
    /// The binaries alone.
    Binaries {
        /// `go build`.
        build: GoStep,
        /// What it returns.
        binaries: Vec<Binary>,
        /// How the binaries are taken from the build's output.
        collect: Collect,
    },
    /// `go test`, for its exit status, or its report.
    Test {
        /// `go test`.
        test: GoStep,
        /// The report the step writes, when it runs through `gofront
        /// testreport`.
        #[serde(skip_serializing_if = "Option::is_none")]
        report: Option<ReportPlan>,
    },
    /// The Go build cache the build used.
    Gocache {
        /// `go build`, whose cache entries are exported.
        build: GoStep,
        /// `go test`, whose entries (compiled tests, results) are exported
        /// too: seeded, with `GOFRONT_GOCACHE_TESTS=true`. The very step
        /// `--target test` runs, so after it this one is a cache hit.
        #[serde(skip_serializing_if = "Option::is_none")]
        test: Option<GoStep>,
        /// The export step.
        export: ExportPlan,
    },
}

impl TargetPlan {
    /// Which `--target` this is.
    pub fn kind(&self) -> Target {
        match self {
            TargetPlan::Image { .. } => Target::Image,
            TargetPlan::Binaries { .. } => Target::Binaries,
            TargetPlan::Test {
                report: Some(ReportPlan { export: true, .. }),
                ..
            } => Target::TestReport,
            TargetPlan::Test { .. } => Target::Test,
            TargetPlan::Gocache { .. } => Target::Gocache,
        }
    }

    /// The `--target` value that asks for it.
    pub fn name(&self) -> &str {
        match self {
            TargetPlan::Image {
                binary_target: Some(name),
                ..
            } => name,
            _ => self.kind().name(),
        }
    }

    /// The Go step whose output the target uses (`go build`, or `go test`).
    pub fn go_step(&self) -> &GoStep {
        match self {
            TargetPlan::Image { build, .. }
            | TargetPlan::Binaries { build, .. }
            | TargetPlan::Gocache { build, .. } => build,
            TargetPlan::Test { test, .. } => test,
        }
    }
}

/// Everything needed to emit LLB, decided.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    /// What to return.
    pub target: TargetPlan,
    /// Where the builder runs.
    #[serde(serialize_with = "ser::platform")]
    pub build_platform: Platform,
    /// What the binaries are for.
    #[serde(serialize_with = "ser::platform")]
    pub target_platform: Platform,
    /// Build session id.
    pub session_id: String,
    /// `--no-cache`.
    pub no_cache: bool,
    /// The builder image.
    pub builder: ImageSource,
    /// The builder's user for exec steps (empty: root).
    pub builder_user: String,
    /// Whether that user is root (uid 0).
    pub builder_is_root: bool,
    /// The environment the builder image sets (or gofront's fallback PATH),
    /// which every step's `env` starts from.
    pub builder_env: Vec<String>,
    /// The environment of every Go step (the builder's with Go's variables).
    pub go_env: Vec<String>,
    /// Owner of cache directories.
    pub owner: Owner,
    /// The context local's name.
    pub context_local: String,
    /// Exclude patterns for the context (.dockerignore, .git).
    pub context_exclude: Vec<String>,
    /// `go mod download`, unless vendored or nothing to download.
    pub download: Option<DownloadPlan>,
    /// GOCACHE cache mount id.
    pub gocache_id: String,
}

/// Serialisers for the types of other modules a plan holds.
mod ser {
    use serde::Serializer;

    pub fn platform<S: Serializer>(p: &crate::platform::Platform, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(p)
    }

    pub fn resolve_mode<S: Serializer>(
        m: &crate::platform::ResolveMode,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.serialize_str(m.attr())
    }

    /// A command as the argv the step runs.
    pub fn command<S: Serializer>(c: &crate::plan::Command, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(c.argv())
    }

    pub fn network<S: Serializer>(n: &crate::spec::Network, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(n.as_str())
    }

    /// The names of the proxy variables set (their values may hold
    /// credentials).
    pub fn proxies<S: Serializer>(
        p: &Option<crate::options::Proxies>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match p {
            Some(p) => s.collect_seq(p.names()),
            None => s.serialize_none(),
        }
    }
}
