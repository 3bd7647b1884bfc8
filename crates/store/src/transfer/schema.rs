//! The database's schema read back and checked against the export format
//! (`spec`), and what follows an import (id allocation moved past the ids
//! the file brought). The statements that differ per backend are the
//! dialect's (`crate::dialect`).

use super::TransferError;
use super::spec::{ARTICLE_PARTS, Kind, NOT_EXPORTED, Shape, TABLES, Table};
use crate::{Backend, Result, Store, with_pool};

/// (name, kind, nullable) of a table's columns as the database has them.
async fn columns_of(store: &Store, table: &str) -> Result<Vec<(String, Option<Kind>, bool)>> {
    let rows: Vec<(String, String, bool)> = with_pool!(&store.pool, p => {
        sqlx::query_as(crate::dialect::columns_sql(store.backend()))
        .bind(table)
        .fetch_all(p)
        .await?
    });
    Ok(rows
        .into_iter()
        .map(|(name, ty, nullable)| {
            let kind = match ty.to_ascii_lowercase().as_str() {
                "integer" | "bigint" => Some(Kind::Int),
                "text" => Some(Kind::Text),
                "boolean" => Some(Kind::Bool),
                "real" | "double precision" => Some(Kind::Real),
                _ => None,
            };
            (name, kind, nullable)
        })
        .collect())
}

/// Where the lists in `spec` and the database's schema disagree; empty
/// when an export would carry every column exactly.
pub(crate) async fn schema_problems(store: &Store) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    for table in TABLES.iter().chain(ARTICLE_PARTS) {
        let actual = columns_of(store, table.name).await?;
        if actual.is_empty() {
            problems.push(format!("table {} is missing", table.name));
            continue;
        }
        for c in table.columns {
            match actual.iter().find(|(name, ..)| name == c.name) {
                None => problems.push(format!("{}.{} is missing", table.name, c.name)),
                Some((_, kind, nullable)) => {
                    if *kind != Some(c.kind) || *nullable != c.nullable {
                        problems.push(format!(
                            "{}.{} is not of the type the export expects",
                            table.name, c.name
                        ));
                    }
                }
            }
        }
        for (name, ..) in &actual {
            if !known_column(table, name) {
                problems.push(format!(
                    "{}.{name} is not carried by the export format",
                    table.name
                ));
            }
        }
    }
    Ok(problems)
}

fn known_column(table: &Table, name: &str) -> bool {
    table.columns.iter().any(|c| c.name == name)
        || table.left_out.contains(&name)
        || table.parent == Some(name)
        || (table.shape == Shape::Single && name == "id")
}

/// Refuses to go on when the database has columns the export would miss
/// or misread.
pub(crate) async fn check_schema(store: &Store) -> Result<(), TransferError> {
    let problems = schema_problems(store).await?;
    if problems.is_empty() {
        Ok(())
    } else {
        Err(TransferError::Schema(problems.join("; ")))
    }
}

impl Store {
    /// Tables of the database that the export format neither carries nor
    /// deliberately leaves out: a new table must be one or the other.
    #[doc(hidden)]
    pub async fn tables_unknown_to_export(&self) -> Result<Vec<String>> {
        let names: Vec<String> = with_pool!(&self.pool, p => {
            sqlx::query_scalar(crate::dialect::tables_sql(self.backend()))
            .fetch_all(p)
            .await?
        });
        Ok(names
            .into_iter()
            .filter(|n| {
                !TABLES.iter().chain(ARTICLE_PARTS).any(|t| t.name == n)
                    && !NOT_EXPORTED.contains(&n.as_str())
            })
            .collect())
    }

    /// Where the export format and the database disagree (see `spec`).
    #[doc(hidden)]
    pub async fn export_schema_problems(&self) -> Result<Vec<String>> {
        schema_problems(self).await
    }
}

/// The statements that follow an import in its transaction, so that the
/// next article or comment does not collide with an imported one.
pub(crate) fn after_import(backend: Backend) -> Vec<String> {
    TABLES
        .iter()
        .chain(ARTICLE_PARTS)
        .filter(|t| t.identity)
        .filter_map(|t| crate::dialect::identity_reset(backend, t.name))
        .collect()
}
