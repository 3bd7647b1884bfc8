//! The live editor's socket, `/newsroom/articles/{id}/live`: staff editing
//! one article together, over the Yjs sync protocol. Each article open on
//! this instance has one hub holding its shared document; every update a
//! writer sends is applied, relayed to the others at once and kept in the
//! database within `FLUSH` (the autosave), merged per writer. The rules of
//! a connection (who may write, sizes, names) are `bbn_newsroom::live`'s.
//!
//! A socket is checked again every `RECHECK`: a session signed out or
//! disabled closes it, and an article its writer may no longer edit (a
//! contributor's story sent on to publication) leaves it read-only.

use crate::AppState;
use crate::error::AppError;
use crate::extract::session::{CurrentUser, IDLE_TIMEOUT_SECS};
use crate::newsroom::articles::form::ArticleForm;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::http::header;
use axum::response::Response;
use bbn_core::validate::ArticleDraft;
use bbn_core::{Article, BodyFormat};
use bbn_newsroom::live::{Access, LiveDoc, Meta, Writer};
use bbn_newsroom::roles::can_edit;
use bbn_store::{LiveEvent, Store, live_digest};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::{Mutex, broadcast};

/// How often a hub keeps what its writers sent.
const FLUSH: Duration = Duration::from_millis(200);
/// How often a socket's session and rights, and a hub's saved body, are read again.
const RECHECK: Duration = Duration::from_secs(3);
/// Kept updates past which a hub compacts its document into one.
const COMPACT_AFTER: usize = 400;
/// How often a document being written keeps a snapshot of its working copy
/// for the history (and when its last editor leaves).
const SNAPSHOT_EVERY: Duration = Duration::from_secs(180);
/// Sockets per article, and on the whole instance.
const PER_ARTICLE: usize = 64;
const PER_INSTANCE: usize = 2048;
/// Messages a socket may send per second before it is closed.
const MESSAGES_PER_SECOND: u32 = 400;
/// Messages waiting for a slow socket before it is dropped (it reconnects and resyncs).
const RELAY_BACKLOG: usize = 1024;

/// Close codes the editor reads (4000–4999 are the application's).
const CLOSE_SIGNED_OUT: u16 = 4401;
const CLOSE_REFUSED: u16 = 4400;

/// This instance's name in `live_presence`: unique to the process.
struct Instance(Arc<str>);

impl Default for Instance {
    fn default() -> Instance {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        Instance(format!("{}-{nanos:x}", std::process::id()).into())
    }
}

/// How often a hub says again who is here (`live_presence`), and how old
/// a row may be before the lists take its instance for gone.
const PRESENCE_EVERY: Duration = Duration::from_secs(3);
const PRESENCE_STALE: i64 = 10;

/// The hubs of the articles open on this instance.
#[derive(Default)]
pub struct LiveHubs {
    instance: Instance,
    hubs: std::sync::Mutex<HashMap<i64, Arc<Hub>>>,
    /// Open while a hub loads, so that two sockets arriving at once share one.
    opening: Mutex<()>,
    sockets: AtomicUsize,
    next_connection: AtomicU64,
}

impl LiveHubs {
    /// The names of who is editing each of `ids` on any instance: what
    /// the instances said lately (`live_presence`), with this instance's own
    /// as it is now.
    pub async fn editing_anywhere(&self, store: &Store, ids: &[i64]) -> HashMap<i64, Vec<String>> {
        let mut all = match store.live_presence(ids, store.now() - PRESENCE_STALE).await {
            Ok(found) => found,
            Err(e) => {
                tracing::warn!(error = %e, "live: could not read who is editing");
                HashMap::new()
            }
        };
        for (id, names) in self.editing(ids) {
            let entry = all.entry(id).or_default();
            for name in names {
                if !entry.contains(&name) {
                    entry.push(name);
                }
            }
        }
        all
    }

    /// The names of who is editing each of `ids` on this instance.
    pub fn editing(&self, ids: &[i64]) -> HashMap<i64, Vec<String>> {
        let hubs: Vec<Arc<Hub>> = match self.hubs.lock() {
            Ok(map) => ids.iter().filter_map(|id| map.get(id).cloned()).collect(),
            Err(_) => return HashMap::new(),
        };
        hubs.into_iter()
            .filter_map(|hub| {
                let names = hub.present.lock().ok()?.clone();
                (!names.is_empty()).then_some((hub.article_id, names))
            })
            .collect()
    }

    /// A place in the article's hub, loaded from the database when it is
    /// not open. The hub stays open while any lease on it is held.
    async fn join(self: &Arc<Self>, store: &Store, article: &Article) -> Result<Lease, AppError> {
        if let Some(lease) = self.lease(article.id) {
            return Ok(lease);
        }
        let _opening = self.opening.lock().await;
        if let Some(lease) = self.lease(article.id) {
            return Ok(lease);
        }
        let (doc, base) = load_document(store, article.id).await?;
        let (relay, _) = broadcast::channel(RELAY_BACKLOG);
        let hub = Arc::new(Hub {
            article_id: article.id,
            doc: Mutex::new(HubDoc {
                live: doc,
                base,
                pending: Vec::new(),
                kept: 0,
                last_kept: 0,
                own: Default::default(),
                writers: Default::default(),
                snapshot_at: tokio::time::Instant::now(),
            }),
            relay,
            connections: AtomicUsize::new(1),
            reconciled: Mutex::new(tokio::time::Instant::now()),
            present: Default::default(),
            instance: self.instance.0.clone(),
            presence_said: Mutex::new(None),
        });
        let mut map = self.hubs.lock().map_err(broken)?;
        map.insert(article.id, hub.clone());
        Ok(Lease {
            hubs: self.clone(),
            hub,
        })
    }

    /// Follows the updates other instances keep (PostgreSQL) until the
    /// process ends, applying those of the documents open here.
    pub async fn follow(self: Arc<Self>, store: Store) {
        loop {
            let mut listener = match store.live_listener().await {
                Ok(Some(l)) => l,
                Ok(None) => return,
                Err(e) => {
                    tracing::warn!(error = %e, "live: cannot listen for other instances' updates; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            };
            loop {
                match listener.next().await {
                    Ok(LiveEvent::Kept {
                        article_id,
                        update_id,
                    }) => self.heard(&store, article_id, update_id).await,
                    Ok(LiveEvent::Missed) => self.read_again(&store).await,
                    Err(e) => {
                        tracing::warn!(error = %e, "live: the listener failed; listening again");
                        self.read_again(&store).await;
                        break;
                    }
                }
            }
        }
    }

    async fn heard(&self, store: &Store, article_id: i64, update_id: i64) {
        let Some(hub) = self.open_hub(article_id) else {
            return;
        };
        if hub.doc.lock().await.own.contains(&update_id) {
            return;
        }
        match store.live_update(update_id).await {
            Ok(Some((_, bytes))) => hub.apply_remote(&bytes).await,
            // Replaced meanwhile by an update that holds it, heard in turn.
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "live: could not read another instance's update"),
        }
    }

    /// Every open document reads what the database holds again (updates
    /// may have been kept while nobody listened).
    async fn read_again(&self, store: &Store) {
        let hubs: Vec<Arc<Hub>> = match self.hubs.lock() {
            Ok(map) => map.values().cloned().collect(),
            Err(_) => return,
        };
        for hub in hubs {
            if let Ok(Some(found)) = store.live_document(hub.article_id).await {
                for (_, bytes) in &found.updates {
                    hub.apply_remote(bytes).await;
                }
            }
        }
    }

    fn open_hub(&self, id: i64) -> Option<Arc<Hub>> {
        self.hubs.lock().ok()?.get(&id).cloned()
    }

    /// A lease on an open hub; counted under the map's lock, so that a hub
    /// is never dropped from the map while someone is joining it.
    fn lease(self: &Arc<Self>, id: i64) -> Option<Lease> {
        let map = self.hubs.lock().ok()?;
        let hub = map.get(&id)?.clone();
        hub.connections.fetch_add(1, Ordering::AcqRel);
        Some(Lease {
            hubs: self.clone(),
            hub,
        })
    }
}

/// A connection's place in a hub (see `LiveHubs::join`).
struct Lease {
    hubs: Arc<LiveHubs>,
    hub: Arc<Hub>,
}

impl Drop for Lease {
    fn drop(&mut self) {
        if let Ok(mut map) = self.hubs.hubs.lock()
            && self.hub.connections.fetch_sub(1, Ordering::AcqRel) == 1
        {
            map.remove(&self.hub.article_id);
        }
    }
}

/// "Ann Editor is editing", "Ann Editor and Bo Chen are editing",
/// "Ann Editor, Bo Chen and 2 others are editing".
pub fn presence_sentence(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => format!("{one} is editing"),
        [a, b] => format!("{a} and {b} are editing"),
        [a, b, rest @ ..] => format!("{a}, {b} and {} others are editing", rest.len()),
    }
}

/// One article's shared document on this instance.
struct Hub {
    article_id: i64,
    doc: Mutex<HubDoc>,
    /// Messages for every socket: (the connection that sent it, its bytes).
    relay: broadcast::Sender<(u64, Arc<Vec<u8>>)>,
    connections: AtomicUsize,
    /// When the hub last compared its document with the saved article.
    reconciled: Mutex<tokio::time::Instant>,
    /// Who is here, for the article list.
    present: std::sync::Mutex<Vec<String>>,
    /// This instance's name, and what the hub last said of who is here and when.
    instance: Arc<str>,
    presence_said: Mutex<Option<(Vec<String>, tokio::time::Instant)>>,
}

struct HubDoc {
    live: LiveDoc,
    /// The digest of the saved body the document is reconciled with.
    base: String,
    /// Updates applied but not kept yet: (writer's user id, bytes).
    pending: Vec<(i64, Vec<u8>)>,
    /// Updates kept since the document was loaded or compacted.
    kept: usize,
    /// The id of the newest kept update.
    last_kept: i64,
    /// The ids this hub kept lately: other instances' updates are read
    /// when the database says one was kept, this hub's own are not.
    own: std::collections::VecDeque<i64>,
    /// Who wrote since the last snapshot, and when that was.
    writers: std::collections::BTreeSet<i64>,
    snapshot_at: tokio::time::Instant,
}

/// How many of its own kept updates a hub remembers.
const OWN_REMEMBERED: usize = 512;

/// The article's document from the database, reconciled with its saved
/// body: started from the body when it has none, moved onto the body when
/// another path changed it; with the digest it is reconciled with.
async fn load_document(store: &Store, article_id: i64) -> Result<(LiveDoc, String), AppError> {
    // Twice at most: another instance may start the same document at the same moment.
    for _ in 0..2 {
        let Saved {
            body: body_doc,
            meta,
            digest,
        } = saved(store, article_id).await?;
        let found = store.live_document(article_id).await?;
        match found {
            Some(found) if found.base_digest == digest => {
                let doc = LiveDoc::from_updates(found.updates.iter().map(|(_, u)| u.as_slice()))
                    .map_err(broken)?;
                return Ok((doc, digest));
            }
            Some(found) => {
                let mut doc =
                    LiveDoc::from_updates(found.updates.iter().map(|(_, u)| u.as_slice()))
                        .map_err(broken)?;
                doc.replace(&body_doc, &meta).map_err(broken)?;
                let state = doc.compacted();
                if store
                    .live_start(article_id, Some(&found.base_digest), &digest, &state)
                    .await?
                {
                    return Ok((doc, digest));
                }
            }
            None => {
                let (doc, seed) = LiveDoc::seeded(&body_doc, &meta).map_err(broken)?;
                if store.live_start(article_id, None, &digest, &seed).await? {
                    return Ok((doc, digest));
                }
            }
        }
    }
    Err(broken(
        "the live document kept changing while it was opened",
    ))
}

/// A failure of the live document, logged here; the socket is refused.
fn broken(e: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %e, "live: the article's document could not be opened");
    AppError::Internal
}

/// The saved article as the live document holds it.
struct Saved {
    body: serde_json::Value,
    meta: Meta,
    /// What the live document is reconciled against (`live_digest`).
    digest: String,
}

async fn saved(store: &Store, article_id: i64) -> Result<Saved, AppError> {
    let article = store
        .article_by_id(article_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let picked = store.editors_pick_ids().await?.contains(&article_id);
    Ok(Saved {
        body: document_json(article.body_format, &article.body_markdown).await?,
        meta: shared_fields(&article, picked),
        digest: live_digest(&ArticleDraft::from(&article)),
    })
}

/// The article form's fields the live document shares (editor/README.md,
/// "Live editing"), each as the form sends it.
fn shared_fields(article: &Article, picked: bool) -> Meta {
    let form = ArticleForm::from_article(article, picked);
    let flag = |on: bool| if on { "1" } else { "" }.to_string();
    let authors: Vec<String> = form.author_ids.iter().map(i64::to_string).collect();
    Meta::from([
        ("headline".into(), form.headline),
        ("dek".into(), form.dek),
        ("kicker".into(), form.kicker),
        ("slug".into(), form.slug),
        (
            "section_id".into(),
            form.section_id.map(|s| s.to_string()).unwrap_or_default(),
        ),
        ("topics".into(), form.topics),
        ("seo_title".into(), form.seo_title),
        ("seo_description".into(), form.seo_description),
        ("authors".into(), authors.join(",")),
        ("comments_open".into(), flag(form.comments_open)),
        ("editors_pick".into(), flag(form.editors_pick)),
    ])
}

/// A saved body as the live document's JSON. A Markdown or HTML body is
/// read into a document from the HTML it renders to, as the editor reads it
/// when such an article is opened in the browser (`document::from_html`);
/// the article becomes a document article when it is next saved. Rendering
/// and reading a long body is CPU work: off the request workers.
async fn document_json(format: BodyFormat, body: &str) -> Result<serde_json::Value, AppError> {
    let body = body.to_owned();
    bbn_store::bodies::off_the_workers(move || match format {
        BodyFormat::Document => serde_json::from_str(&body).map_err(broken),
        BodyFormat::Markdown | BodyFormat::Html => {
            let doc = bbn_core::document::from_html(&format.render(&body));
            serde_json::to_value(&doc).map_err(broken)
        }
    })
    .await
}

impl Hub {
    /// Keeps the pending updates (merged per writer) and compacts when due;
    /// moves the document onto the saved body when another path changed it.
    async fn flush(&self, store: &Store) {
        let mut doc = self.doc.lock().await;
        let pending = std::mem::take(&mut doc.pending);
        let mut by_writer: Vec<(i64, Vec<Vec<u8>>)> = Vec::new();
        for (user, bytes) in pending {
            match by_writer.iter_mut().find(|(u, _)| *u == user) {
                Some((_, list)) => list.push(bytes),
                None => by_writer.push((user, vec![bytes])),
            }
        }
        doc.writers.extend(by_writer.iter().map(|(user, _)| *user));
        for (user, updates) in by_writer {
            let merged = match yrs::merge_updates_v1(&updates) {
                Ok(m) => m,
                Err(e) => {
                    tracing::warn!(error = %e, "live: updates could not be merged; kept one by one");
                    for u in updates {
                        self.keep(store, &mut doc, user, u).await;
                    }
                    continue;
                }
            };
            self.keep(store, &mut doc, user, merged).await;
        }
        if doc.kept >= COMPACT_AFTER {
            // What every instance kept up to this hub's newest is read and
            // applied first, so the compacted state holds all of what it
            // replaces (another instance's update not heard yet included).
            match store
                .live_updates_upto(self.article_id, doc.last_kept)
                .await
            {
                Ok(rows) => {
                    for (id, bytes) in &rows {
                        // This hub's own are in its document already.
                        if !doc.own.contains(id) {
                            self.absorb(&mut doc, bytes);
                        }
                    }
                    let ids: Vec<i64> = rows.iter().map(|(id, _)| *id).collect();
                    let state = doc.live.compacted();
                    match store.live_compact(self.article_id, &ids, &state).await {
                        Ok(()) => doc.kept = 0,
                        Err(e) => {
                            tracing::warn!(error = %e, "live: compaction failed; tried again later")
                        }
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "live: compaction could not read; tried again later")
                }
            }
        }
        let due = !doc.writers.is_empty() && doc.snapshot_at.elapsed() >= SNAPSHOT_EVERY;
        drop(doc);
        self.say_presence(store, false).await;
        if due {
            self.snapshot(store, SNAPSHOT_EVERY.as_secs() as i64 - 10)
                .await;
        }
    }

    /// Keeps the working copy in the history when someone wrote since the
    /// last snapshot, unless the article has one from the last `gap`
    /// seconds (another instance's).
    async fn snapshot(&self, store: &Store, gap: i64) {
        let (writers, body, meta) = {
            let mut doc = self.doc.lock().await;
            if doc.writers.is_empty() {
                return;
            }
            doc.snapshot_at = tokio::time::Instant::now();
            let writers: Vec<i64> = std::mem::take(&mut doc.writers).into_iter().collect();
            (writers, doc.live.document(), doc.live.meta())
        };
        let kept = async {
            let Some(article) = store.article_by_id(self.article_id).await? else {
                return Ok(false);
            };
            let saved = ArticleDraft::from(&article);
            let topics = match meta.get("topics") {
                Some(list) => {
                    let names: Vec<String> = list.split(',').map(str::to_string).collect();
                    Some(store.existing_topics_named(&names).await?)
                }
                None => None,
            };
            let draft = bbn_newsroom::live::working_copy(&saved, &body, &meta, topics);
            if draft == saved {
                return Ok(false);
            }
            store
                .add_live_snapshot(self.article_id, &writers, &draft, gap)
                .await
        };
        if let Err(e) = kept.await {
            tracing::warn!(article = self.article_id, error = %e, "live: a snapshot could not be kept");
        }
    }

    async fn keep(&self, store: &Store, doc: &mut HubDoc, user: i64, bytes: Vec<u8>) {
        // An update not kept is tried again at the next flush, in order.
        match store.live_append(self.article_id, Some(user), &bytes).await {
            Ok(id) => {
                doc.kept += 1;
                doc.last_kept = id;
                doc.own.push_back(id);
                if doc.own.len() > OWN_REMEMBERED {
                    doc.own.pop_front();
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "live: an update could not be kept; trying again");
                doc.pending.push((user, bytes));
            }
        }
    }

    /// Moves the document onto the saved body if another path changed it.
    async fn reconcile(&self, store: &Store) -> Result<(), AppError> {
        // Once per RECHECK for the hub, however many sockets ask.
        {
            let mut last = self.reconciled.lock().await;
            if last.elapsed() < RECHECK {
                return Ok(());
            }
            *last = tokio::time::Instant::now();
        }
        let base = store.live_base(self.article_id).await?;
        let now = match saved(store, self.article_id).await {
            Ok(now) => now,
            // Gone, or no longer a document: the sockets find out on their own.
            Err(AppError::NotFound | AppError::BadRequest(_)) => return Ok(()),
            Err(e) => return Err(e),
        };
        let mut doc = self.doc.lock().await;
        // A live save moved the base with the article: nothing to do but note it.
        if base.as_deref() == Some(now.digest.as_str()) {
            doc.base = now.digest;
            return Ok(());
        }
        let digest = now.digest;
        let update = doc.live.replace(&now.body, &now.meta).map_err(broken)?;
        let state = doc.live.compacted();
        let old = base.unwrap_or_default();
        if store
            .live_start(self.article_id, Some(&old), &digest, &state)
            .await?
        {
            doc.base = digest;
            doc.kept = 0;
            doc.pending.clear();
            let message = yrs::sync::Message::Sync(yrs::sync::SyncMessage::Update(update));
            let _ = self.relay.send((
                0,
                Arc::new(yrs::updates::encoder::Encode::encode_v1(&message)),
            ));
        }
        Ok(())
    }

    /// Applies an update kept by another instance, and passes it to this
    /// instance's sockets when it changed anything.
    async fn apply_remote(&self, bytes: &[u8]) {
        let mut doc = self.doc.lock().await;
        self.absorb(&mut doc, bytes);
    }

    /// Applies a kept update to the document and passes it to this
    /// instance's sockets (always: an update that only deletes leaves the
    /// state vector as it was, and a client ignores what it holds already).
    fn absorb(&self, doc: &mut HubDoc, bytes: &[u8]) {
        if let Err(e) = doc.live.apply(bytes) {
            tracing::warn!(article = self.article_id, error = %e, "live: an update from another instance was refused");
            return;
        }
        let message = yrs::sync::Message::Sync(yrs::sync::SyncMessage::Update(bytes.to_vec()));
        let _ = self.relay.send((
            0,
            Arc::new(yrs::updates::encoder::Encode::encode_v1(&message)),
        ));
    }

    /// Tells the other instances who is here, when it changed or was last
    /// said `PRESENCE_EVERY` ago; `leaving` says no one is.
    async fn say_presence(&self, store: &Store, leaving: bool) {
        let names = if leaving {
            Vec::new()
        } else {
            self.present.lock().map(|p| p.clone()).unwrap_or_default()
        };
        let mut said = self.presence_said.lock().await;
        let fresh = said
            .as_ref()
            .is_some_and(|(n, at)| *n == names && at.elapsed() < PRESENCE_EVERY);
        if fresh || (said.is_none() && names.is_empty()) {
            return;
        }
        match store
            .set_live_presence(self.article_id, &self.instance, &names)
            .await
        {
            Ok(()) => *said = Some((names, tokio::time::Instant::now())),
            Err(e) => {
                tracing::warn!(article = self.article_id, error = %e, "live: could not say who is editing")
            }
        }
    }

    fn note_present(&self, doc: &HubDoc) {
        if let Ok(mut present) = self.present.lock() {
            *present = doc.live.present();
        }
    }
}

/// `GET /newsroom/articles/{id}/live`: the socket.
pub async fn socket(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Result<Response, AppError> {
    // A page of another site must not open a socket with the staff's cookie.
    if !same_origin(&headers) {
        return Err(AppError::Forbidden);
    }
    let article = state
        .store
        .article_by_id(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let hubs = state.live.clone();
    if hubs.sockets.load(Ordering::Acquire) >= PER_INSTANCE {
        return Err(AppError::TooManyRequests);
    }
    let lease = hubs.join(&state.store, &article).await?;
    if lease.hub.connections.load(Ordering::Acquire) > PER_ARTICLE {
        return Err(AppError::TooManyRequests);
    }
    let writer = Writer {
        name: user.user.name.clone(),
        access: access(&user, &article),
    };
    Ok(upgrade
        .max_message_size(bbn_newsroom::live::MAX_MESSAGE)
        .on_upgrade(move |ws| async move {
            hubs.sockets.fetch_add(1, Ordering::AcqRel);
            let conn = hubs.next_connection.fetch_add(1, Ordering::Relaxed) + 1;
            run(&state, &lease.hub, conn, user, writer, ws).await;
            // What this socket's writer sent is kept before its place is given up.
            lease.hub.flush(&state.store).await;
            hubs.sockets.fetch_sub(1, Ordering::AcqRel);
            drop(lease);
        }))
}

fn access(user: &CurrentUser, article: &Article) -> Access {
    if can_edit(&user.user, article) {
        Access::Write
    } else {
        Access::Read
    }
}

/// The Origin header, when sent, names this host.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let origin_host = origin
        .split_once("://")
        .map_or(origin, |(_, rest)| rest)
        .trim_end_matches('/');
    origin_host.eq_ignore_ascii_case(host)
}

async fn run(
    state: &AppState,
    hub: &Arc<Hub>,
    conn: u64,
    user: CurrentUser,
    mut writer: Writer,
    mut ws: WebSocket,
) {
    let mut relayed = hub.relay.subscribe();
    let greeting = hub.doc.lock().await.live.greeting();
    for message in greeting {
        if ws.send(Message::Binary(message.into())).await.is_err() {
            return;
        }
    }
    let mut clients: Vec<u64> = Vec::new();
    let mut flush = tokio::time::interval(FLUSH);
    let mut recheck = tokio::time::interval(RECHECK);
    recheck.reset();
    let mut window = tokio::time::Instant::now();
    let mut in_window = 0u32;
    let closing: Option<(u16, &str)> = loop {
        tokio::select! {
            incoming = ws.recv() => {
                let data = match incoming {
                    Some(Ok(Message::Binary(data))) => data,
                    Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Text(_))) => continue,
                    Some(Ok(Message::Close(_)) | Err(_)) | None => break None,
                };
                if window.elapsed() >= Duration::from_secs(1) {
                    window = tokio::time::Instant::now();
                    in_window = 0;
                }
                in_window += 1;
                if in_window > MESSAGES_PER_SECOND {
                    break Some((CLOSE_REFUSED, "too many messages"));
                }
                let mut doc = hub.doc.lock().await;
                let handled = match doc.live.handle(&data, &writer) {
                    Ok(h) => h,
                    Err(e) => {
                        tracing::info!(article = hub.article_id, error = %e, "live: a message was refused");
                        break Some((CLOSE_REFUSED, "message refused"));
                    }
                };
                for c in &handled.clients {
                    if !clients.contains(c) {
                        clients.push(*c);
                    }
                }
                doc.pending.extend(handled.changed.into_iter().map(|u| (user.user.id, u)));
                if !handled.clients.is_empty() {
                    hub.note_present(&doc);
                }
                drop(doc);
                for m in handled.relay {
                    let _ = hub.relay.send((conn, Arc::new(m)));
                }
                let mut failed = false;
                for m in handled.reply {
                    failed |= ws.send(Message::Binary(m.into())).await.is_err();
                }
                if failed {
                    break None;
                }
            }
            out = relayed.recv() => match out {
                Ok((from, bytes)) if from != conn => {
                    if ws.send(Message::Binary(bytes.as_ref().clone().into())).await.is_err() {
                        break None;
                    }
                }
                Ok(_) => {}
                // Too slow to follow: it reconnects and syncs again.
                Err(broadcast::error::RecvError::Lagged(_)) => break Some((CLOSE_REFUSED, "fell behind")),
                Err(broadcast::error::RecvError::Closed) => break None,
            },
            _ = flush.tick() => {
                // Any socket of the hub keeps the hub's pending updates.
                hub.flush(&state.store).await;
            }
            _ = recheck.tick() => {
                match recheck_rights(state, &user, hub.article_id).await {
                    Ok(Some(access)) => writer.access = access,
                    Ok(None) => break Some((CLOSE_SIGNED_OUT, "signed out")),
                    Err(e) => tracing::warn!(error = %e, "live: could not check a socket's session"),
                }
                if let Err(e) = hub.reconcile(&state.store).await {
                    tracing::warn!(error = ?e, "live: could not reconcile with the saved article");
                }
            }
        }
    };
    // The last editor to leave keeps what is pending and a snapshot.
    if hub.connections.load(Ordering::Acquire) == 1 {
        hub.flush(&state.store).await;
        hub.snapshot(&state.store, 0).await;
        hub.say_presence(&state.store, true).await;
    }
    let gone = {
        let mut doc = hub.doc.lock().await;
        let gone = doc.live.forget(&clients);
        hub.note_present(&doc);
        gone
    };
    if let Some(m) = gone {
        let _ = hub.relay.send((conn, Arc::new(m)));
    }
    if let Some((code, reason)) = closing {
        let _ = ws
            .send(Message::Close(Some(CloseFrame {
                code,
                reason: reason.into(),
            })))
            .await;
    }
}

/// What the socket's user may do now: None when the session is gone.
async fn recheck_rights(
    state: &AppState,
    user: &CurrentUser,
    article_id: i64,
) -> Result<Option<Access>, bbn_store::StoreError> {
    let now = state.store.now();
    let Some(session) = state
        .store
        .session(&user.token_hash, now, now + IDLE_TIMEOUT_SECS)
        .await?
    else {
        return Ok(None);
    };
    let Some(article) = state.store.article_by_id(article_id).await? else {
        return Ok(None);
    };
    let current = CurrentUser {
        user: session.user,
        csrf_token: session.csrf_token,
        token_hash: user.token_hash.clone(),
    };
    Ok(Some(access(&current, &article)))
}
