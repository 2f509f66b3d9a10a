//! Auth: where the flow starts the auth flow, reads bodies for it, and keeps its
//! intermediate responses as history.

use super::*;
use crate::auth::{BasicAuth, DigestAuth, SingleRequest};

#[test]
fn without_auth_there_are_no_auth_steps() {
    let mut s = get_with(settings(), [reply(200, &[])]);
    s.finish().unwrap();
    assert_eq!(s.steps(), "Send ReadResponse Done");
}

#[test]
fn basic_auth_starts_before_the_first_send_and_ends_with_the_final_response() {
    let settings = FlowSettings {
        auth: Some(leak(BasicAuth::new("user", "pass"))),
        ..settings()
    };
    let mut s = get_with(settings, [reply(200, &[])]);
    s.finish().unwrap();
    assert_eq!(s.steps(), "StartAuth Send AuthNext ReadResponse Done");
    assert_eq!(
        s.sent[0].headers().get("authorization").as_deref(),
        Some("Basic dXNlcjpwYXNz")
    );
}

#[test]
fn digest_auth_reads_the_challenge_and_retries_with_it_in_the_history() {
    let challenge = r#"Digest realm="r", nonce="abc", qop="auth", algorithm=MD5"#;
    let settings = FlowSettings {
        auth: Some(leak(DigestAuth::new("user", "pass"))),
        ..settings()
    };
    let mut s = Scenario::new(get("https://a.test/p"), settings).replies([
        reply(401, &[("www-authenticate", challenge)]),
        reply(200, &[]),
    ]);
    let response = s.finish().unwrap();
    // Digest replays the request, so its body is read first; the first ReadResponse
    // reads the 401, which the history keeps.
    assert_eq!(
        s.steps(),
        "ReadRequestBody StartAuth Send AuthNext ReadResponse Send AuthNext ReadResponse Done"
    );
    assert!(!s.sent[0].headers().contains("authorization"));
    let authorization = s.sent[1].headers().get("authorization").unwrap();
    assert!(authorization.starts_with("Digest "), "{authorization}");
    assert_eq!(response.status(), 200);
    assert_eq!(response.history().len(), 1);
    assert_eq!(response.history()[0].status(), 401);
}

/// An auth that needs the bodies it signs and answers, as a signing scheme would.
#[derive(Debug)]
struct NeedsBodies;

impl Auth for NeedsBodies {
    fn requires_request_body(&self) -> bool {
        true
    }
    fn requires_response_body(&self) -> bool {
        true
    }
    fn auth_flow(&self, request: Request) -> Box<dyn AuthFlow + '_> {
        Box::new(SingleRequest::new(request))
    }
}

#[test]
fn an_auth_that_needs_bodies_gets_them_read_first() {
    let settings = FlowSettings {
        auth: Some(leak(NeedsBodies)),
        ..settings()
    };
    let mut s = get_with(settings, [reply(200, &[])]);
    s.finish().unwrap();
    // The response is read for the auth flow before AuthNext.
    assert_eq!(
        s.steps(),
        "ReadRequestBody StartAuth Send ReadResponse AuthNext ReadResponse Done"
    );
}

#[test]
fn the_auth_flow_sees_the_end_of_a_redirect_loop_not_each_hop() {
    let settings = FlowSettings {
        auth: Some(leak(BasicAuth::new("user", "pass"))),
        ..settings()
    };
    let mut s = get_with(settings, one_redirect());
    s.finish().unwrap();
    assert_eq!(
        s.steps(),
        "StartAuth Send DrainRedirect Send AuthNext ReadResponse Done"
    );
}
