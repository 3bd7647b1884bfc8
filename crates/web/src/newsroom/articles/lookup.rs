//! Published articles found by words, for the editor's link and "read
//! more" pickers: `GET /newsroom/articles/lookup?q=…` answers JSON.

use crate::AppState;
use crate::error::AppError;
use crate::extract::session::CurrentUser;
use crate::views::article_url;
use axum::Json;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};

/// At most this many answers, and this many characters of query.
const ANSWERS: usize = 8;
const MAX_QUERY: usize = 200;

#[derive(Deserialize)]
pub struct LookupQuery {
    #[serde(default)]
    q: String,
}

#[derive(Serialize, Debug, PartialEq)]
pub struct Found {
    pub id: i64,
    pub headline: String,
    /// The article's address on the site, relative (`/news/slug`).
    pub url: String,
}

pub async fn find(
    State(state): State<AppState>,
    _user: CurrentUser,
    Query(q): Query<LookupQuery>,
) -> Result<Json<Vec<Found>>, AppError> {
    let words: String = q.q.trim().chars().take(MAX_QUERY).collect();
    if words.is_empty() {
        return Ok(Json(Vec::new()));
    }
    let request = bbn_search::SearchRequest {
        q: words,
        page: 1,
        per_page: ANSWERS,
        ..Default::default()
    };
    let results = state.search.search(&request).await?;
    Ok(Json(
        results
            .hits
            .into_iter()
            .map(|h| Found {
                id: h.id,
                url: article_url(&h.slug),
                headline: h.headline.text,
            })
            .collect(),
    ))
}
