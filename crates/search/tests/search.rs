//! Search as readers use it, on SQLite and PostgreSQL: ranking, phrases,
//! exclusions, prefixes, typos, accents, filters with facets, odd queries,
//! and an index that follows the newsroom's changes.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use bbn_core::Status;
use bbn_core::validate::ArticleDraft;
use bbn_search::{Search, SearchRequest, Sort};
use bbn_store::Store;
use bbn_store::testing::TestDb;
use std::sync::Arc;

struct Site {
    store: Store,
    search: Arc<Search>,
    ids: Vec<i64>,
    _db: TestDb,
}

const DAY: i64 = 86_400;

async fn site(db: TestDb) -> Site {
    let store = db.store.clone();
    let world = store
        .create_section("world", "World", "", Some(1))
        .await
        .unwrap();
    let sport = store
        .create_section("sport", "Sport", "", Some(2))
        .await
        .unwrap();
    let diplomacy = store
        .create_topic("diplomatic-relations", "Diplomatic Relations", "")
        .await
        .unwrap();
    let football = store
        .create_topic("football", "Football", "")
        .await
        .unwrap();
    let sergei = store
        .create_author("sergei-ivanov", "Sergeï Ivanov", "")
        .await
        .unwrap();
    let ana = store.create_author("ana-li", "Ana Li", "").await.unwrap();
    let now = bbn_core::time::now();
    let stories = [
        (
            "lavrov-in-pyongyang",
            "Lavrov and Choe hold talks in Pyongyang",
            "Ministers met for two days.",
            "The foreign ministers discussed the arms shipment and a visit by the president.",
            world,
            diplomacy,
            sergei,
            3,
        ),
        (
            "shipment-claims",
            "Washington accuses Pyongyang over arms shipment",
            "Officials cite satellite images.",
            "The claims concern an arms shipment by rail. Pyongyang denied any shipment.",
            world,
            diplomacy,
            ana,
            2,
        ),
        (
            "cup-final",
            "United win the cup final in extra time",
            "A late goal settled it.",
            "The football final went to extra time before the winning goal. Ministers watched from the stands.",
            sport,
            football,
            ana,
            1,
        ),
        (
            "budget-talks",
            "Budget talks stall in the capital",
            "No deal on spending.",
            "Talks on the budget stalled again; ministers blamed each other.",
            world,
            diplomacy,
            sergei,
            0,
        ),
    ];
    let mut ids = Vec::new();
    for (slug, headline, dek, body, section, topic, author, days_ago) in stories {
        ids.push(
            store
                .create_article(
                    ArticleDraft::new(slug, headline, section)
                        .dek(dek)
                        .body(body)
                        .authors(vec![author])
                        .topics(vec![topic])
                        .published(now - days_ago * DAY),
                )
                .await
                .unwrap(),
        );
    }
    // A draft: never found.
    store
        .create_article(
            ArticleDraft::new("secret-draft", "Secret draft about Pyongyang", world)
                .body("Not yet.")
                .authors(vec![ana]),
        )
        .await
        .unwrap();
    let search = Search::in_memory(store.clone()).unwrap();
    Site {
        store,
        search,
        ids,
        _db: db,
    }
}

fn req(q: &str) -> SearchRequest {
    SearchRequest {
        q: q.into(),
        page: 1,
        per_page: 10,
        ..Default::default()
    }
}

async fn slugs(s: &Site, r: SearchRequest) -> Vec<String> {
    s.search
        .search(&r)
        .await
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.slug)
        .collect()
}

async fn ranking_phrases_exclusions_and_prefixes(db: TestDb) {
    let s = site(db).await;
    // Headline matches rank first; drafts never appear.
    let found = slugs(&s, req("pyongyang")).await;
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(!found.contains(&"secret-draft".to_string()));
    assert_eq!(
        slugs(&s, req("ministers")).await[0],
        "lavrov-in-pyongyang",
        "headline/dek weigh more than body"
    );
    assert_eq!(
        slugs(&s, req("\"arms shipment\" -washington")).await,
        ["lavrov-in-pyongyang"]
    );
    assert_eq!(
        slugs(&s, req("\"shipment arms\"")).await.len(),
        0,
        "a phrase keeps its order"
    );
    assert_eq!(
        slugs(&s, req("pyong")).await.len(),
        2,
        "the last word matches as a prefix"
    );
    assert_eq!(
        slugs(&s, req("pyong ")).await.len(),
        0,
        "a finished word does not"
    );
    // Authors and topics are searchable; accents fold.
    assert_eq!(slugs(&s, req("sergei")).await.len(), 2);
    assert_eq!(slugs(&s, req("Sergeï diplomatic")).await.len(), 2);
    // Newest first on request.
    let mut newest = req("talks");
    newest.sort = Sort::Newest;
    assert_eq!(
        slugs(&s, newest).await,
        ["budget-talks", "lavrov-in-pyongyang"]
    );
    // Related: similar stories, never itself.
    let related = s.search.related(s.ids[0], 4).await.unwrap();
    assert!(!related.contains(&s.ids[0]));
    assert_eq!(
        related.first(),
        Some(&s.ids[1]),
        "the other Pyongyang story is closest"
    );
    // Snippets are text with the words the search matched marked.
    let marked = |m: &bbn_search::Marked| -> Vec<String> {
        m.pieces()
            .filter(|(_, on)| *on)
            .map(|(s, _)| s.to_lowercase())
            .collect()
    };
    let r = s.search.search(&req("satellite")).await.unwrap();
    assert!(r.hits[0].snippet.text.to_lowercase().contains("satellite"));
    let headline = &s.search.search(&req("pyongyang")).await.unwrap().hits[0].headline;
    assert!(
        marked(headline).contains(&"pyongyang".to_string()),
        "{headline:?}"
    );
}

async fn typos_filters_and_facets(db: TestDb) {
    let s = site(db).await;
    let r = s.search.search(&req("pyongyng")).await.unwrap();
    assert!(r.fuzzy && r.total == 2, "one typo in a long word: {r:?}");
    assert_eq!(r.suggestion.as_deref(), Some("pyongyang"));
    assert_eq!(
        s.search.search(&req("tlks")).await.unwrap().total,
        0,
        "short words need exact spelling"
    );

    let r = s.search.search(&req("ministers")).await.unwrap();
    assert_eq!(r.total, 3);
    assert!(!r.facets_estimated, "a few matches are counted one by one");
    let world = r.sections.iter().find(|f| f.slug == "world").unwrap();
    assert_eq!((world.name.as_str(), world.count), ("World", 2));
    assert!(
        r.authors
            .iter()
            .any(|f| f.name == "Sergeï Ivanov" && f.count == 2)
    );
    let mut only_sport = req("ministers");
    only_sport.section = Some("sport".into());
    assert_eq!(slugs(&s, only_sport).await, ["cup-final"]);
    let mut by = req("ministers");
    by.author = Some("sergei-ivanov".into());
    by.topic = Some("diplomatic-relations".into());
    assert_eq!(slugs(&s, by).await.len(), 2);
    let mut recent = req("ministers");
    recent.from = Some(bbn_core::time::now() - DAY - 60);
    assert_eq!(
        slugs(&s, recent).await.len(),
        2,
        "the last day and a minute"
    );
    let mut page2 = req("ministers");
    page2.per_page = 2;
    page2.page = 2;
    let r = s.search.search(&page2).await.unwrap();
    assert_eq!((r.total, r.hits.len()), (3, 1));
}

/// Readers asking the same thing at once (a breaking story's name) are
/// answered by one search of the index, and a later change is searched anew.
async fn identical_searches_at_once_are_run_once(db: TestDb) {
    let s = site(db).await;
    // The site's stories in the index first: a search meanwhile would be
    // answered from the index as it was.
    s.search.catch_up().await.unwrap();
    let before = s.search.searches_run();
    let asks: Vec<_> = (0..16)
        .map(|_| {
            let search = s.search.clone();
            tokio::spawn(async move { search.search(&req("pyongyang")).await })
        })
        .collect();
    for ask in asks {
        assert_eq!(ask.await.unwrap().unwrap().total, 2);
    }
    assert_eq!(
        s.search.searches_run() - before,
        1,
        "one search for sixteen readers"
    );
    s.search.search(&req("pyongyang")).await.unwrap();
    assert_eq!(s.search.searches_run() - before, 1, "then from the cache");
    s.search.search(&req("ministers")).await.unwrap();
    assert_eq!(
        s.search.searches_run() - before,
        2,
        "another question is searched"
    );
}

async fn odd_queries_answer_empty_not_errors(db: TestDb) {
    let s = site(db).await;
    let long = "pyongyang ".repeat(1_000);
    for q in [
        "",
        "   ",
        "\"",
        "-",
        "---",
        "!!!",
        "\"unbalanced",
        "AND OR NOT",
        "*?~^:()[]{}",
        "💥🔥",
        "北朝鮮",
        "'; DROP TABLE articles; --",
        "<script>alert(1)</script>",
        long.as_str(),
        "\u{0}\u{1}",
    ] {
        let r = s.search.search(&req(q)).await.unwrap();
        assert!(r.total <= 4, "{q:?}");
    }
    let mut far = req("ministers");
    far.page = usize::MAX;
    assert!(s.search.search(&far).await.unwrap().hits.is_empty());
}

/// Saves article `id` with a new headline, as the newsroom does.
async fn retitle(s: &Site, id: i64, headline: &str) {
    let mut draft = ArticleDraft::from(&s.store.article_by_id(id).await.unwrap().unwrap());
    draft.headline = headline.into();
    s.store
        .update_article(id, draft, None, false)
        .await
        .unwrap();
}

async fn the_index_follows_the_newsroom(db: TestDb) {
    let s = site(db).await;
    let id = s.ids[1];
    let mut draft = ArticleDraft::from(&s.store.article_by_id(id).await.unwrap().unwrap());
    draft.status = Status::Unpublished;
    s.store
        .update_article(id, draft.clone(), None, false)
        .await
        .unwrap();
    assert_eq!(
        slugs(&s, req("washington")).await.len(),
        0,
        "unpublishing removes at once"
    );
    draft.status = Status::Published;
    s.store
        .update_article(id, draft, None, false)
        .await
        .unwrap();
    retitle(&s, id, "Washington repeats its accusation").await;
    assert_eq!(slugs(&s, req("accusation")).await, ["shipment-claims"]);
    // A renamed topic is found by its new name.
    let topic = s.store.topic_by_slug("football").await.unwrap().unwrap();
    s.store
        .update_topic(topic.id, "soccer", "Soccer", "")
        .await
        .unwrap();
    assert_eq!(slugs(&s, req("soccer")).await, ["cup-final"]);
    assert_eq!(
        s.search.applied().await,
        s.store.last_change().await.unwrap()
    );
}

/// A write that took its place in the change log and never committed (a
/// crashed instance's) holds the index back not at all; a write that
/// commits after later ones (PostgreSQL) is indexed when it commits.
async fn changes_past_a_gap_are_indexed_at_once(db: TestDb) {
    let s = site(db).await;
    s.search.catch_up().await.unwrap();
    s.store.leave_change_gap().await.unwrap();
    // More than one batch of changes behind the gap, then an edit.
    s.store
        .log_settings_changes(1500, bbn_core::time::now())
        .await
        .unwrap();
    retitle(&s, s.ids[1], "Washington answers with quokkas").await;
    assert_eq!(slugs(&s, req("quokkas")).await, ["shipment-claims"]);
    assert_eq!(
        s.search.applied().await,
        s.store.last_change().await.unwrap(),
        "the index is past the gap"
    );
    if s.store.backend() != bbn_store::Backend::Postgres {
        return;
    }
    // An edit stalls before committing while another commits after it.
    let stalled = s
        .store
        .open_write(
            &format!(
                "UPDATE articles SET headline = 'Washington answers with wombats' WHERE id = {}",
                s.ids[1]
            ),
            "article",
            s.ids[1],
        )
        .await
        .unwrap();
    retitle(&s, s.ids[2], "Cup final goes to penalties").await;
    assert_eq!(slugs(&s, req("penalties")).await, ["cup-final"]);
    assert!(slugs(&s, req("wombats")).await.is_empty());
    stalled.commit().await.unwrap();
    s.search.catch_up().await.unwrap();
    assert_eq!(slugs(&s, req("wombats")).await, ["shipment-claims"]);
    // Nothing is indexed twice.
    assert_eq!(s.search.catch_up().await.unwrap(), 0);
}

bbn_store::on_both_backends!(
    ranking_phrases_exclusions_and_prefixes,
    changes_past_a_gap_are_indexed_at_once,
    typos_filters_and_facets,
    odd_queries_answer_empty_not_errors,
    the_index_follows_the_newsroom,
    identical_searches_at_once_are_run_once,
);
