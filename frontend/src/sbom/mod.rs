//! The SBOM of an image gofront builds: an SPDX 2.3 JSON document per
//! platform, from what `go version -m` says about each binary, returned to
//! BuildKit as an in-toto attestation so its own scanner never runs (see
//! docs/sbom.md for the protocol and the wiring).
//!
//! - `buildinfo`: the text of `go version -m` read back into data.
//! - `spdx`: that data, the binaries' hashes and the base image into the
//!   document's bytes.
//! - `gosum`: go.sum's hashes, and `h1:` as an SPDX checksum.
//! - `purl`: package URLs for Go modules and OCI images.
//! - `sha1`: the SHA-1 SPDX 2.3 requires of every file.
//! - `binary`: the build info inside a Go binary's bytes, read as
//!   `go version -m` reads it; the gateway reads the ranges it names from
//!   the solved image (no build step, no container).
//! - `sums`: the digests `gofront keep` writes beside the binaries, so
//!   the gateway need not read their bytes.
//!
//! **Invariant:** all of it is pure, and the same input gives the same
//! bytes (no clock, no randomness, sorted output).

pub mod binary;
pub mod buildinfo;
pub mod gosum;
pub mod purl;
pub mod sha1;
pub mod spdx;
pub mod sums;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use serde::Serialize;
use sha2::{Digest, Sha256};

use self::buildinfo::BuildInfo;
use self::sha1::Sha1;
use self::spdx::{BaseImage, BinaryFile, SbomInput};

/// The in-toto predicate type of an SPDX document; BuildKit's
/// `sbom.HasSBOM` (frontend/attestations/sbom/sbom.go) looks for it in a
/// result's attestations and then skips its scanner.
pub const PREDICATE_TYPE: &str = "https://spdx.dev/Document";
/// Attestation metadata key and value BuildKit's own scanner sets
/// (solver/result/attestation.go: `AttestationReasonKey`,
/// `AttestationReasonSBOM`).
pub const METADATA_REASON: (&str, &str) = ("reason", "sbom");
/// The file of the SBOM's own ref, and the attestation's `path` (the local
/// exporter writes the attestation under that name,
/// exporter/local/fs.go). gofront sets no `sbom-core` metadata, so BuildKit
/// does not decode and re-encode the document
/// (exporter/containerimage/attestations.go, `supplementSBOM`): its bytes
/// reach the registry as written.
pub const ATTESTATION_PATH: &str = "sbom.spdx.json";

/// The attestation for one platform's SBOM, for `Result.attestations`
/// keyed by the platform ID (gateway.proto `Attestation`): the document is
/// the file `ATTESTATION_PATH` in the solved ref `ref_id` (a file op that
/// writes the document), of kind `InToto` so that file *is* the predicate and
/// BuildKit writes the statement around it, with no subjects so BuildKit
/// names the platform's image (`Self`; exporter/attestation/make.go).
pub fn attestation(ref_id: &str) -> crate::proto::gateway::Attestation {
    use crate::proto::gateway as gw;
    gw::Attestation {
        kind: gw::AttestationKind::InToto as i32,
        metadata: BTreeMap::from([(
            METADATA_REASON.0.to_string(),
            METADATA_REASON.1.as_bytes().to_vec(),
        )]),
        r#ref: Some(gw::Ref {
            id: ref_id.to_string(),
            def: None,
        }),
        path: ATTESTATION_PATH.to_string(),
        in_toto_predicate_type: PREDICATE_TYPE.to_string(),
        in_toto_subjects: Vec::new(),
    }
}

/// Bytes as lowercase hex, as every digest in the document is written.
pub fn lower_hex(bytes: &[u8]) -> String {
    hex::encode(bytes)
}

/// What the plan decides about one platform's SBOM before anything is
/// built; the binaries' hashes and build info are read from the solved
/// image afterwards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentPlan {
    /// The document's name: the image name, else the main module path.
    pub name: String,
    /// Creation time, seconds since the epoch (SOURCE_DATE_EPOCH, else the
    /// build's start).
    pub created: i64,
    /// The runtime base as resolved; `None` for scratch.
    pub base: Option<BaseImage>,
    /// The version `{{.Version}}` resolves to, when the build states one.
    pub main_version: Option<String>,
    /// Each binary's absolute path in the image.
    pub binaries: Vec<String>,
}

impl DocumentPlan {
    /// The document's input, given what was read of each binary (in the
    /// order of `binaries`) and go.sum's text.
    pub fn input(&self, read: Vec<(FileDigests, BuildInfo)>, go_sum: Option<String>) -> SbomInput {
        SbomInput {
            name: self.name.clone(),
            created: self.created,
            tool: format!("gofront-{}", env!("CARGO_PKG_VERSION")),
            binaries: self
                .binaries
                .iter()
                .zip(read)
                .map(|(path, (d, info))| BinaryFile {
                    path: path.clone(),
                    sha256: d.sha256,
                    sha1: d.sha1,
                    info,
                })
                .collect(),
            base: self.base.clone(),
            main_version: self.main_version.clone(),
            go_sum,
        }
    }
}

/// A file's digests: SHA-256 and SHA-1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDigests {
    /// Lowercase hex SHA-256.
    pub sha256: String,
    /// Lowercase hex SHA-1.
    pub sha1: String,
}

impl FileDigests {
    /// Both digests of `data`, each on a thread of its own (a binary is
    /// tens of MB, and this runs on the build's path).
    pub fn of(data: &[u8]) -> FileDigests {
        std::thread::scope(|s| {
            let sha1 = s.spawn(|| self::sha1::hex(data));
            let sha256 = lower_hex(&Sha256::digest(data));
            // A thread that panicked: hash here instead.
            let sha1 = sha1.join().unwrap_or_else(|_| self::sha1::hex(data));
            FileDigests { sha256, sha1 }
        })
    }
}

/// Both digests of a file, fed in pieces.
#[derive(Default)]
pub struct Digester {
    sha256: Sha256,
    sha1: Sha1,
}

impl Digester {
    /// Adds the next bytes.
    pub fn update(&mut self, b: &[u8]) {
        self.sha256.update(b);
        self.sha1.update(b);
    }

    /// The digests of everything fed.
    pub fn finish(self) -> FileDigests {
        FileDigests {
            sha256: lower_hex(&self.sha256.finalize()),
            sha1: self.sha1.hex(),
        }
    }
}

/// What the `attest:sbom` frontend option asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SbomRequest {
    /// `--sbom=true`: gofront writes the SBOM itself.
    Gofront,
    /// `--sbom=generator=IMAGE`: the user named a generator; gofront adds
    /// no SBOM of its own, so BuildKit's SBOM processor runs that image
    /// over the result (control/control.go), with the other parameters as
    /// its `BUILDKIT_SCAN_*` environment, exactly as for any frontend.
    Generator {
        /// The image, as the user wrote it.
        image: String,
        /// The other `key=value` parameters.
        params: BTreeMap<String, String>,
    },
}

impl SbomRequest {
    /// Reads the option's value as BuildKit reads it
    /// (frontend/attestations/parse.go: CSV fields of `key=value`; buildx
    /// sends `type=sbom` for `--sbom=true` and
    /// `type=sbom,generator=IMAGE` for `--sbom=generator=IMAGE`). gofront
    /// sees the value as the client sent it, before BuildKit fills in its
    /// default generator, so any generator here is the user's choice.
    pub fn parse(value: &str) -> SbomRequest {
        let mut params = BTreeMap::new();
        let mut generator = None;
        for field in csv_fields(value) {
            let (k, v) = field.split_once('=').unwrap_or((field.as_str(), ""));
            match k {
                "generator" => generator = Some(v.to_string()),
                "type" => {}
                _ => {
                    params.insert(k.to_string(), v.to_string());
                }
            }
        }
        match generator {
            Some(image) if !image.is_empty() => SbomRequest::Generator { image, params },
            _ => SbomRequest::Gofront,
        }
    }
}

/// The fields of one CSV record: commas split, double quotes group and
/// `""` is a quote (the subset of RFC 4180 buildx writes).
fn csv_fields(s: &str) -> Vec<String> {
    let mut fields = Vec::new();
    if s.is_empty() {
        return fields;
    }
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    fields.push(cur);
    fields
}
