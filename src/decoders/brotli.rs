//! br (RFC 7932), with `brotli_decompressor`'s streaming call.

use super::Input;

/// br, with `brotli_decompressor`'s low-level streaming call.
///
/// Truncation, checked against httpx 0.28.1 with the `brotli` 1.2 package (whose
/// decompressor has no `finish()`): a body cut before the end of the stream is not
/// an error, httpx returns what it decoded; so does this decoder. (With
/// `brotlicffi` httpx would raise; we follow the default install.) One consequence:
/// `b"test 123"` is a valid start of a brotli stream and decodes to nothing, while
/// `b"invalid"` is an error, in httpx and here. Bytes after the end of the stream
/// are an error ("brotli: decoder failed" in httpx).
pub(super) struct BrotliDecoder {
    /// The decoder state (boxed: it is large).
    state: Box<BrotliState>,
    /// The stream has ended; more input is an error.
    finished: bool,
}

/// brotli_decompressor's state with the std allocator.
type BrotliState = brotli_decompressor::BrotliState<
    brotli_decompressor::StandardAlloc,
    brotli_decompressor::StandardAlloc,
    brotli_decompressor::StandardAlloc,
>;

impl BrotliDecoder {
    /// A decoder at the start of a stream.
    pub(super) fn new() -> BrotliDecoder {
        use brotli_decompressor::StandardAlloc;
        let mut state = Box::new(BrotliState::new(
            StandardAlloc::default(),
            StandardAlloc::default(),
            StandardAlloc::default(),
        ));
        // The crate enables "large window" brotli (windows up to 1 GiB), which is not
        // RFC 7932 and which the C decoder behind httpx rejects by default. Standard
        // windows are at most 16 MiB.
        state.large_window = false;
        BrotliDecoder {
            state,
            finished: false,
        }
    }

    /// See [`Codec::decode`](super::Codec::decode); truncation is not an error.
    pub(super) fn decode(&mut self, input: &mut Input, out: &mut [u8]) -> Result<usize, String> {
        use brotli_decompressor::BrotliResult;
        let mut produced = 0;
        loop {
            if self.finished {
                if !input.is_empty() {
                    return Err("unexpected data after the end of the brotli stream".into());
                }
                return Ok(produced);
            }
            let chunk = input.front();
            let (mut available_in, mut input_offset) = (chunk.len(), 0);
            let mut available_out = out.len() - produced;
            let mut output_offset = produced;
            let mut total_out = 0;
            let result = brotli_decompressor::BrotliDecompressStream(
                &mut available_in,
                &mut input_offset,
                chunk,
                &mut available_out,
                &mut output_offset,
                out,
                &mut total_out,
                &mut self.state,
            );
            let progressed = input_offset > 0 || output_offset > produced;
            input.consume(input_offset);
            produced = output_offset;
            match result {
                BrotliResult::ResultSuccess => self.finished = true,
                BrotliResult::NeedsMoreInput if !input.is_empty() && progressed => {}
                BrotliResult::NeedsMoreInput | BrotliResult::NeedsMoreOutput => {
                    return Ok(produced)
                }
                BrotliResult::ResultFailure => {
                    return Err(format!("invalid brotli data ({:?})", self.state.error_code))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::decoders::tests::{
        assert_decoding_error, brotli, decode_bytewise, decode_chunks, decode_one, sample,
    };

    #[test]
    fn test_brotli() {
        let body = b"\x8b\x03\x80test 123\x03";
        assert_eq!(decode_one("br", body).unwrap(), b"test 123");
    }

    /// httpx (with the `brotli` package) returns b"" here: these bytes are a valid,
    /// truncated start of a brotli stream, and truncation is tolerated.
    #[test]
    fn test_brotli_test_123_is_a_truncated_stream() {
        assert_eq!(decode_one("br", b"test 123").unwrap(), b"");
    }

    /// httpx with the `brotli` package: truncation is tolerated (no `finish()`).
    #[test]
    fn brotli_truncated_is_tolerated() {
        let data = sample(100_000);
        let body = brotli(&data);
        for cut in (0..body.len()).step_by(31) {
            let out = decode_one("br", &body[..cut]).unwrap();
            assert!(data.starts_with(&out), "cut at {cut}");
        }
    }

    /// httpx: "brotli: decoder failed" for data after the end of the stream.
    #[test]
    fn brotli_trailing_data_is_an_error() {
        let mut body = brotli(b"foo");
        body.extend_from_slice(&brotli(b"bar"));
        assert_decoding_error(decode_one("br", &body), "br");
        let mut body = brotli(b"foo");
        body.push(0);
        assert_decoding_error(decode_bytewise("br", &body), "br");
    }

    /// fuzz/README.md, finding 3: a corrupt body that the C decoder refuses however it
    /// is fed. brotli-decompressor 5.0.3 refuses it in small pieces but, fed whole,
    /// stops for more input after 2 bytes. Ignored until fixed upstream; the chunked
    /// half passes today.
    #[test]
    #[ignore = "brotli-decompressor 5.0.3 misses this error when the body is fed whole"]
    fn a_corrupt_body_is_refused_fed_whole() {
        // The fuzz input's first 3 bytes chose the chain and the chunk length (2).
        let input = include_bytes!(
            "../../fuzz/regressions/decode_content/brotli-error-depends-on-chunking"
        );
        let pieces: Vec<&[u8]> = input[3..].chunks(2).collect();
        assert_decoding_error(decode_chunks(&["br"], &pieces), "br");
        assert_decoding_error(decode_one("br", &input[3..]), "br");
    }
}
