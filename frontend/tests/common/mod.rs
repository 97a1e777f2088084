//! Shared helpers: run the whole pipeline on an example, offline.

#![allow(dead_code, clippy::expect_used, clippy::unwrap_used)]

use std::path::PathBuf;

use gofront::{FrontendError, Generated, LocalHost, Options, PlatformBuild};

/// The repository's `examples/` directory.
pub fn examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

/// Runs parse → plan → lower → marshal on `examples/<name>` with the given
/// frontend options (as BuildKit would pass them).
pub fn generate(
    name: &str,
    opts: &[(&str, &str)],
    merge: bool,
) -> Result<Generated, FrontendError> {
    let dir = examples().join(name);
    generate_in(dir.clone(), dir.join("gofront.toml"), opts, merge)
}

/// Same, for any context directory and spec path.
pub fn generate_in(
    context: PathBuf,
    spec: PathBuf,
    opts: &[(&str, &str)],
    merge: bool,
) -> Result<Generated, FrontendError> {
    let mut all: Vec<(&str, &str)> = vec![("filename", "gofront.toml")];
    all.extend_from_slice(opts);
    let options = Options::parse(all).map_err(|e| FrontendError::Plan(e.into()))?;
    let host = LocalHost {
        context,
        spec,
        merge,
    };
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime")
        .block_on(generate_on(&host, &options))
}

/// The pipeline on `host`, lowered: what the gateway solves.
pub async fn generate_on(
    host: &impl gofront::Host,
    options: &Options,
) -> Result<Generated, FrontendError> {
    let report = gofront::generate(host, options)
        .await
        .map_err(|f| f.error)?;
    gofront::lower_all(&report)
}

/// The one platform's build of a single-platform result.
pub fn only(g: Generated) -> PlatformBuild {
    assert!(!g.multi_platform, "expected a single-platform result");
    let mut builds = g.builds;
    assert_eq!(builds.len(), 1, "expected one platform");
    builds.remove(0)
}

/// A [`gofront::Host`] whose files are in memory: the whole pipeline with
/// no disk and no engine, for table tests and the fuzz harness. Reads are
/// capped as the real hosts cap them.
#[derive(Debug, Default)]
pub struct MemoryHost {
    /// The spec file's bytes.
    pub spec: Vec<u8>,
    /// Files of the build context by path.
    pub files: std::collections::BTreeMap<String, Vec<u8>>,
}

fn capped(b: &[u8]) -> Vec<u8> {
    b.get(..b.len().min(gofront::MAX_FILE_BYTES + 1))
        .unwrap_or(b)
        .to_vec()
}

impl gofront::Host for MemoryHost {
    async fn read_spec(&self, _options: &Options) -> Result<Vec<u8>, gofront::HostError> {
        Ok(capped(&self.spec))
    }

    async fn read_context(
        &self,
        _options: &Options,
        paths: &[String],
    ) -> Result<std::collections::BTreeMap<String, Vec<u8>>, gofront::HostError> {
        Ok(paths
            .iter()
            .filter_map(|p| self.files.get(p).map(|b| (p.clone(), capped(b))))
            .collect())
    }

    async fn read_heads(
        &self,
        _options: &Options,
        scan: &gofront::Scan,
    ) -> Result<gofront::Heads, gofront::HostError> {
        let matcher = scan.matcher().map_err(gofront::HostError::Refused)?;
        let selected = self.files.keys().filter(|p| matcher.selects(p)).cloned();
        let (picked, truncated) = scan.pick(selected);
        let files = picked
            .into_iter()
            .filter_map(|p| {
                let b = self.files.get(&p)?;
                Some((
                    p,
                    b.get(..b.len().min(scan.head_bytes)).unwrap_or(b).to_vec(),
                ))
            })
            .collect();
        Ok(gofront::Heads { files, truncated })
    }

    async fn resolve_image(
        &self,
        _reference: &str,
        _platform: &gofront::Platform,
        _options: &Options,
    ) -> Result<Option<gofront::Resolved>, gofront::HostError> {
        Ok(None)
    }

    async fn facts(&self, _options: &Options) -> gofront::HostFacts {
        gofront::HostFacts {
            build_platform: gofront::Platform::linux_amd64(),
            runnable_platforms: vec![gofront::Platform::linux_amd64()],
            merge_supported: true,
            session_id: "memory".to_string(),
            now: 0,
            tool_image: Some("gofront:dev".to_string()),
        }
    }
}

/// Runs the whole pipeline on in-memory inputs: options as BuildKit sends
/// them (`filename=gofront.toml` first), then the spec and files.
pub fn generate_memory(
    runtime: &tokio::runtime::Runtime,
    spec: &[u8],
    files: &[(&str, &[u8])],
    opts: &[(&str, &str)],
) -> Result<Generated, FrontendError> {
    let mut all: Vec<(&str, &str)> = vec![("filename", "gofront.toml")];
    all.extend_from_slice(opts);
    let options = Options::parse(all).map_err(|e| FrontendError::Plan(e.into()))?;
    let host = MemoryHost {
        spec: spec.to_vec(),
        files: files
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_vec()))
            .collect(),
    };
    runtime.block_on(generate_on(&host, &options))
}

/// A runtime for [`generate_memory`], made once per test.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime")
}

/// The SHA-256 of `bytes` in lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
