//! The Digest challenge parser, and `DigestAuth` answering what it parsed: no panic,
//! and an answer to a challenge that was a valid header value is one too.
#![no_main]

use httpx::auth::{parse_challenge, DigestAuth, DigestChallenge};
use httpx::Headers;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    // Line 1: the challenge; then username, password, method, uri, body, cnonce.
    let mut lines = input.split('\n');
    let header = lines.next().unwrap_or("");
    let mut next = || lines.next().unwrap_or("");
    let (user, pass, method, uri, body, cnonce) = (next(), next(), next(), next(), next(), next());
    let valid_header = !header
        .bytes()
        .any(|b| (b < 0x20 && b != b'\t') || b == 0x7f);
    if valid_header {
        let mut headers = Headers::new();
        headers.append("WWW-Authenticate", header).unwrap();
        headers
            .append("WWW-Authenticate", "Basic realm=\"x\"")
            .unwrap();
        let _ = DigestChallenge::from_headers(&headers);
    }
    let Ok(challenge) = parse_challenge(header) else {
        return;
    };
    let auth = DigestAuth::new(user, pass);
    let nc = u32::try_from(body.len()).unwrap_or(u32::MAX);
    let Ok(answer) = auth.authorization(&challenge, method, uri, body.as_bytes(), nc, cnonce)
    else {
        return;
    };
    let inputs_valid = [user, method, uri, cnonce]
        .iter()
        .all(|s| !s.bytes().any(|b| (b < 0x20 && b != b'\t') || b == 0x7f));
    if valid_header && inputs_valid {
        let mut headers = Headers::new();
        headers
            .insert("Authorization", &answer)
            .unwrap_or_else(|e| panic!("{answer:?} is not a header value: {e}"));
    }
});
