//! gzip (RFC 1952): every member of the body, each a header, a raw deflate stream and
//! a CRC32/ISIZE trailer, decoded around a raw `flate2` inflater.

use super::{inflate_into, Input};

/// gzip: members of a gzip header, a raw deflate stream and a CRC32/ISIZE trailer.
///
/// The header is parsed here around a raw `flate2::Decompress` rather than with
/// `flate2::write::MultiGzDecoder` so that the output of each step is bounded by
/// our buffer, every member is decoded, and bytes after a member that are not
/// another member are ignored as httpx ignores them (MultiGzDecoder would fail).
///
/// Truncation, checked against httpx 0.28.1 (zlib `decompressobj(MAX_WBITS | 16)`):
/// a body cut anywhere (in the header, the deflate data or the trailer) is not an
/// error; httpx returns what it decoded. So does this decoder.
pub(super) struct GzipDecoder {
    /// Where in the member we are.
    state: GzState,
    /// Raw inflater for the member bodies, reset between members.
    inflate: flate2::Decompress,
    /// CRC32 and length of the member's output, for the trailer check.
    crc: flate2::Crc,
    /// See [`inflate_into`].
    more_output: bool,
}

/// The parts of a gzip member.
enum GzState {
    /// Parsing a member header.
    Header(GzHeader),
    /// Inflating the member's deflate stream.
    Body,
    /// Reading the 8-byte trailer.
    Trailer { buf: [u8; 8], len: usize },
    /// After a member: the gzip magic starts another one.
    NextMember,
    /// After the last member: the rest of the body is ignored, as httpx ignores it.
    Ignore,
}

impl GzipDecoder {
    /// A decoder expecting the first member's header.
    pub(super) fn new() -> GzipDecoder {
        GzipDecoder {
            state: GzState::Header(GzHeader::new()),
            inflate: flate2::Decompress::new(false),
            crc: flate2::Crc::new(),
            more_output: false,
        }
    }

    /// See [`Codec::decode`](super::Codec::decode); truncation is not an error.
    pub(super) fn decode(&mut self, input: &mut Input, out: &mut [u8]) -> Result<usize, String> {
        let mut produced = 0;
        loop {
            match &mut self.state {
                GzState::Header(header) => {
                    let Some(byte) = input.next_byte() else {
                        return Ok(produced);
                    };
                    if header.feed(byte)? {
                        self.state = GzState::Body;
                    }
                }
                GzState::Body => {
                    let crc = &mut self.crc;
                    let end = inflate_into(
                        &mut self.inflate,
                        input,
                        out,
                        &mut produced,
                        &mut self.more_output,
                        |data| crc.update(data),
                    )?;
                    if !end {
                        return Ok(produced);
                    }
                    self.state = GzState::Trailer {
                        buf: [0; 8],
                        len: 0,
                    };
                }
                GzState::Trailer { buf, len } => {
                    while *len < 8 {
                        let Some(byte) = input.next_byte() else {
                            return Ok(produced);
                        };
                        buf[*len] = byte;
                        *len += 1;
                    }
                    let crc = u32::from_le_bytes([buf[0], buf[1], buf[2], buf[3]]);
                    let size = u32::from_le_bytes([buf[4], buf[5], buf[6], buf[7]]);
                    if crc != self.crc.sum() {
                        return Err("incorrect data check".into());
                    }
                    if size != self.crc.amount() {
                        return Err("incorrect length check".into());
                    }
                    self.state = GzState::NextMember;
                }
                GzState::NextMember => {
                    let mut magic = [0u8; 2];
                    let n = input.peek(&mut magic);
                    if (n >= 1 && magic[0] != 0x1f) || (n == 2 && magic[1] != 0x8b) {
                        self.state = GzState::Ignore;
                    } else if n == 2 {
                        self.inflate.reset(false);
                        self.crc.reset();
                        self.state = GzState::Header(GzHeader::new());
                    } else {
                        return Ok(produced);
                    }
                }
                GzState::Ignore => {
                    input.clear();
                    return Ok(produced);
                }
            }
        }
    }
}

/// Incremental parser of one gzip member header (RFC 1952 section 2.3), fed byte by
/// byte so a header split across chunks parses the same. Messages are zlib's.
struct GzHeader {
    /// The field being read.
    step: GzStep,
    /// Bytes of the current step seen so far.
    count: usize,
    /// FLG: which optional fields follow.
    flags: u8,
    /// FEXTRA length, read little-endian.
    extra_len: usize,
    /// CRC32 of the header bytes, for FHCRC.
    crc: flate2::Crc,
    /// The FHCRC field, read little-endian.
    stored_crc: u16,
}

/// The fields of a gzip header, in their order (the derived order is used).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum GzStep {
    /// ID1 ID2 CM FLG MTIME XFL OS: 10 bytes.
    Fixed,
    /// XLEN, with FEXTRA.
    ExtraLen,
    /// The XLEN bytes of extra field.
    Extra,
    /// The zero-terminated file name, with FNAME.
    Name,
    /// The zero-terminated comment, with FCOMMENT.
    Comment,
    /// CRC16 of the header, with FHCRC.
    HeaderCrc,
    /// The header is complete.
    Done,
}

impl GzHeader {
    /// FLG bit: a header CRC16 follows.
    const FHCRC: u8 = 0x02;
    /// FLG bit: an extra field follows.
    const FEXTRA: u8 = 0x04;
    /// FLG bit: a file name follows.
    const FNAME: u8 = 0x08;
    /// FLG bit: a comment follows.
    const FCOMMENT: u8 = 0x10;

    /// A parser at the start of a header.
    pub(super) fn new() -> GzHeader {
        GzHeader {
            step: GzStep::Fixed,
            count: 0,
            flags: 0,
            extra_len: 0,
            crc: flate2::Crc::new(),
            stored_crc: 0,
        }
    }

    /// The step after `step`, skipping the optional fields the flags do not announce.
    fn next_step(&self, step: GzStep) -> GzStep {
        let wanted = |s: GzStep| match s {
            GzStep::ExtraLen => self.flags & Self::FEXTRA != 0,
            GzStep::Extra => self.extra_len > 0,
            GzStep::Name => self.flags & Self::FNAME != 0,
            GzStep::Comment => self.flags & Self::FCOMMENT != 0,
            GzStep::HeaderCrc => self.flags & Self::FHCRC != 0,
            GzStep::Fixed | GzStep::Done => true,
        };
        [
            GzStep::ExtraLen,
            GzStep::Extra,
            GzStep::Name,
            GzStep::Comment,
            GzStep::HeaderCrc,
        ]
        .into_iter()
        .find(|&s| s > step && wanted(s))
        .unwrap_or(GzStep::Done)
    }

    /// Takes one header byte; returns `true` once the header is complete.
    fn feed(&mut self, byte: u8) -> Result<bool, String> {
        if self.step != GzStep::HeaderCrc {
            self.crc.update(&[byte]);
        }
        let count = self.count;
        self.count += 1;
        let step_done = match self.step {
            GzStep::Fixed => {
                match count {
                    0 if byte != 0x1f => return Err("incorrect header check".into()),
                    1 if byte != 0x8b => return Err("incorrect header check".into()),
                    2 if byte != 8 => return Err("unknown compression method".into()),
                    3 if byte & 0xe0 != 0 => return Err("unknown header flags set".into()),
                    3 => self.flags = byte,
                    _ => {}
                }
                self.count == 10
            }
            GzStep::ExtraLen => {
                self.extra_len |= usize::from(byte) << (8 * count);
                self.count == 2
            }
            GzStep::Extra => self.count == self.extra_len,
            GzStep::Name | GzStep::Comment => byte == 0,
            GzStep::HeaderCrc => {
                self.stored_crc |= u16::from(byte) << (8 * count);
                if self.count == 2 {
                    if u32::from(self.stored_crc) != self.crc.sum() & 0xffff {
                        return Err("header crc mismatch".into());
                    }
                    true
                } else {
                    false
                }
            }
            GzStep::Done => true,
        };
        if step_done {
            self.step = self.next_step(self.step);
            self.count = 0;
        }
        Ok(self.step == GzStep::Done)
    }
}

#[cfg(test)]
mod tests {
    use crate::decoders::tests::{
        assert_decoding_error, decode_bytewise, decode_one, gzip, sample,
    };

    #[test]
    fn test_gzip() {
        assert_eq!(decode_one("gzip", &gzip(b"test 123")).unwrap(), b"test 123");
    }

    #[test]
    fn x_gzip_is_gzip() {
        assert_eq!(
            decode_one("x-gzip", &gzip(b"test 123")).unwrap(),
            b"test 123"
        );
    }

    #[test]
    fn gzip_multi_member_decodes_every_member() {
        let mut body = gzip(b"foo");
        body.extend_from_slice(&gzip(b"bar"));
        body.extend_from_slice(&gzip(b""));
        body.extend_from_slice(&gzip(b"baz"));
        assert_eq!(decode_one("gzip", &body).unwrap(), b"foobarbaz");
        assert_eq!(decode_bytewise("gzip", &body).unwrap(), b"foobarbaz");
    }

    /// httpx ignores whatever follows the gzip stream (zlib's `unused_data`).
    #[test]
    fn gzip_trailing_garbage_is_ignored() {
        for tail in [&b"garbage"[..], b"\x1f", b"\x1f\x00junk", b"\0\0\0\0"] {
            let mut body = gzip(b"foo");
            body.extend_from_slice(tail);
            assert_eq!(decode_one("gzip", &body).unwrap(), b"foo");
            assert_eq!(decode_bytewise("gzip", &body).unwrap(), b"foo");
        }
        // But a second member that is corrupt is an error.
        let mut body = gzip(b"foo");
        body.extend_from_slice(b"\x1f\x8b\x09");
        assert_decoding_error(decode_one("gzip", &body), "gzip");
    }

    /// Truncation, as httpx 0.28.1 does it (checked by running it): a gzip body cut
    /// anywhere decodes to what was decoded so far, with no error; cut within the
    /// 8-byte trailer, that is the whole body.
    #[test]
    fn gzip_truncated_is_tolerated() {
        let data = sample(100_000);
        let body = gzip(&data);
        for cut in (0..body.len())
            .step_by(97)
            .chain(body.len() - 8..body.len())
        {
            let out = decode_one("gzip", &body[..cut]).unwrap();
            assert!(data.starts_with(&out), "cut at {cut}");
            if cut >= body.len() - 8 {
                assert_eq!(out, data, "cut at {cut}");
            }
        }
    }

    #[test]
    fn gzip_checks_crc_and_length() {
        // The trailer: CRC-32 in the 8th to 5th last bytes, the length in the last 4.
        for (from_end, message) in [(8, "incorrect data check"), (1, "incorrect length check")] {
            let mut body = gzip(b"foo");
            let n = body.len();
            body[n - from_end] ^= 1;
            let err = decode_one("gzip", &body).unwrap_err();
            assert!(err.message().contains(message), "{}", err.message());
        }
    }

    #[test]
    fn gzip_optional_header_fields() {
        use std::io::Write;
        let mut enc = flate2::GzBuilder::new()
            .filename("name.txt")
            .comment("a comment")
            .extra(vec![1, 2, 3, 4, 5])
            .mtime(12345)
            .write(Vec::new(), flate2::Compression::default());
        enc.write_all(b"with fields").unwrap();
        let body = enc.finish().unwrap();
        assert_eq!(decode_one("gzip", &body).unwrap(), b"with fields");
        assert_eq!(decode_bytewise("gzip", &body).unwrap(), b"with fields");

        // FHCRC: the low 16 bits of the CRC32 of the header before it.
        let mut header = b"\x1f\x8b\x08\x02\0\0\0\0\0\xff".to_vec();
        let mut crc = flate2::Crc::new();
        crc.update(&header);
        header.extend_from_slice(&(crc.sum() as u16).to_le_bytes());
        let plain = gzip(b"hcrc");
        let mut body = header.clone();
        body.extend_from_slice(&plain[10..]);
        assert_eq!(decode_bytewise("gzip", &body).unwrap(), b"hcrc");
        let mut bad = body.clone();
        bad[10] ^= 1;
        let err = decode_one("gzip", &bad).unwrap_err();
        assert!(
            err.message().contains("header crc mismatch"),
            "{}",
            err.message()
        );
    }
}
