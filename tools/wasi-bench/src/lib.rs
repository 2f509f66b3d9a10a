//! Shared by the benchmark's binaries: the test server's address and a bare GET on the
//! `wasi` crate's `wasi:http` bindings.

use std::io::Read;

use wasi::http::outgoing_handler;
use wasi::http::types::{Fields, IncomingBody, Method, OutgoingBody, OutgoingRequest, Scheme};

/// The test server: `HTTPX_TEST_SERVER` at run time (`wasmtime run --env`), else when
/// built.
pub fn server() -> String {
    std::env::var("HTTPX_TEST_SERVER")
        .ok()
        .or_else(|| option_env!("HTTPX_TEST_SERVER").map(String::from))
        .expect("set HTTPX_TEST_SERVER (wasmtime run --env HTTPX_TEST_SERVER=URL)")
        .trim_end_matches('/')
        .to_string()
}

/// `http://authority/path` split into its parts (no validation: a benchmark helper).
pub fn split(url: &str) -> (Scheme, String, String) {
    let (scheme, rest) = url.split_once("://").expect("an absolute URL");
    let scheme = if scheme == "https" {
        Scheme::Https
    } else {
        Scheme::Http
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    (scheme, authority.to_string(), path.to_string())
}

/// One GET with the bare bindings, the way the `wasi` crate's examples do it: status,
/// headers and the whole body, resources dropped children first.
pub fn bare_get(scheme: &Scheme, authority: &str, path: &str) -> (u16, usize, Vec<u8>) {
    bare_get_with(scheme, authority, path, &[])
}

/// [`bare_get`] with request headers.
pub fn bare_get_with(
    scheme: &Scheme,
    authority: &str,
    path: &str,
    headers: &[(String, Vec<u8>)],
) -> (u16, usize, Vec<u8>) {
    let fields = if headers.is_empty() {
        Fields::new()
    } else {
        Fields::from_list(headers).unwrap()
    };
    let request = OutgoingRequest::new(fields);
    request.set_method(&Method::Get).unwrap();
    request.set_scheme(Some(scheme)).unwrap();
    request.set_authority(Some(authority)).unwrap();
    request.set_path_with_query(Some(path)).unwrap();
    let body = request.body().unwrap();
    OutgoingBody::finish(body, None).unwrap();
    let future = outgoing_handler::handle(request, None).unwrap();
    future.subscribe().block();
    let response = future.get().unwrap().unwrap().unwrap();
    let status = response.status();
    let headers = response.headers().entries().len();
    let incoming = response.consume().unwrap();
    let mut content = Vec::new();
    {
        let mut stream = incoming.stream().unwrap();
        stream.read_to_end(&mut content).unwrap();
    }
    drop(IncomingBody::finish(incoming));
    (status, headers, content)
}
