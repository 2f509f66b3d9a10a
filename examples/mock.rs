//! A tour of the client against a mock transport (httpx's MockTransport): JSON, query
//! parameters, redirects with history, cookies, event hooks, streaming and errors.
//!
//! Run with `cargo run --example mock`.

// The blocking Client exists natively and in WASI, not in the browser.
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
fn main() -> httpx::Result<()> {
    tour::main()
}

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
fn main() {}

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
mod tour {
    use httpx::{Client, ErrorKind, MockTransport, Response};

    fn api() -> MockTransport {
        MockTransport::new(|request| {
            let path = request.url().path().into_owned();
            match path.as_str() {
                "/v1/items" => Response::builder(200)
                    .json(&serde_json::json!({
                        "page": request.url().params().get("page"),
                        "items": ["a", "b"],
                    }))
                    .build(),
                "/v1/login" => Response::builder(302)
                    .header("location", "/v1/me")
                    .header("set-cookie", "session=s3cr3t; Path=/; HttpOnly")
                    .build(),
                "/v1/me" => {
                    let cookie = request
                        .headers()
                        .get("cookie")
                        .unwrap_or_default()
                        .into_owned();
                    Response::builder(200)
                        .text(format!("cookie seen by the server: {cookie}"))
                        .build()
                }
                "/v1/lines" => Response::builder(200)
                    .stream((1..=3).map(|i| Ok::<_, httpx::Error>(format!("line {i}\n"))))
                    .build(),
                _ => Response::builder(404).text("not here").build(),
            }
        })
    }

    pub fn main() -> httpx::Result<()> {
        let client = Client::builder()
            .transport(api())
            .base_url("https://api.example.org/v1")
            .header("x-api-key", "demo")
            .follow_redirects(true)
            .on_request(|request| {
                println!("  -> {} {}", request.method(), request.url());
                Ok(())
            })
            .build()?;

        let response = client.get("items").query([("page", 2)]).send()?;
        let body: serde_json::Value = response.json()?;
        println!("items: {body}");

        let response = client.post("login").form([("user", "ada")]).send()?;
        println!(
            "{} (after {} redirect)",
            response.text()?,
            response.history().len()
        );

        let mut response = client.stream("GET", "lines").send()?;
        for line in response.iter_lines() {
            println!("streamed: {}", line?);
        }

        let response = client.get("nope").send()?;
        match response.raise_for_status() {
            Err(err) if err.kind() == ErrorKind::HttpStatus => {
                println!("error, as expected: {err}")
            }
            other => println!("unexpected: {other:?}"),
        }
        Ok(())
    }
}
