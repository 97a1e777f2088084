//! Which target platforms Go can build for, and what each target needs.

use super::error::PlanError;
use crate::platform::{Platform, check_port};
use crate::spec::managed::{self, GoVar};
use crate::target::Target;

/// The Go variable and value a platform's variant sets (`GOARM=7` for
/// `linux/arm/v7`), `None` without a variant; `Err` lists what Go builds.
pub fn go_variant(p: &Platform) -> Result<Option<(GoVar, String)>, String> {
    Ok(match crate::platform::go_variant(p)? {
        None => None,
        Some((name, value)) => {
            let var = [
                managed::GO386,
                managed::GOAMD64,
                managed::GOARM,
                managed::GOARM64,
                managed::GOMIPS,
                managed::GOMIPS64,
                managed::GOPPC64,
                managed::GORISCV64,
            ]
            .into_iter()
            .find(|v| v.name == name)
            .ok_or_else(|| format!("{p} (no Go variable {name})"))?;
            Some((var, value))
        }
    })
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
    use crate::platform::{GO_PORTS, exe_suffix};

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
