use super::*;

fn frame(address: &str) -> String {
    recognize(address, &[])
        .unwrap_or_else(|| panic!("{address} is an embed"))
        .frame
}

fn provider(address: &str) -> &'static str {
    recognize(address, &[]).map_or("none", |e| e.provider.key())
}

#[test]
fn each_provider_knows_its_frame_from_the_address_alone() {
    for (address, expected) in [
        (
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1",
        ),
        (
            "https://youtu.be/dQw4w9WgXcQ?t=1m30s",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1&start=90",
        ),
        (
            "https://m.youtube.com/shorts/dQw4w9WgXcQ",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1",
        ),
        (
            "https://vimeo.com/76979871",
            "https://player.vimeo.com/video/76979871?dnt=1&autoplay=1",
        ),
        (
            "https://x.com/NASA/status/1712345678901234567",
            "https://platform.twitter.com/embed/Tweet.html?id=1712345678901234567&dnt=true",
        ),
        (
            "https://twitter.com/BBCBreaking/status/123?s=20",
            "https://platform.twitter.com/embed/Tweet.html?id=123&dnt=true",
        ),
        (
            "https://www.instagram.com/p/CxYz123AbC/",
            "https://www.instagram.com/p/CxYz123AbC/embed/",
        ),
        (
            "https://www.instagram.com/reel/Cabc_12-3/?igsh=x",
            "https://www.instagram.com/reel/Cabc_12-3/embed/",
        ),
        (
            "https://www.facebook.com/bbcnews/videos/123456789/",
            "https://www.facebook.com/plugins/video.php?href=https%3A%2F%2Fwww.facebook.com%2Fbbcnews%2Fvideos%2F123456789%2F",
        ),
        (
            "https://www.tiktok.com/@bbcnews/video/7301234567890123456",
            "https://www.tiktok.com/embed/v2/7301234567890123456",
        ),
        (
            "https://bsky.app/profile/bsky.app/post/3l6oveex3ii2l",
            "https://embed.bsky.app/embed/bsky.app/app.bsky.feed.post/3l6oveex3ii2l",
        ),
        (
            "https://www.threads.net/@bbcnews/post/C8abc-12_x",
            "https://www.threads.net/@bbcnews/post/C8abc-12_x/embed",
        ),
        (
            "https://www.reddit.com/r/worldnews/comments/1abcde/a_title/",
            "https://embed.reddit.com/r/worldnews/comments/1abcde/a_title/",
        ),
        (
            "https://soundcloud.com/bbc-radio/the-news",
            "https://w.soundcloud.com/player/?url=https%3A%2F%2Fsoundcloud.com%2Fbbc-radio%2Fthe-news&auto_play=true",
        ),
        (
            "https://open.spotify.com/intl-de/episode/4rOoJ6Egrf8K2IrywzwOMk?si=x",
            "https://open.spotify.com/embed/episode/4rOoJ6Egrf8K2IrywzwOMk",
        ),
        (
            "https://podcasts.apple.com/gb/podcast/global-news-podcast/id135067274?i=1000651234567",
            "https://embed.podcasts.apple.com/gb/podcast/global-news-podcast/id135067274?i=1000651234567",
        ),
        (
            "https://www.google.com/maps/place/Pyongyang",
            "https://maps.google.com/maps?q=Pyongyang&output=embed",
        ),
        (
            "https://www.google.com/maps/embed?pb=!1m18!1m12",
            "https://www.google.com/maps/embed?pb=!1m18!1m12",
        ),
        (
            "https://datawrapper.dwcdn.net/AbC12/3/",
            "https://datawrapper.dwcdn.net/AbC12/",
        ),
        (
            "https://www.datawrapper.de/_/AbC12/",
            "https://datawrapper.dwcdn.net/AbC12/",
        ),
        (
            "https://public.flourish.studio/visualisation/1234567/",
            "https://flo.uri.sh/visualisation/1234567/embed",
        ),
        (
            "https://www.documentcloud.org/documents/24123456-the-report",
            "https://embed.documentcloud.org/documents/24123456-the-report/",
        ),
        (
            "https://www.scribd.com/document/123456/A-Report",
            "https://www.scribd.com/embeds/123456/content",
        ),
        (
            "https://mastodon.social/@Gargron/111111111111111111",
            "https://mastodon.social/@Gargron/111111111111111111/embed",
        ),
    ] {
        assert_eq!(frame(address), expected, "{address}");
    }
}

#[test]
fn the_facade_names_the_provider_and_what_the_reader_will_do() {
    let e = recognize("https://youtu.be/dQw4w9WgXcQ", &[]).unwrap();
    assert_eq!(
        (e.provider.name(), e.provider.verb()),
        ("YouTube".to_string(), "Play")
    );
    assert_eq!(e.frame_host(), "www.youtube-nocookie.com");
    let m = recognize("https://mastodon.social/@Gargron/1", &[]).unwrap();
    assert_eq!(
        (m.provider.name(), m.provider.verb()),
        ("Mastodon (mastodon.social)".to_string(), "Show")
    );
    assert_eq!(
        frame_hosts([&e, &m, &e]),
        vec![
            "mastodon.social".to_string(),
            "www.youtube-nocookie.com".to_string()
        ]
    );
}

#[test]
fn what_is_not_an_embed_stays_a_link() {
    for address in [
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "https://www.youtube.com/watch?v=short",
        "https://www.youtube.com/watch?v=dQw4w9WgXc%22",
        "https://www.youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
        "https://evil.example/youtube.com/watch?v=dQw4w9WgXcQ",
        "https://vimeo.com/channels/staffpicks",
        "https://x.com/NASA",
        "https://x.com/NASA/status/12ab",
        "https://www.instagram.com/bbcnews/",
        "https://www.facebook.com/bbcnews",
        "https://open.spotify.com/user/bbc",
        "https://www.google.com/search?q=maps",
        "http://mastodon.social/@Gargron/1",
        "https://example.org/@user/not-digits",
        "ftp://youtu.be/dQw4w9WgXcQ",
        "not a url",
        "",
    ] {
        assert_eq!(provider(address), "none", "{address}");
    }
    let long = format!("https://youtu.be/dQw4w9WgXcQ?x={}", "a".repeat(MAX_URL));
    assert_eq!(provider(&long), "none");
}

#[test]
fn an_allowed_host_is_framed_as_it_is_over_https_only() {
    let allowed = vec!["interactive.example.org".to_string()];
    let e = recognize(
        "https://Interactive.Example.org/elections/map?x=1",
        &allowed,
    )
    .unwrap();
    assert_eq!(
        (e.provider.key(), e.frame.as_str()),
        (
            "iframe",
            "https://interactive.example.org/elections/map?x=1"
        )
    );
    assert!(recognize("http://interactive.example.org/map", &allowed).is_none());
    assert!(recognize("https://other.example.org/map", &allowed).is_none());
}

#[test]
fn an_embed_is_stored_as_a_figure_with_its_frame_and_a_link_for_everyone_else() {
    use crate::BodyFormat;
    let doc = r#"{"type":"doc","content":[{"type":"embed","attrs":{"url":"https://youtu.be/dQw4w9WgXcQ","title":"The minister's speech <live>"}},{"type":"embed","attrs":{"url":"https://example.org/not-a-provider","title":""}}]}"#;
    let html = BodyFormat::Document.render(doc);
    assert!(
        html.contains(r#"<figure class="embed" data-provider="youtube" data-embed="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1">"#),
        "{html}"
    );
    assert!(html.contains(r#"<a href="https://youtu.be/dQw4w9WgXcQ" rel="noopener">The minister's speech &lt;live&gt;</a> <span class="embed-provider">YouTube</span>"#), "{html}");
    assert!(html.contains(r#"<p><a href="https://example.org/not-a-provider" rel="noopener">https://example.org/not-a-provider</a></p>"#), "an address no provider takes is a link: {html}");
    assert_eq!(
        BodyFormat::Document.plain_text(doc).lines().next(),
        Some("The minister's speech <live>")
    );

    // Read back into a document as the editor would (the live editor's seed).
    let back = crate::document::from_html(&html);
    let embed = back
        .content
        .iter()
        .find(|n| n.kind == "embed")
        .expect("an embed node");
    assert_eq!(embed.attrs["url"], "https://youtu.be/dQw4w9WgXcQ");
    assert_eq!(embed.attrs["title"], "The minister's speech <live>");
}

#[test]
fn a_written_figure_cannot_make_a_frame_of_a_script() {
    use crate::markdown::sanitize;
    for (frame, kept) in [
        ("javascript:alert(1)", false),
        ("data:text/html,x", false),
        ("http://plain.example/x", false),
        ("https://ok.example/frame", true),
        ("https://ok.example/a b", false),
    ] {
        let html = sanitize(&format!(
            r#"<figure class="embed" data-provider="x" data-embed="{frame}"><figcaption>x</figcaption></figure>"#
        ));
        assert_eq!(html.contains("data-embed"), kept, "{frame}: {html}");
    }
    let html = sanitize(r#"<figure data-provider="X&quot;onload"></figure>"#);
    assert!(!html.contains("data-provider"), "{html}");
}

#[test]
fn a_page_opens_its_frames_to_exactly_the_providers_it_shows() {
    let html = crate::BodyFormat::Document.render(
        r#"{"type":"doc","content":[{"type":"embed","attrs":{"url":"https://youtu.be/dQw4w9WgXcQ","title":""}},{"type":"embed","attrs":{"url":"https://x.com/a/status/1","title":""}},{"type":"embed","attrs":{"url":"https://youtu.be/aaaaaaaaaaa","title":""}}]}"#,
    );
    assert_eq!(
        frame_hosts_in_html(&html, &[]),
        vec![
            "platform.twitter.com".to_string(),
            "www.youtube-nocookie.com".to_string()
        ]
    );
    // A figure written by hand with another frame opens nothing.
    let written = crate::markdown::sanitize(
        r#"<figure class="embed" data-provider="youtube" data-embed="https://evil.example/x"></figure>"#,
    );
    assert!(written.contains("data-embed"), "{written}");
    assert!(frame_hosts_in_html(&written, &[]).is_empty());
    assert_eq!(
        frame_hosts_in_html(&written, &["evil.example".to_string()]),
        vec!["evil.example".to_string()],
        "unless an admin allowed it"
    );
    assert_eq!(
        frame_host_allowed("https://mastodon.social/@Gargron/1/embed", &[]).as_deref(),
        Some("mastodon.social")
    );
    assert_eq!(
        frame_host_allowed("https://mastodon.social/@Gargron/1", &[]),
        None
    );
    assert!(frame_hosts_in_html("<p>No embeds.</p>", &[]).is_empty());
}

#[test]
fn imported_lone_addresses_become_embeds_when_a_provider_takes_them() {
    let html = "<p>Watch:</p>\n<p><a href=\"https://www.youtube.com/watch?v=dQw4w9WgXcQ&amp;t=1\">https://www.youtube.com/watch?v=dQw4w9WgXcQ&amp;t=1</a></p>\n<p><a href=\"https://wordpress.tv/2009/x/\">https://wordpress.tv/2009/x/</a></p><p><a href=\"https://x.com/a/status/1\">words</a></p>";
    let (out, made) = links_to_embeds(html);
    assert_eq!(made, 1);
    assert!(out.starts_with("<p>Watch:</p>\n<figure class=\"embed\" data-provider=\"youtube\" data-embed=\"https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1&amp;start=1\">"), "{out}");
    assert!(
        out.contains("<p><a href=\"https://wordpress.tv/2009/x/\">"),
        "an address no provider takes stays a link"
    );
    assert!(
        out.ends_with("<p><a href=\"https://x.com/a/status/1\">words</a></p>"),
        "a link with words of its own stays a link"
    );
    assert_eq!(links_to_embeds("<p><a href=\"").0, "<p><a href=\"");
}
