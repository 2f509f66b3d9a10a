//! Entry points for the fuzz targets in `fuzz/` (cargo-fuzz), compiled only with
//! `--cfg fuzzing`, which cargo-fuzz passes; nothing here is part of the API.
//!
//! The parsers the public API reaches only through a response body (the content
//! decoders, text decoding, line splitting) are crate-private; these thin wrappers
//! let a fuzz target drive each one directly, chunk by chunk. The other parsers
//! (URLs, headers, cookies, digest challenges, netrc, `Link`, multipart) are fuzzed
//! through the public API.

use bytes::Bytes;

use crate::decoders;
use crate::error::Result;

/// The Content-Encoding decoder chain of a response body (`decoders::ContentDecoder`).
#[derive(Debug)]
pub struct ContentDecoder(decoders::ContentDecoder);

impl ContentDecoder {
    /// The chain for these Content-Encoding header values.
    pub fn new(content_encoding_values: &[&str]) -> Result<ContentDecoder> {
        decoders::ContentDecoder::new(content_encoding_values).map(ContentDecoder)
    }

    /// Whether the chain decodes nothing.
    pub fn is_identity(&self) -> bool {
        self.0.is_identity()
    }

    /// Queues one raw chunk.
    pub fn feed(&mut self, raw: &[u8]) {
        self.0.feed(Bytes::copy_from_slice(raw));
    }

    /// The next decoded piece (at most [`MAX_PIECE`] bytes unless identity).
    pub fn next_output(&mut self, end_of_input: bool) -> Result<Option<Bytes>> {
        self.0.next_output(end_of_input)
    }
}

/// The most bytes one decoded piece holds.
pub const MAX_PIECE: usize = decoders::MAX_PIECE;

/// An incremental text decoder for a declared charset (`decoders::TextDecoder`).
#[derive(Debug)]
pub struct TextDecoder(decoders::TextDecoder);

impl TextDecoder {
    /// The decoder for a charset label, or `None` for a label that names none.
    pub fn for_label(label: &str) -> Option<TextDecoder> {
        decoders::Charset::for_label(label).map(|c| TextDecoder(c.new_decoder()))
    }

    /// Decodes the next chunk.
    pub fn decode(&mut self, bytes: &[u8]) -> String {
        self.0.decode(bytes)
    }

    /// Decodes what is held back and resets.
    pub fn flush(&mut self) -> String {
        self.0.flush()
    }
}

/// A whole body decoded with the charset of `label` (`None`: no such charset).
pub fn decode_text(label: &str, bytes: &[u8]) -> Option<String> {
    decoders::Charset::for_label(label).map(|c| c.decode(bytes))
}

/// `iter_lines`' incremental line splitter (`decoders::LineDecoder`).
#[derive(Debug, Default)]
pub struct LineDecoder(decoders::LineDecoder);

impl LineDecoder {
    /// A splitter with nothing buffered.
    pub fn new() -> LineDecoder {
        LineDecoder(decoders::LineDecoder::new())
    }

    /// The lines completed by `text`.
    pub fn decode(&mut self, text: &str) -> Vec<String> {
        self.0.decode(text)
    }

    /// The unterminated last line, if any.
    pub fn flush(&mut self) -> Vec<String> {
        self.0.flush()
    }
}
