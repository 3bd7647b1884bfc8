//! How the site reaches readers who are not on it: feeds (RSS, Atom, JSON
//! Feed), sitemaps for search engines and news aggregators, robots.txt.
//! Everything here is made from the database alone, with validators from
//! the change log (`conditional`).

pub mod conditional;
pub mod feeds;
pub mod robots;
pub mod sitemaps;
pub mod xml;

use sha2::{Digest, Sha256};

/// A stable, unique id for an article, comment or image (`kind`) of the
/// site at `base`: it does not change with a slug, and every format (feeds,
/// ninjs) uses the same one.
pub fn stable_id(base: &str, kind: &str, id: i64) -> String {
    let digest = Sha256::digest(format!("bbn {kind} {base} {id}").as_bytes());
    let h: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    // A UUID of version 8 (custom) with the RFC 9562 variant bits, so every
    // format and validator accepts it as an id.
    let variant = (u8::from_str_radix(&h[16..17], 16).unwrap_or(0) & 0x3) | 0x8;
    format!(
        "urn:uuid:{}-{}-8{}-{variant:x}{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}
