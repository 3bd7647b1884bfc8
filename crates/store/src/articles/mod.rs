//! Articles: the lists and pages readers see (`read`) and the writes that change them (`write`).

mod read;
mod write;

pub use read::ArticleList;
pub use write::NewMedia;
