//! Cookies: the jar learns from every response and the next hop carries them,
//! unless the transport's host keeps cookies itself.

use super::*;

/// Settings with a jar, and the jar.
fn with_jar() -> (Arc<Mutex<Cookies>>, FlowSettings<'static>) {
    let jar = Arc::new(Mutex::new(Cookies::new()));
    let settings = FlowSettings {
        cookies: Some(jar.clone()),
        ..settings()
    };
    (jar, settings)
}

#[test]
fn a_cookie_set_by_a_redirect_goes_with_the_next_hop() {
    let (jar, settings) = with_jar();
    let mut s = Scenario::new(get("https://a.test/login"), settings).replies([
        reply(
            302,
            &[("location", "/home"), ("set-cookie", "session=s1; Path=/")],
        ),
        reply(200, &[]),
    ]);
    s.finish().unwrap();
    assert!(!s.sent[0].headers().contains("cookie"));
    assert_eq!(
        s.sent[1].headers().get("cookie").as_deref(),
        Some("session=s1")
    );
    assert_eq!(
        jar.lock().unwrap().get("session", None, None).unwrap(),
        Some("s1".to_string())
    );
}

#[test]
fn a_host_that_keeps_cookies_leaves_the_jar_alone() {
    let (jar, settings) = with_jar();
    let mut s = get_with(settings, [reply(200, &[("set-cookie", "a=1")])]);
    s.capabilities = Capabilities {
        manages_cookies: true,
        ..Capabilities::default()
    };
    s.finish().unwrap();
    assert!(jar.lock().unwrap().is_empty());
}
