//! A reader's comment as sent: the form's fields read and cleaned, with the
//! problems a person must fix before anything else is judged.

use std::collections::BTreeMap;
use unicode_normalization::UnicodeNormalization;

const MAX_NAME: usize = 100;
const MAX_EMAIL: usize = 254;

/// What a reader sent with the comment form, cleaned (Unicode-normalized,
/// trimmed) but not yet judged.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Submission {
    /// The form's bytes were not UTF-8 text, so none of it could be read.
    pub unreadable: bool,
    pub name: String,
    pub email: String,
    pub text: String,
    /// The comment replied to.
    pub parent_id: Option<i64>,
    /// The field people never see and scripts fill in was filled in.
    pub honeypot: bool,
    /// The form's signed token, as sent (the caller checks its signature).
    pub token: String,
    /// Fields that break a rule as sent (control characters, empty, too
    /// long, an email address that is not one), with what to tell the person.
    pub problems: BTreeMap<&'static str, String>,
}

impl Submission {
    /// The comment form's fields (the first of a repeated name counts);
    /// the comment may hold at most `max_chars` characters.
    pub fn read(fields: &[(String, String)], max_chars: usize) -> Submission {
        let get = |k: &str| {
            fields
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.as_str())
                .unwrap_or("")
        };
        let mut problems = BTreeMap::new();
        let mut field =
            |name: &'static str, value: &str, multiline: bool, max: usize, required: &str| {
                match clean(value, multiline) {
                    Err(ControlCharacter) => {
                        problems.insert(name, "This field contains control characters.".into());
                        String::new()
                    }
                    Ok(v) if v.is_empty() => {
                        problems.insert(name, required.into());
                        v
                    }
                    Ok(v) if v.chars().count() > max => {
                        problems.insert(name, format!("Use at most {max} characters."));
                        v
                    }
                    Ok(v) => v,
                }
            };
        let name = field("name", get("name"), false, MAX_NAME, "Please give a name.");
        let email = field(
            "email",
            get("email"),
            false,
            MAX_EMAIL,
            "Please give your email address (it is never shown).",
        );
        let text = field(
            "comment",
            get("comment"),
            true,
            max_chars,
            "Please write a comment.",
        );
        if !email.is_empty()
            && !problems.contains_key("email")
            && bbn_store::normalize_email(&email).is_err()
        {
            problems.insert(
                "email",
                "Enter an email address like name@example.com.".into(),
            );
        }
        Submission {
            unreadable: false,
            name,
            email,
            text,
            parent_id: get("parent").parse().ok(),
            honeypot: !get("website").is_empty(),
            token: get("token").to_string(),
            problems,
        }
    }

    /// A form whose bytes were not text.
    pub fn unreadable() -> Submission {
        Submission {
            unreadable: true,
            ..Submission::default()
        }
    }
}

/// A field held a control character (beyond line breaks and tabs where allowed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ControlCharacter;

/// Unicode-normalized, trimmed text; control characters refused (line breaks and tabs allowed where `multiline`).
pub fn clean(text: &str, multiline: bool) -> Result<String, ControlCharacter> {
    let t: String = text
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .nfc()
        .collect();
    if t.chars()
        .any(|c| c.is_control() && !(multiline && (c == '\n' || c == '\t')))
    {
        return Err(ControlCharacter);
    }
    Ok(t.trim().to_string())
}

/// How many links a text holds, as spammers write them.
pub fn links_in(text: &str) -> i64 {
    let lower = text.to_lowercase();
    (lower.matches("http://").count()
        + lower.matches("https://").count()
        + lower.matches("www.").count()) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn cleans_text() {
        assert_eq!(clean("  Cafe\u{301}\r\nok ", true).unwrap(), "Café\nok");
        assert!(clean("bell\u{7}", true).is_err());
        assert!(clean("line\nbreak", false).is_err());
        assert_eq!(links_in("see http://a.example and www.b.example"), 2);
    }

    #[test]
    fn reads_the_form_and_names_each_problem() {
        let s = Submission::read(
            &fields(&[
                ("name", " Ann "),
                ("email", "ann@example.com"),
                ("comment", "Hello"),
                ("parent", "7"),
                ("token", "t"),
            ]),
            100,
        );
        assert!(s.problems.is_empty() && !s.honeypot && !s.unreadable);
        assert_eq!((s.name.as_str(), s.parent_id), ("Ann", Some(7)));

        let s = Submission::read(
            &fields(&[
                ("name", "a\u{7}"),
                ("email", "not-an-address"),
                ("comment", "too long"),
                ("website", "x"),
            ]),
            3,
        );
        assert_eq!(
            s.problems["name"],
            "This field contains control characters."
        );
        assert_eq!(
            s.problems["email"],
            "Enter an email address like name@example.com."
        );
        assert_eq!(s.problems["comment"], "Use at most 3 characters.");
        assert!(s.honeypot);

        let s = Submission::read(&[], 100);
        assert_eq!(s.problems.len(), 3, "name, email and comment are required");
    }
}
