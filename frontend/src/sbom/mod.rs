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
//! - `tool`: `gofront sbom`, the in-step edge that runs `go version -m`,
//!   hashes the binaries and writes the file (the only I/O here).
//!
//! **Invariant:** everything but `tool` is pure, and the same input gives
//! the same bytes (no clock, no randomness, sorted output).

pub mod buildinfo;
pub mod gosum;
pub mod purl;
pub mod sha1;
pub mod spdx;
pub mod tool;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

/// The in-toto predicate type of an SPDX document; BuildKit's
/// `sbom.HasSBOM` (frontend/attestations/sbom/sbom.go) looks for it in a
/// result's attestations and then skips its scanner.
pub const PREDICATE_TYPE: &str = "https://spdx.dev/Document";
/// Attestation metadata key and value BuildKit's own scanner sets
/// (solver/result/attestation.go: `AttestationReasonKey`,
/// `AttestationReasonSBOM`).
pub const METADATA_REASON: (&str, &str) = ("reason", "sbom");
/// The file the in-step tool writes in its output, and the attestation's
/// `path` (the local exporter writes the attestation under that name,
/// exporter/local/fs.go). gofront sets no `sbom-core` metadata, so BuildKit
/// does not decode and re-encode the document
/// (exporter/containerimage/attestations.go, `supplementSBOM`): its bytes
/// reach the registry as written.
pub const ATTESTATION_PATH: &str = "sbom.spdx.json";

/// The attestation for one platform's SBOM, for `Result.attestations`
/// keyed by the platform ID (gateway.proto `Attestation`): the document is
/// the file `ATTESTATION_PATH` in the solved ref `ref_id` (the in-step
/// tool's output), of kind `InToto` so that file *is* the predicate and
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
