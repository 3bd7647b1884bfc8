//! `live`: the live editor under typing. Editors (Yjs peers speaking the
//! editor's protocol over `/newsroom/articles/{id}/live`) type into one
//! article at a steady rate, each keystroke one update, and every peer
//! times each other peer's keystrokes from send to arrival. With
//! `--backend postgres --instances 2` the editors alternate between two
//! instances, so half of the arrivals cross the database.
//!
//! Also measured: the server's resident memory per open document (many
//! articles, one editor each) and per connected editor (one article), and
//! what the autosave keeps per 1,000 keystrokes before and after
//! compaction.
//!
//!     target/release/bbn-bench live --editors 2 --seconds 20
//!     target/release/bbn-bench live --editors 20 --seconds 20
//!     target/release/bbn-bench live --backend postgres --instances 2 --editors 20

use crate::{SiteArgs, memory_mib, open_store, percentile, prepare, start};
use anyhow::{Context, bail};
use bbn_core::validate::ArticleDraft;
use bbn_core::{BodyFormat, Role, Status};
use bbn_store::{NewUser, Store};
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use yrs::sync::{Message, SyncMessage};
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{Doc, ReadTxn, Text, Transact, Update, XmlFragment, XmlOut};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    site: SiteArgs,
    /// Editors typing into one article at once.
    #[arg(long, default_value_t = 2)]
    editors: usize,
    /// Keystrokes per second, per editor.
    #[arg(long, default_value_t = 5.0)]
    rate: f64,
    /// How long they type.
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// bbn instances the editors spread over (more than one needs PostgreSQL).
    #[arg(long, default_value_t = 1)]
    instances: usize,
    /// Documents opened (one editor each) to measure memory per document.
    #[arg(long, default_value_t = 100)]
    documents: usize,
}

/// When each keystroke was sent: (Yjs client, clock) → time.
type Sent = Arc<Mutex<HashMap<(u64, u32), Instant>>>;

/// The body every benchmark article starts with: about 600 words in ten paragraphs.
fn body() -> String {
    let sentence = "The council met on Tuesday to weigh the harbour budget, and members argued about dredging, wages and the ferry timetable. ";
    let paragraphs: Vec<_> = (0..10)
        .map(|_| json!({"type": "paragraph", "content": [{"type": "text", "text": sentence.repeat(3)}]}))
        .collect();
    json!({"type": "doc", "content": paragraphs}).to_string()
}

/// A staff account with a session made directly in the database (no
/// password hashing, no sign-in form): its cookie.
async fn editor_session(store: &Store, n: usize) -> anyhow::Result<String> {
    let email = format!("live-bench-{n}@example.com");
    let id = match store.user_for_sign_in(&email).await? {
        Some((user, _)) => user.id,
        None => {
            store
                .create_user(&NewUser {
                    email: email.clone(),
                    name: format!("Bench Editor {n}"),
                    role: Role::Editor,
                    password_hash: None,
                })
                .await?
        }
    };
    let token: String = (0..32)
        .map(|_| format!("{:02x}", rand::random::<u8>()))
        .collect();
    let hash: String = Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    store
        .create_session(&hash, id, "bench", store.now() + 86_400)
        .await?;
    Ok(format!("bbn_session={token}"))
}

async fn document_article(store: &Store, n: usize) -> anyhow::Result<i64> {
    let section = store
        .all_sections()
        .await?
        .first()
        .context("the site has no section")?
        .id;
    let author = store
        .all_authors()
        .await?
        .first()
        .context("the site has no author")?
        .id;
    Ok(store
        .create_article(ArticleDraft {
            slug: format!("live-bench-{n}-{}", rand::random::<u32>()),
            headline: format!("Live bench story {n}"),
            dek: String::new(),
            kicker: String::new(),
            body_format: BodyFormat::Document,
            body_markdown: body(),
            section_id: section,
            author_ids: vec![author],
            topic_ids: Vec::new(),
            faq: Vec::new(),
            image_id: None,
            seo_title: String::new(),
            seo_description: String::new(),
            comments_open: true,
            status: Status::Draft,
            published_at: None,
            scheduled_at: None,
        })
        .await?)
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(port: u16, article: i64, cookie: &str) -> anyhow::Result<(Socket, Doc)> {
    let mut request =
        format!("ws://127.0.0.1:{port}/newsroom/articles/{article}/live").into_client_request()?;
    request.headers_mut().insert("Cookie", cookie.parse()?);
    let (mut ws, _) = tokio_tungstenite::connect_async(request).await?;
    let doc = Doc::new();
    doc.get_or_insert_xml_fragment("body");
    let sv = doc.transact().state_vector();
    ws.send(WsMessage::Binary(
        Message::Sync(SyncMessage::SyncStep1(sv)).encode_v1().into(),
    ))
    .await?;
    // Until the document has arrived.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if Instant::now() > deadline {
            bail!("no document within 10 s");
        }
        let Some(m) = tokio::time::timeout(Duration::from_secs(10), ws.next()).await? else {
            bail!("closed before the document arrived");
        };
        if let WsMessage::Binary(data) = m?
            && let Message::Sync(SyncMessage::SyncStep2(u)) = Message::decode_v1(&data)?
        {
            doc.transact_mut().apply_update(Update::decode_v1(&u)?)?;
            return Ok((ws, doc));
        }
    }
}

/// Types `keys` keystrokes at `rate` per second into paragraph `paragraph`
/// while applying and timing what arrives; the arrival delays it saw.
async fn editor(
    ws: Socket,
    doc: Doc,
    paragraph: u32,
    keys: usize,
    rate: f64,
    sent: Sent,
    linger: Duration,
) -> anyhow::Result<(Vec<f64>, usize)> {
    let (mut tx, mut rx) = ws.split();
    let mut sent_bytes = 0;
    let me = doc.client_id().get();
    let mut delays = Vec::new();
    let mut seen: HashMap<u64, std::collections::HashSet<u32>> = HashMap::new();
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
    let mut typed = 0;
    let mut done_at: Option<tokio::time::Instant> = None;
    loop {
        tokio::select! {
            _ = tick.tick(), if typed < keys => {
                let update = {
                    let body = doc.get_or_insert_xml_fragment("body");
                    let mut txn = doc.transact_mut();
                    let Some(XmlOut::Element(p)) = body.get(&txn, paragraph) else { bail!("no paragraph {paragraph}") };
                    let Some(XmlOut::Text(t)) = p.get(&txn, 0) else { bail!("no text in paragraph {paragraph}") };
                    let end = t.len(&txn);
                    t.insert(&mut txn, end, "x");
                    txn.encode_update_v1()
                };
                let clock = doc.transact().state_vector().get(&doc.client_id()) - 1;
                sent.lock().map_err(|_| anyhow::anyhow!("poisoned"))?.insert((me, clock), Instant::now());
                sent_bytes += update.len();
                tx.send(WsMessage::Binary(Message::Sync(SyncMessage::Update(update)).encode_v1().into())).await?;
                typed += 1;
                if typed == keys {
                    done_at = Some(tokio::time::Instant::now() + linger);
                }
            }
            m = rx.next() => {
                let Some(m) = m else { bail!("the server closed the socket") };
                let WsMessage::Binary(data) = m? else { continue };
                let now = Instant::now();
                let Message::Sync(SyncMessage::Update(u) | SyncMessage::SyncStep2(u)) = Message::decode_v1(&data)? else { continue };
                let update = Update::decode_v1(&u)?;
                // Every character the update inserts, timed once: the
                // first time it arrives (a later sync may bring it again).
                {
                    let sent = sent.lock().map_err(|_| anyhow::anyhow!("poisoned"))?;
                    for (client, ranges) in update.insertions(true).iter() {
                        let client = client.get();
                        if client == me {
                            continue;
                        }
                        let timed = seen.entry(client).or_default();
                        for range in ranges.iter() {
                            for clock in range.clone() {
                                if let Some(at) = sent.get(&(client, clock))
                                    && timed.insert(clock)
                                {
                                    delays.push(now.duration_since(*at).as_secs_f64() * 1000.0);
                                }
                            }
                        }
                    }
                }
                doc.transact_mut().apply_update(update)?;
            }
            _ = async { tokio::time::sleep_until(done_at.unwrap_or_else(tokio::time::Instant::now)).await }, if done_at.is_some() => break,
        }
    }
    Ok((delays, sent_bytes))
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    if args.instances > 1 && args.site.backend != crate::BackendArg::Postgres {
        bail!("several instances need --backend postgres");
    }
    let site = prepare(&args.site, 10, "live-").await?;
    let store = open_store(&site).await?;
    let mut cookies = Vec::new();
    for n in 0..args.editors.max(args.documents.min(1)) {
        cookies.push(editor_session(&store, n).await?);
    }
    let article = document_article(&store, 0).await?;
    let servers: Vec<_> = (0..args.instances)
        .map(|i| {
            let mut s = site.clone();
            if i > 0 {
                s.data_dir = site.data_dir.join(format!("instance-{i}"));
                std::fs::create_dir_all(&s.data_dir)?;
            }
            start(&args.site, &s, &[])
        })
        .collect::<anyhow::Result<_>>()?;
    let pid = servers[0].child.id();
    println!(
        "bbn-bench live: {} editor(s) on one article, {} keystrokes/s each for {} s, {} instance(s), {}",
        args.editors,
        args.rate,
        args.seconds,
        args.instances,
        args.site.backend.label()
    );

    // Latency: every editor types; every other editor times each keystroke.
    let rss_before = memory_mib(pid, "VmRSS")?;
    let mut peers = Vec::new();
    for (n, cookie) in cookies.iter().enumerate().take(args.editors) {
        let port = servers[n % servers.len()].port;
        peers.push(connect(port, article, cookie).await?);
    }
    let rss_editors = memory_mib(pid, "VmRSS")?;
    let sent: Sent = Arc::default();
    let keys = (args.rate * args.seconds as f64) as usize;
    let mut tasks = Vec::new();
    for (n, (ws, doc)) in peers.into_iter().enumerate() {
        tasks.push(tokio::spawn(editor(
            ws,
            doc,
            (n % 10) as u32,
            keys,
            args.rate,
            sent.clone(),
            Duration::from_secs(3),
        )));
    }
    let mut delays = Vec::new();
    let mut sent_bytes = 0;
    for t in tasks {
        let (d, b) = t.await??;
        delays.extend(d);
        sent_bytes += b;
    }
    delays.sort_by(f64::total_cmp);
    let expected = keys * args.editors * (args.editors - 1);
    println!(
        "keystroke to peer: {} arrivals of {expected} expected; median {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        delays.len(),
        percentile(&delays, 50.0),
        percentile(&delays, 99.0),
        delays.last().copied().unwrap_or(f64::NAN)
    );
    if args.editors > 0 {
        println!(
            "server memory: {:.2} MiB more with {} editors connected to the article ({:.3} MiB per editor, the document included)",
            rss_editors - rss_before,
            args.editors,
            (rss_editors - rss_before) / args.editors as f64
        );
    }

    // What the autosave kept, and after compaction.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let kept = store
        .live_document(article)
        .await?
        .context("no live document was kept")?;
    let rows = kept.updates.len();
    let bytes: usize = kept.updates.iter().map(|(_, u)| u.len()).sum();
    let merged = yrs::merge_updates_v1(kept.updates.iter().map(|(_, u)| u.as_slice()))?.len();
    let typed = keys * args.editors;
    let per = |b: usize| b as f64 * 1000.0 / typed.max(1) as f64;
    println!(
        "storage: the keystrokes' own updates are {sent_bytes} bytes ({:.0} per 1,000 keystrokes); kept: {rows} rows, {bytes} bytes ({:.0} per 1,000, merged per writer every 200 ms and compacted past 400 rows); the document as one update: {merged} bytes (the 600-word seed included)",
        per(sent_bytes),
        per(bytes),
    );

    // Memory per open document: one editor on each of many articles.
    if args.documents > 0 {
        let mut ids = Vec::new();
        for n in 0..args.documents {
            ids.push(document_article(&store, n + 1).await?);
        }
        let before = memory_mib(pid, "VmRSS")?;
        let mut open = Vec::new();
        for id in &ids {
            open.push(connect(servers[0].port, *id, &cookies[0]).await?);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        let after = memory_mib(pid, "VmRSS")?;
        println!(
            "server memory: {:.2} MiB more with {} documents open, one editor each ({:.3} MiB per document of about 600 words)",
            after - before,
            args.documents,
            (after - before) / args.documents as f64
        );
        drop(open);
    }
    store.close().await;
    Ok(())
}
