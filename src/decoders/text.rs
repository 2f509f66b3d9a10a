//! Text decoding: the response charset ([`Charset`]) and the incremental
//! bytes-to-text [`TextDecoder`].

#[cfg(feature = "charset")]
use super::MAX_PIECE;

/// A character encoding for response text.
///
/// With the `charset` feature this is any WHATWG encoding (encoding_rs); without
/// it, UTF-8 and ISO-8859-1 only, so the core stays small.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Charset {
    /// An encoding_rs encoding.
    #[cfg(feature = "charset")]
    Encoding(&'static encoding_rs::Encoding),
    /// UTF-8.
    #[cfg(not(feature = "charset"))]
    Utf8,
    /// ISO-8859-1: every byte is the code point of the same value.
    #[cfg(not(feature = "charset"))]
    Latin1,
}

/// The UTF-8 byte order mark.
#[cfg(not(feature = "charset"))]
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

impl Charset {
    /// UTF-8, httpx's default.
    #[cfg(feature = "charset")]
    pub(crate) const UTF_8: Charset = Charset::Encoding(&encoding_rs::UTF_8_INIT);
    /// UTF-8, httpx's default.
    #[cfg(not(feature = "charset"))]
    pub(crate) const UTF_8: Charset = Charset::Utf8;

    /// The charset for a label such as a Content-Type `charset` parameter;
    /// case-insensitive, surrounding whitespace ignored. `None` for unknown labels
    /// (httpx then falls back to its default encoding).
    ///
    /// With `charset`: the WHATWG labels, plus Python's spellings of them
    /// (`latin-1`, `shift-jis`, `utf_8`, `cp932`, ...) since httpx accepts those.
    /// The labels of WHATWG's "replacement" encoding are refused: it would turn the
    /// whole body into one U+FFFD.
    #[cfg(feature = "charset")]
    pub(crate) fn for_label(label: &str) -> Option<Charset> {
        use encoding_rs::Encoding;
        let label = label.trim().to_ascii_lowercase();
        if let Some(encoding) = Encoding::for_label_no_replacement(label.as_bytes()) {
            return Some(Charset::Encoding(encoding));
        }
        // Python normalises '-', '_' and ' ' alike.
        let dashed = label.replace(['_', ' '], "-");
        let aliased = match dashed.as_str() {
            "latin-1" | "latin" | "iso-8859-1" | "8859" | "cp819" => "windows-1252",
            "utf-8-sig" | "u8" | "utf" | "cp65001" => "utf-8",
            "utf-16-le" => "utf-16le",
            "utf-16-be" => "utf-16be",
            "shift-jis" | "cp932" | "ms-kanji" | "s-jis" => "shift_jis",
            "cp936" | "ms936" => "gbk",
            "cp949" | "uhc" => "euc-kr",
            "cp950" | "ms950" => "big5",
            "cp1125" | "cp866" => "ibm866",
            other => other,
        };
        let underscored = aliased.replace('-', "_");
        let found = [aliased, underscored.as_str()]
            .into_iter()
            .find_map(|l| Encoding::for_label_no_replacement(l.as_bytes()));
        found.map(Charset::Encoding)
    }

    /// The charset for a label: UTF-8, or ISO-8859-1 for its labels and ASCII's
    /// (without the `charset` feature, Latin-1 is the decoder that never fails on
    /// ASCII text). Case-insensitive, surrounding whitespace ignored.
    #[cfg(not(feature = "charset"))]
    pub(crate) fn for_label(label: &str) -> Option<Charset> {
        let label = label.trim().to_ascii_lowercase().replace(['_', ' '], "-");
        match label.as_str() {
            "utf-8" | "utf8" | "utf-8-sig" | "u8" | "utf" | "unicode-1-1-utf-8"
            | "unicode11utf8" | "unicode20utf8" | "x-unicode20utf8" | "cp65001" => {
                Some(Charset::Utf8)
            }
            "ascii" | "us-ascii" | "us" | "646" | "ansi-x3.4-1968" | "iso-ir-6" | "latin-1"
            | "latin1" | "latin" | "l1" | "iso-8859-1" | "iso8859-1" | "iso88591"
            | "iso-8859-1:1987" | "iso-ir-100" | "cp819" | "ibm819" | "csisolatin1" | "8859" => {
                Some(Charset::Latin1)
            }
            _ => None,
        }
    }

    /// The canonical lowercase name: "utf-8", "windows-1252", "shift_jis", ...
    pub(crate) fn name(self) -> &'static str {
        match self {
            #[cfg(feature = "charset")]
            Charset::Encoding(encoding) => lowercase_name(encoding.name()),
            #[cfg(not(feature = "charset"))]
            Charset::Utf8 => "utf-8",
            #[cfg(not(feature = "charset"))]
            Charset::Latin1 => "iso-8859-1",
        }
    }

    /// Decodes a whole body; invalid sequences become U+FFFD. A byte order mark
    /// overrides the charset and is removed (WHATWG's "decode"): UTF-8 and UTF-16
    /// BOMs with `charset`, the UTF-8 BOM without.
    pub(crate) fn decode(self, bytes: &[u8]) -> String {
        match self {
            #[cfg(feature = "charset")]
            Charset::Encoding(encoding) => encoding.decode(bytes).0.into_owned(),
            #[cfg(not(feature = "charset"))]
            _ if bytes.starts_with(UTF8_BOM) => String::from_utf8_lossy(&bytes[3..]).into_owned(),
            #[cfg(not(feature = "charset"))]
            Charset::Utf8 => String::from_utf8_lossy(bytes).into_owned(),
            #[cfg(not(feature = "charset"))]
            Charset::Latin1 => bytes.iter().map(|&b| char::from(b)).collect(),
        }
    }

    /// An incremental decoder for this charset, with the same BOM handling as
    /// [`decode`](Self::decode), so streamed text equals the whole text.
    pub(crate) fn new_decoder(self) -> TextDecoder {
        TextDecoder::new(self)
    }
}

/// encoding_rs's names are the WHATWG spellings ("UTF-8", "Shift_JIS"); httpx
/// reports lowercase codec names.
#[cfg(feature = "charset")]
fn lowercase_name(name: &'static str) -> &'static str {
    match name {
        "Big5" => "big5",
        "EUC-JP" => "euc-jp",
        "EUC-KR" => "euc-kr",
        "GBK" => "gbk",
        "IBM866" => "ibm866",
        "ISO-2022-JP" => "iso-2022-jp",
        "ISO-8859-2" => "iso-8859-2",
        "ISO-8859-3" => "iso-8859-3",
        "ISO-8859-4" => "iso-8859-4",
        "ISO-8859-5" => "iso-8859-5",
        "ISO-8859-6" => "iso-8859-6",
        "ISO-8859-7" => "iso-8859-7",
        "ISO-8859-8" => "iso-8859-8",
        "ISO-8859-8-I" => "iso-8859-8-i",
        "ISO-8859-10" => "iso-8859-10",
        "ISO-8859-13" => "iso-8859-13",
        "ISO-8859-14" => "iso-8859-14",
        "ISO-8859-15" => "iso-8859-15",
        "ISO-8859-16" => "iso-8859-16",
        "KOI8-R" => "koi8-r",
        "KOI8-U" => "koi8-u",
        "Shift_JIS" => "shift_jis",
        "UTF-16BE" => "utf-16be",
        "UTF-16LE" => "utf-16le",
        "UTF-8" => "utf-8",
        other => other,
    }
}

/// Incremental bytes-to-text decoding (httpx's `TextDecoder`): invalid sequences
/// become U+FFFD (httpx uses `errors="replace"`), and a character split across
/// chunks decodes whole.
pub(crate) struct TextDecoder {
    /// The charset it was made for, to reset it.
    charset: Charset,
    /// encoding_rs's streaming decoder.
    #[cfg(feature = "charset")]
    decoder: encoding_rs::Decoder,
    /// Bytes seen while a UTF-8 BOM is still possible.
    #[cfg(not(feature = "charset"))]
    sniff: Option<Vec<u8>>,
    /// A UTF-8 BOM was seen: decode as UTF-8 whatever `charset` says.
    #[cfg(not(feature = "charset"))]
    bom_utf8: bool,
    /// The incomplete UTF-8 sequence at the end of the last chunk.
    #[cfg(not(feature = "charset"))]
    pending: Vec<u8>,
}

impl std::fmt::Debug for TextDecoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextDecoder")
            .field("charset", &self.charset.name())
            .finish_non_exhaustive()
    }
}

impl TextDecoder {
    /// A decoder for `charset`.
    pub(crate) fn new(charset: Charset) -> TextDecoder {
        TextDecoder {
            charset,
            #[cfg(feature = "charset")]
            decoder: match charset {
                Charset::Encoding(encoding) => encoding.new_decoder(),
            },
            #[cfg(not(feature = "charset"))]
            sniff: Some(Vec::new()),
            #[cfg(not(feature = "charset"))]
            bom_utf8: false,
            #[cfg(not(feature = "charset"))]
            pending: Vec::new(),
        }
    }

    /// Decodes the next chunk; an incomplete character at its end is kept for the
    /// next call.
    pub(crate) fn decode(&mut self, bytes: &[u8]) -> String {
        self.run(bytes, false)
    }

    /// Decodes what is held back (an incomplete character becomes U+FFFD) and
    /// resets the decoder, as Python's `decode(b"", final=True)` does.
    pub(crate) fn flush(&mut self) -> String {
        let text = self.run(&[], true);
        *self = TextDecoder::new(self.charset);
        text
    }

    /// Decodes `bytes`; `last` ends the stream.
    #[cfg(feature = "charset")]
    fn run(&mut self, mut bytes: &[u8], last: bool) -> String {
        use encoding_rs::CoderResult;
        let mut text = String::new();
        loop {
            // Enough room for all of it when the length does not overflow; else
            // chunk by chunk.
            let room = self
                .decoder
                .max_utf8_buffer_length(bytes.len())
                .unwrap_or(MAX_PIECE)
                .max(16);
            text.reserve(room);
            let (result, read, _) = self.decoder.decode_to_string(bytes, &mut text, last);
            bytes = &bytes[read..];
            if let CoderResult::InputEmpty = result {
                return text;
            }
        }
    }

    /// Decodes `bytes`, sniffing a UTF-8 BOM first; `last` ends the stream.
    #[cfg(not(feature = "charset"))]
    fn run(&mut self, bytes: &[u8], last: bool) -> String {
        let mut text = String::new();
        match self.sniff.take() {
            Some(mut head) => {
                head.extend_from_slice(bytes);
                if head.len() < UTF8_BOM.len() && UTF8_BOM.starts_with(&head) && !last {
                    self.sniff = Some(head);
                } else if let Some(rest) = head.strip_prefix(UTF8_BOM) {
                    self.bom_utf8 = true;
                    self.decode_body(rest, last, &mut text);
                } else {
                    self.decode_body(&head, last, &mut text);
                }
            }
            None => self.decode_body(bytes, last, &mut text),
        }
        text
    }

    /// Decodes bytes after the BOM sniffing.
    #[cfg(not(feature = "charset"))]
    fn decode_body(&mut self, bytes: &[u8], last: bool, text: &mut String) {
        let charset = if self.bom_utf8 {
            Charset::Utf8
        } else {
            self.charset
        };
        match charset {
            Charset::Latin1 => text.extend(bytes.iter().map(|&b| char::from(b))),
            Charset::Utf8 => {
                if self.pending.is_empty() {
                    decode_utf8(bytes, last, text, &mut self.pending);
                } else {
                    let mut joined = std::mem::take(&mut self.pending);
                    joined.extend_from_slice(bytes);
                    decode_utf8(&joined, last, text, &mut self.pending);
                }
            }
        }
    }
}

/// Lossy UTF-8 decoding of one chunk: each maximal invalid subpart becomes one
/// U+FFFD (as Python and WHATWG do); an incomplete sequence at the end goes to
/// `pending`, or becomes U+FFFD when `last`.
#[cfg(not(feature = "charset"))]
fn decode_utf8(mut bytes: &[u8], last: bool, text: &mut String, pending: &mut Vec<u8>) {
    loop {
        match std::str::from_utf8(bytes) {
            Ok(valid) => {
                text.push_str(valid);
                return;
            }
            Err(e) => {
                let (valid, rest) = bytes.split_at(e.valid_up_to());
                text.push_str(std::str::from_utf8(valid).unwrap_or_default());
                match e.error_len() {
                    Some(len) => {
                        text.push('\u{FFFD}');
                        bytes = &rest[len..];
                    }
                    None if last => {
                        text.push('\u{FFFD}');
                        return;
                    }
                    None => {
                        pending.extend_from_slice(rest);
                        return;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decoders::tests::iter_text;

    #[test]
    fn test_text_decoder_with_autodetect() {
        let cases: &[(&[&[u8]], &str, &str)] = &[
            (&[b"Hello,", b" world!"], "ascii", "Hello, world!"),
            (
                &[
                    b"\xe3\x83",
                    b"\x88\xe3\x83\xa9",
                    b"\xe3",
                    b"\x83\x99\xe3\x83\xab",
                ],
                "utf-8",
                "トラベル",
            ),
            #[cfg(feature = "charset")]
            (
                &[b"Euro character: \x88! abcdefghijklmnopqrstuvwxyz", b""],
                "cp1252",
                "Euro character: ˆ! abcdefghijklmnopqrstuvwxyz",
            ),
            (
                &[b"Accented: \xd6sterreich abcdefghijklmnopqrstuvwxyz", b""],
                "iso-8859-1",
                "Accented: Österreich abcdefghijklmnopqrstuvwxyz",
            ),
        ];
        for (chunks, label, expected) in cases {
            let charset = Charset::for_label(label).unwrap();
            assert_eq!(charset.decode(&chunks.concat()), *expected, "{label}");
            assert_eq!(iter_text(charset, chunks).concat(), *expected, "{label}");
        }
    }

    #[cfg(feature = "charset")]
    #[test]
    fn test_text_decoder_known_encoding() {
        let charset = Charset::for_label("shift-jis").unwrap();
        assert_eq!(charset.name(), "shift_jis");
        let chunks: &[&[u8]] = &[b"\x83g", b"\x83", b"\x89\x83x\x83\x8b"];
        assert_eq!(iter_text(charset, chunks).concat(), "トラベル");
        assert_eq!(charset.decode(&chunks.concat()), "トラベル");
    }

    #[test]
    fn test_text_decoder_empty_cases() {
        assert_eq!(Charset::UTF_8.decode(b""), "");
        assert!(iter_text(Charset::UTF_8, &[b""]).is_empty());
        assert!(iter_text(Charset::UTF_8, &[]).is_empty());
    }

    #[test]
    fn test_streaming_text_decoder() {
        assert_eq!(
            iter_text(Charset::UTF_8, &[b"Hello,", b" world!"]),
            ["Hello,", " world!"]
        );
    }

    #[test]
    fn text_decoder_replaces_invalid_sequences() {
        let mut d = Charset::UTF_8.new_decoder();
        assert_eq!(d.decode(b"a\xffb\xe3\x83"), "a\u{FFFD}b");
        // The incomplete sequence becomes one U+FFFD at the end, as in Python.
        assert_eq!(d.flush(), "\u{FFFD}");
        // flush resets the decoder.
        assert_eq!(d.decode(b"ok"), "ok");
        assert_eq!(d.flush(), "");
        assert_eq!(
            Charset::UTF_8.decode(b"\xf0\x80\x80z"),
            "\u{FFFD}\u{FFFD}\u{FFFD}z"
        );
        let mut d = Charset::UTF_8.new_decoder();
        let text: String = [&b"\xf0"[..], b"\x9f", b"\x98", b"\x80!"]
            .iter()
            .map(|c| d.decode(c))
            .collect();
        assert_eq!(text + &d.flush(), "😀!");
    }

    #[test]
    fn utf8_bom_is_removed_and_overrides() {
        let latin = Charset::for_label("latin-1").unwrap();
        for charset in [Charset::UTF_8, latin] {
            assert_eq!(charset.decode(b"\xef\xbb\xbf\xc3\xa9"), "é");
            let chunks: &[&[u8]] = &[b"\xef", b"\xbb", b"\xbf\xc3", b"\xa9"];
            assert_eq!(iter_text(charset, chunks).concat(), "é");
        }
        // flush resets the decoder, BOM override included.
        let mut d = latin.new_decoder();
        assert_eq!(d.decode(b"\xef\xbb\xbf\xc3\xa9"), "é");
        assert_eq!(d.flush(), "");
        assert_eq!(d.decode(b"\xc3\xa9"), latin.decode(b"\xc3\xa9"));
        // Not a BOM after all.
        assert_eq!(
            iter_text(Charset::UTF_8, &[b"\xef", b"\xbbx"]).concat(),
            "\u{FFFD}x"
        );
    }

    #[cfg(feature = "charset")]
    #[test]
    fn utf16_bom_overrides() {
        let text = "hé";
        let mut bytes = vec![0xff, 0xfe];
        for unit in text.encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(Charset::UTF_8.decode(&bytes), text);
        assert_eq!(
            iter_text(Charset::UTF_8, &[&bytes[..1], &bytes[1..3], &bytes[3..]]).concat(),
            text
        );
    }

    #[test]
    fn charset_labels_and_names() {
        assert_eq!(Charset::UTF_8.name(), "utf-8");
        for label in ["utf-8", " UTF-8 ", "utf8", "UTF_8"] {
            assert_eq!(Charset::for_label(label), Some(Charset::UTF_8), "{label}");
        }
        assert_eq!(Charset::for_label("no-such-charset"), None);
        assert_eq!(Charset::for_label(""), None);
        #[cfg(feature = "charset")]
        {
            let names = [
                ("latin-1", "windows-1252"),
                ("ISO-8859-1", "windows-1252"),
                ("ascii", "windows-1252"),
                ("cp1252", "windows-1252"),
                ("Shift_JIS", "shift_jis"),
                ("shift-jis", "shift_jis"),
                ("euc_jp", "euc-jp"),
                ("utf-16", "utf-16le"),
                ("utf-16-be", "utf-16be"),
                ("gb2312", "gbk"),
                ("koi8-r", "koi8-r"),
            ];
            for (label, name) in names {
                assert_eq!(
                    Charset::for_label(label).map(Charset::name),
                    Some(name),
                    "{label}"
                );
            }
            // WHATWG's "replacement" encoding is not offered.
            assert_eq!(Charset::for_label("iso-2022-kr"), None);
        }
        #[cfg(not(feature = "charset"))]
        {
            for label in ["ascii", "US-ASCII", "latin-1", "iso-8859-1", "latin1"] {
                assert_eq!(
                    Charset::for_label(label).map(Charset::name),
                    Some("iso-8859-1")
                );
            }
            assert_eq!(Charset::for_label("shift_jis"), None);
        }
    }

    // proptest is a native dev-dependency.
    #[cfg(not(target_family = "wasm"))]
    mod props {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]

            #[test]
            fn text_decoding_is_chunking_independent(
                data in proptest::collection::vec(any::<u8>(), 0..200),
                splits in proptest::collection::vec(any::<usize>(), 0..8),
                charset in 0usize..3,
            ) {
                let label = ["utf-8", "latin-1", "shift_jis"][charset];
                let Some(charset) = Charset::for_label(label) else { return Ok(()) };
                let mut cuts: Vec<usize> = splits.iter().map(|s| s % (data.len() + 1)).collect();
                cuts.sort_unstable();
                let mut decoder = charset.new_decoder();
                let mut text = String::new();
                let mut start = 0;
                for cut in cuts {
                    text.push_str(&decoder.decode(&data[start..cut]));
                    start = cut;
                }
                text.push_str(&decoder.decode(&data[start..]));
                text.push_str(&decoder.flush());
                prop_assert_eq!(text, charset.decode(&data));
            }
        }
    }
}
