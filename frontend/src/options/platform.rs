//! `--platform`'s list, read.

use super::error::OptionsError;
use crate::platform::Platform;

/// `--platform`'s list, each platform checked against the ports and
/// variants Go builds for; a platform listed twice (in any spelling
/// containerd takes for it) is built once, where it is first listed, as
/// buildx does.
pub(super) fn parse_platforms(value: &str) -> Result<Vec<Platform>, OptionsError> {
    let mut out: Vec<Platform> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for raw in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let p = Platform::parse(raw).ok_or_else(|| OptionsError::Platform(raw.into()))?;
        crate::platform::check_port(&p)?;
        if seen.insert(p.clone()) {
            out.push(p);
        }
    }
    Ok(out)
}
