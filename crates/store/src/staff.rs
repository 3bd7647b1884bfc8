//! Staff accounts and their sessions.

use crate::changes::log_change;
use crate::error::OnConflict;
use crate::{Result, Store, StoreError, with_pool};
use bbn_core::{Role, User, ValidationError, slug};

#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    email: String,
    name: String,
    role: String,
    password_hash: Option<String>,
    disabled: bool,
    author_id: Option<i64>,
    created_at: i64,
}

impl UserRow {
    fn into_user(self) -> (User, Option<String>) {
        let user = User {
            id: self.id,
            email: self.email,
            name: self.name,
            role: Role::parse(&self.role).unwrap_or(Role::Contributor),
            disabled: self.disabled,
            has_password: self.password_hash.is_some(),
            author_id: self.author_id,
            created_at: self.created_at,
        };
        (user, self.password_hash)
    }
}

const USER_COLUMNS: &str = "SELECT u.id, u.email, u.name, u.role, u.password_hash, u.disabled, u.author_id, u.created_at FROM users u";

/// A staff account to create.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    pub role: Role,
    /// Argon2id hash; None leaves the account unable to sign in until a password is set.
    pub password_hash: Option<String>,
}

/// Lowercases and checks an email address; the message says what is wrong.
pub fn normalize_email(email: &str) -> Result<String, ValidationError> {
    let e = email.trim().to_lowercase();
    let valid = e.len() <= 254
        && e.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
        && !e.chars().any(|c| c.is_whitespace() || c.is_control());
    if valid {
        Ok(e)
    } else {
        Err(ValidationError::new(
            "email",
            "Enter an email address like name@example.com.",
        ))
    }
}

/// A signed-in session as the web layer needs it.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf_token: String,
}

impl Store {
    pub async fn count_users(&self) -> Result<i64> {
        Ok(
            with_pool!(&self.pool, p => sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(p).await?),
        )
    }

    /// Creates a staff account and the byline it writes under (reusing an
    /// author of the same name's slug when one exists without an account).
    #[tracing::instrument(skip_all)]
    pub async fn create_user(&self, new: &NewUser) -> Result<i64> {
        let mut errors = Vec::new();
        let email = normalize_email(&new.email)
            .map_err(|e| errors.push(e))
            .unwrap_or_default();
        let name = new.name.trim().to_string();
        if name.is_empty() || name.chars().count() > 200 {
            errors.push(ValidationError::new(
                "name",
                "A name of 1 to 200 characters is required.",
            ));
        }
        let author_slug = slug::slugify(&name);
        if author_slug.is_empty() && !name.is_empty() {
            errors.push(ValidationError::new(
                "name",
                "The name needs at least one letter or digit.",
            ));
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let now = self.now();
        crate::write_tx!(self, tx => {
            let existing: Option<i64> = sqlx::query_scalar(
                "SELECT a.id FROM authors a WHERE a.slug = $1 AND NOT EXISTS (SELECT 1 FROM users u WHERE u.author_id = a.id)",
            )
            .bind(&author_slug)
            .fetch_optional(&mut *tx)
            .await?;
            let author_id = match existing {
                Some(id) => id,
                None => {
                    // A namesake with an account keeps their slug; this one gets a numbered slug.
                    let taken: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM authors WHERE slug = $1 OR slug LIKE $2")
                        .bind(&author_slug)
                        .bind(format!("{author_slug}-%"))
                        .fetch_one(&mut *tx)
                        .await?;
                    let slug = if taken == 0 { author_slug.clone() } else { format!("{author_slug}-{}", taken + 1) };
                    let id: i64 = sqlx::query_scalar("INSERT INTO authors (slug, name, bio) VALUES ($1, $2, '') RETURNING id")
                        .bind(&slug)
                        .bind(&name)
                        .fetch_one(&mut *tx)
                        .await
                        .on_conflict("name")?;
                    log_change!(tx, "author", id, "create")?;
                    id
                }
            };
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO users (email, name, role, password_hash, disabled, author_id, created_at)
                 VALUES ($1, $2, $3, $4, FALSE, $5, $6) RETURNING id",
            )
            .bind(&email)
            .bind(&name)
            .bind(new.role.as_str())
            .bind(&new.password_hash)
            .bind(author_id)
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .on_conflict("email")?;
            log_change!(tx, "user", id, "create")?;
            id
        })
    }

    /// The account and its password hash, by email (any case).
    #[tracing::instrument(skip_all)]
    pub async fn user_for_sign_in(&self, email: &str) -> Result<Option<(User, Option<String>)>> {
        let Ok(email) = normalize_email(email) else {
            return Ok(None);
        };
        let sql = format!("{USER_COLUMNS} WHERE u.email = $1");
        let row: Option<UserRow> =
            with_pool!(&self.pool, p => sqlx::query_as(&sql).bind(email).fetch_optional(p).await?);
        Ok(row.map(UserRow::into_user))
    }

    pub async fn user_by_id(&self, id: i64) -> Result<Option<User>> {
        let sql = format!("{USER_COLUMNS} WHERE u.id = $1");
        let row: Option<UserRow> =
            with_pool!(&self.pool, p => sqlx::query_as(&sql).bind(id).fetch_optional(p).await?);
        Ok(row.map(|r| r.into_user().0))
    }

    pub async fn users(&self) -> Result<Vec<User>> {
        let sql = format!("{USER_COLUMNS} ORDER BY u.name, u.id");
        let rows: Vec<UserRow> =
            with_pool!(&self.pool, p => sqlx::query_as(&sql).fetch_all(p).await?);
        Ok(rows.into_iter().map(|r| r.into_user().0).collect())
    }

    /// Sets a new password hash and ends every session of the account but `keep_session`.
    #[tracing::instrument(skip_all)]
    pub async fn set_password(
        &self,
        user_id: i64,
        hash: &str,
        keep_session: Option<&str>,
    ) -> Result<()> {
        crate::write_tx!(self, tx => {
            let n = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
                .bind(hash)
                .bind(user_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
                .bind(user_id)
                .bind(keep_session.unwrap_or(""))
                .execute(&mut *tx)
                .await?;
            log_change!(tx, "user", user_id, "update")?;
        })
    }

    /// Disables or re-enables an account; disabling ends its sessions at once.
    #[tracing::instrument(skip_all)]
    pub async fn set_user_disabled(&self, user_id: i64, disabled: bool) -> Result<()> {
        crate::write_tx!(self, tx => {
            let n = sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2")
                .bind(disabled)
                .bind(user_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            if disabled {
                sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
            }
            log_change!(tx, "user", user_id, "update")?;
        })
    }

    pub async fn set_user_role(&self, user_id: i64, role: Role) -> Result<()> {
        crate::write_tx!(self, tx => {
            sqlx::query("UPDATE users SET role = $1 WHERE id = $2").bind(role.as_str()).bind(user_id).execute(&mut *tx).await?;
            log_change!(tx, "user", user_id, "update")?;
        })
    }

    /// Records a new session (the token itself stays with the browser).
    pub async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        csrf_token: &str,
        expires_at: i64,
    ) -> Result<()> {
        let now = self.now();
        with_pool!(&self.pool, p => {
            sqlx::query(
                "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at)
                 VALUES ($1, $2, $3, $4, $4, $5)",
            )
            .bind(token_hash)
            .bind(user_id)
            .bind(csrf_token)
            .bind(now)
            .bind(expires_at)
            .execute(p)
            .await?;
        });
        Ok(())
    }

    /// The live session of a token: unexpired, its account enabled. Moves
    /// the expiry to `extend_to` at most once a minute (inactivity timeout).
    pub async fn session(
        &self,
        token_hash: &str,
        now: i64,
        extend_to: i64,
    ) -> Result<Option<Session>> {
        let sql = format!(
            "{USER_COLUMNS} JOIN sessions s ON s.user_id = u.id
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled = FALSE"
        );
        let found: Option<(UserRow, String, i64)> = with_pool!(&self.pool, p => {
            let row = sqlx::query(&sql.replace("SELECT u.id", "SELECT s.csrf_token, s.last_seen_at, u.id"))
                .bind(token_hash)
                .bind(now)
                .fetch_optional(p)
                .await?;
            match row {
                Some(r) => {
                    use sqlx::{FromRow, Row};
                    Some((UserRow::from_row(&r)?, r.try_get::<String, _>("csrf_token")?, r.try_get::<i64, _>("last_seen_at")?))
                }
                None => None,
            }
        });
        let Some((row, csrf_token, last_seen)) = found else {
            return Ok(None);
        };
        if now - last_seen >= 60 {
            with_pool!(&self.pool, p => {
                sqlx::query("UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE token_hash = $3")
                    .bind(now)
                    .bind(extend_to)
                    .bind(token_hash)
                    .execute(p)
                    .await?;
            });
        }
        Ok(Some(Session {
            user: row.into_user().0,
            csrf_token,
        }))
    }

    /// Ends every session of an account, on every device.
    pub async fn end_sessions(&self, user_id: i64) -> Result<u64> {
        let n = with_pool!(&self.pool, p => {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(p).await?.rows_affected()
        });
        Ok(n)
    }

    /// A random secret shared by every instance on this database, made on first use.
    pub async fn secret(&self, name: &str, fresh: impl FnOnce() -> String) -> Result<String> {
        let found: Option<String> = with_pool!(&self.pool, p => {
            sqlx::query_scalar("SELECT value FROM secrets WHERE name = $1").bind(name).fetch_optional(p).await?
        });
        if let Some(v) = found {
            return Ok(v);
        }
        let value = fresh();
        with_pool!(&self.pool, p => {
            // Two instances racing here agree on whichever row landed first.
            sqlx::query("INSERT INTO secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
                .bind(name)
                .bind(&value)
                .execute(p)
                .await?;
            Ok(sqlx::query_scalar("SELECT value FROM secrets WHERE name = $1").bind(name).fetch_one(p).await?)
        })
    }
}
