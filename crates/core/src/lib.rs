//! The domain of a news site, free of storage and HTTP: what an article, a
//! section, a topic, an author and a comment are, the rules they obey, and
//! the pure transformations every other layer relies on (slugs, Markdown to
//! sanitized HTML, HTML to the editor's documents, reader-facing dates).

pub mod address;
pub mod checks;
pub mod document;
pub mod embed;
mod html_tree;
pub mod markdown;
pub mod media;
pub mod model;
pub mod password;
pub mod slug;
pub mod spam;
pub mod time;
pub mod validate;

pub use model::*;
pub use validate::ValidationError;
