//! `httpx-test-server [--port N] [--static DIR] [--verbose]`: prints
//! `LISTENING http://127.0.0.1:PORT` once bound, serves until SIGINT or SIGTERM.
#![forbid(unsafe_code)]

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use httpx_test_server::{Options, DEFAULT_PORT};

const USAGE: &str = "usage: httpx-test-server [--port N] [--static DIR] [--verbose]

  --port N       port on 127.0.0.1 (0 = ephemeral; default 8765)
  --static DIR   serve DIR under /static/ (and / for DIR/index.html)
  --verbose      log one line per request to stderr

Prints `LISTENING http://127.0.0.1:PORT` on stdout once bound.";

fn parse_args() -> Result<Options, String> {
    let mut options = Options::new().port(DEFAULT_PORT);
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
                options.port = v.parse().map_err(|_| format!("bad port {v:?}"))?;
            }
            "--static" => options.static_dir = Some(PathBuf::from(value("--static")?)),
            "--verbose" | "-v" => options.verbose = true,
            "--help" | "-h" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(options)
}

async fn termination() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn main() -> ExitCode {
    let options = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("httpx-test-server: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if let Some(dir) = &options.static_dir {
        if !dir.is_dir() {
            eprintln!(
                "httpx-test-server: --static {}: not a directory",
                dir.display()
            );
            return ExitCode::from(2);
        }
    }
    let ready = |addr: std::net::SocketAddr| {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "LISTENING http://{addr}");
        let _ = out.flush();
    };
    match httpx_test_server::run(options, ready, termination()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("httpx-test-server: {e}");
            ExitCode::FAILURE
        }
    }
}
