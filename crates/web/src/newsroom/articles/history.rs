//! Revisions: the list of saves, the difference between two, and restoring one.

use super::can_edit;
use crate::AppState;
use crate::error::AppError;
use crate::extract::csrf::CsrfForm;
use crate::extract::session::CurrentUser;
use crate::views::When;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use bbn_core::model::BodyFormat;
use bbn_core::time;
use bbn_core::validate::ArticleDraft;
use bbn_newsroom::workflow::{self, Refusal};
use bbn_store::StoreError;
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
pub struct Compare {
    from: Option<i64>,
    to: Option<i64>,
    /// A live snapshot to compare with the saved article.
    snapshot: Option<i64>,
}

/// What a revision's label says in the history.
fn label_text(label: Option<&str>) -> Option<String> {
    let label = label?;
    if let Some(rev) = label.strip_prefix("restored:") {
        return Some(format!("Restored revision {rev}"));
    }
    Some(
        match label {
            "submitted" => "Submitted for review",
            "published" => "Published",
            "scheduled" => "Scheduled",
            "unpublished" => "Unpublished",
            "published-on-schedule" => "Published on schedule",
            _ => return None,
        }
        .to_string(),
    )
}

/// The body as lines to compare: a document's blocks as text, one a line;
/// Markdown and HTML as written.
fn body_lines(d: &ArticleDraft) -> String {
    if d.body_format == BodyFormat::Document
        && let Ok(doc) = bbn_core::document::parse(&d.body_markdown)
    {
        return bbn_core::document::plain_text(&doc);
    }
    d.body_markdown.clone()
}

fn compare(b: &ArticleDraft, af: &ArticleDraft) -> (Vec<FieldChange>, Vec<Line>, bool) {
    let changes: Vec<FieldChange> = fields(b)
        .into_iter()
        .zip(fields(af))
        .filter(|((_, x), (_, y))| x != y)
        .map(|((field, before), (_, after))| FieldChange {
            field,
            before,
            after,
        })
        .collect();
    let (before, after) = (body_lines(b), body_lines(af));
    let changed = before != after;
    (changes, body_diff(&before, &after), changed)
}

#[derive(Serialize)]
struct FieldChange {
    field: &'static str,
    before: String,
    after: String,
}

#[derive(Serialize)]
struct Line {
    /// "same", "added" or "removed"
    kind: &'static str,
    text: String,
}

fn fields(d: &ArticleDraft) -> Vec<(&'static str, String)> {
    vec![
        ("Headline", d.headline.clone()),
        ("Dek", d.dek.clone()),
        ("Topic label", d.kicker.clone()),
        ("Slug", d.slug.clone()),
        ("Section", d.section_id.to_string()),
        ("Authors", format!("{:?}", d.author_ids)),
        ("Topics", format!("{:?}", d.topic_ids)),
        ("Status", d.status.as_str().to_string()),
        ("SEO title", d.seo_title.clone()),
        ("SEO description", d.seo_description.clone()),
        ("Comments open", d.comments_open.to_string()),
        (
            "FAQ",
            d.faq
                .iter()
                .map(|f| format!("Q: {}\nA: {}", f.question, f.answer))
                .collect::<Vec<_>>()
                .join("\n\n"),
        ),
    ]
}

fn body_diff(before: &str, after: &str) -> Vec<Line> {
    similar::TextDiff::from_lines(before, after)
        .iter_all_changes()
        .map(|c| Line {
            kind: match c.tag() {
                similar::ChangeTag::Equal => "same",
                similar::ChangeTag::Insert => "added",
                similar::ChangeTag::Delete => "removed",
            },
            text: c.value().trim_end_matches('\n').to_string(),
        })
        .collect()
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<Compare>,
) -> Result<Html<String>, AppError> {
    let a = state
        .store
        .article_by_id(id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !can_edit(&user.user, &a) {
        return Err(AppError::Forbidden);
    }
    let settings = state.store.settings().await?;
    let zone = time::parse_zone(&settings.time_zone).unwrap_or(chrono_tz::UTC);
    let list = state.store.revisions(id).await?;
    let revisions: Vec<_> = list
        .iter()
        .map(|r| minijinja::context! { revision => r.revision, when => When::new(r.created_at, zone), by => r.user_name.clone(), label => label_text(r.label.as_deref()) })
        .collect();
    let snapshots: Vec<_> = state
        .store
        .live_snapshots(id)
        .await?
        .into_iter()
        .map(|s| minijinja::context! { id => s.id, when => When::new(s.created_at, zone), writers => s.writers.join(", ") })
        .collect();
    let compared = if let Some(snapshot) = q.snapshot {
        let kept = state.store.live_snapshot(id, snapshot).await?;
        kept.map(|k| {
            let (changes, body, body_changed) = compare(&ArticleDraft::from(&a), &k);
            minijinja::context! { snapshot, from => a.revision, changes, body, body_changed }
        })
    } else {
        let newest = list.first().map(|r| r.revision).unwrap_or(a.revision);
        let to = q.to.unwrap_or(newest);
        let from = q.from.unwrap_or(to - 1);
        let (before, after) = (
            state.store.revision(id, from).await?,
            state.store.revision(id, to).await?,
        );
        match (before, after) {
            (Some(b), Some(af)) => {
                let (changes, body, body_changed) = compare(&b, &af);
                Some(minijinja::context! { from, to, changes, body, body_changed })
            }
            _ => None,
        }
    };
    let ctx = minijinja::context! { site => settings.name, article_id => id, headline => a.headline, revisions, snapshots, compared, current => a.revision };
    super::super::page(&state, &user, "newsroom/revisions.html", ctx)
}

#[derive(Deserialize)]
pub struct RestoreForm {
    revision: Option<i64>,
}

/// Saves an old revision's content again as the newest revision; the status
/// and dates stay as they are now (restoring text never publishes or unpublishes).
pub async fn restore(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, rev)): Path<(i64, i64)>,
    CsrfForm(form): CsrfForm<RestoreForm>,
) -> Result<Response, AppError> {
    let a = state
        .store
        .article_by_id(id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !can_edit(&user.user, &a) {
        return Err(AppError::Forbidden);
    }
    let old = state
        .store
        .revision(id, rev)
        .await?
        .ok_or(AppError::NotFound)?;
    // Its status and dates stay as they are now.
    match workflow::resave(&state.store, &user.user, &a, old, form.revision, Some(rev)).await {
        Ok(_) => Ok(
            Redirect::to(&format!("/newsroom/articles/{id}/edit?saved=restored")).into_response(),
        ),
        // A slug or byline that no longer exists makes the old state unsavable as it was.
        Err(Refusal::Store(StoreError::Invalid(errors))) => Err(AppError::BadRequest(format!(
            "This revision cannot be restored as it was: {}",
            errors
                .into_iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("; ")
        ))),
        Err(e) => Err(e.into()),
    }
}

/// Saves a live snapshot as the newest revision, as `restore` does a saved
/// one; the live document follows the article there.
pub async fn restore_snapshot(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, snapshot)): Path<(i64, i64)>,
    CsrfForm(form): CsrfForm<RestoreForm>,
) -> Result<Response, AppError> {
    let a = state
        .store
        .article_by_id(id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !can_edit(&user.user, &a) {
        return Err(AppError::Forbidden);
    }
    let kept = state
        .store
        .live_snapshot(id, snapshot)
        .await?
        .ok_or(AppError::NotFound)?;
    match workflow::resave(&state.store, &user.user, &a, kept, form.revision, None).await {
        Ok(_) => Ok(
            Redirect::to(&format!("/newsroom/articles/{id}/edit?saved=restored")).into_response(),
        ),
        Err(Refusal::Store(StoreError::Invalid(errors))) => Err(AppError::BadRequest(format!(
            "This snapshot cannot be restored as it was: {}",
            errors
                .into_iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("; ")
        ))),
        Err(e) => Err(e.into()),
    }
}
