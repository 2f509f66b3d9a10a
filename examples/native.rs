//! The native client (hyper transport) against a running test server:
//! `tools/with-test-server.sh -- cargo run --example native`, or set
//! `HTTPX_TEST_SERVER=http://127.0.0.1:PORT` yourself. `make demo` does it for you.

include!("support/native_main.rs");

#[cfg(not(target_family = "wasm"))]
mod demo {
    use httpx::auth::DigestAuth;
    use httpx::{Client, ErrorKind, Timeout};

    pub fn main() -> httpx::Result<()> {
        let base =
            std::env::var("HTTPX_TEST_SERVER").unwrap_or_else(|_| "http://127.0.0.1:8765".into());
        let client = Client::builder()
            .base_url(base.as_str())
            .follow_redirects(true)
            .timeout(Timeout::new(5.0).read(1.0))
            .build()?;

        let response = client.get("/get").query([("hello", "world")]).send()?;
        let body: serde_json::Value = response.json()?;
        println!(
            "GET /get -> {} {} in {:?}, args {}",
            response.http_version(),
            response.status(),
            response.elapsed().unwrap_or_default(),
            body["args"]
        );

        let response = client
            .post("/post")
            .json(&serde_json::json!({"a": [1, 2]}))
            .send()?;
        let body: serde_json::Value = response.json()?;
        println!(
            "POST /post -> {}, the server read {}",
            response.status(),
            body["json"]
        );

        for coding in ["gzip", "brotli", "zstd"] {
            let response = client.get(format!("/{coding}")).send()?;
            println!(
                "GET /{coding} -> {} raw bytes decoded to {}",
                response.num_bytes_downloaded(),
                response.content()?.len()
            );
        }

        let response = client.get("/redirect/3").send()?;
        println!(
            "GET /redirect/3 -> {} after {} redirects, at {}",
            response.status(),
            response.history().len(),
            response
                .url()
                .map(|u| u.path().into_owned())
                .unwrap_or_default()
        );

        let response = client
            .get("/digest-auth/auth/user/pass/SHA-256")
            .auth(DigestAuth::new("user", "pass"))
            .send()?;
        println!(
            "GET /digest-auth/... with DigestAuth -> {} (challenge answered: {})",
            response.status(),
            response.history().len() == 1
        );

        let mut response = client.stream("GET", "/stream/3").send()?;
        for (i, line) in response.iter_lines().enumerate() {
            println!("  streamed line {i}: {} bytes of JSON", line?.len());
        }

        match client.get("/delay/3").send() {
            Err(err) if err.kind() == ErrorKind::ReadTimeout => println!("GET /delay/3 -> {err}"),
            other => println!("GET /delay/3 -> unexpected: {other:?}"),
        }
        match client.get("http://127.0.0.1:1/").send() {
            Err(err) => println!("GET http://127.0.0.1:1/ -> {}: {err}", err.kind()),
            Ok(r) => println!("unexpected: {r:?}"),
        }
        Ok(())
    }
}
