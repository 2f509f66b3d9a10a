//! The fault server's modes, driven by raw clients: tokio sockets with hand-written
//! HTTP/1.1, and the `h2` crate's client over tokio-rustls for HTTP/2.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use h2::client::SendRequest;
use h2::Reason;
use httpx_test_server::{FaultMode, FaultServer};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, RootCertStore};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

const SECOND: Duration = Duration::from_secs(1);

/// Waits (up to `limit`) until `f` holds.
async fn eventually(limit: Duration, f: impl Fn() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if f() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    f()
}

// ---------------------------------------------------------------------------------------
// HTTP/1.1 by hand.

/// A response read off the socket.
#[derive(Debug)]
struct Res {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Res {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A client connection with its read buffer.
struct H1 {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl H1 {
    async fn connect(server: &FaultServer) -> H1 {
        H1 {
            stream: TcpStream::connect(server.addr()).await.unwrap(),
            buf: Vec::new(),
        }
    }

    async fn send(&mut self, method: &str, path: &str, body: &[u8]) {
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        self.stream.write_all(head.as_bytes()).await.unwrap();
        self.stream.write_all(body).await.unwrap();
    }

    /// The next response, or `None` at EOF before any byte of one.
    async fn response(&mut self) -> Option<Res> {
        loop {
            let mut headers = [httparse::EMPTY_HEADER; 32];
            let mut parsed = httparse::Response::new(&mut headers);
            if let httparse::Status::Complete(len) = parsed.parse(&self.buf).unwrap() {
                let headers: Vec<(String, String)> = parsed
                    .headers
                    .iter()
                    .map(|h| {
                        (
                            h.name.to_string(),
                            String::from_utf8_lossy(h.value).into_owned(),
                        )
                    })
                    .collect();
                let status = parsed.code.unwrap();
                let length: usize = headers
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
                    .map(|(_, v)| v.parse().unwrap())
                    .unwrap_or(0);
                while self.buf.len() < len + length {
                    assert!(self.fill().await > 0, "EOF inside a response body");
                }
                let body = String::from_utf8(self.buf[len..len + length].to_vec()).unwrap();
                self.buf.drain(..len + length);
                return Some(Res {
                    status,
                    headers,
                    body,
                });
            }
            if self.fill().await == 0 {
                assert!(self.buf.is_empty(), "EOF inside a response head");
                return None;
            }
        }
    }

    async fn fill(&mut self) -> usize {
        let mut tmp = [0u8; 8192];
        let n = match self.stream.read(&mut tmp).await {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => 0,
            Err(e) => panic!("read: {e}"),
        };
        self.buf.extend_from_slice(&tmp[..n]);
        n
    }

    /// Whether the server closed the connection within `limit` (without sending
    /// anything).
    async fn closed_within(&mut self, limit: Duration) -> bool {
        match tokio::time::timeout(limit, self.fill()).await {
            Ok(0) => true,
            Ok(n) => panic!(
                "{n} unexpected bytes: {:?}",
                String::from_utf8_lossy(&self.buf)
            ),
            Err(_) => false,
        }
    }
}

#[tokio::test]
async fn stray_after_response_writes_a_second_response_on_the_idle_connection() {
    let server = FaultServer::start(FaultMode::StrayAfterResponse {
        delay: Duration::from_millis(100),
    });
    assert_eq!(server.url("/x"), format!("http://{}/x", server.addr()));
    let mut conn = H1::connect(&server).await;
    conn.send("GET", "/a?q=1", b"").await;
    let res = conn.response().await.unwrap();
    assert_eq!(res.status, 200);
    assert_eq!(res.body, "answer to /a?q=1");
    assert_eq!(res.header("x-smuggled"), None);
    // Nothing asked, yet a response arrives.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(server.stray_responses_sent(), 1);
    let stray = conn.response().await.unwrap();
    assert_eq!(stray.status, 200);
    assert_eq!(stray.header("x-smuggled"), Some("1"));
    assert_eq!(stray.body, "smuggled");
    // The connection still serves requests, bodies included.
    conn.send("POST", "/b", b"12345").await;
    let res = conn.response().await.unwrap();
    assert_eq!(res.body, "answer to /b");
    assert_eq!(res.header("x-body-bytes"), Some("5"));
    assert_eq!(server.requests_received(), 2);
    assert_eq!(server.bodies_received(), 1);
    assert_eq!(server.connections_accepted(), 1);
    // A request sent before the delay passes gets no stray before its answer.
    conn.send("GET", "/c", b"").await;
    let res = conn.response().await.unwrap();
    assert_eq!(res.body, "answer to /c");
    assert_eq!(server.connections_closed_by_peer(), 0);
    drop(conn);
    assert!(eventually(SECOND, || server.connections_closed_by_peer() == 1).await);
}

#[tokio::test]
async fn close_after_request_reads_the_second_request_and_closes() {
    let server = FaultServer::start(FaultMode::CloseAfterRequest);
    let mut conn = H1::connect(&server).await;
    conn.send("GET", "/first", b"").await;
    assert_eq!(conn.response().await.unwrap().body, "answer to /first");
    conn.send("POST", "/second", b"payload").await;
    assert!(
        conn.response().await.is_none(),
        "an answer to the second request"
    );
    assert_eq!(server.requests_received(), 2);
    assert_eq!(server.bodies_received(), 1);
    // A new connection gets its first request answered again.
    let mut conn = H1::connect(&server).await;
    conn.send("POST", "/third", b"abc").await;
    let res = conn.response().await.unwrap();
    assert_eq!(res.body, "answer to /third");
    assert_eq!(res.header("x-body-bytes"), Some("3"));
    assert_eq!(server.requests_received(), 3);
    assert_eq!(server.connections_accepted(), 2);
}

#[tokio::test]
async fn close_when_idle_closes_after_the_keepalive_timeout() {
    let server = FaultServer::start(FaultMode::CloseWhenIdle {
        after: Duration::from_millis(300),
    });
    let mut conn = H1::connect(&server).await;
    for path in ["/1", "/2", "/3"] {
        conn.send("GET", path, b"").await;
        assert_eq!(
            conn.response().await.unwrap().body,
            format!("answer to {path}")
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let start = Instant::now();
    assert!(conn.closed_within(5 * SECOND).await);
    assert!(
        start.elapsed() >= Duration::from_millis(200),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(server.requests_received(), 3);
    // The server closed, not the client.
    assert_eq!(server.connections_closed_by_peer(), 0);
}

#[tokio::test]
async fn slow_body_reader_reads_at_its_pace() {
    let rate = 8 * 1024 * 1024;
    let server = FaultServer::start(FaultMode::SlowBodyReader {
        bytes_per_sec: rate,
    });
    let mut conn = H1::connect(&server).await;
    let size = 2 * rate;
    let start = Instant::now();
    conn.send("PUT", "/upload", &vec![b'x'; size]).await;
    let written = start.elapsed();
    let res = conn.response().await.unwrap();
    let answered = start.elapsed();
    assert_eq!(res.body, size.to_string());
    assert_eq!(res.header("x-body-bytes"), Some(size.to_string().as_str()));
    assert_eq!(server.body_bytes_received(), size);
    // 2 MiB at 1 MiB/s: the last byte is read no sooner than about 2 s after the first.
    assert!(answered >= Duration::from_millis(1900), "{answered:?}");
    // The kernel buffers little of the body: the client is still writing for most of
    // the time.
    assert!(
        written >= Duration::from_millis(1000),
        "written after {written:?}"
    );
    eprintln!("written after {written:?}, answered after {answered:?}");

    // Chunked bodies too, on the same connection.
    let chunked = b"POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n\
        5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nTrailer: 1\r\n\r\n";
    conn.stream.write_all(chunked).await.unwrap();
    let res = conn.response().await.unwrap();
    assert_eq!(res.body, "11");
    assert_eq!(server.bodies_received(), 2);
    assert_eq!(server.requests_received(), 2);
}

#[tokio::test]
async fn never_read_body_stalls_the_upload() {
    let server = FaultServer::start(FaultMode::NeverReadBody);
    let mut conn = H1::connect(&server).await;
    let size = 16 * 1024 * 1024;
    let head = format!("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: {size}\r\n\r\n");
    conn.stream.write_all(head.as_bytes()).await.unwrap();
    let body = vec![b'x'; size];
    let mut sent = 0;
    let chunk = 64 * 1024;
    let stalled = tokio::time::timeout(2 * SECOND, async {
        while sent < size {
            let n = conn
                .stream
                .write(&body[sent..(sent + chunk).min(size)])
                .await
                .unwrap();
            sent += n;
        }
    })
    .await
    .is_err();
    assert!(stalled, "the whole body was accepted");
    assert!(sent < 8 * 1024 * 1024, "{sent} bytes went out");
    assert_eq!(server.requests_received(), 1);
    assert_eq!(server.bodies_received(), 0);
    assert_eq!(server.body_bytes_received(), 0);
    // No answer either.
    assert!(!conn.closed_within(Duration::from_millis(300)).await);
}

#[test]
fn dropping_the_server_closes_its_connections() {
    let server = FaultServer::start(FaultMode::NeverReadBody);
    let addr = server.addr();
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    std::io::Write::write_all(
        &mut stream,
        b"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n",
    )
    .unwrap();
    let start = Instant::now();
    while server.requests_received() == 0 && start.elapsed() < 5 * SECOND {
        std::thread::sleep(Duration::from_millis(10));
    }
    drop(server);
    stream.set_read_timeout(Some(5 * SECOND)).unwrap();
    let mut buf = [0u8; 16];
    let n = std::io::Read::read(&mut stream, &mut buf).unwrap_or(0);
    assert_eq!(n, 0);
    assert!(std::net::TcpStream::connect(addr).is_err());
}

// ---------------------------------------------------------------------------------------
// The hostile mode.

#[tokio::test]
async fn hostile_answers_by_path_and_records_each_request_with_its_connection() {
    let server = FaultServer::start(FaultMode::Hostile);
    let mut conn = H1::connect(&server).await;
    conn.send("GET", "/hostile/bytes-after-body", b"").await;
    let res = conn.response().await.unwrap();
    assert_eq!((res.status, res.body.as_str()), (200, "hello"));
    // The smuggled response follows without being asked for.
    let extra = conn.response().await.unwrap();
    assert_eq!(extra.header("x-smuggled"), Some("1"));
    assert_eq!(extra.body, "smuggled");
    // Other paths get the ordinary answer, on the same connection.
    conn.send("GET", "/plain?x=1", b"").await;
    assert_eq!(conn.response().await.unwrap().body, "answer to /plain?x=1");

    // Location is written raw: the CR LF splits it into two fields.
    let mut other = H1::connect(&server).await;
    other
        .send(
            "GET",
            "/hostile/location?to=%2Fa%0D%0AX-Injected%3A%201",
            b"",
        )
        .await;
    let res = other.response().await.unwrap();
    assert_eq!(res.status, 302);
    assert_eq!(res.header("location"), Some("/a"));
    assert_eq!(res.header("x-injected"), Some("1"));

    let seen = server.received();
    let summary: Vec<(usize, &str)> = seen
        .iter()
        .map(|r| (r.connection, r.target.as_str()))
        .collect();
    assert_eq!(
        summary,
        [
            (1, "/hostile/bytes-after-body"),
            (1, "/plain?x=1"),
            (2, "/hostile/location?to=%2Fa%0D%0AX-Injected%3A%201"),
        ]
    );
    assert_eq!(seen[0].method, "GET");
    assert_eq!(seen[0].header("host"), Some("127.0.0.1"));
    assert!(seen[0]
        .head
        .starts_with("GET /hostile/bytes-after-body HTTP/1.1\r\n"));
    assert!(seen[0].head.ends_with("\r\n\r\n"));
}

#[tokio::test]
async fn hostile_framing_and_flood_answers_are_written_as_said() {
    let server = FaultServer::start(FaultMode::Hostile);
    let raw = |path: &'static str| {
        let addr = server.addr();
        async move {
            let mut stream = TcpStream::connect(addr).await.unwrap();
            let head = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            stream.write_all(head.as_bytes()).await.unwrap();
            let mut out = Vec::new();
            // The server keeps hostile connections open: read what arrives in 300 ms.
            let _ = tokio::time::timeout(Duration::from_millis(300), async {
                let mut tmp = [0u8; 65536];
                while let Ok(n) = stream.read(&mut tmp).await {
                    if n == 0 {
                        break;
                    }
                    out.extend_from_slice(&tmp[..n]);
                }
            })
            .await;
            String::from_utf8_lossy(&out).into_owned()
        }
    };
    let dup = raw("/hostile/duplicate-content-length").await;
    assert!(
        dup.contains("Content-Length: 5\r\nContent-Length: 6\r\n"),
        "{dup}"
    );
    let both = raw("/hostile/content-length-and-chunked").await;
    assert!(
        both.contains("Transfer-Encoding: chunked\r\nContent-Length: "),
        "{both}"
    );
    assert!(
        both.contains("5\r\nhello\r\n0\r\n\r\nHTTP/1.1 200 OK\r\nX-Smuggled: 1"),
        "{both}"
    );
    let non_hex = raw("/hostile/chunk-size/non-hex").await;
    assert!(non_hex.contains("\r\n\r\nzz\r\nhello"), "{non_hex}");
    let negative = raw("/hostile/chunk-size/negative").await;
    assert!(negative.contains("\r\n\r\n-5\r\nhello"), "{negative}");
    let flood = raw("/hostile/header-flood?count=300").await;
    assert_eq!(flood.matches("X-Flood-").count(), 300);
    let huge = raw("/hostile/huge-header?kib=16").await;
    assert!(huge.len() > 16 * 1024);
    let started = Instant::now();
    let slow = raw("/hostile/slow-head?interval_ms=100").await;
    // 300 ms at a byte per 100 ms: a few bytes of the status line, no more.
    assert!(
        !slow.is_empty() && slow.len() <= 5 && "HTTP/1.1".starts_with(&slow),
        "{slow:?} after {:?}",
        started.elapsed()
    );
}

#[test]
fn bad_certificates_fail_verification_for_their_reason() {
    use httpx_test_server::{Certificates, Options, TestServer};
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let handshake = |certificates: Certificates, names: &str| {
        let ca = certificates.ca_pem().to_string();
        let server = TestServer::start_with(Options::new().certificates(certificates));
        let name = ServerName::try_from(names.to_string()).unwrap();
        runtime.block_on(async move {
            let tcp = TcpStream::connect(server.addr()).await.unwrap();
            TlsConnector::from(client_config(&ca))
                .connect(name, tcp)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        })
    };
    assert_eq!(
        handshake(Certificates::generate().unwrap(), "127.0.0.1"),
        Ok(())
    );
    let expired = handshake(Certificates::generate_expired().unwrap(), "127.0.0.1");
    assert!(
        expired.as_ref().unwrap_err().contains("expired"),
        "{expired:?}"
    );
    let self_signed = handshake(Certificates::generate_self_signed().unwrap(), "localhost");
    assert!(
        self_signed.as_ref().unwrap_err().contains("UnknownIssuer"),
        "{self_signed:?}"
    );
    let wrong = handshake(
        Certificates::generate_for(&["other.example"]).unwrap(),
        "127.0.0.1",
    );
    assert!(
        wrong.as_ref().unwrap_err().contains("not valid for name"),
        "{wrong:?}"
    );
}

// ---------------------------------------------------------------------------------------
// HTTP/2 with the h2 crate.

fn client_config(ca: &str) -> Arc<ClientConfig> {
    let mut roots = RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(ca.as_bytes()).unwrap())
        .unwrap();
    let mut config =
        ClientConfig::builder_with_provider(Arc::new(httpx_test_server::ring_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Arc::new(config)
}

/// An HTTP/2 connection to `server`, and the task driving it (finished once the
/// connection closed).
async fn h2_connect(
    server: &FaultServer,
) -> (
    SendRequest<Bytes>,
    tokio::task::JoinHandle<Result<(), h2::Error>>,
) {
    let tcp = TcpStream::connect(server.addr()).await.unwrap();
    let name = ServerName::try_from("127.0.0.1").unwrap();
    let tls = TlsConnector::from(client_config(server.ca_pem()))
        .connect(name, tcp)
        .await
        .unwrap();
    assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
    let (sender, connection) = h2::client::handshake(tls).await.unwrap();
    (sender, tokio::spawn(connection))
}

/// A stream's outcome: the status and body, or the h2 error.
async fn h2_send(
    sender: &SendRequest<Bytes>,
    method: &str,
    url: &str,
    body: &[u8],
) -> Result<(u16, String), h2::Error> {
    let mut sender = sender.clone().ready().await?;
    let request = http::Request::builder()
        .method(method)
        .uri(url)
        .body(())
        .unwrap();
    let (response, mut stream) = sender.send_request(request, body.is_empty())?;
    if !body.is_empty() {
        stream.send_data(Bytes::copy_from_slice(body), true)?;
    }
    let response = response.await?;
    let status = response.status().as_u16();
    let mut recv = response.into_body();
    let mut out = Vec::new();
    while let Some(chunk) = recv.data().await {
        let chunk = chunk?;
        let _ = recv.flow_control().release_capacity(chunk.len());
        out.extend_from_slice(&chunk);
    }
    Ok((status, String::from_utf8(out).unwrap()))
}

#[tokio::test]
async fn h2_only_by_alpn() {
    let server = FaultServer::start(FaultMode::H2Plain {
        delay: Duration::ZERO,
    });
    assert!(server.url("/x").starts_with("https://127.0.0.1:"));
    let tcp = TcpStream::connect(server.addr()).await.unwrap();
    let mut config = (*client_config(server.ca_pem())).clone();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let name = ServerName::try_from("127.0.0.1").unwrap();
    let result = TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await;
    assert!(result.is_err(), "an HTTP/1.1-only client was accepted");
}

#[tokio::test]
async fn h2_plain_answers_concurrent_streams_on_one_connection() {
    let server = FaultServer::start(FaultMode::H2Plain {
        delay: Duration::from_millis(200),
    });
    let (sender, connection) = h2_connect(&server).await;
    let mut tasks = Vec::new();
    for i in 0..32 {
        let sender = sender.clone();
        let url = server.url(&format!("/p/{i}"));
        tasks.push(tokio::spawn(async move {
            h2_send(&sender, "GET", &url, b"").await
        }));
    }
    for (i, task) in tasks.into_iter().enumerate() {
        assert_eq!(
            task.await.unwrap().unwrap(),
            (200, format!("answer to /p/{i}"))
        );
    }
    let posted = h2_send(&sender, "POST", &server.url("/post"), b"0123456789")
        .await
        .unwrap();
    assert_eq!(posted, (200, "10".to_string()));
    assert_eq!(server.connections_accepted(), 1);
    assert_eq!(server.requests_received(), 33);
    assert_eq!(server.bodies_received(), 1);
    assert_eq!(server.body_bytes_received(), 10);
    assert_eq!(server.connections_closed_by_peer(), 0);
    drop(sender);
    connection.abort();
    assert!(eventually(2 * SECOND, || server.connections_closed_by_peer() == 1).await);
}

#[tokio::test]
async fn h2_goaway_after_serves_the_limit_and_refuses_the_rest() {
    let server = FaultServer::start(FaultMode::H2GoawayAfter { requests: 20 });
    // Sequentially: 20 answers, then the connection is going away.
    let (sender, connection) = h2_connect(&server).await;
    for i in 0..20 {
        let answer = h2_send(&sender, "GET", &server.url(&format!("/s/{i}")), b"").await;
        assert_eq!(answer.unwrap(), (200, format!("answer to /s/{i}")));
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let err = h2_send(&sender, "GET", &server.url("/s/20"), b"")
        .await
        .unwrap_err();
    eprintln!("after the limit: {err}");
    // The connection ends cleanly once the accepted streams are done.
    let ended = tokio::time::timeout(5 * SECOND, connection).await;
    assert!(ended.is_ok(), "the connection stayed open");
    assert_eq!(server.requests_refused(), server.requests_received() - 20);

    // Concurrently: exactly 20 of 64 are answered, the others refused or beyond the
    // GOAWAY's last stream id.
    let server = FaultServer::start(FaultMode::H2GoawayAfter { requests: 20 });
    let (sender, connection) = h2_connect(&server).await;
    let mut tasks = Vec::new();
    for i in 0..64 {
        let sender = sender.clone();
        let url = server.url(&format!("/c/{i}"));
        tasks.push(tokio::spawn(async move {
            h2_send(&sender, "GET", &url, b"").await
        }));
    }
    let mut answered = 0;
    let mut refused = 0;
    let mut other = Vec::new();
    for task in tasks {
        match task.await.unwrap() {
            Ok((200, _)) => answered += 1,
            Ok(unexpected) => panic!("{unexpected:?}"),
            Err(e) if e.reason() == Some(Reason::REFUSED_STREAM) => refused += 1,
            Err(e) => other.push(e.to_string()),
        }
    }
    eprintln!("answered {answered}, refused {refused}, other errors {other:?}");
    assert_eq!(answered, 20);
    assert_eq!(server.requests_received() - server.requests_refused(), 20);
    assert_eq!(refused, server.requests_refused());
    assert!(tokio::time::timeout(5 * SECOND, connection).await.is_ok());
    assert_eq!(server.connections_accepted(), 1);
}

#[tokio::test]
async fn h2_refuse_every_nth_stream() {
    let server = FaultServer::start(FaultMode::H2RefuseEvery { nth: 3 });
    let (sender, _connection) = h2_connect(&server).await;
    for i in 1..=9 {
        let result = h2_send(&sender, "GET", &server.url(&format!("/r/{i}")), b"").await;
        if i % 3 == 0 {
            let err = result.unwrap_err();
            assert_eq!(err.reason(), Some(Reason::REFUSED_STREAM), "{err}");
        } else {
            assert_eq!(result.unwrap(), (200, format!("answer to /r/{i}")));
        }
    }
    // The 10th and 11th streams are answered, the 12th (a POST) is refused unread.
    for i in 10..=11 {
        let answer = h2_send(&sender, "POST", &server.url("/post"), b"abc").await;
        assert_eq!(answer.unwrap(), (200, "3".to_string()), "{i}");
    }
    let err = h2_send(&sender, "POST", &server.url("/post"), b"abc")
        .await
        .unwrap_err();
    assert_eq!(err.reason(), Some(Reason::REFUSED_STREAM), "{err}");
    assert_eq!(server.requests_received(), 12);
    assert_eq!(server.requests_refused(), 4);
    assert_eq!(server.bodies_received(), 2);
    assert_eq!(server.connections_accepted(), 1);
}

#[tokio::test]
async fn h2_goaway_when_idle() {
    let server = FaultServer::start(FaultMode::H2GoawayWhenIdle {
        after: Duration::from_millis(300),
    });
    let (sender, connection) = h2_connect(&server).await;
    // Busy (requests closer together than the idle timeout) keeps it open.
    for i in 0..4 {
        let answer = h2_send(&sender, "GET", &server.url(&format!("/i/{i}")), b"").await;
        assert_eq!(answer.unwrap().0, 200);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let start = Instant::now();
    let ended = tokio::time::timeout(5 * SECOND, connection).await;
    assert!(ended.is_ok(), "the idle connection stayed open");
    assert!(
        start.elapsed() >= Duration::from_millis(150),
        "{:?}",
        start.elapsed()
    );
    eprintln!("the connection ended with {:?}", ended.unwrap().unwrap());
    assert!(h2_send(&sender, "GET", &server.url("/late"), b"")
        .await
        .is_err());
    assert_eq!(server.requests_received(), 4);
    assert_eq!(server.connections_closed_by_peer(), 0);
}
