//! Reading a response body: in full ([`Response::read`]) or streamed through the
//! iterators and streams, decoded on the way.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use futures_core::Stream;
use futures_util::StreamExt;
use sync_wrapper::SyncWrapper;

use super::Response;
use crate::decoders::{ByteChunker, ContentDecoder, LineDecoder, TextChunker, TextDecoder};
use crate::error::{Error, Result};
use crate::rt::{BoxIter, BoxStream};

/// Where the raw (still encoded) body comes from.
pub(super) enum Source {
    Bytes(Option<Bytes>),
    Iter(SyncWrapper<BoxIter<'static, Result<Bytes>>>),
    Stream(SyncWrapper<BoxStream<'static, Result<Bytes>>>),
}

impl Source {
    fn is_async(&self) -> bool {
        matches!(self, Source::Stream(_))
    }

    fn next_blocking(&mut self) -> Option<Result<Bytes>> {
        match self {
            Source::Bytes(b) => b.take().map(Ok),
            Source::Iter(iter) => iter.get_mut().next(),
            Source::Stream(_) => Some(Err(sync_on_async())),
        }
    }

    fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes>>> {
        match self {
            Source::Bytes(b) => Poll::Ready(b.take().map(Ok)),
            Source::Iter(iter) => Poll::Ready(iter.get_mut().next()),
            Source::Stream(stream) => stream.get_mut().as_mut().poll_next(cx),
        }
    }
}

fn sync_on_async() -> Error {
    Error::invalid_state(
        "Attempted to read an async response body from sync code; \
         use `aread()` / `aiter_bytes()` (the response came from an async transport).",
    )
}

impl Response {
    fn request_context(&self, err: Error) -> Error {
        match &self.request {
            Some(r) => err.with_request(r.method(), r.url()),
            None => err,
        }
    }

    fn finish(&mut self) {
        self.closed = true;
        self.source = None;
        self.stop_timer();
    }

    /// Sets `elapsed` once, when the response was timed.
    fn stop_timer(&mut self) {
        if self.elapsed.is_none() {
            if let Some(started) = self.started {
                self.elapsed = Some(started.elapsed());
            }
        }
    }

    /// Takes the body source for streaming, checking the httpx stream rules.
    fn take_source(&mut self, for_sync: bool) -> Result<Source> {
        if self.stream_consumed {
            return Err(Error::stream_consumed());
        }
        if self.closed {
            return Err(Error::stream_closed());
        }
        if for_sync && self.source.as_ref().is_some_and(Source::is_async) {
            return Err(sync_on_async());
        }
        self.stream_consumed = true;
        self.num_bytes_downloaded = 0;
        Ok(self.source.take().unwrap_or(Source::Bytes(None)))
    }

    fn decoder(&self) -> Result<ContentDecoder> {
        if !self.headers.contains("content-encoding") {
            return ContentDecoder::new(std::iter::empty::<&str>());
        }
        let values = self.headers.get_list("content-encoding", false);
        ContentDecoder::new(&values)
    }

    /// How many bytes to reserve for reading the body: its `Content-Length` when the
    /// body is not content-encoded (the decoded size is then the same), at most
    /// [`MAX_SIZE_HINT`]; else 0.
    fn size_hint(&self) -> usize {
        let encoded = self
            .headers
            .get_list("content-encoding", false)
            .iter()
            .any(|coding| !coding.trim().eq_ignore_ascii_case("identity"));
        if encoded {
            return 0;
        }
        self.headers
            .get("content-length")
            .and_then(|length| length.trim().parse::<u64>().ok())
            .map_or(0, |length| length.min(MAX_SIZE_HINT as u64) as usize)
    }

    fn reader(&mut self, decode: bool, chunk_size: Option<usize>, for_sync: bool) -> Reader {
        let pending: VecDeque<Bytes> = VecDeque::new();
        let decoder = if decode { Some(self.decoder()) } else { None };
        let setup = match decoder.transpose() {
            Ok(decoder) => self.take_source(for_sync).map(|source| (source, decoder)),
            Err(e) => Err(e),
        };
        match setup {
            Ok((source, decoder)) => Reader {
                source: Some(source),
                decoder,
                chunker: ByteChunker::new(chunk_size),
                pending,
                eof: false,
                failed: None,
                finished: false,
                limit: self.max_body_size,
                passed: 0,
            },
            Err(e) => Reader::failed(e),
        }
    }

    /// Reads the whole body (blocking) and returns the decoded content.
    ///
    /// A response from `send()` is read already; this is for one from
    /// `client.stream(...)`, once its headers have been looked at. Reading again
    /// returns the same content.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    /// # {
    /// use httpx::{Client, MockTransport, Response};
    ///
    /// let transport = MockTransport::new(|_| {
    ///     Response::builder(200)
    ///         .header("content-type", "text/csv")
    ///         .stream(["a,b\n", "1,2\n"].map(Ok::<_, httpx::Error>))
    ///         .build()
    /// });
    /// let client = Client::builder().transport(transport).build()?;
    ///
    /// let mut response = client.stream("GET", "https://example.org/export").send()?;
    /// assert_eq!(response.headers().get("content-type").as_deref(), Some("text/csv"));
    /// assert_eq!(response.read()?.as_ref(), b"a,b\n1,2\n");
    /// assert!(response.is_closed());
    /// assert_eq!(response.text()?, "a,b\n1,2\n");
    /// # }
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn read(&mut self) -> Result<&Bytes> {
        if self.content.is_none() {
            let mut body = BodyBuffer::new(self.size_hint());
            for chunk in self.iter_bytes() {
                body.push(chunk?);
            }
            self.content = Some(body.freeze());
        }
        // Also when closed already (a built response): sets `elapsed` once timed.
        self.finish();
        self.content()
    }

    /// Reads the body like [`read`](Response::read) unless its decoded size passes
    /// `limit` (or `max_body_size`, if smaller): then reading stops, the response is
    /// closed (its connection is not reused) and its content stays unread, without an
    /// error. Returns whether the body was read.
    /// The client reads the bodies of redirects it follows this way, so a hostile
    /// redirect cannot make it inflate an unbounded body (urllib3 CVE-2026-21441).
    // The blocking client, which uses it, does not exist in the browser.
    #[cfg_attr(all(target_arch = "wasm32", target_os = "unknown"), allow(dead_code))]
    pub(crate) fn read_bounded(&mut self, limit: usize) -> Result<bool> {
        if self.content.is_some() {
            self.finish();
            return Ok(true);
        }
        // The smaller limit wins, and passing it is not an error here.
        let limit = match self.max_body_size.take() {
            Some(max) => limit.min(usize::try_from(max).unwrap_or(usize::MAX)),
            None => limit,
        };
        let mut body = BodyBuffer::new(self.size_hint().min(limit));
        let mut chunks = self.iter_bytes();
        for chunk in chunks.by_ref() {
            body.push(chunk?);
            if body.len() > limit {
                drop(chunks);
                self.finish();
                return Ok(false);
            }
        }
        drop(chunks);
        self.content = Some(body.freeze());
        self.finish();
        Ok(true)
    }

    /// The async form of [`read_bounded`](Response::read_bounded).
    pub(crate) async fn aread_bounded(&mut self, limit: usize) -> Result<bool> {
        if self.content.is_some() {
            self.finish();
            return Ok(true);
        }
        // The smaller limit wins, and passing it is not an error here.
        let limit = match self.max_body_size.take() {
            Some(max) => limit.min(usize::try_from(max).unwrap_or(usize::MAX)),
            None => limit,
        };
        let mut body = BodyBuffer::new(self.size_hint().min(limit));
        let mut chunks = self.aiter_bytes();
        while let Some(chunk) = chunks.next().await {
            body.push(chunk?);
            if body.len() > limit {
                drop(chunks);
                self.finish();
                return Ok(false);
            }
        }
        drop(chunks);
        self.content = Some(body.freeze());
        self.finish();
        Ok(true)
    }

    /// Reads the whole body and returns the decoded content.
    ///
    /// The async form of [`read`](Response::read), for a response from
    /// `AsyncClient::stream(...)`; the only way to read a body that comes from an async
    /// stream.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(not(target_family = "wasm"))]
    /// # futures_executor::block_on(async {
    /// use httpx::{AsyncClient, MockTransport, Response};
    ///
    /// let transport = MockTransport::new(|_| {
    ///     let chunks = futures_util::stream::iter(["{\"ok\":", "true}"].map(Ok::<_, httpx::Error>));
    ///     Response::builder(200).async_stream(chunks).build()
    /// });
    /// let client = AsyncClient::builder().transport(transport).build()?;
    ///
    /// let mut response = client.stream("GET", "https://example.org/status").send().await?;
    /// assert_eq!(response.aread().await?.as_ref(), br#"{"ok":true}"#);
    /// let value: serde_json::Value = response.json()?;
    /// assert_eq!(value["ok"], true);
    /// # Ok::<(), httpx::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn aread(&mut self) -> Result<&Bytes> {
        if self.content.is_none() {
            let mut body = BodyBuffer::new(self.size_hint());
            let mut stream = self.aiter_bytes();
            while let Some(chunk) = stream.next().await {
                body.push(chunk?);
            }
            drop(stream);
            self.content = Some(body.freeze());
        }
        // Also when closed already (a built response): sets `elapsed` once timed.
        self.finish();
        self.content()
    }

    /// Closes the response without reading the rest of the body, releasing the
    /// connection.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    /// # {
    /// use httpx::{Client, ErrorKind, MockTransport, Response};
    ///
    /// let transport = MockTransport::new(|_| {
    ///     Response::builder(503).stream((0..).map(|_| Ok::<_, httpx::Error>("busy "))).build()
    /// });
    /// let client = Client::builder().transport(transport).build()?;
    ///
    /// let mut response = client.stream("GET", "https://example.org/export").send()?;
    /// if response.is_error() {
    ///     response.close(); // the error page's body is not wanted (here it never ends)
    /// }
    /// assert!(response.is_closed());
    /// assert_eq!(response.read().unwrap_err().kind(), ErrorKind::StreamClosed);
    /// # }
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn close(&mut self) {
        self.finish();
    }

    /// Closes the response (async form of [`close`](Response::close)).
    pub async fn aclose(&mut self) {
        self.close();
    }

    /// The decoded body in chunks as they arrive (each at most 64 KiB after decoding).
    ///
    /// On a streamed response this consumes the stream (a second call fails with
    /// `StreamConsumed`); on a read one it yields the content.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    /// # {
    /// use std::io::Write;
    /// use httpx::{Client, MockTransport, Response};
    ///
    /// let transport = MockTransport::new(|_| {
    ///     Response::builder(200).stream(["part 1, ", "part 2"].map(Ok::<_, httpx::Error>)).build()
    /// });
    /// let client = Client::builder().transport(transport).build()?;
    ///
    /// // Download to a writer (a file, say) without holding the whole body.
    /// let mut response = client.stream("GET", "https://example.org/download").send()?;
    /// let mut file = Vec::new();
    /// for chunk in response.iter_bytes() {
    ///     file.write_all(&chunk?).unwrap();
    /// }
    /// assert_eq!(file, b"part 1, part 2");
    /// assert_eq!(response.num_bytes_downloaded(), 14);
    /// # }
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn iter_bytes(&mut self) -> BytesIter<'_> {
        self.iter_bytes_chunked(None)
    }

    /// The decoded body re-chunked to exactly `chunk_size` bytes (the last may be shorter).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    /// # {
    /// let transport = httpx::MockTransport::new(|_| {
    ///     httpx::Response::builder(200).stream(["abc", "defg"].map(Ok::<_, httpx::Error>)).build()
    /// });
    /// let client = httpx::Client::builder().transport(transport).build()?;
    /// let mut response = client.stream("GET", "https://example.org/").send()?;
    /// let chunks: Vec<bytes::Bytes> = response.iter_bytes_chunked(Some(3)).collect::<httpx::Result<_>>()?;
    /// assert_eq!(chunks, ["abc", "def", "g"]);
    /// # }
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn iter_bytes_chunked(&mut self, chunk_size: Option<usize>) -> BytesIter<'_> {
        let reader = self.decoded_reader(chunk_size, true);
        BytesIter {
            response: self,
            reader,
        }
    }

    /// The raw body as received, without content decoding.
    pub fn iter_raw(&mut self) -> BytesIter<'_> {
        self.iter_raw_chunked(None)
    }

    /// The raw body re-chunked to exactly `chunk_size` bytes.
    pub fn iter_raw_chunked(&mut self, chunk_size: Option<usize>) -> BytesIter<'_> {
        let reader = self.reader(false, chunk_size, true);
        BytesIter {
            response: self,
            reader,
        }
    }

    /// The body decoded to text in chunks.
    ///
    /// A character split across chunks is decoded whole, in the chunk where it ends.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    /// # {
    /// use httpx::{Client, MockTransport, Response};
    ///
    /// // "é" is two bytes in UTF-8; here they arrive in separate chunks.
    /// let transport = MockTransport::new(|_| {
    ///     let chunks: [&'static [u8]; 2] = [b"caf\xc3", b"\xa9 au lait"];
    ///     Response::builder(200).stream(chunks.map(Ok::<_, httpx::Error>)).build()
    /// });
    /// let client = Client::builder().transport(transport).build()?;
    ///
    /// let mut response = client.stream("GET", "https://example.org/menu").send()?;
    /// let text: String = response.iter_text().collect::<httpx::Result<_>>()?;
    /// assert_eq!(text, "café au lait");
    /// # }
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn iter_text(&mut self) -> TextIter<'_> {
        self.iter_text_chunked(None)
    }

    /// The body decoded to text, re-chunked to `chunk_size` characters.
    pub fn iter_text_chunked(&mut self, chunk_size: Option<usize>) -> TextIter<'_> {
        let decoder = self.charset().new_decoder();
        TextIter {
            bytes: Refill::new(self.iter_bytes()),
            decoder,
            chunker: TextChunker::new(chunk_size),
        }
    }

    /// The body decoded to text, line by line (without line endings).
    ///
    /// Lines end where Python's `str.splitlines()` ends them (`\n`, `\r\n`, `\r` and
    /// the other Unicode line boundaries), wherever the chunks are split, as in httpx.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    /// # {
    /// use httpx::{Client, MockTransport, Response};
    ///
    /// // Newline-delimited JSON, its lines split across chunks.
    /// let transport = MockTransport::new(|_| {
    ///     let chunks = ["{\"n\":1}\r\n{\"n\"", ":2}\n{\"n\":3}"];
    ///     Response::builder(200).stream(chunks.map(Ok::<_, httpx::Error>)).build()
    /// });
    /// let client = Client::builder().transport(transport).build()?;
    ///
    /// let mut response = client.stream("GET", "https://example.org/events").send()?;
    /// let mut numbers = Vec::new();
    /// for line in response.iter_lines() {
    ///     let event: serde_json::Value = serde_json::from_str(&line?).unwrap();
    ///     numbers.push(event["n"].as_i64().unwrap());
    /// }
    /// assert_eq!(numbers, [1, 2, 3]);
    /// # }
    /// # Ok::<(), httpx::Error>(())
    /// ```
    pub fn iter_lines(&mut self) -> LinesIter<'_> {
        LinesIter {
            text: Refill::new(self.iter_text()),
            decoder: LineDecoder::new(),
        }
    }

    /// The decoded body as an async stream of chunks.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(not(target_family = "wasm"))]
    /// # futures_executor::block_on(async {
    /// use futures_util::StreamExt;
    /// use httpx::{AsyncClient, MockTransport, Response};
    ///
    /// let transport = MockTransport::new(|_| {
    ///     let chunks = futures_util::stream::iter(["first ", "second"].map(Ok::<_, httpx::Error>));
    ///     Response::builder(200).async_stream(chunks).build()
    /// });
    /// let client = AsyncClient::builder().transport(transport).build()?;
    ///
    /// let mut response = client.stream("GET", "https://example.org/download").send().await?;
    /// let mut body = Vec::new();
    /// let mut chunks = response.aiter_bytes();
    /// while let Some(chunk) = chunks.next().await {
    ///     body.extend_from_slice(&chunk?);
    /// }
    /// assert_eq!(body, b"first second");
    /// # Ok::<(), httpx::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn aiter_bytes(&mut self) -> BytesStream<'_> {
        self.aiter_bytes_chunked(None)
    }

    /// The decoded body as an async stream, re-chunked to `chunk_size` bytes.
    pub fn aiter_bytes_chunked(&mut self, chunk_size: Option<usize>) -> BytesStream<'_> {
        let reader = self.decoded_reader(chunk_size, false);
        BytesStream {
            response: self,
            reader,
        }
    }

    /// A reader of the decoded body: the content when it was read, else the source
    /// (read by a blocking or an async consumer).
    fn decoded_reader(&mut self, chunk_size: Option<usize>, blocking: bool) -> Reader {
        match &self.content {
            Some(content) => Reader::from_content(content.clone(), chunk_size),
            None => self.reader(true, chunk_size, blocking),
        }
    }

    /// The raw body as an async stream, without content decoding.
    pub fn aiter_raw(&mut self) -> BytesStream<'_> {
        self.aiter_raw_chunked(None)
    }

    /// The raw body as an async stream, re-chunked to exactly `chunk_size` bytes.
    pub fn aiter_raw_chunked(&mut self, chunk_size: Option<usize>) -> BytesStream<'_> {
        let reader = self.reader(false, chunk_size, false);
        BytesStream {
            response: self,
            reader,
        }
    }

    /// The body decoded to text as an async stream.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(not(target_family = "wasm"))]
    /// # futures_executor::block_on(async {
    /// use futures_util::TryStreamExt;
    /// use httpx::{AsyncClient, MockTransport, Response};
    ///
    /// let transport = MockTransport::new(|_| {
    ///     let chunks = futures_util::stream::iter(["Hello, ", "world"].map(Ok::<_, httpx::Error>));
    ///     Response::builder(200).async_stream(chunks).build()
    /// });
    /// let client = AsyncClient::builder().transport(transport).build()?;
    ///
    /// let mut response = client.stream("GET", "https://example.org/").send().await?;
    /// let text: String = response.aiter_text().try_collect().await?;
    /// assert_eq!(text, "Hello, world");
    /// # Ok::<(), httpx::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn aiter_text(&mut self) -> impl Stream<Item = Result<String>> + '_ {
        self.aiter_text_chunked(None)
    }

    /// The body decoded to text as an async stream, re-chunked to `chunk_size`
    /// characters.
    pub fn aiter_text_chunked(
        &mut self,
        chunk_size: Option<usize>,
    ) -> impl Stream<Item = Result<String>> + '_ {
        let mut decoder = self.charset().new_decoder();
        let mut chunker = TextChunker::new(chunk_size);
        let mut pending: VecDeque<String> = VecDeque::new();
        let mut bytes = self.aiter_bytes();
        let mut done = false;
        futures_util::stream::poll_fn(move |cx| loop {
            if let Some(text) = pending.pop_front() {
                return Poll::Ready(Some(Ok(text)));
            }
            if done {
                return Poll::Ready(None);
            }
            match Pin::new(&mut bytes).poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(chunk))) => {
                    pending.extend(chunker.decode(&decoder.decode(&chunk)));
                }
                Poll::Ready(Some(Err(e))) => {
                    done = true;
                    return Poll::Ready(Some(Err(e)));
                }
                Poll::Ready(None) => {
                    done = true;
                    pending.extend(chunker.decode(&decoder.flush()));
                    pending.extend(chunker.flush());
                }
            }
        })
    }

    /// The body decoded to text, line by line, as an async stream.
    ///
    /// # Examples
    ///
    /// Reading server-sent events as they come:
    ///
    /// ```
    /// # #[cfg(not(target_family = "wasm"))]
    /// # futures_executor::block_on(async {
    /// use futures_util::StreamExt;
    /// use httpx::{AsyncClient, MockTransport, Response};
    ///
    /// let transport = MockTransport::new(|_| {
    ///     let events = ["data: one\n\n", "data: two\n", "\n"];
    ///     Response::builder(200)
    ///         .header("content-type", "text/event-stream")
    ///         .async_stream(futures_util::stream::iter(events.map(Ok::<_, httpx::Error>)))
    ///         .build()
    /// });
    /// let client = AsyncClient::builder().transport(transport).build()?;
    ///
    /// let mut response = client.stream("GET", "https://example.org/events").send().await?;
    /// let mut data = Vec::new();
    /// let mut lines = std::pin::pin!(response.aiter_lines());
    /// while let Some(line) = lines.next().await {
    ///     if let Some(payload) = line?.strip_prefix("data: ") {
    ///         data.push(payload.to_string());
    ///     }
    /// }
    /// assert_eq!(data, ["one", "two"]);
    /// # Ok::<(), httpx::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn aiter_lines(&mut self) -> impl Stream<Item = Result<String>> + '_ {
        let mut lines = LineDecoder::new();
        let mut text = Box::pin(self.aiter_text());
        let mut queue: VecDeque<String> = VecDeque::new();
        let mut done = false;
        futures_util::stream::poll_fn(move |cx| loop {
            if let Some(line) = queue.pop_front() {
                return Poll::Ready(Some(Ok(line)));
            }
            if done {
                return Poll::Ready(None);
            }
            match text.as_mut().poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(chunk))) => queue.extend(lines.decode(&chunk)),
                Poll::Ready(Some(Err(e))) => {
                    done = true;
                    return Poll::Ready(Some(Err(e)));
                }
                Poll::Ready(None) => {
                    done = true;
                    queue.extend(lines.flush());
                }
            }
        })
    }
}

/// The most a body's `Content-Length` makes [`Response::read`] reserve at once: a
/// larger (or lying) length grows the buffer as the bytes come instead.
const MAX_SIZE_HINT: usize = 64 * 1024 * 1024;

/// A body read in full, in one buffer that grows as the chunks come (collecting
/// the chunks and joining them held the body twice at the end).
struct BodyBuffer {
    /// The first chunk, kept as it is: a body of one chunk is not copied.
    first: Option<Bytes>,
    buf: BytesMut,
    /// The capacity to reserve once a second chunk comes.
    hint: usize,
}

impl BodyBuffer {
    fn new(hint: usize) -> BodyBuffer {
        BodyBuffer {
            first: None,
            buf: BytesMut::new(),
            hint,
        }
    }

    fn len(&self) -> usize {
        self.first.as_ref().map_or(0, Bytes::len) + self.buf.len()
    }

    fn push(&mut self, chunk: Bytes) {
        if chunk.is_empty() {
            return;
        }
        if self.first.is_none() && self.buf.is_empty() {
            self.first = Some(chunk);
            return;
        }
        if let Some(first) = self.first.take() {
            // Allocated only now: a HEAD response's Content-Length reserves nothing.
            let needed = first.len() + chunk.len();
            self.buf = BytesMut::with_capacity(self.hint.max(needed));
            self.buf.extend_from_slice(&first);
        }
        self.buf.extend_from_slice(&chunk);
    }

    fn freeze(self) -> Bytes {
        match self.first {
            Some(first) => first,
            // A Content-Length larger than the body reserved more than twice what
            // came (growing never does): keep an exact copy, not the reservation.
            None if self.buf.capacity() > 2 * self.buf.len() => Bytes::copy_from_slice(&self.buf),
            None => self.buf.freeze(),
        }
    }
}

/// The body pump shared by the sync iterators and the async streams: raw chunks in,
/// decoded (and re-chunked) pieces out, never more than one decoder step at a time.
struct Reader {
    source: Option<Source>,
    decoder: Option<ContentDecoder>,
    chunker: ByteChunker,
    pending: VecDeque<Bytes>,
    eof: bool,
    failed: Option<Error>,
    finished: bool,
    /// `max_body_size`: the most bytes this reader passes on (decoded bytes, or raw
    /// ones for `iter_raw`), counted before re-chunking.
    limit: Option<u64>,
    passed: u64,
}

/// The error of a body over `max_body_size`.
pub(super) fn too_large(limit: u64) -> Error {
    Error::decoding(format!(
        "The response body exceeded max_body_size ({limit} bytes)"
    ))
}

enum Produced {
    Chunk(Bytes),
    NeedInput,
    End,
    Failed(Error),
}

impl Reader {
    fn failed(err: Error) -> Reader {
        Reader {
            source: None,
            decoder: None,
            chunker: ByteChunker::new(None),
            pending: VecDeque::new(),
            eof: true,
            failed: Some(err),
            finished: true,
            limit: None,
            passed: 0,
        }
    }

    /// Iterates already-read content (httpx yields it whole, or in `chunk_size` pieces).
    fn from_content(content: Bytes, chunk_size: Option<usize>) -> Reader {
        let mut pending = VecDeque::new();
        let size = chunk_size.unwrap_or(content.len()).max(1);
        let mut rest = content;
        while !rest.is_empty() {
            let piece = rest.split_to(size.min(rest.len()));
            pending.push_back(piece);
        }
        Reader {
            source: None,
            decoder: None,
            chunker: ByteChunker::new(None),
            pending,
            eof: true,
            failed: None,
            finished: true,
            limit: None,
            passed: 0,
        }
    }

    fn produce(&mut self) -> Produced {
        loop {
            if let Some(chunk) = self.pending.pop_front() {
                return Produced::Chunk(chunk);
            }
            if let Some(err) = self.failed.take() {
                return Produced::Failed(err);
            }
            if self.finished {
                return Produced::End;
            }
            match &mut self.decoder {
                Some(decoder) => match decoder.next_output(self.eof) {
                    Ok(Some(out)) => self.pass(out),
                    Ok(None) if self.eof => {
                        self.finished = true;
                        self.chunker.flush_into(&mut self.pending);
                    }
                    Ok(None) => return Produced::NeedInput,
                    Err(e) => {
                        self.finished = true;
                        return Produced::Failed(e);
                    }
                },
                None if self.eof => {
                    self.finished = true;
                    self.chunker.flush_into(&mut self.pending);
                }
                None => return Produced::NeedInput,
            }
        }
    }

    /// Hands a piece to the chunker, unless it takes the body over its limit: then
    /// the reader fails, and the source is dropped (its connection is not reused).
    fn pass(&mut self, piece: Bytes) {
        self.passed = self.passed.saturating_add(piece.len() as u64);
        match self.limit {
            Some(limit) if self.passed > limit => {
                self.finished = true;
                self.failed = Some(too_large(limit));
                self.source = None;
                self.decoder = None;
            }
            _ => self.chunker.decode_into(piece, &mut self.pending),
        }
    }

    fn feed(&mut self, input: Option<Result<Bytes>>, downloaded: &mut u64) {
        match input {
            Some(Ok(chunk)) => {
                *downloaded += chunk.len() as u64;
                match &mut self.decoder {
                    Some(decoder) => decoder.feed(chunk),
                    None => self.pass(chunk),
                }
            }
            Some(Err(e)) => {
                self.finished = true;
                self.failed = Some(e);
            }
            None => {
                self.eof = true;
                self.source = None;
            }
        }
    }
}

/// A blocking iterator over a response body; see [`Response::iter_bytes`].
pub struct BytesIter<'a> {
    response: &'a mut Response,
    reader: Reader,
}

impl Iterator for BytesIter<'_> {
    type Item = Result<Bytes>;

    fn next(&mut self) -> Option<Result<Bytes>> {
        loop {
            match self.reader.produce() {
                Produced::Chunk(chunk) => return Some(Ok(chunk)),
                Produced::End => {
                    // A body held in memory (a response built with content) stays
                    // readable; either way the exchange has ended.
                    if self.response.content.is_none() {
                        self.response.finish();
                    } else {
                        self.response.stop_timer();
                    }
                    return None;
                }
                Produced::Failed(err) => {
                    // An error before the body was taken (a sync read of an async
                    // body, a bad Content-Encoding) leaves the response as it was.
                    if self.response.source.is_none() {
                        self.response.finish();
                    }
                    return Some(Err(self.response.request_context(err)));
                }
                Produced::NeedInput => {
                    let input = match &mut self.reader.source {
                        Some(source) => source.next_blocking(),
                        None => None,
                    };
                    self.reader
                        .feed(input, &mut self.response.num_bytes_downloaded);
                }
            }
        }
    }
}

/// An async stream over a response body; see [`Response::aiter_bytes`].
pub struct BytesStream<'a> {
    response: &'a mut Response,
    reader: Reader,
}

impl Stream for BytesStream<'_> {
    type Item = Result<Bytes>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes>>> {
        let this = self.get_mut();
        loop {
            match this.reader.produce() {
                Produced::Chunk(chunk) => return Poll::Ready(Some(Ok(chunk))),
                Produced::End => {
                    // As in BytesIter.
                    if this.response.content.is_none() {
                        this.response.finish();
                    } else {
                        this.response.stop_timer();
                    }
                    return Poll::Ready(None);
                }
                Produced::Failed(err) => {
                    // As in BytesIter: a setup error leaves the response as it was.
                    if this.response.source.is_none() {
                        this.response.finish();
                    }
                    return Poll::Ready(Some(Err(this.response.request_context(err))));
                }
                Produced::NeedInput => {
                    let input = match &mut this.reader.source {
                        Some(source) => match source.poll_next(cx) {
                            Poll::Pending => return Poll::Pending,
                            Poll::Ready(input) => input,
                        },
                        None => None,
                    };
                    this.reader
                        .feed(input, &mut this.response.num_bytes_downloaded);
                }
            }
        }
    }
}

/// A blocking iterator over a response body as text; see [`Response::iter_text`].
pub struct TextIter<'a> {
    bytes: Refill<BytesIter<'a>>,
    decoder: TextDecoder,
    chunker: TextChunker,
}

impl Iterator for TextIter<'_> {
    type Item = Result<String>;

    fn next(&mut self) -> Option<Result<String>> {
        let (decoder, chunker) = (&mut self.decoder, &mut self.chunker);
        self.bytes.next_with(|chunk, out| match chunk {
            Some(chunk) => out.extend(chunker.decode(&decoder.decode(&chunk))),
            None => {
                out.extend(chunker.decode(&decoder.flush()));
                out.extend(chunker.flush());
            }
        })
    }
}

/// A blocking iterator over a response body line by line; see [`Response::iter_lines`].
pub struct LinesIter<'a> {
    text: Refill<TextIter<'a>>,
    decoder: LineDecoder,
}

impl Iterator for LinesIter<'_> {
    type Item = Result<String>;

    fn next(&mut self) -> Option<Result<String>> {
        let decoder = &mut self.decoder;
        self.text.next_with(|text, out| match text {
            Some(text) => out.extend(decoder.decode(&text)),
            None => out.extend(decoder.flush()),
        })
    }
}

/// What [`TextIter`] and [`LinesIter`] share: the pieces decoded from an inner
/// iterator's items, handed out one by one; the inner iterator's first error ends it.
struct Refill<I> {
    inner: I,
    pending: VecDeque<String>,
    done: bool,
}

impl<I: Iterator<Item = Result<T>>, T> Refill<I> {
    fn new(inner: I) -> Refill<I> {
        Refill {
            inner,
            pending: VecDeque::new(),
            done: false,
        }
    }

    /// The next piece; `decode` turns an item into pieces, and is called with `None`
    /// once at the end for what its decoders still hold.
    fn next_with(
        &mut self,
        mut decode: impl FnMut(Option<T>, &mut VecDeque<String>),
    ) -> Option<Result<String>> {
        loop {
            if let Some(piece) = self.pending.pop_front() {
                return Some(Ok(piece));
            }
            if self.done {
                return None;
            }
            match self.inner.next() {
                Some(Ok(item)) => decode(Some(item), &mut self.pending),
                Some(Err(e)) => {
                    self.done = true;
                    return Some(Err(e));
                }
                None => {
                    self.done = true;
                    decode(None, &mut self.pending);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn streaming(chunks: Vec<&'static str>) -> Response {
        Response::builder(200)
            .stream(chunks.into_iter().map(Ok::<_, Error>))
            .build()
            .unwrap()
    }

    #[test]
    fn a_body_of_one_chunk_is_read_without_a_copy() {
        let chunk = Bytes::from(vec![7u8; 1000]);
        let at = chunk.as_ptr();
        let mut r = Response::builder(200)
            .stream([Ok::<_, Error>(chunk)])
            .build()
            .unwrap();
        assert_eq!(r.read().unwrap().as_ptr(), at);
    }

    #[test]
    fn reading_reserves_an_unencoded_content_length() {
        let sized = |headers: &[(&str, &str)]| {
            let mut r = Response::new(200);
            for (name, value) in headers {
                r.headers_mut().insert(name, *value).unwrap();
            }
            r.size_hint()
        };
        assert_eq!(sized(&[("content-length", "1000")]), 1000);
        assert_eq!(
            sized(&[("content-length", "1000"), ("content-encoding", "identity")]),
            1000
        );
        assert_eq!(
            sized(&[("content-length", "1000"), ("content-encoding", "gzip")]),
            0
        );
        assert_eq!(sized(&[("content-length", "99999999999")]), MAX_SIZE_HINT);
        assert_eq!(sized(&[("content-length", "-1")]), 0);
        assert_eq!(sized(&[]), 0);
        let mut r = streaming(vec!["ab", "", "cd", "e"]);
        r.headers_mut().insert("content-length", "5").unwrap();
        assert_eq!(r.read().unwrap().as_ref(), b"abcde");
    }

    #[test]
    fn streaming_rules() {
        let mut r = streaming(vec!["a", "b"]);
        assert_eq!(
            r.headers().get("transfer-encoding").as_deref(),
            Some("chunked")
        );
        assert_eq!(r.content().unwrap_err().kind(), ErrorKind::ResponseNotRead);
        let chunks: Vec<_> = r.iter_bytes().map(|c| c.unwrap()).collect();
        assert_eq!(chunks, vec![Bytes::from("a"), Bytes::from("b")]);
        assert!(r.is_closed() && r.is_stream_consumed());
        assert_eq!(r.num_bytes_downloaded(), 2);
        assert_eq!(r.read().unwrap_err().kind(), ErrorKind::StreamConsumed);
        let mut r = streaming(vec!["a"]);
        r.close();
        assert_eq!(r.read().unwrap_err().kind(), ErrorKind::StreamClosed);
    }

    #[test]
    fn read_then_iterate_content() {
        let mut r = streaming(vec!["ab", "cd"]);
        assert_eq!(r.read().unwrap().as_ref(), b"abcd");
        let chunks: Vec<_> = r.iter_bytes_chunked(Some(3)).map(|c| c.unwrap()).collect();
        assert_eq!(chunks, vec![Bytes::from("abc"), Bytes::from("d")]);
        assert_eq!(
            r.iter_raw().next().unwrap().unwrap_err().kind(),
            ErrorKind::StreamConsumed
        );
    }

    #[test]
    fn lines_and_text() {
        let mut r = streaming(vec!["a\nb", "\r", "\nc"]);
        let lines: Vec<_> = r.iter_lines().map(|l| l.unwrap()).collect();
        assert_eq!(lines, vec!["a", "b", "c"]);
        let mut r = Response::builder(200)
            .stream(vec![Ok::<_, Error>(&b"\xc3"[..]), Ok(&b"\xa9"[..])])
            .build()
            .unwrap();
        let text: String = r.iter_text().map(|t| t.unwrap()).collect();
        assert_eq!(text, "é");
    }

    #[test]
    fn async_stream_is_not_read_synchronously() {
        let mut r = Response::builder(200)
            .async_stream(futures_util::stream::iter(vec![Ok::<_, Error>("x")]))
            .build()
            .unwrap();
        assert_eq!(r.read().unwrap_err().kind(), ErrorKind::InvalidState);
        // The failed sync attempt did not consume the stream.
        assert!(!r.is_stream_consumed());
    }
}
