//! What an article write does, whoever asks for it (create, save, the
//! workflow's steps, corrections, editors' picks): the newsroom's forms and
//! bbn's JSON API both call these, so a write through either passes the same
//! role rules, pre-publish checks and store calls (and so the same change
//! log). Nothing here knows about HTML or JSON; each caller words the
//! refusals.

use crate::roles::{
    can_correct, can_create_topics, can_edit, can_empty_trash, can_publish, can_submit, can_trash,
    may_take_address,
};
use bbn_core::checks::{self, Finding};
use bbn_core::validate::ArticleDraft;
use bbn_core::{Article, BodyFormat, Status, User, time};
use bbn_store::{Edit, Store, StoreError};

/// A step of the publishing workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Submit,
    ToDraft,
    Publish,
    /// Publish by itself at this time (None: not given).
    Schedule(Option<i64>),
    Unpublish,
}

impl Action {
    pub fn parse(name: &str, scheduled_at: Option<i64>) -> Option<Action> {
        Some(match name {
            "submit" => Action::Submit,
            "to_draft" => Action::ToDraft,
            "publish" => Action::Publish,
            "schedule" => Action::Schedule(scheduled_at),
            "unpublish" => Action::Unpublish,
            _ => return None,
        })
    }
}

/// Why a write was not made.
#[derive(Debug)]
pub enum Refusal {
    /// The account's role does not allow it on this article.
    Forbidden,
    /// Pre-publish checks the site makes blocking failed (their messages).
    Blocked(Vec<String>),
    /// The request itself does not make sense (e.g. a time in the past).
    Invalid(String),
    /// The store refused (invalid fields, a taken slug, a stale revision) or failed.
    Store(StoreError),
}

impl From<StoreError> for Refusal {
    fn from(e: StoreError) -> Refusal {
        Refusal::Store(e)
    }
}

/// An article as a writer sends it, whichever door it comes through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleWrite {
    /// The article's fields. Its topic ids are not read (`topics` names
    /// them); its status and dates are the workflow's to set.
    pub draft: ArticleDraft,
    /// Topic names; unknown names become topics.
    pub topics: Vec<String>,
    /// Among the editors' picks (changed only by those who may).
    pub editors_pick: bool,
    /// The revision the writer started from; a save based on an older one is refused.
    pub revision: Option<i64>,
    /// The body is the live editor's shared document as it stood (the
    /// editor was connected and in step): saving keeps that document as
    /// the working copy instead of starting it again from this body.
    pub live: bool,
}

impl ArticleWrite {
    /// A new article as `me` starts it: comments open, under their byline.
    pub fn new_by(me: &User) -> ArticleWrite {
        ArticleWrite {
            draft: ArticleDraft {
                slug: String::new(),
                headline: String::new(),
                dek: String::new(),
                kicker: String::new(),
                body_format: BodyFormat::default(),
                body_markdown: String::new(),
                section_id: 0,
                author_ids: me.author_id.into_iter().collect(),
                topic_ids: Vec::new(),
                faq: Vec::new(),
                image_id: None,
                seo_title: String::new(),
                seo_description: String::new(),
                comments_open: true,
                status: Status::Draft,
                published_at: None,
                scheduled_at: None,
            },
            topics: Vec::new(),
            editors_pick: false,
            revision: None,
            live: false,
        }
    }

    /// The article as it stands, to change some of it.
    pub fn from_article(a: &Article, picked: bool) -> ArticleWrite {
        ArticleWrite {
            draft: ArticleDraft::from(a),
            topics: a.topics.iter().map(|t| t.name.clone()).collect(),
            editors_pick: picked,
            revision: Some(a.revision),
            live: false,
        }
    }

    /// The draft to store: FAQ rows left blank dropped, the named topics,
    /// and the status and dates the workflow gives it.
    fn to_draft(&self, topic_ids: Vec<i64>, from: Option<&Article>) -> ArticleDraft {
        let mut d = without_blank_faq(&self.draft);
        d.topic_ids = topic_ids;
        d.status = from.map_or(Status::Draft, |a| a.status);
        d.published_at = from.and_then(|a| a.published_at);
        d.scheduled_at = from.and_then(|a| a.scheduled_at);
        d
    }
}

fn without_blank_faq(d: &ArticleDraft) -> ArticleDraft {
    let mut d = d.clone();
    d.faq
        .retain(|f| !f.question.trim().is_empty() || !f.answer.trim().is_empty());
    d
}

/// The draft that `action` on `a` saves, or why `me` may not take it.
pub async fn plan(
    store: &Store,
    me: &User,
    a: &Article,
    action: Action,
) -> Result<ArticleDraft, Refusal> {
    let now = time::now();
    let mut draft = ArticleDraft::from(a);
    match action {
        Action::Submit => {
            if !can_submit(me, a) {
                return Err(Refusal::Forbidden);
            }
            draft.status = Status::InReview;
        }
        Action::ToDraft => {
            if !can_edit(me, a) || a.status == Status::Draft {
                return Err(Refusal::Forbidden);
            }
            if a.status == Status::Published && !can_publish(me, a) {
                return Err(Refusal::Forbidden);
            }
            draft.status = Status::Draft;
        }
        Action::Publish | Action::Schedule(_) => {
            if !can_publish(me, a) {
                return Err(Refusal::Forbidden);
            }
            blocking_checks(store, a).await?;
            match action {
                Action::Schedule(at) => {
                    draft.status = Status::Scheduled;
                    draft.scheduled_at = Some(schedule_time(at, now)?);
                }
                _ => {
                    draft.status = Status::Published;
                    draft.published_at = Some(a.published_at.unwrap_or(now));
                    draft.scheduled_at = None;
                }
            }
        }
        Action::Unpublish => {
            if !can_publish(me, a) || a.status != Status::Published {
                return Err(Refusal::Forbidden);
            }
            draft.status = Status::Unpublished;
        }
    }
    Ok(draft)
}

/// Refuses going live while a pre-publish check the site makes blocking fails.
async fn blocking_checks(store: &Store, a: &Article) -> Result<(), Refusal> {
    let settings = store.settings().await?;
    let blocking: Vec<String> = findings(store, &ArticleDraft::from(a), Some(a))
        .await?
        .into_iter()
        .filter(|f| {
            settings
                .blocking_checks
                .iter()
                .any(|c| c == f.check.as_str())
        })
        .map(|f| f.message)
        .collect();
    if blocking.is_empty() {
        Ok(())
    } else {
        Err(Refusal::Blocked(blocking))
    }
}

/// A time to publish at: given, and not past.
fn schedule_time(at: Option<i64>, now: i64) -> Result<i64, Refusal> {
    match at {
        None => Err(Refusal::Invalid(
            "Choose a date and time to publish at.".into(),
        )),
        Some(at) if at <= now => Err(Refusal::Invalid(
            "That time has passed: choose a time in the future.".into(),
        )),
        Some(at) => Ok(at),
    }
}

/// Takes a workflow step: plans it and saves it as `me`, checking that the
/// article is still at `revision` when one is given. Returns the new revision.
pub async fn take(
    store: &Store,
    me: &User,
    a: &Article,
    action: Action,
    revision: Option<i64>,
) -> Result<i64, Refusal> {
    let draft = plan(store, me, a, action).await?;
    let edit = Edit {
        expected_revision: revision,
        mark_updated: false,
        by: Some(me.id),
        take_address: may_take_address(me, draft.status),
        live: false,
        restored_from: None,
    };
    Ok(store.save_article(a.id, draft, edit).await?)
}

/// The topics `names` name, as `me` may have them: new ones created for
/// those who may create topics, refused (with the names) for anyone else.
async fn topics_for(store: &Store, me: &User, names: &[String]) -> Result<Vec<i64>, StoreError> {
    if can_create_topics(me) {
        return store.topics_named(names).await;
    }
    let mut unknown = Vec::new();
    for name in names
        .iter()
        .map(|n| n.trim())
        .filter(|n| !n.is_empty())
        .take(100)
    {
        if store
            .topic_by_slug(&bbn_core::slug::slugify(name))
            .await?
            .is_none()
        {
            unknown.push(name);
        }
    }
    if unknown.is_empty() {
        return store.existing_topics_named(names).await;
    }
    Err(StoreError::Invalid(vec![bbn_core::ValidationError::new(
        "topics",
        format!(
            "Only authors and editors add topics; pick from the list instead of: {}.",
            unknown.join(", ")
        ),
    )]))
}

/// Creates a draft from `write` as `me` (anyone on the staff may), with
/// its editors' pick when `me` may pick, in one transaction; unknown topic
/// names become topics. Returns the new article's id.
pub async fn create(store: &Store, me: &User, write: &ArticleWrite) -> Result<i64, StoreError> {
    let topic_ids = topics_for(store, me, &write.topics).await?;
    let pick = write.editors_pick && can_correct(me);
    store
        .create_staff_article(write.to_draft(topic_ids, None), me.id, pick)
        .await
}

/// Saves `write` over `article` as `me`, keeping its status and dates; the
/// editors' pick is changed only by those who may, in the same transaction.
/// Returns the new revision.
pub async fn update(
    store: &Store,
    me: &User,
    article: &Article,
    write: &ArticleWrite,
    mark_updated: bool,
) -> Result<i64, Refusal> {
    if !can_edit(me, article) {
        return Err(Refusal::Forbidden);
    }
    let topic_ids = topics_for(store, me, &write.topics).await?;
    let edit = Edit {
        // A live form's fields are the shared document's, which every
        // writer's save carries whole: nothing another writer saved is lost,
        // so there is no stale save to refuse.
        expected_revision: if write.live { None } else { write.revision },
        mark_updated: mark_updated && article.status == Status::Published,
        by: Some(me.id),
        take_address: may_take_address(me, article.status),
        live: write.live,
        restored_from: None,
    };
    // The pick is changed only by those who may, with the save.
    let pick = can_correct(me).then_some(write.editors_pick);
    Ok(store
        .save_staff_article(
            article.id,
            write.to_draft(topic_ids, Some(article)),
            edit,
            pick,
        )
        .await?)
}

/// Saves `draft` over `a` as `me` where the workflow does not move: the
/// featured image changed, an old revision restored. Status and dates stay
/// as they are; the save is checked against `revision` (or the article's).
pub async fn resave(
    store: &Store,
    me: &User,
    a: &Article,
    mut draft: ArticleDraft,
    revision: Option<i64>,
    restored_from: Option<i64>,
) -> Result<i64, Refusal> {
    if !can_edit(me, a) {
        return Err(Refusal::Forbidden);
    }
    draft.status = a.status;
    draft.published_at = a.published_at;
    draft.scheduled_at = a.scheduled_at;
    let edit = Edit {
        expected_revision: revision.or(Some(a.revision)),
        mark_updated: false,
        by: Some(me.id),
        live: false,
        take_address: may_take_address(me, a.status),
        restored_from,
    };
    Ok(store.save_article(a.id, draft, edit).await?)
}

/// Puts `a` in the trash as `me`; a live or scheduled article is
/// unpublished (or taken back to draft) first, so nothing in the trash is
/// ever live. False when it was in the trash already.
pub async fn trash(store: &Store, me: &User, a: &Article) -> Result<bool, Refusal> {
    if !can_trash(me, a) {
        return Err(Refusal::Forbidden);
    }
    match a.status {
        Status::Published => {
            take(store, me, a, Action::Unpublish, None).await?;
        }
        Status::Scheduled => {
            take(store, me, a, Action::ToDraft, None).await?;
        }
        _ => {}
    }
    Ok(store.trash_article(a.id, Some(me.id)).await?)
}

/// Takes `a` out of the trash as `me`, as it went in (not live).
pub async fn untrash(store: &Store, me: &User, a: &Article) -> Result<bool, Refusal> {
    if !can_trash(me, a) {
        return Err(Refusal::Forbidden);
    }
    Ok(store.restore_from_trash(a.id).await?)
}

/// Deletes for good what has been in the trash longer than `days` days
/// (0: everything in it), as `me`; the ids deleted.
pub async fn empty_trash(store: &Store, me: &User, days: i64) -> Result<Vec<i64>, Refusal> {
    if !can_empty_trash(me) {
        return Err(Refusal::Forbidden);
    }
    let mut gone = Vec::new();
    loop {
        let batch = store.empty_trash(store.now() - days * 86_400).await?;
        if batch.is_empty() {
            return Ok(gone);
        }
        gone.extend(batch);
    }
}

/// Adds a correction or an update note to `a` as `me` (editors and
/// admins); the store checks the note. Returns its id.
pub async fn correct(
    store: &Store,
    me: &User,
    a: &Article,
    kind: &str,
    body: &str,
) -> Result<i64, Refusal> {
    if !can_correct(me) {
        return Err(Refusal::Forbidden);
    }
    Ok(store.add_correction(a.id, kind, body, Some(me.id)).await?)
}

/// A change to the editors' picks, by article id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickChange {
    /// At the end of the list.
    Add(i64),
    Remove(i64),
    Up(i64),
    Down(i64),
}

/// Changes the editors' picks as `me` (editors and admins): only a
/// published article joins them, once.
pub async fn change_picks(store: &Store, me: &User, change: PickChange) -> Result<(), Refusal> {
    if !can_correct(me) {
        return Err(Refusal::Forbidden);
    }
    let mut ids = store.editors_pick_ids().await?;
    if let PickChange::Add(id) = change {
        let a = store
            .article_by_id(id)
            .await?
            .ok_or_else(|| Refusal::Invalid("That article does not exist.".into()))?;
        if a.status != Status::Published {
            return Err(Refusal::Invalid(
                "Only published articles can be picked.".into(),
            ));
        }
    }
    moved(&mut ids, change);
    Ok(store.set_editors_picks(&ids).await?)
}

/// The picks in their new order.
fn moved(ids: &mut Vec<i64>, change: PickChange) {
    let at = |ids: &[i64], id: i64| ids.iter().position(|x| *x == id);
    match change {
        PickChange::Add(id) if !ids.contains(&id) => ids.push(id),
        PickChange::Add(_) => {}
        PickChange::Remove(id) => ids.retain(|x| *x != id),
        PickChange::Up(id) => {
            if let Some(i) = at(ids, id).filter(|i| *i > 0) {
                ids.swap(i, i - 1);
            }
        }
        PickChange::Down(id) => {
            if let Some(i) = at(ids, id).filter(|i| i + 1 < ids.len()) {
                ids.swap(i, i + 1);
            }
        }
    }
}

/// The pre-publish checks of `draft` as it stands (the stored `article`'s,
/// when it is one: its own slug is no unpublished link, its image's alt text
/// counts).
pub async fn findings(
    store: &Store,
    draft: &ArticleDraft,
    article: Option<&Article>,
) -> Result<Vec<Finding>, StoreError> {
    let draft = without_blank_faq(draft);
    let own_slug = article.map(|a| a.slug.as_str());
    let linked: Vec<String> = checks::linked_article_slugs(&draft.body_markdown)
        .into_iter()
        .filter(|s| Some(s.as_str()) != own_slug)
        .collect();
    let unpublished = store.unpublished_among(&linked).await?;
    let image_alt_missing = article
        .and_then(|a| a.image.as_ref())
        .is_some_and(|m| m.alt.trim().is_empty());
    Ok(checks::run(&draft, image_alt_missing, &unpublished))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_by_name() {
        assert_eq!(Action::parse("publish", None), Some(Action::Publish));
        assert_eq!(
            Action::parse("schedule", Some(5)),
            Some(Action::Schedule(Some(5)))
        );
        assert_eq!(Action::parse("delete", None), None);
    }

    #[test]
    fn picks_move_within_the_list() {
        let mut ids = vec![1, 2, 3];
        moved(&mut ids, PickChange::Add(2));
        assert_eq!(ids, [1, 2, 3], "once");
        moved(&mut ids, PickChange::Add(4));
        moved(&mut ids, PickChange::Up(1));
        assert_eq!(ids, [1, 2, 3, 4], "the first stays first");
        moved(&mut ids, PickChange::Down(2));
        moved(&mut ids, PickChange::Down(4));
        moved(&mut ids, PickChange::Remove(1));
        assert_eq!(ids, [3, 2, 4]);
    }

    #[test]
    fn a_schedule_needs_a_future_time() {
        assert!(matches!(schedule_time(None, 10), Err(Refusal::Invalid(_))));
        assert!(matches!(
            schedule_time(Some(10), 10),
            Err(Refusal::Invalid(_))
        ));
        assert_eq!(schedule_time(Some(11), 10).ok(), Some(11));
    }
}
