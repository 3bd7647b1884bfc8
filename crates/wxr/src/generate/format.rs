//! How the generator writes things down: CDATA as WordPress splits it,
//! slugs, dates in WordPress's and RSS's forms, tag names, post meta.

use super::words::{OFFSET, WORDS};
use std::io::{self, Write};

pub fn meta(out: &mut impl Write, key: &str, value: &str) -> io::Result<()> {
    write!(
        out,
        "\t\t<wp:postmeta>\n\t\t\t<wp:meta_key>{}</wp:meta_key>\n\t\t\t<wp:meta_value>{}</wp:meta_value>\n\t\t</wp:postmeta>\n",
        cdata(key),
        cdata(value)
    )
}

pub fn tag(t: usize) -> (String, String) {
    let a = WORDS[t % WORDS.len()];
    let b = WORDS[(t * 7 + t / WORDS.len() + 3) % WORDS.len()];
    let mut name = format!("{a} {b}");
    capitalize(&mut name);
    (format!("{}-{t}", slugify(&name)), name)
}

/// CDATA as WordPress writes it: `]]>` split across two sections.
pub fn cdata(s: &str) -> String {
    format!("<![CDATA[{}]]>", s.replace("]]>", "]]]]><![CDATA[>"))
}

pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;")
}

pub fn slugify(s: &str) -> String {
    let mut slug = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_owned()
}

pub fn capitalize(s: &mut String) {
    if let Some(first) = s.chars().next() {
        let upper: String = first.to_uppercase().collect();
        s.replace_range(..first.len_utf8(), &upper);
    }
}

pub fn datetime(t: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(t, 0).unwrap_or_default()
}

pub fn wp_date(t: i64) -> String {
    datetime(t).format("%Y-%m-%d %H:%M:%S").to_string()
}

pub fn rfc822(t: i64) -> String {
    datetime(t)
        .format("%a, %d %b %Y %H:%M:%S +0000")
        .to_string()
}

pub fn date_path(t: i64) -> String {
    datetime(t + OFFSET).format("%Y/%m/%d").to_string()
}

pub fn upload_dir(t: i64) -> String {
    datetime(t + OFFSET).format("%Y/%m").to_string()
}
