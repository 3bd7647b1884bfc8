//! WordPress exports (WXR 1.0 to 1.2, from Tools → Export) read as a stream
//! of records, and WordPress post bodies turned into HTML that bbn can store.
//!
//! - [`read`] / [`Reader`]: the export, one record at a time.
//! - [`body::convert`]: a post body with its shortcodes, block comments and
//!   missing paragraphs made into plain HTML.
//! - [`date`]: WordPress's and RSS's ways of writing time.
//! - `generate` (feature `generate`): large, realistic exports for tests and
//!   benchmarks.
//!
//! This crate knows nothing of bbn's store; the importer maps what it reads.
//!
//! ```
//! use bbn_wxr::{Record, body};
//!
//! let export = r#"<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel>
//!   <title>Riverside</title>
//!   <item>
//!     <title>Hello</title>
//!     <wp:post_id>7</wp:post_id>
//!     <wp:status>publish</wp:status>
//!     <wp:post_date_gmt>2024-03-14 07:30:00</wp:post_date_gmt>
//!     <content:encoded><![CDATA[First line
//! second line
//!
//! [contact-form-7 id="1"]]]></content:encoded>
//!   </item>
//! </channel></rss>"#;
//!
//! let mut posts = Vec::new();
//! let channel = bbn_wxr::read(export.as_bytes(), |record| {
//!     if let Record::Item(item) = record {
//!         posts.push(item);
//!     }
//!     Ok::<_, std::io::Error>(())
//! })?;
//! assert_eq!(channel.title, "Riverside");
//! assert_eq!(posts[0].published_unix(), Some(1_710_401_400));
//!
//! let converted = body::convert(&posts[0].content, posts[0].post_id, &body::NoAttachments);
//! assert_eq!(
//!     converted.html,
//!     "<p>First line<br>\nsecond line</p>\n<p>[contact-form-7 id=\"1\"]</p>"
//! );
//! assert_eq!(converted.unknown_shortcodes, ["contact-form-7"]);
//! # Ok::<_, bbn_wxr::ReadError<std::io::Error>>(())
//! ```

pub mod body;
pub mod date;
#[cfg(feature = "generate")]
pub mod generate;
mod model;
mod read;

pub use model::*;
pub use read::{Position, ReadError, Reader, read, read_with_limits};
