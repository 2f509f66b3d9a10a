//! A minimal GET command on waki (for the component size): `get_waki URL`.

fn main() {
    let url = std::env::args().nth(1).expect("usage: get_waki URL");
    match waki::Client::new().get(&url).send() {
        Ok(response) => {
            let status = response.status_code();
            let body = response.body().map(|b| b.len()).unwrap_or(0);
            println!("{status} {body} bytes");
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
