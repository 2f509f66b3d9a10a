//! Files from the `--static` directory, under `/static/` (and `/` for `index.html`).

use std::path::{Path, PathBuf};

use crate::req::Req;
use crate::util::{error, response, HTML};

/// The content type of a file, by extension.
pub(crate) fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("html" | "htm") => "text/html; charset=utf-8",
        Some("js" | "mjs" | "cjs") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css; charset=utf-8",
        Some("json" | "map") => "application/json",
        Some("png") => "image/png",
        Some("svg") => "image/svg+xml",
        Some("ico") => "image/x-icon",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("txt" | "md") => "text/plain; charset=utf-8",
        Some("xml") => "application/xml",
        Some("ts") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// `/`: the static directory's `index.html`, else a short page naming the server.
pub(crate) async fn index(req: &Req) -> Resp {
    if req.state.static_dir.is_some() {
        return serve(req, &["index.html"]).await;
    }
    response(
        200,
        HTML,
        "<!DOCTYPE html><html><head><title>httpx-test-server</title></head>\
         <body><h1>httpx-test-server</h1><p>An httpbin-like server for the httpx test \
         suites: try <a href=\"/get\">/get</a>.</p></body></html>\n",
    )
}

use crate::util::Resp;

/// `/static/{segments..}`: a file under the static directory; `..` and the like are refused.
pub(crate) async fn serve(req: &Req, segments: &[&str]) -> Resp {
    let Some(root) = &req.state.static_dir else {
        return error(
            404,
            "no static directory (start the server with --static DIR)",
        );
    };
    let mut path = PathBuf::from(root);
    for seg in segments {
        if *seg == ".."
            || *seg == "."
            || seg.contains(['/', '\\', '\0'])
            || seg.contains(':')
            || seg.starts_with('~')
        {
            return error(400, "path traversal refused");
        }
        if !seg.is_empty() {
            path.push(seg);
        }
    }
    // The raw target must not smuggle `..` either (for example through `%2e%2e`).
    if req.uri.path().split('/').any(|s| s == ".." || s == ".") {
        return error(400, "path traversal refused");
    }
    if tokio::fs::metadata(&path).await.is_ok_and(|m| m.is_dir()) {
        path.push("index.html");
    }
    match tokio::fs::read(&path).await {
        Ok(data) => {
            let mut resp = response(200, content_type(&path), data);
            crate::util::append_header(&mut resp, "cache-control", "no-cache");
            resp
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => error(404, "no such file"),
        Err(_) => error(403, "cannot read that file"),
    }
}
