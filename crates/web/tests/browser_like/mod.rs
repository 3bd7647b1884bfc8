//! A test client that behaves like a browser towards the router: it keeps
//! cookies, and fills in forms with the CSRF token of the page they came from.

#![allow(dead_code, reason = "each test file uses a part")]

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use bbn_store::Store;
use bbn_web::{AppState, Theme, WebConfig};
use http_body_util::BodyExt;
use std::collections::BTreeMap;
use tower::ServiceExt;

pub fn app(store: &Store, base_url: &str) -> (Router, AppState) {
    app_with(store, WebConfig::new(base_url))
}

pub fn app_with(store: &Store, config: WebConfig) -> (Router, AppState) {
    let state = AppState::new(
        store.clone(),
        bbn_search::Search::in_memory(store.clone()).unwrap(),
        Theme::load(None).unwrap(),
        config,
    );
    (bbn_web::router(state.clone()), state)
}

pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> Option<&str> {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with(&format!("{name}=")))
            .map(str::to_string)
    }
}

/// The value of the first `name="_csrf"` hidden field on a page.
pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"_csrf\" value=\"";
    let start = html
        .find(marker)
        .map(|i| i + marker.len())
        .expect("the page has a CSRF field");
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

/// An attribute value as a browser reads it.
fn unescape(value: &str) -> String {
    value
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&#x2f;", "/")
        .replace("&#x2F;", "/")
        .replace("&amp;", "&")
}

/// The first value of each `<input type="hidden">` (decoded) on a page.
pub fn hidden_fields(html: &str) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = Vec::new();
    for tag in html.split("<input type=\"hidden\" name=\"").skip(1) {
        let Some((name, rest)) = tag.split_once('"') else {
            continue;
        };
        let Some(value) = rest
            .strip_prefix(" value=\"")
            .and_then(|r| r.split_once('"'))
            .map(|(v, _)| v)
        else {
            continue;
        };
        if !found.iter().any(|(n, _)| n == name) {
            found.push((name.to_string(), unescape(value)));
        }
    }
    found
}

pub struct Client {
    router: Router,
    cookies: BTreeMap<String, String>,
    /// The address requests come from, as the server would see it.
    address: Option<std::net::SocketAddr>,
}

fn encode(fields: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(fields).unwrap()
}

impl Client {
    pub fn new(router: Router) -> Client {
        Client {
            router,
            cookies: BTreeMap::new(),
            address: None,
        }
    }

    /// Sends the next requests from `address` (rate limits count per address).
    pub fn send_from(&mut self, address: std::net::IpAddr) {
        self.address = Some(std::net::SocketAddr::new(address, 40_000));
    }

    pub fn router(&self) -> Router {
        self.router.clone()
    }

    /// A cookie as the browser holds it now.
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies.get(name).map(String::as_str)
    }

    /// Plants a cookie, as a page on another site (or a man in the middle) might.
    pub fn plant_cookie(&mut self, name: &str, value: &str) {
        self.cookies.insert(name.to_string(), value.to_string());
    }

    async fn send(&mut self, mut request: Request<Body>) -> Page {
        if let Some(address) = self.address {
            request
                .extensions_mut()
                .insert(axum::extract::ConnectInfo(address));
        }
        let response = self.router.clone().oneshot(request).await.unwrap();
        for c in response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
        {
            let pair = c.split(';').next().unwrap_or("");
            if let Some((k, v)) = pair.split_once('=') {
                if v.is_empty() || c.contains("Max-Age=0") {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_string(), v.to_string());
                }
            }
        }
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Page {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub async fn get(&mut self, uri: &str) -> Page {
        let request = Request::builder()
            .uri(uri)
            .header(header::COOKIE, self.cookie_header())
            .body(Body::empty())
            .unwrap();
        self.send(request).await
    }

    /// Posts exactly these fields (no token added).
    pub async fn post_form(&mut self, uri: &str, fields: &[(&str, &str)]) -> Page {
        self.post_form_accepting(uri, fields, "text/html").await
    }

    /// Posts exactly these fields as a page's script would, asking for `accept`.
    pub async fn post_form_accepting(
        &mut self,
        uri: &str,
        fields: &[(&str, &str)],
        accept: &str,
    ) -> Page {
        let request = Request::builder()
            .method("POST")
            .uri(uri)
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, accept)
            .body(Body::from(encode(fields)))
            .unwrap();
        self.send(request).await
    }

    /// Posts this urlencoded body byte for byte (for bodies `encode` would not write).
    pub async fn post_raw(&mut self, uri: &str, body: Vec<u8>) -> Page {
        let request = Request::builder()
            .method("POST")
            .uri(uri)
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(request).await
    }

    /// Posts a form as a browser would from `page`: with that page's CSRF
    /// token and its other hidden fields (such as the revision being edited),
    /// unless `fields` gives them.
    pub async fn submit(&mut self, uri: &str, page: &str, fields: &[(&str, &str)]) -> Page {
        let token = csrf_of(page);
        let hidden = hidden_fields(page);
        let mut all: Vec<(&str, &str)> = vec![("_csrf", &token)];
        for (k, v) in &hidden {
            if k != "_csrf" && k != "next" && !fields.iter().any(|(f, _)| f == k) {
                all.push((k, v));
            }
        }
        all.extend_from_slice(fields);
        self.post_form(uri, &all).await
    }

    /// Posts a multipart form (an upload) with the page's CSRF token unless `fields` has one.
    pub async fn upload(
        &mut self,
        uri: &str,
        page: &str,
        fields: &[(&str, &str)],
        file: (&str, &[u8]),
    ) -> Page {
        let boundary = "----bbn-test-boundary";
        let mut body: Vec<u8> = Vec::new();
        let token = csrf_of(page);
        let mut all: Vec<(&str, &str)> = Vec::new();
        if !fields.iter().any(|(k, _)| *k == "_csrf") {
            all.push(("_csrf", &token));
        }
        all.extend_from_slice(fields);
        for (k, v) in all {
            body.extend(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\nContent-Type: application/octet-stream\r\n\r\n", file.0)
                .as_bytes(),
        );
        body.extend(file.1);
        body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
        let request = Request::builder()
            .method("POST")
            .uri(uri)
            .header(header::COOKIE, self.cookie_header())
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body))
            .unwrap();
        self.send(request).await
    }

    /// Posts a multipart form of many files under `file` (an input with
    /// `multiple`), the page's CSRF token first.
    pub async fn upload_many(&mut self, uri: &str, page: &str, files: &[(&str, &[u8])]) -> Page {
        let boundary = "----bbn-test-boundary";
        let mut body: Vec<u8> = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{}\r\n",
            csrf_of(page)
        )
        .into_bytes();
        for (name, bytes) in files {
            body.extend(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                    .as_bytes(),
            );
            body.extend(*bytes);
            body.extend(b"\r\n");
        }
        body.extend(format!("--{boundary}--\r\n").as_bytes());
        let request = Request::builder()
            .method("POST")
            .uri(uri)
            .header(header::COOKIE, self.cookie_header())
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body))
            .unwrap();
        self.send(request).await
    }

    pub async fn sign_in(&mut self, email: &str, password: &str) {
        let form = self.get("/newsroom/sign-in").await;
        let r = self
            .submit(
                "/newsroom/sign-in",
                &form.body,
                &[("email", email), ("password", password)],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "sign-in of {email} failed: {}",
            r.body
        );
    }
}
