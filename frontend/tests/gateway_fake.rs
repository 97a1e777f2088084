//! The gateway protocol sequence against an in-process fake of BuildKit's
//! LLBBridge: what gofront asks for, in which order, and what it returns.
//! The real engine is exercised by the end-to-end tests (tests/e2e.sh).

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use gofront::proto::gateway as gw;
use gofront::proto::moby::buildkit::v1::apicaps::ApiCap;
use gofront::proto::moby::buildkit::v1::types::WorkerRecord;
use gofront::proto::{LlbBridge, LlbBridgeServer, errdefs, pb};
use prost::Message;
use tonic::{Request, Response, Status};

#[derive(Default, Clone)]
struct Recorded {
    calls: Vec<String>,
    returned: Option<gw::ReturnRequest>,
    final_solve: Option<gw::SolveRequest>,
    solves: Vec<gw::SolveRequest>,
    /// Each Solve's request by the ref id it answered with.
    by_id: BTreeMap<String, gw::SolveRequest>,
    warnings: Vec<gw::WarnRequest>,
}

#[derive(Clone)]
struct FakeBuildKit {
    files: BTreeMap<String, Vec<u8>>,
    api_caps: Vec<&'static str>,
    llb_caps: Vec<&'static str>,
    log: Arc<Mutex<Recorded>>,
}

impl FakeBuildKit {
    fn record(&self, call: String) {
        self.log.lock().expect("lock").calls.push(call);
    }
}

fn caps(ids: &[&str]) -> Vec<ApiCap> {
    ids.iter()
        .map(|id| ApiCap {
            id: id.to_string(),
            enabled: true,
            ..ApiCap::default()
        })
        .collect()
}

/// The gateway caps of a current BuildKit (frontend/gateway/pb/caps.go).
const API_CAPS: &[&str] = &[
    "solve.base",
    "resolveimage",
    "readfile",
    "readdir",
    "return",
    "gateway.warnings",
    "reference.attestations",
];

const ALL_LLB_CAPS: &[&str] = &[
    "constraints",
    "platform",
    "meta.description",
    "meta.ignorecache",
    "source.image",
    "source.image.resolvemode",
    "source.local",
    "source.local.sessionid",
    "source.local.includepatterns",
    "source.local.excludepatterns",
    "source.local.sharedkeyhint",
    "source.local.followpaths",
    "exec.meta.base",
    "exec.meta.network",
    "exec.meta.proxyenv",
    "exec.mount.bind",
    "exec.mount.bind.readwrite-nooutput",
    "exec.mount.cache",
    "exec.mount.cache.sharing",
    "exec.mount.selector",
    "exec.mount.tmpfs",
    "file.base",
    "mergeop",
];

#[tonic::async_trait]
impl LlbBridge for FakeBuildKit {
    async fn ping(
        &self,
        _: Request<gw::PingRequest>,
    ) -> Result<Response<gw::PongResponse>, Status> {
        self.record("Ping".into());
        Ok(Response::new(gw::PongResponse {
            frontend_api_caps: caps(&self.api_caps),
            llb_caps: caps(&self.llb_caps),
            workers: vec![WorkerRecord {
                platforms: vec![pb::Platform {
                    architecture: "arm64".into(),
                    os: "linux".into(),
                    ..pb::Platform::default()
                }],
                ..WorkerRecord::default()
            }],
        }))
    }

    async fn solve(
        &self,
        req: Request<gw::SolveRequest>,
    ) -> Result<Response<gw::SolveResponse>, Status> {
        let req = req.into_inner();
        let n = req.definition.as_ref().map_or(0, |d| d.def.len());
        self.record(format!("Solve({n} ops)"));
        let mut log = self.log.lock().expect("lock");
        let id = format!("ref-{}", log.calls.len());
        log.solves.push(req.clone());
        log.by_id.insert(id.clone(), req.clone());
        log.final_solve = Some(req);
        Ok(Response::new(gw::SolveResponse {
            result: Some(gw::Result {
                result: Some(gw::result::Result::Ref(gw::Ref { id, def: None })),
                ..gw::Result::default()
            }),
            ..gw::SolveResponse::default()
        }))
    }

    async fn read_file(
        &self,
        req: Request<gw::ReadFileRequest>,
    ) -> Result<Response<gw::ReadFileResponse>, Status> {
        let req = req.into_inner();
        let path = req.file_path;
        self.record(format!("ReadFile({path})"));
        match self.files.get(&path) {
            // The range, as BuildKit reads it: what of it the file holds.
            Some(data) => {
                let (offset, length) = req
                    .range
                    .map_or((0, data.len()), |r| (r.offset as usize, r.length as usize));
                let start = offset.min(data.len());
                let end = start.saturating_add(length).min(data.len());
                Ok(Response::new(gw::ReadFileResponse {
                    data: data[start..end].to_vec(),
                }))
            }
            // What BuildKit sends for a missing file: the os.Open error's
            // text, with code Unknown (see gateway::is_not_exist).
            None => Err(Status::unknown(format!(
                "open {path}: no such file or directory"
            ))),
        }
    }

    async fn read_dir(
        &self,
        req: Request<gw::ReadDirRequest>,
    ) -> Result<Response<gw::ReadDirResponse>, Status> {
        let req = req.into_inner();
        self.record(format!("ReadDir({})", req.dir_path));
        // The ref holds what its local source's patterns select, and the
        // directories above it, as BuildKit transfers it.
        let (include, exclude) = {
            let log = self.log.lock().expect("lock");
            let solve = log.by_id.get(&req.r#ref).expect("a solved ref");
            local_patterns(solve)
        };
        let prefix = match req.dir_path.as_str() {
            "." | "" | "/" => String::new(),
            d => format!("{d}/"),
        };
        let mut entries: BTreeMap<String, u32> = BTreeMap::new();
        for path in self.files.keys().filter(|p| !p.starts_with('/')) {
            let selected = include.iter().any(|i| glob(i, path))
                && !exclude.iter().any(|e| {
                    let parts: Vec<&str> = path.split('/').collect();
                    (1..=parts.len()).any(|n| glob(e, &parts[..n].join("/")))
                });
            let Some(rest) = path.strip_prefix(&prefix).filter(|_| selected) else {
                continue;
            };
            match rest.split_once('/') {
                // Go's fs.ModeDir, and a regular file's mode.
                Some((dir, _)) => entries.insert(dir.to_string(), (1 << 31) | 0o755),
                None => entries.insert(rest.to_string(), 0o644),
            };
        }
        // A directory that holds nothing selected is not in the ref.
        if !prefix.is_empty() && entries.is_empty() {
            return Err(Status::unknown(format!(
                "walking {:?}: lstat {}: no such file or directory",
                "/", req.dir_path
            )));
        }
        Ok(Response::new(gw::ReadDirResponse {
            entries: entries
                .into_iter()
                .map(|(path, mode)| gofront::proto::fsutil::types::Stat {
                    path,
                    mode,
                    ..Default::default()
                })
                .collect(),
        }))
    }

    async fn resolve_image_config(
        &self,
        req: Request<gw::ResolveImageConfigRequest>,
    ) -> Result<Response<gw::ResolveImageConfigResponse>, Status> {
        let req = req.into_inner();
        let os = req
            .platform
            .as_ref()
            .map(|p| p.os.clone())
            .unwrap_or_default();
        let platform = req.platform.map(|p| p.architecture).unwrap_or_default();
        self.record(format!("ResolveImageConfig({}, {platform})", req.r#ref));
        // Every base is a multi-arch Linux index, as the real distroless
        // images are: BuildKit finds no manifest for another OS.
        if !req.r#ref.starts_with("golang") && os != "linux" {
            return Err(Status::not_found(format!(
                "no match for platform in manifest: {os}/{platform}"
            )));
        }
        let config = if req.r#ref.starts_with("golang") {
            r#"{"config":{"Env":["PATH=/usr/local/go/bin:/usr/bin","GOLANG_VERSION=1.24.4","GOPATH=/go"],"User":"1000:1000"}}"#
        } else {
            r#"{"config":{"Env":["PATH=/usr/bin"],"User":"65532:65532","WorkingDir":"/home/nonroot"},"rootfs":{"type":"layers","diff_ids":["sha256:01"]},"history":[{"created_by":"base"}]}"#
        };
        // The builder resolves to a digest; the base, like a local image on
        // Docker's classic store, to none.
        let digest = if req.r#ref.starts_with("golang") {
            format!("sha256:{}", "ab".repeat(32))
        } else {
            String::new()
        };
        Ok(Response::new(gw::ResolveImageConfigResponse {
            digest,
            config: config.as_bytes().to_vec(),
            ..gw::ResolveImageConfigResponse::default()
        }))
    }

    async fn warn(
        &self,
        req: Request<gw::WarnRequest>,
    ) -> Result<Response<gw::WarnResponse>, Status> {
        let req = req.into_inner();
        let short = String::from_utf8_lossy(&req.short).into_owned();
        self.record(format!("Warn({short})"));
        self.log.lock().expect("lock").warnings.push(req);
        Ok(Response::new(gw::WarnResponse {}))
    }

    async fn r#return(
        &self,
        req: Request<gw::ReturnRequest>,
    ) -> Result<Response<gw::ReturnResponse>, Status> {
        self.record("Return".into());
        self.log.lock().expect("lock").returned = Some(req.into_inner());
        Ok(Response::new(gw::ReturnResponse {}))
    }
}

/// The include and exclude patterns of the local source a solve names.
fn local_patterns(solve: &gw::SolveRequest) -> (Vec<String>, Vec<String>) {
    let def = solve.definition.as_ref().expect("definition");
    for b in &def.def {
        if let Some(pb::op::Op::Source(src)) = pb::Op::decode(b.as_slice()).expect("op").op {
            let list = |key: &str| -> Vec<String> {
                src.attrs
                    .get(key)
                    .map(|v| serde_json::from_str(v).expect("a JSON list"))
                    .unwrap_or_default()
            };
            return (list("local.includepattern"), list("local.excludepatterns"));
        }
    }
    (Vec::new(), Vec::new())
}

/// A pattern of gofront's local sources (`*` within a segment, `**` any
/// segments, `\` escapes) against a path.
fn glob(pattern: &str, path: &str) -> bool {
    fn segs(p: &[&str], s: &[&str]) -> bool {
        match (p.first(), s.first()) {
            (None, None) => true,
            (Some(&"**"), _) => segs(&p[1..], s) || (!s.is_empty() && segs(p, &s[1..])),
            (Some(pp), Some(ss)) => seg(pp.as_bytes(), ss.as_bytes()) && segs(&p[1..], &s[1..]),
            _ => false,
        }
    }
    fn seg(p: &[u8], s: &[u8]) -> bool {
        match (p.first(), s.first()) {
            (None, None) => true,
            (Some(b'*'), _) => seg(&p[1..], s) || (!s.is_empty() && seg(p, &s[1..])),
            (Some(b'\\'), Some(c)) => p.get(1) == Some(c) && seg(&p[2..], &s[1..]),
            (Some(a), Some(b)) => a == b && seg(&p[1..], &s[1..]),
            _ => false,
        }
    }
    let p: Vec<&str> = pattern.split('/').collect();
    let s: Vec<&str> = path.split('/').collect();
    segs(&p, &s)
}

struct Run {
    exit: i32,
    log: Recorded,
}

impl Run {
    /// The error status gofront returned; panics if it returned a result.
    fn error(&self) -> gofront::proto::google::rpc::Status {
        self.log
            .returned
            .as_ref()
            .and_then(|ret| ret.error.clone())
            .expect("error status")
    }
}

fn run(spec: &str, files: &[(&str, &str)], opts: &[&str], llb_caps: &[&'static str]) -> Run {
    run_with(spec, files, opts, API_CAPS, llb_caps)
}

fn run_with(
    spec: &str,
    files: &[(&str, &str)],
    opts: &[&str],
    api_caps: &[&'static str],
    llb_caps: &[&'static str],
) -> Run {
    let files: Vec<(&str, Vec<u8>)> = files
        .iter()
        .map(|(k, v)| (*k, v.as_bytes().to_vec()))
        .collect();
    run_bytes(spec, &files, opts, api_caps, llb_caps)
}

/// [`run_with`] for files that need not be text (a binary of the test's).
fn run_bytes(
    spec: &str,
    files: &[(&str, Vec<u8>)],
    opts: &[&str],
    api_caps: &[&'static str],
    llb_caps: &[&'static str],
) -> Run {
    // What the image holds, for `--sbom` to read: a Go binary's build info.
    // And the digests `gofront keep` wrote beside it (made up: the SBOM
    // shows which it used).
    let mut all = BTreeMap::from([
        (BUILT_HELLO.to_string(), hello_binary()),
        (BUILT_SUMS.to_string(), kept_sums("hello").into_bytes()),
    ]);
    all.extend(files.iter().map(|(k, v)| (k.to_string(), v.clone())));
    all.insert("gofront.toml".into(), spec.as_bytes().to_vec());
    let fake = FakeBuildKit {
        files: all,
        api_caps: api_caps.to_vec(),
        llb_caps: llb_caps.to_vec(),
        log: Arc::new(Mutex::new(Recorded::default())),
    };
    let log = fake.log.clone();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let exit = rt.block_on(async move {
        let incoming =
            tonic::transport::server::TcpIncoming::bind(([127, 0, 0, 1], 0).into()).expect("bind");
        let addr = incoming.local_addr().expect("addr");
        let server = tokio::spawn(
            tonic::transport::Server::builder()
                .serve_with_incoming(LlbBridgeServer::new(fake), incoming),
        );
        let channel = tonic::transport::Endpoint::from_shared(format!("http://{addr}"))
            .expect("endpoint")
            .connect()
            .await
            .expect("connect");
        let mut env = vec![
            ("BUILDKIT_SESSION_ID".to_string(), "sess-1".to_string()),
            (
                "BUILDKIT_FRONTEND_OPT_0".to_string(),
                "filename=gofront.toml".to_string(),
            ),
            (
                "BUILDKIT_FRONTEND_OPT_1".to_string(),
                "cmdline=gofront:dev".to_string(),
            ),
        ];
        for (i, o) in opts.iter().enumerate() {
            env.push((format!("BUILDKIT_FRONTEND_OPT_{}", i + 2), o.to_string()));
        }
        let exit = gofront::serve_on(channel, env).await;
        server.abort();
        exit
    });
    let log = std::mem::take(&mut *log.lock().expect("lock"));
    Run { exit, log }
}

const GO_MOD: &str = "module example.com/hello\n\ngo 1.24\n";
/// Its main package, at the module root.
const MAIN_GO: &str = "package main\n";
/// The module: what a spec without build.packages builds.
const HELLO: &[(&str, &str)] = &[("go.mod", GO_MOD), ("main.go", MAIN_GO)];
/// Where the image has the binary of [`GO_MOD`]'s main package.
const HELLO_BIN: &str = "/usr/local/bin/hello";
/// Where the go build's output has it (what `--sbom` reads).
const BUILT_HELLO: &str = "/dir/hello";

/// Where `gofront keep` writes the binaries' digests in that output.
const BUILT_SUMS: &str = "/dir/.gofront-sums";
/// The SHA-256 [`kept_sums`] gives every binary.
const KEPT_SHA256: &str = "5eed000000000000000000000000000000000000000000000000000000000001";

/// A sums file naming `name`, as `gofront keep` writes it.
fn kept_sums(name: &str) -> String {
    format!("{name} 782f79 {KEPT_SHA256} {}\n", "0".repeat(40))
}

/// The SHA-256 of the document's first file.
fn first_file_sha256(doc: &serde_json::Value) -> String {
    doc["files"][0]["checksums"]
        .as_array()
        .expect("checksums")
        .iter()
        .find(|c| c["algorithm"] == "SHA256")
        .and_then(|c| c["checksumValue"].as_str())
        .expect("a SHA256")
        .to_string()
}

/// The SBOM document of a run's only platform.
fn only_document(r: &Run) -> serde_json::Value {
    let ret = r.log.returned.as_ref().expect("returned");
    assert!(ret.error.is_none(), "{:?}", ret.error);
    let result = ret.result.as_ref().expect("result");
    let list = &result
        .attestations
        .values()
        .next()
        .expect("one platform")
        .attestation;
    let id = &list[0].r#ref.as_ref().expect("a ref").id;
    let def = r.log.by_id[id].definition.as_ref().expect("definition");
    serde_json::from_slice(&mkfile_of(def).data).expect("JSON")
}

/// The one mkfile of an SBOM's definition: a file op of that single action.
fn mkfile_of(def: &pb::Definition) -> pb::FileActionMkFile {
    def.def
        .iter()
        .map(|b| pb::Op::decode(b.as_slice()).expect("op"))
        .find_map(|op| match op.op {
            Some(pb::op::Op::File(f)) => match f.actions.as_slice() {
                [
                    pb::FileAction {
                        action: Some(pb::file_action::Action::Mkfile(m)),
                        ..
                    },
                ] => Some(m.clone()),
                _ => None,
            },
            _ => None,
        })
        .expect("one mkfile op")
}

/// An ELF file with the build info Go writes for [`GO_MOD`]'s binary.
fn hello_binary() -> Vec<u8> {
    gofront::synthetic_elf(
        "go1.24.4",
        "path\texample.com/hello\nmod\texample.com/hello\t(devel)\t\nbuild\tGOOS=linux\n",
    )
}

#[test]
fn a_build_follows_the_expected_sequence_and_returns_an_image() {
    let r = run(
        "# syntax=gofront:dev\n[runtime]\nexpose = [\"8080\"]\n",
        HELLO,
        &[
            "build-arg:SOURCE_DATE_EPOCH=1700000000",
            "build-arg:UNUSED=1",
            "label:team=core",
        ],
        ALL_LLB_CAPS,
    );
    assert_eq!(r.exit, 0);
    // Reads of the spec and of the project files, and the two image
    // resolves, run concurrently: check the order only where it matters.
    let calls = &r.log.calls;
    let pos = |c: &str| calls.iter().position(|x| x == c).unwrap_or(usize::MAX);
    assert_eq!(calls.first().map(String::as_str), Some("Ping"));
    assert_eq!(&calls[calls.len() - 2..], ["Solve(8 ops)", "Return"]);
    let mut middle: Vec<&str> = calls[1..calls.len() - 2]
        .iter()
        .map(String::as_str)
        .collect();
    middle.sort_unstable();
    assert_eq!(
        middle,
        vec![
            // No build.packages: the module root's Go files, listed and
            // their start read, after .dockerignore.
            "ReadDir(.)",
            // The builder runs on the worker's platform; the base is for the target.
            "ReadFile(.dockerignore)",
            "ReadFile(go.mod)",
            "ReadFile(go.work)",
            "ReadFile(gofront.toml)",
            "ReadFile(main.go)",
            "ReadFile(vendor/modules.txt)",
            "ResolveImageConfig(gcr.io/distroless/static-debian12:nonroot, arm64)",
            "ResolveImageConfig(golang:1.24, arm64)",
            "Solve(2 ops)",
            "Solve(2 ops)",
            "Solve(2 ops)",
            "Solve(2 ops)",
            "Warn(build arg UNUSED is not used by gofront; spec keys are set with GOFRONT_* build args)",
        ]
    );
    assert!(pos("ReadFile(.dockerignore)") < pos("ReadDir(.)"));
    assert!(pos("ReadDir(.)") < pos("ReadFile(main.go)"));
    assert!(pos("ReadFile(main.go)") < pos("ResolveImageConfig(golang:1.24, arm64)"));
    assert!(
        pos("ReadFile(gofront.toml)")
            < pos(
                "Warn(build arg UNUSED is not used by gofront; spec keys are set with GOFRONT_* build args)"
            )
    );
    assert!(pos("ReadFile(go.mod)") < pos("ResolveImageConfig(golang:1.24, arm64)"));
    let ret = r.log.returned.expect("returned");
    assert!(ret.error.is_none(), "unexpected error {:?}", ret.error);
    let result = ret.result.expect("result");
    assert!(
        matches!(result.result, Some(gw::result::Result::Ref(ref r)) if r.id.starts_with("ref-"))
    );
    let cfg: serde_json::Value =
        serde_json::from_slice(&result.metadata["containerimage.config"]).expect("config json");
    assert_eq!(cfg["architecture"], "arm64");
    assert_eq!(cfg["created"], "2023-11-14T22:13:20Z");
    assert_eq!(cfg["config"]["User"], "65532:65532");
    assert_eq!(cfg["config"]["WorkingDir"], "/home/nonroot");
    assert_eq!(cfg["config"]["Labels"]["team"], "core");
    assert_eq!(
        cfg["config"]["ExposedPorts"]["8080/tcp"],
        serde_json::json!({})
    );
    assert_eq!(cfg["rootfs"]["diff_ids"][0], "sha256:01");
    assert_eq!(cfg["history"].as_array().map(Vec::len), Some(2));
    // The builder image's user owns the caches: the mkdir base says 1000:1000.
    let def = r
        .log
        .final_solve
        .and_then(|s| s.definition)
        .expect("definition");
    let owner_ok = def.def.iter().any(|b| {
        pb::Op::decode(b.as_slice())
            .ok()
            .and_then(|op| match op.op {
                Some(pb::op::Op::File(f)) => f.actions.first().and_then(|a| match &a.action {
                    Some(pb::file_action::Action::Mkdir(m)) => m.owner.clone(),
                    _ => None,
                }),
                _ => None,
            })
            == Some(pb::ChownOpt {
                user: Some(pb::UserOpt {
                    user: Some(pb::user_opt::User::ById(1000)),
                }),
                group: Some(pb::UserOpt {
                    user: Some(pb::user_opt::User::ById(1000)),
                }),
            })
    });
    assert!(owner_ok, "no cache dir owned by 1000:1000");
    // A resolved digest pins the source; no digest leaves the tag alone.
    let sources: Vec<String> = def
        .def
        .iter()
        .filter_map(|b| match pb::Op::decode(b.as_slice()).ok()?.op {
            Some(pb::op::Op::Source(s)) => Some(s.identifier),
            _ => None,
        })
        .filter(|id| id.starts_with("docker-image://"))
        .collect();
    assert_eq!(
        sources,
        vec![
            "docker-image://gcr.io/distroless/static-debian12:nonroot".to_string(),
            format!(
                "docker-image://docker.io/library/golang:1.24@sha256:{}",
                "ab".repeat(32)
            ),
        ]
    );
}

#[test]
fn cache_imports_reach_the_solve_request() {
    let r = run(
        "",
        HELLO,
        &[r#"cache-imports=[{"Type":"local","Attrs":{"src":"/tmp/cache"}}]"#],
        ALL_LLB_CAPS,
    );
    assert_eq!(r.exit, 0);
    let solve = r.log.final_solve.expect("final solve");
    assert_eq!(solve.cache_imports.len(), 1);
    assert_eq!(solve.cache_imports[0].r#type, "local");
    assert_eq!(solve.cache_imports[0].attrs["src"], "/tmp/cache");
}

#[test]
fn a_spec_error_returns_the_sentence_and_the_spec_line() {
    let r = run(
        "# syntax=gofront:dev\n[build]\ntgas = [\"x\"]\n",
        HELLO,
        &[],
        ALL_LLB_CAPS,
    );
    assert_eq!(r.exit, 0, "the error travels in Return, not the exit code");
    assert_eq!(r.log.calls.last().map(String::as_str), Some("Return"));
    let err = r.error();
    assert_eq!(err.code, 2, "Unknown: BuildKit adds no code prefix");
    assert_eq!(
        err.message,
        "gofront.toml:3:1: unknown key \"tgas\" in [build]; did you mean \"tags\"?"
    );
    assert_eq!(err.details.len(), 1);
    assert_eq!(err.details[0].type_url, "errdefs.Source");
    let src = errdefs::Source::decode(err.details[0].value.as_slice()).expect("source");
    assert_eq!(src.info.expect("info").filename, "gofront.toml");
    assert_eq!(src.ranges[0].start.as_ref().map(|p| p.line), Some(3));
}

#[test]
fn a_go_mod_error_returns_the_sentence_and_the_go_mod_line() {
    let r = run(
        "",
        &[("go.mod", "module example.com/app\n\ngo 1.24\nrequire (\n")],
        &[],
        ALL_LLB_CAPS,
    );
    let err = r.error();
    assert_eq!(
        err.message,
        "go.mod:4: the require ( block is never closed with )"
    );
    assert_eq!(err.details.len(), 1);
    assert_eq!(err.details[0].type_url, "errdefs.Source");
    let src = errdefs::Source::decode(err.details[0].value.as_slice()).expect("source");
    let info = src.info.expect("info");
    assert_eq!(info.filename, "go.mod");
    assert_eq!(info.data, b"module example.com/app\n\ngo 1.24\nrequire (\n");
    assert_eq!(src.ranges[0].start.as_ref().map(|p| p.line), Some(4));
}

#[test]
fn missing_go_mod_is_a_clear_error() {
    let r = run("", &[], &[], ALL_LLB_CAPS);
    let err = r.error();
    assert!(
        err.message
            .starts_with("no go.mod or go.work at the root of the build context")
    );
}

fn platforms_meta(result: &gw::Result) -> serde_json::Value {
    serde_json::from_slice(&result.metadata["refs.platforms"]).expect("refs.platforms json")
}

#[test]
fn a_platform_list_returns_a_ref_and_a_config_per_platform() {
    let r = run(
        "",
        HELLO,
        &["platform=linux/amd64,linux/arm64,linux/arm/v7"],
        ALL_LLB_CAPS,
    );
    let solves = r
        .log
        .calls
        .iter()
        .filter(|c| c.starts_with("Solve"))
        .count();
    // The spec, go.mod, the other project files, the Go files where the
    // main packages are, then one Solve per platform.
    assert_eq!(solves, 4 + 3);
    let result = r.log.returned.expect("returned").result.expect("result");
    let Some(gw::result::Result::Refs(refs)) = &result.result else {
        panic!("expected a ref map, got {:?}", result.result);
    };
    let ids: Vec<&String> = refs.refs.keys().collect();
    assert_eq!(ids, ["linux/amd64", "linux/arm/v7", "linux/arm64"]);
    assert_eq!(
        platforms_meta(&result),
        serde_json::json!({"Platforms": [
            {"ID": "linux/amd64", "Platform": {"architecture": "amd64", "os": "linux"}},
            {"ID": "linux/arm64", "Platform": {"architecture": "arm64", "os": "linux"}},
            {"ID": "linux/arm/v7", "Platform": {"architecture": "arm", "os": "linux", "variant": "v7"}},
        ]})
    );
    for (id, arch, variant) in [
        ("linux/amd64", "amd64", None),
        ("linux/arm64", "arm64", None),
        ("linux/arm/v7", "arm", Some("v7")),
    ] {
        let cfg: serde_json::Value =
            serde_json::from_slice(&result.metadata[&format!("containerimage.config/{id}")])
                .expect("config json");
        assert_eq!(cfg["architecture"], arch, "{id}");
        assert_eq!(cfg["variant"].as_str(), variant, "{id}");
    }
    assert!(!result.metadata.contains_key("containerimage.config"));
}

#[test]
fn one_platform_is_one_ref_with_refs_platforms_unless_multi_platform_is_asked() {
    let r = run(
        "",
        HELLO,
        &["platform=linux/arm64", "target=binaries"],
        ALL_LLB_CAPS,
    );
    let result = r.log.returned.expect("returned").result.expect("result");
    assert!(matches!(result.result, Some(gw::result::Result::Ref(_))));
    assert_eq!(
        platforms_meta(&result),
        serde_json::json!({"Platforms": [
            {"ID": "linux/arm64", "Platform": {"architecture": "arm64", "os": "linux"}},
        ]})
    );
    let r = run("", HELLO, &["multi-platform=true"], ALL_LLB_CAPS);
    let result = r.log.returned.expect("returned").result.expect("result");
    let Some(gw::result::Result::Refs(refs)) = &result.result else {
        panic!("multi-platform=true gives a ref map");
    };
    assert_eq!(refs.refs.keys().collect::<Vec<_>>(), ["linux/arm64"]);
    assert!(
        result
            .metadata
            .contains_key("containerimage.config/linux/arm64")
    );
}

#[test]
fn a_too_old_engine_is_named_before_anything_is_solved() {
    let without_tmpfs: Vec<&'static str> = ALL_LLB_CAPS
        .iter()
        .copied()
        .filter(|c| *c != "exec.mount.tmpfs")
        .collect();
    let r = run("", HELLO, &[], &without_tmpfs);
    let err = r.error();
    assert!(
        err.message
            .contains("lacks LLB capabilities exec.mount.tmpfs"),
        "{}",
        err.message
    );
    assert_eq!(
        r.log
            .calls
            .iter()
            .filter(|c| c.starts_with("Solve"))
            .count(),
        4
    );
}

#[test]
fn go_mod_is_read_through_the_download_steps_own_source() {
    let r = run(
        "",
        &[
            (
                "go.mod",
                "module example.com/x\ngo 1.24\nrequire example.com/dep v1.0.0\n",
            ),
            ("main.go", MAIN_GO),
        ],
        &[],
        ALL_LLB_CAPS,
    );
    assert_eq!(r.exit, 0);
    let returned = r.log.returned.as_ref().expect("returned");
    assert!(returned.error.is_none(), "{:?}", returned.error);
    let ops = |s: &gw::SolveRequest| -> Vec<Vec<u8>> {
        s.definition
            .as_ref()
            .map_or_else(Vec::new, |d| d.def.clone())
    };
    let sources = |s: &gw::SolveRequest| -> Vec<(Vec<u8>, pb::SourceOp)> {
        ops(s)
            .into_iter()
            .filter_map(|b| match pb::Op::decode(b.as_slice()).ok()?.op {
                Some(pb::op::Op::Source(src)) => Some((b, src)),
                _ => None,
            })
            .collect()
    };
    let final_ops = ops(r.log.final_solve.as_ref().expect("final solve"));
    // The read of go.mod: the local source whose includes are go.mod and go.sum.
    let read = r
        .log
        .solves
        .iter()
        .flat_map(sources)
        .find(|(_, src)| {
            src.attrs.get("local.includepattern").map(String::as_str)
                == Some(r#"["go.mod","go.sum"]"#)
        })
        .expect("a go.mod read");
    // Byte for byte the download step's source: the same vertex for BuildKit.
    assert!(
        final_ops.contains(&read.0),
        "{:?}\nfinal sources: {:?}",
        read.1,
        sources(r.log.final_solve.as_ref().expect("final solve"))
            .into_iter()
            .map(|(_, s)| s)
            .collect::<Vec<_>>()
    );
    assert_eq!(read.1.identifier, "local://context");
}

#[test]
fn go_line_newer_than_the_builder_is_rejected() {
    let r = run(
        "",
        &[
            ("go.mod", "module example.com/x\ngo 1.25\n"),
            ("main.go", MAIN_GO),
        ],
        &[],
        ALL_LLB_CAPS,
    );
    let err = r.error();
    assert_eq!(
        err.message,
        "go.mod asks for go 1.25, but the builder image golang:1.25 has Go 1.24.4; set build.builder to a newer image (e.g. golang:1.25) or lower the go line"
    );
}

/// The `llb.customname` of every op in the last Solve.
fn op_names(r: &Run) -> Vec<String> {
    let def = r
        .log
        .final_solve
        .as_ref()
        .and_then(|s| s.definition.clone())
        .expect("definition");
    def.metadata
        .values()
        .filter_map(|m| m.description.get("llb.customname").cloned())
        .collect()
}

#[test]
fn the_gocache_target_runs_gofronts_own_image_and_copies_out_for_a_non_root_builder() {
    // The fake's builder runs as 1000:1000: the export is written below
    // the owned directory and copied out.
    let r = run(
        "",
        HELLO,
        &["target=gocache", "source=gofront:dev"],
        ALL_LLB_CAPS,
    );
    let ret = r.log.returned.as_ref().expect("returned");
    assert!(ret.error.is_none(), "{:?}", ret.error);
    let names = op_names(&r);
    assert!(
        names.iter().any(|n| n == "[gofront] tool gofront:dev"),
        "{names:?}"
    );
    assert!(
        names
            .iter()
            .any(|n| n == "[gofront] collect the Go build cache"),
        "{names:?}"
    );
    // Without a way to tell its own image, gofront says so.
    let r = run("", HELLO, &["target=gocache"], ALL_LLB_CAPS);
    assert!(
        r.error()
            .message
            .starts_with("gofront cannot tell which image it runs from"),
        "{}",
        r.error().message
    );
}

fn call(request: &str, spec: &str, extra: &[&str]) -> (Run, gw::Result) {
    let mut opts = vec![request];
    opts.extend_from_slice(extra);
    let r = run(spec, HELLO, &opts, ALL_LLB_CAPS);
    assert_eq!(r.exit, 0);
    let ret = r.log.returned.clone().expect("returned");
    assert!(ret.error.is_none(), "unexpected error {:?}", ret.error);
    let result = ret.result.expect("result");
    assert!(result.result.is_none(), "a subrequest returns no refs");
    (r, result)
}

fn meta_json(result: &gw::Result) -> serde_json::Value {
    serde_json::from_slice(&result.metadata["result.json"]).expect("result.json")
}

#[test]
fn call_outline_answers_with_the_args_of_the_target() {
    let (r, result) = call(
        "requestid=frontend.outline",
        "# syntax=gofront:dev\n[test]\nflags = [\"-race\"]\n",
        &["target=test", "build-arg:GOFRONT_BUILD_TAGS=netgo"],
    );
    assert_eq!(result.metadata["version"], b"1.0.0");
    assert!(!result.metadata["result.txt"].is_empty());
    let v = meta_json(&result);
    assert_eq!(v["name"], "test");
    let arg = |name: &str| {
        v["args"]
            .as_array()
            .expect("args")
            .iter()
            .find(|a| a["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no arg {name}"))
    };
    assert_eq!(arg("GOFRONT_BUILD_TAGS")["value"], "netgo");
    assert!(arg("GOFRONT_BUILD_TAGS").get("location").is_none());
    assert_eq!(arg("GOFRONT_TEST_FLAGS")["value"], "-race");
    assert_eq!(
        arg("GOFRONT_TEST_FLAGS")["location"]["ranges"][0]["start"]["line"],
        3
    );
    // Only the spec is read: no image is resolved, nothing is built.
    assert!(
        !r.log
            .calls
            .iter()
            .any(|c| c.starts_with("ResolveImageConfig"))
    );
}

#[test]
fn call_outline_of_a_binary_target_names_its_package() {
    let outline = |target: &str| {
        let (_, result) = call(
            "requestid=frontend.outline",
            "",
            &[&format!("target={target}")],
        );
        let v = meta_json(&result);
        (v["name"].clone(), v["description"].clone())
    };
    assert_eq!(
        outline("hello"),
        (
            "hello".into(),
            "The runtime image with only the binary of ., its entrypoint".into()
        )
    );
    // A name no binary has is outlined as asked; the build refuses it.
    assert_eq!(
        outline("nope"),
        (
            "nope".into(),
            "No binary of the spec has this target (--call targets lists them); a build refuses it"
                .into()
        )
    );
}

#[test]
fn call_targets_marks_image_as_the_default() {
    let (r, result) = call("requestid=frontend.targets", "", &[]);
    let v = meta_json(&result);
    let names: Vec<&str> = v["targets"]
        .as_array()
        .expect("targets")
        .iter()
        .map(|t| t["name"].as_str().expect("name"))
        .collect();
    // The built-in targets, then the module's one binary as its own image;
    // the project is read for it, but no image is resolved.
    assert_eq!(
        names,
        [
            "image",
            "binaries",
            "test",
            "gocache",
            "test-report",
            "hello"
        ]
    );
    assert_eq!(v["targets"][0]["default"], true);
    assert!(
        !r.log
            .calls
            .iter()
            .any(|c| c.starts_with("ResolveImageConfig"))
    );
}

#[test]
fn call_check_reports_warnings_as_results_and_exits_1() {
    let (r, result) = call(
        "requestid=frontend.lint",
        "# syntax=gofront:dev\n",
        &["build-arg:UNUSED=1"],
    );
    assert_eq!(result.metadata["result.statuscode"], b"1");
    let v = meta_json(&result);
    assert_eq!(v["warnings"][0]["ruleName"], "UnknownBuildArg");
    assert_eq!(v["warnings"][0]["location"]["sourceIndex"], -1);
    assert_eq!(v["sources"][0]["filename"], "gofront.toml");
    // Warnings travel in the result, not as Warn; the build is not solved.
    assert!(!r.log.calls.iter().any(|c| c.starts_with("Warn")));
    assert!(!r.log.calls.iter().any(|c| c == "Solve(8 ops)"));
}

#[test]
fn call_check_on_a_clean_project_exits_0_and_a_broken_one_reports_the_error() {
    let (_, result) = call("requestid=frontend.lint", "", &[]);
    assert_eq!(result.metadata["result.statuscode"], b"0");
    let (_, result) = call("requestid=frontend.lint", "[build]\ntgas = [\"x\"]\n", &[]);
    assert_eq!(result.metadata["result.statuscode"], b"1");
    let v = meta_json(&result);
    assert_eq!(
        v["buildError"]["message"],
        "gofront.toml:2:1: unknown key \"tgas\" in [build]; did you mean \"tags\"?"
    );
    assert_eq!(v["buildError"]["location"]["ranges"][0]["start"]["line"], 2);
}

#[test]
fn call_describe_and_an_unknown_request() {
    let (_, result) = call("requestid=frontend.subrequests.describe", "", &[]);
    let v = meta_json(&result);
    let names: Vec<&str> = v
        .as_array()
        .expect("list")
        .iter()
        .map(|r| r["name"].as_str().expect("name"))
        .collect();
    assert_eq!(
        names,
        [
            "frontend.outline",
            "frontend.targets",
            "frontend.lint",
            "frontend.subrequests.describe"
        ]
    );
    let r = run("", HELLO, &["requestid=frontend.convertllb"], ALL_LLB_CAPS);
    assert_eq!(r.error().message, "unsupported request frontend.convertllb");
}

#[test]
fn only_the_image_target_resolves_the_runtime_base() {
    for target in ["binaries", "test", "gocache", "test-report"] {
        let r = run(
            "",
            // A passed run's report, which --target test reads.
            &[
                ("go.mod", GO_MOD),
                ("main.go", MAIN_GO),
                ("/dir/report/exit-code", "0\n"),
            ],
            &[&format!("target={target}"), "source=gofront:dev"],
            ALL_LLB_CAPS,
        );
        let ret = r.log.returned.as_ref().expect("returned");
        assert!(ret.error.is_none(), "--target {target}: {:?}", ret.error);
        let resolved: Vec<&String> = r
            .log
            .calls
            .iter()
            .filter(|c| c.starts_with("ResolveImageConfig"))
            .collect();
        assert_eq!(
            resolved,
            ["ResolveImageConfig(golang:1.24, arm64)"],
            "--target {target} resolves the builder only"
        );
    }
    let r = run("", HELLO, &[], ALL_LLB_CAPS);
    assert!(
        r.log
            .calls
            .iter()
            .any(|c| c == "ResolveImageConfig(gcr.io/distroless/static-debian12:nonroot, arm64)"),
        "{:?}",
        r.log.calls
    );
}

#[test]
fn windows_and_darwin_binaries_plan_with_a_linux_only_base() {
    let r = run(
        "",
        HELLO,
        &["platform=windows/amd64,darwin/arm64", "target=binaries"],
        ALL_LLB_CAPS,
    );
    let ret = r.log.returned.as_ref().expect("returned");
    assert!(ret.error.is_none(), "{:?}", ret.error);
    let result = ret.result.as_ref().expect("result");
    let Some(gw::result::Result::Refs(refs)) = &result.result else {
        panic!("two platforms give a ref map");
    };
    assert_eq!(
        refs.refs.keys().collect::<Vec<_>>(),
        ["darwin/arm64", "windows/amd64"]
    );
    // The image target still fails on such a base, with BuildKit's words.
    let r = run(
        "",
        HELLO,
        &["platform=windows/amd64", "target=image"],
        ALL_LLB_CAPS,
    );
    assert!(
        r.log
            .returned
            .as_ref()
            .is_some_and(|ret| ret.error.is_some())
    );
}

#[test]
fn call_check_locations_are_the_same_with_a_byte_order_mark() {
    let spec = "[download]\nenv = { GITHUB_TOKEN = \"x\" }\n";
    let located = |text: &str| {
        let (_, result) = call("requestid=frontend.lint", text, &[]);
        let v = meta_json(&result);
        let w = v["warnings"]
            .as_array()
            .expect("warnings")
            .iter()
            .find(|w| w["ruleName"] == "CredentialsInDownloadEnv")
            .expect("the credentials warning")
            .clone();
        (w["location"].clone(), v["sources"][0]["data"].clone())
    };
    let (plain, plain_data) = located(spec);
    assert_eq!(plain["ranges"][0]["start"]["line"], 2, "{plain}");
    let (bom, bom_data) = located(&format!("\u{feff}{spec}"));
    assert_eq!(bom, plain, "a BOM moves no location");
    // The source sent along is the text the locations point into.
    assert_eq!(bom_data, plain_data);
}

#[test]
fn a_json_spec_is_named_json_in_the_error_source_and_the_check() {
    let spec = "{\"syntax\": \"gofront:dev\", \"build\": {\"tgas\": [\"x\"]}}\n";
    let r = run(spec, HELLO, &[], ALL_LLB_CAPS);
    let err = r.error();
    assert_eq!(err.details[0].type_url, "errdefs.Source");
    let src = errdefs::Source::decode(err.details[0].value.as_slice()).expect("source");
    assert_eq!(src.info.expect("info").language, "json");
    let (_, result) = call("requestid=frontend.lint", spec, &[]);
    assert_eq!(meta_json(&result)["sources"][0]["language"], "json");
    let (_, result) = call("requestid=frontend.lint", "[build]\ntgas = 1\n", &[]);
    assert_eq!(meta_json(&result)["sources"][0]["language"], "toml");
}

#[test]
fn a_located_warning_carries_its_file_and_span_to_buildkit() {
    let spec = "\u{feff}[download]\nenv = { GITHUB_TOKEN = \"x\" }\n";
    let r = run(spec, HELLO, &[], ALL_LLB_CAPS);
    assert!(
        r.log
            .returned
            .as_ref()
            .is_some_and(|ret| ret.error.is_none())
    );
    // Every rule's warning, as --call check lists them: here also the
    // [download] key of a module that requires nothing.
    let short: Vec<String> = r
        .log
        .warnings
        .iter()
        .map(|w| String::from_utf8_lossy(&w.short).into_owned())
        .collect();
    assert_eq!(short.len(), 2, "{short:?}");
    assert!(short[0].starts_with("gofront.toml:2:24: download.env has no effect"));
    let w = &r.log.warnings[1];
    assert!(
        short[1]
            .starts_with("gofront.toml:2:24: download.env.GITHUB_TOKEN looks like a credential"),
        "{short:?}"
    );
    assert_eq!(
        w.detail,
        [b"download.env values are written into the build definition, its cache and its provenance".to_vec()]
    );
    let info = w.info.as_ref().expect("source info");
    assert_eq!(info.filename, "gofront.toml");
    assert_eq!(info.language, "toml");
    // The text the span points into: without the byte order mark.
    assert_eq!(info.data, spec.trim_start_matches('\u{feff}').as_bytes());
    let start = w.ranges[0].start.as_ref().expect("start");
    assert_eq!((start.line, start.character), (2, 23));
}

/// The exec ops of a definition, decoded.
fn execs(def: &pb::Definition) -> Vec<pb::ExecOp> {
    def.def
        .iter()
        .filter_map(|b| match pb::Op::decode(b.as_slice()).ok()?.op {
            Some(pb::op::Op::Exec(e)) => Some(e),
            _ => None,
        })
        .collect()
}

#[test]
fn sbom_returns_one_spdx_attestation_per_platform_written_from_the_solved_image() {
    let r = run(
        "",
        HELLO,
        &[
            "platform=linux/amd64,linux/arm64",
            "attest:sbom=type=sbom",
            "source=gofront:dev",
            "build-arg:SOURCE_DATE_EPOCH=1700000000",
        ],
        ALL_LLB_CAPS,
    );
    let ret = r.log.returned.as_ref().expect("returned");
    assert!(ret.error.is_none(), "{:?}", ret.error);
    let result = ret.result.as_ref().expect("result");
    let Some(gw::result::Result::Refs(refs)) = &result.result else {
        panic!("expected a ref map, got {:?}", result.result);
    };
    // Keyed as refs.platforms names the platforms, one attestation each.
    let keys: Vec<&String> = result.attestations.keys().collect();
    assert_eq!(keys, ["linux/amd64", "linux/arm64"]);
    for (platform, arch) in [("linux/amd64", "amd64"), ("linux/arm64", "arm64")] {
        let list = &result.attestations[platform].attestation;
        assert_eq!(list.len(), 1, "{platform}");
        let a = &list[0];
        assert_eq!(a.kind, gw::AttestationKind::InToto as i32);
        assert_eq!(a.path, "sbom.spdx.json");
        assert_eq!(a.in_toto_predicate_type, "https://spdx.dev/Document");
        assert!(a.in_toto_subjects.is_empty(), "BuildKit names the image");
        assert_eq!(
            a.metadata,
            BTreeMap::from([("reason".to_string(), b"sbom".to_vec())])
        );
        // Its ref is a solve of its own, not the image's: one file op
        // that writes the document gofront made from the image's binary.
        let id = &a.r#ref.as_ref().expect("a ref").id;
        assert_ne!(id, &refs.refs[platform].id);
        let def = r.log.by_id[id].definition.as_ref().expect("definition");
        let image_def = r.log.by_id[&refs.refs[platform].id]
            .definition
            .as_ref()
            .expect("definition");
        let mkfile = mkfile_of(def);
        assert!(execs(def).is_empty(), "no container runs for the SBOM");
        assert_eq!(mkfile.path, "/sbom.spdx.json");
        assert_eq!(mkfile.mode, 0o644);
        let doc: serde_json::Value = serde_json::from_slice(&mkfile.data).expect("JSON");
        assert_eq!(doc["spdxVersion"], "SPDX-2.3");
        assert_eq!(doc["creationInfo"]["created"], "2023-11-14T22:13:20Z");
        assert_eq!(doc["files"][0]["fileName"], format!(".{HELLO_BIN}"));
        // The build ran through gofront keep: its digests, not a hash of
        // the binary's bytes.
        assert_eq!(first_file_sha256(&doc), KEPT_SHA256);
        assert!(
            doc["packages"]
                .as_array()
                .expect("packages")
                .iter()
                .any(|p| p["name"] == "example.com/hello"),
            "{doc}"
        );
        let name = |d: &pb::Definition| {
            d.metadata
                .values()
                .find_map(|m| m.description.get("llb.customname").cloned())
        };
        assert_eq!(name(def).as_deref(), Some("[gofront] SBOM of hello"));
        // The image's own graph is the one without --sbom.
        assert!(
            !image_def
                .metadata
                .values()
                .any(|m| m.description.values().any(|v| v.contains("SBOM"))),
            "the image's definition is the one without --sbom"
        );
        let _ = arch;
    }
    // The image is built now (evaluate), while the binary is read from the
    // go build's output, a solve of its own that comes first.
    for platform in ["linux/amd64", "linux/arm64"] {
        assert!(r.log.by_id[&refs.refs[platform].id].evaluate, "{platform}");
    }
    let first_read = r
        .log
        .calls
        .iter()
        .position(|c| c == &format!("ReadFile({BUILT_HELLO})"))
        .expect("the binary is read");
    let built_solves = r
        .log
        .solves
        .iter()
        .filter(|q| !q.evaluate && q.definition.as_ref().is_some_and(|d| d.def.len() > 3))
        .count();
    assert_eq!(built_solves, 2, "one go build output per platform");
    assert!(
        r.log.calls[..first_read]
            .iter()
            .filter(|c| c.starts_with("Solve("))
            .count()
            >= 3
    );

    // A generator of the user's: no attestation, so BuildKit runs it.
    let r = run(
        "",
        HELLO,
        &[
            "attest:sbom=type=sbom,generator=example/scanner",
            "source=gofront:dev",
        ],
        ALL_LLB_CAPS,
    );
    let result = r.log.returned.expect("returned").result.expect("result");
    assert!(result.attestations.is_empty());

    // A BuildKit without attestations: gofront says so rather than
    // leave it to the scanner; without --sbom it does not ask for the cap.
    let old: Vec<&'static str> = API_CAPS
        .iter()
        .copied()
        .filter(|c| *c != "reference.attestations")
        .collect();
    let r = run_with(
        "",
        HELLO,
        &["attest:sbom=type=sbom", "source=gofront:dev"],
        &old,
        ALL_LLB_CAPS,
    );
    assert_eq!(
        r.error().message,
        "this BuildKit lacks gateway capabilities reference.attestations; gofront needs BuildKit 0.12 or newer (Docker 24+)"
    );
    let r = run_with("", HELLO, &[], &old, ALL_LLB_CAPS);
    assert!(r.log.returned.expect("returned").error.is_none());
    // No image of gofront's is needed (no step runs it).
    let r = run("", HELLO, &["attest:sbom=type=sbom"], ALL_LLB_CAPS);
    // No keep either: the binary is hashed from its bytes.
    assert_eq!(
        first_file_sha256(&only_document(&r)),
        common::sha256_hex(&hello_binary())
    );
    assert!(!r.log.calls.contains(&format!("ReadFile({BUILT_SUMS})")));
    // Digests from gofront keep that lack the binary, or do not parse.
    for (sums, want) in [
        (
            kept_sums("other"),
            "cannot write the SBOM: gofront keep wrote no digests of hello in the go build's output",
        ),
        (
            "hello - x y\n".to_string(),
            "cannot write the SBOM: .gofront-sums line 1: not a SHA-256 in lowercase hex (written by gofront keep in the go build's output)",
        ),
    ] {
        let r = run(
            "",
            &[
                ("go.mod", GO_MOD),
                ("main.go", MAIN_GO),
                (BUILT_SUMS, &sums),
            ],
            &["attest:sbom=type=sbom", "source=gofront:dev"],
            ALL_LLB_CAPS,
        );
        assert_eq!(r.error().message, want);
    }
    // A binary that is not a Go binary: one sentence naming it, no result.
    let r = run(
        "",
        &[
            ("go.mod", GO_MOD),
            ("main.go", MAIN_GO),
            (BUILT_HELLO, "#!/bin/sh\necho hi\n"),
        ],
        &["attest:sbom=type=sbom"],
        ALL_LLB_CAPS,
    );
    assert_eq!(
        r.error().message,
        "cannot write the SBOM: /usr/local/bin/hello is not an ELF binary gofront can read: it does not start with the ELF magic"
    );
}

/// `elf` with `before` bytes ahead of its section table (the header moved
/// to match) and `after` bytes behind it: a binary of several ranges, its
/// padding a pattern so that a range read at the wrong offset hashes
/// differently.
fn padded(elf: &[u8], before: usize, after: usize) -> Vec<u8> {
    let word: [u8; 8] = elf[0x28..0x30].try_into().expect("an ELF header");
    let table_at = u64::from_le_bytes(word) as usize;
    let fill = |n: usize| (0..n).map(|i| (i % 251) as u8);
    let mut out = elf[..table_at].to_vec();
    out.extend(fill(before));
    out.extend_from_slice(&elf[table_at..]);
    out.extend(fill(after));
    out[0x28..0x30].copy_from_slice(&((table_at + before) as u64).to_le_bytes());
    out
}

#[test]
fn sbom_without_keep_hashes_a_long_binary_whole_and_takes_sums_from_go_sum() {
    // 5 MiB before the section table and 8 after: longer than the ranges
    // the header's word asks for, and longer than one read returns.
    let binary = padded(
        &gofront::synthetic_elf(
            "go1.24.4",
            "path\texample.com/hello\nmod\texample.com/hello\t(devel)\t\n\
             dep\texample.com/a\tv1.0.0\nbuild\tGOOS=linux\n",
        ),
        5 << 20,
        (8 << 20) + 12345,
    );
    let sum = "h1:vk+y+ub4oFZ/0P2XKc+4GkXH/JCn/o3OTl/F9RYxAM8=";
    let go_sum = format!(
        "example.com/a v1.0.0 {sum}\nexample.com/a v1.0.0/go.mod h1:zJKM/M05MUeGzK4434bVp/3pr6RcH5sQH+1AWhBWY7k=\n"
    );
    let r = run_bytes(
        "",
        &[
            ("go.mod", GO_MOD.as_bytes().to_vec()),
            ("main.go", MAIN_GO.as_bytes().to_vec()),
            ("go.sum", go_sum.into_bytes()),
            (BUILT_HELLO, binary.clone()),
        ],
        &["attest:sbom=type=sbom"],
        API_CAPS,
        ALL_LLB_CAPS,
    );
    let doc = only_document(&r);
    assert_eq!(first_file_sha256(&doc), common::sha256_hex(&binary));
    let packages = doc["packages"].as_array().expect("packages");
    let package = |name: &str| {
        packages
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("no package {name}: {doc}"))
    };
    // What the binary's build info says, read through its ranges.
    assert_eq!(package("stdlib")["versionInfo"], "go1.24.4");
    assert_eq!(package("example.com/a")["versionInfo"], "v1.0.0");
    // The build info has no sum for the dependency (a vendored build's):
    // the one in the context's go.sum.
    let comment = package("example.com/a")["comment"].as_str().unwrap_or("");
    assert!(comment.contains(&format!("go.sum {sum}")), "{comment}");
}

#[test]
fn a_test_build_warns_about_uncacheable_test_flags_with_the_builders_go() {
    let spec = "[test]\nflags = [\"-race\", \"-count=1\", \"-skip=TestSlow\"]\n";
    // The go line asks for 1.22; the builder image says GOLANG_VERSION=1.24.4,
    // whose go test does not cache -skip yet.
    let go_mod = "module example.com/hello\n\ngo 1.22\n";
    let shorts = |opts: &[&str]| -> Vec<String> {
        let r = run(
            spec,
            &[("go.mod", go_mod), ("main.go", MAIN_GO)],
            opts,
            ALL_LLB_CAPS,
        );
        assert!(
            r.log
                .returned
                .as_ref()
                .is_some_and(|ret| ret.error.is_none())
        );
        r.log
            .warnings
            .iter()
            .map(|w| String::from_utf8_lossy(&w.short).into_owned())
            .filter(|s| s.contains("test.flags"))
            .collect()
    };
    let cacheable =
        "-benchtime, -cpu, -failfast, -fullpath, -list, -parallel, -run, -short, -timeout, -v";
    let remedy = "remove it to let --target test reuse the results of unchanged packages";
    assert_eq!(
        shorts(&["target=test"]),
        [
            format!(
                "gofront.toml:2:9: test.flags: -count=1 makes go test run every test each time: Go 1.24 reuses a cached result only when every test flag is one of {cacheable}; {remedy}"
            ),
            format!(
                "gofront.toml:2:9: test.flags: -skip=TestSlow makes go test run every test each time: Go 1.24 reuses a cached result only when every test flag is one of {cacheable}; {remedy}"
            ),
        ]
    );
    // The image does not run the tests: nothing to say about their flags.
    assert_eq!(shorts(&[]), Vec::<String>::new());
}

/// `--target test` through `gofront testreport`: the step always succeeds
/// (its report is a result BuildKit keeps), and the gateway fails the
/// build with the report's summary when the recorded exit code says the
/// tests failed; `--target test-report` returns the report whatever it says.
#[test]
fn the_test_target_fails_on_the_recorded_exit_code_and_the_report_target_does_not() {
    let opts = &["target=test", "source=gofront:dev"][..];
    let failed = "2 of 5 tests failed in 1 packages: example.com/a: TestX, TestY\n";
    let r = run(
        "",
        &[
            ("go.mod", GO_MOD),
            ("/dir/report/exit-code", "1\n"),
            ("/dir/report/summary.txt", failed),
        ],
        opts,
        ALL_LLB_CAPS,
    );
    assert_eq!(
        r.error().message,
        "go test failed: 2 of 5 tests failed in 1 packages: example.com/a: TestX, TestY (--target test-report exports the report)"
    );
    assert!(
        r.log
            .calls
            .iter()
            .any(|c| c == "ReadFile(/dir/report/exit-code)"),
        "{:?}",
        r.log.calls
    );
    let r = run(
        "",
        &[
            ("go.mod", GO_MOD),
            ("/dir/report/exit-code", "0\n"),
            (
                "/dir/report/summary.txt",
                "5 tests passed (0 skipped) in 1 packages\n",
            ),
        ],
        opts,
        ALL_LLB_CAPS,
    );
    let ret = r.log.returned.as_ref().expect("returned");
    assert!(ret.error.is_none(), "{:?}", ret.error);
    // No report where the plan says the step writes one: a bug, said so.
    let r = run("", &[("go.mod", GO_MOD)], opts, ALL_LLB_CAPS);
    assert_eq!(
        r.error().message,
        "internal error in gofront: the test step wrote no report at /dir/report/exit-code"
    );
    // The report target returns the report without reading it.
    let r = run(
        "",
        &[
            ("go.mod", GO_MOD),
            ("/dir/report/exit-code", "1\n"),
            ("/dir/report/summary.txt", failed),
        ],
        &["target=test-report", "source=gofront:dev"],
        ALL_LLB_CAPS,
    );
    let ret = r.log.returned.as_ref().expect("returned");
    assert!(ret.error.is_none(), "{:?}", ret.error);
    assert!(
        !r.log
            .calls
            .iter()
            .any(|c| c.starts_with("ReadFile(/dir/report"))
    );
    assert!(
        op_names(&r)
            .iter()
            .any(|n| n == "[gofront] collect the test report")
    );
    // Without gofront's own image there is no report to export.
    let r = run(
        "",
        &[("go.mod", GO_MOD)],
        &["target=test-report"],
        ALL_LLB_CAPS,
    );
    assert!(
        r.error()
            .message
            .starts_with("gofront cannot tell which image it runs from"),
        "{}",
        r.error().message
    );
}

/// A module whose main packages are cmd/* directories and whose root has
/// no main package: found through ReadDir and the start of each Go file,
/// every one a target of its own, the image holds them all.
#[test]
fn without_build_packages_the_cmd_directories_are_found_through_read_dir() {
    let licence = format!("// {}\n", "licence text ".repeat(8));
    let buried = format!("/*{}*/\npackage main\n", " ".repeat(20 << 10));
    let api = format!("{licence}\n// Command api.\npackage main\n\nfunc main() {{}}\n");
    let files: Vec<(&str, &str)> = vec![
        ("go.mod", GO_MOD),
        (".dockerignore", "cmd/hidden\n"),
        ("doc.go", "// Package hello.\npackage hello\n"),
        ("gen.go", "//go:build ignore\n\npackage main\n"),
        ("cmd/api/main.go", &api),
        ("cmd/api/main_test.go", MAIN_GO),
        ("cmd/worker/worker.go", MAIN_GO),
        ("cmd/hidden/main.go", MAIN_GO),
        ("cmd/shared/shared.go", "package shared\n"),
        // Its package clause is past what gofront reads of a file.
        ("cmd/buried/main.go", &buried),
        ("internal/x/x.go", "package x\n"),
        ("README.md", "# hello\n"),
    ];
    let r = run("# syntax=gofront:dev\n", &files, &[], ALL_LLB_CAPS);
    let ret = r.log.returned.as_ref().expect("returned");
    assert!(ret.error.is_none(), "{:?}", ret.error);
    let calls = &r.log.calls;
    let listed: Vec<&str> = calls
        .iter()
        .filter(|c| c.starts_with("ReadDir"))
        .map(String::as_str)
        .collect();
    // Only what the scan selected is in the ref: no internal/, no hidden
    // directory, no README.
    let mut sorted = listed.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        [
            "ReadDir(.)",
            "ReadDir(cmd)",
            "ReadDir(cmd/api)",
            "ReadDir(cmd/buried)",
            "ReadDir(cmd/shared)",
            "ReadDir(cmd/worker)",
        ]
    );
    let read = |p: &str| calls.iter().any(|c| *c == format!("ReadFile({p})"));
    assert!(read("doc.go") && read("gen.go") && read("cmd/api/main.go"));
    assert!(!read("cmd/api/main_test.go") && !read("cmd/hidden/main.go"));
    assert!(!read("internal/x/x.go") && !read("README.md"));
    // The scan's source: the root's and cmd/*'s Go files, .dockerignore's
    // patterns, then tests.
    let scan = r
        .log
        .solves
        .iter()
        .find(|s| local_patterns(s).0.contains(&"cmd/*/*.go".to_string()))
        .expect("the scan's solve");
    assert_eq!(
        local_patterns(scan),
        (
            vec!["*.go".to_string(), "cmd/*/*.go".to_string()],
            vec!["cmd/hidden".to_string(), "**/*_test.go".to_string()]
        )
    );
    // One go build of both; the image has both, the first its entrypoint.
    let def = r
        .log
        .final_solve
        .as_ref()
        .and_then(|s| s.definition.as_ref())
        .expect("definition");
    let build = def
        .def
        .iter()
        .filter_map(|b| match pb::Op::decode(b.as_slice()).ok()?.op {
            Some(pb::op::Op::Exec(e)) => e.meta.map(|m| m.args),
            _ => None,
        })
        .find(|args| args.iter().any(|a| a == "build"))
        .expect("a go build");
    assert_eq!(build[build.len() - 2..], ["./cmd/api", "./cmd/worker"]);
    let result = ret.result.as_ref().expect("result");
    let cfg: serde_json::Value =
        serde_json::from_slice(&result.metadata["containerimage.config"]).expect("config");
    assert_eq!(
        cfg["config"]["Entrypoint"],
        serde_json::json!(["/usr/local/bin/api"])
    );

    // --call targets: each binary is a target of its own.
    let r = run(
        "# syntax=gofront:dev\n",
        &files,
        &["requestid=frontend.targets"],
        ALL_LLB_CAPS,
    );
    let ret = r.log.returned.expect("returned");
    let v = meta_json(&ret.result.expect("result"));
    let names: Vec<&str> = v["targets"]
        .as_array()
        .expect("targets")
        .iter()
        .map(|t| t["name"].as_str().expect("name"))
        .collect();
    assert_eq!(
        names,
        [
            "image",
            "binaries",
            "test",
            "gocache",
            "test-report",
            "api",
            "worker"
        ]
    );
    // --call outline: build.packages' value is what was found.
    let r = run(
        "# syntax=gofront:dev\n",
        &files,
        &["requestid=frontend.outline"],
        ALL_LLB_CAPS,
    );
    let ret = r.log.returned.expect("returned");
    let v = meta_json(&ret.result.expect("result"));
    let packages = v["args"]
        .as_array()
        .expect("args")
        .iter()
        .find(|a| a["name"] == "GOFRONT_BUILD_PACKAGES")
        .expect("GOFRONT_BUILD_PACKAGES");
    assert_eq!(packages["value"], "./cmd/api,./cmd/worker");
}

/// An engine without ReadDir is named before the scan is solved; a spec
/// that names its packages, or a test build, never needs it.
#[test]
fn finding_main_packages_needs_read_dir_and_a_spec_with_packages_does_not() {
    let old: Vec<&'static str> = API_CAPS
        .iter()
        .copied()
        .filter(|c| *c != "readdir")
        .collect();
    let r = run_with("", HELLO, &[], &old, ALL_LLB_CAPS);
    assert!(
        r.error()
            .message
            .contains("this BuildKit lacks gateway capabilities readdir"),
        "{}",
        r.error().message
    );
    let r = run_with(
        "[build]\npackages = [\".\"]\n",
        HELLO,
        &[],
        &old,
        ALL_LLB_CAPS,
    );
    let ret = r.log.returned.expect("returned");
    assert!(ret.error.is_none(), "{:?}", ret.error);
    assert!(!r.log.calls.iter().any(|c| c.starts_with("ReadDir")));
    let r = run_with("", HELLO, &["target=test"], &old, ALL_LLB_CAPS);
    let ret = r.log.returned.expect("returned");
    assert!(ret.error.is_none(), "{:?}", ret.error);
    assert!(!r.log.calls.iter().any(|c| c.starts_with("ReadDir")));
}
