//! Opening connections: TCP (optionally from a local address), Unix sockets, TLS, HTTP
//! proxies (forwarding and CONNECT tunnels) and SOCKS5.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpSocket;

use super::io::BoxIo;
use crate::config::Proxy;
use crate::error::{Error, ErrorKind, Result};

/// A proxy as the transport uses it.
#[derive(Clone, Debug)]
pub(crate) enum ProxyRoute {
    /// An `http://` or `https://` proxy: absolute-form for http targets, CONNECT for
    /// https targets.
    Http {
        host: String,
        port: u16,
        tls: bool,
        /// `Proxy-Authorization` value, sent only to the proxy.
        authorization: Option<String>,
        /// Extra headers for the proxy.
        headers: Vec<(String, String)>,
    },
    /// A `socks5://` (local DNS) or `socks5h://` (proxy-side DNS) proxy.
    #[cfg_attr(not(feature = "socks"), allow(dead_code))]
    Socks5 {
        host: String,
        port: u16,
        remote_dns: bool,
        credentials: Option<(String, String)>,
    },
}

impl ProxyRoute {
    pub(crate) fn from_proxy(proxy: &Proxy) -> Result<ProxyRoute> {
        let url = proxy.url();
        let host = url.raw_host().to_string();
        let port = url.port_or_default().unwrap_or(match url.scheme() {
            "https" => 443,
            "http" => 80,
            _ => 1080,
        });
        match url.scheme() {
            "http" | "https" => Ok(ProxyRoute::Http {
                host,
                port,
                tls: url.scheme() == "https",
                authorization: proxy
                    .auth()
                    .map(|(u, p)| crate::auth::basic_header(u.as_bytes(), p.as_bytes())),
                headers: proxy
                    .headers()
                    .multi_items()
                    .map(|(k, v)| (k, v.into_owned()))
                    .collect(),
            }),
            "socks5" | "socks5h" => {
                #[cfg(not(feature = "socks"))]
                {
                    Err(Error::new(
                        ErrorKind::UnsupportedProtocol,
                        "SOCKS proxies need the crate's `socks` feature",
                    ))
                }
                #[cfg(feature = "socks")]
                Ok(ProxyRoute::Socks5 {
                    host,
                    port,
                    remote_dns: url.scheme() == "socks5h",
                    credentials: proxy.auth().map(|(u, p)| (u.to_string(), p.to_string())),
                })
            }
            other => Err(Error::new(
                ErrorKind::UnsupportedProtocol,
                format!("Unknown scheme for proxy URL: {other}://"),
            )),
        }
    }
}

/// How to reach a host: its name and port, from which local address.
pub(crate) struct TcpTarget<'a> {
    pub(crate) host: &'a str,
    pub(crate) port: u16,
    pub(crate) local_address: Option<IpAddr>,
}

fn connect_error(message: String, source: std::io::Error) -> Error {
    Error::new(ErrorKind::ConnectError, message).with_source(source)
}

/// Resolves and connects, trying each address in turn.
pub(crate) async fn tcp(target: TcpTarget<'_>) -> Result<BoxIo> {
    let host = target.host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<SocketAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, target.port)],
        Err(_) => tokio::net::lookup_host((host, target.port))
            .await
            .map_err(|e| connect_error(format!("Name resolution failed for {host}"), e))?
            .collect(),
    };
    let mut last_error = None;
    for addr in addrs {
        match tcp_to(addr, target.local_address).await {
            Ok(stream) => return Ok(Box::new(stream)),
            Err(e) => last_error = Some(e),
        }
    }
    let e = last_error
        .unwrap_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no address found"));
    Err(connect_error(
        format!("Connection to {host}:{} failed", target.port),
        e,
    ))
}

async fn tcp_to(addr: SocketAddr, local: Option<IpAddr>) -> std::io::Result<tokio::net::TcpStream> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    if let Some(ip) = local {
        socket.bind(SocketAddr::new(ip, 0))?;
    }
    let stream = socket.connect(addr).await?;
    stream.set_nodelay(true)?;
    Ok(stream)
}

/// Connects to a Unix domain socket.
#[cfg(unix)]
pub(crate) async fn unix(path: &std::path::Path) -> Result<BoxIo> {
    let stream = tokio::net::UnixStream::connect(path).await.map_err(|e| {
        connect_error(
            format!("Connection to the Unix socket {} failed", path.display()),
            e,
        )
    })?;
    Ok(Box::new(stream))
}

/// Connects to a Unix domain socket.
#[cfg(not(unix))]
pub(crate) async fn unix(path: &std::path::Path) -> Result<BoxIo> {
    Err(Error::new(
        ErrorKind::UnsupportedProtocol,
        format!(
            "Unix sockets are not available on this platform ({})",
            path.display()
        ),
    ))
}

/// The outcome of a TLS handshake: the stream and whether HTTP/2 was negotiated.
#[cfg(feature = "rustls")]
pub(crate) struct TlsStream {
    pub(crate) io: BoxIo,
    pub(crate) h2: bool,
}

/// Runs a TLS handshake over `io`.
#[cfg(feature = "rustls")]
pub(crate) async fn tls(
    io: BoxIo,
    host: &str,
    config: std::sync::Arc<rustls::ClientConfig>,
) -> Result<TlsStream> {
    let name = super::tls::server_name(host.trim_start_matches('[').trim_end_matches(']'))?;
    let stream = tokio_rustls::TlsConnector::from(config)
        .connect(name, io)
        .await
        .map_err(|e| connect_error(format!("TLS handshake with {host} failed"), e))?;
    let h2 = stream.get_ref().1.alpn_protocol() == Some(b"h2");
    Ok(TlsStream {
        io: Box::new(stream),
        h2,
    })
}

/// Opens a CONNECT tunnel through an HTTP proxy to `host:port`.
pub(crate) async fn connect_tunnel(
    mut io: BoxIo,
    host: &str,
    port: u16,
    authorization: Option<&str>,
    headers: &[(String, String)],
) -> Result<BoxIo> {
    let authority = if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    let mut head = format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n");
    if let Some(value) = authorization {
        head.push_str(&format!("Proxy-Authorization: {value}\r\n"));
    }
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let proxy_error = |message: String| Error::new(ErrorKind::ProxyError, message);
    let proxy_io_error = |message: &'static str, e: std::io::Error| {
        Error::new(ErrorKind::ProxyError, message).with_source(e)
    };
    io.write_all(head.as_bytes())
        .await
        .map_err(|e| proxy_io_error("Sending CONNECT to the proxy failed", e))?;
    io.flush()
        .await
        .map_err(|e| proxy_io_error("Sending CONNECT to the proxy failed", e))?;

    // Read the proxy's answer head byte by byte so no tunnel bytes are taken from it.
    let mut response = Vec::with_capacity(256);
    let mut byte = [0u8; 1];
    while !response.ends_with(b"\r\n\r\n") {
        if response.len() > 64 * 1024 {
            return Err(proxy_error(
                "The proxy's answer to CONNECT is too long".into(),
            ));
        }
        let n = io
            .read(&mut byte)
            .await
            .map_err(|e| proxy_io_error("Reading the proxy's answer to CONNECT failed", e))?;
        if n == 0 {
            return Err(proxy_error(
                "The proxy closed the connection instead of answering CONNECT".into(),
            ));
        }
        response.push(byte[0]);
    }
    let status_line = response
        .split(|&b| b == b'\r')
        .next()
        .map(|l| String::from_utf8_lossy(l).into_owned())
        .unwrap_or_default();
    let status: u16 = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| {
            proxy_error(format!(
                "Malformed answer to CONNECT from the proxy: {status_line:?}"
            ))
        })?;
    match status {
        200..=299 => Ok(io),
        407 => Err(proxy_error(format!(
            "The proxy requires authentication (407) for CONNECT {authority}"
        ))),
        _ => Err(proxy_error(format!(
            "The proxy refused CONNECT {authority}: {status_line}"
        ))),
    }
}

/// Connects through a SOCKS5 proxy.
#[cfg(feature = "socks")]
pub(crate) async fn socks5(
    proxy_host: &str,
    proxy_port: u16,
    remote_dns: bool,
    credentials: Option<&(String, String)>,
    host: &str,
    port: u16,
    local_address: Option<IpAddr>,
) -> Result<BoxIo> {
    use tokio_socks::tcp::Socks5Stream;
    use tokio_socks::TargetAddr;

    let proxy_error = |message: String| Error::new(ErrorKind::ProxyError, message);
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let target: TargetAddr<'static> = match bare.parse::<IpAddr>() {
        Ok(ip) => TargetAddr::Ip(SocketAddr::new(ip, port)),
        Err(_) if remote_dns => TargetAddr::Domain(bare.to_string().into(), port),
        Err(_) => {
            let addr = tokio::net::lookup_host((bare, port))
                .await
                .map_err(|e| connect_error(format!("Name resolution failed for {bare}"), e))?
                .next()
                .ok_or_else(|| {
                    Error::new(ErrorKind::ConnectError, format!("No address for {bare}"))
                })?;
            TargetAddr::Ip(addr)
        }
    };
    let proxy_host = proxy_host.trim_start_matches('[').trim_end_matches(']');
    let proxy_addr: SocketAddr = match proxy_host.parse::<IpAddr>() {
        Ok(ip) => SocketAddr::new(ip, proxy_port),
        Err(_) => tokio::net::lookup_host((proxy_host, proxy_port))
            .await
            .map_err(|e| connect_error(format!("Name resolution failed for {proxy_host}"), e))?
            .next()
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::ConnectError,
                    format!("No address for {proxy_host}"),
                )
            })?,
    };
    let tcp = tcp_to(proxy_addr, local_address).await.map_err(|e| {
        connect_error(
            format!("Connection to the SOCKS proxy {proxy_host}:{proxy_port} failed"),
            e,
        )
    })?;
    let stream = match credentials {
        Some((user, pass)) => {
            Socks5Stream::connect_with_password_and_socket(tcp, target, user, pass).await
        }
        None => Socks5Stream::connect_with_socket(tcp, target).await,
    }
    .map_err(|e| {
        proxy_error(format!(
            "The SOCKS5 proxy could not connect to {bare}:{port}"
        ))
        .with_source(e)
    })?;
    Ok(Box::new(stream))
}

/// Runs `fut` under the connect timeout.
pub(crate) async fn with_connect_timeout<T>(
    timeout: Option<Duration>,
    fut: impl std::future::Future<Output = Result<T>>,
) -> Result<T> {
    match timeout {
        None => fut.await,
        Some(t) => tokio::time::timeout(t, fut).await.unwrap_or_else(|_| {
            Err(Error::new(
                ErrorKind::ConnectTimeout,
                format!("Timed out connecting after {:.3}s", t.as_secs_f64()),
            ))
        }),
    }
}
