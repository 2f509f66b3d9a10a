//! Shared by the targets: the input chooses how a body is cut into chunks.
#![allow(dead_code)]

/// Splits an input into chunk lengths and a body. `data[0] % 16` is how many of the
/// following bytes are chunk lengths (each `byte + 1`, used in turn, cycling); the
/// rest is the body. With 0 the body is one chunk, so a raw test vector with a zero
/// byte in front is a seed.
pub fn split(data: &[u8]) -> (Vec<usize>, &[u8]) {
    let Some((&first, rest)) = data.split_first() else {
        return (Vec::new(), data);
    };
    let n = usize::from(first % 16).min(rest.len());
    let lens = rest[..n].iter().map(|&b| usize::from(b) + 1).collect();
    (lens, &rest[n..])
}

/// The body cut at the chosen lengths (one chunk when there are none).
pub fn chunks<'a>(lens: &[usize], body: &'a [u8]) -> Vec<&'a [u8]> {
    cut(lens, body.len(), |_| true)
        .into_iter()
        .map(|(start, end)| &body[start..end])
        .collect()
}

/// The same cut for text, moved forward to char boundaries (never an empty piece
/// unless the text is empty).
pub fn str_chunks<'a>(lens: &[usize], text: &'a str) -> Vec<&'a str> {
    cut(lens, text.len(), |at| text.is_char_boundary(at))
        .into_iter()
        .map(|(start, end)| &text[start..end])
        .collect()
}

/// The pieces (start, end) of `len` bytes cut at the chosen lengths, in turn, each end
/// moved forward to where `can_cut` allows.
fn cut(lens: &[usize], len: usize, can_cut: impl Fn(usize) -> bool) -> Vec<(usize, usize)> {
    if lens.is_empty() {
        return vec![(0, len)];
    }
    let mut pieces = Vec::new();
    let mut start = 0;
    for &piece in lens.iter().cycle() {
        if start == len {
            break;
        }
        let mut end = (start + piece).min(len);
        while !can_cut(end) {
            end += 1;
        }
        pieces.push((start, end));
        start = end;
    }
    pieces
}

/// The most decoded bytes a target looks at: past it, a body counts as a bomb and the
/// comparison is skipped (the decoders are bounded per piece, not per body).
pub const OUTPUT_CAP: usize = 8 << 20;

/// Decodes `chunks` through httpx's decoder chain, pulling after every chunk as the
/// response readers do. `Ok(None)`: the output passed [`OUTPUT_CAP`].
pub fn httpx_decode(codings: &[&str], chunks: &[&[u8]]) -> httpx::Result<Option<Vec<u8>>> {
    use httpx::__fuzz::{ContentDecoder, MAX_PIECE};
    let mut decoder = ContentDecoder::new(codings)?;
    let identity = decoder.is_identity();
    let mut out = Vec::new();
    let take = |piece: bytes::Bytes, out: &mut Vec<u8>| {
        assert!(!piece.is_empty(), "an empty piece");
        assert!(
            identity || piece.len() <= MAX_PIECE,
            "a piece over MAX_PIECE"
        );
        out.extend_from_slice(&piece);
        out.len() <= OUTPUT_CAP
    };
    for chunk in chunks {
        decoder.feed(chunk);
        while let Some(piece) = decoder.next_output(false)? {
            if !take(piece, &mut out) {
                return Ok(None);
            }
        }
    }
    while let Some(piece) = decoder.next_output(true)? {
        if !take(piece, &mut out) {
            return Ok(None);
        }
    }
    Ok(Some(out))
}
