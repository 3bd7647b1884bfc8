//! Turning a parsed filter and an `order` into SQL. Field names map to a
//! fixed list of column expressions per resource; every value the client
//! wrote becomes a bind parameter, never SQL text.

use super::filter::{Condition, Filter, FilterError, Op, Rhs, Value};
use chrono::{NaiveDate, NaiveDateTime};

/// The list a query reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    /// Published articles, as `a`.
    Posts,
    /// Topics, as `t`.
    Tags,
    /// Bylines, as `au`.
    Authors,
}

/// A value bound to a placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Bind {
    Text(String),
    Int(i64),
}

/// How a field's values are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    /// Unix seconds, written as dates.
    Date,
    /// A row id, written as 24 hex digits.
    Id,
}

enum Target {
    /// An expression of the row itself.
    Column(&'static str, Kind),
    /// A column of related rows: true when some related row matches
    /// (`from` is the subquery up to its WHERE's first condition).
    Related {
        from: &'static str,
        column: &'static str,
        kind: Kind,
    },
    /// A yes/no fact about the row.
    Flag(&'static str),
    /// The same value for every row (e.g. visibility: everything here is public).
    Constant(&'static str),
}

const TOPICS: &str =
    "SELECT 1 FROM article_topics x JOIN topics t ON t.id = x.topic_id WHERE x.article_id = a.id";
const PRIMARY_TOPIC: &str =
    "SELECT 1 FROM article_topics x JOIN topics t ON t.id = x.topic_id WHERE x.article_id = a.id
    AND x.position = (SELECT MIN(y.position) FROM article_topics y WHERE y.article_id = a.id)";
const AUTHORS: &str = "SELECT 1 FROM article_authors x JOIN authors au ON au.id = x.author_id WHERE x.article_id = a.id";
const PRIMARY_AUTHOR: &str = "SELECT 1 FROM article_authors x JOIN authors au ON au.id = x.author_id WHERE x.article_id = a.id
    AND x.position = (SELECT MIN(y.position) FROM article_authors y WHERE y.article_id = a.id)";

fn target(resource: Resource, field: &str) -> Option<Target> {
    use Target::*;
    let related = |from, column, kind| Related { from, column, kind };
    Some(match (resource, field) {
        (Resource::Posts, "id") => Column("a.id", Kind::Id),
        (Resource::Posts, "slug") => Column("a.slug", Kind::Text),
        (Resource::Posts, "title") => Column("a.headline", Kind::Text),
        (Resource::Posts, "published_at") => Column("a.published_at", Kind::Date),
        (Resource::Posts, "created_at") => Column("a.created_at", Kind::Date),
        (Resource::Posts, "updated_at") => {
            Column("COALESCE(a.updated_at, a.published_at)", Kind::Date)
        }
        (Resource::Posts, "featured") => {
            Flag("EXISTS (SELECT 1 FROM editors_picks ep WHERE ep.article_id = a.id)")
        }
        (Resource::Posts, "visibility") => Constant("public"),
        (Resource::Posts, "status") => Constant("published"),
        (Resource::Posts, "tag" | "tags" | "tags.slug") => related(TOPICS, "t.slug", Kind::Text),
        (Resource::Posts, "tags.id") => related(TOPICS, "t.id", Kind::Id),
        (Resource::Posts, "tags.name") => related(TOPICS, "t.name", Kind::Text),
        (Resource::Posts, "primary_tag" | "primary_tag.slug") => {
            related(PRIMARY_TOPIC, "t.slug", Kind::Text)
        }
        (Resource::Posts, "primary_tag.id") => related(PRIMARY_TOPIC, "t.id", Kind::Id),
        (Resource::Posts, "author" | "authors" | "authors.slug") => {
            related(AUTHORS, "au.slug", Kind::Text)
        }
        (Resource::Posts, "authors.id") => related(AUTHORS, "au.id", Kind::Id),
        (Resource::Posts, "authors.name") => related(AUTHORS, "au.name", Kind::Text),
        (Resource::Posts, "primary_author" | "primary_author.slug") => {
            related(PRIMARY_AUTHOR, "au.slug", Kind::Text)
        }
        (Resource::Posts, "primary_author.id") => related(PRIMARY_AUTHOR, "au.id", Kind::Id),
        (Resource::Tags, "id") => Column("t.id", Kind::Id),
        (Resource::Tags, "slug") => Column("t.slug", Kind::Text),
        (Resource::Tags, "name") => Column("t.name", Kind::Text),
        (Resource::Tags, "visibility") => Constant("public"),
        (Resource::Authors, "id") => Column("au.id", Kind::Id),
        (Resource::Authors, "slug") => Column("au.slug", Kind::Text),
        (Resource::Authors, "name") => Column("au.name", Kind::Text),
        _ => return None,
    })
}

/// The SQL that sorts by a field, per resource.
fn order_column(resource: Resource, field: &str) -> Option<&'static str> {
    Some(match (resource, field) {
        (Resource::Posts, "published_at") => "a.published_at",
        (Resource::Posts, "created_at") => "a.created_at",
        (Resource::Posts, "updated_at") => "COALESCE(a.updated_at, a.published_at)",
        (Resource::Posts, "title") => "a.headline",
        (Resource::Posts, "slug") => "a.slug",
        (Resource::Posts, "id") => "a.id",
        (Resource::Tags, "name") => "t.name",
        (Resource::Tags, "slug") => "t.slug",
        (Resource::Tags, "id") => "t.id",
        (Resource::Tags, "count.posts") => {
            "(SELECT COUNT(*) FROM article_topics x WHERE x.topic_id = t.id AND x.live_at IS NOT NULL)"
        }
        (Resource::Authors, "name") => "au.name",
        (Resource::Authors, "slug") => "au.slug",
        (Resource::Authors, "id") => "au.id",
        (Resource::Authors, "count.posts") => {
            "(SELECT COUNT(*) FROM article_authors x WHERE x.author_id = au.id AND x.live_at IS NOT NULL)"
        }
        _ => return None,
    })
}

fn id_column(resource: Resource) -> &'static str {
    match resource {
        Resource::Posts => "a.id",
        Resource::Tags => "t.id",
        Resource::Authors => "au.id",
    }
}

/// `ORDER BY` for `order` ("published_at desc, title asc"; a field without
/// a direction sorts ascending), ending with the id so pages never overlap.
/// None: the resource's default. Err names what is wrong.
pub(crate) fn order_by(resource: Resource, order: Option<&str>) -> Result<String, String> {
    let default = match resource {
        Resource::Posts => "published_at desc",
        Resource::Tags | Resource::Authors => "name asc",
    };
    let text = order
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .unwrap_or(default);
    let mut parts = Vec::new();
    let mut last_dir = "DESC";
    for item in text.split(',') {
        if parts.len() == 3 {
            return Err("order by at most 3 fields".into());
        }
        let mut words = item.split_whitespace();
        let field = words.next().unwrap_or("").to_ascii_lowercase();
        let dir = match words.next().map(str::to_ascii_lowercase).as_deref() {
            None | Some("asc") => "ASC",
            Some("desc") => "DESC",
            Some(other) => return Err(format!("'{other}' is not asc or desc")),
        };
        if words.next().is_some() {
            return Err(format!(
                "'{}' is not 'field asc' or 'field desc'",
                item.trim()
            ));
        }
        let column =
            order_column(resource, &field).ok_or_else(|| format!("cannot order by '{field}'"))?;
        parts.push(format!("{column} {dir}"));
        last_dir = dir;
    }
    parts.push(format!("{} {last_dir}", id_column(resource)));
    Ok(parts.join(", "))
}

/// A WHERE condition and the values for its placeholders, numbered from `first`.
#[derive(Debug)]
pub(crate) struct Compiled {
    pub sql: String,
    pub binds: Vec<Bind>,
}

struct Compiler {
    resource: Resource,
    first: usize,
    binds: Vec<Bind>,
}

/// Compiles a parsed filter for `resource`; placeholders start at `$first`.
pub(crate) fn compile(
    resource: Resource,
    filter: &Filter,
    first: usize,
) -> Result<Compiled, FilterError> {
    let mut c = Compiler {
        resource,
        first,
        binds: Vec::new(),
    };
    let sql = c.filter(filter)?;
    Ok(Compiled {
        sql,
        binds: c.binds,
    })
}

/// Reads a 24-hex id (the form the Content API shows ids in) as a row id;
/// an id that no bbn row can have reads as -1, which matches nothing.
pub fn parse_object_id(text: &str) -> Option<i64> {
    if text.len() != 24 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Some(
        u128::from_str_radix(text, 16)
            .ok()
            .and_then(|n| i64::try_from(n).ok())
            .unwrap_or(-1),
    )
}

/// A row id in the Content API's form: 24 hex digits.
pub fn object_id(id: i64) -> String {
    format!("{id:024x}")
}

/// Reads a date as Ghost's filters write them: "2024-01-31",
/// "2024-01-31 10:00:00" or "2024-01-31T10:00:00" (UTC), or RFC 3339 with an offset.
fn parse_date(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(text) {
        return Some(t.timestamp());
    }
    for format in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, format) {
            return Some(t.and_utc().timestamp());
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().timestamp())
}

/// `%text%` for LIKE, with LIKE's own characters escaped by `\`.
fn like_pattern(op: Op, text: &str) -> String {
    let mut escaped = String::with_capacity(text.len() + 2);
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    match op {
        Op::StartsWith | Op::NotStartsWith => format!("{escaped}%"),
        Op::EndsWith | Op::NotEndsWith => format!("%{escaped}"),
        _ => format!("%{escaped}%"),
    }
}

fn is_negative(op: Op) -> bool {
    matches!(
        op,
        Op::Ne | Op::NotIn | Op::NotContains | Op::NotStartsWith | Op::NotEndsWith
    )
}

fn flag_value(field: &str, value: &Value) -> Result<bool, FilterError> {
    match value.text() {
        "true" => Ok(true),
        "false" => Ok(false),
        other => Err(FilterError::new(format!(
            "{field} is true or false, not '{other}'"
        ))),
    }
}

impl Compiler {
    fn placeholder(&mut self, bind: Bind) -> String {
        self.binds.push(bind);
        format!("${}", self.first + self.binds.len() - 1)
    }

    fn filter(&mut self, f: &Filter) -> Result<String, FilterError> {
        match f {
            Filter::And(parts) | Filter::Or(parts) => {
                let joiner = if matches!(f, Filter::And(_)) {
                    " AND "
                } else {
                    " OR "
                };
                let mut out = Vec::with_capacity(parts.len());
                for p in parts {
                    out.push(self.filter(p)?);
                }
                Ok(format!("({})", out.join(joiner)))
            }
            Filter::Cond(c) => self.condition(c),
        }
    }

    fn bind_value(
        &mut self,
        field: &str,
        kind: Kind,
        value: &Value,
    ) -> Result<String, FilterError> {
        let bind = match kind {
            Kind::Text => Bind::Text(value.text().to_string()),
            Kind::Id => Bind::Int(parse_object_id(value.text()).ok_or_else(|| {
                FilterError::new(format!(
                    "{field} takes ids of 24 hex digits, not '{}'",
                    value.text()
                ))
            })?),
            Kind::Date => Bind::Int(parse_date(value.text()).ok_or_else(|| {
                FilterError::new(format!(
                    "{field} takes dates like '2024-01-31 10:00:00', not '{}'",
                    value.text()
                ))
            })?),
        };
        Ok(self.placeholder(bind))
    }

    /// The condition on `column` alone, without the negation (callers negate).
    fn positive(
        &mut self,
        field: &str,
        column: &str,
        kind: Kind,
        c: &Condition,
    ) -> Result<String, FilterError> {
        match (&c.value, c.op) {
            (Rhs::One(v), Op::Eq | Op::Ne) if v.is_null() => Ok(format!("{column} IS NULL")),
            (Rhs::One(v), Op::Eq | Op::Ne) => {
                Ok(format!("{column} = {}", self.bind_value(field, kind, v)?))
            }
            (Rhs::One(v), Op::Gt | Op::Gte | Op::Lt | Op::Lte) => {
                let op = match c.op {
                    Op::Gt => ">",
                    Op::Gte => ">=",
                    Op::Lt => "<",
                    _ => "<=",
                };
                Ok(format!(
                    "{column} {op} {}",
                    self.bind_value(field, kind, v)?
                ))
            }
            (Rhs::List(values), Op::In | Op::NotIn) => {
                let mut marks = Vec::with_capacity(values.len());
                for v in values {
                    marks.push(self.bind_value(field, kind, v)?);
                }
                Ok(format!("{column} IN ({})", marks.join(", ")))
            }
            (Rhs::One(v), _) if kind == Kind::Text => {
                let mark = self.placeholder(Bind::Text(like_pattern(c.op, v.text())));
                Ok(format!("LOWER({column}) LIKE {mark} ESCAPE '\\'"))
            }
            _ => Err(FilterError::new(format!(
                "{field} cannot be compared that way"
            ))),
        }
    }

    fn condition(&mut self, c: &Condition) -> Result<String, FilterError> {
        let field = c.field.as_str();
        let target = target(self.resource, field)
            .ok_or_else(|| FilterError::new(format!("unknown field '{field}'")))?;
        let negative = is_negative(c.op);
        match target {
            Target::Column(column, kind) => {
                let inner = self.positive(field, column, kind, c)?;
                Ok(if negative {
                    format!("NOT ({inner})")
                } else {
                    format!("({inner})")
                })
            }
            Target::Related { from, column, kind } => {
                // "No related row" and "not this one" both read as NOT EXISTS.
                let null = matches!(&c.value, Rhs::One(v) if v.is_null());
                let inner = if null {
                    from.to_string()
                } else {
                    format!("{from} AND {}", self.positive(field, column, kind, c)?)
                };
                Ok(if negative != null {
                    format!("NOT EXISTS ({inner})")
                } else {
                    format!("EXISTS ({inner})")
                })
            }
            Target::Flag(sql) => {
                let wanted: Vec<bool> = match (&c.value, c.op) {
                    (Rhs::One(v), Op::Eq | Op::Ne) => vec![flag_value(field, v)?],
                    (Rhs::List(vs), Op::In | Op::NotIn) => vs
                        .iter()
                        .map(|v| flag_value(field, v))
                        .collect::<Result<_, _>>()?,
                    _ => {
                        return Err(FilterError::new(format!(
                            "{field} is true or false; compare it with ':'"
                        )));
                    }
                };
                let matches_true = wanted.contains(&true) != negative;
                let matches_false = wanted.contains(&false) != negative;
                Ok(match (matches_true, matches_false) {
                    (true, true) => "1 = 1".to_string(),
                    (false, false) => "1 = 0".to_string(),
                    (true, false) => sql.to_string(),
                    (false, true) => format!("NOT {sql}"),
                })
            }
            Target::Constant(constant) => {
                let values: Vec<&Value> = match (&c.value, c.op) {
                    (Rhs::One(v), Op::Eq | Op::Ne) => vec![v],
                    (Rhs::List(vs), Op::In | Op::NotIn) => vs.iter().collect(),
                    _ => {
                        return Err(FilterError::new(format!(
                            "{field} can only be compared with ':' or a list"
                        )));
                    }
                };
                let hit = values.iter().any(|v| v.text() == constant) != negative;
                Ok(if hit { "1 = 1" } else { "1 = 0" }.to_string())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::filter::parse;
    use super::*;

    fn sql(resource: Resource, text: &str) -> Result<Compiled, FilterError> {
        compile(resource, &parse(text)?, 1)
    }

    #[test]
    fn values_become_bind_parameters() {
        let c = sql(
            Resource::Posts,
            r"tag:news+slug:'x\'); DROP TABLE articles; --'",
        )
        .unwrap();
        assert!(!c.sql.contains("DROP"), "{}", c.sql);
        assert_eq!(
            c.binds,
            vec![
                Bind::Text("news".into()),
                Bind::Text("x'); DROP TABLE articles; --".into())
            ]
        );
        assert!(c.sql.contains("$1") && c.sql.contains("$2"));
    }

    #[test]
    fn placeholders_follow_on_from_first() {
        let c = compile(Resource::Posts, &parse("tag:[a,b,c]").unwrap(), 4).unwrap();
        assert!(c.sql.contains("t.slug IN ($4, $5, $6)"), "{}", c.sql);
    }

    #[test]
    fn negation_of_relations_is_not_exists() {
        let c = sql(Resource::Posts, "tag:-news").unwrap();
        assert!(c.sql.starts_with("NOT EXISTS"), "{}", c.sql);
        let c = sql(Resource::Posts, "tag:null").unwrap();
        assert!(
            c.sql.starts_with("NOT EXISTS") && c.binds.is_empty(),
            "{}",
            c.sql
        );
        let c = sql(Resource::Posts, "author:-[a,b]").unwrap();
        assert!(c.sql.starts_with("NOT EXISTS"), "{}", c.sql);
    }

    #[test]
    fn reads_dates_ids_and_flags() {
        let c = sql(Resource::Posts, "published_at:>'2024-01-01 00:00:00'").unwrap();
        assert_eq!(c.binds, vec![Bind::Int(1_704_067_200)]);
        let c = sql(Resource::Posts, "published_at:<=2024-01-01").unwrap();
        assert_eq!(c.binds, vec![Bind::Int(1_704_067_200)]);
        let c = sql(
            Resource::Posts,
            "published_at:>='2024-01-01T01:00:00+01:00'",
        )
        .unwrap();
        assert_eq!(c.binds, vec![Bind::Int(1_704_067_200)]);
        let c = sql(Resource::Posts, "id:00000000000000000000002a").unwrap();
        assert_eq!(c.binds, vec![Bind::Int(42)]);
        let c = sql(Resource::Posts, "id:ffffffffffffffffffffffff").unwrap();
        assert_eq!(c.binds, vec![Bind::Int(-1)]);
        assert!(
            sql(Resource::Posts, "featured:true")
                .unwrap()
                .sql
                .starts_with("EXISTS")
        );
        assert!(
            sql(Resource::Posts, "featured:false")
                .unwrap()
                .sql
                .starts_with("NOT EXISTS")
        );
        assert!(
            sql(Resource::Posts, "featured:-true")
                .unwrap()
                .sql
                .starts_with("NOT EXISTS")
        );
        assert_eq!(
            sql(Resource::Posts, "featured:[true,false]").unwrap().sql,
            "1 = 1"
        );
        assert_eq!(
            sql(Resource::Posts, "visibility:public").unwrap().sql,
            "1 = 1"
        );
        assert_eq!(
            sql(Resource::Posts, "visibility:paid").unwrap().sql,
            "1 = 0"
        );
    }

    #[test]
    fn contains_escapes_like_characters() {
        let c = sql(Resource::Posts, "title:~'100%_A'").unwrap();
        assert_eq!(c.binds, vec![Bind::Text("%100\\%\\_a%".into())]);
        let c = sql(Resource::Posts, "title:-~^'Big'").unwrap();
        assert!(c.sql.starts_with("NOT"), "{}", c.sql);
        assert_eq!(c.binds, vec![Bind::Text("big%".into())]);
    }

    #[test]
    fn refuses_what_it_cannot_answer() {
        for (resource, bad) in [
            (Resource::Posts, "nope:1"),
            (Resource::Posts, "published_at:>yesterday"),
            (Resource::Posts, "id:42"),
            (Resource::Posts, "featured:maybe"),
            (Resource::Posts, "featured:>true"),
            (Resource::Posts, "published_at:~2024"),
            (Resource::Tags, "tag:news"),
            (Resource::Authors, "featured:true"),
        ] {
            assert!(sql(resource, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn orders_by_known_fields_only() {
        assert_eq!(
            order_by(Resource::Posts, None).unwrap(),
            "a.published_at DESC, a.id DESC"
        );
        assert_eq!(
            order_by(Resource::Posts, Some("title asc, published_at DESC")).unwrap(),
            "a.headline ASC, a.published_at DESC, a.id DESC"
        );
        assert_eq!(
            order_by(Resource::Tags, Some("count.posts desc")).unwrap(),
            "(SELECT COUNT(*) FROM article_topics x WHERE x.topic_id = t.id AND x.live_at IS NOT NULL) DESC, t.id DESC"
        );
        for bad in [
            "body asc",
            "title sideways",
            "title asc extra",
            "a,b,c,d",
            "title; DROP",
        ] {
            assert!(order_by(Resource::Posts, Some(bad)).is_err(), "{bad}");
        }
    }
}
