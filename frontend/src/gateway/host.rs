//! The [`Host`] for BuildKit: Ping and caps, the spec and project files
//! through local sources and `ReadFile`, image configs through
//! `ResolveImageConfig`, solves, `Warn`, and the host's facts.

use std::collections::{BTreeMap, BTreeSet};

use prost::Message;
use tonic::transport::Channel;

use crate::driver::{self, Host, HostError, HostFacts, Resolved};
use crate::llb::{Local, OpMeta, State};
use crate::options::{Options, Platform};
use crate::plan::{Heads, MODULE_FILES, Scan};
use crate::proto::LlbBridgeClient;
use crate::proto::gateway as gw;
use crate::proto::pb;
use crate::report::{SourceMap, Warning};

/// The files a warning may point into.
pub(super) struct WarnFiles<'a> {
    /// The spec, when it was read.
    pub spec: Option<&'a SourceMap>,
    /// `.dockerignore`, when there is one.
    pub dockerignore: Option<&'a str>,
}

/// BuildKit >= 0.14 accepts 16 MiB messages; older ones 4 MiB.
const MAX_MESSAGE: usize = 16 << 20;
/// The most one ranged `ReadFile` asks for: well inside the messages
/// gofront decodes.
pub(super) const READ_CHUNK: u64 = 8 << 20;
/// Where BuildKit puts the definition of the frontend's own image
/// (frontend/gateway: metadataMount, BuildKit 0.10 and newer).
const FRONTEND_DEF: &str = "/run/config/buildkit/metadata/frontend.bin";
/// Gateway API caps gofront cannot work without.
const REQUIRED_API_CAPS: [&str; 4] = ["solve.base", "resolveimage", "readfile", "return"];

/// BuildKit, seen from the frontend.
pub struct GatewayHost {
    pub(super) client: LlbBridgeClient<Channel>,
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

    pub(super) async fn connect(channel: Channel, session: String) -> Result<Self, HostError> {
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

    pub(super) async fn solve(
        &self,
        def: pb::Definition,
        cache_imports: Vec<gw::CacheOptionsEntry>,
    ) -> Result<String, HostError> {
        self.solve_request(def, cache_imports, false).await
    }

    /// [`GatewayHost::solve`], answered once BuildKit has built the result
    /// (`evaluate`), not when it has only planned it.
    pub(super) async fn solve_evaluated(
        &self,
        def: pb::Definition,
        cache_imports: Vec<gw::CacheOptionsEntry>,
    ) -> Result<String, HostError> {
        self.solve_request(def, cache_imports, true).await
    }

    async fn solve_request(
        &self,
        def: pb::Definition,
        cache_imports: Vec<gw::CacheOptionsEntry>,
        evaluate: bool,
    ) -> Result<String, HostError> {
        let res = self
            .client
            .clone()
            .solve(gw::SolveRequest {
                definition: Some(def),
                allow_result_return: true,
                cache_imports,
                evaluate,
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
    pub(super) fn reader(&self) -> FileReader {
        FileReader {
            client: self.client.clone(),
        }
    }

    /// Fails naming the gateway caps of `wanted` this BuildKit lacks.
    pub(super) fn check_api_caps(&self, wanted: &[&str]) -> Result<(), HostError> {
        let missing: Vec<String> = wanted
            .iter()
            .filter(|c| !self.api_caps.contains(**c))
            .map(|c| c.to_string())
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(HostError::MissingCaps {
                kind: "gateway",
                missing,
            })
        }
    }

    pub(super) fn check_llb_caps(&self, def: &pb::Definition) -> Result<(), HostError> {
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
#[derive(Clone)]
pub(super) struct FileReader {
    client: LlbBridgeClient<Channel>,
}

impl FileReader {
    /// `length` bytes of a file of the solved ref `id` from `offset`, or
    /// fewer at its end (BuildKit reads the range, not the file). At most
    /// [`MAX_MESSAGE`] minus room for the envelope per call.
    pub(super) async fn read_range(
        &self,
        id: &str,
        path: &str,
        offset: u64,
        length: u64,
    ) -> Result<Vec<u8>, HostError> {
        let err = |s: tonic::Status| HostError::ReadFile {
            path: path.to_string(),
            code: s.code(),
            message: s.message().to_string(),
        };
        let to_i64 = |v: u64| i64::try_from(v).map_err(|_| err(tonic::Status::out_of_range("")));
        let range = gw::FileRange {
            offset: to_i64(offset)?,
            length: to_i64(length.min(READ_CHUNK))?,
        };
        self.client
            .clone()
            .read_file(gw::ReadFileRequest {
                r#ref: id.to_string(),
                file_path: path.to_string(),
                range: Some(range),
                ..gw::ReadFileRequest::default()
            })
            .await
            .map(|r| r.into_inner().data)
            .map_err(err)
    }

    /// The entries of a directory of the solved ref `id`: each name, and
    /// whether it is a directory, a regular file or neither.
    async fn read_dir(&self, id: &str, dir: &str) -> Result<Vec<(String, Entry)>, HostError> {
        let entries = self
            .client
            .clone()
            .read_dir(gw::ReadDirRequest {
                r#ref: id.to_string(),
                dir_path: dir.to_string(),
                ..gw::ReadDirRequest::default()
            })
            .await
            .map_err(|s| HostError::ReadDir {
                path: dir.to_string(),
                code: s.code(),
                message: s.message().to_string(),
            })?
            .into_inner()
            .entries;
        Ok(entries
            .into_iter()
            .filter_map(|e| {
                // fsutil names each entry by its path below `dir`.
                let name = e.path.rsplit('/').next().unwrap_or_default().to_string();
                (!name.is_empty()).then(|| (name, Entry::of_mode(e.mode)))
            })
            .collect())
    }

    /// A file of the solved ref `id`, or `None` when it does not exist.
    pub(super) async fn read_file(
        &self,
        id: &str,
        path: &str,
    ) -> Result<Option<Vec<u8>>, HostError> {
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

/// What a directory entry is, by its Go `os.FileMode` bits (fsutil's
/// `Stat.mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Entry {
    Dir,
    File,
    /// A symbolic link, a device, a pipe, ...: never read.
    Other,
}

impl Entry {
    /// Go's `fs.ModeDir`.
    const MODE_DIR: u32 = 1 << 31;
    /// Go's `fs.ModeType`: the bits of every kind that is not a regular
    /// file (dir, symlink, named pipe, socket, device, char device,
    /// irregular).
    const MODE_TYPE: u32 =
        Self::MODE_DIR | 1 << 27 | 1 << 25 | 1 << 24 | 1 << 26 | 1 << 21 | 1 << 19;

    pub(super) fn of_mode(mode: u32) -> Entry {
        if mode & Self::MODE_DIR != 0 {
            Entry::Dir
        } else if mode & Self::MODE_TYPE == 0 {
            Entry::File
        } else {
            Entry::Other
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
pub(super) fn is_not_exist(s: &tonic::Status) -> bool {
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
    pub(super) async fn warn(&self, options: &Options, files: &WarnFiles<'_>, warning: &Warning) {
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
        // A located warning carries its file and span, so that the client
        // shows the lines (as for the Dockerfile frontend's lint warnings).
        let at = warning.location.as_ref().and_then(|at| {
            let (data, language) = match files.spec {
                Some(spec) if spec.file == at.file => {
                    (spec.text.as_bytes(), spec.language.as_str())
                }
                _ if at.file == ".dockerignore" => (files.dockerignore?.as_bytes(), ""),
                _ => return None,
            };
            let pos = |lc: crate::spec::LineCol| pb::Position {
                line: lc.line as i32,
                character: lc.column as i32 - 1,
            };
            Some((
                pb::SourceInfo {
                    filename: at.file.clone(),
                    data: data.to_vec(),
                    definition: None,
                    language: language.to_string(),
                },
                pb::Range {
                    start: Some(pos(at.start)),
                    end: Some(pos(at.end)),
                },
            ))
        });
        let (info, ranges) = match at {
            Some((info, range)) => (Some(info), vec![range]),
            None => (None, Vec::new()),
        };
        let req = gw::WarnRequest {
            digest,
            level: 1,
            short: message.as_bytes().to_vec(),
            detail: vec![warning.rule.description().as_bytes().to_vec()],
            info,
            ranges,
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

    async fn read_heads(&self, options: &Options, scan: &Scan) -> Result<Heads, HostError> {
        self.check_api_caps(&["readdir"])?;
        // Only what the scan selects is transferred; the walk below lists
        // the directories that hold it.
        let st = Local::new(&options.context_local, &self.session, &self.platform)
            .include(scan.include.clone())
            .exclude(scan.exclude.clone())
            .shared_key_hint("gofront-main-packages")
            .build(&OpMeta {
                name: Some("[gofront] find the main packages".to_string()),
                ..OpMeta::default()
            });
        let id = self.solve(st.marshal(None), Vec::new()).await?;
        let mut truncated = false;
        let mut listed = 0;
        let mut files = Vec::new();
        // Level by level, each level's directories listed at once.
        let mut level = vec![".".to_string()];
        while !level.is_empty() {
            let room = scan.max_dirs.saturating_sub(listed);
            if level.len() > room {
                truncated = true;
                level.truncate(room);
            }
            listed += level.len();
            let mut reads = tokio::task::JoinSet::new();
            for dir in level {
                let (reader, id) = (self.reader(), id.clone());
                reads.spawn(async move { (reader.read_dir(&id, &dir).await, dir) });
            }
            let mut next = Vec::new();
            while let Some(joined) = reads.join_next().await {
                let (entries, dir) = joined?;
                for (name, kind) in entries? {
                    let path = if dir == "." {
                        name
                    } else {
                        format!("{dir}/{name}")
                    };
                    match kind {
                        Entry::Dir => next.push(path),
                        Entry::File => files.push(path),
                        Entry::Other => {}
                    }
                }
            }
            next.sort();
            level = next;
        }
        let (picked, more) = scan.pick(files);
        let mut reads = tokio::task::JoinSet::new();
        for path in picked {
            let (reader, id) = (self.reader(), id.clone());
            let length = scan.head_bytes as u64;
            reads.spawn(async move { (reader.read_range(&id, &path, 0, length).await, path) });
        }
        let mut heads = Heads {
            files: BTreeMap::new(),
            truncated: truncated || more,
        };
        while let Some(joined) = reads.join_next().await {
            let (read, path) = joined?;
            heads.files.insert(path, read?);
        }
        Ok(heads)
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
pub(super) fn build_platform(runnable: &[Platform]) -> Platform {
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
