//! Exports made by WordPress and by other tools, read from the shared test
//! data beside the workspace (`../shared/testdata/wxr`), which is not part
//! of the repository. Where it is missing the tests fail; they are in
//! `with_corpus::`, which `tools/test` skips (and reports as not run) then.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use bbn_wxr::body::{NoAttachments, convert};
use bbn_wxr::{Channel, ReadError, Record};
use std::convert::Infallible;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

fn testdata() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata/wxr");
    assert!(
        dir.is_dir(),
        "corpus test not run: no shared test data at {} (the shared/ folder beside the \
         repository), or run the suite with tools/test, which skips with_corpus:: where it \
         is missing and reports those tests as NOT RUN",
        dir.display()
    );
    dir
}

fn xml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            xml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "xml") {
            out.push(path);
        }
    }
}

fn read_all(path: &Path) -> Result<(Vec<Record>, Channel), ReadError<Infallible>> {
    let mut records = Vec::new();
    let input = BufReader::new(File::open(path).unwrap());
    let channel = bbn_wxr::read(input, |record| {
        records.push(record);
        Ok(())
    })?;
    Ok((records, channel))
}

/// The files made broken on purpose, and the line each one's error is on.
const BROKEN: &[(&str, u64)] = &[
    // `<notachanneltag>` closed by `</channel>`
    ("wordpress-importer/phpunit-data/malformed.xml", 90),
    // ends inside an item
    ("wordpress-importer/phpunit-data/malformed-simple.xml", 14),
    // `<![CDATA[` inside a CDATA section ends it at the inner `]]>`
    ("wordpress-importer/phpunit-data/crazy-cdata.xml", 18),
];

mod with_corpus {
    use super::*;

    #[test]
    fn every_shared_export_reads_or_fails_at_its_fault() {
        let dir = testdata();
        let mut files = Vec::new();
        xml_files(&dir, &mut files);
        assert!(files.len() > 40, "expected the whole collection");
        for path in &files {
            let name = path.strip_prefix(&dir).unwrap().to_str().unwrap();
            let result = read_all(path);
            match BROKEN.iter().find(|(broken, _)| *broken == name) {
                None => {
                    let (records, _) = result.unwrap_or_else(|e| panic!("{name}: {e}"));
                    assert!(!records.is_empty(), "{name}: no records");
                }
                Some((_, line)) => match result {
                    Err(ReadError::Syntax {
                        line: at, column, ..
                    }) => {
                        assert_eq!(at, *line, "{name}");
                        assert!(column >= 1, "{name}");
                    }
                    other => panic!("{name}: expected a syntax error, got {:?}", other.err()),
                },
            }
        }
    }

    #[test]
    fn bare_ampersands_are_literal_with_a_warning_each() {
        let dir = testdata();
        let (records, channel) = read_all(&dir.join("ghost-migrate-mg-wp-xml/sample.xml")).unwrap();
        let attachment = records
            .iter()
            .find_map(|r| match r {
                Record::Item(i) if i.post_type == "attachment" => Some(i),
                _ => None,
            })
            .unwrap();
        assert_eq!(
            attachment.attachment_url,
            "https://images.unsplash.com/photo-1601276861758-2d9c5ca69a17?ixlib=rb-1.2.1&ixid=eyJhcHBfaWQiOjEyMDd9&auto=format&fit=crop&w=1268&q=80"
        );
        assert_eq!(channel.warnings.len(), 10);
        assert_eq!(
            (channel.warnings[0].line, channel.warnings[0].column),
            (109, 101)
        );
        assert_eq!(channel.warnings[9].line, 110);
    }

    /// The importer's copy of the theme unit test data is the same content
    /// re-indented, with whitespace around every CDATA section: it must read
    /// the same (but for the bodies' spacing, which the re-indenting touched
    /// too: spaces at line ends, a no-break space).
    #[test]
    fn reindented_export_reads_the_same() {
        let dir = testdata();
        let (original, a) =
            read_all(&dir.join("wptt-theme-test-data/themeunittestdata.wordpress.xml")).unwrap();
        let (reindented, b) =
            read_all(&dir.join("wordpress-importer/phpunit-data/theme-unit-test-data.xml"))
                .unwrap();
        assert_eq!(a, b);
        assert_eq!(original.len(), reindented.len());
        for (x, y) in original.into_iter().zip(reindented) {
            match (x, y) {
                (Record::Item(mut x), Record::Item(mut y)) => {
                    for item in [&mut x, &mut y] {
                        item.line = 0;
                        item.content = item
                            .content
                            .split_whitespace()
                            .collect::<Vec<_>>()
                            .join(" ");
                    }
                    assert_eq!(x, y);
                }
                (x, y) => assert_eq!(x, y),
            }
        }
    }

    /// Every body of every export converts; the theme unit test's captions
    /// become figures.
    #[test]
    fn every_shared_body_converts() {
        let dir = testdata();
        let mut files = Vec::new();
        xml_files(&dir, &mut files);
        let mut bodies = 0;
        for path in &files {
            let Ok((records, _)) = read_all(path) else {
                continue;
            };
            for record in records {
                if let Record::Item(item) = record {
                    convert(&item.content, item.post_id, &NoAttachments);
                    bodies += 1;
                }
            }
        }
        assert!(bodies > 500, "{bodies}");

        let (records, _) =
            read_all(&dir.join("wptt-theme-test-data/themeunittestdata.wordpress.xml")).unwrap();
        let alignment = records
            .iter()
            .find_map(|r| match r {
                Record::Item(i) if i.post_name == "page-image-alignment" => Some(i),
                _ => None,
            })
            .unwrap();
        let converted = convert(&alignment.content, alignment.post_id, &NoAttachments);
        // The five captioned pictures keep WordPress's alignment of each.
        assert_eq!(converted.html.matches("<figure").count(), 5);
        for align in ["alignleft", "alignright", "aligncenter"] {
            assert!(
                converted
                    .html
                    .contains(&format!("<figure class=\"{align}\">")),
                "{align}"
            );
        }
        assert_eq!(converted.html.matches("<figcaption>").count(), 5);
        assert!(!converted.html.contains("[caption"));
        assert!(converted.unknown_shortcodes.is_empty());
        assert!(
            converted.links.contains(
                &"https://wpthemetestdata.files.wordpress.com/2013/03/image-alignment-580x300.jpg"
                    .to_owned()
            )
        );
    }
}
