//! Markdown article bodies to HTML that is safe to put on a page.
//!
//! The rendered HTML always passes through the sanitizer, so whatever a
//! writer types (raw HTML included) can never bring script into a reader's
//! browser. A level-one heading in a body becomes `<h2>`: the page's only
//! `<h1>` is the headline, and `##` already means a section of the story.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};
use std::sync::OnceLock;

/// Renders Markdown to sanitized HTML.
pub fn to_safe_html(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_SMART_PUNCTUATION;
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        Event::Start(Tag::Heading {
            level,
            id,
            classes,
            attrs,
        }) => Event::Start(Tag::Heading {
            level: demote(level),
            id,
            classes,
            attrs,
        }),
        Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(demote(level))),
        other => other,
    });
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, events);
    sanitize(&unsafe_html)
}

/// The words of a Markdown body without its markup (for search and
/// snippets): paragraphs, headings and list items end with a line break;
/// raw HTML is dropped.
pub fn plain_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    for event in Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_SMART_PUNCTUATION,
    ) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableCell,
            ) => out.push('\n'),
            _ => {}
        }
    }
    out.trim().to_string()
}

/// The words of sanitized or imported HTML without its markup: tags go,
/// block ends become line breaks, character references are decoded, and
/// control characters other than tab and line breaks (raw, or written as
/// `&#1;`) are dropped: they mean nothing in a headline or a name and some
/// break what they are shown in (XML feeds, terminals).
pub fn html_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        push_decoded(&mut out, &rest[..lt]);
        let after = &rest[lt..];
        let Some(gt) = after.find('>') else {
            rest = "";
            break;
        };
        let tag = after[1..gt].trim_start_matches('/').to_ascii_lowercase();
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if matches!(
            name.as_str(),
            "p" | "br"
                | "div"
                | "li"
                | "h1"
                | "h2"
                | "h3"
                | "h4"
                | "h5"
                | "h6"
                | "tr"
                | "blockquote"
                | "figcaption"
                | "pre"
                | "hr"
        ) && !out.ends_with('\n')
        {
            out.push('\n');
        }
        rest = &after[gt + 1..];
    }
    push_decoded(&mut out, rest);
    out.retain(|c| !is_unwanted_control(c));
    out.trim().to_string()
}

/// A control character that has no place in plain text: all but tab,
/// newline and carriage return.
pub fn is_unwanted_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

fn push_decoded(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp..];
        // Found by byte: `;` is ASCII, so its index is a character boundary.
        let end = after.bytes().take(12).position(|b| b == b';');
        let decoded = end.and_then(|end| {
            let name = &after[1..end];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" | "#39" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            }?;
            Some((c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
}

/// Cleans HTML from any source down to the tags and attributes an article
/// body may use. Control characters (but tab and line breaks) are dropped
/// too, also those written as references (`&#x1b;`), which the cleaning
/// decodes.
pub fn sanitize(html: &str) -> String {
    let mut out = sanitizer().clean(html).to_string();
    out.retain(|c| !is_unwanted_control(c));
    out
}

fn demote(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 => HeadingLevel::H2,
        other => other,
    }
}

fn sanitizer() -> &'static ammonia::Builder<'static> {
    static BUILDER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.add_tags(["figure", "figcaption", "audio", "video", "source"])
            .add_tag_attributes("img", ["loading", "width", "height"])
            .add_tag_attributes("audio", ["src", "controls", "preload"])
            .add_tag_attributes("video", ["src", "controls", "preload", "width", "height"])
            .add_tag_attributes("source", ["src", "type"])
            .url_schemes(["http", "https", "mailto"].into_iter().collect())
            .link_rel(Some("noopener"));
        b
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_text_drops_markup_and_decodes() {
        assert_eq!(
            html_text("<p>Fish &amp; chips</p><p>caf&#233; &lt;b&gt; &#x1F600; &bogus; &</p>"),
            "Fish & chips\ncafé <b> 😀 &bogus; &"
        );
    }

    #[test]
    fn sanitize_drops_control_characters() {
        assert_eq!(
            sanitize("<p>Tone\u{8}s\tand &#x1b;[0mcolours&#1;</p>"),
            "<p>Tones\tand [0mcolours</p>"
        );
    }

    #[test]
    fn html_text_drops_control_characters() {
        assert_eq!(
            html_text("Bell\u{7}s&#1; &#x1b;[31mring&#0;\tloud\u{85}<br>é&eacute;&#233456789;"),
            "Bells [31mring\tloud\né&eacute;&#233456789;"
        );
    }

    #[test]
    fn media_players_keep_only_safe_attributes() {
        let out = sanitize(
            r#"<audio controls src="https://x.test/a.mp3" onplay="x()"></audio><video controls src="javascript:alert(1)"><source src="/v.mp4" type="video/mp4"></video>"#,
        );
        assert!(
            out.contains(r#"<audio controls="" src="https://x.test/a.mp3"></audio>"#),
            "{out}"
        );
        assert!(
            !out.contains("onplay") && !out.contains("javascript"),
            "{out}"
        );
        assert!(
            out.contains(r#"<source src="/v.mp4" type="video/mp4">"#),
            "{out}"
        );
    }

    #[test]
    fn plain_text_keeps_words_only() {
        assert_eq!(
            plain_text(
                "# Talks\n\nLavrov *arrived* [today](https://x.example).\n\n<script>x</script>\n\n- one\n- two"
            ),
            "Talks\nLavrov arrived today.\none\ntwo"
        );
    }

    #[test]
    fn renders_the_parts_of_a_news_body() {
        let html = to_safe_html(
            "# Big\n\n## Part\n\nA [link](/news/x) and *emphasis*.\n\n> A quote\n\n- one\n- two\n\n![Alt text](/img.jpg)",
        );
        assert!(html.contains("<h2>Big</h2>"), "{html}");
        assert!(
            html.contains("<h2>Part</h2>"),
            "headings follow the h1 headline in order: {html}"
        );
        assert!(
            html.contains("<a href=\"/news/x\" rel=\"noopener\">link</a>"),
            "{html}"
        );
        assert!(html.contains("<blockquote>"), "{html}");
        assert!(html.contains("<li>two</li>"), "{html}");
        assert!(html.contains("alt=\"Alt text\""), "{html}");
    }

    #[test]
    fn strips_script_in_every_form() {
        let html = to_safe_html(
            "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1))\n\n<a href=\"data:text/html,<script>\">d</a>",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("data:"), "{html}");
    }

    #[test]
    fn sanitized_output_is_stable() {
        let once = to_safe_html("Some **bold** <em>text</em> and <iframe src=x></iframe>");
        assert_eq!(sanitize(&once), once);
    }
}
