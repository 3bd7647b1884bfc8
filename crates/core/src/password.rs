//! Staff passwords: hashed with Argon2id (its recommended parameters), never stored or logged as typed.

use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};

pub const MIN_LEN: usize = 10;
pub const MAX_LEN: usize = 1024;

/// Why a new password is refused, in words for the person choosing it.
pub fn check_strength(password: &str, email: &str) -> Result<(), &'static str> {
    let chars = password.chars().count();
    if chars < MIN_LEN {
        return Err("Use at least 10 characters.");
    }
    if chars > MAX_LEN {
        return Err("Use at most 1,024 characters.");
    }
    if password.eq_ignore_ascii_case(email) {
        return Err("The password must not be your email address.");
    }
    if let Some(first) = password.chars().next()
        && password.chars().all(|c| c == first)
    {
        return Err("The password must not repeat one character.");
    }
    Ok(())
}

/// A PHC string ("$argon2id$v=19$…") with a fresh random salt.
pub fn hash(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Whether `password` matches the stored hash. A malformed hash never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A hash of nothing anyone knows, verified against when an email is unknown so
/// that a sign-in takes as long whether or not the account exists.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash("decoy password that no account has").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ_by_salt() {
        let a = hash("correct horse battery").unwrap();
        let b = hash("correct horse battery").unwrap();
        assert!(a.starts_with("$argon2id$"));
        assert_ne!(a, b);
        assert!(verify("correct horse battery", &a));
        assert!(!verify("correct horse batterY", &a));
        assert!(!verify("anything", "not a hash"));
    }

    #[test]
    fn weak_passwords_are_refused() {
        assert!(check_strength("short", "a@b.c").is_err());
        assert!(check_strength("aaaaaaaaaaaa", "a@b.c").is_err());
        assert!(check_strength("me@example.com", "me@example.com").is_err());
        assert!(check_strength("a long enough phrase", "me@example.com").is_ok());
    }
}
