//! Text decoding with a declared charset, streamed in chunks the input chooses: the
//! streamed text equals the whole body decoded at once.
#![no_main]

use httpx::__fuzz::{decode_text, TextDecoder};
use libfuzzer_sys::fuzz_target;

mod common;

const LABELS: &[&str] = &[
    "utf-8",
    "utf-16le",
    "utf-16be",
    "utf-16",
    "shift_jis",
    "euc-jp",
    "iso-2022-jp",
    "gb18030",
    "gbk",
    "big5",
    "euc-kr",
    "windows-1252",
    "latin-1",
    "iso-8859-2",
    "ascii",
    "koi8-r",
    "x-user-defined",
    "replacement",
    "UTF8",
    " utf-8 ",
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let label = LABELS[usize::from(pick) % LABELS.len()];
    let (lens, body) = common::split(rest);
    let Some(whole) = decode_text(label, body) else {
        return;
    };
    let mut decoder = TextDecoder::for_label(label).expect("decode_text knew the label");
    let mut streamed = String::new();
    for chunk in common::chunks(&lens, body) {
        streamed.push_str(&decoder.decode(chunk));
    }
    streamed.push_str(&decoder.flush());
    assert_eq!(
        streamed, whole,
        "streamed text differs from the whole body's ({label})"
    );
});
