//! Content codings: gzip, deflate (zlib), raw deflate, brotli, zstd; and cached bombs.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use flate2::Compression;
use tokio::sync::OnceCell;

/// A content coding the server can produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Coding {
    Gzip,
    /// zlib-wrapped deflate, what `Content-Encoding: deflate` means.
    Deflate,
    /// Raw deflate sent as `Content-Encoding: deflate` (what some servers wrongly send).
    DeflateRaw,
    Br,
    Zstd,
    Identity,
}

impl Coding {
    /// Parses `gzip`, `x-gzip`, `deflate`, `deflate-raw`, `br`/`brotli`, `zstd`, `identity`.
    pub(crate) fn parse(s: &str) -> Option<Coding> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "gzip" | "x-gzip" => Coding::Gzip,
            "deflate" | "zlib" => Coding::Deflate,
            "deflate-raw" | "raw-deflate" => Coding::DeflateRaw,
            "br" | "brotli" => Coding::Br,
            "zstd" => Coding::Zstd,
            "identity" => Coding::Identity,
            _ => return None,
        })
    }

    /// The `Content-Encoding` token.
    pub(crate) fn token(self) -> &'static str {
        match self {
            Coding::Gzip => "gzip",
            Coding::Deflate | Coding::DeflateRaw => "deflate",
            Coding::Br => "br",
            Coding::Zstd => "zstd",
            Coding::Identity => "identity",
        }
    }

    /// Compresses everything `source` yields.
    pub(crate) fn encode_reader(self, mut source: impl Read, fast: bool) -> io::Result<Vec<u8>> {
        let level = if fast {
            Compression::fast()
        } else {
            Compression::default()
        };
        match self {
            Coding::Gzip => {
                let mut enc = flate2::write::GzEncoder::new(Vec::new(), level);
                io::copy(&mut source, &mut enc)?;
                enc.finish()
            }
            Coding::Deflate => {
                let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), level);
                io::copy(&mut source, &mut enc)?;
                enc.finish()
            }
            Coding::DeflateRaw => {
                let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), level);
                io::copy(&mut source, &mut enc)?;
                enc.finish()
            }
            Coding::Br => {
                let quality = if fast { 1 } else { 5 };
                let mut enc = brotli::CompressorWriter::new(Vec::new(), 64 * 1024, quality, 22);
                io::copy(&mut source, &mut enc)?;
                enc.flush()?;
                Ok(enc.into_inner())
            }
            Coding::Zstd => Ok(ruzstd::encoding::compress_to_vec(
                source,
                ruzstd::encoding::CompressionLevel::Fastest,
            )),
            Coding::Identity => {
                let mut out = Vec::new();
                source.read_to_end(&mut out)?;
                Ok(out)
            }
        }
    }

    /// Compresses `data`.
    pub(crate) fn encode(self, data: &[u8]) -> io::Result<Vec<u8>> {
        self.encode_reader(data, false)
    }
}

type BombCell = Arc<OnceCell<Bytes>>;

/// Decompression bombs, made once per (coding, MiB) and kept.
#[derive(Default)]
pub(crate) struct Bombs {
    cells: Mutex<HashMap<(Coding, u32), BombCell>>,
}

impl Bombs {
    /// `mib` MiB of zeros compressed with `coding` (computed on a blocking thread).
    pub(crate) async fn get(&self, coding: Coding, mib: u32) -> io::Result<Bytes> {
        let cell = {
            let mut cells = self.cells.lock().unwrap_or_else(|e| e.into_inner());
            cells.entry((coding, mib)).or_default().clone()
        };
        cell.get_or_try_init(|| async move {
            tokio::task::spawn_blocking(move || bomb(coding, mib).map(Bytes::from))
                .await
                .map_err(io::Error::other)?
        })
        .await
        .cloned()
    }
}

const MIB: usize = 1 << 20;

/// `mib` MiB of zeros in `coding`, built from a compressed 1 MiB unit repeated, so that
/// even a 2 GiB bomb takes milliseconds (also in unoptimised builds).
pub(crate) fn bomb(coding: Coding, mib: u32) -> io::Result<Vec<u8>> {
    let mib = mib.max(1) as usize;
    let len = (mib as u64) << 20;
    match coding {
        Coding::Gzip | Coding::Deflate | Coding::DeflateRaw => {
            let (unit, last) = deflate_unit()?;
            let mut out = Vec::with_capacity(unit.len() * mib + 32);
            match coding {
                Coding::Gzip => out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]),
                // CMF 0x78 (deflate, 32K window), FLG 0xDA (best compression, check bits).
                Coding::Deflate => out.extend_from_slice(&[0x78, 0xda]),
                _ => {}
            }
            for _ in 0..mib {
                out.extend_from_slice(&unit);
            }
            out.extend_from_slice(&last);
            match coding {
                Coding::Gzip => {
                    let mut one = flate2::Crc::new();
                    one.update(&vec![0u8; MIB]);
                    let mut crc = flate2::Crc::new();
                    for _ in 0..mib {
                        crc.combine(&one);
                    }
                    out.extend_from_slice(&crc.sum().to_le_bytes());
                    out.extend_from_slice(&(len as u32).to_le_bytes());
                }
                Coding::Deflate => {
                    // Adler-32 of zeros: a stays 1, b grows by 1 per byte.
                    let adler = (((len % 65521) as u32) << 16) | 1;
                    out.extend_from_slice(&adler.to_be_bytes());
                }
                _ => {}
            }
            Ok(out)
        }
        Coding::Zstd => Ok(zstd_zeros(len)),
        Coding::Br => brotli_zeros(mib),
        Coding::Identity => Ok(vec![0; mib * MIB]),
    }
}

/// Raw deflate of 1 MiB of zeros ending on a full flush (so it stands alone and can be
/// repeated), and the final empty block.
fn deflate_unit() -> io::Result<(Vec<u8>, Vec<u8>)> {
    use flate2::{Compress, FlushCompress};
    let zeros = vec![0u8; MIB];
    let mut c = Compress::new(Compression::best(), false);
    let mut unit = Vec::with_capacity(64 * 1024);
    while (c.total_in() as usize) < MIB {
        let at = c.total_in() as usize;
        if unit.len() == unit.capacity() {
            unit.reserve(64 * 1024);
        }
        c.compress_vec(&zeros[at..], &mut unit, FlushCompress::None)
            .map_err(io::Error::other)?;
    }
    // Flush until the compressor has nothing left to give.
    loop {
        unit.reserve(64 * 1024);
        let before = unit.len();
        c.compress_vec(&[], &mut unit, FlushCompress::Full)
            .map_err(io::Error::other)?;
        if unit.len() == before || unit.len() < unit.capacity() {
            break;
        }
    }
    let mut last = Vec::with_capacity(64);
    c.compress_vec(&[], &mut last, FlushCompress::Finish)
        .map_err(io::Error::other)?;
    Ok((unit, last))
}

/// A zstd frame of RLE blocks: 128 KiB of zeros per 4 bytes.
fn zstd_zeros(len: u64) -> Vec<u8> {
    const BLOCK: u64 = 128 * 1024;
    let blocks = len.div_ceil(BLOCK).max(1);
    let mut out = Vec::with_capacity(blocks as usize * 4 + 6);
    out.extend_from_slice(&[0x28, 0xb5, 0x2f, 0xfd]);
    // Frame header: no content size, no checksum; window 128 KiB (exponent 7).
    out.extend_from_slice(&[0x00, 7 << 3]);
    let mut left = len;
    for i in 0..blocks {
        let size = left.min(BLOCK);
        left -= size;
        let last = u32::from(i + 1 == blocks);
        let header = ((size as u32) << 3) | (1 << 1) | last;
        out.extend_from_slice(&header.to_le_bytes()[..3]);
        out.push(0);
    }
    out
}

/// Brotli of `mib` MiB of zeros: the encoder is flushed after each MiB; once in a steady
/// state its units are byte-identical, so the later ones are repeated instead of encoded.
fn brotli_zeros(mib: usize) -> io::Result<Vec<u8>> {
    const SAMPLE: usize = 4;
    let zeros = vec![0u8; MIB];
    let mut w = brotli::CompressorWriter::new(Vec::new(), 64 * 1024, 5, 22);
    let mut bounds = vec![0];
    for _ in 0..SAMPLE {
        w.write_all(&zeros)?;
        w.flush()?;
        bounds.push(w.get_ref().len());
    }
    let all = w.into_inner();
    let unit = |i: usize| &all[bounds[i]..bounds[i + 1]];
    if (2..SAMPLE).all(|i| unit(i) == unit(1)) {
        let mut out = Vec::with_capacity(all.len() + unit(1).len() * mib);
        out.extend_from_slice(unit(0));
        for _ in 1..mib {
            out.extend_from_slice(unit(1));
        }
        out.extend_from_slice(&all[bounds[SAMPLE]..]);
        return Ok(out);
    }
    Coding::Br.encode_reader(io::repeat(0).take((mib as u64) << 20), true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(coding: Coding, mut data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        match coding {
            Coding::Gzip => flate2::read::GzDecoder::new(data).read_to_end(&mut out),
            Coding::Deflate => flate2::read::ZlibDecoder::new(data).read_to_end(&mut out),
            Coding::DeflateRaw => flate2::read::DeflateDecoder::new(data).read_to_end(&mut out),
            Coding::Br => brotli::Decompressor::new(data, 4096).read_to_end(&mut out),
            Coding::Zstd => ruzstd::decoding::StreamingDecoder::new(data)
                .map_err(io::Error::other)
                .and_then(|mut d| d.read_to_end(&mut out)),
            Coding::Identity => data.read_to_end(&mut out),
        }
        .unwrap();
        out
    }

    #[test]
    fn bombs_decode_to_zeros() {
        for coding in [
            Coding::Gzip,
            Coding::Deflate,
            Coding::DeflateRaw,
            Coding::Br,
            Coding::Zstd,
        ] {
            for mib in [1, 3] {
                let data = bomb(coding, mib).unwrap();
                assert!(
                    data.len() < 8 * 1024 * mib as usize,
                    "{coding:?}: {}",
                    data.len()
                );
                let out = decode(coding, &data);
                assert_eq!(out.len(), (mib as usize) << 20, "{coding:?}");
                assert!(out.iter().all(|&b| b == 0));
            }
        }
    }

    #[test]
    fn encodings_round_trip() {
        let text = b"hello hello hello world".repeat(50);
        for coding in [
            Coding::Gzip,
            Coding::Deflate,
            Coding::DeflateRaw,
            Coding::Br,
            Coding::Zstd,
            Coding::Identity,
        ] {
            assert_eq!(decode(coding, &coding.encode(&text).unwrap()), text);
        }
    }
}
