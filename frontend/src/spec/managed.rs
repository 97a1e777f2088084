//! The Go variables gofront manages, each declared once: its name and why a
//! step's env may not set it. The spec refuses a managed name in
//! `build.env` or `download.env` with that reason; the plan sets these
//! variables by the same constants.

/// Why the build step manages the platform variables.
const FROM_PLATFORM: &str = "it comes from --platform";
/// Why the build step manages the platform variant variables.
const FROM_VARIANT: &str =
    "it comes from --platform's variant (e.g. linux/arm/v6, linux/ppc64le/power9)";
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

const fn var(
    name: &'static str,
    build: Option<&'static str>,
    download: Option<&'static str>,
) -> GoVar {
    GoVar {
        name,
        build,
        download,
    }
}

/// `GOOS`.
pub const GOOS: GoVar = var("GOOS", Some(FROM_PLATFORM), None);
/// `GOARCH`.
pub const GOARCH: GoVar = var("GOARCH", Some(FROM_PLATFORM), None);
/// `GOARM` (arm's variant).
pub const GOARM: GoVar = var("GOARM", Some(FROM_VARIANT), None);
/// `GOAMD64` (amd64's variant).
pub const GOAMD64: GoVar = var("GOAMD64", Some(FROM_VARIANT), None);
/// `GOARM64` (arm64's variant).
pub const GOARM64: GoVar = var("GOARM64", Some(FROM_VARIANT), None);
/// `GO386` (386's variant).
pub const GO386: GoVar = var("GO386", Some(FROM_VARIANT), None);
/// `GOMIPS` (mips's and mipsle's variant).
pub const GOMIPS: GoVar = var("GOMIPS", Some(FROM_VARIANT), None);
/// `GOMIPS64` (mips64's and mips64le's variant).
pub const GOMIPS64: GoVar = var("GOMIPS64", Some(FROM_VARIANT), None);
/// `GOPPC64` (ppc64's and ppc64le's variant).
pub const GOPPC64: GoVar = var("GOPPC64", Some(FROM_VARIANT), None);
/// `GORISCV64` (riscv64's variant).
pub const GORISCV64: GoVar = var("GORISCV64", Some(FROM_VARIANT), None);
/// `CGO_ENABLED`.
pub const CGO_ENABLED: GoVar = var("CGO_ENABLED", Some("use build.cgo"), None);
/// `GOTOOLCHAIN`.
pub const GOTOOLCHAIN: GoVar = var("GOTOOLCHAIN", Some(TOOLCHAIN), Some(TOOLCHAIN_DOWNLOAD));
/// `GOROOT` (never set: the builder image's).
pub const GOROOT: GoVar = var("GOROOT", Some(TOOLCHAIN), Some(TOOLCHAIN_DOWNLOAD));
/// `GOPROXY` (the download step's is the user's).
pub const GOPROXY: GoVar = var("GOPROXY", Some(OFFLINE), None);
/// `GOFLAGS`.
pub const GOFLAGS: GoVar = var(
    "GOFLAGS",
    Some(OFFLINE),
    Some(
        "go mod download runs with gofront's flags; set module options such as GOPROXY, GOPRIVATE, GONOSUMDB or GOINSECURE by name",
    ),
);
/// `GOCACHE`.
pub const GOCACHE: GoVar = var("GOCACHE", Some(CACHES), Some(CACHES_DOWNLOAD));
/// `GOMODCACHE`.
pub const GOMODCACHE: GoVar = var("GOMODCACHE", Some(CACHES), Some(CACHES_DOWNLOAD));
/// `GOWORK` (never set).
pub const GOWORK: GoVar = var("GOWORK", Some(WORKSPACE), Some(WORKSPACE));

/// Every managed variable.
pub const MANAGED: &[GoVar] = &[
    GOOS,
    GOARCH,
    GOARM,
    GOAMD64,
    GOARM64,
    GO386,
    GOMIPS,
    GOMIPS64,
    GOPPC64,
    GORISCV64,
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
