//! Redirects: httpx's `tests/client/test_redirects.py`, plus SECURITY.md rows R1–R4,
//! R6–R8 and R10, each run with `Client` and `AsyncClient`.
//!
//! Every test of test_redirects.py is mirrored (the sync/async pairs
//! `test_next_request`/`test_async_next_request`, `test_sync_too_many_redirects`/
//! `test_async_too_many_redirects` and `test_invalid_redirect`/`test_async_invalid_redirect`
//! are one `dual_test!` each). Nothing is skipped.
//!
//! Python's `auth=("user", "pass")` becomes the `HeaderAuth` below (BasicAuth is a later
//! issue); what is tested is that a header added by an auth flow is stripped like a
//! hand-set one.

// Native only: these suites run on tokio; tests/core_everywhere.rs covers wasm.
#![cfg(not(target_family = "wasm"))]
mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use httpx::auth::{Auth, AuthFlow, SingleRequest};
use httpx::{Body, ErrorKind, MockTransport, Request, Response, Result, SendOptions, StatusCode};
use serde_json::Value;

/// An auth that sets `Authorization` (stands in for httpx's `auth=(user, pass)`).
#[derive(Debug)]
struct HeaderAuth(&'static str);

impl Auth for HeaderAuth {
    fn auth_flow(&self, mut request: Request) -> Box<dyn AuthFlow + '_> {
        request
            .headers_mut()
            .insert("Authorization", self.0)
            .expect("a valid header value");
        Box::new(SingleRequest::new(request))
    }
}

/// The request's body and headers (lowercase names) as JSON.
fn echo_body_and_headers(request: &Request) -> Result<Response> {
    let headers: serde_json::Map<String, Value> = request
        .headers()
        .multi_items()
        .map(|(k, v)| (k.to_ascii_lowercase(), Value::from(v.into_owned())))
        .collect();
    Response::builder(200)
        .json(&serde_json::json!({
            "method": request.method().as_str(),
            "body": String::from_utf8_lossy(request.content()?),
            "headers": headers,
        }))
        .build()
}

/// httpx's `redirects` mock app.
fn redirects(request: Request) -> Result<Response> {
    let scheme = request.url().scheme().to_string();
    if scheme != "http" && scheme != "https" {
        return Err(httpx::Error::new(
            ErrorKind::UnsupportedProtocol,
            format!("Scheme {scheme:?} not supported."),
        ));
    }
    let path = request.url().path().into_owned();
    match path.as_str() {
        "/redirect_301" => Response::builder(301)
            .header("location", "https://example.org/")
            .content("<a href='https://example.org/'>here</a>")
            .build(),
        "/redirect_302" => Response::builder(302)
            .header("location", "https://example.org/")
            .build(),
        "/redirect_303" => Response::builder(303)
            .header("location", "https://example.org/")
            .build(),
        "/relative_redirect" => Response::builder(303).header("location", "/").build(),
        "/malformed_redirect" => Response::builder(303)
            .header("location", "https://:443/")
            .build(),
        "/invalid_redirect" => Response::builder(303)
            // Not a valid URL under WHATWG either (see test_invalid_redirect).
            .header("location", "https://exa mple.org/".as_bytes())
            .build(),
        "/no_scheme_redirect" => Response::builder(303)
            .header("location", "//example.org/")
            .build(),
        "/multiple_redirects" => {
            let count: usize = request
                .url()
                .params()
                .get("count")
                .unwrap_or("0")
                .parse()
                .unwrap_or(0);
            if count == 0 {
                return Response::builder(200).build();
            }
            let mut location = "/multiple_redirects".to_string();
            if count - 1 > 0 {
                location.push_str(&format!("?count={}", count - 1));
            }
            Response::builder(303).header("location", location).build()
        }
        "/redirect_loop" => Response::builder(303)
            .header("location", "/redirect_loop")
            .build(),
        "/cross_domain" => Response::builder(303)
            .header("location", "https://example.org/cross_domain_target")
            .build(),
        "/cross_domain_target" | "/redirect_body_target" => echo_body_and_headers(&request),
        "/redirect_body" => Response::builder(308)
            .header("location", "/redirect_body_target")
            .build(),
        "/redirect_no_body" => Response::builder(303)
            .header("location", "/redirect_body_target")
            .build(),
        "/cross_subdomain" => {
            if request.headers().get("host").as_deref() != Some("www.example.org") {
                Response::builder(308)
                    .header("location", "https://www.example.org/cross_subdomain")
                    .build()
            } else {
                Response::builder(200).text("Hello, world!").build()
            }
        }
        "/redirect_custom_scheme" => Response::builder(301)
            .header("location", "market://details?id=42")
            .build(),
        _ if request.method() == "HEAD" => Response::builder(200).build(),
        _ => Response::builder(200)
            .html("<html><body>Hello, world!</body></html>")
            .build(),
    }
}

/// A handler answering every request with `status` and `Location: location`, except
/// `/target`, which echoes the request; the requests are recorded.
fn redirect_to(status: u16, location: &'static str) -> (MockTransport, Arc<Mutex<Vec<Request>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let transport = MockTransport::new(move |request: Request| {
        log.lock().unwrap().push(request.clone());
        if request.url().path() == "/target" {
            echo_body_and_headers(&request)
        } else {
            Response::builder(status)
                .header("location", location)
                .build()
        }
    });
    (transport, seen)
}

fn json(response: &Response) -> Value {
    response.json().expect("a JSON body")
}

dual_test! {
    fn test_redirect_301() {
        let client = builder!().transport(MockTransport::new(redirects)).build()?;
        let response = send!(client.post("https://example.org/redirect_301").follow_redirects(true))?;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.url().unwrap().as_str(), "https://example.org/");
        assert_eq!(response.history().len(), 1);
        Ok(())
    }

    fn test_redirect_302() {
        let client = builder!().transport(MockTransport::new(redirects)).build()?;
        let response = send!(client.post("https://example.org/redirect_302").follow_redirects(true))?;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.url().unwrap().as_str(), "https://example.org/");
        assert_eq!(response.history().len(), 1);
        Ok(())
    }

    fn test_redirect_303() {
        let client = builder!().transport(MockTransport::new(redirects)).build()?;
        let response = send!(client.get("https://example.org/redirect_303").follow_redirects(true))?;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.url().unwrap().as_str(), "https://example.org/");
        assert_eq!(response.history().len(), 1);
        Ok(())
    }

    fn test_next_request() {
        let client = builder!().transport(MockTransport::new(redirects)).build()?;
        let request = client.build_request("POST", "https://example.org/redirect_303").build()?;
        let mut response =
            send_with!(client, request, SendOptions::new().follow_redirects(false))?;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(response.url().unwrap().as_str(), "https://example.org/redirect_303");
        assert!(response.next_request().is_some());
        assert_eq!(response.next_request().unwrap().method(), "GET");

        let next = response.take_next_request().unwrap();
        let response = send_with!(client, next, SendOptions::new().follow_redirects(false))?;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.url().unwrap().as_str(), "https://example.org/");
        assert!(response.next_request().is_none());
        Ok(())
    }

    fn test_next_request_without_follow_is_the_default() {
        // httpx's default is follow_redirects=False: the redirect comes back with its
        // next request, and its body is read as for any response.
        let client = builder!().transport(MockTransport::new(redirects)).build()?;
        assert!(!client.follows_redirects());
        let response = send!(client.get("https://example.org/redirect_301"))?;
        assert_eq!(response.status(), 301);
        assert!(response.history().is_empty());
        assert_eq!(response.text()?, "<a href='https://example.org/'>here</a>");
        assert_eq!(response.next_request().unwrap().url().as_str(), "https://example.org/");
        Ok(())
    }

    fn test_head_redirect() {
        // Contrary to Requests, redirects remain enabled by default for HEAD requests.
        let client = builder!().transport(MockTransport::new(redirects)).build()?;
        let response = send!(client.head("https://example.org/redirect_302").follow_redirects(true))?;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.url().unwrap().as_str(), "https://example.org/");
        assert_eq!(response.request().unwrap().method(), "HEAD");
        assert_eq!(response.history().len(), 1);
        assert_eq!(response.text()?, "");
        Ok(())
    }

    fn test_relative_redirect() {
        let client = builder!().transport(MockTransport::new(redirects)).build()?;
        let response = send!(client.get("https://example.org/relative_redirect").follow_redirects(true))?;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.url().unwrap().as_str(), "https://example.org/");
        assert_eq!(response.history().len(), 1);
        Ok(())
    }

    fn test_malformed_redirect() {
        // https://github.com/encode/httpx/issues/771: "https://:443/" takes the host of
        // the request.
        let client = builder!().transport(MockTransport::new(redirects)).build()?;
        let response = send!(client.get("http://example.org/malformed_redirect").follow_redirects(true))?;
        assert_eq!(response.status(), StatusCode::OK);
        // httpx: "https://example.org:443/"; here: "https://example.org/" (WHATWG drops
        // the default port when parsing).
        assert_eq!(response.url().unwrap().as_str(), "https://example.org/");
        assert_eq!(response.url().unwrap().port_or_default(), Some(443));
        assert_eq!(response.history().len(), 1);
        Ok(())
    }

    fn test_invalid_redirect() {
        // httpx's Location "https://😇/" is valid under WHATWG (IDNA maps it to
        // "xn--l28h"); here: a Location with a space in the host, invalid in both.
        let client = builder!().transport(MockTransport::new(redirects)).build()?;
        let err = send!(client.get("http://example.org/invalid_redirect").follow_redirects(true))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::RemoteProtocolError);
        assert!(err.message().contains("location"), "{err}");
        Ok(())
    }

    fn test_emoji_location_is_idna_encoded() {
        // httpx raises RemoteProtocolError for "https://😇/" (IDNA 2008 refuses emoji);
        // here: WHATWG's UTS 46 processing maps it to "xn--l28h", as browsers do.
        let (transport, seen) = redirect_to(303, "https://😇/target");
        let client = builder!().mount("all://", transport).follow_redirects(true).build()?;
        let response = send!(client.get("https://example.org/"))?;
        assert_eq!(response.url().unwrap().as_str(), "https://xn--l28h/target");
        assert_eq!(seen.lock().unwrap()[1].headers().get("host").as_deref(), Some("xn--l28h"));
        Ok(())
    }

    fn long_redirect_chain_costs_linear_time() {
        // Each response carries the history before it; copying histories deeply made a
        // chain of n redirects cost 2^n copies.
        let client = builder!()
            .transport(MockTransport::new(redirects))
            .max_redirects(200)
            .follow_redirects(true)
            .build()?;
        let started = std::time::Instant::now();
        let response = send!(client.get("https://example.org/multiple_redirects?count=150"))?;
        assert_eq!(response.history().len(), 150);
        assert_eq!(response.history()[149].history().len(), 149);
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
        Ok(())
    }

    fn test_invalid_redirect_port_out_of_range() {
        let (transport, seen) = redirect_to(302, "https://example.org:99999/");
        let client = builder!().transport(transport).follow_redirects(true).build()?;
        let err = send!(client.get("https://example.org/")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::RemoteProtocolError);
        assert_eq!(seen.lock().unwrap().len(), 1);
        Ok(())
    }

    fn test_no_scheme_redirect() {
        let client = builder!().transport(MockTransport::new(redirects)).build()?;
        let response = send!(client.get("https://example.org/no_scheme_redirect").follow_redirects(true))?;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.url().unwrap().as_str(), "https://example.org/");
        assert_eq!(response.history().len(), 1);
        Ok(())
    }

    fn test_fragment_redirect() {
        let client = builder!().transport(MockTransport::new(redirects)).build()?;
        let response = send!(client
            .get("https://example.org/relative_redirect#fragment")
            .follow_redirects(true))?;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.url().unwrap().as_str(), "https://example.org/#fragment");
        assert_eq!(response.history().len(), 1);
        Ok(())
    }

    fn test_multiple_redirects() {
        let client = builder!().transport(MockTransport::new(redirects)).build()?;
        let response = send!(client
            .get("https://example.org/multiple_redirects?count=20")
            .follow_redirects(true))?;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.url().unwrap().as_str(), "https://example.org/multiple_redirects");
        let history = response.history();
        assert_eq!(history.len(), 20);
        assert_eq!(
            history[0].url().unwrap().as_str(),
            "https://example.org/multiple_redirects?count=20"
        );
        assert_eq!(
            history[1].url().unwrap().as_str(),
            "https://example.org/multiple_redirects?count=19"
        );
        assert_eq!(history[0].history().len(), 0);
        assert_eq!(history[1].history().len(), 1);
        assert!(history.iter().all(|r| r.status() == 303));
        Ok(())
    }

    fn test_too_many_redirects() {
        let client = builder!().transport(MockTransport::new(redirects)).build()?;
        let err = send!(client
            .get("https://example.org/multiple_redirects?count=21")
            .follow_redirects(true))
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TooManyRedirects);
        assert!(err.is_request() && !err.is_transport());
        assert!(err.message().contains("Exceeded maximum allowed redirects"), "{err}");
        Ok(())
    }

    fn test_redirect_loop() {
        let client = builder!().transport(MockTransport::new(redirects)).build()?;
        let err = send!(client.get("https://example.org/redirect_loop").follow_redirects(true))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TooManyRedirects);
        Ok(())
    }

    fn test_cross_domain_redirect_with_auth_header() {
        let client = builder!().transport(MockTransport::new(redirects)).build()?;
        let response = send!(client
            .get("https://example.com/cross_domain")
            .header("Authorization", "abc")
            .follow_redirects(true))?;
        assert_eq!(response.url().unwrap().as_str(), "https://example.org/cross_domain_target");
        assert!(json(&response)["headers"].get("authorization").is_none());
        Ok(())
    }

    fn test_cross_domain_https_redirect_with_auth_header() {
        let client = builder!().transport(MockTransport::new(redirects)).build()?;
        let response = send!(client
            .get("http://example.com/cross_domain")
            .header("Authorization", "abc")
            .follow_redirects(true))?;
        assert_eq!(response.url().unwrap().as_str(), "https://example.org/cross_domain_target");
        assert!(json(&response)["headers"].get("authorization").is_none());
        Ok(())
    }

    fn test_cross_domain_redirect_with_auth() {
        let client = builder!().transport(MockTransport::new(redirects)).build()?;
        let response = send!(client
            .get("https://example.com/cross_domain")
            .auth(HeaderAuth("Basic dXNlcjpwYXNz"))
            .follow_redirects(true))?;
        assert_eq!(response.url().unwrap().as_str(), "https://example.org/cross_domain_target");
        assert!(json(&response)["headers"].get("authorization").is_none());
        // The first hop did carry it.
        let first = &response.history()[0];
        assert_eq!(
            first.request().unwrap().headers().get("authorization").as_deref(),
            Some("Basic dXNlcjpwYXNz")
        );
        Ok(())
    }

    fn test_same_domain_redirect() {
        let client = builder!().transport(MockTransport::new(redirects)).build()?;
        let response = send!(client
            .get("https://example.org/cross_domain")
            .header("Authorization", "abc")
            .follow_redirects(true))?;
        assert_eq!(response.url().unwrap().as_str(), "https://example.org/cross_domain_target");
        assert_eq!(json(&response)["headers"]["authorization"], "abc");
        Ok(())
    }

    fn test_same_domain_https_redirect_with_auth_header() {
        let client = builder!().transport(MockTransport::new(redirects)).build()?;
        let response = send!(client
            .get("http://example.org/cross_domain")
            .header("Authorization", "abc")
            .follow_redirects(true))?;
        assert_eq!(response.url().unwrap().as_str(), "https://example.org/cross_domain_target");
        assert_eq!(json(&response)["headers"]["authorization"], "abc");
        Ok(())
    }

    fn test_body_redirect() {
        // A 308 redirect should preserve the request body.
        let client = builder!().transport(MockTransport::new(redirects)).build()?;
        let response = send!(client
            .post("https://example.org/redirect_body")
            .content("Example request body")
            .follow_redirects(true))?;
        assert_eq!(response.url().unwrap().as_str(), "https://example.org/redirect_body_target");
        let body = json(&response);
        assert_eq!(body["body"], "Example request body");
        assert_eq!(body["method"], "POST");
        assert_eq!(body["headers"]["content-length"], "20");
        Ok(())
    }

    fn test_no_body_redirect() {
        // A 303 redirect should remove the request body.
        let client = builder!().transport(MockTransport::new(redirects)).build()?;
        let response = send!(client
            .post("https://example.org/redirect_no_body")
            .content("Example request body")
            .follow_redirects(true))?;
        assert_eq!(response.url().unwrap().as_str(), "https://example.org/redirect_body_target");
        let body = json(&response);
        assert_eq!(body["body"], "");
        assert_eq!(body["method"], "GET");
        assert!(body["headers"].get("content-length").is_none());
        Ok(())
    }

    fn test_can_stream_if_no_redirect() {
        let client = builder!().transport(MockTransport::new(redirects)).build()?;
        let mut response = send!(client
            .stream("GET", "https://example.org/redirect_301")
            .follow_redirects(false))?;
        assert_eq!(response.status(), StatusCode::MOVED_PERMANENTLY);
        assert_eq!(response.headers().get("location").as_deref(), Some("https://example.org/"));
        // A mock's bytes body is in memory from the start (as in httpx); reading again
        // is a no-op.
        read!(response)?;
        assert!(response.text()?.contains("here"));
        Ok(())
    }

    fn test_cannot_redirect_streaming_body() {
        // The transport consumes the stream (MockTransport reads the body); a 308 must
        // send it again, which a stream cannot do.
        let client = builder!().transport(MockTransport::new(redirects)).build()?;
        let body = Body::from_iter(vec![Ok::<_, httpx::Error>("Example request body")], None);
        let err = send!(client
            .post("https://example.org/redirect_body")
            .body(body)
            .follow_redirects(true))
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::StreamConsumed);
        Ok(())
    }

    fn test_cross_subdomain_redirect() {
        let client = builder!().transport(MockTransport::new(redirects)).build()?;
        let response = send!(client.get("https://example.com/cross_subdomain").follow_redirects(true))?;
        assert_eq!(response.url().unwrap().as_str(), "https://www.example.org/cross_subdomain");
        // The Host header followed the new URL (the handler checks it).
        assert_eq!(response.text()?, "Hello, world!");
        Ok(())
    }

    fn test_redirect_cookie_behavior() {
        let client = builder!()
            .transport(MockTransport::new(cookie_sessions))
            .follow_redirects(true)
            .build()?;

        // The client is not logged in.
        let response = send!(client.get("https://example.com/"))?;
        assert_eq!(response.url().unwrap().as_str(), "https://example.com/");
        assert_eq!(response.text()?, "Not logged in");

        // Login redirects to the homepage, setting a session cookie.
        let response = send!(client.post("https://example.com/login"))?;
        assert_eq!(response.url().unwrap().as_str(), "https://example.com/");
        assert_eq!(response.text()?, "Logged in");

        // The client is logged in.
        let response = send!(client.get("https://example.com/"))?;
        assert_eq!(response.url().unwrap().as_str(), "https://example.com/");
        assert_eq!(response.text()?, "Logged in");

        // Logout redirects to the homepage, expiring the session cookie.
        let response = send!(client.post("https://example.com/logout"))?;
        assert_eq!(response.url().unwrap().as_str(), "https://example.com/");
        assert_eq!(response.text()?, "Not logged in");

        // The client is not logged in.
        let response = send!(client.get("https://example.com/"))?;
        assert_eq!(response.url().unwrap().as_str(), "https://example.com/");
        assert_eq!(response.text()?, "Not logged in");
        Ok(())
    }

    fn test_redirect_custom_scheme() {
        // httpx hands "market://" to the transport, whose handler raises "Scheme 'market'
        // not supported."; here: the client refuses to follow a redirect to any scheme
        // but http and https before any transport is called (SECURITY.md R10).
        let client = builder!().transport(MockTransport::new(redirects)).build()?;
        let err = send!(client
            .post("https://example.org/redirect_custom_scheme")
            .follow_redirects(true))
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnsupportedProtocol);
        assert!(err.message().contains("'market'"), "{err}");
        Ok(())
    }

    // ---- SECURITY.md rows ----

    fn r1_authorization_stripped_cross_origin_header_and_auth() {
        for use_auth in [false, true] {
            let (transport, seen) = redirect_to(302, "https://other.example/target");
            let client = builder!().transport(transport).follow_redirects(true).build()?;
            let mut request = client.get("https://example.org/start");
            request = if use_auth {
                request.auth(HeaderAuth("secret"))
            } else {
                request.header("Authorization", "secret")
            };
            let response = send!(request)?;
            assert!(json(&response)["headers"].get("authorization").is_none());
            let seen = seen.lock().unwrap();
            assert_eq!(seen.len(), 2);
            assert_eq!(seen[0].headers().get("authorization").as_deref(), Some("secret"));
            assert!(!seen[1].headers().contains("authorization"));
        }
        Ok(())
    }

    fn r1_http_to_https_upgrade_on_default_ports_keeps_authorization() {
        let (transport, _) = redirect_to(301, "https://example.org/target");
        let client = builder!().transport(transport).follow_redirects(true).build()?;
        let response = send!(client.get("http://example.org/start").header("Authorization", "secret"))?;
        assert_eq!(json(&response)["headers"]["authorization"], "secret");

        // ... but not when a port is not the default one (httpx's
        // test_is_not_https_redirect_if_not_default_ports).
        let (transport, _) = redirect_to(301, "https://example.org:1337/target");
        let client = builder!().transport(transport).follow_redirects(true).build()?;
        let response = send!(client
            .get("http://example.org:9999/start")
            .header("Authorization", "secret"))?;
        assert!(json(&response)["headers"].get("authorization").is_none());
        Ok(())
    }

    fn r2_same_host_other_port_or_scheme_is_cross_origin() {
        let cases = [
            ("https://example.org/start", "https://example.org:8443/target"),
            ("https://example.org:8443/start", "https://example.org/target"),
            ("http://example.org/start", "http://example.org:8080/target"),
            // https → http downgrade on the same host (requests CVE-2018-18074).
            ("https://example.org/start", "http://example.org/target"),
            // 127.0.0.1 → localhost is another host, whatever it resolves to.
            ("http://127.0.0.1/start", "http://localhost/target"),
            ("http://localhost:8000/start", "http://127.0.0.1:8000/target"),
        ];
        for (start, location) in cases {
            let (transport, seen) = redirect_to(307, location);
            let client = builder!().transport(transport).follow_redirects(true).build()?;
            let response = send!(client
                .get(start)
                .header("Authorization", "secret")
                .header("Proxy-Authorization", "proxy-secret")
                .header("Cookie", "hand=set"))?;
            let headers = &json(&response)["headers"];
            assert!(headers.get("authorization").is_none(), "{start} -> {location}");
            assert!(headers.get("proxy-authorization").is_none(), "{start} -> {location}");
            assert!(headers.get("cookie").is_none(), "{start} -> {location}");
            let target = httpx::Url::parse(location)?;
            assert_eq!(headers["host"], target.netloc().as_str(), "{start} -> {location}");
            assert_eq!(seen.lock().unwrap().len(), 2);
        }
        Ok(())
    }

    fn r3_hand_set_cookie_dropped_and_rebuilt_from_the_jar() {
        let mut jar = httpx::Cookies::new();
        jar.set("jar_other", "o", "other.example", "/");
        jar.set("jar_origin", "e", "example.org", "/");
        // Cross-origin: the hand-set Cookie header is dropped, the jar's cookies for the
        // new host are sent, and the first host's are not.
        let (transport, seen) = redirect_to(302, "https://other.example/target");
        let client = builder!()
            .transport(transport)
            .cookies(jar.clone())
            .follow_redirects(true)
            .build()?;
        let response = send!(client.get("https://example.org/start").header("Cookie", "hand=set"))?;
        assert_eq!(json(&response)["headers"]["cookie"], "jar_other=o");
        assert_eq!(
            seen.lock().unwrap()[0].headers().get("cookie").as_deref(),
            Some("hand=set")
        );

        // httpx drops a hand-set Cookie on every redirect, same origin included.
        let (transport, _) = redirect_to(302, "/target");
        let client = builder!().transport(transport).follow_redirects(true).build()?;
        let response = send!(client.get("https://example.org/start").header("Cookie", "hand=set"))?;
        assert!(json(&response)["headers"].get("cookie").is_none());
        Ok(())
    }

    fn r4_proxy_authorization_stripped_cross_origin() {
        // httpx 0.28.1 forwards Proxy-Authorization to the new origin; here it is
        // dropped (requests CVE-2023-32681), even on the http → https upgrade that keeps
        // Authorization.
        let (transport, _) = redirect_to(302, "https://other.example/target");
        let client = builder!().transport(transport).follow_redirects(true).build()?;
        let response = send!(client
            .get("https://example.org/start")
            .header("Proxy-Authorization", "Basic cHJveHk6c2VjcmV0"))?;
        assert!(json(&response)["headers"].get("proxy-authorization").is_none());

        let (transport, _) = redirect_to(302, "https://example.org/target");
        let client = builder!().transport(transport).follow_redirects(true).build()?;
        let response = send!(client
            .get("http://example.org/start")
            .header("Authorization", "a")
            .header("Proxy-Authorization", "p"))?;
        let headers = &json(&response)["headers"];
        assert_eq!(headers["authorization"], "a");
        assert!(headers.get("proxy-authorization").is_none());

        // Same origin: kept.
        let (transport, _) = redirect_to(302, "/target");
        let client = builder!().transport(transport).follow_redirects(true).build()?;
        let response = send!(client.get("https://example.org/start").header("Proxy-Authorization", "p"))?;
        assert_eq!(json(&response)["headers"]["proxy-authorization"], "p");
        Ok(())
    }

    fn r6_method_changes_drop_the_body_and_its_headers() {
        // (status, method) → method after the redirect; httpx's _redirect_method.
        let cases = [
            (301, "POST", "GET"),
            (301, "PUT", "PUT"),
            (302, "POST", "GET"),
            (302, "PUT", "GET"),
            (303, "POST", "GET"),
            (303, "PUT", "GET"),
            (303, "DELETE", "GET"),
            (303, "HEAD", "HEAD"),
        ];
        for (status, method, expected) in cases {
            let (transport, seen) = redirect_to(status, "/target");
            let client = builder!().transport(transport).follow_redirects(true).build()?;
            let mut request = client.request(method, "https://example.org/start");
            if method != "HEAD" {
                request = request.json(&serde_json::json!({"a": 1}));
            }
            let response = send!(request)?;
            let seen = seen.lock().unwrap();
            let next = &seen[1];
            assert_eq!(next.method().as_str(), expected, "{status} {method}");
            assert_eq!(response.request().unwrap().method().as_str(), expected);
            if expected != method {
                assert_eq!(next.content()?, b"", "{status} {method}");
                for name in ["content-length", "transfer-encoding", "content-type"] {
                    assert!(!next.headers().contains(name), "{status} {method}: {name}");
                }
            } else if method != "HEAD" {
                assert_eq!(next.content()?, br#"{"a":1}"#, "{status} {method}");
                assert_eq!(next.headers().get("content-type").as_deref(), Some("application/json"));
            }
        }
        Ok(())
    }

    fn r6_streamed_body_dropped_on_method_change() {
        // A stream that was sent does not matter when the redirect turns into GET.
        let (transport, seen) = redirect_to(303, "/target");
        let client = builder!().transport(transport).follow_redirects(true).build()?;
        let body = Body::from_iter(vec![Ok::<_, httpx::Error>("abc")], None);
        let response = send!(client.post("https://example.org/start").body(body))?;
        assert_eq!(response.status(), 200);
        let seen = seen.lock().unwrap();
        assert_eq!(seen[0].headers().get("transfer-encoding").as_deref(), Some("chunked"));
        assert!(!seen[1].headers().contains("transfer-encoding"));
        assert_eq!(seen[1].content()?, b"");
        Ok(())
    }

    fn r7_307_and_308_keep_method_and_body() {
        for status in [307u16, 308] {
            for method in ["POST", "PUT", "PATCH", "DELETE"] {
                let (transport, seen) = redirect_to(status, "/target");
                let client = builder!().transport(transport).follow_redirects(true).build()?;
                let response = send!(client
                    .request(method, "https://example.org/start")
                    .content("payload")
                    .header("Content-Type", "text/plain"))?;
                let body = json(&response);
                assert_eq!(body["method"], method, "{status} {method}");
                assert_eq!(body["body"], "payload", "{status} {method}");
                assert_eq!(body["headers"]["content-length"], "7");
                assert_eq!(body["headers"]["content-type"], "text/plain");
                assert_eq!(seen.lock().unwrap().len(), 2);
            }
        }
        Ok(())
    }

    fn r7_streaming_body_on_307_is_stream_consumed() {
        let (transport, seen) = redirect_to(307, "/target");
        let client = builder!().transport(transport).follow_redirects(true).build()?;
        let body = Body::from_iter(vec![Ok::<_, httpx::Error>("chunk")], Some(5));
        let err = send!(client.put("https://example.org/start").body(body)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::StreamConsumed);
        assert!(err.is_stream());
        // The stream was sent once; the second send never reached the transport.
        assert_eq!(seen.lock().unwrap().len(), 1);
        Ok(())
    }

    fn r8_max_redirects_honoured_at_client_level() {
        let client = builder!()
            .transport(MockTransport::new(redirects))
            .max_redirects(3)
            .follow_redirects(true)
            .build()?;
        let response = send!(client.get("https://example.org/multiple_redirects?count=3"))?;
        assert_eq!(response.history().len(), 3);
        let err = send!(client.get("https://example.org/multiple_redirects?count=4")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TooManyRedirects);
        assert!(err.message().contains("(3)"), "{err}");

        // max_redirects(0): no redirect is followed.
        let client = builder!()
            .transport(MockTransport::new(redirects))
            .max_redirects(0)
            .follow_redirects(true)
            .build()?;
        let err = send!(client.get("https://example.org/redirect_303")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TooManyRedirects);
        Ok(())
    }

    fn r8_loop_is_capped_at_twenty() {
        let calls = Arc::new(AtomicUsize::new(0));
        let counter = calls.clone();
        let transport = MockTransport::new(move |_request| {
            counter.fetch_add(1, Ordering::SeqCst);
            Response::builder(302).header("location", "/loop").build()
        });
        let client = builder!().transport(transport).follow_redirects(true).build()?;
        let err = send!(client.get("https://example.org/loop")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TooManyRedirects);
        // The first request plus 20 followed redirects.
        assert_eq!(calls.load(Ordering::SeqCst), 21);
        assert_eq!(err.request().unwrap().url.as_str(), "https://example.org/loop");
        Ok(())
    }

    fn r10_non_http_locations_are_refused_before_any_transport() {
        for location in [
            "file:///etc/passwd",
            "market://details?id=42",
            "javascript:alert(1)",
            "data:text/plain,hi",
            "ftp://example.org/file",
        ] {
            let (transport, seen) = redirect_to(302, location);
            // Even a mount for every URL must not receive it.
            let client = builder!().mount("all://", transport).follow_redirects(true).build()?;
            let err = send!(client.get("https://example.org/start")).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::UnsupportedProtocol, "{location}");
            assert_eq!(seen.lock().unwrap().len(), 1, "{location}");
        }
        Ok(())
    }

    fn r10_custom_scheme_location_without_following() {
        // httpx returns the redirect with a `next_request` for the custom URL; sending it
        // fails at the transport unless a mount handles that scheme. Here the response
        // comes back too (an OAuth callback to "myapp://" is read from `Location`), with
        // no next request, since this client never follows non-HTTP redirects.
        let (transport, seen) = redirect_to(302, "myapp://callback?code=1");
        let client = builder!().transport(transport).build()?;
        let response = send!(client.get("https://example.org/authorize"))?;
        assert_eq!(response.status(), 302);
        assert_eq!(
            response.headers().get("location").as_deref(),
            Some("myapp://callback?code=1")
        );
        assert!(response.next_request().is_none());
        assert_eq!(seen.lock().unwrap().len(), 1);
        Ok(())
    }

    fn redirect_without_location_is_final() {
        let transport = MockTransport::new(|_| Response::builder(302).build());
        let client = builder!().transport(transport).follow_redirects(true).build()?;
        let response = send!(client.get("https://example.org/"))?;
        assert_eq!(response.status(), 302);
        assert!(response.next_request().is_none());
        assert!(response.history().is_empty());
        Ok(())
    }

    fn per_request_follow_redirects_overrides_the_client() {
        let client = builder!()
            .transport(MockTransport::new(redirects))
            .follow_redirects(true)
            .build()?;
        let response = send!(client.get("https://example.org/redirect_303").follow_redirects(false))?;
        assert_eq!(response.status(), 303);
        let client = builder!().transport(MockTransport::new(redirects)).build()?;
        let response = send!(client.get("https://example.org/redirect_303").follow_redirects(true))?;
        assert_eq!(response.status(), 200);
        Ok(())
    }

    fn streamed_response_follows_redirects_and_leaves_the_last_body_unread() {
        let transport = MockTransport::new(|request: Request| {
            let body = vec![Ok::<_, httpx::Error>(format!("body of {}", request.url().path()))];
            if request.url().path() == "/start" {
                Response::builder(302).header("location", "/end").stream(body).build()
            } else {
                Response::builder(200).stream(body).build()
            }
        });
        let client = builder!().transport(transport).follow_redirects(true).build()?;
        let mut response = send!(client.stream("GET", "https://example.org/start"))?;
        assert_eq!(response.history()[0].text()?, "body of /start");
        assert_eq!(response.content().unwrap_err().kind(), ErrorKind::ResponseNotRead);
        assert_eq!(read!(response)?.as_ref(), b"body of /end");
        Ok(())
    }

    fn next_request_carries_cookies_set_by_the_redirect() {
        let transport = MockTransport::new(|request: Request| {
            if request.url().path() == "/login" {
                Response::builder(303)
                    .header("location", "/home")
                    .header("set-cookie", "session=1; Path=/")
                    .build()
            } else {
                echo_body_and_headers(&request)
            }
        });
        let client = builder!().transport(transport).build()?;
        let mut response = send!(client.post("https://example.org/login").content("user=a"))?;
        let next = response.take_next_request().unwrap();
        assert_eq!(next.method(), "GET");
        assert_eq!(next.headers().get("cookie").as_deref(), Some("session=1"));
        assert!(!next.headers().contains("content-length"));
        let response = send_request!(client, next)?;
        assert_eq!(json(&response)["headers"]["cookie"], "session=1");
        Ok(())
    }

    fn redirect_history_bodies_are_read() {
        let client = builder!()
            .transport(MockTransport::new(redirects))
            .follow_redirects(true)
            .build()?;
        let response = send!(client.post("https://example.org/redirect_301"))?;
        let first = &response.history()[0];
        assert_eq!(first.status(), 301);
        assert_eq!(first.text()?, "<a href='https://example.org/'>here</a>");
        assert_eq!(first.request().unwrap().method(), "POST");
        Ok(())
    }
}

/// httpx's `cookie_sessions` app.
fn cookie_sessions(request: Request) -> Result<Response> {
    match request.url().path().as_ref() {
        "/" => {
            let text = if request.headers().contains("cookie") {
                "Logged in"
            } else {
                "Not logged in"
            };
            Response::builder(200).content(text).build()
        }
        "/login" => Response::builder(303)
            .header("location", "/")
            .header(
                "set-cookie",
                "session=eyJ1c2VybmFtZSI6ICJ0b21; path=/; Max-Age=1209600; httponly; samesite=lax",
            )
            .build(),
        path => {
            assert_eq!(path, "/logout");
            Response::builder(303)
                .header("location", "/")
                .header(
                    "set-cookie",
                    "session=null; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT; httponly; samesite=lax",
                )
                .build()
        }
    }
}

/// An async stream body cannot be replayed on a 308 either (async client only).
#[tokio::test]
async fn test_cannot_redirect_async_streaming_body() -> Result<()> {
    let client = httpx::AsyncClient::builder()
        .transport(MockTransport::new(redirects))
        .build()?;
    let stream = futures_util::stream::iter(vec![Ok::<_, httpx::Error>("Example request body")]);
    let err = client
        .post("https://example.org/redirect_body")
        .body(Body::from_stream(stream, None))
        .follow_redirects(true)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::StreamConsumed);
    Ok(())
}

/// SECURITY.md D4: a followed redirect's body is read only up to a bound, never
/// inflated without limit (urllib3 CVE-2026-21441). Here the 302 carries 64 MiB of
/// gzipped zeros: the client stops reading it, closes it, and follows the redirect.
mod d4_redirect_body_is_bounded {
    use super::*;
    use std::io::Write;

    fn bomb() -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let zeros = vec![0u8; 1024 * 1024];
        for _ in 0..64 {
            encoder.write_all(&zeros).unwrap();
        }
        encoder.finish().unwrap()
    }

    fn transport() -> MockTransport {
        let bomb = bomb();
        MockTransport::new(move |request| match request.url().path().as_ref() {
            "/bomb" => {
                let chunks: Vec<Result<Vec<u8>>> =
                    bomb.chunks(4096).map(|c| Ok(c.to_vec())).collect();
                Response::builder(302)
                    .header("location", "/done")
                    .header("content-encoding", "gzip")
                    .stream(chunks)
                    .build()
            }
            _ => Response::builder(200).text("done").build(),
        })
    }

    dual_test! {
        fn redirect_body_is_not_inflated() {
            let client = builder!().transport(transport()).follow_redirects(true).build()?;
            let response = send!(client.get("https://example.org/bomb"))?;
            assert_eq!(response.text()?, "done");
            let first = &response.history()[0];
            assert_eq!(first.status(), 302);
            assert!(first.is_closed());
            assert_eq!(first.content().unwrap_err().kind(), ErrorKind::ResponseNotRead);
            // Far less than the 64 MiB it would inflate to was even downloaded.
            assert!(first.num_bytes_downloaded() < 1024 * 1024, "{}", first.num_bytes_downloaded());
            Ok(())
        }
    }
}
