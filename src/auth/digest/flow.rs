//! The Digest answer (RFC 7616 §3.4) and [`DigestAuth`], the auth flow that sends it.

use std::fmt;
use std::sync::{Mutex, MutexGuard};

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use super::{DigestChallenge, DigestQop};
use crate::auth::{Auth, AuthFlow};
use crate::cookies::Cookies;
use crate::error::{Error, Result};
use crate::request::Request;
use crate::response::Response;
use crate::url::Url;

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
/// # Examples
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
    ///
    /// One `DigestAuth` remembers the last challenge it answered: later requests to the
    /// same origin send an answer at once, with the next nonce count, instead of
    /// waiting for another `401` (as httpx does).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    /// # {
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    /// use httpx::{auth::DigestAuth, Client, MockTransport, Response};
    ///
    /// let challenges = Arc::new(AtomicUsize::new(0));
    /// let counter = Arc::clone(&challenges);
    /// let transport = MockTransport::new(move |request| match request.headers().get("authorization") {
    ///     // Echo the answer, to look at it.
    ///     Some(answer) => Response::builder(200).text(answer).build(),
    ///     None => {
    ///         counter.fetch_add(1, Ordering::SeqCst);
    ///         Response::builder(401)
    ///             .header("www-authenticate", r#"Digest realm="api", nonce="5f2a", qop="auth""#)
    ///             .build()
    ///     }
    /// });
    /// let client = Client::builder()
    ///     .transport(transport)
    ///     .auth(DigestAuth::new("alice", "s3cret"))
    ///     .build()?;
    ///
    /// let first = client.get("https://example.org/reports").send()?;
    /// assert_eq!(first.history()[0].status(), 401);
    /// let answer = first.text()?;
    /// assert!(answer.starts_with(r#"Digest username="alice", realm="api", nonce="5f2a", uri="/reports""#));
    /// assert!(answer.contains("nc=00000001"));
    ///
    /// let second = client.get("https://example.org/reports/2").send()?;
    /// assert!(second.history().is_empty()); // answered without a new challenge
    /// assert!(second.text()?.contains("nc=00000002"));
    /// assert_eq!(challenges.load(Ordering::SeqCst), 1);
    /// # }
    /// # Ok::<(), httpx::Error>(())
    /// ```
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
    /// # Examples
    ///
    /// The example of RFC 7616 §3.9.1:
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
    use crate::auth::digest::challenge::parse_auth_header;
    use crate::auth::digest::{parse_challenge, DigestAlgorithm};
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
        use crate::auth::digest::ALGORITHMS;
        use crate::headers::Headers;
        use proptest::prelude::*;

        proptest! {
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
