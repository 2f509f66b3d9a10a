//! HTTP Digest authentication (RFC 7616, RFC 2617, RFC 2069).
//!
//! [`DigestAuth`] answers a `401` with a `WWW-Authenticate: Digest ...` challenge, as
//! httpx's `DigestAuth` does, and then reuses the challenge pre-emptively for later
//! requests to the same origin with an increasing nonce count. Beyond httpx it supports
//! `qop=auth-int`, SHA-512-256, `userhash`, `username*` for non-ASCII names, `stale=true`
//! and servers of RFC 2069 (no `qop`).
//!
//! The challenge parser ([`parse_challenge`], [`DigestChallenge::from_headers`]) and the
//! answer ([`DigestAuth::authorization`]) are pure functions.
//!
//! `challenge` parses challenges, `flow` computes the answers and runs the auth flow;
//! the algorithms and their hashes are here.

use std::fmt;

mod challenge;
mod flow;

pub use self::challenge::{parse_challenge, DigestChallenge};
pub use self::flow::DigestAuth;

// ---- algorithms -----------------------------------------------------------------------

/// A Digest `algorithm` (RFC 7616 §3.3, plus RFC 2617's `SHA` forms that httpx accepts).
///
/// # Examples
///
/// ```
/// use httpx::auth::DigestAlgorithm;
/// assert_eq!(DigestAlgorithm::from_token("sha-512-256-SESS"), Some(DigestAlgorithm::Sha512_256Sess));
/// assert_eq!(DigestAlgorithm::Sha256.name(), "SHA-256");
/// assert!(DigestAlgorithm::Md5Sess.is_session());
/// assert_eq!(DigestAlgorithm::from_token("SHA3-256"), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DigestAlgorithm {
    /// `MD5` (the default when a challenge names no algorithm).
    Md5,
    /// `MD5-sess`.
    Md5Sess,
    /// `SHA` (SHA-1).
    Sha,
    /// `SHA-sess` (SHA-1).
    ShaSess,
    /// `SHA-256`.
    Sha256,
    /// `SHA-256-sess`.
    Sha256Sess,
    /// `SHA-512`.
    Sha512,
    /// `SHA-512-sess`.
    Sha512Sess,
    /// `SHA-512-256`: FIPS 180-4 SHA-512/256 (its own initial values, not a truncated
    /// SHA-512).
    Sha512_256,
    /// `SHA-512-256-sess`.
    Sha512_256Sess,
}

const ALGORITHMS: [DigestAlgorithm; 10] = [
    DigestAlgorithm::Md5,
    DigestAlgorithm::Md5Sess,
    DigestAlgorithm::Sha,
    DigestAlgorithm::ShaSess,
    DigestAlgorithm::Sha256,
    DigestAlgorithm::Sha256Sess,
    DigestAlgorithm::Sha512,
    DigestAlgorithm::Sha512Sess,
    DigestAlgorithm::Sha512_256,
    DigestAlgorithm::Sha512_256Sess,
];

impl DigestAlgorithm {
    /// The algorithm named by a challenge's `algorithm` token, compared
    /// case-insensitively; `None` for one this crate does not support.
    pub fn from_token(token: &str) -> Option<DigestAlgorithm> {
        ALGORITHMS
            .into_iter()
            .find(|a| a.name().eq_ignore_ascii_case(token))
    }

    /// The name as RFC 7616 spells it (`"MD5"`, `"SHA-256-sess"`, ...), which is what
    /// the answer sends.
    pub fn name(self) -> &'static str {
        match self {
            DigestAlgorithm::Md5 => "MD5",
            DigestAlgorithm::Md5Sess => "MD5-sess",
            DigestAlgorithm::Sha => "SHA",
            DigestAlgorithm::ShaSess => "SHA-sess",
            DigestAlgorithm::Sha256 => "SHA-256",
            DigestAlgorithm::Sha256Sess => "SHA-256-sess",
            DigestAlgorithm::Sha512 => "SHA-512",
            DigestAlgorithm::Sha512Sess => "SHA-512-sess",
            DigestAlgorithm::Sha512_256 => "SHA-512-256",
            DigestAlgorithm::Sha512_256Sess => "SHA-512-256-sess",
        }
    }

    /// Whether this is a `-sess` variant (HA1 also covers the nonce and cnonce).
    pub fn is_session(self) -> bool {
        matches!(
            self,
            DigestAlgorithm::Md5Sess
                | DigestAlgorithm::ShaSess
                | DigestAlgorithm::Sha256Sess
                | DigestAlgorithm::Sha512Sess
                | DigestAlgorithm::Sha512_256Sess
        )
    }

    /// How strong the hash is, for choosing among several challenges.
    fn strength(self) -> u8 {
        match self {
            DigestAlgorithm::Md5 | DigestAlgorithm::Md5Sess => 1,
            DigestAlgorithm::Sha | DigestAlgorithm::ShaSess => 2,
            DigestAlgorithm::Sha256 | DigestAlgorithm::Sha256Sess => 3,
            DigestAlgorithm::Sha512 | DigestAlgorithm::Sha512Sess => 4,
            DigestAlgorithm::Sha512_256 | DigestAlgorithm::Sha512_256Sess => 5,
        }
    }

    /// `H(parts joined by ":")` as lowercase hex.
    fn hash(self, parts: &[&[u8]]) -> String {
        match self {
            DigestAlgorithm::Md5 | DigestAlgorithm::Md5Sess => hex_digest::<md5::Md5>(parts),
            DigestAlgorithm::Sha | DigestAlgorithm::ShaSess => hex_digest::<sha1::Sha1>(parts),
            DigestAlgorithm::Sha256 | DigestAlgorithm::Sha256Sess => {
                hex_digest::<sha2::Sha256>(parts)
            }
            DigestAlgorithm::Sha512 | DigestAlgorithm::Sha512Sess => {
                hex_digest::<sha2::Sha512>(parts)
            }
            DigestAlgorithm::Sha512_256 | DigestAlgorithm::Sha512_256Sess => {
                hex_digest::<sha2::Sha512_256>(parts)
            }
        }
    }
}

impl fmt::Display for DigestAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

fn hex_digest<D: sha2::Digest>(parts: &[&[u8]]) -> String {
    let mut hasher = D::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            hasher.update(b":");
        }
        hasher.update(part);
    }
    let digest = hasher.finalize();
    let mut hex = String::with_capacity(digest.len() * 2);
    for byte in digest.iter() {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        hex.push(DIGITS[usize::from(byte >> 4)] as char);
        hex.push(DIGITS[usize::from(byte & 0x0f)] as char);
    }
    hex
}

/// A `qop` ("quality of protection") option of a Digest challenge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DigestQop {
    /// `auth`: authentication of the method and request target.
    Auth,
    /// `auth-int`: `auth` plus integrity of the request body.
    AuthInt,
}

impl DigestQop {
    /// The token: `"auth"` or `"auth-int"`.
    pub fn name(self) -> &'static str {
        match self {
            DigestQop::Auth => "auth",
            DigestQop::AuthInt => "auth-int",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_7616_3_9_1_intermediate_hashes() {
        // (algorithm, H(username:realm:password), H(method:uri))
        let vectors = [
            (
                DigestAlgorithm::Md5,
                "3d78807defe7de2157e2b0b6573a855f",
                "39aff3a2bab6126f332b942af96d3366",
            ),
            (
                DigestAlgorithm::Sha256,
                "7987c64c30e25f1b74be53f966b49b90f2808aa92faf9a00262392d7b4794232",
                "9a3fdae9a622fe8de177c24fa9c070f2b181ec85e15dcbdc32e10c82ad450b04",
            ),
        ];
        for (algorithm, a1, a2) in vectors {
            let credentials: [&[u8]; 3] = [b"Mufasa", b"http-auth@example.org", b"Circle of Life"];
            assert_eq!(algorithm.hash(&credentials), a1);
            assert_eq!(algorithm.hash(&[b"GET", b"/dir/index.html"]), a2);
        }
    }

    #[test]
    fn sha512_256_is_not_truncated_sha512() {
        let real = DigestAlgorithm::Sha512_256.hash(&[b"abc"]);
        assert_eq!(
            real,
            "53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23"
        );
        let sha512 = DigestAlgorithm::Sha512.hash(&[b"abc"]);
        assert_ne!(real, sha512[..64]);
    }

    #[test]
    fn every_algorithm_has_its_hash_length() {
        for (alg, len) in [
            (DigestAlgorithm::Md5, 32),
            (DigestAlgorithm::Sha, 40),
            (DigestAlgorithm::Sha256, 64),
            (DigestAlgorithm::Sha512, 128),
            (DigestAlgorithm::Sha512_256, 64),
        ] {
            assert_eq!(alg.hash(&[b"x"]).len(), len, "{alg}");
        }
        for alg in ALGORITHMS {
            assert_eq!(DigestAlgorithm::from_token(alg.name()), Some(alg));
            assert_eq!(
                DigestAlgorithm::from_token(&alg.name().to_ascii_lowercase()),
                Some(alg)
            );
        }
    }
}
