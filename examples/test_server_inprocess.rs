//! The client against the project's httpbin-like test server, in-process through
//! `AppTransport` (no socket): content decoding, redirects with history, cookies, auth
//! challenges, streaming and errors, all done by the core.
//!
//! Run with `cargo run --example test_server_inprocess --features tower`.

// tokio and the test server are native dev-dependencies.
include!("support/native_main.rs");

#[cfg(not(target_family = "wasm"))]
mod demo {
    use httpx::{AppTransport, AsyncClient};

    #[tokio::main]
    pub async fn main() -> httpx::Result<()> {
        let client = AsyncClient::builder()
            .transport(AppTransport::new(httpx_test_server::InProcess::new()))
            .base_url("http://testserver")
            .follow_redirects(true)
            .build()?;

        let response = client
            .get("/get")
            .query([("hello", "world")])
            .send()
            .await?;
        let echo: serde_json::Value = response.json()?;
        println!("GET /get -> {}, args {}", response.status(), echo["args"]);

        for coding in ["gzip", "deflate", "brotli", "zstd"] {
            let response = client.get(format!("/{coding}")).send().await?;
            let body: serde_json::Value = response.json()?;
            println!(
                "GET /{coding} -> {} bytes on the wire, decoded: {}",
                response.num_bytes_downloaded(),
                body.get(coding).is_some()
            );
        }

        let response = client.get("/redirect/3").send().await?;
        let hops: Vec<String> = response
            .history()
            .iter()
            .map(|r| {
                format!(
                    "{} {}",
                    r.status_code(),
                    r.url().map(|u| u.path().into_owned()).unwrap_or_default()
                )
            })
            .collect();
        println!(
            "GET /redirect/3 -> {} via [{}]",
            response.status(),
            hops.join(", ")
        );

        let response = client
            .get("/cookies/set")
            .query([("flavour", "oat")])
            .send()
            .await?;
        println!(
            "GET /cookies/set?flavour=oat -> {} {}",
            response.status(),
            response.text()?
        );

        let response = client
            .get("/digest-auth/auth/user/pass/SHA-256")
            .send()
            .await?;
        println!(
            "GET /digest-auth/... -> {} with challenge {:?}",
            response.status(),
            response
                .headers()
                .get("www-authenticate")
                .unwrap_or_default()
        );

        let mut response = client.stream("GET", "/bomb/gzip?mib=512").send().await?;
        let mut largest = 0;
        let mut pulled = 0u64;
        {
            use futures_util::StreamExt;
            let mut chunks = response.aiter_bytes();
            for _ in 0..16 {
                if let Some(chunk) = chunks.next().await {
                    let chunk = chunk?;
                    largest = largest.max(chunk.len());
                    pulled += chunk.len() as u64;
                }
            }
        }
        println!(
            "GET /bomb/gzip?mib=512 (streamed) -> pulled {pulled} decoded bytes from {} raw, largest piece {largest} bytes; closing",
            response.num_bytes_downloaded()
        );
        response.aclose().await;

        let response = client.get("/status/418").send().await?;
        if let Err(err) = response.raise_for_status() {
            println!(
                "GET /status/418 -> {}: {}",
                err.kind(),
                err.message().lines().next().unwrap_or("")
            );
        }
        Ok(())
    }
}
