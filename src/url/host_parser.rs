//! The browser build's URL parser: the host's own WHATWG `URL` class.
//!
//! Browsers, workers and Node all ship a standard URL parser, so the browser build does
//! not carry the `url` crate's parser and IDNA code (about 15 KB of gzipped wasm). This
//! module has the part of `url::Url`'s API that `crate::url` uses, with the same
//! meaning, so the rest of the crate reads the same on every target: the serialization
//! comes from the host, and the components are sliced out of it here (a WHATWG
//! serialization splits unambiguously). Setters go through the host's setters, which
//! ignore a value they refuse; those cases are detected and returned as errors, as the
//! `url` crate does.

use std::fmt;

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The global `URL` class.
    #[wasm_bindgen(js_name = URL)]
    type JsUrl;

    #[wasm_bindgen(constructor, catch, js_class = "URL")]
    fn new(input: &str) -> std::result::Result<JsUrl, JsValue>;

    #[wasm_bindgen(constructor, catch, js_class = "URL")]
    fn new_with_base(input: &str, base: &str) -> std::result::Result<JsUrl, JsValue>;

    #[wasm_bindgen(method, getter)]
    fn href(this: &JsUrl) -> String;

    #[wasm_bindgen(method, getter)]
    fn hostname(this: &JsUrl) -> String;

    #[wasm_bindgen(method, setter)]
    fn set_protocol(this: &JsUrl, value: &str);

    #[wasm_bindgen(method, setter)]
    fn set_username(this: &JsUrl, value: &str);

    #[wasm_bindgen(method, setter)]
    fn set_password(this: &JsUrl, value: &str);

    #[wasm_bindgen(method, setter)]
    fn set_hostname(this: &JsUrl, value: &str);

    #[wasm_bindgen(method, setter)]
    fn set_port(this: &JsUrl, value: &str);

    #[wasm_bindgen(method, setter)]
    fn set_pathname(this: &JsUrl, value: &str);

    #[wasm_bindgen(method, setter)]
    fn set_search(this: &JsUrl, value: &str);

    #[wasm_bindgen(method, setter)]
    fn set_hash(this: &JsUrl, value: &str);
}

/// Why the host refused a URL. The host only says "invalid URL", so the reason is
/// worked out from the input, with the `url` crate's names for the same reasons.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ParseError {
    EmptyHost,
    IdnaError,
    InvalidPort,
    InvalidIpv4Address,
    InvalidIpv6Address,
    InvalidDomainCharacter,
    RelativeUrlWithoutBase,
    SetHostOnCannotBeABaseUrl,
    Other,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ParseError::EmptyHost => "empty host",
            ParseError::IdnaError => "invalid international domain name",
            ParseError::InvalidPort => "invalid port number",
            ParseError::InvalidIpv4Address => "invalid IPv4 address",
            ParseError::InvalidIpv6Address => "invalid IPv6 address",
            ParseError::InvalidDomainCharacter => "invalid domain character",
            ParseError::RelativeUrlWithoutBase => "relative URL without a base",
            ParseError::SetHostOnCannotBeABaseUrl => "a URL with an opaque path has no host",
            ParseError::Other => "refused by the URL parser",
        })
    }
}

/// A byte range of the serialization.
type Span = (u32, u32);

/// A parsed absolute URL: the host's serialization and where its components are.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Url {
    // First, so that the derived order and equality are the serialization's.
    serialization: String,
    scheme_end: u32,
    username: Span,
    password: Option<Span>,
    host: Option<Span>,
    port: Option<u16>,
    path: Span,
    query: Option<Span>,
    fragment: Option<Span>,
}

impl fmt::Debug for Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.serialization)
    }
}

const SPECIAL_SCHEMES: [&str; 6] = ["http", "https", "ws", "wss", "ftp", "file"];

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        "ftp" => Some(21),
        _ => None,
    }
}

impl Url {
    pub(crate) fn parse(input: &str) -> Result<Url, ParseError> {
        match JsUrl::new(input) {
            Ok(parsed) => Url::from_host(&parsed),
            Err(_) => Err(refusal_reason(input)),
        }
    }

    pub(crate) fn join(&self, reference: &str) -> Result<Url, ParseError> {
        match JsUrl::new_with_base(reference, &self.serialization) {
            Ok(parsed) => Url::from_host(&parsed),
            Err(_) => Err(refusal_reason(reference)),
        }
    }

    fn from_host(parsed: &JsUrl) -> Result<Url, ParseError> {
        let url = Url::from_serialization(parsed.href()).ok_or(ParseError::Other)?;
        match url.host_str() {
            Some(host) if url.is_special() && !is_valid_domain(host) => Err(ParseError::IdnaError),
            _ => Ok(url),
        }
    }

    /// Slices a WHATWG serialization into its components: `scheme:` then, when there
    /// is a host, `//userinfo@host:port`, then the path, `?query` and `#fragment`.
    fn from_serialization(serialization: String) -> Option<Url> {
        let s = serialization.as_str();
        let at = |i: usize| u32::try_from(i).ok();
        let scheme_end = s.find(':')?;
        let mut position = scheme_end + 1;
        let mut username = (at(position)?, at(position)?);
        let (mut password, mut host, mut port) = (None, None, None);
        if s[position..].starts_with("//") {
            let authority_start = position + 2;
            let authority_end = s[authority_start..]
                .find(['/', '?', '#'])
                .map_or(s.len(), |i| authority_start + i);
            let authority = &s[authority_start..authority_end];
            let mut host_start = authority_start;
            // The serializer percent-encodes `@` and `:` inside the userinfo.
            if let Some(at_sign) = authority.find('@') {
                let userinfo_end = authority_start + at_sign;
                host_start = userinfo_end + 1;
                match authority[..at_sign].find(':') {
                    Some(colon) => {
                        let colon = authority_start + colon;
                        username = (at(authority_start)?, at(colon)?);
                        password = Some((at(colon + 1)?, at(userinfo_end)?));
                    }
                    None => username = (at(authority_start)?, at(userinfo_end)?),
                }
            } else {
                username = (at(authority_start)?, at(authority_start)?);
            }
            let host_and_port = &s[host_start..authority_end];
            let host_len = if host_and_port.starts_with('[') {
                host_and_port.find(']')? + 1
            } else {
                host_and_port.find(':').unwrap_or(host_and_port.len())
            };
            host = Some((at(host_start)?, at(host_start + host_len)?));
            if let Some(port_text) = host_and_port[host_len..].strip_prefix(':') {
                port = Some(port_text.parse().ok()?);
            }
            position = authority_end;
        } else if s[position..].starts_with("/.//") {
            // A host-less path that starts with `//` is serialized behind `/.`, so that
            // it does not read as an authority; the path itself has no `/.`.
            position += 2;
        }
        let rest = &s[position..];
        let path_end = rest.find(['?', '#']).map_or(s.len(), |i| position + i);
        let path = (at(position)?, at(path_end)?);
        let fragment_start = s[path_end..].find('#').map(|i| path_end + i);
        let query = match s[path_end..].starts_with('?') {
            true => Some((at(path_end + 1)?, at(fragment_start.unwrap_or(s.len()))?)),
            false => None,
        };
        let fragment = match fragment_start {
            Some(start) => Some((at(start + 1)?, at(s.len())?)),
            None => None,
        };
        Some(Url {
            scheme_end: at(scheme_end)?,
            username,
            password,
            host,
            port,
            path,
            query,
            fragment,
            serialization,
        })
    }

    fn slice(&self, (start, end): Span) -> &str {
        &self.serialization[start as usize..end as usize]
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.serialization
    }

    pub(crate) fn scheme(&self) -> &str {
        &self.serialization[..self.scheme_end as usize]
    }

    pub(crate) fn is_special(&self) -> bool {
        SPECIAL_SCHEMES.contains(&self.scheme())
    }

    pub(crate) fn has_host(&self) -> bool {
        self.host.is_some()
    }

    /// The host as serialized: IPv6 addresses in brackets.
    pub(crate) fn host_str(&self) -> Option<&str> {
        self.host.map(|span| self.slice(span))
    }

    pub(crate) fn port(&self) -> Option<u16> {
        self.port
    }

    pub(crate) fn port_or_known_default(&self) -> Option<u16> {
        self.port.or_else(|| default_port(self.scheme()))
    }

    pub(crate) fn username(&self) -> &str {
        self.slice(self.username)
    }

    pub(crate) fn password(&self) -> Option<&str> {
        self.password.map(|span| self.slice(span))
    }

    pub(crate) fn path(&self) -> &str {
        self.slice(self.path)
    }

    pub(crate) fn query(&self) -> Option<&str> {
        self.query.map(|span| self.slice(span))
    }

    pub(crate) fn fragment(&self) -> Option<&str> {
        self.fragment.map(|span| self.slice(span))
    }

    /// WHATWG's "cannot have a username/password/port": no host, an empty host, or file.
    fn cannot_have_credentials_or_port(&self) -> bool {
        self.host_str().is_none_or(str::is_empty) || self.scheme() == "file"
    }

    /// Runs one host setter on a copy of this URL and takes the result.
    fn edit(&mut self, set: impl FnOnce(&JsUrl)) -> Result<(), ParseError> {
        let host_url = JsUrl::new(&self.serialization).map_err(|_| ParseError::Other)?;
        set(&host_url);
        *self = Url::from_host(&host_url)?;
        Ok(())
    }

    pub(crate) fn set_scheme(&mut self, scheme: &str) -> Result<(), ()> {
        self.edit(|url| url.set_protocol(scheme)).map_err(|_| ())?;
        // The host ignores a change it refuses (special to non-special, say).
        if self.scheme() == scheme {
            Ok(())
        } else {
            Err(())
        }
    }

    pub(crate) fn set_username(&mut self, username: &str) -> Result<(), ()> {
        if self.cannot_have_credentials_or_port() {
            return Err(());
        }
        self.edit(|url| url.set_username(username)).map_err(|_| ())
    }

    pub(crate) fn set_password(&mut self, password: Option<&str>) -> Result<(), ()> {
        if self.cannot_have_credentials_or_port() {
            return Err(());
        }
        self.edit(|url| url.set_password(password.unwrap_or("")))
            .map_err(|_| ())
    }

    pub(crate) fn set_host(&mut self, host: Option<&str>) -> Result<(), ParseError> {
        if !self.has_host() {
            return Err(ParseError::SetHostOnCannotBeABaseUrl);
        }
        let host = host.ok_or(ParseError::EmptyHost)?;
        // The host's setter ignores a host it refuses: check it with the parser first,
        // which also says why.
        let probe = format!("{}://{host}/", self.scheme());
        let normalized = match JsUrl::new(&probe) {
            Ok(parsed) => parsed.hostname(),
            Err(_) => return Err(refusal_reason(&probe)),
        };
        self.edit(|url| url.set_hostname(&normalized))?;
        if self.host_str() == Some(normalized.as_str()) {
            Ok(())
        } else {
            Err(ParseError::Other)
        }
    }

    pub(crate) fn set_port(&mut self, port: Option<u16>) -> Result<(), ()> {
        if self.cannot_have_credentials_or_port() {
            return Err(());
        }
        let text = port.map(|p| p.to_string()).unwrap_or_default();
        self.edit(|url| url.set_port(&text)).map_err(|_| ())
    }

    pub(crate) fn set_path(&mut self, path: &str) {
        let _ = self.edit(|url| url.set_pathname(path));
    }

    /// `None` removes the query; `Some("")` keeps an empty one (`/path?`), as the
    /// `url` crate does. The host's setter strips one leading `?`, so one is added.
    pub(crate) fn set_query(&mut self, query: Option<&str>) {
        let value = query.map(|q| format!("?{q}")).unwrap_or_default();
        let _ = self.edit(|url| url.set_search(&value));
        if query.is_some() && self.query.is_none() {
            // Chromium drops an empty query; the serialization with one is canonical.
            let at = self.path.1 as usize;
            self.insert_delimiter(at, '?');
        }
    }

    /// Like [`Url::set_query`], for the fragment.
    pub(crate) fn set_fragment(&mut self, fragment: Option<&str>) {
        let value = fragment.map(|f| format!("#{f}")).unwrap_or_default();
        let _ = self.edit(|url| url.set_hash(&value));
        if fragment.is_some() && self.fragment.is_none() {
            let at = self.serialization.len();
            self.insert_delimiter(at, '#');
        }
    }

    fn insert_delimiter(&mut self, at: usize, delimiter: char) {
        let mut serialization = self.serialization.clone();
        serialization.insert(at, delimiter);
        if let Some(url) = Url::from_serialization(serialization) {
            *self = url;
        }
    }
}

/// Checks a special URL's host as the host's parser gave it, for what Chromium's parser
/// lets through and WHATWG refuses: it escapes forbidden characters (`a b` becomes
/// `a%20b`, and `%` is itself forbidden in a domain) and does not validate Punycode
/// labels, whose decoded form must be non-empty, not all ASCII, and free of controls.
/// (The IDNA mapping tables are not in this build, so a label that decodes to a
/// character UTS #46 maps is still let through.)
fn is_valid_domain(host: &str) -> bool {
    if host.contains('%') {
        return false;
    }
    host.split('.').all(|label| {
        let Some(encoded) = label.strip_prefix("xn--") else {
            return true;
        };
        idna::punycode::decode_to_string(encoded)
            .is_some_and(|decoded| !decoded.is_ascii() && !decoded.chars().any(char::is_control))
    })
}

/// A domain in its ASCII form, as the host's URL parser gives it; `None` when the
/// parser refuses it or it is not a plain domain.
pub(crate) fn domain_to_ascii(domain: &str) -> Option<String> {
    if domain.is_empty() || domain.contains(['/', '?', '#', '@', ':', '\\', '[', ']', '%']) {
        return None;
    }
    JsUrl::new(&format!("http://{domain}/"))
        .ok()
        .map(|url| url.hostname())
}

/// Why the host's parser refused `input` (absolute, or a reference to join): the
/// reasons the `url` crate would give, checked on the authority in the same order.
fn refusal_reason(input: &str) -> ParseError {
    let input = input.trim_matches(|c: char| c <= ' ');
    let scheme_len = input
        .char_indices()
        .take_while(|&(i, c)| {
            c.is_ascii_alphabetic()
                || (i > 0 && (c.is_ascii_digit() || matches!(c, '+' | '-' | '.')))
        })
        .count();
    let has_scheme = scheme_len > 0 && input[scheme_len..].starts_with(':');
    let after_scheme = if has_scheme {
        &input[scheme_len + 1..]
    } else {
        input
    };
    let special =
        !has_scheme || SPECIAL_SCHEMES.contains(&input[..scheme_len].to_ascii_lowercase().as_str());
    let slashes = after_scheme
        .chars()
        .take_while(|&c| c == '/' || (special && c == '\\'))
        .count();
    if !has_scheme && slashes < 2 {
        return ParseError::RelativeUrlWithoutBase;
    }
    if slashes == 0 && !special {
        return ParseError::Other;
    }
    let authority = after_scheme[slashes..]
        .split(|c| matches!(c, '/' | '?' | '#') || (special && c == '\\'))
        .next()
        .unwrap_or("");
    let host_and_port = authority.rsplit('@').next().unwrap_or("");
    let (host, port) = match host_and_port.strip_prefix('[') {
        Some(rest) => match rest.find(']') {
            Some(end) => (&host_and_port[..end + 2], &rest[end + 1..]),
            None => return ParseError::InvalidIpv6Address,
        },
        None => match host_and_port.find(':') {
            Some(colon) => (&host_and_port[..colon], &host_and_port[colon..]),
            None => (host_and_port, ""),
        },
    };
    if let Some(port) = port.strip_prefix(':') {
        if !port.is_empty() && port.parse::<u16>().is_err() {
            return ParseError::InvalidPort;
        }
    } else if !port.is_empty() {
        return ParseError::InvalidPort;
    }
    if host.is_empty() {
        return if special {
            ParseError::EmptyHost
        } else {
            ParseError::Other
        };
    }
    if host.starts_with('[') {
        return ParseError::InvalidIpv6Address;
    }
    let decoded = percent_encoding::percent_decode_str(host).decode_utf8_lossy();
    let forbidden = |c: char| {
        c.is_ascii_control()
            || matches!(
                c,
                ' ' | '#' | '%' | '/' | ':' | '<' | '>' | '?' | '@' | '[' | '\\' | ']' | '^' | '|'
            )
    };
    // Special hosts go through IDNA first, which refuses these characters too.
    if decoded.contains(forbidden) {
        return if special {
            ParseError::IdnaError
        } else {
            ParseError::InvalidDomainCharacter
        };
    }
    let last_label = decoded
        .trim_end_matches('.')
        .rsplit('.')
        .next()
        .unwrap_or("");
    let numeric = !last_label.is_empty()
        && (last_label.bytes().all(|b| b.is_ascii_digit())
            || last_label
                .strip_prefix("0x")
                .or_else(|| last_label.strip_prefix("0X"))
                .is_some_and(|hex| hex.bytes().all(|b| b.is_ascii_hexdigit())));
    if special && numeric {
        return ParseError::InvalidIpv4Address;
    }
    if special {
        ParseError::IdnaError
    } else {
        ParseError::Other
    }
}
