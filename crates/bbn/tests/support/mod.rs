//! What the binary's integration tests share: starting `bbn` on a free
//! port with its own data folder, and plain HTTP requests to it.

#![allow(dead_code, reason = "each test file uses a part")]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

pub mod client;
pub mod instances;
pub mod webdriver;

/// Server flags that lift the per-address, per-article and per-token write
/// limits, for suites that write far more than a reader or a client would.
pub const UNLIMITED_WRITES: [&str; 6] = [
    "--api-token-per-minute",
    "1000000",
    "--comments-per-address",
    "1000000",
    "--comments-per-article",
    "1000000",
];

pub fn bbn() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_bbn"));
    // Keep the tests independent of the developer's environment and folder.
    for (k, _) in std::env::vars() {
        if k.starts_with("BBN_") {
            c.env_remove(k);
        }
    }
    c.current_dir(std::env::temp_dir());
    c
}

pub fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "bbn-cli-{tag}-{}-{:x}",
        std::process::id(),
        rand_u64()
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn rand_u64() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(Instant::now())
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A plain HTTP/1.0 GET; returns (status, body).
pub fn http_get(port: u16, path: &str) -> Option<(u16, String)> {
    http_send(port, "GET", path, &[], "")
}

/// A plain HTTP/1.0 request with extra header lines and a body; returns (status, body).
pub fn http_send(
    port: u16,
    method: &str,
    path: &str,
    headers: &[&str],
    body: &str,
) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let mut head = format!("{method} {path} HTTP/1.0\r\nHost: localhost\r\n");
    for h in headers {
        head.push_str(h);
        head.push_str("\r\n");
    }
    if !body.is_empty() {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    write!(s, "{head}\r\n{body}").ok()?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).ok()?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text.split(' ').nth(1)?.parse().ok()?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Some((status, body))
}

pub struct Server {
    pub child: Child,
    pub port: u16,
    /// The server's log so far, when started with `start_logged`.
    pub log: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Server {
    pub fn start(data_dir: &Path, extra: &[&str]) -> Server {
        Server::launch(data_dir, extra, false)
    }

    /// Starts bbn and keeps its log (read as it comes) in `log`.
    pub fn start_logged(data_dir: &Path, extra: &[&str]) -> Server {
        Server::launch(data_dir, extra, true)
    }

    fn launch(data_dir: &Path, extra: &[&str], logged: bool) -> Server {
        let port = free_port();
        let mut child = bbn()
            .args([
                "serve",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--data-dir",
            ])
            .arg(data_dir)
            .args(extra)
            // A test run may ask for the servers' debug log.
            .envs(std::env::var("BBN_TEST_SERVER_LOG").map(|v| ("BBN_LOG", v)))
            .stdout(Stdio::null())
            .stderr(if logged {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .spawn()
            .unwrap();
        let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        if let Some(stderr) = child.stderr.take() {
            let sink = log.clone();
            std::thread::spawn(move || {
                use std::io::BufRead;
                for line in std::io::BufReader::new(stderr)
                    .lines()
                    .map_while(Result::ok)
                {
                    if let Ok(mut l) = sink.lock() {
                        l.push_str(&line);
                        l.push('\n');
                    }
                }
            });
        }
        let server = Server { child, port, log };
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Some((200, _)) = http_get(port, "/healthz") {
                return server;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "bbn did not become healthy on port {port}; its log:\n{}",
            server.log()
        );
    }

    /// A copy of the log so far (see `start_logged`).
    pub fn log(&self) -> String {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    pub fn terminate(mut self) -> ExitStatus {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.child.try_wait().unwrap().is_none() {
            assert!(Instant::now() < deadline, "bbn did not stop after SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
        self.child.wait().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

/// HTML a reader must never get: a refresh to another site, a form that
/// passes `form-action 'self'`, a script. Suites plant it where bodies are
/// stored and check that what is served was cleaned.
pub const PLANTED: &str = r#"<p>Planted</p><meta http-equiv="refresh" content="0;url=https://elsewhere.example/"><form action="/newsroom/sign-in" method="post"><input name="password" type="password"></form><script>alert(1)</script>"#;

/// `path` answers 200 with the planted body's text and none of its markup.
pub fn assert_planted_cleaned(port: u16, path: &str) {
    let (status, page) = http_get(port, path).unwrap();
    assert_eq!(status, 200, "{path}");
    assert!(page.contains("Planted"), "{path} shows the body");
    for bad in [
        "http-equiv",
        "elsewhere.example",
        "type=\"password\"",
        "alert(1)",
    ] {
        assert!(!page.contains(bad), "{path} served {bad}");
    }
}
