//! Which network addresses bbn may send webhooks to. A webhook's URL is
//! chosen by whoever administers the site, and bbn posts to it from inside
//! the network it runs in, then reports the outcome in the delivery log:
//! left open, that makes bbn a way to reach (and scan) the database, the
//! cloud's metadata service and everything else only the server can see.
//! So by default deliveries go to public addresses only. The sender applies
//! `is_public` to every address it connects to; `check_webhook_url` is the
//! early word on the form, for what the URL alone gives away.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Whether an address is one anyone on the internet could reach, and so one
/// a webhook may go to. Refused: loopback, unspecified, private networks,
/// carrier-grade NAT, link-local (the cloud metadata services 169.254.169.254,
/// fd00:ec2::254, 100.100.100.200 and 192.0.0.192 fall in these ranges),
/// multicast, broadcast, the documentation and benchmarking ranges and other
/// reserved ones. An IPv6 address that carries an IPv4 one (mapped, NAT64,
/// 6to4) is judged by the IPv4 address it leads to.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn in_v4(ip: Ipv4Addr, net: [u8; 4], prefix: u32) -> bool {
    let mask = u32::MAX.checked_shl(32 - prefix).unwrap_or(0);
    u32::from(ip) & mask == u32::from(Ipv4Addr::from(net)) & mask
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    const REFUSED: [([u8; 4], u32); 15] = [
        ([0, 0, 0, 0], 8),       // "this network", 0.0.0.0 among it
        ([10, 0, 0, 0], 8),      // private
        ([100, 64, 0, 0], 10),   // carrier-grade NAT (and Alibaba's metadata)
        ([127, 0, 0, 0], 8),     // loopback
        ([169, 254, 0, 0], 16),  // link-local (and the usual metadata address)
        ([172, 16, 0, 0], 12),   // private
        ([192, 0, 0, 0], 24),    // protocol assignments (and Oracle's metadata)
        ([192, 0, 2, 0], 24),    // documentation
        ([192, 88, 99, 0], 24),  // the old 6to4 relays
        ([192, 168, 0, 0], 16),  // private
        ([198, 18, 0, 0], 15),   // benchmarking
        ([198, 51, 100, 0], 24), // documentation
        ([203, 0, 113, 0], 24),  // documentation
        ([224, 0, 0, 0], 4),     // multicast
        ([240, 0, 0, 0], 4),     // reserved, and the broadcast 255.255.255.255
    ];
    !REFUSED.iter().any(|&(net, prefix)| in_v4(ip, net, prefix))
}

fn in_v6(ip: Ipv6Addr, net: [u16; 8], prefix: u32) -> bool {
    let mask = u128::MAX.checked_shl(128 - prefix).unwrap_or(0);
    u128::from(ip) & mask == u128::from(Ipv6Addr::from(net)) & mask
}

/// The IPv4 address in the low 32 bits.
fn low_v4(ip: Ipv6Addr) -> Ipv4Addr {
    Ipv4Addr::from((u128::from(ip) & 0xffff_ffff) as u32)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    // NAT64 hands these to the IPv4 address they end in.
    if in_v6(ip, [0x64, 0xff9b, 0, 0, 0, 0, 0, 0], 96) {
        return is_public_v4(low_v4(ip));
    }
    // 6to4: the IPv4 address follows the first 16 bits.
    if in_v6(ip, [0x2002, 0, 0, 0, 0, 0, 0, 0], 16) {
        let [_, a, b, ..] = ip.segments();
        return is_public_v4(Ipv4Addr::from((u32::from(a) << 16) | u32::from(b)));
    }
    const REFUSED: [([u16; 8], u32); 10] = [
        // Unspecified, loopback and the old IPv4-compatible addresses.
        ([0, 0, 0, 0, 0, 0, 0, 0], 96),
        ([0x64, 0xff9b, 1, 0, 0, 0, 0, 0], 48), // NAT64 for local use
        ([0x100, 0, 0, 0, 0, 0, 0, 0], 64),     // discard-only
        ([0x2001, 0, 0, 0, 0, 0, 0, 0], 23),    // protocol assignments, Teredo, benchmarking
        ([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32), // documentation
        ([0x3fff, 0, 0, 0, 0, 0, 0, 0], 20),    // documentation
        ([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7),     // unique local (and fd00:ec2::254)
        ([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10),    // link-local
        ([0xfec0, 0, 0, 0, 0, 0, 0, 0], 10),    // the old site-local
        ([0xff00, 0, 0, 0, 0, 0, 0, 0], 8),     // multicast
    ];
    !REFUSED.iter().any(|&(net, prefix)| in_v6(ip, net, prefix))
}

/// Names that never lead to a public receiver: this machine, and the
/// suffixes set aside for local networks.
fn is_local_name(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host == "localhost"
        || [".localhost", ".local", ".internal", ".home.arpa"]
            .iter()
            .any(|suffix| host.ends_with(suffix))
}

/// What the webhook form says of an address that is not allowed.
pub const NOT_PUBLIC: &str = "Webhooks may only go to public addresses: this one is on this machine \
     or a private network (loopback, private, link-local and cloud metadata \
     addresses are refused).";

/// Whether a webhook URL's host is, on its face, a public one: an IP address
/// in a refused range, or a name such as `localhost`, is not. Names are
/// judged again by the addresses they resolve to when a delivery is made;
/// this check only turns the obvious cases away early, with a word on the
/// form. A URL that does not parse is left to the format check.
pub fn check_webhook_url(url: &str) -> Result<(), &'static str> {
    let Ok(parsed) = url::Url::parse(url.trim()) else {
        return Ok(());
    };
    let public = match parsed.host() {
        Some(url::Host::Ipv4(ip)) => is_public_v4(ip),
        Some(url::Host::Ipv6(ip)) => is_public_v6(ip),
        Some(url::Host::Domain(name)) => !is_local_name(name),
        None => true,
    };
    if public { Ok(()) } else { Err(NOT_PUBLIC) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(ip: &str) -> bool {
        is_public(ip.parse().unwrap())
    }

    #[test]
    fn internal_ipv4_addresses_are_refused() {
        for ip in [
            "127.0.0.1",
            "127.255.0.9",
            "0.0.0.0",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "169.254.0.1",
            "100.64.0.1",
            "100.100.100.200",
            "192.0.0.192",
            "224.0.0.1",
            "239.255.255.250",
            "255.255.255.255",
            "240.0.0.1",
            "192.0.2.10",
            "198.51.100.7",
            "203.0.113.99",
            "198.18.0.1",
        ] {
            assert!(!public(ip), "{ip} must be refused");
        }
    }

    #[test]
    fn internal_ipv6_addresses_are_refused() {
        for ip in [
            "::1",
            "::",
            "::127.0.0.1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::7f00:1",
            "64:ff9b::a9fe:a9fe",
            "2002:7f00:1::1",
            "2002:c0a8:101::",
            "fd00:ec2::254",
            "fc00::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "2001:db8::1",
            "2001::1",
            "3fff::1",
            "100::1",
        ] {
            assert!(!public(ip), "{ip} must be refused");
        }
    }

    #[test]
    fn public_addresses_pass() {
        for ip in [
            "93.184.215.14",
            "1.1.1.1",
            "8.8.8.8",
            "172.15.255.255",
            "172.32.0.1",
            "100.63.255.255",
            "100.128.0.1",
            "169.253.1.1",
            "192.169.0.1",
            "11.0.0.1",
            "223.255.255.255",
            "2606:4700:4700::1111",
            "2a00:1450:4001:82a::200e",
            "::ffff:93.184.215.14",
            "64:ff9b::808:808",
            "2002:808:808::1",
        ] {
            assert!(public(ip), "{ip} must be allowed");
        }
    }

    #[test]
    fn the_form_refuses_internal_literals_and_local_names() {
        for url in [
            "http://127.0.0.1:5432/",
            "http://[::1]:22/",
            "http://169.254.169.254/latest/meta-data/",
            "http://[fd00:ec2::254]/",
            "http://[::ffff:127.0.0.1]/",
            "http://10.0.0.5/hook",
            // Spellings a browser's URL parser reads as 127.0.0.1.
            "http://2130706433/",
            "http://0x7f.1/",
            "http://localhost:8080/hook",
            "https://LOCALHOST./",
            "http://api.localhost/",
            "http://printer.local/",
            "http://metadata.google.internal/",
        ] {
            assert_eq!(check_webhook_url(url), Err(NOT_PUBLIC), "{url}");
        }
        for url in [
            "https://hooks.example.com/bbn",
            "http://93.184.215.14/hook",
            "https://[2606:4700:4700::1111]/",
            "https://localhost.example.com/",
            "not a url",
        ] {
            assert_eq!(check_webhook_url(url), Ok(()), "{url}");
        }
    }
}
