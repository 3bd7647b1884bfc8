//! Articles in the newsroom: lists, the editor, the workflow, history.
//!
//! Who may do what is `bbn_newsroom::roles`, checked on the server for every
//! request; what a write does is `bbn_newsroom::workflow`, shared with the
//! JSON API. These screens read forms, call those and render.

pub mod bulk;
pub mod edit;
pub mod form;
pub mod history;
pub mod image;
pub mod inline_image;
pub mod list;
pub mod lookup;
pub mod status;

pub use bbn_newsroom::roles::{can_correct, can_edit, can_publish, can_submit};
