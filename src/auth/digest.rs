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

use std::borrow::Cow;
use std::fmt;
use std::sync::{Mutex, MutexGuard};

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::auth::{Auth, AuthFlow};
use crate::cookies::Cookies;
use crate::error::{Error, Result};
use crate::headers::Headers;
use crate::request::Request;
use crate::response::Response;
use crate::url::Url;

// ---- algorithms -----------------------------------------------------------------------

/// A Digest `algorithm` (RFC 7616 §3.3, plus RFC 2617's `SHA` forms that httpx accepts).
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

// ---- challenges -----------------------------------------------------------------------

/// A parsed `WWW-Authenticate: Digest ...` challenge.
///
/// Built by [`parse_challenge`] or [`DigestChallenge::from_headers`], which accept only
/// challenges this crate can answer: a realm and a nonce, a supported algorithm, and a
/// `qop` (when present) offering `auth` or `auth-int`.
///
/// ```
/// use httpx::auth::{parse_challenge, DigestAlgorithm, DigestQop};
/// let c = parse_challenge(
///     r#"Digest realm="api@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="7ypf", opaque="FQhe", stale=TRUE"#,
/// )?;
/// assert_eq!(c.realm, "api@example.org");
/// assert_eq!(c.algorithm, DigestAlgorithm::Sha256);
/// assert_eq!(c.qop, vec![DigestQop::Auth, DigestQop::AuthInt]);
/// assert_eq!(c.chosen_qop(), Some(DigestQop::Auth));
/// assert_eq!(c.opaque.as_deref(), Some("FQhe"));
/// assert!(c.stale);
/// # Ok::<(), httpx::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DigestChallenge {
    /// The protection space (`realm`).
    pub realm: String,
    /// The server nonce.
    pub nonce: String,
    /// The `opaque` value, echoed in every answer.
    pub opaque: Option<String>,
    /// The hash algorithm (`MD5` when the challenge names none).
    pub algorithm: DigestAlgorithm,
    /// The `qop` options offered that this crate supports, in the server's order.
    /// Empty when the challenge has no `qop` (an RFC 2069 server).
    pub qop: Vec<DigestQop>,
    /// `stale=true`: the nonce expired but the credentials were right.
    pub stale: bool,
    /// `userhash=true`: the username is sent hashed as `H(username:realm)`.
    pub userhash: bool,
    /// The `charset` parameter (RFC 7616 allows only `UTF-8`); credentials are always
    /// encoded as UTF-8.
    pub charset: Option<String>,
}

impl DigestChallenge {
    /// The `qop` an answer uses: `auth` when offered (it is preferred over `auth-int`),
    /// else `auth-int`, else `None` (RFC 2069).
    pub fn chosen_qop(&self) -> Option<DigestQop> {
        if self.qop.contains(&DigestQop::Auth) {
            Some(DigestQop::Auth)
        } else if self.qop.contains(&DigestQop::AuthInt) {
            Some(DigestQop::AuthInt)
        } else {
            None
        }
    }

    /// The best Digest challenge among every `WWW-Authenticate` header of a response:
    /// `Ok(None)` when there is no Digest challenge (none at all, or Basic only, say).
    ///
    /// Several challenges, in one header value or in several headers, are allowed; the
    /// one with the strongest supported algorithm wins (the first of equals). Digest
    /// challenges that are malformed or unsupported are skipped when another one is
    /// usable; otherwise the first such problem is a
    /// [`RemoteProtocolError`](crate::ErrorKind::RemoteProtocolError).
    ///
    /// ```
    /// use httpx::{auth::{DigestAlgorithm, DigestChallenge}, Headers};
    /// let mut headers = Headers::new();
    /// headers.append("WWW-Authenticate", r#"Basic realm="x", Digest realm="x", nonce="1""#)?;
    /// headers.append("WWW-Authenticate", r#"Digest realm="x", nonce="2", algorithm=SHA-256"#)?;
    /// let best = DigestChallenge::from_headers(&headers)?.unwrap();
    /// assert_eq!((best.algorithm, best.nonce.as_str()), (DigestAlgorithm::Sha256, "2"));
    ///
    /// let basic_only = Headers::try_from([("WWW-Authenticate", r#"Basic realm="x""#)])?;
    /// assert!(DigestChallenge::from_headers(&basic_only)?.is_none());
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn from_headers(headers: &Headers) -> Result<Option<DigestChallenge>> {
        let values = headers.get_list("www-authenticate", false);
        select_challenge(values.iter().map(String::as_str))
    }
}

/// Parses one `WWW-Authenticate` header value into its best Digest challenge.
///
/// The syntax is RFC 7235's: challenges separated by commas, each an auth-scheme
/// followed by a token68 or by `name=value` parameters, values being tokens or quoted
/// strings with backslash escapes (commas inside quotes are part of the value). Scheme
/// and parameter names are case-insensitive. When the value holds several Digest
/// challenges, the one with the strongest supported algorithm wins.
///
/// Errors are [`RemoteProtocolError`](crate::ErrorKind::RemoteProtocolError)s that name the
/// problem: a syntax error (an unterminated quoted string, a parameter without a value,
/// ...), a missing `realm` or `nonce`, a duplicated parameter, an unknown algorithm, a
/// `qop` with no option this crate supports, a `-sess` algorithm without `qop`, or no
/// Digest challenge at all.
///
/// ```
/// use httpx::{auth::parse_challenge, ErrorKind};
/// let c = parse_challenge(r#"Digest realm="a \"quoted\", realm", nonce=abc, qop="auth""#)?;
/// assert_eq!(c.realm, r#"a "quoted", realm"#);
/// assert_eq!(c.nonce, "abc");
///
/// let err = parse_challenge(r#"Digest realm="x", qop="auth""#).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::RemoteProtocolError);
/// assert!(err.to_string().contains("nonce"), "{err}");
/// assert!(parse_challenge(r#"Digest realm="x", nonce="y", algorithm=SHA3"#).is_err());
/// # Ok::<(), httpx::Error>(())
/// ```
pub fn parse_challenge(header_value: &str) -> Result<DigestChallenge> {
    select_challenge(std::iter::once(header_value))?.ok_or_else(|| {
        Error::remote_protocol("The WWW-Authenticate header has no Digest challenge")
    })
}

/// The best Digest challenge of several header values; `Ok(None)` when none is Digest.
fn select_challenge<'a>(values: impl Iterator<Item = &'a str>) -> Result<Option<DigestChallenge>> {
    let mut best: Option<DigestChallenge> = None;
    let mut first_problem: Option<String> = None;
    for value in values {
        match parse_auth_header(value) {
            Ok(challenges) => {
                let digests = challenges
                    .iter()
                    .filter(|c| c.scheme.eq_ignore_ascii_case("digest"));
                for raw in digests {
                    match interpret(raw) {
                        Ok(c) => {
                            if best
                                .as_ref()
                                .is_none_or(|b| c.algorithm.strength() > b.algorithm.strength())
                            {
                                best = Some(c);
                            }
                        }
                        Err(problem) => {
                            first_problem.get_or_insert(problem);
                        }
                    }
                }
            }
            // A value that does not parse is a malformed Digest challenge when it names
            // the Digest scheme; otherwise it belongs to a scheme this flow ignores.
            Err(problem) if mentions_digest(value) => {
                first_problem.get_or_insert(format!(
                    "Malformed Digest WWW-Authenticate header: {problem}"
                ));
            }
            Err(_) => {}
        }
    }
    match (best, first_problem) {
        (Some(challenge), _) => Ok(Some(challenge)),
        (None, Some(problem)) => Err(Error::remote_protocol(problem)),
        (None, None) => Ok(None),
    }
}

fn mentions_digest(value: &str) -> bool {
    value
        .split(|c: char| !is_tchar(c))
        .any(|word| word.eq_ignore_ascii_case("digest"))
}

/// Shortens a value from the server for an error message.
fn shown(value: &str) -> String {
    const MAX: usize = 40;
    if value.chars().count() <= MAX {
        return format!("{value:?}");
    }
    let head: String = value.chars().take(MAX).collect();
    format!("{head:?}...")
}

fn interpret(raw: &RawChallenge<'_>) -> std::result::Result<DigestChallenge, String> {
    const MALFORMED: &str = "Malformed Digest WWW-Authenticate header";
    const UNSUPPORTED: &str = "Unsupported Digest challenge";
    if raw.token68.is_some() {
        return Err(format!(
            "{MALFORMED}: expected name=value parameters, found a token68"
        ));
    }
    let mut realm = None;
    let mut nonce = None;
    let mut opaque = None;
    let mut algorithm = None;
    let mut qop = None;
    let mut stale = None;
    let mut userhash = None;
    let mut charset = None;
    for (name, value) in &raw.params {
        let slot = match name.to_ascii_lowercase().as_str() {
            "realm" => &mut realm,
            "nonce" => &mut nonce,
            "opaque" => &mut opaque,
            "algorithm" => &mut algorithm,
            "qop" => &mut qop,
            "stale" => &mut stale,
            "userhash" => &mut userhash,
            "charset" => &mut charset,
            _ => continue,
        };
        if slot.is_some() {
            return Err(format!(
                "{MALFORMED}: the {} parameter appears twice",
                name.to_ascii_lowercase()
            ));
        }
        *slot = Some(value.to_string());
    }
    let realm = realm.ok_or_else(|| format!("{MALFORMED}: missing the realm parameter"))?;
    let nonce = nonce.ok_or_else(|| format!("{MALFORMED}: missing the nonce parameter"))?;
    let algorithm = match algorithm {
        None => DigestAlgorithm::Md5,
        Some(token) => DigestAlgorithm::from_token(token.trim()).ok_or_else(|| {
            format!(
                "{UNSUPPORTED}: unknown algorithm {} (supported: MD5, SHA, SHA-256, SHA-512, \
                 SHA-512-256 and their -sess forms)",
                shown(&token)
            )
        })?,
    };
    let qop = match qop {
        None => Vec::new(),
        Some(list) => {
            let mut options = Vec::new();
            for option in list.split(',').map(str::trim) {
                let option = if option.eq_ignore_ascii_case("auth") {
                    DigestQop::Auth
                } else if option.eq_ignore_ascii_case("auth-int") {
                    DigestQop::AuthInt
                } else {
                    continue;
                };
                if !options.contains(&option) {
                    options.push(option);
                }
            }
            if options.is_empty() {
                return Err(format!(
                    "{UNSUPPORTED}: qop {} offers neither auth nor auth-int",
                    shown(&list)
                ));
            }
            options
        }
    };
    if algorithm.is_session() && qop.is_empty() {
        return Err(format!(
            "{UNSUPPORTED}: algorithm {algorithm} needs a client nonce, which is only sent \
             with a qop, and the challenge has none"
        ));
    }
    let is_true = |v: &Option<String>| {
        v.as_deref()
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
    };
    Ok(DigestChallenge {
        realm,
        nonce,
        opaque,
        algorithm,
        qop,
        stale: is_true(&stale),
        userhash: is_true(&userhash),
        charset,
    })
}

// ---- RFC 7235 syntax ------------------------------------------------------------------

/// One challenge as written: its scheme and a token68 or parameters.
#[derive(Debug)]
struct RawChallenge<'a> {
    scheme: &'a str,
    token68: Option<&'a str>,
    params: Vec<(&'a str, Cow<'a, str>)>,
}

fn is_tchar(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

fn is_token68_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~+/".contains(&b)
}

struct Lexer<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Lexer<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    /// Skips spaces and tabs; returns whether there were any.
    fn skip_ows(&mut self) -> bool {
        let start = self.pos;
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
        self.pos > start
    }

    fn token(&mut self) -> &'a str {
        let start = self.pos;
        while self.peek().is_some_and(|b| is_tchar(char::from(b))) {
            self.pos += 1;
        }
        // Tokens are ASCII, so `start..pos` lies on character boundaries.
        self.text.get(start..self.pos).unwrap_or("")
    }

    /// A token68 (`abc+/==`) when one stands here alone before a comma or the end.
    fn token68(&mut self) -> Option<&'a str> {
        let bytes = self.text.as_bytes();
        let start = self.pos;
        let mut p = start;
        while bytes.get(p).copied().is_some_and(is_token68_char) {
            p += 1;
        }
        if p == start {
            return None;
        }
        while bytes.get(p) == Some(&b'=') {
            p += 1;
        }
        let end = p;
        while matches!(bytes.get(p), Some(b' ' | b'\t')) {
            p += 1;
        }
        if matches!(bytes.get(p), None | Some(b',')) {
            self.pos = end;
            return self.text.get(start..end);
        }
        None
    }

    /// A quoted string starting at the `"` here, unescaped.
    fn quoted(&mut self) -> std::result::Result<String, String> {
        let start = self.pos;
        let rest = self.text.get(start + 1..).unwrap_or("");
        let mut out = String::new();
        let mut chars = rest.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    self.pos = start + 1 + i + 1;
                    return Ok(out);
                }
                '\\' => match chars.next() {
                    Some((_, escaped)) => out.push(escaped),
                    None => break,
                },
                c => out.push(c),
            }
        }
        Err(format!(
            "unterminated quoted string starting at byte {start}"
        ))
    }

    /// What stands at the current position, for an error message.
    fn describe_here(&self) -> String {
        match self
            .text
            .get(self.pos..)
            .and_then(|rest| rest.chars().next())
        {
            Some(c) => format!("unexpected character {c:?} at byte {}", self.pos),
            None => "unexpected end".to_string(),
        }
    }
}

/// Splits a `WWW-Authenticate` value into challenges (RFC 7235 §4.1 and §2.1).
fn parse_auth_header(value: &str) -> std::result::Result<Vec<RawChallenge<'_>>, String> {
    let mut lexer = Lexer {
        text: value,
        pos: 0,
    };
    let mut challenges: Vec<RawChallenge<'_>> = Vec::new();
    loop {
        lexer.skip_ows();
        match lexer.peek() {
            None => break,
            Some(b',') => {
                lexer.pos += 1;
                continue;
            }
            Some(_) => {}
        }
        let name = lexer.token();
        if name.is_empty() {
            return Err(lexer.describe_here());
        }
        let after_name = lexer.pos;
        lexer.skip_ows();
        if lexer.peek() == Some(b'=') {
            // `name=value`: a parameter of the current challenge.
            let Some(current) = challenges.last_mut() else {
                return Err(format!(
                    "parameter {} comes before any auth scheme",
                    shown(name)
                ));
            };
            if current.token68.is_some() {
                return Err(format!(
                    "parameter {} follows the token68 of the {} challenge",
                    shown(name),
                    shown(current.scheme)
                ));
            }
            lexer.pos += 1;
            lexer.skip_ows();
            let value = if lexer.peek() == Some(b'"') {
                Cow::Owned(lexer.quoted()?)
            } else {
                let token = lexer.token();
                if token.is_empty() {
                    return Err(format!(
                        "parameter {} has no value ({})",
                        shown(name),
                        lexer.describe_here()
                    ));
                }
                Cow::Borrowed(token)
            };
            current.params.push((name, value));
            lexer.skip_ows();
            if !matches!(lexer.peek(), None | Some(b',')) {
                return Err(format!(
                    "expected a comma after parameter {}, found {}",
                    shown(name),
                    lexer.describe_here()
                ));
            }
            continue;
        }
        // A new challenge; `name` is its scheme.
        let mut challenge = RawChallenge {
            scheme: name,
            token68: None,
            params: Vec::new(),
        };
        if lexer.pos > after_name {
            challenge.token68 = lexer.token68();
        } else if !matches!(lexer.peek(), None | Some(b',')) {
            return Err(format!(
                "expected a space after the auth scheme {}, found {}",
                shown(name),
                lexer.describe_here()
            ));
        }
        challenges.push(challenge);
    }
    Ok(challenges)
}

// ---- the answer -----------------------------------------------------------------------

/// RFC 5987 `attr-char`s stay as they are in `username*`; the rest is percent-encoded.
const ATTR_CHAR_ESCAPES: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// `value` as a quoted string, with `"` and `\` escaped.
fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// Whether a username can go in a quoted string (printable ASCII, space and tab);
/// otherwise it is sent as `username*` (RFC 7616 §3.4.4).
fn fits_quoted_string(value: &str) -> bool {
    value.chars().all(|c| c == '\t' || (' '..='~').contains(&c))
}

/// HTTP Digest authentication (RFC 7616; httpx's `DigestAuth`, and more).
///
/// The first request goes without credentials. A `401` with a Digest challenge is
/// answered once; the challenge is kept and answered pre-emptively on later requests
/// to the same origin (scheme, host, port), with nonce counts `00000001`,
/// `00000002`, ... until the server sends a new challenge, which restarts the count.
///
/// - Algorithms: MD5, SHA (SHA-1), SHA-256, SHA-512, SHA-512-256 and their `-sess`
///   forms; when several Digest challenges are offered, the strongest is answered.
/// - `qop=auth` (preferred when offered), `qop=auth-int` (the hash covers the request
///   body) and RFC 2069 servers without `qop` (no `nc` or `cnonce` sent).
/// - `userhash=true` sends `H(username:realm)`; otherwise a username that is not
///   printable ASCII goes as `username*=UTF-8''...` (RFC 5987). Credentials are UTF-8.
/// - `opaque` is echoed; cookies set by the `401` are sent with the retry.
/// - A `401` with `stale=true` answering our own digest is retried once with the new
///   nonce; any other `401` answering our digest ends the flow (wrong credentials).
/// - Malformed or unsupported challenges are
///   [`RemoteProtocolError`](crate::ErrorKind::RemoteProtocolError)s.
///
/// Security: a challenge is answered only when it comes from the origin of the request
/// this flow started with (a `401` at the end of a redirect to another origin is
/// returned as it is), and the pre-emptive answer goes only to the origin that issued
/// the challenge. `Debug` output and error messages never contain the password or a
/// computed response.
///
/// [`requires_request_body`](Auth::requires_request_body) is `true`: the client reads
/// the request body into memory before the flow starts (a streamed upload is buffered),
/// so that `auth-int` can hash it and retries can resend it.
///
/// ```
/// use httpx::auth::DigestAuth;
/// let auth = DigestAuth::new("user", "password123");
/// assert_eq!(format!("{auth:?}"), r#"DigestAuth { username: "user", password: "[secure]" }"#);
/// # #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
/// # {
/// let transport = httpx::MockTransport::new(|request| {
///     match request.headers().get("authorization") {
///         Some(answer) if answer.starts_with("Digest ") => httpx::Response::builder(200).build(),
///         _ => httpx::Response::builder(401)
///             .header("WWW-Authenticate", r#"Digest realm="r", nonce="n", qop="auth""#)
///             .build(),
///     }
/// });
/// let client = httpx::Client::builder().transport(transport).auth(auth).build()?;
/// let response = client.get("https://example.org/").send()?;
/// assert_eq!(response.status(), 200);
/// assert_eq!(response.history().len(), 1); // the 401
/// # }
/// # Ok::<(), httpx::Error>(())
/// ```
pub struct DigestAuth {
    username: String,
    password: String,
    state: Mutex<SharedState>,
}

#[derive(Default)]
struct SharedState {
    last: Option<Stored>,
}

/// The last challenge answered, where it came from, and the next nonce count.
struct Stored {
    challenge: DigestChallenge,
    origin: (String, String, Option<u16>),
    next_nc: u32,
}

impl DigestAuth {
    /// Digest auth with these credentials (sent as UTF-8).
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> DigestAuth {
        DigestAuth {
            username: username.into(),
            password: password.into(),
            state: Mutex::new(SharedState::default()),
        }
    }

    /// The username.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The `Authorization` value answering `challenge` for a request with `method`,
    /// request target `uri` and `body` (hashed for `qop=auth-int` only), with nonce
    /// count `nc` and client nonce `cnonce`: a pure function, for checking vectors and
    /// for flows of one's own. The fields are in httpx's order.
    ///
    /// Fails only when `challenge` was changed into a `-sess` algorithm without `qop`.
    ///
    /// RFC 7616 §3.9.1:
    ///
    /// ```
    /// use httpx::auth::{parse_challenge, DigestAuth};
    /// let challenge = parse_challenge(
    ///     concat!(
    ///         r#"Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=MD5, "#,
    ///         r#"nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", "#,
    ///         r#"opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS""#,
    ///     ),
    /// )?;
    /// let auth = DigestAuth::new("Mufasa", "Circle of Life");
    /// let value = auth.authorization(&challenge, "GET", "/dir/index.html", b"", 1,
    ///     "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ")?;
    /// assert_eq!(value, "Digest username=\"Mufasa\", realm=\"http-auth@example.org\", \
    ///     nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", uri=\"/dir/index.html\", \
    ///     response=\"8ca523f5e9506fed4657c9700eebdbec\", algorithm=MD5, \
    ///     opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\", qop=auth, nc=00000001, \
    ///     cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\"");
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn authorization(
        &self,
        challenge: &DigestChallenge,
        method: &str,
        uri: &str,
        body: &[u8],
        nc: u32,
        cnonce: &str,
    ) -> Result<String> {
        let algorithm = challenge.algorithm;
        let qop = challenge.chosen_qop();
        if algorithm.is_session() && qop.is_none() {
            return Err(Error::local_protocol(format!(
                "Digest algorithm {algorithm} needs a qop; the challenge has none"
            )));
        }
        let realm = challenge.realm.as_bytes();
        let nonce = challenge.nonce.as_bytes();
        let nc_value = format!("{nc:08x}");

        let mut ha1 = algorithm.hash(&[self.username.as_bytes(), realm, self.password.as_bytes()]);
        if algorithm.is_session() {
            ha1 = algorithm.hash(&[ha1.as_bytes(), nonce, cnonce.as_bytes()]);
        }
        let ha2 = match qop {
            Some(DigestQop::AuthInt) => {
                let body_hash = algorithm.hash(&[body]);
                algorithm.hash(&[method.as_bytes(), uri.as_bytes(), body_hash.as_bytes()])
            }
            _ => algorithm.hash(&[method.as_bytes(), uri.as_bytes()]),
        };
        let response = match qop {
            Some(qop) => algorithm.hash(&[
                ha1.as_bytes(),
                nonce,
                nc_value.as_bytes(),
                cnonce.as_bytes(),
                qop.name().as_bytes(),
                ha2.as_bytes(),
            ]),
            None => algorithm.hash(&[ha1.as_bytes(), nonce, ha2.as_bytes()]),
        };

        let mut fields: Vec<String> = Vec::with_capacity(11);
        if challenge.userhash {
            let hashed = algorithm.hash(&[self.username.as_bytes(), realm]);
            fields.push(format!("username={}", quote(&hashed)));
        } else if fits_quoted_string(&self.username) {
            fields.push(format!("username={}", quote(&self.username)));
        } else {
            fields.push(format!(
                "username*=UTF-8''{}",
                utf8_percent_encode(&self.username, ATTR_CHAR_ESCAPES)
            ));
        }
        fields.push(format!("realm={}", quote(&challenge.realm)));
        fields.push(format!("nonce={}", quote(&challenge.nonce)));
        fields.push(format!("uri={}", quote(uri)));
        fields.push(format!("response={}", quote(&response)));
        fields.push(format!("algorithm={algorithm}"));
        if let Some(opaque) = &challenge.opaque {
            fields.push(format!("opaque={}", quote(opaque)));
        }
        if let Some(qop) = qop {
            fields.push(format!("qop={}", qop.name()));
            fields.push(format!("nc={nc_value}"));
            fields.push(format!("cnonce={}", quote(cnonce)));
        }
        if challenge.userhash {
            fields.push("userhash=true".to_string());
        }
        Ok(format!("Digest {}", fields.join(", ")))
    }

    fn state(&self) -> MutexGuard<'_, SharedState> {
        // The state is a plain value that is always consistent: a panic elsewhere while
        // the lock was held leaves nothing half-done.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The answer for `request` with a fresh cnonce.
    fn answer(&self, challenge: &DigestChallenge, request: &Request, nc: u32) -> Result<String> {
        let body: &[u8] = if challenge.chosen_qop() == Some(DigestQop::AuthInt) {
            request.content()?
        } else {
            &[]
        };
        let cnonce = crate::rt::random_hex(16)?;
        self.authorization(
            challenge,
            request.method().as_str(),
            &request.url().raw_path(),
            body,
            nc,
            &cnonce,
        )
    }

    /// The pre-emptive answer for `request`, when the last challenge came from its
    /// origin; takes the next nonce count.
    fn preemptive_answer(&self, request: &Request) -> Result<Option<String>> {
        let (challenge, nc) = {
            let mut state = self.state();
            let Some(stored) = state.last.as_mut() else {
                return Ok(None);
            };
            if stored.origin != request.url().origin() {
                return Ok(None);
            }
            let nc = stored.next_nc;
            match nc.checked_add(1) {
                Some(next) => stored.next_nc = next,
                // The count is exhausted: let the server send a new challenge.
                None => {
                    state.last = None;
                    return Ok(None);
                }
            }
            (stored.challenge.clone(), nc)
        };
        self.answer(&challenge, request, nc).map(Some)
    }

    /// Keeps `challenge` from `request`'s origin and answers it with nonce count 1.
    fn answer_new_challenge(
        &self,
        challenge: DigestChallenge,
        request: &Request,
    ) -> Result<String> {
        let value = self.answer(&challenge, request, 1)?;
        self.state().last = Some(Stored {
            challenge,
            origin: request.url().origin(),
            next_nc: 2,
        });
        Ok(value)
    }
}

impl fmt::Debug for DigestAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DigestAuth")
            .field("username", &self.username)
            .field("password", &"[secure]")
            .finish()
    }
}

impl Auth for DigestAuth {
    /// `true`: `auth-int` hashes the body, and retries resend it.
    fn requires_request_body(&self) -> bool {
        true
    }

    fn auth_flow(&self, request: Request) -> Box<dyn AuthFlow + '_> {
        Box::new(DigestFlow {
            auth: self,
            request: Some(request),
            kept: None,
            answered: false,
            stale_retried: false,
        })
    }
}

/// One request's run of [`DigestAuth`].
struct DigestFlow<'a> {
    auth: &'a DigestAuth,
    /// The request until `first` takes it.
    request: Option<Request>,
    /// A copy of the request for retries (a streaming body is a consumed marker).
    kept: Option<Request>,
    /// Whether a challenge received in this flow was answered.
    answered: bool,
    /// Whether the one retry for `stale=true` was used.
    stale_retried: bool,
}

impl AuthFlow for DigestFlow<'_> {
    fn first(&mut self) -> Result<Request> {
        let mut request = self.request.take().ok_or_else(|| {
            Error::invalid_state("the auth flow's first request was already taken")
        })?;
        let preemptive = self
            .auth
            .preemptive_answer(&request)
            .map_err(|e| e.with_request(request.method(), request.url()))?;
        if let Some(value) = preemptive {
            request.headers_mut().insert("Authorization", value)?;
        }
        self.kept = Some(request.clone());
        Ok(request)
    }

    fn next(&mut self, response: &Response) -> Result<Option<Request>> {
        if response.status_code() != 401 {
            return Ok(None);
        }
        let Some(request) = self.kept.as_mut() else {
            return Ok(None);
        };
        // Only the origin this flow talks to may challenge it: a 401 at the end of a
        // redirect to another origin is not answered with credentials for ours.
        let challenged_url = match response.request() {
            Some(sent) if sent.url().origin() != request.url().origin() => return Ok(None),
            Some(sent) => {
                if sent.url() != request.url() {
                    // A same-origin redirect led here: answer for, and retry, the request
                    // that was challenged (httpx answers for the first URL, which the
                    // server must refuse).
                    *request = sent.clone();
                }
                sent.url().clone()
            }
            None => request.url().clone(),
        };
        let challenge = match DigestChallenge::from_headers(response.headers()) {
            Ok(Some(challenge)) => challenge,
            Ok(None) => return Ok(None),
            Err(e) => return Err(e.with_request(request.method(), request.url())),
        };
        if self.answered {
            // Our own answer was refused: retry once only if the nonce was stale.
            if !challenge.stale || self.stale_retried {
                return Ok(None);
            }
            self.stale_retried = true;
        }
        self.answered = true;
        let value = self
            .auth
            .answer_new_challenge(challenge, request)
            .map_err(|e| e.with_request(request.method(), request.url()))?;
        request.headers_mut().insert("Authorization", value)?;
        let mut cookies = Cookies::new();
        cookies.extract_from_response(&challenged_url, response.headers());
        let url = request.url().clone();
        merge_cookies(request, &cookies, &url)?;
        Ok(Some(request.clone()))
    }
}

/// Adds the cookies the 401 set to the retry's `Cookie` header: a cookie of the same
/// name replaces the one the request carried (the server just set it), others stay.
fn merge_cookies(request: &mut Request, fresh: &Cookies, url: &Url) -> Result<()> {
    let Some(new) = fresh.cookie_header(url) else {
        return Ok(());
    };
    let existing = request.headers().get("cookie").map(|v| v.into_owned());
    let merged = match existing {
        None => new,
        Some(existing) => {
            let fresh_names: Vec<&str> = new
                .split("; ")
                .filter_map(|pair| pair.split('=').next())
                .collect();
            let kept = existing
                .split(';')
                .map(str::trim)
                .filter(|pair| !pair.is_empty())
                .filter(|pair| {
                    let name = pair.split('=').next().unwrap_or("");
                    !fresh_names.contains(&name)
                });
            let mut pairs: Vec<&str> = kept.collect();
            pairs.extend(new.split("; "));
            pairs.join("; ")
        }
    };
    request.headers_mut().insert("Cookie", merged)?;
    // Added by the client, not the user: a host that keeps cookies itself (fetch) drops
    // it like the jar's, rather than refusing the request.
    request.mark_auto_header("cookie");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use crate::request::Method;

    use std::collections::HashMap;

    const RFC7616_NONCE: &str = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
    const RFC7616_CNONCE: &str = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
    const RFC7616_OPAQUE: &str = "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS";

    /// The parameters of a `Digest ...` value, parsed back with the challenge parser.
    fn fields(value: &str) -> HashMap<String, String> {
        let challenges = parse_auth_header(value).unwrap();
        assert_eq!(challenges.len(), 1, "{value}");
        assert_eq!(challenges[0].scheme, "Digest");
        challenges[0]
            .params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn rfc7616_challenge(algorithm: &str) -> DigestChallenge {
        parse_challenge(&format!(
            r#"Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm={algorithm}, nonce="{RFC7616_NONCE}", opaque="{RFC7616_OPAQUE}""#
        ))
        .unwrap()
    }

    fn rfc7616_response(algorithm: &str) -> String {
        let auth = DigestAuth::new("Mufasa", "Circle of Life");
        let value = auth
            .authorization(
                &rfc7616_challenge(algorithm),
                "GET",
                "/dir/index.html",
                b"",
                1,
                RFC7616_CNONCE,
            )
            .unwrap();
        let f = fields(&value);
        assert_eq!(f["qop"], "auth");
        assert_eq!(f["nc"], "00000001");
        assert_eq!(f["cnonce"], RFC7616_CNONCE);
        assert_eq!(f["opaque"], RFC7616_OPAQUE);
        f["response"].clone()
    }

    // ---- published vectors (SECURITY.md §2) -------------------------------------------

    #[test]
    fn rfc_7616_3_9_1_md5() {
        assert_eq!(rfc7616_response("MD5"), "8ca523f5e9506fed4657c9700eebdbec");
    }

    #[test]
    fn rfc_7616_3_9_1_sha256() {
        assert_eq!(
            rfc7616_response("SHA-256"),
            "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"
        );
    }

    #[test]
    fn rfc_7616_3_9_1_session_variants() {
        assert_eq!(
            rfc7616_response("MD5-sess"),
            "e783283f46242139c486a698fec7211d"
        );
        assert_eq!(
            rfc7616_response("SHA-256-sess"),
            "2fd51b3a77ad75bad6afad6003e818d767133c46d9e2749e7f5232ae1ea3efd7"
        );
    }

    #[test]
    fn rfc_7616_3_9_1_intermediate_hashes() {
        let a = DigestAlgorithm::Md5;
        assert_eq!(
            a.hash(&[b"Mufasa", b"http-auth@example.org", b"Circle of Life"]),
            "3d78807defe7de2157e2b0b6573a855f"
        );
        assert_eq!(
            a.hash(&[b"GET", b"/dir/index.html"]),
            "39aff3a2bab6126f332b942af96d3366"
        );
        let s = DigestAlgorithm::Sha256;
        assert_eq!(
            s.hash(&[b"Mufasa", b"http-auth@example.org", b"Circle of Life"]),
            "7987c64c30e25f1b74be53f966b49b90f2808aa92faf9a00262392d7b4794232"
        );
        assert_eq!(
            s.hash(&[b"GET", b"/dir/index.html"]),
            "9a3fdae9a622fe8de177c24fa9c070f2b181ec85e15dcbdc32e10c82ad450b04"
        );
    }

    #[test]
    fn rfc_2617_3_5() {
        let challenge = parse_challenge(
            r#"Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41""#,
        )
        .unwrap();
        let auth = DigestAuth::new("Mufasa", "Circle Of Life");
        assert_eq!(
            DigestAlgorithm::Md5.hash(&[b"Mufasa", b"testrealm@host.com", b"Circle Of Life"]),
            "939e7578ed9e3c518a452acee763bce9"
        );
        let value = auth
            .authorization(&challenge, "GET", "/dir/index.html", b"", 1, "0a4f113b")
            .unwrap();
        assert_eq!(
            value,
            "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", \
             nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", \
             response=\"6629fae49393a05397450978507c4ef1\", algorithm=MD5, \
             opaque=\"5ccc069c403ebaf9f0171e9517f40e41\", qop=auth, nc=00000001, \
             cnonce=\"0a4f113b\""
        );
    }

    fn rfc7616_3_9_2(userhash: bool) -> HashMap<String, String> {
        let challenge = parse_challenge(&format!(
            r#"Digest realm="api@example.org", qop="auth", algorithm=SHA-512-256, nonce="5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK", opaque="HRPCssKJSGjCrkzDg8OhwpzCiGPChXYjwrI2QmXDnsOS", charset=UTF-8, userhash={userhash}"#
        ))
        .unwrap();
        assert_eq!(challenge.charset.as_deref(), Some("UTF-8"));
        assert_eq!(challenge.userhash, userhash);
        let auth = DigestAuth::new("J\u{e4}s\u{f8}n Doe", "Secret, or not?");
        let value = auth
            .authorization(
                &challenge,
                "GET",
                "/doe.json",
                b"",
                1,
                "NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v",
            )
            .unwrap();
        assert!(value.is_ascii(), "{value}");
        fields(&value)
    }

    #[test]
    fn rfc_7616_3_9_2_sha512_256_userhash_errata_4897() {
        let f = rfc7616_3_9_2(true);
        assert_eq!(
            f["username"],
            "793263caabb707a56211940d90411ea4a575adeccb7e360aeb624ed06ece9b0b"
        );
        assert_eq!(
            f["response"],
            "3798d4131c277846293534c3edc11bd8a5e4cdcbff78b05db9d95eeb1cec68a5"
        );
        assert_eq!(f["userhash"], "true");
        assert_eq!(f["algorithm"], "SHA-512-256");
        assert!(!f.contains_key("username*"));
    }

    #[test]
    fn rfc_7616_3_9_2_without_userhash_sends_username_star() {
        let f = rfc7616_3_9_2(false);
        assert_eq!(f["username*"], "UTF-8''J%C3%A4s%C3%B8n%20Doe");
        assert!(!f.contains_key("username"));
        assert!(!f.contains_key("userhash"));
        // The hashed username does not change the response.
        assert_eq!(
            f["response"],
            "3798d4131c277846293534c3edc11bd8a5e4cdcbff78b05db9d95eeb1cec68a5"
        );
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

    #[test]
    fn rfc_2069_response_has_no_qop_nc_or_cnonce() {
        let challenge = parse_challenge(r#"Digest realm="r", nonce="n", opaque="o""#).unwrap();
        assert_eq!(challenge.chosen_qop(), None);
        let auth = DigestAuth::new("u", "p");
        let value = auth
            .authorization(&challenge, "GET", "/x", b"", 1, "c")
            .unwrap();
        let f = fields(&value);
        let ha1 = DigestAlgorithm::Md5.hash(&[b"u", b"r", b"p"]);
        let ha2 = DigestAlgorithm::Md5.hash(&[b"GET", b"/x"]);
        let expected = DigestAlgorithm::Md5.hash(&[ha1.as_bytes(), b"n", ha2.as_bytes()]);
        assert_eq!(f["response"], expected);
        assert_eq!(f["algorithm"], "MD5");
        assert_eq!(f["opaque"], "o");
        for absent in ["qop", "nc", "cnonce"] {
            assert!(!f.contains_key(absent), "{value}");
        }
    }

    #[test]
    fn auth_int_hashes_the_body() {
        let challenge = parse_challenge(r#"Digest realm="r", nonce="n", qop="auth-int""#).unwrap();
        assert_eq!(challenge.chosen_qop(), Some(DigestQop::AuthInt));
        let auth = DigestAuth::new("u", "p");
        let value = auth
            .authorization(&challenge, "POST", "/x", b"hello", 1, "c")
            .unwrap();
        let f = fields(&value);
        let md5 = DigestAlgorithm::Md5;
        let ha1 = md5.hash(&[b"u", b"r", b"p"]);
        let body = md5.hash(&[b"hello"]);
        let ha2 = md5.hash(&[b"POST", b"/x", body.as_bytes()]);
        let expected = md5.hash(&[
            ha1.as_bytes(),
            b"n",
            b"00000001",
            b"c",
            b"auth-int",
            ha2.as_bytes(),
        ]);
        assert_eq!(f["qop"], "auth-int");
        assert_eq!(f["response"], expected);
        let other = auth
            .authorization(&challenge, "POST", "/x", b"hellO", 1, "c")
            .unwrap();
        assert_ne!(fields(&other)["response"], expected);
    }

    #[test]
    fn auth_is_preferred_over_auth_int() {
        for qop in [
            "auth-int,auth",
            "auth-int, auth",
            "auth,auth-int",
            " AUTH , auth-int ",
        ] {
            let c =
                parse_challenge(&format!(r#"Digest realm="r", nonce="n", qop="{qop}""#)).unwrap();
            assert_eq!(c.chosen_qop(), Some(DigestQop::Auth), "{qop}");
        }
        let c = parse_challenge(r#"Digest realm="r", nonce="n", qop="auth-int, x-other""#).unwrap();
        assert_eq!(c.qop, vec![DigestQop::AuthInt]);
    }

    #[test]
    fn quoted_values_are_escaped_in_the_answer() {
        let challenge =
            parse_challenge(r#"Digest realm="a \"b\" \\ c", nonce="n\"", qop=auth"#).unwrap();
        assert_eq!(challenge.realm, r#"a "b" \ c"#);
        let auth = DigestAuth::new(r#"we"ird\name"#, "p");
        let value = auth
            .authorization(&challenge, "GET", "/", b"", 7, "c")
            .unwrap();
        assert!(value.contains(r#"username="we\"ird\\name""#), "{value}");
        assert!(value.contains(r#"realm="a \"b\" \\ c""#), "{value}");
        let f = fields(&value);
        assert_eq!(f["username"], r#"we"ird\name"#);
        assert_eq!(f["realm"], challenge.realm);
        assert_eq!(f["nonce"], "n\"");
        assert_eq!(f["nc"], "00000007");
    }

    #[test]
    fn control_characters_in_the_username_go_as_username_star() {
        let challenge = parse_challenge(r#"Digest realm="r", nonce="n", qop=auth"#).unwrap();
        let auth = DigestAuth::new("a\u{1}b", "p");
        let value = auth
            .authorization(&challenge, "GET", "/", b"", 1, "c")
            .unwrap();
        assert_eq!(fields(&value)["username*"], "UTF-8''a%01b");
    }

    // ---- the parser ---------------------------------------------------------------

    #[test]
    fn parses_tokens_quoted_strings_and_case_insensitive_names() {
        let c = parse_challenge(
            "dIgEsT REALM=\"x, y\" ,\tNonce = abc ,Algorithm=sha-256 , QOP=\"auth\", Stale=true, userHash=TRUE, opaque=\"\"",
        )
        .unwrap();
        assert_eq!(c.realm, "x, y");
        assert_eq!(c.nonce, "abc");
        assert_eq!(c.algorithm, DigestAlgorithm::Sha256);
        assert_eq!(c.qop, vec![DigestQop::Auth]);
        assert!(c.stale && c.userhash);
        assert_eq!(c.opaque.as_deref(), Some(""));
        let c = parse_challenge(r#"Digest realm="x", nonce="y", stale=FALSE"#).unwrap();
        assert!(!c.stale && !c.userhash);
        assert_eq!(c.algorithm, DigestAlgorithm::Md5);
        assert_eq!(c.opaque, None);
    }

    #[test]
    fn picks_the_strongest_digest_challenge() {
        let c = parse_challenge(
            r#"Basic realm="b", Digest realm="x", nonce="1", algorithm=MD5, Digest realm="x", nonce="2", algorithm=SHA-512-256, Digest realm="x", nonce="3", algorithm=SHA-256, Bearer"#,
        )
        .unwrap();
        assert_eq!(c.nonce, "2");
        // An unsupported one is skipped when a usable one exists.
        let c = parse_challenge(
            r#"Digest realm="x", nonce="1", algorithm=SHA3-512, Digest realm="x", nonce="2", algorithm=SHA-256"#,
        )
        .unwrap();
        assert_eq!(c.nonce, "2");
        // Equals: the first wins.
        let c = parse_challenge(
            r#"Digest realm="x", nonce="1", algorithm=SHA-256, Digest realm="x", nonce="2", algorithm=SHA-256-sess, qop=auth"#,
        )
        .unwrap();
        assert_eq!(c.nonce, "1");
    }

    #[test]
    fn token68_challenges_are_skipped() {
        let c = parse_challenge(r#"Negotiate abc+/==, Digest realm="x", nonce="y""#).unwrap();
        assert_eq!(c.nonce, "y");
        let raw = parse_auth_header("Basic dXNlcjpwYXNz, NTLM").unwrap();
        assert_eq!(raw.len(), 2);
        assert_eq!(raw[0].token68, Some("dXNlcjpwYXNz"));
        assert_eq!(raw[1].scheme, "NTLM");
    }

    #[test]
    fn headers_are_combined_and_non_digest_values_ignored() {
        let headers = Headers::try_from([
            ("WWW-Authenticate", "Basic realm=\"unterminated"),
            (
                "WWW-Authenticate",
                r#"Digest realm="x", nonce="y", algorithm=SHA"#,
            ),
        ])
        .unwrap();
        let c = DigestChallenge::from_headers(&headers).unwrap().unwrap();
        assert_eq!(c.algorithm, DigestAlgorithm::Sha);

        let none = Headers::try_from([("WWW-Authenticate", r#"Basic realm="x""#)]).unwrap();
        assert!(DigestChallenge::from_headers(&none).unwrap().is_none());
        assert!(DigestChallenge::from_headers(&Headers::new())
            .unwrap()
            .is_none());
        let err = parse_challenge(r#"Basic realm="x""#).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::RemoteProtocolError);
    }

    #[test]
    fn malformed_and_unsupported_challenges_are_protocol_errors() {
        let cases = [
            (r#"Digest realm="httpx@example.org", qop="auth""#, "nonce"),
            (r#"Digest nonce="n", qop="auth""#, "realm"),
            (
                r#"Digest realm="httpx@example.org", qop="auth,au"#,
                "unterminated",
            ),
            (
                r#"Digest realm="x", nonce="y", algorithm=SHA3-256"#,
                "algorithm",
            ),
            (r#"Digest realm="x", nonce="y", algorithm="""#, "algorithm"),
            (r#"Digest realm="x", nonce="y", qop="not-auth""#, "qop"),
            (r#"Digest realm="x", nonce="y", qop="""#, "qop"),
            (r#"Digest realm="x", nonce="y", algorithm=MD5-sess"#, "qop"),
            (r#"Digest realm="x", realm="z", nonce="y""#, "twice"),
            (r#"Digest realm="x" nonce="y""#, "comma"),
            (r#"Digest realm=, nonce="y""#, "token68"),
            (r#"Digest realm="x", nonce=, qop=auth"#, "no value"),
            (r#"Digest realm="x", nonce"#, "nonce"),
            (r#"Digest abc=="#, "token68"),
            (r#"Digest"#, "realm"),
            (
                r#"Digest realm="x", nonce="y", ="z""#,
                "unexpected character",
            ),
            (
                "Digest realm=\"x\", nonce=\"y\", \u{e9}t\u{e9}=1",
                "unexpected character",
            ),
            (r#"Digest realm="x", nonce="y", qop="auth\"#, "unterminated"),
            (r#"Digest"realm="x""#, "space"),
        ];
        for (header, needle) in cases {
            let err = parse_challenge(header).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::RemoteProtocolError, "{header}");
            assert!(err.is_protocol());
            assert!(
                err.to_string().contains(needle),
                "{header:?} -> {err} (wanted {needle:?})"
            );
        }
    }

    #[test]
    fn parameters_before_any_scheme_are_malformed() {
        assert!(parse_auth_header(r#"realm="x""#).is_err());
        assert!(parse_auth_header(r#"Basic abc, realm="x""#).is_err());
        assert!(parse_auth_header("").unwrap().is_empty());
        assert!(parse_auth_header(" , ,").unwrap().is_empty());
    }

    // ---- the flow -----------------------------------------------------------------

    fn get(url: &str) -> Request {
        Request::new(Method::GET, Url::parse(url).unwrap())
    }

    fn reply(status: u16, sent: &Request, headers: &[(&str, &str)]) -> Response {
        let mut builder = Response::builder(status);
        for (name, value) in headers {
            builder = builder.header(name, value);
        }
        let mut response = builder.build().unwrap();
        response.set_request(sent.clone());
        response
    }

    fn challenge_401(sent: &Request, header: &str) -> Response {
        reply(401, sent, &[("www-authenticate", header)])
    }

    fn authorization(request: &Request) -> Option<HashMap<String, String>> {
        request
            .headers()
            .get("authorization")
            .map(|value| fields(&value))
    }

    /// Checks an answer as a server would, recomputing it from its own fields.
    fn verify(auth: &DigestAuth, request: &Request, challenge: &str) -> HashMap<String, String> {
        let f = authorization(request).expect("an Authorization header");
        let challenge = parse_challenge(challenge).unwrap();
        let nc = f
            .get("nc")
            .map(|nc| u32::from_str_radix(nc, 16).unwrap())
            .unwrap_or(1);
        let cnonce = f.get("cnonce").cloned().unwrap_or_default();
        let expected = auth
            .authorization(
                &challenge,
                request.method().as_str(),
                &request.url().raw_path(),
                request.content().unwrap(),
                nc,
                &cnonce,
            )
            .unwrap();
        assert_eq!(
            request.headers().get("authorization").as_deref(),
            Some(expected.as_str())
        );
        f
    }

    const CHALLENGE: &str = r#"Digest realm="httpx@example.org", nonce="n1", qop="auth", opaque="op", algorithm=SHA-256"#;

    #[test]
    fn challenge_then_retry() {
        let auth = DigestAuth::new("user", "password123");
        let mut flow = auth.auth_flow(get("https://example.org/a?b=c"));
        let first = flow.first().unwrap();
        assert!(!first.headers().contains("authorization"));
        let retry = flow
            .next(&challenge_401(&first, CHALLENGE))
            .unwrap()
            .unwrap();
        let f = verify(&auth, &retry, CHALLENGE);
        assert_eq!(f["username"], "user");
        assert_eq!(f["realm"], "httpx@example.org");
        assert_eq!(f["uri"], "/a?b=c");
        assert_eq!(f["algorithm"], "SHA-256");
        assert_eq!(f["opaque"], "op");
        assert_eq!(f["qop"], "auth");
        assert_eq!(f["nc"], "00000001");
        assert_eq!(f["cnonce"].len(), 32);
        assert!(f["cnonce"].bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(f["response"].len(), 64);
        // httpx's field order.
        let value = retry.headers().get("authorization").unwrap().into_owned();
        let names: Vec<&str> = value
            .trim_start_matches("Digest ")
            .split(", ")
            .map(|kv| kv.split('=').next().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "username",
                "realm",
                "nonce",
                "uri",
                "response",
                "algorithm",
                "opaque",
                "qop",
                "nc",
                "cnonce"
            ]
        );
        assert!(flow.next(&reply(200, &retry, &[])).unwrap().is_none());
    }

    #[test]
    fn cnonces_differ_between_answers() {
        let auth = DigestAuth::new("user", "pw");
        let mut flow = auth.auth_flow(get("https://example.org/"));
        let first = flow.first().unwrap();
        let retry = flow
            .next(&challenge_401(&first, CHALLENGE))
            .unwrap()
            .unwrap();
        let mut flow = auth.auth_flow(get("https://example.org/"));
        let again = flow.first().unwrap();
        assert_ne!(
            authorization(&retry).unwrap()["cnonce"],
            authorization(&again).unwrap()["cnonce"]
        );
    }

    #[test]
    fn reuses_the_challenge_with_increasing_nonce_count() {
        let auth = DigestAuth::new("user", "password123");
        let mut flow = auth.auth_flow(get("https://example.org/"));
        let first = flow.first().unwrap();
        let retry = flow
            .next(&challenge_401(&first, CHALLENGE))
            .unwrap()
            .unwrap();
        assert_eq!(authorization(&retry).unwrap()["nc"], "00000001");
        assert!(flow.next(&reply(200, &retry, &[])).unwrap().is_none());

        for expected in ["00000002", "00000003", "00000004"] {
            let mut flow = auth.auth_flow(get("https://example.org/other"));
            let request = flow.first().unwrap();
            let f = verify(&auth, &request, CHALLENGE);
            assert_eq!(f["nc"], expected);
            assert_eq!(f["nonce"], "n1");
            assert_eq!(f["uri"], "/other");
            assert!(flow.next(&reply(200, &request, &[])).unwrap().is_none());
        }
    }

    #[test]
    fn a_new_challenge_resets_the_nonce_count() {
        let auth = DigestAuth::new("user", "password123");
        let mut flow = auth.auth_flow(get("https://example.org/"));
        let first = flow.first().unwrap();
        flow.next(&challenge_401(&first, CHALLENGE))
            .unwrap()
            .unwrap();

        let mut flow = auth.auth_flow(get("https://example.org/"));
        let preemptive = flow.first().unwrap();
        assert_eq!(authorization(&preemptive).unwrap()["nc"], "00000002");
        // The server changed its nonce: the pre-emptive answer is refused (no stale).
        let second = r#"Digest realm="httpx@example.org", nonce="n2", qop="auth""#;
        let retry = flow
            .next(&challenge_401(&preemptive, second))
            .unwrap()
            .unwrap();
        let f = verify(&auth, &retry, second);
        assert_eq!((f["nonce"].as_str(), f["nc"].as_str()), ("n2", "00000001"));
        assert!(!f.contains_key("opaque"));
        assert!(flow.next(&reply(200, &retry, &[])).unwrap().is_none());

        let mut flow = auth.auth_flow(get("https://example.org/"));
        let next = flow.first().unwrap();
        let f = authorization(&next).unwrap();
        assert_eq!((f["nonce"].as_str(), f["nc"].as_str()), ("n2", "00000002"));
    }

    #[test]
    fn stale_gets_one_retry_with_the_new_nonce() {
        let auth = DigestAuth::new("user", "password123");
        let mut flow = auth.auth_flow(get("https://example.org/"));
        let first = flow.first().unwrap();
        let retry = flow
            .next(&challenge_401(&first, CHALLENGE))
            .unwrap()
            .unwrap();
        let stale = r#"Digest realm="httpx@example.org", nonce="n2", qop="auth", stale=true"#;
        let stale_retry = flow.next(&challenge_401(&retry, stale)).unwrap().unwrap();
        let f = verify(&auth, &stale_retry, stale);
        assert_eq!((f["nonce"].as_str(), f["nc"].as_str()), ("n2", "00000001"));
        // Stale again: no second stale retry.
        let stale3 = r#"Digest realm="httpx@example.org", nonce="n3", qop="auth", stale=true"#;
        assert!(flow
            .next(&challenge_401(&stale_retry, stale3))
            .unwrap()
            .is_none());
    }

    #[test]
    fn stale_after_a_preemptive_answer() {
        let auth = DigestAuth::new("user", "password123");
        let mut flow = auth.auth_flow(get("https://example.org/"));
        let first = flow.first().unwrap();
        flow.next(&challenge_401(&first, CHALLENGE))
            .unwrap()
            .unwrap();

        let mut flow = auth.auth_flow(get("https://example.org/"));
        let preemptive = flow.first().unwrap();
        assert!(preemptive.headers().contains("authorization"));
        let stale = r#"Digest realm="httpx@example.org", nonce="n2", qop="auth", stale=true"#;
        let retry = flow
            .next(&challenge_401(&preemptive, stale))
            .unwrap()
            .unwrap();
        assert_eq!(authorization(&retry).unwrap()["nonce"], "n2");
        let stale3 = r#"Digest realm="httpx@example.org", nonce="n3", qop="auth", stale=true"#;
        let retry2 = flow.next(&challenge_401(&retry, stale3)).unwrap().unwrap();
        assert_eq!(authorization(&retry2).unwrap()["nonce"], "n3");
        let stale4 = r#"Digest realm="httpx@example.org", nonce="n4", qop="auth", stale=true"#;
        assert!(flow
            .next(&challenge_401(&retry2, stale4))
            .unwrap()
            .is_none());
    }

    #[test]
    fn wrong_credentials_get_no_more_retries() {
        let auth = DigestAuth::new("user", "wrong");
        let mut flow = auth.auth_flow(get("https://example.org/"));
        let first = flow.first().unwrap();
        let retry = flow
            .next(&challenge_401(&first, CHALLENGE))
            .unwrap()
            .unwrap();
        let again = r#"Digest realm="httpx@example.org", nonce="n9", qop="auth""#;
        assert!(flow.next(&challenge_401(&retry, again)).unwrap().is_none());
        assert!(flow.next(&challenge_401(&retry, again)).unwrap().is_none());
    }

    #[test]
    fn cookies_from_the_401_are_carried_into_the_retry() {
        let auth = DigestAuth::new("user", "pw");
        let mut flow = auth.auth_flow(get("https://example.org/"));
        let first = flow.first().unwrap();
        let response = reply(
            401,
            &first,
            &[
                ("www-authenticate", CHALLENGE),
                ("set-cookie", "session=abc; Path=/"),
                ("set-cookie", "other=1"),
            ],
        );
        let retry = flow.next(&response).unwrap().unwrap();
        assert_eq!(
            retry.headers().get("cookie").as_deref(),
            Some("session=abc; other=1")
        );
        // Added by the client: a host that keeps cookies itself drops it, not refuses.
        assert!(retry.is_auto_header("cookie"));
    }

    #[test]
    fn auth_int_flow_hashes_the_request_body() {
        let auth = DigestAuth::new("user", "pw");
        assert!(auth.requires_request_body());
        let mut request = Request::new(
            Method::POST,
            Url::parse("https://example.org/upload").unwrap(),
        );
        request.set_body("payload");
        let mut flow = auth.auth_flow(request);
        let first = flow.first().unwrap();
        let header = r#"Digest realm="r", nonce="n", qop="auth-int", algorithm=SHA-256"#;
        let retry = flow.next(&challenge_401(&first, header)).unwrap().unwrap();
        assert_eq!(retry.content().unwrap(), b"payload");
        let f = verify(&auth, &retry, header);
        assert_eq!(f["qop"], "auth-int");
        // The pre-emptive answer of the next request hashes that request's body.
        let mut request = Request::new(
            Method::POST,
            Url::parse("https://example.org/upload").unwrap(),
        );
        request.set_body("other payload");
        let mut flow = auth.auth_flow(request);
        let next = flow.first().unwrap();
        let f = verify(&auth, &next, header);
        assert_eq!(f["nc"], "00000002");
    }

    #[test]
    fn auth_int_with_an_unread_stream_is_an_error_not_a_panic() {
        let auth = DigestAuth::new("user", "pw");
        let mut request = Request::new(Method::POST, Url::parse("https://example.org/").unwrap());
        request.set_body(crate::request::Body::from_iter(
            vec![Ok::<_, Error>(bytes::Bytes::from_static(b"x"))],
            None,
        ));
        let mut flow = auth.auth_flow(request);
        let first = flow.first().unwrap();
        let header = r#"Digest realm="r", nonce="n", qop="auth-int""#;
        let err = flow.next(&challenge_401(&first, header)).unwrap_err();
        assert!(err.is_stream(), "{err}");
    }

    #[test]
    fn rfc_2069_flow() {
        let auth = DigestAuth::new("user", "pw");
        let mut flow = auth.auth_flow(get("http://example.org/dir/"));
        let first = flow.first().unwrap();
        let header = r#"Digest realm="r", nonce="n""#;
        let retry = flow.next(&challenge_401(&first, header)).unwrap().unwrap();
        let f = verify(&auth, &retry, header);
        assert_eq!(f["algorithm"], "MD5");
        for absent in ["qop", "nc", "cnonce", "opaque"] {
            assert!(!f.contains_key(absent));
        }
        // Reused pre-emptively too.
        let mut flow = auth.auth_flow(get("http://example.org/dir/"));
        let next = flow.first().unwrap();
        verify(&auth, &next, header);
    }

    #[test]
    fn malformed_challenges_fail_the_flow() {
        for header in [
            r#"Digest realm="httpx@example.org", qop="auth""#,
            r#"Digest realm="httpx@example.org", qop="auth,au"#,
            r#"Digest realm="x", nonce="y", algorithm=XYZ"#,
            r#"Digest realm="x", nonce="y", qop="not-auth""#,
            r#"Digest realm="x", nonce="y", algorithm=SHA-sess"#,
            r#"Digest nonce="y" realm="x""#,
        ] {
            let auth = DigestAuth::new("user", "s3cr3t-pw");
            let mut flow = auth.auth_flow(get("https://user:urlpw@example.org/"));
            let first = flow.first().unwrap();
            let err = flow.next(&challenge_401(&first, header)).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::RemoteProtocolError, "{header}");
            let text = format!("{err} {err:?}");
            assert!(
                !text.contains("s3cr3t-pw") && !text.contains("urlpw"),
                "{text}"
            );
            assert_eq!(err.request().unwrap().url.as_str(), "https://example.org/");
        }
    }

    #[test]
    fn no_retry_without_a_digest_challenge() {
        let auth = DigestAuth::new("user", "pw");
        for response_headers in [
            vec![],
            vec![("www-authenticate", r#"Basic realm="x""#)],
            vec![
                ("www-authenticate", "Bearer"),
                ("www-authenticate", "Negotiate"),
            ],
        ] {
            let mut flow = auth.auth_flow(get("https://example.org/"));
            let first = flow.first().unwrap();
            assert!(flow
                .next(&reply(401, &first, &response_headers))
                .unwrap()
                .is_none());
        }
        // A 200 with a challenge is final too.
        let mut flow = auth.auth_flow(get("https://example.org/"));
        let first = flow.first().unwrap();
        let ok = reply(200, &first, &[("www-authenticate", CHALLENGE)]);
        assert!(flow.next(&ok).unwrap().is_none());
        assert!(auth.state().last.is_none());
    }

    #[test]
    fn the_preemptive_answer_goes_only_to_the_challenging_origin() {
        let auth = DigestAuth::new("user", "pw");
        let mut flow = auth.auth_flow(get("https://example.org/"));
        let first = flow.first().unwrap();
        flow.next(&challenge_401(&first, CHALLENGE))
            .unwrap()
            .unwrap();

        for other in [
            "http://example.org/",
            "https://example.org:8443/",
            "https://other.example.org/",
            "https://127.0.0.1/",
        ] {
            let mut flow = auth.auth_flow(get(other));
            let request = flow.first().unwrap();
            assert!(!request.headers().contains("authorization"), "{other}");
        }
        // Same origin, explicit default port: still answered.
        let mut flow = auth.auth_flow(get("https://example.org:443/x"));
        assert!(flow.first().unwrap().headers().contains("authorization"));
    }

    #[test]
    fn a_401_from_another_origin_after_a_redirect_is_not_answered() {
        let auth = DigestAuth::new("user", "pw");
        let mut flow = auth.auth_flow(get("https://example.org/"));
        let _first = flow.first().unwrap();
        // The send loop followed a redirect; the final 401 came from elsewhere.
        let elsewhere = get("https://evil.example.net/");
        assert!(flow
            .next(&challenge_401(&elsewhere, CHALLENGE))
            .unwrap()
            .is_none());
        assert!(auth.state().last.is_none());
    }

    #[test]
    fn a_streaming_body_is_left_for_the_first_send() {
        let auth = DigestAuth::new("user", "pw");
        let mut request = Request::new(Method::POST, Url::parse("https://example.org/").unwrap());
        request.set_body(crate::request::Body::from_iter(
            vec![Ok::<_, Error>(bytes::Bytes::from_static(b"x"))],
            None,
        ));
        let mut flow = auth.auth_flow(request);
        let first = flow.first().unwrap();
        assert!(first.body().is_stream() && !first.body().is_consumed());
        // A retry can only resend a consumed marker (the send fails with StreamConsumed).
        let retry = flow
            .next(&challenge_401(&first, CHALLENGE))
            .unwrap()
            .unwrap();
        assert!(retry.body().is_consumed());
    }

    #[test]
    fn debug_hides_the_password() {
        let auth = DigestAuth::new("user", "s3cr3t");
        let debug = format!("{auth:?}");
        assert!(debug.contains("user") && debug.contains("[secure]"));
        assert!(!debug.contains("s3cr3t"));
    }

    #[test]
    fn digest_auth_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<DigestAuth>();
        assert_send_sync::<DigestChallenge>();
    }

    #[test]
    fn exhausted_nonce_count_drops_the_challenge() {
        let auth = DigestAuth::new("user", "pw");
        let mut flow = auth.auth_flow(get("https://example.org/"));
        let first = flow.first().unwrap();
        flow.next(&challenge_401(&first, CHALLENGE))
            .unwrap()
            .unwrap();
        auth.state().last.as_mut().unwrap().next_nc = u32::MAX;
        let mut flow = auth.auth_flow(get("https://example.org/"));
        assert!(!flow.first().unwrap().headers().contains("authorization"));
        assert!(auth.state().last.is_none());
    }

    #[cfg(not(target_family = "wasm"))]
    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn the_parser_never_panics(value in any::<String>()) {
                let _ = parse_challenge(&value);
            }

            #[test]
            fn challenge_like_values_never_panic(
                value in r#"(Digest|digest|Basic)?[ ,]{0,2}([a-zA-Z*]{1,8} ?= ?("([^"\\]|\\.){0,12}"?|[a-zA-Z0-9+/=-]{0,8})[ ,]{0,2}){0,6}(Digest ?)?"#,
            ) {
                let _ = parse_challenge(&value);
                let headers = Headers::try_from([("WWW-Authenticate", value.as_str())]);
                if let Ok(headers) = headers {
                    let _ = DigestChallenge::from_headers(&headers);
                }
            }

            #[test]
            fn answers_to_parsed_challenges_are_valid_header_values(
                realm in "[ -~]{0,12}",
                nonce in "[ -~]{0,12}",
                username in any::<String>(),
                alg in proptest::sample::select(ALGORITHMS.to_vec()),
            ) {
                let header = format!(
                    "Digest realm={}, nonce={}, algorithm={}, qop=\"auth\"",
                    quote(&realm), quote(&nonce), alg
                );
                let challenge = parse_challenge(&header).unwrap();
                prop_assert_eq!(&challenge.realm, &realm);
                prop_assert_eq!(&challenge.nonce, &nonce);
                let auth = DigestAuth::new(username, "pw");
                let value = auth.authorization(&challenge, "GET", "/", b"", 1, "c").unwrap();
                let mut headers = Headers::new();
                prop_assert!(headers.insert("Authorization", &value).is_ok());
                let back = parse_auth_header(&value).unwrap();
                prop_assert_eq!(back.len(), 1);
            }
        }
    }
}
