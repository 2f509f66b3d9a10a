//! The netrc parser: no panic on any text, and every host it reports has credentials.
#![no_main]

use httpx::auth::parse_netrc;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(netrc) = parse_netrc(&text) else {
        return;
    };
    let hosts: Vec<String> = netrc.hosts().map(str::to_owned).collect();
    for host in &hosts {
        assert!(
            netrc.authenticators(host).is_some(),
            "{host:?} listed without credentials"
        );
    }
    let _ = netrc.authenticators("example.org");
    let _ = netrc.has_default();
    for (name, lines) in netrc.macros() {
        let _ = (name.len(), lines.len());
    }
});
