//! Proxies from the environment (`HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY`)
//! as httpx reads them: a list of mount patterns, each with a proxy URL or none.

/// The value of `name`, lowercase spelling first (as Python's `urllib` reads proxies).
/// `HTTP_PROXY` in capitals is ignored when `REQUEST_METHOD` is set: in a CGI script
/// a client's `Proxy:` header arrives as `HTTP_PROXY` (httpoxy).
fn proxy_var(name: &str, env: &impl Fn(&str) -> Option<String>) -> Option<String> {
    let upper = || {
        if name == "HTTP_PROXY" && env("REQUEST_METHOD").is_some() {
            return None;
        }
        env(name)
    };
    env(&name.to_ascii_lowercase())
        .or_else(upper)
        .filter(|v| !v.trim().is_empty())
}

fn is_ipv4(host: &str) -> bool {
    host.split('/')
        .next()
        .is_some_and(|h| h.parse::<std::net::Ipv4Addr>().is_ok())
}

fn is_ipv6(host: &str) -> bool {
    host.split('/')
        .next()
        .is_some_and(|h| h.parse::<std::net::Ipv6Addr>().is_ok())
}

/// httpx's `get_environment_proxies`: `(pattern, Some(proxy URL))` for proxies,
/// `(pattern, None)` for `NO_PROXY` hosts (they use the client's own transport).
/// `NO_PROXY=*` turns every proxy off. A `.example.com` entry covers subdomains only,
/// a bare `example.com` the domain and its subdomains, IP addresses and `localhost`
/// themselves only.
pub(crate) fn environment_proxies() -> Vec<(String, Option<String>)> {
    proxies_from(|name| std::env::var(name).ok())
}

fn proxies_from(env: impl Fn(&str) -> Option<String>) -> Vec<(String, Option<String>)> {
    let var = |name: &str| proxy_var(name, &env);
    let mut mounts = Vec::new();
    for (scheme, name) in [
        ("http", "HTTP_PROXY"),
        ("https", "HTTPS_PROXY"),
        ("all", "ALL_PROXY"),
    ] {
        if let Some(value) = var(name) {
            let value = value.trim().to_string();
            let url = if value.contains("://") {
                value
            } else {
                format!("http://{value}")
            };
            mounts.push((format!("{scheme}://"), Some(url)));
        }
    }
    if let Some(no_proxy) = var("NO_PROXY") {
        for host in no_proxy.split(',').map(str::trim) {
            if host == "*" {
                return Vec::new();
            }
            if host.is_empty() {
                continue;
            }
            let pattern = if host.contains("://") {
                host.to_string()
            } else if is_ipv4(host) {
                format!("all://{host}")
            } else if is_ipv6(host) {
                format!("all://[{host}]")
            } else if host.eq_ignore_ascii_case("localhost") {
                format!("all://{host}")
            } else {
                format!("all://*{host}")
            };
            mounts.push((pattern, None));
        }
    }
    mounts
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn with(vars: &[(&str, &str)]) -> Vec<(String, Option<String>)> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        proxies_from(|name| vars.get(name).cloned())
    }

    /// httpx's `test_get_environment_proxies` table (tests/test_utils.py).
    #[test]
    fn httpx_table() {
        assert_eq!(with(&[]), vec![]);
        assert_eq!(
            with(&[("HTTP_PROXY", "http://127.0.0.1")]),
            vec![("http://".to_string(), Some("http://127.0.0.1".to_string()))]
        );
        assert_eq!(
            with(&[
                ("HTTPS_PROXY", "127.0.0.1"),
                ("ALL_PROXY", "socks5://h:1080")
            ]),
            vec![
                ("https://".to_string(), Some("http://127.0.0.1".to_string())),
                ("all://".to_string(), Some("socks5://h:1080".to_string())),
            ]
        );
        assert_eq!(
            with(&[
                ("HTTP_PROXY", "http://p"),
                ("NO_PROXY", "127.0.0.1, ::1, localhost, .example.com, example.org, https://x.net, 10.0.0.0/8"),
            ]),
            vec![
                ("http://".to_string(), Some("http://p".to_string())),
                ("all://127.0.0.1".to_string(), None),
                ("all://[::1]".to_string(), None),
                ("all://localhost".to_string(), None),
                ("all://*.example.com".to_string(), None),
                ("all://*example.org".to_string(), None),
                ("https://x.net".to_string(), None),
                ("all://10.0.0.0/8".to_string(), None),
            ]
        );
        assert_eq!(
            with(&[("HTTP_PROXY", "http://p"), ("NO_PROXY", "*")]),
            vec![]
        );
    }

    #[test]
    fn lowercase_wins_and_httpoxy_is_ignored_in_cgi() {
        assert_eq!(
            with(&[
                ("HTTP_PROXY", "http://upper"),
                ("http_proxy", "http://lower")
            ]),
            vec![("http://".to_string(), Some("http://lower".to_string()))]
        );
        assert_eq!(
            with(&[("HTTP_PROXY", "http://evil"), ("REQUEST_METHOD", "GET")]),
            vec![]
        );
        assert_eq!(
            with(&[("http_proxy", "http://ok"), ("REQUEST_METHOD", "GET")]),
            vec![("http://".to_string(), Some("http://ok".to_string()))]
        );
    }
}
