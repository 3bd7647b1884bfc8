//! What only a browser shows: the demo's pages laid out from a 320 px phone
//! to a desktop without sideways scrolling, in the light and the dark
//! scheme, and the search box's type-ahead, with screenshots saved under
//! target/screenshots/ for a person to look at.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod support;

use support::client::{Api, admin_and_token, data_dir_args};
use support::webdriver::Browser;
use support::{Server, temp_dir};

const PAGES: &[(&str, &str)] = &[
    ("home", "/"),
    ("article", "/news/foreign-ministers-meet-in-pyongyang"),
    ("section", "/section/world"),
    ("topic", "/topic/diplomatic-relations"),
    ("author", "/author/gabriel-martinez"),
    ("search", "/search?q=korea"),
    ("not-found", "/no/such/page"),
];

mod in_browser {
    use super::*;

    /// An 85-character word in a headline and a body, a code line of 200
    /// characters and an address of 150: each breaks or scrolls inside its
    /// own box, never the page.
    #[test]
    fn long_words_and_code_lines_never_widen_the_page() {
        let dir = temp_dir("browser-long");
        let site = data_dir_args(&dir);
        let site: Vec<&str> = site.iter().map(String::as_str).collect();
        Server::start(&dir, &[]).terminate();
        let token = admin_and_token(&site, "ada@example.com", "correct horse battery");
        let server = Server::start(&dir, &[]);
        let api = Api {
            port: server.port,
            token,
        };
        let word =
            "Donaudampfschifffahrtselektrizitätenhauptbetriebswerkbauunterbeamtengesellschaftxyzab";
        assert_eq!(word.chars().count(), 85);
        let code = format!("let x = {};", "1 + ".repeat(48));
        let address = format!("https://example.org/{}", "a".repeat(130));
        let body = format!(
            "The word {word} stands alone.\n\n```\n{code}\n```\n\nSee {address} for more.\n\n| {word} | b |\n|---|---|\n| c | d |"
        );
        let (status, a) = api.call(
            "POST",
            "/articles",
            Some(&serde_json::json!({"headline": format!("Headline {word}"), "section": "world", "dek": "A dek.", "body_markdown": body})),
        );
        assert_eq!(status, 201, "{a}");
        let id = a["id"].as_i64().unwrap();
        let (status, published) = api.call(
            "POST",
            &format!("/articles/{id}/publish"),
            Some(&serde_json::json!({})),
        );
        assert!(status < 300, "{published}");
        let path = format!("/news/{}", published["slug"].as_str().unwrap());
        let browser = Browser::start();
        for dark in [false, true] {
            for width in [320, 768] {
                browser.viewport(width, 900);
                browser.dark_scheme(dark);
                browser.open(&format!("http://127.0.0.1:{}{path}", server.port));
                let scroll_width = browser
                    .eval("return document.documentElement.scrollWidth")
                    .as_u64()
                    .unwrap();
                let wide = browser.eval(&format!("return [...document.querySelectorAll('body *')].filter(e => !e.closest('.sections-nav') && e.getBoundingClientRect().right > {width} + 1).slice(0, 8).map(e => e.tagName + '.' + e.className + '<' + e.parentElement.tagName + '.' + e.parentElement.className + '<' + e.parentElement.parentElement.className + ' ' + Math.round(e.getBoundingClientRect().right) + ' ' + e.textContent.slice(0,20)).join(' | ')"));
                assert!(
                    scroll_width <= u64::from(width),
                    "{path} at {width}px is {scroll_width}px wide: readers would scroll sideways; past the edge: {wide}"
                );
                assert_eq!(
                    browser.eval("return document.querySelector('.prose pre').scrollWidth > document.querySelector('.prose pre').clientWidth"),
                    true,
                    "the code line scrolls inside its own box"
                );
                if width == 320 {
                    browser.screenshot(&format!(
                        "long-words-320-{}",
                        if dark { "dark" } else { "light" }
                    ));
                }
            }
        }
    }

    #[test]
    fn pages_fit_every_width_in_both_schemes() {
        let browser = Browser::start();
        let dir = temp_dir("browser");
        let server = Server::start(&dir, &[]);
        let base = format!("http://127.0.0.1:{}", server.port);
        for (name, path) in PAGES {
            for width in [320, 768, 1280] {
                browser.viewport(width, 900);
                browser.dark_scheme(false);
                browser.open(&format!("{base}{path}"));
                let scroll_width = browser
                    .eval("return document.documentElement.scrollWidth")
                    .as_u64()
                    .unwrap();
                assert!(
                    scroll_width <= u64::from(width),
                    "{path} at {width}px is {scroll_width}px wide: readers would scroll sideways"
                );
                let h1 = browser.eval("const h = document.querySelector('h1'); return h ? h.getBoundingClientRect().width : -1");
                assert!(
                    h1.as_f64().unwrap() > 0.0,
                    "{path} at {width}px has a visible h1"
                );
                if width != 768 {
                    browser.screenshot(&format!("{name}-{width}"));
                }
            }
        }

        // The dark scheme follows the reader's system setting.
        browser.viewport(1280, 900);
        browser.open(&format!("{base}/news/foreign-ministers-meet-in-pyongyang"));
        let light = browser.eval("return getComputedStyle(document.body).backgroundColor");
        browser.dark_scheme(true);
        let dark = browser.eval("return getComputedStyle(document.body).backgroundColor");
        assert_eq!(light, "rgb(255, 255, 255)");
        assert_eq!(dark, "rgb(18, 20, 22)");
        browser.screenshot("article-1280-dark");

        // The article's parts sit in the seed page's order.
        browser.dark_scheme(false);
        let order = browser.eval(
            "const q = s => { const e = document.querySelector(s); return e ? e.getBoundingClientRect().top + scrollY : -1 };
             return ['.kicker', 'h1', '.byline', '.story__body', '.faq', '.more-about', '#related-title', '#comments', '#leave-title']
               .map(q);",
        );
        let tops: Vec<f64> = order
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        assert!(
            tops.iter().all(|t| *t >= 0.0),
            "every part is on the page: {tops:?}"
        );
        assert!(
            tops.windows(2).all(|w| w[0] < w[1]),
            "parts appear top to bottom in order: {tops:?}"
        );

        // Type-ahead: headlines appear under the search box; arrow down and Enter opens one.
        browser.open(&format!("{base}/"));
        browser.type_into("#site-search", "pyong");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while browser.eval(
            "return document.querySelectorAll('#site-search-suggestions [role=option]').length",
        ) == 0
        {
            assert!(
                std::time::Instant::now() < deadline,
                "no suggestions appeared"
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        assert!(
            browser
                .eval("return document.querySelector('#site-search-suggestions').textContent")
                .as_str()
                .unwrap()
                .contains("Pyongyang")
        );
        assert_eq!(
            browser.eval(
                "return document.querySelector('#site-search').getAttribute('aria-expanded')"
            ),
            "true"
        );
        browser.screenshot("search-suggestions");
        browser.type_into("#site-search", "\u{E015}\u{E007}");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !browser.url().contains("/news/") {
            assert!(
                std::time::Instant::now() < deadline,
                "Enter on a suggestion did not open it: {}",
                browser.url()
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        server.terminate();
        std::fs::remove_dir_all(dir).unwrap();
    }
}
