//! Real material from `../shared/testdata` beside the repository, which is
//! not part of it. Where it is missing these tests fail; they are in
//! `with_corpus::`, which `tools/test` skips (and reports as not run) then.

use super::properties::{check, words, words_apart};
use crate::BodyFormat;
use crate::document::{from_html, to_html};
use crate::markdown;
use std::path::{Path, PathBuf};

fn testdata(folder: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/testdata")
        .join(folder);
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

/// Checks each (name, HTML) pair; prints how many ran and fails naming
/// every body whose check failed.
fn check_all(what: &str, bodies: impl IntoIterator<Item = (String, String)>) {
    let mut ran = 0;
    let mut failures = Vec::new();
    let (mut read, mut apart) = (0, 0);
    let (mut html_bytes, mut json_bytes, mut worst) = (0usize, 0usize, 0f64);
    for (name, html) in bodies {
        ran += 1;
        if let Err(why) = check(&html) {
            failures.push(format!("{name}: {why}"));
        }
        let doc = from_html(&html);
        let before = words(&html);
        read += before.len();
        apart += words_apart(&before, &words(&to_html(&doc)));
        let json = serde_json::to_string(&doc).unwrap();
        html_bytes += html.len();
        json_bytes += json.len();
        if html.len() > 1000 {
            worst = worst.max(json.len() as f64 / html.len() as f64);
        }
    }
    println!(
        "{what}: {ran} bodies, {} failed; {read} words, {apart} of them lost or added; \
         {html_bytes} bytes of HTML became {json_bytes} of document JSON (at most {worst:.1} \
         times a body's HTML over 1 kB)",
        failures.len()
    );
    assert!(ran > 0, "no {what} found");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Every post body of every export, through the importer's own HTML
/// path: WordPress's filters (`bbn_wxr::body::convert`), the shape
/// check (`within_shape`), the sanitizer (`render`).
#[test]
fn wordpress_bodies_keep_every_word() {
    let mut bodies = Vec::new();
    for path in files(&testdata("wxr"), ".xml") {
        let file = std::io::BufReader::new(std::fs::File::open(&path).unwrap());
        // A broken export still gives the items before its fault.
        let _ = bbn_wxr::read(file, |record| {
            if let bbn_wxr::Record::Item(item) = record
                && !item.content.trim().is_empty()
            {
                let converted = bbn_wxr::body::convert(
                    &item.content,
                    item.post_id,
                    &bbn_wxr::body::NoAttachments,
                );
                let (format, body) = markdown::within_shape(BodyFormat::Html, converted.html);
                let name = format!("{} #{}", path.display(), item.post_id);
                bodies.push((name, format.render(&body)));
            }
            Ok::<_, std::convert::Infallible>(())
        });
    }
    check_all("WordPress bodies", bodies);
}

/// What Word and Google Docs put on the clipboard, as an HTML body.
#[test]
fn pasted_bodies_keep_every_word() {
    let bodies = files(&testdata("paste"), ".html").into_iter().map(|path| {
        let raw = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        let (format, body) = markdown::within_shape(BodyFormat::Html, raw);
        (path.display().to_string(), format.render(&body))
    });
    check_all("pasted bodies", bodies);
}

/// The BBC's news stories as Markdown bodies.
#[test]
fn news_stories_as_markdown_keep_every_word() {
    let bodies = files(&testdata("news/bbc"), ".txt")
        .into_iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(&path).ok()?;
            Some((
                path.display().to_string(),
                BodyFormat::Markdown.render(&text),
            ))
        });
    check_all("BBC stories", bodies);
}
