use super::*;
use std::time::Instant;

/// Attachments 1 to 9; even ones have captions. Post 100's children are
/// 4, 5 and 6.
struct Library;

impl Attachments for Library {
    fn attachment(&self, id: i64) -> Option<AttachmentInfo> {
        (1..10).contains(&id).then(|| AttachmentInfo {
            id,
            url: format!("https://old.example/wp-content/uploads/{id}.jpg"),
            alt: format!("Picture {id}"),
            caption: if id % 2 == 0 {
                format!("Caption {id}")
            } else {
                String::new()
            },
        })
    }

    fn children(&self, post_id: i64) -> Vec<AttachmentInfo> {
        match post_id {
            100 => (4..7).filter_map(|id| self.attachment(id)).collect(),
            _ => Vec::new(),
        }
    }
}

fn html(content: &str) -> String {
    convert(content, 100, &Library).html
}

fn unknown(content: &str) -> Vec<String> {
    convert(content, 100, &Library).unknown_shortcodes
}

#[test]
fn classic_bodies_get_paragraphs_and_line_breaks() {
    assert_eq!(
        html("One\ntwo\n\n\nThree <em>x</em>.\r\n\r\nFour"),
        "<p>One<br>\ntwo</p>\n<p>Three <em>x</em>.</p>\n<p>Four</p>"
    );
    // A line break after <br> adds no second one.
    assert_eq!(html("a<br />\nb"), "<p>a<br />\nb</p>");
    assert_eq!(html(""), "");
    assert_eq!(html(" \n\n "), "");
}

#[test]
fn block_elements_are_neither_wrapped_nor_touched_inside() {
    let body = "Intro\n<div class=\"box\">\none\n\ntwo\n</div>\n<ul>\n<li>a\nb</li>\n</ul>\n<h2>Head</h2>\nAfter\n<hr>\n<blockquote>q\n\nq</blockquote>\n<table><tr><td>c\n\nd</td></tr></table>";
    assert_eq!(
        html(body),
        "<p>Intro</p>\n<div class=\"box\">\none\n\ntwo\n</div>\n<ul>\n<li>a\nb</li>\n</ul>\n<h2>Head</h2>\n<p>After</p>\n<hr>\n<blockquote>q\n\nq</blockquote>\n<table><tr><td>c\n\nd</td></tr></table>"
    );
    let pre = "<pre class=\"x\">line\n\n  [gallery]\nhttps://a.example/\n</pre>";
    assert_eq!(
        html(&format!("Text\n{pre}\nMore")),
        format!("<p>Text</p>\n{pre}\n<p>More</p>")
    );
    assert_eq!(
        html("<iframe src=\"https://v.example/\"></iframe>\n<video src=\"/v.mp4\"></video>"),
        "<iframe src=\"https://v.example/\"></iframe>\n<video src=\"/v.mp4\"></video>"
    );
}

#[test]
fn paragraphs_never_cut_an_inline_element_in_two() {
    assert_eq!(
        html("<strong>one\n\ntwo</strong>"),
        "<p><strong>one<br>\n<br>\ntwo</strong></p>"
    );
    // A block inside a link: the paragraph is left unwrapped.
    assert_eq!(
        html("<a href=\"/x\"><div>card</div></a>"),
        "<a href=\"/x\"><div>card</div></a>"
    );
}

#[test]
fn stray_paragraph_tags_mark_paragraph_ends() {
    assert_eq!(html("<p>one\ntwo"), "<p>one<br>\ntwo</p>");
    assert_eq!(html("one</p>two"), "<p>one</p>\n<p>two</p>");
}

#[test]
fn block_editor_bodies_lose_their_comments_and_get_no_paragraphs() {
    let body = "<!-- wp:paragraph -->\n<p>Hello</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:image {\"id\":5,\"sizeSlug\":\"large\"} -->\n<figure class=\"wp-block-image\"><img src=\"/a.jpg\" alt=\"\"/></figure>\n<!-- /wp:image -->\n\n<!-- wp:separator /-->\n<hr class=\"wp-block-separator\"/>\nloose text\n\n<!--more-->";
    assert_eq!(
        html(body),
        "<p>Hello</p>\n\n<figure class=\"wp-block-image\"><img src=\"/a.jpg\" alt=\"\"/></figure>\n\n<hr class=\"wp-block-separator\"/>\nloose text\n\n<!--more-->"
    );
    // Comments not at a line start go, the text around them stays.
    assert_eq!(html("a<!-- wp:x /-->b<!--  /wp:y -->"), "ab");
}

#[test]
fn block_editor_embeds_become_links() {
    let body = "<!-- wp:embed {\"url\":\"https://youtu.be/abc\"} -->\n<figure class=\"wp-block-embed\"><div class=\"wp-block-embed__wrapper\">\nhttps://youtu.be/abc\n</div></figure>\n<!-- /wp:embed -->";
    assert_eq!(
        html(body),
        "<figure class=\"wp-block-embed\"><div class=\"wp-block-embed__wrapper\">\n<p><a href=\"https://youtu.be/abc\">https://youtu.be/abc</a></p>\n</div></figure>"
    );
}

#[test]
fn captions_become_figures() {
    let img = "<img class=\"size-medium wp-image-5\" src=\"/c.jpg\" alt=\"A cat\" width=\"300\" height=\"200\" />";
    assert_eq!(
        html(&format!(
            "[caption id=\"attachment_5\" align=\"alignright\" width=\"300\"]{img} The <em>cat</em>.[/caption]"
        )),
        format!(
            "<figure class=\"alignright\">{img}<figcaption>The <em>cat</em>.</figcaption></figure>"
        )
    );
    assert_eq!(
        html(&format!(
            "[wp_caption]<a href=\"/big.jpg\">{img}</a>\nLinked[/wp_caption]"
        )),
        format!("<figure><a href=\"/big.jpg\">{img}</a><figcaption>Linked</figcaption></figure>")
    );
    // Older exports: the caption in an attribute.
    assert_eq!(
        html(&format!(
            "[caption id=\"attachment_5\" caption=\"Said &quot;hi&quot;\"]{img}[/caption]"
        )),
        format!("<figure>{img}<figcaption>Said \"hi\"</figcaption></figure>")
    );
    // No caption text: a figure all the same.
    assert_eq!(
        html(&format!("[caption]{img}[/caption]")),
        format!("<figure>{img}</figure>")
    );
    // No image: the content as it is.
    assert_eq!(html("[caption]just words[/caption]"), "<p>just words</p>");
    // Captions in a paragraph's text are figures of their own.
    assert_eq!(
        html(&format!("Before [caption]{img} C[/caption] after")),
        format!("<p>Before</p>\n<figure>{img}<figcaption>C</figcaption></figure>\n<p>after</p>")
    );
}

#[test]
fn a_caption_never_closed_is_left_as_written() {
    let c = convert("[caption id=\"x\"]<img src=\"/a.jpg\"> Lost", 1, &Library);
    assert_eq!(c.html, "<p>[caption id=\"x\"]<img src=\"/a.jpg\"> Lost</p>");
    assert_eq!(c.unknown_shortcodes, vec!["caption"]);
}

#[test]
fn galleries_show_the_attachments_bbn_knows() {
    let figure = |id: i64| {
        let caption = if id % 2 == 0 {
            format!("<figcaption>Caption {id}</figcaption>")
        } else {
            String::new()
        };
        format!(
            "<figure><img src=\"https://old.example/wp-content/uploads/{id}.jpg\" alt=\"Picture {id}\">{caption}</figure>"
        )
    };
    let gallery = |ids: &[i64], columns: u8| {
        let figures: String = ids.iter().map(|&id| figure(id)).collect();
        format!("<figure class=\"gallery columns-{columns}\">{figures}</figure>")
    };
    assert_eq!(html("[gallery ids=\"3,2,42,1\"]"), gallery(&[3, 2, 1], 3));
    assert_eq!(html("[gallery include='7, 8']"), gallery(&[7, 8], 3));
    assert_eq!(html("[gallery]"), gallery(&[4, 5, 6], 3));
    assert_eq!(
        html("[gallery columns=\"2\" exclude=\"5\"]"),
        gallery(&[4, 6], 2)
    );
    assert_eq!(html("[gallery columns=\"12\"]"), gallery(&[4, 5, 6], 3));
    assert_eq!(html("[gallery id=\"7\"]"), "");
    assert_eq!(html("[gallery ids=\"41,42\"]"), "");
    assert_eq!(convert("[gallery]", 7, &NoAttachments).html, "");
    assert!(unknown("[gallery ids=\"41\"]").is_empty());
}

#[test]
fn gallery_text_is_escaped() {
    struct Odd;
    impl Attachments for Odd {
        fn attachment(&self, id: i64) -> Option<AttachmentInfo> {
            Some(AttachmentInfo {
                id,
                url: "/a.jpg?x=1&y=\"2\"><script>".into(),
                alt: "Tom & \"Jerry\" <3".into(),
                caption: "<b>not bold</b>".into(),
            })
        }
        fn children(&self, _: i64) -> Vec<AttachmentInfo> {
            Vec::new()
        }
    }
    let c = convert("[gallery ids=\"1\"]", 1, &Odd);
    assert_eq!(
        c.html,
        "<figure class=\"gallery columns-3\"><figure><img src=\"/a.jpg?x=1&amp;y=&quot;2&quot;&gt;&lt;script&gt;\" alt=\"Tom &amp; &quot;Jerry&quot; &lt;3\"><figcaption>&lt;b&gt;not bold&lt;/b&gt;</figcaption></figure></figure>"
    );
    assert_eq!(c.links, vec!["/a.jpg?x=1&y=\"2\"><script>"]);
}

#[test]
fn embeds_and_lone_addresses_become_links() {
    let link = |u: &str| format!("<p><a href=\"{u}\">{u}</a></p>");
    assert_eq!(
        html("[embed]https://vimeo.com/1[/embed]"),
        link("https://vimeo.com/1")
    );
    assert_eq!(
        html("[embed width=\"640\" height=\"360\"] https://vimeo.com/2 [/embed]"),
        link("https://vimeo.com/2")
    );
    assert_eq!(
        html("Watch:\nhttps://www.youtube.com/watch?v=x&t=1\n\nThen"),
        format!(
            "<p>Watch:</p>\n{}\n<p>Then</p>",
            link("https://www.youtube.com/watch?v=x&amp;t=1")
        )
    );
    assert_eq!(html("  http://a.example/x  "), link("http://a.example/x"));
    // Not alone on its line, inside a link, or not http(s): left alone.
    assert_eq!(
        html("See https://a.example/ now"),
        "<p>See https://a.example/ now</p>"
    );
    assert_eq!(
        html("<a href=\"/x\">\nhttps://a.example/\n</a>"),
        "<p><a href=\"/x\"><br>\nhttps://a.example/<br>\n</a></p>"
    );
    assert_eq!(html("ftp://a.example/"), "<p>ftp://a.example/</p>");
    assert_eq!(html("https://"), "<p>https://</p>");
    // An embed of nothing, or of words, is left as written.
    let c = convert("[embed]not a url[/embed] [embed]", 1, &Library);
    assert_eq!(c.html, "<p>[embed]not a url[/embed] [embed]</p>");
    assert_eq!(c.unknown_shortcodes, vec!["embed"]);
}

#[test]
fn audio_and_video_become_players() {
    assert_eq!(
        html("[audio src=\"/a.mp3\"]"),
        "<audio controls src=\"/a.mp3\"></audio>"
    );
    assert_eq!(
        html("[audio mp3=\"/a.mp3\" ogg='/a.ogg' src=\"/a.mp3\"][/audio]"),
        "<audio controls><source src=\"/a.mp3\"><source src=\"/a.ogg\" type=\"audio/ogg\"></audio>"
    );
    assert_eq!(
        html(
            "[video width=\"640\" height=\"360\" mp4=\"/v.mp4\" poster=\"/p.jpg?a&amp;b\"]fallback[/video]"
        ),
        "<video controls width=\"640\" height=\"360\" poster=\"/p.jpg?a&amp;b\" src=\"/v.mp4\"></video>"
    );
    assert_eq!(
        html("[video webm=\"/v.webm\" ogv=\"/v.ogv\" width=\"100%\"]"),
        "<video controls><source src=\"/v.webm\" type=\"video/webm\"><source src=\"/v.ogv\" type=\"video/ogg\"></video>"
    );
    assert_eq!(
        html("[video src='/x.mp4\"><script>']"),
        "<video controls src=\"/x.mp4&quot;&gt;&lt;script&gt;\"></video>"
    );
    assert_eq!(
        html("[audio https://a.example/a.mp3]"),
        "<audio controls src=\"https://a.example/a.mp3\"></audio>"
    );
    let c = convert("[audio] [playlist ids=\"1,2\"]", 1, &Library);
    assert_eq!(c.html, "<p>[audio] [playlist ids=\"1,2\"]</p>");
    assert_eq!(c.unknown_shortcodes, vec!["audio", "playlist"]);
}

#[test]
fn unknown_shortcodes_stay_as_written_and_are_named_once() {
    let body = "[contact-form-7 id=\"9\" title=\"Contact\"]\n\n[tabs][tab title=\"A\"][caption]<img src=\"/a.jpg\"> In a tab[/caption][/tab][/tabs]\n\n[contact-form-7 id=\"10\"] [su_note]x[/su_note]";
    let c = convert(body, 1, &Library);
    assert_eq!(
        c.html,
        "<p>[contact-form-7 id=\"9\" title=\"Contact\"]</p>\n<p>[tabs][tab title=\"A\"]</p>\n<figure><img src=\"/a.jpg\"><figcaption>In a tab</figcaption></figure>\n<p>[/tab][/tabs]</p>\n<p>[contact-form-7 id=\"10\"] [su_note]x[/su_note]</p>"
    );
    assert_eq!(
        c.unknown_shortcodes,
        vec!["contact-form-7", "tabs", "tab", "su_note"]
    );
}

#[test]
fn brackets_that_are_not_shortcodes() {
    for text in [
        "[1]",
        "[ ]",
        "[]",
        "[note: see below]",
        "a[",
        "[[",
        "]]",
        "[/gallery]",
        "x [2, 3] y",
        "[é]",
    ] {
        let c = convert(text, 1, &Library);
        assert_eq!(c.html, format!("<p>{text}</p>"), "{text}");
        assert!(c.unknown_shortcodes.is_empty(), "{text}");
    }
    // Inside code, tags and comments nothing is read.
    let c = convert(
        "<code>[gallery] [foo]</code> <a title=\"[bar]\" href=\"/x\">x</a> <!-- [baz] -->",
        1,
        &Library,
    );
    assert_eq!(
        c.html,
        "<p><code>[gallery] [foo]</code> <a title=\"[bar]\" href=\"/x\">x</a> <!-- [baz] --></p>"
    );
    assert!(c.unknown_shortcodes.is_empty());
}

#[test]
fn doubled_brackets_escape_a_shortcode() {
    let c = convert(
        "Write [[gallery]] or [[caption]x[/caption]] or [[foo bar=1]].",
        1,
        &Library,
    );
    assert_eq!(
        c.html,
        "<p>Write [gallery] or [caption]x[/caption] or [foo bar=1].</p>"
    );
    assert!(c.unknown_shortcodes.is_empty());
    // `[[` without the closing `]]` is a bracket and a shortcode.
    assert_eq!(
        html("[[embed]https://a.example/[/embed]"),
        "<p>[</p>\n<p><a href=\"https://a.example/\">https://a.example/</a></p>"
    );
}

#[test]
fn text_in_any_script_survives() {
    let body = "日本語の本文です。\n改行。\n\nGrüße aus Köln 👋🏽 [caption]<img src=\"/ö.jpg\" alt=\"Ä\"> Bildunterschrift: „Straße“ 🎉[/caption]\n[ünknown] [emoji😀] [日本]\nhttps://例え.jp/パス";
    let c = convert(body, 1, &Library);
    assert_eq!(
        c.html,
        "<p>日本語の本文です。<br>\n改行。</p>\n<p>Grüße aus Köln 👋🏽</p>\n<figure><img src=\"/ö.jpg\" alt=\"Ä\"><figcaption>Bildunterschrift: „Straße“ 🎉</figcaption></figure>\n<p>[ünknown] [emoji😀] [日本]</p>\n<p><a href=\"https://例え.jp/パス\">https://例え.jp/パス</a></p>"
    );
    assert!(c.unknown_shortcodes.is_empty());
    assert_eq!(c.links, vec!["/ö.jpg", "https://例え.jp/パス"]);
}

#[test]
fn links_list_every_address_in_the_result() {
    let c = convert(
        "<a href=\"https://old.example/a?x=1&amp;y=2\">a</a> <img src=\"https://old.example/wp-content/uploads/a.jpg\" srcset=\"https://old.example/wp-content/uploads/a-300.jpg 300w, https://old.example/wp-content/uploads/a.jpg 600w\">\n[gallery ids=\"2\"]",
        1,
        &Library,
    );
    assert_eq!(
        c.links,
        vec![
            "https://old.example/a?x=1&y=2",
            "https://old.example/wp-content/uploads/a.jpg",
            "https://old.example/wp-content/uploads/a-300.jpg",
            "https://old.example/wp-content/uploads/2.jpg",
        ]
    );
}

/// A small deterministic generator for odd inputs.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn odd_inputs_never_panic() {
    let pieces = [
        "[",
        "]",
        "[[",
        "]]",
        "[caption",
        "[/caption]",
        "[gallery",
        "[embed]",
        "[/embed]",
        "[audio",
        "[video ",
        "/]",
        "=",
        "\"",
        "'",
        "<",
        ">",
        "</",
        "<p>",
        "</p>",
        "<div>",
        "</div>",
        "<pre>",
        "</pre>",
        "<code>",
        "<a href=\"",
        "<img src=x",
        "<!--",
        "-->",
        "<!-- wp:x -->",
        "\n",
        "\n\n",
        " ",
        "https://a.example/",
        "&",
        "&amp;",
        "é",
        "日本",
        "👋🏽",
        "\r",
        "<br>",
        "<strong>",
        "</strong>",
        "x",
        "ids=\"1,2\"",
        "<script>",
        "</script>",
        "<!",
        "<?",
        "[[x]]",
    ];
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    for _ in 0..3000 {
        let len = (rng.next() % 40) as usize;
        let body: String = (0..len)
            .map(|_| pieces[(rng.next() % pieces.len() as u64) as usize])
            .collect();
        convert(&body, 1, &Library);
    }
    // Every prefix of a rich body, cut at each character.
    let rich = "[caption id=\"a\"]<a href=\"/b\"><img src=\"/i.jpg\" alt=\"ä\"></a> Ü 日本[/caption]\n\n<!-- wp:x -->[gallery ids=\"1,2\"]\n<pre>[x]</pre>";
    for (i, _) in rich.char_indices() {
        convert(&rich[..i], 1, &Library);
    }
}

#[test]
fn a_megabyte_body_and_scanner_traps_convert() {
    let paragraph = "Lorem ipsum dolor sit amet, <em>consectetur</em> adipiscing elit [sic] — äöü 日本語.\nSecond line with a <a href=\"https://old.example/x\">link</a>.\n\n";
    let mut body = String::new();
    let mut n = 0;
    while body.len() < 1_000_000 {
        body.push_str(paragraph);
        n += 1;
        if n % 20 == 0 {
            body.push_str("[caption id=\"attachment_2\" width=\"300\"]<img src=\"/a.jpg\" alt=\"a\"> A caption[/caption]\n\n[gallery ids=\"1,2,3\"]\n\nhttps://www.youtube.com/watch?v=abc\n\n<pre>[keep]\n\n</pre>\n");
        }
    }
    let started = Instant::now();
    let c = convert(&body, 1, &Library);
    let took = started.elapsed();
    eprintln!("1 MB body: {took:?}");
    assert!(c.html.starts_with("<p>Lorem"));
    assert_eq!(c.unknown_shortcodes, vec!["sic"]);

    // Inputs built to make a careless scanner quadratic (their times are
    // printed; `bbn-bench moving` is where speed is measured).
    let distinct: String = (0..100_000).map(|i| format!("[[n{i}] [m{i}] ")).collect();
    let started = Instant::now();
    let c = convert(&distinct, 1, &Library);
    let took = started.elapsed();
    eprintln!("distinct names: {took:?}");
    assert_eq!(c.unknown_shortcodes.len(), 200_000);
    for unit in [
        "[a ",
        "<b ",
        "[caption]",
        "<p>x",
        "<div>",
        "[[x]",
        "<a title=\"",
        "\n \n",
        "[embed]",
        "[embed]x ",
        "[audio]",
    ] {
        // Closed once, at the very end.
        let body = unit.repeat(1_000_000 / unit.len()) + "[/embed][/audio]";
        let started = Instant::now();
        convert(&body, 1, &Library);
        let took = started.elapsed();
        eprintln!("{unit:?}: {took:?}");
    }
}
