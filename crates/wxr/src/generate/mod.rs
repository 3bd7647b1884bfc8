//! Large, realistic WordPress exports for tests and benchmarks: a news site
//! with authors, nested categories, a couple of hundred tags, pages, and as
//! many posts and comments as asked for, written as a stream so that a
//! fifty-thousand-post export costs no more memory than a small one.
//! The same seed gives the same bytes.

mod chance;
mod format;
mod words;

use chance::{Rng, spread_comments};
use format::*;
use std::io::{self, BufWriter, Write};
use words::*;

/// Writes a WXR 1.2 export: five authors, twenty categories (twelve of them
/// nested), two hundred tags, six pages, `posts` posts and `comments`
/// comments. Posts are mostly published, with drafts, pending, scheduled
/// and private ones among them and a few sticky; one in six has a captioned
/// image (and its attachment), one in four is written in blocks. Comments
/// fall on published posts Zipf-like (a few posts get many), a third of
/// them in reply to another on the same post, most approved, some held or
/// spam.
pub fn write(out: impl Write, posts: usize, comments: usize, seed: u64) -> io::Result<()> {
    let mut w = Writer {
        out: BufWriter::new(out),
        rng: Rng::new(seed),
        next_comment_id: 1,
    };
    w.head()?;
    let statuses: Vec<Status> = (0..posts)
        .map(|i| {
            if is_sticky(i) {
                Status::Publish
            } else {
                w.status()
            }
        })
        .collect();
    let per_post = spread_comments(&mut w.rng, &statuses, comments);
    for page in 0..PAGES.len() {
        w.page(page)?;
    }
    for (i, (&status, &comment_count)) in statuses.iter().zip(&per_post).enumerate() {
        w.post(i, posts, status, comment_count)?;
    }
    w.out.write_all(b"</channel>\n</rss>\n")?;
    w.out.flush()
}

/// One post in fifty is published and sticky.
fn is_sticky(index: usize) -> bool {
    index % 50 == 25
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Status {
    Publish,
    Draft,
    Pending,
    Future,
    Private,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Publish => "publish",
            Status::Draft => "draft",
            Status::Pending => "pending",
            Status::Future => "future",
            Status::Private => "private",
        }
    }
}

struct Writer<W: Write> {
    out: BufWriter<W>,
    rng: Rng,
    next_comment_id: u64,
}

impl<W: Write> Writer<W> {
    fn head(&mut self) -> io::Result<()> {
        write!(
            self.out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n\
             <!-- generator=\"bbn-wxr generate\" -->\n\
             <rss version=\"2.0\"\n\
             \txmlns:excerpt=\"http://wordpress.org/export/1.2/excerpt/\"\n\
             \txmlns:content=\"http://purl.org/rss/1.0/modules/content/\"\n\
             \txmlns:wfw=\"http://wellformedweb.org/CommentAPI/\"\n\
             \txmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n\
             \txmlns:wp=\"http://wordpress.org/export/1.2/\"\n\
             >\n<channel>\n\
             \t<title>The Generated Gazette</title>\n\
             \t<link>{SITE}</link>\n\
             \t<description>News, made up</description>\n\
             \t<pubDate>{}</pubDate>\n\
             \t<language>en-GB</language>\n\
             \t<wp:wxr_version>1.2</wp:wxr_version>\n\
             \t<wp:base_site_url>{SITE}</wp:base_site_url>\n\
             \t<wp:base_blog_url>{SITE}</wp:base_blog_url>\n",
            rfc822(NOW)
        )?;
        for (i, (login, first, last)) in AUTHORS.iter().enumerate() {
            writeln!(
                self.out,
                "\t<wp:author><wp:author_id>{}</wp:author_id><wp:author_login>{}</wp:author_login><wp:author_email>{login}@generated.example</wp:author_email><wp:author_display_name>{}</wp:author_display_name><wp:author_first_name>{}</wp:author_first_name><wp:author_last_name>{}</wp:author_last_name></wp:author>",
                i + 1,
                cdata(login),
                cdata(&format!("{first} {last}")),
                cdata(first),
                cdata(last),
            )?;
        }
        for (i, (nicename, name, parent)) in CATEGORIES.iter().enumerate() {
            writeln!(
                self.out,
                "\t<wp:category><wp:term_id>{}</wp:term_id><wp:category_nicename>{}</wp:category_nicename><wp:category_parent>{}</wp:category_parent><wp:cat_name>{}</wp:cat_name></wp:category>",
                i + 1,
                cdata(nicename),
                cdata(parent),
                cdata(name),
            )?;
        }
        for t in 0..TAGS {
            let (slug, name) = tag(t);
            writeln!(
                self.out,
                "\t<wp:tag><wp:term_id>{}</wp:term_id><wp:tag_slug>{}</wp:tag_slug><wp:tag_name>{}</wp:tag_name></wp:tag>",
                100 + t,
                cdata(&slug),
                cdata(&name),
            )?;
        }
        Ok(())
    }

    fn status(&mut self) -> Status {
        match self.rng.below(100) {
            0..=5 => Status::Draft,
            6..=8 => Status::Pending,
            9..=11 => Status::Future,
            12..=13 => Status::Private,
            _ => Status::Publish,
        }
    }

    fn page(&mut self, index: usize) -> io::Result<()> {
        let (slug, title, parent) = PAGES[index];
        let id = 10 + index as i64;
        let at = NOW - 3 * 365 * 86_400 + index as i64 * 3600;
        let path = match parent {
            Some(p) => format!("{}/{slug}", PAGES[p].0),
            None => slug.to_owned(),
        };
        let body = self.paragraphs(2, 4, false);
        let item = ItemHead {
            id,
            title: title.to_owned(),
            link: format!("{SITE}/{path}/"),
            slug: slug.to_owned(),
            author: AUTHORS[0].0,
            at: Some(at),
            written_at: at,
            status: Status::Publish,
            parent: parent.map_or(0, |p| 10 + p as i64),
            menu_order: index as i64,
            post_type: "page",
            sticky: false,
        };
        self.item_head(&item, &body, "")?;
        self.out.write_all(b"\t</item>\n")
    }

    fn post(
        &mut self,
        index: usize,
        posts: usize,
        status: Status,
        comment_count: usize,
    ) -> io::Result<()> {
        let id = 1000 + index as i64 * 2;
        // Spread over three years up to "now", oldest first; scheduled
        // posts lie ahead.
        let age = (posts - index) as i64 * (3 * 365 * 86_400) / posts.max(1) as i64;
        let mut written_at = NOW - age + self.rng.below(3600) as i64;
        if status == Status::Future {
            written_at = NOW + (1 + self.rng.below(60) as i64) * 86_400;
        }
        let words = 2 + self.rng.below(5);
        let title_words: Vec<&str> = (0..words).map(|_| self.rng.pick(&WORDS)).collect();
        let mut title = title_words.join(" ");
        capitalize(&mut title);
        let slug = format!("{}-{id}", slugify(&title));
        let dated = !matches!(status, Status::Draft | Status::Pending);
        let link = if status == Status::Publish || status == Status::Private {
            format!("{SITE}/{}/{slug}/", date_path(written_at))
        } else {
            format!("{SITE}/?p={id}")
        };
        let blocks = self.rng.chance(25);
        let captioned = self.rng.chance(17);
        let attachment_id = id + 1;
        let mut body = self.paragraphs(3, 8, blocks);
        if captioned {
            let caption = format!(
                "[caption id=\"attachment_{attachment_id}\" align=\"alignnone\" width=\"800\"]<img class=\"size-large wp-image-{attachment_id}\" src=\"{SITE}/wp-content/uploads/{}/photo-{attachment_id}.jpg\" alt=\"{}\" width=\"800\" height=\"533\" /> {}[/caption]",
                upload_dir(written_at),
                self.rng.pick(&WORDS),
                self.sentence(6, 12),
            );
            let at = body.find("\n\n").map_or(body.len(), |i| i + 2);
            body.insert_str(at, &format!("{caption}\n\n"));
        }
        let excerpt = if self.rng.chance(35) {
            self.sentence(12, 25)
        } else {
            String::new()
        };
        let item = ItemHead {
            id,
            title,
            link,
            slug: if dated { slug } else { String::new() },
            author: AUTHORS[self.rng.below(AUTHORS.len())].0,
            at: dated.then_some(written_at),
            written_at,
            status,
            parent: 0,
            menu_order: 0,
            post_type: "post",
            sticky: is_sticky(index),
        };
        self.item_head(&item, &body, &excerpt)?;
        let category = self.rng.below(CATEGORIES.len());
        let (nicename, name, _) = CATEGORIES[category];
        writeln!(
            self.out,
            "\t\t<category domain=\"category\" nicename=\"{nicename}\">{}</category>",
            cdata(name)
        )?;
        let tag_count = self.rng.below(5);
        let mut tags: Vec<usize> = (0..tag_count).map(|_| self.rng.below(TAGS)).collect();
        tags.sort_unstable();
        tags.dedup();
        for t in tags {
            let (slug, name) = tag(t);
            writeln!(
                self.out,
                "\t\t<category domain=\"post_tag\" nicename=\"{slug}\">{}</category>",
                cdata(&name)
            )?;
        }
        if captioned {
            meta(&mut self.out, "_thumbnail_id", &attachment_id.to_string())?;
        }
        self.comments(&item, comment_count)?;
        self.out.write_all(b"\t</item>\n")?;
        if captioned {
            self.attachment(&item, attachment_id)?;
        }
        Ok(())
    }

    fn attachment(&mut self, post: &ItemHead, id: i64) -> io::Result<()> {
        let file = format!("{}/photo-{id}.jpg", upload_dir(post.written_at));
        let url = format!("{SITE}/wp-content/uploads/{file}");
        let item = ItemHead {
            id,
            title: format!("photo-{id}"),
            link: format!("{}photo-{id}/", post.link),
            slug: format!("photo-{id}"),
            author: post.author,
            at: Some(post.written_at),
            written_at: post.written_at,
            status: Status::Publish,
            parent: post.id,
            menu_order: 0,
            post_type: "attachment",
            sticky: false,
        };
        let caption = self.sentence(4, 9);
        self.item_head(&item, "", &caption)?;
        writeln!(
            self.out,
            "\t\t<wp:attachment_url>{}</wp:attachment_url>",
            cdata(&url)
        )?;
        meta(&mut self.out, "_wp_attached_file", &file)?;
        let alt = self.sentence(3, 7);
        meta(&mut self.out, "_wp_attachment_image_alt", &alt)?;
        self.out.write_all(b"\t</item>\n")
    }

    fn item_head(&mut self, item: &ItemHead, body: &str, excerpt: &str) -> io::Result<()> {
        let (pub_date, gmt) = match item.at {
            Some(at) => (rfc822(at), wp_date(at)),
            None => (
                "Mon, 30 Nov -0001 00:00:00 +0000".to_owned(),
                "0000-00-00 00:00:00".to_owned(),
            ),
        };
        let local = wp_date(item.written_at + OFFSET);
        let modified = item.written_at + self.rng.below(86_400) as i64;
        let status = if item.post_type == "attachment" {
            "inherit"
        } else {
            item.status.as_str()
        };
        write!(
            self.out,
            "\t<item>\n\
             \t\t<title>{title}</title>\n\
             \t\t<link>{link}</link>\n\
             \t\t<pubDate>{pub_date}</pubDate>\n\
             \t\t<dc:creator>{creator}</dc:creator>\n\
             \t\t<guid isPermaLink=\"false\">{SITE}/?p={id}</guid>\n\
             \t\t<description></description>\n\
             \t\t<content:encoded>{body}</content:encoded>\n\
             \t\t<excerpt:encoded>{excerpt}</excerpt:encoded>\n\
             \t\t<wp:post_id>{id}</wp:post_id>\n\
             \t\t<wp:post_date>{local}</wp:post_date>\n\
             \t\t<wp:post_date_gmt>{gmt}</wp:post_date_gmt>\n\
             \t\t<wp:post_modified>{modified_local}</wp:post_modified>\n\
             \t\t<wp:post_modified_gmt>{modified_gmt}</wp:post_modified_gmt>\n\
             \t\t<wp:comment_status>open</wp:comment_status>\n\
             \t\t<wp:ping_status>open</wp:ping_status>\n\
             \t\t<wp:post_name>{slug}</wp:post_name>\n\
             \t\t<wp:status>{status}</wp:status>\n\
             \t\t<wp:post_parent>{parent}</wp:post_parent>\n\
             \t\t<wp:menu_order>{menu_order}</wp:menu_order>\n\
             \t\t<wp:post_type>{post_type}</wp:post_type>\n\
             \t\t<wp:post_password></wp:post_password>\n\
             \t\t<wp:is_sticky>{sticky}</wp:is_sticky>\n",
            title = cdata(&item.title),
            link = escape(&item.link),
            creator = cdata(item.author),
            id = item.id,
            body = cdata(body),
            excerpt = cdata(excerpt),
            modified_local = wp_date(modified + OFFSET),
            modified_gmt = wp_date(modified),
            slug = cdata(&item.slug),
            parent = item.parent,
            menu_order = item.menu_order,
            post_type = item.post_type,
            sticky = u8::from(item.sticky),
        )
    }

    fn comments(&mut self, post: &ItemHead, count: usize) -> io::Result<()> {
        let first_id = self.next_comment_id;
        let mut at = post.at.unwrap_or(post.written_at);
        for n in 0..count {
            let id = self.next_comment_id;
            self.next_comment_id += 1;
            at += 60 + self.rng.below(6 * 3600) as i64;
            let parent = if n > 0 && self.rng.chance(33) {
                first_id + self.rng.below(n) as u64
            } else {
                0
            };
            let roll = self.rng.below(100);
            let (approved, content) = match roll {
                0..=7 => ("spam", self.rng.pick(&SPAM_LINES).to_owned()),
                8..=19 => ("0", self.comment_text()),
                _ => ("1", self.comment_text()),
            };
            let first = self.rng.pick(&FIRST_NAMES);
            let last = self.rng.pick(&LAST_NAMES);
            let ip = format!(
                "{}.{}",
                self.rng.pick(&["192.0.2", "198.51.100", "203.0.113"]),
                1 + self.rng.below(254)
            );
            write!(
                self.out,
                "\t\t<wp:comment>\n\
                 \t\t\t<wp:comment_id>{id}</wp:comment_id>\n\
                 \t\t\t<wp:comment_author>{author}</wp:comment_author>\n\
                 \t\t\t<wp:comment_author_email>{email}</wp:comment_author_email>\n\
                 \t\t\t<wp:comment_author_url></wp:comment_author_url>\n\
                 \t\t\t<wp:comment_author_IP>{ip}</wp:comment_author_IP>\n\
                 \t\t\t<wp:comment_date>{local}</wp:comment_date>\n\
                 \t\t\t<wp:comment_date_gmt>{gmt}</wp:comment_date_gmt>\n\
                 \t\t\t<wp:comment_content>{content}</wp:comment_content>\n\
                 \t\t\t<wp:comment_approved>{approved}</wp:comment_approved>\n\
                 \t\t\t<wp:comment_type>comment</wp:comment_type>\n\
                 \t\t\t<wp:comment_parent>{parent}</wp:comment_parent>\n\
                 \t\t\t<wp:comment_user_id>0</wp:comment_user_id>\n\
                 \t\t</wp:comment>\n",
                author = cdata(&format!("{first} {last}")),
                email = cdata(&format!(
                    "{}.{}@mail.example",
                    first.to_lowercase(),
                    slugify(last)
                )),
                local = wp_date(at + OFFSET),
                gmt = wp_date(at),
                content = cdata(&content),
            )?;
        }
        Ok(())
    }

    fn comment_text(&mut self) -> String {
        let mut text = self.rng.pick(&COMMENT_LINES).to_owned();
        if self.rng.chance(40) {
            text.push(' ');
            text.push_str(&self.sentence(5, 20));
        }
        text
    }

    /// Paragraphs of a few dozen words, some with a link; with `blocks`,
    /// wrapped in block comments with a heading among them.
    fn paragraphs(&mut self, min: usize, max: usize, blocks: bool) -> String {
        let count = min + self.rng.below(max - min + 1);
        let mut body = String::new();
        for p in 0..count {
            let mut text = String::new();
            for s in 0..(2 + self.rng.below(5)) {
                if s > 0 {
                    text.push(' ');
                }
                text.push_str(&self.sentence(8, 22));
            }
            if self.rng.chance(20) {
                let word = self.rng.pick(&WORDS);
                let at = text.find(' ').unwrap_or(0);
                text.insert_str(
                    at,
                    &format!(
                        " <a href=\"https://elsewhere.example/{}\">{word}</a>",
                        slugify(word)
                    ),
                );
            }
            if blocks {
                if p == 1 {
                    let heading = self.sentence(3, 6);
                    body.push_str(&format!(
                        "<!-- wp:heading -->\n<h2 class=\"wp-block-heading\">{}</h2>\n<!-- /wp:heading -->\n\n",
                        heading.trim_end_matches('.')
                    ));
                }
                body.push_str(&format!(
                    "<!-- wp:paragraph -->\n<p>{text}</p>\n<!-- /wp:paragraph -->\n\n"
                ));
            } else {
                body.push_str(&text);
                body.push_str("\n\n");
            }
        }
        body.truncate(body.trim_end().len());
        body
    }

    fn sentence(&mut self, min: usize, max: usize) -> String {
        let count = min + self.rng.below(max - min + 1);
        let words: Vec<&str> = (0..count).map(|_| self.rng.pick(&WORDS)).collect();
        let mut s = words.join(" ");
        capitalize(&mut s);
        s.push('.');
        s
    }
}

struct ItemHead {
    id: i64,
    title: String,
    link: String,
    slug: String,
    author: &'static str,
    /// When it was or will be published (UTC); `None` for posts never
    /// published.
    at: Option<i64>,
    /// When it was written (UTC).
    written_at: i64,
    status: Status,
    parent: i64,
    menu_order: i64,
    post_type: &'static str,
    sticky: bool,
}

#[cfg(test)]
mod tests;
