//! The SOCKS5 side of the test proxy (RFC 1928 with RFC 1929 username/password): the
//! CONNECT command to IPv4, IPv6 and domain-name addresses, loopback targets only.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::proxy::{connect_any, loopback_addrs, AddressType, SeenRequest, Shared, SocksDetails};

const VERSION: u8 = 5;
const NO_AUTH: u8 = 0x00;
const USER_PASS: u8 = 0x02;
const NO_ACCEPTABLE: u8 = 0xFF;

const SUCCEEDED: u8 = 0x00;
const NOT_ALLOWED: u8 = 0x02;
const CONNECTION_REFUSED: u8 = 0x05;
const COMMAND_NOT_SUPPORTED: u8 = 0x07;
const ADDRESS_NOT_SUPPORTED: u8 = 0x08;

/// How long the negotiation (up to the reply to CONNECT) may take.
const NEGOTIATION_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Serves one SOCKS5 client: negotiates, then relays bytes both ways.
pub(crate) async fn handle(mut client: TcpStream, shared: Arc<Shared>) {
    let negotiated =
        tokio::time::timeout(NEGOTIATION_TIMEOUT, negotiate(&mut client, &shared)).await;
    if let Ok(Ok(Some(mut upstream))) = negotiated {
        let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
    }
}

/// A reply with an all-zero IPv4 bound address.
fn failure(code: u8) -> [u8; 10] {
    [VERSION, code, 0, 1, 0, 0, 0, 0, 0, 0]
}

/// Runs the handshake; `Some(upstream)` once the CONNECT succeeded and was answered.
async fn negotiate(client: &mut TcpStream, shared: &Shared) -> std::io::Result<Option<TcpStream>> {
    // Greeting: VER NMETHODS METHODS...
    let mut head = [0u8; 2];
    client.read_exact(&mut head).await?;
    if head[0] != VERSION {
        return Ok(None);
    }
    let mut methods = vec![0u8; usize::from(head[1])];
    client.read_exact(&mut methods).await?;
    let method = match shared.credentials() {
        Some(_) if methods.contains(&USER_PASS) => USER_PASS,
        Some(_) => NO_ACCEPTABLE,
        None if methods.contains(&NO_AUTH) => NO_AUTH,
        None if methods.contains(&USER_PASS) => USER_PASS,
        None => NO_ACCEPTABLE,
    };
    client.write_all(&[VERSION, method]).await?;
    if method == NO_ACCEPTABLE {
        return Ok(None);
    }

    // RFC 1929: VER ULEN UNAME PLEN PASSWD.
    let mut username = None;
    if method == USER_PASS {
        let mut ver_len = [0u8; 2];
        client.read_exact(&mut ver_len).await?;
        let mut user = vec![0u8; usize::from(ver_len[1])];
        client.read_exact(&mut user).await?;
        let mut plen = [0u8; 1];
        client.read_exact(&mut plen).await?;
        let mut pass = vec![0u8; usize::from(plen[0])];
        client.read_exact(&mut pass).await?;
        let user = String::from_utf8_lossy(&user).into_owned();
        let pass = String::from_utf8_lossy(&pass).into_owned();
        let ok = ver_len[0] == 1
            && shared
                .credentials()
                .is_none_or(|(u, p)| *u == user && *p == pass);
        client.write_all(&[1, if ok { 0 } else { 1 }]).await?;
        if !ok {
            if shared.verbose {
                eprintln!("proxy: SOCKS5 authentication failed for {user:?}");
            }
            return Ok(None);
        }
        username = Some(user);
    }

    // Request: VER CMD RSV ATYP DST.ADDR DST.PORT.
    let mut request = [0u8; 4];
    client.read_exact(&mut request).await?;
    if request[0] != VERSION {
        return Ok(None);
    }
    let (address_type, host) = match request[3] {
        1 => {
            let mut ip = [0u8; 4];
            client.read_exact(&mut ip).await?;
            (AddressType::Ipv4, Ipv4Addr::from(ip).to_string())
        }
        4 => {
            let mut ip = [0u8; 16];
            client.read_exact(&mut ip).await?;
            (AddressType::Ipv6, Ipv6Addr::from(ip).to_string())
        }
        3 => {
            let mut len = [0u8; 1];
            client.read_exact(&mut len).await?;
            let mut name = vec![0u8; usize::from(len[0])];
            client.read_exact(&mut name).await?;
            (
                AddressType::Domain,
                String::from_utf8_lossy(&name).into_owned(),
            )
        }
        _ => {
            client.write_all(&failure(ADDRESS_NOT_SUPPORTED)).await?;
            return Ok(None);
        }
    };
    let mut port = [0u8; 2];
    client.read_exact(&mut port).await?;
    let port = u16::from_be_bytes(port);
    let target = if address_type == AddressType::Ipv6 {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    let command = request[1];
    let record = |code: u8| {
        shared.record(SeenRequest {
            method: match command {
                1 => "CONNECT".to_string(),
                2 => "BIND".to_string(),
                3 => "UDP ASSOCIATE".to_string(),
                n => format!("COMMAND {n}"),
            },
            target: target.clone(),
            headers: Vec::new(),
            status: u16::from(code),
            socks: Some(SocksDetails {
                address_type,
                username: username.clone(),
            }),
        })
    };

    if command != 1 {
        record(COMMAND_NOT_SUPPORTED);
        client.write_all(&failure(COMMAND_NOT_SUPPORTED)).await?;
        return Ok(None);
    }
    let Some(addrs) = loopback_addrs(&host, port) else {
        record(NOT_ALLOWED);
        client.write_all(&failure(NOT_ALLOWED)).await?;
        return Ok(None);
    };
    let upstream = match connect_any(&addrs).await {
        Ok(s) => s,
        Err(_) => {
            record(CONNECTION_REFUSED);
            client.write_all(&failure(CONNECTION_REFUSED)).await?;
            return Ok(None);
        }
    };
    let bound = upstream
        .local_addr()
        .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
    let mut reply = vec![VERSION, SUCCEEDED, 0];
    match bound {
        SocketAddr::V4(a) => {
            reply.push(1);
            reply.extend_from_slice(&a.ip().octets());
        }
        SocketAddr::V6(a) => {
            reply.push(4);
            reply.extend_from_slice(&a.ip().octets());
        }
    }
    reply.extend_from_slice(&bound.port().to_be_bytes());
    record(SUCCEEDED);
    client.write_all(&reply).await?;
    Ok(Some(upstream))
}
