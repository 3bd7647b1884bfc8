//! A minimal keep-alive HTTP/1.1 client for loopback measurements.

use anyhow::{Context, bail};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

pub struct Client {
    reader: BufReader<TcpStream>,
    port: u16,
    keep_body: bool,
}

pub struct Response {
    pub status: u16,
    pub server_ms: Option<f64>,
    pub body_len: usize,
    pub body: Vec<u8>,
}

impl Client {
    pub fn connect(port: u16) -> anyhow::Result<Client> {
        let stream = TcpStream::connect(("127.0.0.1", port))?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        Ok(Client {
            reader: BufReader::new(stream),
            port,
            keep_body: false,
        })
    }

    pub fn get(&mut self, path: &str) -> anyhow::Result<Response> {
        write!(
            self.reader.get_mut(),
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n",
            self.port
        )?;
        self.read_response()
    }

    /// Posts a urlencoded form as if through a proxy that saw `client`.
    pub fn post_form(&mut self, path: &str, form: &str, client: &str) -> anyhow::Result<Response> {
        write!(
            self.reader.get_mut(),
            "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nX-Forwarded-For: {client}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
            self.port,
            form.len()
        )?;
        self.read_response()
    }

    /// A page's text, for reading form tokens out of it.
    pub fn get_text(&mut self, path: &str) -> anyhow::Result<String> {
        self.keep_body = true;
        let r = self.get(path);
        self.keep_body = false;
        let r = r?;
        if r.status != 200 {
            bail!("{path} answered {}", r.status);
        }
        Ok(String::from_utf8_lossy(&r.body).into_owned())
    }

    fn read_response(&mut self) -> anyhow::Result<Response> {
        let mut line = String::new();
        self.reader.read_line(&mut line)?;
        let status: u16 = line.split(' ').nth(1).context("status line")?.parse()?;
        let mut length = None;
        let mut server_ms = None;
        let mut chunked = false;
        loop {
            line.clear();
            if self.reader.read_line(&mut line)? == 0 {
                bail!("connection closed");
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            let (name, value) = header.split_once(':').unwrap_or((header, ""));
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                length = Some(value.parse::<usize>()?);
            } else if name.eq_ignore_ascii_case("server-timing") {
                server_ms = value
                    .split("dur=")
                    .nth(1)
                    .and_then(|v| v.split(';').next()?.parse().ok());
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                chunked = value.eq_ignore_ascii_case("chunked");
            }
        }
        let body = if chunked {
            self.read_chunks()?
        } else {
            let length = length.context("content-length")?;
            let mut body = vec![0; length];
            self.reader.read_exact(&mut body)?;
            body
        };
        let length = body.len();
        Ok(Response {
            status,
            server_ms,
            body_len: length,
            body: if self.keep_body { body } else { Vec::new() },
        })
    }

    /// A body sent in chunks (streamed responses such as sitemaps).
    fn read_chunks(&mut self) -> anyhow::Result<Vec<u8>> {
        let mut body = Vec::new();
        let mut line = String::new();
        loop {
            line.clear();
            self.reader.read_line(&mut line)?;
            let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                .context("chunk size")?;
            let start = body.len();
            body.resize(start + size, 0);
            self.reader.read_exact(&mut body[start..])?;
            line.clear();
            self.reader.read_line(&mut line)?;
            if size == 0 {
                return Ok(body);
            }
        }
    }
}
