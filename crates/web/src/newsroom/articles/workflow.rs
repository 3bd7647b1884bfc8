//! What an article write does, whoever asks for it: the newsroom's forms and
//! bbn's JSON API both call these, so a write through either passes the same
//! role rules, pre-publish checks and store calls (and so the same change log).
//! Nothing here knows about HTML or JSON; each caller words the refusals.

use super::form::ArticleForm;
use super::{can_correct, can_edit, can_publish, can_submit, may_take_address};
use crate::AppState;
use bbn_core::validate::ArticleDraft;
use bbn_core::{Article, Status, User, time};
use bbn_store::{Edit, StoreError};

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
    /// Something else failed on the way (not the caller's doing).
    Failed(crate::error::AppError),
}

impl From<StoreError> for Refusal {
    fn from(e: StoreError) -> Refusal {
        Refusal::Store(e)
    }
}

impl From<crate::error::AppError> for Refusal {
    fn from(e: crate::error::AppError) -> Refusal {
        match e {
            crate::error::AppError::Store(e) => Refusal::Store(e),
            crate::error::AppError::Forbidden => Refusal::Forbidden,
            other => Refusal::Failed(other),
        }
    }
}

/// The draft that `action` on `a` saves, or why `me` may not take it.
pub async fn plan(
    state: &AppState,
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
            let settings = state.store.settings().await?;
            let picked = state.store.editors_pick_ids().await?.contains(&a.id);
            let blocking: Vec<String> =
                findings(state, &ArticleForm::from_article(a, picked), Some(a))
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
            if !blocking.is_empty() {
                return Err(Refusal::Blocked(blocking));
            }
            match action {
                Action::Schedule(at) => {
                    let Some(at) = at else {
                        return Err(Refusal::Invalid(
                            "Choose a date and time to publish at.".into(),
                        ));
                    };
                    if at <= now {
                        return Err(Refusal::Invalid(
                            "That time has passed: choose a time in the future.".into(),
                        ));
                    }
                    draft.status = Status::Scheduled;
                    draft.scheduled_at = Some(at);
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

/// Takes a workflow step: plans it and saves it as `me`, checking that the
/// article is still at `revision` when one is given. Returns the new revision.
pub async fn take(
    state: &AppState,
    me: &User,
    a: &Article,
    action: Action,
    revision: Option<i64>,
) -> Result<i64, Refusal> {
    let draft = plan(state, me, a, action).await?;
    let edit = Edit {
        expected_revision: revision,
        mark_updated: false,
        by: Some(me.id),
        take_address: may_take_address(me, draft.status),
    };
    Ok(state.store.save_article(a.id, draft, edit).await?)
}

/// Creates a draft from `form` as `me` (anyone on the staff may); unknown
/// topic names become topics. Returns the new article's id.
pub async fn create(state: &AppState, me: &User, form: &ArticleForm) -> Result<i64, StoreError> {
    let topic_ids = state.store.topics_named(&form.topic_names()).await?;
    let id = state
        .store
        .create_article_by(
            form.to_draft(topic_ids, Status::Draft, None, None),
            Some(me.id),
        )
        .await?;
    if form.editors_pick && can_correct(me) {
        let mut picks = state.store.editors_pick_ids().await?;
        picks.push(id);
        state.store.set_editors_picks(&picks).await?;
    }
    Ok(id)
}

/// Saves `form` over `article` as `me`, keeping its status and dates; the
/// editors' pick is changed only by those who may. Returns the new revision.
pub async fn update(
    state: &AppState,
    me: &User,
    article: &Article,
    form: &ArticleForm,
    mark_updated: bool,
) -> Result<i64, Refusal> {
    if !can_edit(me, article) {
        return Err(Refusal::Forbidden);
    }
    let topic_ids = state.store.topics_named(&form.topic_names()).await?;
    let draft = form.to_draft(
        topic_ids,
        article.status,
        article.published_at,
        article.scheduled_at,
    );
    let edit = Edit {
        expected_revision: form.revision,
        mark_updated: mark_updated && article.status == Status::Published,
        by: Some(me.id),
        take_address: may_take_address(me, article.status),
    };
    let revision = state.store.save_article(article.id, draft, edit).await?;
    if can_correct(me) {
        let mut picks = state.store.editors_pick_ids().await?;
        let was = picks.contains(&article.id);
        if form.editors_pick != was {
            picks.retain(|p| *p != article.id);
            if form.editors_pick {
                picks.push(article.id);
            }
            state.store.set_editors_picks(&picks).await?;
        }
    }
    Ok(revision)
}

/// The pre-publish checks of the form as it stands, marked blocking per the site's settings.
pub(crate) async fn findings(
    state: &AppState,
    form: &ArticleForm,
    article: Option<&Article>,
) -> Result<Vec<bbn_core::checks::Finding>, StoreError> {
    let draft = form.to_draft(Vec::new(), Status::Draft, None, None);
    let linked = bbn_core::checks::linked_article_slugs(&form.body);
    let own_slug = article.map(|a| a.slug.clone());
    let linked: Vec<String> = linked
        .into_iter()
        .filter(|s| Some(s) != own_slug.as_ref())
        .collect();
    let unpublished = state.store.unpublished_among(&linked).await?;
    let image_alt_missing = article
        .and_then(|a| a.image.as_ref())
        .is_some_and(|m| m.alt.trim().is_empty());
    Ok(bbn_core::checks::run(
        &draft,
        image_alt_missing,
        &unpublished,
    ))
}
