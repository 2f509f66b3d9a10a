//! [`ResponseBuilder`]: a response from its parts, for transports, mock handlers and
//! tests.

use bytes::Bytes;
use futures_core::Stream;
use futures_util::StreamExt;
use sync_wrapper::SyncWrapper;

use super::body::Source;
use super::Response;
use crate::error::{Error, Result};
use crate::headers::Headers;
use crate::rt::{BoxIter, BoxStream, MaybeSend};
use crate::status::StatusCode;

pub(super) enum BuilderBody {
    Empty,
    Bytes(Bytes),
    Iter(BoxIter<'static, Result<Bytes>>),
    Stream(BoxStream<'static, Result<Bytes>>),
}

/// Builds a [`Response`]; see [`Response::builder`].
///
/// Content set with [`content`](ResponseBuilder::content), [`text`](ResponseBuilder::text),
/// [`html`](ResponseBuilder::html) or [`json`](ResponseBuilder::json) gets httpx's
/// automatic headers (`Content-Length`, `Content-Type`) unless set already, and is
/// decoded at once according to `Content-Encoding`, as httpx does. A stream is read
/// later, by the client or by the caller.
///
/// # Examples
///
/// ```
/// use httpx::Response;
///
/// let response = Response::builder(404)
///     .reason_phrase("Nothing Here")
///     .header("content-type", "text/plain") // kept: `text` only adds missing headers
///     .text("no such user")
///     .build()?;
/// assert_eq!(response.reason_phrase(), "Nothing Here");
/// assert_eq!(response.headers().get("content-type").as_deref(), Some("text/plain"));
/// assert_eq!(response.headers().get("content-length").as_deref(), Some("12"));
/// assert_eq!(response.text()?, "no such user");
///
/// // An invalid header is reported by `build`.
/// assert!(Response::builder(200).header("bad name", "x").build().is_err());
/// # Ok::<(), httpx::Error>(())
/// ```
#[must_use = "call build() to get the response"]
pub struct ResponseBuilder {
    pub(super) status: StatusCode,
    pub(super) version: http::Version,
    pub(super) reason: Option<String>,
    pub(super) headers: Headers,
    pub(super) body: BuilderBody,
    pub(super) content_headers: Vec<(&'static str, String)>,
    pub(super) extensions: http::Extensions,
    pub(super) error: Option<Error>,
}

impl ResponseBuilder {
    /// Adds a header (an invalid one makes `build` fail).
    pub fn header(mut self, name: &str, value: impl AsRef<[u8]>) -> Self {
        if let Err(e) = self.headers.append(name, value) {
            self.error.get_or_insert(e);
        }
        self
    }

    /// Adds headers.
    pub fn headers(mut self, headers: &Headers) -> Self {
        // A `Headers` holds only valid pairs: no need to check them again.
        self.headers.append_all(headers.clone());
        self
    }

    /// Sets the HTTP version.
    pub fn version(mut self, version: http::Version) -> Self {
        self.version = version;
        self
    }

    /// Sets the reason phrase the server sent.
    pub fn reason_phrase(mut self, reason: &str) -> Self {
        self.reason = Some(reason.to_string());
        self
    }

    /// Sets the body to bytes (with `Content-Length`).
    pub fn content(mut self, content: impl Into<Bytes>) -> Self {
        let content = content.into();
        self.content_headers = vec![("Content-Length", content.len().to_string())];
        self.body = BuilderBody::Bytes(content);
        self
    }

    /// Sets a text body (`text/plain; charset=utf-8`).
    pub fn text(self, text: impl Into<String>) -> Self {
        let mut this = self.content(text.into());
        this.content_headers
            .push(("Content-Type", "text/plain; charset=utf-8".into()));
        this
    }

    /// Sets an HTML body (`text/html; charset=utf-8`).
    pub fn html(self, html: impl Into<String>) -> Self {
        let mut this = self.content(html.into());
        this.content_headers
            .push(("Content-Type", "text/html; charset=utf-8".into()));
        this
    }

    /// Sets a JSON body (`application/json`, compact as httpx 0.28 writes it).
    #[cfg(feature = "json")]
    pub fn json<T: serde::Serialize + ?Sized>(mut self, value: &T) -> Self {
        match serde_json::to_vec(value) {
            Ok(bytes) => {
                self = self.content(bytes);
                self.content_headers
                    .push(("Content-Type", "application/json".into()));
            }
            Err(e) => {
                self.error
                    .get_or_insert(Error::local_protocol("Cannot serialise JSON").with_source(e));
            }
        }
        self
    }

    /// Sets a blocking stream body (`Transfer-Encoding: chunked` unless a length is set).
    ///
    /// The body is not read by `build`: a client reads it (or leaves it to a
    /// streaming caller), and an error an item returns comes out of that read.
    ///
    /// # Examples
    ///
    /// ```
    /// use httpx::Response;
    ///
    /// let chunks = (1..=3).map(|i| Ok::<_, httpx::Error>(format!("chunk {i};")));
    /// let mut response = Response::builder(200).stream(chunks).build()?;
    /// assert_eq!(response.headers().get("transfer-encoding").as_deref(), Some("chunked"));
    /// assert!(!response.is_stream_consumed());
    /// assert_eq!(response.read()?.as_ref(), b"chunk 1;chunk 2;chunk 3;");
    ///
    /// // With a Content-Length set, no Transfer-Encoding is added.
    /// let response = Response::builder(200)
    ///     .header("content-length", "5")
    ///     .stream([Ok::<_, httpx::Error>("hello")])
    ///     .build()?;
    /// assert!(!response.headers().contains("transfer-encoding"));
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn stream<I, B>(mut self, iter: I) -> Self
    where
        I: IntoIterator<Item = Result<B>>,
        I::IntoIter: MaybeSend + 'static,
        B: Into<Bytes>,
    {
        self.body = BuilderBody::Iter(Box::new(iter.into_iter().map(|r| r.map(Into::into))));
        self.content_headers = vec![("Transfer-Encoding", "chunked".into())];
        self
    }

    /// Sets a body from a transport's raw blocking stream: no headers are added.
    pub fn raw_stream<I>(mut self, iter: I) -> Self
    where
        I: Iterator<Item = Result<Bytes>> + MaybeSend + 'static,
    {
        self.body = BuilderBody::Iter(Box::new(iter));
        self.content_headers.clear();
        self
    }

    /// Sets an async stream body (`Transfer-Encoding: chunked` unless a length is set).
    pub fn async_stream<S, B>(mut self, stream: S) -> Self
    where
        S: Stream<Item = Result<B>> + MaybeSend + 'static,
        B: Into<Bytes>,
    {
        self.body = BuilderBody::Stream(Box::pin(stream.map(|r| r.map(Into::into))));
        self.content_headers = vec![("Transfer-Encoding", "chunked".into())];
        self
    }

    /// Sets a body from a transport's raw async stream: no headers are added.
    pub fn raw_async_stream<S>(mut self, stream: S) -> Self
    where
        S: Stream<Item = Result<Bytes>> + MaybeSend + 'static,
    {
        self.body = BuilderBody::Stream(Box::pin(stream));
        self.content_headers.clear();
        self
    }

    /// Adds a typed extension value.
    pub fn extension<T: Clone + Send + Sync + 'static>(mut self, value: T) -> Self {
        self.extensions.insert(value);
        self
    }

    /// Builds the response. Fails for an invalid header, JSON that cannot be
    /// serialised, or bytes content that does not decode as its `Content-Encoding` says.
    pub fn build(mut self) -> Result<Response> {
        if let Some(e) = self.error {
            return Err(e);
        }
        for (name, value) in &self.content_headers {
            if *name == "Transfer-Encoding" && self.headers.contains("content-length") {
                continue;
            }
            self.headers.set_default(name, value)?;
        }
        let (source, read_now) = match self.body {
            BuilderBody::Empty => (Source::Bytes(None), true),
            BuilderBody::Bytes(b) => (Source::Bytes(Some(b)), true),
            BuilderBody::Iter(iter) => (Source::Iter(SyncWrapper::new(iter)), false),
            BuilderBody::Stream(stream) => (Source::Stream(SyncWrapper::new(stream)), false),
        };
        let mut response = Response::with_source(self.status, self.headers, Some(source));
        response.version = self.version;
        response.reason = self.reason;
        response.extensions = self.extensions;
        if read_now {
            // Read and closed, as httpx's `Response(content=...)` is.
            response.read()?;
        }
        Ok(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_content_is_read_at_once() {
        let r = Response::builder(200).content("abc").build().unwrap();
        assert_eq!(r.content().unwrap().as_ref(), b"abc");
        assert_eq!(r.headers().get("content-length").as_deref(), Some("3"));
        assert!(r.is_closed());
    }
}
