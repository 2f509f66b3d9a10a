//! The native clients against real servers from Debian: nginx (HTTP/1.1 keep-alive,
//! HTTP/2 over TLS, connection churn, streamed uploads), squid (forward proxy and CONNECT
//! with basic proxy auth) and dante (SOCKS5, local and remote name resolution), plus the
//! `HTTP_PROXY`/`HTTPS_PROXY`/`ALL_PROXY` environment pointing at them.
//!
//! Each test starts the servers it needs as child processes on 127.0.0.1 (free ports,
//! configs from the templates in tests/interop/ written to a temporary directory) and
//! stops them, with their workers and helpers, when it ends, panics included. The tests
//! are `#[ignore]`d, so that `cargo test` does not need the servers: `make test-interop`
//! installs them (tools/setup.sh) and runs this file with `--ignored`. A missing server
//! fails the test, naming what to install. See tests/interop/README.md.
//!
//! Unix only (process groups); the servers are Debian's builds (paths such as
//! /usr/lib/squid/basic_ncsa_auth).
#![cfg(all(unix, not(target_family = "wasm")))]

mod common;

use std::ffi::OsString;
use std::fs;
use std::net::{Ipv4Addr, TcpListener, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use httpx::{Body, ErrorKind, Limits, Proxy};
use httpx_test_server::{Certificates, Options, TestServer};
use serde_json::Value;

// ---------------------------------------------------------------------------------
// The harness: temporary directories, ports, server processes.
// ---------------------------------------------------------------------------------

/// Finds a server binary in PATH, /usr/sbin or /sbin (a user's PATH may lack sbin), or
/// fails the test saying how to get it.
fn require(binary: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs =
        std::env::split_paths(&path).chain([PathBuf::from("/usr/sbin"), PathBuf::from("/sbin")]);
    for dir in dirs {
        let candidate = dir.join(binary);
        if candidate.is_file() {
            return candidate;
        }
    }
    panic!(
        "`{binary}` is not installed (looked in PATH, /usr/sbin and /sbin). The interop \
         tests need Debian's nginx, squid and dante-server: run `make test-interop`, which \
         installs them with tools/setup.sh (or `apt-get install nginx squid dante-server`)"
    );
}

/// A free port on 127.0.0.1 (free when asked: a server that then fails to bind it is
/// started again on another).
fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .expect("a free port on 127.0.0.1")
        .port()
}

/// A uid and gid from /etc/passwd.
fn user_ids(name: &str) -> Option<(u32, u32)> {
    let passwd = fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        if fields.len() > 3 && fields[0] == name {
            Some((fields[2].parse().ok()?, fields[3].parse().ok()?))
        } else {
            None
        }
    })
}

/// Makes `path` writable by `user`, which a server started as root switches to (nginx's
/// workers: www-data; squid: proxy). Nothing to do when the tests do not run as root:
/// then the servers keep the tests' user.
fn give_to(path: &Path, user: &str) {
    if !rustix::process::geteuid().is_root() {
        return;
    }
    let (uid, gid) = user_ids(user).unwrap_or_else(|| panic!("no user {user} in /etc/passwd"));
    std::os::unix::fs::chown(path, Some(uid), Some(gid))
        .unwrap_or_else(|e| panic!("chown {} to {user}: {e}", path.display()));
}

/// A temporary directory for one server, `$TMPDIR/httpx-interop-<pid>-<n>-<name>`,
/// readable by all (a server switching to its own user reads its files there). Removed
/// on drop, unless `HTTPX_INTEROP_KEEP` is set.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        use std::os::unix::fs::PermissionsExt;
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "httpx-interop-{}-{}-{name}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("create the scratch directory");
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).expect("chmod 755");
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if std::env::var_os("HTTPX_INTEROP_KEEP").is_some() {
            eprintln!("interop: files kept in {}", self.0.display());
        } else {
            let _ = fs::remove_dir_all(&self.0);
        }
    }
}

/// Fills a template of tests/interop/ (`{{NAME}}` placeholders) and writes it to `to`.
fn write_config(template: &str, vars: &[(&str, String)], to: &Path) {
    let source = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/interop")
        .join(template);
    let mut text =
        fs::read_to_string(&source).unwrap_or_else(|e| panic!("read {}: {e}", source.display()));
    for (name, value) in vars {
        text = text.replace(&format!("{{{{{name}}}}}"), value);
    }
    if let Some(at) = text.find("{{") {
        let rest = &text[at..];
        let end = rest.find('\n').unwrap_or(rest.len());
        panic!("{template}: placeholder left unfilled: {}", &rest[..end]);
    }
    fs::write(to, text).unwrap_or_else(|e| panic!("write {}: {e}", to.display()));
}

/// A server process started by a test. On drop it is stopped with its process group
/// (nginx's workers, dante's children) and its descendants in other groups (squid's
/// helpers start their own): SIGTERM, then SIGKILL to whatever is left after 3 s. Its
/// directory goes after it.
struct Daemon {
    name: &'static str,
    child: Child,
    dir: PathBuf,
    // Dropped after `drop` has stopped the process.
    _scratch: Scratch,
}

impl Daemon {
    /// Starts `program args` in its own process group, in `dir`, output to `<name>.out`.
    fn spawn(name: &'static str, program: &Path, args: &[OsString], scratch: Scratch) -> Daemon {
        let dir = scratch.0.clone();
        use std::os::unix::process::CommandExt;
        let out = fs::File::create(dir.join(format!("{name}.out"))).expect("create the .out file");
        let err = out.try_clone().expect("clone the .out file");
        let child = Command::new(program)
            .args(args)
            .current_dir(&dir)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", program.display()));
        Daemon {
            name,
            child,
            dir,
            _scratch: scratch,
        }
    }

    /// Waits until every port accepts connections (10 s at most); `Err` with the
    /// server's logs when it exits or does not get there.
    fn wait_ready(&mut self, ports: &[u16]) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("{} exited ({status}) while starting", self.name));
            }
            let ready = ports.iter().all(|port| {
                TcpStream::connect_timeout(
                    &(Ipv4Addr::LOCALHOST, *port).into(),
                    Duration::from_millis(200),
                )
                .is_ok()
            });
            if ready {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "{} does not accept on {ports:?} after 10 s",
                    self.name
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The path of a file in the server's directory.
    fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// A file of the server's directory as text ("" when missing).
    fn read(&self, name: &str) -> String {
        fs::read_to_string(self.file(name)).unwrap_or_default()
    }

    /// The last lines of every log and output file, for failure messages.
    fn logs(&self) -> String {
        let mut out = String::new();
        let mut entries: Vec<PathBuf> = fs::read_dir(&self.dir)
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        entries.sort();
        for path in entries {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            if !(name.ends_with(".log") || name.ends_with(".out")) {
                continue;
            }
            let text = fs::read_to_string(&path).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            let tail = &lines[lines.len().saturating_sub(25)..];
            out.push_str(&format!(
                "--- {name} (last {} lines)\n{}\n",
                tail.len(),
                tail.join("\n")
            ));
        }
        out
    }

    /// Polls `check` on the server's file `name` for up to 3 s (servers write their logs
    /// just after answering); the last text either way.
    fn wait_for_file(&self, name: &str, check: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(3);
        loop {
            let text = self.read(name);
            if check(&text) || Instant::now() > deadline {
                return text;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// The pids of every process descending from `root` (from /proc; empty elsewhere).
fn descendants(root: u32) -> Vec<u32> {
    let mut parents: Vec<(u32, u32)> = Vec::new();
    if let Ok(entries) = fs::read_dir("/proc") {
        for entry in entries.flatten() {
            let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            let Ok(stat) = fs::read_to_string(entry.path().join("stat")) else {
                continue;
            };
            // `pid (comm) state ppid ...`; comm may hold spaces and parentheses.
            let Some(after) = stat.rfind(')').map(|at| &stat[at + 1..]) else {
                continue;
            };
            if let Some(ppid) = after.split_whitespace().nth(1).and_then(|p| p.parse().ok()) {
                parents.push((pid, ppid));
            }
        }
    }
    let mut found = vec![root];
    let mut i = 0;
    while i < found.len() {
        let parent = found[i];
        found.extend(
            parents
                .iter()
                .filter(|(_, pp)| *pp == parent)
                .map(|(p, _)| *p),
        );
        i += 1;
    }
    found.remove(0);
    found
}

fn signal(pids: &[u32], group: u32, sig: rustix::process::Signal) {
    use rustix::process::{kill_process, kill_process_group, Pid};
    if let Some(group) = Pid::from_raw(group as i32) {
        let _ = kill_process_group(group, sig);
    }
    for pid in pids {
        if let Some(pid) = Pid::from_raw(*pid as i32) {
            let _ = kill_process(pid, sig);
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        use rustix::process::Signal;
        let pid = self.child.id();
        let others = descendants(pid);
        signal(&others, pid, Signal::TERM);
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        // Whatever is left of the group and the descendants seen before, then reap.
        signal(&others, pid, Signal::KILL);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts a server, again on new ports (up to 3 times) when one was taken meanwhile.
/// `setup` gets a new directory and the ports, writes the config, and returns the
/// program, its arguments and the ports to wait for.
fn start_with_retries<T>(
    name: &'static str,
    ports_wanted: usize,
    setup: impl Fn(&Path, &[u16]) -> (PathBuf, Vec<OsString>),
    finish: impl FnOnce(Daemon, Vec<u16>) -> T,
) -> T {
    for attempt in 1..=3 {
        let scratch = Scratch::new(name);
        let ports: Vec<u16> = (0..ports_wanted).map(|_| free_port()).collect();
        let (program, args) = setup(&scratch.0, &ports);
        let mut daemon = Daemon::spawn(name, &program, &args, scratch);
        match daemon.wait_ready(&ports) {
            Ok(()) => return finish(daemon, ports),
            Err(why) => {
                let logs = daemon.logs();
                let taken = logs.contains("in use");
                drop(daemon);
                if !(taken && attempt < 3) {
                    panic!("{why}\n{logs}");
                }
            }
        }
    }
    unreachable!()
}

// nginx --------------------------------------------------------------------------

/// nginx from tests/interop/nginx.conf: http:// and https:// (HTTP/1.1 and HTTP/2 by
/// ALPN, with a generated CA) on one server; `/hello`, `/dav/` (PUT, GET),
/// `/origin/` (proxy_pass to `origin`).
struct Nginx {
    daemon: Daemon,
    http_port: u16,
    https_port: u16,
    ca_pem: String,
}

impl Nginx {
    fn start() -> Nginx {
        Nginx::start_in_front_of(None)
    }

    /// With `/origin/` passed to this test server.
    fn start_in_front_of(origin: Option<&TestServer>) -> Nginx {
        let nginx = require("nginx");
        let certificates = Certificates::generate().expect("generate certificates");
        let origin_port = origin.map_or(1, TestServer::port);
        start_with_retries(
            "nginx",
            2,
            |dir, ports| {
                for sub in ["www", "client_body", "proxy", "fastcgi", "uwsgi", "scgi"] {
                    fs::create_dir_all(dir.join(sub)).expect("nginx directories");
                    give_to(&dir.join(sub), "www-data");
                }
                fs::write(dir.join("server.pem"), certificates.server_cert_pem()).unwrap();
                fs::write(dir.join("server-key.pem"), certificates.server_key_pem()).unwrap();
                let d = dir.display().to_string();
                write_config(
                    "nginx.conf",
                    &[
                        ("DIR", d.clone()),
                        ("HTTP_PORT", ports[0].to_string()),
                        ("HTTPS_PORT", ports[1].to_string()),
                        ("ORIGIN_PORT", origin_port.to_string()),
                    ],
                    &dir.join("nginx.conf"),
                );
                let args = [
                    "-p".to_string(),
                    format!("{d}/"),
                    "-c".to_string(),
                    format!("{d}/nginx.conf"),
                    "-e".to_string(),
                    format!("{d}/nginx-error.log"),
                    "-g".to_string(),
                    "daemon off;".to_string(),
                ];
                (
                    nginx.clone(),
                    args.into_iter().map(OsString::from).collect(),
                )
            },
            |daemon, ports| Nginx {
                daemon,
                http_port: ports[0],
                https_port: ports[1],
                ca_pem: certificates.ca_pem().to_string(),
            },
        )
    }

    fn http(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.http_port)
    }

    fn https(&self, path: &str) -> String {
        format!("https://127.0.0.1:{}{path}", self.https_port)
    }

    /// The access log's lines (see `log_format interop` in nginx.conf), once it has at
    /// least `expected` of them (or after 3 s).
    fn access_log(&self, expected: usize) -> Vec<AccessLine> {
        let text = self
            .daemon
            .wait_for_file("nginx-access.log", |t| t.lines().count() >= expected);
        text.lines().map(AccessLine::parse).collect()
    }
}

/// One line of nginx's access log: `$connection $connection_requests $server_protocol
/// $request_method $request_uri $status $request_length $body_bytes_sent`.
#[derive(Debug, Clone)]
struct AccessLine {
    connection: u64,
    connection_requests: u64,
    protocol: String,
    method: String,
    uri: String,
    status: u16,
    request_length: u64,
}

impl AccessLine {
    fn parse(line: &str) -> AccessLine {
        let f: Vec<&str> = line.split(' ').collect();
        assert!(f.len() >= 8, "unexpected access log line: {line}");
        let num = |s: &str| s.parse::<u64>().unwrap_or_else(|_| panic!("{s} in {line}"));
        AccessLine {
            connection: num(f[0]),
            connection_requests: num(f[1]),
            protocol: f[2].to_string(),
            method: f[3].to_string(),
            uri: f[4].to_string(),
            status: num(f[5]) as u16,
            request_length: num(f[6]),
        }
    }
}

// squid --------------------------------------------------------------------------

const SQUID_USER: &str = "interop-user";
const SQUID_PASS: &str = "interop-pw";

/// squid from tests/interop/squid.conf: a forward proxy (absolute-form and CONNECT)
/// requiring basic auth, `SQUID_USER`/`SQUID_PASS` in its htpasswd.
struct Squid {
    daemon: Daemon,
    port: u16,
}

impl Squid {
    fn start() -> Squid {
        let squid = require("squid");
        let helper = Path::new("/usr/lib/squid/basic_ncsa_auth");
        assert!(
            helper.is_file(),
            "{} is missing (Debian's squid has it): run `make test-interop` (tools/setup.sh)",
            helper.display()
        );
        start_with_retries(
            "squid",
            1,
            |dir, ports| {
                // squid switches to `proxy` when started as root: it writes its pid and
                // logs here, and its auth helper reads the htpasswd.
                give_to(dir, "proxy");
                fs::write(
                    dir.join("htpasswd"),
                    format!("{SQUID_USER}:{}\n", apr1_crypt(SQUID_PASS, "iNtErOp1")),
                )
                .unwrap();
                write_config(
                    "squid.conf",
                    &[
                        ("DIR", dir.display().to_string()),
                        ("PORT", ports[0].to_string()),
                    ],
                    &dir.join("squid.conf"),
                );
                let args: [OsString; 3] = ["-N".into(), "-f".into(), dir.join("squid.conf").into()];
                (squid.clone(), args.to_vec())
            },
            |daemon, ports| Squid {
                daemon,
                port: ports[0],
            },
        )
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn url_with_auth(&self, user: &str, pass: &str) -> String {
        format!("http://{user}:{pass}@127.0.0.1:{}", self.port)
    }

    /// Lines of squid's access log containing `needle`, once there are `expected` of
    /// them (or after 3 s).
    fn log_lines(&self, needle: &str, expected: usize) -> Vec<String> {
        let matching = |t: &str| t.lines().filter(|l| l.contains(needle)).count();
        let text = self
            .daemon
            .wait_for_file("squid-access.log", |t| matching(t) >= expected);
        text.lines()
            .filter(|l| l.contains(needle))
            .map(str::to_string)
            .collect()
    }
}

/// Apache's `$apr1$` MD5-crypt, one of the hashes squid's basic_ncsa_auth accepts (it
/// takes DES crypt and MD5 crypt, not `{SHA}`): what `openssl passwd -apr1 -salt SALT`
/// prints.
fn apr1_crypt(password: &str, salt: &str) -> String {
    use md5::{Digest, Md5};
    const MAGIC: &[u8] = b"$apr1$";
    let (pw, salt) = (password.as_bytes(), &salt.as_bytes()[..salt.len().min(8)]);
    let alternate = Md5::new()
        .chain_update(pw)
        .chain_update(salt)
        .chain_update(pw)
        .finalize();
    let mut ctx = Md5::new();
    ctx.update(pw);
    ctx.update(MAGIC);
    ctx.update(salt);
    let mut left = pw.len();
    while left > 0 {
        ctx.update(&alternate[..left.min(16)]);
        left = left.saturating_sub(16);
    }
    let mut bits = pw.len();
    while bits > 0 {
        ctx.update(if bits & 1 == 1 { &[0u8][..] } else { &pw[..1] });
        bits >>= 1;
    }
    let mut digest = ctx.finalize();
    for round in 0..1000 {
        let mut ctx = Md5::new();
        if round & 1 == 1 {
            ctx.update(pw);
        } else {
            ctx.update(digest);
        }
        if round % 3 != 0 {
            ctx.update(salt);
        }
        if round % 7 != 0 {
            ctx.update(pw);
        }
        if round & 1 == 1 {
            ctx.update(digest);
        } else {
            ctx.update(pw);
        }
        digest = ctx.finalize();
    }
    const ITOA64: &[u8] = b"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut out = format!("$apr1${}$", String::from_utf8_lossy(salt));
    let mut put = |mut value: u32, count: usize| {
        for _ in 0..count {
            out.push(ITOA64[(value & 0x3f) as usize] as char);
            value >>= 6;
        }
    };
    for (a, b, c) in [(0, 6, 12), (1, 7, 13), (2, 8, 14), (3, 9, 15), (4, 10, 5)] {
        put(
            (u32::from(digest[a]) << 16) | (u32::from(digest[b]) << 8) | u32::from(digest[c]),
            4,
        );
    }
    put(u32::from(digest[11]), 2);
    out
}

#[test]
fn apr1_crypt_matches_openssl() {
    // The expected values are `openssl passwd -apr1 -salt SALT PASSWORD`.
    assert_eq!(
        apr1_crypt("pw", "abcdefgh"),
        "$apr1$abcdefgh$5VEbMkemELfbhC5ck.U.z1"
    );
    assert_eq!(
        apr1_crypt(SQUID_PASS, "iNtErOp1"),
        "$apr1$iNtErOp1$C/8H5TtoN9oez2mhpOckX0"
    );
    // Longer than one MD5 block of the alternate sum.
    assert_eq!(
        apr1_crypt("a-longer-password-than-16-bytes", "12345678"),
        "$apr1$12345678$SpHk8qUbGduMvQQuRJuDa."
    );
}

// dante --------------------------------------------------------------------------

/// danted from tests/interop/danted.conf: SOCKS5 without authentication, to loopback.
struct Dante {
    daemon: Daemon,
    port: u16,
}

impl Dante {
    fn start() -> Dante {
        let danted = require("danted");
        start_with_retries(
            "danted",
            1,
            |dir, ports| {
                write_config(
                    "danted.conf",
                    &[
                        ("DIR", dir.display().to_string()),
                        ("PORT", ports[0].to_string()),
                    ],
                    &dir.join("danted.conf"),
                );
                let args: [OsString; 4] = [
                    "-f".into(),
                    dir.join("danted.conf").into(),
                    "-p".into(),
                    dir.join("danted.pid").into(),
                ];
                (danted.clone(), args.to_vec())
            },
            |daemon, ports| Dante {
                daemon,
                port: ports[0],
            },
        )
    }

    fn url(&self, scheme: &str) -> String {
        format!("{scheme}://127.0.0.1:{}", self.port)
    }

    /// How many connections dante logged to `127.0.0.1:port` (`tcp/connect` lines end
    /// with the target: `... -> 127.0.0.1.<ours> 127.0.0.1.<port>`), once there are
    /// `expected` (or after 3 s).
    fn connects_to(&self, port: u16, expected: usize) -> usize {
        let target = format!("127.0.0.1.{port}");
        let count = |t: &str| {
            t.lines()
                .filter(|l| l.contains("tcp/connect"))
                .filter(|l| l.split_whitespace().last() == Some(target.as_str()))
                .count()
        };
        count(
            &self
                .daemon
                .wait_for_file("danted.log", |t| count(t) >= expected),
        )
    }
}

// ---------------------------------------------------------------------------------
// Shared helpers.
// ---------------------------------------------------------------------------------

/// The echo object's header `name` (lowercase), if the origin received it.
fn echoed<'a>(echo: &'a Value, name: &str) -> Option<&'a str> {
    echo["headers"][name].as_str()
}

/// `len` bytes of a fixed pseudo-random sequence (xorshift), printable ASCII when `text`.
fn pattern(len: usize, text: bool) -> Vec<u8> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let byte = (state >> 32) as u8;
            if text {
                b'a' + byte % 26
            } else {
                byte
            }
        })
        .collect()
}

const UPLOAD_LEN: usize = 8 * 1024 * 1024;
const CHUNK: usize = 64 * 1024;

/// `data` as a blocking stream of 64 KiB chunks.
fn chunks_iter(data: &[u8]) -> impl Iterator<Item = httpx::Result<Vec<u8>>> + Send + 'static {
    data.chunks(CHUNK)
        .map(|c| Ok(c.to_vec()))
        .collect::<Vec<_>>()
        .into_iter()
}

/// A streamed body of `data` for the client flavour: an iterator for `Client`, an async
/// stream for `AsyncClient`; with a Content-Length when `with_len`, chunked otherwise.
fn streamed(flavour: &str, data: &[u8], with_len: bool) -> Body {
    let len = with_len.then_some(data.len() as u64);
    if flavour == "sync" {
        Body::from_iter(chunks_iter(data), len)
    } else {
        Body::from_stream(futures_util::stream::iter(chunks_iter(data)), len)
    }
}

/// Outcomes of a churn round: how many requests failed and the first few errors.
#[derive(Default)]
struct Tally {
    total: usize,
    failed: Vec<String>,
}

impl Tally {
    fn add(&mut self, round: usize, outcome: Result<&'static str, String>, want: &str) {
        self.total += 1;
        match outcome {
            Ok(version) if version == want => {}
            Ok(version) => self
                .failed
                .push(format!("round {round}: {version}, not {want}")),
            Err(e) => self.failed.push(format!("round {round}: {e}")),
        }
    }

    #[track_caller]
    fn assert_all_succeeded(&self, what: &str) {
        if !self.failed.is_empty() {
            let mut distinct: Vec<&String> = Vec::new();
            for e in &self.failed {
                if !distinct.contains(&e) && distinct.len() < 6 {
                    distinct.push(e);
                }
            }
            panic!(
                "{what}: {} of {} requests failed; first distinct errors:\n  {}",
                self.failed.len(),
                self.total,
                distinct
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join("\n  ")
            );
        }
    }
}

/// Churn: `WORKERS` concurrent workers, each doing `PER_WORKER` GETs in a row, for
/// `ROUNDS` rounds with a pause longer than nginx's 1 s keepalive_timeout between them;
/// nginx also ends each connection after 20 requests (keepalive_requests).
const WORKERS: usize = 64;
const PER_WORKER: usize = 4;
const ROUNDS: usize = 3;
const PAUSE: Duration = Duration::from_millis(1500);

fn error_text(e: &httpx::Error) -> String {
    let mut text = format!("{}: {e}", e.kind());
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(&format!(" <- {s:?}"));
        source = s.source();
    }
    text
}

/// Asserts from the access log that the churn happened: no connection of one round
/// served the next (nginx closed them after 1 s idle), and, when `limit_reached`, some
/// connection served its 20th request (then nginx closed it); and that every request
/// nginx saw was answered 200.
#[track_caller]
fn assert_churned(nginx: &Nginx, requests: usize, limit_reached: bool) {
    let log = nginx.access_log(requests);
    let round_of = |l: &AccessLine| {
        l.uri
            .strip_prefix("/hello?round=")
            .and_then(|r| r.parse::<usize>().ok())
    };
    let connections = |round: usize| -> std::collections::BTreeSet<u64> {
        log.iter()
            .filter(|l| round_of(l) == Some(round))
            .map(|l| l.connection)
            .collect()
    };
    for round in 2..=ROUNDS {
        let (before, now) = (connections(round - 1), connections(round));
        assert!(!now.is_empty(), "no requests of round {round} in the log");
        assert!(
            before.is_disjoint(&now),
            "round {round} reused connections of round {} (keepalive_timeout 1s, pause {PAUSE:?})",
            round - 1
        );
    }
    if limit_reached {
        assert!(
            log.iter().any(|l| l.connection_requests >= 20),
            "no connection reached keepalive_requests 20: at most {:?}",
            log.iter().map(|l| l.connection_requests).max()
        );
    }
    assert!(log.iter().all(|l| l.status == 200), "{log:?}");
}

async fn churn_async(client: httpx::AsyncClient, url: String, want: &'static str) -> Tally {
    let mut tally = Tally::default();
    for round in 1..=ROUNDS {
        if round > 1 {
            tokio::time::sleep(PAUSE).await;
        }
        let workers = (0..WORKERS).map(|_| {
            let client = client.clone();
            let url = format!("{url}?round={round}");
            tokio::spawn(async move {
                let mut outcomes = Vec::new();
                for _ in 0..PER_WORKER {
                    let outcome = match client.get(&url).send().await {
                        Ok(r) if r.status() == 200 => Ok(r.http_version()),
                        Ok(r) => Err(format!("status {}", r.status())),
                        Err(e) => Err(error_text(&e)),
                    };
                    outcomes.push(outcome);
                }
                outcomes
            })
        });
        for worker in futures_util::future::join_all(workers).await {
            for outcome in worker.expect("worker task") {
                tally.add(round, outcome, want);
            }
        }
    }
    tally
}

fn churn_sync(client: httpx::Client, url: String, want: &'static str) -> Tally {
    let mut tally = Tally::default();
    for round in 1..=ROUNDS {
        if round > 1 {
            std::thread::sleep(PAUSE);
        }
        let outcomes: Vec<Vec<Result<&'static str, String>>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..WORKERS)
                .map(|_| {
                    let client = client.clone();
                    let url = format!("{url}?round={round}");
                    scope.spawn(move || {
                        (0..PER_WORKER)
                            .map(|_| match client.get(&url).send() {
                                Ok(r) if r.status() == 200 => Ok(r.http_version()),
                                Ok(r) => Err(format!("status {}", r.status())),
                                Err(e) => Err(error_text(&e)),
                            })
                            .collect()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("worker thread"))
                .collect()
        });
        for outcome in outcomes.into_iter().flatten() {
            tally.add(round, outcome, want);
        }
    }
    tally
}

// ---------------------------------------------------------------------------------
// nginx
// ---------------------------------------------------------------------------------

mod nginx {
    use super::*;

    dual_test! {
        #[ignore = "needs nginx, squid and dante-server: make test-interop"]
        fn keep_alive_reuses_one_connection() {
            let nginx = Nginx::start();
            let client = builder!().build()?;
            for _ in 0..10 {
                let response = send!(client.get(nginx.http("/hello")))?;
                assert_eq!(response.status(), 200);
                assert_eq!(response.http_version(), "HTTP/1.1");
                assert_eq!(response.headers().get("x-served-by").as_deref(), Some("nginx"));
                assert_eq!(response.text()?, "hello from nginx\n");
            }
            let log = nginx.access_log(10);
            assert_eq!(log.len(), 10, "{log:?}\n{}", nginx.daemon.logs());
            // One connection ($connection), its requests numbered 1..=10.
            assert!(log.iter().all(|l| l.connection == log[0].connection), "{log:?}");
            let numbers: Vec<u64> = log.iter().map(|l| l.connection_requests).collect();
            assert_eq!(numbers, (1..=10).collect::<Vec<u64>>(), "{log:?}");
            assert!(log.iter().all(|l| l.protocol == "HTTP/1.1" && l.method == "GET"), "{log:?}");
            Ok(())
        }

        #[ignore = "needs nginx, squid and dante-server: make test-interop"]
        fn a_connection_closed_after_keepalive_requests_is_replaced() {
            // nginx answers the 20th request of a connection with `Connection: close`;
            // with room for one connection only, the 21st needs that slot back.
            let nginx = Nginx::start();
            let client = builder!()
                .limits(Limits::default().max_connections(Some(1)))
                .timeout(httpx::Timeout::new(5.0).pool(2.0))
                .build()?;
            for i in 1..=25 {
                let response = send!(client.get(nginx.http(&format!("/hello?i={i}"))))
                    .map_err(|e| httpx::Error::new(e.kind(), format!("request {i}: {e}")))?;
                assert_eq!(response.status(), 200);
                let close = response.headers().get("connection").map(|v| v.to_ascii_lowercase());
                assert_eq!(close.as_deref() == Some("close"), i == 20, "request {i}: {close:?}");
            }
            let log = nginx.access_log(25);
            let numbers: Vec<u64> = log.iter().map(|l| l.connection_requests).collect();
            let expected: Vec<u64> = (1..=20).chain(1..=5).collect();
            assert_eq!(numbers, expected, "{log:?}");
            assert_ne!(log[19].connection, log[20].connection, "{log:?}");
            Ok(())
        }

        #[ignore = "needs nginx, squid and dante-server: make test-interop"]
        fn http2_over_tls_with_a_generated_ca() {
            let nginx = Nginx::start();
            let client = builder!().ca_bundle_pem(nginx.ca_pem.clone()).http2(true).build()?;
            for _ in 0..3 {
                let response = send!(client.get(nginx.https("/hello")))?;
                assert_eq!(response.status(), 200);
                assert_eq!(response.http_version(), "HTTP/2");
                assert_eq!(response.text()?, "hello from nginx\n");
            }
            let log = nginx.access_log(3);
            assert!(log.iter().all(|l| l.protocol == "HTTP/2.0"), "{log:?}");
            // One connection, multiplexed.
            assert!(log.iter().all(|l| l.connection == log[0].connection), "{log:?}");
            // Without http2(true) the same server speaks HTTP/1.1 (ALPN).
            let client = builder!().ca_bundle_pem(nginx.ca_pem.clone()).build()?;
            assert_eq!(send!(client.get(nginx.https("/hello")))?.http_version(), "HTTP/1.1");
            // And an untrusted CA is refused.
            let client = builder!().http2(true).build()?;
            let err = send!(client.get(nginx.https("/hello"))).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::ConnectError, "{err}");
            Ok(())
        }

        #[ignore = "needs nginx, squid and dante-server: make test-interop"]
        fn streamed_upload_to_webdav() {
            // PUT 8 MiB given as a stream, chunked and then with a Content-Length, and
            // read it back whole.
            let nginx = Nginx::start();
            let client = builder!().timeout(30.0).build()?;
            let data = pattern(UPLOAD_LEN, false);
            for (name, with_len) in [("chunked.bin", false), ("sized.bin", true)] {
                let url = nginx.http(&format!("/dav/{}/{name}", flavour!()));
                let response = send!(client.put(&url).body(streamed(flavour!(), &data, with_len)))?;
                assert_eq!(response.status(), 201, "PUT {name}: {}", nginx.daemon.logs());
                let stored = nginx.daemon.file(&format!("www/dav/{}/{name}", flavour!()));
                assert_eq!(fs::metadata(&stored).map(|m| m.len()).ok(), Some(UPLOAD_LEN as u64));
                let response = send!(client.get(&url))?;
                assert_eq!(response.status(), 200);
                let back = response.content()?;
                assert_eq!(back.len(), UPLOAD_LEN);
                assert!(back[..] == data[..], "{name}: the body read back differs");
            }
            let log = nginx.access_log(4);
            let puts: Vec<&AccessLine> = log.iter().filter(|l| l.method == "PUT").collect();
            assert_eq!(puts.len(), 2, "{log:?}");
            assert!(puts.iter().all(|l| l.request_length as usize > UPLOAD_LEN), "{puts:?}");
            Ok(())
        }

        #[ignore = "needs nginx, squid and dante-server: make test-interop"]
        fn streamed_upload_through_nginx_to_the_test_server() {
            // nginx passes the body on as it comes (proxy_request_buffering off) to the
            // test server's /post, which echoes it.
            let origin = TestServer::start();
            let nginx = Nginx::start_in_front_of(Some(&origin));
            let client = builder!().timeout(30.0).build()?;
            let data = pattern(UPLOAD_LEN, true);
            let response = send!(client
                .post(nginx.http("/origin/post"))
                .header("Content-Type", "text/plain")
                .body(streamed(flavour!(), &data, false)))?;
            assert_eq!(response.status(), 200, "{}", nginx.daemon.logs());
            let echo: Value = response.json()?;
            assert_eq!(echo["body_length"], UPLOAD_LEN);
            assert_eq!(echo["method"], "POST");
            assert!(echo["data"].as_str().map(str::as_bytes) == Some(&data[..]), "the echoed body differs");
            Ok(())
        }

        #[ignore = "needs nginx, squid and dante-server: make test-interop"]
        fn streamed_upload_over_http2() {
            let nginx = Nginx::start();
            let client = builder!()
                .ca_bundle_pem(nginx.ca_pem.clone())
                .http2(true)
                .timeout(30.0)
                .build()?;
            let data = pattern(UPLOAD_LEN, false);
            let url = nginx.https(&format!("/dav/h2-{}.bin", flavour!()));
            let response = send!(client.put(&url).body(streamed(flavour!(), &data, false)))?;
            assert_eq!(response.http_version(), "HTTP/2");
            assert_eq!(response.status(), 201, "{}", nginx.daemon.logs());
            let response = send!(client.get(&url))?;
            assert_eq!(response.http_version(), "HTTP/2");
            assert!(response.content()?[..] == data[..], "the body read back differs");
            Ok(())
        }
    }

    // Churn: keepalive_requests 20 and keepalive_timeout 1s against many concurrent
    // requests on one client, over a few rounds.

    /// HTTP/1.1 with the default limits: 64 connections, closed by nginx between rounds.
    #[ignore = "needs nginx, squid and dante-server: make test-interop"]
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn churn_http1_async() -> httpx::Result<()> {
        let nginx = Nginx::start();
        let client = httpx::AsyncClient::builder().build()?;
        let tally = churn_async(client, nginx.http("/hello"), "HTTP/1.1").await;
        tally.assert_all_succeeded("HTTP/1.1 churn, AsyncClient");
        assert_churned(&nginx, tally.total, false);
        Ok(())
    }

    #[ignore = "needs nginx, squid and dante-server: make test-interop"]
    #[test]
    fn churn_http1_sync() -> httpx::Result<()> {
        let nginx = Nginx::start();
        let client = httpx::Client::builder().build()?;
        let tally = churn_sync(client, nginx.http("/hello"), "HTTP/1.1");
        tally.assert_all_succeeded("HTTP/1.1 churn, Client");
        assert_churned(&nginx, tally.total, false);
        Ok(())
    }

    /// HTTP/1.1 with at most 8 connections: each serves its 20 requests, gets
    /// `Connection: close`, and its place goes to a new one while 56 requests wait.
    #[ignore = "needs nginx, squid and dante-server: make test-interop"]
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn churn_http1_8_connections_async() -> httpx::Result<()> {
        let nginx = Nginx::start();
        let client = httpx::AsyncClient::builder()
            .limits(Limits::default().max_connections(Some(8)))
            .build()?;
        let tally = churn_async(client, nginx.http("/hello"), "HTTP/1.1").await;
        tally.assert_all_succeeded("HTTP/1.1 churn over 8 connections, AsyncClient");
        assert_churned(&nginx, tally.total, true);
        Ok(())
    }

    #[ignore = "needs nginx, squid and dante-server: make test-interop"]
    #[test]
    fn churn_http1_8_connections_sync() -> httpx::Result<()> {
        let nginx = Nginx::start();
        let client = httpx::Client::builder()
            .limits(Limits::default().max_connections(Some(8)))
            .build()?;
        let tally = churn_sync(client, nginx.http("/hello"), "HTTP/1.1");
        tally.assert_all_succeeded("HTTP/1.1 churn over 8 connections, Client");
        assert_churned(&nginx, tally.total, true);
        Ok(())
    }

    /// HTTP/2: all 64 workers multiplexed; nginx sends GOAWAY after 20 streams of a
    /// connection and after 1 s idle.
    #[ignore = "needs nginx, squid and dante-server: make test-interop"]
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn churn_http2_async() -> httpx::Result<()> {
        let nginx = Nginx::start();
        let client = httpx::AsyncClient::builder()
            .ca_bundle_pem(nginx.ca_pem.clone())
            .http2(true)
            .build()?;
        let tally = churn_async(client, nginx.https("/hello"), "HTTP/2").await;
        tally.assert_all_succeeded("HTTP/2 churn, AsyncClient");
        assert_churned(&nginx, tally.total, true);
        Ok(())
    }

    #[ignore = "needs nginx, squid and dante-server: make test-interop"]
    #[test]
    fn churn_http2_sync() -> httpx::Result<()> {
        let nginx = Nginx::start();
        let client = httpx::Client::builder()
            .ca_bundle_pem(nginx.ca_pem.clone())
            .http2(true)
            .build()?;
        let tally = churn_sync(client, nginx.https("/hello"), "HTTP/2");
        tally.assert_all_succeeded("HTTP/2 churn, Client");
        assert_churned(&nginx, tally.total, true);
        Ok(())
    }
}

// ---------------------------------------------------------------------------------
// squid
// ---------------------------------------------------------------------------------

mod squid {
    use super::*;

    dual_test! {
        #[ignore = "needs nginx, squid and dante-server: make test-interop"]
        fn forward_proxy_and_connect_with_basic_auth() {
            let squid = Squid::start();
            let origin = TestServer::start();
            let tls_origin = TestServer::start_with(Options::new().tls(true));

            // Right credentials, in the proxy URL.
            let client = builder!()
                .proxy(Proxy::new(&squid.url_with_auth(SQUID_USER, SQUID_PASS))?)
                .ca_bundle_pem(tls_origin.ca_pem())
                .build()?;
            // http://: forwarded in absolute form; squid answers with its Via.
            let url = origin.url("/headers");
            let response = send!(client.get(&url))?;
            assert_eq!(response.status(), 200, "{}", squid.daemon.logs());
            let via = response.headers().get("via").map(|v| v.to_string()).unwrap_or_default();
            assert!(via.contains("interop-squid"), "Via: {via:?}");
            let echo: Value = response.json()?;
            assert_eq!(echoed(&echo, "proxy-authorization"), None, "{echo}");
            assert!(echoed(&echo, "via").is_some_and(|v| v.contains("interop-squid")), "{echo}");
            let lines = squid.log_lines(&format!("GET {url} {SQUID_USER}"), 1);
            assert_eq!(lines.len(), 1, "{}", squid.daemon.logs());
            assert!(lines[0].contains("TCP_MISS/200"), "{lines:?}");
            // A body through the proxy as well.
            let response = send!(client.post(origin.url("/post")).content("through squid"))?;
            assert_eq!(response.json::<Value>()?["data"], "through squid");

            // https://: a CONNECT tunnel, TLS with the origin end to end.
            let response = send!(client.get(tls_origin.url("/headers")))?;
            assert_eq!(response.status(), 200);
            assert_eq!(response.headers().get("via"), None, "from the origin, untouched");
            let echo: Value = response.json()?;
            assert_eq!(echoed(&echo, "proxy-authorization"), None, "{echo}");
            // The tunnel is pooled: a second request, no second CONNECT.
            assert_eq!(send!(client.get(tls_origin.url("/get")))?.status(), 200);
            // squid logs a tunnel when it closes. An AsyncClient's connections end in
            // tasks of this test's runtime, which runs them while it awaits: hence a
            // request on another client before reading the log.
            close!(client);
            drop(client);
            send!(new_client!().get(origin.url("/delay/0.2")))?;
            let connect = format!("CONNECT 127.0.0.1:{} {SQUID_USER}", tls_origin.port());
            let lines = squid.log_lines(&connect, 1);
            assert_eq!(lines.len(), 1, "{}", squid.daemon.logs());
            assert!(lines[0].contains("TCP_TUNNEL/200"), "{lines:?}");

            // Credentials given with with_auth work the same.
            let client = builder!()
                .proxy(Proxy::new(&squid.url())?.with_auth(SQUID_USER, SQUID_PASS))
                .build()?;
            assert_eq!(send!(client.get(origin.url("/get")))?.status(), 200);

            // Wrong credentials, and none: squid's 407 is the response for http://, and a
            // ProxyError for CONNECT (the tunnel was refused: there is no origin response).
            for proxy in [
                Proxy::new(&squid.url_with_auth(SQUID_USER, "wrong-pw"))?,
                Proxy::new(&squid.url())?,
            ] {
                let client = builder!()
                    .proxy(proxy)
                    .ca_bundle_pem(tls_origin.ca_pem())
                    .build()?;
                let response = send!(client.get(origin.url("/get")))?;
                assert_eq!(response.status(), 407);
                assert!(response.headers().get("proxy-authenticate").is_some());
                let err = send!(client.get(tls_origin.url("/get"))).unwrap_err();
                assert_eq!(err.kind(), ErrorKind::ProxyError, "{err}");
                assert!(err.to_string().contains("407"), "{err}");
                assert!(!err.to_string().contains("wrong-pw"), "{err}");
            }
            Ok(())
        }
    }
}

// ---------------------------------------------------------------------------------
// dante
// ---------------------------------------------------------------------------------

/// Whether `localhost` resolves to 127.0.0.1 only here (dante reaches loopback over
/// IPv4: `external: 127.0.0.1`).
fn localhost_is_ipv4_only() -> bool {
    ("localhost", 80)
        .to_socket_addrs()
        .map(|addrs| {
            let addrs: Vec<_> = addrs.collect();
            !addrs.is_empty() && addrs.iter().all(|a| a.ip() == Ipv4Addr::LOCALHOST)
        })
        .unwrap_or(false)
}

mod dante {
    use super::*;

    dual_test! {
        #[ignore = "needs nginx, squid and dante-server: make test-interop"]
        fn socks5_and_socks5h() {
            let dante = Dante::start();
            let origin = TestServer::start();
            let tls_origin = TestServer::start_with(Options::new().tls(true));

            // socks5://: the client resolves, dante gets an address.
            let client = builder!()
                .proxy(Proxy::new(&dante.url("socks5"))?)
                .ca_bundle_pem(tls_origin.ca_pem())
                .build()?;
            let response = send!(client.get(origin.url("/get?socks=5")))?;
            assert_eq!(response.status(), 200, "{}", dante.daemon.logs());
            let echo: Value = response.json()?;
            assert_eq!(echo["args"]["socks"], "5");
            assert_eq!(echoed(&echo, "proxy-authorization"), None);
            assert_eq!(dante.connects_to(origin.port(), 1), 1, "{}", dante.daemon.logs());
            // https:// through SOCKS: TLS with the origin end to end.
            let response = send!(client.get(tls_origin.url("/get")))?;
            assert_eq!(response.json::<Value>()?["tls"], true);
            assert_eq!(dante.connects_to(tls_origin.port(), 1), 1, "{}", dante.daemon.logs());

            // socks5h://: dante resolves the name. `localhost` must mean 127.0.0.1 for
            // dante as for the test servers (IPv4 only); /etc/hosts has it so on Debian.
            assert!(
                localhost_is_ipv4_only(),
                "localhost does not resolve to 127.0.0.1 only here (see /etc/hosts); \
                 the socks5h test needs it to"
            );
            let client = builder!()
                .proxy(Proxy::new(&dante.url("socks5h"))?)
                .ca_bundle_pem(tls_origin.ca_pem())
                .build()?;
            let url = format!("http://localhost:{}/get", origin.port());
            let response = send!(client.get(&url))?;
            assert_eq!(response.status(), 200);
            assert_eq!(response.json::<Value>()?["url"], url);
            assert_eq!(dante.connects_to(origin.port(), 2), 2, "{}", dante.daemon.logs());
            // The origin's certificate names localhost.
            let url = format!("https://localhost:{}/get", tls_origin.port());
            let response = send!(client.get(&url))?;
            assert_eq!(response.json::<Value>()?["tls"], true);
            assert_eq!(dante.connects_to(tls_origin.port(), 2), 2, "{}", dante.daemon.logs());

            // A closed port behind dante: a ProxyError (SOCKS5 reply "connection refused").
            let closed = free_port();
            let err = send!(client.get(format!("http://127.0.0.1:{closed}/"))).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::ProxyError, "{err}");
            Ok(())
        }
    }
}

// ---------------------------------------------------------------------------------
// Environment proxies (trust_env) pointing at squid and dante, in a child process.
// ---------------------------------------------------------------------------------

/// Runs `env_child::*::child_request` (this binary, a child process whose environment
/// alone holds `vars`): one GET of `url` per client flavour, built with
/// `trust_env(true)`, trusting `ca_pem`. Returns the outcomes, sync first:
/// `{"status", "via", "echo"}` or `{"error", "message"}`.
fn run_child(vars: &[(&str, &str)], url: &str, ca_pem: Option<&str>) -> [Value; 2] {
    let mut command = common::child_command(vars);
    command.env("HTTPX_INTEROP_CHILD_URL", url);
    if let Some(pem) = ca_pem {
        command.env("HTTPX_INTEROP_CHILD_CA_PEM", pem);
    }
    common::child_outcomes(command, "HTTPX_INTEROP_OUTCOME")
}

mod env_child {
    use super::*;

    dual_test! {
        #[ignore = "a helper: env_proxies runs it in a child process with its environment"]
        fn child_request() {
            let Ok(url) = std::env::var("HTTPX_INTEROP_CHILD_URL") else {
                // Run directly (--ignored): nothing to do outside a child.
                eprintln!("child_request: run by env_proxies in a child process");
                return Ok(());
            };
            let mut builder = builder!().trust_env(true);
            if let Ok(pem) = std::env::var("HTTPX_INTEROP_CHILD_CA_PEM") {
                builder = builder.ca_bundle_pem(pem);
            }
            let outcome = match builder.build() {
                Err(e) => serde_json::json!({"error": e.kind().to_string(), "message": e.to_string()}),
                Ok(client) => match send!(client.get(&url)) {
                    Ok(response) => serde_json::json!({
                        "status": response.status_code(),
                        "via": response.headers().get("via"),
                        "echo": response.json::<Value>().unwrap_or(Value::Null),
                    }),
                    Err(e) => serde_json::json!({"error": e.kind().to_string(), "message": e.to_string()}),
                },
            };
            println!("HTTPX_INTEROP_OUTCOME {} {outcome}", flavour!());
            Ok(())
        }
    }
}

#[ignore = "needs nginx, squid and dante-server: make test-interop"]
#[test]
fn env_proxies() {
    let squid = Squid::start();
    let dante = Dante::start();
    let origin = TestServer::start();
    let tls_origin = TestServer::start_with(Options::new().tls(true));
    let squid_auth = squid.url_with_auth(SQUID_USER, SQUID_PASS);
    let both = [
        ("HTTP_PROXY", squid_auth.as_str()),
        ("HTTPS_PROXY", squid_auth.as_str()),
    ];
    let assert_ok = |outcomes: &[Value; 2], what: &str| {
        for outcome in outcomes {
            assert_eq!(outcome["status"], 200, "{what}: {outcome}");
            assert_eq!(
                outcome["echo"]["headers"]["proxy-authorization"],
                Value::Null,
                "{what}: {outcome}"
            );
        }
    };

    // HTTP_PROXY: http:// through squid (credentials from the variable's URL).
    let url = origin.url("/headers");
    let outcomes = run_child(&both, &url, None);
    assert_ok(&outcomes, "HTTP_PROXY");
    for outcome in &outcomes {
        let via = outcome["via"].as_str().unwrap_or("");
        assert!(via.contains("interop-squid"), "HTTP_PROXY: {outcome}");
    }
    assert_eq!(
        squid.log_lines(&format!("GET {url} {SQUID_USER}"), 2).len(),
        2
    );

    // HTTPS_PROXY: https:// through a CONNECT tunnel of squid.
    let outcomes = run_child(
        &both,
        &tls_origin.url("/headers"),
        Some(tls_origin.ca_pem()),
    );
    assert_ok(&outcomes, "HTTPS_PROXY");
    let connect = format!("CONNECT 127.0.0.1:{} {SQUID_USER}", tls_origin.port());
    assert_eq!(
        squid.log_lines(&connect, 2).len(),
        2,
        "{}",
        squid.daemon.logs()
    );

    // ALL_PROXY: socks5:// and socks5h:// through dante, for http:// and https://.
    let socks5 = dante.url("socks5");
    let outcomes = run_child(&[("ALL_PROXY", &socks5)], &origin.url("/headers"), None);
    assert_ok(&outcomes, "ALL_PROXY socks5");
    assert_eq!(
        dante.connects_to(origin.port(), 2),
        2,
        "{}",
        dante.daemon.logs()
    );
    let socks5h = dante.url("socks5h");
    let url = format!("https://localhost:{}/headers", tls_origin.port());
    let outcomes = run_child(&[("ALL_PROXY", &socks5h)], &url, Some(tls_origin.ca_pem()));
    assert_ok(&outcomes, "ALL_PROXY socks5h");
    assert_eq!(
        dante.connects_to(tls_origin.port(), 2),
        2,
        "{}",
        dante.daemon.logs()
    );
    // HTTP_PROXY wins over ALL_PROXY for http:// (the more specific mount).
    let outcomes = run_child(
        &[("HTTP_PROXY", &squid_auth), ("ALL_PROXY", &socks5)],
        &origin.url("/get?specific=1"),
        None,
    );
    assert_ok(&outcomes, "HTTP_PROXY and ALL_PROXY");
    assert!(outcomes.iter().all(|o| o["via"]
        .as_str()
        .is_some_and(|v| v.contains("interop-squid"))));
    assert_eq!(dante.connects_to(origin.port(), 2), 2, "not through dante");

    // NO_PROXY: httpx does not exempt 127.0.0.1 by itself (above it went through the
    // proxies); listed, it is reached directly.
    let url = origin.url("/get?direct=1");
    let outcomes = run_child(
        &[
            ("HTTP_PROXY", &squid_auth),
            ("ALL_PROXY", &socks5),
            ("NO_PROXY", "127.0.0.1"),
        ],
        &url,
        None,
    );
    assert_ok(&outcomes, "NO_PROXY");
    assert!(outcomes.iter().all(|o| o["via"].is_null()), "{outcomes:?}");
    assert!(
        squid.log_lines("direct=1", 0).is_empty(),
        "{}",
        squid.daemon.logs()
    );
    assert_eq!(dante.connects_to(origin.port(), 2), 2, "not through dante");

    // Wrong credentials in HTTPS_PROXY: the CONNECT's 407 is a ProxyError.
    let wrong = squid.url_with_auth(SQUID_USER, "wrong-pw");
    let outcomes = run_child(
        &[("HTTPS_PROXY", &wrong)],
        &tls_origin.url("/get"),
        Some(tls_origin.ca_pem()),
    );
    for outcome in &outcomes {
        assert_eq!(outcome["error"], "ProxyError", "{outcome}");
        assert!(
            outcome["message"].as_str().unwrap_or("").contains("407"),
            "{outcome}"
        );
    }
}
