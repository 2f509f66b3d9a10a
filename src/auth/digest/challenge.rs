//! Digest challenges: the `WWW-Authenticate` parser (RFC 7235 syntax) and the
//! choice and interpretation of a Digest challenge.

use std::borrow::Cow;

use super::{DigestAlgorithm, DigestQop};
use crate::error::{Error, Result};
use crate::headers::Headers;

// ---- challenges -----------------------------------------------------------------------

/// A parsed `WWW-Authenticate: Digest ...` challenge.
///
/// Built by [`parse_challenge`] or [`DigestChallenge::from_headers`], which accept only
/// challenges this crate can answer: a realm and a nonce, a supported algorithm, and a
/// `qop` (when present) offering `auth` or `auth-int`.
///
/// # Examples
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
    /// # Examples
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
/// # Examples
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
pub(super) struct RawChallenge<'a> {
    pub(super) scheme: &'a str,
    token68: Option<&'a str>,
    pub(super) params: Vec<(&'a str, Cow<'a, str>)>,
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
pub(super) fn parse_auth_header(value: &str) -> std::result::Result<Vec<RawChallenge<'_>>, String> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

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
        }
    }
}
