//! The site map: every URL bbn answers, grouped by audience.

use crate::{
    AppState, api, assets, cache, error, health, media, middleware, newsroom, panic, site,
    syndication,
};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::routing::{get, post};
use std::time::Duration;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

/// The body limit of every route that sets none of its own: a comment of
/// the longest length allowed, URL-encoded, fits in it several times.
const SMALL_FORM: usize = 256 * 1024;

pub fn router(state: AppState) -> Router {
    // Readers
    let site = Router::new()
        .route("/", get(site::home::show))
        .route("/news/{slug}", get(site::article::show))
        .route("/news/{slug}/comments", post(site::comments::post))
        .route("/section/{slug}", get(site::section::show))
        .route("/topic/{slug}", get(site::topic::show))
        .route("/author/{slug}", get(site::author::show))
        .route("/search", get(site::search::page))
        .route("/search/suggest", get(site::search::suggest))
        // Static pages sit right under the root; every fixed route above wins over them.
        .route("/{slug}", get(site::page::show))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            cache::http::serve,
        ));

    // Feed readers, aggregators and search engines
    let distribution = Router::new()
        .route("/feed", get(syndication::feeds::site_rss))
        .route("/feed.xml", get(syndication::feeds::site_rss))
        .route("/feed.atom", get(syndication::feeds::site_atom))
        .route("/feed.json", get(syndication::feeds::site_json))
        .route("/section/{slug}/{file}", get(syndication::feeds::section))
        .route("/topic/{slug}/{file}", get(syndication::feeds::topic))
        .route("/author/{slug}/{file}", get(syndication::feeds::author))
        .route("/comments/{file}", get(syndication::feeds::comments))
        .route("/sitemap.xml", get(syndication::sitemaps::index))
        .route("/sitemaps/{file}", get(syndication::sitemaps::part))
        .route("/news-sitemap.xml", get(syndication::sitemaps::news))
        .route("/robots.txt", get(syndication::robots::show));

    // Staff: never cached by browsers or proxies; every write in the audit log.
    let newsroom = newsroom::routes(state.config.max_upload_bytes)
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::audit::newsroom_writes,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));

    // Operators and browsers
    let infrastructure = Router::new()
        .route("/healthz", get(health::check))
        .route("/assets/{*name}", get(assets::serve))
        .route("/media/{*path}", get(media::serve));

    // Programs: JSON APIs, each with its own error shape.
    let apis = api::ghost::routes();

    Router::new()
        .merge(site)
        .merge(distribution)
        .nest("/api/v1", api::v1::routes(state.clone()))
        .merge(apis)
        .merge(newsroom)
        .merge(infrastructure)
        .fallback(|| async { error::AppError::NotFound })
        // Reader forms, sign-in and settings are small; the routes that take
        // more (articles, pages, uploads, API writes) set their own limit.
        .layer(DefaultBodyLimit::max(SMALL_FORM))
        // A panic costs its request a 500, inside the error pages so that
        // readers get the themed one.
        .layer(axum::middleware::from_fn(panic::contain))
        // A would-be 404 may be an old address of moved content.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            site::redirects::old_addresses,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            error::render_error_pages,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::security_headers,
        ))
        .layer(axum::middleware::from_fn(middleware::server_timing))
        .layer(CompressionLayer::new())
        .layer(axum::middleware::from_fn(middleware::etag_per_coding))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        // Cache hits skip all of the above (they are answered as it would).
        .layer(cache::http::Hits::new(state.clone()))
        .with_state(state)
}
