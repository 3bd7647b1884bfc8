//! The limits: deep structure keeps its words within the depth limit, the
//! largest bodies are cut within the size limits, and HTML the sanitizer
//! would not parse keeps its words.

use super::properties::{assert_holds, schema_fault};
use crate::document::{MAX_DEPTH, MAX_NODES, Node, from_html, to_html};
use crate::markdown;

fn depth(node: &Node) -> usize {
    node.content.iter().map(|c| 1 + depth(c)).max().unwrap_or(0)
}

fn count(node: &Node) -> usize {
    1 + node.content.iter().map(count).sum::<usize>()
}

#[test]
fn deep_nesting_keeps_its_words_within_the_depth_limit() {
    // As deep as the shape check lets each through.
    let lists = "<ul><li>level".repeat(199) + &"</li></ul>".repeat(199);
    let quotes = "<blockquote>q".repeat(199) + &"</blockquote>".repeat(199);
    let tables = "<table><tr><td>t".repeat(199) + &"</td></tr></table>".repeat(199);
    let mixed = "<ul><li><blockquote><ol><li>m".repeat(66)
        + &"</li></ol></blockquote></li></ul>".repeat(66);
    let faq = "<dl class=faq>".to_string() + &"<div>".repeat(199);
    for html in [lists, quotes, tables, mixed, faq] {
        assert!(markdown::check_shape(&html).is_ok());
        // Half the stack a test or a server's worker thread has.
        let read = std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn({
                let html = html.clone();
                move || from_html(&html)
            })
            .unwrap()
            .join()
            .unwrap();
        assert!(depth(&read) <= MAX_DEPTH, "{}", depth(&read));
        assert_holds(&html);
    }
}

#[test]
fn the_largest_bodies_are_cut_within_the_limits() {
    // A row of two cells is 3 elements of HTML and 7 nodes (row, cells,
    // paragraphs, texts), rendered as 5 elements: past both limits.
    let cells = format!(
        "<table>{}</table><p>after</p>",
        "<tr><td>a</td><td>b</td></tr>".repeat(15_000)
    );
    // An item with a link in bold is 3 elements, rendered as 4.
    let items = "<ul>".to_string() + &"<li><a href=/x><b>x</b></a>".repeat(16_000);
    // Within the limits, just.
    let breaks = "<p>".to_string() + &"w<br>".repeat(49_000);
    // Two elements, and a line break a line: reading stops at the limit.
    let lines = "<pre>".to_string() + &"a\n".repeat(400_000);
    for html in [cells, items, breaks, lines] {
        assert!(markdown::check_shape(&html).is_ok());
        let read = from_html(&html);
        assert!(count(&read) <= MAX_NODES);
        let json = serde_json::to_string(&read).unwrap();
        assert_eq!(
            markdown::check_body(crate::BodyFormat::Document, &json),
            Ok(())
        );
        assert!(schema_fault(&read).is_none());
        assert!(count(&read) > MAX_NODES / 10, "cut no further than needed");
        let out = to_html(&read);
        assert_eq!(from_html(&out), read);
    }
}

#[test]
fn html_the_sanitizer_would_not_parse_keeps_its_words_as_paragraphs() {
    let html = "<b title=i>x".repeat(30) + "<p>last line";
    let read = from_html(&html);
    assert_eq!(read.content.len(), 2);
    assert_eq!(
        crate::document::plain_text(&read),
        format!("{}\nlast line", "x".repeat(30))
    );
}
