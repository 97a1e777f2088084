//! OCI platforms as LLB, the gateway and `--platform` write them, and the
//! ports and variants Go builds for. A leaf: it imports nothing of
//! gofront's but the generated protocol types, so the LLB builder, the
//! options and the plan all use it and none of them another.

use std::fmt;

use thiserror::Error;

use crate::proto::pb;

/// A platform Go does not build for.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PlatformError {
    /// Go has no port, or no such variant, for the platform.
    #[error("--platform {platform}: Go does not build for {platform}; it builds {supported}")]
    Unsupported {
        /// The platform asked for.
        platform: String,
        /// The ports Go has (for that OS, when it has any).
        supported: String,
    },
}

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

/// How image references are resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResolveMode {
    /// Use a local copy when there is one, else pull.
    #[default]
    Default,
    /// Always pull.
    Pull,
    /// Only local images.
    Local,
}

impl ResolveMode {
    /// The `image.resolvemode` attribute value.
    pub fn attr(self) -> &'static str {
        match self {
            ResolveMode::Default => "default",
            ResolveMode::Pull => "pull",
            ResolveMode::Local => "local",
        }
    }
}

/// `go tool dist list` (cmd/dist's `cgoEnabled` less its `broken` ports):
/// every GOOS/GOARCH pair the Go toolchain builds for.
pub const GO_PORTS: &[&str] = &[
    "aix/ppc64",
    "android/386",
    "android/amd64",
    "android/arm",
    "android/arm64",
    "darwin/amd64",
    "darwin/arm64",
    "dragonfly/amd64",
    "freebsd/386",
    "freebsd/amd64",
    "freebsd/arm",
    "freebsd/arm64",
    "freebsd/riscv64",
    "illumos/amd64",
    "ios/amd64",
    "ios/arm64",
    "js/wasm",
    "linux/386",
    "linux/amd64",
    "linux/arm",
    "linux/arm64",
    "linux/loong64",
    "linux/mips",
    "linux/mips64",
    "linux/mips64le",
    "linux/mipsle",
    "linux/ppc64",
    "linux/ppc64le",
    "linux/riscv64",
    "linux/s390x",
    "netbsd/386",
    "netbsd/amd64",
    "netbsd/arm",
    "netbsd/arm64",
    "openbsd/386",
    "openbsd/amd64",
    "openbsd/arm",
    "openbsd/arm64",
    "openbsd/ppc64",
    "openbsd/riscv64",
    "plan9/386",
    "plan9/amd64",
    "plan9/arm",
    "solaris/amd64",
    "wasip1/wasm",
    "windows/386",
    "windows/amd64",
    "windows/arm64",
];

/// The platform variants Go builds for, per GOARCH, and the variable each
/// sets (Go's `internal/buildcfg`): no variant leaves Go's default.
/// Variants are the OCI ones where OCI has them (containerd's spelling,
/// see `Platform::parse`), Go's own value elsewhere.
const VARIANTS: &[(&[&str], &str, &[&str])] = &[
    (&["386"], "GO386", &["sse2", "softfloat"]),
    (&["amd64"], "GOAMD64", &["v2", "v3", "v4"]),
    (&["arm"], "GOARM", &["v5", "v6", "v7"]),
    (
        &["arm64"],
        "GOARM64",
        &[
            "v8.1", "v8.2", "v8.3", "v8.4", "v8.5", "v8.6", "v8.7", "v8.8", "v8.9", "v9", "v9.1",
            "v9.2", "v9.3", "v9.4", "v9.5",
        ],
    ),
    (&["mips", "mipsle"], "GOMIPS", &["hardfloat", "softfloat"]),
    (
        &["mips64", "mips64le"],
        "GOMIPS64",
        &["hardfloat", "softfloat"],
    ),
    (
        &["ppc64", "ppc64le"],
        "GOPPC64",
        &["power8", "power9", "power10"],
    ),
    (
        &["riscv64"],
        "GORISCV64",
        &["rva20u64", "rva22u64", "rva23u64"],
    ),
];

/// The Go variable and value a platform's variant sets (`GOARM=7` for
/// `linux/arm/v7`, `GOARM64=v9.0` for `linux/arm64/v9`), `None` without a
/// variant; `Err` lists the platforms Go builds for that architecture.
pub fn go_variant(p: &Platform) -> Result<Option<(&'static str, String)>, String> {
    let row = VARIANTS
        .iter()
        .find(|(arches, _, _)| arches.contains(&p.architecture.as_str()));
    let base = format!("{}/{}", p.os, p.architecture);
    if p.variant.is_empty() {
        return Ok(None);
    }
    let Some((_, var, variants)) = row else {
        return Err(format!("{base} (Go has no variants of {})", p.architecture));
    };
    if !variants.contains(&p.variant.as_str()) {
        // `linux/arm` is read as `linux/arm/v7`: it is no fourth choice.
        let mut all = if p.architecture == "arm" {
            Vec::new()
        } else {
            vec![base.clone()]
        };
        all.extend(variants.iter().map(|v| format!("{base}/{v}")));
        return Err(format!(
            "{} (the variant sets {}; none keeps Go's default)",
            all.join(", "),
            var
        ));
    }
    let value = match (p.architecture.as_str(), p.variant.as_str()) {
        ("arm", v) => v.trim_start_matches('v').to_string(),
        ("arm64", "v9") => "v9.0".to_string(),
        (_, v) => v.to_string(),
    };
    Ok(Some((*var, value)))
}

/// Whether Go builds for `p` (its GOOS/GOARCH pair and its variant); the
/// error lists what it builds instead.
pub fn check_port(p: &Platform) -> Result<(), PlatformError> {
    let pair = format!("{}/{}", p.os, p.architecture);
    if !GO_PORTS.contains(&pair.as_str()) {
        let same_os: Vec<&str> = GO_PORTS
            .iter()
            .copied()
            .filter(|q| q.split('/').next() == Some(p.os.as_str()))
            .collect();
        return Err(PlatformError::Unsupported {
            platform: p.to_string(),
            supported: if same_os.is_empty() {
                GO_PORTS.join(", ")
            } else {
                same_os.join(", ")
            },
        });
    }
    go_variant(p)
        .map(|_| ())
        .map_err(|supported| PlatformError::Unsupported {
            platform: p.to_string(),
            supported,
        })
}

/// The file name suffix `go build` gives executables for this OS.
pub fn exe_suffix(p: &Platform) -> &'static str {
    if p.os == "windows" { ".exe" } else { "" }
}
