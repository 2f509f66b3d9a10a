//! The benchmark itself (native targets); see `benches/transport.rs`.

use std::convert::Infallible;
use std::io::{BufRead, BufReader, Read, Write};
use std::pin::Pin;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::task::{Context, Poll};
use std::time::Instant;

use bytes::Bytes;
use futures_util::StreamExt;
use http_body::{Body as _, Frame, SizeHint};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type R<T> = Result<T, BoxError>;
type HyperClient = hyper_util::client::legacy::Client<HttpConnector, Full<Bytes>>;

/// The 13-byte body of `/small`.
const SMALL: &[u8] = b"Hello, world!";
/// Frame size of `/stream`.
const FRAME: usize = 64 * 1024;
/// The frames of `/stream` are slices of this buffer: no allocation per frame.
static STREAM_BUF: [u8; FRAME] = [b'x'; FRAME];
const MIB: u64 = 1024 * 1024;
/// Slices per run in the request scenarios (see `orchestrate`).
const SLICES: usize = 10;

pub(crate) fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let result = match args.first().map(String::as_str) {
        Some("server") => run_server(),
        Some("stream") => child_stream(&args[1..]),
        Some("cold") => child_cold(&args[1..]),
        Some("probe") => probe(&args[1..]),
        Some("sizes") => sizes(),
        Some("allocs") => allocs(&args[1..]),
        _ => orchestrate(),
    };
    if let Err(e) = result {
        eprintln!("bench: {e}");
        std::process::exit(1);
    }
}

// ---------------------------------------------------------------------------------
// The server: minimal hyper 1.x on a current-thread runtime.
// ---------------------------------------------------------------------------------

/// A response body: a static buffer, an echoed request body, or N bytes in 64 KiB
/// frames cut from [`STREAM_BUF`].
enum ServerBody {
    Full(Option<Bytes>),
    Stream { remaining: u64 },
}

impl http_body::Body for ServerBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        match self.get_mut() {
            ServerBody::Full(data) => Poll::Ready(data.take().map(|d| Ok(Frame::data(d)))),
            ServerBody::Stream { remaining } => {
                if *remaining == 0 {
                    return Poll::Ready(None);
                }
                let n = (*remaining).min(FRAME as u64) as usize;
                *remaining -= n as u64;
                Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(&STREAM_BUF[..n])))))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            ServerBody::Full(data) => data.is_none(),
            ServerBody::Stream { remaining } => *remaining == 0,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            ServerBody::Full(data) => {
                SizeHint::with_exact(data.as_ref().map_or(0, |d| d.len() as u64))
            }
            ServerBody::Stream { remaining } => SizeHint::with_exact(*remaining),
        }
    }
}

async fn handle(
    request: http::Request<Incoming>,
) -> Result<http::Response<ServerBody>, Infallible> {
    let (status, body) = match request.uri().path() {
        "/small" => (200, ServerBody::Full(Some(Bytes::from_static(SMALL)))),
        "/json" => match request.into_body().collect().await {
            Ok(collected) => (200, ServerBody::Full(Some(collected.to_bytes()))),
            Err(_) => (400, ServerBody::Full(None)),
        },
        "/stream" => {
            let bytes = request
                .uri()
                .query()
                .and_then(|q| q.strip_prefix("bytes="))
                .and_then(|n| n.parse().ok());
            match bytes {
                Some(remaining) => (200, ServerBody::Stream { remaining }),
                None => (400, ServerBody::Full(None)),
            }
        }
        _ => (404, ServerBody::Full(None)),
    };
    let length = body.size_hint().exact().unwrap_or(0);
    let mut response = http::Response::new(body);
    *response.status_mut() = http::StatusCode::from_u16(status).unwrap_or_default();
    response.headers_mut().insert(
        http::header::CONTENT_LENGTH,
        http::HeaderValue::from(length),
    );
    Ok(response)
}

/// Serves until its standard input closes; prints `PORT n` first.
fn run_server() -> R<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        println!("PORT {}", listener.local_addr()?.port());
        std::io::stdout().flush()?;
        std::thread::spawn(|| {
            let _ = std::io::stdin().read_to_end(&mut Vec::new());
            std::process::exit(0);
        });
        loop {
            let (stream, _) = listener.accept().await?;
            stream.set_nodelay(true)?;
            tokio::spawn(async move {
                let service = hyper::service::service_fn(handle);
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    })
}

/// The server child process; killed (by its pid) when dropped.
struct Server {
    child: std::process::Child,
    port: u16,
    pinning: String,
}

impl Server {
    fn start(pin: Option<usize>) -> R<Server> {
        let exe = std::env::current_exe()?;
        let mut command = match pin {
            Some(cpu) => {
                let mut c = Command::new("taskset");
                c.arg("-c").arg(cpu.to_string()).arg(&exe);
                c
            }
            None => Command::new(&exe),
        };
        let mut child = command
            .arg("server")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let stdout = child.stdout.take().ok_or("no server stdout")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let port = line
            .trim()
            .strip_prefix("PORT ")
            .and_then(|p| p.parse().ok())
            .ok_or_else(|| format!("the server said {line:?}"))?;
        let pinning = cpus_allowed(child.id()).unwrap_or_else(|| "?".into());
        Ok(Server {
            child,
            port,
            pinning,
        })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------------
// Clients.
// ---------------------------------------------------------------------------------

/// The clients compared. `Transport` and `SyncTransport` (this crate's transports
/// used directly, without `AsyncClient`/`Client` around them) are only for `probe`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Hyper,
    Sync,
    Async,
    Reqwest,
    Transport,
    SyncTransport,
    AsyncNoTimeout,
    ReqwestBlocking,
    Ureq,
}

const KINDS: [Kind; 5] = [
    Kind::Hyper,
    Kind::Sync,
    Kind::Async,
    Kind::Reqwest,
    Kind::Ureq,
];
const ALL_KINDS: [Kind; 9] = [
    Kind::Hyper,
    Kind::Sync,
    Kind::Async,
    Kind::Reqwest,
    Kind::Transport,
    Kind::SyncTransport,
    Kind::AsyncNoTimeout,
    Kind::ReqwestBlocking,
    Kind::Ureq,
];

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Hyper => "hyper",
            Kind::Sync => "sync",
            Kind::Async => "async",
            Kind::Reqwest => "reqwest",
            Kind::Transport => "transport",
            Kind::SyncTransport => "sync-transport",
            Kind::AsyncNoTimeout => "async-notimeout",
            Kind::ReqwestBlocking => "reqwest-blocking",
            Kind::Ureq => "ureq",
        }
    }

    fn parse(name: &str) -> R<Kind> {
        ALL_KINDS
            .into_iter()
            .find(|k| k.name() == name)
            .ok_or_else(|| format!("unknown client {name}").into())
    }

    fn is_sync(self) -> bool {
        matches!(
            self,
            Kind::Sync | Kind::SyncTransport | Kind::ReqwestBlocking | Kind::Ureq
        )
    }
}

/// The server's URLs, parsed once for each client.
struct Urls {
    port: u16,
    small: (http::Uri, reqwest::Url, httpx::Url),
    json: (http::Uri, reqwest::Url, httpx::Url),
}

impl Urls {
    fn new(port: u16) -> R<Urls> {
        Ok(Urls {
            port,
            small: Urls::parse(port, "/small")?,
            json: Urls::parse(port, "/json")?,
        })
    }

    fn parse(port: u16, path: &str) -> R<(http::Uri, reqwest::Url, httpx::Url)> {
        let text = format!("http://127.0.0.1:{port}{path}");
        Ok((
            text.parse()?,
            reqwest::Url::parse(&text)?,
            httpx::Url::parse(&text)?,
        ))
    }

    fn text(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

/// ureq's agent with its default pool (10 idle connections, 3 per host).
fn ureq_agent() -> ureq::Agent {
    ureq::Agent::new_with_defaults()
}

/// ureq's agent keeping 64 idle connections to the server, like `limits64`.
fn ureq_agent64() -> ureq::Agent {
    ureq::Agent::config_builder()
        .max_idle_connections(64)
        .max_idle_connections_per_host(64)
        .build()
        .into()
}

fn hyper_client() -> HyperClient {
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    hyper_util::client::legacy::Client::builder(TokioExecutor::new()).build(connector)
}

/// Limits that keep 64 connections alive (httpx's default keeps 20; hyper-util and
/// reqwest keep every idle connection).
fn limits64() -> httpx::Limits {
    httpx::Limits::default().max_keepalive_connections(Some(64))
}

fn check(ok: bool, what: &str) -> R<()> {
    if ok {
        Ok(())
    } else {
        Err(format!("unexpected response: {what}").into())
    }
}

/// A 1,024-byte JSON document.
fn json_body() -> Bytes {
    let mut text =
        String::from("{\"id\":12345,\"name\":\"benchmark\",\"tags\":[\"a\",\"b\"],\"payload\":\"");
    let pad = 1024 - text.len() - 2;
    text.push_str(&"x".repeat(pad));
    text.push_str("\"}");
    assert_eq!(text.len(), 1024);
    Bytes::from(text)
}

/// The async clients (on one runtime) and the sync ones.
struct Clients {
    hyper: HyperClient,
    reqwest: reqwest::Client,
    /// httpx's default Limits (20 connections kept alive).
    httpx: httpx::AsyncClient,
    /// 64 connections kept alive, like hyper-util and reqwest.
    httpx64: httpx::AsyncClient,
    transport: httpx::AsyncHttpTransport,
    /// As `httpx64`, without timeouts.
    httpx_no_timeout: httpx::AsyncClient,
    sync: httpx::Client,
    sync64: httpx::Client,
    sync_transport: httpx::HttpTransport,
    reqwest_blocking: reqwest::blocking::Client,
    /// ureq 3 (blocking; with 64 in flight, 64 threads share the agent).
    ureq: ureq::Agent,
    /// As `ureq`, keeping 64 idle connections.
    ureq64: ureq::Agent,
    urls: Urls,
    json: Bytes,
}

impl Clients {
    fn new(port: u16) -> R<Clients> {
        Ok(Clients {
            hyper: hyper_client(),
            reqwest: reqwest::Client::new(),
            httpx: httpx::AsyncClient::new(),
            httpx64: httpx::AsyncClient::builder().limits(limits64()).build()?,
            transport: httpx::AsyncHttpTransport::builder()
                .limits(limits64())
                .build_async()?,
            httpx_no_timeout: httpx::AsyncClient::builder()
                .limits(limits64())
                .timeout(httpx::Timeout::none())
                .build()?,
            sync: httpx::Client::new(),
            sync64: httpx::Client::builder().limits(limits64()).build()?,
            sync_transport: httpx::HttpTransport::builder().limits(limits64()).build()?,
            reqwest_blocking: reqwest::blocking::Client::new(),
            ureq: ureq_agent(),
            ureq64: ureq_agent64(),
            urls: Urls::new(port)?,
            json: json_body(),
        })
    }

    fn async_client(&self, keep64: bool) -> &httpx::AsyncClient {
        if keep64 {
            &self.httpx64
        } else {
            &self.httpx
        }
    }

    fn sync_client(&self, keep64: bool) -> &httpx::Client {
        if keep64 {
            &self.sync64
        } else {
            &self.sync
        }
    }

    fn httpx_request_for_transport(&self, post: bool) -> R<httpx::Request> {
        if !post {
            return Ok(httpx::Request::new(
                httpx::Method::GET,
                self.urls.small.2.clone(),
            ));
        }
        let mut request = httpx::Request::new(httpx::Method::POST, self.urls.json.2.clone());
        request
            .headers_mut()
            .insert("content-type", "application/json")?;
        request.set_body(self.json.clone());
        Ok(request)
    }

    fn expected(&self, post: bool) -> usize {
        if post {
            self.json.len()
        } else {
            SMALL.len()
        }
    }

    // One request (GET /small, or POST /json) by each async client; the body is read.
    // Each client has its own async fn, so that no client's future is as large as
    // another's (futures are moved, and a larger one costs more to move).

    async fn hyper_request(&self, post: bool) -> R<()> {
        let request = if post {
            http::Request::post(self.urls.json.0.clone())
                .header(http::header::CONTENT_TYPE, "application/json")
                .body(Full::new(self.json.clone()))?
        } else {
            http::Request::get(self.urls.small.0.clone()).body(Full::default())?
        };
        let response = self.hyper.request(request).await?;
        check(response.status() == 200, "hyper status")?;
        let n = response.into_body().collect().await?.to_bytes().len();
        check(n == self.expected(post), "body length")
    }

    async fn reqwest_request(&self, post: bool) -> R<()> {
        let builder = if post {
            self.reqwest
                .post(self.urls.json.1.clone())
                .header("content-type", "application/json")
                .body(self.json.clone())
        } else {
            self.reqwest.get(self.urls.small.1.clone())
        };
        let response = builder.send().await?;
        check(response.status() == 200, "reqwest status")?;
        let n = response.bytes().await?.len();
        check(n == self.expected(post), "body length")
    }

    async fn httpx_request(&self, client: &httpx::AsyncClient, post: bool) -> R<()> {
        let builder = if post {
            client
                .post(&self.urls.json.2)
                .header("content-type", "application/json")
                .content(self.json.clone())
        } else {
            client.get(&self.urls.small.2)
        };
        let response = builder.send().await?;
        check(response.status_code() == 200, "httpx status")?;
        check(
            response.content()?.len() == self.expected(post),
            "body length",
        )
    }

    async fn transport_request(&self, post: bool) -> R<()> {
        use httpx::AsyncTransport as _;
        let request = self.httpx_request_for_transport(post)?;
        let mut response = self.transport.handle_async_request(request).await?;
        check(response.status_code() == 200, "httpx status")?;
        check(
            response.aread().await?.len() == self.expected(post),
            "body length",
        )
    }

    /// One request by a sync client; the body is read.
    fn request_blocking(&self, kind: Kind, post: bool, keep64: bool) -> R<()> {
        let n = match kind {
            Kind::Sync => {
                let client = self.sync_client(keep64);
                let builder = if post {
                    client
                        .post(&self.urls.json.2)
                        .header("content-type", "application/json")
                        .content(self.json.clone())
                } else {
                    client.get(&self.urls.small.2)
                };
                let response = builder.send()?;
                check(response.status_code() == 200, "httpx status")?;
                response.content()?.len()
            }
            Kind::SyncTransport => {
                use httpx::Transport as _;
                let request = self.httpx_request_for_transport(post)?;
                let mut response = self.sync_transport.handle_request(request)?;
                check(response.status_code() == 200, "httpx status")?;
                response.read()?.len()
            }
            Kind::ReqwestBlocking => {
                let builder = if post {
                    self.reqwest_blocking
                        .post(self.urls.json.1.clone())
                        .header("content-type", "application/json")
                        .body(self.json.clone())
                } else {
                    self.reqwest_blocking.get(self.urls.small.1.clone())
                };
                let response = builder.send()?;
                check(response.status() == 200, "reqwest status")?;
                response.bytes()?.len()
            }
            Kind::Ureq => {
                let agent = if keep64 { &self.ureq64 } else { &self.ureq };
                let mut response = if post {
                    agent
                        .post(self.urls.json.0.clone())
                        .header("content-type", "application/json")
                        .send(&self.json[..])?
                } else {
                    agent.get(self.urls.small.0.clone()).call()?
                };
                check(response.status() == 200, "ureq status")?;
                response.body_mut().read_to_vec()?.len()
            }
            _ => return Err("not a sync client".into()),
        };
        check(n == self.expected(post), "body length")
    }
}

// ---------------------------------------------------------------------------------
// Measuring.
// ---------------------------------------------------------------------------------

/// Whether [`process_cpu_ns`] reads the clock: the `allocs` mode turns it off, as it
/// needs no CPU time and rustix's vDSO set-up crashes under valgrind (callgrind runs
/// that mode).
static CPU_CLOCK: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);

/// CPU time of this whole process (every thread, also finished ones), in ns.
fn process_cpu_ns() -> u64 {
    if !CPU_CLOCK.load(Ordering::Relaxed) {
        return 0;
    }
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    t.tv_sec as u64 * 1_000_000_000 + t.tv_nsec as u64
}

/// Requests per second and the client process's CPU time per request.
#[derive(Clone, Copy)]
struct Measure {
    rate: f64,
    cpu_us: f64,
}

struct Meter {
    wall: Instant,
    cpu: u64,
}

impl Meter {
    fn start() -> Meter {
        Meter {
            wall: Instant::now(),
            cpu: process_cpu_ns(),
        }
    }

    fn finish(self, count: usize) -> Measure {
        let secs = self.wall.elapsed().as_secs_f64();
        let cpu = (process_cpu_ns() - self.cpu) as f64 / 1e3;
        Measure {
            rate: count as f64 / secs,
            cpu_us: cpu / count as f64,
        }
    }
}

/// How much CPU the rest of the machine used while the bench measured: the busy time
/// of every core (user, nice, system) less the bench's (and its waited-for children's)
/// and its server's. A run during which other processes used more than
/// [`FOREIGN_LIMIT`] of a core is measured again (at most [`RETRIES`] times).
struct Foreign {
    wall: Instant,
    busy: u64,
    ours: u64,
    server_pid: u32,
}

const FOREIGN_LIMIT: f64 = 0.15;
const RETRIES: usize = 3;

/// Clock ticks per second of /proc (USER_HZ), 100 on Linux.
const USER_HZ: f64 = 100.0;

fn machine_busy_ticks() -> u64 {
    std::fs::read_to_string("/proc/stat")
        .ok()
        .and_then(|s| {
            let line = s.lines().next()?.strip_prefix("cpu ")?.to_string();
            let v: Vec<u64> = line
                .split_whitespace()
                .filter_map(|x| x.parse().ok())
                .collect();
            // user nice system idle iowait irq softirq steal ...
            Some(v.first()? + v.get(1)? + v.get(2)?)
        })
        .unwrap_or(0)
}

/// utime + stime (+ cutime + cstime with `children`) of a process, in ticks.
fn process_ticks(pid: &str, children: bool) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            let rest = &s[s.rfind(')')? + 2..];
            let v: Vec<u64> = rest
                .split_whitespace()
                .skip(11)
                .take(4)
                .filter_map(|x| x.parse().ok())
                .collect();
            let n = if children { 4 } else { 2 };
            Some(v.iter().take(n).sum())
        })
        .unwrap_or(0)
}

impl Foreign {
    fn start(server_pid: u32) -> Foreign {
        Foreign {
            wall: Instant::now(),
            busy: machine_busy_ticks(),
            ours: Foreign::ours(server_pid),
            server_pid,
        }
    }

    fn ours(server_pid: u32) -> u64 {
        process_ticks("self", true) + process_ticks(&server_pid.to_string(), false)
    }

    /// Cores used by other processes since `start` (0.0 to the number of cores).
    fn cores(&self) -> f64 {
        let busy = machine_busy_ticks().saturating_sub(self.busy);
        let ours = Foreign::ours(self.server_pid).saturating_sub(self.ours);
        busy.saturating_sub(ours) as f64 / USER_HZ / self.wall.elapsed().as_secs_f64()
    }
}

/// Runs `measure` until other processes stay under [`FOREIGN_LIMIT`] during it (at
/// most 1 + [`RETRIES`] times); returns its result, the foreign load of the kept run
/// and how many runs were discarded.
fn undisturbed<T>(server_pid: u32, mut measure: impl FnMut() -> R<T>) -> R<(T, f64, usize)> {
    let mut discarded = 0;
    loop {
        let foreign = Foreign::start(server_pid);
        let result = measure()?;
        let cores = foreign.cores();
        if cores <= FOREIGN_LIMIT || discarded == RETRIES {
            return Ok((result, cores, discarded));
        }
        log(format!(
            "   other processes used {cores:.2} cores during that run: measuring it again"
        ));
        discarded += 1;
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Scenario {
    /// Sequential GETs of `/small`.
    Get,
    /// Sequential POSTs of 1 KB of JSON to `/json`.
    Post,
    /// GETs of `/small` with this many in flight; `keep64`: this crate's clients keep
    /// 64 connections alive (else httpx's default 20).
    InFlight { n: usize, keep64: bool },
}

/// The runtime of the async clients: one current-thread runtime, the one thread of
/// this process's core.
struct Bench {
    runtime: tokio::runtime::Runtime,
    clients: Arc<Clients>,
}

impl Bench {
    fn new(port: u16) -> R<Bench> {
        Ok(Bench {
            runtime: current_thread_runtime()?,
            clients: Arc::new(Clients::new(port)?),
        })
    }

    /// `count` requests of `scenario` by the `kind` client.
    fn run(&self, kind: Kind, scenario: Scenario, count: usize) -> R<Measure> {
        let c = &self.clients;
        let (post, in_flight, keep64) = match scenario {
            Scenario::Get => (false, 1, true),
            Scenario::Post => (true, 1, true),
            Scenario::InFlight { n, keep64 } => (false, n, keep64),
        };
        if kind.is_sync() {
            return self.run_blocking(kind, post, in_flight, keep64, count);
        }
        // A worker makes requests until `count` were started; one worker runs inline,
        // more are tasks on the runtime.
        macro_rules! workers {
            ($c:ident => $request:expr) => {{
                let counter = Arc::new(AtomicUsize::new(0));
                let meter = Meter::start();
                self.runtime.block_on(async {
                    if in_flight == 1 {
                        let $c = &**c;
                        while counter.fetch_add(1, Ordering::Relaxed) < count {
                            $request.await?;
                        }
                        return Ok::<_, BoxError>(());
                    }
                    let mut tasks = tokio::task::JoinSet::new();
                    for _ in 0..in_flight {
                        let clients = c.clone();
                        let counter = counter.clone();
                        tasks.spawn(async move {
                            let $c = &*clients;
                            while counter.fetch_add(1, Ordering::Relaxed) < count {
                                $request.await?;
                            }
                            Ok::<_, BoxError>(())
                        });
                    }
                    while let Some(result) = tasks.join_next().await {
                        result??;
                    }
                    Ok(())
                })?;
                Ok(meter.finish(count))
            }};
        }
        match kind {
            Kind::Hyper => workers!(c => c.hyper_request(post)),
            Kind::Reqwest => workers!(c => c.reqwest_request(post)),
            Kind::Async => workers!(c => c.httpx_request(c.async_client(keep64), post)),
            Kind::AsyncNoTimeout => workers!(c => c.httpx_request(&c.httpx_no_timeout, post)),
            Kind::Transport => workers!(c => c.transport_request(post)),
            _ => unreachable!("a sync client"),
        }
    }

    /// The same for a sync client: `in_flight` threads sharing it.
    fn run_blocking(
        &self,
        kind: Kind,
        post: bool,
        in_flight: usize,
        keep64: bool,
        count: usize,
    ) -> R<Measure> {
        let clients = &self.clients;
        if in_flight == 1 {
            let meter = Meter::start();
            for _ in 0..count {
                clients.request_blocking(kind, post, keep64)?;
            }
            return Ok(meter.finish(count));
        }
        let counter = AtomicUsize::new(0);
        let barrier = Barrier::new(in_flight + 1);
        std::thread::scope(|scope| {
            let workers: Vec<_> = (0..in_flight)
                .map(|_| {
                    scope.spawn(|| {
                        barrier.wait();
                        while counter.fetch_add(1, Ordering::Relaxed) < count {
                            clients.request_blocking(kind, post, keep64)?;
                        }
                        Ok::<_, BoxError>(())
                    })
                })
                .collect();
            barrier.wait();
            let meter = Meter::start();
            for worker in workers {
                worker.join().map_err(|_| "a worker panicked")??;
            }
            Ok(meter.finish(count))
        })
    }
}

// ---------------------------------------------------------------------------------
// Child modes.
// ---------------------------------------------------------------------------------

fn proc_status_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|rest| {
            rest.trim_start_matches(':')
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse()
                .ok()
        })
}

fn cpus_allowed(pid: u32) -> Option<String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))
        .map(|s| s.trim().to_string())
}

fn current_thread_runtime() -> R<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

/// `stream KIND PORT BYTES`: a fresh process creates the client, GETs `/small` once
/// (warm-up), then streams BYTES bytes; prints the download's time and CPU time, the
/// RSS before it and the process's peak RSS (VmHWM).
fn child_stream(args: &[String]) -> R<()> {
    let [kind, port, bytes] = args else {
        return Err("usage: stream KIND PORT BYTES".into());
    };
    let kind = Kind::parse(kind)?;
    let port: u16 = port.parse()?;
    let bytes: u64 = bytes.parse()?;
    let urls = Urls::new(port)?;
    let url = urls.text(&format!("/stream?bytes={bytes}"));
    let small = urls.text("/small");
    let mut received = 0u64;
    let mut rss_before = 0;
    let meter;
    match kind {
        Kind::Sync => {
            let client = httpx::Client::new();
            check(
                client.get(&small).send()?.content()?.len() == SMALL.len(),
                "small",
            )?;
            rss_before = proc_status_kb("VmRSS").unwrap_or(0);
            meter = Meter::start();
            let mut response = client.stream("GET", &url).send()?;
            check(response.status_code() == 200, "status")?;
            for chunk in response.iter_bytes() {
                received += chunk?.len() as u64;
            }
        }
        Kind::Ureq => {
            let agent = ureq_agent();
            let warm = agent.get(&small).call()?.body_mut().read_to_vec()?;
            check(warm.len() == SMALL.len(), "small")?;
            rss_before = proc_status_kb("VmRSS").unwrap_or(0);
            meter = Meter::start();
            let mut response = agent.get(&url).call()?;
            check(response.status() == 200, "status")?;
            // The reader has no size limit (`read_to_vec` stops at 10 MB).
            let mut reader = response.body_mut().as_reader();
            let mut buf = vec![0u8; FRAME];
            loop {
                let n = reader.read(&mut buf)?;
                if n == 0 {
                    break;
                }
                received += n as u64;
            }
        }
        Kind::Hyper | Kind::Async | Kind::Reqwest => {
            let runtime = current_thread_runtime()?;
            meter = runtime.block_on(async {
                let meter;
                match kind {
                    Kind::Hyper => {
                        let client = hyper_client();
                        let warm = client.get(small.parse()?).await?;
                        warm.into_body().collect().await?;
                        rss_before = proc_status_kb("VmRSS").unwrap_or(0);
                        meter = Meter::start();
                        let response = client.get(url.parse()?).await?;
                        check(response.status() == 200, "status")?;
                        let mut body = response.into_body();
                        while let Some(frame) = body.frame().await {
                            if let Ok(data) = frame?.into_data() {
                                received += data.len() as u64;
                            }
                        }
                    }
                    Kind::Reqwest => {
                        let client = reqwest::Client::new();
                        client.get(&small).send().await?.bytes().await?;
                        rss_before = proc_status_kb("VmRSS").unwrap_or(0);
                        meter = Meter::start();
                        let mut response = client.get(&url).send().await?;
                        check(response.status() == 200, "status")?;
                        while let Some(chunk) = response.chunk().await? {
                            received += chunk.len() as u64;
                        }
                    }
                    _ => {
                        let client = httpx::AsyncClient::new();
                        client.get(&small).send().await?;
                        rss_before = proc_status_kb("VmRSS").unwrap_or(0);
                        meter = Meter::start();
                        let mut response = client.stream("GET", &url).send().await?;
                        check(response.status_code() == 200, "status")?;
                        let mut chunks = response.aiter_bytes();
                        while let Some(chunk) = chunks.next().await {
                            received += chunk?.len() as u64;
                        }
                    }
                }
                Ok::<_, BoxError>(meter)
            })?;
        }
        _ => return Err("stream: hyper, sync, async, reqwest or ureq".into()),
    }
    let secs = meter.wall.elapsed().as_secs_f64();
    let cpu = (process_cpu_ns() - meter.cpu) as f64 / 1e9;
    check(received == bytes, "streamed length")?;
    let hwm = proc_status_kb("VmHWM").unwrap_or(0);
    println!("RESULT secs={secs} cpu={cpu} hwm_kb={hwm} rss_before_kb={rss_before}");
    Ok(())
}

/// `cold KIND PORT`: create the client, GET `/small` once, exit. KIND `none` only exits.
fn child_cold(args: &[String]) -> R<()> {
    let [kind, port] = args else {
        return Err("usage: cold KIND PORT".into());
    };
    if kind == "none" {
        return Ok(());
    }
    let kind = Kind::parse(kind)?;
    let url = format!("http://127.0.0.1:{port}/small");
    let n = match kind {
        Kind::Sync => httpx::Client::new().get(&url).send()?.content()?.len(),
        Kind::Async => current_thread_runtime()?.block_on(async {
            let client = httpx::AsyncClient::new();
            Ok::<_, BoxError>(client.get(&url).send().await?.content()?.len())
        })?,
        Kind::Reqwest => current_thread_runtime()?.block_on(async {
            let client = reqwest::Client::new();
            Ok::<_, BoxError>(client.get(&url).send().await?.bytes().await?.len())
        })?,
        Kind::Hyper => current_thread_runtime()?.block_on(async {
            let client = hyper_client();
            let response = client.get(url.parse()?).await?;
            Ok::<_, BoxError>(response.into_body().collect().await?.to_bytes().len())
        })?,
        Kind::Ureq => ureq_agent()
            .get(&url)
            .call()?
            .body_mut()
            .read_to_vec()?
            .len(),
        _ => return Err("cold: none, hyper, sync, async, reqwest or ureq".into()),
    };
    check(n == SMALL.len(), "body length")
}

/// `probe KIND get|post|c64|c64d COUNT`: starts its own server and runs one scenario
/// for one client, for `strace -c` or `perf record` (not part of the table). KIND may
/// also be `transport` or `sync-transport`: this crate's transports used directly.
fn probe(args: &[String]) -> R<()> {
    let [kind, scenario, count] = args else {
        return Err("usage: probe KIND get|post|c64|c64d COUNT".into());
    };
    let kind = Kind::parse(kind)?;
    let count: usize = count.parse()?;
    let scenario = match scenario.as_str() {
        "get" => Scenario::Get,
        "post" => Scenario::Post,
        "c64" => Scenario::InFlight {
            n: 64,
            keep64: true,
        },
        "c64d" => Scenario::InFlight {
            n: 64,
            keep64: false,
        },
        other => return Err(format!("unknown scenario {other}").into()),
    };
    let server = Server::start(pin_cpus().map(|(s, _)| s))?;
    let bench = Bench::new(server.port)?;
    bench.run(kind, scenario, count / 5 + 1)?;
    eprintln!("PROBE-START");
    let before = crate::allocation_counts();
    let m = bench.run(kind, scenario, count)?;
    let after = crate::allocation_counts();
    eprintln!("PROBE-END");
    println!(
        "{}: {:.0} req/s, {:.1} µs client CPU per request, {:.1} allocations + {:.1} reallocations per request",
        kind.name(),
        m.rate,
        m.cpu_us,
        (after.0 - before.0) as f64 / count as f64,
        (after.1 - before.1) as f64 / count as f64,
    );
    Ok(())
}

/// Heap allocations and reallocations per request: `count` sequential requests of
/// `scenario` by the `kind` client, after a warm-up (which opens the connection).
/// Counted over this whole process; the server, a child process, is not counted.
fn allocations_per_request(
    bench: &Bench,
    kind: Kind,
    scenario: Scenario,
    count: usize,
) -> R<(f64, f64)> {
    bench.run(kind, scenario, 20)?;
    let before = crate::allocation_counts();
    bench.run(kind, scenario, count)?;
    let after = crate::allocation_counts();
    Ok((
        (after.0 - before.0) as f64 / count as f64,
        (after.1 - before.1) as f64 / count as f64,
    ))
}

/// `allocs KIND get|post COUNT`: allocations per request of one client; also the mode
/// to run under `valgrind --tool=callgrind` (it reads no CPU clock).
fn allocs(args: &[String]) -> R<()> {
    let [kind, scenario, count] = args else {
        return Err("usage: allocs KIND get|post COUNT".into());
    };
    CPU_CLOCK.store(false, Ordering::Relaxed);
    let kind = Kind::parse(kind)?;
    let count: usize = count.parse()?;
    let scenario = match scenario.as_str() {
        "get" => Scenario::Get,
        "post" => Scenario::Post,
        other => return Err(format!("unknown scenario {other}").into()),
    };
    let server = Server::start(None)?;
    let bench = Bench::new(server.port)?;
    let (allocs, reallocs) = allocations_per_request(&bench, kind, scenario, count)?;
    println!(
        "{}: {allocs:.2} allocations + {reallocs:.2} reallocations per request",
        kind.name()
    );
    Ok(())
}

/// `sizes`: the sizes of the futures and values each client's request moves around.
fn sizes() -> R<()> {
    let clients = Clients::new(9)?;
    let url = &clients.urls.small;
    let httpx_send = clients.httpx.get(&url.2).send();
    let httpx_client_send = clients
        .httpx
        .send(httpx::Request::new(httpx::Method::GET, url.2.clone()));
    let reqwest_send = clients.reqwest.get(url.1.clone()).send();
    let hyper_send = clients.hyper.get(url.0.clone());
    println!(
        "httpx AsyncClient get().send() future: {} bytes",
        std::mem::size_of_val(&httpx_send)
    );
    println!(
        "httpx AsyncClient::send(request) future: {} bytes",
        std::mem::size_of_val(&httpx_client_send)
    );
    println!(
        "httpx RequestBuilder: {} bytes",
        std::mem::size_of_val(&clients.httpx.get(&url.2))
    );
    println!(
        "httpx Request: {} bytes, Response: {} bytes",
        std::mem::size_of::<httpx::Request>(),
        std::mem::size_of::<httpx::Response>()
    );
    println!(
        "reqwest send() future: {} bytes",
        std::mem::size_of_val(&reqwest_send)
    );
    println!(
        "hyper-util request future: {} bytes",
        std::mem::size_of_val(&hyper_send)
    );
    Ok(())
}

// ---------------------------------------------------------------------------------
// The orchestrator.
// ---------------------------------------------------------------------------------

fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    if v.is_empty() {
        return f64::NAN;
    }
    let mid = v.len() / 2;
    if v.len() % 2 == 1 {
        v[mid]
    } else {
        (v[mid - 1] + v[mid]) / 2.0
    }
}

/// Each client's runs of one figure.
#[derive(Default, Clone)]
struct Row {
    values: [Vec<f64>; ALL_KINDS.len()],
}

impl Row {
    fn push(&mut self, kind: Kind, value: f64) {
        self.values[kind as usize].push(value);
    }
    fn median(&self, kind: Kind) -> f64 {
        median(&self.values[kind as usize])
    }
    fn runs(&self, kind: Kind, decimals: usize) -> String {
        self.values[kind as usize]
            .iter()
            .map(|v| format!("{v:.decimals$}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
    fn all_runs(&self, decimals: usize) -> String {
        KINDS
            .iter()
            .filter(|&&k| !self.values[k as usize].is_empty())
            .map(|&k| format!("{} {}", k.name(), self.runs(k, decimals)))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

struct Config {
    reps: usize,
    sequential: usize,
    concurrent: usize,
    in_flight: usize,
    posts: usize,
    stream_sizes: [u64; 2],
    cold_runs: usize,
    constructions: usize,
    /// Sequential requests over which allocations are counted.
    alloc_requests: usize,
}

impl Config {
    fn from_env() -> Config {
        let quick = std::env::var_os("BENCH_QUICK").is_some_and(|v| v != "0");
        let d = if quick { 10 } else { 1 };
        Config {
            reps: std::env::var("BENCH_REPS")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(3),
            sequential: 5_000 / d,
            concurrent: 20_000 / d,
            in_flight: 64,
            posts: 10_000 / d,
            stream_sizes: [256 * MIB / d as u64, 1024 * MIB / d as u64],
            cold_runs: if quick { 5 } else { 21 },
            constructions: 2_000 / d,
            alloc_requests: 2_000 / d,
        }
    }
}

fn log(message: impl std::fmt::Display) {
    eprintln!("[bench] {message}");
}

/// The (server, client) cores, when pinning is possible and wanted.
fn pin_cpus() -> Option<(usize, usize)> {
    if std::env::var_os("BENCH_NO_PIN").is_some_and(|v| v != "0") {
        return None;
    }
    let taskset = Command::new("taskset")
        .arg("-V")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let cpu = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let (server, client) = (cpu("BENCH_SERVER_CPU", 0), cpu("BENCH_CLIENT_CPU", 1));
    // The machine's cores (available_parallelism would honour this process's affinity).
    let online = std::fs::read_to_string("/sys/devices/system/cpu/online")
        .ok()
        .and_then(|s| {
            s.trim()
                .rsplit(['-', ','])
                .next()
                .and_then(|n| n.parse::<usize>().ok())
        })
        .map_or(1, |last| last + 1);
    (taskset && online >= 2 && server != client && server.max(client) < online)
        .then_some((server, client))
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

fn orchestrate() -> R<()> {
    let pins = pin_cpus();
    if let Some((_, client_cpu)) = pins {
        let own = cpus_allowed(std::process::id()).unwrap_or_default();
        if own != client_cpu.to_string() && std::env::var_os("BENCH_REEXEC").is_none() {
            // Pin the clients: run again under taskset.
            log(format!("re-running under taskset -c {client_cpu}"));
            let status = Command::new("taskset")
                .arg("-c")
                .arg(client_cpu.to_string())
                .arg(std::env::current_exe()?)
                .env("BENCH_REEXEC", "1")
                .status()?;
            std::process::exit(status.code().unwrap_or(1));
        }
    }
    let config = Config::from_env();
    let reps = config.reps;
    let load_start = loadavg();
    let server = Server::start(pins.map(|(s, _)| s))?;
    let own = cpus_allowed(std::process::id()).unwrap_or_default();
    let pinning = match pins {
        Some(_) => format!(
            "the server is a child process of the bench started as `taskset -c {} <bench> server` \
             (its Cpus_allowed_list: {}); the bench process, which runs every client, is under \
             `taskset -c {own}` (Cpus_allowed_list: {own}) and its child processes (streaming, \
             cold start) inherit that",
            server.pinning, server.pinning
        ),
        None => format!(
            "NOT pinned (server CPUs {}, client CPUs {own})",
            server.pinning
        ),
    };
    log(format!("server on 127.0.0.1:{}; {pinning}", server.port));
    let bench = Bench::new(server.port)?;
    let server_pid = server.child.id();
    let mut report = Report::default();

    // Scenarios 1, 2 and 4. A run of a client is `n` requests, made in `SLICES` slices
    // that alternate with the other clients' slices (their order rotating), so that a
    // disturbance from elsewhere on the machine falls on every client alike. Run 0 is
    // the warm-up (a fifth of the count; it also opens the connections).
    let mut requests = |name: &str, scenario: Scenario, n: usize, target: Option<f64>| {
        log(name);
        let mut measured = KINDS.to_vec();
        if scenario
            != (Scenario::InFlight {
                n: config.in_flight,
                keep64: false,
            })
        {
            // For scale: a sync client from elsewhere.
            measured.push(Kind::ReqwestBlocking);
        }
        let (mut rate, mut cpu) = (Row::default(), Row::default());
        let mut loads = Vec::new();
        for rep in 0..=reps {
            let count = if rep == 0 { (n / 5).max(1) } else { n };
            let (totals, load, discarded) = undisturbed(server_pid, || {
                let mut totals = [(0.0f64, 0.0f64); ALL_KINDS.len()];
                for slice in 0..SLICES {
                    let share = count / SLICES + usize::from(slice < count % SLICES);
                    for i in 0..measured.len() {
                        let kind = measured[(i + slice) % measured.len()];
                        let m = bench.run(kind, scenario, share)?;
                        let total = &mut totals[kind as usize];
                        total.0 += share as f64 / m.rate;
                        total.1 += share as f64 * m.cpu_us;
                    }
                }
                Ok(totals)
            })?;
            if rep > 0 {
                loads.push((load, discarded));
                for &kind in &measured {
                    let (secs, cpu_us) = totals[kind as usize];
                    rate.push(kind, count as f64 / secs);
                    cpu.push(kind, cpu_us / count as f64);
                }
            }
        }
        report.loads(name, &loads);
        report.throughput(name, &rate, target);
        report.cpu(name, &cpu);
        if measured.contains(&Kind::ReqwestBlocking) {
            report.blocking(name, &rate, &cpu);
        }
        Ok::<_, BoxError>(())
    };
    requests(
        &format!(
            "1. {} sequential GETs, 13 B body, one connection (req/s)",
            config.sequential
        ),
        Scenario::Get,
        config.sequential,
        Some(0.95),
    )?;
    requests(
        &format!(
            "2. {} GETs, {} in flight (req/s); httpx keep-alive 64",
            config.concurrent, config.in_flight
        ),
        Scenario::InFlight {
            n: config.in_flight,
            keep64: true,
        },
        config.concurrent,
        Some(0.90),
    )?;
    requests(
        "2b. as 2, httpx's default Limits (keep-alive 20) (req/s)",
        Scenario::InFlight {
            n: config.in_flight,
            keep64: false,
        },
        config.concurrent,
        None,
    )?;
    requests(
        &format!(
            "4. {} sequential POSTs, 1 KB JSON echoed (req/s)",
            config.posts
        ),
        Scenario::Post,
        config.posts,
        Some(0.95),
    )?;

    // Heap allocations per request (deterministic enough for one run per client).
    {
        log("allocations per sequential GET and POST");
        let mut kinds = KINDS.to_vec();
        kinds.push(Kind::ReqwestBlocking);
        let n = config.alloc_requests;
        let (mut get, mut post) = (Row::default(), Row::default());
        let mut reallocs = Vec::new();
        for &kind in &kinds {
            let g = allocations_per_request(&bench, kind, Scenario::Get, n)?;
            let p = allocations_per_request(&bench, kind, Scenario::Post, n)?;
            get.push(kind, g.0);
            post.push(kind, p.0);
            reallocs.push(format!(
                "{} {:.1} + {:.1} / {:.1} + {:.1}",
                kind.name(),
                g.0,
                g.1,
                p.0,
                p.1
            ));
        }
        report.allocations(
            "Heap allocations per sequential GET (count)",
            &get,
            Some(25.0),
        );
        report.allocations("Heap allocations per sequential POST (count)", &post, None);
        report.details.push(format!(
            "- Heap allocations per request over {n} sequential requests after a warm-up, the whole \
             client process counted (the server is a child process); allocations + reallocations \
             per GET / per POST: {}",
            reallocs.join("; ")
        ));
    }

    // 3. Streamed downloads, each in its own process.
    {
        let exe = std::env::current_exe()?;
        let mut speed = [Row::default(), Row::default()];
        let mut cpu = [Row::default(), Row::default()];
        let mut peak = [Row::default(), Row::default()];
        let mut before = [Row::default(), Row::default()];
        for (i, &bytes) in config.stream_sizes.iter().enumerate() {
            log(format!(
                "3. streamed download of {} MiB, each in a child process",
                bytes / MIB
            ));
            let mut loads = Vec::new();
            for _ in 0..reps {
                let (texts, load, discarded) = undisturbed(server_pid, || {
                    let mut texts = Vec::new();
                    for kind in KINDS {
                        let output = Command::new(&exe)
                            .args([
                                "stream",
                                kind.name(),
                                &server.port.to_string(),
                                &bytes.to_string(),
                            ])
                            .stderr(Stdio::inherit())
                            .output()?;
                        if !output.status.success() {
                            return Err(format!("the {} download failed", kind.name()).into());
                        }
                        texts.push((kind, String::from_utf8_lossy(&output.stdout).into_owned()));
                    }
                    Ok(texts)
                })?;
                loads.push((load, discarded));
                for (kind, text) in texts {
                    let field = |name: &str| -> R<f64> {
                        text.split_whitespace()
                            .find_map(|w| w.strip_prefix(name))
                            .and_then(|v| v.parse().ok())
                            .ok_or_else(|| format!("no {name} in {text:?}").into())
                    };
                    speed[i].push(kind, bytes as f64 / 1e6 / field("secs=")?);
                    cpu[i].push(kind, field("cpu=")? / (bytes as f64 / 1e9));
                    peak[i].push(kind, field("hwm_kb=")? / 1024.0);
                    before[i].push(kind, field("rss_before_kb=")? / 1024.0);
                }
            }
            report.loads(
                &format!("3. Streamed download, {} MiB", bytes / MIB),
                &loads,
            );
        }
        let [small, large] = config.stream_sizes.map(|b| b / MIB);
        report.throughput(
            &format!("3. Streamed download, {large} MiB (MB/s)"),
            &speed[1],
            Some(0.97),
        );
        report.throughput(
            &format!("3b. Streamed download, {small} MiB (MB/s)"),
            &speed[0],
            None,
        );
        report.rss(
            &format!("3. Peak RSS of the process, {large} MiB download (MiB)"),
            &peak[1],
            &before[1],
        );
        report.flat(
            &format!("3. Peak RSS growth, {small} → {large} MiB download (MiB)"),
            &peak[0],
            &peak[1],
        );
        report.cpu_raw(
            &format!("3. Streamed download, {large} MiB (client CPU s per GB)"),
            &cpu[1],
            3,
        );
    }

    // 5. Cold start and construction.
    {
        let exe = std::env::current_exe()?;
        log(format!(
            "5. cold start: {} child processes per client",
            config.cold_runs
        ));
        let mut row = Row::default();
        let mut floor = Vec::new();
        for _ in 0..config.cold_runs {
            for kind in [
                None,
                Some(Kind::Hyper),
                Some(Kind::Sync),
                Some(Kind::Async),
                Some(Kind::Reqwest),
                Some(Kind::Ureq),
            ] {
                let name = kind.map_or("none", Kind::name);
                let started = Instant::now();
                let status = Command::new(&exe)
                    .args(["cold", name, &server.port.to_string()])
                    .stdout(Stdio::null())
                    .stderr(Stdio::inherit())
                    .status()?;
                let ms = started.elapsed().as_secs_f64() * 1e3;
                if !status.success() {
                    return Err(format!("the {name} cold start failed").into());
                }
                match kind {
                    Some(kind) => row.push(kind, ms),
                    None => floor.push(ms),
                }
            }
        }
        report.cold(&row, median(&floor));

        let n = config.constructions;
        log(format!("5. client construction: {n} of each"));
        let _guard = bench.runtime.enter();
        let mut row = Row::default();
        let mut firsts = Vec::new();
        for kind in KINDS {
            let mut times = Vec::with_capacity(n);
            for _ in 0..n {
                let started = Instant::now();
                let client: Box<dyn std::any::Any> = match kind {
                    Kind::Hyper => Box::new(hyper_client()),
                    Kind::Sync => Box::new(httpx::Client::new()),
                    Kind::Async => Box::new(httpx::AsyncClient::new()),
                    Kind::Ureq => Box::new(ureq_agent()),
                    _ => Box::new(reqwest::Client::new()),
                };
                let us = started.elapsed().as_secs_f64() * 1e6;
                drop(client);
                times.push(us);
            }
            firsts.push(format!("{} {:.1} µs", kind.name(), times[0]));
            row.push(kind, median(&times));
        }
        report.construction(&row, &firsts.join(", "));
    }

    drop(server);
    report.print(&pinning, &config, &load_start, &loadavg());
    Ok(())
}

// ---------------------------------------------------------------------------------
// The report.
// ---------------------------------------------------------------------------------

#[derive(Default)]
struct Report {
    lines: Vec<String>,
    cpu_lines: Vec<String>,
    blocking_lines: Vec<String>,
    loads: Vec<String>,
    details: Vec<String>,
}

/// The clients given as ratios to raw hyper, in the tables' order.
const OTHERS: [Kind; 4] = [Kind::Sync, Kind::Async, Kind::Reqwest, Kind::Ureq];

fn verdict(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "**missed**"
    }
}

fn cells(cells: &[String]) -> String {
    format!("| {} |", cells.join(" | "))
}

impl Report {
    fn throughput(&mut self, name: &str, row: &Row, target: Option<f64>) {
        let hyper = row.median(Kind::Hyper);
        let ratio = |k: Kind| row.median(k) / hyper;
        let (target_text, met) = match target {
            Some(t) => (
                format!("≥ {t:.2}×"),
                format!(
                    "sync {}, async {}",
                    verdict(ratio(Kind::Sync) >= t),
                    verdict(ratio(Kind::Async) >= t)
                ),
            ),
            None => ("—".into(), "(info)".into()),
        };
        let mut line = vec![name.to_string()];
        line.extend(KINDS.map(|k| format!("{:.0}", row.median(k))));
        line.extend(OTHERS.map(|k| format!("{:.3}×", ratio(k))));
        line.extend([target_text, met]);
        self.lines.push(cells(&line));
        self.details.push(format!("- {name}: {}", row.all_runs(0)));
    }

    fn blocking(&mut self, name: &str, rate: &Row, cpu: &Row) {
        let hyper = rate.median(Kind::Hyper);
        let (sync, blocking) = (rate.median(Kind::Sync), rate.median(Kind::ReqwestBlocking));
        self.blocking_lines.push(cells(&[
            name.to_string(),
            format!("{hyper:.0}"),
            format!("{sync:.0} ({:.3}×)", sync / hyper),
            format!("{blocking:.0} ({:.3}×)", blocking / hyper),
            format!("{:.1}", cpu.median(Kind::Sync)),
            format!("{:.1}", cpu.median(Kind::ReqwestBlocking)),
        ]));
    }

    fn loads(&mut self, name: &str, loads: &[(f64, usize)]) {
        let cores: Vec<String> = loads.iter().map(|(c, _)| format!("{c:.2}")).collect();
        let discarded: usize = loads.iter().map(|(_, d)| d).sum();
        self.loads.push(format!(
            "- {name}: other processes used {} cores during the kept runs; {discarded} disturbed run(s) measured again",
            cores.join(", ")
        ));
    }

    /// Allocations per request: a row of the table, with the ratios to raw hyper.
    fn allocations(&mut self, name: &str, row: &Row, target: Option<f64>) {
        let hyper = row.median(Kind::Hyper);
        let mut line = vec![name.to_string()];
        line.extend(KINDS.map(|k| format!("{:.1}", row.median(k))));
        line.extend(OTHERS.map(|k| format!("{:.2}×", row.median(k) / hyper)));
        match target {
            Some(t) => line.extend([
                format!("≤ {t:.0}"),
                format!(
                    "sync {}, async {}",
                    verdict(row.median(Kind::Sync) <= t),
                    verdict(row.median(Kind::Async) <= t)
                ),
            ]),
            None => line.extend(["—", "(info)"].map(String::from)),
        }
        self.lines.push(cells(&line));
    }

    fn cpu(&mut self, name: &str, row: &Row) {
        self.cpu_raw(&name.replace("(req/s)", "(µs per request)"), row, 1);
    }

    fn cpu_raw(&mut self, name: &str, row: &Row, decimals: usize) {
        let hyper = row.median(Kind::Hyper);
        let mut line = vec![name.to_string()];
        line.extend(KINDS.map(|k| format!("{:.decimals$}", row.median(k))));
        line.extend(OTHERS.map(|k| format!("{:.2}×", row.median(k) / hyper)));
        self.cpu_lines.push(cells(&line));
    }

    fn rss(&mut self, name: &str, peak: &Row, before: &Row) {
        let hyper = peak.median(Kind::Hyper);
        let diff = |k: Kind| peak.median(k) - hyper;
        let mut line = vec![name.to_string()];
        line.extend(KINDS.map(|k| format!("{:.1}", peak.median(k))));
        line.extend(OTHERS.map(|k| format!("{:+.2} MiB", diff(k))));
        line.extend([
            "≤ hyper + 2 MiB".to_string(),
            format!(
                "sync {}, async {}",
                verdict(diff(Kind::Sync) <= 2.0),
                verdict(diff(Kind::Async) <= 2.0)
            ),
        ]);
        self.lines.push(cells(&line));
        self.details.push(format!("- {name}: {}", peak.all_runs(1)));
        self.details.push(format!(
            "- RSS just before the download, after one small GET (MiB): {}",
            before.all_runs(1)
        ));
    }

    fn flat(&mut self, name: &str, small: &Row, large: &Row) {
        let growth = |k: Kind| large.median(k) - small.median(k);
        let mut line = vec![name.to_string()];
        line.extend(KINDS.map(|k| format!("{:+.2}", growth(k))));
        line.extend(OTHERS.map(|_| "—".to_string()));
        line.push("flat (≤ +1 MiB)".to_string());
        line.push(format!(
            "sync {}, async {}",
            verdict(growth(Kind::Sync) <= 1.0),
            verdict(growth(Kind::Async) <= 1.0)
        ));
        self.lines.push(cells(&line));
        self.details.push(format!(
            "- Peak RSS, smaller download (MiB): {}",
            small.all_runs(1)
        ));
    }

    fn cold(&mut self, row: &Row, floor: f64) {
        let hyper = row.median(Kind::Hyper);
        let mut line = vec!["5. Cold start: spawn → client → one GET → exit (ms)".to_string()];
        line.extend(KINDS.map(|k| format!("{:.2}", row.median(k))));
        line.extend(OTHERS.map(|k| format!("{:.2}× time", row.median(k) / hyper)));
        line.extend(["—", "(info)"].map(String::from));
        self.lines.push(cells(&line));
        self.details.push(format!(
            "- Cold start: the same binary spawned in a mode that only exits takes {floor:.2} ms (median); runs (ms): {}",
            row.all_runs(2)
        ));
    }

    fn construction(&mut self, row: &Row, firsts: &str) {
        let hyper = row.median(Kind::Hyper);
        let mut line = vec!["5. Client construction, no TLS (median)".to_string()];
        line.extend(KINDS.map(|k| format!("{:.1} µs", row.median(k))));
        line.extend(OTHERS.map(|k| format!("{:.1}× time", row.median(k) / hyper)));
        line.extend([
            "≤ 0.1 ms".to_string(),
            format!(
                "sync {}, async {}",
                verdict(row.median(Kind::Sync) <= 100.0),
                verdict(row.median(Kind::Async) <= 100.0)
            ),
        ]);
        self.lines.push(cells(&line));
        self.details.push(format!(
            "- Construction, the first one in the process: {firsts}"
        ));
    }

    fn print(&self, pinning: &str, config: &Config, load_start: &str, load_end: &str) {
        let mut out = String::new();
        out.push_str("\n## Transport benchmark\n\n");
        out.push_str("| Scenario | raw hyper | httpx sync | httpx async | reqwest | ureq | sync / hyper | async / hyper | reqwest / hyper | ureq / hyper | target | met? |\n");
        out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|\n");
        for line in &self.lines {
            out.push_str(line);
            out.push('\n');
        }
        out.push_str("\nClient CPU time (the whole client process, all threads; lower is better; the ratios are ours / raw hyper):\n\n");
        out.push_str("| Scenario | raw hyper | httpx sync | httpx async | reqwest | ureq | sync / hyper | async / hyper | reqwest / hyper | ureq / hyper |\n");
        out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for line in &self.cpu_lines {
            out.push_str(line);
            out.push('\n');
        }
        out.push_str("\nThe sync Client next to another sync client, reqwest::blocking (measured in the same rounds; \
            for scale only, no target):\n\n");
        out.push_str("| Scenario | raw hyper | httpx sync (ratio) | reqwest::blocking (ratio) | httpx sync CPU µs/req | reqwest::blocking CPU µs/req |\n");
        out.push_str("|---|---:|---:|---:|---:|---:|\n");
        for line in &self.blocking_lines {
            out.push_str(line);
            out.push('\n');
        }
        out.push_str(&format!(
            "\nMedians of {} runs per client (clients interleaved, after a warm-up round), except cold start \
             ({} runs) and construction ({} constructions). Pinning: {pinning}. \
             The async clients share one current-thread tokio runtime; the sync Client drives its own; \
             with 64 in flight the sync Client, and ureq's Agent, are each shared by 64 threads \
             (ureq keeps 64 idle connections in 2, its default 3 per host in 2b). \
             Streamed downloads and cold starts each run in a fresh child process of the bench; \
             peak RSS is that process's VmHWM. Load average (1, 5, 15 min) at the start {load_start}, \
             at the end {load_end}: other work on the machine skews wall-clock figures, CPU time less.\n\nRuns:\n",
            config.reps, config.cold_runs, config.constructions
        ));
        for line in &self.details {
            out.push_str(line);
            out.push('\n');
        }
        out.push_str(&format!(
            "\nThe rest of the machine during the measurements (a run is measured again, at most {RETRIES} times, \
             when other processes used more than {FOREIGN_LIMIT} of a core):\n"
        ));
        for line in &self.loads {
            out.push_str(line);
            out.push('\n');
        }
        print!("{out}");
        let _ = std::io::stdout().flush();
    }
}
