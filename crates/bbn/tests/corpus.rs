//! Real material through the real binary: every WordPress export in
//! `../shared/testdata/wxr` and the BBC news corpus (`news/bbc`, turned
//! into a WordPress export here, titles and bodies written with character
//! references as WordPress writes them) are imported with `bbn import
//! wordpress`, served with `bbn serve`, and every public page a reader can
//! reach is requested: the home page, every link on every page of the site
//! (articles, sections, topics, authors, static pages, pagination,
//! comment pages), the feeds and sitemaps, and a search for words of every
//! headline. No answer may be a 5xx or empty, and the server must still be
//! healthy and stop cleanly at the end.
//!
//! The corpus lives beside the workspace, not in it. Where it is missing
//! the tests fail; they are in `with_corpus::`, which `tools/test` skips
//! (and reports as not run) then.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod support;

use std::collections::{BTreeSet, VecDeque};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use support::{Server, bbn, http_get, temp_dir};

/// More requests than this on one site means the crawl is looping.
const MAX_REQUESTS: usize = 30_000;

fn testdata() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata");
    assert!(
        dir.is_dir(),
        "corpus test not run: no shared test data at {} (the shared/ folder beside the \
         repository), or run the suite with tools/test, which skips with_corpus:: where it \
         is missing and reports those tests as NOT RUN",
        dir.display()
    );
    dir
}

/// Every file under `dir` whose name ends with `ext`, in order.
fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.to_string_lossy().ends_with(ext) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Imports `wxr` into a new site; the command may refuse a broken export,
/// but only with an error, never a panic.
fn import(wxr: &Path) -> (PathBuf, bool) {
    let dir = temp_dir("corpus");
    let out = bbn()
        .args(["import", "wordpress"])
        .arg(wxr)
        .arg("--data-dir")
        .arg(&dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.code() != Some(101) && !stderr.contains("panicked"),
        "importing {} panicked:\n{stderr}",
        wxr.display()
    );
    (dir, out.status.success())
}

/// What a crawl of one site found wrong, and how much it asked.
#[derive(Default)]
struct Crawl {
    requests: usize,
    articles: usize,
    failures: Vec<String>,
}

impl Crawl {
    fn get(&mut self, port: u16, path: &str) -> Option<String> {
        self.requests += 1;
        match http_get(port, path) {
            None => {
                self.failures.push(format!("{path}: no reply"));
                None
            }
            Some((status, _)) if status >= 500 => {
                self.failures.push(format!("{path}: {status}"));
                None
            }
            Some((200, body)) if body.trim().is_empty() => {
                self.failures
                    .push(format!("{path}: 200 with an empty body"));
                None
            }
            Some((200, body)) => Some(body),
            Some(_) => None,
        }
    }
}

/// The site's own paths among the links and sitemap locations of `body`.
fn links(body: &str, port: u16) -> Vec<String> {
    let origins = [
        format!("http://127.0.0.1:{port}"),
        format!("http://localhost:{port}"),
        "http://localhost".to_string(),
    ];
    let mut out = Vec::new();
    for (open, close) in [("href=\"", '"'), ("<loc>", '<')] {
        let mut rest = body;
        while let Some(at) = rest.find(open) {
            rest = &rest[at + open.len()..];
            let Some(end) = rest.find(close) else { break };
            let raw = rest[..end].replace("&amp;", "&");
            let mut path = raw.as_str();
            for origin in &origins {
                if let Some(p) = path.strip_prefix(origin.as_str()) {
                    path = p;
                }
            }
            let path = path.split('#').next().unwrap_or("");
            if path.starts_with('/') && !path.starts_with("//") && public(path) {
                out.push(path.to_string());
            }
        }
    }
    out
}

/// What a reader may ask for: not the newsroom, the admin APIs or the
/// media files (images are checked by their own suites).
fn public(path: &str) -> bool {
    !["/newsroom", "/ghost/api/admin", "/media/", "/api/v1/"]
        .iter()
        .any(|p| path.starts_with(p))
}

/// Percent-encodes a search query.
fn encode(q: &str) -> String {
    let mut out = String::new();
    for b in q.bytes() {
        if b.is_ascii_alphanumeric() {
            out.push(b as char);
        } else if b == b' ' {
            out.push('+');
        } else {
            write!(out, "%{b:02X}").unwrap();
        }
    }
    out
}

/// Serves the site in `dir` and requests every page a reader can reach
/// from the home page, the sitemaps and the feeds, then a search for the
/// first words of each headline. Returns what went wrong.
fn crawl_site(dir: &Path, name: &str) -> Crawl {
    let server = Server::start(dir, &["--no-demo"]);
    let port = server.port;
    let mut crawl = Crawl::default();
    let mut seen = BTreeSet::new();
    let mut queue = VecDeque::new();
    for start in [
        "/",
        "/sitemap.xml",
        "/feed.xml",
        "/feed.atom",
        "/feed.json",
        "/news-sitemap.xml",
        "/robots.txt",
        "/search",
        "/no-such-page",
    ] {
        seen.insert(start.to_string());
        queue.push_back(start.to_string());
    }
    let mut headlines = Vec::new();
    while let Some(path) = queue.pop_front() {
        assert!(
            crawl.requests < MAX_REQUESTS,
            "{name}: more than {MAX_REQUESTS} pages; the crawl loops"
        );
        let Some(body) = crawl.get(port, &path) else {
            continue;
        };
        if let Some(h1) = headline(&body)
            && body.contains("\"@type\":\"NewsArticle\"")
        {
            crawl.articles += 1;
            headlines.push(h1);
        }
        for link in links(&body, port) {
            if seen.insert(link.clone()) {
                queue.push_back(link);
            }
        }
    }
    let mut searched = BTreeSet::new();
    for h in &headlines {
        let words: Vec<&str> = h
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().count() >= 3)
            .take(2)
            .collect();
        let q = words.join(" ");
        if !q.is_empty() && searched.insert(q.clone()) {
            crawl.get(port, &format!("/search?q={}", encode(&q)));
        }
    }
    assert_eq!(
        http_get(port, "/healthz").map(|(s, _)| s),
        Some(200),
        "{name}: /healthz after the crawl"
    );
    let status = server.terminate();
    assert!(status.success(), "{name}: bbn serve exited with {status}");
    crawl
}

/// The text of the page's `<h1>`, tags stripped.
fn headline(body: &str) -> Option<String> {
    let start = body.find("<h1")?;
    let open_end = start + body[start..].find('>')? + 1;
    let close = open_end + body[open_end..].find("</h1>")?;
    let mut text = String::new();
    let mut in_tag = false;
    for c in body[open_end..close].chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    Some(text.replace("&amp;", "&").trim().to_string())
}

fn report(name: &str, crawl: &Crawl) -> Option<String> {
    eprintln!(
        "{name}: {} requests, {} article pages, {} failures",
        crawl.requests,
        crawl.articles,
        crawl.failures.len()
    );
    if crawl.failures.is_empty() {
        return None;
    }
    let shown: Vec<&str> = crawl.failures.iter().take(20).map(String::as_str).collect();
    Some(format!("{name}:\n  {}", shown.join("\n  ")))
}

/// Text as WordPress writes it in an export: `&`, `<`, `>` and both quotes
/// as character references.
fn wordpress_escaped(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#039;")
}

/// CDATA that holds any text (a `]]>` inside is split across two sections).
fn cdata(s: &str) -> String {
    format!("<![CDATA[{}]]>", s.replace("]]>", "]]]]><![CDATA[>"))
}

/// The BBC corpus as a WordPress export: one post per story, its section
/// as the category, the headline and paragraphs escaped as WordPress
/// escapes them. Files that are not UTF-8 are read as Latin-1, as a
/// reader of old text would.
fn bbc_export(bbc: &Path) -> (String, usize) {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<rss version=\"2.0\" \
         xmlns:excerpt=\"http://wordpress.org/export/1.2/excerpt/\" \
         xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" \
         xmlns:wp=\"http://wordpress.org/export/1.2/\">\n<channel>\n\
         <title>BBC corpus</title><link>https://bbc.example</link>\n\
         <wp:wxr_version>1.2</wp:wxr_version>\n\
         <wp:base_site_url>https://bbc.example</wp:base_site_url>\n\
         <wp:base_blog_url>https://bbc.example</wp:base_blog_url>\n\
         <wp:author><wp:author_id>1</wp:author_id><wp:author_login><![CDATA[desk]]></wp:author_login>\
         <wp:author_email>desk@bbc.example</wp:author_email>\
         <wp:author_display_name><![CDATA[News Desk]]></wp:author_display_name></wp:author>\n",
    );
    let mut posts = 0;
    for (i, file) in files(bbc, ".txt").iter().enumerate() {
        let Some(section) = file
            .parent()
            .and_then(|p| p.file_name())
            .map(|s| s.to_string_lossy().into_owned())
            .filter(|s| *s != "bbc")
        else {
            continue;
        };
        let bytes = std::fs::read(file).unwrap();
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => e.into_bytes().iter().map(|&b| b as char).collect(),
        };
        let mut parts = text.split("\n\n").map(str::trim).filter(|p| !p.is_empty());
        let Some(title) = parts.next() else { continue };
        let body: Vec<String> = parts
            .map(|p| format!("<p>{}</p>", wordpress_escaped(p)))
            .collect();
        let id = 10_000 + i;
        let day = 1 + i % 28;
        let month = 1 + (i / 28) % 12;
        let date = format!("2005-{month:02}-{day:02} {:02}:{:02}:00", i % 24, i % 60);
        writeln!(
            out,
            "<item><title>{}</title><link>https://bbc.example/?p={id}</link>\
             <dc:creator><![CDATA[desk]]></dc:creator>\
             <content:encoded>{}</content:encoded><excerpt:encoded><![CDATA[]]></excerpt:encoded>\
             <wp:post_id>{id}</wp:post_id><wp:post_date>{date}</wp:post_date>\
             <wp:post_date_gmt>{date}</wp:post_date_gmt><wp:post_name></wp:post_name>\
             <wp:status>publish</wp:status><wp:post_type>post</wp:post_type>\
             <category domain=\"category\" nicename=\"{section}\"><![CDATA[{section}]]></category>\
             </item>",
            wordpress_escaped(title),
            cdata(&body.join("\n")),
        )
        .unwrap();
        posts += 1;
    }
    out.push_str("</channel>\n</rss>\n");
    (out, posts)
}

mod with_corpus {
    use super::*;

    /// The theme unit test export's embeds (a YouTube video, tweets, the
    /// block editor's embed blocks) survive the import as click-to-load
    /// embeds, counted in the report; the rest (WordPress.tv, which needs
    /// its provider's answer to embed) stay links.
    #[test]
    fn the_theme_unit_test_export_keeps_its_embeds() {
        let wxr = testdata().join("wxr/wptt-theme-test-data/themeunittestdata.wordpress.xml");
        let dir = temp_dir("corpus-embeds");
        let out = bbn()
            .args(["import", "wordpress"])
            .arg(&wxr)
            .arg("--data-dir")
            .arg(&dir)
            .output()
            .unwrap();
        let report = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{report}");
        assert!(
            report.contains("kept as click-to-load embeds: 6"),
            "{report}"
        );
        let server = Server::start(&dir, &[]);
        let mut frames = 0;
        for (slug, provider) in [
            ("post-format-video-youtube", "youtube"),
            ("media-twitter-embeds", "x"),
            ("blocks-embeds", "youtube"),
            ("blocks-embeds", "x"),
        ] {
            let (status, page) = http_get(server.port, &format!("/news/{slug}")).unwrap();
            assert_eq!(status, 200, "{slug}");
            assert!(
                page.contains(&format!("class=\"embed\" data-provider=\"{provider}\"")),
                "{slug} shows its {provider} embed"
            );
            frames += page.matches("data-embed=").count();
        }
        assert!(frames >= 6, "{frames}");
        let (_, blocks) = http_get(server.port, "/news/blocks-embeds").unwrap();
        assert!(
            blocks.contains("href=\"https://wordpress.tv/"),
            "WordPress.tv stays a link"
        );
    }

    #[test]
    fn every_wordpress_export_imports_and_serves_every_page() {
        let data = testdata();
        let mut problems = Vec::new();
        let mut served = 0;
        for wxr in files(&data.join("wxr"), ".xml") {
            let name = wxr.strip_prefix(&data).unwrap().display().to_string();
            let (dir, imported) = import(&wxr);
            if !imported {
                // A broken export is refused with a reason; the site stays servable.
                eprintln!("{name}: refused by the importer");
            }
            let crawl = crawl_site(&dir, &name);
            served += usize::from(crawl.articles > 0);
            problems.extend(report(&name, &crawl));
            let _ = std::fs::remove_dir_all(&dir);
        }
        assert!(served >= 10, "only {served} exports gave article pages");
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn the_bbc_corpus_imports_and_serves_every_page() {
        let data = testdata();
        let (export, posts) = bbc_export(&data.join("news/bbc"));
        assert!(posts > 2000, "only {posts} stories in the corpus");
        let file = temp_dir("bbc-export").join("bbc.xml");
        std::fs::write(&file, export).unwrap();
        let (dir, imported) = import(&file);
        assert!(imported, "the BBC export was refused");
        let crawl = crawl_site(&dir, "news/bbc");
        // Duplicated headlines get their own addresses; every story is a page.
        assert!(
            crawl.articles >= posts,
            "{} article pages for {posts} stories",
            crawl.articles
        );
        if let Some(problems) = report("news/bbc", &crawl) {
            panic!("{problems}");
        }
        let _ = std::fs::remove_dir_all(&dir);
        let _ = std::fs::remove_dir_all(file.parent().unwrap());
    }
}
