//! What a build without the default features does in their place: text in charsets
//! other than UTF-8 and Latin-1 without `charset` (encoding_rs), https without `rustls`,
//! SOCKS proxies without `socks`. `make test-native-minimal` runs this file with
//! `--no-default-features --features hyper,json,multipart,gzip,cookies`; with those
//! features on, it compiles to nothing.
#![cfg(not(target_family = "wasm"))]
#![cfg(all(
    feature = "hyper",
    not(feature = "charset"),
    not(feature = "rustls"),
    not(feature = "socks")
))]

use httpx::{Client, ErrorKind, Proxy, Response};
use httpx_test_server::{Options, TestServer};

fn server() -> &'static TestServer {
    static SERVER: std::sync::OnceLock<TestServer> = std::sync::OnceLock::new();
    SERVER.get_or_init(TestServer::start)
}

#[test]
fn latin1_text_is_decoded_without_encoding_rs() -> httpx::Result<()> {
    let response = Client::new()
        .get(server().url("/charset/iso-8859-1"))
        .send()?;
    assert_eq!(response.encoding(), "iso-8859-1");
    assert_eq!(response.text()?, "Hello, café naïve façade!");
    assert_eq!(
        response.content()?.len(),
        "Hello, café naïve façade!".chars().count()
    );

    // Streamed, one byte at a time: the same text.
    let mut response = Client::new()
        .stream("GET", server().url("/charset/latin1"))
        .send()?;
    let chunks: Vec<String> = response
        .iter_text_chunked(Some(1))
        .collect::<httpx::Result<_>>()?;
    assert_eq!(chunks.concat(), "Hello, café naïve façade!");
    Ok(())
}

#[test]
fn other_charsets_fall_back_to_utf8_with_replacement_characters() -> httpx::Result<()> {
    let response = Client::new()
        .get(server().url("/charset/shift_jis"))
        .send()?;
    // An unknown label: httpx's fallback, the default encoding (UTF-8).
    assert_eq!(response.encoding(), "utf-8");
    let text = response.text()?;
    assert!(text.contains('\u{FFFD}'), "{text:?}");

    let mut response = Response::builder(200)
        .header("content-type", "text/plain")
        .content(&b"\xEF\xBB\xBFcaf\xc3\xa9"[..])
        .build()?;
    assert_eq!(response.text()?, "café", "the UTF-8 BOM is dropped");
    assert_eq!(
        Response::builder(200)
            .build()?
            .set_encoding("shift_jis")
            .unwrap_err()
            .kind(),
        ErrorKind::DecodingError
    );
    // Only the encodings this build knows can be set.
    let mut fresh = Response::builder(200).content(&b"caf\xe9"[..]).build()?;
    fresh.set_encoding("latin-1")?;
    assert_eq!(fresh.text()?, "café");
    response.close();
    Ok(())
}

#[test]
fn https_without_rustls_is_an_error_that_names_the_feature() {
    let tls = TestServer::start_with(Options::new().tls(true));
    let err = Client::new().get(tls.url("/get")).send().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnsupportedProtocol, "{err:#}");
    assert!(err.to_string().contains("`rustls` feature"), "{err}");
    // Plain http is unaffected.
    let response = Client::new().get(server().url("/get")).send().unwrap();
    assert_eq!(response.status(), 200);
}

#[test]
fn socks_proxies_without_socks_are_an_error_that_names_the_feature() -> httpx::Result<()> {
    let client = Client::builder()
        .proxy(Proxy::new("socks5://127.0.0.1:1080")?)
        .build();
    let err = match client {
        Ok(client) => client.get(server().url("/get")).send().unwrap_err(),
        Err(err) => err,
    };
    assert_eq!(err.kind(), ErrorKind::UnsupportedProtocol, "{err:#}");
    assert!(err.to_string().contains("`socks` feature"), "{err}");
    Ok(())
}
