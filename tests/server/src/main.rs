//! `httpx-test-server [--port N] [--static DIR] [--tls] [--client-auth] [--verbose]`, or
//! `httpx-test-server --proxy|--socks5 [--port N] [--proxy-auth USER:PASS] [--tls]`:
//! prints `LISTENING http://127.0.0.1:PORT` once bound (then `CA <path>` with TLS), serves
//! until SIGINT or SIGTERM.
#![forbid(unsafe_code)]

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use httpx_test_server::{
    Options, ProxyOptions, ProxyServer, TestServer, DEFAULT_PORT, DEFAULT_PROXY_PORT,
};

const USAGE: &str =
    "usage: httpx-test-server [--port N] [--static DIR] [--tls] [--client-auth] [--verbose]
       httpx-test-server --proxy|--socks5 [--port N] [--proxy-auth USER:PASS] [--tls] [--verbose]

  --port N                port on 127.0.0.1 (0 = ephemeral; default 8765, 8766 for a proxy)
  --static DIR            serve DIR under /static/ (and / for DIR/index.html)
  --tls                   serve HTTPS (HTTP/1.1 and HTTP/2 by ALPN) with a CA generated at
                          start-up; with --proxy, an https:// proxy
  --client-auth           with TLS, require a client certificate signed by that CA
  --proxy                 start an HTTP forward proxy (absolute-form and CONNECT) instead
  --socks5                start a SOCKS5 proxy instead
  --proxy-auth USER:PASS  the proxy requires these credentials
  --verbose               log one line per request to stderr

Prints `LISTENING http://127.0.0.1:PORT` (https://, socks5://) on stdout once bound; with
TLS then `CA <path>`, `CLIENT_CERT <path>` and `CLIENT_KEY <path>` (PEM files removed on
exit).";

/// What the command line asks for.
struct Args {
    options: Options,
    port: Option<u16>,
    proxy: bool,
    socks5: bool,
    proxy_auth: Option<(String, String)>,
}

fn parse_args() -> Result<Args, String> {
    let mut parsed = Args {
        options: Options::new(),
        port: None,
        proxy: false,
        socks5: false,
        proxy_auth: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match flag.as_str() {
            "--port" | "-p" => {
                let v = value("--port")?;
                parsed.port = Some(v.parse().map_err(|_| format!("bad port {v:?}"))?);
            }
            "--static" => parsed.options.static_dir = Some(PathBuf::from(value("--static")?)),
            "--verbose" | "-v" => parsed.options.verbose = true,
            "--tls" => parsed.options.tls = true,
            "--client-auth" => parsed.options = parsed.options.client_auth(true),
            "--proxy" => parsed.proxy = true,
            "--socks5" => parsed.socks5 = true,
            "--proxy-auth" => {
                let v = value("--proxy-auth")?;
                let (user, pass) = v
                    .split_once(':')
                    .ok_or_else(|| format!("--proxy-auth wants USER:PASS, not {v:?}"))?;
                parsed.proxy_auth = Some((user.to_string(), pass.to_string()));
            }
            "--help" | "-h" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    let proxy = parsed.proxy || parsed.socks5;
    if proxy && (parsed.options.static_dir.is_some() || parsed.options.client_auth) {
        return Err("--static and --client-auth are for the server, not a proxy".into());
    }
    if parsed.socks5 && parsed.options.tls {
        return Err("a SOCKS5 proxy does not speak TLS".into());
    }
    if !proxy && parsed.proxy_auth.is_some() {
        return Err("--proxy-auth needs --proxy or --socks5".into());
    }
    Ok(parsed)
}

/// Resolves on SIGINT or SIGTERM. The handlers are installed when this is called (inside
/// a runtime), before anything is printed, so a signal sent right after the LISTENING line
/// still ends the process cleanly.
fn termination() -> std::io::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = signal(SignalKind::terminate())?;
        let mut int = signal(SignalKind::interrupt())?;
        Ok(async move {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}

/// A started server or proxy, kept alive until termination.
enum Running {
    Server(TestServer),
    Proxy(ProxyServer),
}

fn start(args: Args) -> std::io::Result<Running> {
    let mut out = std::io::stdout().lock();
    if args.proxy || args.socks5 {
        let mut options = ProxyOptions::new()
            .port(args.port.unwrap_or(DEFAULT_PROXY_PORT))
            .tls(args.options.tls)
            .verbose(args.options.verbose);
        if args.socks5 {
            options = options.socks5();
        }
        if let Some((user, pass)) = args.proxy_auth {
            options = options.credentials(user, pass);
        }
        let proxy = ProxyServer::try_start_with(options)?;
        writeln!(out, "LISTENING {}", proxy.url())?;
        if args.options.tls {
            writeln!(out, "CA {}", proxy.ca_path().display())?;
        }
        out.flush()?;
        Ok(Running::Proxy(proxy))
    } else {
        let options = args.options.port(args.port.unwrap_or(DEFAULT_PORT));
        let server = TestServer::try_start_with(options)?;
        writeln!(out, "LISTENING {}", server.base_url())?;
        if server.is_tls() {
            writeln!(out, "CA {}", server.ca_path().display())?;
            writeln!(out, "CLIENT_CERT {}", server.client_cert_path().display())?;
            writeln!(out, "CLIENT_KEY {}", server.client_key_path().display())?;
        }
        out.flush()?;
        Ok(Running::Server(server))
    }
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("httpx-test-server: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if let Some(dir) = &args.options.static_dir {
        if !dir.is_dir() {
            eprintln!(
                "httpx-test-server: --static {}: not a directory",
                dir.display()
            );
            return ExitCode::from(2);
        }
    }
    let signals = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("httpx-test-server: {e}");
            return ExitCode::FAILURE;
        }
    };
    let started = {
        let _runtime = signals.enter();
        termination().and_then(|stop| Ok((stop, start(args)?)))
    };
    let (stop, running) = match started {
        Ok(r) => r,
        Err(e) => {
            eprintln!("httpx-test-server: {e}");
            return ExitCode::FAILURE;
        }
    };
    signals.block_on(stop);
    // Dropping stops the server and removes its PEM files.
    match running {
        Running::Server(server) => drop(server),
        Running::Proxy(proxy) => drop(proxy),
    }
    ExitCode::SUCCESS
}
