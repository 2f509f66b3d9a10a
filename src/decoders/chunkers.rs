//! Re-chunking of decoded bytes and text into pieces of a fixed size (httpx's
//! `ByteChunker` and `TextChunker`).

use bytes::{Buf, Bytes, BytesMut};

/// Re-chunks text into pieces of exactly `chunk_size` characters (the last one
/// shorter), httpx's `TextChunker`; `None` passes text through.
///
/// A size of 0 is taken as 1 (httpx would fail with a Python `ValueError`).
#[derive(Debug)]
pub(crate) struct TextChunker {
    /// Characters per chunk; `None` passes through.
    chunk_size: Option<usize>,
    /// The incomplete next chunk.
    buffer: String,
    /// Characters in `buffer`, so sizes are counted in characters as Python does.
    chars: usize,
}

impl TextChunker {
    /// A chunker for `chunk_size` characters, or pass-through for `None`.
    pub(crate) fn new(chunk_size: Option<usize>) -> TextChunker {
        TextChunker {
            chunk_size: chunk_size.map(|n| n.max(1)),
            buffer: String::new(),
            chars: 0,
        }
    }

    /// The whole chunks completed by `content`.
    pub(crate) fn decode(&mut self, content: &str) -> Vec<String> {
        let Some(size) = self.chunk_size else {
            return if content.is_empty() {
                Vec::new()
            } else {
                vec![content.to_owned()]
            };
        };
        let mut chunks = Vec::new();
        for c in content.chars() {
            self.buffer.push(c);
            self.chars += 1;
            if self.chars == size {
                chunks.push(std::mem::take(&mut self.buffer));
                self.chars = 0;
            }
        }
        chunks
    }

    /// The shorter last chunk, if any.
    pub(crate) fn flush(&mut self) -> Vec<String> {
        self.chars = 0;
        if self.buffer.is_empty() {
            Vec::new()
        } else {
            vec![std::mem::take(&mut self.buffer)]
        }
    }
}

/// Re-chunks bytes into pieces of exactly `chunk_size` bytes (the last one
/// shorter), httpx's `ByteChunker`; `None` passes chunks through. Whole pieces are
/// sliced out of the input without copying when nothing is buffered.
///
/// A size of 0 is taken as 1 (httpx would fail with a Python `ValueError`).
#[derive(Debug)]
pub(crate) struct ByteChunker {
    /// Bytes per chunk; `None` passes through.
    chunk_size: Option<usize>,
    /// The incomplete next chunk.
    buffer: BytesMut,
}

impl ByteChunker {
    /// A chunker for `chunk_size` bytes, or pass-through for `None`.
    pub(crate) fn new(chunk_size: Option<usize>) -> ByteChunker {
        ByteChunker {
            chunk_size: chunk_size.map(|n| n.max(1)),
            buffer: BytesMut::new(),
        }
    }

    /// Appends to `out` the whole chunks completed by `content` (no allocation when
    /// passing through).
    pub(crate) fn decode_into(&mut self, mut content: Bytes, out: &mut impl Extend<Bytes>) {
        let Some(size) = self.chunk_size else {
            if !content.is_empty() {
                out.extend(std::iter::once(content));
            }
            return;
        };
        if !self.buffer.is_empty() {
            let take = (size - self.buffer.len()).min(content.len());
            self.buffer.extend_from_slice(&content[..take]);
            content.advance(take);
            if self.buffer.len() < size {
                return;
            }
            out.extend(std::iter::once(self.buffer.split().freeze()));
        }
        while content.len() >= size {
            out.extend(std::iter::once(content.split_to(size)));
        }
        self.buffer.extend_from_slice(&content);
    }

    /// Appends the shorter last chunk, if any, to `out`.
    pub(crate) fn flush_into(&mut self, out: &mut impl Extend<Bytes>) {
        if !self.buffer.is_empty() {
            out.extend(std::iter::once(self.buffer.split().freeze()));
        }
    }

    /// The whole chunks completed by `content`.
    #[cfg(test)]
    pub(crate) fn decode(&mut self, content: Bytes) -> Vec<Bytes> {
        let mut chunks = Vec::new();
        self.decode_into(content, &mut chunks);
        chunks
    }

    /// The shorter last chunk, if any.
    #[cfg(test)]
    pub(crate) fn flush(&mut self) -> Vec<Bytes> {
        let mut chunks = Vec::new();
        self.flush_into(&mut chunks);
        chunks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_chunker_counts_characters() {
        let mut c = TextChunker::new(Some(3));
        assert_eq!(c.decode("ab"), Vec::<String>::new());
        assert_eq!(c.decode("cdéfghi"), ["abc", "déf", "ghi"]);
        assert_eq!(c.decode("j"), Vec::<String>::new());
        assert_eq!(c.flush(), ["j"]);
        assert_eq!(c.flush(), Vec::<String>::new());
        let mut c = TextChunker::new(None);
        assert_eq!(c.decode("abc"), ["abc"]);
        assert_eq!(c.decode(""), Vec::<String>::new());
        assert_eq!(c.flush(), Vec::<String>::new());
        let mut c = TextChunker::new(Some(0));
        assert_eq!(c.decode("ab"), ["a", "b"]);
    }

    #[test]
    fn byte_chunker_rechunks_exactly() {
        let b = |s: &'static [u8]| Bytes::from_static(s);
        let mut c = ByteChunker::new(Some(4));
        assert_eq!(c.decode(b(b"ab")), Vec::<Bytes>::new());
        assert_eq!(c.decode(b(b"cdefghijk")), [b(b"abcd"), b(b"efgh")]);
        assert_eq!(c.decode(b(b"l")), [b(b"ijkl")]);
        assert_eq!(c.decode(b(b"mn")), Vec::<Bytes>::new());
        assert_eq!(c.flush(), [b(b"mn")]);
        assert_eq!(c.flush(), Vec::<Bytes>::new());
        let mut c = ByteChunker::new(None);
        assert_eq!(c.decode(b(b"abc")), [b(b"abc")]);
        assert_eq!(c.decode(b(b"")), Vec::<Bytes>::new());
        assert_eq!(c.flush(), Vec::<Bytes>::new());
        let mut c = ByteChunker::new(Some(0));
        assert_eq!(c.decode(b(b"ab")), [b(b"a"), b(b"b")]);
    }
}
