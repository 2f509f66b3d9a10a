//! Event hooks: a step before every send and after every response, and none
//! without hooks.

use super::*;

#[test]
fn hooks_run_around_every_hop() {
    let settings = FlowSettings {
        has_request_hooks: true,
        has_response_hooks: true,
        ..settings()
    };
    let mut s = get_with(settings, one_redirect());
    s.finish().unwrap();
    assert_eq!(s.steps(), "RequestHooks Send ResponseHooks DrainRedirect RequestHooks Send ResponseHooks ReadResponse Done");
}

#[test]
fn what_a_request_hook_changes_is_sent() {
    let settings = FlowSettings {
        has_request_hooks: true,
        ..settings()
    };
    let mut s = get_with(settings, [reply(200, &[])]).on_request(|request| {
        request.headers_mut().insert("x-signed", "yes").unwrap();
    });
    s.finish().unwrap();
    assert_eq!(s.sent[0].headers().get("x-signed").as_deref(), Some("yes"));
}

#[test]
fn a_request_hook_sees_the_send_options() {
    let settings = FlowSettings {
        has_request_hooks: true,
        timeout: Timeout::new(3.0),
        ..settings()
    };
    let mut s = Scenario::new(get("https://a.test/"), settings);
    let Step::RequestHooks(request) = s.run_until("RequestHooks").unwrap() else {
        unreachable!()
    };
    assert_eq!(request.options().timeout, Timeout::new(3.0));
}
