//! A minimal GET command on the bare `wasi` crate (for the component size): `get_bare URL`.

fn main() {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| format!("{}/get", httpx_wasi_bench::server()));
    let (scheme, authority, path) = httpx_wasi_bench::split(&url);
    let (status, _, body) = httpx_wasi_bench::bare_get(&scheme, &authority, &path);
    println!("{status} {} bytes", body.len());
}
