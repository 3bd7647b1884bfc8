//! The media library's rules: who may change or delete an item, and an
//! item's change followed into the articles that show it. A document body
//! names its images by library id, so their alt text, caption, credit and
//! file follow the item; a Markdown or HTML body (written by hand, or
//! imported) names the file by its address, which follows a replaced file.
//! Each article changed is saved as its own revision, by the person who
//! changed the item.

use crate::roles::{can_change_media, can_delete_media, can_edit};
use crate::workflow::{Refusal, resave};
use bbn_core::media::{ItemFacts, refresh_document};
use bbn_core::validate::ArticleDraft;
use bbn_core::{Article, BodyFormat, User};
use bbn_store::{MediaItem, Store, StoreError};

/// At most this many articles (the most recently changed) are followed
/// after one change; only editors may change an item used more widely.
pub const MAX_FOLLOWED: i64 = 2_000;

/// Whether `me` may change `item`'s details or file: the role rule, with
/// every article using it read to see whether `me` may edit it.
pub async fn may_change(store: &Store, me: &User, item: &MediaItem) -> Result<bool, StoreError> {
    if can_change_media(me, false) {
        return Ok(true);
    }
    if item.uses > MAX_FOLLOWED {
        return Ok(false);
    }
    for u in store.media_used_in(item.id, MAX_FOLLOWED).await? {
        let Some(a) = store.article_by_id(u.article_id).await? else {
            continue;
        };
        if !can_edit(me, &a) {
            return Ok(false);
        }
    }
    Ok(can_change_media(me, true))
}

/// Whether `me` may delete `item` (once nothing uses it).
pub fn may_delete(me: &User, item: &MediaItem) -> bool {
    can_delete_media(me, item.uploaded_by)
}

/// The body of `a` showing `item` as it is now; `old_url` is the address
/// it had before its file was replaced. None when nothing changes.
fn followed_body(a: &Article, item: &MediaItem, old_url: Option<&str>) -> Option<String> {
    match a.body_format {
        BodyFormat::Document => refresh_document(
            &a.body_markdown,
            item.id,
            &ItemFacts {
                src: item.url.clone(),
                width: item.width,
                height: item.height,
                alt: item.alt.clone(),
                caption: item.caption.clone(),
                credit: item.credit.clone(),
            },
        ),
        BodyFormat::Markdown | BodyFormat::Html => {
            let old = old_url?;
            a.body_markdown
                .contains(old)
                .then(|| a.body_markdown.replace(old, &item.url))
        }
    }
}

/// Saves every article using item `id` whose body shows it differently
/// from the library now (after its details changed, or its file was
/// replaced: `old_url`). Returns how many articles were saved. A save that
/// meets another one is tried again on the newer revision.
pub async fn follow(
    store: &Store,
    me: &User,
    id: i64,
    old_url: Option<&str>,
) -> Result<usize, Refusal> {
    let Some(item) = store.media_item(id).await? else {
        return Err(Refusal::Store(StoreError::NotFound));
    };
    let mut saved = 0;
    for u in store.media_used_in(id, MAX_FOLLOWED).await? {
        for _attempt in 0..3 {
            let Some(a) = store.article_by_id(u.article_id).await? else {
                break;
            };
            let Some(body) = followed_body(&a, &item, old_url) else {
                break;
            };
            let mut draft = ArticleDraft::from(&a);
            draft.body_markdown = body;
            match resave(store, me, &a, draft, Some(a.revision), None).await {
                Ok(_) => {
                    saved += 1;
                    break;
                }
                Err(Refusal::Store(StoreError::Conflict { field: "revision" })) => continue,
                Err(e) => return Err(e),
            }
        }
    }
    Ok(saved)
}
