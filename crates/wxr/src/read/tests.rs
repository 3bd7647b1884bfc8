use super::*;
use std::convert::Infallible;

const HEAD: &str = "<rss version=\"2.0\" xmlns:wp=\"http://wordpress.org/export/1.2/\"><channel>";
const TAIL: &str = "</channel></rss>";

fn read_str(xml: &str) -> Result<(Vec<Record>, Channel), ReadError> {
    read_bytes(xml.as_bytes())
}

fn read_bytes(xml: &[u8]) -> Result<(Vec<Record>, Channel), ReadError> {
    let mut records = Vec::new();
    let channel = read(xml, |r| {
        records.push(r);
        Ok::<_, Infallible>(())
    })?;
    Ok((records, channel))
}

fn wxr(body: &str) -> String {
    format!("{HEAD}{body}{TAIL}")
}

fn only_item(xml: &str) -> Item {
    let (mut records, _) = read_str(xml).unwrap();
    match records.pop() {
        Some(Record::Item(item)) => *item,
        other => panic!("{other:?}"),
    }
}

fn syntax_at(xml: &[u8]) -> (u64, u64, String) {
    match read_bytes(xml) {
        Err(ReadError::Syntax {
            line,
            column,
            message,
        }) => (line, column, message),
        other => panic!("expected a syntax error, got {other:?}"),
    }
}

#[test]
fn byte_order_mark_and_crlf() {
    let xml = format!(
        "\u{feff}<?xml version=\"1.0\"?>\r\n{HEAD}\r\n<item><wp:post_id>5</wp:post_id>\r\n<content:encoded><![CDATA[a\r\nb\rc]]></content:encoded>\r\n<title>x\r\ny</title></item>{TAIL}"
    );
    let item = only_item(&xml);
    assert_eq!(item.post_id, 5);
    assert_eq!(item.content, "a\nb\nc");
    assert_eq!(item.title, "x\ny");
    assert_eq!(item.line, 3);

    // Positions count from after the mark.
    let broken = format!("\u{feff}{HEAD}\n<item></itm>");
    let (line, column, _) = syntax_at(broken.as_bytes());
    assert_eq!((line, column), (2, 7));
}

#[test]
fn not_well_formed() {
    let cases: &[(&str, u64, u64, &str)] = &[
        ("", 1, 1, "empty"),
        ("  \n ", 2, 2, "empty"),
        ("hello", 1, 1, "not an XML file"),
        (
            "<rss><channel><wp:x/></channel></rss><rss/>",
            1,
            38,
            "after the end",
        ),
        (
            "<rss><channel><wp:x/></channel></rss>\ntext",
            2,
            1,
            "after the end",
        ),
        (
            "<rss><channel><wp:x/></channel></rss><![CDATA[x]]>",
            1,
            38,
            "outside the root",
        ),
        (
            "<rss>\n<channel>\n<item>\n",
            4,
            1,
            "</item> (opened at line 3, column 1)",
        ),
        ("<rss><channel></rss>", 1, 15, "</rss>"),
        ("</rss>", 1, 1, "closes no element"),
        ("<rss><channel><item a=\"1\" a=\"2\">", 1, 15, "<item>"),
        ("<rss><channel><item>]]></item>", 1, 21, "]]>"),
        ("<rss><channel><item><title>x", 1, 29, "</title>"),
        ("<rss><channel><item><title", 1, 21, "cut short"),
        ("<rss><channel><!-- open", 1, 15, "cut short"),
        ("<rss><channel><!x>", 1, 15, "<!"),
    ];
    for &(xml, line, column, phrase) in cases {
        let (l, c, message) = syntax_at(xml.as_bytes());
        assert_eq!((l, c), (line, column), "{xml:?}: {message}");
        assert!(message.contains(phrase), "{xml:?}: {message}");
    }
    // Bytes that are not UTF-8.
    let (line, _, message) = syntax_at(b"<rss><channel>\n<title>caf\xe9</title>");
    assert_eq!(line, 2);
    assert!(message.contains("UTF-8"), "{message}");
}

#[test]
fn xml_that_is_not_an_export() {
    let not_wxr = |xml: &str| match read_str(xml) {
        Err(ReadError::NotWxr { line, message, .. }) => (line, message),
        other => panic!("{xml}: {other:?}"),
    };
    assert!(not_wxr("<html><body/></html>").1.contains("<html>"));
    assert!(not_wxr("<rss version=\"2.0\"/>").1.contains("no <channel>"));
    assert!(
        not_wxr("<rss><channel><title>t</title></channel></rss>")
            .1
            .contains("wp:")
    );
    // Stops at the first item rather than reading a whole feed.
    let (line, _) = not_wxr("<rss><channel>\n<item><title>a</title></item>\n<item>");
    assert_eq!(line, 2);
    // Either a declared wp prefix or any wp: element makes an export.
    assert!(
        read_str("<rss><channel><item><wp:post_id>1</wp:post_id></item></channel></rss>").is_ok()
    );
    assert!(
        read_str("<rss xmlns:wp=\"https://wordpress.org/export/1.1/\"><channel/></rss>").is_ok()
    );
}

#[test]
fn numbers_that_are_missing_or_unreadable() {
    let item = only_item(&wxr(
        "<item><wp:post_id> 12 </wp:post_id><wp:post_parent>x</wp:post_parent><wp:menu_order>-3</wp:menu_order><wp:is_sticky>yes</wp:is_sticky></item>",
    ));
    assert_eq!(item.post_id, 12);
    assert_eq!(item.post_parent, 0);
    assert_eq!(item.menu_order, -3);
    assert!(!item.is_sticky);
    assert_eq!(only_item(&wxr("<item/>")).post_id, 0);

    let (records, _) = read_str(&wxr(
        "<wp:author><wp:author_id>99999999999999999999</wp:author_id></wp:author><wp:category><wp:term_id/></wp:category>",
    ))
    .unwrap();
    assert!(matches!(&records[0], Record::Author(a) if a.id.is_none()));
    assert!(matches!(&records[1], Record::Category(c) if c.term_id.is_none()));
}

#[test]
fn text_cdata_and_references_join() {
    let item = only_item(&wxr(
        "<item><title>  A &amp; B &#8211; &#x1F600;&lt;&gt;&quot;&apos;  </title><content:encoded>\n  <![CDATA[one ]]]]><![CDATA[> two]]>\n  </content:encoded><excerpt:encoded>  kept  </excerpt:encoded><description>&#10;</description></item>",
    ));
    assert_eq!(item.title, "A & B \u{2013} 😀<>\"'");
    assert_eq!(item.content, "one ]]> two");
    assert_eq!(item.excerpt, "  kept  ");
    assert_eq!(item.description, "\n");
}

#[test]
fn unknown_elements_and_namespaces_are_skipped() {
    let item = only_item(&wxr(
        "<item><custom:thing><wp:post_id>999</wp:post_id></custom:thing><wp:post_id>3</wp:post_id><wp:postmeta><wp:meta_key>k</wp:meta_key><extra>x</extra><wp:meta_value>v</wp:meta_value></wp:postmeta></item>",
    ));
    assert_eq!(item.post_id, 3);
    assert_eq!(
        item.meta,
        vec![Meta {
            key: "k".into(),
            value: "v".into()
        }]
    );
}

#[test]
fn warnings_are_capped() {
    let body = "<item><title>".to_owned() + &"& ".repeat(MAX_WARNINGS + 5) + "</title></item>";
    let (_, channel) = read_str(&wxr(&body)).unwrap();
    assert_eq!(channel.warnings.len(), MAX_WARNINGS + 1);
    assert_eq!(
        channel.warnings[MAX_WARNINGS].message,
        "5 more warnings were not listed"
    );
}

#[test]
fn records_can_be_pulled_one_at_a_time() {
    let xml = wxr(
        "<title>Site</title><wp:author><wp:author_login>a</wp:author_login></wp:author><item><wp:post_id>1</wp:post_id></item><item><wp:post_id>2</wp:post_id></item>",
    );
    let mut reader = Reader::new(xml.as_bytes());
    assert!(matches!(
        reader.next_record().unwrap(),
        Some(Record::Author(_))
    ));
    assert_eq!(reader.channel().title, "Site");
    assert!(matches!(reader.next_record().unwrap(), Some(Record::Item(i)) if i.post_id == 1));
    assert!(matches!(reader.next_record().unwrap(), Some(Record::Item(i)) if i.post_id == 2));
    assert!(reader.next_record().unwrap().is_none());
    assert!(reader.next_record().unwrap().is_none());
    assert_eq!(reader.into_channel().title, "Site");
}

#[test]
fn a_failing_sink_stops_the_reading() {
    let xml = wxr("<item><wp:post_id>1</wp:post_id></item><item><wp:post_id>2</wp:post_id></item>");
    let mut seen = 0;
    let result = read(xml.as_bytes(), |_| {
        seen += 1;
        Err("disk full")
    });
    assert!(matches!(result, Err(ReadError::Sink("disk full"))));
    assert_eq!(seen, 1);
}

#[test]
fn input_errors_are_io_errors() {
    struct Failing;
    impl std::io::Read for Failing {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            Err(io::Error::other("cable pulled"))
        }
    }
    let result = Reader::new(io::BufReader::new(Failing)).next_record();
    assert!(matches!(result, Err(ReadError::Io(e)) if e.to_string() == "cable pulled"));
}

#[test]
fn a_nul_character_is_not_well_formed() {
    let cases: &[(&str, u64, u64, &str)] = &[
        (
            "<item><content:encoded><![CDATA[ab\0c]]></content:encoded></item>",
            3,
            35,
            "NUL",
        ),
        ("<item><title>one\0</title></item>", 3, 17, "NUL"),
        ("<item><title>one &#0; two</title></item>", 3, 18, "&#0;"),
        ("<item><title>&#x000;</title></item>", 3, 14, "&#x000;"),
    ];
    for &(item, line, column, phrase) in cases {
        let xml = format!("{HEAD}\n<wp:author/>\n{item}{TAIL}");
        let (l, c, message) = syntax_at(xml.as_bytes());
        assert_eq!((l, c), (line, column), "{item:?}: {message}");
        assert!(message.contains(phrase), "{item:?}: {message}");
    }
}

#[test]
fn control_characters_are_left_out_of_text() {
    let xml = wxr(
        "<item><title>Bell\u{7}s &#1;ring\tloud</title><wp:post_id>3</wp:post_id>\
         <content:encoded><![CDATA[a\u{1b}[0mb\nc\u{7f}d\u{85}]]></content:encoded>\
         <dc:creator>ed\u{8}</dc:creator></item>",
    );
    let (records, channel) = read_str(&xml).unwrap();
    let Some(Record::Item(item)) = records.last() else {
        panic!("{records:?}")
    };
    assert_eq!(item.title, "Bells ring\tloud");
    assert_eq!(item.content, "a[0mb\ncd");
    assert_eq!(item.creator, "ed");
    let notes: Vec<&str> = channel
        .warnings
        .iter()
        .map(|w| w.message.as_str())
        .collect();
    assert!(
        notes.contains(&"2 control characters left out of <title>")
            && notes.contains(&"3 control characters left out of <content:encoded>"),
        "{notes:?}"
    );
}

#[test]
fn texts_past_the_limit_are_left_out_and_named() {
    let body = "word ".repeat(300);
    let xml = wxr(&format!(
        "<item><title>Long one</title><wp:post_id>4</wp:post_id>\
         <content:encoded><![CDATA[{body}]]><![CDATA[{body}]]></content:encoded>\
         <wp:comment><wp:comment_content>{body}</wp:comment_content></wp:comment></item>\
         <item><title>Short one</title><wp:post_id>5</wp:post_id>\
         <content:encoded>{}</content:encoded></item>",
        "x".repeat(900)
    ));
    let mut items = Vec::new();
    let limits = Limits {
        text: 1000,
        event: 4000,
    };
    let channel = read_with_limits(xml.as_bytes(), limits, |r| {
        if let Record::Item(item) = r {
            items.push(item);
        }
        Ok::<_, Infallible>(())
    })
    .unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].title, "Long one");
    assert_eq!(items[0].content, "");
    assert_eq!(
        items[0].oversized,
        ["content:encoded", "wp:comment_content"]
    );
    assert_eq!(items[0].comments[0].content, "");
    assert_eq!(items[1].content.len(), 900);
    assert!(items[1].oversized.is_empty());
    assert!(
        channel.warnings[0]
            .message
            .contains("<content:encoded> is longer than 1000 bytes"),
        "{:?}",
        channel.warnings
    );

    // One piece of XML past the event limit stops the reading where it starts.
    let huge = wxr(&format!(
        "<item><title>t</title>\n  <content:encoded><![CDATA[{}]]></content:encoded></item>",
        "y".repeat(5000)
    ));
    let result = read_with_limits(huge.as_bytes(), limits, |_| Ok::<_, Infallible>(()));
    match result {
        Err(ReadError::Syntax {
            line,
            column,
            message,
        }) => {
            assert_eq!((line, column), (2, 20), "{message}");
            assert!(message.contains("longer than 4000 bytes"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}
