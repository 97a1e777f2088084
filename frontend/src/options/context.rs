//! Named build contexts (`--build-context NAME=...`) as buildx sends them.

use super::error::OptionsError;
use super::keys;

/// The named build context that seeds the Go build cache
/// (`--build-context gocache=...`).
pub const GOCACHE_CONTEXT: &str = "gocache";

/// Where a named build context (`--build-context NAME=...`) comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContextSource {
    /// A directory of the client, synced as the local of this name.
    Local(String),
    /// An image reference.
    Image(String),
    /// An image in an OCI layout the client holds: the store id and the
    /// reference (with digest) BuildKit loads from it.
    OciLayout {
        /// The client-side store (`oci.store`).
        store: String,
        /// `<store>@sha256:...`, as buildx sends it.
        reference: String,
    },
    /// Anything else (git, https, `input:`), kept as given.
    Other(String),
}

impl ContextSource {
    /// Reads a `context:NAME` value as buildx sends it.
    pub fn parse(value: &str) -> Self {
        if let Some(name) = value.strip_prefix(keys::LOCAL_PREFIX) {
            ContextSource::Local(name.to_string())
        } else if let Some(r) = value.strip_prefix(keys::IMAGE_PREFIX) {
            ContextSource::Image(r.to_string())
        } else if let Some(r) = value.strip_prefix(keys::OCI_LAYOUT_PREFIX) {
            // `<store>[:tag]@sha256:...`: the store id is the name part.
            let name = r.split('@').next().unwrap_or(r);
            let store = match name.rsplit_once(':') {
                Some((n, tag)) if !tag.contains('/') => n,
                _ => name,
            };
            ContextSource::OciLayout {
                store: store.to_string(),
                reference: r.to_string(),
            }
        } else {
            ContextSource::Other(value.to_string())
        }
    }
}

/// A named context's value that BuildKit cannot load: an image reference
/// its reference grammar refuses; an OCI layout is loaded by digest
/// (buildx adds `@sha256:...`; buildctl and raw options must write it).
pub(super) fn check_context(name: &str, value: &str) -> Result<(), OptionsError> {
    if let Some(r) = value.strip_prefix(keys::IMAGE_PREFIX) {
        return super::reference::check(r).map_err(|reason| OptionsError::ImageReference {
            name: name.to_string(),
            value: value.to_string(),
            reason: reason.to_string(),
        });
    }
    let Some(r) = value.strip_prefix(keys::OCI_LAYOUT_PREFIX) else {
        return Ok(());
    };
    let digest = r.rsplit_once('@').map(|(_, d)| d);
    if digest.is_some_and(is_digest) {
        Ok(())
    } else {
        Err(OptionsError::OciLayoutDigest {
            name: name.to_string(),
            value: value.to_string(),
        })
    }
}

/// An OCI digest: `sha256:` and 64, `sha384:` and 96 or `sha512:` and
/// 128 lowercase hex digits.
fn is_digest(d: &str) -> bool {
    let Some((algorithm, hex)) = d.split_once(':') else {
        return false;
    };
    let len = match algorithm {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => return false,
    };
    hex.len() == len && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}
