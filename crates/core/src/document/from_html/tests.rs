#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod limits;
mod properties;
mod round_trip;
/// Real material from `../shared/testdata` (not run where it is missing).
mod with_corpus;

use super::*;
use properties::assert_holds;
use serde_json::json;

pub(super) fn json_of(node: &Node) -> serde_json::Value {
    serde_json::to_value(node).unwrap()
}

#[test]
fn reads_text_blocks_and_marks() {
    let read = from_html(
        "<h1>Top</h1><h3>Three</h3><h6>Six</h6>\
         <p>A <b>bold</b> and <i>slanted</i> <a href=\"/x\" title=\"T\">link <strong>in</strong></a> \
         <code>x = 1</code> <u>under</u><span>lined</span>.</p>",
    );
    assert_eq!(
        json_of(&read),
        json!({"type": "doc", "content": [
            {"type": "heading", "attrs": {"level": 2}, "content": [{"type": "text", "text": "Top"}]},
            {"type": "heading", "attrs": {"level": 3}, "content": [{"type": "text", "text": "Three"}]},
            {"type": "heading", "attrs": {"level": 4}, "content": [{"type": "text", "text": "Six"}]},
            {"type": "paragraph", "content": [
                {"type": "text", "text": "A "},
                {"type": "text", "text": "bold", "marks": [{"type": "strong"}]},
                {"type": "text", "text": " and "},
                {"type": "text", "text": "slanted", "marks": [{"type": "em"}]},
                {"type": "text", "text": " "},
                {"type": "text", "text": "link ", "marks": [{"type": "link", "attrs": {"href": "/x", "title": "T"}}]},
                {"type": "text", "text": "in", "marks": [{"type": "link", "attrs": {"href": "/x", "title": "T"}}, {"type": "strong"}]},
                {"type": "text", "text": " "},
                {"type": "text", "text": "x = 1", "marks": [{"type": "code"}]},
                {"type": "text", "text": " underlined."}
            ]}
        ]})
    );
}

#[test]
fn marks_are_in_the_schemas_order_whatever_the_nesting() {
    let read = from_html("<p><strong><em><a href=\"https://x.test/\">w</a></em></strong></p>");
    let marks: Vec<&str> = read.content[0].content[0]
        .marks
        .iter()
        .map(|m| m.kind.as_str())
        .collect();
    assert_eq!(marks, ["link", "em", "strong"]);
}

#[test]
fn links_and_images_the_editor_refuses_keep_their_words_only() {
    let read = from_html(
        "<p><a href=\"javascript:alert(1)\">run</a> <a href=\"file:///c/x\">file</a> <a>bare</a></p>\
         <figure><img src=\"data:image/png;base64,AA\"><figcaption>Shown</figcaption></figure>\
         <p><img src=\"photo.jpg\" alt=\"relative\"></p>",
    );
    assert_eq!(
        json_of(&read),
        json!({"type": "doc", "content": [
            {"type": "paragraph", "content": [{"type": "text", "text": "run file bare"}]},
            {"type": "paragraph", "content": [{"type": "text", "text": "Shown"}]},
            {"type": "paragraph"}
        ]})
    );
}

#[test]
fn white_space_collapses_as_in_a_browser() {
    let read = from_html(
        "\n  <p>\n  Two   words\t<em> and </em> more  <br>  after\u{a0}break </p>\n<div>  </div><p> </p>",
    );
    assert_eq!(
        json_of(&read),
        json!({"type": "doc", "content": [
            {"type": "paragraph", "content": [
                {"type": "text", "text": "Two words "},
                {"type": "text", "text": "and ", "marks": [{"type": "em"}]},
                {"type": "text", "text": "more "},
                {"type": "hard_break"},
                {"type": "text", "text": "after\u{a0}break"}
            ]},
            {"type": "paragraph"}
        ]})
    );
}

#[test]
fn elements_without_nodes_keep_their_words() {
    let read = from_html(
        "<div>Loose <abbr>text</abbr><section><p>In a section</p>then more</section></div>\
         <video controls>Your browser <b>cannot</b> play it</video><script>gone()</script><style>p{}</style>",
    );
    let text: Vec<String> = read
        .content
        .iter()
        .map(crate::document::plain_text)
        .collect();
    assert_eq!(
        text,
        [
            "Loose text",
            "In a section",
            "then more",
            "Your browser cannot play it"
        ]
    );
}

#[test]
fn preformatted_lines_are_kept_as_line_breaks() {
    let read = from_html("<pre><code>let a = 1;\n  let b = 2;\n</code></pre><p>after</p>");
    assert_eq!(
        json_of(&read.content[0]),
        json!({"type": "paragraph", "content": [
            {"type": "text", "text": "let a = 1;", "marks": [{"type": "code"}]},
            {"type": "hard_break", "marks": [{"type": "code"}]},
            {"type": "text", "text": "let b = 2;", "marks": [{"type": "code"}]}
        ]})
    );
    assert_holds("<pre>one\n\ntwo <b>three\nfour</b></pre>");
}

#[test]
fn images_take_their_figures_caption_and_credit() {
    let read = from_html(concat!(
        "<p>Before <img src=\"/media/a.jpg\" alt=\"A\"> after</p>",
        "<figure class=\"wp-block-image\"><a href=\"/big.jpg\"><img src=\"https://x.test/b.jpg\" alt=\"B\"></a>",
        "<figcaption>The <em>harbour</em> at dawn</figcaption></figure>",
        "<figure><img src=\"/c.jpg\" alt=\"\"><figcaption><span class=\"image-caption\">Quay</span> ",
        "<span class=\"image-credit\">Photo: Ann</span></figcaption></figure>",
    ));
    let attrs: Vec<serde_json::Value> = read
        .content
        .iter()
        .map(|n| {
            if n.kind == "image" {
                serde_json::Value::Object(n.attrs.clone())
            } else {
                json!(crate::document::plain_text(n))
            }
        })
        .collect();
    assert_eq!(
        attrs,
        [
            json!("Before"),
            json!({"src": "/media/a.jpg", "alt": "A", "caption": "", "credit": "", "media": null}),
            json!("after"),
            json!({"src": "https://x.test/b.jpg", "alt": "B", "caption": "The harbour at dawn", "credit": "", "media": null}),
            json!({"src": "/c.jpg", "alt": "", "caption": "Quay", "credit": "Photo: Ann", "media": null}),
        ]
    );
}

#[test]
fn a_gallery_is_its_images() {
    let read = from_html(concat!(
        "<figure class=\"wp-block-gallery\">",
        "<figure><img src=\"/1.jpg\" alt=\"one\"><figcaption>First</figcaption></figure>",
        "<figure><img src=\"/2.jpg\" alt=\"two\"></figure>",
        "<figcaption>The whole set</figcaption></figure>",
    ));
    let kinds: Vec<(&str, String)> = read
        .content
        .iter()
        .map(|n| (n.kind.as_str(), crate::document::plain_text(n)))
        .collect();
    assert_eq!(
        kinds,
        [
            ("image", "First".to_string()),
            ("image", String::new()),
            ("paragraph", "The whole set".to_string())
        ]
    );
}

#[test]
fn lists_keep_their_shape_and_numbering() {
    let read = from_html(concat!(
        "<ol start=\"4\"><li>four<ul><li>sub</li></ul></li><li><h2>five</h2></li>",
        "<li>six <img src=\"/six.jpg\" alt=\"6\"> still six</li><li>seven</li></ol>",
        "<ul><li>a</li><ul><li>nested straight in the list</li></ul><li></li></ul>",
    ));
    assert_eq!(
        json_of(&read),
        json!({"type": "doc", "content": [
            {"type": "ordered_list", "attrs": {"start": 4}, "content": [
                {"type": "list_item", "content": [
                    {"type": "paragraph", "content": [{"type": "text", "text": "four"}]},
                    {"type": "bullet_list", "content": [{"type": "list_item", "content": [
                        {"type": "paragraph", "content": [{"type": "text", "text": "sub"}]}]}]}]},
                {"type": "list_item", "content": [
                    {"type": "paragraph", "content": [{"type": "text", "text": "five"}]}]},
                {"type": "list_item", "content": [
                    {"type": "paragraph", "content": [{"type": "text", "text": "six"}]}]}
            ]},
            {"type": "image", "attrs": {"src": "/six.jpg", "alt": "6", "caption": "", "credit": "", "media": null}},
            {"type": "ordered_list", "attrs": {"start": 7}, "content": [
                {"type": "list_item", "content": [
                    {"type": "paragraph", "content": [{"type": "text", "text": "still six"}]}]},
                {"type": "list_item", "content": [
                    {"type": "paragraph", "content": [{"type": "text", "text": "seven"}]}]}
            ]},
            {"type": "bullet_list", "content": [
                {"type": "list_item", "content": [
                    {"type": "paragraph", "content": [{"type": "text", "text": "a"}]},
                    {"type": "bullet_list", "content": [{"type": "list_item", "content": [
                        {"type": "paragraph", "content": [{"type": "text", "text": "nested straight in the list"}]}]}]}]},
                {"type": "list_item", "content": [{"type": "paragraph"}]}
            ]}
        ]})
    );
}

#[test]
fn quotes_hold_paragraphs_and_lists() {
    let read = from_html(concat!(
        "<blockquote><h3>Said</h3><blockquote><p>inner</p></blockquote>",
        "<table><tr><td>cell</td></tr></table><p>after the table</p></blockquote>",
    ));
    let kinds: Vec<(&str, String)> = read
        .content
        .iter()
        .map(|n| (n.kind.as_str(), crate::document::plain_text(n)))
        .collect();
    assert_eq!(
        kinds,
        [
            ("blockquote", "Said\ninner".to_string()),
            ("table", "cell".to_string()),
            ("blockquote", "after the table".to_string())
        ]
    );
}

#[test]
fn tables_hold_paragraphs_in_their_cells() {
    let read = from_html(concat!(
        "<table><caption>Results</caption><thead><tr><th colspan=\"2\">Year</th></tr></thead>",
        "<tbody><tr><td rowspan=\"2\" colspan=\"0\"><ul><li>one</li><li>two</li></ul></td><td></td></tr>",
        "<tr><td><h2>Big</h2><img src=\"/t.jpg\" alt=\"t\"></td></tr></tbody></table>",
    ));
    let cell = |colspan: i64, rowspan: i64, kind: &str, words: &[&str]| {
        let content: Vec<serde_json::Value> = if words.is_empty() {
            vec![json!({"type": "paragraph"})]
        } else {
            words
                .iter()
                .map(|w| json!({"type": "paragraph", "content": [{"type": "text", "text": w}]}))
                .collect()
        };
        json!({"type": kind, "attrs": {"colspan": colspan, "rowspan": rowspan, "colwidth": null}, "content": content})
    };
    assert_eq!(
        json_of(&read),
        json!({"type": "doc", "content": [
            {"type": "paragraph", "content": [{"type": "text", "text": "Results"}]},
            {"type": "table", "content": [
                {"type": "table_row", "content": [cell(2, 1, "table_header", &["Year"])]},
                {"type": "table_row", "content": [
                    cell(1, 2, "table_cell", &["one", "two"]),
                    cell(1, 1, "table_cell", &[])]},
                {"type": "table_row", "content": [cell(1, 1, "table_cell", &["Big"])]}
            ]}
        ]})
    );
}

#[test]
fn the_renderers_own_blocks_read_back() {
    let read = from_html(concat!(
        "<figure class=\"pull-quote\"><blockquote><p>We agree</p><p>on <em>all</em> of it</p></blockquote>",
        "<figcaption>A minister</figcaption></figure>",
        "<aside class=\"read-more\"><span class=\"read-more-label\">Read more</span> ",
        "<a href=\"/news/b\" rel=\"noopener\">The background</a></aside>",
        "<aside class=\"read-more\">Also: <a href=\"/news/c\">see this</a></aside>",
        "<dl class=\"faq\"><div class=\"faq-item\"><dt>Why?</dt><dd><p>Because.</p></dd></div>",
        "<dt>And <b>then</b>?</dt><dd>Then this.</dd><dd>And that.</dd><dt>Open?</dt></dl>",
    ));
    let faq_item = |q: serde_json::Value, a: Vec<&str>| {
        let answer: Vec<serde_json::Value> = a
            .iter()
            .map(|w| {
                if w.is_empty() {
                    json!({"type": "paragraph"})
                } else {
                    json!({"type": "paragraph", "content": [{"type": "text", "text": w}]})
                }
            })
            .collect();
        json!({"type": "faq_item", "content": [
            {"type": "faq_question", "content": q},
            {"type": "faq_answer", "content": answer}]})
    };
    assert_eq!(
        json_of(&read),
        json!({"type": "doc", "content": [
            {"type": "pull_quote", "attrs": {"cite": "A minister"}, "content": [
                {"type": "text", "text": "We agree"},
                {"type": "hard_break"},
                {"type": "text", "text": "on "},
                {"type": "text", "text": "all", "marks": [{"type": "em"}]},
                {"type": "text", "text": " of it"}]},
            {"type": "read_more", "attrs": {"href": "/news/b", "headline": "The background"}},
            {"type": "paragraph", "content": [
                {"type": "text", "text": "Also: "},
                {"type": "text", "text": "see this", "marks": [{"type": "link", "attrs": {"href": "/news/c", "title": null}}]}]},
            {"type": "faq", "content": [
                faq_item(json!([{"type": "text", "text": "Why?"}]), vec!["Because."]),
                faq_item(json!([
                    {"type": "text", "text": "And "},
                    {"type": "text", "text": "then", "marks": [{"type": "strong"}]},
                    {"type": "text", "text": "?"}]), vec!["Then this.", "And that."]),
                faq_item(json!([{"type": "text", "text": "Open?"}]), vec![""])
            ]}
        ]})
    );
}

#[test]
fn nothing_is_one_empty_paragraph() {
    for html in [
        "",
        "   ",
        "<!-- a comment -->",
        "<script>x()</script>",
        "<ul></ul><table></table>",
    ] {
        assert_eq!(
            json_of(&from_html(html)),
            json!({"type": "doc", "content": [{"type": "paragraph"}]}),
            "{html:?}"
        );
    }
}
