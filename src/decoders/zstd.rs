//! zstd (RFC 8878), one block at a time through `ruzstd`'s frame decoder.

use super::Input;

/// zstd (RFC 8878), with `ruzstd::decoding::FrameDecoder`.
///
/// `decode_from_to` decodes every whole block in its source, so it is given exactly
/// one block at a time: the frame and block headers are read here, and a block
/// (at most 128 KiB) is buffered until complete. That bounds both the buffered
/// input and what one step decodes (one block). Skippable frames are skipped and
/// frames follow each other, as httpx (libzstd) handles them.
///
/// Truncation, as in httpx 0.28.1: a body that ends inside a frame is a
/// `DecodingError` ("Zstandard data is incomplete"); an empty body is not.
/// Bytes after a frame that are not another frame are an error, as in httpx.
/// Frames whose window is larger than [`ZstdDecoder::MAX_WINDOW`] (8 MiB) are
/// refused, as RFC 9659 allows and browsers do: the window is allocated up front,
/// so a 20-byte body could otherwise claim 128 MiB (ruzstd's and libzstd's default
/// limit, which httpx inherits).
pub(super) struct ZstdDecoder {
    /// ruzstd's decoder, reset for each frame.
    frame: ruzstd::decoding::FrameDecoder,
    /// Where in the body we are.
    state: ZstdState,
    /// The header or block being gathered.
    pending: Vec<u8>,
    /// Whether the current frame ends with a content checksum.
    checksum: bool,
}

/// The steps of reading zstd frames.
#[derive(Clone, Copy)]
enum ZstdState {
    /// Expecting a frame's magic number, or the end of the body.
    FrameStart,
    /// Gathering a frame header.
    FrameHeader,
    /// Skipping the rest of a skippable frame.
    Skip(u64),
    /// Gathering a block header.
    BlockHeader,
    /// Gathering a whole block of `len` bytes (with the checksum after the last).
    Block { len: usize, last: bool },
    /// Handing out the decoded block.
    Drain { last: bool },
}

impl ZstdDecoder {
    /// A zstd frame's magic number.
    const MAGIC: u32 = 0xFD2F_B528;
    /// Block_Maximum_Size: no block holds more than this, compressed or not.
    const MAX_BLOCK: usize = 128 * 1024;
    /// The largest window accepted: RFC 9659 has encoders stay within 8 MiB.
    const MAX_WINDOW: u64 = 8 << 20;

    /// A decoder expecting the first frame.
    pub(super) fn new() -> ZstdDecoder {
        let mut frame = ruzstd::decoding::FrameDecoder::new();
        frame.set_max_window_size(Self::MAX_WINDOW);
        ZstdDecoder {
            frame,
            state: ZstdState::FrameStart,
            pending: Vec::new(),
            checksum: false,
        }
    }

    /// Not enough input for the current step: wait, or fail at the end of the body.
    fn short(&self, eof: bool) -> Result<usize, String> {
        let clean = matches!(self.state, ZstdState::FrameStart) && self.pending.is_empty();
        if eof && !clean {
            return Err("Zstandard data is incomplete".into());
        }
        Ok(0)
    }

    /// See [`Codec::decode`](super::Codec::decode); with `eof`, a partial frame is an error.
    pub(super) fn decode(
        &mut self,
        input: &mut Input,
        out: &mut [u8],
        eof: bool,
    ) -> Result<usize, String> {
        loop {
            match self.state {
                ZstdState::Drain { last } => {
                    let (_, written) = self
                        .frame
                        .decode_from_to(&[], out)
                        .map_err(|e| e.to_string())?;
                    if written > 0 {
                        return Ok(written);
                    }
                    if last {
                        self.verify_checksum()?;
                        self.state = ZstdState::FrameStart;
                    } else {
                        self.state = ZstdState::BlockHeader;
                    }
                }
                ZstdState::FrameStart => {
                    if !input.fill(&mut self.pending, 4) {
                        return self.short(eof);
                    }
                    let p = &self.pending;
                    let magic = u32::from_le_bytes([p[0], p[1], p[2], p[3]]);
                    if magic == Self::MAGIC {
                        self.state = ZstdState::FrameHeader;
                    } else if magic & 0xFFFF_FFF0 == 0x184D_2A50 {
                        if !input.fill(&mut self.pending, 8) {
                            return self.short(eof);
                        }
                        let p = &self.pending;
                        let len = u32::from_le_bytes([p[4], p[5], p[6], p[7]]);
                        self.pending.clear();
                        self.state = ZstdState::Skip(u64::from(len));
                    } else {
                        return Err("unknown frame descriptor (not zstd data)".into());
                    }
                }
                ZstdState::FrameHeader => {
                    if !input.fill(&mut self.pending, 5) {
                        return self.short(eof);
                    }
                    let descriptor = self.pending[4];
                    let single_segment = descriptor & 0x20 != 0;
                    let window = if single_segment { 0 } else { 1 };
                    let dict_id = [0, 1, 2, 4][usize::from(descriptor & 3)];
                    let content_size = match descriptor >> 6 {
                        0 if single_segment => 1,
                        0 => 0,
                        1 => 2,
                        2 => 4,
                        _ => 8,
                    };
                    let len = 5 + window + dict_id + content_size;
                    if !input.fill(&mut self.pending, len) {
                        return self.short(eof);
                    }
                    self.checksum = descriptor & 0x04 != 0;
                    self.frame
                        .reset(&self.pending[..])
                        .map_err(|e| e.to_string())?;
                    self.pending.clear();
                    self.state = ZstdState::BlockHeader;
                }
                ZstdState::Skip(remaining) => {
                    let left = remaining - input.discard(remaining);
                    if left > 0 {
                        self.state = ZstdState::Skip(left);
                        return self.short(eof);
                    }
                    self.state = ZstdState::FrameStart;
                }
                ZstdState::BlockHeader => {
                    if !input.fill(&mut self.pending, 3) {
                        return self.short(eof);
                    }
                    let p = &self.pending;
                    let header = u32::from(p[0]) | u32::from(p[1]) << 8 | u32::from(p[2]) << 16;
                    let last = header & 1 != 0;
                    let size = (header >> 3) as usize;
                    let body = match (header >> 1) & 3 {
                        0 | 2 if size > Self::MAX_BLOCK => {
                            return Err(format!("block size {size} is too large"))
                        }
                        0 | 2 => size,
                        1 => 1,
                        _ => return Err("reserved block type".into()),
                    };
                    let checksum = if last && self.checksum { 4 } else { 0 };
                    self.state = ZstdState::Block {
                        len: 3 + body + checksum,
                        last,
                    };
                }
                ZstdState::Block { len, last } => {
                    if !input.fill(&mut self.pending, len) {
                        return self.short(eof);
                    }
                    let (read, written) = self
                        .frame
                        .decode_from_to(&self.pending[..], out)
                        .map_err(|e| e.to_string())?;
                    if read != len {
                        return Err("corrupt block".into());
                    }
                    self.pending.clear();
                    self.state = ZstdState::Drain { last };
                    if written > 0 {
                        return Ok(written);
                    }
                }
            }
        }
    }

    /// Compares the frame's content checksum with the decoded data, as libzstd does.
    fn verify_checksum(&self) -> Result<(), String> {
        if !self.checksum {
            return Ok(());
        }
        match (
            self.frame.get_checksum_from_data(),
            self.frame.get_calculated_checksum(),
        ) {
            (Some(stored), Some(computed)) if stored != computed => {
                Err("content checksum mismatch".into())
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::decoders::tests::{
        assert_decoding_error, decode_bytewise, decode_chunks, decode_one, sample, zstd,
    };

    #[test]
    fn test_zstd() {
        assert_eq!(decode_one("zstd", &zstd(b"test 123")).unwrap(), b"test 123");
    }

    #[test]
    fn test_zstd_decoding_error() {
        assert_decoding_error(
            decode_one("zstd", b"this_is_not_zstd_compressed_data"),
            "zstd",
        );
    }

    #[test]
    fn test_zstd_empty() {
        assert_eq!(decode_one("zstd", b"").unwrap(), b"");
    }

    #[test]
    fn test_zstd_truncated() {
        let body = zstd(b"test 123");
        assert_decoding_error(decode_one("zstd", &body[1..3]), "zstd");
        // Cut anywhere inside the frame: incomplete, as in httpx.
        for cut in 1..body.len() {
            let err = decode_one("zstd", &body[..cut]).unwrap_err();
            assert!(
                err.message().contains("incomplete"),
                "{cut}: {}",
                err.message()
            );
        }
    }

    #[test]
    fn test_zstd_multiframe() {
        let mut data = zstd(b"foo");
        // A skippable frame, which must be ignored.
        data.extend_from_slice(b"\x50\x2A\x4D\x18\x07\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00");
        data.extend_from_slice(&zstd(b"bar"));
        assert_eq!(decode_one("zstd", &data).unwrap(), b"foobar");
        assert_eq!(decode_bytewise("zstd", &data).unwrap(), b"foobar");
    }

    #[test]
    fn zstd_trailing_garbage_is_an_error() {
        let mut body = zstd(b"foo");
        body.extend_from_slice(b"garbage");
        assert_decoding_error(decode_one("zstd", &body), "zstd");
    }

    #[test]
    fn zstd_checks_the_content_checksum() {
        let data = sample(1000);
        let body = zstd(&data);
        let descriptor = body[4];
        assert!(descriptor & 4 != 0, "the encoder writes a checksum");
        let mut bad = body.clone();
        let n = bad.len();
        bad[n - 1] ^= 1;
        let err = decode_one("zstd", &bad).unwrap_err();
        assert!(err.message().contains("checksum"), "{}", err.message());
        // Frames one after another, with checksums.
        let mut two = body.clone();
        two.extend_from_slice(&body);
        assert_eq!(
            decode_one("zstd", &two).unwrap(),
            [&data[..], &data[..]].concat()
        );
    }

    #[test]
    fn zstd_refuses_oversized_blocks_without_buffering_them() {
        // A frame header, then a raw block claiming 1 MiB.
        let mut body = b"\x28\xb5\x2f\xfd\x00\x50".to_vec();
        let header: u32 = (1 << 20) << 3;
        body.extend_from_slice(&header.to_le_bytes()[..3]);
        assert_decoding_error(decode_chunks(&["zstd"], &[&body]), "zstd");
    }
}
