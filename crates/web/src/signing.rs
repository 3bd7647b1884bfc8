//! Values the server hands out and must recognise later without storing
//! them: comment form tokens and the list of a reader's pending comments.
//! Signed with HMAC-SHA256 under a secret shared by every instance (kept in
//! the database, made on first use).

use crate::AppState;
use crate::error::AppError;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

pub async fn secret(state: &AppState) -> Result<String, AppError> {
    if let Some(s) = state.secret.get() {
        return Ok(s.clone());
    }
    let s = state
        .store
        .secret("signing", crate::extract::session::random_token)
        .await?;
    let _ = state.secret.set(s.clone());
    Ok(s)
}

fn mac(secret: &str, message: &str) -> String {
    let Ok(mut m) = HmacSha256::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    m.update(message.as_bytes());
    m.finalize()
        .into_bytes()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// "message.mac"
pub fn sign(secret: &str, message: &str) -> String {
    format!("{message}.{}", mac(secret, message))
}

/// The message of a signed value, if the signature holds.
pub fn verify<'a>(secret: &str, signed: &'a str) -> Option<&'a str> {
    let (message, given) = signed.rsplit_once('.')?;
    let expected = mac(secret, message);
    let same = expected.len() == given.len()
        && expected
            .bytes()
            .zip(given.bytes())
            .fold(0u8, |a, (x, y)| a | (x ^ y))
            == 0;
    same.then_some(message)
}

/// A salted hash of a client address: enough to count and block, useless to identify.
pub fn address_hash(secret: &str, address: &str) -> String {
    let digest = Sha256::digest(format!("{secret}|{address}").as_bytes());
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_values_round_trip_and_resist_tampering() {
        let s = sign("k", "12:1700000000");
        assert_eq!(verify("k", &s), Some("12:1700000000"));
        assert_eq!(verify("other key", &s), None);
        assert_eq!(verify("k", &s.replace("12:", "13:")), None);
        assert_eq!(verify("k", "no signature"), None);
        assert_ne!(address_hash("k", "1.2.3.4"), address_hash("k", "1.2.3.5"));
        assert!(!address_hash("k", "1.2.3.4").contains("1.2.3.4"));
    }
}
