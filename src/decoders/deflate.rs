//! deflate: zlib-wrapped (RFC 1950) or raw (RFC 1951), chosen from the first two
//! bytes.

use super::{inflate_into, Input};

/// deflate: zlib-wrapped (RFC 1950) as the spec says, or raw deflate (RFC 1951) as
/// some servers send.
///
/// httpx tries zlib on the first chunk and retries it as raw deflate when zlib
/// fails. Here the choice is made on the first two bytes (a valid zlib header or
/// not), so it does not depend on where the chunks are cut.
///
/// Truncation, checked against httpx 0.28.1: a body cut anywhere is not an error;
/// httpx returns what it decoded, and so does this decoder. Bytes after the end of
/// the stream are ignored, as zlib's `unused_data` is in httpx.
pub(super) struct DeflateDecoder {
    /// `None` until the first two bytes have chosen between zlib and raw.
    inflate: Option<flate2::Decompress>,
    /// The stream has ended; the rest is ignored.
    done: bool,
    /// See [`inflate_into`].
    more_output: bool,
}

impl DeflateDecoder {
    /// A decoder that has not seen the first two bytes yet.
    pub(super) fn new() -> DeflateDecoder {
        DeflateDecoder {
            inflate: None,
            done: false,
            more_output: false,
        }
    }

    /// Whether two bytes are a zlib header: deflate method, a window of at most
    /// 32 KiB, a valid check and no preset dictionary (which we could not supply).
    fn is_zlib_header(cmf: u8, flg: u8) -> bool {
        cmf & 0x0f == 8
            && cmf >> 4 <= 7
            && (u16::from(cmf) << 8 | u16::from(flg)) % 31 == 0
            && flg & 0x20 == 0
    }

    /// See [`Codec::decode`](super::Codec::decode); truncation is not an error.
    pub(super) fn decode(&mut self, input: &mut Input, out: &mut [u8]) -> Result<usize, String> {
        if self.done {
            input.clear();
            return Ok(0);
        }
        let inflate = match &mut self.inflate {
            Some(inflate) => inflate,
            None => {
                let mut head = [0u8; 2];
                if input.peek(&mut head) < 2 {
                    return Ok(0);
                }
                let zlib = Self::is_zlib_header(head[0], head[1]);
                self.inflate.insert(flate2::Decompress::new(zlib))
            }
        };
        let mut produced = 0;
        if inflate_into(
            inflate,
            input,
            out,
            &mut produced,
            &mut self.more_output,
            |_| {},
        )? {
            self.done = true;
            input.clear();
        }
        Ok(produced)
    }
}

#[cfg(test)]
mod tests {
    use crate::decoders::tests::{
        assert_decoding_error, decode_bytewise, decode_one, raw_deflate, sample, zlib,
    };

    #[test]
    fn test_deflate() {
        assert_eq!(
            decode_one("deflate", &raw_deflate(b"test 123")).unwrap(),
            b"test 123"
        );
    }

    #[test]
    fn test_zlib() {
        assert_eq!(
            decode_one("deflate", &zlib(b"test 123")).unwrap(),
            b"test 123"
        );
    }

    /// httpx: a truncated deflate body decodes to what was decoded so far.
    #[test]
    fn deflate_truncated_is_tolerated() {
        let data = sample(100_000);
        for body in [zlib(&data), raw_deflate(&data)] {
            for cut in (0..body.len()).step_by(89) {
                let out = decode_one("deflate", &body[..cut]).unwrap();
                assert!(data.starts_with(&out), "cut at {cut}");
            }
        }
        // One byte: not even a zlib header yet.
        assert_eq!(decode_one("deflate", b"x").unwrap(), b"");
    }

    #[test]
    fn deflate_trailing_garbage_is_ignored() {
        for mut body in [zlib(b"foo"), raw_deflate(b"foo")] {
            body.extend_from_slice(b"garbage");
            assert_eq!(decode_one("deflate", &body).unwrap(), b"foo");
            assert_eq!(decode_bytewise("deflate", &body).unwrap(), b"foo");
        }
    }

    #[test]
    fn deflate_checks_adler32() {
        let mut body = zlib(b"foo");
        let n = body.len();
        body[n - 1] ^= 1;
        assert_decoding_error(decode_one("deflate", &body), "deflate");
    }
}
