//! Test an axum app in-process, with no socket: httpx's ASGITransport, for tower services.
//!
//! Run with `cargo run --example app_transport --features tower`.

// tokio and axum are native dev-dependencies.
#[cfg(not(target_family = "wasm"))]
fn main() -> httpx::Result<()> {
    app::main()
}

#[cfg(target_family = "wasm")]
fn main() {}

#[cfg(not(target_family = "wasm"))]
mod app {
    use axum::routing::{get, post};
    use axum::{Json, Router};

    async fn hello() -> &'static str {
        "hello from axum"
    }

    async fn echo(Json(value): Json<serde_json::Value>) -> Json<serde_json::Value> {
        Json(serde_json::json!({ "you_sent": value }))
    }

    async fn moved() -> axum::response::Redirect {
        axum::response::Redirect::to("/hello")
    }

    #[tokio::main]
    pub async fn main() -> httpx::Result<()> {
        let app = Router::new()
            .route("/hello", get(hello))
            .route("/echo", post(echo))
            .route("/old", get(moved));

        let client = httpx::AsyncClient::builder()
            .transport(httpx::AppTransport::new(app))
            .base_url("http://testserver")
            .follow_redirects(true)
            .build()?;

        let response = client.get("/hello").send().await?;
        println!("GET /hello -> {} {:?}", response.status(), response.text()?);

        let response = client
            .post("/echo")
            .json(&serde_json::json!({"a": 1}))
            .send()
            .await?;
        println!("POST /echo -> {} {}", response.status(), response.text()?);

        let response = client.get("/old").send().await?;
        println!(
            "GET /old -> {} after {} redirect(s), final URL {}",
            response.status(),
            response.history().len(),
            response.url().map(|u| u.as_str()).unwrap_or("?")
        );
        Ok(())
    }
}
