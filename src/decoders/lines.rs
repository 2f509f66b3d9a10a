//! Line splitting: httpx's `LineDecoder`, with Python's `str.splitlines()`
//! boundaries.

/// Incremental line splitting with exactly httpx's `LineDecoder` semantics:
/// Python's `str.splitlines()` boundaries, lines without their terminators, and a
/// trailing `\r` held back in case the next chunk starts with `\n`.
#[derive(Debug, Default)]
pub(crate) struct LineDecoder {
    /// The unterminated start of the next line.
    buffer: String,
    /// Whether a partial line is buffered (it may be empty, after a held `\r`).
    buffered: bool,
    /// The last chunk ended with `\r`, which was held back.
    trailing_cr: bool,
}

/// Python's `str.splitlines()` line boundaries (`\r\n` counts as one).
fn is_line_boundary(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r'
            | '\x0b'
            | '\x0c'
            | '\x1c'
            | '\x1d'
            | '\x1e'
            | '\u{85}'
            | '\u{2028}'
            | '\u{2029}'
    )
}

/// Python's `str.splitlines()` (without `keepends`).
fn split_lines(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if is_line_boundary(c) {
            lines.push(text[start..i].to_owned());
            start = i + c.len_utf8();
            if c == '\r' && chars.peek().is_some_and(|&(_, next)| next == '\n') {
                chars.next();
                start += 1;
            }
        }
    }
    if start < text.len() {
        lines.push(text[start..].to_owned());
    }
    lines
}

impl LineDecoder {
    /// A decoder with nothing buffered.
    pub(crate) fn new() -> LineDecoder {
        LineDecoder::default()
    }

    /// The lines completed by `text`.
    pub(crate) fn decode(&mut self, text: &str) -> Vec<String> {
        // A trailing '\r' always waits for the next chunk.
        let mut owned;
        let mut text = text;
        if self.trailing_cr {
            owned = String::with_capacity(text.len() + 1);
            owned.push('\r');
            owned.push_str(text);
            self.trailing_cr = false;
            text = &owned;
        }
        if let Some(stripped) = text.strip_suffix('\r') {
            self.trailing_cr = true;
            owned = stripped.to_owned();
            text = &owned;
        }
        let Some(last) = text.chars().next_back() else {
            return Vec::new();
        };
        let trailing_newline = is_line_boundary(last);
        let mut lines = split_lines(text);
        if lines.len() == 1 && !trailing_newline {
            // No line ends here: keep buffering.
            self.buffer.push_str(&lines[0]);
            self.buffered = true;
            return Vec::new();
        }
        if self.buffered {
            if let Some(first) = lines.first_mut() {
                self.buffer.push_str(first);
                *first = std::mem::take(&mut self.buffer);
            }
            self.buffered = false;
        }
        if !trailing_newline {
            // The last piece has no terminator yet.
            if let Some(rest) = lines.pop() {
                self.buffer = rest;
                self.buffered = true;
            }
        }
        lines
    }

    /// The unterminated last line, if any.
    pub(crate) fn flush(&mut self) -> Vec<String> {
        if !self.buffered && !self.trailing_cr {
            return Vec::new();
        }
        self.buffered = false;
        self.trailing_cr = false;
        vec![std::mem::take(&mut self.buffer)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decoders::tests::iter_lines;

    /// httpx's test_line_decoder_nl, _cr and _crnl: the chunks fed in, the lines out.
    #[test]
    fn test_line_decoder_nl_cr_crnl() {
        let cases: &[(&[&[u8]], &[&str])] = &[
            (&[b""], &[]),
            (&[b"", b"a\n\nb\nc"], &["a", "", "b", "c"]),
            // httpx issue #1033
            (
                &[b"", b"12345\n", b"foo ", b"bar ", b"baz\n"],
                &["12345", "foo bar baz"],
            ),
            (&[b"", b"a\r\rb\rc"], &["a", "", "b", "c"]),
            (&[b"", b"a\r\rb\rc\r"], &["a", "", "b", "c"]),
            (
                &[b"", b"12345\r", b"foo ", b"bar ", b"baz\r"],
                &["12345", "foo bar baz"],
            ),
            (&[b"", b"a\r\n\r\nb\r\nc"], &["a", "", "b", "c"]),
            (&[b"", b"a\r\n\r\nb\r\nc\r\n"], &["a", "", "b", "c"]),
            (&[b"", b"a\r", b"\n\r\nb\r\nc"], &["a", "", "b", "c"]),
            (
                &[b"", b"12345\r\n", b"foo bar baz\r\n"],
                &["12345", "foo bar baz"],
            ),
        ];
        for (chunks, expected) in cases {
            assert_eq!(iter_lines(chunks), *expected, "{chunks:?}");
        }
    }

    /// Cases checked against httpx's LineDecoder in Python.
    #[test]
    fn line_decoder_edge_cases() {
        let run = |chunks: &[&str]| {
            let mut d = LineDecoder::new();
            let mut out = Vec::new();
            for c in chunks {
                out.extend(d.decode(c));
            }
            out.extend(d.flush());
            out
        };
        assert_eq!(run(&["a\n", "\r"]), ["a", ""]);
        assert_eq!(run(&["\r"]), [""]);
        assert_eq!(run(&["\r", "\r"]), ["", ""]);
        assert_eq!(run(&["a", "b", "\n"]), ["ab"]);
        assert_eq!(run(&["a", "b\nc", "d"]), ["ab", "cd"]);
        assert_eq!(
            run(&["x\x0by\x0cz\x1c1\x1d2\x1e3\u{85}4\u{2028}5\u{2029}"]),
            ["x", "y", "z", "1", "2", "3", "4", "5"]
        );
        assert_eq!(run(&["a\r", "b"]), ["a", "b"]);
        assert_eq!(split_lines(""), Vec::<String>::new());
        assert_eq!(split_lines("\n"), [""]);
        assert_eq!(split_lines("a\r\n\nb"), ["a", "", "b"]);
    }

    // proptest is a native dev-dependency.
    #[cfg(not(target_family = "wasm"))]
    mod props {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]

            #[test]
            fn line_decoder_matches_splitlines(
                pieces in proptest::collection::vec(
                    proptest::sample::select(vec!["a", "bc", "\n", "\r", "\r\n", "\x0b", "\u{85}", "\u{2028}", "é", ""]),
                    0..20,
                ),
                splits in proptest::collection::vec(any::<usize>(), 0..6),
            ) {
                let text: String = pieces.concat();
                let chars: Vec<char> = text.chars().collect();
                let mut cuts: Vec<usize> = splits.iter().map(|s| s % (chars.len() + 1)).collect();
                cuts.sort_unstable();
                let mut decoder = LineDecoder::new();
                let mut lines = Vec::new();
                let mut start = 0;
                for cut in cuts.into_iter().chain([chars.len()]) {
                    let chunk: String = chars[start..cut].iter().collect();
                    // httpx never hands the line decoder empty text.
                    if !chunk.is_empty() {
                        lines.extend(decoder.decode(&chunk));
                    }
                    start = cut;
                }
                lines.extend(decoder.flush());
                prop_assert_eq!(lines, split_lines(&text));
            }
        }
    }
}
