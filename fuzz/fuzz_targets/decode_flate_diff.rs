//! gzip and deflate (zlib and raw) against zune-inflate, an independent inflater:
//! where both decode a body, the bytes agree.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zune_inflate::{DeflateDecoder, DeflateOptions};

mod common;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let (lens, body) = common::split(rest);
    let options = DeflateOptions::default()
        .set_limit(common::OUTPUT_CAP)
        .set_size_hint(1 << 16);
    let mut zune = DeflateDecoder::new_with_options(body, options);
    let (coding, reference) = match pick % 3 {
        0 => ("gzip", zune.decode_gzip()),
        1 => ("deflate", zune.decode_zlib()),
        _ => {
            // httpx reads a body whose first two bytes are a zlib header as zlib.
            if body.len() >= 2
                && body[0] & 0x0f == 8
                && u16::from_be_bytes([body[0], body[1]]) % 31 == 0
            {
                return;
            }
            ("deflate", zune.decode_deflate())
        }
    };
    let ours = common::httpx_decode(&[coding], &common::chunks(&lens, body));
    if let (Ok(reference), Ok(Some(ours))) = (&reference, &ours) {
        if coding == "gzip" {
            // httpx decodes every member of a multi-member body; zune the first.
            assert!(
                ours.starts_with(reference),
                "gzip output differs from zune-inflate"
            );
        } else {
            assert_eq!(ours, reference, "deflate output differs from zune-inflate");
        }
    }
    if let (Ok(reference), Err(e)) = (&reference, &ours) {
        // zune-inflate does not check a gzip member's CRC-32 (or ISIZE); httpx does,
        // as Python's gzip module does (fuzz/regressions/decode_flate_diff/).
        let unchecked = coding == "gzip" && e.to_string().contains("check");
        // httpx decodes every gzip member, zune-inflate the first: a corrupt later
        // member (its header or its data) fails httpx alone, as it fails Python's gzip
        // module. A body with the gzip magic past the first header may have one.
        let later_member =
            coding == "gzip" && body.len() > 10 && body[10..].windows(2).any(|w| w == [0x1f, 0x8b]);
        if !unchecked && !later_member && reference.len() < common::OUTPUT_CAP {
            panic!(
                "zune-inflate decodes {} bytes, httpx fails: {e}",
                reference.len()
            );
        }
    }
});
