//! The article editor: a new article, editing one, previews.

use super::form::{ArticleForm, form_view};
use super::{can_correct, can_edit, can_publish, can_submit};
use crate::AppState;
use crate::error::AppError;
use crate::extract::csrf::CsrfForm;
use crate::extract::session::CurrentUser;
use crate::views::When;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use bbn_core::{Article, BodyFormat, Status, ValidationError, time};
use bbn_newsroom::workflow::{self, Refusal};
use bbn_store::StoreError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What the editor shows about the article being edited (nothing for a new one).
#[derive(Serialize)]
struct Meta {
    id: i64,
    status: &'static str,
    status_label: &'static str,
    public_url: Option<String>,
    preview_url: String,
    published: Option<When>,
    scheduled: Option<When>,
    can_submit: bool,
    can_publish: bool,
    can_correct: bool,
    is_live: bool,
    can_trash: bool,
    /// When it went into the trash, if it is there.
    trashed: Option<When>,
}

#[derive(Serialize)]
struct FindingView {
    check: &'static str,
    label: &'static str,
    message: String,
    blocking: bool,
}

/// Everything the editor page needs besides the form itself.
pub(crate) struct Screen<'a> {
    pub article: Option<&'a Article>,
    pub status: StatusCode,
    pub errors: BTreeMap<&'static str, String>,
    pub notice: Option<String>,
    pub preview_html: Option<String>,
}

impl Screen<'_> {
    fn ok(article: Option<&Article>) -> Screen<'_> {
        Screen {
            article,
            status: StatusCode::OK,
            errors: BTreeMap::new(),
            notice: None,
            preview_html: None,
        }
    }
}

pub(crate) async fn render(
    state: &AppState,
    user: &CurrentUser,
    form: &ArticleForm,
    screen: Screen<'_>,
) -> Result<Response, AppError> {
    let settings = state.store.settings().await?;
    let zone = time::parse_zone(&settings.time_zone).unwrap_or(chrono_tz::UTC);
    let sections = state.store.all_sections().await?;
    let authors = state.store.all_authors().await?;
    let topics: Vec<String> = state
        .store
        .all_topics()
        .await?
        .into_iter()
        .map(|t| t.name)
        .collect();
    let found = workflow::findings(&state.store, &form.to_write().draft, screen.article).await?;
    let findings: Vec<FindingView> = found
        .into_iter()
        .map(|f| FindingView {
            check: f.check.as_str(),
            label: f.check.label(),
            message: f.message,
            blocking: settings
                .blocking_checks
                .iter()
                .any(|c| c == f.check.as_str()),
        })
        .collect();
    let trashed = match screen.article {
        Some(a) => state.store.trashed_at(a.id).await?,
        None => None,
    };
    let meta = screen.article.map(|a| Meta {
        id: a.id,
        status: a.status.as_str(),
        status_label: a.status.label(),
        public_url: (a.status == Status::Published).then(|| crate::views::article_url(&a.slug)),
        preview_url: format!("/newsroom/articles/{}/preview", a.id),
        published: a.published_at.map(|t| When::new(t, zone)),
        scheduled: a.scheduled_at.map(|t| When::new(t, zone)),
        can_submit: can_submit(&user.user, a),
        can_publish: can_publish(&user.user, a),
        can_correct: can_correct(&user.user),
        is_live: a.status == Status::Published,
        can_trash: bbn_newsroom::roles::can_trash(&user.user, a),
        trashed: trashed.map(|t| When::new(t, zone)),
    });
    let corrections = match screen.article {
        Some(a) => state.store.corrections(a.id).await?,
        None => Vec::new(),
    };
    let corrections: Vec<_> = corrections
        .into_iter()
        .map(|c| minijinja::context! { kind => c.kind, body => c.body, when => When::new(c.created_at, zone) })
        .collect();
    let mut view = form_view(form, &sections, &authors);
    view.body_html = bbn_store::bodies::render(form.body_format, &form.body).await;
    if form.body_format == BodyFormat::Document {
        // Without JavaScript a document is edited as the HTML it renders to.
        view.body_document = serde_json::from_str(&form.body)
            .ok()
            .map(|doc| crate::views::structured::script_json(&doc));
        view.body = view.body_html.clone();
        view.body_format = BodyFormat::Html.as_str();
    }
    let words = words_in(&view.body_html);
    let slug = if form.slug.trim().is_empty() {
        bbn_core::slug::slugify(&form.headline)
    } else {
        form.slug.trim().to_string()
    };
    let writing = minijinja::context! {
        words,
        minutes => reading_minutes(words),
        address => format!("{}{}", state.config.base_url, crate::views::article_url(&slug)),
        base => format!("{}{}", state.config.base_url, crate::views::article_url("")),
        slug,
        title => if form.seo_title.trim().is_empty() { form.headline.clone() } else { form.seo_title.clone() },
        description => if form.seo_description.trim().is_empty() { form.dek.clone() } else { form.seo_description.clone() },
        site_name => settings.name.clone(),
    };
    let ctx = minijinja::context! {
        site => settings.name,
        form => view,
        writing,
        topics,
        meta,
        findings,
        corrections,
        errors => screen.errors,
        notice => screen.notice,
        preview_html => screen.preview_html,
        zone => settings.time_zone,
        image => screen.article.and_then(|a| a.image.as_ref()).map(crate::views::ImageView::from),
        max_upload_mb => state.config.max_upload_bytes / (1024 * 1024),
        action => screen.article.map_or("/newsroom/articles/new".to_string(), |a| format!("/newsroom/articles/{}/edit", a.id)),
        live => screen.article.map(|a| minijinja::context! {
            url => format!("/newsroom/articles/{}/live", a.id),
            name => user.user.name.clone(),
            mode => if can_edit(&user.user, a) { "edit" } else { "read" },
        }),
    };
    let body = super::super::render(state, user, "newsroom/article_edit.html", ctx)?;
    Ok((screen.status, Html(body)).into_response())
}

/// Words in a rendered body: runs of letters or digits (with inner
/// apostrophes) outside its tags; an entity (`&amp;`) is not a word.
pub(crate) fn words_in(html: &str) -> usize {
    let mut words = 0;
    let (mut in_tag, mut in_entity, mut in_word) = (false, false, false);
    for c in html.chars() {
        if in_tag {
            in_tag = c != '>';
            continue;
        }
        if in_entity {
            in_entity = !(c == ';' || c.is_whitespace());
            continue;
        }
        match c {
            '<' => (in_tag, in_word) = (true, false),
            '&' => in_entity = true,
            '\'' | '’' if in_word => {}
            c if c.is_alphanumeric() => {
                if !in_word {
                    words += 1;
                }
                in_word = true;
            }
            _ => in_word = false,
        }
    }
    words
}

/// Minutes a reader needs at 230 words a minute, at least one for any text.
pub(crate) fn reading_minutes(words: usize) -> usize {
    words.div_ceil(230)
}

/// The editor for a stored article again, with a notice saying what happened;
/// `field` also marks that field of the form with it.
pub(crate) async fn show_with_notice(
    state: &AppState,
    user: &CurrentUser,
    a: &Article,
    status: StatusCode,
    notice: String,
    field: Option<&'static str>,
) -> Result<Response, AppError> {
    let picked = state.store.editors_pick_ids().await?.contains(&a.id);
    let form = ArticleForm::from_article(a, picked);
    let mut screen = Screen::ok(Some(a));
    screen.status = status;
    if let Some(f) = field {
        screen.errors.insert(f, notice.clone());
    }
    screen.notice = Some(notice);
    render(state, user, &form, screen).await
}

pub(crate) fn field_errors(errors: Vec<ValidationError>) -> BTreeMap<&'static str, String> {
    let mut map = BTreeMap::new();
    for e in errors {
        map.entry(e.field).or_insert(e.message);
    }
    map
}

async fn load(state: &AppState, id: i64) -> Result<Article, AppError> {
    state
        .store
        .article_by_id(id)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn new_page(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, AppError> {
    let sections = state.store.all_sections().await?;
    let form = ArticleForm {
        // The writer chooses the section (the form says so), unless there is only one.
        section_id: match sections.as_slice() {
            [only] => Some(only.id),
            _ => None,
        },
        author_ids: user.user.author_id.into_iter().collect(),
        comments_open: true,
        ..ArticleForm::default()
    };
    render(&state, &user, &form, Screen::ok(None)).await
}

#[derive(Deserialize)]
pub struct Saved {
    saved: Option<String>,
}

pub async fn edit_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<Saved>,
) -> Result<Response, AppError> {
    let article = load(&state, id).await?;
    if !can_edit(&user.user, &article) {
        return Err(AppError::Forbidden);
    }
    let picked = state.store.editors_pick_ids().await?.contains(&id);
    let form = ArticleForm::from_article(&article, picked);
    let mut screen = Screen::ok(Some(&article));
    screen.notice = match q.saved.as_deref() {
        Some("1") => Some("Saved.".into()),
        Some("created") => Some("Created as a draft.".into()),
        Some("status") => Some(format!("Status: {}.", article.status.label())),
        Some("restored") => Some("The revision was restored as a new save.".into()),
        Some("corrected") => Some("The note was added to the article.".into()),
        _ => None,
    };
    render(&state, &user, &form, screen).await
}

/// Handles the buttons that redraw the form without saving: FAQ controls,
/// finding a byline and preview.
async fn redraw(
    state: &AppState,
    user: &CurrentUser,
    form: &mut ArticleForm,
    article: Option<&Article>,
) -> Result<Option<Response>, AppError> {
    if form.apply_faq_action() {
        let mut screen = Screen::ok(article);
        screen.notice = Some("Not saved yet: save to keep the FAQ changes.".into());
        return Ok(Some(render(state, user, form, screen).await?));
    }
    if form.action == "find_bylines" {
        let mut screen = Screen::ok(article);
        let words = form.byline_find.clone();
        screen.notice = Some(if words.is_empty() {
            "Not saved yet: every name is listed again.".into()
        } else {
            format!(
                "Not saved yet: bylines matching \u{201c}{words}\u{201d} are listed under Bylines, after the chosen ones."
            )
        });
        return Ok(Some(render(state, user, form, screen).await?));
    }
    if form.action == "preview" {
        let mut screen = Screen::ok(article);
        // Checked and rendered as the live preview is: off the request
        // workers, and never a body a save would refuse.
        match bbn_store::bodies::checked_render(form.body_format, &form.body).await {
            Ok(html) => {
                screen.preview_html = Some(html);
                screen.notice = Some("Preview below. Not saved yet.".into());
            }
            Err(why) => screen.notice = Some(format!("No preview: {why} Not saved yet.")),
        }
        return Ok(Some(render(state, user, form, screen).await?));
    }
    Ok(None)
}

pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let mut form = ArticleForm::parse(fields).map_err(AppError::BadRequest)?;
    if let Some(page) = redraw(&state, &user, &mut form, None).await? {
        return Ok(page);
    }
    match workflow::create(&state.store, &user.user, &form.to_write()).await {
        Ok(id) => Ok(
            Redirect::to(&format!("/newsroom/articles/{id}/edit?saved=created")).into_response(),
        ),
        Err(e) => refused(&state, &user, &form, None, e).await,
    }
}

/// Shows the form again, as sent, with what was wrong: nothing typed is lost.
pub(crate) async fn refused(
    state: &AppState,
    user: &CurrentUser,
    form: &ArticleForm,
    article: Option<&Article>,
    e: StoreError,
) -> Result<Response, AppError> {
    let mut screen = Screen::ok(article);
    match e {
        StoreError::Invalid(errors) => {
            screen.status = StatusCode::BAD_REQUEST;
            screen.errors = field_errors(errors);
            screen.notice = Some("Not saved: fix the fields marked below.".into());
        }
        StoreError::Conflict { field: "slug" } => {
            screen.status = StatusCode::CONFLICT;
            screen.errors.insert(
                "slug",
                "Another article uses this slug. Choose another.".into(),
            );
            screen.notice = Some("Not saved: the slug is taken.".into());
        }
        StoreError::Conflict { field: "revision" } => {
            screen.status = StatusCode::CONFLICT;
            screen.notice = Some(
                "Not saved: someone else saved this article after you opened it. Your text is below; \
                 open the article again in another tab to see their version, then merge and save."
                    .into(),
            );
        }
        other => return Err(other.into()),
    }
    render(state, user, form, screen).await
}

pub async fn save(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let article = load(&state, id).await?;
    if !can_edit(&user.user, &article) {
        return Err(AppError::Forbidden);
    }
    let mut form = ArticleForm::parse(fields.clone()).map_err(AppError::BadRequest)?;
    if let Some(page) = redraw(&state, &user, &mut form, Some(&article)).await? {
        return Ok(page);
    }
    let mark_updated = fields.iter().any(|(k, _)| k == "mark_updated");
    let write = form.to_write();
    match workflow::update(&state.store, &user.user, &article, &write, mark_updated).await {
        Ok(_) => Ok(Redirect::to(&format!("/newsroom/articles/{id}/edit?saved=1")).into_response()),
        Err(Refusal::Store(e)) => refused(&state, &user, &form, Some(&article), e).await,
        Err(other) => Err(other.into()),
    }
}

#[derive(Deserialize)]
pub struct PreviewForm {
    body: String,
    #[serde(default)]
    body_format: Option<String>,
}

/// The live preview beside the editor: the body (Markdown or HTML) in, sanitized HTML out.
pub async fn preview_fragment(
    _user: CurrentUser,
    CsrfForm(form): CsrfForm<PreviewForm>,
) -> Result<Html<String>, AppError> {
    let format = form
        .body_format
        .as_deref()
        .and_then(bbn_core::BodyFormat::parse)
        .unwrap_or_default();
    // The preview obeys the rules a save does: no body a save would refuse is rendered.
    bbn_store::bodies::checked_render(format, &form.body)
        .await
        .map(Html)
        .map_err(AppError::BadRequest)
}

/// Any article, as readers would see it once published; staff only.
pub async fn preview_article(
    State(state): State<AppState>,
    _user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let article = load(&state, id).await?;
    crate::site::article::render(&state, article, true).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_counted_outside_tags_and_entities() {
        assert_eq!(
            words_in("<p>Ministers meet &amp; talk</p><h2>It’s on</h2>"),
            5
        );
        assert_eq!(
            words_in("<p>don't <a href=\"/x-y-z\">stop</a>-now 2026</p>"),
            4
        );
        assert_eq!(words_in(""), 0);
        assert_eq!(reading_minutes(0), 0);
        assert_eq!(reading_minutes(1), 1);
        assert_eq!(reading_minutes(460), 2);
        assert_eq!(reading_minutes(461), 3);
    }
}
