//! Keys for bbn's APIs. A key is shown once, when it is made; the database
//! keeps only its SHA-256, so a leaked table cannot be used to call the APIs.
//!
//! Two kinds: `content` keys read published content through the
//! Ghost-compatible Content API (26 hex characters, the format its official
//! client insists on); `staff` tokens act for one staff account with at most
//! a given role, never above that account's own.

use crate::changes::log_change;
use crate::{Result, Store, StoreError, with_pool};
use bbn_core::{Role, ValidationError};
use sha2::{Digest, Sha256};

/// What a key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiKeyKind {
    /// Read published content (the Content API).
    Content,
    /// Act for a staff account through bbn's own API.
    Staff,
}

impl ApiKeyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ApiKeyKind::Content => "content",
            ApiKeyKind::Staff => "staff",
        }
    }

    pub fn parse(s: &str) -> Option<ApiKeyKind> {
        [ApiKeyKind::Content, ApiKeyKind::Staff]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// A key as lists show it: never the key itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub id: i64,
    pub name: String,
    pub kind: ApiKeyKind,
    /// The last characters of the key, to tell keys apart.
    pub hint: String,
    /// Staff tokens: the most the token may do.
    pub role: Option<Role>,
    /// Staff tokens: the account the token acts for, with its name and current role.
    pub user: Option<(i64, String, Role)>,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

impl ApiKey {
    /// What a staff token may do now: its role, lowered to its account's
    /// current role (an account demoted after the token was made takes the
    /// token down with it). None for content keys.
    pub fn effective_role(&self) -> Option<Role> {
        let (_, _, user_role) = self.user.as_ref()?;
        Some(self.role?.min(*user_role))
    }
}

/// A key to make.
#[derive(Debug, Clone)]
pub struct NewApiKey {
    pub name: String,
    pub kind: ApiKeyKind,
    /// Staff tokens: the account to act for, and the most it may do.
    pub user_id: Option<i64>,
    pub role: Option<Role>,
    /// The admin who made it (None from the shell).
    pub created_by: Option<i64>,
}

/// A key just made: the only time its secret is known.
#[derive(Debug, Clone)]
pub struct IssuedKey {
    pub id: i64,
    pub key: String,
}

/// The SHA-256 of a presented key, as stored.
pub fn api_key_hash(key: &str) -> String {
    Sha256::digest(key.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A fresh secret: 26 hex characters (104 bits) for content keys, as the
/// Content API's clients expect; `bbn_` and 64 hex characters for staff tokens.
fn fresh_key(kind: ApiKeyKind) -> String {
    match kind {
        ApiKeyKind::Content => hex(&rand::random::<[u8; 13]>()),
        ApiKeyKind::Staff => format!("bbn_{}", hex(&rand::random::<[u8; 32]>())),
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    name: String,
    kind: String,
    hint: String,
    role: Option<String>,
    user_id: Option<i64>,
    user_name: Option<String>,
    user_role: Option<String>,
    created_at: i64,
    last_used_at: Option<i64>,
    revoked_at: Option<i64>,
}

impl Row {
    fn into_key(self) -> Option<ApiKey> {
        let user = match (self.user_id, self.user_name, self.user_role) {
            (Some(id), Some(name), Some(role)) => Some((id, name, Role::parse(&role)?)),
            _ => None,
        };
        Some(ApiKey {
            id: self.id,
            name: self.name,
            kind: ApiKeyKind::parse(&self.kind)?,
            hint: self.hint,
            role: self.role.as_deref().and_then(Role::parse),
            user,
            created_at: self.created_at,
            last_used_at: self.last_used_at,
            revoked_at: self.revoked_at,
        })
    }
}

const KEY_SELECT: &str =
    "SELECT k.id, k.name, k.kind, k.hint, k.role, k.user_id, u.name AS user_name,
        u.role AS user_role, k.created_at, k.last_used_at, k.revoked_at
     FROM api_keys k LEFT JOIN users u ON u.id = k.user_id";

/// `last_used_at` moves at most this often (seconds), so that busy keys do
/// not turn every read into a write.
const LAST_USED_GRANULARITY: i64 = 60;

impl Store {
    /// Makes a key and returns it: the one time it can be read. Staff tokens
    /// need an enabled account and a role no higher than the account's.
    #[tracing::instrument(skip_all)]
    pub async fn create_api_key(&self, new: &NewApiKey) -> Result<IssuedKey> {
        let name = new.name.trim().to_string();
        let mut errors = Vec::new();
        if name.is_empty() || name.chars().count() > 100 {
            errors.push(ValidationError::new(
                "name",
                "A name of 1 to 100 characters is required.",
            ));
        }
        let (user_id, role) = match new.kind {
            ApiKeyKind::Content => (None, None),
            ApiKeyKind::Staff => {
                let user = match new.user_id {
                    Some(id) => self.user_by_id(id).await?,
                    None => None,
                };
                match (user, new.role) {
                    (Some(u), _) if u.disabled => {
                        errors.push(ValidationError::new("user", "This account is disabled."));
                        (None, None)
                    }
                    (Some(u), Some(role)) if role > u.role => {
                        errors.push(ValidationError::new(
                            "role",
                            "A token cannot do more than the account it acts for.",
                        ));
                        (None, None)
                    }
                    (Some(u), Some(role)) => (Some(u.id), Some(role)),
                    (None, _) => {
                        errors.push(ValidationError::new("user", "Choose a staff account."));
                        (None, None)
                    }
                    (Some(_), None) => {
                        errors.push(ValidationError::new("role", "Choose a role."));
                        (None, None)
                    }
                }
            }
        };
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let key = fresh_key(new.kind);
        let hint = key[key.len() - 4..].to_string();
        let now = self.now();
        let id = crate::write_tx!(self, tx => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO api_keys (name, kind, key_hash, hint, role, user_id, created_by, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(&name)
            .bind(new.kind.as_str())
            .bind(api_key_hash(&key))
            .bind(&hint)
            .bind(role.map(Role::as_str))
            .bind(user_id)
            .bind(new.created_by)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            log_change!(tx, "api_key", id, "create")?;
            id
        })?;
        Ok(IssuedKey { id, key })
    }

    /// Every key, newest first (revoked ones too, marked).
    #[tracing::instrument(skip_all)]
    pub async fn api_keys(&self) -> Result<Vec<ApiKey>> {
        let sql = format!("{KEY_SELECT} ORDER BY k.id DESC");
        let rows: Vec<Row> = with_pool!(&self.pool, p => sqlx::query_as(&sql).fetch_all(p).await?);
        Ok(rows.into_iter().filter_map(Row::into_key).collect())
    }

    /// Stops a key working, at once and for good. Revoking a revoked key
    /// changes nothing; an unknown id is `NotFound`.
    #[tracing::instrument(skip_all)]
    pub async fn revoke_api_key(&self, id: i64) -> Result<()> {
        let now = self.now();
        crate::write_tx!(self, tx => {
            let exists: Option<Option<i64>> = sqlx::query_scalar("SELECT revoked_at FROM api_keys WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
            match exists {
                None => return Err(StoreError::NotFound),
                Some(Some(_)) => return Ok(()),
                Some(None) => {}
            }
            sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2")
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            log_change!(tx, "api_key", id, "update")?;
        })
    }

    /// The live key of this kind that `presented` is, if any: found by its
    /// hash through the unique index (the same work whatever is presented).
    /// A staff token whose account is disabled does not count.
    #[tracing::instrument(skip_all)]
    pub async fn api_key_for(&self, presented: &str, kind: ApiKeyKind) -> Result<Option<ApiKey>> {
        let sql = format!(
            "{KEY_SELECT} WHERE k.key_hash = $1 AND k.kind = $2 AND k.revoked_at IS NULL
               AND (k.user_id IS NULL OR u.disabled = FALSE)"
        );
        let row: Option<Row> = with_pool!(&self.pool, p => {
            sqlx::query_as(&sql).bind(api_key_hash(presented)).bind(kind.as_str()).fetch_optional(p).await?
        });
        let Some(key) = row.and_then(Row::into_key) else {
            return Ok(None);
        };
        if kind == ApiKeyKind::Staff && key.user.is_none() {
            return Ok(None);
        }
        let now = self.now();
        if key
            .last_used_at
            .is_none_or(|t| now - t >= LAST_USED_GRANULARITY)
        {
            // Bookkeeping only: not content, so no change-log entry and no write lock queue.
            with_pool!(&self.pool, p => {
                sqlx::query("UPDATE api_keys SET last_used_at = $1 WHERE id = $2")
                    .bind(now)
                    .bind(key.id)
                    .execute(p)
                    .await?;
            });
        }
        Ok(Some(key))
    }
}
