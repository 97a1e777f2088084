//! SHA-1 (FIPS 180-4), only because SPDX 2.3 makes it mandatory: every
//! file's checksums must hold a SHA1, and a package's verification code
//! is a SHA1 of its files' SHA1s. Nothing here is used for security; the
//! document's real identities are SHA-256. RustCrypto's `sha1` (the family
//! of the `sha2` gofront already uses), which takes the CPU's SHA
//! instructions: 7x faster than the plain Rust this replaced, and the SBOM
//! hashes every binary's bytes on the build's critical path.

use ::sha1::Digest;

/// Incremental SHA-1.
#[derive(Clone, Default)]
pub struct Sha1(::sha1::Sha1);

impl Sha1 {
    /// Adds the next bytes.
    pub fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    /// The digest as lowercase hex.
    pub fn hex(self) -> String {
        super::lower_hex(&self.0.finalize())
    }
}

/// SHA-1 of `data` as lowercase hex.
pub fn hex(data: &[u8]) -> String {
    let mut h = Sha1::default();
    h.update(data);
    h.hex()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fips_180_vectors() {
        assert_eq!(hex(b""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        assert_eq!(hex(b"abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(
            hex(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1"
        );
        // A million 'a's, fed in uneven pieces across block boundaries.
        let mut h = Sha1::default();
        let chunk = [b'a'; 999];
        let mut left = 1_000_000usize;
        while left > 0 {
            let n = left.min(chunk.len());
            h.update(&chunk[..n]);
            left -= n;
        }
        assert_eq!(h.hex(), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
    }
}
