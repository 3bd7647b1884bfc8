//! What the two databases say differently, in one place. Everywhere else
//! the store's SQL is the same text for SQLite and PostgreSQL.

use crate::Backend;

/// The transactions running in the statement's snapshot, as space-separated
/// full (64-bit) ids, '' when none (PostgreSQL).
pub(crate) const RUNNING_TRANSACTIONS: &str = "COALESCE((SELECT string_agg(x::text, ' ') \
     FROM pg_snapshot_xip(pg_current_snapshot()) AS x), '')";

/// The same, as the 32-bit ids `pg_locks` shows (PostgreSQL).
pub(crate) const RUNNING_TRANSACTIONS_32: &str = "COALESCE((SELECT string_agg((x::text::bigint & 4294967295)::text, ' ') \
     FROM pg_snapshot_xip(pg_current_snapshot()) AS x), '')";

/// The last change number handed out (committed or not) and the 32-bit ids
/// of the transactions that have written to the change log and not yet
/// ended: each holds a row-exclusive lock on it until then (PostgreSQL).
pub(crate) const LOG_WRITERS: &str = "SELECT \
       COALESCE(pg_sequence_last_value(pg_get_serial_sequence('changes', 'seq')::regclass), 0), \
       COALESCE((SELECT string_agg(DISTINCT t.transactionid::text, ' ') \
         FROM pg_locks r JOIN pg_locks t ON t.pid = r.pid \
         WHERE r.locktype = 'relation' AND r.granted AND r.mode = 'RowExclusiveLock' \
           AND r.relation = 'changes'::regclass \
           AND r.database = (SELECT oid FROM pg_database WHERE datname = current_database()) \
           AND t.locktype = 'transactionid' AND t.mode = 'ExclusiveLock' AND t.granted), '')";

/// The running transactions a change-log reader must keep (see
/// `ChangeMark`): none on SQLite, which commits changes in number order.
pub(crate) fn running_transactions(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "''",
        Backend::Postgres => RUNNING_TRANSACTIONS,
    }
}

/// A condition: the row's `xid` is one of the space-separated ids in the
/// text parameter `param`. On SQLite, whose lists are always empty, a
/// constant false that the planner sees as such (a condition on `xid`
/// there would read every row of the log on every follower's round).
pub(crate) fn xid_listed_in(param: &str, backend: Backend) -> String {
    match backend {
        Backend::Sqlite => format!("0 AND {param} IS NOT NULL"),
        Backend::Postgres => format!("xid = ANY(string_to_array({param}, ' ')::bigint[])"),
    }
}

/// Appended to a text column in ORDER BY so that both backends sort by
/// bytes (SQLite's BINARY is; PostgreSQL's default collation is not), and
/// an export from either lists records in the same order.
pub(crate) fn text_order(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "",
        Backend::Postgres => " COLLATE \"C\"",
    }
}

/// Begins a transaction whose reads all see one moment of the database.
/// (SQLite's WAL gives a read transaction its snapshot at its first read.)
pub(crate) fn begin_snapshot(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "BEGIN",
        Backend::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY",
    }
}

/// How one step of a site-wide follower (webhooks) keeps other instances
/// out until it commits: (how its transaction begins, what its cursor read
/// appends). SQLite takes the write lock at the start (the step reads, then
/// writes what it read, and another process may share the file);
/// PostgreSQL locks the cursor row.
pub(crate) fn exclusive_step(backend: Backend) -> (&'static str, &'static str) {
    match backend {
        Backend::Sqlite => ("BEGIN IMMEDIATE", ""),
        Backend::Postgres => ("BEGIN", " FOR UPDATE"),
    }
}

/// Whether the database lets one writer at a time in (SQLite): the store
/// then queues its own writers in process rather than have them wait on
/// the file's lock.
pub(crate) fn one_writer(backend: Backend) -> bool {
    matches!(backend, Backend::Sqlite)
}

/// Of two texts written one for each backend (a migration), the one that
/// `backend` runs.
pub(crate) fn of_pair<'a>(backend: Backend, sqlite: &'a str, postgres: &'a str) -> &'a str {
    match backend {
        Backend::Sqlite => sqlite,
        Backend::Postgres => postgres,
    }
}

/// The statement that reads a table's columns back as (name, type,
/// nullable), the table's name bound as `$1`.
pub(crate) fn columns_sql(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => {
            "SELECT name, type, \"notnull\" = 0 AND pk = 0 FROM pragma_table_info($1) ORDER BY cid"
        }
        Backend::Postgres => {
            "SELECT column_name::text, data_type::text, is_nullable::text = 'YES' \
             FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position"
        }
    }
}

/// The statement that lists the database's tables by name.
pub(crate) fn tables_sql(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = current_schema() ORDER BY table_name"
        }
    }
}

/// After rows were written with the ids they brought (an import): the
/// statement that moves `table`'s id allocation past its largest id, if the
/// backend needs one. PostgreSQL's identity sequence does not see ids given
/// explicitly; SQLite takes the next rowid after the largest by itself.
pub(crate) fn identity_reset(backend: Backend, table: &str) -> Option<String> {
    match backend {
        Backend::Sqlite => None,
        Backend::Postgres => Some(format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), MAX(id)) FROM {table}"
        )),
    }
}

/// How a reader of the log's state learns which writers may still commit
/// under the newest number it sees (`LOG_WRITERS`); None where changes
/// commit in number order (SQLite's single writer).
pub(crate) fn log_writers(backend: Backend) -> Option<&'static str> {
    match backend {
        Backend::Sqlite => None,
        Backend::Postgres => Some(LOG_WRITERS),
    }
}
