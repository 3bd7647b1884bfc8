//! The hand-written exports in `tests/fixtures/` (described in its
//! README), read as the importer will read them.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use bbn_wxr::body::{AttachmentInfo, Attachments, convert};
use bbn_wxr::{Channel, Item, ReadError, Record};
use std::collections::HashMap;
use std::convert::Infallible;
use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn read(name: &str) -> (Vec<Record>, Result<Channel, ReadError<Infallible>>) {
    let mut records = Vec::new();
    let input = BufReader::new(File::open(fixture(name)).unwrap());
    let result = bbn_wxr::read(input, |record| {
        records.push(record);
        Ok(())
    });
    (records, result)
}

fn items(records: &[Record]) -> Vec<&Item> {
    records
        .iter()
        .filter_map(|r| match r {
            Record::Item(i) => Some(&**i),
            _ => None,
        })
        .collect()
}

fn item(records: &[Record], post_id: i64) -> &Item {
    items(records)
        .into_iter()
        .find(|i| i.post_id == post_id)
        .unwrap()
}

#[test]
fn full_export_channel_and_terms() {
    let (records, channel) = read("full.xml");
    let channel = channel.unwrap();
    assert_eq!(channel.title, "The Riverside Ledger");
    assert_eq!(channel.link, "https://ledger.example");
    assert_eq!(channel.description, "News from both banks & the bridge");
    assert_eq!(channel.language, "en-GB");
    assert_eq!(channel.wxr_version, "1.2");
    assert_eq!(channel.base_site_url, "https://ledger.example");
    assert_eq!(channel.base_blog_url, "https://ledger.example");
    assert!(channel.warnings.is_empty(), "{:?}", channel.warnings);

    let kinds: String = records
        .iter()
        .map(|r| match r {
            Record::Author(_) => 'a',
            Record::Category(_) => 'c',
            Record::Tag(_) => 't',
            Record::Term(_) => 'x',
            Record::Item(_) => 'i',
        })
        .collect();
    assert_eq!(kinds, "aaaccccctttt xxx".replace(' ', "") + &"i".repeat(15));

    let Record::Author(kenji) = &records[1] else {
        panic!()
    };
    assert_eq!(kenji.id, Some(2));
    assert_eq!(kenji.login, "kenji");
    assert_eq!(kenji.email, "kenji@ledger.example");
    assert_eq!(kenji.display_name, "佐藤 健二");
    assert_eq!(
        (kenji.first_name.as_str(), kenji.last_name.as_str()),
        ("健二", "佐藤")
    );
    let Record::Author(jurgen) = &records[2] else {
        panic!()
    };
    assert_eq!(jurgen.display_name, "Jürgen Groß");

    let categories: Vec<_> = records
        .iter()
        .filter_map(|r| match r {
            Record::Category(c) => Some(c),
            _ => None,
        })
        .collect();
    let parents: Vec<_> = categories
        .iter()
        .map(|c| (c.term_id.unwrap(), c.nicename.as_str(), c.parent.as_str()))
        .collect();
    assert_eq!(
        parents,
        vec![
            (1, "uncategorized", ""),
            (2, "news", ""),
            (3, "local", "news"),
            (4, "schools", "local"),
            (5, "sport", ""),
        ]
    );
    assert_eq!(categories[2].description, "Town & county");
    assert_eq!(categories[3].meta[0].key, "colour");
    assert_eq!(categories[3].meta[0].value, "#2a6f97");

    let Record::Tag(council) = &records[9] else {
        panic!()
    };
    assert_eq!(council.slug, "city-council");
    assert_eq!(council.description, "Meetings, votes & budgets");
    let Record::Tag(ramen) = &records[10] else {
        panic!()
    };
    assert_eq!(ramen.name, "ラーメン");

    let Record::Term(menu) = &records[12] else {
        panic!()
    };
    assert_eq!(
        (
            menu.taxonomy.as_str(),
            menu.slug.as_str(),
            menu.name.as_str()
        ),
        ("nav_menu", "main-menu", "Main menu")
    );
    let Record::Term(harbour) = &records[14] else {
        panic!()
    };
    assert_eq!(harbour.term_id, Some(22));
    assert_eq!(harbour.parent, "north");
    assert_eq!(harbour.description, "The old harbour and the ferry pier.");
}

#[test]
fn full_export_posts_in_every_status() {
    let (records, channel) = read("full.xml");
    channel.unwrap();
    let statuses: Vec<_> = items(&records)
        .iter()
        .map(|i| (i.post_id, i.post_type.as_str(), i.status.as_str()))
        .collect();
    assert_eq!(
        statuses,
        vec![
            (101, "post", "publish"),
            (102, "post", "publish"),
            (103, "post", "draft"),
            (104, "post", "pending"),
            (105, "post", "future"),
            (106, "post", "private"),
            (107, "post", "trash"),
            (108, "post", "auto-draft"),
            (109, "post", "publish"),
            (110, "page", "publish"),
            (111, "page", "publish"),
            (201, "attachment", "inherit"),
            (202, "attachment", "inherit"),
            (301, "nav_menu_item", "publish"),
            (401, "revision", "inherit"),
        ]
    );
    let lines: Vec<u64> = items(&records).iter().map(|i| i.line).collect();
    assert_eq!(lines[0], 59);
    assert!(lines.windows(2).all(|w| w[0] < w[1]));

    let story = item(&records, 101);
    assert_eq!(story.title, "River rises after three days of rain");
    assert_eq!(story.link, "https://ledger.example/2024/03/14/river-rises/");
    assert_eq!(story.creator, "ada");
    assert_eq!(story.guid, "https://ledger.example/?p=101");
    assert!(!story.guid_is_permalink);
    assert!(story.is_sticky);
    assert_eq!(story.post_name, "river-rises");
    assert_eq!(story.comment_status, "open");
    assert_eq!(
        story.excerpt,
        "Sandbags on Mill Lane as the river stands two metres high."
    );
    assert!(story.content.starts_with("The river stood two metres"));
    assert!(story.content.ends_with("More pictures tomorrow."));
    assert_eq!(story.published_unix(), Some(1_710_401_400));
    assert_eq!(story.modified_unix(), Some(1_710_410_700));
    assert_eq!(story.meta("_thumbnail_id"), Some("201"));
    let terms: Vec<_> = story
        .terms
        .iter()
        .map(|t| (t.domain.as_str(), t.nicename.as_str(), t.name.as_str()))
        .collect();
    assert_eq!(
        terms,
        vec![
            ("", "", "Local"),
            ("category", "news", "News"),
            ("category", "local", "Local"),
            ("post_tag", "flood", "Flood"),
            ("region", "north-harbour", "Harbour"),
        ]
    );
    assert_eq!(story.terms_in("category").count(), 2);

    let draft = item(&records, 103);
    assert_eq!(draft.post_name, "");
    assert_eq!(draft.post_date, "2024-04-20 10:00:00");
    assert_eq!(draft.published_unix(), None);
    assert_eq!(item(&records, 108).published_unix(), None);
    assert_eq!(item(&records, 105).published_unix(), Some(1_938_060_000));
    assert_eq!(
        item(&records, 107).meta("_wp_trash_meta_status"),
        Some("publish")
    );
    assert!(!item(&records, 102).is_sticky);
}

#[test]
fn full_export_text_is_decoded() {
    let (records, _) = read("full.xml");
    let fair = item(&records, 109);
    assert_eq!(
        fair.title,
        "Ramen, Käsespätzle & more: the food fair \u{2013} \"a feast\""
    );
    assert!(
        fair.content
            .starts_with("屋台のラーメンは一杯八百円でした。\nDie Käsespätzle")
    );
    assert!(fair.content.contains("🍜🧀"));
    // `]]]]><![CDATA[>` is how an export writes `]]>` inside CDATA.
    assert!(fair.content.contains("if (a[b[0]]> 1) { stop(); }</pre>"));
    assert_eq!(fair.excerpt, "Ramen for 800 yen, Spätzle sold out by noon.");
    assert_eq!(
        fair.terms_in("post_tag").nth(1).unwrap().name,
        "Street party 🎉"
    );
    // CDATA content is kept exactly, spaces and all.
    assert_eq!(item(&records, 301).content, " ");
}

#[test]
fn full_export_comments() {
    let (records, _) = read("full.xml");
    let comments = &item(&records, 101).comments;
    let shape: Vec<_> = comments
        .iter()
        .map(|c| {
            (
                c.id,
                c.parent,
                c.approved.as_str(),
                c.comment_type.as_str(),
                c.user_id,
            )
        })
        .collect();
    assert_eq!(
        shape,
        vec![
            (1, 0, "1", "comment", 0),
            (2, 1, "1", "comment", 1),
            (3, 2, "1", "comment", 0),
            (4, 0, "0", "comment", 0),
            (5, 0, "spam", "comment", 0),
            (6, 0, "trash", "comment", 0),
            (7, 0, "1", "pingback", 0),
        ]
    );
    let reply = &comments[1];
    assert_eq!(reply.author, "Ada Quill");
    assert_eq!(reply.author_email, "ada@ledger.example");
    assert_eq!(reply.author_url, "https://ledger.example");
    assert_eq!(reply.author_ip, "198.51.100.7");
    assert_eq!(reply.date, "2024-03-14 08:15:00");
    assert_eq!(reply.date_unix(), Some(1_710_404_100));
    assert_eq!(reply.meta[0].key, "akismet_result");
    assert_eq!(reply.meta[0].value, "false");
    assert_eq!(
        comments[2].content,
        "Will do &mdash; it's still <em>rising</em>."
    );
    assert!(item(&records, 102).comments.is_empty());
}

#[test]
fn full_export_attachments_pages_menus_and_revisions() {
    let (records, _) = read("full.xml");
    let flood = item(&records, 201);
    assert_eq!(
        flood.attachment_url,
        "https://ledger.example/wp-content/uploads/2024/03/flood.jpg"
    );
    assert_eq!(flood.post_parent, 101);
    assert_eq!(flood.excerpt, "Main Street at noon.");
    assert_eq!(
        flood.meta("_wp_attachment_image_alt"),
        Some("Water covers Main Street")
    );
    assert!(
        flood
            .meta("_wp_attachment_metadata")
            .unwrap()
            .starts_with("a:4:{s:5:\"width\";i:1200;")
    );

    let contact = item(&records, 111);
    assert_eq!((contact.post_parent, contact.menu_order), (110, 2));
    assert_eq!(
        item(&records, 110).meta("_wp_page_template"),
        Some("default")
    );

    let menu_entry = item(&records, 301);
    assert_eq!(
        menu_entry.terms_in("nav_menu").next().unwrap().nicename,
        "main-menu"
    );
    assert_eq!(menu_entry.meta("_menu_item_object_id"), Some("110"));
    assert_eq!(menu_entry.meta("_menu_item_url"), Some(""));

    let revision = item(&records, 401);
    assert_eq!(revision.post_parent, 101);
    assert_eq!(revision.post_name, "101-revision-v1");
}

/// The attachments of an export as the importer will know them: alt text
/// from `_wp_attachment_image_alt`, caption from the excerpt.
struct ExportAttachments(HashMap<i64, (i64, AttachmentInfo)>);

impl ExportAttachments {
    fn from(records: &[Record]) -> Self {
        let mut map = HashMap::new();
        for item in items(records) {
            if item.post_type == "attachment" {
                let info = AttachmentInfo {
                    id: item.post_id,
                    url: item.attachment_url.clone(),
                    alt: item
                        .meta("_wp_attachment_image_alt")
                        .unwrap_or("")
                        .to_owned(),
                    caption: item.excerpt.clone(),
                };
                map.insert(item.post_id, (item.post_parent, info));
            }
        }
        ExportAttachments(map)
    }
}

impl Attachments for ExportAttachments {
    fn attachment(&self, id: i64) -> Option<AttachmentInfo> {
        self.0.get(&id).map(|(_, a)| a.clone())
    }

    fn children(&self, post_id: i64) -> Vec<AttachmentInfo> {
        let mut children: Vec<_> = self
            .0
            .values()
            .filter(|(parent, _)| *parent == post_id)
            .map(|(_, a)| a.clone())
            .collect();
        children.sort_by_key(|a| a.id);
        children
    }
}

#[test]
fn full_export_bodies_convert() {
    let (records, _) = read("full.xml");
    let library = ExportAttachments::from(&records);

    let fair = item(&records, 109);
    let c = convert(&fair.content, fair.post_id, &library);
    assert!(
        c.html
            .starts_with("<p>屋台のラーメンは一杯八百円でした。<br>\nDie Käsespätzle")
    );
    assert!(c.html.contains(
        "<figure class=\"gallery columns-3\"><figure><img src=\"https://ledger.example/wp-content/uploads/2024/03/flood.jpg\" alt=\"Water covers Main Street\"><figcaption>Main Street at noon.</figcaption></figure><figure><img src=\"http://ledger.example/wp-content/uploads/2024/04/ramen.jpg\" alt=\"A bowl of ramen with an egg\"><figcaption>ラーメン、八百円</figcaption></figure></figure>"
    ));
    assert!(c.html.contains("<audio controls><source src=\"https://ledger.example/wp-content/uploads/2024/04/fair.mp3\" type=\"audio/mpeg\"><source src=\"https://ledger.example/wp-content/uploads/2024/04/fair.ogg\" type=\"audio/ogg\"></audio>"));
    assert!(c.html.contains("<video controls width=\"640\" height=\"360\" src=\"https://ledger.example/wp-content/uploads/2024/04/fair.mp4\"></video>"));
    assert!(
        c.html
            .contains("<p>To show a gallery in WordPress one writes [gallery].</p>")
    );
    assert!(
        c.html
            .contains("<pre>[gallery ids=\"1\"]\nif (a[b[0]]> 1) { stop(); }</pre>")
    );
    assert_eq!(c.unknown_shortcodes, vec!["playlist", "contact-form-7"]);
    assert_eq!(c.links.len(), 5);

    let story = item(&records, 101);
    let c = convert(&story.content, story.post_id, &library);
    assert!(c.html.starts_with("<p>The river stood two metres above its usual level on Thursday morning.<br>\nSandbags lined Mill Lane by dawn.</p>\n<figure class=\"alignright\"><a href=\"https://ledger.example/wp-content/uploads/2024/03/flood.jpg\"><img "));
    assert!(
        c.html
            .contains("<figcaption>Main Street at noon.</figcaption></figure>")
    );
    assert!(c.html.contains("<p><a href=\"https://www.youtube.com/watch?v=r1ver&amp;t=42\">https://www.youtube.com/watch?v=r1ver&amp;t=42</a></p>"));
    assert!(c.html.contains(
        "<p><a href=\"https://vimeo.com/ledger/river\">https://vimeo.com/ledger/river</a></p>"
    ));
    assert_eq!(
        c.links,
        vec![
            "https://ledger.example/wp-content/uploads/2024/03/flood.jpg",
            "https://ledger.example/wp-content/uploads/2024/03/flood-300x200.jpg",
            "https://county.example/flood-warnings",
            "https://www.youtube.com/watch?v=r1ver&t=42",
            "https://vimeo.com/ledger/river",
        ]
    );

    let budget = item(&records, 102);
    let c = convert(&budget.content, budget.post_id, &library);
    assert!(!c.html.contains("wp:"));
    assert!(
        c.html
            .starts_with("<p>The council voted 7 to 2 for the repairs.</p>\n\n<h3")
    );
    assert!(
        c.html
            .contains("<p><a href=\"https://www.youtube.com/watch?v=c0unc1l\">")
    );
}

#[test]
fn wxr_1_0_export() {
    let (records, channel) = read("wxr-1.0.xml");
    assert_eq!(channel.unwrap().wxr_version, "1.0");
    let Record::Category(beans) = &records[1] else {
        panic!()
    };
    assert_eq!(beans.term_id, None);
    assert_eq!(beans.parent, "vegetables");
    let post = item(&records, 4);
    // WXR 1.0 files tags under "tag", and repeats terms without nicenames.
    let terms: Vec<_> = post
        .terms
        .iter()
        .map(|t| (t.domain.as_str(), t.nicename.as_str()))
        .collect();
    assert_eq!(
        terms,
        vec![
            ("", ""),
            ("category", "beans"),
            ("tag", ""),
            ("tag", "runner")
        ]
    );
    assert_eq!(post.comments[0].comment_type, "");
    assert_eq!(post.published_unix(), Some(1_287_583_700));
}

#[test]
fn lenient_export_reads_with_warnings() {
    let (records, channel) = read("lenient.xml");
    let channel = channel.unwrap();
    let photo = item(&records, 7);
    assert_eq!(
        photo.attachment_url,
        "https://images.example/photo-1?ixlib=rb-1.2.1&w=1200&q=80"
    );
    assert_eq!(photo.title, "Sunrise over the weir&nbsp;(remote image)");
    assert_eq!(photo.terms[0].nicename, "sun&moon");
    let places: Vec<_> = channel
        .warnings
        .iter()
        .map(|w| (w.line, w.column))
        .collect();
    assert_eq!(places, vec![(13, 31), (14, 3), (18, 67), (18, 74)]);
    assert!(channel.warnings[0].message.contains("&nbsp;"));
    assert!(channel.warnings[1].message.contains("bare &"));
}

fn syntax_error(result: Result<Channel, ReadError>) -> (u64, u64, String) {
    match result {
        Err(ReadError::Syntax {
            line,
            column,
            message,
        }) => (line, column, message),
        other => panic!("expected a syntax error, got {other:?}"),
    }
}

#[test]
fn truncated_export_fails_where_it_stops() {
    let (records, result) = read("truncated.xml");
    // The complete item came through before the error.
    assert_eq!(items(&records).len(), 1);
    let (line, column, message) = syntax_error(result);
    assert_eq!((line, column), (20, 20));
    assert!(message.contains("cut short"), "{message}");
}

#[test]
fn mismatched_tag_is_named() {
    let (_, result) = read("mismatched.xml");
    let (line, column, message) = syntax_error(result);
    assert_eq!((line, column), (16, 16));
    assert!(message.contains("</wp:title>"), "{message}");
    assert!(message.contains("<title>"), "{message}");
}

#[test]
fn files_that_are_not_exports() {
    let (records, result) = read("not-xml.txt");
    assert!(records.is_empty());
    assert_eq!(syntax_error(result).0, 1);

    let (_, result) = read("empty.xml");
    let (line, column, message) = syntax_error(result);
    assert_eq!((line, column), (1, 1));
    assert!(message.contains("empty"), "{message}");

    let (records, result) = read("rss-feed.xml");
    assert!(records.is_empty());
    assert!(
        matches!(result, Err(ReadError::NotWxr { line: 14, .. })),
        "{result:?}"
    );
}

/// An export cut anywhere, or with bytes changed anywhere, is read or
/// refused with a place inside the file; never a panic.
#[test]
fn damaged_exports_fail_cleanly() {
    let full = std::fs::read(fixture("full.xml")).unwrap();
    let lines = full.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    let check = |bytes: &[u8]| {
        let result = bbn_wxr::read(bytes, |_| Ok::<_, Infallible>(()));
        match result {
            Ok(_) => {}
            Err(
                ReadError::Syntax { line, column, .. } | ReadError::NotWxr { line, column, .. },
            ) => {
                assert!(
                    (1..=lines).contains(&line) && column >= 1,
                    "{line}:{column}"
                );
            }
            Err(e) => panic!("{e}"),
        }
    };
    for cut in (0..full.len()).step_by(89) {
        check(&full[..cut]);
    }
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    for _ in 0..200 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let at = (state % full.len() as u64) as usize;
        let replacement = [b'<', b'&', b']', b'>', 0, 0xFF, b'"', b'/'][(state >> 40) as usize % 8];
        let mut damaged = full.clone();
        damaged[at] = replacement;
        check(&damaged);
    }
}
