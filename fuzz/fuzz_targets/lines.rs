//! `iter_lines`' splitter fed text in chunks the input chooses: the same lines as the
//! whole text, which are Python's `str.splitlines()`.
#![no_main]

use httpx::__fuzz::LineDecoder;
use libfuzzer_sys::fuzz_target;

mod common;

/// Python's `str.splitlines()`, written independently of the crate's.
fn splitlines(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                lines.push(std::mem::take(&mut line));
            }
            '\n' | '\x0b' | '\x0c' | '\x1c' | '\x1d' | '\x1e' | '\u{85}' | '\u{2028}'
            | '\u{2029}' => {
                lines.push(std::mem::take(&mut line));
            }
            c => line.push(c),
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

fuzz_target!(|data: &[u8]| {
    let (lens, body) = common::split(data);
    let text = String::from_utf8_lossy(body);
    let mut decoder = LineDecoder::new();
    let mut lines = Vec::new();
    for chunk in common::str_chunks(&lens, &text) {
        lines.extend(decoder.decode(chunk));
    }
    lines.extend(decoder.flush());
    assert_eq!(lines, splitlines(&text));
});
