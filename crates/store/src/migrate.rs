//! Versioned schema migrations, one folder per backend, applied in order at
//! start-up, each in its own transaction. Applied files are never edited:
//! a change to the schema is a new file in both folders.

use crate::db::Pool;
use crate::{Result, StoreError, with_pool};

struct Migration {
    version: i64,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        sqlite: include_str!("../migrations/sqlite/0001_foundation.sql"),
        postgres: include_str!("../migrations/postgres/0001_foundation.sql"),
    },
    Migration {
        version: 2,
        sqlite: include_str!("../migrations/sqlite/0002_newsroom.sql"),
        postgres: include_str!("../migrations/postgres/0002_newsroom.sql"),
    },
    Migration {
        version: 3,
        sqlite: include_str!("../migrations/sqlite/0003_comments.sql"),
        postgres: include_str!("../migrations/postgres/0003_comments.sql"),
    },
    Migration {
        version: 4,
        sqlite: include_str!("../migrations/sqlite/0004_spam_filter.sql"),
        postgres: include_str!("../migrations/postgres/0004_spam_filter.sql"),
    },
    Migration {
        version: 5,
        sqlite: include_str!("../migrations/sqlite/0005_most_read.sql"),
        postgres: include_str!("../migrations/postgres/0005_most_read.sql"),
    },
    Migration {
        version: 6,
        sqlite: include_str!("../migrations/sqlite/0006_distribution.sql"),
        postgres: include_str!("../migrations/postgres/0006_distribution.sql"),
    },
    Migration {
        version: 7,
        sqlite: include_str!("../migrations/sqlite/0007_webhooks.sql"),
        postgres: include_str!("../migrations/postgres/0007_webhooks.sql"),
    },
    Migration {
        version: 8,
        sqlite: include_str!("../migrations/sqlite/0008_sitemap_index.sql"),
        postgres: include_str!("../migrations/postgres/0008_sitemap_index.sql"),
    },
    Migration {
        version: 9,
        sqlite: include_str!("../migrations/sqlite/0009_moving_in.sql"),
        postgres: include_str!("../migrations/postgres/0009_moving_in.sql"),
    },
    Migration {
        version: 10,
        sqlite: include_str!("../migrations/sqlite/0010_change_detail.sql"),
        postgres: include_str!("../migrations/postgres/0010_change_detail.sql"),
    },
    Migration {
        version: 11,
        sqlite: include_str!("../migrations/sqlite/0011_audit_log.sql"),
        postgres: include_str!("../migrations/postgres/0011_audit_log.sql"),
    },
    Migration {
        version: 12,
        sqlite: include_str!("../migrations/sqlite/0012_import_versions.sql"),
        postgres: include_str!("../migrations/postgres/0012_import_versions.sql"),
    },
    Migration {
        version: 13,
        sqlite: include_str!("../migrations/sqlite/0013_sanitized_bodies.sql"),
        postgres: include_str!("../migrations/postgres/0013_sanitized_bodies.sql"),
    },
    Migration {
        version: 14,
        sqlite: include_str!("../migrations/sqlite/0014_exact_change_log.sql"),
        postgres: include_str!("../migrations/postgres/0014_exact_change_log.sql"),
    },
    Migration {
        version: 15,
        sqlite: include_str!("../migrations/sqlite/0015_live_documents.sql"),
        postgres: include_str!("../migrations/postgres/0015_live_documents.sql"),
    },
    Migration {
        version: 16,
        sqlite: include_str!("../migrations/sqlite/0016_history_and_trash.sql"),
        postgres: include_str!("../migrations/postgres/0016_history_and_trash.sql"),
    },
    Migration {
        version: 17,
        sqlite: include_str!("../migrations/sqlite/0017_media_library.sql"),
        postgres: include_str!("../migrations/postgres/0017_media_library.sql"),
    },
    Migration {
        version: 18,
        sqlite: include_str!("../migrations/sqlite/0018_image_variants.sql"),
        postgres: include_str!("../migrations/postgres/0018_image_variants.sql"),
    },
];

/// The schema version this binary writes and understands.
pub const SCHEMA_VERSION: i64 = 18;

pub(crate) async fn run(pool: &Pool) -> Result<()> {
    let backend = pool.backend();
    with_pool!(pool, p => {
        sqlx::raw_sql(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
        )
        .execute(p)
        .await?;
        let current: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM schema_migrations").fetch_one(p).await?;
        let current = current.unwrap_or(0);
        if current > SCHEMA_VERSION {
            return Err(StoreError::SchemaTooNew { found: current, supported: SCHEMA_VERSION });
        }
        for m in MIGRATIONS.iter().filter(|m| m.version > current) {
            let mut tx = p.begin().await?;
            sqlx::raw_sql(crate::dialect::of_pair(backend, m.sqlite, m.postgres)).execute(&mut *tx).await?;
            sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)")
                .bind(m.version)
                .bind(bbn_core::time::now())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            tracing::info!(version = m.version, "applied migration");
        }
    });
    Ok(())
}
