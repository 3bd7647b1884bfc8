//! Reading the Content API's `filter` parameter: the subset of Ghost's
//! filter language (NQL) that bbn answers, taken apart into a tree that
//! `sql` turns into a WHERE clause with bind parameters.
//!
//! ```text
//! filter := and (',' and)*                  ',' is "or", '+' binds tighter
//! and    := term ('+' term)*
//! term   := '(' filter ')' | field ':' rhs
//! rhs    := '-'? ('[' value (',' value)* ']' | op? value)
//! op     := '>' | '>=' | '<' | '<=' | '~' | '~^' | '~$'
//! value  := 'quoted' | "quoted" | bare
//! ```
//!
//! The input comes straight from the internet and the parser will be
//! fuzzed: it never panics, nesting is capped (no unbounded recursion), and
//! so are the input's length and the number of conditions and values.

use std::fmt;

/// Longest filter read, in bytes.
pub const MAX_LEN: usize = 4096;
/// Deepest nesting of parentheses.
pub const MAX_DEPTH: usize = 16;
/// Most conditions plus list values in one filter.
pub const MAX_TERMS: usize = 100;

/// A parsed filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    And(Vec<Filter>),
    Or(Vec<Filter>),
    Cond(Condition),
}

/// `field:op value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub field: String,
    pub op: Op,
    pub value: Rhs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Gt,
    Gte,
    Lt,
    Lte,
    /// `~`: contains
    Contains,
    /// `-~`
    NotContains,
    /// `~^`
    StartsWith,
    /// `-~^`
    NotStartsWith,
    /// `~$`
    EndsWith,
    /// `-~$`
    NotEndsWith,
    /// `[a,b]`
    In,
    /// `-[a,b]`
    NotIn,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rhs {
    One(Value),
    List(Vec<Value>),
}

/// A value as written: quoted values are always text; bare ones may be
/// `null`, `true`, `false`, a number or a date, depending on the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Quoted(String),
    Bare(String),
}

impl Value {
    pub fn text(&self) -> &str {
        match self {
            Value::Quoted(s) | Value::Bare(s) => s,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Bare(s) if s == "null")
    }
}

/// Why a filter could not be read, and where when that is known (byte offset).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError {
    pub message: String,
    pub at: Option<usize>,
}

impl FilterError {
    pub(crate) fn new(message: impl Into<String>) -> FilterError {
        FilterError {
            message: message.into(),
            at: None,
        }
    }
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.at {
            Some(at) => write!(f, "{} (at character {})", self.message, at + 1),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for FilterError {}

/// Parses a filter. Whitespace between tokens is ignored, and whitespace
/// between two conditions counts as `+` (a `+` typed into a URL unencoded
/// arrives as a space).
pub fn parse(input: &str) -> Result<Filter, FilterError> {
    if input.len() > MAX_LEN {
        return Err(FilterError {
            message: format!("the filter is longer than {MAX_LEN} characters"),
            at: Some(MAX_LEN),
        });
    }
    let mut p = Parser {
        s: input,
        pos: 0,
        terms: 0,
    };
    p.skip_space();
    if p.at_end() {
        return Err(p.error("the filter is empty"));
    }
    let f = p.or(0)?;
    p.skip_space();
    if !p.at_end() {
        return Err(p.error(&format!("unexpected {}", p.describe_next())));
    }
    Ok(f)
}

struct Parser<'a> {
    s: &'a str,
    pos: usize,
    terms: usize,
}

/// Characters that end a bare value.
fn is_delimiter(c: char) -> bool {
    c.is_whitespace() || "'\"+,()[]:<>~".contains(c)
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        self.s.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn at_end(&self) -> bool {
        self.rest().is_empty()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
    }

    fn error(&self, message: &str) -> FilterError {
        FilterError {
            message: message.to_string(),
            at: Some(self.pos),
        }
    }

    fn describe_next(&self) -> String {
        match self.peek() {
            None => "end of filter".to_string(),
            Some(c) => format!("'{c}'"),
        }
    }

    fn count_term(&mut self) -> Result<(), FilterError> {
        self.terms += 1;
        if self.terms > MAX_TERMS {
            return Err(self.error(&format!(
                "the filter has more than {MAX_TERMS} conditions and values"
            )));
        }
        Ok(())
    }

    fn or(&mut self, depth: usize) -> Result<Filter, FilterError> {
        let mut parts = vec![self.and(depth)?];
        loop {
            self.skip_space();
            if !self.eat(',') {
                break;
            }
            self.skip_space();
            parts.push(self.and(depth)?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Filter::Or(parts)
        })
    }

    fn and(&mut self, depth: usize) -> Result<Filter, FilterError> {
        let mut parts = vec![self.term(depth)?];
        loop {
            let before = self.pos;
            self.skip_space();
            let spaced = self.pos > before;
            if self.eat('+') {
                self.skip_space();
            } else if !(spaced && self.peek().is_some_and(|c| c == '(' || !is_delimiter(c))) {
                break;
            }
            parts.push(self.term(depth)?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Filter::And(parts)
        })
    }

    fn term(&mut self, depth: usize) -> Result<Filter, FilterError> {
        self.skip_space();
        if self.eat('(') {
            if depth + 1 > MAX_DEPTH {
                return Err(self.error(&format!("parentheses nest deeper than {MAX_DEPTH} levels")));
            }
            self.skip_space();
            let inner = self.or(depth + 1)?;
            self.skip_space();
            if !self.eat(')') {
                return Err(self.error(&format!("expected ')' but found {}", self.describe_next())));
            }
            return Ok(inner);
        }
        self.condition().map(Filter::Cond)
    }

    fn field(&mut self) -> Result<String, FilterError> {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        {
            self.bump();
        }
        if self.pos == start {
            return Err(self.error(&format!(
                "expected a field name but found {}",
                self.describe_next()
            )));
        }
        Ok(self.s[start..self.pos].to_ascii_lowercase())
    }

    fn condition(&mut self) -> Result<Condition, FilterError> {
        self.count_term()?;
        let field = self.field()?;
        self.skip_space();
        if !self.eat(':') {
            return Err(self.error(&format!(
                "expected ':' after {field} but found {}",
                self.describe_next()
            )));
        }
        self.skip_space();
        let negated = self.eat('-');
        if self.eat('[') {
            let values = self.list()?;
            let op = if negated { Op::NotIn } else { Op::In };
            return Ok(Condition {
                field,
                op,
                value: Rhs::List(values),
            });
        }
        let op = if self.eat('~') {
            let (plain, not) = if self.eat('^') {
                (Op::StartsWith, Op::NotStartsWith)
            } else if self.eat('$') {
                (Op::EndsWith, Op::NotEndsWith)
            } else {
                (Op::Contains, Op::NotContains)
            };
            if negated { not } else { plain }
        } else if self.eat('>') {
            if negated {
                return Err(self.error("'-' cannot be combined with '>'"));
            }
            if self.eat('=') { Op::Gte } else { Op::Gt }
        } else if self.eat('<') {
            if negated {
                return Err(self.error("'-' cannot be combined with '<'"));
            }
            if self.eat('=') { Op::Lte } else { Op::Lt }
        } else if negated {
            Op::Ne
        } else {
            Op::Eq
        };
        self.skip_space();
        let value = self.value()?;
        Ok(Condition {
            field,
            op,
            value: Rhs::One(value),
        })
    }

    fn list(&mut self) -> Result<Vec<Value>, FilterError> {
        let mut values = Vec::new();
        loop {
            self.skip_space();
            self.count_term()?;
            values.push(self.value()?);
            self.skip_space();
            if self.eat(',') {
                continue;
            }
            if self.eat(']') {
                return Ok(values);
            }
            return Err(self.error(&format!(
                "expected ',' or ']' in a list but found {}",
                self.describe_next()
            )));
        }
    }

    fn value(&mut self) -> Result<Value, FilterError> {
        match self.peek() {
            Some(q @ ('\'' | '"')) => {
                let start = self.pos;
                self.bump();
                let mut text = String::new();
                loop {
                    match self.bump() {
                        None => {
                            return Err(FilterError {
                                message: "a quoted value is not closed".to_string(),
                                at: Some(start),
                            });
                        }
                        Some('\\') => match self.bump() {
                            Some(c) => text.push(c),
                            None => {
                                return Err(FilterError {
                                    message: "a quoted value is not closed".to_string(),
                                    at: Some(start),
                                });
                            }
                        },
                        Some(c) if c == q => return Ok(Value::Quoted(text)),
                        Some(c) => text.push(c),
                    }
                }
            }
            _ => {
                let start = self.pos;
                while self.peek().is_some_and(|c| !is_delimiter(c)) {
                    self.bump();
                }
                if self.pos == start {
                    return Err(self.error(&format!(
                        "expected a value but found {}",
                        self.describe_next()
                    )));
                }
                Ok(Value::Bare(self.s[start..self.pos].to_string()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cond(field: &str, op: Op, value: &str) -> Filter {
        Filter::Cond(Condition {
            field: field.into(),
            op,
            value: Rhs::One(Value::Bare(value.into())),
        })
    }

    #[test]
    fn reads_single_conditions() {
        assert_eq!(parse("tag:news").unwrap(), cond("tag", Op::Eq, "news"));
        assert_eq!(
            parse("tag:-getting-started").unwrap(),
            cond("tag", Op::Ne, "getting-started")
        );
        assert_eq!(
            parse("featured:true").unwrap(),
            cond("featured", Op::Eq, "true")
        );
        assert_eq!(
            parse("published_at:>'2024-01-01 10:00:00'").unwrap(),
            Filter::Cond(Condition {
                field: "published_at".into(),
                op: Op::Gt,
                value: Rhs::One(Value::Quoted("2024-01-01 10:00:00".into())),
            })
        );
        for (text, op) in [
            ("a:>=1", Op::Gte),
            ("a:<1", Op::Lt),
            ("a:<=1", Op::Lte),
            ("a:~1", Op::Contains),
            ("a:-~1", Op::NotContains),
            ("a:~^1", Op::StartsWith),
            ("a:-~^1", Op::NotStartsWith),
            ("a:~$1", Op::EndsWith),
            ("a:-~$1", Op::NotEndsWith),
        ] {
            assert_eq!(parse(text).unwrap(), cond("a", op, "1"), "{text}");
        }
    }

    #[test]
    fn reads_lists() {
        assert_eq!(
            parse("tag:[a, 'b c' ,d]").unwrap(),
            Filter::Cond(Condition {
                field: "tag".into(),
                op: Op::In,
                value: Rhs::List(vec![
                    Value::Bare("a".into()),
                    Value::Quoted("b c".into()),
                    Value::Bare("d".into())
                ]),
            })
        );
        assert!(matches!(
            parse("tag:-[a,b]").unwrap(),
            Filter::Cond(Condition { op: Op::NotIn, .. })
        ));
    }

    #[test]
    fn plus_binds_tighter_than_comma() {
        let f = parse("tag:a+featured:true,author:b").unwrap();
        assert_eq!(
            f,
            Filter::Or(vec![
                Filter::And(vec![
                    cond("tag", Op::Eq, "a"),
                    cond("featured", Op::Eq, "true")
                ]),
                cond("author", Op::Eq, "b"),
            ])
        );
        let g = parse("tag:a+(featured:true,author:b)").unwrap();
        assert_eq!(
            g,
            Filter::And(vec![
                cond("tag", Op::Eq, "a"),
                Filter::Or(vec![
                    cond("featured", Op::Eq, "true"),
                    cond("author", Op::Eq, "b")
                ]),
            ])
        );
    }

    #[test]
    fn a_space_between_conditions_is_a_plus() {
        assert_eq!(
            parse("tag:a featured:true").unwrap(),
            parse("tag:a+featured:true").unwrap()
        );
        assert_eq!(parse(" tag : a ").unwrap(), cond("tag", Op::Eq, "a"));
    }

    #[test]
    fn quotes_keep_everything_and_escape() {
        assert_eq!(
            parse(r"title:'it\'s (not) a+b,c'").unwrap(),
            Filter::Cond(Condition {
                field: "title".into(),
                op: Op::Eq,
                value: Rhs::One(Value::Quoted("it's (not) a+b,c".into())),
            })
        );
        assert_eq!(
            parse("title:\"naïve café 東京\"").unwrap(),
            Filter::Cond(Condition {
                field: "title".into(),
                op: Op::Eq,
                value: Rhs::One(Value::Quoted("naïve café 東京".into())),
            })
        );
        assert_eq!(parse("tag:東京").unwrap(), cond("tag", Op::Eq, "東京"));
    }

    #[test]
    fn refuses_broken_input_with_a_position() {
        for bad in [
            "",
            "   ",
            "tag",
            "tag:",
            ":a",
            "tag:a+",
            "tag:a,",
            "+tag:a",
            "(tag:a",
            "tag:a)",
            "((tag:a)",
            "tag:[a,b",
            "tag:[a,,b]",
            "tag:[]",
            "tag:'abc",
            "tag:\"abc",
            "tag:'abc\\",
            "tag:-",
            "published_at:->1",
            "published_at:-<1",
            "tag:a]",
            "tag::a",
            "ta g:a",
            "()",
            "tag:(a)",
            "é:a",
        ] {
            let err = parse(bad).expect_err(bad);
            assert!(err.at.unwrap() <= bad.len(), "{bad}: {err}");
            assert!(!err.message.is_empty());
        }
    }

    #[test]
    fn caps_nesting_length_and_size() {
        let deep = format!("{}tag:a{}", "(".repeat(100_000), ")".repeat(100_000));
        assert!(parse(&deep).is_err());
        let ok = format!("{}tag:a{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert!(parse(&ok).is_ok());
        let too_deep = format!(
            "{}tag:a{}",
            "(".repeat(MAX_DEPTH + 1),
            ")".repeat(MAX_DEPTH + 1)
        );
        assert!(parse(&too_deep).unwrap_err().message.contains("nest"));
        let many = vec!["tag:a"; MAX_TERMS + 1].join("+");
        assert!(parse(&many).unwrap_err().message.contains("more than"));
        let long = format!("tag:'{}'", "x".repeat(MAX_LEN));
        assert!(parse(&long).unwrap_err().message.contains("longer"));
        let list = format!("tag:[{}]", vec!["a"; MAX_TERMS + 1].join(","));
        assert!(parse(&list).is_err());
    }

    #[test]
    fn never_panics_on_odd_bytes() {
        // Every prefix of awkward inputs, cut at each character boundary.
        for text in [
            "tag:[a,'b']+(author:-~^\"x\\\"y\",published_at:>='2024-01-01')",
            "🦀:🦀+(((ü:-[é,ß])))",
            "a:'\u{0}'\u{feff}+b:\r\n,c:\t",
        ] {
            for (i, _) in text.char_indices() {
                let _ = parse(&text[..i]);
                let _ = parse(&text[i..]);
            }
        }
    }
}
