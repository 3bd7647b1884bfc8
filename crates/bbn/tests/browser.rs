//! What only a browser shows: the demo's pages laid out from a 320 px phone
//! to a desktop without sideways scrolling, in the light and the dark
//! scheme, and the search box's type-ahead, with screenshots saved under
//! target/screenshots/ for a person to look at.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod support;

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
