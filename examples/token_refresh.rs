//! A token-refresh auth flow: send with the cached token; on a 401, fetch a new token
//! (async I/O inside the flow) and retry once. httpx's `async_auth_flow`, in Rust.
//!
//! Run with `cargo run --example token_refresh`.

// tokio is a native dev-dependency.
include!("support/native_main.rs");

#[cfg(not(target_family = "wasm"))]
mod demo {
    use std::sync::Mutex;

    use httpx::auth::{AsyncAuthFlow, Auth, AuthFlow, SingleRequest};
    use httpx::rt::BoxFuture;
    use httpx::{AsyncClient, MockTransport, Request, Response, Result};

    /// The API accepts only the current token; the token endpoint hands it out.
    fn server() -> MockTransport {
        MockTransport::new(|request| match request.url().path().as_ref() {
            "/token" => Response::builder(200)
                .json(&serde_json::json!({"token": "fresh"}))
                .build(),
            _ => {
                let authorized =
                    request.headers().get("authorization").as_deref() == Some("Bearer fresh");
                Response::builder(if authorized { 200 } else { 401 })
                    .text(if authorized {
                        "the data"
                    } else {
                        "token expired"
                    })
                    .build()
            }
        })
    }

    struct RefreshingToken {
        token: Mutex<String>,
        token_client: AsyncClient,
    }

    impl RefreshingToken {
        async fn fetch_token(&self) -> Result<String> {
            let response = self
                .token_client
                .post("https://auth.example.org/token")
                .send()
                .await?;
            let body: serde_json::Value = response.raise_for_status()?.json()?;
            Ok(body["token"].as_str().unwrap_or_default().to_string())
        }

        fn with_token(&self, mut request: Request) -> Result<Request> {
            let token = self.token.lock().map(|t| t.clone()).unwrap_or_default();
            request
                .headers_mut()
                .insert("Authorization", format!("Bearer {token}"))?;
            Ok(request)
        }
    }

    struct Flow<'a> {
        auth: &'a RefreshingToken,
        request: Request,
        retried: bool,
    }

    impl AsyncAuthFlow for Flow<'_> {
        fn first(&mut self) -> BoxFuture<'_, Result<Request>> {
            Box::pin(async move { self.auth.with_token(self.request.clone()) })
        }

        fn next<'a>(
            &'a mut self,
            response: &'a Response,
        ) -> BoxFuture<'a, Result<Option<Request>>> {
            Box::pin(async move {
                if response.status() != 401 || self.retried {
                    return Ok(None);
                }
                self.retried = true;
                let token = self.auth.fetch_token().await?;
                println!("  401: fetched a new token ({token}) and retrying");
                if let Ok(mut cached) = self.auth.token.lock() {
                    *cached = token;
                }
                self.auth.with_token(self.request.clone()).map(Some)
            })
        }
    }

    impl Auth for RefreshingToken {
        // The blocking client would use this: the cached token, no refresh.
        fn auth_flow(&self, request: Request) -> Box<dyn AuthFlow + '_> {
            let request = self.with_token(request.clone()).unwrap_or(request);
            Box::new(SingleRequest::new(request))
        }

        fn async_auth_flow(&self, request: Request) -> Box<dyn AsyncAuthFlow + '_> {
            Box::new(Flow {
                auth: self,
                request,
                retried: false,
            })
        }
    }

    #[tokio::main]
    pub async fn main() -> Result<()> {
        let auth = RefreshingToken {
            token: Mutex::new("stale".to_string()),
            token_client: AsyncClient::builder().transport(server()).build()?,
        };
        let client = AsyncClient::builder()
            .transport(server())
            .auth(auth)
            .build()?;

        let response = client.get("https://api.example.org/data").send().await?;
        println!(
            "first request: {} {:?} (after {} response(s) in history)",
            response.status(),
            response.text()?,
            response.history().len()
        );
        let response = client.get("https://api.example.org/data").send().await?;
        println!(
            "second request: {} {:?} (the new token was cached; {} in history)",
            response.status(),
            response.text()?,
            response.history().len()
        );
        Ok(())
    }
}
