//! Talking to a running `bbn serve` as its clients do: raw HTTP/1.1
//! exchanges, the API with a staff token, and an admin account with a
//! token made by the CLI.

use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::Duration;

/// One HTTP/1.1 exchange with the server: status, head, body (dechunked).
pub fn exchange(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, String, Vec<u8>) {
    try_exchange(port, method, path, headers, body)
        .unwrap_or_else(|| panic!("no HTTP answer to {method} {path}"))
}

/// As `exchange`, or None when the server does not answer in full (it is
/// down, or went down mid-answer).
pub fn try_exchange(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Option<(u16, String, Vec<u8>)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).ok()?;
    s.write_all(body).ok()?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).ok()?;
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head.split(' ').nth(1)?.parse().ok()?;
    let mut body = raw[split + 4..].to_vec();
    let lower = head.to_ascii_lowercase();
    if lower.contains("transfer-encoding: chunked") {
        body = dechunk(&body)?;
    } else if let Some(len) = lower
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
        && body.len() != len
    {
        return None;
    }
    Some((status, head, body))
}

/// A chunked body put together; None when it was cut short.
fn dechunk(mut raw: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let end = raw.windows(2).position(|w| w == b"\r\n")?;
        let size = usize::from_str_radix(
            String::from_utf8_lossy(&raw[..end])
                .split(';')
                .next()?
                .trim(),
            16,
        )
        .ok()?;
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(raw.get(end + 2..end + 2 + size)?);
        raw = raw.get(end + 2 + size + 2..)?;
    }
}

/// A cookie's value from the `Set-Cookie` lines of an answer's head.
pub fn set_cookie(head: &str, name: &str) -> Option<String> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        if !k.eq_ignore_ascii_case("set-cookie") {
            return None;
        }
        let pair = v.trim().split(';').next()?;
        let (n, value) = pair.split_once('=')?;
        (n == name).then(|| value.to_string())
    })
}

/// bbn's API with a staff token.
pub struct Api {
    pub port: u16,
    pub token: String,
}

impl Api {
    pub fn call(&self, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
        self.try_call(method, path, body)
            .unwrap_or_else(|| panic!("no answer to {method} /api/v1{path}"))
    }

    /// As `call`, or None when the server does not answer.
    pub fn try_call(&self, method: &str, path: &str, body: Option<&Value>) -> Option<(u16, Value)> {
        let auth = format!("Bearer {}", self.token);
        let bytes = body.map(|b| b.to_string()).unwrap_or_default();
        let (status, _, out) = try_exchange(
            self.port,
            method,
            &format!("/api/v1{path}"),
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
            ],
            bytes.as_bytes(),
        )?;
        Some((status, serde_json::from_slice(&out).unwrap_or(Value::Null)))
    }

    pub fn upload(&self, query: &str, image: &[u8]) -> (u16, Value) {
        self.try_upload(query, image)
            .unwrap_or_else(|| panic!("no answer to an upload"))
    }

    /// As `upload`, or None when the server does not answer.
    pub fn try_upload(&self, query: &str, image: &[u8]) -> Option<(u16, Value)> {
        let auth = format!("Bearer {}", self.token);
        let (status, _, out) = try_exchange(
            self.port,
            "POST",
            &format!("/api/v1/media?{query}"),
            &[("Authorization", &auth), ("Content-Type", "image/png")],
            image,
        )?;
        Some((status, serde_json::from_slice(&out).unwrap_or(Value::Null)))
    }
}

/// Adds an admin account (`email`, `password`) to the site named by
/// `site_args` (`--data-dir …`, and `--database-url …` for PostgreSQL) and
/// returns a staff API token of it, both through the CLI.
pub fn admin_and_token(site_args: &[&str], email: &str, password: &str) -> String {
    let mut add = super::bbn()
        .args([
            "user",
            "add",
            "--email",
            email,
            "--name",
            "Test Admin",
            "--role",
            "admin",
        ])
        .args(site_args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    add.stdin
        .take()
        .unwrap()
        .write_all(password.as_bytes())
        .unwrap();
    let out = add.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = super::bbn()
        .args([
            "apikey", "add", "--name", "tests", "--kind", "staff", "--user", email, "--role",
            "admin",
        ])
        .args(site_args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Adds a staff account (`role`: contributor, author, editor or admin)
/// through the CLI.
pub fn add_user(site_args: &[&str], email: &str, name: &str, role: &str, password: &str) {
    let mut add = super::bbn()
        .args([
            "user", "add", "--email", email, "--name", name, "--role", role,
        ])
        .args(site_args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    add.stdin
        .take()
        .unwrap()
        .write_all(password.as_bytes())
        .unwrap();
    let out = add.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The site arguments for a data folder alone (SQLite).
pub fn data_dir_args(dir: &Path) -> Vec<String> {
    vec!["--data-dir".into(), dir.display().to_string()]
}

/// A value as a browser puts it in an `application/x-www-form-urlencoded`
/// body.
pub fn form_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            b' ' => "+".into(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The value of the hidden field `name` in a page.
pub fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in the page"))
        + marker.len();
    page[start..start + page[start..].find('"').unwrap()].to_string()
}

/// A signed-in newsroom session, as a browser holds it: the session cookie
/// (sessions are in the database, so it outlives restarts) and the form
/// token that goes with it.
#[derive(Clone)]
pub struct Newsroom {
    pub port: u16,
    pub cookie: String,
    pub csrf: String,
}

impl Newsroom {
    /// Signs in through the newsroom's form.
    pub fn sign_in(port: u16, email: &str, password: &str) -> Newsroom {
        let (_, head, body) = exchange(port, "GET", "/newsroom/sign-in", &[], b"");
        let csrf_cookie = set_cookie(&head, "bbn_csrf").expect("a form cookie");
        let field = hidden(&String::from_utf8_lossy(&body), "_csrf");
        let form = format!(
            "_csrf={}&email={}&password={}",
            form_encode(&field),
            form_encode(email),
            form_encode(password)
        );
        let cookie = format!("bbn_csrf={csrf_cookie}");
        let (status, head, _) = exchange(
            port,
            "POST",
            "/newsroom/sign-in",
            &[
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("Cookie", &cookie),
            ],
            form.as_bytes(),
        );
        assert_eq!(status, 303, "signed in");
        let cookie = format!("bbn_session={}", set_cookie(&head, "bbn_session").unwrap());
        // A page every role may open, with a form on it.
        let (status, _, body) = exchange(
            port,
            "GET",
            "/newsroom/account/password",
            &[("Cookie", &cookie)],
            b"",
        );
        assert_eq!(status, 200);
        let csrf = hidden(&String::from_utf8_lossy(&body), "_csrf");
        Newsroom { port, cookie, csrf }
    }

    /// Sends a newsroom form (the form token is added): status and head,
    /// or None when the server does not answer.
    pub fn try_post(&self, path: &str, fields: &[(&str, &str)]) -> Option<(u16, String)> {
        let mut form = format!("_csrf={}", form_encode(&self.csrf));
        for (k, v) in fields {
            form.push_str(&format!("&{}={}", form_encode(k), form_encode(v)));
        }
        let (status, head, _) = try_exchange(
            self.port,
            "POST",
            path,
            &[
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("Cookie", &self.cookie),
            ],
            form.as_bytes(),
        )?;
        Some((status, head))
    }

    /// As `try_post`, for a server that must answer.
    pub fn post(&self, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
        self.try_post(path, fields)
            .unwrap_or_else(|| panic!("no answer to POST {path}"))
    }
}

/// Where a redirect sends the client.
pub fn location(head: &str) -> Option<String> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case("location")
            .then(|| v.trim().to_string())
    })
}

/// The comment form's token on the article page `/news/{slug}`.
pub fn comment_token(port: u16, slug: &str) -> String {
    let (_, _, body) = exchange(port, "GET", &format!("/news/{slug}"), &[], b"");
    hidden(&String::from_utf8_lossy(&body), "token")
}
