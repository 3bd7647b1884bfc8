//! Author profiles: what an author page and the newsroom's profile screen
//! show beyond the byline's name and bio (a job title, links, a photo).

use crate::changes::log_change;
use crate::error::OnMissingReference;
use crate::{Result, Store, StoreError, with_pool};
use bbn_core::{Author, ValidationError};

/// An author with their profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorProfile {
    /// With the job title the bylines show.
    pub author: Author,
    /// Their pages elsewhere, http(s) addresses.
    pub links: Vec<String>,
    pub photo_id: Option<i64>,
    pub photo_url: Option<String>,
}

/// What a profile save changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileEdit {
    pub name: String,
    pub bio: String,
    pub job_title: String,
    /// One address a line.
    pub links: String,
    pub photo_id: Option<i64>,
}

/// The most links a profile keeps.
const MOST_LINKS: usize = 8;

type ProfileRow = (
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
);

const PROFILE_SQL: &str =
    "SELECT au.id, au.slug, au.name, au.bio, au.job_title, au.links, au.photo_id, m.url
     FROM authors au LEFT JOIN media m ON m.id = au.photo_id";

fn profile(
    (id, slug, name, bio, job_title, links, photo_id, photo_url): ProfileRow,
) -> AuthorProfile {
    AuthorProfile {
        author: Author {
            id,
            slug,
            name,
            bio,
            job_title: job_title.unwrap_or_default(),
        },
        links: links
            .unwrap_or_default()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect(),
        photo_id,
        photo_url,
    }
}

/// The edit's links, checked: http(s) addresses without spaces, at most
/// `MOST_LINKS`, each up to 500 characters.
fn checked(edit: &ProfileEdit) -> std::result::Result<String, Vec<ValidationError>> {
    let mut errors = Vec::new();
    if edit.name.trim().is_empty() || edit.name.chars().count() > 200 {
        errors.push(ValidationError::new(
            "name",
            "A name of 1 to 200 characters is required.",
        ));
    }
    if edit.job_title.chars().count() > 200 {
        errors.push(ValidationError::new(
            "job_title",
            "A job title is at most 200 characters.",
        ));
    }
    if edit.bio.chars().count() > 5_000 {
        errors.push(ValidationError::new(
            "bio",
            "A bio is at most 5,000 characters.",
        ));
    }
    let links: Vec<&str> = edit
        .links
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let bad = links.iter().find(|l| {
        !(l.starts_with("https://") || l.starts_with("http://"))
            || l.chars().count() > 500
            || l.chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<' || c == '>')
    });
    if let Some(bad) = bad {
        let shown: String = bad.chars().take(60).collect();
        errors.push(ValidationError::new(
            "links",
            format!("“{shown}” is not a web address (http:// or https://, no spaces)."),
        ));
    } else if links.len() > MOST_LINKS {
        errors.push(ValidationError::new(
            "links",
            format!("At most {MOST_LINKS} links."),
        ));
    }
    if errors.is_empty() {
        Ok(links.join("\n"))
    } else {
        Err(errors)
    }
}

impl Store {
    /// An author's profile by id.
    pub async fn author_profile(&self, id: i64) -> Result<Option<AuthorProfile>> {
        let sql = format!("{PROFILE_SQL} WHERE au.id = $1");
        let row: Option<ProfileRow> = with_pool!(&self.pool, p => {
            sqlx::query_as(&sql).bind(id).fetch_optional(p).await?
        });
        Ok(row.map(profile))
    }

    /// An author's profile by the author page's slug.
    pub async fn author_profile_by_slug(&self, slug: &str) -> Result<Option<AuthorProfile>> {
        let sql = format!("{PROFILE_SQL} WHERE au.slug = $1");
        let row: Option<ProfileRow> = with_pool!(&self.pool, p => {
            sqlx::query_as(&sql).bind(slug).fetch_optional(p).await?
        });
        Ok(row.map(profile))
    }

    /// Authors whose name holds `words` (any case), by name; at most `limit`.
    pub async fn find_authors(&self, words: &str, limit: i64) -> Result<Vec<AuthorProfile>> {
        let escaped = words
            .trim()
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let sql = format!(
            "{PROFILE_SQL} WHERE LOWER(au.name) LIKE $1 ESCAPE '\\' ORDER BY au.name, au.id LIMIT $2"
        );
        let rows: Vec<ProfileRow> = with_pool!(&self.pool, p => {
            sqlx::query_as(&sql).bind(format!("%{escaped}%")).bind(limit).fetch_all(p).await?
        });
        Ok(rows.into_iter().map(profile).collect())
    }

    /// Saves an author's profile; the byline's name changes everywhere it shows.
    #[tracing::instrument(skip_all)]
    pub async fn save_author_profile(&self, id: i64, edit: &ProfileEdit) -> Result<()> {
        let links = checked(edit).map_err(StoreError::Invalid)?;
        crate::write_tx!(self, tx => {
            let changed = sqlx::query(
                "UPDATE authors SET name = $2, bio = $3, job_title = $4, links = $5, photo_id = $6 WHERE id = $1",
            )
            .bind(id)
            .bind(edit.name.trim())
            .bind(edit.bio.trim())
            .bind(edit.job_title.trim())
            .bind(&links)
            .bind(edit.photo_id)
            .execute(&mut *tx)
            .await
            .on_missing_reference("photo")?
            .rows_affected();
            if changed == 0 {
                return Err(StoreError::NotFound);
            }
            log_change!(tx, "author", id, "update")?;
        })
    }
}
