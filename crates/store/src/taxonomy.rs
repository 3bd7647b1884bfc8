//! Sections, topics and authors: the ways readers browse.

use crate::changes::log_change;
use crate::error::OnConflict;
use crate::{Result, Store, StoreError, with_pool};
use bbn_core::{Author, Section, Topic, ValidationError, slug};

#[derive(sqlx::FromRow)]
struct SectionRow {
    id: i64,
    slug: String,
    name: String,
    description: String,
    nav_position: Option<i64>,
    parent_id: Option<i64>,
}

impl From<SectionRow> for Section {
    fn from(r: SectionRow) -> Section {
        Section {
            id: r.id,
            slug: r.slug,
            name: r.name,
            description: r.description,
            nav_position: r.nav_position,
            parent_id: r.parent_id,
        }
    }
}

#[derive(sqlx::FromRow)]
struct TopicRow {
    id: i64,
    slug: String,
    name: String,
    description: String,
}

impl From<TopicRow> for Topic {
    fn from(r: TopicRow) -> Topic {
        Topic {
            id: r.id,
            slug: r.slug,
            name: r.name,
            description: r.description,
        }
    }
}

/// The condition (on `topics t`) that a topic has a published article. Bylines
/// and topics carry their article's `live_at`, so this is one probe of the
/// `article_topics_live` index (topic_id, live_at …) per topic.
pub(crate) const TOPIC_IS_PUBLIC: &str =
    "EXISTS (SELECT 1 FROM article_topics x WHERE x.topic_id = t.id AND x.live_at IS NOT NULL)";

#[derive(sqlx::FromRow)]
struct AuthorRow {
    id: i64,
    slug: String,
    name: String,
    bio: String,
    job_title: String,
}

impl From<AuthorRow> for Author {
    fn from(r: AuthorRow) -> Self {
        Author {
            id: r.id,
            slug: r.slug,
            name: r.name,
            bio: r.bio,
            job_title: r.job_title,
        }
    }
}

const AUTHOR_COLUMNS: &str =
    "SELECT id, slug, name, bio, COALESCE(job_title, '') AS job_title FROM authors";

fn check_name_and_slug(name: &str, slug_value: &str) -> Result<()> {
    let mut errors = Vec::new();
    if name.trim().is_empty() || name.chars().count() > 200 {
        errors.push(ValidationError::new(
            "name",
            "A name of 1 to 200 characters is required.",
        ));
    }
    if !slug::is_valid(slug_value) {
        errors.push(ValidationError::new(
            "slug",
            "The slug may hold only lowercase letters, digits and single hyphens.",
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Invalid(errors))
    }
}

const SECTION_COLUMNS: &str =
    "SELECT id, slug, name, description, nav_position, parent_id FROM sections";

impl Store {
    #[tracing::instrument(skip_all)]
    pub async fn create_section(
        &self,
        slug: &str,
        name: &str,
        description: &str,
        nav_position: Option<i64>,
    ) -> Result<i64> {
        check_name_and_slug(name, slug)?;
        crate::write_tx!(self, tx => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO sections (slug, name, description, nav_position) VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(slug)
            .bind(name.trim())
            .bind(description.trim())
            .bind(nav_position)
            .fetch_one(&mut *tx)
            .await
            .on_conflict("slug")?;
            log_change!(tx, "section", id, "create")?;
            id
        })
    }

    /// The sections shown in the navigation, in order.
    #[tracing::instrument(skip_all)]
    pub async fn nav_sections(&self) -> Result<Vec<Section>> {
        let sql =
            format!("{SECTION_COLUMNS} WHERE nav_position IS NOT NULL ORDER BY nav_position, id");
        let rows: Vec<SectionRow> =
            with_pool!(&self.pool, p => sqlx::query_as(&sql).fetch_all(p).await?);
        Ok(rows.into_iter().map(Section::from).collect())
    }

    #[tracing::instrument(skip_all)]
    pub async fn section_by_slug(&self, slug: &str) -> Result<Option<Section>> {
        let sql = format!("{SECTION_COLUMNS} WHERE slug = $1");
        let row: Option<SectionRow> =
            with_pool!(&self.pool, p => sqlx::query_as(&sql).bind(slug).fetch_optional(p).await?);
        Ok(row.map(Section::from))
    }

    /// A section's parent (if any) and the sections directly inside it, by name.
    #[tracing::instrument(skip_all)]
    pub async fn section_family(
        &self,
        section: &Section,
    ) -> Result<(Option<Section>, Vec<Section>)> {
        let parent_sql = format!("{SECTION_COLUMNS} WHERE id = $1");
        let children_sql = format!("{SECTION_COLUMNS} WHERE parent_id = $1 ORDER BY name, id");
        let (parent, children): (Option<SectionRow>, Vec<SectionRow>) = with_pool!(&self.pool, p => {
            let parent = match section.parent_id {
                Some(id) => sqlx::query_as(&parent_sql).bind(id).fetch_optional(p).await?,
                None => None,
            };
            let children = sqlx::query_as(&children_sql).bind(section.id).fetch_all(p).await?;
            (parent, children)
        });
        Ok((
            parent.map(Section::from),
            children.into_iter().map(Section::from).collect(),
        ))
    }

    #[tracing::instrument(skip_all)]
    pub async fn create_topic(&self, slug: &str, name: &str, description: &str) -> Result<i64> {
        check_name_and_slug(name, slug)?;
        crate::write_tx!(self, tx => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO topics (slug, name, description) VALUES ($1, $2, $3) RETURNING id",
            )
            .bind(slug)
            .bind(name.trim())
            .bind(description.trim())
            .fetch_one(&mut *tx)
            .await
            .on_conflict("slug")?;
            log_change!(tx, "topic", id, "create")?;
            id
        })
    }

    /// Any topic with this slug, published articles or not: the newsroom's view.
    /// Readers and clients ask `public_topic_by_slug`.
    #[tracing::instrument(skip_all)]
    pub async fn topic_by_slug(&self, slug: &str) -> Result<Option<Topic>> {
        let row: Option<TopicRow> = with_pool!(&self.pool, p => {
            sqlx::query_as("SELECT id, slug, name, description FROM topics WHERE slug = $1")
                .bind(slug)
                .fetch_optional(p)
                .await?
        });
        Ok(row.map(Topic::from))
    }

    /// The topic with this slug if it is public: a topic is public once one of
    /// its articles is published. Anyone who may save a draft can name new
    /// topics, so a topic that exists only on drafts is nobody's to see.
    #[tracing::instrument(skip_all)]
    pub async fn public_topic_by_slug(&self, slug: &str) -> Result<Option<Topic>> {
        let sql = format!(
            "SELECT t.id, t.slug, t.name, t.description FROM topics t WHERE t.slug = $1 AND {TOPIC_IS_PUBLIC}"
        );
        let row: Option<TopicRow> =
            with_pool!(&self.pool, p => sqlx::query_as(&sql).bind(slug).fetch_optional(p).await?);
        Ok(row.map(Topic::from))
    }

    #[tracing::instrument(skip_all)]
    pub async fn create_author(&self, slug: &str, name: &str, bio: &str) -> Result<i64> {
        check_name_and_slug(name, slug)?;
        crate::write_tx!(self, tx => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO authors (slug, name, bio) VALUES ($1, $2, $3) RETURNING id",
            )
            .bind(slug)
            .bind(name.trim())
            .bind(bio.trim())
            .fetch_one(&mut *tx)
            .await
            .on_conflict("slug")?;
            log_change!(tx, "author", id, "create")?;
            id
        })
    }

    #[tracing::instrument(skip_all)]
    pub async fn author_by_slug(&self, slug: &str) -> Result<Option<Author>> {
        let row: Option<AuthorRow> = with_pool!(&self.pool, p => {
            sqlx::query_as(&format!("{AUTHOR_COLUMNS} WHERE slug = $1"))
                .bind(slug)
                .fetch_optional(p)
                .await?
        });
        Ok(row.map(Author::from))
    }
}

/// What the newsroom's article form offers to choose from.
impl Store {
    pub async fn all_sections(&self) -> Result<Vec<Section>> {
        let sql = format!("{SECTION_COLUMNS} ORDER BY nav_position IS NULL, nav_position, name");
        let rows: Vec<SectionRow> =
            with_pool!(&self.pool, p => sqlx::query_as(&sql).fetch_all(p).await?);
        Ok(rows.into_iter().map(Section::from).collect())
    }

    pub async fn all_topics(&self) -> Result<Vec<Topic>> {
        let rows: Vec<TopicRow> = with_pool!(&self.pool, p => {
            sqlx::query_as("SELECT id, slug, name, description FROM topics ORDER BY name").fetch_all(p).await?
        });
        Ok(rows.into_iter().map(Topic::from).collect())
    }

    /// The public topics (those with a published article), by name: what
    /// the API lists. The newsroom's form and screens use `all_topics`.
    #[tracing::instrument(skip_all)]
    pub async fn public_topics(&self) -> Result<Vec<Topic>> {
        let sql = format!(
            "SELECT t.id, t.slug, t.name, t.description FROM topics t WHERE {TOPIC_IS_PUBLIC} ORDER BY t.name"
        );
        let rows: Vec<TopicRow> =
            with_pool!(&self.pool, p => sqlx::query_as(&sql).fetch_all(p).await?);
        Ok(rows.into_iter().map(Topic::from).collect())
    }

    pub async fn all_authors(&self) -> Result<Vec<Author>> {
        let rows: Vec<AuthorRow> = with_pool!(&self.pool, p => {
            sqlx::query_as(&format!("{AUTHOR_COLUMNS} ORDER BY name")).fetch_all(p).await?
        });
        Ok(rows.into_iter().map(Author::from).collect())
    }

    /// The topics with these names that exist, in order (none is created).
    pub async fn existing_topics_named(&self, names: &[String]) -> Result<Vec<i64>> {
        let mut ids = Vec::new();
        for name in names
            .iter()
            .map(|n| n.trim())
            .filter(|n| !n.is_empty())
            .take(100)
        {
            let slug = slug::slugify(name);
            let found: Option<i64> = with_pool!(&self.pool, p => {
                sqlx::query_scalar("SELECT id FROM topics WHERE slug = $1").bind(&slug).fetch_optional(p).await?
            });
            if let Some(id) = found.filter(|id| !ids.contains(id)) {
                ids.push(id);
            }
        }
        Ok(ids)
    }

    /// The topics with these names, created when missing ("pick or create").
    #[tracing::instrument(skip_all)]
    pub async fn topics_named(&self, names: &[String]) -> Result<Vec<i64>> {
        let mut ids = Vec::new();
        for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
            let slug = slug::slugify(name);
            if slug.is_empty() {
                return Err(StoreError::Invalid(vec![ValidationError::new(
                    "topics",
                    format!("\"{name}\" is not a usable topic name."),
                )]));
            }
            let found: Option<i64> = with_pool!(&self.pool, p => {
                sqlx::query_scalar("SELECT id FROM topics WHERE slug = $1").bind(&slug).fetch_optional(p).await?
            });
            let id = match found {
                Some(id) => id,
                None => match self.create_topic(&slug, name, "").await {
                    Ok(id) => id,
                    // Someone created it a moment ago.
                    Err(StoreError::Conflict { .. }) => with_pool!(&self.pool, p => {
                        sqlx::query_scalar("SELECT id FROM topics WHERE slug = $1").bind(&slug).fetch_one(p).await?
                    }),
                    Err(e) => return Err(e),
                },
            };
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        Ok(ids)
    }

    /// The article ids of the editors' picks, in order.
    pub async fn editors_pick_ids(&self) -> Result<Vec<i64>> {
        Ok(with_pool!(&self.pool, p => {
            sqlx::query_scalar("SELECT article_id FROM editors_picks ORDER BY position").fetch_all(p).await?
        }))
    }

    /// Which of these article slugs are not published articles.
    pub async fn unpublished_among(&self, slugs: &[String]) -> Result<Vec<String>> {
        let mut live = std::collections::HashSet::new();
        for chunk in slugs.chunks(crate::db::rows_per_statement(1)) {
            let sql = format!(
                "SELECT slug FROM articles WHERE status = 'published' AND slug IN ({})",
                crate::db::placeholders(1, chunk.len())
            );
            let found: Vec<String> = with_pool!(&self.pool, p => {
                let mut q = sqlx::query_scalar(&sql);
                for s in chunk {
                    q = q.bind(s);
                }
                q.fetch_all(p).await?
            });
            live.extend(found);
        }
        Ok(slugs
            .iter()
            .filter(|s| !live.contains(*s))
            .cloned()
            .collect())
    }
}

/// Editing the taxonomy (newsroom: editors).
impl Store {
    /// Makes a section part of another ("Europe" in "World"), or of none.
    /// A section cannot end up inside itself, however deep.
    #[tracing::instrument(skip_all)]
    pub async fn set_section_parent(&self, id: i64, parent: Option<i64>) -> Result<()> {
        crate::write_tx!(self, tx => {
            let mut cursor = parent;
            let mut steps = 0;
            while let Some(at) = cursor {
                if at == id || steps > 100 {
                    return Err(StoreError::Invalid(vec![ValidationError::new(
                        "parent",
                        "A section cannot be part of itself or of a section inside it.",
                    )]));
                }
                cursor = sqlx::query_scalar::<_, Option<i64>>("SELECT parent_id FROM sections WHERE id = $1")
                    .bind(at)
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or_else(|| StoreError::Invalid(vec![ValidationError::new("parent", "No such section.")]))?;
                steps += 1;
            }
            let n = sqlx::query("UPDATE sections SET parent_id = $1 WHERE id = $2 AND parent_id IS DISTINCT FROM $1")
                .bind(parent)
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n > 0 {
                log_change!(tx, "section", id, "update")?;
            }
        })
    }

    #[tracing::instrument(skip_all)]
    pub async fn update_section(
        &self,
        id: i64,
        slug: &str,
        name: &str,
        description: &str,
        nav_position: Option<i64>,
    ) -> Result<()> {
        check_name_and_slug(name, slug)?;
        crate::write_tx!(self, tx => {
            let n = sqlx::query("UPDATE sections SET slug = $1, name = $2, description = $3, nav_position = $4 WHERE id = $5")
                .bind(slug)
                .bind(name.trim())
                .bind(description.trim())
                .bind(nav_position)
                .bind(id)
                .execute(&mut *tx)
                .await
                .on_conflict("slug")?
                .rows_affected();
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            log_change!(tx, "section", id, "update")?;
        })
    }

    #[tracing::instrument(skip_all)]
    pub async fn update_topic(
        &self,
        id: i64,
        slug: &str,
        name: &str,
        description: &str,
    ) -> Result<()> {
        check_name_and_slug(name, slug)?;
        crate::write_tx!(self, tx => {
            let n = sqlx::query("UPDATE topics SET slug = $1, name = $2, description = $3 WHERE id = $4")
                .bind(slug)
                .bind(name.trim())
                .bind(description.trim())
                .bind(id)
                .execute(&mut *tx)
                .await
                .on_conflict("slug")?
                .rows_affected();
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            log_change!(tx, "topic", id, "update")?;
        })
    }

    /// Moves every article of topic `from` to topic `into` and deletes `from`.
    #[tracing::instrument(skip_all)]
    pub async fn merge_topics(&self, from: i64, into: i64) -> Result<()> {
        if from == into {
            return Err(StoreError::Invalid(vec![ValidationError::new(
                "into",
                "Choose a different topic to merge into.",
            )]));
        }
        crate::write_tx!(self, tx => {
            let both: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM topics WHERE id = $1 OR id = $2")
                .bind(from)
                .bind(into)
                .fetch_one(&mut *tx)
                .await?;
            if both != 2 {
                return Err(StoreError::NotFound);
            }
            // Articles already on both keep one link; the others move over.
            sqlx::query(
                "DELETE FROM article_topics WHERE topic_id = $1
                   AND article_id IN (SELECT article_id FROM article_topics WHERE topic_id = $2)",
            )
            .bind(from)
            .bind(into)
            .execute(&mut *tx)
            .await?;
            let moved: Vec<i64> = sqlx::query_scalar("UPDATE article_topics SET topic_id = $1 WHERE topic_id = $2 RETURNING article_id")
                .bind(into)
                .bind(from)
                .fetch_all(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM topics WHERE id = $1").bind(from).execute(&mut *tx).await?;
            for article in moved {
                log_change!(tx, "article", article, "update")?;
            }
            log_change!(tx, "topic", from, "delete")?;
            log_change!(tx, "topic", into, "update")?;
        })
    }

    /// The newsroom's list of topics, by name: those whose name or slug
    /// holds `words` (all when None), each with its number of articles (of
    /// any status), a page at a time; and whether more follow.
    #[tracing::instrument(skip_all)]
    pub async fn topic_list(
        &self,
        words: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<(Topic, i64)>, bool)> {
        let pattern = crate::contains_pattern(words);
        let rows: Vec<(i64, String, String, String, i64)> = with_pool!(&self.pool, p => {
            sqlx::query_as(
                "SELECT t.id, t.slug, t.name, t.description,
                        (SELECT COUNT(*) FROM article_topics x WHERE x.topic_id = t.id)
                 FROM topics t
                 WHERE $1 IS NULL OR LOWER(t.name) LIKE $1 ESCAPE '\\' OR t.slug LIKE $1 ESCAPE '\\'
                 ORDER BY t.name, t.id LIMIT $2 OFFSET $3",
            )
            .bind(pattern)
            .bind(limit + 1)
            .bind(offset)
            .fetch_all(p)
            .await?
        });
        let (rows, more) = crate::one_page(rows, limit);
        Ok((
            rows.into_iter()
                .map(|(id, slug, name, description, n)| {
                    (
                        Topic {
                            id,
                            slug,
                            name,
                            description,
                        },
                        n,
                    )
                })
                .collect(),
            more,
        ))
    }
}
