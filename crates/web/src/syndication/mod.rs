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
    // Shaped as a UUID (version 8, custom), so every format accepts it as an id.
    format!(
        "urn:uuid:{}-{}-8{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[16..20],
        &h[20..32]
    )
}
