//! OCI platforms, as LLB, the gateway and `--platform` write them.

use std::fmt;

use super::error::OptionsError;
use crate::proto::pb;

/// An OCI platform.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Platform {
    /// e.g. `linux`.
    pub os: String,
    /// e.g. `amd64`.
    pub architecture: String,
    /// e.g. `v7`, or empty.
    pub variant: String,
}

/// As LLB and the gateway write a platform (no OS version or features).
impl From<&Platform> for pb::Platform {
    fn from(p: &Platform) -> Self {
        pb::Platform {
            architecture: p.architecture.clone(),
            os: p.os.clone(),
            variant: p.variant.clone(),
            ..pb::Platform::default()
        }
    }
}

/// A platform BuildKit reports (a worker's); OS version and features are
/// not used.
impl From<&pb::Platform> for Platform {
    fn from(p: &pb::Platform) -> Self {
        Platform {
            os: p.os.clone(),
            architecture: p.architecture.clone(),
            variant: p.variant.clone(),
        }
    }
}

impl Platform {
    /// `linux/amd64`, the default when nothing else says otherwise.
    pub fn linux_amd64() -> Self {
        Platform {
            os: "linux".into(),
            architecture: "amd64".into(),
            variant: String::new(),
        }
    }

    /// Parses `os/arch[/variant]` and normalises the usual aliases.
    pub fn parse(s: &str) -> Option<Self> {
        let parts: Vec<&str> = s.trim().split('/').collect();
        let (os, arch, variant) = match parts.as_slice() {
            [os, arch] => (*os, *arch, ""),
            [os, arch, variant] => (*os, *arch, *variant),
            _ => return None,
        };
        if os.is_empty() || arch.is_empty() {
            return None;
        }
        let os = os.to_ascii_lowercase();
        // containerd's normalisation (BuildKit and buildx use it), so that
        // two spellings of one platform are one platform.
        let variant = variant.to_ascii_lowercase();
        let (arch, variant) = match (arch.to_ascii_lowercase().as_str(), variant.as_str()) {
            ("i386", _) => ("386", ""),
            ("x86_64" | "x86-64" | "amd64", "v1") => ("amd64", ""),
            ("x86_64" | "x86-64", v) => ("amd64", v),
            ("aarch64" | "arm64", "8" | "v8" | "v8.0") => ("arm64", ""),
            ("aarch64" | "arm64", "9" | "9.0" | "v9.0") => ("arm64", "v9"),
            ("aarch64", v) => ("arm64", v),
            ("armhf", _) => ("arm", "v7"),
            ("armel", _) => ("arm", "v6"),
            ("arm", "" | "7") => ("arm", "v7"),
            ("arm", "5") => ("arm", "v5"),
            ("arm", "6") => ("arm", "v6"),
            ("arm", "8") => ("arm", "v8"),
            (a, v) => {
                return Some(Platform {
                    os,
                    architecture: a.to_string(),
                    variant: v.to_string(),
                });
            }
        };
        let (arch, variant) = (arch.to_string(), variant.to_string());
        Some(Platform {
            os,
            architecture: arch,
            variant,
        })
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if !self.variant.is_empty() {
            write!(f, "/{}", self.variant)?;
        }
        Ok(())
    }
}

/// `--platform`'s list, each platform checked against the ports and
/// variants Go builds for; a platform listed twice (in any spelling
/// containerd takes for it) is built once, where it is first listed, as
/// buildx does.
pub(super) fn parse_platforms(value: &str) -> Result<Vec<Platform>, OptionsError> {
    let mut out: Vec<Platform> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for raw in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let p = Platform::parse(raw).ok_or_else(|| OptionsError::Platform(raw.into()))?;
        crate::plan::platforms::check_port(&p)
            .map_err(|e| OptionsError::UnsupportedPlatform(e.to_string()))?;
        if seen.insert(p.clone()) {
            out.push(p);
        }
    }
    Ok(out)
}
