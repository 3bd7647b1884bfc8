//! What an export holds: each table it carries, in the order the file lists
//! them, with every column's name and type. Export and import build their
//! SQL from these lists alone — never from names read in a file — and check
//! them against the database's own schema before they start
//! (`schema::check_schema`). docs/export-format.md describes the same
//! thing for people; the two change together, with the format's version.

/// A column's type: INTEGER/BIGINT, TEXT, BOOLEAN, REAL/DOUBLE PRECISION.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Int,
    Text,
    Bool,
    Real,
}

impl Kind {
    /// How an error message names a JSON value of this kind.
    pub(crate) fn described(self) -> &'static str {
        match self {
            Kind::Int => "an integer",
            Kind::Text => "a string",
            Kind::Bool => "true or false",
            Kind::Real => "a number",
        }
    }
}

#[derive(Debug)]
pub(crate) struct Column {
    /// The column's name, in SQL and in the file.
    pub name: &'static str,
    pub kind: Kind,
    pub nullable: bool,
    /// The table whose `id` this column holds; an import checks that the
    /// file has that record.
    pub refs: Option<&'static str>,
}

const fn col(name: &'static str, kind: Kind) -> Column {
    Column {
        name,
        kind,
        nullable: false,
        refs: None,
    }
}

const fn opt(name: &'static str, kind: Kind) -> Column {
    Column {
        name,
        kind,
        nullable: true,
        refs: None,
    }
}

const fn id_of(name: &'static str, table: &'static str) -> Column {
    Column {
        name,
        kind: Kind::Int,
        nullable: false,
        refs: Some(table),
    }
}

const fn opt_id_of(name: &'static str, table: &'static str) -> Column {
    Column {
        name,
        kind: Kind::Int,
        nullable: true,
        refs: Some(table),
    }
}

use Kind::{Bool, Int, Real, Text};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// A table of one row whose `id` is always 1 (site settings, the spam
    /// filter's totals): an object without the id, or null when there is no row.
    Single,
    /// An array of records in primary-key order.
    List,
}

#[derive(Debug)]
pub(crate) struct Table {
    /// The table in SQL.
    pub name: &'static str,
    /// Its key in the file (within an article, for the article's parts).
    pub key: &'static str,
    pub shape: Shape,
    pub columns: &'static [Column],
    /// Columns the file leaves out on purpose; an import leaves them to
    /// their defaults (see docs/export-format.md for why each is left out).
    pub left_out: &'static [&'static str],
    /// The order records are written in: the primary key, for the parts of
    /// an article their order within it.
    pub order: &'static [&'static str],
    /// For an article's parts: the column naming the article, which nesting
    /// implies and the file does not repeat.
    pub parent: Option<&'static str>,
    /// Tables nested in each record of this one (an article's parts).
    pub parts: &'static [Table],
    /// Whether `id` is an identity column on PostgreSQL, whose sequence an
    /// import moves past the ids it brought in.
    pub identity: bool,
}

const fn list(
    name: &'static str,
    columns: &'static [Column],
    order: &'static [&'static str],
) -> Table {
    Table {
        name,
        key: name,
        shape: Shape::List,
        columns,
        left_out: &[],
        order,
        parent: None,
        parts: &[],
        identity: false,
    }
}

/// A list whose `id` is its primary key and an identity column.
const fn with_ids(name: &'static str, columns: &'static [Column]) -> Table {
    Table {
        identity: true,
        ..list(name, columns, &["id"])
    }
}

/// A part of an article, nested in it under `key`.
const fn part(
    name: &'static str,
    key: &'static str,
    columns: &'static [Column],
    order: &'static [&'static str],
) -> Table {
    Table {
        key,
        parent: Some("article_id"),
        ..list(name, columns, order)
    }
}

const fn single(name: &'static str, columns: &'static [Column]) -> Table {
    Table {
        shape: Shape::Single,
        ..list(name, columns, &[])
    }
}

/// Every table the file holds, in the file's order: a record only ever
/// names records of tables before it (or, for the few forward references,
/// see `Column::refs`, ones an import fills in at the end).
pub(crate) const TABLES: &[Table] = &[
    single(
        "site_settings",
        &[
            col("name", Text),
            col("description", Text),
            col("copyright_holder", Text),
            col("time_zone", Text),
            col("page_size", Int),
            col("language", Text),
            col("blocking_checks", Text),
            opt_id_of("logo_id", "media"),
            col("comment_moderation", Text),
            opt("comments_close_days", Int),
            col("comment_max_chars", Int),
            col("comment_max_depth", Int),
            col("comment_max_links", Int),
            col("comment_blocklist", Text),
            col("comments_per_page", Int),
            col("comment_filter_after", Int),
            col("comment_filter_threshold", Int),
            col("most_read_days", Int),
            col("feed_items", Int),
            col("feed_full_text", Bool),
            col("robots_txt", Text),
        ],
    ),
    Table {
        // The photo is a media record, which the file carries after the
        // authors: set it again on the new site.
        left_out: &["photo_id"],
        ..with_ids(
            "authors",
            &[
                col("id", Int),
                col("slug", Text),
                col("name", Text),
                col("bio", Text),
                opt("job_title", Text),
                opt("links", Text),
            ],
        )
    },
    Table {
        left_out: &["password_hash"],
        ..with_ids(
            "users",
            &[
                col("id", Int),
                col("email", Text),
                col("name", Text),
                col("role", Text),
                col("disabled", Bool),
                opt_id_of("author_id", "authors"),
                col("created_at", Int),
            ],
        )
    },
    with_ids(
        "sections",
        &[
            col("id", Int),
            col("slug", Text),
            col("name", Text),
            col("description", Text),
            opt("nav_position", Int),
            opt_id_of("parent_id", "sections"),
        ],
    ),
    with_ids(
        "topics",
        &[
            col("id", Int),
            col("slug", Text),
            col("name", Text),
            col("description", Text),
        ],
    ),
    // Whether an item's WebP and AVIF copies are made is this site's own
    // state: the site an export goes into makes them again.
    Table {
        left_out: &["variants"],
        ..with_ids(
            "media",
            &[
                col("id", Int),
                col("url", Text),
                opt("width", Int),
                opt("height", Int),
                col("alt", Text),
                col("caption", Text),
                col("credit", Text),
                col("created_at", Int),
                col("srcset", Text),
                col("kind", Text),
                col("mime", Text),
                col("file_name", Text),
                col("bytes", Int),
                opt_id_of("uploaded_by", "users"),
                col("focal_x", Int),
                col("focal_y", Int),
            ],
        )
    },
    Table {
        parts: ARTICLE_PARTS,
        left_out: &["body_sanitizer", "media_indexed"],
        ..with_ids(
            "articles",
            &[
                col("id", Int),
                col("slug", Text),
                col("headline", Text),
                col("dek", Text),
                col("kicker", Text),
                col("body_format", Text),
                col("body_markdown", Text),
                col("body_html", Text),
                id_of("section_id", "sections"),
                col("status", Text),
                opt_id_of("image_id", "media"),
                col("seo_title", Text),
                col("seo_description", Text),
                col("comments_open", Bool),
                col("created_at", Int),
                opt("published_at", Int),
                opt("updated_at", Int),
                opt("scheduled_at", Int),
                opt("modified_at", Int),
                col("revision", Int),
                opt_id_of("created_by", "users"),
            ],
        )
    },
    list(
        "editors_picks",
        &[id_of("article_id", "articles"), col("position", Int)],
        &["article_id"],
    ),
    Table {
        left_out: &["ip_hash"],
        ..with_ids(
            "comments",
            &[
                col("id", Int),
                id_of("article_id", "articles"),
                opt_id_of("parent_id", "comments"),
                col("author_name", Text),
                col("author_email", Text),
                col("body", Text),
                col("status", Text),
                col("created_at", Int),
                opt_id_of("staff_user_id", "users"),
                opt("spam_score", Real),
                col("spam_reason", Text),
                opt("trained_as", Text),
                col("body_hash", Text),
            ],
        )
    },
    Table {
        left_out: &["body_sanitizer", "media_indexed"],
        ..with_ids(
            "pages",
            &[
                col("id", Int),
                col("slug", Text),
                col("title", Text),
                col("body_format", Text),
                col("body", Text),
                col("body_html", Text),
                col("status", Text),
                opt("footer_position", Int),
                col("seo_description", Text),
                col("created_at", Int),
                opt("published_at", Int),
                col("modified_at", Int),
            ],
        )
    },
    list(
        "redirects",
        &[
            col("path", Text),
            col("target_kind", Text),
            opt("target_id", Int),
            opt("target_url", Text),
            col("created_at", Int),
        ],
        &["path"],
    ),
    list(
        "import_ids",
        &[
            col("source", Text),
            col("kind", Text),
            col("external_id", Text),
            col("local_id", Int),
            opt("local_version", Int),
        ],
        &["source", "kind", "external_id"],
    ),
    single("spam_corpus", &[col("spam", Int), col("ham", Int)]),
    list(
        "spam_tokens",
        &[col("token", Text), col("spam", Int), col("ham", Int)],
        &["token"],
    ),
];

/// An article's parts, nested in each article record under their keys.
pub(crate) const ARTICLE_PARTS: &[Table] = &[
    part(
        "article_authors",
        "authors",
        &[
            id_of("author_id", "authors"),
            col("position", Int),
            opt("live_at", Int),
        ],
        &["position", "author_id"],
    ),
    part(
        "article_topics",
        "topics",
        &[
            id_of("topic_id", "topics"),
            col("position", Int),
            opt("live_at", Int),
        ],
        &["position", "topic_id"],
    ),
    part(
        "faq_items",
        "faq",
        &[
            col("position", Int),
            col("question", Text),
            col("answer", Text),
        ],
        &["position"],
    ),
    Table {
        identity: true,
        ..part(
            "article_revisions",
            "revisions",
            &[
                col("id", Int),
                col("revision", Int),
                opt_id_of("user_id", "users"),
                col("created_at", Int),
                col("snapshot", Text),
                opt("label", Text),
            ],
            &["id"],
        )
    },
    Table {
        identity: true,
        ..part(
            "corrections",
            "corrections",
            &[
                col("id", Int),
                col("kind", Text),
                col("body", Text),
                col("created_at", Int),
                opt_id_of("user_id", "users"),
            ],
            &["id"],
        )
    },
    part(
        "slug_history",
        "slug_history",
        &[col("slug", Text)],
        &["slug"],
    ),
];

/// Tables the file leaves out, each for a reason docs/export-format.md gives.
/// A table in neither list fails the store suite, so a new table is a
/// decision, not an accident.
pub(crate) const NOT_EXPORTED: &[&str] = &[
    "schema_migrations",
    "sessions",
    "secrets",
    "api_keys",
    "webhooks",
    "webhook_deliveries",
    "webhook_article_state",
    "webhook_comment_state",
    "change_cursors",
    "changes",
    "article_views",
    "audit_log",
    "live_documents",
    "live_updates",
    "live_snapshots",
    "article_trash",
    "live_presence",
    "media_uses",
];

/// The version of the format this bbn writes and the newest it reads.
pub const FORMAT_VERSION: i64 = 3;

/// What a file of an older version reads for a column it has no field for.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Missing {
    Null,
    Text(&'static str),
    Int(i64),
}

/// Columns later versions added: (table, column, version, what an older
/// file reads for it: the value the migration that added it gave old rows).
pub(crate) const ADDED: &[(&str, &str, i64, Missing)] = &[
    ("import_ids", "local_version", 2, Missing::Null),
    ("media", "kind", 3, Missing::Text("image")),
    ("media", "mime", 3, Missing::Text("")),
    ("media", "file_name", 3, Missing::Text("")),
    ("media", "bytes", 3, Missing::Int(0)),
    ("media", "uploaded_by", 3, Missing::Null),
    ("media", "focal_x", 3, Missing::Int(50)),
    ("media", "focal_y", 3, Missing::Int(50)),
];

/// What a file of `version` reads for the column, when it was written
/// before the column existed; None when it should have had it.
pub(crate) fn added_after(version: i64, table: &str, column: &str) -> Option<serde_json::Value> {
    ADDED
        .iter()
        .find(|&&(t, c, since, _)| t == table && c == column && since > version)
        .map(|&(_, _, _, missing)| match missing {
            Missing::Null => serde_json::Value::Null,
            Missing::Text(t) => serde_json::Value::from(t),
            Missing::Int(i) => serde_json::Value::from(i),
        })
}

/// The value of the file's `format` key.
pub const FORMAT_NAME: &str = "bbn-export";

/// A value of one column, as read from the database or a file.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Int(i64),
    Text(String),
    Bool(bool),
    Real(f64),
}

impl Table {
    /// The position of `id` among the columns, for tables that have one.
    pub(crate) fn id_column(&self) -> Option<usize> {
        self.columns.iter().position(|c| c.name == "id")
    }

    pub(crate) fn position(name: &str) -> Option<usize> {
        TABLES.iter().position(|t| t.name == name)
    }
}

/// Every table some column points at: an import remembers their ids.
pub(crate) fn referenced_tables() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = TABLES
        .iter()
        .chain(ARTICLE_PARTS)
        .flat_map(|t| t.columns.iter().filter_map(|c| c.refs))
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}
