//! The newsroom under `/newsroom`: where staff sign in, write, review and
//! publish. Every handler takes a `CurrentUser` and checks the role it needs
//! on the server; hiding a button is never the protection.

pub mod api_keys;
pub mod articles;
pub mod audit;
pub mod auth;
pub mod authors;
pub mod comments;
pub mod embeds;
pub mod home;
pub mod limiter;
pub mod live;
pub mod media;
pub mod pages;
pub mod picks;
pub mod settings;
pub mod staff;
pub mod taxonomy;
pub mod upload;
pub mod webhooks;

use crate::AppState;
use crate::error::AppError;
use crate::extract::session::CurrentUser;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::response::Html;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};

/// The largest article or page form: a body of the longest length allowed
/// (`MAX_BODY` characters), each character URL-encoded at up to 12 bytes,
/// and room for the other fields. Other forms get the site's small default.
const LONG_FORM: usize = bbn_core::validate::MAX_BODY * 12 + 256 * 1024;

/// How many files the library's upload form may carry at once.
const MANY_FILES: usize = 50;

pub fn routes(max_upload_bytes: usize) -> Router<AppState> {
    Router::new()
        .route(
            "/newsroom/articles/{id}/image",
            // The form around the file needs a little room besides the file itself.
            post(articles::image::upload)
                .layer(DefaultBodyLimit::max(max_upload_bytes + 64 * 1024)),
        )
        .route(
            "/newsroom/media",
            post(articles::inline_image::upload)
                .layer(DefaultBodyLimit::max(max_upload_bytes + 64 * 1024))
                .get(media::library),
        )
        .route(
            "/newsroom/media/upload",
            // Files are read one at a time, so the form may carry many.
            post(media::upload_many).layer(DefaultBodyLimit::max(
                MANY_FILES * (max_upload_bytes + 64 * 1024),
            )),
        )
        .route("/newsroom/media/items", get(media::items))
        .route("/newsroom/embed", get(embeds::check))
        .route("/newsroom/media/{id}", get(media::item).post(media::save))
        .route(
            "/newsroom/media/{id}/replace",
            post(media::replace).layer(DefaultBodyLimit::max(max_upload_bytes + 64 * 1024)),
        )
        .route("/newsroom/media/{id}/delete", post(media::delete))
        .route(
            "/newsroom/articles/{id}/image/choose",
            post(media::choose_featured),
        )
        .route(
            "/newsroom/settings/logo",
            post(settings::logo).layer(DefaultBodyLimit::max(max_upload_bytes + 64 * 1024)),
        )
        .route(
            "/newsroom/articles/{id}/image/details",
            post(articles::image::details),
        )
        .route(
            "/newsroom/articles/{id}/image/remove",
            post(articles::image::remove),
        )
        .route("/newsroom", get(home::show))
        .route(
            "/newsroom/setup/{token}",
            get(auth::setup_page).post(auth::setup),
        )
        .route(
            "/newsroom/sign-in",
            get(auth::sign_in_page).post(auth::sign_in),
        )
        .route("/newsroom/sign-out", post(auth::sign_out))
        .route(
            "/newsroom/account/password",
            get(auth::password_page).post(auth::change_password),
        )
        .route("/newsroom/authors", get(authors::list))
        .route("/newsroom/authors/lookup", get(authors::lookup))
        .route(
            "/newsroom/authors/{id}",
            get(authors::edit_page).post(authors::save),
        )
        .route(
            "/newsroom/authors/{id}/photo",
            post(authors::photo).layer(DefaultBodyLimit::max(max_upload_bytes + 64 * 1024)),
        )
        .route("/newsroom/articles", get(articles::list::show))
        .route("/newsroom/articles/bulk", post(articles::bulk::bulk))
        .route(
            "/newsroom/articles/trash/empty",
            post(articles::bulk::empty),
        )
        .route("/newsroom/articles/{id}/trash", post(articles::bulk::trash))
        .route(
            "/newsroom/articles/{id}/untrash",
            post(articles::bulk::untrash),
        )
        .route("/newsroom/articles/lookup", get(articles::lookup::find))
        .route("/newsroom/articles/{id}/live", get(live::socket))
        .route(
            "/newsroom/articles/new",
            get(articles::edit::new_page)
                .post(articles::edit::create)
                .layer(DefaultBodyLimit::max(LONG_FORM)),
        )
        .route(
            "/newsroom/articles/{id}/edit",
            get(articles::edit::edit_page)
                .post(articles::edit::save)
                .layer(DefaultBodyLimit::max(LONG_FORM)),
        )
        .route(
            "/newsroom/articles/{id}/preview",
            get(articles::edit::preview_article),
        )
        .route(
            "/newsroom/articles/{id}/status",
            post(articles::status::change),
        )
        .route(
            "/newsroom/articles/{id}/corrections",
            post(articles::status::correct),
        )
        .route(
            "/newsroom/articles/{id}/revisions",
            get(articles::history::show),
        )
        .route(
            "/newsroom/articles/{id}/revisions/{rev}/restore",
            post(articles::history::restore),
        )
        .route(
            "/newsroom/articles/{id}/snapshots/{snapshot}/restore",
            post(articles::history::restore_snapshot),
        )
        .route(
            "/newsroom/preview",
            post(articles::edit::preview_fragment).layer(DefaultBodyLimit::max(LONG_FORM)),
        )
        .route(
            "/newsroom/sections",
            get(taxonomy::sections).post(taxonomy::create_section),
        )
        .route("/newsroom/sections/{id}", post(taxonomy::update_section))
        .route(
            "/newsroom/topics",
            get(taxonomy::topics).post(taxonomy::create_topic),
        )
        .route("/newsroom/topics/{id}", post(taxonomy::update_topic))
        .route("/newsroom/topics/{id}/merge", post(taxonomy::merge_topic))
        .route("/newsroom/picks", get(picks::show).post(picks::change))
        .route(
            "/newsroom/pages",
            get(pages::list)
                .post(pages::create)
                .layer(DefaultBodyLimit::max(LONG_FORM)),
        )
        .route("/newsroom/pages/new", get(pages::new))
        .route(
            "/newsroom/pages/{id}",
            get(pages::edit)
                .post(pages::save)
                .layer(DefaultBodyLimit::max(LONG_FORM)),
        )
        .route("/newsroom/pages/{id}/delete", post(pages::delete))
        .route(
            "/newsroom/comments",
            get(comments::queue).post(comments::act),
        )
        .route(
            "/newsroom/settings",
            get(settings::show).post(settings::save),
        )
        .route("/newsroom/staff", get(staff::list).post(staff::invite))
        .route("/newsroom/staff/{id}", post(staff::update))
        .route(
            "/newsroom/webhooks",
            get(webhooks::list).post(webhooks::create),
        )
        .route(
            "/newsroom/webhooks/{id}",
            get(webhooks::show).post(webhooks::update),
        )
        .route(
            "/newsroom/webhooks/{id}/deliveries/{delivery}/retry",
            post(webhooks::retry),
        )
        .route(
            "/newsroom/api-keys",
            get(api_keys::list).post(api_keys::create),
        )
        .route("/newsroom/api-keys/{id}/revoke", post(api_keys::revoke))
        .route("/newsroom/audit", get(audit::show))
}

/// What every newsroom page shows of the person using it.
#[derive(Serialize)]
struct Me {
    name: String,
    email: String,
    role: &'static str,
    is_editor: bool,
    is_admin: bool,
    can_publish: bool,
}

/// Renders a newsroom template with the signed-in user and their CSRF token.
pub(crate) fn render(
    state: &AppState,
    user: &CurrentUser,
    template: &str,
    ctx: minijinja::Value,
) -> Result<String, AppError> {
    let u = &user.user;
    let me = Me {
        name: u.name.clone(),
        email: u.email.clone(),
        role: u.role.label(),
        is_editor: u.role >= bbn_core::Role::Editor,
        is_admin: u.role >= bbn_core::Role::Admin,
        can_publish: u.role >= bbn_core::Role::Author,
    };
    Ok(state.theme.render(
        template,
        minijinja::context! { me, csrf => user.csrf_token.clone(), ..ctx },
    )?)
}

/// The page a list's `page` parameter asks for: 1 unless it is a number
/// from 1 to 100,000.
pub(crate) fn page_number(page: Option<&str>) -> i64 {
    page.and_then(|p| p.parse::<i64>().ok())
        .filter(|p| (1..=100_000).contains(p))
        .unwrap_or(1)
}

/// What a newsroom list searched by words (topics, pages) is asked for:
/// the words, a page of `SearchedList::ROWS` rows.
#[derive(Debug, Default, Deserialize)]
pub struct SearchedList {
    q: Option<String>,
    page: Option<String>,
}

impl SearchedList {
    /// Rows on one page.
    pub(crate) const ROWS: i64 = 50;

    /// The words searched for, if any.
    pub(crate) fn words(&self) -> Option<&str> {
        self.q.as_deref().map(str::trim).filter(|q| !q.is_empty())
    }

    /// The page asked for (see `page_number`).
    pub(crate) fn page(&self) -> i64 {
        page_number(self.page.as_deref())
    }

    /// The rows before the page asked for.
    pub(crate) fn offset(&self) -> i64 {
        (self.page() - 1) * Self::ROWS
    }

    /// A link to page `page` of the list at `path`, keeping the words.
    pub(crate) fn link(&self, path: &str, page: i64) -> String {
        let mut pairs = vec![("page", page.to_string())];
        if let Some(w) = self.words() {
            pairs.insert(0, ("q", w.to_string()));
        }
        format!(
            "{path}?{}",
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    }
}

pub(crate) fn page(
    state: &AppState,
    user: &CurrentUser,
    template: &str,
    ctx: minijinja::Value,
) -> Result<Html<String>, AppError> {
    Ok(Html(render(state, user, template, ctx)?))
}
