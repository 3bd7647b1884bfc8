//! Just enough of the W3C WebDriver protocol to drive Debian's headless
//! Chromium through chromedriver: open pages, resize, run a script, emulate
//! the dark scheme, take screenshots. Plain HTTP/1.1 on loopback.

use base64::Engine;
use serde_json::{Value, json};
use std::io::{BufRead, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn installed(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

pub struct Browser {
    driver: Child,
    port: u16,
    session: String,
}

fn request(port: u16, method: &str, path: &str, body: Option<&Value>) -> Result<Value, String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .map_err(|e| e.to_string())?;
    let payload = body.map(|b| b.to_string()).unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{payload}",
        payload.len()
    )
    .map_err(|e| e.to_string())?;
    // chromedriver may keep the connection open: read the headers, then exactly the body.
    let mut reader = std::io::BufReader::new(stream);
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).map_err(|e| e.to_string())? == 0 || line == "\r\n" {
            break;
        }
        head.push_str(&line);
    }
    let length = head
        .lines()
        .find_map(|l| {
            l.split_once(':')
                .filter(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        })
        .and_then(|(_, v)| v.trim().parse::<usize>().ok())
        .ok_or_else(|| format!("no content-length in {head}"))?;
    let mut raw = vec![0; length];
    reader.read_exact(&mut raw).map_err(|e| e.to_string())?;
    let body = String::from_utf8_lossy(&raw).into_owned();
    let value: Value = serde_json::from_str(&body).map_err(|e| format!("{e}: {body}"))?;
    if let Some(error) = value["value"]["error"].as_str() {
        return Err(format!("{error}: {}", value["value"]["message"]));
    }
    Ok(value["value"].clone())
}

impl Browser {
    /// Starts chromedriver and a headless Chromium session; fails the test,
    /// naming what is missing, when they are not installed. Browser tests
    /// live in `in_browser::`, which `tools/test` skips without them.
    pub fn start() -> Browser {
        Browser::start_with(&[])
    }

    /// Starts as `start` does, with more Chromium switches.
    pub fn start_with(switches: &[&str]) -> Browser {
        assert!(
            installed("chromedriver") && installed("chromium"),
            "browser test not run: chromium and chromedriver are not installed \
             (apt-get install chromium chromium-driver), or run the suite with tools/test, \
             which skips in_browser:: where they are missing and reports those tests as NOT RUN"
        );
        let port = super::free_port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let deadline = Instant::now() + Duration::from_secs(30);
        while request(port, "GET", "/status", None).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = super::temp_dir("chromium-profile");
        let mut args: Vec<String> = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
        ]
        .into_iter()
        .chain(switches.iter().copied())
        .map(String::from)
        .collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": args
            }
        }}});
        let session =
            request(port, "POST", "/session", Some(&capabilities)).expect("browser session");
        let session = session["sessionId"]
            .as_str()
            .expect("session id")
            .to_string();
        Browser {
            driver,
            port,
            session,
        }
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let path = format!("/session/{}{path}", self.session);
        request(self.port, method, &path, body.as_ref())
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    /// Runs `source` in every document (and frame) this browser opens from
    /// now on, before any of the page's own scripts.
    pub fn before_each_document(&self, source: &str) {
        self.cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": source }),
        );
    }

    /// Opens a page and waits for it; an error (such as a dialog left open
    /// by the page) is returned rather than a panic, after dismissing it.
    pub fn try_open(&self, url: &str) -> Result<(), String> {
        self.navigate(url)?;
        self.wait_loaded();
        Ok(())
    }

    /// Opens a page; WebDriver answers once the page's load event has
    /// fired. Unlike `try_open`, nothing more is asked of the page after.
    pub fn navigate(&self, url: &str) -> Result<(), String> {
        let path = format!("/session/{}/url", self.session);
        let opened = request(self.port, "POST", &path, Some(&json!({ "url": url })));
        if let Err(e) = opened {
            let alert = format!("/session/{}/alert/dismiss", self.session);
            let _ = request(self.port, "POST", &alert, Some(&json!({})));
            return Err(e);
        }
        Ok(())
    }

    /// Signs in through the newsroom's form (cookies cleared first).
    pub fn sign_in(&self, base: &str, email: &str, password: &str) {
        self.clear_cookies();
        self.open(&format!("{base}/newsroom/sign-in"));
        self.type_into("#email", email);
        self.type_into("#password", password);
        self.click("form.nr-form button[type=submit]");
        assert!(
            self.url().ends_with("/newsroom"),
            "signed in as {email}: {}",
            self.url()
        );
    }

    pub fn open(&self, url: &str) {
        self.try_open(url)
            .unwrap_or_else(|e| panic!("opening {url}: {e}"));
    }

    /// Forgets every cookie: the next page is seen as by a new visitor.
    pub fn clear_cookies(&self) {
        self.call("DELETE", "/cookie", None);
    }

    /// Sets the viewport's CSS width and height (device metrics, so the page
    /// sees exactly that width whatever the window chrome).
    pub fn viewport(&self, width: u32, height: u32) {
        self.cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600}),
        );
    }

    pub fn dark_scheme(&self, dark: bool) {
        let value = if dark { "dark" } else { "light" };
        self.cdp(
            "Emulation.setEmulatedMedia",
            json!({"features": [{"name": "prefers-color-scheme", "value": value}]}),
        );
    }

    fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.call(
            "POST",
            "/goog/cdp/execute",
            Some(json!({ "cmd": cmd, "params": params })),
        )
    }

    /// The WebDriver id of the first element matching a CSS selector.
    pub fn find(&self, css: &str) -> String {
        let found = self.call(
            "POST",
            "/element",
            Some(json!({ "using": "css selector", "value": css })),
        );
        found
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(|v| v.as_str())
            .unwrap_or_else(|| panic!("no element {css}"))
            .to_string()
    }

    /// Types into a field as a person would (after clearing it).
    pub fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css);
        self.call("POST", &format!("/element/{id}/clear"), Some(json!({})));
        self.call(
            "POST",
            &format!("/element/{id}/value"),
            Some(json!({ "text": text })),
        );
    }

    /// Chooses a file for an `<input type="file">`.
    pub fn attach(&self, css: &str, path: &Path) {
        let id = self.find(css);
        self.call(
            "POST",
            &format!("/element/{id}/value"),
            Some(json!({ "text": path.display().to_string() })),
        );
    }

    /// Clicks an element (a submit button or a link) and waits until the
    /// page it leads to has replaced this one and loaded.
    pub fn click(&self, css: &str) {
        let id = self.find(css);
        self.eval("window.__bbnOldPage = true");
        self.call("POST", &format!("/element/{id}/click"), Some(json!({})));
        self.wait_new_page(&format!("clicking {css}"));
    }

    /// Types `keys` into an element (a shortcut such as Ctrl+S: `\u{E009}s`)
    /// and waits, as `click` does, for the page it leads to.
    pub fn keys_to_new_page(&self, css: &str, keys: &str) {
        let id = self.find(css);
        self.eval("window.__bbnOldPage = true");
        self.call(
            "POST",
            &format!("/element/{id}/value"),
            Some(json!({ "text": keys })),
        );
        self.wait_new_page(&format!("typing into {css}"));
    }

    /// Types `keys` into an element without clearing it first.
    pub fn keys(&self, css: &str, keys: &str) {
        let id = self.find(css);
        self.call(
            "POST",
            &format!("/element/{id}/value"),
            Some(json!({ "text": keys })),
        );
    }

    fn wait_new_page(&self, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.eval("return window.__bbnOldPage === true || document.readyState !== 'complete'")
            == true
        {
            assert!(Instant::now() < deadline, "{what} led nowhere");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Clicks an element whose script acts within the page (no navigation).
    pub fn press(&self, css: &str) {
        let id = self.find(css);
        self.call("POST", &format!("/element/{id}/click"), Some(json!({})));
    }

    pub fn wait_loaded(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.eval("return document.readyState") != "complete" {
            assert!(Instant::now() < deadline, "page did not load");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn url(&self) -> String {
        self.call("GET", "/url", None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The visible text of the page.
    pub fn text(&self) -> String {
        self.eval("return document.body.innerText")
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    pub fn eval(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": [] })),
        )
    }

    /// Saves a PNG of the whole page under target/screenshots/ and returns its path.
    pub fn screenshot(&self, name: &str) -> std::path::PathBuf {
        let height = self
            .eval("return document.documentElement.scrollHeight")
            .as_u64()
            .unwrap_or(2000)
            .min(8000);
        let width = self
            .eval("return window.innerWidth")
            .as_u64()
            .unwrap_or(1280);
        self.viewport(width as u32, height as u32);
        let data = self.cdp("Page.captureScreenshot", json!({"format": "png"}));
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data["data"].as_str().expect("screenshot data"))
            .expect("base64 screenshot");
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
        std::fs::create_dir_all(&dir).expect("screenshot folder");
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, bytes).expect("write screenshot");
        path
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = request(
            self.port,
            "DELETE",
            &format!("/session/{}", self.session),
            None,
        );
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
