//! go.sum's hashes: read from go.sum's text, and Go's `h1:` dirhash
//! written as the SPDX `SHA256` value Syft writes for it.

use std::collections::BTreeMap;

/// go.sum's `h1:` hash as the hex SPDX SHA256 value Syft writes for it
/// (base64 decoded; Syft's `HDigestToSHA`), if it is one.
pub fn h1_to_sha256_hex(sum: &str) -> Option<String> {
    let bytes = base64_decode(sum.strip_prefix("h1:")?)?;
    (bytes.len() == 32).then(|| super::lower_hex(&bytes))
}

fn base64_decode(s: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(s).ok()
}

/// go.sum's hashes of module contents (not the `/go.mod` lines), by path
/// and version.
pub fn go_sum_hashes(text: &str) -> BTreeMap<(String, String), String> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let mut f = line.split_whitespace();
        if let (Some(path), Some(version), Some(hash), None) =
            (f.next(), f.next(), f.next(), f.next())
            && !version.ends_with("/go.mod")
        {
            out.insert((path.to_string(), version.to_string()), hash.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::base64_decode;

    #[test]
    fn base64_takes_up_to_two_padding_characters() {
        assert_eq!(base64_decode("YQ==").as_deref(), Some(&b"a"[..]));
        assert_eq!(base64_decode("YWI=").as_deref(), Some(&b"ab"[..]));
        assert_eq!(base64_decode("YWJj").as_deref(), Some(&b"abc"[..]));
        for bad in ["YQ", "YQ=", "YQ===", "YWJj====", "Y===", "YW!j"] {
            assert_eq!(base64_decode(bad), None, "{bad}");
        }
    }
}
