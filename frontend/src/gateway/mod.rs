//! The edge to BuildKit: the `LLBBridge` gRPC client over stdio, options
//! from the environment, capability checks, and `Return`.
//!
//! Invariant: the only async/tonic code; everything it learns goes into the
//! pure pipeline through [`Host`], and everything the user must see goes
//! back through `Return` (an error status with source info) or `Warn`.

mod stdio;
pub mod subrequests;

use std::collections::{BTreeMap, BTreeSet};

use prost::Message;
use tonic::transport::Channel;

use crate::driver::{self, FrontendError, Host, HostError, HostFacts, Resolved};
use crate::llb::{Local, OpMeta, State};
use crate::options::{Options, Platform};
use crate::plan::MODULE_FILES;
use crate::proto::LlbBridgeClient;
use crate::proto::errdefs;
use crate::proto::gateway as gw;
use crate::proto::google::rpc::Status;
use crate::proto::pb;
use crate::report::Warning;

/// Environment variable prefix BuildKit uses for frontend options.
const OPT_PREFIX: &str = "BUILDKIT_FRONTEND_OPT_";
/// BuildKit >= 0.14 accepts 16 MiB messages; older ones 4 MiB.
const MAX_MESSAGE: usize = 16 << 20;
/// Where BuildKit puts the definition of the frontend's own image
/// (frontend/gateway: metadataMount, BuildKit 0.10 and newer).
const FRONTEND_DEF: &str = "/run/config/buildkit/metadata/frontend.bin";
/// Gateway API caps gofront cannot work without.
const REQUIRED_API_CAPS: [&str; 4] = ["solve.base", "resolveimage", "readfile", "return"];

/// gRPC status codes used in `Return`.
mod code {
    pub const UNKNOWN: i32 = 2;
}

/// Options as `key=value` pairs from `BUILDKIT_FRONTEND_OPT_<n>`.
pub fn options_from_env(env: impl IntoIterator<Item = (String, String)>) -> Vec<(String, String)> {
    let mut numbered: Vec<(usize, String, String)> = env
        .into_iter()
        .filter_map(|(k, v)| {
            let n = k.strip_prefix(OPT_PREFIX)?.parse().ok()?;
            let (key, value) = v.split_once('=').unwrap_or((v.as_str(), ""));
            Some((n, key.to_string(), value.to_string()))
        })
        .collect();
    numbered.sort();
    numbered.into_iter().map(|(_, k, v)| (k, v)).collect()
}

/// BuildKit, seen from the frontend.
pub struct GatewayHost {
    client: LlbBridgeClient<Channel>,
    session: String,
    api_caps: BTreeSet<String>,
    llb_caps: BTreeSet<String>,
    platform: Platform,
    runnable: Vec<Platform>,
}

impl GatewayHost {
    /// Solves `st` and reads `paths` from it; missing files are left out.
    /// No path, no solve.
    async fn read_from(
        &self,
        st: State,
        paths: &[String],
    ) -> Result<BTreeMap<String, Vec<u8>>, HostError> {
        if paths.is_empty() {
            return Ok(BTreeMap::new());
        }
        let id = self.solve(st.marshal(None), Vec::new()).await?;
        // One ReadFile per path, all in flight at once.
        let mut reads = tokio::task::JoinSet::new();
        for p in paths {
            let reader = self.reader();
            let (id, p) = (id.clone(), p.clone());
            reads.spawn(async move { (reader.read_file(&id, &p).await, p) });
        }
        let mut out = BTreeMap::new();
        while let Some(joined) = reads.join_next().await {
            let (read, p) = joined?;
            if let Some(b) = read? {
                out.insert(p, b);
            }
        }
        Ok(out)
    }

    async fn connect(channel: Channel, session: String) -> Result<Self, HostError> {
        let mut client = LlbBridgeClient::new(channel)
            .max_decoding_message_size(MAX_MESSAGE)
            .max_encoding_message_size(MAX_MESSAGE);
        let pong = client
            .ping(gw::PingRequest {})
            .await
            .map_err(|s| HostError::Ping {
                code: s.code(),
                message: s.message().to_string(),
            })?
            .into_inner();
        let enabled = |caps: &[crate::proto::moby::buildkit::v1::apicaps::ApiCap]| {
            caps.iter()
                .filter(|c| c.enabled)
                .map(|c| c.id.clone())
                .collect::<BTreeSet<_>>()
        };
        let api_caps = enabled(&pong.frontend_api_caps);
        let llb_caps = enabled(&pong.llb_caps);
        let missing: Vec<String> = REQUIRED_API_CAPS
            .into_iter()
            .filter(|c| !api_caps.contains(*c))
            .map(str::to_string)
            .collect();
        if !missing.is_empty() {
            return Err(HostError::MissingCaps {
                kind: "gateway",
                missing,
            });
        }
        // The first worker's platforms: the native one first, then what it
        // can emulate.
        let runnable: Vec<Platform> = pong
            .workers
            .first()
            .map(|w| w.platforms.iter().map(Platform::from).collect())
            .unwrap_or_default();
        let platform = build_platform(&runnable);
        tracing::info!(%platform, api_caps = api_caps.len(), llb_caps = llb_caps.len(), "connected to BuildKit");
        Ok(GatewayHost {
            client,
            session,
            api_caps,
            llb_caps,
            platform,
            runnable,
        })
    }

    async fn solve(
        &self,
        def: pb::Definition,
        cache_imports: Vec<gw::CacheOptionsEntry>,
    ) -> Result<String, HostError> {
        let res = self
            .client
            .clone()
            .solve(gw::SolveRequest {
                definition: Some(def),
                allow_result_return: true,
                cache_imports,
                ..gw::SolveRequest::default()
            })
            .await
            .map_err(|s| HostError::Solve {
                code: s.code(),
                message: s.message().to_string(),
            })?
            .into_inner();
        let from_result = res.result.and_then(|r| match r.result {
            Some(gw::result::Result::Ref(r)) => Some(r.id),
            Some(gw::result::Result::RefDeprecated(id)) => Some(id),
            _ => None,
        });
        Ok(from_result.unwrap_or(res.r#ref))
    }

    /// A handle that reads files of solved refs from a spawned task.
    fn reader(&self) -> FileReader {
        FileReader {
            client: self.client.clone(),
        }
    }

    fn check_llb_caps(&self, def: &pb::Definition) -> Result<(), HostError> {
        let used: BTreeSet<&String> = def.metadata.values().flat_map(|m| m.caps.keys()).collect();
        let missing: Vec<String> = used
            .into_iter()
            .filter(|c| !self.llb_caps.contains(*c))
            .cloned()
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(HostError::MissingCaps {
                kind: "LLB",
                missing,
            })
        }
    }
}

/// Reads files of solved refs; cheap to clone into concurrent tasks.
struct FileReader {
    client: LlbBridgeClient<Channel>,
}

impl FileReader {
    /// A file of the solved ref `id`, or `None` when it does not exist.
    async fn read_file(&self, id: &str, path: &str) -> Result<Option<Vec<u8>>, HostError> {
        match self
            .client
            .clone()
            .read_file(gw::ReadFileRequest {
                r#ref: id.to_string(),
                file_path: path.to_string(),
                // One byte more than gofront reads: the driver refuses a
                // longer file, and BuildKit never sends more.
                range: Some(gw::FileRange {
                    offset: 0,
                    length: driver::MAX_FILE_BYTES as i64 + 1,
                }),
                ..gw::ReadFileRequest::default()
            })
            .await
        {
            Ok(r) => Ok(Some(r.into_inner().data)),
            Err(s) if is_not_exist(&s) => Ok(None),
            Err(s) => Err(HostError::ReadFile {
                path: path.to_string(),
                code: s.code(),
                message: s.message().to_string(),
            }),
        }
    }
}

/// Whether a `ReadFile` status means the file does not exist. BuildKit
/// (cache/util.ReadFile, master of August 2026) returns the `os.Open` error
/// as it is: an `*os.PathError` for ENOENT, which its grpcerrors.Code maps
/// to `Unknown` (no `errdefs` type, no `NotFound`), so the status message
/// ("open go.mod: no such file or directory") is all it gives. The code is
/// checked first for an engine that sends `NotFound`; the message is the
/// fallback, matched on Go's text for ENOENT.
fn is_not_exist(s: &tonic::Status) -> bool {
    s.code() == tonic::Code::NotFound
        || (s.code() == tonic::Code::Unknown
            && s.message().ends_with(": no such file or directory"))
}

impl GatewayHost {
    /// The local source the spec is read through: the same op for the
    /// read and for the warnings that point at it.
    fn spec_source(&self, options: &Options) -> State {
        Local::new(&options.spec_local, &self.session, &self.platform)
            .include(vec![options.filename.clone()])
            .shared_key_hint(&options.filename)
            .build(&OpMeta {
                name: Some(format!(
                    "[internal] load build definition from {}",
                    options.filename
                )),
                ..OpMeta::default()
            })
    }

    /// Tells the user a warning of the report (BuildKit's `Warn`, when
    /// the engine has it; the log either way).
    async fn warn(&self, options: &Options, warning: &Warning) {
        let message = warning.message();
        tracing::warn!(rule = warning.rule.name(), "{message}");
        if !self.api_caps.contains("gateway.warnings") {
            return;
        }
        let digest = self
            .spec_source(options)
            .digest()
            .map(str::to_string)
            .unwrap_or_default();
        let req = gw::WarnRequest {
            digest,
            level: 1,
            short: message.as_bytes().to_vec(),
            ..gw::WarnRequest::default()
        };
        if let Err(e) = self.client.clone().warn(req).await {
            tracing::warn!(error = %e.message(), "Warn failed");
        }
    }
}

impl Host for GatewayHost {
    async fn read_spec(&self, options: &Options) -> Result<Vec<u8>, HostError> {
        let st = self.spec_source(options);
        let id = self.solve(st.marshal(None), Vec::new()).await?;
        self.reader()
            .read_file(&id, &options.filename)
            .await?
            .ok_or_else(|| HostError::NotFound {
                path: options.filename.clone(),
            })
    }

    async fn read_context(
        &self,
        options: &Options,
        paths: &[String],
    ) -> Result<BTreeMap<String, Vec<u8>>, HostError> {
        // The root go.mod/go.sum come through the download step's own source
        // op: the final build then finds that transfer done (one round trip
        // less on its critical path). Everything else through one more op,
        // at the same time.
        let (module, other): (Vec<String>, Vec<String>) = paths
            .iter()
            .cloned()
            .partition(|p| MODULE_FILES.contains(&p.as_str()));
        let module_st = crate::lower::module_files(
            &options.context_local,
            &self.session,
            &self.platform,
            MODULE_FILES.iter().map(|f| f.to_string()).collect(),
            options.no_cache,
        );
        let other_st = Local::new(&options.context_local, &self.session, &self.platform)
            .include(other.clone())
            .follow_paths(other.clone())
            .shared_key_hint("gofront-project-files")
            .build(&OpMeta {
                name: Some("[gofront] load project files".to_string()),
                ..OpMeta::default()
            });
        let (module_files, other_files) = tokio::join!(
            self.read_from(module_st, &module),
            self.read_from(other_st, &other)
        );
        let mut out = other_files?;
        out.extend(module_files?);
        Ok(out)
    }

    async fn resolve_image(
        &self,
        reference: &str,
        platform: &Platform,
        options: &Options,
    ) -> Result<Option<Resolved>, HostError> {
        let res = self
            .client
            .clone()
            .resolve_image_config(gw::ResolveImageConfigRequest {
                r#ref: reference.to_string(),
                platform: Some(platform.into()),
                resolve_mode: options.resolve_mode.attr().to_string(),
                log_name: format!("[gofront] resolve image config for {reference}"),
                session_id: self.session.clone(),
                ..gw::ResolveImageConfigRequest::default()
            })
            .await
            .map_err(|s| HostError::ResolveImage {
                reference: reference.to_string(),
                code: s.code(),
                message: s.message().to_string(),
            })?
            .into_inner();
        Ok(Some(Resolved {
            digest: res.digest,
            config: res.config,
        }))
    }

    async fn facts(&self, options: &Options) -> HostFacts {
        // A file of the frontend's own container, read off the runtime's
        // threads (it never blocks the gRPC calls in flight).
        let def = match tokio::task::spawn_blocking(|| std::fs::read(FRONTEND_DEF)).await {
            Ok(Ok(def)) => Some(def),
            Ok(Err(e)) => {
                tracing::info!(error = %e, "no frontend definition at {FRONTEND_DEF}");
                None
            }
            Err(e) => {
                tracing::warn!(error = %e, "reading {FRONTEND_DEF} did not finish");
                None
            }
        };
        HostFacts {
            build_platform: self.platform.clone(),
            runnable_platforms: self.runnable.clone(),
            merge_supported: self.llb_caps.contains("mergeop"),
            session_id: self.session.clone(),
            now: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64),
            tool_image: tool_image_from(def.as_deref(), options.frontend_source.as_deref()),
        }
    }
}

/// The platform builder steps run on: the first worker's native one. An
/// engine that names no worker platform gets linux/amd64, said in the log.
fn build_platform(runnable: &[Platform]) -> Platform {
    match runnable.first() {
        Some(p) => p.clone(),
        None => {
            let p = Platform::linux_amd64();
            tracing::warn!(
                "BuildKit named no worker platform; the builder steps are planned for {p}"
            );
            p
        }
    }
}

/// gofront's own image: the image source in the definition BuildKit ran the
/// frontend from (pinned to the digest it resolved), else the `source`
/// option as the client named it.
pub fn tool_image_from(frontend_def: Option<&[u8]>, source: Option<&str>) -> Option<String> {
    let from_def = frontend_def
        .and_then(|b| pb::Definition::decode(b).ok())
        .and_then(|d| {
            d.def
                .iter()
                .find_map(|op| match pb::Op::decode(op.as_slice()).ok()?.op? {
                    pb::op::Op::Source(s) => s
                        .identifier
                        .strip_prefix("docker-image://")
                        .map(str::to_string),
                    _ => None,
                })
        });
    from_def.or_else(|| source.filter(|s| !s.is_empty()).map(str::to_string))
}

/// Builds the `google.rpc.Status` for an error, with BuildKit's
/// source-location detail when a line of the spec, go.mod, go.work or
/// .dockerignore is at fault, so that buildx shows that line instead of
/// the `# syntax=` line.
pub fn error_status(e: &FrontendError) -> Status {
    let mut details = Vec::new();
    if let Some(at) = e.source_location() {
        let src = errdefs::Source {
            info: Some(pb::SourceInfo {
                filename: at.file,
                data: at.data,
                definition: None,
                language: at.language,
            }),
            ranges: vec![at.range.to_pb()],
        };
        details.push(prost_types::Any {
            // What BuildKit's typeurl gives this message: its full name.
            type_url: "errdefs.Source".to_string(),
            value: src.encode_to_vec(),
        });
    }
    // Always Unknown: BuildKit prefixes any other code's name to the message
    // once per hop ("InvalidArgument: InvalidArgument: ..."), which buries the
    // one sentence the user needs.
    Status {
        code: code::UNKNOWN,
        message: e.to_string(),
        details,
    }
}

async fn produce(host: &GatewayHost, options: &Options) -> Result<gw::Result, Status> {
    match &options.request_id {
        Some(req) => subrequests::answer(host, options, req)
            .await
            .map(subrequests::Answer::into_result)
            .map_err(|e| e.status()),
        None => build(host, options).await.map_err(|e| error_status(&e)),
    }
}

async fn build(host: &GatewayHost, options: &Options) -> Result<gw::Result, FrontendError> {
    let report = match driver::generate(host, options).await {
        Ok(report) => report,
        Err(failure) => {
            for w in &failure.warnings {
                host.warn(options, w).await;
            }
            return Err(failure.error);
        }
    };
    for w in &report.warnings {
        host.warn(options, w).await;
    }
    let generated = driver::lower_all(&report)?;
    for b in &generated.builds {
        host.check_llb_caps(&b.definition)
            .map_err(FrontendError::Host)?;
    }
    tracing::info!(
        platforms = generated.builds.len(),
        ops = generated
            .builds
            .iter()
            .map(|b| b.definition.def.len())
            .sum::<usize>(),
        since_start_ms = started().elapsed().as_millis() as u64,
        peak_rss_kb = peak_rss_kb(),
        "final solve requested"
    );
    let cache_imports: Vec<gw::CacheOptionsEntry> = options
        .cache_imports
        .iter()
        .map(|c| gw::CacheOptionsEntry {
            r#type: c.kind.clone(),
            attrs: c.attrs.clone(),
        })
        .collect();
    // One Solve per platform, all at once: BuildKit runs identical vertices
    // (the module download, the builder) once for all of them.
    let solves = generated
        .builds
        .iter()
        .map(|b| host.solve(b.definition.clone(), cache_imports.clone()));
    let ids = futures_util::future::join_all(solves)
        .await
        .into_iter()
        .collect::<Result<Vec<_>, HostError>>()?;
    let solved: Vec<Solved> = generated
        .builds
        .into_iter()
        .zip(ids)
        .map(|(b, id)| Solved {
            platform: b.platform,
            id,
            image_config: b.image_config,
        })
        .collect();
    Ok(result(solved, generated.multi_platform))
}

/// One platform's solved result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Solved {
    /// Its platform.
    pub platform: Platform,
    /// The ref BuildKit returned.
    pub id: String,
    /// `containerimage.config`, when the target is an image.
    pub image_config: Option<Vec<u8>>,
}

/// The `Result` BuildKit's exporters expect, as the Dockerfile frontend's
/// result builder makes it: one ref, or a ref per platform id with
/// `containerimage.config/<id>`, and `refs.platforms` either way (without
/// it, BuildKit warns that the result's platform does not match).
pub fn result(solved: Vec<Solved>, multi_platform: bool) -> gw::Result {
    let platforms = serde_json::json!({
        "Platforms": solved.iter().map(|s| {
            let mut p = serde_json::json!({
                "architecture": s.platform.architecture,
                "os": s.platform.os,
            });
            if !s.platform.variant.is_empty() {
                p["variant"] = s.platform.variant.clone().into();
            }
            serde_json::json!({ "ID": s.platform.to_string(), "Platform": p })
        }).collect::<Vec<_>>()
    });
    let mut metadata = BTreeMap::new();
    metadata.insert(
        "refs.platforms".to_string(),
        platforms.to_string().into_bytes(),
    );
    let single = match (multi_platform, solved.as_slice()) {
        (false, [one]) => Some(one.clone()),
        _ => None,
    };
    let result = match single {
        Some(one) => {
            if let Some(cfg) = one.image_config {
                metadata.insert("containerimage.config".to_string(), cfg);
            }
            gw::result::Result::Ref(gw::Ref {
                id: one.id,
                def: None,
            })
        }
        None => {
            let mut refs = BTreeMap::new();
            for s in solved {
                let id = s.platform.to_string();
                if let Some(cfg) = s.image_config {
                    metadata.insert(format!("containerimage.config/{id}"), cfg);
                }
                refs.insert(
                    id,
                    gw::Ref {
                        id: s.id,
                        def: None,
                    },
                );
            }
            gw::result::Result::Refs(gw::RefMap { refs })
        }
    };
    gw::Result {
        result: Some(result),
        metadata,
        ..gw::Result::default()
    }
}

/// When the frontend process started serving, for timing logs.
/// The process's peak resident memory (`VmHWM`), for the log; 0 where
/// `/proc` does not say.
fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

fn started() -> std::time::Instant {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    *START.get_or_init(std::time::Instant::now)
}

/// Runs the frontend inside BuildKit, over stdio. Returns the exit code.
pub async fn serve() -> i32 {
    started();
    match stdio::connect().await {
        Ok(channel) => serve_on(channel, std::env::vars().collect()).await,
        Err(e) => {
            tracing::error!("cannot talk to BuildKit over stdio: {e}");
            1
        }
    }
}

/// Runs the frontend against the `LLBBridge` behind `channel`, with the
/// process environment `env`. Returns the exit code.
pub async fn serve_on(channel: Channel, env: Vec<(String, String)>) -> i32 {
    let session = env
        .iter()
        .find(|(k, _)| k == "BUILDKIT_SESSION_ID")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let opts = options_from_env(env);
    let mut host = match GatewayHost::connect(channel, session).await {
        Ok(h) => h,
        Err(e) => {
            tracing::error!("{e}");
            return 1;
        }
    };
    let outcome = match Options::parse(opts.iter().map(|(k, v)| (k.as_str(), v.as_str()))) {
        Ok(options) => {
            tracing::info!(target = options.target.name(), ignored = ?options.ignored, "options parsed");
            produce(&host, &options).await
        }
        Err(e) => Err(error_status(&FrontendError::Plan(e.into()))),
    };
    let req = match outcome {
        Ok(result) => gw::ReturnRequest {
            result: Some(result),
            error: None,
        },
        Err(status) => {
            tracing::info!(error = %status.message, "returning error to BuildKit");
            gw::ReturnRequest {
                result: None,
                error: Some(status),
            }
        }
    };
    match host.client.r#return(req).await {
        Ok(_) => 0,
        Err(e) => {
            tracing::error!(error = %e.message(), "Return failed");
            1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_build_platform_is_the_first_workers_else_linux_amd64() {
        let arm = Platform::from(&pb::Platform {
            architecture: "arm64".into(),
            os: "linux".into(),
            ..pb::Platform::default()
        });
        assert_eq!(build_platform(&[arm.clone(), Platform::linux_amd64()]), arm);
        assert_eq!(build_platform(&[]), Platform::linux_amd64());
    }

    fn image_source_def(identifier: &str) -> Vec<u8> {
        let op = pb::Op {
            op: Some(pb::op::Op::Source(pb::SourceOp {
                identifier: identifier.to_string(),
                ..pb::SourceOp::default()
            })),
            ..pb::Op::default()
        };
        pb::Definition {
            def: vec![op.encode_to_vec()],
            ..pb::Definition::default()
        }
        .encode_to_vec()
    }

    #[test]
    fn the_tool_image_is_the_frontend_definitions_image_else_the_source_option() {
        let def = image_source_def("docker-image://docker.io/library/gofront:dev@sha256:abc");
        assert_eq!(
            tool_image_from(Some(&def), Some("gofront:dev")).as_deref(),
            Some("docker.io/library/gofront:dev@sha256:abc")
        );
        let local = image_source_def("local://context");
        assert_eq!(
            tool_image_from(Some(&local), Some("gofront:dev")).as_deref(),
            Some("gofront:dev")
        );
        assert_eq!(tool_image_from(Some(b"not a definition"), None), None);
        assert_eq!(tool_image_from(None, Some("")), None);
    }

    #[test]
    fn a_missing_file_is_told_by_code_or_by_buildkits_enoent_text() {
        use tonic::{Code, Status};
        assert!(is_not_exist(&Status::not_found("gone")));
        assert!(is_not_exist(&Status::unknown(
            "open go.work: no such file or directory"
        )));
        assert!(!is_not_exist(&Status::unknown(
            "open go.mod: permission denied"
        )));
        // Only an error of the read itself: another code is a failure even
        // when its message mentions a missing file.
        assert!(!is_not_exist(&Status::new(
            Code::Internal,
            "open /var/lib/buildkit/x: no such file or directory"
        )));
    }

    #[test]
    fn host_errors_keep_the_grpc_code() {
        let e = HostError::ReadFile {
            path: "go.mod".into(),
            code: tonic::Code::PermissionDenied,
            message: "open go.mod: permission denied".into(),
        };
        assert_eq!(
            FrontendError::from(e).to_string(),
            "cannot read go.mod from BuildKit: open go.mod: permission denied"
        );
    }
}
