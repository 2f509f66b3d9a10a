//! A minimal GET command on httpx (for the component size): `get_ours URL`.

fn main() {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| format!("{}/get", httpx_wasi_bench::server()));
    match httpx::get(&url) {
        Ok(response) => println!(
            "{} {} bytes",
            response.status_code(),
            response.content().map_or(0, |c| c.len())
        ),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
