//! Article bodies of the shapes that make an HTML parser slow or deep: each
//! a unit repeated `n` times, so that a body of any size can be made and the
//! largest one the shape check lets through can be searched for.
//!
//! Only the standard library is used: the `sanitize` benchmark's figure of
//! the sanitizer before the shape check was measured by a throwaway program
//! built against that older bbn-core, which took this file as it is.

/// How a shape's body is sent: the newsroom's two body formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Html,
    Markdown,
}

impl Format {
    /// The value of the editor form's `body_format` field.
    pub fn form_value(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Markdown => "markdown",
        }
    }
}

pub struct Shape {
    pub name: &'static str,
    pub format: Format,
    /// Written once before the repeated unit.
    prefix: fn() -> String,
    unit: fn(usize) -> String,
    suffix: &'static str,
}

/// The formatting tags a parser keeps open at once before the check refuses
/// (bbn-core's `MAX_OPEN_FORMATTING`, written out here so that this file
/// stands alone).
const OPEN_B: &str = "<b title=i><b title=i><b title=i><b title=i><b title=i><b title=i>\
<b title=i><b title=i><b title=i><b title=i><b title=i><b title=i><b title=i><b title=i>\
<b title=i><b title=i><b title=i><b title=i><b title=i><b title=i><b title=i><b title=i>\
<b title=i><b title=i>";

/// `OPEN_B` with a hundred attributes on each tag, inside a paragraph.
fn open_b_with_attributes() -> String {
    let attributes: String = (0..ATTRIBUTES).map(|i| format!(" a{i}=x")).collect();
    format!("<p>{}", format!("<b{attributes}>").repeat(24))
}

/// Attributes on each reopened tag: the parser copies them all each time,
/// so the cost grows with them times the blocks (and more than a hundred,
/// on a 1 MB body, would take gigabytes: see the `sanitize` figures).
const ATTRIBUTES: usize = 100;

/// Just under bbn-core's `MAX_DEPTH` (200).
const NEAR_DEPTH: usize = 199;

fn nested_divs(_: usize) -> String {
    format!(
        "{}x{}",
        "<div>".repeat(NEAR_DEPTH),
        "</div>".repeat(NEAR_DEPTH)
    )
}

fn nested_quotes(_: usize) -> String {
    format!("{} x\n\ny\n\n", ">".repeat(NEAR_DEPTH - 1))
}

fn long_attributes(_: usize) -> String {
    format!(
        "<a href=\"https://example.org/?q={}\" title=\"{}\">x</a>\n",
        "a".repeat(50_000),
        "t ".repeat(25_000)
    )
}

pub const SHAPES: &[Shape] = &[
    Shape {
        name: "unclosed <b title=i>",
        format: Format::Html,
        prefix: String::new,
        unit: |_| "<b title=i>x".into(),
        suffix: "",
    },
    Shape {
        name: "unclosed <b title=iN>, a <p> after each",
        format: Format::Html,
        prefix: String::new,
        // Each paragraph closes the one before with the tags opened in it,
        // which the parser opens again, all of them (they differ, so none
        // is dropped as a fourth copy): elements grow with the square.
        unit: |i| format!("<b title=i{i}><p>x"),
        suffix: "",
    },
    Shape {
        name: "24 open <b title=i>, then <p> blocks",
        format: Format::Html,
        prefix: || OPEN_B.into(),
        unit: |_| "<p>x".into(),
        suffix: "",
    },
    Shape {
        name: "24 open <b> of 100 attributes, then </p><p> blocks",
        format: Format::Html,
        prefix: open_b_with_attributes,
        unit: |_| "</p><p>x".into(),
        suffix: "",
    },
    Shape {
        name: "unclosed <div> nesting",
        format: Format::Html,
        prefix: String::new,
        unit: |_| "<div>".into(),
        suffix: "x",
    },
    Shape {
        name: "199-deep <div> nests, repeated",
        format: Format::Html,
        prefix: String::new,
        unit: nested_divs,
        suffix: "",
    },
    Shape {
        name: "many small elements <span>x</span>",
        format: Format::Html,
        prefix: String::new,
        unit: |_| "<span>x</span>".into(),
        suffix: "",
    },
    Shape {
        name: "long attributes (50 KB href and title)",
        format: Format::Html,
        prefix: String::new,
        unit: long_attributes,
        suffix: "",
    },
    Shape {
        name: "one <span> with many attributes",
        format: Format::Html,
        prefix: || "<span".into(),
        unit: |i| format!(" a{i}=x"),
        suffix: ">x</span>",
    },
    Shape {
        name: "table cells <tr><td>x<td>y",
        format: Format::Html,
        prefix: || "<table>".into(),
        unit: |_| "<tr><td>x<td>y".into(),
        suffix: "</table>",
    },
    Shape {
        name: "tables nested in cells",
        format: Format::Html,
        prefix: String::new,
        unit: |_| "<table><tr><td>".into(),
        suffix: "x",
    },
    Shape {
        name: "Markdown: 198-deep > quotes, repeated",
        format: Format::Markdown,
        prefix: String::new,
        unit: nested_quotes,
        suffix: "",
    },
    Shape {
        name: "Markdown: emphasis and links",
        format: Format::Markdown,
        prefix: String::new,
        unit: |i| format!("*a* [b](/news/{i}) "),
        suffix: "",
    },
    Shape {
        name: "Markdown: raw unclosed <b title=i>",
        format: Format::Markdown,
        prefix: String::new,
        unit: |_| "<b title=i>x ".into(),
        suffix: "",
    },
];

impl Shape {
    /// The body with the unit `n` times.
    pub fn body(&self, n: usize) -> String {
        let mut out = (self.prefix)();
        for i in 0..n {
            out.push_str(&(self.unit)(i));
        }
        out.push_str(self.suffix);
        out
    }

    /// The most units whose body stays within `bytes` (at least one).
    pub fn units_within(&self, bytes: usize) -> usize {
        // Units may grow with their index (`/news/{i}`), so measure rather than divide.
        let mut len = (self.prefix)().len() + self.suffix.len();
        let mut n = 0;
        loop {
            len += (self.unit)(n).len();
            if len > bytes {
                return n.max(1);
            }
            n += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bbn_core::markdown::{MAX_OPEN_FORMATTING, ShapeError, check_shape};

    #[test]
    fn the_open_prefix_is_as_many_formatting_tags_as_the_check_allows() {
        // The "24 open" shape measures the worst the limit lets through only
        // while it matches bbn-core's limit.
        assert_eq!(check_shape(OPEN_B), Ok(()));
        assert_eq!(
            check_shape(&format!("{OPEN_B}<b>")),
            Err(ShapeError::TooManyOpenFormatting)
        );
        assert_eq!(OPEN_B.matches("<b ").count(), MAX_OPEN_FORMATTING);
    }

    #[test]
    fn nests_just_under_the_depth_limit_pass_and_bodies_fit_the_size_asked() {
        for shape in SHAPES {
            let n = shape.units_within(10_000);
            assert!(shape.body(n).len() <= 10_000 || n == 1, "{}", shape.name);
        }
        assert_eq!(check_shape(&nested_divs(0)), Ok(()));
        assert_eq!(
            check_shape(&format!("<div><div>{}", nested_divs(0))),
            Err(ShapeError::TooDeep)
        );
    }
}
