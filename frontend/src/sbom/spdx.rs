//! The SPDX 2.3 JSON document for one platform's image, from what
//! `go version -m` says about each binary in it.
//!
//! **Invariant:** the same input gives the same bytes: packages, files and
//! relationships are sorted, every SPDXID is a hash of what it names, the
//! document namespace is a hash of the document, the time is the caller's
//! (SOURCE_DATE_EPOCH). The bytes are compact JSON with `<`, `>`, `&`,
//! U+2028 and U+2029 escaped as Go's `encoding/json` escapes them, because
//! BuildKit puts the document in the in-toto statement with Go's
//! `json.Marshal` of a `json.RawMessage` (exporter/attestation/make.go),
//! which compacts and escapes: our bytes pass through unchanged.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::buildinfo::{BuildInfo, Module};
use super::gosum::{go_sum_hashes, h1_to_sha256_hex};
use super::purl;

/// One Go binary in the image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BinaryFile {
    /// Its absolute path in the image (`/app`).
    pub path: String,
    /// The lowercase hex SHA-256 of its bytes.
    pub sha256: String,
    /// The lowercase hex SHA-1 of its bytes (SPDX 2.3 requires one).
    pub sha1: String,
    /// What `go version -m` printed for it.
    pub info: BuildInfo,
}

/// The runtime base the binaries were put on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BaseImage {
    /// The reference as the plan names it (`gcr.io/distroless/static:nonroot`).
    pub reference: String,
    /// Its resolved digest (`sha256:...`); none on Docker's classic store.
    pub digest: Option<String>,
}

/// Everything one document is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SbomInput {
    /// The document's name: the image name, else the main module path.
    pub name: String,
    /// Creation time, seconds since the epoch (SOURCE_DATE_EPOCH).
    pub created: i64,
    /// The creator tool, `gofront-<version>`.
    pub tool: String,
    /// The Go binaries in the image.
    pub binaries: Vec<BinaryFile>,
    /// The runtime base; `None` for scratch.
    pub base: Option<BaseImage>,
    /// The version `{{.Version}}` resolved to; stands in for a main module
    /// Go only knows as `(devel)`.
    pub main_version: Option<String>,
    /// The text of go.sum: the hashes Go leaves out of a `-mod=vendor`
    /// build's build info.
    pub go_sum: Option<String>,
}

const DEVEL: &str = "(devel)";
const NOASSERTION: &str = "NOASSERTION";

#[derive(Serialize)]
struct Document {
    #[serde(rename = "spdxVersion")]
    spdx_version: &'static str,
    #[serde(rename = "dataLicense")]
    data_license: &'static str,
    #[serde(rename = "SPDXID")]
    spdx_id: &'static str,
    name: String,
    #[serde(rename = "documentNamespace")]
    namespace: String,
    #[serde(rename = "creationInfo")]
    creation_info: CreationInfo,
    packages: Vec<Package>,
    files: Vec<File>,
    relationships: Vec<Relationship>,
}

#[derive(Serialize)]
struct CreationInfo {
    created: String,
    creators: Vec<String>,
}

#[derive(Serialize, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Package {
    name: String,
    #[serde(rename = "SPDXID")]
    spdx_id: String,
    #[serde(rename = "versionInfo", skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    #[serde(rename = "downloadLocation")]
    download_location: &'static str,
    #[serde(rename = "filesAnalyzed")]
    files_analyzed: bool,
    #[serde(
        rename = "packageVerificationCode",
        skip_serializing_if = "Option::is_none"
    )]
    verification_code: Option<VerificationCode>,
    #[serde(rename = "hasFiles", skip_serializing_if = "Vec::is_empty")]
    has_files: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    checksums: Vec<Checksum>,
    #[serde(rename = "externalRefs", skip_serializing_if = "Vec::is_empty")]
    external_refs: Vec<ExternalRef>,
    #[serde(rename = "primaryPackagePurpose")]
    purpose: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<String>,
}

#[derive(Serialize, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct VerificationCode {
    #[serde(rename = "packageVerificationCodeValue")]
    value: String,
}

#[derive(Serialize, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Checksum {
    algorithm: &'static str,
    #[serde(rename = "checksumValue")]
    value: String,
}

#[derive(Serialize, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct ExternalRef {
    #[serde(rename = "referenceCategory")]
    category: &'static str,
    #[serde(rename = "referenceType")]
    kind: &'static str,
    #[serde(rename = "referenceLocator")]
    locator: String,
}

#[derive(Serialize)]
struct File {
    #[serde(rename = "fileName")]
    name: String,
    #[serde(rename = "SPDXID")]
    spdx_id: String,
    checksums: Vec<Checksum>,
    #[serde(rename = "fileTypes")]
    types: Vec<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    annotations: Vec<Annotation>,
}

#[derive(Serialize)]
struct Annotation {
    #[serde(rename = "annotationDate")]
    date: String,
    #[serde(rename = "annotationType")]
    kind: &'static str,
    annotator: String,
    comment: String,
}

#[derive(Serialize, PartialEq, Eq, PartialOrd, Ord)]
struct Relationship {
    #[serde(rename = "spdxElementId")]
    element: String,
    #[serde(rename = "relationshipType")]
    kind: &'static str,
    #[serde(rename = "relatedSpdxElement")]
    related: String,
}

/// The SPDX ID for a thing of `kind` named by `parts`: a hash, so the same
/// module gets the same ID in every document and two never collide.
fn spdx_id(prefix: &str, parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    let hex = super::lower_hex(&h.finalize()[..8]);
    format!("SPDXRef-{prefix}-{hex}")
}

fn module_package(
    m: &Module,
    main: bool,
    main_version: Option<&str>,
    sums: &BTreeMap<(String, String), String>,
) -> Package {
    let linked = m.effective();
    let mut notes: Vec<String> = Vec::new();
    let (name, version) = if linked.is_directory() {
        notes.push(format!("replaced by the directory {}", linked.path));
        (m.path.clone(), None)
    } else {
        if m.replace.is_some() {
            notes.push(format!("replaces {} {}", m.path, m.version));
        }
        let v = match (linked.version.as_str(), main, main_version) {
            (DEVEL, true, Some(stamped)) if !stamped.is_empty() => {
                notes.push(format!(
                    "version from the build's {{{{.Version}}}}; Go recorded {DEVEL}"
                ));
                Some(stamped.to_string())
            }
            (DEVEL | "", _, _) => None,
            (v, _, _) => Some(v.to_string()),
        };
        (linked.path.clone(), v)
    };
    let sum = if linked.is_directory() {
        None
    } else {
        linked.sum.clone().or_else(|| {
            sums.get(&(linked.path.clone(), linked.version.clone()))
                .cloned()
        })
    };
    let mut checksums = Vec::new();
    if let Some(sum) = &sum {
        notes.push(format!("go.sum {sum}"));
        if let Some(hex) = h1_to_sha256_hex(sum) {
            checksums.push(Checksum {
                algorithm: "SHA256",
                value: hex,
            });
        }
    }
    let mut external_refs = Vec::new();
    if !linked.is_directory()
        && let Some(v) = &version
    {
        external_refs.push(ExternalRef {
            category: "PACKAGE-MANAGER",
            kind: "purl",
            locator: purl::golang(&name, v),
        });
    }
    let id_version = if linked.is_directory() {
        format!("dir:{}", linked.path)
    } else {
        version.clone().unwrap_or_else(|| DEVEL.to_string())
    };
    Package {
        spdx_id: spdx_id("Package-go-module", &[&name, &id_version]),
        name,
        version,
        download_location: NOASSERTION,
        files_analyzed: false,
        verification_code: None,
        has_files: Vec::new(),
        checksums,
        external_refs,
        purpose: if main { "APPLICATION" } else { "LIBRARY" },
        comment: (!notes.is_empty()).then(|| notes.join("; ")),
    }
}

fn stdlib_package(go_version: &str) -> Package {
    // `go1.22.5`, or `go1.22.5 X:boringcrypto`, or `devel go1.23-abc ...`.
    let version = go_version.split_whitespace().next().unwrap_or("");
    let semver = version
        .strip_prefix("go")
        .filter(|v| v.starts_with(|c: char| c.is_ascii_digit()));
    Package {
        spdx_id: spdx_id("Package-go-stdlib", &[go_version]),
        name: "stdlib".to_string(),
        version: (!go_version.is_empty()).then(|| go_version.to_string()),
        download_location: NOASSERTION,
        files_analyzed: false,
        verification_code: None,
        has_files: Vec::new(),
        checksums: Vec::new(),
        external_refs: semver
            .map(|v| ExternalRef {
                category: "PACKAGE-MANAGER",
                kind: "purl",
                locator: purl::golang("stdlib", v),
            })
            .into_iter()
            .collect(),
        purpose: "LIBRARY",
        comment: Some("the Go standard library and runtime, linked into the binary".to_string()),
    }
}

fn base_package(base: &BaseImage) -> Package {
    let parsed = purl::ImageRef::parse(&base.reference);
    let hex = base
        .digest
        .as_deref()
        .and_then(|d| d.strip_prefix("sha256:"))
        .map(str::to_string);
    Package {
        spdx_id: spdx_id(
            "Package-oci",
            &[&base.reference, base.digest.as_deref().unwrap_or("")],
        ),
        name: parsed.repository.clone(),
        version: parsed.tag.clone().or_else(|| base.digest.clone()),
        download_location: NOASSERTION,
        files_analyzed: false,
        verification_code: None,
        has_files: Vec::new(),
        checksums: hex
            .map(|value| Checksum {
                algorithm: "SHA256",
                value,
            })
            .into_iter()
            .collect(),
        external_refs: vec![ExternalRef {
            category: "PACKAGE-MANAGER",
            kind: "purl",
            locator: purl::oci(&parsed, base.digest.as_deref()),
        }],
        purpose: "CONTAINER",
        comment: Some(format!(
            "the runtime base image {}{}",
            base.reference,
            base.digest
                .as_deref()
                .map_or_else(String::new, |d| format!("@{d}"))
        )),
    }
}

/// The SPDX 2.3 JSON bytes for `input`.
pub fn document(input: &SbomInput) -> Result<Vec<u8>, serde_json::Error> {
    let created = crate::rfc3339::rfc3339(input.created);
    let annotator = format!("Tool: {}", input.tool);
    let sums = input
        .go_sum
        .as_deref()
        .map_or_else(BTreeMap::new, go_sum_hashes);

    let image_id = "SPDXRef-Package-image".to_string();
    let mut packages: BTreeMap<String, Package> = BTreeMap::new();
    let mut relationships: BTreeSet<Relationship> = BTreeSet::new();
    let rel = |element: &str, kind: &'static str, related: &str| Relationship {
        element: element.to_string(),
        kind,
        related: related.to_string(),
    };
    relationships.insert(rel("SPDXRef-DOCUMENT", "DESCRIBES", &image_id));
    if let Some(base) = &input.base {
        let p = base_package(base);
        relationships.insert(rel(&image_id, "DESCENDANT_OF", &p.spdx_id));
        packages.insert(p.spdx_id.clone(), p);
    }

    let mut files = Vec::new();
    for bin in &input.binaries {
        let file_id = spdx_id("File", &[&bin.path]);
        relationships.insert(rel(&image_id, "CONTAINS", &file_id));
        let info = &bin.info;
        let std = stdlib_package(&info.go_version);
        relationships.insert(rel(&file_id, "CONTAINS", &std.spdx_id));
        packages.insert(std.spdx_id.clone(), std);
        let main_id = info.main.as_ref().map(|m| {
            let p = module_package(m, true, input.main_version.as_deref(), &sums);
            let id = p.spdx_id.clone();
            relationships.insert(rel(&file_id, "CONTAINS", &id));
            relationships.insert(rel(&id, "GENERATES", &file_id));
            // A module that is one binary's main and another's dependency
            // (a workspace) is listed once, as an application.
            packages.insert(id.clone(), p);
            id
        });
        for dep in &info.deps {
            let p = module_package(dep, false, None, &sums);
            let id = p.spdx_id.clone();
            relationships.insert(rel(&file_id, "CONTAINS", &id));
            if let Some(main_id) = &main_id {
                relationships.insert(rel(main_id, "DEPENDS_ON", &id));
            }
            packages.entry(id).or_insert(p);
        }
        let mut annotations = Vec::new();
        if !info.path.is_empty() {
            annotations.push(format!("path {}", info.path));
        }
        for (k, v) in &info.settings {
            annotations.push(format!("build {k}={v}"));
        }
        files.push(File {
            // SPDX file names are relative, `./` first (SPDX 2.3 §8.1);
            // BuildKit's layer lookup joins them to `/` the same way.
            name: format!("./{}", bin.path.trim_start_matches('/')),
            spdx_id: file_id,
            checksums: vec![
                Checksum {
                    algorithm: "SHA1",
                    value: bin.sha1.clone(),
                },
                Checksum {
                    algorithm: "SHA256",
                    value: bin.sha256.clone(),
                },
            ],
            types: vec!["BINARY", "APPLICATION"],
            annotations: annotations
                .into_iter()
                .map(|comment| Annotation {
                    date: created.clone(),
                    kind: "OTHER",
                    annotator: annotator.clone(),
                    comment,
                })
                .collect(),
        });
    }
    files.sort_by(|a, b| a.name.cmp(&b.name).then(a.spdx_id.cmp(&b.spdx_id)));
    files.dedup_by(|a, b| a.spdx_id == b.spdx_id);
    // The image package holds the files, so SPDX wants it analyzed, with
    // the verification code of §7.9: the SHA1 of its files' sorted SHA1s.
    let mut file_sha1s: Vec<&str> = files
        .iter()
        .filter_map(|f| f.checksums.iter().find(|c| c.algorithm == "SHA1"))
        .map(|c| c.value.as_str())
        .collect();
    file_sha1s.sort_unstable();
    packages.insert(
        image_id.clone(),
        Package {
            spdx_id: image_id.clone(),
            name: input.name.clone(),
            version: None,
            download_location: NOASSERTION,
            files_analyzed: true,
            verification_code: Some(VerificationCode {
                value: super::sha1::hex(file_sha1s.concat().as_bytes()),
            }),
            has_files: files.iter().map(|f| f.spdx_id.clone()).collect(),
            checksums: Vec::new(),
            external_refs: Vec::new(),
            purpose: "CONTAINER",
            comment: Some(format!("the container image, as {} built it", input.tool)),
        },
    );
    let mut packages: Vec<Package> = packages.into_values().collect();
    packages.sort_by(|a, b| {
        (a.purpose != "CONTAINER", &a.name, &a.version, &a.spdx_id).cmp(&(
            b.purpose != "CONTAINER",
            &b.name,
            &b.version,
            &b.spdx_id,
        ))
    });

    let mut doc = Document {
        spdx_version: "SPDX-2.3",
        data_license: "CC0-1.0",
        spdx_id: "SPDXRef-DOCUMENT",
        name: input.name.clone(),
        namespace: String::new(),
        creation_info: CreationInfo {
            created,
            creators: vec![annotator.clone()],
        },
        packages,
        files,
        relationships: relationships.into_iter().collect(),
    };
    // The namespace must be unique per document: a hash of the document
    // without it, so a different SBOM never shares one and the same never
    // differs.
    let hash = super::lower_hex(&Sha256::digest(go_json(&doc)?));
    doc.namespace = format!(
        "https://spdx.org/spdxdocs/gofront-{}-{hash}",
        sanitize(&input.name)
    );
    go_json(&doc)
}

/// `name` with every character an SPDX namespace path would have to
/// escape replaced by `-`.
fn sanitize(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// Compact JSON escaped as Go's `json.Marshal` escapes (see the module
/// doc). The escaped characters only ever occur inside strings, where the
/// escape means the same character.
fn go_json<T: Serialize>(value: &T) -> Result<Vec<u8>, serde_json::Error> {
    let text = serde_json::to_string(value)?;
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    Ok(out.into_bytes())
}
