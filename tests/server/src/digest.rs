//! HTTP Digest authentication (RFC 7616, and RFC 2069 when no qop is offered).

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use md5::Md5;
use serde_json::json;
use sha2::{Digest, Sha256, Sha512, Sha512_256};

use crate::req::Req;
use crate::util::{self, error, json, Query, Resp};

/// The realm of every challenge.
pub(crate) const REALM: &str = "httpx-test-server";

/// A hash function of the Digest scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hash {
    Md5,
    Sha1,
    Sha256,
    Sha512_256,
    Sha512,
}

/// An `algorithm` value: a hash, and whether it is a `-sess` variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Algorithm {
    pub hash: Hash,
    pub sess: bool,
}

impl Algorithm {
    /// Parses `MD5`, `MD5-sess`, `SHA` (SHA-1, as httpx offers), `SHA-256`, `SHA-512-256`,
    /// `SHA-512`, each also with `-sess` (any case).
    pub(crate) fn parse(s: &str) -> Option<Algorithm> {
        let upper = s.trim().to_ascii_uppercase();
        let (base, sess) = match upper.strip_suffix("-SESS") {
            Some(base) => (base, true),
            None => (upper.as_str(), false),
        };
        let hash = match base {
            "MD5" => Hash::Md5,
            "SHA" => Hash::Sha1,
            "SHA-256" => Hash::Sha256,
            "SHA-512-256" => Hash::Sha512_256,
            "SHA-512" => Hash::Sha512,
            _ => return None,
        };
        Some(Algorithm { hash, sess })
    }

    /// The canonical name, as sent in challenges.
    pub(crate) fn name(&self) -> String {
        let base = match self.hash {
            Hash::Md5 => "MD5",
            Hash::Sha1 => "SHA",
            Hash::Sha256 => "SHA-256",
            Hash::Sha512_256 => "SHA-512-256",
            Hash::Sha512 => "SHA-512",
        };
        if self.sess {
            format!("{base}-sess")
        } else {
            base.to_string()
        }
    }

    /// `H(data)` as lowercase hex.
    pub(crate) fn h(&self, data: &[u8]) -> String {
        match self.hash {
            Hash::Md5 => util::hex(&Md5::digest(data)),
            Hash::Sha1 => util::hex(&sha1::Sha1::digest(data)),
            Hash::Sha256 => util::hex(&Sha256::digest(data)),
            Hash::Sha512_256 => util::hex(&Sha512_256::digest(data)),
            Hash::Sha512 => util::hex(&Sha512::digest(data)),
        }
    }
}

/// What goes into the `response` value.
#[derive(Debug, Clone)]
pub(crate) struct Input<'a> {
    pub algorithm: Algorithm,
    pub username: &'a str,
    pub realm: &'a str,
    pub password: &'a str,
    pub method: &'a str,
    pub uri: &'a str,
    pub nonce: &'a str,
    pub nc: Option<&'a str>,
    pub cnonce: Option<&'a str>,
    /// `auth`, `auth-int`, or `None` for RFC 2069.
    pub qop: Option<&'a str>,
    /// The request body, hashed for `auth-int`.
    pub body: &'a [u8],
}

/// The expected `response` value; `None` when a needed parameter (nc, cnonce) is missing.
pub(crate) fn expected_response(i: &Input<'_>) -> Option<String> {
    let a = i.algorithm;
    let mut ha1 = a.h(format!("{}:{}:{}", i.username, i.realm, i.password).as_bytes());
    if a.sess {
        ha1 = a.h(format!("{ha1}:{}:{}", i.nonce, i.cnonce?).as_bytes());
    }
    let ha2 = match i.qop {
        Some(q) if q.eq_ignore_ascii_case("auth-int") => {
            a.h(format!("{}:{}:{}", i.method, i.uri, a.h(i.body)).as_bytes())
        }
        _ => a.h(format!("{}:{}", i.method, i.uri).as_bytes()),
    };
    Some(match i.qop {
        Some(q) => a.h(format!("{ha1}:{}:{}:{}:{q}:{ha2}", i.nonce, i.nc?, i.cnonce?).as_bytes()),
        None => a.h(format!("{ha1}:{}:{ha2}", i.nonce).as_bytes()),
    })
}

#[derive(Debug)]
struct NonceState {
    opaque: String,
    uses: u32,
    seen_nc: HashSet<u32>,
}

/// The nonces this server issued, with their use counts and the nc values seen.
#[derive(Debug, Default)]
pub(crate) struct Store {
    nonces: Mutex<HashMap<String, NonceState>>,
}

impl Store {
    fn issue(&self) -> (String, String) {
        let nonce = util::random_hex(16);
        let opaque = util::random_hex(16);
        let mut map = self.nonces.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > 100_000 {
            map.clear();
        }
        map.insert(
            nonce.clone(),
            NonceState {
                opaque: opaque.clone(),
                uses: 0,
                seen_nc: HashSet::new(),
            },
        );
        (nonce, opaque)
    }
}

/// The qop values a route offers (`None` = RFC 2069, no qop).
fn parse_qop_spec(spec: &str) -> Option<Vec<String>> {
    if spec.eq_ignore_ascii_case("none") {
        return Some(Vec::new());
    }
    let mut out = Vec::new();
    for part in spec.split(',') {
        let p = part.trim().to_ascii_lowercase();
        if p != "auth" && p != "auth-int" {
            return None;
        }
        out.push(p);
    }
    Some(out)
}

struct Route<'a> {
    qops: Vec<String>,
    user: &'a str,
    passwd: &'a str,
    algorithm: Algorithm,
    stale_after: Option<u32>,
    set_cookie: bool,
    userhash: bool,
}

/// `/digest-auth/{qop}/{user}/{passwd}[/{algorithm}[/{stale_after}]]`.
pub(crate) fn handle(req: &Req, segs: &[&str]) -> Resp {
    let (qop, user, passwd) = (segs[0], segs[1], segs[2]);
    let algorithm = match segs.get(3) {
        None => Algorithm::parse("MD5"),
        Some(a) => Algorithm::parse(a),
    };
    let Some(algorithm) = algorithm else {
        return error(400, "unknown digest algorithm");
    };
    let Some(qops) = parse_qop_spec(qop) else {
        return error(400, "qop must be auth, auth-int, auth,auth-int or none");
    };
    let stale_after = match segs.get(4) {
        None => None,
        Some(s) if s.eq_ignore_ascii_case("never") => None,
        Some(s) => match s.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => return error(400, "stale_after must be a number"),
        },
    };
    let route = Route {
        qops,
        user,
        passwd,
        algorithm,
        stale_after,
        set_cookie: req.query.flag("set_cookie"),
        userhash: req.query.flag("userhash"),
    };
    verify(req, &route)
}

fn challenge(req: &Req, route: &Route<'_>, stale: bool) -> Resp {
    let (nonce, opaque) = req.state.digest.issue();
    let mut value = format!(
        "Digest realm=\"{REALM}\", nonce=\"{nonce}\", opaque=\"{opaque}\", algorithm={}",
        route.algorithm.name()
    );
    if !route.qops.is_empty() {
        value.push_str(&format!(", qop=\"{}\"", route.qops.join(",")));
    }
    if stale {
        value.push_str(", stale=TRUE");
    }
    if route.userhash {
        value.push_str(", userhash=true");
    }
    let mut resp = json(401, &json!({"authenticated": false}));
    util::append_header(&mut resp, "WWW-Authenticate", &value);
    if route.set_cookie {
        util::append_header(&mut resp, "Set-Cookie", "fake=fake_value; Path=/");
    }
    resp
}

fn verify(req: &Req, route: &Route<'_>) -> Resp {
    let Some(auth) = req.header_str("authorization") else {
        return challenge(req, route, false);
    };
    let auth = auth.trim_start();
    if !auth
        .get(..7)
        .is_some_and(|s| s.eq_ignore_ascii_case("digest "))
    {
        return challenge(req, route, false);
    }
    if route.set_cookie
        && !req
            .cookies()
            .iter()
            .any(|(k, v)| k == "fake" && v == "fake_value")
    {
        return challenge(req, route, false);
    }
    let params = Query(util::parse_params(&auth.as_bytes()[7..], b','));
    let get = |k: &str| params.get(k);

    // The user name: plain, `username*` (RFC 8187), or hashed (`userhash=true`).
    let userhash = get("userhash").is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let username = match (get("username"), get("username*")) {
        (Some(u), _) => u.to_string(),
        (None, Some(ext)) => match util::decode_ext_value(ext) {
            Some(u) => u,
            None => return error(400, "bad username* value"),
        },
        (None, None) => return error(400, "digest credentials without username"),
    };
    let user_ok = if userhash {
        username.eq_ignore_ascii_case(
            &route
                .algorithm
                .h(format!("{}:{REALM}", route.user).as_bytes()),
        )
    } else {
        username == route.user
    };
    let (Some(realm), Some(nonce), Some(uri), Some(response)) =
        (get("realm"), get("nonce"), get("uri"), get("response"))
    else {
        return error(
            400,
            "digest credentials need realm, nonce, uri and response",
        );
    };
    if !uri_matches(req, uri) {
        return error(400, "digest uri does not match the request target");
    }
    let client_alg = get("algorithm").unwrap_or("MD5");
    if Algorithm::parse(client_alg) != Some(route.algorithm) || realm != REALM || !user_ok {
        return challenge(req, route, false);
    }
    let qop = get("qop");
    match qop {
        None if !route.qops.is_empty() => return challenge(req, route, false),
        Some(q) if !route.qops.iter().any(|o| o.eq_ignore_ascii_case(q)) => {
            return challenge(req, route, false)
        }
        _ => {}
    }
    let nc = get("nc");
    let nc_value = match nc {
        Some(n) => match u32::from_str_radix(n, 16) {
            Ok(v) if n.len() == 8 => Some(v),
            _ => return error(400, "nc must be 8 hex digits"),
        },
        None => None,
    };
    let input = Input {
        algorithm: route.algorithm,
        username: route.user,
        realm: REALM,
        password: route.passwd,
        method: req.method.as_str(),
        uri,
        nonce,
        nc,
        cnonce: get("cnonce"),
        qop,
        body: &req.body,
    };
    let Some(expected) = expected_response(&input) else {
        return error(
            400,
            "digest credentials need nc and cnonce with qop or -sess",
        );
    };
    if !expected.eq_ignore_ascii_case(response) {
        return challenge(req, route, false);
    }

    // The digest is right: now the nonce's own state.
    let stale = {
        let mut map = req
            .state
            .digest
            .nonces
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        match map.get_mut(nonce) {
            None => Some(true),
            Some(state) => {
                if get("opaque") != Some(state.opaque.as_str())
                    || nc_value.is_some_and(|v| state.seen_nc.contains(&v))
                {
                    Some(false)
                } else if route.stale_after.is_some_and(|n| state.uses >= n) {
                    Some(true)
                } else {
                    state.uses += 1;
                    if let Some(v) = nc_value {
                        state.seen_nc.insert(v);
                    }
                    None
                }
            }
        }
    };
    match stale {
        Some(stale) => challenge(req, route, stale),
        None => json(200, &json!({"authenticated": true, "user": route.user})),
    }
}

/// The `uri` parameter must name the request target (path and query, or the full URL).
fn uri_matches(req: &Req, uri: &str) -> bool {
    let target = req.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    uri == target || uri == req.full_url() || (req.uri.query().is_none() && uri == req.uri.path())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rfc7616(alg: &str) -> String {
        expected_response(&Input {
            algorithm: Algorithm::parse(alg).unwrap(),
            username: "Mufasa",
            realm: "http-auth@example.org",
            password: "Circle of Life",
            method: "GET",
            uri: "/dir/index.html",
            nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
            nc: Some("00000001"),
            cnonce: Some("f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"),
            qop: Some("auth"),
            body: b"",
        })
        .unwrap()
    }

    #[test]
    fn rfc7616_md5_vector() {
        assert_eq!(rfc7616("MD5"), "8ca523f5e9506fed4657c9700eebdbec");
    }

    #[test]
    fn rfc7616_sha256_vector() {
        assert_eq!(
            rfc7616("SHA-256"),
            "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"
        );
    }

    #[test]
    fn rfc2617_md5_vector() {
        // RFC 2617 §3.5.
        let r = expected_response(&Input {
            algorithm: Algorithm::parse("MD5").unwrap(),
            username: "Mufasa",
            realm: "testrealm@host.com",
            password: "Circle Of Life",
            method: "GET",
            uri: "/dir/index.html",
            nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093",
            nc: Some("00000001"),
            cnonce: Some("0a4f113b"),
            qop: Some("auth"),
            body: b"",
        });
        assert_eq!(r.as_deref(), Some("6629fae49393a05397450978507c4ef1"));
    }

    #[test]
    fn rfc7616_userhash_vector() {
        // RFC 7616 §3.9.2: userhash of "Jäsøn Doe" in realm api@example.org with SHA-512-256.
        let alg = Algorithm::parse("SHA-512-256").unwrap();
        assert_eq!(
            alg.h("Jäsøn Doe:api@example.org".as_bytes()),
            "793263caabb707a56211940d90411ea4a575adeccb7e360aeb624ed06ece9b0b"
        );
    }

    #[test]
    fn algorithm_names_round_trip() {
        for name in [
            "MD5",
            "MD5-sess",
            "SHA",
            "SHA-sess",
            "SHA-256",
            "SHA-256-sess",
            "SHA-512-256",
            "SHA-512-256-sess",
            "SHA-512",
        ] {
            assert_eq!(Algorithm::parse(name).unwrap().name(), name);
        }
        assert!(Algorithm::parse("SHA-1").is_none());
        assert_eq!(
            Algorithm::parse("SHA").unwrap().h(b"abc"),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
    }

    #[test]
    fn sha512_256_is_not_truncated_sha512() {
        let a = Algorithm::parse("SHA-512-256").unwrap().h(b"abc");
        assert_eq!(
            a,
            "53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23"
        );
    }
}
