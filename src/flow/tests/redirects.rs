//! Redirects: which steps a hop takes, history, `next_request`, the hop limit.

use super::*;
use crate::error::ErrorKind;

#[test]
fn a_followed_redirect_is_drained_then_the_next_request_is_sent() {
    let mut s = Scenario::new(get("https://a.test/start"), settings())
        .replies([redirect(302, "/end"), reply(200, &[])]);
    let response = s.finish().unwrap();
    assert_eq!(s.steps(), "Send DrainRedirect Send ReadResponse Done");
    assert_eq!(s.sent[1].url().as_str(), "https://a.test/end");
    assert_eq!(response.status(), 200);
    let history = response.history();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].status(), 302);
    assert_eq!(
        history[0].request().unwrap().url().as_str(),
        "https://a.test/start"
    );
}

#[test]
fn without_following_the_redirect_is_final_and_names_its_next_request() {
    let settings = FlowSettings {
        follow_redirects: false,
        ..settings()
    };
    let mut s = Scenario::new(get("https://a.test/start"), settings).replies([redirect(307, "/x")]);
    let response = s.finish().unwrap();
    assert_eq!(s.steps(), "Send ReadResponse Done");
    assert_eq!(response.status(), 307);
    assert_eq!(
        response.next_request().unwrap().url().as_str(),
        "https://a.test/x"
    );
    assert!(response.history().is_empty());
}

#[test]
fn one_hop_past_max_redirects_is_too_many_redirects() {
    let settings = FlowSettings {
        max_redirects: 2,
        ..settings()
    };
    let mut s = Scenario::new(get("https://a.test/0"), settings).replies([
        redirect(302, "/1"),
        redirect(302, "/2"),
        redirect(302, "/3"),
    ]);
    let message = "Exceeded maximum allowed redirects (2).";
    assert_fails(s.finish(), ErrorKind::TooManyRedirects, message);
    // Two hops were sent after the first request; the third was refused.
    assert_eq!(s.sent.len(), 3);
}

#[test]
fn a_303_after_post_becomes_a_get_without_body() {
    let post = request(Method::POST, "https://a.test/form");
    let mut s = Scenario::new(post, settings()).replies([redirect(303, "/done"), reply(200, &[])]);
    s.finish().unwrap();
    assert_eq!(s.sent[1].method(), &Method::GET);
    assert!(!s.sent[1].headers().contains("content-length"));
}

#[test]
fn authorization_is_not_sent_to_another_origin() {
    let mut first = get("https://a.test/");
    first
        .headers_mut()
        .insert("Authorization", "Bearer secret")
        .unwrap();
    let mut s = Scenario::new(first, settings())
        .replies([redirect(302, "https://b.test/"), reply(200, &[])]);
    s.finish().unwrap();
    assert!(s.sent[0].headers().contains("authorization"));
    assert!(!s.sent[1].headers().contains("authorization"));
}

#[test]
fn a_location_of_another_scheme_fails_when_following_and_is_returned_otherwise() {
    let mut s = get_with(settings(), [redirect(302, "myapp://callback")]);
    let err = s.finish().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnsupportedProtocol);

    let settings = FlowSettings {
        follow_redirects: false,
        ..settings()
    };
    let mut s = Scenario::new(get("https://a.test/"), settings)
        .replies([redirect(302, "myapp://callback")]);
    let response = s.finish().unwrap();
    assert_eq!(response.status(), 302);
    assert!(response.next_request().is_none());
}

#[test]
fn a_streamed_send_ends_with_the_response_unread() {
    let settings = FlowSettings {
        stream: true,
        ..settings()
    };
    let mut s = get_with(settings, [redirect(301, "/b"), reply(200, &[])]);
    s.finish().unwrap();
    // Redirect bodies are still drained; the final one is left to the caller.
    assert_eq!(s.steps(), "Send DrainRedirect Send Done");
}
