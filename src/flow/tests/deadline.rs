//! The total deadline: counted from the first step's time, checked before each
//! send, carried to the transport in the request's options. No test sleeps: the
//! scenario's clock moves when a test moves it.

use super::*;
use crate::error::ErrorKind;

fn with_total(seconds: f64) -> FlowSettings<'static> {
    FlowSettings {
        timeout: Timeout::default().total(seconds),
        ..settings()
    }
}

#[test]
fn the_deadline_reaches_the_transport() {
    let mut s = Scenario::new(get("https://a.test/"), with_total(5.0));
    let start = s.now;
    let Step::Send(request) = s.run_until("Send").unwrap() else {
        unreachable!()
    };
    assert_eq!(
        request.options().deadline,
        Some(start + Duration::from_secs(5))
    );
}

/// A redirect loop whose hop comes `later` than the first send.
fn hop_after(settings: FlowSettings<'static>, later: Duration) -> Scenario {
    let mut s = get_with(settings, one_redirect());
    let drain = s.run_until("DrainRedirect").unwrap();
    s.advance(later);
    s.resume(drain).unwrap();
    s
}

#[test]
fn a_hop_after_the_deadline_is_a_total_timeout() {
    let mut s = hop_after(with_total(1.0), Duration::from_millis(1000));
    let message = "The total timeout of 1.000s passed";
    assert_fails(s.finish(), ErrorKind::TotalTimeout, message);
    assert_eq!(s.sent.len(), 1);
}

#[test]
fn a_hop_just_before_the_deadline_is_sent() {
    let mut s = hop_after(with_total(1.0), Duration::from_millis(999));
    assert_eq!(s.finish().unwrap().status(), 200);
    assert_eq!(s.sent.len(), 2);
}

#[test]
fn without_a_total_timeout_time_does_not_matter() {
    let mut s = hop_after(settings(), Duration::from_secs(24 * 3600));
    assert_eq!(s.finish().unwrap().status(), 200);
    assert_eq!(s.sent[1].options().deadline, None);
}
