//! A WordPress post body made into HTML that bbn can store: WordPress keeps
//! bodies as it will display them only after running its own filters
//! (shortcodes, paragraphs for the classic editor, block comments for the
//! block editor). This does what those filters do for the parts a news site
//! needs, and leaves the rest as written, saying which shortcodes it left.
//!
//! The result is not sanitized: bbn's sanitizer runs on it afterwards. It is
//! well-formed where this module made it: everything it writes into
//! attributes and text is escaped.

mod autop;
mod escape;
mod expand;
mod html;
mod links;
mod shortcode;

/// What [`convert`] made of a body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Converted {
    pub html: String,
    /// Names of the shortcodes left as written, once each, in order: those
    /// bbn does not know (`[contact-form-7]`, `[playlist]`), and known ones
    /// it could not make anything of (a `[caption]` never closed, an
    /// `[audio]` naming no file).
    pub unknown_shortcodes: Vec<String>,
    /// Every address in the result's `src`, `href`, `srcset` and `poster`
    /// attributes, once each, in order: for rewriting
    /// `/wp-content/uploads/…` addresses and listing remote images.
    pub links: Vec<String>,
}

/// What bbn knows of the export's attachments (post type `attachment`),
/// for galleries.
pub trait Attachments {
    fn attachment(&self, id: i64) -> Option<AttachmentInfo>;
    /// The attachments whose parent is `post_id`, in menu order.
    fn children(&self, post_id: i64) -> Vec<AttachmentInfo>;
}

/// One attachment. `alt` and `caption` are plain text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AttachmentInfo {
    pub id: i64,
    pub url: String,
    pub alt: String,
    pub caption: String,
}

/// No attachments at all: galleries come out empty.
pub struct NoAttachments;

impl Attachments for NoAttachments {
    fn attachment(&self, _id: i64) -> Option<AttachmentInfo> {
        None
    }

    fn children(&self, _post_id: i64) -> Vec<AttachmentInfo> {
        Vec::new()
    }
}

/// Converts the body of post `post_id` (`content:encoded`):
/// - block comments (`<!-- wp:… -->`) are removed;
/// - bodies without blocks (classic editor) get paragraphs and line breaks
///   as WordPress would show them;
/// - `[caption]` and `[wp_caption]` become figures, `[gallery]` a figure of
///   figures, `[audio]` and `[video]` players without third-party code,
///   and `[embed]` and an address alone on its line a link in a paragraph;
/// - `[[x]]` is the literal text `[x]`;
/// - inside `pre`, `code`, tags and comments nothing changes.
pub fn convert(content: &str, post_id: i64, attachments: &dyn Attachments) -> Converted {
    let content = content.replace("\r\n", "\n").replace('\r', "\n");
    // WordPress's own test (`has_blocks`).
    let has_blocks = content.contains("<!-- wp:");
    let expanded = expand::expand(&content, post_id, attachments);
    let html = if has_blocks {
        expanded.html.trim().to_owned()
    } else {
        autop::autop(expanded.html.trim())
    };
    let links = links::links(&html);
    Converted {
        html,
        unknown_shortcodes: expanded.unknown_shortcodes,
        links,
    }
}

#[cfg(test)]
mod tests;
