//! Articles: the lists and pages readers see (`read`) and the writes that change them (`write`).

mod newsroom;
mod read;
mod write;

pub use newsroom::{ArticleFilter, NewsroomItem};
pub use read::ArticleList;
pub use write::{Edit, NewMedia};
