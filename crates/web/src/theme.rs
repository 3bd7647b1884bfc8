//! The theme: templates and static assets, embedded in the binary and
//! overridable file by file from a folder given at start (`--theme DIR`,
//! holding `templates/…` and `static/…` like the embedded theme).
//!
//! Assets are served under content-hashed names (`style.3f2a9c1e07.css`) so
//! browsers and CDNs may keep them for a year: a changed file gets a new URL.

use minijinja::Environment;
use rust_embed::RustEmbed;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(RustEmbed)]
#[folder = "templates/"]
struct EmbeddedTemplates;

#[derive(RustEmbed)]
#[folder = "static/"]
struct EmbeddedStatic;

/// One static file, ready to serve.
pub struct Asset {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    /// The entity tag (unquoted): a digest of the bytes.
    pub etag: String,
    /// When this process loaded it.
    pub modified: std::time::SystemTime,
}

pub struct Theme {
    env: Environment<'static>,
    /// hashed file name → asset
    assets: HashMap<String, Asset>,
    /// plain name → URL path of the hashed file
    urls: Arc<HashMap<String, String>>,
}

#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    #[error("theme folder {0} is not a readable folder")]
    Folder(PathBuf),
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("template {name}: {source}")]
    Template {
        name: String,
        source: minijinja::Error,
    },
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or("") {
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "gif" => "image/gif",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "json" | "webmanifest" => "application/manifest+json",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// "css/site.css" + hash → "css/site.0123456789.css"
fn hashed_name(name: &str, bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let hash: String = digest.iter().take(5).map(|b| format!("{b:02x}")).collect();
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.ends_with('/') => format!("{stem}.{hash}.{ext}"),
        _ => format!("{name}.{hash}"),
    }
}

fn walk(dir: &Path, prefix: &str, out: &mut Vec<(String, PathBuf)>) -> Result<(), ThemeError> {
    let entries = std::fs::read_dir(dir).map_err(|source| ThemeError::Read {
        path: dir.into(),
        source,
    })?;
    for entry in entries.flatten() {
        let path = entry.path();
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        if path.is_dir() {
            walk(&path, &format!("{name}/"), out)?;
        } else {
            out.push((name, path));
        }
    }
    Ok(())
}

fn read_overrides(root: Option<&Path>, sub: &str) -> Result<HashMap<String, Vec<u8>>, ThemeError> {
    let mut found = HashMap::new();
    let Some(root) = root else { return Ok(found) };
    let dir = root.join(sub);
    if !dir.is_dir() {
        return Ok(found);
    }
    let mut files = Vec::new();
    walk(&dir, "", &mut files)?;
    for (name, path) in files {
        let bytes = std::fs::read(&path).map_err(|source| ThemeError::Read { path, source })?;
        found.insert(name, bytes);
    }
    Ok(found)
}

/// HTML-escapes what templates print, leaving `/` alone so URLs stay readable.
fn escape_html(
    out: &mut minijinja::Output<'_>,
    state: &minijinja::State<'_, '_>,
    value: &minijinja::Value,
) -> Result<(), minijinja::Error> {
    if value.is_safe() || !matches!(state.auto_escape(), minijinja::AutoEscape::Html) {
        return minijinja::escape_formatter(out, state, value);
    }
    if value.is_undefined() || value.is_none() {
        return Ok(());
    }
    out.write_str(&crate::views::text::escape(&value.to_string()))
        .map_err(minijinja::Error::from)
}

impl Theme {
    /// Loads the embedded theme with any files of `override_dir` on top.
    pub fn load(override_dir: Option<&Path>) -> Result<Arc<Theme>, ThemeError> {
        if let Some(dir) = override_dir
            && !dir.is_dir()
        {
            return Err(ThemeError::Folder(dir.into()));
        }
        let mut templates: HashMap<String, String> = EmbeddedTemplates::iter()
            .filter_map(|name| {
                let file = EmbeddedTemplates::get(&name)?;
                Some((
                    name.to_string(),
                    String::from_utf8_lossy(&file.data).into_owned(),
                ))
            })
            .collect();
        for (name, bytes) in read_overrides(override_dir, "templates")? {
            templates.insert(name, String::from_utf8_lossy(&bytes).into_owned());
        }
        let mut statics: HashMap<String, Vec<u8>> = EmbeddedStatic::iter()
            .filter_map(|name| {
                Some((
                    name.to_string(),
                    EmbeddedStatic::get(&name)?.data.into_owned(),
                ))
            })
            .collect();
        statics.extend(read_overrides(override_dir, "static")?);

        let mut urls = HashMap::new();
        let mut assets = HashMap::new();
        let loaded = std::time::SystemTime::now();
        for (name, bytes) in statics {
            let hashed = hashed_name(&name, &bytes);
            urls.insert(name.clone(), format!("/assets/{hashed}"));
            assets.insert(
                hashed,
                Asset {
                    content_type: content_type(&name),
                    etag: Sha256::digest(&bytes)
                        .iter()
                        .take(12)
                        .map(|b| format!("{b:02x}"))
                        .collect(),
                    modified: loaded,
                    bytes,
                },
            );
        }

        let mut env = Environment::new();
        env.set_keep_trailing_newline(true);
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        env.set_formatter(escape_html);
        // `errors.email` on a form shown for the first time (no errors yet) is simply empty.
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
        let urls = Arc::new(urls);
        let asset_urls = urls.clone();
        env.add_function(
            "asset",
            move |name: &str| -> Result<String, minijinja::Error> {
                urls.get(name).cloned().ok_or_else(|| {
                    minijinja::Error::new(
                        minijinja::ErrorKind::TemplateNotFound,
                        format!("no asset {name}"),
                    )
                })
            },
        );
        for (name, source) in templates {
            env.add_template_owned(name.clone(), source)
                .map_err(|source| ThemeError::Template { name, source })?;
        }
        Ok(Arc::new(Theme {
            env,
            assets,
            urls: asset_urls,
        }))
    }

    pub fn render(&self, name: &str, ctx: minijinja::Value) -> Result<String, minijinja::Error> {
        self.env.get_template(name)?.render(ctx)
    }

    pub fn asset(&self, hashed_name: &str) -> Option<&Asset> {
        self.assets.get(hashed_name)
    }

    /// The URL path of a static file by its plain name (`favicon.svg`).
    pub fn asset_url(&self, name: &str) -> Option<&str> {
        self.urls.get(name).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_go_before_the_extension() {
        let n = hashed_name("css/site.css", b"body{}");
        assert!(
            n.starts_with("css/site.")
                && n.ends_with(".css")
                && n.len() == "css/site..css".len() + 10,
            "{n}"
        );
        assert_ne!(n, hashed_name("css/site.css", b"body{ }"));
    }

    #[test]
    fn a_theme_folder_overrides_single_files() {
        let dir = std::env::temp_dir().join(format!("bbn-theme-{}", rand::random::<u64>()));
        std::fs::create_dir_all(dir.join("templates/errors")).unwrap();
        std::fs::write(dir.join("templates/errors/404.html"), "custom {{ 1 + 1 }}").unwrap();
        let theme = Theme::load(Some(&dir)).unwrap();
        assert_eq!(
            theme
                .render("errors/404.html", minijinja::Value::UNDEFINED)
                .unwrap(),
            "custom 2"
        );
        assert!(
            theme.env.get_template("site/article.html").is_ok(),
            "the rest stays embedded"
        );
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(matches!(
            Theme::load(Some(&dir)),
            Err(ThemeError::Folder(_))
        ));
    }
}
