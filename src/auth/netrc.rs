//! netrc files: the parser ([`parse_netrc`], [`NetRc`]) and [`NetRcAuth`].
//!
//! The format is ftp's and curl's: whitespace-separated tokens, across lines or on one,
//! `machine NAME`, `default`, then `login` (or `user`), `password` and `account`
//! values; `macdef NAME` macros whose body runs to the next blank line; `"quoted
//! tokens"` with backslash escapes; and `#` comments.

use std::fmt;
use std::str::FromStr;

use crate::auth::{Auth, AuthFlow, SingleRequest};
use crate::error::{Error, Result};
use crate::request::Request;
use crate::url::Url;

/// One `machine` or `default` entry.
#[derive(Clone, Default, PartialEq, Eq)]
struct Entry {
    login: String,
    account: String,
    password: String,
}

/// A parsed netrc file (Python's `netrc.netrc`).
///
/// Lookups follow Python: a `machine` entry for the host, else the `default` entry.
/// When a machine appears twice, the last entry wins (as in Python; curl takes the
/// first). `Debug` shows hosts and logins, never passwords or accounts.
///
/// # Examples
///
/// ```
/// use httpx::auth::parse_netrc;
/// let netrc = parse_netrc(r#"
/// machine api.example.org login alice password "s3cret with spaces" # work
/// default login anonymous password guest@
/// "#)?;
/// assert_eq!(netrc.authenticators("api.example.org"), Some(("alice", "", "s3cret with spaces")));
/// assert_eq!(netrc.authenticators("elsewhere.example"), Some(("anonymous", "", "guest@")));
/// assert!(!format!("{netrc:?}").contains("s3cret"));
/// # Ok::<(), httpx::Error>(())
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct NetRc {
    /// `machine` entries in order of first appearance; names are unique.
    machines: Vec<(String, Entry)>,
    default: Option<Entry>,
    macros: Vec<(String, Vec<String>)>,
}

impl NetRc {
    /// `(login, account, password)` for `host`: its `machine` entry, else the
    /// `default` entry, else `None` (Python's `netrc.authenticators`). Missing values
    /// are empty strings. Host names compare exactly first, then ASCII
    /// case-insensitively.
    pub fn authenticators(&self, host: &str) -> Option<(&str, &str, &str)> {
        self.machine(host)
            .or(self.default.as_ref())
            .map(|e| (e.login.as_str(), e.account.as_str(), e.password.as_str()))
    }

    /// The `machine` entry for `host`, without falling back to `default`.
    fn machine(&self, host: &str) -> Option<&Entry> {
        self.machines
            .iter()
            .find(|(name, _)| name == host)
            .or_else(|| {
                self.machines
                    .iter()
                    .find(|(name, _)| name.eq_ignore_ascii_case(host))
            })
            .map(|(_, entry)| entry)
    }

    /// The `machine` names, in order of first appearance.
    ///
    /// # Examples
    ///
    /// ```
    /// use httpx::auth::parse_netrc;
    ///
    /// let netrc = parse_netrc(
    ///     "machine ci.example.org login bot password t0ken\n\
    ///      machine api.example.org login alice password s3cret\n\
    ///      default login anonymous password guest@\n",
    /// )?;
    /// assert_eq!(netrc.hosts().collect::<Vec<_>>(), ["ci.example.org", "api.example.org"]);
    /// assert!(netrc.has_default());
    /// let logins: Vec<&str> = netrc
    ///     .hosts()
    ///     .filter_map(|host| netrc.authenticators(host).map(|(login, _, _)| login))
    ///     .collect();
    /// assert_eq!(logins, ["bot", "alice"]);
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn hosts(&self) -> impl Iterator<Item = &str> + '_ {
        self.machines.iter().map(|(name, _)| name.as_str())
    }

    /// Whether there is a `default` entry.
    pub fn has_default(&self) -> bool {
        self.default.is_some()
    }

    /// The `macdef` macros: each name with its lines (without line endings).
    pub fn macros(&self) -> impl Iterator<Item = (&str, &[String])> + '_ {
        self.macros
            .iter()
            .map(|(name, lines)| (name.as_str(), lines.as_slice()))
    }

    /// Whether every entry's login is `anonymous` (Python skips its permission check
    /// for such files).
    #[cfg_attr(not(unix), allow(dead_code))]
    fn anonymous_only(&self) -> bool {
        self.machines
            .iter()
            .map(|(_, e)| e)
            .chain(self.default.as_ref())
            .all(|e| e.login == "anonymous")
    }
}

impl fmt::Debug for NetRc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Logins<'a>(&'a NetRc);
        impl fmt::Debug for Logins<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let mut map = f.debug_map();
                for (name, entry) in &self.0.machines {
                    map.entry(name, &entry.login);
                }
                if let Some(entry) = &self.0.default {
                    map.entry(&"(default)", &entry.login);
                }
                map.finish()
            }
        }
        f.debug_struct("NetRc")
            .field("logins", &Logins(self))
            .field(
                "macros",
                &self.macros.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl FromStr for NetRc {
    type Err = Error;
    fn from_str(text: &str) -> Result<NetRc> {
        parse_netrc(text)
    }
}

// ---- the parser -----------------------------------------------------------------------

/// A syntax error and the line it is on.
struct ParseError {
    message: String,
    line: usize,
}

impl ParseError {
    fn into_error(self, file: Option<&str>) -> Error {
        let message = match file {
            Some(file) => format!("{} ({file}, line {})", self.message, self.line),
            None => format!("{} (line {})", self.message, self.line),
        };
        Error::local_protocol(format!("Invalid netrc file: {message}"))
    }
}

struct Token {
    text: String,
    line: usize,
    quoted: bool,
}

struct Lexer<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    line: usize,
    pushed_back: Option<Token>,
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

impl Lexer<'_> {
    fn bump(&mut self) -> Option<char> {
        let c = self.chars.next()?;
        if c == '\n' {
            self.line += 1;
        }
        Some(c)
    }

    /// The next token, leaving the whitespace after it unread; `None` at the end.
    fn next_token(&mut self) -> std::result::Result<Option<Token>, ParseError> {
        if let Some(token) = self.pushed_back.take() {
            return Ok(Some(token));
        }
        while self.chars.peek().copied().is_some_and(is_space) {
            self.bump();
        }
        let line = self.line;
        let Some(first) = self.bump() else {
            return Ok(None);
        };
        let mut text = String::new();
        if first == '"' {
            loop {
                match self.bump() {
                    Some('"') => {
                        return Ok(Some(Token {
                            text,
                            line,
                            quoted: true,
                        }))
                    }
                    Some('\\') => match self.bump() {
                        Some(c) => text.push(c),
                        None => break,
                    },
                    Some(c) => text.push(c),
                    None => break,
                }
            }
            return Err(ParseError {
                message: "unterminated quoted token".to_string(),
                line,
            });
        }
        let mut c = first;
        loop {
            if c == '\\' {
                // A backslash at the very end escapes nothing (Python drops it too).
                if let Some(escaped) = self.bump() {
                    text.push(escaped);
                }
            } else {
                text.push(c);
            }
            match self.chars.peek() {
                Some(&next) if !is_space(next) => {
                    c = next;
                    self.bump();
                }
                _ => break,
            }
        }
        Ok(Some(Token {
            text,
            line,
            quoted: false,
        }))
    }

    /// Skips the rest of the current line, its line break included.
    fn skip_line(&mut self) {
        while let Some(c) = self.bump() {
            if c == '\n' {
                break;
            }
        }
    }

    /// The rest of the current line without its line ending; `None` at the end of the
    /// text.
    fn read_line(&mut self) -> Option<String> {
        self.chars.peek()?;
        let mut line = String::new();
        while let Some(c) = self.bump() {
            if c == '\n' {
                break;
            }
            line.push(c);
        }
        if line.ends_with('\r') {
            line.pop();
        }
        Some(line)
    }
}

/// Whether `token` starts a comment here: an unquoted token starting with `#` where a
/// keyword is expected. (Where a value is expected, `#x` is the value, as in Python.)
fn is_comment(token: &Token) -> bool {
    !token.quoted && token.text.starts_with('#')
}

/// Parses a netrc file with the semantics of Python's `netrc` module (and curl's quoted
/// tokens).
///
/// - Tokens are separated by spaces, tabs and line breaks; an entry may span lines or
///   several entries share one.
/// - `machine NAME` starts an entry for a host, `default` one for every other host.
///   Entries hold `login` (or `user`), `password` and `account` values; any may be
///   missing (an entry without a password, like httpx's `.netrc-nopassword` fixture).
///   As in Python, `default` may appear anywhere, and a `machine` entry always wins
///   over it.
/// - `macdef NAME` defines a macro: the rest of its line is ignored and its body runs
///   to the next blank line (a file that ends inside a macro is an error, as in Python).
/// - `"quoted tokens"` may hold spaces, `\"` and `\\`; a backslash escapes the next
///   character in unquoted tokens too.
/// - A `#` that starts a token where a keyword is expected comments out the rest of
///   the line.
///
/// Errors are [`LocalProtocolError`](crate::ErrorKind::LocalProtocolError)s naming
/// the problem and its line: an unknown keyword, a `machine` without a name, an
/// unterminated quoted token or macro.
///
/// # Examples
///
/// ```
/// use httpx::auth::parse_netrc;
/// let netrc = parse_netrc("machine a.example\n  login \"user name\"\n  password p\\ w\n")?;
/// assert_eq!(netrc.authenticators("a.example"), Some(("user name", "", "p w")));
/// assert_eq!(netrc.authenticators("b.example"), None);
///
/// let err = parse_netrc("machine a.example\nlogin x\nfoo bar\n").unwrap_err();
/// assert_eq!(err.to_string(), "Invalid netrc file: bad follower token \"foo\" (line 3)");
/// # Ok::<(), httpx::Error>(())
/// ```
pub fn parse_netrc(text: &str) -> Result<NetRc> {
    parse(text).map_err(|e| e.into_error(None))
}

fn parse(text: &str) -> std::result::Result<NetRc, ParseError> {
    let mut lexer = Lexer {
        chars: text.chars().peekable(),
        line: 1,
        pushed_back: None,
    };
    let mut netrc = NetRc::default();
    while let Some(token) = lexer.next_token()? {
        if is_comment(&token) {
            lexer.skip_line();
            continue;
        }
        let name = match token.text.as_str() {
            "machine" => match lexer.next_token()? {
                Some(name) => Some(name.text),
                None => {
                    return Err(ParseError {
                        message: "missing \"machine\" name".to_string(),
                        line: token.line,
                    })
                }
            },
            "default" => None,
            "macdef" => {
                let Some(name) = lexer.next_token()? else {
                    return Err(ParseError {
                        message: "missing \"macdef\" name".to_string(),
                        line: token.line,
                    });
                };
                lexer.skip_line();
                let mut lines = Vec::new();
                loop {
                    match lexer.read_line() {
                        Some(line) if line.is_empty() => break,
                        Some(line) => lines.push(line),
                        None => {
                            return Err(ParseError {
                                message: format!(
                                    "macro definition {:?} missing null line terminator \
                                     (a blank line ends a macro)",
                                    name.text
                                ),
                                line: token.line,
                            })
                        }
                    }
                }
                netrc.macros.retain(|(n, _)| *n != name.text);
                netrc.macros.push((name.text, lines));
                continue;
            }
            other => {
                return Err(ParseError {
                    message: format!("bad toplevel token {other:?}"),
                    line: token.line,
                })
            }
        };

        let mut entry = Entry::default();
        while let Some(token) = lexer.next_token()? {
            if is_comment(&token) {
                lexer.skip_line();
                continue;
            }
            let slot = match token.text.as_str() {
                "machine" | "default" | "macdef" => {
                    lexer.pushed_back = Some(token);
                    break;
                }
                "login" | "user" => &mut entry.login,
                "account" => &mut entry.account,
                "password" => &mut entry.password,
                other => {
                    return Err(ParseError {
                        message: format!("bad follower token {other:?}"),
                        line: token.line,
                    })
                }
            };
            // A keyword at the very end has an empty value, as in Python.
            *slot = lexer.next_token()?.map(|t| t.text).unwrap_or_default();
        }
        match name {
            Some(name) => match netrc.machines.iter_mut().find(|(n, _)| *n == name) {
                Some((_, existing)) => *existing = entry,
                None => netrc.machines.push((name, entry)),
            },
            None => netrc.default = Some(entry),
        }
    }
    Ok(netrc)
}

// ---- NetRcAuth ------------------------------------------------------------------------

/// Basic auth from a netrc file, looked up by the request's host (httpx's `NetRCAuth`).
///
/// A request whose host has a `machine` entry, or else a `default` entry, with a
/// password gets `Authorization: Basic base64(login:password)` (UTF-8); an entry without
/// a password, or no entry, sends the request as it is.
///
/// The file is read once, when the auth is built: [`NetRcAuth::from_str`] on every
/// target (in the browser, the only way), [`NetRcAuth::from_file`] and
/// [`NetRcAuth::new`] natively and on WASI (where the host preopens the directory).
///
/// Security (curl CVE-2024-11053, CVE-2025-0167): credentials are chosen for the host
/// of the request the flow starts with, and only for it. A redirect is followed inside
/// that flow without a new lookup, and the send loop drops `Authorization` when a
/// redirect leaves the origin, so neither a machine's password nor the `default`
/// entry's reaches a redirected host; a new request to another host gets that host's
/// own entry, or `default`.
///
/// # Examples
///
/// ```
/// use httpx::auth::{Auth, NetRcAuth};
/// use httpx::{Method, Request, Url};
/// let auth = NetRcAuth::from_str("machine netrcexample.org login example-username password example-password")?;
/// let request = Request::new(Method::GET, Url::parse("http://netrcexample.org")?);
/// let sent = auth.auth_flow(request).first()?;
/// assert_eq!(
///     sent.headers().get("authorization").as_deref(),
///     Some("Basic ZXhhbXBsZS11c2VybmFtZTpleGFtcGxlLXBhc3N3b3Jk"),
/// );
/// let other = Request::new(Method::GET, Url::parse("http://example.org")?);
/// assert!(!auth.auth_flow(other).first()?.headers().contains("authorization"));
/// # Ok::<(), httpx::Error>(())
/// ```
#[derive(Clone)]
pub struct NetRcAuth {
    netrc: NetRc,
}

impl NetRcAuth {
    /// Parses netrc `text` (see [`parse_netrc`]).
    #[allow(clippy::should_implement_trait)] // `FromStr` is implemented too.
    pub fn from_str(text: &str) -> Result<NetRcAuth> {
        parse_netrc(text).map(NetRcAuth::from_netrc)
    }

    /// Auth from an already parsed file.
    pub fn from_netrc(netrc: NetRc) -> NetRcAuth {
        NetRcAuth { netrc }
    }

    /// The parsed file.
    pub fn netrc(&self) -> &NetRc {
        &self.netrc
    }

    /// Reads and parses the netrc file at `path` (httpx's `NetRCAuth(file)`). The file
    /// is UTF-8, or else read as ISO-8859-1. Errors name the path.
    ///
    /// Not on `wasm32-unknown-unknown`, which has no files: use
    /// [`from_str`](NetRcAuth::from_str) there.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(not(target_family = "wasm"))]
    /// # {
    /// use httpx::auth::NetRcAuth;
    ///
    /// let path = std::env::temp_dir().join(format!("httpx-doc-netrc-{}", std::process::id()));
    /// std::fs::write(&path, "machine api.example.org login alice password s3cret\n").unwrap();
    /// let auth = NetRcAuth::from_file(&path)?;
    /// # std::fs::remove_file(&path).unwrap();
    /// assert_eq!(auth.netrc().authenticators("api.example.org"), Some(("alice", "", "s3cret")));
    ///
    /// let transport = httpx::MockTransport::new(|request| {
    ///     let sent = request.headers().contains("authorization");
    ///     httpx::Response::builder(if sent { 200 } else { 401 }).build()
    /// });
    /// let client = httpx::Client::builder().transport(transport).auth(auth).build()?;
    /// assert_eq!(client.get("https://api.example.org/").send()?.status(), 200);
    /// assert_eq!(client.get("https://other.example.org/").send()?.status(), 401); // no entry
    ///
    /// let err = NetRcAuth::from_file("/nonexistent/.netrc").unwrap_err();
    /// assert!(err.to_string().contains("/nonexistent/.netrc"));
    /// # }
    /// # Ok::<(), httpx::Error>(())
    /// ```
    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    pub fn from_file(path: impl AsRef<std::path::Path>) -> Result<NetRcAuth> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| read_error(path, e))?;
        parse_file(path, &bytes).map(NetRcAuth::from_netrc)
    }

    /// Reads the user's netrc file: the one `$NETRC` names, else `.netrc` in the home
    /// directory (`$HOME`; `%USERPROFILE%` on Windows), as httpx's `NetRCAuth()` with
    /// requests' `$NETRC`.
    ///
    /// As in Python, on Unix the home directory's file must not be readable by group
    /// or others unless every login is `anonymous` (the file owner is not checked).
    ///
    /// Not on `wasm32-unknown-unknown`, which has no files: use
    /// [`from_str`](NetRcAuth::from_str) there.
    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    pub fn new() -> Result<NetRcAuth> {
        let home = std::env::var_os("HOME").or_else(|| {
            if cfg!(windows) {
                std::env::var_os("USERPROFILE")
            } else {
                None
            }
        });
        NetRcAuth::from_env(std::env::var_os("NETRC"), home)
    }

    /// [`new`](NetRcAuth::new) with the environment given (tests cannot change it
    /// safely while other threads run).
    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    fn from_env(
        netrc: Option<std::ffi::OsString>,
        home: Option<std::ffi::OsString>,
    ) -> Result<NetRcAuth> {
        if let Some(path) = netrc.filter(|p| !p.is_empty()) {
            return NetRcAuth::from_file(path);
        }
        let home = home.filter(|h| !h.is_empty()).ok_or_else(|| {
            Error::local_protocol("Cannot find the netrc file: neither $NETRC nor $HOME is set")
        })?;
        let path = std::path::Path::new(&home).join(".netrc");
        read_private_file(&path).map(NetRcAuth::from_netrc)
    }

    /// The `Authorization` value for a request to `url`, if any.
    fn header_for(&self, url: &Url) -> Option<String> {
        let host = url.host();
        let raw_host = url.raw_host();
        let entry = self
            .netrc
            .machine(&host)
            .or_else(|| self.netrc.machine(raw_host))
            .or(self.netrc.default.as_ref())?;
        if entry.password.is_empty() {
            return None;
        }
        Some(crate::auth::basic::basic_header(
            entry.login.as_bytes(),
            entry.password.as_bytes(),
        ))
    }
}

impl FromStr for NetRcAuth {
    type Err = Error;
    fn from_str(text: &str) -> Result<NetRcAuth> {
        NetRcAuth::from_str(text)
    }
}

impl fmt::Debug for NetRcAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NetRcAuth")
            .field("netrc", &self.netrc)
            .finish()
    }
}

impl Auth for NetRcAuth {
    fn auth_flow(&self, mut request: Request) -> Box<dyn AuthFlow + '_> {
        if let Some(value) = self.header_for(request.url()) {
            // Base64 is always a valid header value.
            let _ = request.headers_mut().insert("Authorization", value);
        }
        Box::new(SingleRequest::new(request))
    }
}

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
fn read_error(path: &std::path::Path, e: std::io::Error) -> Error {
    Error::local_protocol(format!("Cannot read the netrc file {}", path.display())).with_source(e)
}

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
fn parse_file(path: &std::path::Path, bytes: &[u8]) -> Result<NetRc> {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => std::borrow::Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()),
    };
    parse(&text).map_err(|e| e.into_error(Some(&path.display().to_string())))
}

/// Reads the home directory's netrc file, with Python's permission check on Unix.
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
fn read_private_file(path: &std::path::Path) -> Result<NetRc> {
    use std::io::Read;
    let mut file = std::fs::File::open(path).map_err(|e| read_error(path, e))?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)
        .map_err(|e| read_error(path, e))?;
    let netrc = parse_file(path, &bytes)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = file
            .metadata()
            .map_err(|e| read_error(path, e))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 && !netrc.anonymous_only() {
            return Err(Error::local_protocol(format!(
                "Invalid netrc file: {} access too permissive: access permissions must \
                 restrict access to only the owner (chmod 600)",
                path.display()
            )));
        }
    }
    Ok(netrc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use crate::request::Method;
    use crate::response::Response;

    const HTTPX_NETRC: &str = include_str!("../../tests/fixtures/netrc/netrc");
    const HTTPX_NETRC_NOPASSWORD: &str =
        include_str!("../../tests/fixtures/netrc/netrc-nopassword");

    fn get(url: &str) -> Request {
        Request::new(Method::GET, Url::parse(url).unwrap())
    }

    fn sent_authorization(auth: &NetRcAuth, url: &str) -> Option<String> {
        let mut flow = auth.auth_flow(get(url));
        let request = flow.first().unwrap();
        let response = Response::builder(200).build().unwrap();
        assert!(flow.next(&response).unwrap().is_none());
        request
            .headers()
            .get("authorization")
            .map(|v| v.into_owned())
    }

    fn basic(user: &str, password: &str) -> String {
        use base64::Engine;
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
        )
    }

    fn err_message(text: &str) -> String {
        let err = parse_netrc(text).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::LocalProtocolError);
        err.to_string()
    }

    // ---- httpx's fixtures ---------------------------------------------------------

    #[test]
    fn httpx_fixture() {
        let netrc = parse_netrc(HTTPX_NETRC).unwrap();
        assert_eq!(
            netrc.authenticators("netrcexample.org"),
            Some(("example-username", "", "example-password"))
        );
        assert_eq!(netrc.authenticators("example.org"), None);
        // test_netrc_auth_credentials_exist / _do_not_exist
        let auth = NetRcAuth::from_str(HTTPX_NETRC).unwrap();
        assert_eq!(
            sent_authorization(&auth, "http://netrcexample.org").as_deref(),
            Some("Basic ZXhhbXBsZS11c2VybmFtZTpleGFtcGxlLXBhc3N3b3Jk")
        );
        assert_eq!(sent_authorization(&auth, "http://example.org"), None);
    }

    #[test]
    fn httpx_nopassword_fixture_parses_and_sends_nothing() {
        let netrc = parse_netrc(HTTPX_NETRC_NOPASSWORD).unwrap();
        assert_eq!(
            netrc.authenticators("netrcexample.org"),
            Some(("example-username", "", ""))
        );
        let auth = NetRcAuth::from_netrc(netrc);
        assert_eq!(sent_authorization(&auth, "http://netrcexample.org"), None);
    }

    // ---- syntax -------------------------------------------------------------------

    #[test]
    fn one_line_and_multi_line_layouts() {
        let one = parse_netrc("machine a login u password p machine b login v password q").unwrap();
        let many = parse_netrc(
            "machine a\n  login u\n  password p\n\nmachine\nb\nlogin\tv\r\npassword   q\n",
        )
        .unwrap();
        assert_eq!(one, many);
        assert_eq!(one.hosts().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(one.authenticators("b"), Some(("v", "", "q")));
    }

    #[test]
    fn user_and_account_keywords() {
        let netrc = parse_netrc("machine a user u account acc password p").unwrap();
        assert_eq!(netrc.authenticators("a"), Some(("u", "acc", "p")));
    }

    #[test]
    fn curl_style_quoted_tokens() {
        let netrc = parse_netrc(
            r#"machine "a.example" login "user name" password "pa ss\"wo\\rd" account """#,
        )
        .unwrap();
        assert_eq!(
            netrc.authenticators("a.example"),
            Some(("user name", "", r#"pa ss"wo\rd"#))
        );
        // Quotes inside an unquoted token are literal; backslashes escape there too.
        let netrc = parse_netrc(r#"machine b login us"er password p\ w\"x"#).unwrap();
        assert_eq!(netrc.authenticators("b"), Some(("us\"er", "", "p w\"x")));
        // A quoted token may span lines and hold a `#`.
        let netrc = parse_netrc("machine c password \"line1\nline2 #x\"").unwrap();
        assert_eq!(netrc.authenticators("c"), Some(("", "", "line1\nline2 #x")));
    }

    #[test]
    fn comments() {
        let netrc = parse_netrc(
            "# a comment at the top\n\
             #another one\n\
             machine a # trailing comment with keywords machine b login x\n\
             \x20 login u\n\
             \n\
             \x20 # indented comment password nope\n\
             \x20 password p #comment\n\
             # last line without newline",
        )
        .unwrap();
        assert_eq!(netrc.authenticators("a"), Some(("u", "", "p")));
        assert_eq!(netrc.hosts().count(), 1);
        // Where a value is expected, `#` is part of the value, as in Python.
        let netrc = parse_netrc("machine a login u password #p # comment").unwrap();
        assert_eq!(netrc.authenticators("a"), Some(("u", "", "#p")));
        // A quoted "#" is no comment.
        assert!(err_message("\"#\" machine a").contains("bad toplevel token \"#\""));
    }

    #[test]
    fn macdef_bodies_are_skipped() {
        let netrc = parse_netrc(
            "macdef init\ncd /pub\nmachine fake login x password y\n\nmachine a login u password p\n\
             macdef second args here\r\nput file\r\n\r\ndefault login d password dp\n",
        )
        .unwrap();
        assert_eq!(netrc.hosts().collect::<Vec<_>>(), ["a"]);
        assert_eq!(netrc.authenticators("fake"), Some(("d", "", "dp")));
        let macros: Vec<_> = netrc.macros().collect();
        assert_eq!(macros.len(), 2);
        assert_eq!(macros[0].0, "init");
        assert_eq!(macros[0].1, ["cd /pub", "machine fake login x password y"]);
        assert_eq!(macros[1].0, "second");
        assert_eq!(macros[1].1, ["put file"]);
        // An empty macro.
        let netrc = parse_netrc("macdef empty\n\nmachine a password p").unwrap();
        assert_eq!(netrc.macros().next().unwrap().1.len(), 0);
        assert_eq!(netrc.authenticators("a"), Some(("", "", "p")));
    }

    #[test]
    fn default_entry() {
        let netrc = parse_netrc(
            "machine a login u password p\ndefault login anonymous password me@example.org\n",
        )
        .unwrap();
        assert!(netrc.has_default());
        assert_eq!(netrc.authenticators("a"), Some(("u", "", "p")));
        assert_eq!(
            netrc.authenticators("b"),
            Some(("anonymous", "", "me@example.org"))
        );
        // As in Python, `default` need not come last, and a machine still wins.
        let netrc =
            parse_netrc("default login d password dp\nmachine a login u password p").unwrap();
        assert_eq!(netrc.authenticators("a"), Some(("u", "", "p")));
        assert_eq!(netrc.authenticators("z"), Some(("d", "", "dp")));
        // A machine named "default" is a machine (Python conflates the two).
        let netrc = parse_netrc("machine default login x password y").unwrap();
        assert!(!netrc.has_default());
        assert_eq!(netrc.authenticators("other"), None);
        assert_eq!(netrc.authenticators("default"), Some(("x", "", "y")));
    }

    #[test]
    fn repeated_entries_last_wins_like_python() {
        let netrc =
            parse_netrc("machine a login b password c\nmachine a login d\nmachine z").unwrap();
        assert_eq!(netrc.authenticators("a"), Some(("d", "", "")));
        assert_eq!(netrc.hosts().collect::<Vec<_>>(), ["a", "z"]);
        assert_eq!(netrc.authenticators("z"), Some(("", "", "")));
    }

    #[test]
    fn host_names_compare_case_insensitively_after_exact() {
        let netrc = parse_netrc(
            "machine Example.ORG login a password b machine example.org login c password d",
        )
        .unwrap();
        assert_eq!(netrc.authenticators("example.org"), Some(("c", "", "d")));
        assert_eq!(netrc.authenticators("EXAMPLE.org"), Some(("a", "", "b")));
    }

    #[test]
    fn empty_and_comment_only_files() {
        assert_eq!(parse_netrc("").unwrap(), NetRc::default());
        assert_eq!(parse_netrc(" \n\t\r\n").unwrap(), NetRc::default());
        assert_eq!(parse_netrc("# nothing\n#here").unwrap(), NetRc::default());
    }

    #[test]
    fn a_missing_value_at_the_end_is_empty_like_python() {
        let netrc = parse_netrc("machine a login").unwrap();
        assert_eq!(netrc.authenticators("a"), Some(("", "", "")));
        let netrc = parse_netrc("machine a login u\\").unwrap();
        assert_eq!(netrc.authenticators("a"), Some(("u", "", "")));
    }

    #[test]
    fn errors_name_the_problem_and_the_line() {
        assert_eq!(
            err_message("machine a\nlogin x\nfoo bar\n"),
            "Invalid netrc file: bad follower token \"foo\" (line 3)"
        );
        assert_eq!(
            err_message("\n\nlogin x"),
            "Invalid netrc file: bad toplevel token \"login\" (line 3)"
        );
        assert_eq!(
            err_message("machine a password p\n\n  machine"),
            "Invalid netrc file: missing \"machine\" name (line 3)"
        );
        assert_eq!(
            err_message("macdef"),
            "Invalid netrc file: missing \"macdef\" name (line 1)"
        );
        assert_eq!(
            err_message("machine a\nmacdef init\ncd /\n"),
            "Invalid netrc file: macro definition \"init\" missing null line terminator \
             (a blank line ends a macro) (line 2)"
        );
        assert_eq!(
            err_message("machine a\npassword \"unterminated\n\nmore"),
            "Invalid netrc file: unterminated quoted token (line 2)"
        );
        assert_eq!(
            err_message("machine a password \"ends in a backslash\\"),
            "Invalid netrc file: unterminated quoted token (line 1)"
        );
        // An empty quoted token is a token (Python would stop reading the file).
        assert_eq!(
            err_message("machine a password p\n\"\"\nmachine b password q"),
            "Invalid netrc file: bad follower token \"\" (line 2)"
        );
    }

    #[test]
    fn errors_and_debug_never_show_passwords() {
        let err = err_message("machine a password s3cr3t\nbogus");
        assert!(!err.contains("s3cr3t"), "{err}");
        let auth = NetRcAuth::from_str(
            "machine a login alice password s3cr3t account acc-s3cr3t\ndefault login bob password d3fault\nmacdef m\nx\n\n",
        )
        .unwrap();
        let debug = format!("{auth:?}");
        assert!(
            debug.contains("alice") && debug.contains("bob") && debug.contains('a'),
            "{debug}"
        );
        assert!(
            !debug.contains("s3cr3t") && !debug.contains("d3fault"),
            "{debug}"
        );
    }

    // ---- the flow -----------------------------------------------------------------

    const TWO_HOSTS: &str = "machine a.example login alice password pa\n\
                             machine b.example login bob password pb\n\
                             default login anon password pd\n";

    #[test]
    fn each_host_gets_its_own_entry_and_default_only_without_a_match() {
        let auth = NetRcAuth::from_str(TWO_HOSTS).unwrap();
        assert_eq!(
            sent_authorization(&auth, "https://a.example/x").unwrap(),
            basic("alice", "pa")
        );
        assert_eq!(
            sent_authorization(&auth, "https://b.example:8443/").unwrap(),
            basic("bob", "pb")
        );
        assert_eq!(
            sent_authorization(&auth, "http://c.example/").unwrap(),
            basic("anon", "pd")
        );
        // Host B never gets host A's password, whatever was sent before.
        for url in [
            "https://b.example/",
            "https://c.example/",
            "https://a.example.evil/",
        ] {
            let value = sent_authorization(&auth, url).unwrap();
            assert_ne!(value, basic("alice", "pa"), "{url}");
        }
    }

    #[test]
    fn without_default_unknown_hosts_get_nothing() {
        let auth = NetRcAuth::from_str("machine a.example login alice password pa").unwrap();
        assert_eq!(sent_authorization(&auth, "https://b.example/"), None);
        assert_eq!(sent_authorization(&auth, "https://sub.a.example/"), None);
    }

    #[test]
    fn a_default_without_password_sends_nothing() {
        let auth =
            NetRcAuth::from_str("machine a login u password p\ndefault login anonymous").unwrap();
        assert_eq!(sent_authorization(&auth, "https://z.example/"), None);
    }

    #[test]
    fn the_flow_never_retries() {
        let auth = NetRcAuth::from_str(TWO_HOSTS).unwrap();
        let mut flow = auth.auth_flow(get("https://a.example/"));
        let first = flow.first().unwrap();
        let mut response = Response::builder(401)
            .header("www-authenticate", "Basic realm=\"x\"")
            .build()
            .unwrap();
        response.set_request(first);
        assert!(flow.next(&response).unwrap().is_none());
    }

    #[test]
    fn utf8_credentials_and_idna_hosts() {
        let auth = NetRcAuth::from_str(
            "machine xn--fiqs8s.example login \u{e9}l\u{e8}ve password 123\u{a3}\n\
             machine \u{4e2d}\u{56fd}.test login u password p",
        )
        .unwrap();
        // The IDNA (wire) form of the host matches through `raw_host`.
        assert_eq!(
            sent_authorization(&auth, "https://\u{4e2d}\u{56fd}.example/").unwrap(),
            basic("\u{e9}l\u{e8}ve", "123\u{a3}")
        );
        // The Unicode form matches through `host`, as in httpx.
        assert_eq!(
            sent_authorization(&auth, "https://xn--fiqs8s.test/").unwrap(),
            basic("u", "p")
        );
        assert_eq!(basic("test", "123\u{a3}"), "Basic dGVzdDoxMjPCow==");
    }

    #[test]
    fn ip_hosts() {
        let auth = NetRcAuth::from_str(
            "machine ::1 login six password p6 machine 127.0.0.1 login four password p4",
        )
        .unwrap();
        assert_eq!(
            sent_authorization(&auth, "http://[::1]:8080/").unwrap(),
            basic("six", "p6")
        );
        assert_eq!(
            sent_authorization(&auth, "http://127.0.0.1/").unwrap(),
            basic("four", "p4")
        );
        assert_eq!(sent_authorization(&auth, "http://localhost/"), None);
    }

    #[test]
    fn from_str_trait_and_send_sync() {
        let netrc: NetRc = "machine a password p".parse().unwrap();
        assert_eq!(netrc.authenticators("a"), Some(("", "", "p")));
        let auth: NetRcAuth = "machine a password p".parse().unwrap();
        assert_eq!(auth.netrc(), &netrc);
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<NetRcAuth>();
    }

    // Files: native only (the WASI test runner preopens no directory).
    #[cfg(not(target_family = "wasm"))]
    mod files {
        use super::*;

        fn scratch_dir(name: &str) -> std::path::PathBuf {
            let dir = std::env::temp_dir().join(format!(
                "httpx-netrc-{name}-{}-{}",
                std::process::id(),
                crate::rt::random_hex(4).unwrap()
            ));
            std::fs::create_dir_all(&dir).unwrap();
            dir
        }

        #[test]
        fn from_file_reads_and_names_the_path_in_errors() {
            let dir = scratch_dir("file");
            let path = dir.join("netrc");
            std::fs::write(&path, HTTPX_NETRC).unwrap();
            let auth = NetRcAuth::from_file(&path).unwrap();
            assert!(sent_authorization(&auth, "http://netrcexample.org").is_some());

            std::fs::write(&path, "machine a\nbogus").unwrap();
            let err = NetRcAuth::from_file(&path).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::LocalProtocolError);
            assert!(
                err.to_string().contains(&path.display().to_string()),
                "{err}"
            );
            assert!(err.to_string().contains("line 2"), "{err}");

            let missing = dir.join("missing");
            let err = NetRcAuth::from_file(&missing).unwrap_err();
            assert!(
                err.to_string().contains(&missing.display().to_string()),
                "{err}"
            );
            assert!(std::error::Error::source(&err).is_some());

            // Not UTF-8: read as ISO-8859-1.
            std::fs::write(&path, b"machine a login \xe9 password p").unwrap();
            let auth = NetRcAuth::from_file(&path).unwrap();
            assert_eq!(auth.netrc().authenticators("a"), Some(("\u{e9}", "", "p")));
            std::fs::remove_dir_all(&dir).unwrap();
        }

        #[test]
        fn from_env_prefers_netrc_then_home() {
            let dir = scratch_dir("env");
            let named = dir.join("named");
            std::fs::write(&named, "machine named login n password pn").unwrap();
            let home_file = dir.join(".netrc");
            std::fs::write(&home_file, "machine home login h password ph").unwrap();
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let private = std::fs::Permissions::from_mode(0o600);
                std::fs::set_permissions(&home_file, private).unwrap();
            }
            let home = Some(dir.clone().into_os_string());
            let auth = NetRcAuth::from_env(Some(named.into_os_string()), home.clone()).unwrap();
            assert_eq!(auth.netrc().hosts().collect::<Vec<_>>(), ["named"]);
            let auth = NetRcAuth::from_env(Some("".into()), home.clone()).unwrap();
            assert_eq!(auth.netrc().hosts().collect::<Vec<_>>(), ["home"]);
            let auth = NetRcAuth::from_env(None, home).unwrap();
            assert_eq!(auth.netrc().hosts().collect::<Vec<_>>(), ["home"]);
            let err = NetRcAuth::from_env(None, None).unwrap_err();
            assert!(err.to_string().contains("$HOME"), "{err}");
            let err =
                NetRcAuth::from_env(None, Some(dir.join("nowhere").into_os_string())).unwrap_err();
            assert!(err.to_string().contains("nowhere"), "{err}");
            std::fs::remove_dir_all(&dir).unwrap();
        }

        #[cfg(unix)]
        #[test]
        fn the_home_file_must_be_private() {
            use std::os::unix::fs::PermissionsExt;
            let dir = scratch_dir("perm");
            let path = dir.join(".netrc");
            std::fs::write(&path, "machine a login u password p").unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            let err = read_private_file(&path).unwrap_err();
            assert!(err.to_string().contains("too permissive"), "{err}");
            // An explicitly named file is not checked, as in Python.
            assert!(NetRcAuth::from_file(&path).is_ok());
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
            assert!(read_private_file(&path).is_ok());
            // Anonymous-only files are exempt.
            std::fs::write(&path, "default login anonymous password me@").unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            assert!(read_private_file(&path).is_ok());
            std::fs::remove_dir_all(&dir).unwrap();
        }
    }

    #[cfg(not(target_family = "wasm"))]
    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn the_parser_never_panics(text in any::<String>()) {
                let _ = parse_netrc(&text);
            }

            #[test]
            fn netrc_like_text_never_panics(
                text in r#"((machine|default|macdef|login|user|password|account|#|"|\\|\n|\r\n| |\t|[a-z.]{1,6}|"[^"]{0,6}"?|#[ a-z]{0,6}\n)[ \n]?){0,24}"#,
            ) {
                if let Ok(netrc) = parse_netrc(&text) {
                    let _ = netrc.authenticators("a.example");
                    let _ = format!("{netrc:?}");
                }
            }

            #[test]
            fn written_entries_read_back(
                host in "[a-z0-9.-]{1,12}",
                login in "[^\"\\\\]{0,10}",
                password in "[^\"\\\\]{1,10}",
            ) {
                let text = format!("machine \"{host}\"\n\tlogin \"{login}\" password \"{password}\"\n");
                let netrc = parse_netrc(&text).unwrap();
                prop_assert_eq!(netrc.authenticators(&host), Some((login.as_str(), "", password.as_str())));
            }
        }
    }
}
