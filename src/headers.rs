//! [`Headers`]: a case-insensitive, order-preserving multi-map with httpx's API.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use bytes::Bytes;

use crate::error::{Error, Result};

/// Header names whose values `Debug` output hides.
const SENSITIVE: [&str; 2] = ["authorization", "proxy-authorization"];

/// HTTP headers: case-insensitive names, order kept, repeated names allowed.
///
/// Names must be RFC 9110 tokens and values may not contain CR, LF, NUL or other
/// control characters but tab; anything else is a
/// [`LocalProtocolError`](crate::ErrorKind::LocalProtocolError) when it is added, so
/// it never reaches a transport. Values are bytes; [`get`](Headers::get) decodes them as
/// UTF-8, or as ISO-8859-1 when they are not UTF-8.
///
/// ```
/// let mut headers = httpx::Headers::new();
/// headers.append("Set-Cookie", "a=1")?;
/// headers.append("set-cookie", "b=2")?;
/// headers.insert("Content-Type", "text/plain")?;
/// assert_eq!(headers.get("SET-COOKIE").as_deref(), Some("a=1, b=2"));
/// assert_eq!(headers.get_list("set-cookie", false), vec!["a=1", "b=2"]);
/// assert!(headers.insert("x-bad", "a\r\nInjected: 1").is_err());
/// # Ok::<(), httpx::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct Headers {
    entries: Vec<Entry>,
}

/// Names and values are `Bytes`: copying headers (each request copies the client's)
/// shares them instead of allocating, and static defaults cost nothing.
#[derive(Clone)]
struct Entry {
    name: Bytes,
    value: Bytes,
}

/// Header names common enough to be shared rather than copied, in the spellings
/// clients and servers use (names keep the case they were given).
static COMMON_NAMES: [(&str, http::HeaderName); 42] = [
    ("host", http::HeaderName::from_static("host")),
    ("Host", http::HeaderName::from_static("host")),
    ("accept", http::HeaderName::from_static("accept")),
    ("Accept", http::HeaderName::from_static("accept")),
    (
        "accept-encoding",
        http::HeaderName::from_static("accept-encoding"),
    ),
    (
        "Accept-Encoding",
        http::HeaderName::from_static("accept-encoding"),
    ),
    ("connection", http::HeaderName::from_static("connection")),
    ("Connection", http::HeaderName::from_static("connection")),
    ("user-agent", http::HeaderName::from_static("user-agent")),
    ("User-Agent", http::HeaderName::from_static("user-agent")),
    (
        "content-type",
        http::HeaderName::from_static("content-type"),
    ),
    (
        "Content-Type",
        http::HeaderName::from_static("content-type"),
    ),
    (
        "content-length",
        http::HeaderName::from_static("content-length"),
    ),
    (
        "Content-Length",
        http::HeaderName::from_static("content-length"),
    ),
    (
        "transfer-encoding",
        http::HeaderName::from_static("transfer-encoding"),
    ),
    (
        "Transfer-Encoding",
        http::HeaderName::from_static("transfer-encoding"),
    ),
    ("cookie", http::HeaderName::from_static("cookie")),
    ("Cookie", http::HeaderName::from_static("cookie")),
    (
        "authorization",
        http::HeaderName::from_static("authorization"),
    ),
    (
        "Authorization",
        http::HeaderName::from_static("authorization"),
    ),
    ("date", http::HeaderName::from_static("date")),
    ("Date", http::HeaderName::from_static("date")),
    ("server", http::HeaderName::from_static("server")),
    ("Server", http::HeaderName::from_static("server")),
    (
        "content-encoding",
        http::HeaderName::from_static("content-encoding"),
    ),
    (
        "Content-Encoding",
        http::HeaderName::from_static("content-encoding"),
    ),
    ("location", http::HeaderName::from_static("location")),
    ("Location", http::HeaderName::from_static("location")),
    ("set-cookie", http::HeaderName::from_static("set-cookie")),
    ("Set-Cookie", http::HeaderName::from_static("set-cookie")),
    (
        "cache-control",
        http::HeaderName::from_static("cache-control"),
    ),
    (
        "Cache-Control",
        http::HeaderName::from_static("cache-control"),
    ),
    ("etag", http::HeaderName::from_static("etag")),
    ("ETag", http::HeaderName::from_static("etag")),
    ("vary", http::HeaderName::from_static("vary")),
    ("Vary", http::HeaderName::from_static("vary")),
    (
        "last-modified",
        http::HeaderName::from_static("last-modified"),
    ),
    (
        "Last-Modified",
        http::HeaderName::from_static("last-modified"),
    ),
    ("keep-alive", http::HeaderName::from_static("keep-alive")),
    ("Keep-Alive", http::HeaderName::from_static("keep-alive")),
    ("expires", http::HeaderName::from_static("expires")),
    ("Expires", http::HeaderName::from_static("expires")),
];

/// The index of `name` in [`COMMON_NAMES`] (a `match`: compiled to a switch on the
/// length and a few comparisons, not a scan of the table).
fn common_index(name: &[u8]) -> Option<usize> {
    Some(match name {
        b"host" => 0,
        b"Host" => 1,
        b"accept" => 2,
        b"Accept" => 3,
        b"accept-encoding" => 4,
        b"Accept-Encoding" => 5,
        b"connection" => 6,
        b"Connection" => 7,
        b"user-agent" => 8,
        b"User-Agent" => 9,
        b"content-type" => 10,
        b"Content-Type" => 11,
        b"content-length" => 12,
        b"Content-Length" => 13,
        b"transfer-encoding" => 14,
        b"Transfer-Encoding" => 15,
        b"cookie" => 16,
        b"Cookie" => 17,
        b"authorization" => 18,
        b"Authorization" => 19,
        b"date" => 20,
        b"Date" => 21,
        b"server" => 22,
        b"Server" => 23,
        b"content-encoding" => 24,
        b"Content-Encoding" => 25,
        b"location" => 26,
        b"Location" => 27,
        b"set-cookie" => 28,
        b"Set-Cookie" => 29,
        b"cache-control" => 30,
        b"Cache-Control" => 31,
        b"etag" => 32,
        b"ETag" => 33,
        b"vary" => 34,
        b"Vary" => 35,
        b"last-modified" => 36,
        b"Last-Modified" => 37,
        b"keep-alive" => 38,
        b"Keep-Alive" => 39,
        b"expires" => 40,
        b"Expires" => 41,
        _ => return None,
    })
}

/// `name` as a static buffer when it is a [`COMMON_NAMES`] spelling: no allocation.
fn common_name(name: &[u8]) -> Option<Bytes> {
    common_index(name).map(|i| Bytes::from_static(COMMON_NAMES[i].0.as_bytes()))
}

/// `name` as an [`http::HeaderName`]: a constant for a [`COMMON_NAMES`] spelling,
/// else parsed.
fn header_name(
    name: &[u8],
) -> std::result::Result<http::HeaderName, http::header::InvalidHeaderName> {
    match COMMON_NAMES
        .iter()
        .find(|(common, _)| common.as_bytes() == name)
    {
        Some((_, parsed)) => Ok(parsed.clone()),
        None => http::HeaderName::from_bytes(name),
    }
}

fn name_bytes(name: &str) -> Bytes {
    common_name(name.as_bytes()).unwrap_or_else(|| Bytes::copy_from_slice(name.as_bytes()))
}

impl Entry {
    fn new(name: &str, value: &[u8]) -> Entry {
        Entry {
            name: name_bytes(name),
            value: Bytes::copy_from_slice(value),
        }
    }

    fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name.as_bytes())
    }

    /// The name; always ASCII, as names are validated tokens.
    fn name(&self) -> &str {
        std::str::from_utf8(&self.name).unwrap_or_default()
    }
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

pub(crate) fn validate_name(name: &str) -> Result<()> {
    if name.is_empty() || !name.bytes().all(is_tchar) {
        return Err(Error::local_protocol(format!(
            "Invalid header name {name:?}: a header name is a non-empty token \
             (letters, digits and !#$%&'*+-.^_`|~)"
        )));
    }
    Ok(())
}

pub(crate) fn validate_value(name: &str, value: &[u8]) -> Result<()> {
    if let Some(&bad) = value
        .iter()
        .find(|&&b| (b < 0x20 && b != b'\t') || b == 0x7f)
    {
        let what = match bad {
            b'\r' => "CR".to_string(),
            b'\n' => "LF".to_string(),
            0 => "NUL".to_string(),
            b => format!("the control character 0x{b:02x}"),
        };
        return Err(Error::local_protocol(format!(
            "Invalid value for header '{name}': it contains {what}; \
             header values may not contain CR, LF, NUL or other control characters"
        )));
    }
    Ok(())
}

/// Decodes a header value as [`Headers::get`] does: UTF-8 when it is, else ISO-8859-1
/// (every byte a code point). For values read with [`Headers::raw`].
///
/// ```
/// use httpx::headers::decode_value;
///
/// assert_eq!(decode_value("caf\u{e9}".as_bytes()), "café");
/// assert_eq!(decode_value(b"caf\xe9"), "café");
/// ```
pub fn decode_value(value: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(value) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => Cow::Owned(value.iter().map(|&b| b as char).collect()),
    }
}

impl Headers {
    /// No headers.
    pub fn new() -> Headers {
        Headers::default()
    }

    /// Sets `name` to `value`, replacing every earlier value of `name` (at the position
    /// of the first one).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut headers = httpx::Headers::from_pairs([("Accept", "text/html"), ("X-Id", "1"), ("accept", "*/*")])?;
    /// headers.insert("ACCEPT", "application/json")?;
    /// let pairs: Vec<_> = headers.raw().collect();
    /// assert_eq!(pairs, [("ACCEPT", &b"application/json"[..]), ("X-Id", &b"1"[..])]);
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn insert(&mut self, name: &str, value: impl AsRef<[u8]>) -> Result<()> {
        let value = value.as_ref();
        validate_name(name)?;
        validate_value(name, value)?;
        match self.entries.iter().position(|e| e.is(name)) {
            Some(first) => {
                self.entries[first] = Entry::new(name, value);
                let mut index = 0;
                self.entries.retain(|e| {
                    index += 1;
                    index - 1 <= first || !e.is(name)
                });
            }
            None => self.entries.push(Entry::new(name, value)),
        }
        Ok(())
    }

    /// Adds a header known to be valid at compile time, without copying it.
    pub(crate) fn append_static(&mut self, name: &'static str, value: &'static str) {
        debug_assert!(
            validate_name(name).is_ok() && validate_value(name, value.as_bytes()).is_ok()
        );
        self.entries.push(Entry {
            name: Bytes::from_static(name.as_bytes()),
            value: Bytes::from_static(value.as_bytes()),
        });
    }

    /// Adds a value for `name`, keeping earlier ones.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut headers = httpx::Headers::new();
    /// headers.append("Set-Cookie", "session=abc; Path=/")?;
    /// headers.append("Set-Cookie", "theme=dark")?;
    /// assert_eq!(headers.get_list("set-cookie", false), ["session=abc; Path=/", "theme=dark"]);
    /// let err = headers.append("X-Note", "line one\nline two").unwrap_err();
    /// assert_eq!(err.kind(), httpx::ErrorKind::LocalProtocolError);
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn append(&mut self, name: &str, value: impl AsRef<[u8]>) -> Result<()> {
        let value = value.as_ref();
        validate_name(name)?;
        validate_value(name, value)?;
        self.entries.push(Entry::new(name, value));
        Ok(())
    }

    /// Sets `name` to `value` unless it has a value already.
    pub fn set_default(&mut self, name: &str, value: impl AsRef<[u8]>) -> Result<()> {
        if self.contains(name) {
            return Ok(());
        }
        self.append(name, value)
    }

    /// Removes every value of `name`; returns whether there was one.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut headers = httpx::Headers::from_pairs([("Cookie", "a=1"), ("Accept", "*/*"), ("cookie", "b=2")])?;
    /// assert!(headers.contains("COOKIE"));
    /// assert!(headers.remove("cookie"));
    /// assert!(!headers.contains("cookie"));
    /// assert!(!headers.remove("cookie")); // nothing left to remove
    /// assert_eq!(headers.keys().collect::<Vec<_>>(), ["accept"]);
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn remove(&mut self, name: &str) -> bool {
        let before = self.entries.len();
        self.entries.retain(|e| !e.is(name));
        self.entries.len() != before
    }

    /// Whether `name` has a value.
    pub fn contains(&self, name: &str) -> bool {
        self.entries.iter().any(|e| e.is(name))
    }

    /// The first value of `name`, borrowed, when it is valid UTF-8 (header values are
    /// ASCII in practice); `None` when there is none or it is not UTF-8 (use
    /// [`get`](Headers::get), which decodes it as Latin-1, or
    /// [`get_all_bytes`](Headers::get_all_bytes)). Later values of a repeated header
    /// are left out: [`get`](Headers::get) joins them.
    pub fn get_first(&self, name: &str) -> Option<&str> {
        let first = self.entries.iter().find(|e| e.is(name))?;
        std::str::from_utf8(&first.value).ok()
    }

    /// The values of `name` joined with `", "`, as httpx's `headers[name]`.
    ///
    /// A [`Cow`]: borrowed when there is one value and it is UTF-8, owned when values
    /// were joined or a non-UTF-8 value was decoded as Latin-1. `.as_deref()` gives an
    /// `Option<&str>` to compare or parse, and `.map(Cow::into_owned)` an
    /// `Option<String>` to keep (`.map(str::to_owned)` does not compile on a `Cow`).
    /// [`get_first`](Headers::get_first) borrows the first value alone.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::borrow::Cow;
    ///
    /// let mut headers = httpx::Headers::new();
    /// headers.append("accept", "text/html")?;
    /// headers.append("accept", "application/json")?;
    /// assert_eq!(headers.get("accept").as_deref(), Some("text/html, application/json"));
    /// let kept: Option<String> = headers.get("accept").map(Cow::into_owned);
    /// assert_eq!(kept.unwrap(), "text/html, application/json");
    /// assert_eq!(headers.get_first("accept"), Some("text/html"));
    /// assert_eq!(headers.get("x-missing"), None);
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn get(&self, name: &str) -> Option<Cow<'_, str>> {
        let mut values = self.entries.iter().filter(|e| e.is(name));
        let first = values.next()?;
        let first = decode_value(&first.value);
        let rest: Vec<_> = values.collect();
        if rest.is_empty() {
            return Some(first);
        }
        let mut joined = first.into_owned();
        for e in rest {
            joined.push_str(", ");
            joined.push_str(&decode_value(&e.value));
        }
        Some(Cow::Owned(joined))
    }

    /// The raw bytes of every value of `name`.
    pub fn get_all_bytes<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.entries
            .iter()
            .filter(move |e| e.is(name))
            .map(|e| &e.value[..])
    }

    /// Every value of `name`; with `split_commas`, comma-separated values are split
    /// and trimmed too (httpx's `get_list`).
    ///
    /// # Examples
    ///
    /// ```
    /// let headers = httpx::Headers::from_pairs([("Vary", "Accept, Origin"), ("vary", "Cookie")])?;
    /// assert_eq!(headers.get_list("vary", false), ["Accept, Origin", "Cookie"]);
    /// assert_eq!(headers.get_list("vary", true), ["Accept", "Origin", "Cookie"]);
    /// assert!(headers.get_list("x-missing", true).is_empty());
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn get_list(&self, name: &str, split_commas: bool) -> Vec<String> {
        let values = self
            .entries
            .iter()
            .filter(|e| e.is(name))
            .map(|e| decode_value(&e.value));
        if !split_commas {
            return values.map(Cow::into_owned).collect();
        }
        values
            .flat_map(|v| {
                v.split(',')
                    .map(|s| s.trim().to_string())
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// The distinct names, lowercase, in order of first appearance (httpx's `keys()`).
    ///
    /// # Examples
    ///
    /// ```
    /// let headers = httpx::Headers::from_pairs([("Accept", "text/html"), ("X-Trace", "a"), ("accept", "*/*")])?;
    /// assert_eq!(headers.keys().collect::<Vec<_>>(), ["accept", "x-trace"]);
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn keys(&self) -> impl Iterator<Item = String> + '_ {
        self.entries
            .iter()
            .enumerate()
            .filter(|&(i, e)| {
                !self.entries[..i]
                    .iter()
                    .any(|earlier| earlier.name.eq_ignore_ascii_case(&e.name))
            })
            .map(|(_, e)| e.name().to_ascii_lowercase())
    }

    /// Each distinct name (lowercase) with its values joined by `", "`, in order of
    /// first appearance (httpx's `items()`).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::collections::BTreeMap;
    ///
    /// let headers = httpx::Headers::from_pairs([("Accept", "text/html"), ("X-Trace", "a"), ("accept", "*/*")])?;
    /// let items: Vec<(String, String)> = headers.items().collect();
    /// assert_eq!(items[0], ("accept".to_string(), "text/html, */*".to_string()));
    /// // httpx's `dict(headers)`:
    /// let map: BTreeMap<String, String> = headers.items().collect();
    /// assert_eq!(map["x-trace"], "a");
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn items(&self) -> impl Iterator<Item = (String, String)> + '_ {
        self.keys().map(|k| {
            let v = self.get(&k).map(Cow::into_owned).unwrap_or_default();
            (k, v)
        })
    }

    /// Every name (lowercase) and value pair, in order.
    ///
    /// # Examples
    ///
    /// ```
    /// let headers = httpx::Headers::from_pairs([("Accept", "text/html"), ("X-Trace", "a"), ("accept", "*/*")])?;
    /// let pairs: Vec<(String, String)> =
    ///     headers.multi_items().map(|(name, value)| (name, value.into_owned())).collect();
    /// assert_eq!(pairs, [
    ///     ("accept".to_string(), "text/html".to_string()),
    ///     ("x-trace".to_string(), "a".to_string()),
    ///     ("accept".to_string(), "*/*".to_string()),
    /// ]);
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn multi_items(&self) -> impl Iterator<Item = (String, Cow<'_, str>)> {
        self.entries
            .iter()
            .map(|e| (e.name().to_ascii_lowercase(), decode_value(&e.value)))
    }

    /// Every pair as given: the name in its original case and the raw value.
    pub fn raw(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.entries.iter().map(|e| (e.name(), &e.value[..]))
    }

    /// The number of distinct names.
    pub fn len(&self) -> usize {
        self.keys().count()
    }

    /// Whether there are no headers.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Merges `other` in: each name in `other` replaces this one's values.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut headers = httpx::Headers::from_pairs([("Accept", "*/*"), ("X-Version", "1")])?;
    /// headers.update(&httpx::Headers::from_pairs([("x-version", "2"), ("X-Extra", "yes")])?);
    /// assert_eq!(headers.get("x-version").as_deref(), Some("2"));
    /// assert_eq!(headers.keys().collect::<Vec<_>>(), ["accept", "x-version", "x-extra"]);
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn update(&mut self, other: &Headers) {
        if other.entries.is_empty() {
            return;
        }
        self.entries.retain(|e| {
            !other
                .entries
                .iter()
                .any(|o| o.name.eq_ignore_ascii_case(&e.name))
        });
        self.entries.extend(other.entries.iter().cloned());
    }

    /// Moves every pair of `other` to the end of these headers.
    /// Sets a header whose name is known valid and whose value was checked, taking
    /// the value's buffer as it is (no copy).
    pub(crate) fn insert_checked(&mut self, name: &'static str, value: Bytes) {
        debug_assert!(validate_name(name).is_ok() && validate_value(name, &value).is_ok());
        self.remove(name);
        self.entries.push(Entry {
            name: Bytes::from_static(name.as_bytes()),
            value,
        });
    }

    /// Empty, with room for `capacity` entries.
    pub(crate) fn with_capacity(capacity: usize) -> Headers {
        Headers {
            entries: Vec::with_capacity(capacity),
        }
    }

    /// How many entries (repeated names counted apart).
    pub(crate) fn entry_count(&self) -> usize {
        self.entries.len()
    }

    /// Appends `base` updated with `overrides` (as `update` would make it, without
    /// building that copy first): the entries of `base` whose name `overrides` lacks,
    /// then those of `overrides`. Shared buffers are shared, not copied.
    pub(crate) fn append_merged(&mut self, base: &Headers, overrides: &Headers) {
        self.entries
            .reserve(base.entries.len() + overrides.entries.len());
        self.entries.extend(
            base.entries
                .iter()
                .filter(|e| {
                    !overrides
                        .entries
                        .iter()
                        .any(|o| o.name.eq_ignore_ascii_case(&e.name))
                })
                .cloned(),
        );
        self.entries.extend(overrides.entries.iter().cloned());
    }

    pub(crate) fn append_all(&mut self, other: Headers) {
        if self.entries.is_empty() {
            // Takes the list as it is: no copy.
            self.entries = other.entries;
            return;
        }
        self.entries.extend(other.entries);
    }

    /// Builds headers from name-value pairs, validating each.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::collections::HashMap;
    ///
    /// let headers = httpx::Headers::from_pairs([("Accept", "application/json"), ("X-Api-Key", "k")])?;
    /// assert_eq!(headers.get("x-api-key").as_deref(), Some("k"));
    /// // `TryFrom` takes arrays, slices, `Vec`s and `HashMap`s of pairs too.
    /// let headers = httpx::Headers::try_from(HashMap::from([("Accept", "text/plain")]))?;
    /// assert_eq!(headers.get("accept").as_deref(), Some("text/plain"));
    /// assert!(httpx::Headers::from_pairs([("Bad Name", "x")]).is_err());
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn from_pairs<K, V, I>(pairs: I) -> Result<Headers>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<[u8]>,
    {
        let mut headers = Headers::new();
        for (k, v) in pairs {
            headers.append(k.as_ref(), v)?;
        }
        Ok(headers)
    }

    /// Converts to an [`http::HeaderMap`] (names lowercased).
    pub fn to_header_map(&self) -> Result<http::HeaderMap> {
        let mut map = http::HeaderMap::with_capacity(self.entries.len());
        for e in &self.entries {
            let name = header_name(&e.name).map_err(|err| {
                Error::local_protocol(format!("Invalid header name {:?}: {err}", e.name()))
            })?;
            // The value's buffer is shared, not copied (a static or shared `Bytes`
            // clones without allocating); it is checked all the same.
            let value = http::HeaderValue::from_maybe_shared(e.value.clone()).map_err(|err| {
                Error::local_protocol(format!("Invalid value for header '{}': {err}", e.name()))
            })?;
            map.append(name, value);
        }
        Ok(map)
    }
}

impl PartialEq for Headers {
    /// Equal when they hold the same pairs, names compared case-insensitively, in any
    /// order (as in httpx).
    fn eq(&self, other: &Headers) -> bool {
        let mut a: Vec<(String, &[u8])> = self
            .entries
            .iter()
            .map(|e| (e.name().to_ascii_lowercase(), &e.value[..]))
            .collect();
        let mut b: Vec<(String, &[u8])> = other
            .entries
            .iter()
            .map(|e| (e.name().to_ascii_lowercase(), &e.value[..]))
            .collect();
        a.sort();
        b.sort();
        a == b
    }
}

impl Eq for Headers {}

impl fmt::Debug for Headers {
    /// `Authorization` and `Proxy-Authorization` values are shown as `[secure]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut list = f.debug_list();
        for e in &self.entries {
            if SENSITIVE.iter().any(|s| e.is(s)) {
                list.entry(&(e.name(), "[secure]"));
            } else {
                list.entry(&(e.name(), decode_value(&e.value)));
            }
        }
        list.finish()
    }
}

impl From<&http::HeaderMap> for Headers {
    /// Common names are shared statics; the other names and the values are copied into
    /// one buffer that the entries share: three allocations for any number of headers
    /// (and clones of the result allocate only the list).
    fn from(map: &http::HeaderMap) -> Headers {
        let size: usize = map.iter().map(|(k, v)| k.as_str().len() + v.len()).sum();
        let mut buffer = Vec::with_capacity(size);
        for (k, v) in map {
            if common_name(k.as_str().as_bytes()).is_none() {
                buffer.extend_from_slice(k.as_str().as_bytes());
            }
            buffer.extend_from_slice(v.as_bytes());
        }
        let buffer = Bytes::from(buffer);
        let mut at = 0;
        let mut slice = |len: usize| {
            at += len;
            buffer.slice(at - len..at)
        };
        Headers {
            entries: map
                .iter()
                .map(|(k, v)| Entry {
                    name: common_name(k.as_str().as_bytes())
                        .unwrap_or_else(|| slice(k.as_str().len())),
                    value: slice(v.len()),
                })
                .collect(),
        }
    }
}

impl From<http::HeaderMap> for Headers {
    fn from(map: http::HeaderMap) -> Headers {
        Headers::from(&map)
    }
}

impl TryFrom<&Headers> for http::HeaderMap {
    type Error = Error;
    fn try_from(headers: &Headers) -> Result<http::HeaderMap> {
        headers.to_header_map()
    }
}

macro_rules! try_from_pairs {
    ($($ty:ty),*) => {$(
        impl<K: AsRef<str>, V: AsRef<[u8]>> TryFrom<$ty> for Headers {
            type Error = Error;
            fn try_from(pairs: $ty) -> Result<Headers> {
                Headers::from_pairs(pairs)
            }
        }
    )*};
}
try_from_pairs!(Vec<(K, V)>);

impl<K: AsRef<str>, V: AsRef<[u8]>, const N: usize> TryFrom<[(K, V); N]> for Headers {
    type Error = Error;
    fn try_from(pairs: [(K, V); N]) -> Result<Headers> {
        Headers::from_pairs(pairs)
    }
}

impl<K: AsRef<str>, V: AsRef<[u8]>> TryFrom<&[(K, V)]> for Headers {
    type Error = Error;
    fn try_from(pairs: &[(K, V)]) -> Result<Headers> {
        Headers::from_pairs(pairs.iter().map(|(k, v)| (k, v)))
    }
}

impl<K: AsRef<str>, V: AsRef<[u8]>, S> TryFrom<HashMap<K, V, S>> for Headers {
    type Error = Error;
    fn try_from(pairs: HashMap<K, V, S>) -> Result<Headers> {
        Headers::from_pairs(pairs)
    }
}

/// A `Content-Type` parameter such as `charset`, unquoted.
pub(crate) fn content_type_param(content_type: &str, param: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|part| {
        let (key, value) = part.split_once('=')?;
        if !key.trim().eq_ignore_ascii_case(param) {
            return None;
        }
        let value = value.trim().trim_matches(|c| c == '"' || c == '\'');
        Some(value.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_names_table_and_match_agree() {
        for (i, (name, parsed)) in COMMON_NAMES.iter().enumerate() {
            assert_eq!(common_index(name.as_bytes()), Some(i), "{name}");
            assert_eq!(parsed.as_str(), name.to_ascii_lowercase());
        }
        assert_eq!(common_index(b"HOST"), None);
        assert_eq!(common_index(b"x-custom"), None);
    }

    #[test]
    fn header_map_round_trip_keeps_names_values_and_order() {
        let mut map = http::HeaderMap::new();
        map.append("content-length", http::HeaderValue::from_static("13"));
        map.append("x-custom", http::HeaderValue::from_static("a"));
        map.append("set-cookie", http::HeaderValue::from_static("a=1"));
        map.append("set-cookie", http::HeaderValue::from_static("b=2"));
        map.append("x-empty", http::HeaderValue::from_static(""));
        let headers = Headers::from(&map);
        assert_eq!(
            headers
                .raw()
                .map(|(k, v)| (k, v.to_vec()))
                .collect::<Vec<_>>(),
            vec![
                ("content-length", b"13".to_vec()),
                ("x-custom", b"a".to_vec()),
                ("set-cookie", b"a=1".to_vec()),
                ("set-cookie", b"b=2".to_vec()),
                ("x-empty", b"".to_vec()),
            ]
        );
        assert_eq!(headers.to_header_map().unwrap(), map);
        let mut copy = Headers::new();
        copy.append_all(headers.clone());
        assert_eq!(copy, headers);
    }

    #[test]
    fn append_merged_is_update_without_the_copy() {
        let base = Headers::from_pairs([("Accept", "*/*"), ("X-A", "1"), ("x-b", "2")]).unwrap();
        let overrides = Headers::from_pairs([("x-a", "3"), ("X-C", "4")]).unwrap();
        let mut expected = base.clone();
        expected.update(&overrides);
        let mut merged = Headers::new();
        merged.append_merged(&base, &overrides);
        assert_eq!(
            merged.raw().collect::<Vec<_>>(),
            expected.raw().collect::<Vec<_>>()
        );
    }

    #[test]
    fn insert_replaces_at_first_position() {
        let mut h = Headers::from_pairs([("a", "1"), ("b", "2"), ("A", "3")]).unwrap();
        h.insert("a", "4").unwrap();
        assert_eq!(
            h.raw().map(|(k, v)| (k, v.to_vec())).collect::<Vec<_>>(),
            vec![("a", b"4".to_vec()), ("b", b"2".to_vec())]
        );
        assert_eq!(h.len(), 2);
    }

    #[test]
    fn rejects_injection_before_io() {
        let mut h = Headers::new();
        for bad in ["a\rb", "a\nb", "a\0b", "a\x01"] {
            let err = h.insert("x-test", bad).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::LocalProtocolError);
        }
        assert!(h.insert("bad name", "x").is_err());
        assert!(h.insert("bad:name", "x").is_err());
        assert!(h.insert("", "x").is_err());
        assert!(h.insert("x-tab", "a\tb").is_ok());
        assert!(h.is_empty() || h.len() == 1);
    }

    #[test]
    fn non_utf8_values_decode_as_latin1() {
        let mut h = Headers::new();
        h.insert("x", [0xe9u8]).unwrap();
        assert_eq!(h.get("x").as_deref(), Some("é"));
    }

    #[test]
    fn get_list_split_commas() {
        let h = Headers::from_pairs([("vary", "a, b"), ("Vary", "c")]).unwrap();
        assert_eq!(h.get_list("vary", true), vec!["a", "b", "c"]);
        assert_eq!(
            h.items().collect::<Vec<_>>(),
            vec![("vary".to_string(), "a, b, c".to_string())]
        );
    }

    #[test]
    fn debug_hides_credentials() {
        let h = Headers::from_pairs([("Authorization", "Basic secret"), ("x", "y")]).unwrap();
        let shown = format!("{h:?}");
        assert!(!shown.contains("secret"));
        assert!(shown.contains("[secure]"));
    }

    #[test]
    fn equality_ignores_case_and_order() {
        let a = Headers::from_pairs([("A", "1"), ("b", "2")]).unwrap();
        let b = Headers::from_pairs([("b", "2"), ("a", "1")]).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn http_interop() {
        let h = Headers::from_pairs([("X-A", "1"), ("x-a", "2")]).unwrap();
        let map = h.to_header_map().unwrap();
        assert_eq!(map.get_all("x-a").iter().count(), 2);
        assert_eq!(Headers::from(&map), h);
    }

    #[test]
    fn content_type_params() {
        assert_eq!(
            content_type_param("text/plain; charset=\"latin-1\"", "charset").as_deref(),
            Some("latin-1")
        );
        assert_eq!(content_type_param("text/plain", "charset"), None);
    }
}
