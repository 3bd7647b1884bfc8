//! The yardstick: nginx serving the same article page as a static file (and
//! its gzip -9 copy through `gzip_static`), which is as fast as a page can
//! be served from one machine. bbn's cached article page is reported as a
//! share of it. The nginx is our own process, on its own configuration in a
//! scratch folder and a loopback port, stopped when the benchmark is done.

use crate::http;
use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Nginx {
    child: Child,
    prefix: PathBuf,
    pub port: u16,
}

/// The path the page is served at.
pub const PAGE: &str = "/article.html";

impl Nginx {
    /// Serves `html` at `PAGE` from `prefix` (a new folder).
    pub fn serve(prefix: &Path, html: &[u8]) -> anyhow::Result<Nginx> {
        let www = prefix.join("www");
        std::fs::create_dir_all(&www)?;
        std::fs::create_dir_all(prefix.join("tmp"))?;
        let page = www.join(PAGE.trim_start_matches('/'));
        std::fs::write(&page, html)?;
        let gzip = Command::new("gzip")
            .args(["-9", "--keep", "--force"])
            .arg(&page)
            .status()
            .context("cannot run gzip")?;
        if !gzip.success() {
            bail!("gzip -9 failed ({gzip})");
        }
        let port = crate::free_port()?;
        let conf = prefix.join("nginx.conf");
        std::fs::write(&conf, config(port))?;
        let child = Command::new("nginx")
            .arg("-p")
            .arg(prefix)
            .arg("-c")
            .arg(&conf)
            .arg("-e")
            .arg(prefix.join("error.log"))
            .args(["-g", "daemon off;"])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .context("cannot run nginx (apt-get install -y nginx)")?;
        let mut nginx = Nginx {
            child,
            prefix: prefix.to_path_buf(),
            port,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(mut c) = http::Client::connect(port)
                && c.get(PAGE).is_ok_and(|r| r.status == 200)
            {
                return Ok(nginx);
            }
            if let Some(status) = nginx.child.try_wait()? {
                bail!("nginx stopped at start ({status}); see its error.log");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        bail!("nginx did not answer")
    }
}

impl Drop for Nginx {
    /// Stops the master and, through it, its workers (a killed master would
    /// leave them running).
    fn drop(&mut self) {
        let stopped = Command::new("nginx")
            .arg("-p")
            .arg(&self.prefix)
            .arg("-c")
            .arg(self.prefix.join("nginx.conf"))
            .arg("-e")
            .arg(self.prefix.join("error.log"))
            .args(["-s", "stop"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !stopped {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

fn config(port: u16) -> String {
    format!(
        "worker_processes auto;
pid nginx.pid;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    default_type text/html;
    sendfile on;
    tcp_nopush on;
    # bbn keeps a connection open for as many requests as come; so does this.
    keepalive_requests 1000000;
    gzip_static on;
    client_body_temp_path tmp/body;
    proxy_temp_path tmp/proxy;
    fastcgi_temp_path tmp/fastcgi;
    uwsgi_temp_path tmp/uwsgi;
    scgi_temp_path tmp/scgi;
    server {{
        listen 127.0.0.1:{port};
        root www;
    }}
}}
"
    )
}

/// `nginx -v`'s answer.
pub fn version() -> String {
    Command::new("nginx")
        .arg("-v")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stderr).trim().to_string())
        .unwrap_or_else(|_| "nginx not found".into())
}
