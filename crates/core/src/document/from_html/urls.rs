//! The addresses the editor takes (`editor/src/urls.js`): what cannot work
//! for a reader (a script, a file on the writer's disk, an anchor in the
//! document a paste came from) makes no link or image, as in the browser.

/// A link's target the editor takes (`safeHref` in `editor/src/urls.js`):
/// a web or mail address, or a path on this site.
pub(super) fn safe_href(raw: &str) -> Option<String> {
    let href = raw.trim();
    let mail = href
        .get(..7)
        .is_some_and(|s| s.eq_ignore_ascii_case("mailto:"))
        && href.len() > 7
        && !href.contains(char::is_whitespace);
    (is_web(href) || mail || is_site_path(href, true)).then(|| href.to_string())
}

/// An image's source the editor takes (`safeImageSrc`): a web address or a
/// path on this site.
pub(super) fn safe_image_src(raw: &str) -> Option<String> {
    let src = raw.trim();
    (is_web(src) || is_site_path(src, false)).then(|| src.to_string())
}

/// `http://host`, `https://host` or `//host`, in any case.
fn is_web(address: &str) -> bool {
    let lower = address.get(..8).unwrap_or(address).to_ascii_lowercase();
    let rest = ["https://", "http://", "//"]
        .iter()
        .find(|p| lower.starts_with(*p))
        .and_then(|p| address.get(p.len()..));
    rest.and_then(|r| r.chars().next())
        .is_some_and(|c| c != '/' && !c.is_whitespace())
}

/// `/path` (not `//`) without white space; `bare` allows `/` alone.
fn is_site_path(address: &str, bare: bool) -> bool {
    address.starts_with('/')
        && !address.starts_with("//")
        && (bare || address.len() > 1)
        && !address.contains(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_web_mail_and_site_addresses_only() {
        for href in [
            "https://example.org/a",
            "HTTP://example.org",
            "//cdn.example.org/x",
            "mailto:desk@example.org",
            "/news/a",
            "/",
            "  /padded  ",
        ] {
            assert_eq!(safe_href(href), Some(href.trim().to_string()), "{href:?}");
        }
        for href in [
            "javascript:alert(1)",
            "file:///C:/x.doc",
            "#anchor",
            "news/relative",
            "///triple",
            "https:///no-host",
            "mailto:",
            "mailto:a b",
            "/a b",
            "data:text/html,x",
            "",
        ] {
            assert_eq!(safe_href(href), None, "{href:?}");
        }
    }

    #[test]
    fn images_need_a_web_address_or_a_file_on_the_site() {
        assert_eq!(
            safe_image_src(" /media/a.jpg "),
            Some("/media/a.jpg".into())
        );
        assert_eq!(
            safe_image_src("https://x.test/a.png"),
            Some("https://x.test/a.png".into())
        );
        for src in [
            "/",
            "mailto:a@b.c",
            "[image]",
            "file:///C:/x.png",
            "image001.png",
            "data:image/png;base64,AA",
        ] {
            assert_eq!(safe_image_src(src), None, "{src:?}");
        }
    }
}
