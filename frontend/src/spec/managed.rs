//! The Go variables gofront manages, each declared once: its name and why a
//! step's env may not set it. The spec refuses a managed name in
//! `build.env` or `download.env` with that reason; the plan sets these
//! variables by the same constants.

/// Why the build step manages the platform variables.
const FROM_PLATFORM: &str = "it comes from --platform";
/// Why a step manages the toolchain (build step).
const TOOLCHAIN: &str = "gofront always uses the builder image's Go (GOTOOLCHAIN=local)";
/// Why a step manages the toolchain (download step).
const TOOLCHAIN_DOWNLOAD: &str = "gofront always uses the builder image's Go (GOTOOLCHAIN=local); choose the Go version with build.builder";
/// Why the build step manages the module options.
const OFFLINE: &str = "the build step runs offline; set module options in [download] env";
/// Why the build step manages the caches.
const CACHES: &str = "gofront manages the Go caches";
/// Why the download step manages the caches.
const CACHES_DOWNLOAD: &str =
    "gofront manages the Go caches and keeps the module cache as the download step's layer";
/// Why no step takes `GOWORK`.
const WORKSPACE: &str = "gofront builds the go.work or go.mod at the root of the build context";

/// One Go variable gofront manages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GoVar {
    /// Its name.
    pub name: &'static str,
    /// Why `build.env` may not set it (`None`: it may).
    pub build: Option<&'static str>,
    /// Why `download.env` may not set it (`None`: it may).
    pub download: Option<&'static str>,
}

/// `GOOS`.
pub const GOOS: GoVar = GoVar {
    name: "GOOS",
    build: Some(FROM_PLATFORM),
    download: None,
};
/// `GOARCH`.
pub const GOARCH: GoVar = GoVar {
    name: "GOARCH",
    build: Some(FROM_PLATFORM),
    download: None,
};
/// `GOARM` (arm's variant).
pub const GOARM: GoVar = GoVar {
    name: "GOARM",
    build: Some(FROM_PLATFORM),
    download: None,
};
/// `GOAMD64` (amd64's variant).
pub const GOAMD64: GoVar = GoVar {
    name: "GOAMD64",
    build: Some(FROM_PLATFORM),
    download: None,
};
/// `GOARM64` (arm64's variant; never set: Go's default stays).
pub const GOARM64: GoVar = GoVar {
    name: "GOARM64",
    build: Some(FROM_PLATFORM),
    download: None,
};
/// `CGO_ENABLED`.
pub const CGO_ENABLED: GoVar = GoVar {
    name: "CGO_ENABLED",
    build: Some("use build.cgo"),
    download: None,
};
/// `GOTOOLCHAIN`.
pub const GOTOOLCHAIN: GoVar = GoVar {
    name: "GOTOOLCHAIN",
    build: Some(TOOLCHAIN),
    download: Some(TOOLCHAIN_DOWNLOAD),
};
/// `GOROOT` (never set: the builder image's).
pub const GOROOT: GoVar = GoVar {
    name: "GOROOT",
    build: Some(TOOLCHAIN),
    download: Some(TOOLCHAIN_DOWNLOAD),
};
/// `GOPROXY` (the download step's is the user's).
pub const GOPROXY: GoVar = GoVar {
    name: "GOPROXY",
    build: Some(OFFLINE),
    download: None,
};
/// `GOFLAGS`.
pub const GOFLAGS: GoVar = GoVar {
    name: "GOFLAGS",
    build: Some(OFFLINE),
    download: Some(
        "go mod download runs with gofront's flags; set module options such as GOPROXY, GOPRIVATE, GONOSUMDB or GOINSECURE by name",
    ),
};
/// `GOCACHE`.
pub const GOCACHE: GoVar = GoVar {
    name: "GOCACHE",
    build: Some(CACHES),
    download: Some(CACHES_DOWNLOAD),
};
/// `GOMODCACHE`.
pub const GOMODCACHE: GoVar = GoVar {
    name: "GOMODCACHE",
    build: Some(CACHES),
    download: Some(CACHES_DOWNLOAD),
};
/// `GOWORK` (never set).
pub const GOWORK: GoVar = GoVar {
    name: "GOWORK",
    build: Some(WORKSPACE),
    download: Some(WORKSPACE),
};

/// Every managed variable.
pub const MANAGED: &[GoVar] = &[
    GOOS,
    GOARCH,
    GOARM,
    GOAMD64,
    GOARM64,
    CGO_ENABLED,
    GOTOOLCHAIN,
    GOROOT,
    GOPROXY,
    GOFLAGS,
    GOCACHE,
    GOMODCACHE,
    GOWORK,
];

/// Why `build.env` may not set `name`, if gofront manages it there.
pub fn build_reason(name: &str) -> Option<&'static str> {
    MANAGED.iter().find(|v| v.name == name)?.build
}

/// Why `download.env` may not set `name`, if gofront manages it there.
pub fn download_reason(name: &str) -> Option<&'static str> {
    MANAGED.iter().find(|v| v.name == name)?.download
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_variable_is_declared_once_and_managed_somewhere() {
        let mut names: Vec<&str> = MANAGED.iter().map(|v| v.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), MANAGED.len());
        assert!(
            MANAGED
                .iter()
                .all(|v| v.build.is_some() || v.download.is_some())
        );
        assert_eq!(build_reason("GOOS"), Some(FROM_PLATFORM));
        assert_eq!(download_reason("GOOS"), None);
        assert_eq!(download_reason("GOWORK"), Some(WORKSPACE));
        assert_eq!(build_reason("GOPRIVATE"), None);
    }
}
