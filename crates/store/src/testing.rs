//! Throwaway databases for tests: a fresh SQLite file or a fresh PostgreSQL
//! database per test, so tests run in parallel and never see each other.
//!
//! PostgreSQL is found at `BBN_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`). A PostgreSQL test fails
//! when it cannot reach it: a test that did not run never reports "ok".
//! Every such test has `postgres::` in its name, so `tools/test` (the
//! README's test command) leaves them out with `--skip postgres::` when no
//! server answers, and reports them as NOT RUN.

#![allow(
    clippy::expect_used,
    clippy::panic,
    reason = "test set-up fails loudly"
)]

use crate::{Backend, Store};
use std::path::PathBuf;

pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A migrated, empty store that is deleted when dropped.
pub struct TestDb {
    pub store: Store,
    /// The URL that reaches this database (for starting a `bbn` process on it).
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Dir(PathBuf),
    Database { admin_url: String, name: String },
}

fn unique_name() -> String {
    format!(
        "bbn_test_{}_{:016x}",
        std::process::id(),
        rand::random::<u64>()
    )
}

fn admin_url() -> String {
    std::env::var("BBN_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_string())
}

/// The URL of a database named `name` on the same server as `admin`.
fn with_database(admin: &str, name: &str) -> String {
    let (base, query) = admin
        .split_once('?')
        .map_or((admin, None), |(b, q)| (b, Some(q)));
    let root = match base.rfind('/') {
        Some(i) if i > "postgres://".len() => &base[..i],
        _ => base,
    };
    match query {
        Some(q) => format!("{root}/{name}?{q}"),
        None => format!("{root}/{name}"),
    }
}

/// Why a PostgreSQL test cannot run, and the two ways round it.
fn postgres_missing(url: &str, error: &str) -> String {
    format!(
        "PostgreSQL test not run: cannot reach {url} ({error}). Start PostgreSQL there \
         (apt-get install postgresql; pg_ctlcluster <version> main start) or set \
         BBN_TEST_POSTGRES_URL, or run the suite with tools/test, which skips the \
         PostgreSQL tests (postgres:: in their names) when no server answers and \
         reports them as NOT RUN"
    )
}

impl TestDb {
    pub async fn new(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => TestDb::sqlite().await,
            Backend::Postgres => TestDb::postgres().await,
        }
    }

    pub async fn sqlite() -> TestDb {
        let dir = std::env::temp_dir().join(unique_name());
        std::fs::create_dir_all(&dir).expect("create test dir");
        let store = Store::open_sqlite(&dir.join("bbn.db"))
            .await
            .expect("open sqlite");
        store.migrate().await.expect("migrate sqlite");
        let url = format!("sqlite://{}", dir.join("bbn.db").display());
        TestDb {
            store,
            url,
            cleanup: Cleanup::Dir(dir),
        }
    }

    /// A fresh PostgreSQL database; panics, naming the server and the way
    /// round, when the server cannot be reached.
    pub async fn postgres() -> TestDb {
        let admin_url = admin_url();
        let admin = match Store::connect(&admin_url).await {
            Ok(s) => s,
            Err(e) => panic!("{}", postgres_missing(&admin_url, &e.to_string())),
        };
        let name = unique_name();
        admin
            .execute_raw(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create test database");
        admin.close().await;
        let url = with_database(&admin_url, &name);
        let store = Store::connect(&url).await.expect("connect test database");
        store.migrate().await.expect("migrate postgres");
        TestDb {
            store,
            url,
            cleanup: Cleanup::Database { admin_url, name },
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Dir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Database { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                // Drop runs inside the test's runtime, which cannot be blocked on; a
                // short-lived thread with its own runtime removes the database.
                let _ = std::thread::spawn(move || {
                    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                    else {
                        return;
                    };
                    rt.block_on(async {
                        if let Ok(admin) = Store::connect(&admin_url).await {
                            let _ = admin
                                .execute_raw(&format!(
                                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                                ))
                                .await;
                            admin.close().await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

impl Store {
    /// Whether a database of that name exists on this PostgreSQL server.
    pub async fn database_exists(&self, name: &str) -> crate::Result<bool> {
        Ok(crate::with_pool!(&self.pool, p => {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM pg_database WHERE datname = $1")
                .bind(name)
                .fetch_one(p)
                .await?
        }) > 0)
    }

    /// How many rows a table has; for tests' checks only.
    pub async fn count_rows(&self, table: &str) -> crate::Result<i64> {
        self.query_i64(&format!("SELECT COUNT(*) FROM {table}"))
            .await
    }

    /// The one integer a query answers; for tests' checks only.
    pub async fn query_i64(&self, sql: &str) -> crate::Result<i64> {
        Ok(crate::with_pool!(&self.pool, p => {
            sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await?
        }))
    }

    /// The first column of every row a query answers, as text; for tests' checks only.
    pub async fn query_strings(&self, sql: &str) -> crate::Result<Vec<String>> {
        Ok(crate::with_pool!(&self.pool, p => {
            sqlx::query_scalar::<_, String>(sql).fetch_all(p).await?
        }))
    }

    /// Leaves a gap in the change log: a sequence number taken by a write
    /// that never commits, as a writer killed mid-transaction leaves one.
    pub async fn leave_change_gap(&self) -> crate::Result<()> {
        self.open_write("SELECT 1", "settings", 1)
            .await?
            .rollback()
            .await
    }

    /// Begins a write as a writer does, `sql` and its entry in the change
    /// log in one transaction, and leaves it open: a writer that stalls
    /// between writing and committing (a slow client of a long import, a
    /// paused process). On SQLite it holds the write lock until it ends.
    pub async fn open_write(&self, sql: &str, entity: &str, id: i64) -> crate::Result<OpenWrite> {
        let log = "INSERT INTO changes (entity, entity_id, op, at) VALUES ($1, $2, 'update', $3)";
        Ok(match &self.pool {
            crate::db::Pool::Sqlite(p) => {
                let mut tx = p.begin_with("BEGIN IMMEDIATE").await?;
                sqlx::raw_sql(sql).execute(&mut *tx).await?;
                sqlx::query(log)
                    .bind(entity)
                    .bind(id)
                    .bind(bbn_core::time::now())
                    .execute(&mut *tx)
                    .await?;
                OpenWrite::Sqlite(tx)
            }
            crate::db::Pool::Postgres(p) => {
                let mut tx = p.begin().await?;
                sqlx::raw_sql(sql).execute(&mut *tx).await?;
                sqlx::query(log)
                    .bind(entity)
                    .bind(id)
                    .bind(bbn_core::time::now())
                    .execute(&mut *tx)
                    .await?;
                OpenWrite::Postgres(tx)
            }
        })
    }

    /// Logs `n` settings changes at time `at`, in one statement.
    pub async fn log_settings_changes(&self, n: usize, at: i64) -> crate::Result<()> {
        let rows: Vec<String> = (0..n)
            .map(|_| format!("('settings', 1, 'update', {at})"))
            .collect();
        self.execute_raw(&format!(
            "INSERT INTO changes (entity, entity_id, op, at) VALUES {}",
            rows.join(", ")
        ))
        .await
    }

    /// Runs one statement that binds nothing; for test set-up only.
    pub async fn execute_raw(&self, sql: &str) -> crate::Result<()> {
        crate::with_pool!(&self.pool, p => { sqlx::raw_sql(sql).execute(p).await?; });
        Ok(())
    }
}

/// A write left open by `Store::open_write`.
pub enum OpenWrite {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl OpenWrite {
    pub async fn commit(self) -> crate::Result<()> {
        match self {
            OpenWrite::Sqlite(tx) => tx.commit().await?,
            OpenWrite::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }

    pub async fn rollback(self) -> crate::Result<()> {
        match self {
            OpenWrite::Sqlite(tx) => tx.rollback().await?,
            OpenWrite::Postgres(tx) => tx.rollback().await?,
        }
        Ok(())
    }
}

/// Defines `mod sqlite` and `mod postgres`, each with one `#[tokio::test]` per
/// name that calls the function of that name with a fresh `TestDb` of its
/// backend. A PostgreSQL test fails when no server is reachable; `tools/test`
/// skips `postgres::` then and reports the tests as not run.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test] async fn $name() {
                super::$name($crate::testing::TestDb::sqlite().await).await;
            })*
        }
        mod postgres {
            $(#[tokio::test] async fn $name() {
                super::$name($crate::testing::TestDb::postgres().await).await;
            })*
        }
    };
}

#[cfg(test)]
mod tests {
    #[test]
    fn derives_database_urls() {
        assert_eq!(
            super::with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            super::with_database("postgres://u@h/db?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
    }
}
