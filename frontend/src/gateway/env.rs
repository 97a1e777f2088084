//! The frontend's environment as BuildKit sets it.

/// Environment variable prefix BuildKit uses for frontend options.
const OPT_PREFIX: &str = "BUILDKIT_FRONTEND_OPT_";

/// Options as `key=value` pairs from `BUILDKIT_FRONTEND_OPT_<n>`.
pub fn options_from_env(env: impl IntoIterator<Item = (String, String)>) -> Vec<(String, String)> {
    let mut numbered: Vec<(usize, String, String)> = env
        .into_iter()
        .filter_map(|(k, v)| {
            let n = k.strip_prefix(OPT_PREFIX)?.parse().ok()?;
            let (key, value) = v.split_once('=').unwrap_or((v.as_str(), ""));
            Some((n, key.to_string(), value.to_string()))
        })
        .collect();
    numbered.sort();
    numbered.into_iter().map(|(_, k, v)| (k, v)).collect()
}
