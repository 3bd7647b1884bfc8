//! Live co-editing over `/newsroom/articles/{id}/live`, against `bbn serve`,
//! with Yjs peers speaking the editor's protocol (the sync and awareness
//! messages the browser's editor sends):
//!
//! - two writers see each other's typing, and what they typed is kept (a
//!   third who connects later gets it from the database);
//! - a staff member who may not edit the article gets the document and no
//!   write: what they send reaches nobody and is not kept;
//! - a body saved by another path (the API) moves the open document onto it;
//! - signing out closes that session's socket; a page of another origin
//!   cannot open one;
//! - SIGKILL mid-typing, restart: everything sent up to a moment before
//!   the kill is there.
//!
//! On SQLite, and on PostgreSQL (`postgres::`).

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod support;

use bbn_store::testing::TestDb;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use support::client::{Api, Newsroom, add_user, admin_and_token, data_dir_args, exchange};
use support::{Server, temp_dir};
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use yrs::sync::{Message, SyncMessage};
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{
    Doc, GetString, Map, ReadTxn, Text, Transact, Update, XmlElementPrelim, XmlFragment, XmlOut,
    XmlTextPrelim,
};

const ADMIN: &str = "live-admin@example.com";
const EDITOR: &str = "live-editor@example.com";
const CONTRIBUTOR: &str = "live-contributor@example.com";
const PASSWORD: &str = "correct horse battery staple";

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// One editor in the room: a socket and the document as it sees it.
struct Peer {
    ws: Socket,
    doc: Doc,
    closed: Option<u16>,
}

/// Opens the article's socket with `cookie`: the peer, or the HTTP status
/// the server answered instead of switching protocols.
async fn connect(port: u16, id: i64, cookie: &str, origin: Option<&str>) -> Result<Peer, u16> {
    let mut request = format!("ws://127.0.0.1:{port}/newsroom/articles/{id}/live")
        .into_client_request()
        .unwrap();
    request
        .headers_mut()
        .insert("Cookie", cookie.parse().unwrap());
    if let Some(origin) = origin {
        request
            .headers_mut()
            .insert("Origin", origin.parse().unwrap());
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((ws, _)) => {
            let mut peer = Peer {
                ws,
                doc: Doc::new(),
                closed: None,
            };
            peer.doc.get_or_insert_xml_fragment("body");
            let sv = peer.doc.transact().state_vector();
            peer.send(Message::Sync(SyncMessage::SyncStep1(sv))).await;
            Ok(peer)
        }
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            Err(response.status().as_u16())
        }
        Err(e) => panic!("the socket did not open: {e}"),
    }
}

impl Peer {
    /// Says who is here, as the editor's presence does (under any name:
    /// the server puts the account's own).
    async fn announce(&mut self) {
        let mut clients = std::collections::HashMap::new();
        clients.insert(
            self.doc.client_id(),
            yrs::sync::awareness::AwarenessUpdateEntry {
                clock: 1,
                json: r#"{"user":{"name":"Somebody Else"}}"#.into(),
            },
        );
        self.send(Message::Awareness(yrs::sync::awareness::AwarenessUpdate {
            clients,
        }))
        .await;
    }

    async fn send(&mut self, m: Message) {
        self.ws
            .send(WsMessage::Binary(m.encode_v1().into()))
            .await
            .unwrap();
    }

    /// Reads what the server sends for `wait`, applying it.
    async fn listen(&mut self, wait: Duration) {
        let until = tokio::time::Instant::now() + wait;
        while self.closed.is_none() {
            let next = tokio::time::timeout_at(until, self.ws.next()).await;
            let Ok(next) = next else { return };
            match next {
                Some(Ok(WsMessage::Binary(data))) => self.apply(&data).await,
                Some(Ok(WsMessage::Close(frame))) => {
                    self.closed = Some(frame.map_or(1005, |f| u16::from(f.code)));
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => self.closed = Some(1006),
            }
        }
    }

    async fn apply(&mut self, data: &[u8]) {
        let message = Message::decode_v1(data).unwrap();
        match message {
            Message::Sync(SyncMessage::SyncStep1(sv)) => {
                let update = self.doc.transact().encode_state_as_update_v1(&sv);
                self.send(Message::Sync(SyncMessage::SyncStep2(update)))
                    .await;
            }
            Message::Sync(SyncMessage::SyncStep2(u) | SyncMessage::Update(u)) => {
                self.doc
                    .transact_mut()
                    .apply_update(Update::decode_v1(&u).unwrap())
                    .unwrap();
            }
            _ => {}
        }
    }

    /// Listens until the body holds `text`; how long that took, or None.
    async fn until_text(&mut self, text: &str, within: Duration) -> Option<Duration> {
        let started = Instant::now();
        while started.elapsed() < within {
            if self.body().contains(text) {
                return Some(started.elapsed());
            }
            self.listen(Duration::from_millis(20)).await;
        }
        self.body().contains(text).then(|| started.elapsed())
    }

    /// Types `text` at the end of the body's first paragraph, as the editor would.
    async fn type_text(&mut self, text: &str) {
        let update = {
            let body = self.doc.get_or_insert_xml_fragment("body");
            let mut txn = self.doc.transact_mut();
            let paragraph = match body.get(&txn, 0) {
                Some(XmlOut::Element(p)) => p,
                _ => body.insert(&mut txn, 0, XmlElementPrelim::empty("paragraph")),
            };
            let line = match paragraph.get(&txn, 0) {
                Some(XmlOut::Text(t)) => t,
                _ => paragraph.insert(&mut txn, 0, XmlTextPrelim::new("")),
            };
            let end = line.len(&txn);
            line.insert(&mut txn, end, text);
            txn.encode_update_v1()
        };
        self.send(Message::Sync(SyncMessage::Update(update))).await;
    }

    /// One of the form's shared fields, as the document holds it.
    fn field(&self, name: &str) -> Option<String> {
        let txn = self.doc.transact();
        match txn.get_map("meta")?.get(&txn, name)? {
            yrs::Out::Any(yrs::Any::String(s)) => Some(s.to_string()),
            _ => None,
        }
    }

    /// The body as XML text (its words are what the tests look for).
    fn body(&self) -> String {
        let txn = self.doc.transact();
        txn.get_xml_fragment("body")
            .map(|f| f.get_string(&txn))
            .unwrap_or_default()
    }
}

fn document(words: &str) -> Value {
    json!({"type": "doc", "content": [
        {"type": "paragraph", "content": [{"type": "text", "text": words}]},
        {"type": "paragraph", "content": [{"type": "text", "marks": [{"type": "strong"}], "text": "Second"}]}
    ]})
}

async fn live_editing(dir: &std::path::Path, extra: &[&str], postgres: Option<bbn_store::Store>) {
    let mut site: Vec<String> = data_dir_args(dir);
    site.extend(extra.iter().map(|s| s.to_string()));
    let first = Server::start(dir, extra);
    first.terminate();
    let store = match postgres {
        Some(store) => store,
        None => bbn_store::Store::open_sqlite(&dir.join("bbn.db"))
            .await
            .unwrap(),
    };
    let site: Vec<&str> = site.iter().map(String::as_str).collect();
    let token = admin_and_token(&site, ADMIN, PASSWORD);
    add_user(&site, EDITOR, "Eda Editor", "editor", PASSWORD);
    add_user(
        &site,
        CONTRIBUTOR,
        "Cal Contributor",
        "contributor",
        PASSWORD,
    );
    let server = Server::start_logged(dir, extra);
    let port = server.port;
    let api = Api {
        port,
        token: token.clone(),
    };
    let (status, a) = api.call(
        "POST",
        "/articles",
        Some(&json!({"headline": "Harbour reopens", "section": "world", "body_document": document("Opening words")})),
    );
    assert_eq!(status, 201, "{a}");
    let id = a["id"].as_i64().unwrap();
    let admin = Newsroom::sign_in(port, ADMIN, PASSWORD);
    let editor = Newsroom::sign_in(port, EDITOR, PASSWORD);
    let contributor = Newsroom::sign_in(port, CONTRIBUTOR, PASSWORD);

    // The edit page says where the document lives and who is writing.
    let (_, _, page) = exchange(
        port,
        "GET",
        &format!("/newsroom/articles/{id}/edit"),
        &[("Cookie", &admin.cookie)],
        b"",
    );
    let page = String::from_utf8_lossy(&page);
    assert!(
        page.contains(&format!("data-live-url=\"/newsroom/articles/{id}/live\""))
            && page.contains("data-live-name=\"Test Admin\"")
            && page.contains("data-live-mode=\"edit\""),
        "{page}"
    );

    // Another origin's page cannot open the socket with a staff cookie.
    assert_eq!(
        connect(port, id, &admin.cookie, Some("http://evil.example"))
            .await
            .err(),
        Some(403)
    );
    assert_eq!(
        connect(port, id, "", None).await.err().map(|s| s / 100),
        Some(3),
        "no session: sent to sign in"
    );

    // Two writers: each sees the other's typing.
    let mut a = connect(
        port,
        id,
        &admin.cookie,
        Some(&format!("http://127.0.0.1:{port}")),
    )
    .await
    .unwrap();
    let mut b = connect(port, id, &editor.cookie, None).await.unwrap();
    assert!(
        a.until_text("Opening words", Duration::from_secs(5))
            .await
            .is_some(),
        "{} closed {:?}; the log:\n{}",
        a.body(),
        a.closed,
        server.log()
    );
    assert!(
        b.until_text("Opening words", Duration::from_secs(5))
            .await
            .is_some()
    );
    a.type_text(" alpha").await;
    let took = b.until_text("alpha", Duration::from_secs(1)).await;
    assert!(
        took.is_some(),
        "the second writer sees the first's typing within 1 s: {}",
        b.body()
    );
    // The form's other fields are shared too, as the form sends them.
    assert_eq!(a.field("headline").as_deref(), Some("Harbour reopens"));
    assert_eq!(a.field("comments_open").as_deref(), Some("1"));
    b.type_text(" beta").await;
    assert!(
        a.until_text("beta", Duration::from_secs(1)).await.is_some(),
        "{}",
        a.body()
    );

    // The article list says who is editing, by their accounts' names.
    a.announce().await;
    b.announce().await;
    a.listen(Duration::from_millis(300)).await;
    let (_, _, list) = exchange(
        port,
        "GET",
        "/newsroom/articles",
        &[("Cookie", &admin.cookie)],
        b"",
    );
    let list = String::from_utf8_lossy(&list);
    assert!(
        list.contains("Eda Editor and Test Admin are editing"),
        "{list}"
    );
    assert!(!list.contains("Somebody Else"));

    // A contributor may not edit the admin's article: they read it, and
    // what they send goes nowhere.
    let mut c = connect(port, id, &contributor.cookie, None).await.unwrap();
    assert!(c.until_text("beta", Duration::from_secs(5)).await.is_some());
    c.type_text(" intruder").await;
    c.listen(Duration::from_millis(300)).await;
    assert!(
        a.until_text("intruder", Duration::from_millis(700))
            .await
            .is_none(),
        "{}",
        a.body()
    );

    // Kept as it arrived: a writer who comes later gets it from the database.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut later = connect(port, id, &editor.cookie, None).await.unwrap();
    assert!(
        later
            .until_text("alpha beta", Duration::from_secs(5))
            .await
            .is_some(),
        "{}",
        later.body()
    );
    assert!(!later.body().contains("intruder"));
    drop(later);

    // A save from the live form keeps the document as the working copy
    // (its base moves with the article in the save's transaction), and is
    // not refused for a revision another writer's save has passed.
    let (_, _, page) = exchange(
        port,
        "GET",
        &format!("/newsroom/articles/{id}/edit"),
        &[("Cookie", &admin.cookie)],
        b"",
    );
    let page = String::from_utf8_lossy(&page).to_string();
    let section = page
        .split("<option value=\"")
        .filter_map(|o| o.split_once("\" selected"))
        .map(|(v, _)| v.to_string())
        .find(|v| v.parse::<i64>().is_ok())
        .expect("a chosen section");
    let author = page
        .split("name=\"authors\"")
        .skip(1)
        .find(|o| o.split('>').next().unwrap_or("").contains(" checked"))
        .and_then(|o| o.split("value=\"").nth(1))
        .and_then(|v| v.split('"').next())
        .expect("a chosen author")
        .to_string();
    let body = serde_json::to_string(&document("Opening words alpha beta")).unwrap();
    let stale = "1";
    let (status, head) = admin.post(
        &format!("/newsroom/articles/{id}/edit"),
        &[
            ("headline", "Harbour reopens"),
            ("slug", "harbour-reopens"),
            ("section_id", &section),
            ("authors", &author),
            ("body", &body),
            ("body_format", "doc"),
            ("comments_open", "on"),
            ("revision", stale),
            ("live", "1"),
            ("action", "save"),
        ],
    );
    assert_eq!(
        status, 303,
        "saved from the live form, over an old revision: {head}"
    );
    let article = store.article_by_id(id).await.unwrap().unwrap();
    let kept = store.live_document(id).await.unwrap().unwrap();
    assert_eq!(
        kept.base_digest,
        bbn_store::live_digest(&bbn_core::validate::ArticleDraft::from(&article)),
        "the live document stays the working copy"
    );

    // Signing out closes that session's socket.
    let (status, _) = editor.post("/newsroom/sign-out", &[]);
    assert_eq!(status, 303);
    b.listen(Duration::from_secs(5)).await;
    assert_eq!(
        b.closed,
        Some(4401),
        "the signed-out session's socket is closed"
    );

    // A body saved through the API moves the open document onto it.
    let (status, saved) = api.call(
        "PATCH",
        &format!("/articles/{id}"),
        Some(&json!({"body_document": document("Replaced by the desk"), "headline": "Harbour reopens at last"})),
    );
    assert_eq!(status, 200, "{saved}");
    assert!(
        a.until_text("Replaced by the desk", Duration::from_secs(6))
            .await
            .is_some(),
        "{}",
        a.body()
    );
    assert!(!a.body().contains("alpha"), "{}", a.body());
    assert_eq!(
        a.field("headline").as_deref(),
        Some("Harbour reopens at last")
    );

    // A Markdown article (as imports and the API write them) is edited live
    // at once: the server reads its body into the document, headings and
    // marks kept, and what is typed into it is kept like any other.
    let (status, md) = api.call(
        "POST",
        "/articles",
        Some(&json!({"headline": "Port strike talks", "section": "world",
            "body_markdown": "Talks resume at **noon**.\n\n## What the union wants\n\n- a pay rise\n- shorter shifts\n"})),
    );
    assert_eq!(status, 201, "{md}");
    let md_id = md["id"].as_i64().unwrap();
    let (_, _, page) = exchange(
        port,
        "GET",
        &format!("/newsroom/articles/{md_id}/edit"),
        &[("Cookie", &admin.cookie)],
        b"",
    );
    assert!(
        String::from_utf8_lossy(&page).contains(&format!(
            "data-live-url=\"/newsroom/articles/{md_id}/live\""
        )),
        "a Markdown article's page opens it live"
    );
    let mut m = connect(port, md_id, &admin.cookie, None).await.unwrap();
    assert!(
        m.until_text("shorter shifts", Duration::from_secs(5))
            .await
            .is_some(),
        "{}",
        m.body()
    );
    let read = m.body();
    assert!(
        read.contains("<strong>noon</strong>")
            && read.contains("<heading")
            && read.contains("What the union wants</heading>")
            && read.contains("<bullet_list>"),
        "the Markdown's blocks and marks: {read}"
    );
    m.type_text(" Sources say").await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    drop(m);
    let mut m2 = connect(port, md_id, &admin.cookie, None).await.unwrap();
    assert!(
        m2.until_text(". Sources say", Duration::from_secs(5))
            .await
            .is_some(),
        "kept: {}",
        m2.body()
    );
    drop(m2);

    // SIGKILL mid-typing: what was sent a moment before the kill is kept.
    a.type_text(" gamma").await;
    for n in 0..10 {
        a.type_text(&format!(" k{n}")).await;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(600)).await;
    let mut server = server;
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    let again = Server::start(dir, extra);
    let admin = Newsroom {
        port: again.port,
        ..admin
    };
    let mut back = connect(again.port, id, &admin.cookie, None).await.unwrap();
    assert!(
        back.until_text(
            "gamma k0 k1 k2 k3 k4 k5 k6 k7 k8 k9",
            Duration::from_secs(5)
        )
        .await
        .is_some(),
        "after the kill: {}",
        back.body()
    );

    // The last writer to leave keeps a snapshot of the working copy in the
    // history, with who wrote it; restoring it saves it as a revision.
    back.type_text(" delta").await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    back.ws.close(None).await.unwrap();
    let mut kept = Vec::new();
    for _ in 0..50 {
        kept = store.live_snapshots(id).await.unwrap();
        if !kept.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(kept.len(), 1, "one snapshot when the last writer left");
    assert_eq!(kept[0].writers, ["Test Admin"]);
    let (status, _, page) = exchange(
        again.port,
        "GET",
        &format!("/newsroom/articles/{id}/revisions"),
        &[("Cookie", &admin.cookie)],
        b"",
    );
    let page = String::from_utf8_lossy(&page).to_string();
    assert_eq!(status, 200);
    assert!(page.contains("Live working copies") && page.contains("Test Admin"));
    let (_, _, changes) = exchange(
        again.port,
        "GET",
        &format!("/newsroom/articles/{id}/revisions?snapshot={}", kept[0].id),
        &[("Cookie", &admin.cookie)],
        b"",
    );
    assert!(
        String::from_utf8_lossy(&changes).contains("delta"),
        "the snapshot's changes show its words"
    );
    let before = store.article_by_id(id).await.unwrap().unwrap();
    assert!(!before.body_markdown.contains("delta"));
    let (status, _) = admin.post(
        &format!("/newsroom/articles/{id}/snapshots/{}/restore", kept[0].id),
        &[("revision", &before.revision.to_string())],
    );
    assert_eq!(status, 303);
    let after = store.article_by_id(id).await.unwrap().unwrap();
    assert!(after.body_markdown.contains("gamma k0") && after.body_markdown.contains("delta"));
    assert_eq!(after.revision, before.revision + 1);
    again.terminate();
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_edit_together_and_nothing_sent_is_lost() {
    let dir = temp_dir("live");
    live_editing(&dir, &[], None).await;
    std::fs::remove_dir_all(dir).unwrap();
}

mod postgres {
    use super::*;

    /// Editors connected to two instances over one PostgreSQL edit one
    /// document: each sees the other's typing, relayed through the database.
    #[tokio::test(flavor = "multi_thread")]
    async fn editors_on_two_instances_edit_together() {
        let db = TestDb::postgres().await;
        let (one_dir, two_dir) = (temp_dir("live-one"), temp_dir("live-two"));
        let url = ["--database-url", db.url.as_str()];
        Server::start(&one_dir, &url).terminate();
        let mut site = data_dir_args(&one_dir);
        site.extend(url.iter().map(|s| s.to_string()));
        let site: Vec<&str> = site.iter().map(String::as_str).collect();
        let token = admin_and_token(&site, ADMIN, PASSWORD);
        add_user(&site, EDITOR, "Eda Editor", "editor", PASSWORD);
        let one = Server::start(&one_dir, &url);
        let two = Server::start(&two_dir, &url);
        let api = Api {
            port: one.port,
            token,
        };
        let (status, a) = api.call(
            "POST",
            "/articles",
            Some(&json!({"headline": "Two desks, one story", "section": "world", "body_document": document("Shared words")})),
        );
        assert_eq!(status, 201, "{a}");
        let id = a["id"].as_i64().unwrap();
        let admin = Newsroom::sign_in(one.port, ADMIN, PASSWORD);
        let editor = Newsroom::sign_in(two.port, EDITOR, PASSWORD);
        let mut a = connect(one.port, id, &admin.cookie, None).await.unwrap();
        let mut b = connect(two.port, id, &editor.cookie, None).await.unwrap();
        assert!(
            a.until_text("Shared words", Duration::from_secs(5))
                .await
                .is_some()
        );
        assert!(
            b.until_text("Shared words", Duration::from_secs(5))
                .await
                .is_some()
        );
        a.type_text(" from one").await;
        let took = b.until_text("from one", Duration::from_secs(3)).await;
        assert!(
            took.is_some(),
            "instance two hears instance one: {}",
            b.body()
        );
        b.type_text(" and two").await;
        assert!(
            a.until_text("and two", Duration::from_secs(3))
                .await
                .is_some(),
            "{}",
            a.body()
        );
        // Both hold one document.
        a.listen(Duration::from_millis(300)).await;
        b.listen(Duration::from_millis(300)).await;
        assert_eq!(a.body(), b.body());
        println!("across instances: {took:?}");
        // Each instance's article list names who edits on the other.
        a.announce().await;
        b.announce().await;
        let mut seen = (false, false);
        for _ in 0..40 {
            a.listen(Duration::from_millis(100)).await;
            b.listen(Duration::from_millis(100)).await;
            let list = |port: u16, cookie: &str| {
                let (_, _, page) = exchange(
                    port,
                    "GET",
                    "/newsroom/articles",
                    &[("Cookie", cookie)],
                    b"",
                );
                String::from_utf8_lossy(&page).to_string()
            };
            let on_one = list(one.port, &admin.cookie);
            let on_two = list(two.port, &editor.cookie);
            seen = (
                on_one.contains("Eda Editor") && on_one.contains("are editing"),
                on_two.contains("Test Admin") && on_two.contains("are editing"),
            );
            if seen == (true, true) {
                break;
            }
        }
        assert_eq!(
            seen,
            (true, true),
            "each list names the editor on the other instance"
        );
        one.terminate();
        two.terminate();
        for d in [one_dir, two_dir] {
            std::fs::remove_dir_all(d).unwrap();
        }
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn staff_edit_together_and_nothing_sent_is_lost_on_postgres() {
        let db = TestDb::postgres().await;
        let dir = temp_dir("live-pg");
        live_editing(&dir, &["--database-url", &db.url], Some(db.store.clone())).await;
        std::fs::remove_dir_all(dir).unwrap();
    }
}
