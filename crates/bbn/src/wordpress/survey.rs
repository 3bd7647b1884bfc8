//! The first reading of an export: is it well-formed from end to end, and
//! what does it hold that posts refer to (people, categories, tags,
//! attachments, menus)? Nothing is written until this has read the whole file.

use anyhow::{Context, anyhow};
use bbn_wxr::body::{AttachmentInfo, Attachments};
use bbn_wxr::{Author, Category, Channel, ReadError, Record, Tag};
use std::collections::HashMap;
use std::io::BufReader;
use std::path::Path;

/// An attachment of the export (post type `attachment`).
#[derive(Debug, Clone, Default)]
pub struct Attachment {
    pub id: i64,
    pub parent: i64,
    pub menu_order: i64,
    pub url: String,
    pub alt: String,
    pub caption: String,
    pub credit: String,
    pub width: Option<i64>,
    pub height: Option<i64>,
    /// A post names it as its featured image (`_thumbnail_id`).
    pub featured: bool,
}

impl Attachment {
    /// Whether the export says it is an image: its metadata gives its
    /// size, a post shows it as its featured image (addresses such as an
    /// image service's carry no extension), or its address ends like an
    /// image's. When its file is given, the file's content decides (the
    /// upload checks refuse anything that is not an image).
    pub fn is_image(&self) -> bool {
        if (self.width.is_some() && self.height.is_some()) || self.featured {
            return true;
        }
        let path = self
            .url
            .split(['?', '#'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        [".jpg", ".jpeg", ".png", ".gif", ".webp"]
            .iter()
            .any(|ext| path.ends_with(ext))
    }
}

/// Everything posts refer to, and how many items there are.
#[derive(Debug, Default)]
pub struct Survey {
    pub channel: Channel,
    pub authors: Vec<Author>,
    pub categories: Vec<Category>,
    pub tags: Vec<Tag>,
    pub attachments: HashMap<i64, Attachment>,
    /// Pages that a navigation menu links to: page id → place in the menus.
    pub menu_pages: HashMap<i64, i64>,
    pub items: u64,
    /// Attachments whose id an earlier attachment had: (id, title, line).
    /// The first is the one used.
    pub duplicate_attachments: Vec<(i64, String, u64)>,
}

/// Reads the whole export once. A file that is not well-formed stops here
/// with its line and column.
pub fn survey(file: &Path) -> anyhow::Result<Survey> {
    let input =
        std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
    let mut s = Survey::default();
    let mut menu_order = 0;
    let mut featured: std::collections::HashSet<i64> = std::collections::HashSet::new();
    let input = BufReader::with_capacity(1 << 16, input);
    let channel = bbn_wxr::read_with_limits(input, super::LIMITS, |record| {
        match record {
            Record::Author(a) => s.authors.push(a),
            Record::Category(c) => s.categories.push(c),
            Record::Tag(t) => s.tags.push(t),
            Record::Term(_) => {}
            Record::Item(item) => {
                s.items += 1;
                if let Some(id) = item
                    .meta("_thumbnail_id")
                    .and_then(|v| v.trim().parse::<i64>().ok())
                {
                    featured.insert(id);
                }
                match item.post_type.as_str() {
                    "attachment" => {
                        let metadata = item.meta("_wp_attachment_metadata").unwrap_or("");
                        let url = if item.attachment_url.is_empty() {
                            item.guid.clone()
                        } else {
                            item.attachment_url.clone()
                        };
                        if s.attachments.contains_key(&item.post_id) {
                            s.duplicate_attachments.push((
                                item.post_id,
                                super::posts::title(&item),
                                item.line,
                            ));
                            return Ok(());
                        }
                        s.attachments.insert(
                            item.post_id,
                            Attachment {
                                id: item.post_id,
                                parent: item.post_parent,
                                menu_order: item.menu_order,
                                url,
                                alt: item
                                    .meta("_wp_attachment_image_alt")
                                    .unwrap_or("")
                                    .trim()
                                    .to_string(),
                                caption: bbn_core::markdown::html_text(&item.excerpt),
                                credit: item
                                    .meta("_media_credit")
                                    .map(str::to_string)
                                    .or_else(|| php_string(metadata, "credit"))
                                    .unwrap_or_default(),
                                width: php_int(metadata, "width"),
                                height: php_int(metadata, "height"),
                                featured: false,
                            },
                        );
                    }
                    "nav_menu_item" => {
                        menu_order += 1;
                        // Top-level entries only: a footer is not a tree.
                        let top = matches!(
                            item.meta("_menu_item_menu_item_parent").map(str::trim),
                            None | Some("") | Some("0")
                        );
                        if top
                            && item.meta("_menu_item_object") == Some("page")
                            && let Some(id) = item
                                .meta("_menu_item_object_id")
                                .and_then(|v| v.trim().parse().ok())
                        {
                            let place = if item.menu_order > 0 {
                                item.menu_order
                            } else {
                                menu_order
                            };
                            s.menu_pages.entry(id).or_insert(place);
                        }
                    }
                    _ => {}
                }
            }
        }
        Ok::<(), std::convert::Infallible>(())
    })
    .map_err(|e| match e {
        ReadError::Syntax {
            line,
            column,
            message,
        }
        | ReadError::NotWxr {
            line,
            column,
            message,
        } => {
            anyhow!("{}:{line}:{column}: {message}", file.display())
        }
        ReadError::Io(e) => anyhow!("cannot read {}: {e}", file.display()),
        ReadError::Sink(never) => match never {},
    })?;
    s.channel = channel;
    for id in featured {
        if let Some(a) = s.attachments.get_mut(&id) {
            a.featured = true;
        }
    }
    Ok(s)
}

/// The integer a PHP-serialized array holds under `key` (the first one:
/// the image's own size comes before its resized copies').
fn php_int(serialized: &str, key: &str) -> Option<i64> {
    let marker = format!("s:{}:\"{key}\";i:", key.len());
    let at = serialized.find(&marker)? + marker.len();
    let digits: String = serialized[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// The string a PHP-serialized array holds under `key`, when not empty.
fn php_string(serialized: &str, key: &str) -> Option<String> {
    let marker = format!("s:{}:\"{key}\";s:", key.len());
    let at = serialized.find(&marker)? + marker.len();
    let rest = &serialized[at..];
    let colon = rest.find(':')?;
    let len: usize = rest[..colon].parse().ok()?;
    let value = rest.get(colon + 2..colon + 2 + len)?;
    (!value.trim().is_empty()).then(|| value.trim().to_string())
}

impl Attachments for Survey {
    fn attachment(&self, id: i64) -> Option<AttachmentInfo> {
        self.attachments.get(&id).map(info)
    }

    fn children(&self, post_id: i64) -> Vec<AttachmentInfo> {
        let mut children: Vec<&Attachment> = self
            .attachments
            .values()
            .filter(|a| a.parent == post_id && a.is_image())
            .collect();
        children.sort_by_key(|a| (a.menu_order, a.id));
        children.into_iter().map(info).collect()
    }
}

fn info(a: &Attachment) -> AttachmentInfo {
    AttachmentInfo {
        id: a.id,
        url: a.url.clone(),
        alt: a.alt.clone(),
        caption: a.caption.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_sizes_and_credit_from_attachment_metadata() {
        let meta = r#"a:5:{s:5:"width";i:1200;s:6:"height";i:800;s:4:"file";s:14:"2011/07/a.jpg";s:5:"sizes";a:1:{s:9:"thumbnail";a:2:{s:5:"width";i:150;s:6:"height";i:150;}}s:10:"image_meta";a:2:{s:6:"credit";s:8:"Ann Lée";s:7:"caption";s:0:"";}}"#;
        assert_eq!(php_int(meta, "width"), Some(1200));
        assert_eq!(php_int(meta, "height"), Some(800));
        assert_eq!(php_string(meta, "credit").as_deref(), Some("Ann Lée"));
        assert_eq!(php_string(meta, "caption"), None);
        assert_eq!(php_int("", "width"), None);
        assert_eq!(php_string(r#"s:6:"credit";s:99:"short";"#, "credit"), None);
    }

    #[test]
    fn an_image_is_known_by_its_size_or_its_use_before_its_address() {
        let unsplash = Attachment {
            url: "https://images.unsplash.com/photo-1601276861758?ixlib=rb-1.2.1&w=1268".into(),
            ..Attachment::default()
        };
        assert!(!unsplash.is_image(), "nothing says so");
        assert!(
            Attachment {
                featured: true,
                ..unsplash.clone()
            }
            .is_image(),
            "a featured image"
        );
        assert!(
            Attachment {
                width: Some(1268),
                height: Some(845),
                ..unsplash
            }
            .is_image(),
            "its metadata gives its size"
        );
        let pdf = Attachment {
            url: "https://old.example/wp-content/uploads/report.pdf".into(),
            ..Attachment::default()
        };
        assert!(!pdf.is_image());
    }

    mod with_corpus {
        use super::*;

        /// The shared export whose only picture is an image service's
        /// address without an extension, the featured image of two posts.
        #[test]
        fn a_featured_image_without_an_extension_is_an_image() {
            let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../../shared/testdata/wxr/ghost-migrate-mg-wp-xml/sample.xml");
            let s = survey(&file).unwrap();
            let a = &s.attachments[&5];
            assert!(
                a.url.starts_with("https://images.unsplash.com/") && a.featured && a.is_image()
            );
        }
    }
}
