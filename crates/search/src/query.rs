//! What a reader typed into the search box, taken apart: words, "phrases in
//! quotes", -excluded words and -"phrases", and whether the last word is
//! still being typed (then it also matches as a prefix). Anything is
//! accepted: unbalanced quotes close at the end, symbols are dropped by the
//! analyzer, and the text is cut to a sane length first.

/// Longest query looked at, in characters.
pub const MAX_QUERY: usize = 500;
/// At most this many words and phrases are used.
const MAX_PARTS: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Parsed {
    /// Each must match (any field): a word, or a phrase of several words.
    pub required: Vec<Part>,
    /// None may match.
    pub excluded: Vec<Part>,
    /// The last required word was typed without a space after it.
    pub open_ended: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Word(String),
    Phrase(String),
}

impl Parsed {
    pub fn is_empty(&self) -> bool {
        self.required.is_empty()
    }
}

pub fn parse(input: &str) -> Parsed {
    let text: String = input
        .chars()
        .take(MAX_QUERY)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut parsed = Parsed::default();
    let mut chars = text.chars().peekable();
    let mut ended_in_space = true;
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            ended_in_space = true;
            continue;
        }
        ended_in_space = false;
        let negative = c == '-';
        if negative {
            chars.next();
        }
        let part = if chars.peek() == Some(&'"') {
            chars.next();
            let phrase: String = chars.by_ref().take_while(|c| *c != '"').collect();
            ended_in_space = true;
            Part::Phrase(phrase.trim().to_string())
        } else {
            let mut word = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() || c == '"' {
                    break;
                }
                word.push(c);
                chars.next();
            }
            Part::Word(word)
        };
        let empty = match &part {
            Part::Word(w) | Part::Phrase(w) => !w.chars().any(char::is_alphanumeric),
        };
        if empty || parsed.required.len() + parsed.excluded.len() >= MAX_PARTS {
            continue;
        }
        if negative {
            parsed.excluded.push(part);
        } else {
            parsed.required.push(part);
        }
    }
    parsed.open_ended = !ended_in_space && matches!(parsed.required.last(), Some(Part::Word(_)));
    parsed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Part {
        Part::Word(s.into())
    }

    #[test]
    fn words_phrases_and_exclusions() {
        let p = parse(r#"north korea "arms shipment" -sanctions -"cold war" minis"#);
        assert_eq!(
            p.required,
            [
                w("north"),
                w("korea"),
                Part::Phrase("arms shipment".into()),
                w("minis")
            ]
        );
        assert_eq!(
            p.excluded,
            [w("sanctions"), Part::Phrase("cold war".into())]
        );
        assert!(p.open_ended);
        assert!(!parse("talks ").open_ended);
    }

    #[test]
    fn odd_input_is_harmless() {
        assert!(parse("").is_empty());
        assert!(parse("   ").is_empty());
        assert!(parse("!!! ??? ---").is_empty());
        assert_eq!(
            parse(r#""unbalanced quote"#).required,
            [Part::Phrase("unbalanced quote".into())]
        );
        assert_eq!(
            parse(&"a".repeat(10_000)).required,
            [w(&"a".repeat(MAX_QUERY))]
        );
        assert_eq!(parse(&"word ".repeat(1000)).required.len(), MAX_PARTS);
        assert_eq!(
            parse("Sergeï\u{0}Lavrov").required,
            [w("Sergeï"), w("Lavrov")]
        );
        assert!(parse("-only -negatives").is_empty());
    }
}
