//! Where a request came from: the TCP peer's address, or, when the peer is a
//! reverse proxy the operator trusts (`--trusted-proxies`), the address that
//! proxy saw, from `X-Forwarded-For`. Used for rate limits and for the salted
//! hashes stored with comments.

use crate::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{Extensions, HeaderMap};
use std::net::{IpAddr, SocketAddr};

pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let client = client_ip(
            &parts.extensions,
            &parts.headers,
            &state.config.trusted_proxies,
        );
        Ok(ClientAddr(
            client.map_or_else(|| "unknown".into(), |ip| ip.to_string()),
        ))
    }
}

/// The client's address for a request, from its parts; None when the
/// request did not come through the server (no peer known). For the places
/// that run before or outside extractors, such as the page cache's hits.
pub fn client_ip(
    extensions: &Extensions,
    headers: &HeaderMap,
    proxies: &Proxies,
) -> Option<IpAddr> {
    let peer = extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())?;
    if !proxies.contains(peer) {
        return Some(peer);
    }
    // Each proxy appends the address it saw. Walking from the right, the
    // first address that is not one of ours is the client; an entry that
    // is not an address ends the walk at the nearest proxy's view.
    let entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for entry in entries.iter().rev() {
        let Some(ip) = parse_forwarded(entry) else {
            break;
        };
        client = ip;
        if !proxies.contains(ip) {
            break;
        }
    }
    Some(client)
}

/// An X-Forwarded-For entry: `203.0.113.5`, `203.0.113.5:41234`, `[2001:db8::1]:443` or `2001:db8::1`.
fn parse_forwarded(entry: &str) -> Option<IpAddr> {
    if let Ok(ip) = entry.parse() {
        return Some(ip);
    }
    if let Ok(sock) = entry.parse::<SocketAddr>() {
        return Some(sock.ip());
    }
    entry
        .strip_prefix('[')
        .and_then(|e| e.split_once(']'))
        .and_then(|(ip, _)| ip.parse().ok())
}

/// Addresses and networks (`10.0.0.0/8`, `::1`) of trusted reverse proxies.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Proxies(Vec<(IpAddr, u8)>);

impl Proxies {
    /// Parses a comma-separated list; an empty list trusts nobody.
    pub fn parse(list: &str) -> Result<Proxies, String> {
        list.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|item| {
                let (addr, bits) = item.split_once('/').unwrap_or((item, ""));
                let ip: IpAddr = addr
                    .parse()
                    .map_err(|_| format!("{item:?} is not an IP address or network"))?;
                let max = if ip.is_ipv4() { 32 } else { 128 };
                let bits = if bits.is_empty() {
                    max
                } else {
                    bits.parse::<u8>()
                        .ok()
                        .filter(|b| *b <= max)
                        .ok_or_else(|| format!("{item:?} has a bad prefix length"))?
                };
                Ok((ip, bits))
            })
            .collect::<Result<_, _>>()
            .map(Proxies)
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        self.0.iter().any(|(net, bits)| match (net, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(*bits)).unwrap_or(0);
                u32::from(*n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(*bits)).unwrap_or(0);
                u128::from(*n) & mask == u128::from(a) & mask
            }
            _ => false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_entries_with_ports() {
        assert_eq!(
            parse_forwarded("203.0.113.5:41234"),
            "203.0.113.5".parse().ok()
        );
        assert_eq!(
            parse_forwarded("[2001:db8::1]:443"),
            "2001:db8::1".parse().ok()
        );
        assert_eq!(parse_forwarded("2001:db8::1"), "2001:db8::1".parse().ok());
        assert_eq!(parse_forwarded("unknown"), None);
    }

    #[test]
    fn networks_match() {
        let p = Proxies::parse("127.0.0.1, 10.0.0.0/8, fd00::/8").unwrap();
        for yes in ["127.0.0.1", "10.1.2.3", "fd12::1", "::ffff:10.0.0.9"] {
            assert!(p.contains(yes.parse().unwrap()), "{yes}");
        }
        for no in ["127.0.0.2", "11.0.0.1", "fe80::1", "203.0.113.9"] {
            assert!(!p.contains(no.parse().unwrap()), "{no}");
        }
        assert!(Proxies::parse("").unwrap().0.is_empty());
        assert!(
            Proxies::parse("0.0.0.0/0")
                .unwrap()
                .contains("8.8.8.8".parse().unwrap())
        );
        assert!(Proxies::parse("10.0.0.0/33").is_err());
        assert!(Proxies::parse("nginx").is_err());
    }
}
