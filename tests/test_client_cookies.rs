//! The client's cookie jar: httpx's `tests/client/test_cookies.py`, each test run with
//! `Client` and `AsyncClient`, plus cookies across redirects (SECURITY.md R3, C2, C3).
//!
//! Translated: `test_set_cookie_with_cookiejar` and
//! `test_setting_client_cookies_to_cookiejar` build a Python `http.cookiejar.CookieJar`;
//! here the same cookie (domain "", path "/") goes in with `Cookies::set`.
//! `test_set_per_request_cookie_is_deprecated`: there is no per-request `cookies=`
//! (deprecated in httpx); its replacement, a hand-set `Cookie` header, is tested.

// Native only: these suites run on tokio; tests/core_everywhere.rs covers wasm.
#![cfg(not(target_family = "wasm"))]
mod common;

use std::sync::{Arc, Mutex};

use httpx::{Cookies, MockTransport, Request, Response, Result};
use serde_json::{json, Value};

/// A request's URL and `Cookie` header.
type Hop = (String, Option<String>);

/// httpx's `get_and_set_cookies`.
fn get_and_set_cookies(request: Request) -> Result<Response> {
    match request.url().path().as_ref() {
        "/echo_cookies" => {
            let cookie = request.headers().get("cookie").map(|c| c.into_owned());
            Response::builder(200)
                .json(&json!({ "cookies": cookie }))
                .build()
        }
        "/set_cookie" => Response::builder(200)
            .header("set-cookie", "example-name=example-value")
            .build(),
        path => panic!("unexpected path {path}"),
    }
}

fn cookies_sent(response: &Response) -> Value {
    let body: Value = response.json().expect("JSON");
    body["cookies"].clone()
}

dual_test! {
    fn test_set_cookie() {
        // Send a request including a cookie.
        let client = builder!()
            .cookies(Cookies::from([("example-name", "example-value")]))
            .transport(MockTransport::new(get_and_set_cookies))
            .build()?;
        let response = send!(client.get("http://example.org/echo_cookies"))?;
        assert_eq!(response.status(), 200);
        assert_eq!(cookies_sent(&response), "example-name=example-value");
        Ok(())
    }

    fn test_set_per_request_cookie_is_deprecated() {
        let client = builder!().transport(MockTransport::new(get_and_set_cookies)).build()?;
        let response = send!(client
            .get("http://example.org/echo_cookies")
            .header("Cookie", "example-name=example-value"))?;
        assert_eq!(response.status(), 200);
        assert_eq!(cookies_sent(&response), "example-name=example-value");
        Ok(())
    }

    fn test_set_cookie_with_cookiejar() {
        let mut cookies = Cookies::new();
        cookies.set("example-name", "example-value", "", "/");
        let client = builder!()
            .cookies(cookies)
            .transport(MockTransport::new(get_and_set_cookies))
            .build()?;
        let response = send!(client.get("http://example.org/echo_cookies"))?;
        assert_eq!(response.status(), 200);
        assert_eq!(cookies_sent(&response), "example-name=example-value");
        Ok(())
    }

    fn test_setting_client_cookies_to_cookiejar() {
        // httpx assigns `client.cookies = jar`; here `with_cookies` changes the jar in
        // place.
        let client = builder!().transport(MockTransport::new(get_and_set_cookies)).build()?;
        client.with_cookies(|jar| jar.set("example-name", "example-value", "", "/"));
        let response = send!(client.get("http://example.org/echo_cookies"))?;
        assert_eq!(response.status(), 200);
        assert_eq!(cookies_sent(&response), "example-name=example-value");
        Ok(())
    }

    fn test_set_cookie_with_cookies_model() {
        let mut cookies = Cookies::new();
        cookies.set("example-name", "example-value", "", "/");
        let client = builder!().transport(MockTransport::new(get_and_set_cookies)).build()?;
        client.with_cookies(|jar| jar.update(&cookies));
        let response = send!(client.get("http://example.org/echo_cookies"))?;
        assert_eq!(response.status(), 200);
        assert_eq!(cookies_sent(&response), "example-name=example-value");
        Ok(())
    }

    fn test_get_cookie() {
        let client = builder!().transport(MockTransport::new(get_and_set_cookies)).build()?;
        let response = send!(client.get("http://example.org/set_cookie"))?;
        assert_eq!(response.status(), 200);
        assert_eq!(response.cookies().get("example-name", None, None)?.as_deref(), Some("example-value"));
        assert_eq!(client.cookies().get("example-name", None, None)?.as_deref(), Some("example-value"));
        Ok(())
    }

    fn test_cookie_persistence() {
        // Client instances persist cookies between requests.
        let client = builder!().transport(MockTransport::new(get_and_set_cookies)).build()?;

        let response = send!(client.get("http://example.org/echo_cookies"))?;
        assert_eq!(response.status(), 200);
        assert_eq!(cookies_sent(&response), Value::Null);

        let response = send!(client.get("http://example.org/set_cookie"))?;
        assert_eq!(response.status(), 200);
        assert_eq!(response.cookies().get("example-name", None, None)?.as_deref(), Some("example-value"));
        assert_eq!(client.cookies().get("example-name", None, None)?.as_deref(), Some("example-value"));

        let response = send!(client.get("http://example.org/echo_cookies"))?;
        assert_eq!(response.status(), 200);
        assert_eq!(cookies_sent(&response), "example-name=example-value");
        Ok(())
    }

    fn test_jar_shared_by_clones() {
        let client = builder!().transport(MockTransport::new(get_and_set_cookies)).build()?;
        let clone = client.clone();
        send!(clone.get("http://example.org/set_cookie"))?;
        let response = send!(client.get("http://example.org/echo_cookies"))?;
        assert_eq!(cookies_sent(&response), "example-name=example-value");
        Ok(())
    }

    fn test_host_only_cookie_stays_on_its_host() {
        // A cookie set by example.org is not sent to other hosts, nor to a subdomain.
        let client = builder!().transport(MockTransport::new(get_and_set_cookies)).build()?;
        send!(client.get("http://example.org/set_cookie"))?;
        for url in ["http://other.example/echo_cookies", "http://www.example.org/echo_cookies"] {
            let response = send!(client.get(url))?;
            assert_eq!(cookies_sent(&response), Value::Null, "{url}");
        }
        // Ports do not matter to cookies (RFC 6265 §8.5).
        let response = send!(client.get("http://example.org:8080/echo_cookies"))?;
        assert_eq!(cookies_sent(&response), "example-name=example-value");
        Ok(())
    }

    fn test_host_only_cookie_from_ip_not_sent_to_localhost() {
        // SECURITY.md C3: 127.0.0.1 and localhost are different hosts.
        let client = builder!().transport(MockTransport::new(get_and_set_cookies)).build()?;
        send!(client.get("http://127.0.0.1:8000/set_cookie"))?;
        let response = send!(client.get("http://localhost:8000/echo_cookies"))?;
        assert_eq!(cookies_sent(&response), Value::Null);
        let response = send!(client.get("http://127.0.0.1:8000/echo_cookies"))?;
        assert_eq!(cookies_sent(&response), "example-name=example-value");
        Ok(())
    }

    fn test_secure_cookie_not_sent_over_http() {
        // SECURITY.md C2.
        let transport = MockTransport::new(|request: Request| {
            if request.url().path() == "/login" {
                Response::builder(200)
                    .header("set-cookie", "token=abc; Secure; Path=/")
                    .build()
            } else {
                get_and_set_cookies(request)
            }
        });
        let client = builder!().transport(transport).build()?;
        send!(client.get("https://example.org/login"))?;
        let response = send!(client.get("http://example.org/echo_cookies"))?;
        assert_eq!(cookies_sent(&response), Value::Null);
        let response = send!(client.get("https://example.org/echo_cookies"))?;
        assert_eq!(cookies_sent(&response), "token=abc");
        Ok(())
    }

    fn test_hand_set_cookie_header_wins_over_the_jar() {
        let client = builder!()
            .cookies(Cookies::from([("jar", "1")]))
            .transport(MockTransport::new(get_and_set_cookies))
            .build()?;
        let response = send!(client.get("http://example.org/echo_cookies").header("Cookie", "mine=2"))?;
        assert_eq!(cookies_sent(&response), "mine=2");
        Ok(())
    }

    fn test_cookies_on_redirects_rebuilt_from_the_jar() {
        // Each hop gets the jar's cookies for its own URL, including cookies the
        // redirect response itself set; a hand-set Cookie header is dropped (R3).
        let seen: Arc<Mutex<Vec<Hop>>> = Arc::default();
        let log = seen.clone();
        let transport = MockTransport::new(move |request: Request| {
            let cookie = request.headers().get("cookie").map(|c| c.into_owned());
            log.lock().unwrap().push((request.url().to_string(), cookie));
            match request.url().path().as_ref() {
                "/start" => Response::builder(302)
                    .header("set-cookie", "hop=1; Path=/")
                    .header("set-cookie", "wide=1; Domain=example.org; Path=/")
                    .header("location", "https://www.example.org/middle")
                    .build(),
                "/middle" => Response::builder(302)
                    .header("location", "https://example.org/end")
                    .build(),
                _ => Response::builder(200).build(),
            }
        });
        let client = builder!()
            .cookies(Cookies::from([("everywhere", "e")]))
            .transport(transport)
            .follow_redirects(true)
            .build()?;
        let response = send!(client.get("https://example.org/start").header("Cookie", "hand=set"))?;
        assert_eq!(response.history().len(), 2);
        let seen = seen.lock().unwrap();
        assert_eq!(seen[0], ("https://example.org/start".to_string(), Some("hand=set".to_string())));
        // www.example.org: the domain cookie and the hand-set-in-jar cookie, not the
        // host-only one of example.org.
        let middle = seen[1].1.clone().unwrap();
        let mut names: Vec<&str> = middle.split("; ").collect();
        names.sort_unstable();
        assert_eq!(names, vec!["everywhere=e", "wide=1"]);
        let end = seen[2].1.clone().unwrap();
        let mut names: Vec<&str> = end.split("; ").collect();
        names.sort_unstable();
        assert_eq!(names, vec!["everywhere=e", "hop=1", "wide=1"]);
        Ok(())
    }

    fn test_expired_cookie_deletes() {
        let transport = MockTransport::new(|request: Request| {
            match request.url().path().as_ref() {
                "/logout" => Response::builder(200)
                    .header("set-cookie", "example-name=gone; Max-Age=0")
                    .build(),
                _ => get_and_set_cookies(request),
            }
        });
        let client = builder!().transport(transport).build()?;
        send!(client.get("http://example.org/set_cookie"))?;
        assert_eq!(client.cookies().len(), 1);
        send!(client.get("http://example.org/logout"))?;
        assert!(client.cookies().get("example-name", None, None)?.is_none());
        let response = send!(client.get("http://example.org/echo_cookies"))?;
        assert_eq!(cookies_sent(&response), Value::Null);
        Ok(())
    }
}
