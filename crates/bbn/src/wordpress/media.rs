//! Images of an imported site: attachments become media records, their
//! files (from a copy of `wp-content/uploads`, when given) go through bbn's
//! image checks into its media folder, and upload addresses in bodies are
//! rewritten to the new ones. Without the files, images stay at their old
//! addresses and the report lists them.

use super::report::Report;
use super::survey::Attachment;
use bbn_store::{ImportSession, NewMedia, Outcome};
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

pub struct Media {
    uploads: Option<PathBuf>,
    target: PathBuf,
    dry_run: bool,
    /// The pixel limit of the site's uploads, and the queue images wait in.
    max_megapixels: u32,
    images: bbn_web::media::ImageWork,
    /// path under uploads → the address bbn serves it at
    by_rel: HashMap<String, String>,
}

const REMOTE: &str = "kept at the old address (no --media-dir given)";
const MISSING: &str = "not found in --media-dir; the old address is kept";
const UNREADABLE: &str = "not a readable JPEG, PNG, GIF or WebP image; the old address is kept";

impl Media {
    pub fn new(
        uploads: Option<&Path>,
        target: PathBuf,
        dry_run: bool,
        max_megapixels: u32,
    ) -> Media {
        Media {
            uploads: uploads.map(Path::to_path_buf),
            target,
            dry_run,
            max_megapixels,
            images: Default::default(),
            by_rel: HashMap::new(),
        }
    }

    /// The uploaded file for `rel`, when it is at hand and inside the folder.
    fn file(&self, rel: &str) -> Option<PathBuf> {
        let dir = self.uploads.as_ref()?;
        let rel_path = Path::new(rel);
        if !rel_path
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
        {
            return None;
        }
        let path = dir.join(rel_path);
        path.is_file().then_some(path)
    }

    /// Stores the file for `rel` in bbn's media folder: (url, width, height, srcset).
    async fn store(
        &self,
        rel: &str,
        url: &str,
        report: &mut Report,
    ) -> Option<(String, Option<i64>, Option<i64>, String)> {
        let Some(path) = self.file(rel) else {
            report.media(
                if self.uploads.is_some() {
                    MISSING
                } else {
                    REMOTE
                },
                url,
            );
            return None;
        };
        if self.dry_run {
            return Some((url.to_string(), None, None, String::new()));
        }
        let stored = match tokio::fs::read(&path).await {
            Ok(bytes) => bbn_web::media::store(
                &self.images,
                self.target.clone(),
                bytes,
                self.max_megapixels,
            )
            .await
            .ok(),
            Err(_) => None,
        };
        match stored {
            Some(s) => Some((
                s.url,
                Some(i64::from(s.width)),
                Some(i64::from(s.height)),
                s.srcset,
            )),
            None => {
                report.media(UNREADABLE, url);
                None
            }
        }
    }

    async fn store_rel(
        &self,
        rel: Option<&str>,
        url: &str,
        report: &mut Report,
    ) -> Option<(String, Option<i64>, Option<i64>, String)> {
        self.store(rel?, url, report).await
    }

    /// An attachment as a media record, its file brought in the first time.
    pub async fn attachment(
        &mut self,
        session: &mut ImportSession<'_>,
        a: &Attachment,
        report: &mut Report,
    ) -> anyhow::Result<(i64, Outcome)> {
        let ext = a.id.to_string();
        let rel = uploads_rel(&a.url);
        let mut record = NewMedia {
            url: a.url.clone(),
            width: a.width,
            height: a.height,
            alt: a.alt.clone(),
            caption: a.caption.clone(),
            credit: a.credit.clone(),
            file_name: file_name_of(&a.url),
            ..Default::default()
        };
        let current = match session.known("attachment", &ext) {
            Some(id) => session.media_file(id).await?,
            None => None,
        };
        match current {
            // Brought in before: the file stays; only the words can change.
            Some((url, width, height, srcset)) if url.starts_with("/media/") => {
                record.url = url;
                record.width = width;
                record.height = height;
                record.srcset = srcset;
            }
            _ => match self.store_rel(rel.as_deref(), &a.url, report).await {
                Some((url, w, h, srcset)) => {
                    record.url = url;
                    record.width = w.or(record.width);
                    record.height = h.or(record.height);
                    record.srcset = srcset;
                }
                None if rel.is_none() => report.media(REMOTE, &a.url),
                None => {}
            },
        }
        let result = session.media(&ext, &record).await?;
        if let Some(rel) = rel {
            self.by_rel.insert(rel, record.url.clone());
        }
        Ok(result)
    }

    /// The new address for a link in a body, when it points at an upload
    /// bbn now has (or can bring in now).
    pub async fn rewrite(
        &mut self,
        session: &mut ImportSession<'_>,
        link: &str,
        report: &mut Report,
    ) -> anyhow::Result<Option<String>> {
        let Some(rel) = uploads_rel(link) else {
            return Ok(None);
        };
        if let Some(url) = self.by_rel.get(&rel) {
            return Ok(Some(url.clone()).filter(|u| u != link));
        }
        // "photo-300x200.jpg" is WordPress's resized copy of "photo.jpg".
        if let Some(original) = original_of_resized(&rel)
            && let Some(url) = self.by_rel.get(&original)
        {
            return Ok(Some(url.clone()).filter(|u| u != link));
        }
        let url = match session.known("file", &rel) {
            Some(id) => session.media_file(id).await?.map(|(url, ..)| url),
            None => match self.store(&rel, link, report).await {
                Some((url, width, height, srcset)) if !self.dry_run => {
                    let record = NewMedia {
                        url: url.clone(),
                        width,
                        height,
                        alt: String::new(),
                        caption: String::new(),
                        credit: String::new(),
                        srcset,
                        file_name: file_name_of(&rel),
                        ..Default::default()
                    };
                    session.media_as("file", &rel, &record).await?;
                    Some(url)
                }
                _ => None,
            },
        };
        if let Some(url) = &url {
            self.by_rel.insert(rel, url.clone());
        }
        Ok(url.filter(|u| u != link))
    }
}

/// The last part of an address or path, as the library's search finds it.
fn file_name_of(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    path.rsplit('/')
        .next()
        .unwrap_or(path)
        .chars()
        .take(255)
        .collect()
}

/// The path below `wp-content/uploads/` that an address names, decoded.
pub fn uploads_rel(url: &str) -> Option<String> {
    let at = url.find("/wp-content/uploads/")? + "/wp-content/uploads/".len();
    let rest = url[at..].split(['?', '#']).next()?;
    let decoded = bbn_store::normalize_path(&format!("/{rest}"));
    let rel = decoded.trim_start_matches('/').to_string();
    (!rel.is_empty()).then_some(rel)
}

/// "2011/07/photo-300x200.jpg" → "2011/07/photo.jpg".
fn original_of_resized(rel: &str) -> Option<String> {
    let dot = rel.rfind('.')?;
    let (stem, ext) = rel.split_at(dot);
    let dash = stem.rfind('-')?;
    let (w, h) = stem[dash + 1..].split_once('x')?;
    (!w.is_empty()
        && !h.is_empty()
        && w.bytes().all(|b| b.is_ascii_digit())
        && h.bytes().all(|b| b.is_ascii_digit()))
    .then(|| format!("{}{ext}", &stem[..dash]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_addresses_and_resized_copies() {
        assert_eq!(
            uploads_rel("https://old.example/wp-content/uploads/2011/07/a%20b.jpg?w=300")
                .as_deref(),
            Some("2011/07/a b.jpg")
        );
        assert_eq!(uploads_rel("https://old.example/about/"), None);
        assert_eq!(
            original_of_resized("2011/07/photo-300x200.jpg").as_deref(),
            Some("2011/07/photo.jpg")
        );
        assert_eq!(original_of_resized("2011/07/photo-final.jpg"), None);
        assert_eq!(original_of_resized("2011/07/photo.jpg"), None);
    }
}
