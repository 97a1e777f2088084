//! Which target platforms Go can build for, and what each target needs.

use super::PlanError;
use crate::options::{Platform, Target};

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

/// The file name suffix `go build` gives executables for this OS.
pub fn exe_suffix(p: &Platform) -> &'static str {
    if p.os == "windows" { ".exe" } else { "" }
}

/// Checks that Go can build for `p`, and that `target` makes sense there:
/// an image or a test run needs Linux, and a test run needs a builder that
/// can execute the platform's binaries (`runnable`: the worker's platforms,
/// emulated ones included).
pub fn check(p: &Platform, target: Target, runnable: &[Platform]) -> Result<(), PlanError> {
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
    match target {
        Target::Image | Target::Test if p.os != "linux" => Err(PlanError::NotLinux {
            platform: p.to_string(),
            target: target.name(),
        }),
        Target::Test if !runnable.is_empty() && !runnable.contains(p) => {
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
