//! zstd (ruzstd in httpx) against libzstd, the reference C implementation, with the
//! same 8 MiB window limit (RFC 9659): where libzstd decodes a body, httpx gives the
//! same bytes.
#![no_main]

use std::io::Read;

use libfuzzer_sys::fuzz_target;

mod common;

fn libzstd(body: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut decoder = zstd::stream::read::Decoder::with_buffer(body)?;
    decoder.window_log_max(23)?;
    let mut out = Vec::new();
    decoder
        .take(common::OUTPUT_CAP as u64 + 1)
        .read_to_end(&mut out)?;
    Ok(out)
}

fuzz_target!(|data: &[u8]| {
    let (lens, body) = common::split(data);
    let reference = libzstd(body);
    let ours = common::httpx_decode(&["zstd"], &common::chunks(&lens, body));
    match (&reference, &ours) {
        (Ok(r), _) if r.len() > common::OUTPUT_CAP => {}
        (Ok(r), Ok(Some(o))) => assert_eq!(o, r, "zstd output differs from libzstd"),
        (Ok(r), Err(e)) => panic!("libzstd decodes {} bytes, httpx fails: {e}", r.len()),
        _ => {}
    }
});
