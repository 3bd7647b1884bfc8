//! Articles: the lists and pages readers see (`read`), the writes that change
//! them (`write`), and which old addresses those writes keep (`addresses`).

pub(crate) mod addresses;
mod newsroom;
mod read;
pub(crate) use read::{PUBLISHED_BY_ID, SUMMARY_COLUMNS, SUMMARY_JOINS, SummaryRow};
mod trash;
mod write;

pub use newsroom::{ArticleFilter, NewsroomItem};
pub use read::ArticleList;
pub use trash::TRASH_DAYS;
pub use write::Edit;
