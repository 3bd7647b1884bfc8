//! The hostile clients that sign in (or try to): an author saving and
//! previewing bodies of the worst shapes and uploading a decompression
//! bomb, and a guesser of an editor's password. They go through the forms a
//! browser would, signed in by the sign-in form, with the CSRF token of the
//! page.

use super::{AUTHOR_EMAIL, PASSWORD, Tally, hammer};
use crate::http::{self, urlencode};
use crate::sanitize::largest_passing;
use crate::shapes::SHAPES;
use anyhow::{Context, bail};
use bbn_core::validate::MAX_BODY;
use std::net::IpAddr;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

const FORM: (&str, &str) = ("Content-Type", "application/x-www-form-urlencoded");

/// A body to send, URL-encoded once, and whether the shape check must let it through.
pub struct Body {
    pub shape: &'static str,
    pub bytes: usize,
    pub format: &'static str,
    pub encoded: String,
    pub within_limits: bool,
}

/// For each shape, the largest body the check lets through and one of
/// about 1 MB (the body limit), which it refuses unless the shape is
/// harmless at that size.
pub fn bodies() -> Vec<Body> {
    let mut out = Vec::new();
    for shape in SHAPES {
        let most = shape.units_within(MAX_BODY);
        let passing = largest_passing(shape, most);
        let mut sizes = vec![most];
        if let Some(n) = passing.filter(|n| *n != most) {
            sizes.push(n);
        }
        for n in sizes {
            let body = shape.body(n);
            out.push(Body {
                shape: shape.name,
                bytes: body.len(),
                format: shape.format.form_value(),
                encoded: urlencode(&body),
                within_limits: passing.is_some_and(|p| n <= p),
            });
        }
    }
    out
}

fn kind(body: &Body) -> &'static str {
    if body.within_limits {
        "within limits"
    } else {
        "over limits"
    }
}

fn described(body: &Body) -> String {
    format!("{} ({} bytes)", body.shape, body.bytes)
}

/// The value of a hidden field of a page.
fn hidden(page: &str, name: &str) -> anyhow::Result<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page
        .find(&marker)
        .with_context(|| format!("no {name} field"))?
        + marker.len();
    let len = page[start..].find('"').context("unterminated field")?;
    Ok(page[start..start + len].to_string())
}

/// A signed-in browser: its session cookie and the session's CSRF token.
pub struct Session {
    cookie: String,
    csrf: String,
}

impl Session {
    fn headers(&self) -> [(&str, &str); 2] {
        [("Cookie", self.cookie.as_str()), FORM]
    }
}

/// The sign-in page's CSRF cookie and token, as a browser gets them.
fn sign_in_form(c: &mut http::Client) -> anyhow::Result<(String, String)> {
    let page = c.call("GET", "/newsroom/sign-in", &[], b"")?;
    let cookie = page
        .cookie("bbn_csrf")
        .context("the sign-in page set no CSRF cookie")?;
    let token = hidden(&String::from_utf8_lossy(&page.body), "_csrf")?;
    Ok((format!("bbn_csrf={cookie}"), token))
}

fn sign_in(port: u16, source: IpAddr, email: &str) -> anyhow::Result<Session> {
    let mut c = http::Client::connect_from(port, source)?;
    let (cookie, token) = sign_in_form(&mut c)?;
    let form = format!(
        "_csrf={token}&next=%2Fnewsroom&email={}&password={}",
        urlencode(email),
        urlencode(PASSWORD)
    );
    let r = c.call(
        "POST",
        "/newsroom/sign-in",
        &[("Cookie", cookie.as_str()), FORM],
        form.as_bytes(),
    )?;
    let session = r
        .cookie("bbn_session")
        .with_context(|| format!("signing in as {email} answered {}", r.status))?;
    let cookie = format!("bbn_session={session}");
    let page = c.call(
        "GET",
        "/newsroom/articles/new",
        &[("Cookie", cookie.as_str())],
        b"",
    )?;
    let csrf = hidden(&String::from_utf8_lossy(&page.body), "_csrf")?;
    Ok(Session { cookie, csrf })
}

/// The author's own article, created and published through the newsroom.
pub struct Desk {
    port: u16,
    id: i64,
    /// The editor form's fields but the body, its format and the button.
    fields: String,
    pub published: bool,
}

impl Desk {
    pub fn open(port: u16, section: i64, author: i64) -> anyhow::Result<Desk> {
        let session = sign_in(port, super::client_address(1), AUTHOR_EMAIL)?;
        let run = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
        let fields = format!(
            "headline=An+author+saves+all+day&slug=hostile-{run}&section_id={section}&authors={author}&comments_open=on&topics="
        );
        let mut c = http::Client::connect_from(port, super::client_address(1))?;
        let form = format!(
            "_csrf={}&{fields}&body=First+words.&body_format=markdown&action=save",
            session.csrf
        );
        let r = c.call(
            "POST",
            "/newsroom/articles/new",
            &session.headers(),
            form.as_bytes(),
        )?;
        let id = r
            .header("location")
            .and_then(|l| l.strip_prefix("/newsroom/articles/")?.split('/').next())
            .and_then(|id| id.parse().ok())
            .with_context(|| format!("creating the article answered {}", r.status))?;
        // Published, each save is indexed and drops the cached pages that list it.
        let publish = format!("_csrf={}&action=publish", session.csrf);
        let r = c.call(
            "POST",
            &format!("/newsroom/articles/{id}/status"),
            &session.headers(),
            publish.as_bytes(),
        )?;
        Ok(Desk {
            port,
            id,
            fields,
            published: r.status == 303,
        })
    }

    fn edit_form(&self, session: &Session, body: &Body, action: &str) -> String {
        format!(
            "_csrf={}&{}&body_format={}&action={action}&body={}",
            session.csrf, self.fields, body.format, body.encoded
        )
    }

    /// Client a: saves, going round the bodies.
    pub fn save(&self, source: IpAddr, bodies: &[Body], deadline: Instant) -> Tally {
        let mut tally = Tally::new("save (newsroom editor)");
        let Some(session) = signed_in(self.port, source, &mut tally) else {
            return tally;
        };
        let path = format!("/newsroom/articles/{}/edit", self.id);
        hammer(self.port, source, deadline, &mut tally, |c, k| {
            let body = &bodies[k as usize % bodies.len()];
            let form = self.edit_form(&session, body, "save");
            let r = c.call("POST", &path, &session.headers(), form.as_bytes())?;
            Ok((described(body), format!("{} {}", kind(body), r.status)))
        });
        tally
    }

    /// Client b: the live preview and the editor's preview button, in turn.
    pub fn preview(&self, source: IpAddr, bodies: &[Body], deadline: Instant) -> Tally {
        let mut tally = Tally::new("preview");
        let Some(session) = signed_in(self.port, source, &mut tally) else {
            return tally;
        };
        let edit = format!("/newsroom/articles/{}/edit", self.id);
        hammer(self.port, source, deadline, &mut tally, |c, k| {
            let body = &bodies[(k / 2) as usize % bodies.len()];
            let (route, path, form) = if k % 2 == 0 {
                let form = format!(
                    "_csrf={}&body_format={}&body={}",
                    session.csrf, body.format, body.encoded
                );
                ("/newsroom/preview", "/newsroom/preview", form)
            } else {
                (
                    "editor's preview button",
                    edit.as_str(),
                    self.edit_form(&session, body, "preview"),
                )
            };
            let r = c.call("POST", path, &session.headers(), form.as_bytes())?;
            Ok((
                format!("{route}, {}", described(body)),
                format!("{route}, {} {}", kind(body), r.status),
            ))
        });
        tally
    }

    /// Client c: the PNG bomb as the article's image.
    pub fn upload(&self, source: IpAddr, png: &[u8], deadline: Instant) -> Tally {
        let mut tally = Tally::new("upload (PNG bomb)");
        let Some(session) = signed_in(self.port, source, &mut tally) else {
            return tally;
        };
        let boundary = "bbnbenchboundary7";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"alt\"\r\n\r\nA bomb\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"bomb.png\"\r\n\
             Content-Type: image/png\r\n\r\n",
            session.csrf
        )
        .into_bytes();
        body.extend_from_slice(png);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let content_type = format!("multipart/form-data; boundary={boundary}");
        let path = format!("/newsroom/articles/{}/image", self.id);
        hammer(self.port, source, deadline, &mut tally, |c, _| {
            let headers = [
                ("Cookie", session.cookie.as_str()),
                ("Content-Type", content_type.as_str()),
            ];
            let status = c.call("POST", &path, &headers, &body)?.status;
            Ok(("the PNG".into(), status.to_string()))
        });
        tally
    }
}

fn signed_in(port: u16, source: IpAddr, tally: &mut Tally) -> Option<Session> {
    match sign_in(port, source, AUTHOR_EMAIL) {
        Ok(s) => Some(s),
        Err(e) => {
            tally.failed(&e.context("signing in"));
            None
        }
    }
}

/// Client d: wrong passwords for `email`, all from one address, each on
/// the form as a browser sends it.
pub fn guess(port: u16, source: IpAddr, email: &str, deadline: Instant) -> Tally {
    let mut tally = Tally::new("sign-in (wrong passwords)");
    let mut form = None;
    hammer(port, source, deadline, &mut tally, |c, k| {
        if form.is_none() {
            form = Some(sign_in_form(c)?);
        }
        let Some((cookie, token)) = &form else {
            bail!("no sign-in form");
        };
        let body = format!(
            "_csrf={token}&next=%2Fnewsroom&email={}&password=guess+number+{k}",
            urlencode(email)
        );
        let r = c.call(
            "POST",
            "/newsroom/sign-in",
            &[("Cookie", cookie.as_str()), FORM],
            body.as_bytes(),
        )?;
        Ok(("a wrong password".into(), r.status.to_string()))
    });
    tally
}
