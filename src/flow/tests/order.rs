//! A flow driven out of order fails instead of guessing.

use super::*;
use crate::error::ErrorKind;

#[test]
fn an_input_the_state_does_not_expect_is_an_invalid_state_error() {
    let mut s = Scenario::new(get("https://a.test/"), settings());
    let _send = s.next_step().unwrap();
    // The flow waits for `Sent`; a `Response` input is out of order.
    s.input = Some(Input::Response(reply(200, &[])));
    let err = s.next_step().err().unwrap();
    assert_eq!(err.kind(), ErrorKind::InvalidState);
}

#[test]
fn a_finished_flow_takes_no_more_input() {
    let mut s = get_with(settings(), [reply(200, &[])]);
    s.finish().unwrap();
    s.input = Some(Input::Start);
    assert_eq!(s.next_step().err().unwrap().kind(), ErrorKind::InvalidState);
}
