use super::*;
use crate::body::{NoAttachments, convert};
use crate::{Record, read};
use std::collections::{HashMap, HashSet};

fn generated(posts: usize, comments: usize, seed: u64) -> Vec<u8> {
    let mut out = Vec::new();
    write(&mut out, posts, comments, seed).unwrap();
    out
}

#[test]
fn a_generated_export_reads_back_whole() {
    let bytes = generated(200, 800, 7);
    let mut authors = 0;
    let mut categories = Vec::new();
    let mut tags = 0;
    let mut items = Vec::new();
    let channel = read(&bytes[..], |record| {
        match record {
            Record::Author(_) => authors += 1,
            Record::Category(c) => categories.push(c),
            Record::Tag(_) => tags += 1,
            Record::Term(_) => {}
            Record::Item(i) => items.push(*i),
        }
        Ok::<_, std::convert::Infallible>(())
    })
    .unwrap();
    assert!(channel.warnings.is_empty());
    assert_eq!(channel.wxr_version, "1.2");
    assert_eq!(authors, 5);
    assert_eq!(tags, 200);
    assert_eq!(categories.len(), 20);
    let nested = categories.iter().filter(|c| !c.parent.is_empty()).count();
    assert_eq!(nested, 12);

    let posts: Vec<_> = items.iter().filter(|i| i.post_type == "post").collect();
    let pages: Vec<_> = items.iter().filter(|i| i.post_type == "page").collect();
    assert_eq!(posts.len(), 200);
    assert_eq!(pages.len(), 6);
    assert!(pages.iter().any(|p| p.post_parent != 0));

    let statuses: HashSet<&str> = posts.iter().map(|p| p.status.as_str()).collect();
    for status in ["publish", "draft", "pending", "future", "private"] {
        assert!(statuses.contains(status), "no {status} post");
    }
    let published = posts.iter().filter(|p| p.status == "publish").count();
    assert!(published > 150, "{published}");
    assert!(posts.iter().any(|p| p.is_sticky));
    assert!(posts.iter().any(|p| !p.excerpt.is_empty()));
    assert!(posts.iter().any(|p| p.content.contains("[caption")));
    assert!(
        posts
            .iter()
            .any(|p| p.content.contains("<!-- wp:paragraph"))
    );
    let links: HashSet<&str> = items.iter().map(|i| i.link.as_str()).collect();
    assert_eq!(links.len(), items.len(), "permalinks repeat");
    for post in &posts {
        let words = post.content.split_whitespace().count();
        assert!(words > 40, "{words} words");
        if post.status == "publish" {
            assert!(post.published_unix().is_some());
        }
        if post.status == "draft" {
            assert_eq!(post.published_unix(), None);
        }
    }

    // Every comment is there, threads stay within their post, and a few
    // posts carry many of them.
    let comments: usize = items.iter().map(|i| i.comments.len()).sum();
    assert_eq!(comments, 800);
    for item in &items {
        let ids: HashSet<i64> = item.comments.iter().map(|c| c.id).collect();
        for c in &item.comments {
            assert!(c.parent == 0 || ids.contains(&c.parent));
            assert!(c.date_unix().is_some());
        }
    }
    let mut per_post: Vec<usize> = items.iter().map(|i| i.comments.len()).collect();
    per_post.sort_unstable_by(|a, b| b.cmp(a));
    assert!(per_post[0] > 50, "{per_post:?}");
    assert!(
        items
            .iter()
            .any(|i| i.comments.iter().any(|c| c.parent != 0))
    );
    let mut approval: HashMap<&str, usize> = HashMap::new();
    for c in items.iter().flat_map(|i| &i.comments) {
        *approval.entry(c.approved.as_str()).or_default() += 1;
    }
    assert!(approval["1"] > 500 && approval["0"] > 20 && approval["spam"] > 20);

    // Captioned posts name their picture, which is in the export.
    let attachments: HashSet<i64> = items
        .iter()
        .filter(|i| i.post_type == "attachment")
        .map(|i| i.post_id)
        .collect();
    for post in &posts {
        if let Some(id) = post.meta("_thumbnail_id") {
            assert!(attachments.contains(&id.parse().unwrap()));
        }
    }
    for post in &posts {
        let c = convert(&post.content, post.post_id, &NoAttachments);
        assert!(c.unknown_shortcodes.is_empty());
        assert!(!c.html.contains("[caption"));
    }
}

#[test]
fn the_same_seed_gives_the_same_export() {
    assert_eq!(generated(30, 50, 1), generated(30, 50, 1));
    assert_ne!(generated(30, 50, 1), generated(30, 50, 2));
}

#[test]
fn tiny_exports_are_valid_too() {
    for (posts, comments) in [(0, 0), (0, 5), (1, 0), (1, 3)] {
        let bytes = generated(posts, comments, 3);
        let mut items = 0;
        read(&bytes[..], |r| {
            if let Record::Item(i) = r {
                items += usize::from(i.post_type == "post");
            }
            Ok::<_, std::convert::Infallible>(())
        })
        .unwrap();
        assert_eq!(items, posts);
    }
}
