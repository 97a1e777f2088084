//! Which target platforms Go can build for, and what each target needs.

use super::error::PlanError;
use crate::options::Platform;
use crate::spec::managed::{self, GoVar};
use crate::target::Target;

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
const VARIANTS: &[(&[&str], GoVar, &[&str])] = &[
    (&["386"], managed::GO386, &["sse2", "softfloat"]),
    (&["amd64"], managed::GOAMD64, &["v2", "v3", "v4"]),
    (&["arm"], managed::GOARM, &["v5", "v6", "v7"]),
    (
        &["arm64"],
        managed::GOARM64,
        &[
            "v8.1", "v8.2", "v8.3", "v8.4", "v8.5", "v8.6", "v8.7", "v8.8", "v8.9", "v9", "v9.1",
            "v9.2", "v9.3", "v9.4", "v9.5",
        ],
    ),
    (
        &["mips", "mipsle"],
        managed::GOMIPS,
        &["hardfloat", "softfloat"],
    ),
    (
        &["mips64", "mips64le"],
        managed::GOMIPS64,
        &["hardfloat", "softfloat"],
    ),
    (
        &["ppc64", "ppc64le"],
        managed::GOPPC64,
        &["power8", "power9", "power10"],
    ),
    (
        &["riscv64"],
        managed::GORISCV64,
        &["rva20u64", "rva22u64", "rva23u64"],
    ),
];

/// The Go variable and value a platform's variant sets (`GOARM=7` for
/// `linux/arm/v7`, `GOARM64=v9.0` for `linux/arm64/v9`), `None` without a
/// variant; `Err` lists the platforms Go builds for that architecture.
pub fn go_variant(p: &Platform) -> Result<Option<(GoVar, String)>, String> {
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
            var.name
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
pub fn check_port(p: &Platform) -> Result<(), PlanError> {
    let pair = format!("{}/{}", p.os, p.architecture);
    if !GO_PORTS.contains(&pair.as_str()) {
        let same_os: Vec<&str> = GO_PORTS
            .iter()
            .copied()
            .filter(|q| q.split('/').next() == Some(p.os.as_str()))
            .collect();
        return Err(PlanError::UnsupportedPlatform {
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
        .map_err(|supported| PlanError::UnsupportedPlatform {
            platform: p.to_string(),
            supported,
        })
}

/// The file name suffix `go build` gives executables for this OS.
pub fn exe_suffix(p: &Platform) -> &'static str {
    if p.os == "windows" { ".exe" } else { "" }
}

/// Checks that Go can build for `p`, and that `target` makes sense there:
/// an image or a test run needs Linux, and a test run needs a builder that
/// can execute the platform's binaries (`runnable`: the worker's platforms,
/// emulated ones included).
pub fn check(p: &Platform, target: Target, runnable: &[Platform]) -> Result<(), PlanError> {
    check_port(p)?;
    match target {
        Target::Image | Target::Test | Target::TestReport if p.os != "linux" => {
            Err(PlanError::NotLinux {
                platform: p.to_string(),
                target: target.name(),
            })
        }
        Target::Test | Target::TestReport if !runnable.is_empty() && !runnable.contains(p) => {
            Err(PlanError::CannotRunTests {
                platform: p.to_string(),
                runnable: runnable
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
            })
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Platform {
        Platform::parse(s).unwrap_or_else(Platform::linux_amd64)
    }

    #[test]
    fn go_ports_are_sorted_and_unique() {
        let mut sorted = GO_PORTS.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, GO_PORTS);
    }

    #[test]
    fn refuses_what_go_or_the_target_cannot_do() {
        let amd = [p("linux/amd64")];
        assert!(check(&p("linux/arm64"), Target::Image, &amd).is_ok());
        assert!(check(&p("windows/amd64"), Target::Binaries, &amd).is_ok());
        assert_eq!(
            check(&p("linux/sparc"), Target::Image, &amd)
                .unwrap_err()
                .to_string(),
            "--platform linux/sparc: Go does not build for linux/sparc; it builds linux/386, linux/amd64, linux/arm, linux/arm64, linux/loong64, linux/mips, linux/mips64, linux/mips64le, linux/mipsle, linux/ppc64, linux/ppc64le, linux/riscv64, linux/s390x"
        );
        assert!(
            check(&p("beos/amd64"), Target::Binaries, &amd)
                .unwrap_err()
                .to_string()
                .contains("it builds aix/ppc64, android/386,")
        );
        assert_eq!(
            check(&p("windows/amd64"), Target::Image, &amd)
                .unwrap_err()
                .to_string(),
            "--platform windows/amd64: gofront's image target builds Linux images only; build windows binaries with --target binaries"
        );
        assert_eq!(
            check(&p("linux/arm64"), Target::Test, &amd)
                .unwrap_err()
                .to_string(),
            "--target test --platform linux/arm64: this builder cannot run linux/arm64 programs (it runs linux/amd64); build with --target binaries, or run the tests on a native or emulating builder (binfmt/QEMU installed)"
        );
        let emulating = [p("linux/amd64"), p("linux/arm64")];
        assert!(check(&p("linux/arm64"), Target::Test, &emulating).is_ok());
        assert_eq!(exe_suffix(&p("windows/arm64")), ".exe");
        assert_eq!(exe_suffix(&p("linux/arm64")), "");
    }
}
