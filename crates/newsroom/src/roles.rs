//! Who may do what to an article (checked on the server, for every request,
//! whichever door it comes through):
//! - contributor: create; edit own articles while draft or in review; submit own drafts.
//! - author: as contributor, and edit, publish, schedule and unpublish own articles.
//! - editor and admin: everything on every article, plus corrections and editors' picks,
//!   and publishing at another article's old address (which ends its redirect).
//!
//! "Own" means started by the account or carrying its byline.

use bbn_core::{Article, Role, Status, User};

pub fn is_own(user: &User, a: &Article) -> bool {
    a.created_by == Some(user.id)
        || user
            .author_id
            .is_some_and(|id| a.authors.iter().any(|x| x.id == id))
}

pub fn can_edit(user: &User, a: &Article) -> bool {
    match user.role {
        Role::Editor | Role::Admin => true,
        Role::Author => is_own(user, a),
        Role::Contributor => {
            is_own(user, a) && matches!(a.status, Status::Draft | Status::InReview)
        }
    }
}

pub fn can_submit(user: &User, a: &Article) -> bool {
    a.status == Status::Draft && (user.role >= Role::Editor || is_own(user, a))
}

pub fn can_publish(user: &User, a: &Article) -> bool {
    match user.role {
        Role::Editor | Role::Admin => true,
        Role::Author => is_own(user, a),
        Role::Contributor => false,
    }
}

/// Putting an article in the trash (and taking it out): editors any;
/// an author or a contributor only their own that has never gone live
/// under them (a live article is an editor's to take down).
pub fn can_trash(user: &User, a: &Article) -> bool {
    match user.role {
        Role::Editor | Role::Admin => true,
        Role::Author | Role::Contributor => {
            is_own(user, a) && matches!(a.status, Status::Draft | Status::InReview)
        }
    }
}

/// Editing an author's profile (the byline's name, bio, job title, links,
/// photo): editors any, every account its own byline's.
pub fn can_edit_profile(user: &User, author_id: i64) -> bool {
    user.role >= Role::Editor || user.author_id == Some(author_id)
}

/// Adding a topic by naming one the site does not have: authors and
/// editors; a contributor picks from the topics there are (an open topic
/// list is where spam and vandalism would otherwise land on public pages).
pub fn can_create_topics(user: &User) -> bool {
    user.role >= Role::Author
}

/// Emptying the trash for good.
pub fn can_empty_trash(user: &User) -> bool {
    user.role >= Role::Editor
}

/// Corrections and editors' picks.
pub fn can_correct(user: &User) -> bool {
    user.role >= Role::Editor
}

/// Whether a save by `user` that leaves an article with `status` may take
/// another article's old address (its redirect ends when this article goes
/// live there): only an editor's, and only one that publishes or schedules.
/// A renamed story's old address is linked from everywhere; who may serve
/// something else at it is an editorial decision.
pub fn may_take_address(user: &User, status: Status) -> bool {
    user.role >= Role::Editor && matches!(status, Status::Published | Status::Scheduled)
}

/// Changing a media library item (its details, its file): editors any;
/// others only while every article using it is one they may edit
/// (`uses_editable`), since a new alt text or file shows in each of them.
pub fn can_change_media(user: &User, uses_editable: bool) -> bool {
    user.role >= Role::Editor || uses_editable
}

/// Deleting a media library item nothing uses: editors any, others the
/// items they uploaded.
pub fn can_delete_media(user: &User, uploaded_by: Option<i64>) -> bool {
    user.role >= Role::Editor || uploaded_by == Some(user.id)
}
