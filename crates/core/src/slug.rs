//! URL slugs: lowercase ASCII words joined by hyphens.

/// The longest slug bbn makes or accepts.
pub const MAX_LEN: usize = 120;

/// Makes a slug from free text ("Lavrov's visit: what's next?" → "lavrovs-visit-whats-next").
/// Accented Latin letters are folded to their base letter; other characters
/// separate words. Returns an empty string when nothing usable is left.
pub fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_hyphen = false;
    for c in text.chars() {
        if c == '\'' || c == '’' {
            continue;
        }
        let folded = fold(c);
        let mut any = false;
        for f in folded.chars() {
            if f.is_ascii_alphanumeric() {
                if pending_hyphen && !out.is_empty() {
                    out.push('-');
                }
                pending_hyphen = false;
                out.push(f.to_ascii_lowercase());
                any = true;
            }
        }
        if !any {
            pending_hyphen = true;
        }
    }
    if out.len() > MAX_LEN {
        out.truncate(MAX_LEN);
        while out.ends_with('-') {
            out.pop();
        }
    }
    out
}

/// Whether `s` is a well-formed slug: 1..=MAX_LEN of `[a-z0-9]` in hyphen-joined runs.
pub fn is_valid(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_LEN
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn fold(c: char) -> String {
    let base = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => {
            "a"
        }
        'æ' | 'Æ' => "ae",
        'ç' | 'č' | 'ć' | 'Ç' | 'Č' | 'Ć' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ě' | 'È' | 'É' | 'Ê' | 'Ë' | 'Ě' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'Ì' | 'Í' | 'Î' | 'Ï' => "i",
        'ñ' | 'ń' | 'ň' | 'Ñ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' => {
            "o"
        }
        'œ' | 'Œ' => "oe",
        'ß' => "ss",
        'š' | 'ś' | 'Š' | 'Ś' => "s",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'Ù' | 'Ú' | 'Û' | 'Ü' => "u",
        'ý' | 'ÿ' | 'Ý' => "y",
        'ž' | 'ź' | 'ż' | 'Ž' | 'Ź' | 'Ż' => "z",
        'ł' | 'Ł' => "l",
        'đ' | 'Đ' | 'ð' => "d",
        'ř' | 'Ř' => "r",
        _ => return c.to_string(),
    };
    base.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn makes_readable_slugs() {
        assert_eq!(
            slugify("Lavrov’s visit: what's next?"),
            "lavrovs-visit-whats-next"
        );
        assert_eq!(slugify("  Sergeï Crème Brûlée  "), "sergei-creme-brulee");
        assert_eq!(slugify("1,000 containers"), "1-000-containers");
        assert_eq!(slugify("!!!"), "");
    }

    #[test]
    fn long_text_is_cut_without_trailing_hyphen() {
        let s = slugify(&"word ".repeat(100));
        assert!(s.len() <= MAX_LEN);
        assert!(is_valid(&s), "{s}");
    }

    #[test]
    fn validates() {
        assert!(is_valid("foreign-ministers-meet"));
        assert!(!is_valid("Foreign"));
        assert!(!is_valid("-a"));
        assert!(!is_valid("a--b"));
        assert!(!is_valid(""));
        assert!(!is_valid("a/b"));
    }
}
