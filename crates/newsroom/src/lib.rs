//! The rules layer, between the store and the web: what a write may do and
//! what a reader's comment becomes, whoever asks (the newsroom's forms, the
//! JSON API, a test). It takes domain types (`ArticleDraft`, a comment
//! `Submission`), never an HTML form or a request, and answers with
//! decisions the caller words for its own audience.
//!
//! - `roles`: who may edit, submit, publish, correct and pick.
//! - `workflow`: article writes (create, save with a revision check, the
//!   workflow steps) with their role rules and pre-publish checks.
//! - `admission`: a reader's comment → a decision and its reason, a pure
//!   function of what was sent and the facts gathered beforehand.
//! - `live`: the live editor's shared document and the rules of a
//!   connection to it (who may write, how much, under whose name).
//! - `media`: the media library: who may change an item, and a change
//!   followed into the articles that show it.

pub mod admission;
pub mod live;
pub mod media;
pub mod roles;
pub mod workflow;
