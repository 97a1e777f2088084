//! A [`Host`] on the local disk, for `gofront llb`: the same pipeline as
//! inside BuildKit, with no engine. Images are not resolved (the plan falls
//! back to documented defaults), the build platform is linux/amd64, the
//! session id and the clock are fixed so that output is reproducible.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::driver::{Host, HostError, Resolved};
use crate::options::{Options, Platform};

/// The image `gofront llb` names for the cache tool: the one
/// `scripts/testbed gofront` builds.
pub const LOCAL_TOOL_IMAGE: &str = "gofront:dev";

/// Session id used for local sources in offline output.
pub const LOCAL_SESSION: &str = "gofront-local-session";

/// Reads the spec and the context from directories on disk.
#[derive(Debug, Default)]
pub struct LocalHost {
    /// The build context directory.
    pub context: PathBuf,
    /// The spec file.
    pub spec: PathBuf,
    /// Pretend the engine supports MergeOp.
    pub merge: bool,
}

impl Host for LocalHost {
    async fn read_spec(&self, _options: &Options) -> Result<Vec<u8>, HostError> {
        std::fs::read(&self.spec).map_err(|source| HostError::Io {
            path: self.spec.clone(),
            source,
        })
    }

    async fn read_context(
        &self,
        _options: &Options,
        paths: &[String],
    ) -> Result<BTreeMap<String, Vec<u8>>, HostError> {
        let mut out = BTreeMap::new();
        for p in paths {
            let full = self.context.join(p);
            match std::fs::read(&full) {
                Ok(b) => {
                    out.insert(p.clone(), b);
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => return Err(HostError::Io { path: full, source }),
            }
        }
        Ok(out)
    }

    async fn resolve_image(
        &self,
        _reference: &str,
        _platform: &Platform,
        _options: &Options,
    ) -> Result<Option<Resolved>, HostError> {
        Ok(None)
    }

    async fn warn(&self, message: &str) {
        tracing::warn!("{message}");
    }

    fn build_platform(&self) -> Platform {
        Platform::linux_amd64()
    }

    fn merge_supported(&self) -> bool {
        self.merge
    }

    fn session_id(&self) -> String {
        LOCAL_SESSION.to_string()
    }

    fn now(&self) -> i64 {
        0
    }

    fn runnable_platforms(&self) -> Vec<Platform> {
        vec![Platform::linux_amd64()]
    }

    fn tool_image(&self, _options: &Options) -> Option<String> {
        Some(LOCAL_TOOL_IMAGE.to_string())
    }
}
